//! The pod annotations the controller reads and writes, decoded and encoded as Go's
//! `encoding/json` does: `kruise.io/sidecarset-hash` and `-without-image` (§6.9,
//! `util.go: GetPodSidecarSetUpgradeSpecInAnnotations, UpdatePodSidecarSetHash`), the working
//! hot-upgrade container (`util_hotupgrade.go: GetPodHotUpgradeInfoInAnnotations`) and
//! `kruise.io/sidecarset-inplace-update-state` (§7.6).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;
use std::thread::LocalKey;

use kruise_inject_kube::gojson;
use serde_json::{Map, Value};

use crate::sidecarset::{HASH_ANNOTATION, HASH_WITHOUT_IMAGE_ANNOTATION, SidecarSet};
use crate::timestamp;

pub use crate::inject::{WORKING_CONTAINER_ANNOTATION, version_alt_annotation, version_annotation};

/// Pod annotation listing the SidecarSets injected into the pod.
pub const INJECTED_LIST_ANNOTATION: &str = crate::inject::INJECTED_LIST_ANNOTATION;

/// Pod annotation recording in-place sidecar updates (§7.6).
pub const INPLACE_UPDATE_STATE_ANNOTATION: &str = "kruise.io/sidecarset-inplace-update-state";

/// Decoded annotation values by text. A simulation reads the same few annotation texts many
/// times per round; decoding each text once keeps long simulations linear in practice.
type Memo<T> = RefCell<HashMap<String, Rc<T>, BuildHasherDefault<FxHasher>>>;

/// The Fx hash (rustc's): the memo keys are long annotation texts, SipHash dominated lookups.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// Entries kept before a memo starts over.
const MEMO_LIMIT: usize = 1 << 16;

thread_local! {
    static HASHES: Memo<Result<Option<BTreeMap<String, UpgradeSpec>>, String>> =
        RefCell::new(HashMap::default());
    static STATES: Memo<Result<BTreeMap<String, InPlaceUpdateState>, String>> =
        RefCell::new(HashMap::default());
}

fn memo<T>(cache: &'static LocalKey<Memo<T>>, text: &str, decode: impl FnOnce(&str) -> T) -> Rc<T> {
    if let Some(hit) = cache.with(|c| c.borrow().get(text).cloned()) {
        return hit;
    }
    let value = Rc::new(decode(text));
    cache.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= MEMO_LIMIT {
            c.clear();
        }
        c.insert(text.to_owned(), Rc::clone(&value));
    });
    value
}

/// `SidecarSetUpgradeSpec` (§6.9).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpgradeSpec {
    /// `updateTimestamp` as Go marshals it (`None`: the zero time, `null`).
    pub update_timestamp: Option<String>,
    /// `hash`.
    pub hash: String,
    /// `sidecarSetName`.
    pub sidecar_set_name: String,
    /// `sidecarList` (`None`: nil, `null`).
    pub sidecar_list: Option<Vec<String>>,
    /// `controllerRevision` (omitted when empty).
    pub controller_revision: String,
}

/// `GetPodSidecarSetUpgradeSpecInAnnotations`: the entry of `sidecarset` in the hash annotation
/// `key`. The new format, else the legacy `{"name":"hash"}`; absent or unreadable → the zero entry.
pub fn pod_upgrade_spec(
    annotations: &BTreeMap<String, String>,
    key: &str,
    sidecarset: &str,
) -> UpgradeSpec {
    let Some(text) = annotations.get(key).filter(|t| !t.is_empty()) else {
        return UpgradeSpec::default();
    };
    if let Ok(map) = &*memo(&HASHES, text, parse_new_format) {
        return map
            .as_ref()
            .and_then(|m| m.get(sidecarset).cloned())
            .unwrap_or_default();
    }
    match parse_legacy(text) {
        Ok(Some(map)) => UpgradeSpec {
            hash: map.get(sidecarset).cloned().unwrap_or_default(),
            ..UpgradeSpec::default()
        },
        _ => UpgradeSpec::default(),
    }
}

