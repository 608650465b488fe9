//! The subset of Kubernetes `ValidatePodCreate` (k8s 1.32) that Kruise runs on a fake Pod made of a
//! SidecarSet's containers, init containers and volumes (`validateContainersForSidecarSet`), with
//! Kubernetes' paths and messages.
//!
//! Checked: volume names (required, DNS-1123 label, unique), one source per volume, `configMap.name`
//! and `secret.secretName` required; container names (required, DNS-1123 label, unique across
//! containers and initContainers), image required and without surrounding whitespace,
//! `imagePullPolicy` values; every `volumeMounts[].name` / `volumeDevices[].name` declared in
//! `spec.volumes`, `mountPath` required and unique within a container, `devicePath` unique and not a
//! mount path. Not checked: ports, probes, lifecycle, resources (requests ≤ limits), env names and
//! sources, securityContext, subPath syntax, restartPolicy values, and the other volume sources'
//! own fields.

use std::collections::BTreeSet;

use serde_json::Value;

use super::field_error::{BadValue, ErrorType, FieldError};
use super::names::is_dns1123_label;

/// Volume source fields of `corev1.VolumeSource`.
const VOLUME_SOURCES: &[&str] = &[
    "emptyDir",
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

fn s<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn arr(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Validates the fake Pod built from a SidecarSet `spec`.
pub fn validate(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let volumes = validate_volumes(arr(spec.get("volumes")), &mut errs);
    let containers = arr(spec.get("containers"));
    let init_containers = arr(spec.get("initContainers"));
    let mut names = BTreeSet::new();
    if containers.is_empty() {
        // Kruise's dummy container.
        names.insert("test".to_owned());
    }
    for (i, c) in containers.iter().enumerate() {
        validate_container(
            c,
            &format!("spec.containers[{i}]"),
            &volumes,
            &mut names,
            &mut errs,
        );
    }
    for (i, c) in init_containers.iter().enumerate() {
        validate_container(
            c,
            &format!("spec.initContainers[{i}]"),
            &volumes,
            &mut names,
            &mut errs,
        );
    }
    errs
}

fn validate_volumes(volumes: &[Value], errs: &mut Vec<FieldError>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (i, v) in volumes.iter().enumerate() {
        let path = format!("spec.volumes[{i}]");
        let name = s(v, "name");
        if name.is_empty() {
            errs.push(FieldError::required(format!("{path}.name"), ""));
        } else {
            for msg in is_dns1123_label(name) {
                errs.push(FieldError::invalid(format!("{path}.name"), name, msg));
            }
            if !names.insert(name.to_owned()) {
                errs.push(FieldError::new(
                    format!("{path}.name"),
                    ErrorType::Duplicate,
                    Some(BadValue::Str(name.to_owned())),
                    "",
                ));
            }
        }
        let sources: Vec<&str> = VOLUME_SOURCES
            .iter()
            .copied()
            .filter(|k| v.get(*k).is_some_and(|x| !x.is_null()))
            .collect();
        for extra in sources.iter().skip(1) {
            errs.push(FieldError::forbidden(
                format!("{path}.{extra}"),
                "may not specify more than 1 volume type",
            ));
        }
        if let Some(cm) = v.get("configMap").filter(|x| x.is_object())
            && s(cm, "name").is_empty()
        {
            errs.push(FieldError::required(format!("{path}.configMap.name"), ""));
        }
        if let Some(secret) = v.get("secret").filter(|x| x.is_object())
            && s(secret, "secretName").is_empty()
        {
            errs.push(FieldError::required(
                format!("{path}.secret.secretName"),
                "",
            ));
        }
    }
    names
}

fn validate_container(
    c: &Value,
    path: &str,
    volumes: &BTreeSet<String>,
    names: &mut BTreeSet<String>,
    errs: &mut Vec<FieldError>,
) {
    let name = s(c, "name");
    if name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else {
        for msg in is_dns1123_label(name) {
            errs.push(FieldError::invalid(format!("{path}.name"), name, msg));
        }
        if !names.insert(name.to_owned()) {
            errs.push(FieldError::new(
                format!("{path}.name"),
                ErrorType::Duplicate,
                Some(BadValue::Str(name.to_owned())),
                "",
            ));
        }
    }
    let image = s(c, "image");
    if image.is_empty() {
        errs.push(FieldError::required(format!("{path}.image"), ""));
    } else if image.trim() != image {
        errs.push(FieldError::invalid(
            format!("{path}.image"),
            image,
            "must not have leading or trailing whitespace",
        ));
    }
    let pull = s(c, "imagePullPolicy");
    if !matches!(pull, "" | "Always" | "IfNotPresent" | "Never") {
        errs.push(FieldError::new(
            format!("{path}.imagePullPolicy"),
            ErrorType::NotSupported,
            Some(BadValue::Str(pull.to_owned())),
            "supported values: \"Always\", \"IfNotPresent\", \"Never\"",
        ));
    }
    let mount_paths =
        validate_volume_refs(c, path, "volumeMounts", "mountPath", None, volumes, errs);
    validate_volume_refs(
        c,
        path,
        "volumeDevices",
        "devicePath",
        Some(&mount_paths),
        volumes,
        errs,
    );
}

/// The paths of one container's `volumeMounts` or `volumeDevices` (`list`), each entry checked: a
/// volume name that is declared, a non-empty, unique path (`path_key`), not among `taken` (the
/// mount paths, for devices).
fn validate_volume_refs(
    c: &Value,
    path: &str,
    list: &str,
    path_key: &str,
    taken: Option<&BTreeSet<String>>,
    volumes: &BTreeSet<String>,
    errs: &mut Vec<FieldError>,
) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for (j, r) in arr(c.get(list)).iter().enumerate() {
        let at = format!("{path}.{list}[{j}]");
        let vname = s(r, "name");
        if vname.is_empty() {
            errs.push(FieldError::required(format!("{at}.name"), ""));
        } else if !volumes.contains(vname) {
            errs.push(FieldError::new(
                format!("{at}.name"),
                ErrorType::NotFound,
                Some(BadValue::Str(vname.to_owned())),
                "",
            ));
        }
        let p = s(r, path_key);
        if p.is_empty() {
            errs.push(FieldError::required(format!("{at}.{path_key}"), ""));
        } else if !seen.insert(p.to_owned()) {
            errs.push(FieldError::invalid(
                format!("{at}.{path_key}"),
                p,
                "must be unique",
            ));
        } else if taken.is_some_and(|t| t.contains(p)) {
            errs.push(FieldError::invalid(
                format!("{at}.{path_key}"),
                p,
                "can not be used by volumeMounts",
            ));
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(spec: Value) -> Vec<String> {
        validate(&spec).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn names_images_mounts() {
        let spec = json!({
            "containers": [
                {"name": "Filebeat", "image": "",
                 "volumeMounts": [{"name": "varlog", "mountPath": "/var/log"},
                                  {"name": "config", "mountPath": "/var/log"}]},
                {"name": "dup", "image": "x"}
            ],
            "initContainers": [{"name": "dup", "image": "x"}],
            "volumes": [{"name": "config", "configMap": {"name": "c"}},
                        {"name": "config", "emptyDir": {}, "hostPath": {"path": "/"}}]
        });
        assert_eq!(
            messages(spec),
            [
                "spec.volumes[1].name: Duplicate value: \"config\"",
                "spec.volumes[1].hostPath: Forbidden: may not specify more than 1 volume type",
                "spec.containers[0].name: Invalid value: \"Filebeat\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                "spec.containers[0].image: Required value",
                "spec.containers[0].volumeMounts[0].name: Not found: \"varlog\"",
                "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/var/log\": must be unique",
                "spec.initContainers[0].name: Duplicate value: \"dup\"",
            ]
        );
    }

    #[test]
    fn devices_need_a_volume_a_unique_path_and_no_mount_path() {
        let spec = json!({
            "containers": [{"name": "c", "image": "x",
                "volumeMounts": [{"name": "data", "mountPath": "/dev/xvda"}],
                "volumeDevices": [{"name": "data", "devicePath": "/dev/xvda"},
                                  {"name": "nope", "devicePath": "/dev/xvdb"},
                                  {"name": "data", "devicePath": "/dev/xvdb"}]}],
            "volumes": [{"name": "data", "emptyDir": {}}]
        });
        assert_eq!(
            messages(spec),
            [
                "spec.containers[0].volumeDevices[0].devicePath: Invalid value: \"/dev/xvda\": can not be used by volumeMounts",
                "spec.containers[0].volumeDevices[1].name: Not found: \"nope\"",
                "spec.containers[0].volumeDevices[2].devicePath: Invalid value: \"/dev/xvdb\": must be unique",
            ]
        );
    }
}
