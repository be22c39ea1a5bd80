//! The store conformance suite: what every [`Store`] must do, written against `dyn Store`
//! alone (no SQL), so each backend runs the same cases: today SQLite in a file and in
//! memory, later the shared server. A backend gives a [`Fixture`]: an empty store and,
//! where it has one, a way to open the same log again as another terminal would.
//!
//! Each case is a function taking the fixture; [`conformance_suite!`] makes them tests.

use jiff::Timestamp;

use super::{Closing, Filter, Imported, Rejected, Store, StoreError};
use crate::engine::{Event, FollowUp, FollowUpOutcome, Incident, Outcome, Status, StepRecord, apply_event};
use crate::money::Money;
use crate::playbook::{Phase, Servqual, Severity};

/// Opens another handle on the same log, as a second terminal would.
pub type Reopen = Box<dyn Fn() -> Box<dyn Store> + Send + Sync>;

/// An empty store for one case.
pub struct Fixture {
    /// The store, empty.
    pub store: Box<dyn Store>,
    /// Another handle on the same log, for backends that have more than one.
    pub reopen: Option<Reopen>,
    /// Kept alive as long as the store (a temporary folder, a server schema).
    pub _guard: Box<dyn std::any::Any>,
}

/// Makes every case of the suite a `#[test]` for the backend `$fixture` makes.
macro_rules! conformance_suite {
    ($fixture:expr) => {
        conformance_suite!(@cases $fixture;
            create_gives_a_short_id_found_by_id_and_uid,
            append_saves_each_kind_of_event,
            append_refuses_what_was_answered_elsewhere,
            latest_unfinished_is_the_newest_in_progress,
            scans_give_whole_incidents_in_either_order_and_stop,
            filters_select_the_same_in_every_read,
            scan_json_is_the_json_of_scan,
            scan_listed_shows_what_the_log_table_needs,
            report_is_the_tally_of_whole_incidents,
            due_gives_open_follow_ups_soonest_first,
            closing_a_follow_up_records_who_how_and_when,
            closing_twice_or_an_unknown_step_is_refused,
            two_handles_closing_one_follow_up_one_wins,
            import_merges_by_uid,
            import_with_a_rejected_item_keeps_nothing,
            conflict_says_where_two_accounts_differ,
            purge_deletes_what_started_before,
        );
    };
    (@cases $fixture:expr; $($case:ident,)*) => {
        $(
            #[test]
            fn $case() {
                $crate::store::conformance::$case($fixture);
            }
        )*
    };
}
pub(crate) use conformance_suite;

const T0: i64 = 1_700_000_000_000;
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap()
}

fn step(phase: Phase, id: &str, outcome: Outcome, ms: i64) -> StepRecord {
    StepRecord {
        phase,
        id: id.into(),
        outcome,
        at: at(ms),
        choice: None,
        note: None,
        reason: (outcome == Outcome::Skipped).then(|| "no time".into()),
        cost: None,
        approved_by: None,
    }
}

/// A finished incident of `kind` by `staff`, started at `start`, with a few steps and
/// `follow_ups` open follow-ups due an hour apart from `start + 2h`.
fn incident(uid: &str, kind: &str, staff: &str, start: i64, follow_ups: usize) -> Incident {
    let mut i = Incident {
        id: String::new(),
        uid: uid.into(),
        kind: kind.into(),
        severity: Some(Severity::Major),
        staff: staff.into(),
        role: "staff".into(),
        reference: Some(format!("room {uid}")),
        started_at: at(start),
        finished_at: Some(at(start + 10 * MINUTE)),
        status: Status::Complete,
        steps: Vec::new(),
        amends_total: Money::ZERO,
        currency: "EUR".into(),
        limit: Money::whole(50),
        failure_point: Some("check-in".into()),
        failure_note: None,
        failure_answered: true,
        servqual: vec![Servqual::Reliability, Servqual::Empathy],
        follow_ups: Vec::new(),
    };
    let mut apology = step(Phase::Apologise, "say-sorry", Outcome::Done, start + MINUTE);
    apology.note = Some("a \"quoted\" note, with ünïcode".into());
    let fix = step(Phase::Fix, "fix-it", Outcome::Done, start + 2 * MINUTE);
    let mut amend = step(Phase::Amend, "free-drink", Outcome::Done, start + 3 * MINUTE);
    amend.cost = Some(Money::whole(12));
    let skipped = step(Phase::Amend, "voucher", Outcome::Skipped, start + 3 * MINUTE);
    for s in [apology, fix, amend, skipped] {
        apply_event(&mut i, &Event::Step(s));
    }
    for k in 0..follow_ups {
        let due = start + 2 * HOUR + HOUR * i64::try_from(k).unwrap();
        i.follow_ups.push(open_follow_up(&format!("call-{k}"), due));
    }
    i
}

