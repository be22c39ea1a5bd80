CREATE TABLE incidents_v2 (
        n INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        id TEXT NOT NULL UNIQUE COLLATE NOCASE,
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
    INSERT INTO incidents_v2 (uid, id, type, severity, staff, role, ref, started_at, finished_at,
            status, currency, role_limit, failure_answered, failure_point, failure_note, servqual)
        SELECT uid,
            CASE WHEN lower(id) IN (SELECT lower(id) FROM incidents GROUP BY lower(id) HAVING COUNT(*) > 1)
                THEN id || '-' || substr(uid, 1, 8) ELSE id END,
            type, severity, staff, role, ref, started_at, finished_at, status, currency,
            role_limit, failure_answered, failure_point, failure_note, servqual
        FROM incidents ORDER BY started_at, id;
    CREATE TABLE steps_v2 (
        incident INTEGER NOT NULL REFERENCES incidents_v2(n) ON DELETE CASCADE,
        step TEXT NOT NULL,
        seq INTEGER NOT NULL,
        phase TEXT NOT NULL,
        outcome TEXT NOT NULL,
        at INTEGER NOT NULL,
        choice TEXT,
        note TEXT,
        reason TEXT,
        cost TEXT,
        approved_by TEXT,
        PRIMARY KEY (incident, step)
    ) WITHOUT ROWID;
    INSERT INTO steps_v2 (incident, step, seq, phase, outcome, at, choice, note, reason, cost, approved_by)
        SELECT i.n, s.step, s.seq, s.phase, s.outcome, s.at, s.choice, s.note, s.reason, s.cost, s.approved_by
        FROM incidents_v2 i JOIN steps s ON s.incident = i.uid ORDER BY i.n, s.step;
    CREATE TABLE follow_ups_v2 (
        incident INTEGER NOT NULL REFERENCES incidents_v2(n) ON DELETE CASCADE,
        step TEXT NOT NULL,
        due INTEGER NOT NULL,
        done_at INTEGER,
        outcome TEXT,
        done_by TEXT,
        note TEXT,
        PRIMARY KEY (incident, step)
    ) WITHOUT ROWID;
    INSERT INTO follow_ups_v2 (incident, step, due, done_at, outcome, done_by, note)
        SELECT i.n, f.step, f.due, f.done_at, f.outcome, f.done_by, f.note
        FROM incidents_v2 i JOIN follow_ups f ON f.incident = i.uid ORDER BY i.n, f.step;
    DROP TABLE steps;
    DROP TABLE follow_ups;
    DROP TABLE incidents;
    ALTER TABLE incidents_v2 RENAME TO incidents;
    ALTER TABLE steps_v2 RENAME TO steps;
    ALTER TABLE follow_ups_v2 RENAME TO follow_ups;
    CREATE INDEX incidents_started ON incidents(started_at, id);
    CREATE INDEX incidents_unfinished ON incidents(started_at) WHERE status = 'in_progress';
    CREATE INDEX follow_ups_open ON follow_ups(due, done_at) WHERE done_at IS NULL;
