//! Keeps `examples/demo/` honest. The demo is a small FastAPI shop in which every reported line
//! ends with a marker comment naming what loopwarden says about it:
//!
//! ```python
//! response = requests.post(url, json=event, timeout=10)  # LW101: a sync HTTP call stalls the loop
//! ```
//!
//! and every fixed twin carries `# correct: why` instead. These tests check, with the default
//! rule set (what `loopwarden check examples/demo` runs), that
//! - every code in [`DEMONSTRATED`] is reported at least once,
//! - every finding sits on a line whose marker names its code (so no good line is flagged),
//! - every marker is matched by a finding of each code it names (so no bad line goes quiet),
//! - the interprocedural findings show the chains the demo is built to show,
//! - the command-line binary, which reads `examples/demo/pyproject.toml`, reports the same.

use crate::common::python_files;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use loopwarden::registry::Rule;
use loopwarden::report::Finding;
use loopwarden::settings::Settings;
use serde_json::Value;

/// Every rule the demo must show (all the default rules; LW404, LW405, LW502 and LW504 are
/// off by default).
const DEMONSTRATED: &[&str] = &[
    "LW101", "LW102", "LW103", "LW104", "LW105", "LW106", "LW201", "LW202", "LW203", "LW204",
    "LW301", "LW302", "LW303", "LW304", "LW305", "LW401", "LW402", "LW403", "LW501", "LW503",
    "LW505", "LW601",
];

/// (file, row): the place of a finding or a marker.
type Place = (PathBuf, usize);

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join("demo")
}

/// The settings `loopwarden check examples/demo` uses: the default rules, and the target version
/// from the demo's `requires-python = ">=3.11"` (it only changes help lines, not findings).
fn demo_settings() -> Settings {
    Settings {
        target_version: ruff_python_ast::PythonVersion {
            major: 3,
            minor: 11,
        },
        ..Settings::default()
    }
}

/// The codes a line's marker names: `# LW101: why` or `# LW101, LW105: why` gives
/// `["LW101"]` / `["LW101", "LW105"]`; a line without a marker gives nothing. A marker
/// is a `#` followed by `LW` and three digits; anything malformed after that fails the test.
fn marker_codes(line: &str, place: &str) -> Vec<String> {
    let Some(start) = line.match_indices("# LW").map(|(at, _)| at).find(|&at| {
        line[at + 4..].len() >= 3
            && line.as_bytes()[at + 4..at + 7]
                .iter()
                .all(u8::is_ascii_digit)
    }) else {
        return Vec::new();
    };
    let marker = &line[start + 2..];
    let (codes, why) = marker
        .split_once(':')
        .unwrap_or_else(|| panic!("{place}: marker `{marker}` has no `: why` after its codes"));
    assert!(
        !why.trim().is_empty(),
        "{place}: marker `{marker}` does not say why"
    );
    codes
        .split(',')
        .map(|code| {
            let code = code.trim();
            assert!(
                Rule::from_code(code).is_some(),
                "{place}: marker `{marker}` names `{code}`, which is not a rule code"
            );
            code.to_string()
        })
        .collect()
}

/// (file, row) → the codes its marker names, for every marked line of the demo.
fn markers() -> BTreeMap<Place, BTreeSet<String>> {
    let mut markers = BTreeMap::new();
    for file in python_files(&demo_dir()) {
        let text = std::fs::read_to_string(&file).expect("demo file is UTF-8");
        for (index, line) in text.lines().enumerate() {
            let place = format!("{}:{}", file.display(), index + 1);
            let codes = marker_codes(line, &place);
            if !codes.is_empty() {
                markers.insert((file.clone(), index + 1), codes.into_iter().collect());
            }
        }
    }
    markers
}

fn check_demo() -> Vec<Finding> {
    let report = loopwarden::check(&[demo_dir()], &demo_settings());
    assert!(report.errors.is_empty(), "errors: {:?}", report.errors);
    assert!(
        report.files_checked >= 7,
        "the demo has 7 modules, {} checked",
        report.files_checked
    );
    report.findings().cloned().collect()
}

fn describe(finding: &Finding) -> String {
    format!(
        "{}:{}:{}: {} {}",
        finding.filename,
        finding.location.row,
        finding.location.column,
        finding.rule.code(),
        finding.message
    )
}

