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
    // Drill results name people too, and go by the same date.
    let drills = store.count_drills_before(before)?;
    if count == 0 && drills == 0 {
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
                "Delete {count} incident(s){} started before {} for good?",
                if drills > 0 { format!(" and {drills} drill result(s)") } else { String::new() },
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
    let drills = if drills > 0 { store.purge_drills(before)? } else { 0 };
    let n = store.purge(before)?;
    if drills > 0 {
        eprintln!("recover: deleted {drills} drill result(s) from before that date");
    }
    eprintln!("recover: deleted {n} incident(s) and wiped them from the log file");
    Ok(Exit::Success)
}
