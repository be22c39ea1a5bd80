//! What each incident adds up to, kept in its own row (schema migration 3,
//! `migrations/003_summaries.sql`), and the reads that use it: `report` over years adds
//! one narrow row per incident instead of rebuilding every incident from its steps and
//! follow-ups, and the `log` table reads the incidents table alone.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::query::condition;
use super::read::{load_incident, scan_on};
use super::rows::{bad, from_ms, money, ms, text, text_or_null};
use crate::engine::Status;
use crate::fx::FxBuild;
use crate::money::Money;
use crate::playbook::Severity;
use crate::store::{Filter, Listed};
use crate::tally::{Report, Spread, ranked};

use crate::store::Summary;

/// Writes an incident's summary into its row.
trait Write {
    fn write(&self, conn: &Connection, n: i64) -> rusqlite::Result<()>;
}

impl Write for Summary {
    fn write(&self, conn: &Connection, n: i64) -> rusqlite::Result<()> {
        conn.prepare_cached(
            "UPDATE incidents SET amends_total = ?2, amends_approved = ?3, apology_s = ?4, fix_s = ?5,
                follow_ups_open = ?6, follow_ups_on_time = ?7, follow_ups_late = ?8,
                follow_ups_recovered = ?9, follow_ups_lost = ?10, clock_skew = ?11, amends_offered = ?12,
                amends_given = ?13, follow_ups_skipped = ?14, withheld_reasons = ?15 WHERE n = ?1",
        )?
        .execute(params![
            n,
            self.amends_total.to_string(),
            self.amends_approved.to_string(),
            self.apology_s,
            self.fix_s,
            self.open,
            self.on_time,
            self.late,
            self.recovered,
            self.lost,
            self.clock_skew,
            self.amends_offered,
            self.amends_given,
            self.follow_ups_skipped,
            (!self.withheld_reasons.is_empty()).then(|| self.withheld_reasons.join("\u{1f}"))
        ])?;
        Ok(())
    }
}

/// Works incident `n`'s summary out again from what is saved: every write to an incident
/// calls this inside its transaction, so the summary never disagrees with the incident.
pub(super) fn refresh_summary(conn: &Connection, n: i64) -> rusqlite::Result<()> {
    Summary::of(&load_incident(conn, n)?).write(conn, n)
}

/// Fills the summary columns of every incident already in the log (migration 3), reading
/// them in one pass.
pub(super) fn backfill(conn: &Connection) -> rusqlite::Result<()> {
    scan_on(conn, &Filter::default(), true, &mut |n, i| Summary::of(&i).write(conn, n).map(|()| true))
}

