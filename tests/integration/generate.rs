//! `kruise-inject completions` and `kruise-inject man`.

use crate::test::Test;

#[test]
fn completions_print_a_script_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = Test::new().args(&["completions", shell]).run_unchecked();
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains("render"), "{shell}");
    }
    let out = Test::new().args(&["completions", "tcsh"]).run_unchecked();
    assert_eq!(out.code, 2);
}

#[test]
fn man_prints_the_main_page_and_each_command_page() {
    let out = Test::new().args(&["man"]).run_unchecked();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(".TH kruise-inject 1"), "{}", out.stdout);
    let out = Test::new().args(&["man", "render"]).run_unchecked();
    assert!(
        out.stdout.contains(".TH kruise-inject-render 1"),
        "{}",
        out.stdout
    );
    let out = Test::new().args(&["man", "nope"]).run_unchecked();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no command"), "{}", out.stderr);
}
