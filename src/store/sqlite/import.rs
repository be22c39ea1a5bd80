//! `import`: incidents merged by global id, in batches of a few seconds of writing.

use rusqlite::{OptionalExtension, Transaction, params};

use super::SqliteStore;
use super::error::At;
use super::rows::ms;
use super::summary::{self, refresh_summary};
use super::write::{
    fresh_id, insert_incident, insert_incident_unless_known, insert_step, key_of_uid, write_follow_up,
};
use crate::engine::{Incident, Status};
use crate::store::{Imported, Rejected, StoreError};

/// SQLite's own default page cache, in KiB: plenty for reading and for one answer.
const DEFAULT_CACHE_KIB: i64 = 2000;

/// The page cache while importing, in KiB (see [`SqliteStore::import`]); it keeps the
/// import of a million incidents well inside the memory a command may take.
const IMPORT_CACHE_KIB: i64 = 16 * 1024;

/// How long one transaction of an import writes before it commits and another terminal
/// waiting for the lock gets it. Not a count of incidents: the uid and id indexes take
/// new entries all over, so every transaction rewrites most of their pages, and the
/// number of transactions, not their size, sets how much an import writes (with 2000
/// incidents each, a million-incident import wrote 13 GB). Two seconds keep another
/// terminal's wait well inside its own ten.
pub(super) const IMPORT_BATCH_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// Incidents written between looks at the clock.
pub(super) const IMPORT_CLOCK_EVERY: usize = 100;

/// Pages the write-ahead file may hold during an import before they are copied into the
/// log (SQLite's default is 1000).
const IMPORT_CHECKPOINT_PAGES: i64 = 4000;

impl SqliteStore {
    /// Writes in batches of [`IMPORT_BATCH_TIME`] of writing, each its own transaction,
    /// so other terminals get the lock between them; a batch is written whole or not at
    /// all, and since merging is by global id, importing again after a crash adds nothing
    /// twice.
    pub(super) fn import_all(
        &mut self,
        incidents: &mut dyn Iterator<Item = Result<Incident, Rejected>>,
    ) -> Result<Option<Imported>, StoreError> {
        let path = self.path.clone();
        let mut stats = Imported::default();
        let mut rejected = false;
        // A bigger page cache for the import: the uid and id indexes take new entries all
        // over, and every page that falls out of the cache is written to the WAL and read
        // back. The write-ahead file is copied into the log every 16 MiB rather than every
        // 4 MiB: the index pages each batch touches are then copied once for several
        // batches, not once for each. Set back afterwards (a failed import leaves the store
        // unused anyway).
        self.conn
            .execute_batch(&format!(
                "PRAGMA cache_size = -{IMPORT_CACHE_KIB}; PRAGMA wal_autocheckpoint = {IMPORT_CHECKPOINT_PAGES};"
            ))
            .at(&path)?;
        let mut incidents = incidents.peekable();
        while !rejected && incidents.peek().is_some() {
            let tx = self.write()?;
            let started = std::time::Instant::now();
            let mut batch = Imported::default();
            for (k, item) in incidents.by_ref().enumerate() {
                match item {
                    Ok(incoming) if !rejected => import_one(&tx, &incoming, &mut batch).at(&path)?,
                    Ok(_) => {}
                    Err(Rejected) => rejected = true,
                }
                if !rejected && (k + 1) % IMPORT_CLOCK_EVERY == 0 && started.elapsed() >= IMPORT_BATCH_TIME {
                    break;
                }
            }
            if !rejected {
                tx.commit().at(&path)?;
                stats.added += batch.added;
                stats.updated += batch.updated;
                stats.unchanged += batch.unchanged;
            }
        }
        // Read on, so the caller sees every bad item; the batch it was in is rolled back.
        incidents.for_each(drop);
        self.conn
            .execute_batch(&format!(
                "PRAGMA cache_size = -{DEFAULT_CACHE_KIB}; PRAGMA wal_autocheckpoint = 1000;"
            ))
            .at(&path)?;
        Ok((!rejected).then_some(stats))
    }
}

