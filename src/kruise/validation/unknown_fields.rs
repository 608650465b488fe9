//! Fields a SidecarSet document has that its schema does not (issue 11, point 3).
//!
//! `kubectl apply` asks for strict field validation (`fieldValidation=Strict`, kubectl ≥ 1.27): the
//! API server then rejects an object with a field the CRD's structural schema would prune, with
//! `unknown field "spec.injectionStratgy"`, so the SidecarSet is never created. The schema is
//! `config/crd/bases/apps.kruise.io_sidecarsets.yaml` of Kruise v1.9 (one per served version:
//! v1alpha1 has `spec.namespace`, v1beta1 has `spec.customVersion`); `metadata` is checked against
//! `metav1.ObjectMeta`, as the API server does for custom resources.
//!
//! Two parts are schemaless (`x-kubernetes-preserve-unknown-fields`): the items of `containers` and
//! `initContainers` (only the SidecarSet's own sub-objects, `upgradeStrategy`, `shareVolumePolicy`,
//! `transferEnv`, `resourcesPolicy`, …, are declared, and pruned) and the items of `volumes`. An
//! unknown key of their Kubernetes `Container` / `Volume` part is stored as written and dropped when
//! Kruise decodes the SidecarSet into its Go types (`apis/apps/v1beta1/sidecarset_types.go`): the
//! sidecar is injected without it. That is a [`Unknown::dropped`] finding (a warning), the others
//! are errors.

use serde_json::Value;

use crate::kruise::selector::NAMESPACE_NAME_LABEL;
use crate::kruise::sidecarset::CUSTOM_VERSION_LABEL;
use kruise_inject_kube::schema::{
    self, SIDECAR_ONLY_FIELDS, UnknownField, unknown_sidecar_container_fields,
    unknown_volume_fields,
};

/// One unknown field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// Its path, e.g. `spec.injectionStratgy`.
    pub path: String,
    /// `true`: in a schemaless Container or Volume part (kept by the API server, dropped by Kruise);
    /// `false`: pruned, so `kubectl apply` fails.
    pub dropped: bool,
    /// A hint: the near miss of a known field (`did you mean "injectionStrategy"?`), or where a
    /// misplaced field belongs.
    pub hint: Option<String>,
}

impl Unknown {
    /// The message, in the API server's words first.
    pub fn message(&self) -> String {
        let hint = self
            .hint
            .as_deref()
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        if self.dropped {
            format!(
                "unknown field {:?}{hint}: the CRD keeps it, but Kruise's decoding drops it, so the sidecar is injected without it",
                self.path
            )
        } else {
            format!(
                "unknown field {:?}{hint}: the API server rejects the SidecarSet (kubectl apply validates fields strictly), so it is never created",
                self.path
            )
        }
    }
}

/// A schema node of the SidecarSet CRD.
enum S {
    /// An object with these properties (others are pruned).
    Obj(&'static [(&'static str, S)]),
    /// A list of items of this schema.
    List(&'static S),
    /// A value not descended into: scalars, maps with any keys (`matchLabels`, `annotations`),
    /// `ObjectMeta` parts such as `ownerReferences`.
    Any,
    /// A `SidecarContainer` item (partly schemaless).
    Container,
    /// A `corev1.Volume` item (schemaless).
    Volume,
}

use S::{Any, Obj};

const SELECTOR: S = Obj(&[
    (
        "matchExpressions",
        S::List(&Obj(&[("key", Any), ("operator", Any), ("values", Any)])),
    ),
    ("matchLabels", Any),
]);

const UPDATE_STRATEGY: S = Obj(&[
    ("maxUnavailable", Any),
    ("partition", Any),
    ("paused", Any),
    (
        "priorityStrategy",
        Obj(&[
            ("orderPriority", S::List(&Obj(&[("orderedKey", Any)]))),
            (
                "weightPriority",
                S::List(&Obj(&[("matchSelector", SELECTOR), ("weight", Any)])),
            ),
        ]),
    ),
    (
        "scatterStrategy",
        S::List(&Obj(&[("key", Any), ("value", Any)])),
    ),
    ("selector", SELECTOR),
    ("type", Any),
]);

