//! What each incident adds up to, kept in its own row (schema migration 3), and the reads
//! that use it: `report` over years adds one narrow row per incident instead of rebuilding
//! every incident from its steps and follow-ups, and the `log` table reads the incidents
//! table alone.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{bad, condition, from_ms, load_incident, money, ms, scan_on, text, text_or_null};
use crate::engine::{FollowUpOutcome, Incident, Status};
use crate::money::Money;
use crate::playbook::Severity;
use crate::report::{Report, Spread, ranked};
use crate::store::{Filter, Listed};

/// Migration 3: the summary columns (filled in by [`backfill`] right after), and indexes
/// for `log --staff` and `log --type` that also give the order `log` shows (newest first,
/// ties by id), so a page of them, or finding there are none, reads only what it shows.
pub(super) const MIGRATION: &str = "
    ALTER TABLE incidents ADD COLUMN amends_total TEXT NOT NULL DEFAULT '0';
    ALTER TABLE incidents ADD COLUMN amends_approved TEXT NOT NULL DEFAULT '0';
    ALTER TABLE incidents ADD COLUMN apology_s INTEGER;
    ALTER TABLE incidents ADD COLUMN fix_s INTEGER;
    ALTER TABLE incidents ADD COLUMN follow_ups_open INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE incidents ADD COLUMN follow_ups_on_time INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE incidents ADD COLUMN follow_ups_late INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE incidents ADD COLUMN follow_ups_recovered INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE incidents ADD COLUMN follow_ups_lost INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX incidents_staff ON incidents(staff COLLATE NOCASE, started_at, id);
    CREATE INDEX incidents_type ON incidents(type, started_at, id);";

/// One incident's totals, as the report counts them.
struct Summary {
    amends_total: Money,
    /// Costs of steps given with an approver's name.
    amends_approved: Money,
    apology_s: Option<i64>,
    fix_s: Option<i64>,
    open: i64,
    on_time: i64,
    late: i64,
    recovered: i64,
    lost: i64,
}

impl Summary {
    /// Worked out by the engine's own rules from the whole incident, so the columns can
    /// only say what rebuilding the incident would.
    fn of(i: &Incident) -> Summary {
        let mut s = Summary {
            amends_total: i.amends_total,
            amends_approved: i.steps.iter().filter(|s| s.approved_by.is_some()).filter_map(|s| s.cost).sum(),
            apology_s: i.time_to_apology(),
            fix_s: i.time_to_fix(),
            open: 0,
            on_time: 0,
            late: 0,
            recovered: 0,
            lost: 0,
        };
        for f in &i.follow_ups {
            match f.done_at {
                Some(at) if at <= f.due => s.on_time += 1,
                Some(_) => s.late += 1,
                None => s.open += 1,
            }
            match f.outcome {
                Some(FollowUpOutcome::Recovered) => s.recovered += 1,
                Some(FollowUpOutcome::Lost) => s.lost += 1,
                _ => {}
            }
        }
        s
    }

