//! The records an operation writes, through any [`ReleaseStore`]: its
//! revision's number, the outcome written into its `pending` record, the
//! revision it supersedes, and the one Ctrl-C interrupted.

use super::OpError;
use crate::event::{Event, Reporter};
use crate::release::{Redactor, ReleaseRecord, ReleaseStore, Status, now};

/// The most of an error a failed revision keeps: enough for the workloads
/// that were not ready and why, not a whole log.
const REASON_LIMIT: usize = 4096;

/// The number of the revision after the newest one, whatever its status (a
/// failed revision keeps its number); `after` + 1 when there is none.
pub(crate) async fn next_revision(store: &impl ReleaseStore, after: u32) -> Result<u32, OpError> {
    let newest = store.newest_revision().await?.unwrap_or(after);
    Ok(newest + 1)
}

/// Writes the outcome into the pending `record`: `deployed` with the
/// description `done`, or `failed` with the error's first line as its
/// description and the whole error as its reason, secret values taken out
/// by `redactor` (the error is returned, even if writing it fails).
pub(crate) async fn finish(
    store: &impl ReleaseStore,
    mut record: ReleaseRecord,
    outcome: Result<(), OpError>,
    done: &str,
    redactor: &Redactor,
) -> Result<ReleaseRecord, OpError> {
    record.updated = now();
    match outcome {
        Ok(()) => {
            record.status = Status::Deployed;
            record.description = done.to_string();
            store.update(&record).await?;
            Ok(record)
        }
        Err(e) => {
            record.status = Status::Failed;
            let reason = failure_reason(&e.to_string(), redactor);
            record.description = reason.lines().next().unwrap_or_default().into();
            record.reason = Some(reason);
            let _ = store.update(&record).await;
            Err(e)
        }
    }
}

/// What a failed revision keeps of `error`: secret values taken out, at
/// most [`REASON_LIMIT`] bytes (cut at a line, else at a character).
fn failure_reason(error: &str, redactor: &Redactor) -> String {
    let text = redactor.redact(error.trim_end());
    if text.len() <= REASON_LIMIT {
        return text;
    }
    let mut end = REASON_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = text[..end].rfind('\n').unwrap_or(end);
    format!("{}\n…", &text[..cut])
}

/// Exactly one revision is deployed: `current`. Every other deployed one is
/// marked superseded; failed ones stay failed.
pub(crate) async fn supersede_others(
    store: &impl ReleaseStore,
    current: &ReleaseRecord,
) -> Result<(), OpError> {
    for mut older in store.history().await? {
        if older.status == Status::Deployed && older.revision != current.revision {
            older.status = Status::Superseded;
            older.updated = now();
            store.update(&older).await?;
        }
    }
    Ok(())
}

/// After Ctrl-C: the newest revision, when this process left it `pending`,
/// is marked `failed`, so it does not look in progress forever.
pub(crate) async fn mark_interrupted(store: &impl ReleaseStore) -> Result<(), OpError> {
    if let Some(mut latest) = store.latest().await?
        && latest.status == Status::Pending
    {
        latest.status = Status::Failed;
        latest.description = "interrupted (Ctrl-C)".into();
        latest.reason = Some(latest.description.clone());
        latest.updated = now();
        store.update(&latest).await?;
    }
    Ok(())
}

