//! The store conformance suite: what every [`Store`] must do, written against `dyn Store`
//! alone (no SQL), so each backend runs the same cases: today SQLite in a file and in
//! memory, later the shared server. A backend gives a [`Fixture`]: an empty store and,
//! where it has one, a way to open the same log again as another terminal would.
//!
//! Each case is a function taking the fixture; [`conformance_suite!`] makes them tests.

use jiff::Timestamp;

use super::{Closing, Due, Filter, Imported, Rejected, Renamed, Store, StoreError};
use crate::engine::{
    Event, FollowUp, FollowUpOutcome, Incident, Outcome, Rule, Status, StepRecord, apply_event,
};
use crate::money::Money;
use crate::playbook::{Phase, Servqual, Severity};

mod after;
mod drills;
mod guest;
mod reads;
mod writes;

pub(crate) use after::*;
pub(crate) use drills::*;
pub(crate) use guest::*;
pub(crate) use reads::*;
pub(crate) use writes::*;

/// Opens another handle on the same log, as a second terminal would.
pub type Reopen = Box<dyn Fn() -> Box<dyn Store> + Send + Sync>;

/// An empty store for one case.
pub struct Fixture {
    /// The store, empty.
    pub store: Box<dyn Store>,
    /// Another handle on the same log, for backends that have more than one.
    pub reopen: Option<Reopen>,
    /// Kept alive as long as the store (a temporary folder, a server schema).
    pub _guard: Box<dyn std::any::Any>,
}

