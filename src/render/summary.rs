//! The summary of an incident: each step and the totals, shown at the end of a session and
//! by `show-incident`, in the reader's language.

use jiff::tz::TimeZone;

use super::safe::one_line;
use super::table;
use crate::clock::local;
use crate::engine::{FollowUp, Incident, Outcome, Status, StepRecord};
use crate::i18n as ui;
use crate::playbook::{Library, Phase, Playbook};

/// The mark of a skipped step, wherever steps are listed: never the tick of a done one.
pub const SKIPPED: char = '↷';

/// The summary as text for standard output. With the library, choices, failure points and
/// roles are shown by their labels in `lang`; without it (or for a playbook it no longer
/// has), by their recorded values.
#[must_use]
pub fn render(
    incident: &Incident,
    library: Option<&Library>,
    lang: &str,
    tz: &TimeZone,
    styled: bool,
) -> String {
    let view =
        View { i: incident, playbook: library.and_then(|l| l.find(&incident.kind).ok()), library, lang, tz };
    let mut out = view.header();
    if let Some(max) = table::room(styled) {
        out = out.lines().flat_map(|l| super::wrap::wrap(l, max, "  ")).map(|l| l + "\n").collect();
    }
    out.push_str(&table::to_text(&view.steps(styled)));
    out.push_str(&table::to_text(&view.totals(styled)));
    out
}

/// One incident seen in one language, with the library that names its values.
struct View<'a> {
    i: &'a Incident,
    playbook: Option<&'a Playbook>,
    library: Option<&'a Library>,
    lang: &'a str,
    tz: &'a TimeZone,
}

