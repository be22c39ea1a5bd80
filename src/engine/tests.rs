//! Engine rules, without a terminal or a database.

use jiff::Timestamp;

use super::*;
use crate::playbook::{Library, Playbook};

fn t(sec: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + sec).unwrap()
}

fn library() -> Library {
    Library::built_in()
}

fn start(limit: i64, severity: Option<Severity>) -> Start {
    Start {
        staff: "anna".into(),
        role: "staff".into(),
        limit: Money::whole(limit),
        currency: "EUR".into(),
        reference: Some("room 214".into()),
        severity,
        failure_point: None,
    }
}

fn answer(s: &mut Session, a: Answer, at: Timestamp) {
    let events = s.decide(a, at).unwrap();
    s.apply(&events);
}

fn reservation(lib: &Library) -> &Playbook {
    lib.find("reservation").unwrap()
}

#[test]
fn apologises_first_asks_severity_before_the_amends_and_keeps_phases_in_order() {
    let lib = library();
    let pb = reservation(&lib);
    let mut s = Session::begin(pb, start(50, None), t(0));
    assert!(
        matches!(s.next_question(), Some(Question::Step { phase: Phase::Apologise, .. })),
        "the apology comes before anything else"
    );
    let mut phases = Vec::new();
    let mut severity_asked_after = None;
    while let Some(q) = s.next_question() {
        match q {
            Question::Step { phase, step, .. } => {
                phases.push(phase);
                let choice = step.choose.first().map(|c| c.value.clone());
                answer(&mut s, Answer::Step(StepAnswer { choice, ..StepAnswer::done() }), t(2));
            }
            Question::Amends { offered, .. } => {
                phases.push(Phase::Amend);
                assert!(offered.iter().all(|o| o.offered_at(Severity::Minor)));
                let chosen = offered.iter().map(|o| o.id.clone()).collect();
                answer(&mut s, Answer::Amends(AmendsAnswer { chosen, ..AmendsAnswer::default() }), t(3));
            }
            Question::FollowUp { due, step } => {
                phases.push(Phase::FollowUp);
                assert_eq!(due, step.within.map(|w| w.after(t(0))));
                answer(&mut s, Answer::FollowUp(StepAnswer::done()), t(4));
            }
            Question::FailurePoint { .. } => {
                answer(&mut s, Answer::FailurePoint { point: Some("arrival".into()), note: None }, t(5));
            }
            Question::Severity => {
                severity_asked_after = phases.last().copied();
                answer(&mut s, Answer::Severity(Severity::Minor), t(2));
            }
        }
    }
    assert_eq!(severity_asked_after, Some(Phase::Fix), "severity is asked once the fix is done");
    let mut sorted = phases.clone();
    sorted.sort();
    assert_eq!(phases, sorted, "phases must come in order");
    let events = s.finish(t(6)).unwrap();
    s.apply(&events);
    let i = s.incident();
    assert_eq!(i.status, Status::Complete);
    assert_eq!(i.follow_ups.len(), pb.phases.follow_up.len());
    assert_eq!(i.time_to_apology(), Some(2));
    assert_eq!(i.amends_total, Money::whole(10));
    assert_eq!(i.failure_point.as_deref(), Some("arrival"));
}

#[test]
fn skipping_a_required_step_makes_it_incomplete() {
    let lib = library();
    let mut s = Session::begin(reservation(&lib), start(50, Some(Severity::Minor)), t(0));
    answer(&mut s, Answer::Step(StepAnswer::skipped(Some("guest left".into()))), t(1));
    assert_eq!(s.incident().steps[0].reason.as_deref(), Some("guest left"));
    while let Some(q) = s.next_question() {
        let a = match q {
            Question::Step { step, .. } => Answer::Step(StepAnswer {
                choice: step.choose.first().map(|c| c.value.clone()),
                ..StepAnswer::done()
            }),
            Question::Amends { offered, .. } => Answer::Amends(AmendsAnswer {
                withheld: offered.iter().map(|s| (s.id.clone(), "not-available".into())).collect(),
                ..AmendsAnswer::default()
            }),
            Question::FollowUp { .. } => Answer::FollowUp(StepAnswer::skipped(None)),
            Question::FailurePoint { .. } => Answer::FailurePoint { point: None, note: None },
            Question::Severity => unreachable!(),
        };
        answer(&mut s, a, t(2));
    }
    let events = s.finish(t(3)).unwrap();
    assert_eq!(events, vec![Event::Finished { status: Status::Incomplete, at: t(3) }]);
}

