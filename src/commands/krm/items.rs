//! `krm` on a ResourceList one item at a time (issue 14): the tree of the whole list (about twenty
//! times its text) is never built. The text is parsed twice with
//! [`tree::parse_items`], which hands each item over as soon as it is complete:
//!
//! 1. the root (`items` left as placeholders), where each item's part of the text starts, the
//!    indentation style of the whole document ([`StyleCounts`]), and the items that are context
//!    (SidecarSets, Namespaces, ControllerRevisions, ConfigMaps), which are gathered as
//!    [`super::process_with`] gathers them;
//! 2. each item resolved, rendered and its part of the text written (edited, or as it was), in
//!    order; its report lines become results.
//!
//! `results` is then appended to the root, as [`resource_list::with_results`] does, and the
//! output is the root's text before the items, the items' parts and the root's text after them.
//! Output and results are byte for byte those of the whole-tree path, which still handles
//! whatever this one does not: a list with CR line breaks, anchors or aliases in its items, a flow
//! `items`, and every error (so that its message and output stay exactly as they were).

use std::path::Path;

use kruise_inject_yaml::edit::{Editor, SeqItem};
use kruise_inject_yaml::emit::{IndentStyle, StyleCounts};
use kruise_inject_yaml::resolve;
use kruise_inject_yaml::tree::{self, Document, Node, NodeKind};
use serde_json::Value;

use super::{Settings, gather_files, is_duplicate, item_result, report_result, resource_list};
use crate::kruise::cluster::Cluster;
use crate::pipeline::context;
use crate::pipeline::engine::{
    Options, Renderer, UndecidedSummary, UndecidedWorkload, workers_for,
};
use crate::pipeline::function_config::FunctionConfig;
use crate::pipeline::krm_results::{self, KrmResult, Severity};
use crate::pipeline::objects::{Location, Object, check_object};

