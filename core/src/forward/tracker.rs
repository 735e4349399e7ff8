//! Follows the pods behind the Service while the forward runs, so that when
//! the chosen pod goes away (deleted, rescheduled, rolled) new connections go
//! to the next Ready pod without the user restarting anything.

use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::runtime::{WatchStreamExt, reflector, watcher};
use kube::{Api, ResourceExt};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::events::{EventSender, ForwardEvent, PodLeft};
use super::gateway::TargetPort;
use super::pods::{PodProblem, PodTarget, Selection, choose, why_not_usable};

/// A handle on the pod choice, shared by every connection.
#[derive(Clone)]
pub struct Tracker {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    selection: watch::Sender<Selection>,
    target: TargetPort,
    events: EventSender,
}

struct State {
    pods: Vec<Arc<Pod>>,
    selection: Selection,
    /// Pods that refused a connection since they last accepted one.
    avoid: Vec<String>,
}

impl Tracker {
    /// Starts following the pods matching `selector`, beginning from the
    /// pods already listed and the pod already chosen.
    pub fn start(
        api: Api<Pod>,
        selector: &str,
        target: TargetPort,
        pods: Vec<Pod>,
        chosen: PodTarget,
        events: EventSender,
    ) -> (Self, JoinHandle<()>) {
        let selection = Selection::Ready(chosen);
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                pods: pods.into_iter().map(Arc::new).collect(),
                selection: selection.clone(),
                avoid: Vec::new(),
            }),
            selection: watch::Sender::new(selection),
            target,
            events,
        });
        let task = tokio::spawn(follow(api, selector.to_string(), shared.clone()));
        (Self { shared }, task)
    }

    /// The pod for a new connection, waiting up to `wait` for one to be
    /// Ready; otherwise why none is.
    pub async fn next_target(&self, wait: Duration) -> Result<PodTarget, Vec<PodProblem>> {
        let mut selection = self.shared.selection.subscribe();
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Selection::Ready(target) = &*selection.borrow_and_update() {
                return Ok(target.clone());
            }
            let changed = tokio::time::timeout_at(deadline, selection.changed()).await;
            if !matches!(changed, Ok(Ok(()))) {
                return match &*selection.borrow() {
                    Selection::Ready(target) => Ok(target.clone()),
                    Selection::NoneReady(problems) => Err(problems.clone()),
                };
            }
        }
    }

    /// Follows the choice: the current selection and its changes.
    pub fn subscribe(&self) -> watch::Receiver<Selection> {
        self.shared.selection.subscribe()
    }

    /// A connection to this pod failed: prefer another Ready pod if any.
    pub fn report_failed(&self, pod: &str) {
        let mut state = self.shared.lock();
        if !state.avoid.iter().any(|p| p == pod) {
            state.avoid.push(pod.to_string());
        }
        self.shared.recompute(&mut state);
    }

    /// A connection to this pod worked: it is no longer avoided.
    pub fn report_ok(&self, pod: &str) {
        let mut state = self.shared.lock();
        if state.avoid.iter().any(|p| p == pod) {
            state.avoid.retain(|p| p != pod);
            self.shared.recompute(&mut state);
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is replaced wholesale on every update, so a panic
        // elsewhere cannot leave it half-written.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn update_pods(&self, pods: Vec<Arc<Pod>>) {
        let mut state = self.lock();
        state.pods = pods;
        let present = |name: &String, pods: &[Arc<Pod>]| pods.iter().any(|p| p.name_any() == *name);
        let pods = state.pods.clone();
        state.avoid.retain(|name| present(name, &pods));
        self.recompute(&mut state);
    }

    fn recompute(&self, state: &mut State) {
        let current = match &state.selection {
            Selection::Ready(target) => Some(target.name.clone()),
            Selection::NoneReady(_) => None,
        };
        let refs: Vec<&Pod> = state.pods.iter().map(Arc::as_ref).collect();
        let next = choose(&refs, &self.target, current.as_deref(), &state.avoid);
        if next == state.selection {
            return;
        }
        let event = match (&state.selection, &next) {
            (Selection::Ready(old), Selection::Ready(new)) if old.name != new.name => {
                Some(ForwardEvent::PodSwitched {
                    from: Some(self.why_left(state, &old.name)),
                    to: new.clone(),
                })
            }
            (Selection::Ready(old), Selection::NoneReady(problems)) => {
                Some(ForwardEvent::PodLost {
                    left: self.why_left(state, &old.name),
                    problems: problems.clone(),
                })
            }
            (Selection::NoneReady(_), Selection::Ready(new)) => Some(ForwardEvent::PodSwitched {
                from: None,
                to: new.clone(),
            }),
            _ => None,
        };
        state.selection = next.clone();
        self.selection.send_replace(next);
        if let Some(event) = event {
            let _ = self.events.send(event);
        }
    }

    fn why_left(&self, state: &State, name: &str) -> PodLeft {
        let pod = state.pods.iter().find(|p| p.name_any() == name);
        let why = match pod {
            None => "was deleted".to_string(),
            Some(_) if state.avoid.iter().any(|a| a == name) => "refused a connection".to_string(),
            Some(pod) => why_not_usable(pod, &self.target)
                .unwrap_or_else(|| "is no longer Ready".to_string()),
        };
        PodLeft {
            pod: name.to_string(),
            why,
        }
    }
}

/// Watches the pods and feeds every change into the choice. Runs until aborted.
async fn follow(api: Api<Pod>, selector: String, shared: Arc<Shared>) {
    let (reader, writer) = reflector::store::<Pod>();
    let config = watcher::Config::default().labels(&selector);
    let mut stream = pin!(reflector(writer, watcher(api, config)).default_backoff());
    let mut last_error: Option<String> = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(watcher::Event::Init | watcher::Event::InitApply(_)) => {}
            Ok(_) => {
                if last_error.take().is_some() {
                    let _ = shared.events.send(ForwardEvent::WatchRecovered);
                }
                shared.update_pods(reader.state());
            }
            Err(error) => {
                let message = error.to_string();
                if last_error.as_deref() != Some(message.as_str()) {
                    let _ = shared.events.send(ForwardEvent::WatchFailed {
                        message: message.clone(),
                    });
                    last_error = Some(message);
                }
            }
        }
    }
}
