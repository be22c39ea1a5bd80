//! Drill results, in their own table: who practised which playbook, when, with which
//! seed, and how many answers were right per phase. They are never incidents, so
//! `report`, `log` and `export` (which read only the incident tables) cannot count them.

use jiff::Timestamp;
use rusqlite::params;

use super::SqliteStore;
use super::error::At;
use super::rows::{from_ms, ms};
use crate::playbook::Phase;
use crate::store::{DrillResult, StoreError};

/// The migration that adds the table; it goes last in `MIGRATIONS`.
pub(super) const MIGRATION: &str = include_str!("migrations/005_drills.sql");

fn count(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

impl SqliteStore {
    /// Records a finished drill.
    pub(super) fn record_drill(&mut self, d: &DrillResult) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| super::map_err(&path, &e);
        let tx = self.write()?;
        let p = |phase: Phase| d.phases[phase as usize];
        tx.execute(
            "INSERT INTO drills (at, staff, role, type, seed, severity, apologise_right, apologise_asked, \
             fix_right, fix_asked, amend_right, amend_asked, follow_up_right, follow_up_asked, reread) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                ms(d.at),
                d.staff,
                d.role,
                d.kind,
                d.seed.to_string(),
                d.severity,
                p(Phase::Apologise).0,
                p(Phase::Apologise).1,
                p(Phase::Fix).0,
                p(Phase::Fix).1,
                p(Phase::Amend).0,
                p(Phase::Amend).1,
                p(Phase::FollowUp).0,
                p(Phase::FollowUp).1,
                d.reread.join(" "),
            ],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    /// How many drills ended before `before`, for `purge` to say what it will delete.
    pub(super) fn count_drills_before(&self, before: Timestamp) -> Result<usize, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM drills WHERE at < ?1", [ms(before)], |r| r.get::<_, i64>(0))
            .map(|n| usize::try_from(n).unwrap_or(0))
            .at(&self.path)
    }

    /// Deletes drills ended before `before` (data retention: they name people). The log
    /// has `secure_delete` on, so the rows are overwritten; `purge`, which runs next, then
    /// empties the write-ahead file as it does for incidents.
    pub(super) fn purge_drills(&mut self, before: Timestamp) -> Result<usize, StoreError> {
        let path = self.path.clone();
        // As for incidents: a full disk means nothing was deleted, and saying so.
        let full = |e: StoreError| super::purge::nothing_deleted_when_full(&path, e);
        let err = |e: rusqlite::Error| full(super::map_err(&path, &e));
        let tx = self.write().map_err(full)?;
        let deleted = tx.execute("DELETE FROM drills WHERE at < ?1", [ms(before)]).map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(deleted)
    }

    /// Drills ended at or after `since` (all if `None`), oldest first.
    pub(super) fn drill_results(&self, since: Option<Timestamp>) -> Result<Vec<DrillResult>, StoreError> {
        let read = || -> rusqlite::Result<Vec<DrillResult>> {
            let mut stmt = self.conn.prepare(
                "SELECT at, staff, role, type, seed, severity, apologise_right, apologise_asked, fix_right, \
                 fix_asked, amend_right, amend_asked, follow_up_right, follow_up_asked, reread \
                 FROM drills WHERE at >= ?1 ORDER BY at, n",
            )?;
            let rows = stmt.query_map([since.map_or(i64::MIN, ms)], |r| {
                let seed: String = r.get(4)?;
                let reread: String = r.get(14)?;
                let pair = |i: usize| -> rusqlite::Result<(u32, u32)> {
                    Ok((count(r.get(i)?), count(r.get(i + 1)?)))
                };
                Ok(DrillResult {
                    at: from_ms(r.get(0)?)?,
                    staff: r.get(1)?,
                    role: r.get(2)?,
                    kind: r.get(3)?,
                    seed: seed.parse().unwrap_or(0),
                    severity: r.get(5)?,
                    phases: [pair(6)?, pair(8)?, pair(10)?, pair(12)?],
                    reread: reread.split_whitespace().map(str::to_owned).collect(),
                })
            })?;
            rows.collect()
        };
        read().at(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(staff: &str, at_ms: i64) -> DrillResult {
        DrillResult {
            at: Timestamp::from_millisecond(at_ms).unwrap(),
            staff: staff.into(),
            role: "staff".into(),
            kind: "noise".into(),
            seed: u64::MAX,
            severity: "major".into(),
            phases: [(2, 3), (1, 1), (0, 1), (1, 1)],
            reread: vec!["own-it".into(), "move-room".into()],
        }
    }

    #[test]
    fn drills_are_recorded_apart_from_incidents_and_read_back_since_a_time() {
        let mut store = SqliteStore::in_memory().unwrap();
        store.record_drill(&result("anna", 1_000)).unwrap();
        store.record_drill(&result("bo", 5_000)).unwrap();
        let all = store.drill_results(None).unwrap();
        assert_eq!(all, vec![result("anna", 1_000), result("bo", 5_000)]);
        let since = store.drill_results(Some(Timestamp::from_millisecond(2_000).unwrap())).unwrap();
        assert_eq!(since, vec![result("bo", 5_000)]);
        let two = Timestamp::from_millisecond(2_000).unwrap();
        assert_eq!(store.count_drills_before(two).unwrap(), 1);
        assert_eq!(store.purge_drills(two).unwrap(), 1);
        assert_eq!(store.drill_results(None).unwrap(), vec![result("bo", 5_000)]);
        let incidents: i64 =
            store.conn.query_row("SELECT count(*) FROM incidents", [], |r| r.get(0)).unwrap();
        assert_eq!(incidents, 0);
        // The table comes from a migration of the list, whatever its number.
        let version: i64 = store.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(usize::try_from(version).unwrap(), super::super::schema::MIGRATIONS.len());
        assert!(super::super::schema::MIGRATIONS.contains(&MIGRATION));
    }
}
