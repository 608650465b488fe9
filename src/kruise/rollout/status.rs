//! The status a SidecarSet reports (`sidecarset_processor.go: calculateStatus`) and the pod
//! predicates it is built from (`sidecarset_control.go: IsPodReady, IsPodStateConsistent`,
//! `IsSidecarContainerUpdateCompleted`; `util.go: IsPodSidecarUpdated, GetSidecarContainersInPod`).

use std::collections::{BTreeMap, BTreeSet};

use super::annotations::{self, INPLACE_UPDATE_STATE_ANNOTATION};
use super::hot_upgrade;
use super::image;
use super::pod::Pod;
use crate::kruise::sidecarset::{HASH_ANNOTATION, SidecarSet};

/// `status.matchedPods`, `updatedPods`, `readyPods`, `updatedReadyPods`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Status {
    /// Pods the SidecarSet manages (`getMatchingPods`).
    pub matched_pods: usize,
    /// Pods whose hash annotation carries the SidecarSet's current hash.
    pub updated_pods: usize,
    /// Pods whose sidecars run what the spec says and that are ready.
    pub ready_pods: usize,
    /// Pods both updated and ready.
    pub updated_ready_pods: usize,
}

/// `IsPodSidecarUpdated`: the pod's `kruise.io/sidecarset-hash` entry has the SidecarSet's hash.
pub fn is_pod_sidecar_updated(ss: &SidecarSet, pod: &Pod) -> bool {
    annotations::pod_upgrade_spec(&pod.annotations, HASH_ANNOTATION, &ss.name).hash == ss.hash()
}

/// `GetSidecarContainersInPod`: the pod container names of the SidecarSet's containers (a hot
/// upgrade container `c` is `c-1` and `c-2`), sorted.
pub fn sidecar_containers_in_pod(ss: &SidecarSet) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for c in &ss.spec.containers {
        if hot_upgrade::is_hot_upgrade(c) {
            let (c1, c2) = hot_upgrade::container_names(c.name());
            names.insert(c1);
            names.insert(c2);
        } else {
            names.insert(c.name().to_owned());
        }
    }
    names
}

/// `IsPodStateConsistent`: the kubelet runs what the spec says for the sidecar containers `names`
/// (all of the SidecarSet's when empty). Digest images are compared with the status `imageID`;
/// from the first non-digest image on, the in-place update record decides
/// ([`is_sidecar_container_update_completed`]).
pub fn is_pod_state_consistent(ss: &SidecarSet, pod: &Pod, names: &BTreeSet<String>) -> bool {
    if pod.containers.len() != pod.container_statuses.len() {
        return false;
    }
    let all;
    let names = if names.is_empty() {
        all = sidecar_containers_in_pod(ss);
        &all
    } else {
        names
    };
    // Go builds a map from the statuses: the last status of a name wins.
    let image_id = |name: &str| {
        pod.container_statuses
            .iter()
            .rev()
            .find(|s| s.name == name)
            .map(|s| {
                s.image_id
                    .split_once("://")
                    .map_or(s.image_id.as_str(), |(_, id)| id)
            })
    };
    let mut all_digest = true;
    for c in pod.containers.iter().filter(|c| names.contains(&c.name)) {
        if !image::is_digest(&c.image) {
            all_digest = false;
            break;
        }
        match image_id(&c.name) {
            Some(id) if image::equal(&c.image, id) => {}
            _ => return false,
        }
    }
    all_digest || is_sidecar_container_update_completed(pod, &[ss.name.as_str()], names)
}

/// `IsSidecarContainerUpdateCompleted`: false if a container of `containers` still reports the
/// `imageID` recorded before its in-place update while its spec image differs from the status
/// image (the kubelet has not restarted it yet). No record → true; unreadable record → false.
pub fn is_sidecar_container_update_completed(
    pod: &Pod,
    sidecarsets: &[&str],
    containers: &BTreeSet<String>,
) -> bool {
    let Some(text) = pod.annotations.get(INPLACE_UPDATE_STATE_ANNOTATION) else {
        return true;
    };
    let parsed = annotations::parse_inplace_update_state(text);
    let Ok(states) = &*parsed else {
        return false;
    };
    let mut sorted: Vec<&str> = sidecarsets.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut last: BTreeMap<&str, &str> = BTreeMap::new();
    for name in sorted {
        if let Some(statuses) = states
            .get(name)
            .and_then(|s| s.last_container_statuses.as_ref())
        {
            last.extend(statuses.iter().map(|(c, id)| (c.as_str(), id.as_str())));
        }
    }
    pod.container_statuses
        .iter()
        .filter(|cs| containers.contains(&cs.name))
        .all(|cs| {
            let spec_image = pod
                .containers
                .iter()
                .find(|c| c.name == cs.name)
                .map_or("", |c| c.image.as_str());
            !last
                .get(cs.name.as_str())
                .is_some_and(|old| *old == cs.image_id && spec_image != cs.image)
        })
}

