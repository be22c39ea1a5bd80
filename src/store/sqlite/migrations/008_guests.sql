CREATE TABLE guests (
    incident INTEGER PRIMARY KEY REFERENCES incidents(n) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    earlier INTEGER NOT NULL
);
CREATE INDEX guests_hash ON guests(hash);
