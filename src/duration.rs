//! Durations as people write them (`30m`, `8h`, `2d`) and the moments `--since` accepts.

use std::fmt;
use std::str::FromStr;

use jiff::{Timestamp, ToSpan, Zoned, civil::Date, tz::TimeZone};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A span of time written as a whole number and a unit: `30m`, `8h`, `2d`, `1w`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Within {
    minutes: i64,
}

impl Within {
    /// The span in whole minutes.
    #[must_use]
    pub fn minutes(self) -> i64 {
        self.minutes
    }

    /// From whole minutes.
    #[must_use]
    pub fn from_minutes(minutes: i64) -> Self {
        Within { minutes }
    }

    /// The moment this long after `t`.
    #[must_use]
    pub fn after(self, t: Timestamp) -> Timestamp {
        t.checked_add(self.minutes.minutes()).unwrap_or(t)
    }

    /// The moment this long before `t`.
    #[must_use]
    pub fn before(self, t: Timestamp) -> Timestamp {
        t.checked_sub(self.minutes.minutes()).unwrap_or(t)
    }
}

impl FromStr for Within {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a duration (write e.g. 30m, 8h or 2d)");
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (num, unit) = s.split_at(split);
        let n: i64 = num.parse().map_err(|_| bad())?;
        let per = match unit.trim() {
            "m" | "min" => 1,
            "h" => 60,
            "d" => 60 * 24,
            "w" => 60 * 24 * 7,
            _ => return Err(bad()),
        };
        // Ten years is far past any follow-up or report period; refuse what overflows.
        if n > 3650 * 24 * 60 / per {
            return Err(format!("`{s}` is too long"));
        }
        Ok(Within { minutes: n * per })
    }
}

impl fmt::Display for Within {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.minutes;
        if m != 0 && m % (60 * 24) == 0 {
            write!(f, "{}d", m / (60 * 24))
        } else if m != 0 && m % 60 == 0 {
            write!(f, "{}h", m / 60)
        } else {
            write!(f, "{m}m")
        }
    }
}

impl Serialize for Within {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Within {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Within {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A duration such as 30m, 8h or 2d",
            "pattern": "^[0-9]+(m|min|h|d|w)$"
        })
    }
}

/// Reads `--since`/`--before`: a duration back from `now` (`8h`), `today` (local
/// midnight), a date (`2026-11-01`, local midnight) or an RFC 3339 timestamp.
pub fn parse_moment(s: &str, now: Timestamp, tz: &TimeZone) -> Result<Timestamp, String> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("today") {
        let today = now.to_zoned(tz.clone()).date();
        return local_midnight(today, tz);
    }
    if let Ok(w) = s.parse::<Within>() {
        return Ok(w.before(now));
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    if let Ok(z) = s.parse::<Zoned>() {
        return Ok(z.timestamp());
    }
    if let Ok(d) = s.parse::<Date>() {
        return local_midnight(d, tz);
    }
    Err(format!("`{s}` is not a time"))
}

/// The end of the local day of `now`.
#[must_use]
pub fn end_of_today(now: Timestamp, tz: &TimeZone) -> Timestamp {
    let tomorrow = now.to_zoned(tz.clone()).date().tomorrow().ok();
    tomorrow.and_then(|d| local_midnight(d, tz).ok()).unwrap_or(now)
}

fn local_midnight(d: Date, tz: &TimeZone) -> Result<Timestamp, String> {
    d.to_zoned(tz.clone()).map(|z| z.timestamp()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_units() {
        assert_eq!("30m".parse::<Within>().unwrap().minutes(), 30);
        assert_eq!("8h".parse::<Within>().unwrap().to_string(), "8h");
        assert_eq!("2d".parse::<Within>().unwrap().minutes(), 2880);
        assert!("2 days".parse::<Within>().is_err());
        assert!("h".parse::<Within>().is_err());
        assert!("99999999999d".parse::<Within>().is_err());
    }

    #[test]
    fn moments() {
        let now: Timestamp = "2026-11-23T15:00:00Z".parse().unwrap();
        let utc = TimeZone::UTC;
        assert_eq!(parse_moment("8h", now, &utc).unwrap().to_string(), "2026-11-23T07:00:00Z");
        assert_eq!(parse_moment("today", now, &utc).unwrap().to_string(), "2026-11-23T00:00:00Z");
        assert_eq!(parse_moment("2026-11-01", now, &utc).unwrap().to_string(), "2026-11-01T00:00:00Z");
        assert!(parse_moment("yesterdayish", now, &utc).is_err());
        assert_eq!(end_of_today(now, &utc).to_string(), "2026-11-24T00:00:00Z");
    }
}
