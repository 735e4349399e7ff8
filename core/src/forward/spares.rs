//! Streams opened ahead of the connections that will use them.
//!
//! Opening a port-forward stream costs a TLS connection to the API server, a
//! WebSocket upgrade, and the API server's own connection to the kubelet:
//! tens of milliseconds, which kubectl pays once per session (it multiplexes
//! SPDY streams over one connection) but a WebSocket stream pays each time.
//! So a few streams to the current pod are kept open and handed to the next
//! connections; each is replaced after a while (the pod side has already
//! connected to the gateway, which may drop a connection that stays silent)
//! and when the pod changes.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use kube::Client;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::pods::{PodTarget, Selection};
use super::stream::PodStream;
use super::tracker::Tracker;

/// How long to wait before trying again when opening a spare fails.
const RETRY: Duration = Duration::from_secs(1);

struct Spare {
    target: PodTarget,
    opened: Instant,
    stream: PodStream,
}

/// The stock of spare streams, shared by the connections and the filler.
pub struct Spares {
    client: Client,
    namespace: String,
    size: usize,
    max_age: Duration,
    stock: Mutex<Vec<Spare>>,
    taken: Notify,
}

impl Spares {
    /// A stock of `size` streams, each used or replaced within `max_age`.
    pub fn new(client: Client, namespace: &str, size: usize, max_age: Duration) -> Arc<Self> {
        Arc::new(Self {
            client,
            namespace: namespace.to_string(),
            size,
            max_age,
            stock: Mutex::new(Vec::new()),
            taken: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Spare>> {
        // Spares are only pushed and popped whole, so a panic elsewhere
        // cannot leave the stock half-updated.
        self.stock.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A live spare stream to this pod port, if one is in stock.
    pub fn take(&self, target: &PodTarget) -> Option<PodStream> {
        if self.size == 0 {
            return None;
        }
        let taken = {
            let mut stock = self.lock();
            self.prune(&mut stock, Some(target));
            stock.pop().map(|spare| spare.stream)
        };
        self.taken.notify_one();
        taken
    }

    /// Drops the spares that are too old, dead, or for another pod.
    fn prune(&self, stock: &mut Vec<Spare>, target: Option<&PodTarget>) {
        let now = Instant::now();
        stock.retain_mut(|spare| {
            target.is_some_and(|t| *t == spare.target)
                && now.duration_since(spare.opened) < self.max_age
                && spare.stream.is_alive()
        });
    }

    /// Opens spares to `target` until the stock is full; returns why the
    /// ones that failed did.
    pub async fn fill(&self, target: &PodTarget) -> Vec<kube::Error> {
        let missing = {
            let mut stock = self.lock();
            self.prune(&mut stock, Some(target));
            self.size.saturating_sub(stock.len())
        };
        let opening = (0..missing)
            .map(|_| PodStream::open(&self.client, &self.namespace, &target.name, target.port));
        let mut failures = Vec::new();
        for opened in futures::future::join_all(opening).await {
            match opened {
                Ok(stream) => self.lock().push(Spare {
                    target: target.clone(),
                    opened: Instant::now(),
                    stream,
                }),
                Err(error) => failures.push(error),
            }
        }
        failures
    }

    /// Keeps the stock full of streams to the tracker's current pod. Runs
    /// until aborted.
    pub async fn keep_filled(self: Arc<Self>, tracker: Tracker) {
        if self.size == 0 {
            return;
        }
        let mut selection = tracker.subscribe();
        loop {
            let target = match &*selection.borrow_and_update() {
                Selection::Ready(target) => Some(target.clone()),
                Selection::NoneReady(_) => None,
            };
            let failed = match &target {
                Some(target) => !self.fill(target).await.is_empty(),
                None => {
                    self.prune(&mut self.lock(), None);
                    false
                }
            };
            // Wake to refill after a take, to follow a pod change, and to
            // replace spares before they are too old.
            let refresh = if failed { RETRY } else { self.max_age / 2 };
            tokio::select! {
                () = self.taken.notified() => {}
                changed = selection.changed() => if changed.is_err() { return },
                () = tokio::time::sleep(refresh) => {}
            }
        }
    }
}
