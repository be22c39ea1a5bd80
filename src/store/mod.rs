//! Where incidents are kept. The engine hands events to a [`Store`]; the SQLite file is
//! the first implementation, and a shared server can be another.

mod conflict;
#[cfg(test)]
pub(crate) mod conformance;
mod drill_result;
mod file;
mod guest_history;
mod sqlite;
mod summary;

pub use conflict::{CloseConflict, differences};
pub use file::{SQLITE_HEADER, is_sqlite, make_private, remove_private_copies};

pub use drill_result::DrillResult;
pub use guest_history::GuestHistory;
#[cfg_attr(not(feature = "postgres"), allow(unused_imports, reason = "for the server store"))]
pub(crate) use sqlite::new_short_id;
#[cfg_attr(not(feature = "postgres"), allow(unused_imports, reason = "for the server store"))]
pub use sqlite::{SqliteStore, SyncState};
pub use summary::Summary;

use std::path::PathBuf;

use jiff::Timestamp;
use serde::Serialize;

pub use crate::engine::Closing;
use crate::engine::{Event, Incident, Rule};

/// Why the log could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file or its folder cannot be created, read or written.
    #[error("cannot use the log {path}: {why}")]
    Access {
        /// The log file.
        path: PathBuf,
        /// What the system said.
        why: String,
    },
    /// The file exists but is not a log: not a database, or another program's database.
    #[error("{path} is not a recover log: {why}; it was left untouched")]
    NotALog {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        why: &'static str,
    },
    /// Another terminal holds the write lock for longer than a write waits.
    #[error("the log {path} is busy: another recover is writing to it")]
    Busy {
        /// The file.
        path: PathBuf,
    },
    /// Written by a newer `recover`.
    #[error(
        "the log {path} has schema version {found}, newer than this recover knows ({known}); upgrade recover"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// Ours.
        known: i64,
    },
    /// The disk is full.
    #[error("the disk holding the log {path} is full; nothing more could be recorded")]
    Full {
        /// The file.
        path: PathBuf,
    },
    /// `purge` could not delete: nothing was deleted.
    #[error("nothing was deleted from {path}: {why}")]
    PurgeFailed {
        /// The file.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// `purge` deleted the incidents, but their old copies are still in the file: the
    /// space could not be wiped yet. Running the same purge again finishes it.
    #[error("deleted {deleted} incident(s) from {path}, but deleted data may still be in the file: {why}")]
    PurgeUnfinished {
        /// The file.
        path: PathBuf,
        /// How many incidents were deleted.
        deleted: usize,
        /// Why the copies could not be wiped.
        why: String,
    },
    /// Any other database failure.
    #[error("the log {path} failed: {why}")]
    Database {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        why: String,
    },
    /// No incident with that id.
    #[error("no incident `{0}` in the log")]
    NotFound(String),
    /// Another terminal answered the same question of the incident first (two `resume`s
    /// of one incident): this answer was not recorded, the other one stands.
    #[error("incident `{incident}` was answered meanwhile in another terminal; this answer was not recorded")]
    AnsweredElsewhere {
        /// The incident.
        incident: String,
    },
    /// Another terminal changed what this change depended on (a follow-up closed, a step
    /// completed, the incident finished) between reading and writing: nothing was recorded.
    #[error("incident `{incident}` was changed meanwhile in another terminal; this change was not recorded")]
    Conflict {
        /// The incident.
        incident: String,
    },
    /// The engine refused the change, deciding on the incident as the log holds it.
    #[error(transparent)]
    Refused(Rule),
}

impl StoreError {
    /// True when the problem is what the user asked for, not the log itself.
    #[must_use]
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            StoreError::NotFound(_)
                | StoreError::AnsweredElsewhere { .. }
                | StoreError::Conflict { .. }
                | StoreError::Refused(_)
        )
    }
}

