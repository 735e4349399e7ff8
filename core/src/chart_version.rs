//! Which published chart's templates a pinned Polyaxon version gets.
//!
//! The Python CLI installs the chart package of the pinned version; a
//! release with no chart of its own (2.16 to 2.18, CLI-only rebuilds) gets the
//! templates of the newest published chart not newer than it, with its own
//! image tags. The list of published charts is `core/data/chart-versions.txt`,
//! a verbatim copy of `shared/reference/chart-versions.txt`.

use std::sync::OnceLock;

use crate::config::schema::Chart;
use crate::version::PolyaxonVersion;

/// The published chart versions, as shipped.
pub const CHART_VERSIONS_TEXT: &str = include_str!("../data/chart-versions.txt");

/// The name of a chart in the Polyaxon charts repository.
fn package(chart: Chart) -> Option<&'static str> {
    match chart {
        Chart::Agent => Some("agent"),
        Chart::Platform => Some("polyaxon"),
        Chart::Ponos => None,
    }
}

/// The stable published versions of a chart package, oldest first.
fn published(name: &str) -> Vec<semver::Version> {
    let mut versions: Vec<semver::Version> = CHART_VERSIONS_TEXT
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once(char::is_whitespace))
        .filter(|(chart, _)| *chart == name)
        .filter_map(|(_, version)| semver::Version::parse(version.trim()).ok())
        .filter(|version| version.pre.is_empty())
        .collect();
    versions.sort();
    versions.dedup();
    versions
}

fn agent_versions() -> &'static [semver::Version] {
    static VERSIONS: OnceLock<Vec<semver::Version>> = OnceLock::new();
    VERSIONS.get_or_init(|| published("agent"))
}

fn platform_versions() -> &'static [semver::Version] {
    static VERSIONS: OnceLock<Vec<semver::Version>> = OnceLock::new();
    VERSIONS.get_or_init(|| published("polyaxon"))
}

/// The stable published versions of `chart`'s package, oldest first (empty
/// for ponos, which has no published chart).
pub fn published_versions(chart: Chart) -> &'static [semver::Version] {
    match package(chart) {
        Some("agent") => agent_versions(),
        Some(_) => platform_versions(),
        None => &[],
    }
}

/// Whether `version` is a published version of some Polyaxon chart.
pub fn is_published(version: &semver::Version) -> bool {
    agent_versions().contains(version) || platform_versions().contains(version)
}

/// The chart templates a pinned version renders with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartVersion {
    /// The version of the published chart package whose templates are used.
    pub version: semver::Version,
}

impl ChartVersion {
    /// The newest published chart of `chart` not newer than `pinned`; `None`
    /// for ponos or a version older than every published chart.
    pub fn for_release(chart: Chart, pinned: &PolyaxonVersion) -> Option<Self> {
        published_versions(chart)
            .iter()
            .rev()
            .find(|published| **published <= pinned.semver)
            .map(|version| ChartVersion {
                version: version.clone(),
            })
    }

    /// A chart version given directly (tests, and pins of exactly a chart).
    pub fn exactly(major: u64, minor: u64, patch: u64) -> Self {
        ChartVersion {
            version: semver::Version::new(major, minor, patch),
        }
    }

    /// Whether these templates are those of chart `major.minor.patch` or newer.
    pub fn at_least(&self, major: u64, minor: u64, patch: u64) -> bool {
        self.version >= semver::Version::new(major, minor, patch)
    }
}

impl std::fmt::Display for ChartVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pinned(text: &str) -> PolyaxonVersion {
        PolyaxonVersion::parse(text).expect("a version")
    }

    #[test]
    fn a_release_gets_the_newest_chart_not_newer_than_it() {
        let at = |chart, v| ChartVersion::for_release(chart, &pinned(v)).map(|c| c.to_string());
        assert_eq!(at(Chart::Platform, "2.15.1").as_deref(), Some("2.15.1"));
        assert_eq!(at(Chart::Agent, "2.18.0").as_deref(), Some("2.15.1"));
        assert_eq!(at(Chart::Agent, "2.16.2.post1").as_deref(), Some("2.15.1"));
        assert_eq!(at(Chart::Agent, "2.12.0").as_deref(), Some("2.12.0"));
        assert_eq!(at(Chart::Agent, "1.14.0").as_deref(), Some("1.14.0"));
        assert_eq!(at(Chart::Ponos, "2.15.1"), None);
    }

    #[test]
    fn every_2x_pin_gets_its_chart_or_the_newest_older_one() {
        let at = |v| ChartVersion::for_release(Chart::Platform, &pinned(v)).map(|c| c.to_string());
        for (pin, chart) in [
            ("2.0.0", "2.0.0"),
            // 2.1.5 was never published as a chart.
            ("2.1.5", "2.1.4"),
            ("2.8.1", "2.8.1"),
            ("2.11.1", "2.11.1"),
            ("2.12.0", "2.12.0"),
            ("2.13.3", "2.13.3"),
            // Published charts with no release in the catalogue.
            ("2.14.0", "2.14.0"),
            ("2.14.1", "2.14.1"),
            ("2.15.1", "2.15.1"),
            // Releases newer than the newest chart.
            ("2.16.0", "2.15.1"),
            ("2.17.0", "2.15.1"),
            ("2.18.0", "2.15.1"),
        ] {
            assert_eq!(at(pin).as_deref(), Some(chart), "{pin}");
        }
    }

    #[test]
    fn at_least_compares_the_chosen_chart() {
        let chart = |v| ChartVersion::for_release(Chart::Agent, &pinned(v)).expect("a chart");
        assert!(chart("2.18.0").at_least(2, 12, 0));
        assert!(chart("2.12.0").at_least(2, 12, 0));
        assert!(!chart("2.11.1").at_least(2, 12, 0));
        assert!(!chart("2.0.6").at_least(2, 1, 0));
        assert!(chart("2.1.0").at_least(2, 1, 0));
    }

    #[test]
    fn pre_releases_are_never_chosen() {
        assert!(agent_versions().iter().all(|v| v.pre.is_empty()));
        assert!(is_published(&semver::Version::new(2, 14, 1)));
    }

    #[test]
    fn chart_versions_equal_the_shared_copy() {
        let Some(dir) = crate::shared_dir() else {
            return;
        };
        let Ok(text) = std::fs::read_to_string(dir.join("reference/chart-versions.txt")) else {
            return;
        };
        assert_eq!(
            text, CHART_VERSIONS_TEXT,
            "core/data/chart-versions.txt differs from the shared copy; copy it again"
        );
    }
}
