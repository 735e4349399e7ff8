//! A proxy between the tool and the test cluster's API server that fails
//! requests on a schedule the test sets, as a loaded or flaky API server
//! does: it answers 429 (with `Retry-After`) or 503 in the API server's
//! own form, drops the connection before answering, or cuts it in the
//! middle of the real answer; and it ends watches as the API server does
//! when the version they start from is too old (an `ERROR` event, 410
//! Expired), which a watch survives only by listing again.
//!
//! To answer in HTTP it has to read HTTP: it ends TLS with a certificate of
//! its own (the kubeconfig it writes trusts that one), and forwards each
//! request to the real API server with the kit's credentials. Requests are
//! numbered as they arrive; request `n` meets the fault whose period
//! divides `n` (the first that does, in the order cut, dropped, 503, 429).
//! Watches that meet none of these are numbered among themselves too, from
//! each [`FaultProxy::set_schedule`] on: watch `w` expires when
//! `w - 1` is a multiple of its period (the first watch always does).

use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};

use anyhow::{Context, Result};
use base64::Engine as _;
use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_LENGTH, HOST, TRANSFER_ENCODING, UPGRADE};
use http::{HeaderMap, Request, Response, StatusCode};
use http_body::{Body as HttpBody, Frame};
use http_body_util::combinators::UnsyncBoxBody as BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use polyaxon_core::cluster::ClusterOptions;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

/// Every how many requests each fault comes; 0 is never.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Schedule {
    /// Answered 429 Too Many Requests with `Retry-After: 1`, not forwarded.
    pub too_many: u64,
    /// Answered 503 Service Unavailable, not forwarded.
    pub unavailable: u64,
    /// The connection closed before any answer, not forwarded.
    pub dropped: u64,
    /// Forwarded; the connection closed halfway through the answer.
    pub cut: u64,
    /// Watches 1, 1 + N, 1 + 2N, … (numbered among watches): answered with
    /// one `ERROR` event, 410 Expired, and ended; not forwarded.
    pub expired: u64,
}

impl Schedule {
    /// No faults: every request is forwarded and answered.
    pub const NONE: Schedule = Schedule {
        too_many: 0,
        unavailable: 0,
        dropped: 0,
        cut: 0,
        expired: 0,
    };

    /// The fault request `n` (from 1) meets, if any.
    pub fn fault(&self, n: u64) -> Option<Fault> {
        let every = |period: u64| period != 0 && n.is_multiple_of(period);
        if every(self.cut) {
            Some(Fault::Cut)
        } else if every(self.dropped) {
            Some(Fault::Dropped)
        } else if every(self.unavailable) {
            Some(Fault::Unavailable)
        } else if every(self.too_many) {
            Some(Fault::TooMany)
        } else {
            None
        }
    }

    /// Whether watch `w` (from 1, among watches that met no other fault)
    /// expires.
    pub fn expires(&self, w: u64) -> bool {
        self.expired != 0
            && w.checked_sub(1)
                .is_some_and(|v| v.is_multiple_of(self.expired))
    }
}

/// One kind of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After: 1`.
    TooMany,
    /// 503.
    Unavailable,
    /// Connection closed before answering.
    Dropped,
    /// Connection closed halfway through the real answer.
    Cut,
    /// A watch ended by an `ERROR` event 410 Expired.
    Expired,
}

/// What the proxy did since it started or was last asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Injected {
    /// Requests received.
    pub requests: u64,
    /// Of those, answered 429.
    pub too_many: u64,
    /// Answered 503.
    pub unavailable: u64,
    /// Dropped before answering.
    pub dropped: u64,
    /// Cut halfway through the answer.
    pub cut: u64,
    /// Watches ended as expired.
    pub expired: u64,
}

impl Injected {
    /// All faults injected.
    pub fn faults(&self) -> u64 {
        self.too_many + self.unavailable + self.dropped + self.cut + self.expired
    }
}

impl std::fmt::Display for Injected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requests, {} faults: {} answered 429, {} answered 503, {} dropped, {} cut mid-answer, {} watches expired",
            self.requests,
            self.faults(),
            self.too_many,
            self.unavailable,
            self.dropped,
            self.cut,
            self.expired
        )
    }
}

struct State {
    upstream: kube::Client,
    /// Requests numbered so far.
    numbered: std::sync::atomic::AtomicU64,
    /// Watches numbered since the schedule was set.
    watches: std::sync::atomic::AtomicU64,
    schedule: Mutex<Schedule>,
    counts: Mutex<Injected>,
}

