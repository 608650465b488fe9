//! `patchPodMetadata`: `pkg/control/sidecarcontrol/util.go: PatchPodMetadata`.
//!
//! `MergePatchJson` is evanphx/json-patch v5.6.0 `MergePatch` (RFC 7386), reproduced byte for byte:
//! the objects the merge walks into are re-marshalled as Go maps (keys sorted, Go escaping), while
//! values it never looks into keep their original text (compacted, HTML-escaped), as the library's
//! `lazyNode`s keep a `json.RawMessage` until they are needed.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use kruise_inject_kube::gojson;
use serde_json::Value;

use crate::kruise::sidecarset::SidecarSet;

/// A `MergePatchJson` patch that Kruise's webhook rejects (admission fails).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "SidecarSet {sidecar_set}: patchPodMetadata MergePatchJson of annotation {key:?} failed: {reason}"
)]
pub struct PatchMetadataError {
    /// The SidecarSet whose patch failed.
    pub sidecar_set: String,
    /// The annotation key.
    pub key: String,
    /// What is wrong.
    pub reason: MergePatchError,
}

/// Why `jsonpatch.MergePatch` fails; the messages are the library's error texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MergePatchError {
    /// The pod's annotation value is not JSON, or is `null`.
    #[error("the pod's annotation value is not a JSON document (Invalid JSON Document)")]
    BadDocument,
    /// The SidecarSet's value is not JSON, is `null` or is a scalar while the merge needs an object
    /// or an array.
    #[error("the SidecarSet's value is not a usable JSON merge patch (Invalid JSON Patch)")]
    BadPatch,
}

/// Applies `spec.patchPodMetadata` of `sidecarsets`, in order, to `annotations` (Kruise's
/// `PatchPodMetadata` called once per SidecarSet).
///
/// Returns every annotation key the patches name, in SidecarSet order, then patch order, then key
/// order, each once (whether or not its value changed).
pub fn apply<S: Borrow<SidecarSet>>(
    annotations: &mut BTreeMap<String, String>,
    sidecarsets: &[S],
) -> Result<Vec<String>, PatchMetadataError> {
    let mut keys: Vec<String> = Vec::new();
    for ss in sidecarsets.iter().map(Borrow::borrow) {
        for patch in &ss.spec.patch_pod_metadata {
            for (key, value) in &patch.annotations {
                match patch.patch_policy.as_str() {
                    "Retain" | "" => {
                        annotations
                            .entry(key.clone())
                            .or_insert_with(|| value.clone());
                    }
                    "Overwrite" => {
                        annotations.insert(key.clone(), value.clone());
                    }
                    "MergePatchJson" => {
                        let merged = match annotations.get(key) {
                            Some(origin) if !origin.is_empty() => merge_patch(origin, value)
                                .map_err(|reason| PatchMetadataError {
                                    sidecar_set: ss.name.clone(),
                                    key: key.clone(),
                                    reason,
                                })?,
                            _ => value.clone(),
                        };
                        annotations.insert(key.clone(), merged);
                    }
                    // Validation only admits the three policies; Kruise ignores anything else.
                    _ => continue,
                }
                if !keys.contains(key) {
                    keys.push(key.clone());
                }
            }
        }
    }
    Ok(keys)
}

/// `jsonpatch.MergePatch(doc, patch)` of evanphx/json-patch v5.6.0, as Go bytes.
pub fn merge_patch(doc: &str, patch: &str) -> Result<String, MergePatchError> {
    let doc = parse(doc);
    let patch = parse(patch);
    let doc = doc.map_err(|()| MergePatchError::BadDocument)?;
    let patch = patch.map_err(|()| MergePatchError::BadPatch)?;
    if matches!(doc, Node::Null) {
        return Err(MergePatchError::BadDocument);
    }
    if matches!(patch, Node::Null) {
        return Err(MergePatchError::BadPatch);
    }
    let out = match (doc, patch) {
        (doc @ Node::Object(_), patch @ Node::Object(_)) => {
            let mut doc = Lazy::Raw(doc).take_doc().unwrap_or_default();
            merge_docs(&mut doc, Lazy::Raw(patch).take_doc().unwrap_or_default());
            Lazy::Doc(doc)
        }
        // The document is not an object: the result is the patch, nulls pruned.
        (_, patch @ Node::Object(_)) => {
            let mut patch = Lazy::Raw(patch);
            prune_nulls(&mut patch);
            patch
        }
        (_, patch @ Node::Array(_)) => {
            let mut patch = Lazy::Raw(patch);
            prune_nulls(&mut patch);
            patch
        }
        _ => return Err(MergePatchError::BadPatch),
    };
    Ok(html_escape(&marshal(&out)))
}

