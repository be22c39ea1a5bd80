//! The rules an answer must keep, and what it records when it does.

use jiff::Timestamp;

use super::{
    AmendsAnswer, Answer, Event, FollowUp, MAX_TEXT_CHARS, NoteOn, Outcome, Question, Session, StepAnswer,
    StepRecord,
};
use crate::money::Money;
use crate::playbook::{Phase, Step};
use crate::policy::Policy;

/// An answer that breaks a rule; nothing is recorded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rule {
    /// The answer is for another question than the one asked.
    #[error("expected an answer about {expected}")]
    WrongAnswer {
        /// What was asked.
        expected: String,
    },
    /// Every question is answered.
    #[error("the session has no question left")]
    NothingToAnswer,
    /// Finishing with questions left.
    #[error("the session still has questions")]
    NotFinished,
    /// Contact details given without the guest's consent: never recorded.
    #[error("the guest's contact details are recorded only with their consent")]
    ContactWithoutConsent,
    /// A `choose` step done without an option.
    #[error("step `{step}`: pick one of {options}")]
    ChoiceMissing {
        /// The step.
        step: String,
        /// Its options.
        options: String,
    },
    /// An option the step does not offer.
    #[error("step `{step}`: `{choice}` is not offered; its options are {options}")]
    ChoiceNotOffered {
        /// The step.
        step: String,
        /// What was given.
        choice: String,
        /// Its options.
        options: String,
    },
    /// A choice on a step without options.
    #[error("step `{step}` has no options to choose from")]
    NoOptions {
        /// The step.
        step: String,
    },
    /// An amend that is not offered at this severity, or not an amend.
    #[error("amend `{step}` is not offered at severity {severity}")]
    AmendNotOffered {
        /// The step.
        step: String,
        /// The incident's severity.
        severity: String,
    },
    /// An offered amend left out of the bundle without saying why.
    #[error(
        "amend `{step}` is offered at severity {severity}: withholding it needs a reason ({reasons}, or words)"
    )]
    WithheldWithoutReason {
        /// The amend.
        step: String,
        /// The incident's severity.
        severity: String,
        /// The reasons to pick from.
        reasons: String,
    },
    /// The bundle costs more than the role may give, and nobody approved it.
    #[error(
        "amends total {total} {currency} is over the {role} limit of {limit} {currency}; name an approver or drop items"
    )]
    OverLimit {
        /// The bundle's total.
        total: Money,
        /// The role's limit.
        limit: Money,
        /// The role.
        role: String,
        /// The currency.
        currency: String,
    },
    /// The staff member named themselves as approver.
    #[error("{name} cannot approve their own amends")]
    SelfApproval {
        /// The name given.
        name: String,
    },
    /// An approver named without a role.
    #[error("the approver's role is needed: a bundle of {total} {currency} needs one of {roles}")]
    ApproverRoleMissing {
        /// The bundle's total.
        total: Money,
        /// The currency.
        currency: String,
        /// The roles whose limit covers it.
        roles: String,
    },
    /// A role the policy does not know.
    #[error("the approver's role `{role}` is not in the policy, whose roles are {roles}")]
    UnknownApproverRole {
        /// What was given.
        role: String,
        /// The policy's roles.
        roles: String,
    },
    /// The approver's role may not give this much either.
    #[error("a {role} may approve up to {limit} {currency}, not {total} {currency}{able}")]
    ApproverLimit {
        /// The approver's role.
        role: String,
        /// Its limit.
        limit: Money,
        /// The bundle's total.
        total: Money,
        /// The currency.
        currency: String,
        /// Which roles may, as "; a ROLE may" (empty when none may).
        able: String,
    },
    /// A note, reason or name longer than we record.
    #[error("{what} is longer than {MAX_TEXT_CHARS} characters")]
    TooLong {
        /// Which text.
        what: String,
    },
    /// A text holding a NUL character (an answers file's `"\0"`, a Ctrl-@ typed): nobody
    /// means one, and SQLite's text functions stop at it, so the report's row of the
    /// incident would lose what follows. `import` refuses it too.
    #[error("{what} holds a NUL character")]
    HoldsNul {
        /// Which text.
        what: String,
    },
    /// `done` named neither an open follow-up nor a skipped step of the incident.
    #[error("incident `{incident}` has no follow-up `{step}` (its follow-ups: {known})")]
    NoSuchFollowUp {
        /// The incident.
        incident: String,
        /// What was asked.
        step: String,
        /// What it has.
        known: String,
    },
    /// The follow-up was closed already; closing it again would overwrite who and how.
    #[error("follow-up `{step}` of incident `{incident}` was already closed at {at} by {by}")]
    AlreadyClosed {
        /// The incident.
        incident: String,
        /// The follow-up.
        step: String,
        /// When it was closed.
        at: String,
        /// Who closed it.
        by: String,
    },
    /// The skipped step was done afterwards already.
    #[error("step `{step}` of incident `{incident}` was already done afterwards at {at} by {by}")]
    AlreadyDone {
        /// The incident.
        incident: String,
        /// The step.
        step: String,
        /// When.
        at: String,
        /// Who.
        by: String,
    },
    /// Amends are given during the recovery, within the limit and with an approver where
    /// needed; one withheld then is not given by `done`.
    #[error("amend `{step}` was not given during the recovery and cannot be given afterwards")]
    AmendAfterwards {
        /// The amend.
        step: String,
    },
    /// `done --outcome` on a step skipped at the time: only a scheduled follow-up keeps
    /// how it went.
    #[error(
        "`{step}` was skipped, not scheduled: `done` records that it was done afterwards, not its outcome"
    )]
    OutcomeAfterwards {
        /// The step.
        step: String,
    },
    /// `abandon` without a reason.
    #[error("abandoning needs a reason")]
    ReasonMissing,
    /// The incident was abandoned: nothing more is recorded for it.
    #[error("incident `{incident}` was abandoned")]
    Abandoned {
        /// The incident.
        incident: String,
    },
    /// Only an incident in progress can be abandoned.
    #[error("incident `{incident}` is finished ({status}); only an unfinished incident can be abandoned")]
    AlreadyFinished {
        /// The incident.
        incident: String,
        /// How it finished.
        status: &'static str,
    },
    /// A note on a step that has no answer yet.
    #[error("step `{step}` has no answer to add a note to")]
    NotAnswered {
        /// The step.
        step: String,
    },
    /// A failure point the playbook does not list.
    #[error("failure point `{point}` is not listed; its options are {options}, other")]
    UnknownFailurePoint {
        /// What was given.
        point: String,
        /// The playbook's failure points.
        options: String,
    },
}