/// A running proxy; stopped on drop.
pub struct FaultProxy {
    address: SocketAddr,
    ca_pem: String,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultProxy {
    /// Starts a proxy to the test cluster on a free local port, with no
    /// faults scheduled.
    pub async fn start() -> Result<FaultProxy> {
        let mut config = ClusterOptions {
            kubeconfig: Some(crate::kubeconfig()),
            context: None,
        }
        .config()
        .await?;
        // Answers pass through as the API server gave them.
        config.default_retry = false;
        let upstream = kube::Client::try_from(config)?;

        let certified = rcgen::generate_simple_self_signed(vec![
            "127.0.0.1".to_string(),
            "localhost".to_string(),
        ])
        .context("making the proxy's certificate")?;
        let ca_pem = certified.cert.pem();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(
            rustls::pki_types::PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()),
        );
        let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)?;
        let acceptor = TlsAcceptor::from(Arc::new(tls));

        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let state = Arc::new(State {
            upstream,
            numbered: std::sync::atomic::AtomicU64::new(0),
            watches: std::sync::atomic::AtomicU64::new(0),
            schedule: Mutex::new(Schedule::NONE),
            counts: Mutex::new(Injected::default()),
        });
        let serving = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let state = serving.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = service_fn(move |request| handle(state.clone(), request));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        Ok(FaultProxy {
            address,
            ca_pem,
            state,
            task,
        })
    }

    /// Sets the faults from the next request on; watches are numbered
    /// from 1 again.
    pub fn set_schedule(&self, schedule: Schedule) {
        if let Ok(mut current) = self.state.schedule.lock() {
            *current = schedule;
            self.state
                .watches
                .store(0, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// A client of the tool's own making (its transport, its retries) that
    /// goes through the proxy; `kubeconfig` is where its kubeconfig is
    /// written.
    pub async fn client(&self, kubeconfig: &Path) -> Result<kube::Client> {
        self.write_kubeconfig(kubeconfig)?;
        Ok(ClusterOptions {
            kubeconfig: Some(kubeconfig.to_path_buf()),
            context: None,
        }
        .client()
        .await?)
    }

    /// What the proxy did since the last call (or its start); counting
    /// starts again from zero, request numbers do not.
    pub fn take_injected(&self) -> Injected {
        self.state
            .counts
            .lock()
            .map(|mut counts| std::mem::take(&mut *counts))
            .unwrap_or_default()
    }

    /// Writes a kubeconfig for the tool that points at the proxy and trusts
    /// its certificate (and carries no credentials: the proxy adds the kit's).
    pub fn write_kubeconfig(&self, path: &Path) -> Result<()> {
        let ca = base64::engine::general_purpose::STANDARD.encode(&self.ca_pem);
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: faults\n  cluster:\n    server: https://{}\n    certificate-authority-data: {ca}\nusers:\n- name: faults\n  user: {{}}\ncontexts:\n- name: faults\n  context:\n    cluster: faults\n    user: faults\ncurrent-context: faults\n",
            self.address
        );
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type ProxyBody = BoxBody<Bytes, BoxError>;

async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<ProxyBody>, BoxError> {
    let fault = {
        let schedule = *state
            .schedule
            .lock()
            .map_err(|_| "schedule lock poisoned")?;
        let mut counts = state.counts.lock().map_err(|_| "counts lock poisoned")?;
        counts.requests += 1;
        let n = state
            .numbered
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            + 1;
        let fault = schedule.fault(n).or_else(|| {
            let w = is_watch(request.uri()).then(|| {
                state
                    .watches
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                    + 1
            })?;
            schedule.expires(w).then_some(Fault::Expired)
        });
        match fault {
            Some(Fault::TooMany) => counts.too_many += 1,
            Some(Fault::Unavailable) => counts.unavailable += 1,
            Some(Fault::Dropped) => counts.dropped += 1,
            Some(Fault::Cut) => counts.cut += 1,
            Some(Fault::Expired) => counts.expired += 1,
            None => {}
        }
        fault
    };
    match fault {
        Some(Fault::TooMany) => {
            return Ok(refusal(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "too many requests, please try again later",
                Some(1),
            ));
        }
        Some(Fault::Unavailable) => {
            return Ok(refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "the server is currently unable to handle the request",
                None,
            ));
        }
        // An error from the service makes hyper close the connection
        // without an answer.
        Some(Fault::Dropped) => return Err("dropped by the fault proxy".into()),
        Some(Fault::Expired) => return Ok(expired()),
        Some(Fault::Cut) | None => {}
    }
    let (parts, body) = request.into_parts();
    let sent = body.collect().await?.to_bytes();
    let mut forward = Request::builder()
        .method(parts.method)
        .uri(parts.uri)
        .body(kube::client::Body::from(sent.to_vec()))?;
    *forward.headers_mut() = without_hop_headers(parts.headers);
    let answer = state.upstream.send(forward).await?;
    let (mut parts, body) = answer.into_parts();
    let length = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    parts.headers = without_hop_headers(parts.headers);
    if let Some(length) = length {
        parts
            .headers
            .insert(CONTENT_LENGTH, http::HeaderValue::from(length));
    }
    let body = body.map_err(BoxError::from);
    let body: ProxyBody = if fault == Some(Fault::Cut) {
        // Half of a known length; of a stream (a watch), its first bytes.
        let allowed = length.map_or(1, |l| l / 2);
        BoxBody::new(CutBody {
            inner: BoxBody::new(body),
            allowed,
        })
    } else {
        BoxBody::new(body)
    };
    Ok(Response::from_parts(parts, body))
}

/// Whether the request starts a watch.
fn is_watch(uri: &http::Uri) -> bool {
    uri.query()
        .is_some_and(|q| q.split('&').any(|p| p == "watch=true" || p == "watch=1"))
}

/// A watch's answer when the version it starts from is too old (etcd
/// compacted it, or the API server restarted): 200, one `ERROR` event
/// carrying a 410 `Status`, and the end of the stream.
fn expired() -> Response<ProxyBody> {
    let event = serde_json::json!({
        "type": "ERROR",
        "object": {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": "too old resource version",
            "reason": "Expired",
            "code": 410,
        },
    });
    let mut response = Response::new(BoxBody::new(
        Full::new(Bytes::from(format!("{event}\n")))
            .map_err(|never: std::convert::Infallible| -> BoxError { match never {} }),
    ));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// Headers that belong to one connection, not to the request.
fn without_hop_headers(mut headers: HeaderMap) -> HeaderMap {
    for name in [HOST, CONNECTION, CONTENT_LENGTH, TRANSFER_ENCODING, UPGRADE] {
        headers.remove(name);
    }
    headers.remove("keep-alive");
    headers
}

/// A refusal as the API server words one: a `Status` object.
fn refusal(
    code: StatusCode,
    reason: &str,
    message: &str,
    retry_after: Option<u64>,
) -> Response<ProxyBody> {
    let status = serde_json::json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "details": retry_after.map(|s| serde_json::json!({"retryAfterSeconds": s})),
        "code": code.as_u16(),
    });
    let mut response = Response::new(BoxBody::new(
        Full::new(Bytes::from(status.to_string()))
            .map_err(|never: std::convert::Infallible| -> BoxError { match never {} }),
    ));
    *response.status_mut() = code;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
    }
    response
}

