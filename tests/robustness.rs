//! Every input answered: what is not a regular readable file, what CPython would not decode,
//! what nests too deep or takes too long, and what changes under the run's feet each get a
//! finding (or, inside a walked directory, a line in `--show-files`/`--verbose`), never a
//! hang, a panic or a silent drop.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use loopwarden::discovery::{Discovered, SourcePath, Unreadable};
use loopwarden::output::{self, OutputFormat, RenderOptions};
use loopwarden::settings::Settings;
use serde_json::Value;
use tempfile::TempDir;

const BLOCKING: &str = "import time\n\n\nasync def handler():\n    time.sleep(1)\n";

fn project(files: &[(&str, &[u8])]) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (path, bytes) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("directories");
        std::fs::write(path, bytes).expect("write");
    }
    dir
}

fn loopwarden(dir: &Path) -> assert_cmd::Command {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("loopwarden");
    // A FIFO that were opened for reading would block: the timeout turns a hang into a
    // failure.
    command.current_dir(dir).timeout(Duration::from_secs(120));
    command
}

/// `check --output-format json ARGS` in `dir`: exit code, findings, stderr.
fn check_json(dir: &Path, args: &[&str]) -> (i32, Vec<Value>, String) {
    let output = loopwarden(dir)
        .args(["check", "--output-format", "json"])
        .args(args)
        .output()
        .expect("run loopwarden");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 stdout");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let findings: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}):\n{stdout}\n{stderr}"));
    (
        output.status.code().unwrap_or(-1),
        findings.as_array().expect("an array").clone(),
        stderr,
    )
}

fn finding<'f>(findings: &'f [Value], code: &str) -> &'f Value {
    findings
        .iter()
        .find(|finding| finding["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {findings:#?}"))
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

// ------------------------------------------------------------ not a regular file

#[cfg(unix)]
#[test]
fn a_fifo_named_on_the_command_line_is_an_io_error_naming_what_it_is() {
    let dir = project(&[("ok.py", BLOCKING.as_bytes())]);
    mkfifo(&dir.path().join("x.py"));
    let (code, findings, _) = check_json(dir.path(), &["x.py", "ok.py"]);
    assert_eq!(code, 1);
    let fifo = finding(&findings, "LW002");
    assert_eq!(fifo["filename"], "x.py");
    assert_eq!(
        fifo["message"],
        "Failed to read x.py: it is a FIFO (named pipe), not a regular file"
    );
    assert_eq!(finding(&findings, "LW101")["filename"], "ok.py");
}

#[cfg(unix)]
#[test]
fn a_socket_named_on_the_command_line_is_an_io_error_naming_what_it_is() {
    let dir = project(&[]);
    let _listener =
        std::os::unix::net::UnixListener::bind(dir.path().join("s.py")).expect("bind a socket");
    let (code, findings, _) = check_json(dir.path(), &["s.py"]);
    assert_eq!(code, 1);
    let message = finding(&findings, "LW002")["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.starts_with("Failed to read s.py: it is a socket"),
        "{message}"
    );
}

#[cfg(unix)]
#[test]
fn a_device_named_on_the_command_line_is_an_io_error() {
    let dir = project(&[]);
    let (code, findings, _) = check_json(dir.path(), &["/dev/null"]);
    assert_eq!(code, 1);
    assert_eq!(
        finding(&findings, "LW002")["message"],
        "Failed to read /dev/null: it is a character device, not a regular file"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_inside_a_walked_directory_is_skipped_and_listed() {
    let dir = project(&[("app/ok.py", b"x = 1\n")]);
    mkfifo(&dir.path().join("app/pipe.py"));
    let (code, findings, stderr) = check_json(dir.path(), &["app"]);
    assert_eq!((code, findings.len()), (0, 0), "{findings:?}");
    assert!(stderr.is_empty(), "{stderr}");

    let listed = loopwarden(dir.path())
        .args(["check", "--show-files", "app"])
        .output()
        .expect("run");
    assert_eq!(listed.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout),
        "app/ok.py\nskipped app/pipe.py: a FIFO (named pipe), not a regular file\n"
    );

    let verbose = loopwarden(dir.path())
        .args(["check", "--verbose", "app"])
        .output()
        .expect("run");
    assert_eq!(verbose.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&verbose.stderr)
            .contains("skipped app/pipe.py: a FIFO (named pipe), not a regular file"),
        "{}",
        String::from_utf8_lossy(&verbose.stderr)
    );
}

// ------------------------------------------------------------ unreadable directories

