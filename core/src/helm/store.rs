//! Finding the revisions of a helm release in the cluster: helm's default
//! Secret storage and its ConfigMap storage (`HELM_DRIVER=configmap`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::Client;
use kube::api::{Api, ListParams};

use super::release::{DecodeError, HelmRelease, decode};

/// The `type` of helm's release Secrets.
pub const SECRET_TYPE: &str = "helm.sh/release.v1";
/// The label helm puts on its records.
pub const OWNER_LABEL: &str = "owner=helm";

/// Where helm stored a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// A Secret (helm's default driver).
    Secret,
    /// A ConfigMap (`HELM_DRIVER=configmap`).
    ConfigMap,
}

impl Storage {
    /// The kind of the record object.
    pub fn kind(self) -> &'static str {
        match self {
            Storage::Secret => "Secret",
            Storage::ConfigMap => "ConfigMap",
        }
    }
}

/// One stored revision: the record object's name and where it is, with the
/// revision decoded, or why it could not be.
#[derive(Debug)]
pub struct StoredRevision {
    /// The record object's name (`sh.helm.release.v1.<release>.v<N>`).
    pub object: String,
    /// Where it is stored.
    pub storage: Storage,
    /// The revision number from the record's `version` label.
    pub revision: u32,
    /// The decoded revision, or why it could not be read.
    pub release: Result<HelmRelease, DecodeError>,
    /// The `release` entry as stored (base64 text), to keep it.
    pub encoded: String,
    /// When the record object was created (RFC 3339).
    pub created: Option<String>,
}

/// Why helm's records could not be listed.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot list helm's records of release {release} in namespace {namespace}: {}",
    crate::api_error::explain(source)
)]
pub struct ListError {
    /// The release.
    pub release: String,
    /// The namespace.
    pub namespace: String,
    /// The API error.
    pub source: kube::Error,
}

/// Every revision helm stored for `release` in `namespace`, in Secrets and in
/// ConfigMaps, oldest first. Empty when helm never installed it there.
pub async fn revisions(
    client: &Client,
    namespace: &str,
    release: &str,
) -> Result<Vec<StoredRevision>, ListError> {
    let fail = |source| ListError {
        release: release.to_string(),
        namespace: namespace.to_string(),
        source,
    };
    let selector = format!("{OWNER_LABEL},name={release}");
    let params = ListParams::default().labels(&selector);
    let mut out = Vec::new();

    let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace);
    for secret in secrets.list(&params).await.map_err(fail)?.items {
        if secret.type_.as_deref() != Some(SECRET_TYPE) {
            continue;
        }
        let data = secret
            .data
            .as_ref()
            .and_then(|d| d.get("release"))
            .map(|b| b.0.clone())
            .unwrap_or_default();
        out.push(stored(&secret.metadata, Storage::Secret, &data));
    }
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
    for config_map in config_maps.list(&params).await.map_err(fail)?.items {
        let data = config_map
            .data
            .as_ref()
            .and_then(|d| d.get("release"))
            .map(|s| s.as_bytes().to_vec())
            .unwrap_or_default();
        out.push(stored(&config_map.metadata, Storage::ConfigMap, &data));
    }
    out.sort_by_key(|r| r.revision);
    Ok(out)
}

/// The newest stored revision of every helm release in `namespace` (every
/// namespace when `None`), read from Secrets and ConfigMaps: helm's records
/// are listed by their labels only, and just the newest of each release is
/// fetched and decoded. Sorted by namespace, then release.
pub async fn newest_in(
    client: &Client,
    namespace: Option<&str>,
) -> Result<Vec<StoredRevision>, kube::Error> {
    let params = ListParams::default().labels(OWNER_LABEL);
    let secrets: Api<Secret> = scoped(client, namespace);
    let config_maps: Api<ConfigMap> = scoped(client, namespace);
    // (namespace, release) -> (revision, storage, object)
    let mut newest: BTreeMap<(String, String), (u32, Storage, String)> = BTreeMap::new();
    let mut note = |meta: kube::api::ObjectMeta, storage: Storage| {
        let labels = meta.labels.unwrap_or_default();
        let (Some(release), Some(namespace), Some(object)) =
            (labels.get("name"), meta.namespace, meta.name)
        else {
            return;
        };
        let revision = labels
            .get("version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let entry = newest.entry((namespace, release.clone())).or_insert((
            revision,
            storage,
            object.clone(),
        ));
        if revision > entry.0 {
            *entry = (revision, storage, object);
        }
    };
    let typed = params.clone().fields(&format!("type={SECRET_TYPE}"));
    for secret in secrets.list_metadata(&typed).await?.items {
        note(secret.metadata, Storage::Secret);
    }
    for config_map in config_maps.list_metadata(&params).await?.items {
        note(config_map.metadata, Storage::ConfigMap);
    }
    let mut out = Vec::new();
    for ((namespace, _), (_, storage, object)) in newest {
        let found = match storage {
            Storage::Secret => Api::<Secret>::namespaced(client.clone(), &namespace)
                .get_opt(&object)
                .await?
                .map(|secret| {
                    let data = secret
                        .data
                        .as_ref()
                        .and_then(|d| d.get("release"))
                        .map(|b| b.0.clone())
                        .unwrap_or_default();
                    stored(&secret.metadata, storage, &data)
                }),
            Storage::ConfigMap => Api::<ConfigMap>::namespaced(client.clone(), &namespace)
                .get_opt(&object)
                .await?
                .map(|config_map| {
                    let data = config_map
                        .data
                        .as_ref()
                        .and_then(|d| d.get("release"))
                        .map(|s| s.as_bytes().to_vec())
                        .unwrap_or_default();
                    stored(&config_map.metadata, storage, &data)
                }),
        };
        out.extend(found);
    }
    Ok(out)
}

fn scoped<K>(client: &Client, namespace: Option<&str>) -> Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    <K as kube::Resource>::DynamicType: Default,
{
    match namespace {
        Some(namespace) => Api::namespaced(client.clone(), namespace),
        None => Api::all(client.clone()),
    }
}

fn stored(meta: &kube::api::ObjectMeta, storage: Storage, data: &[u8]) -> StoredRevision {
    let revision = meta
        .labels
        .as_ref()
        .and_then(|l| l.get("version"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    StoredRevision {
        object: meta.name.clone().unwrap_or_default(),
        storage,
        revision,
        release: decode(data),
        encoded: String::from_utf8_lossy(data).into_owned(),
        created: meta.creation_timestamp.as_ref().map(|t| t.0.to_string()),
    }
}

/// The revision that describes the release now: the newest one helm could
/// read (deployed, failed or pending; helm's own `status` shows the same).
pub fn current(revisions: &[StoredRevision]) -> Option<&HelmRelease> {
    revisions.iter().rev().find_map(|r| r.release.as_ref().ok())
}
