//! The incident log in one SQLite file: WAL so readers never block the writer, write
//! transactions that take the lock up front and wait for it, schema migrations on open.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior, params,
};

use super::{Closing, Due, Filter, Imported, Listed, Rejected, Store, StoreError, file};
use crate::engine::{Event, FollowUp, FollowUpOutcome, Incident, Outcome, Status, StepRecord, apply_step};
use crate::money::Money;
use crate::playbook::{Phase, Servqual, Severity};

mod guests;
mod json;
mod summary;

use summary::refresh_summary;

/// Migrations in order; the log's `user_version` says how many have run.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE incidents (
        uid TEXT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        severity TEXT,
        staff TEXT NOT NULL,
        role TEXT NOT NULL,
        ref TEXT,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        status TEXT NOT NULL,
        currency TEXT NOT NULL,
        role_limit TEXT NOT NULL,
        failure_answered INTEGER NOT NULL DEFAULT 0,
        failure_point TEXT,
        failure_note TEXT,
        servqual TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX incidents_started ON incidents(started_at);
    CREATE INDEX incidents_unfinished ON incidents(started_at) WHERE status = 'in_progress';
    CREATE TABLE steps (
        incident TEXT NOT NULL REFERENCES incidents(uid) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        phase TEXT NOT NULL,
        step TEXT NOT NULL,
        outcome TEXT NOT NULL,
        at INTEGER NOT NULL,
        choice TEXT,
        note TEXT,
        reason TEXT,
        cost TEXT,
        approved_by TEXT,
        PRIMARY KEY (incident, step)
    ) WITHOUT ROWID;
    CREATE TABLE follow_ups (
        incident TEXT NOT NULL REFERENCES incidents(uid) ON DELETE CASCADE,
        step TEXT NOT NULL,
        due INTEGER NOT NULL,
        done_at INTEGER,
        outcome TEXT,
        done_by TEXT,
        note TEXT,
        PRIMARY KEY (incident, step)
    ) WITHOUT ROWID;
    CREATE INDEX follow_ups_open ON follow_ups(due) WHERE done_at IS NULL;",
    // 2: steps and follow-ups keyed by the incident's integer key instead of its 36-byte
    // uid, so an incident's rows sit together and new ones are appended rather than
    // scattered through the tables (import of a million incidents, and every read, touch
    // far fewer pages); incidents ordered by (start, id) in one index, as `log` and
    // `export` read them; short ids compared without case by their index, as people type
    // them. Ids that only differ in case (possible through `import` before) get their
    // uid's start appended, so the one index can be unique. The open follow-ups' index
    // holds done_at (always NULL in it) so that `due` never reads the table itself.
    "CREATE TABLE incidents_v2 (
        n INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        id TEXT NOT NULL UNIQUE COLLATE NOCASE,
        type TEXT NOT NULL,
        severity TEXT,
        staff TEXT NOT NULL,
        role TEXT NOT NULL,
        ref TEXT,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        status TEXT NOT NULL,
        currency TEXT NOT NULL,
        role_limit TEXT NOT NULL,
        failure_answered INTEGER NOT NULL DEFAULT 0,
        failure_point TEXT,
        failure_note TEXT,
        servqual TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO incidents_v2 (uid, id, type, severity, staff, role, ref, started_at, finished_at,
            status, currency, role_limit, failure_answered, failure_point, failure_note, servqual)
        SELECT uid,
            CASE WHEN lower(id) IN (SELECT lower(id) FROM incidents GROUP BY lower(id) HAVING COUNT(*) > 1)
                THEN id || '-' || substr(uid, 1, 8) ELSE id END,
            type, severity, staff, role, ref, started_at, finished_at, status, currency,
            role_limit, failure_answered, failure_point, failure_note, servqual
        FROM incidents ORDER BY started_at, id;
    CREATE TABLE steps_v2 (
        incident INTEGER NOT NULL REFERENCES incidents_v2(n) ON DELETE CASCADE,
        step TEXT NOT NULL,
        seq INTEGER NOT NULL,
        phase TEXT NOT NULL,
        outcome TEXT NOT NULL,
        at INTEGER NOT NULL,
        choice TEXT,
        note TEXT,
        reason TEXT,
        cost TEXT,
        approved_by TEXT,
        PRIMARY KEY (incident, step)
    ) WITHOUT ROWID;
    INSERT INTO steps_v2 (incident, step, seq, phase, outcome, at, choice, note, reason, cost, approved_by)
        SELECT i.n, s.step, s.seq, s.phase, s.outcome, s.at, s.choice, s.note, s.reason, s.cost, s.approved_by
        FROM incidents_v2 i JOIN steps s ON s.incident = i.uid ORDER BY i.n, s.step;
    CREATE TABLE follow_ups_v2 (
        incident INTEGER NOT NULL REFERENCES incidents_v2(n) ON DELETE CASCADE,
        step TEXT NOT NULL,
        due INTEGER NOT NULL,
        done_at INTEGER,
        outcome TEXT,
        done_by TEXT,
        note TEXT,
        PRIMARY KEY (incident, step)
    ) WITHOUT ROWID;
    INSERT INTO follow_ups_v2 (incident, step, due, done_at, outcome, done_by, note)
        SELECT i.n, f.step, f.due, f.done_at, f.outcome, f.done_by, f.note
        FROM incidents_v2 i JOIN follow_ups f ON f.incident = i.uid ORDER BY i.n, f.step;
    DROP TABLE steps;
    DROP TABLE follow_ups;
    DROP TABLE incidents;
    ALTER TABLE incidents_v2 RENAME TO incidents;
    ALTER TABLE steps_v2 RENAME TO steps;
    ALTER TABLE follow_ups_v2 RENAME TO follow_ups;
    CREATE INDEX incidents_started ON incidents(started_at, id);
    CREATE INDEX incidents_unfinished ON incidents(started_at) WHERE status = 'in_progress';
    CREATE INDEX follow_ups_open ON follow_ups(due, done_at) WHERE done_at IS NULL;",
    // 3: what each incident adds up to, in its own row, and indexes for `log --staff` and
    // `log --type`; the summaries of incidents already here are filled in by
    // `summary::backfill` in the same transaction.
    summary::MIGRATION,
    // Repeat guests: keyed hashes of guests' keys, never the keys (see crate::guest).
    guests::MIGRATION,
];

