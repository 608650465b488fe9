//! The SidecarSet (`apis/apps/v1beta1/sidecarset_types.go`): reading `apps.kruise.io/v1alpha1` and
//! `v1beta1` objects, converting v1alpha1 to v1beta1, defaulting as Kruise's mutating webhook
//! stores it, and its hashes and ControllerRevision name.
//!
//! [`SidecarSet::from_value`] runs, in order: decoding (Go `encoding/json` rules: `null` is empty,
//! unknown fields are dropped, a wrong type is an error with its field path), the CRD structural
//! defaults the API server applies before admission, the v1alpha1 → v1beta1 conversion
//! (`ConvertTo`), the mutating webhook's defaulting (`SetDefaultsSidecarSetV1beta1`) and hashing
//! (`hash.go`), and the ControllerRevision name the controller would record
//! (`history_control.go: NewRevision`).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value, json};

use kruise_inject_kube::{defaults, gojson, hashing, schema};

use crate::kruise::controller_revision::{RevisionStatus, register_latest_revision};
use crate::kruise::decode;
use crate::kruise::selector::{LabelSelector, NAMESPACE_NAME_LABEL};

/// SidecarSet annotation holding the hash of its containers (`SetHashSidecarSetV1beta1`).
pub const HASH_ANNOTATION: &str = "kruise.io/sidecarset-hash";
/// SidecarSet annotation holding the hash of its containers without images
/// (`SetHashSidecarSetV1beta1`).
pub const HASH_WITHOUT_IMAGE_ANNOTATION: &str = "kruise.io/sidecarset-hash-without-image";
/// Annotation marking a canary SidecarSet (`IsCanarySidecarSet`); value exactly `"true"`.
pub const CANARY_ANNOTATION: &str = "apps.kruise.io/sidecarset-canary";
/// Annotation naming the base SidecarSet of a canary (`IsCanarySidecarSet`).
pub const CANARY_BASE_ANNOTATION: &str = "apps.kruise.io/sidecarset-base";
/// v1alpha1 SidecarSet label (and ControllerRevision label) carrying the custom version
/// (`SidecarSetCustomVersionLabel`).
pub const CUSTOM_VERSION_LABEL: &str = "apps.kruise.io/sidecarset-custom-version";

const API_GROUP: &str = "apps.kruise.io";

/// A SidecarSet as Kruise stores it: converted to v1beta1, defaulted, with its hashes computed.
#[derive(Debug, Clone, PartialEq)]
pub struct SidecarSet {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.labels` (after conversion: without `apps.kruise.io/sidecarset-custom-version`).
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations` as given, plus the two hash annotations as Kruise computes them.
    pub annotations: BTreeMap<String, String>,
    /// `metadata.resourceVersion`, if given (hot upgrade writes it into pod annotations).
    pub resource_version: Option<String>,
    /// The defaulted v1beta1 spec.
    pub spec: SidecarSetSpec,
    /// `status.latestRevision` as Kruise would set it: the ControllerRevision name the controller
    /// registers for this spec ([`register_latest_revision`]; collision count 0 when the input has no
    /// `status`), or the restored revision's name for a historic revision (`restoreRevisionInfo`).
    pub latest_revision: String,
    /// `status.latestRevision` and `status.collisionCount` as given in the input.
    pub revision_status: RevisionStatus,
    /// Things a user should know about this object that do not stop rendering, e.g. a
    /// `kruise.io/sidecarset-hash` annotation in the input that differs from the computed hash
    /// (the cluster would rewrite it).
    pub warnings: Vec<String>,
}

/// The v1beta1 `SidecarSetSpec` after defaulting (`SetDefaultsSidecarSetV1beta1`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SidecarSetSpec {
    /// `selector`.
    pub selector: Option<LabelSelector>,
    /// `namespaceSelector` (v1alpha1 `namespace: X` converted to `kubernetes.io/metadata.name: X`).
    pub namespace_selector: Option<LabelSelector>,
    /// `initContainers`.
    pub init_containers: Vec<SidecarContainer>,
    /// `containers`.
    pub containers: Vec<SidecarContainer>,
    /// `volumes`, each normalized to Go field order and defaulted.
    pub volumes: Vec<Value>,
    /// `updateStrategy`.
    pub update_strategy: UpdateStrategy,
    /// `injectionStrategy`.
    pub injection_strategy: InjectionStrategy,
    /// `imagePullSecrets`, each `{"name": ...}`.
    pub image_pull_secrets: Vec<Value>,
    /// `revisionHistoryLimit` (default 10).
    pub revision_history_limit: i32,
    /// `patchPodMetadata`.
    pub patch_pod_metadata: Vec<PatchPodMetadata>,
    /// `customVersion` (v1alpha1: the `apps.kruise.io/sidecarset-custom-version` label).
    pub custom_version: Option<String>,
}

/// One `containers[]` or `initContainers[]` entry of a SidecarSet.
#[derive(Debug, Clone)]
pub struct SidecarContainer {
    /// The whole defaulted `SidecarContainer` in Go field order: `corev1.Container` fields, then
    /// `podInjectPolicy`, `upgradeStrategy`, `shareVolumePolicy`, ... This is the hash input.
    /// Not to be changed once the container has been injected (see [`SidecarContainer::memo`]).
    pub spec: Value,
    /// The injected container when it is the same for every pod, built once.
    injected: OnceLock<Arc<Value>>,
}

impl PartialEq for SidecarContainer {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

/// `updateStrategy` (`SidecarSetUpdateStrategy`). Only the fields injection needs are typed; the
/// rest stay as values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateStrategy {
    /// `type`: `RollingUpdate` (default) or `NotUpdate`.
    pub kind: String,
    /// `paused`.
    pub paused: bool,
    /// `selector` (canary).
    pub selector: Option<LabelSelector>,
    /// `partition`: an int or a string (percent); default int 0.
    pub partition: Option<Value>,
    /// `maxUnavailable`: an int or a string; default int 1.
    pub max_unavailable: Option<Value>,
    /// `priorityStrategy`, as given.
    pub priority_strategy: Option<Value>,
    /// `scatterStrategy`: `(key, value)` terms.
    pub scatter_strategy: Vec<(String, String)>,
}

/// `injectionStrategy` (`SidecarSetInjectionStrategy`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InjectionStrategy {
    /// `paused`.
    pub paused: bool,
    /// `revision`.
    pub revision: Option<RevisionRef>,
}

/// `injectionStrategy.revision`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RevisionRef {
    /// `customVersion`.
    pub custom_version: Option<String>,
    /// `revisionName`.
    pub revision_name: Option<String>,
    /// `policy`: `Always` (default) or `Partial`.
    pub policy: String,
}

/// One `patchPodMetadata[]` entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatchPodMetadata {
    /// `annotations`.
    pub annotations: BTreeMap<String, String>,
    /// `patchPolicy`: `Retain` (default), `Overwrite`, `MergePatchJson`.
    pub patch_policy: String,
}

/// One `transferEnv[]` entry of a sidecar container (`TransferEnvVar`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransferEnvVar {
    /// `sourceContainerName`.
    pub source_container_name: String,
    /// `sourceContainerNameFrom.fieldRef.fieldPath`, when `sourceContainerNameFrom.fieldRef` is set
    /// (it then takes precedence over `source_container_name`).
    pub source_container_name_field_path: Option<String>,
    /// `envName`.
    pub env_name: String,
    /// `envNames`.
    pub env_names: Vec<String>,
}

/// A SidecarSet document Kruise would not accept, or that kruise-inject cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SidecarSetError {
    /// A field has the wrong type or an unusable value.
    #[error("{}{path}: {message}", sidecarset_prefix(.sidecarset))]
    Invalid {
        /// `metadata.name`, when known.
        sidecarset: Option<String>,
        /// Field path, e.g. `spec.containers[0].env`.
        path: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// Neither `spec.containers` nor `spec.initContainers` has an entry.
    #[error(
        "SidecarSet {name} defines no containers or initContainers: add at least one under spec.containers or spec.initContainers"
    )]
    NoContainers {
        /// `metadata.name`.
        name: String,
    },
    /// `spec.selector` is missing: Kruise's validating webhook rejects the SidecarSet
    /// (`spec.selector: Required value: no selector defined for SidecarSet`).
    #[error(
        "SidecarSet {name}: spec.selector: Required value: no selector defined for SidecarSet (Kruise rejects it): add spec.selector with the labels of the pods that get the sidecars"
    )]
    NoSelector {
        /// `metadata.name`.
        name: String,
    },
}

