//! `kruise-inject uninject`: removes from Pods and workload pod templates what OpenKruise's
//! SidecarSet webhook injected, using only what Kruise wrote into the pod (its annotations and the
//! `IS_INJECTED=true` env of injected containers), so that `uninject(render(x)) == x`.
//!
//! What is removed from a pod that carries Kruise's injection annotations (what
//! `buildSidecars` and `injectHotUpgradeContainers` write):
//!
//! - **containers** named in the `sidecarList` of a `kruise.io/sidecarset-hash` (or
//!   `-without-image`) entry, or hot-upgrade containers (`<c>-1`, `<c>-2` for each `<c>` of
//!   `kruise.io/sidecarset-working-hotupgrade-container`, and the `<name>` of every
//!   `version.sidecarset.kruise.io/<name>` / `versionalt.sidecarset.kruise.io/<name>` annotation),
//!   provided the container is an injected sidecar by Kruise's own rule (its first `IS_INJECTED`
//!   env var has the value `"true"`). With a legacy-format hash entry (no `sidecarList`), every
//!   `IS_INJECTED` container counts;
//! - **initContainers** that are injected sidecars by the same rule and either are named as above
//!   (native sidecars, `restartPolicy: Always`) or are plain init containers;
//! - **volumes** that a removed container mounts (`volumeMounts`, `volumeDevices`) and that no
//!   remaining container, init container or ephemeral container references;
//! - the **annotations** `kruise.io/sidecarset-hash`, `-hash-without-image`, `-injected-list`,
//!   `kruise.io/sidecarset-working-hotupgrade-container`, `version.sidecarset.kruise.io/*`,
//!   `versionalt.sidecarset.kruise.io/*` (`util_hotupgrade.go`), and what the controller writes
//!   when it upgrades a pod in place, `kruise.io/sidecarset-inplace-update-state`
//!   (`UpdatePodAnnotationsInUpgrade`);
//! - the pod **condition** `SidecarSetUpgradable` in `status.conditions` (written by the
//!   controller's `updatePodSidecarSetUpgradableCondition`), and `conditions` itself when it
//!   becomes empty (Go omits an empty `conditions`: `json:"conditions,omitempty"`); the rest of
//!   `status` is kept as it is (a `status` left with no key is `{}`, as kubectl prints it);
//! - the `annotations` mapping when it becomes empty (and `metadata` if nothing else is left in
//!   it), and `initContainers` / `volumes` when they become empty.
//!
//! Kruise writes nothing else on a pod for a SidecarSet: no label, no `apps.kruise.io/*`
//! key (those are on SidecarSets and ControllerRevisions); `SIDECARSET_VERSION` and
//! `SIDECARSET_VERSION_ALT` (`setSidecarContainerVersionEnv`) are env vars of the hot-upgrade
//! sidecars, which go whole. `status.containerStatuses` of removed sidecars are the kubelet's, and
//! are kept.
//!
//! What is never removed, because the pod does not tell whether Kruise added it:
//! `imagePullSecrets` (a pod that listed the secret before injection looks exactly the same after
//! it) and `patchPodMetadata` annotations (their keys are user keys). A pod container that Kruise
//! replaced by a same-named sidecar is removed, not restored.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};

use anyhow::Context as _;
use kruise_inject_yaml::chunks::Chunks;
use kruise_inject_yaml::edit::{EditError, Editor, SeqItem};
use kruise_inject_yaml::tree::Node;
use serde_json::Value;

use crate::commands::ExitStatus;
use crate::commands::args::{QuietArg, WalkArgs};
use crate::kruise::decode::string_map_at;
use crate::kruise::inject::{
    INJECTED_LIST_ANNOTATION, IS_INJECTED_ENV, WORKING_CONTAINER_ANNOTATION,
};
use crate::kruise::rollout::annotations::INPLACE_UPDATE_STATE_ANNOTATION;
use crate::kruise::rollout::pod::UPGRADABLE_CONDITION;
use crate::kruise::sidecarset::{HASH_ANNOTATION, HASH_WITHOUT_IMAGE_ANNOTATION};
use crate::kruise::workload::pod_location;
use crate::pipeline::engine::{SPOOL_IN_MEMORY, append_to_stream};
use crate::pipeline::input::{self, Source};
use crate::pipeline::objects::{DocumentError, Object, ParsedFile, PartStart, starts_with_marker};
use crate::pipeline::spool::Spool;
use clap::Args;
use std::path::PathBuf;