#[test]
fn choices_must_be_offered() {
    let lib = library();
    let mut s = Session::begin(reservation(&lib), start(50, Some(Severity::Minor)), t(0));
    // listen, own-it, reassure, ask-destination; then find-room, which has options.
    for _ in 0..4 {
        answer(&mut s, Answer::Step(StepAnswer::done()), t(1));
    }
    assert!(matches!(s.decide(Answer::Step(StepAnswer::done()), t(2)), Err(Rule::ChoiceMissing { .. })));
    let bad = StepAnswer { choice: Some("a tent".into()), ..StepAnswer::done() };
    assert!(matches!(s.decide(Answer::Step(bad), t(2)), Err(Rule::ChoiceNotOffered { .. })));
    let good = StepAnswer { choice: Some("Partner hotel nearby".into()), ..StepAnswer::done() };
    let events = s.decide(Answer::Step(good), t(2)).unwrap();
    assert!(matches!(&events[0], Event::Step(r) if r.choice.as_deref() == Some("partner hotel nearby")));
    assert!(matches!(s.decide(Answer::Severity(Severity::Major), t(2)), Err(Rule::WrongAnswer { .. })));
}

#[test]
fn a_note_comes_after_its_answer_and_only_for_an_answered_step() {
    let lib = library();
    let mut s = Session::begin(reservation(&lib), start(50, Some(Severity::Minor)), t(0));
    assert!(matches!(s.note(&NoteOn::Step("listen".into()), "later".into()), Err(Rule::NotAnswered { .. })));
    answer(&mut s, Answer::Step(StepAnswer::done()), t(1));
    let events = s.note(&NoteOn::Step("listen".into()), "  said it twice  ".into()).unwrap();
    s.apply(&events);
    assert_eq!(s.incident().step("listen").and_then(|r| r.note.as_deref()), Some("said it twice"));
    assert_eq!(
        s.note(&NoteOn::Step("listen".into()), "   ".into()),
        Ok(Vec::new()),
        "a blank note records nothing"
    );
    assert!(matches!(
        s.note(&NoteOn::Step("listen".into()), "x".repeat(MAX_TEXT_CHARS + 1)),
        Err(Rule::TooLong { .. })
    ));
    assert!(matches!(s.note(&NoteOn::FailurePoint, "late".into()), Err(Rule::NotAnswered { .. })));
}

fn to_amends(s: &mut Session) {
    while let Some(q) = s.next_question() {
        match q {
            Question::Step { step, .. } => {
                let a =
                    StepAnswer { choice: step.choose.first().map(|c| c.value.clone()), ..StepAnswer::done() };
                answer(s, Answer::Step(a), t(1));
            }
            _ => return,
        }
    }
}

#[test]
fn bundle_over_the_limit_needs_an_approver() {
    let lib = library();
    let mut s =
        Session::begin(reservation(&lib), start(50, Some(Severity::Major)), t(0)).with_policy(&lib.policy);
    to_amends(&mut s);
    let Some(Question::Amends { offered, limit }) = s.next_question() else { panic!("amends expected") };
    assert_eq!(limit, Money::whole(50));
    let all: Vec<String> = offered.iter().map(|o| o.id.clone()).collect();
    assert!(all.contains(&"free-night".to_owned()), "major offers the free-night voucher");
    assert!(!all.contains(&"choice-of-comp".to_owned()), "critical amends are not offered at major");
    let over =
        s.decide(Answer::Amends(AmendsAnswer { chosen: all.clone(), ..AmendsAnswer::default() }), t(2));
    assert!(matches!(over, Err(Rule::OverLimit { .. })), "{over:?}");
    let events = s
        .decide(
            Answer::Amends(AmendsAnswer {
                chosen: all.clone(),
                approved_by: Some("maria".into()),
                approver_role: Some("Supervisor".into()),
                ..AmendsAnswer::default()
            }),
            t(2),
        )
        .unwrap();
    s.apply(&events);
    assert!(
        s.incident()
            .steps
            .iter()
            .filter(|r| r.phase == Phase::Amend)
            .all(|r| r.approved_by.as_deref() == Some("maria"))
    );
    assert!(s.incident().over_limit());
    assert_eq!(s.incident().approver_role.as_deref(), Some("supervisor"), "as the policy names it");
    let not_offered = AmendsAnswer { chosen: vec!["choice-of-comp".into()], ..AmendsAnswer::default() };
    let mut fresh = Session::begin(reservation(&lib), start(50, Some(Severity::Major)), t(0));
    to_amends(&mut fresh);
    assert!(matches!(fresh.decide(Answer::Amends(not_offered), t(2)), Err(Rule::AmendNotOffered { .. })));
}

