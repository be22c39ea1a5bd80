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

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};

/// Decodes `text` as `T`, or `None` when the text is outside the subset or does not
/// decode (the caller asks `serde_yaml`, which has the final word).
pub(super) fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    let events = parse(text)?;
    let mut de = De { events: &events, pos: 0 };
    let value = T::deserialize(&mut de).ok()?;
    (de.pos == events.len()).then_some(value)
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
}

fn parse(text: &str) -> Option<Vec<Ev<'_>>> {
    if text.contains('\t') || text.contains('\r') {
        return None;
    }
    let mut lines = Vec::new();
    for raw in text.split('\n') {
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
    let mut p = Parser { lines, i: 0, events: Vec::with_capacity(text.len() / 16), depth: 0 };
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
        while let Some(at) = self.peek_indent() {
            if at < indent {
                break;
            }
            let text = self.lines[self.i].text;
            if at > indent || Self::is_item(text) {
                return None;
            }
            let (key, rest) = split_key(text)?;
            self.events.push(Ev::Scalar(Cow::Borrowed(key), true));
            self.i += 1;
            self.value(indent, rest, true)?;
        }
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

/// Where `": "` first stands in `s` (searching for the rarer `:` with `memchr`: `str::find`
/// with a two-byte needle costs several times more, and this runs on every line).
fn find_colon_space(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find(':') {
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
    while let Some(i) = s[from..].find('#') {
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
        while i < bytes.len() {
            if bytes[i] == b'\'' {
                if bytes.get(i + 1) == Some(&b'\'') {
                    let s = out.get_or_insert_with(String::new);
                    s.push_str(&body[last..=i]);
                    i += 2;
                    last = i;
                    continue;
                }
                let value = match out {
                    Some(mut s) => {
                        s.push_str(&body[last..i]);
                        Cow::Owned(s)
                    }
                    None => Cow::Borrowed(&body[..i]),
                };
                return Some((value, &body[i + 1..]));
            }
            i += 1;
        }
        return None;
    }
    let mut out: Option<String> = None;
    let mut last = 0;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let value = match out {
                    Some(mut s) => {
                        s.push_str(&body[last..i]);
                        Cow::Owned(s)
                    }
                    None => Cow::Borrowed(&body[..i]),
                };
                return Some((value, &body[i + 1..]));
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
            _ => i += 1,
        }
    }
    None
}

/// Why the quick reader stopped; the caller only needs to know that it did.
#[derive(Debug)]
struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not decoded by the quick reader")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Stop
    }
}

struct De<'e, 'a> {
    events: &'e [Ev<'a>],
    pos: usize,
}

impl<'e, 'a> De<'e, 'a> {
    fn next(&mut self) -> Result<&'e Ev<'a>, Stop> {
        let ev = self.events.get(self.pos).ok_or(Stop)?;
        self.pos += 1;
        Ok(ev)
    }

