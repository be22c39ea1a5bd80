//! Training handbooks (`recover print`): Markdown for reading on screen and printable HTML
//! for paper. Both open with the same "how we recover" pages, written here once.

pub mod escape;
mod html;
mod markdown;

pub use html::html;
pub use markdown::markdown;

use crate::money::Money;
use crate::playbook::{Phase, Step};
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

/// The handbook's title.
pub const TITLE: &str = "Service recovery handbook";

/// The opening sentence of "how we recover".
pub const INTRO: &str = "Something has gone wrong for a customer. Every recovery has four parts, \
     in this order, and the faster the apology and the fix, the better.";

/// The rule every playbook rests on.
pub const NEVER_PUSH: &str = "The customer never has to push for the next step.";

/// What the rule means in practice.
pub const NEVER_PUSH_MEANS: &str = "Do the whole fix at once and offer the amend that fits, \
     not the minimum first and a little more each time the customer complains.";

/// What the role limits mean.
pub const AUTHORITY: &str = "Give an amend up to your role's limit on the spot, without asking anyone. \
     Above it, get a named approver at once, while the customer is still with you.";

/// How severity decides the amends offered.
pub const SEVERITY: &str = "Each amend is offered from a severity up:";

/// What a phase asks of the employee, in a sentence or two.
#[must_use]
pub fn phase_meaning(phase: Phase) -> &'static str {
    match phase {
        Phase::Apologise => {
            "Sincerely and at once. Own it: no excuses, no blame on the customer. \
             \u{201c}I will fix this for you.\u{201d}"
        }
        Phase::Fix => "Solve the actual problem now, completely, without making the customer ask twice.",
        Phase::Amend => {
            "Make it right beyond the fix, in proportion to the harm. Offer options, so the \
             customer regains a sense of control."
        }
        Phase::FollowUp => {
            "Every complaint, big or small, gets a follow-up soon after: check the customer is \
             satisfied and tell them what we changed."
        }
    }
}

/// Each role's shown name and limit, in policy order (lowest first by convention).
#[must_use]
pub fn limits<'a>(policy: &'a Policy, lang: &str) -> Vec<(&'a str, Money)> {
    policy.roles.iter().map(|(name, role)| (policy.role_label(name, lang), role.limit())).collect()
}

/// Who may give an amend of `cost` on their own: the lowest role whose limit covers it
/// ("supervisor or above"), or a warning when no role's does (`check` reports that too).
#[must_use]
pub fn approver(policy: &Policy, cost: Money, lang: &str) -> String {
    match policy.approver_for(cost) {
        Some(role) => {
            let label = policy.role_label(role, lang);
            if policy.limit_of(role) == Some(policy.highest_limit()) {
                label.to_owned()
            } else {
                format!("{label} or above")
            }
        }
        None => "nobody: above every limit".to_owned(),
    }
}

/// The facts printed under a step besides its cost: optional or required, when due.
#[must_use]
pub fn step_marks(phase: Phase, step: &Step) -> Vec<String> {
    let mut marks = Vec::new();
    let required = step.is_required(phase);
    match phase {
        Phase::Apologise | Phase::Fix if !required => marks.push("optional".to_owned()),
        Phase::Amend | Phase::FollowUp if required => marks.push("required".to_owned()),
        _ => {}
    }
    if let Some(within) = step.within {
        marks.push(format!("due within {within}"));
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
