//! Settings resolved once, before a command runs: flag, then `RECOVER_*` variable, then
//! default. Each remembers where it came from, for `recover paths` and error messages.

use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jiff::tz::TimeZone;

use crate::cli::{ColorChoice, Global};
use crate::error::Error;
use crate::text::Lang;

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// Built in.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(name) => write!(f, "flag {name}"),
            Source::Env(name) => write!(f, "environment {name}"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Clone, Debug)]
pub struct Setting<T> {
    /// The value in force.
    pub value: T,
    /// Where it came from.
    pub source: Source,
}

/// Everything a command needs to know about its surroundings.
#[derive(Clone, Debug)]
pub struct Config {
    /// The playbook folder, `None` for the built-in library.
    pub playbooks: Setting<Option<PathBuf>>,
    /// The log file; `None` when no data directory could be found and none was named.
    pub log: Setting<Option<PathBuf>>,
    /// This desk's site (`--site`, `RECOVER_SITE`), for a shared log on a server.
    pub site: Setting<Option<String>>,
    /// Where a desk's answers wait for the server (a SQLite log beside the default one),
    /// `None` when no data directory could be found.
    pub spool: Option<PathBuf>,
    /// The language for playbook text.
    pub lang: Setting<Lang>,
    /// Colour and box drawing on standard output.
    pub styled_out: bool,
    /// Colour on standard error.
    pub styled_err: bool,
    /// Who is at the keyboard when no `--staff` says: `RECOVER_STAFF`, else the login name
    /// (`USER`); an empty value counts as unset. Resolved here once, so every command that
    /// records a name agrees.
    pub staff: Option<String>,
    /// `RECOVER_ROLE`.
    pub role: Option<String>,
    /// The local time zone, found when first asked for: finding it reads the system's
    /// time-zone database, which commands that show no times (`list`, `show`, `check`)
    /// should not wait for.
    tz: OnceLock<TimeZone>,
}

