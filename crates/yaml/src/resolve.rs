//! Nodes to `serde_json::Value`s, read the way kubectl reads them: go-yaml v2 (YAML 1.1 scalars)
//! followed by sigs.k8s.io/yaml's conversion to JSON.
//!
//! - Plain scalars: `y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON` and their `n`/`no`/`false`/`off`
//!   counterparts are booleans; `~`, `null`, `Null`, `NULL` and the empty scalar are null; integers
//!   as Go's `strconv.ParseInt(s, 0, 64)` reads them after removing `_` (`0x1F`, `0o17`, `0b101`,
//!   `0644` octal = 420, signs); floats per go-yaml's pattern (`1.5`, `1e3`, `.5`).
//! - Floats with an integral value (`1e3`, `2.0`) become JSON integers, as Go's JSON encoder prints
//!   them without a fraction. `.inf`, `-.inf` and `.nan` can't be JSON: they stay **strings** with
//!   their original text.
//! - Timestamps (`2001-12-14`) stay strings (go-yaml v2 gives strings for them in `interface{}`).
//! - Quoted and block scalars are strings; `!!str` forces a string, `!!int`, `!!float`, `!!bool`,
//!   `!!null` force resolution (and fail on a mismatch, as go-yaml does); other tags are ignored.
//! - Aliases expand to their anchored node; at most [`MAX_ALIAS_EXPANSION`] nodes are produced by
//!   alias expansion per call, so "billion laughs" documents fail fast.
//! - Merge keys (`<<: *base`, `<<: [*a, *b]`) work as go-yaml v2 applies them: in document order,
//!   so keys written after `<<` win over merged ones (the usual layout) while a key written
//!   *before* `<<` is overwritten by a merged key of the same name; in a list of merged maps the
//!   earlier maps win.
//! - Mapping keys become strings as sigs.k8s.io/yaml makes them: `1` → `"1"`, `true` → `"true"`,
//!   floats as Go's `%g`. Null and collection keys are errors, and so are two keys that become the
//!   same string (`1` and `"1"`).

use std::collections::HashSet;

use serde_json::{Map, Number, Value};

use crate::tree::{Document, Node, NodeKind, ScalarStyle, YamlError};

/// Most nodes alias expansion may produce in one [`to_value`] call.
pub const MAX_ALIAS_EXPANSION: usize = 100_000;
/// Deepest value [`to_value`] builds (alias expansion can nest deeper than the text).
const MAX_VALUE_DEPTH: usize = 512;

/// A scalar resolved as go-yaml v2 resolves it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str,
}

/// The JSON value of `node`, a node of `doc` (which holds the anchors aliases refer to).
pub fn to_value(node: &Node, doc: &Document) -> Result<Value, YamlError> {
    let roots: Vec<&Node> = doc.root.iter().collect();
    value_among(node, &roots, 0, &mut 0)
}

/// The JSON value of `node`, `depth` levels below its document's root, whose aliases refer to the
/// anchors of the nodes below `roots` (which hold every anchored node of the document before
/// `node`, and `node` itself); `expanded` counts the nodes alias expansion produced, and is shared
/// by the calls on parts of one document so that the document as a whole has the bound of
/// [`to_value`] ([`crate::stream`]).
pub(crate) fn value_among(
    node: &Node,
    roots: &[&Node],
    depth: usize,
    expanded: &mut usize,
) -> Result<Value, YamlError> {
    let mut cx = Cx {
        roots,
        anchors: None,
        expanded: *expanded,
        in_alias: 0,
    };
    let value = cx.value(node, depth);
    *expanded = cx.expanded;
    value
}

/// Every anchored node below `roots`, in document order.
fn anchors<'d>(roots: &[&'d Node]) -> Vec<(&'d str, &'d Node)> {
    let mut anchors = Vec::new();
    let mut stack: Vec<&Node> = roots.to_vec();
    while let Some(n) = stack.pop() {
        if let Some(a) = &n.anchor {
            anchors.push((a.as_str(), n));
        }
        match &n.kind {
            NodeKind::Sequence(items) => stack.extend(items.iter()),
            NodeKind::Mapping(pairs) => stack.extend(pairs.iter().flat_map(|(k, v)| [k, v])),
            _ => {}
        }
    }
    anchors.sort_by_key(|(_, n)| n.span.start);
    anchors
}

