//! Printing findings: text (`file:line: error: resource: message`), JSON ([`JsonReport`]), GitHub
//! Actions workflow commands. One line, JSON entry or annotation per finding; a finding found on
//! several objects ([`super::findings`]) names how many and which: the first [`SHOWN`] in text and
//! annotations, every one in JSON.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use super::findings::{Findings, Group, Occurrence};
use crate::pipeline::finding::{Rule, Severity};
use crate::pipeline::github;

pub use super::ValidateFormat as Format;

/// How many objects a text line or an annotation names for a finding found on several.
pub const SHOWN: usize = 3;

/// `validate -o json`: a stable contract (README, `validate`: `-o json`).
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// Every distinct finding, ordered by where it is first found (input file order, then line).
    pub findings: Vec<JsonFinding<'a>>,
    /// Errors, counted per occurrence (an error found on 3 workloads counts 3).
    pub errors: usize,
    /// Warnings, counted per occurrence.
    pub warnings: usize,
}

/// One finding of [`JsonReport`]: where it is first found, and every place it is found.
#[derive(Debug, Serialize)]
pub struct JsonFinding<'a> {
    /// `error` or `warning`.
    pub severity: Severity,
    /// Which check found it.
    pub rule: Rule,
    /// The file of the first occurrence.
    pub file: &'a str,
    /// Its line (1-based).
    pub line: usize,
    /// Its document in the file (1-based).
    pub document: usize,
    /// Its object, e.g. `apps/v1 Deployment web/nginx`.
    pub resource: &'a str,
    /// What, and what to do.
    pub message: &'a str,
    /// On how many objects (the length of `locations`).
    pub count: usize,
    /// Every occurrence, the first one included, in order.
    pub locations: Vec<JsonLocation<'a>>,
}

/// One occurrence of a [`JsonFinding`].
#[derive(Debug, Serialize)]
pub struct JsonLocation<'a> {
    /// File.
    pub file: &'a str,
    /// Line (1-based).
    pub line: usize,
    /// Document in the file (1-based).
    pub document: usize,
    /// The object.
    pub resource: &'a str,
}

impl<'a> JsonReport<'a> {
    /// The report of `findings`.
    pub fn new(findings: &'a Findings) -> Self {
        let (errors, warnings) = findings.counts();
        let location = |o: &'a Occurrence| JsonLocation {
            file: &o.file,
            line: o.line,
            document: o.document,
            resource: &o.resource,
        };
        JsonReport {
            findings: findings
                .groups
                .iter()
                .map(|g| {
                    let first = g.first();
                    JsonFinding {
                        severity: g.severity,
                        rule: g.rule,
                        file: &first.file,
                        line: first.line,
                        document: first.document,
                        resource: &first.resource,
                        message: &g.message,
                        count: g.occurrences.len(),
                        locations: g.occurrences.iter().map(location).collect(),
                    }
                })
                .collect(),
            errors,
            warnings,
        }
    }
}

/// Writes the whole output for `findings` to `out`.
pub fn write(findings: &Findings, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text => {
            for g in &findings.groups {
                let first = g.first();
                writeln!(
                    out,
                    "{}:{}: {}: {}: {}",
                    first.file,
                    first.line,
                    g.severity.as_str(),
                    subject(g),
                    g.message
                )?;
            }
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &JsonReport::new(findings))?;
            out.write_all(b"\n")?;
        }
        Format::Github => {
            // One annotation per finding, at its first occurrence: GitHub shows only the first
            // few annotations of a step, so one per object would hide the other findings. Paths
            // relative to the repository (GITHUB_WORKSPACE or the working directory); a file
            // outside it is named in the message, as for `diff` and `check`.
            let workspace = github::Workspace::from_env();
            for g in &findings.groups {
                let level = match g.severity {
                    Severity::Error => github::Level::Error,
                    Severity::Warning => github::Level::Warning,
                };
                let first = g.first();
                let annotation = github::Annotation::new(
                    level,
                    &first.file,
                    first.line,
                    format!("kruise-inject validate: {}", g.rule),
                    format!("{}: {}", subject(g), g.message),
                )
                .in_workspace(&workspace);
                writeln!(out, "{annotation}")?;
            }
        }
    }
    Ok(())
}