/// Which incidents `log` and `export` want.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Started at or after.
    pub since: Option<Timestamp>,
    /// Started before.
    pub before: Option<Timestamp>,
    /// Of this type.
    pub kind: Option<String>,
    /// Handled by this person.
    pub staff: Option<String>,
    /// Unfinished or with an open follow-up (an abandoned incident is neither).
    pub open: bool,
    /// Standing so.
    pub status: Option<crate::engine::Status>,
}

impl Filter {
    /// Whether `incident` is one this filter selects, as the stores' SQL selects them
    /// (staff names compared without case), for incidents held in memory.
    #[must_use]
    pub fn matches(&self, incident: &Incident) -> bool {
        use crate::engine::Status;
        self.since.is_none_or(|t| incident.started_at >= t)
            && self.before.is_none_or(|t| incident.started_at < t)
            && self.kind.as_ref().is_none_or(|k| *k == incident.kind)
            && self.staff.as_ref().is_none_or(|s| s.to_lowercase() == incident.staff.to_lowercase())
            && self.status.is_none_or(|s| s == incident.status)
            && (!self.open
                || (incident.status != Status::Abandoned
                    && (incident.status == Status::InProgress
                        || incident.follow_ups.iter().any(|f| f.done_at.is_none()))))
    }
}

/// What the `log` table and CSV show of an incident, read without its steps and follow-ups.
#[derive(Clone, Debug, PartialEq)]
pub struct Listed {
    /// The short id.
    pub id: String,
    /// When it started.
    pub started_at: Timestamp,
    /// The playbook's type.
    pub kind: String,
    /// How bad, once known.
    pub severity: Option<crate::playbook::Severity>,
    /// Who handled it.
    pub staff: String,
    /// The customer's reference.
    pub reference: Option<String>,
    /// Where it stands.
    pub status: crate::engine::Status,
    /// Currency of the amends.
    pub currency: String,
    /// Amends given.
    pub amends_total: crate::money::Money,
    /// Follow-ups not done yet.
    pub open_follow_ups: usize,
    /// Where it went wrong, if answered.
    pub failure_point: Option<String>,
}

impl Listed {
    /// What the `log` table shows of a whole incident (nothing of an abandoned one is open).
    #[must_use]
    pub fn of(i: Incident) -> Listed {
        let open = if i.status == crate::engine::Status::Abandoned {
            0
        } else {
            i.follow_ups.iter().filter(|f| f.done_at.is_none()).count()
        };
        Listed {
            open_follow_ups: open,
            id: i.id,
            started_at: i.started_at,
            kind: i.kind,
            severity: i.severity,
            staff: i.staff,
            reference: i.reference,
            status: i.status,
            currency: i.currency,
            amends_total: i.amends_total,
            failure_point: i.failure_point,
        }
    }
}

/// A follow-up that is open, with what a person needs to do it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[allow(clippy::struct_field_names, reason = "`due` is the JSON field SPEC.md names")]
pub struct Due {
    /// The incident's short id.
    pub incident: String,
    /// Its global id (a calendar entry's UID is made from it).
    #[serde(skip)]
    pub uid: String,
    /// The playbook's type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The customer's reference.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// The follow-up step.
    pub step: String,
    /// When it is due.
    #[serde(with = "crate::clock::rfc3339")]
    pub due: Timestamp,
    /// Who handled the incident.
    pub staff: String,
    /// The incident's site on a shared log (`due --site` picks one); `None` in a log file,
    /// which is one desk's own and has no sites.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
}

/// An open follow-up as [`Store::due_with`] hands it over: borrowed from what the store
/// read, so a list of hundreds is shown without a copy of each of its texts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DueRef<'a> {
    /// The incident's short id.
    pub incident: &'a str,
    /// Its global id.
    pub uid: &'a str,
    /// The playbook's type.
    pub kind: &'a str,
    /// The customer's reference.
    pub reference: Option<&'a str>,
    /// The follow-up step.
    pub step: &'a str,
    /// When it is due.
    pub due: Timestamp,
    /// Who handled the incident.
    pub staff: &'a str,
    /// The incident's site on a shared log.
    pub site: Option<&'a str>,
}

