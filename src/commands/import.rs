//! `recover import FILE`: merges an export into this log by global id.

use std::io::BufRead;

use crate::cli::ImportArgs;
use crate::config::Config;
use crate::engine::Incident;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::render::safe::one_line;
use crate::store::{Rejected, Store};

/// Longest line accepted: an incident with every step noted at length fits many times.
const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Reads the file line by line into the log in one transaction; one bad line and nothing
/// is imported, but every bad line is still reported.
pub fn run(config: &Config, args: &ImportArgs) -> Result<Exit, Error> {
    let name = args.file.display().to_string();
    let reader: Box<dyn BufRead> = if name == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(&args.file)
            .map_err(|e| Error::usage(format!("cannot read {name}: {e}"), "check the path"))?;
        Box::new(std::io::BufReader::with_capacity(1 << 16, file))
    };
    let mut store = config.store()?;
    let mut problems = 0;
    let mut unreadable: Option<Error> = None;
    let mut lines = reader.split(b'\n').enumerate();
    let mut incidents = std::iter::from_fn(|| {
        loop {
            if unreadable.is_some() {
                return None;
            }
            let (n, line) = lines.next()?;
            let line = match line {
                Ok(line) => line,
                Err(e) => {
                    unreadable = Some(Error::usage(format!("cannot read {name}: {e}"), "check the file"));
                    return Some(Err(Rejected));
                }
            };
            let mut report = |why: String| {
                problems += 1;
                eprintln!("{}:{}: {}", one_line(&name), n + 1, one_line(&why));
                Some(Err(Rejected))
            };
            if line.len() > MAX_LINE_BYTES {
                return report(format!("line is over {MAX_LINE_BYTES} bytes"));
            }
            let Ok(text) = std::str::from_utf8(&line) else {
                return report("not UTF-8 text".into());
            };
            if text.trim().is_empty() {
                continue;
            }
            return match serde_json::from_str::<Incident>(text) {
                Ok(i) => Some(Ok(i)),
                Err(e) => report(format!("not an exported incident: {e}")),
            };
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
    eprintln!(
        "recover: imported {}: {} added, {} updated, {} already here",
        one_line(&name),
        stats.added,
        stats.updated,
        stats.unchanged
    );
    Ok(Exit::Success)
}
