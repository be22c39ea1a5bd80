//! Shell completion in real shells: bash and zsh at a prompt in a pseudo-terminal, fish
//! through its own completion engine (`complete -C`). Types come from the library,
//! incident ids and follow-up steps from the log.

use std::path::Path;
use std::process::Command;

use rexpect::session::{Options, PtySession, spawn_with_options};

use crate::support::{BIN, Test, base_env};

const TAB: &str = "\t";
/// Ctrl-U: throw away the line typed so far (bash and zsh alike).
const KILL_LINE: &str = "\x15";

/// A log with an incident whose two follow-ups are open.
fn world() -> (Test, String) {
    let t = Test::new();
    let out = t.cmd(&["start", "--yes", "--json", "--type", "noise", "--ref", "room 12"]).run();
    let id = out.code(0).json_lines()[0]["id"].as_str().unwrap().to_owned();
    (t, id)
}

/// PATH with the built binary first, as after `cargo install`.
fn path() -> String {
    let bin_dir = Path::new(BIN).parent().unwrap();
    format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default())
}

fn shell(t: &Test, program: &str, args: &[&str]) -> PtySession {
    let mut cmd = Command::new(program);
    cmd.args(args).env_clear().current_dir(t.dir());
    for (k, v) in base_env(t.dir(), &t.log()) {
        cmd.env(k, v);
    }
    cmd.env("PATH", path()).env("TERM", "dumb").env("PS1", "ready> ");
    spawn_with_options(cmd, Options::new().timeout_ms(Some(20_000)).strip_ansi_escape_codes(true))
        .expect("spawn a shell in a pty")
}

/// A shell at its prompt in a pseudo-terminal, with the typed line shown.
struct Prompt {
    p: PtySession,
    /// Commands run so far, for markers no echo of a typed line can match.
    n: u32,
}

impl Prompt {
    /// Runs `line` and waits until it has finished.
    fn run(&mut self, line: &str) {
        self.n += 1;
        let n = self.n;
        // Arithmetic, so that the echo of the typed line does not match too.
        self.p.send_line(&format!("{line}; echo ran-$(({n} * 1000))")).unwrap();
        self.p.exp_string(&format!("ran-{}", n * 1000)).unwrap();
    }

    /// Types `line` and `tabs` TABs; returns what the shell showed until `wanted`, then
    /// throws the line away (the shell reads that only once the completion is over).
    fn tab(&mut self, line: &str, tabs: usize, wanted: &str) -> String {
        self.p.send(line).unwrap();
        for _ in 0..tabs {
            self.p.send(TAB).unwrap();
        }
        self.p.flush().unwrap();
        let shown = self
            .p
            .exp_string(wanted)
            .unwrap_or_else(|e| panic!("completing {line:?}, waiting for {wanted:?}: {e}"));
        self.p.send(KILL_LINE).unwrap();
        self.run("true");
        shown
    }
}

/// Whether the suite runs under libfaketime (.ci/run's second pass): it leaves out the
/// pseudo-terminal tests, which read no clock and once spun there until killed.
pub fn clock_faked() -> bool {
    std::env::var_os("FAKETIME").is_some()
}

/// The three things completed, in an interactive shell whose setup was `setup`.
fn complete_at_a_prompt(t: &Test, id: &str, program: &str, args: &[&str], setup: &str) {
    if clock_faked() {
        return;
    }
    let mut p = Prompt { p: shell(t, program, args), n: 0 };
    // The harness's pseudo-terminal does not echo, and readline then shows nothing typed.
    p.run(&format!("stty echo; {setup}"));
    // An alias of a type, from the library: one candidate, completed on the line.
    let mut shown = p.tab("recover start --type boo", 1, "booking");
    // Every incident of the log for show-incident.
    shown.push_str(&p.tab("recover show-incident ", 2, id));
    // The open follow-ups of the incident named, for done ID <TAB>.
    let steps = p.tab(&format!("recover done {id} "), 2, "tell-what-changed");
    assert!(steps.contains("morning-check"), "{steps}");
    assert!(!shown.contains("panicked") && !steps.contains("error"), "{shown}{steps}");
    p.p.send_line("exit").unwrap();
    p.p.exp_eof().unwrap();
}