/// The output, the results and what is undecided, as [`super::process_with`] returns them; `None`
/// when the whole-tree path must run (see the module documentation).
pub(super) fn process(
    input: &str,
    cwd: &Path,
    settings: &Settings,
) -> Option<(String, Vec<KrmResult>, UndecidedSummary)> {
    if input.contains('\r') {
        return None;
    }
    // Pass 1: the root, the parts, the style, the context items (on two cores when the list
    // can be cut in two at an item).
    let First {
        documents,
        starts,
        spans,
        items_end,
        counts: item_counts,
        context: context_items,
    } = match split_point(input) {
        Some(mid) if workers_for(&Cluster::new(""), 2) > 1 => {
            let (a, b) = std::thread::scope(|scope| {
                let b = scope.spawn(|| first_pass(input, mid..input.len()));
                (first_pass(input, 0..mid), b.join().ok().flatten())
            });
            match (a, b) {
                (Some(a), Some(b)) => merge(input, a, b),
                _ => None,
            }
            .or_else(|| first_pass(input, 0..input.len()))?
        }
        _ => first_pass(input, 0..input.len())?,
    };
    if starts.is_empty() {
        return None;
    }
    let list = resource_list::find_in(&documents).ok()?;
    let (doc, root) = documents
        .iter()
        .find_map(|d| d.root.as_ref().map(|root| (d, root)))?;
    // every item was handed over (none is left in the tree), and the root reads as a value
    let placeholders = root.get("items").and_then(Node::as_seq)?;
    if placeholders.len() != starts.len() || resolve::to_value(root, doc).is_err() {
        return None;
    }
    let mut counts = StyleCounts::default();
    counts.add_entries(input, root);
    for (key, value) in root.as_map()? {
        if key.as_str() == Some("items") {
            counts.extend(&item_counts);
        } else {
            counts.add(input, value);
        }
    }
    let style = counts.style();

    let config = FunctionConfig::from_value(&list.function_config).ok()?;
    let settings = settings.with_config(&config);
    let options = settings.options().ok()?;
    let mut results = Vec::new();
    let mut gatherer = context::Gatherer::new(&options.kruise_namespace)
        .with_feature_gates(options.feature_gates.clone());
    let from_files = gather_files(&mut gatherer, &settings, cwd, &mut results).ok()?;
    for node in context_items {
        let span = node.span.clone();
        let item = Item::new(node, span);
        let object = item.object()?;
        if !is_duplicate(&object, &from_files) {
            gatherer.add(&object).ok()?;
        }
    }
    let (cluster, notices) = gatherer.finish().ok()?;
    results.extend(notices.into_iter().map(krm_results::notice_result));

    // Pass 2: every item rendered, its part written; the items split into contiguous runs, one
    // per thread (one when the `Partial` draws must come in order).
    let n = starts.len();
    let workers = workers_for(&cluster, n);
    let bounds: Vec<usize> = (0..=workers)
        .map(|w| {
            // runs of about equal text
            let target = starts[0] + (items_end - starts[0]) * w / workers;
            starts.partition_point(|&s| s < target).min(n)
        })
        .collect();
    let job = Job {
        input,
        doc_end: doc.span.end,
        starts: &starts,
        spans: &spans,
        items_end,
        cluster: &cluster,
        options: &options,
        style,
    };
    let runs: Vec<Option<Run>> = if workers == 1 {
        vec![job.render(0..n)]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = bounds
                .windows(2)
                .map(|w| {
                    let job = &job;
                    let range = w[0]..w[1];
                    scope.spawn(move || job.render(range))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().ok().flatten())
                .collect()
        })
    };
    let mut texts = Vec::with_capacity(runs.len());
    let mut report_results = Vec::new();
    let mut undecided_results = Vec::new();
    let mut undecided = UndecidedSummary::default();
    for run in runs {
        let run = run?;
        texts.push(run.text);
        report_results.extend(run.reports);
        undecided_results.extend(run.undecided_results);
        undecided.add(&run.undecided);
    }
    results.extend(report_results);
    results.extend(undecided_results);

    // `results` appended to the root, as `resource_list::with_results` does on the whole text.
    let head = doc.span.start..starts[0];
    let tail = items_end..doc.span.end;
    let (head, tail) = if results.is_empty() {
        (input[head].to_owned(), input[tail].to_owned())
    } else {
        let existing = root
            .get("results")
            .and_then(Node::as_seq)
            .map_or(0, <[Node]>::len);
        let values: Vec<Value> = results.iter().map(KrmResult::to_value).collect();
        let edits: Vec<SeqItem> = (0..existing)
            .map(SeqItem::Keep)
            .chain(values.iter().map(SeqItem::New))
            .collect();
        let mut editor = Editor::with_conventions(input, doc, style, false);
        editor.edit_sequence(root, &["results"], &edits).ok()?;
        (editor.finish_range(head), editor.finish_range(tail))
    };
    // One buffer of the final size (the first run's, grown once), the other runs appended and
    // dropped one by one: the output is held about once.
    let before = &input[..doc.span.start];
    let after = &input[doc.span.end..];
    let total = before.len()
        + head.len()
        + texts.iter().map(String::len).sum::<usize>()
        + tail.len()
        + after.len();
    let mut texts = texts.into_iter();
    let mut text = texts.next().unwrap_or_default();
    text.reserve_exact(total - text.len());
    text.insert_str(0, &head);
    text.insert_str(0, before);
    for more in texts {
        text.push_str(&more);
    }
    text.push_str(&tail);
    text.push_str(after);
    Some((text, results, undecided))
}

/// What pass 1 learns from the list, or from a part of it.
#[derive(Debug, Default)]
struct First {
    documents: Vec<Document>,
    /// where each item's part of the text starts (its dash line)
    starts: Vec<usize>,
    /// each item's span and line, to check pass 2 against
    spans: Vec<(std::ops::Range<usize>, usize)>,
    /// the end of the last item's line
    items_end: usize,
    /// the style counts of the items, in order
    counts: StyleCounts,
    /// the items that may be context objects
    context: Vec<Node>,
}

