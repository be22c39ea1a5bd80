//! A quick reader for the plain YAML playbooks are written in, tried before `serde_yaml`
//! by [`super::decode_clean`]: `check` of a large library spent three quarters of its
//! time in the general parser's character-by-character reader and scanner.
//!
//! It reads only a narrow, common subset (block mappings and sequences indented with
//! spaces, one-line plain, quoted and flow values, comments) and gives up (`None`) on
//! anything else: multi-line scalars, tags, anchors, block scalars, tabs, several
//! documents, or any value whose meaning it is not sure of. Giving up is always safe: the
//! caller then decodes with `serde_yaml` as before. What it does accept it turns into the
//! same events libyaml would, and decodes them by `serde_yaml`'s own rules (its
//! `DeserializerFromEvents`), refusing rather than guessing at any type it does not
//! handle. The unit tests hold it to `serde_yaml` on the built-in playbooks and on
//! thousands of mutated copies.

mod de;

use std::borrow::Cow;

use serde::de::DeserializeOwned;

use de::De;

/// Decodes `text` as `T`, or `None` when the text is outside the subset or does not
/// decode (the caller asks `serde_yaml`, which has the final word).
pub(super) fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    let events = parse(text)?;
    let mut de = De::new(&events);
    let value = T::deserialize(&mut de).ok()?;
    de.at_end().then_some(value)
}

#[derive(Debug, PartialEq)]
enum Ev<'a> {
    /// A scalar and whether it was written plain (unquoted), which decides its type.
    Scalar(Cow<'a, str>, bool),
    SeqStart,
    SeqEnd,
    MapStart,
    MapEnd,
}

/// Nesting beyond this is left to the general parser (and its limits).
const MAX_DEPTH: usize = 32;

struct Line<'a> {
    indent: usize,
    text: &'a str,
}

struct Parser<'a> {
    lines: Vec<Line<'a>>,
    i: usize,
    events: Vec<Ev<'a>>,
    depth: usize,
    /// The keys of the block mappings open now, outermost first (see [`Parser::mapping`]).
    keys: Vec<&'a str>,
}

fn parse(text: &str) -> Option<Vec<Ev<'_>>> {
    if memchr::memchr2(b'\t', b'\r', text.as_bytes()).is_some() {
        return None;
    }
    let mut lines = Vec::new();
    for raw in split_lines(text) {
        let body = raw.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = raw.len() - body.len();
        if indent == 0 && (body.starts_with("---") || body.starts_with("...") || body.starts_with('%')) {
            return None;
        }
        lines.push(Line { indent, text: body.trim_end_matches(' ') });
    }
    if lines.first()?.indent != 0 {
        return None;
    }
    let mut p =
        Parser { lines, i: 0, events: Vec::with_capacity(text.len() / 16), depth: 0, keys: Vec::new() };
    p.mapping(0)?;
    (p.i == p.lines.len()).then_some(p.events)
}

impl<'a> Parser<'a> {
    fn peek_indent(&self) -> Option<usize> {
        self.lines.get(self.i).map(|l| l.indent)
    }

    fn is_item(text: &str) -> bool {
        text == "-" || text.starts_with("- ")
    }

    /// The block node starting at the current line, indented `indent`.
    fn node(&mut self, indent: usize) -> Option<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let r =
            if Self::is_item(self.lines[self.i].text) { self.sequence(indent) } else { self.mapping(indent) };
        self.depth -= 1;
        r
    }

    fn mapping(&mut self, indent: usize) -> Option<()> {
        self.events.push(Ev::MapStart);
        // A key written twice is left to the careful path, which names it: decoded straight
        // into a map type (a text's languages), the last would silently win.
        let first_key = self.keys.len();
        while let Some(at) = self.peek_indent() {
            if at < indent {
                break;
            }
            let text = self.lines[self.i].text;
            if at > indent || Self::is_item(text) {
                return None;
            }
            let (key, rest) = split_key(text)?;
            if self.keys[first_key..].contains(&key) {
                return None;
            }
            self.keys.push(key);
            self.events.push(Ev::Scalar(Cow::Borrowed(key), true));
            self.i += 1;
            self.value(indent, rest, true)?;
        }
        self.keys.truncate(first_key);
        self.events.push(Ev::MapEnd);
        Some(())
    }

    fn sequence(&mut self, indent: usize) -> Option<()> {
        self.events.push(Ev::SeqStart);
        while let Some(at) = self.peek_indent() {
            if at < indent {
                break;
            }
            let text = self.lines[self.i].text;
            if at > indent {
                return None;
            }
            if !Self::is_item(text) {
                break;
            }
            let rest = text[1..].trim_start_matches(' ');
            if Self::is_item(rest) {
                return None;
            }
            if !rest.is_empty() && !rest.starts_with(['"', '\'', '[', '{']) && split_key(rest).is_some() {
                // `- key: value`: a mapping whose keys stand where `key` does.
                let inner = indent + (text.len() - rest.len());
                self.lines[self.i] = Line { indent: inner, text: rest };
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return None;
                }
                self.mapping(inner)?;
                self.depth -= 1;
                continue;
            }
            self.i += 1;
            self.value(indent, rest, false)?;
        }
        self.events.push(Ev::SeqEnd);
        Some(())
    }

    /// The value after `key:` or `-` (`rest`, maybe empty) of a node indented `indent`.
    fn value(&mut self, indent: usize, rest: &'a str, in_map: bool) -> Option<()> {
        if rest.is_empty() || rest.starts_with('#') {
            match self.peek_indent() {
                Some(next) if next > indent => return self.node(next),
                // A list may stand at its key's own indent.
                Some(next) if in_map && next == indent && Self::is_item(self.lines[self.i].text) => {
                    return self.node(next);
                }
                _ => {
                    self.events.push(Ev::Scalar(Cow::Borrowed(""), true));
                    return Some(());
                }
            }
        }
        inline(rest, &mut self.events)?;
        // A deeper line after a one-line value would be its continuation: not ours.
        match self.peek_indent() {
            Some(next) if next > indent => None,
            _ => Some(()),
        }
    }
}

