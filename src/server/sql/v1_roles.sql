-- Migration 1, roles: group roles without login; IT grants one to each login, e.g.
--   CREATE ROLE desk_oslo LOGIN PASSWORD '...' IN ROLE recover_desk;
--   INSERT INTO recover.members VALUES ('desk_oslo', 'oslo', 'desk');
-- (PostgreSQL has no CREATE ROLE IF NOT EXISTS; CockroachDB and YugabyteDB have it, or run
-- the three CREATE ROLE lines by hand once.)
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'recover_desk') THEN
        CREATE ROLE recover_desk NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'recover_manager') THEN
        CREATE ROLE recover_manager NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'recover_head_office') THEN
        CREATE ROLE recover_head_office NOLOGIN;
    END IF;
END
$$;
