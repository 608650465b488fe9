//! ConfigMaps and Secrets an injected sidecar needs: every one that an injected volume or a sidecar's
//! env / envFrom names must exist in the namespace of each pod that receives the sidecar, or the pod
//! does not start (`CreateContainerConfigError`, or stuck in `ContainerCreating`). `optional: true`
//! references are exempt.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::kruise::sidecarset::{SidecarContainer, SidecarSet};

/// The ConfigMaps and Secrets among the inputs: (kind, namespace, name), kind `ConfigMap` or
/// `Secret`.
pub type Inventory = BTreeSet<(String, String, String)>;

/// One reference from an injected sidecar to a ConfigMap or Secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `ConfigMap` or `Secret`.
    pub kind: &'static str,
    /// The object's name.
    pub name: String,
    /// Where it is named, e.g. `volume config` or `env FOO of container filebeat`.
    pub via: String,
}

fn s<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn optional(v: &Value) -> bool {
    v.get("optional").and_then(Value::as_bool).unwrap_or(false)
}

fn arr(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// The names of the volumes a SidecarSet puts into a pod whose own volumes are `pod_volumes`:
/// those its sidecars mount (or use as devices) that the pod does not already have (the pod's own
/// volume of the same name wins, `pkg/util/pods.go: MergeVolumes`).
pub fn injected_volumes<'s>(ss: &'s SidecarSet, pod_volumes: &BTreeSet<String>) -> Vec<&'s Value> {
    let mut used = BTreeSet::new();
    for c in ss.spec.init_containers.iter().chain(&ss.spec.containers) {
        for m in arr(c.spec.get("volumeMounts"))
            .iter()
            .chain(arr(c.spec.get("volumeDevices")))
        {
            used.insert(s(m, "name"));
        }
    }
    ss.spec
        .volumes
        .iter()
        .filter(|v| used.contains(s(v, "name")) && !pod_volumes.contains(s(v, "name")))
        .collect()
}

/// Every non-optional ConfigMap/Secret reference of what `ss` injects into a pod with volumes
/// `pod_volumes`.
pub fn references(ss: &SidecarSet, pod_volumes: &BTreeSet<String>) -> Vec<Reference> {
    let mut refs = Vec::new();
    for v in injected_volumes(ss, pod_volumes) {
        let via = format!("volume {}", s(v, "name"));
        if let Some(cm) = v.get("configMap").filter(|x| !optional(x)) {
            refs.push(reference("ConfigMap", s(cm, "name"), &via));
        }
        if let Some(secret) = v.get("secret").filter(|x| !optional(x)) {
            refs.push(reference("Secret", s(secret, "secretName"), &via));
        }
        for source in arr(v.pointer("/projected/sources")) {
            if let Some(cm) = source.get("configMap").filter(|x| !optional(x)) {
                refs.push(reference("ConfigMap", s(cm, "name"), &via));
            }
            if let Some(secret) = source.get("secret").filter(|x| !optional(x)) {
                refs.push(reference("Secret", s(secret, "name"), &via));
            }
        }
    }
    for c in ss.spec.init_containers.iter().chain(&ss.spec.containers) {
        refs.extend(container_references(c));
    }
    refs.retain(|r| !r.name.is_empty());
    refs
}

fn reference(kind: &'static str, name: &str, via: &str) -> Reference {
    Reference {
        kind,
        name: name.to_owned(),
        via: via.to_owned(),
    }
}

fn container_references(c: &SidecarContainer) -> Vec<Reference> {
    let mut refs = Vec::new();
    let name = c.name();
    for env in arr(c.spec.get("env")) {
        let via = format!("env {} of container {name}", s(env, "name"));
        if let Some(r) = env
            .pointer("/valueFrom/configMapKeyRef")
            .filter(|x| !optional(x))
        {
            refs.push(reference("ConfigMap", s(r, "name"), &via));
        }
        if let Some(r) = env
            .pointer("/valueFrom/secretKeyRef")
            .filter(|x| !optional(x))
        {
            refs.push(reference("Secret", s(r, "name"), &via));
        }
    }
    for from in arr(c.spec.get("envFrom")) {
        let via = format!("envFrom of container {name}");
        if let Some(r) = from.get("configMapRef").filter(|x| !optional(x)) {
            refs.push(reference("ConfigMap", s(r, "name"), &via));
        }
        if let Some(r) = from.get("secretRef").filter(|x| !optional(x)) {
            refs.push(reference("Secret", s(r, "name"), &via));
        }
    }
    refs
}

/// The ConfigMaps and Secrets `ss` needs in a pod with volumes `pod_volumes`: each one once, by its
/// first reference.
pub fn needed(ss: &SidecarSet, pod_volumes: &BTreeSet<String>) -> Vec<Reference> {
    let mut out: Vec<Reference> = Vec::new();
    for r in references(ss, pod_volumes) {
        if !out.iter().any(|o| o.kind == r.kind && o.name == r.name) {
            out.push(r);
        }
    }
    out
}

/// The references of `ss` (injected into a pod in `namespace` with volumes `pod_volumes`) whose
/// object is not in `inventory`: [`needed`], less what `inventory` has.
pub fn missing(
    ss: &SidecarSet,
    namespace: &str,
    pod_volumes: &BTreeSet<String>,
    inventory: &Inventory,
) -> Vec<Reference> {
    needed(ss, pod_volumes)
        .into_iter()
        .filter(|r| !inventory.contains(&(r.kind.to_owned(), namespace.to_owned(), r.name.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ss() -> SidecarSet {
        SidecarSet::from_value(&json!({
            "apiVersion": "apps.kruise.io/v1alpha1", "kind": "SidecarSet",
            "metadata": {"name": "s"},
            "spec": {
                "selector": {"matchLabels": {"a": "b"}},
                "containers": [{"name": "c", "image": "x",
                    "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "token", "key": "t"}}},
                            {"name": "OPT", "valueFrom": {"configMapKeyRef": {"name": "opt", "key": "k", "optional": true}}}],
                    "envFrom": [{"configMapRef": {"name": "env-cm"}}],
                    "volumeMounts": [{"name": "config", "mountPath": "/etc/c"}]}],
                "volumes": [{"name": "config", "configMap": {"name": "cfg"}},
                            {"name": "unused", "secret": {"secretName": "never-injected"}}]
            }
        }))
        .expect("valid")
    }

    #[test]
    fn finds_missing_configmaps_and_secrets() {
        let inventory: Inventory = [("ConfigMap", "web", "env-cm")]
            .iter()
            .map(|(k, n, m)| (k.to_string(), n.to_string(), m.to_string()))
            .collect();
        let missing = missing(&ss(), "web", &BTreeSet::new(), &inventory);
        let names: Vec<_> = missing
            .iter()
            .map(|r| format!("{} {} ({})", r.kind, r.name, r.via))
            .collect();
        assert_eq!(
            names,
            [
                "ConfigMap cfg (volume config)",
                "Secret token (env TOKEN of container c)"
            ]
        );
        // The pod's own volume named `config` wins, so cfg is not needed.
        let pod_volumes = BTreeSet::from(["config".to_owned()]);
        assert_eq!(
            super::missing(&ss(), "web", &pod_volumes, &inventory).len(),
            1
        );
    }
}