/// The migration (counted from 1) after which [`summary::backfill`] runs.
const SUMMARY_MIGRATION: usize = 3;

/// The columns [`incident_row`] reads, in its order, from `incidents i`.
macro_rules! incident_columns {
    () => {
        "i.n, i.uid, i.id, i.type, i.severity, i.staff, i.role, i.ref, i.started_at, i.finished_at, \
         i.status, i.currency, i.role_limit, i.failure_answered, i.failure_point, i.failure_note, i.servqual"
    };
}

/// The columns [`step_row`] reads, in its order, from `steps s`.
macro_rules! step_columns {
    () => {
        "s.seq, s.phase, s.step, s.outcome, s.at, s.choice, s.note, s.reason, s.cost, s.approved_by"
    };
}

/// The columns [`follow_up_row`] reads, in its order, from `follow_ups f`.
macro_rules! follow_up_columns {
    () => {
        "f.step, f.due, f.done_at, f.outcome, f.done_by, f.note"
    };
}

/// Characters of short ids: no 0/O, 1/I/L, so they can be read aloud and typed back.
const ID_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

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
const IMPORT_BATCH_TIME: std::time::Duration = std::time::Duration::from_secs(2);

/// Incidents written between looks at the clock.
const IMPORT_CLOCK_EVERY: usize = 100;

/// Pages the write-ahead file may hold during an import before they are copied into the
/// log (SQLite's default is 1000).
const IMPORT_CHECKPOINT_PAGES: i64 = 4000;

/// How long a writer waits for another terminal's write to finish.
const BUSY_TIMEOUT_MS: u64 = 10_000;

/// How long `purge` waits for readers before saying their copies are still in the file.
const PURGE_WAIT_MS: u64 = 3_000;

/// The SQLite log.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// Why this log could only be opened for reading: every write reports it.
    blocked: Option<StoreError>,
    /// The private copy read instead of a read-only log, if one was needed.
    _copy: Option<file::Copy>,
}

impl SqliteStore {
    /// Opens (creating if need be) the log at `path`: the folder and file readable by their
    /// owner only, migrations applied, WAL on.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let access = |why: String| StoreError::Access { path: path.to_path_buf(), why };
        file::refuse_dangling_link(path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                create_private_dir(dir).map_err(|e| access(e.to_string()))?;
            }
        }
        if !path.exists() {
            create_private_file(path).map_err(|e| access(e.to_string()))?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let opened =
            Connection::open_with_flags(path, flags).map_err(|e| map_err(path, &e)).and_then(|conn| {
                let mut store = SqliteStore { conn, path: path.to_path_buf(), blocked: None, _copy: None };
                store.prepare().map(|()| store)
            });
        match opened {
            // On read-only media (a mounted backup, a locked-down folder) the log can still
            // be read; writing then fails with a clear error.
            Err(e @ (StoreError::Access { .. } | StoreError::Full { .. })) if path.is_file() => {
                let mut store = Self::open_read_only(path)?;
                store.blocked = Some(e);
                Ok(store)
            }
            other => other,
        }
    }

    fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        let (conn, copy) = file::open_read_only(path)?;
        let err = |e: rusqlite::Error| map_err(path, &e);
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err)?;
        file::recognise(&conn, path, version)?;
        let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
        if version != known {
            return Err(StoreError::Access {
                path: path.to_path_buf(),
                why: format!("it is read-only and at schema version {version}, not {known}"),
            });
        }
        Ok(SqliteStore { conn, path: path.to_path_buf(), blocked: None, _copy: copy })
    }

    /// A log in memory, for tests.
    pub fn in_memory() -> Result<Self, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| map_err(&path, &e))?;
        let mut store = SqliteStore { conn, path, blocked: None, _copy: None };
        store.prepare()?;
        Ok(store)
    }

    fn prepare(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| map_err(&path, &e);
        self.conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS)).map_err(err)?;
        // Reading the version is the first real read: a file that is not a database fails here.
        let version: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err)?;
        let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
        if version > known {
            return Err(StoreError::TooNew { path: self.path.clone(), found: version, known });
        }
        file::recognise(&self.conn, &self.path, version)?;
        let mode: String = self.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).map_err(err)?;
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
                        other.map_err(err)?;
                        break;
                    }
                }
            }
        }
        // `secure_delete`: what is deleted or overwritten is overwritten with zeros, so a
        // purged incident cannot be read back from the file's free space.
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;")
            .map_err(err)?;
        if version < known {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
            // Another terminal may have migrated while we waited for the lock.
            let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err)?;
            if now == 0 {
                tx.pragma_update(None, "application_id", file::APPLICATION_ID).map_err(err)?;
            }
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(now).unwrap_or(0)) {
                tx.execute_batch(sql).map_err(err)?;
                if i + 1 == SUMMARY_MIGRATION {
                    summary::backfill(&tx).map_err(err)?;
                }
                tx.pragma_update(None, "user_version", i64::try_from(i + 1).unwrap_or(i64::MAX))
                    .map_err(err)?;
            }
            tx.commit().map_err(err)?;
        }
        Ok(())
    }

    fn err(&self, e: &rusqlite::Error) -> StoreError {
        map_err(&self.path, e)
    }

    fn write(&mut self) -> Result<Transaction<'_>, StoreError> {
        let path = self.path.clone();
        match &self.blocked {
            Some(StoreError::Full { .. }) => return Err(StoreError::Full { path }),
            Some(StoreError::Access { why, .. }) => {
                return Err(StoreError::Access { path, why: why.clone() });
            }
            _ => {}
        }
        self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| map_err(&path, &e))
    }

    /// One incident by its integer key, with its steps and follow-ups.
    fn load(&self, n: i64) -> Result<Incident, StoreError> {
        load_incident(&self.conn, n).map_err(|e| self.err(&e))
    }

    /// How SQLite answers the statements `scan` runs for `filter` (newest first) and the
    /// one `due` runs: each statement with its EXPLAIN QUERY PLAN, one line per step,
    /// indented by nesting. For BENCHMARKS.md, and for the test that keeps the queries of
    /// `log --since`, `log --open` and `due` on their indexes.
    pub fn query_plans(&self, filter: &Filter) -> Result<Vec<(String, Vec<String>)>, StoreError> {
        let err = |e: rusqlite::Error| self.err(&e);
        let (statements, args) = scan_statements(filter, false);
        let mut plans = Vec::new();
        for sql in statements.iter().map(String::as_str).chain([DUE_STATEMENT]) {
            let mut stmt = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).map_err(err)?;
            let row = |r: &Row| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(3)?));
            let steps: Vec<(i64, i64, String)> = if sql == DUE_STATEMENT {
                stmt.query_map([0_i64], row).and_then(Iterator::collect)
            } else {
                stmt.query_map(rusqlite::params_from_iter(args.iter()), row).and_then(Iterator::collect)
            }
            .map_err(err)?;
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

    /// The integer key of the incident with this short id (any case) or global id.
    fn key_of(&self, id: &str) -> Result<i64, StoreError> {
        let id = id.trim();
        // `id` compares without case through its own index; `uid` has its own too.
        self.conn
            .prepare_cached("SELECT n FROM incidents WHERE id = ?1 OR uid = ?1")
            .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
            .map_err(|e| self.err(&e))?
            .ok_or_else(|| StoreError::NotFound(id.to_owned()))
    }
}

