//! `export` and `log --json` written straight from the rows: one ordered pass over the
//! incidents, with their steps and follow-ups read side by side in the same order (as
//! [`super::scan_on`] reads them), each line written by [`crate::render::json`] into
//! buffers reused from line to line. No [`crate::engine::Incident`] is built and nothing
//! is allocated per incident; every value is still checked as building one would check it.

use std::fmt::Write as _;
use std::ops::Range;

use jiff::Timestamp;
use rusqlite::fallible_streaming_iterator::FallibleStreamingIterator;
use rusqlite::{Connection, Row, Rows};

use super::query::{Part, scan_statements};
use super::rows::{bad, from_ms, money, nocase, text, text_or_null};
use crate::engine::{FollowUpOutcome, Outcome, Status};
use crate::money::Money;
use crate::playbook::{Phase, Servqual, Severity};
use crate::render::json;
use crate::store::Filter;

/// Where an incident comes in the order of a scan: by start, then short id (as the id
/// column's `NOCASE` orders it), newest first the exact reverse.
#[derive(Clone, Copy, Debug)]
pub(super) struct Place<'a> {
    pub started_at: i64,
    pub id: &'a [u8],
}

impl Place<'_> {
    /// How `self` and `other` compare, oldest first.
    pub(super) fn cmp(&self, other: &Place) -> std::cmp::Ordering {
        self.started_at.cmp(&other.started_at).then_with(|| nocase(self.id, other.id))
    }
}

/// Hands the JSON line (newline included) of each incident matching `filter` (and `part`)
/// to `visit` with its place, in the order of the scan; `visit` returns false to stop;
/// `redact` leaves out refs and notes.
pub(super) fn scan_json(
    conn: &Connection,
    filter: &Filter,
    part: Option<Part>,
    oldest_first: bool,
    redact: bool,
    visit: &mut dyn FnMut(Place, &[u8]) -> bool,
) -> rusqlite::Result<()> {
    let ([incidents, steps, follow_ups], args) = scan_statements(filter, part, oldest_first);
    let mut incidents = conn.prepare(&incidents)?;
    let mut steps = conn.prepare(&steps)?;
    let mut follow_ups = conn.prepare(&follow_ups)?;
    let params = || rusqlite::params_from_iter(args.iter());
    let mut rows = incidents.query(params())?;
    let mut step_rows = steps.query(params())?;
    let mut follow_up_rows = follow_ups.query(params())?;
    let mut b = Buffers { redact, ..Buffers::default() };
    let mut started = false;
    // The incident key of each child statement's current row, read once per row.
    let (mut step_key, mut follow_up_key) = (None, None);
    while let Some(row) = rows.next()? {
        if !started {
            // Started only once the first incident is read, so that all three queries
            // read in the one transaction the first one opened.
            started = true;
            step_key = next_key(&mut step_rows)?;
            follow_up_key = next_key(&mut follow_up_rows)?;
        }
        let n: i64 = row.get(0)?;
        b.line.clear();
        b.head(row)?;
        b.steps(&mut step_rows, &mut step_key, n)?;
        b.tail(row)?;
        b.follow_ups(&mut follow_up_rows, &mut follow_up_key, n)?;
        json::end(&mut b.line);
        let place = Place { started_at: row.get(8)?, id: text(row, 2)?.as_bytes() };
        if !visit(place, &b.line) {
            break;
        }
    }
    Ok(())
}

/// Moves `rows` to its next row: the incident key of that row, `None` at the end.
fn next_key(rows: &mut Rows) -> rusqlite::Result<Option<i64>> {
    rows.advance()?;
    rows.get().map(|r| r.get(0)).transpose()
}

/// An amount as saved, ready to add up.
#[derive(Clone, Copy)]
enum Amount {
    /// A whole number, added as one.
    Whole(i64),
    /// Any other exact amount.
    Exact(Money),
}

/// A step written to [`Buffers::step_text`], to be put in the order it was answered.
struct StepSpan {
    seq: i64,
    text: Range<usize>,
    /// Its cost when done (what the amends total adds up).
    cost: Option<Amount>,
}

