//! The Argo CD Config Management Plugin of `examples/argocd/plugin.yaml`, run exactly as
//! argocd-cmp-server runs its `generate` command (argo-cd `cmpserver/plugin/plugin.go`,
//! `runCommand`): `command` followed by `args`, in the application's directory inside the checked
//! out repository, with the sidecar's environment plus Argo CD's build environment and the
//! Application's plugin env prefixed `ARGOCD_ENV_` (entries with empty values dropped). Standard
//! output must be only Kubernetes objects (Argo CD splits it with `kube.SplitYAMLToString`); on
//! failure the exit code is non-zero and the message is on standard error.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::krm::{BIN, FILEBEAT, SERVICE};
use crate::test::{Output, Test, repo};

/// `spec.generate.command` + `spec.generate.args` of the example plugin.
fn generate_command() -> Vec<String> {
    let text = std::fs::read_to_string(repo("examples/argocd/plugin.yaml")).expect("plugin.yaml");
    let file = kruise_inject::pipeline::objects::ParsedFile::parse("plugin.yaml".into(), text)
        .expect("YAML");
    let objects = file.objects().expect("objects");
    let plugin = &objects[0].value;
    assert_eq!(plugin["kind"], "ConfigManagementPlugin");
    assert_eq!(plugin["apiVersion"], "argoproj.io/v1alpha1");
    let generate = &plugin["spec"]["generate"];
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut argv = strings(&generate["command"]);
    argv.extend(strings(&generate["args"]));
    assert!(argv.len() >= 2, "{generate}");
    argv
}

/// A GitOps repository: SidecarSets under platform/sidecarsets, the application under apps/web.
fn repository() -> Test {
    Test::new()
        .copy(
            &format!("{FILEBEAT}/filebeat-sidecarset.yaml"),
            "platform/sidecarsets/filebeat-sidecarset.yaml",
        )
        .copy(
            &format!("{FILEBEAT}/filebeat-configmap.yaml"),
            "platform/sidecarsets/filebeat-configmap.yaml",
        )
        .copy(
            &format!("{FILEBEAT}/nginx-deployment.yaml"),
            "apps/web/nginx-deployment.yaml",
        )
        .file("apps/web/service.yaml", SERVICE)
}

/// A directory for PATH with `kruise-inject` (and any other tools given as scripts).
pub(crate) fn tools(t: &Test, scripts: &[(&str, &str)]) -> PathBuf {
    let dir = t.path().join(".tools");
    std::fs::create_dir_all(&dir).expect("tools directory");
    std::os::unix::fs::symlink(BIN, dir.join("kruise-inject")).expect("symlink kruise-inject");
    for (name, script) in scripts {
        let path = dir.join(name);
        std::fs::write(&path, script).expect("write tool");
        let mut permissions = std::fs::metadata(&path).expect("metadata").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        std::fs::set_permissions(&path, permissions).expect("chmod");
    }
    dir
}

/// The plugin's generate command, run in `app` as argocd-cmp-server runs it.
pub(crate) fn generate(app: &Path, path: &Path, plugin_env: &[(&str, &str)]) -> Test {
    let argv = generate_command();
    let args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
    let mut test = Test::at(app)
        .program(&argv[0])
        .args(&args)
        .env_clear()
        // the sidecar's environment
        .env(
            "PATH",
            &format!("{}:/usr/local/bin:/usr/bin:/bin", path.display()),
        )
        .env("HOME", "/home/argocd");
    // Argo CD's build environment (util/app/path and repository service)
    for (k, v) in [
        ("ARGOCD_APP_NAME", "web"),
        ("ARGOCD_APP_NAMESPACE", "web"),
        ("ARGOCD_APP_PROJECT_NAME", "default"),
        (
            "ARGOCD_APP_REVISION",
            "0123456789abcdef0123456789abcdef01234567",
        ),
        ("ARGOCD_APP_REVISION_SHORT", "0123456"),
        ("ARGOCD_APP_SOURCE_PATH", "apps/web"),
        (
            "ARGOCD_APP_SOURCE_REPO_URL",
            "https://github.com/example/gitops.git",
        ),
        ("ARGOCD_APP_SOURCE_TARGET_REVISION", "main"),
        ("KUBE_VERSION", "1.32.0"),
        ("KUBE_API_VERSIONS", "v1,apps/v1,apps.kruise.io/v1alpha1"),
    ] {
        test = test.env(k, v);
    }
    for (k, v) in plugin_env {
        // environ() in plugin.go: empty values are not passed; names arrive prefixed
        if !v.is_empty() {
            test = test.env(k, v);
        }
    }
    test
}

