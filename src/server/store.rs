//! [`PostgresStore`]: the shared log on a server. Reads go through row-level security, so a
//! desk login sees its own site's incidents and head office every site's, with no site
//! filter in the client. Writes merge whole incidents by global id (see `write` and
//! `record`); a desk normally writes through its spool (see `shared`), never straight here.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;

use jiff::Timestamp;
use postgres::types::ToSql;

use super::connect::why;
use super::rows::{condition, follow_up};
use crate::engine::{Event, FollowUp, Incident, Rule, StepRecord, apply_step};
use crate::store::{
    CloseConflict, DrillResult, Due, Filter, GuestHistory, Imported, Listed, Rejected, ReportPart, Store,
    StoreError,
};

/// `$1` as a uuid when it is one, else NULL (which no row's uid equals): a short id typed
/// where a global id could be must not make the cast fail.
pub(super) const UUID_OR_NULL: &str =
    "(CASE WHEN $1 ~ '^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$' THEN $1::uuid END)";

/// How many incidents a scan reads per round trip (keyset pages on start time, id, uid).
const PAGE: i64 = 500;

const INCIDENT_COLUMNS: &str = "i.uid::text, i.id, i.type, i.severity, i.staff, i.role, i.ref, i.started_at, \
     i.finished_at, i.status, i.currency, i.role_limit::text, i.failure_answered, i.failure_point, \
     i.failure_note, i.servqual, i.abandoned_by, i.abandon_reason, lower(i.id), i.approver_role, i.site, i.guest";

const STEP_COLUMNS: &str = "s.incident::text, s.seq, s.phase, s.step, s.outcome, s.at, s.choice, s.note, \
     s.reason, s.cost::text, s.approved_by, s.completed_at, s.completed_by, s.completed_note";

const FOLLOW_UP_COLUMNS: &str = "f.incident::text, f.step, f.due, f.done_at, f.outcome, f.done_by, f.note";

/// The shared log on a PostgreSQL server (reads).
pub struct PostgresStore {
    client: RefCell<postgres::Client>,
    /// The site new incidents are recorded for (`--site`, `RECOVER_SITE`).
    pub(super) site: Option<String>,
    /// The sites this login belongs to, `None` for head office (every site). Row-level
    /// security already limits what is seen; naming the sites in each query as well lets
    /// the planner use the per-site indexes instead of testing the policy row by row.
    scope: Option<Vec<String>>,
    /// Incidents per page of a scan.
    page: i64,
    /// The server as errors name it (no password).
    server: String,
}

pub(super) type Params = Vec<Box<dyn ToSql + Sync>>;

impl PostgresStore {
    /// A store on a connected client whose schema this recover accepts (see
    /// [`super::migrate::status`]).
    #[must_use]
    pub fn new(client: postgres::Client, server: String) -> PostgresStore {
        PostgresStore { client: RefCell::new(client), site: None, scope: None, page: PAGE, server }
    }

    /// The same, recording new incidents for `site`.
    #[must_use]
    pub fn for_site(mut self, site: Option<String>) -> PostgresStore {
        self.site = site;
        self
    }

    /// The same, reading only `sites` (a desk's or manager's memberships; `None`: every site).
    #[must_use]
    pub fn scoped_to(mut self, sites: Option<Vec<String>>) -> PostgresStore {
        self.scope = sites;
        self
    }

    /// `AND alias.site = ANY($n)` for a scoped login, its parameter appended to `params`.
    pub(super) fn in_scope(&self, alias: &str, params: &mut Params) -> String {
        match &self.scope {
            Some(sites) => {
                params.push(Box::new(sites.clone()));
                format!(" AND {alias}.site = ANY(${}::text[])", params.len())
            }
            None => String::new(),
        }
    }

    /// The server as errors name it.
    #[must_use]
    pub fn server(&self) -> &str {
        &self.server
    }