/// `kruise-inject uninject`.
#[derive(Debug, Clone, Args)]
#[command(mut_arg("quiet", |a| a.help("Do not print the per-resource report on standard error")))]
pub struct UninjectArgs {
    /// Files or directories to read (directories are walked for .yaml, .yml and .json files in
    /// sorted order); `-` or nothing reads standard input. Every document is written to standard
    /// output once, in input order: with what Kruise injected removed, byte-identical otherwise.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// How directories are walked.
    #[command(flatten)]
    pub walk: WalkArgs,

    /// `-q`.
    #[command(flatten)]
    pub quiet: QuietArg,
}

/// Prefix of the hot-upgrade version annotations.
const VERSION_PREFIX: &str = "version.sidecarset.kruise.io/";
/// Prefix of the hot-upgrade alternate-version annotations.
const VERSION_ALT_PREFIX: &str = "versionalt.sidecarset.kruise.io/";

/// Why a pod cannot be uninjected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UninjectError {
    /// `metadata.annotations` is not a map of strings.
    #[error("metadata.annotations: {0}")]
    Annotations(String),
    /// A Kruise annotation that cannot be read.
    #[error("pod annotation {key} cannot be read ({detail}); fix or remove the annotation")]
    BadAnnotation {
        /// The annotation key.
        key: String,
        /// What is wrong.
        detail: String,
    },
}

/// What to remove from one pod (or pod template). Lists are given as the indices to keep; `None`
/// means unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removal {
    /// Annotation keys to remove, in the pod's order.
    pub annotations: Vec<String>,
    /// Every annotation goes: remove the `annotations` key itself.
    pub annotations_key: bool,
    /// ... and `metadata` too, since nothing else is in it.
    pub metadata_key: bool,
    /// Indices of `spec.initContainers` to keep.
    pub init_containers: Option<Vec<usize>>,
    /// Indices of `spec.containers` to keep.
    pub containers: Option<Vec<usize>>,
    /// Indices of `spec.volumes` to keep.
    pub volumes: Option<Vec<usize>>,
    /// Indices of `status.conditions` to keep (an empty list: remove `conditions`).
    pub conditions: Option<Vec<usize>>,
    /// Names of the removed init containers, containers and volumes (for the report).
    pub removed: Removed,
}

/// Names of what a [`Removal`] removes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Removed {
    /// Init containers.
    pub init_containers: Vec<String>,
    /// Containers.
    pub containers: Vec<String>,
    /// Volumes.
    pub volumes: Vec<String>,
}

impl Removal {
    /// True when nothing is removed.
    pub fn is_empty(&self) -> bool {
        self.annotations.is_empty()
            && self.init_containers.is_none()
            && self.containers.is_none()
            && self.volumes.is_none()
            && self.conditions.is_none()
    }
}

/// Is `key` an annotation that SidecarSet injection writes (other than patchPodMetadata keys)?
pub fn is_kruise_annotation(key: &str) -> bool {
    matches!(
        key,
        HASH_ANNOTATION
            | HASH_WITHOUT_IMAGE_ANNOTATION
            | INJECTED_LIST_ANNOTATION
            | WORKING_CONTAINER_ANNOTATION
            | INPLACE_UPDATE_STATE_ANNOTATION
    ) || key.starts_with(VERSION_PREFIX)
        || key.starts_with(VERSION_ALT_PREFIX)
}

