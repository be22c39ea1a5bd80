//! Playbook text in HTML and Markdown is shown, never obeyed: a title holding `<script>`,
//! an `&copy;`, a `*` or an escape character must come out as the characters written.
//! Control characters are made visible first (see [`crate::render::safe::clean`]).

use crate::render::safe::clean;

/// `s` as HTML text or attribute value: control characters made visible, then `&`, `<`,
/// `>` and both quotes as character references.
#[must_use]
pub fn html(s: &str) -> String {
    let cleaned = clean(s);
    let mut out = String::with_capacity(cleaned.len() + 16);
    for c in cleaned.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `s` as inline Markdown text on one line: control characters made visible, runs of
/// whitespace (newlines too) as one space, HTML neutralised with character references,
/// and every character that could start emphasis, a link, code, a table cell, maths or
/// (at the start) a list, heading or quote escaped with a backslash.
#[must_use]
pub fn markdown(s: &str) -> String {
    let cleaned = clean(s);
    let flat = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(flat.len() + 16);
    for c in flat.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' | '#' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    // What would open a block where the text starts a line: `- x`, `+ x`, `= x`, `1. x`.
    if out.starts_with(['-', '+', '=']) {
        out.insert(0, '\\');
    } else if let Some(end) = out.find(|c: char| !c.is_ascii_digit()).filter(|&end| end > 0) {
        if out[end..].starts_with(['.', ')']) {
            out.insert(end, '\\');
        }
    }
    out
}

/// `code` as a Markdown code span when it is a plain name (`own-it`), else as escaped text,
/// since backticks inside a span cannot be escaped.
#[must_use]
pub fn markdown_code(code: &str) -> String {
    if !code.is_empty() && code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        format!("`{code}`")
    } else {
        markdown(code)
    }
}

/// A language code fit for `lang="..."`: letters, digits and dashes in BCP 47 shape
/// (`en`, `nb`, `pt-BR`), else `und` (undetermined), so a strange `--lang` cannot break
/// out of the attribute or mislabel the document.
#[must_use]
pub fn lang_attr(code: &str) -> String {
    let mut parts = code.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok = parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if primary_ok && rest_ok { code.to_owned() } else { "und".to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_quotes_and_controls() {
        let shown = html("<script>alert('x')</script> & \"q\" \u{1b}[2J\u{0}");
        assert_eq!(
            shown,
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; \\u{1b}[2J\\u{0}"
        );
        assert_eq!(html("plain ✓ দুঃখিত"), "plain ✓ দুঃখিত");
    }

    #[test]
    fn markdown_neutralises_html_and_syntax() {
        assert_eq!(markdown("<b>hi</b> &copy;"), "&lt;b&gt;hi&lt;/b&gt; &amp;copy;");
        assert_eq!(
            markdown("*a* _b_ [c](d) `e` | $5 #1 ~x~"),
            r"\*a\* \_b\_ \[c\](d) \`e\` \| \$5 \#1 \~x\~"
        );
        assert_eq!(markdown("- not a list"), r"\- not a list");
        assert_eq!(markdown("12. not a list"), r"12\. not a list");
        assert_eq!(markdown("12 items"), "12 items");
        assert_eq!(markdown("two\n\nlines\u{1b}"), r"two lines\\u{1b}");
        assert!(!markdown("x\u{1b}y").contains('\u{1b}'));
    }

    #[test]
    fn code_spans_only_for_plain_names() {
        assert_eq!(markdown_code("own-it"), "`own-it`");
        assert_eq!(markdown_code("a`b"), r"a\`b");
    }

    #[test]
    fn lang_attribute_is_a_language_code_or_und() {
        assert_eq!(lang_attr("en"), "en");
        assert_eq!(lang_attr("pt-BR"), "pt-BR");
        assert_eq!(lang_attr("\"><script>"), "und");
        assert_eq!(lang_attr(""), "und");
    }
}
