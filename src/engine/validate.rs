//! What an incident from elsewhere (an `import`) must be before it joins the log: the same
//! promises a session recorded here keeps, so that no later read can trip on it.

use std::collections::HashSet;

use super::{Incident, MAX_TEXT_CHARS, Outcome};
use crate::money::Money;
use crate::playbook::check::is_slug;
use crate::playbook::{Phase, Playbook};

/// Longest incident id or uid accepted: ours are 7 and 36 characters.
const MAX_ID_CHARS: usize = 64;

/// True for what ids and uids are made of: ASCII letters, digits and `-`, `_`, `.`, `:`.
/// Nothing else, so an id can never carry a terminal escape or a line break into output.
fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_CHARS
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Why `text`, a note, name or reference, cannot be recorded: longer than
/// [`MAX_TEXT_CHARS`]. The one rule every text that enters the log goes through.
#[must_use]
pub fn text_too_long(what: &str, text: &str) -> Option<String> {
    // No more bytes than the limit: no more characters either (counted only when needed).
    if text.len() <= MAX_TEXT_CHARS {
        return None;
    }
    let n = text.chars().count();
    (n > MAX_TEXT_CHARS).then(|| format!("{what} is {n} characters long, over the limit of {MAX_TEXT_CHARS}"))
}

/// Shows a value in a message: at most a few dozen characters, escapes spelled out.
fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(40).flat_map(char::escape_debug).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// Every problem with `incident`, in plain words; empty when it may be imported.
/// `playbook` is this library's playbook of its type, if it has one: a follow-up must be
/// for a step the incident records as done, or one of that playbook's follow-up steps.
#[must_use]
pub fn validate(incident: &Incident, playbook: Option<&Playbook>) -> Vec<String> {
    let mut out = Vec::new();
    if incident.uid.is_empty() {
        out.push("`uid` is empty (every incident needs its global id)".to_owned());
    } else if !is_id(&incident.uid) {
        out.push(format!(
            "`uid` \"{}\" is not an id (letters, digits and - _ . : only)",
            shown(&incident.uid)
        ));
    }
    if !incident.id.is_empty() && !is_id(&incident.id) {
        out.push(format!("`id` \"{}\" is not an id (letters, digits and - _ . : only)", shown(&incident.id)));
    }
    if !is_slug(&incident.kind) {
        out.push(format!(
            "`type` \"{}\" is not a type (lowercase letters, digits and -)",
            shown(&incident.kind)
        ));
    }
    let currency = &incident.currency;
    if currency.is_empty() || currency.len() > 8 || !currency.bytes().all(|b| b.is_ascii_alphanumeric()) {
        out.push(format!("`currency` \"{}\" is not a currency code", shown(currency)));
    }
    // What is named in a message is only spelled out for a problem: an import checks
    // every incident of a file, nearly all of them sound.
    let mut amount = |what: &dyn Fn() -> String, m: Money| {
        if m.is_negative() {
            out.push(format!("{} {m} is negative", what()));
        } else if let Some(why) = m.unfit_for(currency) {
            out.push(format!("{} {why}", what()));
        }
    };
    amount(&|| "`limit`".to_owned(), incident.limit);
    amount(&|| "`amends_total`".to_owned(), incident.amends_total);
    for s in &incident.steps {
        if let Some(cost) = s.cost {
            amount(&|| format!("the cost of step `{}`", shown(&s.id)), cost);
        }
    }
    let mut texts: Vec<(Named, &str)> =
        vec![(Named::Field("`staff`"), &incident.staff), (Named::Field("`role`"), &incident.role)];
    texts.extend(incident.reference.as_deref().map(|r| (Named::Field("`ref`"), r)));
    texts.extend(incident.failure_point.as_deref().map(|r| (Named::Field("`failure_point`"), r)));
    texts.extend(incident.failure_note.as_deref().map(|r| (Named::Field("`failure_note`"), r)));
    if let Some(g) = &incident.guest {
        texts.extend(g.words.as_deref().map(|r| (Named::Field("`guest.words`"), r)));
        texts.extend(g.contact.as_deref().map(|r| (Named::Field("`guest.contact`"), r)));
        if g.contact.is_some() && !g.consent {
            out.push("`guest.contact` is given without the guest's consent (`consent: true`)".into());
        }
    }
    let mut ids = HashSet::new();
    for s in &incident.steps {
        if !is_slug(&s.id) {
            out.push(format!(
                "step id \"{}\" is not a step id (lowercase letters, digits and -)",
                shown(&s.id)
            ));
        } else if !ids.insert(s.id.as_str()) {
            out.push(format!("step `{}` is recorded twice", s.id));
        }
        for (what, text) in
            [("choice", &s.choice), ("note", &s.note), ("reason", &s.reason), ("approved_by", &s.approved_by)]
        {
            texts.extend(text.as_deref().map(|t| (Named::OfStep(what, &s.id), t)));
        }
    }
    let mut follow_ups = HashSet::new();
    for f in &incident.follow_ups {
        let scheduled = incident.steps.iter().any(|s| s.id == f.step && s.outcome == Outcome::Done)
            || playbook.is_some_and(|p| p.phases.steps(Phase::FollowUp).iter().any(|s| s.id == f.step));
        if !scheduled {
            out.push(format!("follow-up `{}` is for a step that does not exist", shown(&f.step)));
        } else if !follow_ups.insert(f.step.as_str()) {
            out.push(format!("follow-up `{}` is recorded twice", f.step));
        }
        texts.extend(f.note.as_deref().map(|t| (Named::FollowUpNote(&f.step), t)));
        texts.extend(f.done_by.as_deref().map(|t| (Named::ClosedBy(&f.step), t)));
    }
    out.extend(
        texts
            .iter()
            .filter(|(_, text)| text.len() > MAX_TEXT_CHARS)
            .filter_map(|(what, text)| text_too_long(&what.to_string(), text)),
    );
    // No one types a NUL, and SQLite's text functions stop at one (the report's row of an
    // incident would lose what follows it): refused like any other damage.
    out.extend(
        texts
            .iter()
            .filter(|(_, text)| text.contains('\0'))
            .map(|(what, _)| format!("{what} holds a NUL character")),
    );
    out
}

