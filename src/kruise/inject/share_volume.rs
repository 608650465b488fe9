//! `shareVolumePolicy` / `shareVolumeDevicePolicy` (`util.go:
//! GetInjectedVolumeMountsAndEnvs`, `GetInjectedVolumeDevices`) and `MergeVolumeMounts` /
//! `MergeVolumeDevices` (`pkg/util/pods.go`).

use std::collections::HashSet;

use serde_json::Value;

use super::IS_INJECTED_ENV;
use super::container::{list, str_field};
use super::go_values;

/// Whether a pod container is an injected sidecar (`IsInjectedSidecarContainerInPod`): the value of
/// its first `IS_INJECTED` env is `"true"`.
pub(super) fn is_injected_sidecar(container: &Value) -> bool {
    list(container, "env")
        .iter()
        .find(|e| str_field(e, "name") == IS_INJECTED_ENV)
        .is_some_and(|e| str_field(e, "value") == "true")
}

/// The app containers' volume mounts (all of them, in order; injected sidecars skipped), and the
/// env vars their `subPathExpr`s reference (`$(NAME)`, taken from the same container, first env
/// of that name; missing ones skipped).
pub(super) fn shared_mounts_and_envs(pod_containers: &[Value]) -> (Vec<Value>, Vec<Value>) {
    let mut mounts = Vec::new();
    let mut envs = Vec::new();
    for app in pod_containers.iter().filter(|c| !is_injected_sidecar(c)) {
        for mount in list(app, "volumeMounts") {
            mounts.push(go_values::volume_mount(mount));
            for name in sub_path_expr_env_names(str_field(mount, "subPathExpr")) {
                if let Some(env) = list(app, "env")
                    .iter()
                    .find(|e| str_field(e, "name") == name)
                {
                    envs.push(go_values::env_var(env));
                }
            }
        }
    }
    (mounts, envs)
}

/// The app containers' volume devices (injected sidecars skipped).
pub(super) fn shared_devices(pod_containers: &[Value]) -> Vec<Value> {
    pod_containers
        .iter()
        .filter(|c| !is_injected_sidecar(c))
        .flat_map(|app| {
            list(app, "volumeDevices")
                .iter()
                .map(go_values::volume_device)
        })
        .collect()
}