/// The report from the summary columns, read as one text per incident from the index
/// `incidents_report` (migration 12) and never from the incidents' wide rows: incidents
/// whose text before the timings is the same (most of them) are counted once per distinct
/// text, and only the two timings are kept per incident.
///
/// With `readers` (two of one snapshot, for a long period of a big log), each reads one
/// half of the period on its own core: over ten years of a million incidents the counting
/// of texts is most of the time, and it splits cleanly.
pub(super) fn report(
    conn: &Connection,
    readers: Option<[Connection; 2]>,
    since: Timestamp,
    now: Timestamp,
) -> rusqlite::Result<Report> {
    let since_ms = ms(since);
    let mut r = Report { since: Some(since), ..Report::default() };
    // The tally takes the currency of the first incident, oldest first.
    r.currency = conn
        .query_row(
            "SELECT currency FROM incidents WHERE started_at >= ?1 AND status <> 'abandoned'
             ORDER BY started_at, id LIMIT 1",
            [since_ms],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or_default();
    let scanned = match readers {
        None => scan_report(conn, since_ms, i64::MAX)?,
        Some([mine, theirs]) => {
            let middle = middle(conn, since_ms)?;
            std::thread::scope(|s| {
                let other = s.spawn(move || scan_report(&theirs, middle, i64::MAX));
                let mut scanned = scan_report(&mine, since_ms, middle)?;
                // A panic in the other reader is a bug; it is carried on, as on one thread.
                scanned.absorb(other.join().unwrap_or_else(|e| std::panic::resume_unwind(e))?);
                Ok::<_, rusqlite::Error>(scanned)
            })?
        }
    };
    let mut t = Totals { apology: scanned.apology, fix: scanned.fix, ..Totals::default() };
    let mut open = 0;
    for (common, n) in &scanned.shared {
        open += t.add(&mut r, common, *n)?;
    }
    let overdue: i64 = conn.query_row(
        "SELECT COUNT(*) FROM follow_ups f JOIN incidents i ON i.n = f.incident
         WHERE f.done_at IS NULL AND f.due < ?1 AND i.started_at >= ?2 AND i.status <> 'abandoned'",
        params![ms(now), since_ms],
        |row| row.get(0),
    )?;
    let overdue = usize::try_from(overdue).unwrap_or(0);
    r.follow_ups.overdue = overdue;
    r.follow_ups.open = open.saturating_sub(overdue);
    t.finish(&mut r)?;
    Ok(r)
}

/// What one reader of [`report`] finds: how many incidents share each text before the
/// timings, and the timings of those not abandoned.
#[derive(Default)]
struct Scanned {
    shared: Map<usize>,
    apology: Vec<i64>,
    fix: Vec<i64>,
}

impl Scanned {
    /// Adds what another reader found (the medians are taken of the whole, in any order).
    fn absorb(&mut self, other: Scanned) {
        for (common, n) in other.shared {
            *self.shared.entry(common).or_default() += n;
        }
        self.apology.extend(other.apology);
        self.fix.extend(other.fix);
    }
}

/// Where two readers of the incidents started since `since_ms` divide them: halfway in
/// time between the first and the last (two lookups in the index), so each reads its own
/// half of the index and neither walks the other's. A log's incidents come at a steady
/// rate on the whole; if they did not, the split is uneven, never wrong.
fn middle(conn: &Connection, since_ms: i64) -> rusqlite::Result<i64> {
    let (first, last): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT (SELECT min(started_at) FROM incidents WHERE started_at >= ?1),
                (SELECT max(started_at) FROM incidents WHERE started_at >= ?1)",
        [since_ms],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    Ok(match (first, last) {
        (Some(first), Some(last)) => first + (last - first) / 2,
        _ => since_ms,
    })
}

/// The report texts of the incidents started from `?1` until before `?2`.
const REPORT_ROWS: &str =
    "SELECT report_row FROM incidents INDEXED BY incidents_report WHERE started_at >= ?1 AND started_at < ?2";

/// Reads the report texts of the incidents started from `from_ms` until before `until_ms`
/// (`i64::MAX` for no end: a bound the index can stop at either way) on `conn`, from the
/// index alone.
fn scan_report(conn: &Connection, from_ms: i64, until_ms: i64) -> rusqlite::Result<Scanned> {
    let mut stmt = conn.prepare_cached(REPORT_ROWS)?;
    let mut rows = stmt.query([from_ms, until_ms])?;
    let mut s = Scanned::default();
    let mut read = 0;
    while let Some(row) = rows.next()? {
        read += 1;
        if read % crate::progress::STRIDE == 0 {
            crate::progress::advance(crate::progress::STRIDE as u64);
        }
        let text = row.get_ref(0)?.as_bytes()?;
        // The timings are a few bytes at the end: look from there.
        let cut = text.iter().rposition(|b| *b == b';').ok_or_else(|| broken_row(text))?;
        let (common, timings) = (&text[..cut], &text[cut + 1..]);
        update(&mut s.shared, common, |n| *n += 1);
        // An abandoned incident is counted as that alone, as the tally counts it.
        if !common.starts_with(ABANDONED) {
            let mut timings = timings.split(|b| *b == b',');
            s.apology.extend(timings.next().and_then(timing));
            s.fix.extend(timings.next().and_then(timing));
        }
    }
    Ok(s)
}

/// The error for a report text that is not as migration 12 writes it.
fn broken_row(text: &[u8]) -> rusqlite::Error {
    bad("report row", &String::from_utf8_lossy(text))
}

/// How the report text of an abandoned incident starts (its status comes first).
const ABANDONED: &[u8] = b"'abandoned',";

/// A number of the report text, or none for `NULL` (or anything else that is not one).
/// Read digit by digit: two per incident, where `str::parse` cost more than the rest of
/// reading the incident.
fn integer(bytes: &[u8]) -> Option<i64> {
    let (negative, digits) = match bytes.split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, bytes),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut n: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(d - b'0');
    }
    Some(if negative { -n } else { n })
}

/// A timing of the report text: seconds as a quoted literal (`'79'`), or none for `NULL`.
fn timing(literal: &[u8]) -> Option<i64> {
    integer(literal.strip_prefix(b"'")?.strip_suffix(b"'")?)
}

