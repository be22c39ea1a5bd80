//! Conformance cases: `update`, the one write of changes decided after the session
//! (a step done afterwards, abandoning), all or nothing and never a false success.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(crate) fn update_saves_what_was_decided_on_the_incident_as_kept(f: Fixture) {
    let mut store = f.store;
    let i = record(&mut *store, &incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 1));
    let mut seen = None;
    let after = store
        .update(&i.uid, &mut |now| {
            seen = Some(now.clone());
            Ok(vec![Event::FollowUpClosed { step: "call-0".into(), closing: closing("kim", T0 + HOUR) }])
        })
        .unwrap();
    assert_eq!(seen.as_ref(), Some(&i), "decided on the incident as kept");
    assert_eq!(after.follow_ups[0].done_by.as_deref(), Some("kim"));
    assert_eq!(store.get(&i.id).unwrap(), after, "what was returned is what is kept");
    let err = store.update("NOT-HERE", &mut |_| Ok(Vec::new())).unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

pub(crate) fn update_saves_nothing_when_refused_or_beaten(f: Fixture) {
    let mut store = f.store;
    let mut open = incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 1);
    open.status = Status::InProgress;
    open.finished_at = None;
    let i = record(&mut *store, &open);
    let err = store.update(&i.id, &mut |_| Err(Rule::ReasonMissing)).unwrap_err();
    assert!(matches!(err, StoreError::Refused(Rule::ReasonMissing)), "{err:?}");
    // The first event still holds, the second does not (no such skipped step): neither
    // is kept.
    let err = store
        .update(&i.id, &mut |_| {
            Ok(vec![
                Event::FollowUpClosed { step: "call-0".into(), closing: closing("kim", T0 + HOUR) },
                Event::StepCompleted { step: "say-sorry".into(), at: at(T0 + HOUR), by: None, note: None },
            ])
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    // Each kind of change that no longer holds is a conflict, never a success.
    for stale in
        [Event::FollowUpClosed { step: "call-9".into(), closing: closing("kim", T0) }, Event::NowComplete]
    {
        let err = store.update(&i.id, &mut |_| Ok(vec![stale.clone()])).unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{stale:?}: {err:?}");
    }
    assert_eq!(store.get(&i.id).unwrap(), i, "nothing of a refused or beaten change is kept");
    let abandon = Event::Abandoned { at: at(T0 + HOUR), by: None, reason: "duplicate".into() };
    store.update(&i.id, &mut |_| Ok(vec![abandon.clone()])).unwrap();
    let err = store.update(&i.id, &mut |_| Ok(vec![abandon.clone()])).unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "abandoning twice: {err:?}");
    let finish = Event::Finished { status: Status::Complete, at: at(T0 + 2 * HOUR) };
    let err = store.append(&i.uid, &[finish]).unwrap_err();
    assert!(matches!(err, StoreError::AnsweredElsewhere { .. }), "finishing an abandoned one: {err:?}");
    assert_eq!(store.get(&i.id).unwrap().status, Status::Abandoned);
}

pub(crate) fn a_step_done_afterwards_keeps_its_skip(f: Fixture) {
    let mut store = f.store;
    let mut skipped = incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 0);
    skipped.status = Status::Incomplete;
    apply_event(&mut skipped, &Event::Step(step(Phase::FollowUp, "written-apology", Outcome::Skipped, T0)));
    let i = record(&mut *store, &skipped);
    let done =
        Closing { at: at(T0 + 5 * HOUR), by: Some("ole".into()), outcome: None, note: Some("sent".into()) };
    let after = store
        .update(&i.id, &mut |now| {
            let mut events = crate::engine::done(now, None, "Written-Apology", &done)?;
            events.push(Event::NowComplete);
            Ok(events)
        })
        .unwrap();
    let s = after.step("written-apology").unwrap();
    assert_eq!(s.outcome, Outcome::Skipped, "the skip is kept");
    assert_eq!(s.reason.as_deref(), Some("no time"), "and its reason");
    assert_eq!((s.completed_at, s.completed_by.as_deref()), (Some(at(T0 + 5 * HOUR)), Some("ole")));
    assert_eq!(s.completed_note.as_deref(), Some("sent"));
    assert_eq!(after.status, Status::Complete);
    assert_eq!(after.finished_at, i.finished_at, "the finish is when the session ended");
    assert_eq!(store.get(&i.id).unwrap(), after);
    let err = close(&mut *store, &i.id, "written-apology", &done).unwrap_err();
    assert!(matches!(err, StoreError::Refused(Rule::AlreadyDone { .. })), "{err:?}");
    let mut line = Vec::new();
    crate::render::json::incident(&mut line, &after, false);
    let mut got = Vec::new();
    store
        .scan_json(&Filter::default(), true, false, &mut |l| {
            got.extend_from_slice(l);
            true
        })
        .unwrap();
    assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(line).unwrap());
    // Carried by an export into another log.
    let mut other = f.reopen.map_or_else(|| store, |reopen| reopen());
    other.purge(at(T0 + 100 * HOUR)).unwrap();
    let mut before = after.clone();
    before.status = Status::Incomplete;
    for s in &mut before.steps {
        s.completed_at = None;
        s.completed_by = None;
        s.completed_note = None;
    }
    other.import(&mut vec![Ok(before)].into_iter()).unwrap().unwrap();
    let stats = other.import(&mut vec![Ok(after.clone())].into_iter()).unwrap().unwrap();
    assert_eq!(stats.updated, 1);
    let merged = other.get("00000000-0000-4000-8000-000000000001").unwrap();
    assert_eq!(merged.step("written-apology"), after.step("written-apology"));
    assert_eq!(merged.status, Status::Complete);
}

