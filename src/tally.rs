//! What `report` tells about a period: counts, timings, amends and follow-ups, tallied one
//! incident at a time so a long period never sits in memory.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::{FollowUpOutcome, Incident, Outcome};
use crate::money::Money;
use crate::playbook::Phase;
use crate::store::{Filter, Store, StoreError};

pub mod detail;

/// Median and 90th percentile, in seconds.
#[derive(Debug, Default, Serialize)]
pub struct Spread {
    /// How many incidents had a value.
    pub count: usize,
    /// The median, in seconds.
    pub median: Option<i64>,
    /// The 90th percentile (nearest rank), in seconds.
    pub p90: Option<i64>,
}

impl Spread {
    /// The spread of `values` (in any order).
    #[must_use]
    pub fn of(mut values: Vec<i64>) -> Spread {
        // Two selections rather than a sort: a ten-year report has a million values.
        let count = values.len();
        let mut rank = |p: usize| -> Option<i64> {
            if count == 0 {
                return None;
            }
            let i = (p * count).div_ceil(100).max(1) - 1;
            Some(*values.select_nth_unstable(i).1)
        };
        let median = rank(50);
        Spread { count, median, p90: rank(90) }
    }
}

/// Follow-ups by how they went.
#[derive(Debug, Default, Serialize)]
pub struct FollowUps {
    /// Done by their due time.
    pub on_time: usize,
    /// Done after it.
    pub late: usize,
    /// Not done, not yet due.
    pub open: usize,
    /// Not done and past due.
    pub overdue: usize,
    /// The customer was won back.
    pub recovered: usize,
    /// The customer was not.
    pub lost: usize,
    /// Follow-up steps skipped in the session, so never scheduled (optional ones leave the
    /// incident complete and would otherwise be counted nowhere).
    pub skipped: usize,
}

/// Everything `report` tells; `report --json` writes it as is, so every field here is
/// documented in docs/JSON.md (tests/docs.rs checks).
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// Start of the period.
    #[serde(with = "crate::clock::rfc3339::option")]
    pub since: Option<jiff::Timestamp>,
    /// Incidents in it, abandoned ones aside (see [`Report::abandoned`]).
    pub incidents: usize,
    /// Count per type.
    pub by_type: BTreeMap<String, usize>,
    /// Count per severity.
    pub by_severity: BTreeMap<String, usize>,
    /// Incidents whose recorded times go back (the clock was set back while recording):
    /// counted everywhere else, left out of the two timings below.
    pub clock_skew: usize,
    /// Seconds from start to first apology.
    pub time_to_apology: Spread,
    /// Seconds from start to the fix.
    pub time_to_fix: Spread,
    /// Currency of the amounts (the first incident's).
    pub currency: String,
    /// All amends given.
    pub amends_total: Money,
    /// Amends per type.
    pub amends_by_type: BTreeMap<String, Money>,
    /// Amends per role of who gave them.
    pub amends_by_role: BTreeMap<String, Money>,
    /// Amends given with an approver's name (over the giver's limit).
    pub amends_approved: Money,
    /// Incidents whose amends needed an approver.
    pub incidents_needing_approval: usize,
    /// Amends the playbooks offered at the incidents' severities (answered so far).
    pub amends_offered: usize,
    /// Of those, given.
    pub amends_given: usize,
    /// Of those, withheld.
    pub amends_withheld: usize,
    /// Why amends were withheld, most often first: a reason as recorded (`guest-declined`,
    /// `not-available`, `already-given`, `not-stated`, or words), or `unsaid` for an
    /// incident recorded before a reason was required.
    pub withheld_reasons: Vec<(String, usize)>,
    /// Follow-ups by how they went.
    pub follow_ups: FollowUps,
    /// Failure points, most hit first.
    pub failure_points: Vec<(String, usize)>,
    /// SERVQUAL dimensions, most hit first.
    pub servqual: Vec<(String, usize)>,
    /// Unfinished incidents.
    pub in_progress: usize,
    /// Finished with a required step skipped.
    pub incomplete: usize,
    /// Given up (`recover abandon`): counted here alone, in none of the counts above (nor
    /// in `incidents`).
    pub abandoned: usize,
    /// Incidents of guests who had incidents before (`start --guest`), from the log's
    /// guests table (filled in by the command; a tally of incidents cannot know).
    pub repeat_guests: usize,
}

/// The reason counted for an amend withheld before a reason was required.
pub const WITHHELD_UNSAID: &str = "unsaid";

