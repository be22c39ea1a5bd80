-- Everything `report` adds up about an incident, as one text in an index ordered by start
-- time, so a report over years reads that narrow index alone (one value per incident)
-- instead of twenty columns of every incident's wide row. The column is generated, so
-- SQLite keeps it right on every insert and update (import included) and no writer can
-- forget it; only the index stores it.
--
-- The text is SQL literals (`%Q`: quoted with quotes doubled, NULL bare) joined by commas,
-- made by one `format` (a `quote` per value joined by `||` made an import 12% dearer):
-- first what incidents share (status first, so an abandoned incident is known at a
-- glance; then type, severity, role, amends, failure point, SERVQUAL, withheld reasons and
-- the counts), which `report` counts once per distinct text, then after the last semicolon
-- the two timings, which differ for nearly every incident. `summary::report` reads it
-- back; its tests hold the two to the same order.
ALTER TABLE incidents ADD COLUMN report_row TEXT GENERATED ALWAYS AS (format(
    '%Q,%Q,%Q,%Q,%Q,%Q,%Q,%Q,%Q,%d,%d,%d,%d,%d,%d,%d,%d,%d;%Q,%Q',
    status, type, severity, role, amends_total, amends_approved, failure_point, servqual,
    withheld_reasons, follow_ups_open, follow_ups_on_time, follow_ups_late,
    follow_ups_recovered, follow_ups_lost, clock_skew, amends_offered, amends_given,
    follow_ups_skipped, apology_s, fix_s
)) VIRTUAL;
CREATE INDEX incidents_report ON incidents(started_at, report_row);

-- Repeat guests of a period are counted from the guests who are repeat guests (usually far
-- fewer than the incidents of a long period; none on a log that records no guests), each
-- looked up in the incidents by its key, instead of every incident of the period looked up
-- in the guests.
CREATE INDEX guests_repeat ON guests(incident) WHERE earlier > 0;
