//! `resourcesPolicy` (Kruise v1.9): a sidecar's `resources` computed from the
//! pod's containers at pod creation. Port of `pkg/webhook/pod/mutating/sidecarset_resources.go`
//! (`applyResourcesPolicy`, `getTargetContainers`, `aggregateResourcesBySum/Max`,
//! `evaluateResourceExpression`), on top of [`super::calculator`].
//!
//! The webhook sees the *Pod* after the API server's defaulting, and `SetDefaults_Pod` (k8s
//! `pkg/apis/core/v1/defaults.go`) sets every missing `requests` entry of a container to its
//! `limits` entry; the target containers are read with that defaulting applied (pod templates are
//! not defaulted, the pods created from them are).

use std::collections::{BTreeMap, HashSet};

use kruise_inject_kube::quantity::{Format, Quantity};
use regex::Regex;
use serde_json::{Map, Value};

use super::calculator::{self, CalcError, CalcValue};
use crate::kruise::validation::field_error::go_quote;

/// Why the pod webhook rejects the pod (or why kruise-inject cannot tell what it computes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourcesPolicyError {
    /// `targetContainersNameRegex` does not compile.
    #[error("failed to get target containers: invalid regex pattern {}: {detail}", go_quote(.pattern))]
    InvalidRegex {
        /// The pattern.
        pattern: String,
        /// Go's compile error (approximated from the regex crate's).
        detail: String,
    },
    /// The pattern uses syntax where Go's RE2 and the regex crate disagree.
    #[error(
        "kruise-inject cannot evaluate targetContainersNameRegex {} exactly ({detail}); use plain RE2 syntax",
        go_quote(.pattern)
    )]
    UnsupportedRegex {
        /// The pattern.
        pattern: String,
        /// What is not supported.
        detail: String,
    },
    /// No container is a target.
    #[error("no containers match the regex pattern {}", go_quote(.0))]
    NoTargets(String),
    /// A target container's resources are not valid quantities (the API server rejects the pod
    /// before the webhook sees it).
    #[error("container {container}: resources.{field}: {detail}")]
    InvalidTargetQuantity {
        /// Target container.
        container: String,
        /// `limits.cpu`, ...
        field: String,
        /// The parse error.
        detail: String,
    },
    /// An expression fails.
    #[error(
        "failed to evaluate {what} expression: failed to parse expression {}: {source}",
        go_quote(.expr)
    )]
    Expression {
        /// `CPU limits`, `memory requests`, ...
        what: &'static str,
        /// The expression.
        expr: String,
        /// The calculator's error.
        source: CalcError,
    },
    /// The computed request exceeds the computed limit: the API server's pod validation rejects it.
    #[error(
        "the computed {resource} request {request} is greater than the computed limit {limit}: the API server rejects the pod (requests must be less than or equal to limits)"
    )]
    RequestAboveLimit {
        /// `cpu` or `memory`.
        resource: &'static str,
        /// Request.
        request: String,
        /// Limit.
        limit: String,
    },
}

/// The cpu and memory `limits` and `requests` of one container (after `SetDefaults_Pod`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Resources {
    pub(crate) limits: BTreeMap<&'static str, Quantity>,
    pub(crate) requests: BTreeMap<&'static str, Quantity>,
}

const RESOURCES: [&str; 2] = ["cpu", "memory"];

