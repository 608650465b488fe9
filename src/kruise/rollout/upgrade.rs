//! Applying an upgrade to one pod: `sidecarset_processor.go:
//! updatePodSidecarAndHash, updatePodSidecarContainer, updatePodSidecarSetUpgradableCondition`,
//! `sidecarset_control.go: UpgradeSidecarContainer, UpdatePodAnnotationsInUpgrade`.
//!
//! In place, only images change: a sidecar whose other fields changed is not upgradable at all
//! (`IsSidecarSetUpgradable`, [`super::strategy`]).

use std::collections::BTreeMap;

use kruise_inject_kube::gojson;
use serde_json::Value;

use super::annotations::{
    self, INPLACE_UPDATE_STATE_ANNOTATION, InPlaceUpdateState, WORKING_CONTAINER_ANNOTATION,
    version_alt_annotation, version_annotation,
};
use super::hot_upgrade::{self, container_names, pod_hot_upgrade_containers};
use super::pod::{Condition, Pod, UPGRADABLE_CONDITION};
use super::status;
use crate::kruise::patch_metadata::{self, PatchMetadataError};
use crate::kruise::sidecarset::{SidecarContainer, SidecarSet};
use crate::kruise::timestamp;
use std::collections::BTreeSet;

/// The image changes the controller made in one pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodChanges {
    /// Index of the pod.
    pub pod: usize,
    /// The containers whose image changed (possibly none: the pod is then only marked updated).
    pub changes: Vec<ImageChange>,
}

/// One container image the controller changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageChange {
    /// The pod container.
    pub container: String,
    /// Its image before.
    pub from: String,
    /// Its image after.
    pub to: String,
}

/// `updatePodSidecarAndHash`: new sidecar images (and hot-upgrade annotations), the hash
/// annotation, the in-place update record, `patchPodMetadata`, then the `SidecarSetUpgradable`
/// condition entry `true`. `now` is RFC 3339.
///
/// A failing `MergePatchJson` patch fails the pod update as a whole: the pod is left unchanged.
pub fn upgrade_pod(
    ss: &SidecarSet,
    pod: &mut Pod,
    now: &str,
) -> Result<Vec<ImageChange>, PatchMetadataError> {
    let mut updated = pod.clone();
    let changes = update_pod_sidecar_container(ss, &mut updated, now);
    patch_metadata::apply(&mut updated.annotations, std::slice::from_ref(ss))?;
    *pod = updated;
    set_upgradable_condition(ss, pod, true, now);
    Ok(changes)
}

/// `updatePodSidecarContainer`: for each sidecar container in spec order, the new image goes to
/// the container (for hot upgrade, to the one [`container_to_hot_upgrade`] picks)
/// unless the image it would replace is already the new one; then `UpdatePodSidecarSetHash` and
/// `UpdatePodAnnotationsInUpgrade`.
pub fn update_pod_sidecar_container(ss: &SidecarSet, pod: &mut Pod, now: &str) -> Vec<ImageChange> {
    let mut changes = Vec::new();
    for sc in &ss.spec.containers {
        let hot = hot_upgrade::is_hot_upgrade(sc);
        let (target, compared) = if hot {
            container_to_hot_upgrade(ss, sc, pod)
        } else {
            (sc.name().to_owned(), sc.name().to_owned())
        };
        let Some(old_image) = pod.container(&compared).map(|c| c.image.clone()) else {
            continue;
        };
        if sc.image() == old_image {
            continue;
        }
        let Some(container) = pod.container_mut(&target) else {
            continue;
        };
        changes.push(ImageChange {
            container: target.clone(),
            from: std::mem::replace(&mut container.image, sc.image().to_owned()),
            to: sc.image().to_owned(),
        });
        if hot {
            let (c1, c2) = hot_upgrade::container_names(sc.name());
            let older = if target == c1 { c2 } else { c1 };
            let mut info = annotations::hot_upgrade_work_info(&pod.annotations);
            info.insert(sc.name().to_owned(), target.clone());
            let version = ss.resource_version.clone().unwrap_or_default();
            let older_version = pod
                .annotations
                .get(&version_annotation(&older))
                .cloned()
                .unwrap_or_default();
            let a = &mut pod.annotations;
            a.insert(
                WORKING_CONTAINER_ANNOTATION.to_owned(),
                annotations::encode_work_info(&info),
            );
            a.insert(version_annotation(&target), version.clone());
            a.insert(version_alt_annotation(&target), older_version);
            a.insert(version_alt_annotation(&older), version);
        }
    }
    annotations::update_pod_sidecarset_hash(&mut pod.annotations, ss, now);
    let names: Vec<String> = changes.iter().map(|c| c.container.clone()).collect();
    update_pod_annotations_in_upgrade(ss, &names, pod, now);
    changes
}

