//! Who holds a release lock (or wrote a revision): the operation, the user,
//! the machine and the process, so that a lock (or a `pending` revision) left
//! by a dead process can be told from one whose holder still runs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::render::state::random_alphanumeric;

/// Annotation on the lock's Lease: the holder's operation.
const OPERATION: &str = "polyaxon.dev/lock-operation";
/// Annotation: the holder's user.
const USER: &str = "polyaxon.dev/lock-user";
/// Annotation: the holder's machine.
const HOST: &str = "polyaxon.dev/lock-host";
/// Annotation: the holder's process id.
const PID: &str = "polyaxon.dev/lock-pid";
/// Annotation: when the holder's process started (clock ticks after boot).
const STARTED: &str = "polyaxon.dev/lock-process-start";

/// A process on a machine: who runs an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Process {
    /// The user running it (`$USER`).
    pub user: String,
    /// The machine (`/etc/hostname`).
    pub host: String,
    /// Its process id.
    pub pid: u32,
    /// When it started, in clock ticks after boot (`/proc/<pid>/stat`), so
    /// that a reused pid is not taken for it; absent where there is no `/proc`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<u64>,
}

impl Process {
    /// This process.
    pub fn current() -> Self {
        let pid = std::process::id();
        Process {
            user: std::env::var("USER").unwrap_or_else(|_| "unknown".into()),
            host: std::fs::read_to_string("/etc/hostname")
                .map(|h| h.trim().to_string())
                .ok()
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "localhost".into()),
            pid,
            started: start_time(pid),
        }
    }

    /// Whether this process is known to have ended: it ran on this machine
    /// and its pid is gone (or now names a process that started at another
    /// time). A process of another machine is never known dead.
    pub fn is_dead(&self) -> bool {
        let here = Process::current();
        if self.host != here.host || !std::path::Path::new("/proc/self/stat").exists() {
            return false;
        }
        match start_time(self.pid) {
            None => true,
            Some(started) => self.started.is_some_and(|s| s != started),
        }
    }
}

impl std::fmt::Display for Process {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{} (pid {})", self.user, self.host, self.pid)
    }
}

/// When process `pid` started, in clock ticks after boot: field 22 of
/// `/proc/<pid>/stat`. `None` when there is no such process (or no `/proc`).
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces;
    // fields 3.. follow the last `)`.
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(19)?.parse().ok()
}

/// The holder of a release lock: one operation of one process. Each
/// operation has its own `identity`, so two operations of one process are two
/// holders, and a lock is renewed and given back only by the operation that
/// took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHolder {
    /// The Lease's holder identity, unique to the operation.
    pub identity: String,
    /// `deploy`, `upgrade`, `teardown`, ...
    pub operation: String,
    /// Who runs it; `None` for a lock written by something else.
    pub process: Option<Process>,
    /// When the lock was taken (RFC 3339), when known.
    pub since: Option<String>,
    /// The lock was not renewed in time: its holder stopped (or was cut off).
    pub expired: bool,
}

impl LockHolder {
    /// A new holder for `operation` of this process, with a fresh identity.
    pub(crate) fn new(operation: &str) -> Self {
        let process = Process::current();
        LockHolder {
            identity: format!(
                "polyaxon {operation} by {process} #{}",
                random_alphanumeric(10)
            ),
            operation: operation.to_string(),
            process: Some(process),
            since: None,
            expired: false,
        }
    }

    /// The annotations that record this holder on the Lease.
    pub(crate) fn annotations(&self) -> BTreeMap<String, String> {
        let mut annotations = BTreeMap::from([(OPERATION.to_string(), self.operation.clone())]);
        if let Some(p) = &self.process {
            annotations.insert(USER.into(), p.user.clone());
            annotations.insert(HOST.into(), p.host.clone());
            annotations.insert(PID.into(), p.pid.to_string());
            if let Some(started) = p.started {
                annotations.insert(STARTED.into(), started.to_string());
            }
        }
        annotations
    }

    /// The holder a Lease records: its identity and, when written by this
    /// tool, its annotations.
    pub(crate) fn of(
        identity: Option<&str>,
        annotations: Option<&BTreeMap<String, String>>,
        since: Option<String>,
    ) -> Self {
        let get = |key: &str| annotations.and_then(|a| a.get(key)).cloned();
        let process = match (get(HOST), get(PID).and_then(|p| p.parse().ok())) {
            (Some(host), Some(pid)) => Some(Process {
                user: get(USER).unwrap_or_else(|| "unknown".into()),
                host,
                pid,
                started: get(STARTED).and_then(|s| s.parse().ok()),
            }),
            _ => None,
        };
        LockHolder {
            identity: identity.unwrap_or("someone").to_string(),
            operation: get(OPERATION).unwrap_or_else(|| "operation".into()),
            process,
            since,
            expired: false,
        }
    }

    /// Whether the holder's process is known to have ended.
    pub fn is_dead(&self) -> bool {
        self.process.as_ref().is_some_and(Process::is_dead)
    }

    /// Whether the holder may still be at work: its lock is not expired and
    /// its process not known dead.
    pub fn may_run(&self) -> bool {
        !self.expired && !self.is_dead()
    }

    /// The holder and since when it holds the lock, as people name a running
    /// operation: `polyaxon deploy by ann@laptop (pid 42) since <time>`.
    pub fn running_since(&self) -> String {
        match &self.since {
            Some(since) => format!("{self} since {since}"),
            None => self.to_string(),
        }
    }
}

impl std::fmt::Display for LockHolder {
    /// `polyaxon deploy by ann@laptop (pid 42)`, or the Lease's identity when
    /// something else wrote it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.process {
            Some(process) => write!(f, "polyaxon {} by {process}", self.operation),
            None => f.write_str(&self.identity),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_finished_child_is_dead() {
        let me = Process::current();
        assert!(!me.is_dead());
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let gone = Process { pid, ..me.clone() };
        assert!(gone.is_dead());
        let reused = Process {
            started: me.started.map(|s| s + 1),
            ..me.clone()
        };
        assert!(reused.is_dead(), "a pid that now names a younger process");
        let elsewhere = Process {
            host: format!("{}-elsewhere", me.host),
            pid,
            ..me
        };
        assert!(
            !elsewhere.is_dead(),
            "another machine's process is never known dead"
        );
    }

    #[test]
    fn each_operation_has_its_own_identity_and_the_annotations_round_trip() {
        let a = LockHolder::new("deploy");
        let b = LockHolder::new("deploy");
        assert_ne!(a.identity, b.identity);
        let read = LockHolder::of(Some(&a.identity), Some(&a.annotations()), None);
        assert_eq!(read, a);
        assert!(a.to_string().starts_with("polyaxon deploy by "), "{a}");
    }
}
