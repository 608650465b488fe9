//! A builder for one run of the binary, after the test builder of just (`tests/test.rs`): one chained
//! call states the arguments and inputs of a run and everything it must produce — exit status,
//! stdout, stderr, files written below the test directory — and `run()` checks them all at once,
//! printing every mismatch (with a diff) and the whole transcript on failure.
//!
//! ```ignore
//! Test::new()
//!     .copy("testdata/admission/app.yaml", "app.yaml")
//!     .args(&["render", "app.yaml", "-s", "platform"])
//!     .status(Status::Error)
//!     .stderr_contains("app.yaml:3: ")
//!     .run();
//! ```
//!
//! The defaults are strict: status 0, nothing on stdout, nothing on stderr, and never a panic. A run
//! whose stdout (or stderr) the test checks itself, e.g. with an insta snapshot of the returned
//! [`Output`], says so with [`Test::stdout_any`] (or [`Test::stderr_any`]). In every expected text,
//! `[DIR]` stands for the test directory (the temporary directory, or the directory given to
//! [`Test::at`]), which is the only part of a path that varies between runs.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;

use regex::Regex;

/// The exit status of `kruise-inject` (README, "Exit codes").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// 0: success; `diff`: nothing changes; `check`: up to date; `validate`: no error.
    Success,
    /// 1: `render --out-dir` wrote or removed files, `check` found stale files, `diff` found
    /// changes, `validate` found errors, `health` found a workload not Healthy.
    Changes,
    /// 2: an error; nothing is written on stdout.
    Error,
    /// 3: `diff --old-sidecarsets`: Kruise rejects the update of a SidecarSet.
    UpdateRejected,
    /// Any other code (-1: killed by a signal).
    Code(i32),
}

impl Status {
    pub fn code(self) -> i32 {
        match self {
            Self::Success => 0,
            Self::Changes => 1,
            Self::Error => 2,
            Self::UpdateRejected => 3,
            Self::Code(code) => code,
        }
    }
}

impl From<i32> for Status {
    fn from(code: i32) -> Self {
        match code {
            0 => Self::Success,
            1 => Self::Changes,
            2 => Self::Error,
            3 => Self::UpdateRejected,
            code => Self::Code(code),
        }
    }
}

/// The result of a run.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Exit code, stdout and stderr as one text, for snapshots.
    pub fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// What a stream (stdout or stderr) must hold.
#[derive(Clone, Debug)]
struct Expected {
    /// The whole text: empty by default, `None` once a partial expectation is stated (unless the
    /// whole text was stated too), or the stream is left to the caller.
    exact: Option<String>,
    /// `exact` was stated by the test (not the default), so partial expectations add to it.
    stated: bool,
    contains: Vec<String>,
    lacks: Vec<String>,
    /// Each must match the whole text.
    regexes: Vec<Regex>,
}

impl Default for Expected {
    fn default() -> Self {
        Self {
            exact: Some(String::new()),
            stated: false,
            contains: Vec::new(),
            lacks: Vec::new(),
            regexes: Vec::new(),
        }
    }
}

impl Expected {
    fn exact(&mut self, text: &str) {
        self.exact = Some(text.to_owned());
        self.stated = true;
    }

    fn any(&mut self) {
        self.exact = None;
        self.stated = false;
    }

    /// A partial expectation replaces the default (nothing), not a whole text the test stated.
    fn partial(&mut self) {
        if !self.stated {
            self.exact = None;
        }
    }

    fn contains(&mut self, text: &str) {
        self.partial();
        self.contains.push(text.to_owned());
    }

    fn lacks(&mut self, text: &str) {
        self.partial();
        self.lacks.push(text.to_owned());
    }

    fn regex(&mut self, pattern: &str) {
        self.partial();
        let regex = Regex::new(&format!(r"\A(?:{pattern})\z"))
            .unwrap_or_else(|e| panic!("bad regex {pattern:?}: {e}"));
        self.regexes.push(regex);
    }

    /// Every mismatch of `actual` (in which the test directory reads `[DIR]`), described.
    fn check(&self, name: &str, actual: &str, problems: &mut Vec<String>) {
        if let Some(exact) = &self.exact
            && actual != exact
        {
            problems.push(format!(
                "{name} differs (- expected, + actual):\n{}",
                diff(exact, actual)
            ));
        }
        for needle in &self.contains {
            if !actual.contains(needle.as_str()) {
                problems.push(format!("{name} does not contain {needle:?}"));
            }
        }
        for needle in &self.lacks {
            if actual.contains(needle.as_str()) {
                problems.push(format!("{name} contains {needle:?}, which it must not"));
            }
        }
        for regex in &self.regexes {
            if !regex.is_match(actual) {
                problems.push(format!("{name} does not match /{}/", regex.as_str()));
            }
        }
    }
}