/// `applyResourcesPolicy`: the `resources` value the sidecar gets, from `policy` (the defaulted
/// `resourcesPolicy` object), the pod's `initContainers` and `containers`, and the names of every
/// sidecar of every SidecarSet injected into the pod (never targets).
pub(crate) fn apply(
    policy: &Value,
    init_containers: &[Value],
    containers: &[Value],
    sidecar_names: &HashSet<&str>,
) -> Result<Value, ResourcesPolicyError> {
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let regex = s(policy, "targetContainersNameRegex");
    let mode = s(policy, "targetContainersMode");
    let pattern = go_regexp(&regex)?;
    let targets = target_containers(init_containers, containers, sidecar_names, &pattern);
    if targets.is_empty() {
        return Err(ResourcesPolicyError::NoTargets(regex));
    }
    let resources = targets
        .iter()
        .map(|c| container_resources(c))
        .collect::<Result<Vec<_>, _>>()?;
    let aggregated = match mode.as_str() {
        "sum" => aggregate_by_sum(&resources),
        "max" => aggregate_by_max(&resources),
        _ => Resources::default(),
    };
    let expr = policy.get("resourcesExpr").unwrap_or(&Value::Null);
    let mut out = Map::new();
    let mut computed = Resources::default();
    for (key, is_limit) in [("limits", true), ("requests", false)] {
        let Some(exprs) = expr.get(key).filter(|v| v.is_object()) else {
            continue;
        };
        let mut list = Map::new();
        for resource in RESOURCES {
            let e = s(exprs, resource);
            if e.is_empty() {
                continue;
            }
            let aggregate = if is_limit {
                // An unlimited aggregate leaves the sidecar's limit unset.
                match aggregated.limits.get(resource) {
                    Some(q) => q.clone(),
                    None => continue,
                }
            } else {
                aggregated
                    .requests
                    .get(resource)
                    .cloned()
                    .unwrap_or_default()
            };
            let what = match (resource, is_limit) {
                ("cpu", true) => "CPU limits",
                ("cpu", false) => "CPU requests",
                (_, true) => "memory limits",
                (_, false) => "memory requests",
            };
            let q = evaluate(&e, aggregate).map_err(|source| ResourcesPolicyError::Expression {
                what,
                expr: e.clone(),
                source,
            })?;
            list.insert(resource.to_owned(), Value::String(q.to_string()));
            if is_limit {
                computed.limits.insert(resource, q);
            } else {
                computed.requests.insert(resource, q);
            }
        }
        if !list.is_empty() {
            out.insert(key.to_owned(), Value::Object(list));
        }
    }
    for resource in RESOURCES {
        if let (Some(request), Some(limit)) = (
            computed.requests.get(resource),
            computed.limits.get(resource),
        ) && request.cmp_value(limit).is_gt()
        {
            return Err(ResourcesPolicyError::RequestAboveLimit {
                resource,
                request: request.to_string(),
                limit: limit.to_string(),
            });
        }
    }
    Ok(Value::Object(out))
}

/// `getTargetContainers`: native sidecar init containers (`restartPolicy: Always`), then
/// containers, that are no SidecarSet's sidecar and whose name matches (unanchored).
pub(crate) fn target_containers<'a>(
    init_containers: &'a [Value],
    containers: &'a [Value],
    sidecar_names: &HashSet<&str>,
    pattern: &Regex,
) -> Vec<&'a Value> {
    let name = |c: &Value| {
        c.get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let native = init_containers
        .iter()
        .filter(|c| c.get("restartPolicy").and_then(Value::as_str) == Some("Always"));
    native
        .chain(containers)
        .filter(|c| {
            let n = name(c);
            !sidecar_names.contains(n.as_str()) && pattern.is_match(&n)
        })
        .collect()
}

/// A container's cpu and memory limits and requests, with `SetDefaults_Pod`'s requests := limits.
pub(crate) fn container_resources(c: &Value) -> Result<Resources, ResourcesPolicyError> {
    let name = c.get("name").and_then(Value::as_str).unwrap_or("");
    let read = |key: &str| -> Result<BTreeMap<&'static str, Quantity>, ResourcesPolicyError> {
        let mut out = BTreeMap::new();
        let Some(map) = c
            .pointer(&format!("/resources/{key}"))
            .and_then(Value::as_object)
        else {
            return Ok(out);
        };
        for resource in RESOURCES {
            if let Some(v) = map.get(resource) {
                let q = Quantity::from_json(v).map_err(|e| {
                    ResourcesPolicyError::InvalidTargetQuantity {
                        container: name.to_owned(),
                        field: format!("{key}.{resource}"),
                        detail: e.to_string(),
                    }
                })?;
                out.insert(resource, q);
            }
        }
        Ok(out)
    };
    let limits = read("limits")?;
    let mut requests = read("requests")?;
    for (k, v) in &limits {
        requests.entry(k).or_insert_with(|| v.clone());
    }
    Ok(Resources { limits, requests })
}

