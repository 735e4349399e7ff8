//! The one builder of the platform's workloads. Every Deployment of the
//! platform chart (the API, the Celery services, flower, the 1.x gateway and
//! API) is built the same way: a main container of the service's image, pull
//! policy and resources, reading the platform's config (`envFrom`) and the
//! backends' passwords (`env`), on the service's scheduling; what differs
//! (arguments, probes, ports, mounts, which config it reads, the service
//! account) is said to the builder.

use k8s_openapi::api::core::v1::{ContainerPort, EnvVar, Probe};

use super::Platform;
use super::env;
use crate::config::schema::ServiceSettings;
use crate::render::agent;
use crate::render::connections::Mounts;
use crate::render::ctx::Ctx;
use crate::render::labels::Role;
use crate::render::names;
use crate::render::pod::{self, Defaults, ProbeTiming, Scheduling, Workload};
use crate::render::values::Values;

/// What the chart gives a service's main container where its section says
/// nothing (the tag is the pinned version).
#[derive(Debug, Clone, Copy)]
pub struct ChartDefaults {
    /// Image repository.
    pub image: &'static str,
    /// CPU and memory requests.
    pub requests: (&'static str, &'static str),
    /// CPU and memory limits (with `limitResources`).
    pub limits: (&'static str, &'static str),
}

/// A platform workload being described; [`PlatformPod::build`] makes it a
/// [`Workload`].
pub struct PlatformPod<'s, S: ServiceSettings> {
    service: &'s S,
    name: String,
    container: String,
    role: Role,
    defaults: ChartDefaults,
    args: Option<Vec<String>>,
    env: Vec<EnvVar>,
    reads: Reads,
    mounts: Mounts,
    ports: Vec<ContainerPort>,
    probe: Option<Probe>,
    replicas: i32,
    scheduling: Scheduling,
    service_account: Option<String>,
    resources: bool,
}

/// Which of the release's config a pod reads besides the common one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// The platform's config and Secret (`config.envFrom.secret`,
    /// `config.envFrom.platform`) and the backends' passwords.
    Platform,
    /// Those and the proxies config (the servers and the Celery workers).
    PlatformAndProxies,
    /// Only the proxies config (the 1.x nginx gateway).
    Proxies,
}

impl<'s, S: ServiceSettings> PlatformPod<'s, S> {
    /// The workload `<fullname>-<part>` of `service`, its container named
    /// `polyaxon-<part>`, one replica, on the service's scheduling.
    pub fn new(
        ctx: &Ctx<'_>,
        values: &Values<'_>,
        part: &str,
        service: &'s S,
        defaults: ChartDefaults,
        role: Role,
    ) -> Self {
        PlatformPod {
            service,
            name: names::component(ctx.release, part),
            container: format!("polyaxon-{part}"),
            role,
            defaults,
            args: None,
            env: Vec::new(),
            reads: Reads::Platform,
            mounts: Mounts::default(),
            ports: Vec::new(),
            probe: None,
            replicas: 1,
            scheduling: Scheduling::of(values, service),
            service_account: None,
            resources: true,
        }
    }

    /// Names the object (and what selects it) `name` instead of `<fullname>-<part>`.
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// Names the main container `name` instead of `polyaxon-<part>`.
    pub fn container(mut self, name: &str) -> Self {
        self.container = name.to_string();
        self
    }

    /// The container's arguments.
    pub fn args(mut self, args: Vec<String>) -> Self {
        self.args = Some(args);
        self
    }

    /// Env vars of its own, before the backends' passwords.
    pub fn env(mut self, env: Vec<EnvVar>) -> Self {
        self.env.extend(env);
        self
    }

    /// Which config the pod reads.
    pub fn reads(mut self, reads: Reads) -> Self {
        self.reads = reads;
        self
    }

    /// Volumes, mounts and the env they bring.
    pub fn mounts(mut self, mounts: Mounts) -> Self {
        self.mounts.extend(mounts);
        self
    }

    /// The container ports.
    pub fn ports(mut self, ports: Vec<ContainerPort>) -> Self {
        self.ports = ports;
        self
    }

    /// The liveness and readiness probe (the charts use one for both).
    pub fn probe(mut self, probe: Probe) -> Self {
        self.probe = Some(probe);
        self
    }

    /// The replicas.
    pub fn replicas(mut self, replicas: i32) -> Self {
        self.replicas = replicas;
        self
    }

    /// Scheduling other than the service's own-else-global.
    pub fn scheduling(mut self, scheduling: Scheduling) -> Self {
        self.scheduling = scheduling;
        self
    }

    /// Runs the pods as the agent's ServiceAccount when the chart does
    /// (`config.agent.sa`).
    pub fn agent_service_account(mut self, ctx: &Ctx<'_>, values: &Values<'_>) -> Self {
        self.service_account = agent::agent_service_account(ctx, values);
        self
    }

    /// Sets resources only when the section gives them (the charts' flower
    /// and hooks set none).
    pub fn resources_when_given(mut self) -> Self {
        self.resources = self.service.resources().is_some();
        self
    }

    /// The workload.
    pub fn build(self, ctx: &Ctx<'_>, values: &Values<'_>, platform: &Platform) -> Workload {
        let n = &platform.n;
        let mut env_from = match self.reads {
            Reads::Platform => env::sources(values, n, false),
            Reads::PlatformAndProxies => env::sources(values, n, true),
            Reads::Proxies => {
                let mut list = crate::render::common::env_common(values, n);
                list.push(crate::render::common::from_config_map(&n.proxies));
                list
            }
        };
        env_from.extend(self.mounts.env_from.clone());
        let mut env = self.env;
        if self.reads != Reads::Proxies {
            env.extend(platform.backends.env(ctx, values));
        }
        env.extend(self.mounts.env.clone());
        let defaults = Defaults {
            image: self.defaults.image,
            tag: &ctx.version,
            requests: self.defaults.requests,
            limits: self.defaults.limits,
        };
        let mut container = pod::service_container(
            values,
            &self.container,
            self.service,
            defaults,
            env_from,
            env,
            self.mounts.mounts.clone(),
        );
        if !self.resources {
            container.resources = None;
        }
        container.args = self.args;
        container.ports = (!self.ports.is_empty()).then_some(self.ports);
        container.liveness_probe = self.probe.clone();
        container.readiness_probe = self.probe;
        Workload {
            name: self.name,
            role: Some(self.role),
            replicas: self.replicas,
            container,
            volumes: self.mounts.volumes,
            service_account: self.service_account,
            scheduling: self.scheduling,
            pull_secrets: pod::pull_secrets_of(values, self.service),
            ..Workload::default()
        }
    }
}

/// `probe` at another `timing` than its own.
pub fn timed(mut probe: Probe, timing: ProbeTiming) -> Probe {
    probe.initial_delay_seconds = Some(timing.initial_delay);
    probe.period_seconds = Some(timing.period);
    probe.timeout_seconds = Some(timing.timeout);
    probe
}

/// A probe timing: `initial_delay` seconds before the first, then every
/// `period`, each given `timeout`.
pub fn timing(initial_delay: i32, period: i32, timeout: i32) -> ProbeTiming {
    ProbeTiming {
        initial_delay,
        period,
        timeout,
    }
}

/// Replicas: the service's, else `globalReplicas` (seed), else one.
pub fn replicas(values: &Values<'_>, given: Option<i64>) -> i32 {
    crate::render::agent::replicas(given.or(values.config.global_replicas))
}