/// A line diff of two texts.
fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .missing_newline_hint(true)
        .to_string()
}

/// One run of `kruise-inject`, and what it must produce. A `Test` is cheap to clone: clones share
/// the test directory (see [`Test::with_args`] to run another command in it).
#[must_use]
#[derive(Clone)]
pub struct Test {
    dir: Rc<tempfile::TempDir>,
    /// Where the command runs: the test directory, or a path relative to it or absolute.
    cwd: Option<PathBuf>,
    /// The program run instead of `kruise-inject` (kpt, kubectl, sh), found on PATH.
    program: Option<String>,
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    env: Vec<(String, String)>,
    /// Only `env` in the environment.
    env_clear: bool,
    /// Variables taken out of the environment.
    env_remove: Vec<String>,
    status: Option<Status>,
    stdout: Expected,
    stderr: Expected,
    /// Files below the test directory after the run: `Some(content)`, or absent.
    files: Vec<(String, Option<String>)>,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    pub fn new() -> Self {
        Self::new_in(&Rc::new(tempfile::tempdir().expect("temporary directory")))
    }

    /// A run in `dir` (e.g. a case directory of the repository, which the test must not write to)
    /// instead of a temporary directory; `[DIR]` then stands for `dir`.
    pub fn at(dir: impl AsRef<Path>) -> Self {
        let mut test = Self::new();
        test.cwd = Some(dir.as_ref().to_path_buf());
        test
    }

    /// The same directory and environment, with other arguments and default expectations.
    pub fn with_args(&self, args: &[&str]) -> Self {
        Self {
            cwd: self.cwd.clone(),
            env: self.env.clone(),
            ..Self::new_in(&self.dir)
        }
        .args(args)
    }

    fn new_in(dir: &Rc<tempfile::TempDir>) -> Self {
        Self {
            dir: Rc::clone(dir),
            cwd: None,
            program: None,
            args: Vec::new(),
            stdin: None,
            env: Vec::new(),
            env_clear: false,
            env_remove: Vec::new(),
            status: Some(Status::Success),
            stdout: Expected::default(),
            stderr: Expected::default(),
            files: Vec::new(),
        }
    }

    /// Runs in `dir`, relative to the test directory (or absolute).
    pub fn current_dir(mut self, dir: &str) -> Self {
        self.cwd = Some(self.dir.path().join(dir));
        self
    }

    /// Writes a file below the test directory.
    pub fn file(self, path: &str, content: &str) -> Self {
        self.bytes(path, content.as_bytes())
    }

