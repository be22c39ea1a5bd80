//! The README's examples run: every `recover` command it shows exits with the code it
//! documents, its answers file and its playbook are accepted as shown, and its test
//! command is the one CI runs.
//!
//! An example's documented exit code is 0 (README "Exit codes": success) unless its line
//! ends with a comment saying `exit N`, e.g. `recover start --answers answers.yaml  # exit 1:
//! it ends incomplete`.

use std::path::Path;
use std::process::Command;

use rexpect::session::{Options, spawn_with_options};
use serde_json::Value;

use crate::support::{BIN, Test, base_env};

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The YAML code blocks of the README, in order.
fn yaml_blocks(text: &str) -> Vec<String> {
    text.split("```yaml\n")
        .skip(1)
        .filter_map(|rest| rest.split("\n```").next())
        .map(|b| format!("{b}\n"))
        .collect()
}

#[test]
fn the_readme_answers_file_and_playbook_are_accepted() {
    let t = Test::new();
    let blocks = yaml_blocks(&readme());
    let answers =
        blocks.iter().find(|b| b.contains("steps:") && !b.contains("phases:")).expect("answers example");
    let file = t.write("answers.yaml", answers);
    let out = t.cmd(&["start", "--answers", file.to_str().unwrap(), "--json"]).run();
    let documented = examples(&readme())
        .into_iter()
        .find(|e| e.line.starts_with("recover start --answers"))
        .expect("the answers example")
        .exit;
    out.code(documented);
    assert_eq!(out.json_lines()[0]["ref"], "room 214");

    let playbook = blocks.iter().find(|b| b.contains("phases:")).expect("playbook example");
    t.write("lib/reservation.yaml", playbook);
    let out = t.cmd(&["check", t.path("lib").to_str().unwrap()]).run();
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn the_readme_commands_are_the_ones_ci_runs() {
    let text = readme();
    assert!(text.contains("cargo run --release -- start --type reservation"));
    assert!(text.contains("\ncargo test --locked "));
    let ci = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run")).unwrap();
    // CI runs it with the tests that need chromium, jq, python or root, ignored elsewhere.
    assert!(
        ci.lines().any(|l| l.trim() == "cargo test --locked -- --include-ignored"),
        "CI runs the README's test command"
    );
}

/// One command line of a README example block.
#[derive(Debug)]
struct Example {
    line: String,
    exit: i32,
}

/// The command lines of the README's `sh` blocks that run recover (or the shift-close
/// example), with their documented exit codes; set-up blocks (cargo, apt-get, pip, the
/// fuzzing script) are not examples of recover and are left out.
fn examples(text: &str) -> Vec<Example> {
    let mut out = Vec::new();
    for block in text.split("```sh\n").skip(1).filter_map(|rest| rest.split("\n```").next()) {
        for line in block.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let runs_recover = line
                .split_whitespace()
                .find(|w| !w.contains('='))
                .is_some_and(|w| w == "recover" || w.starts_with("examples/"));
            if !runs_recover {
                continue;
            }
            // The comment, if any, is what follows `  #` (the command itself has no `#`).
            let (command, comment) = match line.split_once("  #") {
                Some((c, comment)) => (c.trim_end(), comment),
                None => (line, ""),
            };
            let exit = comment
                .split_once("exit ")
                .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            out.push(Example { line: command.to_owned(), exit });
        }
    }
    out
}

/// Whether `line` asks questions at a terminal (a session without `--yes` or `--answers`).
fn interactive(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    (words.contains(&"start") || words.contains(&"resume"))
        && !words.iter().any(|w| ["--yes", "-y", "--answers"].contains(w))
}

/// An incident from the fixture made unfinished: every step answered and its follow-ups
/// scheduled, only the failure point still to be asked; started `day` days into January.
fn unfinished(id: &str, n: u32, day: u32) -> String {
    let fixture =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shift.jsonl"))
            .unwrap();
    let line = fixture.lines().next().unwrap().replace("2026-01-10", &format!("2026-01-{day:02}"));
    let mut i: Value = serde_json::from_str(&line).unwrap();
    i["id"] = id.into();
    i["uid"] = format!("00000000-0000-4000-8000-0000000001{n:02}").into();
    i["status"] = "in_progress".into();
    i["finished_at"] = Value::Null;
    i["failure_point"] = Value::Null;
    i["failure_answered"] = false.into();
    format!("{i}\n")
}

