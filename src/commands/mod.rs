//! One module per subcommand, each a thin `run` over the library.

mod abandon;
mod check;
mod completions;
mod drill;
mod drill_results;
mod due;
mod export;
mod import;
mod import_input;
mod jsonl;
mod list;
mod log;
mod man;
mod out;
mod paths;
mod print;
mod purge;
mod report;
mod schema;
mod server;
mod show;
mod start;
mod sync;

use std::ffi::OsString;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::config::{Config, process_env};
use crate::context::Context;
use crate::error::Error;
use crate::exit_code::Exit;

/// Parses `args` and runs the command. Clap's own errors (and `--help`) exit here.
pub fn run(args: impl IntoIterator<Item = OsString>) -> Result<Exit, Error> {
    let args: Vec<OsString> = args.into_iter().collect();
    let parsed = crate::cli::quick::parse(&args).map_or_else(|| Cli::try_parse_from(&args), Ok);
    let cli = match parsed {
        Ok(cli) => cli,
        // Help and version go to stdout with 0; a bare `recover` shows help on stderr.
        Err(e)
            if !e.use_stderr()
                || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            let _ = e.print();
            return Ok(if e.use_stderr() { Exit::Usage } else { Exit::Success });
        }
        Err(e) => return Err(usage_error(&e)),
    };
    let config = Config::resolve(&cli.global, &process_env)?;
    crate::drivers::terminal::set_ui_lang(config.lang.value.code());
    console::set_colors_enabled(config.styled_out);
    console::set_colors_enabled_stderr(config.styled_err);
    let ctx = &Context::new(config);
    match cli.command {
        Command::List(a) => list::run(ctx, &a),
        Command::Show(a) => show::run(ctx, &a),
        Command::Check(a) => check::run(ctx, &a),
        Command::Schema => schema::run(),
        Command::Start(a) => start::start(ctx, a),
        Command::Resume(a) => start::resume(ctx, &a),
        Command::Log(a) => log::log(ctx, &a),
        Command::ShowIncident(a) => log::show_incident(ctx, &a),
        Command::Due(a) => due::due(ctx, &a),
        Command::Done(a) => due::done(ctx, a),
        Command::Abandon(a) => abandon::run(ctx, &a),
        Command::Report(a) => report::run(ctx, &a),
        Command::Export(a) => export::run(ctx, &a),
        Command::Sync(a) => sync::run(&ctx.config, &a),
        Command::Import(a) => import::run(ctx, &a),
        Command::Purge(a) => purge::run(ctx, &a),
        Command::Print(a) => print::run(ctx, &a),
        Command::Drill(a) => drill::run(ctx, &a),
        Command::Paths => paths::run(&ctx.config),
        Command::Server(a) => server::run(&ctx.config, &a),
        Command::Completions(a) => completions::run(a.shell),
        Command::Man => man::run(),
    }
}

/// A flag error as one line, like every other error: clap's message, the values it would
/// take, and where to read more.
fn usage_error(e: &clap::Error) -> Error {
    let rendered = e.render().to_string();
    let mut parts: Vec<&str> = Vec::new();
    for line in rendered.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("Usage:") || line.starts_with("For more information") {
            continue;
        }
        parts.push(line.strip_prefix("error: ").unwrap_or(line));
    }
    Error::usage(parts.join(" "), "see `recover --help`, or `recover COMMAND --help`")
}