/// A JSON value as parsed, keeping the text of scalars and keys (compacted).
#[derive(Debug, Clone)]
enum Node {
    Null,
    /// A string (with its quotes and original escapes), number, `true` or `false`.
    Scalar(String),
    Array(Vec<Node>),
    /// `(raw key text with quotes, decoded key, value)`, duplicates kept.
    Object(Vec<(String, String, Node)>),
}

/// The library's `lazyNode`: raw text until the merge needs to look inside.
#[derive(Debug, Clone)]
enum Lazy {
    Raw(Node),
    /// A Go `map[string]*lazyNode`; `None` is a JSON `null`.
    Doc(BTreeMap<String, Option<Lazy>>),
    /// A Go `[]*lazyNode`.
    Ary(Vec<Option<Lazy>>),
}

fn lazy_of(node: Node) -> Option<Lazy> {
    match node {
        Node::Null => None,
        other => Some(Lazy::Raw(other)),
    }
}

impl Lazy {
    /// `intoDoc`: the object as a map (converted in place), or `None` if not an object.
    fn as_doc(&mut self) -> Option<&mut BTreeMap<String, Option<Lazy>>> {
        if let Lazy::Raw(Node::Object(pairs)) = self {
            let mut map = BTreeMap::new();
            for (_, key, value) in std::mem::take(pairs) {
                map.insert(key, lazy_of(value));
            }
            *self = Lazy::Doc(map);
        }
        match self {
            Lazy::Doc(map) => Some(map),
            _ => None,
        }
    }

    /// `intoDoc`, taking the map out.
    fn take_doc(&mut self) -> Option<BTreeMap<String, Option<Lazy>>> {
        self.as_doc().map(std::mem::take)
    }

    /// `intoAry`: the array (converted in place), or `None` if not an array.
    fn as_ary(&mut self) -> Option<&mut Vec<Option<Lazy>>> {
        if let Lazy::Raw(Node::Array(items)) = self {
            let items = std::mem::take(items).into_iter().map(lazy_of).collect();
            *self = Lazy::Ary(items);
        }
        match self {
            Lazy::Ary(items) => Some(items),
            _ => None,
        }
    }
}

/// `mergeDocs` with `mergeMerge == false`.
fn merge_docs(doc: &mut BTreeMap<String, Option<Lazy>>, patch: BTreeMap<String, Option<Lazy>>) {
    for (key, value) in patch {
        match value {
            None => {
                doc.remove(&key);
            }
            Some(mut value) => match doc.remove(&key) {
                Some(Some(cur)) => {
                    doc.insert(key, Some(merge(cur, value)));
                }
                _ => {
                    prune_nulls(&mut value);
                    doc.insert(key, Some(value));
                }
            },
        }
    }
}

/// `merge(cur, patch)`.
fn merge(mut cur: Lazy, mut patch: Lazy) -> Lazy {
    let Some(mut cur_doc) = cur.take_doc() else {
        prune_nulls(&mut patch);
        return patch;
    };
    let Some(patch_doc) = patch.take_doc() else {
        return patch;
    };
    merge_docs(&mut cur_doc, patch_doc);
    Lazy::Doc(cur_doc)
}

/// `pruneNulls`: drops `null` members of objects, recursively (array elements stay).
fn prune_nulls(node: &mut Lazy) {
    if let Some(doc) = node.as_doc() {
        doc.retain(|_, v| v.is_some());
        for value in doc.values_mut().flatten() {
            prune_nulls(value);
        }
    } else if let Some(items) = node.as_ary() {
        for item in items.iter_mut().flatten() {
            prune_nulls(item);
        }
    }
}

/// Go `json.Marshal` of a lazy node (before the final HTML escaping).
fn marshal(node: &Lazy) -> String {
    let mut out = String::new();
    write_lazy(&mut out, Some(node));
    out
}