impl Rule {
    /// True when the refusal says the incident is not in order for what was asked (it was
    /// abandoned, or finished before it could be): SPEC's exit code 1, not a usage error.
    #[must_use]
    pub fn is_not_in_order(&self) -> bool {
        matches!(self, Rule::Abandoned { .. } | Rule::AlreadyFinished { .. })
    }
}

/// Whether a limit covers a total: the comparison every limit check makes.
#[must_use]
pub fn covers(limit: Money, total: Money) -> bool {
    total <= limit
}

/// The lowest role of `policy` whose limit covers `total`: who may give a bundle on their
/// own, or approve it.
#[must_use]
pub fn lowest_role_for(policy: &Policy, total: Money) -> Option<&str> {
    policy
        .roles
        .iter()
        .filter(|(_, r)| covers(r.limit(), total))
        .min_by_key(|(_, r)| r.limit())
        .map(|(n, _)| n.as_str())
}

/// Whether two names are the same person's, as people type them.
fn same_person(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

pub(super) fn authority(
    session: &Session,
    total: Money,
    approver: Option<&str>,
    role: Option<&str>,
) -> Result<Option<String>, Rule> {
    let incident = session.incident();
    if covers(incident.limit, total) {
        return Ok(None);
    }
    let currency = incident.currency.clone();
    let Some(name) = approver.map(str::trim).filter(|n| !n.is_empty()) else {
        return Err(Rule::OverLimit { total, limit: incident.limit, role: incident.role.clone(), currency });
    };
    if same_person(name, &incident.staff) {
        return Err(Rule::SelfApproval { name: name.to_owned() });
    }
    let roles: Vec<(&str, Money)> = session
        .policy()
        .map(|p| p.roles.iter().map(|(n, r)| (n.as_str(), r.limit())).collect())
        .unwrap_or_default();
    let able: Vec<&str> = roles.iter().filter(|(_, l)| covers(*l, total)).map(|(n, _)| *n).collect();
    let Some(role) = role.map(str::trim).filter(|r| !r.is_empty()) else {
        return Err(Rule::ApproverRoleMissing { total, currency, roles: able.join(", ") });
    };
    let Some((role, limit)) = roles.iter().find(|(n, _)| n.eq_ignore_ascii_case(role)) else {
        let all: Vec<&str> = roles.iter().map(|(n, _)| *n).collect();
        return Err(Rule::UnknownApproverRole { role: role.to_owned(), roles: all.join(", ") });
    };
    if !covers(*limit, total) {
        let able = if able.is_empty() { String::new() } else { format!("; a {} may", able.join(" or ")) };
        return Err(Rule::ApproverLimit { role: (*role).to_owned(), limit: *limit, total, currency, able });
    }
    Ok(Some((*role).to_owned()))
}

fn options(step: &Step) -> String {
    step.choose.iter().map(|c| c.value.as_str()).collect::<Vec<_>>().join(", ")
}

/// Checks a text given up front (a name, a reference) against the rules for every text:
/// no longer than we record, no NUL.
pub(super) fn fits(what: &str, text: Option<&str>) -> Result<(), Rule> {
    match text {
        Some(t) if super::text_too_long(what, t).is_some() => Err(Rule::TooLong { what: what.to_owned() }),
        Some(t) if t.contains('\0') => Err(Rule::HoldsNul { what: what.to_owned() }),
        _ => Ok(()),
    }
}

/// The guest's side as recorded: texts trimmed (blank is none) and held to the length
/// rule, contact details only with consent; `None` when nothing was said.
pub(super) fn guest_side(side: super::GuestSide) -> Result<Option<super::GuestSide>, Rule> {
    let words = short(side.words, "the guest's words")?;
    let contact = short(side.contact, "the guest's contact details")?;
    if contact.is_some() && !side.consent {
        return Err(Rule::ContactWithoutConsent);
    }
    let side = super::GuestSide { words, contact, ..side };
    Ok((!side.is_empty()).then_some(side))
}

/// `text` trimmed (blank is none) and checked as [`fits`] checks.
fn short(text: Option<String>, what: &str) -> Result<Option<String>, Rule> {
    let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    fits(what, text.as_deref())?;
    Ok(text)
}

pub(super) fn decide(
    session: &Session,
    question: Question,
    answer: Answer,
    now: Timestamp,
) -> Result<Vec<Event>, Rule> {
    match (question, answer) {
        (Question::Severity, Answer::Severity(s)) => Ok(vec![Event::Severity(s)]),
        (Question::Step { phase, step, .. }, Answer::Step(a)) => {
            Ok(vec![Event::Step(step_record(phase, step, a, now)?)])
        }
        (Question::Amends { offered, .. }, Answer::Amends(a)) => amends(session, &offered, a, now),
        (Question::FollowUp { step, due }, Answer::FollowUp(a)) => {
            let record = step_record(Phase::FollowUp, step, a, now)?;
            let mut events = Vec::new();
            if record.outcome == Outcome::Done {
                events.push(Event::FollowUpScheduled(FollowUp {
                    step: step.id.clone(),
                    due: due.unwrap_or(now),
                    done_at: None,
                    outcome: None,
                    done_by: None,
                    note: None,
                }));
            }
            events.insert(0, Event::Step(record));
            Ok(events)
        }
        (Question::FailurePoint { options }, Answer::FailurePoint { point, note }) => {
            let note = short(note, "the note")?;
            let point = match point.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()) {
                None => None,
                Some(p) if p.eq_ignore_ascii_case("other") => Some("other".to_owned()),
                Some(p) => match options.iter().find(|o| o.matches(&p)) {
                    Some(o) => Some(o.value.clone()),
                    None => {
                        return Err(Rule::UnknownFailurePoint {
                            point: p,
                            options: options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>().join(", "),
                        });
                    }
                },
            };
            Ok(vec![Event::FailurePoint { point, note }])
        }
        (q, _) => Err(Rule::WrongAnswer {
            expected: match q {
                Question::Severity => "the severity".into(),
                Question::Step { step, .. } | Question::FollowUp { step, .. } => {
                    format!("step `{}`", step.id)
                }
                Question::Amends { .. } => "the amends".into(),
                Question::FailurePoint { .. } => "the failure point".into(),
            },
        }),
    }
}