/// The values of a report text's shared part, in the order of migration 12: SQL literals
/// (`'text'` with quotes doubled, integers, `NULL` as `None`) joined by commas.
fn literals(text: &[u8]) -> rusqlite::Result<Vec<Option<Cow<'_, [u8]>>>> {
    let broken = || broken_row(text);
    let mut values = Vec::with_capacity(FIELDS);
    let mut rest = text;
    loop {
        let (value, after) = if let Some(quoted) = rest.strip_prefix(b"'") {
            // Borrowed as it stands unless a quote inside was doubled.
            let mut value: Cow<'_, [u8]> = Cow::Borrowed(&[]);
            let mut i = 0;
            loop {
                let q = memchr::memchr(b'\'', &quoted[i..]).ok_or_else(broken)? + i;
                let doubled = quoted.get(q + 1) == Some(&b'\'');
                if i == 0 && !doubled {
                    value = Cow::Borrowed(&quoted[..q]);
                } else {
                    value.to_mut().extend_from_slice(&quoted[i..q]);
                }
                if doubled {
                    value.to_mut().push(b'\'');
                    i = q + 2;
                } else {
                    break (Some(value), &quoted[q + 1..]);
                }
            }
        } else {
            let end = memchr::memchr(b',', rest).unwrap_or(rest.len());
            let word = &rest[..end];
            (if word == b"NULL" { None } else { Some(Cow::Borrowed(word)) }, &rest[end..])
        };
        values.push(value);
        match after.split_first() {
            None => break,
            Some((b',', more)) => rest = more,
            Some(_) => return Err(broken()),
        }
    }
    if values.len() == FIELDS { Ok(values) } else { Err(broken()) }
}

/// How many values the shared part of a report text holds.
const FIELDS: usize = 18;

/// Counts by a saved text, kept as bytes until the end (read without copying or checking).
type Map<V> = HashMap<Box<[u8]>, V, FxBuild>;

/// Changes the value for `key` (starting from the default): one lookup, and no copy of
/// the key, when it is there already, as it nearly always is.
fn update<V: Default>(map: &mut Map<V>, key: &[u8], change: impl FnOnce(&mut V)) {
    if let Some(v) = map.get_mut(key) {
        change(v);
    } else {
        change(map.entry(key.into()).or_default());
    }
}

fn name(bytes: &[u8]) -> rusqlite::Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| bad("text", &String::from_utf8_lossy(bytes)))
}

/// What [`report`] counts as it reads, turned into the report by [`Totals::finish`].
#[derive(Default)]
struct Totals {
    types: Map<Counted>,
    roles: Map<Counted>,
    severities: Map<usize>,
    unset: usize,
    approved: Map<usize>,
    servqual: Map<usize>,
    /// Withheld amends by why.
    withheld: Map<usize>,
    apology: Vec<i64>,
    fix: Vec<i64>,
}

/// Incidents (or roles) of one name: how many, how many of each amends total, and of
/// each failure point.
#[derive(Default)]
struct Counted {
    n: usize,
    amends: Map<usize>,
    points: Map<usize>,
}

impl Counted {
    /// Counts `times` incidents with these amends and failure point.
    fn add(&mut self, amends: &[u8], point: Option<&[u8]>, times: usize) {
        self.n += times;
        update(&mut self.amends, amends, |n| *n += times);
        if let Some(p) = point {
            update(&mut self.points, p, |n| *n += times);
        }
    }
}

/// Amounts (as saved) times how often each was counted, added exactly.
fn sum(amounts: &Map<usize>) -> rusqlite::Result<Money> {
    let mut total = Money::ZERO;
    for (amount, n) in amounts {
        total = total + std::iter::repeat_n(money(&name(amount)?)?, *n).sum();
    }
    Ok(total)
}

impl Totals {
    /// Counts `times` incidents whose report text's shared part is `common` into the
    /// report and these totals; returns their open follow-ups (overdue ones included).
    fn add(&mut self, r: &mut Report, common: &[u8], times: usize) -> rusqlite::Result<usize> {
        let v = literals(common)?;
        let text = |i: usize| v[i].as_deref().ok_or_else(|| broken_row(common));
        let count = |i: usize| -> usize {
            v[i].as_deref().and_then(integer).and_then(|n| usize::try_from(n).ok()).unwrap_or(0) * times
        };
        let status = text(0)?;
        if status == Status::Abandoned.key().as_bytes() {
            r.abandoned += times;
            return Ok(0);
        }
        let amends = text(4)?;
        update(&mut self.types, text(1)?, |c: &mut Counted| c.add(amends, v[6].as_deref(), times));
        update(&mut self.roles, text(3)?, |c: &mut Counted| c.add(amends, None, times));
        match v[2].as_deref() {
            Some(s) => update(&mut self.severities, s, |n| *n += times),
            None => self.unset += times,
        }
        if status == Status::InProgress.key().as_bytes() {
            r.in_progress += times;
        } else if status == Status::Incomplete.key().as_bytes() {
            r.incomplete += times;
        }
        let approved = text(5)?;
        if approved != b"0" {
            update(&mut self.approved, approved, |n| *n += times);
        }
        update(&mut self.servqual, text(7)?, |n| *n += times);
        if let Some(why) = v[8].as_deref() {
            for reason in why.split(|b| *b == 0x1f) {
                update(&mut self.withheld, reason, |n| *n += times);
            }
        }
        let f = &mut r.follow_ups;
        f.on_time += count(10);
        f.late += count(11);
        f.recovered += count(12);
        f.lost += count(13);
        if count(14) != 0 {
            r.clock_skew += times;
        }
        let (offered, given) = (count(15), count(16));
        r.amends_offered += offered;
        r.amends_given += given;
        r.amends_withheld += offered.saturating_sub(given);
        f.skipped += count(17);
        r.incidents += times;
        Ok(count(9))
    }