impl Due {
    /// This follow-up, borrowed.
    #[must_use]
    pub fn borrowed(&self) -> DueRef<'_> {
        DueRef {
            incident: &self.incident,
            uid: &self.uid,
            kind: &self.kind,
            reference: self.reference.as_deref(),
            step: &self.step,
            due: self.due,
            staff: &self.staff,
            site: self.site.as_deref(),
        }
    }
}

impl From<DueRef<'_>> for Due {
    fn from(d: DueRef<'_>) -> Due {
        Due {
            incident: d.incident.to_owned(),
            uid: d.uid.to_owned(),
            kind: d.kind.to_owned(),
            reference: d.reference.map(str::to_owned),
            step: d.step.to_owned(),
            due: d.due,
            staff: d.staff.to_owned(),
            site: d.site.map(str::to_owned),
        }
    }
}

/// One part of a report split by site or currency.
#[derive(Debug)]
pub struct ReportPart {
    /// The site, when split by site.
    pub site: Option<String>,
    /// The report of the part (its amounts all in its `currency`).
    pub report: crate::tally::Report,
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Imported {
    /// New incidents added.
    pub added: usize,
    /// Incidents already here (same global id), updated where the import knew more.
    pub updated: usize,
    /// Incidents already here and unchanged.
    pub unchanged: usize,
    /// New incidents whose short id another incident here already had, so they were
    /// given another: the desk that reads them out must be told, or a guest's "R-7K3M"
    /// finds nothing here.
    pub renamed: Vec<Renamed>,
}

impl Imported {
    /// Adds what another batch did.
    pub fn absorb(&mut self, mut other: Imported) {
        self.added += other.added;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.renamed.append(&mut other.renamed);
    }
}

/// A new incident given another short id by an import (see [`Imported::renamed`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Renamed {
    /// Its short id in the file imported.
    pub theirs: String,
    /// Its short id in this log.
    pub here: String,
}

/// An incident the caller could not read from its input (a bad line in a file), already
/// reported by the caller: the import it was part of keeps nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejected;

/// The incident log.
pub trait Store {
    /// Saves a new incident and gives it a short id no other incident in this log has.
    fn create(&mut self, incident: &Incident) -> Result<String, StoreError>;
    /// Saves the events of one answer, all or nothing.
    fn append(&mut self, uid: &str, events: &[Event]) -> Result<(), StoreError>;
    /// One incident by short id or global id.
    fn get(&self, id: &str) -> Result<Incident, StoreError>;
    /// The newest unfinished incident, for `resume` without an id.
    fn latest_unfinished(&self) -> Result<Option<Incident>, StoreError>;
    /// Hands each incident matching `filter` to `visit`, newest first (or oldest first;
    /// newest first is its exact reverse, incidents started the same instant included),
    /// one at a time so a million-incident log never sits in memory; `visit` returns
    /// false to stop.
    fn scan(
        &self,
        filter: &Filter,
        oldest_first: bool,
        visit: &mut dyn FnMut(Incident) -> bool,
    ) -> Result<(), StoreError>;

    /// [`Store::scan`] with each incident's site: a shared log's stores give it (for a
    /// report with a part per site); a log file is one desk's own and gives none.
    fn scan_sited(
        &self,
        filter: &Filter,
        oldest_first: bool,
        visit: &mut dyn FnMut(Incident, Option<String>) -> bool,
    ) -> Result<(), StoreError> {
        self.scan(filter, oldest_first, &mut |i| visit(i, None))
    }

