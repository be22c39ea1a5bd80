-- recover's shared log: the schema's own bookkeeping, made before anything else.
-- One row: the schema version (migrations applied) and the oldest recover accepted.
-- `recover server migrate` locks this row (SELECT ... FOR UPDATE) while it upgrades, so two
-- at once run one after the other; no advisory locks (CockroachDB has none).
CREATE SCHEMA IF NOT EXISTS recover;
CREATE TABLE IF NOT EXISTS recover.meta (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    schema_version integer NOT NULL,
    min_client text NOT NULL
);
INSERT INTO recover.meta (singleton, schema_version, min_client) VALUES (true, 0, '0.0.0')
    ON CONFLICT (singleton) DO NOTHING;
