//! What each incident adds up to, kept in its own row (schema migration 3,
//! `migrations/003_summaries.sql`), and the reads that use it: `report` over years adds
//! one narrow row per incident instead of rebuilding every incident from its steps and
//! follow-ups, and the `log` table reads the incidents table alone.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::query::condition;
use super::read::{load_incident, scan_on};
use super::rows::{bad, from_ms, money, ms, text, text_or_null};
use crate::engine::Status;
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

/// The report from the summary columns: one narrow row per incident of the period, added
/// up here in one pass (counts per name, amounts per distinct text so sums stay exact).
pub(super) fn report(conn: &Connection, since: Timestamp, now: Timestamp) -> rusqlite::Result<Report> {
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
    // A period from before the first incident is the whole log: read the table straight
    // through rather than through the start index and a lookup per incident.
    let first: Option<i64> = conn.query_row("SELECT MIN(started_at) FROM incidents", [], |row| row.get(0))?;
    let whole = first.is_none_or(|first| since_ms <= first);
    let mut stmt = conn.prepare_cached(if whole {
        "SELECT type, severity, role, status, amends_total, amends_approved, apology_s, fix_s,
            follow_ups_open, follow_ups_on_time, follow_ups_late, follow_ups_recovered, follow_ups_lost,
            failure_point, servqual, clock_skew, n, amends_offered, amends_given, follow_ups_skipped,
            withheld_reasons
         FROM incidents NOT INDEXED WHERE ?1 IS NOT NULL"
    } else {
        "SELECT type, severity, role, status, amends_total, amends_approved, apology_s, fix_s,
            follow_ups_open, follow_ups_on_time, follow_ups_late, follow_ups_recovered, follow_ups_lost,
            failure_point, servqual, clock_skew, n, amends_offered, amends_given, follow_ups_skipped,
            withheld_reasons
         FROM incidents WHERE started_at >= ?1"
    })?;
    let mut rows = stmt.query([since_ms])?;
    let mut t = Totals::default();
    let mut open = 0;
    let f = &mut r.follow_ups;
    let mut read = 0;
    while let Some(row) = rows.next()? {
        read += 1;
        if read % crate::progress::STRIDE == 0 {
            crate::progress::advance(crate::progress::STRIDE as u64);
        }
        let bytes = |i: usize| row.get_ref(i).and_then(|v| v.as_bytes().map_err(Into::into));
        // An abandoned incident is counted as that alone, as the tally counts it.
        if bytes(3)? == b"abandoned" {
            r.abandoned += 1;
            continue;
        }
        let number = |i: usize| row.get_ref(i).and_then(|v| v.as_i64_or_null().map_err(Into::into));
        let count = |i: usize| -> rusqlite::Result<usize> {
            Ok(number(i)?.and_then(|n| usize::try_from(n).ok()).unwrap_or(0))
        };
        let (offered, given) = (count(17)?, count(18)?);
        r.amends_offered += offered;
        r.amends_given += given;
        r.amends_withheld += offered.saturating_sub(given);
        f.skipped += count(19)?;
        if let Some(why) = row.get_ref(20)?.as_bytes_or_null()? {
            for reason in why.split(|b| *b == 0x1f) {
                update(&mut t.withheld, reason, |n| *n += 1);
            }
        }
        let amends = bytes(4)?;
        let point = row.get_ref(13)?.as_bytes_or_null()?;
        update(&mut t.types, bytes(0)?, |c: &mut Counted| c.add(amends, point));
        update(&mut t.roles, bytes(2)?, |c: &mut Counted| c.add(amends, None));
        match row.get_ref(1)?.as_bytes_or_null()? {
            Some(s) => update(&mut t.severities, s, |n| *n += 1),
            None => t.unset += 1,
        }
        let status = bytes(3)?;
        if status == Status::InProgress.key().as_bytes() {
            r.in_progress += 1;
        } else if status == Status::Incomplete.key().as_bytes() {
            r.incomplete += 1;
        }
        let approved = bytes(5)?;
        if approved != b"0" {
            update(&mut t.approved, approved, |n| *n += 1);
        }
        t.apology.extend(number(6)?);
        t.fix.extend(number(7)?);
        open += count(8)?;
        f.on_time += count(9)?;
        f.late += count(10)?;
        f.recovered += count(11)?;
        f.lost += count(12)?;
        update(&mut t.servqual, bytes(14)?, |n| *n += 1);
        if number(15)?.unwrap_or(0) != 0 {
            r.clock_skew += 1;
        }
        r.incidents += 1;
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

/// FNV-1a, for the maps of [`report`]: a handful of short names looked up a few times per
/// incident, where SipHash's guard against chosen keys buys nothing and costs the most.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Counts by a saved text, kept as bytes until the end (read without copying or checking).
type Map<V> = HashMap<Box<[u8]>, V, BuildHasherDefault<Fnv>>;

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
    fn add(&mut self, amends: &[u8], point: Option<&[u8]>) {
        self.n += 1;
        update(&mut self.amends, amends, |n| *n += 1);
        if let Some(p) = point {
            update(&mut self.points, p, |n| *n += 1);
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