/// Counts, most first (ties by name).
#[must_use]
pub fn ranked(counts: BTreeMap<String, usize>) -> Vec<(String, usize)> {
    let mut v: Vec<(String, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// Builds a [`Report`] one incident at a time, so a long period never sits in memory
/// (only the timings are kept, for the percentiles).
pub struct Tally {
    r: Report,
    now: jiff::Timestamp,
    apology: Vec<i64>,
    fix: Vec<i64>,
    points: BTreeMap<String, usize>,
    servqual: BTreeMap<String, usize>,
    withheld: BTreeMap<String, usize>,
}

impl Tally {
    /// An empty tally for the period from `since`, judged as of `now`.
    #[must_use]
    pub fn new(since: Option<jiff::Timestamp>, now: jiff::Timestamp) -> Self {
        Tally {
            r: Report { since, ..Report::default() },
            now,
            apology: Vec::new(),
            fix: Vec::new(),
            points: BTreeMap::new(),
            servqual: BTreeMap::new(),
            withheld: BTreeMap::new(),
        }
    }

    /// Counts one incident; an abandoned one only as abandoned: it was started by mistake
    /// or given up, and its times, amends and follow-ups are no part of the service given.
    pub fn add(&mut self, i: &Incident) {
        let r = &mut self.r;
        if i.status == crate::engine::Status::Abandoned {
            r.abandoned += 1;
            return;
        }
        if r.incidents == 0 {
            r.currency.clone_from(&i.currency);
        }
        r.incidents += 1;
        *r.by_type.entry(i.kind.clone()).or_default() += 1;
        *r.by_severity.entry(i.severity.map_or("unset".into(), |s| s.to_string())).or_default() += 1;
        if i.clock_went_back() {
            r.clock_skew += 1;
        } else {
            self.apology.extend(i.time_to_apology());
            self.fix.extend(i.time_to_fix());
        }
        r.amends_total = r.amends_total + i.amends_total;
        let t = r.amends_by_type.entry(i.kind.clone()).or_default();
        *t = *t + i.amends_total;
        let t = r.amends_by_role.entry(i.role.clone()).or_default();
        *t = *t + i.amends_total;
        let approved: Money = i.steps.iter().filter(|s| s.approved_by.is_some()).filter_map(|s| s.cost).sum();
        if approved > Money::ZERO {
            r.amends_approved = r.amends_approved + approved;
            r.incidents_needing_approval += 1;
        }
        r.follow_ups.skipped +=
            i.steps.iter().filter(|s| s.phase == Phase::FollowUp && s.outcome == Outcome::Skipped).count();
        for s in i.steps.iter().filter(|s| s.phase == crate::playbook::Phase::Amend) {
            r.amends_offered += 1;
            if s.outcome == crate::engine::Outcome::Done {
                r.amends_given += 1;
            } else {
                r.amends_withheld += 1;
                let reason = s.reason.clone().unwrap_or_else(|| WITHHELD_UNSAID.to_owned());
                *self.withheld.entry(reason).or_default() += 1;
            }
        }
        for f in &i.follow_ups {
            match f.done_at {
                Some(at) if at <= f.due => r.follow_ups.on_time += 1,
                Some(_) => r.follow_ups.late += 1,
                None if f.due < self.now => r.follow_ups.overdue += 1,
                None => r.follow_ups.open += 1,
            }
            match f.outcome {
                Some(FollowUpOutcome::Recovered) => r.follow_ups.recovered += 1,
                Some(FollowUpOutcome::Lost) => r.follow_ups.lost += 1,
                _ => {}
            }
        }
        if let Some(p) = &i.failure_point {
            *self.points.entry(format!("{}: {p}", i.kind)).or_default() += 1;
        }
        for d in &i.servqual {
            *self.servqual.entry(d.key().to_owned()).or_default() += 1;
        }
        match i.status {
            crate::engine::Status::InProgress => r.in_progress += 1,
            crate::engine::Status::Incomplete => r.incomplete += 1,
            crate::engine::Status::Abandoned | crate::engine::Status::Complete => {}
        }
    }

    /// The report.
    #[must_use]
    pub fn finish(self) -> Report {
        let mut r = self.r;
        r.time_to_apology = Spread::of(self.apology);
        r.time_to_fix = Spread::of(self.fix);
        r.failure_points = ranked(self.points);
        r.servqual = ranked(self.servqual);
        r.withheld_reasons = ranked(self.withheld);
        r
    }
}

/// The report of a store that sums in parts (a shared log): the one part, or, when its
/// incidents are in several currencies, the tally of whole incidents (as the SQLite log
/// gives it; `report` itself shows the parts).
#[cfg_attr(not(feature = "postgres"), allow(dead_code, reason = "for the server store"))]
pub fn whole_or_tally(
    store: &dyn Store,
    since: jiff::Timestamp,
    now: jiff::Timestamp,
) -> Result<Report, StoreError> {
    let mut parts = store.report_parts(since, now, false)?;
    if parts.len() == 1 {
        return Ok(parts.remove(0).report);
    }
    tally(store, since, now)
}

/// The report for incidents started since `since`, judged as of `now`, tallied from
/// whole incidents one at a time: what a store without its own summaries does, and what
/// the SQLite log's summary columns are checked against.
#[cfg_attr(not(feature = "postgres"), allow(dead_code, reason = "for the server store"))]
pub fn tally(store: &dyn Store, since: jiff::Timestamp, now: jiff::Timestamp) -> Result<Report, StoreError> {
    let mut tally = Tally::new(Some(since), now);
    store.scan(&Filter { since: Some(since), ..Filter::default() }, true, &mut |i| {
        tally.add(&i);
        true
    })?;
    Ok(tally.finish())
}

#[cfg(test)]
mod tests {
    use super::Spread;

    #[test]
    fn nearest_rank_percentiles() {
        let s = Spread::of((1..=10).collect());
        assert_eq!((s.median, s.p90), (Some(5), Some(9)));
        let s = Spread::of(vec![7]);
        assert_eq!((s.median, s.p90), (Some(7), Some(7)));
        assert_eq!(Spread::of(Vec::new()).median, None);
    }
}
