//! `recover import FILE`: merges an export into this log by global id.

use std::io::{BufRead, Read};

use crate::cli::ImportArgs;
use crate::config::Config;
use crate::engine::Incident;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::render::safe::one_line;
use crate::store::Store;

/// Longest line accepted: an incident with every step noted at length fits many times.
const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Reads every line first; one bad line and nothing is imported.
pub fn run(config: &Config, args: &ImportArgs) -> Result<Exit, Error> {
    let name = args.file.display().to_string();
    let reader: Box<dyn BufRead> = if name == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(&args.file)
            .map_err(|e| Error::usage(format!("cannot read {name}: {e}"), "check the path"))?;
        Box::new(std::io::BufReader::new(file))
    };
    let mut incidents = Vec::new();
    let mut problems = 0;
    for (n, line) in reader.split(b'\n').enumerate() {
        let line = line.map_err(|e| Error::usage(format!("cannot read {name}: {e}"), "check the file"))?;
        let mut report = |why: String| {
            problems += 1;
            eprintln!("{}:{}: {}", one_line(&name), n + 1, one_line(&why));
        };
        if line.len() > MAX_LINE_BYTES {
            report(format!("line is over {MAX_LINE_BYTES} bytes"));
            continue;
        }
        let mut text = String::new();
        if (&line[..]).read_to_string(&mut text).is_err() {
            report("not UTF-8 text".into());
            continue;
        }
        if text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Incident>(&text) {
            Ok(i) => incidents.push(i),
            Err(e) => report(format!("not an exported incident: {e}")),
        }
    }
    if problems > 0 {
        return Err(Error::BadInput { file: name, count: problems });
    }
    let stats = config.store()?.import(&incidents)?;
    eprintln!(
        "recover: imported {}: {} added, {} updated, {} already here",
        one_line(&name),
        stats.added,
        stats.updated,
        stats.unchanged
    );
    Ok(Exit::Success)
}
