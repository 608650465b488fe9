//! The pod annotations the controller reads and writes, decoded and encoded as Go's
//! `encoding/json` does: `kruise.io/sidecarset-hash` and `-without-image` (`SidecarSetUpgradeSpec`,
//! `util.go: GetPodSidecarSetUpgradeSpecInAnnotations, UpdatePodSidecarSetHash`), the working
//! hot-upgrade container (`util_hotupgrade.go: GetPodHotUpgradeInfoInAnnotations`) and
//! `kruise.io/sidecarset-inplace-update-state` (`UpdatePodAnnotationsInUpgrade`).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;
use std::thread::LocalKey;

use kruise_inject_kube::gojson;
use serde_json::{Map, Value};

use crate::kruise::inject::hot_upgrade;
use crate::kruise::inject::upgrade_spec::{self, parse_legacy, parse_new_format};
use crate::kruise::sidecarset::{HASH_ANNOTATION, HASH_WITHOUT_IMAGE_ANNOTATION, SidecarSet};
use crate::kruise::timestamp;

pub use crate::kruise::inject::hot_upgrade::encode_work_info;
pub use crate::kruise::inject::upgrade_spec::UpgradeSpec;
pub use crate::kruise::inject::{
    WORKING_CONTAINER_ANNOTATION, version_alt_annotation, version_annotation,
};

/// Pod annotation listing the SidecarSets injected into the pod.
pub const INJECTED_LIST_ANNOTATION: &str = crate::kruise::inject::INJECTED_LIST_ANNOTATION;

/// Pod annotation recording in-place sidecar updates (`UpdatePodAnnotationsInUpgrade`).
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
/// with `now` and, as Kruise does, the current SidecarSet's name), and so is a legacy-format
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
                    upgrade_spec::encode(Some(&convert_legacy(&legacy, &ss.name, now))),
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
    annotations.insert(
        HASH_ANNOTATION.to_owned(),
        upgrade_spec::encode(Some(&specs)),
    );
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

/// A `metav1.Time` JSON value, re-marshalled: RFC 3339 UTC seconds, `None` for the zero time.
fn parse_time(value: &Value) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => timestamp::normalize_metav1(s),
        other => Err(format!("expected a time string, found {other}")),
    }
}

/// `GetPodHotUpgradeInfoInAnnotations`: sidecar name → working container (`mesh` → `mesh-1`).
/// An unreadable value gives an empty map; non-string values decode as `""` (Go keeps the key);
/// `null` (a nil map in Go) gives an empty map too.
pub fn hot_upgrade_work_info(annotations: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    hot_upgrade::parse_work_info(
        annotations
            .get(WORKING_CONTAINER_ANNOTATION)
            .map(String::as_str),
    )
    .unwrap_or_default()
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

/// Go-JSON of `map[string]*InPlaceUpdateState` (field order of `apis/apps/pub/inplace_update.go`).
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
