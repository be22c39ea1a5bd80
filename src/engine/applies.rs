//! Whether an event still applies to an incident as a log now holds it: the rule every store
//! checks before recording, so two terminals (or two desks) answering the same question, or
//! closing the same follow-up, never both succeed.

use super::{Event, Incident, Outcome, Status};

/// True when `event` would change `incident` as the engine decided it should: the question
/// still open, the follow-up still open, the step still skipped, the incident still in
/// progress. A store records nothing of an answer when any of its events is false here.
#[must_use]
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