/// A follow-up written to [`Buffers::follow_up_text`], to be put soonest first.
struct FollowUpSpan {
    due: Timestamp,
    /// Its step id in [`Buffers::keys`], the tie-breaker.
    key: Range<usize>,
    text: Range<usize>,
}

/// What one line is put together in, reused for every line.
#[derive(Default)]
struct Buffers {
    redact: bool,
    line: Vec<u8>,
    step_text: Vec<u8>,
    step_spans: Vec<StepSpan>,
    follow_up_text: Vec<u8>,
    follow_up_spans: Vec<FollowUpSpan>,
    keys: Vec<u8>,
    servqual: Vec<Servqual>,
    /// An amount as [`Money`] displays it, when the saved text is written otherwise.
    amount: String,
    amends_total: String,
    /// The guest's side written again, when its saved text is not as written.
    guest: String,
}

impl Buffers {
    /// The incident's fields before its steps (columns as `incident_columns!`).
    fn head(&mut self, r: &Row) -> rusqlite::Result<()> {
        let severity = text_or_null(r, 4)?;
        let status = text(r, 10)?;
        let reference = text_or_null(r, 7)?;
        let reference = if self.redact { None } else { reference };
        json::head(
            &mut self.line,
            &json::Head {
                id: text(r, 2)?,
                uid: text(r, 1)?,
                kind: text(r, 3)?,
                severity: severity
                    .map(|s| Severity::from_key(s).ok_or_else(|| bad("severity", s)))
                    .transpose()?,
                staff: text(r, 5)?,
                role: text(r, 6)?,
                reference,
                started_at: from_ms(r.get(8)?)?,
                finished_at: r.get::<_, Option<i64>>(9)?.map(from_ms).transpose()?,
                status: Status::from_key(status).ok_or_else(|| bad("status", status))?,
            },
        );
        Ok(())
    }

    /// Incident `n`'s steps in the order they were answered, and its amends total.
    fn steps(&mut self, rows: &mut Rows, key: &mut Option<i64>, n: i64) -> rusqlite::Result<()> {
        self.step_text.clear();
        self.step_spans.clear();
        while *key == Some(n) {
            let Some(r) = rows.get() else { break };
            self.step(r)?;
            *key = next_key(rows)?;
        }
        self.step_spans.sort_by_key(|s| s.seq);
        for (k, s) in self.step_spans.iter().enumerate() {
            if k > 0 {
                self.line.push(b',');
            }
            self.line.extend_from_slice(&self.step_text[s.text.clone()]);
        }
        // Added as the engine adds them (`apply_step`): whole numbers as integers while
        // they fit, else exactly, in the order answered.
        let costs = self.step_spans.iter().filter_map(|s| s.cost);
        let whole = costs.clone().try_fold(0_i64, |sum, c| match c {
            Amount::Whole(v) => sum.checked_add(v),
            Amount::Exact(_) => None,
        });
        self.amends_total.clear();
        let _ = if let Some(sum) = whole {
            write!(self.amends_total, "{sum}")
        } else {
            let sum: Money = costs
                .map(|c| match c {
                    Amount::Whole(v) => Money::whole(v),
                    Amount::Exact(m) => m,
                })
                .sum();
            write!(self.amends_total, "{sum}")
        };
        Ok(())
    }