/// `key: rest` or `key:` with a simple plain key; `None` for anything else.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let (key, rest) = match find_colon_space(text) {
        Some(i) => (&text[..i], text[i + 2..].trim_start_matches(' ')),
        None => (text.strip_suffix(':')?, ""),
    };
    let simple = !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !key.starts_with('-');
    simple.then_some((key, rest))
}

/// `text` split at each newline, as `str::split('\n')` splits it, found with the memchr
/// crate's vector search (std's, behind `split`, reads a word at a time).
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let s = rest?;
        if let Some(i) = memchr::memchr(b'\n', s.as_bytes()) {
            rest = Some(&s[i + 1..]);
            Some(&s[..i])
        } else {
            rest = None;
            Some(s)
        }
    })
}

/// Where `": "` first stands in `s` (searching for the rarer `:` with `memchr`: `str::find`
/// with a two-byte needle costs several times more, and this runs on every line).
fn find_colon_space(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = memchr::memchr(b':', &s.as_bytes()[from..]) {
        let at = from + i;
        if s.as_bytes().get(at + 1) == Some(&b' ') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Where a comment (`" #"`) begins in `s`, found the same way.
fn find_comment(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'#', &s.as_bytes()[from..]) {
        let at = from + i;
        if at > 0 && s.as_bytes()[at - 1] == b' ' {
            return Some(at - 1);
        }
        from = at + 1;
    }
    None
}

/// After a one-line value: nothing, or a comment.
fn only_comment(rest: &str) -> bool {
    let trimmed = rest.trim_start_matches(' ');
    trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < rest.len())
}

/// A one-line value in block context: quoted, a flow collection, or plain.
fn inline<'a>(text: &'a str, events: &mut Vec<Ev<'a>>) -> Option<()> {
    match text.as_bytes()[0] {
        b'"' | b'\'' => {
            let (value, rest) = quoted(text)?;
            only_comment(rest).then(|| events.push(Ev::Scalar(value, false)))
        }
        b'[' => {
            let body = flow_body(text, ']')?;
            events.push(Ev::SeqStart);
            for item in split_flow(body)? {
                flow_scalar(item, events)?;
            }
            events.push(Ev::SeqEnd);
            Some(())
        }
        b'{' => {
            let body = flow_body(text, '}')?;
            events.push(Ev::MapStart);
            let first = events.len();
            for entry in split_flow(body)? {
                let i = entry.find(':')?;
                let key = entry[..i].trim_matches(' ');
                let value = &entry[i + 1..];
                if !value.is_empty() && !value.starts_with(' ') {
                    return None;
                }
                let simple = !key.is_empty()
                    && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                    && !key.starts_with('-');
                if !simple {
                    return None;
                }
                // Entries are a key and a scalar each: a key written twice goes to the careful
                // path, as in a block mapping.
                if events[first..].iter().step_by(2).any(|e| matches!(e, Ev::Scalar(k, _) if k == key)) {
                    return None;
                }
                events.push(Ev::Scalar(Cow::Borrowed(key), true));
                flow_scalar(value, events)?;
            }
            events.push(Ev::MapEnd);
            Some(())
        }
        _ => {
            let value = match find_comment(text) {
                Some(i) => text[..i].trim_end_matches(' '),
                None => text,
            };
            if !plain_ok(value) || find_colon_space(value).is_some() || value.ends_with(':') {
                return None;
            }
            events.push(Ev::Scalar(Cow::Borrowed(value), true));
            Some(())
        }
    }
}

