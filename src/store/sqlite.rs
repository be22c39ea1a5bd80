//! The incident log in one SQLite file: WAL so readers never block the writer, write
//! transactions that take the lock up front and wait for it, schema migrations on open.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior, params,
};

use super::{Closing, Due, Filter, Imported, Store, StoreError};
use crate::engine::{Event, FollowUp, FollowUpOutcome, Incident, Outcome, Status, StepRecord, apply_event};
use crate::money::Money;
use crate::playbook::{Phase, Servqual, Severity};

/// Migrations in order; the log's `user_version` says how many have run.
const MIGRATIONS: &[&str] = &["CREATE TABLE incidents (
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
    CREATE INDEX follow_ups_open ON follow_ups(due) WHERE done_at IS NULL;"];

/// Characters of short ids: no 0/O, 1/I/L, so they can be read aloud and typed back.
const ID_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// How long a writer waits for another terminal's write to finish.
const BUSY_TIMEOUT_MS: u64 = 10_000;

/// The SQLite log.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// Why this log could only be opened for reading: every write reports it.
    blocked: Option<StoreError>,
}

impl SqliteStore {
    /// Opens (creating if need be) the log at `path`: the folder and file readable by their
    /// owner only, migrations applied, WAL on.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let access = |why: String| StoreError::Access { path: path.to_path_buf(), why };
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
                let mut store = SqliteStore { conn, path: path.to_path_buf(), blocked: None };
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
        let mut uri = std::ffi::OsString::from("file:");
        uri.push(path.as_os_str());
        uri.push("?immutable=1");
        let flags =
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(Path::new(&uri), flags).map_err(|e| map_err(path, &e))?;
        let version: i64 =
            conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| map_err(path, &e))?;
        let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
        if version != known {
            return Err(StoreError::Access {
                path: path.to_path_buf(),
                why: format!("it is read-only and at schema version {version}, not {known}"),
            });
        }
        Ok(SqliteStore { conn, path: path.to_path_buf(), blocked: None })
    }

    /// A log in memory, for tests.
    pub fn in_memory() -> Result<Self, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| map_err(&path, &e))?;
        let mut store = SqliteStore { conn, path, blocked: None };
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
        self.conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;").map_err(err)?;
        if version < known {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
            // Another terminal may have migrated while we waited for the lock.
            let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err)?;
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(now).unwrap_or(0)) {
                tx.execute_batch(sql).map_err(err)?;
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

    fn load_uid(&self, uid: &str) -> Result<Incident, StoreError> {
        let mut incident = self
            .conn
            .prepare_cached("SELECT * FROM incidents WHERE uid = ?1")
            .and_then(|mut s| s.query_row([uid], incident_row))
            .map_err(|e| self.err(&e))?;
        self.fill(&mut incident)?;
        Ok(incident)
    }

    fn fill(&self, incident: &mut Incident) -> Result<(), StoreError> {
        let steps: Vec<StepRecord> = self
            .conn
            .prepare_cached("SELECT phase, step, outcome, at, choice, note, reason, cost, approved_by FROM steps WHERE incident = ?1 ORDER BY seq")
            .and_then(|mut s| s.query_map([&incident.uid], step_row)?.collect())
            .map_err(|e| self.err(&e))?;
        for step in steps {
            apply_event(incident, &Event::Step(step));
        }
        incident.follow_ups = self
            .conn
            .prepare_cached("SELECT step, due, done_at, outcome, done_by, note FROM follow_ups WHERE incident = ?1 ORDER BY due, step")
            .and_then(|mut s| s.query_map([&incident.uid], follow_up_row)?.collect())
            .map_err(|e| self.err(&e))?;
        Ok(())
    }

    fn uid_of(&self, id: &str) -> Result<String, StoreError> {
        let id = id.trim();
        self.conn
            .prepare_cached("SELECT uid FROM incidents WHERE id = ?1 COLLATE NOCASE OR uid = ?1")
            .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
            .map_err(|e| self.err(&e))?
            .ok_or_else(|| StoreError::NotFound(id.to_owned()))
    }
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

fn map_err(path: &Path, e: &rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotALog { path },
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

fn incident_row(r: &Row) -> rusqlite::Result<Incident> {
    let severity: Option<String> = r.get("severity")?;
    let status: String = r.get("status")?;
    let servqual: String = r.get("servqual")?;
    let limit: String = r.get("role_limit")?;
    Ok(Incident {
        id: r.get("id")?,
        uid: r.get("uid")?,
        kind: r.get("type")?,
        severity: severity.map(|s| Severity::from_key(&s).ok_or_else(|| bad("severity", &s))).transpose()?,
        staff: r.get("staff")?,
        role: r.get("role")?,
        reference: r.get("ref")?,
        started_at: from_ms(r.get("started_at")?)?,
        finished_at: r.get::<_, Option<i64>>("finished_at")?.map(from_ms).transpose()?,
        status: Status::from_key(&status).ok_or_else(|| bad("status", &status))?,
        steps: Vec::new(),
        amends_total: Money::ZERO,
        currency: r.get("currency")?,
        limit: money(&limit)?,
        failure_answered: r.get("failure_answered")?,
        failure_point: r.get("failure_point")?,
        failure_note: r.get("failure_note")?,
        servqual: servqual
            .split(',')
            .filter(|s| !s.is_empty())
            .filter_map(|s| serde_json::from_value::<Servqual>(serde_json::Value::String(s.to_owned())).ok())
            .collect(),
        follow_ups: Vec::new(),
    })
}

fn step_row(r: &Row) -> rusqlite::Result<StepRecord> {
    let phase: String = r.get(0)?;
    let outcome: String = r.get(2)?;
    let cost: Option<String> = r.get(7)?;
    Ok(StepRecord {
        phase: Phase::from_key(&phase).ok_or_else(|| bad("phase", &phase))?,
        id: r.get(1)?,
        outcome: match outcome.as_str() {
            "done" => Outcome::Done,
            "skipped" => Outcome::Skipped,
            _ => return Err(bad("outcome", &outcome)),
        },
        at: from_ms(r.get(3)?)?,
        choice: r.get(4)?,
        note: r.get(5)?,
        reason: r.get(6)?,
        cost: cost.as_deref().map(money).transpose()?,
        approved_by: r.get(8)?,
    })
}

fn follow_up_row(r: &Row) -> rusqlite::Result<FollowUp> {
    let outcome: Option<String> = r.get(3)?;
    Ok(FollowUp {
        step: r.get(0)?,
        due: from_ms(r.get(1)?)?,
        done_at: r.get::<_, Option<i64>>(2)?.map(from_ms).transpose()?,
        outcome: outcome.and_then(|o| FollowUpOutcome::from_key(&o)),
        done_by: r.get(4)?,
        note: r.get(5)?,
    })
}

fn short_id() -> String {
    let bytes = *uuid::Uuid::new_v4().as_bytes();
    let n = ID_ALPHABET.len();
    let chars: Vec<char> = bytes[..6].iter().map(|b| ID_ALPHABET[usize::from(*b) % n] as char).collect();
    format!("{}{}{}-{}{}{}", chars[0], chars[1], chars[2], chars[3], chars[4], chars[5])
}

fn insert_incident(tx: &Transaction, incident: &Incident, id: &str) -> rusqlite::Result<()> {
    let servqual: Vec<&str> = incident.servqual.iter().map(|s| s.key()).collect();
    tx.prepare_cached(
        "INSERT INTO incidents (uid, id, type, severity, staff, role, ref, started_at, finished_at, status,
            currency, role_limit, failure_answered, failure_point, failure_note, servqual)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
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
    Ok(())
}

fn write_event(tx: &Transaction, uid: &str, event: &Event) -> rusqlite::Result<()> {
    match event {
        Event::Severity(s) => {
            tx.prepare_cached("UPDATE incidents SET severity = ?2 WHERE uid = ?1")?
                .execute(params![uid, s.key()])?;
        }
        Event::Step(s) => {
            tx.prepare_cached(
                "INSERT INTO steps (incident, seq, phase, step, outcome, at, choice, note, reason, cost, approved_by)
                 VALUES (?1, (SELECT COUNT(*) FROM steps WHERE incident = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                uid,
                s.phase.key(),
                s.id,
                match s.outcome {
                    Outcome::Done => "done",
                    Outcome::Skipped => "skipped",
                },
                ms(s.at),
                s.choice,
                s.note,
                s.reason,
                s.cost.map(|c| c.to_string()),
                s.approved_by,
            ])?;
        }
        Event::FollowUpScheduled(f) => write_follow_up(tx, uid, f)?,
        Event::FailurePoint { point, note } => {
            tx.prepare_cached("UPDATE incidents SET failure_answered = 1, failure_point = ?2, failure_note = ?3 WHERE uid = ?1")?
                .execute(params![uid, point, note])?;
        }
        Event::Finished { status, at } => {
            tx.prepare_cached("UPDATE incidents SET status = ?2, finished_at = ?3 WHERE uid = ?1")?
                .execute(params![uid, status.key(), ms(*at)])?;
        }
    }
    Ok(())
}

fn write_follow_up(tx: &Transaction, uid: &str, f: &FollowUp) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO follow_ups (incident, step, due, done_at, outcome, done_by, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (incident, step) DO UPDATE SET
            done_at = COALESCE(follow_ups.done_at, excluded.done_at),
            outcome = COALESCE(follow_ups.outcome, excluded.outcome),
            done_by = COALESCE(follow_ups.done_by, excluded.done_by),
            note = COALESCE(follow_ups.note, excluded.note)",
    )?
    .execute(params![
        uid,
        f.step,
        ms(f.due),
        f.done_at.map(ms),
        f.outcome.map(FollowUpOutcome::key),
        f.done_by,
        f.note
    ])?;
    Ok(())
}

impl Store for SqliteStore {
    fn create(&mut self, incident: &Incident) -> Result<String, StoreError> {
        let path = self.path.clone();
        let tx = self.write()?;
        let id = fresh_id(&tx).map_err(|e| map_err(&path, &e))?;
        insert_incident(&tx, incident, &id).map_err(|e| map_err(&path, &e))?;
        tx.commit().map_err(|e| map_err(&path, &e))?;
        Ok(id)
    }

    fn append(&mut self, uid: &str, events: &[Event]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let tx = self.write()?;
        for event in events {
            write_event(&tx, uid, event).map_err(|e| map_err(&path, &e))?;
        }
        tx.commit().map_err(|e| map_err(&path, &e))
    }

    fn get(&self, id: &str) -> Result<Incident, StoreError> {
        let uid = self.uid_of(id)?;
        self.load_uid(&uid)
    }

    fn latest_unfinished(&self) -> Result<Option<Incident>, StoreError> {
        let uid: Option<String> = self
            .conn
            .query_row(
                "SELECT uid FROM incidents WHERE status = 'in_progress' ORDER BY started_at DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(&e))?;
        uid.map(|u| self.load_uid(&u)).transpose()
    }

    fn scan(
        &self,
        filter: &Filter,
        oldest_first: bool,
        visit: &mut dyn FnMut(Incident) -> bool,
    ) -> Result<(), StoreError> {
        let mut sql = String::from("SELECT * FROM incidents WHERE 1 = 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(t) = filter.since {
            args.push(ms(t).into());
            sql.push_str(&format!(" AND started_at >= ?{}", args.len()));
        }
        if let Some(t) = filter.before {
            args.push(ms(t).into());
            sql.push_str(&format!(" AND started_at < ?{}", args.len()));
        }
        if let Some(k) = &filter.kind {
            args.push(k.clone().into());
            sql.push_str(&format!(" AND type = ?{}", args.len()));
        }
        if let Some(s) = &filter.staff {
            args.push(s.clone().into());
            sql.push_str(&format!(" AND staff = ?{} COLLATE NOCASE", args.len()));
        }
        if filter.open {
            sql.push_str(
                " AND (status = 'in_progress' OR uid IN (SELECT incident FROM follow_ups WHERE done_at IS NULL))",
            );
        }
        sql.push_str(if oldest_first { " ORDER BY started_at, id" } else { " ORDER BY started_at DESC, id" });
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(&e))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args)).map_err(|e| self.err(&e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(&e))? {
            let mut incident = incident_row(row).map_err(|e| self.err(&e))?;
            self.fill(&mut incident)?;
            if !visit(incident) {
                break;
            }
        }
        Ok(())
    }

    fn due(&self, until: Timestamp) -> Result<Vec<Due>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT i.id, i.type, i.ref, f.step, f.due, i.staff FROM follow_ups f JOIN incidents i ON i.uid = f.incident
                 WHERE f.done_at IS NULL AND f.due < ?1 ORDER BY f.due, i.id, f.step",
            )
            .map_err(|e| self.err(&e))?;
        stmt.query_map([ms(until)], |r| {
            Ok(Due {
                incident: r.get(0)?,
                kind: r.get(1)?,
                reference: r.get(2)?,
                step: r.get(3)?,
                due: from_ms(r.get(4)?)?,
                staff: r.get(5)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(|e| self.err(&e))
    }

    fn close_follow_up(&mut self, id: &str, step: &str, closing: &Closing) -> Result<Incident, StoreError> {
        let uid = self.uid_of(id)?;
        let incident = self.load_uid(&uid)?;
        let Some(f) = incident.follow_ups.iter().find(|f| f.step.eq_ignore_ascii_case(step.trim())) else {
            return Err(StoreError::NoSuchFollowUp {
                incident: incident.id.clone(),
                step: step.to_owned(),
                known: if incident.follow_ups.is_empty() {
                    "none".to_owned()
                } else {
                    incident.follow_ups.iter().map(|f| f.step.as_str()).collect::<Vec<_>>().join(", ")
                },
            });
        };
        let step = f.step.clone();
        let path = self.path.clone();
        let tx = self.write()?;
        tx.execute(
            "UPDATE follow_ups SET done_at = ?3, outcome = ?4, done_by = ?5, note = ?6 WHERE incident = ?1 AND step = ?2",
            params![uid, step, ms(closing.at), closing.outcome.key(), closing.by, closing.note],
        )
        .map_err(|e| map_err(&path, &e))?;
        tx.commit().map_err(|e| map_err(&path, &e))?;
        self.load_uid(&uid)
    }

    fn import(&mut self, incidents: &[Incident]) -> Result<Imported, StoreError> {
        let path = self.path.clone();
        let mut stats = Imported::default();
        let tx = self.write()?;
        let result: rusqlite::Result<()> = (|| {
            for incoming in incidents {
                let exists: bool =
                    tx.prepare_cached("SELECT 1 FROM incidents WHERE uid = ?1")?.exists([&incoming.uid])?;
                if exists {
                    if merge(&tx, incoming)? {
                        stats.updated += 1;
                    } else {
                        stats.unchanged += 1;
                    }
                    continue;
                }
                let taken: bool =
                    tx.prepare_cached("SELECT 1 FROM incidents WHERE id = ?1")?.exists([&incoming.id])?;
                let id = if taken || incoming.id.is_empty() { fresh_id(&tx)? } else { incoming.id.clone() };
                insert_incident(&tx, incoming, &id)?;
                for step in &incoming.steps {
                    write_event(&tx, &incoming.uid, &Event::Step(step.clone()))?;
                }
                for f in &incoming.follow_ups {
                    write_follow_up(&tx, &incoming.uid, f)?;
                }
                stats.added += 1;
            }
            Ok(())
        })();
        result.map_err(|e| map_err(&path, &e))?;
        tx.commit().map_err(|e| map_err(&path, &e))?;
        Ok(stats)
    }

    fn purge(&mut self, before: Timestamp) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let tx = self.write()?;
        let n = tx
            .execute("DELETE FROM incidents WHERE started_at < ?1", [ms(before)])
            .map_err(|e| map_err(&path, &e))?;
        tx.commit().map_err(|e| map_err(&path, &e))?;
        // Really gone: rewrite the file and empty the write-ahead log.
        self.conn
            .execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
            .map_err(|e| map_err(&path, &e))?;
        Ok(n)
    }
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

/// Adds what `incoming` knows that this log does not (steps answered later, follow-ups
/// closed, the finish); returns whether anything changed.
fn merge(tx: &Transaction, incoming: &Incident) -> rusqlite::Result<bool> {
    let mut changed = false;
    for step in &incoming.steps {
        let known = tx
            .prepare_cached("SELECT 1 FROM steps WHERE incident = ?1 AND step = ?2")?
            .exists(params![incoming.uid, step.id])?;
        if !known {
            write_event(tx, &incoming.uid, &Event::Step(step.clone()))?;
            changed = true;
        }
    }
    for f in &incoming.follow_ups {
        let before: Option<Option<i64>> = tx
            .prepare_cached("SELECT done_at FROM follow_ups WHERE incident = ?1 AND step = ?2")?
            .query_row(params![incoming.uid, f.step], |r| r.get(0))
            .optional()?;
        if before.is_none() || (before == Some(None) && f.done_at.is_some()) {
            write_follow_up(tx, &incoming.uid, f)?;
            changed = true;
        }
    }
    if incoming.status != Status::InProgress {
        let n = tx
            .prepare_cached("UPDATE incidents SET status = ?2, finished_at = ?3 WHERE uid = ?1 AND status = 'in_progress'")?
            .execute(params![incoming.uid, incoming.status.key(), incoming.finished_at.map(ms)])?;
        changed |= n > 0;
    }
    Ok(changed)
}
