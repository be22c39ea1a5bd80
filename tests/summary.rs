//! The summary as `show-incident` shows it: closed follow-ups, skipped steps, timings.

use crate::support::Test;

/// Every step answered but one required fix step, skipped with a reason.
const SKIPPED_FIX: &str = r#"type: reservation
severity: minor
staff: anna
ref: "room 214"
steps:
  listen: done
  own-it: done
  reassure: done
  ask-destination: done
  find-room: {choice: our hotel}
  pay-replacement: done
  arrange-transport: done
  confirm-in-writing: {skipped: "booking system down"}
  ask-comfort: done
  hand-over: done
  thank: done
  welcome-drink: done
  call-next-morning: done
  written-apology: done
"#;

fn incident_id(t: &Test, file: &str) -> String {
    let out = t.cmd(&["start", "--answers", file, "--json"]).run();
    out.json_lines()[0]["id"].as_str().unwrap_or_default().to_owned()
}

/// The line of the summary that holds `what`.
fn line_with<'a>(summary: &'a str, what: &str) -> &'a str {
    summary.lines().find(|l| l.contains(what)).unwrap_or_else(|| panic!("no line with {what:?}:\n{summary}"))
}

#[test]
fn a_closed_follow_up_shows_how_it_ended_who_closed_it_and_the_note() {
    let t = Test::new();
    let file = t.write("answers.yaml", SKIPPED_FIX);
    let id = incident_id(&t, file.to_str().unwrap_or_default());
    t.cmd(&[
        "done",
        &id,
        "call-next-morning",
        "--outcome",
        "recovered",
        "--note",
        "slept well",
        "--staff",
        "maria",
    ])
    .run()
    .code(0);
    let summary = t.ok(&["show-incident", &id]);
    let row = line_with(&summary, " call-next-morning ");
    assert!(!row.contains("scheduled"), "{summary}");
    for shown in ["closed", "guest won back", "closed by maria", "slept well"] {
        assert!(summary.contains(shown), "{shown:?} missing:\n{summary}");
    }
    let total = line_with(&summary, "Follow-up call-next-morning");
    assert!(total.contains("closed") && total.contains("guest won back"), "{summary}");
    // The one still open is still scheduled.
    assert!(line_with(&summary, " written-apology ").contains("scheduled"), "{summary}");
}

#[test]
fn a_skipped_step_has_its_own_mark_and_its_phase_no_time() {
    let t = Test::new();
    let file = t.write("answers.yaml", SKIPPED_FIX);
    let id = incident_id(&t, file.to_str().unwrap_or_default());
    for lang in ["en", "da", "bn"] {
        let summary = t.ok(&["--lang", lang, "show-incident", &id]);
        let skipped = line_with(&summary, "confirm-in-writing");
        assert!(skipped.contains('↷') && !skipped.contains('✔'), "{summary}");
        assert!(line_with(&summary, " own-it ").contains('✔'), "{summary}");
    }
    let summary = t.ok(&["show-incident", &id]);
    let fix = line_with(&summary, "Time to fix");
    assert!(fix.contains("not done: confirm-in-writing skipped"), "{summary}");
    assert!(!line_with(&summary, "Time to apology").contains("not done"), "{summary}");
}
