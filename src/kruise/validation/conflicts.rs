//! Conflicts between SidecarSets whose namespaces and selectors overlap (Kruise's
//! `validateSidecarConflict`, `isSidecarSetNamespaceOverlapping`, `IsSelectorOverlapping`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::field_error::FieldError;
use crate::kruise::selector::LabelSelector;
use crate::kruise::sidecarset::SidecarSet;

/// `pkg/util/selector.go: IsSelectorOverlapping`: false only when one selector provably excludes the
/// other (Kruise's approximation, quirks included).
pub fn is_selector_overlapping(a: &LabelSelector, b: &LabelSelector) -> bool {
    !(is_disjoint(a, b) || is_disjoint(b, a))
}

const ALL: &str = "ALL";

fn is_disjoint(s1: &LabelSelector, s2: &LabelSelector) -> bool {
    let mut vals1: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (k, v) in &s1.match_labels {
        vals1.entry(k).or_default().push(v);
    }
    for r in &s1.match_expressions {
        match r.operator.as_str() {
            "In" => vals1
                .entry(&r.key)
                .or_default()
                .extend(r.values.iter().map(String::as_str)),
            "Exists" => {
                vals1.insert(&r.key, vec![ALL]);
            }
            _ => {}
        }
    }
    for (k, v) in &s2.match_labels {
        if let Some(vals) = vals1.get(k.as_str())
            && !vals.contains(&v.as_str())
            && !vals.contains(&ALL)
        {
            return true;
        }
    }
    for r in &s2.match_expressions {
        let vals = vals1.get(r.key.as_str());
        let disjoint = match r.operator.as_str() {
            "In" => vals.is_some_and(|vals| {
                !vals.contains(&ALL) && !r.values.iter().any(|v| vals.contains(&v.as_str()))
            }),
            "NotIn" => {
                vals.is_some_and(|vals| vals.iter().all(|v| r.values.iter().any(|n| n == v)))
            }
            "Exists" => vals.is_none(),
            "DoesNotExist" => vals.is_some(),
            _ => false,
        };
        if disjoint {
            return true;
        }
    }
    false
}

/// `isSidecarSetNamespaceOverlapping` (HEAD): only two `namespaceSelector`s that cannot overlap
/// separate two SidecarSets (v1alpha1 `namespace` is converted to a namespaceSelector).
pub fn namespaces_overlap(a: &SidecarSet, b: &SidecarSet) -> bool {
    match (&a.spec.namespace_selector, &b.spec.namespace_selector) {
        (Some(x), Some(y)) => is_selector_overlapping(x, y),
        _ => true,
    }
}

/// Do the two SidecarSets possibly select the same pods?
pub fn overlapping(a: &SidecarSet, b: &SidecarSet) -> bool {
    let empty = LabelSelector::default();
    namespaces_overlap(a, b)
        && is_selector_overlapping(
            a.spec.selector.as_ref().unwrap_or(&empty),
            b.spec.selector.as_ref().unwrap_or(&empty),
        )
}

