//! Training drills: questions generated from a playbook (never written by hand), the
//! answers marked, and a score per phase. Like the rest of the engine it never prints or
//! prompts; the terminal, an answers file and `--json` drive it. The same seed always
//! gives the same drill, so a trainer can hand a colleague "drill 4711" to redo.

use crate::duration::Within;
use crate::money::Money;
use crate::playbook::check::texts_overlap;
use crate::playbook::{NeverSay, Phase, Playbook, Severity, Step};
use crate::text::{Choice, Text};

/// Questions in a drill unless told otherwise: one of each kind.
pub const DEFAULT_QUESTIONS: usize = 6;
/// The most questions a drill asks; more are not practice but a test of patience.
pub const MAX_QUESTIONS: usize = 50;
/// The most options a question shows.
const MAX_OPTIONS: usize = 4;
/// The most steps an ordering question or the amends question shows.
const MAX_ITEMS: usize = 6;
/// Follow-up times offered beside the right one.
const DUE_LADDER: [i64; 7] = [15, 60, 4 * 60, 24 * 60, 48 * 60, 72 * 60, 7 * 24 * 60];

/// A deterministic random source (SplitMix64): small, and the same everywhere, so a seed
/// written down today gives the same drill on every machine and version.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        // Modulo bias is irrelevant for lists of a few items.
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }

    /// Shuffles in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Which playbook of `count` a drill without `--type` practises.
#[must_use]
pub fn pick_playbook(seed: u64, count: usize) -> usize {
    Rng::new(seed ^ 0x5EED).below(count)
}

/// What a question asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// What do you do first?
    First,
    /// Put these steps, one from each phase, in order.
    PhaseOrder,
    /// Put this phase's steps in order.
    StepOrder(Phase),
    /// Which of these would you say?
    Say,
    /// Which amends can you give on your own, at this severity, in your role?
    Amends,
    /// When is this follow-up due?
    Due,
}

impl Ask {
    /// The name scripts see.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Ask::First => "first",
            Ask::PhaseOrder => "phase_order",
            Ask::StepOrder(_) => "step_order",
            Ask::Say => "say",
            Ask::Amends => "amends",
            Ask::Due => "due",
        }
    }

    /// How it is answered.
    #[must_use]
    pub fn shape(self) -> Shape {
        match self {
            Ask::First | Ask::Say | Ask::Due => Shape::Pick,
            Ask::PhaseOrder | Ask::StepOrder(_) => Shape::Order,
            Ask::Amends => Shape::Set,
        }
    }
}

/// The form of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One option.
    Pick,
    /// Every option, in order.
    Order,
    /// Any options, none included.
    Set,
}

/// One option as shown.
#[derive(Clone, Copy, Debug)]
pub enum Opt<'p> {
    /// A step, shown by what to do.
    Step(&'p Step),
    /// A step's words to say.
    Say(&'p Step),
    /// A phrase never to say.
    Never(&'p NeverSay),
    /// A follow-up time.
    Within(Within),
}

impl Opt<'_> {
    /// Whether two options could read the same to the person choosing.
    fn clashes(&self, other: &Opt) -> bool {
        match (self.text(), other.text()) {
            (Some(a), Some(b)) => texts_overlap(a, b),
            _ => matches!((self, other), (Opt::Within(a), Opt::Within(b)) if a == b),
        }
    }

    /// The text shown, for text options.
    #[must_use]
    pub fn text(&self) -> Option<&Text> {
        match self {
            Opt::Step(s) => Some(&s.action),
            Opt::Say(s) => s.say.as_ref(),
            Opt::Never(n) => Some(&n.phrase),
            Opt::Within(_) => None,
        }
    }
}

/// The right answer, by option index from 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    /// This option.
    One(usize),
    /// The options in this order.
    Order(Vec<usize>),
    /// Exactly these options, in option order.
    Set(Vec<usize>),
}

/// One question of a drill.
#[derive(Clone, Debug)]
pub struct Question<'p> {
    /// What it asks.
    pub ask: Ask,
    /// The phase its score counts for.
    pub phase: Phase,
    /// The options, in the order shown.
    pub options: Vec<Opt<'p>>,
    /// The right answer.
    pub key: Key,
    /// For `Due`: the follow-up asked about.
    pub step: Option<&'p Step>,
}

