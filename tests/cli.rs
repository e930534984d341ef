//! End-to-end tests of the `loopwarden` command: small Python projects in temporary
//! directories, checked through the real binary.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

/// A blocking call in a coroutine: one LW101 finding on line 5, column 5.
const BLOCKING: &str = "import time\n\n\nasync def handler():\n    time.sleep(1)\n";
const BLOCKING_ROW: u64 = 5;
const CLEAN: &str = "import asyncio\n\n\nasync def handler():\n    await asyncio.sleep(1)\n";

fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (path, text) in files {
        write(dir.path(), path, text.as_bytes());
    }
    dir
}

fn write(root: &Path, relative: &str, bytes: &[u8]) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("create directories");
    std::fs::write(path, bytes).expect("write file");
}

fn loopwarden(dir: &Path) -> Command {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("loopwarden");
    command.current_dir(dir).env_remove("NO_COLOR");
    command
}

/// Runs `check --output-format json` with `args` in `dir`; returns the exit code, the parsed
/// findings, and stderr.
fn check_json(dir: &Path, args: &[&str]) -> (i32, Vec<Value>, String) {
    let output = loopwarden(dir)
        .arg("check")
        .args(["--output-format", "json"])
        .args(args)
        .output()
        .expect("run loopwarden");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 stdout");
    let stderr = String::from_utf8(output.stderr).expect("UTF-8 stderr");
    let findings: Value = serde_json::from_str(&stdout).unwrap_or_else(|error| {
        panic!("stdout is not JSON ({error}):\n{stdout}\nstderr:\n{stderr}")
    });
    let findings = findings.as_array().expect("a JSON array").clone();
    (output.status.code().expect("exit code"), findings, stderr)
}

fn codes_and_files(findings: &[Value]) -> Vec<(String, String)> {
    findings
        .iter()
        .map(|finding| {
            (
                finding["code"].as_str().unwrap_or_default().to_string(),
                finding["filename"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------- exit codes

#[test]
fn clean_code_exits_zero() {
    let dir = project(&[("app.py", CLEAN)]);
    loopwarden(dir.path()).arg("check").assert().code(0);
}

#[test]
fn empty_directory_exits_zero() {
    let dir = project(&[]);
    loopwarden(dir.path()).arg("check").assert().code(0);
    loopwarden(dir.path()).args(["check", "."]).assert().code(0);
}

#[test]
fn findings_exit_one() {
    let dir = project(&[("app.py", BLOCKING)]);
    loopwarden(dir.path())
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("app.py:5:5: LW101"));
}

#[test]
fn exit_zero_flag_keeps_findings_but_exits_zero() {
    let dir = project(&[("app.py", BLOCKING)]);
    loopwarden(dir.path())
        .args(["check", "--exit-zero"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("LW101"));
}

#[test]
fn exit_zero_does_not_hide_errors() {
    let dir = project(&[("app.py", CLEAN)]);
    loopwarden(dir.path())
        .args(["check", "--exit-zero", "missing.py"])
        .assert()
        .code(2);
}

#[test]
fn missing_path_exits_two_and_other_paths_are_checked() {
    let dir = project(&[("good.py", CLEAN), ("bad.py", BLOCKING)]);
    let (code, findings, stderr) = check_json(dir.path(), &["good.py", "does/not/exist", "bad.py"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("error: does/not/exist: No such file or directory"),
        "{stderr}"
    );
    assert_eq!(
        codes_and_files(&findings),
        vec![("LW101".to_string(), "bad.py".to_string())]
    );
}

#[test]
fn unknown_subcommand_option_is_a_usage_error() {
    let dir = project(&[]);
    loopwarden(dir.path())
        .args(["check", "--no-such-flag"])
        .assert()
        .code(2);
}

// ---------------------------------------------------------------- configuration errors

#[test]
fn unknown_config_key_names_file_and_key() {
    let dir = project(&[
        ("pyproject.toml", "[tool.loopwarden]\nselct = [\"LW101\"]\n"),
        ("app.py", CLEAN),
    ]);
    let file = dir.path().join("pyproject.toml");
    loopwarden(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "error: {}: unknown key `selct` in [tool.loopwarden]",
            file.display()
        )))
        .stderr(predicate::str::contains("did you mean `select`?"));
}

#[test]
fn unknown_rule_code_in_config_is_an_error() {
    let dir = project(&[
        ("loopwarden.toml", "select = [\"LW101\", \"LW999\"]\n"),
        ("app.py", CLEAN),
    ]);
    loopwarden(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("loopwarden.toml"))
        .stderr(predicate::str::contains("`select`"))
        .stderr(predicate::str::contains("`LW999`"));
}

#[test]
fn bad_target_version_in_config_is_an_error() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[tool.loopwarden]\ntarget-version = \"py27\"\n",
        ),
        ("app.py", CLEAN),
    ]);
    loopwarden(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pyproject.toml"))
        .stderr(predicate::str::contains("`target-version`"))
        .stderr(predicate::str::contains("py27"));
}

#[test]
fn wrong_value_type_in_config_is_an_error() {
    let dir = project(&[
        ("pyproject.toml", "[tool.loopwarden]\nignore = \"LW101\"\n"),
        ("app.py", CLEAN),
    ]);
    loopwarden(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`ignore` in [tool.loopwarden]: expected a list of strings, found string",
        ));
}

