//! The install hooks, exactly when the chart of the pinned version renders
//! them: from chart 2.0.0 each of `apiHooks.syncdb`, `adminUser`, `tables`,
//! `loadFixtures` and `defaultOrg` turns its Job on (all off by default);
//! the 1.x charts always sync the database and create the admin user, and
//! run the tables image when `tablesHook.enabled`. The RabbitMQ exchange is
//! created whenever the Celery services use RabbitMQ.

use super::Platform;
use super::config::admin_user;
use super::env;
use super::workers;
use super::workload::{ChartDefaults, PlatformPod};
use crate::config::Generation;
use crate::config::schema::{ApiService, Broker, HooksService};
use crate::render::RenderError;
use crate::render::ctx::Ctx;
use crate::render::deps;
use crate::render::hooks;
use crate::render::labels::Role;
use crate::render::manifest::Hook;
use crate::render::pod::{self, Scheduling};
use crate::render::values::Values;

/// One install hook Job.
struct InstallHook {
    /// `<release>-<part>`, its container `<part>-job`.
    part: &'static str,
    /// The chart's hook weight: the order of the hooks of one moment.
    weight: i32,
    /// When it runs.
    moments: &'static [Hook],
    /// The management command.
    args: Vec<String>,
    /// Seconds it is given.
    deadline: i64,
    /// Whether it runs before the database is checked (`POLYAXON_DB_NO_CHECK`).
    no_db_check: bool,
    /// Its image settings (the API's by default) and the chart's defaults.
    image: (HooksService, ChartDefaults),
}

const INSTALL: &[Hook] = &[Hook::PostInstall];
const UPGRADE: &[Hook] = &[Hook::PostUpgrade];
const INSTALL_AND_UPGRADE: &[Hook] = &[Hook::PostInstall, Hook::PostUpgrade];

/// The hooks' settings: `apiHooks` (the charts read no other key; the 1.x
/// seed's `hooks` is not theirs).
fn settings(values: &Values<'_>) -> HooksService {
    values.config.api_hooks.clone().unwrap_or_default()
}

/// The API section the hooks run like: its image, scheduling and pull secrets.
fn api_section(values: &Values<'_>) -> ApiService {
    match values.generation {
        Generation::V1 => values.config.api.clone().unwrap_or_default(),
        Generation::V2 => values.gateway(),
    }
}

/// The management hooks (run on the API's image) the chart renders for
/// this config.
fn install_hooks(values: &Values<'_>, settings: &HooksService) -> Vec<InstallHook> {
    let image = (
        settings.clone(),
        ChartDefaults {
            image: "polyaxon/polyaxon-api",
            requests: ("100m", "100Mi"),
            limits: ("1000m", "2000Mi"),
        },
    );
    let on = |flag: Option<bool>| flag == Some(true);
    // The 1.x charts sync and create the admin user unconditionally (the
    // seed's `hooks` may turn them off); from 2.0.0 each is asked for.
    let (sync_db, admin) = if values.chart_version.at_least(2, 0, 0) {
        (on(settings.sync_db), on(settings.admin_user))
    } else {
        (
            settings.sync_db != Some(false),
            settings.admin_user != Some(false),
        )
    };
    let (username, email) = admin_user(values);
    let mut list = Vec::new();
    if workers::scheduler_enabled(values) && deps::broker(values) == Broker::Rabbitmq {
        list.push(InstallHook {
            part: "create-exchange",
            weight: -15,
            moments: INSTALL,
            args: vec!["create_exchange".into()],
            deadline: 360,
            no_db_check: false,
            image: image.clone(),
        });
    }
    if sync_db {
        list.push(InstallHook {
            part: "sync-db",
            weight: -5,
            moments: INSTALL_AND_UPGRADE,
            args: vec!["migrate".into()],
            deadline: 900,
            no_db_check: true,
            image: image.clone(),
        });
    }
    if values.chart_version.at_least(2, 0, 0) && on(settings.tables) {
        // Chart 2.0.1 dropped the EE app argument.
        let mut args = vec!["tables".to_string()];
        if !values.chart_version.at_least(2, 0, 1) {
            args.push("--app=eedb".into());
        }
        list.push(InstallHook {
            part: "tables",
            weight: -25,
            moments: UPGRADE,
            args,
            deadline: 900,
            no_db_check: true,
            image: image.clone(),
        });
    }
    if on(settings.load_fixtures) {
        list.push(InstallHook {
            part: "load-fixtures",
            weight: 5,
            moments: INSTALL,
            args: vec!["loaddata".into(), "/fixtures/db.json".into()],
            deadline: 360,
            no_db_check: false,
            image: image.clone(),
        });
    }
    if admin {
        list.push(InstallHook {
            part: "admin-user",
            weight: 10,
            moments: INSTALL,
            args: vec![
                "createuser".into(),
                format!("--username={username}"),
                format!("--email={email}"),
                "--password=$(POLYAXON_ADMIN_PASSWORD)".into(),
                "--superuser".into(),
                "--force".into(),
            ],
            deadline: 360,
            no_db_check: false,
            image: image.clone(),
        });
    }
    if values.chart_version.at_least(2, 0, 0) && on(settings.default_org) {
        list.push(InstallHook {
            part: "default-org",
            weight: 20,
            moments: INSTALL,
            args: vec!["createorg".into()],
            deadline: 360,
            no_db_check: false,
            image: image.clone(),
        });
    }
    list
}

