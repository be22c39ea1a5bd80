//! `due --ics`: open follow-ups as an iCalendar file (RFC 5545), so they sit in the
//! calendar a front desk already watches.
//!
//! Each follow-up is a VEVENT rather than a VTODO: Google Calendar and Outlook import
//! events and drop to-dos, and an event with an alarm at its start is what rings. Its UID
//! is the incident's global id and the step, so importing the file again (after more
//! follow-ups were scheduled or some were closed) updates the same entries instead of
//! adding copies. Lines end in CRLF and are folded at 75 octets, never inside a UTF-8
//! character; text values escape `\`, `;`, `,` and newlines, and control characters are
//! made visible first, so a note can never start a property of its own.

use std::fmt::Write;

use jiff::Timestamp;

use crate::render::safe::clean;

/// One follow-up as the calendar shows it.
pub struct Entry<'a> {
    /// The incident's global id (stable across logs merged by import).
    pub uid: &'a str,
    /// Its short id.
    pub incident: &'a str,
    /// The follow-up step's id.
    pub step: &'a str,
    /// The title: what to do.
    pub summary: String,
    /// The body: incident, type, ref, who handled it, how to close it.
    pub description: String,
    /// When it is due.
    pub due: Timestamp,
    /// Where: the incident's site on a shared log (head office's calendar has every
    /// site's); a log file has none.
    pub location: Option<&'a str>,
}

/// `s` as an iCalendar TEXT value (RFC 5545 3.3.11).
#[must_use]
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean(s).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

/// A content line folded to at most 75 octets a line (RFC 5545 3.1), with CRLF.
fn fold(line: &str, out: &mut String) {
    let mut room = 75;
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > room {
            out.push_str("\r\n ");
            // The leading space counts against the next line's 75.
            room = 74;
            used = 0;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
}

/// UTC as iCalendar's basic form, `20261130T081500Z`.
fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// A UID part: letters, digits and `-._` kept, anything else as `%XX` per byte, so two
/// different steps never share a UID and none needs escaping.
fn uid_part(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The calendar of `entries`, stamped `now`.
#[must_use]
pub fn calendar(entries: &[Entry], name: &str, now: Timestamp) -> String {
    let mut out = String::new();
    let mut line = |l: &str| fold(l, &mut out);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line(&format!("PRODID:-//recover//recover {}//EN", env!("CARGO_PKG_VERSION")));
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", escape(name)));
    let stamp = utc(now);
    for e in entries {
        line("BEGIN:VEVENT");
        line(&format!("UID:{}-{}@recover", uid_part(e.uid), uid_part(e.step)));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!("DTSTART:{}", utc(e.due)));
        line("DURATION:PT15M");
        line(&format!("SUMMARY:{}", escape(&e.summary)));
        line(&format!("DESCRIPTION:{}", escape(&e.description)));
        if let Some(site) = e.location {
            line(&format!("LOCATION:{}", escape(site)));
        }
        line(&format!("X-RECOVER-INCIDENT:{}", escape(e.incident)));
        line("TRANSP:TRANSPARENT");
        line("BEGIN:VALARM");
        line("ACTION:DISPLAY");
        line(&format!("DESCRIPTION:{}", escape(&e.summary)));
        line("TRIGGER;RELATED=START:PT0S");
        line("END:VALARM");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, fold, uid_part};

    #[test]
    fn lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "ব".repeat(60));
        fold(&long, &mut out);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let joined = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(joined, long);
    }

    #[test]
    fn text_is_escaped_and_uids_are_plain() {
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        assert_eq!(escape("x\u{1b}[2J"), "x\\\\u{1b}[2J", "made visible, then escaped");
        assert_eq!(uid_part("call-back 2"), "call-back%202");
    }
}