#[test]
fn invalid_toml_is_an_error() {
    let dir = project(&[("loopwarden.toml", "select = [\n"), ("app.py", CLEAN)]);
    loopwarden(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("loopwarden.toml: invalid TOML"));
}

#[test]
fn bad_command_line_codes_and_versions_are_errors() {
    let dir = project(&[("app.py", CLEAN)]);
    loopwarden(dir.path())
        .args(["check", "--select", "LW101,LW999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--select"))
        .stderr(predicate::str::contains("LW999"));
    loopwarden(dir.path())
        .args(["check", "--target-version", "py27"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--target-version"));
}

// ---------------------------------------------------------------- configuration files

#[test]
fn explicit_config_file_is_used() {
    let dir = project(&[
        ("configs/strict.toml", "ignore = [\"LW1\"]\n"),
        ("app.py", BLOCKING),
    ]);
    loopwarden(dir.path()).arg("check").assert().code(1);
    loopwarden(dir.path())
        .args(["check", "--config", "configs/strict.toml"])
        .assert()
        .code(0);
    loopwarden(dir.path())
        .args(["check", "--config", "configs/missing.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("configs/missing.toml"));
}

#[test]
fn pyproject_is_found_in_a_parent_directory() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[tool.loopwarden]\nignore = [\"LW101\"]\n",
        ),
        // A pyproject.toml without [tool.loopwarden] is skipped on the way up.
        ("service/pyproject.toml", "[project]\nname = \"service\"\n"),
        ("service/app/handlers.py", BLOCKING),
    ]);
    loopwarden(&dir.path().join("service/app"))
        .arg("check")
        .assert()
        .code(0);
    // The search starts at the first path argument, not at the current directory.
    let elsewhere = project(&[]);
    loopwarden(elsewhere.path())
        .arg("check")
        .arg(dir.path().join("service"))
        .assert()
        .code(0);
}

#[test]
fn loopwarden_toml_wins_over_pyproject_in_the_same_directory() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[tool.loopwarden]\nignore = [\"LW101\"]\n",
        ),
        ("loopwarden.toml", "select = [\"LW1\"]\n"),
        ("app.py", BLOCKING),
    ]);
    loopwarden(dir.path()).arg("check").assert().code(1);
}

#[test]
fn command_line_select_and_ignore_override_the_file() {
    let dir = project(&[
        ("loopwarden.toml", "select = [\"LW2\"]\n"),
        ("app.py", BLOCKING),
    ]);
    loopwarden(dir.path()).arg("check").assert().code(0);
    loopwarden(dir.path())
        .args(["check", "--select", "LW101"])
        .assert()
        .code(1);
    loopwarden(dir.path())
        .args(["check", "--extend-select", "LW1"])
        .assert()
        .code(1);
    loopwarden(dir.path())
        .args(["check", "--select", "ALL", "--ignore", "LW10"])
        .assert()
        .code(0);
}

