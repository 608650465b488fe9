//! `kruise-inject uninject` end to end, and its defining property: `uninject(render(x)) == x`,
//! byte for byte, on every golden render case, the Filebeat example and `testdata/uninject`.

use std::path::Path;

use crate::test::{Status, Test, repo};

/// Golden render cases where `uninject(render(x)) == x` cannot hold, and why.
const NOT_REVERSIBLE: &[(&str, &str)] = &[
    // render fails (exit 2) on purpose: there is no output to uninject.
    ("errors-no-kind", "render error case"),
    // patchPodMetadata writes user annotation keys (and overwrites values the pod had): nothing
    // in the pod says which keys came from a SidecarSet, so uninject keeps them.
    ("patch-metadata", "patchPodMetadata annotations"),
    // flow.yaml has `volumes: []`: render fills it, and uninject removes a `volumes` key that
    // becomes empty, as it cannot tell an empty key the user wrote from one render created
    // (testdata/uninject/flow.yaml covers flow style without it).
    ("styles", "a `volumes: []` the user wrote"),
];

/// The PATH arguments of a render command line (options and their values left out).
fn render_paths(args: &[String]) -> Vec<String> {
    let with_value = [
        "-s",
        "--sidecarsets",
        "-n",
        "--namespace",
        "--timestamp",
        "--kruise-namespace",
        "--seed",
    ];
    let mut paths = Vec::new();
    let mut it = args.iter().skip(1);
    while let Some(arg) = it.next() {
        if with_value.contains(&arg.as_str()) {
            it.next();
        } else if !arg.starts_with('-') || arg == "-" {
            paths.push(arg.clone());
        }
    }
    paths
}

/// The input files concatenated as `render` streams them.
fn stream(dir: &Path, paths: &[String]) -> String {
    let mut spool = kruise_inject::pipeline::spool::Spool::new(usize::MAX);
    let mut last = None;
    for (i, path) in paths.iter().enumerate() {
        let text = std::fs::read_to_string(dir.join(path)).expect("read input");
        kruise_inject::pipeline::engine::append_to_stream(&mut spool, text, i == 0, &mut last)
            .expect("stream");
    }
    let mut out = Vec::new();
    spool.copy_to(&mut out).expect("copy");
    String::from_utf8(out).expect("UTF-8")
}

/// Renders `args` in `dir`, uninjects the output, and checks it is the input, byte for byte.
fn assert_round_trip(dir: &Path, args: &[String]) {
    let strs: Vec<&str> = args.iter().map(String::as_str).collect();
    // The render report is the golden cases' (cases.rs).
    let rendered = Test::at(dir).args(&strs).stdout_any().stderr_any().run();
    let original = stream(dir, &render_paths(args));
    assert_ne!(
        rendered.stdout, original,
        "render {args:?} injected nothing"
    );
    Test::at(dir)
        .args(&["uninject", "-q"])
        .stdin(&rendered.stdout)
        .stdout(&original)
        .run();
}

#[test]
fn uninject_undoes_render_on_every_golden_case() {
    let mut checked = 0;
    let mut cases: Vec<_> = std::fs::read_dir(repo("testdata/render"))
        .expect("testdata/render")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("cmd").is_file())
        .collect();
    cases.sort();
    for dir in cases {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if NOT_REVERSIBLE.iter().any(|(case, _)| *case == name) {
            continue;
        }
        let cmd = std::fs::read_to_string(dir.join("cmd")).expect("read cmd");
        let args: Vec<String> = cmd
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        assert_round_trip(&dir, &args);
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} golden cases checked");
}

#[test]
fn uninject_undoes_render_on_the_filebeat_example() {
    let args: Vec<String> = [
        "render",
        "nginx-deployment.yaml",
        "-s",
        "filebeat-sidecarset.yaml",
        "-s",
        "filebeat-configmap.yaml",
    ]
    .map(str::to_owned)
    .to_vec();
    assert_round_trip(&repo("testdata/filebeat-sidecarset"), &args);
}

#[test]
fn uninject_undoes_render_on_hot_upgrade_native_and_plain_init_containers_json_list_crlf() {
    let dir = repo("testdata/uninject");
    for files in [
        &["workloads.yaml"][..],
        &["pod.json"],
        &["crlf.yaml"],
        &["no-newline.yaml"],
        &["flow.yaml"],
        &["workloads.yaml", "pod.json", "crlf.yaml"],
    ] {
        let mut args = vec!["render".to_owned()];
        args.extend(files.iter().map(|f| (*f).to_owned()));
        args.extend(["-s".to_owned(), "sidecarsets.yaml".to_owned()]);
        assert_round_trip(&dir, &args);
    }
}

