//! Repeat guests: `start --guest KEY` stores only a keyed hash, says so when the guest
//! had incidents lately, suggests the next severity up, and the hash never leaves the log.

use crate::support::Test;

fn session(t: &Test, args: &[&str]) -> crate::support::Output {
    let mut all = vec!["start", "--yes", "--json", "--type", "noise", "--role", "manager"];
    all.extend_from_slice(args);
    t.cmd(&all).run()
}

/// Every byte of the log's files (the database and its write-ahead file).
fn log_bytes(t: &Test) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-journal"] {
        let mut path = t.log().into_os_string();
        path.push(suffix);
        bytes.extend(std::fs::read(path).unwrap_or_default());
    }
    bytes
}

fn contains(hay: &[u8], needle: &str) -> bool {
    let needle = needle.to_lowercase();
    let hay = String::from_utf8_lossy(hay).to_lowercase();
    hay.contains(&needle)
}

fn hashes(t: &Test) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(t.log()).unwrap();
    let mut stmt = conn.prepare("SELECT hash, earlier FROM guests ORDER BY incident").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_repeat_guest_is_noticed_suggested_more_and_never_stored_in_plain_text() {
    let t = Test::new();
    let first = session(&t, &["--guest", " Anna.Berg@Example.COM "]);
    first.code(0);
    assert!(!first.stderr.contains("Repeat guest") && !first.stderr.contains("warning"), "{}", first.stderr);
    assert_eq!(first.json_lines()[0]["severity"], "minor");

    // Written otherwise, the same key: a repeat guest, told before any question, and
    // `--yes` takes the suggestion.
    let second = session(&t, &["--guest", "anna.berg@example.com"]);
    second.code(0);
    assert!(
        second.stderr.contains("Repeat guest: 1 earlier incident(s) in the last 180 days"),
        "{}",
        second.stderr
    );
    assert!(second.stderr.contains("major is suggested"), "{}", second.stderr);
    assert_eq!(second.json_lines()[0]["severity"], "major");
    session(&t, &["--guest", "someone-else"]).code(0);

    let stored = hashes(&t);
    assert_eq!(stored.len(), 3);
    assert_eq!(stored[0].0, stored[1].0, "one guest, one hash");
    assert_ne!(stored[0].0, stored[2].0);
    assert_eq!((stored[0].1, stored[1].1, stored[2].1), (0, 1, 0), "how many came before, recorded");

    // The key is nowhere in the log; the hash nowhere outside it.
    for key in ["anna.berg@example.com", "anna.berg", "someone-else"] {
        assert!(!contains(&log_bytes(&t), key), "{key} in the log");
    }
    let export = t.ok(&["export"]);
    let redacted = t.ok(&["export", "--redact"]);
    let report = t.ok(&["report", "--json"]);
    let html = t.ok(&["report", "--format", "html"]);
    for (hash, _) in &stored {
        for (what, text) in
            [("export", &export), ("export --redact", &redacted), ("report", &report), ("html", &html)]
        {
            assert!(!text.contains(hash.as_str()), "the hash in {what}");
            assert!(!contains(text.as_bytes(), "anna.berg"), "the key in {what}");
        }
    }
    let r: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(r["repeat_guests"], 1);

    // The secret beside the log: 32 bytes, the owner's only.
    let mut secret = t.log().into_os_string();
    secret.push(".guest-secret");
    let meta = std::fs::metadata(&secret).unwrap();
    assert_eq!(meta.len(), 32);
    #[cfg(unix)]
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777, 0o600);

    // Purged with their incidents.
    t.cmd(&["purge", "--before", "2999-01-01", "--yes"]).run().code(0);
    assert!(hashes(&t).is_empty());
}

#[test]
fn an_empty_guest_key_is_refused() {
    let t = Test::new();
    session(&t, &["--guest", "  "]).code(2).one_error_line("recover: --guest is empty");
}

/// `args` of the binary in a pseudo-terminal.
fn in_terminal(t: &Test, args: &[&str]) -> rexpect::session::PtySession {
    use rexpect::session::{Options, spawn_with_options};
    let mut cmd = std::process::Command::new(crate::support::BIN);
    cmd.args(args).env_clear().current_dir(t.dir());
    for (k, v) in crate::support::base_env(t.dir(), &t.log()) {
        cmd.env(k, v);
    }
    cmd.env("TERM", "xterm-256color");
    spawn_with_options(cmd, Options::new().timeout_ms(Some(20_000)).strip_ansi_escape_codes(true))
        .expect("spawn in a pty")
}

/// Enter at every question until the session ends: the defaults throughout.
fn enter_to_the_end(mut p: rexpect::session::PtySession) {
    for _ in 0..40 {
        if p.send("\r").is_err() {
            break;
        }
        let _ = p.flush();
        std::thread::sleep(std::time::Duration::from_millis(60));
    }
    let _ = p.exp_eof();
}

#[test]
fn in_a_terminal_the_notice_comes_first_and_enter_takes_the_suggested_severity() {
    let t = Test::new();
    session(&t, &["--guest", "BK 4471"]).code(0);
    let mut p = in_terminal(&t, &["start", "--type", "noise", "--role", "manager", "--guest", "bk4471"]);
    let before = p.exp_string("Repeat guest: 1 earlier incident(s)").expect("the notice");
    assert!(!before.contains("How bad is it?"), "told before any question: {before}");
    enter_to_the_end(p);
    let log = t.cmd(&["log", "--json"]).run().json_lines();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["severity"], "major", "the newest, rated as suggested");

    // Interrupted at its first question and resumed, a repeat guest's session still
    // suggests the next severity up (critical, after a major one).
    let mut p = in_terminal(&t, &["start", "--type", "noise", "--role", "manager", "--guest", "BK4471"]);
    p.exp_string("listen").expect("the first question");
    p.send_control('c').expect("ctrl-c");
    let rest = p.exp_eof().expect("eof");
    assert!(rest.contains("recover resume"), "{rest}");
    enter_to_the_end(in_terminal(&t, &["resume"]));
    let log = t.cmd(&["log", "--json"]).run().json_lines();
    assert_eq!(log.len(), 3);
    assert_eq!(
        (log[0]["severity"].as_str(), log[0]["status"].as_str()),
        (Some("critical"), Some("complete"))
    );
}
