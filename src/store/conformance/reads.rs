//! Conformance cases: saving and reading incidents (create, append, get, scans with
//! filters, JSON lines, the log table, report, due).

#[allow(clippy::wildcard_imports)]
use super::*;

pub(crate) fn create_gives_a_short_id_found_by_id_and_uid(f: Fixture) {
    let mut store = f.store;
    let a = record(&mut *store, &incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 1));
    let b = record(&mut *store, &incident("00000000-0000-4000-8000-000000000002", "noise", "anna", T0, 0));
    assert_ne!(a.id, b.id, "short ids are unique in a log");
    assert!(!a.id.is_empty() && a.id.len() <= 16, "{}", a.id);
    assert_eq!(
        store.get(&a.id.to_lowercase()).unwrap().uid,
        "00000000-0000-4000-8000-000000000001",
        "short ids in any case"
    );
    assert_eq!(
        store.get(&format!(" {} ", a.id)).unwrap().uid,
        "00000000-0000-4000-8000-000000000001",
        "blanks around are ignored"
    );
    assert_eq!(store.get("00000000-0000-4000-8000-000000000002").unwrap().id, b.id, "by global id");
    assert!(matches!(store.get("NOT-HERE"), Err(StoreError::NotFound(_))));
    let mut expected = incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 1);
    expected.id.clone_from(&a.id);
    assert_eq!(a, expected, "saved whole");
}

pub(crate) fn append_saves_each_kind_of_event(f: Fixture) {
    let mut store = f.store;
    let mut i = incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 0);
    i.severity = None;
    i.steps.clear();
    i.amends_total = Money::ZERO;
    i.status = Status::InProgress;
    i.finished_at = None;
    i.failure_answered = false;
    i.failure_point = None;
    let id = store.create(&i).unwrap();
    i.id.clone_from(&id);
    assert_eq!(store.get(&id).unwrap(), i);
    let mut amend = step(Phase::Amend, "free-night", Outcome::Done, T0 + MINUTE);
    amend.cost = Some(Money::whole(120));
    amend.approved_by = Some("mia".into());
    let events = vec![
        Event::Severity(Severity::Critical),
        Event::Step(amend),
        Event::FollowUpScheduled(open_follow_up("call", T0 + HOUR)),
        Event::FailurePoint { point: Some("other".into()), note: Some("the lift".into()) },
        Event::Finished { status: Status::Incomplete, at: at(T0 + 2 * MINUTE) },
    ];
    store.append("00000000-0000-4000-8000-000000000001", &events).unwrap();
    for e in &events {
        apply_event(&mut i, e);
    }
    assert_eq!(store.get(&id).unwrap(), i);
    assert_eq!(i.amends_total, Money::whole(120));
    assert!(matches!(store.append("nobody", &events[..1]), Err(StoreError::NotFound(_))));
}

pub(crate) fn append_refuses_what_was_answered_elsewhere(f: Fixture) {
    let mut store = f.store;
    let i = record(&mut *store, &incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 0));
    let again = Event::Step(step(Phase::Apologise, "say-sorry", Outcome::Skipped, T0 + HOUR));
    let err = store.append("00000000-0000-4000-8000-000000000001", &[again]).unwrap_err();
    assert!(matches!(err, StoreError::AnsweredElsewhere { .. }), "{err:?}");
    assert_eq!(
        store.get("00000000-0000-4000-8000-000000000001").unwrap(),
        i,
        "nothing of the refused answer is kept"
    );
}

pub(crate) fn latest_unfinished_is_the_newest_in_progress(f: Fixture) {
    let mut store = f.store;
    assert_eq!(store.latest_unfinished().unwrap(), None);
    varied(&mut *store);
    assert_eq!(store.latest_unfinished().unwrap().unwrap().uid, "00000000-0000-4000-8000-000000000004");
    let mut later = incident("00000000-0000-4000-8000-000000000006", "noise", "anna", T0 + 9 * HOUR, 0);
    later.status = Status::InProgress;
    later.finished_at = None;
    record(&mut *store, &later);
    assert_eq!(store.latest_unfinished().unwrap().unwrap().uid, "00000000-0000-4000-8000-000000000006");
}