/// The objects of a generate output; fails unless every document is a Kubernetes object.
fn objects(stdout: &str) -> Vec<Value> {
    let file =
        kruise_inject::pipeline::objects::ParsedFile::parse("stdout".into(), stdout.to_owned())
            .unwrap_or_else(|e| panic!("stdout is not YAML ({e}):\n{stdout}"));
    let objects: Vec<Value> = file
        .objects()
        .expect("objects")
        .into_iter()
        .map(|o| o.value)
        .collect();
    for o in &objects {
        assert!(
            o["apiVersion"].is_string()
                && o["kind"].is_string()
                && o["metadata"]["name"].is_string(),
            "not a Kubernetes object: {o}"
        );
    }
    objects
}

fn containers(deployment: &Value) -> Vec<String> {
    deployment["spec"]["template"]["spec"]["containers"]
        .as_array()
        .expect("containers")
        .iter()
        .filter_map(|c| c["name"].as_str().map(str::to_owned))
        .collect()
}

fn by_kind<'a>(objects: &'a [Value], kind: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {objects:?}"))
}

const ENV: [(&str, &str); 2] = [
    ("ARGOCD_ENV_SIDECARSETS", "../../platform/sidecarsets"),
    ("ARGOCD_ENV_TIMESTAMP", "2024-01-01T00:00:00Z"),
];

