//! The pod as the SidecarSet controller reads and writes it (`pkg/controller/sidecarset`):
//! metadata, the name and image of each container, and the status (`phase`, conditions, container
//! statuses). Everything else of the object is kept as read and written back unchanged
//! ([`Pod::to_value`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::kruise::decode::string_map_at;
use crate::kruise::timestamp;

/// Pod condition type the controller maintains (`util.go: SidecarSetUpgradable`).
pub const UPGRADABLE_CONDITION: &str = "SidecarSetUpgradable";

/// A pod.
#[derive(Debug, Clone, PartialEq)]
pub struct Pod {
    /// `metadata.namespace` (the default namespace if absent).
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations`.
    pub annotations: BTreeMap<String, String>,
    /// `metadata.creationTimestamp`, seconds since the epoch (`None`: zero time).
    pub creation_timestamp: Option<i64>,
    /// `metadata.deletionTimestamp` is set.
    pub deleting: bool,
    /// `spec.nodeName`.
    pub node_name: String,
    /// `spec.initContainers`, in order.
    pub init_containers: Vec<Container>,
    /// `spec.containers`, in order.
    pub containers: Vec<Container>,
    /// `status.phase`.
    pub phase: String,
    /// `status.conditions`, in order.
    pub conditions: Vec<Condition>,
    /// `status.containerStatuses`, in order.
    pub container_statuses: Vec<ContainerStatus>,
    /// The object as read.
    object: Raw,
}

/// A JSON value kept as compact JSON text: what `rollout` holds of the parts of a pod it writes
/// back unchanged (a few KB a pod, where the `Value` took tens). Shared, never changed: a copy of
/// a pod does not copy it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Raw(Arc<str>);

impl Raw {
    fn new(value: &Value) -> Self {
        Raw(Arc::from(serde_json::to_string(value).unwrap_or_default()))
    }

    fn value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }
}

/// A container: what the controller reads and changes of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    /// `name`.
    pub name: String,
    /// `image`.
    pub image: String,
}

/// A pod condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// `type`.
    pub kind: String,
    /// `status`: `True`, `False`, `Unknown`.
    pub status: String,
    /// `lastTransitionTime`, seconds since the epoch (`None`: zero time).
    pub last_transition_time: Option<i64>,
    /// `reason`.
    pub reason: String,
    /// `message`.
    pub message: String,
    /// The condition as read (other fields kept).
    raw: Raw,
}

/// A `status.containerStatuses` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerStatus {
    /// `name`.
    pub name: String,
    /// `image`: what the kubelet runs.
    pub image: String,
    /// `imageID`, e.g. `docker-pullable://nginx@sha256:...`.
    pub image_id: String,
    /// `ready`.
    pub ready: bool,
    /// `restartCount`.
    pub restart_count: i64,
    /// The status as read (other fields kept).
    raw: Raw,
}

/// A pod object kruise-inject cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PodError {
    /// Field path.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn err(path: impl Into<String>, message: impl Into<String>) -> PodError {
    PodError {
        path: path.into(),
        message: message.into(),
    }
}

