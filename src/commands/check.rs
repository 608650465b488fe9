//! `kruise-inject check --out-dir DIR`: does DIR hold exactly what `render --out-dir DIR` would
//! write? Lists stale, missing and extra files, each with a short diff.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;

use crate::commands::ExitStatus;
use crate::commands::args::{InputArgs, InputSettings, OutDirArgs, OutputArgs, OutputSettings};
use crate::pipeline::engine::print_reports;
use crate::pipeline::github::{self, Annotation, Level};
use crate::pipeline::out_dir::{self, FileState, Target};
use crate::pipeline::report::{Report, count};
use crate::pipeline::unified::{self, Layout, Palette, Side};
use clap::Args;
use std::path::PathBuf;

/// `kruise-inject check`.
#[derive(Debug, Clone, Args)]
#[command(mut_arg("paths", |a| a.help(
    "The inputs given to `render --out-dir DIR`: files or directories (walked for .yaml, .yml and \
     .json files in sorted order). Each renders to DIR/<its path relative to the PATH it was found \
     under>; that file is compared with what render would write there. Nothing is written"
)))]
#[command(mut_arg("out_dir", |a| a.required(true).help(
    "The directory `render --out-dir DIR` writes, to compare with what it would write now"
)))]
#[command(mut_arg("prune", |a| a.help(
    "Accepted so that `check` takes the same arguments as `render --out-dir DIR --prune` (one \
     argument list for both pre-commit hooks). Files in DIR that no input renders to are \
     reported with or without it"
)))]
pub struct CheckArgs {
    /// The inputs, context and injection settings: the same as given to `render --out-dir`.
    #[command(flatten)]
    pub input: InputArgs,

    /// `--out-dir` (required), `--prune`.
    #[command(flatten)]
    pub out_dir: OutDirArgs,

    /// The output settings.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `check`'s settings: [`CheckArgs`] resolved.
#[derive(Debug)]
pub struct CheckSettings {
    /// What to read and how to inject.
    pub input: InputSettings,
    /// `--out-dir`.
    pub out_dir: PathBuf,
    /// How to print.
    pub output: OutputSettings,
}

impl CheckArgs {
    /// The settings these arguments ask for; an invalid --exclude pattern or timestamp is an error.
    pub fn resolve(&self) -> anyhow::Result<CheckSettings> {
        Ok(CheckSettings {
            input: self.input.resolve()?,
            // Required: clap refuses a command line without it.
            out_dir: self
                .out_dir
                .out_dir
                .clone()
                .context("--out-dir DIR is required")?,
            output: self.output.resolve(),
        })
    }
}

/// Diff lines shown per file.
const SHORT_DIFF_LINES: usize = 20;

/// One file of DIR that is not what render writes.
#[derive(Debug)]
enum Finding<'a> {
    Stale {
        target: &'a Target,
        current: String,
        expected: &'a str,
    },
    Missing {
        target: &'a Target,
        expected: &'a str,
    },
    Extra {
        relative: std::path::PathBuf,
        current: String,
    },
}