fn write_lazy(out: &mut String, node: Option<&Lazy>) {
    match node {
        None => out.push_str("null"),
        Some(Lazy::Raw(node)) => write_raw(out, node),
        Some(Lazy::Doc(map)) => {
            out.push('{');
            for (i, (key, value)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&gojson::to_string(&Value::String(key.clone())));
                out.push(':');
                write_lazy(out, value.as_ref());
            }
            out.push('}');
        }
        Some(Lazy::Ary(items)) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_lazy(out, item.as_ref());
            }
            out.push(']');
        }
    }
}

fn write_raw(out: &mut String, node: &Node) {
    match node {
        Node::Null => out.push_str("null"),
        Node::Scalar(text) => out.push_str(text),
        Node::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_raw(out, item);
            }
            out.push(']');
        }
        Node::Object(pairs) => {
            out.push('{');
            for (i, (raw_key, _, value)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(raw_key);
                out.push(':');
                write_raw(out, value);
            }
            out.push('}');
        }
    }
}

/// What Go's `json.Compact` with HTML escaping does to text that is already compact.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Parses one JSON document (RFC 8259, as Go's scanner accepts it); `Err` on a syntax error.
fn parse(text: &str) -> Result<Node, ()> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
    };
    p.ws();
    let node = p.value(0)?;
    p.ws();
    if p.i == p.s.len() { Ok(node) } else { Err(()) }
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

