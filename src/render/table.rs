//! Tables for people: boxes and colour in a terminal, plain aligned columns when piped.
//!
//! comfy-table draws the table. It measures text with `unicode-width`, which counts some
//! spacing marks (Bengali vowel signs, for one) as taking no column where terminals give
//! them one; so the columns are sized and the cells wrapped here, by terminal columns, and
//! each cell line is topped up with placeholder characters that comfy-table counts and
//! that are removed after layout. Every border then lands where a terminal puts it.

use std::borrow::Cow;

use comfy_table::presets::{NOTHING, UTF8_FULL_CONDENSED};
use comfy_table::{ContentArrangement, Table as Layout};
use unicode_width::UnicodeWidthStr;

use super::safe::{clean, one_line_cow, printable_ascii};
use super::wrap::width;

/// Counted as one column by comfy-table, removed before printing; from the private use
/// area, and [`super::safe`] never lets one through from real text.
const FILL: char = '\u{f8ff}';

/// Narrowest a column is squeezed to while a wider one can give way: a date and time fit.
const COMFORTABLE_COLUMN: usize = 16;

/// A table being built; laid out when turned into text.
pub struct Table {
    styled: bool,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// A table styled for where it goes: boxes when `styled`, bare columns otherwise.
#[must_use]
pub fn new(styled: bool, header: &[&str]) -> Table {
    let header =
        header.iter().map(|h| if styled { clean(h).into_owned() } else { clean(h).to_uppercase() }).collect();
    Table { styled, header, rows: Vec::new() }
}

impl Table {
    /// Adds a row of cells; control characters are made visible here whatever the caller
    /// did, so no cell from the log can act on the terminal.
    pub fn add_row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows.push(cells.into_iter().map(|c| clean(c.as_ref()).into_owned()).collect());
    }

    /// Column widths that fit `max` columns in all (borders and padding included), narrowing
    /// the widest first: long columns down to what a date fits, then each down to its longest
    /// word, so that no word is broken, and no id: a step id such as `manager-check-back` is
    /// one word. `None` when even that is too wide: the rows are then shown one under another
    /// (see [`stacked`]).
    fn widths(&self, max: Option<usize>) -> Option<Vec<usize>> {
        let columns = self.header.len();
        let cells = |i: usize| std::iter::once(&self.header).chain(&self.rows).filter_map(move |r| r.get(i));
        // comfy-table gives an empty column one column of content all the same.
        let mut widths: Vec<usize> = (0..columns)
            .map(|i| {
                cells(i).flat_map(|c| c.lines().map(width).collect::<Vec<_>>()).max().unwrap_or(0).max(1)
            })
            .collect();
        let Some(max) = max else { return Some(widths) };
        let words: Vec<usize> =
            (0..columns).map(|i| cells(i).map(|c| longest_word(c)).max().unwrap_or(0).max(1)).collect();
        let chrome = if self.styled { 3 * columns + 1 } else { 2 * columns };
        for comfortable in [true, false] {
            while widths.iter().sum::<usize>() + chrome > max {
                let floor = |i: usize| if comfortable { words[i].max(COMFORTABLE_COLUMN) } else { words[i] };
                let Some((i, w)) = widths
                    .iter()
                    .copied()
                    .enumerate()
                    .filter(|(i, w)| *w > floor(*i))
                    .max_by_key(|(_, w)| *w)
                else {
                    break;
                };
                widths[i] = w - 1;
            }
        }
        (widths.iter().sum::<usize>() + chrome <= max).then_some(widths)
    }
}

/// The widest word of `cell`: what its column may not be narrower than.
fn longest_word(cell: &str) -> usize {
    cell.split_whitespace().map(width).max().unwrap_or(0)
}

/// The rows one under another, each cell after its column's name, for a terminal too narrow
/// for the table: values wrap at `max` columns under themselves, between words.
fn stacked(t: &Table, max: usize) -> String {
    let label = t.header.iter().map(|h| width(h)).max().unwrap_or(0);
    let mut out = String::new();
    for (n, row) in t.rows.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        for (h, cell) in t.header.iter().zip(row) {
            if cell.trim().is_empty() {
                continue;
            }
            let room = max.saturating_sub(label + 2);
            let lines = cell.lines().flat_map(|l| super::wrap::wrap(l, room, ""));
            for (k, line) in lines.enumerate() {
                let lead = if k == 0 { h.as_str() } else { "" };
                out.push_str(format!("{lead}{}  {line}", " ".repeat(label - width(lead))).trim_end());
                out.push('\n');
            }
        }
    }
    out
}