/// `aggregateResourcesBySum`: a limit only if every target has it (else unlimited); requests
/// summed with missing ones as 0, omitted when the sum is zero.
pub(crate) fn aggregate_by_sum(containers: &[Resources]) -> Resources {
    let mut out = Resources::default();
    for resource in RESOURCES {
        let mut limit = Quantity::new(0, Format::DecimalSI);
        let mut request = Quantity::new(0, Format::DecimalSI);
        let mut all_limited = true;
        for c in containers {
            match c.limits.get(resource) {
                Some(q) => limit.add(q),
                None => all_limited = false,
            }
            if let Some(q) = c.requests.get(resource) {
                request.add(q);
            }
        }
        if all_limited {
            out.limits.insert(resource, limit);
        }
        if !request.is_zero() {
            out.requests.insert(resource, request);
        }
    }
    out
}

/// `aggregateResourcesByMax`: the largest value (the first on ties, as given); a limit only if
/// every target has it.
pub(crate) fn aggregate_by_max(containers: &[Resources]) -> Resources {
    let mut out = Resources::default();
    for resource in RESOURCES {
        let mut all_limited = true;
        for c in containers {
            match c.limits.get(resource) {
                Some(q) => {
                    if out
                        .limits
                        .get(resource)
                        .is_none_or(|m| q.cmp_value(m).is_gt())
                    {
                        out.limits.insert(resource, q.clone());
                    }
                }
                None => all_limited = false,
            }
            if let Some(q) = c.requests.get(resource)
                && out
                    .requests
                    .get(resource)
                    .is_none_or(|m| q.cmp_value(m).is_gt())
            {
                out.requests.insert(resource, q.clone());
            }
        }
        if !all_limited {
            out.limits.remove(resource);
        }
    }
    out
}

/// Go's `\bmemory\b` (ASCII word boundaries).
fn mentions_memory(expr: &str) -> bool {
    let b = expr.as_bytes();
    let word = |i: Option<&u8>| i.is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
    expr.match_indices("memory").any(|(i, m)| {
        let before = if i == 0 { None } else { b.get(i - 1) };
        !word(before) && !word(b.get(i + m.len()))
    })
}

/// `evaluateResourceExpression` for a non-empty expression: the variable is `memory` if the
/// expression mentions the word `memory`, else `cpu`; a plain number becomes millicores for `cpu`
/// (`NewMilliQuantity(int64(n*1000))`) and units for `memory` (`NewQuantity(int64(n))`).
pub(crate) fn evaluate(expr: &str, aggregated: Quantity) -> Result<Quantity, CalcError> {
    let var = if mentions_memory(expr) {
        "memory"
    } else {
        "cpu"
    };
    let vars = BTreeMap::from([(var.to_owned(), CalcValue::Quantity(aggregated))]);
    match calculator::parse(expr, &vars)? {
        CalcValue::Quantity(q) => Ok(q),
        CalcValue::Number(n) => {
            let (f, milli) = if var == "cpu" {
                (n * 1000.0, true)
            } else {
                (n, false)
            };
            if f.is_nan()
                || !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f)
            {
                return Err(CalcError::Unreproducible(format!(
                    "converting the result {} to an int64 (Go's result differs between CPU architectures)",
                    calculator::go_format_g(n)
                )));
            }
            Ok(if milli {
                Quantity::new_milli(f as i64, Format::DecimalSI)
            } else {
                Quantity::new(f as i64, Format::DecimalSI)
            })
        }
    }
}