    /// One step row (the incident's key, then columns as `step_columns!`).
    fn step(&mut self, r: &Row) -> rusqlite::Result<()> {
        let phase = text(r, 2)?;
        let outcome = text(r, 4)?;
        let outcome = match outcome {
            "done" => Outcome::Done,
            "skipped" => Outcome::Skipped,
            _ => return Err(bad("outcome", outcome)),
        };
        let cost = text_or_null(r, 9)?;
        let (amount, shown) = match cost {
            Some(t) => {
                let (amount, as_saved) = amount(t, &mut self.amount)?;
                (Some(amount), Some(if as_saved { t } else { self.amount.as_str() }))
            }
            None => (None, None),
        };
        let (note, reason) = (text_or_null(r, 7)?, text_or_null(r, 8)?);
        let start = self.step_text.len();
        json::step(
            &mut self.step_text,
            &json::Step {
                phase: Phase::from_key(phase).ok_or_else(|| bad("phase", phase))?,
                id: text(r, 3)?,
                outcome,
                at: from_ms(r.get(5)?)?,
                choice: text_or_null(r, 6)?,
                note: if self.redact { None } else { note },
                reason: if self.redact { None } else { reason },
                cost: shown,
                approved_by: text_or_null(r, 10)?,
                completed_at: r.get::<_, Option<i64>>(11)?.map(from_ms).transpose()?,
                completed_by: text_or_null(r, 12)?,
                completed_note: if self.redact { None } else { text_or_null(r, 13)? },
            },
        );
        self.step_spans.push(StepSpan {
            seq: r.get(1)?,
            text: start..self.step_text.len(),
            cost: amount.filter(|_| outcome == Outcome::Done),
        });
        Ok(())
    }

    /// The incident's fields after its steps, up to its follow-ups.
    fn tail(&mut self, r: &Row) -> rusqlite::Result<()> {
        let limit = text(r, 12)?;
        let (_, as_saved) = amount(limit, &mut self.amount)?;
        self.servqual.clear();
        self.servqual.extend(text(r, 16)?.split(',').filter_map(Servqual::from_key));
        let note = text_or_null(r, 15)?;
        // Copied as saved when it is exactly what reading and writing it again would give
        // (as `recover` saves it): parsing it with serde took a quarter of an export.
        let guest = match text_or_null(r, 20)? {
            None => None,
            Some(t) if as_written(t) => Some(t),
            Some(t) => crate::engine::GuestSide::from_json(t).map(|g| {
                self.guest = g.to_json();
                self.guest.as_str()
            }),
        };
        json::tail(
            &mut self.line,
            &json::Tail {
                amends_total: &self.amends_total,
                currency: text(r, 11)?,
                limit: if as_saved { limit } else { &self.amount },
                approver_role: text_or_null(r, 19)?,
                failure_point: text_or_null(r, 14)?,
                failure_note: if self.redact { None } else { note },
                failure_answered: r.get(13)?,
                abandoned_by: text_or_null(r, 17)?,
                abandon_reason: if self.redact { None } else { text_or_null(r, 18)? },
                guest: guest.map(|g| (!self.redact).then_some(g)),
                servqual: &self.servqual,
            },
        );
        Ok(())
    }

    /// Incident `n`'s follow-ups, soonest first (ties by step).
    fn follow_ups(&mut self, rows: &mut Rows, key: &mut Option<i64>, n: i64) -> rusqlite::Result<()> {
        self.follow_up_text.clear();
        self.follow_up_spans.clear();
        self.keys.clear();
        while *key == Some(n) {
            let Some(r) = rows.get() else { break };
            let step = text(r, 1)?;
            let due = from_ms(r.get(2)?)?;
            let note = text_or_null(r, 6)?;
            let step_key = self.keys.len()..self.keys.len() + step.len();
            self.keys.extend_from_slice(step.as_bytes());
            let start = self.follow_up_text.len();
            json::follow_up(
                &mut self.follow_up_text,
                &json::FollowUpLine {
                    step,
                    due,
                    done_at: r.get::<_, Option<i64>>(3)?.map(from_ms).transpose()?,
                    outcome: text_or_null(r, 4)?.and_then(FollowUpOutcome::from_key),
                    done_by: text_or_null(r, 5)?,
                    note: if self.redact { None } else { note },
                },
            );
            self.follow_up_spans.push(FollowUpSpan {
                due,
                key: step_key,
                text: start..self.follow_up_text.len(),
            });
            *key = next_key(rows)?;
        }
        let keys = &self.keys;
        self.follow_up_spans
            .sort_by(|a, b| a.due.cmp(&b.due).then_with(|| keys[a.key.clone()].cmp(&keys[b.key.clone()])));
        for (k, f) in self.follow_up_spans.iter().enumerate() {
            if k > 0 {
                self.line.push(b',');
            }
            self.line.extend_from_slice(&self.follow_up_text[f.text.clone()]);
        }
        Ok(())
    }
}