impl View<'_> {
    fn role(&self) -> String {
        one_line(self.library.map_or(self.i.role.as_str(), |l| l.policy.role_label(&self.i.role, self.lang)))
    }

    fn role_label<'r>(&'r self, role: &'r str) -> &'r str {
        self.library.map_or(role, |l| l.policy.role_label(role, self.lang))
    }

    fn choice(&self, step: &str, value: &str) -> String {
        self.playbook
            .and_then(|pb| pb.step(step))
            .and_then(|(_, s)| s.choose.iter().find(|c| c.value == value))
            .map_or_else(|| one_line(value), |c| one_line(c.label.get(self.lang)))
    }

    fn failure_point(&self, point: &str) -> String {
        let lang = self.lang;
        self.playbook.and_then(|pb| pb.failure_points.iter().find(|c| c.value == point)).map_or_else(
            || one_line(if point == "other" { ui::t(lang, "other") } else { point }),
            |c| one_line(c.label.get(lang)),
        )
    }

    /// How a closed follow-up ended, first, then who closed it and what they noted.
    fn closing(&self, fu: &FollowUp) -> Vec<String> {
        let lang = self.lang;
        let mut out = vec![ui::follow_up_outcome(lang, fu.outcome).to_owned()];
        if let Some(by) = &fu.done_by {
            out.push(ui::f(lang, "closed_by", &[("name", &one_line(by))]));
        }
        out.extend(fu.note.as_deref().map(one_line));
        out
    }

    /// "Not done" for a phase whose required step was skipped: no time is the time it took.
    fn not_done(&self, phase: Phase) -> Option<String> {
        let required = |s: &StepRecord| match self.playbook.and_then(|pb| pb.step(&s.id)) {
            Some((p, step)) => step.is_required(p),
            // Only a required step's skip is asked why.
            None => s.reason.is_some(),
        };
        let skipped = self.i.steps.iter().find(|s| s.phase == phase && !s.is_done() && required(s))?;
        Some(ui::f(self.lang, "phase_not_done", &[("step", &one_line(&skipped.id))]))
    }

    fn header(&self) -> String {
        let (i, lang) = (self.i, self.lang);
        let reference = i
            .reference
            .as_deref()
            .map(|r| ui::f(lang, "summary_ref", &[("reference", &one_line(r))]))
            .unwrap_or_default();
        let severity = i.severity.map_or_else(|| ui::t(lang, "severity_unset"), |s| ui::severity(lang, s));
        let mut out = ui::f(
            lang,
            "summary_incident",
            &[
                ("id", &one_line(&i.id)),
                ("type", &one_line(&i.kind)),
                ("severity", severity),
                ("staff", &one_line(&i.staff)),
                ("role", &self.role()),
                ("reference", &reference),
            ],
        );
        out.push('\n');
        let status = match i.status {
            Status::InProgress => ui::t(lang, "status_in_progress"),
            Status::Complete => ui::t(lang, "status_complete"),
            Status::Incomplete => ui::t(lang, "status_incomplete"),
            Status::Abandoned => ui::t(lang, "status_abandoned"),
        };
        let status = match (&i.abandon_reason, i.status) {
            (Some(reason), Status::Abandoned) => format!("{status}: {}", one_line(reason)),
            _ => status.to_owned(),
        };
        out.push_str(&ui::f(
            lang,
            "summary_started",
            &[("when", &local(i.started_at, self.tz)), ("status", &status)],
        ));
        out.push('\n');
        out
    }

    fn steps(&self, styled: bool) -> table::Table {
        let (i, lang) = (self.i, self.lang);
        let columns = ["col_phase", "col_step", "col_outcome", "col_detail", "col_cost", "col_at"]
            .map(|k| ui::t(lang, k));
        let mut steps = table::new(styled, &columns);
        for s in &i.steps {
            let mut detail: Vec<String> = Vec::new();
            if let Some(c) = &s.choice {
                detail.push(self.choice(&s.id, c));
            }
            if let Some(n) = &s.note {
                detail.push(one_line(n));
            }
            if let Some(r) = &s.reason {
                let r = if s.phase == Phase::Amend { ui::withheld_reason(lang, r) } else { r };
                detail.push(ui::f(lang, "skipped_because", &[("reason", &one_line(r))]));
            }
            if let Some(a) = &s.approved_by {
                let who = match &i.approver_role {
                    Some(role) => format!("{} ({})", one_line(a), one_line(self.role_label(role))),
                    None => one_line(a),
                };
                detail.push(ui::f(lang, "approved_by", &[("name", &who)]));
            }
            if let Some(at) = s.completed_at {
                let name = one_line(s.completed_by.as_deref().unwrap_or("?"));
                detail.push(ui::f(
                    lang,
                    "done_afterwards",
                    &[("name", &name), ("when", &local(at, self.tz))],
                ));
                if let Some(n) = &s.completed_note {
                    detail.push(one_line(n));
                }
            }
            let closed = (s.phase == Phase::FollowUp && s.outcome == Outcome::Done)
                .then(|| i.follow_ups.iter().find(|f| f.step == s.id && f.done_at.is_some()))
                .flatten();
            if let Some(fu) = closed {
                detail.extend(self.closing(fu));
            }
            // Each outcome has its own mark, so a skip never reads as a tick.
            let outcome = match (s.outcome, s.phase, closed) {
                (Outcome::Done, Phase::FollowUp, None) => ui::t(lang, "outcome_scheduled").to_owned(),
                (Outcome::Done, Phase::FollowUp, Some(_)) => format!("✔ {}", ui::t(lang, "outcome_closed")),
                (Outcome::Done, ..) => format!("✔ {}", ui::t(lang, "outcome_done")),
                (Outcome::Skipped, ..) => format!("{SKIPPED} {}", ui::t(lang, "outcome_skipped")),
            };
            steps.add_row(vec![
                ui::phase(lang, s.phase).to_owned(),
                one_line(&s.id),
                outcome,
                detail.join("; "),
                s.cost.filter(|_| s.outcome == Outcome::Done).map(|c| c.to_string()).unwrap_or_default(),
                format!("+{}", ui::duration(lang, i.since_start(s.at))),
            ]);
        }
        steps
    }

    fn totals(&self, styled: bool) -> table::Table {
        let (i, lang, tz) = (self.i, self.lang, self.tz);
        let mut totals = table::new(styled, &[ui::t(lang, "col_total"), ""]);
        let time = |phase: Phase, t: Option<i64>| {
            self.not_done(phase).unwrap_or_else(|| t.map_or("—".to_owned(), |s| ui::duration(lang, s)))
        };
        totals.add_row(vec![
            ui::t(lang, "time_to_apology").to_owned(),
            time(Phase::Apologise, i.time_to_apology()),
        ]);
        totals.add_row(vec![ui::t(lang, "time_to_fix").to_owned(), time(Phase::Fix, i.time_to_fix())]);
        if i.clock_went_back() {
            totals.add_row(vec!["⚠".to_owned(), ui::t(lang, "clock_went_back").to_owned()]);
        }
        let amends: Vec<_> = i.steps.iter().filter(|s| s.phase == Phase::Amend).collect();
        let withheld: Vec<_> = amends.iter().filter(|s| s.outcome == Outcome::Skipped).collect();
        // "Within the limit" alone would hide what the customer did not get.
        let amends_key = match (i.over_limit(), withheld.is_empty()) {
            (true, _) => "amends_over",
            (false, true) => "amends_within",
            (false, false) => "amends_withheld",
        };
        let line = ui::f(
            lang,
            amends_key,
            &[
                ("currency", &one_line(&i.currency)),
                ("total", &i.amends_total.to_string()),
                ("role", &self.role()),
                ("limit", &i.limit.to_string()),
                ("withheld", &withheld.len().to_string()),
                ("offered", &amends.len().to_string()),
            ],
        );
        totals.add_row(vec![ui::t(lang, "amends_total").to_owned(), line]);
        for s in withheld {
            let reason = s.reason.as_deref().map_or("—", |r| ui::withheld_reason(lang, r));
            totals
                .add_row(vec![ui::f(lang, "withheld_row", &[("step", &one_line(&s.id))]), one_line(reason)]);
        }
        for fu in &i.follow_ups {
            let state = match fu.done_at {
                Some(at) => {
                    let mut closing = self.closing(fu);
                    let outcome = closing.remove(0);
                    let closed =
                        ui::f(lang, "follow_up_closed", &[("when", &local(at, tz)), ("outcome", &outcome)]);
                    std::iter::once(closed).chain(closing).collect::<Vec<_>>().join("; ")
                }
                None => ui::f(lang, "follow_up_due", &[("when", &local(fu.due, tz))]),
            };
            totals.add_row(vec![ui::f(lang, "follow_up_row", &[("step", &one_line(&fu.step))]), state]);
        }
        if let Some(point) = &i.failure_point {
            let note = i.failure_note.as_deref().map(|n| format!(" ({})", one_line(n))).unwrap_or_default();
            totals.add_row(vec![
                ui::t(lang, "went_wrong_at").to_owned(),
                format!("{}{note}", self.failure_point(point)),
            ]);
        }
        if let Some(g) = &i.guest {
            // How they felt, in their words, and how to reach them (only ever with consent).
            let satisfied = g.satisfied.map(|s| {
                let key = match s {
                    crate::engine::Satisfied::Yes => "satisfied_yes",
                    crate::engine::Satisfied::Partly => "satisfied_partly",
                    crate::engine::Satisfied::No => "satisfied_no",
                };
                ui::t(lang, key).to_owned()
            });
            let words = g.words.as_deref().map(|w| format!("“{}”", one_line(w)));
            let parts: Vec<String> =
                [satisfied, words, g.contact.as_deref().map(one_line)].into_iter().flatten().collect();
            totals.add_row(vec![ui::t(lang, "guest_row").to_owned(), parts.join(" · ")]);
        }
        totals.add_row(vec![ui::t(lang, "incident_id").to_owned(), one_line(&i.id)]);
        totals
    }
}
