//! The three drivers of the engine (terminal prompts, an answers file, `--yes`) and the
//! loop they share: ask, check, save, apply, until nothing is left.

pub mod answers;
pub mod terminal;
pub mod yes;

use crate::clock;
use crate::engine::{Answer, Event, NoteOn, Question, Rule, Session};
use crate::error::Error;
use crate::store::{Store, StoreError};

/// Something that answers the engine's questions.
pub trait Driver {
    /// The answer to `question`.
    fn ask(&mut self, session: &Session, question: &Question) -> Result<Answer, Error>;

    /// An answer broke a rule. A person is told and asked again (`Ok`); a script fails.
    fn rejected(&mut self, rule: Rule) -> Result<(), Error> {
        Err(Error::Rule(rule))
    }

    /// A note to add to a step whose answer was just saved, as `(step, note)`: the
    /// terminal asks for it only then, so Ctrl-C at the note never loses the answer.
    fn note_after_saving(&mut self, _session: &Session) -> Result<Option<(NoteOn, String)>, Error> {
        Ok(None)
    }

    /// Whether a person typed the answers: then a busy log is waited for as long as it
    /// takes, the answer kept in memory, rather than failing and losing what was typed.
    fn waits_for_busy_log(&self) -> bool {
        false
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
                save(sink, driver.waits_for_busy_log(), &uid, &events)?;
                session.apply(&events);
                if let Some((on, note)) = driver.note_after_saving(session)? {
                    match session.note(&on, note) {
                        Ok(events) => {
                            save(sink, driver.waits_for_busy_log(), &uid, &events)?;
                            session.apply(&events);
                        }
                        Err(rule) => driver.rejected(rule)?,
                    }
                }
            }
            // A value given up front is not asked again: it is the caller's error.
            Err(rule) if given => return Err(Error::Rule(rule)),
            Err(rule) => driver.rejected(rule)?,
        }
    }
    let events = session.finish(clock::now())?;
    if !events.is_empty() {
        save(sink, driver.waits_for_busy_log(), &uid, &events)?;
        session.apply(&events);
    }
    Ok(())
}

/// Saves one answer's events. When `wait`, a log another terminal keeps busy (each try
/// waits for it as long as any write does) is tried again until it is free, with a line on
/// stderr saying so: a person's typed answer is never lost to a busy log. Ctrl-C still
/// stops it, with the resume hint.
fn save(sink: &mut dyn Sink, wait: bool, uid: &str, events: &[Event]) -> Result<(), Error> {
    let mut waiting = false;
    loop {
        match sink.save(uid, events) {
            Err(Error::Store(StoreError::Busy { .. })) if wait => {
                if !waiting {
                    eprintln!(
                        "recover: log busy, waiting… (another recover is writing; your answer is kept)"
                    );
                    waiting = true;
                }
            }
            done => {
                if waiting && done.is_ok() {
                    eprintln!("recover: log free again; your answer is saved");
                }
                return done;
            }
        }
    }
}