#[test]
fn plain_directory_is_rendered_with_the_sidecarsets_of_the_plugin_env() {
    let t = repository();
    let path = tools(&t, &[]);
    let out = generate(&t.path().join("apps/web"), &path, &ENV)
        .stdout_contains(r#""updateTimestamp":"2024-01-01T00:00:00Z""#)
        // the SidecarSets are context, not part of the application
        .stdout_lacks("kind: SidecarSet")
        // the report goes to stderr
        .stderr("./nginx-deployment.yaml:1: apps/v1 Deployment web/nginx: injected filebeat-sidecarset (filebeat)\n")
        .run();
    let objects = objects(&out.stdout);
    assert_eq!(objects.len(), 2, "{}", out.stdout);
    assert_eq!(
        containers(by_kind(&objects, "Deployment")),
        ["filebeat", "nginx"]
    );

    // without ARGOCD_ENV_TIMESTAMP: a fixed default, the same bytes on every run
    let first = generate(&t.path().join("apps/web"), &path, &ENV[..1])
        .stdout_contains(r#""updateTimestamp":"1970-01-01T00:00:00Z""#)
        .stderr("./nginx-deployment.yaml:1: apps/v1 Deployment web/nginx: injected filebeat-sidecarset (filebeat)\n")
        .run();
    generate(&t.path().join("apps/web"), &path, &ENV[..1])
        .stdout(&first.stdout)
        .stderr(&first.stderr)
        .run();

    // no SidecarSets: the manifests as they are
    let plain = generate(&t.path().join("apps/web"), &path, &[])
        .stdout_any()
        .stderr("./nginx-deployment.yaml:1: apps/v1 Deployment web/nginx: not injected: no SidecarSet matches\n")
        .run();
    assert_eq!(
        containers(by_kind(&objects_of(&plain), "Deployment")),
        ["nginx"]
    );
}

fn objects_of(out: &Output) -> Vec<Value> {
    objects(&out.stdout)
}

#[test]
fn the_application_namespace_is_the_namespace_sidecarsets_select() {
    let t = repository();
    let sidecarset = t
        .path()
        .join("platform/sidecarsets/filebeat-sidecarset.yaml");
    let text = std::fs::read_to_string(&sidecarset).expect("read");
    std::fs::write(
        &sidecarset,
        text.replace("  #namespace: ns-xxx", "  namespace: web"),
    )
    .expect("write");
    // the cluster's namespaces, as context beside the SidecarSets
    std::fs::write(
        t.path().join("platform/sidecarsets/namespaces.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
    )
    .expect("write namespaces");
    let path = tools(&t, &[]);
    let app = t.path().join("apps/web");
    // ARGOCD_APP_NAMESPACE=web (set by generate())
    let out = generate(&app, &path, &ENV)
        .stdout_any()
        .stderr_contains("injected filebeat-sidecarset (filebeat)")
        .run();
    assert_eq!(
        containers(by_kind(&objects_of(&out), "Deployment")),
        ["filebeat", "nginx"]
    );
    // another destination namespace: not injected
    let mut env = ENV.to_vec();
    env.push(("ARGOCD_APP_NAMESPACE", "shop"));
    let out = generate(&app, &path, &env).stdout_any().stderr("./nginx-deployment.yaml:1: apps/v1 Deployment shop/nginx: not injected: SidecarSet filebeat-sidecarset does not select namespace shop (namespaceSelector)\n").run();
    assert_eq!(
        containers(by_kind(&objects_of(&out), "Deployment")),
        ["nginx"]
    );
}

#[test]
fn errors_fail_the_generate_command_with_nothing_on_stdout() {
    let t = repository().file(
        "platform/sidecarsets/broken.yaml",
        "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: broken\nspec:\n  selector: {}\n",
    );
    let path = tools(&t, &[]);
    generate(&t.path().join("apps/web"), &path, &ENV)
        .status(1)
        .stderr_contains("no initContainer or container defined for SidecarSet")
        .stderr_contains("rendering web failed")
        .run();

    // a SidecarSet path that does not exist
    let t = repository();
    let path = tools(&t, &[]);
    generate(
        &t.path().join("apps/web"),
        &path,
        &[("ARGOCD_ENV_SIDECARSETS", "../../nowhere")],
    )
    .status(1)
    .stderr_contains("nowhere")
    .stderr_contains("rendering web failed")
    .run();
}

/// A kustomization in the application's directory.
fn kustomize_app() -> Test {
    repository().file(
        "apps/web/kustomization.yaml",
        "resources:\n- nginx-deployment.yaml\n- service.yaml\ncommonLabels:\n  team: web\n",
    )
}

#[test]
fn a_failing_kustomize_fails_the_generate_command() {
    let t = kustomize_app();
    let path = tools(
        &t,
        &[(
            "kustomize",
            "#!/bin/sh\necho 'Error: accumulating resources: boom' >&2\nexit 1\n",
        )],
    );
    generate(&t.path().join("apps/web"), &path, &ENV)
        .status(1)
        .stderr("Error: accumulating resources: boom\nkruise-inject plugin: kustomize build failed for web\n")
        .run();
}

#[test]
#[ignore = "runs kubectl (as the sidecar's kustomize): .ci/run runs it with --include-ignored"]
fn kustomize_flavour_injects_what_kustomize_builds() {
    // `kustomize build DIR` is `kubectl kustomize DIR` here (no standalone kustomize in the
    // registries; the sidecar image of the example has one).
    let t = kustomize_app();
    let path = tools(
        &t,
        &[(
            "kustomize",
            "#!/bin/sh\n[ \"$1\" = build ] || exit 64\nshift\nexec kubectl kustomize \"$@\"\n",
        )],
    );
    let out = generate(&t.path().join("apps/web"), &path, &ENV)
        .stdout_any()
        .stderr_contains("injected filebeat-sidecarset (filebeat)")
        .run();
    let objects = objects(&out.stdout);
    assert_eq!(objects.len(), 2, "{}", out.stdout);
    let deployment = by_kind(&objects, "Deployment");
    assert_eq!(containers(deployment), ["filebeat", "nginx"]);
    assert_eq!(deployment["metadata"]["labels"]["team"], "web");

    // a broken kustomization fails with kustomize's message
    std::fs::write(
        t.path().join("apps/web/kustomization.yaml"),
        "resources:\n- missing.yaml\n",
    )
    .expect("write");
    generate(&t.path().join("apps/web"), &path, &ENV)
        .status(1)
        .stderr_contains("missing.yaml")
        .stderr_contains("kustomize build failed for web")
        .run();
}

#[test]
fn the_repo_server_patch_runs_the_cmp_server_with_the_plugin() {
    let text = std::fs::read_to_string(repo("examples/argocd/argocd-repo-server-patch.yaml"))
        .expect("patch");
    let file =
        kruise_inject::pipeline::objects::ParsedFile::parse("patch".into(), text).expect("YAML");
    let patch = &file.objects().expect("objects")[0].value;
    assert_eq!(patch["metadata"]["name"], "argocd-repo-server");
    let sidecar = &patch["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(sidecar["command"][0], "/var/run/argocd/argocd-cmp-server");
    assert_eq!(sidecar["securityContext"]["runAsUser"], 999);
    let mounts: Vec<&str> = sidecar["volumeMounts"]
        .as_array()
        .expect("mounts")
        .iter()
        .filter_map(|m| m["mountPath"].as_str())
        .collect();
    for path in [
        "/var/run/argocd",
        "/home/argocd/cmp-server/plugins",
        "/home/argocd/cmp-server/config/plugin.yaml",
        "/usr/local/bin/kruise-inject",
        "/tmp",
    ] {
        assert!(mounts.contains(&path), "{path} not mounted: {mounts:?}");
    }
    let kustomization =
        std::fs::read_to_string(repo("examples/argocd/kustomization.yaml")).expect("kustomization");
    assert!(kustomization.contains("- plugin.yaml"), "{kustomization}");
    assert!(
        kustomization.contains("name: kruise-inject-cmp"),
        "{kustomization}"
    );
}