impl Pod {
    /// Reads a Pod object (as `kubectl get pods -o yaml` writes it). `default_namespace` is used
    /// when `metadata.namespace` is absent.
    pub fn from_value(value: &Value, default_namespace: &str) -> Result<Pod, PodError> {
        let str_at = |pointer: &str| -> Result<String, PodError> {
            match value.pointer(pointer) {
                None | Some(Value::Null) => Ok(String::new()),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(other) => Err(err(
                    pointer.trim_start_matches('/').replace('/', "."),
                    format!("expected a string, found {other}"),
                )),
            }
        };
        let map_at = |pointer: &str| {
            string_map_at(value, pointer)
                .map_err(|m| err(pointer.trim_start_matches('/').replace('/', "."), m))
        };
        let time_at = |pointer: &str| -> Result<Option<i64>, PodError> {
            let text = str_at(pointer)?;
            parse_time(&text).map_err(|m| err(pointer.trim_start_matches('/').replace('/', "."), m))
        };
        let name = str_at("/metadata/name")?;
        if name.is_empty() {
            return Err(err("metadata.name", "a pod needs a name"));
        }
        let namespace = match str_at("/metadata/namespace")? {
            ns if ns.is_empty() => default_namespace.to_owned(),
            ns => ns,
        };
        let containers = |key: &str| -> Result<Vec<Container>, PodError> {
            items(value, &format!("/spec/{key}"))?
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let path = format!("spec.{key}[{i}]");
                    Ok(Container {
                        name: field_str(c, "name", &path)?,
                        image: field_str(c, "image", &path)?,
                    })
                })
                .collect()
        };
        let conditions = items(value, "/status/conditions")?
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let path = format!("status.conditions[{i}]");
                Ok(Condition {
                    kind: field_str(c, "type", &path)?,
                    status: field_str(c, "status", &path)?,
                    last_transition_time: parse_time(&field_str(c, "lastTransitionTime", &path)?)
                        .map_err(|m| {
                        err(format!("{path}.lastTransitionTime"), m)
                    })?,
                    reason: field_str(c, "reason", &path)?,
                    message: field_str(c, "message", &path)?,
                    raw: Raw::new(&blank(c, &CONDITION_FIELDS)),
                })
            })
            .collect::<Result<_, PodError>>()?;
        let container_statuses = items(value, "/status/containerStatuses")?
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let path = format!("status.containerStatuses[{i}]");
                Ok(ContainerStatus {
                    name: field_str(s, "name", &path)?,
                    image: field_str(s, "image", &path)?,
                    image_id: field_str(s, "imageID", &path)?,
                    ready: match s.get("ready") {
                        None | Some(Value::Null) => false,
                        Some(Value::Bool(b)) => *b,
                        Some(other) => {
                            return Err(err(
                                format!("{path}.ready"),
                                format!("expected true or false, found {other}"),
                            ));
                        }
                    },
                    restart_count: match s.get("restartCount") {
                        None | Some(Value::Null) => 0,
                        Some(v) => v.as_i64().ok_or_else(|| {
                            err(
                                format!("{path}.restartCount"),
                                format!("expected an integer, found {v}"),
                            )
                        })?,
                    },
                    raw: Raw::new(&blank(s, &STATUS_FIELDS)),
                })
            })
            .collect::<Result<_, PodError>>()?;
        Ok(Pod {
            namespace,
            name,
            labels: map_at("/metadata/labels")?,
            annotations: map_at("/metadata/annotations")?,
            creation_timestamp: time_at("/metadata/creationTimestamp")?,
            deleting: value
                .pointer("/metadata/deletionTimestamp")
                .is_some_and(|v| !v.is_null()),
            node_name: str_at("/spec/nodeName")?,
            init_containers: containers("initContainers")?,
            containers: containers("containers")?,
            phase: str_at("/status/phase")?,
            conditions,
            container_statuses,
            object: Raw::new(&without_copies(value)),
        })
    }

    /// The object with the controller's and the simulated kubelet's changes: annotations, container
    /// images, phase, conditions and container statuses. Other fields are as read.
    pub fn to_value(&self) -> Value {
        let mut object = self.object.value();
        let Some(root) = object.as_object_mut() else {
            return object;
        };
        let metadata = child(root, "metadata");
        if !self.annotations.is_empty() || metadata.contains_key("annotations") {
            metadata.insert(
                "annotations".to_owned(),
                Value::Object(
                    self.annotations
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect(),
                ),
            );
        }
        let spec = child(root, "spec");
        for (key, containers) in [
            ("initContainers", &self.init_containers),
            ("containers", &self.containers),
        ] {
            if let Some(items) = spec.get_mut(key).and_then(Value::as_array_mut) {
                for (item, c) in items.iter_mut().zip(containers) {
                    if let Some(obj) = item.as_object_mut() {
                        obj.insert("image".to_owned(), Value::String(c.image.clone()));
                    }
                }
            }
        }
        let status = child(root, "status");
        if !self.phase.is_empty() {
            status.insert("phase".to_owned(), Value::String(self.phase.clone()));
        }
        if !self.conditions.is_empty() {
            let conditions = self.conditions.iter().map(Condition::to_value).collect();
            status.insert("conditions".to_owned(), Value::Array(conditions));
        }
        if !self.container_statuses.is_empty() {
            let statuses = self
                .container_statuses
                .iter()
                .map(ContainerStatus::to_value)
                .collect();
            status.insert("containerStatuses".to_owned(), Value::Array(statuses));
        }
        if status.is_empty() {
            root.shift_remove("status");
        }
        object
    }

    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// `util.GetContainer`: the init container or container named `name` (init containers first).
    pub fn container(&self, name: &str) -> Option<&Container> {
        self.init_containers
            .iter()
            .chain(&self.containers)
            .find(|c| c.name == name)
    }

    /// [`Pod::container`], mutable.
    pub fn container_mut(&mut self, name: &str) -> Option<&mut Container> {
        self.init_containers
            .iter_mut()
            .chain(&mut self.containers)
            .find(|c| c.name == name)
    }

    /// The `status.containerStatuses` entry of `name`.
    pub fn container_status(&self, name: &str) -> Option<&ContainerStatus> {
        self.container_statuses.iter().find(|s| s.name == name)
    }

    /// [`Pod::container_status`], mutable.
    pub fn container_status_mut(&mut self, name: &str) -> Option<&mut ContainerStatus> {
        self.container_statuses.iter_mut().find(|s| s.name == name)
    }

    /// The first condition of type `kind` (`podutil.GetPodCondition`).
    pub fn condition(&self, kind: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.kind == kind)
    }

    /// `podutil.IsPodReady`: the `Ready` condition is `True`.
    pub fn is_ready(&self) -> bool {
        self.condition("Ready").is_some_and(|c| c.status == "True")
    }

    /// `lastTransitionTime` of the first `Ready` condition that is `True` (k8s `podReadyTime`).
    pub fn ready_time(&self) -> Option<i64> {
        if !self.is_ready() {
            return None;
        }
        self.conditions
            .iter()
            .find(|c| c.kind == "Ready" && c.status == "True")
            .and_then(|c| c.last_transition_time)
    }

    /// `util.IsRunningAndReady`: phase `Running`, ready, not being deleted.
    pub fn is_running_and_ready(&self) -> bool {
        self.phase == "Running" && self.is_ready() && !self.deleting
    }

    /// `IsPodActive`: not Succeeded or Failed, no deletionTimestamp.
    pub fn is_active(&self) -> bool {
        !matches!(self.phase.as_str(), "Succeeded" | "Failed") && !self.deleting
    }

    /// The highest `restartCount` of the container statuses (k8s `maxContainerRestarts`).
    pub fn max_restarts(&self) -> i64 {
        self.container_statuses
            .iter()
            .map(|s| s.restart_count)
            .max()
            .unwrap_or(0)
            .max(0)
    }

    /// Sets (or adds) the condition of type `condition.kind`, as `podutil.UpdatePodCondition`
    /// does: `lastTransitionTime` is `now` unless the status is unchanged.
    pub fn set_condition(&mut self, mut condition: Condition, now: Option<i64>) {
        condition.last_transition_time = now;
        match self
            .conditions
            .iter_mut()
            .find(|c| c.kind == condition.kind)
        {
            Some(old) => {
                if old.status == condition.status {
                    condition.last_transition_time = old.last_transition_time;
                }
                condition.raw = old.raw.clone();
                *old = condition;
            }
            None => self.conditions.push(condition),
        }
    }
}

