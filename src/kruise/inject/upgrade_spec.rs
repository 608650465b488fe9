//! The `kruise.io/sidecarset-hash` and `-without-image` pod annotations: Go-JSON of
//! `map[sidecarSetName]SidecarSetUpgradeSpec` (`util.go: SidecarSetUpgradeSpec`),
//! read as `buildSidecars` reads them (new format, else legacy `{"name":"hash"}`).

use std::collections::BTreeMap;

use kruise_inject_kube::gojson::push_quoted;
use serde_json::{Map, Value};

/// `SidecarSetUpgradeSpec`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpgradeSpec {
    /// `updateTimestamp` as Go re-marshals it (RFC 3339, UTC, seconds); `None` is the zero time,
    /// marshalled as `null`.
    pub update_timestamp: Option<String>,
    /// `hash`.
    pub hash: String,
    /// `sidecarSetName`.
    pub sidecar_set_name: String,
    /// `sidecarList`; `None` is a nil slice (`null`).
    pub sidecar_list: Option<Vec<String>>,
    /// `controllerRevision` (omitted when empty).
    pub controller_revision: String,
}

impl UpgradeSpec {
    /// Equal apart from `updateTimestamp`.
    pub(crate) fn same_content(&self, other: &UpgradeSpec) -> bool {
        self.hash == other.hash
            && self.sidecar_set_name == other.sidecar_set_name
            && self.sidecar_list == other.sidecar_list
            && self.controller_revision == other.controller_revision
    }

    /// Go-JSON of the struct, fields in declaration order: what [`UpgradeSpec::to_value`] holds,
    /// written directly (this runs once per injected pod).
    fn write_json(&self, out: &mut String) {
        out.push_str("{\"updateTimestamp\":");
        match &self.update_timestamp {
            Some(t) => push_quoted(out, t),
            None => out.push_str("null"),
        }
        out.push_str(",\"hash\":");
        push_quoted(out, &self.hash);
        out.push_str(",\"sidecarSetName\":");
        push_quoted(out, &self.sidecar_set_name);
        out.push_str(",\"sidecarList\":");
        match &self.sidecar_list {
            Some(list) => {
                out.push('[');
                for (i, name) in list.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_quoted(out, name);
                }
                out.push(']');
            }
            None => out.push_str("null"),
        }
        if !self.controller_revision.is_empty() {
            out.push_str(",\"controllerRevision\":");
            push_quoted(out, &self.controller_revision);
        }
        out.push('}');
    }

    #[cfg(test)]
    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "updateTimestamp".into(),
            self.update_timestamp
                .clone()
                .map_or(Value::Null, Value::String),
        );
        m.insert("hash".into(), Value::String(self.hash.clone()));
        m.insert(
            "sidecarSetName".into(),
            Value::String(self.sidecar_set_name.clone()),
        );
        m.insert(
            "sidecarList".into(),
            self.sidecar_list.as_ref().map_or(Value::Null, |l| {
                Value::Array(l.iter().cloned().map(Value::String).collect())
            }),
        );
        if !self.controller_revision.is_empty() {
            m.insert(
                "controllerRevision".into(),
                Value::String(self.controller_revision.clone()),
            );
        }
        Value::Object(m)
    }
}

/// Go-JSON of the map (keys sorted, fields in declaration order); `None` (a nil map) is `null`.
pub(crate) fn encode(map: Option<&BTreeMap<String, UpgradeSpec>>) -> String {
    let Some(map) = map else {
        return "null".to_owned();
    };
    let mut out = String::with_capacity(256 * map.len() + 2);
    out.push('{');
    for (i, (name, spec)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_quoted(&mut out, name);
        out.push(':');
        spec.write_json(&mut out);
    }
    out.push('}');
    out
}