#[test]
fn per_file_ignores_turn_rules_off_for_matching_files() {
    let dir = project(&[
        (
            "pyproject.toml",
            "[tool.loopwarden.per-file-ignores]\n\"tests/*\" = [\"LW101\"]\n\"scripts.py\" = [\"LW1\"]\n",
        ),
        ("app/main.py", BLOCKING),
        ("app/scripts.py", BLOCKING),
        ("tests/test_main.py", BLOCKING),
    ]);
    let (code, findings, _) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        codes_and_files(&findings),
        vec![("LW101".to_string(), "app/main.py".to_string())]
    );
    // Patterns are relative to the configuration file, wherever the command runs from.
    let (_, findings, _) = check_json(&dir.path().join("tests"), &["."]);
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn exclude_and_extend_exclude() {
    let files = [
        ("app/main.py", CLEAN),
        ("generated/api.py", BLOCKING),
        ("app/legacy/old.py", BLOCKING),
        ("build/lib/copy.py", BLOCKING),
        (".venv/lib/site.py", BLOCKING),
        ("node_modules/x/y.py", BLOCKING),
    ];
    // Default excludes: build, .venv, node_modules; extend-exclude adds to them.
    let dir = project(&files);
    write(
        dir.path(),
        "pyproject.toml",
        b"[tool.loopwarden]\nextend-exclude = [\"generated\", \"app/legacy\"]\n",
    );
    loopwarden(dir.path()).arg("check").assert().code(0);

    // `exclude` replaces the defaults.
    let dir = project(&files);
    write(
        dir.path(),
        "pyproject.toml",
        b"[tool.loopwarden]\nexclude = [\"generated\", \"legacy\", \".venv\", \"node_modules\"]\n",
    );
    let (code, findings, _) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        codes_and_files(&findings),
        vec![("LW101".to_string(), "build/lib/copy.py".to_string())]
    );
}

#[test]
fn explicitly_given_files_are_checked_even_when_excluded() {
    let dir = project(&[("build/gen.py", BLOCKING), ("script", BLOCKING)]);
    let (code, findings, _) = check_json(dir.path(), &["build/gen.py", "script"]);
    assert_eq!(code, 1);
    assert_eq!(
        codes_and_files(&findings),
        vec![
            ("LW101".to_string(), "build/gen.py".to_string()),
            ("LW101".to_string(), "script".to_string()),
        ]
    );
}

#[test]
fn gitignored_files_are_skipped_in_a_git_repository() {
    let dir = project(&[
        (".gitignore", "generated/\n"),
        ("generated/api.py", BLOCKING),
        ("app.py", CLEAN),
    ]);
    std::fs::create_dir(dir.path().join(".git")).expect("create .git");
    loopwarden(dir.path()).arg("check").assert().code(0);
}

#[test]
fn display_paths_join_the_argument_and_drop_a_leading_dot_slash() {
    let dir = project(&[("src/pkg/app.py", BLOCKING), ("top.py", BLOCKING)]);
    let (_, findings, _) = check_json(dir.path(), &["src"]);
    assert_eq!(
        codes_and_files(&findings),
        vec![("LW101".to_string(), "src/pkg/app.py".to_string())]
    );
    let (_, findings, _) = check_json(dir.path(), &["."]);
    assert_eq!(
        codes_and_files(&findings),
        vec![
            ("LW101".to_string(), "src/pkg/app.py".to_string()),
            ("LW101".to_string(), "top.py".to_string()),
        ]
    );
    // The same file given twice is checked once.
    let (_, findings, _) = check_json(dir.path(), &["top.py", "./top.py", "."]);
    assert_eq!(findings.len(), 2, "{findings:?}");
}

// ---------------------------------------------------------------- output and findings

#[test]
fn json_output_has_ruff_field_names() {
    let dir = project(&[("app.py", BLOCKING)]);
    let (code, findings, _) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1, "{findings:?}");
    let finding = &findings[0];
    for field in [
        "code",
        "name",
        "message",
        "filename",
        "location",
        "end_location",
        "fix",
        "url",
        "noqa_row",
        "chain",
    ] {
        assert!(
            finding.get(field).is_some(),
            "missing `{field}` in {finding}"
        );
    }
    assert_eq!(finding["code"], "LW101");
    assert_eq!(finding["name"], "blocking-io-in-async");
    assert_eq!(finding["filename"], "app.py");
    assert_eq!(finding["location"]["row"], BLOCKING_ROW);
    assert_eq!(finding["location"]["column"], 5);
    assert_eq!(finding["end_location"]["row"], BLOCKING_ROW);
    assert_eq!(finding["noqa_row"], BLOCKING_ROW);
    assert!(
        finding["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty())
    );
    assert!(
        finding["url"]
            .as_str()
            .is_some_and(|url| url.starts_with("https://"))
    );
}

