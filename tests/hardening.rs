//! Hostile input, faults and privacy: one clear line, the documented exit code, no panic,
//! nothing recorded lost.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use crate::support::{BIN, Test, base_env};

const PLAYBOOK_HEAD: &str = "type: x\ntitle: X\nphases:\n  apologise:\n    - id: a\n      do: Sorry.\n      say: \"Sorry.\"\n  fix:\n    - id: b\n      do: Fix.\n  amend: []\n  follow_up: []\n";

fn check_file(t: &Test, name: &str, content: &[u8]) -> String {
    let dir = t.path(&format!("lib-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.yaml")), content).unwrap();
    let out = t.cmd(&["check", dir.to_str().unwrap()]).run();
    assert_eq!(out.code, 1, "{name}: {}{}", out.stdout, out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out.stdout
}

#[test]
fn hostile_yaml_is_refused_with_a_placed_message() {
    let t = Test::new();
    let bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    assert!(
        check_file(&t, "bomb", bomb.as_bytes()).contains("bomb.yaml:2:8: aliases (*name) are not allowed")
    );
    let deep = format!("type: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    let refused = check_file(&t, "deep", deep.as_bytes());
    assert!(
        refused.contains("recursion limit exceeded") || refused.contains("nesting is too deep"),
        "{refused}"
    );
    let mut bad_utf8 = PLAYBOOK_HEAD.as_bytes().to_vec();
    bad_utf8.extend_from_slice(b"# caf\xe9\n");
    assert!(check_file(&t, "latin1", &bad_utf8).contains("not UTF-8 text"));
    assert!(check_file(&t, "tabs", b"type: x\nphases:\n\tapologise: []\n").contains("tabs.yaml:3:"));
    assert!(check_file(&t, "scalar", b"just words\n").contains("must be a mapping"));
    assert!(
        check_file(&t, "docs", format!("{PLAYBOOK_HEAD}---\n{PLAYBOOK_HEAD}").as_bytes())
            .contains("several YAML documents")
    );
    let nan =
        PLAYBOOK_HEAD.replace("  amend: []", "  amend:\n    - id: c\n      do: Comp.\n      cost: .nan");
    assert!(check_file(&t, "nan", nan.as_bytes()).contains("finite"));

    // A byte-order mark is fine.
    let dir = t.path("lib-bom");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bom.yaml"), format!("\u{feff}{PLAYBOOK_HEAD}")).unwrap();
    t.cmd(&["check", dir.to_str().unwrap()]).run().code(0);
}

#[test]
fn a_huge_file_is_refused_before_it_is_read() {
    let t = Test::new();
    let dir = t.path("lib-huge");
    std::fs::create_dir_all(&dir).unwrap();
    let file = std::fs::File::create(dir.join("huge.yaml")).unwrap();
    file.set_len(50 * 1024 * 1024).unwrap();
    let out = t.cmd(&["check", dir.to_str().unwrap()]).run();
    out.code(1);
    assert!(
        out.stdout.contains("huge.yaml:1:1: file is 52428800 bytes, over the 1048576 byte limit"),
        "{}",
        out.stdout
    );
}

#[test]
fn odd_folders_symlink_loops_and_directories_named_yaml() {
    let t = Test::new();
    let dir = t.copy_playbooks("lib");
    std::os::unix::fs::symlink(dir.join("loop.yaml"), dir.join("loop.yaml")).unwrap();
    std::fs::create_dir(dir.join("folder.yaml")).unwrap();
    let out = t.cmd(&["list", "--playbooks", dir.to_str().unwrap()]).run();
    out.code(0);
    assert!(out.stdout.contains("reservation"));
    assert!(out.stderr.contains("loop.yaml"), "{}", out.stderr);
    let check = t.cmd(&["check", "--playbooks", dir.to_str().unwrap()]).run();
    assert!(
        check.stdout.contains("folder.yaml:1:1: warning: a folder, not a playbook file; skipped"),
        "{}",
        check.stdout
    );
    assert!(check.stdout.contains("loop.yaml:1:1: cannot read"), "{}", check.stdout);
}

#[test]
fn control_characters_never_reach_the_terminal_but_json_keeps_them() {
    let t = Test::new();
    let hostile = "room \u{1b}]0;owned\u{7}\u{1b}[2J214";
    let out =
        t.cmd(&["start", "--type", "noise", "--yes", "--ref", hostile, "--staff", "eve\u{1b}[31m"]).run();
    out.code(0);
    assert!(!out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{7}'), "{:?}", out.stdout);
    assert!(out.stdout.contains("room \\u{1b}]0;owned\\u{7}"), "{}", out.stdout);
    let json = t.cmd(&["log", "--json"]).run().json_lines();
    assert_eq!(json[0]["ref"], hostile, "JSON keeps the exact data");
    for args in [vec!["log"], vec!["log", "--csv"], vec!["due", "--within", "3d"]] {
        let out = t.cmd(&args).run();
        assert!(!out.stdout.contains('\u{1b}'), "{args:?}: {:?}", out.stdout);
    }
    let err = t.cmd(&["show", "\u{1b}[31mred"]).run();
    assert!(!err.stderr.contains('\u{1b}'), "{:?}", err.stderr);

    let hostile = PLAYBOOK_HEAD.replace("title: X", "title: \"\\e[31mRed\\e]0;x\\a \"");
    t.write("hostile/x.yaml", hostile);
    let shown = t.cmd(&["show", "x", "--playbooks", t.path("hostile").to_str().unwrap()]).run();
    shown.code(0);
    assert!(shown.stdout.contains("\\u{1b}[31mRed"), "{}", shown.stdout);
    assert!(!shown.stdout.contains('\u{1b}') && !shown.stdout.contains('\u{7}'), "{:?}", shown.stdout);
}

#[test]
fn answers_with_huge_notes_are_refused() {
    let t = Test::new();
    let note = "x".repeat(2001);
    let file =
        t.write("a.yaml", format!("type: noise\nseverity: minor\nsteps:\n  own-it: {{note: {note}}}\n"));
    let out = t.cmd(&["start", "--answers", file.to_str().unwrap()]).run();
    out.code(2);
    assert!(out.stderr.contains("longer than 2000 characters"), "{}", out.stderr);
    assert!(!t.log().exists());
}

#[test]
fn amounts_add_up_exactly() {
    let t = Test::new();
    let dir = t.path("lib");
    std::fs::create_dir_all(&dir).unwrap();
    let book = PLAYBOOK_HEAD.replace(
        "  amend: []",
        "  amend:\n    - {id: c1, do: One., cost: 0.1}\n    - {id: c2, do: Two., cost: 0.2}\n    - {id: c3, do: Three., cost: 19.95}",
    );
    std::fs::write(dir.join("x.yaml"), book).unwrap();
    let out = t.cmd(&["start", "--type", "x", "--yes", "--json", "--playbooks", dir.to_str().unwrap()]).run();
    assert_eq!(out.code(0).json_lines()[0]["amends_total"], "20.25");
}

/// Found while writing the fuzz targets: `check` accepted an option written with spaces
/// around it, but no answer could pick it (answers are trimmed), so even `--yes` failed on
/// a valid playbook.
#[test]
fn options_written_with_spaces_around_can_be_picked() {
    let t = Test::new();
    let dir = t.path("lib");
    std::fs::create_dir_all(&dir).unwrap();
    let book = PLAYBOOK_HEAD
        .replace("      do: Fix.\n", "      do: Fix.\n      choose: [\" our hotel \", \"partner \"]\n")
        .replace("title: X\n", "title: X\nfailure_points: [\" arrival\"]\n");
    std::fs::write(dir.join("x.yaml"), book).unwrap();
    let lib = dir.to_str().unwrap();
    t.cmd(&["check", lib]).run().code(0);
    let out = t.cmd(&["start", "--type", "x", "--yes", "--json", "--playbooks", lib]).run();
    assert_eq!(out.code(0).json_lines()[0]["steps"][1]["choice"], "our hotel");
    let answers = t.write(
        "a.yaml",
        "type: x\nseverity: minor\nfailure_point: arrival\nsteps:\n  a: done\n  b: {choice: partner}\n",
    );
    let out = t.cmd(&["start", "--answers", answers.to_str().unwrap(), "--json", "--playbooks", lib]).run();
    let incident = &out.code(0).json_lines()[0];
    assert_eq!(incident["steps"][1]["choice"], "partner");
    assert_eq!(incident["failure_point"], "arrival");
}

fn in_namespace(t: &Test, script: &str) -> std::process::Output {
    let probe = Command::new("unshare").args(["-m", "true"]).output();
    assert!(probe.is_ok_and(|o| o.status.success()), "needs `unshare -m` and mount: run as root (CI does)");
    let full =
        format!("set -e\nmount -t tmpfs -o size=512k tmpfs '{dir}/mnt'\n{script}", dir = t.dir().display());
    std::fs::create_dir_all(t.path("mnt")).unwrap();
    Command::new("unshare")
        .args(["-m", "bash", "-c", &full])
        .current_dir(t.dir())
        .env_clear()
        .envs(base_env(t.dir(), &t.path("mnt/log.db")))
        .output()
        .unwrap()
}

#[test]
#[ignore = "needs root for unshare -m and a tmpfs; CI runs it with --include-ignored"]
fn a_full_disk_exits_3_and_keeps_what_was_recorded() {
    let t = Test::new();
    // Fill the disk, then record until a session fails: each success must stay in the log.
    let script = format!(
        "'{BIN}' start --type noise --yes --ref first >/dev/null\n\
         dd if=/dev/zero of=mnt/filler bs=1k 2>/dev/null || true\n\
         set +e\n\
         for n in $(seq 1 60); do\n\
           '{BIN}' start --type reservation --yes --ref \"r$n\" >/dev/null 2>err.txt; code=$?\n\
           if [ $code -ne 0 ]; then echo \"failed=$n code=$code\"; cat err.txt >&2; break; fi\n\
           echo \"ok=$n\"\n\
         done\n\
         rm mnt/filler\n\
         '{BIN}' log --json"
    );
    let out = in_namespace(&t, &script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("code=3"), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("recover:")).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].contains("is full"), "{stderr}");
    assert!(!stderr.contains("panicked"));
    assert!(stdout.contains("\"ref\":\"first\""), "the first incident is intact: {stdout}");
    for n in stdout.lines().filter_map(|l| l.strip_prefix("ok=")) {
        assert!(stdout.contains(&format!("\"ref\":\"r{n}\"")), "r{n} reported success but is gone");
    }
}

