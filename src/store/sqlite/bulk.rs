//! The writes of an import, for many incidents in one transaction: each new incident is
//! one row written with its summary (no second write of the row to add it), its steps
//! and follow-ups a few multi-row statements rather than one statement a row, every
//! statement prepared once for the transaction. Per statement, SQLite and rusqlite spend
//! about as much opening tables and binding as on the row itself; an incident with ten
//! steps took thirteen statements and now takes three or four.

use rusqlite::{Connection, Statement, ToSql};

use super::rows::ms;
use super::write::{OWN_COLUMN_COUNT, OWN_COLUMNS, OwnColumns, placeholders};
use crate::engine::{FollowUp, FollowUpOutcome, Incident, Outcome, StepRecord};
use crate::store::Summary;

/// Rows per multi-row statement: a list of any length is written with at most one
/// statement of each size (its binary digits), so there are few statements to prepare.
const STEP_ROWS: [usize; 5] = [16, 8, 4, 2, 1];
const FOLLOW_UP_ROWS: [usize; 3] = [4, 2, 1];

const STEP_COLUMNS: usize = 14;
const FOLLOW_UP_COLUMNS: usize = 7;

/// The prepared statements of one import transaction.
pub(super) struct Bulk<'c> {
    incident: Statement<'c>,
    steps: Vec<Statement<'c>>,
    follow_ups: Vec<Statement<'c>>,
}

/// `VALUES` for `rows` rows of `columns` parameters each, numbered from 1.
fn values(rows: usize, columns: usize) -> String {
    let row = |r: usize| {
        let params: Vec<String> = (1..=columns).map(|c| format!("?{}", r * columns + c)).collect();
        format!("({})", params.join(", "))
    };
    (0..rows).map(row).collect::<Vec<_>>().join(", ")
}

