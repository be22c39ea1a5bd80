//! Conformance cases: closing follow-ups (twice, unknown, two terminals at once),
//! import merge by uid, conflicts and purge.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(crate) fn closing_a_follow_up_records_who_how_and_when(f: Fixture) {
    let mut store = f.store;
    let i = record(&mut *store, &incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 2));
    let closed = close(&mut *store, &i.id.to_lowercase(), "CALL-1", &closing("kim", T0 + HOUR)).unwrap();
    let f = closed.follow_ups.iter().find(|f| f.step == "call-1").unwrap();
    assert_eq!(f.done_at, Some(at(T0 + HOUR)));
    assert_eq!(f.done_by.as_deref(), Some("kim"));
    assert_eq!(f.outcome, Some(FollowUpOutcome::Recovered));
    assert_eq!(f.note.as_deref(), Some("happy"));
    assert_eq!(store.get(&i.id).unwrap(), closed, "what was returned is what is kept");
    assert!(closed.follow_ups.iter().any(|f| f.step == "call-0" && f.done_at.is_none()));
}

pub(crate) fn closing_twice_or_an_unknown_step_is_refused(f: Fixture) {
    let mut store = f.store;
    let i = record(&mut *store, &incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 1));
    close(&mut *store, &i.id, "call-0", &closing("kim", T0 + HOUR)).unwrap();
    let err = close(&mut *store, &i.id, "call-0", &closing("ole", T0 + 2 * HOUR)).unwrap_err();
    assert!(matches!(&err, StoreError::Refused(Rule::AlreadyClosed { by, .. }) if by == "kim"), "{err:?}");
    let err = close(&mut *store, &i.id, "call-9", &closing("ole", T0)).unwrap_err();
    assert!(
        matches!(&err, StoreError::Refused(Rule::NoSuchFollowUp { known, .. }) if known == "call-0"),
        "{err:?}"
    );
    let err = close(&mut *store, "NOT-HERE", "call-0", &closing("ole", T0)).unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    let kept = store.get(&i.id).unwrap();
    assert_eq!(kept.follow_ups[0].done_by.as_deref(), Some("kim"), "the first close stands");
}

pub(crate) fn two_handles_closing_one_follow_up_one_wins(f: Fixture) {
    let Some(reopen) = f.reopen else { return };
    let mut store = f.store;
    let i = record(&mut *store, &incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 1));
    drop(store);
    let reopen = std::sync::Arc::new(reopen);
    for round in 0..4 {
        let step = "call-0";
        if round > 0 {
            // Each round closes a fresh follow-up.
            let uid = format!("00000000-0000-4000-9000-{round:012}");
            let mut s = reopen();
            record(&mut *s, &incident(&uid, "noise", "anna", T0, 1));
        }
        let id = if round == 0 {
            i.id.clone()
        } else {
            reopen().get(&format!("00000000-0000-4000-9000-{round:012}")).unwrap().id
        };
        let start = std::sync::Arc::new(std::sync::Barrier::new(2));
        let closers: Vec<_> = ["kim", "ole"]
            .into_iter()
            .map(|by| {
                let (reopen, start, id) = (reopen.clone(), start.clone(), id.clone());
                std::thread::spawn(move || {
                    let mut store = reopen();
                    start.wait();
                    close(&mut *store, &id, step, &closing(by, T0 + HOUR)).map(|i| (by, i))
                })
            })
            .collect();
        let results: Vec<_> = closers.into_iter().map(|t| t.join().unwrap()).collect();
        let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(won.len(), 1, "exactly one close wins: {results:?}");
        for r in &results {
            if let Err(e) = r {
                assert!(
                    matches!(
                        e,
                        StoreError::Refused(Rule::AlreadyClosed { .. }) | StoreError::Conflict { .. }
                    ),
                    "the other is told, never a false success: {e:?}"
                );
            }
        }
        let kept = reopen().get(&id).unwrap();
        assert_eq!(kept.follow_ups[0].done_by.as_deref(), Some(won[0].0), "the winner's close is kept");
    }
}