/// The world the README's examples assume: the incident K7Q-4MX it names, unfinished, and
/// a later one (what `recover resume` continues first), the answers file it shows, a
/// folder of playbooks, the shift-close script, and the user's completions folder.
fn readme_world() -> Test {
    let t = Test::new();
    // D4R-7WZ, older than both, is the one the README abandons.
    let incidents = format!(
        "{}{}{}",
        unfinished("K7Q-4MX", 1, 10),
        unfinished("B8N-2TW", 2, 12),
        unfinished("D4R-7WZ", 3, 5)
    );
    let file = t.write("incidents.jsonl", incidents);
    t.cmd(&["import", file.to_str().unwrap()]).run().code(0);
    let answers =
        yaml_blocks(&readme()).into_iter().find(|b| b.contains("steps:") && !b.contains("phases:")).unwrap();
    t.write("answers.yaml", answers);
    let drill = yaml_blocks(&readme()).into_iter().find(|b| b.contains("seed:")).expect("the drill answers");
    t.write("drill-anna.yaml", drill);
    t.copy_playbooks("my-playbooks");
    std::os::unix::fs::symlink(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"), t.path("examples"))
        .unwrap();
    std::fs::create_dir_all(t.path(".local/share/bash-completion/completions")).unwrap();
    t
}

/// PATH with the built binary first, as after `cargo install`.
fn path() -> String {
    let bin_dir = Path::new(BIN).parent().unwrap();
    format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default())
}

/// Runs `line` with bash in the test's world; a session runs in a pseudo-terminal with
/// Enter pressed at every question (every default taken). Returns the exit code and
/// what it printed.
fn run(t: &Test, line: &str, expected: i32) -> (i32, String) {
    let mut cmd = Command::new("bash");
    cmd.args(["-c", line]).env_clear().current_dir(t.dir());
    for (k, v) in base_env(t.dir(), &t.log()) {
        cmd.env(k, v);
    }
    cmd.env("PATH", path());
    if !interactive(line) {
        let out = cmd.output().unwrap();
        let said =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        return (out.status.code().unwrap_or(-1), said);
    }
    if crate::completions::clock_faked() {
        // Not in a pseudo-terminal under libfaketime (see `clock_faked`): that ran in the
        // pass before.
        return (expected, String::new());
    }
    cmd.env("TERM", "xterm-256color");
    let mut p =
        spawn_with_options(cmd, Options::new().timeout_ms(Some(20_000)).strip_ansi_escape_codes(true))
            .expect("spawn in a pty");
    // The first question (its `›`, as the bytes the pty reader gives one char each), then
    // Enter for it and every question after; keys left over when it ends are not read.
    let first = p.exp_string("\u{e2}\u{80}\u{ba}").unwrap_or_else(|e| panic!("{line}: no question: {e}"));
    p.send(&"\r".repeat(60)).unwrap();
    p.flush().unwrap();
    let rest = p.exp_eof().unwrap_or_else(|e| panic!("{line}: did not end: {e}"));
    let code = match p.process().wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => code,
        other => panic!("{line}: {other:?}"),
    };
    (code, format!("{first}{rest}"))
}

#[test]
fn every_readme_example_exits_with_its_documented_code() {
    let all = examples(&readme());
    assert!(all.len() >= 20, "the README's examples: {all:?}");
    assert!(all.iter().any(|e| e.exit != 0), "an example documented to exit non-zero: {all:?}");
    assert_eq!(all.iter().filter(|e| interactive(&e.line)).count(), 4, "sessions at a terminal: {all:?}");
    let t = readme_world();
    for e in &all {
        let (code, said) = run(&t, &e.line, e.exit);
        assert_eq!(code, e.exit, "README example `{}` exits {code}, documented {}:\n{said}", e.line, e.exit);
    }
    if crate::completions::clock_faked() {
        return;
    }
    // They did what they say.
    let k7q = t.cmd(&["show-incident", "K7Q-4MX", "--json"]).run().json_lines().remove(0);
    assert_eq!(k7q["status"], "complete", "resumed and finished");
    let closed =
        k7q["follow_ups"].as_array().unwrap().iter().find(|f| f["step"] == "written-apology").unwrap();
    assert_eq!(closed["outcome"], "recovered");
    for file in [
        "november.csv",
        "week.jsonl",
        "handbook.html",
        "handbook.md",
        "recover.1",
        "recover-playbook.schema.json",
    ] {
        assert!(t.path(file).metadata().is_ok_and(|m| m.len() > 0), "{file} written");
    }
    assert!(t.path("other.db").is_file(), "the week imported into other.db");
}

#[test]
fn the_licenses_cargo_toml_declares_are_there() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""), "the licenses this test knows");
    assert!(manifest.contains("\"LICENSE*\""), "and the package includes them");
    let mit = std::fs::read_to_string(root.join("LICENSE-MIT")).expect("LICENSE-MIT");
    assert!(mit.starts_with("MIT License\n\nCopyright (c) the recover developers\n"), "{mit}");
    assert!(mit.contains("THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND"));
    let apache = std::fs::read_to_string(root.join("LICENSE-APACHE")).expect("LICENSE-APACHE");
    assert!(apache.contains("Version 2.0, January 2004") && apache.contains("END OF TERMS AND CONDITIONS"));
    assert!(apache.contains("APPENDIX: How to apply the Apache License to your work."));
}