/// Reads an environment variable, treating empty as unset.
pub type EnvReader<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, empty values as unset.
#[must_use]
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Config {
    /// Resolves the settings from flags, then `env`, then defaults.
    pub fn resolve(global: &Global, env: EnvReader) -> Result<Config, Error> {
        let playbooks = match (&global.playbooks, env("RECOVER_PLAYBOOKS")) {
            (Some(p), _) => Setting { value: Some(p.clone()), source: Source::Flag("--playbooks") },
            (None, Some(p)) => {
                Setting { value: Some(PathBuf::from(p)), source: Source::Env("RECOVER_PLAYBOOKS") }
            }
            (None, None) => Setting { value: None, source: Source::Default },
        };
        let log = match (&global.log, env("RECOVER_LOG")) {
            (Some(p), _) => Setting { value: Some(p.clone()), source: Source::Flag("--log") },
            (None, Some(p)) => Setting { value: Some(PathBuf::from(p)), source: Source::Env("RECOVER_LOG") },
            (None, None) => Setting { value: default_log(env), source: Source::Default },
        };
        let site = match (&global.site, env("RECOVER_SITE")) {
            (Some(s), _) => Setting { value: Some(site_name(s, "--site")?), source: Source::Flag("--site") },
            (None, Some(s)) => {
                Setting { value: Some(site_name(&s, "RECOVER_SITE")?), source: Source::Env("RECOVER_SITE") }
            }
            (None, None) => Setting { value: None, source: Source::Default },
        };
        let lang = match (&global.lang, env("RECOVER_LANG")) {
            (Some(l), _) => Setting { value: Lang::resolve(Some(l), &[]), source: Source::Flag("--lang") },
            (None, Some(l)) => {
                Setting { value: Lang::resolve(Some(&l), &[]), source: Source::Env("RECOVER_LANG") }
            }
            (None, None) => {
                let names = ["LC_ALL", "LC_MESSAGES", "LANG"];
                let found = names.iter().find(|n| env(n).is_some());
                Setting {
                    value: Lang::resolve(None, &names.map(env)),
                    source: found.map_or(Source::Default, |n| Source::Env(n)),
                }
            }
        };
        let no_color = env("NO_COLOR").is_some();
        let styled = |tty: bool| match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color && env("TERM").is_none_or(|t| t != "dumb"),
        };
        Ok(Config {
            playbooks,
            log,
            site,
            spool: default_log(env).map(|p| p.with_file_name("spool.db")),
            lang,
            styled_out: styled(std::io::stdout().is_terminal()),
            styled_err: styled(std::io::stderr().is_terminal()),
            staff: env("RECOVER_STAFF").or_else(|| env("USER")),
            role: env("RECOVER_ROLE"),
            tz: OnceLock::new(),
        })
    }

    /// The local time zone (UTC if it cannot be found).
    #[must_use]
    pub fn tz(&self) -> &TimeZone {
        self.tz.get_or_init(crate::clock::local_zone)
    }

    /// The log file path, or a usage error saying how to name one. A log that names a
    /// PostgreSQL server is refused here, before anything could make a file of that name.
    pub fn log_path(&self) -> Result<&Path, Error> {
        if let Some(server) = crate::server::log_server(self) {
            return Err(crate::server::not_a_file(server).into());
        }
        self.log.value.as_deref().ok_or_else(|| {
            Error::usage(
                "no place for the log: neither HOME nor XDG_DATA_HOME is set",
                "set RECOVER_LOG or pass --log PATH",
            )
        })
    }

    /// The log file on this machine: the log itself, or the spool of a shared log (the guest
    /// secret lives beside it).
    pub fn local_path(&self) -> Result<&Path, Error> {
        if crate::server::log_server(self).is_some() {
            return self.spool.as_deref().ok_or_else(|| {
                Error::usage(
                    "no place for this desk's spool: neither HOME nor XDG_DATA_HOME is set",
                    "set HOME or XDG_DATA_HOME",
                )
            });
        }
        self.log_path()
    }

    /// For a command that reads one site of a shared log (`due --site`): the site named by
    /// `--site` on the command line, if it was, and this config with the desk's own site as
    /// `RECOVER_SITE` alone gives it, so that naming a site to read never records this
    /// desk's waiting incidents for that site when they are pushed on the way. A log file is
    /// one desk's own and has no sites: `--site` there is a usage error.
    pub fn site_to_read(&self, env: EnvReader) -> Result<(Option<String>, Config), Error> {
        if self.site.source != Source::Flag("--site") {
            return Ok((None, self.clone()));
        }
        if crate::server::log_server(self).is_none() {
            return Err(Error::usage(
                "--site: this log is one desk's own, it has no sites",
                "leave out --site; a shared log on a server has sites",
            ));
        }
        let mut desk = self.clone();
        desk.site = match env("RECOVER_SITE") {
            Some(s) => {
                Setting { value: Some(site_name(&s, "RECOVER_SITE")?), source: Source::Env("RECOVER_SITE") }
            }
            None => Setting { value: None, source: Source::Default },
        };
        Ok((self.site.value.clone(), desk))
    }
}

/// A site name as given, trimmed: one line of at most 64 characters, since rows on the
/// server carry it and reports group by it.
fn site_name(s: &str, from: &str) -> Result<String, Error> {
    let name = s.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(Error::usage(
            format!("{from}: a site is a name of 1 to 64 characters on one line"),
            "name this desk's site, e.g. --site oslo-central",
        ));
    }
    Ok(name.to_owned())
}

