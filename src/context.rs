//! What a command opens: the playbook library and the log, each when first asked for, with
//! the warnings opening them prints. [`Config`] holds only the resolved settings.

use std::cell::Cell;

use crate::config::{Config, Source};
use crate::error::Error;
use crate::playbook::Library;
use crate::store::{SqliteStore, Store};

/// A command's settings and what it may open with them.
pub struct Context {
    /// The settings, resolved.
    pub config: Config,
    /// Whether the library's warnings have been said.
    library_warned: Cell<bool>,
}

impl Context {
    /// Opens nothing yet.
    #[must_use]
    pub fn new(config: Config) -> Context {
        Context { config, library_warned: Cell::new(false) }
    }

    /// The playbook library in force. Broken files are warned about on stderr, one line
    /// each, and the rest still work.
    pub fn library(&self) -> Result<Library, Error> {
        self.warned(self.library_quiet()?)
    }

    /// The library as [`library`](Self::library) gives it, for a command that needs only the
    /// playbook `name` names (`None`: only the policy, for `list`, which reads the built-in
    /// index). From the built-in library only that much is decoded; a folder is read whole.
    pub fn library_for(&self, name: Option<&str>) -> Result<Library, Error> {
        self.site_library(match &self.config.playbooks.value {
            None => Library::built_in_for(name),
            Some(dir) => Library::from_dir(dir)?,
        })
    }

    /// [`library_for`](Self::library_for) the playbook `name`, for a command that shows
    /// its text in `lang` alone: the built-in playbook is decoded in that language only.
    pub fn library_shown(&self, name: &str, lang: &str) -> Result<Library, Error> {
        self.site_library(match &self.config.playbooks.value {
            None => Library::built_in_shown(name, lang),
            Some(dir) => Library::from_dir(dir)?,
        })
    }

    /// `lib` warned about and as this site has it.
    fn site_library(&self, lib: Library) -> Result<Library, Error> {
        Ok(self.warned(lib)?.for_site(self.config.site.value.as_deref()))
    }

    /// What follow-up `step` of playbook `kind` asks, in `lang` (empty when the library has
    /// no such step): from the built-in library's index without decoding a playbook, or
    /// from `lib`, a library folder's (see [`Context::library_for_follow_ups`]).
    #[must_use]
    pub fn follow_up_action(&self, lib: Option<&Library>, kind: &str, step: &str, lang: &str) -> String {
        let found = match (&self.config.playbooks.value, lib) {
            (None, _) => crate::playbook::built_in_follow_up_action(kind, step, lang),
            (Some(_), Some(lib)) => {
                lib.find(kind).ok().and_then(|pb| pb.step(step)).map(|(_, s)| s.action.get(lang))
            }
            (Some(_), None) => None,
        };
        found.unwrap_or_default().to_owned()
    }

    /// The library `due` looks follow-ups up in: none for the built-in one, whose index
    /// says what each asks; a folder's, quietly, read whole.
    pub fn library_for_follow_ups(&self) -> Option<Library> {
        let dir = self.config.playbooks.value.as_ref()?;
        Library::from_dir(dir).ok()
    }

    /// `lib`, once its warnings are on stderr; an error if its policy is broken.
    fn warned(&self, lib: Library) -> Result<Library, Error> {
        if let Some(p) = lib.broken_policy() {
            return Err(Error::usage(
                format!("the policy {} is broken: line {}: {}", p.file, p.pos.line, p.message),
                "fix it before recording anything; `recover check` lists every problem",
            ));
        }
        // A command that opens the library twice (a report's table, then its labels) says
        // what is wrong with it once.
        if self.library_warned.replace(true) {
            return Ok(lib);
        }
        let code = self.config.lang.value.code();
        let asked = matches!(self.config.lang.source, Source::Flag(_) | Source::Env("RECOVER_LANG"));
        if asked && !crate::i18n::LANGUAGES.contains(&code) && !lib.policy.languages.iter().any(|l| l == code)
        {
            eprintln!(
                "recover: warning: no text in language `{}`; showing English (languages: {})",
                crate::render::safe::clean(code),
                crate::i18n::LANGUAGES.join(", ")
            );
        }
        if let Some(p) = lib.borrowed_policy() {
            eprintln!(
                "recover: warning: {}: {}",
                crate::render::safe::clean(&p.file),
                crate::render::safe::clean(&p.message)
            );
        }
        for line in lib.broken_files() {
            eprintln!("recover: warning: {}", crate::render::safe::clean(&line));
        }
        Ok(lib)
    }

