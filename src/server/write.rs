//! Writing into the shared log: one incident merged by its global id, idempotent, so the
//! same push made twice (a retry after a dropped connection, `sync` run again) changes
//! nothing the second time:
//! - rows that exist are left alone (`ON CONFLICT DO NOTHING`);
//! - what the server does not know yet is filled in (a severity, a note, a finish of an
//!   incident still in progress there, a skipped step done afterwards);
//! - a follow-up is closed only where it is still open; a close that comes second is kept
//!   as a conflict record and handed back, so the desk can be told.
//!
//! Every statement is plain SQL that PostgreSQL-protocol engines with UUID keys accept
//! (CockroachDB, YugabyteDB): no advisory locks, no server-side functions.

use postgres::types::ToSql;

use super::store::{Params, PostgresStore};
use crate::engine::{FollowUp, FollowUpOutcome, Incident};
use crate::playbook::Severity;
use crate::store::{CloseConflict, StoreError, Summary};

/// What merging one incident did.
#[derive(Debug, Default)]
pub struct Merged {
    /// The incident was new to the server.
    pub added: bool,
    /// Anything at all was written.
    pub changed: bool,
    /// Its short id on the server (extended from its uid when the desk's collided there).
    pub id: String,
    /// This desk's closes that came second: the server's close, and ours kept beside it.
    pub lost: Vec<(FollowUp, CloseConflict)>,
}

fn boxed<T: ToSql + Sync + 'static>(v: T) -> Box<dyn ToSql + Sync> {
    Box::new(v)
}

/// Ids to try for a new incident whose short id is taken at its site: extended with the
/// start of its uid, then the whole uid (which no other incident has).
fn candidate_ids(incident: &Incident) -> Vec<String> {
    let hex: String = incident.uid.chars().filter(char::is_ascii_hexdigit).collect::<String>().to_uppercase();
    let mut ids = vec![incident.id.clone()];
    for len in [4, 8] {
        if hex.len() >= len {
            ids.push(format!("{}-{}", incident.id, &hex[..len]));
        }
    }
    ids.push(incident.uid.clone());
    ids
}

impl PostgresStore {
    /// Merges `incident` into the server inside the caller's transaction. A new incident is
    /// recorded for `site`; one the server has keeps its own site.
    pub(super) fn merge(&self, incident: &Incident, site: Option<&str>) -> Result<Merged, StoreError> {
        let mut merged = Merged::default();
        let existing = self.query(
            "SELECT id, site FROM recover.incidents WHERE uid = $1::text::uuid",
            &vec![boxed(incident.uid.clone())],
        )?;
        let site = if let Some(row) = existing.first() {
            merged.id = row.get(0);
            merged.changed |= self.merge_incident_row(incident)?;
            row.get::<_, String>(1)
        } else {
            let site =
                site.ok_or_else(|| self.refused("this desk has no site: set RECOVER_SITE or pass --site"))?;
            merged.id = self.insert_incident(incident, site)?;
            merged.added = true;
            merged.changed = true;
            site.to_owned()
        };
        merged.changed |= self.merge_steps(incident, &site)?;
        merged.changed |= self.merge_follow_ups(incident, &site, &mut merged.lost)?;
        if merged.changed {
            // A new incident is on the server as given; a merged one is read back.
            let summary = if merged.added && merged.lost.is_empty() {
                Summary::of(incident)
            } else {
                Summary::of(&self.get_by_uid(&incident.uid)?)
            };
            self.write_summary(&incident.uid, &summary)?;
        }
        Ok(merged)
    }

