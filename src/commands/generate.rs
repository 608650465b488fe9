//! Shell completions and the man page, generated from the command-line definition in
//! [`crate::commands::cli`], so they never drift from the flags. Copies are checked in under `completions/`
//! and `man/`; a test keeps them fresh.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::commands::cli::Cli;

/// The binary's name as completions and the man page know it.
pub const BIN: &str = "kruise-inject";

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, BIN, &mut out);
    if shell == Shell::Bash {
        out = fix_bash_state_names(&out);
    }
    out
}

/// clap_complete's bash script walks the words into a state such as
/// `kruise__inject__subcmd__render`, but spells the `case` arm of that state
/// `kruise__subcmd__inject__subcmd__render` (it escapes the hyphen of the binary name as a
/// subcommand separator), so no arm after the subcommand ever matches and nothing completes
/// (clap-rs/clap#6421, open in clap_complete 4.6.11). Spell the arms as the walk does.
fn fix_bash_state_names(script: &[u8]) -> Vec<u8> {
    let escaped = BIN.replace('-', "__");
    let wrong = BIN.replace('-', "__subcmd__");
    String::from_utf8_lossy(script)
        .replace(
            &format!("        {wrong}__subcmd__"),
            &format!("        {escaped}__subcmd__"),
        )
        .into_bytes()
}

/// The file name a completion script is checked in (and usually installed) under.
pub fn completion_file_name(shell: Shell) -> String {
    match shell {
        Shell::Bash => format!("{BIN}.bash"),
        Shell::Zsh => format!("_{BIN}"),
        Shell::Fish => format!("{BIN}.fish"),
        Shell::PowerShell => format!("_{BIN}.ps1"),
        Shell::Elvish => format!("{BIN}.elv"),
        _ => format!("{BIN}.{shell}"),
    }
}

/// The shells completions are generated for.
pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::PowerShell,
    Shell::Elvish,
];

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

/// The exit codes of `command` (`""`: the main command), as `(code, meaning)`.
pub fn exit_status(command: &str) -> &'static [(&'static str, &'static str)] {
    const ERROR: (&str, &str) = (
        "2",
        "Error: unreadable or invalid input, or a bad command line; nothing is written to standard output.",
    );
    match command {
        "" => &[
            ("0", "Success, and nothing to report."),
            (
                "1",
                "The command's finding: changes (diff), stale output (check, render --out-dir), errors (validate), not Healthy (health).",
            ),
            ERROR,
            (
                "3",
                "diff --old-sidecarsets: Kruise's webhook rejects the update of a SidecarSet.",
            ),
        ],
        "render" => &[
            (
                "0",
                "Rendered; with --out-dir, the directory was already up to date.",
            ),
            (
                "1",
                "With --out-dir: files were written or deleted, or files no input renders to were left (without --prune).",
            ),
            ERROR,
        ],
        "diff" => &[
            ("0", "No change."),
            ("1", "Changes."),
            ERROR,
            (
                "3",
                "With --old-sidecarsets: Kruise's webhook rejects the update of a SidecarSet (a sidecar container added or renamed, an upgradeType or a canary's base changed); create a new SidecarSet instead.",
            ),
        ],
        "check" => &[
            ("0", "The directory is up to date."),
            ("1", "Stale, missing or extra files."),
            ERROR,
        ],
        "validate" => &[
            ("0", "No error (warnings allowed unless --strict)."),
            ("1", "Errors, or warnings with --strict."),
            ERROR,
        ],
        "health" => &[
            ("0", "Every SidecarSet is Healthy (or --argocd-config)."),
            ("1", "Any SidecarSet is Progressing or Suspended."),
            ERROR,
        ],
        "krm" => &[
            ("0", "The ResourceList was processed."),
            (
                "2",
                "Error: the message on standard error, and for kpt the input with an error result on standard output.",
            ),
        ],
        _ => &[("0", "Success."), ERROR],
    }
}

