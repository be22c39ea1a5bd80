//! What the charts of `report --format html` (and `report --json --detail`) show beyond
//! the [`Report`](super::Report): counts per day, week or month stacked by type, the spread
//! of each timing and its trend, amends per type and severity, and the incidents that cost
//! most or took longest. Worked out in the same single pass over whole incidents as the
//! [`Tally`](super::Tally), and only when asked for, so plain `report` keeps its quick read
//! of the summary columns.

use std::collections::BTreeMap;

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;

use super::{Report, Spread, Tally};
use crate::engine::{Incident, Outcome};
use crate::money::Money;
use crate::playbook::Phase;
use crate::store::{Filter, Store, StoreError};

/// Upper bounds (seconds) of the timing histogram's bins; the last bin has none.
pub const BINS: [i64; 9] = [30, 60, 120, 300, 900, 1800, 3600, 14_400, 86_400];

/// How many incidents the "most expensive" and "slowest" lists name.
pub const TOP: usize = 5;

/// The most periods the counts are shown in before the next coarser unit is taken.
const MOST_PERIODS: usize = 62;

/// The length of one column of the counts chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A calendar day in the local time zone.
    Day,
    /// A week from Monday.
    Week,
    /// A calendar month.
    Month,
}

impl Unit {
    /// The first day of the period `d` falls in.
    fn start(self, d: Date) -> Date {
        match self {
            Unit::Day => d,
            Unit::Week => d.checked_sub(i64::from(d.weekday().since(Weekday::Monday)).days()).unwrap_or(d),
            Unit::Month => d.first_of_month(),
        }
    }

    /// The first day of the period after the one starting on `d`.
    fn next(self, d: Date) -> Option<Date> {
        match self {
            Unit::Day => d.tomorrow().ok(),
            Unit::Week => d.checked_add(7.days()).ok(),
            Unit::Month => d.checked_add(1.month()).ok(),
        }
    }
}

/// One column of the counts chart: its first day and the incidents per type started in it.
#[derive(Debug, Serialize)]
pub struct Period {
    /// First day, `YYYY-MM-DD`.
    pub start: String,
    /// Incidents started in it, per type.
    pub by_type: BTreeMap<String, usize>,
    /// Their sum.
    pub total: usize,
    /// Median time to apology of its incidents, in seconds.
    pub apology_median: Option<i64>,
    /// Median time to fix of its incidents, in seconds.
    pub fix_median: Option<i64>,
}

/// How one timing spread: counts per bin of [`BINS`] (one more than its bounds), and how
/// many met the policy's target when it sets one.
#[derive(Debug, Default, Serialize)]
pub struct Timing {
    /// Counts per bin: up to `BINS[0]` seconds, up to `BINS[1]`, ..., above the last.
    pub bins: Vec<usize>,
    /// The policy's target in seconds, if it sets one.
    pub target: Option<i64>,
    /// How many took no longer than the target.
    pub within_target: Option<usize>,
}

/// An incident named in the "most expensive" or "slowest" list.
#[derive(Debug, Serialize)]
pub struct Named {
    /// Its short id.
    pub id: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The amends given.
    pub amends: Money,
    /// Seconds from the start to the fix.
    pub fix_s: Option<i64>,
}

/// What the charts show beyond the [`Report`].
#[derive(Debug, Serialize)]
pub struct Detail {
    /// The end of the period (when the report was made).
    #[serde(with = "crate::clock::rfc3339")]
    pub until: Timestamp,
    /// Incidents in the period of the same length just before this one.
    pub previous_incidents: usize,
    /// What a column of [`Detail::periods`] spans.
    pub unit: Unit,
    /// Incidents per period, oldest first, with no gaps.
    pub periods: Vec<Period>,
    /// Time to apology, binned.
    pub apology: Timing,
    /// Time to fix, binned.
    pub fix: Timing,
    /// Amends per type, then per severity (`unset` when none was chosen).
    pub amends_by_type_severity: BTreeMap<String, BTreeMap<String, Money>>,
    /// How often each amend was offered and not given, per `type: step`. (An amend not
    /// chosen has no cost; why it was withheld is counted in the report's
    /// `withheld_reasons`, which the page charts beside this.)
    pub amends_withheld: BTreeMap<String, usize>,
    /// The incidents with the highest amends, highest first (ties by id).
    pub most_expensive: Vec<Named>,
    /// The incidents with the longest time to fix, longest first (ties by id).
    pub slowest: Vec<Named>,
}

/// Targets the policy may set, in seconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Targets {
    /// Time to apology.
    pub apology: Option<i64>,
    /// Time to fix.
    pub fix: Option<i64>,
}

/// One local day's incidents while counting.
#[derive(Default)]
struct Day {
    by_type: BTreeMap<String, usize>,
    apology: Vec<i64>,
    fix: Vec<i64>,
}

