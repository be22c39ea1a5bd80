//! A desk's spool for a shared log on a server: an ordinary log file whose every change to an
//! incident also marks the incident in `outbox`, in the same transaction (triggers made only
//! when the file is opened as a spool), so an answer committed here is never forgotten by the
//! push, whatever happens to the network or the process afterwards.
//!
//! The outbox counts changes per incident: a push removes an entry only if the count is the
//! one it read, so an answer saved while the incident was on its way stays queued.

use std::collections::HashSet;
use std::path::Path;

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use super::SqliteStore;
use super::error::At;
use super::rows::{from_ms, ms};
use crate::engine::{FollowUp, FollowUpOutcome};
use crate::store::{CloseConflict, StoreError};

/// The outbox, close conflicts and sync state (migration 9).
pub(super) const MIGRATION: &str = include_str!("migrations/009_spool.sql");

/// The time SQLite reads from the system clock, in milliseconds.
const NOW_MS: &str = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

/// Marks an incident changed: a new entry keeps the time it was first queued.
fn mark(uid_expr: &str) -> String {
    format!(
        "INSERT INTO outbox (uid, version, since) VALUES ({uid_expr}, 1, {NOW_MS})
         ON CONFLICT (uid) DO UPDATE SET version = version + 1;"
    )
}

/// The triggers of a spool: every insert or update of an incident, a step or a follow-up.
fn triggers() -> String {
    let of_row = "(SELECT uid FROM incidents WHERE n = NEW.incident)";
    let mut sql = String::new();
    for (table, uid) in [("incidents", "NEW.uid"), ("steps", of_row), ("follow_ups", of_row)] {
        for op in ["INSERT", "UPDATE"] {
            let name = format!("outbox_{table}_{}", op.to_lowercase());
            sql.push_str(&format!(
                "CREATE TRIGGER IF NOT EXISTS {name} AFTER {op} ON {table} BEGIN {} END;\n",
                mark(uid)
            ));
        }
    }
    sql
}

/// An incident changed here since it last reached the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Its global id.
    pub uid: String,
    /// How many changes were counted when it was read.
    pub version: i64,
    /// When it was first queued.
    pub since: Timestamp,
}

/// What `sync --status` shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncState {
    /// Incidents waiting for the server.
    pub pending: usize,
    /// When the oldest of them was queued.
    pub oldest: Option<Timestamp>,
    /// The last push that reached the server.
    pub last_success: Option<Timestamp>,
    /// The last push that did not.
    pub last_failure: Option<Timestamp>,
    /// Why it did not.
    pub last_error: Option<String>,
}

impl SqliteStore {
    /// Opens (creating if need be) the spool at `path`: a log whose changes are queued for
    /// the server.
    pub fn open_spool(path: &Path) -> Result<Self, StoreError> {
        let store = SqliteStore::open(path)?;
        if store.blocked.is_none() {
            store.conn.execute_batch(&triggers()).at(&store.path)?;
        }
        Ok(store)
    }

    /// The spool in memory, for tests.
    #[cfg(test)]
    pub fn spool_in_memory() -> Result<Self, StoreError> {
        let store = SqliteStore::in_memory()?;
        store.conn.execute_batch(&triggers()).at(&store.path)?;
        Ok(store)
    }

