//! Transient API failures above the transport. The client's transport
//! (`transport/retry.rs`) sends a request again when that is safe; what it
//! cannot do is left here: telling a caller whether a failure was transient
//! (so that after a create whose answer was lost it looks for the object),
//! and resuming a watch that broke.

use std::fmt::Debug;
use std::pin::pin;
use std::time::Duration;

use futures::StreamExt;
use kube::Api;
use kube::runtime::wait::Condition;
use kube::runtime::watcher;
use serde::de::DeserializeOwned;

/// The first pause before a broken watch is started again; it doubles up
/// to [`LONGEST_WATCH_PAUSE`] while it keeps failing.
const FIRST_WATCH_PAUSE: Duration = Duration::from_millis(250);
const LONGEST_WATCH_PAUSE: Duration = Duration::from_secs(4);

/// Whether an error may go away by itself: the server was overloaded or
/// briefly failing, or the connection dropped.
pub fn is_transient(error: &kube::Error) -> bool {
    match error {
        kube::Error::Api(status) => matches!(status.code, 429 | 500 | 502 | 503 | 504),
        kube::Error::HyperError(_) | kube::Error::Service(_) => true,
        _ => false,
    }
}

/// Whether a watch failed for a reason that starting it again may cure:
/// a transient error, or a resource version the server no longer has (410
/// Gone, after which the watcher lists afresh).
pub fn is_transient_watch(error: &watcher::Error) -> bool {
    match error {
        watcher::Error::InitialListFailed(e)
        | watcher::Error::WatchStartFailed(e)
        | watcher::Error::WatchFailed(e) => is_transient(e),
        watcher::Error::WatchError(status) => {
            matches!(status.code, 410 | 429 | 500 | 502 | 503 | 504)
        }
        watcher::Error::NoResourceVersion => false,
    }
}

/// Waits until object `name` of `api` meets `condition` (`None`: it does
/// not exist), like kube's `await_condition`, but a watch broken by a
/// transient failure is started again after a pause instead of ending the
/// wait. A lasting refusal ends it; the caller bounds the time.
pub async fn await_condition<K>(
    api: Api<K>,
    name: &str,
    condition: impl Condition<K>,
) -> Result<Option<K>, watcher::Error>
where
    K: Clone + Debug + Send + DeserializeOwned + kube::Resource + 'static,
{
    let mut events = pin!(watcher::watch_object(api, name));
    let mut pause = FIRST_WATCH_PAUSE;
    while let Some(event) = events.next().await {
        match event {
            Ok(object) if condition.matches_object(object.as_ref()) => return Ok(object),
            Ok(_) => pause = FIRST_WATCH_PAUSE,
            Err(error) if is_transient_watch(&error) => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(LONGEST_WATCH_PAUSE);
            }
            Err(error) => return Err(error),
        }
    }
    // A watcher's stream does not end; if it ever did, nothing more is known.
    Err(watcher::Error::NoResourceVersion)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::Status;

    fn api(code: u16) -> kube::Error {
        kube::Error::Api(Status::failure("x", "y").with_code(code).boxed())
    }

    #[test]
    fn server_failures_are_transient_and_refusals_are_not() {
        for code in [429, 500, 502, 503, 504] {
            assert!(is_transient(&api(code)), "{code}");
        }
        for code in [400, 403, 404, 409, 422] {
            assert!(!is_transient(&api(code)), "{code}");
        }
        assert!(is_transient(&kube::Error::Service("reset".into())));
    }

    #[test]
    fn a_watch_resumes_after_a_drop_or_a_stale_version_not_after_a_refusal() {
        assert!(is_transient_watch(&watcher::Error::WatchFailed(
            kube::Error::Service("connection reset".into())
        )));
        assert!(is_transient_watch(&watcher::Error::InitialListFailed(api(
            429
        ))));
        assert!(is_transient_watch(&watcher::Error::WatchError(
            Status::failure("too old", "Expired").with_code(410).boxed()
        )));
        assert!(!is_transient_watch(&watcher::Error::WatchStartFailed(api(
            403
        ))));
        assert!(!is_transient_watch(&watcher::Error::NoResourceVersion));
    }
}
