//! The store conformance suite on SQLite: in a file (where a second handle is a second
//! terminal), in a file read by two readers however few incidents it holds, and in memory.

use super::SqliteStore;
use crate::store::Store;
use crate::store::conformance::{Fixture, conformance_suite};

fn in_a_file() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let store: Box<dyn Store> = Box::new(SqliteStore::open(&path).unwrap());
    let reopen = move || -> Box<dyn Store> { Box::new(SqliteStore::open(&path).unwrap()) };
    Fixture { store, reopen: Some(Box::new(reopen)), _guard: Box::new(dir) }
}

/// As [`in_a_file`], with every scan of JSON lines read by two readers side by side.
fn in_a_file_read_by_two() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.db");
    let two =
        |path: &std::path::Path| SqliteStore { two_readers_from: 1, ..SqliteStore::open(path).unwrap() };
    let store: Box<dyn Store> = Box::new(two(&path));
    let reopen = move || -> Box<dyn Store> { Box::new(two(&path)) };
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