const INJECTION_STRATEGY: S = Obj(&[
    ("paused", Any),
    (
        "revision",
        Obj(&[
            ("customVersion", Any),
            ("policy", Any),
            ("revisionName", Any),
        ]),
    ),
]);

const PATCH_POD_METADATA: S = S::List(&Obj(&[("annotations", Any), ("patchPolicy", Any)]));
const IMAGE_PULL_SECRETS: S = S::List(&Obj(&[("name", Any)]));

/// `SidecarSetSpec` of v1beta1.
const SPEC_V1BETA1: S = Obj(&[
    ("containers", S::List(&S::Container)),
    ("customVersion", Any),
    ("imagePullSecrets", IMAGE_PULL_SECRETS),
    ("initContainers", S::List(&S::Container)),
    ("injectionStrategy", INJECTION_STRATEGY),
    ("namespaceSelector", SELECTOR),
    ("patchPodMetadata", PATCH_POD_METADATA),
    ("revisionHistoryLimit", Any),
    ("selector", SELECTOR),
    ("updateStrategy", UPDATE_STRATEGY),
    ("volumes", S::List(&S::Volume)),
]);

/// `SidecarSetSpec` of v1alpha1: `namespace`, no `customVersion`.
const SPEC_V1ALPHA1: S = Obj(&[
    ("containers", S::List(&S::Container)),
    ("imagePullSecrets", IMAGE_PULL_SECRETS),
    ("initContainers", S::List(&S::Container)),
    ("injectionStrategy", INJECTION_STRATEGY),
    ("namespace", Any),
    ("namespaceSelector", SELECTOR),
    ("patchPodMetadata", PATCH_POD_METADATA),
    ("revisionHistoryLimit", Any),
    ("selector", SELECTOR),
    ("updateStrategy", UPDATE_STRATEGY),
    ("volumes", S::List(&S::Volume)),
]);

/// `metav1.ObjectMeta` (k8s.io/apimachinery v0.32).
const OBJECT_META: S = Obj(&[
    ("name", Any),
    ("generateName", Any),
    ("namespace", Any),
    ("selfLink", Any),
    ("uid", Any),
    ("resourceVersion", Any),
    ("generation", Any),
    ("creationTimestamp", Any),
    ("deletionTimestamp", Any),
    ("deletionGracePeriodSeconds", Any),
    ("labels", Any),
    ("annotations", Any),
    ("ownerReferences", Any),
    ("finalizers", Any),
    ("managedFields", Any),
]);

const STATUS: S = Obj(&[
    ("collisionCount", Any),
    ("latestRevision", Any),
    ("matchedPods", Any),
    ("observedGeneration", Any),
    ("readyPods", Any),
    ("updatedPods", Any),
    ("updatedReadyPods", Any),
]);

const ROOT_V1BETA1: S = Obj(&[
    ("apiVersion", Any),
    ("kind", Any),
    ("metadata", OBJECT_META),
    ("spec", SPEC_V1BETA1),
    ("status", STATUS),
]);

const ROOT_V1ALPHA1: S = Obj(&[
    ("apiVersion", Any),
    ("kind", Any),
    ("metadata", OBJECT_META),
    ("spec", SPEC_V1ALPHA1),
    ("status", STATUS),
]);