/// One incident by its integer key, with its steps and follow-ups.
fn load_incident(conn: &Connection, n: i64) -> rusqlite::Result<Incident> {
    let (_, mut incident) = conn
        .prepare_cached(concat!("SELECT ", incident_columns!(), " FROM incidents i WHERE i.n = ?1"))?
        .query_row([n], incident_row)?;
    let steps: Vec<(i64, StepRecord)> = conn
        .prepare_cached(concat!("SELECT ", step_columns!(), " FROM steps s WHERE s.incident = ?1"))?
        .query_map([n], |r| step_row(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    let follow_ups: Vec<FollowUp> = conn
        .prepare_cached(concat!("SELECT ", follow_up_columns!(), " FROM follow_ups f WHERE f.incident = ?1"))?
        .query_map([n], |r| follow_up_row(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    complete(&mut incident, steps, follow_ups);
    Ok(incident)
}

/// Hands each incident matching `filter` with its integer key to `visit` (which returns
/// false to stop): three queries however many incidents match, the incidents and their
/// steps and follow-ups joined to them in the same order, read side by side.
fn scan_on(
    conn: &Connection,
    filter: &Filter,
    oldest_first: bool,
    visit: &mut dyn FnMut(i64, Incident) -> rusqlite::Result<bool>,
) -> rusqlite::Result<()> {
    let ([incidents, steps, follow_ups], args) = scan_statements(filter, oldest_first);
    let mut incidents = conn.prepare(&incidents)?;
    let mut steps = conn.prepare(&steps)?;
    let mut follow_ups = conn.prepare(&follow_ups)?;
    let params = || rusqlite::params_from_iter(args.iter());
    let mut rows = incidents.query(params())?;
    let mut steps = Children::new(steps.query(params())?, joined_step);
    let mut follow_ups = Children::new(follow_ups.query(params())?, joined_follow_up);
    while let Some(row) = rows.next()? {
        let (n, mut incident) = incident_row(row)?;
        complete(&mut incident, steps.of(n)?, follow_ups.of(n)?);
        if !visit(n, incident)? {
            break;
        }
    }
    Ok(())
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}

/// What a failure of SQLite means for the person using the log.
pub(super) fn map_err(path: &Path, e: &rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotALog { path, why: "it is not an SQLite database" },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy { path },
        Some(ErrorCode::DiskFull) => StoreError::Full { path },
        Some(ErrorCode::SystemIoFailure | ErrorCode::CannotOpen) => diagnose(path, e),
        Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => {
            StoreError::Access { path, why: e.to_string() }
        }
        _ => StoreError::Database { path, why: e.to_string() },
    }
}

/// SQLite says only "disk I/O error" or "unable to open"; a small write beside the log
/// tells a full disk from a read-only folder.
fn diagnose(path: PathBuf, e: &rusqlite::Error) -> StoreError {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let probe = dir.join(format!(".recover-probe-{}", std::process::id()));
    let written = std::fs::write(&probe, [0u8; 16 * 1024]);
    let _ = std::fs::remove_file(&probe);
    match written {
        Err(io) if io.kind() == std::io::ErrorKind::StorageFull => StoreError::Full { path },
        Err(io) if io.kind() == std::io::ErrorKind::ReadOnlyFilesystem => {
            StoreError::Access { path, why: "its folder is on a read-only file system".into() }
        }
        Err(io) => StoreError::Access { path, why: format!("{e} ({io})") },
        Ok(()) => StoreError::Access { path, why: e.to_string() },
    }
}

fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

fn from_ms(v: i64) -> rusqlite::Result<Timestamp> {
    Timestamp::from_millisecond(v).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Integer, Box::new(e))
    })
}

fn bad(what: &str, v: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("bad {what} `{v}`").into(),
    )
}

fn money(v: &str) -> rusqlite::Result<Money> {
    v.parse().map_err(|_| bad("amount", v))
}

/// The text in column `i` without copying it, for values that become enums.
fn text<'r>(r: &'r Row, i: usize) -> rusqlite::Result<&'r str> {
    r.get_ref(i)?.as_str().map_err(Into::into)
}

/// Like [`text`], for a column that may be NULL.
fn text_or_null<'r>(r: &'r Row, i: usize) -> rusqlite::Result<Option<&'r str>> {
    r.get_ref(i)?.as_str_or_null().map_err(Into::into)
}

/// An incident row (columns as [`incident_columns`]) with its integer key; its steps and
/// follow-ups are added by [`complete`].
fn incident_row(r: &Row) -> rusqlite::Result<(i64, Incident)> {
    let severity = text_or_null(r, 4)?;
    let status = text(r, 10)?;
    let incident = Incident {
        id: r.get(2)?,
        uid: r.get(1)?,
        kind: r.get(3)?,
        severity: severity.map(|s| Severity::from_key(s).ok_or_else(|| bad("severity", s))).transpose()?,
        staff: r.get(5)?,
        role: r.get(6)?,
        reference: r.get(7)?,
        started_at: from_ms(r.get(8)?)?,
        finished_at: r.get::<_, Option<i64>>(9)?.map(from_ms).transpose()?,
        status: Status::from_key(status).ok_or_else(|| bad("status", status))?,
        steps: Vec::new(),
        amends_total: Money::ZERO,
        currency: r.get(11)?,
        limit: money(text(r, 12)?)?,
        failure_answered: r.get(13)?,
        failure_point: r.get(14)?,
        failure_note: r.get(15)?,
        servqual: text(r, 16)?.split(',').filter_map(Servqual::from_key).collect(),
        follow_ups: Vec::new(),
    };
    Ok((r.get(0)?, incident))
}

