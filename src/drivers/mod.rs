//! The three drivers of the engine (terminal prompts, an answers file, `--yes`) and the
//! loop they share: ask, check, save, apply, until nothing is left.

pub mod answers;
pub mod drill;
pub mod select;
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

/// Runs the session to its end: every answer is saved in `store` before the next question
/// is shown, so an interruption loses nothing that was answered. Without a store (`None`)
/// nothing is kept: a dry run, checking an answers file or `--yes` against the rules
/// before anything is recorded.
pub fn drive(
    session: &mut Session,
    driver: &mut dyn Driver,
    mut store: Option<&mut dyn Store>,
) -> Result<(), Error> {
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
                save(&mut store, driver.waits_for_busy_log(), &uid, &events)?;
                session.apply(&events);
                if let Some((on, note)) = driver.note_after_saving(session)? {
                    match session.note(&on, note) {
                        Ok(events) => {
                            save(&mut store, driver.waits_for_busy_log(), &uid, &events)?;
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
        save(&mut store, driver.waits_for_busy_log(), &uid, &events)?;
        session.apply(&events);
    }
    Ok(())
}

/// Saves one answer's events. When `wait`, a log another terminal keeps busy (each try
/// waits for it as long as any write does) is tried again until it is free, with a line on
/// stderr saying so: a person's typed answer is never lost to a busy log. Ctrl-C still
/// stops it, with the resume hint.
fn save(store: &mut Option<&mut dyn Store>, wait: bool, uid: &str, events: &[Event]) -> Result<(), Error> {
    let Some(store) = store else { return Ok(()) };
    let mut waiting = false;
    loop {
        match store.append(uid, events).map_err(Error::from) {
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
