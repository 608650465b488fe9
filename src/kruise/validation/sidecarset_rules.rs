//! Kruise's validating webhook for one SidecarSet (`validateSidecarSet`), on the
//! object as written (before Kruise's defaulting, whose effect each rule takes into account), with
//! Kruise's field paths and messages. Pure: the cluster state it needs comes in [`RuleContext`].

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::fake_pod;
use super::field_error::{BadValue, ErrorType, FieldError};
use super::names::{is_qualified_name, is_valid_label_value, max_len_error, regex_error};
use super::whitelist::Whitelist;
use crate::kruise::sidecarset::{CANARY_ANNOTATION, CANARY_BASE_ANNOTATION};

/// What the webhook reads from the cluster besides the object.
#[derive(Debug, Clone, Copy, Default)]
pub struct RuleContext<'a> {
    /// The `kruise-configuration` whitelist, when that ConfigMap is among the inputs (without it the
    /// whitelist is not checked: the cluster's configuration is unknown).
    pub whitelist: Option<&'a Whitelist>,
    /// The `SidecarSetPatchPodMetadataDefaultsAllowed` feature gate.
    pub patch_metadata_defaults_allowed: bool,
    /// Every SidecarSet among the inputs: name → is it a canary.
    pub sidecarsets: Option<&'a BTreeMap<String, bool>>,
}

