//! The training handbook in Markdown: a title, contents, "how we recover", then a section
//! per playbook. Plain CommonMark plus GitHub tables, so it reads well on GitHub, GitLab,
//! editors' previews and Pandoc, and still reads well as raw text. Every word of its own
//! comes from the UI catalog in the reader's language, escaped like playbook text.

use crate::i18n as ui;
use std::collections::HashSet;

use super::escape::{markdown as md, markdown_code as code};
use super::{Mark, approver_words, bundles, guest_say, limits};
use crate::playbook::{Phase, Playbook, Severity, Step};
use crate::policy::Policy;
use crate::render::playbook::Layout;
use crate::text::Text;

/// The Markdown handbook of `playbooks`, in the given order.
#[must_use]
pub fn markdown(playbooks: &[&Playbook], policy: &Policy, layout: &Layout) -> String {
    let lang = layout.lang;
    let title = ui::t(lang, "print_title");
    let contents_heading = ui::t(lang, "print_contents");
    let how_heading = ui::t(lang, "print_how");
    // Anchors are handed out in document order, from the headings as shown.
    let mut slugs = Slugs::default();
    slugs.add(title);
    slugs.add(contents_heading);
    let how = slugs.add(how_heading);
    let mut body = how_we_recover(policy, layout, &mut slugs);
    let mut contents = format!("- [{}](#{how})\n", md(how_heading));
    for pb in playbooks {
        let title = pb.title.get(lang);
        let anchor = slugs.add(title);
        contents.push_str(&format!("- [{}](#{anchor}) ({})\n", md(title), code(&pb.kind)));
        body.push_str(&playbook(pb, policy, layout, &mut slugs));
    }
    let doc = format!(
        "# {}\n\n{}\n\n## {}\n\n{contents}{body}",
        md(title),
        md(ui::t(lang, "print_subtitle")),
        md(contents_heading)
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
    let lang = layout.lang;
    let mut out = format!("\n## {}\n\n{}\n\n", md(ui::t(lang, "print_how")), md(ui::t(lang, "print_intro")));
    for (n, phase) in Phase::ALL.into_iter().enumerate() {
        out.push_str(&format!(
            "{}. **{}.** {}\n",
            n + 1,
            md(ui::phase(lang, phase)),
            md(super::phase_meaning(lang, phase))
        ));
    }
    out.push_str(&format!(
        "\n**{}** {}\n",
        md(ui::t(lang, "print_never_push")),
        md(ui::t(lang, "print_never_push_means"))
    ));
    let who = ui::t(lang, "print_who");
    slugs.add(who);
    out.push_str(&format!("\n### {}\n\n{}\n\n", md(who), md(ui::t(lang, "print_authority"))));
    out.push_str(&format!(
        "| {} | {} |\n|---|--:|\n",
        md(ui::t(lang, "print_role")),
        md(&ui::f(lang, "print_limit", &[("currency", &policy.currency)]))
    ));
    for role in limits(policy, lang) {
        out.push_str(&format!("| {} | {} |\n", md(role.label), role.limit));
    }
    let how_bad = ui::t(lang, "print_how_bad");
    slugs.add(how_bad);
    out.push_str(&format!("\n### {}\n\n{}\n\n", md(how_bad), md(ui::t(lang, "print_severity"))));
    for severity in Severity::ALL {
        out.push_str(&format!(
            "- **{}**: {}\n",
            md(ui::severity(lang, severity)),
            md(ui::severity_meaning(lang, severity))
        ));
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
    let mut kind = format!("- **{}:** {}", md(ui::t(lang, "print_type")), code(&pb.kind));
    if !pb.aliases.is_empty() {
        let aliases: Vec<String> = pb.aliases.iter().map(|a| code(a)).collect();
        kind.push_str(&format!(
            " ({})",
            fill(ui::t(lang, "print_also"), &[("aliases", &aliases.join(", "))])
        ));
    }
    out.push_str(&kind);
    out.push('\n');
    if !pb.servqual.is_empty() {
        let dims: Vec<String> = pb.servqual.iter().map(|s| ui::servqual(lang, s.key())).collect();
        out.push_str(&format!("- **SERVQUAL:** {}\n", dims.join(", ")));
    }
    if !pb.failure_points.is_empty() {
        let points: Vec<String> = pb.failure_points.iter().map(|c| md(c.label.get(lang))).collect();
        out.push_str(&format!("- **{}:** {}\n", md(ui::t(lang, "print_where")), points.join(", ")));
    }
    for (n, phase) in Phase::ALL.into_iter().enumerate() {
        let name = ui::phase(lang, phase);
        slugs.add(&format!("{}. {name}", n + 1));
        out.push_str(&format!("\n### {}. {}\n\n", n + 1, md(name)));
        let steps = pb.phases.steps(phase);
        if steps.is_empty() {
            out.push_str(&format!("*{}*\n", md(ui::t(lang, "print_nothing"))));
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
    let lang = layout.lang;
    let marker = format!("{number}. ");
    let pad = " ".repeat(marker.len());
    let mut out = marker;
    let marks = super::step_marks(phase, step);
    for mark in &marks {
        match mark {
            Mark::Optional => out.push_str(&format!("*{}* ", md(ui::t(lang, "print_optional")))),
            Mark::Required => out.push_str(&format!("*{}* ", md(ui::t(lang, "print_required")))),
            Mark::Due(_) => {}
        }
    }
    out.push_str(&format!("{} {}\n", md(step.action.get(lang)), code(&step.id)));
    for mark in &marks {
        if let Mark::Due(within) = mark {
            let due = ui::f(lang, "print_due_within", &[("within", &ui::within(lang, *within))]);
            out.push_str(&format!("{pad}**{}**\n", md(&due)));
        }
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

/// The amends as a table (what, cost, from which severity), the bundle of each severity
/// and who may give it, then the words to say for those that have them, as quotes keyed
/// by number.
fn amends(steps: &[Step], policy: &Policy, layout: &Layout) -> String {
    let lang = layout.lang;
    let mut out = format!(
        "| # | {} | {} | {} |\n|--:|---|--:|---|\n",
        md(ui::t(lang, "print_amend")),
        md(&ui::f(lang, "print_cost", &[("currency", &policy.currency)])),
        md(ui::t(lang, "print_from")),
    );
    let mut quotes = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        let mut what = format!("{} {}", md(step.action.get(lang)), code(&step.id));
        if !step.instead_of.is_empty() {
            what.push_str(&format!(
                " ({})",
                md(&ui::f(lang, "instead_of", &[("steps", &step.instead_of.join(", "))]))
            ));
        }
        if step.is_required(Phase::Amend) {
            what.insert_str(0, &format!("*{}* ", md(ui::t(lang, "print_required"))));
        }
        if !step.choose.is_empty() {
            what.push_str(&format!(" {}", options(step, layout)));
        }
        out.push_str(&format!(
            "| {n} | {what} | {} | {} |\n",
            step.cost(),
            md(ui::severity(lang, step.offered_from())),
        ));
        if let Some(say) = &step.say {
            quotes.push((n, say));
        }
    }
    out.push_str(&format!(
        "\n{}\n\n| {} | {} | {} |\n|---|--:|---|\n",
        md(ui::t(lang, "print_bundles")),
        md(ui::t(lang, "print_severity_col")),
        md(ui::t(lang, "print_bundle")),
        md(ui::t(lang, "print_given_by")),
    ));
    for b in bundles(steps, policy, lang) {
        out.push_str(&format!(
            "| {} | {} {} | {} |\n",
            md(ui::severity(lang, b.severity)),
            md(&policy.currency),
            b.total,
            md(&approver_words(&b.by, lang))
        ));
    }
    if !quotes.is_empty() {
        out.push_str(&format!("\n{}\n\n", md(ui::t(lang, "print_say_intro"))));
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
    format!("{} {}.", md(ui::t(layout.lang, "print_options")), labels.join(" \u{b7} "))
}

/// A catalog `template` as Markdown text with its `{name}` placeholders filled by `args`,
/// which are Markdown already (code spans, escaped text).
fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = md(template);
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
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
