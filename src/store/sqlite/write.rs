//! Writes: new incidents with fresh short ids, the events of an answer, follow-ups.

use rusqlite::{OptionalExtension, Transaction, params};

use super::rows::ms;
use crate::engine::{Event, FollowUp, FollowUpOutcome, Incident, Outcome, StepRecord};
use crate::playbook::Severity;

/// Characters of short ids: no 0/O, 1/I/L, so they can be read aloud and typed back.
const ID_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A new short id: six characters from [`ID_ALPHABET`], read aloud in two groups.
pub(crate) fn short_id() -> String {
    let bytes = *uuid::Uuid::new_v4().as_bytes();
    let n = ID_ALPHABET.len();
    let chars: Vec<char> = bytes[..6].iter().map(|b| ID_ALPHABET[usize::from(*b) % n] as char).collect();
    format!("{}{}{}-{}{}{}", chars[0], chars[1], chars[2], chars[3], chars[4], chars[5])
}

/// The incident's own columns, in the order of [`OwnColumns::params`]: one list for a new
/// incident's row and an import's (which adds its summary after them).
pub(super) const OWN_COLUMNS: &str = "uid, id, type, severity, staff, role, ref, started_at, finished_at, status,
    currency, role_limit, failure_answered, failure_point, failure_note, servqual, abandoned_by, abandon_reason,
    approver_role, guest";

/// How many [`OWN_COLUMNS`] there are.
pub(super) const OWN_COLUMN_COUNT: usize = 20;

/// The values of an incident's own columns that are made, not borrowed, for one INSERT.
pub(super) struct OwnColumns<'i> {
    incident: &'i Incident,
    id: &'i str,
    severity: Option<&'static str>,
    status: &'static str,
    started_at: i64,
    finished_at: Option<i64>,
    limit: String,
    servqual: String,
    guest: Option<String>,
}

impl<'i> OwnColumns<'i> {
    /// `incident`'s own columns, under short id `id`.
    pub(super) fn of(incident: &'i Incident, id: &'i str) -> Self {
        let servqual: Vec<&str> = incident.servqual.iter().map(|s| s.key()).collect();
        OwnColumns {
            incident,
            id,
            severity: incident.severity.map(Severity::key),
            status: incident.status.key(),
            started_at: ms(incident.started_at),
            finished_at: incident.finished_at.map(ms),
            limit: incident.limit.to_string(),
            servqual: servqual.join(","),
            guest: incident.guest.as_ref().map(crate::engine::GuestSide::to_json),
        }
    }

    /// The values, in the order of [`OWN_COLUMNS`].
    pub(super) fn params(&self) -> [&dyn rusqlite::ToSql; OWN_COLUMN_COUNT] {
        let i = self.incident;
        [
            &i.uid,
            &self.id,
            &i.kind,
            &self.severity,
            &i.staff,
            &i.role,
            &i.reference,
            &self.started_at,
            &self.finished_at,
            &self.status,
            &i.currency,
            &self.limit,
            &i.failure_answered,
            &i.failure_point,
            &i.failure_note,
            &self.servqual,
            &i.abandoned_by,
            &i.abandon_reason,
            &i.approver_role,
            &self.guest,
        ]
    }
}

/// `?1, ?2, ... ?count`.
pub(super) fn placeholders(count: usize) -> String {
    (1..=count).map(|k| format!("?{k}")).collect::<Vec<_>>().join(", ")
}

/// Saves a new incident's own row; returns its integer key. (An import writes its rows
/// through [`super::bulk::Bulk`], with their summaries.)
pub(super) fn insert_incident(tx: &Transaction, incident: &Incident, id: &str) -> rusqlite::Result<i64> {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("INSERT INTO incidents ({OWN_COLUMNS}) VALUES ({})", placeholders(OWN_COLUMN_COUNT))
    });
    let own = OwnColumns::of(incident, id);
    let inserted = tx.prepare_cached(&SQL)?.execute(&own.params()[..])?;
    if inserted == 1 {
        Ok(tx.last_insert_rowid())
    } else {
        Err(rusqlite::Error::StatementChangedRows(inserted))
    }
}

/// The integer key of the incident with global id `uid`, if it is here.
pub(super) fn key_of_uid(tx: &Transaction, uid: &str) -> rusqlite::Result<Option<i64>> {
    tx.prepare_cached("SELECT n FROM incidents WHERE uid = ?1")?.query_row([uid], |r| r.get(0)).optional()
}

