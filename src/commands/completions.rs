//! `recover completions SHELL`, generated from the CLI definition.

use std::io::Write;

use crate::error::Error;
use crate::exit_code::Exit;

/// Prints the completion script for `shell`: clap_complete's dynamic registration, the
/// same as `COMPLETE=SHELL recover` prints, which calls back into `recover` at each <TAB>
/// so that types, incident ids and follow-up steps come from the library and the log.
/// It is made in memory first, so a closed pipe (`| head`) is no reason to fail.
pub fn run(shell: clap_complete::Shell) -> Result<Exit, Error> {
    use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};
    let completer: &dyn EnvCompleter = match shell {
        clap_complete::Shell::Bash => &Bash,
        clap_complete::Shell::Elvish => &Elvish,
        clap_complete::Shell::Fish => &Fish,
        clap_complete::Shell::PowerShell => &Powershell,
        // Shell is non-exhaustive; zsh and any shell added later get zsh's script.
        _ => &Zsh,
    };
    let mut script = Vec::new();
    completer
        .write_registration("COMPLETE", "recover", "recover", &program(), &mut script)
        .map_err(Error::stdout)?;
    std::io::stdout().lock().write_all(&script).map_err(Error::stdout)?;
    Ok(Exit::Success)
}

/// How the script calls `recover` back: as it was called now (`recover` from PATH, or the
/// path it was run by, made absolute so that it works from any folder).
fn program() -> String {
    let arg0 = std::env::args_os().next().map_or_else(|| "recover".into(), std::path::PathBuf::from);
    let path = if arg0.components().count() > 1 {
        std::env::current_dir().map(|d| d.join(&arg0)).unwrap_or(arg0)
    } else {
        arg0
    };
    path.to_string_lossy().into_owned()
}
