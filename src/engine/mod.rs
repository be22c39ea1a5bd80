//! The recovery engine: which question comes next, what an answer records, and the rules
//! (required steps, the amends bundle, authority limits, timing). It never prints, never
//! prompts and never touches a file: the terminal, the answers file and `--yes` drive it,
//! and a store keeps what it records.

mod after;
mod applies;
pub mod drill;
mod record;
mod rules;
mod validate;

pub use after::{Closing, abandon, done};
#[cfg_attr(not(feature = "postgres"), allow(unused_imports, reason = "for the server store"))]
pub use applies::{apply_event, apply_step, still_applies};
pub use record::{
    FollowUp, FollowUpOutcome, GuestSide, Incident, Outcome, Satisfied, Status, StepRecord, seconds_between,
};
pub use rules::{Rule, lowest_role_for};
pub use validate::{text_too_long, validate};

use jiff::Timestamp;

use crate::money::Money;
use crate::playbook::{Phase, Playbook, Severity, Step};
use crate::policy::Policy;
use crate::text::Choice;

/// Longest note, reason, ref or name we record: a paragraph, not a file.
pub const MAX_TEXT_CHARS: usize = 2000;

/// Who is recovering, for whom, under which limit: fixed when the incident starts.
#[derive(Clone, Debug)]
pub struct Start {
    /// The employee.
    pub staff: String,
    /// Their role, as the policy names it.
    pub role: String,
    /// What the role may give without an approver.
    pub limit: Money,
    /// Currency of the policy.
    pub currency: String,
    /// The customer's reference.
    pub reference: Option<String>,
    /// Chosen up front (`--severity`), or asked.
    pub severity: Option<Severity>,
    /// Given up front (`--failure-point`), or asked.
    pub failure_point: Option<String>,
}

impl Start {
    /// Checks what was given up front against the rules answers keep: names and the
    /// reference are recorded, so they are held to [`MAX_TEXT_CHARS`] like any note.
    pub fn check(&self) -> Result<(), Rule> {
        rules::fits("the staff name", Some(&self.staff))?;
        rules::fits("the role", Some(&self.role))?;
        rules::fits("the reference", self.reference.as_deref())?;
        rules::fits("the failure point", self.failure_point.as_deref())
    }
}

/// The authority rule: amends costing `total` need a named approver when they are over
/// the role's `limit`. Sessions and drills both ask here, so they can never disagree.
#[must_use]
pub fn needs_approver(total: Money, limit: Money) -> bool {
    !rules::covers(limit, total)
}

/// Whether someone with `limit` may give `step` on their own at `severity`: it is offered
/// at that severity (and not replaced there by another amend, `instead_of`) and, alone,
/// needs no approver.
#[must_use]
pub fn within_own_authority(playbook: &Playbook, step: &Step, severity: Severity, limit: Money) -> bool {
    playbook.amends_at(severity).iter().any(|o| o.id == step.id) && !needs_approver(step.cost(), limit)
}

/// Checks a name given for later (`--approved-by`) against the same length rule.
pub fn check_name(what: &str, text: Option<&str>) -> Result<(), Rule> {
    rules::fits(what, text)
}

/// What the engine needs answered next.
#[derive(Clone, Debug)]
pub enum Question<'p> {
    /// How bad is it?
    Severity,
    /// Was this apologise or fix step done (and which option)?
    Step {
        /// Apologise or fix.
        phase: Phase,
        /// The step.
        step: &'p Step,
        /// Its position in the phase, from 1, and the phase's length.
        index: (usize, usize),
    },
    /// Which of the amends offered at this severity are given (all, by default)?
    Amends {
        /// Every amend offered at the incident's severity.
        offered: Vec<&'p Step>,
        /// The role's limit.
        limit: Money,
    },
    /// Schedule this follow-up?
    FollowUp {
        /// The follow-up step.
        step: &'p Step,
        /// When it would be due.
        due: Option<Timestamp>,
    },
    /// Where in the customer's journey did it go wrong?
    FailurePoint {
        /// The playbook's failure points.
        options: &'p [Choice],
    },
}