/// A step (columns as [`step_columns`], from column `at`) with its place in the answers.
fn step_row(r: &Row, at: usize) -> rusqlite::Result<(i64, StepRecord)> {
    let phase = text(r, at + 1)?;
    let outcome = text(r, at + 3)?;
    let cost = text_or_null(r, at + 8)?;
    let step = StepRecord {
        phase: Phase::from_key(phase).ok_or_else(|| bad("phase", phase))?,
        id: r.get(at + 2)?,
        outcome: match outcome {
            "done" => Outcome::Done,
            "skipped" => Outcome::Skipped,
            _ => return Err(bad("outcome", outcome)),
        },
        at: from_ms(r.get(at + 4)?)?,
        choice: r.get(at + 5)?,
        note: r.get(at + 6)?,
        reason: r.get(at + 7)?,
        cost: cost.map(money).transpose()?,
        approved_by: r.get(at + 9)?,
    };
    Ok((r.get(at)?, step))
}

/// A follow-up (columns as [`follow_up_columns`], from column `at`).
fn follow_up_row(r: &Row, at: usize) -> rusqlite::Result<FollowUp> {
    Ok(FollowUp {
        step: r.get(at)?,
        due: from_ms(r.get(at + 1)?)?,
        done_at: r.get::<_, Option<i64>>(at + 2)?.map(from_ms).transpose()?,
        outcome: text_or_null(r, at + 3)?.and_then(FollowUpOutcome::from_key),
        done_by: r.get(at + 4)?,
        note: r.get(at + 5)?,
    })
}

/// Adds an incident's steps (in the order they were answered) and follow-ups (soonest
/// first), read in whatever order the tables keep them.
fn complete(incident: &mut Incident, mut steps: Vec<(i64, StepRecord)>, mut follow_ups: Vec<FollowUp>) {
    steps.sort_by_key(|(seq, _)| *seq);
    incident.steps.reserve(steps.len());
    // The table's key keeps one row per step id, so each is new to the incident.
    for (_, step) in steps {
        apply_step(incident, step);
    }
    follow_ups.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.step.cmp(&b.step)));
    incident.follow_ups = follow_ups;
}

/// The rows of a child table (steps or follow-ups) joined to the incidents a scan reads,
/// in the same order: handed out incident by incident as the scan reaches each one.
struct Children<'s, T> {
    rows: rusqlite::Rows<'s>,
    read: fn(&Row) -> rusqlite::Result<(i64, T)>,
    next: Option<(i64, T)>,
    started: bool,
}

impl<'s, T> Children<'s, T> {
    fn new(rows: rusqlite::Rows<'s>, read: fn(&Row) -> rusqlite::Result<(i64, T)>) -> Self {
        Children { rows, read, next: None, started: false }
    }

    fn advance(&mut self) -> rusqlite::Result<()> {
        self.next = match self.rows.next()? {
            Some(row) => Some((self.read)(row)?),
            None => None,
        };
        Ok(())
    }

    /// The rows of incident `n`, the next one in the scan's order.
    fn of(&mut self, n: i64) -> rusqlite::Result<Vec<T>> {
        if !self.started {
            // Started only once the scan has its first incident, so that all three
            // queries read in the one transaction the first one opened.
            self.started = true;
            self.advance()?;
        }
        let mut found = Vec::new();
        loop {
            match self.next.take() {
                Some((m, t)) if m == n => {
                    found.push(t);
                    self.advance()?;
                }
                other => {
                    self.next = other;
                    return Ok(found);
                }
            }
        }
    }
}

/// A step row joined to its incident: the incident's key, then [`step_columns`].
fn joined_step(r: &Row) -> rusqlite::Result<(i64, (i64, StepRecord))> {
    Ok((r.get(0)?, step_row(r, 1)?))
}

/// A follow-up row joined to its incident: the incident's key, then [`follow_up_columns`].
fn joined_follow_up(r: &Row) -> rusqlite::Result<(i64, FollowUp)> {
    Ok((r.get(0)?, follow_up_row(r, 1)?))
}

/// The `WHERE` condition on `incidents i` for `filter`, with its parameters.
fn condition(filter: &Filter) -> (String, Vec<rusqlite::types::Value>) {
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
    if filter.open {
        // Both sets come from small partial indexes, so SQLite starts from them rather
        // than testing every incident of the log.
        sql.push_str(
            " AND i.n IN (SELECT n FROM incidents WHERE status = 'in_progress'
                UNION ALL SELECT incident FROM follow_ups WHERE done_at IS NULL)",
        );
    }
    (sql, args)
}

/// What `scan` runs for `filter`: the incidents, their steps and their follow-ups, each
/// in the same order of incidents, and the parameters all three take.
fn scan_statements(filter: &Filter, oldest_first: bool) -> ([String; 3], Vec<rusqlite::types::Value>) {
    let (cond, args) = condition(filter);
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
const DUE_STATEMENT: &str = "SELECT i.id, i.type, i.ref, f.step, f.due, i.staff, i.uid FROM follow_ups f
    JOIN incidents i ON i.n = f.incident WHERE f.done_at IS NULL AND f.due < ?1 ORDER BY f.due";

fn short_id() -> String {
    let bytes = *uuid::Uuid::new_v4().as_bytes();
    let n = ID_ALPHABET.len();
    let chars: Vec<char> = bytes[..6].iter().map(|b| ID_ALPHABET[usize::from(*b) % n] as char).collect();
    format!("{}{}{}-{}{}{}", chars[0], chars[1], chars[2], chars[3], chars[4], chars[5])
}

/// Saves a new incident's own row; returns its integer key.
fn insert_incident(tx: &Transaction, incident: &Incident, id: &str) -> rusqlite::Result<i64> {
    insert_incident_unless_known(tx, incident, id, false)?.ok_or(rusqlite::Error::StatementChangedRows(0))
}

/// Saves a new incident's own row, or nothing when `unless_known` and its global id or
/// short id is in the log already (`None`): one statement for the usual case of an import.
fn insert_incident_unless_known(
    tx: &Transaction,
    incident: &Incident,
    id: &str,
    unless_known: bool,
) -> rusqlite::Result<Option<i64>> {
    let servqual: Vec<&str> = incident.servqual.iter().map(|s| s.key()).collect();
    let sql = if unless_known {
        "INSERT INTO incidents (uid, id, type, severity, staff, role, ref, started_at, finished_at, status,
            currency, role_limit, failure_answered, failure_point, failure_note, servqual)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) ON CONFLICT DO NOTHING"
    } else {
        "INSERT INTO incidents (uid, id, type, severity, staff, role, ref, started_at, finished_at, status,
            currency, role_limit, failure_answered, failure_point, failure_note, servqual)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
    };
    let inserted = tx.prepare_cached(sql)?.execute(params![
        incident.uid,
        id,
        incident.kind,
        incident.severity.map(Severity::key),
        incident.staff,
        incident.role,
        incident.reference,
        ms(incident.started_at),
        incident.finished_at.map(ms),
        incident.status.key(),
        incident.currency,
        incident.limit.to_string(),
        incident.failure_answered,
        incident.failure_point,
        incident.failure_note,
        servqual.join(","),
    ])?;
    Ok((inserted == 1).then(|| tx.last_insert_rowid()))
}