#[test]
#[ignore = "needs root for unshare -m and a tmpfs; CI runs it with --include-ignored"]
fn a_read_only_log_exits_3_and_is_left_intact() {
    let t = Test::new();
    let script = format!(
        "'{BIN}' start --type noise --yes --ref first >/dev/null\n\
         mount -o remount,ro '{dir}/mnt'\nset +e\n\
         '{BIN}' start --type reservation --yes; echo \"code=$?\"\n'{BIN}' log --json",
        dir = t.dir().display()
    );
    let out = in_namespace(&t, &script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("code=3"), "{stdout}\n{stderr}");
    assert!(stderr.lines().next().unwrap_or_default().starts_with("recover: cannot use the log"), "{stderr}");
    assert!(stdout.contains("\"ref\":\"first\""), "still readable and intact: {stdout}\n{stderr}");
}

#[test]
fn a_file_that_is_not_a_log_or_from_a_newer_version_is_never_touched() {
    let t = Test::new();
    let notes = t.write("notes.txt", "my shopping list\n".repeat(100));
    let before = std::fs::read(&notes).unwrap();
    t.cmd(&["log", "--log", notes.to_str().unwrap()]).run().code(3).one_error_line("is not a recover log");
    assert_eq!(std::fs::read(&notes).unwrap(), before, "not overwritten");

    t.ok(&["start", "--type", "noise", "--yes"]);
    let conn = rusqlite::Connection::open(t.log()).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    t.cmd(&["log"]).run().code(3).one_error_line("schema version 99, newer than this recover knows");
}

