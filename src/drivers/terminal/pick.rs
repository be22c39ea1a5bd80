//! The first question of `start` without `--type`: which playbook, from a list that
//! filters as one types.

use console::Term;
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};

use super::interrupted;
use crate::error::Error;
use crate::i18n as ui;
use crate::render::safe::one_line;

/// The playbook to start, picked from the library's in a list that filters as one types:
/// each by its type, title and aliases, so "booking" finds the reservation playbook.
pub fn pick_playbook(lib: &crate::playbook::Library, lang: &str, styled: bool) -> Result<String, Error> {
    let theme: Box<dyn Theme> =
        if styled { Box::new(ColorfulTheme::default()) } else { Box::new(SimpleTheme) };
    // Type and aliases first, which the filter matches as one types; the title after them,
    // and each item cut to one line of the terminal so the list never runs off the screen.
    let width = crate::render::wrap::columns(&Term::stderr()).unwrap_or(80).saturating_sub(6);
    let items: Vec<String> = lib
        .listing(lang)
        .iter()
        .map(|l| {
            let aliases =
                if l.aliases.is_empty() { String::new() } else { format!(" ({})", l.aliases.join(", ")) };
            let item = one_line(&format!("{}{aliases} · {}", l.kind, l.title));
            let mut parts = crate::render::wrap::wrap(&item, width, "");
            let first = parts.swap_remove(0);
            if parts.is_empty() { first } else { format!("{first} …") }
        })
        .collect();
    let picked = dialoguer::FuzzySelect::with_theme(theme.as_ref())
        .with_prompt(ui::t(lang, "pick_type"))
        .items(&items)
        .default(0)
        .report(false)
        .interact_on(&Term::stderr())
        .map_err(interrupted)?;
    let kind = lib.playbooks.get(picked).map(|pb| pb.kind.clone()).unwrap_or_default();
    // The type picked under the question, fitted to the terminal (dialoguer's own line
    // repeats the whole item after the question, wider than a narrow terminal).
    let _ =
        super::super::select::report_answer(&Term::stderr(), theme.as_ref(), ui::t(lang, "pick_type"), &kind);
    Ok(kind)
}
