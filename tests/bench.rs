//! The benchmark tools keep working (the benchmarks themselves are not part of the suite;
//! BENCHMARKS.md has the figures and the command that makes them).

use std::path::Path;
use std::process::Command;

use crate::support::{BIN, Test};

fn python(args: &[&str]) {
    let out = Command::new("python3").args(args).output().expect("python3 runs");
    assert!(out.status.success(), "python3 {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn generated_logs_import_and_export_byte_for_byte_and_the_timing_script_runs() {
    let t = Test::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let generate = root.join("bench/generate.py");
    let generate = generate.to_str().unwrap();

    let log = t.path("log.jsonl");
    python(&[generate, "log", "--incidents", "60", "--per-day", "20", "--out", log.to_str().unwrap()]);
    t.ok(&["import", log.to_str().unwrap()]);
    let written = std::fs::read_to_string(&log).unwrap();
    assert_eq!(t.ok(&["export"]), written, "the generator writes exactly what export prints");

    let lib = t.path("lib");
    python(&[generate, "library", "--count", "12", "--out", lib.to_str().unwrap()]);
    let out = t.cmd(&["check", lib.to_str().unwrap()]).run();
    out.code(0);
    assert!(out.stderr.contains("12 playbook(s) usable"), "{}", out.stderr);

    let run = root.join("bench/run.py");
    let data = t.path("bench-data");
    let out = Command::new("python3")
        .args([run.to_str().unwrap(), "--bin", BIN, "--floor", "/bin/true", "--sizes", "30", "--runs", "1"])
        .args(["--library", "5", "--data", data.to_str().unwrap()])
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "bench/run.py: {}{}", stdout, String::from_utf8_lossy(&out.stderr));
    for line in ["recover import", "recover log --since 8h", "recover due", "recover report --since 30d"] {
        assert!(stdout.contains(line), "{line} missing from:\n{stdout}");
    }
    assert!(!stdout.contains("exit 1") && !stdout.contains("exit 2"), "{stdout}");
}
