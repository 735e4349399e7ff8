//! What Kubernetes itself would refuse, checked before anything is sent:
//! DNS-1123 names and resource quantities.

/// Why a name is not a DNS-1123 label of at most `max` characters (what
/// the API server requires of namespaces and label-like names), or `None`.
/// The reason never quotes the name: it may be a secret given by mistake.
pub fn label_problem(name: &str, max: usize) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.len() > max {
        return Some(format!(
            "it is {} characters long (at most {max})",
            name.chars().count()
        ));
    }
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some("it has upper-case letters".into());
    }
    if let Some(position) = name
        .chars()
        .position(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
    {
        return Some(format!(
            "character {} is not a lower-case letter, digit or `-`",
            position + 1
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("it starts or ends with `-`".into());
    }
    None
}

/// Why a release name would not do, or `None`: a DNS-1123 label of at most
/// 53 characters (helm's limit, leaving room for the components' suffixes)
/// that starts with a letter, since the release's Services are named after
/// it and a Service name is a DNS-1035 label.
pub fn release_problem(name: &str) -> Option<String> {
    label_problem(name, 53).or_else(|| {
        name.starts_with(|c: char| c.is_ascii_digit()).then(|| {
            "it starts with a digit, and the release's Service names, which start with it, must start with a letter".into()
        })
    })
}

/// Why a name is not a DNS-1123 subdomain (the names of Secrets, ConfigMaps,
/// claims, priority and ingress classes), or `None`: at most 253
/// characters, dot-separated parts of lower-case letters, digits and `-`
/// that start and end with a letter or digit.
pub fn subdomain_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.len() > 253 {
        return Some(format!(
            "it is {} characters long (at most 253)",
            name.chars().count()
        ));
    }
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some("it has upper-case letters".into());
    }
    if let Some(position) = name
        .chars()
        .position(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'))
    {
        return Some(format!(
            "character {} is not a lower-case letter, digit, `-` or `.`",
            position + 1
        ));
    }
    let part_ok = |part: &str| !part.is_empty() && !part.starts_with('-') && !part.ends_with('-');
    if !name.split('.').all(part_ok) {
        return Some("a part between dots is empty, or starts or ends with `-`".into());
    }
    None
}

/// Why a label value would be refused, or `None`: at most 63 characters of
/// letters, digits, `-`, `_` and `.`, starting and ending with a letter or
/// digit (or empty).
pub fn label_value_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    if value.len() > 63 {
        return Some(format!(
            "it is {} characters long (at most 63)",
            value.chars().count()
        ));
    }
    name_part_problem(value)
}

/// Why a label or annotation key would be refused, or `None`: a name of at
/// most 63 characters (letters, digits, `-`, `_`, `.`; a letter or digit at
/// each end), optionally after a DNS-1123 subdomain prefix and `/`.
pub fn qualified_name_problem(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(problem) = prefix.and_then(subdomain_problem) {
        return Some(format!("its prefix (before `/`) is not valid: {problem}"));
    }
    if name.is_empty() {
        return Some("its name (after any `/` prefix) is empty".into());
    }
    if name.len() > 63 {
        return Some(format!(
            "its name (after any `/` prefix) is {} characters long (at most 63)",
            name.chars().count()
        ));
    }
    name_part_problem(name)
}

fn name_part_problem(text: &str) -> Option<String> {
    if let Some(position) = text
        .chars()
        .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Some(format!(
            "character {} is not a letter, digit, `-`, `_` or `.`",
            position + 1
        ));
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !alnum(text.chars().next()) || !alnum(text.chars().last()) {
        return Some("it does not start and end with a letter or digit".into());
    }
    None
}

/// Whether `text` is a Kubernetes quantity: a signed decimal number with an
/// optional binary (`Ki`…`Ei`), decimal (`n`, `u`, `m`, `k`, `M`…`E`) or
/// exponent (`e3`) suffix.
pub fn is_quantity(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let digits_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (number, suffix) = body.split_at(digits_end);
    let dots = number.matches('.').count();
    let has_digit = number.bytes().any(|b| b.is_ascii_digit());
    if !has_digit || dots > 1 {
        return false;
    }
    match suffix {
        "" | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E" => true,
        "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => true,
        exp if exp.starts_with(['e', 'E']) => {
            let power = &exp[1..];
            let power = power.strip_prefix(['+', '-']).unwrap_or(power);
            !power.is_empty() && power.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(label_problem("plxagent", 63), None);
        assert_eq!(label_problem("a-1", 63), None);
        assert_eq!(label_problem("1a", 63), None);
        for bad in ["plxAgent", "-a", "a-", "a_b", "a.b", ""] {
            assert!(label_problem(bad, 63).is_some(), "{bad}");
        }
        assert!(label_problem(&"a".repeat(54), 53).is_some());
        assert_eq!(label_problem(&"a".repeat(63), 63), None);
        assert!(label_problem(&"a".repeat(64), 63).is_some());
    }

    #[test]
    fn a_release_name_starts_with_a_letter() {
        assert_eq!(release_problem("plx"), None);
        assert_eq!(release_problem(&"a".repeat(53)), None);
        assert!(release_problem(&"a".repeat(54)).is_some());
        let problem = release_problem("1plx").unwrap();
        assert!(problem.contains("starts with a digit"), "{problem}");
    }

    #[test]
    fn subdomains() {
        assert_eq!(subdomain_problem("ponos-data"), None);
        assert_eq!(subdomain_problem("a.b-c"), None);
        assert_eq!(subdomain_problem("1.2"), None);
        // A part longer than 63 is fine in a subdomain; the whole is at most 253.
        assert_eq!(subdomain_problem(&"a".repeat(100)), None);
        assert_eq!(subdomain_problem(&"a".repeat(253)), None);
        assert!(subdomain_problem(&"a".repeat(254)).is_some());
        for bad in ["Ponos", "a..b", ".a", "a.", "a.-b", "a_b", "", "my secret"] {
            assert!(subdomain_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn label_values() {
        for ok in ["", "a", "A_b.c-9", "true", &"v".repeat(63)] {
            assert_eq!(label_value_problem(ok), None, "{ok}");
        }
        for bad in ["-a", "a_", "a b", "a/b", &"v".repeat(64)] {
            assert!(label_value_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn label_keys() {
        for ok in ["team", "app.kubernetes.io/name", "example.com/a_b", "A9"] {
            assert_eq!(qualified_name_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "/a",
            "Example.com/a",
            "a/",
            "a/b/c",
            "-a",
            "a b",
            &"k".repeat(64),
        ] {
            assert!(qualified_name_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn no_reason_quotes_the_name() {
        let secret = "Hunter2_Secret";
        for problem in [
            label_problem(secret, 63),
            release_problem(secret),
            subdomain_problem(secret),
            label_value_problem("Hunter2 Secret"),
            qualified_name_problem("Hunter2 Secret"),
        ] {
            let problem = problem.unwrap();
            assert!(!problem.contains("Hunter2"), "{problem}");
            assert!(
                !problem.contains('_') || problem.contains("`_`"),
                "{problem}"
            );
        }
    }

    #[test]
    fn quantities() {
        for ok in [
            "1",
            "500m",
            "2Gi",
            "0.5",
            ".5",
            "1e3",
            "128974848",
            "+1Ki",
            "1E-2",
        ] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in ["", "Gi", "1GB", "one", "1.2.3", "1Gib", "1e", "m"] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }
}