/// The conflict errors Kruise reports for `ss` against `others` (every SidecarSet in the cluster,
/// in the API server's list order, i.e. sorted by name; `ss` itself and its canary base are
/// skipped).
pub fn conflicts(ss: &SidecarSet, others: &[SidecarSet]) -> Vec<FieldError> {
    let mut init_in_others: BTreeMap<&str, &SidecarSet> = BTreeMap::new();
    let mut containers_in_others: BTreeMap<&str, &SidecarSet> = BTreeMap::new();
    let mut volumes_in_others: BTreeMap<&str, &SidecarSet> = BTreeMap::new();
    let mut annotations_in_others: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    let base = ss.canary_base();
    for other in others {
        if other.name == ss.name || Some(other.name.as_str()) == base || !overlapping(ss, other) {
            continue;
        }
        for c in &other.spec.init_containers {
            init_in_others.insert(c.name(), other);
        }
        for c in &other.spec.containers {
            containers_in_others.insert(c.name(), other);
        }
        for v in &other.spec.volumes {
            volumes_in_others.insert(volume_name(v), other);
        }
        for patch in &other.spec.patch_pod_metadata {
            if patch.patch_policy == "Retain" {
                continue;
            }
            for key in patch.annotations.keys() {
                annotations_in_others.insert(key, (&other.name, &patch.patch_policy));
            }
        }
    }
    let mut errs = Vec::new();
    for (list, seen) in [
        (&ss.spec.init_containers, &init_in_others),
        (&ss.spec.containers, &containers_in_others),
    ] {
        for c in list {
            if let Some(other) = seen.get(c.name()) {
                errs.push(FieldError::invalid(
                    "spec.containers",
                    c.name(),
                    format!("container {} already exist in {}", c.name(), other.name),
                ));
            }
        }
    }
    for v in &ss.spec.volumes {
        let name = volume_name(v);
        if let Some(other) = volumes_in_others.get(name) {
            let theirs = other.spec.volumes.iter().find(|o| volume_name(o) == name);
            if theirs != Some(v) {
                errs.push(FieldError::invalid(
                    "spec.volumes",
                    name,
                    format!(
                        "volume {name} is in conflict with sidecarset {}",
                        other.name
                    ),
                ));
            }
        }
    }
    for patch in &ss.spec.patch_pod_metadata {
        if patch.patch_policy == "Retain" {
            continue;
        }
        for key in patch.annotations.keys() {
            if let Some((other, policy)) = annotations_in_others.get(key.as_str())
                && (patch.patch_policy == "Overwrite" || *policy == "Overwrite")
            {
                errs.push(FieldError::invalid(
                    "spec.patchPodMetadata",
                    key,
                    format!("annotation {key} is in conflict with sidecarset {other}"),
                ));
            }
        }
    }
    errs
}

