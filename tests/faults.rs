//! Faults around the log file: other programs' files, links, permissions, busy and
//! read-only logs, two terminals at once, purges and imports that stop half-way.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::support::{BIN, Test, base_env};

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn side(t: &Test, suffix: &str) -> std::path::PathBuf {
    t.log().with_file_name(format!("log.db{suffix}"))
}

#[test]
fn a_dangling_link_as_the_log_is_refused_and_creates_nothing() {
    let t = Test::new();
    let target = t.path("elsewhere/log.db");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    let link = t.path("link.db");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    t.cmd(&["start", "--type", "noise", "--yes", "--log", link.to_str().unwrap()])
        .run()
        .code(3)
        .one_error_line("symbolic link");
    assert!(!target.exists(), "the link's target was created");
}

#[test]
fn a_log_readable_by_others_is_made_private_with_its_side_files() {
    let t = Test::new();
    t.ok(&["start", "--type", "noise", "--yes"]);
    std::fs::set_permissions(t.log(), std::fs::Permissions::from_mode(0o644)).unwrap();
    // An open connection keeps the side files, created with the log's mode, as they are.
    let conn = rusqlite::Connection::open(t.log()).unwrap();
    conn.query_row("SELECT COUNT(*) FROM incidents", [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(mode(&side(&t, "-wal")), 0o644);
    let out = t.cmd(&["start", "--type", "noise", "--yes"]).run();
    out.code(0);
    assert_eq!(out.stderr.matches("readable by others").count(), 1, "{}", out.stderr);
    for file in [t.log(), side(&t, "-wal"), side(&t, "-shm")] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    let again = t.cmd(&["start", "--type", "noise", "--yes"]).run();
    assert!(!again.stderr.contains("readable by others"), "warned twice: {}", again.stderr);
    drop(conn);
}

#[test]
fn another_programs_database_is_never_changed() {
    let t = Test::new();
    let app = t.path("app.db");
    let conn = rusqlite::Connection::open(&app).unwrap();
    conn.execute_batch("CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('ann');").unwrap();
    drop(conn);
    let before = std::fs::read(&app).unwrap();
    let log = app.to_str().unwrap();
    for args in [vec!["log"], vec!["due"], vec!["start", "--type", "noise", "--yes"]] {
        let mut args = args.clone();
        args.extend(["--log", log]);
        t.cmd(&args).run().code(3).one_error_line("is not a recover log: it is another program's database;");
    }
    assert_eq!(std::fs::read(&app).unwrap(), before, "the database was changed");
    assert!(!t.path("app.db-wal").exists(), "switched to WAL");

    // A log made before logs were marked is still a log.
    t.ok(&["start", "--type", "noise", "--yes", "--ref", "old"]);
    let conn = rusqlite::Connection::open(t.log()).unwrap();
    assert_eq!(conn.query_row("PRAGMA application_id", [], |r| r.get::<_, i64>(0)).unwrap(), 0x5243_5652);
    conn.pragma_update(None, "application_id", 0).unwrap();
    drop(conn);
    assert!(t.ok(&["log", "--json"]).contains("\"ref\":\"old\""));
    t.ok(&["start", "--type", "noise", "--yes"]);
}

/// Whether `text` is anywhere in the log's files, deleted space included.
fn in_files(t: &Test, text: &str) -> bool {
    [t.log(), side(t, "-wal")]
        .iter()
        .any(|p| std::fs::read(p).is_ok_and(|bytes| bytes.windows(text.len()).any(|w| w == text.as_bytes())))
}

const LATER: &str = "2999-01-01T00:00:00Z";

#[test]
fn purge_with_a_reader_open_says_so_and_a_second_purge_finishes_it() {
    let t = Test::new();
    t.ok(&["start", "--type", "noise", "--yes", "--ref", "SECRET-ROOM-4711"]);
    let reader = rusqlite::Connection::open(t.log()).unwrap();
    reader.execute_batch("BEGIN; SELECT COUNT(*) FROM incidents;").unwrap();
    let out = t.cmd(&["purge", "--yes", "--before", LATER]).run();
    out.code(3).one_error_line("deleted 1 incident(s)");
    assert!(out.stderr.contains("may still be in the file"), "{}", out.stderr);
    assert!(in_files(&t, "SECRET-ROOM-4711"), "the message is true: copies remain while the reader reads");
    reader.execute_batch("COMMIT").unwrap();
    let out = t.cmd(&["purge", "--yes", "--before", LATER]).run();
    out.code(0);
    assert!(!in_files(&t, "SECRET-ROOM-4711"), "purged, yet readable in the file");
    drop(reader);
}

/// An older recover committed the delete and was killed before its VACUUM: the next
/// purge, with nothing left to delete, still wipes the free space.
#[test]
fn a_purge_stopped_after_its_delete_is_finished_by_the_next_one() {
    let t = Test::new();
    t.ok(&["start", "--type", "noise", "--yes", "--ref", "SECRET-ROOM-4712"]);
    t.ok(&["start", "--type", "noise", "--yes", "--ref", "kept"]);
    let conn = rusqlite::Connection::open(t.log()).unwrap();
    conn.execute_batch(
        "PRAGMA secure_delete = OFF; PRAGMA foreign_keys = ON; PRAGMA application_id = 0;
         DELETE FROM incidents WHERE ref = 'SECRET-ROOM-4712';",
    )
    .unwrap();
    drop(conn);
    assert!(in_files(&t, "SECRET-ROOM-4712"), "the test needs deleted data left in the file");
    let out = t.cmd(&["purge", "--yes", "--before", "2000-01-01T00:00:00Z"]).run();
    out.code(0);
    assert!(!in_files(&t, "SECRET-ROOM-4712"), "still readable after a purge: {}", out.stderr);
    assert!(t.ok(&["log", "--json"]).contains("\"ref\":\"kept\""));
}

#[test]
fn a_follow_up_closed_meanwhile_by_another_terminal_is_a_conflict_naming_who() {
    let t = Test::new();
    let id = t.ok(&["start", "--type", "noise", "--yes", "--json"]);
    let id: serde_json::Value = serde_json::from_str(id.lines().next().unwrap()).unwrap();
    let id = id["id"].as_str().unwrap().to_owned();
    // This terminal holds the write lock while the other one has read the follow-up open.
    let other = rusqlite::Connection::open(t.log()).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let done = Command::new(BIN)
        .args(["done", &id, "morning-check", "--note", "called, all fine"])
        .env_clear()
        .envs(base_env(t.dir(), &t.log()))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    other
        .execute(
            "UPDATE follow_ups SET done_at = 1700000000000, done_by = 'alice', outcome = 'recovered'
             WHERE step = 'morning-check' AND incident = (SELECT n FROM incidents WHERE id = ?1)",
            [&id],
        )
        .unwrap();
    other.execute_batch("COMMIT").unwrap();
    let out = done.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("already closed at 2023-11-14T22:13:20Z by alice"), "{stderr}");
}

#[test]
fn a_busy_log_says_so_instead_of_blaming_permissions() {
    let t = Test::new();
    t.ok(&["start", "--type", "noise", "--yes"]);
    let other = rusqlite::Connection::open(t.log()).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let out = t.cmd(&["start", "--type", "noise", "--yes"]).run();
    out.code(3).one_error_line("is busy: another recover is writing to it");
    assert!(!out.stderr.contains("permissions"), "{}", out.stderr);
    other.execute_batch("COMMIT").unwrap();
}

/// Runs `script` with a small tmpfs on `mnt` and `mnt2` in a mount namespace of its own
/// (as tests/hardening.rs does), the log at `mnt/log.db`; `None` where that is not allowed.
fn in_namespace(t: &Test, script: &str) -> Option<std::process::Output> {
    let probe = Command::new("unshare").args(["-m", "true"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        assert!(std::env::var_os("CI").is_none(), "CI runs as root and must be able to mount a small tmpfs");
        eprintln!("skipped: needs `unshare -m` and mount (root)");
        return None;
    }
    for dir in ["mnt", "mnt2"] {
        std::fs::create_dir_all(t.path(dir)).unwrap();
    }
    let full = format!(
        "set -e\nmount -t tmpfs -o size=512k tmpfs mnt\nmount -t tmpfs -o size=512k tmpfs mnt2\n{script}"
    );
    Some(
        Command::new("unshare")
            .args(["-m", "bash", "-c", &full])
            .current_dir(t.dir())
            .env_clear()
            .envs(base_env(t.dir(), &t.path("mnt/log.db")))
            .output()
            .unwrap(),
    )
}

/// After a crash, the newest answers may be only in the write-ahead file: a log on
/// read-only media must still show them, with or without its shared-memory file.
#[test]
fn a_read_only_log_left_by_a_crash_shows_what_is_only_in_its_write_ahead_file() {
    let t = Test::new();
    t.ok(&["start", "--type", "noise", "--yes", "--ref", "first"]);
    let holder = rusqlite::Connection::open(t.log()).unwrap();
    holder.query_row("SELECT COUNT(*) FROM incidents", [], |r| r.get::<_, i64>(0)).unwrap();
    t.ok(&["start", "--type", "noise", "--yes", "--ref", "newest"]);
    std::fs::create_dir_all(t.path("crash")).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        std::fs::copy(side(&t, suffix), t.path(&format!("crash/log.db{suffix}"))).unwrap();
    }
    drop(holder);
    assert!(std::fs::metadata(t.path("crash/log.db-wal")).unwrap().len() > 0);
    let script = format!(
        "cp crash/log.db crash/log.db-wal crash/log.db-shm mnt/\n\
         cp crash/log.db crash/log.db-wal mnt2/\n\
         mount -o remount,ro mnt\nmount -o remount,ro mnt2\nset +e\n\
         '{BIN}' log --json; echo \"code=$?\"\n\
         '{BIN}' log --json --log mnt2/log.db; echo \"code=$?\"\n\
         '{BIN}' start --type noise --yes --log mnt2/log.db; echo \"code=$?\""
    );
    let Some(out) = in_namespace(&t, &script) else { return };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stdout.matches("\"ref\":\"newest\"").count(), 2, "{stdout}\n{stderr}");
    assert_eq!(stdout.matches("\"ref\":\"first\"").count(), 2, "{stdout}\n{stderr}");
    assert_eq!(stdout.matches("code=0").count(), 2, "{stdout}\n{stderr}");
    assert!(stdout.ends_with("code=3\n"), "{stdout}\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_import_that_tells_another_story_of_an_incident_is_a_conflict() {
    let t = Test::new();
    t.ok(&["start", "--type", "noise", "--yes", "--ref", "214"]);
    let export = t.ok(&["export"]);
    let mut incident: serde_json::Value = serde_json::from_str(export.lines().next().unwrap()).unwrap();
    let (id, uid) =
        (incident["id"].as_str().unwrap().to_owned(), incident["uid"].as_str().unwrap().to_owned());
    incident["steps"][0]["note"] = "guest threw a glass".into();
    let file = t.write("other.jsonl", format!("{incident}\n"));
    let out = t.cmd(&["import", file.to_str().unwrap()]).run();
    out.code(2);
    let first = out.stderr.lines().next().unwrap();
    assert!(
        first.contains("other.jsonl:1:")
            && first.contains(&uid)
            && first.contains(&id)
            && first.contains("step `"),
        "{}",
        out.stderr
    );
    assert_eq!(t.ok(&["export"]), export, "nothing changed");
    // The same story, or more of it, still merges quietly.
    let same = t.write("same.jsonl", &export);
    let out = t.cmd(&["import", same.to_str().unwrap()]).run();
    assert!(out.code(0).stderr.contains("1 already here"), "{}", out.stderr);
}

/// The log is not locked while the input is still coming: `slow | recover import -` used
/// to block every other terminal until the producer finished.
#[test]
fn an_import_waiting_for_its_input_blocks_no_other_terminal() {
    let t = Test::new();
    t.ok(&["start", "--type", "noise", "--yes", "--ref", "a"]);
    let line = t.ok(&["export"]);
    let other = t.path("other.db");
    let mut import = Command::new(BIN)
        .args(["import", "-", "--log", other.to_str().unwrap()])
        .env_clear()
        .envs(base_env(t.dir(), &t.log()))
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = import.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, line.as_bytes()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let out = t.cmd(&["start", "--type", "noise", "--yes", "--log", other.to_str().unwrap()]).run();
    out.code(0);
    drop(stdin);
    let done = import.wait_with_output().unwrap();
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert_eq!(t.cmd(&["log", "--json", "--log", other.to_str().unwrap()]).run().json_lines().len(), 2);
}

/// Every line is checked before anything is written: a bad line after the first batch
/// still keeps the whole file out, and a bad file leaves no log behind.
#[test]
fn a_bad_line_after_thousands_of_good_ones_keeps_everything_out() {
    let t = Test::new();
    let file = t.path("big.jsonl");
    let generate = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/generate.py");
    let status = Command::new("python3")
        .arg(generate)
        .args(["log", "--incidents", "2500", "--out", file.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("{\"not\": \"an incident\"}\n");
    std::fs::write(&file, text).unwrap();
    let out = t.cmd(&["import", file.to_str().unwrap()]).run();
    out.code(2);
    assert!(
        out.stderr.starts_with("big.jsonl:2501: not an exported incident") || out.stderr.contains(":2501: "),
        "{}",
        out.stderr
    );
    assert!(!t.log().exists(), "a log was created for a file with problems");
}

/// A person's typed answer is never lost to a busy log: the session waits, says so, and
/// saves it once the other terminal is done.
#[test]
fn an_interactive_answer_waits_for_a_busy_log_and_is_kept() {
    let t = Test::new();
    let mut cmd = Command::new(BIN);
    cmd.args(["start", "--type", "noise", "--ref", "busy"]).env_clear().current_dir(t.dir());
    cmd.envs(base_env(t.dir(), &t.log())).env("TERM", "xterm-256color");
    let options = rexpect::session::Options::new().timeout_ms(Some(30_000)).strip_ansi_escape_codes(true);
    let mut p = rexpect::session::spawn_with_options(cmd, options).unwrap();
    p.exp_string("listen").unwrap();
    let other = rusqlite::Connection::open(t.log()).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("log busy, waiting").unwrap();
    other.execute_batch("COMMIT").unwrap();
    p.exp_string("your answer is saved").unwrap();
    p.exp_string("own-it").unwrap();
    let rows = t.cmd(&["log", "--json"]).run().json_lines();
    assert_eq!(rows[0]["steps"][0]["id"], "listen", "the answer typed while the log was busy is saved");
    p.process_mut().kill(rexpect::process::Signal::SIGKILL).unwrap();
}

/// On a full disk, purge says what it did (nothing) instead of "nothing more could be
/// recorded"; once there is room, the same purge deletes and wipes.
#[test]
fn purge_on_a_full_disk_says_nothing_was_deleted_and_finishes_later() {
    let t = Test::new();
    let script = format!(
        "for n in 1 2 3; do '{BIN}' start --type noise --yes --ref SECRET-FULL-$n >/dev/null; done\n\
         dd if=/dev/zero of=mnt/filler bs=1k 2>/dev/null || true\nset +e\n\
         '{BIN}' purge --yes --before {LATER}; echo \"code=$?\"\n\
         rm mnt/filler\n\
         echo \"kept=$('{BIN}' log --json | grep -c SECRET-FULL)\"\n\
         '{BIN}' purge --yes --before {LATER} 2>/dev/null; echo \"code=$?\"\n\
         echo \"left=$(cat mnt/log.db* | grep -c SECRET-FULL)\""
    );
    let Some(out) = in_namespace(&t, &script) else { return };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("recover: nothing was deleted from") && lines[0].contains("full"),
        "{stderr}"
    );
    assert!(stdout.contains("code=3\nkept=3\ncode=0\nleft=0\n"), "{stdout}\n{stderr}");
}

/// A terminal that reads a read-only log leaves its shared-memory and write-ahead files
/// read-only too, and SQLite keeps using them once the log is writable again: a write then
/// names the file to fix (not only "attempt to write a readonly database"), records
/// nothing, and works once it is fixed as said.
#[test]
fn a_side_file_left_read_only_is_named_once_the_log_is_writable_again() {
    let t = Test::new();
    // Permissions mean nothing to root (as CI runs): the commands run as `nobody` then.
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let data = t.log().parent().unwrap().to_owned();
    std::fs::create_dir_all(&data).unwrap();
    for dir in [t.dir(), &data] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let run = |args: &[&str]| {
        let mut cmd = if root {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", BIN]);
            c
        } else {
            Command::new(BIN)
        };
        cmd.args(args).current_dir(t.dir()).env_clear().envs(base_env(t.dir(), &t.log()));
        cmd.output().expect("runs")
    };
    let chmod = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    let shm = data.join("log.db-shm");
    let started = run(&["start", "--type", "noise", "--yes", "--staff", "anna"]);
    assert!(started.status.success(), "{}", String::from_utf8_lossy(&started.stderr));

    chmod(&t.log(), 0o400);
    assert!(run(&["log"]).status.success(), "a read-only log is read");
    assert!(shm.exists(), "the reader made the shared-memory file");
    assert_eq!(
        std::fs::metadata(&shm).unwrap().permissions().mode() & 0o777,
        0o400,
        "with the log's permissions"
    );

    chmod(&t.log(), 0o600);
    let refused = run(&["start", "--type", "noise", "--yes", "--staff", "anna"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("log.db-shm is read-only") && stderr.contains("make it writable"), "{stderr}");
    let listed = run(&["log", "--json"]);
    assert_eq!(String::from_utf8_lossy(&listed.stdout).lines().count(), 1, "nothing recorded");

    // Fixed as it says: the log is written again, and nothing was lost.
    chmod(&shm, 0o600);
    chmod(&data.join("log.db-wal"), 0o600);
    assert!(run(&["start", "--type", "noise", "--yes", "--staff", "anna"]).status.success());
    assert_eq!(String::from_utf8_lossy(&run(&["log", "--json"]).stdout).lines().count(), 2);
}

/// A server that takes the connection and never answers (a stopped process behind a proxy,
/// a wrong port that accepts) is given up on within the connect timeout: the desk records,
/// `sync` and `server check` exit 3 saying so, and `sync --status` keeps the failure. They
/// used to wait minutes (`sync`) or for ever (`server check`): `timeout` ends them here.
#[test]
fn a_server_that_never_answers_is_given_up_on_within_the_connect_timeout() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().collect();
        drop(held);
    });
    let t = Test::new();
    let log = format!("postgres://desk@127.0.0.1:{port}/recover");
    let run = |args: &[&str]| {
        let out = Command::new("timeout")
            .arg("60")
            .arg(BIN)
            .args(args)
            .current_dir(t.dir())
            .env_clear()
            .envs(base_env(t.dir(), &t.log()))
            .envs([("RECOVER_LOG", log.as_str()), ("RECOVER_SITE", "oslo"), ("PGPASSWORD", "x")])
            .env("PGCONNECT_TIMEOUT", "2")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, _, stderr) = run(&["start", "--type", "noise", "--yes", "--staff", "anna"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("kept on this desk"), "{stderr}");
    for command in [&["sync"][..], &["server", "check"]] {
        let (code, _, stderr) = run(command);
        assert_eq!(code, Some(3), "{command:?} (124 is `timeout` ending it): {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("no answer within"), "{stderr}");
    }
    let (code, status, _) = run(&["sync", "--status"]);
    assert_eq!(code, Some(0));
    assert!(status.contains("pending       1") && status.contains("no answer within"), "{status}");
}
