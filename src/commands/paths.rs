//! `recover paths`: which library and log are in use, and why.

use std::io::Write;

use crate::config::Config;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::render::safe::one_line;

/// Prints each setting with its value and where it came from.
pub fn run(config: &Config) -> Result<Exit, Error> {
    let mut out = std::io::stdout().lock();
    let playbooks =
        config.playbooks.value.as_ref().map_or("built-in library".to_owned(), |p| p.display().to_string());
    // A server is shown with its password hidden.
    let log = config.log.value.as_ref().map_or("(none: set RECOVER_LOG)".to_owned(), |p| {
        crate::server::shown(&p.display().to_string(), &crate::config::process_env)
    });
    writeln!(out, "playbooks  {}  ({})", one_line(&playbooks), config.playbooks.source)?;
    writeln!(out, "log        {}  ({})", one_line(&log), config.log.source)?;
    writeln!(out, "lang       {}  ({})", one_line(config.lang.value.code()), config.lang.source)?;
    Ok(Exit::Success)
}