pub(crate) fn scans_give_whole_incidents_in_either_order_and_stop(f: Fixture) {
    let mut store = f.store;
    let all = varied(&mut *store);
    let oldest = collect(&*store, &Filter::default(), true);
    assert_eq!(oldest, all);
    let mut newest = collect(&*store, &Filter::default(), false);
    newest.reverse();
    assert_eq!(newest, all, "newest first is the exact reverse");
    assert_eq!(store.list(&Filter::default()).unwrap().len(), 5);
    let mut seen = 0;
    store
        .scan(&Filter::default(), true, &mut |_| {
            seen += 1;
            seen < 2
        })
        .unwrap();
    assert_eq!(seen, 2, "a visit can stop the scan");
    // Incidents started the same instant come in one order and its reverse.
    let twin = record(&mut *store, &incident("00000000-0000-4000-8000-000000000009", "noise", "anna", T0, 0));
    let oldest = collect(&*store, &Filter::default(), true);
    let mut newest = collect(&*store, &Filter::default(), false);
    newest.reverse();
    assert_eq!(oldest, newest);
    assert!(oldest.contains(&twin));
}

pub(crate) fn filters_select_the_same_in_every_read(f: Fixture) {
    let mut store = f.store;
    varied(&mut *store);
    let cases: Vec<(Filter, Vec<&str>)> = vec![
        (
            Filter::default(),
            vec![
                "00000000-0000-4000-8000-000000000001",
                "00000000-0000-4000-8000-000000000002",
                "00000000-0000-4000-8000-000000000003",
                "00000000-0000-4000-8000-000000000004",
                "00000000-0000-4000-8000-000000000005",
            ],
        ),
        (
            Filter { since: Some(at(T0 + 2 * HOUR)), ..Filter::default() },
            vec![
                "00000000-0000-4000-8000-000000000003",
                "00000000-0000-4000-8000-000000000004",
                "00000000-0000-4000-8000-000000000005",
            ],
        ),
        (
            Filter { before: Some(at(T0 + 2 * HOUR)), ..Filter::default() },
            vec!["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"],
        ),
        (
            Filter { kind: Some("billing".into()), ..Filter::default() },
            vec!["00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-000000000004"],
        ),
        (
            Filter { staff: Some("OLE".into()), ..Filter::default() },
            vec!["00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-000000000003"],
        ),
        (
            Filter { open: true, ..Filter::default() },
            vec![
                "00000000-0000-4000-8000-000000000001",
                "00000000-0000-4000-8000-000000000003",
                "00000000-0000-4000-8000-000000000004",
            ],
        ),
        (
            Filter {
                kind: Some("noise".into()),
                staff: Some("anna".into()),
                open: true,
                ..Filter::default()
            },
            vec!["00000000-0000-4000-8000-000000000001"],
        ),
        (Filter { kind: Some("nothing".into()), ..Filter::default() }, vec![]),
    ];
    for (filter, expected) in cases {
        let found = collect(&*store, &filter, true);
        assert_eq!(uids(&found), expected, "scan {filter:?}");
        assert_eq!(store.count(&filter).unwrap(), expected.len(), "count {filter:?}");
        for cap in [1, 2, 10] {
            assert_eq!(
                store.count_up_to(&filter, cap).unwrap(),
                expected.len().min(cap),
                "count_up_to {cap}"
            );
        }
        let listed = store.list(&filter).unwrap();
        let mut rev: Vec<&str> = expected.clone();
        rev.reverse();
        assert_eq!(uids(&listed), rev, "list {filter:?}");
        let mut ids = Vec::new();
        store
            .scan_listed(&filter, &mut |l| {
                ids.push(l.id);
                true
            })
            .unwrap();
        assert_eq!(ids, listed.iter().map(|i| i.id.clone()).collect::<Vec<_>>(), "scan_listed {filter:?}");
    }
}

pub(crate) fn scan_json_is_the_json_of_scan(f: Fixture) {
    let mut store = f.store;
    varied(&mut *store);
    for redact in [false, true] {
        for oldest_first in [false, true] {
            let filter = Filter { since: Some(at(T0 + HOUR)), ..Filter::default() };
            let mut expected = Vec::new();
            for i in collect(&*store, &filter, oldest_first) {
                crate::render::json::incident(&mut expected, &i, redact);
            }
            let mut got = Vec::new();
            store
                .scan_json(&filter, oldest_first, redact, &mut |line| {
                    got.extend_from_slice(line);
                    true
                })
                .unwrap();
            assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(expected).unwrap());
        }
    }
}