/// The amount saved as `text`, and whether it is written as saved (true) or as
/// [`Money`] displays it, put in `shown` (false): checked like any amount read.
fn amount(text: &str, shown: &mut String) -> rusqlite::Result<(Amount, bool)> {
    match as_displayed(text) {
        Saved::Whole(v) => Ok((Amount::Whole(v), true)),
        Saved::Decimal => Ok((Amount::Exact(money(text)?), true)),
        Saved::Otherwise => {
            let m = money(text)?;
            shown.clear();
            let _ = write!(shown, "{m}");
            Ok((Amount::Exact(m), false))
        }
    }
}

/// How an amount is saved.
#[derive(Debug, PartialEq)]
enum Saved {
    /// As [`Money`] displays the whole number it is.
    Whole(i64),
    /// As [`Money`] displays it, with decimals.
    Decimal,
    /// Otherwise (or not an amount): to be read and displayed again.
    Otherwise,
}

/// Whether `text` is exactly how [`Money`] displays the amount it holds (as every amount
/// `recover` saves is), kept well inside what a decimal holds so that reading could not
/// round.
fn as_displayed(text: &str) -> Saved {
    let b = text.as_bytes();
    let digits = b.strip_prefix(b"-").unwrap_or(b);
    let negative = digits.len() != b.len();
    let (whole, fraction) = match digits.iter().position(|&c| c == b'.') {
        Some(p) => (&digits[..p], Some(&digits[p + 1..])),
        None => (digits, None),
    };
    if whole.is_empty()
        || whole.len() > 15
        || !whole.iter().all(u8::is_ascii_digit)
        || (whole[0] == b'0' && whole.len() > 1)
    {
        return Saved::Otherwise;
    }
    match fraction {
        None => {
            let v = whole.iter().fold(0_i64, |v, d| v * 10 + i64::from(d - b'0'));
            // `-0` displays as `0`.
            if negative && v == 0 { Saved::Otherwise } else { Saved::Whole(if negative { -v } else { v }) }
        }
        Some(f) => {
            let shown = f.len() <= 8
                && f.iter().all(u8::is_ascii_digit)
                && ((f.len() == 2 && f != b"00") || (f.len() >= 3 && f.last() != Some(&b'0')));
            if shown { Saved::Decimal } else { Saved::Otherwise }
        }
    }
}

/// Whether `text` is a guest's side exactly as [`crate::engine::GuestSide::to_json`] writes
/// one: `{"words":…,"satisfied":…,"contact":…,"consent":…}` with strings free of escapes
/// (any other text is read and written again, or left out when it is not one).
fn as_written(text: &str) -> bool {
    /// `null`, or a JSON string with no backslash or control character, at the start of `t`:
    /// what follows it.
    fn plain_or_null(t: &[u8]) -> Option<&[u8]> {
        if let Some(rest) = t.strip_prefix(b"null") {
            return Some(rest);
        }
        let body = t.strip_prefix(b"\"")?;
        let end = body.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        (body[end] == b'"').then(|| &body[end + 1..])
    }
    let t = text.as_bytes();
    let Some(t) = t.strip_prefix(b"{\"words\":").and_then(plain_or_null) else { return false };
    let Some(t) = t.strip_prefix(b",\"satisfied\":") else { return false };
    let Some(t) =
        [&b"null"[..], b"\"yes\"", b"\"partly\"", b"\"no\""].into_iter().find_map(|v| t.strip_prefix(v))
    else {
        return false;
    };
    let Some(t) = t.strip_prefix(b",\"contact\":").and_then(plain_or_null) else { return false };
    matches!(t, b",\"consent\":true}" | b",\"consent\":false}")
}

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