pub(super) fn note(session: &Session, on: &NoteOn, note: String) -> Result<Vec<Event>, Rule> {
    let incident = session.incident();
    match on {
        NoteOn::Step(step) => {
            if incident.step(step).is_none() {
                return Err(Rule::NotAnswered { step: step.clone() });
            }
            Ok(short(Some(note), &format!("the note on `{step}`"))?
                .map(|note| Event::Note { step: step.clone(), note })
                .into_iter()
                .collect())
        }
        NoteOn::FailurePoint => {
            if !incident.failure_answered {
                return Err(Rule::NotAnswered { step: "the failure point".into() });
            }
            Ok(short(Some(note), "the note")?
                .map(|note| Event::FailurePoint { point: incident.failure_point.clone(), note: Some(note) })
                .into_iter()
                .collect())
        }
    }
}

fn step_record(phase: Phase, step: &Step, a: StepAnswer, now: Timestamp) -> Result<StepRecord, Rule> {
    let id = &step.id;
    let choice = match (a.done, a.choice.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty())) {
        (true, None) if !step.choose.is_empty() => {
            return Err(Rule::ChoiceMissing { step: id.clone(), options: options(step) });
        }
        (false, _) | (true, None) => None,
        (true, Some(c)) if step.choose.is_empty() => {
            let _ = c;
            return Err(Rule::NoOptions { step: id.clone() });
        }
        (true, Some(c)) => match step.choose.iter().find(|o| o.matches(&c)) {
            Some(o) => Some(o.value.clone()),
            None => {
                return Err(Rule::ChoiceNotOffered { step: id.clone(), choice: c, options: options(step) });
            }
        },
    };
    Ok(StepRecord {
        phase,
        id: id.clone(),
        outcome: if a.done { Outcome::Done } else { Outcome::Skipped },
        at: now,
        choice,
        note: short(a.note, &format!("the note on `{id}`"))?,
        reason: if a.done { None } else { short(a.reason, &format!("the reason for skipping `{id}`"))? },
        cost: (phase == Phase::Amend).then(|| step.cost()),
        approved_by: None,
        completed_at: None,
        completed_by: None,
        completed_note: None,
    })
}