fn open_follow_up(step: &str, due: i64) -> FollowUp {
    FollowUp { step: step.into(), due: at(due), done_at: None, outcome: None, done_by: None, note: None }
}

/// Saves `i` as a new incident, as `start` does (its row, then its answers as events);
/// returns it as the store now has it.
fn record(store: &mut dyn Store, i: &Incident) -> Incident {
    let mut head = i.clone();
    head.steps.clear();
    head.amends_total = Money::ZERO;
    head.follow_ups.clear();
    head.status = Status::InProgress;
    head.finished_at = None;
    head.failure_answered = false;
    head.failure_point = None;
    let id = store.create(&head).unwrap();
    let mut events: Vec<Event> = i.steps.iter().cloned().map(Event::Step).collect();
    events.extend(i.follow_ups.iter().cloned().map(Event::FollowUpScheduled));
    events.push(Event::FailurePoint { point: i.failure_point.clone(), note: i.failure_note.clone() });
    if let Some(finished) = i.finished_at {
        events.push(Event::Finished { status: i.status, at: finished });
    }
    store.append(&i.uid, &events).unwrap();
    let saved = store.get(&id).unwrap();
    assert_eq!(saved.id, id);
    saved
}

/// Five incidents of two kinds and two people, one unfinished, some with open follow-ups.
fn varied(store: &mut dyn Store) -> Vec<Incident> {
    let mut all = [
        incident("u1", "noise", "anna", T0, 2),
        incident("u2", "billing", "Ole", T0 + HOUR, 0),
        incident("u3", "noise", "ole", T0 + 2 * HOUR, 1),
        incident("u4", "billing", "anna", T0 + 3 * HOUR, 0),
        incident("u5", "noise", "anna", T0 + 4 * HOUR, 0),
    ];
    all[3].status = Status::InProgress;
    all[3].finished_at = None;
    all.iter().map(|i| record(store, i)).collect()
}

fn uids(incidents: &[Incident]) -> Vec<&str> {
    incidents.iter().map(|i| i.uid.as_str()).collect()
}

fn collect(store: &dyn Store, filter: &Filter, oldest_first: bool) -> Vec<Incident> {
    let mut all = Vec::new();
    store
        .scan(filter, oldest_first, &mut |i| {
            all.push(i);
            true
        })
        .unwrap();
    all
}

fn closing(by: &str, ms: i64) -> Closing {
    Closing {
        at: at(ms),
        by: Some(by.into()),
        outcome: FollowUpOutcome::Recovered,
        note: Some("happy".into()),
    }
}

pub(crate) fn create_gives_a_short_id_found_by_id_and_uid(f: Fixture) {
    let mut store = f.store;
    let a = record(&mut *store, &incident("u1", "noise", "anna", T0, 1));
    let b = record(&mut *store, &incident("u2", "noise", "anna", T0, 0));
    assert_ne!(a.id, b.id, "short ids are unique in a log");
    assert!(!a.id.is_empty() && a.id.len() <= 16, "{}", a.id);
    assert_eq!(store.get(&a.id.to_lowercase()).unwrap().uid, "u1", "short ids in any case");
    assert_eq!(store.get(&format!(" {} ", a.id)).unwrap().uid, "u1", "blanks around are ignored");
    assert_eq!(store.get("u2").unwrap().id, b.id, "by global id");
    assert!(matches!(store.get("NOT-HERE"), Err(StoreError::NotFound(_))));
    let mut expected = incident("u1", "noise", "anna", T0, 1);
    expected.id.clone_from(&a.id);
    assert_eq!(a, expected, "saved whole");
}

