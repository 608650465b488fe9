//! A builder for one run of the binary in a temporary directory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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

/// One run of `kruise-inject`.
pub struct Test {
    dir: tempfile::TempDir,
    args: Vec<String>,
    stdin: Option<String>,
    env: Vec<(String, String)>,
}

impl Test {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temporary directory"),
            args: Vec::new(),
            stdin: None,
            env: Vec::new(),
        }
    }

    /// Writes a file below the test directory.
    pub fn file(self, path: &str, content: &str) -> Self {
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

    pub fn stdin(mut self, stdin: &str) -> Self {
        self.stdin = Some(stdin.to_owned());
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn run(&self) -> Output {
        run_in(
            self.dir.path(),
            &self.args,
            self.stdin.as_deref(),
            &self.env,
        )
    }
}

/// A path in the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Runs the binary in `dir`.
pub fn run_in(
    dir: &Path,
    args: &[String],
    stdin: Option<&str>,
    env: &[(String, String)],
) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kruise-inject"));
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
    let mut child = command.spawn().expect("run kruise-inject");
    {
        let mut pipe = child.stdin.take().expect("stdin");
        if let Some(input) = stdin {
            pipe.write_all(input.as_bytes()).expect("write stdin");
        }
    }
    let output = child.wait_with_output().expect("wait for kruise-inject");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}
