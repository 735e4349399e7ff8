//! `--set` overrides in Helm's syntax: `a.b=v`, list indexes `a.b[0].c=v`,
//! several pairs separated by commas (`x=1,y=2`), lists in braces
//! (`a={x,y}`), and `\` escaping `.`, `,`, `=`, `[` and `\` itself. Values are
//! typed as Helm types them: `true`/`false`, `null`, base-10 integers without
//! a leading zero; everything else is a string.

use super::error::{ConfigError, Location, Problem, Source};
use super::key_index::KeyIndex;
use super::limits::{MAX_SET_INDEX, MAX_SET_PAIRS};
use super::tree::{Entry, Node, Value};

/// One step of a `--set` key path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Applies one `--set` argument, the `position`th (from 0), to the merged
/// tree, whose keys `index` finds; `budget` is how many more pairs may be
/// applied (all `--set` arguments together hold at most
/// [`MAX_SET_PAIRS`]). Errors name the argument by position and key, never
/// by its value.
pub fn apply(
    root: &mut Node,
    index: &mut KeyIndex,
    argument: &str,
    position: usize,
    budget: &mut usize,
) -> Result<(), Box<ConfigError>> {
    let whole = Location::argument(Source::Set {
        position,
        key: String::new(),
    });
    let fail = |at: &Location, message: String| {
        Box::new(
            ConfigError::new("", Some(at.clone()), Problem::BadSet(message)).valid(
                "KEY=VALUE pairs, e.g. gateway.replicas=2,ingress.enabled=true or a.b[0].c=v",
            ),
        )
    };
    let pairs = split_pairs(argument).map_err(|m| fail(&whole, m))?;
    if pairs.len() > *budget {
        return Err(fail(
            &whole,
            format!("more than {MAX_SET_PAIRS} KEY=VALUE pairs in all --set arguments"),
        ));
    }
    *budget -= pairs.len();
    for (key, value) in pairs {
        let at = Location::argument(Source::Set {
            position,
            key: key.clone(),
        });
        let steps = parse_key(&key).map_err(|m| fail(&at, m))?;
        let value = Node {
            value: typed_value(&value, &at),
            at: at.clone(),
        };
        set_path(root, index, &steps, value, &at).map_err(|m| fail(&at, m))?;
    }
    Ok(())
}

/// Splits `a=1,b={x,y}` into `[("a","1"), ("b","{x,y}")]`, honouring escapes.
fn split_pairs(argument: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    let mut chars = argument.chars().peekable();
    while chars.peek().is_some() {
        // The key, up to an unescaped `=` (kept escaped for the path parser).
        let mut key = String::new();
        let mut found_equals = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    key.push('\\');
                    if let Some(next) = chars.next() {
                        key.push(next);
                    }
                }
                '=' => {
                    found_equals = true;
                    break;
                }
                // What came before may be a value given without its key: it
                // is not repeated.
                ',' => return Err(missing_equals(pairs.len())),
                _ => key.push(c),
            }
        }
        if !found_equals {
            return Err(missing_equals(pairs.len()));
        }
        if key.is_empty() {
            return Err("a pair has an empty key".into());
        }
        // The value, up to an unescaped `,` outside braces.
        let mut value = String::new();
        let mut depth = 0usize;
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    value.push('\\');
                    if let Some(next) = chars.next() {
                        value.push(next);
                    }
                }
                '{' => {
                    depth += 1;
                    value.push(c);
                }
                '}' => {
                    depth = depth.saturating_sub(1);
                    value.push(c);
                }
                ',' if depth == 0 => break,
                _ => value.push(c),
            }
        }
        pairs.push((key, value));
    }
    Ok(pairs)
}

fn missing_equals(index: usize) -> String {
    format!("pair {} has no `=` (KEY=VALUE expected)", index + 1)
}

