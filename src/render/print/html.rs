//! The training handbook as one self-contained HTML file made for paper: a cover with the
//! contents, a one-page "recovery at a glance" card, then one playbook per page. No
//! scripts, no network: the style is inline and a Content-Security-Policy forbids the rest.
//!
//! Every section says the language its text is shown in (`lang`), and so does any element
//! inside whose text is in another: a playbook missing the reader's language falls back to
//! English and says so, while the handbook's own words stay in the reader's language.
//! Browsers hyphenate, pick fonts and read aloud by it.

use crate::i18n as ui;
use std::collections::HashSet;

use super::escape::{html as esc, lang_attr};
use super::{Approver, Mark, Paper, bundles, guest_say, limits};
use crate::playbook::{Phase, Playbook, Severity, Step};
use crate::policy::Policy;
use crate::render::playbook::Layout;
use crate::text::Text;

/// The style sheet, kept in its own file so it can be read and edited as CSS.
pub(super) const CSS: &str = include_str!("handbook.css");

/// What a renderer needs besides the playbook: the policy, the layout, and the language
/// of the handbook's own words.
pub(super) struct Ctx<'a> {
    pub(super) policy: &'a Policy,
    pub(super) layout: &'a Layout<'a>,
    /// The language the catalog's words are shown in.
    pub(super) ui: &'a str,
}

