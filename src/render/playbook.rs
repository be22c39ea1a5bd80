//! A playbook as text for a terminal or a plain printer (`show`, `print --format text`).

use console::Style;

use super::safe::one_line;
use super::wrap::wrap;
use crate::i18n as ui;
use crate::playbook::{Phase, Playbook, Step};
use crate::policy::Policy;
use crate::text::Text;

/// How to lay out text: the reader's language, the guest's, width and styling.
#[derive(Clone, Debug)]
pub struct Layout<'a> {
    /// Language for instructions.
    pub lang: &'a str,
    /// Language the words to say are also shown in, for the guest.
    pub guest: Option<&'a str>,
    /// Columns to wrap at.
    pub width: usize,
    /// Bold and colour allowed.
    pub styled: bool,
}

impl Layout<'_> {
    fn style(&self, s: Style) -> Style {
        if self.styled { s.force_styling(true) } else { Style::new().force_styling(false) }
    }
}

/// The words to say, in the reader's language and, below, the guest's when it differs.
#[must_use]
pub fn say_lines(say: &Text, layout: &Layout, indent: &str) -> Vec<String> {
    let mut out = Vec::new();
    let quote = layout.style(Style::new().bold().cyan());
    let mut push = |text: &str, label: &str| {
        let first = format!("{indent}{label}");
        let rest = " ".repeat(super::wrap::width(&first));
        let body = format!("“{}”", one_line(text));
        for (i, line) in
            wrap(&body, layout.width.saturating_sub(super::wrap::width(&first)), "").into_iter().enumerate()
        {
            let lead = if i == 0 { &first } else { &rest };
            out.push(format!("{lead}{}", quote.apply_to(line)));
        }
    };
    let label = format!("{}  ", ui::t(layout.lang, "say"));
    let label_width = super::wrap::width(&label).max(5);
    push(say.get(layout.lang), &format!("{label}{}", " ".repeat(label_width - super::wrap::width(&label))));
    if let Some(guest) = layout.guest.filter(|g| *g != layout.lang) {
        if let Some(text) = say.exactly(guest).filter(|t| *t != say.get(layout.lang)) {
            push(text, &format!("{:<label_width$}", one_line(guest)));
        }
    }
    out
}

/// One step: what to do, the words to say, options, cost, due.
#[must_use]
pub fn step_lines(phase: Phase, step: &Step, number: &str, policy: &Policy, layout: &Layout) -> Vec<String> {
    let bold = layout.style(Style::new().bold());
    let dim = layout.style(Style::new().dim());
    let indent = " ".repeat(number.chars().count() + 1);
    let mut out = Vec::new();
    let first = format!("{number} ");
    for (i, line) in
        wrap(&one_line(step.action.get(layout.lang)), layout.width - first.len(), "").into_iter().enumerate()
    {
        out.push(format!("{}{}", if i == 0 { first.clone() } else { indent.clone() }, bold.apply_to(line)));
    }
    let mut facts: Vec<String> = vec![format!("[{}]", one_line(&step.id))];
    let required = step.is_required(phase);
    match phase {
        Phase::Apologise | Phase::Fix if !required => facts.push(ui::t(layout.lang, "optional").into()),
        Phase::Amend | Phase::FollowUp if required => facts.push(ui::t(layout.lang, "required").into()),
        _ => {}
    }
    if phase == Phase::Amend {
        let cost = step.cost();
        facts.push(format!("{} {}", one_line(&policy.currency), cost));
        let from = ui::severity(layout.lang, step.offered_from());
        facts.push(ui::f(layout.lang, "offered_from", &[("severity", from)]));
        if !step.instead_of.is_empty() {
            facts.push(ui::f(
                layout.lang,
                "instead_of",
                &[("steps", &one_line(&step.instead_of.join(", ")))],
            ));
        }
    }
    if let Some(w) = step.within {
        facts.push(ui::f(layout.lang, "due_within", &[("within", &ui::within(layout.lang, w))]));
    }
    for line in wrap(&facts.join(" · "), layout.width.saturating_sub(indent.len()), "") {
        out.push(format!("{indent}{}", dim.apply_to(line)));
    }
    if let Some(say) = &step.say {
        out.extend(say_lines(say, layout, &indent));
    }
    if !step.choose.is_empty() {
        let options: Vec<String> = step.choose.iter().map(|c| one_line(c.label.get(layout.lang))).collect();
        // Every line sits under the indent, so the indent comes off the room for each.
        let room = layout.width.saturating_sub(indent.len());
        out.extend(
            wrap(&format!("{} {}", ui::t(layout.lang, "options"), options.join(" | ")), room, "         ")
                .into_iter()
                .map(|l| format!("{indent}{l}")),
        );
    }
    out
}