/// A body that passes `allowed` bytes of the real one, then fails (and
/// hyper closes the connection).
struct CutBody {
    inner: ProxyBody,
    allowed: usize,
}

impl HttpBody for CutBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if self.allowed == 0 {
            return Poll::Ready(Some(Err("cut by the fault proxy".into())));
        }
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                Ok(data) => {
                    let passed = data.len().min(self.allowed);
                    self.allowed -= passed;
                    Poll::Ready(Some(Ok(Frame::data(data.slice(..passed)))))
                }
                Err(frame) => Poll::Ready(Some(Ok(frame))),
            },
            // The real answer ended before the cut: cut now.
            Poll::Ready(None) => Poll::Ready(Some(Err("cut by the fault proxy".into()))),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_fault_comes_on_its_period_and_a_cut_wins_a_tie() {
        let schedule = Schedule {
            too_many: 2,
            unavailable: 3,
            dropped: 5,
            cut: 7,
            expired: 3,
        };
        let faults: Vec<Option<Fault>> = (1..=8).map(|n| schedule.fault(n)).collect();
        assert_eq!(
            faults,
            [
                None,
                Some(Fault::TooMany),
                Some(Fault::Unavailable),
                Some(Fault::TooMany),
                Some(Fault::Dropped),
                Some(Fault::Unavailable),
                Some(Fault::Cut),
                Some(Fault::TooMany),
            ]
        );
        assert_eq!(schedule.fault(35), Some(Fault::Cut));
        assert!((1..100).all(|n| Schedule::NONE.fault(n).is_none()));
    }

    #[test]
    fn the_first_watch_expires_then_every_nth() {
        let schedule = Schedule {
            expired: 3,
            ..Schedule::NONE
        };
        let expiring: Vec<u64> = (1..=8).filter(|&w| schedule.expires(w)).collect();
        assert_eq!(expiring, [1, 4, 7]);
        assert!((1..100).all(|w| !Schedule::NONE.expires(w)));
        assert!(is_watch(
            &"/api/v1/namespaces/n/pods?watch=true&resourceVersion=5"
                .parse()
                .expect("uri")
        ));
        assert!(!is_watch(
            &"/api/v1/namespaces/n/pods?watchers=true"
                .parse()
                .expect("uri")
        ));
    }
}
