//! The incident log in one SQLite file: WAL so readers never block the writer, write
//! transactions that take the lock up front and wait for it, schema migrations on open.
//!
//! By concern: `schema` (migrations, opening), `rows` (rows to values), `query` (the SQL
//! a filter makes), `read`, `write`, `import`, `purge`, `summary` (the per-incident totals
//! `report` and `log` read), `json` (export lines straight from rows), `error` (`.at(path)`).

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

use super::{Due, DueRef, Filter, Imported, Listed, Rejected, Store, StoreError, file};
use crate::engine::{Event, Incident, Rule};

#[macro_use]
mod rows;
mod amends;
mod bulk;
mod drills;
mod error;
mod guests;
mod import;
mod json;
mod purge;
mod query;
mod read;
mod schema;
mod spool;
mod summary;
mod two_readers;
mod write;

pub(super) use error::{At, map_err};
pub use spool::SyncState;
use summary::refresh_summary;
pub(crate) use write::short_id as new_short_id;

/// How long a writer waits for another terminal's write to finish.
const BUSY_TIMEOUT_MS: u64 = 10_000;

/// The SQLite log.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// Why this log could only be opened for reading: every write reports it.
    blocked: Option<StoreError>,
    /// The private copy read instead of a read-only log, if one was needed: kept for as
    /// long as the store (it is deleted with it), and never read by a second reader.
    copy: Option<file::Copy>,
    /// Incidents from which `scan_json` reads on two cores.
    two_readers_from: usize,
}

impl SqliteStore {
    /// Opens (creating if need be) the log at `path`: the folder and file readable by their
    /// owner only, migrations applied, WAL on.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let access = |why: String| StoreError::Access { path: path.to_path_buf(), why };
        file::refuse_dangling_link(path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                create_private_dir(dir).map_err(|e| access(e.to_string()))?;
            }
        }
        if !path.exists() {
            create_private_file(path).map_err(|e| access(e.to_string()))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let opened = Connection::open_with_flags(path, flags).at(path).and_then(|conn| {
            let mut store = SqliteStore {
                conn,
                path: path.to_path_buf(),
                blocked: None,
                copy: None,
                two_readers_from: two_readers::TWO_READERS_FROM,
            };
            store.prepare().map(|()| store)
        });
        match opened {
            // On read-only media (a mounted backup, a locked-down folder) the log can still
            // be read; writing then fails with a clear error.
            Err(e @ (StoreError::Access { .. } | StoreError::Full { .. })) if path.is_file() => {
                let mut store = Self::open_read_only(path)?;
                store.blocked = Some(e);
                Ok(store)
            }
            other => other,
        }
    }

    fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        let (conn, copy) = file::open_read_only(path)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).at(path)?;
        file::recognise(&conn, path, version)?;
        let known = schema::known_version();
        if version != known {
            return Err(StoreError::Access {
                path: path.to_path_buf(),
                why: format!("it is read-only and at schema version {version}, not {known}"),
            });
        }
        Ok(SqliteStore {
            conn,
            path: path.to_path_buf(),
            blocked: None,
            copy,
            two_readers_from: two_readers::TWO_READERS_FROM,
        })
    }

    /// Opens a private copy of the log at `path` (migrated if it is older), leaving the
    /// original as it is: for reading another desk's log.
    pub fn open_copy(path: &Path) -> Result<Self, StoreError> {
        let (copy, at) = file::copy_of(path)
            .map_err(|e| StoreError::Access { path: path.to_path_buf(), why: crate::error::io_reason(&e) })?;
        Self::check_pages(&at, path)?;
        Ok(SqliteStore { path: path.to_path_buf(), copy: Some(copy), ..SqliteStore::open(&at)? })
    }

    /// Whether every page of the copy `at` of log `path` reads as SQLite wrote it
    /// (`quick_check`), before any migration reads it: another desk's log is read whole
    /// through its indexes, and a damaged page of one could leave incidents out without a
    /// word. About 5 s for a million incidents (1.4 GB in the page cache), once.
    fn check_pages(at: &Path, path: &Path) -> Result<(), StoreError> {
        let conn = Connection::open_with_flags(at, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE).at(path)?;
        let first: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0)).at(path)?;
        if first == "ok" {
            return Ok(());
        }
        // SQLite's words name its own internals (tree pages, return codes): not for a desk.
        Err(StoreError::Database {
            path: path.to_path_buf(),
            why: "it is damaged: SQLite's own check of its pages fails".to_owned(),
        })
    }

    /// A log in memory, for tests.
    pub fn in_memory() -> Result<Self, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().at(&path)?;
        let mut store = SqliteStore { conn, path, blocked: None, copy: None, two_readers_from: usize::MAX };
        store.prepare()?;
        Ok(store)
    }

    fn write(&mut self) -> Result<Transaction<'_>, StoreError> {
        let path = self.path.clone();
        match &self.blocked {
            Some(StoreError::Full { .. }) => return Err(StoreError::Full { path }),
            Some(StoreError::Access { why, .. }) => {
                return Err(StoreError::Access { path, why: why.clone() });
            }
            _ => {}
        }
        self.conn.transaction_with_behavior(TransactionBehavior::Immediate).at(&path)
    }

    /// Two readers of one snapshot of this log for a scan of `filter`, when it matches
    /// enough incidents to be worth them and they can be had at once. Only for the log
    /// itself, opened for writing: a private copy is read where it lies, by one reader.
    fn two_readers(&self, filter: &Filter) -> Result<Option<[Connection; 2]>, StoreError> {
        if self.blocked.is_some()
            || self.copy.is_some()
            || self.path == Path::new(":memory:")
            || !two_readers::worth_it(&self.conn, filter, self.two_readers_from).at(&self.path)?
        {
            return Ok(None);
        }
        let busy = std::time::Duration::from_millis(BUSY_TIMEOUT_MS);
        Ok(two_readers::readers(&self.conn, &self.path, busy))
    }

    /// One incident by its integer key, with its steps and follow-ups.
    fn load(&self, n: i64) -> Result<Incident, StoreError> {
        read::load_incident(&self.conn, n).at(&self.path)
    }

    /// The integer key of the incident with this short id (any case) or global id.
    fn key_of(&self, id: &str) -> Result<i64, StoreError> {
        let id = id.trim();
        read::key_of(&self.conn, id).at(&self.path)?.ok_or_else(|| StoreError::NotFound(id.to_owned()))
    }
}

