//! Polyaxon versions: the embedded release catalogue, pinning a config to a
//! concrete version, and the upgrade policy (`compare`).
//!
//! The catalogue is `core/data/polyaxon-releases.txt`, a verbatim copy of
//! `shared/reference/polyaxon-releases.txt` (stable releases on PyPI, newest
//! first); a unit test keeps the two equal. Polyaxon spells CLI-only rebuilds
//! `X.Y.Z.postN`; they deploy the images of `X.Y.Z`.

use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

use crate::config::Location;

/// The catalogue text, as shipped.
pub const CATALOGUE_TEXT: &str = include_str!("../data/polyaxon-releases.txt");

/// A Polyaxon version: semver plus Polyaxon's optional `.postN` rebuild number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolyaxonVersion {
    /// The `X.Y.Z` part.
    pub semver: semver::Version,
    /// The `N` of a `.postN` rebuild.
    pub post: Option<u64>,
}

impl PolyaxonVersion {
    /// Parses `X.Y.Z`, `X.Y.Z.postN`, a leading `v`, and semver pre-releases
    /// (`X.Y.Z-rc1`). Returns `None` when it is none of these.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let text = text.strip_prefix('v').unwrap_or(text);
        let (base, post) = match text.split_once(".post") {
            Some((base, n)) => (base, Some(n.parse::<u64>().ok()?)),
            None => (text, None),
        };
        let semver = semver::Version::parse(base).ok()?;
        Some(Self { semver, post })
    }

    /// The tag of the images of this version (`.postN` rebuilds share the
    /// images of their base version).
    pub fn image_tag(&self) -> String {
        self.semver.to_string()
    }

    /// The major version.
    pub fn major(&self) -> u64 {
        self.semver.major
    }
}

impl fmt::Display for PolyaxonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.semver)?;
        if let Some(n) = self.post {
            write!(f, ".post{n}")?;
        }
        Ok(())
    }
}

impl PartialOrd for PolyaxonVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PolyaxonVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        // PEP 440: `X.Y.Z` < `X.Y.Z.post0` < `X.Y.Z.post1`; `None < Some`.
        self.semver
            .cmp(&other.semver)
            .then(self.post.cmp(&other.post))
    }
}

/// The released versions, newest first.
pub fn catalogue() -> &'static [PolyaxonVersion] {
    static CATALOGUE: OnceLock<Vec<PolyaxonVersion>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut versions: Vec<PolyaxonVersion> = CATALOGUE_TEXT
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(PolyaxonVersion::parse)
            .collect();
        versions.sort_by(|a, b| b.cmp(a));
        versions
    })
}

/// The newest stable release: what `latest` (or no version) means.
pub fn latest() -> Option<&'static PolyaxonVersion> {
    catalogue().first()
}

/// The newest release of a major line (e.g. the newest 1.x, to suggest a pin).
pub fn latest_of_major(major: u64) -> Option<&'static PolyaxonVersion> {
    catalogue().iter().find(|v| v.major() == major)
}

/// Whether this exact version was released.
pub fn is_released(version: &PolyaxonVersion) -> bool {
    catalogue().iter().any(|v| v == version)
}

/// Whether this version can be pinned: a released version, or a published
/// chart version (2.14.0 and 2.14.1 have charts but no release in the
/// catalogue; such a pin deploys the images that chart names, its own
/// version).
pub fn is_pinnable(version: &PolyaxonVersion) -> bool {
    is_released(version)
        || (version.post.is_none() && crate::chart_version::is_published(&version.semver))
}

/// The released versions around `wanted`: up to `count / 2` just below and
/// the rest just above (more from one side when the other runs out),
/// newest first.
pub fn nearest(wanted: &PolyaxonVersion, count: usize) -> Vec<&'static PolyaxonVersion> {
    let all = catalogue(); // newest first
    let split = all.iter().position(|v| v < wanted).unwrap_or(all.len());
    let (above, below) = all.split_at(split);
    let above: Vec<&PolyaxonVersion> = above.iter().filter(|v| *v != wanted).collect();
    let mut take_below = (count / 2).min(below.len());
    let take_above = (count - take_below).min(above.len());
    take_below = (count - take_above).min(below.len());
    let mut out: Vec<&PolyaxonVersion> = above[above.len() - take_above..].to_vec();
    out.extend(below.iter().take(take_below));
    out
}

/// Where the pinned version came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSource {
    /// `deploymentVersion` in a config file (or a `--set`), at this place.
    Config(Location),
    /// The `--deployment-version` flag.
    Flag,
    /// Nothing, or `latest`, was given: the newest catalogued release.
    Latest,
}

impl fmt::Display for VersionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionSource::Config(location) => write!(f, "deploymentVersion at {location}"),
            VersionSource::Flag => f.write_str("--deployment-version"),
            VersionSource::Latest => f.write_str("latest release in the catalogue"),
        }
    }
}

