//! What is recorded after a session: a skipped step done afterwards (`done ID STEP`) and
//! an incident given up (`abandon ID --reason`).

use crate::support::Test;

/// A reservation whose required fix step and required written apology were skipped.
const SKIPPED: &str = r#"type: reservation
severity: major
staff: anna
ref: "room 214"
steps:
  listen: done
  own-it: done
  reassure: done
  ask-destination: done
  find-room: {choice: partner hotel nearby}
  pay-replacement: done
  arrange-transport: done
  confirm-in-writing: {skipped: "booking system down, will do on return"}
  ask-comfort: done
  hand-over: done
  thank: done
  welcome-drink: done
  buy-dinner: done
  free-night: done
  call-next-morning: scheduled
  written-apology: {skipped: "manager away"}
"#;

/// An incident another desk left unfinished, with a follow-up open.
const UNFINISHED: &str = r#"{"id":"OPEN-111","uid":"0b7c8f3e-2222-4c4c-9c9c-000000000002","type":"wrong-order","severity":"minor","staff":"ole","role":"staff","ref":"table 9","started_at":"2026-01-10T12:00:00Z","finished_at":null,"status":"in_progress","steps":[{"phase":"apologise","id":"own-it","outcome":"done","at":"2026-01-10T12:00:30Z"}],"amends_total":"0","currency":"EUR","limit":"50","failure_point":null,"follow_ups":[{"step":"manager-check-back","due":"2026-01-10T12:15:00Z","done_at":null,"outcome":null}]}"#;

fn step<'a>(incident: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    incident["steps"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap()
}

fn show(t: &Test, id: &str) -> serde_json::Value {
    t.cmd(&["show-incident", id, "--json"]).run().code(0).json_lines().remove(0)
}