/// The integer key of the incident with global id `uid`, if it is here.
fn key_of_uid(tx: &Transaction, uid: &str) -> rusqlite::Result<Option<i64>> {
    tx.prepare_cached("SELECT n FROM incidents WHERE uid = ?1")?.query_row([uid], |r| r.get(0)).optional()
}

/// Saves step `s` of incident `n` as its `seq`-th answer (`None`: after those saved).
fn insert_step(tx: &Transaction, n: i64, seq: Option<usize>, s: &StepRecord) -> rusqlite::Result<()> {
    let outcome = match s.outcome {
        Outcome::Done => "done",
        Outcome::Skipped => "skipped",
    };
    let cost = s.cost.map(|c| c.to_string());
    let (phase, at) = (s.phase.key(), ms(s.at));
    match seq {
        Some(seq) => tx
            .prepare_cached(
                "INSERT INTO steps (incident, step, phase, outcome, at, choice, note, reason, cost, approved_by, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                n,
                s.id,
                phase,
                outcome,
                at,
                s.choice,
                s.note,
                s.reason,
                cost,
                s.approved_by,
                i64::try_from(seq).unwrap_or(i64::MAX)
            ])?,
        None => tx
            .prepare_cached(
                "INSERT INTO steps (incident, step, phase, outcome, at, choice, note, reason, cost, approved_by, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, (SELECT COUNT(*) FROM steps WHERE incident = ?1))",
            )?
            .execute(params![n, s.id, phase, outcome, at, s.choice, s.note, s.reason, cost, s.approved_by])?,
    };
    Ok(())
}

fn write_event(tx: &Transaction, n: i64, event: &Event) -> rusqlite::Result<()> {
    match event {
        Event::Severity(s) => {
            tx.prepare_cached("UPDATE incidents SET severity = ?2 WHERE n = ?1")?
                .execute(params![n, s.key()])?;
        }
        Event::Step(s) => insert_step(tx, n, None, s)?,
        Event::FollowUpScheduled(f) => write_follow_up(tx, n, f)?,
        Event::FailurePoint { point, note } => {
            tx.prepare_cached(
                "UPDATE incidents SET failure_answered = 1, failure_point = ?2, failure_note = ?3 WHERE n = ?1",
            )?
            .execute(params![n, point, note])?;
        }
        Event::Finished { status, at } => {
            tx.prepare_cached("UPDATE incidents SET status = ?2, finished_at = ?3 WHERE n = ?1")?
                .execute(params![n, status.key(), ms(*at)])?;
        }
    }
    Ok(())
}

fn write_follow_up(tx: &Transaction, n: i64, f: &FollowUp) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO follow_ups (incident, step, due, done_at, outcome, done_by, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (incident, step) DO UPDATE SET
            done_at = COALESCE(follow_ups.done_at, excluded.done_at),
            outcome = COALESCE(follow_ups.outcome, excluded.outcome),
            done_by = COALESCE(follow_ups.done_by, excluded.done_by),
            note = COALESCE(follow_ups.note, excluded.note)",
    )?
    .execute(params![n, f.step, ms(f.due), f.done_at.map(ms), f.outcome.map(FollowUpOutcome::key), f.done_by, f.note])?;
    Ok(())
}

impl Store for SqliteStore {
    fn create(&mut self, incident: &Incident) -> Result<String, StoreError> {
        let path = self.path.clone();
        let tx = self.write()?;
        let id = fresh_id(&tx).map_err(|e| map_err(&path, &e))?;
        let n = insert_incident(&tx, incident, &id).map_err(|e| map_err(&path, &e))?;
        refresh_summary(&tx, n).map_err(|e| map_err(&path, &e))?;
        tx.commit().map_err(|e| map_err(&path, &e))?;
        Ok(id)
    }