/// Parses `a.b[0].c` (with `\.` and `\[` escapes) into steps.
fn parse_key(key: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut current = String::new();
    let mut chars = key.chars().peekable();
    let mut after_index = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) => current.push(next),
                None => return Err(format!("`{key}` ends with a lone `\\`")),
            },
            '.' => {
                if current.is_empty() && !after_index {
                    return Err(format!("`{key}` has an empty key part"));
                }
                if !current.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut current)));
                }
                after_index = false;
            }
            '[' => {
                if !current.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut current)));
                } else if steps.is_empty() {
                    return Err(format!("`{key}` starts with an index"));
                }
                let mut digits = String::new();
                loop {
                    match chars.next() {
                        Some(']') => break,
                        Some(d) => digits.push(d),
                        None => return Err(format!("`{key}` has an unclosed `[`")),
                    }
                }
                let index = digits
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("`[{digits}]` in `{key}` is not a list index"))?;
                // A typo must not allocate a huge list.
                if index > MAX_SET_INDEX {
                    return Err(format!(
                        "index {index} in `{key}` is over the limit of {MAX_SET_INDEX}"
                    ));
                }
                steps.push(Step::Index(index));
                after_index = true;
            }
            _ => {
                if after_index && !current.is_empty() {
                    return Err(format!("`{key}`: expected `.` after `]`"));
                }
                current.push(c);
            }
        }
    }
    if !current.is_empty() {
        steps.push(Step::Key(current));
    } else if !after_index {
        return Err(format!("`{key}` ends with `.`"));
    }
    Ok(steps)
}

/// Types a value as Helm does; `{a,b}` becomes a list (its items placed at `at`).
fn typed_value(raw: &str, at: &Location) -> Value {
    if let Some(inner) = raw.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        let items = split_list(inner);
        return Value::Seq(
            items
                .iter()
                .map(|item| Node {
                    value: typed_scalar(item),
                    at: at.clone(),
                })
                .collect(),
        );
    }
    typed_scalar(&unescape(raw))
}

fn split_list(inner: &str) -> Vec<String> {
    if inner.is_empty() {
        return Vec::new();
    }
    let mut items = vec![String::new()];
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(item)) = (chars.next(), items.last_mut()) {
                    item.push(next);
                }
            }
            ',' => items.push(String::new()),
            _ => {
                if let Some(item) = items.last_mut() {
                    item.push(c);
                }
            }
        }
    }
    items
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn typed_scalar(text: &str) -> Value {
    if text.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if text.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if text == "null" {
        return Value::Null;
    }
    // Helm keeps `0123` a string (a leading zero is not an integer to it).
    let digits = text.strip_prefix('-').unwrap_or(text);
    let leading_zero = digits.len() > 1 && digits.starts_with('0');
    let integer = !leading_zero && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    if let (true, Ok(i)) = (integer, text.parse::<i64>()) {
        return Value::Int(i);
    }
    Value::Str(text.to_string())
}

/// Sets the value at `steps` below `node`, whose keys `index` finds (and
/// is kept in step: a value replaced forgets its index).
fn set_path(
    node: &mut Node,
    index: &mut KeyIndex,
    steps: &[Step],
    value: Node,
    at: &Location,
) -> Result<(), String> {
    let Some((step, rest)) = steps.split_first() else {
        *node = value;
        index.reset();
        return Ok(());
    };
    match step {
        Step::Key(key) => {
            if !matches!(node.value, Value::Map(_)) {
                // Helm replaces a non-map on the way with a map.
                node.value = Value::Map(Vec::new());
                node.at = at.clone();
                index.reset();
            }
            let Value::Map(entries) = &mut node.value else {
                return Err("internal: expected a mapping".into());
            };
            let position = match index.position(entries, key) {
                Some(i) => {
                    entries[i].key_at = at.clone();
                    i
                }
                None => {
                    index.appended(key, entries.len());
                    entries.push(Entry {
                        key: key.clone(),
                        key_at: at.clone(),
                        value: Node {
                            value: Value::Null,
                            at: at.clone(),
                        },
                    });
                    entries.len() - 1
                }
            };
            set_path(
                &mut entries[position].value,
                index.below(position),
                rest,
                value,
                at,
            )
        }
        Step::Index(item) => {
            if !matches!(node.value, Value::Seq(_)) {
                node.value = Value::Seq(Vec::new());
                node.at = at.clone();
                index.reset();
            }
            let Value::Seq(items) = &mut node.value else {
                return Err("internal: expected a list".into());
            };
            while items.len() <= *item {
                items.push(Node {
                    value: Value::Null,
                    at: at.clone(),
                });
            }
            set_path(&mut items[*item], index.below(*item), rest, value, at)
        }
    }
}