/// Why the controller cannot read the hash annotation `key` (it then sees no entry), if it cannot.
pub fn hash_annotation_problem(
    annotations: &BTreeMap<String, String>,
    key: &str,
) -> Option<String> {
    let text = annotations.get(key).filter(|t| !t.is_empty())?;
    match &*memo(&HASHES, text, parse_new_format) {
        Ok(_) => None,
        Err(e) => parse_legacy(text).err().map(|_| e.clone()),
    }
}

/// `UpdatePodSidecarSetHash`: sets the entry of `ss` in `kruise.io/sidecarset-hash` (other entries
/// re-encoded as Go re-marshals them). A legacy-format annotation is converted (entries stamped
/// with `now` and, quirk §11.17, the current SidecarSet's name), and so is a legacy-format
/// `-without-image` annotation.
pub fn update_pod_sidecarset_hash(
    annotations: &mut BTreeMap<String, String>,
    ss: &SidecarSet,
    now: &str,
) {
    let text = annotations
        .get(HASH_ANNOTATION)
        .cloned()
        .unwrap_or_default();
    let mut specs = match &*memo(&HASHES, &text, parse_new_format) {
        Ok(map) => map.clone().unwrap_or_default(),
        Err(_) => {
            // One Go map receives both legacy decodes, so the second sees the first's entries.
            let mut legacy = BTreeMap::new();
            let mut converted = BTreeMap::new();
            if let Ok(Some(map)) = parse_legacy(&text) {
                legacy.extend(map);
                converted = convert_legacy(&legacy, &ss.name, now);
            }
            let without = annotations
                .get(HASH_WITHOUT_IMAGE_ANNOTATION)
                .cloned()
                .unwrap_or_default();
            if let Ok(Some(map)) = parse_legacy(&without) {
                legacy.extend(map);
                annotations.insert(
                    HASH_WITHOUT_IMAGE_ANNOTATION.to_owned(),
                    encode_upgrade_specs(&convert_legacy(&legacy, &ss.name, now)),
                );
            }
            converted
        }
    };
    let mut sidecar_list: Vec<String> = ss
        .spec
        .init_containers
        .iter()
        .filter(|c| c.restart_policy() == "Always")
        .chain(&ss.spec.containers)
        .map(|c| c.name().to_owned())
        .collect();
    sidecar_list.sort();
    sidecar_list.dedup();
    specs.insert(
        ss.name.clone(),
        UpgradeSpec {
            update_timestamp: Some(now.to_owned()),
            hash: ss.hash().to_owned(),
            sidecar_set_name: ss.name.clone(),
            sidecar_list: Some(sidecar_list),
            controller_revision: ss.latest_revision.clone(),
        },
    );
    annotations.insert(HASH_ANNOTATION.to_owned(), encode_upgrade_specs(&specs));
}

fn convert_legacy(
    legacy: &BTreeMap<String, String>,
    name: &str,
    now: &str,
) -> BTreeMap<String, UpgradeSpec> {
    legacy
        .iter()
        .map(|(k, hash)| {
            let spec = UpgradeSpec {
                update_timestamp: Some(now.to_owned()),
                hash: hash.clone(),
                sidecar_set_name: name.to_owned(),
                ..UpgradeSpec::default()
            };
            (k.clone(), spec)
        })
        .collect()
}

