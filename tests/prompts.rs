//! The interactive session in a real pseudo-terminal, round two: what a new user ran into
//! at the prompts (the language of the interruption line, the order and marks of the
//! amends questions, the keys of a list, narrow and vanished terminals).

use crate::amends::answer_up_to_the_amends;
use crate::interactive::{DOWN, ENTER, answer, exit_code, incident, spawn, utf8};
use crate::support::Test;

const UP: &str = "\x1b[A";

#[test]
fn ctrl_c_at_a_prompt_says_how_to_resume_in_the_sessions_language() {
    let t = Test::new();
    let mut p = spawn(&t, &["--lang", "bn", "start", "--type", "reservation"]);
    answer(&mut p, "listen", &[ENTER]);
    p.exp_string("own-it").expect("second step shown");
    p.send_control('c').expect("ctrl-c");
    let rest = utf8(&p.exp_eof().expect("eof"));
    let id = incident(&t)["id"].as_str().unwrap_or_default().to_owned();
    assert!(
        rest.contains(&format!("recover: থামানো হয়েছে (আপনার সব উত্তর সংরক্ষিত আছে; `recover resume {id}`")),
        "{rest}"
    );
    assert!(!rest.contains("interrupted") && !rest.contains("everything answered"), "{rest}");
    assert_eq!(exit_code(&p), 130);
}

#[test]
fn over_the_limit_the_withheld_reasons_are_asked_before_the_approver() {
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--type", "reservation", "--severity", "critical", "--staff", "anna"]);
    answer_up_to_the_amends(&mut p);
    // Untick the welcome drink: EUR 605 is still over the staff limit.
    answer(&mut p, "Amends to give", &[" ", ENTER]);
    answer(&mut p, "Over the limit", &[ENTER]);
    let before = p.exp_string("welcome-drink is offered at this severity. Why is it withheld?");
    let before = before.expect("why it is withheld is asked first");
    assert!(!before.contains("Approver's name"), "the approver came first: {before}");
    answer(&mut p, "", &[ENTER]);
    // The approver approves the bundle as it will be recorded.
    answer(&mut p, "Approver's name", &["maria", ENTER]);
    answer(&mut p, "Approver's role", &[ENTER]);
    answer(&mut p, "call-next-morning", &[ENTER]);
    answer(&mut p, "written-apology", &[ENTER]);
    answer(&mut p, "Failure point", &[ENTER]);
    p.exp_eof().expect("eof");
    assert_eq!(exit_code(&p), 0);
    let i = incident(&t);
    let step =
        |id: &str| i["steps"].as_array().unwrap().iter().find(|s| s["id"] == id).cloned().unwrap_or_default();
    assert_eq!(
        (step("welcome-drink")["outcome"].as_str(), step("welcome-drink")["reason"].as_str()),
        (Some("skipped"), Some("guest-declined"))
    );
    assert_eq!(step("choice-of-comp")["approved_by"], "maria");
    assert_eq!(i["approver_role"], "supervisor");
}

#[test]
fn a_blank_approver_gets_no_tick_only_why_it_is_asked_again() {
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--type", "reservation", "--severity", "critical", "--staff", "anna"]);
    answer_up_to_the_amends(&mut p);
    answer(&mut p, "Amends to give", &[ENTER]);
    answer(&mut p, "Over the limit", &[ENTER]);
    for blank in ["", "   "] {
        answer(&mut p, "Approver's name", &[blank, ENTER]);
        let shown = utf8(&p.exp_string("The approver's name is needed: type it.").expect("why, said"));
        assert!(!shown.contains('✔') && shown.contains('✗'), "a refused answer shown as taken: {shown:?}");
    }
    answer(&mut p, "Approver's name", &["maria", ENTER]);
    let shown = utf8(&p.exp_string("Approver's role").expect("the role asked"));
    assert!(shown.contains("✔ Approver's name"), "a taken answer keeps its tick: {shown:?}");
    p.send_control('c').expect("ctrl-c");
    p.exp_eof().expect("eof");
}

#[test]
fn space_in_a_pick_one_list_does_not_answer_it_only_enter_does() {
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--type", "reservation", "--staff", "anna"]);
    for step in ["listen", "own-it", "reassure", "ask-destination"] {
        answer(&mut p, step, &[ENTER]);
    }
    // Down to the partner hotel and a space: nothing is picked; back up and Enter picks
    // the first option.
    answer(&mut p, "find-room (pick one)", &[DOWN, " "]);
    answer(&mut p, "partner hotel", &[UP, ENTER]);
    let shown = utf8(&p.exp_string("Note (Enter for none)").expect("the note of the choice"));
    assert!(shown.contains("✔ find-room (pick one) · our hotel"), "{shown:?}");
    assert_eq!(shown.matches('✔').count(), 1, "answered once: {shown:?}");
    p.send_control('c').expect("ctrl-c");
    p.exp_eof().expect("eof");
    let i = incident(&t);
    let find_room = i["steps"].as_array().unwrap().iter().find(|s| s["id"] == "find-room").cloned();
    assert_eq!(find_room.unwrap_or_default()["choice"], "our hotel");
}
