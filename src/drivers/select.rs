//! A pick-one list drawn with dialoguer's theme: dialoguer's own `Select` confirms on the
//! space bar as well as Enter, and space is what people press in a tick list
//! (`MultiSelect`) to tick, so a stray space in a pick-one list answered the question with
//! whatever the cursor was on. Here only Enter confirms.

use std::io;

use console::{Key, Term};
use dialoguer::theme::Theme;

/// The index of the item picked from `items` (each possibly several lines), the cursor
/// starting on `default`. Arrows, Tab and j/k move; Enter confirms; every other key,
/// space included, does nothing. Ctrl-C and a vanished terminal are the read's errors.
/// With `report`, the answer is left under the prompt as dialoguer leaves it.
///
/// # Errors
/// Reading a key or drawing failed (`Interrupted` for Ctrl-C).
pub fn pick(
    term: &Term,
    theme: &dyn Theme,
    prompt: &str,
    items: &[String],
    default: usize,
    report: bool,
) -> io::Result<usize> {
    if items.is_empty() {
        return Err(io::Error::other("a pick-one list with nothing to pick"));
    }
    let mut sel = default.min(items.len() - 1);
    term.hide_cursor()?;
    let outcome = loop {
        let rows = draw(term, theme, prompt, items, sel)?;
        let key = term.read_key();
        term.clear_last_lines(rows)?;
        match key {
            Ok(Key::ArrowDown | Key::Tab | Key::Char('j')) => sel = (sel + 1) % items.len(),
            Ok(Key::ArrowUp | Key::BackTab | Key::Char('k')) => sel = (sel + items.len() - 1) % items.len(),
            Ok(Key::Enter) => break Ok(sel),
            Ok(_) => {}
            Err(e) => break Err(e),
        }
    };
    // Shown again whatever happened; a terminal that is gone is no new error.
    let _ = term.show_cursor();
    if let (Ok(sel), true) = (&outcome, report) {
        report_answer(term, theme, prompt, &items[*sel])?;
    }
    outcome
}

/// Leaves `answer` under its prompt as the theme draws it when that fits the terminal;
/// a longer line is written without its colours, wrapped between words, rather than left
/// to the terminal to break anywhere.
///
/// # Errors
/// Writing to the terminal failed.
pub fn report_answer(term: &Term, theme: &dyn Theme, prompt: &str, answer: &str) -> io::Result<()> {
    let width = crate::render::wrap::columns(term).unwrap_or(80);
    let mut line = String::new();
    theme.format_select_prompt_selection(&mut line, prompt, answer).map_err(io::Error::other)?;
    if console::measure_text_width(&line) <= width {
        return term.write_line(&line);
    }
    for part in crate::render::wrap::wrap(&console::strip_ansi_codes(&line), width, "  ") {
        term.write_line(&part)?;
    }
    Ok(())
}

/// Draws the prompt and the items, the cursor on `sel`; returns the rows written (a line
/// wider than the terminal takes more than one).
fn draw(term: &Term, theme: &dyn Theme, prompt: &str, items: &[String], sel: usize) -> io::Result<usize> {
    let width = usize::from(term.size().1).max(1);
    let mut text = String::new();
    theme.format_select_prompt(&mut text, prompt).map_err(io::Error::other)?;
    for (i, item) in items.iter().enumerate() {
        text.push('\n');
        theme.format_select_prompt_item(&mut text, item, i == sel).map_err(io::Error::other)?;
    }
    let rows = text.split('\n').map(|line| console::measure_text_width(line).max(1).div_ceil(width)).sum();
    term.write_line(&text)?;
    term.flush()?;
    Ok(rows)
}