/// Builds a [`Detail`] one incident at a time.
struct DetailTally {
    tz: TimeZone,
    days: BTreeMap<Date, Day>,
    apology: Vec<i64>,
    fix: Vec<i64>,
    amends: BTreeMap<String, BTreeMap<String, Money>>,
    withheld: BTreeMap<String, usize>,
    expensive: Vec<Named>,
    slowest: Vec<Named>,
}

/// Keeps the [`TOP`] greatest of `list` by `key`, greatest first, ties by id.
fn keep_top<K: Ord>(list: &mut Vec<Named>, item: Named, key: impl Fn(&Named) -> K) {
    list.push(item);
    list.sort_by(|a, b| key(b).cmp(&key(a)).then_with(|| a.id.cmp(&b.id)));
    list.truncate(TOP);
}

impl DetailTally {
    fn new(tz: &TimeZone) -> Self {
        DetailTally {
            tz: tz.clone(),
            days: BTreeMap::new(),
            apology: Vec::new(),
            fix: Vec::new(),
            amends: BTreeMap::new(),
            withheld: BTreeMap::new(),
            expensive: Vec::new(),
            slowest: Vec::new(),
        }
    }

    /// Counts one incident; an abandoned one is left out, as the report leaves it out of
    /// everything but its own count.
    fn add(&mut self, i: &Incident) {
        if i.status == crate::engine::Status::Abandoned {
            return;
        }
        let day = self.days.entry(self.tz.to_datetime(i.started_at).date()).or_default();
        *day.by_type.entry(i.kind.clone()).or_default() += 1;
        // The same timings the report's medians take: none from an incident whose clock
        // went back.
        let (apology, fix) =
            if i.clock_went_back() { (None, None) } else { (i.time_to_apology(), i.time_to_fix()) };
        day.apology.extend(apology);
        day.fix.extend(fix);
        self.apology.extend(apology);
        self.fix.extend(fix);
        let severity = i.severity.map_or("unset", |s| s.key()).to_owned();
        let m = self.amends.entry(i.kind.clone()).or_default().entry(severity).or_default();
        *m = *m + i.amends_total;
        for s in i.steps.iter().filter(|s| s.phase == Phase::Amend && s.outcome == Outcome::Skipped) {
            *self.withheld.entry(format!("{}: {}", i.kind, s.id)).or_default() += 1;
        }
        let named = || Named { id: i.id.clone(), kind: i.kind.clone(), amends: i.amends_total, fix_s: fix };
        if i.amends_total > Money::ZERO {
            keep_top(&mut self.expensive, named(), |n| n.amends);
        }
        if fix.is_some() {
            keep_top(&mut self.slowest, named(), |n| n.fix_s);
        }
    }

    fn finish(self, since: Timestamp, until: Timestamp, targets: Targets, previous: usize) -> Detail {
        let local = |t: Timestamp| self.tz.to_datetime(t).date();
        // From the first incident when the period starts long before it (`--since 2000-01-01`).
        let first = self.days.keys().next().copied().map_or(local(since), |d| d.max(local(since)));
        let last = local(until).max(self.days.keys().next_back().copied().unwrap_or(first));
        let days = usize::try_from((last - first).get_days()).unwrap_or(0) + 1;
        let unit = if days <= MOST_PERIODS {
            Unit::Day
        } else if days <= MOST_PERIODS * 7 {
            Unit::Week
        } else {
            Unit::Month
        };
        let mut periods = Vec::new();
        let mut start = unit.start(first);
        while start <= last {
            let end = unit.next(start);
            let mut p = Day::default();
            for (_, d) in self.days.range(start..end.unwrap_or(Date::MAX)) {
                for (k, n) in &d.by_type {
                    *p.by_type.entry(k.clone()).or_default() += n;
                }
                p.apology.extend(&d.apology);
                p.fix.extend(&d.fix);
            }
            periods.push(Period {
                start: start.to_string(),
                total: p.by_type.values().sum(),
                by_type: p.by_type,
                apology_median: Spread::of(p.apology).median,
                fix_median: Spread::of(p.fix).median,
            });
            match end {
                Some(e) => start = e,
                None => break,
            }
        }
        Detail {
            until,
            previous_incidents: previous,
            unit,
            periods,
            apology: timing(&self.apology, targets.apology),
            fix: timing(&self.fix, targets.fix),
            amends_by_type_severity: self.amends,
            amends_withheld: self.withheld,
            most_expensive: self.expensive,
            slowest: self.slowest,
        }
    }
}

