//! When an imported incident and the log's incident with the same global id disagree.
//! Merging adds what one knows and the other does not yet (steps answered later, a
//! follow-up closed, the finish); two different accounts of the same thing are a conflict
//! for a person to settle, never silently dropped.

use crate::engine::{FollowUp, Incident, StepRecord};

/// What differs between `existing` and `incoming` that merging cannot reconcile, if
/// anything: said in a few words, for one line of an import report.
#[must_use]
pub fn differences(existing: &Incident, incoming: &Incident) -> Option<String> {
    let mut what = Vec::new();
    if existing.kind != incoming.kind {
        what.push(format!("type `{}` here, `{}` in the file", existing.kind, incoming.kind));
    }
    if existing.staff != incoming.staff {
        what.push("staff".to_owned());
    }
    if existing.reference != incoming.reference {
        what.push("ref".to_owned());
    }
    if ms(existing.started_at) != ms(incoming.started_at) {
        what.push("start time".to_owned());
    }
    if existing.severity.is_some() && incoming.severity.is_some() && existing.severity != incoming.severity {
        what.push("severity".to_owned());
    }
    let finished = |i: &Incident| i.status != crate::engine::Status::InProgress;
    if finished(existing) && finished(incoming) && existing.status != incoming.status {
        what.push("status".to_owned());
    }
    for step in &incoming.steps {
        if let Some(known) = existing.steps.iter().find(|s| s.id == step.id) {
            if !same_step(known, step) {
                what.push(format!("step `{}`", step.id));
            }
        }
    }
    for f in &incoming.follow_ups {
        if let Some(known) = existing.follow_ups.iter().find(|k| k.step == f.step) {
            if known.done_at.is_some() && f.done_at.is_some() && !same_closing(known, f) {
                what.push(format!("follow-up `{}`", f.step));
            }
        }
    }
    (!what.is_empty()).then(|| what.join(", "))
}

/// Times as the log keeps them: to the millisecond.
fn ms(t: jiff::Timestamp) -> i64 {
    t.as_millisecond()
}

fn same_step(a: &StepRecord, b: &StepRecord) -> bool {
    a.outcome == b.outcome
        && ms(a.at) == ms(b.at)
        && a.choice == b.choice
        && a.note == b.note
        && a.reason == b.reason
        && a.cost == b.cost
        && a.approved_by == b.approved_by
}

fn same_closing(a: &FollowUp, b: &FollowUp) -> bool {
    a.done_at.map(ms) == b.done_at.map(ms)
        && a.outcome == b.outcome
        && a.done_by == b.done_by
        && a.note == b.note
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident() -> Incident {
        serde_json::from_str(
            r#"{"id":"AAA-111","uid":"u1","type":"noise","severity":"minor","staff":"ann","role":"staff",
            "ref":"214","started_at":"2026-01-01T10:00:00Z","finished_at":null,"status":"in_progress",
            "steps":[{"phase":"apologise","id":"own-it","outcome":"done","at":"2026-01-01T10:00:05Z"}],
            "amends_total":"0","currency":"EUR","limit":"50","failure_point":null,"follow_ups":[]}"#,
        )
        .unwrap()
    }

    #[test]
    fn more_of_the_same_is_no_conflict_but_another_account_is() {
        let here = incident();
        let mut later = here.clone();
        later.steps.push(StepRecord { id: "fix-it".into(), ..here.steps[0].clone() });
        later.status = crate::engine::Status::Complete;
        assert_eq!(differences(&here, &later), None);
        assert_eq!(differences(&here, &here), None);
        let mut other = here.clone();
        other.steps[0].note = Some("another story".into());
        other.staff = "bob".into();
        assert_eq!(differences(&here, &other).as_deref(), Some("staff, step `own-it`"));
    }
}

/// A close of a follow-up that reached the shared log after another desk had closed it:
/// the first close stands, this one is kept beside it so nobody's word is lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseConflict {
    /// The follow-up's step.
    pub step: String,
    /// When this desk closed it.
    pub done_at: jiff::Timestamp,
    /// How it went, as this desk said.
    pub outcome: Option<crate::engine::FollowUpOutcome>,
    /// Who closed it here.
    pub done_by: Option<String>,
    /// What was said.
    pub note: Option<String>,
    /// The site whose close lost, when known.
    pub site: Option<String>,
}
