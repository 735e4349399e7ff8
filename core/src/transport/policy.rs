//! When a request may be sent again, and after how long: the decisions the
//! retry layer (`retry.rs`) acts on, as pure functions of the request's
//! method, address and headers, the answer's status and the time spent.
//!
//! What makes a request safe to repeat is what a second copy would do if the
//! first one had reached the API server after all. Reads, server-side applies,
//! merge patches, replaces and deletes end in the same state when sent twice;
//! a POST may create a second object, so it is sent again only when the
//! server said it did not process it (429), and after a dropped connection
//! its caller looks for the object instead.

use std::time::Duration;

use http::header::{CONTENT_TYPE, RETRY_AFTER, UPGRADE};
use http::{HeaderMap, Method, StatusCode, Uri};

/// What kind of request this is, for retrying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// Sending it twice leaves the cluster as sending it once.
    pub idempotent: bool,
    /// Its answer is a stream (a watch, followed logs, a WebSocket upgrade):
    /// it is handed over as it comes, not read whole here, and the reader
    /// resumes it when it breaks.
    pub streamed: bool,
}

/// POSTs that create nothing: access reviews ask a question.
const REVIEWS: [&str; 4] = [
    "/selfsubjectaccessreviews",
    "/selfsubjectrulesreviews",
    "/subjectaccessreviews",
    "/tokenreviews",
];

impl Kind {
    /// The kind of a request with this method, address and headers.
    pub fn of(method: &Method, uri: &Uri, headers: &HeaderMap) -> Kind {
        let query = uri.query().unwrap_or_default();
        let has = |pair: &str| query.split('&').any(|p| p == pair);
        let streamed = has("watch=true")
            || has("watch=1")
            || has("follow=true")
            || headers.contains_key(UPGRADE);
        let dry_run = query.split('&').any(|p| p.starts_with("dryRun="));
        let idempotent = match *method {
            Method::POST => dry_run || REVIEWS.iter().any(|r| uri.path().ends_with(r)),
            // A JSON patch may add to a list each time it is sent; every
            // other patch (apply, merge, strategic merge) sets values.
            Method::PATCH => headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|t| !t.starts_with("application/json-patch")),
            _ => true,
        };
        Kind {
            idempotent,
            streamed,
        }
    }
}

/// Whether an answer with `status` is worth sending the request again: the
/// server was overloaded (429, 503), timed out (504) or failed briefly (500,
/// 502). Only a 429 says the request was not processed at all, so only it
/// repeats a request that is not idempotent.
pub fn retryable_status(kind: Kind, status: StatusCode) -> bool {
    match status.as_u16() {
        429 => true,
        500 | 502 | 503 | 504 => kind.idempotent,
        _ => false,
    }
}

/// How many times and for how long a request is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// Time from the first attempt after which no further one starts.
    pub total: Duration,
    /// The pause after the first failed attempt; it doubles after each.
    pub first_pause: Duration,
    /// The longest pause of the doubling.
    pub longest_pause: Duration,
    /// The longest `Retry-After` honoured; a longer one is waited this long.
    pub longest_retry_after: Duration,
}

impl Default for Budget {
    /// Six attempts within 30 s: an API server restarting or shedding load
    /// answers again within that; a longer outage is the user's to see.
    fn default() -> Self {
        Budget {
            attempts: 6,
            total: Duration::from_secs(30),
            first_pause: Duration::from_millis(250),
            longest_pause: Duration::from_secs(4),
            longest_retry_after: Duration::from_secs(10),
        }
    }
}

/// The `Retry-After` of an answer in seconds (the form the API server
/// sends); an HTTP date or anything else counts as absent.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The pause before attempt `failed + 1`, after `failed` attempts failed:
/// the server's `Retry-After` when it gave one (at most
/// [`Budget::longest_retry_after`]), else the doubling backoff spread by
/// `jitter` (0 to 1) over its upper half, so that parallel requests refused
/// together do not come back together.
pub fn pause(budget: &Budget, failed: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
    if let Some(asked) = retry_after {
        return asked.min(budget.longest_retry_after);
    }
    let doubling = 2u32.saturating_pow(failed.saturating_sub(1));
    let backoff = budget
        .first_pause
        .saturating_mul(doubling)
        .min(budget.longest_pause);
    backoff.mul_f64(0.5 + jitter.clamp(0.0, 1.0) / 2.0)
}

