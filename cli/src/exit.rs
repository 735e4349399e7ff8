//! Exit codes, and how errors map to them.
//!
//! | code | meaning                                   |
//! |------|-------------------------------------------|
//! | 0    | success                                   |
//! | 1    | the operation failed                      |
//! | 2    | usage error or invalid config             |
//! | 3    | cluster unreachable or access forbidden   |
//! | 130  | interrupted (Ctrl-C)                      |
//!
//! Clap exits with 2 by itself on a usage error. Everything else goes through
//! [`Failure`]: a command returns `Result<_, Failure>`, `?` converts any error
//! that implements [`Classify`], and `main` prints it and exits with its code.
//! To give a new error type its code, implement [`Classify`] for it here.

use std::error::Error;
use std::fmt;
use std::process::ExitCode;

use polyaxon_core::cluster::ClusterError;
use polyaxon_core::config::ConfigErrors;
use polyaxon_core::discover::DiscoverError;
use polyaxon_core::forward::ForwardError;
use polyaxon_core::forward::client_config::ClientConfigError;
use polyaxon_core::render::RenderError;

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: the command did what was asked.
    Success,
    /// 1: the operation was tried and failed.
    Failed,
    /// 2: the command line or the deployment config is wrong; nothing was tried.
    Usage,
    /// 3: the cluster could not be reached, or refused the credentials.
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

/// Whether the cluster answered but refused the credentials (401/403), as
/// opposed to not answering at all.
pub fn is_refusal(error: &kube::Error) -> bool {
    matches!(error, kube::Error::Api(status) if matches!(status.code, 401 | 403))
}

impl Classify for kube::Error {
    fn exit(&self) -> Exit {
        use kube::Error as E;
        match self {
            error if is_refusal(error) => Exit::Cluster,
            E::Api(_) => Exit::Failed,
            E::HyperError(_)
            | E::Service(_)
            | E::RustlsTls(_)
            | E::Auth(_)
            | E::TlsRequired
            | E::ProxyProtocolUnsupported { .. }
            | E::ProxyProtocolDisabled { .. }
            | E::InferConfig(_) => Exit::Cluster,
            E::InferKubeconfig(_) => Exit::Usage,
            _ => Exit::Failed,
        }
    }

    /// kube's own wording names its variants (`ServiceError: …`) and prints
    /// API statuses as Rust debug output; say what happened instead.
    fn describe(&self) -> Option<String> {
        use kube::Error as E;
        match self {
            E::Api(status) if is_refusal(self) => {
                Some(format!("access refused by the cluster: {}", status.message))
            }
            E::Api(status) => Some(format!(
                "the cluster answered {} {}: {}",
                status.code, status.reason, status.message
            )),
            E::HyperError(_) | E::Service(_) => {
                let cause = self.source().map(chain).unwrap_or_default();
                Some(format!("cannot reach the cluster: {cause}"))
            }
            _ => None,
        }
    }

    fn hint(&self) -> Option<String> {
        if is_refusal(self) {
            Some(REFUSED_HINT.to_string())
        } else {
            (self.exit() == Exit::Cluster).then(|| CLUSTER_HINT.to_string())
        }
    }
}

impl Classify for ClusterError {
    fn exit(&self) -> Exit {
        match self {
            // A kubeconfig file the user named that cannot be read or used.
            ClusterError::Kubeconfig { .. } => Exit::Usage,
            ClusterError::NotConfigured(_) => Exit::Cluster,
            ClusterError::Client(error) => error.exit(),
        }
    }

    fn describe(&self) -> Option<String> {
        match self {
            ClusterError::Client(error) => error.describe(),
            _ => None,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            ClusterError::Kubeconfig { .. } => None,
            ClusterError::NotConfigured(_) => Some(CLUSTER_HINT.to_string()),
            ClusterError::Client(error) => error.hint(),
        }
    }
}

impl Classify for DiscoverError {
    fn exit(&self) -> Exit {
        self.api_error().map_or(Exit::Failed, Classify::exit)
    }

    fn describe(&self) -> Option<String> {
        self.api_error().and_then(Classify::describe)
    }

    fn hint(&self) -> Option<String> {
        self.api_error().and_then(Classify::hint)
    }
}

