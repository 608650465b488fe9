//! Decoding user values as Go decodes them into Kubernetes structs, and re-encoding them in Go field
//! order with Go's `omitempty` rules.
//!
//! The Go types are described as data: a [`StructDesc`] lists its fields in declaration order (embedded
//! `,inline` structs are extra field groups), each [`Field`] has a JSON name, a [`Kind`], and the two
//! flags that decide its encoding: `omitempty` and pointer-ness. One generic walker decodes any
//! described type:
//!
//! - object keys are matched case-sensitively (the Kubernetes JSON serializer, `sigs.k8s.io/json`, is
//!   case-sensitive); unknown keys are dropped;
//! - `null` decodes to the zero value (nil for pointers, slices and maps);
//! - a JSON type Go refuses (a number for a string, a string for an int, a fraction or out-of-range
//!   number for an int32, an object for a list, …) is a [`SchemaError`] carrying the JSON path; the
//!   first error in document order is reported, like Go's decoder;
//! - encoding: fields in declaration order; `omitempty` drops `""`, `0`, `false`, nil pointers and
//!   nil/empty slices and maps, never structs (`resources: {}`) nor `resource.Quantity` /
//!   `intstr.IntOrString`; nil pointers/slices/maps without `omitempty` encode as `null`; map keys are
//!   sorted; quantities are canonical strings ([`crate::quantity`], no rounding here).
//!
//! Types follow k8s.io/api v0.32 (`core/v1/types.go`) and Kruise v1beta1 `sidecarset_types.go`.
//! Known approximation: `ephemeral.volumeClaimTemplate` (an `ObjectMeta` + `PersistentVolumeClaimSpec`)
//! is kept as the user wrote it with keys sorted at every depth, instead of being decoded field by
//! field (Go would drop unknown fields there and emit `metadata.creationTimestamp: null`).

use serde_json::{Map, Value};

use crate::quantity::Quantity;

/// A value that Go's `encoding/json` would refuse to decode into the target type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct SchemaError {
    /// JSON path of the offending field, e.g. `spec.containers[0].env[1].value`.
    pub path: String,
    /// What is wrong, e.g. `expected a string, found a number`.
    pub message: String,
}

/// Field names of `SidecarContainer` that are not part of `corev1.Container`.
pub const SIDECAR_ONLY_FIELDS: &[&str] = &[
    "podInjectPolicy",
    "upgradeStrategy",
    "shareVolumePolicy",
    "shareVolumeDevicePolicy",
    "transferEnv",
    "resourcesPolicy",
];

/// `value` decoded into Kruise's `SidecarContainer` and encoded back as Go-JSON would: Container
/// fields then the SidecarSet-only fields, in Go declaration order, unknown fields dropped,
/// non-omitempty fields present (`resources: {}`, `upgradeStrategy: {}`, `shareVolumePolicy: {}`).
pub fn sidecar_container(value: &Value, path: &str) -> Result<Value, SchemaError> {
    decode_struct(&SIDECAR_CONTAINER, value, &Path::Root(path))
}

/// `value` decoded into `corev1.Container` and re-encoded (see [`sidecar_container`]).
pub fn container(value: &Value, path: &str) -> Result<Value, SchemaError> {
    decode_struct(&CONTAINER, value, &Path::Root(path))
}

/// `value` decoded into `corev1.Volume` and re-encoded.
pub fn volume(value: &Value, path: &str) -> Result<Value, SchemaError> {
    decode_struct(&VOLUME, value, &Path::Root(path))
}

/// `value` decoded into `corev1.LocalObjectReference` (e.g. an `imagePullSecrets` item).
pub fn local_object_reference(value: &Value, path: &str) -> Result<Value, SchemaError> {
    decode_struct(&LOCAL_OBJECT_REFERENCE, value, &Path::Root(path))
}

/// `value` decoded into `metav1.LabelSelector`.
pub fn label_selector(value: &Value, path: &str) -> Result<Value, SchemaError> {
    decode_struct(&LABEL_SELECTOR, value, &Path::Root(path))
}

/// `value` decoded into Kruise's `SidecarSetPatchPodMetadata` (`annotations`, `patchPolicy`).
pub fn patch_pod_metadata(value: &Value, path: &str) -> Result<Value, SchemaError> {
    decode_struct(&PATCH_POD_METADATA, value, &Path::Root(path))
}

/// The injected `corev1.Container` of a normalized `SidecarContainer`: the same value without the
/// [`SIDECAR_ONLY_FIELDS`] (order of the remaining keys kept).
pub fn container_from_sidecar(sidecar: &Value) -> Value {
    match sidecar {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !SIDECAR_ONLY_FIELDS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

// ------------------------------------------------------------------------------------------------
// Type descriptors

/// What a field holds.
#[derive(Clone, Copy)]
enum Kind {
    /// `string` (and string-typed enums).
    Str,
    Bool,
    I32,
    I64,
    /// `resource.Quantity` (a struct: never omitted; zero prints `"0"`).
    Quantity,
    /// `intstr.IntOrString` (a struct: never omitted).
    IntOrString,
    Struct(&'static StructDesc),
    /// `[]T`
    List(&'static Kind),
    /// `map[string]string`
    StrMap,
    /// `map[ResourceName]resource.Quantity`
    QuantityMap,
    /// Approximation: any object, kept with keys sorted (see module docs).
    Raw,
}

#[derive(Clone, Copy)]
struct Field {
    name: &'static str,
    kind: Kind,
    omitempty: bool,
    pointer: bool,
}

struct StructDesc {
    /// Go type name, for error messages.
    go_name: &'static str,
    /// Field groups in declaration order (embedded structs contribute their own group).
    groups: &'static [&'static [Field]],
}

/// `T json:"name"`
const fn req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        omitempty: false,
        pointer: false,
    }
}
/// `T json:"name,omitempty"`
const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        omitempty: true,
        pointer: false,
    }
}
/// `*T json:"name,omitempty"`
const fn ptr(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        omitempty: true,
        pointer: true,
    }
}
/// `*T json:"name"` (`null` when nil)
const fn ptr_req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        omitempty: false,
        pointer: true,
    }
}