pub(crate) fn scan_listed_shows_what_the_log_table_needs(f: Fixture) {
    let mut store = f.store;
    let all = varied(&mut *store);
    let mut listed = Vec::new();
    store
        .scan_listed(&Filter::default(), &mut |l| {
            listed.push(l);
            true
        })
        .unwrap();
    listed.reverse();
    assert_eq!(listed.len(), all.len());
    for (l, i) in listed.iter().zip(&all) {
        assert_eq!(l.id, i.id);
        assert_eq!(l.started_at, i.started_at);
        assert_eq!(l.kind, i.kind);
        assert_eq!(l.severity, i.severity);
        assert_eq!(l.staff, i.staff);
        assert_eq!(l.reference, i.reference);
        assert_eq!(l.status, i.status);
        assert_eq!(l.currency, i.currency);
        assert_eq!(l.amends_total, i.amends_total);
        assert_eq!(l.open_follow_ups, i.follow_ups.iter().filter(|f| f.done_at.is_none()).count());
        assert_eq!(l.failure_point, i.failure_point);
    }
}

pub(crate) fn report_is_the_tally_of_whole_incidents(f: Fixture) {
    let mut store = f.store;
    varied(&mut *store);
    let first = store.get("00000000-0000-4000-8000-000000000001").unwrap();
    close(&mut *store, &first.id, "call-0", &closing("kim", T0 + HOUR)).unwrap();
    for since in [T0 - HOUR, T0 + 90 * MINUTE, T0 + 10 * HOUR] {
        let now = at(T0 + 5 * HOUR);
        let report = serde_json::to_value(store.report(at(since), now).unwrap()).unwrap();
        let tally = serde_json::to_value(crate::tally::tally(&*store, at(since), now).unwrap()).unwrap();
        assert_eq!(report, tally, "since {since}");
    }
}

pub(crate) fn due_gives_open_follow_ups_soonest_first(f: Fixture) {
    let mut store = f.store;
    assert!(store.due(at(T0 + 100 * HOUR)).unwrap().is_empty());
    let mut calls = 0;
    store.due_with(at(T0 + 100 * HOUR), &mut |d| calls += 1 + d.len()).unwrap();
    assert_eq!(calls, 1, "one call, with nothing in it");
    let all = varied(&mut *store);
    // u1: call-0 at T0+2h, call-1 at T0+3h; u3: call-0 at T0+4h.
    let due: Vec<(String, String)> =
        store.due(at(T0 + 100 * HOUR)).unwrap().into_iter().map(|d| (d.incident, d.step)).collect();
    let expected = [(&all[0].id, "call-0"), (&all[0].id, "call-1"), (&all[2].id, "call-0")];
    assert_eq!(due, expected.map(|(i, s)| (i.clone(), s.to_owned())));
    let d = &store.due(at(T0 + 100 * HOUR)).unwrap()[0];
    assert_eq!(
        (d.kind.as_str(), d.reference.as_deref(), d.staff.as_str()),
        ("noise", Some("room 00000000-0000-4000-8000-000000000001"), "anna")
    );
    assert_eq!(d.due, at(T0 + 2 * HOUR));
    assert_eq!(store.due(at(T0 + 3 * HOUR)).unwrap().len(), 1, "due before, not at");
    close(&mut *store, &all[0].id, "call-0", &closing("kim", T0)).unwrap();
    assert_eq!(store.due(at(T0 + 100 * HOUR)).unwrap().len(), 2, "closed ones are not due");
    // Handed over borrowed, they are the same follow-ups in the same order.
    let owned = store.due(at(T0 + 100 * HOUR)).unwrap();
    let mut borrowed = Vec::new();
    store
        .due_with(at(T0 + 100 * HOUR), &mut |d| borrowed = d.iter().copied().map(Due::from).collect())
        .unwrap();
    assert_eq!(borrowed, owned);
}