    /// Incidents waiting for the server, the longest waiting first, at most `limit`.
    pub fn pending(&self, limit: usize) -> Result<Vec<Pending>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT uid, version, since FROM outbox ORDER BY since, uid LIMIT ?1")
            .at(&self.path)?;
        let rows = stmt
            .query_map([limit], |r| {
                Ok(Pending { uid: r.get(0)?, version: r.get(1)?, since: from_ms(r.get(2)?)? })
            })
            .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>);
        rows.at(&self.path)
    }

    /// The global ids of every incident waiting for the server.
    pub fn pending_uids(&self) -> Result<HashSet<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT uid FROM outbox").at(&self.path)?;
        let rows = stmt.query_map([], |r| r.get(0)).and_then(Iterator::collect::<rusqlite::Result<_>>);
        rows.at(&self.path)
    }

    /// Records that `pending` reached the server as `server_id`, where `lost` are this
    /// desk's closes that came second (the server's close, and ours to keep as a conflict).
    /// The incident's entry is removed only if nothing changed since it was read; the
    /// server's id and closes are written either way. True when the entry was removed.
    #[cfg(test)]
    pub fn pushed(
        &mut self,
        pending: &Pending,
        server_id: &str,
        lost: &[(FollowUp, CloseConflict)],
    ) -> Result<bool, StoreError> {
        Ok(self.pushed_all(&[(pending.clone(), server_id.to_owned(), lost.to_vec())])? == 1)
    }

    /// Records that each of `batch` reached the server (see `pushed` in the tests), in one transaction (one wait for the disk, not
    /// one per incident); how many entries were removed.
    pub fn pushed_all(&mut self, batch: &[Pushed]) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let tx = self.write()?;
        let mut removed = 0;
        for (pending, server_id, lost) in batch {
            if record_pushed(&tx, pending, server_id, lost).at(&path)? {
                removed += 1;
            }
        }
        tx.commit().at(&path)?;
        Ok(removed)
    }

    /// Drops an entry whose incident is gone from the spool (purged before it was pushed).
    pub fn forget_pending(&mut self, pending: &Pending) -> Result<(), StoreError> {
        let path = self.path.clone();
        let tx = self.write()?;
        tx.execute(
            "DELETE FROM outbox WHERE uid = ?1 AND version = ?2",
            params![pending.uid, pending.version],
        )
        .at(&path)?;
        tx.commit().at(&path)
    }

    /// How the pushes stand.
    pub fn sync_state(&self) -> Result<SyncState, StoreError> {
        let (pending, oldest): (i64, Option<i64>) = self
            .conn
            .query_row("SELECT COUNT(*), MIN(since) FROM outbox", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .at(&self.path)?;
        let mut state = SyncState {
            pending: usize::try_from(pending).unwrap_or(0),
            oldest: oldest.map(from_ms).transpose().at(&self.path)?,
            ..SyncState::default()
        };
        let row: Option<(Option<i64>, Option<i64>, Option<String>)> = self
            .conn
            .query_row("SELECT last_success, last_failure, last_error FROM sync_state", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .at(&self.path)?;
        if let Some((success, failure, error)) = row {
            state.last_success = success.map(from_ms).transpose().at(&self.path)?;
            state.last_failure = failure.map(from_ms).transpose().at(&self.path)?;
            state.last_error = error;
        }
        Ok(state)
    }

    /// Records how a push went at `at`: a success, or a failure and why.
    pub fn record_sync(&mut self, at: Timestamp, error: Option<&str>) -> Result<(), StoreError> {
        let path = self.path.clone();
        let tx = self.write()?;
        let sql = if error.is_none() {
            "INSERT INTO sync_state (singleton, last_success) VALUES (1, ?1)
             ON CONFLICT (singleton) DO UPDATE SET last_success = excluded.last_success"
        } else {
            "INSERT INTO sync_state (singleton, last_failure, last_error) VALUES (1, ?1, ?2)
             ON CONFLICT (singleton) DO UPDATE SET last_failure = excluded.last_failure, last_error = excluded.last_error"
        };
        if let Some(e) = error {
            tx.execute(sql, params![ms(at), e]).at(&path)?;
        } else {
            tx.execute(sql, params![ms(at)]).at(&path)?;
        }
        tx.commit().at(&path)
    }

    /// The closes of incident `uid`'s follow-ups that lost to another desk's.
    pub fn close_conflicts(&self, uid: &str) -> Result<Vec<CloseConflict>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.step, c.done_at, c.outcome, c.done_by, c.note, c.site FROM close_conflicts c
                 JOIN incidents i ON i.n = c.incident WHERE i.uid = ?1 ORDER BY c.done_at, c.step",
            )
            .at(&self.path)?;
        let rows = stmt
            .query_map([uid], |r| {
                let outcome: Option<String> = r.get(2)?;
                Ok(CloseConflict {
                    step: r.get(0)?,
                    done_at: from_ms(r.get(1)?)?,
                    outcome: outcome.as_deref().and_then(FollowUpOutcome::from_key),
                    done_by: r.get(3)?,
                    note: r.get(4)?,
                    site: r.get(5)?,
                })
            })
            .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>);
        rows.at(&self.path)
    }
}

