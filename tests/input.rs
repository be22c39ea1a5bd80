//! Data that would break the log: amounts past what sums can hold, imports that are not
//! what an export writes, texts past the documented limits, files without an end, and
//! YAML built to stall the parsers. Each is refused with a placed message, nothing kept.

use crate::support::Test;

const PLAYBOOK: &str = "type: x\ntitle: X\nphases:\n  apologise:\n    - id: a\n      do: Sorry.\n      say: \"Sorry.\"\n  fix:\n    - id: b\n      do: Fix.\n  amend:\n    - id: c\n      do: Comp.\n      cost: COST\n  follow_up: []\n";

/// A library folder holding one playbook with amend cost `cost`, and `policy`.
fn library(t: &Test, name: &str, cost: &str, policy: &str) -> String {
    let dir = t.path(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("x.yaml"), PLAYBOOK.replace("COST", cost)).unwrap();
    std::fs::write(dir.join("policy.yaml"), policy).unwrap();
    dir.to_str().unwrap().to_owned()
}

const EUR: &str = "currency: EUR\nroles: {staff: 50, manager: 2000}\n";

fn refused(t: &Test, name: &str, cost: &str, policy: &str) -> String {
    let dir = library(t, name, cost, policy);
    let out = t.cmd(&["check", &dir]).run();
    out.code(1);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out.stdout
}

#[test]
fn amounts_are_bounded_and_exact_where_they_enter() {
    let t = Test::new();
    let out = refused(&t, "huge", "79228162514264337593543950335", EUR);
    assert!(out.contains("x.yaml:14:13: `79228162514264337593543950335` has more digits"), "{out}");
    let out = refused(&t, "billion", "1000000001", EUR);
    assert!(
        out.contains("x.yaml:14:13: `1000000001` is over the largest amount accepted (1000000000)"),
        "{out}"
    );
    let out = refused(&t, "precise", "10.123456789012345678901234567890", EUR);
    assert!(out.contains("x.yaml:14:13: `10.123456789012345678901234567890` has more digits"), "{out}");
    let out = refused(&t, "tiny", "0.0000000000000000000000000000001", EUR);
    assert!(out.contains("x.yaml:14:13:") && out.contains("more than 4 decimal places"), "{out}");
    let out = refused(&t, "quoted", "\"10.123456789012345678901234567890\"", EUR);
    assert!(out.contains("x.yaml:14:13:") && out.contains("more than 4 decimal places"), "{out}");
    let out = refused(&t, "cents", "10.125", EUR);
    assert!(out.contains("x.yaml:14:13: cost 10.125 has more decimal places than EUR has (2)"), "{out}");
    let out = refused(&t, "yen", "10.5", "currency: JPY\nroles: {staff: 5000}\n");
    assert!(out.contains("cost 10.50 has more decimal places than JPY has (0)"), "{out}");
    let out = refused(&t, "policy", "10", "currency: EUR\nroles:\n  staff: 79228162514264337593543950335\n");
    assert!(out.contains("policy.yaml:3:10:"), "{out}");
    let out = refused(&t, "limit", "10", "currency: EUR\nroles:\n  staff: 50.001\n");
    assert!(out.contains("policy.yaml:3:10: the limit of `staff`: 50.001 has more decimal places"), "{out}");
    // The same library with sane amounts is fine, and so is a three-place currency.
    t.cmd(&["check", &library(&t, "fine", "12.50", EUR)]).run().code(0);
    t.cmd(&["check", &library(&t, "kwd", "1.125", "currency: KWD\nroles: {staff: 50}\n")]).run().code(0);

    // A session on a refused library records nothing and does not panic.
    let dir = library(&t, "start", "79228162514264337593543950335", EUR);
    let out = t.cmd(&["start", "--type", "x", "--yes", "--playbooks", &dir]).run();
    assert!(!out.stderr.contains("panicked") && out.code != 0 && out.code != 101, "{}", out.stderr);
    assert_eq!(t.ok_saying(&["export"], "no log at"), "");
}

