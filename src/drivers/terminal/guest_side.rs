//! The guest's side, asked once the answers are saved: a few keystrokes, Enter skips each.

use super::Terminal;
use crate::engine::{GuestSide, Satisfied};
use crate::error::Error;
use crate::i18n as ui;

impl Terminal<'_> {
    /// The guest's words, whether they were satisfied, and a contact only if they agree to
    /// be contacted (the question says so first: typing one is the consent). Enter at each
    /// leaves it out.
    pub fn guest_side(&self) -> Result<GuestSide, Error> {
        self.heading(ui::t(&self.lang, "guest_heading"));
        let words = self.input(ui::t(&self.lang, "guest_words"), false)?;
        let items: Vec<String> = std::iter::once("guest_not_asked")
            .chain(Satisfied::ALL.map(|s| match s {
                Satisfied::Yes => "satisfied_yes",
                Satisfied::Partly => "satisfied_partly",
                Satisfied::No => "satisfied_no",
            }))
            .map(|k| ui::t(&self.lang, k).to_owned())
            .collect();
        let picked = self.select(ui::t(&self.lang, "guest_satisfied"), &items, 0)?;
        let satisfied = picked.checked_sub(1).and_then(|k| Satisfied::ALL.get(k).copied());
        let contact = self.input(ui::t(&self.lang, "guest_contact"), false)?;
        Ok(GuestSide { words, satisfied, consent: contact.is_some(), contact })
    }
}
