//! Decoding user values as Go decodes them into Kubernetes structs, and re-encoding them in Go field
//! order with Go's `omitempty` rules.

use serde_json::Value;

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
    let _ = (value, path);
    todo!()
}

/// `value` decoded into `corev1.Container` and re-encoded (see [`sidecar_container`]).
pub fn container(value: &Value, path: &str) -> Result<Value, SchemaError> {
    let _ = (value, path);
    todo!()
}

/// `value` decoded into `corev1.Volume` and re-encoded.
pub fn volume(value: &Value, path: &str) -> Result<Value, SchemaError> {
    let _ = (value, path);
    todo!()
}
