//! Properties of the engine over arbitrary sessions: any built-in playbook, any severity,
//! limit and approver, and any sequence of answers, valid or not. An answer the rules
//! refuse is answered again the way that is always allowed (skip, give nothing), as a
//! person at the prompt would.

use jiff::Timestamp;
use proptest::prelude::*;

use super::*;
use crate::playbook::Library;
use crate::store::{SqliteStore, Store};

/// The built-in library, loaded once for all cases.
fn library() -> &'static Library {
    static LIBRARY: std::sync::OnceLock<Library> = std::sync::OnceLock::new();
    LIBRARY.get_or_init(Library::built_in)
}

/// A fixed moment, so that two runs of the same answers record the same times.
fn t0() -> Timestamp {
    Timestamp::from_millisecond(1_800_000_000_000).unwrap()
}

/// What to do with an option list (a step's `choose`, the failure points).
#[derive(Clone, Debug)]
enum Pick {
    /// Leave it out.
    Nothing,
    /// An option (by index, wrapping around), by its value.
    Value(usize),
    /// An option (by index, wrapping around), by its value in capitals with spaces around.
    Loose(usize),
    /// Something no playbook offers (also where the list is empty).
    Bogus,
}

/// The raw material of one answer; how it is used depends on the question asked.
#[derive(Clone, Debug)]
struct Move {
    severity: Severity,
    done: bool,
    pick: Pick,
    note: Option<String>,
    /// Makes the note or reason one character too long.
    too_long: bool,
    /// Which offered amends to keep, one bit each.
    amends: u32,
    /// Also asks for an amend that is not offered (another severity's, or a made-up one).
    stray_amend: Option<usize>,
    /// Names the approver (if the session has one) for this bundle.
    approve: bool,
    /// Milliseconds since the previous answer.
    gap_ms: u32,
}

/// Who is recovering and under which limit.
#[derive(Clone, Debug)]
struct Setup {
    playbook: usize,
    severity: Option<Severity>,
    limit: Money,
    approver: Option<String>,
    approver_role: Option<String>,
    failure_point: Option<String>,
}

fn severity() -> impl Strategy<Value = Severity> {
    prop::sample::select(Severity::ALL.to_vec())
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        1 => Just(Pick::Nothing),
        6 => any::<usize>().prop_map(Pick::Value),
        2 => any::<usize>().prop_map(Pick::Loose),
        1 => Just(Pick::Bogus),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "ok",
        "  guest smiled ",
        "",
        "   ",
        "Hotel Lux, two streets away",
        "ümlaut ✓",
        "a\0b",
    ])
    .prop_map(str::to_owned)
}

prop_compose! {
    fn a_move()(
        severity in severity(),
        done in prop::bool::weighted(0.9),
        pick in pick(),
        note in prop::option::of(text()),
        too_long in prop::bool::weighted(0.03),
        amends in any::<u32>(),
        stray_amend in prop::option::weighted(0.1, any::<usize>()),
        approve in prop::bool::weighted(0.7),
        gap_ms in 0u32..600_000,
    ) -> Move {
        Move { severity, done, pick, note, too_long, amends, stray_amend, approve, gap_ms }
    }
}

prop_compose! {
    fn a_setup()(
        playbook in any::<usize>(),
        severity in prop::option::of(severity()),
        limit_cents in prop_oneof![
            Just(0i64), Just(5_000), Just(25_000), Just(200_000), 0i64..300_000
        ],
        approver in prop::option::weighted(0.8, prop::sample::select(vec!["maria", " maria ", "", " Anna"])),
        approver_role in prop::option::weighted(
            0.9,
            prop::sample::select(vec!["supervisor", "MANAGER", "manager", "chef", " "]),
        ),
        failure_point in prop::option::weighted(0.2, Just("front desk".to_owned())),
    ) -> Setup {
        let limit = format!("{}.{:02}", limit_cents / 100, limit_cents % 100).parse().unwrap();
        Setup {
            playbook,
            severity,
            limit,
            approver: approver.map(str::to_owned),
            approver_role: approver_role.map(str::to_owned),
            failure_point,
        }
    }
}

impl Setup {
    fn playbook(&self) -> &'static Playbook {
        let all = &library().playbooks;
        &all[self.playbook % all.len()]
    }

    fn start(&self) -> Start {
        Start {
            staff: "anna".into(),
            role: "staff".into(),
            limit: self.limit,
            currency: "EUR".into(),
            reference: Some("room 214".into()),
            severity: self.severity,
            failure_point: self.failure_point.clone(),
        }
    }
}

fn note_of(m: &Move) -> Option<String> {
    if m.too_long { Some("n".repeat(MAX_TEXT_CHARS + 1)) } else { m.note.clone() }
}

