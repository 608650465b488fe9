//! `kruise-inject health`: Argo CD's health of SidecarSets read with their `status` (as
//! `kubectl get sidecarset -o yaml` prints them), and a corrected Argo CD health check.
//!
//! The health check of OpenKruise's Argo CD guide (`testdata/filebeat-sidecarset/argocd-health-cm.yaml`)
//! compares `status.updatedPods` with `spec.matchedPods`, a field that does not exist (Lua then
//! fails comparing a number with nil), and fails on a SidecarSet without `spec.updateStrategy`.
//! [`health`] is the check it intends (`calculateStatus`: `status.matchedPods`, `updatedPods`,
//! `updatedReadyPods`, `observedGeneration`), and [`ARGOCD_HEALTH_LUA`] is that check in Lua, for
//! `argocd-cm`: the two are tested to agree on every fixture by running the Lua.

use std::fmt;
use std::io::Write;

use anyhow::Context as _;

use serde::Serialize;
use serde_json::Value;

use crate::commands::ExitStatus;
use crate::commands::args::{FormatArg, WalkArgs};
use crate::pipeline::input;
use crate::pipeline::objects::ParsedFile;
use crate::pipeline::report;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// `kruise-inject health`.
#[derive(Debug, Clone, Args)]
pub struct HealthArgs {
    /// Files or directories holding SidecarSets with their status (`kubectl get sidecarset -o
    /// yaml`, a `kind: List` included); `-` or nothing reads standard input. Other kinds are
    /// ignored. Exit 0: all Healthy, 1: any Progressing or Suspended, 2: error.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// How directories are walked.
    #[command(flatten)]
    pub walk: WalkArgs,

    /// Print an `argocd-cm` ConfigMap with the corrected SidecarSet health check (Lua) instead of
    /// checking anything.
    #[arg(long, conflicts_with = "paths")]
    pub argocd_config: bool,

    /// `-o`.
    #[command(flatten)]
    pub output: FormatArg<HealthFormat>,
}

/// `health -o`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum HealthFormat {
    /// `NAME: STATUS: message`, one line per SidecarSet.
    #[default]
    Text,
    /// A JSON array of `{"file", "line", "name", "status", "message"}`.
    Json,
}

/// Argo CD health statuses a SidecarSet can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every matched pod runs the current sidecars and is ready.
    Healthy,
    /// A rollout is under way (or the controller has not reported yet).
    Progressing,
    /// `spec.updateStrategy.paused`.
    Suspended,
}

impl Status {
    /// The Argo CD name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Healthy => "Healthy",
            Status::Progressing => "Progressing",
            Status::Suspended => "Suspended",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A health status and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// The status.
    pub status: Status,
    /// Why.
    pub message: String,
}

/// The message of a SidecarSet that is paused.
pub const SUSPENDED_MESSAGE: &str = "SidecarSet is Suspended";

/// A numeric field, 0 when missing or not a number.
fn num(value: &Value, pointer: &str) -> f64 {
    value
        .pointer(pointer)
        .and_then(Value::as_f64)
        .unwrap_or(0.0)
}

