CREATE TABLE drills (
    n INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    staff TEXT NOT NULL,
    role TEXT NOT NULL,
    type TEXT NOT NULL,
    seed TEXT NOT NULL,
    severity TEXT NOT NULL,
    apologise_right INTEGER NOT NULL, apologise_asked INTEGER NOT NULL,
    fix_right INTEGER NOT NULL, fix_asked INTEGER NOT NULL,
    amend_right INTEGER NOT NULL, amend_asked INTEGER NOT NULL,
    follow_up_right INTEGER NOT NULL, follow_up_asked INTEGER NOT NULL,
    reread TEXT NOT NULL
);
CREATE INDEX drills_at ON drills(at);
