//! Pushing a desk's spool to the server: every incident in the outbox, one server transaction
//! each (a merge by global id, so a push cut short and made again adds nothing twice), its
//! outbox entry removed only if no newer answer arrived meanwhile.
//!
//! The push runs on a thread of its own with its own connections, and whoever asks waits at
//! most a deadline: a server that does not answer (a dropped network, a frozen host) never
//! holds a prompt for longer than that. While a push is still out, no other is started; after
//! a failure the next try waits longer (2 s, 4 s, ... up to 5 minutes).

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use super::conninfo::ConnInfo;
use super::{PostgresStore, ServerError};
use crate::store::{SqliteStore, Store, StoreError};

/// How long a prompt waits for a push before the next question.
pub const PROMPT_WAIT: Duration = Duration::from_secs(2);

/// The longest wait between tries after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Incidents read from the outbox at a time.
const BATCH: usize = 200;

/// What one push did.
#[derive(Debug, Default)]
pub struct Pushed {
    /// Incidents that reached the server.
    pub incidents: usize,
    /// Lines to tell the desk: closes that came second, ids the server extended.
    pub notes: Vec<String>,
}

/// Why a push did not finish.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The server could not be reached or refused this client.
    #[error(transparent)]
    Server(#[from] ServerError),
    /// A statement failed, or the spool could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The server did not answer within the wait.
    #[error("the server did not answer within {0} s")]
    NoAnswer(u64),
}

/// What the push thread needs to push.
#[derive(Clone, Debug)]
pub struct Target {
    /// The spool file.
    pub spool: PathBuf,
    /// The server.
    pub info: ConnInfo,
    /// The site new incidents are recorded for.
    pub site: Option<String>,
}

/// Connects to the server and checks it accepts this client.
pub fn connect_store(target: &Target) -> Result<PostgresStore, ServerError> {
    let shown = target.info.to_string();
    let mut client = super::connect(&target.info)?;
    let status = super::migrate::status(&mut client, &shown)?;
    let everywhere = status.memberships.iter().any(|(_, role)| role == "head_office");
    let sites = (!everywhere).then(|| status.memberships.into_iter().map(|(site, _)| site).collect());
    Ok(PostgresStore::new(client, shown).for_site(target.site.clone()).scoped_to(sites))
}

/// Pushes everything in the outbox of `target`'s spool, connecting if `server` is not
/// connected; records how it went in the spool.
fn push_all(target: &Target, server: &mut Option<PostgresStore>) -> Result<Pushed, PushError> {
    let mut spool = SqliteStore::open_spool(&target.spool)?;
    let outcome = push_with(&mut spool, target, server);
    let error = outcome.as_ref().err().map(ToString::to_string);
    if error.is_some() {
        // A connection that failed once is made again next time.
        *server = None;
    }
    spool.record_sync(crate::clock::now(), error.as_deref())?;
    outcome
}

fn push_with(
    spool: &mut SqliteStore,
    target: &Target,
    server: &mut Option<PostgresStore>,
) -> Result<Pushed, PushError> {
    let mut done = Pushed::default();
    let mut tried = std::collections::HashSet::new();
    loop {
        let batch: Vec<_> = spool.pending(BATCH)?.into_iter().filter(|p| !tried.contains(&p.uid)).collect();
        if batch.is_empty() {
            return Ok(done);
        }
        if server.is_none() {
            *server = Some(connect_store(target)?);
        }
        let Some(pg) = server.as_ref() else { continue };
        let mut done_here = Vec::new();
        let mut outcome: Result<(), PushError> = Ok(());
        for pending in batch {
            tried.insert(pending.uid.clone());
            let incident = match spool.get(&pending.uid) {
                Ok(i) => i,
                Err(StoreError::NotFound(_)) => {
                    spool.forget_pending(&pending)?;
                    continue;
                }
                Err(e) => {
                    outcome = Err(e.into());
                    break;
                }
            };
            let merged = match pg.in_tx(|s| s.merge(&incident, target.site.as_deref())) {
                Ok(m) => m,
                Err(e) => {
                    outcome = Err(e.into());
                    break;
                }
            };
            done.incidents += 1;
            if !merged.id.eq_ignore_ascii_case(&incident.id) {
                done.notes.push(format!(
                    "incident {} is {} in the shared log (its id was taken there)",
                    incident.id, merged.id
                ));
            }
            for (theirs, _) in &merged.lost {
                done.notes.push(format!(
                    "follow-up `{}` of {} was closed first by {} at another desk; this desk's close is kept as a conflict record (see `recover show-incident {}`)",
                    theirs.step,
                    merged.id,
                    theirs.done_by.as_deref().unwrap_or("someone"),
                    merged.id
                ));
            }
            done_here.push((pending, merged.id, merged.lost));
        }
        // What reached the server is recorded here in one transaction, even when a later
        // incident of the batch failed.
        spool.pushed_all(&done_here)?;
        outcome?;
    }
}