const fn desc(go_name: &'static str, groups: &'static [&'static [Field]]) -> StructDesc {
    StructDesc { go_name, groups }
}

use Kind::{Bool, I32, I64, IntOrString, Raw, Str, StrMap, Struct};
const STR_LIST: Kind = Kind::List(&Str);

// ---- core/v1 shared pieces

const LOCAL_OBJECT_REFERENCE_FIELDS: &[Field] = &[opt("name", Str)];
const LOCAL_OBJECT_REFERENCE: StructDesc =
    desc("LocalObjectReference", &[LOCAL_OBJECT_REFERENCE_FIELDS]);

const OBJECT_FIELD_SELECTOR: StructDesc = desc(
    "ObjectFieldSelector",
    &[&[opt("apiVersion", Str), req("fieldPath", Str)]],
);
const RESOURCE_FIELD_SELECTOR: StructDesc = desc(
    "ResourceFieldSelector",
    &[&[
        opt("containerName", Str),
        req("resource", Str),
        opt("divisor", Kind::Quantity),
    ]],
);
const CONFIG_MAP_KEY_SELECTOR: StructDesc = desc(
    "ConfigMapKeySelector",
    &[
        LOCAL_OBJECT_REFERENCE_FIELDS,
        &[req("key", Str), ptr("optional", Bool)],
    ],
);
const SECRET_KEY_SELECTOR: StructDesc = desc(
    "SecretKeySelector",
    &[
        LOCAL_OBJECT_REFERENCE_FIELDS,
        &[req("key", Str), ptr("optional", Bool)],
    ],
);

const LABEL_SELECTOR_REQUIREMENT: StructDesc = desc(
    "LabelSelectorRequirement",
    &[&[
        req("key", Str),
        req("operator", Str),
        opt("values", STR_LIST),
    ]],
);
const LABEL_SELECTOR: StructDesc = desc(
    "LabelSelector",
    &[&[
        opt("matchLabels", StrMap),
        opt(
            "matchExpressions",
            Kind::List(&Struct(&LABEL_SELECTOR_REQUIREMENT)),
        ),
    ]],
);

// ---- Container

const CONTAINER_PORT: StructDesc = desc(
    "ContainerPort",
    &[&[
        opt("name", Str),
        opt("hostPort", I32),
        req("containerPort", I32),
        opt("protocol", Str),
        opt("hostIP", Str),
    ]],
);
const CONFIG_MAP_ENV_SOURCE: StructDesc = desc(
    "ConfigMapEnvSource",
    &[LOCAL_OBJECT_REFERENCE_FIELDS, &[ptr("optional", Bool)]],
);
const SECRET_ENV_SOURCE: StructDesc = desc(
    "SecretEnvSource",
    &[LOCAL_OBJECT_REFERENCE_FIELDS, &[ptr("optional", Bool)]],
);
const ENV_FROM_SOURCE: StructDesc = desc(
    "EnvFromSource",
    &[&[
        opt("prefix", Str),
        ptr("configMapRef", Struct(&CONFIG_MAP_ENV_SOURCE)),
        ptr("secretRef", Struct(&SECRET_ENV_SOURCE)),
    ]],
);
const ENV_VAR_SOURCE: StructDesc = desc(
    "EnvVarSource",
    &[&[
        ptr("fieldRef", Struct(&OBJECT_FIELD_SELECTOR)),
        ptr("resourceFieldRef", Struct(&RESOURCE_FIELD_SELECTOR)),
        ptr("configMapKeyRef", Struct(&CONFIG_MAP_KEY_SELECTOR)),
        ptr("secretKeyRef", Struct(&SECRET_KEY_SELECTOR)),
    ]],
);
const ENV_VAR: StructDesc = desc(
    "EnvVar",
    &[&[
        req("name", Str),
        opt("value", Str),
        ptr("valueFrom", Struct(&ENV_VAR_SOURCE)),
    ]],
);
const RESOURCE_CLAIM: StructDesc =
    desc("ResourceClaim", &[&[req("name", Str), opt("request", Str)]]);
const RESOURCE_REQUIREMENTS: StructDesc = desc(
    "ResourceRequirements",
    &[&[
        opt("limits", Kind::QuantityMap),
        opt("requests", Kind::QuantityMap),
        opt("claims", Kind::List(&Struct(&RESOURCE_CLAIM))),
    ]],
);
const CONTAINER_RESIZE_POLICY: StructDesc = desc(
    "ContainerResizePolicy",
    &[&[req("resourceName", Str), req("restartPolicy", Str)]],
);
const VOLUME_MOUNT: StructDesc = desc(
    "VolumeMount",
    &[&[
        req("name", Str),
        opt("readOnly", Bool),
        ptr("recursiveReadOnly", Str),
        req("mountPath", Str),
        opt("subPath", Str),
        ptr("mountPropagation", Str),
        opt("subPathExpr", Str),
    ]],
);
const VOLUME_DEVICE: StructDesc = desc(
    "VolumeDevice",
    &[&[req("name", Str), req("devicePath", Str)]],
);
const EXEC_ACTION: StructDesc = desc("ExecAction", &[&[opt("command", STR_LIST)]]);
const HTTP_HEADER: StructDesc = desc("HTTPHeader", &[&[req("name", Str), req("value", Str)]]);
const HTTP_GET_ACTION: StructDesc = desc(
    "HTTPGetAction",
    &[&[
        opt("path", Str),
        req("port", IntOrString),
        opt("host", Str),
        opt("scheme", Str),
        opt("httpHeaders", Kind::List(&Struct(&HTTP_HEADER))),
    ]],
);
const TCP_SOCKET_ACTION: StructDesc = desc(
    "TCPSocketAction",
    &[&[req("port", IntOrString), opt("host", Str)]],
);
const GRPC_ACTION: StructDesc = desc(
    "GRPCAction",
    &[&[req("port", I32), ptr_req("service", Str)]],
);
const SLEEP_ACTION: StructDesc = desc("SleepAction", &[&[req("seconds", I64)]]);
const PROBE: StructDesc = desc(
    "Probe",
    &[
        // ProbeHandler (inline)
        &[
            ptr("exec", Struct(&EXEC_ACTION)),
            ptr("httpGet", Struct(&HTTP_GET_ACTION)),
            ptr("tcpSocket", Struct(&TCP_SOCKET_ACTION)),
            ptr("grpc", Struct(&GRPC_ACTION)),
        ],
        &[
            opt("initialDelaySeconds", I32),
            opt("timeoutSeconds", I32),
            opt("periodSeconds", I32),
            opt("successThreshold", I32),
            opt("failureThreshold", I32),
            ptr("terminationGracePeriodSeconds", I64),
        ],
    ],
);
const LIFECYCLE_HANDLER: StructDesc = desc(
    "LifecycleHandler",
    &[&[
        ptr("exec", Struct(&EXEC_ACTION)),
        ptr("httpGet", Struct(&HTTP_GET_ACTION)),
        ptr("tcpSocket", Struct(&TCP_SOCKET_ACTION)),
        ptr("sleep", Struct(&SLEEP_ACTION)),
    ]],
);
const LIFECYCLE: StructDesc = desc(
    "Lifecycle",
    &[&[
        ptr("postStart", Struct(&LIFECYCLE_HANDLER)),
        ptr("preStop", Struct(&LIFECYCLE_HANDLER)),
    ]],
);
const CAPABILITIES: StructDesc = desc(
    "Capabilities",
    &[&[opt("add", STR_LIST), opt("drop", STR_LIST)]],
);
const SE_LINUX_OPTIONS: StructDesc = desc(
    "SELinuxOptions",
    &[&[
        opt("user", Str),
        opt("role", Str),
        opt("type", Str),
        opt("level", Str),
    ]],
);
const WINDOWS_SECURITY_CONTEXT_OPTIONS: StructDesc = desc(
    "WindowsSecurityContextOptions",
    &[&[
        ptr("gmsaCredentialSpecName", Str),
        ptr("gmsaCredentialSpec", Str),
        ptr("runAsUserName", Str),
        ptr("hostProcess", Bool),
    ]],
);
const SECCOMP_PROFILE: StructDesc = desc(
    "SeccompProfile",
    &[&[req("type", Str), ptr("localhostProfile", Str)]],
);
const APP_ARMOR_PROFILE: StructDesc = desc(
    "AppArmorProfile",
    &[&[req("type", Str), ptr("localhostProfile", Str)]],
);
const SECURITY_CONTEXT: StructDesc = desc(
    "SecurityContext",
    &[&[
        ptr("capabilities", Struct(&CAPABILITIES)),
        ptr("privileged", Bool),
        ptr("seLinuxOptions", Struct(&SE_LINUX_OPTIONS)),
        ptr("windowsOptions", Struct(&WINDOWS_SECURITY_CONTEXT_OPTIONS)),
        ptr("runAsUser", I64),
        ptr("runAsGroup", I64),
        ptr("runAsNonRoot", Bool),
        ptr("readOnlyRootFilesystem", Bool),
        ptr("allowPrivilegeEscalation", Bool),
        ptr("procMount", Str),
        ptr("seccompProfile", Struct(&SECCOMP_PROFILE)),
        ptr("appArmorProfile", Struct(&APP_ARMOR_PROFILE)),
    ]],
);
const CONTAINER_FIELDS: &[Field] = &[
    req("name", Str),
    opt("image", Str),
    opt("command", STR_LIST),
    opt("args", STR_LIST),
    opt("workingDir", Str),
    opt("ports", Kind::List(&Struct(&CONTAINER_PORT))),
    opt("envFrom", Kind::List(&Struct(&ENV_FROM_SOURCE))),
    opt("env", Kind::List(&Struct(&ENV_VAR))),
    opt("resources", Struct(&RESOURCE_REQUIREMENTS)),
    opt(
        "resizePolicy",
        Kind::List(&Struct(&CONTAINER_RESIZE_POLICY)),
    ),
    ptr("restartPolicy", Str),
    opt("volumeMounts", Kind::List(&Struct(&VOLUME_MOUNT))),
    opt("volumeDevices", Kind::List(&Struct(&VOLUME_DEVICE))),
    ptr("livenessProbe", Struct(&PROBE)),
    ptr("readinessProbe", Struct(&PROBE)),
    ptr("startupProbe", Struct(&PROBE)),
    ptr("lifecycle", Struct(&LIFECYCLE)),
    opt("terminationMessagePath", Str),
    opt("terminationMessagePolicy", Str),
    opt("imagePullPolicy", Str),
    ptr("securityContext", Struct(&SECURITY_CONTEXT)),
    opt("stdin", Bool),
    opt("stdinOnce", Bool),
    opt("tty", Bool),
];
const CONTAINER: StructDesc = desc("Container", &[CONTAINER_FIELDS]);

// ---- Kruise SidecarContainer (apis/apps/v1beta1/sidecarset_types.go)

const SIDECAR_CONTAINER_UPGRADE_STRATEGY: StructDesc = desc(
    "SidecarContainerUpgradeStrategy",
    &[&[opt("upgradeType", Str), opt("hotUpgradeEmptyImage", Str)]],
);
const SHARE_VOLUME_POLICY: StructDesc = desc("ShareVolumePolicy", &[&[opt("type", Str)]]);
const SOURCE_CONTAINER_NAME_SOURCE: StructDesc = desc(
    "SourceContainerNameSource",
    &[&[ptr("fieldRef", Struct(&OBJECT_FIELD_SELECTOR))]],
);
const TRANSFER_ENV_VAR: StructDesc = desc(
    "TransferEnvVar",
    &[&[
        opt("sourceContainerName", Str),
        ptr(
            "sourceContainerNameFrom",
            Struct(&SOURCE_CONTAINER_NAME_SOURCE),
        ),
        opt("envName", Str),
        opt("envNames", STR_LIST),
    ]],
);
const RESOURCE_EXPR_LIMITS: StructDesc = desc(
    "ResourceExprLimits",
    &[&[opt("cpu", Str), opt("memory", Str)]],
);
const RESOURCE_EXPR_REQUESTS: StructDesc = desc(
    "ResourceExprRequests",
    &[&[opt("cpu", Str), opt("memory", Str)]],
);
const RESOURCES_EXPR: StructDesc = desc(
    "ResourcesExpr",
    &[&[
        ptr("limits", Struct(&RESOURCE_EXPR_LIMITS)),
        ptr("requests", Struct(&RESOURCE_EXPR_REQUESTS)),
    ]],
);
const RESOURCES_POLICY: StructDesc = desc(
    "ResourcesPolicy",
    &[&[
        req("targetContainersMode", Str),
        opt("targetContainersNameRegex", Str),
        req("resourcesExpr", Struct(&RESOURCES_EXPR)),
    ]],
);
const SIDECAR_CONTAINER: StructDesc = desc(
    "SidecarContainer",
    &[
        CONTAINER_FIELDS,
        &[
            opt("podInjectPolicy", Str),
            opt(
                "upgradeStrategy",
                Struct(&SIDECAR_CONTAINER_UPGRADE_STRATEGY),
            ),
            opt("shareVolumePolicy", Struct(&SHARE_VOLUME_POLICY)),
            ptr("shareVolumeDevicePolicy", Struct(&SHARE_VOLUME_POLICY)),
            opt("transferEnv", Kind::List(&Struct(&TRANSFER_ENV_VAR))),
            ptr("resourcesPolicy", Struct(&RESOURCES_POLICY)),
        ],
    ],
);
const PATCH_POD_METADATA: StructDesc = desc(
    "SidecarSetPatchPodMetadata",
    &[&[opt("annotations", StrMap), opt("patchPolicy", Str)]],
);

// ---- Volume

const LOR: Kind = Struct(&LOCAL_OBJECT_REFERENCE);
const KEY_TO_PATH_LIST: Kind = Kind::List(&Struct(&KEY_TO_PATH));
const KEY_TO_PATH: StructDesc = desc(
    "KeyToPath",
    &[&[req("key", Str), req("path", Str), ptr("mode", I32)]],
);
const DOWNWARD_API_VOLUME_FILE: StructDesc = desc(
    "DownwardAPIVolumeFile",
    &[&[
        req("path", Str),
        ptr("fieldRef", Struct(&OBJECT_FIELD_SELECTOR)),
        ptr("resourceFieldRef", Struct(&RESOURCE_FIELD_SELECTOR)),
        ptr("mode", I32),
    ]],
);
const DOWNWARD_API_FILE_LIST: Kind = Kind::List(&Struct(&DOWNWARD_API_VOLUME_FILE));

const HOST_PATH: StructDesc = desc(
    "HostPathVolumeSource",
    &[&[req("path", Str), ptr("type", Str)]],
);
const EMPTY_DIR: StructDesc = desc(
    "EmptyDirVolumeSource",
    &[&[opt("medium", Str), ptr("sizeLimit", Kind::Quantity)]],
);
const GCE_PERSISTENT_DISK: StructDesc = desc(
    "GCEPersistentDiskVolumeSource",
    &[&[
        req("pdName", Str),
        opt("fsType", Str),
        opt("partition", I32),
        opt("readOnly", Bool),
    ]],
);
const AWS_ELASTIC_BLOCK_STORE: StructDesc = desc(
    "AWSElasticBlockStoreVolumeSource",
    &[&[
        req("volumeID", Str),
        opt("fsType", Str),
        opt("partition", I32),
        opt("readOnly", Bool),
    ]],
);
const GIT_REPO: StructDesc = desc(
    "GitRepoVolumeSource",
    &[&[
        req("repository", Str),
        opt("revision", Str),
        opt("directory", Str),
    ]],
);
const SECRET_VOLUME: StructDesc = desc(
    "SecretVolumeSource",
    &[&[
        opt("secretName", Str),
        opt("items", KEY_TO_PATH_LIST),
        ptr("defaultMode", I32),
        ptr("optional", Bool),
    ]],
);
const NFS: StructDesc = desc(
    "NFSVolumeSource",
    &[&[req("server", Str), req("path", Str), opt("readOnly", Bool)]],
);
const ISCSI: StructDesc = desc(
    "ISCSIVolumeSource",
    &[&[
        req("targetPortal", Str),
        req("iqn", Str),
        req("lun", I32),
        opt("iscsiInterface", Str),
        opt("fsType", Str),
        opt("readOnly", Bool),
        opt("portals", STR_LIST),
        opt("chapAuthDiscovery", Bool),
        opt("chapAuthSession", Bool),
        ptr("secretRef", LOR),
        ptr("initiatorName", Str),
    ]],
);
const GLUSTERFS: StructDesc = desc(
    "GlusterfsVolumeSource",
    &[&[
        req("endpoints", Str),
        req("path", Str),
        opt("readOnly", Bool),
    ]],
);
const PERSISTENT_VOLUME_CLAIM: StructDesc = desc(
    "PersistentVolumeClaimVolumeSource",
    &[&[req("claimName", Str), opt("readOnly", Bool)]],
);
const RBD: StructDesc = desc(
    "RBDVolumeSource",
    &[&[
        req("monitors", STR_LIST),
        req("image", Str),
        opt("fsType", Str),
        opt("pool", Str),
        opt("user", Str),
        opt("keyring", Str),
        ptr("secretRef", LOR),
        opt("readOnly", Bool),
    ]],
);
const FLEX_VOLUME: StructDesc = desc(
    "FlexVolumeSource",
    &[&[
        req("driver", Str),
        opt("fsType", Str),
        ptr("secretRef", LOR),
        opt("readOnly", Bool),
        opt("options", StrMap),
    ]],
);
const CINDER: StructDesc = desc(
    "CinderVolumeSource",
    &[&[
        req("volumeID", Str),
        opt("fsType", Str),
        opt("readOnly", Bool),
        ptr("secretRef", LOR),
    ]],
);
const CEPHFS: StructDesc = desc(
    "CephFSVolumeSource",
    &[&[
        req("monitors", STR_LIST),
        opt("path", Str),
        opt("user", Str),
        opt("secretFile", Str),
        ptr("secretRef", LOR),
        opt("readOnly", Bool),
    ]],
);
const FLOCKER: StructDesc = desc(
    "FlockerVolumeSource",
    &[&[opt("datasetName", Str), opt("datasetUUID", Str)]],
);
const DOWNWARD_API_VOLUME: StructDesc = desc(
    "DownwardAPIVolumeSource",
    &[&[
        opt("items", DOWNWARD_API_FILE_LIST),
        ptr("defaultMode", I32),
    ]],
);
const FC: StructDesc = desc(
    "FCVolumeSource",
    &[&[
        opt("targetWWNs", STR_LIST),
        ptr("lun", I32),
        opt("fsType", Str),
        opt("readOnly", Bool),
        opt("wwids", STR_LIST),
    ]],
);
const AZURE_FILE: StructDesc = desc(
    "AzureFileVolumeSource",
    &[&[
        req("secretName", Str),
        req("shareName", Str),
        opt("readOnly", Bool),
    ]],
);
const CONFIG_MAP_VOLUME: StructDesc = desc(
    "ConfigMapVolumeSource",
    &[
        LOCAL_OBJECT_REFERENCE_FIELDS,
        &[
            opt("items", KEY_TO_PATH_LIST),
            ptr("defaultMode", I32),
            ptr("optional", Bool),
        ],
    ],
);
const VSPHERE_VOLUME: StructDesc = desc(
    "VsphereVirtualDiskVolumeSource",
    &[&[
        req("volumePath", Str),
        opt("fsType", Str),
        opt("storagePolicyName", Str),
        opt("storagePolicyID", Str),
    ]],
);
const QUOBYTE: StructDesc = desc(
    "QuobyteVolumeSource",
    &[&[
        req("registry", Str),
        req("volume", Str),
        opt("readOnly", Bool),
        opt("user", Str),
        opt("group", Str),
        opt("tenant", Str),
    ]],
);
const AZURE_DISK: StructDesc = desc(
    "AzureDiskVolumeSource",
    &[&[
        req("diskName", Str),
        req("diskURI", Str),
        ptr("cachingMode", Str),
        ptr("fsType", Str),
        ptr("readOnly", Bool),
        ptr("kind", Str),
    ]],
);
const PHOTON_PERSISTENT_DISK: StructDesc = desc(
    "PhotonPersistentDiskVolumeSource",
    &[&[req("pdID", Str), opt("fsType", Str)]],
);
const SECRET_PROJECTION: StructDesc = desc(
    "SecretProjection",
    &[
        LOCAL_OBJECT_REFERENCE_FIELDS,
        &[opt("items", KEY_TO_PATH_LIST), ptr("optional", Bool)],
    ],
);
const CONFIG_MAP_PROJECTION: StructDesc = desc(
    "ConfigMapProjection",
    &[
        LOCAL_OBJECT_REFERENCE_FIELDS,
        &[opt("items", KEY_TO_PATH_LIST), ptr("optional", Bool)],
    ],
);
const DOWNWARD_API_PROJECTION: StructDesc = desc(
    "DownwardAPIProjection",
    &[&[opt("items", DOWNWARD_API_FILE_LIST)]],
);
const SERVICE_ACCOUNT_TOKEN_PROJECTION: StructDesc = desc(
    "ServiceAccountTokenProjection",
    &[&[
        opt("audience", Str),
        ptr("expirationSeconds", I64),
        req("path", Str),
    ]],
);
const CLUSTER_TRUST_BUNDLE_PROJECTION: StructDesc = desc(
    "ClusterTrustBundleProjection",
    &[&[
        ptr("name", Str),
        ptr("signerName", Str),
        ptr("labelSelector", Struct(&LABEL_SELECTOR)),
        ptr("optional", Bool),
        req("path", Str),
    ]],
);
const VOLUME_PROJECTION: StructDesc = desc(
    "VolumeProjection",
    &[&[
        ptr("secret", Struct(&SECRET_PROJECTION)),
        ptr("downwardAPI", Struct(&DOWNWARD_API_PROJECTION)),
        ptr("configMap", Struct(&CONFIG_MAP_PROJECTION)),
        ptr(
            "serviceAccountToken",
            Struct(&SERVICE_ACCOUNT_TOKEN_PROJECTION),
        ),
        ptr(
            "clusterTrustBundle",
            Struct(&CLUSTER_TRUST_BUNDLE_PROJECTION),
        ),
    ]],
);
const PROJECTED: StructDesc = desc(
    "ProjectedVolumeSource",
    &[&[
        // `json:"sources"`: no omitempty, a nil list encodes as null.
        req("sources", Kind::List(&Struct(&VOLUME_PROJECTION))),
        ptr("defaultMode", I32),
    ]],
);
const PORTWORX_VOLUME: StructDesc = desc(
    "PortworxVolumeSource",
    &[&[
        req("volumeID", Str),
        opt("fsType", Str),
        opt("readOnly", Bool),
    ]],
);
const SCALE_IO: StructDesc = desc(
    "ScaleIOVolumeSource",
    &[&[
        req("gateway", Str),
        req("system", Str),
        ptr_req("secretRef", LOR),
        opt("sslEnabled", Bool),
        opt("protectionDomain", Str),
        opt("storagePool", Str),
        opt("storageMode", Str),
        opt("volumeName", Str),
        opt("fsType", Str),
        opt("readOnly", Bool),
    ]],
);
const STORAGE_OS: StructDesc = desc(
    "StorageOSVolumeSource",
    &[&[
        opt("volumeName", Str),
        opt("volumeNamespace", Str),
        opt("fsType", Str),
        opt("readOnly", Bool),
        ptr("secretRef", LOR),
    ]],
);
const CSI: StructDesc = desc(
    "CSIVolumeSource",
    &[&[
        req("driver", Str),
        ptr("readOnly", Bool),
        ptr("fsType", Str),
        opt("volumeAttributes", StrMap),
        ptr("nodePublishSecretRef", LOR),
    ]],
);
const EPHEMERAL: StructDesc = desc(
    "EphemeralVolumeSource",
    // Approximation: the PersistentVolumeClaimTemplate is kept verbatim with sorted keys.
    &[&[ptr("volumeClaimTemplate", Raw)]],
);
const IMAGE_VOLUME: StructDesc = desc(
    "ImageVolumeSource",
    &[&[opt("reference", Str), opt("pullPolicy", Str)]],
);
/// `VolumeSource`: every field is an omitempty pointer.
const VOLUME_SOURCE_FIELDS: &[Field] = &[
    ptr("hostPath", Struct(&HOST_PATH)),
    ptr("emptyDir", Struct(&EMPTY_DIR)),
    ptr("gcePersistentDisk", Struct(&GCE_PERSISTENT_DISK)),
    ptr("awsElasticBlockStore", Struct(&AWS_ELASTIC_BLOCK_STORE)),
    ptr("gitRepo", Struct(&GIT_REPO)),
    ptr("secret", Struct(&SECRET_VOLUME)),
    ptr("nfs", Struct(&NFS)),
    ptr("iscsi", Struct(&ISCSI)),
    ptr("glusterfs", Struct(&GLUSTERFS)),
    ptr("persistentVolumeClaim", Struct(&PERSISTENT_VOLUME_CLAIM)),
    ptr("rbd", Struct(&RBD)),
    ptr("flexVolume", Struct(&FLEX_VOLUME)),
    ptr("cinder", Struct(&CINDER)),
    ptr("cephfs", Struct(&CEPHFS)),
    ptr("flocker", Struct(&FLOCKER)),
    ptr("downwardAPI", Struct(&DOWNWARD_API_VOLUME)),
    ptr("fc", Struct(&FC)),
    ptr("azureFile", Struct(&AZURE_FILE)),
    ptr("configMap", Struct(&CONFIG_MAP_VOLUME)),
    ptr("vsphereVolume", Struct(&VSPHERE_VOLUME)),
    ptr("quobyte", Struct(&QUOBYTE)),
    ptr("azureDisk", Struct(&AZURE_DISK)),
    ptr("photonPersistentDisk", Struct(&PHOTON_PERSISTENT_DISK)),
    ptr("projected", Struct(&PROJECTED)),
    ptr("portworxVolume", Struct(&PORTWORX_VOLUME)),
    ptr("scaleIO", Struct(&SCALE_IO)),
    ptr("storageos", Struct(&STORAGE_OS)),
    ptr("csi", Struct(&CSI)),
    ptr("ephemeral", Struct(&EPHEMERAL)),
    ptr("image", Struct(&IMAGE_VOLUME)),
];
const VOLUME: StructDesc = desc("Volume", &[&[req("name", Str)], VOLUME_SOURCE_FIELDS]);

// ------------------------------------------------------------------------------------------------
// Unknown fields

/// A key that Go's decoding of the described type drops (it names no field there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownField {
    /// Path of the key, e.g. `spec.containers[0].imagePullPolcy` (keys joined with `.`, as
    /// `field.Path` prints them).
    pub path: String,
    /// The key itself.
    pub key: String,
    /// The field names of the object holding the key (for "did you mean").
    pub known: Vec<&'static str>,
    /// The key lies inside one of the [`SIDECAR_ONLY_FIELDS`] (`upgradeStrategy.upgradeTyp`), a part
    /// the SidecarSet CRD declares field by field; otherwise it is at the top of the container or
    /// inside its `corev1.Container` part, which the CRD keeps as written
    /// (`x-kubernetes-preserve-unknown-fields`).
    pub sidecar_part: bool,
}

