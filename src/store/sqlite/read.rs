//! Reads: one incident, scans of many (three queries side by side, however many match),
//! counts and the open follow-ups.

use std::ops::Range;

use jiff::Timestamp;
use rusqlite::types::{FromSqlError, Type, ValueRef};
use rusqlite::{Connection, OptionalExtension, Row};

use super::query::{DUE_STATEMENT, condition, scan_statements};
use super::rows::{
    Children, complete, follow_up_row, from_ms, incident_row, joined_follow_up, joined_step, ms, nocase,
    step_row,
};
use crate::engine::{FollowUp, Incident, StepRecord};
use crate::store::{DueRef, Filter};

/// One incident by its integer key, with its steps and follow-ups.
pub(super) fn load_incident(conn: &Connection, n: i64) -> rusqlite::Result<Incident> {
    let (_, mut incident) = conn
        .prepare_cached(concat!("SELECT ", incident_columns!(), " FROM incidents i WHERE i.n = ?1"))?
        .query_row([n], incident_row)?;
    let steps: Vec<(i64, StepRecord)> = conn
        .prepare_cached(concat!("SELECT ", step_columns!(), " FROM steps s WHERE s.incident = ?1"))?
        .query_map([n], |r| step_row(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    let follow_ups: Vec<FollowUp> = conn
        .prepare_cached(concat!("SELECT ", follow_up_columns!(), " FROM follow_ups f WHERE f.incident = ?1"))?
        .query_map([n], |r| follow_up_row(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    complete(&mut incident, steps, follow_ups);
    Ok(incident)
}

/// Hands each incident matching `filter` with its integer key to `visit` (which returns
/// false to stop): three queries however many incidents match, the incidents and their
/// steps and follow-ups joined to them in the same order, read side by side.
pub(super) fn scan_on(
    conn: &Connection,
    filter: &Filter,
    oldest_first: bool,
    visit: &mut dyn FnMut(i64, Incident) -> rusqlite::Result<bool>,
) -> rusqlite::Result<()> {
    let ([incidents, steps, follow_ups], args) = scan_statements(filter, None, oldest_first);
    let mut incidents = conn.prepare(&incidents)?;
    let mut steps = conn.prepare(&steps)?;
    let mut follow_ups = conn.prepare(&follow_ups)?;
    let params = || rusqlite::params_from_iter(args.iter());
    let mut rows = incidents.query(params())?;
    let mut steps = Children::new(steps.query(params())?, joined_step);
    let mut follow_ups = Children::new(follow_ups.query(params())?, joined_follow_up);
    while let Some(row) = rows.next()? {
        let (n, mut incident) = incident_row(row)?;
        complete(&mut incident, steps.of(n)?, follow_ups.of(n)?);
        if !visit(n, incident)? {
            break;
        }
    }
    Ok(())
}

/// The integer key of the incident with this short id (any case) or global id.
pub(super) fn key_of(conn: &Connection, id: &str) -> rusqlite::Result<Option<i64>> {
    // `id` compares without case through its own index; `uid` has its own too.
    conn.prepare_cached("SELECT n FROM incidents WHERE id = ?1 OR uid = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()
}

/// The key of the newest unfinished incident, for `resume` without an id.
pub(super) fn latest_unfinished(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT n FROM incidents WHERE status = 'in_progress' ORDER BY started_at DESC LIMIT 1",
        [],
        |r| r.get(0),
    )
    .optional()
}

/// How many incidents match `filter`, counting no further than `cap` if given.
pub(super) fn count(conn: &Connection, filter: &Filter, cap: Option<usize>) -> rusqlite::Result<usize> {
    let (condition_sql, args) = condition(filter);
    let sql = match cap {
        None => format!("SELECT COUNT(*) FROM incidents i WHERE {condition_sql}"),
        Some(cap) => format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM incidents i WHERE {condition_sql} LIMIT {})",
            i64::try_from(cap).unwrap_or(i64::MAX)
        ),
    };
    let n: i64 = conn.prepare(&sql)?.query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Where one open follow-up's texts lie in the text [`due_with`] copies them into.
struct Held {
    incident: Range<usize>,
    kind: Range<usize>,
    reference: Option<Range<usize>>,
    step: Range<usize>,
    due: Timestamp,
    staff: Range<usize>,
    uid: Range<usize>,
}

impl Held {
    /// Each text's place with its column in [`DUE_STATEMENT`].
    fn texts(&self) -> impl Iterator<Item = (usize, &Range<usize>)> {
        [(0, &self.incident), (1, &self.kind)]
            .into_iter()
            .chain(self.reference.as_ref().map(|r| (2, r)))
            .chain([(3, &self.step), (5, &self.staff), (6, &self.uid)])
    }
}

/// Copies column `i` of `r`, a text or NULL, onto the end of `bytes`; says where it lies.
/// Checked as UTF-8 with the rest once all are copied (see [`due_with`]).
fn copy_text(r: &Row, i: usize, bytes: &mut Vec<u8>) -> rusqlite::Result<Option<Range<usize>>> {
    match r.get_ref(i)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(v) => {
            bytes.extend_from_slice(v);
            Ok(Some(bytes.len() - v.len()..bytes.len()))
        }
        other => Err(rusqlite::Error::InvalidColumnType(i, column_name(r, i), other.data_type())),
    }
}

fn column_name(r: &Row, i: usize) -> String {
    r.as_ref().column_name(i).map(str::to_owned).unwrap_or_default()
}

/// The texts `held` places in `bytes` as one string, if each of them is UTF-8 (one pass
/// over all of them, not one a text); otherwise the first that is not, by its column, as
/// rusqlite would have said it reading that column alone (a hand-edited log).
fn as_text(bytes: Vec<u8>, held: &[Held]) -> rusqlite::Result<String> {
    let bytes = match String::from_utf8(bytes) {
        // A text ending inside a character is no text, though all together are UTF-8.
        Ok(text) => {
            let whole = |(_, r): (usize, &Range<usize>)| {
                text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
            };
            if held.iter().all(|h| h.texts().all(whole)) {
                return Ok(text);
            }
            text.into_bytes()
        }
        Err(e) => e.into_bytes(),
    };
    let bad = held.iter().flat_map(Held::texts).find_map(|(i, r)| {
        let piece = bytes.get(r.clone()).unwrap_or_default();
        std::str::from_utf8(piece).err().map(|e| (i, e))
    });
    Err(match bad {
        Some((i, e)) => rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)),
        None => rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(FromSqlError::InvalidType)),
    })
}