/// Nesting limit. Go's decoder allows 10000 levels; a lower limit keeps the recursive merge well
/// inside a thread's stack, and no annotation nests this deep in practice.
const MAX_DEPTH: usize = 1_000;

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn lit(&mut self, word: &str) -> Result<(), ()> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(())
        } else {
            Err(())
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, ()> {
        if depth > MAX_DEPTH {
            return Err(());
        }
        match self.peek().ok_or(())? {
            b'n' => self.lit("null").map(|()| Node::Null),
            b't' => self.lit("true").map(|()| Node::Scalar("true".into())),
            b'f' => self.lit("false").map(|()| Node::Scalar("false".into())),
            b'"' => self.string().map(|(raw, _)| Node::Scalar(raw)),
            b'[' => {
                self.i += 1;
                self.ws();
                let mut items = Vec::new();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(Node::Array(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek().ok_or(())? {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Ok(Node::Array(items));
                        }
                        _ => return Err(()),
                    }
                }
            }
            b'{' => {
                self.i += 1;
                self.ws();
                let mut pairs = Vec::new();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(Node::Object(pairs));
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return Err(());
                    }
                    let (raw, key) = self.string()?;
                    self.ws();
                    if self.peek() != Some(b':') {
                        return Err(());
                    }
                    self.i += 1;
                    self.ws();
                    let value = self.value(depth + 1)?;
                    pairs.push((raw, key, value));
                    self.ws();
                    match self.peek().ok_or(())? {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            return Ok(Node::Object(pairs));
                        }
                        _ => return Err(()),
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(()),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Node, ()> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(()),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(());
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(());
            }
        }
        Ok(Node::Scalar(self.text[start..self.i].to_string()))
    }

    fn hex4(&mut self) -> Result<u32, ()> {
        let hex = self.text.get(self.i..self.i + 4).ok_or(())?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(());
        }
        self.i += 4;
        u32::from_str_radix(hex, 16).map_err(|_| ())
    }

    /// A string: `(raw text with quotes, decoded value)`.
    fn string(&mut self) -> Result<(String, String), ()> {
        let start = self.i;
        self.i += 1;
        let mut decoded = String::new();
        loop {
            let b = self.peek().ok_or(())?;
            match b {
                b'"' => {
                    self.i += 1;
                    return Ok((self.text[start..self.i].to_string(), decoded));
                }
                b'\\' => {
                    self.i += 1;
                    let e = self.peek().ok_or(())?;
                    self.i += 1;
                    match e {
                        b'"' => decoded.push('"'),
                        b'\\' => decoded.push('\\'),
                        b'/' => decoded.push('/'),
                        b'b' => decoded.push('\u{8}'),
                        b'f' => decoded.push('\u{c}'),
                        b'n' => decoded.push('\n'),
                        b'r' => decoded.push('\r'),
                        b't' => decoded.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi)
                                && self.s[self.i..].starts_with(b"\\u")
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                } else {
                                    // Go decodes an unpaired surrogate as U+FFFD and goes on.
                                    self.i = save;
                                    None
                                }
                            } else {
                                char::from_u32(hi)
                            };
                            decoded.push(c.unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err(()),
                    }
                }
                0x00..=0x1f => return Err(()),
                _ => {
                    let c = self.text[self.i..].chars().next().ok_or(())?;
                    decoded.push(c);
                    self.i += c.len_utf8();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{MergePatchError, apply, merge_patch};
    use crate::kruise::sidecarset::{PatchPodMetadata, SidecarSet, SidecarSetSpec};

    fn sidecarset(name: &str, patches: &[(&str, &[(&str, &str)])]) -> SidecarSet {
        SidecarSet {
            name: name.into(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            resource_version: None,
            spec: SidecarSetSpec {
                patch_pod_metadata: patches
                    .iter()
                    .map(|(policy, kvs)| PatchPodMetadata {
                        annotations: kvs
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect(),
                        patch_policy: policy.to_string(),
                    })
                    .collect(),
                ..SidecarSetSpec::default()
            },
            latest_revision: String::new(),
            revision_status: Default::default(),
            warnings: Vec::new(),
        }
    }

    fn annotations(kvs: &[(&str, &str)]) -> BTreeMap<String, String> {
        kvs.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    // util_test.go: TestPatchPodMetadata "add pod annotation".
    #[test]
    fn retain_and_overwrite_on_empty_pod() {
        let ss = sidecarset(
            "ss",
            &[
                ("Retain", &[("key1", "value1")]),
                ("Overwrite", &[("key2", "value2")]),
            ],
        );
        let mut ann = BTreeMap::new();
        let keys = apply(&mut ann, &[ss]).expect("patch");
        assert_eq!(ann, annotations(&[("key1", "value1"), ("key2", "value2")]));
        assert_eq!(keys, ["key1", "key2"]);
    }

    // "add pod annotation, exist": Retain keeps, Overwrite replaces.
    #[test]
    fn retain_keeps_existing_overwrite_replaces() {
        let ss = sidecarset(
            "ss",
            &[
                ("Retain", &[("key1", "value1")]),
                ("Overwrite", &[("key2", "value2")]),
            ],
        );
        let mut ann = annotations(&[("key1", "old"), ("key2", "old")]);
        apply(&mut ann, &[ss]).expect("patch");
        assert_eq!(ann, annotations(&[("key1", "old"), ("key2", "value2")]));
    }

    #[test]
    fn empty_policy_is_retain() {
        let ss = sidecarset("ss", &[("", &[("key1", "value1"), ("key2", "value2")])]);
        let mut ann = annotations(&[("key1", "old")]);
        apply(&mut ann, &[ss]).expect("patch");
        assert_eq!(ann, annotations(&[("key1", "old"), ("key2", "value2")]));
    }

    // "json merge pod annotation" and "..., skip".
    #[test]
    fn merge_patch_json() {
        let ss = sidecarset(
            "ss",
            &[(
                "MergePatchJson",
                &[
                    ("key1", r#"{"log-agent":1}"#),
                    ("key2", r#"{"envoy":2}"#),
                    ("key3", r#"{"probe":5}"#),
                ],
            )],
        );
        let mut ann = annotations(&[
            ("key1", r#"{"log-agent":1}"#),
            ("key2", r#"{"log-agent":1}"#),
        ]);
        apply(&mut ann, &[ss]).expect("patch");
        assert_eq!(
            ann,
            annotations(&[
                ("key1", r#"{"log-agent":1}"#),
                ("key2", r#"{"envoy":2,"log-agent":1}"#),
                ("key3", r#"{"probe":5}"#),
            ])
        );
    }

    #[test]
    fn later_sidecarsets_see_earlier_patches() {
        let a = sidecarset("a", &[("Retain", &[("k", "from-a")])]);
        let b = sidecarset(
            "b",
            &[("Retain", &[("k", "from-b")]), ("Overwrite", &[("j", "b")])],
        );
        let mut ann = BTreeMap::new();
        let keys = apply(&mut ann, &[a, b]).expect("patch");
        assert_eq!(ann, annotations(&[("j", "b"), ("k", "from-a")]));
        assert_eq!(keys, ["k", "j"]);
    }

    #[test]
    fn merge_patch_json_verbatim_when_absent_or_empty() {
        let ss = sidecarset(
            "ss",
            &[("MergePatchJson", &[("k", "not json"), ("e", "{ }")])],
        );
        let mut ann = annotations(&[("e", "")]);
        apply(&mut ann, &[ss]).expect("absent/empty values are set verbatim");
        assert_eq!(ann, annotations(&[("e", "{ }"), ("k", "not json")]));
    }

    #[test]
    fn merge_patch_json_errors_name_key_and_sidecarset() {
        let ss = sidecarset("my-ss", &[("MergePatchJson", &[("k", r#"{"a":1}"#)])]);
        let mut ann = annotations(&[("k", "{oops")]);
        let err = apply(&mut ann, &[ss]).expect_err("invalid document");
        assert_eq!(err.reason, MergePatchError::BadDocument);
        let msg = err.to_string();
        assert!(msg.contains("my-ss") && msg.contains("\"k\""), "{msg}");

        let ss = sidecarset("ss2", &[("MergePatchJson", &[("k", "{bad")])]);
        let mut ann = annotations(&[("k", "{}")]);
        let err = apply(&mut ann, &[ss]).expect_err("invalid patch");
        assert_eq!(err.reason, MergePatchError::BadPatch);
    }

    #[test]
    fn rfc7386_semantics() {
        let m = |d: &str, p: &str| merge_patch(d, p);
        // Nulls delete, nested objects merge, keys sorted, output compact.
        assert_eq!(
            m(
                r#"{"b":1, "a":{"x":1,"y":2}}"#,
                r#"{"b":null,"a":{"y":null,"z":3}}"#
            ),
            Ok(r#"{"a":{"x":1,"z":3}}"#.into())
        );
        // Non-object patch values replace.
        assert_eq!(
            m(r#"{"a":{"x":1}}"#, r#"{"a":[1,2]}"#),
            Ok(r#"{"a":[1,2]}"#.into())
        );
        // Nulls inside a newly added object are pruned.
        assert_eq!(
            m(r#"{}"#, r#"{"a":{"x":null,"y":1}}"#),
            Ok(r#"{"a":{"y":1}}"#.into())
        );
        // Document not an object: the patch, nulls pruned.
        assert_eq!(m(r#"[1]"#, r#"{"b":1,"a":null}"#), Ok(r#"{"b":1}"#.into()));
        assert_eq!(m(r#""s""#, r#"{"a":1}"#), Ok(r#"{"a":1}"#.into()));
        // Array patch: replaces the document.
        assert_eq!(
            m(r#"{"a":1}"#, r#"[1, null, {"b":null}]"#),
            Ok(r#"[1,null,{}]"#.into())
        );
        // Errors.
        assert_eq!(m("null", r#"{}"#), Err(MergePatchError::BadDocument));
        assert_eq!(m(r#"{}"#, "null"), Err(MergePatchError::BadPatch));
        assert_eq!(m(r#"{}"#, "5"), Err(MergePatchError::BadPatch));
        assert_eq!(m(r#"{}"#, r#"{"a":1,}"#), Err(MergePatchError::BadPatch));
        assert_eq!(m("", r#"{}"#), Err(MergePatchError::BadDocument));
    }

    #[test]
    fn untouched_values_keep_their_text() {
        // Values the merge does not walk into keep their key order, number text and escapes;
        // the walked-into levels are Go maps (sorted, duplicates collapsed, last wins).
        assert_eq!(
            merge_patch(
                r#"{"z":{"b":1,"a":2.50},"s":"\u00e9\/","d":1,"d":2}"#,
                r#"{"n":1e2}"#
            ),
            Ok(r#"{"d":2,"n":1e2,"s":"\u00e9\/","z":{"b":1,"a":2.50}}"#.into())
        );
        // HTML characters are escaped as Go's Marshal/Compact does.
        assert_eq!(
            merge_patch(r#"{"a":"<&>"}"#, r#"{"b<":1}"#),
            Ok(r#"{"a":"\u003c\u0026\u003e","b\u003c":1}"#.into())
        );
    }

    #[test]
    fn merging_twice_is_a_no_op() {
        let once =
            merge_patch(r#"{"log-agent":1}"#, r#"{"envoy":{"x":null,"y":[1]}}"#).expect("merge");
        assert_eq!(once, r#"{"envoy":{"y":[1]},"log-agent":1}"#);
        assert_eq!(
            merge_patch(&once, r#"{"envoy":{"x":null,"y":[1]}}"#),
            Ok(once.clone())
        );
    }
}
