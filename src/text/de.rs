//! Decoding [`Text`] and [`Choice`] by hand, to exactly the rules `#[serde(untagged)]`
//! gave them (the same values accepted, the same one error message, raised at the text's
//! own path), without its cost: an untagged enum buffers every value into serde's
//! `Content` tree and tries each variant in turn, building an error for each miss. Every
//! playbook is mostly text, so that buffering was half of reading the built-in library at
//! start-up, and a tenth of `check`.
//!
//! The visitors below never fail on a value of the wrong shape; they answer `None`, and
//! the caller raises the untagged message once. So a wrong value deep inside a text is
//! reported at the text, as before, not at the language key.

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Choice, Text};

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor)?.ok_or_else(|| de::Error::custom(TEXT_EXPECTED))
    }
}

impl<'de> Deserialize<'de> for Choice {
    /// The value is kept without spaces around it: answers are trimmed before they are
    /// matched, so `" our hotel "` could otherwise never be picked.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (value, label) =
            d.deserialize_any(ChoiceVisitor)?.ok_or_else(|| de::Error::custom(CHOICE_EXPECTED))?;
        Ok(Choice { value: value.trim().to_owned(), label })
    }
}

/// What a text must be, said where one is not (serde's untagged message named a Rust type).
pub(crate) const TEXT_EXPECTED: &str =
    "expected a text, or a map of language codes to texts (e.g. {en: Sorry, da: Undskyld})";

/// What an option must be, said where one is not.
pub(crate) const CHOICE_EXPECTED: &str = "expected an option: a text, or a map of `value` and `label` (a text, or a map of language codes to texts)";

/// The message serde's `Content` buffer gives when it meets an enum (a YAML `!tag`).
const NO_ENUMS: &str = "untagged and internally tagged enums do not support enum input";

/// Every shape of value that is not the one wanted answers `None`; maps and sequences are
/// read to their end so the input stays in step.
/// `otherwise_none!(field)` is for a field-name visitor: it reads `u64` (a field's index)
/// itself, and sequences and maps are read to their end as everything else.
macro_rules! otherwise_none {
    () => {
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }
        otherwise_none!(@rest);
    };
    (field) => {
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            IgnoredAny.visit_seq(seq).map(|_| None)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            IgnoredAny.visit_map(map).map(|_| None)
        }
        otherwise_none!(@rest);
    };
    (@rest) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_i128<E: de::Error>(self, _: i128) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u128<E: de::Error>(self, _: u128) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            IgnoredAny::deserialize(d).map(|_| None)
        }
        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            IgnoredAny::deserialize(d).map(|_| None)
        }
        fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(de::Error::custom(NO_ENUMS))
        }
    };
}

/// A string, as serde's buffered `String` accepts it: text (or UTF-8 bytes), nothing else.
struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        Ok(std::str::from_utf8(v).ok().map(str::to_owned))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_map(map).map(|_| None)
    }

    otherwise_none!();
}

/// [`StrVisitor`] as a seed, for map keys and values.
struct Str;

impl<'de> de::DeserializeSeed<'de> for Str {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(StrVisitor)
    }
}

/// A [`Text`]: a string, or a map of strings to strings (a later duplicate language
/// replaces the earlier text and keeps its place, as `IndexMap` does).
struct TextVisitor;

impl<'de> de::DeserializeSeed<'de> for TextVisitor {
    type Value = Option<Text>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Option<Text>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a text, or a map of language codes to texts")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Text::Plain(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(Text::Plain(v)))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        Ok(std::str::from_utf8(v).ok().map(|s| Text::Plain(s.to_owned())))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut texts = IndexMap::with_capacity(map.size_hint().unwrap_or(5).min(16));
        let mut ok = true;
        while let Some(key) = map.next_key_seed(Str)? {
            let value = map.next_value_seed(Str)?;
            if let (Some(key), Some(value), true) = (key, value, ok) {
                texts.insert(key, value);
            } else {
                ok = false;
            }
        }
        Ok(ok.then_some(Text::Translated(texts)))
    }

    otherwise_none!();
}