    /// Writes what an incident adds up to into its row, for `report`'s sums.
    fn write_summary(&self, uid: &str, s: &Summary) -> Result<(), StoreError> {
        self.execute(
            "UPDATE recover.incidents SET amends_total = $2::text::numeric, amends_approved = $3::text::numeric,
                apology_s = $4, fix_s = $5, follow_ups_open = $6, follow_ups_on_time = $7, follow_ups_late = $8,
                follow_ups_recovered = $9, follow_ups_lost = $10, clock_skew = $11, amends_offered = $12,
                amends_given = $13, withheld_reasons = $14, follow_ups_skipped = $15
             WHERE uid = $1::text::uuid",
            &vec![
                boxed(uid.to_owned()),
                boxed(s.amends_total.to_string()),
                boxed(s.amends_approved.to_string()),
                boxed(s.apology_s),
                boxed(s.fix_s),
                boxed(i32::try_from(s.open).unwrap_or(i32::MAX)),
                boxed(i32::try_from(s.on_time).unwrap_or(i32::MAX)),
                boxed(i32::try_from(s.late).unwrap_or(i32::MAX)),
                boxed(i32::try_from(s.recovered).unwrap_or(i32::MAX)),
                boxed(i32::try_from(s.lost).unwrap_or(i32::MAX)),
                boxed(s.clock_skew),
                boxed(i32::try_from(s.amends_offered).unwrap_or(i32::MAX)),
                boxed(i32::try_from(s.amends_given).unwrap_or(i32::MAX)),
                boxed(s.withheld_reasons.clone()),
                boxed(i32::try_from(s.follow_ups_skipped).unwrap_or(i32::MAX)),
            ],
        )
        .map(drop)
    }