/// An incident that reached the server: its outbox entry as read, its id there, and this
/// desk's closes that came second.
pub type Pushed = (Pending, String, Vec<(FollowUp, CloseConflict)>);

/// See [`SqliteStore::pushed`].
fn record_pushed(
    tx: &rusqlite::Transaction,
    pending: &Pending,
    server_id: &str,
    lost: &[(FollowUp, CloseConflict)],
) -> rusqlite::Result<bool> {
    let done = tx.execute(
        "DELETE FROM outbox WHERE uid = ?1 AND version = ?2",
        params![pending.uid, pending.version],
    )? == 1;
    let n: Option<i64> =
        tx.query_row("SELECT n FROM incidents WHERE uid = ?1", [&pending.uid], |r| r.get(0)).optional()?;
    if let Some(n) = n {
        // The server extended an id that collided there: use it here too, unless it is
        // taken here (then both stay findable by the global id).
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM incidents WHERE id = ?1 AND n <> ?2)",
            params![server_id, n],
            |r| r.get(0),
        )?;
        if !taken {
            tx.execute("UPDATE incidents SET id = ?1 WHERE n = ?2 AND id <> ?1", params![server_id, n])?;
        }
        for (theirs, ours) in lost {
            tx.execute(
                "UPDATE follow_ups SET done_at = ?3, outcome = ?4, done_by = ?5, note = ?6
                     WHERE incident = ?1 AND step = ?2",
                params![
                    n,
                    theirs.step,
                    theirs.done_at.map(ms),
                    theirs.outcome.map(FollowUpOutcome::key),
                    theirs.done_by,
                    theirs.note
                ],
            )?;
            tx.execute(
                "INSERT INTO close_conflicts (incident, step, done_at, outcome, done_by, note, site)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
                params![
                    n,
                    ours.step,
                    ms(ours.done_at),
                    ours.outcome.map(FollowUpOutcome::key),
                    ours.done_by,
                    ours.note,
                    ours.site
                ],
            )?;
        }
        if !lost.is_empty() {
            super::summary::refresh_summary(tx, n)?;
        }
    }
    // What this transaction changed is the server's account already, not a new answer.
    if done {
        tx.execute("DELETE FROM outbox WHERE uid = ?1", [&pending.uid])?;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::conformance::{at, sample_incident};

    #[test]
    fn every_change_is_queued_and_a_push_removes_only_what_it_saw() {
        let mut spool = SqliteStore::spool_in_memory().unwrap();
        let incident = sample_incident("00000000-0000-4000-8000-000000000001");
        let id = spool.create(&incident).unwrap();
        let first = spool.pending(10).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].uid, incident.uid);
        // An answer saved while the push was on its way keeps the entry.
        let later = FollowUp {
            step: "call-again".into(),
            due: at(3_600_000),
            done_at: None,
            outcome: None,
            done_by: None,
            note: None,
        };
        spool.append(&incident.uid, &[crate::engine::Event::FollowUpScheduled(later)]).unwrap();
        assert!(!spool.pushed(&first[0], &id, &[]).unwrap());
        let second = spool.pending(10).unwrap();
        assert!(second[0].version > first[0].version);
        assert_eq!(second[0].since, first[0].since, "queued since the first change");
        assert!(spool.pushed(&second[0], "SRV-1", &[]).unwrap());
        assert!(spool.pending(10).unwrap().is_empty());
        assert_eq!(spool.get("srv-1").unwrap().uid, incident.uid, "the server's id is used here too");
        spool.record_sync(at(5), None).unwrap();
        spool.record_sync(at(9), Some("down")).unwrap();
        let state = spool.sync_state().unwrap();
        assert_eq!((state.pending, state.last_success, state.last_failure), (0, Some(at(5)), Some(at(9))));
        assert_eq!(state.last_error.as_deref(), Some("down"));
    }

    #[test]
    fn a_plain_log_queues_nothing() {
        let mut log = SqliteStore::in_memory().unwrap();
        log.create(&sample_incident("00000000-0000-4000-8000-000000000002")).unwrap();
        assert!(log.pending(10).unwrap().is_empty());
    }
}
