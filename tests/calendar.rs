//! `due --ics`: open follow-ups as an iCalendar file, checked line by line here and read
//! back by an independent parser (Python's `icalendar`).

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::Test;

/// Far enough ahead that `due` lists every open follow-up.
const ALL: &str = "3650d";

fn session(t: &Test, args: &[&str]) -> Value {
    let mut all = vec!["start", "--yes", "--json"];
    all.extend_from_slice(args);
    t.cmd(&all).run().code(0).json_lines().remove(0)
}

/// Two incidents with follow-ups, one with a ref full of what iCalendar must escape.
fn world() -> Test {
    let t = Test::new();
    session(&t, &["--type", "reservation", "--staff", "anna", "--ref", "room 214; late, \\ \"VIP\""]);
    session(&t, &["--type", "wrong-order", "--staff", "ole", "--ref", "table 7"]);
    t
}

#[test]
fn ics_is_crlf_folded_and_one_event_per_open_follow_up_with_stable_uids() {
    let t = world();
    let ics = t.ok(&["due", "--ics", "--within", ALL]);
    let due = t.cmd(&["due", "--json", "--within", ALL]).run().json_lines();
    assert!(!due.is_empty());
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    assert!(!ics.replace("\r\n", "").contains('\n'), "every line ends in CRLF");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let unfolded = ics.replace("\r\n ", "");
    assert_eq!(unfolded.matches("BEGIN:VEVENT").count(), due.len());
    assert_eq!(unfolded.matches("BEGIN:VALARM").count(), due.len());
    assert!(unfolded.contains("room 214\\; late\\, \\\\ \"VIP\""), "ref escaped:\n{unfolded}");
    for d in &due {
        let start = d["due"].as_str().unwrap().replace(['-', ':'], "");
        let start = format!("DTSTART:{}Z", &start[..15]);
        assert!(unfolded.contains(&start), "{start}");
        assert!(unfolded.contains(&format!(
            "recover done {} {}",
            d["incident"].as_str().unwrap(),
            d["step"].as_str().unwrap()
        )));
    }
    // The same follow-ups get the same UIDs tomorrow: a re-import updates them.
    let uids = |s: &str| -> Vec<String> {
        s.replace("\r\n ", "").lines().filter(|l| l.starts_with("UID:")).map(str::to_owned).collect()
    };
    let again = t.ok(&["due", "--ics", "--within", ALL]);
    assert_eq!(uids(&ics), uids(&again));
    let mut distinct = uids(&ics);
    distinct.dedup();
    assert_eq!(distinct.len(), due.len());

    let redacted = t.ok(&["due", "--ics", "--redact", "--within", ALL]).replace("\r\n ", "");
    assert!(!redacted.contains("room 214") && !redacted.contains("table 7"));
    assert_eq!(uids(&redacted), uids(&ics));
    for d in t.cmd(&["due", "--json", "--redact", "--within", ALL]).run().json_lines() {
        assert!(d["ref"].is_null(), "--redact leaves refs out of every format");
    }
    let none = t.ok(&["due", "--ics", "--within", "1m"]);
    assert!(!none.contains("BEGIN:VEVENT"), "nothing overdue or due within a minute");
    t.cmd(&["due", "--ics", "--json"]).run().code(2);
}