/// Pass 1 over `input[range]`: the whole input, its start (`0..mid`: the root mapping up to a
/// cut between two items), or the rest from a cut (parsed under [`RUN_KEY`], nodes moved back to
/// the input). `None` when an item is not plain (see [`plain`]) or the text does not parse.
fn first_pass(input: &str, range: std::ops::Range<usize>) -> Option<First> {
    let lo = range.start;
    let owned;
    let (text, key_len) = if lo == 0 {
        (&input[range], 0)
    } else {
        owned = format!("{RUN_KEY}{}", &input[range]);
        (owned.as_str(), RUN_KEY.len())
    };
    let lines_before = if lo == 0 {
        0
    } else {
        input[..lo].bytes().filter(|&b| b == b'\n').count()
    };
    let mut first = First::default();
    let mut simple = true;
    let mut documents = tree::parse_items(text, "items", &mut |mut item| {
        if lo > 0 {
            shift(&mut item, lo, key_len, lines_before);
        }
        let Some(dash) = item.dash.filter(|_| simple && plain(&item)) else {
            simple = false;
            return;
        };
        first.starts.push(line_start(input, dash));
        first.spans.push((item.span.clone(), item.line));
        first.items_end = line_end_after(input, item.span.end);
        let mut part = StyleCounts::default();
        part.add(input, &item);
        first.counts.extend(&part);
        if is_context(&item) {
            first.context.push(item);
        }
    })
    .ok()?;
    if !simple {
        return None;
    }
    if lo > 0 {
        for doc in &mut documents {
            if let Some(root) = &mut doc.root {
                shift(root, lo, key_len, lines_before);
            }
        }
    }
    first.documents = documents;
    Some(first)
}

/// Where pass 1 can cut the list in two: the start of the first line past the middle of the text
/// that is a `-` of the root `items` sequence (at the indentation of its first item). The halves
/// are checked by [`merge`].
fn split_point(input: &str) -> Option<usize> {
    let key = if input.starts_with("items:") {
        0
    } else {
        input.find("\nitems:")? + 1
    };
    let after_key = line_end_after(input, key + "items:".len());
    if !input[key + "items:".len()..after_key].trim().is_empty() {
        return None;
    }
    let mut lines = input[after_key..].split_inclusive('\n');
    let first = lines.find(|l| {
        let t = l.trim_start();
        !t.is_empty() && !t.starts_with('#')
    })?;
    let indent = first.len() - first.trim_start_matches(' ').len();
    let is_dash = |line: &str| {
        line.len() > indent
            && line.as_bytes()[..indent].iter().all(|&b| b == b' ')
            && line[indent..].starts_with('-')
            && matches!(line.as_bytes().get(indent + 1), None | Some(b' ' | b'\n'))
    };
    if !is_dash(first) {
        return None;
    }
    let middle = line_end_after(input, (after_key + input.len()) / 2);
    let mut at = middle;
    for line in input[middle..].split_inclusive('\n') {
        if is_dash(line) {
            return Some(at);
        }
        at += line.len();
    }
    None
}

/// The first pass of the whole list from those of its two halves, cut at an item: the root of
/// `a` up to its `items`, whose sequence goes on with `b`'s items, then `b`'s keys after them.
/// `None` (and a first pass of the whole) unless the cut was where the whole parse has an item
/// boundary: each half one document, `a`'s root ending with `items` and `b`'s starting with it,
/// `b`'s first item starting at the cut, no key twice.
fn merge(input: &str, a: First, b: First) -> Option<First> {
    let ([doc_a], [doc_b]) = (a.documents.as_slice(), b.documents.as_slice()) else {
        return None;
    };
    let (Some(root_a), Some(root_b)) = (&doc_a.root, &doc_b.root) else {
        return None;
    };
    let (NodeKind::Mapping(pairs_a), NodeKind::Mapping(pairs_b)) = (&root_a.kind, &root_b.kind)
    else {
        return None;
    };
    let ((key_a, seq_a), (key_b, seq_b)) = (pairs_a.last()?, pairs_b.first()?);
    let (NodeKind::Sequence(items_a), NodeKind::Sequence(items_b)) = (&seq_a.kind, &seq_b.kind)
    else {
        return None;
    };
    let cut = *b.starts.first()?;
    if key_a.as_str() != Some("items")
        || key_b.as_str() != Some("items")
        || items_a.len() != a.starts.len()
        || items_b.len() != b.starts.len()
        || a.items_end > cut
        || root_a.flow
        || seq_a.flow
    {
        return None;
    }
    let mut keys = std::collections::HashSet::new();
    for (key, _) in pairs_a.iter().chain(&pairs_b[1..]) {
        if !keys.insert(key.as_str()?) {
            return None;
        }
    }
    let seq = Node {
        span: seq_a.span.start..seq_b.span.end,
        kind: NodeKind::Sequence(items_a.iter().chain(items_b).cloned().collect()),
        ..seq_a.clone()
    };
    let mut pairs: Vec<(Node, Node)> = pairs_a[..pairs_a.len() - 1].to_vec();
    pairs.push((key_a.clone(), seq));
    pairs.extend(pairs_b[1..].iter().cloned());
    let root = Node {
        span: root_a.span.start..root_b.span.end,
        kind: NodeKind::Mapping(pairs),
        ..root_a.clone()
    };
    let mut counts = a.counts;
    counts.extend(&b.counts);
    let mut starts = a.starts;
    starts.extend(b.starts);
    let mut spans = a.spans;
    spans.extend(b.spans);
    let mut context = a.context;
    context.extend(b.context);
    Some(First {
        documents: vec![Document {
            span: doc_a.span.start..input.len(),
            root: Some(root),
            line: doc_a.line,
        }],
        starts,
        spans,
        items_end: b.items_end,
        counts,
        context,
    })
}

