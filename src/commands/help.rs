//! What `--help` and the man pages say beyond the flags: examples, exit statuses and environment
//! variables of each command (`""`: the main command).

use crate::commands::ExitStatus::{self, Error, Findings, Rejected, Success};
use crate::commands::args::SOURCE_DATE_EPOCH;

/// One example of a command line, for `--help` and the man page's EXAMPLES.
#[derive(Debug, Clone, Copy)]
pub struct Example {
    /// What it does.
    pub what: &'static str,
    /// The command line.
    pub command: &'static str,
}

const fn ex(what: &'static str, command: &'static str) -> Example {
    Example { what, command }
}

/// The examples of `command` (`""`: the main command).
pub fn examples(command: &str) -> &'static [Example] {
    match command {
        "" => {
            const E: &[Example] = &[
                ex(
                    "Render the bundled Filebeat example",
                    "kruise-inject render testdata/filebeat-sidecarset/nginx-deployment.yaml -s testdata/filebeat-sidecarset/filebeat-sidecarset.yaml",
                ),
                ex(
                    "Keep a rendered copy of a GitOps repository, and check it in CI",
                    "kruise-inject render apps/ -s platform/ --out-dir rendered --prune\nkruise-inject check apps/ -s platform/ --out-dir rendered",
                ),
                ex(
                    "What a SidecarSet change does to the pods",
                    "kruise-inject diff apps/ -s platform/ --old-sidecarsets base/platform/",
                ),
            ];
            E
        }
        "render" => {
            const E: &[Example] = &[
                ex(
                    "Render the bundled Filebeat example to standard output",
                    "kruise-inject render testdata/filebeat-sidecarset/nginx-deployment.yaml -s testdata/filebeat-sidecarset/filebeat-sidecarset.yaml",
                ),
                ex(
                    "Write one rendered file per input under rendered/, deleting files of removed inputs",
                    "kruise-inject render apps/ -s platform/ --out-dir rendered --prune",
                ),
                ex(
                    "Render what kustomize builds",
                    "kubectl kustomize overlays/prod | kruise-inject render -s platform/",
                ),
            ];
            E
        }
        "diff" => {
            const E: &[Example] = &[
                ex(
                    "What rendering adds to the workloads",
                    "kruise-inject diff apps/ -s platform/",
                ),
                ex(
                    "What a SidecarSet change does to the pods that already run",
                    "kruise-inject diff apps/ -s platform/ --old-sidecarsets base/platform/",
                ),
                ex(
                    "The same as JSON, or with GitHub Actions annotations",
                    "kruise-inject diff apps/ -s platform/ --old-sidecarsets base/platform/ -o json\nkruise-inject diff apps/ -s platform/ --old-sidecarsets base/platform/ -o github",
                ),
            ];
            E
        }
        "check" => {
            const E: &[Example] = &[
                ex(
                    "Is rendered/ what `render --out-dir rendered` writes?",
                    "kruise-inject check apps/ -s platform/ --out-dir rendered",
                ),
                ex(
                    "In GitHub Actions, with annotations on the stale lines",
                    "kruise-inject check apps/ -s platform/ --out-dir rendered -o github",
                ),
            ];
            E
        }
        "validate" => {
            const E: &[Example] = &[
                ex(
                    "Validate the SidecarSets and what they inject into the workloads",
                    "kruise-inject validate apps/ -s platform/",
                ),
                ex(
                    "Fail on warnings too, with GitHub Actions annotations",
                    "kruise-inject validate apps/ -s platform/ --strict -o github",
                ),
            ];
            E
        }
        "health" => {
            const E: &[Example] = &[
                ex(
                    "Argo CD health of the SidecarSets of a cluster",
                    "kubectl get sidecarsets -o yaml | kruise-inject health",
                ),
                ex(
                    "The corrected health check for argocd-cm",
                    "kruise-inject health --argocd-config > argocd-cm-sidecarset-health.yaml",
                ),
            ];
            E
        }
        "uninject" => {
            const E: &[Example] = &[ex(
                "A Deployment as it was before Kruise injected into it",
                "kubectl get deployment nginx -o yaml | kruise-inject uninject",
            )];
            E
        }
        "krm" => {
            const E: &[Example] = &[
                ex(
                    "Inject into a kpt package, in place",
                    "kpt fn eval pkg/ --exec \"kruise-inject krm\" -- sidecarsets=platform/",
                ),
                ex(
                    "Run a ResourceList through the function by hand",
                    "kruise-inject krm -s platform/ < resource-list.yaml",
                ),
            ];
            E
        }
        "rollout" => {
            const E: &[Example] = &[
                ex(
                    "The first round of upgrades of the pods of a cluster",
                    "kubectl get pods -A -o yaml | kruise-inject rollout -s platform/filebeat-sidecarset.yaml",
                ),
                ex(
                    "Every round, planned from workloads",
                    "kruise-inject rollout --from-workloads apps/ --old-sidecarsets base/platform/ -s platform/ --rounds all",
                ),
            ];
            E
        }
        "completions" => {
            const E: &[Example] = &[
                ex(
                    "Install the bash completion",
                    "kruise-inject completions bash > /etc/bash_completion.d/kruise-inject",
                ),
                ex(
                    "Install the zsh completion",
                    "kruise-inject completions zsh > \"${fpath[1]}/_kruise-inject\"",
                ),
            ];
            E
        }
        "man" => {
            const E: &[Example] = &[
                ex(
                    "Read the page of render",
                    "kruise-inject man render | man -l -",
                ),
                ex(
                    "Install every page",
                    "for c in '' render diff check validate health uninject krm rollout; do kruise-inject man $c > \"kruise-inject${c:+-$c}.1\"; done",
                ),
            ];
            E
        }
        _ => &[],
    }
}

