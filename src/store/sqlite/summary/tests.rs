//! The summary columns against the tally of whole incidents: the same report, byte for
//! byte, on a varied log, after every kind of write, and after migrating an old log.

use jiff::Timestamp;
use rusqlite::Connection;

use super::super::SqliteStore;
use super::super::schema::{MIGRATIONS, SUMMARY_MIGRATION};
use crate::engine::{Event, FollowUp, FollowUpOutcome, Incident, Outcome, Status, StepRecord, apply_event};
use crate::money::Money;
use crate::playbook::{Phase, Servqual, Severity};
use crate::store::{Closing, Filter, Store};
use crate::tally::tally;

const NOW: i64 = 1_700_000_000_000;
const MINUTE: i64 = 60_000;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap()
}

/// A small deterministic generator (64-bit LCG): varied but the same every run.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    fn pick<T: Clone>(&mut self, from: &[T]) -> T {
        from[usize::try_from(self.below(from.len() as u64)).unwrap()].clone()
    }
}

fn step(phase: Phase, id: &str, done: bool, at_ms: i64) -> StepRecord {
    StepRecord {
        phase,
        id: id.into(),
        outcome: if done { Outcome::Done } else { Outcome::Skipped },
        at: at(at_ms),
        choice: None,
        note: None,
        reason: None,
        cost: None,
        approved_by: None,
        completed_at: None,
        completed_by: None,
        completed_note: None,
    }
}

/// Incident `k`: every field the report reads drawn from a few values, including the odd
/// ones (no severity, a skipped step with a cost, amounts with cents, ties in start time).
#[allow(clippy::many_single_char_names)]
fn incident(k: usize, d: &mut Draw) -> Incident {
    let started = NOW - 400 * 86_400_000 + i64::try_from(k / 2).unwrap() * 40 * 60_000;
    let mut i = Incident {
        id: format!("I{k:05}"),
        uid: format!("uid-{k}"),
        // Quotes and commas too: the report reads them back from SQL literals.
        kind: d.pick(&["noise", "billing-error", "wrong-order", "a: b", "o'neil's, room"]).into(),
        severity: d.pick(&[None, Some(Severity::Minor), Some(Severity::Major), Some(Severity::Critical)]),
        staff: d.pick(&["anna", "Ole", "kim"]).into(),
        role: d.pick(&["staff", "supervisor", "manager"]).into(),
        reference: None,
        started_at: at(started),
        finished_at: None,
        status: Status::InProgress,
        steps: Vec::new(),
        amends_total: Money::ZERO,
        currency: if k == 3 { "USD".into() } else { "EUR".into() },
        limit: Money::whole(50),
        approver_role: d.pick(&[None, Some("supervisor".to_owned())]),
        failure_point: d.pick(&[None, Some("arrival".to_owned()), Some("billing".to_owned())]),
        failure_note: None,
        failure_answered: true,
        abandoned_by: None,
        abandon_reason: None,
        guest: None,
        servqual: d.pick(&[
            vec![],
            vec![Servqual::Empathy],
            vec![Servqual::Tangibles, Servqual::Empathy],
            vec![Servqual::Reliability, Servqual::Assurance, Servqual::Responsiveness],
        ]),
        follow_ups: Vec::new(),
    };
    let mut t = started + i64::try_from(d.below(300)).unwrap() * 1000 + 999;
    let mut events = Vec::new();
    if d.below(8) > 0 {
        events.push(step(Phase::Apologise, "sorry", d.below(6) > 0, t));
    }
    for f in 0..d.below(3) {
        t += i64::try_from(d.below(900)).unwrap() * 1000 + 1;
        events.push(step(Phase::Fix, &format!("fix-{f}"), d.below(4) > 0, t));
    }
    for a in 0..d.below(3) {
        t += 5000;
        let mut s = step(Phase::Amend, &format!("amend-{a}"), d.below(5) > 0, t);
        s.cost = d.pick(&[
            None,
            Some("10".parse().unwrap()),
            Some("12.50".parse().unwrap()),
            Some("0.1".parse().unwrap()),
        ]);
        if d.below(3) == 0 {
            s.approved_by = Some("boss".into());
        }
        if s.outcome == Outcome::Skipped {
            s.reason = d.pick(&[
                None,
                Some("guest-declined".into()),
                Some("booked a taxi".into()),
                Some("'a', b''".into()),
            ]);
        }
        events.push(s);
    }
    if d.below(3) > 0 {
        // Skipped now and then: the report counts skipped follow-ups from the steps.
        events.push(step(Phase::FollowUp, "call", d.below(4) > 0, t + 1000));
    }
    for e in events {
        apply_event(&mut i, &Event::Step(e));
    }
    for f in 0..d.below(3) {
        let due = d.pick(&[started + 60 * MINUTE, NOW - 10 * MINUTE, NOW + 10 * MINUTE, NOW]);
        let done_at = d.pick(&[None, Some(due - MINUTE), Some(due), Some(due + MINUTE)]);
        i.follow_ups.push(FollowUp {
            step: format!("call-{f}"),
            due: at(due),
            done_at: done_at.filter(|&t| t < NOW).map(at),
            outcome: done_at.and_then(|_| {
                d.pick(&[
                    None,
                    Some(FollowUpOutcome::Recovered),
                    Some(FollowUpOutcome::Lost),
                    Some(FollowUpOutcome::Done),
                ])
            }),
            done_by: None,
            note: None,
        });
    }
    i.status = d.pick(&[Status::InProgress, Status::Complete, Status::Incomplete]);
    if i.status != Status::InProgress {
        i.finished_at = Some(at(t + 2000));
    }
    i
}

