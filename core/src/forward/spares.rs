//! Streams opened ahead of the connections that will use them, when each
//! connection has its own WebSocket ([`super::transport`]; a SPDY session
//! needs none: a new stream on it costs no handshake).
//!
//! Opening a port-forward stream costs a TLS connection to the API server, a
//! WebSocket upgrade, and the API server's own connection to the kubelet:
//! tens of milliseconds, which kubectl pays once per session (it multiplexes
//! SPDY streams over one connection) but a WebSocket stream pays each time.
//! So a few streams to the current pod are kept open and handed to the next
//! connections; each is replaced after a while (the pod side has already
//! connected to the gateway, which may drop a connection that stays silent)
//! and when the pod changes.
//!
//! The stock adapts: a burst of new connections (a browser loading a page)
//! uses the spares faster than one round of openings replaces them, so when
//! the stock runs low its goal doubles (up to [`MAX_STOCK`]) and the
//! openings run at once; when spares grow old unused the goal halves back
//! towards the configured size. A connection that finds the stock empty
//! takes whichever comes first: a spare already being opened, or its own.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use kube::Client;
use tokio::sync::Notify;
use tokio::time::Instant;

use super::pods::{PodTarget, Selection};
use super::stream::ChannelStream;
use super::tracker::Tracker;

/// How long to wait before trying again when opening a spare fails.
const RETRY: Duration = Duration::from_secs(1);
/// The most spares kept, however fast connections come.
pub const MAX_STOCK: usize = 64;

struct Spare {
    target: PodTarget,
    opened: Instant,
    stream: ChannelStream,
}

/// The stock of spare streams, shared by the connections and the filler.
pub struct Spares {
    client: Client,
    namespace: String,
    /// The configured size: the goal when connections come slowly.
    size: usize,
    /// The current goal, between `size` and [`MAX_STOCK`].
    goal: AtomicUsize,
    /// Openings under way.
    opening: AtomicUsize,
    max_age: Duration,
    stock: Mutex<Vec<Spare>>,
    taken: Notify,
    arrived: Notify,
}

impl Spares {
    /// A stock of `size` streams, each used or replaced within `max_age`.
    pub fn new(client: Client, namespace: &str, size: usize, max_age: Duration) -> Arc<Self> {
        Arc::new(Self {
            client,
            namespace: namespace.to_string(),
            size,
            goal: AtomicUsize::new(size),
            opening: AtomicUsize::new(0),
            max_age,
            stock: Mutex::new(Vec::new()),
            taken: Notify::new(),
            arrived: Notify::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Spare>> {
        // Spares are only pushed and popped whole, so a panic elsewhere
        // cannot leave the stock half-updated.
        self.stock.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Puts a stream opened elsewhere (the one that settled the transport)
    /// in stock.
    pub fn put(&self, target: &PodTarget, stream: ChannelStream) {
        if self.size > 0 {
            self.lock().push(Spare {
                target: target.clone(),
                opened: Instant::now(),
                stream,
            });
        }
    }

    /// A live spare stream to this pod port, if one is in stock. Taking the
    /// stock below half its goal doubles the goal.
    pub fn take(&self, target: &PodTarget) -> Option<ChannelStream> {
        if self.size == 0 {
            return None;
        }
        let (taken, left) = {
            let mut stock = self.lock();
            self.prune(&mut stock, Some(target));
            let taken = stock.pop().map(|spare| spare.stream);
            (taken, stock.len())
        };
        let goal = self.goal.load(Ordering::Relaxed);
        if left + self.opening.load(Ordering::Relaxed) < goal.div_ceil(2) {
            self.goal
                .store((goal * 2).clamp(self.size, MAX_STOCK), Ordering::Relaxed);
        }
        self.taken.notify_one();
        taken
    }

    /// A spare to `target` as soon as one arrives (after [`Spares::take`]
    /// found none): for racing against opening a stream of one's own.
    /// Never resolves when no spares are kept.
    pub async fn next_arrival(&self, target: &PodTarget) -> ChannelStream {
        loop {
            let arrived = self.arrived.notified();
            if self.size > 0
                && let Some(stream) = self.take(target)
            {
                return stream;
            }
            arrived.await;
        }
    }

    /// Drops the spares that are too old, dead, or for another pod. Old
    /// spares nobody took halve the goal (not below the configured size).
    fn prune(&self, stock: &mut Vec<Spare>, target: Option<&PodTarget>) {
        let now = Instant::now();
        let mut expired = 0;
        stock.retain_mut(|spare| {
            let young = now.duration_since(spare.opened) < self.max_age;
            expired += usize::from(!young);
            target.is_some_and(|t| *t == spare.target) && young && spare.stream.is_alive()
        });
        if expired > 0 {
            let goal = self.goal.load(Ordering::Relaxed);
            self.goal
                .store((goal / 2).max(self.size), Ordering::Relaxed);
        }
    }

    /// Opens spares to `target` until the stock (with the openings under
    /// way) reaches its goal, all at once, each put in stock as soon as it
    /// is open, topping up as connections take them meanwhile; returns why
    /// the ones that failed did.
    pub async fn fill(&self, target: &PodTarget) -> Vec<kube::Error> {
        let mut opening = FuturesUnordered::new();
        let mut failures = Vec::new();
        // Topped up at the start and after each take, not after an opening
        // ends: spares that die at once (a pod side that closes them) must
        // not make this open streams in a loop.
        let mut top_up = true;
        loop {
            // After a failure, the next round (a second later) tries again.
            if top_up && failures.is_empty() {
                let missing = {
                    let mut stock = self.lock();
                    self.prune(&mut stock, Some(target));
                    let goal = self.goal.load(Ordering::Relaxed);
                    goal.saturating_sub(stock.len() + self.opening.load(Ordering::Relaxed))
                };
                self.opening.fetch_add(missing, Ordering::Relaxed);
                opening.extend((0..missing).map(|_| {
                    ChannelStream::open(&self.client, &self.namespace, &target.name, target.port)
                }));
            }
            top_up = false;
            if opening.is_empty() {
                return failures;
            }
            tokio::select! {
                Some(opened) = opening.next() => {
                    match opened {
                        Ok(stream) => self.lock().push(Spare {
                            target: target.clone(),
                            opened: Instant::now(),
                            stream,
                        }),
                        Err(error) => failures.push(error),
                    }
                    self.opening.fetch_sub(1, Ordering::Relaxed);
                    self.arrived.notify_waiters();
                }
                () = self.taken.notified() => top_up = true,
            }
        }
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