/// Saves step `s` of incident `n` as its `seq`-th answer (`None`: after those saved).
pub(super) fn insert_step(
    tx: &Transaction,
    n: i64,
    seq: Option<usize>,
    s: &StepRecord,
) -> rusqlite::Result<()> {
    let outcome = match s.outcome {
        Outcome::Done => "done",
        Outcome::Skipped => "skipped",
    };
    let cost = s.cost.map(|c| c.to_string());
    let (phase, at) = (s.phase.key(), ms(s.at));
    // Its place in the order answered: given by an import, else after the steps already here.
    tx.prepare_cached(
        "INSERT INTO steps (incident, step, phase, outcome, at, choice, note, reason, cost, approved_by,
            completed_at, completed_by, completed_note, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
            COALESCE(?14, (SELECT COUNT(*) FROM steps WHERE incident = ?1)))",
    )?
    .execute(params![
        n,
        s.id,
        phase,
        outcome,
        at,
        s.choice,
        s.note,
        s.reason,
        cost,
        s.approved_by,
        s.completed_at.map(ms),
        s.completed_by,
        s.completed_note,
        seq.map(|seq| i64::try_from(seq).unwrap_or(i64::MAX))
    ])?;
    Ok(())
}

/// Saves one event of incident `n`. Every change is conditional on what the engine saw
/// when it decided (the question still open, the follow-up still open, the step still
/// skipped, the incident still in progress): `false` when that no longer held and nothing
/// was changed, which the caller reports as a conflict, never as a success.
pub(super) fn write_event(tx: &Transaction, n: i64, event: &Event) -> rusqlite::Result<bool> {
    let changed = match event {
        Event::Severity(s) => tx
            .prepare_cached("UPDATE incidents SET severity = ?2 WHERE n = ?1 AND severity IS NULL")?
            .execute(params![n, s.key()])?,
        Event::Step(s) => {
            insert_step(tx, n, None, s)?;
            1
        }
        Event::FollowUpScheduled(f) => {
            write_follow_up(tx, n, f)?;
            1
        }
        // The note said after a step's answer, which was saved first.
        Event::Note { step, note } => tx
            .prepare_cached("UPDATE steps SET note = ?3 WHERE incident = ?1 AND step = ?2")?
            .execute(params![n, step, note])?,
        Event::ApproverRole(role) => tx
            .prepare_cached("UPDATE incidents SET approver_role = ?2 WHERE n = ?1")?
            .execute(params![n, role])?,
        Event::FailurePoint { point, note } => tx
            .prepare_cached(
                "UPDATE incidents SET failure_answered = 1, failure_point = ?2, failure_note = ?3
                 WHERE n = ?1 AND failure_answered = 0",
            )?
            .execute(params![n, point, note])?,
        Event::Finished { status, at } => tx
            .prepare_cached("UPDATE incidents SET status = ?2, finished_at = ?3 WHERE n = ?1 AND status = 'in_progress'")?
            .execute(params![n, status.key(), ms(*at)])?,
        Event::FollowUpClosed { step, closing } => tx
            .prepare_cached(
                "UPDATE follow_ups SET done_at = ?3, outcome = ?4, done_by = ?5, note = ?6
                 WHERE incident = ?1 AND step = ?2 AND done_at IS NULL",
            )?
            .execute(params![n, step, ms(closing.at), closing.closes_as().key(), closing.by, closing.note])?,
        Event::StepCompleted { step, at, by, note } => tx
            .prepare_cached(
                "UPDATE steps SET completed_at = ?3, completed_by = ?4, completed_note = ?5
                 WHERE incident = ?1 AND step = ?2 AND outcome = 'skipped' AND completed_at IS NULL",
            )?
            .execute(params![n, step, ms(*at), by, note])?,
        Event::Guest(side) => tx
            .prepare_cached("UPDATE incidents SET guest = ?2 WHERE n = ?1 AND guest IS NULL")?
            .execute(params![n, side.to_json()])?,
        Event::NowComplete => tx
            .prepare_cached("UPDATE incidents SET status = 'complete' WHERE n = ?1 AND status = 'incomplete'")?
            .execute([n])?,
        Event::Abandoned { at, by, reason } => tx
            .prepare_cached(
                "UPDATE incidents SET status = 'abandoned', finished_at = ?2, abandoned_by = ?3, abandon_reason = ?4
                 WHERE n = ?1 AND status = 'in_progress'",
            )?
            .execute(params![n, ms(*at), by, reason])?,
    };
    Ok(changed == 1)
}

pub(super) fn write_follow_up(tx: &Transaction, n: i64, f: &FollowUp) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO follow_ups (incident, step, due, done_at, outcome, done_by, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (incident, step) DO UPDATE SET
            done_at = COALESCE(follow_ups.done_at, excluded.done_at),
            outcome = COALESCE(follow_ups.outcome, excluded.outcome),
            done_by = COALESCE(follow_ups.done_by, excluded.done_by),
            note = COALESCE(follow_ups.note, excluded.note)",
    )?
    .execute(params![n, f.step, ms(f.due), f.done_at.map(ms), f.outcome.map(FollowUpOutcome::key), f.done_by, f.note])?;
    Ok(())
}

pub(super) fn fresh_id(tx: &Transaction) -> rusqlite::Result<String> {
    let mut stmt = tx.prepare_cached("SELECT 1 FROM incidents WHERE id = ?1")?;
    loop {
        let id = short_id();
        if !stmt.exists([&id])? {
            return Ok(id);
        }
    }
}