/// A port-forward that cannot start: refused access is a cluster exit, a
/// local address that is not this machine's a usage error.
impl Classify for ForwardError {
    fn exit(&self) -> Exit {
        match self {
            ForwardError::Forbidden { .. } => Exit::Cluster,
            ForwardError::Api { source, .. } => source.exit(),
            ForwardError::Address { .. } => Exit::Usage,
            _ => Exit::Failed,
        }
    }

    fn describe(&self) -> Option<String> {
        match self {
            ForwardError::Api { access, source } => source
                .describe()
                .map(|said| format!("cannot {access}: {said}")),
            _ => None,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            ForwardError::Forbidden { .. } => None,
            ForwardError::Api { source, .. } => source.hint(),
            _ => None,
        }
    }
}

/// The Polyaxon client config could not be pointed at the forward.
impl Classify for ClientConfigError {
    fn exit(&self) -> Exit {
        Exit::Failed
    }
}

/// An invalid deployment config: nothing was tried.
impl Classify for ConfigErrors {
    fn exit(&self) -> Exit {
        Exit::Usage
    }

    /// Every error, one per line; the last line ends without a newline, as
    /// every message does.
    fn describe(&self) -> Option<String> {
        Some(self.to_string().trim_end().to_string())
    }
}

/// A config that loads but cannot be rendered: nothing was tried.
impl Classify for RenderError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }
}

impl Classify for std::io::Error {
    fn exit(&self) -> Exit {
        match self.kind() {
            // The reader went away (`polyaxon … | head`): not worth a word.
            std::io::ErrorKind::BrokenPipe => Exit::Success,
            _ => Exit::Failed,
        }
    }
}

impl Classify for serde_json::Error {
    fn exit(&self) -> Exit {
        Exit::Failed
    }
}

impl Classify for serde_yaml::Error {
    fn exit(&self) -> Exit {
        Exit::Failed
    }
}

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

/// `error: source: source's source`, skipping a source its parent already quoted.
pub fn chain(error: &dyn Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        source = cause.source();
    }
    message
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

    fn api_error(code: u16, reason: &str) -> kube::Error {
        let status = kube::core::Status {
            code,
            message: "denied".into(),
            reason: reason.into(),
            ..kube::core::Status::default()
        };
        kube::Error::Api(Box::new(status))
    }

    #[test]
    fn forbidden_and_unauthorized_are_cluster_exits_other_api_errors_failures() {
        assert_eq!(api_error(403, "Forbidden").exit(), Exit::Cluster);
        assert_eq!(api_error(401, "Unauthorized").exit(), Exit::Cluster);
        assert_eq!(api_error(404, "NotFound").exit(), Exit::Failed);
        assert_eq!(api_error(409, "Conflict").exit(), Exit::Failed);
        assert_eq!(api_error(500, "InternalError").exit(), Exit::Failed);
    }

    #[test]
    fn a_classified_error_keeps_its_sources_and_gets_a_hint_for_the_cluster() {
        let failure = Failure::from(ClusterError::Client(api_error(403, "Forbidden")));
        assert_eq!(failure.exit, Exit::Cluster);
        assert_eq!(failure.message, "access refused by the cluster: denied");
        assert_eq!(failure.hint.as_deref(), Some(REFUSED_HINT));
        let failure = Failure::from(ClusterError::NotConfigured("no kubeconfig".into()));
        assert_eq!(
            (failure.exit, failure.hint.as_deref()),
            (Exit::Cluster, Some(CLUSTER_HINT))
        );

        let io = std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left");
        let failure = Failure::from(io).context("writing the script");
        assert_eq!(failure.exit, Exit::Failed);
        assert_eq!(failure.message, "writing the script: no space left");
        assert_eq!(failure.hint, None);
    }

    #[test]
    fn other_api_errors_say_the_status_not_rust_debug_output() {
        let failure = Failure::from(api_error(404, "NotFound"));
        assert_eq!(failure.exit, Exit::Failed);
        assert_eq!(failure.message, "the cluster answered 404 NotFound: denied");
        assert_eq!(failure.hint, None);
    }

    #[test]
    fn a_closed_pipe_is_not_an_error() {
        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "closed");
        assert_eq!(Failure::from(io).exit, Exit::Success);
    }
}