#[test]
fn noqa_comments_suppress_findings() {
    let dir = project(&[
        (
            "specific.py",
            "import time\n\n\nasync def handler():\n    time.sleep(1)  # noqa: LW101\n",
        ),
        (
            "bare.py",
            "import time\n\n\nasync def handler():\n    time.sleep(1)  # noqa\n",
        ),
        (
            "other.py",
            "import time\n\n\nasync def handler():\n    time.sleep(1)  # noqa: LW201\n",
        ),
        (
            "skipped.py",
            "# loopwarden: noqa\nimport time\n\n\nasync def handler():\n    time.sleep(1)\n",
        ),
    ]);
    let (code, findings, _) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        codes_and_files(&findings),
        vec![("LW101".to_string(), "other.py".to_string())]
    );
}

#[test]
fn syntax_error_is_one_finding_and_other_files_are_checked() {
    let dir = project(&[
        ("a_good.py", CLEAN),
        ("broken.py", "def f(:\n    pass\n"),
        ("z_bad.py", BLOCKING),
    ]);
    let (code, findings, _) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        codes_and_files(&findings),
        vec![
            ("LW001".to_string(), "broken.py".to_string()),
            ("LW101".to_string(), "z_bad.py".to_string()),
        ]
    );
}

#[test]
fn a_file_cpython_would_not_decode_is_a_syntax_error_finding_and_exits_one() {
    let dir = project(&[("good.py", BLOCKING)]);
    write(dir.path(), "latin1.py", b"x = 'caf\xe9'\n");
    let (code, findings, _) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        codes_and_files(&findings),
        vec![
            ("LW101".to_string(), "good.py".to_string()),
            ("LW001".to_string(), "latin1.py".to_string()),
        ]
    );
    let message = findings[1]["message"].as_str().unwrap_or_default();
    assert_eq!(
        message,
        "SyntaxError: Non-UTF-8 code starting with '\\xe9' on line 1, but no encoding \
         declared; see https://peps.python.org/pep-0263/ for details"
    );
    assert_eq!(findings[1]["location"]["row"], 1);
}

#[test]
fn bytes_that_are_not_utf8_inside_comments_are_read_as_cpython_reads_them() {
    // CPython's tokenizer skips a comment's bytes without decoding them: the file loads, so
    // it is checked. Its fixes are not written: the text would lose those bytes.
    let dir = project(&[]);
    let source = b"import time\n\n\nasync def pause():  # caf\xe9\n    time.sleep(1)\n";
    write(dir.path(), "app.py", source);
    let (code, findings, _) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        codes_and_files(&findings),
        vec![("LW101".to_string(), "app.py".to_string())]
    );
    assert_eq!(findings[0]["location"]["row"], 5);
    loopwarden(dir.path())
        .args(["check", "--fix", "--unsafe-fixes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not UTF-8"));
    assert_eq!(
        std::fs::read(dir.path().join("app.py")).expect("read"),
        source.to_vec()
    );
}

