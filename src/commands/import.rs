//! `recover import FILE`: merges an export into this log by global id.

use std::collections::BTreeSet;

use crate::cli::ImportArgs;
use crate::config::Config;
use crate::engine::{Incident, validate};
use crate::error::Error;
use crate::exit_code::Exit;
use crate::render::safe::one_line;
use crate::store::{Rejected, Store};

use super::jsonl::BoundedLines;

/// Reads the file line by line into the log in one transaction; one bad line and nothing
/// is imported, but every bad line is still reported.
pub fn run(config: &Config, args: &ImportArgs) -> Result<Exit, Error> {
    let name = args.file.display().to_string();
    let mut lines = BoundedLines::open(&args.file)
        .map_err(|e| Error::usage(format!("cannot read {name}: {e}"), "check the path"))?;
    let mut store = config.store()?;
    let library = config.library().ok();
    let mut foreign = BTreeSet::new();
    let mut problems = 0;
    let mut unreadable: Option<Error> = None;
    let mut n = 0;
    let mut incidents = std::iter::from_fn(|| {
        loop {
            if unreadable.is_some() {
                return None;
            }
            n += 1;
            let line = match lines.next_line() {
                Ok(None) => return None,
                Ok(Some(line)) => line,
                Err(e) => {
                    unreadable = Some(Error::usage(format!("cannot read {name}: {e}"), "check the file"));
                    return Some(Err(Rejected));
                }
            };
            let mut report = |why: &str| {
                problems += 1;
                eprintln!("{}:{}: {}", one_line(&name), n, one_line(why));
            };
            let text = match line.text(n == 1) {
                Ok(Some(text)) => text,
                Ok(None) => continue,
                Err(why) => {
                    report(&why);
                    return Some(Err(Rejected));
                }
            };
            let incident = match serde_json::from_str::<Incident>(text) {
                Ok(i) => i,
                Err(e) => {
                    report(&format!("not an exported incident: {e}"));
                    return Some(Err(Rejected));
                }
            };
            let playbook = library.as_ref().and_then(|lib| lib.find(&incident.kind).ok());
            let found = validate(&incident, playbook);
            if !found.is_empty() {
                for why in &found {
                    report(why);
                }
                return Some(Err(Rejected));
            }
            if library.is_some() && playbook.is_none() {
                foreign.insert(incident.kind.clone());
            }
            return Some(Ok(incident));
        }
    })
    .fuse();
    let stats = store.import(&mut incidents)?;
    drop(incidents);
    if let Some(e) = unreadable {
        return Err(e);
    }
    let Some(stats) = stats else {
        return Err(Error::BadInput { file: name, count: problems });
    };
    if !foreign.is_empty() {
        // Another site's library may have types this one lacks: kept, but said.
        let types: Vec<&str> = foreign.iter().map(String::as_str).collect();
        eprintln!(
            "recover: warning: {} has incidents of types this library does not have: {}",
            one_line(&name),
            one_line(&types.join(", "))
        );
    }
    eprintln!(
        "recover: imported {}: {} added, {} updated, {} already here",
        one_line(&name),
        stats.added,
        stats.updated,
        stats.unchanged
    );
    Ok(Exit::Success)
}