fn log(n: usize) -> Vec<Incident> {
    let mut d = Draw(8);
    (0..n).map(|k| incident(k, &mut d)).collect()
}

/// The report as every output of `report` shows it: its JSON carries every field.
fn json(r: &crate::tally::Report) -> String {
    serde_json::to_string(r).unwrap()
}

fn assert_same_reports(store: &SqliteStore, what: &str) {
    for days in [0, 1, 30, 200, 365, 3650] {
        let since = at(NOW - days * 86_400_000);
        for now in [NOW - 20 * MINUTE, NOW, NOW + 86_400_000] {
            let old = tally(store, since, at(now)).unwrap();
            let new = store.report(since, at(now)).unwrap();
            assert_eq!(json(&new), json(&old), "{what}: since {days}d, now {now}");
        }
    }
}

#[test]
fn the_summaries_report_what_the_tally_of_whole_incidents_does() {
    let mut store = SqliteStore::in_memory().unwrap();
    assert_same_reports(&store, "empty log");
    let mut all = log(600);
    // A file may say anything: a total its steps do not add up to, one follow-up twice.
    all[5].amends_total = Money::whole(999_999);
    let twice = all.iter().position(|i| !i.follow_ups.is_empty()).unwrap();
    let again = all[twice].follow_ups[0].clone();
    all[twice].follow_ups.push(FollowUp { done_at: Some(at(NOW - MINUTE)), ..again });
    assert_eq!(store.import(&mut all.clone().into_iter().map(Ok)).unwrap().unwrap().added, 600);
    let r = store.report(at(0), at(NOW)).unwrap();
    assert!(r.follow_ups.overdue > 0 && r.follow_ups.open > 0 && r.follow_ups.late > 0, "{r:?}");
    assert!(r.amends_approved > Money::ZERO && r.time_to_fix.count > 0 && r.failure_points.len() > 2);
    assert_eq!(r.currency, "EUR");
    assert_same_reports(&store, "imported");
    // Later answers: appended events, follow-ups closed, an import that knows more.
    let mut d = Draw(99);
    for k in (0..600).step_by(7) {
        let i = &all[k];
        let mut events = vec![Event::Step(step(Phase::Fix, "late-fix", true, NOW - 5 * MINUTE))];
        let mut amend = step(Phase::Amend, "late-amend", true, NOW - 4 * MINUTE);
        amend.cost = Some("7.25".parse().unwrap());
        amend.approved_by = (k % 2 == 0).then(|| "boss".into());
        events.push(Event::Step(amend));
        events.push(Event::FollowUpScheduled(FollowUp {
            step: "late-call".into(),
            due: at(NOW - 3 * MINUTE + i64::try_from(d.below(3)).unwrap() * 3 * MINUTE),
            done_at: None,
            outcome: None,
            done_by: None,
            note: None,
        }));
        if i.status == Status::InProgress {
            events.push(Event::Finished { status: Status::Complete, at: at(NOW - MINUTE) });
        }
        store.append(&i.uid, &events).unwrap();
        if k % 3 == 0 {
            let closing = Closing {
                at: at(NOW - 2 * MINUTE),
                by: Some("kim".into()),
                outcome: Some(d.pick(&[FollowUpOutcome::Recovered, FollowUpOutcome::Lost])),
                note: None,
            };
            store.update(&i.id, &mut |i| crate::engine::done(i, None, "late-call", &closing)).unwrap();
        }
    }
    assert_same_reports(&store, "after appends and closings");
    // Abandoned ones count as that alone, whatever their summaries say.
    let unfinished: Vec<&Incident> =
        all.iter().filter(|i| store.get(&i.uid).unwrap().status == Status::InProgress).collect();
    for i in unfinished.iter().step_by(3) {
        store
            .update(&i.id, &mut |i| crate::engine::abandon(i, Some("kim"), "left", at(NOW - MINUTE)))
            .unwrap();
    }
    assert!(store.report(at(0), at(NOW)).unwrap().abandoned > 0);
    assert_same_reports(&store, "after abandoning some");
    let mut newer: Vec<Incident> = all.iter().step_by(5).map(|i| store.get(&i.uid).unwrap()).collect();
    for i in &mut newer {
        for f in &mut i.follow_ups {
            if f.done_at.is_none() {
                f.done_at = Some(at(NOW - 30_000));
                f.outcome = Some(FollowUpOutcome::Recovered);
            }
        }
        apply_event(i, &Event::Step(step(Phase::Amend, "merged-amend", true, NOW - 20_000)));
        i.amends_total = Money::ZERO;
        let steps = std::mem::take(&mut i.steps);
        for s in steps {
            apply_event(i, &Event::Step(s));
        }
    }
    store.import(&mut newer.into_iter().map(Ok)).unwrap().unwrap();
    assert_same_reports(&store, "after a merging import");
}