#[test]
fn statistics_count_findings_per_rule() {
    let dir = project(&[("a.py", BLOCKING), ("b.py", BLOCKING)]);
    loopwarden(dir.path())
        .args(["check", "--statistics"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("LW101"))
        .stdout(predicate::str::contains("2"));
}

#[test]
fn no_color_when_not_a_terminal() {
    let dir = project(&[("app.py", BLOCKING)]);
    loopwarden(dir.path())
        .arg("check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn timings_are_printed_on_stderr() {
    let dir = project(&[("app.py", CLEAN)]);
    let assert = loopwarden(dir.path())
        .args(["check", "--timings"])
        .assert()
        .code(0);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for phase in ["discover", "parse", "check", "link", "render", "total"] {
        assert!(
            stderr.lines().any(|line| line.starts_with(phase)),
            "no `{phase}` line in:\n{stderr}"
        );
    }
}

// ---------------------------------------------------------------- rules and rule

#[test]
fn rules_lists_every_rule_with_its_default() {
    let dir = project(&[]);
    let assert = loopwarden(dir.path()).arg("rules").assert().code(0);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let line = stdout
        .lines()
        .find(|line| line.starts_with("LW101"))
        .unwrap_or_else(|| panic!("no LW101 line in:\n{stdout}"));
    assert!(line.contains("blocking-io-in-async"), "{line}");
    assert!(line.trim_end().ends_with("default"), "{line}");
    // Columns are aligned: every name starts at the same offset.
    let offsets: Vec<usize> = stdout
        .lines()
        .map(|line| line.find("  ").expect("two spaces after the code"))
        .collect();
    assert!(
        offsets.windows(2).all(|pair| pair[0] == pair[1]),
        "{stdout}"
    );
}

#[test]
fn rule_prints_its_documentation() {
    let dir = project(&[]);
    for query in ["LW101", "blocking-io-in-async"] {
        loopwarden(dir.path())
            .args(["rule", query])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("LW101"))
            .stdout(predicate::str::contains("blocking-io-in-async"))
            .stdout(predicate::str::contains("asyncio.to_thread"));
    }
}

#[test]
fn unknown_rule_exits_two() {
    let dir = project(&[]);
    loopwarden(dir.path())
        .args(["rule", "LW999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("LW999"));
}

// Bad input: never a panic, always a result naming the file.

#[test]
fn a_ten_megabyte_file_finishes_with_its_findings() {
    let block =
        "async def handler_{n}():\n    time.sleep(1)\n    return [i * 2 for i in range(10)]\n\n\n";
    let mut source = String::from("import time\n\n\n");
    let mut n = 0;
    while source.len() < 10 * 1024 * 1024 {
        source.push_str(&block.replace("{n}", &n.to_string()));
        n += 1;
    }
    let dir = project(&[("big.py", &source)]);
    let (code, findings, _) = check_json(dir.path(), &["--select", "LW101", "."]);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), n, "one LW101 per generated coroutine");
}

/// Python source nested `depth` levels deep in three ways: brackets, blocks, and calls.
fn deeply_nested(depth: usize) -> String {
    let brackets = format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
    let calls = format!("y = {}0{}\n", "f(".repeat(depth), ")".repeat(depth));
    let mut blocks = String::new();
    for level in 0..depth {
        blocks.push_str(&" ".repeat(level));
        blocks.push_str("if x:\n");
    }
    blocks.push_str(&" ".repeat(depth));
    blocks.push_str("pass\n");
    format!("{brackets}{calls}{blocks}")
}

#[test]
fn deep_nesting_finishes_without_a_panic() {
    for depth in [1_000, 10_000] {
        let dir = project(&[("deep.py", &deeply_nested(depth)), ("ok.py", BLOCKING)]);
        let (code, findings, stderr) = check_json(dir.path(), &["."]);
        assert!(
            code == 0 || code == 1,
            "depth {depth}: exit {code}, stderr {stderr}"
        );
        assert!(!stderr.contains("panicked"), "depth {depth}: {stderr}");
        // The other file is still checked.
        assert!(codes_and_files(&findings).contains(&("LW101".to_string(), "ok.py".to_string())));
    }
}

#[test]
fn a_broken_link_is_an_error_naming_the_file_and_other_files_are_checked() {
    let dir = project(&[("ok.py", BLOCKING)]);
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        dir.path().join("missing-target.py"),
        dir.path().join("broken.py"),
    )
    .expect("symlink");
    let (code, findings, stderr) = check_json(dir.path(), &["ok.py", "broken.py"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("broken.py") && stderr.contains("No such file"),
        "{stderr}"
    );
    assert!(codes_and_files(&findings).contains(&("LW101".to_string(), "ok.py".to_string())));
}

/// A file that exists but whose read fails: `/proc/self/mem` answers reads at offset 0 with EIO.
#[cfg(target_os = "linux")]
#[test]
fn a_read_error_is_an_io_error_finding_naming_the_os_error() {
    let dir = project(&[("ok.py", BLOCKING)]);
    let (code, findings, _) = check_json(dir.path(), &["ok.py", "/proc/self/mem"]);
    // A finding like any other, as Ruff's E902: exit 2 is for usage and internal errors.
    assert_eq!(code, 1);
    let io_error = findings
        .iter()
        .find(|finding| finding["code"] == "LW002")
        .expect("an LW002 finding");
    assert_eq!(io_error["filename"], "/proc/self/mem");
    let message = io_error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("/proc/self/mem") && message.contains("os error"),
        "{message}"
    );
    assert!(codes_and_files(&findings).contains(&("LW101".to_string(), "ok.py".to_string())));
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let files: Vec<(String, String)> = (0..40)
        .map(|n| (format!("m{n}.py"), BLOCKING.to_string()))
        .collect();
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let dir = project(&borrowed);
    let run = |threads: &str| {
        loopwarden(dir.path())
            .env("RAYON_NUM_THREADS", threads)
            .args(["check", "--output-format", "json", "."])
            .output()
            .expect("run")
            .stdout
    };
    assert_eq!(run("1"), run("2"));
    assert_eq!(run("1"), run("8"));
}

