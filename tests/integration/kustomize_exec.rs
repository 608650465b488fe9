//! `kruise-inject` with no arguments and a ResourceList on stdin: how kustomize runs an exec KRM
//! function (`config.kubernetes.io/function: {exec: {path: kruise-inject}}`; kyaml's `ExecSpec`
//! has only `path`, so no arguments) and how `kpt fn eval --exec kruise-inject` runs it. Each row
//! of the README's kustomize table that this machine's tools can run is run here; the standalone
//! `kustomize build --enable-exec` row is run as that kustomize runs the function (working directory
//! the kustomization's, no arguments, the items with kustomize's annotations, the config object as
//! `functionConfig`), since no registry ships a standalone kustomize.

use crate::krm::{BIN, FILEBEAT, SERVICE, assert_injected, package, read};
use crate::test::{Status, Test, repo};

/// Indents a YAML document as an item of a `items:` list.
fn item(text: &str, annotations: &str) -> String {
    let text = text.replacen(
        "metadata:\n",
        &format!("metadata:\n  annotations:\n{annotations}"),
        1,
    );
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("- {l}\n")
            } else if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("  {l}\n")
            }
        })
        .collect()
}

/// The ResourceList kustomize writes to an exec function's stdin for a transformer: the
/// resources with kustomize's id annotations, the config object (annotated local-config) as
/// `functionConfig`.
fn kustomize_resource_list() -> String {
    let deployment = read(&repo(&format!("{FILEBEAT}/nginx-deployment.yaml")));
    let deployment = item(
        &deployment,
        "    config.kubernetes.io/index: '0'\n    internal.config.kubernetes.io/index: '0'\n    internal.config.kubernetes.io/annotations-migration-resource-id: '0'\n    config.k8s.io/id: '1'\n    kustomize.config.k8s.io/id: |\n      group: apps\n      kind: Deployment\n      name: nginx\n      namespace: default\n      version: v1\n",
    );
    let service = item(
        SERVICE,
        "    config.kubernetes.io/index: '1'\n    internal.config.kubernetes.io/index: '1'\n    config.k8s.io/id: '2'\n    kustomize.config.k8s.io/id: |\n      kind: Service\n      name: nginx\n      namespace: default\n      version: v1\n",
    );
    format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{deployment}{service}functionConfig:\n  apiVersion: kruise-inject.dev/v1alpha1\n  kind: KruiseInject\n  metadata:\n    name: inject\n    annotations:\n      config.kubernetes.io/function: |\n        exec:\n          path: kruise-inject\n      config.kubernetes.io/local-config: \"true\"\n  spec:\n    sidecarsets:\n    - ../platform\n"
    )
}

#[test]
fn no_arguments_and_a_resource_list_is_the_krm_function() {
    let input = kustomize_resource_list();
    // A repository (the function config's ../platform stays inside its work tree).
    let t = package("platform")
        .file("app/.keep", "")
        .file(".git/HEAD", "ref: refs/heads/main\n");
    let as_krm = t
        .with_args(&["krm"])
        .current_dir("app")
        .stdin(&input)
        .stdout_any()
        .run();
    let bare = t
        .with_args(&[])
        .current_dir("app")
        .stdin(&input)
        .stdout(&as_krm.stdout)
        // kustomize's annotations come back untouched, so it can map the items back
        .stdout_contains(
            "      kustomize.config.k8s.io/id: |\n        group: apps\n        kind: Deployment\n",
        )
        .stdout_contains("      config.k8s.io/id: '2'\n")
        .run();
    assert_injected(&bare.stdout);
    // the functionConfig's paths resolve against the working directory (the kustomization's)
    t.with_args(&[])
        .stdin(&input)
        .status(Status::Error)
        .stdout_contains("severity: error")
        .stderr_contains("../platform")
        .run();
}

#[test]
fn no_arguments_without_a_resource_list_is_an_error() {
    Test::new()
        .stdin("apiVersion: v1\nkind: List\nitems: []\n")
        .status(Status::Error)
        .stderr_contains("no command given, and standard input is not a KRM ResourceList")
        .run();
    // nothing on stdin: the usage, as before
    Test::new()
        .status(Status::Error)
        .stderr_contains("Usage: kruise-inject <COMMAND>")
        .run();
}

#[test]
#[ignore = "runs kpt: .ci/run runs it with --include-ignored"]
fn kpt_fn_eval_exec_without_arguments() {
    let t = package("pkg");
    t.with_args(&["fn", "eval", "pkg", "--exec", BIN])
        .program("kpt")
        .stderr_contains("[info] apps/v1/Deployment/nginx: injected filebeat-sidecarset (filebeat)")
        .run();
    assert_injected(&read(&t.path().join("pkg/nginx-deployment.yaml")));
    assert!(read(&t.path().join("pkg/service.yaml")).contains("name: nginx # same name"));
}

#[test]
#[ignore = "runs kpt: .ci/run runs it with --include-ignored"]
fn kpt_fn_render_exec_without_arguments() {
    let t = package("pkg").file(
        "pkg/Kptfile",
        &format!(
            "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\npipeline:\n  mutators:\n  - exec: \"{BIN}\"\n"
        ),
    );
    t.with_args(&["fn", "render", "pkg", "--allow-exec"])
        .program("kpt")
        .stderr_contains("[info] apps/v1/Deployment/nginx: injected filebeat-sidecarset (filebeat)")
        .run();
    assert_injected(&read(&t.path().join("pkg/nginx-deployment.yaml")));
}

/// A kustomization whose transformer is the exec KRM function.
fn exec_function_kustomization() -> Test {
    package("platform")
        .copy(&format!("{FILEBEAT}/nginx-deployment.yaml"), "app/nginx-deployment.yaml")
        .file(
            "app/kustomization.yaml",
            "resources:\n- nginx-deployment.yaml\ntransformers:\n- inject.yaml\n",
        )
        .file(
            "app/inject.yaml",
            &format!(
                "apiVersion: kruise-inject.dev/v1alpha1\nkind: KruiseInject\nmetadata:\n  name: inject\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: {BIN}\nspec:\n  sidecarsets:\n  - ../platform\n"
            ),
        )
}

#[test]
#[ignore = "runs kubectl: .ci/run runs it with --include-ignored"]
fn kubectl_kustomize_skips_an_exec_function_silently() {
    // The README's warning: kubectl has no --enable-exec, so it drops the function and succeeds.
    let t = exec_function_kustomization();
    t.with_args(&["kustomize", "--enable-alpha-plugins", "app"])
        .program("kubectl")
        .stdout_contains("kind: Deployment")
        .stdout_lacks("name: filebeat")
        .run();
    // and without --enable-alpha-plugins it refuses
    t.with_args(&["kustomize", "app"])
        .program("kubectl")
        .status(1)
        .stderr_contains("plugins disabled")
        .run();
}
