//! The command line parsed with only the subcommand it names built.
//!
//! clap's derive builds every subcommand with all its arguments before it reads one word:
//! about a third of what `recover list` costs, and the heap it touches to do so (each
//! page a fault when the process starts). Here the top level's options and the one
//! subcommand named are built and parsed as the derived parser would parse them. Anything
//! this does not handle the same way (help, version, an unknown word, any error) returns
//! `None`, and the whole derived parser then runs and says what it says today.

use std::ffi::OsString;

use clap::{Args, FromArgMatches};

use super::{
    AbandonArgs, CheckArgs, Cli, CompletionsArgs, DoneArgs, DrillArgs, DueArgs, ExportArgs, Global,
    ImportArgs, ListArgs, LogArgs, PrintArgs, PurgeArgs, ReportArgs, ResumeArgs, ServerArgs, ShowArgs,
    ShowIncidentArgs, StartArgs, SyncArgs,
};

/// Adds a subcommand's arguments to its (bare) command.
type Augment = fn(clap::Command) -> clap::Command;

/// Every subcommand by name, with what adds its arguments: the variants of
/// [`super::Command`] (the test `every_subcommand_is_built_as_the_derive_builds_it` keeps
/// the two the same).
const SUBCOMMANDS: &[(&str, Augment)] = &[
    ("list", ListArgs::augment_args),
    ("show", ShowArgs::augment_args),
    ("check", CheckArgs::augment_args),
    ("schema", none),
    ("start", StartArgs::augment_args),
    ("resume", ResumeArgs::augment_args),
    ("log", LogArgs::augment_args),
    ("show-incident", ShowIncidentArgs::augment_args),
    ("due", DueArgs::augment_args),
    ("done", DoneArgs::augment_args),
    ("abandon", AbandonArgs::augment_args),
    ("report", ReportArgs::augment_args),
    ("export", ExportArgs::augment_args),
    ("import", ImportArgs::augment_args),
    ("purge", PurgeArgs::augment_args),
    ("print", PrintArgs::augment_args),
    ("drill", DrillArgs::augment_args),
    ("paths", none),
    ("sync", SyncArgs::augment_args),
    ("server", ServerArgs::augment_args),
    ("completions", CompletionsArgs::augment_args),
    ("man", none),
];

/// A subcommand without arguments of its own.
fn none(c: clap::Command) -> clap::Command {
    c
}

/// The top level: its options alone, as the derive declares them, and the settings of
/// [`Cli`] that change what a subcommand accepts.
fn top() -> clap::Command {
    Global::augment_args(clap::Command::new("recover"))
        .version(env!("CARGO_PKG_VERSION"))
        .propagate_version(true)
}

/// The subcommand `args` name (after any top-level options), if nothing before it needs the
/// whole parser.
fn named(args: &[OsString]) -> Option<&str> {
    let top = top();
    let mut words = args.iter().skip(1);
    while let Some(word) = words.next() {
        let word = word.to_str()?;
        if let Some(long) = word.strip_prefix("--") {
            let arg = top.get_arguments().find(|a| a.get_long() == Some(long));
            // `--log PATH`: the value is the next word; `--log=PATH` holds it.
            match arg {
                Some(a) if a.get_action().takes_values() => {
                    words.next()?;
                }
                Some(_) => {}
                None if long.contains('=') => {}
                None => return None,
            }
        } else if word.starts_with('-') {
            return None;
        } else {
            return Some(word);
        }
    }
    None
}

/// `args` parsed with only the subcommand they name built; `None` for whatever the whole
/// parser must see (help, version, no subcommand, an error of any kind).
pub fn parse(args: &[OsString]) -> Option<Cli> {
    if args.iter().any(|a| matches!(a.to_str(), Some("-h" | "--help" | "-V" | "--version" | "help"))) {
        return None;
    }
    let name = named(args)?;
    let (name, augment) = SUBCOMMANDS.iter().find(|(n, _)| *n == name)?;
    let command = top().subcommand(augment(clap::Command::new(*name)));
    let matches = command.try_get_matches_from(args).ok()?;
    Cli::from_arg_matches(&matches).ok()
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn every_subcommand_is_built_as_the_derive_builds_it() {
        let mut full = Cli::command();
        full.build();
        // clap adds `help` of its own when it builds.
        let derived: Vec<&clap::Command> =
            full.get_subcommands().filter(|s| s.get_name() != "help").collect();
        let names: Vec<&str> = derived.iter().map(|s| s.get_name()).collect();
        assert_eq!(names, SUBCOMMANDS.iter().map(|(n, _)| *n).collect::<Vec<_>>());
        let mut quick = top();
        for (name, augment) in SUBCOMMANDS {
            quick = quick.subcommand(augment(clap::Command::new(*name)));
        }
        quick.build();
        for (derived, built) in derived.into_iter().zip(quick.get_subcommands()) {
            let args = |c: &clap::Command| format!("{:?}", c.get_arguments().collect::<Vec<_>>());
            let subs = |c: &clap::Command| c.get_subcommands().map(|s| format!("{s:?}")).collect::<Vec<_>>();
            assert_eq!(args(built), args(derived), "{}", derived.get_name());
            assert_eq!(subs(built), subs(derived), "{}", derived.get_name());
        }
    }

    #[test]
    fn parses_what_the_derived_parser_parses() {
        for line in [
            "recover list",
            "recover --lang bn list --json",
            "recover --log=/tmp/x.db show reservation",
            "recover --log /tmp/x.db --color never due --within 2h",
            "recover start --type reservation --yes --staff anna",
            "recover report --since 30d --csv",
            "recover server check",
            "recover show-incident K7Q-4MX",
            "recover paths",
        ] {
            let args = os(&line.split(' ').collect::<Vec<_>>());
            let quick = parse(&args).unwrap_or_else(|| panic!("{line}"));
            let derived = Cli::try_parse_from(&args).unwrap();
            assert_eq!(format!("{quick:?}"), format!("{derived:?}"), "{line}");
        }
    }

    #[test]
    fn leaves_help_version_and_errors_to_the_derived_parser() {
        for line in [
            "recover",
            "recover --help",
            "recover list -h",
            "recover help list",
            "recover --version",
            "recover lsit",
            "recover list --nonsense",
            "recover -x list",
            "recover --log",
            "recover start --type",
        ] {
            assert!(parse(&os(&line.split(' ').collect::<Vec<_>>())).is_none(), "{line}");
        }
    }
}
