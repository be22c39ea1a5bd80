//! Tests of `json`, kept apart so the module stays readable in one sitting.

use jiff::Timestamp;

use super::{Saved, as_displayed, as_written};
use crate::engine::{FollowUp, FollowUpOutcome, Incident, Outcome, Status, StepRecord};
use crate::money::Money;
use crate::playbook::{Phase, Servqual, Severity};
use crate::store::{Filter, SqliteStore, Store};

fn odd_incident(k: i64) -> Incident {
    let at = |ms: i64| Timestamp::from_millisecond(1_790_000_000_000 + k * 1000 + ms).unwrap();
    let step = |n: i64, id: &str, cost: Option<&str>, outcome: Outcome| StepRecord {
        phase: if n == 0 { Phase::Apologise } else { Phase::Amend },
        id: id.into(),
        outcome,
        at: at(n * 7),
        choice: Some("a \"b\"".into()),
        note: (n % 2 == 1).then(|| "line\nnext \u{1} æ".into()),
        reason: (outcome == Outcome::Skipped).then(|| "busy".into()),
        cost: cost.map(|c| c.parse().unwrap()),
        approved_by: (n == 2).then(|| "Bo".into()),
        completed_at: None,
        completed_by: None,
        completed_note: None,
    };
    let steps = vec![
        step(0, "z-first", None, Outcome::Done),
        step(1, "b-second", Some("12.5"), Outcome::Done),
        step(2, "a-third", Some("0.125"), Outcome::Done),
        step(3, "c-fourth", Some("7"), Outcome::Skipped),
    ];
    Incident {
        id: format!("AB{k}-XYZ"),
        uid: format!("uid-{k}"),
        kind: "noise".into(),
        severity: (k % 2 == 0).then_some(Severity::Critical),
        staff: "Ann \\ \"A\"".into(),
        role: "staff".into(),
        reference: (k % 2 == 1).then(|| "room\t12".into()),
        started_at: at(0),
        finished_at: (k % 2 == 0).then(|| at(60_000)),
        status: if k % 2 == 0 { Status::Complete } else { Status::InProgress },
        amends_total: "12.625".parse().unwrap(),
        steps,
        currency: "EUR".into(),
        limit: Money::whole(50),
        approver_role: (k % 3 == 0).then(|| "manager".into()),
        failure_point: Some("other".into()),
        failure_note: (k % 2 == 0).then(|| "🔥".into()),
        failure_answered: k % 2 == 0,
        abandoned_by: None,
        abandon_reason: None,
        guest: None,
        servqual: vec![Servqual::Empathy, Servqual::Reliability],
        follow_ups: vec![
            FollowUp {
                step: "z-call".into(),
                due: at(3_600_000),
                done_at: Some(at(3_000_000)),
                outcome: Some(FollowUpOutcome::Lost),
                done_by: Some("Cy".into()),
                note: Some("no".into()),
            },
            FollowUp {
                step: "a-mail".into(),
                due: at(3_600_000),
                done_at: None,
                outcome: None,
                done_by: None,
                note: None,
            },
            FollowUp {
                step: "m-visit".into(),
                due: at(1_800_000),
                done_at: None,
                outcome: None,
                done_by: None,
                note: None,
            },
        ],
    }
}

/// Lines as the rows give them, with the whole incidents written by the one writer.
fn both(store: &SqliteStore, filter: &Filter, oldest_first: bool, redact: bool) -> (String, String) {
    let (mut rows, mut whole) = (Vec::new(), Vec::new());
    store
        .scan_json(filter, oldest_first, redact, &mut |line| {
            rows.extend_from_slice(line);
            true
        })
        .unwrap();
    store
        .scan(filter, oldest_first, &mut |i| {
            crate::render::json::incident(&mut whole, &i, redact);
            true
        })
        .unwrap();
    (String::from_utf8(rows).unwrap(), String::from_utf8(whole).unwrap())
}

#[test]
fn lines_from_the_rows_are_the_lines_of_the_whole_incidents() {
    let mut store = SqliteStore::in_memory().unwrap();
    let incidents: Vec<_> = (0..6).map(odd_incident).collect();
    store.import(&mut incidents.clone().into_iter().map(Ok)).unwrap().unwrap();
    // Amounts saved otherwise than Money displays them (by an older recover): shown
    // as displayed, and added exactly.
    store.conn.execute("UPDATE steps SET cost = '12.5' WHERE step = 'b-second'", []).unwrap();
    store.conn.execute("UPDATE steps SET cost = '0.1250' WHERE step = 'a-third'", []).unwrap();
    store.conn.execute("UPDATE incidents SET role_limit = '50.0' WHERE uid = 'uid-1'", []).unwrap();
    for oldest_first in [true, false] {
        for redact in [false, true] {
            let (rows, whole) = both(&store, &Filter::default(), oldest_first, redact);
            assert_eq!(rows, whole);
            assert_eq!(rows.lines().count(), 6);
        }
    }
    let (rows, whole) =
        both(&store, &Filter { staff: Some("ann \\ \"a\"".into()), ..Filter::default() }, false, false);
    assert_eq!((rows.lines().count(), rows.as_str()), (6, whole.as_str()));
    assert!(rows.contains("\"cost\":\"12.50\""), "{rows}");
    assert!(rows.contains("\"amends_total\":\"12.625\""), "{rows}");
    assert!(rows.contains("\"limit\":\"50\""), "{rows}");
}

#[test]
fn a_bad_value_fails_the_scan_as_reading_the_incident_would() {
    let mut store = SqliteStore::in_memory().unwrap();
    store.import(&mut (0..2).map(odd_incident).map(Ok)).unwrap().unwrap();
    store.conn.execute("UPDATE steps SET phase = 'later' WHERE step = 'a-third'", []).unwrap();
    let mut lines = 0;
    let result = store.scan_json(&Filter::default(), true, false, &mut |_| {
        lines += 1;
        true
    });
    assert!(result.is_err());
    assert_eq!(lines, 0);
}