impl Condition {
    /// A new condition (nothing but these fields).
    pub fn new(kind: &str, status: &str, reason: &str, message: &str) -> Self {
        Condition {
            kind: kind.to_owned(),
            status: status.to_owned(),
            last_transition_time: None,
            reason: reason.to_owned(),
            message: message.to_owned(),
            // kubectl's key order; the values are filled in by `to_value`.
            raw: Raw::new(&serde_json::json!({
                "lastProbeTime": null, "lastTransitionTime": null, "message": "", "reason": "",
                "status": "", "type": ""
            })),
        }
    }

    fn to_value(&self) -> Value {
        let mut obj = match self.raw.value() {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let time = self
            .last_transition_time
            .map_or(Value::Null, |t| Value::String(timestamp::format_unix(t)));
        put(&mut obj, "lastTransitionTime", time, &Value::Null);
        // `omitempty` in `corev1.PodCondition`.
        for (key, value) in [("message", &self.message), ("reason", &self.reason)] {
            if value.is_empty() {
                obj.shift_remove(key);
            } else {
                obj.insert(key.to_owned(), Value::from(value.clone()));
            }
        }
        put(
            &mut obj,
            "status",
            Value::from(self.status.clone()),
            &Value::from(""),
        );
        put(
            &mut obj,
            "type",
            Value::from(self.kind.clone()),
            &Value::from(""),
        );
        Value::Object(obj)
    }
}

/// Sets `key` if the object has it or `value` is not the zero value `zero`.
fn put(obj: &mut Map<String, Value>, key: &str, value: Value, zero: &Value) {
    if obj.contains_key(key) || value != *zero {
        obj.insert(key.to_owned(), value);
    }
}

impl ContainerStatus {
    /// A status for a container running `image`, ready (what `--from-workloads` pods report).
    pub fn running(name: &str, image: &str) -> Self {
        ContainerStatus {
            name: name.to_owned(),
            image: image.to_owned(),
            image_id: image.to_owned(),
            ready: true,
            restart_count: 0,
            raw: Raw::new(&serde_json::json!({
                "image": "", "imageID": "", "name": "", "ready": false, "restartCount": 0,
                "started": true
            })),
        }
    }

