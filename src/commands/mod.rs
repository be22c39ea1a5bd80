//! One module per subcommand, each a thin `run` over the library.

mod check;
mod due;
mod export;
mod help;
mod import;
mod list;
mod log;
mod paths;
mod print;
mod purge;
mod report;
mod schema;
mod show;
mod start;

use std::ffi::OsString;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::config::{Config, process_env};
use crate::error::Error;
use crate::exit_code::Exit;

impl From<std::io::Error> for Error {
    fn from(source: std::io::Error) -> Self {
        Error::Io { action: "write to", path: "standard output".into(), source }
    }
}

/// Parses `args` and runs the command. Clap's own errors (and `--help`) exit here.
pub fn run(args: impl IntoIterator<Item = OsString>) -> Result<Exit, Error> {
    let cli = Cli::try_parse_from(args).unwrap_or_else(|e| {
        // Help and version go to stdout with 0; usage errors to stderr with 2.
        let _ = e.print();
        std::process::exit(if e.use_stderr() { i32::from(Exit::Usage.code()) } else { 0 });
    });
    let config = Config::resolve(&cli.global, &process_env)?;
    console::set_colors_enabled(config.styled_out);
    console::set_colors_enabled_stderr(config.styled_err);
    match cli.command {
        Command::List(a) => list::run(&config, &a),
        Command::Show(a) => show::run(&config, &a),
        Command::Check(a) => check::run(&config, &a),
        Command::Schema => schema::run(),
        Command::Start(a) => start::start(&config, a),
        Command::Resume(a) => start::resume(&config, &a),
        Command::Log(a) => log::log(&config, &a),
        Command::ShowIncident(a) => log::show_incident(&config, &a),
        Command::Due(a) => due::due(&config, &a),
        Command::Done(a) => due::done(&config, a),
        Command::Report(a) => report::run(&config, &a),
        Command::Export(a) => export::run(&config, &a),
        Command::Import(a) => import::run(&config, &a),
        Command::Purge(a) => purge::run(&config, &a),
        Command::Print(a) => print::run(&config, &a),
        Command::Paths => paths::run(&config),
        Command::Completions(a) => help::completions(a.shell),
        Command::Man => help::man(),
    }
}
