//! What a SidecarSet change does to pods that already run (`hash.go`, `IsSidecarSetUpgradable`).
//!
//! Kruise upgrades running pods in place only when nothing but sidecar images changed: the pod's
//! `kruise.io/sidecarset-hash-without-image` must equal the SidecarSet's (`IsSidecarSetUpgradable`).
//! So, comparing the old and the new SidecarSet:
//!
//! - `hash` differs, `hash-without-image` equal: image-only, upgraded in place under the
//!   `updateStrategy` (type, paused, selector, partition, maxUnavailable, priority, scatter);
//! - `hash-without-image` differs: running pods are not upgradable and keep the old sidecars until
//!   they are recreated;
//! - both equal (volumes, pull secrets, patchPodMetadata, selectors, strategies, metadata, or init
//!   containers that are not hashed): no rollout; only pods created from now on see the change.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::kruise::sidecarset::{
    HASH_ANNOTATION, HASH_WITHOUT_IMAGE_ANNOTATION, SidecarContainer, SidecarSet,
};

/// The kind of a SidecarSet change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ImpactKind {
    /// Only sidecar images changed: in-place upgrade under the update strategy.
    ImageOnly,
    /// Some other container field changed: running pods are not upgradable.
    NotUpgradable,
    /// Nothing that Kruise rolls out changed.
    NoRollout,
    /// A new SidecarSet.
    Added,
    /// A SidecarSet that is gone.
    Removed,
}

impl ImpactKind {
    /// A short label: `image-only change: in-place upgrade`, `no rollout`, ...
    pub fn label(self) -> &'static str {
        match self {
            ImpactKind::ImageOnly => "image-only change: in-place upgrade",
            ImpactKind::NotUpgradable => "container change: running pods not upgradable",
            ImpactKind::NoRollout => "no rollout",
            ImpactKind::Added => "new SidecarSet",
            ImpactKind::Removed => "SidecarSet removed",
        }
    }
}

/// The short summary of a change of kind `kind` to `new`.
fn summary(kind: ImpactKind, new: Option<&SidecarSet>) -> String {
    let strategy = new.map(|s| &s.spec.update_strategy);
    match (kind, strategy) {
        (ImpactKind::ImageOnly, Some(s)) if s.kind == "NotUpdate" => {
            "image-only change: not rolled out (updateStrategy NotUpdate)".to_owned()
        }
        (ImpactKind::ImageOnly, Some(s)) if s.paused => {
            "image-only change: in-place upgrade, paused".to_owned()
        }
        _ => kind.label().to_owned(),
    }
}

/// What changed in one SidecarSet, and what Kruise does about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impact {
    /// The SidecarSet.
    pub name: String,
    /// The kind of change.
    pub kind: ImpactKind,
    /// A short summary: `image-only change: in-place upgrade`, `no rollout`, ...
    pub summary: String,
    /// What changed, one item each (`container filebeat: image a -> b`, `volumes`, ...).
    pub changes: Vec<String>,
    /// What Kruise does to pods that run now, and to new pods.
    pub statement: String,
}

/// The impact of changing `old` into `new` (`None`: absent); `None` when nothing changed.
pub fn impact(old: Option<&SidecarSet>, new: Option<&SidecarSet>) -> Option<Impact> {
    match (old, new) {
        (None, None) => None,
        (None, Some(new)) => Some(Impact {
            name: new.name.clone(),
            kind: ImpactKind::Added,
            summary: summary(ImpactKind::Added, Some(new)),
            changes: Vec::new(),
            statement: "Kruise injects it only when a pod is created: running pods do not get it \
                        until they are recreated (for example by a rollout of their workload); \
                        new pods get it."
                .to_owned(),
        }),
        (Some(old), None) => Some(Impact {
            name: old.name.clone(),
            kind: ImpactKind::Removed,
            summary: summary(ImpactKind::Removed, None),
            changes: Vec::new(),
            statement: "running pods keep its sidecars until they are recreated; new pods do not \
                        get them."
                .to_owned(),
        }),
        (Some(old), Some(new)) => changed(old, new),
    }
}

