//! Exit codes, and how errors map to them.
//!
//! | code | meaning                                   |
//! |------|-------------------------------------------|
//! | 0    | success                                   |
//! | 1    | the operation failed                      |
//! | 2    | usage error or invalid config             |
//! | 3    | no cluster: kubeconfig unreadable, unknown context, unreachable, or access forbidden |
//! | 130  | interrupted (Ctrl-C)                      |
//!
//! Clap exits with 2 by itself on a usage error. Everything else goes through
//! [`Failure`]: a command returns `Result<_, Failure>`, `?` converts any error
//! that implements [`Classify`], and `main` prints it and exits with its code.
//! To give a new error type its code and advice, implement [`Classify`] for
//! it in `classify.rs`.

use std::error::Error;
use std::fmt;
use std::process::ExitCode;

use polyaxon_core::api_error::explain;

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: the command did what was asked.
    Success,
    /// 1: the operation was tried and failed.
    Failed,
    /// 2: the command line or the deployment config is wrong; nothing was tried.
    Usage,
    /// 3: no cluster to talk to: the kubeconfig cannot be read, the context
    /// does not exist, the cluster could not be reached, or it refused the
    /// credentials.
    Cluster,
    /// 130: interrupted by Ctrl-C (128 + SIGINT, as shells report it).
    Interrupted,
}

impl Exit {
    /// Every exit, in order of code.
    pub const ALL: [Exit; 5] = [
        Exit::Success,
        Exit::Failed,
        Exit::Usage,
        Exit::Cluster,
        Exit::Interrupted,
    ];

    /// The process exit code.
    pub const fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failed => 1,
            Exit::Usage => 2,
            Exit::Cluster => 3,
            Exit::Interrupted => 130,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// An error's exit code (and, optionally, its wording for the user).
/// Implement it for each error type a command can meet.
pub trait Classify {
    /// The exit this error ends the process with.
    fn exit(&self) -> Exit;

    /// The message for the user, when the error's own `Display` (with its
    /// sources) is not the right one.
    fn describe(&self) -> Option<String> {
        None
    }

    /// What the user can do about it; by default [`CLUSTER_HINT`] for
    /// [`Exit::Cluster`] and nothing otherwise.
    fn hint(&self) -> Option<String> {
        (self.exit() == Exit::Cluster).then(|| CLUSTER_HINT.to_string())
    }
}

/// What a command returns: done, or why it stopped.
pub type Outcome = Result<(), Failure>;

/// Why a command stopped: what to tell the user, and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub exit: Exit,
    /// The message, printed after `error: `.
    pub message: String,
    /// What the user can do about it, printed on its own line.
    pub hint: Option<String>,
}

impl Failure {
    /// A failure with a message of its own.
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Failure {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    /// Ctrl-C.
    pub fn interrupted() -> Self {
        Failure::new(Exit::Interrupted, "interrupted")
    }

    /// Adds what the user can do about it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Puts `context` in front of the message (`reading config.yml: …`).
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Any classified error becomes a failure: its message is the error and its
/// sources (each said once), and a hint is added for the cluster exits.
impl<E: Classify + Error> From<E> for Failure {
    fn from(error: E) -> Self {
        let exit = error.exit();
        let message = error.describe().unwrap_or_else(|| chain(&error));
        Failure {
            exit,
            message,
            hint: error.hint(),
        }
    }
}

/// The hint for a cluster that does not answer.
pub const CLUSTER_HINT: &str =
    "check that the cluster is up and that --kubeconfig/--context (or KUBECONFIG) point at it";

/// The hint for a cluster that refuses the credentials.
pub const REFUSED_HINT: &str = "the kubeconfig's user lacks that permission: use a --context whose user has it, or ask for a role that grants it";

/// `error: source: source's source`, skipping a source its parent already
/// quoted. An API error is said as a sentence and ends the chain: what lies
/// under it is the API server's answer, in Rust's debug output.
pub fn chain(error: &dyn Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let api = api_error(cause);
        let text = api.map_or_else(|| cause.to_string(), explain);
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        if api.is_some() {
            break;
        }
        source = cause.source();
    }
    message
}

/// The kube error `error` is, whether as itself or boxed (core's errors
/// hold theirs in a `Box`, and a source is the field as it is).
fn api_error<'a>(error: &'a (dyn Error + 'static)) -> Option<&'a kube::Error> {
    error.downcast_ref::<kube::Error>().or_else(|| {
        error
            .downcast_ref::<Box<kube::Error>>()
            .map(|boxed| &**boxed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_documented_ones() {
        let codes: Vec<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(codes, [0, 1, 2, 3, 130]);
        for exit in Exit::ALL {
            let line = format!("\n  {:<4} ", exit.code());
            assert!(
                crate::args::EXIT_CODES.contains(&line),
                "--help does not document exit {}",
                exit.code()
            );
        }
    }

    #[test]
    fn the_readme_section_documents_every_code() {
        let doc = include_str!("../EXIT_CODES.md");
        for exit in Exit::ALL {
            let row = format!("| {} ", exit.code());
            assert!(
                doc.contains(&row),
                "EXIT_CODES.md does not document exit {}",
                exit.code()
            );
        }
    }

    #[test]
    fn a_closed_pipe_is_not_an_error() {
        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "closed");
        assert_eq!(Failure::from(io).exit, Exit::Success);
    }
}
