//! Progress of long work: drawn on standard error in a pseudo-terminal (count, rate, time
//! left), fitting a narrow one in any language, and nothing of it when standard error is
//! a pipe.

use std::path::Path;
use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::session::{Options, PtySession, spawn_with_options};

use crate::support::{BIN, Test, base_env};

/// 400 generated incidents as an export file, `sample.jsonl`.
fn sample(t: &Test) -> String {
    let generate = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/generate.py");
    let file = t.path("sample.jsonl");
    let made = Command::new("python3")
        .arg(&generate)
        .args(["log", "--incidents", "400", "--per-day", "40", "--seed", "3", "--out"])
        .arg(&file)
        .status()
        .expect("python3 runs");
    assert!(made.success());
    file.to_str().unwrap().to_owned()
}

/// `script` run by bash in a pseudo-terminal (so redirections can send standard output
/// elsewhere while standard error stays the terminal).
fn in_terminal(t: &Test, script: &str) -> PtySession {
    let mut cmd = Command::new("bash");
    cmd.args(["-c", script]).env_clear().current_dir(t.dir());
    for (k, v) in base_env(t.dir(), &t.log()) {
        cmd.env(k, v);
    }
    cmd.env("TERM", "xterm-256color");
    spawn_with_options(cmd, Options::new().timeout_ms(Some(30_000)).strip_ansi_escape_codes(true))
        .expect("spawn in a pty")
}

/// Everything the terminal showed until the end, and the exit code.
fn finish(mut p: PtySession) -> (String, i32) {
    let shown = p.exp_eof().expect("eof");
    let code = match p.process().wait().expect("wait") {
        WaitStatus::Exited(_, code) => code,
        other => panic!("not a normal exit: {other:?}"),
    };
    (shown, code)
}

#[test]
fn import_export_report_and_purge_draw_progress_in_a_terminal() {
    let t = Test::new();
    let file = sample(&t);
    let (shown, code) = finish(in_terminal(&t, &format!("'{BIN}' import '{file}'")));
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("checking") && shown.contains("importing"), "{shown}");
    assert!(shown.contains("/400 (") && shown.contains("left)"), "count of all, rate, time left: {shown}");
    assert!(shown.contains("imported") && shown.contains("400 added"), "{shown}");

    let (shown, code) = finish(in_terminal(&t, &format!("'{BIN}' export > out.jsonl")));
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("exporting") && shown.contains("/400 ("), "{shown}");
    assert_eq!(
        std::fs::read_to_string(t.path("out.jsonl")).unwrap().lines().count(),
        400,
        "the export is whole"
    );

    let (shown, code) = finish(in_terminal(&t, &format!("'{BIN}' report --since 3650d --json > r.json")));
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("reading the log") && shown.contains("/400 ("), "{shown}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.path("r.json")).unwrap()).unwrap();
    assert_eq!(report["incidents"], 400);

    let (shown, code) = finish(in_terminal(&t, &format!("'{BIN}' purge --before 1h --yes")));
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("deleting"), "{shown}");
    assert!(shown.contains("deleted"), "{shown}");
}

#[test]
fn nothing_of_the_progress_reaches_a_pipe() {
    let t = Test::new();
    let file = sample(&t);
    for args in [
        vec!["import", file.as_str()],
        vec!["export"],
        vec!["report", "--since", "3650d"],
        vec!["report", "--since", "3650d", "--format", "html"],
        vec!["purge", "--before", "1h", "--yes"],
    ] {
        let out = t.cmd(&args).run();
        out.code(0);
        let err = &out.stderr;
        for drawn in ["checking", "importing", "exporting", "reading the log", "deleting", "\r", "\u{1b}"] {
            assert!(!err.contains(drawn), "{args:?}: {drawn:?} on a pipe: {err:?}");
        }
    }
}

/// Every line the progress draws fits a terminal of 60 columns, and of 44, counted as the
/// terminal counts (a Bengali vowel sign takes a column), with a long file name cut to
/// the room left.
#[test]
fn the_progress_line_fits_a_narrow_terminal_in_every_language() {
    let t = Test::new();
    let file = sample(&t);
    let long = t.path("a-very-long-name-for-the-export-of-the-other-desk-at-the-harbour-hotel.jsonl");
    std::fs::rename(&file, &long).unwrap();
    for (lang, cols) in [("en", 60), ("bn", 60), ("en", 44), ("bn", 44)] {
        let into = t.path(&format!("{lang}-{cols}.db"));
        let script = format!(
            "stty rows 24 cols {cols}; RECOVER_LANG={lang} RECOVER_LOG='{}' '{BIN}' import '{}'",
            into.display(),
            long.display()
        );
        let (shown, code) = finish(in_terminal(&t, &script));
        let shown = crate::interactive::utf8(&shown);
        assert_eq!(code, 0, "{shown}");
        let drawn: Vec<&str> = shown.split(['\r', '\n']).filter(|l| l.contains("/400")).collect();
        assert!(!drawn.is_empty(), "{lang}: progress drawn: {shown}");
        for line in drawn {
            // The erasing of a longer line before it is spaces to the terminal's end.
            let line = line.trim_end();
            assert!(
                recover::display_width(line) < 60,
                "{lang}: {} columns: {line:?}",
                recover::display_width(line)
            );
        }
        if lang == "bn" && cols == 60 {
            assert!(shown.contains("বাকি)") && shown.contains("ইমপোর্ট করা হচ্ছে"), "{shown}");
        }
    }
}