fn sidecarset_prefix(name: &Option<String>) -> String {
    match name {
        Some(n) => format!("SidecarSet {n}: "),
        None => String::new(),
    }
}

/// The two hashes of a SidecarSet spec (`hash.go`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashes {
    /// `kruise.io/sidecarset-hash`.
    pub hash: String,
    /// `kruise.io/sidecarset-hash-without-image`.
    pub without_image: String,
}

/// The API version a SidecarSet document was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApiVersion {
    V1alpha1,
    V1beta1,
}

impl SidecarSet {
    /// Reads a SidecarSet document (`apps.kruise.io/v1alpha1` or `v1beta1`) and returns it as
    /// Kruise stores it: converted to v1beta1 (`ConvertTo`), defaulted, with both hash annotations
    /// set (`SetHashSidecarSetV1beta1`) and `latest_revision` = its ControllerRevision name for
    /// collision count 0 (`NewRevision`).
    ///
    /// Errors: not a SidecarSet, missing `metadata.name`, a field of the wrong type, no containers
    /// at all, no `selector` (Kruise's validating webhook rejects the last two).
    pub fn from_value(doc: &Value) -> Result<SidecarSet, SidecarSetError> {
        let invalid = |name: Option<&str>, e: decode::FieldError| SidecarSetError::Invalid {
            sidecarset: name.map(str::to_owned),
            path: e.path,
            message: e.message,
        };
        let root = decode::object(doc, "")
            .map_err(|e| invalid(None, e))?
            .ok_or_else(|| {
                invalid(
                    None,
                    decode::FieldError::new("", "the document is empty: expected a SidecarSet"),
                )
            })?;
        let version = api_version(root).map_err(|e| invalid(None, e))?;
        let metadata = decode::member_object(root, "metadata", "")
            .map_err(|e| invalid(None, e))?
            .cloned()
            .unwrap_or_default();
        let name = decode::string(&metadata, "name", "metadata")
            .map_err(|e| invalid(None, e))?
            .unwrap_or_default();
        if name.is_empty() {
            return Err(invalid(
                None,
                decode::FieldError::new(
                    "metadata.name",
                    "a SidecarSet needs a name: set metadata.name",
                ),
            ));
        }
        let named = |e: decode::FieldError| invalid(Some(&name), e);
        let mut labels = decode::string_map(&metadata, "labels", "metadata").map_err(named)?;
        let mut annotations =
            decode::string_map(&metadata, "annotations", "metadata").map_err(named)?;
        let resource_version =
            decode::string(&metadata, "resourceVersion", "metadata").map_err(named)?;

        let mut raw_spec = root.get("spec").cloned().unwrap_or(Value::Null);
        apply_crd_defaults(&mut raw_spec);
        let parsed = parse_spec(&raw_spec, "spec", version).map_err(named)?;
        let mut spec = parsed.spec;
        let mut warnings = parsed.warnings;

        // `sidecarset_conversion.go: ConvertTo`.
        if version == ApiVersion::V1alpha1 {
            if let Some(ns) = parsed.namespace.filter(|ns| !ns.is_empty()) {
                if spec.namespace_selector.is_some() {
                    warnings.push(format!(
                        "SidecarSet {name}: spec.namespace and spec.namespaceSelector are both set; Kruise uses spec.namespace ({ns}) and ignores namespaceSelector"
                    ));
                }
                spec.namespace_selector = Some(LabelSelector {
                    match_labels: BTreeMap::from([(NAMESPACE_NAME_LABEL.to_owned(), ns)]),
                    match_expressions: Vec::new(),
                });
            }
            if let Some(v) = labels.remove(CUSTOM_VERSION_LABEL) {
                spec.custom_version = Some(v).filter(|v| !v.is_empty());
            }
        }

        if spec.containers.is_empty() && spec.init_containers.is_empty() {
            return Err(SidecarSetError::NoContainers { name });
        }
        if spec.selector.is_none() {
            return Err(SidecarSetError::NoSelector { name });
        }

        apply_webhook_defaults(&mut spec, parsed.revision_history_limit_set).map_err(named)?;

        let hashes = compute_hashes(&spec, parsed.containers_listed);
        for (key, value) in [
            (HASH_ANNOTATION, hashes.hash),
            (HASH_WITHOUT_IMAGE_ANNOTATION, hashes.without_image),
        ] {
            if let Some(old) = annotations.get(key).filter(|old| **old != value) {
                warnings.push(format!(
                    "SidecarSet {name}: annotation {key} is {old:?} in the input, but Kruise computes {value:?} for this spec; the cluster would rewrite it (the computed value is used)"
                ));
            }
            annotations.insert(key.to_owned(), value);
        }
        let revision_status = revision_status(root).map_err(named)?;
        let latest_revision =
            register_latest_revision(&name, &revision_data(&spec), &revision_status, []);

        Ok(SidecarSet {
            name,
            labels,
            annotations,
            resource_version,
            spec,
            latest_revision,
            revision_status,
            warnings,
        })
    }

    /// `annotations["kruise.io/sidecarset-hash"]` (empty if absent).
    pub fn hash(&self) -> &str {
        self.annotations
            .get(HASH_ANNOTATION)
            .map_or("", String::as_str)
    }

    /// `annotations["kruise.io/sidecarset-hash-without-image"]` (empty if absent).
    pub fn hash_without_image(&self) -> &str {
        self.annotations
            .get(HASH_WITHOUT_IMAGE_ANNOTATION)
            .map_or("", String::as_str)
    }

    /// True for a canary SidecarSet (`util.go: IsCanarySidecarSet`): annotation
    /// `apps.kruise.io/sidecarset-canary` exactly `"true"` and a non-empty
    /// `apps.kruise.io/sidecarset-base`.
    pub fn is_canary(&self) -> bool {
        self.annotations.get(CANARY_ANNOTATION).map(String::as_str) == Some("true")
            && self
                .annotations
                .get(CANARY_BASE_ANNOTATION)
                .is_some_and(|b| !b.is_empty())
    }

    /// The base SidecarSet's name, for a canary SidecarSet ([`SidecarSet::is_canary`]).
    pub fn canary_base(&self) -> Option<&str> {
        if self.is_canary() {
            self.annotations
                .get(CANARY_BASE_ANNOTATION)
                .map(String::as_str)
        } else {
            None
        }
    }
}

/// Both hashes of `spec` (`hash.go`), treating an empty `containers` list as absent (JSON `null`),
/// as a SidecarSet read back from the cluster or restored from a ControllerRevision has it.
pub fn spec_hashes(spec: &SidecarSetSpec) -> Hashes {
    compute_hashes(spec, false)
}

/// The text Kruise hashes (`encodeSidecarSetV1beta1`): `{"containers": [...]}` plus
/// `"initContainers"` when an init container has `restartPolicy: Always`; with `without_image`,
/// every `image` is dropped. `containers_listed`: the document had a `containers` list (possibly
/// empty, then `[]`, not `null`).
pub fn hash_input(spec: &SidecarSetSpec, containers_listed: bool, without_image: bool) -> String {
    let list = |cs: &[SidecarContainer]| {
        Value::Array(
            cs.iter()
                .map(|c| {
                    let mut v = c.spec.clone();
                    if without_image && let Some(obj) = v.as_object_mut() {
                        obj.shift_remove("image");
                    }
                    v
                })
                .collect(),
        )
    };
    let mut m = Map::new();
    let containers = if spec.containers.is_empty() && !containers_listed {
        Value::Null
    } else {
        list(&spec.containers)
    };
    m.insert("containers".to_owned(), containers);
    if spec
        .init_containers
        .iter()
        .any(|c| c.restart_policy() == "Always")
    {
        m.insert("initContainers".to_owned(), list(&spec.init_containers));
    }
    gojson::to_string(&Value::Object(m))
}

/// Both hashes of `spec`; `containers_listed`: see [`hash_input`].
pub(crate) fn compute_hashes(spec: &SidecarSetSpec, containers_listed: bool) -> Hashes {
    let hash = |text: String| hashing::safe_encode(&hashing::sha256_hex(text.as_bytes()));
    Hashes {
        hash: hash(hash_input(spec, containers_listed, false)),
        without_image: hash(hash_input(spec, containers_listed, true)),
    }
}

