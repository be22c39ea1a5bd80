//! Tables for people: boxes and colour in a terminal, plain aligned columns when piped.

use comfy_table::presets::{NOTHING, UTF8_FULL_CONDENSED};
use comfy_table::{ContentArrangement, Table};

/// A table styled for where it goes: boxes when `styled`, bare columns otherwise.
#[must_use]
pub fn new(styled: bool, header: &[&str]) -> Table {
    let mut t = Table::new();
    if styled {
        t.load_style(UTF8_FULL_CONDENSED);
        // Fit a known terminal; a terminal that reports no size (some ptys) gets the natural width.
        if let Some(cols) = console::Term::stdout().size_checked().map(|(_, c)| c).filter(|c| *c >= 40) {
            t.set_content_arrangement(ContentArrangement::Dynamic);
            t.set_width(cols);
        }
    } else {
        t.load_style(NOTHING);
        t.force_no_tty();
    }
    t.set_header(header.iter().map(|h| if styled { (*h).to_owned() } else { h.to_uppercase() }));
    if !styled {
        for column in t.column_iter_mut() {
            column.set_padding((0, 2));
        }
    }
    t
}

/// The table as text, trailing spaces trimmed from each line (plain mode pads them).
#[must_use]
pub fn to_text(t: &Table) -> String {
    let mut out = String::new();
    for line in t.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
