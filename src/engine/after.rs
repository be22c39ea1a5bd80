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
    /// Was the customer won back (for a follow-up).
    pub outcome: FollowUpOutcome,
    /// What was said.
    pub note: Option<String>,
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