// ---------------------------------------------------------------- --fix

const FIXABLE: &str = "import asyncio
import time


async def save():
    return 1


async def handler():
    loop = asyncio.get_event_loop()
    save()
    time.sleep(1)
    return loop
";

#[test]
fn fix_applies_safe_fixes_and_a_second_run_changes_nothing() {
    let dir = project(&[("app.py", FIXABLE)]);
    let assert = loopwarden(dir.path())
        .args(["check", "--fix"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("Fixed 2 findings in 1 file."), "{stderr}");
    let fixed = std::fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert!(
        fixed.contains("loop = asyncio.get_running_loop()"),
        "{fixed}"
    );
    assert!(fixed.contains("    await save()\n"), "{fixed}");
    // The unsafe fix (to_thread) is not applied without --unsafe-fixes.
    assert!(fixed.contains("    time.sleep(1)\n"), "{fixed}");
    let (code, findings, _) = check_json(dir.path(), &["--fix"]);
    assert_eq!(code, 1);
    assert_eq!(
        codes_and_files(&findings),
        vec![("LW101".to_string(), "app.py".to_string())]
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.py")).unwrap(),
        fixed
    );
}

#[test]
fn unsafe_fixes_are_applied_only_when_asked() {
    let dir = project(&[("app.py", FIXABLE)]);
    loopwarden(dir.path())
        .args(["check", "--fix", "--unsafe-fixes"])
        .assert()
        .code(0);
    let fixed = std::fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert!(fixed.contains("    await asyncio.sleep(1)\n"), "{fixed}");
    loopwarden(dir.path()).arg("check").assert().code(0);
}

#[test]
fn unsafe_fix_moves_a_transitively_blocking_helper_to_a_thread() {
    let dir = project(&[
        (
            "store.py",
            // (Not a `sqlite3` connection returned to the caller: that belongs to the worker
            // thread that made it, and the helper gets no fix.)
            "import json\n\n\ndef load(key):\n    with open(key) as f:\n        return json.load(f)\n",
        ),
        (
            "routes.py",
            "import asyncio\n\nfrom store import load\n\n\nasync def route(key):\n    return load(key)\n\n\nasync def twice(key):\n    return [load(key)][0]\n",
        ),
    ]);
    let (code, findings, _) = check_json(dir.path(), &["--select", "LW103"]);
    assert_eq!(code, 1);
    let fixes: Vec<&Value> = findings.iter().map(|finding| &finding["fix"]).collect();
    assert_eq!(fixes.len(), 2);
    assert!(
        fixes.iter().all(|fix| fix["applicability"] == "unsafe"),
        "{fixes:?}"
    );
    loopwarden(dir.path())
        .args(["check", "--select", "LW103", "--fix", "--unsafe-fixes"])
        .assert()
        .code(0);
    let fixed = std::fs::read_to_string(dir.path().join("routes.py")).unwrap();
    assert!(
        fixed.contains("    return await asyncio.to_thread(load, key)\n"),
        "{fixed}"
    );
    // Inside a larger expression, the rewrite is parenthesised.
    assert!(
        fixed.contains("    return [(await asyncio.to_thread(load, key))][0]\n"),
        "{fixed}"
    );
}

/// Test code: the rules about what a stalled loop costs a service are off there by default
/// (`test-ignore`), the ones that find tests that test nothing stay on.
#[test]
fn test_code_gets_only_the_rules_that_matter_in_tests() {
    let test_module = "import asyncio\nimport time\n\n\nasync def helper():\n    await asyncio.sleep(0)\n\n\nasync def test_it():\n    time.sleep(0.1)\n    helper()\n";
    let dir = project(&[
        ("tests/test_api.py", test_module),
        ("conftest.py", BLOCKING),
        ("app.py", BLOCKING),
    ]);
    let (code, findings, _) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        codes_and_files(&findings),
        [
            ("LW101".to_string(), "app.py".to_string()),
            ("LW302".to_string(), "tests/test_api.py".to_string()),
        ]
    );
    // `test-ignore = []` reports everything in tests too.
    write(
        dir.path(),
        "pyproject.toml",
        b"[tool.loopwarden]\ntest-ignore = []\n",
    );
    let (_, findings, _) = check_json(dir.path(), &[]);
    let codes: Vec<(String, String)> = codes_and_files(&findings);
    assert!(
        codes.contains(&("LW101".to_string(), "tests/test_api.py".to_string())),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("LW101".to_string(), "conftest.py".to_string())),
        "{codes:?}"
    );
}

