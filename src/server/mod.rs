//! The shared log on a PostgreSQL server (issue 15): connection settings as libpq reads them,
//! the connection itself, and the server's schema, roles and policies.
//!
//! The settings and the SQL text are always built (so `paths` can hide a password and
//! `server init-sql` can print the schema in any build); talking to a server needs the
//! default-on `postgres` feature, and a build without it says so in one line.

pub mod conninfo;
mod pgpass;
pub mod schema;

#[cfg(feature = "postgres")]
mod connect;
#[cfg(feature = "postgres")]
pub mod migrate;
#[cfg(feature = "postgres")]
pub mod push;
#[cfg(feature = "postgres")]
mod record;
#[cfg(feature = "postgres")]
mod report;
#[cfg(feature = "postgres")]
mod rows;
#[cfg(feature = "postgres")]
mod shared;
#[cfg(feature = "postgres")]
mod store;
#[cfg(feature = "postgres")]
mod write;

#[cfg(feature = "postgres")]
pub use connect::connect;
#[cfg(feature = "postgres")]
pub use shared::SharedStore;
#[cfg(feature = "postgres")]
pub use store::PostgresStore;

use crate::config::{Config, EnvReader, Source};
use conninfo::ConnInfo;

/// Why the server could not be used. No variant holds a password: servers are named by
/// [`ConnInfo`]'s `Display`.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The log names a server, and this build cannot talk to one.
    #[error("the log {server} is a PostgreSQL server, but this recover was built without PostgreSQL support")]
    NotBuilt {
        /// The server, password hidden.
        server: String,
    },
    /// The connection string or a `PG*` variable is malformed.
    #[error("bad server connection setting: {why}")]
    BadConnInfo {
        /// What is wrong.
        why: String,
    },
    /// `server` commands were pointed at a log file.
    #[error("the log {log} is a file, not a server")]
    NotAServer {
        /// The file.
        log: String,
    },
    /// Unreachable, refused, or the login was refused.
    #[error("cannot connect to {server}: {why}")]
    Connect {
        /// The server, password hidden.
        server: String,
        /// What the server or the network said.
        why: String,
    },
    /// The server did not answer: down, a dropped network, a host that does not exist.
    #[error("cannot reach {server}: {why}")]
    Unreachable {
        /// The server, password hidden.
        server: String,
        /// What the network said.
        why: String,
    },
    /// TLS could not be set up (a root certificate file that cannot be read, say).
    #[error("cannot set up TLS for the server: {0}")]
    Tls(String),
    /// A statement failed.
    #[error("the server {server} refused: {why}")]
    Query {
        /// The server, password hidden.
        server: String,
        /// What the server said.
        why: String,
    },
    /// The server asks for a newer client.
    #[error("the server {server} needs recover {need} or newer (this is {ours}); upgrade recover")]
    ClientTooOld {
        /// The server, password hidden.
        server: String,
        /// The oldest version it accepts.
        need: String,
        /// Ours.
        ours: &'static str,
    },
    /// The server's schema is newer than this client knows.
    #[error(
        "the server {server} has schema version {found}, newer than this recover knows ({known}); upgrade recover"
    )]
    SchemaTooNew {
        /// The server, password hidden.
        server: String,
        /// Its version.
        found: i32,
        /// Ours.
        known: i32,
    },
    /// `recover sync` could not send everything.
    #[error("could not send to {server}: {why}; {pending} incident(s) wait on this desk")]
    PushFailed {
        /// The server, password hidden.
        server: String,
        /// Why.
        why: String,
        /// Incidents still waiting.
        pending: usize,
    },
    /// `recover sync` with a log that is a file.
    #[error("the log {log} is a file on this machine: there is nothing to send")]
    NothingToSync {
        /// The file.
        log: String,
    },
    /// The log is a server, and this command needs a log file.
    #[error("the log {server} is a PostgreSQL server; this command needs a log file")]
    NotYet {
        /// The server, password hidden.
        server: String,
    },
}

