//! `recover print`: playbooks for training, as text, Markdown or printable HTML.

use std::io::Write;

use crate::cli::{PrintArgs, PrintFormat};
use crate::context::Context;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::playbook::Playbook;
use crate::render::playbook::{Layout, render};

/// Writes the chosen playbooks (all by default) to stdout or `--output`.
pub fn run(ctx: &Context, args: &PrintArgs) -> Result<Exit, Error> {
    let config = &ctx.config;
    let lib = ctx.library()?;
    Context::warn_guest_lang(&lib, args.guest_lang.as_deref());
    let chosen: Vec<&Playbook> = if args.all || args.kinds.is_empty() {
        lib.playbooks.iter().collect()
    } else {
        let mut chosen: Vec<&Playbook> = Vec::new();
        for kind in &args.kinds {
            let pb = lib.find(kind)?;
            // `print reservation booking` names one playbook twice: print it once.
            if !chosen.iter().any(|c| std::ptr::eq(*c, pb)) {
                chosen.push(pb);
            }
        }
        chosen
    };
    let to_file = args.output.is_some();
    let styled = !to_file && config.styled_out;
    let width = if to_file { 80 } else { crate::render::wrap::terminal_width() };
    let layout = Layout { lang: config.lang.value.code(), guest: args.guest_lang.as_deref(), width, styled };
    let doc = match args.format {
        _ if args.card => crate::render::print::cards(&chosen, &lib.policy, &layout, args.paper),
        PrintFormat::Text => {
            chosen.iter().map(|pb| render(pb, &lib.policy, &layout)).collect::<Vec<_>>().join("\n\u{c}\n")
        }
        PrintFormat::Markdown => crate::render::print::markdown(&chosen, &lib.policy, &layout),
        PrintFormat::Html => crate::render::print::html(&chosen, &lib.policy, &layout, args.paper),
    };
    match &args.output {
        Some(path) => std::fs::write(path, doc).map_err(|source| Error::Io {
            action: "write",
            path: path.display().to_string(),
            source,
        })?,
        None => write!(std::io::stdout().lock(), "{doc}").map_err(Error::stdout)?,
    }
    Ok(Exit::Success)
}
