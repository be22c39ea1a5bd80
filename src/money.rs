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

/// The largest amount accepted where amounts enter (playbook costs, policy limits, imported
/// incidents), in any currency: far above any amend a desk gives, far below where sums of
/// many amounts could overflow (a log would need 79 billion billion of them).
pub const MAX_AMOUNT: i64 = 1_000_000_000;

/// The most decimal places any currency has (ISO 4217: CLF and UYW have four). Checked
/// before the currency is known; [`currency_places`] is the rule once it is.
pub const MAX_PLACES: u32 = 4;

/// Decimal places of `currency`'s minor unit (ISO 4217): 0 for JPY, 3 for KWD, 2 for most.
#[must_use]
pub fn currency_places(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "UYI"
        | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "CLF" | "UYW" => 4,
        _ => 2,
    }
}

impl Money {
    /// Nothing.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Decimal places as written, trailing zeros aside (`12.50` has one).
    #[must_use]
    pub fn places(self) -> u32 {
        self.0.normalize().scale()
    }

    /// Why this amount cannot be one in `currency`: more decimal places than its minor
    /// unit has (EUR 2, JPY 0), or more than [`MAX_AMOUNT`] either way.
    #[must_use]
    pub fn unfit_for(self, currency: &str) -> Option<String> {
        let places = currency_places(currency);
        if self.0.abs() > Decimal::from(MAX_AMOUNT) {
            return Some(format!("{self} is over the largest amount accepted ({MAX_AMOUNT})"));
        }
        (self.places() > places)
            .then(|| format!("{self} has more decimal places than {currency} has ({places})"))
    }

    /// The product, or `None` past what an amount can hold: a site's amounts are the
    /// policy's times its scale, exact (10 × 5.50 is 55, never 54.999…).
    #[must_use]
    pub fn checked_mul(self, rhs: Money) -> Option<Money> {
        self.0.checked_mul(rhs.0).map(|d| Money(d.normalize()))
    }

    /// Reads an amount where it enters `recover` (a playbook, a policy, an import): exact
    /// decimal text only, at most [`MAX_PLACES`] places and at most [`MAX_AMOUNT`] either
    /// way, so that no sum of amounts can overflow and nothing is rounded away.
    pub fn parse_input(s: &str) -> Result<Money, String> {
        let t = s.trim();
        let digits = t.strip_prefix('-').unwrap_or(t);
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let is_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !is_digits(whole)
            || !is_digits(frac)
            || (digits.contains('.') && frac.is_empty())
        {
            return Err(format!(
                "`{}` is not an amount (write e.g. 150 or 12.50)",
                crate::render::safe::one_line(s)
            ));
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > MAX_PLACES as usize {
            return Err(format!("`{t}` has more than {MAX_PLACES} decimal places"));
        }
        if whole.trim_start_matches('0').len() > 10 {
            return Err(format!("`{t}` is over the largest amount accepted ({MAX_AMOUNT})"));
        }
        let m = Money::from_str(t)?;
        if m.0.abs() > Decimal::from(MAX_AMOUNT) {
            return Err(format!("`{t}` is over the largest amount accepted ({MAX_AMOUNT})"));
        }
        Ok(m)
    }

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

/// Reads an amount as stored: any exact decimal, however large, so that a log written
/// before amounts were bounded still reads. Input goes through [`Money::parse_input`].
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

/// Saturating: amounts are bounded where they enter, but a log written before that may hold
/// one near the largest decimal; a total of such shows the largest value rather than panic.
impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0.saturating_add(rhs.0))
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
                Money::parse_input(&v.to_string()).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
                Money::parse_input(&v.to_string()).map_err(E::custom)
            }
            fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Money, E> {
                Money::parse_input(&v.to_string()).map_err(E::custom)
            }
            fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Money, E> {
                Money::parse_input(&v.to_string()).map_err(E::custom)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Money, E> {
                if !v.is_finite() {
                    return Err(E::custom("an amount must be a finite number"));
                }
                // The shortest text that reads back as `v` is what the person wrote: YAML
                // numbers that a float cannot hold exactly are refused before decoding
                // (src/yaml.rs), and a bounded amount of at most four places always fits.
                Money::parse_input(&v.to_string()).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Money, E> {
                Money::parse_input(v).map_err(E::custom)
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
                {"type": "number", "minimum": 0, "maximum": MAX_AMOUNT},
                {"type": "string", "pattern": "^[0-9]{1,10}(\\.[0-9]{1,4})?$"}
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

    #[test]
    fn input_is_bounded_and_exact() {
        assert!(Money::parse_input("79228162514264337593543950335").unwrap_err().contains("largest"));
        assert!(Money::parse_input("1000000000.01").unwrap_err().contains("largest"));
        assert_eq!(Money::parse_input("1000000000").unwrap(), Money::whole(1_000_000_000));
        assert!(Money::parse_input("0.0000000000000000000000000000001").unwrap_err().contains("places"));
        assert_eq!(Money::parse_input("12.5000").unwrap().to_string(), "12.50");
        assert!(Money::parse_input("1e3").is_err());
        assert!(Money::parse_input(".5").is_err());
        assert!(serde_json::from_str::<Money>("79228162514264337593543950335").is_err());
        assert_eq!(
            Money::parse_input("10.125").unwrap().unfit_for("EUR").unwrap(),
            "10.125 has more decimal places than EUR has (2)"
        );
        assert!(Money::parse_input("10.125").unwrap().unfit_for("KWD").is_none());
        assert!(Money::whole(5).unfit_for("JPY").is_none());
    }

    #[test]
    fn sums_saturate_rather_than_panic() {
        let big: Money = "79228162514264337593543950335".parse().unwrap();
        assert_eq!((big + big).to_string(), big.to_string());
    }
}