/// The names in `$(NAME)` references of a `subPathExpr`: Go's
/// `regexp.MustCompile(`\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)`).FindAllString`, leftmost matches,
/// non-overlapping.
fn sub_path_expr_env_names(expr: &str) -> Vec<&str> {
    let b = expr.as_bytes();
    let first = |c: u8| c.is_ascii_alphabetic() || matches!(c, b'-' | b'.' | b'_');
    let rest = |c: u8| first(c) || c.is_ascii_digit();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"$(") && b.get(i + 2).is_some_and(|c| first(*c)) {
            let start = i + 2;
            let mut end = start + 1;
            while b.get(end).is_some_and(|c| rest(*c)) {
                end += 1;
            }
            if b.get(end) == Some(&b')') {
                out.push(&expr[start..end]);
                i = end + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// `MergeVolumeMounts(container, additional)`: the container's own mounts, then each additional
/// mount whose `mountPath` is not used by an own mount, an own device's `devicePath`, or an
/// additional mount taken before.
pub(super) fn merge_volume_mounts(container: &Value, additional: Vec<Value>) -> Vec<Value> {
    let own = list(container, "volumeMounts");
    let mut used: HashSet<String> = own
        .iter()
        .map(|m| str_field(m, "mountPath"))
        .chain(
            list(container, "volumeDevices")
                .iter()
                .map(|d| str_field(d, "devicePath")),
        )
        .map(str::to_owned)
        .collect();
    let mut out = own.to_vec();
    for mount in additional {
        if used.insert(str_field(&mount, "mountPath").to_owned()) {
            out.push(mount);
        }
    }
    out
}

/// `MergeVolumeDevices(container, additional)`: the container's own devices, then each additional
/// device whose `devicePath` is not used by an own device, an own mount's `mountPath`, or an
/// additional device taken before.
pub(super) fn merge_volume_devices(container: &Value, additional: Vec<Value>) -> Vec<Value> {
    let own = list(container, "volumeDevices");
    let mut used: HashSet<String> = own
        .iter()
        .map(|d| str_field(d, "devicePath"))
        .chain(
            list(container, "volumeMounts")
                .iter()
                .map(|m| str_field(m, "mountPath")),
        )
        .map(str::to_owned)
        .collect();
    let mut out = own.to_vec();
    for device in additional {
        if used.insert(str_field(&device, "devicePath").to_owned()) {
            out.push(device);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{
        is_injected_sidecar, merge_volume_devices, merge_volume_mounts, shared_devices,
        shared_mounts_and_envs, sub_path_expr_env_names,
    };

    fn field<'a>(items: &'a [Value], key: &str) -> Vec<&'a str> {
        items.iter().filter_map(|v| v[key].as_str()).collect()
    }

    #[test]
    fn injected_sidecar_uses_first_is_injected_value() {
        assert!(is_injected_sidecar(
            &json!({"env": [{"name": "IS_INJECTED", "value": "true"}]})
        ));
        assert!(!is_injected_sidecar(&json!({"env": [
            {"name": "IS_INJECTED", "value": "false"}, {"name": "IS_INJECTED", "value": "true"}]})));
        assert!(!is_injected_sidecar(
            &json!({"env": [{"name": "X", "value": "true"}]})
        ));
    }

    #[test]
    fn sub_path_expr_regex() {
        assert_eq!(
            sub_path_expr_env_names("foo/$(ODD_NAME)/$(POD_NAME)"),
            ["ODD_NAME", "POD_NAME"]
        );
        assert_eq!(sub_path_expr_env_names("$(a.b-c)$($(x)"), ["a.b-c", "x"]);
        assert!(sub_path_expr_env_names("$(1A) $() $(A B) $(A").is_empty());
        assert_eq!(sub_path_expr_env_names("$(_1)"), ["_1"]);
    }

    #[test]
    fn shared_mounts_skip_injected_sidecars_and_copy_sub_path_envs() {
        let pod = vec![
            json!({"name": "sidecar", "env": [{"name": "IS_INJECTED", "value": "true"}],
                   "volumeMounts": [{"name": "s", "mountPath": "/s"}]}),
            json!({"name": "app", "env": [
                    {"name": "POD_NAME", "value": "first"}, {"name": "POD_NAME", "value": "second"}],
                   "volumeMounts": [
                    {"name": "a", "mountPath": "/a", "subPathExpr": "x/$(POD_NAME)/$(MISSING)"},
                    {"name": "b", "mountPath": "/b"}],
                   "volumeDevices": [{"name": "d", "devicePath": "/dev/d"}]}),
        ];
        let (mounts, envs) = shared_mounts_and_envs(&pod);
        assert_eq!(field(&mounts, "name"), ["a", "b"]);
        assert_eq!(envs, vec![json!({"name": "POD_NAME", "value": "first"})]);
        assert_eq!(field(&shared_devices(&pod), "name"), ["d"]);
    }

    #[test]
    fn merge_volume_mounts_skips_used_paths_including_device_paths() {
        let sidecar = json!({"volumeMounts": [{"name": "own", "mountPath": "/a"}],
                             "volumeDevices": [{"name": "dev", "devicePath": "/dev/x"}]});
        let merged = merge_volume_mounts(
            &sidecar,
            vec![
                json!({"name": "a2", "mountPath": "/a"}),
                json!({"name": "x", "mountPath": "/dev/x"}),
                json!({"name": "b", "mountPath": "/b"}),
                json!({"name": "b2", "mountPath": "/b"}),
            ],
        );
        assert_eq!(field(&merged, "name"), ["own", "b"]);
        assert!(merge_volume_mounts(&json!({}), Vec::new()).is_empty());
    }

    #[test]
    fn merge_volume_devices_skips_used_paths_including_mount_paths() {
        let sidecar = json!({"volumeMounts": [{"name": "m", "mountPath": "/dev/m"}],
                             "volumeDevices": [{"name": "own", "devicePath": "/dev/a"}]});
        let merged = merge_volume_devices(
            &sidecar,
            vec![
                json!({"name": "a2", "devicePath": "/dev/a"}),
                json!({"name": "m2", "devicePath": "/dev/m"}),
                json!({"name": "b", "devicePath": "/dev/b"}),
                json!({"name": "b2", "devicePath": "/dev/b"}),
            ],
        );
        assert_eq!(field(&merged, "name"), ["own", "b"]);
    }
}