    pub(super) fn failed(&self, e: &postgres::Error) -> StoreError {
        if e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) {
            return self.refused(&format!("{} do that here ({})", super::NOT_ALLOWED, why(e)));
        }
        StoreError::Database { path: PathBuf::from(&self.server), why: why(e) }
    }

    /// A write the server's rules refuse, with why.
    pub(super) fn refused(&self, why: &str) -> StoreError {
        StoreError::Database { path: PathBuf::from(&self.server), why: why.to_owned() }
    }

    fn not_kept(&self, what: &str) -> StoreError {
        self.refused(&format!("the shared log keeps no {what}: they stay in the desk's own log"))
    }

    pub(super) fn execute(&self, sql: &str, params: &Params) -> Result<u64, StoreError> {
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect();
        self.client.borrow_mut().execute(sql, &refs).map_err(|e| self.failed(&e))
    }

    /// Runs `f` in one server transaction, committed if it succeeds and rolled back if not;
    /// a serialization failure (CockroachDB's 40001, a deadlock) runs it again.
    pub(super) fn in_tx<T>(
        &self,
        mut f: impl FnMut(&Self) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut tries = 0;
        loop {
            tries += 1;
            self.client.borrow_mut().batch_execute("BEGIN").map_err(|e| self.failed(&e))?;
            let done = f(self);
            let end = if done.is_ok() { "COMMIT" } else { "ROLLBACK" };
            let ended = self.client.borrow_mut().batch_execute(end);
            match (done, ended) {
                (Ok(v), Ok(())) => return Ok(v),
                (Err(e), _) => return Err(e),
                (Ok(_), Err(e)) if retryable(&e) && tries < 5 => {}
                (Ok(_), Err(e)) => return Err(self.failed(&e)),
            }
        }
    }

    pub(super) fn bad(&self, what: &str, v: &str) -> StoreError {
        StoreError::Database {
            path: PathBuf::from(&self.server),
            why: format!("bad {what} `{}`", crate::render::safe::one_line(v)),
        }
    }

    pub(super) fn query(&self, sql: &str, params: &Params) -> Result<Vec<postgres::Row>, StoreError> {
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect();
        self.client.borrow_mut().query(sql, &refs).map_err(|e| self.failed(&e))
    }

    /// Incidents (whole) where `cond` holds, in `order`, with `params`, each with its id as
    /// the server lower-cases it (a scan's page key) and its site.
    fn load(
        &self,
        cond: &str,
        order: &str,
        limit: Option<i64>,
        params: &Params,
    ) -> Result<Vec<(Incident, String, String)>, StoreError> {
        let limit = limit.map_or(String::new(), |n| format!(" LIMIT {n}"));
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS} FROM recover.incidents i WHERE {cond} ORDER BY {order}{limit}"
        );
        let mut incidents = self
            .query(&sql, params)?
            .iter()
            .map(|r| Ok((self.incident(r)?, r.get::<_, String>(18), r.get::<_, String>(20))))
            .collect::<Result<Vec<_>, StoreError>>()?;
        if incidents.is_empty() {
            return Ok(incidents);
        }
        let uids: Params =
            vec![Box::new(incidents.iter().map(|(i, _, _)| i.uid.clone()).collect::<Vec<String>>())];
        // Grouped by incident as they come (a page holds thousands of steps).
        let mut steps: HashMap<String, Vec<StepRecord>> = HashMap::new();
        for r in self.query(
            &format!(
                "SELECT {STEP_COLUMNS} FROM recover.steps s WHERE s.incident = ANY($1::text[]::uuid[]) ORDER BY s.seq"
            ),
            &uids,
        )? {
            steps.entry(r.get(0)).or_default().push(self.step(&r)?);
        }
        let mut follow_ups: HashMap<String, Vec<FollowUp>> = HashMap::new();
        for r in self.query(
            &format!(
                "SELECT {FOLLOW_UP_COLUMNS} FROM recover.follow_ups f WHERE f.incident = ANY($1::text[]::uuid[]) ORDER BY f.due, f.step"
            ),
            &uids,
        )? {
            follow_ups.entry(r.get(0)).or_default().push(follow_up(&r));
        }
        for (incident, _, _) in &mut incidents {
            for step in steps.remove(&incident.uid).unwrap_or_default() {
                apply_step(incident, step);
            }
            incident.follow_ups = follow_ups.remove(&incident.uid).unwrap_or_default();
        }
        Ok(incidents)
    }

    /// How many incidents match `filter`, counted on the server (no further than `cap`).
    pub(super) fn count_in_sql(&self, filter: &Filter, cap: Option<usize>) -> Result<usize, StoreError> {
        let mut params = Params::new();
        let mut cond = condition(filter, &mut params);
        cond.push_str(&self.in_scope("i", &mut params));
        let limit = cap.map_or(String::new(), |n| format!(" LIMIT {n}"));
        let rows = self.query(
            &format!("SELECT count(*) FROM (SELECT 1 FROM recover.incidents i WHERE {cond}{limit}) x"),
            &params,
        )?;
        Ok(rows.first().map_or(0, |r| usize::try_from(r.get::<_, i64>(0)).unwrap_or(0)))
    }

    /// The incident with global id `uid`.
    pub(super) fn get_by_uid(&self, uid: &str) -> Result<Incident, StoreError> {
        let params: Params = vec![Box::new(uid.to_owned())];
        let found = self.load(&format!("i.uid = {UUID_OR_NULL}"), "i.started_at", Some(1), &params)?;
        found.into_iter().next().map(|(i, _, _)| i).ok_or_else(|| StoreError::NotFound(uid.to_owned()))
    }
}

