//! [`check`] over the bundled examples and small fixtures.

use super::*;

const FILEBEAT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/filebeat-sidecarset");

fn parse(name: &str, text: &str) -> ParsedFile {
    ParsedFile::parse(name.to_owned(), text.to_owned()).expect("valid YAML")
}

fn fixture(file: &str) -> ParsedFile {
    let text = std::fs::read_to_string(format!("{FILEBEAT}/{file}")).expect("fixture");
    parse(file, &text)
}

fn options() -> Options {
    Options {
        default_namespace: "default".into(),
        kruise_namespace: "kruise-system".into(),
        feature_gates: Default::default(),
    }
}

fn lines(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            format!(
                "{}:{}: {}: {}",
                f.location.file,
                f.location.line,
                f.severity.as_str(),
                f.message
            )
        })
        .collect()
}

#[test]
fn filebeat_example_warns_about_varlog_and_needs_the_configmap() {
    let files = vec![
        (fixture("filebeat-sidecarset.yaml"), false),
        (fixture("nginx-deployment.yaml"), true),
    ];
    let findings = check(&files, &options()).expect("readable");
    let text = lines(&findings);
    assert_eq!(findings.len(), 2, "{text:#?}");
    assert_eq!(findings[0].severity, Severity::Error);
    assert!(text[0].starts_with("nginx-deployment.yaml:1: error: SidecarSet filebeat-sidecarset injects volume config that needs ConfigMap filebeat-config, which is not among the inputs in namespace default"), "{text:#?}");
    assert_eq!(findings[1].severity, Severity::Warning);
    assert!(
        text[1].contains("sidecar filebeat reads /var/log from emptyDir volume varlog"),
        "{text:#?}"
    );
    assert!(
        text[1].contains("nginx writes /var/log/nginx to volume log"),
        "{text:#?}"
    );

    let files = vec![
        (fixture("filebeat-sidecarset.yaml"), false),
        (fixture("filebeat-configmap.yaml"), false),
        (fixture("nginx-deployment.yaml"), true),
    ];
    let findings = check(&files, &options()).expect("readable");
    assert_eq!(findings.len(), 1, "{:#?}", lines(&findings));
    assert_eq!(findings[0].severity, Severity::Warning);
}

#[test]
fn configmap_in_another_namespace_does_not_count() {
    let cm = parse(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: filebeat-config\n  namespace: other\n",
    );
    let files = vec![
        (fixture("filebeat-sidecarset.yaml"), false),
        (cm, false),
        (fixture("nginx-deployment.yaml"), true),
    ];
    let findings = check(&files, &options()).expect("readable");
    assert_eq!(
        findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count(),
        1
    );
}

#[test]
fn webhook_errors_point_at_their_field() {
    let ss = parse(
        "ss.yaml",
        "apiVersion: apps.kruise.io/v1beta1\nkind: SidecarSet\nmetadata:\n  name: s\nspec:\n  selector:\n    matchLabels:\n      app: web\n  containers:\n  - name: c\n    image: x\n    volumeMounts:\n    - name: missing\n      mountPath: /x\n",
    );
    let findings = check(&[(ss, true)], &options()).expect("readable");
    assert_eq!(
        lines(&findings),
        ["ss.yaml:13: error: spec.containers[0].volumeMounts[0].name: Not found: \"missing\""]
    );
}

#[test]
fn conflicts_are_reported_on_both_sidecarsets() {
    let text = |name: &str| {
        format!(
            "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: {name}\nspec:\n  selector:\n    matchLabels:\n      app: web\n  containers:\n  - name: proxy\n    image: x\n"
        )
    };
    let files = vec![
        (parse("a.yaml", &text("a")), false),
        (parse("b.yaml", &text("b")), false),
    ];
    let findings = check(&files, &options()).expect("readable");
    assert_eq!(
        lines(&findings),
        [
            "a.yaml:9: error: spec.containers: Invalid value: \"proxy\": container proxy already exist in b",
            "b.yaml:9: error: spec.containers: Invalid value: \"proxy\": container proxy already exist in a",
        ]
    );
}

#[test]
fn whitelist_applies_when_kruise_configuration_is_given() {
    let ss = parse(
        "ss.yaml",
        "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: s\nspec:\n  selector:\n    matchLabels:\n      app: web\n  containers:\n  - name: c\n    image: x\n  patchPodMetadata:\n  - annotations:\n      oom-score: '{}'\n    patchPolicy: Overwrite\n",
    );
    let cm = parse(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kruise-configuration\n  namespace: kruise-system\ndata:\n  SidecarSet_PatchPodMetadata_WhiteList: '{\"rules\":[{\"allowedAnnotationKeyExprs\":[\"^log-.*\"]}]}'\n",
    );
    let findings = check(&[(ss, true), (cm, false)], &options()).expect("readable");
    assert_eq!(
        lines(&findings),
        [
            "ss.yaml:12: error: spec.patchPodMetadata: Required value: sidecarSet patch metadata annotation(oom-score) is not allowed"
        ]
    );
}