/// The unknown fields of a SidecarSet document, in document order. Versions other than
/// `apps.kruise.io/v1alpha1` and `v1beta1` are not checked (decoding rejects them).
pub fn unknown_fields(doc: &Value) -> Vec<Unknown> {
    let root = match doc.get("apiVersion").and_then(Value::as_str) {
        Some("apps.kruise.io/v1beta1") => &ROOT_V1BETA1,
        Some("apps.kruise.io/v1alpha1") => &ROOT_V1ALPHA1,
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    walk(root, doc, "", &mut out);
    out
}

fn walk(schema: &S, v: &Value, path: &str, out: &mut Vec<Unknown>) {
    let child = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (schema, v) {
        (Obj(props), Value::Object(obj)) => {
            for (key, val) in obj {
                match props.iter().find(|(name, _)| name == key) {
                    Some((_, s)) => walk(s, val, &child(key), out),
                    None => {
                        let known: Vec<&str> = props.iter().map(|(n, _)| *n).collect();
                        let version_hint = match (path, key.as_str()) {
                            ("spec", "namespace") => Some(format!(
                                "v1beta1 has no spec.namespace: use namespaceSelector with matchLabels {NAMESPACE_NAME_LABEL}: <namespace>"
                            )),
                            ("spec", "customVersion") => Some(format!(
                                "v1alpha1 has no spec.customVersion: use the label {CUSTOM_VERSION_LABEL}"
                            )),
                            _ => None,
                        };
                        out.push(Unknown {
                            path: child(key),
                            dropped: false,
                            hint: version_hint.or_else(|| hint(key, &known, place_of(path))),
                        });
                    }
                }
            }
        }
        (S::List(item), Value::Array(items)) => {
            for (i, x) in items.iter().enumerate() {
                walk(item, x, &format!("{path}[{i}]"), out);
            }
        }
        (S::Container, Value::Object(_)) => {
            for u in unknown_sidecar_container_fields(v, path) {
                out.push(from_kube(u, Place::Container));
            }
        }
        (S::Volume, Value::Object(_)) => {
            for u in unknown_volume_fields(v, path) {
                out.push(from_kube(u, Place::Volume));
            }
        }
        _ => {}
    }
}

fn from_kube(u: UnknownField, item: Place) -> Unknown {
    // Only a key at the top of the item can be a misplaced field of another place.
    let top = u.path.matches('.').count() == 2 && u.path.ends_with(&format!(".{}", u.key));
    let place = if top { item } else { Place::Nested };
    Unknown {
        hint: hint(&u.key, &u.known, place),
        path: u.path,
        dropped: !u.sidecar_part,
    }
}

/// Where an unknown key was found, for "it is a field of ..." hints.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Spec,
    Container,
    Volume,
    Nested,
}

fn place_of(path: &str) -> Place {
    if path == "spec" {
        Place::Spec
    } else {
        Place::Nested
    }
}

fn spec_fields() -> Vec<&'static str> {
    match SPEC_V1BETA1 {
        Obj(props) => props.iter().map(|(n, _)| *n).collect(),
        _ => Vec::new(),
    }
}

/// A near miss among `known` (`did you mean "x"?`), or, for a key at the top of spec, a container or
/// a volume that is a field of one of the others, where it belongs.
fn hint(key: &str, known: &[&str], place: Place) -> Option<String> {
    if let Some(best) = near_miss(key, known) {
        return Some(format!("did you mean {best:?}?"));
    }
    let container_fields = || {
        let mut fields = schema::container_field_names();
        fields.extend(SIDECAR_ONLY_FIELDS);
        fields
    };
    let belongs = match place {
        Place::Spec if container_fields().contains(&key) => "a container (spec.containers[])",
        Place::Spec if schema::volume_field_names().contains(&key) => "a volume (spec.volumes[])",
        Place::Container if spec_fields().contains(&key) => "the SidecarSet spec",
        Place::Container if schema::volume_field_names().contains(&key) => {
            "a volume (spec.volumes[])"
        }
        Place::Volume if container_fields().contains(&key) => "a container (spec.containers[])",
        Place::Volume if spec_fields().contains(&key) => "the SidecarSet spec",
        _ => return None,
    };
    Some(format!("{key} is a field of {belongs}, not here"))
}

