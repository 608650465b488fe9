use super::*;

const DEPLOYMENT: &str = "\
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web # the web tier
    annotations:
      config.kubernetes.io/path: 'apps/web.yaml'
      config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/id: '7'
      kustomize.config.k8s.io/id: 'x'
  spec:
    template:
      metadata:
        labels: {app: web}
      spec:
        containers:
        - name: web
          image: nginx
";

fn sidecarset(dir: &Path) {
    std::fs::write(
        dir.join("sidecarset.yaml"),
        "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: log\nspec:\n  selector:\n    matchLabels: {app: web}\n  containers:\n  - name: log\n    image: busybox\n",
    )
    .expect("write");
}

fn list(function_config: &str) -> String {
    format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n# the items\nitems:\n{DEPLOYMENT}{function_config}"
    )
}

#[test]
fn injects_from_sidecarset_files_of_the_typed_config_and_keeps_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    sidecarset(dir.path());
    let input = list(
        "functionConfig:\n  apiVersion: kruise-inject.dev/v1alpha1\n  kind: KruiseInject\n  spec:\n    sidecarsets: [sidecarset.yaml]\n",
    );
    let out = process(&input, dir.path()).expect("process");
    assert!(
        out.contains("        - name: log\n          image: busybox\n"),
        "{out}"
    );
    for line in input.lines().filter(|l| !l.contains("containers:")) {
        assert!(out.contains(line), "{line:?} lost:\n{out}");
    }
    assert!(
        out.ends_with(
            "results:\n- message: injected log (log)\n  severity: info\n  resourceRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n  file:\n    path: apps/web.yaml\n    index: 0\n"
        ),
        "{out}"
    );
    // Only the pod template and the results differ.
    let prefix = input
        .find("      spec:\n        containers:")
        .expect("spec");
    assert_eq!(
        out[..prefix].replace("      annotations:\n", ""),
        input[..prefix]
    );
}

#[test]
fn sidecarsets_among_the_items_apply_and_v1beta1_is_read() {
    let input = format!(
        "apiVersion: config.kubernetes.io/v1beta1\nkind: ResourceList\nitems:\n{DEPLOYMENT}- apiVersion: apps.kruise.io/v1alpha1\n  kind: SidecarSet\n  metadata: {{name: log}}\n  spec:\n    selector: {{matchLabels: {{app: web}}}}\n    containers: [{{name: log, image: busybox}}]\n"
    );
    let out = process(&input, Path::new("/nonexistent")).expect("process");
    assert!(out.contains("- name: log"), "{out}");
    assert!(
        out.contains("kind: SidecarSet\n  metadata: {name: log}\n"),
        "{out}"
    );
}

#[test]
fn no_match_returns_every_item_unchanged() {
    let input = list("");
    assert_eq!(process(&input, Path::new(".")), Ok(input));
}

#[test]
fn config_map_config_and_errors_come_back_as_an_error_result() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = list(
        "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: function-input}\n  data: {sidecarsets: missing.yaml}\n",
    );
    let err = process(&input, dir.path()).expect_err("missing file");
    assert!(err.message.contains("missing.yaml"), "{err}");
    let output = err.output.expect("output for kpt");
    assert!(output.starts_with(&input), "{output}");
    assert!(output.contains("  severity: error\n"), "{output}");
}

#[test]
fn a_bad_item_is_an_error_naming_its_file() {
    let input = format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{DEPLOYMENT}- apiVersion: apps.kruise.io/v1alpha1\n  kind: SidecarSet\n  metadata:\n    name: bad\n    annotations: {{config.kubernetes.io/path: bad.yaml}}\n  spec: {{}}\n"
    );
    let err = process(&input, Path::new(".")).expect_err("bad SidecarSet");
    assert!(
        err.message
            .starts_with("bad.yaml: apps.kruise.io/v1alpha1 SidecarSet bad: spec.selector: Required value: no selector defined for SidecarSet; spec: Required value: no initContainer or container defined for SidecarSet"),
        "{err}"
    );
    let output = err.output.expect("output");
    assert!(output.contains("resourceRef:\n    apiVersion: apps.kruise.io/v1alpha1\n    kind: SidecarSet\n    name: bad\n"), "{output}");
}

#[test]
fn what_is_not_a_resource_list() {
    for text in [
        "",
        "kind: ResourceList\n",
        "apiVersion: v1\nkind: List\nitems: []\n",
        "a: [\n",
    ] {
        assert!(!is_resource_list(text), "{text:?}");
        let err = process(text, Path::new(".")).expect_err(text);
        assert_eq!(err.output, None);
        assert!(err.message.contains("not a KRM ResourceList"), "{err}");
    }
    assert!(is_resource_list(&list("")));
    assert!(is_resource_list(
        "{\"apiVersion\": \"config.kubernetes.io/v1\", \"kind\": \"ResourceList\", \"items\": []}"
    ));
}

#[test]
fn settings_of_the_config_override_the_command_line() {
    let args = KrmArgs {
        context: ContextArgs {
            sidecarsets: vec!["a".into()],
            ..ContextArgs::default()
        },
        injection: InjectionArgs {
            seed: 1,
            ..InjectionArgs::default()
        },
        ..KrmArgs::default()
    };
    let config = FunctionConfig {
        sidecarsets: vec!["b".into()],
        namespace: Some("apps".into()),
        ..FunctionConfig::default()
    };
    let settings = Settings::new(&args).with_config(&config);
    assert_eq!(settings.sidecarsets, [PathBuf::from("a")]);
    assert_eq!(settings.config_sidecarsets, [PathBuf::from("b")]);
    assert_eq!((settings.namespace.as_str(), settings.seed), ("apps", 1));
}

#[test]
fn legacy_plugin_renders_the_stream() {
    let dir = tempfile::tempdir().expect("tempdir");
    sidecarset(dir.path());
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        "apiVersion: kruise-inject.dev/v1alpha1\nkind: KruiseInject\nmetadata: {name: x}\nspec: {sidecarsets: [sidecarset.yaml]}\n",
    )
    .expect("write");
    let input = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: web}\nspec:\n  containers:\n  - name: web\n    image: nginx\n";
    let settings = Settings::new(&KrmArgs::default());
    let out = legacy_plugin::legacy_plugin(&config, input, dir.path(), &settings).expect("render");
    assert!(
        out.starts_with("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n"),
        "{out}"
    );
    assert!(out.contains("  - name: log\n"), "{out}");
}
