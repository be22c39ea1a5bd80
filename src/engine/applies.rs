//! What an event means to an incident, and whether it still applies to an incident as a
//! log now holds it: the rule every store checks before recording, so two terminals (or two
//! desks) answering the same question, or closing the same follow-up, never both succeed.

use super::{Event, Incident, Outcome, Status, StepRecord};
use crate::money::Money;

/// True when `event` would change `incident` as the engine decided it should: the question
/// still open, the follow-up still open, the step still skipped, the incident still in
/// progress. A store records nothing of an answer when any of its events is false here.
#[must_use]
#[cfg_attr(not(feature = "postgres"), allow(dead_code, reason = "for the server store"))]
pub fn still_applies(incident: &Incident, event: &Event) -> bool {
    match event {
        Event::Severity(_) => incident.severity.is_none(),
        Event::Step(s) => incident.step(&s.id).is_none(),
        Event::Note { step, .. } => incident.step(step).is_some(),
        Event::FollowUpScheduled(_) | Event::ApproverRole(_) => true,
        Event::FailurePoint { .. } => !incident.failure_answered,
        Event::Finished { .. } | Event::Abandoned { .. } => incident.status == Status::InProgress,
        Event::FollowUpClosed { step, .. } => {
            incident.follow_ups.iter().any(|f| f.step == *step && f.done_at.is_none())
        }
        Event::StepCompleted { step, .. } => incident
            .steps
            .iter()
            .any(|s| s.id == *step && s.outcome == Outcome::Skipped && s.completed_at.is_none()),
        Event::NowComplete => incident.status == Status::Incomplete,
        Event::Guest(_) => incident.guest.is_none(),
    }
}

/// Adds a step answered (not answered before) to an incident, as [`apply_event`] does
/// with [`Event::Step`]; taking it by value spares a store rebuilding an incident a copy
/// of every step.
pub fn apply_step(incident: &mut Incident, record: StepRecord) {
    if record.outcome == Outcome::Done {
        incident.amends_total = incident.amends_total + record.cost.unwrap_or(Money::ZERO);
    }
    incident.steps.push(record);
}

/// Applies one event to an incident: the one place that says what an event means, used
/// by the session and by stores rebuilding an incident.
pub fn apply_event(incident: &mut Incident, event: &Event) {
    match event {
        Event::Severity(s) => incident.severity = Some(*s),
        Event::Step(record) => {
            if incident.step(&record.id).is_none() {
                apply_step(incident, record.clone());
            }
        }
        Event::Note { step, note } => {
            if let Some(record) = incident.steps.iter_mut().find(|r| &r.id == step) {
                record.note = Some(note.clone());
            }
        }
        Event::FollowUpScheduled(f) => {
            if !incident.follow_ups.iter().any(|o| o.step == f.step) {
                incident.follow_ups.push(f.clone());
            }
        }
        Event::ApproverRole(role) => incident.approver_role = Some(role.clone()),
        Event::FailurePoint { point, note } => {
            incident.failure_point.clone_from(point);
            incident.failure_note.clone_from(note);
            incident.failure_answered = true;
        }
        Event::Finished { status, at } => {
            incident.status = *status;
            incident.finished_at = Some(*at);
        }
        Event::FollowUpClosed { step, closing } => {
            if let Some(f) = incident.follow_ups.iter_mut().find(|f| f.step == *step && f.done_at.is_none()) {
                f.done_at = Some(closing.at);
                f.outcome = Some(closing.closes_as());
                f.done_by.clone_from(&closing.by);
                f.note.clone_from(&closing.note);
            }
        }
        Event::StepCompleted { step, at, by, note } => {
            if let Some(s) = incident.steps.iter_mut().find(|s| s.id == *step && s.completed_at.is_none()) {
                s.completed_at = Some(*at);
                s.completed_by.clone_from(by);
                s.completed_note.clone_from(note);
            }
        }
        Event::Guest(side) => incident.guest = Some(side.clone()),
        Event::NowComplete => {
            if incident.status == Status::Incomplete {
                incident.status = Status::Complete;
            }
        }
        Event::Abandoned { at, by, reason } => {
            incident.status = Status::Abandoned;
            incident.finished_at = Some(*at);
            incident.abandoned_by.clone_from(by);
            incident.abandon_reason = Some(reason.clone());
        }
    }
}