/// LW103: one helper called from several coroutines is one problem. The text output shows
/// the chain once with every call site under it; JSON keeps one object per call site;
/// `--statistics` counts helpers.
#[test]
fn call_sites_of_one_blocking_helper_are_grouped() {
    let routes = "from app.db import load\n\n\nasync def a():\n    return load(1)\n\n\nasync def b():\n    return load(2)\n";
    let dir = project(&[
        ("app/__init__.py", ""),
        (
            "app/db.py",
            "import time\n\n\ndef load(key):\n    time.sleep(1)\n    return key\n",
        ),
        ("app/routes.py", routes),
    ]);
    let (_, findings, _) = check_json(dir.path(), &[]);
    assert_eq!(findings.len(), 2);
    let text = loopwarden(dir.path())
        .arg("check")
        .output()
        .expect("run loopwarden");
    let text = String::from_utf8(text.stdout).expect("UTF-8");
    assert_eq!(text.matches("= chain:").count(), 1, "{text}");
    assert_eq!(text.matches("called from 2 places:").count(), 1, "{text}");
    assert!(text.contains("app/routes.py:5:12 in `a`"), "{text}");
    assert!(text.contains("app/routes.py:9:12 in `b`"), "{text}");
    assert!(text.contains("Found 2 errors."), "{text}");
    let statistics = loopwarden(dir.path())
        .args(["check", "--statistics"])
        .output()
        .expect("run loopwarden");
    let statistics = String::from_utf8(statistics.stdout).expect("UTF-8");
    assert_eq!(
        statistics.trim_end(),
        "1\tLW103\ttransitive-blocking-call (2 call sites)"
    );
}

/// The command's allocator runs with one arena (`src/main.rs`, for the peak memory): asked
/// to print its statistics at exit, jemalloc lists the options it ran with.
#[cfg(all(unix, not(target_env = "msvc")))]
#[test]
fn the_allocator_runs_with_one_arena() {
    let output = assert_cmd::cargo::cargo_bin_cmd!("loopwarden")
        .arg("rules")
        .env("_RJEM_MALLOC_CONF", "stats_print:true")
        .output()
        .expect("run");
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("opt.narenas: 1\n"), "{stderr}");
}

