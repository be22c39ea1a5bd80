//! Wrapping by display width that never splits a grapheme cluster, so Bengali conjuncts,
//! combining accents and emoji with modifiers stay whole.

use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthChar;

/// Columns `s` takes in a terminal, counted as terminals count them (wcwidth): nothing for
/// controls, non-spacing and enclosing marks and format characters, two for wide
/// characters, one for everything else, including spacing marks such as Bengali vowel
/// signs (which `unicode-width` counts as nothing).
#[must_use]
pub fn width(s: &str) -> usize {
    // Most of what is measured is ASCII: counted a byte at a time, which the compiler
    // vectorises, rather than decoded a character at a time.
    if s.is_ascii() {
        return s.bytes().filter(|b| !b.is_ascii_control()).count();
    }
    s.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    // ASCII, most of what tables hold, without the Unicode tables' lookups: the same answer.
    if c.is_ascii() { usize::from(!c.is_ascii_control()) } else { unicode_char_width(c) }
}

fn unicode_char_width(c: char) -> usize {
    use unicode_properties::GeneralCategory::{EnclosingMark, Format, NonspacingMark};
    if c.is_control() || matches!(c.general_category(), NonspacingMark | EnclosingMark | Format) {
        return 0;
    }
    match c.width() {
        Some(2) => 2,
        _ if c.general_category_group() == GeneralCategoryGroup::Mark => 1,
        Some(w) => w.max(1),
        None => 0,
    }
}

/// The width to wrap standard output's prose at: the terminal's (kept between 40 and 120
/// columns, a readable line), or 80 when piped.
#[must_use]
pub fn terminal_width() -> usize {
    columns(&console::Term::stdout()).unwrap_or(80).clamp(40, 120)
}

/// How many columns `term` shows: `COLUMNS` when it is set to a number (the convention
/// clap's help and most tools follow; it is also how a script or a test asks for a width
/// without a terminal), else the terminal's own size; `None` when `term` is no terminal
/// and `COLUMNS` is unset.
#[must_use]
pub fn columns(term: &console::Term) -> Option<usize> {
    let set = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|c| *c > 0);
    set.or_else(|| term.size_checked().map(|(_, c)| usize::from(c)))
}

/// `text` wrapped to `max` columns, each line after the first starting with `indent`
/// (the first line's prefix is the caller's). Words longer than a line are broken between
/// grapheme clusters.
#[must_use]
pub fn wrap(text: &str, max: usize, indent: &str) -> Vec<String> {
    let indent_width = width(indent);
    let max = max.max(indent_width + 10);
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut line_width = 0;
        // Each line sized once for what it will hold (in ASCII), not grown word by word.
        let start = |lines: &Vec<String>| {
            let mut line = String::with_capacity(max + indent.len());
            if !lines.is_empty() {
                line.push_str(indent);
            }
            line
        };
        for word in paragraph.split_whitespace() {
            let w = width(word);
            let room = max - if lines.is_empty() { 0 } else { indent_width };
            if line_width > 0 && line_width + 1 + w > room {
                lines.push(std::mem::take(&mut line));
                line_width = 0;
            }
            if line_width == 0 {
                line = start(&lines);
            } else {
                line.push(' ');
                line_width += 1;
            }
            if w <= room {
                line.push_str(word);
                line_width += w;
                continue;
            }
            for g in word.graphemes(true) {
                let gw = width(g);
                if line_width + gw > room && line_width > 0 {
                    lines.push(std::mem::take(&mut line));
                    line = start(&lines);
                    line_width = 0;
                }
                line.push_str(g);
                line_width += gw;
            }
        }
        if line_width > 0 || paragraph.trim().is_empty() {
            lines.push(line);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_counted_as_the_unicode_tables_count_it() {
        for c in (0..=127u8).map(char::from) {
            assert_eq!(char_width(c), unicode_char_width(c), "{c:?}");
        }
    }

    #[test]
    fn wraps_words_by_width() {
        let lines = wrap("one two three four five six", 12, "  ");
        assert_eq!(lines, vec!["one two", "  three four", "  five six"]);
        assert!(lines.iter().all(|l| width(l) <= 12));
    }

    #[test]
    fn counts_columns_as_terminals_do() {
        // ফ ্ ল া ই ট: the virama takes no column, the vowel sign AA takes one.
        assert_eq!(width("ফ্লাইট বাতিল"), 11);
        assert_eq!(width("e\u{301}"), 1);
        assert_eq!(width("日本"), 4);
        assert_eq!(width("a\u{200d}b"), 2);
    }

    #[test]
    fn never_splits_a_grapheme() {
        // "ক্ষ" is one conjunct cluster of three code points; "é" here is e + combining accent.
        let word = "ক্ষমাপ্রার্থনাকরছি";
        for max in 10..14 {
            for line in wrap(&word.repeat(3), max, "") {
                assert!(word.repeat(3).contains(line.trim()));
                assert!(line.graphemes(true).all(|g| !g.is_empty()));
                assert!(width(&line) <= max, "{line} wider than {max}");
            }
        }
        let accents = "e\u{301}".repeat(30);
        let lines = wrap(&accents, 10, "");
        assert!(lines.iter().all(|l| l.starts_with('e') && l.ends_with('\u{301}')));
        let emoji = "👍🏽".repeat(12);
        assert!(wrap(&emoji, 10, "").iter().all(|l| l.chars().count() % 2 == 0));
    }
}
