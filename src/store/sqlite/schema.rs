//! The log's schema: its migrations, in order, each one's SQL in its own file under
//! `migrations/` (as atuin keeps them), and opening a log: WAL on, the version checked,
//! what is missing migrated in one transaction.
//!
//! Migration history is frozen: a migration that has run on someone's log is never
//! changed; a change of schema is a new file at the end of [`MIGRATIONS`].

use std::path::Path;

use rusqlite::{ErrorCode, TransactionBehavior};

use super::error::At;
use super::{BUSY_TIMEOUT_MS, SqliteStore, file, summary};
use crate::store::StoreError;

/// Migrations in order; the log's `user_version` says how many have run.
pub(super) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_tables.sql"),
    // 2: steps and follow-ups keyed by the incident's integer key instead of its 36-byte
    // uid, so an incident's rows sit together and new ones are appended rather than
    // scattered through the tables (import of a million incidents, and every read, touch
    // far fewer pages); incidents ordered by (start, id) in one index, as `log` and
    // `export` read them; short ids compared without case by their index, as people type
    // them. Ids that only differ in case (possible through `import` before) get their
    // uid's start appended, so the one index can be unique. The open follow-ups' index
    // holds done_at (always NULL in it) so that `due` never reads the table itself.
    include_str!("migrations/002_integer_keys.sql"),
    // 3: what each incident adds up to, in its own row (see `summary`), and indexes for
    // `log --staff` and `log --type` that also give the order `log` shows (newest first,
    // ties by id), so a page of them, or finding there are none, reads only what it
    // shows; the summaries of incidents already here are filled in by `summary::backfill`
    // in the same transaction.
    include_str!("migrations/003_summaries.sql"),
    // 4: a step skipped at the time and done afterwards (when, who, what was said; the
    // skip and its reason stay), and who abandoned an incident and why. The status
    // `abandoned` needs no change: statuses are text.
    include_str!("migrations/004_after_the_fact.sql"),
    // 5: drill results, in a table of their own (see `drills`): never incidents.
    super::drills::MIGRATION,
    // 6: amends offered, given and withheld, counted by `report` from their own index.
    super::amends::MIGRATION,
    // 7: the approver's role, checked against the bundle when it is approved.
    super::amends::APPROVER_MIGRATION,
    // 8: repeat guests: keyed hashes of guests' keys, never the keys (see crate::guest).
    super::guests::MIGRATION,
    // 9: a desk's spool for a shared log: the outbox, close conflicts, the last pushes.
    super::spool::MIGRATION,
    // 10: the guest's side (their words, whether satisfied, contact with consent), one JSON
    // object as it is exported; purged with its incident.
    include_str!("migrations/010_guest_side.sql"),
    // 11: amends offered, given and withheld (with why) and skipped follow-ups as summary
    // columns, filled in here from the steps, so `report` reads no steps.
    include_str!("migrations/011_amend_summaries.sql"),
    // 12: what `report` adds up of each incident, one generated text in an index by start
    // time, so a report over years reads one narrow index (see `summary::report`).
    include_str!("migrations/012_report_rows.sql"),
    // 13: what `due` shows of the incidents with open follow-ups, in a small index of
    // their own, so `due` does not read the incidents' wide rows.
    include_str!("migrations/013_due_index.sql"),
    // 14: the amend steps' index of migration 6 dropped: nothing has read it since 11.
    include_str!("migrations/014_no_amends_index.sql"),
];

/// The migration (counted from 1) that adds the summaries [`summary::backfill`] fills in.
pub(super) const SUMMARY_MIGRATION: usize = 3;

/// The schema version this `recover` writes.
pub(super) fn known_version() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

impl SqliteStore {
    pub(super) fn prepare(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        self.conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS)).at(&path)?;
        // Reading the version is the first real read: a file that is not a database fails here.
        let version: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).at(&path)?;
        let known = known_version();
        if version > known {
            return Err(StoreError::TooNew { path: self.path.clone(), found: version, known });
        }
        file::recognise(&self.conn, &self.path, version)?;
        let mode: String = self.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).at(&path)?;
        if !mode.eq_ignore_ascii_case("wal") && self.path != Path::new(":memory:") {
            // Switching needs the file to itself; when terminals open a new log at the same
            // moment, wait for the others as a write would.
            let deadline = std::time::Instant::now() + std::time::Duration::from_millis(BUSY_TIMEOUT_MS);
            loop {
                match self.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
                    Err(e)
                        if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                            && std::time::Instant::now() < deadline =>
                    {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                    other => {
                        other.at(&path)?;
                        break;
                    }
                }
            }
        }
        // `secure_delete`: what is deleted or overwritten is overwritten with zeros, so a
        // purged incident cannot be read back from the file's free space.
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;")
            .at(&path)?;
        if version < known {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).at(&path)?;
            // Another terminal may have migrated while we waited for the lock.
            let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).at(&path)?;
            if now == 0 {
                tx.pragma_update(None, "application_id", file::APPLICATION_ID).at(&path)?;
            }
            let from = usize::try_from(now).unwrap_or(0);
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(from) {
                tx.execute_batch(sql).at(&path)?;
                tx.pragma_update(None, "user_version", i64::try_from(i + 1).unwrap_or(i64::MAX)).at(&path)?;
            }
            // Once every migration has run (in this same transaction), as it reads the
            // incidents with the columns of the latest schema.
            if from < SUMMARY_MIGRATION {
                summary::backfill(&tx).at(&path)?;
            }
            tx.commit().at(&path)?;
        }
        Ok(())
    }
}
