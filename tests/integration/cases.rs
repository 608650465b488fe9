//! Golden cases under `testdata/render/<case>/`: `cmd` holds the arguments (one per line, `#`
//! comments allowed), the other files are the inputs; the transcript (exit code, stdout, stderr) of
//! running the arguments in that directory is an insta snapshot.

use crate::test::run_in;

#[test]
fn render_cases() {
    insta::glob!("../../testdata/render", "*/cmd", |cmd_path| {
        let dir = cmd_path.parent().expect("case directory");
        let cmd = std::fs::read_to_string(cmd_path).expect("read cmd");
        let args: Vec<String> = cmd
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        let stdin = std::fs::read_to_string(dir.join("stdin")).ok();
        let output = run_in(dir, &args, stdin.as_deref(), &[]);
        insta::assert_snapshot!(output.transcript());
    });
}
