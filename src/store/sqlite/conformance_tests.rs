//! The store conformance suite on SQLite: in a file (where a second handle is a second
//! terminal) and in memory.

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

fn in_memory() -> Fixture {
    Fixture { store: Box::new(SqliteStore::in_memory().unwrap()), reopen: None, _guard: Box::new(()) }
}

mod file {
    use super::*;
    conformance_suite!(in_a_file());
}

mod memory {
    use super::*;
    conformance_suite!(in_memory());
}