fn changed(old: &SidecarSet, new: &SidecarSet) -> Option<Impact> {
    let changes = changes(old, new);
    let kind = if old.hash_without_image() != new.hash_without_image() {
        ImpactKind::NotUpgradable
    } else if old.hash() != new.hash() {
        ImpactKind::ImageOnly
    } else if !changes.is_empty() {
        ImpactKind::NoRollout
    } else {
        return None;
    };
    let statement = match kind {
        ImpactKind::ImageOnly => image_only(new),
        ImpactKind::NotUpgradable => "Kruise upgrades running pods in place only when nothing but \
             sidecar images changed: running pods are not upgradable (condition \
             SidecarSetUpgradable=False) and keep the old sidecars until they are recreated (for \
             example by a rollout of their workload); new pods get the new ones."
            .to_owned(),
        _ => "No rollout: neither hash changes, so Kruise does not touch running pods (it \
              applies these fields only when it injects a pod); pods created from now on get the \
              new spec."
            .to_owned(),
    };
    let mut statement = statement;
    if changes.iter().any(|c| c.contains("resourcesPolicy")) {
        statement.push_str(
            " resourcesPolicy is evaluated only when Kruise injects a pod (at creation): running \
             pods keep the resources computed when they were created, Kruise never recomputes \
             them in place; pods created from now on are sized by the new policy.",
        );
    }
    Some(Impact {
        name: new.name.clone(),
        kind,
        summary: summary(kind, Some(new)),
        changes,
        statement,
    })
}

/// What changed in a sidecar's `resourcesPolicy`: `resourcesPolicy added`, `resourcesPolicy
/// removed`, or `resourcesPolicy (resourcesExpr.limits.cpu cpu*10% -> cpu*20%, ...)`.
fn resources_policy_change(before: Option<&Value>, after: Option<&Value>) -> String {
    let (before, after) = match (
        before.filter(|v| !v.is_null()),
        after.filter(|v| !v.is_null()),
    ) {
        (None, Some(_)) => return "resourcesPolicy added".to_owned(),
        (Some(_), None) => return "resourcesPolicy removed".to_owned(),
        (Some(b), Some(a)) => (b, a),
        (None, None) => return "resourcesPolicy".to_owned(),
    };
    let leaf = |v: &Value, path: &str| {
        v.pointer(path)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("(none)")
            .to_owned()
    };
    let mut diffs = Vec::new();
    for path in [
        "/targetContainersMode",
        "/targetContainersNameRegex",
        "/resourcesExpr/limits/cpu",
        "/resourcesExpr/limits/memory",
        "/resourcesExpr/requests/cpu",
        "/resourcesExpr/requests/memory",
    ] {
        let (b, a) = (leaf(before, path), leaf(after, path));
        if b != a {
            diffs.push(format!("{} {b} -> {a}", path[1..].replace('/', ".")));
        }
    }
    if diffs.is_empty() {
        "resourcesPolicy".to_owned()
    } else {
        format!("resourcesPolicy ({})", diffs.join(", "))
    }
}

