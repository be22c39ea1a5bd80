//! `recover completions SHELL` and `recover man`, generated from the CLI definition.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Error;
use crate::exit_code::Exit;

/// Prints completions for `shell`. They are made in memory first: clap_complete panics
/// when its writer fails, and a closed pipe (`| head`) is no reason to.
pub fn completions(shell: clap_complete::Shell) -> Result<Exit, Error> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "recover", &mut script);
    std::io::stdout().lock().write_all(&script)?;
    Ok(Exit::Success)
}

/// Prints the man page in roff.
pub fn man() -> Result<Exit, Error> {
    let page = clap_mangen::Man::new(Cli::command());
    page.render(&mut std::io::stdout().lock())?;
    Ok(Exit::Success)
}