/// What every thread of pass 2 shares.
struct Job<'a> {
    input: &'a str,
    doc_end: usize,
    starts: &'a [usize],
    spans: &'a [(std::ops::Range<usize>, usize)],
    items_end: usize,
    cluster: &'a Cluster,
    options: &'a Options,
    style: IndentStyle,
}

/// The output of a run of items: their text, results and undecided workloads.
struct Run {
    text: String,
    reports: Vec<KrmResult>,
    undecided_results: Vec<KrmResult>,
    undecided: Vec<UndecidedWorkload>,
}

/// The key a run of items is parsed under: `items:` followed by the run's text is a mapping whose
/// `items` are the run's items, as in the ResourceList.
const RUN_KEY: &str = "items:\n";

impl Job<'_> {
    /// Renders the items `range`: their text (from the start of the first's line to the start of
    /// the line of the item after the last) parsed on its own under [`RUN_KEY`], spans and lines
    /// moved back to the input's and checked against pass 1's; `None` when anything differs or
    /// fails.
    fn render(&self, range: std::ops::Range<usize>) -> Option<Run> {
        let (input, starts) = (self.input, self.starts);
        let mut run = Run {
            text: String::new(),
            reports: Vec::new(),
            undecided_results: Vec::new(),
            undecided: Vec::new(),
        };
        if range.is_empty() {
            return Some(run);
        }
        let lo = starts[range.start];
        let hi = starts.get(range.end).copied().unwrap_or(self.items_end);
        let text = format!("{RUN_KEY}{}", &input[lo..hi]);
        // `lo` is at a line start: its line is line 2 of `text`
        let lines_before = input[..lo].bytes().filter(|&b| b == b'\n').count();
        run.text.reserve(hi - lo + (hi - lo) / 2);
        let mut renderer = Renderer::new(self.cluster, self.options);
        let mut index = range.start;
        let mut failed = false;
        tree::parse_items(&text, "items", &mut |mut node| {
            let i = index;
            index += 1;
            if failed || i >= range.end {
                failed = true;
                return;
            }
            shift(&mut node, lo, RUN_KEY.len(), lines_before);
            if Some(&(node.span.clone(), node.line)) != self.spans.get(i) {
                failed = true;
                return;
            }
            let start = starts[i];
            let end = starts.get(i + 1).copied().unwrap_or(self.items_end);
            let item = Item::new(node, start..self.doc_end);
            let Some(object) = item.object() else {
                failed = true;
                return;
            };
            let (mut reports, mut unknown) = (Vec::new(), Vec::new());
            match renderer.render_part(
                &object,
                input,
                &item.doc,
                self.style,
                start..end,
                &mut reports,
                &mut unknown,
            ) {
                Ok(Some(text)) => run.text.push_str(&text),
                Ok(None) => run.text.push_str(&input[start..end]),
                Err(_) => failed = true,
            }
            let one = std::slice::from_ref(&object);
            run.reports
                .extend(reports.iter().filter_map(|r| report_result(r, one)));
            for u in &unknown {
                let message = u.undecided.to_string();
                run.undecided_results
                    .push(item_result(&object, Severity::Warning, message));
            }
            run.undecided.extend(unknown);
        })
        .ok()?;
        (!failed && index == range.end).then_some(run)
    }
}

