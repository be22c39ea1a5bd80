//! Properties of drills over every default playbook and random valid libraries: every
//! question has exactly one right answer, and it is the one the playbook itself implies
//! (worked out here again from the playbook, not from the generator's key).

use proptest::prelude::*;

use super::*;
use crate::playbook::Library;

fn built_in() -> &'static Library {
    static LIBRARY: std::sync::OnceLock<Library> = std::sync::OnceLock::new();
    LIBRARY.get_or_init(Library::built_in)
}

/// Where a step stands in the recovery: phase first, then its place in the phase.
fn rank(pb: &Playbook, step: &Step) -> (Phase, usize) {
    pb.all_steps()
        .find(|(_, s)| std::ptr::eq(*s, step))
        .map(|(p, s)| (p, pb.phases.steps(p).iter().position(|o| std::ptr::eq(o, s)).unwrap()))
        .expect("options come from the playbook")
}

/// Whether option `o` is right for a pick question, by the playbook's own meaning.
fn implied_pick(pb: &Playbook, q: &Question, o: &Opt) -> bool {
    match (q.ask, o) {
        (Ask::First, Opt::Step(s)) => std::ptr::eq(*s, pb.phases.apologise.first().unwrap()),
        (Ask::Say, Opt::Say(s)) => s.say.is_some(),
        (Ask::Say, Opt::Never(n)) => {
            assert!(pb.never_say.iter().any(|m| std::ptr::eq(m, *n)));
            false
        }
        (Ask::Due, Opt::Within(w)) => Some(*w) == q.step.unwrap().within,
        other => panic!("option {other:?} does not belong to a pick question"),
    }
}

/// Every order of `0..n`.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for i in 0..=p.len() {
            let mut q = p.clone();
            q.insert(i, n - 1);
            out.push(q);
        }
    }
    out
}

fn exactly_one_right_answer(drill: &Drill) {
    let pb = drill.playbook;
    for q in &drill.questions {
        let n = q.options.len();
        assert!(n >= if q.ask == Ask::Amends { 1 } else { 2 }, "{q:?}");
        for (i, a) in q.options.iter().enumerate() {
            for b in &q.options[..i] {
                assert!(!a.clashes(b), "two options read alike in {q:?}");
            }
        }
        let rights: Vec<Given> = match q.ask.shape() {
            Shape::Pick => {
                let implied: Vec<usize> = (0..n).filter(|&i| implied_pick(pb, q, &q.options[i])).collect();
                assert_eq!(implied.len(), 1, "{q:?}");
                let rights: Vec<Given> =
                    (0..n).map(Given::One).filter(|g| q.mark(g).unwrap().right).collect();
                assert_eq!(rights, vec![Given::One(implied[0])], "{q:?}");
                rights
            }
            Shape::Order => {
                let mut implied: Vec<usize> = (0..n).collect();
                implied.sort_by_key(|&i| match q.options[i] {
                    Opt::Step(s) => rank(pb, s),
                    ref o => panic!("{o:?} in an order question"),
                });
                let rights: Vec<Given> = permutations(n)
                    .into_iter()
                    .map(Given::Order)
                    .filter(|g| q.mark(g).unwrap().right)
                    .collect();
                assert_eq!(rights, vec![Given::Order(implied)], "{q:?}");
                rights
            }
            Shape::Set => {
                let implied: Vec<usize> = (0..n)
                    .filter(|&i| match q.options[i] {
                        Opt::Step(s) if drill.playbook.phases.amend.iter().any(|a| std::ptr::eq(a, s)) => {
                            let here = |a: &crate::playbook::Step| a.offered_from() <= drill.severity;
                            // An amend another offered one replaces (`instead_of`) is not given.
                            let replaced = drill
                                .playbook
                                .phases
                                .amend
                                .iter()
                                .any(|o| here(o) && o.instead_of.contains(&s.id));
                            here(s) && !replaced && s.cost() <= drill.limit
                        }
                        ref o => panic!("{o:?} in the amends question"),
                    })
                    .collect();
                let rights: Vec<Given> = (0..1u32 << n)
                    .map(|bits| Given::Set((0..n).filter(|i| bits & (1 << i) != 0).collect()))
                    .filter(|g| q.mark(g).unwrap().right)
                    .collect();
                assert_eq!(rights, vec![Given::Set(implied)], "{q:?}");
                rights
            }
        };
        assert_eq!(rights.len(), 1, "{q:?}");
        // A wrong answer names something to reread; a right one nothing.
        let right = q.mark(&rights[0]).unwrap();
        assert!(right.reread.is_empty());
    }
    let all_right: Vec<Marked> = drill.questions.iter().map(|q| q.mark(&right_answer(q)).unwrap()).collect();
    let score = drill.score(&all_right);
    assert_eq!((score.right(), score.asked()), (drill.questions.len(), drill.questions.len()));
}

fn right_answer(q: &Question) -> Given {
    match &q.key {
        Key::One(i) => Given::One(*i),
        Key::Order(v) => Given::Order(v.clone()),
        Key::Set(v) => Given::Set(v.clone()),
    }
}

