//! The playbook loader on arbitrary text: whatever the bytes, loading gives playbooks and
//! placed problems, never a panic; and every playbook it accepts runs a whole `--yes`
//! session (dry, nothing recorded) without one either.

#![no_main]

use libfuzzer_sys::fuzz_target;
use recover::{Library, Session, Severity, Start, Yes, drive};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let lib = Library::from_memory(vec![("fuzz.yaml".into(), text)]);
    for problem in &lib.problems {
        assert!(problem.pos.line >= 1 && problem.pos.col >= 1, "unplaced problem: {problem}");
        let _ = problem.to_string();
    }
    let _ = lib.broken_files();
    for pb in &lib.playbooks {
        assert!(lib.find(&pb.kind).is_ok(), "accepted playbook `{}` cannot be found", pb.kind);
        for severity in Severity::ALL {
            let start = Start {
                staff: "fuzz".into(),
                role: "staff".into(),
                limit: lib.policy.limit_of("staff").unwrap_or_default(),
                currency: lib.policy.currency.clone(),
                reference: None,
                severity: Some(severity),
                failure_point: None,
            };
            let mut session = Session::begin(pb, start, recover::now()).with_policy(&lib.policy);
            // The approver has the highest role; a bundle above every role's limit may
            // be given by nobody, which is the rule, not a failure.
            let top = lib.policy.roles.iter().max_by_key(|(_, r)| r.limit()).map(|(n, _)| n.clone());
            let mut yes = Yes { severity, approved_by: Some("an approver".into()), approver_role: top };
            match drive(&mut session, &mut yes, None) {
                Err(recover::Error::Rule(recover::Rule::ApproverLimit { .. })) => {}
                Err(e) => panic!("`--yes` failed on accepted playbook `{}`: {e}", pb.kind),
                Ok(()) => assert!(session.is_finished()),
            }
        }
    }
});
