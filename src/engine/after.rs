//! What is decided after a session: closing a follow-up, doing a step that was skipped at
//! the time, abandoning an incident. Each is a pure function of the incident as the log
//! holds it (read inside the write that saves the answer, see `Store::update`), giving the
//! events to save or the rule that refuses them; the store only persists them.

use jiff::Timestamp;

use super::record::{FollowUpOutcome, Incident, Outcome, Status};
use super::rules::{Rule, fits};
use super::{Event, skipped_required};
use crate::playbook::{Phase, Playbook};

/// `recover done`: when, by whom, how it went and what was said.
#[derive(Clone, Debug, PartialEq)]
pub struct Closing {
    /// When.
    pub at: Timestamp,
    /// Who.
    pub by: Option<String>,
    /// Was the customer won back, if said: only a scheduled follow-up records it
    /// ([`Closing::closes_as`]), and a step done afterwards refuses it rather than drop it.
    pub outcome: Option<FollowUpOutcome>,
    /// What was said.
    pub note: Option<String>,
}

impl Closing {
    /// How the follow-up closes: as said, or `done` when nothing was said.
    #[must_use]
    pub fn closes_as(&self) -> FollowUpOutcome {
        self.outcome.unwrap_or(FollowUpOutcome::Done)
    }
}

/// What `recover done ID STEP` records: the open follow-up `step` closed, or the step
/// `step`, skipped at the time, done now (after which an incomplete incident with no
/// required step left skipped is complete; `playbook` says which steps are required).
pub fn done(
    incident: &Incident,
    playbook: Option<&Playbook>,
    step: &str,
    closing: &Closing,
) -> Result<Vec<Event>, Rule> {
    fits("--note", closing.note.as_deref())?;
    fits("the staff name", closing.by.as_deref())?;
    let step = step.trim();
    if incident.status == Status::Abandoned {
        return Err(Rule::Abandoned { incident: incident.id.clone() });
    }
    if let Some(f) = incident.follow_ups.iter().find(|f| f.step.eq_ignore_ascii_case(step)) {
        if let Some(at) = f.done_at {
            return Err(Rule::AlreadyClosed {
                incident: incident.id.clone(),
                step: f.step.clone(),
                at: at.to_string(),
                by: f.done_by.clone().unwrap_or_else(|| "someone".to_owned()),
            });
        }
        return Ok(vec![Event::FollowUpClosed { step: f.step.clone(), closing: closing.clone() }]);
    }
    let skipped =
        incident.steps.iter().find(|s| s.outcome == Outcome::Skipped && s.id.eq_ignore_ascii_case(step));
    let Some(record) = skipped else {
        return Err(no_such(incident, step));
    };
    if let Some(at) = record.completed_at {
        return Err(Rule::AlreadyDone {
            incident: incident.id.clone(),
            step: record.id.clone(),
            at: at.to_string(),
            by: record.completed_by.clone().unwrap_or_else(|| "someone".to_owned()),
        });
    }
    if record.phase == Phase::Amend {
        return Err(Rule::AmendAfterwards { step: record.id.clone() });
    }
    // A skipped step has no follow-up row to hold how it went: saying it is refused, not
    // accepted and lost.
    if closing.outcome.is_some() {
        return Err(Rule::OutcomeAfterwards { step: record.id.clone() });
    }
    let mut events = vec![Event::StepCompleted {
        step: record.id.clone(),
        at: closing.at,
        by: closing.by.clone(),
        note: closing.note.clone(),
    }];
    if incident.status == Status::Incomplete {
        if let Some(playbook) = playbook {
            let mut after = incident.clone();
            super::apply_event(&mut after, &events[0]);
            if !skipped_required(playbook, &after) {
                events.push(Event::NowComplete);
            }
        }
    }
    Ok(events)
}

