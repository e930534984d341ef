//! `check --stdin-filename PATH`: standard input is checked as the file at PATH, inside its
//! project, and only that file's findings are printed. This is the contract an editor
//! integration relies on, so it is tested against the result for the same file on disk.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (relative, text) in files {
        let path = dir.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create directories");
        std::fs::write(path, text).expect("write file");
    }
    dir
}

fn loopwarden(dir: &Path) -> Command {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("loopwarden");
    command.current_dir(dir);
    command
}

/// `check --output-format json ARGS` in `dir` with `stdin`: the exit code and the findings.
fn run(dir: &Path, args: &[&str], stdin: &[u8]) -> (i32, Vec<Value>) {
    let output = loopwarden(dir)
        .args(["check", "--output-format", "json"])
        .args(args)
        .write_stdin(stdin)
        .output()
        .expect("run loopwarden");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 stdout");
    let findings: Value = serde_json::from_str(&stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is not JSON ({error}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let findings = findings.as_array().expect("a JSON array").clone();
    (output.status.code().expect("exit code"), findings)
}

/// (code, row) of each finding.
fn codes_and_rows(findings: &[Value]) -> Vec<(String, u64)> {
    findings
        .iter()
        .map(|finding| {
            (
                finding["code"].as_str().unwrap_or_default().to_string(),
                finding["location"]["row"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

const DB: &str = "import sqlite3\n\n\ndef fetch_user(user_id):\n    con = sqlite3.connect(\"app.db\")\n    return con.execute(\"SELECT 1\").fetchone()\n";
const APP_ON_DISK: &str =
    "from shop.db import fetch_user\n\n\nasync def handler(user_id):\n    return user_id\n";

fn shop() -> TempDir {
    project(&[
        ("shop/__init__.py", ""),
        ("shop/db.py", DB),
        ("shop/app.py", APP_ON_DISK),
    ])
}

#[test]
fn every_demo_file_gets_the_findings_a_check_of_the_demo_gives_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (_, all) = run(root, &["examples/demo"], b"");
    assert!(!all.is_empty(), "the demo has findings");
    let demo_files = crate::common::python_files(&root.join("examples/demo"));
    assert!(demo_files.len() >= 5);
    for file in demo_files {
        let relative = file
            .strip_prefix(root)
            .expect("below the repository")
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read(&file).expect("read a demo file");
        let (code, buffer) = run(root, &["--stdin-filename", &relative], &text);
        let expected: Vec<Value> = all
            .iter()
            .filter(|finding| finding["filename"] == relative.as_str())
            .cloned()
            .collect();
        assert_eq!(buffer, expected, "{relative}");
        assert_eq!(code, i32::from(!expected.is_empty()), "{relative}");
    }
}

#[test]
fn the_buffer_is_checked_not_the_file_on_disk() {
    let dir = shop();
    // On disk the handler is clean; the buffer adds a blocking call.
    let (code, findings) = run(dir.path(), &["shop/app.py"], b"");
    assert_eq!((code, findings.len()), (0, 0));
    let edited =
        "import time\n\n\nasync def handler(user_id):\n    time.sleep(1)\n    return user_id\n";
    let (code, findings) = run(
        dir.path(),
        &["--stdin-filename", "shop/app.py"],
        edited.as_bytes(),
    );
    assert_eq!(code, 1);
    assert_eq!(codes_and_rows(&findings), [("LW101".to_string(), 5)]);
    assert_eq!(findings[0]["filename"], "shop/app.py");
}

#[test]
fn a_finding_removed_in_the_buffer_is_gone() {
    let dir = project(&[(
        "app.py",
        "import time\n\n\nasync def handler():\n    time.sleep(1)\n",
    )]);
    let (code, _) = run(dir.path(), &["app.py"], b"");
    assert_eq!(code, 1);
    let fixed = "import asyncio\n\n\nasync def handler():\n    await asyncio.sleep(1)\n";
    let (code, findings) = run(
        dir.path(),
        &["--stdin-filename", "app.py"],
        fixed.as_bytes(),
    );
    assert_eq!((code, findings.len()), (0, 0));
}

#[test]
fn a_whole_project_finding_reaches_into_modules_not_in_the_buffer() {
    let dir = shop();
    let edited = "import asyncio\n\nfrom shop.db import fetch_user\n\n\nasync def handler(user_id):\n    return fetch_user(user_id)\n";
    let (code, findings) = run(
        dir.path(),
        &["--stdin-filename", "shop/app.py"],
        edited.as_bytes(),
    );
    assert_eq!(code, 1);
    assert_eq!(codes_and_rows(&findings), [("LW103".to_string(), 7)]);
    let chain: Vec<&str> = findings[0]["chain"]
        .as_array()
        .expect("a chain")
        .iter()
        .map(|step| step["filename"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(chain.last(), Some(&"shop/db.py"), "{chain:?}");
    // The helper's own module is not reported: only the buffer's findings are printed.
    assert!(
        findings
            .iter()
            .all(|finding| finding["filename"] == "shop/app.py")
    );
    // The fix was spelled from the buffer's text, not the file on disk.
    let edit = &findings[0]["fix"]["edits"][0];
    assert_eq!(
        edit["content"],
        "await asyncio.to_thread(fetch_user, user_id)"
    );
}

#[test]
fn a_buffer_that_does_not_parse_is_a_syntax_error_of_that_file() {
    let dir = shop();
    let (code, findings) = run(
        dir.path(),
        &["--stdin-filename", "shop/app.py"],
        b"async def handler(:\n",
    );
    assert_eq!(code, 1);
    assert_eq!(codes_and_rows(&findings).len(), 1);
    assert_eq!(findings[0]["code"], "LW001");
    assert_eq!(findings[0]["filename"], "shop/app.py");
}

#[test]
fn a_new_file_not_yet_on_disk_is_checked() {
    let dir = shop();
    let buffer = "from shop.db import fetch_user\n\n\nasync def handler(user_id):\n    return fetch_user(user_id)\n";
    let (code, findings) = run(
        dir.path(),
        &["--stdin-filename", "shop/new.py"],
        buffer.as_bytes(),
    );
    assert_eq!(code, 1);
    assert_eq!(codes_and_rows(&findings), [("LW103".to_string(), 5)]);
    assert_eq!(findings[0]["filename"], "shop/new.py");
}

#[test]
fn a_buffer_cpython_would_not_decode_is_a_syntax_error_with_exit_1() {
    let dir = shop();
    let (code, findings) = run(
        dir.path(),
        &["--stdin-filename", "shop/app.py"],
        b"x = '\xff'\n",
    );
    assert_eq!(code, 1);
    assert_eq!(findings[0]["code"], "LW001");
}

#[test]
fn fix_with_a_buffer_is_a_usage_error() {
    let dir = shop();
    let output = loopwarden(dir.path())
        .args(["check", "--fix", "--stdin-filename", "shop/app.py"])
        .write_stdin(APP_ON_DISK)
        .output()
        .expect("run loopwarden");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--stdin-filename"));
}

#[test]
fn the_project_is_the_configuration_file_s_directory() {
    // No package tree: without the configuration's directory as the root, the walk would
    // stay in `src/app/`, `storage.db` would not be found and the chain would be missed.
    let dir = project(&[
        ("loopwarden.toml", "select = [\"LW103\"]\n"),
        ("src/storage/db.py", DB),
        ("src/app/routes.py", APP_ON_DISK),
    ]);
    let buffer = "from storage.db import fetch_user\n\n\nasync def handler(user_id):\n    return fetch_user(user_id)\n";
    let (code, findings) = run(
        dir.path(),
        &["--stdin-filename", "src/app/routes.py"],
        buffer.as_bytes(),
    );
    assert_eq!(code, 1);
    assert_eq!(codes_and_rows(&findings), [("LW103".to_string(), 5)]);
    assert_eq!(findings[0]["filename"], "src/app/routes.py");
}