    fn skip(&mut self) -> Result<(), Stop> {
        let mut depth = 0usize;
        loop {
            match self.next()? {
                Ev::SeqStart | Ev::MapStart => depth += 1,
                Ev::SeqEnd | Ev::MapEnd => depth = depth.checked_sub(1).ok_or(Stop)?,
                Ev::Scalar(..) => {}
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }
}

fn is_null(v: &str) -> bool {
    matches!(v, "" | "~" | "null" | "Null" | "NULL")
}

fn as_bool(v: &str) -> Option<bool> {
    match v {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A plain scalar as `serde_yaml` types it, for the forms this reader is sure of: null,
/// booleans, text, decimal integers and decimals without exponent; anything else that
/// may be a number (`1e3`, `0x1F`, `007`, `+1`, `.5`) is refused rather than second-guessed.
fn visit_plain<'de, V: Visitor<'de>>(v: &str, visitor: V) -> Result<V::Value, Stop> {
    if is_null(v) {
        return visitor.visit_unit();
    }
    if let Some(b) = as_bool(v) {
        return visitor.visit_bool(b);
    }
    let first = v.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return visitor.visit_str(v);
    }
    // After a leading digit, a number (without a 0x, 0o or 0b prefix) has only digits, `.`,
    // `e`, `E`, `+` and `-`: anything else (`24h`, `2d`, `10:30`) is text.
    let radix = v.starts_with("0x") || v.starts_with("0o") || v.starts_with("0b");
    if first.is_ascii_digit() && !radix && v.bytes().any(|b| !(b.is_ascii_digit() || b"+-.eE".contains(&b))) {
        return visitor.visit_str(v);
    }
    let (int, frac) = match v.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (v, None),
    };
    let canonical = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
        && int.len() <= 18;
    match frac {
        None if canonical => visitor.visit_u64(int.parse().map_err(|_| Stop)?),
        Some(f) if canonical && !f.is_empty() && f.len() <= 15 && f.bytes().all(|b| b.is_ascii_digit()) => {
            visitor.visit_f64(v.parse().map_err(|_| Stop)?)
        }
        _ => Err(Stop),
    }
}

impl<'de> de::Deserializer<'de> for &mut De<'_, '_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        match self.next()? {
            Ev::Scalar(v, true) => visit_plain(v, visitor),
            Ev::Scalar(v, false) => visitor.visit_str(v),
            Ev::SeqStart => {
                let value = visitor.visit_seq(Seq { de: &mut *self })?;
                match self.next()? {
                    Ev::SeqEnd => Ok(value),
                    _ => Err(Stop),
                }
            }
            Ev::MapStart => {
                let value = visitor.visit_map(Map { de: &mut *self })?;
                match self.next()? {
                    Ev::MapEnd => Ok(value),
                    _ => Err(Stop),
                }
            }
            Ev::SeqEnd | Ev::MapEnd => Err(Stop),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        match self.next()? {
            Ev::Scalar(v, _) => visitor.visit_str(v),
            _ => Err(Stop),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        match self.next()? {
            Ev::Scalar(v, true) => visitor.visit_bool(as_bool(v).ok_or(Stop)?),
            _ => Err(Stop),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        match self.events.get(self.pos) {
            Some(Ev::Scalar(v, true)) if is_null(v) => {
                self.pos += 1;
                visitor.visit_none()
            }
            Some(_) => visitor.visit_some(self),
            None => Err(Stop),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        match self.events.get(self.pos) {
            Some(Ev::SeqStart) => self.deserialize_any(visitor),
            _ => Err(Stop),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        match self.events.get(self.pos) {
            Some(Ev::MapStart) => self.deserialize_any(visitor),
            _ => Err(Stop),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Stop> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Stop> {
        // Unit variants only, named by a scalar, as `serde_yaml` reads them untagged.
        match self.next()? {
            Ev::Scalar(v, _) => visitor.visit_enum(v.as_ref().into_deserializer()),
            _ => Err(Stop),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Stop> {
        self.skip()?;
        visitor.visit_unit()
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        _: V,
    ) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    serde::forward_to_deserialize_any! { char }

    fn deserialize_i8<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }
}

struct Seq<'d, 'e, 'a> {
    de: &'d mut De<'e, 'a>,
}

impl<'de> de::SeqAccess<'de> for Seq<'_, '_, '_> {
    type Error = Stop;
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Stop> {
        match self.de.events.get(self.de.pos) {
            Some(Ev::SeqEnd) => Ok(None),
            Some(_) => seed.deserialize(&mut *self.de).map(Some),
            None => Err(Stop),
        }
    }
}

struct Map<'d, 'e, 'a> {
    de: &'d mut De<'e, 'a>,
}

impl<'de> de::MapAccess<'de> for Map<'_, '_, '_> {
    type Error = Stop;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Stop> {
        match self.de.events.get(self.de.pos) {
            Some(Ev::MapEnd) => Ok(None),
            // `<<` merges in serde_yaml; never ours.
            Some(Ev::Scalar(k, _)) if k == "<<" => Err(Stop),
            Some(Ev::Scalar(..)) => seed.deserialize(&mut *self.de).map(Some),
            _ => Err(Stop),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Stop> {
        seed.deserialize(&mut *self.de)
    }
}

#[cfg(test)]
mod tests;
