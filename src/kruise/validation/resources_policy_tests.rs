//! Ported from Kruise v1.9 `pkg/webhook/sidecarset/validating/sidecarset_resources_policy_test.go`
//! (`TestValidateResourcesPolicy`: same cases, same error counts; `TestValidateResourceExpression`).

use serde_json::json;

use super::*;

fn container(policy: Value, resources: Value) -> Value {
    json!({"name": "sidecar", "image": "sidecar:latest", "resources": resources, "resourcesPolicy": policy})
}

fn policy(mode: &str, regex: &str, expr: Value) -> Value {
    json!({"targetContainersMode": mode, "targetContainersNameRegex": regex, "resourcesExpr": expr})
}

fn errors(c: &Value) -> Vec<String> {
    field_errors(c, 0, false)
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn validate_resources_policy() {
    // (name, policy, resources, expected error count, expected substring)
    let both = json!({"limits": {"cpu": "max(cpu*50%, 50m)", "memory": "max(memory*50%, 100Mi)"},
                      "requests": {"cpu": "max(cpu*50%, 50m)", "memory": "max(memory*50%, 100Mi)"}});
    let cpu_limit = json!({"limits": {"cpu": "cpu*50%"}});
    let cases: Vec<(&str, Value, Value, usize, &str)> = vec![
        (
            "valid resources policy with sum mode and both limits and requests",
            policy("sum", "^app.*$", both),
            json!({}),
            0,
            "",
        ),
        (
            "valid resources policy with max mode and only limits",
            policy("max", "^app.*$", cpu_limit.clone()),
            json!({}),
            0,
            "",
        ),
        (
            "valid resources policy with only requests",
            policy(
                "sum",
                ".*",
                json!({"requests": {"cpu": "max(cpu*50%, 50m)", "memory": "100Mi"}}),
            ),
            json!({}),
            0,
            "",
        ),
        (
            "valid resources policy with empty regex",
            policy("sum", "", cpu_limit.clone()),
            json!({}),
            1,
            "invalid empty regex",
        ),
        (
            "resources policy and resources.limits both configured - should fail",
            policy("sum", ".*", cpu_limit.clone()),
            json!({"limits": {"cpu": "100m", "memory": "100Mi"}}),
            1,
            "resourcesPolicy and resources cannot be configured together",
        ),
        (
            "resources policy and resources.requests both configured - should fail",
            policy("sum", ".*", cpu_limit.clone()),
            json!({"requests": {"cpu": "50m"}}),
            1,
            "resourcesPolicy and resources cannot be configured together",
        ),
        (
            "invalid regex pattern - should fail",
            policy("sum", "[invalid(regex", cpu_limit.clone()),
            json!({}),
            1,
            "invalid regex pattern",
        ),
        (
            "no limits and requests - should fail",
            policy("sum", "^app.*$", json!({})),
            json!({}),
            1,
            "at least one of limits or requests must be configured",
        ),
        (
            "invalid cpu expression - should fail",
            policy(
                "sum",
                "^app.*$",
                json!({"limits": {"cpu": "invalid expression @#$"}}),
            ),
            json!({}),
            1,
            "invalid expression",
        ),
        (
            "unbalanced parentheses - should fail",
            policy(
                "sum",
                "^app.*$",
                json!({"limits": {"cpu": "max(cpu*50%, 50m"}}),
            ),
            json!({}),
            1,
            "invalid expression",
        ),
        (
            "invalid function syntax - should fail",
            policy("sum", "^app.*$", json!({"limits": {"cpu": "max(cpu*50%)"}})),
            json!({}),
            1,
            "invalid expression",
        ),
        (
            "invalid variable name - should fail",
            policy(
                "sum",
                "^app.*$",
                json!({"limits": {"cpu": "invalidvar * 50%"}}),
            ),
            json!({}),
            1,
            "invalid expression",
        ),
        (
            "valid complex expression from story 5",
            policy(
                "sum",
                "^app.*$",
                json!({"limits": {"cpu": "0.5*cpu - 0.3*max(0, cpu-4) + 0.3*max(0, cpu-8)",
                                                   "memory": "max(memory*50%, 100Mi)"}}),
            ),
            json!({}),
            0,
            "",
        ),
        (
            "valid with only cpu in limits",
            policy("sum", "^.*", cpu_limit),
            json!({}),
            0,
            "",
        ),
        (
            "valid with only memory in limits",
            policy("sum", "^.*", json!({"limits": {"memory": "memory*50%"}})),
            json!({}),
            0,
            "",
        ),
        (
            "empty cpu expression in requests is valid",
            policy("sum", "^.*", json!({"requests": {"memory": "100Mi"}})),
            json!({}),
            0,
            "",
        ),
        (
            "invalid cpu expression in requests - should fail",
            policy(
                "sum",
                "^.*",
                json!({"requests": {"cpu": "invalid_cpu_expr"}}),
            ),
            json!({}),
            1,
            "invalid expression",
        ),
        (
            "invalid memory expression in limits - should fail",
            policy(
                "sum",
                "^.*",
                json!({"limits": {"memory": "bad_memory_expr"}}),
            ),
            json!({}),
            1,
            "invalid expression",
        ),
        (
            "invalid memory expression in requests - should fail",
            policy(
                "sum",
                "^.*",
                json!({"requests": {"memory": "bad_memory_expr"}}),
            ),
            json!({}),
            1,
            "invalid expression",
        ),
    ];
    for (name, p, resources, count, contains) in cases {
        let errs = errors(&container(p, resources));
        assert_eq!(errs.len(), count, "{name}: {errs:?}");
        assert!(
            errs.iter().all(|e| e.contains(contains)),
            "{name}: {errs:?}"
        );
    }
}

#[test]
fn validate_resource_expression() {
    // TestValidateResourceExpression: the variable is bound to the number 1.
    let ok = |e: &str, v: &str| check_expression(e, v).is_ok();
    assert!(ok("cpu*50%", "cpu"));
    assert!(ok("max(cpu*50%, 50m)", "cpu"));
    assert!(ok("min(cpu*50%, 200m)", "cpu"));
    assert!(ok("0.5*cpu - 0.3*max(0, cpu-4)", "cpu"));
    assert!(ok("  cpu  *  50%  ", "cpu"));
    assert!(!ok("mem*50%", "cpu"));
    assert!(ok("memory*50%", "memory"));
    assert!(ok("max(min(cpu*50%, 100m), 50m)", "cpu"));
    assert!(!ok("cpu*", "cpu"));
    // The field decides the variable: a memory expression cannot use cpu.
    assert!(!ok("cpu*2", "memory"));
    // A negative result with the dummy value is rejected.
    assert!(!ok("cpu - 2", "cpu"));
}

#[test]
fn exact_messages_and_paths() {
    let c = container(
        policy("sum", ".*", json!({"limits": {"cpu": "cpu*"}})),
        json!({}),
    );
    assert_eq!(
        errors(&c),
        [
            r#"spec[0].resourcesPolicy.resourcesExpr.limits.cpu: Invalid value: "cpu*": invalid expression: parse error: syntax error at line 1, col 5"#
        ]
    );
    let c = container(policy("sum", ".*", json!({})), json!({}));
    assert_eq!(
        errors(&c),
        [
            "spec[0].resourcesPolicy.resourcesExpr: Invalid value: v1beta1.ResourcesExpr{Limits:(*v1beta1.ResourceExprLimits)(nil), Requests:(*v1beta1.ResourceExprRequests)(nil)}: at least one of limits or requests must be configured"
        ]
    );
    // The CRD defaults an absent regex to ".*".
    let c = container(
        json!({"targetContainersMode": "max", "resourcesExpr": {"requests": {"memory": "memory"}}}),
        json!({}),
    );
    assert!(errors(&c).is_empty());
    // The CRD schema is checked first, by the API server.
    let c = container(json!({"targetContainersMode": "avg"}), json!({}));
    assert_eq!(
        errors(&c),
        [
            r#"spec.containers[0].resourcesPolicy.targetContainersMode: Unsupported value: "avg": supported values: "sum", "max""#,
            "spec.containers[0].resourcesPolicy.resourcesExpr: Required value",
        ]
    );
    // A misspelt resourcesExpr is no resourcesExpr.
    let c = container(
        json!({"targetContainersMode": "sum", "resourceExpr": {"limits": {"cpu": "cpu"}}}),
        json!({}),
    );
    assert_eq!(
        errors(&c),
        ["spec.containers[0].resourcesPolicy.resourcesExpr: Required value"]
    );
}

#[test]
fn init_containers() {
    let p = policy("sum", ".*", json!({"limits": {"cpu": "cpu*50%"}}));
    let mut native = container(p.clone(), json!({}));
    native["restartPolicy"] = json!("Always");
    assert!(
        field_errors(&native, 0, true).is_empty(),
        "allowed on native sidecars"
    );
    let plain = container(p, json!({}));
    let errs: Vec<String> = field_errors(&plain, 1, true)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        errs,
        [
            r#"spec[1].resourcesPolicy: Invalid value: v1beta1.ResourcesPolicy{TargetContainersMode:"sum", TargetContainersNameRegex:".*", ResourcesExpr:v1beta1.ResourcesExpr{Limits:&v1beta1.ResourceExprLimits{CPU:"cpu*50%", Memory:""}, Requests:(*v1beta1.ResourceExprRequests)(nil)}}: resourcesPolicy is only supported for containers with RestartPolicy Always"#
        ]
    );
}

#[test]
fn unknowable_cases_are_warnings() {
    let spec = json!({"containers": [container(policy("sum", r"^\pL+$", json!({"limits": {"cpu": "cpu"}})), json!({}))]});
    let w = warnings(&spec);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("cannot evaluate targetContainersNameRegex"),
        "{w:?}"
    );
    assert!(errors(&spec["containers"][0]).is_empty());
}
