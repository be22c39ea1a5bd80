//! The one module that touches YAML crates.
//!
//! `serde_yaml` (the maintained `yaml_serde` fork) decodes documents into our types; it has
//! no spans, so `saphyr-parser` walks the same text once more to note where every key and
//! value stands. Swapping the YAML crate means changing this file only.
//!
//! Why these two crates and not serde-saphyr (one crate for serde and spans, in safe Rust):
//! docs/yaml-parser.md has the figures of 2026-11-30. Speed is the same (the quick reader
//! does the common work), the binary is 10.7% smaller with these, and on 3,300 mutated
//! playbooks each was better somewhere. Guard and walk refuse hostile text before either
//! decoder runs. Should yaml_serde's maintenance stop, bench/yaml-eval/serde-saphyr-switch.patch
//! is the start of the switch.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use saphyr_parser::{Event, Parser, SpannedEventReceiver};

mod fast;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

mod guard;

/// Largest YAML file we parse: far above any real playbook, far below what could exhaust
/// memory. Checked before parsing.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// Deepest nesting a playbook or answers file may have; real ones need five levels.
const MAX_DEPTH: usize = 64;

/// Most brackets a text may have to be decoded without the event walk first: nesting
/// cannot be deeper, and at this depth serde_yaml's quadratic cost is a few microseconds.
/// Real playbooks have a dozen.
const MAX_CLEAN_BRACKETS: usize = 1000;

/// Most values (scalars and collections) a document may hold: a large real playbook has a
/// few hundred. Past this, decoding and placing problems would take seconds per file.
const MAX_NODES: usize = 50_000;

/// Most significant digits a number may have: a float holds 15 exactly, and an amount
/// needs at most 14 (10 before the point, 4 after); more would be silently rounded.
const MAX_NUMBER_DIGITS: usize = 15;

/// A line and column, both counted from 1, as editors show them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub col: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Something wrong with a document, placed where an editor can jump to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    /// Where in the text.
    pub pos: Pos,
    /// What is wrong, in plain words.
    pub message: String,
}

/// A parsed document: its value tree, and where each path in it stands in the text,
/// worked out the first time a problem needs placing (a clean file never needs it, and
/// `check` of a large library spent a good part of its time noting positions).
#[derive(Debug)]
pub struct Document {
    root: Node,
    text: String,
    places: OnceLock<HashMap<String, Place>>,
}

#[derive(Clone, Copy, Debug)]
struct Place {
    key: Pos,
    value: Pos,
}

/// A value in a document whose shape is decided later (a step, a phase list), so that a
/// problem in one part does not hide the problems in the others.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Node(serde_yaml::Value);

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_yaml::Value::deserialize(d).map(Node)
    }
}

impl schemars::JsonSchema for Node {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Any".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!(true)
    }
}

impl Node {
    /// The entries of a mapping in written order, keys as text; `None` if not a mapping.
    #[must_use]
    pub fn entries(&self) -> Option<Vec<(String, Node)>> {
        let map = self.0.as_mapping()?;
        Some(map.iter().map(|(k, v)| (scalar_text(k), Node(v.clone()))).collect())
    }

    /// The items of a sequence; `None` if not a sequence.
    #[must_use]
    pub fn items(&self) -> Option<Vec<Node>> {
        self.0.as_sequence().map(|s| s.iter().cloned().map(Node).collect())
    }

    /// True for an empty value (`~`, `null` or nothing after the colon).
    #[must_use]
    pub fn is_null(&self) -> bool {
        self.0.is_null()
    }

    /// The value as a string when it is a plain scalar.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_str()
    }

    /// Decodes this value as `T`; on failure the error is placed at the offending key or
    /// value, found by its path below `path` (the path of this node in `doc`).
    pub fn decode<T: DeserializeOwned>(&self, doc: &Document, path: &str) -> Result<T, YamlError> {
        let result: Result<T, _> = serde_path_to_error::deserialize(&self.0);
        result.map_err(|err| {
            let inner = err.path().to_string();
            let message = tidy_message(&err.inner().to_string());
            let mut full = join(path, if inner == "." { "" } else { &inner });
            let mut at_key = false;
            if let Some(field) = unknown_field(&message) {
                full = join(&full, field);
                at_key = true;
            }
            YamlError { pos: doc.pos_of(&full, at_key), message }
        })
    }
}

