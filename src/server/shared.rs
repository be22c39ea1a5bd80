//! [`SharedStore`]: what a desk uses when its log is a server. Every write goes to the desk's
//! spool first (a SQLite log: committed before anything is shown as saved) and is pushed from
//! there (see `push`); reads are the server's, with this desk's incidents not yet pushed put
//! in their place, or the spool alone, said in one line, when the server cannot be reached.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::sync::mpsc;
use std::time::Duration;

use jiff::Timestamp;

use super::push::{PROMPT_WAIT, Pusher, Target, connect_store};
use super::{PostgresStore, ServerError};
use crate::engine::{Event, Incident, Rule};
use crate::store::{
    CloseConflict, DrillResult, Due, Filter, GuestHistory, Imported, Listed, Rejected, ReportPart,
    SqliteStore, Store, StoreError, SyncState,
};

/// The server as reads found it.
enum Link {
    Up(Box<PostgresStore>),
    /// Not reachable (down, no network): reads use the spool alone.
    Down,
    /// Reached, and refused this desk (a certificate, a password, a version): an error.
    Refused(String),
}

/// How long `import` waits for its push before leaving the rest to `recover sync`.
const IMPORT_WAIT: Duration = Duration::from_secs(600);

/// The shared log on a server, through this desk's spool.
pub struct SharedStore {
    spool: SqliteStore,
    target: Target,
    pusher: RefCell<Pusher>,
    /// The connection reads use, once tried.
    server: RefCell<Option<Link>>,
    /// Something was written here in this run (so a last push is tried at the end).
    wrote: Cell<bool>,
}

impl SharedStore {
    /// The spool at `target.spool` (made if need be), and a push thread for it. Nothing is
    /// asked of the server yet.
    pub fn open(target: Target) -> Result<SharedStore, StoreError> {
        let spool = SqliteStore::open_spool(&target.spool)?;
        let pusher = RefCell::new(Pusher::start(target.clone()));
        Ok(SharedStore { spool, target, pusher, server: RefCell::new(None), wrote: Cell::new(false) })
    }

    /// How the pushes stand, from the spool.
    pub fn sync_state(&self) -> Result<SyncState, StoreError> {
        self.spool.sync_state()
    }

    /// Pushes now, waiting at most `wait`: how many incidents reached the server, or why not.
    pub fn sync(&self, wait: Duration) -> Result<usize, String> {
        let mut pusher = self.pusher.borrow_mut();
        let done = pusher.last_try(wait).unwrap_or_else(|| {
            Err(pusher.last_error.clone().unwrap_or_else(|| "a push is still running".to_owned()))
        });
        for note in pusher.notes.drain(..) {
            eprintln!("recover: {}", crate::render::safe::one_line(&note));
        }
        done
    }

    /// The server as errors name it (no password).
    #[must_use]
    pub fn server_name(&self) -> String {
        self.target.info.to_string()
    }

    /// Pushes what this run wrote, waiting at most the prompt's wait.
    fn push_soon(&self) {
        self.wrote.set(true);
        let _ = self.pusher.borrow_mut().push(PROMPT_WAIT);
    }

    /// Runs `f` on the server, connecting first (within the connect timeout) after pushing
    /// what waits; `None` when the server cannot be reached (said once on stderr), an error
    /// when it refuses this desk.
    fn online<T>(&self, f: impl FnOnce(&PostgresStore) -> T) -> Result<Option<T>, StoreError> {
        let mut server = self.server.borrow_mut();
        if server.is_none() {
            let _ = self.pusher.borrow_mut().push(PROMPT_WAIT);
            *server = Some(self.connect_for_reading());
        }
        match server.as_ref() {
            Some(Link::Up(s)) => Ok(Some(f(s))),
            Some(Link::Refused(why)) => {
                Err(StoreError::Database { path: self.server_name().into(), why: why.clone() })
            }
            Some(Link::Down) | None => Ok(None),
        }
    }