/// Whether a failed commit is worth trying again.
fn retryable(e: &postgres::Error) -> bool {
    use postgres::error::SqlState;
    e.code()
        .is_some_and(|c| *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED)
}

impl Store for PostgresStore {
    fn create(&mut self, incident: &Incident) -> Result<String, StoreError> {
        self.create_incident(incident)
    }

    fn append(&mut self, uid: &str, events: &[Event]) -> Result<(), StoreError> {
        self.append_events(uid, events)
    }

    fn get(&self, id: &str) -> Result<Incident, StoreError> {
        // A short id may be taken at several sites (head office sees them all): the newest.
        let id = id.trim();
        let params: Params = vec![Box::new(id.to_owned())];
        let found = self.load(
            &format!("(lower(i.id) = lower($1) OR i.uid = {UUID_OR_NULL})"),
            "i.started_at DESC",
            Some(1),
            &params,
        )?;
        found.into_iter().next().map(|(i, _, _)| i).ok_or_else(|| StoreError::NotFound(id.to_owned()))
    }

    fn latest_unfinished(&self) -> Result<Option<Incident>, StoreError> {
        let found = self.load("i.status = 'in_progress'", "i.started_at DESC", Some(1), &Vec::new())?;
        Ok(found.into_iter().next().map(|(i, _, _)| i))
    }

    fn scan(
        &self,
        filter: &Filter,
        oldest_first: bool,
        visit: &mut dyn FnMut(Incident) -> bool,
    ) -> Result<(), StoreError> {
        self.scan_sited(filter, oldest_first, &mut |i, _| visit(i))
    }

    fn scan_sited(
        &self,
        filter: &Filter,
        oldest_first: bool,
        visit: &mut dyn FnMut(Incident, Option<String>) -> bool,
    ) -> Result<(), StoreError> {
        let (cmp, dir) = if oldest_first { (">", "") } else { ("<", " DESC") };
        let order = format!("i.started_at{dir}, lower(i.id){dir}, i.uid::text{dir}");
        let mut after: Option<(Timestamp, String, String)> = None;
        loop {
            let mut params = Params::new();
            let mut cond = condition(filter, &mut params);
            cond.push_str(&self.in_scope("i", &mut params));
            if let Some((t, id, uid)) = after.take() {
                let n = params.len();
                cond.push_str(&format!(
                    " AND (i.started_at, lower(i.id), i.uid::text) {cmp} (${}, ${}, ${})",
                    n + 1,
                    n + 2,
                    n + 3
                ));
                params.push(Box::new(t));
                params.push(Box::new(id));
                params.push(Box::new(uid));
            }
            let page = self.load(&cond, &order, Some(self.page), &params)?;
            let full = i64::try_from(page.len()).unwrap_or(0) == self.page;
            for (incident, lower_id, site) in page {
                after = Some((incident.started_at, lower_id, incident.uid.clone()));
                if !visit(incident, Some(site)) {
                    return Ok(());
                }
            }
            if !full {
                return Ok(());
            }
        }
    }