#[test]
fn the_approver_is_someone_else_whose_role_may_give_the_bundle() {
    let lib = library();
    let mut s =
        Session::begin(reservation(&lib), start(50, Some(Severity::Critical)), t(0)).with_policy(&lib.policy);
    to_amends(&mut s);
    let Some(Question::Amends { offered, .. }) = s.next_question() else { panic!("amends expected") };
    let all: Vec<String> = offered.iter().map(|o| o.id.clone()).collect();
    let with = |name: &str, role: Option<&str>| {
        Answer::Amends(AmendsAnswer {
            chosen: all.clone(),
            approved_by: Some(name.into()),
            approver_role: role.map(Into::into),
            ..AmendsAnswer::default()
        })
    };
    let decide = |a| s.decide(a, t(2));
    assert!(matches!(decide(with(" Anna ", Some("manager"))), Err(Rule::SelfApproval { .. })));
    assert!(matches!(decide(with("maria", None)), Err(Rule::ApproverRoleMissing { .. })));
    assert!(matches!(decide(with("maria", Some("chef"))), Err(Rule::UnknownApproverRole { .. })));
    let low = decide(with("maria", Some("staff")));
    assert!(matches!(&low, Err(Rule::ApproverLimit { able, .. }) if able.contains("supervisor")), "{low:?}");
    assert!(decide(with("maria", Some("supervisor"))).is_ok());
    // Within the staff member's own limit nobody is asked.
    assert!(s.within_limit(Money::whole(50)) && !s.within_limit(Money::whole(51)));
}

#[test]
fn dropped_items_are_recorded_as_skipped_and_cost_nothing() {
    let lib = library();
    let mut s = Session::begin(reservation(&lib), start(50, Some(Severity::Major)), t(0));
    to_amends(&mut s);
    let Some(Question::Amends { offered, .. }) = s.next_question() else { panic!("amends expected") };
    let left_out: Vec<String> =
        offered.iter().map(|o| o.id.clone()).filter(|id| id != "welcome-drink").collect();
    let mut a = AmendsAnswer { chosen: vec!["welcome-drink".into()], ..AmendsAnswer::default() };
    // Withholding an offered amend needs a reason, one per amend.
    let why = s.decide(Answer::Amends(a.clone()), t(2));
    assert!(matches!(why, Err(Rule::WithheldWithoutReason { .. })), "{why:?}");
    a.withheld = left_out.iter().skip(1).map(|id| (id.clone(), "guest-declined".into())).collect();
    a.withheld.push((left_out[0].clone(), "   ".into()));
    let blank = s.decide(Answer::Amends(a.clone()), t(2));
    assert!(matches!(blank, Err(Rule::WithheldWithoutReason { step, .. }) if step == left_out[0]));
    a.withheld.pop();
    a.withheld.push((left_out[0].clone(), "booked a taxi themselves".into()));
    let events = s.decide(Answer::Amends(a), t(2)).unwrap();
    s.apply(&events);
    assert_eq!(s.incident().amends_total, Money::whole(10));
    let skipped: Vec<&StepRecord> =
        s.incident().steps.iter().filter(|r| r.outcome == Outcome::Skipped).collect();
    assert_eq!(skipped.len(), 2, "buy-dinner and free-night");
    assert_eq!(skipped[0].reason.as_deref(), Some("booked a taxi themselves"));
    assert!(skipped[1..].iter().all(|r| r.reason.as_deref() == Some("guest-declined")));
}

