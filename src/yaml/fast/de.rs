//! Decoding the quick reader's events by `serde_yaml`'s own rules (its
//! `DeserializerFromEvents`, for untagged scalars), refusing (`Stop`) wherever this reader
//! is not sure; the caller then asks `serde_yaml`.

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::Ev;

/// Why the quick reader stopped; the caller only needs to know that it did.
#[derive(Debug)]
pub(super) struct Stop;

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

pub(super) struct De<'e, 'a> {
    events: &'e [Ev<'a>],
    pos: usize,
}

impl<'e, 'a> De<'e, 'a> {
    pub(super) fn new(events: &'e [Ev<'a>]) -> Self {
        De { events, pos: 0 }
    }

    /// Whether every event was read: one document, nothing after it.
    pub(super) fn at_end(&self) -> bool {
        self.pos == self.events.len()
    }

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
