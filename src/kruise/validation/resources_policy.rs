//! The `resourcesPolicy` rules of Kruise's SidecarSet validating webhook (v1.9,
//! `pkg/webhook/sidecarset/validating/sidecarset_create_update_handler.go`:
//! `validateContainersForSidecarSet`, `validateResourcesPolicy`, `validateResourceExpr`,
//! `validateResourceExprLimits/Requests`, `validateResourceExpression`), and the CRD schema checks
//! the API server makes first (`targetContainersMode` enum `sum`/`max`, required
//! `targetContainersMode` and `resourcesExpr`, `targetContainersNameRegex` defaulted to `.*`).

use std::collections::BTreeMap;

use serde_json::Value;

use super::field_error::{BadValue, ErrorType, FieldError, go_quote};
use crate::kruise::inject::calculator::{self, CalcError, CalcValue};
use crate::kruise::inject::resources_policy::{ResourcesPolicyError, go_regexp};

/// The field errors for `resourcesPolicy` of container `c` (`containers[i]` or
/// `initContainers[i]`, `is_init`), at Go's path `spec[i].resourcesPolicy`.
pub fn field_errors(c: &Value, index: usize, is_init: bool) -> Vec<FieldError> {
    let Some(policy) = c.get("resourcesPolicy").filter(|v| !v.is_null()) else {
        return Vec::new();
    };
    let list = if is_init {
        "initContainers"
    } else {
        "containers"
    };
    let crd = crd_errors(policy, &format!("spec.{list}[{index}].resourcesPolicy"));
    if !crd.is_empty() {
        return crd;
    }
    let path = format!("spec[{index}].resourcesPolicy");
    let mut errs = Vec::new();
    if is_init && c.get("restartPolicy").and_then(Value::as_str) != Some("Always") {
        errs.push(FieldError::invalid_go(
            path.clone(),
            go_policy(policy),
            "resourcesPolicy is only supported for containers with RestartPolicy Always",
        ));
    }
    errs.extend(validate_resources_policy(c, policy, &path));
    errs
}

/// What validate cannot decide about the `resourcesPolicy`s of a SidecarSet `spec` (syntax where
/// Go's regexp and the regex crate differ, results that depend on Go internals).
pub fn warnings(spec: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for list in ["initContainers", "containers"] {
        for (i, c) in arr(spec.get(list)).iter().enumerate() {
            let Some(policy) = c.get("resourcesPolicy").filter(|v| v.is_object()) else {
                continue;
            };
            let at = format!("spec.{list}[{i}].resourcesPolicy");
            if let Some(regex) = policy
                .get("targetContainersNameRegex")
                .and_then(Value::as_str)
                && let Err(e @ ResourcesPolicyError::UnsupportedRegex { .. }) = go_regexp(regex)
            {
                out.push(format!("{at}: {e}"));
            }
            for (key, resource, expr) in expressions(policy) {
                if let Err(CalcError::Unreproducible(why)) = check_expression(&expr, resource) {
                    out.push(format!(
                        "{at}.resourcesExpr.{key}.{resource}: cannot tell whether Kruise accepts {}: kruise-inject cannot reproduce it exactly: {why}",
                        go_quote(&expr)
                    ));
                }
            }
        }
    }
    out
}