impl SidecarContainer {
    /// The entry `spec` (already defaulted).
    pub fn new(spec: Value) -> Self {
        SidecarContainer {
            spec,
            injected: OnceLock::new(),
        }
    }

    /// The container `build` makes from this entry alone, built on the first call and shared
    /// afterwards: injection calls it for containers whose injected form does not depend on the
    /// pod. (Debug builds check that `build` still gives the same value.)
    pub fn memo(&self, build: impl Fn() -> Value) -> Arc<Value> {
        let value = self.injected.get_or_init(|| Arc::new(build())).clone();
        debug_assert!(
            *value == build(),
            "SidecarContainer::spec changed after injection"
        );
        value
    }

    fn str_at(&self, path: &[&str]) -> &str {
        let mut v = &self.spec;
        for key in path {
            match v.get(key) {
                Some(next) => v = next,
                None => return "",
            }
        }
        v.as_str().unwrap_or("")
    }

    /// `name`.
    pub fn name(&self) -> &str {
        self.str_at(&["name"])
    }

    /// `image` (empty if unset).
    pub fn image(&self) -> &str {
        self.str_at(&["image"])
    }

    /// `podInjectPolicy` (`BeforeAppContainer`/`AfterAppContainer` after defaulting).
    pub fn pod_inject_policy(&self) -> &str {
        self.str_at(&["podInjectPolicy"])
    }

    /// `upgradeStrategy.upgradeType` (`ColdUpgrade`/`HotUpgrade` after defaulting).
    pub fn upgrade_type(&self) -> &str {
        self.str_at(&["upgradeStrategy", "upgradeType"])
    }

    /// `upgradeStrategy.hotUpgradeEmptyImage` (empty if unset).
    pub fn hot_upgrade_empty_image(&self) -> &str {
        self.str_at(&["upgradeStrategy", "hotUpgradeEmptyImage"])
    }

    /// `restartPolicy` (empty if unset; `Always` marks a native sidecar init container).
    pub fn restart_policy(&self) -> &str {
        self.str_at(&["restartPolicy"])
    }

    /// `shareVolumePolicy.type == "enabled"`.
    pub fn share_volume_policy_enabled(&self) -> bool {
        self.str_at(&["shareVolumePolicy", "type"]) == "enabled"
    }

    /// `shareVolumeDevicePolicy != nil && shareVolumeDevicePolicy.type == "enabled"`.
    pub fn share_volume_device_policy_enabled(&self) -> bool {
        self.str_at(&["shareVolumeDevicePolicy", "type"]) == "enabled"
    }

