-- A desk's spool for a shared log on a server: which incidents changed since they last
-- reached the server (`outbox`, filled by triggers made only in a spool, see `spool.rs`),
-- a close of a follow-up that lost to another desk's (`close_conflicts`), and how the last
-- pushes went (`sync_state`). In a log that is not a spool these stay empty.
CREATE TABLE outbox (
    uid TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    since INTEGER NOT NULL
);
CREATE TABLE close_conflicts (
    incident INTEGER NOT NULL REFERENCES incidents(n) ON DELETE CASCADE,
    step TEXT NOT NULL,
    done_at INTEGER NOT NULL,
    outcome TEXT,
    done_by TEXT,
    note TEXT,
    site TEXT,
    PRIMARY KEY (incident, step, done_at)
);
CREATE TABLE sync_state (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    last_success INTEGER,
    last_failure INTEGER,
    last_error TEXT
);