impl ServerError {
    /// Whether the user gave something malformed (exit 2) rather than the server failing (3).
    #[must_use]
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ServerError::BadConnInfo { .. }
                | ServerError::NotAServer { .. }
                | ServerError::NothingToSync { .. }
        )
    }

    /// What to do about it.
    #[must_use]
    pub fn hint(&self) -> Option<String> {
        Some(
            match self {
                ServerError::NotBuilt { .. } => {
                    "build recover with its default `postgres` feature, or point --log at a log file"
                }
                ServerError::BadConnInfo { .. } => "check --log or RECOVER_LOG and the PG* variables",
                ServerError::NotAServer { .. } => {
                    "pass --log postgres://USER@HOST/DATABASE, or unset RECOVER_LOG to use the PG* variables"
                }
                ServerError::Connect { .. } => {
                    "check that the server runs, the PG* variables, ~/.pgpass and PGSSLROOTCERT"
                }
                ServerError::Unreachable { .. } => "check that the server runs and this desk's network",
                ServerError::Tls(_) => "check PGSSLROOTCERT or sslrootcert",
                ServerError::Query { .. } => {
                    "ask the server's administrator; `recover server init-sql` shows what it expects"
                }
                ServerError::NotYet { .. } => "point --log at a log file",
                ServerError::PushFailed { why, .. } if refused_by_rules(why) => {
                    return Some(format!(
                        "nothing is lost: they stay on this desk until this login may write their site; {REFUSED_CHECK}"
                    ));
                }
                ServerError::PushFailed { .. } => {
                    "nothing is lost: they are sent when the server can be reached; `recover sync --status` shows them"
                }
                ServerError::NothingToSync { .. } => "sync is for a shared log: --log postgres://USER@HOST/DATABASE",
                ServerError::ClientTooOld { .. } | ServerError::SchemaTooNew { .. } => return None,
            }
            .to_owned(),
        )
    }
}

/// How the reason for a write the server's rules refuse begins (see
/// `PostgresStore::failed`).
pub(crate) const NOT_ALLOWED: &str = "this login may not";

/// Whether a write failed on the server's rules (this login may not write that site, or
/// purge), which waiting does not mend, rather than on the network.
#[must_use]
pub fn refused_by_rules(why: &str) -> bool {
    why.contains(NOT_ALLOWED)
}

/// What to check when the server's rules refused a push.
pub const REFUSED_CHECK: &str =
    "check RECOVER_SITE and this login's row in recover.members (`recover server check`)";

impl From<conninfo::BadConnInfo> for ServerError {
    fn from(e: conninfo::BadConnInfo) -> Self {
        ServerError::BadConnInfo { why: e.0 }
    }
}

/// The `--log` value when it names a server.
#[must_use]
pub fn log_server(config: &Config) -> Option<&str> {
    config.log.value.as_deref().and_then(|p| p.to_str()).filter(|s| conninfo::is_server(s))
}

/// The server a `--log` value names, resolved against `env`.
pub fn resolve(log: &str, env: EnvReader) -> Result<ConnInfo, ServerError> {
    Ok(ConnInfo::resolve(conninfo::parse(log)?, env)?)
}

/// The server for `recover server ...`: the log setting if it names one, else (no log named)
/// the `PG*` variables alone, as `psql` with no arguments. Warnings (a password file others
/// can read) go to stderr.
#[cfg_attr(not(feature = "postgres"), allow(dead_code, reason = "for the server store"))]
pub fn for_admin(config: &Config, env: EnvReader) -> Result<ConnInfo, ServerError> {
    let log = match log_server(config) {
        Some(s) => s,
        None if config.log.source == Source::Default => "postgres://",
        None => {
            let log = config.log.value.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
            return Err(ServerError::NotAServer { log: crate::render::safe::one_line(&log) });
        }
    };
    let info = resolve(log, env)?;
    for w in &info.warnings {
        eprintln!("recover: warning: {w}");
    }
    Ok(info)
}

/// `log` as `paths` and errors show it: a server with its password hidden, a file as is.
#[must_use]
pub fn shown(log: &str, env: EnvReader) -> String {
    if !conninfo::is_server(log) {
        return log.to_owned();
    }
    resolve(log, env).map_or_else(|e| format!("(a server: {e})"), |c| c.to_string())
}

/// The shared log on `server` (a `--log` value) through this desk's spool. Recording needs
/// the desk's site (`for_writing`); reading does not (head office has none).
#[cfg(feature = "postgres")]
pub fn open_shared(
    config: &Config,
    server: &str,
    for_writing: bool,
) -> Result<SharedStore, crate::error::Error> {
    use crate::error::Error;
    let info = resolve(server, &crate::config::process_env)?;
    for w in &info.warnings {
        eprintln!("recover: warning: {w}");
    }
    if for_writing && config.site.value.is_none() {
        return Err(Error::usage(
            format!("recording into the shared log {info} needs this desk's site"),
            "set RECOVER_SITE or pass --site, e.g. --site oslo-central",
        ));
    }
    let spool = config.spool.clone().ok_or_else(|| {
        Error::usage(
            "no place for this desk's spool: neither HOME nor XDG_DATA_HOME is set",
            "set HOME or XDG_DATA_HOME",
        )
    })?;
    let target = push::Target { spool, info, site: config.site.value.clone() };
    Ok(SharedStore::open(target)?)
}

/// The error for a command that would open the log as a file when it names a server.
#[must_use]
pub fn not_a_file(log: &str) -> ServerError {
    let server = shown(log, &crate::config::process_env);
    if cfg!(feature = "postgres") { ServerError::NotYet { server } } else { ServerError::NotBuilt { server } }
}
