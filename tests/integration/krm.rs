//! `kruise-inject krm` and the legacy kustomize plugin, run by the real kpt and kubectl.
//!
//! These need `kruise-inject krm` and the legacy-plugin routing of `main` (argv[1] an existing
//! file), and the tools on PATH: kpt (https://kpt.dev/installation/) and kubectl
//! (https://kubernetes.io/docs/tasks/tools/). The tests that run them are ignored by default (the
//! README's `cargo test` needs only the Rust toolchain); `.ci/run` runs them with
//! `--include-ignored`.

#![allow(
    clippy::panic,
    reason = "a test reports a missing tool or file by panicking"
)]

use std::path::Path;

use crate::test::{Status, Test};

pub(crate) const FILEBEAT: &str = "testdata/filebeat-sidecarset";
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_kruise-inject");
pub(crate) const SERVICE: &str = "# the nginx service\napiVersion: v1\nkind: Service\nmetadata:\n  name: nginx # same name\nspec:\n  ports:\n  - port: 80\n";
const BROKEN: &str = "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: broken\nspec:\n  selector: {}\n";

/// A kpt package (or kustomization base) with the Filebeat example and an unrelated resource with
/// comments.
pub(crate) fn package(dir: &str) -> Test {
    Test::new()
        .copy(
            &format!("{FILEBEAT}/nginx-deployment.yaml"),
            &format!("{dir}/nginx-deployment.yaml"),
        )
        .copy(
            &format!("{FILEBEAT}/filebeat-sidecarset.yaml"),
            &format!("{dir}/filebeat-sidecarset.yaml"),
        )
        .copy(
            &format!("{FILEBEAT}/filebeat-configmap.yaml"),
            &format!("{dir}/filebeat-configmap.yaml"),
        )
        .file(&format!("{dir}/service.yaml"), SERVICE)
}

pub(crate) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub(crate) fn assert_injected(text: &str) {
    assert!(text.contains("- name: filebeat"), "{text}");
    assert!(
        text.contains("kruise.io/sidecarset-injected-list: filebeat-sidecarset"),
        "{text}"
    );
    assert!(text.contains("name: IS_INJECTED"), "{text}");
    assert!(
        text.contains("\"controllerRevision\":\"filebeat-sidecarset-6cff4bfb5\""),
        "{text}"
    );
}

