//! The SQLite store's own tests: what the conformance suite cannot say without SQL
//! (query plans, old schemas, the import's batches).

use jiff::Timestamp;
use rusqlite::{Connection, params};

use super::SqliteStore;
use super::import::{IMPORT_BATCH_TIME, IMPORT_CLOCK_EVERY};
use super::schema::MIGRATIONS;
use crate::engine::{Event, FollowUp, Incident, Outcome, Status, StepRecord, apply_event};
use crate::money::Money;
use crate::playbook::{Phase, Servqual, Severity};
use crate::store::{Filter, Imported, Store, StoreError};

pub(super) fn incident(uid: &str, id: &str, started_ms: i64, steps: usize, follow_ups: usize) -> Incident {
    let at = |ms: i64| Timestamp::from_millisecond(ms).unwrap();
    let mut i = Incident {
        id: id.into(),
        uid: uid.into(),
        kind: "noise".into(),
        severity: Some(Severity::Major),
        staff: "anna".into(),
        role: "staff".into(),
        reference: Some("room 12".into()),
        started_at: at(started_ms),
        finished_at: Some(at(started_ms + 60_000)),
        status: Status::Complete,
        steps: Vec::new(),
        amends_total: Money::ZERO,
        currency: "EUR".into(),
        limit: Money::whole(50),
        approver_role: None,
        failure_point: None,
        failure_note: None,
        failure_answered: true,
        abandoned_by: None,
        abandon_reason: None,
        guest: None,
        servqual: vec![Servqual::Tangibles, Servqual::Empathy],
        follow_ups: Vec::new(),
    };
    // Ids out of alphabetical order, so reading them back in answer order is tested.
    for k in 0..steps {
        let step = StepRecord {
            phase: if k == 0 { Phase::Apologise } else { Phase::Amend },
            id: format!("step-{}", (steps - k) * 7 % 10),
            outcome: Outcome::Done,
            at: at(started_ms + 1000 * i64::try_from(k).unwrap()),
            choice: None,
            note: (k == 1).then(|| "a note".into()),
            reason: None,
            cost: (k > 0).then(|| Money::whole(10)),
            approved_by: None,
            completed_at: None,
            completed_by: None,
            completed_note: None,
        };
        apply_event(&mut i, &Event::Step(step));
    }
    for k in 0..follow_ups {
        i.follow_ups.push(FollowUp {
            step: format!("call-{k}"),
            due: at(started_ms + 3_600_000 * (2 - i64::try_from(k).unwrap())),
            done_at: None,
            outcome: None,
            done_by: None,
            note: None,
        });
    }
    i.follow_ups.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.step.cmp(&b.step)));
    i
}

pub(super) fn import(store: &mut SqliteStore, incidents: Vec<Incident>) -> Option<Imported> {
    store.import(&mut incidents.into_iter().map(Ok)).unwrap()
}

#[test]
fn log_and_due_queries_read_only_what_they_return() {
    let store = SqliteStore::in_memory().unwrap();
    let since = Some(Timestamp::from_millisecond(1_000).unwrap());
    let filters = [
        Filter { since, ..Filter::default() },
        Filter { since, kind: Some("noise".into()), staff: Some("anna".into()), ..Filter::default() },
        Filter { open: true, ..Filter::default() },
        // `log --staff` and `log --type` over the whole log: their own indexes.
        Filter { staff: Some("anna".into()), ..Filter::default() },
        Filter { kind: Some("noise".into()), ..Filter::default() },
    ];
    for filter in &filters {
        for (sql, plan) in store.query_plans(filter).unwrap() {
            // A SCAN reads a whole table or index: only the small partial indexes of
            // what is open may be read whole.
            let whole = plan.iter().map(|l| l.trim()).filter(|l| l.starts_with("SCAN ")).find(|l| {
                !l.ends_with("INDEX incidents_unfinished") && !l.ends_with("INDEX follow_ups_open")
            });
            assert!(whole.is_none(), "{filter:?}: {sql}\n{}", plan.join("\n"));
        }
    }
    // `due` reads its follow-ups from their index and their incidents from the small
    // index of incidents with open follow-ups, never the incidents' rows.
    let plans = store.query_plans(&Filter::default()).unwrap();
    let (_, due) = plans.last().unwrap();
    let due: Vec<&str> = due.iter().map(|l| l.trim()).collect();
    assert_eq!(
        due,
        [
            "SEARCH f USING COVERING INDEX follow_ups_open (due<?)",
            "SEARCH i USING COVERING INDEX incidents_open_follow_ups (n=?)"
        ]
    );
}