    fn to_value(&self) -> Value {
        let mut obj = match self.raw.value() {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        put(
            &mut obj,
            "name",
            Value::from(self.name.clone()),
            &Value::from(""),
        );
        put(
            &mut obj,
            "image",
            Value::from(self.image.clone()),
            &Value::from(""),
        );
        put(
            &mut obj,
            "imageID",
            Value::from(self.image_id.clone()),
            &Value::from(""),
        );
        put(
            &mut obj,
            "ready",
            Value::Bool(self.ready),
            &Value::Bool(false),
        );
        put(
            &mut obj,
            "restartCount",
            Value::from(self.restart_count),
            &Value::from(0),
        );
        Value::Object(obj)
    }
}

/// The fields of a condition [`Condition::to_value`] writes (over the raw condition).
const CONDITION_FIELDS: [&str; 5] = ["lastTransitionTime", "message", "reason", "status", "type"];
/// The fields of a container status [`ContainerStatus::to_value`] writes.
const STATUS_FIELDS: [&str; 5] = ["name", "image", "imageID", "ready", "restartCount"];

/// `value` with `null` for the `fields` it has: they are written over it, in their place.
fn blank(value: &Value, fields: &[&str]) -> Value {
    let mut value = value.clone();
    if let Some(map) = value.as_object_mut() {
        for field in fields {
            if let Some(v) = map.get_mut(*field) {
                *v = Value::Null;
            }
        }
    }
    value
}

/// The object without what [`Pod`] holds in its own fields and [`Pod::to_value`] writes over (a
/// third of a pod): `null` in place of the annotations and of non-empty conditions and container
/// statuses, so that they are written back where they were.
fn without_copies(value: &Value) -> Value {
    let mut object = value.clone();
    let mut blank = |pointer: &str, only_filled: bool| {
        if let Some(v) = object.pointer_mut(pointer)
            && (!only_filled || v.as_array().is_some_and(|items| !items.is_empty()))
        {
            *v = Value::Null;
        }
    };
    blank("/metadata/annotations", false);
    blank("/status/conditions", true);
    blank("/status/containerStatuses", true);
    object
}

fn child<'a>(obj: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    if !obj.get(key).is_some_and(Value::is_object) {
        obj.insert(key.to_owned(), Value::Object(Map::new()));
    }
    match obj.get_mut(key) {
        Some(Value::Object(m)) => m,
        _ => unreachable!("inserted above"),
    }
}

fn items<'a>(value: &'a Value, pointer: &str) -> Result<&'a [Value], PodError> {
    match value.pointer(pointer) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(err(
            pointer.trim_start_matches('/').replace('/', "."),
            format!("expected a list, found {other}"),
        )),
    }
}

fn field_str(item: &Value, key: &str, path: &str) -> Result<String, PodError> {
    match item.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(err(
            format!("{path}.{key}"),
            format!("expected a string, found {other}"),
        )),
    }
}