/// An answer to a [`Question`].
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// The severity.
    Severity(Severity),
    /// A step done or skipped.
    Step(StepAnswer),
    /// The amends given.
    Amends(AmendsAnswer),
    /// A follow-up scheduled or skipped.
    FollowUp(StepAnswer),
    /// A failure point's value, `other`, or none; with an optional note.
    FailurePoint {
        /// The value picked.
        point: Option<String>,
        /// What "other" was, or anything else worth saying.
        note: Option<String>,
    },
}

/// Done or skipped, with what goes with it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepAnswer {
    /// True for done (scheduled, for a follow-up).
    pub done: bool,
    /// The option picked, for `choose` steps.
    pub choice: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// Why it was skipped.
    pub reason: Option<String>,
}

impl StepAnswer {
    /// Done, nothing more to say.
    #[must_use]
    pub fn done() -> Self {
        StepAnswer { done: true, ..StepAnswer::default() }
    }

    /// Skipped, maybe with a reason.
    #[must_use]
    pub fn skipped(reason: Option<String>) -> Self {
        StepAnswer { done: false, reason, ..StepAnswer::default() }
    }
}

/// The reasons an amend the playbook offers may be withheld for, as recorded; any other
/// reason is written out. Never "only as much as we must": each one says why the
/// customer did not get it.
pub const WITHHELD_REASONS: [&str; 3] = ["guest-declined", "not-available", "already-given"];

/// The reason recorded for an offered amend an answers file leaves out: SPEC.md reads a
/// step left out as skipped, and the log says plainly that nobody said why.
pub const NOT_STATED: &str = "not-stated";

/// The amends given: ids of the offered steps kept in the bundle.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AmendsAnswer {
    /// Kept in the bundle; the others offered are recorded as skipped, each with its
    /// reason from `withheld`.
    pub chosen: Vec<String>,
    /// Why each offered amend left out of the bundle was withheld: amend id and one of
    /// [`WITHHELD_REASONS`] or a reason in words.
    pub withheld: Vec<(String, String)>,
    /// Who approved a bundle over the limit: someone else than the staff member.
    pub approved_by: Option<String>,
    /// The approver's role in the policy, whose limit must cover the bundle.
    pub approver_role: Option<String>,
    /// Notes per amend id.
    pub notes: Vec<(String, String)>,
}

/// What a note asked after its answer is saved is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoteOn {
    /// A step answered (its id).
    Step(String),
    /// The failure point told (what "other" was).
    FailurePoint,
}

/// A change to an incident: what an answer records. The store saves events in order, all
/// of one answer in one transaction, so a crash never leaves half an answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// The severity was chosen.
    Severity(Severity),
    /// A step was answered.
    Step(StepRecord),
    /// A follow-up became due.
    FollowUpScheduled(FollowUp),
    /// A note on a step already recorded: asked after its answer is saved, so an
    /// interruption while it is typed never loses the answer.
    Note {
        /// The step's id.
        step: String,
        /// The note.
        note: String,
    },
    /// The role of who approved a bundle over the limit.
    ApproverRole(String),
    /// The failure point was told.
    FailurePoint {
        /// Its value, `other`, or none.
        point: Option<String>,
        /// A note.
        note: Option<String>,
    },
    /// The last question was answered.
    Finished {
        /// Complete or incomplete.
        status: Status,
        /// When.
        at: Timestamp,
    },
    /// An open follow-up was closed (`recover done`).
    FollowUpClosed {
        /// The follow-up's step.
        step: String,
        /// When, by whom, how.
        closing: Closing,
    },
    /// A step skipped at the time was done afterwards (`recover done`); the skip and its
    /// reason are kept.
    StepCompleted {
        /// The step.
        step: String,
        /// When.
        at: Timestamp,
        /// Who.
        by: Option<String>,
        /// What they said.
        note: Option<String>,
    },
    /// An incomplete incident has no required step left skipped: it is complete.
    NowComplete,
    /// The guest's side was told (at the end of the session, or in an answers file).
    Guest(GuestSide),
    /// The incident was given up (`recover abandon`).
    Abandoned {
        /// When.
        at: Timestamp,
        /// Who.
        by: Option<String>,
        /// Why.
        reason: String,
    },
}