fn str_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn s<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn arr(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Go `%#v` of a `map[string]string`.
pub fn go_string_map(m: &BTreeMap<String, String>) -> String {
    let items: Vec<String> = m
        .iter()
        .map(|(k, v)| {
            format!(
                "{}:{}",
                super::field_error::go_quote(k),
                super::field_error::go_quote(v)
            )
        })
        .collect();
    format!("map[string]string{{{}}}", items.join(", "))
}

/// Go `%#v` of a `metav1.LabelSelector` (after the pointer is dereferenced).
pub fn go_selector(sel: &Value) -> String {
    let labels = match sel.get("matchLabels") {
        Some(Value::Object(_)) => go_string_map(&str_map(sel.get("matchLabels"))),
        _ => "map[string]string(nil)".to_owned(),
    };
    let exprs = match sel.get("matchExpressions").and_then(Value::as_array) {
        Some(items) if !items.is_empty() => {
            let items: Vec<String> = items
                .iter()
                .map(|e| {
                    let values = match e.get("values").and_then(Value::as_array) {
                        Some(vs) => format!(
                            "[]string{{{}}}",
                            vs.iter()
                                .map(|v| super::field_error::go_quote(v.as_str().unwrap_or("")))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        None => "[]string(nil)".to_owned(),
                    };
                    format!(
                        "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{values}}}",
                        super::field_error::go_quote(s(e, "key")),
                        super::field_error::go_quote(s(e, "operator"))
                    )
                })
                .collect();
            format!("[]v1.LabelSelectorRequirement{{{}}}", items.join(", "))
        }
        _ => "[]v1.LabelSelectorRequirement(nil)".to_owned(),
    };
    format!("v1.LabelSelector{{MatchLabels:{labels}, MatchExpressions:{exprs}}}")
}

/// `metavalidation.ValidateLabels`.
pub fn validate_labels(labels: &BTreeMap<String, String>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (k, v) in labels {
        for msg in is_qualified_name(k) {
            errs.push(FieldError::invalid(path, k, msg).at(format!("{path}.{k}")));
        }
        for msg in is_valid_label_value(v) {
            errs.push(FieldError::invalid(path, v, msg).at(format!("{path}.{k}")));
        }
    }
    errs
}

/// `genericvalidation.ValidateAnnotations`: qualified-name keys (lowercased), total size ≤ 256 KiB.
pub fn validate_annotations(annotations: &BTreeMap<String, String>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut total = 0;
    for (k, v) in annotations {
        for msg in is_qualified_name(&k.to_lowercase()) {
            errs.push(FieldError::invalid(path, k, msg).at(format!("{path}.{k}")));
        }
        total += k.len() + v.len();
    }
    const MAX: usize = 256 * (1 << 10);
    if total > MAX {
        errs.push(FieldError::new(
            path,
            ErrorType::TooLong,
            None,
            format!("must have at most {MAX} bytes"),
        ));
    }
    errs
}

/// Kruise's `validateSelector`: `ValidateLabelSelector`, then "empty selector", then conversion.
pub fn validate_selector(sel: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut convertible = true;
    for (i, e) in arr(sel.get("matchExpressions")).iter().enumerate() {
        let at = format!("{path}.matchExpressions[{i}]");
        let op = s(e, "operator");
        let values = arr(e.get("values"));
        match op {
            "In" | "NotIn" => {
                if values.is_empty() {
                    convertible = false;
                    errs.push(FieldError::required(
                        format!("{at}.values"),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ));
                }
            }
            "Exists" | "DoesNotExist" => {
                if !values.is_empty() {
                    convertible = false;
                    errs.push(FieldError::forbidden(
                        format!("{at}.values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
            }
            _ => {
                convertible = false;
                errs.push(FieldError::invalid(
                    format!("{at}.operator"),
                    op,
                    "not a valid selector operator",
                ));
            }
        }
        let key = s(e, "key");
        for msg in is_qualified_name(key) {
            convertible = false;
            errs.push(FieldError::invalid(format!("{at}.key"), key, msg));
        }
        for (j, v) in values.iter().enumerate() {
            let v = v.as_str().unwrap_or("");
            for msg in is_valid_label_value(v) {
                convertible = false;
                errs.push(FieldError::invalid(format!("{at}.values[{j}]"), v, msg));
            }
        }
    }
    let labels = str_map(sel.get("matchLabels"));
    let label_errs = validate_labels(&labels, &format!("{path}.matchLabels"));
    convertible &= label_errs.is_empty();
    errs.extend(label_errs);
    if labels.is_empty() && arr(sel.get("matchExpressions")).is_empty() {
        errs.push(FieldError::invalid_go(
            path,
            go_selector(sel),
            "empty selector is not valid for sidecarset.",
        ));
    }
    if !convertible {
        errs.push(FieldError::invalid_go(
            format!("{path}.selector"),
            go_selector(sel),
            "",
        ));
    }
    errs
}

/// `ValidatePositiveIntOrPercent`.
fn validate_positive_int_or_percent(v: &Value, path: &str) -> Vec<FieldError> {
    match v {
        Value::String(text) => {
            let ok = text.len() > 1
                && text.ends_with('%')
                && text[..text.len() - 1].bytes().all(|b| b.is_ascii_digit());
            if ok {
                Vec::new()
            } else {
                vec![FieldError::invalid(
                    path,
                    text,
                    regex_error(
                        "a valid percent string must be a numeric string followed by an ending '%'",
                        "[0-9]+%",
                        &["1%", "93%"],
                    ),
                )]
            }
        }
        Value::Number(n) if n.as_i64().is_some_and(|i| i < 0) => vec![FieldError::new(
            path,
            ErrorType::Invalid,
            Some(BadValue::Plain(n.to_string())),
            "must be greater than or equal to 0",
        )],
        _ => Vec::new(),
    }
}

/// Every error Kruise's validating webhook reports for this SidecarSet on CREATE, except the
/// conflicts with other SidecarSets (`validateSidecarConflict`, [`super::conflicts`]) and the
/// ControllerRevision lookup of `injectionStrategy.revision` (which needs the decoded object).
pub fn validate(doc: &Value, ctx: &RuleContext<'_>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let empty = Value::Null;
    let meta = doc.get("metadata").unwrap_or(&empty);
    let spec = doc.get("spec").unwrap_or(&empty);
    let name = s(meta, "name");
    let labels = str_map(meta.get("labels"));
    let annotations = str_map(meta.get("annotations"));

    // 1. ObjectMeta (cluster-scoped).
    if name.is_empty() && s(meta, "generateName").is_empty() {
        errs.push(FieldError::required(
            "metadata.name",
            "name or generateName is required",
        ));
    } else if !name.is_empty() {
        let valid = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid {
            errs.push(FieldError::invalid(
                "metadata.name",
                name,
                regex_error(
                    "sidecarset name must consist of alphanumeric characters or '-'",
                    "^[a-zA-Z0-9\\-]+$",
                    &["example-com"],
                ),
            ));
        }
        if name.len() > 63 {
            errs.push(FieldError::invalid(
                "metadata.name",
                name,
                max_len_error(63),
            ));
        }
    }
    // `metadata.namespace`: the API server clears it on a cluster-scoped object before the webhook
    // sees it (`rest.BeforeCreate`), so it is no error; `admission` warns about it.
    errs.extend(validate_labels(&labels, "metadata.labels"));
    errs.extend(validate_annotations(&annotations, "metadata.annotations"));

    // 2. Canary annotations.
    let base = annotations
        .get(CANARY_BASE_ANNOTATION)
        .map(String::as_str)
        .unwrap_or("");
    if annotations.get(CANARY_ANNOTATION).map(String::as_str) == Some("true") && !base.is_empty() {
        let at = |detail: String| {
            FieldError::invalid_go("metadata", go_string_map(&annotations), detail)
                .at("metadata.annotations")
        };
        if base == name {
            errs.push(at("base sidecarSet cannot be itself".to_owned()));
        } else if let Some(known) = ctx.sidecarsets {
            match known.get(base) {
                None => errs.push(at(format!(
                    "fetch base sidecarSet[{base}] failed: sidecarsets.apps.kruise.io \"{base}\" not found"
                ))),
                Some(true) => errs.push(at("base sidecarSet cannot be canary".to_owned())),
                Some(false) => {}
            }
        }
        let strategy_type = spec.pointer("/updateStrategy/type").and_then(Value::as_str);
        if !matches!(strategy_type, Some("NotUpdate")) {
            errs.push(at(
                "RollingUpdate is not supported for canary sidecarSet".to_owned()
            ));
        }
    }

    // 3. Spec.
    let strategy = spec.get("updateStrategy").unwrap_or(&empty);
    let rolling = matches!(s(strategy, "type"), "" | "RollingUpdate");
    let init_containers = arr(spec.get("initContainers"));
    let containers = arr(spec.get("containers"));
    // a. native sidecars cannot be upgraded in place.
    for c in init_containers {
        if s(c, "restartPolicy") == "Always" && rolling {
            errs.push(FieldError::required(
                "spec.updateStrategy",
                "The initContainer in-place upgrade is not currently supported.",
            ));
        }
    }
    // b. selector.
    match spec.get("selector") {
        None | Some(Value::Null) => errs.push(FieldError::required(
            "spec.selector",
            "no selector defined for SidecarSet",
        )),
        Some(sel) => errs.extend(validate_selector(sel, "spec.selector")),
    }
    // c. namespaceSelector (v1alpha1 `namespace` is converted, HEAD rules).
    if let Some(sel) = spec.get("namespaceSelector").filter(|v| !v.is_null())
        && s(spec, "namespace").is_empty()
    {
        errs.extend(validate_selector(sel, "spec.namespaceSelector"));
    }
    // d. injectionStrategy.revision (the ControllerRevision lookup is done by the caller).
    if let Some(rev) = spec
        .pointer("/injectionStrategy/revision")
        .filter(|v| v.is_object())
    {
        let custom = rev.get("customVersion").filter(|v| !v.is_null());
        let revision_name = rev.get("revisionName").filter(|v| !v.is_null());
        let policy = s(rev, "policy");
        let go_rev = || {
            let ptr = |v: Option<&Value>| match v {
                None => "(*string)(nil)".to_owned(),
                Some(v) => format!(
                    "(*string)({})",
                    super::field_error::go_quote(v.as_str().unwrap_or(""))
                ),
            };
            format!(
                "v1beta1.SidecarSetInjectRevision{{CustomVersion:{}, RevisionName:{}, Policy:{}}}",
                ptr(custom),
                ptr(revision_name),
                super::field_error::go_quote(if policy.is_empty() { "Always" } else { policy })
            )
        };
        if custom.is_none() && revision_name.is_none() {
            errs.push(
                FieldError::invalid_go(
                    "revision",
                    go_rev(),
                    "revisionName and customVersion cannot be empty simultaneously",
                )
                .at("spec.injectionStrategy.revision"),
            );
        }
        if !matches!(policy, "" | "Always" | "Partial") {
            errs.push(
                FieldError::invalid_go(
                    "revision.policy",
                    go_rev(),
                    format!("Invalid policy {policy}, supported: [Always, Partial]"),
                )
                .at("spec.injectionStrategy.revision.policy"),
            );
        }
    }
    // e. updateStrategy.
    if rolling {
        errs.extend(validate_update_strategy(strategy));
    }
    // g. containers.
    if init_containers.is_empty() && containers.is_empty() {
        errs.push(FieldError::required(
            "spec",
            "no initContainer or container defined for SidecarSet",
        ));
    } else {
        errs.extend(validate_containers(spec));
    }
    // h. patchPodMetadata.
    let patches = arr(spec.get("patchPodMetadata"));
    if let Some(whitelist) = ctx.whitelist
        && let Err(msg) = whitelist.check(&labels, patches, ctx.patch_metadata_defaults_allowed)
    {
        errs.push(FieldError::required("spec.patchPodMetadata", msg));
    }
    let mut keys = BTreeSet::new();
    for (j, patch) in patches.iter().enumerate() {
        let here = format!("spec.patchPodMetadata[{j}]");
        let patch_annotations = str_map(patch.get("annotations"));
        if patch_annotations.is_empty() {
            errs.push(
                FieldError::required(
                    "spec.patchPodMetadata",
                    "no annotations defined for SidecarSet",
                )
                .at(&here),
            );
        } else {
            errs.extend(
                validate_annotations(&patch_annotations, "patchPodMetadata.annotations")
                    .into_iter()
                    .map(|e| e.at(format!("{here}.annotations"))),
            );
        }
        if !matches!(
            s(patch, "patchPolicy"),
            "" | "Retain" | "Overwrite" | "MergePatchJson"
        ) {
            // The CRD enum rejects it before the webhook runs.
            errs.push(
                FieldError::new(
                    "spec.patchPodMetadata.patchPolicy",
                    ErrorType::NotSupported,
                    Some(BadValue::Str(s(patch, "patchPolicy").to_owned())),
                    "supported values: \"Retain\", \"Overwrite\", \"MergePatchJson\"",
                )
                .at(format!("{here}.patchPolicy")),
            );
        }
        for k in patch_annotations.keys() {
            if !keys.insert(k.clone()) {
                errs.push(
                    FieldError::required(
                        "spec.patchPodMetadata",
                        format!("patch annotation[{k}] already exist"),
                    )
                    .at(format!("{here}.annotations")),
                );
            }
        }
    }
    errs
}

fn validate_update_strategy(strategy: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let path = "spec.updateStrategy";
    let selector = strategy.get("selector").filter(|v| !v.is_null());
    let partition = strategy.get("partition").filter(|v| !v.is_null());
    let partition_set = match partition {
        Some(Value::String(_)) => true,
        Some(Value::Number(n)) => n.as_i64() != Some(0),
        _ => false,
    };
    if partition_set && selector.is_some() {
        errs.push(
            FieldError::invalid(
                "updateStrategy",
                &format!("{strategy}"),
                "Partition and Selector cannot be used together",
            )
            .at("spec.updateStrategy.partition"),
        );
    }
    if let Some(sel) = selector {
        errs.extend(validate_selector(sel, &format!("{path}.selector")));
    }
    if let Some(p) = partition {
        errs.extend(validate_positive_int_or_percent(
            p,
            &format!("{path}.partition"),
        ));
    }
    if let Some(m) = strategy.get("maxUnavailable").filter(|v| !v.is_null()) {
        errs.extend(validate_positive_int_or_percent(
            m,
            &format!("{path}.maxUnavailable"),
        ));
    }
    if let Some(p) = strategy.get("priorityStrategy").filter(|v| !v.is_null())
        && let Some(msg) = priority_strategy_error(p)
    {
        errs.push(FieldError::required(
            format!("{path}.priorityStrategy"),
            msg,
        ));
    }
    if let Some(terms) = strategy.get("scatterStrategy").and_then(Value::as_array) {
        let mut seen = BTreeSet::new();
        for t in terms {
            let (k, v) = (s(t, "key"), s(t, "value"));
            let msg = if k.is_empty() {
                Some("key should not be empty".to_owned())
            } else if !seen.insert((k, v)) {
                Some(format!("duplicated key={k} value={v}"))
            } else {
                None
            };
            if let Some(msg) = msg {
                errs.push(FieldError::required(format!("{path}.scatterStrategy"), msg));
                break;
            }
        }
    }
    errs
}

/// `UpdatePriorityStrategy.FieldsValidation`.
fn priority_strategy_error(p: &Value) -> Option<String> {
    let weight = arr(p.get("weightPriority"));
    let order = arr(p.get("orderPriority"));
    if !weight.is_empty() && !order.is_empty() {
        return Some("only one of weightPriority and orderPriority can be used".to_owned());
    }
    for w in weight {
        let value = w.get("weight").and_then(Value::as_i64).unwrap_or(0);
        if !(0..=100).contains(&value) {
            return Some("weight must be valid number in the range 1-100".to_owned());
        }
        let sel = w.get("matchSelector").unwrap_or(&Value::Null);
        if str_map(sel.get("matchLabels")).is_empty() && arr(sel.get("matchExpressions")).is_empty()
        {
            return Some("selector can not be empty".to_owned());
        }
        let errs = validate_selector(sel, "matchSelector");
        if let Some(e) = errs.first() {
            return Some(format!("invalid selector {e}"));
        }
    }
    for o in order {
        if s(o, "orderedKey").is_empty() {
            return Some("order key can not be empty".to_owned());
        }
    }
    None
}

/// `validateContainersForSidecarSet`: the SidecarSet-only container fields, then the fake Pod.
fn validate_containers(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, c) in arr(spec.get("initContainers")).iter().enumerate() {
        errs.extend(super::resources_policy::field_errors(c, i, true));
    }
    for (i, c) in arr(spec.get("containers")).iter().enumerate() {
        let policy = s(c, "podInjectPolicy");
        if !matches!(policy, "" | "BeforeAppContainer" | "AfterAppContainer") {
            errs.push(
                FieldError::invalid(
                    "spec.container.podInjectPolicy",
                    policy,
                    "unsupported pod inject policy",
                )
                .at(format!("spec.containers[{i}].podInjectPolicy")),
            );
        }
        let share = c
            .pointer("/shareVolumePolicy/type")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !matches!(share, "" | "enabled" | "disabled") {
            errs.push(
                FieldError::invalid_go(
                    "spec.container.shareVolumePolicy",
                    format!(
                        "v1beta1.ShareVolumePolicy{{Type:{}}}",
                        super::field_error::go_quote(share)
                    ),
                    "unsupported share volume policy",
                )
                .at(format!("spec.containers[{i}].shareVolumePolicy.type")),
            );
        }
        errs.extend(
            validate_transfer_env(arr(c.get("transferEnv")), &format!("spec[{i}].transferEnv"))
                .into_iter()
                .map(|e| e.at(format!("spec.containers[{i}].transferEnv"))),
        );
        errs.extend(super::resources_policy::field_errors(c, i, false));
    }
    errs.extend(fake_pod::validate(spec));
    errs
}

/// `validateDownwardAPI` over `transferEnv[].sourceContainerNameFrom.fieldRef`.
fn validate_transfer_env(envs: &[Value], path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let at = format!("{path}.fieldRef");
    for t in envs {
        let Some(fr) = t
            .pointer("/sourceContainerNameFrom/fieldRef")
            .filter(|v| v.is_object())
        else {
            continue;
        };
        // Kruise defaults an empty apiVersion to v1 before validating.
        let api = match s(fr, "apiVersion") {
            "" => "v1",
            a => a,
        };
        let field_path = s(fr, "fieldPath");
        if field_path.is_empty() {
            errs.push(FieldError::required(format!("{at}.fieldPath"), ""));
            continue;
        }
        if api != "v1" {
            errs.push(FieldError::invalid(
                format!("{at}.fieldPath"),
                field_path,
                format!("error converting fieldPath: unsupported pod version: {api}"),
            ));
            continue;
        }
        let subscripted = field_path
            .strip_suffix("']")
            .and_then(|p| p.split_once("['"));
        match subscripted {
            Some(("metadata.annotations", key)) => {
                for msg in is_qualified_name(&key.to_lowercase()) {
                    errs.push(FieldError::invalid(&at, key, msg));
                }
            }
            Some(("metadata.labels", key)) => {
                for msg in is_qualified_name(key) {
                    errs.push(FieldError::invalid(&at, key, msg));
                }
            }
            _ => errs.push(FieldError::invalid(
                format!("{at}.fieldPath"),
                field_path,
                format!("error converting fieldPath: field label not supported: {field_path}"),
            )),
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(doc: Value) -> Vec<String> {
        validate(&doc, &RuleContext::default())
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn ss(spec: Value) -> Value {
        json!({"apiVersion": "apps.kruise.io/v1beta1", "kind": "SidecarSet",
               "metadata": {"name": "sidecarset1"}, "spec": spec})
    }

    fn container(name: &str) -> Value {
        json!({"name": name, "image": "busybox"})
    }

    #[test]
    fn valid_sidecarset_has_no_errors() {
        let doc = ss(json!({"selector": {"matchLabels": {"app": "nginx"}},
                            "containers": [container("c1")]}));
        assert_eq!(messages(doc), Vec::<String>::new());
    }

    #[test]
    fn missing_selector_and_containers_are_required_values() {
        assert_eq!(
            messages(ss(json!({}))),
            [
                "spec.selector: Required value: no selector defined for SidecarSet",
                "spec: Required value: no initContainer or container defined for SidecarSet"
            ]
        );
    }

    #[test]
    fn empty_selector_and_bad_operator() {
        let errs = messages(ss(json!({"selector": {}, "containers": [container("c")]})));
        assert_eq!(
            errs,
            [
                "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is not valid for sidecarset."
            ]
        );
        let errs = messages(ss(json!({
            "selector": {"matchExpressions": [{"key": "a", "operator": "Foo"}]},
            "containers": [container("c")]})));
        assert_eq!(
            errs[0],
            "spec.selector.matchExpressions[0].operator: Invalid value: \"Foo\": not a valid selector operator"
        );
        assert!(
            errs[1].starts_with("spec.selector.selector: Invalid value: v1.LabelSelector{"),
            "{errs:?}"
        );
    }

    #[test]
    fn name_rules() {
        let mut doc =
            ss(json!({"selector": {"matchLabels": {"a": "b"}}, "containers": [container("c")]}));
        doc["metadata"]["name"] = json!("bad_name");
        assert_eq!(
            messages(doc),
            [
                "metadata.name: Invalid value: \"bad_name\": sidecarset name must consist of alphanumeric characters or '-' (e.g. 'example-com', regex used for validation is '^[a-zA-Z0-9\\-]+$')"
            ]
        );
    }

    #[test]
    fn native_sidecar_needs_not_update_and_strategy_rules() {
        let doc = ss(json!({
            "selector": {"matchLabels": {"a": "b"}},
            "initContainers": [{"name": "i", "image": "x", "restartPolicy": "Always"}],
            "updateStrategy": {"partition": "x", "maxUnavailable": -1,
                               "selector": {"matchLabels": {"canary": "true"}}}
        }));
        let errs = messages(doc);
        assert_eq!(
            errs[0],
            "spec.updateStrategy: Required value: The initContainer in-place upgrade is not currently supported."
        );
        assert!(
            errs[1].starts_with("updateStrategy: Invalid value: "),
            "{errs:?}"
        );
        assert!(errs[1].ends_with(": Partition and Selector cannot be used together"));
        assert_eq!(
            errs[2],
            "spec.updateStrategy.partition: Invalid value: \"x\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"
        );
        assert_eq!(
            errs[3],
            "spec.updateStrategy.maxUnavailable: Invalid value: -1: must be greater than or equal to 0"
        );
        assert_eq!(errs.len(), 4);
    }

    #[test]
    fn container_policies_transfer_env_and_patches() {
        let doc = ss(json!({
            "selector": {"matchLabels": {"a": "b"}},
            "containers": [{"name": "c", "image": "x", "podInjectPolicy": "Middle",
                "shareVolumePolicy": {"type": "maybe"},
                "transferEnv": [{"sourceContainerNameFrom": {"fieldRef": {"fieldPath": "metadata.name"}}, "envName": "E"}]}],
            "patchPodMetadata": [{"annotations": {"k": "1"}, "patchPolicy": "Overwrite"},
                                 {"annotations": {"k": "2"}}, {"patchPolicy": "Retain"}],
            "injectionStrategy": {"revision": {"policy": "Sometimes"}}
        }));
        assert_eq!(
            messages(doc),
            [
                "revision: Invalid value: v1beta1.SidecarSetInjectRevision{CustomVersion:(*string)(nil), RevisionName:(*string)(nil), Policy:\"Sometimes\"}: revisionName and customVersion cannot be empty simultaneously",
                "revision.policy: Invalid value: v1beta1.SidecarSetInjectRevision{CustomVersion:(*string)(nil), RevisionName:(*string)(nil), Policy:\"Sometimes\"}: Invalid policy Sometimes, supported: [Always, Partial]",
                "spec.container.podInjectPolicy: Invalid value: \"Middle\": unsupported pod inject policy",
                "spec.container.shareVolumePolicy: Invalid value: v1beta1.ShareVolumePolicy{Type:\"maybe\"}: unsupported share volume policy",
                "spec[0].transferEnv.fieldRef.fieldPath: Invalid value: \"metadata.name\": error converting fieldPath: field label not supported: metadata.name",
                "spec.patchPodMetadata: Required value: patch annotation[k] already exist",
                "spec.patchPodMetadata: Required value: no annotations defined for SidecarSet",
            ]
        );
    }

    #[test]
    fn canary_rules() {
        let known = BTreeMap::from([
            ("base".to_owned(), false),
            ("other-canary".to_owned(), true),
        ]);
        let ctx = RuleContext {
            whitelist: None,
            sidecarsets: Some(&known),
            patch_metadata_defaults_allowed: false,
        };
        let canary = |base: &str| {
            let mut doc = ss(
                json!({"selector": {"matchLabels": {"a": "b"}}, "containers": [container("c")],
                                    "updateStrategy": {"type": "NotUpdate"}}),
            );
            doc["metadata"]["annotations"] =
                json!({CANARY_ANNOTATION: "true", CANARY_BASE_ANNOTATION: base});
            validate(&doc, &ctx)
                .iter()
                .map(|e| e.detail.clone())
                .collect::<Vec<_>>()
        };
        assert!(canary("base").is_empty());
        assert_eq!(canary("sidecarset1"), ["base sidecarSet cannot be itself"]);
        assert_eq!(canary("other-canary"), ["base sidecarSet cannot be canary"]);
        assert_eq!(
            canary("gone"),
            ["fetch base sidecarSet[gone] failed: sidecarsets.apps.kruise.io \"gone\" not found"]
        );
    }
}
