//! The three drivers of the engine (terminal prompts, an answers file, `--yes`) and the
//! loop they share: ask, check, save, apply, until nothing is left.

pub mod answers;
pub mod terminal;
pub mod yes;

use crate::clock;
use crate::engine::{Answer, Event, Question, Rule, Session};
use crate::error::Error;
use crate::store::Store;

/// Something that answers the engine's questions.
pub trait Driver {
    /// The answer to `question`.
    fn ask(&mut self, session: &Session, question: &Question) -> Result<Answer, Error>;

    /// An answer broke a rule. A person is told and asked again (`Ok`); a script fails.
    fn rejected(&mut self, rule: Rule) -> Result<(), Error> {
        Err(Error::Rule(rule))
    }
}

/// Something that keeps what the session records: the log, or nothing (a dry run).
pub trait Sink {
    /// Saves the events of one answer before the next question is asked.
    fn save(&mut self, uid: &str, events: &[Event]) -> Result<(), Error>;
}

impl<S: Store + ?Sized> Sink for S {
    fn save(&mut self, uid: &str, events: &[Event]) -> Result<(), Error> {
        Ok(self.append(uid, events)?)
    }
}

/// A sink that keeps nothing: for checking an answers file before anything is recorded.
pub struct DryRun;

impl Sink for DryRun {
    fn save(&mut self, _: &str, _: &[Event]) -> Result<(), Error> {
        Ok(())
    }
}

/// Runs the session to its end: every answer is saved before the next question is shown,
/// so an interruption loses nothing that was answered.
pub fn drive(session: &mut Session, driver: &mut dyn Driver, sink: &mut dyn Sink) -> Result<(), Error> {
    let uid = session.incident().uid.clone();
    while let Some(question) = session.next_question() {
        let preset = session.preset(&question);
        let given = preset.is_some();
        let answer = match preset {
            Some(answer) => answer,
            None => driver.ask(session, &question)?,
        };
        match session.decide(answer, clock::now()) {
            Ok(events) => {
                sink.save(&uid, &events)?;
                session.apply(&events);
            }
            // A value given up front is not asked again: it is the caller's error.
            Err(rule) if given => return Err(Error::Rule(rule)),
            Err(rule) => driver.rejected(rule)?,
        }
    }
    let events = session.finish(clock::now())?;
    if !events.is_empty() {
        sink.save(&uid, &events)?;
        session.apply(&events);
    }
    Ok(())
}
