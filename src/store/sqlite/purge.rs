//! `purge`: deleted incidents wiped from the file, repeatably.

use jiff::Timestamp;

use super::error::{At, map_err};
use super::rows::ms;
use super::{BUSY_TIMEOUT_MS, SqliteStore, file};
use crate::store::StoreError;

/// How long `purge` waits for readers before saying their copies are still in the file.
const PURGE_WAIT_MS: u64 = 3_000;

impl SqliteStore {
    /// Deletes with `secure_delete` on, so the deleted rows are overwritten with zeros in
    /// the same transaction, then copies the pages into the file and empties the
    /// write-ahead file. Every step can be repeated: a purge that was stopped, or could not
    /// finish, is finished by running it again (even when nothing is left to delete). The
    /// cost follows what is deleted, not the size of the file: the file is only rewritten
    /// (VACUUM) when a quarter of it is free, or once for a log made before deletions were
    /// wiped (its free space may still hold deleted incidents).
    pub(super) fn purge_before(&mut self, before: Timestamp) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let full = |e: StoreError| nothing_deleted_when_full(&path, e);
        let tx = self.write().map_err(full)?;
        let deleting = (|| {
            // In batches within the one transaction, so progress can be shown (all or none
            // is still deleted).
            let mut deleted = 0;
            loop {
                let n = tx.execute(
                    "DELETE FROM incidents WHERE n IN
                        (SELECT n FROM incidents WHERE started_at < ?1 LIMIT 8192)",
                    [ms(before)],
                )?;
                crate::progress::advance(n as u64);
                deleted += n;
                if n == 0 {
                    break;
                }
            }
            let pragma = |name: &str| tx.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0));
            let counts = (pragma("application_id")?, pragma("freelist_count")?, pragma("page_count")?);
            tx.commit()?;
            Ok((deleted, counts))
        })();
        // Rolled back: say so, rather than that nothing more could be recorded.
        let (deleted, (id, free, pages)) = deleting.map_err(|e| full(map_err(&path, &e)))?;
        let unfinished = |why: String| StoreError::PurgeUnfinished { path: path.clone(), deleted, why };
        let legacy = id != file::APPLICATION_ID;
        if legacy || free * 4 > pages {
            crate::progress::say("progress_compacting");
            match self.conn.execute_batch("VACUUM") {
                Ok(()) => {}
                // Deleted data is wiped already; only the space is not given back.
                Err(_) if !legacy => {}
                Err(e) => {
                    return Err(match map_err(&path, &e) {
                        StoreError::Full { .. } => unfinished("the disk is too full to rewrite it".into()),
                        StoreError::Busy { .. } => unfinished("another recover is using the log".into()),
                        other => unfinished(other.to_string()),
                    });
                }
            }
            if legacy {
                self.conn.pragma_update(None, "application_id", file::APPLICATION_ID).at(&path)?;
            }
        }
        // Readers of older pages keep their copies in the write-ahead file: wait a little
        // for them (reads are short), then say so rather than claim the space is wiped.
        self.conn.busy_timeout(std::time::Duration::from_millis(PURGE_WAIT_MS)).at(&path)?;
        let checkpoint = self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0));
        self.conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS)).at(&path)?;
        match checkpoint.at(&path) {
            Ok(0) => Ok(deleted),
            Ok(_) | Err(StoreError::Busy { .. }) => {
                Err(unfinished("another recover is reading the log".into()))
            }
            Err(StoreError::Full { .. }) => Err(unfinished("the disk is full".into())),
            Err(e) => Err(unfinished(e.to_string())),
        }
    }
}

/// A full disk during a deletion means nothing was deleted (the transaction rolled back):
/// said as a purge that failed, with why, rather than as a log that cannot be written.
pub(super) fn nothing_deleted_when_full(path: &std::path::Path, e: StoreError) -> StoreError {
    match e {
        StoreError::Full { .. } => StoreError::PurgeFailed {
            path: path.to_path_buf(),
            why: "the disk is too full to write the deletion".into(),
        },
        other => other,
    }
}