    /// Hands the JSON line of each incident matching `filter` (as `export` and `log --json`
    /// print it, newline included; see [`crate::render::json`]) to `visit`, in the order of
    /// [`Store::scan`]; `redact` leaves out refs and notes (`export --redact`). A store may
    /// write it from what it keeps without building each [`Incident`].
    fn scan_json(
        &self,
        filter: &Filter,
        oldest_first: bool,
        redact: bool,
        visit: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<(), StoreError> {
        let mut line = Vec::new();
        self.scan(filter, oldest_first, &mut |i| {
            line.clear();
            crate::render::json::incident(&mut line, &i, redact);
            visit(&line)
        })
    }

    /// Hands what the `log` table shows of each incident matching `filter` to `visit`,
    /// newest first, reading no steps or follow-ups; `visit` returns false to stop.
    fn scan_listed(&self, filter: &Filter, visit: &mut dyn FnMut(Listed) -> bool) -> Result<(), StoreError>;

    /// Incidents matching `filter`, newest first, collected: for tests, whose results are small.
    #[cfg(test)]
    fn list(&self, filter: &Filter) -> Result<Vec<Incident>, StoreError> {
        let mut all = Vec::new();
        self.scan(filter, false, &mut |i| {
            all.push(i);
            true
        })?;
        Ok(all)
    }
    /// How many incidents match `filter`.
    fn count(&self, filter: &Filter) -> Result<usize, StoreError> {
        let mut n = 0;
        self.scan(filter, false, &mut |_| {
            n += 1;
            true
        })?;
        Ok(n)
    }
    /// The report for incidents started since `since`, judged as of `now`: the same as
    /// [`crate::tally::tally`] gives, which a store may use or do better than.
    fn report(&self, since: Timestamp, now: Timestamp) -> Result<crate::tally::Report, StoreError>;
    /// The report in parts: one per site when `by_site` (a store with no sites gives one
    /// part), and, where incidents were recorded in several currencies, one per currency, so
    /// amounts in different currencies are never added together.
    fn report_parts(
        &self,
        since: Timestamp,
        now: Timestamp,
        by_site: bool,
    ) -> Result<Vec<ReportPart>, StoreError> {
        let _ = by_site;
        Ok(vec![ReportPart { site: None, report: self.report(since, now)? }])
    }
    /// How many incidents match `filter`, counting no further than `cap`: a note such as
    /// "50 of 120" costs what it can say, not the size of the log.
    fn count_up_to(&self, filter: &Filter, cap: usize) -> Result<usize, StoreError> {
        let mut n = 0;
        self.scan(filter, false, &mut |_| {
            n += 1;
            n < cap
        })?;
        Ok(n)
    }
    /// Open follow-ups due before `until`, soonest first (those due at the same time in
    /// the same order every time).
    fn due(&self, until: Timestamp) -> Result<Vec<Due>, StoreError>;
    /// [`Store::due`], handed to `read` in one call (an empty list when none is due) and
    /// borrowed from the store, which may then read them without an allocation for each
    /// text (a log file does: `due` lists hundreds of follow-ups, and six texts a row were
    /// a third of its work).
    fn due_with(&self, until: Timestamp, read: &mut dyn FnMut(&[DueRef<'_>])) -> Result<(), StoreError> {
        let due = self.due(until)?;
        let borrowed: Vec<DueRef<'_>> = due.iter().map(Due::borrowed).collect();
        read(&borrowed);
        Ok(())
    }
    /// Changes incident `id` (short or global id) after the fact: `decide` (an engine
    /// function such as [`crate::engine::done`]) is given the incident as the log holds it
    /// inside one write transaction and says what to record; the events are saved all or
    /// nothing, each only if what `decide` saw still holds, so a change another terminal
    /// made first is a [`StoreError::Conflict`], never a success. A refusal is
    /// [`StoreError::Refused`]. Returns the incident as it now is.
    fn update(
        &mut self,
        id: &str,
        decide: &mut dyn FnMut(&Incident) -> Result<Vec<Event>, Rule>,
    ) -> Result<Incident, StoreError>;
    /// The log's incident with `incoming`'s global id, when the two tell different stories
    /// (see [`differences`]): its short id and what differs. Only reads.
    fn conflict(&self, incoming: &Incident) -> Result<Option<(String, String)>, StoreError> {
        match self.get(&incoming.uid) {
            Ok(here) if here.uid == incoming.uid => {
                Ok(differences(&here, incoming).map(|what| (here.id, what)))
            }
            Ok(_) | Err(StoreError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
    /// Merges incidents by global id, taking them one at a time so an import of years of
    /// incidents never sits in memory, in batches each written whole or not at all (other
    /// terminals may write between batches; merging by global id makes running the same
    /// import again after a crash add nothing twice). A [`Rejected`] item means the input
    /// is bad: the rest is still read (so the caller can report every bad item), the batch
    /// it was in is not kept, nor anything after it, and the answer is `None`. Callers check
    /// the whole input first, so that nothing at all is kept.
    fn import(
        &mut self,
        incidents: &mut dyn Iterator<Item = Result<Incident, Rejected>>,
    ) -> Result<Option<Imported>, StoreError> {
        self.import_reporting(incidents, &mut |_| {})
    }
    /// As [`Store::import`], telling `kept` what each batch did as soon as it is committed
    /// (the incidents given another short id above all), so that what was kept is said
    /// even when a later batch fails or the process is ended: imported again, those
    /// incidents are only "already here".
    fn import_reporting(
        &mut self,
        incidents: &mut dyn Iterator<Item = Result<Incident, Rejected>>,
        kept: &mut dyn FnMut(&Imported),
    ) -> Result<Option<Imported>, StoreError>;
    /// Deletes incidents started before `before` and wipes them from the file (see
    /// [`StoreError::PurgeUnfinished`] when it could not); returns how many.
    fn purge(&mut self, before: Timestamp) -> Result<usize, StoreError>;

    /// The incidents of the guest whose key hashes to `hash` started since `since`.
    fn guest_history(&self, hash: &str, since: Timestamp) -> Result<GuestHistory, StoreError>;
    /// Records that incident `id` was started for the guest whose key hashes to `hash`,
    /// who had `earlier` incidents before it.
    fn record_guest(&mut self, id: &str, hash: &str, earlier: usize) -> Result<(), StoreError>;
    /// The hash and earlier count recorded for incident `id`, if it was started with a guest.
    fn guest_of(&self, id: &str) -> Result<Option<(String, usize)>, StoreError>;
    /// Incidents matching `filter` (its start and type) whose guest had incidents before.
    fn repeat_guests(&self, filter: &Filter) -> Result<usize, StoreError>;
    /// Records a finished drill, apart from incidents.
    fn record_drill(&mut self, drill: &DrillResult) -> Result<(), StoreError>;
    /// Drills ended at or after `since` (all if `None`), oldest first.
    fn drill_results(&self, since: Option<Timestamp>) -> Result<Vec<DrillResult>, StoreError>;
    /// How many drills ended before `before`, for `purge` to say what it will delete.
    fn count_drills_before(&self, before: Timestamp) -> Result<usize, StoreError>;
    /// Deletes drills ended before `before` (they name people); how many.
    fn purge_drills(&mut self, before: Timestamp) -> Result<usize, StoreError>;

    /// The closes of incident `uid`'s follow-ups that reached a shared log after another
    /// desk's close of the same follow-up, kept beside it (`show-incident` shows them).
    fn close_conflicts(&self, _uid: &str) -> Result<Vec<CloseConflict>, StoreError> {
        Ok(Vec::new())
    }
}

/// Another desk's log file, to read: a private copy (migrated if older), so the file
/// itself is never changed.
pub fn open_log_copy(path: &std::path::Path) -> Result<Box<dyn Store>, StoreError> {
    Ok(Box::new(SqliteStore::open_copy(path)?))
}
