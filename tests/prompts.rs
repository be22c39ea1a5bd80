//! The interactive session in a real pseudo-terminal, round two: what a new user ran into
//! at the prompts (the language of the interruption line, the order and marks of the
//! amends questions, the keys of a list, narrow and vanished terminals).

use crate::interactive::{ENTER, answer, exit_code, incident, spawn, utf8};
use crate::support::Test;

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