/// The `Examples:` text after `--help` of `command` (`""`: the main command).
pub fn examples_help(command: &str) -> String {
    let mut out = String::from("Examples:\n");
    for example in examples(command) {
        out.push_str(&format!("  # {}\n", example.what));
        for line in example.command.lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out.trim_end().to_owned()
}

/// The exit statuses of `command` (`""`: the main command), as `(status, meaning)`.
pub fn exit_status(command: &str) -> &'static [(ExitStatus, &'static str)] {
    const fn general(status: ExitStatus) -> (ExitStatus, &'static str) {
        (status, status.meaning())
    }
    const ERROR: (ExitStatus, &str) = general(Error);
    match command {
        "" => {
            const E: &[(ExitStatus, &str)] = &[
                general(Success),
                general(Findings),
                ERROR,
                general(Rejected),
            ];
            E
        }
        "render" => &[
            (
                Success,
                "Rendered; with --out-dir, the directory was already up to date.",
            ),
            (
                Findings,
                "With --out-dir: files were written or deleted, or files no input renders to were left (without --prune).",
            ),
            ERROR,
        ],
        "diff" => &[
            (Success, "No change."),
            (Findings, "Changes."),
            ERROR,
            (
                Rejected,
                "With --old-sidecarsets: Kruise's webhook rejects the update of a SidecarSet (a sidecar container added or renamed, an upgradeType or a canary's base changed); create a new SidecarSet instead.",
            ),
        ],
        "check" => &[
            (Success, "The directory is up to date."),
            (Findings, "Stale, missing or extra files."),
            ERROR,
        ],
        "validate" => &[
            (Success, "No error (warnings allowed unless --strict)."),
            (Findings, "Errors, or warnings with --strict."),
            ERROR,
        ],
        "health" => &[
            (Success, "Every SidecarSet is Healthy (or --argocd-config)."),
            (Findings, "Any SidecarSet is Progressing or Suspended."),
            ERROR,
        ],
        "krm" => &[
            (Success, "The ResourceList was processed."),
            (
                Error,
                "Error: the message on standard error, and for kpt the input with an error result on standard output.",
            ),
        ],
        _ => &[(Success, "Success."), ERROR],
    }
}

/// The environment variables `command` reads (`""`: all), as `(name, meaning)`.
pub fn environment(command: &str) -> Vec<(&'static str, &'static str)> {
    const EPOCH: (&str, &str) = (
        SOURCE_DATE_EPOCH,
        "Seconds since the epoch: the injection time written into the hash annotations when --timestamp is not given (default 1970-01-01T00:00:00Z), so that output is reproducible.",
    );
    const COLOR: [(&str, &str); 3] = [
        (
            "NO_COLOR",
            "Set and not empty: no colour with --color auto.",
        ),
        ("CLICOLOR", "0: no colour with --color auto."),
        (
            "CLICOLOR_FORCE",
            "Set and not 0: colour with --color auto even when standard output is not a terminal.",
        ),
    ];
    const GITHUB: [(&str, &str); 2] = [
        (
            "GITHUB_WORKSPACE",
            "With -o github: annotation paths are relative to this directory (else to the working directory); a file outside it is named in the message instead.",
        ),
        (
            "GITHUB_STEP_SUMMARY",
            "When set: a Markdown summary of the findings is appended to this file (the job summary of a GitHub Actions step).",
        ),
    ];
    let mut out = Vec::new();
    if matches!(
        command,
        "" | "render" | "diff" | "check" | "krm" | "rollout"
    ) {
        out.push(EPOCH);
    }
    if matches!(command, "" | "diff" | "check") {
        out.extend(COLOR);
        out.extend(GITHUB);
    }
    out
}
