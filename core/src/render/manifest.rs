//! The rendered result: Kubernetes objects in apply order, each with its
//! stage, its hook moment (if any), its API resource and its scope.

use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope};
use kube::api::DynamicObject;
use kube::discovery::ApiResource;
use serde::{Deserialize, Serialize};

use super::RenderError;

/// The apply stage of an object. Stages are applied in this order (the
/// derived `Ord`), objects of one stage together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// CustomResourceDefinitions and the Namespace: everything else needs them.
    Crds,
    /// ServiceAccounts, Roles, ClusterRoles and their bindings.
    Rbac,
    /// ConfigMaps, Secrets and PersistentVolumeClaims.
    Config,
    /// Services.
    Services,
    /// Deployments, StatefulSets, DaemonSets (and hook Jobs, which run apart).
    Workloads,
    /// The Ingress, last, so that it never points at nothing.
    Ingress,
}

impl Stage {
    /// The stage's name as a person reads it (`crds`, `rbac`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Crds => "crds",
            Stage::Rbac => "rbac",
            Stage::Config => "config",
            Stage::Services => "services",
            Stage::Workloads => "workloads",
            Stage::Ingress => "ingress",
        }
    }
}

/// The moment a hook Job runs. Hook objects are not applied with the normal
/// stages: the deploy, upgrade and teardown operations run them at their moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hook {
    /// After the first deploy's objects are ready.
    PostInstall,
    /// After an upgrade's objects are ready.
    PostUpgrade,
    /// Before a teardown deletes anything.
    PreDelete,
}

impl Hook {
    /// The hook's name as in helm (`post-install`, `post-upgrade`, `pre-delete`).
    pub fn as_str(self) -> &'static str {
        match self {
            Hook::PostInstall => "post-install",
            Hook::PostUpgrade => "post-upgrade",
            Hook::PreDelete => "pre-delete",
        }
    }
}

impl std::fmt::Display for Hook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rendered Kubernetes object.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedObject {
    /// When it is applied.
    pub stage: Stage,
    /// For hook Jobs: the moment they run; `None` for every normal object.
    pub hook: Option<Hook>,
    /// Group, version, kind and plural of the object, for the dynamic API.
    pub resource: ApiResource,
    /// Whether the object lives in a namespace (false for CRDs, ClusterRoles, ...).
    pub namespaced: bool,
    /// The object itself, type-erased.
    pub object: DynamicObject,
}

impl RenderedObject {
    /// The object's name.
    pub fn name(&self) -> &str {
        self.object.metadata.name.as_deref().unwrap_or_default()
    }

    /// The object's namespace, for namespaced objects.
    pub fn namespace(&self) -> Option<&str> {
        self.object.metadata.namespace.as_deref()
    }

    /// The object's kind (`Deployment`, `Secret`, ...).
    pub fn kind(&self) -> &str {
        &self.resource.kind
    }

    /// `Kind/name`, the way people name an object.
    pub fn id(&self) -> String {
        format!("{}/{}", self.kind(), self.name())
    }
}

/// Everything a release consists of, in apply order: the normal objects by
/// stage, then the hook Jobs by moment (post-install, post-upgrade, pre-delete).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Manifest {
    /// The objects, in apply order.
    pub objects: Vec<RenderedObject>,
}

impl Manifest {
    /// The normal (non-hook) objects, in apply order.
    pub fn resources(&self) -> impl Iterator<Item = &RenderedObject> {
        self.objects.iter().filter(|o| o.hook.is_none())
    }

    /// The hook objects that run at `hook`.
    pub fn hooks(&self, hook: Hook) -> impl Iterator<Item = &RenderedObject> {
        self.objects.iter().filter(move |o| o.hook == Some(hook))
    }

    /// The first object of that kind and name, if rendered.
    pub fn find(&self, kind: &str, name: &str) -> Option<&RenderedObject> {
        self.objects
            .iter()
            .find(|o| o.kind() == kind && o.name() == name)
    }

    /// Puts the objects in apply order: normal objects by stage, then hooks by
    /// moment. The sort is stable, so a renderer's order within a stage stays.
    pub(crate) fn sort(&mut self) {
        self.objects.sort_by_key(|o| match o.hook {
            None => (0, o.stage as u8, 0),
            Some(hook) => (1, 0, hook as u8),
        });
    }
}

/// Whether a k8s-openapi scope is a namespace scope; lets the one generic
/// conversion below fill [`RenderedObject::namespaced`] from the type.
pub trait Scope {
    /// True for namespaced resources.
    const NAMESPACED: bool;
}

impl Scope for NamespaceResourceScope {
    const NAMESPACED: bool = true;
}

impl Scope for ClusterResourceScope {
    const NAMESPACED: bool = false;
}

/// Type-erases a typed k8s-openapi object into a [`RenderedObject`].
pub fn erase<K>(stage: Stage, hook: Option<Hook>, typed: &K) -> Result<RenderedObject, RenderError>
where
    K: kube::Resource<DynamicType = ()> + k8s_openapi::Resource + Serialize,
    <K as k8s_openapi::Resource>::Scope: Scope,
{
    let resource = ApiResource::erase::<K>(&());
    let mut value = serde_json::to_value(typed).map_err(|source| RenderError::Serialize {
        kind: resource.kind.clone(),
        source,
    })?;
    // k8s-openapi leaves apiVersion/kind to the client; a DynamicObject carries them.
    if let Some(map) = value.as_object_mut() {
        map.insert("apiVersion".into(), resource.api_version.clone().into());
        map.insert("kind".into(), resource.kind.clone().into());
    }
    let object: DynamicObject =
        serde_json::from_value(value).map_err(|source| RenderError::Serialize {
            kind: resource.kind.clone(),
            source,
        })?;
    Ok(RenderedObject {
        stage,
        hook,
        resource,
        namespaced: <<K as k8s_openapi::Resource>::Scope as Scope>::NAMESPACED,
        object,
    })
}
