//! What the pod webhook adds to a pod, as a [`crate::kruise::pod::PodPatch`].
//!
//! [`inject`] follows `pkg/webhook/pod/mutating/sidecarset.go: sidecarsetMutatingPod` and
//! `buildSidecars` for a pod CREATE: `patchPodMetadata` first, then per SidecarSet and sidecar
//! container the shared volumes (`share_volume`), transferred env (`transfer_env`), the
//! SidecarSet volumes it mounts, `IS_INJECTED=true`, hot upgrade (`hot_upgrade`); then the
//! merges into the pod's lists (`merge`) and the annotations (`upgrade_spec`).
//!
//! One deliberate difference from the cluster, so that rendering rendered output changes nothing:
//! when the pod already has a `kruise.io/sidecarset-hash` (or `-without-image`) entry for a
//! SidecarSet with the same `hash`, `sidecarSetName`, `sidecarList` and `controllerRevision`, its
//! `updateTimestamp` is kept instead of being replaced by the injection time.

pub mod calculator;
mod container;
mod go_values;
pub(crate) mod hot_upgrade;
mod merge;
pub mod resources_policy;
mod share_volume;
mod transfer_env;
pub(crate) mod upgrade_spec;

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde_json::Value;

use self::container::{list, set_field, set_list, str_field};
use self::merge::Injected;
use self::upgrade_spec::UpgradeSpec;
use crate::kruise::features::FeatureGates;
use crate::kruise::patch_metadata::{self, PatchMetadataError};
use crate::kruise::pod::{PodPatch, PodView};
use crate::kruise::sidecarset::{
    HASH_ANNOTATION, HASH_WITHOUT_IMAGE_ANNOTATION, SidecarContainer, SidecarSet,
};

pub use self::hot_upgrade::{
    WORKING_CONTAINER_ANNOTATION, version_alt_annotation, version_annotation,
};

/// Pod annotation listing the injected SidecarSets (sorted, comma-joined).
pub const INJECTED_LIST_ANNOTATION: &str = "kruise.io/sidecarset-injected-list";

/// Env var marking an injected container.
pub const IS_INJECTED_ENV: &str = "IS_INJECTED";

/// Why injection fails: in each case Kruise's webhook rejects the pod.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InjectError {
    /// A `patchPodMetadata` `MergePatchJson` entry could not be applied.
    #[error(transparent)]
    PatchMetadata(#[from] PatchMetadataError),
    /// A hash annotation on the pod is neither the current nor the legacy format.
    #[error(
        "pod annotation {key} cannot be read ({detail}): Kruise rejects the pod; fix or remove the annotation"
    )]
    InvalidHashAnnotation {
        /// The annotation key.
        key: String,
        /// What is wrong.
        detail: String,
    },
    /// A pod annotation Kruise decodes into a map is JSON `null`; the webhook then fails writing
    /// into the nil map.
    #[error(
        "pod annotation {key} is JSON null: Kruise fails on it (it writes into a nil map); remove the annotation"
    )]
    NullAnnotation {
        /// The annotation key.
        key: String,
    },
    /// `resourcesPolicy` (`sidecarset_resources.go: applyResourcesPolicy`) fails for this pod (or
    /// cannot be computed exactly).
    #[error(
        "SidecarSet {sidecar_set}: container {container}: resourcesPolicy: {source}{}",
        resources_policy_advice(source)
    )]
    ResourcesPolicy {
        /// SidecarSet name.
        sidecar_set: String,
        /// Sidecar container name.
        container: String,
        /// What fails.
        source: Box<resources_policy::ResourcesPolicyError>,
    },
    /// The injection time is not an RFC 3339 time.
    #[error("injection timestamp {0:?} is not an RFC 3339 time such as 2024-01-01T00:00:00Z")]
    InvalidTimestamp(String),
}

/// What to do about a `resourcesPolicy` failure (nothing to add when kruise-inject cannot tell).
fn resources_policy_advice(source: &resources_policy::ResourcesPolicyError) -> &'static str {
    use resources_policy::ResourcesPolicyError as E;
    match source {
        E::UnsupportedRegex { .. }
        | E::Expression {
            source: calculator::CalcError::Unreproducible(_),
            ..
        } => "",
        _ => ": Kruise rejects the pod; fix the resourcesPolicy or the pod's containers",
    }
}

impl InjectError {
    /// True when the error says kruise-inject cannot tell what Kruise does (rather than that Kruise
    /// rejects the pod).
    pub fn is_unknowable(&self) -> bool {
        match self {
            InjectError::ResourcesPolicy { source, .. } => {
                resources_policy_advice(source).is_empty()
            }
            _ => false,
        }
    }
}

/// The result of injecting SidecarSets into a pod.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Injection {
    /// The edit script for the pod.
    pub patch: PodPatch,
    /// What each SidecarSet put into the pod, in the order given to [`inject`].
    pub injected: Vec<InjectedSidecarSet>,
}