impl<'a> Ctx<'a> {
    /// The language a playbook text is shown in: its own, else the library's.
    pub(super) fn lang_of(&self, text: &'a Text) -> Option<&'a str> {
        text.lang_of(self.layout.lang).or_else(|| self.policy.library_lang())
    }

    /// The language a role's name is shown in.
    pub(super) fn role_lang(&self, lang: Option<&'a str>) -> Option<&'a str> {
        lang.or_else(|| self.policy.library_lang())
    }
}

/// The language an element inherits, so its children say `lang` only where theirs differs.
pub(super) struct Here(pub(super) String);

impl Here {
    /// Inside an element in `lang` (sanitised as the attribute would be).
    pub(super) fn new(lang: &str) -> Self {
        Here(lang_attr(lang))
    }

    /// ` lang="xx"` when `shown` is known and not the language here, else nothing.
    pub(super) fn attr(&self, shown: Option<&str>) -> String {
        match shown.map(lang_attr) {
            Some(l) if l != self.0 => format!(" lang=\"{l}\""),
            _ => String::new(),
        }
    }

    /// `text` escaped, in a `span` that says its language when it differs from here.
    pub(super) fn text(&self, text: &str, shown: Option<&str>) -> String {
        let attr = self.attr(shown);
        if attr.is_empty() { esc(text) } else { format!("<span{attr}>{}</span>", esc(text)) }
    }
}

/// A catalog `template` as HTML text with its `{name}` placeholders filled by `args`,
/// which are HTML already (escaped text, spans).
pub(super) fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = esc(template);
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The printable HTML handbook of `playbooks`, in the given order, laid out for `paper`.
#[must_use]
pub fn html(playbooks: &[&Playbook], policy: &Policy, layout: &Layout, paper: Paper) -> String {
    let ctx = Ctx { policy, layout, ui: ui::shown_lang(layout.lang) };
    let document = Here::new(layout.lang);
    let mut ids = HashSet::new();
    let anchors: Vec<String> = playbooks.iter().map(|pb| anchor(&pb.kind, &mut ids)).collect();
    let mut out = head(&ctx, CSS, "print_title", paper);
    out.push_str(&cover(playbooks, &anchors, &ctx));
    out.push_str(&glance(&ctx));
    for (i, (pb, id)) in playbooks.iter().zip(&anchors).enumerate() {
        out.push_str(&playbook(pb, id, i + 1, playbooks.len(), &ctx, &document));
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
fn cover(playbooks: &[&Playbook], anchors: &[String], ctx: &Ctx) -> String {
    let lang = ctx.layout.lang;
    let here = Here::new(ctx.ui);
    let phases: Vec<String> = Phase::ALL.iter().map(|p| esc(ui::phase(lang, *p))).collect();
    let mut out = format!(
        "<section class=\"cover\" id=\"contents\" lang=\"{}\">\n<p class=\"kicker\">{}</p>\n\
         <h1>{}</h1>\n<p class=\"phases-line\">{}</p>\n<h2>{}</h2>\n<ol class=\"toc\">\n\
         <li><span class=\"no\"></span><a href=\"#glance\">{}</a></li>\n",
        here.0,
        esc(ui::t(lang, "print_kicker")),
        esc(ui::t(lang, "print_title")),
        phases.join(" \u{b7} "),
        esc(ui::t(lang, "print_contents")),
        esc(ui::t(lang, "print_glance")),
    );
    for (i, (pb, id)) in playbooks.iter().zip(anchors).enumerate() {
        out.push_str(&format!(
            "<li><span class=\"no\">{}</span><a href=\"#{id}\"{}>{}</a><span class=\"kind\">{}</span></li>\n",
            i + 1,
            here.attr(ctx.lang_of(&pb.title)),
            esc(pb.title.get(lang)),
            esc(&pb.kind)
        ));
    }
    let made = fill(
        ui::t(lang, "print_made"),
        &[
            ("count", &playbooks.len().to_string()),
            ("currency", &esc(&ctx.policy.currency)),
            ("version", env!("CARGO_PKG_VERSION")),
        ],
    );
    out.push_str(&format!("</ol>\n<p class=\"made\">{made}</p>\n</section>\n"));
    out
}

/// The one-page card: the four phases, the rule, the role limits, the severities.
fn glance(ctx: &Ctx) -> String {
    let lang = ctx.layout.lang;
    let here = Here::new(ctx.ui);
    let mut out = format!(
        "<section class=\"glance page\" id=\"glance\" lang=\"{}\">\n<div class=\"card\">\n<h2>{}</h2>\n\
         <p class=\"intro\">{}</p>\n<ol class=\"phases\">\n",
        here.0,
        esc(ui::t(lang, "print_glance")),
        esc(ui::t(lang, "print_intro"))
    );
    for (n, phase) in Phase::ALL.into_iter().enumerate() {
        out.push_str(&format!(
            "<li><span class=\"big\">{}</span><div><h3>{}</h3><p>{}</p></div></li>\n",
            n + 1,
            esc(ui::phase(lang, phase)),
            esc(super::phase_meaning(lang, phase))
        ));
    }
    out.push_str(&format!(
        "</ol>\n<p class=\"rule\"><b>{}</b> {}</p>\n<h3 class=\"sub\">{}</h3>\n<p>{}</p>\n\
         <table class=\"limits\">\n<thead><tr><th>{}</th><th class=\"num\">{}</th></tr></thead>\n<tbody>\n",
        esc(ui::t(lang, "print_never_push")),
        esc(ui::t(lang, "print_never_push_means")),
        esc(ui::t(lang, "print_who")),
        esc(ui::t(lang, "print_authority")),
        esc(ui::t(lang, "print_role")),
        fill(ui::t(lang, "print_limit"), &[("currency", &esc(&ctx.policy.currency))])
    ));
    for role in limits(ctx.policy, lang) {
        out.push_str(&format!(
            "<tr><td{}>{}</td><td class=\"num\">{}</td></tr>\n",
            here.attr(ctx.role_lang(role.lang)),
            esc(role.label),
            role.limit
        ));
    }
    out.push_str(&format!(
        "</tbody>\n</table>\n<h3 class=\"sub\">{}</h3>\n<p>{}</p>\n<ul class=\"severity\">\n",
        esc(ui::t(lang, "print_how_bad")),
        esc(ui::t(lang, "print_severity"))
    ));
    for severity in Severity::ALL {
        out.push_str(&format!(
            "<li><b>{}</b> <span class=\"dots\">{}</span>: {}</li>\n",
            esc(ui::severity(lang, severity)),
            dots(severity),
            esc(ui::severity_meaning(lang, severity))
        ));
    }
    out.push_str("</ul>\n</div>\n</section>\n");
    out
}

/// Severity as filled and empty dots, readable in black and white next to its name.
pub(super) fn dots(severity: Severity) -> String {
    Severity::ALL.iter().map(|s| if *s <= severity { '\u{25cf}' } else { '\u{25cb}' }).collect()
}

/// One playbook's page, in the language its title is shown in.
fn playbook(pb: &Playbook, id: &str, n: usize, of: usize, ctx: &Ctx, document: &Here) -> String {
    let lang = ctx.layout.lang;
    let section_lang = ctx.lang_of(&pb.title);
    let here = section_lang.map_or_else(|| Here(document.0.clone()), Here::new);
    let ui_attr = here.attr(Some(ctx.ui));
    let mut out = format!(
        "<section class=\"playbook page\" id=\"{id}\"{}>\n<header>\n<p class=\"no\"{ui_attr}>{}</p>\n<h2>{}</h2>\n",
        section_lang.map(|l| format!(" lang=\"{}\"", lang_attr(l))).unwrap_or_default(),
        fill(ui::t(lang, "print_playbook_n"), &[("n", &n.to_string()), ("of", &of.to_string())]),
        esc(pb.title.get(lang))
    );
    if let Some(summary) = &pb.summary {
        out.push_str(&format!(
            "<p class=\"summary\"{}>{}</p>\n",
            here.attr(ctx.lang_of(summary)),
            esc(summary.get(lang))
        ));
    }
    let mut facts =
        vec![format!("{} <span class=\"kind\">{}</span>", esc(ui::t(lang, "print_type")), esc(&pb.kind))];
    if !pb.aliases.is_empty() {
        let aliases: Vec<String> =
            pb.aliases.iter().map(|a| format!("<span class=\"kind\">{}</span>", esc(a))).collect();
        facts.push(fill(ui::t(lang, "print_also"), &[("aliases", &aliases.join(", "))]));
    }
    if !pb.servqual.is_empty() {
        let dims: Vec<String> = pb.servqual.iter().map(|s| ui::servqual(lang, s.key())).collect();
        facts.push(format!("SERVQUAL: {}", esc(&dims.join(", "))));
    }
    out.push_str(&format!("<p class=\"facts\"{ui_attr}>{}</p>\n", facts.join(" \u{b7} ")));
    // Where it goes wrong sits in the header: at the foot it could be left alone on a page.
    if !pb.failure_points.is_empty() {
        let points: Vec<String> =
            pb.failure_points.iter().map(|c| here.text(c.label.get(lang), ctx.lang_of(&c.label))).collect();
        out.push_str(&format!(
            "<p class=\"where\"><b{ui_attr}>{}:</b> {}</p>\n",
            esc(ui::t(lang, "print_where")),
            points.join(", ")
        ));
    }
    out.push_str("</header>\n");
    for (i, phase) in Phase::ALL.into_iter().enumerate() {
        let number = i + 1;
        out.push_str(&format!(
            "<section class=\"phase {}\">\n<h3{ui_attr}>{number}. {}",
            phase.key(),
            esc(ui::phase(lang, phase))
        ));
        if phase == Phase::Amend {
            let in_heading = Here::new(ctx.ui);
            let roles: Vec<String> = limits(ctx.policy, lang)
                .into_iter()
                .map(|role| {
                    format!("{} {}", in_heading.text(role.label, ctx.role_lang(role.lang)), role.limit)
                })
                .collect();
            let limits = fill(
                ui::t(lang, "limits"),
                &[("currency", &esc(&ctx.policy.currency)), ("limits", &roles.join(", "))],
            );
            out.push_str(&format!(" <span class=\"limits\">({limits})</span>"));
        }
        out.push_str("</h3>\n");
        let steps = pb.phases.steps(phase);
        if steps.is_empty() {
            out.push_str(&format!("<p class=\"none\"{ui_attr}>{}</p>\n", esc(ui::t(lang, "print_nothing"))));
        } else if phase == Phase::Amend {
            out.push_str(&amends(steps, number, ctx, &here));
        } else {
            out.push_str("<ol class=\"steps\">\n");
            for (j, step) in steps.iter().enumerate() {
                out.push_str(&step_item(phase, step, &format!("{number}.{}", j + 1), ctx, &here));
            }
            out.push_str("</ol>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");
    out
}

/// A step: number, what to do with its id and marks, the words to say, the options.
fn step_item(phase: Phase, step: &Step, number: &str, ctx: &Ctx, here: &Here) -> String {
    let mut out = format!(
        "<li class=\"step\"><span class=\"n\">{number}</span><div>\n<p class=\"do\">{}{} <span class=\"id\">{}</span></p>\n",
        marks(phase, step, ctx, here),
        here.text(step.action.get(ctx.layout.lang), ctx.lang_of(&step.action)),
        esc(&step.id)
    );
    if let Some(say) = &step.say {
        out.push_str(&say_block(say, ctx, here));
    }
    if !step.choose.is_empty() {
        out.push_str(&options(step, ctx, here));
    }
    out.push_str("</div></li>\n");
    out
}

/// Optional, required and due marks, boxed so they survive photocopying.
fn marks(phase: Phase, step: &Step, ctx: &Ctx, here: &Here) -> String {
    let lang = ctx.layout.lang;
    let attr = here.attr(Some(ctx.ui));
    let mut out = String::new();
    for mark in super::step_marks(phase, step) {
        let (class, text) = match mark {
            Mark::Optional => ("mark", ui::t(lang, "optional").to_owned()),
            Mark::Required => ("mark", ui::t(lang, "required").to_owned()),
            Mark::Due(within) => ("due", ui::f(lang, "due_within", &[("within", &ui::within(lang, within))])),
        };
        out.push_str(&format!("<span class=\"{class}\"{attr}>{}</span> ", esc(&text)));
    }
    out
}

/// The amends as a table: what, cost, from which severity; the words to say and the
/// options on a full-width row below each. Then the bundle of each severity and who may
/// give it: the limit is for the bundle, not each amend.
fn amends(steps: &[Step], number: usize, ctx: &Ctx, here: &Here) -> String {
    let lang = ctx.layout.lang;
    let ui_attr = here.attr(Some(ctx.ui));
    let mut out = format!(
        "<table class=\"amends\">\n<colgroup><col class=\"n\"><col><col class=\"num\"><col class=\"sev\">\
         </colgroup>\n<thead{ui_attr}><tr><th>#</th><th>{}</th><th class=\"num\">{}</th>\
         <th>{}</th></tr></thead>\n",
        esc(ui::t(lang, "print_amend")),
        fill(ui::t(lang, "print_cost"), &[("currency", &esc(&ctx.policy.currency))]),
        esc(ui::t(lang, "print_from")),
    );
    for (j, step) in steps.iter().enumerate() {
        let cost = step.cost();
        let severity = step.offered_from();
        out.push_str(&format!(
            "<tbody>\n<tr><td class=\"n\">{number}.{}</td><td>{}{} <span class=\"id\">{}</span>{}</td>\
             <td class=\"num\">{cost}</td><td class=\"sev\"{ui_attr}>{} <span class=\"dots\">{}</span></td>\
             </tr>\n",
            j + 1,
            marks(Phase::Amend, step, ctx, here),
            here.text(step.action.get(lang), ctx.lang_of(&step.action)),
            esc(&step.id),
            instead_of(step, lang, &ui_attr),
            esc(ui::severity(lang, severity)),
            dots(severity),
        ));
        if step.say.is_some() || !step.choose.is_empty() {
            out.push_str("<tr class=\"say-row\"><td></td><td colspan=\"3\">\n");
            if let Some(say) = &step.say {
                out.push_str(&say_block(say, ctx, here));
            }
            if !step.choose.is_empty() {
                out.push_str(&options(step, ctx, here));
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n");
    out.push_str(&format!(
        "<table class=\"bundles\" title=\"{}\">\n<thead{ui_attr}><tr><th>{}</th>\
         <th class=\"num\">{}</th><th>{}</th></tr></thead>\n<tbody>\n",
        esc(ui::t(lang, "print_bundles")),
        esc(ui::t(lang, "print_severity_col")),
        fill(ui::t(lang, "print_bundle_cost"), &[("currency", &esc(&ctx.policy.currency))]),
        esc(ui::t(lang, "print_given_by")),
    ));
    for b in bundles(steps, ctx.policy, lang) {
        out.push_str(&format!(
            "<tr><td{ui_attr}>{}</td><td class=\"num\">{}</td>{}</tr>\n",
            esc(ui::severity(lang, b.severity)),
            b.total,
            who(&b.by, ctx, here)
        ));
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// " (instead of …)" after an amend that replaces others, in the reader's words.
fn instead_of(step: &Step, lang: &str, ui_attr: &str) -> String {
    if step.instead_of.is_empty() {
        return String::new();
    }
    let ids: Vec<String> = step.instead_of.iter().map(|id| esc(id)).collect();
    format!(
        " <span class=\"instead\"{ui_attr}>({})</span>",
        fill(ui::t(lang, "instead_of"), &[("steps", &ids.join(", "))])
    )
}

/// A printable page's head, up to `<body>`: no network (the policy allows inline styles
/// only), the document's language, `css` and the paper size; the title from the catalog's
/// `title_key` in the reader's language.
pub(super) fn head(ctx: &Ctx, css: &str, title_key: &str, paper: Paper) -> String {
    let document = Here::new(ctx.layout.lang);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"recover {version}\">\n\
         <title{title_lang}>{title}</title>\n<style>\n{css}\n@page {{ size: {size}; }}\n</style>\n</head>\n<body>\n",
        lang = lang_attr(ctx.layout.lang),
        version = env!("CARGO_PKG_VERSION"),
        title_lang = document.attr(Some(ctx.ui)),
        title = esc(ui::t(ctx.ui, title_key)),
        size = paper.css(),
    )
}

/// The cell saying who may give a bundle: a role's name (its own language) within the
/// catalog's words around it (the reader's).
pub(super) fn who(by: &Approver, ctx: &Ctx, here: &Here) -> String {
    who_in(by, ctx, here, ("print_or_above", "print_role_only"))
}

/// [`who`] with the catalog's keys for "ROLE or above" and "ROLE" (the pocket card has
/// shorter words than the handbook's).
pub(super) fn who_in(by: &Approver, ctx: &Ctx, here: &Here, (above, only): (&str, &str)) -> String {
    let lang = ctx.layout.lang;
    let words = match by {
        Approver::Role { label, lang: role_lang, or_above } => {
            let inside = Here::new(ctx.ui);
            let role = inside.text(label, ctx.role_lang(*role_lang));
            let role = [("role", role.as_str())];
            let key = if *or_above { above } else { only };
            fill(ui::t(lang, key), &role)
        }
        Approver::Anyone => esc(ui::t(lang, "print_anyone")),
        Approver::Nobody => esc(ui::t(lang, "print_nobody")),
    };
    format!("<td class=\"who\"{}>{words}</td>", here.attr(Some(ctx.ui)))
}

/// The words to say, set apart; the guest's language below, marked with its `lang`.
fn say_block(say: &Text, ctx: &Ctx, here: &Here) -> String {
    let lang = ctx.layout.lang;
    let mut out = format!(
        "<blockquote class=\"say\"><p{}>\u{201c}{}\u{201d}</p>",
        here.attr(ctx.lang_of(say)),
        esc(say.get(lang))
    );
    if let Some((guest, text)) = guest_say(say, lang, ctx.layout.guest) {
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
fn options(step: &Step, ctx: &Ctx, here: &Here) -> String {
    let lang = ctx.layout.lang;
    let labels: Vec<String> =
        step.choose.iter().map(|c| here.text(c.label.get(lang), ctx.lang_of(&c.label))).collect();
    format!(
        "<p class=\"options\"><b{}>{}</b> {}</p>\n",
        here.attr(Some(ctx.ui)),
        esc(ui::t(lang, "print_options")),
        labels.join(" \u{b7} ")
    )
}
