//! `kruise-inject render`: every document of the inputs, with the SidecarSets injected that the
//! pod webhook would inject.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Seek, SeekFrom, Write};

use anyhow::Context as _;
use kruise_inject_yaml::edit::{Editor, SeqItem};
use kruise_inject_yaml::tree::Node;
use serde_json::Value;

use crate::cli::{InputArgs, RenderArgs};
use crate::cluster::Cluster;
use crate::context::{self, string_map};
use crate::inject;
use crate::input::{self, Source};
use crate::matching::{self, MatchOutcome};
use crate::objects::{DocumentError, Location, Object, ParsedFile};
use crate::out_dir;
use crate::pod::{ListItem, PodPatch, PodView};
use crate::rng::Rng;
use crate::timestamp;
use crate::workload::{PodLocation, pod_location};

/// Output up to this size is kept in memory before it spills to a temporary file.
const SPOOL_IN_MEMORY: usize = 64 << 20;

/// How to render.
#[derive(Debug, Clone)]
pub struct Options {
    /// Namespace of objects that have none.
    pub default_namespace: String,
    /// The injection time, `YYYY-MM-DDTHH:MM:SSZ`.
    pub timestamp: String,
    /// Where ControllerRevisions live.
    pub kruise_namespace: String,
    /// Seed of the `Partial` revision policy draw.
    pub seed: u64,
}

/// One line of the report on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Where the object is.
    pub location: Location,
    /// The object, e.g. `apps/v1 Deployment default/nginx`.
    pub resource: String,
    /// What happened.
    pub message: String,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Location { file, line, .. } = &self.location;
        write!(f, "{file}:{line}: {}: {}", self.resource, self.message)
    }
}

/// A rendered file.
#[derive(Debug, Clone)]
pub struct RenderedFile {
    /// The file's text with the injections spliced in.
    pub text: String,
    /// Whether anything was injected.
    pub changed: bool,
    /// One line per pod or workload, and warnings.
    pub reports: Vec<Report>,
}

/// Renders the files of one run against one cluster state.
#[derive(Debug)]
pub struct Renderer<'c> {
    cluster: &'c Cluster,
    options: &'c Options,
    rng: Rng,
}

impl<'c> Renderer<'c> {
    /// A renderer; the `Partial` draws start from `options.seed`.
    pub fn new(cluster: &'c Cluster, options: &'c Options) -> Self {
        Self {
            cluster,
            options,
            rng: Rng::new(options.seed),
        }
    }

    /// Renders one parsed file.
    pub fn render_file(&mut self, file: &ParsedFile) -> Result<RenderedFile, DocumentError> {
        let objects = file.objects()?;
        let mut reports = Vec::new();
        let mut patches: BTreeMap<usize, Vec<(&Node, PodPatch)>> = BTreeMap::new();
        for object in &objects {
            if let Some((node, patch)) = self.render_object(object, &mut reports)? {
                patches
                    .entry(object.document)
                    .or_default()
                    .push((node, patch));
            }
        }
        let changed = !patches.is_empty();
        let mut text = String::with_capacity(file.text.len() + 1024 * patches.len());
        let mut at = 0;
        for (index, doc) in file.documents.iter().enumerate() {
            text.push_str(&file.text[at..doc.span.start]);
            match patches.get(&index) {
                Some(edits) => {
                    let mut editor = Editor::new(&file.text, doc);
                    for (node, patch) in edits {
                        apply(&mut editor, node, patch).map_err(|err| DocumentError {
                            location: Location {
                                file: file.name.clone(),
                                line: node.line,
                                document: index + 1,
                            },
                            message: format!("cannot edit this document: {err}"),
                        })?;
                    }
                    text.push_str(&editor.finish());
                }
                None => text.push_str(&file.text[doc.span.clone()]),
            }
            at = doc.span.end;
        }
        text.push_str(&file.text[at..]);
        Ok(RenderedFile {
            text,
            changed,
            reports,
        })
    }

