//! Hostile and odd input (issue 7): every case either renders as it should or fails with exit 2, a
//! message naming the file, and nothing on stdout; never a panic, a hang or partial output. Time
//! and memory are bounded by the input sizes chosen here, not by timers; `big_files` runs the
//! bounded-memory cases under `ulimit -v`.

use std::path::Path;
use std::process::Command;

use crate::test::{Output, Status, Test, repo};

// The function the fuzz target runs (`fuzz/src/lib.rs`), replayed here on stable Rust.
#[path = "../../fuzz/src/lib.rs"]
mod harness;

const SIDECARSET: &str = "testdata/filebeat-sidecarset/filebeat-sidecarset.yaml";

/// A pod the Filebeat SidecarSet matches.
const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    kruise.io/inject-filebeat: \"true\"\nspec:\n  containers:\n  - name: main\n    image: busybox\n";

fn with_sidecarset() -> Test {
    Test::new().copy(SIDECARSET, "platform/filebeat-sidecarset.yaml")
}

/// Runs `test`: exit 2, nothing on stdout, every needle on stderr, and no panic.
#[track_caller]
fn fails(test: Test, needles: &[&str]) -> Output {
    let mut test = test.status(Status::Error);
    for needle in needles {
        test = test.stderr_contains(needle);
    }
    test.run()
}

fn write_bytes(test: &Test, path: &str, bytes: &[u8]) {
    std::fs::write(test.path().join(path), bytes).expect("write file");
}

// ---------------------------------------------------------------------------------------------
// The fuzz corpus and its regressions