    fn count(&self, filter: &Filter) -> Result<usize, StoreError> {
        self.count_in_sql(filter, None)
    }

    fn count_up_to(&self, filter: &Filter, cap: usize) -> Result<usize, StoreError> {
        self.count_in_sql(filter, Some(cap))
    }

    fn scan_listed(&self, filter: &Filter, visit: &mut dyn FnMut(Listed) -> bool) -> Result<(), StoreError> {
        self.scan(filter, false, &mut |i| visit(Listed::of(i)))
    }

    /// Summed in SQL; incidents in several currencies are tallied as the SQLite log tallies
    /// them (`report` itself asks for [`Store::report_parts`], which keeps them apart).
    fn report(&self, since: Timestamp, now: Timestamp) -> Result<crate::tally::Report, StoreError> {
        crate::tally::whole_or_tally(self, since, now)
    }

    fn report_parts(
        &self,
        since: Timestamp,
        now: Timestamp,
        by_site: bool,
    ) -> Result<Vec<ReportPart>, StoreError> {
        self.report_in_parts(since, now, by_site)
    }

    fn due(&self, until: Timestamp) -> Result<Vec<Due>, StoreError> {
        let mut params: Params = vec![Box::new(until)];
        let scope = self.in_scope("f", &mut params);
        let rows = self.query(
            &format!(
                "SELECT i.id, i.type, i.ref, f.step, f.due, i.staff, i.uid::text, f.site FROM recover.follow_ups f
                 JOIN recover.incidents i ON i.uid = f.incident
                 WHERE f.done_at IS NULL AND f.due < $1 AND i.status <> 'abandoned'{scope}
                 ORDER BY f.due, lower(i.id), f.step"
            ),
            &params,
        )?;
        Ok(rows
            .iter()
            .map(|r| Due {
                incident: r.get(0),
                kind: r.get(1),
                reference: r.get(2),
                step: r.get(3),
                due: r.get(4),
                staff: r.get(5),
                uid: r.get(6),
                site: r.get(7),
            })
            .collect())
    }

    fn update(
        &mut self,
        id: &str,
        decide: &mut dyn FnMut(&Incident) -> Result<Vec<Event>, Rule>,
    ) -> Result<Incident, StoreError> {
        self.update_incident(id, decide)
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

    fn close_conflicts(&self, uid: &str) -> Result<Vec<CloseConflict>, StoreError> {
        self.close_conflicts_of(uid)
    }

    /// Drills stay in the desk's own log (see `shared`): the server keeps none.
    fn record_drill(&mut self, _drill: &DrillResult) -> Result<(), StoreError> {
        Err(self.not_kept("drills"))
    }

    fn drill_results(&self, _since: Option<Timestamp>) -> Result<Vec<DrillResult>, StoreError> {
        Ok(Vec::new())
    }

    fn count_drills_before(&self, _before: Timestamp) -> Result<usize, StoreError> {
        Ok(0)
    }

    fn purge_drills(&mut self, _before: Timestamp) -> Result<usize, StoreError> {
        Ok(0)
    }

    /// The server keeps no guest hashes yet (the secret that makes them is the desk's): a
    /// guest has no history there.
    fn guest_history(&self, _hash: &str, _since: Timestamp) -> Result<GuestHistory, StoreError> {
        Ok(GuestHistory::default())
    }

    fn record_guest(&mut self, _id: &str, _hash: &str, _earlier: usize) -> Result<(), StoreError> {
        Err(self.not_kept("guest hashes"))
    }

    fn guest_of(&self, _id: &str) -> Result<Option<(String, usize)>, StoreError> {
        Ok(None)
    }

    fn repeat_guests(&self, _filter: &Filter) -> Result<usize, StoreError> {
        Ok(0)
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