/// A concrete version and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedVersion {
    /// The version to deploy.
    pub version: PolyaxonVersion,
    /// Where it came from.
    pub source: VersionSource,
}

/// Why a version could not be pinned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    /// Not `X.Y.Z` (or `X.Y.Z.postN`). The text is kept, not shown: what
    /// was given under the key may be anything, a secret included.
    #[error("not a version (expected X.Y.Z, e.g. 2.18.0, or `latest`)")]
    NotAVersion(String),
    /// A well-formed version that was never released.
    #[error("Polyaxon {wanted} is not a released version")]
    NotReleased {
        /// What was asked for.
        wanted: String,
        /// The nearest released versions.
        nearest: Vec<String>,
    },
    /// `ponos` has no public catalogue, so `latest` cannot be resolved.
    #[error(
        "the ponos chart needs an explicit deploymentVersion (no public catalogue to resolve `latest` from)"
    )]
    PonosNeedsVersion,
    /// The catalogue is empty (a broken build).
    #[error("the embedded release catalogue is empty")]
    EmptyCatalogue,
}

/// Resolves the requested version (already the winner among files, `--set`
/// and flags) against the catalogue. `checked` is false for charts without a
/// catalogue (`ponos`): the version must then be given and only needs to parse.
pub fn pin(
    requested: Option<&str>,
    source: VersionSource,
    checked: bool,
) -> Result<PinnedVersion, PinError> {
    let requested = requested
        .map(str::trim)
        .filter(|text| !text.is_empty() && !text.eq_ignore_ascii_case("latest"));
    let Some(text) = requested else {
        if !checked {
            return Err(PinError::PonosNeedsVersion);
        }
        let version = latest().ok_or(PinError::EmptyCatalogue)?.clone();
        return Ok(PinnedVersion {
            version,
            source: VersionSource::Latest,
        });
    };
    let version =
        PolyaxonVersion::parse(text).ok_or_else(|| PinError::NotAVersion(text.to_string()))?;
    if checked && !is_pinnable(&version) {
        return Err(PinError::NotReleased {
            wanted: text.to_string(),
            nearest: nearest(&version, 4).iter().map(|v| v.to_string()).collect(),
        });
    }
    Ok(PinnedVersion { version, source })
}

/// What moving from the deployed version to the requested one means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionChange {
    /// The same version.
    Same,
    /// A newer version of the same major line.
    Newer,
    /// An older version: a downgrade (an upgrade refuses it unless allowed).
    Older,
    /// A newer major version (an upgrade needs it confirmed).
    MajorJump,
}

