//! Marking a drill's answers: right or wrong, what to reread, and the score per phase.

use super::{Drill, Key, Opt, Question, Shape};
use crate::playbook::{Phase, Step};

/// An answer as given, by option index from 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Given {
    /// One option.
    One(usize),
    /// The options in the order given.
    Order(Vec<usize>),
    /// The options picked (any order, maybe none).
    Set(Vec<usize>),
}

/// An answer that does not fit its question; nothing is marked or recorded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unfit {
    /// A single option was wanted.
    #[error("pick one option number from 1 to {count}")]
    One {
        /// How many options there are.
        count: usize,
    },
    /// Every option, in order, was wanted.
    #[error("give all {count} option numbers, each once, in the order you would do them")]
    Order {
        /// How many options there are.
        count: usize,
    },
    /// A list of distinct options (maybe empty) was wanted.
    #[error(
        "give the numbers of every option that applies, each once (an empty list for none), from 1 to {count}"
    )]
    Set {
        /// How many options there are.
        count: usize,
    },
}

/// One question marked.
#[derive(Clone, Debug)]
pub struct Marked<'p> {
    /// Whether the answer was right.
    pub right: bool,
    /// Options given that were wrong (a never-say phrase picked, an amend beyond authority).
    pub wrong: Vec<usize>,
    /// Options left out that were right (amends one could have given).
    pub missed: Vec<usize>,
    /// Steps worth reading again, when wrong.
    pub reread: Vec<&'p Step>,
}

impl<'p> Question<'p> {
    /// Checks `given` fits this question, then marks it.
    pub fn mark(&self, given: &Given) -> Result<Marked<'p>, Unfit> {
        let count = self.options.len();
        let fits = |i: &usize| *i < count;
        let unique = |v: &[usize]| v.iter().enumerate().all(|(n, i)| !v[..n].contains(i));
        match (self.ask.shape(), given) {
            (Shape::Pick, Given::One(i)) if fits(i) => {}
            (Shape::Pick, _) => return Err(Unfit::One { count }),
            (Shape::Order, Given::Order(v)) if v.len() == count && v.iter().all(fits) && unique(v) => {}
            (Shape::Order, _) => return Err(Unfit::Order { count }),
            (Shape::Set, Given::Set(v)) if v.iter().all(fits) && unique(v) => {}
            (Shape::Set, _) => return Err(Unfit::Set { count }),
        }
        let (right, wrong, missed) = match (&self.key, given) {
            (Key::One(k), Given::One(i)) => (k == i, if k == i { vec![] } else { vec![*i] }, vec![]),
            (Key::Order(k), Given::Order(v)) => (k == v, vec![], vec![]),
            (Key::Set(k), Given::Set(v)) => {
                let wrong: Vec<usize> = v.iter().copied().filter(|i| !k.contains(i)).collect();
                let missed: Vec<usize> = k.iter().copied().filter(|i| !v.contains(i)).collect();
                (wrong.is_empty() && missed.is_empty(), wrong, missed)
            }
            // The shape was checked above against the question, whose key has that shape.
            _ => (false, vec![], vec![]),
        };
        let reread = if right { Vec::new() } else { self.reread(&wrong, &missed) };
        Ok(Marked { right, wrong, missed, reread })
    }

    /// The steps a wrong answer points back to.
    fn reread(&self, wrong: &[usize], missed: &[usize]) -> Vec<&'p Step> {
        let step_of = |o: &Opt<'p>| match *o {
            Opt::Step(s) | Opt::Say(s) => Some(s),
            Opt::Never(_) | Opt::Within(_) => None,
        };
        match (&self.key, self.step) {
            (_, Some(step)) => vec![step],
            (Key::One(k), None) => step_of(&self.options[*k]).into_iter().collect(),
            (Key::Order(_), None) => self.options.iter().filter_map(step_of).collect(),
            (Key::Set(_), None) => {
                let mut at: Vec<usize> = wrong.iter().chain(missed).copied().collect();
                at.sort_unstable();
                at.iter().filter_map(|&i| step_of(&self.options[i])).collect()
            }
        }
    }
}

/// The end of a drill: right answers per phase and what to read again.
#[derive(Clone, Debug, Default)]
pub struct Score<'p> {
    /// Per phase that was asked about, in phase order: (phase, right, asked).
    pub phases: Vec<(Phase, usize, usize)>,
    /// Steps to reread, in playbook order, each once.
    pub reread: Vec<(Phase, &'p Step)>,
}

impl Score<'_> {
    /// Right answers in all.
    #[must_use]
    pub fn right(&self) -> usize {
        self.phases.iter().map(|p| p.1).sum()
    }

    /// Questions in all.
    #[must_use]
    pub fn asked(&self) -> usize {
        self.phases.iter().map(|p| p.2).sum()
    }
}

impl<'p> Drill<'p> {
    /// The score of `marked`, one per question in order.
    #[must_use]
    pub fn score(&self, marked: &[Marked<'p>]) -> Score<'p> {
        let mut phases = Vec::new();
        for phase in Phase::ALL {
            let asked: Vec<bool> = self
                .questions
                .iter()
                .zip(marked)
                .filter(|(q, _)| q.phase == phase)
                .map(|(_, m)| m.right)
                .collect();
            if !asked.is_empty() {
                phases.push((phase, asked.iter().filter(|r| **r).count(), asked.len()));
            }
        }
        let wanted: Vec<&Step> = marked.iter().flat_map(|m| m.reread.iter().copied()).collect();
        let reread =
            self.playbook.all_steps().filter(|(_, s)| wanted.iter().any(|w| std::ptr::eq(*w, *s))).collect();
        Score { phases, reread }
    }
}