#[test]
fn demo_reports_every_rule() {
    let findings = check_demo();
    let reported: BTreeSet<&str> = findings.iter().map(|finding| finding.rule.code()).collect();
    let missing: Vec<&str> = DEMONSTRATED
        .iter()
        .copied()
        .filter(|code| !reported.contains(code))
        .collect();
    assert!(
        missing.is_empty(),
        "the demo does not trigger {missing:?}; it reports {reported:?}"
    );
    for code in DEMONSTRATED {
        let rule = Rule::from_code(code).expect("a rule code");
        assert!(
            rule.enabled_by_default(),
            "{code} is demonstrated but off by default"
        );
    }
}

#[test]
fn findings_and_markers_agree() {
    let findings = check_demo();
    let markers = markers();

    let mut found: BTreeMap<Place, BTreeSet<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for finding in &findings {
        let place = (PathBuf::from(&finding.filename), finding.location.row);
        let code = finding.rule.code().to_string();
        match markers.get(&place) {
            Some(codes) if codes.contains(&code) => {}
            Some(codes) => problems.push(format!(
                "{} (the line's marker names {codes:?})",
                describe(finding)
            )),
            None => problems.push(format!(
                "{} (on a line with no `# LWxxx:` marker)",
                describe(finding)
            )),
        }
        found.entry(place).or_default().insert(code);
    }
    for ((file, row), codes) in &markers {
        let reported = found
            .get(&(file.clone(), *row))
            .cloned()
            .unwrap_or_default();
        for code in codes.difference(&reported) {
            problems.push(format!(
                "{}:{row}: the marker names {code}, but loopwarden reports {reported:?} there",
                file.display()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the demo and its markers disagree:\n{}",
        problems.join("\n")
    );
}

/// The chains the demo is built to show: a route -> a service in another module -> a db helper
/// in a third that opens sqlite3 (LW103), and the LiteLLM hook (LW202 (c)).
#[test]
fn interprocedural_findings_show_their_chains() {
    let findings = check_demo();
    let in_file = |finding: &&Finding, name: &str| {
        Path::new(&finding.filename)
            .file_name()
            .is_some_and(|file| file == name)
    };

    let transitive = findings
        .iter()
        .find(|finding| finding.rule == Rule::TransitiveBlockingCall && in_file(finding, "app.py"))
        .expect("an LW103 finding in app.py");
    let steps: Vec<(String, String)> = transitive
        .chain
        .iter()
        .map(|step| {
            let file = Path::new(&step.filename)
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (step.name.clone(), file)
        })
        .collect();
    let files: Vec<&str> = steps.iter().map(|(_, file)| file.as_str()).collect();
    for module in ["services.py", "db.py"] {
        assert!(
            files.contains(&module),
            "{}: the chain {steps:?} does not pass through {module}",
            describe(transitive)
        );
    }
    assert!(
        steps
            .iter()
            .any(|(name, _)| name.contains("sqlite3.connect"))
            || transitive.message.contains("sqlite3.connect"),
        "{}: the chain {steps:?} does not end at sqlite3.connect",
        describe(transitive)
    );

    assert!(
        findings
            .iter()
            .any(|finding| finding.rule == Rule::RunInRunningLoop && in_file(&finding, "hooks.py")),
        "no LW202 finding in the LiteLLM hook (hooks.py)"
    );
}

/// The binary, which reads `examples/demo/pyproject.toml` itself, reports exactly what the
/// library reports with the settings above.
#[test]
fn binary_json_matches_library() {
    let demo = demo_dir();
    let output = assert_cmd::cargo::cargo_bin_cmd!("loopwarden")
        .arg("check")
        .arg(&demo)
        .args(["--output-format", "json"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run loopwarden");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 stdout");
    let stderr = String::from_utf8(output.stderr).expect("UTF-8 stderr");
    assert_eq!(
        output.status.code(),
        Some(1),
        "exit code (1: findings); stderr:\n{stderr}"
    );
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}):\n{stdout}"));
    let from_binary: BTreeSet<(String, u64, String)> = json
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|finding| {
            (
                finding["filename"].as_str().expect("filename").to_string(),
                finding["location"]["row"].as_u64().expect("row"),
                finding["code"].as_str().expect("code").to_string(),
            )
        })
        .collect();
    let from_library: BTreeSet<(String, u64, String)> = check_demo()
        .iter()
        .map(|finding| {
            (
                finding.filename.clone(),
                finding.location.row as u64,
                finding.rule.code().to_string(),
            )
        })
        .collect();
    assert_eq!(
        from_binary, from_library,
        "the binary and the library disagree on the demo"
    );
}
