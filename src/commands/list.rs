//! `recover list`: the playbooks at a glance.

use std::io::Write;

use serde::Serialize;

use crate::cli::ListArgs;
use crate::config::Config;
use crate::error::Error;
use crate::exit_code::Exit;
use crate::i18n as ui;
use crate::playbook::Phase;
use crate::render::{safe::one_line, table};

#[derive(Serialize)]
struct Row<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    aliases: &'a [String],
    steps: [usize; 4],
}

/// Prints the library as a table (plain columns when piped) or JSON lines.
pub fn run(config: &Config, args: &ListArgs) -> Result<Exit, Error> {
    let lib = config.library()?;
    let lang = config.lang.value.code();
    let mut out = std::io::stdout().lock();
    if args.json {
        for pb in &lib.playbooks {
            let row = Row {
                kind: &pb.kind,
                title: pb.title.get(lang),
                aliases: &pb.aliases,
                steps: Phase::ALL.map(|p| pb.phases.steps(p).len()),
            };
            writeln!(out, "{}", serde_json::to_string(&row).unwrap_or_default())?;
        }
        return Ok(Exit::Success);
    }
    let mut header = vec![ui::t(lang, "col_type"), ui::t(lang, "col_title"), ui::t(lang, "col_aliases")];
    header.extend(Phase::ALL.map(|p| ui::phase(lang, p)));
    let mut t = table::new(config.styled_out, &header);
    for pb in &lib.playbooks {
        let mut row =
            vec![one_line(&pb.kind), one_line(pb.title.get(lang)), one_line(&pb.aliases.join(", "))];
        row.extend(Phase::ALL.map(|p| pb.phases.steps(p).len().to_string()));
        t.add_row(row);
    }
    write!(out, "{}", table::to_text(&t))?;
    Ok(Exit::Success)
}
