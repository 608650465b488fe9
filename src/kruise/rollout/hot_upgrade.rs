//! Hot upgrade in the controller (§7.5 A and C): which of the pair `<c>-1`/`<c>-2` gets the new
//! image (`util_hotupgrade.go: findContainerToHotUpgrade`), and the flip that empties the old one
//! once the new one runs (`sidecarset_hotupgrade.go: flipPodSidecarContainerDo`,
//! `isPodSidecarInHotUpgrading`, `isHotUpgradingReady`).

use std::collections::BTreeSet;

use super::annotations::{self, version_alt_annotation, version_annotation};
use super::pod::Pod;
use super::status;
use super::upgrade::{self, ImageChange};
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

/// `findContainerToHotUpgrade`: `(to upgrade, other)`. A container running the empty image first
/// (`-1` before `-2`); else the one that is not ready (ready = status ready and consistent);
/// else the idle one of the working annotation.
pub fn container_to_hot_upgrade(
    ss: &SidecarSet,
    sidecar: &SidecarContainer,
    pod: &Pod,
) -> (String, String) {
    let (c1, c2) = container_names(sidecar.name());
    let image_of = |name: &str| {
        pod.containers
            .iter()
            .find(|c| c.name == name)
            .map_or("", |c| c.image.as_str())
    };
    let empty = sidecar.hot_upgrade_empty_image();
    if image_of(&c1) == empty {
        return (c1, c2);
    }
    if image_of(&c2) == empty {
        return (c2, c1);
    }
    let ready = |name: &str| {
        pod.container_status(name).is_some_and(|s| s.ready)
            && status::is_pod_state_consistent(ss, pod, &BTreeSet::from([name.to_owned()]))
    };
    match (ready(&c1), ready(&c2)) {
        (true, false) => (c2, c1),
        (false, true) => (c1, c2),
        _ => {
            let (working, other) = pod_hot_upgrade_containers(sidecar.name(), pod);
            (other, working)
        }
    }
}

/// `isPodSidecarInHotUpgrading`: some hot-upgrade sidecar's idle container does not run the empty
/// image.
pub fn is_pod_sidecar_in_hot_upgrading(ss: &SidecarSet, pod: &Pod) -> bool {
    ss.spec
        .containers
        .iter()
        .filter(|c| is_hot_upgrade(c))
        .any(|c| {
            let (_, other) = pod_hot_upgrade_containers(c.name(), pod);
            let image = pod
                .containers
                .iter()
                .find(|pc| pc.name == other)
                .map_or("", |pc| pc.image.as_str());
            image != c.hot_upgrade_empty_image()
        })
}

/// `isHotUpgradingReady`: the pod is Running and Ready, or every container except the idle ones
/// is ready.
pub fn is_hot_upgrading_ready(ss: &SidecarSet, pod: &Pod) -> bool {
    if pod.is_running_and_ready() {
        return true;
    }
    let idle: BTreeSet<String> = ss
        .spec
        .containers
        .iter()
        .filter(|c| is_hot_upgrade(c))
        .map(|c| pod_hot_upgrade_containers(c.name(), pod).1)
        .collect();
    pod.container_statuses
        .iter()
        .filter(|s| !idle.contains(&s.name))
        .all(|s| s.ready)
}

/// Reconcile step 7's filter: the pod is hot upgrading, its sidecars other than the idle ones
/// run their spec, and it is ready enough ([`is_hot_upgrading_ready`]).
pub fn needs_flip(ss: &SidecarSet, pod: &Pod) -> bool {
    let mut names = status::sidecar_containers_in_pod(ss);
    for c in ss.spec.containers.iter().filter(|c| is_hot_upgrade(c)) {
        names.remove(&pod_hot_upgrade_containers(c.name(), pod).1);
    }
    is_pod_sidecar_in_hot_upgrading(ss, pod)
        && status::is_pod_state_consistent(ss, pod, &names)
        && is_hot_upgrading_ready(ss, pod)
}

/// `flipPodSidecarContainerDo`: every idle container not running the empty image gets it; its
/// `version` annotation becomes `"0"` and the working one's `versionalt` too; then the in-place
/// update record (§7.6). The hash annotation is not touched.
pub fn flip(ss: &SidecarSet, pod: &mut Pod, now: &str) -> Vec<ImageChange> {
    let mut changes = Vec::new();
    for c in ss.spec.containers.iter().filter(|c| is_hot_upgrade(c)) {
        let (working, other) = pod_hot_upgrade_containers(c.name(), pod);
        let empty = c.hot_upgrade_empty_image();
        let Some(container) = pod.containers.iter_mut().find(|pc| pc.name == other) else {
            continue;
        };
        if container.image == empty {
            continue;
        }
        changes.push(ImageChange {
            container: other.clone(),
            from: std::mem::replace(&mut container.image, empty.to_owned()),
            to: empty.to_owned(),
        });
        pod.annotations
            .insert(version_annotation(&other), "0".to_owned());
        pod.annotations
            .insert(version_alt_annotation(&working), "0".to_owned());
    }
    let names: Vec<String> = changes.iter().map(|c| c.container.clone()).collect();
    upgrade::update_pod_annotations_in_upgrade(ss, &names, pod, now);
    changes
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::kruise::sidecarset::SidecarSet;

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