/// Whether another attempt fits the budget: attempts left, and the pause
/// ends before the total time is up.
pub fn may_retry(budget: &Budget, failed: u32, elapsed: Duration, pause: Duration) -> bool {
    failed < budget.attempts && elapsed + pause <= budget.total
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn kind(method: &Method, uri: &str, content_type: Option<&str>) -> Kind {
        let mut headers = HeaderMap::new();
        if let Some(t) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(t).unwrap());
        }
        Kind::of(method, &uri.parse().unwrap(), &headers)
    }

    #[test]
    fn reads_applies_replaces_and_deletes_are_idempotent_creates_and_json_patches_not() {
        let secrets = "/api/v1/namespaces/p/secrets";
        for (method, uri, content_type) in [
            (Method::GET, secrets, None),
            (Method::PUT, "/api/v1/namespaces/p/secrets/x", None),
            (Method::DELETE, "/api/v1/namespaces/p/secrets/x", None),
            (
                Method::PATCH,
                "/apis/apps/v1/namespaces/p/deployments/x?fieldManager=polyaxon&force=true",
                Some("application/apply-patch+yaml"),
            ),
            (
                Method::PATCH,
                "/api/v1/namespaces/p/secrets/x",
                Some("application/merge-patch+json"),
            ),
            (
                Method::POST,
                "/api/v1/namespaces/p/secrets?dryRun=All",
                None,
            ),
            (
                Method::POST,
                "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                None,
            ),
        ] {
            assert!(
                kind(&method, uri, content_type).idempotent,
                "{method} {uri}"
            );
        }
        assert!(!kind(&Method::POST, secrets, None).idempotent);
        assert!(
            !kind(
                &Method::PATCH,
                "/api/v1/namespaces/p/secrets/x",
                Some("application/json-patch+json")
            )
            .idempotent
        );
    }

    #[test]
    fn watches_followed_logs_and_upgrades_are_streams() {
        let watch = kind(
            &Method::GET,
            "/api/v1/namespaces/p/pods?fieldSelector=metadata.name%3Dx&watch=true&resourceVersion=5",
            None,
        );
        assert!(watch.streamed && watch.idempotent);
        assert!(
            kind(
                &Method::GET,
                "/api/v1/namespaces/p/pods/x/log?follow=true",
                None
            )
            .streamed
        );
        assert!(
            !kind(
                &Method::GET,
                "/api/v1/namespaces/p/pods?watchers=true",
                None
            )
            .streamed
        );
        let mut headers = HeaderMap::new();
        headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
        let forward = Kind::of(
            &Method::GET,
            &"/api/v1/namespaces/p/pods/x/portforward?ports=80"
                .parse()
                .unwrap(),
            &headers,
        );
        assert!(forward.streamed);
    }

    #[test]
    fn only_a_429_repeats_a_create_server_failures_repeat_idempotent_requests() {
        let create = kind(&Method::POST, "/api/v1/namespaces/p/secrets", None);
        let read = kind(&Method::GET, "/api/v1/namespaces/p/secrets", None);
        for code in [429, 500, 502, 503, 504] {
            let status = StatusCode::from_u16(code).unwrap();
            assert!(retryable_status(read, status), "{code}");
            assert_eq!(retryable_status(create, status), code == 429, "{code}");
        }
        for code in [200, 201, 400, 401, 403, 404, 409, 410, 422] {
            let status = StatusCode::from_u16(code).unwrap();
            assert!(!retryable_status(read, status), "{code}");
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_its_cap_and_backoff_doubles_up_to_its_own() {
        let budget = Budget::default();
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        let asked = retry_after(&headers);
        assert_eq!(asked, Some(Duration::from_secs(2)));
        assert_eq!(pause(&budget, 1, asked, 0.3), Duration::from_secs(2));
        assert_eq!(
            pause(&budget, 1, Some(Duration::from_secs(3600)), 0.3),
            budget.longest_retry_after
        );
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);

        // Without jitter's spread: the upper end of each pause.
        let pauses: Vec<Duration> = (1..=6).map(|n| pause(&budget, n, None, 1.0)).collect();
        assert_eq!(
            pauses,
            [250, 500, 1000, 2000, 4000, 4000].map(Duration::from_millis)
        );
        assert_eq!(pause(&budget, 3, None, 0.0), Duration::from_millis(500));
        assert_eq!(pause(&budget, u32::MAX, None, 1.0), budget.longest_pause);
    }

    #[test]
    fn attempts_and_total_time_are_bounded() {
        let budget = Budget::default();
        let short = Duration::from_millis(250);
        assert!(may_retry(&budget, 1, Duration::ZERO, short));
        assert!(!may_retry(&budget, budget.attempts, Duration::ZERO, short));
        assert!(may_retry(
            &budget,
            2,
            Duration::from_secs(20),
            Duration::from_secs(10)
        ));
        assert!(!may_retry(
            &budget,
            2,
            Duration::from_secs(25),
            Duration::from_secs(10)
        ));
        // The worst case of every attempt refused without Retry-After stays
        // far inside the total.
        let worst: Duration = (1..budget.attempts)
            .map(|n| pause(&budget, n, None, 1.0))
            .sum();
        assert!(worst < budget.total, "{worst:?}");
    }
}