/// The whole playbook as text.
#[must_use]
pub fn render(pb: &Playbook, policy: &Policy, layout: &Layout) -> String {
    let bold = layout.style(Style::new().bold());
    let mut out: Vec<String> = Vec::new();
    let title = one_line(pb.title.get(layout.lang));
    let kind = one_line(&format!("({})", pb.kind));
    if super::wrap::width(&title) + 2 + super::wrap::width(&kind) <= layout.width {
        out.push(format!("{}  {kind}", bold.apply_to(title)));
    } else {
        out.extend(wrap(&title, layout.width, "").into_iter().map(|l| bold.apply_to(l).to_string()));
        out.push(kind);
    }
    if let Some(summary) = &pb.summary {
        out.extend(wrap(&one_line(summary.get(layout.lang)), layout.width, ""));
    }
    let mut facts = Vec::new();
    if !pb.aliases.is_empty() {
        facts.push(ui::f(layout.lang, "also", &[("aliases", &one_line(&pb.aliases.join(", ")))]));
    }
    if !pb.servqual.is_empty() {
        let dims: Vec<String> = pb.servqual.iter().map(|s| ui::servqual(layout.lang, s.key())).collect();
        facts.push(format!("SERVQUAL: {}", dims.join(", ")));
    }
    // On one line when they fit, else each on its own.
    let joined = facts.join(" · ");
    if super::wrap::width(&joined) <= layout.width {
        out.push(joined);
    } else {
        for fact in &facts {
            out.extend(wrap(fact, layout.width, "  "));
        }
    }
    for (n, phase) in Phase::ALL.into_iter().enumerate() {
        out.push(String::new());
        let mut heading = format!("{}. {}", n + 1, ui::phase(layout.lang, phase).to_uppercase());
        if phase == Phase::Amend {
            let limits: Vec<String> = policy
                .roles
                .iter()
                .map(|(name, r)| format!("{} {}", one_line(policy.role_label(name, layout.lang)), r.limit()))
                .collect();
            let limits = ui::f(
                layout.lang,
                "limits",
                &[("currency", &one_line(&policy.currency)), ("limits", &limits.join(", "))],
            );
            heading.push_str(&format!("  ({limits})"));
        }
        if super::wrap::width(&heading) <= layout.width {
            out.push(bold.apply_to(heading).to_string());
        } else {
            out.extend(wrap(&heading, layout.width, "   ").into_iter().map(|l| bold.apply_to(l).to_string()));
        }
        let steps = pb.phases.steps(phase);
        if steps.is_empty() {
            out.push(format!("   {}", ui::t(layout.lang, "nothing")));
        }
        for (i, step) in steps.iter().enumerate() {
            out.extend(step_lines(phase, step, &format!("   {}.{}", n + 1, i + 1), policy, layout));
        }
        if phase == Phase::Amend && !steps.is_empty() {
            // The limit is for the whole bundle: who may give it, per severity.
            let room = layout.width.saturating_sub(3);
            out.extend(
                wrap(ui::t(layout.lang, "bundle_heading"), room, "").into_iter().map(|l| format!("   {l}")),
            );
            for b in super::print::bundles(steps, policy, layout.lang) {
                let line = ui::f(
                    layout.lang,
                    "bundle_line",
                    &[
                        ("severity", ui::severity(layout.lang, b.severity)),
                        ("currency", &one_line(&policy.currency)),
                        ("total", &b.total.to_string()),
                        ("who", &one_line(&super::print::approver_words(&b.by, layout.lang))),
                    ],
                );
                out.extend(
                    wrap(&line, layout.width.saturating_sub(5), "  ")
                        .into_iter()
                        .map(|l| format!("     {l}")),
                );
            }
        }
    }
    if !pb.failure_points.is_empty() {
        out.push(String::new());
        let points: Vec<String> =
            pb.failure_points.iter().map(|c| one_line(c.label.get(layout.lang))).collect();
        let line = ui::f(layout.lang, "went_wrong_where", &[("points", &points.join(", "))]);
        out.extend(wrap(&line, layout.width, "  "));
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}