/// The statement for an image-only change: in place, under the update strategy.
fn image_only(ss: &SidecarSet) -> String {
    let strategy = &ss.spec.update_strategy;
    if strategy.kind == "NotUpdate" {
        return "updateStrategy.type is NotUpdate: Kruise does not upgrade running pods; they keep \
                the old images until they are recreated. New pods get the new images."
            .to_owned();
    }
    let mut text = String::from(
        "Kruise upgrades running pods in place: it sets the new image and the kubelet restarts \
         that container only; pods are not recreated.",
    );
    let hot: Vec<&str> = ss
        .spec
        .containers
        .iter()
        .filter(|c| c.upgrade_type() == "HotUpgrade")
        .map(SidecarContainer::name)
        .collect();
    if !hot.is_empty() {
        text.push_str(&format!(
            " Hot upgrade ({}): the new image starts in the spare container (<name>-1 / <name>-2) \
             and takes over without stopping the running one.",
            hot.join(", ")
        ));
    }
    if strategy.paused {
        text.push_str(
            " But updateStrategy.paused is true: the upgrade waits until it is unpaused; until \
             then running pods keep the old images. New pods get the new images.",
        );
        return text;
    }
    let max_unavailable = int_or_string(strategy.max_unavailable.as_ref(), "1");
    let mut terms = vec![format!(
        "maxUnavailable {max_unavailable} (at most {} upgrading at a time)",
        pods(&max_unavailable)
    )];
    let partition = int_or_string(strategy.partition.as_ref(), "0");
    terms.push(if partition == "0" {
        "partition 0 (every matched pod is upgraded)".to_owned()
    } else {
        format!(
            "partition {partition} ({} kept on the old images)",
            pods(&partition)
        )
    });
    if let Some(selector) = &strategy.selector {
        terms.push(format!(
            "canary selector {} (only pods with these labels are upgraded)",
            selector.describe("(everything)")
        ));
    }
    if strategy.priority_strategy.is_some() {
        terms.push("priorityStrategy (upgrade order)".to_owned());
    }
    if !strategy.scatter_strategy.is_empty() {
        let terms_text: Vec<String> = strategy
            .scatter_strategy
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        terms.push(format!("scatterStrategy {}", terms_text.join(",")));
    }
    text.push_str(&format!(
        " updateStrategy RollingUpdate: {}.",
        terms.join(", ")
    ));
    text
}

/// `1 pod`, `3 pods`, `25% of the matched pods, rounded up,`.
fn pods(amount: &str) -> String {
    match amount {
        "1" => "1 pod".to_owned(),
        a if a.ends_with('%') => format!("{a} of the matched pods, rounded up,"),
        a => format!("{a} pods"),
    }
}

/// An `IntOrString` as written: `1`, `"25%"` → `25%`.
fn int_or_string(value: Option<&Value>, default: &str) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => default.to_owned(),
    }
}