    fn connect_for_reading(&self) -> Link {
        let (tell, told) = mpsc::channel();
        let target = self.target.clone();
        std::thread::spawn(move || {
            let _ = tell.send(connect_store(&target));
        });
        let wait = self.target.info.connect_timeout + Duration::from_secs(1);
        let why = match told.recv_timeout(wait) {
            Ok(Ok(store)) => return Link::Up(Box::new(store)),
            Ok(Err(e @ ServerError::Unreachable { .. })) => e.to_string(),
            // Said with the hint of a store error on a server (see `Error::hint`).
            Ok(Err(e)) => return Link::Refused(e.to_string()),
            Err(_) => format!("{} did not answer within {} s", self.server_name(), wait.as_secs()),
        };
        eprintln!(
            "recover: warning: {} (showing only what this desk recorded)",
            crate::render::safe::one_line(&why)
        );
        Link::Down
    }

    /// This desk's incidents not yet on the server.
    fn pending(&self) -> Result<HashSet<String>, StoreError> {
        self.spool.pending_uids()
    }

    /// The spool's incident `id`, fetched from the server into the spool first if only the
    /// server has it (a follow-up of another desk's incident closed here).
    fn local(&mut self, id: &str) -> Result<(), StoreError> {
        match self.spool.get(id) {
            Err(StoreError::NotFound(_)) => {}
            other => return other.map(drop),
        }
        let found =
            self.online(|s| s.get(id))?.unwrap_or_else(|| Err(StoreError::NotFound(id.to_owned())))?;
        self.spool.import(&mut std::iter::once(Ok(found)))?;
        Ok(())
    }
}

/// The order of a scan: start, id without case, uid; newest first is its reverse.
fn order_key(i: &Incident) -> (Timestamp, String, String) {
    (i.started_at, i.id.to_lowercase(), i.uid.clone())
}

impl Drop for SharedStore {
    /// A last push of what this run wrote; what cannot be sent stays in the spool, said in
    /// one line.
    fn drop(&mut self) {
        let mut pusher = self.pusher.borrow_mut();
        if self.wrote.get() && self.spool.sync_state().is_ok_and(|s| s.pending > 0) {
            let _ = pusher.last_try(PROMPT_WAIT);
        }
        for note in pusher.notes.drain(..) {
            eprintln!("recover: {}", crate::render::safe::one_line(&note));
        }
        if !self.wrote.get() {
            return;
        }
        if let Ok(state) = self.spool.sync_state() {
            if state.pending > 0 {
                let why = pusher.last_error.as_deref().unwrap_or("a push is still running");
                if super::refused_by_rules(why) {
                    eprintln!(
                        "recover: {} incident(s) are kept on this desk: the shared log refused them ({}); {}",
                        state.pending,
                        crate::render::safe::one_line(why),
                        super::REFUSED_CHECK
                    );
                    return;
                }
                eprintln!(
                    "recover: {} incident(s) are kept on this desk until the shared log can be reached ({}); `recover sync` sends them",
                    state.pending,
                    crate::render::safe::one_line(why)
                );
            }
        }
    }
}

impl Store for SharedStore {
    fn create(&mut self, incident: &Incident) -> Result<String, StoreError> {
        let id = self.spool.create(incident)?;
        self.push_soon();
        Ok(id)
    }

