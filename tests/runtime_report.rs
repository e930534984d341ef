//! `check --runtime-report`: the hand-written report `tests/runtime_report/report.jsonl`,
//! joined with the findings of `tests/runtime_report/shop.py` (copied to `app/shop.py` in a
//! temporary directory, as a checkout the report's `/srv/checkout/app/...` paths end with).
//!
//! What the report holds, line by line, and what must come of it:
//! 1. LW101 blocked at row 11, 14 times, 230 ms max: confirms the static LW101 there.
//! 2. LW101 blocking call in `load` (row 7), its stack through row 15: confirms the LW103 at
//!    row 15 (the coroutine's call of the helper), in a relative path.
//! 3. LW101 blocked at row 19, where no rule reports: a runtime-only LW101.
//! 4. LW202 at row 27, which the static analysis cannot know runs in a loop: runtime only.
//! 5. LW302 at row 11: another family than the LW101 there, so runtime only.
//! 6. A gather that returned exceptions, with no LW402 to confirm: not reported.
//! 7. A file that was not checked (asyncio's own), 8. a row past the end: not reported.
//! 9. LW101 blocked in `app/clean.py`, a file without static findings: runtime only.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

fn checkout() -> TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/runtime_report");
    std::fs::create_dir_all(dir.path().join("app")).expect("app directory");
    std::fs::copy(here.join("shop.py"), dir.path().join("app/shop.py")).expect("copy shop.py");
    std::fs::copy(here.join("clean.py"), dir.path().join("app/clean.py")).expect("copy clean.py");
    std::fs::copy(here.join("report.jsonl"), dir.path().join("report.jsonl"))
        .expect("copy the report");
    dir
}

fn loopwarden(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut command: Command = assert_cmd::cargo::cargo_bin_cmd!("loopwarden");
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["check", "app", "--runtime-report", "report.jsonl"])
        .args(args)
        .output()
        .expect("loopwarden runs")
}

