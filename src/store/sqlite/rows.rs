//! Rows to values: the columns each read takes, in one order, and how a row becomes an
//! [`Incident`], a [`StepRecord`] or a [`FollowUp`]. The macros come first so every
//! module of the store can name the same columns.

use jiff::Timestamp;
use rusqlite::Row;

use crate::engine::{FollowUp, FollowUpOutcome, Incident, Outcome, Status, StepRecord, apply_step};
use crate::money::Money;
use crate::playbook::{Phase, Servqual, Severity};

/// The columns [`incident_row`] reads, in its order, from `incidents i`.
macro_rules! incident_columns {
    () => {
        "i.n, i.uid, i.id, i.type, i.severity, i.staff, i.role, i.ref, i.started_at, i.finished_at, \
         i.status, i.currency, i.role_limit, i.failure_answered, i.failure_point, i.failure_note, i.servqual, \
         i.abandoned_by, i.abandon_reason, i.approver_role, i.guest"
    };
}

/// The columns [`step_row`] reads, in its order, from `steps s`.
macro_rules! step_columns {
    () => {
        "s.seq, s.phase, s.step, s.outcome, s.at, s.choice, s.note, s.reason, s.cost, s.approved_by, \
         s.completed_at, s.completed_by, s.completed_note"
    };
}

/// The columns [`follow_up_row`] reads, in its order, from `follow_ups f`.
macro_rules! follow_up_columns {
    () => {
        "f.step, f.due, f.done_at, f.outcome, f.done_by, f.note"
    };
}

pub(super) fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

/// How SQLite's `NOCASE` orders two texts (the short id's collation): ASCII letters
/// folded to lower case, bytes otherwise.
pub(super) fn nocase(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    a.iter().map(u8::to_ascii_lowercase).cmp(b.iter().map(u8::to_ascii_lowercase))
}

pub(super) fn from_ms(v: i64) -> rusqlite::Result<Timestamp> {
    Timestamp::from_millisecond(v).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Integer, Box::new(e))
    })
}

pub(super) fn bad(what: &str, v: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("bad {what} `{v}`").into(),
    )
}

pub(super) fn money(v: &str) -> rusqlite::Result<Money> {
    v.parse().map_err(|_| bad("amount", v))
}

/// The text in column `i` without copying it, for values that become enums.
pub(super) fn text<'r>(r: &'r Row, i: usize) -> rusqlite::Result<&'r str> {
    r.get_ref(i)?.as_str().map_err(Into::into)
}

/// Like [`text`], for a column that may be NULL.
pub(super) fn text_or_null<'r>(r: &'r Row, i: usize) -> rusqlite::Result<Option<&'r str>> {
    r.get_ref(i)?.as_str_or_null().map_err(Into::into)
}

/// An incident row (columns as [`incident_columns`]) with its integer key; its steps and
/// follow-ups are added by [`complete`].
pub(super) fn incident_row(r: &Row) -> rusqlite::Result<(i64, Incident)> {
    let severity = text_or_null(r, 4)?;
    let status = text(r, 10)?;
    let incident = Incident {
        id: r.get(2)?,
        uid: r.get(1)?,
        kind: r.get(3)?,
        severity: severity.map(|s| Severity::from_key(s).ok_or_else(|| bad("severity", s))).transpose()?,
        staff: r.get(5)?,
        role: r.get(6)?,
        reference: r.get(7)?,
        started_at: from_ms(r.get(8)?)?,
        finished_at: r.get::<_, Option<i64>>(9)?.map(from_ms).transpose()?,
        status: Status::from_key(status).ok_or_else(|| bad("status", status))?,
        steps: Vec::new(),
        amends_total: Money::ZERO,
        currency: r.get(11)?,
        limit: money(text(r, 12)?)?,
        failure_answered: r.get(13)?,
        failure_point: r.get(14)?,
        failure_note: r.get(15)?,
        servqual: text(r, 16)?.split(',').filter_map(Servqual::from_key).collect(),
        abandoned_by: r.get(17)?,
        abandon_reason: r.get(18)?,
        approver_role: r.get(19)?,
        guest: text_or_null(r, 20)?.and_then(crate::engine::GuestSide::from_json),
        follow_ups: Vec::new(),
    };
    Ok((r.get(0)?, incident))
}