/// Moves a node parsed from a run's text (`RUN_KEY` and the input from `lo`) to the input: byte
/// offsets by `lo - key_len`, lines by `lines_before - 1`.
fn shift(node: &mut Node, lo: usize, key_len: usize, lines_before: usize) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        n.span = n.span.start + lo - key_len..n.span.end + lo - key_len;
        n.dash = n.dash.map(|d| d + lo - key_len);
        n.line = n.line + lines_before - 1;
        match &mut n.kind {
            NodeKind::Sequence(items) => stack.extend(items.iter_mut()),
            NodeKind::Mapping(pairs) => stack.extend(pairs.iter_mut().flat_map(|(k, v)| [k, v])),
            NodeKind::Scalar { .. } | NodeKind::Alias(_) => {}
        }
    }
}

/// An item, the root of a document made for it (whose span is the item's part of the text and
/// the rest of the ResourceList after it: see [`Renderer::render_part`]).
struct Item {
    doc: Document,
}

impl Item {
    fn new(node: Node, span: std::ops::Range<usize>) -> Self {
        let line = node.line;
        Item {
            doc: Document {
                span,
                root: Some(node),
                line,
            },
        }
    }

    /// The item as [`crate::pipeline::objects::ParsedFile::objects`] makes it (`None` when it
    /// cannot be read: the whole-tree path reports that).
    fn object(&self) -> Option<Object<'_>> {
        let node = self.doc.root.as_ref()?;
        let value = resolve::to_value(node, &self.doc).ok()?;
        let object = Object {
            document: 0,
            node,
            value,
            location: Location {
                file: "<stdin>".into(),
                line: node.line,
                document: 1,
            },
        };
        check_object(&object).ok()?;
        Some(object)
    }
}

/// No anchor and no alias anywhere in `node`: an item that could refer to another, or be referred
/// to, takes the whole-tree path.
fn plain(node: &Node) -> bool {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if n.anchor.is_some() {
            return false;
        }
        match &n.kind {
            NodeKind::Alias(_) => return false,
            NodeKind::Sequence(items) => stack.extend(items),
            NodeKind::Mapping(pairs) => stack.extend(pairs.iter().flat_map(|(k, v)| [k, v])),
            NodeKind::Scalar { .. } => {}
        }
    }
    true
}

/// Might the item be a context object ([`context::context_kind`] reads the resolved value; with no
/// alias, its `kind` is the node's text).
fn is_context(item: &Node) -> bool {
    matches!(
        item.get("kind").and_then(Node::as_str),
        Some("SidecarSet" | "Namespace" | "ControllerRevision" | "ConfigMap")
    )
}

/// The start of the line holding `pos`.
fn line_start(text: &str, pos: usize) -> usize {
    text[..pos].rfind('\n').map_or(0, |i| i + 1)
}