/// Two incidents recorded here, then their costs set to the largest decimal, as a log
/// written before amounts were bounded may hold.
fn log_with_huge_amounts(t: &Test) {
    for _ in 0..2 {
        t.cmd(&[
            "start",
            "--type",
            "reservation",
            "--yes",
            "--severity",
            "critical",
            "--approved-by",
            "maria",
            "--approver-role",
            "manager",
        ])
        .run()
        .code(0);
    }
    let db = rusqlite::Connection::open(t.log()).unwrap();
    let n = db
        .execute("UPDATE steps SET cost = '79228162514264337593543950335' WHERE cost IS NOT NULL", [])
        .unwrap();
    assert!(n > 1, "{n}");
    // The per-incident summary (schema 3) as the engine would have kept it: saturated.
    db.execute("UPDATE incidents SET amends_total = '79228162514264337593543950335'", []).unwrap();
}

#[test]
fn every_read_path_survives_an_over_large_amount_already_in_the_log() {
    let t = Test::new();
    log_with_huge_amounts(&t);
    let id = t.cmd(&["log", "--json"]).run().json_lines()[0]["id"].as_str().unwrap().to_owned();
    for args in [
        vec!["log"],
        vec!["log", "--json"],
        vec!["export"],
        vec!["report"],
        vec!["report", "--json"],
        vec!["show-incident", &id],
        vec!["due"],
    ] {
        let out = t.cmd(&args).run();
        assert!(!out.stderr.contains("panicked") && out.code == 0, "{args:?}: {}{}", out.code, out.stderr);
    }
    assert!(t.ok(&["log"]).contains("79228162514264337593543950335"), "a saturated total shows");
}

fn an_incident(t: &Test) -> serde_json::Value {
    t.cmd(&["start", "--type", "reservation", "--yes", "--ref", "room 1", "--json"])
        .run()
        .json_lines()
        .remove(0)
}

fn import(t: &Test, name: &str, lines: &[serde_json::Value]) -> crate::support::Output {
    let text: String = lines.iter().flat_map(|l| [l.to_string(), "\n".to_owned()]).collect();
    let file = t.write(name, text);
    let other = t.path("other.db");
    t.cmd(&["import", file.to_str().unwrap()]).env("RECOVER_LOG", other.to_str().unwrap()).run()
}

#[test]
fn an_over_large_imported_cost_is_refused_with_its_line() {
    let t = Test::new();
    let mut i = an_incident(&t);
    i["uid"] = "u-1".into();
    let mut big = i.clone();
    big["uid"] = "u-2".into();
    big["steps"].as_array_mut().unwrap().push(serde_json::json!({
        "phase": "amend", "id": "pay", "outcome": "done", "at": i["started_at"],
        "cost": "79228162514264337593543950335"
    }));
    let out = import(&t, "big.jsonl", &[i, big]);
    out.code(2);
    assert!(out.stderr.contains("big.jsonl:2: not an exported incident: `79228162514264337593543950335` is over the largest amount"), "{}", out.stderr);
    assert!(!out.stderr.contains("big.jsonl:1:"), "{}", out.stderr);
}

#[test]
fn import_reports_every_bad_incident_line_and_imports_nothing() {
    let t = Test::new();
    let good = an_incident(&t);
    let mut bad = good.clone();
    bad["uid"] = "".into();
    bad["id"] = "\u{1b}]52;c;aGk=\u{7}\u{1b}[2J".into();
    bad["ref"] = "r".repeat(100_000).into();
    let first = bad["steps"][0].clone();
    bad["steps"].as_array_mut().unwrap().push(first);
    bad["steps"][0]["cost"] = "-5".into();
    bad["follow_ups"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"step": "nope", "due": good["started_at"], "outcome": null}));
    let mut dup = good.clone();
    dup["uid"] = "u-3".into();
    let second = dup["steps"][1].clone();
    dup["steps"].as_array_mut().unwrap().push(second);
    let out = import(&t, "bad.jsonl", &[good, bad, dup]);
    out.code(2);
    let e = &out.stderr;
    for needle in [
        "bad.jsonl:2: `uid` is empty",
        "bad.jsonl:2: `id` \"\\u{1b}]52;c;aGk=\\u{7}\\u{1b}[2J\" is not an id",
        "bad.jsonl:2: the cost of step `listen` -5 is negative",
        "bad.jsonl:2: step `listen` is recorded twice",
        "bad.jsonl:2: follow-up `nope` is for a step that does not exist",
        "bad.jsonl:2: `ref` is 100000 characters long, over the limit of 2000",
        "bad.jsonl:3: step `",
        "bad.jsonl: 7 problem(s); nothing was recorded",
    ] {
        assert!(e.contains(needle), "{needle:?} missing from:\n{e}");
    }
    assert!(!e.contains('\u{1b}'), "no raw escape reaches the terminal");
    assert!(!e.contains("UNIQUE"), "{e}");
    let other = t.path("other.db");
    assert_eq!(t.cmd(&["export"]).env("RECOVER_LOG", other.to_str().unwrap()).run().stdout, "");
}

