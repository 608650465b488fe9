//! The injected `corev1.Container` value: its Go field order, and the `EnvVar` values injection
//! creates.

use serde_json::{Map, Value, json};

/// `corev1.Container` JSON fields in Go declaration order (k8s.io/api v0.32, plus the later
/// `restartPolicyRules`), so that fields injection adds land where Go's `json.Marshal` puts them.
const CONTAINER_FIELDS: &[&str] = &[
    "name",
    "image",
    "command",
    "args",
    "workingDir",
    "ports",
    "envFrom",
    "env",
    "resources",
    "resizePolicy",
    "restartPolicy",
    "restartPolicyRules",
    "volumeMounts",
    "volumeDevices",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "imagePullPolicy",
    "securityContext",
    "stdin",
    "stdinOnce",
    "tty",
];

fn rank(key: &str) -> usize {
    CONTAINER_FIELDS
        .iter()
        .position(|k| *k == key)
        .unwrap_or(usize::MAX)
}

/// Sets `key` of a container object: in place if present, else at its Go position.
pub(super) fn set_field(container: &mut Map<String, Value>, key: &str, value: Value) {
    if let Some(slot) = container.get_mut(key) {
        *slot = value;
        return;
    }
    let r = rank(key);
    let index = container
        .keys()
        .position(|k| rank(k) > r)
        .unwrap_or(container.len());
    container.shift_insert(index, key.to_owned(), value);
}

/// Sets a list field the way Go's `omitempty` shows it: an empty list removes the field.
pub(super) fn set_list(container: &mut Map<String, Value>, key: &str, items: Vec<Value>) {
    if items.is_empty() {
        container.shift_remove(key);
    } else {
        set_field(container, key, Value::Array(items));
    }
}

/// The items of a list field of `value` (empty if absent or not a list).
pub(super) fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A string field of `value` (`""` if absent or not a string, as Go's zero value).
pub(super) fn str_field<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `corev1.EnvVar{Name: name, Value: value}`.
pub(super) fn env_value(name: &str, value: &str) -> Value {
    json!({"name": name, "value": value})
}

/// `corev1.EnvVar` with `valueFrom.fieldRef.fieldPath` and no `apiVersion` (as the webhook writes
/// it; API-server defaulting adds `v1` later).
pub(super) fn env_field_ref(name: &str, field_path: &str) -> Value {
    json!({"name": name, "valueFrom": {"fieldRef": {"fieldPath": field_path}}})
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{set_field, set_list};

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    #[test]
    fn new_fields_land_at_their_go_position() {
        let mut c =
            json!({"name": "a", "image": "i", "resources": {}, "terminationMessagePath": "/p"});
        let obj = c.as_object_mut().expect("object");
        set_field(obj, "env", json!([]));
        set_field(obj, "volumeDevices", json!([]));
        set_field(obj, "volumeMounts", json!([]));
        set_field(obj, "tty", json!(true));
        assert_eq!(
            keys(&c),
            [
                "name",
                "image",
                "env",
                "resources",
                "volumeMounts",
                "volumeDevices",
                "terminationMessagePath",
                "tty"
            ]
        );
    }

    #[test]
    fn existing_fields_are_replaced_in_place_and_empty_lists_removed() {
        let mut c = json!({"name": "a", "env": [1], "image": "i"});
        let obj = c.as_object_mut().expect("object");
        set_field(obj, "env", json!([2]));
        assert_eq!(keys(&c), ["name", "env", "image"]);
        let obj = c.as_object_mut().expect("object");
        set_list(obj, "env", Vec::new());
        assert_eq!(c, json!({"name": "a", "image": "i"}));
    }
}