impl<'c> Bulk<'c> {
    pub(super) fn new(conn: &'c Connection) -> rusqlite::Result<Self> {
        let incident = conn.prepare(&format!(
            "INSERT INTO incidents ({OWN_COLUMNS},
                amends_total, amends_approved, apology_s, fix_s, follow_ups_open, follow_ups_on_time,
                follow_ups_late, follow_ups_recovered, follow_ups_lost, clock_skew, amends_offered,
                amends_given, follow_ups_skipped, withheld_reasons)
             VALUES ({}) ON CONFLICT DO NOTHING",
            placeholders(OWN_COLUMN_COUNT + 14)
        ))?;
        // `OR IGNORE`: a multi-row insert that might stop halfway on a constraint makes
        // SQLite copy every page it touches into a statement journal first, so it can
        // undo the rows before the one that failed (7% of an import's writing). These
        // rows cannot fail: they are a new incident's, whose step ids the engine has
        // checked are distinct (`validate`, run on every line just before it is written),
        // and no column is NULL that must not be.
        let steps = STEP_ROWS
            .iter()
            .map(|&rows| {
                conn.prepare(&format!(
                    "INSERT OR IGNORE INTO steps (incident, step, phase, outcome, at, choice, note, reason, cost,
                        approved_by, completed_at, completed_by, completed_note, seq)
                     VALUES {}",
                    values(rows, STEP_COLUMNS)
                ))
            })
            .collect::<rusqlite::Result<_>>()?;
        // As `write::write_follow_up`: a follow-up named twice is kept once, closed if
        // either says so.
        let follow_ups = FOLLOW_UP_ROWS
            .iter()
            .map(|&rows| {
                conn.prepare(&format!(
                    "INSERT INTO follow_ups (incident, step, due, done_at, outcome, done_by, note)
                     VALUES {}
                     ON CONFLICT (incident, step) DO UPDATE SET
                        done_at = COALESCE(follow_ups.done_at, excluded.done_at),
                        outcome = COALESCE(follow_ups.outcome, excluded.outcome),
                        done_by = COALESCE(follow_ups.done_by, excluded.done_by),
                        note = COALESCE(follow_ups.note, excluded.note)",
                    values(rows, FOLLOW_UP_COLUMNS)
                ))
            })
            .collect::<rusqlite::Result<_>>()?;
        Ok(Bulk { incident, steps, follow_ups })
    }

    /// Saves a new incident's own row with short id `id` and `summary` (the default, all
    /// zero, when it is to be worked out afterwards), or nothing when `unless_known` and
    /// its global id or short id is in the log already (`None`); gives its integer key.
    pub(super) fn insert_incident(
        &mut self,
        conn: &Connection,
        incident: &Incident,
        id: &str,
        summary: &Summary,
    ) -> rusqlite::Result<Option<i64>> {
        let withheld =
            (!summary.withheld_reasons.is_empty()).then(|| summary.withheld_reasons.join("\u{1f}"));
        let own = OwnColumns::of(incident, id);
        let (total, approved) = (summary.amends_total.to_string(), summary.amends_approved.to_string());
        let summary_columns: [&dyn rusqlite::ToSql; 14] = [
            &total,
            &approved,
            &summary.apology_s,
            &summary.fix_s,
            &summary.open,
            &summary.on_time,
            &summary.late,
            &summary.recovered,
            &summary.lost,
            &summary.clock_skew,
            &summary.amends_offered,
            &summary.amends_given,
            &summary.follow_ups_skipped,
            &withheld,
        ];
        let inserted = self
            .incident
            .execute(rusqlite::params_from_iter(own.params().into_iter().chain(summary_columns)))?;
        Ok((inserted == 1).then(|| conn.last_insert_rowid()))
    }
    /// Saves the steps of new incident `n`, in the order given.
    pub(super) fn insert_steps(&mut self, n: i64, steps: &[StepRecord]) -> rusqlite::Result<()> {
        let mut done = 0;
        for (stmt, &rows) in self.steps.iter_mut().zip(&STEP_ROWS) {
            while steps.len() - done >= rows {
                for r in 0..rows {
                    bind_step(stmt, r * STEP_COLUMNS, n, done + r, &steps[done + r])?;
                }
                stmt.raw_execute()?;
                done += rows;
            }
        }
        Ok(())
    }

    /// Saves the follow-ups of incident `n`.
    pub(super) fn write_follow_ups(&mut self, n: i64, follow_ups: &[FollowUp]) -> rusqlite::Result<()> {
        let mut rest = follow_ups;
        for (stmt, &rows) in self.follow_ups.iter_mut().zip(&FOLLOW_UP_ROWS) {
            while rest.len() >= rows {
                let (chunk, after) = rest.split_at(rows);
                for (r, f) in chunk.iter().enumerate() {
                    let at = r * FOLLOW_UP_COLUMNS;
                    let values: [&dyn ToSql; FOLLOW_UP_COLUMNS] = [
                        &n,
                        &f.step,
                        &ms(f.due),
                        &f.done_at.map(ms),
                        &f.outcome.map(FollowUpOutcome::key),
                        &f.done_by,
                        &f.note,
                    ];
                    for (c, v) in values.into_iter().enumerate() {
                        stmt.raw_bind_parameter(at + c + 1, v)?;
                    }
                }
                stmt.raw_execute()?;
                rest = after;
            }
        }
        Ok(())
    }
}

/// Binds step `s`, answered `seq`-th, of incident `n` from parameter `at + 1` on, in the
/// order of the steps' columns in [`Bulk::new`].
fn bind_step(stmt: &mut Statement, at: usize, n: i64, seq: usize, s: &StepRecord) -> rusqlite::Result<()> {
    let outcome = match s.outcome {
        Outcome::Done => "done",
        Outcome::Skipped => "skipped",
    };
    let cost = s.cost.map(|c| c.to_string());
    let values: [&dyn ToSql; STEP_COLUMNS] = [
        &n,
        &s.id,
        &s.phase.key(),
        &outcome,
        &ms(s.at),
        &s.choice,
        &s.note,
        &s.reason,
        &cost,
        &s.approved_by,
        &s.completed_at.map(ms),
        &s.completed_by,
        &s.completed_note,
        &i64::try_from(seq).unwrap_or(i64::MAX),
    ];
    for (c, v) in values.into_iter().enumerate() {
        stmt.raw_bind_parameter(at + c + 1, v)?;
    }
    Ok(())
}