#[test]
fn problems_come_in_the_order_of_the_file_and_a_clean_file_imports_whole() {
    // Lines are checked on every core, a few hundred at a time: what is said of them must
    // still come in the order they stand in the file, and every good one be imported.
    let t = Test::new();
    let good = an_incident(&t);
    let lines = |bad_at: &[usize]| -> Vec<serde_json::Value> {
        (1..=1200)
            .map(|n| {
                let mut i = good.clone();
                i["uid"] = format!("u-{n}").into();
                i["id"] = format!("T-{n}").into();
                if bad_at.contains(&n) {
                    i["steps"][0]["cost"] = "-1".into();
                }
                i
            })
            .collect()
    };
    let bad_at = [5, 400, 777, 1199];
    let out = import(&t, "many.jsonl", &lines(&bad_at));
    out.code(2);
    let said: Vec<&str> =
        out.stderr.lines().filter_map(|l| l.split_once("many.jsonl:").map(|(_, said)| said)).collect();
    let mut wanted: Vec<String> =
        bad_at.iter().map(|n| format!("{n}: the cost of step `listen` -1 is negative")).collect();
    wanted.push(" 4 problem(s); nothing was recorded".to_owned());
    assert_eq!(said, wanted, "{}", out.stderr);

    let out = import(&t, "many.jsonl", &lines(&[]));
    out.code(0);
    assert!(out.stderr.contains("1200 added, 0 updated, 0 already here"), "{}", out.stderr);
    let other = t.path("other.db");
    let exported = t.cmd(&["export"]).env("RECOVER_LOG", other.to_str().unwrap()).run().stdout;
    let ids: Vec<String> = exported
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_str().unwrap().to_owned())
        .collect();
    let mut expected: Vec<String> = (1..=1200).map(|n| format!("T-{n}")).collect();
    let mut got = ids.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
}

