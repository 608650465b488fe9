//! `--from-workloads`: the pods a workload runs, as the pod webhook created them. Each workload
//! becomes `replicas` pods named `<workload>-<i>` (i from 0), Running and Ready, each injected
//! (`sidecarsetMutatingPod`, one webhook call per pod, so a `Partial` revision policy draws per
//! pod) with the SidecarSets of the cluster given — the SidecarSets *before* the change being
//! planned.

use serde_json::{Map, Value, json};

use crate::kruise::cluster::Cluster;
use crate::kruise::decode::string_map_at;
use crate::kruise::inject::{self, InjectError};
use crate::kruise::matching::{self, MatchError, Undecided};
use crate::kruise::pod::{PodPatch, PodView};
use crate::kruise::rng::Rng;
use crate::kruise::sidecarset::SidecarSet;
use crate::kruise::workload::{PodLocation, group, pod_location};

/// The pods of one workload.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadPods {
    /// Pod objects, in order.
    pub pods: Vec<Value>,
    /// Something the user should know (e.g. a DaemonSet simulated with one pod).
    pub note: Option<String>,
    /// SidecarSets the webhook may have injected but that were not, because their
    /// `namespaceSelector` needs labels of a Namespace not among the inputs.
    pub undecided: Option<Undecided>,
}