#[test]
fn short_ids_are_found_in_any_case() {
    let mut store = SqliteStore::in_memory().unwrap();
    import(&mut store, vec![incident("u1", "K7Q-4MX", 1_000, 1, 0)]);
    assert_eq!(store.get("k7q-4mx").unwrap().uid, "u1");
    assert_eq!(store.get(" K7Q-4MX ").unwrap().uid, "u1");
    assert_eq!(store.get("u1").unwrap().id, "K7Q-4MX");
    assert!(matches!(store.get("K7Q-4MY"), Err(StoreError::NotFound(_))));
    // Another log's incident with the same id in other letters gets a fresh one.
    import(&mut store, vec![incident("u2", "k7q-4mx", 2_000, 1, 0)]);
    assert_ne!(store.get("u2").unwrap().id.to_uppercase(), "K7Q-4MX");
}

#[test]
fn a_version_1_log_is_carried_over_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        let add = |uid: &str, id: &str, started: i64| {
            conn.execute(
                "INSERT INTO incidents (uid, id, type, staff, role, started_at, status, currency, role_limit, servqual)
                 VALUES (?1, ?2, 'noise', 'anna', 'staff', ?3, 'in_progress', 'EUR', '50', 'empathy')",
                params![uid, id, started],
            )
            .unwrap();
        };
        add("u1", "AAA-111", 1_000);
        add("u2", "aaa-111", 2_000);
        add("u3", "BBB-222", 3_000);
        for (seq, step) in ["zeta", "alpha", "mid"].iter().enumerate() {
            conn.execute(
                "INSERT INTO steps (incident, seq, phase, step, outcome, at, cost) VALUES ('u3', ?1, 'amend', ?2, 'done', 3500, '5')",
                params![i64::try_from(seq).unwrap(), step],
            )
            .unwrap();
        }
        conn.execute("INSERT INTO follow_ups (incident, step, due) VALUES ('u3', 'call', 9000)", []).unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let i = store.get("bbb-222").unwrap();
    let steps: Vec<&str> = i.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(steps, ["zeta", "alpha", "mid"], "answer order kept");
    assert_eq!(i.amends_total, Money::whole(15));
    assert_eq!(i.follow_ups.len(), 1);
    assert_eq!(i.servqual, [Servqual::Empathy]);
    assert_eq!(store.latest_unfinished().unwrap().unwrap().uid, "u3");
    // Ids that only differed in case were made distinct, nothing was lost.
    let (a, b) = (store.get("u1").unwrap().id, store.get("u2").unwrap().id);
    assert!(a.starts_with("AAA-111-") && b.starts_with("aaa-111-"), "{a} {b}");
    assert_eq!(store.count(&Filter::default()).unwrap(), 3);
    let version: i64 = store.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, i64::try_from(MIGRATIONS.len()).unwrap());
}

/// Other terminals get the lock between an import's batches, and only then.
#[test]
fn an_import_lets_other_writers_in_between_batches() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let mut store = SqliteStore::open(&path).unwrap();
    let other = Connection::open(&path).unwrap();
    other.busy_timeout(std::time::Duration::ZERO).unwrap();
    let can_write = || {
        let got = other.execute_batch("BEGIN IMMEDIATE").is_ok();
        if got {
            other.execute_batch("COMMIT").unwrap();
        }
        got
    };
    // The first batch is made to last its time by a slow input: it ends at the next
    // look at the clock, and the next item is read with the lock free.
    let total = 3 * IMPORT_CLOCK_EVERY;
    let mut seen = Vec::new();
    let mut items = (0..total).map(|k| {
        if k == 5 {
            seen.push(can_write());
            std::thread::sleep(IMPORT_BATCH_TIME);
        }
        if k == IMPORT_CLOCK_EVERY {
            seen.push(can_write());
        }
        let start = 1_000 * i64::try_from(k).unwrap();
        Ok(incident(&format!("u{k}"), &format!("ID-{k}"), start, 1, 0))
    });
    let stats = store.import(&mut items).unwrap().unwrap();
    drop(items);
    assert_eq!(stats.added, total);
    assert_eq!(seen, [false, true], "locked during a batch, free between batches");
}