fn volume_name(v: &Value) -> &str {
    v.get("name").and_then(Value::as_str).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sel(v: Value) -> LabelSelector {
        LabelSelector::from_value(&v, "s").expect("selector")
    }

    fn req(key: &str, op: &str, values: &[&str]) -> Value {
        json!({"key": key, "operator": op, "values": values})
    }

    /// Upstream `TestSelectorConflict`.
    #[test]
    fn selector_conflict_truth_table() {
        let ml = |pairs: &[(&str, &str)]| {
            sel(
                json!({"matchLabels": pairs.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>()}),
            )
        };
        let me = |e: Value| sel(json!({"matchExpressions": [e]}));
        let cases = [
            (ml(&[("a", "h")]), ml(&[("a", "h")]), true),
            (ml(&[("a", "h")]), ml(&[("a", "i")]), false),
            (ml(&[("a", "h")]), ml(&[("b", "i")]), true),
            (
                ml(&[("a", "h"), ("b", "i"), ("c", "j")]),
                ml(&[("a", "h"), ("b", "x"), ("c", "j")]),
                false,
            ),
            (
                ml(&[("a", "h")]),
                me(req("a", "In", &["h", "i", "j"])),
                true,
            ),
            (ml(&[("a", "h")]), me(req("a", "In", &["i", "j"])), false),
            (me(req("a", "NotIn", &["h", "i"])), ml(&[("a", "h")]), false),
            (ml(&[("a", "h")]), me(req("a", "Exists", &[])), true),
            (me(req("a", "DoesNotExist", &[])), ml(&[("a", "h")]), false),
            // Quirk: {b=x} vs {a Exists} counts as non-overlapping.
            (ml(&[("b", "x")]), me(req("a", "Exists", &[])), false),
        ];
        for (i, (a, b, want)) in cases.iter().enumerate() {
            assert_eq!(is_selector_overlapping(a, b), *want, "case {i}");
        }
    }

    fn sidecarset(name: &str, spec: Value) -> SidecarSet {
        SidecarSet::from_value(&json!({
            "apiVersion": "apps.kruise.io/v1alpha1", "kind": "SidecarSet",
            "metadata": {"name": name}, "spec": spec
        }))
        .expect("valid SidecarSet")
    }

    fn msgs(ss: &SidecarSet, others: &[SidecarSet]) -> Vec<String> {
        conflicts(ss, others)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn base_spec() -> Value {
        json!({
            "selector": {"matchLabels": {"app": "nginx"}},
            "initContainers": [{"name": "init-1", "image": "x"}],
            "containers": [{"name": "dns-f", "image": "x"}],
            "volumes": [{"name": "vol-1", "hostPath": {"path": "/a"}}]
        })
    }

    /// Upstream `TestSidecarSetNameConflict`.
    #[test]
    fn name_conflict() {
        let ss1 = sidecarset("sidecarset1", base_spec());
        let ss2 = sidecarset("sidecarset2", base_spec());
        assert_eq!(
            msgs(&ss1, &[ss1.clone(), ss2.clone()]),
            [
                "spec.containers: Invalid value: \"init-1\": container init-1 already exist in sidecarset2",
                "spec.containers: Invalid value: \"dns-f\": container dns-f already exist in sidecarset2",
            ]
        );
        let with_ns = |name: &str, ns: &str, init: bool| {
            let mut spec = base_spec();
            spec["namespaceSelector"] = json!({"matchLabels": {"app": ns}});
            if !init {
                spec.as_object_mut()
                    .expect("object")
                    .remove("initContainers");
            }
            sidecarset(name, spec)
        };
        let a = with_ns("sidecarset1", "nginx", false);
        let b = with_ns("sidecarset2", "nginx", false);
        assert_eq!(msgs(&a, &[b]).len(), 1);
        let c = with_ns("sidecarset2", "redis", false);
        assert!(msgs(&a, &[c]).is_empty());
    }

    /// Upstream `TestSidecarSetVolumeConflict`.
    #[test]
    fn volume_conflict() {
        let with_volume = |name: &str, container: &str, volume: Value| {
            sidecarset(
                name,
                json!({"selector": {"matchLabels": {"app": "nginx"}},
                       "containers": [{"name": container, "image": "x"}],
                       "volumes": [volume]}),
            )
        };
        let a = with_volume(
            "s1",
            "c1",
            json!({"name": "v1", "hostPath": {"path": "/a"}}),
        );
        let different_name = with_volume(
            "s2",
            "c2",
            json!({"name": "v2", "hostPath": {"path": "/b"}}),
        );
        let equal = with_volume(
            "s2",
            "c2",
            json!({"name": "v1", "hostPath": {"path": "/a"}}),
        );
        let different = with_volume(
            "s2",
            "c2",
            json!({"name": "v1", "hostPath": {"path": "/b"}}),
        );
        assert!(msgs(&a, &[different_name]).is_empty());
        assert!(msgs(&a, &[equal]).is_empty());
        assert_eq!(
            msgs(&a, &[different]),
            ["spec.volumes: Invalid value: \"v1\": volume v1 is in conflict with sidecarset s2"]
        );
    }

    /// Upstream `TestSidecarSetPodMetadataConflict`.
    #[test]
    fn pod_metadata_conflict() {
        let with_patch = |name: &str, container: &str, key: &str, policy: &str| {
            sidecarset(
                name,
                json!({"selector": {"matchLabels": {"app": "nginx"}},
                       "containers": [{"name": container, "image": "x"}],
                       "patchPodMetadata": [{"annotations": {key: "{}"}, "patchPolicy": policy}]}),
            )
        };
        let a = with_patch("s1", "c1", "oom-score", "Overwrite");
        let b = with_patch("s2", "c2", "oom-score", "MergePatchJson");
        assert_eq!(
            msgs(&a, &[b]),
            [
                "spec.patchPodMetadata: Invalid value: \"oom-score\": annotation oom-score is in conflict with sidecarset s2"
            ]
        );
        let retain = with_patch("s1", "c1", "key1", "Retain");
        let overwrite = with_patch("s2", "c2", "key2", "Overwrite");
        assert!(msgs(&retain, &[overwrite]).is_empty());
        let m1 = with_patch("s1", "c1", "oom-score", "MergePatchJson");
        let m2 = with_patch("s2", "c2", "oom-score", "MergePatchJson");
        assert!(msgs(&m1, &[m2]).is_empty());
    }
}