    fn append(&mut self, uid: &str, events: &[Event]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let tx = self.write()?;
        let n = key_of_uid(&tx, uid).map_err(|e| map_err(&path, &e))?;
        let n = n.ok_or_else(|| StoreError::NotFound(uid.to_owned()))?;
        for event in events {
            if let Err(e) = write_event(&tx, n, event) {
                // A step answered twice: another terminal resumed the same incident and
                // answered first. Say so; the raw constraint would read as a broken log.
                if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) {
                    let incident = tx
                        .query_row("SELECT id FROM incidents WHERE n = ?1", [n], |r| r.get(0))
                        .unwrap_or_else(|_| uid.to_owned());
                    return Err(StoreError::AnsweredElsewhere { incident });
                }
                return Err(map_err(&path, &e));
            }
        }
        refresh_summary(&tx, n).map_err(|e| map_err(&path, &e))?;
        tx.commit().map_err(|e| map_err(&path, &e))
    }

    fn get(&self, id: &str) -> Result<Incident, StoreError> {
        self.load(self.key_of(id)?)
    }

    fn latest_unfinished(&self) -> Result<Option<Incident>, StoreError> {
        let n: Option<i64> = self
            .conn
            .query_row(
                "SELECT n FROM incidents WHERE status = 'in_progress' ORDER BY started_at DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(&e))?;
        n.map(|n| self.load(n)).transpose()
    }

    fn scan(
        &self,
        filter: &Filter,
        oldest_first: bool,
        visit: &mut dyn FnMut(Incident) -> bool,
    ) -> Result<(), StoreError> {
        scan_on(&self.conn, filter, oldest_first, &mut |_, i| Ok(visit(i))).map_err(|e| self.err(&e))
    }

    fn scan_json(
        &self,
        filter: &Filter,
        oldest_first: bool,
        redact: bool,
        visit: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<(), StoreError> {
        json::scan_json(&self.conn, filter, oldest_first, redact, visit).map_err(|e| self.err(&e))
    }

    fn scan_listed(&self, filter: &Filter, visit: &mut dyn FnMut(Listed) -> bool) -> Result<(), StoreError> {
        summary::scan_listed(&self.conn, filter, visit).map_err(|e| self.err(&e))
    }

    fn report(&self, since: Timestamp, now: Timestamp) -> Result<crate::report::Report, StoreError> {
        summary::report(&self.conn, since, now).map_err(|e| self.err(&e))
    }

    fn count(&self, filter: &Filter) -> Result<usize, StoreError> {
        let (cond, args) = condition(filter);
        let n: i64 = self
            .conn
            .prepare(&format!("SELECT COUNT(*) FROM incidents i WHERE {cond}"))
            .and_then(|mut s| s.query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0)))
            .map_err(|e| self.err(&e))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn count_up_to(&self, filter: &Filter, cap: usize) -> Result<usize, StoreError> {
        let (cond, args) = condition(filter);
        let n: i64 = self
            .conn
            .prepare(&format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM incidents i WHERE {cond} LIMIT {})",
                i64::try_from(cap).unwrap_or(i64::MAX)
            ))
            .and_then(|mut s| s.query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0)))
            .map_err(|e| self.err(&e))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    fn due(&self, until: Timestamp) -> Result<Vec<Due>, StoreError> {
        // The open follow-ups' index gives them by due time; ties are put in order here
        // rather than by SQLite's sorter, which would start over for every due time.
        let mut stmt = self.conn.prepare_cached(DUE_STATEMENT).map_err(|e| self.err(&e))?;
        let mut due: Vec<Due> = stmt
            .query_map([ms(until)], |r| {
                Ok(Due {
                    incident: r.get(0)?,
                    kind: r.get(1)?,
                    reference: r.get(2)?,
                    step: r.get(3)?,
                    due: from_ms(r.get(4)?)?,
                    staff: r.get(5)?,
                    uid: r.get(6)?,
                })
            })
            .and_then(Iterator::collect)
            .map_err(|e| self.err(&e))?;
        // Ids compare as the id column does (SQLite's NOCASE: ASCII folded to lower case).
        let nocase = |a: &str, b: &str| {
            a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
        };
        due.sort_by(|a, b| {
            a.due.cmp(&b.due).then_with(|| nocase(&a.incident, &b.incident)).then_with(|| a.step.cmp(&b.step))
        });
        Ok(due)
    }

    /// Checks and closes in one write transaction: of two terminals closing the same
    /// follow-up at once, the second waits for the first, then sees who closed it.
    fn close_follow_up(&mut self, id: &str, step: &str, closing: &Closing) -> Result<Incident, StoreError> {
        let n = self.key_of(id)?;
        let path = self.path.clone();
        let err = |e: rusqlite::Error| map_err(&path, &e);
        let tx = self.write()?;
        let (short, follow_ups) = tx
            .query_row("SELECT id FROM incidents WHERE n = ?1", [n], |r| r.get::<_, String>(0))
            .and_then(|short| {
                let mut stmt = tx.prepare_cached(concat!(
                    "SELECT ",
                    follow_up_columns!(),
                    " FROM follow_ups f WHERE f.incident = ?1 ORDER BY f.due, f.step"
                ))?;
                let all: Vec<FollowUp> =
                    stmt.query_map([n], |r| follow_up_row(r, 0))?.collect::<Result<_, _>>()?;
                Ok((short, all))
            })
            .map_err(err)?;
        let Some(f) = follow_ups.iter().find(|f| f.step.eq_ignore_ascii_case(step.trim())) else {
            return Err(StoreError::NoSuchFollowUp {
                incident: short,
                step: step.to_owned(),
                known: if follow_ups.is_empty() {
                    "none".to_owned()
                } else {
                    follow_ups.iter().map(|f| f.step.as_str()).collect::<Vec<_>>().join(", ")
                },
            });
        };
        if let Some(at) = f.done_at {
            return Err(StoreError::AlreadyClosed {
                incident: short,
                step: f.step.clone(),
                at: at.to_string(),
                by: f.done_by.clone().unwrap_or_else(|| "someone".to_owned()),
            });
        }
        let changed = tx
            .execute(
                "UPDATE follow_ups SET done_at = ?3, outcome = ?4, done_by = ?5, note = ?6 WHERE incident = ?1 AND step = ?2 AND done_at IS NULL",
                params![n, f.step, ms(closing.at), closing.outcome.key(), closing.by, closing.note],
            )
            .map_err(err)?;
        if changed != 1 {
            // Cannot happen inside the transaction; never report a close that did not happen.
            return Err(StoreError::Database {
                path: path.clone(),
                why: format!("follow-up `{}` was not closed", f.step),
            });
        }
        refresh_summary(&tx, n).map_err(err)?;
        tx.commit().map_err(err)?;
        self.load(n)
    }

    /// Writes in batches of [`IMPORT_BATCH_TIME`] of writing, each its own transaction,
    /// so other terminals get the lock between them; a batch is written whole or not at
    /// all, and since merging is by global id, importing again after a crash adds nothing
    /// twice.
    fn import(
        &mut self,
        incidents: &mut dyn Iterator<Item = Result<Incident, Rejected>>,
    ) -> Result<Option<Imported>, StoreError> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| map_err(&path, &e);
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
            .map_err(err)?;
        let mut incidents = incidents.peekable();
        while !rejected && incidents.peek().is_some() {
            let tx = self.write()?;
            let started = std::time::Instant::now();
            let mut batch = Imported::default();
            for (k, item) in incidents.by_ref().enumerate() {
                match item {
                    Ok(incoming) if !rejected => import_one(&tx, &incoming, &mut batch).map_err(err)?,
                    Ok(_) => {}
                    Err(Rejected) => rejected = true,
                }
                if !rejected && (k + 1) % IMPORT_CLOCK_EVERY == 0 && started.elapsed() >= IMPORT_BATCH_TIME {
                    break;
                }
            }
            if !rejected {
                tx.commit().map_err(err)?;
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
            .map_err(err)?;
        Ok((!rejected).then_some(stats))
    }

    /// Deletes with `secure_delete` on, so the deleted rows are overwritten with zeros in
    /// the same transaction, then copies the pages into the file and empties the
    /// write-ahead file. Every step can be repeated: a purge that was stopped, or could not
    /// finish, is finished by running it again (even when nothing is left to delete). The
    /// cost follows what is deleted, not the size of the file: the file is only rewritten
    /// (VACUUM) when a quarter of it is free, or once for a log made before deletions were
    /// wiped (its free space may still hold deleted incidents).
    fn purge(&mut self, before: Timestamp) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| map_err(&path, &e);
        let full = |e: StoreError| match e {
            StoreError::Full { .. } => StoreError::PurgeFailed {
                path: path.clone(),
                why: "the disk is too full to write the deletion".into(),
            },
            other => other,
        };
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
            crate::progress::say("compacting the log file");
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
                self.conn.pragma_update(None, "application_id", file::APPLICATION_ID).map_err(err)?;
            }
        }
        // Readers of older pages keep their copies in the write-ahead file: wait a little
        // for them (reads are short), then say so rather than claim the space is wiped.
        self.conn.busy_timeout(std::time::Duration::from_millis(PURGE_WAIT_MS)).map_err(err)?;
        let checkpoint = self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0));
        self.conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS)).map_err(err)?;
        match checkpoint.map_err(err) {
            Ok(0) => Ok(deleted),
            Ok(_) | Err(StoreError::Busy { .. }) => {
                Err(unfinished("another recover is reading the log".into()))
            }
            Err(StoreError::Full { .. }) => Err(unfinished("the disk is full".into())),
            Err(e) => Err(unfinished(e.to_string())),
        }
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

