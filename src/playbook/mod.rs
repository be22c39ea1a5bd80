//! The playbook model: what a failure type's recovery looks like, phase by phase.

mod built_in;
pub mod check;
#[cfg(test)]
mod content_tests;
pub mod library;
mod load;
pub mod site;

pub use built_in::{follow_up_action as built_in_follow_up_action, listing as built_in_listing};
pub use check::{Level, Problem};
pub use library::{Library, Origin, ReadError, UnknownType};

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::duration::Within;
use crate::keyed::keyed;
use crate::money::Money;
use crate::text::{Choice, Text};

/// One failure type's playbook as written in its YAML file. The loader decodes it field by
/// field and step by step, so one problem never hides another; the derives serve the
/// schema and output.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "recover playbook")]
pub struct Playbook {
    /// What `--type` matches: lowercase letters, digits and dashes.
    #[serde(rename = "type")]
    #[schemars(pattern(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"))]
    pub kind: String,
    /// The failure in a few words.
    pub title: Text,
    /// Other names `--type` accepts.
    #[serde(default)]
    #[schemars(inner(pattern(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")))]
    pub aliases: Vec<String>,
    /// What went wrong for the customer, in a sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Text>,
    /// The SERVQUAL dimensions this failure hurts.
    #[serde(default)]
    pub servqual: Vec<Servqual>,
    /// Where in the customer's journey this goes wrong; incidents are tagged with one.
    #[serde(default)]
    pub failure_points: Vec<Choice>,
    /// The guest may be hurt (an allergen, a foreign object, an injury, a threat): the
    /// playbook must open with a required safety step (id `safety…`) before anything else,
    /// so health comes before words and money.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub possible_harm: bool,
    /// The four phases, in order.
    pub phases: Phases,
    /// What a stressed employee blurts out instead of the playbook's words (excuses, blame,
    /// "policy says"), each with why it is wrong: drills offer them beside the `say` words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub never_say: Vec<NeverSay>,
}

/// A phrase never to say to the customer, and why.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NeverSay {
    /// The words, as people say them under stress.
    pub phrase: Text,
    /// Why they hurt the recovery, for the drill's feedback.
    pub why: Text,
}

/// The top-level keys of a playbook file, in their written order.
pub const PLAYBOOK_KEYS: [&str; 9] = [
    "type",
    "title",
    "aliases",
    "summary",
    "servqual",
    "failure_points",
    "possible_harm",
    "phases",
    "never_say",
];

/// The four phases of a recovery, in the order they happen. Decoded whole only when
/// all four are there, in order (the loader reads a file that is not part by part, to
/// say what is wrong).
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phases {
    /// Say sorry at once, own it, no excuses.
    #[schemars(length(min = 1))]
    pub apologise: Vec<Step>,
    /// Solve the actual problem now, without the customer pushing.
    #[schemars(length(min = 1))]
    pub fix: Vec<Step>,
    /// Make it right beyond the fix, in proportion to the harm.
    pub amend: Vec<Step>,
    /// Check back with the customer later.
    pub follow_up: Vec<Step>,
}

/// The phases' keys, in order.
const PHASE_KEYS: &[&str] = &["apologise", "fix", "amend", "follow_up"];

impl<'de> Deserialize<'de> for Phases {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> serde::de::Visitor<'de> for InOrder {
            type Value = Phases;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the phases apologise, fix, amend and follow_up, in that order")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Phases, A::Error> {
                let mut phases = Phases::default();
                let mut last: Option<Phase> = None;
                let mut seen = 0;
                while let Some(key) = map.next_key::<String>()? {
                    let Some(phase) = Phase::from_key(&key) else {
                        return Err(serde::de::Error::unknown_field(&key, PHASE_KEYS));
                    };
                    if last.is_some_and(|l| l >= phase) {
                        return Err(serde::de::Error::custom(format!("phase `{phase}` is out of order")));
                    }
                    last = Some(phase);
                    seen += 1;
                    // An empty phase (nothing after the colon) has no steps.
                    *phases.steps_mut(phase) = map.next_value::<Option<Vec<Step>>>()?.unwrap_or_default();
                }
                // In strict order, four keys are all four phases.
                if seen == Phase::ALL.len() {
                    Ok(phases)
                } else {
                    Err(serde::de::Error::custom(
                        "all four phases are needed: apologise, fix, amend, follow_up",
                    ))
                }
            }
        }
        d.deserialize_map(InOrder)
    }
}

impl Phases {
    /// The steps of one phase.
    #[must_use]
    pub fn steps(&self, phase: Phase) -> &[Step] {
        match phase {
            Phase::Apologise => &self.apologise,
            Phase::Fix => &self.fix,
            Phase::Amend => &self.amend,
            Phase::FollowUp => &self.follow_up,
        }
    }

    /// The steps of one phase, to fill while loading.
    pub fn steps_mut(&mut self, phase: Phase) -> &mut Vec<Step> {
        match phase {
            Phase::Apologise => &mut self.apologise,
            Phase::Fix => &mut self.fix,
            Phase::Amend => &mut self.amend,
            Phase::FollowUp => &mut self.follow_up,
        }
    }
}

