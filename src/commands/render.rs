//! `kruise-inject render`: the manifests as the cluster will run them, to standard output or, with
//! `--out-dir`, one file per input in a directory.

use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use crate::commands::ExitStatus;
use crate::commands::args::{InputArgs, OutDirArgs, QuietArg};
use crate::kruise::cluster::Cluster;
use crate::pipeline::engine::{
    BENCH_FLOOR_ENV, InputPaths, Inputs, Options, Reader, RenderedFile, Renderer, SPOOL_IN_MEMORY,
    SPOOL_REPORTS_IN_MEMORY, Session, UndecidedSummary, all_sources, append_to_stream,
    expand_inputs, floor_file, name_broken_files, print_reports, render_stream, workers,
};
use crate::pipeline::input::{self, Source};
use crate::pipeline::objects::ParsedFile;
use crate::pipeline::out_dir;
use crate::pipeline::report::count;
use crate::pipeline::resource_list::is_resource_list;
use crate::pipeline::spool::Spool;

/// `kruise-inject render`.
#[derive(Debug, Clone, Args)]
#[command(mut_arg("quiet", |a| a.help("Do not print the per-resource report on standard error")))]
pub struct RenderArgs {
    /// The inputs, context and injection settings.
    #[command(flatten)]
    pub input: InputArgs,

    /// `--out-dir`, `--prune`.
    #[command(flatten)]
    pub out_dir: OutDirArgs,

    /// `-q`.
    #[command(flatten)]
    pub quiet: QuietArg,
}

/// `render`'s settings: [`RenderArgs`] resolved.
#[derive(Debug)]
pub struct RenderSettings {
    /// What to read.
    pub paths: InputPaths,
    /// How to inject, or why the flags are invalid (a bad timestamp): an error only once standard
    /// input is known not to hold a ResourceList, which `krm` answers with an error result.
    pub options: anyhow::Result<Options>,
    /// `--out-dir`.
    pub out_dir: Option<PathBuf>,
    /// `--prune`.
    pub prune: bool,
    /// `-q`.
    pub quiet: bool,
}

impl RenderArgs {
    /// The settings these arguments ask for; an invalid --exclude pattern is an error.
    pub fn resolve(&self) -> anyhow::Result<RenderSettings> {
        Ok(RenderSettings {
            paths: self.input.paths()?,
            options: self.input.options(),
            out_dir: self.out_dir.out_dir.clone(),
            prune: self.out_dir.prune,
            quiet: self.quiet.quiet,
        })
    }
}

/// How a `render` run ended.
#[derive(Debug)]
pub enum Outcome {
    /// Rendered; the exit status.
    Done(ExitStatus),
    /// Standard input held a KRM ResourceList: the text, for `krm` to process (kustomize and kpt
    /// run functions this way).
    ResourceList(String),
}

