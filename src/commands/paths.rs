//! `recover paths`: which library and log are in use, and why.

use std::io::Write;

use crate::config::{Config, Source};
use crate::error::Error;
use crate::exit_code::Exit;
use crate::i18n as ui;
use crate::render::safe::one_line;

/// Where a setting came from, in `lang`.
fn source(lang: &str, source: &Source) -> String {
    match source {
        Source::Flag(name) => ui::f(lang, "source_flag", &[("name", name)]),
        Source::Env(name) => ui::f(lang, "source_env", &[("name", name)]),
        Source::Default => ui::t(lang, "source_default").to_owned(),
    }
}

/// Prints each setting (by its name, as its flag spells it) with its value and where it
/// came from.
pub fn run(config: &Config) -> Result<Exit, Error> {
    let lang = config.lang.value.code();
    let mut out = std::io::stdout().lock();
    let playbooks = config
        .playbooks
        .value
        .as_ref()
        .map_or_else(|| ui::t(lang, "library_built_in").to_owned(), |p| p.display().to_string());
    let log = config
        .log
        .value
        .as_ref()
        .map_or_else(|| format!("({})", ui::t(lang, "paths_no_log")), |p| p.display().to_string());
    writeln!(out, "playbooks  {}  ({})", one_line(&playbooks), source(lang, &config.playbooks.source))?;
    writeln!(out, "log        {}  ({})", one_line(&log), source(lang, &config.log.source))?;
    writeln!(out, "lang       {}  ({})", one_line(lang), source(lang, &config.lang.source))?;
    Ok(Exit::Success)
}