    /// `transferEnv`, in order.
    pub fn transfer_env(&self) -> Vec<TransferEnvVar> {
        let Some(items) = self.spec.get("transferEnv").and_then(Value::as_array) else {
            return Vec::new();
        };
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        items
            .iter()
            .map(|t| TransferEnvVar {
                source_container_name: s(t, "sourceContainerName"),
                source_container_name_field_path: t
                    .get("sourceContainerNameFrom")
                    .and_then(|f| f.get("fieldRef"))
                    .filter(|f| f.is_object())
                    .map(|f| s(f, "fieldPath")),
                env_name: s(t, "envName"),
                env_names: t
                    .get("envNames")
                    .and_then(Value::as_array)
                    .map(|ns| {
                        ns.iter()
                            .map(|n| n.as_str().unwrap_or("").to_owned())
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// The `corev1.Container` Kruise injects: [`SidecarContainer::spec`] without the
    /// SidecarSet-only fields, in Go field order.
    pub fn container(&self) -> Value {
        match &self.spec {
            Value::Object(obj) => {
                // Cloning the whole map and dropping a few keys re-hashes no key.
                let mut container = obj.clone();
                container.retain(|k, _| !schema::SIDECAR_ONLY_FIELDS.contains(&k.as_str()));
                Value::Object(container)
            }
            other => other.clone(),
        }
    }
}

/// `status.latestRevision` and `status.collisionCount`, as a SidecarSet exported from a cluster
/// carries them (`apis/apps/v1beta1/sidecarset_types.go: SidecarSetStatus`).
fn revision_status(root: &Map<String, Value>) -> Result<RevisionStatus, decode::FieldError> {
    let Some(status) = decode::member_object(root, "status", "")? else {
        return Ok(RevisionStatus::default());
    };
    let latest_revision =
        decode::string(status, "latestRevision", "status")?.filter(|name| !name.is_empty());
    let collision_count = match decode::int32(status, "collisionCount", "status")? {
        None => 0,
        Some(count) => u32::try_from(count).map_err(|_| {
            decode::FieldError::new(
                "status.collisionCount",
                format!("{count} is negative; Kruise counts collisions from 0"),
            )
        })?,
    };
    Ok(RevisionStatus {
        latest_revision,
        collision_count,
    })
}

fn api_version(root: &Map<String, Value>) -> Result<ApiVersion, decode::FieldError> {
    let api = decode::string(root, "apiVersion", "")?.unwrap_or_default();
    let kind = decode::string(root, "kind", "")?.unwrap_or_default();
    if !kind.is_empty() && kind != "SidecarSet" {
        return Err(decode::FieldError::new(
            "kind",
            format!("expected a SidecarSet, found kind {kind:?}"),
        ));
    }
    match api
        .strip_prefix(API_GROUP)
        .and_then(|v| v.strip_prefix('/'))
    {
        Some("v1alpha1") => Ok(ApiVersion::V1alpha1),
        Some("v1beta1") => Ok(ApiVersion::V1beta1),
        _ => Err(decode::FieldError::new(
            "apiVersion",
            format!(
                "{api:?} is not a SidecarSet API version: use apps.kruise.io/v1alpha1 or apps.kruise.io/v1beta1"
            ),
        )),
    }
}

/// CRD structural defaults the API server applies before the mutating webhook sees the object
/// (`config/crd/bases/apps.kruise.io_sidecarsets.yaml`): `resourcesPolicy.targetContainersNameRegex`
/// `".*"` when absent or null. (`injectionStrategy.revision.policy: Always` is also a webhook default.)
fn apply_crd_defaults(spec: &mut Value) {
    for list in ["containers", "initContainers"] {
        let Some(items) = spec.get_mut(list).and_then(Value::as_array_mut) else {
            continue;
        };
        for item in items {
            let Some(policy) = item
                .get_mut("resourcesPolicy")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            if policy
                .get("targetContainersNameRegex")
                .is_none_or(Value::is_null)
            {
                policy.insert("targetContainersNameRegex".to_owned(), Value::from(".*"));
            }
        }
    }
}

/// A decoded spec and what decoding noticed.
pub(crate) struct ParsedSpec {
    pub(crate) spec: SidecarSetSpec,
    /// `containers` was a list (possibly empty), not absent or null.
    pub(crate) containers_listed: bool,
    /// v1alpha1 `spec.namespace`.
    pub(crate) namespace: Option<String>,
    /// `revisionHistoryLimit` was given (Go: non-nil pointer).
    pub(crate) revision_history_limit_set: bool,
    pub(crate) warnings: Vec<String>,
}

/// Decodes a SidecarSet spec as Go decodes it into the `version` struct, without any defaulting.
/// Containers and volumes are normalized by `kruise_inject_kube::schema`.
pub(crate) fn parse_spec(
    spec: &Value,
    path: &str,
    version: ApiVersion,
) -> Result<ParsedSpec, decode::FieldError> {
    let mut out = ParsedSpec {
        spec: SidecarSetSpec::default(),
        containers_listed: false,
        namespace: None,
        revision_history_limit_set: false,
        warnings: Vec::new(),
    };
    let Some(obj) = decode::object(spec, path)? else {
        return Ok(out);
    };
    let at = |k: &str| decode::join(path, k);
    let s = &mut out.spec;
    s.selector = selector(obj, "selector", path)?;
    s.namespace_selector = selector(obj, "namespaceSelector", path)?;
    s.init_containers = containers(obj, "initContainers", path)?;
    s.containers = containers(obj, "containers", path)?;
    out.containers_listed = obj.get("containers").is_some_and(Value::is_array);
    for (i, v) in decode::array(obj, "volumes", path)?.iter().enumerate() {
        let p = format!("{}[{i}]", at("volumes"));
        s.volumes
            .push(schema::volume(v, &p).map_err(decode::FieldError::from)?);
    }
    if let Some(us) = decode::member_object(obj, "updateStrategy", path)? {
        let p = at("updateStrategy");
        s.update_strategy = UpdateStrategy {
            kind: decode::string(us, "type", &p)?.unwrap_or_default(),
            paused: decode::boolean(us, "paused", &p)?.unwrap_or(false),
            selector: selector(us, "selector", &p)?,
            partition: int_or_string(us, "partition", &p)?,
            max_unavailable: int_or_string(us, "maxUnavailable", &p)?,
            priority_strategy: us.get("priorityStrategy").filter(|v| !v.is_null()).cloned(),
            scatter_strategy: scatter_terms(us, &p)?,
        };
    }
    if let Some(is) = decode::member_object(obj, "injectionStrategy", path)? {
        let p = at("injectionStrategy");
        s.injection_strategy.paused = decode::boolean(is, "paused", &p)?.unwrap_or(false);
        if let Some(r) = decode::member_object(is, "revision", &p)? {
            let rp = decode::join(&p, "revision");
            s.injection_strategy.revision = Some(RevisionRef {
                custom_version: decode::string(r, "customVersion", &rp)?,
                revision_name: decode::string(r, "revisionName", &rp)?,
                policy: decode::string(r, "policy", &rp)?.unwrap_or_default(),
            });
        }
    }
    for (i, v) in decode::array(obj, "imagePullSecrets", path)?
        .iter()
        .enumerate()
    {
        let p = format!("{}[{i}]", at("imagePullSecrets"));
        let name = match decode::object(v, &p)? {
            Some(o) => decode::string(o, "name", &p)?.unwrap_or_default(),
            None => String::new(),
        };
        let mut secret = Map::new();
        if !name.is_empty() {
            secret.insert("name".to_owned(), Value::from(name));
        }
        s.image_pull_secrets.push(Value::Object(secret));
    }
    let limit = decode::int32(obj, "revisionHistoryLimit", path)?;
    out.revision_history_limit_set = limit.is_some();
    s.revision_history_limit = limit.unwrap_or(0);
    for (i, v) in decode::array(obj, "patchPodMetadata", path)?
        .iter()
        .enumerate()
    {
        let p = format!("{}[{i}]", at("patchPodMetadata"));
        let patch = match decode::object(v, &p)? {
            Some(o) => PatchPodMetadata {
                annotations: decode::string_map(o, "annotations", &p)?,
                patch_policy: decode::string(o, "patchPolicy", &p)?.unwrap_or_default(),
            },
            None => PatchPodMetadata::default(),
        };
        s.patch_pod_metadata.push(patch);
    }
    match version {
        ApiVersion::V1alpha1 => {
            // `spec.customVersion` is not a v1alpha1 field: an unknown field
            // (`validate::unknown_fields`), which the API server rejects.
            out.namespace = decode::string(obj, "namespace", path)?;
        }
        ApiVersion::V1beta1 => {
            // `spec.namespace` is not a v1beta1 field: see above.
            s.custom_version =
                decode::string(obj, "customVersion", path)?.filter(|v| !v.is_empty());
        }
    }
    Ok(out)
}

fn selector(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<LabelSelector>, decode::FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => LabelSelector::from_value(v, &decode::join(path, key))
            .map(Some)
            .map_err(|e| decode::FieldError::new(e.path, e.message)),
    }
}

fn containers(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Vec<SidecarContainer>, decode::FieldError> {
    let list_path = decode::join(path, key);
    decode::array(obj, key, path)?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            schema::sidecar_container(v, &format!("{list_path}[{i}]"))
                .map(SidecarContainer::new)
                .map_err(decode::FieldError::from)
        })
        .collect()
}

fn int_or_string(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<Value>, decode::FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(Value::from(s.clone()))),
        Some(_) => decode::int32(obj, key, path).map(|n| n.map(Value::from)),
    }
}

fn scatter_terms(
    us: &Map<String, Value>,
    path: &str,
) -> Result<Vec<(String, String)>, decode::FieldError> {
    let list_path = decode::join(path, "scatterStrategy");
    let mut terms = Vec::new();
    for (i, v) in decode::array(us, "scatterStrategy", path)?
        .iter()
        .enumerate()
    {
        let p = format!("{list_path}[{i}]");
        match decode::object(v, &p)? {
            Some(o) => terms.push((
                decode::string(o, "key", &p)?.unwrap_or_default(),
                decode::string(o, "value", &p)?.unwrap_or_default(),
            )),
            None => terms.push((String::new(), String::new())),
        }
    }
    Ok(terms)
}

/// The SidecarSet mutating webhook's defaulting (`SetDefaultsSidecarSetV1beta1`; the hashes are
/// separate).
fn apply_webhook_defaults(
    spec: &mut SidecarSetSpec,
    revision_history_limit_set: bool,
) -> Result<(), decode::FieldError> {
    let us = &mut spec.update_strategy;
    if us.kind.is_empty() {
        us.kind = "RollingUpdate".to_owned();
    }
    us.max_unavailable.get_or_insert_with(|| Value::from(1));
    us.partition.get_or_insert_with(|| Value::from(0));
    for (i, c) in spec.init_containers.iter_mut().enumerate() {
        default_sidecar_container(
            &mut c.spec,
            "AfterAppContainer",
            &format!("spec.initContainers[{i}]"),
        )?;
    }
    for (i, c) in spec.containers.iter_mut().enumerate() {
        default_sidecar_container(
            &mut c.spec,
            "BeforeAppContainer",
            &format!("spec.containers[{i}]"),
        )?;
    }
    for v in &mut spec.volumes {
        defaults::volume(v);
    }
    if !revision_history_limit_set {
        spec.revision_history_limit = 10;
    }
    for p in &mut spec.patch_pod_metadata {
        if p.patch_policy.is_empty() {
            p.patch_policy = "Retain".to_owned();
        }
    }
    if let Some(r) = &mut spec.injection_strategy.revision
        && r.policy.is_empty()
    {
        r.policy = "Always".to_owned();
    }
    Ok(())
}

/// `setDefaultSidecarContainerV1beta1` on a schema-normalized `SidecarContainer` value, keeping Go
/// field order.
fn default_sidecar_container(
    c: &mut Value,
    inject_policy: &str,
    path: &str,
) -> Result<(), decode::FieldError> {
    let Some(obj) = c.as_object_mut() else {
        return Ok(());
    };
    if obj
        .get("podInjectPolicy")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        set_in_order(
            obj,
            "podInjectPolicy",
            Value::from(inject_policy),
            &schema::SIDECAR_ONLY_FIELDS[1..],
        );
    }
    if let Some(upgrade) = child_object(obj, "upgradeStrategy", &schema::SIDECAR_ONLY_FIELDS[2..])
        && upgrade
            .get("upgradeType")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    {
        set_in_order(
            upgrade,
            "upgradeType",
            Value::from("ColdUpgrade"),
            &["hotUpgradeEmptyImage"],
        );
    }
    if let Some(share) = child_object(obj, "shareVolumePolicy", &schema::SIDECAR_ONLY_FIELDS[3..])
        && share
            .get("type")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    {
        share.insert("type".to_owned(), Value::from("disabled"));
    }
    defaults::container(c);
    let Some(envs) = c.get_mut("transferEnv").and_then(Value::as_array_mut) else {
        return Ok(());
    };
    for (j, t) in envs.iter_mut().enumerate() {
        let Some(from) = t
            .get_mut("sourceContainerNameFrom")
            .filter(|f| !f.is_null())
        else {
            continue;
        };
        match from.get_mut("fieldRef").and_then(Value::as_object_mut) {
            Some(field_ref) => {
                if field_ref
                    .get("apiVersion")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    set_in_order(field_ref, "apiVersion", Value::from("v1"), &["fieldPath"]);
                }
            }
            None => {
                return Err(decode::FieldError::new(
                    format!("{path}.transferEnv[{j}].sourceContainerNameFrom"),
                    "sourceContainerNameFrom has no fieldRef, which crashes Kruise's SidecarSet webhook (the SidecarSet is rejected): set fieldRef.fieldPath, or use sourceContainerName",
                ));
            }
        }
    }
    Ok(())
}

/// The object member `key`, created (before the first of `later` present) if absent or not a map.
fn child_object<'a>(
    obj: &'a mut Map<String, Value>,
    key: &str,
    later: &[&str],
) -> Option<&'a mut Map<String, Value>> {
    if !obj.get(key).is_some_and(Value::is_object) {
        set_in_order(obj, key, Value::Object(Map::new()), later);
    }
    obj.get_mut(key).and_then(Value::as_object_mut)
}