/// A new incident's global id: a UUID of version 7, whose first 48 bits are the start in
/// milliseconds and the rest random. Ordered by time, the ids of new incidents go at the
/// end of the log's uid index, not all over it, so an import batch no longer rewrites most
/// of that index's pages (a million incidents: 50-52 s against 55-58 s with random ids,
/// BENCHMARKS.md). Still a UUID, unique by its 74 random bits.
fn global_id(started: Timestamp) -> String {
    // Before 1970 (a test clock, say) is the epoch: the id is still unique, only unordered.
    let seconds = u64::try_from(started.as_second()).unwrap_or(0);
    let nanos = u32::try_from(started.subsec_nanosecond()).unwrap_or(0);
    uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, seconds, nanos)).to_string()
}

/// One incident being recovered with one playbook.
#[derive(Clone, Debug)]
pub struct Session<'p> {
    playbook: &'p Playbook,
    /// The roles an approver may have; without it no bundle over the limit is approved.
    policy: Option<&'p Policy>,
    incident: Incident,
    /// `--failure-point`, answered when the question comes.
    preset_failure: Option<String>,
}

impl<'p> Session<'p> {
    /// A new incident; it still needs an id from the store before its first event.
    #[must_use]
    pub fn begin(playbook: &'p Playbook, start: Start, now: Timestamp) -> Self {
        let incident = Incident {
            id: String::new(),
            uid: global_id(now),
            kind: playbook.kind.clone(),
            severity: start.severity,
            staff: start.staff,
            role: start.role,
            reference: start.reference,
            started_at: now,
            finished_at: None,
            status: Status::InProgress,
            steps: Vec::new(),
            amends_total: Money::ZERO,
            currency: start.currency,
            limit: start.limit,
            approver_role: None,
            failure_answered: false,
            failure_point: None,
            failure_note: None,
            abandoned_by: None,
            abandon_reason: None,
            guest: None,
            servqual: playbook.servqual.clone(),
            follow_ups: Vec::new(),
        };
        Session { playbook, policy: None, incident, preset_failure: start.failure_point }
    }

    /// The policy whose roles approvers are checked against.
    #[must_use]
    pub fn with_policy(mut self, policy: &'p Policy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// Whether a bundle of `total` is within what the staff member may give alone; the
    /// terminal asks this before asking for an approver.
    #[must_use]
    pub fn within_limit(&self, total: Money) -> bool {
        rules::covers(self.incident.limit, total)
    }

    /// The one rule of authority: a bundle of `total` within the staff member's limit
    /// needs nobody; above it, an approver who is someone else and whose role's limit
    /// covers it. Gives the approver's role as the policy names it.
    pub fn authority(
        &self,
        total: Money,
        approver: Option<&str>,
        role: Option<&str>,
    ) -> Result<Option<String>, Rule> {
        rules::authority(self, total, approver, role)
    }

    /// The policy, if the session has one.
    #[must_use]
    pub fn policy(&self) -> Option<&'p Policy> {
        self.policy
    }

    /// Continues a recorded incident where it stopped.
    #[must_use]
    pub fn resume(playbook: &'p Playbook, incident: Incident) -> Self {
        Session { playbook, policy: None, incident, preset_failure: None }
    }

    /// The answer given up front for `question` (`--failure-point`), which is then not
    /// asked; it goes through the same rules as any answer.
    #[must_use]
    pub fn preset(&self, question: &Question) -> Option<Answer> {
        match question {
            Question::FailurePoint { .. } => self
                .preset_failure
                .clone()
                .map(|point| Answer::FailurePoint { point: Some(point), note: None }),
            _ => None,
        }
    }

    /// The incident as recorded so far.
    #[must_use]
    pub fn incident(&self) -> &Incident {
        &self.incident
    }