fn choice_of(pick: &Pick, options: &[Choice]) -> Option<String> {
    match pick {
        Pick::Bogus => Some("a tent in the garden".into()),
        Pick::Value(i) if !options.is_empty() => Some(options[i % options.len()].value.clone()),
        Pick::Loose(i) if !options.is_empty() => {
            Some(format!("  {} ", options[i % options.len()].value.to_ascii_uppercase()))
        }
        // Nothing picked, or nothing to pick from.
        Pick::Nothing | Pick::Value(_) | Pick::Loose(_) => None,
    }
}

/// The answer `m` gives to question `q`.
fn answer(q: &Question, m: &Move, setup: &Setup, pb: &Playbook) -> Answer {
    let step_answer = |step: &Step| {
        if m.done {
            StepAnswer {
                done: true,
                choice: choice_of(&m.pick, &step.choose),
                note: note_of(m),
                reason: None,
            }
        } else {
            StepAnswer { done: false, choice: None, note: m.note.clone(), reason: note_of(m) }
        }
    };
    match q {
        Question::Severity => Answer::Severity(m.severity),
        Question::Step { step, .. } => Answer::Step(step_answer(step)),
        Question::FollowUp { step, .. } => Answer::FollowUp(step_answer(step)),
        Question::Amends { offered, .. } => {
            let mut chosen: Vec<String> = offered
                .iter()
                .enumerate()
                .filter(|(i, _)| m.amends & (1 << (i % 32)) != 0)
                .map(|(_, s)| s.id.clone())
                .collect();
            if let Some(i) = &m.stray_amend {
                let others: Vec<&Step> = pb
                    .all_steps()
                    .map(|(_, s)| s)
                    .filter(|s| !offered.iter().any(|o| o.id == s.id))
                    .collect();
                chosen.push(if others.is_empty() {
                    "no-such-amend".into()
                } else {
                    others[i % others.len()].id.clone()
                });
            }
            let notes =
                chosen.first().map(|id| (id.clone(), note_of(m).unwrap_or_default())).into_iter().collect();
            // Every amend left out is given the move's note as its reason (maybe none).
            let withheld = offered
                .iter()
                .filter(|s| !chosen.contains(&s.id))
                .filter_map(|s| note_of(m).map(|r| (s.id.clone(), r)))
                .collect();
            Answer::Amends(AmendsAnswer {
                chosen,
                withheld,
                approved_by: setup.approver.clone().filter(|_| m.approve),
                approver_role: setup.approver_role.clone(),
                notes,
            })
        }
        Question::FailurePoint { options } => {
            Answer::FailurePoint { point: choice_of(&m.pick, options), note: note_of(m) }
        }
    }
}

/// The answer that is always allowed: skip, give nothing (the guest declined), say nothing.
fn fallback(q: &Question) -> Answer {
    match q {
        Question::Severity => Answer::Severity(Severity::Minor),
        Question::Step { .. } => Answer::Step(StepAnswer::skipped(None)),
        Question::FollowUp { .. } => Answer::FollowUp(StepAnswer::skipped(None)),
        Question::Amends { offered, .. } => Answer::Amends(AmendsAnswer {
            withheld: offered.iter().map(|s| (s.id.clone(), "guest-declined".to_owned())).collect(),
            ..AmendsAnswer::default()
        }),
        Question::FailurePoint { .. } => Answer::FailurePoint { point: None, note: None },
    }
}

/// The model's authority rule: someone other than anna, whose role (any case) may give
/// `total` under the built-in policy.
fn approved(name: Option<&str>, role: Option<&str>, total: Money) -> bool {
    let given = |t: Option<&str>| t.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    let (Some(name), Some(role)) = (given(name), given(role)) else { return false };
    let limit =
        library().policy.roles.iter().find(|(n, _)| n.eq_ignore_ascii_case(&role)).map(|(_, r)| r.limit());
    name.to_lowercase() != "anna" && limit.is_some_and(|l| total <= l)
}

