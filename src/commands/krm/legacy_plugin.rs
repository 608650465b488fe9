//! The legacy kustomize exec plugin, which `kubectl kustomize --enable-alpha-plugins` runs:
//! `argv[1]` is a file holding the plugin's config object, the resources arrive on standard input
//! as multi-document YAML and leave on standard output the same way. The working directory is the
//! kustomization's directory, so the config's `sidecarsets` paths are relative to it.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context as _, bail};

use super::{KrmArgs, Settings, gather_files, is_duplicate};
use crate::commands::ExitStatus;
use crate::pipeline::context;
use crate::pipeline::engine::{Renderer, UndecidedSummary};
use crate::pipeline::function_config::{self, FunctionConfig};
use crate::pipeline::objects::ParsedFile;

/// Runs as a legacy kustomize exec plugin whose config is at `config_path`. Exit 0 with the
/// resources on stdout; an error (nothing on stdout) makes kustomize fail and show it.
pub fn run_legacy_plugin(config_path: &Path) -> anyhow::Result<ExitStatus> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading the resources from standard input")?;
    let cwd = std::env::current_dir().context("the working directory")?;
    let output = legacy_plugin(
        config_path,
        &input,
        &cwd,
        &Settings::new(&KrmArgs::default()),
    )?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(output.as_bytes())
        .context("writing stdout")?;
    stdout.flush().context("writing stdout")?;
    Ok(ExitStatus::Success)
}

/// The plugin's work: `input` (multi-document YAML) with the SidecarSets injected.
pub fn legacy_plugin(
    config_path: &Path,
    input: &str,
    cwd: &Path,
    settings: &Settings,
) -> anyhow::Result<String> {
    let config_text = std::fs::read_to_string(config_path)
        .with_context(|| format!("reading the plugin config {}", config_path.display()))?;
    let config_file = ParsedFile::parse(config_path.display().to_string(), config_text)?;
    let objects = config_file.objects()?;
    let [config_object] = objects.as_slice() else {
        bail!(
            "{}: expected one config object ({}/v1alpha1 {}), found {}",
            config_path.display(),
            function_config::GROUP,
            function_config::KIND,
            objects.len()
        );
    };
    let config = FunctionConfig::from_value(&config_object.value)?;
    let settings = settings.with_config(&config);
    let options = settings.options().map_err(anyhow::Error::msg)?;

    let file = ParsedFile::parse("<stdin>".into(), input.to_owned())?;
    let objects = file.objects()?;
    let mut gatherer = context::Gatherer::new(&options.kruise_namespace)
        .with_feature_gates(options.feature_gates.clone());
    let mut warnings = Vec::new();
    let from_files = gather_files(&mut gatherer, &settings, cwd, &mut warnings)
        .map_err(anyhow::Error::msg)
        .context("reading the SidecarSets named by the plugin config")?;
    for object in &objects {
        if !is_duplicate(object, &from_files) {
            gatherer.add(object)?;
        }
    }
    let (cluster, notices) = gatherer.finish()?;
    // kustomize shows a plugin's stderr: the warnings go there.
    for notice in &notices {
        eprintln!("{}", notice.report_line());
    }
    let rendered = Renderer::new(&cluster, &options).render_file(&file)?;
    // kustomize shows a legacy plugin's standard error only when it fails: failing is the only way
    // not to hand back a possibly wrong result without a word.
    let mut undecided = UndecidedSummary::default();
    undecided.add(&rendered.undecided);
    if let Some(line) = undecided.line() {
        bail!(
            "{}; with kustomize, list the Namespace objects among the kustomization's resources or in a file named by the plugin config's sidecarsets",
            line.strip_prefix("warning: ").unwrap_or(&line)
        );
    }
    Ok(rendered.text)
}