fn join(base: &str, rest: &str) -> String {
    match (base.is_empty(), rest.is_empty()) {
        (_, true) => base.to_owned(),
        (true, false) => rest.to_owned(),
        (false, false) if rest.starts_with('[') => format!("{base}{rest}"),
        (false, false) => format!("{base}.{rest}"),
    }
}

fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

fn tidy_message(message: &str) -> String {
    // serde_yaml appends " at line L column C" to some messages; we place errors ourselves.
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn scalar_text(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Null => "~".to_owned(),
        other => format!("{other:?}"),
    }
}

impl Document {
    /// Parses one YAML document, refusing what no playbook or answers file should be:
    /// over [`MAX_FILE_BYTES`], not a mapping at the top, several documents, nesting deeper
    /// than a person writes, or aliases (playbooks never need them, and they can explode).
    pub fn parse(text: &str) -> Result<Self, YamlError> {
        if text.len() > MAX_FILE_BYTES {
            return Err(YamlError {
                pos: Pos { line: 1, col: 1 },
                message: format!("file is {} bytes, over the {} byte limit", text.len(), MAX_FILE_BYTES),
            });
        }
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        guard::flow_depth(text, MAX_DEPTH)?;
        walk(text, false)?;
        let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
            // serde_yaml places a duplicate at its mapping, or nowhere: name the key's line.
            if e.to_string().contains("duplicate entry") { duplicate_key(text) } else { None }
                .unwrap_or_else(|| from_serde(&e))
        })?;
        if !value.is_mapping() {
            let what = if value.is_null() {
                "the file is empty"
            } else {
                "the file must be a mapping of keys to values"
            };
            return Err(YamlError { pos: Pos { line: 1, col: 1 }, message: what.to_owned() });
        }
        Ok(Self { root: Node(value), text: text.to_owned(), places: OnceLock::new() })
    }

    /// The whole document.
    #[must_use]
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// Where `path` (as `phases.fix[1].cost`) stands: its key if `at_key`, else its value;
    /// the nearest enclosing path that exists otherwise, or the top of the file.
    #[must_use]
    pub fn pos_of(&self, path: &str, at_key: bool) -> Pos {
        // The text was walked once already in `parse`, so this walk cannot fail.
        let places = self.places.get_or_init(|| walk(&self.text, true).unwrap_or_default());
        let mut p = path;
        loop {
            if let Some(place) = places.get(p) {
                return if at_key { place.key } else { place.value };
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => return Pos { line: 1, col: 1 },
            }
        }
    }
}

/// Decodes `text` as `T` in one pass when it is plainly fine: within the size limit, one
/// document, no anchors or aliases (a text with `&` or `*` anywhere is not tried, since
/// serde_yaml would follow aliases that [`Document::parse`] refuses) and of `T`'s shape.
/// `None` means not vouched for: parse it with [`Document::parse`] and decode it part by
/// part to find and place its problems. The document returned has no value tree (its
/// root is null); it works out positions from the text when a later check asks.
#[must_use]
pub fn decode_clean<T: DeserializeOwned>(text: &str) -> Option<(T, Document)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // serde_yaml's time grows with the square of flow nesting, and nesting is bounded by the
    // number of brackets: with more than a real playbook has, take the careful path, where
    // the event walk (which stops at the first refusal) runs before serde_yaml.
    // Likewise a text that may hold more values than allowed (each needs a line or a comma):
    // the walk refuses it at the limit, where serde_yaml would decode it all first.
    // Anchors and aliases, and numbers a float would round, also take the careful path.
    if text.len() > MAX_FILE_BYTES || !guard::clean_enough(text, MAX_CLEAN_BRACKETS, MAX_NODES) {
        return None;
    }
    // The quick reader covers plainly written files; what it leaves, serde_yaml reads. Decoded
    // straight into a map type (a text's languages), a key written twice keeps the last one
    // silently: only serde_yaml's `Value` refuses it, so a text that decodes is read once more
    // as a value tree (only files the quick reader leaves: block scalars, tags and the like).
    let value: T = if let Some(value) = fast::from_str(text) {
        value
    } else {
        let value = serde_yaml::from_str(text).ok()?;
        serde_yaml::from_str::<serde_yaml::Value>(text).ok()?;
        value
    };
    let doc =
        Document { root: Node(serde_yaml::Value::Null), text: text.to_owned(), places: OnceLock::new() };
    Some((value, doc))
}

