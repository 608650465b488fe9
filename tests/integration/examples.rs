//! Every example of `examples/` and the README's set-up command, run as a test: exit status and
//! output (an insta snapshot). What needs another program (kpt, kubectl) is run twice: as that
//! program runs kruise-inject, which needs nothing but the binary, and by the program itself,
//! ignored by default (`cargo test -- --include-ignored` with the program on PATH).
//!
//! Not run: `examples/argocd/kustomization.yaml` (Argo CD's install manifests come from the network;
//! `argocd.rs` checks what it patches) and the `Dockerfile`.

use std::path::Path;

use crate::krm::{BIN, assert_injected, read};
use crate::test::{Test, repo};

/// The arguments of the README's "Two commands on a fresh machine" render command.
fn readme_render_args() -> Vec<String> {
    let readme = read(&repo("README.md"));
    let line = readme
        .lines()
        .find(|l| l.starts_with("cargo run --release -- render "))
        .expect("the README's render command");
    line.split_whitespace()
        .skip_while(|w| *w != "--")
        .skip(1)
        .map(str::to_owned)
        .collect()
}

#[test]
fn readme_renders_the_bundled_example() {
    let args = readme_render_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = Test::at(repo("."))
        .args(&args)
        .stdout_contains("- name: filebeat")
        .stderr("testdata/filebeat-sidecarset/nginx-deployment.yaml:1: apps/v1 Deployment default/nginx: injected filebeat-sidecarset (filebeat)\n")
        .run();
    insta::assert_snapshot!(out.transcript());
}

/// Indents a YAML file of one document as an item of `items:`, with `annotations` (indented for
/// the item) after its own, as kpt and kustomize add theirs.
fn item(text: &str, annotations: &str) -> String {
    let has_annotations = text.contains("\n  annotations:\n");
    let mut out = String::new();
    let mut first = true;
    let mut in_metadata = false;
    let mut in_annotations = false;
    for line in text.lines() {
        if line.starts_with('#') && first {
            continue;
        }
        if in_annotations && !line.starts_with("    ") {
            out.push_str(annotations);
            in_annotations = false;
        }
        // the next top-level key ends the metadata
        let top_level = !line.is_empty() && !line.starts_with([' ', '#']);
        if in_metadata && !has_annotations && top_level {
            out.push_str(&format!("    annotations:\n{annotations}"));
        }
        if first {
            out.push_str(&format!("- {line}\n"));
            first = false;
        } else if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!("  {line}\n"));
        }
        if top_level {
            in_metadata = line == "metadata:";
        }
        if in_metadata && line == "  annotations:" {
            in_annotations = true;
        }
    }
    if in_annotations {
        out.push_str(annotations);
    }
    if in_metadata && !has_annotations {
        out.push_str(&format!("    annotations:\n{annotations}"));
    }
    out
}

/// The ResourceList `kpt fn render` writes to the Kptfile's mutator (as kpt 1.0.0-beta.56 wrote
/// it for this package): every file of the package, the Kptfile first, with kpt's annotations
/// after their own; the mutator's `configMap` as the functionConfig.
fn kpt_resource_list(dir: &Path) -> String {
    let mut items = String::new();
    for (i, file) in [
        "Kptfile",
        "filebeat-configmap.yaml",
        "filebeat-sidecarset.yaml",
        "nginx-deployment.yaml",
    ]
    .iter()
    .enumerate()
    {
        let text = read(&dir.join(file));
        let id = i + 1;
        items.push_str(&item(
            &text,
            &format!(
                "      config.kubernetes.io/index: '0'\n      config.kubernetes.io/path: '{file}'\n      internal.config.kubernetes.io/index: '0'\n      internal.config.kubernetes.io/package-path: '{}'\n      internal.config.kubernetes.io/path: '{file}'\n      internal.config.kubernetes.io/seqindent: 'compact'\n      internal.config.kubernetes.io/annotations-migration-resource-id: '{i}'\n      internal.config.kubernetes.io/id: '{id}'\n      config.k8s.io/id: '{id}'\n",
                dir.display()
            ),
        ));
    }
    let kptfile = read(&dir.join("Kptfile"));
    let timestamp = kptfile
        .lines()
        .find_map(|l| l.trim().strip_prefix("timestamp: "))
        .expect("the Kptfile's timestamp");
    format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{items}functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: function-input\n  data: {{timestamp: {timestamp}}}\n"
    )
}

/// `examples/kpt`: the Kptfile's `exec: "kruise-inject krm"`, run as kpt runs it.
#[test]
fn kpt_example_as_kpt_runs_it() {
    let dir = repo("examples/kpt");
    let out = Test::at(&dir)
        .args(&["krm"])
        .stdin(&kpt_resource_list(&dir))
        .stdout_contains("results:\n")
        .stdout_contains("injected filebeat-sidecarset (filebeat)")
        .run();
    assert_injected(&out.stdout);
    // the package path kpt gives is this checkout's
    let stdout = out.stdout.replace(&dir.display().to_string(), "[DIR]");
    insta::assert_snapshot!(stdout);
}