/// The keys of a SidecarSet `containers[]` / `initContainers[]` item that name no field of
/// Kruise's `SidecarContainer` (`corev1.Container` plus [`SIDECAR_ONLY_FIELDS`]), at any depth, in
/// document order. Values of the wrong type are not descended into (decoding reports them).
pub fn unknown_sidecar_container_fields(value: &Value, path: &str) -> Vec<UnknownField> {
    let mut out = Vec::new();
    unknown_in(Struct(&SIDECAR_CONTAINER), value, path, false, &mut out);
    out
}

/// The keys of a `corev1.Volume` value that name no field, at any depth (see
/// [`unknown_sidecar_container_fields`]).
pub fn unknown_volume_fields(value: &Value, path: &str) -> Vec<UnknownField> {
    let mut out = Vec::new();
    unknown_in(Struct(&VOLUME), value, path, false, &mut out);
    out
}

/// Every field name of `corev1.Container`.
pub fn container_field_names() -> Vec<&'static str> {
    CONTAINER_FIELDS.iter().map(|f| f.name).collect()
}

/// Every field name of `corev1.Volume` (`name` and the volume sources).
pub fn volume_field_names() -> Vec<&'static str> {
    fields_of(&VOLUME).map(|f| f.name).collect()
}

fn unknown_in(kind: Kind, v: &Value, path: &str, sidecar: bool, out: &mut Vec<UnknownField>) {
    let child = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (kind, v) {
        (Struct(d), Value::Object(obj)) => {
            let top = std::ptr::eq(d, &SIDECAR_CONTAINER);
            for (key, val) in obj {
                match fields_of(d).find(|f| f.name == key) {
                    Some(f) => {
                        let sidecar =
                            sidecar || (top && SIDECAR_ONLY_FIELDS.contains(&key.as_str()));
                        unknown_in(f.kind, val, &child(key), sidecar, out);
                    }
                    None => out.push(UnknownField {
                        path: child(key),
                        key: key.clone(),
                        known: fields_of(d).map(|f| f.name).collect(),
                        sidecar_part: sidecar,
                    }),
                }
            }
        }
        (Kind::List(elem), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                unknown_in(*elem, item, &format!("{path}[{i}]"), sidecar, out);
            }
        }
        _ => {}
    }
}

