//! The answers loader on arbitrary text, then the whole check an answers file gets before
//! `start --answers` records anything: a session on the built-in playbook the file names
//! (`reservation` when it names none), checked step by step, and driven to its end in a
//! dry run when the check finds nothing. Never a panic.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use recover::{Answers, AnswersFile, Library, Session, Start, drive};

static LIBRARY: LazyLock<Library> = LazyLock::new(Library::built_in);

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(file) = AnswersFile::parse("fuzz.yaml", &text) else {
        return;
    };
    let lib = &*LIBRARY;
    let Ok(fallback) = lib.find("reservation") else {
        panic!("the built-in library has no `reservation` playbook");
    };
    let playbook = file.kind.as_deref().and_then(|k| lib.find(k).ok()).unwrap_or(fallback);
    let (role, limit) = file
        .role
        .as_deref()
        .and_then(|r| lib.policy.role(r))
        .map_or(("staff".to_owned(), lib.policy.limit_of("staff").unwrap_or_default()), |(n, r)| {
            (n.to_owned(), r.limit())
        });
    let start = Start {
        staff: file.staff.clone().unwrap_or_else(|| "fuzz".into()),
        role,
        limit,
        currency: lib.policy.currency.clone(),
        reference: file.reference.clone(),
        severity: file.severity,
        failure_point: None,
    };
    let session = Session::begin(playbook, start, recover::now()).with_policy(&lib.policy);
    let problems = file.check(&session);
    for problem in &problems {
        let _ = problem.to_string();
    }
    if problems.is_empty() {
        // What `start --answers` then does, minus the log: the check promised it succeeds.
        let mut session = session;
        if let Err(e) = drive(&mut session, &mut Answers::new(&file), None) {
            panic!("answers passed the check but the session failed: {e}");
        }
        assert!(session.is_finished());
    }
});