/// `$XDG_DATA_HOME/recover/log.db` (only an absolute one counts), else
/// `~/.local/share/recover/log.db`.
fn default_log(env: EnvReader) -> Option<PathBuf> {
    let base = env("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| env("HOME").map(|h| Path::new(&h).join(".local/share")))?;
    Some(base.join("recover").join("log.db"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn resolve(args: &[&str], vars: &[(&str, &str)]) -> Config {
        let cli = crate::cli::Cli::parse_from(["recover"].iter().chain(args).chain(&["paths"]));
        // As `process_env` reads: an empty value is unset.
        let env = |n: &str| {
            vars.iter().find(|(k, _)| *k == n).map(|(_, v)| (*v).to_owned()).filter(|v| !v.is_empty())
        };
        Config::resolve(&cli.global, &env).unwrap()
    }

    #[test]
    fn the_staff_name_is_resolved_once_empty_values_unset() {
        assert_eq!(resolve(&[], &[("RECOVER_STAFF", "anna"), ("USER", "u")]).staff.as_deref(), Some("anna"));
        assert_eq!(resolve(&[], &[("RECOVER_STAFF", ""), ("USER", "u")]).staff.as_deref(), Some("u"));
        assert_eq!(resolve(&[], &[("USER", "")]).staff, None);
    }

    #[test]
    fn flag_beats_env_beats_default() {
        let c = resolve(&["--log", "/a.db"], &[("RECOVER_LOG", "/b.db"), ("HOME", "/h")]);
        assert_eq!(c.log.value.as_deref(), Some(Path::new("/a.db")));
        assert_eq!(c.log.source, Source::Flag("--log"));
        let c = resolve(&[], &[("RECOVER_LOG", "/b.db"), ("HOME", "/h")]);
        assert_eq!(c.log.source, Source::Env("RECOVER_LOG"));
        let c = resolve(&[], &[("HOME", "/h")]);
        assert_eq!(c.log.value.as_deref(), Some(Path::new("/h/.local/share/recover/log.db")));
    }

    #[test]
    fn site_from_flag_or_env_and_where_the_spool_goes() {
        let c = resolve(&["--site", " oslo "], &[("RECOVER_SITE", "bergen"), ("HOME", "/h")]);
        assert_eq!((c.site.value.as_deref(), &c.site.source), (Some("oslo"), &Source::Flag("--site")));
        let c = resolve(&[], &[("RECOVER_SITE", "bergen"), ("HOME", "/h")]);
        assert_eq!((c.site.value.as_deref(), &c.site.source), (Some("bergen"), &Source::Env("RECOVER_SITE")));
        assert_eq!(c.spool.as_deref(), Some(Path::new("/h/.local/share/recover/spool.db")));
        let cli = crate::cli::Cli::parse_from(["recover", "--site", "a\nb", "paths"]);
        assert!(Config::resolve(&cli.global, &|_| None).is_err());
    }

    #[test]
    fn a_site_named_to_read_leaves_the_desks_own_for_recording() {
        let vars = [("RECOVER_SITE", "oslo"), ("HOME", "/h")];
        let env = |n: &str| vars.iter().find(|(k, _)| *k == n).map(|(_, v)| (*v).to_owned());
        let c = resolve(&["--log", "postgres://db/recover", "--site", "bergen"], &vars);
        let (only, desk) = c.site_to_read(&env).unwrap();
        assert_eq!(only.as_deref(), Some("bergen"));
        assert_eq!(desk.site.value.as_deref(), Some("oslo"), "waiting incidents stay oslo's");
        let (only, desk) = c.site_to_read(&|_| None).unwrap();
        assert_eq!((only.as_deref(), desk.site.value), (Some("bergen"), None));
        // RECOVER_SITE alone names where this desk records, and picks nothing to read.
        let c = resolve(&["--log", "postgres://db/recover"], &vars);
        assert_eq!(c.site_to_read(&env).unwrap().0, None);
        let c = resolve(&["--site", "bergen"], &vars);
        assert!(c.site_to_read(&env).is_err(), "a log file has no sites");
        let c = resolve(&[], &vars);
        assert_eq!(c.site_to_read(&env).unwrap().0, None);
    }

    #[test]
    fn relative_xdg_is_ignored() {
        let c = resolve(&[], &[("XDG_DATA_HOME", "rel"), ("HOME", "/h")]);
        assert_eq!(c.log.value.as_deref(), Some(Path::new("/h/.local/share/recover/log.db")));
        let c = resolve(&[], &[("XDG_DATA_HOME", "/x")]);
        assert_eq!(c.log.value.as_deref(), Some(Path::new("/x/recover/log.db")));
    }

    #[test]
    fn language_from_locale() {
        let c = resolve(&[], &[("LANG", "et_EE.UTF-8")]);
        assert_eq!(c.lang.value.code(), "et");
        assert_eq!(c.lang.source, Source::Env("LANG"));
        let c = resolve(&["--lang", "da"], &[("RECOVER_LANG", "bn")]);
        assert_eq!(c.lang.value.code(), "da");
    }
}