#[test]
fn resuming_from_the_record_asks_the_next_question() {
    let lib = library();
    let pb = reservation(&lib);
    let mut s = Session::begin(pb, start(50, Some(Severity::Minor)), t(0));
    answer(&mut s, Answer::Step(StepAnswer::done()), t(1));
    let resumed = Session::resume(pb, s.incident().clone());
    match resumed.next_question() {
        Some(Question::Step { step, index, .. }) => {
            assert_eq!(step.id, "own-it", "after listening");
            assert_eq!(index, (2, 3));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn long_notes_are_refused() {
    let lib = library();
    let s = Session::begin(reservation(&lib), start(50, Some(Severity::Minor)), t(0));
    let a = StepAnswer { note: Some("x".repeat(MAX_TEXT_CHARS + 1)), ..StepAnswer::done() };
    assert!(matches!(s.decide(Answer::Step(a), t(1)), Err(Rule::TooLong { .. })));
}

#[test]
fn a_nul_in_any_text_is_refused() {
    let lib = library();
    let s = Session::begin(reservation(&lib), start(50, Some(Severity::Minor)), t(0));
    let note = StepAnswer { note: Some("room\0 12".into()), ..StepAnswer::done() };
    let err = s.decide(Answer::Step(note), t(1)).expect_err("refused");
    assert!(matches!(&err, Rule::HoldsNul { what } if what.contains("note")), "{err}");
    let reason = StepAnswer { done: false, reason: Some("\0".into()), ..StepAnswer::done() };
    assert!(matches!(s.decide(Answer::Step(reason), t(1)), Err(Rule::HoldsNul { .. })));
    let mut up_front = start(50, Some(Severity::Minor));
    up_front.reference = Some("room 1\u{0}2".into());
    assert!(matches!(up_front.check(), Err(Rule::HoldsNul { .. })));
}

#[test]
fn a_clock_set_back_is_clamped_to_zero_and_flagged() {
    let lib = library();
    let mut s = Session::begin(reservation(&lib), start(50, Some(Severity::Minor)), t(100));
    assert!(!s.incident().clock_went_back());
    // The first answer is recorded before the start: the clock went back in between.
    answer(&mut s, Answer::Step(StepAnswer::done()), t(40));
    let i = s.incident();
    assert!(i.clock_went_back());
    assert_eq!(i.time_to_apology(), Some(0), "clamped, never negative");
    assert_eq!(i.since_start(i.steps[0].at), 0);
}

#[test]
fn an_amend_offered_instead_of_others_replaces_them_in_the_bundle() {
    let lib = library();
    let pb = lib.find("wrong-order").unwrap();
    let mut s = Session::begin(pb, start(2000, Some(Severity::Critical)), t(0));
    to_amends(&mut s);
    let Some(Question::Amends { offered, .. }) = s.next_question() else { panic!("amends expected") };
    let ids: Vec<&str> = offered.iter().map(|o| o.id.as_str()).collect();
    assert!(ids.contains(&"meal-on-house"), "{ids:?}");
    assert!(!ids.contains(&"dish-off-bill") && !ids.contains(&"table-or-next-visit"), "{ids:?}");
    let replaced = AmendsAnswer { chosen: vec!["dish-off-bill".into()], ..AmendsAnswer::default() };
    assert!(matches!(s.decide(Answer::Amends(replaced), t(2)), Err(Rule::AmendNotOffered { .. })));
    let all = offered.iter().map(|o| o.id.clone()).collect();
    answer(&mut s, Answer::Amends(AmendsAnswer { chosen: all, ..AmendsAnswer::default() }), t(2));
    // The treat, the whole bill and the invitation back: never the dish paid twice.
    assert_eq!(s.incident().amends_total, Money::whole(8 + 150 + 120));
}

#[test]
fn global_ids_are_unique_uuids_ordered_by_start() {
    let lib = library();
    let ids: Vec<String> = [0, 0, 1, 3600, 86_400 * 400]
        .into_iter()
        .map(|sec| Session::begin(reservation(&lib), start(50, None), t(sec)).incident().uid.clone())
        .collect();
    for id in &ids {
        assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 7, "{id}");
    }
    // Two begun in the same millisecond differ; later starts sort after earlier ones.
    assert_ne!(ids[0], ids[1]);
    assert!(ids[1..].windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    // A clock before 1970 still gives a unique id.
    let early = Timestamp::from_second(-86_400).unwrap();
    let a = Session::begin(reservation(&lib), start(50, None), early).incident().uid.clone();
    let b = Session::begin(reservation(&lib), start(50, None), early).incident().uid.clone();
    assert_ne!(a, b);
}
