//! The hot-upgrade container pair `<c>-1`/`<c>-2` as the controller names and reads it (Kruise
//! v1.9 `pkg/control/sidecarcontrol/util_hotupgrade.go`: `IsHotUpgradeContainer`,
//! `GetHotUpgradeContainerName`, `GetPodHotUpgradeContainers`). Which of the two gets the new
//! image is [`super::upgrade::container_to_hot_upgrade`]; the flip is [`super::flip`].

use super::annotations;
use super::pod::Pod;
use crate::kruise::sidecarset::{SidecarContainer, SidecarSet};

/// `IsHotUpgradeContainer`.
pub fn is_hot_upgrade(c: &SidecarContainer) -> bool {
    c.upgrade_type() == "HotUpgrade"
}

/// `GetHotUpgradeContainerName`: `(<name>-1, <name>-2)`.
pub fn container_names(name: &str) -> (String, String) {
    (format!("{name}-1"), format!("{name}-2"))
}

/// True if any container of the SidecarSet is hot-upgraded.
pub fn has_hot_upgrade_container(ss: &SidecarSet) -> bool {
    ss.spec.containers.iter().any(is_hot_upgrade)
}

/// `GetPodHotUpgradeContainers`: `(working, other)`; the working one is `-1` only if the
/// annotation says so, else `-2`.
pub fn pod_hot_upgrade_containers(sidecar: &str, pod: &Pod) -> (String, String) {
    let info = annotations::hot_upgrade_work_info(&pod.annotations);
    let (c1, c2) = container_names(sidecar);
    if info.get(sidecar) == Some(&c1) {
        (c1, c2)
    } else {
        (c2, c1)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::kruise::rollout::flip::{flip, is_pod_sidecar_in_hot_upgrading, needs_flip};
    use crate::kruise::rollout::upgrade::container_to_hot_upgrade;

    fn ss() -> SidecarSet {
        SidecarSet::from_value(&json!({
            "apiVersion": "apps.kruise.io/v1beta1", "kind": "SidecarSet",
            "metadata": {"name": "mesh", "resourceVersion": "7"},
            "spec": {"selector": {"matchLabels": {"app": "a"}},
                     "containers": [{"name": "envoy", "image": "envoy:3",
                        "upgradeStrategy": {"upgradeType": "HotUpgrade", "hotUpgradeEmptyImage": "empty:1"}}]}
        }))
        .expect("valid")
    }

    /// A pod whose `envoy-1`/`envoy-2` run these images with these ready flags; `working` is the
    /// working-container annotation value.
    fn pod(images: [&str; 2], ready: [bool; 2], working: &str) -> Pod {
        Pod::from_value(
            &json!({"metadata": {"name": "p", "annotations": {
                        "kruise.io/sidecarset-working-hotupgrade-container": format!(r#"{{"envoy":"{working}"}}"#)}},
                    "spec": {"containers": [{"name": "envoy-1", "image": images[0]},
                                            {"name": "envoy-2", "image": images[1]}]},
                    "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                        "containerStatuses": [
                            {"name": "envoy-1", "image": images[0], "ready": ready[0]},
                            {"name": "envoy-2", "image": images[1], "ready": ready[1]}]}}),
            "default",
        )
        .expect("pod")
    }

    fn slot(p: &Pod) -> (String, String) {
        let ss = ss();
        container_to_hot_upgrade(&ss, &ss.spec.containers[0], p)
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    /// `findContainerToHotUpgrade`: the empty container first, then the not-ready one, then the
    /// idle one of the annotation.
    #[test]
    fn slot_choice() {
        assert_eq!(
            slot(&pod(["empty:1", "envoy:1"], [true, true], "envoy-2")),
            pair("envoy-1", "envoy-2")
        );
        assert_eq!(
            slot(&pod(["envoy:1", "empty:1"], [true, true], "envoy-1")),
            pair("envoy-2", "envoy-1")
        );
        // Both empty: -1 first.
        assert_eq!(
            slot(&pod(["empty:1", "empty:1"], [true, true], "envoy-2")),
            pair("envoy-1", "envoy-2")
        );
        // Neither empty (a flip not done yet): the one that is not ready.
        assert_eq!(
            slot(&pod(["envoy:1", "envoy:2"], [true, false], "envoy-2")),
            pair("envoy-2", "envoy-1")
        );
        assert_eq!(
            slot(&pod(["envoy:1", "envoy:2"], [false, true], "envoy-1")),
            pair("envoy-1", "envoy-2")
        );
        // Both ready (or both not): the idle one.
        assert_eq!(
            slot(&pod(["envoy:1", "envoy:2"], [true, true], "envoy-2")),
            pair("envoy-1", "envoy-2")
        );
        assert_eq!(
            slot(&pod(["envoy:1", "envoy:2"], [false, false], "envoy-1")),
            pair("envoy-2", "envoy-1")
        );
        // No (or an unreadable) annotation: -2 counts as working.
        assert_eq!(
            slot(&pod(["envoy:1", "envoy:2"], [true, true], "x")),
            pair("envoy-1", "envoy-2")
        );
    }

    #[test]
    fn flip_empties_the_idle_container() {
        let ss = ss();
        let mut p = pod(["envoy:2", "envoy:3"], [true, true], "envoy-2");
        assert!(is_pod_sidecar_in_hot_upgrading(&ss, &p));
        assert!(needs_flip(&ss, &p));
        let changes = flip(&ss, &mut p, "2024-01-01T00:00:00Z");
        assert_eq!(changes.len(), 1);
        assert_eq!(
            p.container("envoy-1").map(|c| c.image.as_str()),
            Some("empty:1")
        );
        assert_eq!(p.annotations["version.sidecarset.kruise.io/envoy-1"], "0");
        assert_eq!(
            p.annotations["versionalt.sidecarset.kruise.io/envoy-2"],
            "0"
        );
        assert!(!is_pod_sidecar_in_hot_upgrading(&ss, &p));
        // Not flipped while the new container is not ready (and the pod not ready either).
        let mut p = pod(["envoy:2", "envoy:3"], [true, false], "envoy-2");
        p.conditions[0].status = "False".into();
        assert!(!needs_flip(&ss, &p));
    }
}