#[test]
fn skipped_required_steps_done_afterwards_make_the_incident_complete() {
    let t = Test::new();
    let file = t.write("answers.yaml", SKIPPED);
    let out = t.cmd(&["start", "--answers", file.to_str().unwrap(), "--json"]).run();
    let id = out.code(1).json_lines()[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(show(&t, &id)["status"], "incomplete");

    // How it went has nowhere to be kept for a skipped step: refused in one line, and
    // nothing recorded, rather than accepted and dropped.
    let before = show(&t, &id);
    for step in ["confirm-in-writing", "written-apology"] {
        t.cmd(&["done", &id, step, "--staff", "ole", "--outcome", "lost"])
            .run()
            .code(2)
            .one_error_line(&format!("`{step}` was skipped, not scheduled"));
    }
    assert_eq!(show(&t, &id), before, "nothing recorded");

    let out =
        t.cmd(&["done", &id, "confirm-in-writing", "--staff", "ole", "--note", "called back at 9"]).run();
    out.code(0);
    assert!(
        out.stderr.contains("step confirm-in-writing of incident") && out.stderr.contains("incomplete"),
        "{}",
        out.stderr
    );
    let i = show(&t, &id);
    assert_eq!(i["status"], "incomplete", "the written apology is still skipped");
    let s = step(&i, "confirm-in-writing");
    assert_eq!(s["outcome"], "skipped", "the skip is kept");
    assert_eq!(s["reason"], "booking system down, will do on return", "and its reason");
    assert_eq!(s["completed_by"], "ole");
    assert_eq!(s["completed_note"], "called back at 9");
    assert!(s["completed_at"].is_string());

    // A skipped required follow-up, in any case.
    let out = t.cmd(&["done", &id.to_lowercase(), "Written-Apology", "--staff", "mia", "--json"]).run();
    let i = &out.code(0).json_lines()[0];
    assert_eq!(i["status"], "complete");
    assert!(out.stderr.contains("the incident is complete"), "{}", out.stderr);
    assert_eq!(show(&t, &id)["status"], "complete");
    assert_eq!(t.cmd(&["log", "--json", "--status", "complete"]).run().json_lines().len(), 1);
    let text = t.ok(&["show-incident", &id]);
    assert!(text.contains("done afterwards by mia"), "{text}");
    assert!(!text.contains("not done"), "the fix was done afterwards, so it has a time: {text}");

    t.cmd(&["done", &id, "confirm-in-writing"]).run().code(2).one_error_line("already done afterwards");
    t.cmd(&["done", &id, "own-it"]).run().code(2).one_error_line("has no follow-up `own-it`");
    t.cmd(&["done", &id, "call-next-morning", "--outcome", "recovered"]).run().code(0);
    t.cmd(&["done", &id, "call-next-morning"]).run().code(2).one_error_line("already closed");
}

#[test]
fn done_names_the_skipped_steps_it_could_record() {
    let t = Test::new();
    let file = t.write("answers.yaml", SKIPPED);
    let out = t.cmd(&["start", "--answers", file.to_str().unwrap(), "--json"]).run();
    let id = out.code(1).json_lines()[0]["id"].as_str().unwrap().to_owned();
    t.cmd(&["done", &id, "nonsense"])
        .run()
        .code(2)
        .one_error_line("skipped steps: confirm-in-writing, written-apology");
}

#[test]
fn an_abandoned_incident_is_kept_but_leaves_due_and_the_unfinished_checks() {
    let t = Test::new();
    let old = t.write("open.jsonl", format!("{UNFINISHED}\n"));
    t.cmd(&["import", old.to_str().unwrap()]).run().code(0);
    t.cmd(&["due", "--check"]).run().code(1);
    assert_eq!(t.cmd(&["log", "--json", "--open"]).run().json_lines().len(), 1);

    let out = t
        .cmd(&["abandon", "open-111", "--reason", "duplicate of OPEN-112", "--staff", "kim", "--json"])
        .run();
    let i = &out.code(0).json_lines()[0];
    assert_eq!(i["status"], "abandoned");
    assert_eq!(i["abandon_reason"], "duplicate of OPEN-112");
    assert_eq!(i["abandoned_by"], "kim");
    assert!(out.stderr.contains("OPEN-111 abandoned"), "{}", out.stderr);

    let logged = t.cmd(&["log", "--json", "--status", "abandoned"]).run().json_lines();
    assert_eq!(logged.len(), 1, "kept in the log");
    assert_eq!(logged[0]["status"], "abandoned");
    assert_eq!(t.cmd(&["log", "--json", "--status", "in_progress"]).run().json_lines().len(), 0);
    assert_eq!(t.cmd(&["log", "--json", "--open"]).run().json_lines().len(), 0);
    assert!(t.cmd(&["due", "--json", "--within", "1000d"]).run().code(0).json_lines().is_empty());
    t.cmd(&["due", "--check"]).run().code(0);
    let report = t.cmd(&["report", "--since", "2026-01-01", "--json"]).run().json_lines().remove(0);
    assert_eq!((report["abandoned"].as_u64(), report["in_progress"].as_u64()), (Some(1), Some(0)));
    assert_eq!(report["follow_ups"]["overdue"], 0);
    assert!(t.ok(&["report", "--since", "2026-01-01"]).contains("abandoned"));
    let text = t.ok(&["show-incident", "OPEN-111"]);
    assert!(text.contains("abandoned: duplicate of OPEN-112"), "{text}");

    t.cmd(&["abandon", "OPEN-111", "--reason", "again"]).run().code(1).one_error_line("was abandoned");
    t.cmd(&["done", "OPEN-111", "manager-check-back"]).run().code(1).one_error_line("was abandoned");
    t.cmd(&["resume", "OPEN-111"]).run().code(1).one_error_line("was abandoned");
    t.cmd(&["resume"]).run().code(2).one_error_line("no unfinished incident");
    t.cmd(&["log", "--status", "lost"]).run().code(2);
}

#[test]
fn only_an_unfinished_incident_can_be_abandoned_and_only_with_a_reason() {
    let t = Test::new();
    let i = t.cmd(&["start", "--yes", "--json", "--type", "noise"]).run().code(0).json_lines().remove(0);
    let id = i["id"].as_str().unwrap();
    t.cmd(&["abandon", id, "--reason", "oops"]).run().code(1).one_error_line("is finished (complete)");
    t.cmd(&["abandon", id]).run().code(2);
    let old = t.write("open.jsonl", format!("{UNFINISHED}\n"));
    t.cmd(&["import", old.to_str().unwrap()]).run().code(0);
    t.cmd(&["abandon", "OPEN-111", "--reason", "   "]).run().code(2).one_error_line("needs a reason");
    t.cmd(&["abandon", "NOPE-000", "--reason", "x"]).run().code(2).one_error_line("no incident `NOPE-000`");
    assert_eq!(show(&t, "OPEN-111")["status"], "in_progress", "nothing recorded by a refusal");
}

/// A wrong-order incident begun on 2026-01-10 with the apology and the fix done (the fix
/// two hours in, the slowest of all) and its amend given, not finished: `recover abandon`
/// can still give it up.
const SLOW_UNFINISHED: &str = r#"{"id":"SLOW-222","uid":"0b7c8f3e-2222-4c4c-9c9c-000000000003","type":"wrong-order","severity":"minor","staff":"ole","role":"staff","ref":"table 4","started_at":"2026-01-10T12:00:00Z","finished_at":null,"status":"in_progress","steps":[{"phase":"apologise","id":"safety-check","outcome":"done","at":"2026-01-10T12:00:10Z","choice":"no risk"},{"phase":"apologise","id":"listen","outcome":"done","at":"2026-01-10T12:00:20Z"},{"phase":"apologise","id":"own-it","outcome":"done","at":"2026-01-10T12:00:30Z"},{"phase":"fix","id":"take-away","outcome":"done","at":"2026-01-10T13:00:00Z"},{"phase":"fix","id":"right-dish","outcome":"done","at":"2026-01-10T13:10:00Z","choice":"same dish made right"},{"phase":"fix","id":"bridge-the-wait","outcome":"done","at":"2026-01-10T13:20:00Z"},{"phase":"fix","id":"check-plate","outcome":"done","at":"2026-01-10T13:30:00Z"},{"phase":"fix","id":"others-affected","outcome":"done","at":"2026-01-10T13:40:00Z"},{"phase":"fix","id":"thank","outcome":"done","at":"2026-01-10T14:00:00Z"},{"phase":"amend","id":"treat","outcome":"done","at":"2026-01-10T14:00:10Z","cost":"8"}],"amends_total":"8","currency":"EUR","limit":"300","failure_point":null,"servqual":["reliability","responsiveness"],"follow_ups":[]}"#;

#[test]
fn an_abandoned_incident_counts_in_no_total_of_the_report_nor_among_the_slowest() {
    let t = Test::new();
    t.ok(&["start", "--type", "wrong-order", "--yes", "--staff", "anna"]);
    let report =
        |t: &Test| t.cmd(&["report", "--since", "2026-01-01", "--json"]).run().code(0).json_lines().remove(0);
    let before = report(&t);
    let slow = t.write("slow.jsonl", format!("{SLOW_UNFINISHED}\n"));
    t.cmd(&["import", slow.to_str().unwrap()]).run().code(0);
    let html = t.ok(&["report", "--since", "2026-01-01", "--format", "html"]);
    assert!(html.contains("SLOW-222"), "an unfinished incident is among the slowest until abandoned");
    t.cmd(&["abandon", "SLOW-222", "--reason", "opened twice", "--staff", "kim"]).run().code(0);

    let mut after = report(&t);
    assert_eq!(after["abandoned"], 1, "counted apart: {after}");
    after["abandoned"] = before["abandoned"].clone();
    assert_eq!(after, before, "no other figure changes");
    for detail in [true, false] {
        let args: &[&str] = if detail {
            &["report", "--since", "2026-01-01", "--json", "--detail"]
        } else {
            &["report", "--since", "2026-01-01", "--json", "--type", "wrong-order"]
        };
        let r = t.cmd(args).run().code(0).json_lines().remove(0);
        assert_eq!(
            (r["incidents"].as_u64(), r["amends_total"].as_str()),
            (Some(1), Some("8")),
            "{args:?}: {r}"
        );
        assert_eq!(r["amends_offered"], 1, "{args:?}");
    }
    let html = t.ok(&["report", "--since", "2026-01-01", "--format", "html"]);
    assert!(!html.contains("SLOW-222"), "not among the slowest or the most expensive");
    let text = t.ok(&["report", "--since", "2026-01-01"]);
    assert!(text.contains("abandoned"), "{text}");
}

#[test]
fn done_with_no_name_to_record_refuses_and_records_nothing() {
    let t = Test::new();
    let old = t.write("open.jsonl", format!("{UNFINISHED}\n"));
    t.cmd(&["import", old.to_str().unwrap()]).run().code(0);
    for blank in [None, Some(""), Some("  ")] {
        let mut args = vec!["done", "OPEN-111", "manager-check-back"];
        if let Some(b) = blank {
            args.extend(["--staff", b]);
        }
        // No --staff, RECOVER_STAFF or USER: nobody to say who closed it.
        t.cmd(&args).env("USER", "").run().code(2).one_error_line("(pass --staff NAME or set RECOVER_STAFF)");
    }
    let f = &show(&t, "OPEN-111")["follow_ups"][0];
    assert_eq!((&f["done_at"], &f["done_by"]), (&serde_json::Value::Null, &serde_json::Value::Null));
    // RECOVER_STAFF, or USER, is enough.
    t.cmd(&["done", "OPEN-111", "manager-check-back"])
        .env("USER", "")
        .env("RECOVER_STAFF", "kim")
        .run()
        .code(0);
    assert_eq!(show(&t, "OPEN-111")["follow_ups"][0]["done_by"], "kim");
}