/// `IsInjectedSidecarContainerInPod`: the first `IS_INJECTED` env var has the value `"true"`.
pub fn is_injected_container(container: &Value) -> bool {
    list(container, "env")
        .iter()
        .find(|e| str_field(e, "name") == IS_INJECTED_ENV)
        .is_some_and(|e| str_field(e, "value") == "true")
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn str_field<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The container names the annotations name as injected sidecars, and whether a legacy-format hash
/// entry (without `sidecarList`) leaves the list incomplete.
fn named_sidecars(
    annotations: &BTreeMap<String, String>,
) -> Result<(BTreeSet<String>, bool), UninjectError> {
    let mut names = BTreeSet::new();
    let mut legacy = false;
    let bad = |key: &str, detail: String| UninjectError::BadAnnotation {
        key: key.to_owned(),
        detail,
    };
    for key in [HASH_ANNOTATION, HASH_WITHOUT_IMAGE_ANNOTATION] {
        let Some(text) = annotations.get(key).filter(|t| !t.is_empty()) else {
            continue;
        };
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => {
                for entry in map.values() {
                    match entry.get("sidecarList") {
                        Some(Value::Array(items)) => {
                            names.extend(items.iter().filter_map(Value::as_str).map(str::to_owned));
                        }
                        _ => legacy = true,
                    }
                }
            }
            Ok(Value::Null) => {}
            Ok(other) => return Err(bad(key, format!("expected a JSON object, found {other}"))),
            Err(err) => return Err(bad(key, format!("invalid JSON: {err}"))),
        }
    }
    if let Some(text) = annotations.get(WORKING_CONTAINER_ANNOTATION)
        && let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text)
    {
        for (name, working) in &map {
            names.insert(format!("{name}-1"));
            names.insert(format!("{name}-2"));
            if let Some(w) = working.as_str() {
                names.insert(w.to_owned());
            }
        }
    }
    for key in annotations.keys() {
        if let Some(name) = key
            .strip_prefix(VERSION_PREFIX)
            .or_else(|| key.strip_prefix(VERSION_ALT_PREFIX))
        {
            names.insert(name.to_owned());
        }
    }
    Ok((names, legacy))
}

/// The indices of `status.conditions` to keep when the `SidecarSetUpgradable` condition goes
/// (`sidecarset_processor.go: updatePodSidecarSetUpgradableCondition`, v1.9); `None` without one.
fn upgradable_condition(pod: &Value) -> Option<Vec<usize>> {
    let conditions = pod.pointer("/status/conditions")?.as_array()?;
    let keep: Vec<usize> = conditions
        .iter()
        .enumerate()
        .filter(|(_, c)| str_field(c, "type") != UPGRADABLE_CONDITION)
        .map(|(i, _)| i)
        .collect();
    (keep.len() != conditions.len()).then_some(keep)
}

/// The names of the volumes a container mounts or uses as devices.
fn volume_refs(container: &Value) -> impl Iterator<Item = &str> {
    list(container, "volumeMounts")
        .iter()
        .chain(list(container, "volumeDevices"))
        .map(|m| str_field(m, "name"))
}

/// Computes what to remove from `pod` (a Pod, or a pod template: `metadata` and `spec`).
pub fn plan(pod: &Value) -> Result<Removal, UninjectError> {
    let annotations =
        string_map_at(pod, "/metadata/annotations").map_err(UninjectError::Annotations)?;
    let mut removal = Removal {
        annotations: annotations
            .keys()
            .filter(|k| is_kruise_annotation(k))
            .cloned()
            .collect(),
        conditions: upgradable_condition(pod),
        ..Removal::default()
    };
    if removal.annotations.is_empty() {
        return Ok(removal);
    }
    // keep the pod's order of the keys (serde_json preserves it)
    if let Some(Value::Object(map)) = pod.pointer("/metadata/annotations") {
        removal.annotations = map
            .keys()
            .filter(|k| is_kruise_annotation(k))
            .cloned()
            .collect();
        removal.annotations_key = removal.annotations.len() == map.len();
        removal.metadata_key = removal.annotations_key
            && pod
                .get("metadata")
                .and_then(Value::as_object)
                .is_some_and(|m| m.len() == 1);
    }
    let (names, legacy) = named_sidecars(&annotations)?;
    let spec = pod.get("spec").unwrap_or(&Value::Null);
    let named = |c: &Value| legacy || names.contains(str_field(c, "name"));

    let mut removed_refs: BTreeSet<&str> = BTreeSet::new();
    let mut kept_refs: BTreeSet<&str> = BTreeSet::new();
    let mut split = |key: &str, remove: &dyn Fn(&Value) -> bool, out: &mut Vec<String>| {
        let items = list(spec, key);
        let mut keep = Vec::new();
        for (i, c) in items.iter().enumerate() {
            if is_injected_container(c) && remove(c) {
                out.push(str_field(c, "name").to_owned());
                removed_refs.extend(volume_refs(c));
            } else {
                keep.push(i);
                kept_refs.extend(volume_refs(c));
            }
        }
        (keep.len() != items.len()).then_some(keep)
    };
    removal.init_containers = split(
        "initContainers",
        &|c| str_field(c, "restartPolicy") != "Always" || named(c),
        &mut removal.removed.init_containers,
    );
    removal.containers = split("containers", &named, &mut removal.removed.containers);
    kept_refs.extend(
        list(spec, "ephemeralContainers")
            .iter()
            .flat_map(volume_refs),
    );

    let volumes = list(spec, "volumes");
    let mut keep = Vec::new();
    for (i, v) in volumes.iter().enumerate() {
        let name = str_field(v, "name");
        if removed_refs.contains(name) && !kept_refs.contains(name) {
            removal.removed.volumes.push(name.to_owned());
        } else {
            keep.push(i);
        }
    }
    removal.volumes = (keep.len() != volumes.len()).then_some(keep);
    Ok(removal)
}