    /// Injects into one object; returns the node to edit and the patch, if anything changes.
    fn render_object<'o>(
        &mut self,
        object: &Object<'o>,
        reports: &mut Vec<Report>,
    ) -> Result<Option<(&'o Node, PodPatch)>, DocumentError> {
        let namespace = object
            .namespace()
            .unwrap_or(&self.options.default_namespace)
            .to_owned();
        let mut report = |message: String| {
            reports.push(Report {
                location: object.location.clone(),
                resource: object.display_name(&self.options.default_namespace),
                message,
            });
        };
        let Some(location) = pod_location(object.api_version(), object.kind()) else {
            if context::context_kind(object).is_none()
                && object
                    .node
                    .at(&["spec", "template", "spec", "containers"])
                    .is_some()
            {
                report(
                    "warning: has a pod template, but kruise-inject does not know this kind; \
                     passed through unchanged"
                        .to_owned(),
                );
            }
            return Ok(None);
        };
        let path: &[&str] = match location {
            PodLocation::Pod => &[],
            PodLocation::Template(path) => path,
            PodLocation::FirstOf(paths) => paths
                .iter()
                .copied()
                .find(|p| object.node.at(p).is_some())
                .unwrap_or(paths[0]),
        };
        let (Some(node), Some(template)) = (object.node.at(path), pointer(&object.value, path))
        else {
            report(format!(
                "not injected: no pod template at {}",
                path.join(".")
            ));
            return Ok(None);
        };
        let labels = string_map(template, "/metadata/labels")
            .map_err(|e| object.error(format!("{}: {e}", field(path, "metadata.labels"))))?;
        let annotations = string_map(template, "/metadata/annotations")
            .map_err(|e| object.error(format!("{}: {e}", field(path, "metadata.annotations"))))?;
        let active = location != PodLocation::Pod || is_active(&object.value);
        let pod = PodView {
            namespace: &namespace,
            labels,
            annotations,
            spec: template.get("spec").unwrap_or(&Value::Null),
            active,
        };
        let (sidecarsets, notes) = match matching::match_pod(self.cluster, &pod, &mut self.rng)
            .map_err(|e| object.error(e))?
        {
            MatchOutcome::Skipped(reason) => {
                report(format!("not injected: {reason}"));
                return Ok(None);
            }
            MatchOutcome::Matched { sidecarsets, notes } => {
                let notes: Vec<String> = notes.iter().map(ToString::to_string).collect();
                if sidecarsets.is_empty() {
                    let why = if notes.is_empty() {
                        "no SidecarSet matches".to_owned()
                    } else {
                        notes.join("; ")
                    };
                    report(format!("not injected: {why}"));
                    return Ok(None);
                }
                (sidecarsets, notes)
            }
        };
        let injection = inject::inject(&pod, &sidecarsets, &self.options.timestamp)
            .map_err(|e| object.error(e))?;
        let summary = injection
            .injected
            .iter()
            .map(|s| {
                let mut names = s.containers.clone();
                names.extend(s.init_containers.iter().map(|c| format!("init:{c}")));
                if names.is_empty() {
                    s.name.clone()
                } else {
                    format!("{} ({})", s.name, names.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let notes: String = notes.iter().map(|n| format!("; {n}")).collect();
        if injection.patch.is_empty() {
            report(format!("up to date: {summary}{notes}"));
            return Ok(None);
        }
        report(format!("injected {summary}{notes}"));
        Ok(Some((node, injection.patch)))
    }
}

/// Applies a pod patch to the pod (or template) node.
fn apply(
    editor: &mut Editor<'_>,
    node: &Node,
    patch: &PodPatch,
) -> Result<(), kruise_inject_yaml::edit::EditError> {
    if !patch.annotations.is_empty() {
        editor.set_entries(node, &["metadata", "annotations"], &patch.annotations)?;
    }
    let lists = [
        ("initContainers", &patch.init_containers),
        ("containers", &patch.containers),
        ("volumes", &patch.volumes),
        ("imagePullSecrets", &patch.image_pull_secrets),
    ];
    for (key, items) in lists {
        if let Some(items) = items {
            let items: Vec<SeqItem> = items
                .iter()
                .map(|item| match item {
                    ListItem::Keep(i) => SeqItem::Keep(*i),
                    ListItem::New(v) => SeqItem::New(v.clone()),
                })
                .collect();
            editor.edit_sequence(node, &["spec", key], &items)?;
        }
    }
    Ok(())
}

fn pointer<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, key| v.get(key))
}

fn field(path: &[&str], rest: &str) -> String {
    if path.is_empty() {
        rest.to_owned()
    } else {
        format!("{}.{rest}", path.join("."))
    }
}

/// `IsPodActive`: not Succeeded or Failed, no deletionTimestamp (§4.1).
fn is_active(pod: &Value) -> bool {
    let phase = pod.pointer("/status/phase").and_then(Value::as_str);
    let deleting = pod
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null());
    !matches!(phase, Some("Succeeded" | "Failed")) && !deleting
}

