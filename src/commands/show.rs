//! `recover show TYPE`: one playbook, readable in a terminal.

use std::io::Write;

use crate::cli::ShowArgs;
use crate::context::Context;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::render::playbook::{Layout, render};
use crate::render::wrap::terminal_width;

/// Prints the playbook with its words to say set apart.
pub fn run(ctx: &Context, args: &ShowArgs) -> Result<Exit, Error> {
    let config = &ctx.config;
    let lang = config.lang.value.code();
    // With a guest's language the playbook shows two; without, one.
    let lib = match args.guest_lang.as_deref() {
        None => ctx.library_shown(&args.kind, lang)?,
        Some(_) => ctx.library_for(Some(&args.kind))?,
    };
    Context::warn_guest_lang(&lib, args.guest_lang.as_deref());
    let pb = lib.find(&args.kind)?;
    let layout = Layout {
        lang,
        guest: args.guest_lang.as_deref(),
        width: terminal_width(),
        styled: config.styled_out,
    };
    write!(std::io::stdout().lock(), "{}", render(pb, &lib.policy, &layout)).map_err(Error::stdout)?;
    // The process ends next, and the system takes the memory back at once: freeing the
    // playbook string by string would cost `show` a few percent of its start-up.
    std::mem::forget(lib);
    Ok(Exit::Success)
}
