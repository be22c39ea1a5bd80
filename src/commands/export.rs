//! `recover export`: incidents as JSON lines, the same objects as `log --json`.

use std::io::{IsTerminal, Write};

use super::log::moment;
use crate::cli::ExportArgs;
use crate::context::Context;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::progress::{self, Progress};
use crate::store::Filter;

/// Writes one JSON object per incident, oldest first so an import replays in order;
/// `--redact` leaves out refs, notes and reasons.
pub fn run(ctx: &Context, args: &ExportArgs) -> Result<Exit, Error> {
    let config = &ctx.config;
    let filter = Filter {
        since: args.since.as_deref().map(|s| moment(s, "--since", config)).transpose()?,
        ..Filter::default()
    };
    let store = ctx.store_to_read()?;
    // Big writes: a year's export is hundreds of megabytes.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut failed: Option<std::io::Error> = None;
    // Not over the export itself when both go to the terminal.
    let progress = if progress::shown() && !std::io::stdout().is_terminal() {
        let lang = ctx.config.lang.value.code();
        Progress::start(crate::i18n::t(lang, "progress_exporting"), Some(store.count(&filter)? as u64), lang)
    } else {
        Progress::none()
    };
    store.scan_json(&filter, true, args.redact, &mut |line| match out.write_all(line) {
        Ok(()) => {
            progress.inc(1);
            true
        }
        Err(e) => {
            failed = Some(e);
            false
        }
    })?;
    if let Some(e) = failed {
        return Err(Error::stdout(e));
    }
    out.flush().map_err(Error::stdout)?;
    Ok(Exit::Success)
}