/// Runs `check`: exit 0 when DIR is up to date, 1 when it is not, an error otherwise.
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitStatus> {
    let settings = args.resolve()?;
    let out_dir = &settings.out_dir;
    let expected = out_dir::render(&settings.input.paths, settings.input.options, out_dir)?;
    let mut findings = Vec::new();
    for (target, text) in &expected.files {
        let path = out_dir.join(&target.relative);
        match out_dir::state(&path, text)? {
            FileState::Fresh => {}
            FileState::Stale(current) => findings.push(Finding::Stale {
                target,
                current,
                expected: text,
            }),
            FileState::Missing => findings.push(Finding::Missing {
                target,
                expected: text,
            }),
        }
    }
    let targets: Vec<&Target> = expected.files.iter().map(|(t, _)| t).collect();
    for relative in out_dir::extras(out_dir, &targets)? {
        let path = out_dir.join(&relative);
        let current = std::fs::read(&path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .with_context(|| format!("reading {}", path.display()))?;
        findings.push(Finding::Extra { relative, current });
    }

    let palette = Palette::new(settings.output.color);
    let (text, annotations) = report(out_dir, expected.files.len(), &findings, &palette);
    Report {
        text,
        annotations,
        json: json_report(out_dir, expected.files.len(), &findings),
    }
    .print(settings.output.format.into())
    .context("writing stdout")?;
    github::append_step_summary(&step_summary(out_dir, expected.files.len(), &findings));
    if !settings.output.quiet {
        print_reports(&expected.warnings);
    }
    print_reports(expected.undecided.line().as_slice());
    Ok(ExitStatus::findings_if(!findings.is_empty()))
}

impl Finding<'_> {
    /// `stale`, `missing` or `extra`.
    fn kind(&self) -> &'static str {
        match self {
            Finding::Stale { .. } => "stale",
            Finding::Missing { .. } => "missing",
            Finding::Extra { .. } => "extra",
        }
    }

    /// The file in DIR.
    fn path(&self, out_dir: &Path) -> String {
        match self {
            Finding::Stale { target, .. } | Finding::Missing { target, .. } => {
                out_dir.join(&target.relative).display().to_string()
            }
            Finding::Extra { relative, .. } => out_dir.join(relative).display().to_string(),
        }
    }

    /// The input it is rendered from.
    fn source(&self) -> Option<String> {
        match self {
            Finding::Stale { target, .. } | Finding::Missing { target, .. } => {
                Some(target.source.display().to_string())
            }
            Finding::Extra { .. } => None,
        }
    }

    /// The first line of the file on disk that differs from what render writes.
    fn line(&self) -> Option<usize> {
        match self {
            Finding::Stale {
                current, expected, ..
            } => unified::first_change(Side::whole(current), Side::whole(expected))
                .map(|(old, _)| old),
            Finding::Missing { .. } => None,
            Finding::Extra { .. } => Some(1),
        }
    }
}

/// The contract of `check -o json`: one object,
/// `{"outDir", "upToDate", "files", "findings": [{"file", "change", "source", "line"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckJson {
    /// The directory compared (`--out-dir`), as given.
    pub out_dir: String,
    /// Whether it holds exactly what `render --out-dir` writes (`findings` is empty).
    pub up_to_date: bool,
    /// How many files `render --out-dir` writes there.
    pub files: usize,
    /// Its files that are not what render writes: stale and missing ones in input order, then the
    /// extra ones in sorted order.
    pub findings: Vec<CheckFindingJson>,
}

/// One file of `check -o json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckFindingJson {
    /// The file in the directory (`outDir` joined with its path).
    pub file: String,
    /// `stale` (on disk, not what render writes), `missing` (render writes it, it is not there)
    /// or `extra` (there, no input renders to it).
    pub change: &'static str,
    /// The input it is rendered from; `null` for an extra file.
    pub source: Option<String>,
    /// The first line of the file on disk that differs from what render writes (the line after
    /// its last when render only adds lines at the end; 1 for an extra file); `null` for a
    /// missing file.
    pub line: Option<usize>,
}

