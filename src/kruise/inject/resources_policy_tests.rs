//! Ported from Kruise v1.9 `pkg/webhook/pod/mutating/sidecarset_resources_test.go`
//! (`TestApplyResourcesPolicy`, `TestAggregateResourcesBySum/Max`, `TestGetTargetContainers`,
//! `TestEvaluateResourceExpression`), plus the API server's pod defaulting the webhook sees.

use serde_json::json;

use super::*;

/// A container with `limits` / `requests` given as `[cpu, memory]` (`""` = absent).
fn c(name: &str, limits: [&str; 2], requests: [&str; 2]) -> Value {
    let list = |v: [&str; 2]| {
        let mut m = Map::new();
        for (k, q) in RESOURCES.iter().zip(v) {
            if !q.is_empty() {
                m.insert((*k).to_owned(), json!(q));
            }
        }
        Value::Object(m)
    };
    let mut resources = Map::new();
    if limits.iter().any(|q| !q.is_empty()) {
        resources.insert("limits".into(), list(limits));
    }
    if requests.iter().any(|q| !q.is_empty()) {
        resources.insert("requests".into(), list(requests));
    }
    json!({"name": name, "image": "nginx:1.14.2", "resources": resources})
}

fn policy(mode: &str, regex: &str, limits: [&str; 2], requests: [&str; 2]) -> Value {
    let exprs = |v: [&str; 2]| json!({"cpu": v[0], "memory": v[1]});
    json!({"targetContainersMode": mode, "targetContainersNameRegex": regex,
           "resourcesExpr": {"limits": exprs(limits), "requests": exprs(requests)}})
}

fn run(
    policy: &Value,
    init: &[Value],
    containers: &[Value],
) -> Result<Value, ResourcesPolicyError> {
    apply(policy, init, containers, &HashSet::new())
}

fn resources(vals: &[Value]) -> Vec<Resources> {
    vals.iter()
        .map(|v| container_resources(v).expect("valid"))
        .collect()
}

