//! One revision of a release that helm 3 installed, as helm stores it: a
//! Secret (or, with `HELM_DRIVER=configmap`, a ConfigMap) named
//! `sh.helm.release.v1.<release>.v<revision>` whose `release` entry is the
//! release as JSON, gzipped, then base64 (so base64 twice through the API).

use base64::Engine;
use serde::Deserialize;

use crate::release::inflate;

/// The largest encoded record read (helm's own limit on a Secret is the API
/// server's 1 MiB; a ConfigMap may hold the same).
pub const MAX_ENCODED: usize = 4 * 1024 * 1024;
/// The largest decompressed record accepted: a gzip bomb stops here. A
/// release of the Polyaxon chart (templates, values and manifest) is about
/// 1 MiB; the ceiling keeps reading one under 100 MB of memory.
pub const MAX_DECODED: u64 = 16 * 1024 * 1024;
/// The most JSON values a helm record may hold (its chart's files are
/// strings, one value each).
pub const MAX_VALUES: usize = 400_000;

const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// Why a helm record could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// Larger than [`MAX_ENCODED`].
    #[error("the record is {size} bytes, more than the {MAX_ENCODED} read")]
    TooLarge {
        /// Its size.
        size: usize,
    },
    /// Not base64.
    #[error("the record is not base64: {0}")]
    Base64(#[from] base64::DecodeError),
    /// Not gzip, inflates past [`MAX_DECODED`], holds too many values, or
    /// is not the JSON helm writes (said without quoting it).
    #[error("the record cannot be read: {0}")]
    Inflate(#[from] crate::release::inflate::InflateError),
}

/// The state of a helm revision (`info.status`), as helm spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelmStatus {
    /// `deployed`: what runs now.
    Deployed,
    /// `superseded`: a later revision replaced it.
    Superseded,
    /// `failed`.
    Failed,
    /// `uninstalling`, `uninstalled`.
    Uninstalled,
    /// `pending-install`, `pending-upgrade`, `pending-rollback`: an operation
    /// that helm did not finish (it blocks helm until cleared).
    Pending(String),
    /// Anything else helm may write (`unknown`).
    Other(String),
}

impl HelmStatus {
    fn parse(text: &str) -> Self {
        match text {
            "deployed" => HelmStatus::Deployed,
            "superseded" => HelmStatus::Superseded,
            "failed" => HelmStatus::Failed,
            "uninstalling" | "uninstalled" => HelmStatus::Uninstalled,
            pending if pending.starts_with("pending-") => HelmStatus::Pending(pending.to_string()),
            other => HelmStatus::Other(other.to_string()),
        }
    }

    /// As helm spells it.
    pub fn as_str(&self) -> &str {
        match self {
            HelmStatus::Deployed => "deployed",
            HelmStatus::Superseded => "superseded",
            HelmStatus::Failed => "failed",
            HelmStatus::Uninstalled => "uninstalled",
            HelmStatus::Pending(s) | HelmStatus::Other(s) => s,
        }
    }
}

impl std::fmt::Display for HelmStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A hook of the chart, as helm recorded it (run by helm at `events`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HelmHook {
    /// The hook object's name.
    pub name: String,
    /// Its kind (`Job`, …).
    pub kind: String,
    /// The template it came from.
    #[serde(default)]
    pub path: String,
    /// The object, as YAML.
    #[serde(default)]
    pub manifest: String,
    /// When helm runs it (`pre-install`, `pre-delete`, …).
    #[serde(default)]
    pub events: Vec<String>,
    /// When helm deletes it (`before-hook-creation`, `hook-succeeded`, …).
    #[serde(default)]
    pub delete_policies: Vec<String>,
    /// Order among hooks of one event.
    #[serde(default)]
    pub weight: i64,
}

/// One revision of a helm release.
#[derive(Debug, Clone, PartialEq)]
pub struct HelmRelease {
    /// The release name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// helm's revision number.
    pub revision: u32,
    /// Its state.
    pub status: HelmStatus,
    /// When it was last deployed, as helm wrote it (RFC 3339).
    pub last_deployed: Option<String>,
    /// helm's description of the last operation.
    pub description: String,
    /// The chart's name (`polyaxon`, `agent`).
    pub chart: String,
    /// The chart's version.
    pub chart_version: String,
    /// The chart's app version.
    pub app_version: String,
    /// The values the user gave (`-f`, `--set`), merged.
    pub config: serde_json::Value,
    /// Every non-hook object helm applied, as one multi-document YAML text.
    pub manifest: String,
    /// The chart's hooks.
    pub hooks: Vec<HelmHook>,
}

#[derive(Deserialize)]
struct Raw {
    name: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    version: u32,
    #[serde(default)]
    info: RawInfo,
    #[serde(default)]
    chart: RawChart,
    #[serde(default)]
    config: Option<serde_json::Value>,
    #[serde(default)]
    manifest: String,
    #[serde(default)]
    hooks: Option<Vec<HelmHook>>,
}

#[derive(Deserialize, Default)]
struct RawInfo {
    #[serde(default)]
    status: String,
    #[serde(default)]
    last_deployed: Option<String>,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize, Default)]