/// A drill: one scenario and its questions.
#[derive(Clone, Debug)]
pub struct Drill<'p> {
    /// The playbook practised.
    pub playbook: &'p Playbook,
    /// What makes it repeatable.
    pub seed: u64,
    /// The scenario's severity, which decides the amends.
    pub severity: Severity,
    /// Where the scenario went wrong, if the playbook lists failure points.
    pub failure_point: Option<&'p Choice>,
    /// The drill taker's limit, from their role in the policy.
    pub limit: Money,
    /// The questions, in the order asked.
    pub questions: Vec<Question<'p>>,
}

/// Generates the drill for `playbook`, `seed` and the taker's `limit`: at most `wanted`
/// questions, one of each kind before any kind twice.
#[must_use]
pub fn generate(playbook: &Playbook, seed: u64, wanted: usize, limit: Money) -> Drill<'_> {
    let mut rng = Rng::new(seed);
    let severity = Severity::ALL[rng.below(Severity::ALL.len())];
    let failure_point = (!playbook.failure_points.is_empty())
        .then(|| &playbook.failure_points[rng.below(playbook.failure_points.len())]);
    let kinds: Vec<Vec<Question>> = vec![
        first(playbook, &mut rng).into_iter().collect(),
        phase_order(playbook, &mut rng).into_iter().collect(),
        [Phase::Apologise, Phase::Fix]
            .into_iter()
            .filter_map(|p| step_order(playbook, p, &mut rng))
            .collect(),
        say(playbook, &mut rng),
        amends(playbook, severity, limit, &mut rng).into_iter().collect(),
        due(playbook, &mut rng),
    ];
    // Round by round, one random question of each kind still holding some; then shown in
    // the order a recovery runs.
    let mut next = 0;
    let mut left: Vec<Vec<(usize, Question)>> = Vec::new();
    for kind in kinds {
        let numbered = kind.into_iter().map(|q| (next, q)).collect::<Vec<_>>();
        next += numbered.len();
        left.push(numbered);
    }
    let wanted = wanted.min(MAX_QUESTIONS);
    let mut picked: Vec<(usize, Question)> = Vec::new();
    while picked.len() < wanted && left.iter().any(|k| !k.is_empty()) {
        for kind in &mut left {
            if picked.len() < wanted && !kind.is_empty() {
                let i = rng.below(kind.len());
                picked.push(kind.remove(i));
            }
        }
    }
    picked.sort_by_key(|(i, _)| *i);
    Drill {
        playbook,
        seed,
        severity,
        failure_point,
        limit,
        questions: picked.into_iter().map(|(_, q)| q).collect(),
    }
}

/// `candidates` without any that could be mistaken for `keep` or for one kept before.
fn distinct<'p>(keep: &[Opt<'p>], candidates: Vec<Opt<'p>>) -> Vec<Opt<'p>> {
    let mut out: Vec<Opt<'p>> = Vec::new();
    for c in candidates {
        if !keep.iter().chain(&out).any(|o| o.clashes(&c)) {
            out.push(c);
        }
    }
    out
}

/// Options shuffled, with where each original went.
fn shuffled<'p>(rng: &mut Rng, options: Vec<Opt<'p>>) -> (Vec<Opt<'p>>, Vec<usize>) {
    let mut order: Vec<usize> = (0..options.len()).collect();
    rng.shuffle(&mut order);
    // Items already in the right order would teach nothing: turn them once.
    if order.len() > 1 && order.windows(2).all(|w| w[0] < w[1]) {
        order.rotate_left(1);
    }
    let shown = order.iter().map(|&i| options[i]).collect();
    let mut place = vec![0; options.len()];
    for (pos, &i) in order.iter().enumerate() {
        place[i] = pos;
    }
    (shown, place)
}

fn first<'p>(pb: &'p Playbook, rng: &mut Rng) -> Option<Question<'p>> {
    let right = Opt::Step(pb.phases.apologise.first()?);
    let mut others: Vec<Opt> = pb.all_steps().skip(1).map(|(_, s)| Opt::Step(s)).collect();
    rng.shuffle(&mut others);
    let mut others = distinct(&[right], others);
    others.truncate(MAX_OPTIONS - 1);
    if others.is_empty() {
        return None;
    }
    let mut options = vec![right];
    options.extend(others);
    let (options, place) = shuffled(rng, options);
    Some(Question { ask: Ask::First, phase: Phase::Apologise, options, key: Key::One(place[0]), step: None })
}