/// `UpdatePodAnnotationsInUpgrade` (`sidecarset_control.go`): the SidecarSet's entry of
/// `kruise.io/sidecarset-inplace-update-state` (created with the SidecarSet hash and `now`, or
/// reused as is) records the current status `imageID` of each changed container.
pub fn update_pod_annotations_in_upgrade(
    ss: &SidecarSet,
    changed: &[String],
    pod: &mut Pod,
    now: &str,
) {
    let mut states = pod
        .annotations
        .get(INPLACE_UPDATE_STATE_ANNOTATION)
        .filter(|t| !t.is_empty())
        .and_then(|t| {
            annotations::parse_inplace_update_state(t)
                .as_ref()
                .clone()
                .ok()
        })
        .unwrap_or_default();
    let state = states
        .entry(ss.name.clone())
        .or_insert_with(|| InPlaceUpdateState {
            revision: ss.hash().to_owned(),
            update_timestamp: Some(now.to_owned()),
            ..InPlaceUpdateState::default()
        });
    let last = state
        .last_container_statuses
        .get_or_insert_with(BTreeMap::new);
    for name in changed {
        let id = pod
            .container_status(name)
            .map_or(String::new(), |s| s.image_id.clone());
        last.insert(name.clone(), id);
    }
    pod.annotations.insert(
        INPLACE_UPDATE_STATE_ANNOTATION.to_owned(),
        annotations::encode_inplace_update_state(&states),
    );
}

