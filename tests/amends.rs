//! The amends in a real pseudo-terminal: withholding needs a reason, an approver is
//! someone else whose role may give the bundle; and picking a playbook without `--type`.

use crate::interactive::{DOWN, ENTER, answer, exit_code, incident, skip_guest, spawn};
use crate::support::Test;

const SPACE: &str = " ";

#[test]
fn withholding_offered_amends_asks_why_for_each_and_the_summary_and_report_say_so() {
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--type", "reservation", "--severity", "critical", "--staff", "anna"]);
    answer_up_to_the_amends(&mut p);
    // Keep the first two (EUR 65, within the staff limit), untick the other two.
    answer(&mut p, "Amends to give", &[DOWN, DOWN, SPACE, DOWN, SPACE, ENTER]);
    answer(&mut p, "free-night is offered at this severity. Why is it withheld?", &[ENTER]);
    answer(
        &mut p,
        "choice-of-comp is offered at this severity. Why is it withheld?",
        &[DOWN, DOWN, DOWN, ENTER],
    );
    // A blank reason is asked again, saying why.
    answer(&mut p, "Reason", &[ENTER]);
    answer(&mut p, "A reason is needed: type one.", &[]);
    answer(&mut p, "Reason", &["wants to think it over", ENTER]);
    answer(&mut p, "call-next-morning", &[ENTER]);
    answer(&mut p, "written-apology", &[ENTER]);
    answer(&mut p, "Failure point", &[ENTER]);
    skip_guest(&mut p);
    let summary = p.exp_eof().expect("eof");
    assert!(summary.contains("2 of 4 offered amends withheld"), "{summary}");
    assert!(!summary.contains("within the limit"), "{summary}");
    assert!(
        summary.contains("Withheld free-night") && summary.contains("The guest declined it"),
        "{summary}"
    );
    assert_eq!(exit_code(&p), 0);

    let i = incident(&t);
    let reason = |id: &str| {
        let s = i["steps"].as_array().unwrap().iter().find(|s| s["id"] == id).cloned().unwrap_or_default();
        assert_eq!(s["outcome"], "skipped", "{id}");
        s["reason"].as_str().unwrap_or_default().to_owned()
    };
    assert_eq!(reason("free-night"), "guest-declined");
    assert_eq!(reason("choice-of-comp"), "wants to think it over");

    let report = &t.cmd(&["report", "--since", "30d", "--json"]).run().json_lines()[0];
    assert_eq!((report["amends_offered"].as_u64(), report["amends_given"].as_u64()), (Some(4), Some(2)));
    assert_eq!(report["amends_withheld"], 2);
    assert_eq!(
        report["withheld_reasons"],
        serde_json::json!([["guest-declined", 1], ["wants to think it over", 1]])
    );
    let table = t.ok(&["report", "--since", "30d"]);
    assert!(table.contains("withheld") && table.contains("wants to think it over"), "{table}");
}

#[test]
fn an_approver_must_be_someone_else_with_a_role_that_may_give_the_bundle() {
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--type", "reservation", "--severity", "critical", "--staff", "anna"]);
    answer_up_to_the_amends(&mut p);
    answer(&mut p, "Amends to give", &[ENTER]);
    answer(&mut p, "Over the limit", &[ENTER]);
    // A name of only spaces is asked again, saying why.
    answer(&mut p, "Approver's name", &["   ", ENTER]);
    answer(&mut p, "The approver's name is needed: type it.", &[]);
    // The staff member's own name is refused at once, before any role is asked, and the
    // name asked again (the amends chosen and their reasons stand).
    answer(&mut p, "Approver's name", &["Anna", ENTER]);
    answer(&mut p, "Anna cannot approve their own amends", &[]);
    answer(&mut p, "Approver's name", &["maria", ENTER]);
    // Up from the offered supervisor to staff, whose limit is too low.
    answer(&mut p, "Approver's role", &["\x1b[A", ENTER]);
    answer(&mut p, "a staff may approve up to 300 EUR", &[]);
    answer(&mut p, "Amends to give", &[ENTER]);
    answer(&mut p, "Over the limit", &[ENTER]);
    answer(&mut p, "Approver's name", &["maria", ENTER]);
    answer(&mut p, "Approver's role", &[ENTER]);
    answer(&mut p, "call-next-morning", &[ENTER]);
    answer(&mut p, "written-apology", &[ENTER]);
    answer(&mut p, "Failure point", &[ENTER]);
    skip_guest(&mut p);
    let summary = p.exp_eof().expect("eof");
    assert!(summary.contains("approved by maria (supervisor)"), "{summary}");
    assert_eq!(exit_code(&p), 0);
    let i = incident(&t);
    assert_eq!(i["approver_role"], "supervisor");
}