fn limits() -> impl Strategy<Value = Money> {
    prop_oneof![Just(0i64), Just(8), Just(50), Just(250), Just(2000), 0i64..400].prop_map(Money::whole)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn every_default_playbook_drills_with_one_right_answer_per_question(
        which in any::<usize>(), seed in any::<u64>(), wanted in 1usize..20, limit in limits(),
    ) {
        let all = &built_in().playbooks;
        let drill = generate(&all[which % all.len()], seed, wanted, limit);
        prop_assert!(!drill.questions.is_empty() && drill.questions.len() <= wanted);
        exactly_one_right_answer(&drill);
        // The same seed, the same drill.
        let again = generate(&all[which % all.len()], seed, wanted, limit);
        prop_assert_eq!(format!("{:?}", drill.questions), format!("{:?}", again.questions));
    }

    #[test]
    fn random_valid_libraries_drill_with_one_right_answer_per_question(
        text in a_playbook(), seed in any::<u64>(), wanted in 1usize..20, limit in limits(),
    ) {
        let lib = Library::from_memory(vec![
            ("policy.yaml".into(), "currency: EUR\nroles: {staff: 50, supervisor: 250, manager: 2000}\n".into()),
            ("p.yaml".into(), text.clone()),
        ]);
        prop_assert!(!lib.has_errors(), "{:?}\n{}", lib.problems, text);
        let drill = generate(&lib.playbooks[0], seed, wanted, limit);
        exactly_one_right_answer(&drill);
    }
}

#[test]
fn an_amend_replaced_at_the_drills_severity_is_never_a_right_answer() {
    let lib = built_in();
    let pb = lib.playbooks.iter().find(|p| p.kind == "wrong-order").expect("wrong-order");
    for seed in 0..40 {
        let drill = generate(pb, seed, DEFAULT_QUESTIONS, Money::whole(1000));
        for q in drill.questions.iter().filter(|q| q.ask == Ask::Amends) {
            let Key::Set(key) = &q.key else { panic!("a set") };
            for &i in key {
                let Opt::Step(s) = q.options[i] else { panic!("a step") };
                assert!(
                    pb.amends_at(drill.severity).iter().any(|o| o.id == s.id),
                    "seed {seed}: {} is replaced",
                    s.id
                );
            }
        }
    }
}

#[test]
fn a_default_drill_asks_one_of_each_kind() {
    for pb in &built_in().playbooks {
        let drill = generate(pb, 7, DEFAULT_QUESTIONS, Money::whole(50));
        let kinds: Vec<&str> = drill.questions.iter().map(|q| q.ask.key()).collect();
        for kind in ["first", "phase_order", "say", "amends"] {
            assert!(kinds.contains(&kind), "{}: {kinds:?}", pb.kind);
        }
        assert_eq!(drill.questions.len(), DEFAULT_QUESTIONS, "{}: {kinds:?}", pb.kind);
    }
}

/// Texts from small pools, so that steps often read alike and the generator must cope.
fn pool(prefix: &'static str, size: usize) -> impl Strategy<Value = String> {
    (0..size).prop_map(move |i| format!("{prefix} {i}"))
}

prop_compose! {
    fn a_step(phase: Phase)(
        action in pool("do", 5),
        say in prop::option::weighted(0.4, pool("say", 4)),
        cost in 0u32..300,
        severity in prop::option::of(prop::sample::select(Severity::ALL.to_vec())),
        within in prop::option::weighted(0.8, prop::sample::select(vec!["15m", "1h", "24h", "48h", "2d", "7d"])),
    ) -> String {
        let mut s = format!("      do: \"{action}\"\n");
        if let Some(say) = say {
            s += &format!("      say: \"{say}\"\n");
        }
        match phase {
            Phase::Amend => {
                s += &format!("      cost: {cost}\n");
                if let Some(sev) = severity {
                    s += &format!("      severity: {sev}\n");
                }
            }
            Phase::FollowUp => {
                if let Some(w) = within {
                    s += &format!("      within: {w}\n");
                }
            }
            _ => {}
        }
        s
    }
}

prop_compose! {
    fn a_playbook()(
        apologise in prop::collection::vec(a_step(Phase::Apologise), 1..4),
        fix in prop::collection::vec(a_step(Phase::Fix), 1..8),
        amend in prop::collection::vec(a_step(Phase::Amend), 0..9),
        follow_up in prop::collection::vec(a_step(Phase::FollowUp), 0..4),
        never in prop::collection::btree_set(0usize..8, 0..6),
        points in prop::collection::btree_set(0usize..5, 0..4),
    ) -> String {
        let mut s = String::from("type: p\ntitle: P\nsummary: S\n");
        if !points.is_empty() {
            let points: Vec<String> = points.iter().map(|i| format!("point {i}")).collect();
            s += &format!("failure_points: [{}]\n", points.join(", "));
        }
        s += "phases:\n";
        let mut n = 0;
        for (key, steps) in [("apologise", apologise), ("fix", fix), ("amend", amend), ("follow_up", follow_up)] {
            s += &format!("  {key}:\n");
            for step in steps {
                n += 1;
                s += &format!("    - id: s{n}\n{step}");
            }
        }
        if !never.is_empty() {
            s += "never_say:\n";
            for i in never {
                s += &format!("  - phrase: \"never {i}\"\n    why: \"because {i}\"\n");
            }
        }
        s
    }
}
