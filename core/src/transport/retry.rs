//! The retry layer of the client stack. A request the API server refused for
//! load (429, honouring its `Retry-After`; 503), timed out (504) or failed
//! briefly on (500, 502), or whose connection dropped, is sent again when
//! that is safe (see `policy.rs`), within a budget of attempts and time.
//!
//! Answers other than streams are read whole here, before kube sees them: a
//! connection cut in the middle of an answer is then one more dropped
//! connection, retried like one cut before the answer began. kube reads
//! them whole anyway, so this costs no memory it would not spend.

use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use kube::client::{Body, DynBody};
use tokio::sync::Mutex;
use tokio::time::Instant;
use tower::util::BoxService;
use tower::{BoxError, Layer, Service, ServiceExt as _};

use super::Stack;
use super::policy::{Budget, Kind, may_retry, pause, retry_after, retryable_status};

/// Adds retries to a client stack; see the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct RetryLayer {
    budget: Budget,
}

impl RetryLayer {
    /// A layer that retries within `budget`.
    pub fn new(budget: Budget) -> Self {
        RetryLayer { budget }
    }
}

impl Layer<Stack> for RetryLayer {
    type Service = Stack;

    fn layer(&self, inner: Stack) -> Stack {
        BoxService::new(Retry {
            inner: Arc::new(Mutex::new(inner)),
            budget: self.budget,
        })
    }
}

/// The service [`RetryLayer`] makes. The stack below is shared behind a
/// lock held only while a request is handed to it, so requests still run
/// in parallel.
struct Retry {
    inner: Arc<Mutex<Stack>>,
    budget: Budget,
}

type Answer = Response<Box<DynBody>>;

impl Service<Request<Body>> for Retry {
    type Response = Answer;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Answer, BoxError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        Box::pin(send(self.inner.clone(), self.budget, request))
    }
}

/// Sends `request` until it is answered for good or the budget is spent;
/// then the last answer (kube turns a refusal into its error) or error.
async fn send(
    inner: Arc<Mutex<Stack>>,
    budget: Budget,
    request: Request<Body>,
) -> Result<Answer, BoxError> {
    let kind = Kind::of(request.method(), request.uri(), request.headers());
    let started = Instant::now();
    let mut failed = 0;
    let mut request = request;
    loop {
        // A body that cannot be copied (a stream) is sent once.
        let again = copy(&request);
        let (outcome, asked) = match send_once(&inner, request).await {
            Ok(answer) if retryable_status(kind, answer.status()) => {
                let asked = retry_after(answer.headers());
                (Ok(answer), asked)
            }
            Ok(answer) if kind.streamed => return Ok(answer),
            Ok(answer) => match read_whole(answer).await {
                Err(error) if kind.idempotent => (Err(error), None),
                whole => return whole,
            },
            Err(error) if kind.idempotent && dropped_connection(&*error) => (Err(error), None),
            Err(error) => return Err(error),
        };
        failed += 1;
        let wait = pause(&budget, failed, asked, jitter());
        let Some(next) = again else {
            return outcome;
        };
        if !may_retry(&budget, failed, started.elapsed(), wait) {
            return outcome;
        }
        drop(outcome);
        tokio::time::sleep(wait).await;
        request = next;
    }
}

async fn send_once(inner: &Mutex<Stack>, request: Request<Body>) -> Result<Answer, BoxError> {
    let answer = {
        let mut service = inner.lock().await;
        service.ready().await?.call(request)
    };
    answer.await
}

/// The answer with its body read: a body cut short is an error here.
async fn read_whole(answer: Answer) -> Result<Answer, BoxError> {
    let (parts, body) = answer.into_parts();
    let bytes = body.collect().await?.to_bytes();
    let body: Box<DynBody> = Box::new(
        Full::new(bytes).map_err(|never: std::convert::Infallible| -> BoxError { match never {} }),
    );
    Ok(Response::from_parts(parts, body))
}

/// A copy of `request` to send again; `None` when its body is a stream.
fn copy(request: &Request<Body>) -> Option<Request<Body>> {
    let mut copy = Request::new(request.body().try_clone()?);
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    *copy.extensions_mut() = request.extensions().clone();
    Some(copy)
}

/// Whether the request failed for its connection (refused, reset, closed,
/// timed out) rather than for something a retry cannot change (credentials
/// that cannot be loaded, an address that is not one).
fn dropped_connection(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<std::io::Error>() || error.is::<hyper_util::client::legacy::Error>() {
            return true;
        }
        cause = error.source();
    }
    false
}

/// A number from 0 to 1, different each call, to spread pauses.
fn jitter() -> f64 {
    rand::random::<f64>()
}