/// A model of the rules, written apart from them: is `a` an allowed answer to `q`?
fn allowed(q: &Question, a: &Answer) -> bool {
    let fits = |t: &Option<String>| {
        t.as_ref().is_none_or(|t| t.trim().chars().count() <= MAX_TEXT_CHARS && !t.contains('\0'))
    };
    let given = |t: &Option<String>| t.as_ref().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    let step_ok = |step: &Step, a: &StepAnswer| {
        let choice_ok = match (a.done, given(&a.choice)) {
            (false, _) => true,
            (true, None) => step.choose.is_empty(),
            (true, Some(c)) => step.choose.iter().any(|o| o.value.eq_ignore_ascii_case(&c) || o.matches(&c)),
        };
        choice_ok && fits(&a.note) && (a.done || fits(&a.reason))
    };
    match (q, a) {
        (Question::Severity, Answer::Severity(_)) => true,
        (Question::Step { step, .. }, Answer::Step(a))
        | (Question::FollowUp { step, .. }, Answer::FollowUp(a)) => step_ok(step, a),
        (Question::Amends { offered, limit }, Answer::Amends(a)) => {
            let all_offered = a.chosen.iter().all(|id| offered.iter().any(|s| &s.id == id));
            let total: Money = offered.iter().filter(|s| a.chosen.contains(&s.id)).map(|s| s.cost()).sum();
            let reasoned = offered.iter().filter(|s| !a.chosen.contains(&s.id)).all(|s| {
                let reason = a.withheld.iter().find(|(id, _)| id == &s.id).map(|(_, r)| r.clone());
                given(&reason).is_some() && fits(&reason)
            });
            all_offered
                && reasoned
                && fits(&a.approved_by)
                && fits(&a.approver_role)
                && (total <= *limit || approved(a.approved_by.as_deref(), a.approver_role.as_deref(), total))
                && a.notes.iter().all(|(_, n)| fits(&Some(n.clone())))
        }
        (Question::FailurePoint { options }, Answer::FailurePoint { point, note }) => {
            let point_ok = given(point)
                .is_none_or(|p| p.eq_ignore_ascii_case("other") || options.iter().any(|o| o.matches(&p)));
            point_ok && fits(note)
        }
        _ => false,
    }
}

/// One accepted answer and when it was given.
type Given = (Answer, Timestamp);

/// Runs a whole session from `moves` (the default move once they run out), checking each
/// decision against the model; returns the session and the answers it accepted.
fn run(setup: &Setup, moves: &[Move]) -> (Session<'static>, Vec<Given>, Timestamp) {
    let pb = setup.playbook();
    let mut session = Session::begin(pb, setup.start(), t0()).with_policy(&library().policy);
    let mut now = t0();
    let mut given = Vec::new();
    let rest = Move {
        severity: Severity::Minor,
        done: true,
        pick: Pick::Value(0),
        note: None,
        too_long: false,
        amends: 0,
        stray_amend: None,
        approve: false,
        gap_ms: 1_000,
    };
    let most = pb.all_steps().count() + 2;
    for i in 0.. {
        let Some(q) = session.next_question() else { break };
        assert!(i <= most, "more questions than a playbook of {} steps can ask", most - 2);
        let m = moves.get(i).unwrap_or(&rest);
        now = now.checked_add(jiff::SignedDuration::from_millis(i64::from(m.gap_ms))).unwrap();
        let mut a = answer(&q, m, setup, pb);
        let decided = session.decide(a.clone(), now);
        assert_eq!(decided.is_ok(), allowed(&q, &a), "{q:?}\n{a:?}\n{decided:?}");
        let events = match decided {
            Ok(events) => events,
            Err(rule) => {
                assert!(
                    !matches!(rule, Rule::WrongAnswer { .. } | Rule::NothingToAnswer | Rule::NotFinished),
                    "{rule:?}"
                );
                a = fallback(&q);
                session.decide(a.clone(), now).expect("skipping is always allowed")
            }
        };
        assert!(!events.is_empty(), "an accepted answer records something");
        session.apply(&events);
        given.push((a, now));
    }
    let end = now.checked_add(jiff::SignedDuration::from_secs(5)).unwrap();
    let events = session.finish(end).expect("no question is left");
    session.apply(&events);
    (session, given, end)
}

/// Replays accepted answers on `session`.
fn replay(session: &mut Session, given: &[Given]) {
    for (a, at) in given {
        let events = session.decide(a.clone(), *at).expect("accepted before, accepted again");
        session.apply(&events);
    }
}

/// Replays accepted answers on `session`, then finishes it at `end`.
fn replay_and_finish(session: &mut Session, given: &[Given], end: Timestamp) {
    replay(session, given);
    let events = session.finish(end).expect("no question is left");
    session.apply(&events);
}