/// Decodes a whole document as `T` in one go; for small files where the first problem is
/// enough (the policy).
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    let doc = Document::parse(text)?;
    doc.root().decode(&doc, "")
}

fn from_serde(e: &serde_yaml::Error) -> YamlError {
    let pos = e.location().map_or(Pos { line: 1, col: 1 }, |l| Pos { line: l.line(), col: l.column() });
    YamlError { pos, message: tidy_message(&e.to_string()) }
}

/// Walks the event stream, refusing what `Document::parse` refuses; with `positions`,
/// notes where every key and value stands, by path.
fn walk(text: &str, positions: bool) -> Result<HashMap<String, Place>, YamlError> {
    let mut walker = Walker { positions, ..Walker::default() };
    // Event by event rather than `load`, so that the first refusal stops the parser.
    for event in Parser::new_from_str(text) {
        let (ev, span) = match event {
            Ok(event) => event,
            Err(e) => {
                let m = e.marker();
                let mut pos = Pos { line: m.line(), col: m.col() + 1 };
                if e.info().contains("found a tab") {
                    // The scanner notices a tab after the token before it, often at the end
                    // of the line above: place the message at the tab itself.
                    pos = guard::next_tab(text, m.line(), m.col()).unwrap_or(pos);
                }
                return Err(YamlError { pos, message: e.info().to_owned() });
            }
        };
        walker.on_event(ev, span);
        if let Some(err) = walker.error {
            return Err(err);
        }
    }
    Ok(walker.places)
}

/// The first key written twice in one mapping, placed where it is written again.
fn duplicate_key(text: &str) -> Option<YamlError> {
    let mut walker = Walker { positions: true, ..Walker::default() };
    for event in Parser::new_from_str(text) {
        let (ev, span) = event.ok()?;
        walker.on_event(ev, span);
        if let Some((key, pos)) = walker.duplicate.take() {
            let message = format!("key `{key}` is written twice in the same mapping; keep one");
            return Some(YamlError { pos, message });
        }
    }
    None
}

#[derive(Debug)]
enum Frame {
    Map { path: String, key: Option<(String, Pos)> },
    Seq { path: String, next: usize },
}

#[derive(Debug, Default)]
struct Walker {
    /// Whether to note positions (else only check the limits).
    positions: bool,
    stack: Vec<Frame>,
    places: HashMap<String, Place>,
    documents: usize,
    nodes: usize,
    error: Option<YamlError>,
    /// The first key written twice in one mapping, where it is written the second time
    /// (noted with positions only).
    duplicate: Option<(String, Pos)>,
}

impl Walker {
    fn fail(&mut self, pos: Pos, message: &str) {
        if self.error.is_none() {
            self.error = Some(YamlError { pos, message: message.to_owned() });
        }
    }

    /// Called for every value (scalar, alias, mapping or sequence start): returns the
    /// path it gets, or `None` when it is a mapping key.
    fn value_path(&mut self, pos: Pos, scalar: Option<&str>) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                self.places.insert(p.clone(), Place { key: pos, value: pos });
                Some(p)
            }
            Some(Frame::Map { path, key }) => match key.take() {
                None => {
                    let name = scalar.unwrap_or("?").to_owned();
                    if self.duplicate.is_none()
                        && scalar.is_some()
                        && self.places.contains_key(&join(path, &name))
                    {
                        self.duplicate = Some((name.clone(), pos));
                    }
                    *key = Some((name, pos));
                    None
                }
                Some((k, key_pos)) => {
                    let p = join(path, &k);
                    self.places.insert(p.clone(), Place { key: key_pos, value: pos });
                    Some(p)
                }
            },
        }
    }
}