/// Sets `key` in `obj`: in place if present, else just before the first key of `later` present
/// (keys that follow `key` in Go field order), else at the end.
pub(crate) fn set_in_order(obj: &mut Map<String, Value>, key: &str, value: Value, later: &[&str]) {
    if let Some(slot) = obj.get_mut(key) {
        *slot = value;
        return;
    }
    match obj.keys().position(|k| later.contains(&k.as_str())) {
        Some(index) => {
            obj.shift_insert(index, key.to_owned(), value);
        }
        None => {
            obj.insert(key.to_owned(), value);
        }
    }
}

/// The `Data.Raw` bytes Kruise records for `spec` (`history_control.go: getPatch`):
/// `{"spec":{"$patch":"replace","containers":…,"imagePullSecrets":…,"initContainers":…,
/// "patchPodMetadata":…,"volumes":…}}` with every object's keys sorted, an empty list as `null`.
pub fn revision_data(spec: &SidecarSetSpec) -> String {
    let list = |items: Vec<Value>| {
        if items.is_empty() {
            Value::Null
        } else {
            Value::Array(items)
        }
    };
    let patches = spec
        .patch_pod_metadata
        .iter()
        .map(|p| {
            let mut m = Map::new();
            if !p.annotations.is_empty() {
                m.insert(
                    "annotations".to_owned(),
                    Value::Object(
                        p.annotations
                            .iter()
                            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                            .collect(),
                    ),
                );
            }
            if !p.patch_policy.is_empty() {
                m.insert(
                    "patchPolicy".to_owned(),
                    Value::from(p.patch_policy.as_str()),
                );
            }
            Value::Object(m)
        })
        .collect();
    let data = json!({
        "spec": {
            "$patch": "replace",
            "containers": list(spec.containers.iter().map(|c| c.spec.clone()).collect()),
            "imagePullSecrets": list(spec.image_pull_secrets.clone()),
            "initContainers": list(spec.init_containers.iter().map(|c| c.spec.clone()).collect()),
            "patchPodMetadata": list(patches),
            "volumes": list(spec.volumes.clone()),
        }
    });
    gojson::to_string_sorted(&data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A SidecarSet document; a spec without `selector` gets one (Kruise requires it).
    fn doc(api: &str, metadata: Value, mut spec: Value) -> Value {
        if let Some(obj) = spec.as_object_mut() {
            obj.entry("selector")
                .or_insert_with(|| json!({"matchLabels": {"app": "any"}}));
        }
        json!({"apiVersion": api, "kind": "SidecarSet", "metadata": metadata, "spec": spec})
    }

    /// A v1beta1 SidecarSet named `ss` with this spec.
    fn read(spec: Value) -> SidecarSet {
        SidecarSet::from_value(&doc("apps.kruise.io/v1beta1", json!({"name": "ss"}), spec))
            .expect("valid SidecarSet")
    }

    fn err(d: Value) -> SidecarSetError {
        SidecarSet::from_value(&d).expect_err("invalid SidecarSet")
    }

    fn raw(containers: Value, init: Value) -> SidecarSetSpec {
        let list = |v: Value| match v {
            Value::Array(items) => items.into_iter().map(SidecarContainer::new).collect(),
            _ => Vec::new(),
        };
        SidecarSetSpec {
            containers: list(containers),
            init_containers: list(init),
            ..SidecarSetSpec::default()
        }
    }

    // ---- upstream hash vectors, `hash_test.go` (no defaulting) ----

    #[test]
    fn upstream_hash_vectors() {
        let c = json!({"name": "container1", "image": "test-image", "resources": {}, "upgradeStrategy": {}, "shareVolumePolicy": {}});
        let plain_init = raw(json!([c.clone()]), json!([c.clone()]));
        assert_eq!(
            hash_input(&plain_init, false, false),
            r#"{"containers":[{"name":"container1","image":"test-image","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}]}"#
        );
        let h = spec_hashes(&plain_init);
        assert_eq!(
            h.hash,
            "w26c4x8fz245642fdv499b464248f974xddx4x55z5dw55bc6x66464fxz77dc78"
        );
        assert_eq!(
            h.without_image,
            "8wzddb4dvv9c6x8zdc77z4z75987424f457dfv6724ddw6zbdx467wz5x24fc759"
        );
        assert_eq!(spec_hashes(&raw(json!([c.clone()]), json!([]))), h);

        let native = json!({"name": "container1", "image": "test-image", "resources": {}, "restartPolicy": "Always", "upgradeStrategy": {}, "shareVolumePolicy": {}});
        let h = spec_hashes(&raw(json!([c]), json!([native])));
        assert_eq!(
            h.hash,
            "4xwx4d4844vd4v9x79wb4xbxf4xb29475cc4446v8cz2c2f2f5c5bw448vd42z8w"
        );
        assert_eq!(
            h.without_image,
            "5725fw8bwbx249bw57v5892c847dzf48bww9zb7c86xb95264fdz26654847b2c8"
        );
    }

    // ---- upstream defaulting check, `sidecarset_mutating_test.go` ----

    #[test]
    fn upstream_defaulting_check() {
        let ss = read(json!({
            "selector": {"matchLabels": {"app": "nginx"}},
            "containers": [{"name": "dns-f", "image": "dns:1.0"}],
            "patchPodMetadata": [{"annotations": {"k": "v"}}],
            "injectionStrategy": {"revision": {"revisionName": "r"}}
        }));
        let c = ss.spec.containers.first().expect("one container");
        assert_eq!(
            gojson::to_string(&c.spec),
            r#"{"name":"dns-f","image":"dns:1.0","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","podInjectPolicy":"BeforeAppContainer","upgradeStrategy":{"upgradeType":"ColdUpgrade"},"shareVolumePolicy":{"type":"disabled"}}"#
        );
        assert_eq!(ss.spec.update_strategy.kind, "RollingUpdate");
        assert_eq!(ss.spec.update_strategy.partition, Some(json!(0)));
        assert_eq!(ss.spec.update_strategy.max_unavailable, Some(json!(1)));
        assert_eq!(ss.spec.revision_history_limit, 10);
        assert_eq!(ss.spec.patch_pod_metadata[0].patch_policy, "Retain");
        assert_eq!(
            ss.spec
                .injection_strategy
                .revision
                .as_ref()
                .map(|r| r.policy.as_str()),
            Some("Always")
        );
        assert_eq!(
            ss.hash(),
            "6wbd76bd7984x24fb4f44fv9222cw9v9bcf85x766744wddd4zwx927zzz2zb684"
        );
        assert_eq!(
            ss.hash_without_image(),
            "82684vwf9d4cb4wz4vffx4ddfbb47ww4z4wwxdbwb8w2zbb7zvf4524cdd49bv94"
        );
        assert!(ss.warnings.is_empty(), "{:?}", ss.warnings);
    }

    #[test]
    fn explicit_values_are_not_defaulted() {
        let ss = read(json!({
            "containers": [{"name": "c", "image": "i:1", "podInjectPolicy": "AfterAppContainer",
                            "upgradeStrategy": {"upgradeType": "HotUpgrade"}, "shareVolumePolicy": {"type": "enabled"}}],
            "updateStrategy": {"type": "NotUpdate", "partition": "10%", "maxUnavailable": 3},
            "revisionHistoryLimit": 0,
            "patchPodMetadata": [{"annotations": {"k": "v"}, "patchPolicy": "Overwrite"}],
            "injectionStrategy": {"revision": {"customVersion": "v", "policy": "Partial"}}
        }));
        let c = &ss.spec.containers[0];
        assert_eq!(c.pod_inject_policy(), "AfterAppContainer");
        assert_eq!(c.upgrade_type(), "HotUpgrade");
        assert!(c.share_volume_policy_enabled());
        let us = &ss.spec.update_strategy;
        assert_eq!(
            (us.kind.as_str(), &us.partition, &us.max_unavailable),
            ("NotUpdate", &Some(json!("10%")), &Some(json!(3)))
        );
        assert_eq!(ss.spec.revision_history_limit, 0);
        assert_eq!(ss.spec.patch_pod_metadata[0].patch_policy, "Overwrite");
        assert_eq!(
            ss.spec
                .injection_strategy
                .revision
                .as_ref()
                .map(|r| r.policy.as_str()),
            Some("Partial")
        );
    }

    #[test]
    fn init_containers_default_to_after_app_container() {
        let ss = read(json!({"initContainers": [{"name": "i", "image": "i:1"}]}));
        assert_eq!(
            ss.spec.init_containers[0].pod_inject_policy(),
            "AfterAppContainer"
        );
        assert_eq!(ss.spec.init_containers[0].upgrade_type(), "ColdUpgrade");
    }

    #[test]
    fn defaults_keep_go_field_order() {
        let ss = read(json!({"containers": [{
            "transferEnv": [{"sourceContainerNameFrom": {"fieldRef": {"fieldPath": "metadata.labels['c']"}}, "envName": "E"}],
            "upgradeStrategy": {"hotUpgradeEmptyImage": "empty:1"},
            "name": "c", "image": "i:1"
        }]}));
        let text = gojson::to_string(&ss.spec.containers[0].spec);
        assert!(
            text.ends_with(r#""podInjectPolicy":"BeforeAppContainer","upgradeStrategy":{"upgradeType":"ColdUpgrade","hotUpgradeEmptyImage":"empty:1"},"shareVolumePolicy":{"type":"disabled"},"transferEnv":[{"sourceContainerNameFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.labels['c']"}},"envName":"E"}]}"#),
            "{text}"
        );
    }

    #[test]
    fn source_container_name_from_without_field_ref_is_rejected() {
        let e = err(doc(
            "apps.kruise.io/v1beta1",
            json!({"name": "ss"}),
            json!({"containers": [{"name": "c", "image": "i", "transferEnv": [{"sourceContainerNameFrom": {}, "envName": "E"}]}]}),
        ));
        let text = e.to_string();
        assert!(
            text.starts_with(
                "SidecarSet ss: spec.containers[0].transferEnv[0].sourceContainerNameFrom: "
            ),
            "{text}"
        );
        assert!(text.contains("set fieldRef.fieldPath"), "{text}");
    }

    #[test]
    fn crd_default_for_resources_policy_regex() {
        let ss = read(json!({"containers": [
            {"name": "a", "image": "i", "resourcesPolicy": {"targetContainersMode": "sum", "resourcesExpr": {"limits": {"cpu": "cpu*50%"}}}},
            {"name": "b", "image": "i", "resourcesPolicy": {"targetContainersMode": "max", "targetContainersNameRegex": "^app$", "resourcesExpr": {}}}
        ]}));
        let regex = |i: usize| {
            ss.spec.containers[i]
                .spec
                .pointer("/resourcesPolicy/targetContainersNameRegex")
                .cloned()
        };
        assert_eq!(regex(0), Some(json!(".*")));
        assert_eq!(regex(1), Some(json!("^app$")));
    }

    #[test]
    fn resources_policy_is_hashed_in_go_field_order() {
        // Expected values from testdata/oracle/resources_policy_hash.py (written out by hand).
        let policy = |regex: Option<&str>| {
            let mut p = json!({"resourcesExpr": {
                "requests": {"memory": "64Mi", "cpu": "max(cpu*5%, 25m)"},
                "limits": {"memory": "max(memory*25%, 128Mi)", "cpu": "max(cpu*10%, 100m)"}},
                "targetContainersMode": "sum"});
            if let Some(r) = regex {
                p["targetContainersNameRegex"] = json!(r);
            }
            p
        };
        let ss = |regex: Option<&str>| {
            read(json!({
                "selector": {"matchLabels": {"logging": "fluent-bit"}},
                "containers": [{"name": "fluent-bit", "image": "fluent/fluent-bit:3.1.9",
                    "podInjectPolicy": "AfterAppContainer",
                    "volumeMounts": [{"name": "app-logs", "mountPath": "/var/log/app", "readOnly": true}],
                    "resourcesPolicy": policy(regex)}],
                "volumes": [{"name": "app-logs", "emptyDir": {}}]
            }))
        };
        let with_regex = ss(Some("^(web|worker)$"));
        assert!(
            hash_input(&with_regex.spec, true, false).ends_with(
                r#""shareVolumePolicy":{"type":"disabled"},"resourcesPolicy":{"targetContainersMode":"sum","targetContainersNameRegex":"^(web|worker)$","resourcesExpr":{"limits":{"cpu":"max(cpu*10%, 100m)","memory":"max(memory*25%, 128Mi)"},"requests":{"cpu":"max(cpu*5%, 25m)","memory":"64Mi"}}}}]}"#
            ),
            "{}",
            hash_input(&with_regex.spec, true, false)
        );
        assert_eq!(
            with_regex.hash(),
            "65bd25x42wvcv9ffx9xz75262wfvcd58b42688ww9vzvd62694vvd99zz77d624b"
        );
        assert_eq!(
            with_regex.hash_without_image(),
            "547c894xb4x4f9vfd4b46c682v4477zw45xd42z9d7x8c4256xfzz464wx4d8c4x"
        );
        // The CRD default ".*" is hashed when the regex is absent.
        assert_eq!(
            ss(None).hash(),
            "4692bd96w92zf5c7f5zv844v444d92994444wxxv595vd5vx9bf5w8fbwxb4wfz6"
        );
    }

    #[test]
    fn volumes_and_pull_secrets() {
        let ss = read(json!({
            "containers": [{"name": "c", "image": "i"}],
            "volumes": [{"name": "v"}],
            "imagePullSecrets": [{"name": "reg"}, {}]
        }));
        assert_eq!(ss.spec.volumes, vec![json!({"name": "v", "emptyDir": {}})]);
        assert_eq!(
            ss.spec.image_pull_secrets,
            vec![json!({"name": "reg"}), json!({})]
        );
    }

    // ---- worked examples (docs samples; expected values not upstream literals) ----

    #[test]
    fn example_a() {
        let ss = SidecarSet::from_value(&doc(
            "apps.kruise.io/v1alpha1",
            json!({"name": "test-sidecarset"}),
            json!({
                "selector": {"matchLabels": {"app": "nginx"}},
                "containers": [{"name": "sidecar1", "image": "centos:6.7", "command": ["sleep", "999d"],
                                "volumeMounts": [{"name": "log-volume", "mountPath": "/var/log"}]}],
                "volumes": [{"name": "log-volume", "emptyDir": {}}]
            }),
        ))
        .expect("valid");
        assert_eq!(
            hash_input(&ss.spec, true, false),
            r#"{"containers":[{"name":"sidecar1","image":"centos:6.7","command":["sleep","999d"],"resources":{},"volumeMounts":[{"name":"log-volume","mountPath":"/var/log"}],"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","podInjectPolicy":"BeforeAppContainer","upgradeStrategy":{"upgradeType":"ColdUpgrade"},"shareVolumePolicy":{"type":"disabled"}}]}"#
        );
        assert_eq!(
            ss.hash(),
            "4zbdc2xzc8w7c4x2c6984266bc9d7zf87x946v7xdfv988f6c6fc9b7dz47w8zd5"
        );
        assert_eq!(
            ss.hash_without_image(),
            "wcv47954b7xv5w4fbw682bbf78cw2449448vbf4fvvwv77947bc7fcv7fw89f98x"
        );
        assert_eq!(ss.latest_revision, "test-sidecarset-cf4bf7796");
    }

    #[test]
    fn example_b_hot_upgrade() {
        let ss = read(json!({"containers": [{
            "name": "sidecar", "image": "openkruise/hotupgrade-sample:sidecarv1", "imagePullPolicy": "Always",
            "lifecycle": {"postStart": {"exec": {"command": ["/bin/sh", "/migrate.sh"]}}},
            "upgradeStrategy": {"upgradeType": "HotUpgrade", "hotUpgradeEmptyImage": "openkruise/hotupgrade-sample:empty"}
        }]}));
        assert_eq!(
            ss.hash(),
            "8z89b4xb4xxbx2bz4xf99c25v4z4fzv296wd245vwc9z2vf4wz4c747c654z825b"
        );
        assert_eq!(
            ss.hash_without_image(),
            "xw4c5bc2cvw74vz4wfc8c9dz96c698c824vz4444w4cf277vz5f77dz4b5d52849"
        );
        let c = &ss.spec.containers[0];
        assert_eq!(
            c.hot_upgrade_empty_image(),
            "openkruise/hotupgrade-sample:empty"
        );
    }

    #[test]
    fn status_latest_revision_and_collision_count_are_read() {
        let spec = json!({
            "selector": {"matchLabels": {"app": "nginx"}},
            "containers": [{"name": "sidecar1", "image": "centos:6.7"}]
        });
        let plain = read(spec.clone());
        assert_eq!(plain.revision_status, RevisionStatus::default());
        let data = revision_data(&plain.spec);
        let at_one = crate::kruise::controller_revision::revision_name("test-sidecarset", &data, 1);
        let mut exported = doc(
            "apps.kruise.io/v1beta1",
            json!({"name": "test-sidecarset"}),
            spec.clone(),
        );
        exported["status"] =
            json!({"latestRevision": at_one, "collisionCount": 1, "matchedPods": 3});
        let ss = SidecarSet::from_value(&exported).expect("valid");
        assert_eq!(ss.revision_status.collision_count, 1);
        assert_eq!(ss.latest_revision, at_one);
        assert_ne!(ss.latest_revision, plain.latest_revision);

        exported["status"] = json!({"collisionCount": -1});
        assert!(
            err(exported).to_string().contains("status.collisionCount"),
            "a negative collision count is an error"
        );
    }

    #[test]
    fn example_c_native_sidecar_only() {
        let ss = read(json!({"initContainers": [{
            "name": "sidecar", "image": "nginx:alpine", "restartPolicy": "Always",
            "lifecycle": {"postStart": {"exec": {"command": ["/bin/sh", "-c", "sleep 10"]}}}
        }]}));
        assert!(
            hash_input(&ss.spec, false, false)
                .starts_with(r#"{"containers":null,"initContainers":[{"name":"sidecar","#)
        );
        assert_eq!(
            ss.hash(),
            "5x5w8548dbbb6fwbf4d58v65w48vfx4c5vc6d7ccc4x4fv97c689c444z2z4f699"
        );
        assert_eq!(
            ss.hash_without_image(),
            "v59vv9cxbfz589dzw46f25z74bwwv5wv4x8v4ww4vcvb864c58cxv4c87bc74d94"
        );
        assert_eq!(ss.spec.init_containers[0].restart_policy(), "Always");
    }

    #[test]
    fn an_empty_containers_list_hashes_as_an_empty_list() {
        let init = json!([{"name": "sidecar", "image": "nginx:alpine", "restartPolicy": "Always"}]);
        let listed = read(json!({"containers": [], "initContainers": init.clone()}));
        let absent = read(json!({"initContainers": init}));
        assert!(hash_input(&listed.spec, true, false).starts_with(r#"{"containers":[],"#));
        assert_ne!(listed.hash(), absent.hash());
        assert_eq!(absent.hash(), spec_hashes(&absent.spec).hash);
        // The revision (controller side) sees the stored object, where the empty list is gone.
        assert_eq!(listed.latest_revision, absent.latest_revision);
    }

    #[test]
    fn example_d_rich_container() {
        let ss = read(json!({"containers": [{
            "name": "proxy", "image": "envoy:v1.2.3", "args": ["--log-level", "info"],
            "ports": [{"name": "admin", "containerPort": 15000}],
            "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                    {"name": "MODE", "value": "a<b&c"}],
            "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": "100m", "memory": "64Mi"}},
            "volumeMounts": [{"name": "conf", "mountPath": "/etc/envoy", "readOnly": true}],
            "livenessProbe": {"httpGet": {"port": 15000}},
            "podInjectPolicy": "AfterAppContainer",
            "shareVolumePolicy": {"type": "enabled"},
            "transferEnv": [{"sourceContainerName": "main", "envName": "PROXY_IP"}]
        }]}));
        assert_eq!(
            hash_input(&ss.spec, true, false),
            r#"{"containers":[{"name":"proxy","image":"envoy:v1.2.3","args":["--log-level","info"],"ports":[{"name":"admin","containerPort":15000,"protocol":"TCP"}],"env":[{"name":"POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},{"name":"MODE","value":"a\u003cb\u0026c"}],"resources":{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"100m","memory":"64Mi"}},"volumeMounts":[{"name":"conf","readOnly":true,"mountPath":"/etc/envoy"}],"livenessProbe":{"httpGet":{"path":"/","port":15000,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","podInjectPolicy":"AfterAppContainer","upgradeStrategy":{"upgradeType":"ColdUpgrade"},"shareVolumePolicy":{"type":"enabled"},"transferEnv":[{"sourceContainerName":"main","envName":"PROXY_IP"}]}]}"#
        );
        assert_eq!(
            ss.hash(),
            "fcf8v652z94f925x2w8v27x7fvdzx8cbdwv72vf255wx4xv58x5f9wv5f2967b72"
        );
        assert_eq!(
            ss.hash_without_image(),
            "cz28bz6bf524f6xv5w8xwdv7fd892b74895z246cwc5fz27bx446ww669d8dv6v4"
        );
        let c = &ss.spec.containers[0];
        assert_eq!(
            c.transfer_env(),
            vec![TransferEnvVar {
                source_container_name: "main".into(),
                source_container_name_field_path: None,
                env_name: "PROXY_IP".into(),
                env_names: vec![],
            }]
        );
    }

    // ---- v1alpha1 conversion, `sidecarset_conversion.go` ----

    #[test]
    fn v1alpha1_and_v1beta1_give_identical_objects_and_hashes() {
        let spec = json!({
            "selector": {"matchLabels": {"app": "nginx"}},
            "containers": [{"name": "dns-f", "image": "dns:1.0"}],
            "initContainers": [{"name": "init", "image": "busybox", "restartPolicy": "Always"}]
        });
        let a = SidecarSet::from_value(&doc(
            "apps.kruise.io/v1alpha1",
            json!({"name": "ss"}),
            spec.clone(),
        ))
        .expect("valid");
        let b = SidecarSet::from_value(&doc("apps.kruise.io/v1beta1", json!({"name": "ss"}), spec))
            .expect("valid");
        assert_eq!(a.hash(), b.hash());
        assert_eq!(a.hash_without_image(), b.hash_without_image());
        assert_eq!(a, b);
    }

    #[test]
    fn v1alpha1_namespace_and_custom_version_label_are_converted() {
        let ss = SidecarSet::from_value(&doc(
            "apps.kruise.io/v1alpha1",
            json!({"name": "ss", "labels": {CUSTOM_VERSION_LABEL: "v2", "team": "a"}}),
            json!({"namespace": "web", "namespaceSelector": {"matchLabels": {"x": "y"}},
                   "containers": [{"name": "c", "image": "i"}]}),
        ))
        .expect("valid");
        assert_eq!(
            ss.spec.namespace_selector,
            Some(LabelSelector {
                match_labels: BTreeMap::from([(NAMESPACE_NAME_LABEL.to_owned(), "web".to_owned())]),
                match_expressions: vec![],
            })
        );
        assert_eq!(ss.spec.custom_version.as_deref(), Some("v2"));
        assert_eq!(
            ss.labels,
            BTreeMap::from([("team".to_owned(), "a".to_owned())])
        );
        assert_eq!(ss.warnings.len(), 1, "{:?}", ss.warnings);
    }

    #[test]
    fn v1alpha1_without_namespace_keeps_its_namespace_selector() {
        let ss = SidecarSet::from_value(&doc(
            "apps.kruise.io/v1alpha1",
            json!({"name": "ss"}),
            json!({"namespace": "", "namespaceSelector": {"matchLabels": {"x": "y"}}, "containers": [{"name": "c", "image": "i"}]}),
        ))
        .expect("valid");
        assert_eq!(
            ss.spec.namespace_selector.map(|s| s.match_labels),
            Some(BTreeMap::from([("x".to_owned(), "y".to_owned())]))
        );
        assert_eq!(ss.spec.custom_version, None);
    }

    #[test]
    fn v1beta1_uses_spec_custom_version_and_keeps_the_label() {
        let ss = SidecarSet::from_value(&doc(
            "apps.kruise.io/v1beta1",
            json!({"name": "ss", "labels": {CUSTOM_VERSION_LABEL: "old"}}),
            json!({"customVersion": "v3", "namespace": "web", "containers": [{"name": "c", "image": "i"}]}),
        ))
        .expect("valid");
        assert_eq!(ss.spec.custom_version.as_deref(), Some("v3"));
        assert!(ss.labels.contains_key(CUSTOM_VERSION_LABEL));
        // `spec.namespace` is no v1beta1 field: dropped here, an unknown-field error in admission.
        assert_eq!(ss.spec.namespace_selector, None);
    }

    // ---- hash annotations ----

    #[test]
    fn stale_hash_annotation_produces_a_warning() {
        let spec = json!({"containers": [{"name": "dns-f", "image": "dns:1.0"}]});
        let ss = SidecarSet::from_value(&doc(
            "apps.kruise.io/v1beta1",
            json!({"name": "ss", "annotations": {HASH_ANNOTATION: "stale", "keep": "me"}}),
            spec.clone(),
        ))
        .expect("valid");
        assert_eq!(
            ss.hash(),
            "6wbd76bd7984x24fb4f44fv9222cw9v9bcf85x766744wddd4zwx927zzz2zb684"
        );
        assert_eq!(ss.annotations.get("keep").map(String::as_str), Some("me"));
        assert_eq!(ss.warnings.len(), 1, "{:?}", ss.warnings);
        assert!(
            ss.warnings[0].contains("\"stale\"") && ss.warnings[0].contains("rewrite"),
            "{}",
            ss.warnings[0]
        );

        let current = SidecarSet::from_value(&doc(
            "apps.kruise.io/v1beta1",
            json!({"name": "ss", "annotations": {
                HASH_ANNOTATION: "6wbd76bd7984x24fb4f44fv9222cw9v9bcf85x766744wddd4zwx927zzz2zb684",
                HASH_WITHOUT_IMAGE_ANNOTATION: "82684vwf9d4cb4wz4vffx4ddfbb47ww4z4wwxdbwb8w2zbb7zvf4524cdd49bv94"}}),
            spec,
        ))
        .expect("valid");
        assert!(current.warnings.is_empty(), "{:?}", current.warnings);
    }

    // ---- errors ----

    #[test]
    fn api_version_kind_and_name_are_checked() {
        let spec = json!({"containers": [{"name": "c", "image": "i"}]});
        let e = err(doc(
            "apps.kruise.io/v1",
            json!({"name": "ss"}),
            spec.clone(),
        ));
        assert!(
            matches!(&e, SidecarSetError::Invalid { path, .. } if path == "apiVersion"),
            "{e}"
        );
        assert!(
            e.to_string()
                .contains("apps.kruise.io/v1alpha1 or apps.kruise.io/v1beta1"),
            "{e}"
        );
        let mut d = doc(
            "apps.kruise.io/v1beta1",
            json!({"name": "ss"}),
            spec.clone(),
        );
        d["kind"] = json!("Deployment");
        assert!(matches!(err(d), SidecarSetError::Invalid { path, .. } if path == "kind"));
        let e = err(doc("apps.kruise.io/v1beta1", json!({}), spec));
        assert!(
            matches!(&e, SidecarSetError::Invalid { path, .. } if path == "metadata.name"),
            "{e}"
        );
    }

    #[test]
    fn no_containers_is_an_error() {
        for spec in [
            json!({}),
            json!({"containers": [], "initContainers": null, "selector": {"matchLabels": {"a": "b"}}}),
        ] {
            let e = err(doc(
                "apps.kruise.io/v1beta1",
                json!({"name": "empty"}),
                spec,
            ));
            assert_eq!(
                e,
                SidecarSetError::NoContainers {
                    name: "empty".into()
                }
            );
            assert!(
                e.to_string()
                    .starts_with("SidecarSet empty defines no containers or initContainers"),
                "{e}"
            );
        }
    }

    #[test]
    fn missing_selector_is_rejected_as_kruise_does() {
        let doc = json!({
            "apiVersion": "apps.kruise.io/v1alpha1",
            "kind": "SidecarSet",
            "metadata": {"name": "no-selector"},
            "spec": {"containers": [{"name": "c", "image": "i"}]},
        });
        assert_eq!(
            SidecarSet::from_value(&doc),
            Err(SidecarSetError::NoSelector {
                name: "no-selector".into()
            })
        );
    }

    #[test]
    fn type_errors_carry_the_field_path() {
        let cases = [
            (json!({"containers": {"name": "c"}}), "spec.containers"),
            (
                json!({"containers": [{"name": "c"}], "injectionStrategy": {"paused": "yes"}}),
                "spec.injectionStrategy.paused",
            ),
            (
                json!({"containers": [{"name": "c"}], "updateStrategy": {"partition": 1.5}}),
                "spec.updateStrategy.partition",
            ),
            (
                json!({"containers": [{"name": "c"}], "selector": {"matchLabels": {"a": true}}}),
                "spec.selector.matchLabels[a]",
            ),
            (
                json!({"containers": [{"name": "c"}], "revisionHistoryLimit": "10"}),
                "spec.revisionHistoryLimit",
            ),
            (
                json!({"containers": [{"name": "c"}], "patchPodMetadata": [{"annotations": ["a"]}]}),
                "spec.patchPodMetadata[0].annotations",
            ),
        ];
        for (spec, path) in cases {
            let e = err(doc("apps.kruise.io/v1beta1", json!({"name": "ss"}), spec));
            assert!(
                matches!(&e, SidecarSetError::Invalid { path: p, .. } if p == path),
                "{path}: {e}"
            );
            assert!(
                e.to_string()
                    .starts_with(&format!("SidecarSet ss: {path}: expected ")),
                "{e}"
            );
        }
        let e = err(doc(
            "apps.kruise.io/v1beta1",
            json!({"name": "ss", "labels": {"a": 1}}),
            json!({}),
        ));
        assert!(
            e.to_string()
                .contains("metadata.labels[a]: expected a string, found a number: quote the value"),
            "{e}"
        );
    }

    // ---- accessors ----

    #[test]
    fn container_strips_sidecar_only_fields_in_order() {
        let ss = read(
            json!({"containers": [{"name": "c", "image": "i:1", "env": [{"name": "A", "value": "1"}]}]}),
        );
        let c = &ss.spec.containers[0];
        assert_eq!(c.name(), "c");
        assert_eq!(c.image(), "i:1");
        assert_eq!(
            gojson::to_string(&c.container()),
            r#"{"name":"c","image":"i:1","env":[{"name":"A","value":"1"}],"resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}"#
        );
        assert!(!c.share_volume_policy_enabled());
        assert!(!c.share_volume_device_policy_enabled());
        assert_eq!(c.restart_policy(), "");
    }

    #[test]
    fn transfer_env_and_device_policy_accessors() {
        let ss = read(json!({"containers": [{"name": "c", "image": "i",
        "shareVolumeDevicePolicy": {"type": "enabled"},
        "transferEnv": [
            {"sourceContainerNameFrom": {"fieldRef": {"fieldPath": "metadata.annotations['src']"}}, "envNames": ["A", "B"]},
            {"sourceContainerName": "main", "envName": "C"}
        ]}]}));
        let c = &ss.spec.containers[0];
        assert!(c.share_volume_device_policy_enabled());
        assert_eq!(
            c.transfer_env(),
            vec![
                TransferEnvVar {
                    source_container_name: String::new(),
                    source_container_name_field_path: Some("metadata.annotations['src']".into()),
                    env_name: String::new(),
                    env_names: vec!["A".into(), "B".into()],
                },
                TransferEnvVar {
                    source_container_name: "main".into(),
                    source_container_name_field_path: None,
                    env_name: "C".into(),
                    env_names: vec![],
                },
            ]
        );
    }

    #[test]
    fn canary_annotations() {
        let mut ss = read(json!({"containers": [{"name": "c", "image": "i"}]}));
        assert!(!ss.is_canary());
        ss.annotations
            .insert(CANARY_ANNOTATION.into(), "true".into());
        assert!(!ss.is_canary(), "base missing");
        ss.annotations
            .insert(CANARY_BASE_ANNOTATION.into(), "base".into());
        assert!(ss.is_canary());
        assert_eq!(ss.canary_base(), Some("base"));
        ss.annotations
            .insert(CANARY_ANNOTATION.into(), "TRUE".into());
        assert!(!ss.is_canary(), "exact string");
        assert_eq!(ss.canary_base(), None);
    }

    #[test]
    fn set_in_order_inserts_before_later_keys() {
        let mut m: Map<String, Value> =
            serde_json::from_str(r#"{"a":1,"c":3,"d":4}"#).expect("json");
        set_in_order(&mut m, "b", json!(2), &["c", "d"]);
        set_in_order(&mut m, "e", json!(5), &["z"]);
        set_in_order(&mut m, "a", json!(0), &["b"]);
        assert_eq!(
            gojson::to_string(&Value::Object(m)),
            r#"{"a":0,"b":2,"c":3,"d":4,"e":5}"#
        );
    }
}
