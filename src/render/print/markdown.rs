//! The training handbook in Markdown: a title, contents, "how we recover", then a section
//! per playbook. Plain CommonMark plus GitHub tables, so it reads well on GitHub, GitLab,
//! editors' previews and Pandoc, and still reads well as raw text.

use crate::i18n as ui;
use std::collections::HashSet;

use super::escape::{markdown as md, markdown_code as code};
use super::{AUTHORITY, INTRO, NEVER_PUSH, NEVER_PUSH_MEANS, SEVERITY, TITLE, approver, guest_say, limits};
use crate::playbook::{Phase, Playbook, Severity, Step};
use crate::policy::Policy;
use crate::render::playbook::Layout;
use crate::text::Text;

/// The Markdown handbook of `playbooks`, in the given order.
#[must_use]
pub fn markdown(playbooks: &[&Playbook], policy: &Policy, layout: &Layout) -> String {
    let mut slugs = Slugs::default();
    slugs.add(TITLE);
    slugs.add("Contents");
    let how = slugs.add("How we recover");
    let mut body = how_we_recover(policy, layout, &mut slugs);
    let mut contents = format!("- [How we recover](#{how})\n");
    for pb in playbooks {
        let title = pb.title.get(layout.lang);
        let anchor = slugs.add(title);
        contents.push_str(&format!("- [{}](#{anchor}) ({})\n", md(title), code(&pb.kind)));
        body.push_str(&playbook(pb, policy, layout, &mut slugs));
    }
    let doc = format!(
        "# {TITLE}\n\nPlaybooks for training: what to do and what to say when something has gone \
         wrong for a customer.\n\n## Contents\n\n{contents}{body}"
    );
    // Sections and list items each end in a blank line; one between blocks is enough.
    let mut tidy = String::with_capacity(doc.len());
    for line in doc.lines() {
        if !(line.is_empty() && tidy.ends_with("\n\n")) {
            tidy.push_str(line);
            tidy.push('\n');
        }
    }
    tidy
}

/// The opening section: the four phases, the rule, who may give what, severities.
fn how_we_recover(policy: &Policy, layout: &Layout, slugs: &mut Slugs) -> String {
    let mut out = format!("\n## How we recover\n\n{INTRO}\n\n");
    for (n, phase) in Phase::ALL.into_iter().enumerate() {
        out.push_str(&format!(
            "{}. **{}.** {}\n",
            n + 1,
            ui::phase(layout.lang, phase),
            super::phase_meaning(phase)
        ));
    }
    out.push_str(&format!("\n**{NEVER_PUSH}** {NEVER_PUSH_MEANS}\n"));
    slugs.add("Who may give what");
    out.push_str(&format!("\n### Who may give what\n\n{AUTHORITY}\n\n"));
    out.push_str(&format!("| Role | Limit per incident ({}) |\n|---|--:|\n", md(&policy.currency)));
    for (role, limit) in limits(policy, layout.lang) {
        out.push_str(&format!("| {} | {limit} |\n", md(role)));
    }
    slugs.add("How bad is it?");
    out.push_str(&format!("\n### How bad is it?\n\n{SEVERITY}\n\n"));
    for severity in Severity::ALL {
        out.push_str(&format!("- **{severity}**: {}\n", ui::severity_meaning(layout.lang, severity)));
    }
    out
}

/// One playbook's section.
fn playbook(pb: &Playbook, policy: &Policy, layout: &Layout, slugs: &mut Slugs) -> String {
    let lang = layout.lang;
    let mut out = format!("\n## {}\n\n", md(pb.title.get(lang)));
    if let Some(summary) = &pb.summary {
        out.push_str(&format!("{}\n\n", md(summary.get(lang))));
    }
    let mut kind = format!("- **Type:** {}", code(&pb.kind));
    if !pb.aliases.is_empty() {
        let aliases: Vec<String> = pb.aliases.iter().map(|a| code(a)).collect();
        kind.push_str(&format!(" (also {})", aliases.join(", ")));
    }
    out.push_str(&kind);
    out.push('\n');
    if !pb.servqual.is_empty() {
        let dims: Vec<&str> = pb.servqual.iter().map(|s| s.key()).collect();
        out.push_str(&format!("- **SERVQUAL:** {}\n", dims.join(", ")));
    }
    if !pb.failure_points.is_empty() {
        let points: Vec<String> = pb.failure_points.iter().map(|c| md(c.label.get(lang))).collect();
        out.push_str(&format!("- **Where it goes wrong:** {}\n", points.join(", ")));
    }
    for (n, phase) in Phase::ALL.into_iter().enumerate() {
        let heading = format!("{}. {}", n + 1, ui::phase(layout.lang, phase));
        slugs.add(&heading);
        out.push_str(&format!("\n### {heading}\n\n"));
        let steps = pb.phases.steps(phase);
        if steps.is_empty() {
            out.push_str("*Nothing in this phase.*\n");
        } else if phase == Phase::Amend {
            out.push_str(&amends(steps, policy, layout));
        } else {
            for (i, step) in steps.iter().enumerate() {
                out.push_str(&step_item(phase, step, i + 1, layout));
            }
        }
    }
    out
}