/// A sync module whose only finding is LW202 on its call of another module's `async def`
/// behind `@async_to_sync` (a coroutine of a third module reaches it), the call's value
/// used, keeps what identifies its text through the link: the finding is printed with its
/// code frame.
#[test]
fn a_sync_module_calling_an_own_loop_function_keeps_its_text_for_the_link() {
    let dir = project(&[
        ("pkg/__init__.py", ""),
        (
            "pkg/bridge.py",
            "from asgiref.sync import async_to_sync\n\n\n@async_to_sync\nasync def notify(group):\n    return group\n",
        ),
        (
            "pkg/fanout.py",
            "from .bridge import notify\n\n\ndef notify_all(groups):\n    return [notify(group) for group in groups]\n",
        ),
        (
            "pkg/main.py",
            "from .fanout import notify_all\n\n\nasync def main(groups):\n    notify_all(groups)\n",
        ),
    ]);
    let stdout = text_report_without_cache(dir.path());
    assert!(
        stdout.contains("5 |     return [notify(group) for group in groups]"),
        "{stdout}"
    );
}

/// A module whose only finding can come from the link, LW104 on a function its decorator
/// runs in a worker thread, keeps what identifies its text through the link: the finding
/// is printed with its code frame. Both ways of knowing the decorator: the catalog's, and a
/// decorator of another module of the project.
#[test]
fn a_module_with_only_a_thread_run_function_keeps_its_text_for_the_link() {
    let dir = project(&[
        ("pkg/__init__.py", ""),
        (
            "pkg/offload.py",
            "import asyncio\n\n\ndef in_thread(func):\n    async def wrapper(*args):\n        return await asyncio.to_thread(func, *args)\n\n    return wrapper\n",
        ),
        (
            "pkg/wake.py",
            "import asyncio\n\nfrom asgiref.sync import sync_to_async\n\n\n@sync_to_async\ndef wake(event: asyncio.Event):\n    event.set()\n",
        ),
        (
            "pkg/release.py",
            "import asyncio\n\nfrom .offload import in_thread\n\n\n@in_thread\ndef release(event: asyncio.Event):\n    event.clear()\n    event.set()\n",
        ),
        (
            "pkg/main.py",
            "from .release import release\nfrom .wake import wake\n\n\nasync def main(event):\n    await wake(event)\n    await release(event)\n",
        ),
    ]);
    let stdout = text_report_without_cache(dir.path());
    assert!(
        stdout.contains("7 | def wake(event: asyncio.Event):"),
        "{stdout}"
    );
    assert!(
        stdout.contains("7 | def release(event: asyncio.Event):"),
        "{stdout}"
    );
}

/// The text report of `check .` in `dir`, with no cache: findings the link makes are printed
/// with their code frames only if their modules kept what identifies their text.
fn text_report_without_cache(dir: &Path) -> String {
    let output = loopwarden(dir)
        .args(["check", ".", "--output-format", "text", "--no-cache"])
        .output()
        .expect("runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn an_awaited_lock_in_a_plain_with_is_reported_from_python_3_9_on() {
    // Awaiting an asyncio lock to enter it with `with` worked until 3.8 (deprecated from 3.7).
    let source = "\
import asyncio

LOCK = asyncio.Lock()


async def update():
    with await LOCK:
        return 1
";
    let dir = project(&[("app.py", source)]);
    let codes = |target: &str| {
        let (_, findings, _) = check_json(dir.path(), &["--no-cache", "--target-version", target]);
        findings
            .iter()
            .map(|finding| finding["code"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(codes("py39"), ["LW204"]);
    assert!(codes("py38").is_empty());
}

#[test]
fn a_module_outside_any_package_is_checked_the_same_from_its_own_directory() {
    // Checked from its own directory, `service.py` is the module `service`, a name with no
    // package above it; from the parent, `project.service`. The type of a method a class
    // inherits is the link's to find either way.
    let source = "\
from pathlib import Path


class Files:
    def checked(self, path: str) -> Path:
        return Path(path).resolve()


class Listing(Files):
    async def make(self, path: str):
        self.checked(path).mkdir()
";
    let dir = project(&[("project/service.py", source)]);
    let (_, from_inside, stderr) = check_json(&dir.path().join("project"), &[]);
    let (_, from_parent, _) = check_json(dir.path(), &[]);
    for found in [&from_inside, &from_parent] {
        let rows: Vec<_> = found
            .iter()
            .map(|finding| (finding["code"].clone(), finding["location"]["row"].clone()))
            .collect();
        assert_eq!(rows, [(Value::from("LW101"), Value::from(11))], "{stderr}");
    }
}
