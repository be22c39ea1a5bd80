//! Exact money amounts for costs, limits and totals.

use std::fmt;
use std::iter::Sum;
use std::ops::Add;
use std::str::FromStr;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount in the policy's currency, kept as an exact decimal so that totals and limit
/// checks never drift the way floating point does (0.1 + 0.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

impl Money {
    /// Nothing.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// True below zero.
    #[must_use]
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }

    /// A whole amount, for tests and defaults.
    #[must_use]
    pub fn whole(n: i64) -> Self {
        Money(Decimal::from(n))
    }
}

impl FromStr for Money {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let d = Decimal::from_str(s.trim()).map_err(|_| format!("`{s}` is not an amount"))?;
        Ok(Money(d.normalize()))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0.normalize();
        match d.scale() {
            1 | 2 => write!(f, "{d:.2}"),
            _ => write!(f, "{d}"),
        }
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl Serialize for Money {
    /// As a decimal string (`"150"`, `"12.50"`): exact for every consumer.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an amount such as 150 or 12.50")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
                Ok(Money(Decimal::from(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
                Ok(Money(Decimal::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Money, E> {
                if !v.is_finite() {
                    return Err(E::custom("an amount must be a finite number"));
                }
                // The shortest text that reads back as `v` is what the person wrote.
                Money::from_str(&v.to_string()).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
                Money::from_str(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An amount in the policy's currency, e.g. 150 or 12.50",
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$"}
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_without_drift() {
        let total: Money = ["0.1", "0.2", "0.7"].iter().map(|s| s.parse::<Money>().unwrap()).sum();
        assert_eq!(total, Money::whole(1));
        assert_eq!(total.to_string(), "1");
    }

    #[test]
    fn reads_floats_as_written_and_shows_cents() {
        let m: Money = serde_json::from_str("12.3").unwrap();
        assert_eq!(m.to_string(), "12.30");
        assert!("-5".parse::<Money>().unwrap().is_negative());
        assert!(serde_json::from_str::<Money>("\"abc\"").is_err());
    }
}
