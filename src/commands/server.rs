//! `recover server init-sql | migrate | check`: setting up the shared log and checking a
//! desk's connection to it.

use std::io::Write;

use crate::cli::{ServerArgs, ServerCommand};
use crate::config::Config;
use crate::error::Error;
use crate::exit_code::Exit;

/// Runs one `server` subcommand.
pub fn run(config: &Config, args: &ServerArgs) -> Result<Exit, Error> {
    if let ServerCommand::InitSql = args.command {
        std::io::stdout()
            .lock()
            .write_all(crate::server::schema::init_sql().as_bytes())
            .map_err(Error::stdout)?;
        return Ok(Exit::Success);
    }
    live(config, &args.command)
}

#[cfg(feature = "postgres")]
fn live(config: &Config, command: &ServerCommand) -> Result<Exit, Error> {
    use crate::render::safe::one_line;
    use crate::server::migrate;

    let info = crate::server::for_admin(config, &crate::config::process_env)?;
    let server = info.to_string();
    let mut client = crate::server::connect(&info)?;
    let mut out = std::io::stdout().lock();
    match command {
        ServerCommand::Migrate => {
            let done = migrate::migrate(&mut client, &server)?;
            if done.from == done.to {
                writeln!(out, "{server}: the schema is up to date (version {})", done.to)
                    .map_err(Error::stdout)?;
            } else {
                writeln!(out, "{server}: schema version {} -> {}", done.from, done.to)
                    .map_err(Error::stdout)?;
            }
        }
        ServerCommand::Check => {
            let s = migrate::status(&mut client, &server)?;
            writeln!(out, "server     {server}").map_err(Error::stdout)?;
            writeln!(
                out,
                "schema     version {} (accepts recover {} or newer)",
                s.schema_version,
                one_line(&s.min_client)
            )
            .map_err(Error::stdout)?;
            writeln!(out, "login      {}", one_line(&s.login)).map_err(Error::stdout)?;
            if s.memberships.is_empty() {
                writeln!(out, "sites      (none: ask IT to add this login to recover.members)")
                    .map_err(Error::stdout)?;
            }
            for (site, role) in &s.memberships {
                writeln!(out, "site       {}  ({})", one_line(site), one_line(role))
                    .map_err(Error::stdout)?;
            }
        }
        ServerCommand::InitSql => {}
    }
    Ok(Exit::Success)
}

#[cfg(not(feature = "postgres"))]
fn live(config: &Config, _command: &ServerCommand) -> Result<Exit, Error> {
    let log = crate::server::log_server(config).unwrap_or("postgres://");
    Err(crate::server::not_a_file(log).into())
}