fn render(format: OutputFormat, report: &loopwarden::report::Report) -> String {
    let mut out = Vec::new();
    output::render(format, report, &RenderOptions::default(), &mut out).expect("render");
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn an_unreadable_directory_is_a_finding_in_every_output_format() {
    let dir = project(&[("app/ok.py", b"x = 1\n")]);
    let mut discovered =
        loopwarden::discovery::discover(&[dir.path().join("app")], &Settings::default());
    // What the walk records for a directory it may not list (a test running as root can
    // read any directory, so the walk's side is tested in `discovery`).
    let locked = dir.path().join("app/locked");
    discovered.unreadable.push(Unreadable {
        path: SourcePath {
            path: locked.clone(),
            display: "app/locked".into(),
            seen_regular: false,
        },
        message: "Failed to read directory app/locked: Permission denied (os error 13)".into(),
    });
    let report = loopwarden::analysis::check_discovered(discovered, &Settings::default());
    assert_eq!(report.finding_count(), 1);
    for format in [
        OutputFormat::Text,
        OutputFormat::Concise,
        OutputFormat::Json,
        OutputFormat::JsonLines,
        OutputFormat::Sarif,
        OutputFormat::Github,
    ] {
        let text = render(format, &report);
        assert!(
            text.contains("app/locked")
                && text.contains("LW002")
                && text.contains("Permission denied"),
            "{format:?}:\n{text}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_directory_the_user_may_not_read_is_an_io_error_finding() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[("app/ok.py", b"x = 1\n"), ("app/locked/a.py", b"x = 1\n")]);
    let locked = dir.path().join("app/locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read_dir(&locked).is_ok() {
        // Running as root: every directory is readable, nothing to test here.
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        return;
    }
    let (code, findings, _) = check_json(dir.path(), &["app"]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    assert_eq!(code, 1);
    let error = finding(&findings, "LW002");
    assert_eq!(error["filename"], "app/locked");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("Permission denied")
    );
}

// ------------------------------------------------------------ removed during the run

#[test]
fn a_file_removed_during_the_run_is_an_io_error_and_the_rest_is_checked() {
    let dir = project(&[("gone.py", b"x = 1\n"), ("ok.py", BLOCKING.as_bytes())]);
    let discovered: Discovered =
        loopwarden::discovery::discover(&[dir.path().to_path_buf()], &Settings::default());
    assert_eq!(discovered.files.len(), 2);
    std::fs::remove_file(dir.path().join("gone.py")).expect("remove");
    let report = loopwarden::analysis::check_discovered(discovered, &Settings::default());
    let messages: Vec<String> = report
        .findings()
        .map(|finding| format!("{} {}", finding.rule.code(), finding.message))
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0].starts_with("LW002 Failed to read "),
        "{messages:?}"
    );
    assert!(messages[0].ends_with("gone.py: No such file or directory (os error 2)"));
    assert!(messages[1].starts_with("LW101"), "{messages:?}");
}

// ------------------------------------------------------------ symbolic link loops

#[cfg(unix)]
#[test]
fn a_directory_symlink_loop_ends_and_each_file_is_checked_once() {
    let dir = project(&[("app/a.py", BLOCKING.as_bytes())]);
    std::os::unix::fs::symlink("..", dir.path().join("app/up")).expect("symlink");
    std::os::unix::fs::symlink("self", dir.path().join("app/self")).expect("symlink");
    let (code, findings, _) = check_json(dir.path(), &["."]);
    assert_eq!(code, 1);
    let files: Vec<&str> = findings
        .iter()
        .map(|finding| finding["filename"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["app/a.py"]);
    // The loop named on the command line is followed once, as any path given.
    let (code, findings, _) = check_json(dir.path(), &["app/up/app"]);
    assert_eq!((code, findings.len()), (1, 1));
}

// ------------------------------------------------------------ encodings

#[test]
fn a_latin1_file_with_a_coding_declaration_is_checked() {
    let source = b"# -*- coding: latin-1 -*-\nimport time\n\n\nasync def caf\xe9():\n    s = '\xe9t\xe9'; time.sleep(1)\n";
    let dir = project(&[("legacy.py", source)]);
    let (code, findings, _) = check_json(dir.path(), &["legacy.py"]);
    assert_eq!(code, 1);
    let blocking = finding(&findings, "LW101");
    // Columns count characters of the decoded text: `é` is one.
    assert_eq!(blocking["location"]["row"], 6);
    assert_eq!(blocking["location"]["column"], 16);
}

#[test]
fn a_cp1252_file_declared_on_the_second_line_is_checked() {
    let source = b"#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\nimport time\n\n\nasync def f():\n    s = '\x80'\n    time.sleep(1)\n";
    let dir = project(&[("win.py", source)]);
    let (code, findings, _) = check_json(dir.path(), &["win.py"]);
    assert_eq!(code, 1);
    assert_eq!(finding(&findings, "LW101")["location"]["row"], 8);
}

#[test]
fn an_encoding_cpython_rejects_is_a_syntax_error_with_its_words() {
    let dir = project(&[
        ("unknown.py", b"# coding: nope\nx = 1\n"),
        ("ascii.py", b"# coding: ascii\nx = '\xe9'\n"),
        ("bom.py", b"\xef\xbb\xbf# coding: latin-1\nx = 1\n"),
        ("ok.py", b"\xef\xbb\xbfx = 1\n"),
    ]);
    let (code, findings, _) = check_json(dir.path(), &["."]);
    assert_eq!(code, 1);
    let messages: Vec<(String, String)> = findings
        .iter()
        .map(|finding| {
            (
                finding["filename"].as_str().unwrap().to_string(),
                format!(
                    "{} {}",
                    finding["code"].as_str().unwrap(),
                    finding["message"].as_str().unwrap()
                ),
            )
        })
        .collect();
    assert_eq!(
        messages,
        [
            (
                "ascii.py".into(),
                "LW001 SyntaxError: encoding problem: ascii".into()
            ),
            (
                "bom.py".into(),
                "LW001 SyntaxError: encoding problem: iso-8859-1 with BOM".into()
            ),
            (
                "unknown.py".into(),
                "LW001 SyntaxError: encoding problem: nope".into()
            ),
        ]
    );
}

// ------------------------------------------------------------ limits

#[test]
fn code_nested_beyond_the_limit_is_a_finding_naming_the_depth() {
    let depth = 10_001;
    let mut source = String::from("import time\n\n\nasync def deep(x):\n");
    for level in 1..=depth {
        source.push_str(&" ".repeat(level));
        source.push_str("if x:\n");
    }
    source.push_str(&" ".repeat(depth + 1));
    source.push_str("time.sleep(1)\n");
    let dir = project(&[("deep.py", source.as_bytes())]);
    let (code, findings, stderr) = check_json(dir.path(), &["deep.py"]);
    assert_eq!(code, 1, "{stderr}");
    let limit = finding(&findings, "LW004");
    assert_eq!(
        limit["message"],
        "Code nested more than 10000 levels deep is not checked, from here on inside this \
         statement"
    );
    assert!(limit["location"]["row"].as_u64().unwrap() > 9_000);
}

#[test]
fn a_file_over_its_time_limit_is_a_finding_and_the_run_goes_on() {
    let mut slow = String::from("import time\n");
    for n in 0..5_000 {
        slow.push_str(&format!("async def f{n}():\n    time.sleep(1)\n"));
    }
    let dir = project(&[
        ("loopwarden.toml", b"file-time-limit = 0.000001\n"),
        ("slow.py", slow.as_bytes()),
    ]);
    let (code, findings, _) = check_json(dir.path(), &["slow.py"]);
    assert_eq!(code, 1);
    let stopped = finding(&findings, "LW004");
    assert_eq!(
        stopped["message"],
        "Checking this file stopped at the time limit of 0.000001 s (`file-time-limit`): the \
         code from here on is not checked"
    );
    // The part checked before the limit keeps its findings; the rest has none.
    assert!(findings.len() < 5_001);
}

#[test]
fn a_bad_time_limit_is_a_configuration_error() {
    let dir = project(&[
        ("loopwarden.toml", b"file-time-limit = \"ten\"\n"),
        ("a.py", b""),
    ]);
    let output = loopwarden(dir.path())
        .args(["check", "a.py"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("file-time-limit"));
}

// ------------------------------------------------------------ fixes found by fuzzing

/// Fuzzing (check_python) found that two findings of one message on one line were merged
/// into one, whose fix covered only the first call: a second `--fix` had work left.
#[test]
fn one_fix_run_fixes_every_call_of_a_line() {
    let source = "import asyncio\nimport os\n\n\nasync def f(a, b):\n    return os.path.exists(a) and os.path.exists(b)\n";
    let dir = project(&[("a.py", source.as_bytes())]);
    loopwarden(dir.path())
        .args(["check", "--fix", "--unsafe-fixes", "a.py"])
        .output()
        .expect("run");
    let fixed = std::fs::read_to_string(dir.path().join("a.py")).expect("read");
    assert_eq!(
        fixed.matches("asyncio.to_thread(os.path.exists").count(),
        2,
        "{fixed}"
    );
    let (code, findings, _) = check_json(dir.path(), &["a.py"]);
    assert_eq!((code, findings.len()), (0, 0), "{findings:#?}\n{fixed}");
}

/// The fixes of a Latin-1 file are written in Latin-1: the decoded text must not go back to
/// disk as UTF-8 under a `latin-1` declaration.
#[test]
fn fixes_keep_the_declared_encoding() {
    let source = b"# coding: latin-1\nimport asyncio\n\n\nasync def f():\n    s = '\xe9'\n    loop = asyncio.get_event_loop()\n";
    let dir = project(&[("a.py", source)]);
    loopwarden(dir.path())
        .args(["check", "--fix", "a.py"])
        .output()
        .expect("run");
    let fixed = std::fs::read(dir.path().join("a.py")).expect("read");
    assert!(
        fixed.windows(3).any(|w| w == b"'\xe9'"),
        "{}",
        String::from_utf8_lossy(&fixed)
    );
    assert!(String::from_utf8_lossy(&fixed).contains("get_running_loop()"));
}

// ------------------------------------------------------------ determinism

/// A generated project of packages whose modules call each other's blocking helpers, so
/// the link and the whole-project rules (LW103 chains across modules) have work to order.
fn generated_project() -> TempDir {
    let mut files: Vec<(String, String)> = vec![("app/__init__.py".into(), String::new())];
    for package in 0..4 {
        files.push((format!("app/p{package}/__init__.py"), String::new()));
        for module in 0..8 {
            let next = (module + 1) % 8;
            let other = (package + 1) % 4;
            let text = format!(
                "import asyncio\nimport time\n\nfrom app.p{package} import m{next}\nfrom app.p{other}.m{module} import helper as other_helper\n\n\n\
                 def helper():\n    time.sleep(0.{module})\n\n\n\
                 def relay():\n    return m{next}.helper()\n\n\n\
                 async def handler():\n    relay()\n    other_helper()\n    asyncio.create_task(handler())\n    asyncio.sleep(1)\n"
            );
            files.push((format!("app/p{package}/m{module}.py"), text));
        }
    }
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_bytes()))
        .collect();
    project(&borrowed)
}

#[test]
fn json_is_byte_identical_at_1_2_and_8_threads_and_across_runs() {
    let dir = generated_project();
    let run = |threads: &str| {
        let output = loopwarden(dir.path())
            .env("RAYON_NUM_THREADS", threads)
            .args(["check", "--output-format", "json", "."])
            .output()
            .expect("run");
        assert_eq!(output.status.code(), Some(1));
        output.stdout
    };
    let first = run("1");
    let findings: Value = serde_json::from_slice(&first).expect("JSON");
    assert!(
        findings
            .as_array()
            .is_some_and(|all| all.iter().any(|finding| finding["code"] == "LW103")),
        "the project exercises the whole-project rules"
    );
    for threads in ["2", "8", "8", "1", "2"] {
        assert!(
            run(threads) == first,
            "the output at {threads} threads differs"
        );
    }
}

// ------------------------------------------------------------ paths that are not UTF-8

#[cfg(unix)]
#[test]
fn a_path_that_is_not_utf8_is_checked_and_percent_encoded_exactly_in_sarif() {
    use std::os::unix::ffi::OsStrExt;
    let dir = project(&[]);
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9 #1.py");
    std::fs::write(dir.path().join(name), BLOCKING).expect("write");
    // JSON: the byte that is not UTF-8 as the lone surrogate `\udce9` (Python's
    // surrogateescape), so `os.fsencode(json.loads(...)["filename"])` is the exact name.
    // With the cache and without it: the two runs assemble the report apart.
    for cache in [None, Some("--no-cache")] {
        let json = loopwarden(dir.path())
            .args(["check", "--output-format", "json", "."])
            .args(cache)
            .output()
            .expect("run");
        assert_eq!(json.status.code(), Some(1));
        let text = String::from_utf8(json.stdout).expect("the JSON itself is UTF-8");
        assert!(
            text.contains(r#""filename": "caf\udce9 #1.py""#),
            "{cache:?}: {text}"
        );
    }
    // `--show-files` and the text formats: the raw bytes, as the file system has them.
    let listed = loopwarden(dir.path())
        .args(["check", "--show-files", "."])
        .output()
        .expect("run");
    assert_eq!(listed.stdout, b"caf\xe9 #1.py\n");
    let concise = loopwarden(dir.path())
        .args(["check", "--output-format", "concise", "."])
        .output()
        .expect("run");
    assert!(
        concise
            .stdout
            .windows(b"caf\xe9 #1.py:".len())
            .any(|window| window == b"caf\xe9 #1.py:"),
        "{}",
        String::from_utf8_lossy(&concise.stdout)
    );
    let sarif = loopwarden(dir.path())
        .args(["check", "--output-format", "sarif", "."])
        .output()
        .expect("run");
    let log: Value = serde_json::from_slice(&sarif.stdout).expect("SARIF is JSON");
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "caf%E9%20%231.py");
}
