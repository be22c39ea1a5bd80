//! The interactive session in a real pseudo-terminal, round two: what a new user ran into
//! at the prompts (the language of the interruption line, the order and marks of the
//! amends questions, the keys of a list, narrow and vanished terminals).

use crate::amends::answer_up_to_the_amends;
use crate::interactive::{DOWN, ENTER, answer, exit_code, incident, skip_guest, spawn, utf8};
use crate::support::{BIN, Test, base_env};

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
    skip_guest(&mut p);
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

/// `recover ARGS` in a pseudo-terminal `columns` wide.
fn spawn_at(t: &Test, columns: usize, args: &str) -> rexpect::session::PtySession {
    let script = format!("stty cols {columns} rows 40; exec '{BIN}' {args}");
    let mut cmd = std::process::Command::new("sh");
    cmd.args(["-c", &script]).env_clear().current_dir(t.dir());
    for (k, v) in base_env(t.dir(), &t.log()) {
        cmd.env(k, v);
    }
    cmd.env("TERM", "xterm-256color");
    let options = rexpect::session::Options::new().timeout_ms(Some(20_000)).strip_ansi_escape_codes(true);
    rexpect::session::spawn_with_options(cmd, options).expect("spawn in a pty")
}

const NARROW: &str = "this terminal is 30 columns wide; recover needs at least 40";

/// Waits for each of `prompts` in turn, typing its keys; then Ctrl-C. Returns all that was
/// shown, read back as UTF-8.
fn run_until_ctrl_c(p: &mut rexpect::session::PtySession, steps: &[(&str, &[&str])]) -> String {
    let mut seen = String::new();
    for (prompt, keys) in steps {
        seen.push_str(&p.exp_string(prompt).unwrap_or_else(|e| panic!("waiting for {prompt:?}: {e}")));
        seen.push_str(prompt);
        for k in *keys {
            p.send(k).expect("send");
        }
        p.flush().expect("flush");
    }
    p.send_control('c').expect("ctrl-c");
    seen.push_str(&p.exp_eof().expect("eof"));
    utf8(&seen)
}

#[test]
fn a_terminal_narrower_than_40_columns_is_warned_of_once_a_run() {
    let t = Test::new();
    // The picker, then the session: one warning.
    let mut p = spawn_at(&t, 30, "start --staff anna");
    let all = run_until_ctrl_c(
        &mut p,
        &[("What went wrong?", &["noise"]), ("noise \r\n", &[ENTER]), ("listen", &[ENTER]), ("own-it", &[])],
    );
    assert_eq!(all.matches(NARROW).count(), 1, "{all}");
    assert_eq!(exit_code(&p), 130);
    // Resuming is a run of its own: warned again, once.
    let mut p = spawn_at(&t, 30, "resume");
    let all = run_until_ctrl_c(&mut p, &[("own-it", &[ENTER]), ("stop-noise", &[])]);
    assert_eq!(all.matches(NARROW).count(), 1, "{all}");
    // At 40 columns, none.
    let mut p = spawn_at(&t, 40, "resume");
    let all = run_until_ctrl_c(&mut p, &[("stop-noise", &[])]);
    assert!(!all.contains("needs at least"), "{all}");
}