/// Reads sources, caching stdin so that both passes see it.
#[derive(Debug, Default)]
pub struct Reader {
    stdin: Option<String>,
}

impl Reader {
    /// A reader whose standard input was already read.
    pub fn with_stdin(text: String) -> Self {
        Self { stdin: Some(text) }
    }

    /// Reads and parses a source.
    pub fn read(&mut self, source: &Source) -> anyhow::Result<ParsedFile> {
        let text = match source {
            Source::Stdin => match &self.stdin {
                Some(text) => text.clone(),
                None => {
                    let text = input::read(source)?;
                    self.stdin = Some(text.clone());
                    text
                }
            },
            Source::File(_) => input::read(source)?,
        };
        Ok(ParsedFile::parse(source.to_string(), text)?)
    }
}

/// Might this text hold context objects? A cheap test that spares parsing most files twice.
fn may_hold_context(text: &str) -> bool {
    ["SidecarSet", "Namespace", "ControllerRevision"]
        .iter()
        .any(|kind| text.contains(kind))
}

/// Builds the cluster state from the context paths and the rendered paths.
pub fn gather_cluster(
    context_sources: &[Source],
    sources: &[Source],
    kruise_namespace: &str,
    reader: &mut Reader,
    reports: &mut Vec<String>,
) -> anyhow::Result<Cluster> {
    let mut cluster = Cluster::new(kruise_namespace);
    let mut seen = std::collections::BTreeSet::new();
    for source in context_sources.iter().chain(sources) {
        let key = match source {
            Source::File(path) => std::fs::canonicalize(path).ok().map(Source::File),
            Source::Stdin => Some(Source::Stdin),
        };
        if let Some(key) = key
            && !seen.insert(key)
        {
            continue;
        }
        let file = reader.read(source)?;
        if !may_hold_context(&file.text) {
            continue;
        }
        for object in file.objects()? {
            for warning in context::add(&mut cluster, &object)? {
                reports.push(format!(
                    "{}:{}: {}: warning: {warning}",
                    object.location.file,
                    object.location.line,
                    object.display_name("")
                ));
            }
        }
    }
    Ok(cluster)
}

/// Appends one file's text to a multi-document stream, with a `---` separator where the file does
/// not start with one.
pub fn append_to_stream(
    out: &mut impl Write,
    text: &str,
    first: bool,
    last_byte: &mut Option<u8>,
) -> std::io::Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    if !first {
        if last_byte.is_some_and(|b| b != b'\n') {
            out.write_all(b"\n")?;
        }
        let text_no_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
        let starts_with_marker = text_no_bom
            .lines()
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .is_some_and(|l| l == "---" || l.starts_with("--- ") || l.starts_with('%'));
        if !starts_with_marker && last_byte.is_some() {
            out.write_all(b"---\n")?;
        }
    }
    out.write_all(text.as_bytes())?;
    *last_byte = text.as_bytes().last().copied();
    Ok(())
}

/// The injection settings of the command line.
pub fn options(args: &InputArgs) -> anyhow::Result<Options> {
    let source_date_epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    Ok(Options {
        default_namespace: args.namespace.clone(),
        timestamp: timestamp::resolve(args.timestamp.as_deref(), source_date_epoch.as_deref())?,
        kruise_namespace: args.kruise_namespace.clone(),
        seed: args.seed,
    })
}