fn fresh_id(tx: &Transaction) -> rusqlite::Result<String> {
    let mut stmt = tx.prepare_cached("SELECT 1 FROM incidents WHERE id = ?1")?;
    loop {
        let id = short_id();
        if !stmt.exists([&id])? {
            return Ok(id);
        }
    }
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
    if incoming.status != Status::InProgress {
        let n = tx
            .prepare_cached(
                "UPDATE incidents SET status = ?2, finished_at = ?3 WHERE n = ?1 AND status = 'in_progress'",
            )?
            .execute(params![n, incoming.status.key(), incoming.finished_at.map(ms)])?;
        changed |= n > 0;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::apply_event;
    use crate::store::Filter;

    fn incident(uid: &str, id: &str, started_ms: i64, steps: usize, follow_ups: usize) -> Incident {
        let at = |ms: i64| Timestamp::from_millisecond(ms).unwrap();
        let mut i = Incident {
            id: id.into(),
            uid: uid.into(),
            kind: "noise".into(),
            severity: Some(Severity::Major),
            staff: "anna".into(),
            role: "staff".into(),
            reference: Some("room 12".into()),
            started_at: at(started_ms),
            finished_at: Some(at(started_ms + 60_000)),
            status: Status::Complete,
            steps: Vec::new(),
            amends_total: Money::ZERO,
            currency: "EUR".into(),
            limit: Money::whole(50),
            failure_point: None,
            failure_note: None,
            failure_answered: true,
            servqual: vec![Servqual::Tangibles, Servqual::Empathy],
            follow_ups: Vec::new(),
        };
        // Ids out of alphabetical order, so reading them back in answer order is tested.
        for k in 0..steps {
            let step = StepRecord {
                phase: if k == 0 { Phase::Apologise } else { Phase::Amend },
                id: format!("step-{}", (steps - k) * 7 % 10),
                outcome: Outcome::Done,
                at: at(started_ms + 1000 * i64::try_from(k).unwrap()),
                choice: None,
                note: (k == 1).then(|| "a note".into()),
                reason: None,
                cost: (k > 0).then(|| Money::whole(10)),
                approved_by: None,
            };
            apply_event(&mut i, &Event::Step(step));
        }
        for k in 0..follow_ups {
            i.follow_ups.push(FollowUp {
                step: format!("call-{k}"),
                due: at(started_ms + 3_600_000 * (2 - i64::try_from(k).unwrap())),
                done_at: None,
                outcome: None,
                done_by: None,
                note: None,
            });
        }
        i.follow_ups.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.step.cmp(&b.step)));
        i
    }

    fn import(store: &mut SqliteStore, incidents: Vec<Incident>) -> Option<Imported> {
        store.import(&mut incidents.into_iter().map(Ok)).unwrap()
    }

    #[test]
    fn scans_give_each_incident_whole_in_either_order() {
        let mut store = SqliteStore::in_memory().unwrap();
        let all = vec![
            incident("u1", "AAA-111", 1_000_000, 3, 2),
            incident("u2", "BBB-222", 2_000_000, 0, 0),
            incident("u3", "CCC-333", 2_000_000, 5, 1),
            incident("u4", "DDD-444", 3_000_000, 1, 0),
            incident("u5", "EEE-555", 4_000_000, 0, 3),
        ];
        assert_eq!(import(&mut store, all.clone()).unwrap().added, 5);
        let mut oldest = Vec::new();
        store
            .scan(&Filter::default(), true, &mut |i| {
                oldest.push(i);
                true
            })
            .unwrap();
        assert_eq!(oldest, all, "same start: by id");
        let newest = store.list(&Filter::default()).unwrap();
        let ids: Vec<&str> = newest.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            ids,
            ["EEE-555", "DDD-444", "CCC-333", "BBB-222", "AAA-111"][..],
            "newest first: the reverse of oldest first"
        );
        assert!(newest.iter().all(|i| all.contains(i)));
        let since =
            Filter { since: Some(Timestamp::from_millisecond(2_000_000).unwrap()), ..Filter::default() };
        assert_eq!(store.list(&since).unwrap().len(), 4);
        assert_eq!(store.count(&since).unwrap(), 4);
        let open = Filter { open: true, ..Filter::default() };
        let ids: Vec<String> = store.list(&open).unwrap().into_iter().map(|i| i.id).collect();
        assert_eq!(ids, ["EEE-555", "CCC-333", "AAA-111"]);
        let mut seen = 0;
        store
            .scan(&Filter::default(), true, &mut |_| {
                seen += 1;
                seen < 2
            })
            .unwrap();
        assert_eq!(seen, 2, "a visit can stop the scan");
    }

    #[test]
    fn log_and_due_queries_read_only_what_they_return() {
        let store = SqliteStore::in_memory().unwrap();
        let since = Some(Timestamp::from_millisecond(1_000).unwrap());
        let filters = [
            Filter { since, ..Filter::default() },
            Filter { since, kind: Some("noise".into()), staff: Some("anna".into()), ..Filter::default() },
            Filter { open: true, ..Filter::default() },
            // `log --staff` and `log --type` over the whole log: their own indexes.
            Filter { staff: Some("anna".into()), ..Filter::default() },
            Filter { kind: Some("noise".into()), ..Filter::default() },
        ];
        for filter in &filters {
            for (sql, plan) in store.query_plans(filter).unwrap() {
                // A SCAN reads a whole table or index: only the small partial indexes of
                // what is open may be read whole.
                let whole = plan.iter().map(|l| l.trim()).filter(|l| l.starts_with("SCAN ")).find(|l| {
                    !l.ends_with("INDEX incidents_unfinished") && !l.ends_with("INDEX follow_ups_open")
                });
                assert!(whole.is_none(), "{filter:?}: {sql}\n{}", plan.join("\n"));
            }
        }
    }

    #[test]
    fn an_import_with_a_rejected_item_keeps_nothing_but_reads_everything() {
        let mut store = SqliteStore::in_memory().unwrap();
        let mut read = 0;
        let items = vec![
            Ok(incident("u1", "AAA-111", 1_000, 2, 1)),
            Err(Rejected),
            Ok(incident("u2", "BBB-222", 2_000, 1, 0)),
        ];
        let mut items = items.into_iter().inspect(|_| read += 1);
        assert_eq!(store.import(&mut items).unwrap(), None);
        assert_eq!(read, 3);
        assert_eq!(store.count(&Filter::default()).unwrap(), 0);
        let again = import(&mut store, vec![incident("u1", "AAA-111", 1_000, 2, 1)]).unwrap();
        assert_eq!(again.added, 1);
    }

    #[test]
    fn short_ids_are_found_in_any_case() {
        let mut store = SqliteStore::in_memory().unwrap();
        import(&mut store, vec![incident("u1", "K7Q-4MX", 1_000, 1, 0)]);
        assert_eq!(store.get("k7q-4mx").unwrap().uid, "u1");
        assert_eq!(store.get(" K7Q-4MX ").unwrap().uid, "u1");
        assert_eq!(store.get("u1").unwrap().id, "K7Q-4MX");
        assert!(matches!(store.get("K7Q-4MY"), Err(StoreError::NotFound(_))));
        // Another log's incident with the same id in other letters gets a fresh one.
        import(&mut store, vec![incident("u2", "k7q-4mx", 2_000, 1, 0)]);
        assert_ne!(store.get("u2").unwrap().id.to_uppercase(), "K7Q-4MX");
    }

    #[test]
    fn a_version_1_log_is_carried_over_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            let add = |uid: &str, id: &str, started: i64| {
                conn.execute(
                    "INSERT INTO incidents (uid, id, type, staff, role, started_at, status, currency, role_limit, servqual)
                     VALUES (?1, ?2, 'noise', 'anna', 'staff', ?3, 'in_progress', 'EUR', '50', 'empathy')",
                    params![uid, id, started],
                )
                .unwrap();
            };
            add("u1", "AAA-111", 1_000);
            add("u2", "aaa-111", 2_000);
            add("u3", "BBB-222", 3_000);
            for (seq, step) in ["zeta", "alpha", "mid"].iter().enumerate() {
                conn.execute(
                    "INSERT INTO steps (incident, seq, phase, step, outcome, at, cost) VALUES ('u3', ?1, 'amend', ?2, 'done', 3500, '5')",
                    params![i64::try_from(seq).unwrap(), step],
                )
                .unwrap();
            }
            conn.execute("INSERT INTO follow_ups (incident, step, due) VALUES ('u3', 'call', 9000)", [])
                .unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        let i = store.get("bbb-222").unwrap();
        let steps: Vec<&str> = i.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(steps, ["zeta", "alpha", "mid"], "answer order kept");
        assert_eq!(i.amends_total, Money::whole(15));
        assert_eq!(i.follow_ups.len(), 1);
        assert_eq!(i.servqual, [Servqual::Empathy]);
        assert_eq!(store.latest_unfinished().unwrap().unwrap().uid, "u3");
        // Ids that only differed in case were made distinct, nothing was lost.
        let (a, b) = (store.get("u1").unwrap().id, store.get("u2").unwrap().id);
        assert!(a.starts_with("AAA-111-") && b.starts_with("aaa-111-"), "{a} {b}");
        assert_eq!(store.count(&Filter::default()).unwrap(), 3);
        let version: i64 = store.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, i64::try_from(MIGRATIONS.len()).unwrap());
    }

    /// Other terminals get the lock between an import's batches, and only then.
    #[test]
    fn an_import_lets_other_writers_in_between_batches() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        let mut store = SqliteStore::open(&path).unwrap();
        let other = Connection::open(&path).unwrap();
        other.busy_timeout(std::time::Duration::ZERO).unwrap();
        let can_write = || {
            let got = other.execute_batch("BEGIN IMMEDIATE").is_ok();
            if got {
                other.execute_batch("COMMIT").unwrap();
            }
            got
        };
        // The first batch is made to last its time by a slow input: it ends at the next
        // look at the clock, and the next item is read with the lock free.
        let total = 3 * IMPORT_CLOCK_EVERY;
        let mut seen = Vec::new();
        let mut items = (0..total).map(|k| {
            if k == 5 {
                seen.push(can_write());
                std::thread::sleep(IMPORT_BATCH_TIME);
            }
            if k == IMPORT_CLOCK_EVERY {
                seen.push(can_write());
            }
            let start = 1_000 * i64::try_from(k).unwrap();
            Ok(incident(&format!("u{k}"), &format!("ID-{k}"), start, 1, 0))
        });
        let stats = store.import(&mut items).unwrap().unwrap();
        drop(items);
        assert_eq!(stats.added, total);
        assert_eq!(seen, [false, true], "locked during a batch, free between batches");
    }
}
