//! Path-aware decoding of `serde_json::Value`s with Go `encoding/json` rules: `null` decodes to the
//! zero value, unknown members are ignored, a member of the wrong type is an error.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// A field with the wrong type or value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub(crate) path: String,
    pub(crate) message: String,
}

impl FieldError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl From<kruise_inject_kube::SchemaError> for FieldError {
    fn from(e: kruise_inject_kube::SchemaError) -> Self {
        FieldError::new(e.path, e.message)
    }
}

/// `prefix.key` (or whichever is non-empty).
pub(crate) fn join(prefix: &str, key: &str) -> String {
    match (prefix.is_empty(), key.is_empty()) {
        (true, _) => key.to_owned(),
        (_, true) => prefix.to_owned(),
        _ => format!("{prefix}.{key}"),
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

fn type_error(path: &str, expected: &str, found: &Value) -> FieldError {
    let hint = match (expected, found) {
        ("a string", Value::Number(_) | Value::Bool(_)) => ": quote the value",
        _ => "",
    };
    FieldError::new(
        path,
        format!("expected {expected}, found {}{hint}", describe(found)),
    )
}

/// `v` as a map; `None` for null.
pub(crate) fn object<'a>(
    v: &'a Value,
    path: &str,
) -> Result<Option<&'a Map<String, Value>>, FieldError> {
    match v {
        Value::Null => Ok(None),
        Value::Object(m) => Ok(Some(m)),
        other => Err(type_error(path, "a map", other)),
    }
}

/// Member `key` of `obj` as a map; `None` if absent or null.
pub(crate) fn member_object<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a Map<String, Value>>, FieldError> {
    match obj.get(key) {
        None => Ok(None),
        Some(v) => object(v, &join(path, key)),
    }
}

/// Member `key` as a string; `None` if absent or null.
pub(crate) fn string(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<String>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(type_error(&join(path, key), "a string", other)),
    }
}

/// Member `key` as a boolean; `None` if absent or null.
pub(crate) fn boolean(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<bool>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(type_error(
            &join(path, key),
            "a boolean (true or false)",
            other,
        )),
    }
}

/// Member `key` as an `int32`; `None` if absent or null.
pub(crate) fn int32(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<i32>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Number(n)) => n
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| type_error(&join(path, key), "a 32-bit integer", v)),
        Some(other) => Err(type_error(&join(path, key), "an integer", other)),
    }
}

/// Member `key` as a list; empty if absent or null.
pub(crate) fn array<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a [Value], FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(type_error(&join(path, key), "a list", other)),
    }
}

/// Member `key` as a list of strings (null items are empty strings).
pub(crate) fn string_list(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Vec<String>, FieldError> {
    let list_path = join(path, key);
    array(obj, key, path)?
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::Null => Ok(String::new()),
            Value::String(s) => Ok(s.clone()),
            other => Err(type_error(&format!("{list_path}[{i}]"), "a string", other)),
        })
        .collect()
}

/// Member `key` as a string-to-string map (null values are empty strings).
pub(crate) fn string_map(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<BTreeMap<String, String>, FieldError> {
    let map_path = join(path, key);
    let Some(m) = member_object(obj, key, path)? else {
        return Ok(BTreeMap::new());
    };
    m.iter()
        .map(|(k, v)| match v {
            Value::Null => Ok((k.clone(), String::new())),
            Value::String(s) => Ok((k.clone(), s.clone())),
            other => Err(type_error(&format!("{map_path}[{k}]"), "a string", other)),
        })
        .collect()
}

/// A `map[string]string` field (labels, annotations) at a JSON pointer; absent or null is empty.
pub fn string_map_at(value: &Value, pointer: &str) -> Result<BTreeMap<String, String>, String> {
    match value.pointer(pointer) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                Value::Null => Ok((k.clone(), String::new())),
                other => Err(format!(
                    "the value of {k:?} is {other}, not a string: quote it (kubectl would reject it)"
                )),
            })
            .collect(),
        Some(other) => Err(format!("expected a mapping of strings, found {other}")),
    }
}