/// Reads the pty's master until `needle` has been shown; everything read is kept in `seen`.
/// A session that stops short is killed by the caller's watchdog, which ends the read.
fn read_until(master: &mut std::fs::File, seen: &mut Vec<u8>, needle: &str) {
    use std::io::Read;
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(seen).contains(needle) {
        match master.read(&mut buf) {
            Ok(0) | Err(_) => {
                panic!("the session ended before {needle:?}:\n{}", String::from_utf8_lossy(seen))
            }
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

#[test]
fn the_terminal_gone_mid_prompt_ends_with_130_and_keeps_every_answer() {
    use std::io::Write;
    use std::os::fd::OwnedFd;
    let t = Test::new();
    let size = nix::pty::Winsize { ws_row: 40, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0 };
    let pty = nix::pty::openpty(&size, None).expect("openpty");
    // openpty's descriptors would be inherited: a child holding the master keeps the
    // terminal alive. Their duplicates are closed on exec, as std's own are.
    let (master, slave_end) = (pty.master.try_clone().expect("dup"), pty.slave.try_clone().expect("dup"));
    drop((pty.master, pty.slave));
    let slave = |fd: &OwnedFd| std::process::Stdio::from(fd.try_clone().expect("dup"));
    // The shell leads the session and ignores the hangup; recover, its child, gets no
    // SIGHUP when the terminal goes, only reads and writes that fail (EIO, end of file).
    let code = t.path("code");
    let script =
        format!("trap '' HUP; '{BIN}' start --type reservation --staff anna; echo $? > '{}'", code.display());
    let mut cmd = std::process::Command::new("setsid");
    cmd.args(["--ctty", "sh", "-c", &script]).env_clear().current_dir(t.dir());
    for (k, v) in base_env(t.dir(), &t.log()) {
        cmd.env(k, v);
    }
    cmd.env("TERM", "xterm-256color")
        .stdin(slave(&slave_end))
        .stdout(slave(&slave_end))
        .stderr(slave(&slave_end));
    let mut child = cmd.spawn().expect("setsid sh");
    drop((cmd, slave_end));
    // setsid made the shell the leader of its own process group: a session that stops
    // short is ended by killing that group alone (`--`: procps reads `-9 -PID` as `-1`).
    let pid = child.id();
    assert!(pid > 1, "a real process group");
    let ended = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watching = std::sync::Arc::clone(&ended);
    let watchdog = std::thread::spawn(move || {
        for _ in 0..300 {
            if watching.load(std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = std::process::Command::new("kill").args(["-KILL", "--", &format!("-{pid}")]).status();
    });
    let mut master = std::fs::File::from(master);
    let mut seen = Vec::new();
    for step in ["listen", "own-it"] {
        read_until(&mut master, &mut seen, step);
        read_until(&mut master, &mut seen, "Skip");
        master.write_all(ENTER.as_bytes()).expect("type");
        seen.clear();
    }
    // At reassure's prompt, waiting for a key, the terminal goes away.
    read_until(&mut master, &mut seen, "reassure");
    read_until(&mut master, &mut seen, "Skip");
    drop(master);
    let status = child.wait().expect("wait");
    let in_time = !watchdog.is_finished();
    ended.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(in_time && status.success(), "the shell ended by itself: {status:?}");
    // The shell writes recover's exit code once recover has ended.
    for _ in 0..200 {
        if std::fs::metadata(&code).is_ok_and(|m| m.len() > 0) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let code = std::fs::read_to_string(&code).expect("the exit code written");
    assert_eq!(code.trim(), "130", "an interruption");
    let i = incident(&t);
    assert_eq!(i["status"], "in_progress");
    let steps: Vec<&str> = i["steps"].as_array().unwrap().iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(steps, ["listen", "own-it"], "every answer given is kept");
    let shown = t.ok(&["show-incident", i["id"].as_str().unwrap()]);
    assert!(shown.contains("listen") && shown.contains("own-it"), "{shown}");
}

#[test]
fn ctrl_c_outside_a_session_is_said_in_the_language_too() {
    let t = Test::new();
    t.ok(&["start", "--type", "noise", "--yes"]);
    let mut p = spawn(&t, &["--lang", "bn", "purge", "--before", "2099-01-01"]);
    p.exp_string("[y/N]").expect("purge asks");
    p.send_control('c').expect("ctrl-c");
    let rest = utf8(&p.exp_eof().expect("eof"));
    assert!(rest.contains("recover: থামানো হয়েছে") && !rest.contains("interrupted"), "{rest}");
    assert_eq!(exit_code(&p), 130);
}
