//! `recover list`: the playbooks at a glance.

use crate::cli::ListArgs;
use crate::context::Context;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::i18n as ui;
use crate::playbook::{Phase, built_in_listing};
use crate::render::{safe::one_line, table};

/// Prints the library as a table (plain columns when piped) or JSON lines.
pub fn run(ctx: &Context, args: &ListArgs) -> Result<Exit, Error> {
    let config = &ctx.config;
    let lib = ctx.library_for(None)?;
    let lang = config.lang.value.code();
    // The built-in library is listed from its index, without decoding a playbook.
    let rows = if config.playbooks.value.is_none() { built_in_listing(lang) } else { lib.listing(lang) };
    let mut out = super::out::Out::stdout();
    if args.json {
        rows.iter().try_for_each(|row| out.json_line(row))?;
        out.flush()?;
        return Ok(Exit::Success);
    }
    let mut header = vec![ui::t(lang, "col_type"), ui::t(lang, "col_title"), ui::t(lang, "col_aliases")];
    header.extend(Phase::ALL.map(|p| ui::phase(lang, p)));
    let mut t = table::new(config.styled_out, &header);
    for r in &rows {
        let mut row = vec![one_line(r.kind), one_line(r.title), one_line(&r.aliases.join(", "))];
        row.extend(r.steps.map(|n| n.to_string()));
        t.add_row(row);
    }
    out.text(&table::to_text(&t))?;
    out.flush()?;
    Ok(Exit::Success)
}
