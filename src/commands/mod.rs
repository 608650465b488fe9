//! One module per subcommand: its arguments turned into a pipeline run, its result into an exit
//! status. [`cli`] assembles them. A command never imports another command.

pub mod args;
pub mod check;
pub mod cli;
pub mod diff;
pub mod generate;
pub mod health;
pub mod help;
pub mod krm;
pub mod render;
pub mod rollout;
pub mod uninject;
pub mod validate;

/// How a command ended: the exit status of the process. The one list of the codes; each command's
/// meaning of them is in [`help::exit_status`] (the man pages' EXIT STATUS) and README.md's "Exit
/// codes" table. A closed standard output is not an error (`main` exits [`ExitStatus::Success`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum ExitStatus {
    /// 0: done, and nothing to report.
    Success = 0,
    /// 1: the command's finding: changes (`diff`), stale output (`check`, `render --out-dir`),
    /// errors (`validate`), not Healthy (`health`).
    Findings = 1,
    /// 2: an error (unreadable or invalid input, a bad command line): nothing is written to
    /// standard output (`krm`: the input with an error result, for kpt).
    Error = 2,
    /// 3: `diff --old-sidecarsets`: Kruise's webhook rejects the update of a SidecarSet.
    Rejected = 3,
}

impl ExitStatus {
    /// The process's exit code.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// What the code means for every command (the main man page's EXIT STATUS; each command's
    /// page says what it means there, [`help::exit_status`]).
    pub const fn meaning(self) -> &'static str {
        match self {
            ExitStatus::Success => "Success, and nothing to report.",
            ExitStatus::Findings => {
                "The command's finding: changes (diff), stale output (check, render --out-dir), errors (validate), not Healthy (health)."
            }
            ExitStatus::Error => {
                "Error: unreadable or invalid input, or a bad command line; nothing is written to standard output."
            }
            ExitStatus::Rejected => {
                "diff --old-sidecarsets: Kruise's webhook rejects the update of a SidecarSet."
            }
        }
    }

    /// [`ExitStatus::Findings`] if there are any, else [`ExitStatus::Success`].
    pub const fn findings_if(found: bool) -> Self {
        if found {
            ExitStatus::Findings
        } else {
            ExitStatus::Success
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}

impl std::fmt::Display for ExitStatus {
    /// The code, as a man page's EXIT STATUS lists it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::ExitStatus;

    #[test]
    fn exit_codes_are_the_documented_ones() {
        let codes = [
            ExitStatus::Success,
            ExitStatus::Findings,
            ExitStatus::Error,
            ExitStatus::Rejected,
        ]
        .map(ExitStatus::code);
        assert_eq!(codes, [0, 1, 2, 3]);
        assert_eq!(ExitStatus::findings_if(true), ExitStatus::Findings);
        assert_eq!(ExitStatus::findings_if(false), ExitStatus::Success);
        assert_eq!(ExitStatus::Rejected.to_string(), "3");
    }
}