/// The one version rule: what moving from `deployed` to `requested` is —
/// the same, newer, older (a downgrade), or a jump to a newer major.
/// `.postN` rebuilds order after their base version and by their number.
/// The upgrade guard and `polyaxon version` both read it.
pub fn compare(deployed: &PolyaxonVersion, requested: &PolyaxonVersion) -> VersionChange {
    match requested.cmp(deployed) {
        Ordering::Equal => VersionChange::Same,
        Ordering::Less => VersionChange::Older,
        Ordering::Greater if requested.major() > deployed.major() => VersionChange::MajorJump,
        Ordering::Greater => VersionChange::Newer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> PolyaxonVersion {
        PolyaxonVersion::parse(text).expect("test version parses")
    }

    #[test]
    fn catalogue_equals_the_shared_copy() {
        // The shared folder sits beside the repository in CI (`<repo>/../shared`);
        // POLYAXON_SHARED_DIR or /work/shared elsewhere. When none of them
        // exists (a lone checkout), there is nothing to compare with: skip.
        let Some(dir) = crate::shared_dir() else {
            return;
        };
        let shared = dir.join("reference/polyaxon-releases.txt");
        let Ok(text) = std::fs::read_to_string(&shared) else {
            return;
        };
        assert_eq!(
            text,
            CATALOGUE_TEXT,
            "core/data/polyaxon-releases.txt differs from {}; copy it again",
            shared.display()
        );
    }

    #[test]
    fn catalogue_is_parsed_newest_first() {
        let all = catalogue();
        assert!(all.len() > 150, "only {} versions parsed", all.len());
        assert_eq!(latest().map(|v| v.to_string()), Some("2.18.0".to_string()));
        assert!(all.windows(2).all(|w| w[0] > w[1]));
        assert!(is_released(&v("2.16.2.post1")));
        assert!(is_released(&v("1.14.0")));
        assert_eq!(latest_of_major(1).map(|v| v.major()), Some(1));
    }

    #[test]
    fn post_releases_parse_and_order_after_their_base() {
        let post = v("2.16.2.post1");
        assert_eq!(post.post, Some(1));
        assert_eq!(post.image_tag(), "2.16.2");
        assert_eq!(post.to_string(), "2.16.2.post1");
        assert!(post > v("2.16.2"));
        assert!(post < v("2.16.3"));
        assert!(PolyaxonVersion::parse("2.16.2.postX").is_none());
        assert!(PolyaxonVersion::parse("two").is_none());
        assert!(PolyaxonVersion::parse("1.14").is_none());
    }

    #[test]
    fn absent_or_latest_pins_the_newest_release() {
        for requested in [None, Some("latest"), Some("LATEST"), Some("")] {
            let pinned = pin(requested, VersionSource::Flag, true).expect("pins");
            assert_eq!(pinned.version.to_string(), "2.18.0");
            assert_eq!(pinned.source, VersionSource::Latest);
        }
    }

    #[test]
    fn an_explicit_released_version_is_kept_with_its_source() {
        let pinned = pin(Some("1.14.0"), VersionSource::Flag, true).expect("pins");
        assert_eq!(pinned.version, v("1.14.0"));
        assert_eq!(pinned.source, VersionSource::Flag);
        let pinned = pin(Some("v2.16.2.post1"), VersionSource::Flag, true).expect("pins");
        assert_eq!(pinned.version.to_string(), "2.16.2.post1");
    }

    #[test]
    fn an_unreleased_version_lists_the_nearest_ones() {
        match pin(Some("1.14.9"), VersionSource::Flag, true) {
            Err(PinError::NotReleased { wanted, nearest }) => {
                assert_eq!(wanted, "1.14.9");
                assert_eq!(nearest, ["1.15.0.post2", "1.15.0", "1.14.3", "1.14.2"]);
            }
            other => panic!("expected NotReleased, got {other:?}"),
        }
        assert!(matches!(
            pin(Some("2.14.2"), VersionSource::Flag, true),
            Err(PinError::NotReleased { .. })
        ));
        // A chart version with a `.postN` is not a chart.
        assert!(matches!(
            pin(Some("2.14.0.post1"), VersionSource::Flag, true),
            Err(PinError::NotReleased { .. })
        ));
    }

    #[test]
    fn a_published_chart_version_without_a_release_is_pinnable() {
        for wanted in ["2.14.0", "2.14.1"] {
            assert!(!is_released(&v(wanted)), "{wanted} is not in the catalogue");
            let pinned = pin(Some(wanted), VersionSource::Flag, true).expect("pins");
            assert_eq!(pinned.version, v(wanted));
            // It deploys the images of its own chart: tag = the version.
            assert_eq!(pinned.version.image_tag(), wanted);
        }
        // Every published chart version and every release pins.
        for chart in [
            crate::config::schema::Chart::Agent,
            crate::config::schema::Chart::Platform,
        ] {
            for published in crate::chart_version::published_versions(chart) {
                let text = published.to_string();
                assert!(
                    pin(Some(&text), VersionSource::Flag, true).is_ok(),
                    "{text}"
                );
            }
        }
        for released in catalogue() {
            let text = released.to_string();
            assert!(
                pin(Some(&text), VersionSource::Flag, true).is_ok(),
                "{text}"
            );
        }
    }

    #[test]
    fn nearest_takes_both_sides_and_fills_from_one_at_the_ends() {
        let names = |w: &str| {
            nearest(&v(w), 4)
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(names("2.14.0"), ["2.15.1", "2.15.0", "2.13.3", "2.13.2"]);
        assert_eq!(names("9.0.0"), ["2.18.0", "2.17.0", "2.16.4", "2.16.3"]);
        assert_eq!(names("0.1.0").len(), 4);
        assert_eq!(
            names("1.17.1"),
            ["1.17.1.post2", "1.17.1.post0", "1.17.0", "1.16.1"]
        );
    }

    #[test]
    fn a_malformed_version_is_refused() {
        assert_eq!(
            pin(Some("two"), VersionSource::Flag, true),
            Err(PinError::NotAVersion("two".into()))
        );
    }

    #[test]
    fn ponos_needs_an_explicit_version_but_no_catalogue_entry() {
        assert_eq!(
            pin(None, VersionSource::Latest, false),
            Err(PinError::PonosNeedsVersion)
        );
        assert_eq!(
            pin(Some("latest"), VersionSource::Latest, false),
            Err(PinError::PonosNeedsVersion)
        );
        let pinned = pin(Some("0.3.1"), VersionSource::Flag, false).expect("pins");
        assert_eq!(pinned.version.to_string(), "0.3.1");
    }

    #[test]
    fn compare_follows_semver() {
        assert_eq!(compare(&v("2.18.0"), &v("2.18.0")), VersionChange::Same);
        assert_eq!(compare(&v("2.17.0"), &v("2.18.0")), VersionChange::Newer);
        assert_eq!(
            compare(&v("2.16.2"), &v("2.16.2.post1")),
            VersionChange::Newer
        );
        assert_eq!(compare(&v("2.18.0"), &v("2.17.0")), VersionChange::Older);
        assert_eq!(compare(&v("1.14.0"), &v("2.0.0")), VersionChange::MajorJump);
        assert_eq!(compare(&v("2.0.0"), &v("1.14.0")), VersionChange::Older);
    }
}