    fn write(&self, conn: &Connection, n: i64) -> rusqlite::Result<()> {
        conn.prepare_cached(
            "UPDATE incidents SET amends_total = ?2, amends_approved = ?3, apology_s = ?4, fix_s = ?5,
                follow_ups_open = ?6, follow_ups_on_time = ?7, follow_ups_late = ?8,
                follow_ups_recovered = ?9, follow_ups_lost = ?10 WHERE n = ?1",
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
            self.lost
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
/// up here (counts per name in hash maps, amounts per distinct text, so sums stay exact).
pub(super) fn report(conn: &Connection, since: Timestamp, now: Timestamp) -> rusqlite::Result<Report> {
    let since_ms = ms(since);
    let mut r = Report { since: Some(since), ..Report::default() };
    // The tally takes the currency of the first incident, oldest first.
    r.currency = conn
        .query_row(
            "SELECT currency FROM incidents WHERE started_at >= ?1 ORDER BY started_at, id LIMIT 1",
            [since_ms],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or_default();
    let mut stmt = conn.prepare(
        "SELECT type, severity, role, status, amends_total, amends_approved, apology_s, fix_s,
            follow_ups_open, follow_ups_on_time, follow_ups_late, follow_ups_recovered, follow_ups_lost,
            failure_point, servqual
         FROM incidents WHERE started_at >= ?1",
    )?;
    let mut rows = stmt.query([since_ms])?;
    let mut types: HashMap<String, Counted> = HashMap::new();
    let mut roles: HashMap<String, Counted> = HashMap::new();
    let mut severities: HashMap<Option<String>, usize> = HashMap::new();
    let mut approved: HashMap<String, usize> = HashMap::new();
    let mut servqual: HashMap<String, usize> = HashMap::new();
    let (mut apology, mut fix) = (Vec::new(), Vec::new());
    let mut open = 0;
    let f = &mut r.follow_ups;
    while let Some(row) = rows.next()? {
        let amends = text(row, 4)?;
        counted(&mut types, text(row, 0)?).add(amends, text_or_null(row, 13)?);
        counted(&mut roles, text(row, 2)?).add(amends, None);
        *severities.entry(text_or_null(row, 1)?.map(str::to_owned)).or_default() += 1;
        match text(row, 3)? {
            "in_progress" => r.in_progress += 1,
            "incomplete" => r.incomplete += 1,
            _ => {}
        }
        let approved_amount = text(row, 5)?;
        if approved_amount != "0" {
            *entry(&mut approved, approved_amount) += 1;
        }
        apology.extend(row.get::<_, Option<i64>>(6)?);
        fix.extend(row.get::<_, Option<i64>>(7)?);
        let count =
            |i: usize| -> rusqlite::Result<usize> { Ok(usize::try_from(row.get::<_, i64>(i)?).unwrap_or(0)) };
        open += count(8)?;
        f.on_time += count(9)?;
        f.late += count(10)?;
        f.recovered += count(11)?;
        f.lost += count(12)?;
        *entry(&mut servqual, text(row, 14)?) += 1;
        r.incidents += 1;
    }
    let overdue: i64 = conn.query_row(
        "SELECT COUNT(*) FROM follow_ups f JOIN incidents i ON i.n = f.incident
         WHERE f.done_at IS NULL AND f.due < ?1 AND i.started_at >= ?2",
        params![ms(now), since_ms],
        |row| row.get(0),
    )?;
    let overdue = usize::try_from(overdue).unwrap_or(0);
    r.follow_ups.overdue = overdue;
    r.follow_ups.open = open.saturating_sub(overdue);
    finish(&mut r, types, roles, severities, approved, &servqual)?;
    r.time_to_apology = Spread::of(apology);
    r.time_to_fix = Spread::of(fix);
    Ok(r)
}

/// Incidents (or roles) of one name: how many, how many of each amends total, and of
/// each failure point.
#[derive(Default)]
struct Counted {
    n: usize,
    amends: HashMap<String, usize>,
    points: HashMap<String, usize>,
}

impl Counted {
    fn add(&mut self, amends: &str, point: Option<&str>) {
        self.n += 1;
        *entry(&mut self.amends, amends) += 1;
        if let Some(p) = point {
            *entry(&mut self.points, p) += 1;
        }
    }

    /// The sum of the amends counted, exact.
    fn amends(&self) -> rusqlite::Result<Money> {
        sum(&self.amends)
    }
}

/// The count for `key`, looked up without copying it when it is there already.
fn entry<'m>(map: &'m mut HashMap<String, usize>, key: &str) -> &'m mut usize {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), 0);
    }
    map.get_mut(key).expect("inserted just above")
}

fn counted<'m>(map: &'m mut HashMap<String, Counted>, key: &str) -> &'m mut Counted {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), Counted::default());
    }
    map.get_mut(key).expect("inserted just above")
}

/// Amounts (as saved) times how often each was counted, added exactly.
fn sum(amounts: &HashMap<String, usize>) -> rusqlite::Result<Money> {
    let mut total = Money::ZERO;
    for (amount, n) in amounts {
        total = total + std::iter::repeat_n(money(amount)?, *n).sum();
    }
    Ok(total)
}

fn finish(
    r: &mut Report,
    types: HashMap<String, Counted>,
    roles: HashMap<String, Counted>,
    severities: HashMap<Option<String>, usize>,
    approved: HashMap<String, usize>,
    servqual: &HashMap<String, usize>,
) -> rusqlite::Result<()> {
    let mut points: BTreeMap<String, usize> = BTreeMap::new();
    for (kind, c) in types {
        let amends = c.amends()?;
        r.amends_total = r.amends_total + amends;
        *r.amends_by_type.entry(kind.clone()).or_default() = amends;
        *r.by_type.entry(kind.clone()).or_default() += c.n;
        for (p, n) in c.points {
            *points.entry(format!("{kind}: {p}")).or_default() += n;
        }
    }
    for (role, c) in roles {
        *r.amends_by_role.entry(role).or_default() = c.amends()?;
    }
    for (severity, n) in severities {
        let label = match severity {
            None => "unset".to_owned(),
            Some(s) => Severity::from_key(&s).ok_or_else(|| bad("severity", &s))?.to_string(),
        };
        *r.by_severity.entry(label).or_default() += n;
    }
    for (amount, n) in approved {
        let m = money(&amount)?;
        if m > Money::ZERO {
            r.amends_approved = r.amends_approved + std::iter::repeat_n(m, n).sum();
            r.incidents_needing_approval += n;
        }
    }
    let mut dimensions: BTreeMap<String, usize> = BTreeMap::new();
    for (list, n) in servqual {
        for d in list.split(',').filter_map(crate::playbook::Servqual::from_key) {
            *dimensions.entry(d.key().to_owned()).or_default() += n;
        }
    }
    r.failure_points = ranked(points);
    r.servqual = ranked(dimensions);
    Ok(())
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
