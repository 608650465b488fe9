//! `--feature-gates`: Kruise's gates, as the manager's flag sets them, change what is injected.

use crate::test::{Status, Test};

const TWO_SIDECARS: &str = r#"apiVersion: apps.kruise.io/v1beta1
kind: SidecarSet
metadata:
  name: agents
spec:
  selector:
    matchLabels:
      app: web
  containers:
  - name: zeta-proxy
    image: proxy:1
  - name: alpha-logger
    image: logger:1
"#;

const WEB: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: web:1
"#;

fn render(gates: &[&str]) -> Test {
    Test::new()
        .file("agents.yaml", TWO_SIDECARS)
        .file("web.yaml", WEB)
        .args(&["render", "web.yaml", "-s", "agents.yaml"])
        .args(gates)
}

/// The container names of the last pod in `stdout` (the last three `- name:` items that are not
/// the injected `IS_INJECTED` env entries).
fn container_order(stdout: &str) -> Vec<&str> {
    let names: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- name: "))
        .filter(|n| *n != "IS_INJECTED")
        .collect();
    names[names.len().saturating_sub(3)..].to_vec()
}

#[test]
fn sidecar_containers_keep_their_order_by_default_and_sort_with_the_gate() {
    let default = render(&[])
        .stdout_any()
        .stderr("web.yaml:1: apps/v1 Deployment default/web: injected agents (zeta-proxy, alpha-logger)\n")
        .run();
    assert_eq!(
        container_order(&default.stdout),
        ["zeta-proxy", "alpha-logger", "web"]
    );
    let sorted = render(&["--feature-gates", "EnableSortSidecarContainerByName=true"])
        .stdout_any()
        .stderr("web.yaml:1: apps/v1 Deployment default/web: injected agents (zeta-proxy, alpha-logger)\n")
        .run();
    assert_eq!(
        container_order(&sorted.stdout),
        ["alpha-logger", "zeta-proxy", "web"]
    );
}

#[test]
fn without_the_pod_webhook_nothing_is_injected_and_the_report_says_why() {
    render(&["--feature-gates", "PodWebhook=false"])
        // the document is written unchanged
        .stdout(WEB)
        .stderr_contains("not injected: the PodWebhook feature gate is off")
        .run();
}

#[test]
fn an_unknown_gate_is_refused_as_the_manager_refuses_it() {
    render(&["--feature-gates", "EnableSortSidecarContainersByName=true"])
        .status(Status::Error)
        .stderr_contains("unrecognized feature gate: EnableSortSidecarContainersByName")
        .run();
}

#[test]
fn krm_takes_the_gates_from_its_function_config() {
    let list = format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: function-input\n  data:\n    featureGates: EnableSortSidecarContainerByName=true\nitems:\n{}{}",
        indent(TWO_SIDECARS),
        indent(WEB)
    );
    let out = Test::new()
        .args(&["krm"])
        .stdin(&list)
        .stdout_contains("injected agents (zeta-proxy, alpha-logger)")
        .run();
    assert_eq!(
        container_order(&out.stdout),
        ["alpha-logger", "zeta-proxy", "web"]
    );
}

/// A document as an item of a YAML list.
fn indent(doc: &str) -> String {
    let mut out = String::new();
    for (i, line) in doc.lines().enumerate() {
        out.push_str(if i == 0 { "- " } else { "  " });
        out.push_str(line);
        out.push('\n');
    }
    out
}
