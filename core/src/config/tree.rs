//! A YAML tree that remembers where every key and value was written, so that
//! errors can name file, line and column after files are merged.
//!
//! Parsing uses `granit-parser`, the YAML event parser already in the build
//! through kube (kube-client → serde-saphyr): no new dependency, maintained,
//! panic-free, and its events carry line/column spans (serde_yaml 0.9 has
//! positions only for syntax errors, not for keys).
//!
//! Plain scalars are resolved the way PyYAML (the Python Polyaxon CLI) and
//! Helm read them: YAML 1.1 booleans (`yes`/`no`/`on`/`off`/`true`/`false`),
//! `~`/`null`/empty as null, integers, and floats with a dot or exponent.
//! Quoted scalars are always strings.

use std::collections::HashMap;
use std::path::Path;

use granit_parser::{Event, Options, Parser, ScalarStyle};

#[cfg(test)]
use super::error::Source;
use super::error::{ConfigError, Location, Problem};
use super::key_index::KeyIndex;
use super::limits::{MAX_DEPTH, MAX_NODES};

/// Errors are boxed: they are large and rare.
type Fail = Box<ConfigError>;

/// A value and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it was written.
    pub at: Location,
}

/// A YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order.
    Map(Vec<Entry>),
}

/// One key of a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key, as written.
    pub key: String,
    /// Where the key was written.
    pub key_at: Location,
    /// Its value.
    pub value: Node,
}

impl Value {
    /// How a person would name this kind of value in an error: its type,
    /// never the value itself (it may be a secret given under a wrong key).
    pub fn describe(&self) -> String {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
        .to_string()
    }

    /// The entries when this is a mapping.
    pub fn as_map(&self) -> Option<&[Entry]> {
        match self {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The string when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as JSON, as given.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(x) => serde_json::Number::from_f64(*x)
                .map(J::Number)
                .unwrap_or_else(|| J::String(x.to_string())),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(|n| n.value.to_json()).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.value.to_json()))
                    .collect(),
            ),
        }
    }
}

impl Node {
    /// An empty mapping (an empty config), placed at `at`.
    pub fn empty_map(at: Location) -> Self {
        Self {
            value: Value::Map(Vec::new()),
            at,
        }
    }

    /// The entry with this key, when this is a mapping.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.value.as_map()?.iter().find(|e| e.key == key)
    }

    /// The entry at a path of keys.
    pub fn entry_at(&self, path: &[&str]) -> Option<&Entry> {
        let (first, rest) = path.split_first()?;
        let entry = self.get(first)?;
        if rest.is_empty() {
            Some(entry)
        } else {
            entry.value.entry_at(rest)
        }
    }
}

/// Parses one config file. An empty file (or one holding only comments or
/// `~`) is an empty config. Syntax errors carry line and column.
pub fn parse(text: &str, path: &Path) -> Result<Node, Fail> {
    let mut options = Options::default();
    options.emit_comments = false;
    let mut builder = Builder {
        path,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        documents: 0,
        built: 0,
    };
    for item in Parser::new_from_str_with_options(text, options) {
        match item {
            Ok((event, span)) => {
                let at = Location::file(path, span.start.line(), span.start.col() + 1);
                builder.event(event, at)?;
            }
            Err(error) => {
                let mark = error.marker();
                return Err(Box::new(ConfigError::new(
                    "",
                    Some(Location::file(path, mark.line(), mark.col() + 1)),
                    Problem::Syntax(error.info()),
                )));
            }
        }
    }
    let start = Location::file(path, 1, 1);
    match builder.root {
        None => Ok(Node::empty_map(start)),
        Some(Node {
            value: Value::Null,
            at,
        }) => Ok(Node::empty_map(at)),
        Some(
            node @ Node {
                value: Value::Map(_),
                ..
            },
        ) => Ok(node),
        Some(other) => Err(Box::new(ConfigError::new(
            "",
            Some(other.at.clone()),
            Problem::NotAMapping {
                found: other.value.describe(),
            },
        ))),
    }
}

/// A collection being built.
struct Open {
    /// The mapping or list so far.
    node: Node,
    /// For a mapping: the key waiting for its value.
    pending: Option<(String, Location)>,
    /// For a mapping: each key given, and its line (to refuse duplicates
    /// without scanning the entries: a file of many keys stays linear).
    lines: HashMap<String, usize>,
    /// The anchor id (0 for none).
    anchor: usize,
    /// How many values were built before this one opened.
    start: usize,
}