/// What differs between two versions of a SidecarSet, in spec order, then metadata.
pub fn changes(old: &SidecarSet, new: &SidecarSet) -> Vec<String> {
    let mut out = Vec::new();
    containers(
        "container",
        &old.spec.containers,
        &new.spec.containers,
        &mut out,
    );
    containers(
        "init container",
        &old.spec.init_containers,
        &new.spec.init_containers,
        &mut out,
    );
    let (o, n) = (&old.spec, &new.spec);
    let fields: [(&str, bool); 10] = [
        ("selector", o.selector != n.selector),
        (
            "namespaceSelector",
            o.namespace_selector != n.namespace_selector,
        ),
        ("volumes", o.volumes != n.volumes),
        ("updateStrategy", o.update_strategy != n.update_strategy),
        (
            "injectionStrategy",
            o.injection_strategy != n.injection_strategy,
        ),
        (
            "imagePullSecrets",
            o.image_pull_secrets != n.image_pull_secrets,
        ),
        (
            "revisionHistoryLimit",
            o.revision_history_limit != n.revision_history_limit,
        ),
        (
            "patchPodMetadata",
            o.patch_pod_metadata != n.patch_pod_metadata,
        ),
        ("customVersion", o.custom_version != n.custom_version),
        ("metadata.labels", old.labels != new.labels),
    ];
    out.extend(
        fields
            .iter()
            .filter(|(_, differ)| *differ)
            .map(|(name, _)| (*name).to_owned()),
    );
    let annotations = |ss: &SidecarSet| -> BTreeMap<String, String> {
        ss.annotations
            .iter()
            .filter(|(k, _)| *k != HASH_ANNOTATION && *k != HASH_WITHOUT_IMAGE_ANNOTATION)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    if annotations(old) != annotations(new) {
        out.push("metadata.annotations".to_owned());
    }
    out
}

/// Container changes by name: added, removed, image `a -> b`, other fields.
fn containers(
    what: &str,
    old: &[SidecarContainer],
    new: &[SidecarContainer],
    out: &mut Vec<String>,
) {
    let by_name = |list: &[SidecarContainer]| -> BTreeMap<String, Value> {
        list.iter()
            .map(|c| (c.name().to_owned(), c.spec.clone()))
            .collect()
    };
    let old_map = by_name(old);
    let new_map = by_name(new);
    for c in new {
        let name = c.name();
        match old_map.get(name) {
            None => out.push(format!("{what} {name} added")),
            Some(before) if *before != c.spec => {
                let mut fields = Vec::new();
                let empty = serde_json::Map::new();
                let b = before.as_object().unwrap_or(&empty);
                let a = c.spec.as_object().unwrap_or(&empty);
                let mut keys: Vec<&String> = a.keys().collect();
                keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
                for key in keys {
                    if a.get(key) == b.get(key) {
                        continue;
                    }
                    if key == "image" {
                        let image = |v: Option<&Value>| {
                            v.and_then(Value::as_str).unwrap_or("(none)").to_owned()
                        };
                        fields.push(format!(
                            "image {} -> {}",
                            image(b.get(key)),
                            image(a.get(key))
                        ));
                    } else if key == "resourcesPolicy" {
                        fields.push(resources_policy_change(b.get(key), a.get(key)));
                    } else {
                        fields.push(key.clone());
                    }
                }
                out.push(format!("{what} {name}: {}", fields.join(", ")));
            }
            Some(_) => {}
        }
    }
    for c in old {
        if !new_map.contains_key(c.name()) {
            out.push(format!("{what} {} removed", c.name()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kruise::selector::LabelSelector;
    use serde_json::json;

    fn ss(container: Value, extra_spec: Value) -> SidecarSet {
        let mut spec = json!({
            "selector": {"matchLabels": {"app": "nginx"}},
            "containers": [container],
        });
        if let (Some(spec), Some(extra)) = (spec.as_object_mut(), extra_spec.as_object()) {
            for (k, v) in extra {
                spec.insert(k.clone(), v.clone());
            }
        }
        SidecarSet::from_value(&json!({
            "apiVersion": "apps.kruise.io/v1alpha1",
            "kind": "SidecarSet",
            "metadata": {"name": "filebeat"},
            "spec": spec,
        }))
        .expect("valid SidecarSet")
    }

    fn filebeat(image: &str) -> Value {
        json!({"name": "filebeat", "image": image, "env": [{"name": "A", "value": "1"}]})
    }

    #[test]
    fn an_image_bump_is_upgraded_in_place_under_the_strategy() {
        let old = ss(filebeat("filebeat:7"), json!({}));
        let new = ss(
            filebeat("filebeat:8"),
            json!({"updateStrategy": {"partition": "25%", "maxUnavailable": 2,
                   "selector": {"matchLabels": {"canary": "true"}}}}),
        );
        let got = impact(Some(&old), Some(&new)).expect("changed");
        assert_eq!(got.kind, ImpactKind::ImageOnly);
        assert_eq!(
            got.changes,
            [
                "container filebeat: image filebeat:7 -> filebeat:8",
                "updateStrategy"
            ]
        );
        assert!(got.statement.contains("in place"), "{}", got.statement);
        assert!(
            got.statement.contains("maxUnavailable 2"),
            "{}",
            got.statement
        );
        assert!(got.statement.contains("partition 25%"), "{}", got.statement);
        assert!(
            got.statement.contains("canary selector canary=true"),
            "{}",
            got.statement
        );
    }

    #[test]
    fn not_update_and_paused_strategies_hold_the_upgrade() {
        let old = ss(filebeat("filebeat:7"), json!({}));
        let new = ss(
            filebeat("filebeat:8"),
            json!({"updateStrategy": {"type": "NotUpdate"}}),
        );
        let got = impact(Some(&old), Some(&new)).expect("changed");
        assert_eq!(got.kind, ImpactKind::ImageOnly);
        assert!(
            got.statement
                .starts_with("updateStrategy.type is NotUpdate"),
            "{}",
            got.statement
        );
        assert_eq!(
            got.summary,
            "image-only change: not rolled out (updateStrategy NotUpdate)"
        );
        let new = ss(
            filebeat("filebeat:8"),
            json!({"updateStrategy": {"paused": true}}),
        );
        let got = impact(Some(&old), Some(&new)).expect("changed");
        assert!(
            got.statement.contains("paused is true"),
            "{}",
            got.statement
        );
        assert_eq!(got.summary, "image-only change: in-place upgrade, paused");
    }

    #[test]
    fn an_env_change_is_not_upgradable() {
        let old = ss(filebeat("filebeat:7"), json!({}));
        let mut container = filebeat("filebeat:7");
        container["env"] = json!([{"name": "A", "value": "2"}]);
        let new = ss(container, json!({}));
        let got = impact(Some(&old), Some(&new)).expect("changed");
        assert_eq!(got.kind, ImpactKind::NotUpgradable);
        assert_eq!(got.changes, ["container filebeat: env"]);
        assert!(
            got.statement.contains("not upgradable"),
            "{}",
            got.statement
        );
    }

    #[test]
    fn a_resources_policy_change_is_explained() {
        let with_policy = |cpu: &str| {
            let mut c = filebeat("filebeat:7");
            c["resourcesPolicy"] = json!({"targetContainersMode": "sum",
                "resourcesExpr": {"limits": {"cpu": cpu}}});
            c
        };
        let old = ss(with_policy("cpu*10%"), json!({}));
        let new = ss(with_policy("cpu*20%"), json!({}));
        let got = impact(Some(&old), Some(&new)).expect("changed");
        assert_eq!(got.kind, ImpactKind::NotUpgradable);
        assert_eq!(
            got.changes,
            ["container filebeat: resourcesPolicy (resourcesExpr.limits.cpu cpu*10% -> cpu*20%)"]
        );
        assert!(
            got.statement
                .contains("running pods keep the resources computed when they were created"),
            "{}",
            got.statement
        );
        let plain = ss(filebeat("filebeat:7"), json!({}));
        let got = impact(Some(&plain), Some(&old)).expect("changed");
        assert_eq!(got.changes, ["container filebeat: resourcesPolicy added"]);
    }

    #[test]
    fn a_volume_change_is_no_rollout() {
        let old = ss(filebeat("filebeat:7"), json!({}));
        let new = ss(
            filebeat("filebeat:7"),
            json!({"volumes": [{"name": "config", "configMap": {"name": "c"}}]}),
        );
        let got = impact(Some(&old), Some(&new)).expect("changed");
        assert_eq!(got.kind, ImpactKind::NoRollout);
        assert_eq!(got.changes, ["volumes"]);
        assert!(
            got.statement.contains("does not touch running pods"),
            "{}",
            got.statement
        );
        assert_eq!(impact(Some(&old), Some(&old)), None);
    }

    #[test]
    fn added_and_removed_sidecarsets() {
        let s = ss(filebeat("filebeat:7"), json!({}));
        assert_eq!(
            impact(None, Some(&s)).map(|i| i.kind),
            Some(ImpactKind::Added)
        );
        assert_eq!(
            impact(Some(&s), None).map(|i| i.kind),
            Some(ImpactKind::Removed)
        );
        assert_eq!(impact(None, None), None);
    }

    #[test]
    fn selectors_print_like_kubectl() {
        let s = LabelSelector {
            match_labels: BTreeMap::from([("a".into(), "b".into())]),
            match_expressions: vec![crate::kruise::selector::Requirement {
                key: "c".into(),
                operator: "In".into(),
                values: vec!["d".into(), "e".into()],
            }],
        };
        assert_eq!(s.describe("(everything)"), "a=b,c in (d,e)");
    }
}