struct Cx<'d> {
    roots: &'d [&'d Node],
    /// built at the first alias
    anchors: Option<Vec<(&'d str, &'d Node)>>,
    expanded: usize,
    in_alias: usize,
}

impl<'d> Cx<'d> {
    fn target(&mut self, alias: &Node, name: &str) -> Result<&'d Node, YamlError> {
        let roots = self.roots;
        let target = self
            .anchors
            .get_or_insert_with(|| anchors(roots))
            .iter()
            .rev()
            .find(|(a, n)| *a == name && n.span.start < alias.span.start)
            .map(|(_, n)| *n)
            .ok_or_else(|| YamlError::at(alias, format!("unknown anchor {name:?}")))?;
        if target.span.contains(&alias.span.start) {
            return Err(YamlError::at(
                alias,
                format!("alias *{name} refers to a node containing it"),
            ));
        }
        Ok(target)
    }

    fn value(&mut self, node: &Node, depth: usize) -> Result<Value, YamlError> {
        if depth > MAX_VALUE_DEPTH {
            return Err(YamlError::at(
                node,
                format!("value nested deeper than {MAX_VALUE_DEPTH} levels"),
            ));
        }
        if self.in_alias > 0 {
            self.expanded += 1;
            if self.expanded > MAX_ALIAS_EXPANSION {
                return Err(YamlError::at(
                    node,
                    format!("alias expansion exceeds {MAX_ALIAS_EXPANSION} nodes"),
                ));
            }
        }
        match &node.kind {
            NodeKind::Scalar { value, style, tag } => {
                let r = resolve_scalar(value, *style, tag.as_deref())
                    .map_err(|m| YamlError::at(node, m))?;
                Ok(json(r, value))
            }
            NodeKind::Sequence(items) => items
                .iter()
                .map(|n| self.value(n, depth + 1))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            NodeKind::Mapping(pairs) => self.mapping(pairs, depth).map(Value::Object),
            NodeKind::Alias(name) => {
                let target = self.target(node, name)?;
                self.in_alias += 1;
                let v = self.value(target, depth + 1);
                self.in_alias -= 1;
                v
            }
        }
    }

    fn mapping(
        &mut self,
        pairs: &[(Node, Node)],
        depth: usize,
    ) -> Result<Map<String, Value>, YamlError> {
        let mut out = Map::new();
        let mut explicit = HashSet::new();
        for (k, v) in pairs {
            if is_merge_key(k) {
                self.merge(v, &mut out, depth)?;
                continue;
            }
            let key = self.key_string(k)?;
            if !explicit.insert(key.clone()) {
                return Err(YamlError::at(k, format!("duplicate mapping key {key:?}")));
            }
            let value = self.value(v, depth + 1)?;
            out.insert(key, value);
        }
        Ok(out)
    }

    fn merge(
        &mut self,
        v: &Node,
        out: &mut Map<String, Value>,
        depth: usize,
    ) -> Result<(), YamlError> {
        let want_map =
            |n: &Node| YamlError::at(n, "map merge requires map or sequence of maps as the value");
        let sources: Vec<&Node> = match &v.kind {
            NodeKind::Sequence(items) => items.iter().rev().collect(),
            _ => vec![v],
        };
        for source in sources {
            let is_map = match &source.kind {
                NodeKind::Mapping(_) => true,
                NodeKind::Alias(name) => {
                    matches!(self.target(source, name)?.kind, NodeKind::Mapping(_))
                }
                _ => false,
            };
            if !is_map {
                return Err(want_map(source));
            }
            if let Value::Object(map) = self.value(source, depth + 1)? {
                for (k, x) in map {
                    out.insert(k, x);
                }
            }
        }
        Ok(())
    }

    fn key_string(&mut self, k: &Node) -> Result<String, YamlError> {
        let (value, style, tag) = match &k.kind {
            NodeKind::Scalar { value, style, tag } => (value.clone(), *style, tag.clone()),
            NodeKind::Alias(name) => {
                let target = self.target(k, name)?;
                self.in_alias += 1;
                let r = self.key_string(target);
                self.in_alias -= 1;
                return r;
            }
            _ => {
                return Err(YamlError::at(
                    k,
                    "unsupported mapping key: a sequence or mapping",
                ));
            }
        };
        let r = resolve_scalar(&value, style, tag.as_deref()).map_err(|m| YamlError::at(k, m))?;
        Ok(match r {
            Resolved::Str => value,
            Resolved::Bool(b) => b.to_string(),
            Resolved::Int(i) => i.to_string(),
            Resolved::Uint(u) => u.to_string(),
            Resolved::Float(f) => go_format_float_key(f),
            Resolved::Null => return Err(YamlError::at(k, "unsupported mapping key: null")),
        })
    }
}