/// Parses an annotation value as `buildSidecars` does: `map[string]SidecarSetUpgradeSpec`, else
/// the legacy `map[string]string` (entries `{hash, sidecarSetName}` with a zero timestamp and nil
/// list). `Ok(None)` is JSON `null` (Go then holds a nil map). `Err` carries Go-like detail.
pub(crate) fn parse(text: &str) -> Result<Option<BTreeMap<String, UpgradeSpec>>, String> {
    let value = parse_json(text)?;
    let new_format_error = match new_format(&value) {
        Ok(map) => return Ok(map),
        Err(e) => e,
    };
    match legacy_format(&value) {
        Ok(Some(legacy)) => Ok(Some(
            legacy
                .into_iter()
                .map(|(name, hash)| {
                    let spec = UpgradeSpec {
                        hash,
                        sidecar_set_name: name.clone(),
                        ..UpgradeSpec::default()
                    };
                    (name, spec)
                })
                .collect(),
        )),
        _ => Err(new_format_error),
    }
}

/// The new format alone (`map[string]SidecarSetUpgradeSpec`): `Ok(None)` for JSON `null`; `Err`
/// where Go's decoder reports any error.
pub(crate) fn parse_new_format(
    text: &str,
) -> Result<Option<BTreeMap<String, UpgradeSpec>>, String> {
    new_format(&parse_json(text)?)
}

/// The legacy format alone (`map[string]string`, `null` values as `""`): `Ok(None)` for JSON
/// `null`.
pub(crate) fn parse_legacy(text: &str) -> Result<Option<BTreeMap<String, String>>, String> {
    legacy_format(&parse_json(text)?)
}

fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))
}

