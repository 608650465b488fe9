//! Property tests of render and uninject (issue 7), through the library: random workloads (Pod,
//! Deployment, StatefulSet, CronJob; random labels, so that some match; 1 to 3 containers; indented
//! or compact sequences, flow or block collections, comments, CRLF, 2 or 4 space indentation)
//! against a random subset of a small pool of SidecarSets. Properties:
//!
//! - render is idempotent: rendering the output again gives the output;
//! - documents are rendered independently, and a document nothing was injected into comes out
//!   byte-identical;
//! - `uninject` undoes `render`: `uninject(render(x)) == x` (the pool uses nothing uninject cannot
//!   tell was injected: no imagePullSecrets, no patchPodMetadata).

use kruise_inject::commands::uninject::uninject_file;
use kruise_inject::kruise::cluster::Cluster;
use kruise_inject::pipeline::context;
use kruise_inject::pipeline::engine::{Options, Renderer};
use kruise_inject::pipeline::objects::ParsedFile;
use proptest::prelude::*;

/// The SidecarSet pool.
const POOL: [&str; 3] = [
    "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: filebeat\nspec:\n  selector:\n    matchLabels:\n      kruise.io/inject-filebeat: \"true\"\n  containers:\n  - name: filebeat\n    image: filebeat:7\n    volumeMounts:\n    - name: varlog\n      mountPath: /var/log\n  volumes:\n  - name: varlog\n    emptyDir: {}\n",
    "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: proxy\nspec:\n  selector:\n    matchLabels:\n      app: web\n  initContainers:\n  - name: init-proxy\n    image: proxy-init:1\n  containers:\n  - name: envoy\n    image: envoy:1\n    podInjectPolicy: AfterAppContainer\n",
    "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: metrics\nspec:\n  selector:\n    matchExpressions:\n    - key: tier\n      operator: Exists\n  containers:\n  - name: metrics\n    image: metrics:1\n    env:\n    - name: MODE\n      value: \"on\"\n",
];

#[derive(Debug, Clone, Copy)]
enum Kind {
    Pod,
    Deployment,
    StatefulSet,
    CronJob,
}

/// How a workload is written.
#[derive(Debug, Clone)]
struct Style {
    indent: usize,
    /// `key:\n- item` (kubectl) rather than `key:\n  - item`.
    compact: bool,
    flow_labels: bool,
    flow_containers: bool,
    comments: bool,
}

#[derive(Debug, Clone)]
struct Workload {
    kind: Kind,
    name: usize,
    labels: Vec<(&'static str, &'static str)>,
    containers: usize,
    style: Style,
}

impl Workload {
    fn text(&self) -> String {
        let u = self.style.indent;
        let mut out = String::new();
        let (api, kind) = match self.kind {
            Kind::Pod => ("v1", "Pod"),
            Kind::Deployment => ("apps/v1", "Deployment"),
            Kind::StatefulSet => ("apps/v1", "StatefulSet"),
            Kind::CronJob => ("batch/v1", "CronJob"),
        };
        if self.style.comments {
            out.push_str("# a generated workload\n");
        }
        out.push_str(&format!("apiVersion: {api}\nkind: {kind}\n"));
        let pod_level = match self.kind {
            Kind::Pod => {
                self.pod(&mut out, 0, Some(self.name));
                return out;
            }
            Kind::Deployment | Kind::StatefulSet => {
                out.push_str(&format!("metadata:\n{}name: w{}\n", pad(u), self.name));
                out.push_str(&format!(
                    "spec:\n{}replicas: 2\n{}template:\n",
                    pad(u),
                    pad(u)
                ));
                2
            }
            Kind::CronJob => {
                out.push_str(&format!("metadata:\n{}name: w{}\n", pad(u), self.name));
                out.push_str(&format!(
                    "spec:\n{}schedule: \"* * * * *\"\n{}jobTemplate:\n{}spec:\n{}template:\n",
                    pad(u),
                    pad(u),
                    pad(2 * u),
                    pad(3 * u)
                ));
                4
            }
        };
        self.pod(&mut out, pod_level, None);
        out
    }

    /// A pod (or pod template) whose keys start at `level` indentation units.
    fn pod(&self, out: &mut String, level: usize, name: Option<usize>) {
        let u = self.style.indent;
        let at = |l: usize| pad(l * u);
        out.push_str(&format!("{}metadata:\n", at(level)));
        if let Some(name) = name {
            out.push_str(&format!("{}name: p{name}\n", at(level + 1)));
        }
        if self.style.flow_labels {
            let labels: Vec<String> = self
                .labels
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            out.push_str(&format!(
                "{}labels: {{{}}}\n",
                at(level + 1),
                labels.join(", ")
            ));
        } else if self.labels.is_empty() {
            out.push_str(&format!("{}labels: {{}}\n", at(level + 1)));
        } else {
            out.push_str(&format!("{}labels:\n", at(level + 1)));
            for (k, v) in &self.labels {
                let comment = if self.style.comments {
                    "  # a label"
                } else {
                    ""
                };
                out.push_str(&format!("{}{k}: {v}{comment}\n", at(level + 2)));
            }
        }
        out.push_str(&format!("{}spec:\n", at(level)));
        if self.style.flow_containers {
            let items: Vec<String> = (0..self.containers)
                .map(|i| format!("{{name: c{i}, image: \"app:{i}\"}}"))
                .collect();
            out.push_str(&format!(
                "{}containers: [{}]\n",
                at(level + 1),
                items.join(", ")
            ));
        } else {
            out.push_str(&format!("{}containers:\n", at(level + 1)));
            let dash = if self.style.compact {
                at(level + 1)
            } else {
                format!("{}  ", at(level + 1))
            };
            for i in 0..self.containers {
                if self.style.comments {
                    out.push_str(&format!("{dash}# container {i}\n"));
                }
                out.push_str(&format!("{dash}- name: c{i}\n{dash}  image: \"app:{i}\"\n"));
            }
        }
        if self.style.comments {
            out.push_str(&format!("{}# the end of the pod\n", at(level + 1)));
        }
    }
}

