//! Training handbooks (`recover print`): Markdown for reading on screen and printable HTML
//! for paper. Both open with the same "how we recover" pages, their words in the UI
//! catalog (`print_*` keys) so a handbook reads in the chosen language.

mod card;
pub mod escape;
mod html;
mod markdown;

pub use card::cards;
pub use html::html;
pub use markdown::markdown;

use crate::duration::Within;
use crate::i18n as ui;
use crate::money::Money;
use crate::playbook::{Phase, Severity, Step};
use crate::policy::Policy;

/// The paper the HTML handbook is laid out for; each playbook fits one page of either.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Paper {
    /// 210 × 297 mm, the rest of the world.
    #[default]
    A4,
    /// 8.5 × 11 in, North America.
    Letter,
}

impl Paper {
    /// The CSS `@page size` keyword.
    #[must_use]
    pub fn css(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::Letter => "letter",
        }
    }
}

/// What a phase asks of the employee, in a sentence or two, in `lang`.
#[must_use]
pub fn phase_meaning(lang: &str, phase: Phase) -> &'static str {
    ui::t(lang, MEANING_KEYS[phase as usize])
}

/// The catalog keys of [`phase_meaning`], in phase order.
pub const MEANING_KEYS: [&str; 4] =
    ["print_meaning_apologise", "print_meaning_fix", "print_meaning_amend", "print_meaning_follow_up"];

/// A role as the printouts show it: its name in the reader's language, the language that
/// name is actually in (for HTML `lang`), and its limit.
pub struct RoleLimit<'a> {
    /// The name shown.
    pub label: &'a str,
    /// The language of `label`, when the policy says it.
    pub lang: Option<&'a str>,
    /// What the role may give per incident.
    pub limit: Money,
}

/// Each role's shown name and limit, in policy order (lowest first by convention).
#[must_use]
pub fn limits<'a>(policy: &'a Policy, lang: &str) -> Vec<RoleLimit<'a>> {
    policy
        .roles
        .iter()
        .map(|(name, role)| RoleLimit {
            label: policy.role_label(name, lang),
            lang: policy.role_label_lang(name, lang),
            limit: role.limit(),
        })
        .collect()
}

/// Who may give a bundle, for the renderers to word in their own markup.
pub enum Approver<'a> {
    /// Every role: the lowest role's limit covers it.
    Anyone,
    /// The lowest role whose limit covers it, alone, or anyone with the approval of
    /// someone in it; `or_above` unless it is the top role.
    Role {
        /// The role's shown name and its language.
        label: &'a str,
        /// The language of `label`, when the policy says it.
        lang: Option<&'a str>,
        /// Higher roles may give it too.
        or_above: bool,
    },
    /// No role's limit covers it (`check` reports that too).
    Nobody,
}

/// One severity's bundle: what the tool offers at it, all at once, and who may give it.
pub struct Bundle<'a> {
    /// The severity.
    pub severity: Severity,
    /// Every amend offered at it, added up.
    pub total: Money,
    /// Who may give it: the engine's rule of authority, for the whole bundle.
    pub by: Approver<'a>,
}

/// The bundle of each severity at which `amends` offers any, lowest first: the limit is
/// for the bundle, so a cheap amend of a dear bundle still needs the bundle's approver.
#[must_use]
pub fn bundles<'a>(amends: &[Step], policy: &'a Policy, lang: &str) -> Vec<Bundle<'a>> {
    Severity::ALL
        .into_iter()
        .filter_map(|severity| {
            let offered = crate::playbook::amends_offered(amends, severity);
            if offered.is_empty() {
                return None;
            }
            let total: Money = offered.iter().map(|s| s.cost()).sum();
            Some(Bundle { severity, total, by: approver(policy, total, lang) })
        })
        .collect()
}

/// Who may give a bundle of `total`, as the engine decides it ([`crate::engine::lowest_role_for`]).
#[must_use]
pub fn approver<'a>(policy: &'a Policy, total: Money, lang: &str) -> Approver<'a> {
    let lowest = policy.default_role();
    match crate::engine::lowest_role_for(policy, total) {
        Some(role) if Some(role) == lowest => Approver::Anyone,
        Some(role) => Approver::Role {
            label: policy.role_label(role, lang),
            lang: policy.role_label_lang(role, lang),
            or_above: policy.limit_of(role) != Some(policy.highest_limit()),
        },
        None => Approver::Nobody,
    }
}

/// [`Approver`] in plain words (text and Markdown).
#[must_use]
pub fn approver_words(by: &Approver, lang: &str) -> String {
    match by {
        Approver::Anyone => ui::t(lang, "print_anyone").to_owned(),
        Approver::Role { label, or_above: true, .. } => ui::f(lang, "print_or_above", &[("role", label)]),
        Approver::Role { label, .. } => ui::f(lang, "print_role_only", &[("role", label)]),
        Approver::Nobody => ui::t(lang, "print_nobody").to_owned(),
    }
}

/// A fact printed under a step besides its cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// An apologise or fix step that may be skipped.
    Optional,
    /// An amend or follow-up step that must be done.
    Required,
    /// A follow-up due this long after the incident started.
    Due(Within),
}

/// The facts printed under a step besides its cost: optional or required, when due.
#[must_use]
pub fn step_marks(phase: Phase, step: &Step) -> Vec<Mark> {
    let mut marks = Vec::new();
    let required = step.is_required(phase);
    match phase {
        Phase::Apologise | Phase::Fix if !required => marks.push(Mark::Optional),
        Phase::Amend | Phase::FollowUp if required => marks.push(Mark::Required),
        _ => {}
    }
    if let Some(within) = step.within {
        marks.push(Mark::Due(within));
    }
    marks
}

/// The words to say in the guest's language, when asked for and different from the reader's.
#[must_use]
pub fn guest_say<'a>(
    say: &'a crate::text::Text,
    lang: &str,
    guest: Option<&'a str>,
) -> Option<(&'a str, &'a str)> {
    let guest = guest.filter(|g| *g != lang)?;
    let text = say.exactly(guest).filter(|t| *t != say.get(lang))?;
    Some((guest, text))
}
