CREATE TABLE incidents (
        uid TEXT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        severity TEXT,
        staff TEXT NOT NULL,
        role TEXT NOT NULL,
        ref TEXT,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        status TEXT NOT NULL,
        currency TEXT NOT NULL,
        role_limit TEXT NOT NULL,
        failure_answered INTEGER NOT NULL DEFAULT 0,
        failure_point TEXT,
        failure_note TEXT,
        servqual TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX incidents_started ON incidents(started_at);
    CREATE INDEX incidents_unfinished ON incidents(started_at) WHERE status = 'in_progress';
    CREATE TABLE steps (
        incident TEXT NOT NULL REFERENCES incidents(uid) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        phase TEXT NOT NULL,
        step TEXT NOT NULL,
        outcome TEXT NOT NULL,
        at INTEGER NOT NULL,
        choice TEXT,
        note TEXT,
        reason TEXT,
        cost TEXT,
        approved_by TEXT,
        PRIMARY KEY (incident, step)
    ) WITHOUT ROWID;
    CREATE TABLE follow_ups (
        incident TEXT NOT NULL REFERENCES incidents(uid) ON DELETE CASCADE,
        step TEXT NOT NULL,
        due INTEGER NOT NULL,
        done_at INTEGER,
        outcome TEXT,
        done_by TEXT,
        note TEXT,
        PRIMARY KEY (incident, step)
    ) WITHOUT ROWID;
    CREATE INDEX follow_ups_open ON follow_ups(due) WHERE done_at IS NULL;