impl Open {
    fn new(value: Value, at: Location, anchor: usize, start: usize) -> Self {
        Open {
            node: Node { value, at },
            pending: None,
            lines: HashMap::new(),
            anchor,
            start,
        }
    }

    /// A mapping waiting for a key.
    fn wants_key(&self) -> bool {
        matches!(self.node.value, Value::Map(_)) && self.pending.is_none()
    }
}

struct Builder<'a> {
    path: &'a Path,
    stack: Vec<Open>,
    /// Anchored values and how many values each holds.
    anchors: HashMap<usize, (Node, usize)>,
    root: Option<Node>,
    documents: usize,
    /// Values built so far, aliases expanded.
    built: usize,
}

impl Builder<'_> {
    /// Counts `count` more values; fails past [`MAX_NODES`] (an alias bomb).
    fn count(&mut self, count: usize, at: &Location) -> Result<(), Fail> {
        self.built = self.built.saturating_add(count);
        if self.built > MAX_NODES {
            return Err(Box::new(
                ConfigError::new(
                    "",
                    Some(at.clone()),
                    Problem::Syntax(format!(
                        "the file expands to more than {MAX_NODES} values (aliases repeat what they name)"
                    )),
                )
                .valid("a deployment config without aliases that repeat large parts"),
            ));
        }
        Ok(())
    }

    fn open(&mut self, value: Value, at: Location, anchor: usize) -> Result<(), Fail> {
        self.check_not_key(&at)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(Box::new(
                ConfigError::new(
                    "",
                    Some(at),
                    Problem::Syntax(format!(
                        "mappings and lists nested more than {MAX_DEPTH} deep"
                    )),
                )
                .valid("a deployment config nested at most 64 levels"),
            ));
        }
        self.count(1, &at)?;
        self.stack.push(Open::new(value, at, anchor, self.built));
        Ok(())
    }

    fn event(&mut self, event: Event<'_>, at: Location) -> Result<(), Fail> {
        match event {
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(Box::new(ConfigError::new(
                        "",
                        Some(at),
                        Problem::Syntax(
                            "more than one YAML document (`---`); give each as its own -f file"
                                .to_string(),
                        ),
                    )));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let core_tag = tag
                    .as_ref()
                    .and_then(|t| t.core_suffix().map(str::to_string));
                let value = resolve(&text, style, core_tag.as_deref());
                // A mapping key stays the text as written, whatever it resolves to.
                if let Some(open) = self.stack.last_mut()
                    && open.wants_key()
                {
                    open.pending = Some((text.into_owned(), at));
                    return Ok(());
                }
                self.count(1, &at)?;
                let node = Node { value, at };
                if anchor != 0 {
                    self.anchors.insert(anchor, (node.clone(), 1));
                }
                self.push(node)?;
            }
            Event::Alias(id) => {
                let (node, size) = self.anchors.get(&id).cloned().ok_or_else(|| {
                    Box::new(ConfigError::new(
                        "",
                        Some(at.clone()),
                        Problem::Syntax("alias to an unknown anchor".into()),
                    ))
                })?;
                self.count(size, &at)?;
                if let Some(open) = self.stack.last_mut()
                    && open.wants_key()
                {
                    match node.value {
                        Value::Str(s) => open.pending = Some((s, at)),
                        _ => return Err(complex_key(at)),
                    }
                    return Ok(());
                }
                self.push(Node { at, ..node })?;
            }
            Event::SequenceStart(_, anchor, _) => self.open(Value::Seq(Vec::new()), at, anchor)?,
            Event::MappingStart(_, anchor, _) => self.open(Value::Map(Vec::new()), at, anchor)?,
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = self.stack.pop() else {
                    return Ok(());
                };
                let node = match open.node.value {
                    Value::Map(_) => apply_merge_key(open.node)?,
                    _ => open.node,
                };
                if open.anchor != 0 {
                    let size = self.built - open.start + 1;
                    self.anchors.insert(open.anchor, (node.clone(), size));
                }
                self.push(node)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// A collection cannot be a mapping key here (Polyaxon keys are strings).
    fn check_not_key(&self, at: &Location) -> Result<(), Fail> {
        if self.stack.last().is_some_and(Open::wants_key) {
            return Err(complex_key(at.clone()));
        }
        Ok(())
    }

    fn push(&mut self, node: Node) -> Result<(), Fail> {
        let Some(open) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        match &mut open.node.value {
            Value::Seq(items) => items.push(node),
            Value::Map(entries) => {
                let Some((key, key_at)) = open.pending.take() else {
                    return Err(complex_key(node.at));
                };
                if let Some(first_line) = open.lines.get(&key) {
                    return Err(Box::new(
                        ConfigError::new(
                            key.clone(),
                            Some(key_at),
                            Problem::DuplicateKey {
                                key,
                                first_line: *first_line,
                            },
                        )
                        .valid("keep one of them"),
                    ));
                }
                open.lines.insert(key.clone(), key_at.line);
                entries.push(Entry {
                    key,
                    key_at,
                    value: node,
                });
                let _ = self.path;
            }
            _ => {}
        }
        Ok(())
    }
}

