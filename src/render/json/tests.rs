use jiff::Timestamp;

use super::{incident, string, time};
use crate::engine::{FollowUp, FollowUpOutcome, Incident, Outcome, Status, StepRecord};
use crate::money::Money;
use crate::playbook::{Phase, Servqual, Severity};

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap()
}

#[test]
fn times_are_written_as_the_rfc3339_text_is() {
    let mut values = vec![
        0,
        -1,
        1,
        999,
        -62_167_219_200_000,
        -62_167_219_200_001,
        253_402_207_199_999,
        951_782_400_000,   // 2000-02-29
        4_107_542_400_000, // 2100-03-01
        1_795_000_000_123,
        -377_705_023_201_000, // the first and last millisecond there are
        253_402_207_200_000,
    ];
    // Every day (and an odd time of it) across four centuries and before 1970.
    let mut ms = -30_000_000_000_000_i64;
    while ms < 20_000_000_000_000 {
        values.push(ms);
        ms += 86_400_000 * 7 + 3_723_456;
    }
    for ms in values {
        let t = at(ms);
        let mut out = Vec::new();
        time(&mut out, t);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("\"{}\"", crate::clock::rfc3339::stamp(&t)),
            "{ms}"
        );
    }
}

#[test]
fn strings_are_escaped_as_serde_does() {
    let mut every: String = (0u8..128).map(char::from).collect();
    every.push_str("æøå — 日本 🦀 \u{2028}\u{7f}");
    for s in [every.as_str(), "", "plain", "\"", "\\", "a\nb", "\u{1}x", "end\u{1f}"] {
        let mut out = Vec::new();
        string(&mut out, s);
        assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(s).unwrap());
    }
}

fn step(phase: Phase, id: &str, outcome: Outcome, cost: Option<&str>) -> StepRecord {
    StepRecord {
        phase,
        id: id.into(),
        outcome,
        at: at(1_795_000_100_000),
        choice: Some("a \"quoted\" choice".into()),
        note: Some("line\nbreak\ttab".into()),
        reason: (outcome == Outcome::Skipped).then(|| "no time".into()),
        cost: cost.map(|c| c.parse().unwrap()),
        approved_by: cost.map(|_| "boss".into()),
        completed_at: None,
        completed_by: None,
        completed_note: None,
    }
}

fn sample() -> Vec<Incident> {
    let full = Incident {
        id: "K7Q-4MX".into(),
        uid: "0b7c9c4e-1111-4222-8333-444455556666".into(),
        kind: "wrong-order".into(),
        severity: Some(Severity::Major),
        staff: "Ana \u{1}".into(),
        role: "server".into(),
        reference: Some("table 12 \\ \"VIP\"".into()),
        started_at: at(1_795_000_000_120),
        finished_at: Some(at(1_795_000_900_000)),
        status: Status::Incomplete,
        steps: vec![
            step(Phase::Apologise, "own-it", Outcome::Done, None),
            step(Phase::Fix, "remake", Outcome::Skipped, None),
            step(Phase::Amend, "dessert", Outcome::Done, Some("12.5")),
            step(Phase::Amend, "voucher", Outcome::Done, Some("0.125")),
            step(Phase::FollowUp, "call", Outcome::Done, None),
        ],
        amends_total: "12.625".parse().unwrap(),
        currency: "EUR".into(),
        limit: Money::whole(250),
        approver_role: Some("supervisor".into()),
        failure_point: Some("other".into()),
        failure_note: Some("the kitchen 🔥".into()),
        failure_answered: true,
        abandoned_by: None,
        abandon_reason: None,
        guest: None,
        servqual: vec![Servqual::Reliability, Servqual::Empathy],
        follow_ups: vec![
            FollowUp {
                step: "call".into(),
                due: at(1_795_086_400_000),
                done_at: Some(at(1_795_080_000_000)),
                outcome: Some(FollowUpOutcome::Recovered),
                done_by: Some("Bo".into()),
                note: Some("happy".into()),
            },
            FollowUp {
                step: "mail".into(),
                due: at(1_795_186_400_000),
                done_at: None,
                outcome: None,
                done_by: None,
                note: None,
            },
        ],
    };
    let bare = Incident {
        severity: None,
        reference: None,
        finished_at: None,
        status: Status::InProgress,
        steps: Vec::new(),
        amends_total: Money::ZERO,
        approver_role: None,
        failure_point: None,
        failure_note: None,
        failure_answered: false,
        servqual: Vec::new(),
        follow_ups: Vec::new(),
        ..full.clone()
    };
    vec![full, bare]
}

/// What `export --redact` leaves out: refs, notes and reasons.
fn redacted(mut i: Incident) -> Incident {
    i.reference = None;
    i.failure_note = None;
    for s in &mut i.steps {
        s.note = None;
        s.reason = None;
    }
    for f in &mut i.follow_ups {
        f.note = None;
    }
    i
}

#[test]
fn an_incident_is_written_as_serde_writes_it_redacted_or_not() {
    for i in sample() {
        let mut out = Vec::new();
        incident(&mut out, &i, false);
        assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&i).unwrap() + "\n");
        let mut out = Vec::new();
        incident(&mut out, &i, true);
        let redacted = redacted(i);
        assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&redacted).unwrap() + "\n");
    }
}

/// The keys [`super::key`] copies without looking need no escape.
#[test]
fn the_keys_written_as_they_are_need_no_escape() {
    let keys = (Severity::ALL.map(Severity::key).into_iter())
        .chain(Status::ALL.map(Status::key))
        .chain(Phase::ALL.map(Phase::key))
        .chain(Outcome::ALL.map(Outcome::key))
        .chain(FollowUpOutcome::ALL.map(FollowUpOutcome::key))
        .chain(Servqual::ALL.map(Servqual::key));
    for k in keys {
        let mut escaped = Vec::new();
        string(&mut escaped, k);
        assert_eq!(escaped, format!("\"{k}\"").into_bytes(), "{k}");
    }
}