    /// Inserts a new incident under the first of its candidate ids free at `site`.
    fn insert_incident(&self, i: &Incident, site: &str) -> Result<String, StoreError> {
        let servqual: Vec<&str> = i.servqual.iter().map(|s| s.key()).collect();
        for id in candidate_ids(i) {
            let params: Params = vec![
                boxed(i.uid.clone()),
                boxed(site.to_owned()),
                boxed(id.clone()),
                boxed(i.kind.clone()),
                boxed(i.severity.map(|s| Severity::key(s).to_owned())),
                boxed(i.staff.clone()),
                boxed(i.role.clone()),
                boxed(i.reference.clone()),
                boxed(i.started_at),
                boxed(i.finished_at),
                boxed(i.status.key().to_owned()),
                boxed(i.currency.clone()),
                boxed(i.limit.to_string()),
                boxed(i.failure_answered),
                boxed(i.failure_point.clone()),
                boxed(i.failure_note.clone()),
                boxed(servqual.join(",")),
                boxed(i.abandoned_by.clone()),
                boxed(i.abandon_reason.clone()),
                boxed(i.approver_role.clone()),
                boxed(i.guest.as_ref().map(crate::engine::GuestSide::to_json)),
            ];
            let rows = self.query(
                "INSERT INTO recover.incidents (uid, site, id, type, severity, staff, role, ref, started_at,
                    finished_at, status, currency, role_limit, failure_answered, failure_point, failure_note,
                    servqual, abandoned_by, abandon_reason, approver_role, guest)
                 VALUES ($1::text::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::text::numeric, $14,
                    $15, $16, $17, $18, $19, $20, $21)
                 ON CONFLICT DO NOTHING RETURNING id",
                &params,
            )?;
            if let Some(row) = rows.first() {
                return Ok(row.get(0));
            }
            // Nothing inserted: its uid is there (another site's, which this login cannot
            // see), or its short id is taken at this site.
            let uid_taken = self.query(
                "SELECT EXISTS (SELECT 1 FROM recover.incidents WHERE uid = $1::text::uuid)",
                &vec![boxed(i.uid.clone())],
            )?;
            if uid_taken.first().is_some_and(|r| r.get::<_, bool>(0)) {
                break;
            }
        }
        Err(self.refused(&format!(
            "incident {} is already in the shared log under another site; it was not recorded for {}",
            crate::render::safe::one_line(&i.id),
            crate::render::safe::one_line(site)
        )))
    }

    /// Fills in what the server's row of an incident it has lacks; true if anything changed.
    fn merge_incident_row(&self, i: &Incident) -> Result<bool, StoreError> {
        let servqual: Vec<&str> = i.servqual.iter().map(|s| s.key()).collect();
        let params: Params = vec![
            boxed(i.uid.clone()),
            boxed(i.severity.map(|s| Severity::key(s).to_owned())),
            boxed(i.approver_role.clone()),
            boxed(i.failure_answered),
            boxed(i.failure_point.clone()),
            boxed(i.failure_note.clone()),
            boxed(servqual.join(",")),
            boxed(i.status.key().to_owned()),
            boxed(i.finished_at),
            boxed(i.abandoned_by.clone()),
            boxed(i.abandon_reason.clone()),
            // Incomplete becomes complete only through a skipped step done afterwards (the
            // engine's `NowComplete`), never through another account of the end.
            boxed(i.steps.iter().any(|s| s.completed_at.is_some())),
            // The guest's side is told once: the first account of it stays.
            boxed(i.guest.as_ref().map(crate::engine::GuestSide::to_json)),
        ];
        // Every right-hand side reads the row as it was: the status tested is the old one.
        let n = self.execute(
            "UPDATE recover.incidents SET
                severity = COALESCE(severity, $2),
                approver_role = COALESCE(approver_role, $3),
                failure_point = CASE WHEN failure_answered THEN failure_point ELSE $5 END,
                failure_note = CASE WHEN failure_answered THEN failure_note ELSE $6 END,
                failure_answered = failure_answered OR $4,
                servqual = CASE WHEN servqual = '' THEN $7 ELSE servqual END,
                status = CASE WHEN status = 'in_progress' OR (status = 'incomplete' AND $8 = 'complete' AND $12)
                    THEN $8 ELSE status END,
                finished_at = CASE WHEN status = 'in_progress' THEN $9 ELSE finished_at END,
                abandoned_by = CASE WHEN status = 'in_progress' THEN $10 ELSE abandoned_by END,
                abandon_reason = CASE WHEN status = 'in_progress' THEN $11 ELSE abandon_reason END,
                guest = COALESCE(guest, $13)
             WHERE uid = $1::text::uuid AND (
                (guest IS NULL AND $13::text IS NOT NULL) OR
                (severity IS NULL AND $2::text IS NOT NULL) OR (approver_role IS NULL AND $3::text IS NOT NULL)
                OR (NOT failure_answered AND $4) OR (servqual = '' AND $7 <> '')
                OR (status = 'in_progress' AND $8 <> 'in_progress')
                OR (status = 'incomplete' AND $8 = 'complete' AND $12))",
            &params,
        )?;
        Ok(n > 0)
    }

    /// Inserts the steps the server lacks, then fills in notes and completions it lacks.
    fn merge_steps(&self, i: &Incident, site: &str) -> Result<bool, StoreError> {
        if i.steps.is_empty() {
            return Ok(false);
        }
        let col = |f: &dyn Fn(&crate::engine::StepRecord) -> Option<String>| -> Vec<Option<String>> {
            i.steps.iter().map(f).collect()
        };
        let seq: Vec<i32> = (0..i.steps.len()).map(|n| i32::try_from(n).unwrap_or(i32::MAX)).collect();
        let params: Params = vec![
            boxed(i.uid.clone()),
            boxed(site.to_owned()),
            boxed(col(&|s| Some(s.id.clone()))),
            boxed(seq),
            boxed(col(&|s| Some(s.phase.key().to_owned()))),
            boxed(col(&|s| Some(s.outcome.key().to_owned()))),
            boxed(i.steps.iter().map(|s| s.at).collect::<Vec<_>>()),
            boxed(col(&|s| s.choice.clone())),
            boxed(col(&|s| s.note.clone())),
            boxed(col(&|s| s.reason.clone())),
            boxed(col(&|s| s.cost.map(|c| c.to_string()))),
            boxed(col(&|s| s.approved_by.clone())),
            boxed(i.steps.iter().map(|s| s.completed_at).collect::<Vec<_>>()),
            boxed(col(&|s| s.completed_by.clone())),
            boxed(col(&|s| s.completed_note.clone())),
        ];
        let added = self.execute(
            "INSERT INTO recover.steps (incident, site, step, seq, phase, outcome, at, choice, note, reason, cost,
                approved_by, completed_at, completed_by, completed_note)
             SELECT $1::text::uuid, $2, u.step, u.seq, u.phase, u.outcome, u.at, u.choice, u.note, u.reason,
                u.cost::numeric, u.approved_by, u.completed_at, u.completed_by, u.completed_note
             FROM UNNEST($3::text[], $4::int[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[],
                $10::text[], $11::text[], $12::text[], $13::timestamptz[], $14::text[], $15::text[])
                AS u(step, seq, phase, outcome, at, choice, note, reason, cost, approved_by, completed_at,
                    completed_by, completed_note)
             ON CONFLICT (incident, step) DO NOTHING",
            &params,
        )?;
        let later: Vec<&crate::engine::StepRecord> =
            i.steps.iter().filter(|s| s.note.is_some() || s.completed_at.is_some()).collect();
        if later.is_empty() {
            return Ok(added > 0);
        }
        let params: Params = vec![
            boxed(i.uid.clone()),
            boxed(later.iter().map(|s| s.id.clone()).collect::<Vec<_>>()),
            boxed(later.iter().map(|s| s.note.clone()).collect::<Vec<_>>()),
            boxed(later.iter().map(|s| s.completed_at).collect::<Vec<_>>()),
            boxed(later.iter().map(|s| s.completed_by.clone()).collect::<Vec<_>>()),
            boxed(later.iter().map(|s| s.completed_note.clone()).collect::<Vec<_>>()),
        ];
        let filled = self.execute(
            "UPDATE recover.steps s SET
                note = COALESCE(s.note, u.note),
                completed_by = CASE WHEN s.completed_at IS NULL THEN u.completed_by ELSE s.completed_by END,
                completed_note = CASE WHEN s.completed_at IS NULL THEN u.completed_note ELSE s.completed_note END,
                completed_at = COALESCE(s.completed_at, u.completed_at)
             FROM UNNEST($2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[])
                AS u(step, note, completed_at, completed_by, completed_note)
             WHERE s.incident = $1::text::uuid AND s.step = u.step
                AND ((s.note IS NULL AND u.note IS NOT NULL) OR (s.completed_at IS NULL AND u.completed_at IS NOT NULL))",
            &params,
        )?;
        Ok(added + filled > 0)
    }

    /// Inserts the follow-ups the server lacks and closes those still open there; a close
    /// that finds the follow-up closed otherwise is recorded as a conflict and added to `lost`.
    fn merge_follow_ups(
        &self,
        i: &Incident,
        site: &str,
        lost: &mut Vec<(FollowUp, CloseConflict)>,
    ) -> Result<bool, StoreError> {
        if i.follow_ups.is_empty() {
            return Ok(false);
        }
        let fs = &i.follow_ups;
        let outcome = |f: &FollowUp| f.outcome.map(|o| FollowUpOutcome::key(o).to_owned());
        let params: Params = vec![
            boxed(i.uid.clone()),
            boxed(site.to_owned()),
            boxed(fs.iter().map(|f| f.step.clone()).collect::<Vec<_>>()),
            boxed(fs.iter().map(|f| f.due).collect::<Vec<_>>()),
            boxed(fs.iter().map(|f| f.done_at).collect::<Vec<_>>()),
            boxed(fs.iter().map(outcome).collect::<Vec<_>>()),
            boxed(fs.iter().map(|f| f.done_by.clone()).collect::<Vec<_>>()),
            boxed(fs.iter().map(|f| f.note.clone()).collect::<Vec<_>>()),
        ];
        let inserted: Vec<String> = self
            .query(
                "INSERT INTO recover.follow_ups (incident, site, step, due, done_at, outcome, done_by, note)
                 SELECT $1::text::uuid, $2, u.step, u.due, u.done_at, u.outcome, u.done_by, u.note
                 FROM UNNEST($3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[], $8::text[])
                    AS u(step, due, done_at, outcome, done_by, note)
                 ON CONFLICT (incident, step) DO NOTHING RETURNING step",
                &params,
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let closes: Vec<&FollowUp> =
            fs.iter().filter(|f| f.done_at.is_some() && !inserted.contains(&f.step)).collect();
        if closes.is_empty() {
            return Ok(!inserted.is_empty());
        }
        let params: Params = vec![
            boxed(i.uid.clone()),
            boxed(closes.iter().map(|f| f.step.clone()).collect::<Vec<_>>()),
            boxed(closes.iter().map(|f| f.done_at).collect::<Vec<_>>()),
            boxed(closes.iter().map(|f| outcome(f)).collect::<Vec<_>>()),
            boxed(closes.iter().map(|f| f.done_by.clone()).collect::<Vec<_>>()),
            boxed(closes.iter().map(|f| f.note.clone()).collect::<Vec<_>>()),
        ];
        let now_closed: Vec<String> = self
            .query(
                "UPDATE recover.follow_ups f SET done_at = u.done_at, outcome = u.outcome, done_by = u.done_by,
                    note = u.note
                 FROM UNNEST($2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[])
                    AS u(step, done_at, outcome, done_by, note)
                 WHERE f.incident = $1::text::uuid AND f.step = u.step AND f.done_at IS NULL
                 RETURNING f.step",
                &params,
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let beaten: Vec<&FollowUp> = closes.into_iter().filter(|f| !now_closed.contains(&f.step)).collect();
        for ours in beaten {
            let theirs = self.server_follow_up(&i.uid, &ours.step)?;
            let same = theirs.done_at == ours.done_at
                && theirs.done_by == ours.done_by
                && theirs.outcome == ours.outcome;
            if same {
                continue;
            }
            let conflict = CloseConflict {
                step: ours.step.clone(),
                done_at: ours.done_at.unwrap_or(i.started_at),
                outcome: ours.outcome,
                done_by: ours.done_by.clone(),
                note: ours.note.clone(),
                site: Some(site.to_owned()),
            };
            self.execute(
                "INSERT INTO recover.close_conflicts (incident, site, step, done_at, outcome, done_by, note)
                 VALUES ($1::text::uuid, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                &vec![
                    boxed(i.uid.clone()),
                    boxed(site.to_owned()),
                    boxed(conflict.step.clone()),
                    boxed(conflict.done_at),
                    boxed(conflict.outcome.map(|o| FollowUpOutcome::key(o).to_owned())),
                    boxed(conflict.done_by.clone()),
                    boxed(conflict.note.clone()),
                ],
            )?;
            lost.push((theirs, conflict));
        }
        Ok(!inserted.is_empty() || !now_closed.is_empty() || !lost.is_empty())
    }

    /// One follow-up as the server has it.
    fn server_follow_up(&self, uid: &str, step: &str) -> Result<FollowUp, StoreError> {
        let rows = self.query(
            "SELECT f.incident::text, f.step, f.due, f.done_at, f.outcome, f.done_by, f.note FROM recover.follow_ups f
             WHERE f.incident = $1::text::uuid AND f.step = $2",
            &vec![boxed(uid.to_owned()), boxed(step.to_owned())],
        )?;
        rows.first().map(super::rows::follow_up).ok_or_else(|| StoreError::NotFound(uid.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colliding_id_is_extended_from_the_uid_then_replaced_by_it() {
        let mut i = crate::store::conformance::sample_incident("3f2a9c1d-0000-4000-8000-000000000001");
        i.id = "K7Q-4MX".into();
        assert_eq!(
            candidate_ids(&i),
            ["K7Q-4MX", "K7Q-4MX-3F2A", "K7Q-4MX-3F2A9C1D", "3f2a9c1d-0000-4000-8000-000000000001"]
        );
    }
}