pub(crate) fn append_saves_each_kind_of_event(f: Fixture) {
    let mut store = f.store;
    let mut i = incident("u1", "noise", "anna", T0, 0);
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
    store.append("u1", &events).unwrap();
    for e in &events {
        apply_event(&mut i, e);
    }
    assert_eq!(store.get(&id).unwrap(), i);
    assert_eq!(i.amends_total, Money::whole(120));
    assert!(matches!(store.append("nobody", &events[..1]), Err(StoreError::NotFound(_))));
}

pub(crate) fn append_refuses_what_was_answered_elsewhere(f: Fixture) {
    let mut store = f.store;
    let i = record(&mut *store, &incident("u1", "noise", "anna", T0, 0));
    let again = Event::Step(step(Phase::Apologise, "say-sorry", Outcome::Skipped, T0 + HOUR));
    let err = store.append("u1", &[again]).unwrap_err();
    assert!(matches!(err, StoreError::AnsweredElsewhere { .. }), "{err:?}");
    assert_eq!(store.get("u1").unwrap(), i, "nothing of the refused answer is kept");
}

pub(crate) fn latest_unfinished_is_the_newest_in_progress(f: Fixture) {
    let mut store = f.store;
    assert_eq!(store.latest_unfinished().unwrap(), None);
    varied(&mut *store);
    assert_eq!(store.latest_unfinished().unwrap().unwrap().uid, "u4");
    let mut later = incident("u6", "noise", "anna", T0 + 9 * HOUR, 0);
    later.status = Status::InProgress;
    later.finished_at = None;
    record(&mut *store, &later);
    assert_eq!(store.latest_unfinished().unwrap().unwrap().uid, "u6");
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
    let twin = record(&mut *store, &incident("u9", "noise", "anna", T0, 0));
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
        (Filter::default(), vec!["u1", "u2", "u3", "u4", "u5"]),
        (Filter { since: Some(at(T0 + 2 * HOUR)), ..Filter::default() }, vec!["u3", "u4", "u5"]),
        (Filter { before: Some(at(T0 + 2 * HOUR)), ..Filter::default() }, vec!["u1", "u2"]),
        (Filter { kind: Some("billing".into()), ..Filter::default() }, vec!["u2", "u4"]),
        (Filter { staff: Some("OLE".into()), ..Filter::default() }, vec!["u2", "u3"]),
        (Filter { open: true, ..Filter::default() }, vec!["u1", "u3", "u4"]),
        (
            Filter {
                kind: Some("noise".into()),
                staff: Some("anna".into()),
                open: true,
                ..Filter::default()
            },
            vec!["u1"],
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
    let first = store.get("u1").unwrap();
    store.close_follow_up(&first.id, "call-0", &closing("kim", T0 + HOUR)).unwrap();
    for since in [T0 - HOUR, T0 + 90 * MINUTE, T0 + 10 * HOUR] {
        let now = at(T0 + 5 * HOUR);
        let report = serde_json::to_value(store.report(at(since), now).unwrap()).unwrap();
        let tally = serde_json::to_value(crate::report::tally(&*store, at(since), now).unwrap()).unwrap();
        assert_eq!(report, tally, "since {since}");
    }
}

pub(crate) fn due_gives_open_follow_ups_soonest_first(f: Fixture) {
    let mut store = f.store;
    assert!(store.due(at(T0 + 100 * HOUR)).unwrap().is_empty());
    let all = varied(&mut *store);
    // u1: call-0 at T0+2h, call-1 at T0+3h; u3: call-0 at T0+4h.
    let due: Vec<(String, String)> =
        store.due(at(T0 + 100 * HOUR)).unwrap().into_iter().map(|d| (d.incident, d.step)).collect();
    let expected = [(&all[0].id, "call-0"), (&all[0].id, "call-1"), (&all[2].id, "call-0")];
    assert_eq!(due, expected.map(|(i, s)| (i.clone(), s.to_owned())));
    let d = &store.due(at(T0 + 100 * HOUR)).unwrap()[0];
    assert_eq!(
        (d.kind.as_str(), d.reference.as_deref(), d.staff.as_str()),
        ("noise", Some("room u1"), "anna")
    );
    assert_eq!(d.due, at(T0 + 2 * HOUR));
    assert_eq!(store.due(at(T0 + 3 * HOUR)).unwrap().len(), 1, "due before, not at");
    store.close_follow_up(&all[0].id, "call-0", &closing("kim", T0)).unwrap();
    assert_eq!(store.due(at(T0 + 100 * HOUR)).unwrap().len(), 2, "closed ones are not due");
}

pub(crate) fn closing_a_follow_up_records_who_how_and_when(f: Fixture) {
    let mut store = f.store;
    let i = record(&mut *store, &incident("u1", "noise", "anna", T0, 2));
    let closed = store.close_follow_up(&i.id.to_lowercase(), "CALL-1", &closing("kim", T0 + HOUR)).unwrap();
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
    let i = record(&mut *store, &incident("u1", "noise", "anna", T0, 1));
    store.close_follow_up(&i.id, "call-0", &closing("kim", T0 + HOUR)).unwrap();
    let err = store.close_follow_up(&i.id, "call-0", &closing("ole", T0 + 2 * HOUR)).unwrap_err();
    assert!(matches!(&err, StoreError::AlreadyClosed { by, .. } if by == "kim"), "{err:?}");
    let err = store.close_follow_up(&i.id, "call-9", &closing("ole", T0)).unwrap_err();
    assert!(matches!(&err, StoreError::NoSuchFollowUp { known, .. } if known == "call-0"), "{err:?}");
    let err = store.close_follow_up("NOT-HERE", "call-0", &closing("ole", T0)).unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    let kept = store.get(&i.id).unwrap();
    assert_eq!(kept.follow_ups[0].done_by.as_deref(), Some("kim"), "the first close stands");
}

pub(crate) fn two_handles_closing_one_follow_up_one_wins(f: Fixture) {
    let Some(reopen) = f.reopen else { return };
    let mut store = f.store;
    let i = record(&mut *store, &incident("u1", "noise", "anna", T0, 1));
    drop(store);
    let reopen = std::sync::Arc::new(reopen);
    for round in 0..4 {
        let step = "call-0";
        if round > 0 {
            // Each round closes a fresh follow-up.
            let uid = format!("r{round}");
            let mut s = reopen();
            record(&mut *s, &incident(&uid, "noise", "anna", T0, 1));
        }
        let id = if round == 0 { i.id.clone() } else { reopen().get(&format!("r{round}")).unwrap().id };
        let start = std::sync::Arc::new(std::sync::Barrier::new(2));
        let closers: Vec<_> = ["kim", "ole"]
            .into_iter()
            .map(|by| {
                let (reopen, start, id) = (reopen.clone(), start.clone(), id.clone());
                std::thread::spawn(move || {
                    let mut store = reopen();
                    start.wait();
                    store.close_follow_up(&id, step, &closing(by, T0 + HOUR)).map(|i| (by, i))
                })
            })
            .collect();
        let results: Vec<_> = closers.into_iter().map(|t| t.join().unwrap()).collect();
        let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(won.len(), 1, "exactly one close wins: {results:?}");
        for r in &results {
            if let Err(e) = r {
                assert!(
                    matches!(e, StoreError::AlreadyClosed { .. } | StoreError::Conflict { .. }),
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
    let here = record(&mut *store, &incident("u1", "noise", "anna", T0, 2));
    // The same incident from another log: a step, a close and nothing else new.
    let mut there = here.clone();
    there.id = "OTHER-ID".into();
    apply_event(&mut there, &Event::Step(step(Phase::FollowUp, "card", Outcome::Done, T0 + 20 * MINUTE)));
    there.follow_ups[1].done_at = Some(at(T0 + 3 * HOUR));
    there.follow_ups[1].done_by = Some("ole".into());
    there.follow_ups[1].outcome = Some(FollowUpOutcome::Lost);
    let mut new = incident("u2", "billing", "ole", T0 + HOUR, 1);
    new.id = here.id.clone();
    let mut brand_new = incident("u3", "billing", "ole", T0 + 2 * HOUR, 0);
    brand_new.id = "FRESH-1".into();
    let items = vec![Ok(there.clone()), Ok(here.clone()), Ok(new.clone()), Ok(brand_new.clone())];
    let stats = store.import(&mut items.into_iter()).unwrap().unwrap();
    assert_eq!(stats, Imported { added: 2, updated: 1, unchanged: 1 });
    let merged = store.get("u1").unwrap();
    assert_eq!(merged.id, here.id, "the log's own id is kept");
    assert!(merged.step("card").is_some());
    assert_eq!(merged.follow_ups[1].done_by.as_deref(), Some("ole"));
    assert_eq!(merged.follow_ups.len(), 2);
    let moved = store.get("u2").unwrap();
    assert_ne!(moved.id.to_uppercase(), here.id.to_uppercase(), "a taken id is replaced");
    assert_eq!(store.get("fresh-1").unwrap().uid, "u3", "a free id is kept");
    assert_eq!(store.count(&Filter::default()).unwrap(), 3);
    // Importing again adds nothing.
    let again = store.import(&mut vec![Ok(there), Ok(brand_new)].into_iter()).unwrap().unwrap();
    assert_eq!(again, Imported { added: 0, updated: 0, unchanged: 2 });
    // An unfinished incident is finished by an import that knows the end; a finished one
    // is not changed by another end.
    let mut open = incident("u4", "noise", "anna", T0 + 4 * HOUR, 0);
    open.status = Status::InProgress;
    open.finished_at = None;
    let open = record(&mut *store, &open);
    let mut ended = open.clone();
    ended.status = Status::Incomplete;
    ended.finished_at = Some(at(T0 + 5 * HOUR));
    store.import(&mut vec![Ok(ended.clone())].into_iter()).unwrap().unwrap();
    assert_eq!(store.get("u4").unwrap().status, Status::Incomplete);
    let mut other_end = ended;
    other_end.status = Status::Complete;
    store.import(&mut vec![Ok(other_end)].into_iter()).unwrap().unwrap();
    assert_eq!(store.get("u4").unwrap().status, Status::Incomplete);
}

pub(crate) fn import_with_a_rejected_item_keeps_nothing(f: Fixture) {
    let mut store = f.store;
    let mut read = 0;
    let items = vec![
        Ok(incident("u1", "noise", "anna", T0, 1)),
        Err(Rejected),
        Ok(incident("u2", "noise", "anna", T0, 0)),
    ];
    let mut items = items.into_iter().inspect(|_| read += 1);
    assert_eq!(store.import(&mut items).unwrap(), None);
    assert_eq!(read, 3, "every item is read, so each bad one can be reported");
    assert_eq!(store.count(&Filter::default()).unwrap(), 0);
}

pub(crate) fn conflict_says_where_two_accounts_differ(f: Fixture) {
    let mut store = f.store;
    let here = record(&mut *store, &incident("u1", "noise", "anna", T0, 1));
    assert_eq!(store.conflict(&here).unwrap(), None);
    assert_eq!(store.conflict(&incident("u9", "noise", "anna", T0, 0)).unwrap(), None, "not here");
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
    assert_eq!(uids(&collect(&*store, &Filter::default(), true)), ["u3", "u4", "u5"]);
    assert!(matches!(store.get("u1"), Err(StoreError::NotFound(_))));
    assert_eq!(store.due(at(T0 + 100 * HOUR)).unwrap().len(), 1, "their follow-ups went with them");
    assert_eq!(store.purge(at(T0 + 2 * HOUR)).unwrap(), 0, "again: nothing more");
}
