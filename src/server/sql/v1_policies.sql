-- Migration 1, privileges and row-level security. The database enforces who sees and changes
-- what, so a desk with a leaked password still cannot read or change another site's rows:
--   desk:        read, insert, and fill in (what an answer adds later: a severity, a note,
--                the finish, a close) its own site's rows
--   manager:     the same, and delete (purge) its own site's rows
--   head office: read every site
GRANT USAGE ON SCHEMA recover TO recover_desk, recover_manager, recover_head_office;
GRANT SELECT ON recover.meta, recover.members TO recover_desk, recover_manager, recover_head_office;
GRANT SELECT, INSERT ON recover.incidents, recover.steps, recover.follow_ups, recover.close_conflicts
    TO recover_desk, recover_manager;
-- What an answer adds to rows already there: the severity and approver's role chosen after
-- the start, a note said after a step's answer; and the closing columns: finishing or
-- abandoning an incident, doing a skipped step afterwards, closing a follow-up; and what it
-- adds up to for reports; the guest's side, told at the end. Never who, what, when or where an
-- incident started.
GRANT UPDATE (severity, approver_role, finished_at, status, failure_answered, failure_point, failure_note,
        guest, servqual, abandoned_by, abandon_reason, amends_total, amends_approved, apology_s, fix_s,
        follow_ups_open, follow_ups_on_time, follow_ups_late, follow_ups_recovered, follow_ups_lost, clock_skew,
        amends_offered, amends_given, withheld_reasons, follow_ups_skipped)
    ON recover.incidents TO recover_desk, recover_manager;
GRANT UPDATE (note, completed_at, completed_by, completed_note) ON recover.steps TO recover_desk, recover_manager;
GRANT UPDATE (done_at, outcome, done_by, note) ON recover.follow_ups TO recover_desk, recover_manager;
GRANT DELETE ON recover.incidents, recover.steps, recover.follow_ups, recover.close_conflicts TO recover_manager;
GRANT SELECT ON recover.incidents, recover.steps, recover.follow_ups, recover.close_conflicts
    TO recover_head_office;

-- A login sees only its own memberships.
ALTER TABLE recover.members ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON recover.members FOR SELECT USING (login = current_user);

ALTER TABLE recover.incidents ENABLE ROW LEVEL SECURITY;
CREATE POLICY site_read ON recover.incidents FOR SELECT USING (EXISTS (
    SELECT 1 FROM recover.members m
    WHERE m.login = current_user AND (m.site = incidents.site OR m.role = 'head_office')));
CREATE POLICY site_insert ON recover.incidents FOR INSERT WITH CHECK (EXISTS (
    SELECT 1 FROM recover.members m
    WHERE m.login = current_user AND m.site = incidents.site AND m.role IN ('desk', 'manager')));
CREATE POLICY site_update ON recover.incidents FOR UPDATE
    USING (EXISTS (
        SELECT 1 FROM recover.members m
        WHERE m.login = current_user AND m.site = incidents.site AND m.role IN ('desk', 'manager')))
    WITH CHECK (EXISTS (
        SELECT 1 FROM recover.members m
        WHERE m.login = current_user AND m.site = incidents.site AND m.role IN ('desk', 'manager')));
CREATE POLICY site_purge ON recover.incidents FOR DELETE USING (EXISTS (
    SELECT 1 FROM recover.members m
    WHERE m.login = current_user AND m.site = incidents.site AND m.role = 'manager'));

ALTER TABLE recover.steps ENABLE ROW LEVEL SECURITY;
CREATE POLICY site_read ON recover.steps FOR SELECT USING (EXISTS (
    SELECT 1 FROM recover.members m
    WHERE m.login = current_user AND (m.site = steps.site OR m.role = 'head_office')));
CREATE POLICY site_insert ON recover.steps FOR INSERT WITH CHECK (EXISTS (
    SELECT 1 FROM recover.members m
    WHERE m.login = current_user AND m.site = steps.site AND m.role IN ('desk', 'manager')));
CREATE POLICY site_update ON recover.steps FOR UPDATE
    USING (EXISTS (
        SELECT 1 FROM recover.members m
        WHERE m.login = current_user AND m.site = steps.site AND m.role IN ('desk', 'manager')))
    WITH CHECK (EXISTS (
        SELECT 1 FROM recover.members m
        WHERE m.login = current_user AND m.site = steps.site AND m.role IN ('desk', 'manager')));
CREATE POLICY site_purge ON recover.steps FOR DELETE USING (EXISTS (
    SELECT 1 FROM recover.members m
    WHERE m.login = current_user AND m.site = steps.site AND m.role = 'manager'));

ALTER TABLE recover.follow_ups ENABLE ROW LEVEL SECURITY;
CREATE POLICY site_read ON recover.follow_ups FOR SELECT USING (EXISTS (
    SELECT 1 FROM recover.members m
    WHERE m.login = current_user AND (m.site = follow_ups.site OR m.role = 'head_office')));
CREATE POLICY site_insert ON recover.follow_ups FOR INSERT WITH CHECK (EXISTS (
    SELECT 1 FROM recover.members m
    WHERE m.login = current_user AND m.site = follow_ups.site AND m.role IN ('desk', 'manager')));
CREATE POLICY site_update ON recover.follow_ups FOR UPDATE
    USING (EXISTS (
        SELECT 1 FROM recover.members m
        WHERE m.login = current_user AND m.site = follow_ups.site AND m.role IN ('desk', 'manager')))
    WITH CHECK (EXISTS (
        SELECT 1 FROM recover.members m
        WHERE m.login = current_user AND m.site = follow_ups.site AND m.role IN ('desk', 'manager')));
CREATE POLICY site_purge ON recover.follow_ups FOR DELETE USING (EXISTS (
    SELECT 1 FROM recover.members m
    WHERE m.login = current_user AND m.site = follow_ups.site AND m.role = 'manager'));

ALTER TABLE recover.close_conflicts ENABLE ROW LEVEL SECURITY;
CREATE POLICY site_read ON recover.close_conflicts FOR SELECT USING (EXISTS (
    SELECT 1 FROM recover.members m
    WHERE m.login = current_user AND (m.site = close_conflicts.site OR m.role = 'head_office')));
CREATE POLICY site_insert ON recover.close_conflicts FOR INSERT WITH CHECK (EXISTS (
    SELECT 1 FROM recover.members m
    WHERE m.login = current_user AND m.site = close_conflicts.site AND m.role IN ('desk', 'manager')));
CREATE POLICY site_purge ON recover.close_conflicts FOR DELETE USING (EXISTS (
    SELECT 1 FROM recover.members m
    WHERE m.login = current_user AND m.site = close_conflicts.site AND m.role = 'manager'));