/// The containers one SidecarSet put into the pod, by the names they have there (hot-upgrade
/// sidecars as `<name>-1`, `<name>-2`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InjectedSidecarSet {
    /// SidecarSet name.
    pub name: String,
    /// Names in `spec.containers`, in SidecarSet order.
    pub containers: Vec<String>,
    /// Names in `spec.initContainers`, in SidecarSet order.
    pub init_containers: Vec<String>,
}

/// Injects `sidecarsets` (matched, revision-resolved, in injection order) into `pod` as the
/// webhook does on CREATE; `timestamp` (RFC 3339) is the `updateTimestamp` written for them;
/// `gates` are the Kruise installation's feature gates.
///
/// Annotations in the patch, each only if its value changes: the `patchPodMetadata` keys (in
/// SidecarSet, patch and key order), then `kruise.io/sidecarset-hash`, `-hash-without-image`,
/// `-injected-list`, then the hot-upgrade keys (sorted).
pub fn inject<S: Borrow<SidecarSet>>(
    pod: &PodView,
    sidecarsets: &[S],
    timestamp: &str,
    gates: &FeatureGates,
) -> Result<Injection, InjectError> {
    let now = crate::kruise::timestamp::normalize_metav1(timestamp)
        .map_err(|_| InjectError::InvalidTimestamp(timestamp.to_owned()))?;
    let mut annotations = pod.annotations.clone();
    let mut order = patch_metadata::apply(&mut annotations, sidecarsets)?;

    let spec_list = |key: &str| list(pod.spec, key);
    let ctx = PodCtx {
        annotations: &annotations,
        labels: &pod.labels,
        containers: spec_list("containers"),
        init_containers: spec_list("initContainers"),
        sidecar_names: sidecarsets
            .iter()
            .map(Borrow::borrow)
            .flat_map(|ss: &SidecarSet| ss.spec.init_containers.iter().chain(&ss.spec.containers))
            .map(SidecarContainer::name)
            .collect(),
    };
    let built = build_sidecars(&ctx, sidecarsets, now)?;

    let mut patch = PodPatch::default();
    if !(built.containers.is_empty() && built.init_containers.is_empty()) {
        let mut init_containers = built.init_containers;
        init_containers
            .sort_by(|a, b| str_field(&a.container, "name").cmp(str_field(&b.container, "name")));
        patch.init_containers =
            merge::merge_sidecar_containers(spec_list("initContainers"), init_containers);
        let mut containers = built.containers;
        // kruise v1.9 `sidecarset.go: sidecarsetMutatingPod`: containers too are sorted (stably)
        // by name only with the alpha gate EnableSortSidecarContainerByName.
        if gates.sort_sidecar_containers_by_name() {
            containers.sort_by(|a, b| {
                str_field(&a.container, "name").cmp(str_field(&b.container, "name"))
            });
        }
        patch.containers = merge::merge_sidecar_containers(ctx.containers, containers);
        patch.volumes = merge::merge_volumes(spec_list("volumes"), built.volumes);
        patch.image_pull_secrets =
            merge::merge_secrets(spec_list("imagePullSecrets"), built.secrets);
        for (key, value) in built.annotations {
            annotations.insert(key.clone(), value);
            order.push(key);
        }
    }
    let mut seen = BTreeSet::new();
    for key in order {
        if !seen.insert(key.clone()) {
            continue;
        }
        if let Some(value) = annotations.get(&key)
            && pod.annotations.get(&key) != Some(value)
        {
            patch.annotations.push((key, value.clone()));
        }
    }
    Ok(Injection {
        patch,
        injected: built.report,
    })
}

/// What `buildSidecars` reads from the pod (after `patchPodMetadata`).
struct PodCtx<'a> {
    annotations: &'a BTreeMap<String, String>,
    labels: &'a BTreeMap<String, String>,
    /// `spec.containers` as given.
    containers: &'a [Value],
    /// `spec.initContainers` as given.
    init_containers: &'a [Value],
    /// The names of every sidecar of every SidecarSet being injected (`resourcesPolicy` never
    /// targets them).
    sidecar_names: HashSet<&'a str>,
}

/// What `buildSidecars` returns.
#[derive(Default)]
struct Built {
    containers: Vec<Injected>,
    init_containers: Vec<Injected>,
    secrets: Vec<Value>,
    volumes: Vec<Value>,
    /// Hash, hash-without-image, injected-list, then hot-upgrade annotations (sorted).
    annotations: Vec<(String, String)>,
    report: Vec<InjectedSidecarSet>,
}

