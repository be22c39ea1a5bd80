//! What the log holds is shown, never obeyed; spreadsheets get text, not formulas.
//!
//! Hostile values are written straight into a log with SQLite, as an old log or another
//! tool may hold them whatever `import` accepts today.

use crate::support::Test;

/// An id that would write the clipboard and clear the screen if printed raw.
const HOSTILE_ID: &str = "EVIL\u{1b}]52;c;QUJD\u{7}\u{1b}[2J";

/// Runs `sql` on the test's log.
pub fn sql(t: &Test, sql: &str) {
    let db = rusqlite::Connection::open(t.log()).expect("open the log");
    db.execute_batch(sql).expect("sql");
}

/// Starts one scripted incident of `kind` and gives it `id`.
fn hostile(t: &Test, kind: &str, id: &str) {
    t.ok(&["start", "--type", kind, "--yes"]);
    let db = rusqlite::Connection::open(t.log()).expect("open the log");
    db.execute("UPDATE incidents SET id = ?1, currency = ?2", [id, "\u{1b}[2J\u{1b}]0;x\u{7}EUR"])
        .expect("update");
}

fn assert_inert(what: &str, text: &str) {
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{what} lets a control character through: {text:?}"
    );
}

#[test]
fn hostile_ids_and_currencies_reach_the_terminal_escaped() {
    let t = Test::new();
    hostile(&t, "reservation", HOSTILE_ID);
    let shown = "EVIL\\u{1b}]52;c;QUJD\\u{7}\\u{1b}[2J";
    for args in [
        vec!["log"],
        vec!["due", "--within", "30d"],
        vec!["show-incident", HOSTILE_ID],
        vec!["report", "--since", "30d"],
        vec!["report", "--since", "30d", "--csv"],
        vec!["log", "--csv"],
    ] {
        let out = t.cmd(&args).run();
        out.code(0);
        assert_inert(&format!("{args:?} stdout"), &out.stdout);
        assert_inert(&format!("{args:?} stderr"), &out.stderr);
    }
    let show = t.ok(&["show-incident", HOSTILE_ID]);
    assert!(show.contains(shown), "{show}");
    let report = t.ok(&["report", "--since", "30d"]);
    assert!(report.contains("\\u{1b}[2J\\u{1b}]0;x\\u{7}EUR"), "{report}");

    // `done` names the incident on stderr.
    let out = t.cmd(&["done", HOSTILE_ID, "call-next-morning"]).run();
    out.code(0);
    assert_inert("done", &out.stderr);
    assert!(out.stderr.contains(shown), "{}", out.stderr);

    // An error naming the id, and the "incomplete" line of a finished incident.
    let out = t.cmd(&["done", HOSTILE_ID, "no-such-step"]).run();
    assert_ne!(out.code, 0);
    assert_inert("done's error", &out.stderr);
    sql(&t, "UPDATE incidents SET status = 'incomplete'");
    let out = t.cmd(&["resume", HOSTILE_ID]).run();
    out.code(1);
    assert_inert("resume of a finished incident", &format!("{}{}", out.stdout, out.stderr));
    assert!(out.stderr.contains(&format!("incident {shown} is incomplete")), "{}", out.stderr);
}

#[test]
fn a_semicolon_in_a_cell_cannot_start_a_formula() {
    let t = Test::new();
    let payload = "x;=cmd|' /C calc'!A0";
    t.ok(&["start", "--type", "noise", "--yes", "--ref", payload, "--staff", "@boss"]);
    let csv = t.ok(&["log", "--csv"]);
    let row = csv.lines().nth(1).expect("one row");
    assert!(row.contains("\"x;=cmd|' /C calc'!A0\""), "quoted whole: {row}");
    assert!(row.contains(",\"'@boss\","), "formula start defused and quoted: {row}");
    // Split as a semicolon locale would, outside quotes: no cell starts a formula.
    let mut cells = vec![String::new()];
    let mut quoted = false;
    for c in row.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' | ',' if !quoted => cells.push(String::new()),
            _ => cells.last_mut().expect("a cell").push(c),
        }
    }
    assert!(!cells.iter().any(|c| c.starts_with(['=', '+', '@'])), "{cells:?}");
}

#[test]
fn a_clock_set_back_is_clamped_flagged_and_left_out_of_the_medians() {
    let t = Test::new();
    t.ok(&["start", "--type", "noise", "--yes", "--ref", "steady"]);
    let skewed = t.cmd(&["start", "--type", "noise", "--yes", "--ref", "skewed", "--json"]).run();
    let id = skewed.code(0).json_lines()[0]["id"].as_str().expect("id").to_owned();
    // The desk's clock went back five hours after the start: every step is "before" it.
    // Recorded so elsewhere and imported here, the way a skewed incident arrives whole.
    let shift = |text: &str| -> String {
        let t: jiff::Timestamp = text.parse().expect("time");
        (t - jiff::SignedDuration::from_hours(5)).strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    };
    let mut lines = Vec::new();
    for mut incident in t.cmd(&["export"]).run().json_lines() {
        if incident["ref"] == "skewed" {
            for step in incident["steps"].as_array_mut().expect("steps") {
                step["at"] = shift(step["at"].as_str().expect("at")).into();
            }
            incident["finished_at"] = shift(incident["finished_at"].as_str().expect("finished")).into();
        }
        lines.push(incident.to_string());
    }
    let file = t.write("skewed.jsonl", lines.join("\n") + "\n");
    std::fs::remove_file(t.log()).expect("a fresh log");
    for side in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{side}", t.log().display()));
    }
    t.ok_saying(&["import", file.to_str().expect("path")], "imported");
    let shown = t.ok(&["show-incident", &id]);
    assert!(!shown.contains("+-"), "no negative durations: {shown}");
    assert!(shown.contains("Clock went back"), "flagged: {shown}");
    assert!(!t.ok(&["log"]).is_empty());

    let report = t.cmd(&["report", "--since", "30d", "--json"]).run().json_lines().remove(0);
    assert_eq!(report["incidents"], 2);
    assert_eq!(report["clock_skew"], 1, "{report}");
    assert_eq!(report["time_to_apology"]["count"], 1, "the skewed incident is left out: {report}");
    assert!(report["time_to_apology"]["median"].as_i64().is_some_and(|s| s >= 0), "{report}");
    let text = t.ok(&["report", "--since", "30d"]);
    assert!(text.contains("clock went back"), "{text}");
    assert!(!text.contains("-5h"), "{text}");
}