/// Applies a removal to the pod (or template) node.
pub fn apply(editor: &mut Editor<'_>, node: &Node, removal: &Removal) -> Result<(), EditError> {
    if !removal.annotations.is_empty() {
        if removal.metadata_key {
            editor.remove_entries(node, &[], &["metadata"])?;
        } else if removal.annotations_key {
            editor.remove_entries(node, &["metadata"], &["annotations"])?;
        } else {
            let keys: Vec<&str> = removal.annotations.iter().map(String::as_str).collect();
            editor.remove_entries(node, &["metadata", "annotations"], &keys)?;
        }
    }
    let mut empty_keys = Vec::new();
    for (key, keep) in [
        ("initContainers", &removal.init_containers),
        ("containers", &removal.containers),
        ("volumes", &removal.volumes),
    ] {
        let Some(keep) = keep else { continue };
        if keep.is_empty() && key != "containers" {
            empty_keys.push(key);
        } else {
            let items: Vec<SeqItem> = keep.iter().map(|i| SeqItem::Keep(*i)).collect();
            editor.edit_sequence(node, &["spec", key], &items)?;
        }
    }
    if !empty_keys.is_empty() {
        editor.remove_entries(node, &["spec"], &empty_keys)?;
    }
    match &removal.conditions {
        Some(keep) if keep.is_empty() => {
            editor.remove_entries(node, &["status"], &["conditions"])?;
        }
        Some(keep) => {
            let items: Vec<SeqItem> = keep.iter().map(|i| SeqItem::Keep(*i)).collect();
            editor.edit_sequence(node, &["status", "conditions"], &items)?;
        }
        None => {}
    }
    Ok(())
}

/// One line of the report: where, what, and what was removed.
fn report_line(object: &Object<'_>, removal: &Removal) -> String {
    let mut parts = Vec::new();
    let r = &removal.removed;
    for (what, names) in [
        ("containers", &r.containers),
        ("init containers", &r.init_containers),
        ("volumes", &r.volumes),
    ] {
        if !names.is_empty() {
            parts.push(format!("{what} {}", names.join(", ")));
        }
    }
    parts.push(format!("{} annotations", removal.annotations.len()));
    if removal.conditions.is_some() {
        parts.push(format!("condition {UPGRADABLE_CONDITION}"));
    }
    format!(
        "{}:{}: {}: removed {}",
        object.location.file,
        object.location.line,
        object.display_name("default"),
        parts.join("; ")
    )
}

/// A file with what Kruise injected removed, and one report line per changed pod or workload.
pub fn uninject_file(file: &ParsedFile) -> Result<(String, Vec<String>), DocumentError> {
    uninject_ranked(file).map_err(|(_, e)| e)
}

/// What went wrong with a file, in the order [`uninject_file`] of the whole file meets it: it reads
/// every object first, then plans every removal, then edits. Of a file read in parts, the error
/// reported is the first of the lowest rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Objects,
    Plan,
    Edit,
}

fn uninject_ranked(file: &ParsedFile) -> Result<(String, Vec<String>), (Rank, DocumentError)> {
    let objects = file.objects().map_err(|e| (Rank::Objects, e))?;
    let mut edits: BTreeMap<usize, Vec<(&Node, Removal)>> = BTreeMap::new();
    let mut reports = Vec::new();
    for object in &objects {
        let Some(location) = pod_location(object.api_version(), object.kind()) else {
            continue;
        };
        let path: &[&str] = location.path(|p| object.node.at(p).is_some());
        let (Some(node), Some(pod)) = (
            object.node.at(path),
            path.iter().try_fold(&object.value, |v, k| v.get(k)),
        ) else {
            continue;
        };
        let removal = plan(pod).map_err(|e| (Rank::Plan, object.error_below(path, e)))?;
        if removal.is_empty() {
            continue;
        }
        reports.push(report_line(object, &removal));
        edits
            .entry(object.document)
            .or_default()
            .push((node, removal));
    }
    let text = file
        .edit(&edits, None, apply, |original, mut edited| {
            // removing the last lines of a file without a final line break leaves the line break
            // of the line before them: drop it
            if !original.ends_with('\n') && !original.is_empty() {
                let kept = edited
                    .strip_suffix("\r\n")
                    .or_else(|| edited.strip_suffix('\n'))
                    .map(str::len);
                if let Some(len) = kept {
                    edited.truncate(len);
                }
            }
            edited
        })
        .map_err(|e| (Rank::Edit, e))?;
    Ok((text, reports))
}