/// A count as Lua prints it (integers without a fraction).
fn count(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Argo CD's health of a SidecarSet (the intended check of the OpenKruise guide):
/// `spec.updateStrategy.paused` → Suspended; no `status` → Progressing; `status.observedGeneration`
/// below `metadata.generation`, `updatedPods` below `matchedPods`, or `updatedReadyPods` below
/// `updatedPods` → Progressing; else Healthy. Missing numbers count as 0.
pub fn health(sidecarset: &Value) -> Health {
    let progressing = |message: String| Health {
        status: Status::Progressing,
        message,
    };
    if sidecarset.pointer("/spec/updateStrategy/paused") == Some(&Value::Bool(true)) {
        return Health {
            status: Status::Suspended,
            message: SUSPENDED_MESSAGE.to_owned(),
        };
    }
    let Some(status) = sidecarset.get("status").filter(|s| !s.is_null()) else {
        return progressing("Waiting for sidecarSet".to_owned());
    };
    let generation = num(sidecarset, "/metadata/generation");
    let observed = num(status, "/observedGeneration");
    let matched = num(status, "/matchedPods");
    let updated = num(status, "/updatedPods");
    let updated_ready = num(status, "/updatedReadyPods");
    if observed < generation {
        return progressing(format!(
            "Waiting for rollout to finish: observed generation {} is less than generation {}",
            count(observed),
            count(generation)
        ));
    }
    if updated < matched {
        return progressing(format!(
            "Waiting for rollout to finish: {} of {} matched pods updated",
            count(updated),
            count(matched)
        ));
    }
    if updated_ready < updated {
        return progressing(format!(
            "Waiting for rollout to finish: {} of {} updated pods ready",
            count(updated_ready),
            count(updated)
        ));
    }
    Health {
        status: Status::Healthy,
        message: format!(
            "{} of {} matched pods updated and ready",
            count(updated_ready),
            count(matched)
        ),
    }
}

/// The Argo CD health check of [`health`], in Lua (Argo CD's `resource.customizations.health.*`
/// body: `obj` is the resource, the value returned is `{status, message}`).
pub const ARGOCD_HEALTH_LUA: &str = r#"hs = {}
-- missing or non-numeric fields count as 0
local function num(v)
  if type(v) == "number" then
    return v
  end
  return 0
end
local function count(v)
  if v == math.floor(v) then
    return string.format("%d", v)
  end
  return tostring(v)
end

-- paused (updateStrategy may be absent)
if obj.spec ~= nil and obj.spec.updateStrategy ~= nil and obj.spec.updateStrategy.paused == true then
  hs.status = "Suspended"
  hs.message = "SidecarSet is Suspended"
  return hs
end

if obj.status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for sidecarSet"
  return hs
end

local generation = 0
if obj.metadata ~= nil then
  generation = num(obj.metadata.generation)
end
local observed = num(obj.status.observedGeneration)
local matched = num(obj.status.matchedPods)
local updated = num(obj.status.updatedPods)
local updatedReady = num(obj.status.updatedReadyPods)

if observed < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for rollout to finish: observed generation " .. count(observed) .. " is less than generation " .. count(generation)
  return hs
end
if updated < matched then
  hs.status = "Progressing"
  hs.message = "Waiting for rollout to finish: " .. count(updated) .. " of " .. count(matched) .. " matched pods updated"
  return hs
end
if updatedReady < updated then
  hs.status = "Progressing"
  hs.message = "Waiting for rollout to finish: " .. count(updatedReady) .. " of " .. count(updated) .. " updated pods ready"
  return hs
end

hs.status = "Healthy"
hs.message = count(updatedReady) .. " of " .. count(matched) .. " matched pods updated and ready"
return hs
"#;

/// The `argocd-cm` ConfigMap of the OpenKruise guide, with [`ARGOCD_HEALTH_LUA`] as the
/// SidecarSet health check (merge its `data` key into your `argocd-cm`).
pub fn argocd_config() -> String {
    let mut out = String::from(
        "apiVersion: v1\n\
         kind: ConfigMap\n\
         metadata:\n  \
           labels:\n    \
             app.kubernetes.io/name: argocd-cm\n    \
             app.kubernetes.io/part-of: argocd\n  \
           name: argocd-cm\n  \
           namespace: argocd\n\
         data:\n  \
           resource.customizations.health.apps.kruise.io_SidecarSet: |\n",
    );
    for line in ARGOCD_HEALTH_LUA.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str("    ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// One SidecarSet's health, with where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// `metadata.name`.
    pub name: String,
    /// Its health.
    pub health: Health,
}

/// The SidecarSets of a parsed file (documents and `List` items; other kinds ignored) and their
/// health.
pub fn file_health(
    file: &ParsedFile,
) -> Result<Vec<Entry>, crate::pipeline::objects::DocumentError> {
    Ok(file
        .objects()?
        .iter()
        .filter(|o| {
            o.kind() == "SidecarSet"
                && crate::kruise::workload::group(o.api_version()) == "apps.kruise.io"
        })
        .map(|o| Entry {
            file: o.location.file.clone(),
            line: o.location.line,
            name: o.name().to_owned(),
            health: health(&o.value),
        })
        .collect())
}

/// The report: text lines or a JSON array.
pub fn format(entries: &[Entry], format: HealthFormat) -> String {
    match format {
        HealthFormat::Text => entries
            .iter()
            .map(|e| {
                let name = if e.name.is_empty() {
                    "<unnamed>"
                } else {
                    &e.name
                };
                format!("{name}: {}: {}\n", e.health.status, e.health.message)
            })
            .collect(),
        HealthFormat::Json => report::json(
            &entries
                .iter()
                .map(|e| HealthJson {
                    file: &e.file,
                    line: e.line,
                    name: &e.name,
                    status: e.health.status.as_str(),
                    message: &e.health.message,
                })
                .collect::<Vec<_>>(),
        ),
    }
}

/// `health -o json`: an array with one of these per SidecarSet, in input order (the contract).
#[derive(Debug, Serialize)]
pub struct HealthJson<'a> {
    /// The file the SidecarSet is in.
    pub file: &'a str,
    /// Its line there.
    pub line: usize,
    /// `metadata.name` (empty when it has none).
    pub name: &'a str,
    /// `Healthy`, `Progressing` or `Suspended`, as Argo CD's health check says.
    pub status: &'static str,
    /// Why, in Argo CD's words.
    pub message: &'a str,
}

/// Runs `health`: exit 0 if every SidecarSet is Healthy, 1 otherwise; an error (exit 2) for bad
/// input or when the input holds no SidecarSet.
pub fn run(args: &HealthArgs) -> anyhow::Result<ExitStatus> {
    if args.argocd_config {
        crate::pipeline::spool::to_stdout(|stdout| stdout.write_all(argocd_config().as_bytes()))
            .context("writing stdout")?;
        return Ok(ExitStatus::Success);
    }
    let expanded = args.walk.walk()?.expand(&args.paths)?;
    crate::pipeline::engine::print_reports(&expanded.skip_lines());
    let sources = expanded.sources;
    let mut entries = Vec::new();
    for source in &sources {
        let health = input::read(source)
            .map_err(anyhow::Error::from)
            .and_then(|text| Ok(ParsedFile::parse(source.to_string(), text)?))
            .and_then(|file| Ok(file_health(&file)?))
            .map_err(|e| crate::pipeline::engine::name_broken_files(e, &sources))?;
        entries.extend(health);
    }
    if entries.is_empty() {
        anyhow::bail!(
            "no SidecarSet (apps.kruise.io) in the input: give the output of `kubectl get sidecarset -o yaml`"
        );
    }
    crate::pipeline::spool::to_stdout(|stdout| {
        stdout.write_all(format(&entries, args.output.output).as_bytes())
    })
    .context("writing stdout")?;
    let all_healthy = entries.iter().all(|e| e.health.status == Status::Healthy);
    Ok(ExitStatus::findings_if(!all_healthy))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn status_of(v: Value) -> (Status, String) {
        let h = health(&v);
        (h.status, h.message)
    }

    #[test]
    fn the_guide_cases() {
        let paused = json!({"spec": {"updateStrategy": {"paused": true}}, "status": {}});
        assert_eq!(status_of(paused).0, Status::Suspended);
        assert_eq!(
            status_of(json!({"spec": {}})),
            (Status::Progressing, "Waiting for sidecarSet".into())
        );
        let lagging = json!({"metadata": {"generation": 3}, "status": {"observedGeneration": 2}});
        assert_eq!(
            status_of(lagging).1,
            "Waiting for rollout to finish: observed generation 2 is less than generation 3"
        );
        let rolling = json!({"spec": {}, "status": {"matchedPods": 3, "updatedPods": 1}});
        assert_eq!(
            status_of(rolling).1,
            "Waiting for rollout to finish: 1 of 3 matched pods updated"
        );
        let unready =
            json!({"status": {"matchedPods": 2, "updatedPods": 2, "updatedReadyPods": 1}});
        assert_eq!(
            status_of(unready).1,
            "Waiting for rollout to finish: 1 of 2 updated pods ready"
        );
        let healthy = json!({"metadata": {"generation": 2}, "spec": {"updateStrategy": {"paused": false}},
            "status": {"observedGeneration": 2, "matchedPods": 2, "updatedPods": 2, "updatedReadyPods": 2}});
        assert_eq!(
            status_of(healthy),
            (
                Status::Healthy,
                "2 of 2 matched pods updated and ready".into()
            )
        );
        // spec.matchedPods (the guide's typo) is not what counts; missing numbers are 0
        let typo = json!({"spec": {"matchedPods": 5}, "status": {"matchedPods": "x"}});
        assert_eq!(status_of(typo).0, Status::Healthy);
    }

    #[test]
    fn the_config_map_embeds_the_lua_verbatim() -> Result<(), Box<dyn std::error::Error>> {
        let text = argocd_config();
        let file = ParsedFile::parse("argocd-cm".into(), text)?;
        let objects = file.objects()?;
        let lua = objects[0]
            .value
            .pointer("/data/resource.customizations.health.apps.kruise.io_SidecarSet")
            .and_then(Value::as_str);
        assert_eq!(lua, Some(ARGOCD_HEALTH_LUA));
        Ok(())
    }

    #[test]
    fn json_output() {
        let entries = vec![Entry {
            file: "f".into(),
            line: 1,
            name: "s".into(),
            health: health(&json!({})),
        }];
        // The contract byte for byte: key order, pretty-printed, a final newline.
        assert_eq!(
            format(&entries, HealthFormat::Json),
            "[\n  {\n    \"file\": \"f\",\n    \"line\": 1,\n    \"name\": \"s\",\n    \"status\": \"Progressing\",\n    \"message\": \"Waiting for sidecarSet\"\n  }\n]\n"
        );
        assert_eq!(
            format(&entries, HealthFormat::Text),
            "s: Progressing: Waiting for sidecarSet\n"
        );
    }
}
