//! `recover purge --before DATE`: deletes old incidents for data retention.

use std::io::IsTerminal;

use super::log::moment;
use crate::cli::PurgeArgs;
use crate::clock;
use crate::config::Config;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::store::Filter;

/// Deletes incidents started before `--before`, after confirmation unless `--yes`.
pub fn run(config: &Config, args: &PurgeArgs) -> Result<Exit, Error> {
    let before = moment(&args.before, "--before", config)?;
    let mut store = config.store()?;
    let count = store.count(&Filter { before: Some(before), ..Filter::default() })?;
    if count == 0 {
        // Still wiped: a purge stopped half-way (killed, or the disk full) is finished now.
        store.purge(before)?;
        eprintln!("recover: no incidents started before {}", clock::local(before, config.tz()));
        return Ok(Exit::Success);
    }
    if !args.yes {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(Error::usage(
                "purge needs confirmation but standard input is not a terminal",
                "pass --yes",
            ));
        }
        crate::drivers::terminal::install_interrupt_handler();
        let sure = dialoguer::Confirm::new()
            .with_prompt(format!(
                "Delete {count} incident(s) started before {} for good?",
                clock::local(before, config.tz())
            ))
            .default(false)
            .interact_on(&console::Term::stderr())
            .map_err(|_| Error::Interrupted { resume: None })?;
        if !sure {
            eprintln!("recover: nothing deleted");
            return Ok(Exit::Success);
        }
    }
    let n = store.purge(before)?;
    eprintln!("recover: deleted {n} incident(s) and wiped them from the log file");
    Ok(Exit::Success)
}
