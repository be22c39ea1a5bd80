//! `recover abandon`: an unfinished incident given up, kept in the log with its reason.

use std::io::Write;

use crate::cli::AbandonArgs;
use crate::clock;
use crate::context::Context;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::render::safe::one_line;

/// Abandons the incident; the engine refuses one that is finished or abandoned already.
pub fn run(ctx: &Context, args: &AbandonArgs) -> Result<Exit, Error> {
    let config = &ctx.config;
    let by = args.staff.clone().or_else(|| config.staff.clone());
    let mut store = ctx.store()?;
    let now = clock::now();
    let incident =
        store.update(&args.id, &mut |i| crate::engine::abandon(i, by.as_deref(), &args.reason, now))?;
    if args.json {
        let mut out = std::io::stdout().lock();
        serde_json::to_writer(&mut out, &incident).map_err(|e| Error::stdout(e.into()))?;
        writeln!(out).map_err(Error::stdout)?;
    }
    let lang = config.lang.value.code();
    eprintln!("recover: {}", crate::i18n::f(lang, "abandon_done", &[("id", &one_line(&incident.id))]));
    Ok(Exit::Success)
}