fn json_findings(dir: &Path) -> Vec<Value> {
    let output = loopwarden(dir, &["--output-format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

/// (code, row, summary, only at runtime) of every finding the report touched.
fn seen(findings: &[Value]) -> Vec<(String, u64, String, bool)> {
    findings
        .iter()
        .filter(|finding| finding.get("runtime").is_some())
        .map(|finding| {
            let runtime = &finding["runtime"];
            (
                finding["code"].as_str().unwrap().to_string(),
                finding["location"]["row"].as_u64().unwrap(),
                runtime["summary"].as_str().unwrap().to_string(),
                runtime["only_at_runtime"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn confirms_findings_and_reports_what_only_the_run_saw() {
    let dir = checkout();
    let findings = json_findings(dir.path());
    assert_eq!(
        seen(&findings),
        vec![
            (
                "LW101".into(),
                2,
                "held the loop once, 2500 ms max".into(),
                true
            ),
            (
                "LW101".into(),
                11,
                "held the loop 14 times, 230 ms max".into(),
                false
            ),
            (
                "LW302".into(),
                11,
                "a coroutine created here was never awaited, once".into(),
                true
            ),
            (
                "LW103".into(),
                15,
                "a blocking call on the loop's thread, 3 times, 0.5 ms max".into(),
                false
            ),
            (
                "LW101".into(),
                19,
                "held the loop 2 times, 160 ms max".into(),
                true
            ),
            (
                "LW202".into(),
                27,
                "a loop was driven while one was running, once".into(),
                true
            ),
        ]
    );
    // A finding the report does not touch has no `runtime` key at all.
    assert!(
        findings
            .iter()
            .all(|finding| finding["code"] != "LW101" || finding["location"]["row"] != 7)
    );
}

#[test]
fn runtime_only_findings_carry_their_stack_and_observation() {
    let dir = checkout();
    let findings = json_findings(dir.path());
    let compute = findings
        .iter()
        .find(|finding| finding["filename"] == "app/shop.py" && finding["location"]["row"] == 19)
        .expect("the runtime-only finding at row 19");
    assert_eq!(compute["location"]["column"], 5);
    assert_eq!(
        compute["message"],
        "Seen at run time only in `compute`: held the loop 2 times, 160 ms max (no static finding here)"
    );
    assert_eq!(
        compute["chain"],
        serde_json::json!([{"filename": "app/shop.py", "name": "compute", "row": 19}])
    );
    let observation = &compute["runtime"]["observations"][0];
    assert_eq!(observation["kind"], "blocked");
    assert_eq!(observation["total_ms"], 300.0);
    assert_eq!(observation["threshold_ms"], 100.0);
}

#[test]
fn every_output_format_shows_the_run() {
    let dir = checkout();
    let text = String::from_utf8(loopwarden(dir.path(), &[]).stdout).unwrap();
    assert!(text.contains("= seen at run time: held the loop 14 times, 230 ms max"));
    assert!(text.contains("= runtime only: a loop was driven while one was running, once"));
    let concise =
        String::from_utf8(loopwarden(dir.path(), &["--output-format", "concise"]).stdout).unwrap();
    assert!(concise.contains(
        "app/shop.py:11:5: LW101 Blocking call `time.sleep` in async function stalls the event loop [seen at run time: held the loop 14 times, 230 ms max]"
    ));
    let github =
        String::from_utf8(loopwarden(dir.path(), &["--output-format", "github"]).stdout).unwrap();
    assert!(github.contains("[seen at run time: held the loop 14 times, 230 ms max]"));
    let lines =
        String::from_utf8(loopwarden(dir.path(), &["--output-format", "json-lines"]).stdout)
            .unwrap();
    assert_eq!(lines.matches("\"runtime\":").count(), 6);
    let sarif: Value =
        serde_json::from_slice(&loopwarden(dir.path(), &["--output-format", "sarif"]).stdout)
            .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let with_runtime: Vec<&Value> = results
        .iter()
        .filter(|result| result.get("properties").is_some())
        .collect();
    assert_eq!(with_runtime.len(), 6);
    assert_eq!(
        with_runtime[1]["properties"]["runtime"]["summary"],
        "held the loop 14 times, 230 ms max"
    );
}

#[test]
fn statistics_count_confirmed_findings() {
    let dir = checkout();
    let output = loopwarden(dir.path(), &["--statistics"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("3\tLW101\tblocking-io-in-async (1 seen at run time, 2 runtime only)"),
        "{text}"
    );
    assert!(
        text.contains("LW103\ttransitive-blocking-call (1 seen at run time)"),
        "{text}"
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains(
        "Runtime report: 9 observations; 2 findings seen at run time, 4 runtime only, 3 not reported"
    ));
}

#[test]
fn rules_that_are_off_are_not_reported_from_the_run_either() {
    let dir = checkout();
    let output = loopwarden(
        dir.path(),
        &["--ignore", "LW202", "--output-format", "json"],
    );
    let findings: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert!(findings.iter().all(|finding| finding["code"] != "LW202"));
}

#[test]
fn a_bad_report_is_an_error_naming_the_line() {
    let dir = checkout();
    std::fs::write(
        dir.path().join("report.jsonl"),
        "{\"version\": 1, \"code\": \"LW101\", \"file\": \"app/shop.py\", \"row\": 11}\nnot json\n",
    )
    .unwrap();
    let output = loopwarden(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("runtime report report.jsonl: line 2: not JSON"),
        "{stderr}"
    );

    std::fs::write(
        dir.path().join("report.jsonl"),
        "{\"version\": 2, \"code\": \"LW101\", \"file\": \"app/shop.py\", \"row\": 11}\n",
    )
    .unwrap();
    let output = loopwarden(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("line 1: format version 2, this loopwarden reads version 1")
    );

    std::fs::remove_file(dir.path().join("report.jsonl")).unwrap();
    let output = loopwarden(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .contains("cannot read the runtime report report.jsonl")
    );
}

#[test]
fn without_a_report_the_json_has_no_runtime_key() {
    let dir = checkout();
    let mut command: Command = assert_cmd::cargo::cargo_bin_cmd!("loopwarden");
    let output = command
        .current_dir(dir.path())
        .args(["check", "app", "--output-format", "json"])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8(output.stdout)
            .unwrap()
            .contains("runtime")
    );
}
