//! docs/JSON.md against what the binary writes: every field of every JSON output is
//! documented there, and every field documented is written.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::support::Test;

/// The field paths listed in the tables of the section of docs/JSON.md headed `heading`.
pub(crate) fn documented(heading: &str) -> BTreeSet<String> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/JSON.md")).unwrap();
    let start = doc.find(&format!("\n## {heading}\n")).unwrap_or_else(|| panic!("no section {heading}"));
    let section = &doc[start + 4..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(path, _)| path.to_owned()))
        .collect()
}

/// The field paths of `v`: `a.b` for nested objects, `a[].b` for arrays of objects, and
/// `a.*` (not looked into) where the documentation says the keys are names.
fn paths(v: &Value, prefix: &str, doc: &BTreeSet<String>, out: &mut BTreeSet<String>) {
    let Value::Object(map) = v else { return };
    for (k, v) in map {
        let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        let named = format!("{path}.*");
        if doc.contains(&named) {
            out.insert(named);
            continue;
        }
        out.insert(path.clone());
        match v {
            Value::Object(_) => paths(v, &path, doc, out),
            Value::Array(items) => {
                for item in items {
                    paths(item, &format!("{path}[]"), doc, out);
                }
            }
            _ => {}
        }
    }
}

fn check(heading: &str, lines: &[Value]) {
    let doc = documented(heading);
    let mut written = BTreeSet::new();
    for line in lines {
        paths(line, "", &doc, &mut written);
    }
    let undocumented: Vec<_> = written.difference(&doc).collect();
    assert!(undocumented.is_empty(), "{heading}: written but not in docs/JSON.md: {undocumented:?}");
    let unwritten: Vec<_> = doc.difference(&written).collect();
    assert!(unwritten.is_empty(), "{heading}: in docs/JSON.md but never written: {unwritten:?}");
}

#[test]
fn every_json_field_is_documented_and_every_documented_field_is_written() {
    let t = Test::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shift.jsonl");
    t.cmd(&[std::ffi::OsStr::new("import"), fixture.as_os_str()]).run().code(0);
    // Notes, a skip reason, a failure note and the guest's side, which the fixture does not have.
    let answers = t.write(
        "a.yaml",
        "type: wrong-order\nseverity: minor\nstaff: anna\nfailure_point: other\nfailure_note: the pass\nguest: {words: cold dish, satisfied: partly, contact: g@example.com, consent: true}\nsteps:\n  own-it: {done: true, note: said sorry}\n  take-away: done\n  right-dish: {choice: same dish made right}\n  bridge-the-wait: {skipped: nothing to bridge with}\n  check-plate: done\n  manager-check-back: scheduled\n",
    );
    let started = t.cmd(&["start", "--answers", answers.to_str().unwrap(), "--json"]).run().json_lines();
    let id = started[0]["id"].as_str().unwrap().to_owned();
    let closed = t
        .cmd(&["done", &id, "manager-check-back", "--outcome", "recovered", "--note", "fine", "--json"])
        .run()
        .json_lines();
    // A skipped step done afterwards, and an incident abandoned (begun from an answers file
    // that stops before the amends, so it is still in progress).
    let later = t
        .cmd(&["done", &id, "bridge-the-wait", "--note", "later", "--staff", "kim", "--json"])
        .run()
        .json_lines();
    let mut open: Value =
        serde_json::from_str(std::fs::read_to_string(&fixture).unwrap().lines().next().unwrap()).unwrap();
    open["uid"] = "00000000-0000-4000-8000-00000000abcd".into();
    open["id"] = "OPN-001".into();
    open["status"] = "in_progress".into();
    open["finished_at"] = Value::Null;
    let open_file = t.write("open.jsonl", format!("{open}\n"));
    t.cmd(&[std::ffi::OsStr::new("import"), open_file.as_os_str()]).run().code(0);
    let begun_id = "OPN-001";
    let abandoned =
        t.cmd(&["abandon", begun_id, "--reason", "duplicate", "--staff", "kim", "--json"]).run().json_lines();
    let mut incidents = t.cmd(&["log", "--json"]).run().json_lines();
    incidents.extend(later);
    incidents.extend(abandoned);
    incidents.extend(t.cmd(&["export", "--redact"]).run().json_lines());
    incidents.extend(t.cmd(&["show-incident", &id, "--json"]).run().json_lines());
    incidents.extend(started);
    incidents.extend(closed);
    check("Incident", &incidents);
    for i in &incidents {
        assert!(i.get("failure_note").is_some(), "failure_note is null, not left out: {i}");
    }

    check("Due follow-up", &t.cmd(&["due", "--json", "--within", "3650d"]).run().json_lines());
    check("Report", &t.cmd(&["report", "--json", "--since", "2026-01-01"]).run().json_lines());
    check("Playbook listing", &t.cmd(&["list", "--json"]).run().json_lines());
}
