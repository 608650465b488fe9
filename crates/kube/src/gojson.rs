//! Go `encoding/json` `Marshal` output for a `serde_json::Value`.
//!
//! Reproduces, byte for byte, what Go 1.22+ writes (`encoding/json/encode.go`):
//! compact output, HTML-safe string escaping, `\b`/`\f` short escapes, float64 numbers formatted
//! like `floatEncoder` (ES6-style: `'f'` for exponents in `[1e-6, 1e21)`, `'e'` otherwise with the
//! `e-07` → `e-7` clean-up).

use serde_json::{Number, Value};

/// Compact Go-JSON text of `value`: object keys in the value's own (insertion) order, strings escaped
/// as Go escapes them (`<`, `>`, `&`, U+2028, U+2029 as `\u003c`..., other control characters as
/// `\u00XX` except `\b \f \n \r \t`), integers in plain decimal.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, false);
    out
}

/// Like [`to_string`] but every object's keys sorted by byte order at every depth: Go marshalling of
/// a `map[string]interface{}` obtained by `json.Unmarshal`. As in that Go value, every number is a
/// `float64`: integers beyond 2^53 lose precision and integers ≥ 1e21 print in exponent form, exactly as
/// Go would print them (below 2^53 the output equals [`to_string`]'s).
pub fn to_string_sorted(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, true);
    out
}

/// A JSON string literal for `s`, escaped as Go's `encoding/json` escapes it (with HTML escaping).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_str(&mut out, s);
    out
}

/// [`quote`], appended to `out`.
pub fn push_quoted(out: &mut String, s: &str) {
    write_str(out, s);
}

/// The text Go writes for this number when it holds the same Go type: integers in plain decimal,
/// floats as Go's float64 encoder prints them (see [`format_float64`]).
pub fn format_number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        format_float64(n.as_f64().unwrap_or(0.0))
    }
}

/// Go `encoding/json` text of a `float64` (`floatEncoder.encode`): shortest round-trip digits, `'f'`
/// notation when `1e-6 <= |f| < 1e21` (or `f == 0`), `'e'` notation otherwise with a two-digit-minimum
/// exponent whose `e-0X` form is shortened to `e-X` (`1e+21`, `1e-7`, `1.5e-10`). Non-finite values
/// cannot occur in a `serde_json::Value`; they print as `null`.
pub fn format_float64(f: f64) -> String {
    if !f.is_finite() {
        return "null".to_string();
    }
    let neg = f.is_sign_negative();
    let abs = f.abs();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if abs == 0.0 {
        out.push('0');
        return out;
    }
    // Rust's `{:e}` without precision prints the shortest round-trip digits, like Go's `-1` precision.
    let sci = format!("{abs:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exp: i64 = exp.parse().unwrap_or(0);
    if !(1e-6..1e21).contains(&abs) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        // strconv pads to two digits; encoding/json then rewrites `e-0X` as `e-X`.
        if e < 10 && exp >= 0 {
            out.push('0');
        }
        out.push_str(&e.to_string());
        return out;
    }
    let n = digits.len() as i64;
    if exp >= n - 1 {
        out.push_str(&digits);
        for _ in 0..(exp - (n - 1)) {
            out.push('0');
        }
    } else if exp >= 0 {
        let point = (exp + 1) as usize;
        out.push_str(&digits[..point]);
        out.push('.');
        out.push_str(&digits[point..]);
    } else {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    }
    out
}

fn write_value(out: &mut String, value: &Value, sorted: bool) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if sorted {
                out.push_str(&format_float64(n.as_f64().unwrap_or(0.0)));
            } else {
                out.push_str(&format_number(n));
            }
        }
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, sorted);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            if sorted {
                entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            }
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, k);
                out.push(':');
                write_value(out, v, sorted);
            }
            out.push('}');
        }
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn write_str(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    // Runs of characters written as they are are copied whole.
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let escaped = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\u{8}' => "\\b",
            '\u{c}' => "\\f",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '<' | '>' | '&' | '\u{0}'..='\u{1f}' => "",
            '\u{2028}' => "\\u2028",
            '\u{2029}' => "\\u2029",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        run = i + c.len_utf8();
        if escaped.is_empty() {
            let b = c as u32 as u8;
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xf) as usize] as char);
        } else {
            out.push_str(escaped);
        }
    }
    out.push_str(&s[run..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_like_go() {
        assert_eq!(quote("a<b&c>d"), r#""a\u003cb\u0026c\u003ed""#);
        assert_eq!(quote("q\"b\\s/"), r#""q\"b\\s/""#);
        assert_eq!(quote("\u{8}\u{c}\n\r\t"), r#""\b\f\n\r\t""#);
        assert_eq!(
            quote("\u{0}\u{1}\u{1f}\u{b}"),
            r#""\u0000\u0001\u001f\u000b""#
        );
        assert_eq!(quote("\u{2028}x\u{2029}"), r#""\u2028x\u2029""#);
        assert_eq!(quote("\u{7f}é日本🎉"), "\"\u{7f}é日本🎉\"");
        // escapes between and after multi-byte runs
        assert_eq!(
            quote("é<日\u{2028}🎉\"x\n"),
            "\"é\\u003c日\\u2028🎉\\\"x\\n\""
        );
    }

    #[test]
    fn compact_in_insertion_order() {
        let v = json!({"b": 1, "a": [true, null, "x"], "c": {"z": -2, "y": {}}});
        assert_eq!(
            to_string(&v),
            r#"{"b":1,"a":[true,null,"x"],"c":{"z":-2,"y":{}}}"#
        );
        assert_eq!(
            to_string_sorted(&v),
            r#"{"a":[true,null,"x"],"b":1,"c":{"y":{},"z":-2}}"#
        );
        assert_eq!(to_string(&json!([])), "[]");
        assert_eq!(to_string(&json!(u64::MAX)), "18446744073709551615");
    }

    #[test]
    fn sorted_keys_are_byte_ordered() {
        let v = json!({"b": 1, "B": 2, "a": 3, "_": 4, "$patch": 5});
        assert_eq!(
            to_string_sorted(&v),
            r#"{"$patch":5,"B":2,"_":4,"a":3,"b":1}"#
        );
    }

    #[test]
    fn floats_like_go() {
        let cases: &[(f64, &str)] = &[
            (0.5, "0.5"),
            (1.0, "1"),
            (-0.0, "-0"),
            (0.0, "0"),
            (100.0, "100"),
            (1.5e20, "150000000000000000000"),
            (1e21, "1e+21"),
            (1.2345e22, "1.2345e+22"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-10, "1.5e-10"),
            (-2.5e-300, "-2.5e-300"),
            (0.1, "0.1"),
            (123.456, "123.456"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
        ];
        for (f, want) in cases {
            assert_eq!(format_float64(*f), *want, "{f}");
        }
        assert_eq!(to_string(&json!(0.25)), "0.25");
        // map[string]interface{} numbers are float64.
        assert_eq!(
            to_string_sorted(&json!(9_007_199_254_740_993_u64)),
            "9007199254740992"
        );
        assert_eq!(to_string_sorted(&json!(420)), "420");
    }
}
