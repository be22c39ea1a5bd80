//! `recover sync`: sends this desk's spooled answers to the shared log now (for a timer or
//! before shutting a desk down); `--status` says what waits and how the last pushes went.

#[cfg(feature = "postgres")]
use std::time::Duration;

use crate::cli::SyncArgs;
use crate::config::Config;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::server::ServerError;

#[cfg(feature = "postgres")]
/// How long `sync` waits for the server before giving up (the answers stay spooled).
const SYNC_WAIT: Duration = Duration::from_secs(120);

/// Pushes, or shows the status.
pub fn run(config: &Config, args: &SyncArgs) -> Result<Exit, Error> {
    let Some(server) = crate::server::log_server(config) else {
        let log = config.log.value.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        return Err(ServerError::NothingToSync { log: crate::render::safe::one_line(&log) }.into());
    };
    #[cfg(not(feature = "postgres"))]
    {
        let _ = args;
        Err(crate::server::not_a_file(server).into())
    }
    #[cfg(feature = "postgres")]
    {
        let store = crate::server::open_shared(config, server, !args.status)?;
        if args.status {
            return status(config, &store, args.json);
        }
        let shown = store.server_name();
        let sent = store.sync(SYNC_WAIT);
        let pending = store.sync_state()?.pending;
        match sent {
            Ok(n) if pending == 0 => {
                eprintln!("recover: sent {n} incident(s) to {shown}; nothing waits on this desk");
                Ok(Exit::Success)
            }
            Ok(_) => Err(ServerError::PushFailed {
                server: shown,
                why: "answers arrived while sending".to_owned(),
                pending,
            }
            .into()),
            Err(why) => Err(ServerError::PushFailed { server: shown, why, pending }.into()),
        }
    }
}

/// What waits on this desk and how the last pushes went.
#[cfg(feature = "postgres")]
fn status(config: &Config, store: &crate::server::SharedStore, json: bool) -> Result<Exit, Error> {
    use crate::render::safe::one_line;
    let state = store.sync_state()?;
    let mut out = super::out::Out::stdout();
    let when = |t: Option<jiff::Timestamp>| t.map(|t| crate::clock::local(t, config.tz()));
    if json {
        let rfc = |t: Option<jiff::Timestamp>| t.map(|t| crate::clock::rfc3339::stamp(&t));
        let value = serde_json::json!({
            "server": store.server_name(),
            "site": config.site.value,
            "pending": state.pending,
            "oldest_pending": rfc(state.oldest),
            "last_success": rfc(state.last_success),
            "last_failure": rfc(state.last_failure),
            "last_error": state.last_error,
        });
        let mut out = super::out::Out::stdout();
        out.json_line(&value)?;
        out.flush()?;
        return Ok(Exit::Success);
    }
    let none = || "-".to_owned();
    out.line(format_args!("server        {}", one_line(&store.server_name())))?;
    out.line(format_args!("site          {}", config.site.value.as_deref().map_or_else(none, one_line)))?;
    out.line(format_args!("pending       {}", state.pending))?;
    out.line(format_args!("oldest        {}", when(state.oldest).unwrap_or_else(none)))?;
    out.line(format_args!("last success  {}", when(state.last_success).unwrap_or_else(none)))?;
    match (when(state.last_failure), &state.last_error) {
        (Some(t), Some(why)) => {
            out.line(format_args!("last failure  {t}: {}", one_line(why)))?;
        }
        _ => out.line(format_args!("last failure  -"))?,
    }
    out.flush()?;
    Ok(Exit::Success)
}