/// What `recover abandon` records: only an incident still in progress can be abandoned.
pub fn abandon(
    incident: &Incident,
    by: Option<&str>,
    reason: &str,
    at: Timestamp,
) -> Result<Vec<Event>, Rule> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Rule::ReasonMissing);
    }
    fits("--reason", Some(reason))?;
    fits("the staff name", by)?;
    match incident.status {
        Status::InProgress => {
            Ok(vec![Event::Abandoned { at, by: by.map(str::to_owned), reason: reason.to_owned() }])
        }
        Status::Abandoned => Err(Rule::Abandoned { incident: incident.id.clone() }),
        Status::Complete | Status::Incomplete => {
            Err(Rule::AlreadyFinished { incident: incident.id.clone(), status: incident.status.key() })
        }
    }
}

/// The refusal for a step `done` cannot act on, naming what it can.
fn no_such(incident: &Incident, step: &str) -> Rule {
    let follow_ups: Vec<&str> = incident.follow_ups.iter().map(|f| f.step.as_str()).collect();
    let mut known = if follow_ups.is_empty() { "none".to_owned() } else { follow_ups.join(", ") };
    let skipped: Vec<&str> = incident
        .steps
        .iter()
        .filter(|s| s.outcome == Outcome::Skipped && s.completed_at.is_none() && s.phase != Phase::Amend)
        .map(|s| s.id.as_str())
        .collect();
    if !skipped.is_empty() {
        known = format!("{known}; skipped steps: {}", skipped.join(", "));
    }
    Rule::NoSuchFollowUp { incident: incident.id.clone(), step: step.to_owned(), known }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{
        AmendsAnswer, Answer, Question, Session, Start, StepAnswer, StepRecord, apply_event,
    };
    use crate::money::Money;
    use crate::playbook::{Library, Severity};

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).unwrap()
    }

    /// A reservation played to its end with the steps in `skip` skipped, the rest done.
    fn finished(lib: &Library, skip: &[&str]) -> Incident {
        let pb = lib.find("reservation").unwrap();
        let start = Start {
            staff: "anna".into(),
            role: "staff".into(),
            limit: Money::whole(1000),
            currency: "EUR".into(),
            reference: None,
            severity: Some(Severity::Minor),
            failure_point: None,
        };
        let mut s = Session::begin(pb, start, at(0));
        while let Some(q) = s.next_question() {
            let skipped = |id: &str| skip.contains(&id);
            let a = match q {
                Question::Step { step, .. } if skipped(&step.id) => {
                    Answer::Step(StepAnswer::skipped(Some("system down".into())))
                }
                Question::Step { step, .. } => Answer::Step(StepAnswer {
                    choice: step.choose.first().map(|c| c.value.clone()),
                    ..StepAnswer::done()
                }),
                Question::Amends { offered, .. } => Answer::Amends(AmendsAnswer {
                    chosen: offered.iter().map(|o| o.id.clone()).collect(),
                    ..AmendsAnswer::default()
                }),
                Question::FollowUp { step, .. } if skipped(&step.id) => {
                    Answer::FollowUp(StepAnswer::skipped(None))
                }
                Question::FollowUp { .. } => Answer::FollowUp(StepAnswer::done()),
                Question::FailurePoint { .. } => Answer::FailurePoint { point: None, note: None },
                Question::Severity => Answer::Severity(Severity::Minor),
            };
            let events = s.decide(a, at(1)).unwrap();
            s.apply(&events);
        }
        let events = s.finish(at(2)).unwrap();
        s.apply(&events);
        let mut i = s.incident().clone();
        i.id = "ABC-123".into();
        i
    }

    fn closing(by: &str) -> Closing {
        Closing { at: at(100), by: Some(by.into()), outcome: None, note: None }
    }

    fn apply(i: &mut Incident, events: &[Event]) {
        for e in events {
            apply_event(i, e);
        }
    }

    #[test]
    fn skipped_required_steps_done_afterwards_complete_the_incident_once_none_is_left() {
        let lib = Library::built_in();
        let pb = lib.find("reservation").unwrap();
        let mut i = finished(&lib, &["confirm-in-writing", "written-apology"]);
        assert_eq!(i.status, Status::Incomplete);
        let first = done(&i, Some(pb), "Confirm-In-Writing", &closing("ole")).unwrap();
        assert!(matches!(&first[..], [Event::StepCompleted { step, .. }] if step == "confirm-in-writing"));
        apply(&mut i, &first);
        assert_eq!(i.status, Status::Incomplete, "the written apology is still skipped");
        let second = done(&i, Some(pb), "written-apology", &closing("mia")).unwrap();
        assert_eq!(second.last(), Some(&Event::NowComplete));
        apply(&mut i, &second);
        assert_eq!(i.status, Status::Complete);
        let s = i.step("confirm-in-writing").unwrap();
        assert_eq!((s.outcome, s.reason.as_deref()), (Outcome::Skipped, Some("system down")), "skip kept");
        assert_eq!(s.completed_by.as_deref(), Some("ole"));
        assert!(matches!(
            done(&i, Some(pb), "written-apology", &closing("x")),
            Err(Rule::AlreadyDone { .. })
        ));
        // Without the playbook the step is recorded, the status left as it was.
        let i = finished(&lib, &["confirm-in-writing"]);
        assert_eq!(done(&i, None, "confirm-in-writing", &closing("ole")).unwrap().len(), 1);
    }

    #[test]
    fn follow_ups_close_once_and_refusals_name_what_can_be_done() {
        let lib = Library::built_in();
        let mut i = finished(&lib, &["confirm-in-writing"]);
        let events = done(&i, None, "call-next-morning", &closing("ole")).unwrap();
        assert!(matches!(&events[..], [Event::FollowUpClosed { step, .. }] if step == "call-next-morning"));
        apply(&mut i, &events);
        assert!(matches!(
            done(&i, None, "call-next-morning", &closing("mia")),
            Err(Rule::AlreadyClosed { by, .. }) if by == "ole"
        ));
        match done(&i, None, "own-it", &closing("ole")) {
            Err(Rule::NoSuchFollowUp { known, .. }) => {
                assert!(known.ends_with("; skipped steps: confirm-in-writing"), "{known}");
            }
            other => panic!("{other:?}"),
        }
        let long = Closing { note: Some("x".repeat(crate::engine::MAX_TEXT_CHARS + 1)), ..closing("ole") };
        assert!(matches!(done(&i, None, "confirm-in-writing", &long), Err(Rule::TooLong { .. })));
        // How it went has nowhere to be kept for a skipped step: refused, not dropped.
        let said = Closing { outcome: Some(FollowUpOutcome::Lost), ..closing("ole") };
        assert!(matches!(
            done(&i, None, "confirm-in-writing", &said),
            Err(Rule::OutcomeAfterwards { step }) if step == "confirm-in-writing"
        ));
        let withheld = StepRecord {
            phase: Phase::Amend,
            id: "buy-dinner".into(),
            outcome: Outcome::Skipped,
            at: at(1),
            choice: None,
            note: None,
            reason: None,
            cost: None,
            approved_by: None,
            completed_at: None,
            completed_by: None,
            completed_note: None,
        };
        apply(&mut i, &[Event::Step(withheld)]);
        assert!(matches!(done(&i, None, "buy-dinner", &closing("ole")), Err(Rule::AmendAfterwards { .. })));
    }

    #[test]
    fn only_an_unfinished_incident_is_abandoned_and_then_nothing_more_is_recorded() {
        let lib = Library::built_in();
        let finished = finished(&lib, &[]);
        let refused = abandon(&finished, None, "oops", at(9)).unwrap_err();
        assert!(
            matches!(refused, Rule::AlreadyFinished { status: "complete", .. }) && refused.is_not_in_order()
        );
        let mut open = finished.clone();
        open.status = Status::InProgress;
        open.finished_at = None;
        assert_eq!(abandon(&open, None, "  ", at(9)), Err(Rule::ReasonMissing));
        assert!(!Rule::ReasonMissing.is_not_in_order(), "a usage error");
        let events = abandon(&open, Some("kim"), " duplicate ", at(9)).unwrap();
        apply(&mut open, &events);
        assert_eq!((open.status, open.abandon_reason.as_deref()), (Status::Abandoned, Some("duplicate")));
        assert!(!open.is_open(), "nothing of it is left to do");
        assert!(matches!(abandon(&open, None, "again", at(10)), Err(Rule::Abandoned { .. })));
        assert!(matches!(
            done(&open, None, "call-next-morning", &closing("ole")),
            Err(Rule::Abandoned { .. })
        ));
    }
}