/// A directory for PATH holding `kruise-inject`.
fn path_with_the_binary(t: &Test) -> String {
    let bin = t.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin directory");
    std::os::unix::fs::symlink(BIN, bin.join("kruise-inject")).expect("symlink kruise-inject");
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// `kpt fn render examples/kpt --allow-exec`, on a copy (kpt writes in place; `-o unwrap` shows
/// the result).
#[test]
#[ignore = "needs kpt"]
fn kpt_example_with_kpt() {
    let mut t = Test::new();
    for file in [
        "Kptfile",
        "filebeat-configmap.yaml",
        "filebeat-sidecarset.yaml",
        "nginx-deployment.yaml",
    ] {
        t = t.copy(&format!("examples/kpt/{file}"), &format!("kpt/{file}"));
    }
    let path = path_with_the_binary(&t);
    let out = t
        .with_args(&["fn", "render", "kpt", "--allow-exec", "-o", "unwrap"])
        .program("kpt")
        .env("PATH", &path)
        .stdout_any()
        // (kpt's report has timings)
        .stderr_contains("[PASS] \"kruise-inject krm\"")
        .stderr_contains("[info] apps/v1/Deployment/nginx: injected filebeat-sidecarset (filebeat)")
        .run();
    assert_injected(&out.stdout);
    insta::assert_snapshot!(out.stdout);
}

/// `examples/kustomize/app`: the legacy exec plugin, run as kustomize runs it (the config file as
/// the only argument, the resources on stdin, in the kustomization's directory).
#[test]
fn kustomize_legacy_plugin_example_as_kustomize_runs_it() {
    let dir = repo("examples/kustomize/app");
    let out = Test::at(&dir)
        .args(&["inject.yaml"])
        .stdin(&read(&dir.join("nginx-deployment.yaml")))
        .stdout_any()
        .run();
    assert_injected(&out.stdout);
    insta::assert_snapshot!(out.transcript());
}

/// The README's `kubectl kustomize --enable-alpha-plugins examples/kustomize/app`, in the
/// repository (its git work tree is the package root `../platform` must stay inside).
#[test]
#[ignore = "needs kubectl"]
fn kustomize_legacy_plugin_example_with_kubectl() {
    let t = Test::new();
    let home = t.path().join("plugins");
    let dir = home.join("kruise-inject.dev/v1alpha1/kruiseinject");
    std::fs::create_dir_all(&dir).expect("plugin directory");
    std::os::unix::fs::symlink(BIN, dir.join("KruiseInject")).expect("plugin symlink");
    let out = Test::at(repo("."))
        .program("kubectl")
        .args(&[
            "kustomize",
            "--enable-alpha-plugins",
            "examples/kustomize/app",
        ])
        .env("KUSTOMIZE_PLUGIN_HOME", home.to_str().expect("UTF-8 path"))
        // kustomize re-serialises: keys sorted
        .stdout_contains("        name: filebeat\n")
        .stdout_contains("kruise.io/sidecarset-injected-list: filebeat-sidecarset")
        .run();
    insta::assert_snapshot!(out.stdout);
}

/// `examples/kustomize/app-krm`, as `kustomize build --enable-alpha-plugins --enable-exec` runs its
/// transformer: in the kustomization's directory, no arguments, the config object as
/// functionConfig. (No registry ships the standalone kustomize, and kubectl's skips exec
/// functions: see kustomize_exec.rs.)
#[test]
fn kustomize_krm_example_as_kustomize_runs_it() {
    let dir = repo("examples/kustomize/app-krm");
    let config: String = read(&dir.join("inject.yaml"))
        .lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("  {l}\n")
            }
        })
        .collect();
    let deployment = item(
        &read(&dir.join("nginx-deployment.yaml")),
        "      config.kubernetes.io/index: '0'\n      config.k8s.io/id: '1'\n",
    );
    let input = format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{deployment}functionConfig:\n{config}"
    );
    let out = Test::at(&dir)
        .stdin(&input)
        .stdout_contains("injected filebeat-sidecarset (filebeat)")
        .run();
    assert_injected(&out.stdout);
    insta::assert_snapshot!(out.transcript());
}

/// `examples/argocd`: the Application of `application.yaml` (its path and plugin env), rendered by
/// the `generate` command of `plugin.yaml` as argocd-cmp-server runs it, in a repository laid out
/// as the Application says (the Filebeat example).
#[test]
fn argocd_example_application() {
    let application = read(&repo("examples/argocd/application.yaml"));
    let field = |key: &str| {
        application
            .lines()
            .find_map(|l| l.trim().strip_prefix(key))
            .unwrap_or_else(|| panic!("{key} in application.yaml"))
            .to_owned()
    };
    let path = field("path: ");
    let sidecarsets = field("value: ");
    assert_eq!(field("- name: "), "SIDECARSETS");
    let platform = Path::new(&path).join(&sidecarsets);
    let platform = platform
        .to_str()
        .expect("UTF-8")
        .replace("apps/web/../../", "");
    let t = Test::new()
        .copy(
            "examples/kustomize/platform/filebeat-sidecarset.yaml",
            &format!("{platform}/filebeat-sidecarset.yaml"),
        )
        .copy(
            "examples/kustomize/platform/filebeat-configmap.yaml",
            &format!("{platform}/filebeat-configmap.yaml"),
        )
        .copy(
            "examples/kustomize/app/nginx-deployment.yaml",
            &format!("{path}/nginx-deployment.yaml"),
        );
    let tools = crate::argocd::tools(&t, &[]);
    let out = crate::argocd::generate(
        &t.path().join(&path),
        &tools,
        &[("ARGOCD_ENV_SIDECARSETS", &sidecarsets)],
    )
    .stdout_any()
    .stderr("./nginx-deployment.yaml:1: apps/v1 Deployment web/nginx: injected filebeat-sidecarset (filebeat)\n")
    .run();
    assert_injected(&out.stdout);
    insta::assert_snapshot!(out.stdout);
}