/// A cell wrapped to `max` columns, each line topped up so comfy-table counts what a
/// terminal shows.
fn fit(cell: &str, max: usize) -> String {
    let lines: Vec<String> = cell
        .lines()
        .flat_map(|l| if width(l) > max { wrap_cell(l, max) } else { vec![l.to_owned()] })
        .collect();
    let fitted: Vec<String> = lines
        .into_iter()
        .map(|mut line| {
            let missing = width(&line).saturating_sub(UnicodeWidthStr::width(line.as_str()));
            line.extend(std::iter::repeat_n(FILL, missing));
            line
        })
        .collect();
    fitted.join("\n")
}

/// `text` wrapped to `max` columns for a narrow cell: between words, else (only a word
/// wider than the cell) after a dash, slash or comma inside it (`special-` /
/// `request-missed`), else between graphemes. A word that fits the cell is never cut,
/// even where its first piece would fit at the end of a line.
fn wrap_cell(text: &str, max: usize) -> Vec<String> {
    let mut pieces: Vec<(String, bool)> = Vec::new();
    for word in text.split_whitespace() {
        if width(word) <= max {
            pieces.push((word.to_owned(), true));
            continue;
        }
        let mut start = 0;
        for (i, c) in word.char_indices() {
            let end = i + c.len_utf8();
            if matches!(c, '-' | '/' | ',') && end < word.len() {
                pieces.push((word[start..end].to_owned(), start == 0));
                start = end;
            }
        }
        pieces.push((word[start..].to_owned(), start == 0));
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for (piece, new_word) in pieces {
        let gap = usize::from(new_word && !line.is_empty());
        if !line.is_empty() && width(&line) + gap + width(&piece) > max {
            lines.push(std::mem::take(&mut line));
        } else if gap == 1 {
            line.push(' ');
        }
        if width(&piece) > max {
            // Between graphemes, never inside one.
            for g in unicode_segmentation::UnicodeSegmentation::graphemes(piece.as_str(), true) {
                if !line.is_empty() && width(&line) + width(g) > max {
                    lines.push(std::mem::take(&mut line));
                }
                line.push_str(g);
            }
        } else {
            line.push_str(&piece);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The columns a table on standard output must fit in: the terminal's (or `COLUMNS`) when
/// the table is styled or goes to a terminal; none for plain text into a pipe, whose lines
/// scripts read whole.
#[must_use]
pub fn room(styled: bool) -> Option<usize> {
    use std::io::IsTerminal;
    if styled || std::io::stdout().is_terminal() {
        super::wrap::columns(&console::Term::stdout())
    } else {
        None
    }
}

/// The table as text: fitted to the terminal when it is known (rows one under another if
/// even the narrowest columns are too wide), laid out by comfy-table, placeholders removed
/// and trailing spaces trimmed.
#[must_use]
pub fn to_text(t: &Table) -> String {
    let room = room(t.styled);
    // Plain columns into a pipe (a script's, or `list` in a shift-close job) need no layout:
    // each column as wide as its widest cell, as comfy-table would make it, written directly.
    if room.is_none()
        && !t.styled
        && std::iter::once(&t.header).chain(&t.rows).flatten().all(|c| !c.contains('\n'))
    {
        let header: Vec<&str> = t.header.iter().map(String::as_str).collect();
        return plain_text(&header, &t.rows);
    }
    laid_out(t, room)
}

/// The table laid out by comfy-table, fitted to `room` columns when that is known.
fn laid_out(t: &Table, room: Option<usize>) -> String {
    let Some(widths) = t.widths(room) else { return stacked(t, room.unwrap_or(usize::MAX)) };
    let row = |cells: &[String]| -> Vec<String> {
        cells.iter().enumerate().map(|(i, c)| fit(c, widths.get(i).copied().unwrap_or(usize::MAX))).collect()
    };
    let mut layout = Layout::new();
    if t.styled {
        layout.load_style(UTF8_FULL_CONDENSED);
    } else {
        layout.load_style(NOTHING);
    }
    layout.set_content_arrangement(ContentArrangement::Disabled);
    layout.set_header(row(&t.header));
    for r in &t.rows {
        layout.add_row(row(r));
    }
    if !t.styled {
        for column in layout.column_iter_mut() {
            column.set_padding((0, 2));
        }
    }
    let mut out = String::new();
    for line in layout.lines() {
        let line: String = line.chars().filter(|c| *c != FILL).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A whole table of one-line cells (each made safe and put on one line here, newlines
/// shown as ` ⏎ `): boxed by comfy-table when `styled`, fitted by it in a terminal;
/// otherwise plain columns laid out directly, the same text a plain comfy-table gives
/// without its per-cell work (a due list of hundreds of rows is printed in a fraction of
/// the time).
#[must_use]
pub fn render<R: AsRef<[S]>, S: AsRef<str>>(styled: bool, header: &[&str], rows: &[R]) -> String {
    if laid_out_by_comfy(styled) {
        let mut t = new(styled, header);
        for row in rows {
            t.add_row(row.as_ref().iter().map(|c| one_line_cow(c.as_ref())));
        }
        return to_text(&t);
    }
    plain_text(header, rows)
}

/// Whether a table of one-line cells needs comfy-table: boxed, or fitted to a terminal;
/// plain columns into a pipe are written directly ([`plain_lines`]).
fn laid_out_by_comfy(styled: bool) -> bool {
    styled || room(false).is_some()
}

/// [`plain_lines`] into one text.
fn plain_text<R: AsRef<[S]>, S: AsRef<str>>(header: &[&str], rows: &[R]) -> String {
    let mut out = String::new();
    let Ok(()) = plain_lines(header, rows, |line| {
        out.push_str(line);
        Ok::<(), std::convert::Infallible>(())
    });
    out
}

/// [`render`], written to `w` a line at a time as it is laid out when it is plain: a list
/// of hundreds of rows is never held whole.
///
/// # Errors
/// When `w` cannot be written to.
pub fn write_to<R: AsRef<[S]>, S: AsRef<str>>(
    w: &mut impl std::io::Write,
    styled: bool,
    header: &[&str],
    rows: &[R],
) -> std::io::Result<()> {
    if laid_out_by_comfy(styled) {
        return w.write_all(render(styled, header, rows).as_bytes());
    }
    plain_lines(header, rows, |line| w.write_all(line.as_bytes()))
}

/// Plain columns of one-line cells, each line (with its newline) handed to `emit` as it is
/// made. The cells are read twice, for the widths and then the lines, rather than held
/// measured in between: looking at a cell again costs less than the memory to keep it.
fn plain_lines<R: AsRef<[S]>, S: AsRef<str>, E>(
    header: &[&str],
    rows: &[R],
    mut emit: impl FnMut(&str) -> Result<(), E>,
) -> Result<(), E> {
    let header: Vec<String> = header.iter().map(|h| clean(h).to_uppercase()).collect();
    let header = measured(&header);
    let mut columns = Columns { widths: header.iter().map(|(_, w)| *w).collect() };
    for row in rows {
        for (w, cell) in columns.widths.iter_mut().zip(row.as_ref()) {
            *w = (*w).max(shown(cell.as_ref()).1);
        }
    }
    let mut line = String::new();
    columns.push_line(&mut line, header);
    emit(&line)?;
    for row in rows {
        line.clear();
        columns.push_line(&mut line, row.as_ref().iter().map(|c| shown(c.as_ref())));
        emit(&line)?;
    }
    Ok(())
}

/// A cell as a plain table shows it (safe, on one line) with the columns it takes; most
/// cells, printable ASCII, are taken as they are after one look at their bytes.
fn shown(cell: &str) -> (Cow<'_, str>, usize) {
    if printable_ascii(cell.as_bytes()) {
        return (Cow::Borrowed(cell), cell.len());
    }
    let cell = one_line_cow(cell);
    let columns = width(&cell);
    (cell, columns)
}

/// Cells already safe and on one line, each with the columns it takes, measured once for
/// the widths and the padding both.
fn measured<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> Vec<(S, usize)> {
    cells
        .into_iter()
        .map(|c| {
            let w = fast_width(c.as_ref());
            (c, w)
        })
        .collect()
}

/// `n` spaces, pushed a slice at a time rather than a character at a time.
fn pad(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// Columns `s` takes in a terminal; printable ASCII (most cells) is counted by its bytes.
fn fast_width(s: &str) -> usize {
    if printable_ascii(s.as_bytes()) { s.len() } else { width(s) }
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
        Columns { widths: header.iter().map(|h| fast_width(&clean(h).to_uppercase())).collect() }
    }

    /// Widens the columns to fit `row` (one-line cells).
    pub fn fit<S: AsRef<str>>(&mut self, row: &[S]) {
        for (w, cell) in self.widths.iter_mut().zip(row) {
            *w = (*w).max(fast_width(&clean(cell.as_ref())));
        }
    }

    /// The header line.
    #[must_use]
    pub fn header(&self, header: &[&str]) -> String {
        let upper: Vec<String> = header.iter().map(|h| clean(h).to_uppercase()).collect();
        self.line(&upper)
    }

    /// One row as a line: each cell made safe to show, padded to its column and two spaces,
    /// the end trimmed.
    #[must_use]
    pub fn line<S: AsRef<str>>(&self, row: &[S]) -> String {
        let mut out = String::new();
        self.push_line(&mut out, measured(row.iter().map(|c| clean(c.as_ref()))));
        out
    }

    /// One row of cells already safe to show (with their widths), padded to the columns and
    /// two spaces, the end trimmed, onto `out`.
    fn push_line<S: AsRef<str>>(&self, out: &mut String, row: impl IntoIterator<Item = (S, usize)>) {
        let start = out.len();
        for ((cell, width), w) in row.into_iter().zip(&self.widths) {
            out.push_str(cell.as_ref());
            pad(out, w.saturating_sub(width) + 2);
        }
        out.truncate(start + out[start..].trim_end().len());
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borders_line_up_by_terminal_columns() {
        let mut t = new(true, &["Type", "Title"]);
        t.add_row(["flight-cancelled", "ফ্লাইট বাতিল"]);
        t.add_row(["noise", "আওয়াজের উপদ্রব"]);
        t.add_row(["x", "plain"]);
        let text = to_text(&t);
        let widths: Vec<usize> = text.lines().map(width).collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{text}\n{widths:?}");
        assert!(!text.contains(FILL));
    }

    #[test]
    fn narrow_cells_break_after_dashes_before_inside_words() {
        assert_eq!(wrap_cell("special-request-missed", 10), vec!["special-", "request-", "missed"]);
        // A word that fits a line of its own is not cut where its first piece would fit.
        assert_eq!(wrap_cell("Follow-up manager-check-back", 27), vec!["Follow-up", "manager-check-back"]);
        assert_eq!(wrap_cell("noise, room 12", 8), vec!["noise,", "room 12"]);
        assert_eq!(wrap_cell("abcdefghijkl", 5), vec!["abcde", "fghij", "kl"]);
    }

    #[test]
    fn a_column_of_prose_gives_way_before_a_step_id_is_cut() {
        // The summary's totals at 60 columns: the amends' words wrap, the step id stays whole.
        let mut t = new(true, &["Total", ""]);
        t.add_row(["Amends", "EUR 8 of staff limit EUR 300 (within the limit)"]);
        t.add_row(["Follow-up manager-check-back", "due 2026-12-01 16:39"]);
        let widths = t.widths(Some(60)).expect("fits");
        assert!(widths.iter().sum::<usize>() + 7 <= 60, "{widths:?}");
        let cells = fit(&t.rows[1][0], widths[0]);
        assert!(cells.lines().any(|l| l.contains("manager-check-back")), "{cells}");
        // At any width, the step table keeps its ids whole or is shown row by row.
        let mut steps = new(true, &["Phase", "Step", "Outcome", "Choice", "Cost", "At"]);
        steps.add_row(["Fix", "confirm-in-writing", "done", "", "", "+0s"]);
        for max in 20..=120 {
            if let Some(widths) = steps.widths(Some(max)) {
                assert!(widths[1] >= "confirm-in-writing".len(), "{max}: {widths:?}");
            }
        }
    }

    #[test]
    fn squeezes_the_widest_column_to_fit() {
        let mut t = new(true, &["a", "b"]);
        t.add_row(["short", &"word ".repeat(30)]);
        let widths = t.widths(Some(60)).expect("fits");
        assert!(widths.iter().sum::<usize>() + 7 <= 60, "{widths:?}");
        assert_eq!(widths[0], 5);
    }

    #[test]
    fn words_and_ids_stay_whole_and_a_table_too_wide_is_stacked() {
        let mut t = new(true, &["Incident", "Do"]);
        t.add_row(["R2C-8X6", "Give the guest a voucher for a free dinner"]);
        let widths = t.widths(Some(30)).expect("fits in 30");
        assert!(widths[0] >= "Incident".len() && widths[1] >= "voucher".len(), "{widths:?}");
        assert!(fit(&t.rows[0][1], widths[1]).lines().any(|l| l.contains("voucher")));
        let header = ["", "Due", "Incident", "Ref", "Step", "Do", "Staff"];
        let mut wide = new(true, &header);
        wide.add_row([
            "OVERDUE",
            "2026-11-30 07:31",
            "R2C-8X6",
            "room 214",
            "manager-check-back",
            "Visit",
            "anna",
        ]);
        assert!(wide.widths(Some(40)).is_none(), "seven columns cannot fit 40 with words whole");
        let text = stacked(&wide, 40);
        assert!(text.lines().all(|l| width(l) <= 40), "{text}");
        assert!(text.contains("Incident  R2C-8X6") && text.contains("OVERDUE"), "{text}");
    }

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
        assert_eq!(streamed, laid_out(&t, None), "as comfy-table lays it out");
        let rows: Vec<Vec<String>> =
            rows.iter().map(|r| r.iter().map(|c| (*c).to_owned()).collect()).collect();
        assert_eq!(render(false, &header, &rows), to_text(&t));
        let none: [Vec<String>; 0] = [];
        assert_eq!(render(false, &header, &none), to_text(&new(false, &header)));
    }
}
