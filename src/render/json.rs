//! The JSON line of an incident (README "JSON"), written by hand into a byte buffer: what
//! `export` and `log --json` print, a million lines at a time. It writes exactly what
//! serde writes for [`Incident`] (field order, escapes, times with three fractional
//! digits, amounts as strings), which the tests check, but from borrowed parts, so the
//! SQLite log can write it straight from its rows without building an [`Incident`].

use jiff::Timestamp;

use crate::engine::{FollowUp, FollowUpOutcome, Incident, Outcome, Status, StepRecord};
use crate::playbook::{Phase, Servqual, Severity};

mod scalar;
pub use scalar::{string, time};

/// An incident's fields before its steps.
pub struct Head<'a> {
    /// Short id.
    pub id: &'a str,
    /// Global id.
    pub uid: &'a str,
    /// Playbook type.
    pub kind: &'a str,
    /// Severity, once chosen.
    pub severity: Option<Severity>,
    /// Who handled it.
    pub staff: &'a str,
    /// Their role.
    pub role: &'a str,
    /// The customer's reference.
    pub reference: Option<&'a str>,
    /// Start.
    pub started_at: Timestamp,
    /// End.
    pub finished_at: Option<Timestamp>,
    /// Where it stands.
    pub status: Status,
}

/// An incident's fields after its steps, up to its follow-ups.
pub struct Tail<'a> {
    /// Amends given, as [`crate::money::Money`] displays it.
    pub amends_total: &'a str,
    /// Currency.
    pub currency: &'a str,
    /// The role's limit, as [`crate::money::Money`] displays it.
    pub limit: &'a str,
    /// The approver's role.
    pub approver_role: Option<&'a str>,
    /// Failure point.
    pub failure_point: Option<&'a str>,
    /// Said about it (null when `None`).
    pub failure_note: Option<&'a str>,
    /// Whether the failure-point question was answered.
    pub failure_answered: bool,
    /// Who abandoned it (left out when `None`).
    pub abandoned_by: Option<&'a str>,
    /// Why (left out when `None`).
    pub abandon_reason: Option<&'a str>,
    /// The guest's side as JSON text (as [`crate::engine::GuestSide::to_json`] writes it):
    /// left out when none was told (so exports from before it read back byte for byte),
    /// `Some(None)` for null (told, but left out by `--redact`).
    #[allow(clippy::option_option, reason = "left out, null and a value are three JSON shapes")]
    pub guest: Option<Option<&'a str>>,
    /// SERVQUAL dimensions.
    pub servqual: &'a [Servqual],
}

/// One step.
pub struct Step<'a> {
    /// Phase.
    pub phase: Phase,
    /// Step id.
    pub id: &'a str,
    /// Done or skipped.
    pub outcome: Outcome,
    /// When answered.
    pub at: Timestamp,
    /// Option picked.
    pub choice: Option<&'a str>,
    /// Note.
    pub note: Option<&'a str>,
    /// Why skipped.
    pub reason: Option<&'a str>,
    /// Cost, as [`crate::money::Money`] displays it.
    pub cost: Option<&'a str>,
    /// Approver.
    pub approved_by: Option<&'a str>,
    /// When a skipped step was done afterwards.
    pub completed_at: Option<Timestamp>,
    /// Who did it.
    pub completed_by: Option<&'a str>,
    /// What they said.
    pub completed_note: Option<&'a str>,
}

/// One follow-up.
pub struct FollowUpLine<'a> {
    /// Its step.
    pub step: &'a str,
    /// Due.
    pub due: Timestamp,
    /// Done.
    pub done_at: Option<Timestamp>,
    /// How it ended.
    pub outcome: Option<FollowUpOutcome>,
    /// Who closed it.
    pub done_by: Option<&'a str>,
    /// What was said.
    pub note: Option<&'a str>,
}