/// A step (columns as [`step_columns`], from column `at`) with its place in the answers.
pub(super) fn step_row(r: &Row, at: usize) -> rusqlite::Result<(i64, StepRecord)> {
    let phase = text(r, at + 1)?;
    let outcome = text(r, at + 3)?;
    let cost = text_or_null(r, at + 8)?;
    let step = StepRecord {
        phase: Phase::from_key(phase).ok_or_else(|| bad("phase", phase))?,
        id: r.get(at + 2)?,
        outcome: match outcome {
            "done" => Outcome::Done,
            "skipped" => Outcome::Skipped,
            _ => return Err(bad("outcome", outcome)),
        },
        at: from_ms(r.get(at + 4)?)?,
        choice: r.get(at + 5)?,
        note: r.get(at + 6)?,
        reason: r.get(at + 7)?,
        cost: cost.map(money).transpose()?,
        approved_by: r.get(at + 9)?,
        completed_at: r.get::<_, Option<i64>>(at + 10)?.map(from_ms).transpose()?,
        completed_by: r.get(at + 11)?,
        completed_note: r.get(at + 12)?,
    };
    Ok((r.get(at)?, step))
}

/// A follow-up (columns as [`follow_up_columns`], from column `at`).
pub(super) fn follow_up_row(r: &Row, at: usize) -> rusqlite::Result<FollowUp> {
    Ok(FollowUp {
        step: r.get(at)?,
        due: from_ms(r.get(at + 1)?)?,
        done_at: r.get::<_, Option<i64>>(at + 2)?.map(from_ms).transpose()?,
        outcome: text_or_null(r, at + 3)?.and_then(FollowUpOutcome::from_key),
        done_by: r.get(at + 4)?,
        note: r.get(at + 5)?,
    })
}

/// Adds an incident's steps (in the order they were answered) and follow-ups (soonest
/// first), read in whatever order the tables keep them.
pub(super) fn complete(
    incident: &mut Incident,
    mut steps: Vec<(i64, StepRecord)>,
    mut follow_ups: Vec<FollowUp>,
) {
    steps.sort_by_key(|(seq, _)| *seq);
    incident.steps.reserve(steps.len());
    // The table's key keeps one row per step id, so each is new to the incident.
    for (_, step) in steps {
        apply_step(incident, step);
    }
    follow_ups.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.step.cmp(&b.step)));
    incident.follow_ups = follow_ups;
}

/// The rows of a child table (steps or follow-ups) joined to the incidents a scan reads,
/// in the same order: handed out incident by incident as the scan reaches each one.
pub(super) struct Children<'s, T> {
    rows: rusqlite::Rows<'s>,
    read: fn(&Row) -> rusqlite::Result<(i64, T)>,
    next: Option<(i64, T)>,
    started: bool,
}

impl<'s, T> Children<'s, T> {
    pub(super) fn new(rows: rusqlite::Rows<'s>, read: fn(&Row) -> rusqlite::Result<(i64, T)>) -> Self {
        Children { rows, read, next: None, started: false }
    }

    fn advance(&mut self) -> rusqlite::Result<()> {
        self.next = match self.rows.next()? {
            Some(row) => Some((self.read)(row)?),
            None => None,
        };
        Ok(())
    }

    /// The rows of incident `n`, the next one in the scan's order.
    pub(super) fn of(&mut self, n: i64) -> rusqlite::Result<Vec<T>> {
        if !self.started {
            // Started only once the scan has its first incident, so that all three
            // queries read in the one transaction the first one opened.
            self.started = true;
            self.advance()?;
        }
        let mut found = Vec::new();
        loop {
            match self.next.take() {
                Some((m, t)) if m == n => {
                    found.push(t);
                    self.advance()?;
                }
                other => {
                    self.next = other;
                    return Ok(found);
                }
            }
        }
    }
}

/// A step row joined to its incident: the incident's key, then [`step_columns`].
pub(super) fn joined_step(r: &Row) -> rusqlite::Result<(i64, (i64, StepRecord))> {
    Ok((r.get(0)?, step_row(r, 1)?))
}

/// A follow-up row joined to its incident: the incident's key, then [`follow_up_columns`].
pub(super) fn joined_follow_up(r: &Row) -> rusqlite::Result<(i64, FollowUp)> {
    Ok((r.get(0)?, follow_up_row(r, 1)?))
}