/// `regexp.Compile(pattern)` (Go RE2) for container names, with the regex crate: the syntax both
/// accept means the same on ASCII names. Syntax only one of them accepts is reported, not guessed.
pub(crate) fn go_regexp(pattern: &str) -> Result<Regex, ResourcesPolicyError> {
    let unsupported = |detail: &str| ResourcesPolicyError::UnsupportedRegex {
        pattern: pattern.to_owned(),
        detail: detail.to_owned(),
    };
    let invalid = |detail: String| ResourcesPolicyError::InvalidRegex {
        pattern: pattern.to_owned(),
        detail,
    };
    // Go-only syntax (the regex crate rejects it, or lacks the Unicode tables here).
    for go_only in ["\\Q", "\\C", "\\p", "\\P"] {
        if pattern.contains(go_only) {
            return Err(unsupported(&format!(
                "{go_only} is RE2 syntax the regex crate does not accept here"
            )));
        }
    }
    // Syntax only the regex crate accepts.
    for rust_only in ["\\<", "\\>", "\\b{", "\\B{"] {
        if pattern.contains(rust_only) {
            return Err(unsupported(&format!(
                "{rust_only} means something else to Go's RE2"
            )));
        }
    }
    if let Some(op) = class_set_operation(pattern) {
        return Err(unsupported(&format!(
            "{op} inside a character class is a set operation to the regex crate, literal to Go's RE2"
        )));
    }
    if let Some(flags) = inline_flags(pattern).find(|f| f.contains(['x', 'u', 'R'])) {
        return Err(invalid(format!(
            "error parsing regexp: invalid or unsupported Perl syntax: `(?{flags}`"
        )));
    }
    if repeat_counts(pattern).any(|n| n > 1000) {
        return Err(invalid(
            "error parsing regexp: invalid repeat count".to_owned(),
        ));
    }
    Regex::new(pattern).map_err(|e| {
        let text = e.to_string();
        let kind = text
            .lines()
            .find_map(|l| l.strip_prefix("error: "))
            .unwrap_or(text.as_str());
        let go = match kind {
            "unclosed group" => "missing closing )",
            "unopened group" => "unexpected )",
            "unclosed character class" => "missing closing ]",
            "repetition operator missing expression" => "missing argument to repetition operator",
            other => other,
        };
        invalid(format!("error parsing regexp: {go}"))
    })
}

/// A `&&`, `--` or `~~` inside `[...]`, if any.
fn class_set_operation(pattern: &str) -> Option<&'static str> {
    let b = pattern.as_bytes();
    let (mut i, mut depth) = (0, 0usize);
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' if depth > 0 => depth -= 1,
            c @ (b'&' | b'-' | b'~') if depth > 0 && b.get(i + 1) == Some(&c) => {
                return Some(match c {
                    b'&' => "&&",
                    b'-' => "--",
                    _ => "~~",
                });
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The flag letters of each `(?flags)` / `(?flags:` group.
fn inline_flags(pattern: &str) -> impl Iterator<Item = &str> {
    pattern.match_indices("(?").filter_map(|(i, _)| {
        let rest = &pattern[i + 2..];
        let end = rest.find([')', ':'])?;
        let flags = &rest[..end];
        flags
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '-')
            .then_some(flags)
    })
}

/// The numbers in `{n}`, `{n,}`, `{n,m}` repetitions.
fn repeat_counts(pattern: &str) -> impl Iterator<Item = u64> + '_ {
    pattern.match_indices('{').flat_map(move |(i, _)| {
        let rest = &pattern[i + 1..];
        let body = rest.split_once('}').map(|(b, _)| b).unwrap_or("");
        let valid = !body.is_empty() && body.chars().all(|c| c.is_ascii_digit() || c == ',');
        body.split(',')
            .filter(move |_| valid)
            .filter_map(|n| n.parse::<u64>().ok())
            .collect::<Vec<_>>()
    })
}

#[cfg(test)]
#[path = "resources_policy_tests.rs"]
mod tests;