/// A workload whose pods cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FromWorkloadsError {
    /// A field has the wrong type or value.
    #[error("{field}: {message}")]
    Field {
        /// Field path.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// The webhook would reject the pod (SidecarSet selection).
    #[error(transparent)]
    Match(#[from] MatchError),
    /// The webhook would reject the pod (injection).
    #[error(transparent)]
    Inject(#[from] InjectError),
}

fn field_error(field: &str, message: impl Into<String>) -> FromWorkloadsError {
    FromWorkloadsError::Field {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// The pods of `object` if it is a Pod or a workload kruise-inject knows (else `None`), injected
/// with the SidecarSets of `cluster` at time `now`.
pub fn workload_pods(
    object: &Value,
    default_namespace: &str,
    cluster: &Cluster,
    rng: &mut Rng,
    now: &str,
) -> Result<Option<WorkloadPods>, FromWorkloadsError> {
    let str_at = |p: &str| object.pointer(p).and_then(Value::as_str).unwrap_or("");
    let (api_version, kind) = (str_at("/apiVersion"), str_at("/kind"));
    let Some(location) = pod_location(api_version, kind) else {
        return Ok(None);
    };
    let name = str_at("/metadata/name");
    let namespace = match str_at("/metadata/namespace") {
        "" => default_namespace,
        ns => ns,
    };
    let (count, note) = replicas(object, group(api_version), kind)?;
    let path = location.path(|p| pointer(object, p).is_some());
    let Some(template) = pointer(object, path) else {
        return Ok(Some(WorkloadPods {
            pods: Vec::new(),
            note: Some(format!("no pod template at {}", path.join("."))),
            undecided: None,
        }));
    };
    let at = |rest: &str| {
        if path.is_empty() {
            rest.to_owned()
        } else {
            format!("{}.{rest}", path.join("."))
        }
    };
    let labels = string_map_at(template, "/metadata/labels")
        .map_err(|m| field_error(&at("metadata.labels"), m))?;
    let annotations = string_map_at(template, "/metadata/annotations")
        .map_err(|m| field_error(&at("metadata.annotations"), m))?;
    let spec = template.get("spec").unwrap_or(&Value::Null);
    let mut pods = Vec::with_capacity(count);
    let mut undecided = None;
    for i in 0..count {
        let view = PodView {
            namespace,
            labels: labels.clone(),
            annotations: annotations.clone(),
            spec,
            active: true,
        };
        let outcome = matching::match_pod(cluster, &view, rng)?;
        if undecided.is_none() {
            undecided = outcome.undecided();
        }
        let patch = if outcome.sidecarsets().is_empty() {
            PodPatch::default()
        } else {
            inject::inject(&view, outcome.sidecarsets(), now, &cluster.feature_gates)?.patch
        };
        let pod_name = if location == PodLocation::Pod {
            name.to_owned()
        } else {
            format!("{name}-{i}")
        };
        pods.push(build_pod(&pod_name, namespace, &view, &patch));
    }
    Ok(Some(WorkloadPods {
        pods,
        note,
        undecided,
    }))
}

/// How many pods to make, and a note when that is a stand-in.
fn replicas(
    object: &Value,
    group: &str,
    kind: &str,
) -> Result<(usize, Option<String>), FromWorkloadsError> {
    let count = |key: &str| -> Result<usize, FromWorkloadsError> {
        match object.pointer(&format!("/spec/{key}")) {
            None | Some(Value::Null) => Ok(1),
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| {
                    field_error(
                        &format!("spec.{key}"),
                        format!("expected a non-negative integer, found {v}"),
                    )
                }),
        }
    };
    Ok(match (group, kind) {
        ("", "Pod") => (1, None),
        (_, "DaemonSet") => (
            1,
            Some("a DaemonSet runs one pod per node: simulated with one pod".to_owned()),
        ),
        ("apps.kruise.io", "BroadcastJob") => (
            1,
            Some("a BroadcastJob runs one pod per node: simulated with one pod".to_owned()),
        ),
        ("batch", "Job") => (count("parallelism")?, None),
        (_, "CronJob" | "AdvancedCronJob") => (
            0,
            Some("a CronJob's pods run only while a job does: no pods simulated".to_owned()),
        ),
        _ => (count("replicas")?, None),
    })
}

fn pointer<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

/// The pod object: the template after injection, Running and Ready, every container ready with
/// the image it was created with.
fn build_pod(name: &str, namespace: &str, view: &PodView, patch: &PodPatch) -> Value {
    let (spec, annotations) = patch.apply_to(view.spec, &view.annotations);
    let statuses: Vec<Value> = spec
        .get("containers")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|c| {
            let image = c.get("image").and_then(Value::as_str).unwrap_or("");
            json!({"image": image, "imageID": image,
                   "name": c.get("name").and_then(Value::as_str).unwrap_or(""),
                   "ready": true, "restartCount": 0, "started": true})
        })
        .collect();
    let mut metadata = Map::new();
    metadata.insert("name".into(), Value::from(name));
    metadata.insert("namespace".into(), Value::from(namespace));
    let map = |m: &std::collections::BTreeMap<String, String>| {
        Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                .collect(),
        )
    };
    if !view.labels.is_empty() {
        metadata.insert("labels".into(), map(&view.labels));
    }
    if !annotations.is_empty() {
        metadata.insert("annotations".into(), map(&annotations));
    }
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": spec,
        "status": {
            "phase": "Running",
            "conditions": [{"lastProbeTime": null, "lastTransitionTime": null, "status": "True", "type": "Ready"}],
            "containerStatuses": statuses,
        }
    })
}

