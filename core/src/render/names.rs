//! Object names. The charts name everything `<release>-polyaxon-<part>`,
//! where `<release>-polyaxon` is cut to 63 characters with a trailing `-`
//! trimmed (helm's `polyaxon.fullname`). Names that become DNS labels
//! (Services) or label values must fit in 63 characters too, which the charts
//! leave to chance; here the prefix gives way so the part stays whole and
//! distinct.

/// The longest name a DNS label (and a label value) may have.
pub const MAX_NAME: usize = 63;

/// `<release>-polyaxon`, cut to 63 characters, trailing `-` trimmed, as the
/// charts' `polyaxon.fullname` does.
pub fn fullname(release: &str) -> String {
    truncate(&format!("{release}-polyaxon"))
}

/// `<release>-polyaxon-<part>` (e.g. `polyaxon-polyaxon-gateway`), fitted in 63
/// characters by shortening the prefix, never the part.
pub fn component(release: &str, part: &str) -> String {
    join(&fullname(release), part)
}

/// `<prefix>-<part>`, fitted in 63 characters by shortening the prefix.
pub fn join(prefix: &str, part: &str) -> String {
    let room = MAX_NAME.saturating_sub(part.len() + 1);
    let head = truncate_to(prefix, room);
    if head.is_empty() {
        truncate(part)
    } else {
        format!("{head}-{part}")
    }
}

/// Cuts a name to 63 characters and trims a trailing `-` (helm's `trunc 63 | trimSuffix "-"`).
pub fn truncate(name: &str) -> String {
    truncate_to(name, MAX_NAME)
}

fn truncate_to(name: &str, max: usize) -> String {
    // Names are ASCII (DNS labels); cut on a char boundary all the same.
    let mut end = name.len().min(max);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fullname_is_release_dash_polyaxon() {
        assert_eq!(fullname("polyaxon"), "polyaxon-polyaxon");
        assert_eq!(component("agent", "gateway"), "agent-polyaxon-gateway");
    }

    #[test]
    fn fullname_is_cut_to_63_and_trailing_dash_trimmed() {
        // 54 characters + "-polyaxon" = 63: kept whole.
        let release = "r".repeat(54);
        assert_eq!(fullname(&release).len(), 63);
        // 55 + 9 = 64: cut to 63, which ends in "-polyaxo".
        let long = "r".repeat(55);
        assert_eq!(fullname(&long), format!("{long}-polyaxo"));
        // A cut landing right after a dash drops the dash.
        let dashed = format!("{}-", "a".repeat(62));
        assert_eq!(truncate(&format!("{dashed}x")), "a".repeat(62));
    }

    #[test]
    fn component_names_fit_in_63_and_keep_their_part() {
        let release = "a-very-long-release-name-that-someone-typed-for-no-reason";
        let name = component(release, "gateway");
        assert!(name.len() <= 63, "{name} is {} long", name.len());
        assert!(name.ends_with("-gateway"));
        assert_ne!(component(release, "streams"), component(release, "gateway"));
    }
}
