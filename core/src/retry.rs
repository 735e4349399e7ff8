//! Retrying transient API failures. kube's client already retries 429, 503
//! and 504; this adds 500 and 502 and dropped connections, for requests that
//! are safe to repeat (reads, server-side applies, deletes).

use std::future::Future;
use std::time::Duration;

/// Attempts in all, the first included.
const ATTEMPTS: u32 = 5;
/// The first pause; it doubles after every failed attempt.
const FIRST_PAUSE: Duration = Duration::from_millis(200);

/// Whether an error is worth another try: the server was overloaded or
/// briefly failing, or the connection dropped.
pub fn is_transient(error: &kube::Error) -> bool {
    match error {
        kube::Error::Api(status) => matches!(status.code, 429 | 500 | 502 | 503 | 504),
        kube::Error::HyperError(_) | kube::Error::Service(_) => true,
        _ => false,
    }
}

/// Runs `request` until it succeeds, fails for good, or the attempts run
/// out, pausing with exponential backoff between attempts.
pub async fn retry<T, F, Fut>(mut request: F) -> Result<T, kube::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, kube::Error>>,
{
    let mut pause = FIRST_PAUSE;
    let mut attempt = 1;
    loop {
        match request().await {
            Err(e) if attempt < ATTEMPTS && is_transient(&e) => {
                tokio::time::sleep(pause).await;
                pause *= 2;
                attempt += 1;
            }
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::Status;
    use std::sync::atomic::{AtomicU32, Ordering};

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
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_failing_twice_succeeds_on_the_third_attempt() {
        let calls = AtomicU32::new(0);
        let result = retry(|| async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 | 1 => Err(api(500)),
                _ => Ok("done"),
            }
        })
        .await;
        assert_eq!(result.unwrap(), "done");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_refusal_is_not_retried_and_attempts_are_bounded() {
        let calls = AtomicU32::new(0);
        let refused: Result<(), _> = retry(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(api(422))
        })
        .await;
        assert!(refused.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        calls.store(0, Ordering::SeqCst);
        let failing: Result<(), _> = retry(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(api(503))
        })
        .await;
        assert!(failing.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), ATTEMPTS);
    }
}