/// The short id of incident `n`, for a message (its uid if it cannot be read).
fn short_id(tx: &Transaction, n: i64, uid: &str) -> String {
    tx.query_row("SELECT id FROM incidents WHERE n = ?1", [n], |r| r.get(0))
        .unwrap_or_else(|_| uid.to_owned())
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}

impl Store for SqliteStore {
    fn guest_history(&self, hash: &str, since: Timestamp) -> Result<super::GuestHistory, StoreError> {
        SqliteStore::guest_history(self, hash, since)
    }

    fn record_guest(&mut self, id: &str, hash: &str, earlier: usize) -> Result<(), StoreError> {
        SqliteStore::record_guest(self, id, hash, earlier)
    }

    fn guest_of(&self, id: &str) -> Result<Option<(String, usize)>, StoreError> {
        SqliteStore::guest_of(self, id)
    }

    fn repeat_guests(&self, filter: &Filter) -> Result<usize, StoreError> {
        SqliteStore::repeat_guests(self, filter)
    }

    fn record_drill(&mut self, drill: &super::DrillResult) -> Result<(), StoreError> {
        SqliteStore::record_drill(self, drill)
    }

    fn drill_results(&self, since: Option<Timestamp>) -> Result<Vec<super::DrillResult>, StoreError> {
        SqliteStore::drill_results(self, since)
    }

    fn count_drills_before(&self, before: Timestamp) -> Result<usize, StoreError> {
        SqliteStore::count_drills_before(self, before)
    }

    fn purge_drills(&mut self, before: Timestamp) -> Result<usize, StoreError> {
        SqliteStore::purge_drills(self, before)
    }

    fn close_conflicts(&self, uid: &str) -> Result<Vec<super::CloseConflict>, StoreError> {
        SqliteStore::close_conflicts(self, uid)
    }

    fn create(&mut self, incident: &Incident) -> Result<String, StoreError> {
        let path = self.path.clone();
        let tx = self.write()?;
        let id = write::fresh_id(&tx).at(&path)?;
        let n = write::insert_incident(&tx, incident, &id).at(&path)?;
        refresh_summary(&tx, n).at(&path)?;
        tx.commit().at(&path)?;
        Ok(id)
    }

