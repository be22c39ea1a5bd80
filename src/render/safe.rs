//! Text from playbooks and people is shown, never obeyed: control characters and escape
//! sequences are made visible so they cannot move the cursor, retitle the window or hide
//! text in a terminal.

use std::borrow::Cow;

/// Characters that would act on a terminal rather than show: C0 and C1 controls (ESC
/// among them), DEL, and the bidirectional overrides that can reorder what is shown.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        // Reserved by the table layout as its placeholder (see `table`).
        || c == '\u{f8ff}'
}

/// Whether `bytes` are all printable ASCII (a space to `~`), as most cells are: shown as
/// they are, on one line, a column a byte. One pass without a branch per byte, which the
/// compiler turns into a few wide compares per 16 or 32 bytes.
#[must_use]
pub fn printable_ascii(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |ok, &b| ok & (b.wrapping_sub(0x20) < 0x5f))
}

/// Whether the UTF-8 `bytes` hold a tab or a character [`is_unsafe`] finds, read a byte at
/// a time (most text is safe, and this runs on every cell of every table): C0 controls but
/// the newline, DEL, C1 controls (`C2 80`-`C2 9F`), the bidirectional overrides (`E2 80
/// AA`-`AE`, `E2 81 A6`-`A9`) and U+F8FF (`EF A3 BF`).
fn needs_cleaning(bytes: &[u8]) -> bool {
    if printable_ascii(bytes) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x20 && b != b'\n' || b == 0x7f {
            return true;
        }
        if b >= 0xc2 {
            let next = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
            let unsafe_here = match b {
                0xc2 => (0x80..=0x9f).contains(&next(1)),
                0xe2 => {
                    (next(1) == 0x80 && (0xaa..=0xae).contains(&next(2)))
                        || (next(1) == 0x81 && (0xa6..=0xa9).contains(&next(2)))
                }
                0xef => next(1) == 0xa3 && next(2) == 0xbf,
                _ => false,
            };
            if unsafe_here {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// `s` with every unsafe character replaced by a visible escape (`\u{1b}`); tabs become
/// spaces. Newlines are kept.
#[must_use]
pub fn clean(s: &str) -> Cow<'_, str> {
    if !needs_cleaning(s.as_bytes()) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c == '\t' {
            out.push(' ');
        } else if is_unsafe(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`clean`], and on one line: newlines shown as ` ⏎ `, for table cells and prompts.
#[must_use]
pub fn one_line(s: &str) -> String {
    one_line_cow(s).into_owned()
}

/// [`one_line`], borrowing `s` when it is safe and on one line already (most cells), so a
/// table of hundreds of rows copies none of them.
#[must_use]
pub fn one_line_cow(s: &str) -> Cow<'_, str> {
    let cleaned = clean(s);
    if !cleaned.contains('\n') {
        return cleaned;
    }
    Cow::Owned(cleaned.replace("\r\n", " ⏎ ").replace('\n', " ⏎ "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_never_pass() {
        let hostile = "ok\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}x";
        let shown = clean(hostile);
        assert!(!shown.chars().any(is_unsafe), "{shown}");
        assert!(shown.contains("\\u{1b}]0;pwned"));
        assert_eq!(clean("plain ✓ দুঃখিত"), "plain ✓ দুঃখিত");
        assert_eq!(one_line("a\nb"), "a ⏎ b");
    }

    #[test]
    fn the_byte_scan_finds_what_the_character_test_finds() {
        // Every character of the first planes, alone and between others.
        for c in (0..=0x3_0000).filter_map(char::from_u32) {
            let alone = c.to_string();
            let between = format!("aé{c}“z");
            let expected = is_unsafe(c) || c == '\t';
            assert_eq!(needs_cleaning(alone.as_bytes()), expected, "U+{:04X}", u32::from(c));
            assert_eq!(needs_cleaning(between.as_bytes()), expected, "U+{:04X}", u32::from(c));
        }
    }
}