fn pad(n: usize) -> String {
    " ".repeat(n)
}

fn style() -> impl Strategy<Value = Style> {
    (
        prop::sample::select(vec![2usize, 4]),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(indent, compact, flow_labels, flow_containers, comments)| Style {
                indent,
                compact,
                flow_labels,
                flow_containers,
                comments,
            },
        )
}

fn workload() -> impl Strategy<Value = Workload> {
    let kind = prop::sample::select(vec![
        Kind::Pod,
        Kind::Deployment,
        Kind::StatefulSet,
        Kind::CronJob,
    ]);
    let app = prop::sample::select(vec![None, Some("web"), Some("db")]);
    (
        kind,
        0..1000usize,
        app,
        any::<bool>(),
        any::<bool>(),
        1..=3usize,
        style(),
    )
        .prop_map(|(kind, name, app, filebeat, tier, containers, style)| {
            let mut labels = Vec::new();
            if let Some(app) = app {
                labels.push(("app", app));
            }
            if filebeat {
                labels.push(("kruise.io/inject-filebeat", "\"true\""));
            }
            if tier {
                labels.push(("tier", "backend"));
            }
            Workload {
                kind,
                name,
                labels,
                containers,
                style,
            }
        })
}

/// A file of 1 to 4 workloads, maybe with a ConfigMap between them, maybe with CRLF line ends.
fn file() -> impl Strategy<Value = (Vec<String>, bool)> {
    (
        prop::collection::vec(
            prop_oneof![
                4 => workload().prop_map(|w| w.text()),
                1 => Just("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: 'on'}\n".to_owned()),
            ],
            1..=4,
        ),
        any::<bool>(),
    )
}

fn cluster(pool: &[bool]) -> Cluster {
    let mut gatherer = context::Gatherer::new("kruise-system");
    for (text, _) in POOL.iter().zip(pool).filter(|(_, on)| **on) {
        let file = ParsedFile::parse("pool.yaml".into(), (*text).to_owned()).expect("pool parses");
        for object in file.objects().expect("pool objects") {
            gatherer.add(&object).expect("pool SidecarSet");
        }
    }
    gatherer.finish().expect("pool SidecarSets admitted").0
}

fn options() -> Options {
    Options {
        default_namespace: "default".into(),
        timestamp: "1970-01-01T00:00:00Z".into(),
        kruise_namespace: "kruise-system".into(),
        feature_gates: Default::default(),
        seed: 0,
    }
}

/// (rendered text, whether anything changed)
fn render(cluster: &Cluster, text: &str) -> (String, bool) {
    let file = ParsedFile::parse("w.yaml".into(), text.to_owned())
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let options = options();
    let rendered = Renderer::new(cluster, &options)
        .render_file(&file)
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    (rendered.text, rendered.changed)
}

fn uninject(text: &str) -> String {
    let file = ParsedFile::parse("r.yaml".into(), text.to_owned())
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    uninject_file(&file)
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .0
}

fn join(docs: &[String], crlf: bool) -> String {
    let text = docs.join("---\n");
    if crlf {
        text.replace('\n', "\r\n")
    } else {
        text
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn render_is_idempotent_documentwise_and_undone_by_uninject(
        (docs, crlf) in file(),
        pool in prop::collection::vec(any::<bool>(), 3),
    ) {
        let cluster = cluster(&pool);
        let input = join(&docs, crlf);
        let (output, _) = render(&cluster, &input);

        let (again, changed) = render(&cluster, &output);
        prop_assert_eq!(&again, &output, "not idempotent");
        prop_assert!(!changed);

        let singles: Vec<String> = docs
            .iter()
            .map(|doc| {
                let doc = join(std::slice::from_ref(doc), crlf);
                let (text, changed) = render(&cluster, &doc);
                if !changed {
                    assert_eq!(text, doc, "an untouched document changed");
                }
                text
            })
            .collect();
        let separator = if crlf { "---\r\n" } else { "---\n" };
        prop_assert_eq!(&singles.join(separator), &output, "documents are not independent");

        prop_assert_eq!(uninject(&output), input, "uninject does not undo render");
    }
}

/// The generator does produce workloads that get sidecars, in every style.
#[test]
fn generated_workloads_do_get_sidecars() {
    let cluster = cluster(&[true, true, true]);
    for kind in [
        Kind::Pod,
        Kind::Deployment,
        Kind::StatefulSet,
        Kind::CronJob,
    ] {
        for compact in [false, true] {
            let workload = Workload {
                kind,
                name: 1,
                labels: vec![("app", "web"), ("tier", "backend")],
                containers: 2,
                style: Style {
                    indent: 4,
                    compact,
                    flow_labels: !compact,
                    flow_containers: false,
                    comments: true,
                },
            };
            let text = workload.text();
            let (output, changed) = render(&cluster, &text);
            assert!(changed, "{text}");
            assert!(output.contains("name: envoy"), "{output}");
            assert!(output.contains("name: metrics"), "{output}");
            assert_eq!(uninject(&output), text);
        }
    }
}
