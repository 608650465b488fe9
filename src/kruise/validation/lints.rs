//! Mistakes Kruise accepts but that break the pod's purpose, found per pod (or pod template) and the
//! SidecarSets injected into it: a sidecar replacing an application container of the same name, a
//! sidecar mount path that an application container uses for another volume, a sidecar volume
//! shadowed by a different pod volume of the same name, and a sidecar reading an `emptyDir` that no
//! container writes.

use std::borrow::Borrow;
use std::collections::BTreeSet;

use serde_json::Value;

use super::references::injected_volumes;
use crate::kruise::inject::IS_INJECTED_ENV;
use crate::kruise::sidecarset::SidecarSet;

fn s<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn arr(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// A container the webhook injected earlier (first `IS_INJECTED` env is `"true"`).
fn is_injected(c: &Value) -> bool {
    arr(c.get("env"))
        .iter()
        .find(|e| s(e, "name") == IS_INJECTED_ENV)
        .is_some_and(|e| s(e, "value") == "true")
}

/// The pod's application containers (`spec.containers` minus earlier injected sidecars).
fn app_containers(pod_spec: &Value) -> Vec<&Value> {
    arr(pod_spec.get("containers"))
        .iter()
        .filter(|c| !is_injected(c))
        .collect()
}

fn read_only(m: &Value) -> bool {
    m.get("readOnly").and_then(Value::as_bool).unwrap_or(false)
}

/// The warnings for `pod_spec` receiving `sidecarsets` (in injection order).
pub fn lint<S: Borrow<SidecarSet>>(pod_spec: &Value, sidecarsets: &[S]) -> Vec<String> {
    let mut out = Vec::new();
    let apps = app_containers(pod_spec);
    let app_inits: Vec<&Value> = arr(pod_spec.get("initContainers"))
        .iter()
        .filter(|c| !is_injected(c))
        .collect();
    let pod_volumes: Vec<&Value> = arr(pod_spec.get("volumes")).iter().collect();
    let pod_volume_names: BTreeSet<String> = pod_volumes
        .iter()
        .map(|v| s(v, "name").to_owned())
        .collect();

    for ss in sidecarsets.iter().map(Borrow::borrow) {
        // Same-name replacement (`mergeSidecarContainers`).
        for (sidecars, pod_list, list) in [
            (&ss.spec.containers, &apps, "containers"),
            (&ss.spec.init_containers, &app_inits, "initContainers"),
        ] {
            for c in sidecars {
                if pod_list.iter().any(|a| s(a, "name") == c.name()) {
                    out.push(format!(
                        "SidecarSet {}: sidecar {} has the name of an application container in spec.{list}: Kruise silently replaces the application container with the sidecar; rename the sidecar or the container",
                        ss.name,
                        c.name()
                    ));
                }
            }
        }
        // Shadowed volumes (`MergeVolumes`: the pod's own volume wins).
        let mut used = BTreeSet::new();
        for c in ss.spec.init_containers.iter().chain(&ss.spec.containers) {
            for m in arr(c.spec.get("volumeMounts")) {
                used.insert(s(m, "name"));
            }
        }
        for v in &ss.spec.volumes {
            let name = s(v, "name");
            if !used.contains(name) {
                continue;
            }
            if let Some(theirs) = pod_volumes.iter().find(|p| s(p, "name") == name)
                && !same_source(theirs, v)
            {
                out.push(format!(
                    "SidecarSet {}: volume {name} is also a volume of the pod, with a different source: the pod's own volume wins and the sidecar mounts it instead of its own; rename one of them",
                    ss.name
                ));
            }
        }
        let injected: Vec<&Value> = injected_volumes(ss, &pod_volume_names);
        for c in ss.spec.init_containers.iter().chain(&ss.spec.containers) {
            let share = c.share_volume_policy_enabled();
            for m in arr(c.spec.get("volumeMounts")) {
                let (vname, path) = (s(m, "name"), s(m, "mountPath"));
                // Mount path collisions with application mounts of another volume.
                for app in &apps {
                    for am in arr(app.get("volumeMounts")) {
                        if s(am, "mountPath") == path && s(am, "name") != vname {
                            let shared = if share {
                                "; with shareVolumePolicy enabled the sidecar's own mount wins, so the application's volume is not shared at that path"
                            } else {
                                ""
                            };
                            out.push(format!(
                                "SidecarSet {}: sidecar {} mounts volume {vname} at {path}, where application container {} mounts volume {}: the two containers see different files at the same path{shared}",
                                ss.name,
                                c.name(),
                                s(app, "name"),
                                s(am, "name")
                            ));
                        }
                    }
                }
                // A read-only emptyDir that nobody writes.
                let is_new_empty_dir = injected
                    .iter()
                    .any(|v| s(v, "name") == vname && v.get("emptyDir").is_some());
                if !read_only(m) || !is_new_empty_dir {
                    continue;
                }
                let written = sidecarsets
                    .iter()
                    .map(Borrow::borrow)
                    .flat_map(|o| o.spec.init_containers.iter().chain(&o.spec.containers))
                    .filter(|o| o.name() != c.name())
                    .flat_map(|o| arr(o.spec.get("volumeMounts")))
                    .any(|om| s(om, "name") == vname && !read_only(om));
                if written {
                    continue;
                }
                let prefix = format!("{}/", path.trim_end_matches('/'));
                let app_mounts: Vec<(&str, &str, &str)> = apps
                    .iter()
                    .flat_map(|a| {
                        arr(a.get("volumeMounts"))
                            .iter()
                            .map(move |am| (s(a, "name"), s(am, "mountPath"), s(am, "name")))
                    })
                    .collect();
                if share && app_mounts.iter().any(|(_, p, _)| p.starts_with(&prefix)) {
                    continue;
                }
                let writers = if app_mounts.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({})",
                        app_mounts
                            .iter()
                            .map(|(a, p, v)| format!("{a} writes {p} to volume {v}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                out.push(format!(
                    "SidecarSet {}: sidecar {} reads {path} from emptyDir volume {vname}, which the injection creates and no container writes{writers}: {} sees an empty directory. Set shareVolumePolicy.type: enabled on {} so it also mounts the application containers' volumes, or mount a volume the application writes",
                    ss.name,
                    c.name(),
                    c.name(),
                    c.name()
                ));
            }
        }
    }
    out
}

/// Do two volumes have the same source (everything but the name)?
fn same_source(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            o.remove("name");
            // Defaulted modes differ between a defaulted SidecarSet volume and a raw pod volume.
            for src in o.values_mut() {
                if let Some(src) = src.as_object_mut() {
                    src.remove("defaultMode");
                    if src.get("type").is_some_and(|t| t == "") {
                        src.remove("type");
                    }
                }
            }
        }
        v
    };
    strip(a) == strip(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ss(spec: Value) -> SidecarSet {
        SidecarSet::from_value(&json!({
            "apiVersion": "apps.kruise.io/v1alpha1", "kind": "SidecarSet",
            "metadata": {"name": "s"}, "spec": spec
        }))
        .expect("valid")
    }

    fn filebeat(share: &str) -> SidecarSet {
        ss(json!({
            "selector": {"matchLabels": {"a": "b"}},
            "containers": [{"name": "filebeat", "image": "x", "shareVolumePolicy": {"type": share},
                "volumeMounts": [{"name": "varlog", "mountPath": "/var/log", "readOnly": true}]}],
            "volumes": [{"name": "varlog", "emptyDir": {}}]
        }))
    }

    fn nginx() -> Value {
        json!({"containers": [{"name": "nginx", "image": "nginx",
                               "volumeMounts": [{"name": "log", "mountPath": "/var/log/nginx"}]}],
               "volumes": [{"name": "log", "emptyDir": {}}]})
    }

    #[test]
    fn empty_dir_nobody_writes() {
        let warnings = lint(&nginx(), &[filebeat("disabled")]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("sidecar filebeat reads /var/log from emptyDir volume varlog")
        );
        assert!(warnings[0].contains("(nginx writes /var/log/nginx to volume log)"));
        assert!(warnings[0].contains("shareVolumePolicy.type: enabled"));
        // Shared: nginx's /var/log/nginx appears inside the sidecar's /var/log.
        assert!(lint(&nginx(), &[filebeat("enabled")]).is_empty());
    }

    #[test]
    fn name_and_mount_path_collisions() {
        let sidecar = ss(json!({
            "selector": {"matchLabels": {"a": "b"}},
            "containers": [{"name": "nginx", "image": "x",
                "volumeMounts": [{"name": "data", "mountPath": "/var/log/nginx"}]}],
            "volumes": [{"name": "data", "hostPath": {"path": "/data"}}]
        }));
        let warnings = lint(&nginx(), &[sidecar]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("Kruise silently replaces the application container"));
        assert!(warnings[1].contains("mounts volume data at /var/log/nginx, where application container nginx mounts volume log"));
    }
}
