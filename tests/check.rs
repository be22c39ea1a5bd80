//! `recover check` says each problem once, where it is, in words a playbook writer knows;
//! and the JSON Schema refuses what `check` refuses.

use std::path::Path;
use std::process::Command;

use crate::support::Test;

/// A small playbook that passes `check` (with a warning: no words to `say`).
const GOOD: &str = "type: mini
title: Mini
phases:
  apologise:
    - id: own-it
      do: Say sorry.
  fix:
    - id: fix-it
      do: Fix it.
      choose:
        - {value: a, label: A}
  amend:
    - id: drink
      do: Give a drink.
      cost: 5
  follow_up:
    - id: call
      do: Call.
      within: 1d
";

/// `GOOD` with `from` replaced by `to`.
fn variant(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from}");
    GOOD.replacen(from, to, 1)
}

/// The error lines (not warnings) `check` prints for `text`.
fn errors(t: &Test, text: &str) -> Vec<String> {
    let file = t.write("lib/mini.yaml", text);
    let out = t.cmd(&["check", file.to_str().unwrap_or_default()]).run();
    out.stdout.lines().filter(|l| !l.contains(": warning: ")).map(str::to_owned).collect()
}

/// Every case `check` refuses, with the one error it gives.
fn refused() -> Vec<(String, &'static str)> {
    vec![
        (
            variant(
                "  fix:\n    - id: fix-it\n      do: Fix it.\n      choose:\n        - {value: a, label: A}\n",
                "",
            ),
            "mini.yaml:3:1: phase `fix` is missing",
        ),
        (
            variant("      do: Fix it.\n", "      do: Fix it.\n      bogus: 1\n"),
            "mini.yaml:10:7: unknown field `bogus`",
        ),
        (
            variant("do: Fix it.", "do: [1, 2]"),
            "mini.yaml:9:11: expected a text, or a map of language codes to texts",
        ),
        (
            variant("title: Mini\n", "title: Mini\ntitle: Again\n"),
            "mini.yaml:3:1: key `title` is written twice",
        ),
        (
            variant("      do: Give a drink.\n", "      do: Give a drink.\n      do: Twice\n"),
            "mini.yaml:15:7: key `do` is written twice",
        ),
        // A language written twice in a text: the last used to win silently, whether the
        // quick reader read the file (block or flow) or serde_yaml did (a block scalar).
        (
            variant("title: Mini\n", "title:\n  en: Mini\n  en: Again\n"),
            "mini.yaml:4:3: key `en` is written twice",
        ),
        (
            variant("title: Mini\n", "title: {en: Mini, en: Again}\n"),
            "mini.yaml:2:19: key `en` is written twice",
        ),
        (
            variant("title: Mini\n", "title:\n  en: Mini\n  da: |\n    Mini\n  en: Again\n"),
            "mini.yaml:6:3: key `en` is written twice",
        ),
        (
            variant("{value: a, label: A}", "{value: a, label: A, colour: red}"),
            "mini.yaml:11:32: unknown field `colour`",
        ),
        (variant("type: mini", "type: Mini Thing"), "mini.yaml:1:7: type `Mini Thing` must be lowercase"),
        (
            variant(
                "  fix:\n    - id: fix-it\n      do: Fix it.\n      choose:\n        - {value: a, label: A}\n",
                "  fix: []\n",
            ),
            "mini.yaml:7:3: phase `fix` needs at least one step",
        ),
    ]
}

#[test]
fn each_problem_is_reported_once_at_its_line_in_plain_words() {
    let t = Test::new();
    assert_eq!(errors(&t, GOOD), Vec::<String>::new());
    for (text, expected) in refused() {
        let errors = errors(&t, &text);
        assert_eq!(errors.len(), 1, "one error expected for {expected:?}, got {errors:#?}");
        assert!(errors[0].contains(expected), "{:?} lacks {expected:?}", errors[0]);
        assert!(!errors[0].contains("untagged") && !errors[0].contains("1:1:"), "{}", errors[0]);
    }
}

/// Plain words that other YAML readers take for numbers or booleans (a phone number with a
/// leading zero, digits grouped with `_`, YAML 1.1 `yes`) stay the text written, whichever
/// reader reads the file: pinned for any change of YAML crate (docs/yaml-parser.md).
#[test]
fn texts_that_look_like_numbers_or_booleans_stay_as_written() {
    let t = Test::new();
    for word in ["0800", "007", "1_000", "yes", "on", "1.0e400"] {
        let quick = variant("      do: Call.\n", &format!("      do: {word}\n"));
        // A block scalar elsewhere makes the quick reader leave the file to serde_yaml.
        let general = quick.replacen("title: Mini\n", "title: |\n  Mini\n", 1);
        for text in [quick, general] {
            assert_eq!(errors(&t, &text), Vec::<String>::new(), "{word}");
            let file = t.write("lib/mini.yaml", &text);
            let out = t.cmd(&["show", "mini", "--playbooks", file.parent().unwrap().to_str().unwrap()]).run();
            out.code(0);
            assert!(out.stdout.contains(&format!("4.1 {word}\n")), "{word}: {}", out.stdout);
        }
    }
}

#[test]
#[ignore = "needs python3 with jsonschema and pyyaml; CI runs it with --include-ignored"]
fn the_schema_refuses_what_check_refuses() {
    let t = Test::new();
    let schema = t.write("schema.json", t.ok(&["schema"]));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/validate_schema.py");
    let valid = |text: &str| {
        let file = t.write("one.yaml", text);
        Command::new("python3")
            .arg(&script)
            .arg(&schema)
            .arg(file)
            .output()
            .expect("python3")
            .status
            .success()
    };
    assert!(valid(GOOD));
    // serde_yaml and PyYAML disagree on duplicate keys (PyYAML keeps the last): not a
    // schema matter. Everything else check refuses, the schema refuses too.
    for (text, expected) in refused().into_iter().filter(|(_, e)| !e.contains("written twice")) {
        assert!(!valid(&text), "the schema accepts what check refuses: {expected}");
    }
}
