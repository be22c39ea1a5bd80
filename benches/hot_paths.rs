//! In-process benchmarks of what a person waits on: loading the library, one answer in a
//! session, and the store queries behind `log`, `due` and `report`.
//!
//! `cargo bench --bench hot_paths` (add `-- NAME` to pick some). The store benchmarks use
//! the logs `python3 bench/run.py` imports into `target/bench-data/log-N.db`; sizes whose
//! log is missing are skipped. `RECOVER_BENCH_SIZES=10000,100000` limits the sizes;
//! `RECOVER_BENCH_PLANS=1` prints the query plans of `log` and `due` on each log.
//! Not part of the test suite; see BENCHMARKS.md for the figures.

#![allow(missing_docs)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use jiff::{Timestamp, ToSpan};
use recover::{Driver, Filter, Library, Money, Session, Severity, SqliteStore, Start, Store, Tally, Yes};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A library of `count` playbooks made from the built-in ones, as bench/generate.py makes it.
fn big_library(dir: &Path, count: usize) {
    let src = root().join("playbooks");
    let mut sources: Vec<(String, String)> = std::fs::read_dir(&src)
        .expect("playbooks/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read"))
        })
        .collect();
    sources.sort();
    for (name, text) in &sources {
        if name == "policy.yaml" {
            std::fs::write(dir.join(name), text).expect("write");
        }
    }
    let books: Vec<&String> = sources.iter().filter(|(n, _)| n != "policy.yaml").map(|(_, t)| t).collect();
    for i in 0..count {
        let n = format!("{i:03}");
        let mut kind = String::new();
        let text: Vec<String> = books[i % books.len()]
            .lines()
            .map(|line| {
                if let Some(k) = line.strip_prefix("type: ") {
                    k.trim().clone_into(&mut kind);
                    format!("type: {kind}-{n}")
                } else if let Some(list) = line.strip_prefix("aliases: [") {
                    let list = list.trim_end_matches(']');
                    let renamed: Vec<String> = list.split(',').map(|a| format!("{}-{n}", a.trim())).collect();
                    format!("aliases: [{}]", renamed.join(", "))
                } else if let Some(title) = line.strip_prefix("title: ") {
                    format!("title: {title} ({n})")
                } else {
                    line.to_owned()
                }
            })
            .collect();
        std::fs::write(dir.join(format!("{kind}-{n}.yaml")), text.join("\n") + "\n").expect("write");
    }
}

fn library(c: &mut Criterion) {
    c.bench_function("library/built_in", |b| b.iter(|| black_box(Library::built_in())));
    let dir = tempfile::tempdir().expect("temp dir");
    big_library(dir.path(), 500);
    let lib = Library::from_dir(dir.path()).expect("library");
    assert_eq!((lib.playbooks.len(), lib.problems.len()), (500, 0), "{:?}", lib.problems.first());
    let mut group = c.benchmark_group("library");
    group.sample_size(10);
    group.bench_function("check_500", |b| b.iter(|| black_box(Library::from_dir(dir.path()))));
    group.finish();
}

/// One answer: the engine decides, the store commits (to a real file, fsync and all), the
/// session applies it and finds the next question. Sessions are started as needed, untimed.
fn answers(c: &mut Criterion, name: &str, log: &Path, engine_only: bool) {
    let lib = Library::built_in();
    let pb = lib.find("reservation").expect("reservation");
    let mut store = SqliteStore::open(log).expect("log");
    let start = || Start {
        staff: "anna".into(),
        role: "staff".into(),
        limit: Money::whole(50),
        currency: "EUR".into(),
        reference: Some("room 214".into()),
        severity: None,
        failure_point: None,
    };
    let mut driver = Yes {
        severity: Severity::Critical,
        approved_by: Some("maria".into()),
        approver_role: Some("manager".into()),
    };
    let mut session = Session::begin(pb, start(), Timestamp::now()).with_policy(&lib.policy);
    let id = store.create(session.incident()).expect("create");
    session.set_id(id);
    let mut answer_one = || -> Duration {
        if session.next_question().is_none() {
            session = Session::begin(pb, start(), Timestamp::now()).with_policy(&lib.policy);
            let id = store.create(session.incident()).expect("create");
            session.set_id(id);
        }
        let t = Instant::now();
        let question = session.next_question().expect("a question");
        let answer = driver.ask(&session, &question).expect("answer");
        let events = session.decide(answer, Timestamp::now()).expect("rules");
        if !engine_only {
            let uid = session.incident().uid.clone();
            store.append(&uid, &events).expect("commit");
        }
        session.apply(&events);
        black_box(session.next_question());
        t.elapsed()
    };
    c.bench_function(name, |b| b.iter_custom(|n| (0..n).map(|_| answer_one()).sum()));
}