fn check_incident(setup: &Setup, incident: &Incident, end: Timestamp) {
    let pb = setup.playbook();
    let steps = &incident.steps;
    // Phases in order, each step once, each step the playbook's own in its own phase.
    assert!(steps.windows(2).all(|w| w[0].phase <= w[1].phase), "phases out of order: {steps:?}");
    for (i, r) in steps.iter().enumerate() {
        assert!(steps[..i].iter().all(|o| o.id != r.id), "step `{}` recorded twice", r.id);
        assert_eq!(pb.step(&r.id).map(|(p, _)| p), Some(r.phase), "step `{}`", r.id);
        assert!(r.at >= incident.started_at && r.at <= end);
        assert!(r.cost.is_none() || (r.phase == Phase::Amend && r.outcome == Outcome::Done));
    }
    // Every step asked: all of apologise, fix and follow-up, and the amends offered.
    let severity = incident.severity.expect("severity is asked first");
    let offered = pb.amends_at(severity);
    for (phase, step) in pb.all_steps() {
        let asked = phase != Phase::Amend || offered.iter().any(|o| o.id == step.id);
        assert_eq!(incident.step(&step.id).is_some(), asked, "step `{}`", step.id);
    }
    // Totals add up, and stay under the limit unless an approver signed every amend given.
    let amends: Vec<&StepRecord> =
        steps.iter().filter(|r| r.phase == Phase::Amend && r.outcome == Outcome::Done).collect();
    let total: Money = amends.iter().map(|r| pb.step(&r.id).map_or(Money::ZERO, |(_, s)| s.cost())).sum();
    assert_eq!(incident.amends_total, total);
    assert_eq!(amends.iter().filter_map(|r| r.cost).sum::<Money>(), total);
    if incident.amends_total > incident.limit {
        assert!(amends.iter().all(|r| r.approved_by.as_deref().is_some_and(|n| !n.trim().is_empty())));
    } else {
        assert!(steps.iter().all(|r| r.approved_by.is_none()), "approved without need");
    }
    // A follow-up is due for each follow-up step done, `within` after the start.
    let scheduled: Vec<&StepRecord> =
        steps.iter().filter(|r| r.phase == Phase::FollowUp && r.outcome == Outcome::Done).collect();
    assert_eq!(incident.follow_ups.len(), scheduled.len());
    for (f, r) in incident.follow_ups.iter().zip(&scheduled) {
        assert_eq!(f.step, r.id);
        let within = pb.step(&r.id).and_then(|(_, s)| s.within);
        assert_eq!(f.due, within.map_or(r.at, |w| w.after(incident.started_at)));
        assert!(f.done_at.is_none() && f.outcome.is_none());
    }
    // Finished, complete exactly when no required step asked was skipped.
    assert_eq!(incident.finished_at, Some(end));
    let skipped_required = pb.all_steps().any(|(phase, step)| {
        step.is_required(phase) && incident.step(&step.id).is_some_and(|r| r.outcome == Outcome::Skipped)
    });
    let expected = if skipped_required { Status::Incomplete } else { Status::Complete };
    assert_eq!(incident.status, expected);
    assert!(incident.failure_answered);
}

proptest! {
    #[test]
    fn any_answers_keep_the_rules(setup in a_setup(), moves in prop::collection::vec(a_move(), 0..24)) {
        let (session, _, end) = run(&setup, &moves);
        check_incident(&setup, session.incident(), end);
    }

    #[test]
    fn a_resumed_session_ends_as_an_uninterrupted_one(
        setup in a_setup(),
        moves in prop::collection::vec(a_move(), 0..24),
        cut in any::<usize>(),
    ) {
        let (whole, given, end) = run(&setup, &moves);
        let k = cut % (given.len() + 1);
        let mut first = Session::begin(setup.playbook(), setup.start(), t0()).with_policy(&library().policy);
        first.incident.uid.clone_from(&whole.incident().uid);
        replay(&mut first, &given[..k]);
        let mut resumed = Session::resume(setup.playbook(), first.incident().clone()).with_policy(&library().policy);
        replay_and_finish(&mut resumed, &given[k..], end);
        prop_assert_eq!(resumed.incident(), whole.incident());
    }

    #[test]
    fn the_log_gives_back_the_session_after_every_answer(
        setup in a_setup(),
        moves in prop::collection::vec(a_move(), 0..24),
    ) {
        let (_, given, end) = run(&setup, &moves);
        let mut store = SqliteStore::in_memory().unwrap();
        let mut session = Session::begin(setup.playbook(), setup.start(), t0()).with_policy(&library().policy);
        let id = store.create(session.incident()).unwrap();
        session.set_id(id.clone());
        prop_assert_eq!(&store.get(&id).unwrap(), session.incident());
        for (a, at) in &given {
            let events = session.decide(a.clone(), *at).unwrap();
            store.append(&session.incident().uid, &events).unwrap();
            session.apply(&events);
            prop_assert_eq!(&store.get(&id).unwrap(), session.incident());
        }
        let events = session.finish(end).unwrap();
        store.append(&session.incident().uid, &events).unwrap();
        session.apply(&events);
        let back = store.get(&session.incident().uid).unwrap();
        prop_assert_eq!(&back, session.incident());
        // And a session resumed from the log ends the same way.
        let resumed = Session::resume(setup.playbook(), back).with_policy(&library().policy);
        prop_assert!(resumed.next_question().is_none() && resumed.is_finished());
    }
}