/// `{"id":…,"status":…,"steps":[`; then [`step`]s separated by commas, [`tail`],
/// [`follow_up`]s separated by commas, and [`end`].
pub fn head(out: &mut Vec<u8>, h: &Head) {
    field(out, b"{\"id\":", h.id);
    field(out, b",\"uid\":", h.uid);
    field(out, b",\"type\":", h.kind);
    out.extend_from_slice(b",\"severity\":");
    optional_key(out, h.severity.map(Severity::key));
    field(out, b",\"staff\":", h.staff);
    field(out, b",\"role\":", h.role);
    out.extend_from_slice(b",\"ref\":");
    optional(out, h.reference);
    out.extend_from_slice(b",\"started_at\":");
    time(out, h.started_at);
    out.extend_from_slice(b",\"finished_at\":");
    optional_time(out, h.finished_at);
    key_field(out, b",\"status\":", h.status.key());
    out.extend_from_slice(b",\"steps\":[");
}

/// One step's object.
pub fn step(out: &mut Vec<u8>, s: &Step) {
    key_field(out, b"{\"phase\":", s.phase.key());
    field(out, b",\"id\":", s.id);
    key_field(out, b",\"outcome\":", s.outcome.key());
    out.extend_from_slice(b",\"at\":");
    time(out, s.at);
    for (name, value) in [
        (&b",\"choice\":"[..], s.choice),
        (b",\"note\":", s.note),
        (b",\"reason\":", s.reason),
        (b",\"cost\":", s.cost),
        (b",\"approved_by\":", s.approved_by),
    ] {
        if let Some(v) = value {
            field(out, name, v);
        }
    }
    if let Some(at) = s.completed_at {
        out.extend_from_slice(b",\"completed_at\":");
        time(out, at);
    }
    for (name, value) in
        [(&b",\"completed_by\":"[..], s.completed_by), (b",\"completed_note\":", s.completed_note)]
    {
        if let Some(v) = value {
            field(out, name, v);
        }
    }
    out.push(b'}');
}

/// Closes the steps and writes the fields up to `"follow_ups":[`.
pub fn tail(out: &mut Vec<u8>, t: &Tail) {
    field(out, b"],\"amends_total\":", t.amends_total);
    field(out, b",\"currency\":", t.currency);
    field(out, b",\"limit\":", t.limit);
    out.extend_from_slice(b",\"approver_role\":");
    optional(out, t.approver_role);
    out.extend_from_slice(b",\"failure_point\":");
    optional(out, t.failure_point);
    out.extend_from_slice(b",\"failure_note\":");
    optional(out, t.failure_note);
    out.extend_from_slice(if t.failure_answered {
        b",\"failure_answered\":true"
    } else {
        b",\"failure_answered\":false"
    });
    for (name, value) in
        [(&b",\"abandoned_by\":"[..], t.abandoned_by), (b",\"abandon_reason\":", t.abandon_reason)]
    {
        if let Some(v) = value {
            field(out, name, v);
        }
    }
    if let Some(guest) = t.guest {
        out.extend_from_slice(b",\"guest\":");
        out.extend_from_slice(guest.unwrap_or("null").as_bytes());
    }
    out.extend_from_slice(b",\"servqual\":[");
    for (k, d) in t.servqual.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        key(out, d.key());
    }
    out.extend_from_slice(b"],\"follow_ups\":[");
}

/// One follow-up's object.
pub fn follow_up(out: &mut Vec<u8>, f: &FollowUpLine) {
    field(out, b"{\"step\":", f.step);
    out.extend_from_slice(b",\"due\":");
    time(out, f.due);
    out.extend_from_slice(b",\"done_at\":");
    optional_time(out, f.done_at);
    out.extend_from_slice(b",\"outcome\":");
    optional_key(out, f.outcome.map(FollowUpOutcome::key));
    out.extend_from_slice(b",\"done_by\":");
    optional(out, f.done_by);
    out.extend_from_slice(b",\"note\":");
    optional(out, f.note);
    out.push(b'}');
}

/// Closes the follow-ups and the object, and ends the line.
pub fn end(out: &mut Vec<u8>) {
    out.extend_from_slice(b"]}\n");
}