fn in_order<'p>(rng: &mut Rng, ask: Ask, phase: Phase, items: Vec<Opt<'p>>) -> Option<Question<'p>> {
    let items = distinct(&[], items);
    if items.len() < 2 {
        return None;
    }
    let (options, place) = shuffled(rng, items);
    Some(Question { ask, phase, options, key: Key::Order(place), step: None })
}

fn phase_order<'p>(pb: &'p Playbook, rng: &mut Rng) -> Option<Question<'p>> {
    let mut items = Vec::new();
    for phase in Phase::ALL {
        let steps = pb.phases.steps(phase);
        if !steps.is_empty() {
            items.push(Opt::Step(&steps[rng.below(steps.len())]));
        }
    }
    // Two picks that read alike would make two orders right: then there is no question.
    let n = items.len();
    let q = in_order(rng, Ask::PhaseOrder, Phase::Apologise, items)?;
    (q.options.len() == n).then_some(q)
}

fn step_order<'p>(pb: &'p Playbook, phase: Phase, rng: &mut Rng) -> Option<Question<'p>> {
    let steps = pb.phases.steps(phase);
    let mut keep: Vec<usize> = (0..steps.len()).collect();
    while keep.len() > MAX_ITEMS {
        keep.remove(rng.below(keep.len()));
    }
    let items: Vec<Opt> = keep.iter().map(|&i| Opt::Step(&steps[i])).collect();
    let n = items.len();
    let q = in_order(rng, Ask::StepOrder(phase), phase, items)?;
    (q.options.len() == n).then_some(q)
}

fn say<'p>(pb: &'p Playbook, rng: &mut Rng) -> Vec<Question<'p>> {
    let mut out = Vec::new();
    for (phase, step) in pb.all_steps().filter(|(_, s)| s.say.is_some()) {
        let right = Opt::Say(step);
        let mut never: Vec<Opt> = pb.never_say.iter().map(Opt::Never).collect();
        rng.shuffle(&mut never);
        let mut never = distinct(&[right], never);
        never.truncate(MAX_OPTIONS - 1);
        if never.is_empty() {
            continue;
        }
        let mut options = vec![right];
        options.extend(never);
        let (options, place) = shuffled(rng, options);
        out.push(Question { ask: Ask::Say, phase, options, key: Key::One(place[0]), step: Some(step) });
    }
    out
}

fn amends<'p>(pb: &'p Playbook, severity: Severity, limit: Money, rng: &mut Rng) -> Option<Question<'p>> {
    let steps = &pb.phases.amend;
    let mut keep: Vec<usize> = (0..steps.len()).collect();
    while keep.len() > MAX_ITEMS {
        keep.remove(rng.below(keep.len()));
    }
    let items: Vec<Opt> = keep.iter().map(|&i| Opt::Step(&steps[i])).collect();
    let n = items.len();
    let items = distinct(&[], items);
    if items.is_empty() || items.len() != n {
        return None;
    }
    let (options, _) = shuffled(rng, items);
    let key = options
        .iter()
        .enumerate()
        .filter(|(_, o)| matches!(o, Opt::Step(s) if super::within_own_authority(pb, s, severity, limit)))
        .map(|(i, _)| i)
        .collect();
    Some(Question { ask: Ask::Amends, phase: Phase::Amend, options, key: Key::Set(key), step: None })
}

fn due<'p>(pb: &'p Playbook, rng: &mut Rng) -> Vec<Question<'p>> {
    let mut out = Vec::new();
    for step in &pb.phases.follow_up {
        let Some(right) = step.within else { continue };
        let mut times: Vec<Opt> = DUE_LADDER
            .iter()
            .map(|&m| Within::from_minutes(m))
            .chain(pb.phases.follow_up.iter().filter_map(|s| s.within))
            .map(Opt::Within)
            .collect();
        rng.shuffle(&mut times);
        let mut times = distinct(&[Opt::Within(right)], times);
        times.truncate(MAX_OPTIONS - 1);
        let mut options = vec![Opt::Within(right)];
        options.extend(times);
        let (options, place) = shuffled(rng, options);
        out.push(Question {
            ask: Ask::Due,
            phase: Phase::FollowUp,
            options,
            key: Key::One(place[0]),
            step: Some(step),
        });
    }
    out
}

mod mark;

pub use mark::{Given, Marked, Score};

#[cfg(test)]
mod props;