#[test]
fn bash_completes_types_incident_ids_and_follow_up_steps() {
    let (t, id) = world();
    complete_at_a_prompt(
        &t,
        &id,
        "bash",
        &["--norc", "--noprofile", "-i"],
        "bind 'set bell-style none'; source <(recover completions bash)",
    );
}

#[test]
#[ignore = "needs zsh; CI runs it with --include-ignored"]
fn zsh_completes_types_incident_ids_and_follow_up_steps() {
    assert!(
        Command::new("zsh").arg("--version").output().is_ok(),
        "zsh is not installed (apt-get install zsh)"
    );
    let (t, id) = world();
    complete_at_a_prompt(
        &t,
        &id,
        "zsh",
        &["-f", "-i"],
        "unsetopt beep; autoload -Uz compinit && compinit -u -D; source <(recover completions zsh)",
    );
}

#[test]
#[ignore = "needs fish; CI runs it with --include-ignored"]
fn fish_completes_types_incident_ids_and_follow_up_steps() {
    assert!(
        Command::new("fish").arg("--version").output().is_ok(),
        "fish is not installed (apt-get install fish)"
    );
    let (t, id) = world();
    let script = format!(
        "recover completions fish | source; complete -C 'recover start --type boo'; echo ==; \
         complete -C 'recover show-incident '; echo ==; complete -C 'recover done {id} '"
    );
    let out = Command::new("fish")
        .args(["--no-config", "-c", &script])
        .env_clear()
        .envs(base_env(t.dir(), &t.log()))
        .env("PATH", path())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&out.stdout).into_owned();
    let parts: Vec<&str> = out.split("==\n").collect();
    assert_eq!(parts.len(), 3, "{out}");
    assert!(parts[0].starts_with("booking\t"), "{out}");
    assert!(parts[1].lines().any(|l| l.starts_with(&format!("{id}\tnoise · room 12"))), "{out}");
    let steps: Vec<&str> = parts[2].lines().filter(|l| !l.starts_with('-')).collect();
    assert_eq!(steps.len(), 2, "the two open follow-ups: {out}");
    assert!(steps[0].starts_with("morning-check\t") && steps[1].starts_with("tell-what-changed\t"), "{out}");
}

#[test]
fn completion_offers_only_what_fits_and_reads_the_log_named_on_the_line() {
    let (t, id) = world();
    let complete = |words: &[&str], log: &Path| {
        let out = Command::new(BIN)
            .arg("--")
            .args(words)
            .env_clear()
            .envs(base_env(t.dir(), log))
            .env("COMPLETE", "fish")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "nothing on stderr while completing");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let elsewhere = t.path("elsewhere/log.db");
    // Not finished, so resume offers it; finished, so it does not.
    assert!(!complete(&["recover", "resume", ""], &t.log()).contains(&id));
    let lower = id.to_lowercase();
    assert!(
        complete(&["recover", "show-incident", &lower], &t.log()).contains(&id),
        "ids match without case"
    );
    // The log named by --log on the line, not RECOVER_LOG; one that is not there is not made.
    let log = t.log();
    let line = ["recover", "--log", log.to_str().unwrap(), "done", &id, ""];
    assert!(complete(&line, &elsewhere).contains("morning-check"));
    assert_eq!(
        complete(&["recover", "done", &id, ""], &elsewhere).lines().filter(|l| !l.starts_with('-')).count(),
        0
    );
    assert!(!elsewhere.exists() && !elsewhere.parent().unwrap().exists(), "completing creates no log");
    // Types from the library named by --playbooks, aliases included.
    let lib = t.copy_playbooks("lib");
    std::fs::write(
        lib.join("noise.yaml"),
        std::fs::read_to_string(lib.join("noise.yaml")).unwrap().replacen("type: noise", "type: din", 1),
    )
    .unwrap();
    let types = complete(&["recover", "--playbooks", lib.to_str().unwrap(), "show", "di"], &t.log());
    assert!(types.lines().any(|l| l.starts_with("din\t")), "{types}");
}
