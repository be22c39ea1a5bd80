//! A library as one site sees it: the emergency number filled into the text that says to
//! call it, and amounts in the site's own currency. Done once, where a command loads the
//! library, so the session, `show`, `print`, drills and the recorded incident all agree.

use super::check::{Level, Problem};
use super::{Library, Phase, Playbook};
use crate::money::Money;
use crate::policy::{Policy, Site, unfit_number};
use crate::render::safe::one_line;
use crate::text::Text;
use crate::yaml::{Document, Pos};

/// The placeholders playbook text may hold, each filled from the policy.
pub const PLACEHOLDERS: &[&str] = &["emergency"];

/// The first `{word}` in `text` that is no placeholder `recover` fills: a typo such as
/// `{emergancy}` would otherwise reach the employee as it is written.
#[must_use]
pub fn unknown_placeholder(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(open) = memchr::memchr(b'{', rest.as_bytes()) {
        let after = &rest[open + 1..];
        let word_len = after.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        if word_len > 0 && after[word_len..].starts_with('}') {
            let word = &after[..word_len];
            if !PLACEHOLDERS.contains(&word) {
                return Some(&rest[open..open + word_len + 2]);
            }
        }
        rest = after;
    }
    None
}

/// `text` with each `{emergency}` replaced by `number`.
fn fill(text: &mut Text, number: &str) {
    let one = |s: &mut String| {
        if s.contains("{emergency}") {
            *s = s.replace("{emergency}", number);
        }
    };
    match text {
        Text::Plain(s) => one(s),
        Text::Translated(map) => map.values_mut().for_each(one),
    }
}

/// Every text of `pb` that a step may show, to fill.
fn texts_mut(pb: &mut Playbook) -> impl Iterator<Item = &mut Text> {
    let Playbook { title, summary, failure_points, phases, never_say, .. } = pb;
    let steps = [&mut phases.apologise, &mut phases.fix, &mut phases.amend, &mut phases.follow_up];
    std::iter::once(title)
        .chain(summary.as_mut())
        .chain(failure_points.iter_mut().map(|c| &mut c.label))
        .chain(steps.into_iter().flat_map(|s| s.iter_mut()).flat_map(|s| {
            std::iter::once(&mut s.action)
                .chain(s.say.as_mut())
                .chain(s.choose.iter_mut().map(|c| &mut c.label))
        }))
        .chain(never_say.iter_mut().flat_map(|n| [&mut n.phrase, &mut n.why]))
}

impl Library {
    /// The library as the desk at `site` uses it (no site: the policy's defaults).
    #[must_use]
    pub fn for_site(mut self, site: Option<&str>) -> Library {
        let number = self.policy.emergency_at(site).to_owned();
        for pb in &mut self.playbooks {
            texts_mut(pb).for_each(|t| fill(t, &number));
        }
        let Some(here) = self.policy.site(site).filter(|s| s.has_money()).cloned() else {
            return self;
        };
        // `check` proved each amount exact and bounded; one that is not keeps its old value.
        for pb in &mut self.playbooks {
            let kind = pb.kind.clone();
            for step in &mut pb.phases.amend {
                if let Some(cost) = step.cost {
                    let written = here.costs.get(&format!("{kind}/{}", step.id)).copied();
                    step.cost = Some(here.amount(cost, written).unwrap_or(cost));
                }
            }
        }
        for (name, role) in &mut self.policy.roles {
            let written = here.limits.get(name).copied();
            let limit = role.limit();
            role.set_limit(here.amount(limit, written).unwrap_or(limit));
        }
        if let Some(currency) = &here.currency {
            self.policy.currency.clone_from(currency);
        }
        self
    }
}