impl Playbook {
    /// Every step with its phase, in playbook order.
    pub fn all_steps(&self) -> impl Iterator<Item = (Phase, &Step)> {
        Phase::ALL.into_iter().flat_map(move |p| self.phases.steps(p).iter().map(move |s| (p, s)))
    }

    /// The amends offered at `severity`, in playbook order: those from this severity down,
    /// less those an offered amend replaces (`instead_of`).
    #[must_use]
    pub fn amends_at(&self, severity: Severity) -> Vec<&Step> {
        amends_offered(&self.phases.amend, severity)
    }

    /// The step with this id, with its phase.
    #[must_use]
    pub fn step(&self, id: &str) -> Option<(Phase, &Step)> {
        self.all_steps().find(|(_, s)| s.id == id)
    }

    /// True if `name` is this playbook's type or one of its aliases (any case).
    #[must_use]
    pub fn answers_to(&self, name: &str) -> bool {
        self.kind.eq_ignore_ascii_case(name) || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
    }
}

/// One thing the employee does.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Unique within the playbook; answers files and the log name steps by it.
    #[schemars(pattern(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"))]
    pub id: String,
    /// What to do.
    #[serde(rename = "do")]
    pub action: Text,
    /// The exact words to say to the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub say: Option<Text>,
    /// Options the employee picks one of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choose: Vec<Choice>,
    /// Overrides the phase's default: apologise and fix steps are required, amend and
    /// follow-up steps optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Amend steps: what it costs, in the policy's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Money>,
    /// Amend steps: offered from this severity up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Follow-up steps: due this long after the incident started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<Within>,
    /// Amend steps: the amends this one replaces when both are offered (the whole bill
    /// waived replaces the dish off the bill), so a bundle never pays twice for one harm.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instead_of: Vec<String>,
}

impl Step {
    /// Whether skipping this step leaves the recovery incomplete.
    #[must_use]
    pub fn is_required(&self, phase: Phase) -> bool {
        self.required.unwrap_or(matches!(phase, Phase::Apologise | Phase::Fix))
    }

    /// The cost, zero when none is written.
    #[must_use]
    pub fn cost(&self) -> Money {
        self.cost.unwrap_or(Money::ZERO)
    }

    /// The lowest severity at which this amend is offered; an amend that names none is
    /// offered from minor up.
    #[must_use]
    pub fn offered_from(&self) -> Severity {
        self.severity.unwrap_or_default()
    }

    /// Whether this amend is offered at `severity`.
    #[must_use]
    pub fn offered_at(&self, severity: Severity) -> bool {
        self.offered_from() <= severity
    }
}

/// Of `amends`, those offered at `severity`, without the ones an offered amend replaces
/// (`instead_of`): the bundle the engine offers, and the handbook prints.
#[must_use]
pub fn amends_offered(amends: &[Step], severity: Severity) -> Vec<&Step> {
    let offered: Vec<&Step> = amends.iter().filter(|s| s.offered_at(severity)).collect();
    offered.iter().copied().filter(|s| !offered.iter().any(|o| o.instead_of.contains(&s.id))).collect()
}

keyed! {
    /// The phases, as named in playbooks, answers and JSON.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema)]
    pub enum Phase {
        /// Say sorry and own it.
        Apologise = "apologise",
        /// Solve the problem.
        Fix = "fix",
        /// Make it right beyond the fix.
        Amend = "amend",
        /// Check back later.
        FollowUp = "follow_up",
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.key())
    }
}

keyed! {
    #[clap]
    /// How badly the customer was let down; decides which amends are offered.
    #[derive(
        Clone,
        Copy,
        Debug,
        PartialEq,
        Eq,
        PartialOrd,
        Ord,
        Hash,
        Deserialize,
        Serialize,
        JsonSchema,
        clap::ValueEnum,
    )]
    pub enum Severity {
        /// An annoyance, put right in minutes.
        Minor = "minor",
        /// Real harm to the visit: time lost, plans upset.
        Major = "major",
        /// The visit is ruined or the customer is at risk.
        Critical = "critical",
    }
}

/// What an incident is taken to be before anyone says otherwise (and what an amend that
/// names no severity is offered from).
impl Default for Severity {
    fn default() -> Severity {
        Severity::Minor
    }
}

impl Severity {
    /// The next severity up (critical stays critical).
    #[must_use]
    pub fn next_up(self) -> Severity {
        match self {
            Severity::Minor => Severity::Major,
            Severity::Major | Severity::Critical => Severity::Critical,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.key())
    }
}

keyed! {
    /// The SERVQUAL dimensions of service quality, for tagging what a failure hurts.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema)]
    pub enum Servqual {
        /// Doing what was promised, dependably.
        Reliability = "reliability",
        /// Prompt help, willingly given.
        Responsiveness = "responsiveness",
        /// Competence and courtesy that inspire trust.
        Assurance = "assurance",
        /// Individual care and attention.
        Empathy = "empathy",
        /// Facilities, equipment, appearance.
        Tangibles = "tangibles",
    }
}