#[test]
fn a_bom_is_fine_and_foreign_types_are_imported_with_a_warning() {
    let t = Test::new();
    let mut i = an_incident(&t);
    i["type"] = "ski-lift".into();
    i["uid"] = "u-ski".into();
    let file = t.write("bom.jsonl", format!("\u{feff}{i}\n"));
    let other = t.path("other.db");
    let out = t.cmd(&["import", file.to_str().unwrap()]).env("RECOVER_LOG", other.to_str().unwrap()).run();
    out.code(0);
    assert!(
        out.stderr.contains("recover: warning: ")
            && out.stderr.contains("types this library does not have: ski-lift"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("1 added"), "{}", out.stderr);
}

#[test]
fn import_reads_any_file_through_a_bounded_line_reader() {
    let t = Test::new();
    // Binary input is refused in one line from its first bytes, before a line is read.
    let out = t.cmd(&["import", "/dev/zero"]).run();
    out.code(2).one_error_line("/dev/zero is not a `recover export`: its first line is not text");
    let gzip = t.write("week.jsonl.gz", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
    let out = t.cmd(&["import", gzip.to_str().unwrap()]).run();
    out.code(2).one_error_line("week.jsonl.gz is compressed (gzip) (decompress it first");
    let out = t.cmd(&["import", "-"]).stdin(vec![0xff, 0xfe, b'{', 0, b'}', 0]).run();
    out.code(2).one_error_line("- is not a `recover export`: its first line is not text");
    // A bad line's place is its line and column in the file, said once.
    let file = t.write("cut.jsonl", "{\"id\": \"A-1\", \"uid\": 7}\n");
    let out = t.cmd(&["import", file.to_str().unwrap()]).run();
    out.code(2);
    assert!(
        out.stderr.contains(
            "cut.jsonl:1: not an exported incident: invalid type: integer `7`, expected a string, at column"
        ),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("at line 1"), "{}", out.stderr);
    // A path that is not there: the system's words, without its error number.
    let out = t.cmd(&["import", "no-such.jsonl"]).run();
    out.code(2).one_error_line("cannot read no-such.jsonl: No such file or directory (check the path)");
    // A long line is refused as it streams past, and the lines after it are still read.
    let mut text = "x".repeat(3 * 1024 * 1024);
    text.push_str("\nnot json\n");
    let file = t.write("long.jsonl", text);
    let out = t.cmd(&["import", file.to_str().unwrap()]).run();
    out.code(2);
    assert!(out.stderr.contains("long.jsonl:1: line is over 1048576 bytes"), "{}", out.stderr);
    assert!(out.stderr.contains("long.jsonl:2: not an exported incident"), "{}", out.stderr);

    // A FIFO is read as it is written.
    let line = format!("{}\n", an_incident(&t));
    let fifo = t.path("export.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, line).unwrap())
    };
    let other = t.path("other.db");
    let out = t.cmd(&["import", fifo.to_str().unwrap()]).env("RECOVER_LOG", other.to_str().unwrap()).run();
    writer.join().unwrap();
    out.code(0);
    assert!(out.stderr.contains("1 added"), "{}", out.stderr);
}

#[test]
fn texts_given_up_front_keep_the_documented_limit() {
    let t = Test::new();
    let long = "x".repeat(5000);
    for flag in ["--ref", "--staff", "--approved-by"] {
        t.cmd(&["start", "--type", "reservation", "--yes", "--severity", "critical", flag, &long])
            .run()
            .code(2)
            .one_error_line("longer than 2000 characters");
    }
    for key in ["staff", "ref"] {
        let file =
            t.write(&format!("{key}.yaml"), format!("type: reservation\nseverity: minor\n{key}: {long}\n"));
        t.cmd(&["start", "--answers", file.to_str().unwrap()])
            .run()
            .code(2)
            .one_error_line("longer than 2000");
    }
    // Closing a follow-up: the note and who closed it.
    let id = t.cmd(&["start", "--type", "reservation", "--yes", "--json"]).run().json_lines()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for flag in ["--note", "--staff"] {
        t.cmd(&["done", &id, "call-next-morning", flag, &long])
            .run()
            .code(2)
            .one_error_line("longer than 2000 characters");
    }
    let file = t.write(
        "approver.yaml",
        format!("type: reservation\nseverity: critical\nsteps:\n  choice-of-comp: {{done: true, approved_by: {long}}}\n"),
    );
    let out = t.cmd(&["start", "--answers", file.to_str().unwrap()]).run();
    out.code(2);
    assert!(out.stderr.contains("the approver's name is longer than 2000 characters"), "{}", out.stderr);
    assert_eq!(t.ok(&["export"]).lines().count(), 1, "nothing recorded but the one session");
}

#[test]
fn an_over_long_failure_note_ends_the_check_of_an_answers_file() {
    let t = Test::new();
    let file = t.write(
        "answers.yaml",
        format!("type: reservation\nseverity: minor\nfailure_note: {}\n", "n".repeat(2001)),
    );
    let out = t.cmd(&["start", "--answers", file.to_str().unwrap()]).run();
    out.code(2);
    assert!(
        out.stderr.contains("answers.yaml:3:1: the note is longer than 2000 characters"),
        "{}",
        out.stderr
    );
    assert_eq!(t.ok_saying(&["export"], "no log at"), "", "nothing recorded");
}

#[test]
fn a_nul_in_an_answers_file_is_refused_and_nothing_is_recorded() {
    let t = Test::new();
    // YAML's "\0" escape is the one way a NUL reaches a text: no argument can hold one.
    for (name, yaml) in [
        ("note", "steps:\n  listen: {done: true, note: \"room\\0 12\"}\n"),
        ("ref", "ref: \"room 1\\02\"\n"),
        ("failure", "failure_point: front desk\nfailure_note: \"a\\0b\"\n"),
    ] {
        let file = t.write(&format!("{name}.yaml"), format!("type: reservation\nseverity: minor\n{yaml}"));
        let out = t.cmd(&["start", "--answers", file.to_str().unwrap()]).run();
        out.code(2);
        // A text of a step at its line in the file; one given up front (the reference) as
        // the same text given by its flag is refused.
        assert!(out.stderr.contains("holds a NUL character"), "{name}: {}", out.stderr);
    }
    assert_eq!(t.ok_saying(&["export"], "no log at"), "", "nothing recorded");
}

#[test]
fn an_endless_answers_file_is_refused() {
    let t = Test::new();
    t.cmd(&["start", "--type", "reservation", "--answers", "/dev/zero"])
        .run()
        .code(2)
        .one_error_line("over the 1048576 byte limit");
}

#[test]
fn a_megabyte_of_nesting_is_refused_before_the_parsers_run() {
    let t = Test::new();
    let dir = t.path("deep");
    std::fs::create_dir_all(&dir).unwrap();
    let n = (1024 * 1024 - 16) / 2;
    std::fs::write(dir.join("deep.yaml"), format!("type: {}{}\n", "[".repeat(n), "]".repeat(n))).unwrap();
    let out = t.cmd(&["check", dir.to_str().unwrap()]).run();
    out.code(1);
    assert!(
        out.stdout.contains("deep.yaml:1:71: nesting is too deep (more than 64 levels"),
        "{}",
        out.stdout
    );
    let n = (1024 * 1024 - 16) / 5;
    std::fs::write(dir.join("deep.yaml"), format!("type: {}1{}\n", "{a: ".repeat(n / 4), "}".repeat(n / 4)))
        .unwrap();
    let out = t.cmd(&["check", dir.to_str().unwrap()]).run();
    assert!(
        out.stdout.contains("deep.yaml:1:") && out.stdout.contains("nesting is too deep"),
        "{}",
        out.stdout
    );
    // `list` and `start` read the same folder: they refuse it too, without stalling.
    t.cmd(&["list", "--playbooks", dir.to_str().unwrap()]).run();
}

#[test]
fn a_tab_in_the_indentation_is_placed_at_the_tab() {
    let t = Test::new();
    let dir = t.path("tab");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("tab.yaml"),
        "type: x\ntitle: X\nphases:\n  apologise:\n    - id: a\n      do: Sorry.\n\t  say: \"Sorry.\"\n",
    )
    .unwrap();
    let out = t.cmd(&["check", dir.to_str().unwrap()]).run();
    out.code(1);
    assert!(out.stdout.contains("tab.yaml:7:1: "), "{}", out.stdout);
}

#[test]
fn an_endless_stream_of_bad_lines_stops_after_a_thousand_problems() {
    let t = Test::new();
    // `yes '{"a":1}' | recover import -`, bounded here by a large count instead of for ever.
    let input = "{\"a\":1}\n".repeat(50_000);
    let out = t.cmd(&["import", "-"]).stdin(input).run();
    out.code(2);
    assert!(out.stderr.contains("stopped reading after 1000 problems"), "{}", &out.stderr[..200]);
    assert!(out.stderr.lines().count() < 1010, "{} lines", out.stderr.lines().count());
    assert!(!t.log().exists(), "nothing recorded");
}

#[test]
fn import_reads_another_desks_log_file_as_its_export_and_leaves_it_unchanged() {
    let t = Test::new();
    let other = t.path("other/log.db");
    let other_log = other.to_str().unwrap();
    t.ok(&["start", "--type", "wrong-order", "--yes", "--staff", "ole", "--log", other_log]);
    t.ok(&["start", "--type", "reservation", "--yes", "--staff", "ole", "--log", other_log]);
    let before = std::fs::read(&other).unwrap();
    let out = t.cmd(&["import", other_log]).run();
    out.code(0);
    assert!(out.stderr.contains("2 added, 0 updated, 0 already here"), "{}", out.stderr);
    let out = t.cmd(&["import", other_log]).run();
    assert!(out.stderr.contains("0 added, 0 updated, 2 already here"), "{}", out.stderr);
    let theirs = t.cmd(&["export", "--log", other_log]).run().stdout;
    assert_eq!(t.cmd(&["export"]).run().stdout, theirs, "the same incidents, the same account");
    assert_eq!(std::fs::read(&other).unwrap(), before, "the other log was read from a copy");
    // A database that is not a log, and a log damaged in copying, are bad input: refused
    // in one line naming the file given (never the private copy read), nothing imported.
    let foreign = t.path("other.sqlite");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let before = t.cmd(&["export"]).run().stdout;
    let out = t.cmd(&["import", foreign.to_str().unwrap()]).run();
    out.code(2)
        .one_error_line(&format!("cannot import {}: it is not a readable recover log", foreign.display()));
    let damaged = t.path("damaged.db");
    let mut bytes = std::fs::read(&other).unwrap();
    let half = bytes.len() / 2;
    bytes[100..half].fill(0x5a);
    std::fs::write(&damaged, &bytes).unwrap();
    let out = t.cmd(&["import", damaged.to_str().unwrap()]).run();
    out.code(2)
        .one_error_line(&format!("cannot import {}: it is not a readable recover log", damaged.display()));
    assert!(!out.stderr.contains("recover-"), "no temporary copy named: {}", out.stderr);
    // A damaged page anywhere never loses an incident without a word: every import of a
    // copy with one page overwritten gives back every incident, or is refused in one line.
    let pages = std::fs::read(&other).unwrap().len() / 4096;
    for page in 1..pages {
        let mut bytes = std::fs::read(&other).unwrap();
        bytes[page * 4096..(page + 1) * 4096].fill(0x5a);
        let copy = t.path(&format!("page-{page}.db"));
        std::fs::write(&copy, &bytes).unwrap();
        let into = t.path(&format!("into-{page}.db"));
        let into = into.to_str().unwrap();
        let out = t.cmd(&["import", copy.to_str().unwrap()]).env("RECOVER_LOG", into).run();
        if out.code == 0 {
            let got = t.cmd(&["export"]).env("RECOVER_LOG", into).run().stdout;
            assert_eq!(got, theirs, "page {page}: imported, so whole");
        } else {
            out.code(2).one_error_line("is not a readable recover log");
            assert_eq!(out.stderr.matches('(').count(), 1, "one bracket, the advice: {}", out.stderr);
        }
    }
    // A log from a newer `recover`: the advice is to upgrade.
    let newer = t.path("newer.db");
    std::fs::copy(&other, &newer).unwrap();
    rusqlite::Connection::open(&newer).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let out = t.cmd(&["import", newer.to_str().unwrap()]).run();
    out.code(2).one_error_line("its schema version 99 is newer than this recover knows");
    assert!(out.stderr.contains("upgrade recover here"), "{}", out.stderr);
    // Streamed through a pipe, a log is one line of advice, not a thousand of bad text.
    let out = t.cmd(&["import", "-"]).stdin(std::fs::read(&other).unwrap()).run();
    out.code(2).one_error_line("- is a SQLite file (a desk's log?), which cannot be imported through a pipe");
    assert_eq!(t.cmd(&["export"]).run().stdout, before, "nothing imported");
}

#[test]
fn an_imported_incident_whose_short_id_is_taken_here_is_said_with_its_new_one() {
    let t = Test::new();
    let other = t.path("other/log.db");
    let other_log = other.to_str().unwrap();
    let mine = t.ok(&["start", "--type", "wrong-order", "--yes", "--staff", "ole", "--json"]);
    let mine: serde_json::Value = serde_json::from_str(&mine).unwrap();
    // The other desk's incident has the same short id, with another global id.
    let theirs =
        t.ok(&["start", "--type", "reservation", "--yes", "--staff", "pia", "--json", "--log", other_log]);
    let mut theirs: serde_json::Value = serde_json::from_str(&theirs).unwrap();
    theirs["id"] = mine["id"].clone();
    let file = t.write("theirs.jsonl", format!("{theirs}\n"));
    let out = t.cmd(&["import", file.to_str().unwrap()]).run();
    out.code(0);
    let here = t.cmd(&["log", "--json", "--type", "reservation"]).run().json_lines();
    let new_id = here[0]["id"].as_str().unwrap();
    assert_ne!(new_id, mine["id"], "a taken id is not given twice");
    let said = format!(
        "incident {} is {new_id} in this log: its short id was taken here",
        mine["id"].as_str().unwrap()
    );
    assert!(out.stderr.contains(&said), "{}", out.stderr);
    assert!(out.stderr.contains("1 added, 0 updated, 0 already here"), "{}", out.stderr);
    // Twenty are named; the rest are counted, with where to find them.
    let many: Vec<String> = (0..22)
        .map(|k| {
            let mut one = theirs.clone();
            one["uid"] = format!("0b7c8f3e-5555-4c4c-9c9c-{k:012}").into();
            one.to_string()
        })
        .collect();
    let file = t.write("many.jsonl", many.join("\n"));
    let out = t.cmd(&["import", file.to_str().unwrap()]).run();
    out.code(0);
    assert_eq!(out.stderr.matches("its short id was taken here").count(), 20, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "2 more incidents were given other short ids (`recover log --json` shows each with its uid)"
        ),
        "{}",
        out.stderr
    );
    // In Bengali, as the rest of what `recover` says.
    let third = t.ok(&["start", "--type", "noise", "--yes", "--staff", "pia", "--json", "--log", other_log]);
    let mut third: serde_json::Value = serde_json::from_str(&third).unwrap();
    third["id"] = mine["id"].clone();
    let file = t.write("third.jsonl", format!("{third}\n"));
    let out = t.cmd(&["import", file.to_str().unwrap()]).env("RECOVER_LANG", "bn").run();
    out.code(0);
    assert!(out.stderr.contains("এই লগে") && out.stderr.contains("1টি যোগ হয়েছে"), "{}", out.stderr);
}