struct RawChart {
    #[serde(default)]
    metadata: RawMetadata,
}

#[derive(Deserialize, Default)]
struct RawMetadata {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default, rename = "appVersion")]
    app_version: String,
}

/// Decodes the `release` entry of a helm record: `data` is the entry's bytes
/// as stored (base64 text of the gzipped JSON).
pub fn decode(data: &[u8]) -> Result<HelmRelease, DecodeError> {
    if data.len() > MAX_ENCODED {
        return Err(DecodeError::TooLarge { size: data.len() });
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(data.trim_ascii())?;
    let json = if bytes.starts_with(&GZIP_MAGIC) {
        inflate::inflate(&bytes, MAX_DECODED)?
    } else {
        // helm 3 before 3.0.0-beta.4 stored plain JSON under the base64.
        bytes
    };
    let raw: Raw = inflate::parse(&json, MAX_VALUES)?;
    Ok(HelmRelease {
        name: raw.name,
        namespace: raw.namespace,
        revision: raw.version,
        status: HelmStatus::parse(&raw.info.status),
        last_deployed: raw.info.last_deployed,
        description: raw.info.description,
        chart: raw.chart.metadata.name,
        chart_version: raw.chart.metadata.version,
        app_version: raw.chart.metadata.app_version,
        config: raw
            .config
            .unwrap_or_else(|| serde_json::Value::Object(Default::default())),
        manifest: raw.manifest,
        hooks: raw.hooks.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::inflate::InflateError;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn encode(json: &[u8]) -> Vec<u8> {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(json).unwrap();
        base64::engine::general_purpose::STANDARD
            .encode(gz.finish().unwrap())
            .into_bytes()
    }

    #[test]
    fn a_release_is_read_from_base64_of_gzip_of_json() {
        let json = br#"{"name":"agent","namespace":"team-a","version":3,
            "info":{"status":"pending-upgrade","last_deployed":"2026-11-30T10:00:00Z","description":"Upgrade"},
            "chart":{"metadata":{"name":"agent","version":"2.11.1","appVersion":"2.11.1"}},
            "config":{"agent":{"instance":"a.b"}},"manifest":"---\nkind: ConfigMap\n",
            "hooks":[{"name":"agent-clean-runs","kind":"Job","events":["pre-delete"],"delete_policies":["before-hook-creation"]}]}"#;
        let release = decode(&encode(json)).unwrap();
        assert_eq!(release.name, "agent");
        assert_eq!(release.revision, 3);
        assert_eq!(
            release.status,
            HelmStatus::Pending("pending-upgrade".into())
        );
        assert_eq!(release.chart_version, "2.11.1");
        assert_eq!(release.config["agent"]["instance"], "a.b");
        assert_eq!(release.hooks[0].events, vec!["pre-delete".to_string()]);
    }

    #[test]
    fn damaged_records_are_errors_not_panics() {
        assert!(matches!(
            decode(b"not base64!"),
            Err(DecodeError::Base64(_))
        ));
        let not_gzip_json = base64::engine::general_purpose::STANDARD.encode(b"{");
        assert!(matches!(
            decode(not_gzip_json.as_bytes()),
            Err(DecodeError::Inflate(InflateError::NotARecord { .. }))
        ));
        // A value of the wrong type is placed, never quoted: helm's
        // records hold the release's values, passwords included.
        let typed = base64::engine::general_purpose::STANDARD
            .encode(br#"{"name": 7, "config": {"p": "hunter2"}}"#);
        let error = decode(typed.as_bytes()).unwrap_err().to_string();
        assert!(error.contains("line 1"), "{error}");
        assert!(
            !error.contains("hunter2") && !error.contains('7'),
            "{error}"
        );
        let big = vec![b'A'; MAX_ENCODED + 4];
        assert!(matches!(decode(&big), Err(DecodeError::TooLarge { .. })));
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit() {
        let zeros = vec![b' '; (MAX_DECODED as usize) + 1024];
        let encoded = encode(&zeros);
        assert!(encoded.len() < MAX_ENCODED, "the bomb itself is small");
        assert!(matches!(
            decode(&encoded),
            Err(DecodeError::Inflate(InflateError::TooLarge { .. }))
        ));
    }
}
