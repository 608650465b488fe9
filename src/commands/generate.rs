//! Shell completions and the man page, generated from the command-line definition in
//! [`crate::commands::cli`], so they never drift from the flags. Copies are checked in under `completions/`
//! and `man/`; a test keeps them fresh.

use clap_complete::Shell;

use crate::commands::ExitStatus;
use crate::commands::help::{environment, examples, exit_status};

/// The binary's name as completions and the man page know it.
pub const BIN: &str = "kruise-inject";

/// The completion script for `shell`.
pub fn completions(mut command: clap::Command, shell: Shell) -> Vec<u8> {
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
pub fn man_pages(mut command: clap::Command) -> std::io::Result<Vec<(String, Vec<u8>)>> {
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
pub fn man(cli: clap::Command, command: Option<&str>) -> anyhow::Result<Vec<u8>> {
    let file = match command {
        None => format!("{BIN}.1"),
        Some(sub) => format!("{BIN}-{sub}.1"),
    };
    man_pages(cli)?
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
pub fn run_completions(cli: clap::Command, shell: Shell) -> anyhow::Result<ExitStatus> {
    use std::io::Write;
    std::io::stdout().write_all(&completions(cli, shell))?;
    Ok(ExitStatus::Success)
}

/// Runs `man`: the page on standard output.
pub fn run_man(cli: clap::Command, command: Option<&str>) -> anyhow::Result<ExitStatus> {
    use std::io::Write;
    std::io::stdout().write_all(&man(cli, command)?)?;
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::cli::Cli;
    use clap::CommandFactory as _;

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
                    completions(Cli::command(), s),
                )
            })
            .collect();
        for (name, page) in man_pages(Cli::command())? {
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
        let script =
            String::from_utf8(completions(Cli::command(), Shell::Bash)).unwrap_or_default();
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
            let script = String::from_utf8(completions(Cli::command(), shell)).unwrap_or_default();
            for sub in [
                "render", "diff", "check", "validate", "health", "uninject", "krm",
            ] {
                assert!(script.contains(sub), "{shell}: {sub} missing");
            }
        }
    }

    #[test]
    fn every_subcommand_has_a_man_page() -> anyhow::Result<()> {
        let main = String::from_utf8(man(Cli::command(), None)?)?;
        assert!(main.contains("kruise\\-inject\\-render(1)"), "{main}");
        for sub in [
            "render", "diff", "check", "validate", "health", "uninject", "krm",
        ] {
            let page = String::from_utf8(man(Cli::command(), Some(sub))?)?;
            assert!(
                page.contains(&format!(".TH kruise-inject-{sub} 1")),
                "{page}"
            );
        }
        let render = String::from_utf8(man(Cli::command(), Some("render"))?)?;
        assert!(render.contains("\\-\\-sidecarsets"));
        assert!(man(Cli::command(), Some("nope")).is_err());
        Ok(())
    }
}