/// `buildSidecars` (`sidecarset.go`) for a CREATE.
fn build_sidecars<S: Borrow<SidecarSet>>(
    pod: &PodCtx,
    sidecarsets: &[S],
    now: Option<String>,
) -> Result<Built, InjectError> {
    let mut hashes = parse_hash_annotation(pod, HASH_ANNOTATION)?;
    let mut hashes_without_image = parse_hash_annotation(pod, HASH_WITHOUT_IMAGE_ANNOTATION)?;
    let mut work_info = hot_upgrade::parse_work_info(
        pod.annotations
            .get(WORKING_CONTAINER_ANNOTATION)
            .map(String::as_str),
    );
    let mut names: BTreeSet<String> = match pod.annotations.get(INJECTED_LIST_ANNOTATION) {
        Some(list) if !list.is_empty() => list.split(',').map(str::to_owned).collect(),
        _ => BTreeSet::new(),
    };
    let mut hot_annotations = BTreeMap::new();
    let mut built = Built::default();

    for ss in sidecarsets.iter().map(Borrow::borrow) {
        names.insert(ss.name.clone());
        let volumes: HashMap<&str, &Value> = ss
            .spec
            .volumes
            .iter()
            .map(|v| (str_field(v, "name"), v))
            .collect();
        let mut report = InjectedSidecarSet {
            name: ss.name.clone(),
            ..InjectedSidecarSet::default()
        };
        let mut sidecar_list = BTreeSet::new();
        let mut is_injecting = false;

        for (sc, is_init) in ss
            .spec
            .init_containers
            .iter()
            .map(|sc| (sc, true))
            .chain(ss.spec.containers.iter().map(|sc| (sc, false)))
        {
            let native = sc.restart_policy() == "Always";
            if !is_init || native {
                sidecar_list.insert(sc.name().to_owned());
            }
            let container = build_container(ss, sc, pod, &volumes, &mut built.volumes)?;
            is_injecting = true;
            let hot = sc.upgrade_type() == "HotUpgrade" && (!is_init || native);
            let out = if hot {
                hot_upgrade::inject(&container, sc, &mut work_info, &mut hot_annotations)
                    .ok_or_else(|| InjectError::NullAnnotation {
                        key: WORKING_CONTAINER_ANNOTATION.to_owned(),
                    })?
                    .map(Arc::new)
                    .to_vec()
            } else {
                vec![container]
            };
            for container in out {
                let (report_names, target) = if is_init {
                    (&mut report.init_containers, &mut built.init_containers)
                } else {
                    (&mut report.containers, &mut built.containers)
                };
                report_names.push(str_field(&container, "name").to_owned());
                target.push(Injected {
                    container,
                    pod_inject_policy: sc.pod_inject_policy().to_owned(),
                });
            }
        }
        built
            .secrets
            .extend(ss.spec.image_pull_secrets.iter().cloned());

        if is_injecting {
            let sidecar_list: Vec<String> = sidecar_list.into_iter().collect();
            let with_image = UpgradeSpec {
                update_timestamp: now.clone(),
                hash: ss.hash().to_owned(),
                sidecar_set_name: ss.name.clone(),
                sidecar_list: Some(sidecar_list.clone()),
                controller_revision: ss.latest_revision.clone(),
            };
            let without_image = UpgradeSpec {
                hash: ss.hash_without_image().to_owned(),
                controller_revision: String::new(),
                ..with_image.clone()
            };
            record(&mut hashes, HASH_ANNOTATION, &ss.name, with_image)?;
            record(
                &mut hashes_without_image,
                HASH_WITHOUT_IMAGE_ANNOTATION,
                &ss.name,
                without_image,
            )?;
        }
        built.report.push(report);
    }

    built.annotations = vec![
        (
            HASH_ANNOTATION.to_owned(),
            upgrade_spec::encode(hashes.as_ref()),
        ),
        (
            HASH_WITHOUT_IMAGE_ANNOTATION.to_owned(),
            upgrade_spec::encode(hashes_without_image.as_ref()),
        ),
        (
            INJECTED_LIST_ANNOTATION.to_owned(),
            names.into_iter().collect::<Vec<_>>().join(","),
        ),
    ];
    built.annotations.extend(hot_annotations);
    Ok(built)
}

/// The pod's hash annotation as `buildSidecars` reads it; absent or empty → an empty map.
fn parse_hash_annotation(
    pod: &PodCtx,
    key: &str,
) -> Result<Option<BTreeMap<String, UpgradeSpec>>, InjectError> {
    match pod.annotations.get(key) {
        Some(text) if !text.is_empty() => {
            upgrade_spec::parse(text).map_err(|detail| InjectError::InvalidHashAnnotation {
                key: key.to_owned(),
                detail,
            })
        }
        _ => Ok(Some(BTreeMap::new())),
    }
}

