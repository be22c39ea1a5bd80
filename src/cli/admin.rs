//! The flags of the commands that look after the log rather than a guest: moving it
//! (`export`, `import`), thinning it (`purge`), and the shared log's `sync` and `server`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// `recover sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Send nothing: show how many incidents wait on this desk, since when, and the last
    /// push that reached the server and the last that did not
    #[arg(long)]
    pub status: bool,
    /// The status as one JSON object
    #[arg(long, requires = "status")]
    pub json: bool,
}

/// `recover server`.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// What to do on the server
    #[command(subcommand)]
    pub command: ServerCommand,
}

/// `recover server ...`: the server is --log / RECOVER_LOG (postgres://...) or the PG* variables.
#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Print the schema, roles and policies, for a DBA to review or run
    #[command(name = "init-sql")]
    InitSql,
    /// Create or upgrade the schema (as its owner); running it again changes nothing
    Migrate,
    /// Connect as this desk would: the schema version, the login, its sites and roles
    Check,
}

/// `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Only incidents started since
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Leave out refs and notes (personal data)
    #[arg(long)]
    pub redact: bool,
}

/// `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A file of JSON lines from `recover export` (- for standard input)
    pub file: PathBuf,
}

/// `purge`.
#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Delete incidents started before this: a date, an RFC 3339 time or a duration ago
    #[arg(long, value_name = "WHEN")]
    pub before: String,
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
}
