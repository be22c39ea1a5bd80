//! No table or prompt is wider than the terminal, at any width from 40 to 200 columns.

use std::process::Command;

use recover::display_width as width;
use rexpect::session::{Options, PtySession, spawn_with_options};

use crate::support::{BIN, Test, base_env};

/// Colour and escape sequences taken out, so what is left is what takes columns.
fn visible(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// Every line of `text` (a line also ends at a carriage return) no wider than `max`.
fn assert_fits(text: &str, max: usize, what: &str) {
    let text = visible(text);
    for line in text.split(['\n', '\r']) {
        assert!(width(line) <= max, "{what} at {max} columns: {} columns in\n{line}\n\n{text}", width(line));
    }
}

/// A log with long cells: a Bengali name, a long reference, several playbooks.
fn a_log_with_long_cells() -> (Test, String) {
    let t = Test::new();
    let refs = ["room 214, booked through the partner agency", "table 9", "সৌমিত্র চট্টোপাধ্যায়ের ঘর ৩০৪"];
    for (kind, reference) in ["reservation", "wrong-order", "noise"].iter().zip(refs) {
        t.ok(&["start", "--type", kind, "--yes", "--staff", "সৌমিত্র চট্টোপাধ্যায়", "--ref", reference]);
    }
    let id = t.cmd(&["log", "--json"]).run().json_lines()[0]["id"].as_str().unwrap_or_default().to_owned();
    (t, id)
}

/// `args` under `--color always` at every width from 40 to 200 in English, and at every
/// fifth in Bengali (wider words, marks that take a column).
fn sweep(t: &Test, args: &[&str]) {
    for (lang, step) in [("en", 1), ("bn", 5)] {
        for columns in (40..=200).step_by(step) {
            let mut all = vec!["--color", "always", "--lang", lang];
            all.extend_from_slice(args);
            let out = t.cmd(&all).env("COLUMNS", &columns.to_string()).run();
            out.code(0);
            assert_fits(&out.stdout, columns, &format!("{all:?}"));
        }
    }
}

#[test]
fn due_fits_every_width() {
    sweep(&a_log_with_long_cells().0, &["due", "--within", "30d"]);
}

#[test]
fn log_fits_every_width() {
    sweep(&a_log_with_long_cells().0, &["log"]);
}

#[test]
fn report_fits_every_width() {
    sweep(&a_log_with_long_cells().0, &["report"]);
}

#[test]
fn show_incident_fits_every_width() {
    let (t, id) = a_log_with_long_cells();
    sweep(&t, &["show-incident", &id]);
}

#[test]
fn list_fits_every_width() {
    sweep(&Test::new(), &["list"]);
}

/// A session in a pseudo-terminal `columns` wide, every key recorded on the way.
fn session_at(t: &Test, columns: usize) -> String {
    let script = format!(
        "stty cols {columns} rows 50; exec '{BIN}' start --type reservation --staff anna --ref 'room 214, booked through the partner agency'"
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &script]).env_clear().current_dir(t.dir());
    for (k, v) in base_env(t.dir(), &t.log()) {
        cmd.env(k, v);
    }
    cmd.env("TERM", "xterm-256color");
    let mut p: PtySession =
        spawn_with_options(cmd, Options::new().timeout_ms(Some(20_000))).expect("spawn in a pty");
    let mut seen = String::new();
    for prompt in [
        "listen",
        "own-it",
        "reassure",
        "ask-destination",
        "find-room",
        "Note (Enter",
        "pay-replacement",
        "arrange-transport",
        "confirm-in-writing",
        "skipped?",
        "ask-comfort",
        "hand-over",
        "thank",
        "How bad is it?",
        "Amends to give",
        "call-next-morning",
        "written-apology",
        "Failure point",
        "words",
        "satisfied",
        "contacted",
    ] {
        seen.push_str(
            &p.exp_string(prompt).unwrap_or_else(|e| panic!("waiting for {prompt:?}: {e}\n{seen}")),
        );
        seen.push_str(prompt);
        // confirm-in-writing is skipped, so its reason is asked too.
        let keys: &[&str] = match prompt {
            "confirm-in-writing" => &["\x1b[B", "\x1b[B", "\r"],
            "skipped?" => &["printer is down\r"],
            _ => &["\r"],
        };
        for k in keys {
            p.send(k).expect("send");
        }
        p.flush().expect("flush");
    }
    seen.push_str(&p.exp_eof().expect("eof"));
    // The pty reader hands back one char per byte.
    let bytes: Vec<u8> = seen.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn prompts_and_the_amends_list_fit_a_narrow_terminal() {
    for columns in [60, 40] {
        let t = Test::new();
        let seen = session_at(&t, columns);
        assert!(seen.contains("Incident id"), "{seen}");
        // Nothing left for the terminal to break, mid-word, where it likes; but the tool's
        // one-line messages (`recover: ...`) stay one line each, for scripts to find.
        let prompts: Vec<&str> = seen.split('\n').filter(|l| !visible(l).starts_with("recover: ")).collect();
        assert_fits(&prompts.join("\n"), columns, "a session");
    }
}