/// YAML merge keys (`<<: *defaults`, or a list of them), as PyYAML and Helm
/// read them: the merged mappings' keys are added unless the mapping gives
/// them itself, whatever the order; earlier mappings in a list win.
fn apply_merge_key(mut node: Node) -> Result<Node, Fail> {
    let Value::Map(entries) = &mut node.value else {
        return Ok(node);
    };
    let Some(index) = entries.iter().position(|e| e.key == "<<") else {
        return Ok(node);
    };
    let merge = entries.remove(index);
    let sources: Vec<Node> = match merge.value.value {
        Value::Map(_) => vec![merge.value],
        Value::Seq(items) => items,
        other => {
            return Err(Box::new(ConfigError::new(
                "<<",
                Some(merge.key_at),
                Problem::Syntax(format!(
                    "a merge key `<<` takes a mapping or a list of mappings, found {}",
                    other.describe()
                )),
            )));
        }
    };
    let mut given: std::collections::HashSet<String> =
        entries.iter().map(|e| e.key.clone()).collect();
    for source in sources {
        let Value::Map(merged) = source.value else {
            return Err(Box::new(ConfigError::new(
                "<<",
                Some(source.at),
                Problem::Syntax("a merge key `<<` takes mappings only".into()),
            )));
        };
        for entry in merged {
            if given.insert(entry.key.clone()) {
                entries.push(entry);
            }
        }
    }
    Ok(node)
}

fn complex_key(at: Location) -> Fail {
    Box::new(ConfigError::new(
        "",
        Some(at),
        Problem::Syntax("a mapping key must be a plain string".into()),
    ))
}

/// Resolves a scalar as PyYAML and Helm do (see the module comment).
fn resolve(text: &str, style: ScalarStyle, core_tag: Option<&str>) -> Value {
    if let Some(suffix) = core_tag {
        match suffix {
            "str" => return Value::Str(text.to_string()),
            "null" => return Value::Null,
            "bool" | "int" | "float" => return resolve_plain(text),
            _ => {}
        }
    }
    match style {
        ScalarStyle::Plain => resolve_plain(text),
        _ => Value::Str(text.to_string()),
    }
}

/// Resolves a plain scalar.
pub(crate) fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    if let Some(i) = parse_int(text) {
        return Value::Int(i);
    }
    if let Some(x) = parse_float(text) {
        return Value::Float(x);
    }
    Value::Str(text.to_string())
}

