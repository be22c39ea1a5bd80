//! The training handbook as one self-contained HTML file made for paper: a cover with the
//! contents, a one-page "recovery at a glance" card, then one playbook per page. No
//! scripts, no network: the style is inline and a Content-Security-Policy forbids the rest.

use crate::i18n as ui;
use std::collections::HashSet;

use super::escape::{html as esc, lang_attr};
use super::{
    AUTHORITY, INTRO, NEVER_PUSH, NEVER_PUSH_MEANS, Paper, SEVERITY, TITLE, approver, guest_say, limits,
};
use crate::playbook::{Phase, Playbook, Severity, Step};
use crate::policy::Policy;
use crate::render::playbook::Layout;
use crate::text::Text;

/// The style sheet, kept in its own file so it can be read and edited as CSS.
const CSS: &str = include_str!("handbook.css");

/// The printable HTML handbook of `playbooks`, in the given order, laid out for `paper`.
#[must_use]
pub fn html(playbooks: &[&Playbook], policy: &Policy, layout: &Layout, paper: Paper) -> String {
    let mut ids = HashSet::new();
    let anchors: Vec<String> = playbooks.iter().map(|pb| anchor(&pb.kind, &mut ids)).collect();
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"recover {version}\">\n\
         <title>{TITLE}</title>\n<style>\n{CSS}\n@page {{ size: {size}; }}\n</style>\n</head>\n<body>\n",
        lang = lang_attr(layout.lang),
        version = env!("CARGO_PKG_VERSION"),
        size = paper.css(),
    );
    out.push_str(&cover(playbooks, &anchors, policy, layout));
    out.push_str(&glance(policy, layout));
    for (i, (pb, id)) in playbooks.iter().zip(&anchors).enumerate() {
        out.push_str(&playbook(pb, id, i + 1, playbooks.len(), policy, layout));
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// A unique, safe element id for a playbook: its type in `[a-z0-9-]`.
fn anchor(kind: &str, taken: &mut HashSet<String>) -> String {
    let base: String = kind
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' })
        .collect();
    let mut id = format!("pb-{base}");
    let mut n = 1;
    while !taken.insert(id.clone()) {
        n += 1;
        id = format!("pb-{base}-{n}");
    }
    id
}

/// The first page: title, the four phases in a line, the contents.
fn cover(playbooks: &[&Playbook], anchors: &[String], policy: &Policy, layout: &Layout) -> String {
    let phases: Vec<&str> = Phase::ALL.iter().map(|p| ui::phase(layout.lang, *p)).collect();
    let mut out = format!(
        "<section class=\"cover\" id=\"contents\">\n<p class=\"kicker\">Training handbook</p>\n\
         <h1>{TITLE}</h1>\n<p class=\"phases-line\">{}</p>\n<h2>Contents</h2>\n<ol class=\"toc\">\n\
         <li><span class=\"no\"></span><a href=\"#glance\">Recovery at a glance</a></li>\n",
        phases.join(" \u{b7} ")
    );
    for (i, (pb, id)) in playbooks.iter().zip(anchors).enumerate() {
        out.push_str(&format!(
            "<li><span class=\"no\">{}</span><a href=\"#{id}\">{}</a><span class=\"kind\">{}</span></li>\n",
            i + 1,
            esc(pb.title.get(layout.lang)),
            esc(&pb.kind)
        ));
    }
    out.push_str(&format!(
        "</ol>\n<p class=\"made\">{} playbook(s). Amounts in {}. Made by recover {}.</p>\n</section>\n",
        playbooks.len(),
        esc(&policy.currency),
        env!("CARGO_PKG_VERSION")
    ));
    out
}

/// The one-page card: the four phases, the rule, the role limits, the severities.
fn glance(policy: &Policy, layout: &Layout) -> String {
    let mut out = format!(
        "<section class=\"glance page\" id=\"glance\">\n<div class=\"card\">\n<h2>Recovery at a glance</h2>\n\
         <p class=\"intro\">{}</p>\n<ol class=\"phases\">\n",
        esc(INTRO)
    );
    for (n, phase) in Phase::ALL.into_iter().enumerate() {
        out.push_str(&format!(
            "<li><span class=\"big\">{}</span><div><h3>{}</h3><p>{}</p></div></li>\n",
            n + 1,
            ui::phase(layout.lang, phase),
            esc(super::phase_meaning(phase))
        ));
    }
    out.push_str(&format!(
        "</ol>\n<p class=\"rule\"><b>{}</b> {}</p>\n<h3 class=\"sub\">Who may give what</h3>\n<p>{}</p>\n\
         <table class=\"limits\">\n<thead><tr><th>Role</th><th class=\"num\">Limit per incident ({})</th></tr></thead>\n<tbody>\n",
        esc(NEVER_PUSH),
        esc(NEVER_PUSH_MEANS),
        esc(AUTHORITY),
        esc(&policy.currency)
    ));
    for (role, limit) in limits(policy, layout.lang) {
        out.push_str(&format!("<tr><td>{}</td><td class=\"num\">{limit}</td></tr>\n", esc(role)));
    }
    out.push_str(&format!(
        "</tbody>\n</table>\n<h3 class=\"sub\">How bad is it?</h3>\n<p>{}</p>\n<ul class=\"severity\">\n",
        esc(SEVERITY)
    ));
    for severity in Severity::ALL {
        out.push_str(&format!(
            "<li><b>{severity}</b> <span class=\"dots\">{}</span>: {}</li>\n",
            dots(severity),
            ui::severity_meaning(layout.lang, severity)
        ));
    }
    out.push_str("</ul>\n</div>\n</section>\n");
    out
}

/// Severity as filled and empty dots, readable in black and white next to its name.
fn dots(severity: Severity) -> String {
    Severity::ALL.iter().map(|s| if *s <= severity { '\u{25cf}' } else { '\u{25cb}' }).collect()
}

/// One playbook's page.
fn playbook(pb: &Playbook, id: &str, n: usize, of: usize, policy: &Policy, layout: &Layout) -> String {
    let lang = layout.lang;
    let mut out = format!(
        "<section class=\"playbook page\" id=\"{id}\">\n<header>\n<p class=\"no\">Playbook {n} of {of}</p>\n<h2>{}</h2>\n",
        esc(pb.title.get(lang))
    );
    if let Some(summary) = &pb.summary {
        out.push_str(&format!("<p class=\"summary\">{}</p>\n", esc(summary.get(lang))));
    }
    let mut facts = vec![format!("Type <span class=\"kind\">{}</span>", esc(&pb.kind))];
    if !pb.aliases.is_empty() {
        let aliases: Vec<String> =
            pb.aliases.iter().map(|a| format!("<span class=\"kind\">{}</span>", esc(a))).collect();
        facts.push(format!("also {}", aliases.join(", ")));
    }
    if !pb.servqual.is_empty() {
        let dims: Vec<&str> = pb.servqual.iter().map(|s| s.key()).collect();
        facts.push(format!("SERVQUAL: {}", dims.join(", ")));
    }
    out.push_str(&format!("<p class=\"facts\">{}</p>\n</header>\n", facts.join(" \u{b7} ")));
    for (i, phase) in Phase::ALL.into_iter().enumerate() {
        let number = i + 1;
        out.push_str(&format!("<section class=\"phase\">\n<h3>{number}. {}", ui::phase(lang, phase)));
        if phase == Phase::Amend {
            let roles: Vec<String> = limits(policy, lang)
                .into_iter()
                .map(|(role, limit)| format!("{} {limit}", esc(role)))
                .collect();
            out.push_str(&format!(
                " <span class=\"limits\">(limits per incident, {}: {})</span>",
                esc(&policy.currency),
                roles.join(", ")
            ));
        }
        out.push_str("</h3>\n");
        let steps = pb.phases.steps(phase);
        if steps.is_empty() {
            out.push_str("<p class=\"none\">Nothing in this phase.</p>\n");
        } else if phase == Phase::Amend {
            out.push_str(&amends(steps, number, policy, layout));
        } else {
            out.push_str("<ol class=\"steps\">\n");
            for (j, step) in steps.iter().enumerate() {
                out.push_str(&step_item(phase, step, &format!("{number}.{}", j + 1), layout));
            }
            out.push_str("</ol>\n");
        }
        out.push_str("</section>\n");
    }
    if !pb.failure_points.is_empty() {
        let points: Vec<String> = pb.failure_points.iter().map(|c| esc(c.label.get(lang))).collect();
        out.push_str(&format!("<p class=\"where\"><b>Where it goes wrong:</b> {}</p>\n", points.join(", ")));
    }
    out.push_str("</section>\n");
    out
}

/// A step: number, what to do with its id and marks, the words to say, the options.
fn step_item(phase: Phase, step: &Step, number: &str, layout: &Layout) -> String {
    let mut out = format!(
        "<li class=\"step\"><span class=\"n\">{number}</span><div>\n<p class=\"do\">{}{} <span class=\"id\">{}</span></p>\n",
        marks(phase, step),
        esc(step.action.get(layout.lang)),
        esc(&step.id)
    );
    if let Some(say) = &step.say {
        out.push_str(&say_block(say, layout));
    }
    if !step.choose.is_empty() {
        out.push_str(&options(step, layout));
    }
    out.push_str("</div></li>\n");
    out
}

/// Optional, required and due marks, boxed so they survive photocopying.
fn marks(phase: Phase, step: &Step) -> String {
    let mut out = String::new();
    for mark in super::step_marks(phase, step) {
        let class = if mark.starts_with("due") { "due" } else { "mark" };
        out.push_str(&format!("<span class=\"{class}\">{}</span> ", esc(&mark)));
    }
    out
}

/// The amends as a table: what, cost, from which severity, who may give it; the words to
/// say and the options on a full-width row below each.
fn amends(steps: &[Step], number: usize, policy: &Policy, layout: &Layout) -> String {
    let mut out = format!(
        "<table class=\"amends\">\n<colgroup><col class=\"n\"><col><col class=\"num\"><col class=\"sev\">\
         <col class=\"who\"></colgroup>\n<thead><tr><th>#</th><th>Amend</th><th class=\"num\">Cost ({})</th>\
         <th>From</th><th>Given by</th></tr></thead>\n",
        esc(&policy.currency)
    );
    for (j, step) in steps.iter().enumerate() {
        let cost = step.cost();
        let severity = step.severity.unwrap_or(Severity::Minor);
        out.push_str(&format!(
            "<tbody>\n<tr><td class=\"n\">{number}.{}</td><td>{}{} <span class=\"id\">{}</span></td>\
             <td class=\"num\">{cost}</td><td class=\"sev\">{severity} <span class=\"dots\">{}</span></td>\
             <td class=\"who\">{}</td></tr>\n",
            j + 1,
            marks(Phase::Amend, step),
            esc(step.action.get(layout.lang)),
            esc(&step.id),
            dots(severity),
            esc(&approver(policy, cost, layout.lang))
        ));
        if step.say.is_some() || !step.choose.is_empty() {
            out.push_str("<tr class=\"say-row\"><td></td><td colspan=\"4\">\n");
            if let Some(say) = &step.say {
                out.push_str(&say_block(say, layout));
            }
            if !step.choose.is_empty() {
                out.push_str(&options(step, layout));
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n");
    out
}

/// The words to say, set apart; the guest's language below, marked with its `lang`.
fn say_block(say: &Text, layout: &Layout) -> String {
    let mut out = format!("<blockquote class=\"say\"><p>\u{201c}{}\u{201d}</p>", esc(say.get(layout.lang)));
    if let Some((guest, text)) = guest_say(say, layout.lang, layout.guest) {
        out.push_str(&format!(
            "<p class=\"guest\" lang=\"{}\"><b>{}</b> \u{201c}{}\u{201d}</p>",
            lang_attr(guest),
            esc(guest),
            esc(text)
        ));
    }
    out.push_str("</blockquote>\n");
    out
}

/// The options a step offers.
fn options(step: &Step, layout: &Layout) -> String {
    let labels: Vec<String> = step.choose.iter().map(|c| esc(c.label.get(layout.lang))).collect();
    format!("<p class=\"options\"><b>Options:</b> {}</p>\n", labels.join(" \u{b7} "))
}