/// A [`Choice`] as `(value, label)`: a string (its own label), or a map of `value` and
/// `label` (also by field number, 0 and 1, as serde allows); any other key is refused, as
/// everywhere else in a playbook, so a misspelt `lable` is not silently dropped.
struct ChoiceVisitor;

/// A key of a labelled choice.
enum Field {
    Value,
    Label,
    Other(String),
}

struct FieldVisitor;

impl<'de> de::DeserializeSeed<'de> for FieldVisitor {
    type Value = Option<Field>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Option<Field>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(match v {
            "value" => Field::Value,
            "label" => Field::Label,
            other => Field::Other(other.to_owned()),
        }))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        Ok(Some(match v {
            b"value" => Field::Value,
            b"label" => Field::Label,
            other => Field::Other(String::from_utf8_lossy(other).into_owned()),
        }))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(match v {
            0 => Field::Value,
            1 => Field::Label,
            other => Field::Other(other.to_string()),
        }))
    }

    otherwise_none!(field);
}

impl<'de> Visitor<'de> for ChoiceVisitor {
    type Value = Option<(String, Text)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an option, or its value and label")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some((v.to_owned(), Text::Plain(v.to_owned()))))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some((v.clone(), Text::Plain(v))))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        Ok(std::str::from_utf8(v).ok().map(|s| (s.to_owned(), Text::Plain(s.to_owned()))))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut value, mut label) = (None, None);
        let mut ok = true;
        let mut unknown: Option<String> = None;
        while let Some(field) = map.next_key_seed(FieldVisitor)? {
            match field {
                Some(Field::Value) => {
                    let v = map.next_value_seed(Str)?;
                    ok &= value.is_none() && v.is_some();
                    value = v;
                }
                Some(Field::Label) => {
                    let l = map.next_value_seed(TextVisitor)?;
                    ok &= label.is_none() && l.is_some();
                    label = l;
                }
                Some(Field::Other(key)) => {
                    map.next_value::<IgnoredAny>()?;
                    unknown.get_or_insert(key);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                    ok = false;
                }
            }
        }
        // A stray key in what is plainly an option is named; a map that is no option at all
        // (a text's languages where an option belongs) is told what an option is.
        if let (Some(key), true) = (unknown, value.is_some() || label.is_some()) {
            return Err(de::Error::unknown_field(&key, &["value", "label"]));
        }
        Ok(match (value, label, ok) {
            (Some(value), Some(label), true) => Some((value, label)),
            _ => None,
        })
    }

    otherwise_none!();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the derived untagged decoding gave, kept here as the reference (named as
    /// before, since the names are in the messages).
    mod old {
        use indexmap::IndexMap;
        use serde::Deserialize;

        #[derive(Deserialize, Debug, PartialEq)]
        #[serde(untagged)]
        pub enum Text {
            Plain(String),
            Translated(IndexMap<String, String>),
        }

        #[derive(Deserialize, Debug, PartialEq)]
        #[serde(untagged)]
        pub enum ChoiceRepr {
            Plain(String),
            Labelled { value: String, label: Text },
        }
    }
    use old::{ChoiceRepr as OldChoice, Text as OldText};

    fn old_text(t: OldText) -> Text {
        match t {
            OldText::Plain(s) => Text::Plain(s),
            OldText::Translated(m) => Text::Translated(m),
        }
    }

    fn old_choice(c: OldChoice) -> Choice {
        match c {
            OldChoice::Plain(s) => Choice { value: s.trim().to_owned(), label: Text::Plain(s) },
            OldChoice::Labelled { value, label } => {
                Choice { value: value.trim().to_owned(), label: old_text(label) }
            }
        }
    }

    const CASES: &[&str] = &[
        "x: Sorry",
        "x: ' padded '",
        "x: 12",
        "x: -3",
        "x: 1.5",
        "x: true",
        "x: ~",
        "x:",
        "x: []",
        "x: [a, b]",
        "x: [a, {en: b}]",
        "x: [a, b, c]",
        "x: [1, b]",
        "x: {}",
        "x: {en: Sorry, da: Undskyld}",
        "x: {da: Undskyld, en: Sorry, da: Igen}",
        "x: {en: 12}",
        "x: {en: [a]}",
        "x: {en: {a: b}}",
        "x: {12: a}",
        "x: {value: v, label: l}",
        "x: {value: ' v ', label: {en: l, da: m}}",
        "x: {value: v, label: l, colour: red}",
        "x: {value: v}",
        "x: {label: l}",
        "x: {value: 3, label: l}",
        "x: {value: v, label: 3}",
        "x: {value: v, label: [l]}",
        "x: {0: v, 1: l}",
        "x: {true: v, label: l}",
        "x: !tag v",
        "x: {value: !tag v, label: l}",
    ];

    #[derive(Deserialize, Debug)]
    struct Holder<T> {
        #[allow(dead_code)]
        x: T,
    }

    fn outcome<T: for<'a> Deserialize<'a>, U: fmt::Debug>(
        text: &str,
        map: impl Fn(T) -> U,
    ) -> Result<String, String> {
        // As `check` reads a broken file: through a value tree and serde_path_to_error (the
        // message and path are shown). Straight from the text (a clean file in one pass),
        // only whether it decodes matters.
        let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| format!("yaml: {e}"))?;
        let direct = serde_yaml::from_str::<Holder<T>>(text).map(|h| map(h.x)).map_err(|_| "error");
        let tree: Result<Holder<T>, _> = serde_path_to_error::deserialize(&value);
        let tree = tree.map(|h| map(h.x)).map_err(|e| format!("{} at {}", e.inner(), e.path()));
        match (direct, tree) {
            (Ok(d), Ok(t)) => Ok(format!("{d:?} / {t:?}")),
            (Err(d), Err(t)) => Err(format!("{d} / {t}")),
            (Ok(_), Err(t)) => Err(format!("direct only / {t}")),
            (Err(d), Ok(_)) => Err(format!("{d} / tree only")),
        }
    }

    /// The derives' outcome with their messages, which named Rust types, put as now.
    fn said_as_now<T>(old: Result<T, String>) -> Result<T, String> {
        old.map_err(|e| {
            e.replace("data did not match any variant of untagged enum Text", TEXT_EXPECTED)
                .replace("data did not match any variant of untagged enum ChoiceRepr", CHOICE_EXPECTED)
        })
    }

    #[test]
    fn text_and_choice_decode_as_the_untagged_derives_did() {
        for case in CASES {
            assert_eq!(
                outcome::<Text, _>(case, |t| t),
                said_as_now(outcome::<OldText, _>(case, old_text)),
                "Text from {case}"
            );
            // The one change: a key besides `value` and `label` is refused, at its name.
            if case.contains("colour") {
                let refused = outcome::<Choice, _>(case, |c| c).expect_err("colour refused");
                assert!(
                    refused.ends_with("unknown field `colour`, expected `value` or `label` at x"),
                    "{refused}"
                );
                continue;
            }
            assert_eq!(
                outcome::<Choice, _>(case, |c| c),
                said_as_now(outcome::<OldChoice, _>(case, old_choice)),
                "Choice from {case}"
            );
        }
    }

    #[test]
    fn json_decodes_alike() {
        for case in
            [r#""a""#, r#"{"en":"a","da":"b"}"#, "3", "null", r#"["a","b"]"#, r#"{"value":"a","label":"b"}"#]
        {
            let text = serde_json::from_str::<Text>(case).map_err(|e| e.to_string());
            let old =
                said_as_now(serde_json::from_str::<OldText>(case).map(old_text).map_err(|e| e.to_string()));
            assert_eq!(text, old, "{case}");
            let choice = serde_json::from_str::<Choice>(case).map_err(|e| e.to_string());
            let old = said_as_now(
                serde_json::from_str::<OldChoice>(case).map(old_choice).map_err(|e| e.to_string()),
            );
            assert_eq!(choice, old, "{case}");
        }
    }
}
