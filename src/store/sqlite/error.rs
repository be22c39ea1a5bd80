//! What a failure of SQLite means for the person using the log, in one place: every
//! database call ends in `.at(path)`, which names the file and sorts the failure into a
//! [`StoreError`] a person can act on (busy, full, not a log, no access).

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

use crate::store::StoreError;

/// `.at(path)` on a SQLite result: the error as a [`StoreError`] about the log at `path`.
pub(in crate::store) trait At<T> {
    /// The result, its error told as a failure of the log at `path`.
    fn at(self, path: &Path) -> Result<T, StoreError>;
}

impl<T> At<T> for rusqlite::Result<T> {
    fn at(self, path: &Path) -> Result<T, StoreError> {
        self.map_err(|e| map_err(path, &e))
    }
}

/// What a failure of SQLite means for the person using the log.
pub(in crate::store) fn map_err(path: &Path, e: &rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotALog { path, why: "it is not an SQLite database" },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy { path },
        Some(ErrorCode::DiskFull) => StoreError::Full { path },
        Some(ErrorCode::SystemIoFailure | ErrorCode::CannotOpen) => diagnose(path, e),
        Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => {
            let why = read_only_side_file(&path).unwrap_or_else(|| e.to_string());
            StoreError::Access { path, why }
        }
        _ => StoreError::Database { path, why: e.to_string() },
    }
}

/// Why a writable log cannot be written when one of its side files cannot: a terminal that
/// read the log while it was read-only made its shared-memory and write-ahead files with
/// the log's own permissions, and SQLite keeps using them after the log is made writable
/// again, saying only "attempt to write a readonly database". `None` when the log itself
/// is the read-only one, or the side files are writable.
fn read_only_side_file(path: &Path) -> Option<String> {
    let denied = |p: &Path| {
        std::fs::OpenOptions::new()
            .write(true)
            .open(p)
            .is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied)
    };
    if denied(path) {
        return None;
    }
    let side = ["-shm", "-wal"].into_iter().map(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    });
    side.filter(|p| p.exists()).find(|p| denied(p)).map(|p| {
        format!(
            "{} is read-only (made while the log was): make it writable like the log, or delete it while no recover is running",
            p.display()
        )
    })
}

/// SQLite says only "disk I/O error" or "unable to open"; a small write beside the log
/// tells a full disk from a read-only folder.
fn diagnose(path: PathBuf, e: &rusqlite::Error) -> StoreError {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let probe = dir.join(format!(".recover-probe-{}", std::process::id()));
    let written = std::fs::write(&probe, [0u8; 16 * 1024]);
    let _ = std::fs::remove_file(&probe);
    match written {
        Err(io) if io.kind() == std::io::ErrorKind::StorageFull => StoreError::Full { path },
        Err(io) if io.kind() == std::io::ErrorKind::ReadOnlyFilesystem => {
            StoreError::Access { path, why: "its folder is on a read-only file system".into() }
        }
        Err(io) => StoreError::Access { path, why: format!("{e} ({io})") },
        Ok(()) => StoreError::Access { path, why: e.to_string() },
    }
}
