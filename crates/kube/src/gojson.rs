//! Go `encoding/json` `Marshal` output for a `serde_json::Value`.

use serde_json::Value;

/// Compact Go-JSON text of `value`: object keys in the value's own (insertion) order, strings escaped
/// as Go escapes them (`<`, `>`, `&`, U+2028, U+2029 as `\u003c`..., other control characters as
/// `\u00XX` except `\b \f \n \r \t`), integers in plain decimal.
pub fn to_string(value: &Value) -> String {
    let _ = value;
    todo!("gojson::to_string")
}

/// Like [`to_string`] but every object's keys sorted by byte order at every depth (Go marshalling of
/// `map[string]interface{}`).
pub fn to_string_sorted(value: &Value) -> String {
    let _ = value;
    todo!("gojson::to_string_sorted")
}
