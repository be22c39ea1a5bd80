//! `recover paths`: which library and log are in use, and why.

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
    let mut out = super::out::Out::stdout();
    let playbooks = config
        .playbooks
        .value
        .as_ref()
        .map_or_else(|| ui::t(lang, "library_built_in").to_owned(), |p| p.display().to_string());
    // A server is shown with its password hidden.
    let log = config.log.value.as_ref().map_or_else(
        || format!("({})", ui::t(lang, "paths_no_log")),
        |p| crate::server::shown(&p.display().to_string(), &crate::config::process_env),
    );
    out.line(format_args!(
        "playbooks  {}  ({})",
        one_line(&playbooks),
        source(lang, &config.playbooks.source)
    ))?;
    out.line(format_args!("log        {}  ({})", one_line(&log), source(lang, &config.log.source)))?;
    if let Some(server) = crate::server::log_server(config) {
        server_lines(&mut out, config, server)?;
    } else if let Some(site) = &config.site.value {
        out.line(format_args!("site       {}  ({})", one_line(site), source(lang, &config.site.source)))?;
    }
    out.line(format_args!("lang       {}  ({})", one_line(lang), source(lang, &config.lang.source)))?;
    out.flush()?;
    Ok(Exit::Success)
}

/// For a log on a server: where its password comes from (never the password), the site this
/// desk records for, and where its answers wait when the server cannot be reached.
fn server_lines(
    out: &mut super::out::Out<impl std::io::Write>,
    config: &Config,
    server: &str,
) -> Result<(), Error> {
    use crate::server::conninfo::PasswordSource;
    if let Ok(info) = crate::server::resolve(server, &crate::config::process_env) {
        let password = match info.password_source {
            None => "none given (the server may not ask for one)",
            Some(PasswordSource::ConnInfo) => "in the connection string (hidden)",
            Some(PasswordSource::Env) => "from PGPASSWORD (hidden)",
            Some(PasswordSource::File) => "from the password file (hidden)",
        };
        out.line(format_args!("password   {password}"))?;
        for w in &info.warnings {
            out.line(format_args!("           warning: {}", one_line(w)))?;
        }
    }
    match &config.site.value {
        Some(site) => {
            out.line(format_args!("site       {}  ({})", one_line(site), config.site.source))?;
        }
        None => out.line(format_args!("site       (none: set RECOVER_SITE or pass --site)"))?,
    }
    let spool = config
        .spool
        .as_ref()
        .map_or("(none: set HOME or XDG_DATA_HOME)".to_owned(), |p| p.display().to_string());
    out.line(format_args!("spool      {}  (default)", one_line(&spool)))?;
    Ok(())
}
