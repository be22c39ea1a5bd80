//! The interactive session in a real pseudo-terminal: the built binary, real keys.

use std::process::Command;

use rexpect::process::{Signal, WaitStatus};
use rexpect::session::{Options, PtySession, spawn_with_options};

use crate::support::{BIN, Test, base_env};

pub const ENTER: &str = "\r";
pub const DOWN: &str = "\x1b[B";

pub fn spawn(t: &Test, args: &[&str]) -> PtySession {
    t.pty(args).spawn()
}

/// Waits for `prompt`, then types `keys`.
pub fn answer(p: &mut PtySession, prompt: &str, keys: &[&str]) {
    p.exp_string(prompt).unwrap_or_else(|e| panic!("waiting for {prompt:?}: {e}"));
    for k in keys {
        p.send(k).expect("send");
    }
    p.flush().expect("flush");
}

/// What the pty reader returns, one char per byte, read back as the UTF-8 it was.
pub fn utf8(latin1: &str) -> String {
    let bytes: Vec<u8> = latin1.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub fn exit_code(p: &PtySession) -> i32 {
    match p.process().wait().expect("wait") {
        WaitStatus::Exited(_, code) => code,
        other => panic!("not a normal exit: {other:?}"),
    }
}

pub fn incident(t: &Test) -> serde_json::Value {
    let rows = t.cmd(&["log", "--json"]).run().json_lines();
    assert_eq!(rows.len(), 1, "one incident expected");
    rows.into_iter().next().unwrap_or_default()
}

#[test]
fn a_whole_session_with_enter_a_select_a_skip_and_an_approver() {
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--type", "reservation", "--ref", "room 214", "--staff", "anna"]);
    answer(&mut p, "listen", &[ENTER]);
    answer(&mut p, "own-it", &[ENTER]);
    answer(&mut p, "reassure", &[ENTER]);
    answer(&mut p, "ask-destination", &[ENTER]);
    answer(&mut p, "find-room (pick one)", &[DOWN, ENTER]);
    answer(&mut p, "Note (Enter for none)", &["Hotel Lux, two streets away", ENTER]);
    answer(&mut p, "pay-replacement", &[ENTER]);
    answer(&mut p, "arrange-transport", &[ENTER]);
    // A required step skipped asks why.
    answer(&mut p, "confirm-in-writing", &[DOWN, DOWN, ENTER]);
    // The skip is reported with its own mark, not the tick of a done step.
    let skip = utf8(&p.exp_string("Why is it skipped?").expect("reason asked"));
    assert!(skip.contains("↷ confirm-in-writing") && !skip.contains("✔ confirm-in-writing"), "{skip}");
    // A blank reason is asked again, saying why.
    answer(&mut p, "", &["  ", ENTER]);
    answer(&mut p, "A reason is needed: type one.", &[]);
    answer(&mut p, "Why is it skipped?", &["printer is down", ENTER]);
    answer(&mut p, "ask-comfort", &[ENTER]);
    answer(&mut p, "hand-over", &[ENTER]);
    answer(&mut p, "thank", &[ENTER]);
    // How bad it was is asked once the apology and the fix are done, before the amends.
    answer(&mut p, "How bad is it?", &[DOWN, DOWN, ENTER]);
    // The whole bundle is pre-selected: Enter gives it all, which at critical is over the
    // staff limit.
    answer(&mut p, "Amends to give", &[ENTER]);
    answer(&mut p, "Over the limit", &[ENTER]);
    answer(&mut p, "Approver's name", &["maria", ENTER]);
    // The lowest role that may give the bundle is offered first.
    answer(&mut p, "Approver's role", &[ENTER]);
    answer(&mut p, "call-next-morning", &[ENTER]);
    answer(&mut p, "written-apology", &[ENTER]);
    answer(&mut p, "Failure point", &[DOWN, DOWN, ENTER]);
    skip_guest(&mut p);
    let summary = p.exp_string("Incident id").expect("summary table");
    assert!(summary.contains("Time to apology") && summary.contains("Amends"), "{summary}");
    let rest = p.exp_eof().expect("eof");
    assert!(rest.contains("is incomplete: a required step was skipped"), "{rest}");
    assert_eq!(exit_code(&p), 1, "a required step was skipped");

    let i = incident(&t);
    assert_eq!(i["status"], "incomplete");
    assert_eq!(i["severity"], "critical");
    assert_eq!(i["ref"], "room 214");
    assert_eq!(i["failure_point"], "arrival");
    let step =
        |id: &str| i["steps"].as_array().unwrap().iter().find(|s| s["id"] == id).cloned().unwrap_or_default();
    assert_eq!(step("find-room")["choice"], "partner hotel nearby");
    assert_eq!(step("find-room")["note"], "Hotel Lux, two streets away");
    assert_eq!(step("confirm-in-writing")["outcome"], "skipped");
    assert_eq!(step("confirm-in-writing")["reason"], "printer is down");
    assert_eq!(step("choice-of-comp")["approved_by"], "maria");
    assert_eq!(i["approver_role"], "supervisor");
    assert_eq!(i["amends_total"], "615");
    assert_eq!(i["follow_ups"].as_array().unwrap().len(), 2);
    assert_eq!(i["steps"].as_array().unwrap().len(), 17);
}

/// Skips the guest's side at the end of a session: Enter at each of its three questions.
pub fn skip_guest(p: &mut PtySession) {
    for prompt in ["words", "satisfied", "contacted"] {
        answer(p, prompt, &[ENTER]);
    }
}

/// Answers `listen` and `own-it`.
pub(crate) fn answer_first_two(p: &mut PtySession) {
    answer(p, "listen", &[ENTER]);
    answer(p, "own-it", &[ENTER]);
    p.exp_string("reassure").expect("second step shown");
}

fn finish_with_enter(p: &mut PtySession) {
    answer(p, "reassure", &[ENTER]);
    answer(p, "ask-destination", &[ENTER]);
    answer(p, "find-room (pick one)", &[ENTER]);
    finish_from_find_rooms_note(p);
}

/// The rest of a session with Enter, from find-room's note to the summary and the end.
pub(crate) fn finish_from_find_rooms_note(p: &mut PtySession) {
    answer(p, "Note (Enter for none)", &[ENTER]);
    finish_after_find_rooms_note(p);
}

/// The rest of a session with Enter, once find-room's note is answered.
fn finish_after_find_rooms_note(p: &mut PtySession) {
    for step in
        ["pay-replacement", "arrange-transport", "confirm-in-writing", "ask-comfort", "hand-over", "thank"]
    {
        answer(p, step, &[ENTER]);
    }
    answer(p, "How bad is it?", &[ENTER]);
    answer(p, "Amends to give", &[ENTER]);
    answer(p, "call-next-morning", &[ENTER]);
    answer(p, "written-apology", &[ENTER]);
    answer(p, "Failure point", &[ENTER]);
    skip_guest(p);
    p.exp_string("Incident id").expect("summary");
    p.exp_eof().expect("eof");
}

#[test]
fn ctrl_c_keeps_every_answer_restores_the_cursor_and_resume_continues() {
    let t = Test::new();
    // Escapes kept, to see the cursor being shown again.
    let mut p = spawn_raw(&t, &["start", "--type", "reservation"]);
    answer_first_two(&mut p);
    p.send_control('c').expect("ctrl-c");
    let rest = p.exp_eof().expect("eof");
    assert!(rest.contains("\u{1b}[?25h"), "cursor shown again: {rest:?}");
    assert!(rest.contains("continue with `recover resume"), "{rest}");
    assert_eq!(exit_code(&p), 130);

    let i = incident(&t);
    assert_eq!(i["status"], "in_progress");
    assert_eq!(i["steps"].as_array().unwrap().len(), 2, "listen and own-it were answered and kept");

    let mut p = spawn(&t, &["resume"]);
    finish_with_enter(&mut p);
    assert_eq!(exit_code(&p), 0);
    let i = incident(&t);
    assert_eq!(i["status"], "complete");
    assert_eq!(i["steps"][0]["id"], "listen", "the summary covers the whole incident");
    assert_eq!(i["steps"].as_array().unwrap().len(), 14);
}

#[test]
fn ctrl_c_at_a_choices_note_keeps_the_choice_and_resume_goes_on_from_there() {
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--type", "reservation"]);
    answer_first_two(&mut p);
    answer(&mut p, "reassure", &[ENTER]);
    answer(&mut p, "ask-destination", &[ENTER]);
    answer(&mut p, "find-room (pick one)", &[DOWN, ENTER]);
    p.exp_string("Note (Enter for none)").expect("the note is asked");
    p.send_control('c').expect("ctrl-c");
    p.exp_eof().expect("eof");
    assert_eq!(exit_code(&p), 130);
    let i = incident(&t);
    let find_room = i["steps"].as_array().unwrap().iter().find(|s| s["id"] == "find-room").cloned();
    let find_room = find_room.expect("the choice shown as saved is saved");
    assert_eq!(find_room["choice"], "partner hotel nearby");
    assert_eq!(find_room["note"], serde_json::Value::Null);

    let mut p = spawn(&t, &["resume"]);
    let before = p.exp_string("pay-replacement").expect("resume goes on after find-room");
    assert!(!before.contains("find-room (pick one)"), "the choice is not asked again: {before}");
    p.send(ENTER).expect("send");
    p.send_control('c').expect("ctrl-c");
    p.exp_eof().expect("eof");
}

#[test]
fn ctrl_c_at_what_other_was_keeps_the_failure_point_and_resume_finishes() {
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--type", "reservation", "--severity", "minor"]);
    answer_first_two(&mut p);
    finish_up_to_the_failure_point(&mut p);
    // Up from the first option is the last one: "Other".
    answer(&mut p, "Failure point", &["\x1b[A", ENTER]);
    p.exp_string("What was it?").expect("asked what it was");
    p.send_control('c').expect("ctrl-c");
    p.exp_eof().expect("eof");
    assert_eq!(exit_code(&p), 130);
    assert_eq!(incident(&t)["failure_point"], "other", "the answer shown as saved is saved");

    let mut p = spawn(&t, &["resume"]);
    let rest = p.exp_eof().expect("eof");
    assert!(!rest.contains("Failure point"), "not asked again: {rest}");
    assert_eq!(exit_code(&p), 0);
    assert_eq!(incident(&t)["status"], "complete");
}

pub(crate) fn finish_up_to_the_failure_point(p: &mut PtySession) {
    answer(p, "reassure", &[ENTER]);
    answer(p, "ask-destination", &[ENTER]);
    answer(p, "find-room (pick one)", &[ENTER]);
    answer(p, "Note (Enter for none)", &[ENTER]);
    for step in [
        "pay-replacement",
        "arrange-transport",
        "confirm-in-writing",
        "ask-comfort",
        "hand-over",
        "thank",
        "Amends to give",
    ] {
        answer(p, step, &[ENTER]);
    }
    answer(p, "call-next-morning", &[ENTER]);
    answer(p, "written-apology", &[ENTER]);
}

#[test]
fn kill_9_loses_nothing_answered_and_resume_takes_an_id() {
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--type", "reservation", "--ref", "table 7"]);
    answer_first_two(&mut p);
    p.process_mut().kill(Signal::SIGKILL).expect("kill -9");
    let i = incident(&t);
    assert_eq!(i["status"], "in_progress");
    assert_eq!(i["steps"][0]["id"], "listen");
    let id = i["id"].as_str().unwrap().to_owned();

    let mut p = spawn(&t, &["resume", &id.to_lowercase()]);
    finish_with_enter(&mut p);
    assert_eq!(exit_code(&p), 0);
    assert_eq!(incident(&t)["status"], "complete");
}

#[test]
fn without_a_terminal_start_names_the_scripted_options() {
    let t = Test::new();
    t.cmd(&["start", "--type", "reservation"]).run().code(2).one_error_line("--answers FILE or --yes");
    assert!(!t.log().exists(), "nothing recorded");
}

#[test]
fn several_terminals_record_at_once_without_losing_anything() {
    let t = Test::new();
    let handles: Vec<_> = (0..4)
        .map(|n| {
            let dir = t.dir().to_path_buf();
            let log = t.log();
            std::thread::spawn(move || {
                for k in 0..10 {
                    let out = Command::new(BIN)
                        .args(["start", "--type", "wrong-order", "--yes", "--ref", &format!("table {n}-{k}")])
                        .env_clear()
                        .envs(base_env(&dir, &log))
                        .output()
                        .expect("run");
                    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("writer thread");
    }
    let rows = t.cmd(&["log", "--json"]).run().json_lines();
    assert_eq!(rows.len(), 40);
    assert!(rows.iter().all(|r| r["status"] == "complete"));
    let mut ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 40, "short ids are unique");
}

#[test]
fn a_whole_session_in_danish_with_the_guests_words_in_english() {
    let t = Test::new();
    let mut p = spawn(
        &t,
        &["start", "--type", "reservation", "--lang", "da", "--guest-lang", "en", "--staff", "anna"],
    );
    answer(&mut p, "listen", &[ENTER]);
    let shown = utf8(&p.exp_string("own-it ").expect("the apology"));
    assert!(shown.contains("SIG") && shown.contains("Det er jeg virkelig ked af."), "Danish words: {shown}");
    assert!(shown.contains("I'm very sorry. This is our mistake"), "the guest's English below: {shown}");
    p.send(ENTER).expect("enter");
    p.flush().expect("flush");
    answer(&mut p, "reassure", &[ENTER]);
    answer(&mut p, "ask-destination", &[ENTER]);
    // The pty reader sees bytes one by one, so prompts are matched on their ASCII parts.
    answer(&mut p, "find-room (v", &[DOWN, DOWN, ENTER]);
    answer(&mut p, "Note (Enter for ingen)", &[ENTER]);
    for step in
        ["pay-replacement", "arrange-transport", "confirm-in-writing", "ask-comfort", "hand-over", "thank"]
    {
        answer(&mut p, step, &[ENTER]);
    }
    answer(&mut p, "Hvor slemt er det?", &[ENTER]);
    answer(&mut p, "lg kompensation", &[ENTER]);
    answer(&mut p, "call-next-morning", &[ENTER]);
    answer(&mut p, "written-apology", &[ENTER]);
    answer(&mut p, "Fejlpunkt", &[ENTER]);
    // The guest's side, in Danish: Enter skips each.
    for prompt in ["egne ord, kort", "tilfreds, da I skiltes", "Telefon eller e-mail"] {
        answer(&mut p, prompt, &[ENTER]);
    }
    let summary = utf8(&p.exp_eof().expect("summary"));
    assert!(summary.contains("søsterhotel"), "the choice by its Danish label: {summary}");
    assert_eq!(exit_code(&p), 0);
    let i = incident(&t);
    assert_eq!(i["status"], "complete");
    let find_room =
        i["steps"].as_array().unwrap().iter().find(|s| s["id"] == "find-room").cloned().unwrap_or_default();
    assert_eq!(find_room["choice"], "sister property nearby", "the log keeps the stable value");
}

/// A session in a pty with escapes kept, to see the cursor being shown again.
fn spawn_raw(t: &Test, args: &[&str]) -> PtySession {
    t.pty(args).keep_escapes().spawn()
}

#[test]
fn sigterm_and_sighup_end_a_session_as_ctrl_c_does() {
    // At a select, and at a text prompt (the note after a choice).
    for (signal, at_note) in [(Signal::SIGTERM, false), (Signal::SIGHUP, false), (Signal::SIGTERM, true)] {
        let t = Test::new();
        let mut p = spawn_raw(&t, &["start", "--type", "reservation"]);
        answer_first_two(&mut p);
        let kept = if at_note {
            answer(&mut p, "reassure", &[ENTER]);
            answer(&mut p, "ask-destination", &[ENTER]);
            answer(&mut p, "find-room (pick one)", &[ENTER]);
            p.exp_string("Note (Enter for none)").expect("note prompt");
            // The choice was saved before its note was asked: kept, not asked again.
            5
        } else {
            2
        };
        p.process_mut().signal(signal).expect("signal");
        let rest = p.exp_eof().expect("eof");
        assert!(rest.contains("\u{1b}[?25h"), "{signal:?}: cursor shown again: {rest:?}");
        assert!(rest.contains("continue with `recover resume"), "{signal:?}: {rest}");
        assert_eq!(exit_code(&p), 130, "{signal:?}");
        let i = incident(&t);
        assert_eq!(i["status"], "in_progress");
        assert_eq!(i["steps"].as_array().unwrap().len(), kept, "{signal:?}: every answer kept");

        let mut p = spawn(&t, &["resume"]);
        if at_note {
            for step in [
                "pay-replacement",
                "arrange-transport",
                "confirm-in-writing",
                "ask-comfort",
                "hand-over",
                "thank",
            ] {
                answer(&mut p, step, &[ENTER]);
            }
            answer(&mut p, "How bad is it?", &[ENTER]);
            answer(&mut p, "Amends to give", &[ENTER]);
            answer(&mut p, "call-next-morning", &[ENTER]);
            answer(&mut p, "written-apology", &[ENTER]);
            answer(&mut p, "Failure point", &[ENTER]);
            skip_guest(&mut p);
            p.exp_eof().expect("eof");
        } else {
            finish_with_enter(&mut p);
        }
        assert_eq!(exit_code(&p), 0);
        let i = incident(&t);
        assert_eq!(i["status"], "complete", "{signal:?}");
        assert_eq!(i["steps"].as_array().unwrap().len(), 14, "{signal:?}");
    }
}

#[test]
fn ctrl_c_at_purges_question_shows_the_cursor_again() {
    let t = Test::new();
    t.ok(&["start", "--type", "noise", "--yes"]);
    let mut p = spawn_raw(&t, &["purge", "--before", "2099-01-01"]);
    p.exp_string("for good?").expect("purge asks");
    p.send_control('c').expect("ctrl-c");
    let rest = p.exp_eof().expect("eof");
    assert!(rest.contains("\u{1b}[?25h"), "cursor shown again: {rest:?}");
    assert_eq!(rest.matches("interrupted").count(), 1, "said once: {rest:?}");
    assert_eq!(exit_code(&p), 130);
    assert_eq!(t.cmd(&["log", "--json"]).run().json_lines().len(), 1, "nothing deleted");
}

#[test]
fn sigterm_at_a_prompt_leaves_the_terminal_in_its_usual_mode() {
    let t = Test::new();
    // A shell that outlives the signal and then shows the terminal's mode.
    let script = format!(
        "trap : TERM\necho \"group=$$.\"\n'{BIN}' start --type reservation\necho \"code=$?\"\nstty -a"
    );
    let mut cmd = Command::new("bash");
    cmd.args(["-c", &script]).env_clear().current_dir(t.dir());
    for (k, v) in base_env(t.dir(), &t.log()) {
        cmd.env(k, v);
    }
    cmd.env("TERM", "xterm-256color");
    let mut p =
        spawn_with_options(cmd, Options::new().timeout_ms(Some(20_000)).strip_ansi_escape_codes(true))
            .expect("spawn");
    p.exp_string("group=").expect("the shell's process group");
    let group = format!("-{}", p.exp_string(".").expect("pid").trim());
    p.exp_string("Skip").expect("first prompt");
    // Not an assertion: time for the prompt to put the terminal in raw mode and wait for a key.
    std::thread::sleep(std::time::Duration::from_millis(300));
    // The whole process group, as a closing terminal or `kill -TERM -PGID` would.
    assert!(Command::new("kill").args(["-TERM", "--", &group]).status().unwrap().success());
    let rest = p.exp_eof().expect("eof");
    assert!(rest.contains("code=130"), "{rest}");
    let flags: Vec<&str> = rest.split_whitespace().collect();
    // rexpect starts the pty without echo, so line editing and signal keys tell raw mode.
    assert!(flags.contains(&"icanon") && flags.contains(&"isig"), "raw mode left on: {rest}");
}

#[test]
fn a_hostile_id_in_resumes_header_and_ctrl_c_hint_is_shown_escaped() {
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--type", "reservation"]);
    answer_first_two(&mut p);
    p.process_mut().kill(Signal::SIGKILL).expect("kill -9");
    // An old log may hold an id that would write the clipboard and clear the screen.
    let db = rusqlite::Connection::open(t.log()).expect("open the log");
    db.execute("UPDATE incidents SET id = ?1", ["EVIL\u{1b}]52;c;QUJD\u{7}\u{1b}[2J"]).expect("update");
    drop(db);

    let mut p = spawn_raw(&t, &["resume"]);
    let header = p.exp_string("reassure").expect("the next question");
    p.send_control('c').expect("ctrl-c");
    let rest = p.exp_eof().expect("eof");
    assert_eq!(exit_code(&p), 130);
    for (what, text) in [("header", &header), ("hint", &rest)] {
        assert!(
            !text.contains("\u{1b}]52") && !text.contains('\u{7}') && !text.contains("\u{1b}[2J"),
            "{what} lets the id act on the terminal: {text:?}"
        );
    }
    assert!(header.contains("EVIL\\u{1b}]52;c;QUJD\\u{7}\\u{1b}[2J"), "{header:?}");
    assert!(rest.contains("recover resume EVIL\\u{1b}]52;c;QUJD"), "{rest:?}");
}

#[test]
fn two_terminals_resuming_one_incident_the_second_answer_is_told_the_first_stands() {
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--type", "reservation", "--ref", "room 9"]);
    answer_first_two(&mut p);
    p.process_mut().kill(Signal::SIGKILL).expect("kill -9");
    let id = incident(&t)["id"].as_str().unwrap().to_owned();
    // Both terminals show the same next question; the first to answer it wins.
    let mut first = spawn(&t, &["resume", &id]);
    let mut second = spawn(&t, &["resume", &id]);
    first.exp_string("reassure").expect("first shows the question");
    second.exp_string("reassure").expect("second shows it too");
    first.send(ENTER).expect("send");
    first.flush().expect("flush");
    first.exp_string("ask-destination").expect("the first answer was saved");
    second.send(ENTER).expect("send");
    second.flush().expect("flush");
    let rest = second.exp_eof().expect("eof");
    assert!(rest.contains("was answered meanwhile in another terminal"), "{rest}");
    assert!(!rest.contains("UNIQUE") && !rest.contains("permissions"), "{rest}");
    assert_eq!(exit_code(&second), 2);
    let _ = first.process_mut().kill(Signal::SIGKILL);
    let i = incident(&t);
    assert_eq!(i["steps"].as_array().unwrap().len(), 3, "listen, own-it and the first terminal's reassure");
}

#[test]
fn ctrl_c_at_the_type_picker_exits_130_saying_so_with_the_cursor_back() {
    let t = Test::new();
    let mut p = spawn_raw(&t, &["start"]);
    p.exp_string("reservation").expect("the picker lists the playbooks");
    p.send_control('c').expect("ctrl-c");
    let rest = p.exp_eof().expect("eof");
    assert!(rest.contains("recover: interrupted"), "{rest:?}");
    assert!(rest.contains("\u{1b}[?25h"), "cursor shown again: {rest:?}");
    assert_eq!(exit_code(&p), 130);
    assert!(t.cmd(&["log", "--json"]).run().json_lines().is_empty(), "nothing was started");
}

#[test]
fn a_note_over_the_limit_is_kept_cut_to_fit_not_thrown_away() {
    let t = Test::new();
    let mut p = spawn(&t, &["start", "--type", "reservation"]);
    answer_first_two(&mut p);
    answer(&mut p, "reassure", &[ENTER]);
    answer(&mut p, "ask-destination", &[ENTER]);
    answer(&mut p, "find-room (pick one)", &[ENTER]);
    p.exp_string("Note (Enter for none)").expect("note prompt");
    // 2,001 characters: the last one is over the limit.
    let long = format!("{}Z", "note ".repeat(400));
    p.send(&long).expect("type");
    p.flush().expect("flush");
    p.exp_string("Z").expect("typed");
    p.send(ENTER).expect("enter");
    p.flush().expect("flush");
    p.exp_string("cut to 2000 below").expect("said, with the text kept");
    p.send(ENTER).expect("enter");
    p.flush().expect("flush");
    finish_after_find_rooms_note(&mut p);
    let i = incident(&t);
    let step = i["steps"].as_array().unwrap().iter().find(|s| s["id"] == "find-room").cloned().unwrap();
    assert_eq!(step["note"].as_str().map(|n| n.chars().count()), Some(1999), "{step}");
    assert!(step["note"].as_str().unwrap().starts_with("note note"), "{step}");
}