fn is_merge_key(k: &Node) -> bool {
    match &k.kind {
        NodeKind::Scalar { value, style, tag } => {
            value == "<<"
                && ((*style == ScalarStyle::Plain && tag.is_none())
                    || tag.as_deref() == Some("!!merge"))
        }
        _ => false,
    }
}

fn json(r: Resolved, text: &str) -> Value {
    match r {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Int(i) => Value::from(i),
        Resolved::Uint(u) => Value::from(u),
        Resolved::Float(f) => float_json(f).unwrap_or_else(|| Value::String(text.to_string())),
        Resolved::Str => Value::String(text.to_string()),
    }
}

/// A finite float as JSON (integral values as integers, as Go's encoder prints them).
fn float_json(f: f64) -> Option<Value> {
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 9.0e18 {
        #[allow(clippy::cast_possible_truncation)]
        return Some(Value::from(f as i64));
    }
    Number::from_f64(f).map(Value::Number)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`, as sigs.k8s.io/yaml formats float keys.
fn go_format_float_key(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    #[allow(clippy::cast_possible_truncation)]
    let x = f as f32;
    let e = format!("{x:e}");
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{x}")
    }
}

/// Resolves a scalar as go-yaml v2 does. `Err` is go-yaml's message for a tag it can't honour.
pub(crate) fn resolve_scalar(
    value: &str,
    style: ScalarStyle,
    tag: Option<&str>,
) -> Result<Resolved, String> {
    let Some(tag) = tag else {
        return Ok(if style == ScalarStyle::Plain {
            resolve_plain(value)
        } else {
            Resolved::Str
        });
    };
    let r = resolve_plain(value);
    let short = match r {
        Resolved::Null => "!!null",
        Resolved::Bool(_) => "!!bool",
        Resolved::Int(_) | Resolved::Uint(_) => "!!int",
        Resolved::Float(_) => "!!float",
        Resolved::Str => "!!str",
    };
    let fail = || Err(format!("cannot decode {short} `{value}` as a {tag}"));
    match tag {
        "!!int" => match r {
            Resolved::Int(_) | Resolved::Uint(_) => Ok(r),
            _ => fail(),
        },
        "!!float" => match r {
            Resolved::Float(_) => Ok(r),
            #[allow(clippy::cast_precision_loss)]
            Resolved::Int(i) => Ok(Resolved::Float(i as f64)),
            #[allow(clippy::cast_precision_loss)]
            Resolved::Uint(u) => Ok(Resolved::Float(u as f64)),
            _ => fail(),
        },
        "!!bool" => match r {
            Resolved::Bool(_) => Ok(r),
            _ => fail(),
        },
        "!!null" => match r {
            Resolved::Null => Ok(r),
            _ => fail(),
        },
        "!!timestamp" => {
            if looks_like_timestamp(value) {
                Ok(Resolved::Str)
            } else {
                fail()
            }
        }
        // !!str, !!binary, !!merge, local and unknown tags: the text as a string
        _ => Ok(Resolved::Str),
    }
}

/// `YYYY-` followed by anything: go-yaml's quick check before parsing a timestamp.
pub(crate) fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 4 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

/// A plain scalar resolved as go-yaml v2's `resolve("", s)`.
pub(crate) fn resolve_plain(s: &str) -> Resolved {
    let Some(&first) = s.as_bytes().first() else {
        return Resolved::Null;
    };
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Resolved::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false);
        }
        "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match first {
        b'.' => {
            // strconv.ParseFloat of `.5`, `.5e3`
            if is_yaml_float(s)
                && let Ok(f) = s.parse::<f64>()
                && f.is_finite()
            {
                return Resolved::Float(f);
            }
            Resolved::Str
        }
        b'+' | b'-' | b'0'..=b'9' => {
            if looks_like_timestamp(s) {
                return Resolved::Str;
            }
            let plain = s.replace('_', "");
            if let Some(i) = go_parse_int(&plain) {
                return Resolved::Int(i);
            }
            if let Some(u) = go_parse_uint(&plain) {
                return Resolved::Uint(u);
            }
            if is_yaml_float(&plain)
                && let Ok(f) = plain.parse::<f64>()
                && f.is_finite()
            {
                return Resolved::Float(f);
            }
            Resolved::Str
        }
        _ => Resolved::Str,
    }
}

/// go-yaml's float pattern: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
pub(crate) fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseUint(s, 0, 64)`.
fn go_parse_uint(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let (base, digits): (u64, &[u8]) = if b[0] == b'0' {
        match b.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if b.len() >= 3 => (2, &b[2..]),
            Some(b'o') if b.len() >= 3 => (8, &b[2..]),
            Some(b'x') if b.len() >= 3 => (16, &b[2..]),
            _ => (8, &b[1..]),
        }
    } else {
        (10, b)
    };
    let mut n: u64 = 0;
    for &c in digits {
        let d = match c {
            b'0'..=b'9' => u64::from(c - b'0'),
            b'a'..=b'z' => u64::from(c - b'a') + 10,
            b'A'..=b'Z' => u64::from(c - b'A') + 10,
            _ => return None,
        };
        if d >= base {
            return None;
        }
        n = n.checked_mul(base)?.checked_add(d)?;
    }
    Some(n)
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = go_parse_uint(rest)?;
    if neg {
        if u <= 1 << 63 {
            Some((u as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::tree::parse;
    use serde_json::json;

    fn val(text: &str) -> Result<Value, YamlError> {
        let docs = parse(text)?;
        let doc = &docs[0];
        let root = doc.root.as_ref().ok_or_else(|| YamlError {
            line: 0,
            col: 0,
            message: "empty".into(),
        })?;
        to_value(root, doc)
    }

    fn v(text: &str) -> Value {
        val(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn scalar(text: &str) -> Value {
        v(&format!("k: {text}\n"))["k"].clone()
    }

    #[test]
    fn yaml11_booleans_and_nulls() {
        for t in [
            "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
        ] {
            assert_eq!(scalar(t), json!(true), "{t}");
        }
        for f in [
            "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
        ] {
            assert_eq!(scalar(f), json!(false), "{f}");
        }
        for n in ["~", "null", "Null", "NULL", ""] {
            assert_eq!(scalar(n), Value::Null, "{n:?}");
        }
        for s in [
            "yEs",
            "nO",
            "t",
            "f",
            "TRue",
            "none",
            "nil",
            "'yes'",
            "\"on\"",
            "!!str yes",
        ] {
            assert!(scalar(s).is_string(), "{s}");
        }
    }

    #[test]
    fn numbers() {
        let cases = [
            ("0", json!(0)),
            ("12", json!(12)),
            ("-12", json!(-12)),
            ("+12", json!(12)),
            ("0644", json!(420)),
            ("0o17", json!(15)),
            ("0x1F", json!(31)),
            ("-0x1F", json!(-31)),
            ("0b101", json!(5)),
            ("1_000", json!(1000)),
            ("1_", json!(1)),
            ("1.5", json!(1.5)),
            ("-1.5e3", json!(-1500)),
            ("1e3", json!(1000)),
            ("2.0", json!(2)),
            (".5", json!(0.5)),
            ("09", json!(9)),
            ("9223372036854775807", json!(9_223_372_036_854_775_807_i64)),
            ("-9223372036854775808", json!(i64::MIN)),
            ("18446744073709551615", json!(u64::MAX)),
        ];
        for (t, want) in cases {
            assert_eq!(scalar(t), want, "{t}");
        }
        for s in [
            ".inf",
            "-.Inf",
            ".NaN",
            "1e400",
            "1.2.3",
            "0x",
            "0b",
            "12:30",
            "2001-12-14",
            "_1",
            "0xG",
            ".",
        ] {
            assert_eq!(scalar(s), json!(s), "{s}");
        }
    }

    #[test]
    fn tags() {
        assert_eq!(scalar("!!int \"0644\""), json!(420));
        assert_eq!(scalar("!!bool 'yes'"), json!(true));
        assert_eq!(scalar("!!float 1"), json!(1));
        assert_eq!(scalar("!!str 0644"), json!("0644"));
        assert_eq!(scalar("!custom 12"), json!("12"));
        assert!(val("k: !!int abc\n").is_err());
        assert!(val("k: !!bool 1\n").is_err());
        assert_eq!(scalar("|\n  on\n"), json!("on\n"));
        assert_eq!(scalar(">-\n  a\n  b\n"), json!("a b"));
    }

    #[test]
    fn keys_become_strings() {
        assert_eq!(
            v("1: a\ntrue: b\n0x10: c\n1.5: d\nno: e\n"),
            json!({"1": "a", "true": "b", "16": "c", "1.5": "d", "false": "e"})
        );
        assert!(val("1: a\n\"1\": b\n").is_err());
        assert!(val("true: a\nyes: b\n").is_err());
        assert!(val("~: a\n").is_err());
        assert!(val("[a]: b\n").is_err());
        assert_eq!(go_format_float_key(1e6), "1e+06");
        assert_eq!(go_format_float_key(123456.0), "123456");
        assert_eq!(go_format_float_key(0.0001), "0.0001");
        assert_eq!(go_format_float_key(0.00001), "1e-05");
    }

    #[test]
    fn aliases_and_merges() {
        let doc = "base: &b {a: 1, b: 2}\nlist: &l [p, q]\nuse: *l\nm:\n  <<: *b\n  b: 3\nbefore:\n  b: 3\n  <<: *b\nmulti:\n  <<: [{a: first}, {a: second, c: 4}]\nquoted:\n  \"<<\": *b\n";
        assert_eq!(
            v(doc),
            json!({
                "base": {"a": 1, "b": 2},
                "list": ["p", "q"],
                "use": ["p", "q"],
                "m": {"a": 1, "b": 3},
                "before": {"b": 2, "a": 1},
                "multi": {"a": "first", "c": 4},
                "quoted": {"<<": {"a": 1, "b": 2}},
            })
        );
        assert!(val("a: &a [1]\nm:\n  <<: *a\n").is_err());
        assert!(val("m:\n  <<: 3\n").is_err());
        // redefined anchors: an alias refers to the latest definition before it
        assert_eq!(
            v("a: &x 1\nb: *x\nc: &x 2\nd: *x\n"),
            json!({"a": 1, "b": 1, "c": 2, "d": 2})
        );
    }

    #[test]
    fn billion_laughs_fails_fast() {
        let mut doc = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let p = i - 1;
            doc.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let start = std::time::Instant::now();
        let err = val(&doc).err().map(|e| e.message).unwrap_or_default();
        assert!(err.contains("alias expansion exceeds"), "{err}");
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn deep_alias_chains_are_bounded() {
        // every anchor nests the previous one 100 levels deeper
        let mut doc = String::new();
        for i in 0..20 {
            let inner = if i == 0 {
                "x".to_string()
            } else {
                format!("*a{}", i - 1)
            };
            doc.push_str(&format!(
                "a{i}: &a{i} {}{inner}{}\n",
                "[".repeat(100),
                "]".repeat(100)
            ));
        }
        let err = val(&doc).err().map(|e| e.message).unwrap_or_default();
        assert!(err.contains("nested deeper"), "{err}");
    }
}