/// The `check -o json` contract of these findings.
fn json_report(out_dir: &Path, total: usize, findings: &[Finding<'_>]) -> CheckJson {
    CheckJson {
        out_dir: out_dir.display().to_string(),
        up_to_date: findings.is_empty(),
        files: total,
        findings: findings
            .iter()
            .map(|f| CheckFindingJson {
                file: f.path(out_dir),
                change: f.kind(),
                source: f.source(),
                line: f.line(),
            })
            .collect(),
    }
}

/// The Markdown job summary of a GitHub Actions step.
fn step_summary(out_dir: &Path, total: usize, findings: &[Finding<'_>]) -> String {
    let dir = out_dir.display();
    let mut out = format!("### kruise-inject check `{dir}`\n\n");
    if findings.is_empty() {
        let _ = writeln!(out, "Up to date ({}).\n", count(total, "file"));
        return out;
    }
    let _ = writeln!(
        out,
        "**Not up to date**: {} of {}. Run `kruise-inject render` with the same arguments and \
         `--out-dir {dir} --prune`, then commit the result.\n",
        findings.len(),
        count(total, "file")
    );
    out.push_str("| file | finding | rendered from |\n|---|---|---|\n");
    for finding in findings {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            github::cell(&finding.path(out_dir)),
            finding.kind(),
            finding.source().map_or_else(
                || "no input".to_owned(),
                |s| format!("`{}`", github::cell(&s))
            )
        );
    }
    out.push('\n');
    out
}

/// The text and the annotations of the findings.
fn report(
    out_dir: &Path,
    total: usize,
    findings: &[Finding<'_>],
    palette: &Palette,
) -> (String, Vec<Annotation>) {
    let dir = out_dir.display();
    let mut out = String::new();
    let mut annotations = Vec::new();
    if findings.is_empty() {
        let _ = writeln!(out, "{dir}: up to date ({})", count(total, "file"));
        return (out, annotations);
    }
    let layout = Layout {
        context: 2,
        max_lines: Some(SHORT_DIFF_LINES),
    };
    let title = "kruise-inject check";
    for finding in findings {
        let (heading, from, to, old, new, annotation) = match finding {
            Finding::Stale {
                target,
                current,
                expected,
            } => {
                let path = out_dir.join(&target.relative);
                let line = unified::first_change(Side::whole(current), Side::whole(expected))
                    .map_or(1, |(old, _)| old);
                let message = format!(
                    "{} is stale: it is not what kruise-inject render writes for {}; rerun render --out-dir and commit the result",
                    path.display(),
                    target.source.display()
                );
                let annotation = Annotation::new(
                    Level::Error,
                    &path.display().to_string(),
                    line,
                    title,
                    message,
                );
                let heading = format!(
                    "stale: {} (rendered from {})",
                    path.display(),
                    target.source.display()
                );
                let from = format!("{} (on disk)", path.display());
                let to = format!("{} (what render writes)", path.display());
                (heading, from, to, current.as_str(), *expected, annotation)
            }
            Finding::Missing { target, expected } => {
                let path = out_dir.join(&target.relative);
                let message = format!(
                    "{} is missing: kruise-inject render --out-dir writes the rendering of this file there; rerun it and commit the result",
                    path.display()
                );
                let annotation = Annotation::new(
                    Level::Error,
                    &target.source.display().to_string(),
                    1,
                    title,
                    message,
                );
                let heading = format!(
                    "missing: {} (rendered from {})",
                    path.display(),
                    target.source.display()
                );
                let to = format!("{} (what render writes)", path.display());
                (
                    heading,
                    "/dev/null".to_owned(),
                    to,
                    "",
                    *expected,
                    annotation,
                )
            }
            Finding::Extra { relative, current } => {
                let path = out_dir.join(relative);
                let message = format!(
                    "{} is extra: no input renders to it; delete it (or run kruise-inject render --out-dir --prune)",
                    path.display()
                );
                let annotation =
                    Annotation::new(Level::Error, &path.display().to_string(), 1, title, message);
                let heading = format!("extra: {} (no input renders to it)", path.display());
                let from = format!("{} (on disk)", path.display());
                (
                    heading,
                    from,
                    "/dev/null".to_owned(),
                    current.as_str(),
                    "",
                    annotation,
                )
            }
        };
        let _ = writeln!(out, "{}", Palette::paint(palette.heading, &heading));
        let _ = writeln!(
            out,
            "{}",
            Palette::paint(palette.file, &format!("--- {from}"))
        );
        let _ = writeln!(
            out,
            "{}",
            Palette::paint(palette.file, &format!("+++ {to}"))
        );
        out.push_str(&unified::hunks(
            Side::whole(old),
            Side::whole(new),
            layout,
            palette,
        ));
        annotations.push(annotation);
    }
    let of_kind = |f: fn(&Finding<'_>) -> bool| findings.iter().filter(|x| f(x)).count();
    let stale = of_kind(|f| matches!(f, Finding::Stale { .. }));
    let missing = of_kind(|f| matches!(f, Finding::Missing { .. }));
    let extra = of_kind(|f| matches!(f, Finding::Extra { .. }));
    let _ = writeln!(
        out,
        "{dir}: not up to date: {stale} stale, {missing} missing, {extra} extra (of {}): \
         run kruise-inject render with the same arguments and --out-dir {dir} (add --prune to delete extra files), then commit the result",
        count(total, "file")
    );
    (out, annotations)
}
