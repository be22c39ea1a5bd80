//! `recover import FILE`: merges an export into this log by global id.
//!
//! Two passes, so the log is never locked while input is still being read or checked:
//! the first reads and checks every line (and compares incidents already in the log)
//! and reports every problem; only a clean file is read again and written, in short
//! batches (see [`Store::import`]). Standard input is first copied to a private temporary
//! file, so `slow-producer | recover import -` holds no lock while the producer runs.

use std::io::{BufRead, Seek};

use crate::cli::ImportArgs;
use crate::config::Config;
use crate::engine::Incident;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::render::safe::one_line;
use crate::store::{Rejected, Store};

/// Longest line accepted: an incident with every step noted at length fits many times.
const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Checks the whole file, then merges it into the log; one bad line and nothing is
/// imported, but every bad line is still reported.
pub fn run(config: &Config, args: &ImportArgs) -> Result<Exit, Error> {
    let name = args.file.display().to_string();
    let mut file = if name == "-" {
        spool(&mut std::io::stdin().lock(), "standard input")?
    } else {
        let file = std::fs::File::open(&args.file)
            .map_err(|e| Error::usage(format!("cannot read {name}: {e}"), "check the path"))?;
        // A pipe (`<(producer)`) cannot be read twice.
        if file.metadata().is_ok_and(|m| m.is_file()) { file } else { spool(&mut &file, &name)? }
    };
    // Checking only reads, and a file with problems leaves no new log behind; in a log
    // that does not exist yet, nothing can conflict.
    let reading = if config.log_path()?.exists() { Some(config.store()?) } else { None };
    let mut problems = 0;
    let mut lines = Lines::new(&file);
    while let Some((n, item)) = lines.next() {
        let why = match item {
            Ok(incident) => match reading.as_ref().map(|r| r.conflict(&incident)).transpose()?.flatten() {
                Some((id, what)) => format!(
                    "incident {} is already in the log as {id}, which says otherwise ({what}); nothing was merged",
                    incident.uid
                ),
                None => continue,
            },
            Err(why) => why,
        };
        problems += 1;
        eprintln!("{}:{n}: {}", one_line(&name), one_line(&why));
    }
    lines.finished(&name)?;
    if problems > 0 {
        return Err(Error::BadInput { file: name, count: problems });
    }
    drop(reading);
    let mut store = config.store()?;

    file.rewind().map_err(|e| Error::usage(format!("cannot read {name}: {e}"), "check the file"))?;
    let mut lines = Lines::new(&file);
    let mut changed = None;
    let mut incidents = std::iter::from_fn(|| {
        let (n, item) = lines.next()?;
        Some(item.map_err(|_| {
            changed.get_or_insert(n);
            Rejected
        }))
    });
    let stats = store.import(&mut incidents)?;
    lines.finished(&name)?;
    let Some(stats) = stats else {
        return Err(Error::usage(
            format!(
                "{} changed while it was imported (line {} is no longer an incident); incidents before it may be in the log",
                one_line(&name),
                changed.unwrap_or_default()
            ),
            "import the finished file again: incidents already in the log are not added twice",
        ));
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

/// One line of an export as an incident, or why it is not one.
fn parse(text: &str) -> Result<Incident, String> {
    match serde_json::from_str::<Incident>(text) {
        Ok(i) => Ok(i),
        Err(e) => Err(format!("not an exported incident: {e}")),
    }
}

/// The file's non-blank lines, numbered from 1, each an incident or why it is not one.
struct Lines<'f> {
    split: std::iter::Enumerate<std::io::Split<std::io::BufReader<&'f std::fs::File>>>,
    failed: Option<std::io::Error>,
}

impl<'f> Lines<'f> {
    fn new(file: &'f std::fs::File) -> Self {
        Lines {
            split: std::io::BufReader::with_capacity(1 << 16, file).split(b'\n').enumerate(),
            failed: None,
        }
    }

    fn next(&mut self) -> Option<(usize, Result<Incident, String>)> {
        loop {
            let (n, line) = self.split.next()?;
            let line = match line {
                Ok(line) => line,
                Err(e) => {
                    self.failed = Some(e);
                    return None;
                }
            };
            if line.len() > MAX_LINE_BYTES {
                return Some((n + 1, Err(format!("line is over {MAX_LINE_BYTES} bytes"))));
            }
            let Ok(text) = std::str::from_utf8(&line) else {
                return Some((n + 1, Err("not UTF-8 text".into())));
            };
            if !text.trim().is_empty() {
                return Some((n + 1, parse(text)));
            }
        }
    }

    /// Whether reading stopped because the file could not be read.
    fn finished(self, name: &str) -> Result<(), Error> {
        match self.failed {
            Some(e) => Err(Error::usage(format!("cannot read {name}: {e}"), "check the file")),
            None => Ok(()),
        }
    }
}

/// Copies `input` (standard input, a pipe) to a private temporary file (removed at once,
/// kept open) and gives it back rewound, so it can be read twice and the log waits for no
/// producer.
fn spool(input: &mut dyn std::io::Read, what: &str) -> Result<std::fs::File, Error> {
    let path =
        std::env::temp_dir().join(format!("recover-import-{}-{}", std::process::id(), uuid::Uuid::new_v4()));
    let failed =
        |e: std::io::Error| Error::Io { action: "write", path: path.display().to_string(), source: e };
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(failed)?;
    let _ = std::fs::remove_file(&path);
    std::io::copy(input, &mut file).map_err(|e| match e.kind() {
        std::io::ErrorKind::StorageFull => failed(e),
        _ => Error::usage(format!("cannot read {what}: {e}"), "check what is piped in"),
    })?;
    file.rewind().map_err(failed)?;
    Ok(file)
}