impl<'input> SpannedEventReceiver<'input> for Walker {
    fn on_event(&mut self, ev: Event<'input>, span: saphyr_parser::Span) {
        let pos = Pos { line: span.start.line(), col: span.start.col() + 1 };
        if matches!(ev, Event::Scalar(..) | Event::MappingStart(..) | Event::SequenceStart(..)) {
            self.nodes += 1;
            if self.nodes > MAX_NODES {
                self.fail(pos, &format!("the file holds more than {MAX_NODES} values; split it"));
            }
        }
        match ev {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    self.fail(pos, "the file holds several YAML documents; keep one per file");
                }
            }
            Event::Alias(_) => {
                self.fail(pos, "aliases (*name) are not allowed; write the value out");
            }
            Event::Scalar(text, style, ..) => {
                if style == saphyr_parser::ScalarStyle::Plain
                    && guard::significant_digits(&text).is_some_and(|n| n > MAX_NUMBER_DIGITS)
                {
                    let message = format!(
                        "`{text}` has more digits than a number can hold exactly (an amount has at most \
                         {} before the point and {} after)",
                        10,
                        crate::money::MAX_PLACES
                    );
                    self.fail(pos, &message);
                }
                if self.positions {
                    let _ = self.value_path(pos, Some(&text));
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.fail(pos, "nesting is too deep");
                    // Keep a frame so the matching end event stays balanced.
                }
                let path = if self.positions {
                    self.value_path(pos, None).unwrap_or_else(|| "?".to_owned())
                } else {
                    String::new()
                };
                self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                    Frame::Map { path, key: None }
                } else {
                    Frame::Seq { path, next: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_keys_and_values_by_path() {
        let doc = Document::parse("a: 1\nphases:\n  fix:\n    - id: x\n      cost: -3\n").unwrap();
        assert_eq!(doc.pos_of("phases.fix[0].cost", false), Pos { line: 5, col: 13 });
        assert_eq!(doc.pos_of("phases.fix[0].cost", true), Pos { line: 5, col: 7 });
        assert_eq!(doc.pos_of("phases.fix[0].nope", true), Pos { line: 4, col: 7 });
        assert_eq!(doc.pos_of("a", true), Pos { line: 1, col: 1 });
    }

    #[test]
    fn refuses_aliases_several_documents_and_non_mappings() {
        assert!(Document::parse("a: &x [1]\nb: *x\n").unwrap_err().message.contains("aliases"));
        assert!(Document::parse("a: 1\n---\nb: 2\n").unwrap_err().message.contains("several"));
        assert!(Document::parse("- 1\n").unwrap_err().message.contains("mapping"));
        assert!(Document::parse("").unwrap_err().message.contains("empty"));
    }

    #[test]
    fn deep_nesting_is_refused_even_where_the_pre_scan_is_fooled() {
        let n = 400_000;
        let deep = format!("{}1{}\n", "[".repeat(n), "]".repeat(n));
        // The pre-scan takes the `|` for a block scalar's start and skips the lines below;
        // the event walk, which runs before serde_yaml either way, stops at the depth.
        let fooled = format!("a:\n  b: x\n   |c\n  d: {deep}");
        for text in [format!("type: {deep}"), fooled] {
            let err = Document::parse(&text).unwrap_err();
            assert!(err.message.contains("nesting") || err.message.contains("recursion"), "{err:?}");
            assert!(decode_clean::<serde_yaml::Value>(&text).is_none());
        }
    }

    #[test]
    fn decode_places_unknown_fields_at_their_key() {
        #[derive(Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        struct S {
            #[allow(dead_code)]
            id: String,
        }
        let doc = Document::parse("steps:\n  - id: a\n    colour: red\n").unwrap();
        let step = &doc.root().entries().unwrap()[0].1.items().unwrap()[0];
        let err = step.decode::<S>(&doc, "steps[0]").unwrap_err();
        assert_eq!(err.pos, Pos { line: 3, col: 5 });
        assert!(err.message.starts_with("unknown field `colour`"), "{}", err.message);
    }
}