fn legacy_format(value: &Value) -> Result<Option<BTreeMap<String, String>>, String> {
    let entries = match value {
        Value::Null => return Ok(None),
        Value::Object(entries) => entries,
        other => return Err(format!("expected a JSON object, found {}", kind(other))),
    };
    entries
        .iter()
        .map(|(name, hash)| match hash {
            Value::String(s) => Ok((name.clone(), s.clone())),
            Value::Null => Ok((name.clone(), String::new())),
            other => Err(format!(
                "entry {name:?}: expected a string, found {}",
                kind(other)
            )),
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

fn new_format(value: &Value) -> Result<Option<BTreeMap<String, UpgradeSpec>>, String> {
    let entries = match value {
        Value::Null => return Ok(None),
        Value::Object(entries) => entries,
        other => return Err(format!("expected a JSON object, found {}", kind(other))),
    };
    let mut out = BTreeMap::new();
    for (name, entry) in entries {
        let spec = match entry {
            // Go leaves the zero struct for a null element.
            Value::Null => UpgradeSpec::default(),
            Value::Object(fields) => {
                parse_entry(fields).map_err(|e| format!("entry {name:?}: {e}"))?
            }
            other => {
                return Err(format!(
                    "entry {name:?}: expected an object, found {}",
                    kind(other)
                ));
            }
        };
        out.insert(name.clone(), spec);
    }
    Ok(Some(out))
}

/// Decodes one `SidecarSetUpgradeSpec` object; keys match fields case-insensitively as in Go,
/// unknown keys are ignored and `null` leaves a field unchanged (nil for `sidecarList`).
fn parse_entry(fields: &Map<String, Value>) -> Result<UpgradeSpec, String> {
    const FIELDS: [&str; 5] = [
        "updateTimestamp",
        "hash",
        "sidecarSetName",
        "sidecarList",
        "controllerRevision",
    ];
    let mut spec = UpgradeSpec::default();
    for (key, value) in fields {
        let field = FIELDS
            .into_iter()
            .find(|f| *f == key)
            .or_else(|| FIELDS.into_iter().find(|f| f.eq_ignore_ascii_case(key)));
        let Some(field) = field else { continue };
        let string = |target: &mut String| -> Result<(), String> {
            match value {
                Value::Null => Ok(()),
                Value::String(s) => {
                    target.clone_from(s);
                    Ok(())
                }
                other => Err(format!("{key}: expected a string, found {}", kind(other))),
            }
        };
        match field {
            "updateTimestamp" => {
                spec.update_timestamp = match value {
                    Value::Null => None,
                    Value::String(s) => crate::kruise::timestamp::normalize_metav1(s)
                        .map_err(|e| format!("{key}: {e}"))?,
                    other => {
                        return Err(format!("{key}: expected a string, found {}", kind(other)));
                    }
                }
            }
            "hash" => string(&mut spec.hash)?,
            "sidecarSetName" => string(&mut spec.sidecar_set_name)?,
            "controllerRevision" => string(&mut spec.controller_revision)?,
            _ => {
                spec.sidecar_list = match value {
                    Value::Null => None,
                    Value::Array(items) => Some(
                        items
                            .iter()
                            .map(|item| match item {
                                Value::String(s) => Ok(s.clone()),
                                Value::Null => Ok(String::new()),
                                other => {
                                    Err(format!("{key}: expected strings, found {}", kind(other)))
                                }
                            })
                            .collect::<Result<_, _>>()?,
                    ),
                    other => {
                        return Err(format!("{key}: expected a list, found {}", kind(other)));
                    }
                }
            }
        }
    }
    Ok(spec)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::Value;

    use super::{UpgradeSpec, encode, parse};

    #[test]
    fn encode_writes_what_go_marshals() {
        let full = UpgradeSpec {
            update_timestamp: Some("2024-01-01T00:00:00Z".into()),
            hash: "h<&>".into(),
            sidecar_set_name: "a\u{2028}\"b".into(),
            sidecar_list: Some(vec!["x".into(), "y".into()]),
            controller_revision: "a-1".into(),
        };
        let zero = UpgradeSpec {
            sidecar_list: Some(vec![]),
            ..UpgradeSpec::default()
        };
        let map: BTreeMap<String, UpgradeSpec> = [
            ("b".to_owned(), full),
            ("a".to_owned(), zero),
            ("c".to_owned(), UpgradeSpec::default()),
        ]
        .into_iter()
        .collect();
        let value = Value::Object(map.iter().map(|(k, v)| (k.clone(), v.to_value())).collect());
        assert_eq!(
            encode(Some(&map)),
            kruise_inject_kube::gojson::to_string(&value)
        );
        assert!(encode(Some(&map)).contains(r#""hash":"h\u003c\u0026\u003e""#));
        assert_eq!(encode(Some(&BTreeMap::new())), "{}");
        assert_eq!(encode(None), "null");
    }

    #[test]
    fn new_format_entries() {
        let got = parse(
            r#"{"a":{"updateTimestamp":"2024-01-01T00:00:00Z","hash":"h","sidecarSetName":"a","sidecarList":["x"],"controllerRevision":"a-1","extra":1},"b":{"HASH":"hb","sidecarList":null}}"#,
        )
        .expect("parse")
        .expect("map");
        assert_eq!(
            got["a"],
            UpgradeSpec {
                update_timestamp: Some("2024-01-01T00:00:00Z".into()),
                hash: "h".into(),
                sidecar_set_name: "a".into(),
                sidecar_list: Some(vec!["x".into()]),
                controller_revision: "a-1".into(),
            }
        );
        assert_eq!(
            got["b"],
            UpgradeSpec {
                hash: "hb".into(),
                ..UpgradeSpec::default()
            }
        );
    }

    #[test]
    fn legacy_format_and_errors() {
        let got = parse(r#"{"ss":"abc"}"#).expect("legacy").expect("map");
        assert_eq!(
            got["ss"],
            UpgradeSpec {
                hash: "abc".into(),
                sidecar_set_name: "ss".into(),
                ..UpgradeSpec::default()
            }
        );
        assert_eq!(parse("null"), Ok(None));
        assert!(parse("{").is_err());
        assert!(parse("[]").is_err());
        assert!(parse(r#"{"a":"h","b":{"hash":"x"}}"#).is_err());
        assert!(parse(r#"{"a":{"hash":1}}"#).is_err());
        assert!(parse(r#"{"a":{"updateTimestamp":"yesterday"}}"#).is_err());
    }
}