pub(crate) fn import_merges_by_uid(f: Fixture) {
    let mut store = f.store;
    let here = record(&mut *store, &incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 2));
    // The same incident from another log: a step, a close and nothing else new.
    let mut there = here.clone();
    there.id = "OTHER-ID".into();
    apply_event(&mut there, &Event::Step(step(Phase::FollowUp, "card", Outcome::Done, T0 + 20 * MINUTE)));
    there.follow_ups[1].done_at = Some(at(T0 + 3 * HOUR));
    there.follow_ups[1].done_by = Some("ole".into());
    there.follow_ups[1].outcome = Some(FollowUpOutcome::Lost);
    let mut new = incident("00000000-0000-4000-8000-000000000002", "billing", "ole", T0 + HOUR, 1);
    new.id = here.id.clone();
    let mut brand_new = incident("00000000-0000-4000-8000-000000000003", "billing", "ole", T0 + 2 * HOUR, 0);
    brand_new.id = "FRESH-1".into();
    let items = vec![Ok(there.clone()), Ok(here.clone()), Ok(new.clone()), Ok(brand_new.clone())];
    // What each batch did is told as it is committed, and adds up to the whole.
    let mut told = Imported::default();
    let stats = store
        .import_reporting(&mut items.into_iter(), &mut |batch| told.absorb(batch.clone()))
        .unwrap()
        .unwrap();
    assert_eq!(told, stats, "the batches told add up to the import");
    let moved = store.get("00000000-0000-4000-8000-000000000002").unwrap();
    assert_eq!(
        stats,
        Imported {
            added: 2,
            updated: 1,
            unchanged: 1,
            renamed: vec![Renamed { theirs: here.id.clone(), here: moved.id.clone() }]
        },
        "the incident whose short id was taken is said, with the id it has here"
    );
    let merged = store.get("00000000-0000-4000-8000-000000000001").unwrap();
    assert_eq!(merged.id, here.id, "the log's own id is kept");
    assert!(merged.step("card").is_some());
    assert_eq!(merged.follow_ups[1].done_by.as_deref(), Some("ole"));
    assert_eq!(merged.follow_ups.len(), 2);
    assert_ne!(moved.id.to_uppercase(), here.id.to_uppercase(), "a taken id is replaced");
    assert_eq!(
        store.get("fresh-1").unwrap().uid,
        "00000000-0000-4000-8000-000000000003",
        "a free id is kept"
    );
    assert_eq!(store.count(&Filter::default()).unwrap(), 3);
    // Importing again adds nothing.
    let again = store.import(&mut vec![Ok(there), Ok(brand_new)].into_iter()).unwrap().unwrap();
    assert_eq!(again, Imported { added: 0, updated: 0, unchanged: 2, renamed: vec![] });
    // An unfinished incident is finished by an import that knows the end; a finished one
    // is not changed by another end.
    let mut open = incident("00000000-0000-4000-8000-000000000004", "noise", "anna", T0 + 4 * HOUR, 0);
    open.status = Status::InProgress;
    open.finished_at = None;
    let open = record(&mut *store, &open);
    let mut ended = open.clone();
    ended.status = Status::Incomplete;
    ended.finished_at = Some(at(T0 + 5 * HOUR));
    store.import(&mut vec![Ok(ended.clone())].into_iter()).unwrap().unwrap();
    assert_eq!(store.get("00000000-0000-4000-8000-000000000004").unwrap().status, Status::Incomplete);
    let mut other_end = ended;
    other_end.status = Status::Complete;
    store.import(&mut vec![Ok(other_end)].into_iter()).unwrap().unwrap();
    assert_eq!(store.get("00000000-0000-4000-8000-000000000004").unwrap().status, Status::Incomplete);
}

pub(crate) fn import_with_a_rejected_item_keeps_nothing(f: Fixture) {
    let mut store = f.store;
    let mut read = 0;
    let items = vec![
        Ok(incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 1)),
        Err(Rejected),
        Ok(incident("00000000-0000-4000-8000-000000000002", "noise", "anna", T0, 0)),
    ];
    let mut items = items.into_iter().inspect(|_| read += 1);
    assert_eq!(store.import(&mut items).unwrap(), None);
    assert_eq!(read, 3, "every item is read, so each bad one can be reported");
    assert_eq!(store.count(&Filter::default()).unwrap(), 0);
}

pub(crate) fn conflict_says_where_two_accounts_differ(f: Fixture) {
    let mut store = f.store;
    let here = record(&mut *store, &incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 1));
    assert_eq!(store.conflict(&here).unwrap(), None);
    assert_eq!(
        store.conflict(&incident("00000000-0000-4000-8000-000000000009", "noise", "anna", T0, 0)).unwrap(),
        None,
        "not here"
    );
    let mut other = here.clone();
    other.staff = "ole".into();
    let (id, what) = store.conflict(&other).unwrap().expect("a different account");
    assert_eq!(id, here.id);
    assert!(!what.is_empty());
}

pub(crate) fn purge_deletes_what_started_before(f: Fixture) {
    let mut store = f.store;
    varied(&mut *store);
    assert_eq!(store.purge(at(T0 - HOUR)).unwrap(), 0);
    assert_eq!(store.purge(at(T0 + 2 * HOUR)).unwrap(), 2);
    assert_eq!(
        uids(&collect(&*store, &Filter::default(), true)),
        [
            "00000000-0000-4000-8000-000000000003",
            "00000000-0000-4000-8000-000000000004",
            "00000000-0000-4000-8000-000000000005"
        ]
    );
    assert!(matches!(store.get("00000000-0000-4000-8000-000000000001"), Err(StoreError::NotFound(_))));
    assert_eq!(store.due(at(T0 + 100 * HOUR)).unwrap().len(), 1, "their follow-ups went with them");
    assert_eq!(store.purge(at(T0 + 2 * HOUR)).unwrap(), 0, "again: nothing more");
}