/// Go-JSON of `map[string]SidecarSetUpgradeSpec`.
pub fn encode_upgrade_specs(specs: &BTreeMap<String, UpgradeSpec>) -> String {
    let entry = |s: &UpgradeSpec| {
        let mut m = Map::new();
        m.insert(
            "updateTimestamp".into(),
            s.update_timestamp
                .clone()
                .map_or(Value::Null, Value::String),
        );
        m.insert("hash".into(), Value::String(s.hash.clone()));
        m.insert(
            "sidecarSetName".into(),
            Value::String(s.sidecar_set_name.clone()),
        );
        m.insert(
            "sidecarList".into(),
            s.sidecar_list.as_ref().map_or(Value::Null, |l| {
                Value::Array(l.iter().cloned().map(Value::String).collect())
            }),
        );
        if !s.controller_revision.is_empty() {
            m.insert(
                "controllerRevision".into(),
                Value::String(s.controller_revision.clone()),
            );
        }
        Value::Object(m)
    };
    gojson::to_string(&Value::Object(
        specs.iter().map(|(k, s)| (k.clone(), entry(s))).collect(),
    ))
}

/// The new format: `Ok(None)` for JSON `null`; `Err` where Go's decoder reports any error.
fn parse_new_format(text: &str) -> Result<Option<BTreeMap<String, UpgradeSpec>>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let entries = match value {
        Value::Null => return Ok(None),
        Value::Object(entries) => entries,
        other => return Err(format!("expected a JSON object, found {other}")),
    };
    let mut out = BTreeMap::new();
    for (name, entry) in entries {
        let spec = match entry {
            Value::Null => UpgradeSpec::default(),
            Value::Object(fields) => parse_entry(&fields).map_err(|e| format!("{name}: {e}"))?,
            other => return Err(format!("{name}: expected an object, found {other}")),
        };
        out.insert(name, spec);
    }
    Ok(Some(out))
}

/// One `SidecarSetUpgradeSpec`: keys matched case-insensitively, unknown keys ignored.
fn parse_entry(fields: &Map<String, Value>) -> Result<UpgradeSpec, String> {
    const FIELDS: [&str; 5] = [
        "updateTimestamp",
        "hash",
        "sidecarSetName",
        "sidecarList",
        "controllerRevision",
    ];
    let mut spec = UpgradeSpec::default();
    for (key, value) in fields {
        let Some(field) = FIELDS
            .into_iter()
            .find(|f| *f == key)
            .or_else(|| FIELDS.into_iter().find(|f| f.eq_ignore_ascii_case(key)))
        else {
            continue;
        };
        let string = |target: &mut String| match value {
            Value::Null => Ok(()),
            Value::String(s) => {
                target.clone_from(s);
                Ok(())
            }
            other => Err(format!("{key}: expected a string, found {other}")),
        };
        match field {
            "updateTimestamp" => spec.update_timestamp = parse_time(value)?,
            "hash" => string(&mut spec.hash)?,
            "sidecarSetName" => string(&mut spec.sidecar_set_name)?,
            "controllerRevision" => string(&mut spec.controller_revision)?,
            _ => {
                spec.sidecar_list = match value {
                    Value::Null => None,
                    Value::Array(items) => Some(
                        items
                            .iter()
                            .map(|i| match i {
                                Value::String(s) => Ok(s.clone()),
                                Value::Null => Ok(String::new()),
                                other => Err(format!("{key}: expected strings, found {other}")),
                            })
                            .collect::<Result<_, _>>()?,
                    ),
                    other => return Err(format!("{key}: expected a list, found {other}")),
                }
            }
        }
    }
    Ok(spec)
}

/// The legacy `map[string]string`: `Ok(None)` for `null`.
fn parse_legacy(text: &str) -> Result<Option<BTreeMap<String, String>>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    match value {
        Value::Null => Ok(None),
        Value::Object(entries) => entries
            .into_iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k, s)),
                Value::Null => Ok((k, String::new())),
                other => Err(format!("{k}: expected a string, found {other}")),
            })
            .collect::<Result<_, _>>()
            .map(Some),
        other => Err(format!("expected a JSON object, found {other}")),
    }
}

/// A `metav1.Time` JSON value, re-marshalled: RFC 3339 UTC seconds, `None` for the zero time.
fn parse_time(value: &Value) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => {
            let secs = timestamp::parse_rfc3339(s)
                .ok_or_else(|| format!("{s:?} is not an RFC 3339 time"))?;
            Ok((secs != ZERO_TIME).then(|| timestamp::format_unix(secs)))
        }
        other => Err(format!("expected a time string, found {other}")),
    }
}

