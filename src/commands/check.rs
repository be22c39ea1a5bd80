//! `recover check [PATH...]`: every problem in the playbooks and policy.

use std::io::Write;

use crate::cli::CheckArgs;
use crate::context::Context;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::i18n as ui;
use crate::playbook::{Level, Library, Origin};
use crate::render::safe::one_line;

/// Prints every problem as `file:line:col: message`; exit 1 if any is an error.
pub fn run(ctx: &Context, args: &CheckArgs) -> Result<Exit, Error> {
    let config = &ctx.config;
    let lib =
        if args.paths.is_empty() { ctx.library_as_written()? } else { Library::from_paths(&args.paths)? };
    let mut out = std::io::stdout().lock();
    for p in &lib.problems {
        writeln!(out, "{}", one_line(&p.to_string())).map_err(Error::stdout)?;
    }
    let errors = lib.problems.iter().filter(|p| p.level == Level::Error).count();
    let warnings = lib.problems.len() - errors;
    let lang = config.lang.value.code();
    let origin = match &lib.origin {
        Origin::BuiltIn => ui::t(lang, "library_built_in").to_owned(),
        files @ Origin::Files(_) => one_line(&files.to_string()),
    };
    eprintln!(
        "recover: {}; {}, {}",
        ui::n(lang, "check_usable", lib.playbooks.len(), &[("origin", &origin)]),
        ui::n(lang, "check_errors", errors, &[]),
        ui::n(lang, "check_warnings", warnings, &[])
    );
    let code = if errors > 0 { Exit::NotInOrder } else { Exit::Success };
    // The process ends next and the system takes the memory back at once: freeing hundreds
    // of playbooks string by string, on this thread, was a tenth of `check`'s critical path.
    std::mem::forget(lib);
    Ok(code)
}