fn files_below(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

#[test]
fn every_fuzz_corpus_and_regression_input_renders_or_fails_cleanly() {
    let mut rendered = 0;
    let mut seen = 0;
    for dir in ["fuzz/corpus/render", "fuzz/regressions/render"] {
        for path in files_below(&repo(dir)) {
            let data = std::fs::read(&path).expect("read fuzz input");
            seen += 1;
            match harness::render(&data) {
                harness::Outcome::Rendered(text) => {
                    rendered += 1;
                    assert!(!text.is_empty() || data.is_empty(), "{}", path.display());
                }
                harness::Outcome::Rejected(message) => {
                    assert!(!message.is_empty(), "{}", path.display());
                }
            }
        }
    }
    assert!(seen >= 10, "the seed corpus is missing");
    // the seeds are valid inputs: most of them must render
    assert!(rendered * 2 > seen, "{rendered} of {seen} rendered");
}

// ---------------------------------------------------------------------------------------------
// Encodings and line ends

#[test]
fn a_bom_is_kept_and_the_file_still_renders() {
    let test = with_sidecarset().args(&["render", "pod.yaml", "-s", "platform"]);
    write_bytes(&test, "pod.yaml", format!("\u{feff}{POD}").as_bytes());
    test.stdout_regex("\u{feff}apiVersion: v1\n(?s:.*)")
        .stdout_contains("- name: filebeat")
        .stderr_contains("injected filebeat-sidecarset")
        .run();
}

/// A BOM-prefixed file after another file must not put the BOM inside a document: `render` must
/// read its own output (`render::append_to_stream` drops the BOM of every file but the first).
#[test]
fn a_bom_in_a_later_file_does_not_end_up_inside_a_document() {
    let test = with_sidecarset().args(&["render", "a.yaml", "pod.yaml", "-s", "platform"]);
    write_bytes(
        &test,
        "a.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
    );
    write_bytes(&test, "pod.yaml", format!("\u{feff}{POD}").as_bytes());
    let first = test
        .stdout_any()
        .stderr_contains("injected filebeat-sidecarset")
        .run();
    with_sidecarset()
        .file("rendered.yaml", &first.stdout)
        .args(&["render", "rendered.yaml", "-s", "platform", "-q"])
        .stdout(&first.stdout)
        .run();
}

#[test]
fn utf16_and_nul_bytes_are_clear_errors() {
    fails(
        with_sidecarset()
            .bytes("utf16.yaml", b"\xff\xfea\x00:\x00 \x001\x00\n\x00")
            .args(&["render", "utf16.yaml", "-s", "platform"]),
        &["utf16.yaml: line 1: not valid UTF-8"],
    );
    fails(
        with_sidecarset()
            .bytes(
                "nul.yaml",
                b"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: \0\n",
            )
            .args(&["render", "nul.yaml", "-s", "platform"]),
        &["nul.yaml:4", "unprintable"],
    );
}

#[test]
fn invalid_utf8_on_stdin_and_in_the_context_is_an_error() {
    fails(
        with_sidecarset()
            .file("pod.yaml", POD)
            .bytes("bad.yaml", b"kind: SidecarSet\n# caf\xe9\n")
            .args(&["render", "pod.yaml", "-s", "platform", "-s", "bad.yaml"]),
        &["bad.yaml: line 2: not valid UTF-8"],
    );
    fails(
        with_sidecarset()
            .args(&["render", "-s", "platform"])
            .stdin_bytes(b"a: \xff\n"),
        &["<stdin>: line 1: not valid UTF-8"],
    );
}

#[test]
fn crlf_flow_and_comments_render_and_uninject_back() {
    let pod = "# a pod\r\napiVersion: v1\r\nkind: Pod\r\nmetadata: {name: p, labels: {kruise.io/inject-filebeat: \"true\"}}  # flow\r\nspec:\r\n  containers:\r\n  # the app\r\n  - name: main\r\n    image: busybox\r\n";
    let out = with_sidecarset()
        .file("pod.yaml", pod)
        .args(&["render", "pod.yaml", "-s", "platform", "-q"])
        .stdout_contains("- name: filebeat\r\n")
        .run();
    assert!(
        !out.stdout.replace("\r\n", "").contains('\n'),
        "{:?}",
        out.stdout
    );
    Test::new()
        .file("rendered.yaml", &out.stdout)
        .args(&["uninject", "rendered.yaml", "-q"])
        .stdout(pod)
        .run();
}

// ---------------------------------------------------------------------------------------------
// Odd but valid text

#[test]
fn tabs_in_values_and_comments_are_kept_and_tab_indentation_is_an_error() {
    let pod = POD.replace("image: busybox", "image: busybox\t# tab before the comment")
        + "    args: [\"a\tb\"]\n";
    with_sidecarset()
        .file("pod.yaml", &pod)
        .args(&["render", "pod.yaml", "-s", "platform", "-q"])
        .stdout_contains("image: busybox\t# tab before the comment\n")
        .stdout_contains("- name: filebeat")
        .run();
    fails(
        with_sidecarset()
            .file(
                "tab.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n",
            )
            .args(&["render", "tab.yaml", "-s", "platform"]),
        &["tab.yaml:4", "invalid YAML", "tabs"],
    );
}

#[test]
fn very_long_lines_are_kept_byte_for_byte() {
    let long = "y".repeat(4 << 20);
    let pod = POD.replace(
        "image: busybox",
        &format!("image: busybox\n    args: [\"{long}\"]"),
    );
    with_sidecarset()
        .file("pod.yaml", &pod)
        .args(&["render", "pod.yaml", "-s", "platform", "-q"])
        .stdout_contains(&format!("    args: [\"{long}\"]\n"))
        .stdout_contains("- name: filebeat")
        .run();
}

#[test]
fn empty_files_empty_documents_and_comment_only_documents_pass_through() {
    let files = [
        ("a-empty.yaml", ""),
        ("b-blank.yaml", "  \n\n"),
        ("c-markers.yaml", "---\n---\n...\n"),
        ("d-comments.yaml", "# only\n# comments\n"),
        (
            "e-mixed.yaml",
            "# c\n---\n---\n# c2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n",
        ),
    ];
    for (name, text) in files {
        with_sidecarset()
            .file(name, text)
            .args(&["render", name, "-s", "platform"])
            .stdout(text)
            .run();
    }
    let mut test = with_sidecarset();
    for (name, text) in files {
        test = test.file(&format!("all/{name}"), text);
    }
    test.args(&["render", "all", "-s", "platform"])
        .stdout_contains("# only\n# comments\n")
        .stdout_contains("metadata: {name: x}\n")
        .run();
}

#[test]
fn duplicate_keys_are_errors_as_in_kubectl() {
    for (name, text, line) in [
        (
            "name.yaml",
            POD.replace("  name: p\n", "  name: p\n  name: q\n"),
            "name.yaml:5",
        ),
        ("spec.yaml", format!("{POD}spec: {{}}\n"), "spec.yaml:11"),
        (
            "flow.yaml",
            "apiVersion: v1\nkind: ConfigMap\ndata: {a: 1, a: 2}\n".to_owned(),
            "flow.yaml:3",
        ),
    ] {
        fails(
            with_sidecarset()
                .file(name, &text)
                .args(&["render", name, "-s", "platform"]),
            &[line, "duplicate mapping key"],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Aliases and nesting (the billion-laughs bomb and 100 000 `[` are in render.rs)

#[test]
fn an_alias_bomb_in_a_sidecarset_context_file_fails_fast() {
    let mut bomb = String::from(
        "apiVersion: apps.kruise.io/v1alpha1\nkind: SidecarSet\nmetadata:\n  name: bomb\nspec:\n  selector: {matchLabels: {a: b}}\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n",
    );
    let mut prev = 'a';
    for name in 'b'..='k' {
        bomb.push_str(&format!(
            "  {name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
        prev = name;
    }
    bomb.push_str("  containers: [{name: x, image: y}]\n");
    fails(
        with_sidecarset()
            .file("pod.yaml", POD)
            .file("platform/bomb.yaml", &bomb)
            .args(&["render", "pod.yaml", "-s", "platform"]),
        &["bomb.yaml:", "alias"],
    );
    fails(
        Test::new()
            .file("bomb.yaml", &bomb)
            .args(&["uninject", "bomb.yaml"]),
        &["bomb.yaml:", "alias"],
    );
}

#[test]
fn self_referencing_and_undefined_aliases_are_errors() {
    for (name, text, needle) in [
        (
            "self.yaml",
            "apiVersion: v1\nkind: ConfigMap\ndata: &a {b: *a}\n",
            "alias",
        ),
        (
            "undefined.yaml",
            "apiVersion: v1\nkind: ConfigMap\ndata: *nope\n",
            "invalid YAML",
        ),
    ] {
        fails(
            with_sidecarset()
                .file(name, text)
                .args(&["render", name, "-s", "platform"]),
            &[name, needle],
        );
    }
}

#[test]
fn small_aliases_are_expanded_and_kept_as_written() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: &labels\n    kruise.io/inject-filebeat: \"true\"\n  annotations:\n    x: &x 'y'\nspec:\n  containers:\n  - name: main\n    image: busybox\n    env: [{name: A, value: *x}]\n";
    with_sidecarset()
        .file("pod.yaml", pod)
        .args(&["render", "pod.yaml", "-s", "platform", "-q"])
        .stdout_contains("  labels: &labels\n")
        .stdout_contains("value: *x}")
        .stdout_contains("- name: filebeat")
        .run();
}

#[test]
fn deep_block_nesting_fails_fast_and_moderate_nesting_renders() {
    let mut deep = String::from("apiVersion: v1\nkind: ConfigMap\ndata:\n");
    for depth in 1..=5_000 {
        deep.push_str(&" ".repeat(depth));
        deep.push_str("a:\n");
    }
    fails(
        with_sidecarset()
            .file("deep.yaml", &deep)
            .args(&["render", "deep.yaml", "-s", "platform"]),
        &["deep.yaml:", "invalid YAML"],
    );
    let moderate = format!("{POD}    command: {}1{}\n", "[".repeat(60), "]".repeat(60));
    with_sidecarset()
        .file("pod.yaml", &moderate)
        .args(&["render", "pod.yaml", "-s", "platform", "-q"])
        .stdout_contains(&format!(
            "    command: {}1{}\n",
            "[".repeat(60),
            "]".repeat(60)
        ))
        .stdout_contains("- name: filebeat")
        .run();
}

// ---------------------------------------------------------------------------------------------
// Files that cannot be read

#[test]
fn an_error_in_a_later_file_leaves_stdout_empty() {
    let mut test = with_sidecarset();
    for i in 0..50 {
        test = test.file(&format!("app/{i:02}.yaml"), POD);
    }
    fails(
        test.file("app/99.yaml", "apiVersion: v1\nkind: Pod\nmetadata: [\n")
            .args(&["render", "app", "-s", "platform"]),
        &["app/99.yaml:", "invalid YAML"],
    );
}

/// With stdout redirected to a file (`render ... > out.yaml`) the output goes straight there; an
/// error cuts the file back to what it held before, and success gives the bytes a pipe gets.
#[test]
fn stdout_redirected_to_a_file_holds_all_or_nothing() {
    let mut test = with_sidecarset();
    for i in 0..50 {
        test = test.file(&format!("app/{i:02}.yaml"), POD);
    }
    let piped = test
        .with_args(&["render", "app", "-s", "platform", "-q"])
        .stdout_any()
        .run();
    let to_file = |args: &[&str], before: &str| {
        let path = test.path().join("out.yaml");
        std::fs::write(&path, before).expect("write out.yaml");
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .expect("open out.yaml");
        std::io::Seek::seek(&mut file, std::io::SeekFrom::End(0)).expect("seek");
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_kruise-inject"))
            .args(args)
            .current_dir(test.path())
            .stdout(file)
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run kruise-inject");
        (
            status.code(),
            std::fs::read_to_string(&path).expect("read out.yaml"),
        )
    };
    let (code, text) = to_file(&["render", "app", "-s", "platform", "-q"], "");
    assert_eq!(code, Some(0));
    assert_eq!(text, piped.stdout);
    let (code, text) = to_file(&["render", "app", "-s", "platform", "-q"], "# kept\n");
    assert_eq!(code, Some(0));
    assert_eq!(text, format!("# kept\n{}", piped.stdout));
    std::fs::write(test.path().join("app/99.yaml"), "kind: Pod\nmetadata: [\n").expect("write");
    let (code, text) = to_file(&["render", "app", "-s", "platform", "-q"], "# kept\n");
    assert_eq!(code, Some(2));
    assert_eq!(
        text, "# kept\n",
        "nothing of the failed run is left in the file"
    );
}

/// `render app > app/zz.yaml`: the output file is also an input, read after the files before it
/// have been rendered; it must be read as it was (empty), not with the output written so far.
#[test]
fn stdout_redirected_to_an_input_file_reads_it_as_it_was() {
    let mut test = with_sidecarset();
    for i in 0..5 {
        test = test.file(&format!("app/{i:02}.yaml"), POD);
    }
    let test = test.file("app/zz.yaml", "");
    let piped = test
        .with_args(&["render", "app", "-s", "platform", "-q"])
        .stdout_any()
        .run();
    let path = test.path().join("app/zz.yaml");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&path)
        .expect("open app/zz.yaml");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_kruise-inject"))
        .args(["render", "app", "-s", "platform", "-q"])
        .current_dir(test.path())
        .stdout(file)
        .status()
        .expect("run kruise-inject");
    assert_eq!(status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), piped.stdout);
}

#[cfg(unix)]
#[test]
fn dangling_symlinks_are_errors_that_name_the_path_once() {
    let test = with_sidecarset().file("app/pod.yaml", POD);
    std::os::unix::fs::symlink("nowhere.yaml", test.path().join("dangling.yaml")).expect("symlink");
    std::os::unix::fs::symlink("nowhere.yaml", test.path().join("app/z.yaml")).expect("symlink");
    let out = fails(
        test.with_args(&["render", "dangling.yaml", "-s", "platform"]),
        &["No such file or directory"],
    );
    assert_eq!(
        out.stderr.matches("No such file").count(),
        1,
        "the OS error is printed once: {}",
        out.stderr
    );
    // Found by a walk: the link and its target are named.
    fails(
        test.with_args(&["render", "app", "-s", "platform"]),
        &["app/z.yaml: a symlink to nowhere.yaml, which does not exist"],
    );
}

/// chmod 000 does not stop root (tests run as root in CI): when the file is still readable, a
/// symlink to `/proc/self/mem` stands in for it, which even root cannot read from offset 0 (EIO).
#[cfg(target_os = "linux")]
#[test]
fn unreadable_files_are_errors_even_for_root() {
    use std::os::unix::fs::PermissionsExt;
    let test = with_sidecarset()
        .file("app/pod.yaml", POD)
        .file("app/secret.yaml", POD);
    let secret = test.path().join("app/secret.yaml");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // A walk refuses the symlink out of `app` before reading it (issue 16); named as a PATH, it is
    // read, and fails.
    let (needle, walked) = if std::fs::read(&secret).is_ok() {
        std::fs::remove_file(&secret).expect("remove");
        std::os::unix::fs::symlink("/proc/self/mem", &secret).expect("symlink");
        ("Input/output error", "outside")
    } else {
        ("Permission denied", "Permission denied")
    };
    fails(
        test.with_args(&["render", "app", "-s", "platform"])
            .stdin(""),
        &["app/secret.yaml", walked],
    );
    fails(
        test.with_args(&["render", "app/pod.yaml", "-s", "app/secret.yaml"])
            .stdin(""),
        &["app/secret.yaml", needle],
    );
    fails(
        test.with_args(&["uninject", "app"]).stdin(""),
        &["app/secret.yaml", walked],
    );
}

/// A FIFO met while walking a directory would block the read forever (nobody writes to it): it is
/// an error instead. (A FIFO given as a PATH is read, as `<(...)` needs.)
#[cfg(unix)]
#[test]
fn fifos_in_directories_are_errors_not_hangs() {
    let test = with_sidecarset().file("app/pod.yaml", POD);
    let status = Command::new("mkfifo")
        .arg(test.path().join("app/pipe.yaml"))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    fails(
        test.with_args(&["render", "app", "-s", "platform"])
            .stdin(""),
        &["app/pipe.yaml: not a regular file"],
    );
    // other names are not read at all
    std::fs::rename(
        test.path().join("app/pipe.yaml"),
        test.path().join("app/pipe"),
    )
    .expect("mv");
    test.with_args(&["render", "app", "-s", "platform", "-q"])
        .stdout_contains("- name: filebeat")
        .run();
}

/// A pipe given as a PATH (`<(...)`, `/dev/stdin`) can be read only once, but render reads its
/// inputs twice: `render::Reader` keeps the text of every source that is not a regular file.
#[cfg(unix)]
#[test]
fn a_pipe_given_as_a_path_is_read_once() {
    with_sidecarset()
        .stdin(POD)
        .args(&["render", "/dev/stdin", "-s", "platform"])
        .stdout_contains("- name: filebeat")
        .stderr_contains("injected filebeat-sidecarset")
        .run();
}

#[test]
fn a_directory_named_like_a_file_is_walked_and_a_file_in_its_place_is_read() {
    with_sidecarset()
        .file("pod.yaml/inner.yaml", POD)
        .args(&["render", "pod.yaml", "-s", "platform", "-q"])
        .stdout_contains("- name: filebeat")
        .run();
}

// ---------------------------------------------------------------------------------------------
// Big files: bounded memory (`ulimit -v`), time bounded by the size

/// The binary run under `ulimit -v` (KiB of address space) through `sh`.
fn run_limited(test: &Test, limit_kib: u64, args: &[&str]) -> Test {
    let mut command = format!("ulimit -v {limit_kib} && exec \"$0\"");
    for i in 1..=args.len() {
        command.push_str(&format!(" \"${i}\""));
    }
    test.with_args(&["-c", &command, env!("CARGO_BIN_EXE_kruise-inject")])
        .args(args)
        .program("sh")
}

/// A stream of `size` bytes of ConfigMaps with ~1 KiB values, then one pod that gets a sidecar.
fn big_stream(size: usize) -> String {
    let doc = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: \"{}\"\n---\n",
        "x".repeat(900)
    );
    let mut text = doc.repeat(size / doc.len() + 1);
    text.push_str(POD);
    text
}

fn assert_big_file_renders(size: usize, limit_kib: u64) {
    let test = with_sidecarset();
    std::fs::write(test.path().join("big.yaml"), big_stream(size)).expect("write big file");
    let out = run_limited(
        &test,
        limit_kib,
        &["render", "big.yaml", "-s", "platform", "-q"],
    )
    .stdout_contains("  - name: main\n    image: busybox\n")
    .stdout_contains("- name: filebeat")
    .run();
    assert!(out.stdout.len() > size, "output too short");
}

#[cfg(unix)]
#[test]
fn big_four_megabyte_file_renders_within_a_gigabyte() {
    assert_big_file_renders(4 << 20, 1 << 20);
}

/// 100 MB: minutes in a debug build, so it is `--ignored` and CI runs it with `--release`
/// (`.ci/run`): `cargo test --release --test integration -- --ignored hostile::big_`.
#[cfg(unix)]
#[test]
#[ignore = "100 MB: run with --release -- --ignored (CI does)"]
fn big_hundred_megabyte_file_renders_within_four_gigabytes() {
    assert_big_file_renders(100 << 20, 4 << 20);
}

/// Many big files: render holds one file at a time, so the limit that fits one fits them all.
#[cfg(unix)]
#[test]
#[ignore = "20 x 10 MB: run with --release -- --ignored (CI does)"]
fn big_files_many_need_no_more_memory_than_one() {
    let test = with_sidecarset();
    let text = big_stream(10 << 20);
    for i in 0..20 {
        std::fs::create_dir_all(test.path().join("app")).expect("mkdir");
        std::fs::write(test.path().join(format!("app/{i:02}.yaml")), &text).expect("write");
    }
    let out = run_limited(&test, 1 << 20, &["render", "app", "-s", "platform", "-q"])
        .stdout_any()
        .run();
    assert_eq!(out.stdout.matches("- name: filebeat").count(), 20);
}

/// Found by `cargo fuzz`: YAML reads a lone CR as a line break, and the injected annotations landed
/// under the next key. Refused instead (`fuzz/regressions/render/lone-cr.yaml`).
#[test]
fn lone_carriage_returns_are_errors_not_misplaced_edits() {
    let pod = POD.replace("\"true\"\nspec:", "\"true\"\rspec:");
    fails(
        with_sidecarset()
            .file("pod.yaml", &pod)
            .args(&["render", "pod.yaml", "-s", "platform"]),
        &["pod.yaml:6", "carriage return without a line feed"],
    );
}