fn session_step(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    answers(c, "session/answer_engine_only", &dir.path().join("log.db"), true);
    answers(c, "session/answer_and_commit", &dir.path().join("log.db"), false);
    // The same on a copy of the largest log there is: committing does not grow with it.
    let data = root().join("target/bench-data");
    if let Some(n) = sizes().into_iter().rev().find(|n| data.join(format!("log-{n}.db")).exists()) {
        let copy = dir.path().join("big.db");
        for suffix in ["", "-wal"] {
            let from = data.join(format!("log-{n}.db{suffix}"));
            if from.exists() {
                std::fs::copy(&from, dir.path().join(format!("big.db{suffix}"))).expect("copy the log");
            }
        }
        answers(c, &format!("session/answer_and_commit_on_{n}"), &copy, false);
    }
}

fn sizes() -> Vec<u64> {
    std::env::var("RECOVER_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn queries(c: &mut Criterion) {
    let data = root().join("target/bench-data");
    for n in sizes() {
        let db = data.join(format!("log-{n}.db"));
        let now_file = data.join(format!("log-{n}.jsonl.now"));
        let (Ok(now), true) = (std::fs::read_to_string(&now_file), db.exists()) else {
            eprintln!("skipping the {n}-incident log: run `python3 bench/run.py` to make {}", db.display());
            continue;
        };
        let now = Timestamp::from_millisecond(now.trim().parse().expect("ms")).expect("time");
        let store = SqliteStore::open(&db).expect("log");
        if std::env::var_os("RECOVER_BENCH_PLANS").is_some() {
            let since = Filter { since: Some(now - 8.hours()), ..Filter::default() };
            let open = Filter { open: true, ..Filter::default() };
            for (what, filter) in [("log --since 8h", since), ("log --open", open)] {
                eprintln!("== query plans for {what} and due, {n}-incident log");
                for (sql, plan) in store.query_plans(&filter).expect("plans") {
                    eprintln!("{sql}\n    {}", plan.join("\n    "));
                }
            }
        }
        let mut group = c.benchmark_group(format!("store_{n}"));
        group.sample_size(10).measurement_time(Duration::from_secs(3));
        // Opening a current log only reads its schema version: the same at any size.
        group.bench_function("open", |b| b.iter(|| SqliteStore::open(&db).expect("log")));
        let since = |h: i64| Filter { since: Some(now - h.hours()), ..Filter::default() };
        group.bench_function("log_since_8h", |b| {
            b.iter(|| {
                let mut count = 0usize;
                let mut visit = |i| {
                    black_box(i);
                    count += 1;
                    true
                };
                store.scan(&since(8), false, &mut visit).expect("scan");
                count
            });
        });
        group.bench_function("due_within_8h", |b| b.iter(|| store.due(now + 8.hours()).expect("due").len()));
        group.bench_function("report_since_30d", |b| {
            b.iter_batched(
                || Tally::new(Some(now - 720.hours()), now),
                |mut tally| {
                    store
                        .scan(&since(720), true, &mut |i| {
                            tally.add(&i);
                            true
                        })
                        .expect("scan");
                    tally.finish()
                },
                BatchSize::SmallInput,
            );
        });
        group.finish();
    }
}

criterion_group!(benches, library, session_step, queries);
criterion_main!(benches);