/// `0001-01-01T00:00:00Z`, Go's zero `time.Time`, in seconds since the Unix epoch.
const ZERO_TIME: i64 = -62_135_596_800;

/// `GetPodHotUpgradeInfoInAnnotations`: sidecar name → working container (`mesh` → `mesh-1`).
/// An unreadable value gives an empty map; non-string values decode as `""` (Go keeps the key).
pub fn hot_upgrade_work_info(annotations: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let Some(text) = annotations.get(WORKING_CONTAINER_ANNOTATION) else {
        return BTreeMap::new();
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap_or("").to_owned()))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// Go-JSON of the working-container map (keys sorted).
pub fn encode_work_info(info: &BTreeMap<String, String>) -> String {
    gojson::to_string(&Value::Object(
        info.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    ))
}

/// `pub.InPlaceUpdateState`, as far as the SidecarSet controller uses it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InPlaceUpdateState {
    /// `revision`.
    pub revision: String,
    /// `updateTimestamp` (`None`: zero time).
    pub update_timestamp: Option<String>,
    /// `lastContainerStatuses`: container → `imageID` before the update (`None`: nil map).
    pub last_container_statuses: Option<BTreeMap<String, String>>,
    /// The other (omitempty) fields, as read, in Go field order.
    pub other: Vec<(String, Value)>,
}

/// The later `InPlaceUpdateState` fields, in Go declaration order.
const OTHER_STATE_FIELDS: [&str; 8] = [
    "updateEnvFromMetadata",
    "updateResources",
    "updateImages",
    "nextContainerImages",
    "nextContainerRefMetadata",
    "nextContainerResources",
    "preCheckBeforeNext",
    "containerBatchesRecord",
];

/// Decodes `kruise.io/sidecarset-inplace-update-state` (`map[string]*InPlaceUpdateState`).
pub fn parse_inplace_update_state(
    text: &str,
) -> Rc<Result<BTreeMap<String, InPlaceUpdateState>, String>> {
    memo(&STATES, text, decode_inplace_update_state)
}