/// The one line of an error: at most one bracket of advice, at its end.
fn one_bracket(out: &crate::support::Output, code: i32, text: &str) {
    out.code(code).one_error_line(text);
    let line = out.stderr.trim_end();
    assert_eq!(line.matches('(').count(), 1, "{line}");
    assert!(line.ends_with(')'), "{line}");
}

#[test]
fn errors_that_had_two_brackets_of_advice_have_one() {
    let t = Test::new();
    // No type and no terminal to pick one in.
    one_bracket(&t.cmd(&["start"]).run(), 2, "no type given (pass --type TYPE; `recover list` shows them)");
    // A time that is not one: the examples are the advice.
    for args in [["report", "--since", "bogus"], ["purge", "--before", "xyz"]] {
        one_bracket(&t.cmd(&args).run(), 2, "is not a time (write e.g. 8h, 2d, today");
    }
    // An approver's role the policy does not have.
    let args = [
        "start",
        "--type",
        "reservation",
        "--yes",
        "--severity",
        "critical",
        "--approved-by",
        "maria",
        "--approver-role",
        "chef",
    ];
    one_bracket(
        &t.cmd(&args).run(),
        2,
        "is not in the policy, whose roles are staff, supervisor, manager (pass",
    );
    // A file that is not a log.
    let bad = t.write("bad.db", "not a database at all, just text");
    one_bracket(
        &t.cmd(&["log"]).env("RECOVER_LOG", bad.to_str().unwrap()).run(),
        3,
        "is not a recover log: ",
    );
    // A guest secret of the wrong length.
    t.ok(&["start", "--type", "noise", "--yes"]);
    let secret = format!("{}.guest-secret", t.log().display());
    std::fs::write(&secret, "x").expect("write");
    one_bracket(
        &t.cmd(&["start", "--type", "noise", "--yes", "--guest", "anna@example.com"]).run(),
        2,
        "is not a guest secret: 1 bytes, not 32 (restore it",
    );
}

