//! Printing findings: text (`file:line: error: ...`), JSON, GitHub Actions workflow commands.

use std::fmt::Write as _;

use serde_json::json;

use crate::pipeline::finding::{Finding, Severity};
use crate::pipeline::github;

pub use super::ValidateFormat as Format;

/// The whole output for `findings`.
pub fn render(findings: &[Finding], format: Format) -> String {
    let mut out = String::new();
    match format {
        Format::Text => {
            for f in findings {
                let _ = writeln!(
                    out,
                    "{}:{}: {}: {}: {}",
                    f.location.file,
                    f.location.line,
                    f.severity.as_str(),
                    f.resource,
                    f.message
                );
            }
        }
        Format::Json => {
            let items: Vec<_> = findings
                .iter()
                .map(|f| {
                    json!({
                        "severity": f.severity.as_str(),
                        "rule": f.rule,
                        "file": f.location.file,
                        "line": f.location.line,
                        "document": f.location.document,
                        "resource": f.resource,
                        "message": f.message,
                    })
                })
                .collect();
            let (errors, warnings) = counts(findings);
            let doc = json!({"findings": items, "errors": errors, "warnings": warnings});
            out = serde_json::to_string_pretty(&doc).unwrap_or_default();
            out.push('\n');
        }
        Format::Github => {
            // Paths relative to the repository (GITHUB_WORKSPACE or the working directory); a
            // file outside it is named in the message, as for `diff` and `check`.
            let workspace = github::Workspace::from_env();
            for f in findings {
                let level = match f.severity {
                    Severity::Error => github::Level::Error,
                    Severity::Warning => github::Level::Warning,
                };
                let annotation = github::Annotation::new(
                    level,
                    &f.location.file,
                    f.location.line,
                    format!("kruise-inject validate: {}", f.rule),
                    format!("{}: {}", f.resource, f.message),
                )
                .in_workspace(&workspace);
                let _ = writeln!(out, "{annotation}");
            }
        }
    }
    out
}

/// (errors, warnings).
pub fn counts(findings: &[Finding]) -> (usize, usize) {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    (errors, findings.len() - errors)
}

/// The one-line summary (`2 errors, 1 warning`).
pub fn summary(findings: &[Finding]) -> String {
    let (errors, warnings) = counts(findings);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::objects::Location;

    fn finding(severity: Severity) -> Finding {
        Finding {
            severity,
            rule: "kruise-webhook",
            location: Location {
                file: "a,b.yaml".into(),
                line: 3,
                document: 1,
            },
            resource: "apps.kruise.io/v1alpha1 SidecarSet s".into(),
            message: "100% bad\nreally".into(),
        }
    }

    #[test]
    fn formats() {
        let f = [finding(Severity::Error), finding(Severity::Warning)];
        assert_eq!(
            render(&f[..1], Format::Text),
            "a,b.yaml:3: error: apps.kruise.io/v1alpha1 SidecarSet s: 100% bad\nreally\n"
        );
        assert_eq!(
            render(&f[1..], Format::Github),
            "::warning file=a%2Cb.yaml,line=3,title=kruise-inject validate%3A kruise-webhook::apps.kruise.io/v1alpha1 SidecarSet s: 100%25 bad%0Areally\n"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(&f, Format::Json)).expect("json");
        assert_eq!(json["errors"], 1);
        assert_eq!(json["warnings"], 1);
        assert_eq!(json["findings"][0]["line"], 3);
        assert_eq!(summary(&f), "1 error, 1 warning");
    }
}
