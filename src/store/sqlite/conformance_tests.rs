//! The store conformance suite on SQLite: in a file (where a second handle is a second
//! terminal), in a file read by two readers however few incidents it holds, and in memory.

use super::SqliteStore;
use crate::store::Store;
use crate::store::conformance::{Fixture, conformance_suite};

fn in_a_file() -> Fixture {
    in_a_file_read_by_two_from(super::two_readers::TWO_READERS_FROM)
}

/// As [`in_a_file`], with every scan of JSON lines read by two readers side by side.
fn in_a_file_read_by_two() -> Fixture {
    in_a_file_read_by_two_from(1)
}

/// A log in a file whose scans of `from` incidents or more are read by two readers.
fn in_a_file_read_by_two_from(from: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let open = move |path: &std::path::Path| SqliteStore {
        two_readers_from: from,
        ..SqliteStore::open(path).unwrap()
    };
    let store: Box<dyn Store> = Box::new(open(&path));
    let reopen = move || -> Box<dyn Store> { Box::new(open(&path)) };
    Fixture { store, reopen: Some(Box::new(reopen)), _guard: Box::new(dir) }
}

fn in_memory() -> Fixture {
    Fixture { store: Box::new(SqliteStore::in_memory().unwrap()), reopen: None, _guard: Box::new(()) }
}

mod file {
    use super::*;
    conformance_suite!(in_a_file());
}

mod file_two_readers {
    use super::*;
    conformance_suite!(in_a_file_read_by_two());
}

mod memory {
    use super::*;
    conformance_suite!(in_memory());
}