/// After the line break of the line where the content ending at `pos` ends (or the end).
fn line_end_after(text: &str, pos: usize) -> usize {
    if pos > 0 && text.as_bytes().get(pos - 1) == Some(&b'\n') {
        return pos;
    }
    text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::krm::{KrmArgs, process_whole};

    const SIDECARSET: &str = "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: log\nspec:\n  selector:\n    matchLabels: {app: web}\n  containers:\n  - name: log\n    image: busybox\n    env:\n    - {name: A, value: \"1\"}\n  volumes:\n  - name: logs\n    emptyDir: {}\n";

    fn deployment(name: &str, indent: &str) -> String {
        let body = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name} # mine\n  annotations:\n    config.kubernetes.io/path: 'apps/{name}.yaml'\n    config.kubernetes.io/index: '0'\nspec:\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n"
        );
        item(&body, indent)
    }

    fn item(text: &str, indent: &str) -> String {
        let mut out = String::new();
        for (i, line) in text.lines().enumerate() {
            let lead = if i == 0 {
                format!("{indent}- ")
            } else {
                format!("{indent}  ")
            };
            out.push_str(&lead);
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// Pass 1 of two halves cut at any line is pass 1 of the whole, or `None`.
    fn halves_make_the_whole(input: &str) {
        let Some(whole) = first_pass(input, 0..input.len()) else {
            return;
        };
        let mut merged = 0;
        for (mid, _) in input.match_indices('\n') {
            let mid = mid + 1;
            if mid >= input.len() {
                continue;
            }
            let (Some(a), Some(b)) = (
                first_pass(input, 0..mid),
                first_pass(input, mid..input.len()),
            ) else {
                continue;
            };
            let Some(m) = merge(input, a, b) else {
                continue;
            };
            merged += 1;
            assert_eq!(m.documents, whole.documents, "cut at {mid}:\n{input}");
            assert_eq!(
                (&m.starts, &m.spans, m.items_end, &m.counts, &m.context),
                (
                    &whole.starts,
                    &whole.spans,
                    whole.items_end,
                    &whole.counts,
                    &whole.context
                )
            );
        }
        if whole.starts.len() > 1 {
            assert!(merged > 0, "no cut merged:\n{input}");
        }
        if let Some(mid) = split_point(input) {
            let (a, b) = (
                first_pass(input, 0..mid),
                first_pass(input, mid..input.len()),
            );
            assert!(
                a.zip(b).and_then(|(a, b)| merge(input, a, b)).is_some(),
                "{input}"
            );
        }
    }

    /// Item by item gives what the whole tree gives, or leaves it to the whole tree.
    #[test]
    fn item_by_item_is_the_whole_tree_byte_for_byte() {
        let dir = tempfile::tempdir().expect("tempdir");
        let settings = Settings::new(&KrmArgs::default());
        let head = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n";
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: web}\nspec:\n  containers: []\n";
        let unmatched =
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: |\n    text\n\n";
        let mut cases = Vec::new();
        for indent in ["", "  "] {
            let items = format!(
                "{}{}# between\n{}{}\n{}",
                deployment("a", indent),
                item(SIDECARSET, indent),
                deployment("b", indent),
                item(unmatched, indent),
                item(pod, indent),
            );
            cases.push((format!("{head}items:\n{items}"), true));
            cases.push((format!("{head}items:\n{items}# after the items\nfunctionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  data: {{namespace: web}}\n"), true));
            cases.push((
                format!("{head}results:\n- message: before\n  severity: info\nitems:\n{items}"),
                true,
            ));
            cases.push((format!("{head}items:\n{items}results: []\n"), true));
            cases.push((format!("# lead\n{head}items:\n{items}results:\n  - message: before\n    severity: info\n"), true));
            // left to the whole tree
            cases.push((
                format!("{head}items:\n{items}").replace('\n', "\r\n"),
                false,
            ));
            cases.push((
                format!(
                    "{head}items:\n{}- &a {{apiVersion: v1, kind: Pod, metadata: {{name: x}}}}\n",
                    items
                ),
                false,
            ));
            cases.push((
                format!("{head}items:\n{items}- apiVersion: v1\n  metadata: {{name: nokind}}\n"),
                false,
            ));
            cases.push((
                format!("{head}items: [{{apiVersion: v1, kind: Pod, metadata: {{name: x}}}}]\n"),
                false,
            ));
        }
        for (input, _) in &cases {
            halves_make_the_whole(input);
        }
        for (input, fast) in cases {
            let whole = process_whole(&input, dir.path(), &settings);
            let items = process(&input, dir.path(), &settings);
            assert_eq!(items.is_some(), fast, "{input}");
            if let Some(items) = items {
                let whole = whole.expect("the whole tree renders it");
                assert_eq!(items.0, whole.0, "{input}");
                assert_eq!(items.1, whole.1);
                assert_eq!(items.2, whole.2);
                assert!(items.0.contains("- name: log"), "{}", items.0);
            }
        }
    }
}
