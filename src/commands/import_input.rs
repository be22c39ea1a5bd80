//! Where `import` reads from: an export file, standard input or a pipe (kept in a
//! private [`Spool`] as it is checked, since it cannot be read twice), or another desk's
//! log file, read as its export.

use std::io::{Seek, Write};
use std::path::Path;

use crate::error::Error;
use crate::render::safe::one_line;
use crate::store::StoreError;

use super::jsonl::BoundedLines;

/// The lines of an input, read once whatever it is.
pub(super) type Lines = BoundedLines<Box<dyn std::io::BufRead + Send>>;

/// The lines of `path` (shown as `name`), with the file itself when it can be read again.
pub(super) fn open(path: &Path, name: &str) -> Result<(Lines, Option<std::fs::File>), Error> {
    let unreadable = |e: std::io::Error| {
        Error::usage(format!("cannot read {name}: {}", crate::error::io_reason(&e)), "check the path")
    };
    // Another desk's log file is read as its export, and imported as one.
    let (mut lines, original) = if crate::store::is_sqlite(path) {
        BoundedLines::of_regular(export_of_log(path)?).map_err(unreadable)?
    } else {
        BoundedLines::open(path).map_err(unreadable)?
    };
    if let Some((what, hint)) = not_an_export(lines.peek().map_err(unreadable)?) {
        return Err(Error::usage(format!("{} {what}", one_line(name)), hint));
    }
    Ok((lines, original))
}

/// What an input is when, from its first bytes, it is plainly no export: said in one
/// line, with what to do, rather than a thousand lines of "not UTF-8 text".
fn not_an_export(head: &[u8]) -> Option<(&'static str, &'static str)> {
    // A log is only read from its file (by SQLite, with its write-ahead file beside it).
    if head.starts_with(crate::store::SQLITE_HEADER) {
        return Some((
            "is a SQLite file (a desk's log?), which cannot be imported through a pipe",
            "give the log file's own path: recover import PATH",
        ));
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        return Some(("is compressed (gzip)", "decompress it first: zcat FILE | recover import -"));
    }
    if head.starts_with(b"PK\x03\x04") {
        return Some(("is a zip archive", "unzip it first and import the export inside"));
    }
    // Binary: a zero byte, or bytes that are not UTF-8 (a character cut off at the end of
    // what was read is not held against it), on its first line.
    let first = &head[..memchr::memchr(b'\n', head).unwrap_or(head.len())];
    let text = match std::str::from_utf8(first) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && first.len() == head.len(),
    };
    (!text || first.contains(&0)).then_some((
        "is not a `recover export`: its first line is not text",
        "an export is JSON lines, one incident a line, as `recover export` writes them",
    ))
}

/// The incidents of the log file at `path` as `export` writes them, in a private temporary
/// file (gone when closed), read from a copy so the log itself is not changed.
fn export_of_log(path: &Path) -> Result<std::fs::File, Error> {
    let source = crate::store::open_log_copy(path).map_err(|e| unreadable_log(path, e))?;
    let mut export = Spool::new()?;
    let mut failed = None;
    source
        .scan_json(&crate::store::Filter::default(), true, false, &mut |line| match export
            .file
            .write_all(line)
        {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        })
        .map_err(|e| unreadable_log(path, e))?;
    let io = |source| Error::Io { action: "write", path: export.path.display().to_string(), source };
    if let Some(e) = failed {
        return Err(io(e));
    }
    export.file.rewind().map_err(io)?;
    Ok(export.file)
}

/// Another desk's log that cannot be read as one (damaged, another program's SQLite file,
/// from a newer `recover`) is a bad input like a bad line (exit 2), named as it was given:
/// never by the private copy it is read from, and never taken for this desk's own log.
/// What goes wrong here, not with the file (no room for the copy, no temporary folder), is
/// an environment error as ever (exit 3).
fn unreadable_log(path: &Path, e: StoreError) -> Error {
    let name = one_line(&path.display().to_string());
    let (why, hint) = match e {
        StoreError::Database { why, .. } => (
            why,
            "import another desk's log as it was copied from that desk, or that desk's `recover export`",
        ),
        StoreError::NotALog { why, .. } => {
            (why.to_owned(), "give a log that `recover` wrote, or a `recover export`")
        }
        StoreError::TooNew { found, known, .. } => (
            format!("its schema version {found} is newer than this recover knows ({known})"),
            "upgrade recover here, or import that desk's `recover export`",
        ),
        other => return Error::Store(other),
    };
    Error::usage(format!("cannot import {name}: it is not a readable recover log: {}", one_line(&why)), hint)
}

/// A private temporary file (removed at once, kept open) holding the checked lines of an
/// input that cannot be read twice.
pub(super) struct Spool {
    pub(super) file: std::fs::File,
    path: std::path::PathBuf,
}

impl Spool {
    pub(super) fn new() -> Result<Self, Error> {
        let path = std::env::temp_dir().join(format!(
            "recover-import-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(|e| Error::Io {
            action: "write",
            path: path.display().to_string(),
            source: e,
        })?;
        let _ = std::fs::remove_file(&path);
        Ok(Spool { file, path })
    }

    pub(super) fn keep(&mut self, line: &[u8]) -> Result<(), Error> {
        self.file.write_all(line).and_then(|()| self.file.write_all(b"\n")).map_err(|e| Error::Io {
            action: "write",
            path: self.path.display().to_string(),
            source: e,
        })
    }
}