fn parse_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if clean.is_empty() || digits.starts_with('_') {
        return None;
    }
    let magnitude = if let Some(hex) = clean.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = clean.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if clean.bytes().all(|b| b.is_ascii_digit()) {
        clean.parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn parse_float(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let first = text.trim_start_matches(['-', '+']).chars().next()?;
    if !(first.is_ascii_digit() || first == '.') {
        return None;
    }
    if !text.contains(['.', 'e', 'E']) {
        return None;
    }
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    clean.parse::<f64>().ok()
}

/// Deep merge of `overlay` into `base`: mappings merge key by key; scalars
/// and lists from `overlay` win. `index` is `base`'s (kept across merges
/// and `--set`): each key is found through it, so merging many files is
/// linear in their size, whatever their number.
pub fn merge_into(base: &mut Node, overlay: Node, index: &mut KeyIndex) {
    let Node { value, at } = overlay;
    match (&mut base.value, value) {
        (Value::Map(entries), Value::Map(over)) => {
            for entry in over {
                match index.position(entries, &entry.key) {
                    Some(position) => {
                        let existing = &mut entries[position];
                        existing.key_at = entry.key_at;
                        merge_into(&mut existing.value, entry.value, index.below(position));
                    }
                    None => {
                        index.appended(&entry.key, entries.len());
                        entries.push(entry);
                    }
                }
            }
        }
        (_, value) => {
            *base = Node { value, at };
            index.reset();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        parse(text, Path::new("t.yml")).expect("parses")
    }

    /// `files` merged in order, as the loader merges `-f` files.
    fn merge(files: Vec<Node>) -> Node {
        let mut root = Node::empty_map(Location::argument(Source::Flag("test")));
        let mut index = KeyIndex::default();
        for file in files {
            merge_into(&mut root, file, &mut index);
        }
        root
    }

    #[test]
    fn keys_and_values_carry_line_and_column() {
        let root = parse_ok("a: 1\ngateway:\n  replicas: three\n");
        let entry = root.entry_at(&["gateway", "replicas"]).expect("present");
        assert_eq!((entry.key_at.line, entry.key_at.column), (3, 3));
        assert_eq!((entry.value.at.line, entry.value.at.column), (3, 13));
        assert_eq!(entry.value.value, Value::Str("three".into()));
    }

    #[test]
    fn scalars_resolve_like_pyyaml() {
        let root = parse_ok(
            "a: yes\nb: 'yes'\nc: 3\nd: 1.0.9\ne: 2.5\nf: ~\ng:\nh: \"3\"\ni: 0x1f\nj: !!str 4\n",
        );
        let get = |k: &str| root.get(k).map(|e| e.value.value.clone());
        assert_eq!(get("a"), Some(Value::Bool(true)));
        assert_eq!(get("b"), Some(Value::Str("yes".into())));
        assert_eq!(get("c"), Some(Value::Int(3)));
        assert_eq!(get("d"), Some(Value::Str("1.0.9".into())));
        assert_eq!(get("e"), Some(Value::Float(2.5)));
        assert_eq!(get("f"), Some(Value::Null));
        assert_eq!(get("g"), Some(Value::Null));
        assert_eq!(get("h"), Some(Value::Str("3".into())));
        assert_eq!(get("i"), Some(Value::Int(31)));
        assert_eq!(get("j"), Some(Value::Str("4".into())));
    }

    #[test]
    fn an_empty_file_is_an_empty_config() {
        for text in ["", "# only a comment\n", "~\n", "---\n"] {
            let root = parse_ok(text);
            assert_eq!(root.value, Value::Map(vec![]), "{text:?}");
        }
    }

    #[test]
    fn a_syntax_error_has_line_and_column() {
        let error = parse("a: 1\nb: [1, 2\nc: 3\n", Path::new("bad.yml")).expect_err("fails");
        assert!(matches!(error.problem, Problem::Syntax(_)));
        let at = error.location.expect("located");
        assert!(at.line >= 2, "{at}");
        assert!(at.to_string().starts_with("bad.yml:"));
    }

    #[test]
    fn a_list_at_the_top_is_not_a_config() {
        let error = parse("- a\n- b\n", Path::new("l.yml")).expect_err("fails");
        assert!(matches!(error.problem, Problem::NotAMapping { .. }));
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let error = parse("a: 1\nb: 2\na: 3\n", Path::new("d.yml")).expect_err("fails");
        assert_eq!(
            error.problem,
            Problem::DuplicateKey {
                key: "a".into(),
                first_line: 1
            }
        );
        assert_eq!(error.location.map(|l| l.line), Some(3));
    }

    #[test]
    fn anchors_and_aliases_are_expanded() {
        let root = parse_ok("base: &b {x: 1}\nother: *b\n");
        let x = root.entry_at(&["other", "x"]).expect("alias expanded");
        assert_eq!(x.value.value, Value::Int(1));
    }

    #[test]
    fn yaml_merge_keys_are_applied_and_explicit_keys_win() {
        let root = parse_ok(
            "defaults: &d {replicas: 1, image: x}\ngateway:\n  replicas: 3\n  <<: *d\nworker:\n  <<: [*d, {concurrency: 2}]\n",
        );
        let gateway = root.get("gateway").expect("gateway").value.value.to_json();
        assert_eq!(gateway, serde_json::json!({"replicas": 3, "image": "x"}));
        let worker = root.get("worker").expect("worker").value.value.to_json();
        assert_eq!(
            worker,
            serde_json::json!({"replicas": 1, "image": "x", "concurrency": 2})
        );
        let error = parse("a:\n  <<: 3\n", Path::new("m.yml")).expect_err("not a mapping");
        assert!(matches!(error.problem, Problem::Syntax(_)));
    }

    /// The "billion laughs": nine aliases of nine aliases, nine levels deep.
    pub(crate) fn alias_bomb() -> String {
        let mut lines = vec!["a0: &a0 [x, x, x, x, x, x, x, x, x]".to_string()];
        for level in 1..10 {
            let prev = format!("*a{}", level - 1);
            let items = [prev.as_str(); 9].join(", ");
            lines.push(format!("a{level}: &a{level} [{items}]"));
        }
        lines.join("\n")
    }

    #[test]
    fn an_alias_bomb_is_refused_before_it_expands() {
        let error = parse(&alias_bomb(), Path::new("bomb.yml")).expect_err("refused");
        let message = error.to_string();
        assert!(
            message.contains("expands to more than 200000 values"),
            "{message}"
        );
        assert!(message.starts_with("bomb.yml:"), "{message}");
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused() {
        let deep = format!("a: {}1{}\n", "[".repeat(200), "]".repeat(200));
        let error = parse(&deep, Path::new("deep.yml")).expect_err("refused");
        assert!(
            error.to_string().contains("nested more than 64 deep"),
            "{error}"
        );
        let fine = format!("a: {}1{}\n", "[".repeat(30), "]".repeat(30));
        assert!(parse(&fine, Path::new("ok.yml")).is_ok());
    }

    #[test]
    fn many_keys_load_and_merge_and_a_duplicate_among_them_is_found() {
        // (100,000 keys take seconds in a debug build, the YAML parser's
        // own time; `core/examples/load_time.rs` measures them.)
        let text: String = (0..20_000).map(|i| format!("k{i}: {i}\n")).collect();
        let merged = merge(vec![parse_ok(&text), parse_ok(&text)]);
        assert_eq!(merged.value.as_map().map(<[Entry]>::len), Some(20_000));
        let error = parse(&format!("{text}k7: 1\n"), Path::new("d.yml")).expect_err("dup");
        assert!(matches!(
            error.problem,
            Problem::DuplicateKey { first_line: 8, .. }
        ));
    }

    #[test]
    fn several_files_merge_in_order_keeping_each_key_in_its_first_place() {
        let wide: String = (0..5_000).map(|i| format!("  k{i}: {i}\n")).collect();
        let files = [
            format!("x: 1\nm:\n{wide}y: 2\n"),
            "m:\n  k7: a\n  extra: 1\n".to_string(),
            "m: 3\nz: 1\n".to_string(),
            "m:\n  k7: b\n".to_string(),
            "m:\n  k7: c\n  k8: d\nx: 5\n".to_string(),
        ];
        let merged = merge(
            files
                .iter()
                .map(|text| parse(text, Path::new("f.yml")).expect("parses"))
                .collect(),
        );
        let order: Vec<&str> = merged
            .value
            .as_map()
            .map(|m| m.iter().map(|e| e.key.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(order, ["x", "m", "y", "z"]);
        assert_eq!(
            merged.value.to_json(),
            serde_json::json!({"x": 5, "m": {"k7": "c", "k8": "d"}, "y": 2, "z": 1})
        );
        let two = merge(files[..2].iter().map(|t| parse_ok(t)).collect());
        let m = two
            .get("m")
            .and_then(|e| e.value.value.as_map())
            .expect("m");
        assert_eq!(
            (m.len(), m[7].key.as_str(), m[5_000].key.as_str()),
            (5_001, "k7", "extra")
        );
        assert_eq!(m[7].value.value, Value::Str("a".into()));
    }

    #[test]
    fn merge_maps_deeply_and_later_scalars_and_lists_win() {
        let a = parse(
            "g:\n  replicas: 1\n  image: x\nl: [1, 2]\n",
            Path::new("a.yml"),
        )
        .expect("a");
        let b = parse("g:\n  replicas: 2\nl: [3]\nn: ns\n", Path::new("b.yml")).expect("b");
        let merged = merge(vec![a, b]);
        let replicas = merged.entry_at(&["g", "replicas"]).expect("replicas");
        assert_eq!(replicas.value.value, Value::Int(2));
        assert_eq!(replicas.value.at.source, Source::File("b.yml".into()));
        let image = merged.entry_at(&["g", "image"]).expect("image kept");
        assert_eq!(image.value.at.source, Source::File("a.yml".into()));
        assert_eq!(
            merged.get("l").map(|e| e.value.value.to_json()),
            Some(serde_json::json!([3]))
        );
        assert!(merged.get("n").is_some());
    }
}