/// Sets one top-level key from a flag (`--namespace`, …).
pub fn set_flag(root: &mut Node, key: &str, value: &str, flag: &'static str) {
    let at = Location::argument(Source::Flag(flag));
    let node = Node {
        value: Value::Str(value.to_string()),
        at: at.clone(),
    };
    // A flag value is always a string: `--namespace 123` names namespace "123".
    // A fresh index: flags come once, after the files and `--set`.
    let _ = set_path(
        root,
        &mut KeyIndex::default(),
        &[Step::Key(key.to_string())],
        node,
        &at,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn json(root: &Node) -> serde_json::Value {
        root.value.to_json()
    }

    fn applied(base: &str, args: &[&str]) -> Result<Node, Box<ConfigError>> {
        let mut root = super::super::tree::parse(base, Path::new("b.yml")).expect("base parses");
        let mut budget = MAX_SET_PAIRS;
        let mut index = KeyIndex::default();
        for (position, arg) in args.iter().enumerate() {
            apply(&mut root, &mut index, arg, position, &mut budget)?;
        }
        Ok(root)
    }

    #[test]
    fn nested_keys_indexes_and_pairs() {
        let root = applied(
            "gateway: {replicas: 1, image: x}\n",
            &[
                "gateway.replicas=3,ingress.enabled=true",
                "connections[1].name=s3",
            ],
        )
        .expect("applies");
        assert_eq!(
            json(&root),
            serde_json::json!({
                "gateway": {"replicas": 3, "image": "x"},
                "ingress": {"enabled": true},
                "connections": [null, {"name": "s3"}]
            })
        );
    }

    /// A mapping of `width` keys `k0: 0`, `k1: 1`, … under `wide`.
    fn wide(width: usize) -> String {
        let keys: String = (0..width).map(|i| format!("  k{i}: {i}\n")).collect();
        format!("wide:\n{keys}after: 1\n")
    }

    /// The keys of the mapping at `path`, in their order.
    fn keys(root: &Node, path: &[&str]) -> Vec<String> {
        let node = match path {
            [] => Some(root),
            _ => root.entry_at(path).map(|e| &e.value),
        };
        node.and_then(|n| n.value.as_map())
            .map(|entries| entries.iter().map(|e| e.key.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn on_a_wide_mapping_a_key_is_replaced_in_place_and_a_new_one_appended() {
        let pairs: Vec<String> = (0..499)
            .map(|i| format!("wide.k{}=x{i},wide.new{i}=n{i}", i * 7))
            .collect();
        let root = applied(&wide(5_000), &[&pairs.join(","), "wide.k3=last"]).expect("applies");
        let wide = json(&root)["wide"].clone();
        let order = keys(&root, &["wide"]);
        assert_eq!(order.len(), 5_499);
        // Existing keys keep their place; new ones follow, in --set order.
        assert_eq!(order[7], "k7");
        assert_eq!(order[4_999], "k4999");
        assert_eq!(order[5_000], "new0");
        assert_eq!(order[5_498], "new498");
        assert_eq!(wide["k7"], "x1");
        assert_eq!(wide["k3486"], "x498");
        assert_eq!(wide["k8"], 8);
        assert_eq!(wide["k3"], "last");
        assert_eq!(wide["new250"], "n250");
        // The key replaced now points at the --set argument.
        let entry = root.entry_at(&["wide", "k7"]).expect("set");
        assert!(matches!(
            entry.key_at.source,
            Source::Set { position: 0, .. }
        ));
        assert_eq!(keys(&root, &[]), ["wide", "after"]);
    }

    #[test]
    fn on_a_wide_mapping_list_indexes_and_nested_paths_go_to_their_key() {
        let root = applied(
            &wide(5_000),
            &[
                "wide.k4000[2]=b,wide.k4000[0]=a",
                "wide.k10.deep.er=1,wide.k10.deep.other=2,wide.k10.deep.er=3",
                "wide.k20.a=1",
                "wide.k20=scalar",
                "wide.k20.b=2",
                "wide.k30[1]=x",
                "wide.k30=7",
                "wide.k30[0]=y",
            ],
        )
        .expect("applies");
        let wide = json(&root)["wide"].clone();
        assert_eq!(wide["k4000"], serde_json::json!(["a", null, "b"]));
        assert_eq!(
            wide["k10"],
            serde_json::json!({"deep": {"er": 3, "other": 2}})
        );
        // A value replaced by a scalar, then gone into again, starts afresh.
        assert_eq!(wide["k20"], serde_json::json!({"b": 2}));
        assert_eq!(wide["k30"], serde_json::json!(["y"]));
        let order = keys(&root, &["wide"]);
        assert_eq!(order.len(), 5_000);
        assert_eq!(order[10], "k10");
    }

    #[test]
    fn values_are_typed_like_helm() {
        let root = applied(
            "",
            &[
                "a=true", "b=007", "c=-12", "d=1.5", "e=null", "f={x,2}", "g=a\\,b", "h=",
            ],
        )
        .expect("applies");
        assert_eq!(
            json(&root),
            serde_json::json!({
                "a": true, "b": "007", "c": -12, "d": "1.5", "e": null,
                "f": ["x", 2], "g": "a,b", "h": ""
            })
        );
    }

    #[test]
    fn escaped_dots_stay_in_the_key() {
        let root = applied(
            "",
            &["ingress.annotations.kubernetes\\.io/ingress\\.class=nginx"],
        )
        .expect("applies");
        assert_eq!(
            json(&root),
            serde_json::json!({"ingress": {"annotations": {"kubernetes.io/ingress.class": "nginx"}}})
        );
    }

    #[test]
    fn set_values_remember_the_argument() {
        let root = applied("", &["gateway.replicas=three"]).expect("applies");
        let entry = root.entry_at(&["gateway", "replicas"]).expect("set");
        assert_eq!(
            entry.value.at.source,
            Source::Set {
                position: 0,
                key: "gateway.replicas".into()
            }
        );
        assert_eq!(entry.value.at.to_string(), "--set gateway.replicas=…");
    }

    #[test]
    fn a_huge_index_or_too_many_pairs_are_refused_without_allocating() {
        let error = applied("", &["a[9999]=x"]).expect_err("index");
        assert!(
            error.to_string().contains("over the limit of 1000"),
            "{error}"
        );
        let many: Vec<String> = (0..=MAX_SET_PAIRS)
            .map(|i| format!("k{i}=secret"))
            .collect();
        let error = applied("", &[&many.join(",")]).expect_err("pairs");
        let error_text = applied("", &["a=1,hunter2"]).expect_err("no =").to_string();
        assert!(error_text.contains("pair 2 has no `=`"), "{error_text}");
        assert!(!error_text.contains("hunter2"), "{error_text}");
        let message = error.to_string();
        assert!(message.contains("more than 1000 "), "{message}");
        assert!(
            !message.contains("secret") && message.len() < 300,
            "{message}"
        );
    }

    #[test]
    fn malformed_arguments_are_refused() {
        for bad in [
            "novalue", "a..b=1", "a[x]=1", "a[0=1", "=1", "a.=1", "[0]=1", "a=1,b",
        ] {
            let error = applied("", &[bad]).expect_err(bad);
            assert!(
                matches!(error.problem, Problem::BadSet(_)),
                "{bad}: {error}"
            );
            assert!(error.valid.is_some());
        }
    }
}
