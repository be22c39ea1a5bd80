//! Two readers give exactly the lines one gives, from one snapshot, and never wait.

use rusqlite::Connection;
use tempfile::TempDir;

use super::super::SqliteStore;
use super::super::tests::{import, incident};
use crate::store::{Filter, Store};

/// A log in a file of `n` incidents, three to each start time, their short ids in mixed
/// case with `_` among them: `NOCASE` puts `_x` before `AX`, plain bytes after.
fn log_of(n: usize) -> (TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("log.db")).unwrap();
    let ids = ["AX-", "_x-", "ax-", "Bb-", "b_-"];
    let incidents = (0..n)
        .map(|k| {
            let start = 60_000 * i64::try_from(k / 3).unwrap();
            incident(&format!("u{k}"), &format!("{}{k}", ids[k % ids.len()]), start, k % 4, k % 3)
        })
        .collect();
    assert_eq!(import(&mut store, incidents).unwrap().added, n);
    (dir, store)
}

/// The lines `store` gives for `filter`, at most `most` of them.
fn lines(store: &SqliteStore, filter: &Filter, oldest_first: bool, redact: bool, most: usize) -> String {
    let mut got = Vec::new();
    let mut seen = 0;
    store
        .scan_json(filter, oldest_first, redact, &mut |line| {
            got.extend_from_slice(line);
            seen += 1;
            seen < most
        })
        .unwrap();
    String::from_utf8(got).unwrap()
}

#[test]
fn two_readers_give_exactly_the_lines_of_one_and_stop_when_told() {
    let (_dir, mut store) = log_of(1_500);
    let filters = [
        Filter::default(),
        Filter { since: Some(jiff::Timestamp::from_millisecond(60_000 * 100).unwrap()), ..Filter::default() },
        Filter { staff: Some("ANNA".into()), ..Filter::default() },
    ];
    for filter in &filters {
        assert!(store.two_readers(filter).unwrap().is_none(), "one reader below the threshold");
        store.two_readers_from = 1;
        assert!(store.two_readers(filter).unwrap().is_some(), "two readers from it");
        for (oldest_first, redact, most) in
            [(true, false, usize::MAX), (false, true, usize::MAX), (false, false, 700)]
        {
            store.two_readers_from = usize::MAX;
            let one = lines(&store, filter, oldest_first, redact, most);
            store.two_readers_from = 1;
            let two = lines(&store, filter, oldest_first, redact, most);
            assert_eq!(one.lines().count(), two.lines().count(), "{filter:?} {oldest_first} {redact}");
            assert!(one == two, "{filter:?} oldest first {oldest_first}, redacted {redact}: lines differ");
        }
        store.two_readers_from = super::TWO_READERS_FROM;
    }
}

#[test]
fn the_two_readers_read_the_log_as_it_was_when_both_started() {
    let (dir, mut store) = log_of(40);
    store.two_readers_from = 1;
    let readers = store.two_readers(&Filter::default()).unwrap().expect("two readers");
    let mut other = SqliteStore::open(&dir.path().join("log.db")).unwrap();
    import(&mut other, vec![incident("late", "LATE-1", 1, 2, 1)]);
    let count =
        |c: &Connection| c.query_row("SELECT count(*) FROM incidents", [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(readers.each_ref().map(count), [40, 40]);
    let mut seen = 0;
    super::scan_json(readers, &Filter::default(), true, false, &mut |_| {
        seen += 1;
        true
    })
    .unwrap();
    assert_eq!(seen, 40);
    assert_eq!(lines(&store, &Filter::default(), true, false, usize::MAX).lines().count(), 41);
}

#[test]
fn a_scan_reads_on_one_reader_rather_than_wait_for_a_writer() {
    let (dir, mut store) = log_of(60);
    let one = lines(&store, &Filter::default(), false, false, usize::MAX);
    let writer = Connection::open(dir.path().join("log.db")).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    store.two_readers_from = 1;
    assert!(store.two_readers(&Filter::default()).unwrap().is_none());
    assert!(lines(&store, &Filter::default(), false, false, usize::MAX) == one);
    writer.execute_batch("COMMIT").unwrap();
    assert!(store.two_readers(&Filter::default()).unwrap().is_some());
}

#[test]
fn a_bad_row_read_by_either_reader_fails_the_scan() {
    for n in [7, 8] {
        let (dir, mut store) = log_of(50);
        let writer = Connection::open(dir.path().join("log.db")).unwrap();
        // A status no `recover` writes, as a damaged or tampered log might hold.
        writer
            .execute("UPDATE incidents SET status = ?2 WHERE n = ?1", rusqlite::params![n, "lost"])
            .unwrap();
        store.two_readers_from = 1;
        let failed = store.scan_json(&Filter::default(), true, false, &mut |_| true);
        assert!(failed.is_err(), "the bad row of incident {n} is an error, not a line");
    }
}

#[test]
fn an_incident_with_a_negative_key_is_read_by_one_of_the_two() {
    let (dir, mut store) = log_of(30);
    // Keys are never negative in a log `recover` wrote; a hand-edited one may have one.
    let writer = Connection::open(dir.path().join("log.db")).unwrap();
    writer
        .execute_batch(
            "PRAGMA foreign_keys = OFF; UPDATE incidents SET n = -7 WHERE n = 7; UPDATE steps SET incident = -7 WHERE incident = 7;
             UPDATE follow_ups SET incident = -7 WHERE incident = 7;",
        )
        .unwrap();
    store.two_readers_from = usize::MAX;
    let one = lines(&store, &Filter::default(), true, false, usize::MAX);
    store.two_readers_from = 1;
    let two = lines(&store, &Filter::default(), true, false, usize::MAX);
    assert_eq!(one.lines().count(), 30);
    assert!(one == two, "the incident keyed -7 is missing or doubled");
}
