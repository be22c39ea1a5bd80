//! Training handbooks: Markdown and printable HTML.

use super::playbook::Layout;
use crate::playbook::Playbook;
use crate::policy::Policy;

/// The Markdown handbook.
#[must_use]
pub fn markdown(playbooks: &[&Playbook], policy: &Policy, layout: &Layout) -> String {
    let _ = (playbooks, policy, layout);
    String::new()
}

/// The printable HTML handbook.
#[must_use]
pub fn html(playbooks: &[&Playbook], policy: &Policy, layout: &Layout) -> String {
    let _ = (playbooks, policy, layout);
    String::new()
}
