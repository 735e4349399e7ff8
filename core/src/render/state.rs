//! What must stay the same from one render of a release to the next:
//! generated secrets and passwords. Seeded once when a release is first
//! deployed, stored with the release record, handed to every later render, so
//! an upgrade never rotates a database password behind the database's back.

use rand::RngExt;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};

/// What a dry run shows in place of a generated value: it never invents
/// random values, so its output is the same byte for byte.
pub const PLACEHOLDER: &str = "<generated>";

/// Generated values of one release. Serializable so the release record can
/// keep it; a field missing from an older record deserializes empty and is
/// filled by [`ReleaseState::complete`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseState {
    /// The release these values belong to.
    pub release: String,
    /// Django secret key of the platform and agent (`POLYAXON_SECRET_KEY`).
    #[serde(default)]
    pub secret_key: String,
    /// Token the services use between themselves (`POLYAXON_SECRET_INTERNAL_TOKEN`).
    #[serde(default)]
    pub internal_token: String,
    /// Admin password, used when `user.password` is null.
    #[serde(default)]
    pub admin_password: String,
    /// In-cluster PostgreSQL password, used when the config gives none.
    #[serde(default)]
    pub postgres_password: String,
    /// In-cluster Redis password, used when the config asks for one but gives none.
    #[serde(default)]
    pub redis_password: String,
    /// In-cluster RabbitMQ password, used when the config gives none.
    #[serde(default)]
    pub rabbitmq_password: String,
    /// In-cluster RabbitMQ Erlang cookie, the secret its nodes share; the
    /// chart draws a new one at every render, which a running node rejects.
    #[serde(default)]
    pub rabbitmq_erlang_cookie: String,
    /// The 1.x RabbitMQ-HA management user's password; the chart draws a
    /// new one at every render, so every upgrade would change it.
    #[serde(default)]
    pub rabbitmq_management_password: String,
}

impl ReleaseState {
    /// Fresh random values for a new release.
    pub fn new_for(release: &str) -> Self {
        let mut state = Self::empty(release);
        state.complete();
        state
    }

    /// The deterministic stand-in a dry run renders with: every generated
    /// value reads [`PLACEHOLDER`].
    pub fn placeholder(release: &str) -> Self {
        let p = || PLACEHOLDER.to_string();
        ReleaseState {
            release: release.to_string(),
            secret_key: p(),
            internal_token: p(),
            admin_password: p(),
            postgres_password: p(),
            redis_password: p(),
            rabbitmq_password: p(),
            rabbitmq_erlang_cookie: p(),
            rabbitmq_management_password: p(),
        }
    }

    /// Generates the values an older record lacks; keeps every value it has.
    pub fn complete(&mut self) {
        fill(&mut self.secret_key, 60);
        fill(&mut self.internal_token, 60);
        fill(&mut self.admin_password, 16);
        fill(&mut self.postgres_password, 24);
        fill(&mut self.redis_password, 24);
        fill(&mut self.rabbitmq_password, 24);
        // 32 characters, as the subchart draws it.
        fill(&mut self.rabbitmq_erlang_cookie, 32);
        // 24 characters, as rabbitmq-ha draws it.
        fill(&mut self.rabbitmq_management_password, 24);
    }

    /// A state whose every generated value is a marker naming its field
    /// (`<generated:postgresPassword>`): rendered with it, a manifest shows
    /// which Secret key carries which generated value.
    pub fn markers(release: &str) -> Self {
        let mut state = Self::empty(release);
        for (field, value) in state.fields_mut() {
            *value = marker(field);
        }
        state
    }