/// The push thread and what the main thread knows of it.
pub struct Pusher {
    ask: Sender<()>,
    told: Receiver<Result<Pushed, PushError>>,
    /// A push was asked for and has not answered yet.
    out: bool,
    /// No new push before this.
    not_before: Option<Instant>,
    failures: u32,
    /// Lines to show the desk, gathered from finished pushes.
    pub notes: Vec<String>,
    /// The last failure, for a one-line warning.
    pub last_error: Option<String>,
}

impl Pusher {
    /// Starts the push thread for `target` (it connects when first asked).
    #[must_use]
    pub fn start(target: Target) -> Pusher {
        let (ask, asked) = mpsc::channel::<()>();
        let (tell, told) = mpsc::channel();
        std::thread::spawn(move || {
            let mut server = None;
            while asked.recv().is_ok() {
                if tell.send(push_all(&target, &mut server)).is_err() {
                    return;
                }
            }
        });
        Pusher { ask, told, out: false, not_before: None, failures: 0, notes: Vec::new(), last_error: None }
    }

    /// Pushes, waiting at most `wait`; a push still out from before, or a back-off after a
    /// failure, means no push now. `Ok(None)`: nothing was finished within the wait.
    pub fn push(&mut self, wait: Duration) -> Option<Result<usize, String>> {
        if self.out {
            match self.told.try_recv() {
                Ok(result) => {
                    self.out = false;
                    let _ = self.take(result);
                }
                Err(_) => return None,
            }
        }
        if self.not_before.is_some_and(|t| Instant::now() < t) {
            return None;
        }
        if self.ask.send(()).is_err() {
            return Some(Err("the push thread stopped".to_owned()));
        }
        self.out = true;
        match self.told.recv_timeout(wait) {
            Ok(result) => {
                self.out = false;
                Some(self.take(result))
            }
            Err(RecvTimeoutError::Timeout) => {
                self.fail(&PushError::NoAnswer(wait.as_secs()).to_string());
                None
            }
            Err(RecvTimeoutError::Disconnected) => Some(Err("the push thread stopped".to_owned())),
        }
    }

    fn take(&mut self, result: Result<Pushed, PushError>) -> Result<usize, String> {
        match result {
            Ok(pushed) => {
                self.failures = 0;
                self.not_before = None;
                self.last_error = None;
                self.notes.extend(pushed.notes);
                Ok(pushed.incidents)
            }
            Err(e) => {
                let why = e.to_string();
                self.fail(&why);
                Err(why)
            }
        }
    }

    fn fail(&mut self, why: &str) {
        self.failures += 1;
        let backoff = Duration::from_secs(1 << self.failures.min(9)).min(MAX_BACKOFF);
        self.not_before = Some(Instant::now() + backoff);
        self.last_error = Some(why.to_owned());
    }

    /// The last try before the process ends: a back-off is not waited out (a retry on exit).
    pub fn last_try(&mut self, wait: Duration) -> Option<Result<usize, String>> {
        self.not_before = None;
        self.push(wait)
    }
}