/// The sidecar fields other than `image` that differ between the `old` and `new` versions of a
/// SidecarSet (what makes pods not upgradable in place, `IsSidecarSetUpgradable`), as
/// `containers[<name>].<field>`. Init containers count only when a native sidecar makes them part
/// of the hash (`encodeSidecarSetV1beta1`).
pub fn sidecar_field_changes(old: &SidecarSet, new: &SidecarSet) -> Vec<String> {
    let mut out = Vec::new();
    let hashed_inits = |ss: &SidecarSet| {
        ss.spec
            .init_containers
            .iter()
            .any(|c| c.restart_policy() == "Always")
    };
    let mut lists = vec![("containers", &old.spec.containers, &new.spec.containers)];
    if hashed_inits(old) || hashed_inits(new) {
        lists.push((
            "initContainers",
            &old.spec.init_containers,
            &new.spec.init_containers,
        ));
    }
    for (list, old_list, new_list) in lists {
        for n in new_list {
            let Some(o) = old_list.iter().find(|o| o.name() == n.name()) else {
                out.push(format!("{list}[{}] added", n.name()));
                continue;
            };
            let (Some(om), Some(nm)) = (o.spec.as_object(), n.spec.as_object()) else {
                continue;
            };
            let keys = nm.keys().chain(om.keys().filter(|k| !nm.contains_key(*k)));
            for key in keys {
                if key != "image" && om.get(key) != nm.get(key) {
                    out.push(format!("{list}[{}].{key}", n.name()));
                }
            }
        }
        for o in old_list {
            if !new_list.iter().any(|n| n.name() == o.name()) {
                out.push(format!("{list}[{}] removed", o.name()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster() -> Cluster {
        let mut c = Cluster::new("kruise-system");
        c.add_sidecarset(
            SidecarSet::from_value(&json!({
                "apiVersion": "apps.kruise.io/v1alpha1", "kind": "SidecarSet",
                "metadata": {"name": "log"},
                "spec": {"selector": {"matchLabels": {"app": "web"}},
                         "containers": [{"name": "log", "image": "log:1"}]}
            }))
            .expect("valid"),
        )
        .expect("unique");
        c
    }

    fn deployment(replicas: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "namespace": "shop"},
               "spec": {"replicas": replicas, "template": {
                   "metadata": {"labels": {"app": "web"}},
                   "spec": {"containers": [{"name": "app", "image": "app:1"}]}}}})
    }

    #[test]
    fn a_deployment_becomes_its_replicas_injected() {
        let got = workload_pods(
            &deployment(json!(3)),
            "default",
            &cluster(),
            &mut Rng::new(0),
            "2024-01-01T00:00:00Z",
        )
        .expect("valid")
        .expect("a workload");
        assert_eq!(got.note, None);
        let names: Vec<&str> = got
            .pods
            .iter()
            .filter_map(|p| p.pointer("/metadata/name")?.as_str())
            .collect();
        assert_eq!(names, ["web-0", "web-1", "web-2"]);
        let pod = &got.pods[0];
        assert_eq!(pod["metadata"]["namespace"], "shop");
        assert_eq!(pod["spec"]["containers"][0]["name"], "log");
        assert_eq!(pod["spec"]["containers"][1]["name"], "app");
        assert_eq!(
            pod["metadata"]["annotations"]["kruise.io/sidecarset-injected-list"],
            "log"
        );
        assert_eq!(pod["status"]["containerStatuses"][0]["image"], "log:1");
        assert_eq!(pod["status"]["phase"], "Running");
    }

    #[test]
    fn replica_counts_and_stand_ins() {
        let c = cluster();
        let run =
            |v: Value| workload_pods(&v, "default", &c, &mut Rng::new(0), "2024-01-01T00:00:00Z");
        assert_eq!(
            run(deployment(Value::Null))
                .expect("ok")
                .expect("w")
                .pods
                .len(),
            1
        );
        assert_eq!(
            run(deployment(json!(0)))
                .expect("ok")
                .expect("w")
                .pods
                .len(),
            0
        );
        assert!(run(deployment(json!("3"))).is_err());
        let mut ds = deployment(json!(5));
        ds["kind"] = json!("DaemonSet");
        let got = run(ds).expect("ok").expect("w");
        assert_eq!((got.pods.len(), got.note.is_some()), (1, true));
        assert!(
            run(json!({"apiVersion": "v1", "kind": "ConfigMap"}))
                .expect("ok")
                .is_none()
        );
    }

    #[test]
    fn field_changes_ignore_images() {
        let ss = |c: Value| {
            SidecarSet::from_value(&json!({
                "apiVersion": "apps.kruise.io/v1beta1", "kind": "SidecarSet",
                "metadata": {"name": "s"},
                "spec": {"selector": {"matchLabels": {"a": "b"}}, "containers": c}
            }))
            .expect("valid")
        };
        let old = ss(json!([{"name": "log", "image": "log:1"}]));
        let new =
            ss(json!([{"name": "log", "image": "log:2", "env": [{"name": "A", "value": "1"}]}]));
        assert_eq!(sidecar_field_changes(&old, &new), ["containers[log].env"]);
        assert!(
            sidecar_field_changes(&old, &ss(json!([{"name": "log", "image": "log:3"}]))).is_empty()
        );
    }
}
