//! The guest's side: their words, whether satisfied, a contact only with consent; asked at
//! the end of a session, read from an answers file, left out by `--redact`, purged.

use crate::interactive::{
    DOWN, ENTER, answer, answer_first_two, exit_code, finish_up_to_the_failure_point, incident, spawn, utf8,
};
use crate::support::Test;

/// A minor wrong-order incident from an answers file, with `guest` as written.
fn answers(t: &Test, guest: &str) -> crate::support::Output {
    let file = t.write(
        "a.yaml",
        format!(
            "type: wrong-order\nseverity: minor\nstaff: anna\n{guest}steps:\n  manager-check-back: scheduled\n"
        ),
    );
    t.cmd(&["start", "--answers", file.to_str().unwrap(), "--json"]).run()
}

#[test]
fn the_session_ends_asking_the_guests_side_and_enter_skips_it() {
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--type", "reservation", "--severity", "minor", "--staff", "anna"]);
    answer_first_two(&mut p);
    finish_up_to_the_failure_point(&mut p);
    answer(&mut p, "Failure point", &[ENTER]);
    let heading = utf8(&p.exp_string("own words, briefly").expect("the guest's words asked"));
    assert!(heading.contains("THE GUEST'S SIDE (optional: Enter skips)"), "{heading}");
    answer(&mut p, "", &["Room was fine in the end", ENTER]);
    // Not asked, yes, partly, no: two down is "partly".
    answer(&mut p, "satisfied when you parted", &[DOWN, DOWN, ENTER]);
    // Consent comes first in the question: typing a contact is the guest's yes.
    let asked = p.exp_string("Phone or e-mail").expect("contact asked");
    assert!(utf8(&asked).contains("Guest agrees to be contacted?"), "{asked}");
    answer(&mut p, "", &["guest@example.com", ENTER]);
    p.exp_string("Incident id").expect("then the summary");
    p.exp_eof().expect("eof");
    assert_eq!(exit_code(&p), 0);
    let i = incident(&t);
    assert_eq!(i["guest"]["words"], "Room was fine in the end");
    assert_eq!(i["guest"]["satisfied"], "partly");
    assert_eq!(i["guest"]["contact"], "guest@example.com");
    assert_eq!(i["guest"]["consent"], true);

    // Enter at all three records nothing: no guest key at all.
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--type", "reservation", "--severity", "minor", "--staff", "anna"]);
    answer_first_two(&mut p);
    finish_up_to_the_failure_point(&mut p);
    answer(&mut p, "Failure point", &[ENTER]);
    crate::interactive::skip_guest(&mut p);
    p.exp_eof().expect("eof");
    assert_eq!(exit_code(&p), 0);
    let i = incident(&t);
    assert!(i.get("guest").is_none(), "{i}");
    assert_eq!(i["status"], "complete");
}

#[test]
fn ctrl_c_at_the_guests_side_keeps_every_answer() {
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--type", "reservation", "--severity", "minor", "--staff", "anna"]);
    answer_first_two(&mut p);
    finish_up_to_the_failure_point(&mut p);
    answer(&mut p, "Failure point", &[ENTER]);
    p.exp_string("own words").expect("asked");
    p.send_control('c').expect("ctrl-c");
    p.exp_eof().expect("eof");
    assert_eq!(exit_code(&p), 130);
    let i = incident(&t);
    assert_eq!(i["status"], "complete", "the session was saved before the guest's side");
    assert!(i.get("guest").is_none());
}

#[test]
fn an_answers_file_gives_the_guests_side_redact_leaves_it_out_and_purge_deletes_it() {
    let t = Test::new();
    let out = answers(
        &t,
        "guest: {words: \"Cold dish, twice\", satisfied: no, contact: \"+45 1234 5678\", consent: true}\n",
    );
    // The file leaves the steps out: incomplete, and still recorded.
    out.code(1);
    let i = &out.json_lines()[0];
    assert_eq!(i["guest"]["satisfied"], "no");
    assert_eq!(i["guest"]["contact"], "+45 1234 5678");
    assert_eq!(i["guest"]["words"], "Cold dish, twice");
    let id = i["id"].as_str().unwrap().to_owned();
    // Shown with the incident, kept in the log, out of a redacted export.
    let shown = t.ok(&["show-incident", &id]);
    assert!(
        shown.contains("The guest") && shown.contains("no · “Cold dish, twice” · +45 1234 5678"),
        "{shown}"
    );
    assert_eq!(t.cmd(&["log", "--json"]).run().json_lines()[0]["guest"]["consent"], true);
    let redacted = t.cmd(&["export", "--redact"]).run();
    redacted.ok();
    let line = &redacted.json_lines()[0];
    assert!(line["guest"].is_null(), "{line}");
    assert!(
        !redacted.stdout.contains("5678") && !redacted.stdout.contains("Cold dish"),
        "{}",
        redacted.stdout
    );
    // An export imported elsewhere keeps it.
    let full = t.write("full.jsonl", t.ok(&["export"]));
    let other = t.path("other.db");
    let imported =
        t.cmd(&["import", full.to_str().unwrap()]).env("RECOVER_LOG", other.to_str().unwrap()).run();
    imported.code(0);
    let again = t.cmd(&["log", "--json"]).env("RECOVER_LOG", other.to_str().unwrap()).run().json_lines();
    assert_eq!(again[0]["guest"]["contact"], "+45 1234 5678");
    // Purged with its incident: nothing of the guest's words left in the file.
    t.cmd(&["purge", "--yes", "--before", "2999-01-01T00:00:00Z"]).run().code(0);
    t.cmd(&["show-incident", &id]).run().code(2);
    let bytes = std::fs::read(t.log()).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("Cold dish") && !text.contains("5678"), "wiped from the file");
}

#[test]
fn contact_details_without_consent_are_refused_and_nothing_is_recorded() {
    let t = Test::new();
    answers(&t, "guest: {contact: guest@example.com}\n").code(2);
    let out = answers(&t, "guest: {contact: guest@example.com, consent: false}\n");
    out.code(2);
    assert!(
        out.stderr.contains("a.yaml:4:") && out.stderr.contains("recorded only with their consent"),
        "{}",
        out.stderr
    );
    let out = answers(&t, "guest: {satisfied: maybe}\n");
    out.code(2);
    assert!(out.stderr.contains("a.yaml:4:"), "{}", out.stderr);
    assert!(t.cmd(&["log", "--json"]).run().json_lines().is_empty(), "nothing recorded");
    // Consent alone, or words alone, are fine.
    let out = answers(&t, "guest: {satisfied: yes}\n");
    out.code(1);
    assert_eq!(out.json_lines()[0]["guest"]["satisfied"], "yes");
}
