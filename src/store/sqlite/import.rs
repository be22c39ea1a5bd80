//! `import`: incidents merged by global id, in batches of a few seconds of writing.

use rusqlite::{OptionalExtension, Transaction, params};

use super::SqliteStore;
use super::bulk::Bulk;
use super::error::At;
use super::rows::ms;
use super::summary::refresh_summary;
use super::write::{fresh_id, insert_step, key_of_uid, write_follow_up};
use crate::engine::{Incident, Status};
use crate::store::{Imported, Rejected, Renamed, StoreError, Summary};

/// SQLite's own default page cache, in KiB: plenty for reading and for one answer.
const DEFAULT_CACHE_KIB: i64 = 2000;

/// The page cache while importing, in KiB, at least (see [`SqliteStore::import`]).
const IMPORT_CACHE_KIB: i64 = 16 * 1024;

/// ... and at most: an eighth of the log holds the uid and id indexes every batch writes
/// all over (6% of a log of a million incidents), so the cache grows with the log up to
/// this, which keeps the import of a million incidents within about 170 MB of memory.
const IMPORT_CACHE_MAX_KIB: i64 = 128 * 1024;

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
/// log (SQLite's default is 1000): 128 MiB, so a page that several batches rewrite (the
/// uid and id indexes' pages, each batch nearly all of them) is copied once for them all.
const IMPORT_CHECKPOINT_PAGES: i64 = 32 * 1024;

impl SqliteStore {
    /// Writes in batches of [`IMPORT_BATCH_TIME`] of writing, each its own transaction,
    /// so other terminals get the lock between them; a batch is written whole or not at
    /// all, and since merging is by global id, importing again after a crash adds nothing
    /// twice.
    pub(super) fn import_all(
        &mut self,
        incidents: &mut dyn Iterator<Item = Result<Incident, Rejected>>,
        kept: &mut dyn FnMut(&Imported),
    ) -> Result<Option<Imported>, StoreError> {
        let path = self.path.clone();
        let mut stats = Imported::default();
        let mut rejected = false;
        // A bigger page cache for the import: the uid and id indexes take new entries all
        // over, and every page that falls out of the cache is written to the WAL and read
        // back. The write-ahead file is copied into the log every 128 MiB rather than every
        // 4 MiB: the index pages each batch touches are then copied once for several
        // batches, not once for each. Foreign keys are not looked up: every step and
        // follow-up written here belongs to the incident written or found just before it
        // in the same transaction. Set back afterwards (a failed import leaves the store
        // unused anyway).
        self.conn
            .execute_batch(&format!(
                "PRAGMA wal_autocheckpoint = {IMPORT_CHECKPOINT_PAGES}; PRAGMA foreign_keys = OFF;"
            ))
            .at(&path)?;
        let mut incidents = incidents.peekable();
        while !rejected && incidents.peek().is_some() {
            let pages: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0)).at(&path)?;
            let page_kib =
                self.conn.query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0)).at(&path)? / 1024;
            let cache = (pages * page_kib / 8).clamp(IMPORT_CACHE_KIB, IMPORT_CACHE_MAX_KIB);
            self.conn.execute_batch(&format!("PRAGMA cache_size = -{cache};")).at(&path)?;
            let tx = self.write()?;
            let started = std::time::Instant::now();
            let mut batch = Imported::default();
            let mut bulk = Bulk::new(&tx).at(&path)?;
            for (k, item) in incidents.by_ref().enumerate() {
                match item {
                    Ok(incoming) if !rejected => {
                        import_one(&tx, &mut bulk, &incoming, &mut batch).at(&path)?;
                    }
                    Ok(_) => {}
                    Err(Rejected) => rejected = true,
                }
                if !rejected && (k + 1) % IMPORT_CLOCK_EVERY == 0 && started.elapsed() >= IMPORT_BATCH_TIME {
                    break;
                }
            }
            drop(bulk);
            if !rejected {
                tx.commit().at(&path)?;
                kept(&batch);
                stats.absorb(batch);
            }
        }
        // Read on, so the caller sees every bad item; the batch it was in is rolled back.
        incidents.for_each(drop);
        self.conn
            .execute_batch(&format!(
                "PRAGMA cache_size = -{DEFAULT_CACHE_KIB}; PRAGMA wal_autocheckpoint = 1000; PRAGMA foreign_keys = ON;"
            ))
            .at(&path)?;
        Ok((!rejected).then_some(stats))
    }
}

/// Adds one incident, or merges it into the one with its global id.
fn import_one(
    tx: &Transaction,
    bulk: &mut Bulk,
    incoming: &Incident,
    stats: &mut Imported,
) -> rusqlite::Result<()> {
    // Its summary is worked out from it and saved with its row, unless two of its
    // follow-ups name the same step (saved as one): then it is read back once saved.
    let f = &incoming.follow_ups;
    let distinct = f.iter().enumerate().all(|(k, a)| f[..k].iter().all(|b| b.step != a.step));
    let summary = if distinct { Summary::of(incoming) } else { Summary::default() };
    // Usually new, with its short id free: one statement. Otherwise, find out which.
    let first = if incoming.id.is_empty() {
        None
    } else {
        bulk.insert_incident(tx, incoming, &incoming.id, &summary)?
    };
    let n = if let Some(n) = first {
        n
    } else if let Some(n) = key_of_uid(tx, &incoming.uid)? {
        if merge(tx, n, incoming)? {
            refresh_summary(tx, n)?;
            stats.updated += 1;
        } else {
            stats.unchanged += 1;
        }
        return Ok(());
    } else {
        // Its short id is another incident's: give it a fresh one, and say so.
        let here = fresh_id(tx)?;
        let n = bulk
            .insert_incident(tx, incoming, &here, &summary)?
            .ok_or(rusqlite::Error::StatementChangedRows(0))?;
        if !incoming.id.is_empty() {
            stats.renamed.push(Renamed { theirs: incoming.id.clone(), here });
        }
        n
    };
    bulk.insert_steps(n, &incoming.steps)?;
    bulk.write_follow_ups(n, &incoming.follow_ups)?;
    if !distinct {
        refresh_summary(tx, n)?;
    }
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