/// A file is read, parsed and uninjected in parts of whole documents at least this long, so that
/// a long stream (the output of `render`, a `kubectl get -o yaml`) is never one tree in memory.
const PART_LEN: usize = 64 << 10;

/// Uninjects `source` a few documents at a time ([`Chunks`]): `write` gets the output in order,
/// and the report lines are returned. Output and errors are those of [`uninject_file`] of the
/// whole file: a part is cut only where the whole file has a document boundary, and after an
/// error the rest is still read for a worse one (a bad byte, invalid YAML, an object that cannot
/// be read) that the whole file would have reported instead.
fn uninject_source(
    source: &Source,
    write: &mut dyn FnMut(String) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<String>> {
    let name = source.to_string();
    let io_error = |error| input::InputError::Io {
        path: name.clone(),
        error,
    };
    let reader: Box<dyn BufRead> = match source {
        Source::Stdin => {
            input::note_if_terminal("manifests");
            Box::new(std::io::stdin().lock())
        }
        Source::File(path) => Box::new(BufReader::new(File::open(path).map_err(io_error)?)),
    };
    uninject_parts(&name, reader, PART_LEN, write)
}

/// [`uninject_source`] of the text of `reader`, named `name`, in parts of at least `part_len`
/// bytes.
fn uninject_parts(
    name: &str,
    reader: impl BufRead,
    part_len: usize,
    write: &mut dyn FnMut(String) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<String>> {
    let io_error = |error| input::InputError::Io {
        path: name.to_owned(),
        error,
    };
    let mut parts = Chunks::new(reader, part_len);
    let mut reports = Vec::new();
    let mut failed: Option<(Rank, DocumentError)> = None;
    let mut start = PartStart::default();
    while let Some(part) = parts.next() {
        let part = part.map_err(io_error)?;
        let text = part_text(part.bytes, name, part.first_line)?;
        if part.first_line == 0 {
            start.file_starts_with_marker = starts_with_marker(&text);
        }
        start.line = part.first_line;
        start.markers = part.markers_before;
        let file = match ParsedFile::parse_part(name.to_owned(), text.clone(), start) {
            Ok(file) => file,
            Err(err) => {
                // The whole file's error: a part cut inside malformed YAML (an unclosed quote
                // before a `---` line) can fail differently, so this part and the rest are parsed
                // as one, after the rest is checked for bytes that are not UTF-8.
                let mut bytes = text.into_bytes();
                if let Some(rest) = parts.rest().map_err(io_error)? {
                    bytes.extend_from_slice(&rest.bytes);
                }
                let text = part_text(bytes, name, start.line)?;
                let whole = ParsedFile::parse_part(name.to_owned(), text, start);
                return Err(whole.err().unwrap_or(err).into());
            }
        };
        start.document += file.documents.len();
        match uninject_ranked(&file) {
            Ok((text, lines)) if failed.is_none() => {
                write(text)?;
                reports.extend(lines);
            }
            Ok(_) => {}
            Err((rank, err)) => {
                if failed.as_ref().is_none_or(|(worst, _)| rank < *worst) {
                    failed = Some((rank, err));
                }
            }
        }
    }
    match failed {
        Some((_, err)) => Err(err.into()),
        None => Ok(reports),
    }
}

/// A part's bytes as text; a bad byte is named at its line in the file.
fn part_text(bytes: Vec<u8>, name: &str, first_line: usize) -> Result<String, input::InputError> {
    input::text(bytes, name).map_err(|err| match err {
        input::InputError::NotUtf8 { path, line } => input::InputError::NotUtf8 {
            path,
            line: first_line + line,
        },
        other => other,
    })
}

/// Runs `uninject`: the whole output, or an error (exit 2, nothing on stdout). Each input is read
/// and written a few documents at a time.
pub fn run(args: &UninjectArgs) -> anyhow::Result<ExitStatus> {
    let expanded = args.walk.walk()?.expand(&args.paths)?;
    let mut reports = expanded.skip_lines();
    let sources = expanded.sources;
    let mut out = Spool::for_stdout(SPOOL_IN_MEMORY, input::paths(&sources, &[]));
    let mut last_byte = None;
    for (i, source) in sources.iter().enumerate() {
        let mut started = false;
        let lines = uninject_source(source, &mut |text| {
            if text.is_empty() {
                return Ok(());
            }
            if started {
                last_byte = text.as_bytes().last().copied();
                out.push(text.into_bytes())
            } else {
                started = true;
                append_to_stream(&mut out, text, i == 0, &mut last_byte)
            }
            .context("writing the output buffer")
        })
        .map_err(|e| crate::pipeline::engine::name_broken_files(e, &sources))?;
        reports.extend(lines);
    }
    let mut stdout = std::io::stdout().lock();
    out.copy_to(&mut stdout).context("writing stdout")?;
    stdout.flush().context("writing stdout")?;
    if !args.quiet.quiet {
        let mut stderr = std::io::stderr().lock();
        for line in reports {
            let _ = writeln!(stderr, "{line}");
        }
    }
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sidecar(name: &str, mounts: &[&str]) -> Value {
        json!({
            "name": name,
            "env": [{"name": "IS_INJECTED", "value": "true"}],
            "volumeMounts": mounts.iter().map(|m| json!({"name": m, "mountPath": "/x"})).collect::<Vec<_>>(),
        })
    }

    fn hash(entries: &[(&str, &[&str])]) -> String {
        let map: serde_json::Map<String, Value> = entries
            .iter()
            .map(|(ss, list)| {
                (
                    (*ss).to_owned(),
                    json!({"hash": "h", "sidecarSetName": ss, "sidecarList": list}),
                )
            })
            .collect();
        Value::Object(map).to_string()
    }

    #[test]
    fn sidecars_named_by_the_annotations_and_their_own_volumes_go() -> Result<(), UninjectError> {
        let pod = json!({
            "metadata": {"name": "p", "annotations": {
                "mine": "1",
                HASH_ANNOTATION: hash(&[("ss", &["log"])]),
                INJECTED_LIST_ANNOTATION: "ss",
            }},
            "spec": {
                "containers": [sidecar("log", &["varlog", "shared"]), {"name": "app", "volumeMounts": [{"name": "shared"}]}, sidecar("other", &[])],
                "ephemeralContainers": [{"name": "debug", "volumeDevices": [{"name": "dev"}]}],
                "volumes": [{"name": "shared"}, {"name": "varlog"}, {"name": "dev"}],
            }
        });
        let r = plan(&pod)?;
        assert_eq!(r.annotations, [HASH_ANNOTATION, INJECTED_LIST_ANNOTATION]);
        assert!(!r.annotations_key);
        assert_eq!(r.containers, Some(vec![1, 2]), "'other' is not named: kept");
        assert_eq!(r.volumes, Some(vec![0, 2]));
        assert_eq!(r.removed.volumes, ["varlog"]);
        assert_eq!(r.init_containers, None);
        Ok(())
    }

    #[test]
    fn plain_init_containers_native_sidecars_and_hot_upgrade() -> Result<(), UninjectError> {
        let mut native = sidecar("native", &["a"]);
        native["restartPolicy"] = json!("Always");
        let mut user_native = json!({"name": "mine", "restartPolicy": "Always"});
        user_native["env"] = json!([{"name": "IS_INJECTED", "value": "false"}, {"name": "IS_INJECTED", "value": "true"}]);
        let pod = json!({
            "metadata": {"annotations": {
                HASH_ANNOTATION: hash(&[("a", &["native", "hot"]), ("b", &[])]),
                WORKING_CONTAINER_ANNOTATION: "{\"hot\":\"hot-1\"}",
                "version.sidecarset.kruise.io/hot-1": "1",
                "versionalt.sidecarset.kruise.io/hot-2": "1",
            }},
            "spec": {
                "initContainers": [sidecar("plain", &[]), native, user_native],
                "containers": [sidecar("hot-1", &["a"]), sidecar("hot-2", &["a"]), {"name": "app"}],
                "volumes": [{"name": "a"}],
            }
        });
        let r = plan(&pod)?;
        assert!(r.annotations_key && r.metadata_key);
        assert_eq!(r.init_containers, Some(vec![2]));
        assert_eq!(r.containers, Some(vec![2]));
        assert_eq!(r.volumes, Some(vec![]));
        assert_eq!(r.removed.init_containers, ["plain", "native"]);
        Ok(())
    }

    #[test]
    fn legacy_entries_remove_every_injected_container_and_bad_annotations_fail() {
        let pod = json!({
            "metadata": {"annotations": {HASH_ANNOTATION: "{\"ss\":\"abc\"}"}},
            "spec": {"containers": [sidecar("x", &[]), {"name": "app"}]}
        });
        assert_eq!(plan(&pod).ok().and_then(|r| r.containers), Some(vec![1]));
        let pod = json!({"metadata": {"annotations": {HASH_ANNOTATION: "{"}}});
        assert!(matches!(
            plan(&pod),
            Err(UninjectError::BadAnnotation { .. })
        ));
        let pod = json!({"metadata": {"annotations": {"a": 1}}});
        assert!(matches!(plan(&pod), Err(UninjectError::Annotations(_))));
    }

    #[test]
    fn pods_without_kruise_annotations_are_left_alone() {
        let pod =
            json!({"spec": {"containers": [sidecar("x", &["v"])], "volumes": [{"name": "v"}]}});
        assert_eq!(plan(&pod).ok(), Some(Removal::default()));
    }

    #[test]
    fn the_in_place_update_state_and_the_upgradable_condition_go() -> Result<(), UninjectError> {
        let state = r#"{"ss":{"revision":"h","updateTimestamp":"2024-06-03T09:15:00Z","lastContainerStatuses":{"s":{"imageID":"img@sha256:1"}}}}"#;
        let condition = json!({"type": "SidecarSetUpgradable", "status": "True",
            "reason": "AllSidecarsetUpgradable", "message": "{\"ss\":true}", "lastProbeTime": null});
        let pod = json!({
            "metadata": {"annotations": {
                HASH_ANNOTATION: hash(&[("ss", &["s"])]),
                INPLACE_UPDATE_STATE_ANNOTATION: state,
            }},
            "spec": {"containers": [sidecar("s", &[]), {"name": "app"}]},
            "status": {"phase": "Running", "conditions": [
                {"type": "Ready", "status": "True"}, condition, {"type": "PodScheduled", "status": "True"},
            ]},
        });
        let r = plan(&pod)?;
        assert_eq!(
            r.annotations,
            [HASH_ANNOTATION, INPLACE_UPDATE_STATE_ANNOTATION]
        );
        assert!(r.annotations_key);
        assert_eq!(r.conditions, Some(vec![0, 2]));
        // a pod whose only Kruise trace is the condition (its annotations removed by hand) loses it
        let pod = json!({"status": {"conditions": [condition]}});
        let r = plan(&pod)?;
        assert_eq!(r.conditions, Some(vec![]), "conditions becomes empty");
        assert!(!r.is_empty());
        // other conditions, and a workload's template (which has no status), are left alone
        let pod = json!({"status": {"conditions": [{"type": "Ready"}]}});
        assert_eq!(plan(&pod)?, Removal::default());
        Ok(())
    }

    #[test]
    fn an_empty_conditions_list_goes_and_the_rest_of_status_stays()
    -> Result<(), Box<dyn std::error::Error>> {
        let condition = "  - lastProbeTime: null\n    lastTransitionTime: \"2024-06-03T09:15:00Z\"\n    message: '{\"ss\":true}'\n    reason: AllSidecarsetUpgradable\n    status: \"True\"\n    type: SidecarSetUpgradable\n";
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app\nstatus:\n";
        // Go omits an empty `conditions` (omitempty); a status left with no field prints as `{}`
        for (status, want) in [
            (
                format!("  conditions:\n{condition}  phase: Running\n"),
                "  phase: Running\n",
            ),
            (format!("  conditions:\n{condition}"), ""),
            (
                format!(
                    "  conditions:\n  - status: \"True\"\n    type: Ready\n{condition}  phase: Running # live\n"
                ),
                "  conditions:\n  - status: \"True\"\n    type: Ready\n  phase: Running # live\n",
            ),
        ] {
            let file = ParsedFile::parse("f.yaml".into(), format!("{pod}{status}"))?;
            let (out, reports) = uninject_file(&file)?;
            let want = if want.is_empty() {
                format!("{}status: {{}}\n", pod.trim_end_matches("status:\n"))
            } else {
                format!("{pod}{want}")
            };
            assert_eq!(out, want);
            assert_eq!(
                reports,
                [
                    "f.yaml:1: v1 Pod default/p: removed 0 annotations; condition SidecarSetUpgradable"
                ]
            );
        }
        Ok(())
    }

    #[test]
    fn uninject_file_splices_the_removal() -> Result<(), Box<dyn std::error::Error>> {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    kruise.io/sidecarset-injected-list: ss\n    kruise.io/sidecarset-hash: '{\"ss\":{\"sidecarList\":[\"s\"]}}'\nspec:\n  containers:\n  - name: s\n    env:\n    - name: IS_INJECTED\n      value: \"true\"\n    volumeMounts:\n    - name: v\n      mountPath: /v\n  - name: app # mine\n  volumes:\n  - name: v\n    emptyDir: {}\n---\nkind: ConfigMap\napiVersion: v1\n";
        let file = ParsedFile::parse("f.yaml".into(), text.into())?;
        let (out, reports) = uninject_file(&file)?;
        assert_eq!(
            out,
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: app # mine\n---\nkind: ConfigMap\napiVersion: v1\n"
        );
        assert_eq!(
            reports,
            ["f.yaml:1: v1 Pod default/p: removed containers s; volumes v; 2 annotations"]
        );
        Ok(())
    }

    /// [`uninject_parts`] with every possible cut, as text and report lines, or the error.
    fn in_parts(text: &str, part_len: usize) -> Result<(String, Vec<String>), String> {
        let mut out = String::new();
        let reports = uninject_parts("f.yaml", text.as_bytes(), part_len, &mut |t| {
            out.push_str(&t);
            Ok(())
        })
        .map_err(|e| format!("{e:#}"))?;
        Ok((out, reports))
    }

    fn whole(text: &str) -> Result<(String, Vec<String>), String> {
        ParsedFile::parse("f.yaml".into(), text.into())
            .and_then(|file| uninject_file(&file))
            .map_err(|e| format!("{e:#}"))
    }

    #[test]
    fn a_stream_in_parts_is_uninjected_as_a_whole_with_the_same_errors() {
        let pod = |name: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  annotations:\n    kruise.io/sidecarset-hash: '{{\"ss\":{{\"sidecarList\":[\"s\"]}}}}'\nspec:\n  containers:\n  - name: s\n    env:\n    - name: IS_INJECTED\n      value: \"true\"\n  - name: app\n"
            )
        };
        let bad_plan = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\n  annotations:\n    kruise.io/sidecarset-hash: '{'\n";
        let no_kind = "apiVersion: v1\nmetadata:\n  name: nokind\n";
        let bad_yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: 'open\n";
        let cases: Vec<Vec<String>> = vec![
            vec![pod("a"), pod("b"), "# only a comment\n".into(), pod("c")],
            vec![pod("a"), bad_plan.into(), pod("b")],
            vec![
                pod("a"),
                bad_plan.into(),
                pod("b"),
                no_kind.into(),
                pod("c"),
            ],
            vec![pod("a"), no_kind.into(), bad_plan.into()],
            vec![pod("a"), bad_plan.into(), bad_yaml.into(), pod("b")],
            vec![pod("a"), bad_yaml.into(), pod("b")],
        ];
        for docs in cases {
            for lead in ["", "---\n", "# head\n---\n"] {
                let text = format!("{lead}{}", docs.join("---\n"));
                let want = whole(&text);
                for part_len in [0, 1, 200, 100_000] {
                    assert_eq!(
                        in_parts(&text, part_len),
                        want,
                        "{text}\n(part_len {part_len})"
                    );
                }
            }
        }
        // a bad byte after a bad plan is what the whole file reports
        let mut bytes = format!("{}---\n{bad_plan}---\n", pod("a")).into_bytes();
        bytes.extend_from_slice(b"kind: \xff\n");
        let mut out = Vec::new();
        let err = uninject_parts("f.yaml", bytes.as_slice(), 0, &mut |t| {
            out.push(t);
            Ok(())
        });
        let want = input::text(bytes.clone(), "f.yaml")
            .err()
            .map(|e| e.to_string());
        assert_eq!(err.map_err(|e| e.to_string()).err(), want);
        assert!(want.is_some_and(|w| w.contains("line 22")));
    }
}