    fn append(&mut self, uid: &str, events: &[Event]) -> Result<(), StoreError> {
        self.spool.append(uid, events)?;
        self.push_soon();
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Incident, StoreError> {
        let here = self.spool.get(id);
        if let Ok(i) = &here {
            if self.pending()?.contains(&i.uid) {
                return here;
            }
        }
        match self.online(|s| s.get(id))? {
            Some(Err(StoreError::NotFound(_))) | None => here,
            Some(found) => found,
        }
    }

    /// This desk's own newest unfinished incident (`resume` continues what this desk began).
    fn latest_unfinished(&self) -> Result<Option<Incident>, StoreError> {
        self.spool.latest_unfinished()
    }

    fn scan(
        &self,
        filter: &Filter,
        oldest_first: bool,
        visit: &mut dyn FnMut(Incident) -> bool,
    ) -> Result<(), StoreError> {
        self.scan_sited(filter, oldest_first, &mut |i, _| visit(i))
    }

    /// The server's incidents with their sites, and this desk's not yet sent (this desk's
    /// site's) in their place.
    fn scan_sited(
        &self,
        filter: &Filter,
        oldest_first: bool,
        visit: &mut dyn FnMut(Incident, Option<String>) -> bool,
    ) -> Result<(), StoreError> {
        let ours_at = || self.target.site.clone();
        let pending = self.pending()?;
        let mut local = Vec::new();
        for uid in &pending {
            match self.spool.get(uid) {
                Ok(i) if filter.matches(&i) => local.push(i),
                Ok(_) | Err(StoreError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        local.sort_by_key(order_key);
        if !oldest_first {
            local.reverse();
        }
        let mut local = local.into_iter().peekable();
        let before = |a: &Incident, b: &Incident| {
            if oldest_first { order_key(a) < order_key(b) } else { order_key(a) > order_key(b) }
        };
        let mut stopped = false;
        let read = self.online(|server| {
            server.scan_sited(filter, oldest_first, &mut |theirs, site| {
                if pending.contains(&theirs.uid) {
                    return true;
                }
                while let Some(ours) = local.next_if(|ours| before(ours, &theirs)) {
                    if !visit(ours, ours_at()) {
                        stopped = true;
                        return false;
                    }
                }
                stopped = !visit(theirs, site);
                !stopped
            })
        });
        match read? {
            Some(result) => result?,
            // Offline: the spool alone, every incident this desk recorded.
            None => return self.spool.scan(filter, oldest_first, &mut |i| visit(i, ours_at())),
        }
        if !stopped {
            for ours in local {
                if !visit(ours, ours_at()) {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Counted on the server when nothing of this desk waits to be sent; else as `scan` reads.
    fn count(&self, filter: &Filter) -> Result<usize, StoreError> {
        self.count_up_to(filter, usize::MAX)
    }

    fn count_up_to(&self, filter: &Filter, cap: usize) -> Result<usize, StoreError> {
        if self.pending()?.is_empty() {
            if let Some(n) = self.online(|s| s.count_in_sql(filter, (cap < usize::MAX).then_some(cap)))? {
                return n;
            }
            return self.spool.count_up_to(filter, cap);
        }
        let mut n = 0;
        self.scan(filter, false, &mut |_| {
            n += 1;
            n < cap
        })?;
        Ok(n)
    }

    fn scan_listed(&self, filter: &Filter, visit: &mut dyn FnMut(Listed) -> bool) -> Result<(), StoreError> {
        self.scan(filter, false, &mut |i| visit(Listed::of(i)))
    }

    /// The server's sums; with this desk's incidents not yet sent, tallied from whole
    /// incidents (the server's and this desk's in their place), as every read is.
    fn report(&self, since: Timestamp, now: Timestamp) -> Result<crate::tally::Report, StoreError> {
        crate::tally::whole_or_tally(self, since, now)
    }

    fn report_parts(
        &self,
        since: Timestamp,
        now: Timestamp,
        by_site: bool,
    ) -> Result<Vec<ReportPart>, StoreError> {
        if self.pending()?.is_empty() {
            if let Some(parts) = self.online(|s| s.report_in_parts(since, now, by_site))? {
                return parts;
            }
            return self.spool.report_parts(since, now, false);
        }
        Ok(vec![ReportPart { site: None, report: crate::tally::tally(self, since, now)? }])
    }

    fn due(&self, until: Timestamp) -> Result<Vec<Due>, StoreError> {
        let pending = self.pending()?;
        // What this desk recorded is this desk's site's (the spool has no sites).
        let ours = |d: Due| Due { site: self.target.site.clone(), ..d };
        let Some(theirs) = self.online(|s| s.due(until))? else {
            return Ok(self.spool.due(until)?.into_iter().map(ours).collect());
        };
        let mut all: Vec<Due> = theirs?.into_iter().filter(|d| !pending.contains(&d.uid)).collect();
        all.extend(self.spool.due(until)?.into_iter().filter(|d| pending.contains(&d.uid)).map(ours));
        all.sort_by(|a, b| {
            (a.due, a.incident.to_lowercase(), &a.step).cmp(&(b.due, b.incident.to_lowercase(), &b.step))
        });
        Ok(all)
    }

    fn update(
        &mut self,
        id: &str,
        decide: &mut dyn FnMut(&Incident) -> Result<Vec<Event>, Rule>,
    ) -> Result<Incident, StoreError> {
        self.local(id)?;
        let changed = self.spool.update(id, decide)?;
        self.push_soon();
        Ok(changed)
    }

    fn import_reporting(
        &mut self,
        incidents: &mut dyn Iterator<Item = Result<Incident, Rejected>>,
        kept: &mut dyn FnMut(&Imported),
    ) -> Result<Option<Imported>, StoreError> {
        let imported = self.spool.import_reporting(incidents, kept)?;
        if imported.is_some() {
            self.wrote.set(true);
            let _ = self.pusher.borrow_mut().last_try(IMPORT_WAIT);
        }
        Ok(imported)
    }

    /// Deletes from the server (a manager's own site, as the server's rules allow), then from
    /// this desk's spool; nothing at all when the server cannot be reached.
    fn purge(&mut self, before: Timestamp) -> Result<usize, StoreError> {
        let on_server = self.online(|s| s.purge_before(before))?.unwrap_or_else(|| {
            Err(StoreError::PurgeFailed {
                path: self.server_name().into(),
                why: "the server cannot be reached".to_owned(),
            })
        })?;
        self.spool.purge(before)?;
        Ok(on_server)
    }

    fn close_conflicts(&self, uid: &str) -> Result<Vec<CloseConflict>, StoreError> {
        let mut all = self.spool.close_conflicts(uid)?;
        if let Some(theirs) = self.online(|s| s.close_conflicts_of(uid))? {
            for c in theirs? {
                if !all.iter().any(|a| a.step == c.step && a.done_at == c.done_at) {
                    all.push(c);
                }
            }
        }
        all.sort_by(|a, b| (a.done_at, &a.step).cmp(&(b.done_at, &b.step)));
        Ok(all)
    }

    fn guest_history(&self, hash: &str, since: Timestamp) -> Result<GuestHistory, StoreError> {
        self.spool.guest_history(hash, since)
    }

    fn record_guest(&mut self, id: &str, hash: &str, earlier: usize) -> Result<(), StoreError> {
        self.spool.record_guest(id, hash, earlier)
    }

    fn guest_of(&self, id: &str) -> Result<Option<(String, usize)>, StoreError> {
        self.spool.guest_of(id)
    }

    fn repeat_guests(&self, filter: &Filter) -> Result<usize, StoreError> {
        self.spool.repeat_guests(filter)
    }

    fn record_drill(&mut self, drill: &DrillResult) -> Result<(), StoreError> {
        self.spool.record_drill(drill)
    }

    fn drill_results(&self, since: Option<Timestamp>) -> Result<Vec<DrillResult>, StoreError> {
        self.spool.drill_results(since)
    }

    fn count_drills_before(&self, before: Timestamp) -> Result<usize, StoreError> {
        self.spool.count_drills_before(before)
    }

    fn purge_drills(&mut self, before: Timestamp) -> Result<usize, StoreError> {
        self.spool.purge_drills(before)
    }
}