pub(crate) fn an_abandoned_incident_is_kept_but_nothing_of_it_is_open(f: Fixture) {
    let mut store = f.store;
    let all = varied(&mut *store);
    // u4 is unfinished; give it an open follow-up too.
    store
        .append(
            "00000000-0000-4000-8000-000000000004",
            &[Event::FollowUpScheduled(open_follow_up("call", T0 + 4 * HOUR))],
        )
        .unwrap();
    let now = at(T0 + 10 * HOUR);
    let abandoned = store
        .update("00000000-0000-4000-8000-000000000004", &mut |i| {
            crate::engine::abandon(i, Some("mia"), " started by mistake ", now)
        })
        .unwrap();
    assert_eq!(abandoned.status, Status::Abandoned);
    assert_eq!(abandoned.finished_at, Some(now));
    assert_eq!(abandoned.abandoned_by.as_deref(), Some("mia"));
    assert_eq!(abandoned.abandon_reason.as_deref(), Some("started by mistake"));
    assert_eq!(store.get(&all[3].id).unwrap(), abandoned, "kept in the log");
    assert_eq!(store.latest_unfinished().unwrap(), None);
    let open = Filter { open: true, ..Filter::default() };
    assert_eq!(
        uids(&collect(&*store, &open, true)),
        ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000003"]
    );
    assert_eq!(store.count(&open).unwrap(), 2);
    let by_status = Filter { status: Some(Status::Abandoned), ..Filter::default() };
    assert_eq!(uids(&collect(&*store, &by_status, true)), ["00000000-0000-4000-8000-000000000004"]);
    assert_eq!(store.count_up_to(&by_status, 5).unwrap(), 1);
    let mut listed = Vec::new();
    store
        .scan_listed(&by_status, &mut |l| {
            listed.push(l);
            true
        })
        .unwrap();
    assert_eq!((listed[0].status, listed[0].open_follow_ups), (Status::Abandoned, 0));
    assert!(store.due(at(T0 + 100 * HOUR)).unwrap().iter().all(|d| d.incident != all[3].id), "not due");
    let report = store.report(at(T0 - HOUR), now).unwrap();
    assert_eq!((report.abandoned, report.in_progress, report.incidents), (1, 0, 4), "counted apart");
    let tally = crate::tally::tally(&*store, at(T0 - HOUR), now).unwrap();
    assert_eq!(serde_json::to_value(report).unwrap(), serde_json::to_value(tally).unwrap());
    for redact in [false, true] {
        let mut line = Vec::new();
        crate::render::json::incident(&mut line, &abandoned, redact);
        let mut got = Vec::new();
        store
            .scan_json(&by_status, true, redact, &mut |l| {
                got.extend_from_slice(l);
                true
            })
            .unwrap();
        assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(line).unwrap());
    }
    let err = store
        .update("00000000-0000-4000-8000-000000000004", &mut |i| {
            crate::engine::abandon(i, None, "again", now)
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::Refused(Rule::Abandoned { .. })), "{err:?}");
    let err = store
        .update("00000000-0000-4000-8000-000000000001", &mut |i| crate::engine::abandon(i, None, "late", now))
        .unwrap_err();
    assert!(matches!(err, StoreError::Refused(Rule::AlreadyFinished { .. })), "{err:?}");
}

pub(crate) fn two_handles_abandoning_one_incident_one_wins(f: Fixture) {
    let Some(reopen) = f.reopen else { return };
    let mut store = f.store;
    let mut open = incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 0);
    open.status = Status::InProgress;
    open.finished_at = None;
    record(&mut *store, &open);
    drop(store);
    let reopen = std::sync::Arc::new(reopen);
    let start = std::sync::Arc::new(std::sync::Barrier::new(2));
    let threads: Vec<_> = ["kim", "ole"]
        .into_iter()
        .map(|by| {
            let (reopen, start) = (reopen.clone(), start.clone());
            std::thread::spawn(move || {
                let mut store = reopen();
                start.wait();
                store
                    .update("00000000-0000-4000-8000-000000000001", &mut |i| {
                        crate::engine::abandon(i, Some(by), "duplicate", at(T0 + HOUR))
                    })
                    .map(|_| by)
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let won: Vec<&str> = results.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
    assert_eq!(won.len(), 1, "{results:?}");
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, StoreError::Refused(Rule::Abandoned { .. }) | StoreError::Conflict { .. }))
    );
    assert_eq!(
        reopen().get("00000000-0000-4000-8000-000000000001").unwrap().abandoned_by.as_deref(),
        Some(won[0])
    );
}