/// Before an operation, holding the lock: a newest revision still `pending`
/// was left by an operation that no longer runs (it would hold the lock). It
/// is reported, marked failed saying when and by whom, and the operation
/// goes on.
pub(crate) async fn fail_interrupted(
    store: &impl ReleaseStore,
    reporter: &Reporter,
) -> Result<(), OpError> {
    if let Some(mut latest) = store.latest().await?
        && latest.status == Status::Pending
    {
        let detail = latest.pending_detail();
        latest.status = Status::Failed;
        latest.description = format!("interrupted ({detail})");
        latest.reason = Some(latest.description.clone());
        latest.updated = now();
        store.update(&latest).await?;
        reporter(Event::Interrupted {
            revision: latest.revision,
            detail,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::MemoryStore;
    use crate::release::test_record as record;

    fn statuses(store: &MemoryStore) -> Vec<(u32, Status)> {
        store
            .records()
            .iter()
            .map(|r| (r.revision, r.status))
            .collect()
    }

    #[tokio::test]
    async fn the_next_revision_follows_the_newest_even_a_failed_one() {
        let store = MemoryStore::default();
        assert_eq!(next_revision(&store, 0).await.ok(), Some(1));
        let store = MemoryStore::with([
            record(1, Status::Superseded),
            record(2, Status::Deployed),
            record(3, Status::Failed),
        ]);
        assert_eq!(next_revision(&store, 2).await.ok(), Some(4));
    }

    #[tokio::test]
    async fn an_outcome_is_written_into_the_pending_record() {
        let store = MemoryStore::with([record(1, Status::Pending)]);
        let none = Redactor::default();
        let done = finish(
            &store,
            record(1, Status::Pending),
            Ok(()),
            "deployed",
            &none,
        )
        .await;
        assert_eq!(done.map(|r| r.status).ok(), Some(Status::Deployed));
        assert_eq!(statuses(&store), [(1, Status::Deployed)]);

        let store = MemoryStore::with([record(2, Status::Pending)]);
        let failure = OpError::Version("first line\nsecond line".into());
        let failed = finish(
            &store,
            record(2, Status::Pending),
            Err(failure),
            "deployed",
            &none,
        )
        .await;
        assert!(matches!(failed, Err(OpError::Version(_))));
        let stored = &store.records()[0];
        assert_eq!(stored.status, Status::Failed);
        assert_eq!(
            stored.description,
            "version \"first line\\nsecond line\" is not a semantic version"
        );
        assert_eq!(stored.reason.as_deref(), Some(stored.description.as_str()));
    }

    #[tokio::test]
    async fn a_failed_revision_keeps_the_whole_reason_without_secret_values() {
        let mut state = crate::render::ReleaseState::placeholder("polyaxon");
        state.postgres_password = "pg-pass-1234".into();
        let redactor = Redactor::of(&crate::render::Manifest::default(), &state);
        let store = MemoryStore::with([record(1, Status::Pending)]);
        let failure = OpError::Version("pg-pass-1234".into());
        let _ = finish(
            &store,
            record(1, Status::Pending),
            Err(failure),
            "",
            &redactor,
        )
        .await;
        let stored = &store.records()[0];
        assert_eq!(stored.status, Status::Failed);
        assert_eq!(
            stored.reason.as_deref(),
            Some("version \"<redacted>\" is not a semantic version")
        );
        assert!(!stored.description.contains("pg-pass-1234"));
    }

    #[test]
    fn a_long_reason_is_cut_at_a_line() {
        let long = (0..1000)
            .map(|n| format!("Deployment/d{n} not ready"))
            .collect::<Vec<_>>()
            .join("\n");
        let kept = failure_reason(&long, &Redactor::default());
        assert!(kept.len() <= REASON_LIMIT + "\n…".len(), "{}", kept.len());
        assert!(kept.starts_with("Deployment/d0 not ready\nDeployment/d1 not ready"));
        assert!(kept.ends_with(" not ready\n…"), "{kept}");
    }

    #[tokio::test]
    async fn only_the_new_revision_stays_deployed_and_failed_ones_stay_failed() {
        let store = MemoryStore::with([
            record(1, Status::Deployed),
            record(2, Status::Failed),
            record(3, Status::Deployed),
        ]);
        let current = record(3, Status::Deployed);
        supersede_others(&store, &current).await.ok();
        assert_eq!(
            statuses(&store),
            [
                (1, Status::Superseded),
                (2, Status::Failed),
                (3, Status::Deployed)
            ]
        );
    }

    #[tokio::test]
    async fn ctrl_c_fails_the_pending_revision_and_nothing_else() {
        let store = MemoryStore::with([record(1, Status::Deployed), record(2, Status::Pending)]);
        mark_interrupted(&store).await.ok();
        assert_eq!(
            statuses(&store),
            [(1, Status::Deployed), (2, Status::Failed)]
        );
        assert_eq!(store.records()[1].description, "interrupted (Ctrl-C)");

        let settled = MemoryStore::with([record(1, Status::Deployed)]);
        mark_interrupted(&settled).await.ok();
        assert_eq!(statuses(&settled), [(1, Status::Deployed)]);
    }

    #[tokio::test]
    async fn a_pending_revision_left_by_a_killed_operation_is_reported_and_failed() {
        let left = record(2, Status::Pending);
        let store = MemoryStore::with([record(1, Status::Deployed), left.clone()]);
        let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = events.clone();
        let reporter: Reporter = std::sync::Arc::new(move |e| sink.lock().unwrap().push(e));
        fail_interrupted(&store, &reporter).await.ok();
        assert_eq!(
            statuses(&store),
            [(1, Status::Deployed), (2, Status::Failed)]
        );
        let pid = std::process::id();
        let detail = format!("pending since {}, by pid {pid} on ", left.updated);
        assert!(
            store.records()[1]
                .description
                .starts_with(&format!("interrupted ({detail}")),
            "{}",
            store.records()[1].description
        );
        let events = events.lock().unwrap().clone();
        assert!(
            matches!(&events[..], [Event::Interrupted { revision: 2, detail: d }] if d.starts_with(&detail)),
            "{events:?}"
        );
    }
}
