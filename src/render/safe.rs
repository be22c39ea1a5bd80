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

/// `s` with every unsafe character replaced by a visible escape (`\u{1b}`); tabs become
/// spaces. Newlines are kept.
#[must_use]
pub fn clean(s: &str) -> Cow<'_, str> {
    // Printable ASCII (most cells and lines) is safe as it is, checked a byte at a time.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Cow::Borrowed(s);
    }
    if !s.chars().any(|c| is_unsafe(c) || c == '\t') {
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
    let cleaned = clean(s);
    // Most cells are one line already: no second and third copy for them.
    if !cleaned.contains('\n') {
        return cleaned.into_owned();
    }
    cleaned.replace("\r\n", " ⏎ ").replace('\n', " ⏎ ")
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
}
