//! `kruise-inject completions` and `kruise-inject man`.

use crate::test::{Status, Test};

#[test]
fn completions_print_a_script_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        Test::new()
            .args(&["completions", shell])
            .stdout_contains("render")
            .run();
    }
    Test::new()
        .args(&["completions", "tcsh"])
        .status(Status::Error)
        .stderr_contains("invalid value 'tcsh'")
        .run();
}

#[test]
fn man_prints_the_main_page_and_each_command_page() {
    Test::new()
        .args(&["man"])
        .stdout_contains(".TH kruise-inject 1")
        .run();
    Test::new()
        .args(&["man", "render"])
        .stdout_contains(".TH kruise-inject-render 1")
        .run();
    Test::new()
        .args(&["man", "nope"])
        .status(Status::Error)
        .stderr_contains("no command")
        .run();
}
