//! The time `recover` records: now, to the millisecond, so what is shown and what the log
//! keeps are the same instant.

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
    TimeZone::try_system().unwrap_or(TimeZone::UTC)
}

/// A time as people read it in the local zone: `2026-11-23 14:05`.
#[must_use]
pub fn local(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string()
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
    fn human() {
        assert_eq!(super::human_seconds(5), "5s");
        assert_eq!(super::human_seconds(200), "3m 20s");
        assert_eq!(super::human_seconds(7500), "2h 05m");
        assert_eq!(super::human_seconds(-90), "-1m 30s");
    }
}
