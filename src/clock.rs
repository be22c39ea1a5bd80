//! The time `recover` records: now, to the millisecond, so what is shown and what the log
//! keeps are the same instant.

use std::fmt::Write as _;

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Now, truncated to whole milliseconds.
#[must_use]
pub fn now() -> Timestamp {
    let t = Timestamp::now();
    Timestamp::from_millisecond(t.as_millisecond()).unwrap_or(t)
}

/// The local time zone, for `today` and for showing times; UTC if it cannot be found.
#[must_use]
pub fn local_zone() -> TimeZone {
    zone_file().unwrap_or_else(|| TimeZone::try_system().unwrap_or(TimeZone::UTC))
}

/// The usual case read straight from its file: `TZ` naming a zone (`Europe/Copenhagen`,
/// `:UTC`), or no `TZ` and `/etc/localtime` a link into the zoneinfo folder. jiff would
/// first list the whole zoneinfo folder (some 600 files), which costs a quick command more
/// than the rest of its work; anything else (POSIX rules in `TZ`, a copied localtime file)
/// is left to jiff.
fn zone_file() -> Option<TimeZone> {
    let dir =
        std::env::var_os("TZDIR").map_or_else(|| "/usr/share/zoneinfo".into(), std::path::PathBuf::from);
    let name = match std::env::var("TZ") {
        Ok(tz) => tz.strip_prefix(':').unwrap_or(&tz).to_owned(),
        Err(std::env::VarError::NotPresent) => {
            let target = std::fs::read_link("/etc/localtime").ok()?;
            let target = target.to_str()?;
            target[target.rfind("zoneinfo/")? + "zoneinfo/".len()..].to_owned()
        }
        Err(std::env::VarError::NotUnicode(_)) => return None,
    };
    let plain = !name.is_empty()
        && !name.starts_with('/')
        && name.split('/').all(|part| !part.is_empty() && part != "." && part != "..");
    if !plain {
        return None;
    }
    let data = std::fs::read(dir.join(&name)).ok()?;
    TimeZone::tzif(&name, &data).ok()
}

/// A time as people read it in the local zone: `2026-11-23 14:05`.
#[must_use]
pub fn local(t: Timestamp, tz: &TimeZone) -> String {
    let mut out = String::with_capacity(16);
    push_local(&mut out, t, tz);
    out
}

/// [`local`], onto the end of `out` (a list of hundreds of times kept in one string).
pub fn push_local(out: &mut String, t: Timestamp, tz: &TimeZone) {
    // Digits written out rather than through strftime or `format!`, whose padding costs
    // more than the zone lookup: `log` and `due` show one per row.
    let d = tz.to_datetime(t);
    if !(0..=9999).contains(&d.year()) {
        // Writing into a `String` cannot fail.
        let _ =
            write!(out, "{:04}-{:02}-{:02} {:02}:{:02}", d.year(), d.month(), d.day(), d.hour(), d.minute());
        return;
    }
    let mut digits = |n: u32, width: u32, then: Option<char>| {
        for place in (0..width).rev() {
            out.push(char::from(b'0' + u8::try_from(n / 10u32.pow(place) % 10).unwrap_or(0)));
        }
        out.extend(then);
    };
    let [month, day, hour, minute] =
        [d.month(), d.day(), d.hour(), d.minute()].map(|n| n.unsigned_abs().into());
    digits(d.year().unsigned_abs().into(), 4, Some('-'));
    digits(month, 2, Some('-'));
    digits(day, 2, Some(' '));
    digits(hour, 2, Some(':'));
    digits(minute, 2, None);
}

/// Seconds as `45s`, `3m 20s`, `2h 05m`, `3d 4h`.
#[must_use]
pub fn human_seconds(s: i64) -> String {
    let sign = if s < 0 { "-" } else { "" };
    let s = s.abs();
    let text = match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        3600..86400 => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86400, (s % 86400) / 3600),
    };
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn zone_from_its_file_is_the_one_jiff_finds() {
        // Whatever this machine's zone is, the quick path and jiff agree on it.
        if let Some(quick) = super::zone_file() {
            let jiff = jiff::tz::TimeZone::try_system().unwrap();
            let t = jiff::Timestamp::from_second(1_790_000_000).unwrap();
            assert_eq!(quick.to_offset(t), jiff.to_offset(t));
            assert_eq!(quick.iana_name(), jiff.iana_name());
        }
    }

    #[test]
    fn local_time_as_strftime_writes_it() {
        let tz = jiff::tz::TimeZone::get("Asia/Kolkata").unwrap_or(jiff::tz::TimeZone::UTC);
        for s in [
            0,
            1_790_000_000,
            1_790_043_599,
            -86_400 * 365 * 30,
            253_000_000_000,
            -62_000_000_000,
            -370_000_000_000,
        ] {
            let t = jiff::Timestamp::from_second(s).unwrap();
            let strftime = t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string();
            assert_eq!(super::local(t, &tz), strftime);
        }
    }

    #[test]
    fn human() {
        assert_eq!(super::human_seconds(5), "5s");
        assert_eq!(super::human_seconds(200), "3m 20s");
        assert_eq!(super::human_seconds(7500), "2h 05m");
        assert_eq!(super::human_seconds(-90), "-1m 30s");
    }
}

/// Timestamps in JSON as RFC 3339 UTC with exactly three fractional digits
/// (`2026-11-23T15:20:11.120Z`), so that the strings sort as the times do; any RFC 3339
/// time is read.
pub mod rfc3339 {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    /// The fixed-width text of `t`.
    #[must_use]
    pub fn stamp(t: &Timestamp) -> String {
        format!("{t:.3}")
    }

    /// Writes `t` as fixed-width text.
    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&stamp(t))
    }

    /// Reads any RFC 3339 time.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        Timestamp::deserialize(d)
    }

    /// The same for optional times (`null` while not yet).
    pub mod option {
        use jiff::Timestamp;
        use serde::{Deserialize, Deserializer, Serializer};

        /// Writes `t` as fixed-width text, or `null`.
        #[allow(clippy::ref_option, reason = "serde's `serialize_with` passes `&Option<T>`")]
        pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => s.serialize_str(&super::stamp(t)),
                None => s.serialize_none(),
            }
        }

        /// Reads an RFC 3339 time or `null`.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
            Option::<Timestamp>::deserialize(d)
        }
    }
}