/// A step as a loose list item: what to do, its id and marks, the words to say as a quote,
/// the options.
fn step_item(phase: Phase, step: &Step, number: usize, layout: &Layout) -> String {
    let marker = format!("{number}. ");
    let pad = " ".repeat(marker.len());
    let mut out = marker;
    let marks = super::step_marks(phase, step);
    if let Some(first) = marks.first().filter(|m| matches!(m.as_str(), "optional" | "required")) {
        out.push_str(&format!("*{}{}.* ", first[..1].to_uppercase(), &first[1..]));
    }
    out.push_str(&format!("{} {}\n", md(step.action.get(layout.lang)), code(&step.id)));
    if let Some(due) = marks.iter().find(|m| m.starts_with("due")) {
        out.push_str(&format!("{pad}**{}{}.**\n", due[..1].to_uppercase(), &due[1..]));
    }
    if let Some(say) = &step.say {
        out.push('\n');
        for line in quote(say, layout) {
            out.push_str(&format!("{pad}{line}\n"));
        }
    }
    if !step.choose.is_empty() {
        out.push_str(&format!("\n{pad}{}\n", options(step, layout)));
    }
    out.push('\n');
    out
}

/// The amends as a table (what, cost, from which severity, who may give it), then the
/// words to say for those that have them, as quotes keyed by number.
fn amends(steps: &[Step], policy: &Policy, layout: &Layout) -> String {
    let mut out = format!(
        "| # | Amend | Cost ({}) | From | Who may give it |\n|--:|---|--:|---|---|\n",
        md(&policy.currency)
    );
    let mut quotes = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        let mut what = format!("{} {}", md(step.action.get(layout.lang)), code(&step.id));
        if step.is_required(Phase::Amend) {
            what.insert_str(0, "*Required.* ");
        }
        if !step.choose.is_empty() {
            what.push_str(&format!(" {}", options(step, layout)));
        }
        let cost = step.cost();
        out.push_str(&format!(
            "| {n} | {what} | {cost} | {} | {} |\n",
            step.severity.unwrap_or(Severity::Minor),
            md(&approver(policy, cost, layout.lang))
        ));
        if let Some(say) = &step.say {
            quotes.push((n, say));
        }
    }
    if !quotes.is_empty() {
        out.push_str("\nWhat to say when you offer them:\n\n");
        let blocks: Vec<String> = quotes
            .into_iter()
            .map(|(n, say)| {
                let mut lines = quote(say, layout);
                lines[0] = lines[0].replacen("> ", &format!("> **{n}.** "), 1);
                lines.join("\n")
            })
            .collect();
        out.push_str(&blocks.join("\n>\n"));
        out.push('\n');
    }
    out
}

/// The words to say as block-quote lines, the guest's language below when asked for.
fn quote(say: &Text, layout: &Layout) -> Vec<String> {
    let mut lines = vec![format!("> \u{201c}{}\u{201d}", md(say.get(layout.lang)))];
    if let Some((guest, text)) = guest_say(say, layout.lang, layout.guest) {
        lines.push(">".to_owned());
        lines.push(format!("> *{}:* \u{201c}{}\u{201d}", md(guest), md(text)));
    }
    lines
}

/// The options a step offers, on one line.
fn options(step: &Step, layout: &Layout) -> String {
    let labels: Vec<String> = step.choose.iter().map(|c| md(c.label.get(layout.lang))).collect();
    format!("Options: {}.", labels.join(" · "))
}

/// The anchors headings get on GitHub and GitLab, handed out in document order so the
/// contents links match: lowercase, punctuation dropped, spaces as dashes, repeats numbered.
#[derive(Default)]
struct Slugs {
    taken: HashSet<String>,
}

impl Slugs {
    /// Registers a heading's text and returns its anchor.
    fn add(&mut self, heading: &str) -> String {
        let shown = crate::render::safe::clean(heading).split_whitespace().collect::<Vec<_>>().join(" ");
        let base: String = shown
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                // Letters' combining marks (Bengali vowel signs) stay; punctuation goes.
                c if !c.is_ascii() && !is_punctuation(c) => Some(c),
                _ => None,
            })
            .collect();
        let mut slug = base.clone();
        let mut n = 0;
        while self.taken.contains(&slug) {
            n += 1;
            slug = format!("{base}-{n}");
        }
        self.taken.insert(slug.clone());
        slug
    }
}

/// Non-ASCII punctuation and symbols common in titles: Latin-1 signs, general punctuation
/// (dashes, curly quotes, ellipsis), CJK and full-width punctuation.
fn is_punctuation(c: char) -> bool {
    matches!(c, '\u{a0}'..='\u{bf}' | '\u{d7}' | '\u{f7}' | '\u{2000}'..='\u{206f}' | '\u{3000}'..='\u{303f}' | '\u{ff01}'..='\u{ff0f}')
}

#[cfg(test)]
mod tests {
    use super::Slugs;

    #[test]
    fn anchors_follow_github() {
        let mut s = Slugs::default();
        assert_eq!(s.add("Reservation lost or wrong"), "reservation-lost-or-wrong");
        assert_eq!(s.add("1. Apologise"), "1-apologise");
        assert_eq!(s.add("1. Apologise"), "1-apologise-1");
        assert_eq!(s.add("Wi-Fi “down” — again!"), "wi-fi-down--again");
        assert_eq!(s.add("ভুল অর্ডার"), "ভুল-অর্ডার");
    }
}