fn strings(m: &BTreeMap<&'static str, Quantity>) -> BTreeMap<&'static str, String> {
    m.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

fn two_engines() -> Vec<Value> {
    vec![
        c("large.engine.v4", ["200m", "200Mi"], ["50m", "100Mi"]),
        c("large.engine.v8", ["400m", "400Mi"], ["100m", "200Mi"]),
    ]
}

#[test]
fn apply_resources_policy() {
    // TestApplyResourcesPolicy
    let got = run(
        &policy("sum", ".*", ["cpu*50%", "200Mi"], ["cpu*50%", "100Mi"]),
        &[],
        &two_engines(),
    );
    assert_eq!(
        got,
        Ok(json!({"limits": {"cpu": "300m", "memory": "200Mi"},
                  "requests": {"cpu": "75m", "memory": "100Mi"}})),
        "sum mode with percentage - basic"
    );
    let got = run(
        &policy(
            "max",
            "^large.engine.v.*$",
            ["max(cpu*50%, 50m)", "200Mi"],
            ["max(cpu*50%, 50m)", "100Mi"],
        ),
        &[],
        &two_engines(),
    );
    assert_eq!(
        got,
        Ok(json!({"limits": {"cpu": "200m", "memory": "200Mi"},
                  "requests": {"cpu": "50m", "memory": "100Mi"}})),
        "max mode with expression"
    );
    let got = run(
        &policy(
            "sum",
            "^large.engine.v4$",
            ["max(cpu*50%, 50m)", "200Mi"],
            ["max(cpu*50%, 50m)", "100Mi"],
        ),
        &[],
        &two_engines(),
    );
    assert_eq!(
        got,
        Ok(json!({"limits": {"cpu": "100m", "memory": "200Mi"},
                  "requests": {"cpu": "50m", "memory": "100Mi"}})),
        "regex filter - specific container"
    );
    let got = run(
        &policy("sum", "^nonexistent$", ["cpu*50%", ""], ["", ""]),
        &[],
        &[c("app1", ["200m", ""], ["", ""])],
    );
    assert_eq!(
        got.map_err(|e| e.to_string()),
        Err(r#"no containers match the regex pattern "^nonexistent$""#.to_owned())
    );
    let apps = [
        c("app1", ["200m", "200Mi"], ["100m", "100Mi"]),
        c("app2", ["", "400Mi"], ["50m", "200Mi"]),
    ];
    let got = run(
        &policy(
            "sum",
            ".*",
            ["cpu*50%", "memory*30%"],
            ["cpu*30%", "memory*20%"],
        ),
        &[],
        &apps,
    );
    assert_eq!(
        got,
        Ok(json!({"limits": {"memory": "180Mi"},
                  "requests": {"cpu": "45m", "memory": "60Mi"}})),
        "sum mode - one container without CPU limit (unlimited)"
    );
    let apps = [
        c("app1", ["200m", "200Mi"], ["100m", "100Mi"]),
        c("app2", ["400m", ""], ["200m", ""]),
    ];
    let got = run(
        &policy(
            "max",
            ".*",
            ["cpu*40%", "memory*30%"],
            ["cpu*25%", "memory*20%"],
        ),
        &[],
        &apps,
    );
    assert_eq!(
        got,
        Ok(json!({"limits": {"cpu": "160m"},
                  "requests": {"cpu": "50m", "memory": "20Mi"}})),
        "max mode - one container without Memory limit (unlimited)"
    );
    // "sum mode - container without requests (treated as 0)": upstream calls the function with an
    // undefaulted pod and gets 30m / 20Mi; a real pod has app2's requests defaulted to its limits
    // by the API server first, so the webhook computes (100m+400m)*30% and (100Mi+400Mi)*20%.
    let apps = [
        c("app1", ["200m", "200Mi"], ["100m", "100Mi"]),
        c("app2", ["400m", "400Mi"], ["", ""]),
    ];
    let got = run(
        &policy(
            "sum",
            ".*",
            ["cpu*50%", "memory*30%"],
            ["cpu*30%", "memory*20%"],
        ),
        &[],
        &apps,
    );
    assert_eq!(
        got,
        Ok(json!({"limits": {"cpu": "300m", "memory": "180Mi"},
                  "requests": {"cpu": "150m", "memory": "100Mi"}}))
    );
    let mut undefaulted = resources(&apps);
    undefaulted[1].requests.clear();
    let agg = aggregate_by_sum(&undefaulted);
    assert_eq!(
        evaluate("cpu*30%", agg.requests["cpu"].clone()).map(|q| q.to_string()),
        Ok("30m".to_owned())
    );
    assert_eq!(
        evaluate("memory*20%", agg.requests["memory"].clone()).map(|q| q.to_string()),
        Ok("20Mi".to_owned())
    );
    // "init-container with resource policy (native sidecar)": app1 is a native sidecar (a target),
    // the plain init container app2 is not.
    let mut native = c("app1", ["400m", "800Mi"], ["200m", "400Mi"]);
    native["restartPolicy"] = json!("Always");
    let init = [native, c("app2", ["400m", "800Mi"], ["200m", "400Mi"])];
    let got = run(
        &policy(
            "sum",
            "^app.*$",
            ["max(cpu*30%, 50m)", "max(memory*25%, 100Mi)"],
            ["cpu*20%", "memory*15%"],
        ),
        &init,
        &[c("app2", ["600m", "1200Mi"], ["300m", "600Mi"])],
    );
    assert_eq!(
        got,
        Ok(json!({"limits": {"cpu": "300m", "memory": "500Mi"},
                  "requests": {"cpu": "100m", "memory": "150Mi"}})),
        "init-container with resource policy (native sidecar)"
    );
}

#[test]
fn aggregate_resources_by_sum() {
    // TestAggregateResourcesBySum
    let agg = aggregate_by_sum(&resources(&two_engines()));
    assert_eq!(
        strings(&agg.limits),
        BTreeMap::from([("cpu", "600m".into()), ("memory", "600Mi".into())])
    );
    assert_eq!(
        strings(&agg.requests),
        BTreeMap::from([("cpu", "150m".into()), ("memory", "300Mi".into())])
    );
    let agg = aggregate_by_sum(&resources(&[
        c("a", ["200m", "200Mi"], ["50m", "100Mi"]),
        c("b", ["", "400Mi"], ["100m", "200Mi"]),
    ]));
    assert_eq!(
        strings(&agg.limits),
        BTreeMap::from([("memory", "600Mi".into())]),
        "a missing CPU limit makes the sum unlimited"
    );
    assert_eq!(
        strings(&agg.requests),
        BTreeMap::from([("cpu", "150m".into()), ("memory", "300Mi".into())])
    );
    let mut rs = resources(&[
        c("a", ["200m", "200Mi"], ["50m", "100Mi"]),
        c("b", ["400m", "400Mi"], ["", ""]),
    ]);
    rs[1].requests.clear();
    let agg = aggregate_by_sum(&rs);
    assert_eq!(
        strings(&agg.requests),
        BTreeMap::from([("cpu", "50m".into()), ("memory", "100Mi".into())]),
        "missing requests count as 0"
    );
    let agg = aggregate_by_sum(&resources(&[c("a", ["", ""], ["", ""])]));
    assert!(
        agg.requests.is_empty(),
        "a zero sum of requests is left out"
    );
}

#[test]
fn aggregate_resources_by_max() {
    // TestAggregateResourcesByMax
    let agg = aggregate_by_max(&resources(&two_engines()));
    assert_eq!(
        strings(&agg.limits),
        BTreeMap::from([("cpu", "400m".into()), ("memory", "400Mi".into())])
    );
    assert_eq!(
        strings(&agg.requests),
        BTreeMap::from([("cpu", "100m".into()), ("memory", "200Mi".into())])
    );
    let agg = aggregate_by_max(&resources(&[
        c("a", ["200m", "200Mi"], ["50m", "100Mi"]),
        c("b", ["400m", ""], ["100m", ""]),
    ]));
    assert_eq!(
        strings(&agg.limits),
        BTreeMap::from([("cpu", "400m".into())])
    );
    assert_eq!(
        strings(&agg.requests),
        BTreeMap::from([("cpu", "100m".into()), ("memory", "100Mi".into())])
    );
    let agg = aggregate_by_max(&resources(&[
        c("a", ["200m", "200Mi"], ["50m", "100Mi"]),
        c("b", ["", "400Mi"], ["", "200Mi"]),
    ]));
    assert_eq!(
        strings(&agg.limits),
        BTreeMap::from([("memory", "400Mi".into())])
    );
    let agg = aggregate_by_max(&resources(&[
        c("a", ["200m", "200Mi"], ["50m", "100Mi"]),
        c("b", ["100m", "150Mi"], ["", ""]),
    ]));
    assert_eq!(
        strings(&agg.limits),
        BTreeMap::from([("cpu", "200m".into()), ("memory", "200Mi".into())])
    );
    // Equal values keep the first, with its text.
    let agg = aggregate_by_max(&resources(&[
        c("a", ["+1", ""], ["", ""]),
        c("b", ["1", ""], ["", ""]),
    ]));
    assert_eq!(strings(&agg.limits), BTreeMap::from([("cpu", "+1".into())]));
}

#[test]
fn get_target_containers() {
    // TestGetTargetContainers
    let init = [
        json!({"name": "init-sidecar1"}),
        json!({"name": "plain-init-container"}),
        json!({"name": "sidecar-container", "restartPolicy": "Always"}),
    ];
    let containers = [
        json!({"name": "app1"}),
        json!({"name": "app2"}),
        json!({"name": "sidecar1"}),
    ];
    let sidecars = HashSet::from(["init-sidecar1", "sidecar1"]);
    let re = go_regexp("^.*$").expect("valid");
    let names: Vec<&str> = target_containers(&init, &containers, &sidecars, &re)
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["sidecar-container", "app1", "app2"]);
    // The regex is unanchored (MatchString).
    let re = go_regexp("pp").expect("valid");
    assert_eq!(
        target_containers(&init, &containers, &sidecars, &re).len(),
        2
    );
}

#[test]
fn evaluate_resource_expression() {
    // TestEvaluateResourceExpression (non-empty expressions; callers skip empty ones).
    let cases = [
        ("cpu*50%", "200m", Some("100m")),
        ("memory*30%", "600Mi", Some("180Mi")),
        ("max(cpu*50%, 100m)", "150m", Some("100m")),
        ("max(cpu*50%, 100m)", "400m", Some("200m")),
        ("cpu + 50m", "100m", Some("150m")),
        ("max(memory*20% + 100Mi, 200Mi)", "800Mi", Some("260Mi")),
        ("500m", "100m", Some("500m")),
        ("1Gi", "500Mi", Some("1Gi")),
        ("cpu * invalid", "100m", None),
        ("cpu*50%", "0", Some("0")),
        ("memory*25%", "400Mi", Some("100Mi")),
        ("1", "2", Some("1")),
        ("1", "2Mi", Some("1")),
    ];
    for (expr, value, want) in cases {
        let got = evaluate(expr, Quantity::parse(value).unwrap_or_default()).map(|q| q.to_string());
        assert_eq!(
            got.as_ref().ok().map(String::as_str),
            want,
            "{expr} @ {value}: {got:?}"
        );
    }
    // Numbers: millicores for cpu, whole units (truncated) for memory.
    assert_eq!(
        evaluate("0.5", Quantity::zero()).map(|q| q.to_string()),
        Ok("500m".into())
    );
    assert_eq!(
        evaluate("memory*0 + 0.5", Quantity::zero()).map(|q| q.to_string()),
        Ok("500m".into())
    );
    assert_eq!(
        evaluate("max(memory, 0) * 0 + 1.9", Quantity::zero()).map(|q| q.to_string()),
        Ok("1900m".into()),
        "a quantity operand makes the result a quantity"
    );
    assert_eq!(
        evaluate("1.9 + 0 * max(memory, 0)", Quantity::zero()).map(|q| q.to_string()),
        Ok("1900m".into())
    );
    // "memory" decides the variable only as a whole ASCII word.
    assert!(mentions_memory("max(memory*2, 1Gi)"));
    assert!(
        !mentions_memory("memory_x") && !mentions_memory("Memory") && !mentions_memory("xmemory")
    );
    assert_eq!(
        evaluate("Memory*2", Quantity::zero()),
        Err(CalcError::Go("undefined variable: memory".into()))
    );
}

#[test]
fn pod_defaulting_and_bad_quantities() {
    let got = run(
        &policy("sum", ".*", ["", ""], ["cpu", "memory"]),
        &[],
        &[json!({"name": "app", "resources": {"limits": {"cpu": 1, "memory": "1Gi"}}})],
    );
    assert_eq!(got, Ok(json!({"requests": {"cpu": "1", "memory": "1Gi"}})));
    let got = run(
        &policy("sum", ".*", ["cpu", ""], ["", ""]),
        &[],
        &[json!({"name": "app", "resources": {"limits": {"cpu": "1x"}}})],
    );
    assert!(
        matches!(got, Err(ResourcesPolicyError::InvalidTargetQuantity { .. })),
        "{got:?}"
    );
}

#[test]
fn rejections() {
    let apps = [c("app", ["1", "1Gi"], ["500m", "512Mi"])];
    let err = |p: Value| run(&p, &[], &apps).map_err(|e| e.to_string());
    assert_eq!(
        err(policy("sum", ".*", ["cpu - 2", ""], ["", ""])),
        Err(r#"failed to evaluate CPU limits expression: failed to parse expression "cpu - 2": calculation result is negative: -1"#.to_owned())
    );
    assert_eq!(
        err(policy("sum", ".*", ["", ""], ["", "memory * memory"])),
        Err(r#"failed to evaluate memory requests expression: failed to parse expression "memory * memory": multiplication of two quantities"#.to_owned())
    );
    assert_eq!(
        err(policy("sum", "(", ["cpu", ""], ["", ""])),
        Err(r#"failed to get target containers: invalid regex pattern "(": error parsing regexp: missing closing )"#.to_owned())
    );
    let got = err(policy("sum", ".*", ["cpu*10%", ""], ["cpu", ""]));
    assert!(
        got.as_ref()
            .is_err_and(|e| e.contains("request 500m is greater than the computed limit 100m")),
        "{got:?}"
    );
    // An unset (unlimited) limit is not compared.
    assert!(err(policy("sum", ".*", ["", ""], ["cpu*4", ""])).is_ok());
}

#[test]
fn go_regexp_differences_are_reported() {
    assert!(go_regexp("^app-[a-z0-9]+$").is_ok());
    assert!(
        go_regexp("app--v1").is_ok(),
        "-- outside a class is literal to both"
    );
    for p in [r"\pL", r"\Qa.b\E", r"\<app", "[a-z&&[^x]]"] {
        assert!(
            matches!(
                go_regexp(p),
                Err(ResourcesPolicyError::UnsupportedRegex { .. })
            ),
            "{p}"
        );
    }
    for p in ["(?x) app", "a{1001}", "a)", "[a"] {
        assert!(
            matches!(go_regexp(p), Err(ResourcesPolicyError::InvalidRegex { .. })),
            "{p}"
        );
    }
}