/// Reads the calendar with Python's `icalendar` and prints each event as JSON.
const READ: &str = r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
out = []
for e in cal.walk("VEVENT"):
    alarms = [a for a in e.walk("VALARM")]
    out.append({
        "uid": str(e["UID"]),
        "start": e["DTSTART"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "summary": str(e["SUMMARY"]),
        "description": str(e["DESCRIPTION"]),
        "alarms": [a["TRIGGER"].dt.total_seconds() for a in alarms],
        "actions": [str(a["ACTION"]) for a in alarms],
        "location": str(e["LOCATION"]) if "LOCATION" in e else None,
    })
print(json.dumps(out))
"#;

/// The events of `ics` as Python's `icalendar` reads them (see [`READ`]).
pub(crate) fn read_back(ics: &str) -> Vec<Value> {
    let mut child = Command::new("python3")
        .args(["-c", READ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child.stdin.take().unwrap().write_all(ics.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "icalendar refused it: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
#[ignore = "needs python3 with icalendar (pip install icalendar); CI runs it with --include-ignored"]
fn icalendar_reads_every_follow_up_back() {
    let t = world();
    let ics = t.ok(&["due", "--ics", "--within", ALL]);
    let events = read_back(&ics);
    let due = t.cmd(&["due", "--json", "--within", ALL]).run().json_lines();
    assert_eq!(events.len(), due.len());
    for d in &due {
        let (incident, step) = (d["incident"].as_str().unwrap(), d["step"].as_str().unwrap());
        let e = events
            .iter()
            .find(|e| {
                e["description"].as_str().unwrap().ends_with(&format!("recover done {incident} {step}"))
            })
            .unwrap_or_else(|| panic!("no event for {incident} {step}"));
        let start = d["due"].as_str().unwrap();
        assert_eq!(e["start"].as_str().unwrap(), format!("{}Z", &start[..19]), "due to the second");
        let summary = e["summary"].as_str().unwrap();
        assert!(
            summary.contains(step)
                && summary.contains(incident)
                && summary.contains(d["do"].as_str().unwrap())
        );
        let description = e["description"].as_str().unwrap();
        assert!(description.contains(d["ref"].as_str().unwrap()), "{description}");
        assert_eq!(e["alarms"], serde_json::json!([0.0]), "an alarm at the due time");
        assert_eq!(e["actions"], serde_json::json!(["DISPLAY"]));
        assert!(e["uid"].as_str().unwrap().ends_with(&format!("-{step}@recover")));
        assert!(e["location"].is_null(), "a log file has no sites");
    }
}

#[test]
fn a_site_is_refused_on_a_log_file_which_has_none() {
    let t = world();
    for args in [
        &["due", "--site", "oslo"][..],
        &["due", "--ics", "--site", "oslo"],
        &["--site", "oslo", "due", "--json"],
    ] {
        t.cmd(args).run().code(2).one_error_line("--site: this log is one desk's own, it has no sites");
    }
    // A desk's RECOVER_SITE names where it records; on a log file it changes nothing.
    let plain = t.cmd(&["due", "--json", "--within", ALL]).run().code(0).stdout.clone();
    let with_env =
        t.cmd(&["due", "--json", "--within", ALL]).env("RECOVER_SITE", "oslo").run().code(0).stdout.clone();
    assert_eq!(plain, with_env);
    assert!(!plain.contains("\"site\""), "no site on a log file: {plain}");
}

/// An unfinished incident begun on 2026-01-10 with one follow-up long overdue and one due
/// in 2099: whatever the hour, the rest of today holds the first and never the second.
const OVERDUE_AND_FAR: &str = r#"{"id":"FAR-333","uid":"0b7c8f3e-2222-4c4c-9c9c-000000000009","type":"wrong-order","severity":"minor","staff":"ole","role":"staff","ref":"table 9","started_at":"2026-01-10T12:00:00Z","finished_at":null,"status":"in_progress","steps":[{"phase":"apologise","id":"own-it","outcome":"done","at":"2026-01-10T12:00:30Z"}],"amends_total":"0","currency":"EUR","limit":"50","failure_point":null,"follow_ups":[{"step":"manager-check-back","due":"2026-01-10T12:15:00Z","done_at":null,"outcome":null},{"step":"tell-what-changed","due":"2099-01-12T12:00:00Z","done_at":null,"outcome":null}]}"#;

#[test]
fn due_and_due_ics_list_the_same_follow_ups_by_default() {
    let t = Test::new();
    let file = t.write("far.jsonl", format!("{OVERDUE_AND_FAR}\n"));
    t.cmd(&["import", file.to_str().unwrap()]).run().code(0);
    let table: Vec<String> = t
        .cmd(&["due", "--json"])
        .run()
        .json_lines()
        .iter()
        .map(|d| d["step"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(table, ["manager-check-back"], "the rest of today, as documented");
    let ics = t.ok(&["due", "--ics"]).replace("\r\n ", "");
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1, "{ics}");
    assert!(ics.contains("manager-check-back") && !ics.contains("tell-what-changed"), "{ics}");
    // Both take a window the same way.
    let week = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--within", "7d"]);
        t.ok(&all)
    };
    assert_eq!(
        week(&["due", "--json"]).lines().count(),
        week(&["due", "--ics"]).matches("BEGIN:VEVENT").count()
    );
}
