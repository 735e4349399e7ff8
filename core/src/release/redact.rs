//! Keeping secret values out of what a release record says in words: the
//! reason a revision failed is an error message, and an error from the API
//! server, a pod or a hook may quote what it was given. Records are read by
//! `status` and `history`, which never show a secret value.

use base64::Engine;

use super::seed::secret_entries;
use crate::render::{Manifest, ReleaseState};

/// What stands in for a secret value.
pub const REDACTED: &str = "<redacted>";

/// Values shorter than this are not looked for: a secret of one or two
/// characters would blank out ordinary words, and is no secret anyway.
const SHORTEST: usize = 3;

/// The secret values of one revision, to take out of text.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Longest first, so that a value containing another is replaced whole.
    values: Vec<String>,
}

impl Redactor {
    /// The secret values of a revision: its generated values, and every value
    /// of the Secrets it renders that no other object of it shows in clear
    /// (a value a Deployment or ConfigMap also holds, such as a user name,
    /// is no secret, and blanking it would garble object names). Each is
    /// looked for as given and base64-encoded, as a Secret's `data` holds it.
    pub fn of(manifest: &Manifest, state: &ReleaseState) -> Self {
        let clear: String = manifest
            .objects
            .iter()
            .filter(|o| o.kind() != "Secret")
            .map(|o| serde_json::to_string(&o.object).unwrap_or_default())
            .collect();
        let rendered = manifest
            .objects
            .iter()
            .filter(|o| o.kind() == "Secret")
            .flat_map(secret_entries)
            .map(|(_, value)| value)
            .filter(|value| !clear.contains(value.as_str()));
        let generated = state.values().map(str::to_string);
        let mut values: Vec<String> = generated
            .into_iter()
            .chain(rendered)
            .filter(|v| v.chars().count() >= SHORTEST)
            .flat_map(|v| {
                let encoded = base64::engine::general_purpose::STANDARD.encode(&v);
                [v, encoded]
            })
            .collect();
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        values.dedup();
        Redactor { values }
    }

    /// `text` with every secret value replaced by [`REDACTED`].
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for value in &self.values {
            if text.contains(value.as_str()) {
                text = text.replace(value.as_str(), REDACTED);
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{RenderedObject, Stage};
    use kube::api::{ApiResource, DynamicObject};

    fn object(kind: &str, name: &str, data: serde_json::Value) -> RenderedObject {
        let resource = ApiResource {
            group: String::new(),
            version: "v1".into(),
            api_version: "v1".into(),
            kind: kind.into(),
            plural: format!("{}s", kind.to_lowercase()),
        };
        let mut object = DynamicObject::new(name, &resource);
        object.data = data;
        RenderedObject {
            stage: Stage::Config,
            hook: None,
            resource,
            namespaced: true,
            object,
        }
    }

    fn manifest() -> Manifest {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        Manifest {
            objects: vec![
                object(
                    "Secret",
                    "agent-secret",
                    serde_json::json!({
                        "data": {"token": b64("s3cr3t-t0ken"), "user": b64("polyaxon")},
                        "stringData": {"dsn": "postgres://polyaxon:hunter22@db"}
                    }),
                ),
                object(
                    "Deployment",
                    "agent-polyaxon-streams",
                    serde_json::json!({"spec": {"env": [{"name": "USER", "value": "polyaxon"}]}}),
                ),
            ],
        }
    }

    #[test]
    fn secret_values_are_taken_out_of_an_error_and_names_are_kept() {
        let mut state = ReleaseState::placeholder("agent");
        state.admin_password = "generated-admin-pw".into();
        let redactor = Redactor::of(&manifest(), &state);
        let error = "Secret \"agent-secret\" is invalid: data[token]: Invalid value: \"s3cr3t-t0ken\"; \
            dsn postgres://polyaxon:hunter22@db; login generated-admin-pw; stored czNjcjN0LXQwa2Vu; \
            Deployment/agent-polyaxon-streams not ready";
        let said = redactor.redact(error);
        for secret in [
            "s3cr3t-t0ken",
            "hunter22",
            "generated-admin-pw",
            "czNjcjN0LXQwa2Vu",
        ] {
            assert!(!said.contains(secret), "{secret} left in: {said}");
        }
        assert!(said.contains("Invalid value: \"<redacted>\""), "{said}");
        assert!(
            said.contains("Deployment/agent-polyaxon-streams not ready"),
            "a value shown in clear elsewhere (the user name) is kept: {said}"
        );
        assert!(
            said.contains("Secret \"agent-secret\" is invalid: data[token]"),
            "{said}"
        );
    }

    #[test]
    fn nothing_to_hide_leaves_the_text_as_it_is() {
        let redactor = Redactor::default();
        assert_eq!(
            redactor.redact("pod Pending: 0/1 nodes"),
            "pod Pending: 0/1 nodes"
        );
    }
}
