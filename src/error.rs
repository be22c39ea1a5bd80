//! Errors as the user sees them: one line, what is wrong and what to do, and the exit code.

use crate::engine::Rule;
use crate::exit_code::Exit;
use crate::playbook::ReadError;
use crate::playbook::UnknownType;
use crate::store::StoreError;

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad flags or values the user gave.
    #[error("{what}")]
    Usage {
        /// What is wrong.
        what: String,
        /// What to do.
        hint: Option<String>,
    },
    /// `--type` named no playbook.
    #[error(transparent)]
    UnknownType(#[from] UnknownType),
    /// A playbook folder could not be read.
    #[error(transparent)]
    Library(#[from] ReadError),
    /// The log failed.
    #[error(transparent)]
    Store(StoreError),
    /// The shared log's server failed, or cannot be used.
    #[error(transparent)]
    Server(#[from] crate::server::ServerError),
    /// An answer broke a rule of the recovery.
    #[error(transparent)]
    Rule(#[from] Rule),
    /// An answers or import file has problems; each was printed already.
    #[error("{file}: {count} problem(s); nothing was recorded")]
    BadInput {
        /// The file.
        file: String,
        /// How many problems were printed.
        count: usize,
    },
    /// A file could not be read or written.
    #[error("cannot {action} {path}: {}", io_reason(source))]
    Io {
        /// Read or write.
        action: &'static str,
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// The user pressed Ctrl-C.
    #[error("interrupted")]
    Interrupted {
        /// How to pick up again, if anything was recorded.
        resume: Option<String>,
    },
}

impl Error {
    /// A usage error with advice.
    #[must_use]
    pub fn usage(what: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Usage { what: what.into(), hint: Some(hint.into()) }
    }

    /// The exit code SPEC.md gives this error.
    #[must_use]
    pub fn exit(&self) -> Exit {
        match self {
            Error::Rule(rule) if rule.is_not_in_order() => Exit::NotInOrder,
            Error::Usage { .. } | Error::UnknownType(_) | Error::Rule(_) | Error::BadInput { .. } => {
                Exit::Usage
            }
            Error::Store(e) if e.is_usage() => Exit::Usage,
            Error::Server(e) if e.is_usage() => Exit::Usage,
            Error::Library(_) | Error::Store(_) | Error::Server(_) | Error::Io { .. } => Exit::Environment,
            Error::Interrupted { .. } => Exit::Interrupted,
        }
    }

    /// Writing to standard output failed (a closed pipe, a full disk behind a redirect):
    /// said as such, so that no other failure is ever mistaken for it.
    #[must_use]
    pub fn stdout(source: std::io::Error) -> Error {
        Error::Io { action: "write to", path: "standard output".into(), source }
    }

    /// The line it is shown as: `recover: WHAT (WHAT TO DO)`, one bracket of advice at
    /// most, so no message that has a hint may carry brackets of its own.
    #[must_use]
    pub fn line(&self) -> String {
        match self.hint() {
            Some(hint) => format!("recover: {self} ({hint})"),
            None => format!("recover: {self}"),
        }
    }

    /// What to do about it, shown in brackets after the message.
    #[must_use]
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Usage { hint, .. } => hint.clone(),
            Error::UnknownType(UnknownType { broken: Some(_), .. }) => {
                Some("fix it; `recover check` lists every problem of the folder".into())
            }
            Error::UnknownType(_) => Some("run `recover list` to see the types".into()),
            Error::Library(_) => Some("check --playbooks or RECOVER_PLAYBOOKS".into()),
            Error::Store(StoreError::NotFound(_)) => Some("run `recover log` to see incident ids".into()),
            Error::Store(StoreError::NotALog { .. }) => {
                Some("point --log or RECOVER_LOG at a recover log".into())
            }
            Error::Store(StoreError::AnsweredElsewhere { incident }) => Some(format!(
                "see `recover show-incident {incident}` for what was recorded, then `recover resume {incident}` if anything is left"
            )),
            Error::Store(StoreError::Conflict { incident }) => {
                Some(format!("see `recover show-incident {incident}` for what was recorded"))
            }
            Error::Store(StoreError::Busy { .. }) => {
                Some("try again when the other command has finished".into())
            }
            Error::Store(StoreError::PurgeFailed { .. }) => {
                Some("free some space and run the same `recover purge` again".into())
            }
            Error::Store(StoreError::PurgeUnfinished { .. }) => {
                Some("run the same `recover purge` again to finish wiping them".into())
            }
            Error::Store(StoreError::Full { .. }) => {
                Some("free some space; everything recorded before this point is kept".into())
            }
            Error::Store(StoreError::TooNew { .. })
            | Error::Rule(
                Rule::NoSuchFollowUp { .. }
                | Rule::AlreadyClosed { .. }
                | Rule::AlreadyDone { .. }
                | Rule::AmendAfterwards { .. }
                | Rule::Abandoned { .. }
                | Rule::AlreadyFinished { .. },
            )
            | Error::BadInput { .. }
            | Error::Io { .. } => None,
            Error::Rule(Rule::ReasonMissing) => Some("say why with --reason TEXT".into()),
            Error::Rule(Rule::OutcomeAfterwards { .. }) => {
                Some("leave out --outcome and say how it went with --note".into())
            }
            // A shared log's server is not a folder: its settings are what to check.
            Error::Store(StoreError::Database { path, .. } | StoreError::Access { path, .. })
                if path.to_str().is_some_and(|p| p.starts_with("postgres://")) =>
            {
                Some("check the PG* settings, ~/.pgpass and PGSSLROOTCERT; `recover server check` shows what this login finds".into())
            }
            Error::Store(_) => Some("check --log or RECOVER_LOG and the folder's permissions".into()),
            Error::Rule(Rule::OverLimit { .. }) => Some("name an approver or give fewer amends".into()),
            Error::Rule(Rule::TooLong { .. }) => Some("shorten it".into()),
            Error::Rule(Rule::HoldsNul { .. }) => Some("leave the NUL out".into()),
            Error::Rule(_) => Some("see `recover show TYPE` for the playbook".into()),
            Error::Interrupted { resume } => resume.clone(),
            Error::Server(e) => e.hint(),
        }
    }
}

/// A change the engine refused inside the store's transaction is the engine's refusal.
impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Refused(rule) => Error::Rule(rule),
            other => Error::Store(other),
        }
    }
}