    fn finish(self, r: &mut Report) -> rusqlite::Result<()> {
        let mut why: BTreeMap<String, usize> = BTreeMap::new();
        for (reason, n) in &self.withheld {
            why.insert(name(reason)?, *n);
        }
        r.withheld_reasons = ranked(why);
        let mut points: BTreeMap<String, usize> = BTreeMap::new();
        for (kind, c) in &self.types {
            let kind = name(kind)?;
            let amends = sum(&c.amends)?;
            r.amends_total = r.amends_total + amends;
            r.amends_by_type.insert(kind.clone(), amends);
            r.by_type.insert(kind.clone(), c.n);
            for (p, n) in &c.points {
                *points.entry(format!("{kind}: {}", name(p)?)).or_default() += n;
            }
        }
        for (role, c) in &self.roles {
            r.amends_by_role.insert(name(role)?, sum(&c.amends)?);
        }
        if self.unset > 0 {
            r.by_severity.insert("unset".to_owned(), self.unset);
        }
        for (severity, n) in &self.severities {
            let s = name(severity)?;
            let label = Severity::from_key(&s).ok_or_else(|| bad("severity", &s))?.to_string();
            *r.by_severity.entry(label).or_default() += n;
        }
        for (amount, n) in &self.approved {
            let m = money(&name(amount)?)?;
            if m > Money::ZERO {
                r.amends_approved = r.amends_approved + std::iter::repeat_n(m, *n).sum();
                r.incidents_needing_approval += n;
            }
        }
        let mut dimensions: BTreeMap<String, usize> = BTreeMap::new();
        for (list, n) in &self.servqual {
            for d in name(list)?.split(',').filter_map(crate::playbook::Servqual::from_key) {
                *dimensions.entry(d.key().to_owned()).or_default() += n;
            }
        }
        r.failure_points = ranked(points);
        r.servqual = ranked(dimensions);
        r.time_to_apology = Spread::of(self.apology);
        r.time_to_fix = Spread::of(self.fix);
        Ok(())
    }
}

/// What the `log` table shows of the incidents matching `filter`, newest first, read from
/// the incidents table alone; `visit` returns false to stop.
pub(super) fn scan_listed(
    conn: &Connection,
    filter: &Filter,
    visit: &mut dyn FnMut(Listed) -> bool,
) -> rusqlite::Result<()> {
    let (wanted, args) = condition(filter);
    let mut stmt = conn.prepare(&format!(
        "SELECT i.id, i.started_at, i.type, i.severity, i.staff, i.ref, i.status, i.currency,
            i.amends_total, i.follow_ups_open, i.failure_point
         FROM incidents i WHERE {wanted} ORDER BY i.started_at DESC, i.id DESC"
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
    while let Some(row) = rows.next()? {
        if !visit(listed(row)?) {
            break;
        }
    }
    Ok(())
}

fn listed(r: &Row) -> rusqlite::Result<Listed> {
    let severity = text_or_null(r, 3)?;
    let status = text(r, 6)?;
    Ok(Listed {
        id: r.get(0)?,
        started_at: from_ms(r.get(1)?)?,
        kind: r.get(2)?,
        severity: severity.map(|s| Severity::from_key(s).ok_or_else(|| bad("severity", s))).transpose()?,
        staff: r.get(4)?,
        reference: r.get(5)?,
        status: Status::from_key(status).ok_or_else(|| bad("status", status))?,
        currency: r.get(7)?,
        amends_total: money(text(r, 8)?)?,
        open_follow_ups: usize::try_from(r.get::<_, i64>(9)?).unwrap_or(0),
        failure_point: r.get(10)?,
    })
}

#[cfg(test)]
mod tests;
