//! The `kruise.io/sidecarset-hash` and `-without-image` pod annotations: Go-JSON of
//! `map[sidecarSetName]SidecarSetUpgradeSpec` (semantics §6.9, `util.go: SidecarSetUpgradeSpec`),
//! read as `buildSidecars` reads them (new format, else legacy `{"name":"hash"}`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// `SidecarSetUpgradeSpec`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct UpgradeSpec {
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
    pub(super) fn same_content(&self, other: &UpgradeSpec) -> bool {
        self.hash == other.hash
            && self.sidecar_set_name == other.sidecar_set_name
            && self.sidecar_list == other.sidecar_list
            && self.controller_revision == other.controller_revision
    }

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
pub(super) fn encode(map: Option<&BTreeMap<String, UpgradeSpec>>) -> String {
    let value = map.map_or(Value::Null, |map| {
        Value::Object(map.iter().map(|(k, v)| (k.clone(), v.to_value())).collect())
    });
    kruise_inject_kube::gojson::to_string(&value)
}

/// Parses an annotation value as `buildSidecars` does: `map[string]SidecarSetUpgradeSpec`, else
/// the legacy `map[string]string` (entries `{hash, sidecarSetName}` with a zero timestamp and nil
/// list). `Ok(None)` is JSON `null` (Go then holds a nil map). `Err` carries Go-like detail.
pub(super) fn parse(text: &str) -> Result<Option<BTreeMap<String, UpgradeSpec>>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let new_format_error = match parse_new_format(&value) {
        Ok(map) => return Ok(map),
        Err(e) => e,
    };
    if let Value::Object(entries) = &value {
        let mut out = BTreeMap::new();
        for (name, hash) in entries {
            let hash = match hash {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                _ => return Err(new_format_error),
            };
            out.insert(
                name.clone(),
                UpgradeSpec {
                    hash,
                    sidecar_set_name: name.clone(),
                    ..UpgradeSpec::default()
                },
            );
        }
        return Ok(Some(out));
    }
    Err(new_format_error)
}

fn parse_new_format(value: &Value) -> Result<Option<BTreeMap<String, UpgradeSpec>>, String> {
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
                    Value::String(s) => {
                        normalize_timestamp(s).map_err(|e| format!("{key}: {e}"))?
                    }
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

/// `metav1.Time` round trip: `time.Parse(time.RFC3339, s)` then `t.UTC().Format(time.RFC3339)`;
/// `None` for the zero time (marshalled as `null`). Accepts `YYYY-MM-DDTHH:MM:SS`, optional
/// fractional seconds (dropped), then `Z` or `±HH:MM`.
pub(super) fn normalize_timestamp(s: &str) -> Result<Option<String>, String> {
    let bad = || format!("{s:?} is not an RFC 3339 time");
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Result<i64, String> {
        let part = s.get(from..from + len).ok_or_else(bad)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse::<i64>().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(bad());
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let mut i = 19;
    if matches!(b.get(i), Some(b'.' | b',')) {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return Err(bad());
        }
    }
    let offset_minutes = match &s[i..] {
        "Z" => 0,
        tz if tz.len() == 6
            && matches!(tz.as_bytes()[0], b'+' | b'-')
            && tz.as_bytes()[3] == b':' =>
        {
            let (h, m) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if h >= 24 || m >= 60 {
                return Err(bad());
            }
            let minutes = h * 60 + m;
            if tz.starts_with('-') {
                -minutes
            } else {
                minutes
            }
        }
        _ => return Err(bad()),
    };
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour >= 24
        || minute >= 60
        || second >= 60
    {
        return Err(bad());
    }
    let epoch_seconds =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
            - offset_minutes * 60;
    let (days, secs) = (
        epoch_seconds.div_euclid(86_400),
        epoch_seconds.rem_euclid(86_400),
    );
    let (y, m, d) = civil_from_days(days);
    if (y, m, d, secs) == (1, 1, 1, 0) {
        return Ok(None);
    }
    Ok(Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )))
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::{UpgradeSpec, normalize_timestamp, parse};

    #[test]
    fn timestamps_round_trip_as_metav1_time() {
        let n = |s: &str| normalize_timestamp(s);
        assert_eq!(
            n("2024-01-01T00:00:00Z"),
            Ok(Some("2024-01-01T00:00:00Z".into()))
        );
        assert_eq!(
            n("2024-01-01T00:30:00.123+01:00"),
            Ok(Some("2023-12-31T23:30:00Z".into()))
        );
        assert_eq!(
            n("2024-02-29T23:00:00-02:00"),
            Ok(Some("2024-03-01T01:00:00Z".into()))
        );
        assert_eq!(n("0001-01-01T00:00:00Z"), Ok(None));
        assert!(n("2023-02-29T00:00:00Z").is_err());
        assert!(n("2024-01-01 00:00:00Z").is_err());
        assert!(n("2024-01-01T24:00:00Z").is_err());
        assert!(n("2024-01-01T00:00:00").is_err());
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