    /// Writes a file of raw bytes below the test directory.
    pub fn bytes(self, path: &str, content: &[u8]) -> Self {
        let path = self.dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create directory");
        }
        std::fs::write(path, content).expect("write file");
        self
    }

    /// Copies a file from the repository (e.g. `testdata/...`) into the test directory.
    pub fn copy(self, from: &str, to: &str) -> Self {
        let content = std::fs::read_to_string(repo(from)).expect("read fixture");
        self.file(to, &content)
    }

    pub fn args(mut self, args: &[&str]) -> Self {
        self.args.extend(args.iter().map(|a| (*a).to_owned()));
        self
    }

    pub fn stdin(self, stdin: &str) -> Self {
        self.stdin_bytes(stdin.as_bytes())
    }

    pub fn stdin_bytes(mut self, stdin: &[u8]) -> Self {
        self.stdin = Some(stdin.to_vec());
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Runs with only the variables given by [`Test::env`].
    pub fn env_clear(mut self) -> Self {
        self.env_clear = true;
        self
    }

    /// Runs without the variable `key` (unless [`Test::env`] sets it).
    pub fn env_remove(mut self, key: &str) -> Self {
        self.env_remove.push(key.to_owned());
        self
    }

    /// Runs `program` (kpt, kubectl, sh: a name on PATH, or a path) instead of `kruise-inject`,
    /// for the tests of how other tools run it; everything else is the same.
    pub fn program(mut self, program: &str) -> Self {
        self.program = Some(program.to_owned());
        self
    }

    /// The expected exit status: a [`Status`] or a code; 0 unless stated.
    pub fn status(mut self, status: impl Into<Status>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Any exit status: for the few tests that check it themselves.
    pub fn status_any(mut self) -> Self {
        self.status = None;
        self
    }

    /// Exactly this on stdout.
    pub fn stdout(mut self, stdout: &str) -> Self {
        self.stdout.exact(stdout);
        self
    }

    /// Stdout holds this (and whatever else).
    pub fn stdout_contains(mut self, text: &str) -> Self {
        self.stdout.contains(text);
        self
    }

    /// Stdout does not hold this.
    pub fn stdout_lacks(mut self, text: &str) -> Self {
        self.stdout.lacks(text);
        self
    }

    /// The whole of stdout matches this regular expression.
    pub fn stdout_regex(mut self, pattern: &str) -> Self {
        self.stdout.regex(pattern);
        self
    }

    /// Stdout is not checked here: the test checks the returned [`Output`] (a snapshot).
    pub fn stdout_any(mut self) -> Self {
        self.stdout.any();
        self
    }

    /// Exactly this on stderr.
    pub fn stderr(mut self, stderr: &str) -> Self {
        self.stderr.exact(stderr);
        self
    }

    /// Stderr holds this (and whatever else).
    pub fn stderr_contains(mut self, text: &str) -> Self {
        self.stderr.contains(text);
        self
    }

    /// Stderr does not hold this.
    pub fn stderr_lacks(mut self, text: &str) -> Self {
        self.stderr.lacks(text);
        self
    }

    /// The whole of stderr matches this regular expression.
    pub fn stderr_regex(mut self, pattern: &str) -> Self {
        self.stderr.regex(pattern);
        self
    }

    /// Stderr is not checked here (it is checked by the test, or deliberately ignored).
    pub fn stderr_any(mut self) -> Self {
        self.stderr.any();
        self
    }

    /// After the run, the file `path` (below the test directory) holds exactly `content`.
    pub fn expect_file(mut self, path: &str, content: &str) -> Self {
        self.files.push((path.to_owned(), Some(content.to_owned())));
        self
    }

    /// After the run, there is no file (or directory) `path` below the test directory.
    pub fn expect_no_file(mut self, path: &str) -> Self {
        self.files.push((path.to_owned(), None));
        self
    }

    /// The test directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Where the command runs, which `[DIR]` stands for.
    fn run_dir(&self) -> PathBuf {
        match &self.cwd {
            Some(dir) => self.dir.path().join(dir),
            None => self.dir.path().to_path_buf(),
        }
    }

    fn execute(&self) -> Output {
        let program = self
            .program
            .as_deref()
            .unwrap_or(env!("CARGO_BIN_EXE_kruise-inject"));
        let mut command = Command::new(program);
        if self.env_clear {
            command.env_clear();
        }
        for key in &self.env_remove {
            command.env_remove(key);
        }
        spawn(
            command,
            &self.run_dir(),
            &self.args,
            self.stdin.as_deref(),
            &self.env,
        )
    }

    /// Runs the binary and checks everything stated; panics with every mismatch and the
    /// transcript.
    #[track_caller]
    pub fn run(&self) -> Output {
        let dir = self.run_dir();
        let out = self.execute();
        let mut problems = Vec::new();
        if let Some(status) = self.status
            && out.code != status.code()
        {
            problems.push(format!(
                "exit status {}, expected {} ({status:?})",
                out.code,
                status.code()
            ));
        }
        let stdout = with_dir_placeholder(&out.stdout, &dir);
        let stderr = with_dir_placeholder(&out.stderr, &dir);
        self.stdout.check("stdout", &stdout, &mut problems);
        self.stderr.check("stderr", &stderr, &mut problems);
        if stderr.contains("panicked at") || stderr.contains("RUST_BACKTRACE") {
            problems.push("kruise-inject panicked".to_owned());
        }
        for (path, expected) in &self.files {
            let full = self.dir.path().join(path);
            match (expected, std::fs::read_to_string(&full)) {
                (Some(expected), Ok(actual)) if &actual != expected => problems.push(format!(
                    "file {path} differs (- expected, + actual):\n{}",
                    diff(expected, &actual)
                )),
                (Some(_), Ok(_)) => {}
                (Some(_), Err(e)) => problems.push(format!("file {path} was not written: {e}")),
                (None, _) if full.symlink_metadata().is_ok() => {
                    problems.push(format!("file {path} exists, and must not"));
                }
                (None, _) => {}
            }
        }
        if !problems.is_empty() {
            let program = self.program.as_deref().unwrap_or("kruise-inject");
            let mut message = format!("{program} {}\n", self.args.join(" "));
            for problem in &problems {
                let _ = writeln!(message, "\n{}", shortened(problem));
            }
            let _ = write!(
                message,
                "\n=== transcript\nexit: {}\n--- stdout\n{}--- stderr\n{}",
                out.code,
                shortened(&out.stdout),
                shortened(&out.stderr)
            );
            panic!("{message}");
        }
        out
    }
}

/// `text`, or its start and end when it is too long to print.
fn shortened(text: &str) -> String {
    const LIMIT: usize = 32 * 1024;
    if text.len() <= LIMIT {
        return text.to_owned();
    }
    let mut head = LIMIT / 2;
    while !text.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = text.len() - LIMIT / 2;
    while !text.is_char_boundary(tail) {
        tail += 1;
    }
    format!(
        "{}\n[... {} bytes left out ...]\n{}",
        &text[..head],
        tail - head,
        &text[tail..]
    )
}

/// `text` with the test directory written as `[DIR]` (also in its canonical form).
fn with_dir_placeholder(text: &str, dir: &Path) -> String {
    let mut text = text.to_owned();
    let canonical = dir.canonicalize().ok();
    for dir in [Some(dir.to_path_buf()), canonical].into_iter().flatten() {
        let dir = dir.to_string_lossy();
        if dir.len() > 1 {
            text = text.replace(dir.as_ref(), "[DIR]");
        }
    }
    text
}

/// A path in the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Runs the binary in `dir`, checking nothing: for the golden cases, whose transcript is the
/// snapshot.
pub fn run_in(
    dir: &Path,
    args: &[String],
    stdin: Option<&str>,
    env: &[(String, String)],
) -> Output {
    let command = Command::new(env!("CARGO_BIN_EXE_kruise-inject"));
    spawn(command, dir, args, stdin.map(str::as_bytes), env)
}

fn spawn(
    mut command: Command,
    dir: &Path,
    args: &[String],
    stdin: Option<&[u8]>,
    env: &[(String, String)],
) -> Output {
    command
        .args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap_or_else(|e| {
        panic!(
            "cannot run {} ({e}): install it, or leave out the ignored tests that need it",
            command.get_program().to_string_lossy()
        )
    });
    {
        let mut pipe = child.stdin.take().expect("stdin");
        if let Some(input) = stdin {
            pipe.write_all(input).expect("write stdin");
        }
    }
    let output = child.wait_with_output().expect("wait for the program");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

// The builder itself: what it checks, and what it prints when a check fails.

/// The panic message of `f`.
fn failure(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).expect_err("the run must fail");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

#[test]
fn a_run_that_matches_returns_its_output() {
    let version = format!("kruise-inject {}\n", env!("CARGO_PKG_VERSION"));
    let out = Test::new().args(&["--version"]).stdout(&version).run();
    assert_eq!(
        (out.code, out.stdout, out.stderr),
        (0, version, String::new())
    );
    Test::new()
        .args(&["render", "nope.yaml"])
        .status(Status::Error)
        .stderr_regex(r"error: nope\.yaml: No such file or directory \(os error 2\)\n?")
        .stderr_contains("nope.yaml")
        .stderr_lacks("panicked")
        .expect_no_file("nope.yaml")
        .run();
}

#[test]
fn every_mismatch_is_reported_with_the_transcript() {
    let message = failure(|| {
        Test::new()
            .args(&["render", "nope.yaml"])
            .stdout("something\n")
            .stderr_contains("never printed")
            .expect_file("out.yaml", "a: b\n")
            .run();
    });
    for part in [
        "kruise-inject render nope.yaml",
        "exit status 2, expected 0 (Success)",
        "stdout differs (- expected, + actual):\n@@ -1 +0,0 @@\n-something\n",
        "stderr does not contain \"never printed\"",
        "file out.yaml was not written",
        "=== transcript\nexit: 2\n--- stdout\n--- stderr\nerror: nope.yaml",
    ] {
        assert!(message.contains(part), "{part:?} not in:\n{message}");
    }
}

#[test]
fn a_partial_expectation_adds_to_a_stated_whole_text() {
    let version = format!("kruise-inject {}\n", env!("CARGO_PKG_VERSION"));
    let message = failure(|| {
        Test::new()
            .args(&["--version"])
            .stdout(&version)
            .stdout_contains("not there")
            .run();
    });
    assert!(
        message.contains("stdout does not contain \"not there\""),
        "{message}"
    );
    let message = failure(|| {
        Test::new()
            .args(&["--version"])
            .stdout("other\n")
            .stdout_contains("kruise-inject")
            .run();
    });
    assert!(message.contains("stdout differs"), "{message}");
}

#[test]
fn unexpected_stderr_fails_unless_ignored_and_the_test_directory_reads_dir() {
    let test = Test::new().file("a.yaml", "apiVersion: v1\nkind: ConfigMap\n");
    let message = failure(|| {
        test.with_args(&["validate", "a.yaml"]).run();
    });
    assert!(
        message.contains("stderr differs") && message.contains("+validate: 0 errors"),
        "{message}"
    );
    test.with_args(&["validate", "a.yaml"]).stderr_any().run();
    let absolute = test.path().join("missing.yaml").display().to_string();
    test.with_args(&["render", &absolute])
        .status(2)
        .stderr_contains("[DIR]/missing.yaml")
        .run();
}