    /// Warns, as for `--lang`, when `--guest-lang` names a language the library has no
    /// text in: the guest's words would be left out without a word.
    pub fn warn_guest_lang(lib: &Library, guest: Option<&str>) {
        let Some(code) = guest else { return };
        let known: Vec<&str> = crate::i18n::LANGUAGES
            .iter()
            .copied()
            .chain(
                lib.policy
                    .languages
                    .iter()
                    .map(String::as_str)
                    .filter(|l| !crate::i18n::LANGUAGES.contains(l)),
            )
            .collect();
        if !known.contains(&code) {
            eprintln!(
                "recover: warning: no text in language `{}` for --guest-lang; the guest's words are not shown (languages: {})",
                crate::render::safe::clean(code),
                known.join(", ")
            );
        }
    }

    /// The library, without warnings, as this desk's site sees it (its emergency number,
    /// its money).
    pub fn library_quiet(&self) -> Result<Library, Error> {
        Ok(self.library_as_written()?.for_site(self.config.site.value.as_deref()))
    }

    /// The library as its files say, placeholders unfilled and amounts in the policy's own
    /// currency: for `check`, which reports everything itself and checks every site.
    pub fn library_as_written(&self) -> Result<Library, Error> {
        Ok(match &self.config.playbooks.value {
            None => Library::built_in(),
            Some(dir) => Library::from_dir(dir)?,
        })
    }

    /// Opens the log, creating it if need be. A log others could read (made by an older
    /// version, or copied in) is made private once it is known to be a log (and with it the
    /// files SQLite keeps beside it), and a line on stderr says so.
    pub fn store(&self) -> Result<Box<dyn Store>, Error> {
        if let Some(server) = crate::server::log_server(&self.config) {
            return self.shared(server, true);
        }
        let path = self.config.log_path()?;
        let store = SqliteStore::open(path)?;
        // Failing is not an error: a log on read-only media cannot be changed, but can be read.
        if let Ok(Some(mode)) = crate::store::make_private(path) {
            eprintln!(
                "recover: warning: the log {} was readable by others (mode {mode:o}); it is now private to you (600)",
                crate::render::safe::clean(&path.display().to_string())
            );
        }
        Ok(Box::new(store))
    }

    /// The shared log on `server`, through this desk's spool.
    fn shared(&self, server: &str, for_writing: bool) -> Result<Box<dyn Store>, Error> {
        #[cfg(feature = "postgres")]
        return Ok(Box::new(crate::server::open_shared(&self.config, server, for_writing)?));
        #[cfg(not(feature = "postgres"))]
        {
            let _ = for_writing;
            Err(crate::server::not_a_file(server).into())
        }
    }

    /// The log for commands that only read it. A log that does not exist yet is read as
    /// empty and not created, so a mistyped `--log` does not leave files about; a line on
    /// stderr says so.
    pub fn store_to_read(&self) -> Result<Box<dyn Store>, Error> {
        if let Some(server) = crate::server::log_server(&self.config) {
            return self.shared(server, false);
        }
        let path = self.config.log_path()?;
        // A link whose target is gone is refused by the store, not read as empty.
        if path.exists() || path.is_symlink() {
            return self.store();
        }
        eprintln!(
            "recover: warning: no log at {} yet; nothing has been recorded there",
            crate::render::safe::clean(&path.display().to_string())
        );
        Ok(Box::new(SqliteStore::in_memory()?))
    }

    /// The log for a check that signs something off (`due --check`): a log that is not
    /// there is an error, never an empty log that passes (a mistyped `RECOVER_LOG` in a
    /// shift-close script must fail it).
    pub fn store_to_check(&self) -> Result<Box<dyn Store>, Error> {
        if let Some(server) = crate::server::log_server(&self.config) {
            return self.shared(server, false);
        }
        let path = self.config.log_path()?;
        if path.exists() || path.is_symlink() {
            return self.store();
        }
        Err(Error::Store(crate::store::StoreError::Access {
            path: path.to_path_buf(),
            why: "there is no log there, so nothing can be checked".to_owned(),
        }))
    }
}