    fn append(&mut self, uid: &str, events: &[Event]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let tx = self.write()?;
        let n = write::key_of_uid(&tx, uid).at(&path)?;
        let n = n.ok_or_else(|| StoreError::NotFound(uid.to_owned()))?;
        for event in events {
            // A question answered twice: another terminal resumed the same incident and
            // answered first. Say so; the raw constraint would read as a broken log.
            let elsewhere = || StoreError::AnsweredElsewhere { incident: short_id(&tx, n, uid) };
            match write::write_event(&tx, n, event) {
                Ok(true) => {}
                Ok(false) => return Err(elsewhere()),
                Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                    return Err(elsewhere());
                }
                Err(e) => return Err(map_err(&path, &e)),
            }
        }
        refresh_summary(&tx, n).at(&path)?;
        tx.commit().at(&path)
    }

    fn get(&self, id: &str) -> Result<Incident, StoreError> {
        self.load(self.key_of(id)?)
    }

    fn latest_unfinished(&self) -> Result<Option<Incident>, StoreError> {
        let n = read::latest_unfinished(&self.conn).at(&self.path)?;
        n.map(|n| self.load(n)).transpose()
    }

    fn scan(
        &self,
        filter: &Filter,
        oldest_first: bool,
        visit: &mut dyn FnMut(Incident) -> bool,
    ) -> Result<(), StoreError> {
        read::scan_on(&self.conn, filter, oldest_first, &mut |_, i| Ok(visit(i))).at(&self.path)
    }

    fn scan_json(
        &self,
        filter: &Filter,
        oldest_first: bool,
        redact: bool,
        visit: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<(), StoreError> {
        if let Some(readers) = self.two_readers(filter)? {
            return two_readers::scan_json(readers, filter, oldest_first, redact, visit).at(&self.path);
        }
        json::scan_json(&self.conn, filter, None, oldest_first, redact, &mut |_, line| visit(line))
            .at(&self.path)
    }

    fn scan_listed(&self, filter: &Filter, visit: &mut dyn FnMut(Listed) -> bool) -> Result<(), StoreError> {
        summary::scan_listed(&self.conn, filter, visit).at(&self.path)
    }

    fn report(&self, since: Timestamp, now: Timestamp) -> Result<crate::tally::Report, StoreError> {
        let readers = self.two_readers(&Filter { since: Some(since), ..Filter::default() })?;
        summary::report(&self.conn, readers, since, now).at(&self.path)
    }

    fn count(&self, filter: &Filter) -> Result<usize, StoreError> {
        read::count(&self.conn, filter, None).at(&self.path)
    }

    fn count_up_to(&self, filter: &Filter, cap: usize) -> Result<usize, StoreError> {
        read::count(&self.conn, filter, Some(cap)).at(&self.path)
    }

    fn due(&self, until: Timestamp) -> Result<Vec<Due>, StoreError> {
        let mut due = Vec::new();
        self.due_with(until, &mut |d| due = d.iter().copied().map(Due::from).collect())?;
        Ok(due)
    }

    fn due_with(&self, until: Timestamp, read: &mut dyn FnMut(&[DueRef<'_>])) -> Result<(), StoreError> {
        read::due_with(&self.conn, until, read).at(&self.path)
    }

    /// Reads the incident inside the write transaction, which holds the log's write lock
    /// from its start: of two terminals changing the same incident at once, the second
    /// waits for the first, then decides on what the first recorded.
    fn update(
        &mut self,
        id: &str,
        decide: &mut dyn FnMut(&Incident) -> Result<Vec<Event>, Rule>,
    ) -> Result<Incident, StoreError> {
        let path = self.path.clone();
        let key = self.key_of(id)?;
        let tx = self.write()?;
        let mut incident = read::load_incident(&tx, key).at(&path)?;
        let events = decide(&incident).map_err(StoreError::Refused)?;
        for event in &events {
            if !write::write_event(&tx, key, event).at(&path)? {
                return Err(StoreError::Conflict { incident: incident.id });
            }
            crate::engine::apply_event(&mut incident, event);
        }
        refresh_summary(&tx, key).at(&path)?;
        tx.commit().at(&path)?;
        Ok(incident)
    }

    fn import_reporting(
        &mut self,
        incidents: &mut dyn Iterator<Item = Result<Incident, Rejected>>,
        kept: &mut dyn FnMut(&Imported),
    ) -> Result<Option<Imported>, StoreError> {
        self.import_all(incidents, kept)
    }

    fn purge(&mut self, before: Timestamp) -> Result<usize, StoreError> {
        self.purge_before(before)
    }
}

#[cfg(test)]
mod conformance_tests;
#[cfg(test)]
mod tests;