/// The whole output for `findings`, as a string.
pub fn render(findings: &Findings, format: Format) -> String {
    let mut out = Vec::new();
    let _ = write(findings, format, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// What a finding is about: its object; for a finding found on several, how many, the first
/// [`SHOWN`] (the others with their file and line) and how many more:
/// `3 workloads: apps/v1 Deployment web/a, apps/v1 Deployment web/b (b.yaml:1) and 1 more`.
fn subject(g: &Group) -> String {
    let first = g.first();
    let n = g.occurrences.len();
    if n == 1 {
        return first.resource.to_string();
    }
    let noun = if g.rule.is_about_workloads() {
        "workloads"
    } else {
        "objects"
    };
    let mut out = format!("{n} {noun}: {}", first.resource);
    for o in g.occurrences.iter().skip(1).take(SHOWN - 1) {
        let _ = write!(out, ", {} ({}:{})", o.resource, o.file, o.line);
    }
    if n > SHOWN {
        let _ = write!(out, " and {} more (-o json lists all)", n - SHOWN);
    }
    out
}

/// The one-line summary: `2 errors, 1 warning`, counting occurrences; with the number of distinct
/// findings when some were found on several objects (`300 errors, 0 warnings (2 distinct
/// findings)`).
pub fn summary(findings: &Findings) -> String {
    let (errors, warnings) = findings.counts();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut out = format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    if findings.groups.len() != errors + warnings {
        let _ = write!(
            out,
            " ({})",
            plural(findings.groups.len(), "distinct finding")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::validate::findings::Collector;
    use crate::pipeline::finding::Finding;
    use crate::pipeline::objects::Location;

    fn finding(severity: Severity, file: &str, line: usize, resource: &str) -> Finding {
        Finding {
            severity,
            rule: Rule::KruiseWebhook,
            location: Location {
                file: file.into(),
                line,
                document: 1,
            },
            resource: resource.into(),
            message: "100% bad\nreally".into(),
        }
    }

    fn findings(list: Vec<Finding>) -> Findings {
        let mut c = Collector::new(["a,b.yaml".to_owned()]);
        for f in list {
            c.push(f);
        }
        c.finish(|_| false)
    }

    const SS: &str = "apps.kruise.io/v1alpha1 SidecarSet s";

    #[test]
    fn formats() {
        let one = findings(vec![finding(Severity::Error, "a,b.yaml", 3, SS)]);
        assert_eq!(
            render(&one, Format::Text),
            "a,b.yaml:3: error: apps.kruise.io/v1alpha1 SidecarSet s: 100% bad\nreally\n"
        );
        let warning = findings(vec![finding(Severity::Warning, "a,b.yaml", 3, SS)]);
        assert_eq!(
            render(&warning, Format::Github),
            "::warning file=a%2Cb.yaml,line=3,title=kruise-inject validate%3A kruise-webhook::apps.kruise.io/v1alpha1 SidecarSet s: 100%25 bad%0Areally\n"
        );
        let both = findings(vec![
            finding(Severity::Error, "a,b.yaml", 3, SS),
            finding(Severity::Warning, "a,b.yaml", 3, SS),
        ]);
        assert_eq!(summary(&both), "1 error, 1 warning");
        assert_eq!(
            render(&both, Format::Json),
            r#"{
  "findings": [
    {
      "severity": "error",
      "rule": "kruise-webhook",
      "file": "a,b.yaml",
      "line": 3,
      "document": 1,
      "resource": "apps.kruise.io/v1alpha1 SidecarSet s",
      "message": "100% bad\nreally",
      "count": 1,
      "locations": [
        {
          "file": "a,b.yaml",
          "line": 3,
          "document": 1,
          "resource": "apps.kruise.io/v1alpha1 SidecarSet s"
        }
      ]
    },
    {
      "severity": "warning",
      "rule": "kruise-webhook",
      "file": "a,b.yaml",
      "line": 3,
      "document": 1,
      "resource": "apps.kruise.io/v1alpha1 SidecarSet s",
      "message": "100% bad\nreally",
      "count": 1,
      "locations": [
        {
          "file": "a,b.yaml",
          "line": 3,
          "document": 1,
          "resource": "apps.kruise.io/v1alpha1 SidecarSet s"
        }
      ]
    }
  ],
  "errors": 1,
  "warnings": 1
}
"#
        );
    }

    #[test]
    fn a_finding_on_many_objects_is_one_line_naming_the_first_few() {
        let many = findings(
            (1..=5)
                .map(|i| {
                    finding(
                        Severity::Error,
                        "a,b.yaml",
                        i * 10,
                        &format!("v1 Pod ns/p{i}"),
                    )
                })
                .collect(),
        );
        assert_eq!(
            render(&many, Format::Text),
            "a,b.yaml:10: error: 5 objects: v1 Pod ns/p1, v1 Pod ns/p2 (a,b.yaml:20), v1 Pod ns/p3 (a,b.yaml:30) and 2 more (-o json lists all): 100% bad\nreally\n"
        );
        assert_eq!(summary(&many), "5 errors, 0 warnings (1 distinct finding)");
        assert_eq!(
            render(&many, Format::Github),
            "::error file=a%2Cb.yaml,line=10,title=kruise-inject validate%3A kruise-webhook::5 objects: v1 Pod ns/p1, v1 Pod ns/p2 (a,b.yaml:20), v1 Pod ns/p3 (a,b.yaml:30) and 2 more (-o json lists all): 100%25 bad%0Areally\n"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(&many, Format::Json)).expect("json");
        assert_eq!(json["errors"], 5);
        assert_eq!(json["findings"].as_array().map(Vec::len), Some(1));
        assert_eq!(json["findings"][0]["count"], 5);
        assert_eq!(json["findings"][0]["line"], 10);
        assert_eq!(json["findings"][0]["locations"][4]["line"], 50);
        assert_eq!(
            json["findings"][0]["locations"][4]["resource"],
            "v1 Pod ns/p5"
        );
    }
}
