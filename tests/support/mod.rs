//! The test harness: a temporary home for each test, the real binary, a clean environment.

#![allow(dead_code)]

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

/// The built binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_recover");

/// One test's world: a temp dir that is HOME, holds the log and any files the test writes.
pub struct Test {
    dir: TempDir,
}

/// A command about to run.
pub struct Run<'t> {
    test: &'t Test,
    args: Vec<OsString>,
    env: Vec<(String, String)>,
    stdin: Option<Vec<u8>>,
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Output {
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Test {
    /// A fresh world.
    pub fn new() -> Self {
        Test { dir: tempfile::tempdir().expect("temp dir") }
    }

    /// The world's folder.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the world.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The log every run uses unless told otherwise.
    pub fn log(&self) -> PathBuf {
        self.path("data/log.db")
    }

    /// Writes a file (creating folders) and returns its path.
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, content).expect("write");
        p
    }

    /// Copies the built-in playbooks into `rel` so a test can change them.
    pub fn copy_playbooks(&self, rel: &str) -> PathBuf {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks");
        let dst = self.path(rel);
        std::fs::create_dir_all(&dst).expect("mkdir");
        for entry in std::fs::read_dir(src).expect("playbooks") {
            let entry = entry.expect("entry");
            std::fs::copy(entry.path(), dst.join(entry.file_name())).expect("copy");
        }
        dst
    }

    /// `recover ARGS...` in this world.
    pub fn cmd<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Run<'_> {
        Run {
            test: self,
            args: args.iter().map(|a| a.as_ref().to_owned()).collect(),
            env: Vec::new(),
            stdin: None,
        }
    }

    /// Runs and expects success with nothing on stderr (a stray warning fails the test, as
    /// just's test builder does); returns stdout. A test that expects a warning runs
    /// `t.cmd(..).run().warns(..)` instead.
    pub fn ok<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> String {
        let out = self.cmd(args).run();
        assert!(
            out.code == 0 && out.stderr.is_empty(),
            "recover {:?} exited {} (want 0 and a silent stderr); stderr:\n{}",
            args.iter().map(|a| a.as_ref().to_owned()).collect::<Vec<_>>(),
            out.code,
            out.stderr
        );
        out.stdout
    }

    /// Runs and expects success with a note or warning on stderr that says `text` (as
    /// `import` reports what it did there); returns stdout.
    pub fn ok_saying<S: AsRef<std::ffi::OsStr>>(&self, args: &[S], text: &str) -> String {
        let out = self.cmd(args).run();
        out.warns(text);
        out.stdout
    }

    /// `recover ARGS...` in a real pseudo-terminal of this world, as a person runs it.
    pub fn pty<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Pty<'_> {
        Pty {
            test: self,
            args: args.iter().map(|a| a.as_ref().to_owned()).collect(),
            env: vec![("TERM".into(), "xterm-256color".into())],
            keep_escapes: false,
        }
    }
}

/// A command about to run in a pseudo-terminal; [`Pty::spawn`] starts it.
pub struct Pty<'t> {
    test: &'t Test,
    args: Vec<std::ffi::OsString>,
    env: Vec<(String, String)>,
    keep_escapes: bool,
}

impl Pty<'_> {
    /// Sets an environment variable.
    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    /// Keeps the escape sequences in what the session reads (to see colours or the cursor).
    pub fn keep_escapes(mut self) -> Self {
        self.keep_escapes = true;
        self
    }

    /// Starts it; expectations time out after 20 s.
    pub fn spawn(self) -> rexpect::session::PtySession {
        let mut cmd = Command::new(BIN);
        cmd.args(&self.args).env_clear().current_dir(self.test.dir());
        for (k, v) in base_env(self.test.dir(), &self.test.log()).into_iter().chain(self.env) {
            cmd.env(k, v);
        }
        let options = rexpect::session::Options::new()
            .timeout_ms(Some(20_000))
            .strip_ansi_escape_codes(!self.keep_escapes);
        rexpect::session::spawn_with_options(cmd, options).expect("spawn in a pty")
    }
}

