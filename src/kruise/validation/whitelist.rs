//! Kruise's patch-metadata whitelist (`util.go: ValidateSidecarSetPatchMetadataWhitelist`):
//! the `SidecarSet_PatchPodMetadata_WhiteList` key of the `kruise-configuration` ConfigMap.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::kruise::selector::LabelSelector;
use regex::Regex;

/// Name of Kruise's configuration ConfigMap (in the Kruise namespace).
pub const CONFIGMAP_NAME: &str = "kruise-configuration";
/// Its key holding the whitelist.
pub const WHITELIST_KEY: &str = "SidecarSet_PatchPodMetadata_WhiteList";

/// The whitelist as read from a `kruise-configuration` ConfigMap.
#[derive(Debug, Clone, PartialEq)]
pub struct Whitelist {
    /// The JSON of the key, or `None` when the ConfigMap has no such key.
    raw: Option<String>,
}

impl Whitelist {
    /// From the `data` of the ConfigMap.
    pub fn from_configmap(configmap: &Value) -> Whitelist {
        Whitelist {
            raw: configmap
                .pointer(&format!("/data/{WHITELIST_KEY}"))
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }

    /// From the whitelist JSON itself.
    pub fn from_json(json: &str) -> Whitelist {
        Whitelist {
            raw: Some(json.to_owned()),
        }
    }

    /// Checks a SidecarSet with these `labels` and `patchPodMetadata` entries; the error is Kruise's
    /// message (reported at `spec.patchPodMetadata` as a Required value). `defaults_allowed` is the
    /// `SidecarSetPatchPodMetadataDefaultsAllowed` gate: with it, no whitelist (or no rule for
    /// these labels) admits every key (kruise v1.9 `sidecarcontrol/util.go:
    /// ValidateSidecarSetPatchMetadataWhitelist`).
    pub fn check(
        &self,
        labels: &BTreeMap<String, String>,
        patches: &[Value],
        defaults_allowed: bool,
    ) -> Result<(), String> {
        if patches.is_empty() {
            return Ok(());
        }
        let Some(raw) = &self.raw else {
            if defaults_allowed {
                return Ok(());
            }
            return Err("SidecarSet patch metadata whitelist not found".to_owned());
        };
        let parsed: Value = serde_json::from_str(raw).map_err(|e| e.to_string())?;
        let mut exprs = Vec::new();
        for rule in parsed
            .get("rules")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
        {
            let selected = match rule.get("selector").filter(|s| !s.is_null()) {
                None => true,
                Some(sel) => LabelSelector::from_value(sel, "selector")
                    .and_then(|s| s.matches(labels))
                    .map_err(|e| e.to_string())?,
            };
            if !selected {
                continue;
            }
            for e in rule
                .get("allowedAnnotationKeyExprs")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice)
            {
                let pattern = e.as_str().unwrap_or("");
                // Go's regexp is RE2; the regex crate implements the same syntax and semantics
                // (unanchored MatchString = is_match).
                exprs.push(
                    Regex::new(pattern)
                        .map_err(|e| format!("error parsing regexp {pattern:?}: {e}"))?,
                );
            }
        }
        if exprs.is_empty() {
            if defaults_allowed {
                return Ok(());
            }
            return Err("sidecarSet patch metadata annotation is not allowed".to_owned());
        }
        for patch in patches {
            let Some(annotations) = patch.get("annotations").and_then(Value::as_object) else {
                continue;
            };
            let mut keys: Vec<&String> = annotations.keys().collect();
            keys.sort();
            for key in keys {
                if !exprs.iter().any(|r| r.is_match(key)) {
                    return Err(format!(
                        "sidecarSet patch metadata annotation({key}) is not allowed"
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patches(keys: &[&str]) -> Vec<Value> {
        vec![
            json!({"annotations": keys.iter().map(|k| (k.to_string(), json!("v"))).collect::<serde_json::Map<_, _>>(),
                    "patchPolicy": "Overwrite"}),
        ]
    }

    #[test]
    fn whitelist_cases() {
        let labels = BTreeMap::from([("app".to_owned(), "web".to_owned())]);
        let none = BTreeMap::new();
        // No patches: always fine, even without a whitelist.
        assert_eq!(Whitelist { raw: None }.check(&none, &[], false), Ok(()));
        assert_eq!(
            Whitelist { raw: None }.check(&none, &patches(&["key1"]), false),
            Err("SidecarSet patch metadata whitelist not found".to_owned())
        );
        let w = Whitelist::from_json(
            r#"{"rules":[{"allowedAnnotationKeyExprs":["key.*"]},
                         {"selector":{"matchLabels":{"app":"web"}},"allowedAnnotationKeyExprs":["^web-only$"]}]}"#,
        );
        assert_eq!(w.check(&none, &patches(&["mykey1"]), false), Ok(()));
        assert_eq!(
            w.check(&none, &patches(&["web-only"]), false),
            Err("sidecarSet patch metadata annotation(web-only) is not allowed".to_owned())
        );
        assert_eq!(
            w.check(&labels, &patches(&["web-only", "key2"]), false),
            Ok(())
        );
        let selective = Whitelist::from_json(
            r#"{"rules":[{"selector":{"matchLabels":{"app":"db"}},"allowedAnnotationKeyExprs":[".*"]}]}"#,
        );
        assert_eq!(
            selective.check(&labels, &patches(&["a"]), false),
            Err("sidecarSet patch metadata annotation is not allowed".to_owned())
        );
    }

    #[test]
    fn the_defaults_allowed_gate_admits_without_a_whitelist_or_a_rule() {
        let labels = BTreeMap::from([("app".to_owned(), "web".to_owned())]);
        assert_eq!(
            Whitelist { raw: None }.check(&labels, &patches(&["key1"]), true),
            Ok(())
        );
        let selective = Whitelist::from_json(
            r#"{"rules":[{"selector":{"matchLabels":{"app":"db"}},"allowedAnnotationKeyExprs":["^x$"]}]}"#,
        );
        assert_eq!(selective.check(&labels, &patches(&["a"]), true), Ok(()));
        // A rule that applies still restricts the keys.
        let applies = Whitelist::from_json(r#"{"rules":[{"allowedAnnotationKeyExprs":["^x$"]}]}"#);
        assert_eq!(
            applies.check(&labels, &patches(&["a"]), true),
            Err("sidecarSet patch metadata annotation(a) is not allowed".to_owned())
        );
    }
}
