//! Pocket cards (`recover print --card`): each playbook on a card of about A6
//! (98 × 130 mm), four to a sheet of A4 or Letter with dashed cut lines, to carry at the
//! desk: the words to say, the fix in three lines, the amends per severity and who may
//! give them, the follow-up. Same self-contained HTML as the handbook, same languages.
//! The words to say are printed whole; the fix shows one line per step and amends and
//! follow-ups at most two, cut with an ellipsis, so that a card never runs over its edge
//! whatever the language (the handbook has every word).

use super::escape::{html as esc, lang_attr};
use super::html::{Ctx, Here, dots, fill, head, who_in};
use super::{Paper, limits};
use crate::i18n as ui;
use crate::playbook::{Phase, Playbook, Severity};
use crate::policy::Policy;
use crate::render::playbook::Layout;

/// The card sheet's own style; the handbook's is not needed.
const CSS: &str = include_str!("cards.css");

/// Cards on one sheet: two across, two down.
pub const CARDS_PER_SHEET: usize = 4;

/// Fix steps a card shows; the rest are in the handbook.
const FIX_LINES: usize = 3;

/// The printable HTML sheets of pocket cards for `playbooks`, laid out for `paper`.
#[must_use]
pub fn cards(playbooks: &[&Playbook], policy: &Policy, layout: &Layout, paper: Paper) -> String {
    let ctx = Ctx { policy, layout, ui: ui::shown_lang(layout.lang) };
    let document = Here::new(layout.lang);
    let mut out = head(&ctx, CSS, "print_cards_title", paper);
    for sheet in playbooks.chunks(CARDS_PER_SHEET) {
        out.push_str("<section class=\"sheet\">\n");
        for pb in sheet {
            out.push_str(&card(pb, &ctx, &document));
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// One playbook's card, in the language its title is shown in.
fn card(pb: &Playbook, ctx: &Ctx, document: &Here) -> String {
    let lang = ctx.layout.lang;
    let shown = ctx.lang_of(&pb.title);
    let here = shown.map_or_else(|| Here(document.0.clone()), Here::new);
    let ui_attr = here.attr(Some(ctx.ui));
    let mut out = format!(
        "<article class=\"pcard\"{}>\n<header><h2>{}</h2><span class=\"kind\">{}</span></header>\n",
        shown.map(|l| format!(" lang=\"{}\"", lang_attr(l))).unwrap_or_default(),
        esc(pb.title.get(lang)),
        esc(&pb.kind)
    );
    // The words to say first, the apology's: the ones stress takes away.
    let says: Vec<&crate::text::Text> = pb.phases.apologise.iter().filter_map(|s| s.say.as_ref()).collect();
    if !says.is_empty() {
        out.push_str(&format!("<h3{ui_attr}>{}</h3>\n", esc(ui::t(lang, "print_card_say"))));
        for say in says {
            out.push_str(&format!(
                "<p class=\"say\"{}>\u{201c}{}\u{201d}</p>\n",
                here.attr(ctx.lang_of(say)),
                esc(say.get(lang))
            ));
        }
    }
    // The fix in three lines: the required steps first, in order.
    let fix = &pb.phases.fix;
    let mut shown_fix: Vec<_> = fix.iter().filter(|s| s.is_required(Phase::Fix)).collect();
    shown_fix.extend(fix.iter().filter(|s| !s.is_required(Phase::Fix)));
    out.push_str(&format!("<h3{ui_attr}>{}</h3>\n<ol class=\"fix\">\n", esc(ui::phase(lang, Phase::Fix))));
    for step in shown_fix.iter().take(FIX_LINES) {
        out.push_str(&format!(
            "<li><span class=\"line\">{}</span></li>\n",
            here.text(step.action.get(lang), ctx.lang_of(&step.action))
        ));
    }
    out.push_str("</ol>\n");
    if fix.len() > FIX_LINES {
        let more = ui::f(lang, "print_card_more", &[("count", &(fix.len() - FIX_LINES).to_string())]);
        out.push_str(&format!("<p class=\"more\"{ui_attr}>{}</p>\n", esc(&more)));
    }
    out.push_str(&amends(pb, ctx, &here));
    if !pb.phases.follow_up.is_empty() {
        out.push_str(&format!(
            "<h3{ui_attr}>{}</h3>\n<ul class=\"follow\">\n",
            esc(ui::phase(lang, Phase::FollowUp))
        ));
        for step in &pb.phases.follow_up {
            let when = step
                .within
                .map(|w| {
                    let due = ui::f(lang, "due_within", &[("within", &ui::within(lang, w))]);
                    format!("<b{ui_attr}>{}</b> ", esc(&due))
                })
                .unwrap_or_default();
            out.push_str(&format!(
                "<li><span class=\"clamp\">{when}{}</span></li>\n",
                here.text(step.action.get(lang), ctx.lang_of(&step.action))
            ));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</article>\n");
    out
}

/// The amends grouped by the severity they are offered from, each with its cost and who
/// may give it; the role limits in the heading.
fn amends(pb: &Playbook, ctx: &Ctx, here: &Here) -> String {
    let lang = ctx.layout.lang;
    if pb.phases.amend.is_empty() {
        return String::new();
    }
    let ui_attr = here.attr(Some(ctx.ui));
    let in_heading = Here::new(ctx.ui);
    let roles: Vec<String> = limits(ctx.policy, lang)
        .into_iter()
        .map(|role| format!("{} {}", in_heading.text(role.label, ctx.role_lang(role.lang)), role.limit))
        .collect();
    let limits = fill(
        ui::t(lang, "limits"),
        &[("currency", &esc(&ctx.policy.currency)), ("limits", &roles.join(", "))],
    );
    let mut out = format!(
        "<h3{ui_attr}>{} <span class=\"limits\">({limits})</span></h3>\n<table class=\"amends\">\n",
        esc(ui::phase(lang, Phase::Amend))
    );
    let bundles = super::bundles(&pb.phases.amend, ctx.policy, lang);
    for severity in Severity::ALL {
        let steps: Vec<_> = pb.phases.amend.iter().filter(|s| s.offered_from() == severity).collect();
        if steps.is_empty() {
            continue;
        }
        let from = ui::f(lang, "print_card_from", &[("severity", ui::severity(lang, severity))]);
        // Who may give it is said of the whole bundle at this severity, as the tool decides,
        // on the severity's own line so the card grows no taller.
        let bundle = bundles.iter().find(|b| b.severity == severity);
        out.push_str(&format!(
            "<tbody>\n<tr class=\"sev\"><th colspan=\"2\"{ui_attr}>{} <span class=\"dots\">{}</span>{}</th>{}</tr>\n",
            esc(&from),
            dots(severity),
            bundle.map(|b| format!(" <span class=\"num\">{} {}</span>", esc(&ctx.policy.currency), b.total)).unwrap_or_default(),
            bundle.map_or_else(
                || "<td></td>".to_owned(),
                |b| who_in(&b.by, ctx, here, ("print_card_or_above", "print_card_role_only"))
            ),
        ));
        for step in steps {
            out.push_str(&format!(
                "<tr><td><span class=\"clamp\">{}</span></td><td class=\"num\">{}</td><td></td></tr>\n",
                here.text(step.action.get(lang), ctx.lang_of(&step.action)),
                step.cost(),
            ));
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n");
    out
}
