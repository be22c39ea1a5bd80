//! The SQL that finds incidents: the condition a [`Filter`] makes, the three statements a
//! scan reads side by side, the statement of `due`, and their query plans.

use std::collections::HashMap;

use rusqlite::Row;

use super::SqliteStore;
use super::error::At;
use super::rows::ms;
use crate::store::{Filter, StoreError};

/// The `WHERE` condition on `incidents i` for `filter`, with its parameters.
pub(super) fn condition(filter: &Filter) -> (String, Vec<rusqlite::types::Value>) {
    let mut sql = String::from("1 = 1");
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(t) = filter.since {
        args.push(ms(t).into());
        sql.push_str(&format!(" AND i.started_at >= ?{}", args.len()));
    }
    if let Some(t) = filter.before {
        args.push(ms(t).into());
        sql.push_str(&format!(" AND i.started_at < ?{}", args.len()));
    }
    if let Some(k) = &filter.kind {
        args.push(k.clone().into());
        sql.push_str(&format!(" AND i.type = ?{}", args.len()));
    }
    if let Some(s) = &filter.staff {
        args.push(s.clone().into());
        sql.push_str(&format!(" AND i.staff = ?{} COLLATE NOCASE", args.len()));
    }
    if let Some(s) = filter.status {
        args.push(s.key().to_owned().into());
        sql.push_str(&format!(" AND i.status = ?{}", args.len()));
    }
    if filter.open {
        // Both sets come from small partial indexes, so SQLite starts from them rather
        // than testing every incident of the log.
        sql.push_str(
            " AND i.n IN (SELECT n FROM incidents WHERE status = 'in_progress'
                UNION ALL SELECT incident FROM follow_ups WHERE done_at IS NULL)
             AND i.status <> 'abandoned'",
        );
    }
    (sql, args)
}

/// Which incidents a scan reads: all of them, or (for one of several readers side by
/// side) those whose integer key leaves remainder `.1` when divided by `.0`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Part(pub u32, pub u32);

/// What `scan` runs for `filter` (and `part`, unless `None`): the incidents, their steps
/// and their follow-ups, each in the same order of incidents, and the parameters all
/// three take.
pub(super) fn scan_statements(
    filter: &Filter,
    part: Option<Part>,
    oldest_first: bool,
) -> ([String; 3], Vec<rusqlite::types::Value>) {
    let (mut cond, args) = condition(filter);
    if let Some(Part(of, k)) = part {
        // Tested on the key the (started_at, id) index holds, before the row is read; as
        // a remainder from 0 to `of - 1` even for a negative key (SQLite's `%` keeps the
        // sign), so no incident falls outside every part.
        cond.push_str(&format!(" AND ((i.n % {of}) + {of}) % {of} = {k}"));
    }
    // (started_at, id) is unique, so the joined queries list incidents in exactly this
    // order; CROSS JOIN keeps SQLite from reading the big child tables first. Newest
    // first is the exact reverse (ties by id descending too), so all three queries walk
    // the (started_at, id) index backwards with nothing to sort.
    let order = if oldest_first { "i.started_at, i.id" } else { "i.started_at DESC, i.id DESC" };
    let statements = [
        format!("SELECT {} FROM incidents i WHERE {cond} ORDER BY {order}", incident_columns!()),
        format!(
            "SELECT i.n, {} FROM incidents i CROSS JOIN steps s ON s.incident = i.n WHERE {cond} ORDER BY {order}",
            step_columns!()
        ),
        format!(
            "SELECT i.n, {} FROM incidents i CROSS JOIN follow_ups f ON f.incident = i.n WHERE {cond} ORDER BY {order}",
            follow_up_columns!()
        ),
    ];
    (statements, args)
}

/// Open follow-ups due before `?1`, by due time, with what `due` shows of their incident.
/// Their incidents are read from the small index of those with open follow-ups (migration
/// 13), which SQLite would not choose over the table's own key unless named; an open
/// follow-up's incident always has `follow_ups_open > 0` (the term makes the index usable).
pub(super) const DUE_STATEMENT: &str =
    "SELECT i.id, i.type, i.ref, f.step, f.due, i.staff, i.uid FROM follow_ups f
    JOIN incidents i INDEXED BY incidents_open_follow_ups ON i.n = f.incident
    WHERE f.done_at IS NULL AND f.due < ?1 AND i.status <> 'abandoned' AND i.follow_ups_open > 0
    ORDER BY f.due";

impl SqliteStore {
    /// How SQLite answers the statements `scan` runs for `filter` (newest first) and the
    /// one `due` runs: each statement with its EXPLAIN QUERY PLAN, one line per step,
    /// indented by nesting. For BENCHMARKS.md, and for the test that keeps the queries of
    /// `log --since`, `log --open` and `due` on their indexes.
    pub fn query_plans(&self, filter: &Filter) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        let (statements, args) = scan_statements(filter, None, false);
        let mut plans = Vec::new();
        for sql in statements.iter().map(String::as_str).chain([DUE_STATEMENT]) {
            let mut stmt = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).at(&self.path)?;
            let row = |r: &Row| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(3)?));
            let steps: Vec<(i64, i64, String)> = if sql == DUE_STATEMENT {
                stmt.query_map([0_i64], row).and_then(Iterator::collect)
            } else {
                stmt.query_map(rusqlite::params_from_iter(args.iter()), row).and_then(Iterator::collect)
            }
            .at(&self.path)?;
            let mut depth: HashMap<i64, usize> = HashMap::new();
            let lines = steps
                .into_iter()
                .map(|(id, parent, detail)| {
                    let d = depth.get(&parent).map_or(0, |d| d + 1);
                    depth.insert(id, d);
                    format!("{}{detail}", "  ".repeat(d))
                })
                .collect();
            plans.push((sql.split_whitespace().collect::<Vec<_>>().join(" "), lines));
        }
        Ok(plans)
    }
}