/// A `metav1.Time`: `""` is the zero time.
fn parse_time(text: &str) -> Result<Option<i64>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    timestamp::parse_rfc3339(text)
        .map(Some)
        .ok_or_else(|| format!("{text:?} is not an RFC 3339 time"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web-0", "labels": {"app": "web"},
                         "annotations": {"a": "1"}, "creationTimestamp": "2024-01-01T00:00:00Z"},
            "spec": {"nodeName": "n1", "containers": [
                {"name": "app", "image": "app:1", "ports": [{"containerPort": 80}]},
                {"name": "log", "image": "log:1"}]},
            "status": {"phase": "Running",
                "conditions": [{"type": "Ready", "status": "True",
                                "lastTransitionTime": "2024-01-01T00:01:00Z"}],
                "containerStatuses": [
                    {"name": "app", "image": "app:1", "imageID": "app@x", "ready": true,
                     "restartCount": 2, "started": true},
                    {"name": "log", "image": "log:1", "imageID": "log@x", "ready": true}]}
        })
    }

    #[test]
    fn reads_what_the_controller_needs() {
        let p = Pod::from_value(&pod(), "default").expect("valid");
        assert_eq!(p.key(), "default/web-0");
        assert_eq!(p.creation_timestamp, Some(1_704_067_200));
        assert!(p.is_running_and_ready());
        assert_eq!(p.ready_time(), Some(1_704_067_260));
        assert_eq!(p.max_restarts(), 2);
        assert_eq!(p.container("log").map(|c| c.image.as_str()), Some("log:1"));
    }

    #[test]
    fn writes_back_only_what_changed() {
        let mut p = Pod::from_value(&pod(), "default").expect("valid");
        assert_eq!(p.to_value(), pod());
        p.annotations.insert("b".into(), "2".into());
        p.container_mut("log").expect("log").image = "log:2".into();
        let v = p.to_value();
        assert_eq!(v["metadata"]["annotations"], json!({"a": "1", "b": "2"}));
        assert_eq!(
            v["spec"]["containers"][1],
            json!({"name": "log", "image": "log:2"})
        );
        assert_eq!(
            v["spec"]["containers"][0]["ports"],
            json!([{"containerPort": 80}])
        );
        assert_eq!(v["status"]["containerStatuses"][0]["started"], json!(true));
    }

    /// What the pod holds in its own fields is not kept twice, and is written back in its place
    /// (key order included), whatever the shape it had.
    #[test]
    fn fields_held_apart_are_written_back_in_place() {
        let text = |v: &Value| serde_json::to_string(v).expect("JSON");
        let mut shapes = vec![pod()];
        for (pointer, value) in [
            ("/metadata/annotations", json!(null)),
            ("/metadata/annotations", json!({})),
            ("/status/conditions", json!([])),
            ("/status/conditions", json!(null)),
            ("/status/containerStatuses", json!([])),
        ] {
            let mut v = pod();
            *v.pointer_mut(pointer).expect("field") = value;
            shapes.push(v);
        }
        let mut no_status = pod();
        no_status
            .as_object_mut()
            .expect("object")
            .shift_remove("status");
        shapes.push(no_status);
        let mut more = pod();
        more["status"]["conditions"][0] = json!({"lastProbeTime": null,
            "lastTransitionTime": "2024-01-01T00:01:00Z", "message": "m", "reason": "r",
            "status": "True", "type": "Ready"});
        more["status"]["containerStatuses"][1]["containerID"] = json!("containerd://1");
        more["status"]["containerStatuses"][1]["restartCount"] = json!(0);
        shapes.push(more);
        for v in shapes {
            let p = Pod::from_value(&v, "default").expect("valid");
            assert!(!p.object.0.contains("\"a\":\"1\""), "{}", p.object.0);
            assert!(!p.object.0.contains("app@x"), "{}", p.object.0);
            for raw in p
                .conditions
                .iter()
                .map(|c| &c.raw)
                .chain(p.container_statuses.iter().map(|s| &s.raw))
            {
                assert!(
                    !raw.0.contains("True") && !raw.0.contains("@x"),
                    "{}",
                    raw.0
                );
            }
            let expected = match v.pointer("/metadata/annotations") {
                // `null` annotations are written as the (empty) map they are read as
                Some(Value::Null) => {
                    let mut e = v.clone();
                    e["metadata"]["annotations"] = json!({});
                    e
                }
                _ => v.clone(),
            };
            assert_eq!(text(&p.to_value()), text(&expected));
        }
    }

    #[test]
    fn type_errors_name_the_field() {
        let mut v = pod();
        v["status"]["containerStatuses"][1]["ready"] = json!("yes");
        let e = Pod::from_value(&v, "default").expect_err("bad ready");
        assert_eq!(e.path, "status.containerStatuses[1].ready");
        let mut v = pod();
        v["metadata"]["creationTimestamp"] = json!("yesterday");
        assert!(Pod::from_value(&v, "default").is_err());
    }

    #[test]
    fn conditions_keep_their_transition_time_when_the_status_stays() {
        let mut p = Pod::from_value(&pod(), "default").expect("valid");
        p.set_condition(
            Condition::new(UPGRADABLE_CONDITION, "False", "R", "m"),
            Some(10),
        );
        p.set_condition(
            Condition::new(UPGRADABLE_CONDITION, "False", "R", "m2"),
            Some(20),
        );
        let c = p.condition(UPGRADABLE_CONDITION).expect("added");
        assert_eq!(
            (c.last_transition_time, c.message.as_str()),
            (Some(10), "m2")
        );
        p.set_condition(
            Condition::new(UPGRADABLE_CONDITION, "True", "R", "m"),
            Some(30),
        );
        let c = p.condition(UPGRADABLE_CONDITION).expect("kept");
        assert_eq!(c.last_transition_time, Some(30));
    }
}
