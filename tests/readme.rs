//! The README's examples run: its answers file and its playbook are accepted as shown, and
//! its test command is the one CI runs.

use std::path::Path;

use crate::support::Test;

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
    assert!(out.code == 0 || out.code == 1, "the README's answers file is refused: {}", out.stderr);
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