/// `commonControl.IsPodReady`: every hot-upgrade sidecar's idle container runs the
/// `hotUpgradeEmptyImage` (when one is set), and the pod is Running and Ready.
pub fn is_pod_ready(ss: &SidecarSet, pod: &Pod) -> bool {
    if !pod.is_running_and_ready() {
        return false;
    }
    let mut empty: BTreeMap<String, &str> = BTreeMap::new();
    for c in ss
        .spec
        .containers
        .iter()
        .filter(|c| hot_upgrade::is_hot_upgrade(c))
    {
        let (_, other) = hot_upgrade::pod_hot_upgrade_containers(c.name(), pod);
        empty.insert(other, c.hot_upgrade_empty_image());
    }
    empty.is_empty()
        || pod.containers.iter().all(|c| match empty.get(&c.name) {
            Some(image) if !image.is_empty() => c.image == *image,
            _ => true,
        })
}

/// `calculateStatus` over the matched pods.
pub fn calculate_status<'a>(ss: &SidecarSet, pods: impl IntoIterator<Item = &'a Pod>) -> Status {
    let mut status = Status::default();
    for pod in pods {
        status.matched_pods += 1;
        let updated = is_pod_sidecar_updated(ss, pod);
        if updated {
            status.updated_pods += 1;
        }
        if is_pod_state_consistent(ss, pod, &BTreeSet::new()) && is_pod_ready(ss, pod) {
            status.ready_pods += 1;
            if updated {
                status.updated_ready_pods += 1;
            }
        }
    }
    status
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::{Value, json};

    pub(crate) const V1_ID: &str = "docker-pullable://test-image@sha256:a9286defaba7b3a519d585ba0e37d0b2cbee74ebfe590960b0b1d6a5e97d1e1d";
    pub(crate) const V2_ID: &str = "docker-pullable://test-image@sha256:f7988fb6c02e0ce69257d9bd9cf37ae20a60f1df7563c3a2a6abe24160306b8d";

    /// A SidecarSet with one cold-upgrade container `test-sidecar` (image `test-image:v2`), like
    /// `sidecarset_strategy_test.go: factorySidecarSet`.
    pub(crate) fn sidecarset(extra_strategy: Value) -> SidecarSet {
        let mut strategy = json!({});
        if let (Some(s), Some(extra)) = (strategy.as_object_mut(), extra_strategy.as_object()) {
            s.extend(extra.clone());
        }
        SidecarSet::from_value(&json!({
            "apiVersion": "apps.kruise.io/v1beta1", "kind": "SidecarSet",
            "metadata": {"name": "test-sidecarset", "resourceVersion": "22"},
            "spec": {"selector": {"matchLabels": {"app": "sidecar"}},
                     "containers": [{"name": "test-sidecar", "image": "test-image:v2"}],
                     "updateStrategy": strategy}
        }))
        .expect("valid SidecarSet")
    }

    /// A pod injected with `ss` at image `test-image:v1` (hash `aaa`, without-image hash equal to
    /// `ss`'s), Running and Ready, created at second `i` — `factoryPodsCommon`.
    pub(crate) fn pod(ss: &SidecarSet, i: usize) -> Pod {
        let value = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": format!("pod-{i}"), "namespace": "default",
                "labels": {"app": "sidecar"},
                "creationTimestamp": crate::kruise::timestamp::format_unix(1_700_000_000 + i as i64),
                "annotations": {
                    "kruise.io/sidecarset-injected-list": "test-sidecarset",
                    "kruise.io/sidecarset-hash": r#"{"test-sidecarset":{"hash":"aaa","sidecarList":["test-sidecar"]}}"#,
                    "kruise.io/sidecarset-hash-without-image": format!(
                        r#"{{"test-sidecarset":{{"hash":"{}","sidecarList":["test-sidecar"]}}}}"#,
                        ss.hash_without_image()),
                }
            },
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.15.1"},
                                    {"name": "test-sidecar", "image": "test-image:v1"}]},
            "status": {"phase": "Running",
                "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [
                    {"name": "nginx", "image": "nginx:1.15.1", "ready": true,
                     "imageID": "docker-pullable://nginx@sha256:a9286defaba7b3a519d585ba0e37d0b2cbee74ebfe590960b0b1d6a5e97d1e1d"},
                    {"name": "test-sidecar", "image": "test-image:v1", "imageID": V1_ID, "ready": true}]}
        });
        Pod::from_value(&value, "default").expect("valid pod")
    }

    /// `factoryPods(count, upgraded, upgradedAndReady)`: the first `upgraded` pods got the new
    /// image and hash from the controller, the first `ready` of those run it.
    pub(crate) fn pods(ss: &SidecarSet, count: usize, upgraded: usize, ready: usize) -> Vec<Pod> {
        let mut pods: Vec<Pod> = (0..count).map(|i| pod(ss, i)).collect();
        for p in pods.iter_mut().take(upgraded) {
            p.container_mut("test-sidecar").expect("sidecar").image = "test-image:v2".into();
            annotations::update_pod_sidecarset_hash(&mut p.annotations, ss, "2024-01-01T00:00:00Z");
            super::super::upgrade::update_pod_annotations_in_upgrade(
                ss,
                &["test-sidecar".to_owned()],
                p,
                "2024-01-01T00:00:00Z",
            );
        }
        for p in pods.iter_mut().take(ready) {
            let s = p.container_status_mut("test-sidecar").expect("status");
            s.image = "test-image:v2".into();
            s.image_id = V2_ID.into();
        }
        pods
    }

    #[test]
    fn status_counts_updated_and_ready_pods() {
        let ss = sidecarset(json!({}));
        let pods = pods(&ss, 10, 4, 3);
        assert_eq!(
            calculate_status(&ss, &pods),
            Status {
                matched_pods: 10,
                updated_pods: 4,
                ready_pods: 9,
                updated_ready_pods: 3
            }
        );
    }

    #[test]
    fn an_in_place_update_in_progress_is_not_consistent() {
        let ss = sidecarset(json!({}));
        let pods = pods(&ss, 2, 2, 1);
        assert!(is_pod_state_consistent(&ss, &pods[0], &BTreeSet::new()));
        assert!(!is_pod_state_consistent(&ss, &pods[1], &BTreeSet::new()));
        // Without the in-place update record the kubelet is trusted.
        let mut p = pods[1].clone();
        p.annotations.remove(INPLACE_UPDATE_STATE_ANNOTATION);
        assert!(is_pod_state_consistent(&ss, &p, &BTreeSet::new()));
        // An unreadable record is not.
        p.annotations
            .insert(INPLACE_UPDATE_STATE_ANNOTATION.into(), "{".into());
        assert!(!is_pod_state_consistent(&ss, &p, &BTreeSet::new()));
        // Fewer statuses than containers: not consistent.
        let mut p = pods[0].clone();
        p.container_statuses.pop();
        assert!(!is_pod_state_consistent(&ss, &p, &BTreeSet::new()));
    }

    #[test]
    fn digest_images_are_checked_against_the_image_id() {
        let ss = sidecarset(json!({}));
        let mut p = pod(&ss, 0);
        let digest = V2_ID.trim_start_matches("docker-pullable://");
        p.container_mut("test-sidecar").expect("sidecar").image = digest.into();
        assert!(
            !is_pod_state_consistent(&ss, &p, &BTreeSet::new()),
            "status runs v1"
        );
        p.container_status_mut("test-sidecar")
            .expect("status")
            .image_id = V2_ID.into();
        assert!(is_pod_state_consistent(&ss, &p, &BTreeSet::new()));
        p.container_status_mut("test-sidecar")
            .expect("status")
            .image_id = digest.into();
        assert!(
            is_pod_state_consistent(&ss, &p, &BTreeSet::new()),
            "no scheme prefix"
        );
        // With every sidecar image a digest, the imageID alone decides: an in-place record that
        // looks pending (same imageID, other status image) does not matter.
        p.annotations.insert(
            INPLACE_UPDATE_STATE_ANNOTATION.into(),
            format!(r#"{{"test-sidecarset":{{"revision":"r","updateTimestamp":null,"lastContainerStatuses":{{"test-sidecar":{{"imageID":"{digest}"}}}}}}}}"#),
        );
        let names = BTreeSet::from(["test-sidecar".to_owned()]);
        assert!(!is_sidecar_container_update_completed(
            &p,
            &["test-sidecarset"],
            &names
        ));
        assert!(is_pod_state_consistent(&ss, &p, &BTreeSet::new()));
    }

    #[test]
    fn an_unchanged_image_id_is_fine_when_the_status_image_is_the_spec_image() {
        let ss = sidecarset(json!({}));
        let mut pods = pods(&ss, 1, 1, 0);
        // The kubelet reports the new image with the old imageID (same image content).
        pods[0]
            .container_status_mut("test-sidecar")
            .expect("status")
            .image = "test-image:v2".into();
        assert!(is_pod_state_consistent(&ss, &pods[0], &BTreeSet::new()));
    }

    #[test]
    fn ready_needs_running_and_the_ready_condition() {
        let ss = sidecarset(json!({}));
        let mut p = pod(&ss, 0);
        assert!(is_pod_ready(&ss, &p));
        p.phase = "Pending".into();
        assert!(!is_pod_ready(&ss, &p));
        let mut p = pod(&ss, 0);
        p.conditions[0].status = "False".into();
        assert!(!is_pod_ready(&ss, &p));
    }
}
