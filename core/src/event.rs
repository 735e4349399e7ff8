//! What operations report while they run. `core` emits these; the CLI turns
//! them into progress lines, or nothing when quiet.

use crate::apply::Plan;
use crate::render::{Hook, Stage};

/// Something an operation did or saw.
#[derive(Debug, Clone)]
pub enum Event {
    /// The plan of an upgrade or rollback, before anything is applied.
    Plan(Plan),
    /// A confirmed upgrade to a new major version starts: what it adds,
    /// removes and replaces, and what becomes of the database.
    MajorUpgrade(Box<crate::ops::MajorUpgrade>),
    /// A stage starts applying `count` objects that change.
    Stage {
        /// The stage.
        stage: Stage,
        /// How many objects of the stage are written.
        count: usize,
    },
    /// An object was created.
    Created(String),
    /// An object was changed.
    Changed(String),
    /// An object was deleted (teardown or prune).
    Deleted(String),
    /// An object that is not the release's was left alone.
    Skipped {
        /// The object.
        id: String,
        /// Why.
        reason: String,
    },
    /// Waiting for a workload: `ready` of `desired`.
    Progress {
        /// The workload.
        id: String,
        /// Ready replicas (or completed pods).
        ready: i32,
        /// Wanted replicas.
        desired: i32,
    },
    /// A workload is ready.
    Ready(String),
    /// A hook Job started.
    HookStarted {
        /// The moment.
        hook: Hook,
        /// The Job.
        id: String,
    },
    /// A hook Job finished (and was deleted).
    HookFinished {
        /// The moment.
        hook: Hook,
        /// The Job.
        id: String,
        /// Whether it succeeded.
        succeeded: bool,
    },
    /// The hooks of a moment were skipped, as asked.
    HooksSkipped(Hook),
    /// A release's first revision keeps generated values (passwords, keys)
    /// found in the namespace instead of generating new ones: each entry
    /// names where one was found (`Secret/<name> key <key>`), never the value.
    GeneratedValuesKept(Vec<String>),
    /// A wait starts: for what, and for at most how long.
    Waiting {
        /// What is waited for.
        what: String,
        /// The longest it waits, in seconds.
        seconds: u64,
    },
    /// Polyaxon finalizers were removed from a run object its operator did
    /// not finalize in time.
    FinalizersRemoved {
        /// The object.
        id: String,
        /// The finalizers removed.
        finalizers: Vec<String>,
    },
    /// A failed upgrade is being undone: `revision` is applied again.
    RollingBack {
        /// The revision applied again.
        revision: u32,
    },
    /// A release record Secret cannot be read; it is skipped and the newest
    /// readable record is used.
    RecordUnreadable {
        /// The Secret.
        secret: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The newest revision was left `pending` by an operation that no longer
    /// runs; it is marked failed (or, by `status`, only shown so).
    Interrupted {
        /// The revision.
        revision: u32,
        /// `pending since <time>, by pid <pid> on <host>`.
        detail: String,
    },
}

/// Where events go; the CLI passes a closure, tests collect into a Vec.
pub type Reporter = std::sync::Arc<dyn Fn(Event) + Send + Sync>;

/// A reporter that drops everything.
pub fn silent() -> Reporter {
    std::sync::Arc::new(|_| {})
}