/// What every command that renders starts from: the settings, the cluster state gathered from the
/// context and the inputs, and the reader that read them.
#[derive(Debug)]
pub struct Session {
    /// The injection settings.
    pub options: Options,
    /// SidecarSets, Namespaces and ControllerRevisions of the context and the inputs.
    pub cluster: Cluster,
    /// The reader (it keeps standard input for the second pass).
    pub reader: Reader,
    /// Warnings about the context objects, as report lines.
    pub warnings: Vec<String>,
}

impl Session {
    /// Reads the settings of `args` and gathers the cluster from `context_sources` and `sources`.
    pub fn new(
        args: &InputArgs,
        context_sources: &[Source],
        sources: &[Source],
    ) -> anyhow::Result<Self> {
        Self::with_reader(args, context_sources, sources, Reader::default())
    }

    /// Like [`Session::new`], reading through `reader` (which may hold standard input already).
    pub fn with_reader(
        args: &InputArgs,
        context_sources: &[Source],
        sources: &[Source],
        mut reader: Reader,
    ) -> anyhow::Result<Self> {
        let options = options(args)?;
        let mut warnings = Vec::new();
        let cluster = gather_cluster(
            context_sources,
            sources,
            &options.kruise_namespace,
            &mut reader,
            &mut warnings,
        )?;
        Ok(Self {
            options,
            cluster,
            reader,
            warnings,
        })
    }
}

/// Expands the PATH and `-s` arguments as `render` reads them: (context sources, sources).
pub fn expand_inputs(args: &InputArgs) -> anyhow::Result<(Vec<Source>, Vec<Source>)> {
    let sources = input::expand(&args.paths)?;
    let context_sources = if args.sidecarsets.is_empty() {
        Vec::new()
    } else {
        input::expand(&args.sidecarsets)?
    };
    Ok((context_sources, sources))
}

/// Runs `render` as the command line asks. To standard output: exit code 0, or an error (exit 2,
/// nothing on stdout). With `--out-dir`: exit code 1 when files were written or removed (or extra
/// files are left), 0 when the directory was up to date.
pub fn run(args: &RenderArgs) -> anyhow::Result<u8> {
    if let Some(dir) = &args.out_dir {
        return out_dir::run_render(args, dir);
    }
    let (context_sources, sources) = expand_inputs(&args.input)?;
    // A KRM ResourceList on standard input: behave as `krm`.
    let mut reader = Reader::default();
    if sources == [Source::Stdin] && !context_sources.contains(&Source::Stdin) {
        let text = input::read(&Source::Stdin)?;
        if crate::krm::is_resource_list(&text) {
            return crate::krm::run_text(&text, &crate::krm::Settings::from_render(&args.input));
        }
        reader = Reader::with_stdin(text);
    }
    let Session {
        options,
        cluster,
        mut reader,
        warnings,
    } = Session::with_reader(&args.input, &context_sources, &sources, reader)?;

    let mut renderer = Renderer::new(&cluster, &options);
    let mut out = tempfile::SpooledTempFile::new(SPOOL_IN_MEMORY);
    let mut last_byte = None;
    let mut reports = warnings;
    for (i, source) in sources.iter().enumerate() {
        let file = reader.read(source)?;
        let rendered = renderer.render_file(&file)?;
        append_to_stream(&mut out, &rendered.text, i == 0, &mut last_byte)
            .context("writing the output buffer")?;
        reports.extend(rendered.reports.iter().map(ToString::to_string));
    }

    out.seek(SeekFrom::Start(0))?;
    let stdout = std::io::stdout();
    let mut stdout = stdout.lock();
    std::io::copy(&mut (&mut out as &mut dyn Read), &mut stdout).context("writing stdout")?;
    stdout.flush().context("writing stdout")?;
    if !args.quiet {
        print_reports(&reports);
    }
    Ok(0)
}

/// Prints report lines on standard error.
pub fn print_reports(lines: &[String]) {
    let mut stderr = std::io::stderr().lock();
    for line in lines {
        let _ = writeln!(stderr, "{line}");
    }
}