fn amends(session: &Session, offered: &[&Step], a: AmendsAnswer, now: Timestamp) -> Result<Vec<Event>, Rule> {
    let incident = session.incident();
    let severity = incident.severity.map(|s| s.to_string()).unwrap_or_default();
    for id in &a.chosen {
        if !offered.iter().any(|s| &s.id == id) {
            return Err(Rule::AmendNotOffered { step: id.clone(), severity });
        }
    }
    let approved_by = short(a.approved_by, "the approver's name")?;
    let approver_role = short(a.approver_role, "the approver's role")?;
    let total: Money = offered.iter().filter(|s| a.chosen.contains(&s.id)).map(|s| s.cost()).sum();
    let approver_role = authority(session, total, approved_by.as_deref(), approver_role.as_deref())?;
    let mut events = Vec::new();
    for step in offered {
        let done = a.chosen.contains(&step.id);
        let note = a.notes.iter().find(|(id, _)| id == &step.id).map(|(_, n)| n.clone());
        let reason = if done {
            None
        } else {
            let given = a.withheld.iter().find(|(id, _)| id == &step.id).map(|(_, r)| r.clone());
            let reason = short(given, &format!("the reason for withholding `{}`", step.id))?;
            if reason.is_none() {
                return Err(Rule::WithheldWithoutReason {
                    step: step.id.clone(),
                    severity,
                    reasons: super::WITHHELD_REASONS.join(", "),
                });
            }
            reason
        };
        let mut record =
            step_record(Phase::Amend, step, StepAnswer { done, note, reason, ..StepAnswer::default() }, now)?;
        if !done {
            record.cost = None;
        } else if approver_role.is_some() {
            record.approved_by.clone_from(&approved_by);
        }
        events.push(Event::Step(record));
    }
    events.extend(approver_role.map(Event::ApproverRole));
    Ok(events)
}