    /// The field a [`ReleaseState::markers`] value stands for.
    pub fn marker_field(value: &str) -> Option<&'static str> {
        let name = value.strip_prefix(MARKER_PREFIX)?.strip_suffix('>')?;
        FIELDS.into_iter().find(|f| *f == name)
    }

    /// Sets the generated value `field` (a name [`ReleaseState::marker_field`]
    /// returns). Returns whether there is such a field.
    pub fn set(&mut self, field: &str, value: String) -> bool {
        match self.fields_mut().into_iter().find(|(f, _)| *f == field) {
            Some((_, slot)) => {
                *slot = value;
                true
            }
            None => false,
        }
    }

    /// The generated values, in [`FIELDS`] order (empty where not generated).
    pub fn values(&self) -> [&str; 8] {
        [
            &self.secret_key,
            &self.internal_token,
            &self.admin_password,
            &self.postgres_password,
            &self.redis_password,
            &self.rabbitmq_password,
            &self.rabbitmq_erlang_cookie,
            &self.rabbitmq_management_password,
        ]
    }

    /// The generated values with their names, in [`FIELDS`] order.
    fn fields_mut(&mut self) -> [(&'static str, &mut String); 8] {
        let [a, b, c, d, e, f, g, h] = FIELDS;
        [
            (a, &mut self.secret_key),
            (b, &mut self.internal_token),
            (c, &mut self.admin_password),
            (d, &mut self.postgres_password),
            (e, &mut self.redis_password),
            (f, &mut self.rabbitmq_password),
            (g, &mut self.rabbitmq_erlang_cookie),
            (h, &mut self.rabbitmq_management_password),
        ]
    }

    fn empty(release: &str) -> Self {
        ReleaseState {
            release: release.to_string(),
            secret_key: String::new(),
            internal_token: String::new(),
            admin_password: String::new(),
            postgres_password: String::new(),
            redis_password: String::new(),
            rabbitmq_password: String::new(),
            rabbitmq_erlang_cookie: String::new(),
            rabbitmq_management_password: String::new(),
        }
    }
}

/// The names of the generated values, as the release record spells them.
const FIELDS: [&str; 8] = [
    "secretKey",
    "internalToken",
    "adminPassword",
    "postgresPassword",
    "redisPassword",
    "rabbitmqPassword",
    "rabbitmqErlangCookie",
    "rabbitmqManagementPassword",
];

const MARKER_PREFIX: &str = "<generated:";

fn marker(field: &str) -> String {
    format!("{MARKER_PREFIX}{field}>")
}

fn fill(value: &mut String, len: usize) {
    if value.is_empty() {
        *value = random_alphanumeric(len);
    }
}

/// Random letters and digits from the thread RNG (a CSPRNG seeded by the OS),
/// as helm's `randAlphaNum` in the charts.
pub(crate) fn random_alphanumeric(len: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_states_are_random_and_complete() {
        let a = ReleaseState::new_for("plx");
        let b = ReleaseState::new_for("plx");
        assert_ne!(a.secret_key, b.secret_key);
        assert_eq!(a.secret_key.len(), 60);
        assert!(
            a.postgres_password
                .chars()
                .all(|c| c.is_ascii_alphanumeric())
        );
        assert!(!a.rabbitmq_password.is_empty());
        assert_eq!(a.rabbitmq_erlang_cookie.len(), 32);
    }

    #[test]
    fn markers_name_their_fields_and_set_fills_them() {
        let markers = ReleaseState::markers("plx");
        assert_eq!(markers.postgres_password, "<generated:postgresPassword>");
        assert_eq!(
            ReleaseState::marker_field(&markers.rabbitmq_erlang_cookie),
            Some("rabbitmqErlangCookie")
        );
        assert_eq!(ReleaseState::marker_field("<generated:nope>"), None);
        assert_eq!(ReleaseState::marker_field("polyaxon"), None);
        let mut state = ReleaseState::new_for("plx");
        assert!(state.set("redisPassword", "kept".into()));
        assert_eq!(state.redis_password, "kept");
        assert!(!state.set("nope", "x".into()));
        // The names are the record's own spelling of the fields.
        let json = serde_json::to_value(&markers).unwrap();
        for field in FIELDS {
            assert_eq!(json[field], marker(field), "{field}");
        }
    }

    #[test]
    fn state_round_trips_and_complete_keeps_values() {
        let a = ReleaseState::new_for("plx");
        let json = serde_json::to_string(&a).unwrap();
        let mut back: ReleaseState = serde_json::from_str(&json).unwrap();
        back.complete();
        assert_eq!(a, back);
    }

    #[test]
    fn an_older_record_gets_only_its_missing_values() {
        let mut old: ReleaseState =
            serde_json::from_str(r#"{"release":"plx","secretKey":"kept"}"#).unwrap();
        old.complete();
        assert_eq!(old.secret_key, "kept");
        assert_eq!(old.postgres_password.len(), 24);
    }

    #[test]
    fn placeholder_is_deterministic() {
        assert_eq!(
            ReleaseState::placeholder("a"),
            ReleaseState::placeholder("a")
        );
        assert_eq!(ReleaseState::placeholder("a").admin_password, PLACEHOLDER);
    }
}