#[test]
fn amounts_are_written_as_saved_only_when_money_displays_them_so() {
    let values = [
        "0",
        "-0",
        "00",
        "7",
        "-7",
        "118",
        "0118",
        "12.5",
        "12.50",
        "12.05",
        "12.00",
        "-0.50",
        "-0.00",
        "0.125",
        "0.120",
        "1.1000",
        "3.14159265",
        "1e3",
        "",
        "-",
        ".5",
        "5.",
        "1.2.3",
        " 5",
        "+5",
        "999999999999999",
        "1000000000000000",
        "12.123456789",
    ];
    for v in values {
        let displayed = v.parse::<Money>().ok().map(|m| m.to_string());
        match as_displayed(v) {
            Saved::Whole(n) => {
                assert_eq!(displayed.as_deref(), Some(v), "{v}");
                assert_eq!(Some(n), v.parse::<i64>().ok(), "{v}");
            }
            Saved::Decimal => assert_eq!(displayed.as_deref(), Some(v), "{v}"),
            Saved::Otherwise => assert!(
                displayed.as_deref() != Some(v) || v.len() > 15 || v.contains('.'),
                "{v} is written as saved but was not taken so"
            ),
        }
    }
}

/// A guest's side is copied as saved only when reading and writing it again gives the same
/// text; any other text goes through serde (and is left out when it is not one).
#[test]
fn a_guest_side_is_copied_only_when_written_again_it_is_the_same() {
    let values = [
        r#"{"words":"too slow","satisfied":"partly","contact":"+45 1234","consent":true}"#,
        r#"{"words":null,"satisfied":null,"contact":null,"consent":false}"#,
        "{\"words\":\"æ ø \u{7f}\",\"satisfied\":\"no\",\"contact\":null,\"consent\":false}",
        r#"{"words":"","satisfied":"yes","contact":"","consent":true}"#,
        r#"{"words":"a \"b\"","satisfied":null,"contact":null,"consent":false}"#,
        r#"{"words":"a\/b","satisfied":null,"contact":null,"consent":false}"#,
        r#"{"words":"\u0041","satisfied":null,"contact":null,"consent":false}"#,
        "{\"words\":\"tab\there\",\"satisfied\":null,\"contact\":null,\"consent\":false}",
        r#"{"satisfied":"yes","words":null,"contact":null,"consent":false}"#,
        r#"{"words":null,"satisfied":"maybe","contact":null,"consent":false}"#,
        r#"{"words":null,"satisfied":null,"contact":null,"consent":false,"x":1}"#,
        r#"{"words":null,"satisfied":null,"contact":null,"consent":false} "#,
        r#"{"words":null,"satisfied":null,"contact":null,"consent":1}"#,
        r#"{"words":null,"satisfied":null,"contact":null}"#,
        r#"{ "words":null,"satisfied":null,"contact":null,"consent":false}"#,
        r#"{"words":"unclosed,"satisfied":null,"contact":null,"consent":false}"#,
        r#"{"words":null,"satisfied":"yes"}"#,
        "not json",
        "",
    ];
    let mut copied = 0;
    for v in values {
        let again = crate::engine::GuestSide::from_json(v).map(|g| g.to_json());
        if as_written(v) {
            assert_eq!(again.as_deref(), Some(v), "{v} was copied but is not as written");
            copied += 1;
        }
    }
    assert_eq!(copied, 4, "the plain sides were not copied");
}

/// A step's optional values, each one alone and all of them, come out of the rows as the
/// whole incident has them.
#[test]
fn each_optional_value_of_a_step_comes_out_as_saved() {
    let mut store = SqliteStore::in_memory().unwrap();
    let at = |ms: i64| Timestamp::from_millisecond(1_790_000_000_000 + ms).unwrap();
    let set: [fn(&mut StepRecord); 8] = [
        |s| s.choice = Some("partner".into()),
        |s| s.note = Some("said sorry".into()),
        |s| s.reason = Some("no time".into()),
        |s| s.cost = Some(Money::whole(5)),
        |s| s.approved_by = Some("Bo".into()),
        |s| s.completed_at = Some(Timestamp::from_millisecond(1_790_000_999_000).unwrap()),
        |s| s.completed_by = Some("Cy".into()),
        |s| s.completed_note = Some("done later".into()),
    ];
    let incidents: Vec<Incident> = (0..=set.len())
        .map(|k| {
            let mut i = odd_incident(i64::try_from(k).unwrap() * 2);
            for s in &mut i.steps {
                (s.choice, s.note, s.reason, s.cost, s.approved_by) = (None, None, None, None, None);
                (s.completed_at, s.completed_by, s.completed_note) = (None, None, None);
                // One value alone, or (the last incident) all of them.
                for (v, f) in set.iter().enumerate() {
                    if v == k || k == set.len() {
                        f(s);
                    }
                }
            }
            i.amends_total = Money::ZERO;
            i.started_at = at(i64::try_from(k).unwrap() * 60_000);
            i
        })
        .collect();
    store.import(&mut incidents.into_iter().map(Ok)).unwrap().unwrap();
    for redact in [false, true] {
        let (rows, whole) = both(&store, &Filter::default(), true, redact);
        assert_eq!(rows, whole);
        assert_eq!(rows.lines().count(), set.len() + 1);
    }
    let (rows, _) = both(&store, &Filter::default(), true, false);
    for needle in ["partner", "said sorry", "no time", "\"Bo\"", "\"Cy\"", "done later"] {
        assert!(rows.contains(needle), "{needle} missing: {rows}");
    }
}
