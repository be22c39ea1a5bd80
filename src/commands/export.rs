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
    let mut incidents = config.store()?.list(&filter)?;
    incidents.reverse();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for i in incidents {
        let i = if args.redact { redacted(i) } else { i };
        writeln!(out, "{}", serde_json::to_string(&i).unwrap_or_default())?;
    }
    out.flush()?;
    Ok(Exit::Success)
}