/// What every install hook of a release shares.
struct Shared<'a> {
    platform: &'a Platform,
    /// The API's scheduling.
    scheduling: Scheduling,
}

/// Renders the install hooks, each moment's in the chart's weight order.
pub fn render(ctx: &mut Ctx<'_>, values: &Values<'_>, p: &Platform) -> Result<(), RenderError> {
    let api = api_section(values);
    let mut settings = settings(values);
    // The hooks run the API's image unless told otherwise.
    settings.image = settings.image.or(api.image.clone());
    settings.image_tag = settings.image_tag.or(api.image_tag.clone());
    settings.image_pull_policy = settings.image_pull_policy.or(api.image_pull_policy);
    let shared = Shared {
        platform: p,
        scheduling: Scheduling::of(values, &api),
    };
    let mut list = install_hooks(values, &settings);
    list.extend(tables_v1(values));
    list.sort_by_key(|h| h.weight);
    for hook in list {
        push(ctx, values, &shared, hook)?;
    }
    Ok(())
}

/// The 1.x `tablesHook` (post-upgrade): its own image, handed the database
/// through its arguments.
fn tables_v1(values: &Values<'_>) -> Option<InstallHook> {
    if values.chart_version.at_least(2, 0, 0) {
        return None;
    }
    let mut tables = values
        .config
        .tables_hook
        .clone()
        .filter(|t| t.enabled == Some(true))?;
    tables.image_tag = tables.image_tag.or_else(|| Some("0.4.4".into()));
    let defaults = ChartDefaults {
        image: "polyaxon/polyaxon-tables",
        requests: ("100m", "100Mi"),
        limits: ("1000m", "2000Mi"),
    };
    let args = ["db", "host", "port", "username", "password"]
        .iter()
        .zip(["NAME", "HOST", "PORT", "USER", "PASSWORD"])
        .map(|(arg, key)| format!("--{arg}=$(POLYAXON_DB_{key})"))
        .collect();
    Some(InstallHook {
        part: "tables",
        weight: -25,
        moments: UPGRADE,
        args,
        deadline: 360,
        no_db_check: false,
        image: (tables, defaults),
    })
}

/// Builds the hook's Job and pushes it at each of its moments.
fn push(
    ctx: &mut Ctx<'_>,
    values: &Values<'_>,
    shared: &Shared<'_>,
    hook: InstallHook,
) -> Result<(), RenderError> {
    let (settings, defaults) = &hook.image;
    let name = hooks::name(ctx.release, hook.part);
    let mut env = vec![env::manage()];
    if hook.no_db_check {
        env.push(pod::env("POLYAXON_DB_NO_CHECK", "true"));
    }
    let workload = PlatformPod::new(ctx, values, hook.part, settings, *defaults, Role::Hooks)
        .named(&name)
        .container(&format!("{}-job", hook.part))
        .args(hook.args)
        .env(env)
        .resources_when_given()
        .build(ctx, values, shared.platform);
    let job = hooks::job(
        ctx,
        values,
        &name,
        workload.container,
        None,
        shared.scheduling.clone(),
        hook.deadline,
    );
    for moment in hook.moments {
        ctx.push_hook(*moment, &job)?;
    }
    Ok(())
}