/// Runs `render` as the command line asks. To standard output: exit code 0, or an error (exit 2,
/// nothing on stdout); a ResourceList on standard input is handed back (the caller runs `krm`). With `--out-dir`: exit code 1 when files were written or removed (or extra
/// files are left), 0 when the directory was up to date.
pub fn run(args: &RenderArgs) -> anyhow::Result<Outcome> {
    let RenderSettings {
        paths,
        options,
        out_dir,
        prune,
        quiet,
    } = args.resolve()?;
    if let Some(dir) = &out_dir {
        return run_out_dir(&paths, options?, dir, prune, quiet);
    }
    let Inputs {
        context_sources,
        sources,
        skipped,
    } = expand_inputs(&paths)?;
    // A KRM ResourceList on standard input: behave as `krm`.
    let mut reader = Reader::default();
    if sources == [Source::Stdin] && !context_sources.contains(&Source::Stdin) {
        let text = input::read(&Source::Stdin)?;
        if is_resource_list(&text) {
            return Ok(Outcome::ResourceList(text));
        }
        reader = Reader::with_stdin(text);
    }
    let options = options?;
    let floor = std::env::var_os(BENCH_FLOOR_ENV).is_some_and(|v| !v.is_empty());
    let Session {
        options,
        cluster,
        mut reader,
        warnings,
    } = if floor {
        // The benchmark floor: no context pass, no injection (README: Performance and the benchmark).
        Session {
            cluster: Cluster::new(&options.kruise_namespace),
            options,
            reader,
            warnings: Vec::new(),
        }
    } else {
        Session::with_reader(options, &context_sources, &sources, reader)
            .map_err(|e| name_broken_files(e, &all_sources(&context_sources, &sources)))?
    };

    let mut out = Spool::for_stdout(SPOOL_IN_MEMORY, input::paths(&sources, &context_sources));
    let mut report_spool = tempfile::SpooledTempFile::new(SPOOL_REPORTS_IN_MEMORY);
    let mut last_byte = None;
    for line in skipped.iter().chain(&warnings) {
        writeln!(report_spool, "{line}").context("writing the report buffer")?;
    }
    let mut undecided = UndecidedSummary::default();
    // The warnings about the SidecarSets (what the cluster would do differently) go to stderr even
    // with -q: the output may not be what the cluster does.
    let quiet_warnings = if quiet { warnings } else { Vec::new() };
    let mut sink = |i: usize, rendered: RenderedFile| -> anyhow::Result<()> {
        undecided.add(&rendered.undecided);
        append_to_stream(&mut out, rendered.text, i == 0, &mut last_byte)
            .context("writing the output buffer")?;
        for report in &rendered.reports {
            writeln!(report_spool, "{report}").context("writing the report buffer")?;
        }
        Ok(())
    };
    let workers = workers(&cluster, &sources);
    if floor {
        render_stream(&sources, &mut reader, workers, |_| floor_file, &mut sink)?;
    } else {
        render_stream(
            &sources,
            &mut reader,
            workers,
            |_| {
                let mut renderer = Renderer::new(&cluster, &options);
                move |file: &ParsedFile| renderer.render_file(file)
            },
            &mut sink,
        )
        .map_err(|e| name_broken_files(e, &sources))?;
    }

    let stdout = std::io::stdout();
    let mut stdout = stdout.lock();
    out.copy_to(&mut stdout).context("writing stdout")?;
    stdout.flush().context("writing stdout")?;
    if !quiet {
        report_spool.seek(SeekFrom::Start(0))?;
        let mut stderr = std::io::stderr().lock();
        let _ = std::io::copy(&mut (&mut report_spool as &mut dyn Read), &mut stderr);
    }
    // Even with -q: the output may lack what Kruise injects.
    print_reports(undecided.line().as_slice());
    print_reports(&quiet_warnings);
    Ok(Outcome::Done(ExitStatus::Success))
}

/// `render --out-dir DIR`: writes what changed, prints what it wrote, exit 1 if it wrote (or
/// removed, or left extra files), 0 if DIR was up to date.
fn run_out_dir(
    paths: &InputPaths,
    options: Options,
    out_dir: &Path,
    prune: bool,
    quiet: bool,
) -> anyhow::Result<Outcome> {
    let expected = out_dir::render(paths, options, out_dir)?;
    let mut out = String::new();
    let (mut written, mut removed, mut left) = (0, 0, 0);
    for (target, text) in &expected.files {
        let path = out_dir.join(&target.relative);
        let verb = match out_dir::state(&path, text)? {
            out_dir::FileState::Fresh => continue,
            out_dir::FileState::Missing => "created",
            out_dir::FileState::Stale(_) => "updated",
        };
        out_dir::write_atomic(&path, text)?;
        written += 1;
        let _ = writeln!(out, "{verb} {}", path.display());
    }
    let targets: Vec<&out_dir::Target> = expected.files.iter().map(|(t, _)| t).collect();
    for relative in out_dir::extras(out_dir, &targets)? {
        let path = out_dir.join(&relative);
        if prune {
            fs::remove_file(&path).map_err(out_dir::io_error(&path))?;
            out_dir::remove_empty_parents(out_dir, &relative);
            removed += 1;
            let _ = writeln!(out, "removed {}", path.display());
        } else {
            left += 1;
            let _ = writeln!(
                out,
                "extra {}: no input renders to it; delete it, or pass --prune",
                path.display()
            );
        }
    }
    let dir = out_dir.display();
    let total = expected.files.len();
    if written + removed > 0 {
        let _ = writeln!(
            out,
            "{dir}: {written} written, {removed} removed (of {}): review and commit the changes",
            count(total, "file")
        );
    } else if left == 0 {
        let _ = writeln!(out, "{dir}: up to date ({})", count(total, "file"));
    }
    if !quiet {
        print_reports(&expected.reports);
    }
    print_reports(expected.undecided.line().as_slice());
    std::io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .map_err(|e| anyhow::anyhow!("writing stdout: {e}"))?;
    Ok(Outcome::Done(ExitStatus::findings_if(
        written + removed + left > 0,
    )))
}
