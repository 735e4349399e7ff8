//! The platform Secret (`<fullname>-platform-secret`): the admin password,
//! the SMTP and LDAP bind passwords, the organization key and the options of
//! the external backends and auth providers, as the chart's
//! `platform-secrets.yaml` of the pinned chart version.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::config::email_enabled;
use crate::config::Generation;
use crate::config::schema::ExternalBackend;
use crate::render::common;
use crate::render::ctx::Ctx;
use crate::render::values::Values;

/// The data of the platform Secret.
pub fn data(ctx: &Ctx<'_>, values: &Values<'_>) -> BTreeMap<String, String> {
    let cfg = values.config;
    let mut data = BTreeMap::from([(
        "POLYAXON_ADMIN_PASSWORD".to_string(),
        admin_password(ctx, values),
    )]);
    // The 1.x charts have no common Secret: its keys are here.
    if values.generation == Generation::V1 {
        data.extend(common::secret_keys(ctx, values));
    }
    if email_enabled(values)
        && let Some(password) = cfg
            .email
            .as_ref()
            .and_then(|e| e.host_password.clone())
            .filter(|p| !p.is_empty())
    {
        data.insert("POLYAXON_EMAIL_HOST_PASSWORD".into(), password);
    }
    if let Some(ldap) = cfg
        .ldap
        .as_ref()
        .filter(|l| l.get("enabled") == Some(&json!(true)))
    {
        data.insert(
            "POLYAXON_AUTH_LDAP_BIND_PASSWORD".into(),
            ldap.get("bindPassword")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        );
    }
    if let Some(key) = cfg.organization_key.as_ref().filter(|k| !k.is_empty()) {
        data.insert("POLYAXON_ORGANIZATION_KEY".into(), key.clone());
    }
    if let Some(ext) = &cfg.external_services {
        for (backend, prefix) in [
            (&ext.analytics, "ANALYTICS"),
            (&ext.transactions, "TRANSACTIONS"),
            (&ext.errors, "ERRORS"),
            (&ext.metrics, "METRICS"),
        ] {
            options(&mut data, backend, &format!("POLYAXON_{prefix}_OPTIONS"));
        }
        if let Some(auth) = &ext.auth {
            let mut providers = vec![
                (&auth.github, "GITHUB"),
                (&auth.gitlab, "GITLAB"),
                (&auth.bitbucket, "BITBUCKET"),
                (&auth.google, "GOOGLE"),
            ];
            // Chart 2.0.1 replaced SAML with Okta, OneLogin and Azure AD.
            if values.chart_version.at_least(2, 0, 1) {
                providers.extend([
                    (&auth.okta, "OKTA"),
                    (&auth.onelogin, "ONELOGIN"),
                    (&auth.azuread, "AZUREAD"),
                ]);
            } else {
                providers.push((&auth.saml, "SAML"));
            }
            for (provider, prefix) in providers {
                options(
                    &mut data,
                    provider,
                    &format!("POLYAXON_AUTH_{prefix}_OPTIONS"),
                );
            }
        }
    }
    data
}

/// An enabled backend's options as JSON (`null` when it has none, as the
/// chart's `toJson`).
fn options(data: &mut BTreeMap<String, String>, backend: &Option<ExternalBackend>, key: &str) {
    if let Some(backend) = backend.as_ref().filter(|b| b.enabled == Some(true)) {
        data.insert(key.into(), json!(backend.options).to_string());
    }
}

/// The admin password: `user.password`; the chart's `rootpassword` when the
/// key is absent; a generated one, kept with the release, when it is `null`
/// or empty (the chart generates one per render).
fn admin_password(ctx: &Ctx<'_>, values: &Values<'_>) -> String {
    let given = values.config.user.as_ref().and_then(|u| u.password.clone());
    match given {
        Some(password) if !password.is_empty() => password,
        Some(_) => ctx.state.admin_password.clone(),
        None if values.is_explicit_null(&["user", "password"]) => ctx.state.admin_password.clone(),
        None => "rootpassword".into(),
    }
}