#[test]
fn everything_kruise_added_is_named_in_the_report() {
    let dir = repo("testdata/uninject");
    let args: Vec<String> = ["render", "workloads.yaml", "-s", "sidecarsets.yaml", "-q"]
        .map(str::to_owned)
        .to_vec();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let rendered = Test::at(&dir).args(&args).stdout_any().run();
    let out = Test::new()
        .file("rendered.yaml", &rendered.stdout)
        .args(&["uninject", "rendered.yaml"])
        .stdout_any()
        .stderr_any()
        .run();
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", out.stderr);
    assert!(
        lines[0].starts_with("rendered.yaml:2: v1 Pod default/everything: removed containers dns-1, dns-2, logger, exporter; init containers proxy, setup; volumes agent-config, proxy-certs, raw; 8 annotations"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("batch/v1 CronJob default/nightly: removed"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("apps/v1 Deployment default/listed: removed containers exporter; volumes data; 3 annotations"),
        "{}",
        lines[2]
    );
}

/// A pod as `kubectl get pod -o yaml` prints it after Kruise injected a sidecar.
const INJECTED_POD: &str = r#"apiVersion: v1
kind: Pod
metadata:
  annotations:
    kruise.io/sidecarset-hash: '{"log-ss":{"updateTimestamp":"2024-05-01T10:00:00Z","hash":"abc","sidecarSetName":"log-ss","sidecarList":["log"],"controllerRevision":"log-ss-123"}}'
    kruise.io/sidecarset-hash-without-image: '{"log-ss":{"updateTimestamp":"2024-05-01T10:00:00Z","hash":"def","sidecarSetName":"log-ss","sidecarList":["log"]}}'
    kruise.io/sidecarset-injected-list: log-ss
    prometheus.io/scrape: "true"
  labels:
    app: web
  name: web-0
  namespace: shop
spec:
  containers:
  - env:
    - name: IS_INJECTED
      value: "true"
    image: busybox:1.36
    name: log
    volumeMounts:
    - mountPath: /var/log/app
      name: logs
    - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
      name: kube-api-access-x1
      readOnly: true
  - image: web:1
    name: web
    volumeMounts:
    - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
      name: kube-api-access-x1
      readOnly: true
  imagePullSecrets:
  - name: registry
  volumes:
  - emptyDir: {}
    name: logs
  - name: kube-api-access-x1
    projected:
      sources:
      - serviceAccountToken:
          path: token
status:
  phase: Running
"#;

#[test]
fn a_live_pod_loses_the_sidecar_its_volume_and_kruise_annotations_only() {
    Test::new()
        .args(&["uninject", "-q", "-"])
        .stdin(INJECTED_POD)
        .stdout(
            r#"apiVersion: v1
kind: Pod
metadata:
  annotations:
    prometheus.io/scrape: "true"
  labels:
    app: web
  name: web-0
  namespace: shop
spec:
  containers:
  - image: web:1
    name: web
    volumeMounts:
    - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
      name: kube-api-access-x1
      readOnly: true
  imagePullSecrets:
  - name: registry
  volumes:
  - name: kube-api-access-x1
    projected:
      sources:
      - serviceAccountToken:
          path: token
status:
  phase: Running
"#,
        )
        .run();
}

#[test]
fn documents_without_injection_are_byte_identical() {
    let dir = repo("testdata/uninject");
    let args: Vec<String> = [
        "uninject",
        "workloads.yaml",
        "pod.json",
        "crlf.yaml",
        "no-newline.yaml",
        "flow.yaml",
        "sidecarsets.yaml",
    ]
    .map(str::to_owned)
    .to_vec();
    let expected = stream(&dir, &render_paths(&args));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Test::at(&dir).args(&args).stdout(&expected).run();
}

#[test]
fn uninject_of_uninjected_output_changes_nothing() {
    let out = Test::new()
        .args(&["uninject", "-q"])
        .stdin(INJECTED_POD)
        .stdout_any()
        .run();
    Test::new()
        .args(&["uninject"])
        .stdin(&out.stdout)
        .stdout(&out.stdout)
        .run();
}

#[test]
fn bad_input_is_exit_2_with_nothing_on_stdout() {
    for (text, message) in [
        ("a: [\n", "invalid YAML"),
        ("metadata: {}\n", "no kind"),
        (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    kruise.io/sidecarset-hash: '{'\n",
            "kruise.io/sidecarset-hash cannot be read",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    n: 1\n",
            "not a string",
        ),
    ] {
        Test::new()
            .file("ok.yaml", INJECTED_POD)
            .file("bad.yaml", text)
            .args(&["uninject", "ok.yaml", "bad.yaml"])
            .status(Status::Error)
            .stderr_contains("bad.yaml")
            .stderr_contains(message)
            .run();
    }
    Test::new()
        .args(&["uninject", "missing.yaml"])
        .status(Status::Error)
        .stderr_contains("missing.yaml")
        .run();
}