#[test]
fn krm_function_injects_and_keeps_everything_else() {
    let input = format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{}\n",
        ["filebeat-sidecarset.yaml", "nginx-deployment.yaml"]
            .iter()
            .map(|f| {
                let text = read(&crate::test::repo(&format!("{FILEBEAT}/{f}")));
                let text = text.replacen(
                    "metadata:\n",
                    &format!("metadata:\n  annotations:\n    config.kubernetes.io/path: '{f}'\n    internal.config.kubernetes.io/id: '1'\n"),
                    1,
                );
                text.lines()
                    .enumerate()
                    .map(|(i, l)| if i == 0 { format!("- {l}") } else if l.is_empty() { String::new() } else { format!("  {l}") })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect::<Vec<_>>()
            .join("\n")
    );
    let out = Test::new()
        .args(&["krm"])
        .stdin(&input)
        .stdout_contains("config.kubernetes.io/path: 'nginx-deployment.yaml'")
        .stdout_contains(
            "results:\n- message: injected filebeat-sidecarset (filebeat)\n  severity: info\n",
        )
        .stdout_contains("    path: nginx-deployment.yaml")
        .run();
    assert_injected(&out.stdout);
    assert!(
        out.stdout.starts_with(input.trim_end())
            || out
                .stdout
                .contains("# label that asks for the filebeat sidecar"),
        "{}",
        out.stdout
    );
}

#[test]
fn krm_function_rejects_what_is_not_a_resource_list() {
    Test::new()
        .args(&["krm"])
        .stdin("apiVersion: v1\nkind: List\nitems: []\n")
        .status(Status::Error)
        .stderr_contains("not a KRM ResourceList")
        .run();
}

#[test]
#[ignore = "runs kpt: .ci/run runs it with --include-ignored"]
fn kpt_fn_eval_in_place() {
    let t = package("pkg");
    let exec = format!("{BIN} krm");
    t.with_args(&["fn", "eval", "pkg", "--exec", &exec])
        .program("kpt")
        .stderr_contains("[info] apps/v1/Deployment/nginx: injected filebeat-sidecarset (filebeat)")
        .run();
    let deployment = read(&t.path().join("pkg/nginx-deployment.yaml"));
    assert_injected(&deployment);
    assert!(
        deployment.contains("        # label that asks for the filebeat sidecar\n"),
        "{deployment}"
    );
    let service = read(&t.path().join("pkg/service.yaml"));
    assert_eq!(service, read(&t.path().join("pkg/service.yaml")));
    assert!(
        service.contains("# the nginx service") && service.contains("name: nginx # same name"),
        "{service}"
    );
    let sidecarset = read(&crate::test::repo(&format!(
        "{FILEBEAT}/filebeat-sidecarset.yaml"
    )));
    assert_eq!(
        read(&t.path().join("pkg/filebeat-sidecarset.yaml")),
        sidecarset
    );
}

#[test]
#[ignore = "runs kpt: .ci/run runs it with --include-ignored"]
fn kpt_fn_eval_unwrap_with_config_map_arguments() {
    let t = package("pkg");
    let exec = format!("{BIN} krm");
    let out = t
        .with_args(&[
            "fn",
            "eval",
            "pkg",
            "--exec",
            &exec,
            "-o",
            "unwrap",
            "--",
            "timestamp=2024-01-01T00:00:00Z",
        ])
        .program("kpt")
        .stdout_contains(r#""updateTimestamp":"2024-01-01T00:00:00Z""#)
        .stdout_contains("# the nginx service")
        .stdout_lacks("config.kubernetes.io/")
        .stderr_contains("[info] apps/v1/Deployment/nginx: injected filebeat-sidecarset (filebeat)")
        .run();
    assert_injected(&out.stdout);
    // -o unwrap leaves the package alone.
    assert!(!read(&t.path().join("pkg/nginx-deployment.yaml")).contains("- name: filebeat"));
}

#[test]
#[ignore = "runs kpt: .ci/run runs it with --include-ignored"]
fn kpt_fn_eval_failure_fails_and_keeps_the_package() {
    let t = package("pkg").file("pkg/broken.yaml", BROKEN);
    let exec = format!("{BIN} krm");
    t.with_args(&["fn", "eval", "pkg", "--exec", &exec])
        .program("kpt")
        .status(1)
        .stdout_any()
        .stderr_contains("[error] apps.kruise.io/v1alpha1/SidecarSet/broken: spec: Required value: no initContainer or container defined for SidecarSet")
        .stderr_contains("error: kruise-inject: broken.yaml:")
        .run();
    assert_eq!(
        read(&t.path().join("pkg/nginx-deployment.yaml")),
        read(&crate::test::repo(&format!(
            "{FILEBEAT}/nginx-deployment.yaml"
        )))
    );
    assert!(t.path().join("pkg/service.yaml").exists());
}

fn kptfile(exec: &str) -> String {
    format!(
        "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\npipeline:\n  mutators:\n  - exec: \"{exec}\"\n    configMap:\n      timestamp: \"2024-01-01T00:00:00Z\"\n"
    )
}

#[test]
#[ignore = "runs kpt: .ci/run runs it with --include-ignored"]
fn kpt_fn_render_runs_the_kptfile_pipeline() {
    let t = package("pkg").file("pkg/Kptfile", &kptfile(&format!("{BIN} krm")));
    t.with_args(&["fn", "render", "pkg", "--allow-exec"])
        .program("kpt")
        .stdout_any()
        .stderr_contains("[info] apps/v1/Deployment/nginx: injected filebeat-sidecarset (filebeat)")
        .run();
    let deployment = read(&t.path().join("pkg/nginx-deployment.yaml"));
    assert_injected(&deployment);
    assert!(
        deployment.contains(r#""updateTimestamp":"2024-01-01T00:00:00Z""#),
        "{deployment}"
    );
    assert!(
        deployment.contains("# label that asks for the filebeat sidecar"),
        "{deployment}"
    );
    assert!(read(&t.path().join("pkg/service.yaml")).contains("name: nginx # same name"));

    let broken = package("pkg")
        .file("pkg/Kptfile", &kptfile(&format!("{BIN} krm")))
        .file("pkg/broken.yaml", BROKEN);
    broken
        .with_args(&["fn", "render", "pkg", "--allow-exec"])
        .program("kpt")
        .status(1)
        .stdout_any()
        .stderr_contains("no initContainer or container defined for SidecarSet")
        .run();
    assert!(!read(&broken.path().join("pkg/nginx-deployment.yaml")).contains("- name: filebeat"));
}

/// A kustomization using the legacy exec plugin, with the plugin home in the test directory.
fn kustomization(extra: Option<&str>) -> Test {
    // A git repository: the config's `../platform` is outside the kustomization but inside it.
    let mut t = package("platform")
        .file(".git/HEAD", "ref: refs/heads/main\n")
        .copy(&format!("{FILEBEAT}/nginx-deployment.yaml"), "app/nginx-deployment.yaml")
        .file("app/service.yaml", SERVICE)
        .file(
            "app/kustomization.yaml",
            "resources:\n- nginx-deployment.yaml\n- service.yaml\ntransformers:\n- inject.yaml\n",
        )
        .file(
            "app/inject.yaml",
            "apiVersion: kruise-inject.dev/v1alpha1\nkind: KruiseInject\nmetadata:\n  name: inject\nspec:\n  sidecarsets:\n  - ../platform\n",
        );
    if let Some(broken) = extra {
        t = t.file("platform/broken.yaml", broken);
    }
    let dir = t
        .path()
        .join("plugins/kruise-inject.dev/v1alpha1/kruiseinject");
    std::fs::create_dir_all(&dir).expect("plugin directory");
    std::os::unix::fs::symlink(BIN, dir.join("KruiseInject")).expect("plugin symlink");
    t
}

#[test]
#[ignore = "runs kubectl: .ci/run runs it with --include-ignored"]
fn kubectl_kustomize_runs_the_legacy_plugin() {
    let t = kustomization(None);
    let home = t.path().join("plugins");
    let env = [("KUSTOMIZE_PLUGIN_HOME", home.to_str().expect("UTF-8 path"))];
    t.with_args(&["kustomize", "--enable-alpha-plugins", "app"])
        .program("kubectl")
        .env(env[0].0, env[0].1)
        .stdout_contains("        name: filebeat\n")
        .stdout_contains("kruise.io/sidecarset-injected-list: filebeat-sidecarset")
        .stdout_contains("kind: Service")
        .stdout_lacks("kind: SidecarSet")
        .run();
}

#[test]
#[ignore = "runs kubectl: .ci/run runs it with --include-ignored"]
fn kubectl_kustomize_fails_when_the_plugin_fails() {
    let t = kustomization(Some(BROKEN));
    let home = t.path().join("plugins");
    let env = [("KUSTOMIZE_PLUGIN_HOME", home.to_str().expect("UTF-8 path"))];
    t.with_args(&["kustomize", "--enable-alpha-plugins", "app"])
        .program("kubectl")
        .env(env[0].0, env[0].1)
        .status(1)
        .stderr_contains("no initContainer or container defined for SidecarSet")
        .run();
}
