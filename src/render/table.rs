//! Tables for people: boxes and colour in a terminal, plain aligned columns when piped.

use comfy_table::presets::{NOTHING, UTF8_FULL_CONDENSED};
use comfy_table::{ContentArrangement, Table};
use unicode_width::UnicodeWidthStr;

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

/// A whole table: boxed by comfy-table when `styled`; otherwise plain columns laid out
/// directly, the same text a plain comfy-table gives without its per-cell work (a due
/// list of hundreds of rows is printed in a fraction of the time).
#[must_use]
pub fn text<R: AsRef<[String]>>(styled: bool, header: &[&str], rows: &[R]) -> String {
    if styled {
        let mut t = new(true, header);
        for row in rows {
            t.add_row(row.as_ref());
        }
        return to_text(&t);
    }
    let mut columns = Columns::new(header);
    for row in rows {
        columns.fit(row.as_ref());
    }
    let mut out = columns.header(header);
    for row in rows {
        out.push_str(&columns.line(row.as_ref()));
    }
    out
}

/// Columns `s` takes in a terminal; printable ASCII (most cells) is counted by its bytes.
fn width(s: &str) -> usize {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) { s.len() } else { s.width() }
}

/// Plain aligned columns written a row at a time, exactly as [`new`] lays out an unstyled
/// table, for results too long to hold in memory: the widths come from a first reading.
#[derive(Clone, Debug)]
pub struct Columns {
    widths: Vec<usize>,
}

impl Columns {
    /// Columns as wide as the headers (in capitals, as plain tables show them).
    #[must_use]
    pub fn new(header: &[&str]) -> Self {
        Columns { widths: header.iter().map(|h| width(&h.to_uppercase())).collect() }
    }

    /// Widens the columns to fit `row` (one-line cells).
    pub fn fit<S: AsRef<str>>(&mut self, row: &[S]) {
        for (w, cell) in self.widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell.as_ref()));
        }
    }

    /// The header line.
    #[must_use]
    pub fn header(&self, header: &[&str]) -> String {
        let upper: Vec<String> = header.iter().map(|h| h.to_uppercase()).collect();
        self.line(&upper)
    }

    /// One row as a line: each cell padded to its column and two spaces, the end trimmed.
    #[must_use]
    pub fn line<S: AsRef<str>>(&self, row: &[S]) -> String {
        let mut out = String::new();
        for (cell, w) in row.iter().zip(&self.widths) {
            let cell = cell.as_ref();
            out.push_str(cell);
            out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(cell)) + 2));
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_columns_match_the_plain_table() {
        let header = ["id", "type", "ref", "note"];
        let rows = [
            ["K7Q-4MX", "reservation", "room 214", "দুঃখিত ✓"],
            ["A", "noise", "", "x"],
            ["ZZZ-999", "flight-cancelled", "BK123456", ""],
        ];
        let mut t = new(false, &header);
        let mut columns = Columns::new(&header);
        for r in &rows {
            t.add_row(r.to_vec());
            columns.fit(r);
        }
        let mut streamed = columns.header(&header);
        for r in &rows {
            streamed.push_str(&columns.line(r));
        }
        assert_eq!(streamed, to_text(&t));
        let rows: Vec<Vec<String>> =
            rows.iter().map(|r| r.iter().map(|c| (*c).to_owned()).collect()).collect();
        assert_eq!(text(false, &header, &rows), to_text(&t));
        let none: [Vec<String>; 0] = [];
        assert_eq!(text(false, &header, &none), to_text(&new(false, &header)));
    }
}
