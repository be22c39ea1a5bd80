//! What an incident is once recorded: the data the store keeps and the JSON scripts read.

use jiff::Timestamp;

use crate::keyed::keyed;
use serde::{Deserialize, Serialize};

use crate::money::Money;
use crate::playbook::{Phase, Servqual, Severity};

/// One service failure and everything done about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Short id a person can read aloud and quote later (`K7Q-4MX`).
    pub id: String,
    /// Globally unique id: the identity when logs are merged.
    pub uid: String,
    /// The playbook's type.
    #[serde(rename = "type")]
    pub kind: String,
    /// How badly the customer was let down; `None` until chosen.
    pub severity: Option<Severity>,
    /// Who handled it.
    pub staff: String,
    /// Their role in the policy.
    pub role: String,
    /// The customer's booking, room, table or order reference.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// When the recovery began.
    #[serde(with = "crate::clock::rfc3339")]
    pub started_at: Timestamp,
    /// When the last question was answered.
    #[serde(default, with = "crate::clock::rfc3339::option")]
    pub finished_at: Option<Timestamp>,
    /// Where the recovery stands.
    pub status: Status,
    /// Every step answered, in order.
    pub steps: Vec<StepRecord>,
    /// Sum of the amends given.
    pub amends_total: Money,
    /// Currency of costs and limits.
    pub currency: String,
    /// What the role could give without an approver.
    pub limit: Money,
    /// The role of who approved a bundle over the limit (their name is on each amend).
    #[serde(default)]
    pub approver_role: Option<String>,
    /// Where in the customer's journey it went wrong (a failure point's value or `other`).
    pub failure_point: Option<String>,
    /// Said about the failure point, e.g. what "other" was; null when nothing was said
    /// (written always, as `ref` and `failure_point` are, so scripts need not tell a
    /// missing key from a note not given).
    #[serde(default)]
    pub failure_note: Option<String>,
    /// Whether the failure-point question was answered (it may be answered with nothing).
    #[serde(default)]
    pub failure_answered: bool,
    /// Who abandoned it (`recover abandon`), if someone did and said who.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abandoned_by: Option<String>,
    /// Why it was abandoned: started by mistake, a duplicate, the guest left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abandon_reason: Option<String>,
    /// The guest's side, as they told it when we parted: left out when not asked or
    /// nothing was said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest: Option<GuestSide>,
    /// The SERVQUAL dimensions of the playbook, kept for reports.
    #[serde(default)]
    pub servqual: Vec<Servqual>,
    /// Follow-ups scheduled, open or closed.
    pub follow_ups: Vec<FollowUp>,
}

/// What the guest said, how they felt when we parted, and how to reach them: each part
/// optional, and the contact only with their consent (a follow-up that calls back needs
/// it; nobody is called who did not agree). `export --redact` leaves all of it out, and
/// `purge` deletes it with its incident.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuestSide {
    /// The guest's own words, short.
    #[serde(default)]
    pub words: Option<String>,
    /// Whether they were satisfied when we parted.
    #[serde(default)]
    pub satisfied: Option<Satisfied>,
    /// A phone number or e-mail, only given with `consent`.
    #[serde(default)]
    pub contact: Option<String>,
    /// The guest agreed to be contacted about this incident.
    #[serde(default)]
    pub consent: bool,
}

impl GuestSide {
    /// True when nothing was said: then nothing is recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.words.is_none() && self.satisfied.is_none() && self.contact.is_none() && !self.consent
    }

    /// As both stores keep it: one JSON object in one column, as it is exported. Written
    /// from JSON values, whose text cannot fail, in the struct's field order: the same text
    /// serde writes for it (a test holds them equal).
    #[must_use]
    pub fn to_json(&self) -> String {
        use serde_json::Value;
        format!(
            "{{\"words\":{},\"satisfied\":{},\"contact\":{},\"consent\":{}}}",
            Value::from(self.words.clone()),
            Value::from(self.satisfied.map(Satisfied::key)),
            Value::from(self.contact.clone()),
            self.consent,
        )
    }

    /// Read back from its column; `None` for text that is not one (an older or foreign
    /// log), shown as nothing said rather than failing the whole read.
    #[must_use]
    pub fn from_json(text: &str) -> Option<GuestSide> {
        serde_json::from_str(text).ok()
    }
}

keyed! {
    /// How the guest felt when we parted.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Satisfied {
        /// Satisfied.
        Yes = "yes",
        /// Partly.
        Partly = "partly",
        /// Not satisfied.
        No = "no",
    }
}

keyed! {
    #[clap]
    /// Where a recovery stands.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
    pub enum Status {
        /// Questions still open (interrupted, or being answered now).
        InProgress = "in_progress",
        /// Finished with every required step done.
        Complete = "complete",
        /// Finished with a required step skipped.
        Incomplete = "incomplete",
        /// Given up (started by mistake, a duplicate, the guest left): kept in the log, but
        /// nothing of it is due or unfinished.
        Abandoned = "abandoned",
    }
}

keyed! {
    /// Done or skipped.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Outcome {
        /// Done (for a follow-up: scheduled).
        Done = "done",
        /// Not done.
        Skipped = "skipped",
    }
}

