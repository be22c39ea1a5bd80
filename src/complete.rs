//! Shell completion from what is really there: playbook types and aliases from the
//! library in use, incident ids and follow-up steps from the log. clap_complete's dynamic
//! completion calls back into the binary at each <TAB> (`COMPLETE=bash recover -- WORDS`);
//! `recover completions SHELL` prints the script that does so.
//!
//! Completers only read: a log that is not there is not created, and anything that goes
//! wrong (no log, a broken library) completes nothing rather than printing an error into
//! the user's command line.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use clap_complete::engine::CompletionCandidate;

use crate::cli::{ColorChoice, Global};
use crate::config::{Config, process_env};
use crate::engine::Status;
use crate::playbook::{Library, built_in_listing};
use crate::store::{Filter, SqliteStore, Store};

/// Most incidents offered at once: a shell shows a few screens at most, and a log of a
/// million incidents must still complete at once.
const MOST: usize = 200;

/// The words of the command line being completed (the shell passes them after `--`),
/// without the program's name; empty when not completing.
fn words() -> Vec<OsString> {
    let mut args = std::env::args_os().skip_while(|a| a != "--");
    args.next();
    args.skip(1).collect()
}

/// The value of global option `--name` on the line being completed (`--name V` or
/// `--name=V`).
fn option(words: &[OsString], name: &str) -> Option<PathBuf> {
    let eq = format!("{name}=");
    let mut it = words.iter();
    while let Some(w) = it.next() {
        let w = w.to_string_lossy();
        if w == name {
            return it.next().map(PathBuf::from);
        }
        if let Some(v) = w.strip_prefix(&eq) {
            return Some(PathBuf::from(v));
        }
    }
    None
}

/// The settings the line being completed would run with: its `--playbooks`, `--log` and
/// `--lang`, else the environment, as a real run resolves them.
fn config() -> Option<Config> {
    let words = words();
    let global = Global {
        playbooks: option(&words, "--playbooks"),
        log: option(&words, "--log"),
        lang: option(&words, "--lang").map(|p| p.to_string_lossy().into_owned()),
        color: ColorChoice::Never,
        site: option(&words, "--site").map(|p| p.to_string_lossy().into_owned()),
    };
    Config::resolve(&global, &process_env).ok()
}

/// The log, if there is one: never created by completing.
fn store() -> Option<SqliteStore> {
    let config = config()?;
    let path = config.log_path().ok()?;
    if !path.is_file() {
        return None;
    }
    SqliteStore::open(path).ok()
}

/// Whether `value` completes `current` (ids are matched without case, as commands do).
fn completes(value: &str, current: &OsStr) -> bool {
    let current = current.to_string_lossy().to_lowercase();
    value.to_lowercase().starts_with(&current)
}

fn candidate(value: &str, help: String) -> CompletionCandidate {
    CompletionCandidate::new(value).help(Some(help.into()))
}

/// Playbook types and their aliases, from the library in use (`--playbooks`,
/// `RECOVER_PLAYBOOKS`, else the built-in one), each with its title.
#[must_use]
pub fn types(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(config) = config() else { return Vec::new() };
    let lang = config.lang.value.code();
    let lib = match &config.playbooks.value {
        Some(dir) => match Library::from_dir(dir) {
            Ok(lib) => Some(lib),
            Err(_) => return Vec::new(),
        },
        None => None,
    };
    let listing = match &lib {
        Some(lib) => lib.listing(lang),
        None => built_in_listing(lang),
    };
    let mut out = Vec::new();
    for l in &listing {
        if completes(l.kind, current) {
            out.push(candidate(l.kind, l.title.to_owned()));
        }
        for alias in &l.aliases {
            if completes(alias, current) {
                out.push(candidate(alias, format!("{} ({})", l.title, l.kind)));
            }
        }
    }
    out
}

/// Incidents of the log matching `filter` for which `keep` holds, newest first, each with
/// its type, reference and status.
fn incidents(
    current: &OsStr,
    filter: &Filter,
    keep: fn(&crate::store::Listed) -> bool,
) -> Vec<CompletionCandidate> {
    let Some(store) = store() else { return Vec::new() };
    let mut out = Vec::new();
    let _ = store.scan_listed(filter, &mut |i| {
        if keep(&i) && completes(&i.id, current) {
            let reference = i.reference.as_deref().map(|r| format!(" · {r}")).unwrap_or_default();
            out.push(candidate(&i.id, format!("{}{reference} · {}", i.kind, i.status.key())));
        }
        out.len() < MOST
    });
    out
}

/// Every incident (`show-incident`).
#[must_use]
pub fn any_incident(current: &OsStr) -> Vec<CompletionCandidate> {
    incidents(current, &Filter::default(), |_| true)
}

/// Unfinished incidents (`resume`, `abandon`).
#[must_use]
pub fn unfinished(current: &OsStr) -> Vec<CompletionCandidate> {
    let open = Filter { open: true, ..Filter::default() };
    incidents(current, &open, |i| i.status == Status::InProgress)
}

/// Incidents with a follow-up still open (`done ID`).
#[must_use]
pub fn with_open_follow_up(current: &OsStr) -> Vec<CompletionCandidate> {
    let open = Filter { open: true, ..Filter::default() };
    incidents(current, &open, |i| i.open_follow_ups > 0)
}

/// The open follow-ups of the incident named before the step (`done ID <TAB>`).
#[must_use]
pub fn open_steps(current: &OsStr) -> Vec<CompletionCandidate> {
    let words = words();
    let Some(id) = first_operand_after(&words, "done") else { return Vec::new() };
    let Some(store) = store() else { return Vec::new() };
    let Ok(incident) = store.get(&id) else { return Vec::new() };
    incident
        .follow_ups
        .iter()
        .filter(|f| f.done_at.is_none() && completes(&f.step, current))
        .map(|f| candidate(&f.step, format!("due {}", crate::clock::rfc3339::stamp(&f.due))))
        .collect()
}

/// Options that take a value, so their values are not taken for operands.
const TAKES_VALUE: [&str; 8] =
    ["--playbooks", "--log", "--lang", "--color", "--note", "--outcome", "--staff", "--type"];

/// The first operand after subcommand `command` on the line.
fn first_operand_after(words: &[OsString], command: &str) -> Option<String> {
    let mut it = words.iter().map(|w| w.to_string_lossy());
    let mut seen = false;
    while let Some(w) = it.next() {
        if TAKES_VALUE.contains(&w.as_ref()) {
            it.next();
        } else if !w.starts_with('-') {
            if seen {
                return Some(w.into_owned());
            }
            seen = w == command;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    fn words(s: &str) -> Vec<OsString> {
        s.split(' ').map(OsString::from).collect()
    }

    #[test]
    fn the_incident_of_done_is_its_first_operand() {
        let find = |s: &str| super::first_operand_after(&words(s), "done");
        assert_eq!(find("--log x.db done K7Q-4MX ").as_deref(), Some("K7Q-4MX"));
        assert_eq!(find("done --staff done K7Q-4MX").as_deref(), Some("K7Q-4MX"));
        assert_eq!(find("--log done done ABC").as_deref(), Some("ABC"));
        assert_eq!(find("log").as_deref(), None);
    }

    #[test]
    fn global_options_are_read_from_the_line() {
        assert_eq!(super::option(&words("--log a.db done"), "--log"), Some("a.db".into()));
        assert_eq!(super::option(&words("done --log=b.db"), "--log"), Some("b.db".into()));
        assert_eq!(super::option(&words("done"), "--log"), None);
    }
}
