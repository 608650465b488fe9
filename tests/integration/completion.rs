//! The checked-in bash completion script, loaded into a real bash and asked to complete command
//! lines as bash's programmable completion does (`complete -p` names the function; it gets the
//! command, the current word and the previous word, and answers in COMPREPLY).

use std::process::Command;

use crate::test::repo;

/// The completions bash offers for `line` (the cursor at its end).
fn complete(line: &str) -> Vec<String> {
    const DRIVER: &str = r#"
source "$SCRIPT" || exit 3
read -ra COMP_WORDS <<< "$LINE"
if [[ "$LINE" == *" " ]]; then COMP_WORDS+=(""); fi
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$LINE"
COMP_POINT=${#LINE}
spec=$(complete -p kruise-inject) || exit 4
fn=$(sed -E 's/.* -F ([^ ]+) .*/\1/' <<< "$spec")
prev=""
if (( COMP_CWORD > 0 )); then prev="${COMP_WORDS[COMP_CWORD-1]}"; fi
"$fn" kruise-inject "${COMP_WORDS[COMP_CWORD]}" "$prev"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", DRIVER])
        .env("SCRIPT", repo("completions/kruise-inject.bash"))
        .env("LINE", line)
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "{line:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn assert_offers(line: &str, want: &[&str]) {
    let got = complete(line);
    for w in want {
        assert!(
            got.iter().any(|g| g == w),
            "{line:?} offers {got:?}, not {w}"
        );
    }
}

#[test]
fn bash_completes_subcommands() {
    assert_offers(
        "kruise-inject ",
        &["render", "diff", "check", "krm", "completions"],
    );
    assert_eq!(complete("kruise-inject ren"), ["render"]);
}

#[test]
fn bash_completes_the_flags_of_each_subcommand() {
    assert_offers(
        "kruise-inject render --",
        &[
            "--sidecarsets",
            "--out-dir",
            "--prune",
            "--timestamp",
            "--namespace",
        ],
    );
    assert_offers(
        "kruise-inject check --",
        &["--out-dir", "--prune", "--output", "--color"],
    );
    assert_offers(
        "kruise-inject diff --",
        &["--old-sidecarsets", "--context", "--output"],
    );
    assert_offers("kruise-inject validate --", &["--strict", "--output"]);
    assert_eq!(complete("kruise-inject render --out-"), ["--out-dir"]);
    // after a flag's value and a path, the flags still complete
    assert_offers("kruise-inject render -s platform/ apps/ --p", &["--prune"]);
}

#[test]
fn bash_completes_the_values_of_flags() {
    assert_eq!(
        complete("kruise-inject diff --color "),
        ["auto", "always", "never"]
    );
    assert_offers("kruise-inject check --output ", &["text", "github"]);
    assert_offers("kruise-inject health -o ", &["text", "json"]);
    assert_offers("kruise-inject rollout -o ", &["table", "json", "yaml"]);
    assert_offers(
        "kruise-inject completions ",
        &["bash", "elvish", "fish", "powershell", "zsh"],
    );
}

const COMMANDS: [&str; 10] = [
    "render",
    "diff",
    "check",
    "validate",
    "health",
    "uninject",
    "krm",
    "rollout",
    "completions",
    "man",
];

#[test]
fn every_help_has_examples_that_name_the_command() {
    crate::test::Test::new()
        .args(&["--help"])
        .stdout_contains("\nExamples:\n  # ")
        .run();
    for command in COMMANDS {
        let out = crate::test::Test::new()
            .args(&[command, "--help"])
            .stdout_contains(&format!("kruise-inject {command}"))
            .run();
        let (_, examples) = out
            .stdout
            .split_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("{command} --help has no examples:\n{}", out.stdout));
        assert!(
            examples.contains(&format!("kruise-inject {command}")),
            "{command}: {examples}"
        );
    }
}

#[test]
fn diff_and_check_describe_their_own_paths() {
    let help = |command: &str| {
        let out = crate::test::Test::new()
            .args(&[command, "--help"])
            .stdout_contains("Arguments:\n")
            .run();
        let (_, rest) = out
            .stdout
            .split_once("Arguments:\n")
            .expect("PATH argument");
        let (block, _) = rest
            .split_once("\nOptions:")
            .expect("options after the arguments");
        block
            .split_whitespace()
            .skip(1)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let render = help("render");
    let diff = help("diff");
    let check = help("check");
    assert!(
        render.starts_with("Files or directories to render"),
        "{render}"
    );
    assert!(
        diff.starts_with("Files or directories to compare"),
        "{diff}"
    );
    assert!(check.contains("render --out-dir DIR"), "{check}");
    for text in [&diff, &check] {
        assert!(!text.contains("written to standard output"), "{text}");
    }
}

#[test]
fn man_pages_have_synopsis_exit_status_environment_and_examples() {
    let mut files: Vec<String> = std::fs::read_dir(repo("man"))
        .expect("man/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut want: Vec<String> = COMMANDS
        .iter()
        .map(|c| format!("kruise-inject-{c}.1"))
        .chain(["kruise-inject.1".to_owned()])
        .collect();
    want.sort();
    assert_eq!(files, want, "one page per command, none for help");
    for command in COMMANDS {
        let out = crate::test::Test::new()
            .args(&["man", command])
            .stdout_contains(&format!(".TH kruise-inject-{command} 1"))
            .stdout_contains(".SH \"EXIT STATUS\"\n")
            .stdout_contains(".SH EXAMPLES\n")
            .stdout_lacks(".SH EXTRA")
            .run();
        let page = out.stdout;
        assert!(
            page.contains(&format!(".TH kruise-inject-{command} 1")),
            "{page}"
        );
        let synopsis = page
            .split_once(".SH SYNOPSIS\n")
            .map(|(_, rest)| rest.lines().next().unwrap_or_default())
            .expect("SYNOPSIS");
        assert!(
            synopsis.starts_with(&format!("\\fBkruise\\-inject {command}\\fR")),
            "{synopsis}"
        );
    }
    for command in ["render", "diff", "check", "krm", "rollout"] {
        crate::test::Test::new()
            .args(&["man", command])
            .stdout_contains(".SH ENVIRONMENT\n.TP\n\\fBSOURCE_DATE_EPOCH\\fR")
            .run();
    }
    crate::test::Test::new()
        .args(&["man", "help"])
        .status(crate::test::Status::Error)
        .stderr("error: no command \"help\": see `kruise-inject --help`\n")
        .run();
}
