//! Writes: new incidents with fresh short ids, the events of an answer, follow-ups.

use std::path::Path;

use rusqlite::{OptionalExtension, Transaction, params};

use super::error::At;
use super::rows::{follow_up_row, ms};
use crate::engine::{Event, FollowUp, FollowUpOutcome, Incident, Outcome, StepRecord};
use crate::playbook::Severity;
use crate::store::{Closing, StoreError};

/// Characters of short ids: no 0/O, 1/I/L, so they can be read aloud and typed back.
const ID_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

fn short_id() -> String {
    let bytes = *uuid::Uuid::new_v4().as_bytes();
    let n = ID_ALPHABET.len();
    let chars: Vec<char> = bytes[..6].iter().map(|b| ID_ALPHABET[usize::from(*b) % n] as char).collect();
    format!("{}{}{}-{}{}{}", chars[0], chars[1], chars[2], chars[3], chars[4], chars[5])
}

/// Saves a new incident's own row; returns its integer key.
pub(super) fn insert_incident(tx: &Transaction, incident: &Incident, id: &str) -> rusqlite::Result<i64> {
    insert_incident_unless_known(tx, incident, id, false)?.ok_or(rusqlite::Error::StatementChangedRows(0))
}

/// Saves a new incident's own row, or nothing when `unless_known` and its global id or
/// short id is in the log already (`None`): one statement for the usual case of an import.
pub(super) fn insert_incident_unless_known(
    tx: &Transaction,
    incident: &Incident,
    id: &str,
    unless_known: bool,
) -> rusqlite::Result<Option<i64>> {
    let servqual: Vec<&str> = incident.servqual.iter().map(|s| s.key()).collect();
    let sql = if unless_known {
        "INSERT INTO incidents (uid, id, type, severity, staff, role, ref, started_at, finished_at, status,
            currency, role_limit, failure_answered, failure_point, failure_note, servqual)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) ON CONFLICT DO NOTHING"
    } else {
        "INSERT INTO incidents (uid, id, type, severity, staff, role, ref, started_at, finished_at, status,
            currency, role_limit, failure_answered, failure_point, failure_note, servqual)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    };
    let inserted = tx.prepare_cached(sql)?.execute(params![
        incident.uid,
        id,
        incident.kind,
        incident.severity.map(Severity::key),
        incident.staff,
        incident.role,
        incident.reference,
        ms(incident.started_at),
        incident.finished_at.map(ms),
        incident.status.key(),
        incident.currency,
        incident.limit.to_string(),
        incident.failure_answered,
        incident.failure_point,
        incident.failure_note,
        servqual.join(","),
    ])?;
    Ok((inserted == 1).then(|| tx.last_insert_rowid()))
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
    match seq {
        Some(seq) => tx
            .prepare_cached(
                "INSERT INTO steps (incident, step, phase, outcome, at, choice, note, reason, cost, approved_by, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
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
                i64::try_from(seq).unwrap_or(i64::MAX)
            ])?,
        None => tx
            .prepare_cached(
                "INSERT INTO steps (incident, step, phase, outcome, at, choice, note, reason, cost, approved_by, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, (SELECT COUNT(*) FROM steps WHERE incident = ?1))",
            )?
            .execute(params![n, s.id, phase, outcome, at, s.choice, s.note, s.reason, cost, s.approved_by])?,
    };
    Ok(())
}

pub(super) fn write_event(tx: &Transaction, n: i64, event: &Event) -> rusqlite::Result<()> {
    match event {
        Event::Severity(s) => {
            tx.prepare_cached("UPDATE incidents SET severity = ?2 WHERE n = ?1")?
                .execute(params![n, s.key()])?;
        }
        Event::Step(s) => insert_step(tx, n, None, s)?,
        Event::FollowUpScheduled(f) => write_follow_up(tx, n, f)?,
        Event::FailurePoint { point, note } => {
            tx.prepare_cached(
                "UPDATE incidents SET failure_answered = 1, failure_point = ?2, failure_note = ?3 WHERE n = ?1",
            )?
            .execute(params![n, point, note])?;
        }
        Event::Finished { status, at } => {
            tx.prepare_cached("UPDATE incidents SET status = ?2, finished_at = ?3 WHERE n = ?1")?
                .execute(params![n, status.key(), ms(*at)])?;
        }
    }
    Ok(())
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

/// Closes follow-up `step` of incident `n` inside `tx`: the check and the change in one
/// write transaction, so of two terminals closing the same follow-up at once, the second
/// waits for the first, then sees who closed it.
pub(super) fn close_follow_up(
    tx: &Transaction,
    path: &Path,
    n: i64,
    step: &str,
    closing: &Closing,
) -> Result<(), StoreError> {
    let (short, follow_ups) = tx
        .query_row("SELECT id FROM incidents WHERE n = ?1", [n], |r| r.get::<_, String>(0))
        .and_then(|short| {
            let mut stmt = tx.prepare_cached(concat!(
                "SELECT ",
                follow_up_columns!(),
                " FROM follow_ups f WHERE f.incident = ?1 ORDER BY f.due, f.step"
            ))?;
            let all: Vec<FollowUp> =
                stmt.query_map([n], |r| follow_up_row(r, 0))?.collect::<Result<_, _>>()?;
            Ok((short, all))
        })
        .at(path)?;
    let Some(f) = follow_ups.iter().find(|f| f.step.eq_ignore_ascii_case(step.trim())) else {
        return Err(StoreError::NoSuchFollowUp {
            incident: short,
            step: step.to_owned(),
            known: if follow_ups.is_empty() {
                "none".to_owned()
            } else {
                follow_ups.iter().map(|f| f.step.as_str()).collect::<Vec<_>>().join(", ")
            },
        });
    };
    if let Some(at) = f.done_at {
        return Err(StoreError::AlreadyClosed {
            incident: short,
            step: f.step.clone(),
            at: at.to_string(),
            by: f.done_by.clone().unwrap_or_else(|| "someone".to_owned()),
        });
    }
    let changed = tx
        .execute(
            "UPDATE follow_ups SET done_at = ?3, outcome = ?4, done_by = ?5, note = ?6 WHERE incident = ?1 AND step = ?2 AND done_at IS NULL",
            params![n, f.step, ms(closing.at), closing.outcome.key(), closing.by, closing.note],
        )
        .at(path)?;
    if changed != 1 {
        // Cannot happen inside the transaction; never report a close that did not happen.
        return Err(StoreError::Database {
            path: path.to_path_buf(),
            why: format!("follow-up `{}` was not closed", f.step),
        });
    }
    Ok(())
}
