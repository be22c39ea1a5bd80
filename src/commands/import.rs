//! `recover import FILE`: merges an export into this log by global id.

use std::collections::BTreeSet;
use std::io::BufRead;

use crate::cli::ImportArgs;
use crate::config::Config;
use crate::engine::{Incident, validate};
use crate::error::Error;
use crate::exit_code::Exit;
use crate::render::safe::one_line;
use crate::store::{Rejected, Store};

/// Longest line accepted: an incident with every step noted at length fits many times.
const MAX_LINE_BYTES: usize = 1024 * 1024;

/// How far past an over-long line's limit its end is looked for in a pipe or a device: one
/// with no line breaks at all (`/dev/zero`) must stop somewhere. A regular file ends, so
/// its lines are skipped to their end, and every line after them is still checked.
const MAX_SKIP_BYTES: u64 = 64 * 1024 * 1024;

/// One line as read by [`BoundedLines`].
enum Line {
    /// Its bytes, without the line break.
    Bytes(Vec<u8>),
    /// Longer than the limit: its bytes were passed over, not kept.
    TooLong,
    /// Longer than the limit with no end in sight: reading stops here.
    Endless,
}

/// Lines of at most [`MAX_LINE_BYTES`], read from any file (a pipe, a FIFO, a device)
/// without ever holding more than that: a longer line is skipped as it streams past.
struct BoundedLines<R> {
    inner: R,
    /// How many bytes of one over-long line to pass over before giving up.
    max_skip: u64,
    done: bool,
}

impl<R: BufRead> BoundedLines<R> {
    fn next_line(&mut self) -> std::io::Result<Option<Line>> {
        if self.done {
            return Ok(None);
        }
        let mut buf = Vec::new();
        let (mut read, mut over) = (false, false);
        let mut skipped: u64 = 0;
        loop {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                self.done = true;
                if !read {
                    return Ok(None);
                }
                break;
            }
            read = true;
            let (part, used, ends) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (&chunk[..i], i + 1, true),
                None => (chunk, chunk.len(), false),
            };
            if !over && buf.len() + part.len() > MAX_LINE_BYTES {
                over = true;
                buf = Vec::new();
            }
            if over {
                skipped += part.len() as u64;
            } else {
                buf.extend_from_slice(part);
            }
            self.inner.consume(used);
            if ends {
                break;
            }
            if skipped > self.max_skip {
                self.done = true;
                return Ok(Some(Line::Endless));
            }
        }
        Ok(Some(if over { Line::TooLong } else { Line::Bytes(buf) }))
    }
}

/// The import file (or standard input) as bounded lines.
fn open(args: &ImportArgs, name: &str) -> Result<BoundedLines<Box<dyn BufRead>>, Error> {
    if name == "-" {
        let inner = Box::new(std::io::BufReader::new(std::io::stdin()));
        return Ok(BoundedLines { inner, max_skip: MAX_SKIP_BYTES, done: false });
    }
    let file = std::fs::File::open(&args.file)
        .map_err(|e| Error::usage(format!("cannot read {name}: {e}"), "check the path"))?;
    let regular = file.metadata().is_ok_and(|m| m.is_file());
    let inner = Box::new(std::io::BufReader::with_capacity(1 << 16, file));
    Ok(BoundedLines { inner, max_skip: if regular { u64::MAX } else { MAX_SKIP_BYTES }, done: false })
}

/// Reads the file line by line into the log in one transaction; one bad line and nothing
/// is imported, but every bad line is still reported.
pub fn run(config: &Config, args: &ImportArgs) -> Result<Exit, Error> {
    let name = args.file.display().to_string();
    let mut lines = open(args, &name)?;
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
            let line = match line {
                Line::Bytes(line) => line,
                Line::TooLong => {
                    report(&format!("line is over {MAX_LINE_BYTES} bytes"));
                    return Some(Err(Rejected));
                }
                Line::Endless => {
                    report(&format!(
                        "line is over {MAX_LINE_BYTES} bytes and has no end in {MAX_SKIP_BYTES} more; stopped reading"
                    ));
                    return Some(Err(Rejected));
                }
            };
            let Ok(text) = std::str::from_utf8(&line) else {
                report("not UTF-8 text");
                return Some(Err(Rejected));
            };
            // A byte-order mark some editors put first is no part of the data.
            let text = if n == 1 { text.strip_prefix('\u{feff}').unwrap_or(text) } else { text };
            if text.trim().is_empty() {
                continue;
            }
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