#[test]
fn migrating_fills_in_the_summaries_of_a_version_2_log() {
    migrated_from(SUMMARY_MIGRATION - 1);
}

#[test]
fn migrating_fills_in_the_amend_summaries_of_a_version_10_log() {
    migrated_from(10);
}

/// A log of 300 incidents at schema `version`, opened by this recover: migrated, the same
/// report as the tally of its whole incidents.
fn migrated_from(version: usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let all = log(300);
    {
        // A log written by an older recover: its migrations only.
        let mut store = SqliteStore::in_memory().unwrap();
        store.import(&mut all.clone().into_iter().map(Ok)).unwrap().unwrap();
        let conn = Connection::open(&path).unwrap();
        for sql in &MIGRATIONS[..version] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", i64::try_from(version).unwrap()).unwrap();
        drop(conn);
        store.conn.execute("ATTACH ?1 AS old", [path.to_str().unwrap()]).unwrap();
        for table in ["incidents", "steps", "follow_ups"] {
            let columns: Vec<String> = store
                .conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}', 'old')"))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let columns = columns.join(", ");
            store
                .conn
                .execute_batch(&format!(
                    "INSERT INTO old.{table} ({columns}) SELECT {columns} FROM main.{table}"
                ))
                .unwrap();
        }
        store.conn.execute_batch("DETACH old").unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let version: i64 = store.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, i64::try_from(MIGRATIONS.len()).unwrap());
    assert_eq!(store.count(&Filter::default()).unwrap(), 300);
    assert_same_reports(&store, "migrated");
    let r = store.report(at(0), at(NOW)).unwrap();
    assert!(r.amends_total > Money::ZERO && r.time_to_apology.count > 200, "{r:?}");
    assert!(r.amends_withheld > 0 && !r.withheld_reasons.is_empty(), "{r:?}");
}

#[test]
fn the_log_table_rows_say_what_the_whole_incidents_do() {
    let mut store = SqliteStore::in_memory().unwrap();
    store.import(&mut log(200).into_iter().map(Ok)).unwrap().unwrap();
    for filter in [
        Filter::default(),
        Filter { staff: Some("OLE".into()), ..Filter::default() },
        Filter { kind: Some("noise".into()), since: Some(at(NOW - 200 * 86_400_000)), ..Filter::default() },
        Filter { open: true, ..Filter::default() },
    ] {
        let whole = store.list(&filter).unwrap();
        let mut listed = Vec::new();
        store
            .scan_listed(&filter, &mut |l| {
                listed.push(l);
                true
            })
            .unwrap();
        assert_eq!(listed.len(), whole.len(), "{filter:?}");
        for (l, i) in listed.iter().zip(&whole) {
            assert_eq!(
                (
                    &l.id,
                    l.started_at,
                    &l.kind,
                    l.severity,
                    &l.staff,
                    l.status,
                    l.amends_total,
                    &l.failure_point
                ),
                (
                    &i.id,
                    i.started_at,
                    &i.kind,
                    i.severity,
                    &i.staff,
                    i.status,
                    i.amends_total,
                    &i.failure_point
                )
            );
            assert_eq!(l.open_follow_ups, i.follow_ups.iter().filter(|f| f.done_at.is_none()).count());
        }
    }
}

#[test]
fn a_report_reads_its_index_alone() {
    let store = SqliteStore::in_memory().unwrap();
    let sql = super::REPORT_ROWS;
    // SQLite's plan does not call an index holding a generated column "covering", so look
    // at the program: every value it reads comes from the index's cursor, none from the
    // table's (whose seek is deferred until a value is read from it, which never comes).
    let root: i64 = store
        .conn
        .query_row("SELECT rootpage FROM sqlite_master WHERE name = 'incidents_report'", [], |r| r.get(0))
        .unwrap();
    let program: Vec<(String, i64, i64)> = store
        .conn
        .prepare(&format!("EXPLAIN {sql}"))
        .unwrap()
        .query_map([1, i64::MAX], |r| Ok((r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let index = program.iter().find(|(op, _, page)| op == "OpenRead" && *page == root).unwrap().1;
    let reads: Vec<_> = program.iter().filter(|(op, ..)| op == "Column").collect();
    assert!(!reads.is_empty() && reads.iter().all(|(_, cursor, _)| *cursor == index), "{program:?}");
}

#[test]
fn report_numbers_are_read_as_sqlite_writes_them() {
    use super::integer;
    assert_eq!(integer(b"0"), Some(0));
    assert_eq!(integer(b"491"), Some(491));
    assert_eq!(integer(b"-12"), Some(-12));
    assert_eq!(integer(b"999999999999999999"), Some(999_999_999_999_999_999));
    for not in [&b"NULL"[..], b"", b"-", b"1x", b"9999999999999999999"] {
        assert_eq!(integer(not), None, "{}", String::from_utf8_lossy(not));
    }
}