/// Makes every case of the suite a `#[test]` for the backend `$fixture` makes. A backend
/// that keeps no drills (the shared server: they stay on the desk) runs the incident cases
/// alone: `conformance_suite!(incidents, [#[ignore = "why"]] fixture())`.
macro_rules! conformance_suite {
    ($fixture:expr) => {
        conformance_suite!(@incidents [] $fixture);
        conformance_suite!(@cases [] $fixture; drills_are_kept_apart_read_since_and_purged_by_date,);
    };
    (incidents, [$($attr:tt)*] $fixture:expr) => {
        conformance_suite!(@incidents [$($attr)*] $fixture);
    };
    (@incidents $attrs:tt $fixture:expr) => {
        conformance_suite!(@cases $attrs $fixture;
            create_gives_a_short_id_found_by_id_and_uid,
            append_saves_each_kind_of_event,
            append_refuses_what_was_answered_elsewhere,
            latest_unfinished_is_the_newest_in_progress,
            scans_give_whole_incidents_in_either_order_and_stop,
            filters_select_the_same_in_every_read,
            scan_json_is_the_json_of_scan,
            scan_listed_shows_what_the_log_table_needs,
            report_is_the_tally_of_whole_incidents,
            due_gives_open_follow_ups_soonest_first,
            closing_a_follow_up_records_who_how_and_when,
            closing_twice_or_an_unknown_step_is_refused,
            two_handles_closing_one_follow_up_one_wins,
            import_merges_by_uid,
            import_with_a_rejected_item_keeps_nothing,
            conflict_says_where_two_accounts_differ,
            purge_deletes_what_started_before,
            the_guests_side_is_kept_once_redacted_imported_and_purged,
            update_saves_what_was_decided_on_the_incident_as_kept,
            update_saves_nothing_when_refused_or_beaten,
            a_step_done_afterwards_keeps_its_skip,
            an_abandoned_incident_is_kept_but_nothing_of_it_is_open,
            two_handles_abandoning_one_incident_one_wins,
        );
    };
    (@cases $attrs:tt $fixture:expr; $($case:ident,)*) => {
        $(
            conformance_suite!(@with $attrs
                #[test]
                fn $case() {
                    $crate::store::conformance::$case($fixture);
                }
            );
        )*
    };
    (@with [$(#[$attr:meta])*] $item:item) => {
        $(#[$attr])*
        $item
    };
}
pub(crate) use conformance_suite;

const T0: i64 = 1_700_000_000_000;
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

/// The moment `ms` milliseconds after the epoch.
pub(crate) fn at(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap()
}

/// A step answered at `ms`; a skipped one says why.
pub(crate) fn step(phase: Phase, id: &str, outcome: Outcome, ms: i64) -> StepRecord {
    StepRecord {
        phase,
        id: id.into(),
        outcome,
        at: at(ms),
        choice: None,
        note: None,
        reason: (outcome == Outcome::Skipped).then(|| "no time".into()),
        cost: None,
        approved_by: None,
        completed_at: None,
        completed_by: None,
        completed_note: None,
    }
}

/// A finished incident with a few steps and one open follow-up, for other modules' tests.
pub(crate) fn sample_incident(uid: &str) -> Incident {
    incident(uid, "noise", "anna", T0, 1)
}

/// A finished incident of `kind` by `staff`, started at `start`, with a few steps and
/// `follow_ups` open follow-ups due an hour apart from `start + 2h`.
fn incident(uid: &str, kind: &str, staff: &str, start: i64, follow_ups: usize) -> Incident {
    let mut i = Incident {
        id: String::new(),
        uid: uid.into(),
        kind: kind.into(),
        severity: Some(Severity::Major),
        staff: staff.into(),
        role: "staff".into(),
        reference: Some(format!("room {uid}")),
        started_at: at(start),
        finished_at: Some(at(start + 10 * MINUTE)),
        status: Status::Complete,
        steps: Vec::new(),
        amends_total: Money::ZERO,
        currency: "EUR".into(),
        limit: Money::whole(50),
        approver_role: None,
        failure_point: Some("check-in".into()),
        failure_note: None,
        failure_answered: true,
        abandoned_by: None,
        abandon_reason: None,
        guest: None,
        servqual: vec![Servqual::Reliability, Servqual::Empathy],
        follow_ups: Vec::new(),
    };
    let mut apology = step(Phase::Apologise, "say-sorry", Outcome::Done, start + MINUTE);
    apology.note = Some("a \"quoted\" note, with ünïcode".into());
    let fix = step(Phase::Fix, "fix-it", Outcome::Done, start + 2 * MINUTE);
    let mut amend = step(Phase::Amend, "free-drink", Outcome::Done, start + 3 * MINUTE);
    amend.cost = Some(Money::whole(12));
    let skipped = step(Phase::Amend, "voucher", Outcome::Skipped, start + 3 * MINUTE);
    for s in [apology, fix, amend, skipped] {
        apply_event(&mut i, &Event::Step(s));
    }
    for k in 0..follow_ups {
        let due = start + 2 * HOUR + HOUR * i64::try_from(k).unwrap();
        i.follow_ups.push(open_follow_up(&format!("call-{k}"), due));
    }
    i
}

fn open_follow_up(step: &str, due: i64) -> FollowUp {
    FollowUp { step: step.into(), due: at(due), done_at: None, outcome: None, done_by: None, note: None }
}

/// Saves `i` as a new incident, as `start` does (its row, then its answers as events);
/// returns it as the store now has it.
fn record(store: &mut dyn Store, i: &Incident) -> Incident {
    let mut head = i.clone();
    head.steps.clear();
    head.amends_total = Money::ZERO;
    head.follow_ups.clear();
    head.status = Status::InProgress;
    head.finished_at = None;
    head.failure_answered = false;
    head.failure_point = None;
    let id = store.create(&head).unwrap();
    let mut events: Vec<Event> = i.steps.iter().cloned().map(Event::Step).collect();
    events.extend(i.follow_ups.iter().cloned().map(Event::FollowUpScheduled));
    events.push(Event::FailurePoint { point: i.failure_point.clone(), note: i.failure_note.clone() });
    if let Some(finished) = i.finished_at {
        events.push(Event::Finished { status: i.status, at: finished });
    }
    store.append(&i.uid, &events).unwrap();
    let saved = store.get(&id).unwrap();
    assert_eq!(saved.id, id);
    saved
}

/// Five incidents of two kinds and two people, one unfinished, some with open follow-ups.
fn varied(store: &mut dyn Store) -> Vec<Incident> {
    let mut all = [
        incident("00000000-0000-4000-8000-000000000001", "noise", "anna", T0, 2),
        incident("00000000-0000-4000-8000-000000000002", "billing", "Ole", T0 + HOUR, 0),
        incident("00000000-0000-4000-8000-000000000003", "noise", "ole", T0 + 2 * HOUR, 1),
        incident("00000000-0000-4000-8000-000000000004", "billing", "anna", T0 + 3 * HOUR, 0),
        incident("00000000-0000-4000-8000-000000000005", "noise", "anna", T0 + 4 * HOUR, 0),
    ];
    all[3].status = Status::InProgress;
    all[3].finished_at = None;
    all.iter().map(|i| record(store, i)).collect()
}

fn uids(incidents: &[Incident]) -> Vec<&str> {
    incidents.iter().map(|i| i.uid.as_str()).collect()
}

fn collect(store: &dyn Store, filter: &Filter, oldest_first: bool) -> Vec<Incident> {
    let mut all = Vec::new();
    store
        .scan(filter, oldest_first, &mut |i| {
            all.push(i);
            true
        })
        .unwrap();
    all
}

/// `recover done` as the engine decides it (no playbook: closing a follow-up needs none).
fn close(store: &mut dyn Store, id: &str, step: &str, closing: &Closing) -> Result<Incident, StoreError> {
    store.update(id, &mut |i| crate::engine::done(i, None, step, closing))
}

fn closing(by: &str, ms: i64) -> Closing {
    Closing {
        at: at(ms),
        by: Some(by.into()),
        outcome: Some(FollowUpOutcome::Recovered),
        note: Some("happy".into()),
    }
}