/// The time zone the binary runs in: UTC, or `RECOVER_TEST_TZ` (e.g. `Pacific/Kiritimati`,
/// `America/St_Johns`) to prove that no test depends on the zone.
pub fn test_tz() -> String {
    std::env::var("RECOVER_TEST_TZ").ok().filter(|tz| !tz.is_empty()).unwrap_or_else(|| "UTC".into())
}

/// The environment every run starts from: nothing inherited but what a test sets.
pub fn base_env(home: &Path, log: &Path) -> Vec<(String, String)> {
    [
        ("HOME".into(), home.display().to_string()),
        ("RECOVER_LOG".into(), log.display().to_string()),
        ("TZ".into(), test_tz()),
        ("USER".into(), "tester".into()),
        ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
    ]
    .into_iter()
    .chain(faked_clock())
    .collect()
}

/// libfaketime's variables, passed on so that the binary sees the same faked clock as the
/// test (`faketime '2026-11-30 23:59:00' cargo test` runs the suite across midnight).
fn faked_clock() -> Vec<(String, String)> {
    std::env::vars()
        .filter(|(k, _)| k == "LD_PRELOAD" || k.starts_with("FAKETIME") || k == "DONT_FAKE_MONOTONIC")
        .collect()
}

impl Run<'_> {
    /// Sets an environment variable (empty value: still set).
    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    /// Feeds standard input.
    pub fn stdin(mut self, s: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(s.into());
        self
    }

    /// Runs to the end.
    pub fn run(self) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.args(&self.args).env_clear().current_dir(self.test.dir());
        for (k, v) in base_env(self.test.dir(), &self.test.log()).into_iter().chain(self.env) {
            cmd.env(k, v);
        }
        cmd.stdin(if self.stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn recover");
        // Fed from a thread: a child that stops reading and writes much to stderr must not
        // wait on a parent still blocked writing its input.
        let feeder = self.stdin.map(|input| {
            let mut stdin = child.stdin.take().expect("stdin");
            std::thread::spawn(move || {
                let _ = stdin.write_all(&input);
            })
        });
        let out = child.wait_with_output().expect("wait");
        if let Some(feeder) = feeder {
            let _ = feeder.join();
        }
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Output {
    /// Asserts the exit code, showing stderr when it differs.
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "exit code; stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }

    /// Asserts success with nothing on stderr.
    pub fn ok(&self) -> &Self {
        self.code(0);
        assert!(self.stderr.is_empty(), "a silent stderr expected, got:\n{}", self.stderr);
        self
    }

    /// Asserts success, and that every stderr line is a warning and one of them says `text`.
    pub fn warns(&self, text: &str) -> &Self {
        self.code(0);
        assert!(self.stderr.contains(text), "stderr lacks {text:?}:\n{}", self.stderr);
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        self
    }

    /// Asserts stderr holds exactly one line, with no panic or backtrace, containing `text`.
    pub fn one_error_line(&self, text: &str) -> &Self {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "expected one stderr line, got:\n{}", self.stderr);
        assert!(lines[0].starts_with("recover: "), "{}", lines[0]);
        assert!(lines[0].contains(text), "stderr {:?} lacks {text:?}", lines[0]);
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        self
    }

    /// Every stdout line parsed as JSON.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }
}

/// Compares `actual` with `tests/expected/NAME`; `UPDATE_EXPECTED=1 cargo test` rewrites it.
pub fn assert_expected(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected").join(name);
    if std::env::var_os("UPDATE_EXPECTED").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, actual).expect("write expected");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}; run UPDATE_EXPECTED=1 cargo test", path.display()));
    assert!(
        expected == actual,
        "{} differs (UPDATE_EXPECTED=1 cargo test rewrites it)\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}
