//! `recover purge --before DATE`: deletes old incidents for data retention.

use std::io::IsTerminal;

use super::log::moment;
use crate::cli::PurgeArgs;
use crate::clock;
use crate::context::Context;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::i18n as ui;
use crate::progress::Progress;
use crate::store::Filter;

/// Deletes incidents started before `--before`, after confirmation unless `--yes`.
pub fn run(ctx: &Context, args: &PurgeArgs) -> Result<Exit, Error> {
    let config = &ctx.config;
    let before = moment(&args.before, "--before", config)?;
    let mut store = ctx.store()?;
    let count = store.count(&Filter { before: Some(before), ..Filter::default() })?;
    // Drill results name people too, and go by the same date.
    let drills = store.count_drills_before(before)?;
    if count == 0 && drills == 0 {
        // Still wiped: a purge stopped half-way (killed, or the disk full) is finished now.
        store.purge(before)?;
        let when = clock::local(before, config.tz());
        eprintln!("recover: {}", ui::f(config.lang.value.code(), "purge_none", &[("when", &when)]));
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
            .with_prompt({
                let lang = config.lang.value.code();
                let mut prompt =
                    ui::n(lang, "purge_confirm", count, &[("when", &clock::local(before, config.tz()))]);
                if drills > 0 {
                    prompt = format!("{} {prompt}", ui::n(lang, "purge_drills_too", drills, &[]));
                }
                prompt
            })
            .default(false)
            .interact_on(&console::Term::stderr())
            .map_err(|_| Error::Interrupted { resume: None })?;
        if !sure {
            eprintln!("recover: {}", ui::t(config.lang.value.code(), "purge_nothing_deleted"));
            return Ok(Exit::Success);
        }
    }
    let drills = if drills > 0 { store.purge_drills(before)? } else { 0 };
    let lang = config.lang.value.code();
    let progress = Progress::start(ui::t(lang, "progress_deleting"), Some(count as u64), lang);
    let n = store.purge(before)?;
    drop(progress);
    if drills > 0 {
        eprintln!("recover: {}", ui::n(config.lang.value.code(), "purge_drills_deleted", drills, &[]));
    }
    eprintln!("recover: {}", ui::n(config.lang.value.code(), "purge_deleted", n, &[]));
    Ok(Exit::Success)
}