/// The environment variables `command` reads (`""`: all), as `(name, meaning)`.
pub fn environment(command: &str) -> Vec<(&'static str, &'static str)> {
    const EPOCH: (&str, &str) = (
        "SOURCE_DATE_EPOCH",
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

/// Text for roff: backslashes and hyphens escaped, no line starting with a control character.
fn roff_text(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.replace('\\', "\\e").replace('-', "\\-");
            if line.starts_with('.') || line.starts_with('\'') {
                format!("\\&{line}")
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The EXIT STATUS, ENVIRONMENT and EXAMPLES sections of `command`'s page.
fn extra_sections(command: &str) -> String {
    let mut out = String::from(".SH \"EXIT STATUS\"\n");
    for (code, meaning) in exit_status(command) {
        out.push_str(&format!(".TP\n\\fB{code}\\fR\n{}\n", roff_text(meaning)));
    }
    let environment = environment(command);
    if !environment.is_empty() {
        out.push_str(".SH ENVIRONMENT\n");
        for (name, meaning) in environment {
            out.push_str(&format!(
                ".TP\n\\fB{}\\fR\n{}\n",
                roff_text(name),
                roff_text(meaning)
            ));
        }
    }
    let examples = examples(command);
    if !examples.is_empty() {
        out.push_str(".SH EXAMPLES\n");
        for example in examples {
            out.push_str(&format!(
                ".PP\n{}\n.PP\n.RS 4\n.nf\n{}\n.fi\n.RE\n",
                roff_text(example.what),
                roff_text(example.command)
            ));
        }
    }
    out
}

/// The man pages (roff): `kruise-inject(1)`, then `kruise-inject-<command>(1)` for each
/// subcommand (not `help`), as `(file name, page)`.
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut command = Cli::command();
    // Building gives each subcommand its display name (`kruise-inject-render`, the page's title)
    // and its bin name (`kruise-inject render`, what the SYNOPSIS shows).
    command.build();
    let mut pages = vec![(format!("{BIN}.1"), render_man(&command, "")?)];
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let page = render_man(sub, sub.get_name())?;
        pages.push((format!("{BIN}-{}.1", sub.get_name()), page));
    }
    Ok(pages)
}

/// The man page of `command` (`None`: the main page).
pub fn man(command: Option<&str>) -> anyhow::Result<Vec<u8>> {
    let file = match command {
        None => format!("{BIN}.1"),
        Some(sub) => format!("{BIN}-{sub}.1"),
    };
    man_pages()?
        .into_iter()
        .find(|(name, _)| *name == file)
        .map(|(_, page)| page)
        .ok_or_else(|| {
            anyhow::anyhow!("no command {:?}: see `{BIN} --help`", command.unwrap_or(""))
        })
}

/// clap_mangen's sections, with EXIT STATUS, ENVIRONMENT and EXAMPLES in place of its EXTRA
/// section (the `Examples:` of `--help`).
fn render_man(command: &clap::Command, name: &str) -> std::io::Result<Vec<u8>> {
    let man = clap_mangen::Man::new(command.clone())
        .source(format!("{BIN} {}", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if command.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out)?;
    }
    if command.get_subcommands().any(|s| !s.is_hide_set()) {
        man.render_subcommands_section(&mut out)?;
    }
    out.extend_from_slice(extra_sections(name).as_bytes());
    if command.get_version().is_some() {
        man.render_version_section(&mut out)?;
    }
    Ok(out)
}

/// Runs `completions`: the script on standard output.
pub fn run_completions(shell: Shell) -> anyhow::Result<u8> {
    use std::io::Write;
    std::io::stdout().write_all(&completions(shell))?;
    Ok(0)
}

/// Runs `man`: the page on standard output.
pub fn run_man(command: Option<&str>) -> anyhow::Result<u8> {
    use std::io::Write;
    std::io::stdout().write_all(&man(command)?)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checked-in copies match what the code generates. Outside CI a stale copy is rewritten
    /// (commit it); with `CI=true` it fails the build.
    #[test]
    fn checked_in_completions_and_man_page_are_fresh() -> Result<(), Box<dyn std::error::Error>> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<(std::path::PathBuf, Vec<u8>)> = SHELLS
            .iter()
            .map(|&s| {
                (
                    root.join("completions").join(completion_file_name(s)),
                    completions(s),
                )
            })
            .collect();
        for (name, page) in man_pages()? {
            files.push((root.join("man").join(name), page));
        }
        let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
        let mut stale = Vec::new();
        for (path, want) in files {
            if std::fs::read(&path).ok().as_deref() != Some(want.as_slice()) {
                stale.push(path.display().to_string());
                if !in_ci {
                    std::fs::create_dir_all(path.parent().ok_or("no parent")?)?;
                    std::fs::write(&path, want)?;
                }
            }
        }
        assert!(
            stale.is_empty() || !in_ci,
            "stale generated files (run `cargo test` locally and commit them): {stale:?}"
        );
        Ok(())
    }

    #[test]
    fn every_bash_state_has_its_case_arm() {
        let script = String::from_utf8(completions(Shell::Bash)).unwrap_or_default();
        let states: Vec<&str> = script
            .lines()
            .filter_map(|l| l.trim().strip_prefix("cmd=\""))
            .filter_map(|l| l.strip_suffix('"'))
            .filter(|s| !s.is_empty())
            .collect();
        assert!(states.len() > 20, "{script}");
        for state in states {
            assert!(
                script.contains(&format!("\n        {state})\n")),
                "no case arm for {state}"
            );
        }
    }

    #[test]
    fn every_shell_gets_a_script_naming_every_subcommand() {
        for shell in SHELLS {
            let script = String::from_utf8(completions(shell)).unwrap_or_default();
            for sub in [
                "render", "diff", "check", "validate", "health", "uninject", "krm",
            ] {
                assert!(script.contains(sub), "{shell}: {sub} missing");
            }
        }
    }

    #[test]
    fn every_subcommand_has_a_man_page() -> anyhow::Result<()> {
        let main = String::from_utf8(man(None)?)?;
        assert!(main.contains("kruise\\-inject\\-render(1)"), "{main}");
        for sub in [
            "render", "diff", "check", "validate", "health", "uninject", "krm",
        ] {
            let page = String::from_utf8(man(Some(sub))?)?;
            assert!(
                page.contains(&format!(".TH kruise-inject-{sub} 1")),
                "{page}"
            );
        }
        let render = String::from_utf8(man(Some("render"))?)?;
        assert!(render.contains("\\-\\-sidecarsets"));
        assert!(man(Some("nope")).is_err());
        Ok(())
    }
}