/// Adds one incident, or merges it into the one with its global id.
fn import_one(tx: &Transaction, incoming: &Incident, stats: &mut Imported) -> rusqlite::Result<()> {
    // Usually new, with its short id free: one statement. Otherwise, find out which.
    let first = if incoming.id.is_empty() {
        None
    } else {
        insert_incident_unless_known(tx, incoming, &incoming.id, true)?
    };
    if let Some(n) = first {
        return add_rest(tx, n, incoming, stats);
    }
    if let Some(n) = key_of_uid(tx, &incoming.uid)? {
        if merge(tx, n, incoming)? {
            refresh_summary(tx, n)?;
            stats.updated += 1;
        } else {
            stats.unchanged += 1;
        }
        return Ok(());
    }
    // Its short id is another incident's: give it a fresh one.
    let n = insert_incident(tx, incoming, &fresh_id(tx)?)?;
    add_rest(tx, n, incoming, stats)
}

/// Adds a new incident's steps and follow-ups, once its own row is in.
fn add_rest(tx: &Transaction, n: i64, incoming: &Incident, stats: &mut Imported) -> rusqlite::Result<()> {
    for (seq, step) in incoming.steps.iter().enumerate() {
        insert_step(tx, n, Some(seq), step)?;
    }
    for f in &incoming.follow_ups {
        write_follow_up(tx, n, f)?;
    }
    summary::summarise_new(tx, n, incoming)?;
    stats.added += 1;
    Ok(())
}

/// Adds what `incoming` knows that this log's incident `n` does not (steps answered later,
/// follow-ups closed, the finish); returns whether anything changed.
fn merge(tx: &Transaction, n: i64, incoming: &Incident) -> rusqlite::Result<bool> {
    let mut changed = false;
    for step in &incoming.steps {
        let known = tx
            .prepare_cached("SELECT 1 FROM steps WHERE incident = ?1 AND step = ?2")?
            .exists(params![n, step.id])?;
        if !known {
            insert_step(tx, n, None, step)?;
            changed = true;
        } else if let Some(at) = step.completed_at {
            // Done afterwards in the other log.
            changed |= tx
                .prepare_cached(
                    "UPDATE steps SET completed_at = ?3, completed_by = ?4, completed_note = ?5
                     WHERE incident = ?1 AND step = ?2 AND outcome = 'skipped' AND completed_at IS NULL",
                )?
                .execute(params![n, step.id, ms(at), step.completed_by, step.completed_note])?
                > 0;
        }
    }
    for f in &incoming.follow_ups {
        let before: Option<Option<i64>> = tx
            .prepare_cached("SELECT done_at FROM follow_ups WHERE incident = ?1 AND step = ?2")?
            .query_row(params![n, f.step], |r| r.get(0))
            .optional()?;
        if before.is_none() || (before == Some(None) && f.done_at.is_some()) {
            write_follow_up(tx, n, f)?;
            changed = true;
        }
    }
    if let Some(role) = &incoming.approver_role {
        let n = tx
            .prepare_cached("UPDATE incidents SET approver_role = ?2 WHERE n = ?1 AND approver_role IS NULL")?
            .execute(params![n, role])?;
        changed |= n > 0;
    }
    if incoming.status != Status::InProgress {
        let n = tx
            .prepare_cached(
                "UPDATE incidents SET status = ?2, finished_at = ?3, abandoned_by = ?4, abandon_reason = ?5
                 WHERE n = ?1 AND status = 'in_progress'",
            )?
            .execute(params![
                n,
                incoming.status.key(),
                incoming.finished_at.map(ms),
                incoming.abandoned_by,
                incoming.abandon_reason
            ])?;
        changed |= n > 0;
    }
    if incoming.status == Status::Complete && incoming.steps.iter().any(|s| s.completed_at.is_some()) {
        // Made complete in the other log by doing its skipped steps afterwards.
        changed |= tx
            .prepare_cached(
                "UPDATE incidents SET status = 'complete' WHERE n = ?1 AND status = 'incomplete'",
            )?
            .execute([n])?
            > 0;
    }
    Ok(changed)
}
