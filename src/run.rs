//! The process's entry: runs the command, prints an error once, and turns the outcome
//! into the exit code SPEC.md documents. `main.rs` only calls this, so the binary's whole
//! behaviour lives in the library, where tests and the dead-code lint can see it.

use std::io::Write as _;
use std::process::ExitCode;

use crate::drivers::terminal;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::render::safe::one_line;

/// Runs `recover` with this process's arguments and says how it ended.
#[must_use]
pub fn run() -> ExitCode {
    // `COMPLETE=bash recover -- WORDS`, run by the completion script at each <TAB>: print
    // the candidates and exit before anything else runs.
    clap_complete::CompleteEnv::with_factory(<crate::cli::Cli as clap::CommandFactory>::command).complete();
    match crate::commands::run(std::env::args_os()) {
        Ok(exit) => exit.into(),
        // A closed pipe (`recover log | head`) is the reader's choice, not a failure.
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            Exit::Success.into()
        }
        // The interrupt handler is ending the process and saying so: one line, not two.
        Err(Error::Interrupted { .. }) if terminal::ending() => {
            std::thread::sleep(std::time::Duration::from_secs(2));
            Exit::Interrupted.into()
        }
        Err(e) => {
            let term = console::Term::stderr();
            if matches!(e, Error::Interrupted { .. }) && term.is_term() {
                // A prompt hides the cursor and returns on Ctrl-C without showing it again.
                let _ = term.show_cursor();
            }
            let line = match e.hint() {
                // Said in the session's language, as the interrupt handler says it.
                hint if matches!(e, Error::Interrupted { .. }) => terminal::interrupted_line(hint.as_deref()),
                _ => e.line(),
            };
            // Never a panic when standard error is gone with its terminal; an interruption
            // the handler is saying already is not said twice.
            let interrupted = matches!(e, Error::Interrupted { .. });
            if !interrupted || terminal::first_to_say_interrupted() {
                let _ = writeln!(std::io::stderr(), "{}", one_line(&line));
            }
            e.exit().into()
        }
    }
}