    /// Sets the id the store gave the incident.
    pub fn set_id(&mut self, id: String) {
        self.incident.id = id;
    }

    /// The playbook being followed.
    #[must_use]
    pub fn playbook(&self) -> &'p Playbook {
        self.playbook
    }

    /// The next question, or `None` when only finishing is left.
    #[must_use]
    pub fn next_question(&self) -> Option<Question<'p>> {
        let pb = self.playbook;
        // The apology and the fix come first, at once; how bad it was only matters for
        // the amends, so it is asked after the fix.
        for phase in [Phase::Apologise, Phase::Fix] {
            let steps = pb.phases.steps(phase);
            if let Some((i, step)) =
                steps.iter().enumerate().find(|(_, s)| self.incident.step(&s.id).is_none())
            {
                return Some(Question::Step { phase, step, index: (i + 1, steps.len()) });
            }
        }
        let Some(severity) = self.incident.severity else {
            return Some(Question::Severity);
        };
        let offered = self.offered_amends(severity);
        if !offered.is_empty() && offered.iter().all(|s| self.incident.step(&s.id).is_none()) {
            return Some(Question::Amends { offered, limit: self.incident.limit });
        }
        if let Some(step) = pb.phases.follow_up.iter().find(|s| self.incident.step(&s.id).is_none()) {
            return Some(Question::FollowUp {
                step,
                due: step.within.map(|w| w.after(self.incident.started_at)),
            });
        }
        if !self.incident.failure_answered {
            return Some(Question::FailurePoint { options: &pb.failure_points });
        }
        None
    }

    /// True when every question is answered and the finish is recorded.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.incident.status != Status::InProgress
    }

    /// The amend steps offered at `severity`, in playbook order.
    #[must_use]
    pub fn offered_amends(&self, severity: Severity) -> Vec<&'p Step> {
        self.playbook.amends_at(severity)
    }

    /// Checks `answer` against the current question and the rules, and says what it
    /// records. Nothing changes until [`Session::apply`] is given the events (after the
    /// store has saved them).
    pub fn decide(&self, answer: Answer, now: Timestamp) -> Result<Vec<Event>, Rule> {
        let question = self.next_question().ok_or(Rule::NothingToAnswer)?;
        rules::decide(self, question, answer, now)
    }

    /// What a note on `on`, answered already, records; the note is held to the same
    /// length rule as one given with the answer.
    pub fn note(&self, on: &NoteOn, note: String) -> Result<Vec<Event>, Rule> {
        rules::note(self, on, note)
    }

    /// The events that end the session, once no question is left.
    pub fn finish(&self, now: Timestamp) -> Result<Vec<Event>, Rule> {
        if self.next_question().is_some() {
            return Err(Rule::NotFinished);
        }
        if self.is_finished() {
            return Ok(Vec::new());
        }
        let status = if skipped_required(self.playbook, &self.incident) {
            Status::Incomplete
        } else {
            Status::Complete
        };
        Ok(vec![Event::Finished { status, at: now }])
    }

    /// The events that record the guest's side (none when nothing was said). Asked at the
    /// end, after the answers are saved, so skipping it or Ctrl-C there loses nothing.
    pub fn guest(&self, side: GuestSide) -> Result<Vec<Event>, Rule> {
        Ok(rules::guest_side(side)?.map(Event::Guest).into_iter().collect())
    }

    /// Records events the store has saved.
    pub fn apply(&mut self, events: &[Event]) {
        for event in events {
            apply_event(&mut self.incident, event);
        }
    }
}

/// Whether a step `playbook` requires of `incident` is not done: left unanswered or
/// skipped, and not done afterwards. Amends count only where offered at its severity.
fn skipped_required(playbook: &Playbook, incident: &Incident) -> bool {
    playbook.all_steps().any(|(phase, step)| {
        step.is_required(phase)
            && incident.step(&step.id).is_none_or(|r| !r.is_done())
            && (phase != Phase::Amend
                || incident.severity.is_some_and(|s| playbook.amends_at(s).iter().any(|o| o.id == step.id)))
    })
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