/// The import writes rows several at a time with their summaries worked out beforehand:
/// every incident reads back as it was given, with the summary a write one by one gives,
/// whatever its number of steps and follow-ups (a follow-up named twice kept once), and
/// the log checks foreign keys again afterwards.
#[test]
fn an_import_writes_what_writing_one_by_one_would() {
    let mut store = SqliteStore::in_memory().unwrap();
    let mut given = Vec::new();
    for (k, steps) in [0, 1, 2, 3, 5, 10, 16, 31, 40].into_iter().enumerate() {
        let start = 1_000_000 * i64::try_from(k).unwrap();
        let mut i = incident(&format!("u{k}"), &format!("ID-{k}"), start, steps, k % 8);
        for (n, s) in i.steps.iter_mut().enumerate() {
            s.id = format!("step-{n}");
        }
        given.push(i);
    }
    let mut twice = incident("twice", "ID-T", 99_000_000, 2, 2);
    twice.follow_ups[1].step = twice.follow_ups[0].step.clone();
    twice.follow_ups[1].done_at = Some(twice.started_at);
    twice.follow_ups[1].outcome = Some(crate::engine::FollowUpOutcome::Done);
    given.push(twice);
    // Its short id is another's: saved with a fresh one.
    given.push(incident("clash", "ID-0", 98_000_000, 3, 1));
    assert_eq!(import(&mut store, given.clone()).unwrap().added, given.len());
    let on: i64 = store.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(on, 1);
    let columns = "amends_total, amends_approved, apology_s, fix_s, follow_ups_open, follow_ups_on_time,
        follow_ups_late, follow_ups_recovered, follow_ups_lost, clock_skew, amends_offered, amends_given,
        follow_ups_skipped, withheld_reasons";
    let summary = |conn: &Connection, n: i64| -> Vec<rusqlite::types::Value> {
        conn.query_row(&format!("SELECT {columns} FROM incidents WHERE n = ?1"), [n], |r| {
            (0..14).map(|c| r.get(c)).collect()
        })
        .unwrap()
    };
    for i in &given {
        let mut back = store.get(&i.uid).unwrap();
        let n = store.key_of(&i.uid).unwrap();
        let saved = summary(&store.conn, n);
        super::summary::refresh_summary(&store.conn, n).unwrap();
        assert_eq!(saved, summary(&store.conn, n), "{}", i.uid);
        if i.uid == "twice" {
            assert_eq!(back.follow_ups.len(), 1);
            assert!(back.follow_ups[0].done_at.is_some(), "closed if either says so");
            continue;
        }
        if i.uid == "clash" {
            assert_ne!(back.id, "ID-0");
            back.id.clone_from(&i.id);
        }
        assert_eq!(&back, i);
    }
}

#[test]
fn due_refuses_texts_that_are_not_utf8_even_when_the_row_together_is() {
    let until = Timestamp::from_millisecond(100 * 3_600_000).unwrap();
    let mut store = SqliteStore::in_memory().unwrap();
    import(&mut store, vec![incident("u1", "K7Q-4MX", 1_000, 1, 1)]);
    assert_eq!(store.due(until).unwrap()[0].reference.as_deref(), Some("room 12"));
    // A hand-edited log: a reference that is no UTF-8 at all, then one that ends inside a
    // character the step after it completes ("क" is E0 A4 95): the texts of the row laid
    // end to end are UTF-8, each alone is not.
    for (reference, step) in [("X'C3'", "'call-0'"), ("X'E0A4'", "X'95' || 'all-0'")] {
        store.conn.execute_batch(&format!("UPDATE incidents SET ref = CAST({reference} AS TEXT)")).unwrap();
        store.conn.execute_batch(&format!("UPDATE follow_ups SET step = CAST({step} AS TEXT)")).unwrap();
        let error = format!("{:?}", store.due(until).unwrap_err());
        assert!(error.contains("from type Text at index: 2"), "the reference's column: {error}");
        let mut handed = false;
        assert!(store.due_with(until, &mut |_| handed = true).is_err());
        assert!(!handed, "nothing half read is shown");
    }
}