/// Whether process `pid` catches SIGTERM (its handler is installed), from /proc.
fn catches_sigterm(pid: u32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let caught = status.lines().find_map(|l| l.strip_prefix("SigCgt:")).map_or("0", str::trim);
    u64::from_str_radix(caught, 16).is_ok_and(|mask| mask & (1 << (15 - 1)) != 0)
}

#[test]
fn an_interrupted_import_says_what_is_kept_and_how_to_finish() {
    use std::io::Write;
    let t = Test::new();
    let line = format!("{}\n", an_incident(&t));
    let other = t.path("other.db");
    for (lang, said) in [
        (
            "en",
            "recover: interrupted (what was imported before it is kept; importing the same file again adds the rest)",
        ),
        ("bn", "recover: থামানো হয়েছে (এর আগে যা ইমপোর্ট হয়েছে তা রাখা আছে;"),
    ] {
        // An import waiting for the rest of its input (a slow export at the other end of a
        // pipe) gets SIGTERM, as from a closed terminal or a stopped service.
        let mut cmd = std::process::Command::new(crate::support::BIN);
        cmd.args(["import", "-"]).env_clear();
        for (k, v) in crate::support::base_env(t.dir(), &t.log()) {
            cmd.env(k, v);
        }
        let mut child = cmd
            .env("RECOVER_LANG", lang)
            .env("RECOVER_LOG", &other)
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        input.write_all(line.as_bytes()).unwrap();
        let pid = child.id();
        let start = std::time::Instant::now();
        while !catches_sigterm(pid) {
            assert!(start.elapsed() < std::time::Duration::from_secs(20), "no handler installed");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert!(
            std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap().success()
        );
        let out = child.wait_with_output().unwrap();
        drop(input);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "{err}");
        assert!(err.contains(said), "{err}");
    }
    let kept = t.cmd(&["log", "--json"]).env("RECOVER_LOG", other.to_str().unwrap()).run();
    assert!(kept.stdout.is_empty(), "nothing half-imported: {}", kept.stdout);
}
