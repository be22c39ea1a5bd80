//! What one incident adds up to in a report, worked out by the engine's own rules.

use crate::engine::{FollowUpOutcome, Incident, Outcome, Status};
use crate::money::Money;
use crate::playbook::Phase;

/// One incident's totals, as the report counts them: kept beside each incident by the
/// stores (SQLite's summary columns, the server's), so `report` over years adds one narrow
/// row per incident, or sums them in SQL, instead of rebuilding incidents from their steps.
#[derive(Default)]
pub struct Summary {
    /// Amends given.
    pub amends_total: Money,
    /// Costs of steps given with an approver's name.
    pub amends_approved: Money,
    /// Seconds from start to the first apology.
    pub apology_s: Option<i64>,
    /// Seconds from start to the fix.
    pub fix_s: Option<i64>,
    /// The clock went back while it was recorded: its times are left out of the medians.
    pub clock_skew: bool,
    /// Follow-ups still open (none of an abandoned incident).
    pub open: i64,
    /// Follow-ups closed by their due time.
    pub on_time: i64,
    /// Follow-ups closed after it.
    pub late: i64,
    /// Follow-ups that won the customer back.
    pub recovered: i64,
    /// Follow-ups that did not.
    pub lost: i64,
    /// Amends the playbook offered at the incident's severity (answered so far).
    pub amends_offered: i64,
    /// Of those, given.
    pub amends_given: i64,
    /// Why each withheld amend was withheld ([`crate::tally::WITHHELD_UNSAID`] when
    /// recorded before a reason was required).
    pub withheld_reasons: Vec<String>,
    /// Follow-ups skipped.
    pub follow_ups_skipped: i64,
}

impl Summary {
    /// Worked out by the engine's own rules from the whole incident, so the columns can
    /// only say what rebuilding the incident would.
    #[must_use]
    pub fn of(i: &Incident) -> Summary {
        let mut s = Summary {
            // As the engine adds them up (`apply_step`), not as an imported file says.
            amends_total: i.steps.iter().filter(|s| s.outcome == Outcome::Done).filter_map(|s| s.cost).sum(),
            amends_approved: i.steps.iter().filter(|s| s.approved_by.is_some()).filter_map(|s| s.cost).sum(),
            apology_s: None,
            fix_s: None,
            clock_skew: i.clock_went_back(),
            open: 0,
            on_time: 0,
            late: 0,
            recovered: 0,
            lost: 0,
            amends_offered: 0,
            amends_given: 0,
            withheld_reasons: Vec::new(),
            follow_ups_skipped: 0,
        };
        for step in &i.steps {
            match (step.phase, step.outcome) {
                (Phase::Amend, Outcome::Done) => {
                    s.amends_offered += 1;
                    s.amends_given += 1;
                }
                (Phase::Amend, Outcome::Skipped) => {
                    s.amends_offered += 1;
                    let reason =
                        step.reason.clone().unwrap_or_else(|| crate::tally::WITHHELD_UNSAID.to_owned());
                    s.withheld_reasons.push(reason);
                }
                (Phase::FollowUp, Outcome::Skipped) => s.follow_ups_skipped += 1,
                _ => {}
            }
        }
        if !s.clock_skew {
            s.apology_s = i.time_to_apology();
            s.fix_s = i.time_to_fix();
        }
        for f in &i.follow_ups {
            match f.done_at {
                Some(at) if at <= f.due => s.on_time += 1,
                Some(_) => s.late += 1,
                None if i.status == Status::Abandoned => {}
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
}