// ------------------------------------------------------------------------------------------------
// The walker

/// A JSON path, rendered only when an error is reported.
enum Path<'a> {
    Root(&'a str),
    Field(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn render(&self) -> String {
        match self {
            Path::Root(s) => (*s).to_string(),
            Path::Field(parent, name) => {
                let mut out = parent.render();
                let plain = !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                if plain {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                } else {
                    out.push('[');
                    out.push_str(&crate::gojson::quote(name));
                    out.push(']');
                }
                out
            }
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(_) => "a boolean".to_string(),
        Value::Number(n) => format!("number {}", crate::gojson::format_number(n)),
        Value::String(_) => "a string".to_string(),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

fn type_error(path: &Path<'_>, expected: &str, found: &Value) -> SchemaError {
    SchemaError {
        path: path.render(),
        message: format!("expected {expected}, found {}", describe(found)),
    }
}

fn fields_of(d: &'static StructDesc) -> impl Iterator<Item = &'static Field> {
    d.groups.iter().flat_map(|g| g.iter())
}

/// Go's value for an absent or `null` field: `None` for nil (pointers, slices, maps), otherwise the
/// zero value.
fn nil_or_zero(f: &Field) -> Option<Value> {
    if f.pointer {
        return None;
    }
    match f.kind {
        Kind::List(_) | StrMap | Kind::QuantityMap | Raw => None,
        kind => Some(zero(kind)),
    }
}

fn zero(kind: Kind) -> Value {
    match kind {
        Str => Value::String(String::new()),
        Bool => Value::Bool(false),
        I32 | I64 | IntOrString => Value::from(0),
        Kind::Quantity => Value::String("0".to_string()),
        Struct(d) => Value::Object(encode_fields(d, Vec::new())),
        Kind::List(_) | StrMap | Kind::QuantityMap | Raw => Value::Null,
    }
}

/// Whether a non-pointer `omitempty` field is omitted (Go's `isEmptyValue`; structs never are).
fn is_empty(kind: Kind, v: &Value) -> bool {
    match kind {
        Str => v.as_str() == Some(""),
        Bool => v.as_bool() == Some(false),
        I32 | I64 => v.as_i64() == Some(0),
        Kind::List(_) => v.as_array().is_none_or(|a| a.is_empty()),
        StrMap | Kind::QuantityMap => v.as_object().is_none_or(|m| m.is_empty()),
        Kind::Quantity | IntOrString | Struct(_) | Raw => false,
    }
}

/// Encode decoded field states (`(field index, Some(value) | None for nil)`) in declaration order.
fn encode_fields(
    d: &'static StructDesc,
    mut states: Vec<(usize, Option<Value>)>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (i, f) in fields_of(d).enumerate() {
        let state = match states.iter().position(|(j, _)| *j == i) {
            Some(p) => states.swap_remove(p).1,
            None => nil_or_zero(f),
        };
        match state {
            None => {
                if !f.omitempty {
                    out.insert(f.name.to_string(), Value::Null);
                }
            }
            Some(v) => {
                if f.pointer || !f.omitempty || !is_empty(f.kind, &v) {
                    out.insert(f.name.to_string(), v);
                }
            }
        }
    }
    out
}

fn decode_struct(d: &'static StructDesc, v: &Value, path: &Path<'_>) -> Result<Value, SchemaError> {
    let obj = match v {
        Value::Object(o) => o,
        Value::Null => return Ok(zero(Struct(d))),
        other => {
            return Err(type_error(
                path,
                &format!("an object ({})", d.go_name),
                other,
            ));
        }
    };
    // Decode in document order so that the first error reported is Go's first error.
    let mut states = Vec::new();
    for (key, val) in obj {
        let Some((i, f)) = fields_of(d).enumerate().find(|(_, f)| f.name == key) else {
            continue;
        };
        let state = if val.is_null() {
            nil_or_zero(f)
        } else {
            Some(decode(f.kind, val, &Path::Field(path, key))?)
        };
        states.push((i, state));
    }
    Ok(Value::Object(encode_fields(d, states)))
}

/// Decode a non-`null` value of `kind`.
fn decode(kind: Kind, v: &Value, path: &Path<'_>) -> Result<Value, SchemaError> {
    match kind {
        Str => match v {
            Value::String(_) => Ok(v.clone()),
            other => Err(type_error(path, "a string", other)),
        },
        Bool => match v {
            Value::Bool(_) => Ok(v.clone()),
            other => Err(type_error(path, "a boolean", other)),
        },
        I32 => decode_int(v, path, 32),
        I64 => decode_int(v, path, 64),
        Kind::Quantity => Quantity::from_json(v)
            .map(|q| Value::String(q.to_string()))
            .map_err(|e| SchemaError {
                path: path.render(),
                message: match v {
                    Value::String(s) => {
                        format!("invalid quantity {}: {e}", crate::gojson::quote(s))
                    }
                    other => format!("invalid quantity ({}): {e}", describe(other)),
                },
            }),
        IntOrString => match v {
            Value::String(_) => Ok(v.clone()),
            other => decode_int(other, path, 32),
        },
        Struct(d) => match v {
            Value::Object(_) => decode_struct(d, v, path),
            other => Err(type_error(
                path,
                &format!("an object ({})", d.go_name),
                other,
            )),
        },
        Kind::List(elem) => {
            let Value::Array(items) = v else {
                return Err(type_error(path, "a list", v));
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let p = Path::Index(path, i);
                out.push(if item.is_null() {
                    zero(*elem)
                } else {
                    decode(*elem, item, &p)?
                });
            }
            Ok(Value::Array(out))
        }
        StrMap | Kind::QuantityMap => {
            let Value::Object(map) = v else {
                return Err(type_error(path, "an object (map)", v));
            };
            let elem = if matches!(kind, StrMap) {
                Str
            } else {
                Kind::Quantity
            };
            let mut entries = Vec::with_capacity(map.len());
            for (k, val) in map {
                let decoded = if val.is_null() {
                    zero(elem)
                } else {
                    decode(elem, val, &Path::Field(path, k))?
                };
                entries.push((k.clone(), decoded));
            }
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            Ok(Value::Object(entries.into_iter().collect()))
        }
        Raw => match v {
            Value::Object(_) => Ok(sorted_deep(v)),
            other => Err(type_error(path, "an object", other)),
        },
    }
}

fn decode_int(v: &Value, path: &Path<'_>, bits: u32) -> Result<Value, SchemaError> {
    let expected = if bits == 32 { "an int32" } else { "an int64" };
    let Value::Number(n) = v else {
        return Err(type_error(path, expected, v));
    };
    // Go: strconv.ParseInt(literal, 10, 64) then an overflow check for the field's width.
    let parsed = crate::gojson::format_number(n).parse::<i64>().ok();
    match parsed {
        Some(i) if bits == 64 || i32::try_from(i).is_ok() => Ok(Value::from(i)),
        _ => Err(type_error(path, expected, v)),
    }
}

fn sorted_deep(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted_deep(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted_deep).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gojson::to_string;
    use serde_json::json;

    #[test]
    fn unknown_fields_of_a_sidecar_container() {
        let v = json!({"name": "a", "image": "x", "imagePullPolcy": "Always",
            "resources": {"limit": {"cpu": "1"}, "limits": {"weird": "1"}},
            "env": [{"name": "A", "valueFrom": {"fieldRef": {"fieldPat": "x"}}}],
            "upgradeStrategy": {"upgradeTyp": "HotUpgrade"},
            "resourcesPolicy": {"resourceExpr": {}, "resourcesExpr": {"limits": {"cpu": "1", "gpu": "2"}}}});
        let found: Vec<(String, bool)> = unknown_sidecar_container_fields(&v, "spec.containers[0]")
            .into_iter()
            .map(|u| (u.path, u.sidecar_part))
            .collect();
        assert_eq!(
            found,
            [
                ("spec.containers[0].imagePullPolcy".to_owned(), false),
                ("spec.containers[0].resources.limit".to_owned(), false),
                (
                    "spec.containers[0].env[0].valueFrom.fieldRef.fieldPat".to_owned(),
                    false
                ),
                (
                    "spec.containers[0].upgradeStrategy.upgradeTyp".to_owned(),
                    true
                ),
                (
                    "spec.containers[0].resourcesPolicy.resourceExpr".to_owned(),
                    true
                ),
                (
                    "spec.containers[0].resourcesPolicy.resourcesExpr.limits.gpu".to_owned(),
                    true
                ),
            ]
        );
        let u = &unknown_volume_fields(&json!({"name": "v", "configmap": {"name": "c"}}), "v")[0];
        assert_eq!(
            (u.path.as_str(), u.key.as_str()),
            ("v.configmap", "configmap")
        );
        assert!(u.known.contains(&"configMap"));
    }

    fn c(v: Value) -> String {
        match container(&v, "c") {
            Ok(out) => to_string(&out),
            Err(e) => format!("error: {e}"),
        }
    }

    fn vol(v: Value) -> String {
        match volume(&v, "v") {
            Ok(out) => to_string(&out),
            Err(e) => format!("error: {e}"),
        }
    }

    fn err(r: Result<Value, SchemaError>) -> (String, String) {
        match r {
            Ok(v) => (String::new(), to_string(&v)),
            Err(e) => (e.path, e.message),
        }
    }

    #[test]
    fn empty_container_and_sidecar() {
        assert_eq!(c(json!({})), r#"{"name":"","resources":{}}"#);
        assert_eq!(c(json!(null)), r#"{"name":"","resources":{}}"#);
        let s = sidecar_container(&json!({"name": "x"}), "c").map(|v| to_string(&v));
        assert_eq!(
            s,
            Ok(
                r#"{"name":"x","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{}}"#
                    .to_string()
            )
        );
    }

    #[test]
    fn required_fields_always_present() {
        let out = c(json!({
            "name": "x",
            "ports": [{}],
            "env": [{}, {"name": "A", "valueFrom": {"fieldRef": {}, "resourceFieldRef": {}, "configMapKeyRef": {}, "secretKeyRef": {}}}],
            "volumeMounts": [{}],
            "volumeDevices": [{}],
            "livenessProbe": {"httpGet": {}, "tcpSocket": {}, "grpc": {}},
            "lifecycle": {"preStop": {"sleep": {}}},
            "resizePolicy": [{}],
            "securityContext": {"seccompProfile": {}},
        }));
        assert_eq!(
            out,
            concat!(
                r#"{"name":"x","ports":[{"containerPort":0}],"#,
                r#""env":[{"name":""},{"name":"A","valueFrom":{"fieldRef":{"fieldPath":""},"resourceFieldRef":{"resource":"","divisor":"0"},"configMapKeyRef":{"key":""},"secretKeyRef":{"key":""}}}],"#,
                r#""resources":{},"resizePolicy":[{"resourceName":"","restartPolicy":""}],"#,
                r#""volumeMounts":[{"name":"","mountPath":""}],"volumeDevices":[{"name":"","devicePath":""}],"#,
                r#""livenessProbe":{"httpGet":{"port":0},"tcpSocket":{"port":0},"grpc":{"port":0,"service":null}},"#,
                r#""lifecycle":{"preStop":{"sleep":{"seconds":0}}},"securityContext":{"seccompProfile":{"type":""}}}"#
            )
        );
    }

    #[test]
    fn omitempty_values_versus_pointers() {
        let out = c(json!({
            "name": "x", "image": "", "command": [], "stdin": false, "tty": true, "workingDir": "",
            "ports": [{"containerPort": 80, "hostPort": 0, "protocol": ""}],
            "restartPolicy": "",
            "volumeMounts": [{"name": "v", "mountPath": "/m", "readOnly": false, "mountPropagation": ""}],
            "livenessProbe": {"initialDelaySeconds": 0, "terminationGracePeriodSeconds": 0},
            "securityContext": {"privileged": false, "runAsUser": 0, "capabilities": {}},
            "shareVolumeDevicePolicy": {},
        }));
        assert_eq!(
            out,
            concat!(
                r#"{"name":"x","ports":[{"containerPort":80}],"resources":{},"restartPolicy":"","#,
                r#""volumeMounts":[{"name":"v","mountPath":"/m","mountPropagation":""}],"#,
                r#""livenessProbe":{"terminationGracePeriodSeconds":0},"#,
                r#""securityContext":{"capabilities":{},"privileged":false,"runAsUser":0},"tty":true}"#
            )
        );
        let s = sidecar_container(
            &json!({"name": "x", "shareVolumeDevicePolicy": {}, "transferEnv": []}),
            "c",
        )
        .map(|v| to_string(&v));
        assert_eq!(
            s,
            Ok(r#"{"name":"x","resources":{},"upgradeStrategy":{},"shareVolumePolicy":{},"shareVolumeDevicePolicy":{}}"#.to_string())
        );
    }

    #[test]
    fn unknown_fields_dropped_case_sensitively() {
        assert_eq!(
            c(
                json!({"Name": "upper", "name": "x", "foo": {"bar": 1}, "image": "i", "IMAGE": "j",
                     "env": [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "p", "x": 1}}, "extra": true}]})
            ),
            r#"{"name":"x","image":"i","env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"p"}}}],"resources":{}}"#
        );
    }

    #[test]
    fn null_is_the_zero_value() {
        assert_eq!(
            c(
                json!({"name": null, "image": null, "command": [null, "a"], "env": null, "resources": null,
                     "livenessProbe": null, "ports": [null], "securityContext": {"privileged": null}})
            ),
            r#"{"name":"","command":["","a"],"ports":[{"containerPort":0}],"resources":{},"securityContext":{}}"#
        );
        assert_eq!(
            c(json!({"name": "x", "resources": {"limits": {"cpu": null}}})),
            r#"{"name":"x","resources":{"limits":{"cpu":"0"}}}"#
        );
    }

    #[test]
    fn maps_sorted_and_quantities_canonical_without_rounding() {
        assert_eq!(
            c(json!({"name": "x", "resources": {
                "requests": {"memory": "1024Mi", "cpu": "0.0001", "ephemeral-storage": 1000},
                "limits": {"nvidia.com/gpu": 1, "cpu": 1.5, "memory": "1.5Gi"},
                "claims": [{"name": "gpu"}]}})),
            concat!(
                r#"{"name":"x","resources":{"limits":{"cpu":"1500m","memory":"1536Mi","nvidia.com/gpu":"1"},"#,
                r#""requests":{"cpu":"100u","ephemeral-storage":"1k","memory":"1Gi"},"claims":[{"name":"gpu"}]}}"#
            )
        );
    }

    #[test]
    fn int_or_string_ports() {
        assert_eq!(
            c(
                json!({"name": "x", "readinessProbe": {"httpGet": {"port": "http"}, "tcpSocket": {"port": 80.0}}})
            ),
            r#"{"name":"x","resources":{},"readinessProbe":{"httpGet":{"port":"http"},"tcpSocket":{"port":80}}}"#
        );
    }

    #[test]
    fn type_errors_carry_paths() {
        let p = "spec.containers[0]";
        let e = |v: Value| err(sidecar_container(&v, p));
        assert_eq!(
            e(
                json!({"name": "x", "env": [{"name": "A", "value": "ok"}, {"name": "B", "value": 1}]})
            ),
            (
                "spec.containers[0].env[1].value".to_string(),
                "expected a string, found number 1".to_string()
            )
        );
        assert_eq!(
            e(json!({"name": "x", "ports": [{"containerPort": "80"}]})).0,
            "spec.containers[0].ports[0].containerPort"
        );
        assert_eq!(
            e(json!({"name": "x", "ports": [{"containerPort": 2_147_483_648_i64}]})).1,
            "expected an int32, found number 2147483648"
        );
        assert_eq!(
            e(json!({"name": "x", "livenessProbe": {"httpGet": {"port": 80.5}}})),
            (
                "spec.containers[0].livenessProbe.httpGet.port".to_string(),
                "expected an int32, found number 80.5".to_string()
            )
        );
        assert_eq!(
            e(json!({"name": "x", "command": "sleep"})),
            (
                "spec.containers[0].command".to_string(),
                "expected a list, found a string".to_string()
            )
        );
        assert_eq!(
            e(json!({"name": "x", "resources": []})),
            (
                "spec.containers[0].resources".to_string(),
                "expected an object (ResourceRequirements), found a list".to_string()
            )
        );
        assert_eq!(
            e(json!({"name": "x", "stdin": "true"})).1,
            "expected a boolean, found a string"
        );
        assert_eq!(e(json!({"name": 5})).0, "spec.containers[0].name");
        let (path, message) =
            e(json!({"name": "x", "resources": {"limits": {"nvidia.com/gpu": "lots"}}}));
        assert_eq!(
            path,
            r#"spec.containers[0].resources.limits["nvidia.com/gpu"]"#
        );
        assert!(
            message.starts_with(r#"invalid quantity "lots": quantities must match"#),
            "{message}"
        );
        assert_eq!(
            e(json!("nope")),
            (
                p.to_string(),
                "expected an object (SidecarContainer), found a string".to_string()
            )
        );
        // The first error in document order wins, as in Go.
        assert_eq!(
            e(json!({"image": 1, "name": 2})).0,
            "spec.containers[0].image"
        );
        assert_eq!(
            e(json!({"name": 2, "image": 1})).0,
            "spec.containers[0].name"
        );
        assert_eq!(
            e(json!({"name": "x", "upgradeStrategy": {"upgradeType": true}})).0,
            "spec.containers[0].upgradeStrategy.upgradeType"
        );
        assert_eq!(
            err(volume(
                &json!({"name": "v", "secret": {"defaultMode": "0644"}}),
                "spec.volumes[2]"
            ))
            .0,
            "spec.volumes[2].secret.defaultMode"
        );
    }

    #[test]
    fn volumes_in_go_order() {
        assert_eq!(
            vol(json!({"emptyDir": {}, "name": "a"})),
            r#"{"name":"a","emptyDir":{}}"#
        );
        assert_eq!(vol(json!({"name": "a"})), r#"{"name":"a"}"#);
        assert_eq!(
            vol(json!({"name": "a", "emptyDir": {"sizeLimit": "1024Mi", "medium": "Memory"}})),
            r#"{"name":"a","emptyDir":{"medium":"Memory","sizeLimit":"1Gi"}}"#
        );
        assert_eq!(
            vol(
                json!({"name": "a", "configMap": {"optional": false, "items": [{"path": "p", "key": "k", "mode": 0}], "name": "cm"}})
            ),
            r#"{"name":"a","configMap":{"name":"cm","items":[{"key":"k","path":"p","mode":0}],"optional":false}}"#
        );
        assert_eq!(
            vol(json!({"name": "a", "projected": {}})),
            r#"{"name":"a","projected":{"sources":null}}"#
        );
        assert_eq!(
            vol(json!({"name": "a", "projected": {"sources": []}})),
            r#"{"name":"a","projected":{"sources":[]}}"#
        );
        assert_eq!(
            vol(json!({"name": "a", "scaleIO": {"system": "s", "gateway": "g"}})),
            r#"{"name":"a","scaleIO":{"gateway":"g","system":"s","secretRef":null}}"#
        );
        assert_eq!(
            vol(
                json!({"name": "a", "csi": {"volumeAttributes": {"z": "1", "a": "2"}, "driver": "d", "readOnly": false}})
            ),
            r#"{"name":"a","csi":{"driver":"d","readOnly":false,"volumeAttributes":{"a":"2","z":"1"}}}"#
        );
        assert_eq!(
            vol(
                json!({"name": "a", "hostPath": {"type": "", "path": "/x"}, "secret": {"secretName": "s"}})
            ),
            r#"{"name":"a","hostPath":{"path":"/x","type":""},"secret":{"secretName":"s"}}"#
        );
        assert_eq!(
            vol(json!({"name": "a", "rbd": {"image": "i"}})),
            r#"{"name":"a","rbd":{"monitors":null,"image":"i"}}"#
        );
        // Known approximation: the claim template is kept with sorted keys.
        assert_eq!(
            vol(
                json!({"name": "a", "ephemeral": {"volumeClaimTemplate": {"spec": {"b": 1, "a": 2}, "metadata": {}}}})
            ),
            r#"{"name":"a","ephemeral":{"volumeClaimTemplate":{"metadata":{},"spec":{"a":2,"b":1}}}}"#
        );
        assert_eq!(
            vol(
                json!({"name": "a", "projected": {"sources": [{"clusterTrustBundle": {"path": "p", "labelSelector": {"matchLabels": {"b": "1", "a": "2"}, "matchExpressions": [{"operator": "In", "key": "k"}]}}}]}})
            ),
            r#"{"name":"a","projected":{"sources":[{"clusterTrustBundle":{"labelSelector":{"matchLabels":{"a":"2","b":"1"},"matchExpressions":[{"key":"k","operator":"In"}]},"path":"p"}}]}}"#
        );
    }

    #[test]
    fn small_types() {
        assert_eq!(
            local_object_reference(&json!({"name": "s", "x": 1}), "p").map(|v| to_string(&v)),
            Ok(r#"{"name":"s"}"#.to_string())
        );
        assert_eq!(
            patch_pod_metadata(
                &json!({"patchPolicy": "Retain", "annotations": {"b": "1", "a": "2"}}),
                "p"
            )
            .map(|v| to_string(&v)),
            Ok(r#"{"annotations":{"a":"2","b":"1"},"patchPolicy":"Retain"}"#.to_string())
        );
        assert_eq!(
            label_selector(&json!({}), "p").map(|v| to_string(&v)),
            Ok("{}".to_string())
        );
    }

    #[test]
    fn normalizing_is_idempotent() {
        let input = json!({"name": "x", "image": "i", "resources": {"limits": {"cpu": "+100m", "memory": "1.5Gi"}},
                           "env": [{"name": "A"}], "podInjectPolicy": "BeforeAppContainer",
                           "livenessProbe": {"grpc": {"port": 1}}});
        let once = sidecar_container(&input, "c").unwrap_or_default();
        let twice = sidecar_container(&once, "c").unwrap_or_default();
        assert_eq!(to_string(&once), to_string(&twice));
    }

    #[test]
    fn injected_container_drops_sidecar_fields() {
        let s = sidecar_container(
            &json!({"name": "x", "image": "i", "podInjectPolicy": "AfterAppContainer", "transferEnv": [{"envName": "E"}], "tty": true}),
            "c",
        )
        .unwrap_or_default();
        assert_eq!(
            to_string(&container_from_sidecar(&s)),
            r#"{"name":"x","image":"i","resources":{},"tty":true}"#
        );
    }
}
