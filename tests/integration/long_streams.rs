//! Long inputs read a part at a time (issue 14): `uninject` of a long rendered stream, whose
//! parts are cut at `---` lines, gives back the workloads byte for byte and reports every one at
//! its line in the stream; `krm` on a long ResourceList, rendered item by item, injects every
//! item and reports each at its file. (The unit tests of `commands::uninject` and
//! `commands::krm::items` compare every cut with the whole file.)

use crate::test::{Test, repo};

/// The Filebeat example's Deployment `copies` times, each under its own name, with a comment
/// between documents, as one stream well past the 64 KiB a part.
fn workloads(copies: usize) -> String {
    let nginx = std::fs::read_to_string(repo("testdata/filebeat-sidecarset/nginx-deployment.yaml"))
        .expect("read the Filebeat example");
    (0..copies)
        .map(|i| nginx.replacen("name: nginx", &format!("name: nginx-{i:04}"), 1))
        .collect::<Vec<_>>()
        .join("# next\n---\n")
}

#[test]
fn uninject_gives_back_a_long_rendered_stream_and_reports_each_workload_at_its_line() {
    let input = workloads(400);
    assert!(input.len() > 2 * 64 * 1024, "{}", input.len());
    let sidecarset = std::fs::read_to_string(repo(
        "testdata/filebeat-sidecarset/filebeat-sidecarset.yaml",
    ))
    .expect("read the SidecarSet");
    let rendered = Test::new()
        .file("workloads.yaml", &input)
        .file("sidecarset.yaml", &sidecarset)
        .args(&["render", "workloads.yaml", "-s", "sidecarset.yaml", "-q"])
        .stdout_any()
        .run();
    assert_ne!(rendered.stdout, input);
    // a file and standard input
    let back = Test::new()
        .file("rendered.yaml", &rendered.stdout)
        .args(&["uninject", "rendered.yaml"])
        .stdout(&input)
        .stderr_any()
        .run();
    let lines: Vec<&str> = back.stderr.lines().collect();
    assert_eq!(lines.len(), 400, "{}", back.stderr);
    let text_lines: Vec<&str> = rendered.stdout.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let (file, rest) = line.split_once(':').expect("file:line:");
        let (at, _) = rest.split_once(':').expect("line:");
        let at: usize = at.parse().expect("a line number");
        assert_eq!(file, "rendered.yaml");
        assert!(line.contains(&format!("nginx-{i:04}")), "{line}");
        // the reported line starts the workload (its apiVersion)
        assert!(
            text_lines[at - 1].starts_with("apiVersion:"),
            "{line}: {}",
            text_lines[at - 1]
        );
    }
    Test::new()
        .args(&["uninject", "-q"])
        .stdin(&rendered.stdout)
        .stdout(&input)
        .run();
}

#[test]
fn uninject_of_a_long_stream_fails_as_the_whole_file_does() {
    // an unclosed quote in the last document: the whole file's YAML error, nothing on stdout
    let mut input = workloads(200);
    input.push_str("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: 'open\n");
    let line = input.lines().count();
    Test::new()
        .file("w.yaml", &input)
        .args(&["uninject", "w.yaml"])
        .status(2)
        .stderr_contains(&format!("w.yaml:{line}: document 201: invalid YAML"))
        .run();
}

#[test]
fn krm_injects_every_item_of_a_long_resource_list() {
    let items: String = (0..300)
        .map(|i| {
            format!(
                "- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: web-{i:03}\n    annotations:\n      config.kubernetes.io/path: 'apps/web-{i:03}.yaml'\n  spec:\n    template:\n      metadata:\n        labels: {{app: nginx, kruise.io/inject-filebeat: \"true\"}}\n      spec:\n        containers:\n        - name: web\n          image: nginx\n"
            )
        })
        .collect();
    let sidecarset = std::fs::read_to_string(repo(
        "testdata/filebeat-sidecarset/filebeat-sidecarset.yaml",
    ))
    .expect("read the SidecarSet");
    let list = format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{items}functionConfig:\n  apiVersion: kruise-inject.dev/v1alpha1\n  kind: KruiseInject\n  spec:\n    sidecarsets: [sidecarset.yaml]\n"
    );
    let out = Test::new()
        .file("sidecarset.yaml", &sidecarset)
        .args(&["krm"])
        .stdin(&list)
        .stdout_any()
        .run();
    assert_eq!(
        out.stdout.matches("        - name: filebeat\n").count(),
        300
    );
    assert_eq!(
        out.stdout
            .matches("- message: injected filebeat-sidecarset")
            .count(),
        300,
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("  file:\n    path: apps/web-299.yaml\n")
    );
    // everything of the input is still there, in order, around the injections
    let mut at = 0;
    for line in list.lines() {
        let found = out.stdout[at..].find(line).map(|i| at + i);
        assert!(found.is_some(), "{line:?} lost or out of order");
        at = found.unwrap_or(at) + line.len();
    }
}
