//! `recover export`: incidents as JSON lines, the same objects as `log --json`.

use std::io::Write;

use super::log::moment;
use crate::cli::ExportArgs;
use crate::config::Config;
use crate::engine::Incident;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::store::{Filter, Store};

/// The incident without personal data: refs, notes and reasons dropped.
#[must_use]
pub fn redacted(mut i: Incident) -> Incident {
    i.reference = None;
    i.failure_note = None;
    for s in &mut i.steps {
        s.note = None;
        s.reason = None;
    }
    for f in &mut i.follow_ups {
        f.note = None;
    }
    i
}

/// Writes one JSON object per incident, oldest first so an import replays in order.
pub fn run(config: &Config, args: &ExportArgs) -> Result<Exit, Error> {
    let filter = Filter {
        since: args.since.as_deref().map(|s| moment(s, "--since", config)).transpose()?,
        ..Filter::default()
    };
    let store = config.store_to_read()?;
    // Big writes: a year's export is hundreds of megabytes.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut failed: Option<std::io::Error> = None;
    store.scan(&filter, true, &mut |i| {
        let i = if args.redact { redacted(i) } else { i };
        let written =
            serde_json::to_writer(&mut out, &i).map_err(std::io::Error::other).and_then(|()| writeln!(out));
        match written {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    out.flush()?;
    Ok(Exit::Success)
}