impl From<crate::yaml::YamlError> for Error {
    fn from(e: crate::yaml::YamlError) -> Self {
        Error::Usage { what: format!("{}: {}", e.pos, e.message), hint: None }
    }
}

/// What the system said of an I/O error, without the ` (os error N)` Rust adds: the words
/// are for people, and the one bracket of a message is its advice.
#[must_use]
pub fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match (e.raw_os_error(), text.rfind(" (os error ")) {
        (Some(_), Some(at)) if text.ends_with(')') => text[..at].to_owned(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule or store error whose message lists something, shown with its hint: one
    /// bracket of advice, never two or one inside another.
    #[test]
    fn an_error_line_has_at_most_one_bracket() {
        let s = String::from;
        let errors = [
            Error::Rule(Rule::ChoiceNotOffered { step: s("find-room"), choice: s("x"), options: s("a, b") }),
            Error::Rule(Rule::UnknownFailurePoint { point: s("x"), options: s("arrival") }),
            Error::Rule(Rule::UnknownApproverRole { role: s("chef"), roles: s("staff, manager") }),
            Error::Store(StoreError::NotALog { path: "x.db".into(), why: "it is not an SQLite database" }),
            Error::usage("no type given", "pass --type TYPE; `recover list` shows them"),
        ];
        for e in errors {
            let line = e.line();
            assert_eq!(line.matches('(').count(), 1, "{line}");
            assert!(line.ends_with(')'), "{line}");
        }
    }

    #[test]
    fn an_io_error_says_the_systems_words_without_its_number() {
        let e = Error::Io {
            action: "read",
            path: "a.jsonl".into(),
            source: std::io::Error::from_raw_os_error(2),
        };
        assert_eq!(e.line(), "recover: cannot read a.jsonl: No such file or directory");
        let other = std::io::Error::other("closed (early)");
        assert_eq!(io_reason(&other), "closed (early)", "only the system's number is taken off");
    }
}
