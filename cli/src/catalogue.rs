//! The newest Polyaxon version this build can deploy.
//!
//! Stand-in until the release catalogue (`polyaxon_core::version`, branch
//! `config`) is merged: then [`newest_deployable`] should return its answer
//! and `data/polyaxon-releases.txt` can go. The list is compiled in, as the
//! tool downloads nothing at run time.

use semver::Version;

/// Stable Polyaxon releases as published on PyPI, newest first; `#` comments.
const RELEASES: &str = include_str!("../data/polyaxon-releases.txt");

/// The newest stable release in the compiled-in list.
pub fn newest_deployable() -> Option<Version> {
    newest_stable(RELEASES)
}

/// The greatest stable version in a release list. Lines that are not plain
/// `major.minor.patch` (comments, `.postN` CLI-only rebuilds, pre-releases)
/// are not deployable versions of their own and are skipped.
fn newest_stable(list: &str) -> Option<Version> {
    list.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| Version::parse(line).ok())
        .filter(|version| version.pre.is_empty() && version.build.is_empty())
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_greatest_stable_version_wins_not_the_first_line() {
        let list = "# header\n2.9.0\n2.10.0\n2.10.1.post1\n3.0.0-rc.1\n\n1.18.2\n";
        assert_eq!(newest_stable(list), Version::parse("2.10.0").ok());
    }

    #[test]
    fn a_list_without_stable_versions_has_no_newest() {
        assert_eq!(newest_stable("# nothing\n2.1.0.post1\n"), None);
    }

    #[test]
    fn the_compiled_in_list_has_a_newest_release_that_it_lists() {
        let Some(newest) = newest_deployable() else {
            panic!("no stable version in data/polyaxon-releases.txt");
        };
        assert!(newest.major >= 2, "newest deployable is {newest}");
        assert!(
            RELEASES
                .lines()
                .any(|line| line.trim() == newest.to_string())
        );
    }
}