fn decode_inplace_update_state(text: &str) -> Result<BTreeMap<String, InPlaceUpdateState>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let entries = match value {
        Value::Null => return Ok(BTreeMap::new()),
        Value::Object(entries) => entries,
        other => return Err(format!("expected a JSON object, found {other}")),
    };
    let mut out = BTreeMap::new();
    for (name, entry) in entries {
        let mut state = InPlaceUpdateState::default();
        let fields = match entry {
            Value::Null => Map::new(),
            Value::Object(fields) => fields,
            other => return Err(format!("{name}: expected an object, found {other}")),
        };
        for (key, value) in &fields {
            match key.as_str() {
                "revision" => match value {
                    Value::String(s) => state.revision.clone_from(s),
                    Value::Null => {}
                    other => {
                        return Err(format!("{name}.revision: expected a string, found {other}"));
                    }
                },
                "updateTimestamp" => state.update_timestamp = parse_time(value)?,
                "lastContainerStatuses" => {
                    state.last_container_statuses = match value {
                        Value::Null => None,
                        Value::Object(m) => Some(
                            m.iter()
                                .map(|(c, s)| {
                                    let id = s.get("imageID").and_then(Value::as_str).unwrap_or("");
                                    (c.clone(), id.to_owned())
                                })
                                .collect(),
                        ),
                        other => {
                            return Err(format!(
                                "{name}.lastContainerStatuses: expected an object, found {other}"
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
        for key in OTHER_STATE_FIELDS {
            if let Some(v) = fields.get(key).filter(|v| !is_go_empty(v)) {
                state.other.push((key.to_owned(), v.clone()));
            }
        }
        out.insert(name, state);
    }
    Ok(out)
}

fn is_go_empty(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Go-JSON of `map[string]*InPlaceUpdateState` (§7.6 field order).
pub fn encode_inplace_update_state(states: &BTreeMap<String, InPlaceUpdateState>) -> String {
    let entry = |s: &InPlaceUpdateState| {
        let mut m = Map::new();
        m.insert("revision".into(), Value::String(s.revision.clone()));
        m.insert(
            "updateTimestamp".into(),
            s.update_timestamp
                .clone()
                .map_or(Value::Null, Value::String),
        );
        m.insert(
            "lastContainerStatuses".into(),
            s.last_container_statuses.as_ref().map_or(Value::Null, |l| {
                Value::Object(
                    l.iter()
                        .map(|(c, id)| {
                            let mut status = Map::new();
                            if !id.is_empty() {
                                status.insert("imageID".into(), Value::String(id.clone()));
                            }
                            (c.clone(), Value::Object(status))
                        })
                        .collect(),
                )
            }),
        );
        for (k, v) in &s.other {
            m.insert(k.clone(), v.clone());
        }
        Value::Object(m)
    };
    gojson::to_string(&Value::Object(
        states.iter().map(|(k, s)| (k.clone(), entry(s))).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annotations(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_new_and_legacy_formats_like_go() {
        let a = annotations(&[(
            HASH_ANNOTATION,
            r#"{"ss":{"hash":"h","sidecarList":["c"]},"other":{"hash":"o"}}"#,
        )]);
        assert_eq!(pod_upgrade_spec(&a, HASH_ANNOTATION, "ss").hash, "h");
        assert_eq!(
            pod_upgrade_spec(&a, HASH_ANNOTATION, "none"),
            UpgradeSpec::default()
        );
        let a = annotations(&[(HASH_ANNOTATION, r#"{"ss":"legacy"}"#)]);
        assert_eq!(pod_upgrade_spec(&a, HASH_ANNOTATION, "ss").hash, "legacy");
        let a = annotations(&[(HASH_ANNOTATION, "{bad")]);
        assert_eq!(
            pod_upgrade_spec(&a, HASH_ANNOTATION, "ss"),
            UpgradeSpec::default()
        );
        assert!(hash_annotation_problem(&a, HASH_ANNOTATION).is_some());
        let a = annotations(&[(HASH_ANNOTATION, r#"{"ss":{"hash":1}}"#)]);
        assert_eq!(pod_upgrade_spec(&a, HASH_ANNOTATION, "ss").hash, "");
    }

    #[test]
    fn inplace_update_state_round_trips_in_go_order() {
        let text = r#"{"b":{"updateTimestamp":"2024-01-01T00:00:00Z","revision":"r","lastContainerStatuses":{"c":{"imageID":"i"},"d":{}},"updateImages":true},"a":{"revision":"x"}}"#;
        let states = parse_inplace_update_state(text);
        assert_eq!(
            encode_inplace_update_state(states.as_ref().as_ref().expect("valid")),
            r#"{"a":{"revision":"x","updateTimestamp":null,"lastContainerStatuses":null},"b":{"revision":"r","updateTimestamp":"2024-01-01T00:00:00Z","lastContainerStatuses":{"c":{"imageID":"i"},"d":{}},"updateImages":true}}"#
        );
    }

    #[test]
    fn work_info_follows_go_decoding() {
        let info =
            |v: &str| hot_upgrade_work_info(&annotations(&[(WORKING_CONTAINER_ANNOTATION, v)]));
        assert_eq!(
            info(r#"{"a":"a-2","b":1}"#),
            annotations(&[("a", "a-2"), ("b", "")])
        );
        assert!(info("{bad").is_empty());
        assert_eq!(
            encode_work_info(&annotations(&[("b", "b-1"), ("a", "a-2")])),
            r#"{"a":"a-2","b":"b-1"}"#
        );
    }
}