/// One answered step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// Its phase.
    pub phase: Phase,
    /// The step's id in the playbook.
    pub id: String,
    /// Done or skipped.
    pub outcome: Outcome,
    /// When it was answered.
    #[serde(with = "crate::clock::rfc3339")]
    pub at: Timestamp,
    /// The option picked, by its stable value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<String>,
    /// A note from the employee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Why a step was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What an amend cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Money>,
    /// Who approved amends over the employee's limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// When a step skipped at the time was done afterwards (`recover done ID STEP`); the
    /// skip and its reason stay as they were.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::clock::rfc3339::option")]
    pub completed_at: Option<Timestamp>,
    /// Who did it afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_by: Option<String>,
    /// What they said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_note: Option<String>,
}

impl StepRecord {
    /// Done, at the time or afterwards.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.outcome == Outcome::Done || self.completed_at.is_some()
    }
}

/// A follow-up that is due, or was done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    /// The follow-up step's id.
    pub step: String,
    /// When it is due.
    #[serde(with = "crate::clock::rfc3339")]
    pub due: Timestamp,
    /// When it was done; `None` while open.
    #[serde(default, with = "crate::clock::rfc3339::option")]
    pub done_at: Option<Timestamp>,
    /// How it ended: `recovered`, `lost`, or `done` when not said.
    pub outcome: Option<FollowUpOutcome>,
    /// Who closed it.
    #[serde(default)]
    pub done_by: Option<String>,
    /// What was said when closing it.
    #[serde(default)]
    pub note: Option<String>,
}

keyed! {
    #[clap]
    /// Whether the customer was won back, as told by whoever closed the follow-up.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
    pub enum FollowUpOutcome {
        /// The customer is satisfied and will come back.
        Recovered = "recovered",
        /// The customer is not won back.
        Lost = "lost",
        /// Closed without saying.
        Done = "done",
    }
}

impl Incident {
    /// The record of step `id`, if answered.
    #[must_use]
    pub fn step(&self, id: &str) -> Option<&StepRecord> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// Seconds from the start to `at`, never below zero: a clock set back between start and
    /// resume would otherwise show `+-4h 59m` (see [`Incident::clock_went_back`]).
    #[must_use]
    pub fn since_start(&self, at: Timestamp) -> i64 {
        seconds_between(self.started_at, at).max(0)
    }

    /// The recorded times go back: a step answered before the start or before the step
    /// answered ahead of it, or the end before the last step. The system clock was set back
    /// (by hand, a bad NTP sync, another machine's clock); the timings are clamped to zero
    /// and reports leave this incident out of their medians.
    #[must_use]
    pub fn clock_went_back(&self) -> bool {
        let mut last = self.started_at;
        for s in &self.steps {
            if s.at < last {
                return true;
            }
            last = s.at;
        }
        self.finished_at.is_some_and(|f| f < last)
    }

    /// Time from the start to the first apology done, in seconds (never negative).
    #[must_use]
    pub fn time_to_apology(&self) -> Option<i64> {
        self.steps
            .iter()
            .find(|s| s.phase == Phase::Apologise && s.outcome == Outcome::Done)
            .map(|s| self.since_start(s.at))
    }

    /// Time from the start to the last fix step answered, in seconds (never negative), once
    /// no fix step is left (the fix is as done as it will be).
    #[must_use]
    pub fn time_to_fix(&self) -> Option<i64> {
        let fixes: Vec<&StepRecord> = self.steps.iter().filter(|s| s.phase == Phase::Fix).collect();
        if !fixes.iter().any(|s| s.outcome == Outcome::Done) {
            return None;
        }
        let past_fix = self.steps.iter().any(|s| s.phase > Phase::Fix) || self.status != Status::InProgress;
        past_fix.then(|| fixes.last().map(|s| self.since_start(s.at))).flatten()
    }

    /// True while something is left to do: unfinished, or a follow-up still open (an
    /// abandoned incident has nothing left to do). The stores ask this in SQL; tests ask it here.
    #[cfg(test)]
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.status == Status::InProgress
            || (self.status != Status::Abandoned && self.follow_ups.iter().any(|f| f.done_at.is_none()))
    }

    /// The amends given add up above the role's limit.
    #[must_use]
    pub fn over_limit(&self) -> bool {
        self.amends_total > self.limit
    }
}

/// Whole seconds from `a` to `b`.
#[must_use]
pub fn seconds_between(a: Timestamp, b: Timestamp) -> i64 {
    b.as_second() - a.as_second()
}

#[cfg(test)]
mod tests {
    use super::{GuestSide, Satisfied};

    #[test]
    fn the_guest_side_is_kept_as_serde_writes_it() {
        let sides = [
            GuestSide::default(),
            GuestSide {
                words: Some("Kalt \"Suppe\"\n\u{1b}[2J — ঠান্ডা".into()),
                satisfied: Some(Satisfied::Partly),
                contact: Some("+45 1234".into()),
                consent: true,
            },
            GuestSide { satisfied: Some(Satisfied::No), ..GuestSide::default() },
        ];
        for side in sides {
            assert_eq!(side.to_json(), serde_json::to_string(&side).unwrap());
            assert_eq!(GuestSide::from_json(&side.to_json()), Some(side));
        }
    }
}
