//! End-to-end tests of the flags a Ruff user reaches for: `--watch`, `--output-file`,
//! `--quiet`/`--silent`, `--exclude`/`--extend-exclude`/`--force-exclude`,
//! `--show-settings`, `--report-unused-noqa`, and codes in any case.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// A blocking call in a coroutine: one LW101 finding on line 5.
const BLOCKING: &str = "import time\n\n\nasync def handler():\n    time.sleep(1)\n";
const CLEAN: &str = "import asyncio\n\n\nasync def handler():\n    await asyncio.sleep(1)\n";

fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("create directories");
    std::fs::write(path, text).expect("write file");
}

/// Replaces a file in one step (a rename, as editors save), so that a watcher never sees it
/// half written.
fn replace(root: &Path, relative: &str, text: &str) {
    let staging = root.join(format!("{relative}.saving"));
    std::fs::write(&staging, text).expect("write file");
    std::fs::rename(staging, root.join(relative)).expect("rename file");
}

fn loopwarden(dir: &Path) -> Command {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("loopwarden");
    command.current_dir(dir).env_remove("NO_COLOR");
    command
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let output = loopwarden(dir).args(args).output().expect("run loopwarden");
    Run {
        code: output.status.code().expect("exit code"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// `(code, filename)` of each finding of a JSON run.
fn findings(dir: &Path, args: &[&str]) -> Vec<(String, String)> {
    let mut all = vec!["check", "--output-format", "json"];
    all.extend(args);
    let run = run(dir, &all);
    let json: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}): {}\n{}", run.stdout, run.stderr));
    json.as_array()
        .expect("array")
        .iter()
        .map(|finding| {
            (
                finding["code"].as_str().unwrap_or_default().to_string(),
                finding["filename"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn pair(code: &str, file: &str) -> (String, String) {
    (code.to_string(), file.to_string())
}

// ---------------------------------------------------------------- output destinations

#[test]
fn output_file_takes_the_report_and_stdout_stays_clean() {
    let dir = project(&[("app.py", BLOCKING)]);
    let run = run(
        dir.path(),
        &[
            "check",
            "--output-format",
            "json",
            "--output-file",
            "reports/lw.json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let written = std::fs::read_to_string(dir.path().join("reports/lw.json")).expect("report");
    let json: Value = serde_json::from_str(&written).expect("JSON");
    assert_eq!(json[0]["code"], "LW101");
}

#[test]
fn output_file_that_cannot_be_written_is_an_error() {
    let dir = project(&[("app.py", CLEAN), ("taken", "a file, not a directory")]);
    let run = run(dir.path(), &["check", "-o", "taken/report.txt"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("taken"), "{}", run.stderr);
}

#[test]
fn quiet_prints_the_findings_without_the_summary() {
    let dir = project(&[("app.py", BLOCKING)]);
    let loud = run(dir.path(), &["check", "--output-format", "concise"]);
    assert!(loud.stdout.contains("Found 1 error."), "{}", loud.stdout);
    let quiet = run(
        dir.path(),
        &["check", "--output-format", "concise", "--quiet"],
    );
    assert_eq!(quiet.code, 1);
    assert!(
        quiet.stdout.starts_with("app.py:5:5: LW101 "),
        "{}",
        quiet.stdout
    );
    assert!(!quiet.stdout.contains("Found"), "{}", quiet.stdout);
    assert_eq!(quiet.stdout.lines().count(), 1);

    let clean = project(&[("app.py", CLEAN)]);
    let quiet = run(clean.path(), &["check", "-q"]);
    assert_eq!((quiet.code, quiet.stdout.as_str()), (0, ""));
}

#[test]
fn quiet_fix_says_nothing_about_what_it_fixed() {
    let source = "import asyncio\n\n\nasync def main():\n    asyncio.get_event_loop()\n";
    let dir = project(&[("app.py", source)]);
    let run = run(dir.path(), &["check", "--fix", "--quiet"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr, "");
    assert_eq!(run.stdout, "");
    let fixed = std::fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert!(fixed.contains("get_running_loop"), "{fixed}");
}

#[test]
fn silent_prints_nothing_and_the_exit_code_tells() {
    let dir = project(&[("app.py", BLOCKING)]);
    let run_ = run(dir.path(), &["check", "--silent"]);
    assert_eq!(
        (run_.code, run_.stdout.as_str(), run_.stderr.as_str()),
        (1, "", "")
    );
    let run_ = run(dir.path(), &["check", "-s", "--exit-zero"]);
    assert_eq!((run_.code, run_.stdout.as_str()), (0, ""));
    // An error still explains itself.
    let run_ = run(dir.path(), &["check", "-s", "missing.py"]);
    assert_eq!(run_.code, 2);
    assert!(run_.stderr.contains("missing.py"), "{}", run_.stderr);
    // The quiet and silent flags do not combine.
    assert_eq!(run(dir.path(), &["check", "-q", "-s"]).code, 2);
}

// ---------------------------------------------------------------- excludes

#[test]
fn command_line_exclude_replaces_the_configured_patterns() {
    let dir = project(&[
        (
            "loopwarden.toml",
            "exclude = [\"old\"]\nextend-exclude = [\"gen\"]\n",
        ),
        ("old/a.py", BLOCKING),
        ("gen/b.py", BLOCKING),
        ("new/c.py", BLOCKING),
        ("build/d.py", BLOCKING),
    ]);
    assert_eq!(
        findings(dir.path(), &[]),
        vec![pair("LW101", "build/d.py"), pair("LW101", "new/c.py"),]
    );
    // `--exclude` replaces `exclude`; the file's `extend-exclude` still applies.
    assert_eq!(
        findings(dir.path(), &["--exclude", "new"]),
        vec![pair("LW101", "build/d.py"), pair("LW101", "old/a.py"),]
    );
}

#[test]
fn command_line_extend_exclude_adds_to_the_defaults() {
    let dir = project(&[
        ("app/a.py", BLOCKING),
        ("app/b_pb2.py", BLOCKING),
        ("migrations/m.py", BLOCKING),
        ("build/d.py", BLOCKING),
    ]);
    assert_eq!(
        findings(dir.path(), &["--extend-exclude", "*_pb2.py,./migrations"]),
        vec![pair("LW101", "app/a.py")]
    );
    let run = run(dir.path(), &["check", "--extend-exclude", "a["]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("--extend-exclude: invalid glob pattern"),
        "{}",
        run.stderr
    );
}

#[test]
fn force_exclude_skips_excluded_paths_named_on_the_command_line() {
    let dir = project(&[("build/gen.py", BLOCKING), ("app.py", BLOCKING)]);
    // Named explicitly, an excluded file is checked (Ruff's behaviour)...
    assert_eq!(
        findings(dir.path(), &["build/gen.py", "app.py"]),
        vec![pair("LW101", "app.py"), pair("LW101", "build/gen.py"),]
    );
    // ... unless exclusions are forced, from the command line or the configuration.
    assert_eq!(
        findings(dir.path(), &["--force-exclude", "build/gen.py", "app.py"]),
        vec![pair("LW101", "app.py")]
    );
    assert_eq!(
        findings(dir.path(), &["--force-exclude", "build"]),
        Vec::<(String, String)>::new()
    );
    write(dir.path(), "loopwarden.toml", "force-exclude = true\n");
    assert_eq!(
        findings(dir.path(), &["build/gen.py"]),
        Vec::<(String, String)>::new()
    );
    // An editor's buffer of an excluded file gets no findings either.
    let output = loopwarden(dir.path())
        .args([
            "check",
            "--stdin-filename",
            "build/gen.py",
            "--output-format",
            "concise",
        ])
        .write_stdin(BLOCKING)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
}

// ---------------------------------------------------------------- show settings

#[test]
fn show_settings_prints_the_resolved_settings_and_exits_zero() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[project]\nrequires-python = \">=3.11\"\n[tool.loopwarden]\nextend-exclude = [\"gen\"]\nsync-hooks = [\"app.Hooks.on_save\"]\nblocking-calls = [\"legacy.fetch\"]\n",
        ),
        ("app.py", BLOCKING),
    ]);
    let run = run(
        dir.path(),
        &[
            "check",
            "--show-settings",
            "--select",
            "lw1",
            "--ignore",
            "LW105",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.contains("config-file = \""), "{out}");
    assert!(out.contains("pyproject.toml\"\n"), "{out}");
    assert!(
        out.contains("select = [\"LW101\", \"LW102\", \"LW103\", \"LW104\", \"LW106\"]\n"),
        "{out}"
    );
    assert!(out.contains("target-version = \"py311\"\n"), "{out}");
    assert!(out.contains("\"gen\"]\n"), "{out}");
    assert!(
        out.contains("sync-hooks = [\"app.Hooks.on_save\"]\n"),
        "{out}"
    );
    assert!(
        out.contains("blocking-calls = [\"legacy.fetch\"]\n"),
        "{out}"
    );
    assert!(out.contains("async-safe-calls = []\n"), "{out}");
    assert!(!out.contains("time.sleep"), "no check runs: {out}");
    // The output is TOML.
    out.parse::<toml::Table>().expect("valid TOML");
}

// ---------------------------------------------------------------- unused noqa

const NOQA: &str = "import asyncio\nimport time\n\n\nasync def handler():\n    time.sleep(1)  # noqa: LW101\n    await asyncio.sleep(1)  # noqa: E501, LW101, LW999\n";

#[test]
fn unused_noqa_is_reported_only_when_asked() {
    let dir = project(&[("app.py", NOQA)]);
    assert_eq!(findings(dir.path(), &[]), Vec::<(String, String)>::new());
    assert_eq!(
        findings(dir.path(), &["--report-unused-noqa"]),
        vec![pair("LW003", "app.py")]
    );
    assert_eq!(
        findings(dir.path(), &["--extend-select", "lw003"]),
        vec![pair("LW003", "app.py")]
    );
    let run = run(
        dir.path(),
        &["check", "--report-unused-noqa", "--output-format", "json"],
    );
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json[0]["message"],
        "Unused `noqa` directive (unused: `LW101`; unknown: `LW999`)"
    );
    assert_eq!(json[0]["location"]["row"], 7);
    assert_eq!(json[0]["fix"]["applicability"], "safe");
}

#[test]
fn unused_noqa_names_codes_of_rules_that_do_not_run() {
    let dir = project(&[("app.py", NOQA)]);
    let run = run(
        dir.path(),
        &[
            "check",
            "--report-unused-noqa",
            "--ignore",
            "LW101",
            "--output-format",
            "concise",
        ],
    );
    assert!(
        run.stdout
            .contains("app.py:6:20: LW003 Unused `noqa` directive (non-enabled: `LW101`)"),
        "{}",
        run.stdout
    );
}

#[test]
fn unused_noqa_fix_removes_the_codes_and_keeps_other_tools_codes() {
    let dir = project(&[("app.py", NOQA)]);
    let first = run(dir.path(), &["check", "--report-unused-noqa", "--fix"]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let fixed = std::fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert_eq!(
        fixed,
        "import asyncio\nimport time\n\n\nasync def handler():\n    time.sleep(1)  # noqa: LW101\n    await asyncio.sleep(1)  # noqa: E501\n"
    );
    // When no code is left, the directive goes.
    write(
        dir.path(),
        "app.py",
        "x = 1  # noqa: LW101\ny = 2  # noqa: LW3 why\nz = 3  # noqa: LW201  # type: ignore\n",
    );
    let run = run(dir.path(), &["check", "--report-unused-noqa", "--fix"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let fixed = std::fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert_eq!(fixed, "x = 1\ny = 2  # why\nz = 3  # type: ignore\n");
}

// ---------------------------------------------------------------- codes in any case

#[test]
fn codes_are_accepted_in_any_case() {
    let dir = project(&[("app.py", BLOCKING)]);
    let by_name = run(dir.path(), &["rule", "Transitive-Blocking-Call"]);
    assert_eq!(by_name.code, 0, "{}", by_name.stderr);
    let run_ = run(dir.path(), &["rule", "lw103"]);
    assert_eq!(run_.code, 0);
    assert!(
        run_.stdout.starts_with("LW103 transitive-blocking-call"),
        "{}",
        run_.stdout
    );
    assert_eq!(
        findings(dir.path(), &["--select", "lw1"]),
        vec![pair("LW101", "app.py")]
    );
    assert_eq!(
        findings(dir.path(), &["--ignore", "Lw101"]),
        Vec::<(String, String)>::new()
    );
    write(dir.path(), "loopwarden.toml", "ignore = [\"lw10\"]\n");
    assert_eq!(findings(dir.path(), &[]), Vec::<(String, String)>::new());
}

#[test]
fn a_noqa_prefix_suppresses_the_rules_it_covers() {
    let dir = project(&[(
        "app.py",
        "import time\n\n\nasync def handler():\n    time.sleep(1)  # noqa: LW1\n    time.sleep(2)  # noqa: lw10\n    time.sleep(3)  # noqa: LW2\n",
    )]);
    let run = run(dir.path(), &["check", "--output-format", "concise"]);
    assert!(
        run.stdout.starts_with("app.py:7:5: LW101 "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Found 1 error."), "{}", run.stdout);
}

// ---------------------------------------------------------------- watch

/// Lines of a child's stdout, read on a thread so that waiting can time out.
struct Lines {
    receiver: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Lines {
    fn of(child: &mut Child) -> Self {
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            receiver,
            seen: Vec::new(),
        }
    }

    /// The lines up to and including the first one that `done` accepts.
    fn until(&mut self, done: impl Fn(&str) -> bool) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut lines = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.receiver.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    let finished = done(&line);
                    lines.push(line);
                    if finished {
                        return lines;
                    }
                }
                Err(_) => panic!("timed out; output so far:\n{}", self.seen.join("\n")),
            }
        }
    }
}

/// Kills the child if the test fails before it ends.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn watch_prints_what_changed_and_stops_cleanly_on_ctrl_c() {
    let dir = project(&[("app.py", CLEAN), ("other.py", BLOCKING)]);
    let binary = assert_cmd::cargo::cargo_bin!("loopwarden");
    let child = std::process::Command::new(binary)
        .args(["check", "--watch"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn loopwarden");
    let mut child = Reaper(child);
    let mut lines = Lines::of(&mut child.0);

    let first = lines.until(|line| line.starts_with("Watching"));
    assert_eq!(first.len(), 2, "{first:?}");
    assert!(first[0].starts_with("other.py:5:5: LW101 "), "{first:?}");
    assert_eq!(first[1], "Watching for changes: 1 finding.");

    // A new finding: only it is printed, not the one that was already there.
    replace(dir.path(), "app.py", BLOCKING);
    let changed = lines.until(|line| line.contains(" fixed: "));
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert!(
        changed[0].starts_with("+ app.py:5:5: LW101 "),
        "{changed:?}"
    );
    assert_eq!(changed[1], "1 new, 0 fixed: 2 findings.");

    // A line added above a finding moves it; that is not news. Fixing one is.
    replace(
        dir.path(),
        "other.py",
        "import asyncio\n\n\nasync def handler():\n    await asyncio.sleep(1)\n",
    );
    let changed = lines.until(|line| line.contains(" fixed: "));
    assert!(
        changed[0].starts_with("- other.py:5:5: LW101 "),
        "{changed:?}"
    );
    assert_eq!(changed.last().unwrap(), "0 new, 1 fixed: 1 finding.");
    replace(dir.path(), "app.py", &format!("# moved\n{BLOCKING}"));
    let changed = lines.until(|line| line.contains(" fixed: "));
    assert_eq!(changed, vec!["0 new, 0 fixed: 1 finding."]);
    // The configuration is read again: ignoring the rule takes its finding away.
    replace(dir.path(), "loopwarden.toml", "ignore = [\"LW101\"]\n");
    let changed = lines.until(|line| line.contains(" fixed: "));
    assert!(
        changed[0].starts_with("- app.py:6:5: LW101 "),
        "{changed:?}"
    );
    assert_eq!(changed.last().unwrap(), "0 new, 1 fixed: 0 findings.");

    // Ctrl-C ends the watch with exit code 0.
    let pid = child.0.id().to_string();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.0.try_wait().expect("wait") {
            break exit;
        }
        assert!(Instant::now() < deadline, "still running after Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(exit.code(), Some(0), "{exit:?}");
}

#[test]
fn watch_does_not_combine_with_machine_formats_or_fix() {
    let dir = project(&[("app.py", CLEAN)]);
    let run_ = run(dir.path(), &["check", "--watch", "--output-format", "json"]);
    assert_eq!(run_.code, 2);
    assert!(run_.stderr.contains("--watch"), "{}", run_.stderr);
    assert_eq!(run(dir.path(), &["check", "--watch", "--fix"]).code, 2);
}
