//! Shell completions and the man page, generated from the command-line definition in
//! [`crate::cli`], so they never drift from the flags. Copies are checked in under `completions/`
//! and `man/`; a test keeps them fresh.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// The binary's name as completions and the man page know it.
pub const BIN: &str = "kruise-inject";

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, BIN, &mut out);
    out
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

/// The man pages (roff): `kruise-inject(1)`, then `kruise-inject-<command>(1)` for each
/// subcommand, as `(file name, page)`.
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let command = Cli::command();
    let mut pages = vec![(format!("{BIN}.1"), render_man(command.clone())?)];
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("{BIN}-{}", sub.get_name());
        let page = render_man(sub.clone().name(name.clone()))?;
        pages.push((format!("{name}.1"), page));
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

fn render_man(command: clap::Command) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command).render(&mut out)?;
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
