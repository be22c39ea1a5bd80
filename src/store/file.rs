//! The log as a file among others: what may be opened as a log, who may read it, and how
//! it is read where it cannot be written.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::StoreError;
use super::sqlite::At;

/// `PRAGMA application_id` of a recover log ("RCVR"), set when a log is created, so that
/// another program's SQLite file is never mistaken for one. A log made before it has 0 and
/// is known by its tables.
pub const APPLICATION_ID: i64 = 0x5243_5652;

/// The tables every recover log has had since its first schema.
const KNOWN_TABLES: [&str; 3] = ["incidents", "steps", "follow_ups"];

/// The log and the files SQLite keeps beside it.
fn with_side_files(path: &Path) -> [PathBuf; 3] {
    let side = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [path.to_path_buf(), side("-wal"), side("-shm")]
}

/// A symbolic link to nothing: opening it would create a file wherever it points.
pub fn refuse_dangling_link(path: &Path) -> Result<(), StoreError> {
    let Ok(meta) = std::fs::symlink_metadata(path) else { return Ok(()) };
    if meta.file_type().is_symlink() && !path.exists() {
        let target = std::fs::read_link(path).map(|t| t.display().to_string()).unwrap_or_default();
        return Err(StoreError::Access {
            path: path.to_path_buf(),
            why: format!(
                "it is a symbolic link to {target}, which does not exist; nothing was created there"
            ),
        });
    }
    Ok(())
}

/// Makes an existing log and its side files readable by their owner only (logs made by
/// older versions, or copied in, may be readable by everyone). SQLite creates the side
/// files with the log's own mode, so once the log is private, they are too. Returns the
/// log's mode before, when it had to be changed.
#[cfg(unix)]
pub fn make_private(path: &Path) -> std::io::Result<Option<u32>> {
    use std::os::unix::fs::PermissionsExt;
    let mut changed = None;
    for (i, file) in with_side_files(path).iter().enumerate() {
        let Ok(meta) = std::fs::metadata(file) else { continue };
        let mode = meta.permissions().mode() & 0o777;
        if meta.is_file() && mode & 0o077 != 0 {
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode & 0o700))?;
            if i == 0 {
                changed = Some(mode);
            }
        }
    }
    Ok(changed)
}

/// Elsewhere there are no modes to tighten.
#[cfg(not(unix))]
pub fn make_private(_: &Path) -> std::io::Result<Option<u32>> {
    Ok(None)
}

/// Refuses a database that is not a recover log, before anything is written to it.
///
/// The version, the application id and the tables are read in one read transaction: when
/// several terminals open a new log at once, another may create it between two reads, and
/// a version of 0 beside its tables would look like another program's database. (`version`
/// as the caller read it is only a first guess.)
pub fn recognise(conn: &Connection, path: &Path, version: i64) -> Result<(), StoreError> {
    let snapshot = conn.unchecked_transaction().at(path)?;
    let version = if version == 0 {
        snapshot.query_row("PRAGMA user_version", [], |r| r.get(0)).at(path)?
    } else {
        version
    };
    let id: i64 = snapshot.query_row("PRAGMA application_id", [], |r| r.get(0)).at(path)?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    let not_ours = |why| Err(StoreError::NotALog { path: path.to_path_buf(), why });
    if id != 0 {
        return not_ours("it is another program's database");
    }
    let tables: Vec<String> = snapshot
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .at(path)?;
    let ours = if version == 0 {
        tables.is_empty()
    } else {
        KNOWN_TABLES.iter().all(|t| tables.iter().any(|have| have == t))
    };
    if ours { Ok(()) } else { not_ours("it is another program's database") }
}

/// A private copy of a log and its write-ahead file, removed when dropped.
pub struct Copy {
    dir: PathBuf,
}

impl Drop for Copy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Ok(mut copies) = COPIES.lock() {
            copies.retain(|d| d != &self.dir);
        }
    }
}

/// The folders of the private copies open now, for [`remove_private_copies`].
static COPIES: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Removes every private copy of another desk's log this process has open: for a signal
/// that ends the process without dropping them (another desk's guests are in them).
pub fn remove_private_copies() {
    if let Ok(copies) = COPIES.lock() {
        for dir in copies.iter() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Opens a log that cannot be written, reading its write-ahead file too (what the last
/// sessions recorded may still be only there, after a crash).
///
/// `mode=ro` reads the write-ahead file through the shared-memory file beside it, or
/// through private memory when that file cannot be written. Where SQLite cannot set that
/// up (the shared-memory file is missing and the folder is read-only), the log and its
/// write-ahead file are copied to a private temporary folder and read there. With no
/// write-ahead file, nothing can be missed and the file is read as it is (`immutable`).
pub fn open_read_only(path: &Path) -> Result<(Connection, Option<Copy>), StoreError> {
    let [_, wal, _] = with_side_files(path);
    let first = open_uri(path, "mode=ro");
    if let Ok(conn) = first {
        return Ok((conn, None));
    }
    if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
        let (copy, _) = copy_of(path).map_err(|e| StoreError::Access {
            path: path.to_path_buf(),
            why: format!("it is read-only and its write-ahead file could not be copied to read it: {e}"),
        })?;
        let conn = open_uri(&copy.dir.join("log.db"), "mode=ro").at(path)?;
        return Ok((conn, Some(copy)));
    }
    Ok((open_uri(path, "immutable=1").at(path)?, None))
}

/// Opens `path` read-only with URI parameters, and reads it once so a failure shows here.
fn open_uri(path: &Path, query: &str) -> rusqlite::Result<Connection> {
    let mut uri = std::ffi::OsString::from("file:");
    uri.push(path.as_os_str());
    uri.push("?");
    uri.push(query);
    let flags =
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(Path::new(&uri), flags)?;
    conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))?;
    Ok(conn)
}

/// A private copy of the log at `path` (and its write-ahead file, if any) to open and
/// migrate without touching the original: another desk's log being imported.
pub fn copy_of(path: &Path) -> std::io::Result<(Copy, PathBuf)> {
    let dir =
        std::env::temp_dir().join(format!("recover-read-{}-{}", std::process::id(), uuid::Uuid::new_v4()));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(&dir)?;
    if let Ok(mut copies) = COPIES.lock() {
        copies.push(dir.clone());
    }
    let copy = Copy { dir };
    let [db, wal, _] = with_side_files(path);
    let target = copy.dir.join("log.db");
    std::fs::copy(db, &target)?;
    if wal.exists() {
        std::fs::copy(wal, copy.dir.join("log.db-wal"))?;
    }
    Ok((copy, target))
}

/// Whether `path` is an SQLite database (a log), by its first bytes; never for a pipe.
#[must_use]
pub fn is_sqlite(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    // Only a regular file is looked into: a FIFO or a device read here would be read up
    // (or wait for a writer) before the import opens it again.
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
        && std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok()
        && &head == SQLITE_HEADER
}

/// The first bytes of every SQLite file.
pub const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";