/// What a text of an incident is, for [`validate`]'s message if it is too long.
enum Named<'a> {
    Field(&'static str),
    /// `what` of the step with this id.
    OfStep(&'static str, &'a str),
    FollowUpNote(&'a str),
    ClosedBy(&'a str),
}

impl std::fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Named::Field(name) => f.write_str(name),
            Named::OfStep(what, step) => write!(f, "the {what} of step `{}`", shown(step)),
            Named::FollowUpNote(step) => write!(f, "the note of follow-up `{}`", shown(step)),
            Named::ClosedBy(step) => write!(f, "who closed follow-up `{}`", shown(step)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{FollowUp, Status, StepRecord};
    use crate::playbook::Phase;

    fn incident() -> Incident {
        let at = jiff::Timestamp::from_second(1_700_000_000).unwrap();
        let step = |id: &str, phase| StepRecord {
            phase,
            id: id.into(),
            outcome: Outcome::Done,
            at,
            choice: None,
            note: None,
            reason: None,
            cost: None,
            approved_by: None,
            completed_at: None,
            completed_by: None,
            completed_note: None,
        };
        Incident {
            id: "K7Q-4MX".into(),
            uid: "0b6c3a4e-8d2f-4e55-9a61-3f1f4b0c2d11".into(),
            kind: "reservation".into(),
            severity: None,
            staff: "anna".into(),
            role: "staff".into(),
            reference: None,
            started_at: at,
            finished_at: None,
            status: Status::InProgress,
            steps: vec![step("own-it", Phase::Apologise), step("call", Phase::FollowUp)],
            amends_total: Money::ZERO,
            currency: "EUR".into(),
            limit: Money::whole(50),
            approver_role: None,
            failure_point: None,
            failure_note: None,
            failure_answered: false,
            abandoned_by: None,
            abandon_reason: None,
            guest: None,
            servqual: Vec::new(),
            follow_ups: vec![FollowUp {
                step: "call".into(),
                due: at,
                done_at: None,
                outcome: None,
                done_by: None,
                note: None,
            }],
        }
    }

    #[test]
    fn a_nul_in_a_text_is_refused() {
        let mut i = incident();
        i.steps[0].reason = Some("guest\0declined".into());
        i.failure_point = Some("desk\0".into());
        assert_eq!(
            validate(&i, None),
            ["`failure_point` holds a NUL character", "the reason of step `own-it` holds a NUL character"]
        );
    }

    #[test]
    fn a_sound_incident_passes() {
        assert_eq!(validate(&incident(), None), Vec::<String>::new());
    }

    #[test]
    fn finds_every_problem() {
        let mut i = incident();
        i.uid = String::new();
        i.id = "\u{1b}]52;c;x\u{7}".into();
        i.reference = Some("r".repeat(MAX_TEXT_CHARS + 1));
        i.steps.push(i.steps[0].clone());
        i.steps[0].cost = Some("-5".parse().unwrap());
        i.follow_ups[0].step = "nope".into();
        i.limit = "10.125".parse().unwrap();
        let found = validate(&i, None).join("\n");
        for needle in [
            "`uid` is empty",
            "\\u{1b}]52",
            "negative",
            "twice",
            "does not exist",
            "`ref` is 2001",
            "decimal places",
        ] {
            assert!(found.contains(needle), "{needle}: {found}");
        }
    }
}