/// The whole line of `i` (newline included); `redact` leaves out the reference and notes,
/// as `export --redact` does.
pub fn incident(out: &mut Vec<u8>, i: &Incident, redact: bool) {
    // The text serde writes for it, key for key (a test holds them equal).
    let guest = i.guest.as_ref().map(crate::engine::GuestSide::to_json);
    head(
        out,
        &Head {
            id: &i.id,
            uid: &i.uid,
            kind: &i.kind,
            severity: i.severity,
            staff: &i.staff,
            role: &i.role,
            reference: kept(redact, i.reference.as_deref()),
            started_at: i.started_at,
            finished_at: i.finished_at,
            status: i.status,
        },
    );
    for (k, s) in i.steps.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        incident_step(out, s, redact);
    }
    tail(
        out,
        &Tail {
            amends_total: &i.amends_total.to_string(),
            currency: &i.currency,
            limit: &i.limit.to_string(),
            approver_role: i.approver_role.as_deref(),
            failure_point: i.failure_point.as_deref(),
            failure_note: kept(redact, i.failure_note.as_deref()),
            failure_answered: i.failure_answered,
            abandoned_by: i.abandoned_by.as_deref(),
            abandon_reason: kept(redact, i.abandon_reason.as_deref()),
            guest: guest.as_deref().map(|g| (!redact).then_some(g)),
            servqual: &i.servqual,
        },
    );
    for (k, f) in i.follow_ups.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        incident_follow_up(out, f, redact);
    }
    end(out);
}

fn incident_step(out: &mut Vec<u8>, s: &StepRecord, redact: bool) {
    step(
        out,
        &Step {
            phase: s.phase,
            id: &s.id,
            outcome: s.outcome,
            at: s.at,
            choice: s.choice.as_deref(),
            note: kept(redact, s.note.as_deref()),
            reason: kept(redact, s.reason.as_deref()),
            cost: s.cost.map(|c| c.to_string()).as_deref(),
            approved_by: s.approved_by.as_deref(),
            completed_at: s.completed_at,
            completed_by: s.completed_by.as_deref(),
            completed_note: kept(redact, s.completed_note.as_deref()),
        },
    );
}

fn incident_follow_up(out: &mut Vec<u8>, f: &FollowUp, redact: bool) {
    follow_up(
        out,
        &FollowUpLine {
            step: &f.step,
            due: f.due,
            done_at: f.done_at,
            outcome: f.outcome,
            done_by: f.done_by.as_deref(),
            note: if redact { None } else { f.note.as_deref() },
        },
    );
}

/// A personal field, unless redacted.
fn kept(redact: bool, v: Option<&str>) -> Option<&str> {
    if redact { None } else { v }
}

fn field(out: &mut Vec<u8>, name: &[u8], value: &str) {
    out.extend_from_slice(name);
    string(out, value);
}

/// A keyed enum's key (see [`crate::keyed`]): a plain word, copied between quotes with
/// nothing to escape (the tests compare every line with serde's).
fn key(out: &mut Vec<u8>, key: &'static str) {
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.push(b'"');
}

fn key_field(out: &mut Vec<u8>, name: &[u8], value: &'static str) {
    out.extend_from_slice(name);
    key(out, value);
}

fn optional_key(out: &mut Vec<u8>, value: Option<&'static str>) {
    match value {
        Some(v) => key(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

fn optional(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(v) => string(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

fn optional_time(out: &mut Vec<u8>, t: Option<Timestamp>) {
    match t {
        Some(t) => time(out, t),
        None => out.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod tests;

/// Adds `close_conflicts` to an incident's line written by [`incident`]: the closes of its
/// follow-ups that reached a shared log after another desk's (only `show-incident` writes it,
/// and only when there are any).
pub fn with_close_conflicts(line: &mut Vec<u8>, conflicts: &[crate::store::CloseConflict]) {
    let items: Vec<serde_json::Value> = conflicts
        .iter()
        .map(|c| {
            serde_json::json!({
                "step": c.step,
                "done_at": crate::clock::rfc3339::stamp(&c.done_at),
                "outcome": c.outcome.map(crate::engine::FollowUpOutcome::key),
                "done_by": c.done_by,
                "note": c.note,
                "site": c.site,
            })
        })
        .collect();
    // The line ends `}\n`: the array goes in before the closing brace.
    if line.ends_with(b"}\n") {
        line.truncate(line.len() - 2);
        line.extend_from_slice(b",\"close_conflicts\":");
        line.extend_from_slice(serde_json::Value::Array(items).to_string().as_bytes());
        line.extend_from_slice(b"}\n");
    }
}