/// Whether `value` reads as a plain scalar in block context just as written: it must not
/// begin with an indicator (and `-`, `?`, `:` are refused outright, to stay simple).
fn plain_ok(value: &str) -> bool {
    !value.is_empty()
        && !value.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`',
        ])
}

/// The inside of a one-line flow collection ending in `close` (then only a comment).
fn flow_body(text: &str, close: char) -> Option<&str> {
    let end = text.rfind(close)?;
    only_comment(&text[end + 1..]).then(|| &text[1..end])
}

/// A flow collection's items, split at commas outside quotes; nested collections and empty
/// items are refused.
fn split_flow(body: &str) -> Option<Vec<&str>> {
    if body.trim_matches(' ').is_empty() {
        return Some(Vec::new());
    }
    let mut items = Vec::new();
    let mut start = 0;
    let mut quote: Option<u8> = None;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => {
                // '' inside single quotes is an escaped quote; \" inside double quotes too.
                if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 1;
                } else {
                    quote = None;
                }
            }
            Some(b'"') if b == b'\\' => i += 1,
            Some(_) => {}
            None => match b {
                b'"' | b'\'' => quote = Some(b),
                b'[' | b']' | b'{' | b'}' => return None,
                b',' => {
                    items.push(&body[start..i]);
                    start = i + 1;
                }
                _ => {}
            },
        }
        i += 1;
    }
    if quote.is_some() {
        return None;
    }
    items.push(&body[start..]);
    items.iter().all(|item| !item.trim_matches(' ').is_empty()).then_some(items)
}

/// One scalar inside a flow collection: quoted, or plain without `:` or `#`.
fn flow_scalar<'a>(item: &'a str, events: &mut Vec<Ev<'a>>) -> Option<()> {
    let item = item.trim_matches(' ');
    if item.starts_with(['"', '\'']) {
        let (value, rest) = quoted(item)?;
        if !rest.trim_matches(' ').is_empty() {
            return None;
        }
        events.push(Ev::Scalar(value, false));
        return Some(());
    }
    if !plain_ok(item) || item.bytes().any(|b| b == b':' || b == b'#') {
        return None;
    }
    events.push(Ev::Scalar(Cow::Borrowed(item), true));
    Some(())
}

/// The scalar a closing quote at `end` of `body` ends, and what follows the quote: `body`
/// itself up to `end` when nothing was unescaped, else `out` with the rest from `last`.
fn closed(out: Option<String>, body: &str, last: usize, end: usize) -> (Cow<'_, str>, &str) {
    let value = match out {
        Some(mut s) => {
            s.push_str(&body[last..end]);
            Cow::Owned(s)
        }
        None => Cow::Borrowed(&body[..end]),
    };
    (value, &body[end + 1..])
}

/// A quoted scalar at the start of `text` and what follows it on the line. Double quotes
/// take only the common escapes.
fn quoted(text: &str) -> Option<(Cow<'_, str>, &str)> {
    let q = text.as_bytes()[0];
    let body = &text[1..];
    if q == b'\'' {
        let mut out: Option<String> = None;
        let mut i = 0;
        let bytes = body.as_bytes();
        let mut last = 0;
        while let Some(at) = memchr::memchr(b'\'', &bytes[i..]) {
            i += at;
            if bytes.get(i + 1) == Some(&b'\'') {
                let s = out.get_or_insert_with(String::new);
                s.push_str(&body[last..=i]);
                i += 2;
                last = i;
                continue;
            }
            return Some(closed(out, body, last, i));
        }
        return None;
    }
    let mut out: Option<String> = None;
    let mut last = 0;
    let bytes = body.as_bytes();
    let mut i = 0;
    while let Some(at) = memchr::memchr2(b'"', b'\\', &bytes[i..]) {
        i += at;
        match bytes[i] {
            b'"' => {
                return Some(closed(out, body, last, i));
            }
            b'\\' => {
                let c = match bytes.get(i + 1)? {
                    b'"' => '"',
                    b'\\' => '\\',
                    b'/' => '/',
                    b'n' => '\n',
                    b't' => '\t',
                    _ => return None,
                };
                let s = out.get_or_insert_with(String::new);
                s.push_str(&body[last..i]);
                s.push(c);
                i += 2;
                last = i;
            }
            // memchr2 finds only those two.
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests;
