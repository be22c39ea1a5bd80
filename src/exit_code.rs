//! The exit codes of SPEC.md, in one place.

/// How `recover` ends; scripts rely on these numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// All is well.
    Success = 0,
    /// The thing asked about is not in order: invalid playbooks, overdue follow-ups, a
    /// session that ended with required steps skipped.
    NotInOrder = 1,
    /// Bad flags, unknown type, bad answers file, a prompt needed but no terminal.
    Usage = 2,
    /// The log or a playbook folder cannot be read or written.
    Environment = 3,
    /// Interrupted by Ctrl-C; what was answered is kept.
    Interrupted = 130,
}

impl Exit {
    /// The process exit status.
    #[must_use]
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}

#[cfg(test)]
mod tests {
    use super::Exit;

    #[test]
    fn codes_match_the_spec() {
        assert_eq!(Exit::Success.code(), 0);
        assert_eq!(Exit::NotInOrder.code(), 1);
        assert_eq!(Exit::Usage.code(), 2);
        assert_eq!(Exit::Environment.code(), 3);
        assert_eq!(Exit::Interrupted.code(), 130);
    }
}
