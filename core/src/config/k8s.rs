//! What Kubernetes itself would refuse, checked before anything is sent:
//! DNS-1123 names and resource quantities.

/// Why a name is not a DNS-1123 label, or `None` when it is one.
pub fn label_problem(name: &str, max: usize) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.len() > max {
        return Some(format!(
            "it is {} characters long (at most {max})",
            name.len()
        ));
    }
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some("it has upper-case letters".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!("it contains `{c}`"));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("it starts or ends with `-`".into());
    }
    None
}

/// Why a name is not a DNS-1123 subdomain (PVC names), or `None`.
pub fn subdomain_problem(name: &str) -> Option<String> {
    if name.len() > 253 {
        return Some(format!(
            "it is {} characters long (at most 253)",
            name.len()
        ));
    }
    name.split('.').find_map(|part| label_problem(part, 63))
}

/// The nearest valid label: lower-cased, other characters as `-`, trimmed.
pub fn suggest_label(name: &str, max: usize) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    out.truncate(max);
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "polyaxon".to_string()
    } else {
        trimmed.to_string()
    }
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
        assert!(label_problem("plxAgent", 63).is_some());
        assert!(label_problem("-a", 63).is_some());
        assert!(label_problem("a_b", 63).is_some());
        assert!(label_problem("a.b", 63).is_some());
        assert!(label_problem("", 63).is_some());
        assert!(label_problem(&"a".repeat(54), 53).is_some());
        assert_eq!(suggest_label("plxAgent", 63), "plxagent");
        assert_eq!(suggest_label("My_Conn.", 63), "my-conn");
    }

    #[test]
    fn subdomains() {
        assert_eq!(subdomain_problem("ponos-data"), None);
        assert_eq!(subdomain_problem("a.b-c"), None);
        assert!(subdomain_problem("Ponos").is_some());
        assert!(subdomain_problem("a..b").is_some());
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
