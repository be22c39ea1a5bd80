-- What each incident adds to the report's amends and skipped follow-ups, in its own row as
-- the other summary columns are (see `summary`), so a report over years reads the
-- incidents once instead of every amend and skipped step as well. Withheld reasons are
-- kept joined by the unit separator (char 31), which no reason holds.
ALTER TABLE incidents ADD COLUMN amends_offered INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN amends_given INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN follow_ups_skipped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN withheld_reasons TEXT;
UPDATE incidents SET
    amends_offered = (SELECT COUNT(*) FROM steps s INDEXED BY steps_amends
        WHERE s.incident = incidents.n AND s.phase = 'amend'),
    amends_given = (SELECT COUNT(*) FROM steps s INDEXED BY steps_amends
        WHERE s.incident = incidents.n AND s.phase = 'amend' AND s.outcome = 'done'),
    follow_ups_skipped = (SELECT COUNT(*) FROM steps s
        WHERE s.incident = incidents.n AND s.phase = 'follow_up' AND s.outcome = 'skipped'),
    withheld_reasons = (SELECT group_concat(COALESCE(s.reason, 'unsaid'), char(31)) FROM steps s INDEXED BY steps_amends
        WHERE s.incident = incidents.n AND s.phase = 'amend' AND s.outcome = 'skipped');