/// Open follow-ups due before `until`, soonest first, then by id (as the id column
/// compares ids) and step, handed to `read` at once. Their texts are copied into one
/// string as SQLite gives them, not into six strings a row.
pub(super) fn due_with(
    conn: &Connection,
    until: Timestamp,
    read: &mut dyn FnMut(&[DueRef<'_>]),
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(DUE_STATEMENT)?;
    let mut rows = stmt.query([ms(until)])?;
    let mut text = Vec::new();
    let mut held = Vec::new();
    while let Some(r) = rows.next()? {
        // Every column but the reference is NOT NULL in the schema.
        let required = |i: usize, text: &mut Vec<u8>| {
            copy_text(r, i, text)?
                .ok_or_else(|| rusqlite::Error::InvalidColumnType(i, column_name(r, i), Type::Null))
        };
        held.push(Held {
            incident: required(0, &mut text)?,
            kind: required(1, &mut text)?,
            reference: copy_text(r, 2, &mut text)?,
            step: required(3, &mut text)?,
            due: from_ms(r.get(4)?)?,
            staff: required(5, &mut text)?,
            uid: required(6, &mut text)?,
        });
    }
    let text = as_text(text, &held)?;
    let at = |range: &Range<usize>| text.get(range.clone()).unwrap_or("");
    let mut due: Vec<DueRef<'_>> = held
        .iter()
        .map(|h| DueRef {
            incident: at(&h.incident),
            uid: at(&h.uid),
            kind: at(&h.kind),
            reference: h.reference.as_ref().map(at),
            step: at(&h.step),
            due: h.due,
            staff: at(&h.staff),
            site: None,
        })
        .collect();
    // Its memory serves what `read` allocates next (a list's table needs as much again).
    drop(held);
    // The open follow-ups' index gives them by due time; ties are put in order here
    // rather than by SQLite's sorter, which would start over for every due time.
    due.sort_by(|a, b| {
        a.due
            .cmp(&b.due)
            .then_with(|| nocase(a.incident.as_bytes(), b.incident.as_bytes()))
            .then_with(|| a.step.cmp(b.step))
    });
    read(&due);
    Ok(())
}
