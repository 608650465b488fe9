//! Items injection copies from the pod's own containers (`EnvVar`, `VolumeMount`,
//! `VolumeDevice`), re-encoded as the webhook's Go structs marshal them: Go field order, unknown
//! fields dropped, `omitempty` zero values omitted, and the API server's pod defaulting applied
//! (`SetDefaults_ObjectFieldSelector`: `fieldRef.apiVersion` `v1`), since the webhook sees the
//! defaulted pod.

use kruise_inject_kube::quantity::Quantity;
use serde_json::{Map, Value};

/// How one Go struct field is encoded.
#[derive(Clone, Copy)]
enum Kind {
    /// `string` without `omitempty`: always present, `""` if unset.
    Str,
    /// `string` with `omitempty`.
    OptStr,
    /// `bool` with `omitempty`.
    OptBool,
    /// A pointer with `omitempty` (kept as given when not `null`).
    OptPtr,
    /// `resource.Quantity` without `omitempty`: always present, `"0"` if unset.
    Quantity,
}

fn encode(value: &Value, fields: &[(&str, Kind)]) -> Value {
    let mut out = Map::new();
    for (key, kind) in fields {
        let v = value.get(*key).filter(|v| !v.is_null());
        let encoded = match kind {
            Kind::Str => Some(Value::String(
                v.and_then(Value::as_str).unwrap_or("").to_owned(),
            )),
            Kind::OptStr => v.filter(|v| v.as_str() != Some("")).cloned(),
            Kind::OptBool => v.filter(|v| v.as_bool() != Some(false)).cloned(),
            Kind::OptPtr => v.cloned(),
            // Canonical text; a value Go cannot parse (the API server rejects such a pod) is
            // kept as given.
            Kind::Quantity => Some(match v {
                None => Value::String("0".to_owned()),
                Some(v) => Quantity::from_json(v)
                    .map_or_else(|_| v.clone(), |q| Value::String(q.to_string())),
            }),
        };
        if let Some(e) = encoded {
            out.insert((*key).to_owned(), e);
        }
    }
    Value::Object(out)
}

/// A `corev1.EnvVar` of a pod container.
pub(super) fn env_var(env: &Value) -> Value {
    let mut out = encode(env, &[("name", Kind::Str), ("value", Kind::OptStr)]);
    if let (Some(source), Some(obj)) = (
        env.get("valueFrom").filter(|v| v.is_object()),
        out.as_object_mut(),
    ) {
        obj.insert("valueFrom".to_owned(), env_var_source(source));
    }
    out
}

fn env_var_source(source: &Value) -> Value {
    let mut out = Map::new();
    let key_selector = [
        ("name", Kind::OptStr),
        ("key", Kind::Str),
        ("optional", Kind::OptPtr),
    ];
    for key in [
        "fieldRef",
        "resourceFieldRef",
        "configMapKeyRef",
        "secretKeyRef",
    ] {
        let Some(v) = source.get(key).filter(|v| v.is_object()) else {
            continue;
        };
        let encoded = match key {
            "fieldRef" => {
                let mut f = encode(v, &[("apiVersion", Kind::OptStr), ("fieldPath", Kind::Str)]);
                if let Some(obj) = f.as_object_mut()
                    && !obj.contains_key("apiVersion")
                {
                    obj.shift_insert(0, "apiVersion".to_owned(), Value::String("v1".to_owned()));
                }
                f
            }
            "resourceFieldRef" => encode(
                v,
                &[
                    ("containerName", Kind::OptStr),
                    ("resource", Kind::Str),
                    ("divisor", Kind::Quantity),
                ],
            ),
            _ => encode(v, &key_selector),
        };
        out.insert(key.to_owned(), encoded);
    }
    Value::Object(out)
}

/// A `corev1.VolumeMount` of a pod container.
pub(super) fn volume_mount(mount: &Value) -> Value {
    encode(
        mount,
        &[
            ("name", Kind::Str),
            ("readOnly", Kind::OptBool),
            ("recursiveReadOnly", Kind::OptPtr),
            ("mountPath", Kind::Str),
            ("subPath", Kind::OptStr),
            ("mountPropagation", Kind::OptPtr),
            ("subPathExpr", Kind::OptStr),
        ],
    )
}

/// A `corev1.VolumeDevice` of a pod container.
pub(super) fn volume_device(device: &Value) -> Value {
    encode(device, &[("name", Kind::Str), ("devicePath", Kind::Str)])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{env_var, volume_device, volume_mount};

    #[test]
    fn env_vars_in_go_order_with_pod_defaults() {
        assert_eq!(
            env_var(&json!({"value": "", "name": "A", "extra": 1})).to_string(),
            r#"{"name":"A"}"#
        );
        assert_eq!(
            env_var(
                &json!({"valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}, "name": "P"})
            )
            .to_string(),
            r#"{"name":"P","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}}"#
        );
        assert_eq!(
            env_var(&json!({"name": "S", "valueFrom": {
                "secretKeyRef": {"key": "k", "name": "s", "optional": false},
                "resourceFieldRef": {"resource": "limits.cpu", "divisor": "1000m"}}}))
            .to_string(),
            r#"{"name":"S","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"1"},"secretKeyRef":{"name":"s","key":"k","optional":false}}}"#
        );
    }

    #[test]
    fn unset_divisor_is_zero() {
        assert_eq!(
            env_var(&json!({"name": "R", "valueFrom": {"resourceFieldRef": {"resource": "requests.memory"}}}))
                .to_string(),
            r#"{"name":"R","valueFrom":{"resourceFieldRef":{"resource":"requests.memory","divisor":"0"}}}"#
        );
    }

    #[test]
    fn mounts_and_devices_in_go_order() {
        assert_eq!(
            volume_mount(
                &json!({"mountPath": "/a", "readOnly": false, "subPathExpr": "$(X)", "name": "v"})
            )
            .to_string(),
            r#"{"name":"v","mountPath":"/a","subPathExpr":"$(X)"}"#
        );
        assert_eq!(
            volume_device(&json!({"devicePath": "/dev/x", "name": "d"})).to_string(),
            r#"{"name":"d","devicePath":"/dev/x"}"#
        );
    }
}