/// `values` binned by [`BINS`], with how many met `target`.
fn timing(values: &[i64], target: Option<i64>) -> Timing {
    let mut bins = vec![0; BINS.len() + 1];
    for v in values {
        bins[BINS.iter().position(|b| v <= b).unwrap_or(BINS.len())] += 1;
    }
    Timing { bins, target, within_target: target.map(|t| values.iter().filter(|v| **v <= t).count()) }
}

/// The report of the incidents matching `filter` (its `since` is the period's start, its
/// `kind` the type asked for) with its [`Detail`], judged as of `now`, local days in `tz`.
/// One pass over whole incidents, and a count of the period before.
pub fn detailed(
    store: &dyn Store,
    filter: &Filter,
    now: Timestamp,
    tz: &TimeZone,
    targets: Targets,
) -> Result<(Report, Detail), StoreError> {
    let since = filter.since.unwrap_or(Timestamp::UNIX_EPOCH);
    let mut tally = Tally::new(Some(since), now);
    let mut detail = DetailTally::new(tz);
    let mut read = 0;
    store.scan(filter, true, &mut |i| {
        tally.add(&i);
        detail.add(&i);
        read += 1;
        if read % crate::progress::STRIDE == 0 {
            crate::progress::advance(crate::progress::STRIDE as u64);
        }
        true
    })?;
    let length = now.duration_since(since);
    let previous = match since.checked_sub(length) {
        Ok(before) if length.is_positive() => {
            store.count(&Filter { since: Some(before), before: Some(since), ..filter.clone() })?
        }
        _ => 0,
    };
    Ok((tally.finish(), detail.finish(since, now, targets, previous)))
}

/// One part of a report split as `report --json --by site` splits it: a site (when split
/// by site) and a currency, with its own figures and charts.
pub struct Part {
    /// The site, when split by site on a shared log.
    pub site: Option<String>,
    /// Its figures (amounts all in its `currency`).
    pub report: Report,
    /// Its charts' figures.
    pub detail: Detail,
}

/// [`detailed`] in parts, as [`Store::report_parts`] splits a report: per site when
/// `by_site`, and per currency when `by_currency` (a shared log's parts are, so that amounts
/// in different currencies are never added together), in the order of site, then
/// currency. One pass over whole incidents with their sites, and one over the period
/// before for each part's count of it. With no incident, one empty part.
pub fn detailed_parts(
    store: &dyn Store,
    filter: &Filter,
    now: Timestamp,
    tz: &TimeZone,
    targets: Targets,
    (by_site, by_currency): (bool, bool),
) -> Result<Vec<Part>, StoreError> {
    let since = filter.since.unwrap_or(Timestamp::UNIX_EPOCH);
    let key = |i: &Incident, site: Option<String>| {
        (site.filter(|_| by_site), if by_currency { i.currency.clone() } else { String::new() })
    };
    let mut parts: BTreeMap<(Option<String>, String), (Tally, DetailTally)> = BTreeMap::new();
    let mut read = 0;
    store.scan_sited(filter, true, &mut |i, site| {
        let (tally, detail) = parts
            .entry(key(&i, site))
            .or_insert_with(|| (Tally::new(Some(since), now), DetailTally::new(tz)));
        tally.add(&i);
        detail.add(&i);
        read += 1;
        if read % crate::progress::STRIDE == 0 {
            crate::progress::advance(crate::progress::STRIDE as u64);
        }
        true
    })?;
    let mut previous: BTreeMap<(Option<String>, String), usize> = BTreeMap::new();
    let length = now.duration_since(since);
    if let (true, Ok(before)) = (length.is_positive(), since.checked_sub(length)) {
        store.scan_sited(
            &Filter { since: Some(before), before: Some(since), ..filter.clone() },
            true,
            &mut |i, site| {
                *previous.entry(key(&i, site)).or_default() += 1;
                true
            },
        )?;
    }
    if parts.is_empty() {
        parts.insert((None, String::new()), (Tally::new(Some(since), now), DetailTally::new(tz)));
    }
    Ok(parts
        .into_iter()
        .map(|((site, currency), (tally, detail))| {
            let mut report = tally.finish();
            // A part of abandoned incidents alone took no currency from them.
            if report.currency.is_empty() {
                report.currency.clone_from(&currency);
            }
            let before = previous.get(&(site.clone(), currency)).copied().unwrap_or(0);
            Part { site, report, detail: detail.finish(since, now, targets, before) }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{BINS, timing};

    #[test]
    fn timings_fall_in_the_bin_of_their_upper_bound() {
        let t = timing(&[0, 30, 31, 86_400, 86_401], Some(30));
        assert_eq!(t.bins.len(), BINS.len() + 1);
        assert_eq!((t.bins[0], t.bins[1], t.bins[8], t.bins[9]), (2, 1, 1, 1));
        assert_eq!(t.within_target, Some(2));
    }
}
