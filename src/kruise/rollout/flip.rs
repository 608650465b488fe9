//! The flip that empties the old container of a hot-upgrade pair once the new one runs (Kruise
//! v1.9 `pkg/controller/sidecarset/sidecarset_hotupgrade.go`: `flipPodSidecarContainerDo`,
//! `isPodSidecarInHotUpgrading`, `isHotUpgradingReady`).

use std::collections::BTreeSet;

use super::annotations::{version_alt_annotation, version_annotation};
use super::hot_upgrade::{is_hot_upgrade, pod_hot_upgrade_containers};
use super::pod::Pod;
use super::status;
use super::upgrade::{self, ImageChange};
use crate::kruise::sidecarset::SidecarSet;

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
/// update record (`UpdatePodAnnotationsInUpgrade`). The hash annotation is not touched.
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
