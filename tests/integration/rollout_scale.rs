//! `kruise-inject rollout` on a pod dump whose rollout takes many rounds (issue 14): the table
//! collapses runs of alike rounds, `--verbose` shows every round, JSON lists every pod.

use serde_json::Value;

use crate::test::{Output, Test};

const DIR: &str = "testdata/rollout-scale";

/// Runs the rollout of the pod dump with `args` (exit 0, nothing on stderr).
fn rollout(args: &[&str]) -> Output {
    let test = Test::new()
        .copy(&format!("{DIR}/pods.yaml"), "pods.yaml")
        .copy(&format!("{DIR}/log-agent.yaml"), "log-agent.yaml");
    test.args(&[
        "rollout",
        "pods.yaml",
        "-s",
        "log-agent.yaml",
        "--rounds",
        "all",
    ])
    .args(args)
    .stdout_any()
    .run()
}

/// maxUnavailable 1 over 24 pods: the not-ready pod and one ready pod in round 1 (a not-ready
/// pod uses no budget), then one pod a round; rounds 2-23 are one entry of the table.
#[test]
fn alike_rounds_are_one_entry_of_the_table() {
    let out = rollout(&[]);
    assert!(
        out.stdout
            .contains("  rounds 2-23: upgrade 1 pod each, 22 pods in all\n")
    );
    assert!(!out.stdout.contains("round 5:"));
    insta::assert_snapshot!(out.transcript());
}

/// `--verbose` shows each round, in the order of the collapsed entry; JSON has every round.
#[test]
fn verbose_shows_every_round_in_the_same_order() {
    let table = rollout(&[]).stdout;
    let verbose = rollout(&["--verbose"]);
    for r in 2..=23 {
        assert!(
            verbose
                .stdout
                .contains(&format!("\n  round {r}: upgrade 1 pod\n"))
        );
    }
    assert!(!verbose.stdout.contains("rounds 2-23"));
    let json: Value = serde_json::from_str(&rollout(&["-o", "json"]).stdout).expect("JSON");
    let rounds = json["sidecarSets"][0]["rounds"].as_array().expect("rounds");
    assert_eq!(rounds.len(), 23);
    let order: Vec<&str> = rounds[1..]
        .iter()
        .map(|r| r["upgrade"][0].as_str().expect("pod"))
        .collect();
    let listed: Vec<&str> = table
        .lines()
        .skip_while(|l| !l.contains("in this order:"))
        .skip(1)
        .take(10)
        .map(str::trim)
        .collect();
    assert_eq!(listed, order[..10]);
    for pod in &order {
        assert!(verbose.stdout.contains(&format!("    {pod}  log-agent: ")));
    }
}