fn arr(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// The API server's CRD (structural schema) errors, which stop the request before the webhook.
fn crd_errors(policy: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match policy.get("targetContainersMode") {
        None | Some(Value::Null) => errs.push(FieldError::required(
            format!("{path}.targetContainersMode"),
            "",
        )),
        Some(Value::String(m)) if m == "sum" || m == "max" => {}
        Some(other) => errs.push(FieldError::new(
            format!("{path}.targetContainersMode"),
            ErrorType::NotSupported,
            Some(BadValue::Str(
                other
                    .as_str()
                    .map_or_else(|| other.to_string(), str::to_owned),
            )),
            "supported values: \"sum\", \"max\"",
        )),
    }
    if policy.get("resourcesExpr").is_none_or(Value::is_null) {
        errs.push(FieldError::required(format!("{path}.resourcesExpr"), ""));
    }
    errs
}

/// `validateResourcesPolicy`.
fn validate_resources_policy(c: &Value, policy: &Value, path: &str) -> Vec<FieldError> {
    let has_resources = ["limits", "requests"].iter().any(|k| {
        c.pointer(&format!("/resources/{k}"))
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty())
    });
    if has_resources {
        return vec![FieldError::invalid_go(
            path,
            go_policy(policy),
            "resourcesPolicy and resources cannot be configured together",
        )];
    }
    let mut errs = Vec::new();
    // The CRD defaults an absent or null regex to ".*".
    let regex = match policy.get("targetContainersNameRegex") {
        None | Some(Value::Null) => ".*",
        Some(v) => v.as_str().unwrap_or(""),
    };
    if regex.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.targetContainersNameRegex"),
            "invalid empty regex",
        ));
    } else if let Err(ResourcesPolicyError::InvalidRegex { detail, .. }) = go_regexp(regex) {
        errs.push(FieldError::invalid(
            format!("{path}.targetContainersNameRegex"),
            regex,
            format!("invalid regex pattern: {detail}"),
        ));
    }
    // validateResourceExpr
    let expr = policy.get("resourcesExpr").unwrap_or(&Value::Null);
    let given = |k: &str| expr.get(k).is_some_and(|v| !v.is_null());
    if !given("limits") && !given("requests") {
        errs.push(FieldError::invalid_go(
            format!("{path}.resourcesExpr"),
            "v1beta1.ResourcesExpr{Limits:(*v1beta1.ResourceExprLimits)(nil), Requests:(*v1beta1.ResourceExprRequests)(nil)}".to_owned(),
            "at least one of limits or requests must be configured",
        ));
        return errs;
    }
    for (key, resource, e) in expressions(policy) {
        if let Err(CalcError::Go(err)) = check_expression(&e, resource) {
            errs.push(FieldError::invalid(
                format!("{path}.resourcesExpr.{key}.{resource}"),
                &e,
                format!("invalid expression: {err}"),
            ));
        }
    }
    errs
}

/// The non-empty expressions: (`limits`/`requests`, `cpu`/`memory`, expression), in Go's order.
fn expressions(policy: &Value) -> Vec<(&'static str, &'static str, String)> {
    let mut out = Vec::new();
    for key in ["limits", "requests"] {
        let Some(exprs) = policy.pointer(&format!("/resourcesExpr/{key}")) else {
            continue;
        };
        for resource in ["cpu", "memory"] {
            if let Some(e) = str_of(exprs, resource).filter(|e| !e.is_empty()) {
                out.push((key, resource, e.to_owned()));
            }
        }
    }
    out
}

/// `validateResourceExpression`: the expression parsed with the field's variable (`cpu` or
/// `memory`) bound to the plain number 1.
fn check_expression(expr: &str, variable: &str) -> Result<CalcValue, CalcError> {
    let vars = BTreeMap::from([(variable.to_owned(), CalcValue::Number(1.0))]);
    calculator::parse(expr, &vars)
}

/// The policy as Go's `%#v` prints the dereferenced `*ResourcesPolicy`, except that the
/// `Limits`/`Requests` pointers are shown by content instead of by address.
fn go_policy(policy: &Value) -> String {
    let s = |v: &Value, k: &str| go_quote(str_of(v, k).unwrap_or(""));
    let expr = policy.get("resourcesExpr").unwrap_or(&Value::Null);
    let ptr = |key: &str, ty: &str| match expr.get(key).filter(|v| !v.is_null()) {
        None => format!("(*v1beta1.{ty})(nil)"),
        Some(v) => format!(
            "&v1beta1.{ty}{{CPU:{}, Memory:{}}}",
            s(v, "cpu"),
            s(v, "memory")
        ),
    };
    format!(
        "v1beta1.ResourcesPolicy{{TargetContainersMode:{}, TargetContainersNameRegex:{}, ResourcesExpr:v1beta1.ResourcesExpr{{Limits:{}, Requests:{}}}}}",
        s(policy, "targetContainersMode"),
        go_quote(
            policy
                .get("targetContainersNameRegex")
                .filter(|v| !v.is_null())
                .map_or(Some(".*"), Value::as_str)
                .unwrap_or("")
        ),
        ptr("limits", "ResourceExprLimits"),
        ptr("requests", "ResourceExprRequests"),
    )
}

#[cfg(test)]
#[path = "resources_policy_tests.rs"]
mod tests;
