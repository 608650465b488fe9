//! `resourcesPolicy` (Kruise v1.9) end to end: render, validate and diff.

use crate::test::{Status, Test};

const DIR: &str = "testdata/resources-policy";

/// Computed independently by `testdata/oracle/resources_policy_hash.py`.
const HASH: &str = "65bd25x42wvcv9ffx9xz75262wfvcd58b42688ww9vzvd62694vvd99zz77d624b";
const HASH_WITHOUT_IMAGE: &str = "547c894xb4x4f9vfd4b46c682v4477zw45xd42z9d7x8c4256xfzz464wx4d8c4x";
const REVISION: &str = "log-agent-57c89f6f66";
const DEFAULT_REGEX_HASH: &str = "4692bd96w92zf5c7f5zv844v444d92994444wxxv595vd5vx9bf5w8fbwxb4wfz6";
const DEFAULT_REGEX_REVISION: &str = "log-agent-85ff5fc8b9";

fn read(name: &str) -> String {
    std::fs::read_to_string(crate::test::repo(&format!("{DIR}/{name}")))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn shop() -> Test {
    Test::new()
        .copy(&format!("{DIR}/shop-deployment.yaml"), "app/shop.yaml")
        .copy(
            &format!("{DIR}/log-agent-sidecarset.yaml"),
            "platform/log-agent.yaml",
        )
}

/// The `resources:` block of the container `name` in rendered YAML.
fn resources_of(text: &str, name: &str) -> String {
    let start = text
        .find(&format!("- name: {name}\n"))
        .unwrap_or_else(|| panic!("no container {name}:\n{text}"));
    let rest = &text[start..];
    let res = rest.find("resources:").unwrap_or(0);
    rest[res..]
        .lines()
        .take(7)
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn log_agent_is_sized_from_the_app_containers() {
    let out = shop()
        .args(&["render", "app/shop.yaml", "-s", "platform"])
        .stdout_contains(&format!(
            r#""hash":"{HASH}","sidecarSetName":"log-agent","sidecarList":["fluent-bit"],"controllerRevision":"{REVISION}""#
        ))
        .stdout_contains(&format!(r#""hash":"{HASH_WITHOUT_IMAGE}""#))
        .stderr("app/shop.yaml:1: apps/v1 Deployment shop/shop: injected log-agent (fluent-bit)\n")
        .run();
    // sum over web and worker (metrics does not match): limits cpu 2 × 10% = 200m,
    // memory 2Gi × 25% = 512Mi; requests cpu 1 × 5% = 50m, memory 64Mi.
    assert_eq!(
        resources_of(&out.stdout, "fluent-bit"),
        "resources: limits: cpu: 200m memory: 512Mi requests: cpu: 50m memory: 64Mi"
    );
    // Rendering the rendered output changes nothing: injected sidecars are never targets.
    shop()
        .file("app/shop.yaml", &out.stdout)
        .args(&["render", "app/shop.yaml", "-s", "platform"])
        .stdout(&out.stdout)
        .stderr(
            "app/shop.yaml:1: apps/v1 Deployment shop/shop: up to date: log-agent (fluent-bit)\n",
        )
        .run();
}

#[test]
fn an_absent_regex_is_the_crd_default_and_pod_requests_default_to_limits() {
    let sidecarset = read("log-agent-sidecarset.yaml")
        .replace("      targetContainersNameRegex: ^(web|worker)$\n", "");
    let out = shop()
        .file("platform/log-agent.yaml", &sidecarset)
        .args(&["render", "app/shop.yaml", "-s", "platform"])
        .stdout_contains(&format!(
            r#""hash":"{DEFAULT_REGEX_HASH}","sidecarSetName":"log-agent","sidecarList":["fluent-bit"],"controllerRevision":"{DEFAULT_REGEX_REVISION}""#
        ))
        .stderr("app/shop.yaml:1: apps/v1 Deployment shop/shop: injected log-agent (fluent-bit)\n")
        .run();
    // ".*" also targets metrics (limits 100m/64Mi, requests defaulted to them on the pod):
    // cpu (1+1+0.1) × 10% = 210m, memory (1Gi+1Gi+64Mi) × 25% = 528Mi, cpu requests
    // (500m+500m+100m) × 5% = 55m.
    assert_eq!(
        resources_of(&out.stdout, "fluent-bit"),
        "resources: limits: cpu: 210m memory: 528Mi requests: cpu: 55m memory: 64Mi"
    );
}

#[test]
fn kruise_proposal_story_2() {
    let out = Test::new()
        .copy(&format!("{DIR}/story2-pod.yaml"), "pod.yaml")
        .copy(&format!("{DIR}/story2-sidecarset.yaml"), "ss.yaml")
        .args(&["render", "pod.yaml", "-s", "ss.yaml"])
        .stdout_any()
        .stderr("pod.yaml:1: v1 Pod default/large-engine: injected story2 (sidecar1)\n")
        .run();
    assert_eq!(
        resources_of(&out.stdout, "sidecar1"),
        "resources: limits: cpu: 300m memory: 200Mi requests: cpu: 75m memory: 100Mi"
    );
}

#[test]
fn a_pod_kruise_would_reject_is_an_error_naming_pod_sidecarset_and_expression() {
    let app = read("shop-deployment.yaml")
        .replace("- name: web\n", "- name: api\n")
        .replace("- name: worker\n", "- name: jobs\n");
    shop()
        .file("app/shop.yaml", &app)
        .args(&["render", "app/shop.yaml", "-s", "platform"])
        .status(Status::Error)
        .stderr_contains("app/shop.yaml")
        .stderr_contains("shop")
        .stderr_contains("SidecarSet log-agent")
        .stderr_contains("container fluent-bit")
        .stderr_contains(r#"no containers match the regex pattern "^(web|worker)$""#)
        .run();

    // Kruise's webhook admits the SidecarSet (it parses the expression with memory = 1), and
    // rejects the pod, whose requests add up to 1Gi.
    let sidecarset =
        read("log-agent-sidecarset.yaml").replace("memory: 64Mi", "memory: 512Mi - memory");
    shop()
        .file("platform/log-agent.yaml", &sidecarset)
        .args(&["render", "app/shop.yaml", "-s", "platform"])
        .status(Status::Error)
        .stderr_contains(
            r#"failed to evaluate memory requests expression: failed to parse expression "512Mi - memory": calculation result is negative: -512Mi"#,
        )
        .run();
}

#[test]
fn validate_accepts_the_policy_and_applies_kruise_rules() {
    shop()
        .args(&["validate", "app/shop.yaml", "-s", "platform"])
        .stderr("validate: 0 errors, 0 warnings\n")
        .run();

    // The field is resourcesExpr: a misspelt one is a missing one.
    let misspelt = read("log-agent-sidecarset.yaml").replace("resourcesExpr:", "resourceExpr:");
    Test::new()
        .file("ss.yaml", &misspelt)
        .args(&["validate", "ss.yaml"])
        .status(Status::Changes)
        .stdout_contains("resourcesExpr")
        .stderr("validate: 2 errors, 0 warnings\n")
        .run();

    // A native sidecar init container may have a policy; a plain init container may not.
    let native = r#"apiVersion: apps.kruise.io/v1beta1
kind: SidecarSet
metadata:
  name: mesh
spec:
  selector:
    matchLabels:
      app: shop
  updateStrategy:
    type: NotUpdate
  initContainers:
  - name: proxy
    image: envoyproxy/envoy:v1.31.0
    restartPolicy: Always
    resourcesPolicy:
      targetContainersMode: max
      resourcesExpr:
        limits:
          cpu: cpu*50%
"#;
    Test::new()
        .file("ss.yaml", native)
        .args(&["validate", "ss.yaml"])
        .stderr("validate: 0 errors, 0 warnings\n")
        .run();
    let plain = native.replace("    restartPolicy: Always\n", "");
    Test::new()
        .file("ss.yaml", &plain)
        .args(&["validate", "ss.yaml"])
        .status(Status::Changes)
        .stdout_contains(
            "resourcesPolicy is only supported for containers with RestartPolicy Always",
        )
        .stderr("validate: 1 error, 0 warnings\n")
        .run();

    let bad = read("log-agent-sidecarset.yaml").replace("max(cpu*10%, 100m)", "max(cpu*10%)");
    Test::new()
        .file("ss.yaml", &bad)
        .args(&["validate", "ss.yaml"])
        .status(Status::Changes)
        .stdout_contains(
            r#"spec[0].resourcesPolicy.resourcesExpr.limits.cpu: Invalid value: "max(cpu*10%)": invalid expression: max function requires exactly 2 arguments, got 1"#,
        )
        .stderr("validate: 1 error, 0 warnings\n")
        .run();
}

#[test]
fn diff_explains_a_policy_change() {
    let old = read("log-agent-sidecarset.yaml");
    let new = old.replace("max(cpu*10%, 100m)", "max(cpu*20%, 100m)");
    shop()
        .file("platform/log-agent.yaml", &new)
        .file("old/log-agent.yaml", &old)
        .args(&["diff", "app", "-s", "platform", "--old-sidecarsets", "old"])
        .status(Status::Changes)
        .stdout_contains("container fluent-bit: resourcesPolicy (resourcesExpr.limits.cpu max(cpu*10%, 100m) -> max(cpu*20%, 100m))")
        .stdout_contains("running pods are not upgradable")
        .stdout_contains("running pods keep the resources computed when they were created")
        .stdout_contains("-            cpu: 200m")
        .stdout_contains("+            cpu: 400m")
        .run();
}
