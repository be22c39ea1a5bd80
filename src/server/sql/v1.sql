-- Migration 1: incidents, steps and follow-ups keyed by uid, each row carrying its site;
-- who belongs to which site; the desk, manager and head-office roles; row-level security.
-- Migrations only add (tables, columns, indexes, grants), so a desk one version behind keeps
-- working; `min_client` in recover.meta is raised only when an old desk would do harm.

CREATE TABLE recover.incidents (
    uid uuid PRIMARY KEY,
    site text NOT NULL,
    id text NOT NULL,
    type text NOT NULL,
    severity text,
    staff text NOT NULL,
    role text NOT NULL,
    ref text,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    status text NOT NULL,
    currency text NOT NULL,
    role_limit numeric NOT NULL,
    failure_answered boolean NOT NULL DEFAULT false,
    failure_point text,
    failure_note text,
    servqual text NOT NULL DEFAULT '',
    abandoned_by text,
    abandon_reason text,
    approver_role text,
    -- The guest's side (their words, whether satisfied, contact with consent): one JSON
    -- object as `export` writes it, set once, at the end of the session.
    guest text,
    -- What the incident adds up to in a report (written with it by every client, from the
    -- engine's rules), so `report` over a chain sums narrow rows in SQL.
    amends_total numeric NOT NULL DEFAULT 0,
    amends_approved numeric NOT NULL DEFAULT 0,
    apology_s bigint,
    fix_s bigint,
    follow_ups_open integer NOT NULL DEFAULT 0,
    follow_ups_on_time integer NOT NULL DEFAULT 0,
    follow_ups_late integer NOT NULL DEFAULT 0,
    follow_ups_recovered integer NOT NULL DEFAULT 0,
    follow_ups_lost integer NOT NULL DEFAULT 0,
    clock_skew boolean NOT NULL DEFAULT false,
    amends_offered integer NOT NULL DEFAULT 0,
    amends_given integer NOT NULL DEFAULT 0,
    withheld_reasons text[] NOT NULL DEFAULT '{}',
    follow_ups_skipped integer NOT NULL DEFAULT 0,
    UNIQUE (uid, site)
);
-- Short ids are unique per site, compared without case as people type them.
CREATE UNIQUE INDEX incidents_site_id ON recover.incidents (site, lower(id));
CREATE INDEX incidents_site_started ON recover.incidents (site, started_at);
-- `show-incident ID` at head office, where the site is not known.
CREATE INDEX incidents_id ON recover.incidents (lower(id));
CREATE INDEX incidents_started ON recover.incidents (started_at);

-- A step's and a follow-up's site is its incident's (the foreign key says so), so a policy
-- can check the row itself.
CREATE TABLE recover.steps (
    incident uuid NOT NULL,
    site text NOT NULL,
    step text NOT NULL,
    seq integer NOT NULL,
    phase text NOT NULL,
    outcome text NOT NULL,
    at timestamptz NOT NULL,
    choice text,
    note text,
    reason text,
    cost numeric,
    approved_by text,
    completed_at timestamptz,
    completed_by text,
    completed_note text,
    PRIMARY KEY (incident, step),
    FOREIGN KEY (incident, site) REFERENCES recover.incidents (uid, site) ON DELETE CASCADE
);

CREATE TABLE recover.follow_ups (
    incident uuid NOT NULL,
    site text NOT NULL,
    step text NOT NULL,
    due timestamptz NOT NULL,
    done_at timestamptz,
    outcome text,
    done_by text,
    note text,
    PRIMARY KEY (incident, step),
    FOREIGN KEY (incident, site) REFERENCES recover.incidents (uid, site) ON DELETE CASCADE
);
CREATE INDEX follow_ups_open ON recover.follow_ups (site, due) WHERE done_at IS NULL;
CREATE INDEX follow_ups_open_due ON recover.follow_ups (due) WHERE done_at IS NULL;

-- Which login works for which site, and as what. A login is also granted the matching
-- database role below (for the table privileges); this table scopes it to its site.
CREATE TABLE recover.members (
    login text NOT NULL,
    site text NOT NULL,
    role text NOT NULL CHECK (role IN ('desk', 'manager', 'head_office')),
    PRIMARY KEY (login, site)
);

-- A close of a follow-up that reached the server after another desk's close of it: the
-- first close stands in follow_ups, the later one is kept here (`show-incident` shows it).
CREATE TABLE recover.close_conflicts (
    incident uuid NOT NULL,
    site text NOT NULL,
    step text NOT NULL,
    done_at timestamptz NOT NULL,
    outcome text,
    done_by text,
    note text,
    PRIMARY KEY (incident, step, done_at),
    FOREIGN KEY (incident, site) REFERENCES recover.incidents (uid, site) ON DELETE CASCADE
);