#[test]
fn the_log_and_its_folder_are_private() {
    let t = Test::new();
    t.ok(&["start", "--type", "noise", "--yes"]);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&t.log()), 0o600);
    assert_eq!(mode(t.log().parent().unwrap()), 0o700);
    for side in ["log.db-wal", "log.db-shm"] {
        let p = t.log().with_file_name(side);
        if p.exists() {
            assert_eq!(mode(&p) & 0o077, 0, "{side} readable by others");
        }
    }
}

#[test]
fn eight_processes_times_fifty_sessions_on_one_log() {
    let t = Test::new();
    t.ok(&["list"]);
    let handles: Vec<_> = (0..8)
        .map(|n| {
            let (dir, log) = (t.dir().to_path_buf(), t.log());
            std::thread::spawn(move || {
                for k in 0..50 {
                    let out = Command::new(BIN)
                        .args(["start", "--type", "long-wait", "--yes", "--ref", &format!("{n}-{k}")])
                        .env_clear()
                        .envs(base_env(&dir, &log))
                        .output()
                        .unwrap();
                    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let rows = t.cmd(&["log", "--json"]).run().json_lines();
    assert_eq!(rows.len(), 400);
    assert!(rows.iter().all(|r| r["status"] == "complete"));
}

/// xorshift64*: enough randomness for kill timings, replayable from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn kill_9_at_random_moments_never_corrupts_or_duplicates() {
    let seed = std::env::var("RECOVER_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| u64::from(d.subsec_nanos()) ^ d.as_secs())
            | 1
    });
    eprintln!("kill -9 test seed: {seed} (replay with RECOVER_KILL_SEED={seed})");
    let mut rng = Rng(seed);
    let t = Test::new();
    t.ok(&["list"]);
    let mut succeeded = Vec::new();
    for n in 0..200 {
        let reference = format!("kill-{n}");
        let mut child = Command::new(BIN)
            .args([
                "start",
                "--type",
                "reservation",
                "--yes",
                "--severity",
                "major",
                "--approved-by",
                "m",
                "--approver-role",
                "supervisor",
                "--json",
                "--ref",
                &reference,
            ])
            .env_clear()
            .envs(base_env(t.dir(), &t.log()))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_micros(rng.next() % 40_000));
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        if out.status.success() && !out.stdout.is_empty() {
            succeeded.push(reference);
        }
    }
    let rows = t.cmd(&["log", "--json"]).run().json_lines();
    let order = [
        "listen",
        "own-it",
        "reassure",
        "ask-destination",
        "find-room",
        "pay-replacement",
        "arrange-transport",
        "confirm-in-writing",
        "ask-comfort",
        "hand-over",
        "thank",
    ];
    let mut uids: Vec<&str> = rows.iter().map(|r| r["uid"].as_str().unwrap()).collect();
    uids.sort_unstable();
    uids.dedup();
    assert_eq!(uids.len(), rows.len(), "seed {seed}: an incident was duplicated");
    for r in &rows {
        let reference = r["ref"].as_str().unwrap().to_owned();
        let steps: Vec<&str> =
            r["steps"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
        let mut unique = steps.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), steps.len(), "seed {seed}: a step was recorded twice in {reference}");
        let prefix: Vec<&str> = steps.iter().copied().take(order.len()).collect();
        assert_eq!(prefix, order[..prefix.len()], "seed {seed}: {reference} is not a prefix of the playbook");
        if succeeded.contains(&reference) {
            assert_eq!(r["status"], "complete", "seed {seed}: {reference} reported success");
        } else {
            assert!(r["status"] == "complete" || r["status"] == "in_progress", "seed {seed}: {r}");
        }
    }
    for reference in &succeeded {
        assert!(
            rows.iter().any(|r| r["ref"] == reference.as_str()),
            "seed {seed}: {reference} succeeded but is missing"
        );
    }
}

#[test]
fn a_broken_policy_stops_sessions_and_a_missing_one_is_said() {
    let t = Test::new();
    let dir = t.copy_playbooks("lib");
    std::fs::write(dir.join("policy.yaml"), "currency: DKK\nroles: {staff: 5, manager: 2000\n").unwrap();
    let lib = dir.to_str().unwrap();
    t.cmd(&["start", "--type", "noise", "--yes", "--playbooks", lib])
        .run()
        .code(2)
        .one_error_line("the policy");
    assert!(!t.log().exists(), "nothing recorded on limits nobody set");
    t.cmd(&["check", "--playbooks", lib]).run().code(1);
    std::fs::remove_file(dir.join("policy.yaml")).unwrap();
    let out = t.cmd(&["start", "--type", "noise", "--yes", "--playbooks", lib]).run();
    out.code(0);
    assert!(
        out.stderr.contains("warning") && out.stderr.contains("built-in currency and role limits"),
        "{}",
        out.stderr
    );
}

/// Terminals that open a log nobody has made yet, all at once: one makes it, and none may
/// take it for another program's database while it is being made.
#[test]
fn eight_terminals_making_one_new_log_at_once_all_record() {
    let t = Test::new();
    for round in 0..12 {
        let log = t.path(&format!("data/new-{round}.db"));
        let handles: Vec<_> = (0..8)
            .map(|n| {
                let (dir, log) = (t.dir().to_path_buf(), log.clone());
                std::thread::spawn(move || {
                    Command::new(BIN)
                        .args(["start", "--type", "noise", "--yes", "--ref", &format!("{round}-{n}")])
                        .env_clear()
                        .envs(base_env(&dir, &log))
                        .output()
                        .unwrap()
                })
            })
            .collect();
        for h in handles {
            let out = h.join().unwrap();
            assert!(out.status.success(), "round {round}: {}", String::from_utf8_lossy(&out.stderr));
        }
        let rows = t.cmd(&["log", "--json"]).env("RECOVER_LOG", log.to_str().unwrap()).run().json_lines();
        assert_eq!(rows.len(), 8, "round {round}");
    }
}