/// The known name closest to `key`: equal but for case, or within a small edit distance.
fn near_miss<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(key)) {
        return Some(k);
    }
    let limit = match key.chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    known
        .iter()
        .map(|k| (distance(&key.to_lowercase(), &k.to_lowercase()), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Optimal string alignment distance (Levenshtein with adjacent transpositions).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn found(doc: Value) -> Vec<(String, bool, Option<String>)> {
        unknown_fields(&doc)
            .into_iter()
            .map(|u| (u.path, u.dropped, u.hint))
            .collect()
    }

    fn beta(spec: Value) -> Value {
        json!({"apiVersion": "apps.kruise.io/v1beta1", "kind": "SidecarSet",
               "metadata": {"name": "s"}, "spec": spec})
    }

    #[test]
    fn typos_in_the_declared_schema_are_pruned() {
        let doc = beta(json!({
            "selector": {"matchLabels": {"app": "x"}},
            "injectionStratgy": {"paused": true},
            "updateStrategy": {"maxUnavailble": 1, "priorityStrategy": {"weightPriority": [{"weigth": 1}]}},
            "containers": [{"name": "a", "image": "b",
                "resourcesPolicy": {"targetContainerMode": "sum", "resourceExpr": {}}}]
        }));
        assert_eq!(
            found(doc),
            [
                (
                    "spec.injectionStratgy".to_owned(),
                    false,
                    Some("did you mean \"injectionStrategy\"?".to_owned())
                ),
                (
                    "spec.updateStrategy.maxUnavailble".to_owned(),
                    false,
                    Some("did you mean \"maxUnavailable\"?".to_owned())
                ),
                (
                    "spec.updateStrategy.priorityStrategy.weightPriority[0].weigth".to_owned(),
                    false,
                    Some("did you mean \"weight\"?".to_owned())
                ),
                (
                    "spec.containers[0].resourcesPolicy.targetContainerMode".to_owned(),
                    false,
                    Some("did you mean \"targetContainersMode\"?".to_owned())
                ),
                (
                    "spec.containers[0].resourcesPolicy.resourceExpr".to_owned(),
                    false,
                    Some("did you mean \"resourcesExpr\"?".to_owned())
                ),
            ]
        );
    }

    #[test]
    fn container_and_volume_parts_are_dropped_and_misplaced_fields_named() {
        let doc = beta(json!({
            "selector": {"matchLabels": {"app": "x"}},
            "containers": [{"name": "a", "image": "b", "imagePullPolcy": "Always",
                            "volumes": [], "resources": {"limit": {}}}],
            "volumes": [{"name": "v", "emptydir": {}, "mountPath": "/x"}],
            "volumeMounts": []
        }));
        assert_eq!(
            found(doc),
            [
                (
                    "spec.containers[0].imagePullPolcy".to_owned(),
                    true,
                    Some("did you mean \"imagePullPolicy\"?".to_owned())
                ),
                (
                    "spec.containers[0].volumes".to_owned(),
                    true,
                    Some("volumes is a field of the SidecarSet spec, not here".to_owned())
                ),
                (
                    "spec.containers[0].resources.limit".to_owned(),
                    true,
                    Some("did you mean \"limits\"?".to_owned())
                ),
                (
                    "spec.volumes[0].emptydir".to_owned(),
                    true,
                    Some("did you mean \"emptyDir\"?".to_owned())
                ),
                ("spec.volumes[0].mountPath".to_owned(), true, None),
                (
                    "spec.volumeMounts".to_owned(),
                    false,
                    Some(
                        "volumeMounts is a field of a container (spec.containers[]), not here"
                            .to_owned()
                    )
                ),
            ]
        );
    }

    #[test]
    fn versions_differ_in_namespace_and_custom_version() {
        let mut doc = beta(json!({"selector": {}, "namespace": "web"}));
        assert_eq!(found(doc.clone())[0].0, "spec.namespace");
        doc["apiVersion"] = json!("apps.kruise.io/v1alpha1");
        assert!(found(doc.clone()).is_empty());
        doc["spec"]["customVersion"] = json!("v2");
        assert_eq!(found(doc)[0].0, "spec.customVersion");
    }

    #[test]
    fn metadata_and_top_level() {
        let doc = json!({"apiVersion": "apps.kruise.io/v1beta1", "kind": "SidecarSet",
            "metadata": {"name": "s", "label": {"a": "b"}, "annotations": {"any.key/x": "1"}},
            "spce": {}});
        let paths: Vec<String> = found(doc).into_iter().map(|f| f.0).collect();
        assert_eq!(paths, ["metadata.label", "spce"]);
    }

    #[test]
    fn distances() {
        assert_eq!(distance("injectionStratgy", "injectionStrategy"), 1);
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(near_miss("Selector", &["selector"]), Some("selector"));
        assert_eq!(near_miss("foo", &["for"]), None);
    }
}