/// The policy's first problem with its sites and emergency numbers, placed in `doc`: a
/// number that is none, a currency that is no code, a scale not above zero, a limit for a
/// role the policy does not have or one that is no amount in the site's currency.
pub(super) fn site_problem(policy: &Policy, doc: &Document) -> Option<(Pos, String)> {
    let at = |path: &str, why: String| Some((doc.pos_of(path, false), why));
    if let Some(why) = policy.emergency.as_deref().and_then(unfit_number) {
        return at("emergency", format!("the emergency number: {why}"));
    }
    for (name, site) in &policy.sites {
        let path = format!("sites.{name}");
        if let Some(why) = site.emergency.as_deref().and_then(unfit_number) {
            return at(&format!("{path}.emergency"), format!("site `{name}`: the emergency number: {why}"));
        }
        if let Some(c) =
            site.currency.as_deref().filter(|c| c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return at(
                &format!("{path}.currency"),
                format!(
                    "site `{name}`: `{}` is not a currency code (write three capitals, e.g. NOK)",
                    one_line(c)
                ),
            );
        }
        if site.scale.is_some_and(|s| s <= Money::ZERO) {
            return at(&format!("{path}.scale"), format!("site `{name}`: the scale must be above zero"));
        }
        if let Some(role) = site.limits.keys().find(|r| policy.role(r).is_none()) {
            return at(
                &format!("{path}.limits.{role}"),
                format!("site `{name}`: the policy has no role `{role}`"),
            );
        }
        let currency = site.currency.as_deref().unwrap_or(&policy.currency);
        for (role, r) in &policy.roles {
            let written = site.limits.get(role).copied();
            if let Some(why) = unfit_amount(site, r.limit(), written, currency, "limits") {
                let path =
                    if written.is_some() { format!("{path}.limits.{role}") } else { format!("{path}.scale") };
                return at(&path, format!("site `{name}`: the limit of `{role}`: {why}"));
            }
        }
    }
    None
}

/// Why the site's amount for `base` (or the `written` one) is no amount in `currency`.
/// `under` names where the site's own amount would go (`costs`, `limits`).
fn unfit_amount(
    site: &Site,
    base: Money,
    written: Option<Money>,
    currency: &str,
    under: &str,
) -> Option<String> {
    match site.amount(base, written) {
        None => Some(format!("{base} times the scale is over the largest amount accepted")),
        Some(m) if m.is_negative() => Some(format!("{m} is negative")),
        Some(m) => m.unfit_for(currency).map(|why| match (written, site.scale) {
            (None, Some(scale)) => {
                format!("{base} × {scale} = {why}; write the amount under `{under}`")
            }
            _ => why,
        }),
    }
}

/// Every problem of the sites' costs against the playbooks: a `type/step` that names no
/// amend with a cost, an amount that is not exact in the site's currency.
pub(super) fn cost_problems(
    policy: &Policy,
    playbooks: &[Playbook],
    file: &str,
    doc: &Document,
) -> Vec<Problem> {
    let mut out = Vec::new();
    for (name, site) in policy.sites.iter().filter(|(_, s)| s.has_money()) {
        let currency = site.currency.as_deref().unwrap_or(&policy.currency);
        for key in site.costs.keys() {
            let known = key.split_once('/').is_some_and(|(kind, id)| {
                playbooks.iter().any(|pb| {
                    pb.kind == kind
                        && pb.phases.steps(Phase::Amend).iter().any(|s| s.id == id && s.cost.is_some())
                })
            });
            if !known {
                out.push(Problem::new(
                    file,
                    doc.pos_of(&format!("sites.{name}.costs.{key}"), true),
                    Level::Error,
                    format!("site `{name}`: `{key}` names no amend with a cost (write `type/step-id`)"),
                ));
            }
        }
        for pb in playbooks {
            for step in &pb.phases.amend {
                let Some(cost) = step.cost else { continue };
                let key = format!("{}/{}", pb.kind, step.id);
                let written = site.costs.get(&key).copied();
                if let Some(why) = unfit_amount(site, cost, written, currency, "costs") {
                    let path = if written.is_some() {
                        format!("sites.{name}.costs.{key}")
                    } else {
                        format!("sites.{name}.scale")
                    };
                    out.push(Problem::new(
                        file,
                        doc.pos_of(&path, false),
                        Level::Error,
                        format!("site `{name}`: the cost of `{key}`: {why}"),
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_placeholders_it_does_not_fill() {
        assert_eq!(unknown_placeholder("call {emergency} now"), None);
        assert_eq!(unknown_placeholder("call {emergancy} now"), Some("{emergancy}"));
        assert_eq!(unknown_placeholder("a { brace } and {} and {x y}"), None);
        assert_eq!(unknown_placeholder("{{emergency}} then {site}"), Some("{site}"));
    }

    #[test]
    fn numbers_are_digits() {
        for good in ["112", "999", "+47 113", "1-1-2", "000"] {
            assert_eq!(unfit_number(good), None, "{good}");
        }
        for bad in ["", "1", "11a", "call 112", "1  12", "+", "1234567890123456"] {
            assert!(unfit_number(bad).is_some(), "{bad}");
        }
    }
}