/// `updatePodSidecarSetUpgradableCondition`: the `SidecarSetUpgradable` condition's message is a
/// JSON map SidecarSet → upgradable; the condition is `True` (`AllSidecarsetUpgradable`) only
/// when no entry is `false`, else `False` (`UpdateImmutableField`). An unreadable message makes
/// Kruise give up (the condition is left as it is).
pub fn set_upgradable_condition(ss: &SidecarSet, pod: &mut Pod, upgradable: bool, now: &str) {
    let old = pod.condition(UPGRADABLE_CONDITION);
    let mut kv = serde_json::Map::new();
    if let Some(message) = old.map(|c| c.message.as_str()).filter(|m| !m.is_empty()) {
        match serde_json::from_str::<Value>(message) {
            Ok(Value::Object(m)) => kv = m,
            Ok(Value::Null) => {}
            _ => return,
        }
    }
    kv.insert(ss.name.clone(), Value::Bool(upgradable));
    let all = !kv.values().any(|v| *v == Value::Bool(false));
    let (status, reason) = if all {
        ("True", "AllSidecarsetUpgradable")
    } else {
        ("False", "UpdateImmutableField")
    };
    let message = gojson::to_string_sorted(&Value::Object(kv));
    pod.set_condition(
        Condition::new(UPGRADABLE_CONDITION, status, reason, &message),
        timestamp::parse_rfc3339(now),
    );
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::status::tests::{pod, sidecarset};
    use super::*;
    use crate::kruise::sidecarset::HASH_ANNOTATION;

    const NOW: &str = "2024-01-01T00:00:00Z";

    #[test]
    fn cold_upgrade_changes_the_image_hash_and_state() {
        let ss = sidecarset(json!({}));
        let mut p = pod(&ss, 0);
        let changes = upgrade_pod(&ss, &mut p, NOW).expect("no patch");
        assert_eq!(
            changes,
            [ImageChange {
                container: "test-sidecar".into(),
                from: "test-image:v1".into(),
                to: "test-image:v2".into()
            }]
        );
        assert_eq!(
            p.container("test-sidecar").map(|c| c.image.as_str()),
            Some("test-image:v2")
        );
        assert_eq!(
            p.annotations[HASH_ANNOTATION],
            format!(
                r#"{{"test-sidecarset":{{"updateTimestamp":"{NOW}","hash":"{}","sidecarSetName":"test-sidecarset","sidecarList":["test-sidecar"],"controllerRevision":"{}"}}}}"#,
                ss.hash(),
                ss.latest_revision
            )
        );
        assert_eq!(
            p.annotations[INPLACE_UPDATE_STATE_ANNOTATION],
            format!(
                r#"{{"test-sidecarset":{{"revision":"{}","updateTimestamp":"{NOW}","lastContainerStatuses":{{"test-sidecar":{{"imageID":"{}"}}}}}}}}"#,
                ss.hash(),
                super::super::status::tests::V1_ID
            )
        );
        let c = p.condition(UPGRADABLE_CONDITION).expect("condition");
        assert_eq!(
            (c.status.as_str(), c.reason.as_str(), c.message.as_str()),
            (
                "True",
                "AllSidecarsetUpgradable",
                r#"{"test-sidecarset":true}"#
            )
        );
    }

    #[test]
    fn an_existing_state_entry_keeps_its_revision_and_time() {
        let ss = sidecarset(json!({}));
        let mut p = pod(&ss, 0);
        p.annotations.insert(
            INPLACE_UPDATE_STATE_ANNOTATION.into(),
            r#"{"test-sidecarset":{"revision":"old","updateTimestamp":"2020-01-01T00:00:00Z","lastContainerStatuses":{}}}"#.into(),
        );
        update_pod_annotations_in_upgrade(
            &ss,
            &["test-sidecar".into(), "gone".into()],
            &mut p,
            NOW,
        );
        assert_eq!(
            p.annotations[INPLACE_UPDATE_STATE_ANNOTATION],
            format!(
                r#"{{"test-sidecarset":{{"revision":"old","updateTimestamp":"2020-01-01T00:00:00Z","lastContainerStatuses":{{"gone":{{}},"test-sidecar":{{"imageID":"{}"}}}}}}}}"#,
                super::super::status::tests::V1_ID
            )
        );
    }

    #[test]
    fn no_image_change_still_updates_the_hash() {
        let ss = sidecarset(json!({}));
        let mut p = pod(&ss, 0);
        p.container_mut("test-sidecar").expect("sidecar").image = "test-image:v2".into();
        let changes = update_pod_sidecar_container(&ss, &mut p, NOW);
        assert!(changes.is_empty());
        assert!(super::super::status::is_pod_sidecar_updated(&ss, &p));
        assert!(
            p.annotations[INPLACE_UPDATE_STATE_ANNOTATION]
                .contains(r#""lastContainerStatuses":{}"#)
        );
    }

    #[test]
    fn not_upgradable_entries_make_the_condition_false() {
        let ss = sidecarset(json!({}));
        let mut p = pod(&ss, 0);
        p.set_condition(
            Condition::new(
                UPGRADABLE_CONDITION,
                "True",
                "AllSidecarsetUpgradable",
                r#"{"other":true}"#,
            ),
            Some(5),
        );
        set_upgradable_condition(&ss, &mut p, false, NOW);
        let c = p.condition(UPGRADABLE_CONDITION).expect("condition");
        assert_eq!(
            (
                c.status.as_str(),
                c.reason.as_str(),
                c.message.as_str(),
                c.last_transition_time
            ),
            (
                "False",
                "UpdateImmutableField",
                r#"{"other":true,"test-sidecarset":false}"#,
                Some(1_704_067_200)
            )
        );
        // Another SidecarSet's `false` keeps the condition False.
        let mut p = pod(&ss, 0);
        p.set_condition(
            Condition::new(
                UPGRADABLE_CONDITION,
                "False",
                "UpdateImmutableField",
                r#"{"other":false}"#,
            ),
            Some(5),
        );
        set_upgradable_condition(&ss, &mut p, true, NOW);
        let c = p.condition(UPGRADABLE_CONDITION).expect("condition");
        assert_eq!(
            (
                c.status.as_str(),
                c.message.as_str(),
                c.last_transition_time
            ),
            (
                "False",
                r#"{"other":false,"test-sidecarset":true}"#,
                Some(5)
            )
        );
    }

    #[test]
    fn a_failing_merge_patch_leaves_the_pod_unchanged() {
        let ss = crate::kruise::sidecarset::SidecarSet::from_value(&json!({
            "apiVersion": "apps.kruise.io/v1beta1", "kind": "SidecarSet",
            "metadata": {"name": "test-sidecarset"},
            "spec": {"selector": {"matchLabels": {"app": "sidecar"}},
                     "containers": [{"name": "test-sidecar", "image": "test-image:v2"}],
                     "patchPodMetadata": [{"annotations": {"k": "{\"a\":1}"}, "patchPolicy": "MergePatchJson"}]}
        }))
        .expect("valid");
        let mut p = pod(&ss, 0);
        p.annotations.insert("k".into(), "not json".into());
        let before = p.clone();
        assert!(upgrade_pod(&ss, &mut p, NOW).is_err());
        assert_eq!(p, before);
    }
}