/// Stores a SidecarSet's new entry, keeping the existing `updateTimestamp` when nothing else
/// changed (see the module documentation).
fn record(
    map: &mut Option<BTreeMap<String, UpgradeSpec>>,
    key: &str,
    name: &str,
    mut entry: UpgradeSpec,
) -> Result<(), InjectError> {
    let map = map.as_mut().ok_or_else(|| InjectError::NullAnnotation {
        key: key.to_owned(),
    })?;
    if let Some(existing) = map.get(name)
        && existing.same_content(&entry)
    {
        entry
            .update_timestamp
            .clone_from(&existing.update_timestamp);
    }
    map.insert(name.to_owned(), entry);
    Ok(())
}

/// One sidecar container as injected (before hot-upgrade duplication), shared by every pod when
/// nothing in it depends on the pod (no `shareVolumePolicy`, `shareVolumeDevicePolicy` or
/// `transferEnv`); the SidecarSet volumes it uses are appended to `volumes_out`.
fn build_container(
    ss: &SidecarSet,
    sc: &SidecarContainer,
    pod: &PodCtx,
    volumes: &HashMap<&str, &Value>,
    volumes_out: &mut Vec<Value>,
) -> Result<Arc<Value>, InjectError> {
    // `applyResourcesPolicy` runs first (at pod creation, for init containers and containers).
    let resources = match sc.spec.get("resourcesPolicy").filter(|v| v.is_object()) {
        Some(policy) => Some(
            resources_policy::apply(
                policy,
                pod.init_containers,
                pod.containers,
                &pod.sidecar_names,
            )
            .map_err(|source| InjectError::ResourcesPolicy {
                sidecar_set: ss.name.clone(),
                container: sc.name().to_owned(),
                source: Box::new(source),
            })?,
        ),
        None => None,
    };
    for item in list(&sc.spec, "volumeMounts")
        .iter()
        .chain(list(&sc.spec, "volumeDevices"))
    {
        // A volume missing from the SidecarSet is skipped (Kruise ≥ 1.9 logs a warning).
        if let Some(volume) = volumes.get(str_field(item, "name")) {
            volumes_out.push((*volume).clone());
        }
    }
    let shares_volumes = sc.share_volume_policy_enabled();
    let shares_devices = sc.share_volume_device_policy_enabled();
    let transfers_env = !list(&sc.spec, "transferEnv").is_empty();
    if !shares_volumes && !shares_devices && !transfers_env && resources.is_none() {
        return Ok(sc.memo(|| injected_container(sc, Vec::new(), Vec::new(), Vec::new())));
    }
    let (shared_mounts, sub_path_envs) = if shares_volumes {
        share_volume::shared_mounts_and_envs(pod.containers)
    } else {
        (Vec::new(), Vec::new())
    };
    let transferred = transfer_env::merge_env_vars(
        transfer_env::transfer_envs(
            &sc.transfer_env(),
            pod.containers,
            pod.annotations,
            pod.labels,
        ),
        sub_path_envs,
    );
    let shared_devices = if shares_devices {
        share_volume::shared_devices(pod.containers)
    } else {
        Vec::new()
    };
    let mut container = injected_container(sc, shared_mounts, transferred, shared_devices);
    if let (Some(resources), Some(obj)) = (resources, container.as_object_mut()) {
        // The computed `resources` replaces the sidecar's whole ResourceRequirements.
        set_field(obj, "resources", resources);
    }
    Ok(Arc::new(container))
}

/// The container of `sc` with the pod's shared volume mounts, transferred and subPathExpr env,
/// `IS_INJECTED=true` and shared volume devices.
fn injected_container(
    sc: &SidecarContainer,
    shared_mounts: Vec<Value>,
    transferred: Vec<Value>,
    shared_devices: Vec<Value>,
) -> Value {
    let mut c = sc.container();
    // Merging nothing into a non-empty list leaves it as it is (an empty one is dropped).
    if !shared_mounts.is_empty() || list(&c, "volumeMounts").is_empty() {
        let mounts = share_volume::merge_volume_mounts(&c, shared_mounts);
        if let Some(obj) = c.as_object_mut() {
            set_list(obj, "volumeMounts", mounts);
        }
    }
    if let Some(obj) = c.as_object_mut() {
        let mut env = match obj.get_mut("env") {
            Some(Value::Array(own)) => std::mem::take(own),
            _ => Vec::new(),
        };
        env.push(container::env_value(IS_INJECTED_ENV, "true"));
        let env = transfer_env::merge_env_vars(env, transferred);
        set_field(obj, "env", Value::Array(env));
    }
    if !shared_devices.is_empty() || list(&c, "volumeDevices").is_empty() {
        let devices = share_volume::merge_volume_devices(&c, shared_devices);
        if let Some(obj) = c.as_object_mut() {
            set_list(obj, "volumeDevices", devices);
        }
    }
    c
}

#[cfg(test)]
mod tests;
