//! The summary of an incident: each step and the totals, shown at the end of a session and
//! by `show-incident`.

use jiff::tz::TimeZone;

use super::safe::one_line;
use super::table;
use crate::clock::{human_seconds, local};
use crate::engine::{Incident, Outcome, seconds_between};

/// The summary as text for standard output.
#[must_use]
pub fn text(incident: &Incident, tz: &TimeZone, styled: bool) -> String {
    let mut out = String::new();
    let reference =
        incident.reference.as_deref().map(|r| format!(" · ref {}", one_line(r))).unwrap_or_default();
    out.push_str(&format!(
        "Incident {} · {} · {} · {} ({}){}\n",
        incident.id,
        one_line(&incident.kind),
        incident.severity.map_or("severity not set".to_owned(), |s| s.to_string()),
        one_line(&incident.staff),
        one_line(&incident.role),
        reference
    ));
    out.push_str(&format!(
        "Started {} · {}\n",
        local(incident.started_at, tz),
        incident.status.key().replace('_', " ")
    ));
    let mut steps = table::new(styled, &["Phase", "Step", "Outcome", "Choice / note", "Cost", "At"]);
    for s in &incident.steps {
        let mut detail: Vec<String> = Vec::new();
        if let Some(c) = &s.choice {
            detail.push(one_line(c));
        }
        if let Some(n) = &s.note {
            detail.push(one_line(n));
        }
        if let Some(r) = &s.reason {
            detail.push(format!("skipped: {}", one_line(r)));
        }
        if let Some(a) = &s.approved_by {
            detail.push(format!("approved by {}", one_line(a)));
        }
        let outcome = match (s.outcome, s.phase) {
            (Outcome::Done, crate::playbook::Phase::FollowUp) => "scheduled",
            (Outcome::Done, _) => "done",
            (Outcome::Skipped, _) => "skipped",
        };
        steps.add_row(vec![
            s.phase.title().to_owned(),
            one_line(&s.id),
            outcome.to_owned(),
            detail.join("; "),
            s.cost.filter(|_| s.outcome == Outcome::Done).map(|c| c.to_string()).unwrap_or_default(),
            format!("+{}", human_seconds(seconds_between(incident.started_at, s.at))),
        ]);
    }
    out.push_str(&table::to_text(&steps));
    let mut totals = table::new(styled, &["Total", ""]);
    let time = |t: Option<i64>| t.map_or("—".to_owned(), human_seconds);
    totals.add_row(vec!["Time to apology".to_owned(), time(incident.time_to_apology())]);
    totals.add_row(vec!["Time to fix".to_owned(), time(incident.time_to_fix())]);
    let limit_note = if incident.over_limit() { "over the limit, approved" } else { "within the limit" };
    totals.add_row(vec![
        "Amends".to_owned(),
        format!(
            "{cur} {} of {} limit {cur} {} ({limit_note})",
            incident.amends_total,
            one_line(&incident.role),
            incident.limit,
            cur = one_line(&incident.currency)
        ),
    ]);
    for f in &incident.follow_ups {
        let state = match f.done_at {
            Some(at) => format!("done {}", local(at, tz)),
            None => format!("due {}", local(f.due, tz)),
        };
        totals.add_row(vec![format!("Follow-up {}", one_line(&f.step)), state]);
    }
    if let Some(point) = &incident.failure_point {
        let note =
            incident.failure_note.as_deref().map(|n| format!(" ({})", one_line(n))).unwrap_or_default();
        totals.add_row(vec!["Went wrong at".to_owned(), format!("{}{note}", one_line(point))]);
    }
    totals.add_row(vec!["Incident id".to_owned(), incident.id.clone()]);
    out.push_str(&table::to_text(&totals));
    out
}