/// Types `filter` into the playbook picker, then Enter once the filter has taken every
/// key, so it picks from the filtered list.
fn filter_and_pick(p: &mut rexpect::session::PtySession, filter: &str) {
    p.send(filter).expect("send");
    p.flush().expect("flush");
    p.exp_string(&format!("{filter} \r\n")).expect("typed");
    p.send(ENTER).expect("send");
    p.flush().expect("flush");
}

#[test]
fn start_without_a_type_offers_the_playbooks_filtered_as_one_types_aliases_included() {
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--staff", "anna"]);
    p.exp_string("What went wrong?").expect("the picker");
    p.exp_string("wrong-order").expect("every playbook listed");
    // "lost-booking" is an alias of the reservation playbook only.
    filter_and_pick(&mut p, "lost-book");
    let header = p.exp_string("listen").expect("the reservation playbook starts");
    assert!(header.contains("(reservation)"), "{header}");
    p.send_control('c').expect("ctrl-c");
    p.exp_eof().expect("eof");
    assert_eq!(incident(&t)["type"], "reservation");

    // In a narrow terminal the type picked is left under the question, and it fits.
    let t = Test::new();
    let mut p = t.pty(&["start", "--staff", "anna"]).env("COLUMNS", "60").spawn();
    p.exp_string("What went wrong?").expect("the picker");
    filter_and_pick(&mut p, "lugg");
    let before = p.exp_string("baggage\r\n").expect("the answer under the question");
    let before = crate::interactive::utf8(&before);
    let line = format!("{}baggage", before.rsplit(['\n', '\r']).next().unwrap_or_default());
    assert!(line.contains("What went wrong?") && line.contains("· baggage"), "{line:?}");
    assert!(recover::display_width(&line) <= 60, "wider than 60: {line:?}");
    p.send_control('c').expect("ctrl-c");
    p.exp_eof().expect("eof");

    // Without a terminal it is the usage error it was, nothing recorded.
    let t = Test::new();
    t.cmd(&["start"]).run().code(2).one_error_line("no type given (pass --type TYPE");
    t.cmd(&["start", "--yes"]).run().code(2).one_error_line("no type given");
    assert!(!t.log().exists());
}

#[test]
fn an_import_of_the_finished_incident_brings_the_approvers_role() {
    let t = Test::new();
    let yes = ["start", "--type", "reservation", "--yes", "--severity", "critical", "--staff", "anna"];
    t.ok(&[&yes[..], &["--approved-by", "maria", "--approver-role", "supervisor"]].concat());
    let done = t.ok(&["export"]);
    let mut part: serde_json::Value = serde_json::from_str(done.trim()).unwrap();
    part["status"] = "in_progress".into();
    part["finished_at"] = serde_json::Value::Null;
    part["approver_role"] = serde_json::Value::Null;
    part["steps"] = serde_json::json!([part["steps"][0].clone()]);
    part["follow_ups"] = serde_json::json!([]);
    let other = Test::new();
    other.write("part.jsonl", format!("{part}\n"));
    other.write("done.jsonl", &done);
    other.ok_saying(&["import", other.path("part.jsonl").to_str().unwrap()], "imported");
    other.ok_saying(&["import", other.path("done.jsonl").to_str().unwrap()], "imported");
    assert_eq!(incident(&other)["approver_role"], "supervisor");
}

/// Enter at every step of a reservation up to its amends.
pub fn answer_up_to_the_amends(p: &mut rexpect::session::PtySession) {
    for step in ["listen", "own-it", "reassure", "ask-destination"] {
        answer(p, step, &[ENTER]);
    }
    answer(p, "find-room (pick one)", &[ENTER]);
    answer(p, "Note (Enter for none)", &[ENTER]);
    for step in
        ["pay-replacement", "arrange-transport", "confirm-in-writing", "ask-comfort", "hand-over", "thank"]
    {
        answer(p, step, &[ENTER]);
    }
}
