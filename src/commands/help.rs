//! `recover completions SHELL` and `recover man`, generated from the CLI definition.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Error;
use crate::exit_code::Exit;

/// Prints completions for `shell`.
#[must_use]
pub fn completions(shell: clap_complete::Shell) -> Exit {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "recover", &mut std::io::stdout().lock());
    Exit::Success
}

/// Prints the man page in roff.
pub fn man() -> Result<Exit, Error> {
    let page = clap_mangen::Man::new(Cli::command());
    page.render(&mut std::io::stdout().lock())?;
    Ok(Exit::Success)
}
