//! Training drills: the `never_say` format, `recover drill`, its results and pocket cards.

use crate::support::Test;

#[test]
fn check_validates_never_say_and_places_each_problem() {
    let t = Test::new();
    let dir = t.copy_playbooks("lib");
    let path = dir.join("wrong-order.yaml");
    let good = std::fs::read_to_string(&path).unwrap();
    let at = good.find("never_say:\n").expect("wrong-order has never_say");
    // Keep the playbook, replace its list with one holding four planted problems.
    let bad = format!(
        "{}never_say:\n  - phrase: \"  \"\n    why: {{en: x, da: x, nb: x, et: x, bn: x}}\n  - phrase: {{en: Not my table., da: a, nb: a, et: a, bn: a}}\n    why: {{en: Passes the guest on., da: b, nb: b, et: b, bn: b}}\n  - phrase: {{en: not my table., da: c, nb: c, et: c, bn: c}}\n    why: {{en: Twice., da: d, nb: d, et: d, bn: d}}\n  - phrase: {{en: \"Your main course is on us today.\", da: e, nb: e, et: e, bn: e}}\n    why: {{en: Clash., da: f, nb: f, et: f, bn: f}}\n  - phrase: {{en: Calm down.}}\n    why: {{en: Tells the guest how to feel.}}\n    tone: rude\n",
        &good[..at]
    );
    std::fs::write(&path, bad).unwrap();
    let out = t.cmd(&["check", dir.to_str().unwrap()]).run();
    out.code(1);
    let line = |n: usize| good[..at].lines().count() + n;
    for expected in [
        format!("wrong-order.yaml:{}:13: a `never_say` phrase is empty", line(2)),
        format!("wrong-order.yaml:{}:13: this `never_say` phrase is listed twice", line(6)),
        format!("wrong-order.yaml:{}:13: this `never_say` phrase is also a step's `say`", line(8)),
        format!("wrong-order.yaml:{}:5: unknown field `tone`", line(12)),
    ] {
        assert!(out.stdout.lines().any(|l| l.contains(&expected)), "missing {expected:?} in\n{}", out.stdout);
    }
    // The list without the unknown field: the language check still sees each text.
    let bad = std::fs::read_to_string(&path).unwrap().replace("    tone: rude\n", "");
    std::fs::write(&path, bad).unwrap();
    let out = t.cmd(&["check", dir.to_str().unwrap()]).run();
    out.code(1);
    let expected = format!("wrong-order.yaml:{}:13: text lacks the language(s) da, nb, et, bn", line(10));
    assert!(out.stdout.lines().any(|l| l.contains(&expected)), "missing {expected:?} in\n{}", out.stdout);
}

#[test]
fn every_default_playbook_lists_never_say_in_every_language_and_the_schema_knows_it() {
    let t = Test::new();
    t.ok(&["check"]);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == "policy.yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let top: Vec<&str> =
            text.lines().filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase())).collect();
        assert_eq!(top.last(), Some(&"never_say:"), "{}: never_say must be the last key", path.display());
        let list = &text[text.find("never_say:\n").unwrap()..];
        assert!(list.matches("  - phrase:").count() >= 3, "{}", path.display());
        for lang in ["en", "da", "nb", "et", "bn"] {
            assert!(list.matches(&format!("      {lang}: ")).count() >= 6, "{} {lang}", path.display());
        }
    }
    let schema: serde_json::Value = serde_json::from_str(&t.ok(&["schema"])).unwrap();
    let never = &schema["properties"]["never_say"];
    assert_eq!(never["type"], "array", "{never}");
}
