//! Repeat guests in the log: the `guests` table holds, per incident started with
//! `--guest`, the keyed hash of the guest's key (see [`crate::guest`]) and how many earlier
//! incidents the same guest had. It is deleted with its incident (`purge`), and no export
//! writes it.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};

use super::SqliteStore;
use super::error::map_err;
use super::rows::{from_ms, ms};
use crate::playbook::Severity;
use crate::store::{Filter, GuestHistory as History, StoreError};

/// The table and the index that finds a guest's incidents.
pub(super) const MIGRATION: &str = include_str!("migrations/008_guests.sql");

impl SqliteStore {
    /// The incidents of the guest whose key hashes to `hash` started since `since`.
    pub(super) fn guest_history(&self, hash: &str, since: Timestamp) -> Result<History, StoreError> {
        let err = |e: rusqlite::Error| map_err(&self.path, &e);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT i.id, i.started_at, i.severity FROM guests g JOIN incidents i ON i.n = g.incident
                 WHERE g.hash = ?1 AND i.started_at >= ?2 ORDER BY i.started_at",
            )
            .map_err(err)?;
        let mut rows = stmt.query(params![hash, ms(since)]).map_err(err)?;
        let mut h = History::default();
        while let Some(row) = rows.next().map_err(err)? {
            h.count += 1;
            h.latest = Some((row.get(0).map_err(err)?, from_ms(row.get(1).map_err(err)?).map_err(err)?));
            let severity: Option<String> = row.get(2).map_err(err)?;
            let severity = severity.as_deref().and_then(Severity::from_key);
            h.worst = h.worst.max(severity);
        }
        Ok(h)
    }

    /// Records that incident `id` was started for the guest whose key hashes to `hash`,
    /// who had `earlier` incidents before it.
    pub(super) fn record_guest(&mut self, id: &str, hash: &str, earlier: usize) -> Result<(), StoreError> {
        let tx = self.write()?;
        let done = tx
            .execute(
                "INSERT OR REPLACE INTO guests (incident, hash, earlier)
                 SELECT n, ?2, ?3 FROM incidents WHERE id = ?1",
                params![id, hash, i64::try_from(earlier).unwrap_or(i64::MAX)],
            )
            .and_then(|_| tx.commit());
        done.map_err(|e| map_err(&self.path, &e))
    }

    /// The hash and earlier count recorded for incident `id`, if it was started with a guest.
    pub(super) fn guest_of(&self, id: &str) -> Result<Option<(String, usize)>, StoreError> {
        self.conn
            .query_row(
                "SELECT g.hash, g.earlier FROM guests g JOIN incidents i ON i.n = g.incident WHERE i.id = ?1",
                [id],
                |row| Ok((row.get::<_, String>(0)?, usize::try_from(row.get::<_, i64>(1)?).unwrap_or(0))),
            )
            .optional()
            .map_err(|e| map_err(&self.path, &e))
    }

    /// Incidents matching `filter` (its start and type) whose guest had incidents before.
    pub(super) fn repeat_guests(&self, filter: &Filter) -> Result<usize, StoreError> {
        let since = filter.since.map_or(i64::MIN, ms);
        let n: Option<i64> = self
            .conn
            .query_row(
                // CROSS JOIN: the repeat guests first, from their index (migration 12).
                "SELECT COUNT(*) FROM guests g INDEXED BY guests_repeat CROSS JOIN incidents i ON i.n = g.incident
                 WHERE g.earlier > 0 AND i.started_at >= ?1 AND (?2 IS NULL OR i.type = ?2)",
                params![since, filter.kind],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| map_err(&self.path, &e))?;
        Ok(n.and_then(|n| usize::try_from(n).ok()).unwrap_or(0))
    }
}
