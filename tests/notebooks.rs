//! Jupyter notebooks end to end: findings placed in cells (JSON's `cell`, text's
//! `path:cell N:row:col`), `# noqa` in a cell, and `--fix` writing into the notebook's JSON
//! without touching anything but the fixed cells' sources. (Which lines of a notebook are
//! findings is the fixture `tests/fixtures/notebooks/`.)

use std::path::Path;

use assert_cmd::Command;
use serde_json::{Value, json};
use tempfile::TempDir;

/// A notebook as Jupyter writes it (one-space indent), with outputs and metadata a fix must
/// leave alone.
fn notebook(cells: &[Value]) -> String {
    let notebook = json!({
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    });
    let mut bytes = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(
        &mut bytes,
        serde_json::ser::PrettyFormatter::with_indent(b" "),
    );
    serde::Serialize::serialize(&notebook, &mut serializer).unwrap();
    String::from_utf8(bytes).unwrap() + "\n"
}

fn code(source: &[&str], outputs: Value) -> Value {
    json!({
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {"tags": ["keep-me"]},
        "outputs": outputs,
        "source": source,
    })
}

fn markdown(source: &[&str]) -> Value {
    json!({"cell_type": "markdown", "metadata": {}, "source": source})
}

fn sample() -> String {
    notebook(&[
        markdown(&["# Fetching\n", "Runs in a kernel."]),
        code(
            &[
                "import asyncio\n",
                "%autoawait on\n",
                "async def fetch():\n",
                "    return 1",
            ],
            json!([]),
        ),
        code(
            &[
                "!echo hi\n",
                "value = asyncio.run(fetch())\n",
                "asyncio.run(fetch())  # noqa: LW202",
            ],
            json!([{"name": "stdout", "output_type": "stream", "text": ["hi\n"]}]),
        ),
    ])
}

fn loopwarden(dir: &Path) -> Command {
    let mut command = assert_cmd::cargo::cargo_bin_cmd!("loopwarden");
    command.current_dir(dir);
    command
}

fn project_with(name: &str, text: &str) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    dir
}

#[test]
fn json_places_findings_in_cells_as_ruff_does() {
    let dir = project_with("analysis.ipynb", &sample());
    let output = loopwarden(dir.path())
        .args(["check", ".", "--output-format", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let findings: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    // One finding: the other `asyncio.run` carries a `noqa`.
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let finding = &findings[0];
    assert_eq!(finding["code"], "LW202");
    assert_eq!(finding["filename"], "analysis.ipynb");
    // The third cell of the notebook (the markdown cell counts), its second row.
    assert_eq!(finding["cell"], 3);
    assert_eq!(finding["location"], json!({"row": 2, "column": 9}));
    assert_eq!(finding["end_location"], json!({"row": 2, "column": 29}));
    assert_eq!(finding["noqa_row"], 2);
    let edit = &finding["fix"]["edits"][0];
    assert_eq!(edit["content"], "await fetch()");
    assert_eq!(edit["location"], json!({"row": 2, "column": 9}));
}

#[test]
fn text_output_names_the_cell_and_numbers_rows_within_it() {
    let dir = project_with("analysis.ipynb", &sample());
    let output = loopwarden(dir.path())
        .args(["check", "."])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("analysis.ipynb:cell 3:2:9: LW202 "),
        "{text}"
    );
    // The frame shows the cell's own rows, and no line of the cell before it.
    assert!(text.contains("1 | !echo hi\n"), "{text}");
    assert!(
        text.contains("2 | value = asyncio.run(fetch())\n"),
        "{text}"
    );
    assert!(!text.contains("return 1"), "{text}");
}

#[test]
fn fix_rewrites_only_the_fixed_cells_source() {
    let original = sample();
    let dir = project_with("analysis.ipynb", &original);
    loopwarden(dir.path())
        .args(["check", ".", "--fix"])
        .assert()
        .success();
    let fixed = std::fs::read_to_string(dir.path().join("analysis.ipynb")).unwrap();
    let expected = original.replace(
        r#""value = asyncio.run(fetch())\n","#,
        r#""value = await fetch()\n","#,
    );
    assert_ne!(expected, original);
    assert_eq!(fixed, expected);
}

#[test]
fn a_notebook_that_is_not_json_is_an_io_error_and_the_run_goes_on() {
    let dir = project_with("broken.ipynb", "{\"cells\": [");
    std::fs::write(dir.path().join("ok.py"), "x = 1\n").unwrap();
    let output = loopwarden(dir.path())
        .args(["check", ".", "--output-format", "concise"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains(
            "broken.ipynb:1:1: LW002 Failed to read broken.ipynb: not a valid Jupyter notebook"
        ),
        "{text}"
    );
}

#[test]
fn a_python_file_beside_is_unaffected_and_cells_see_its_functions() {
    // A blocking helper in a module, called from a coroutine defined in a cell: LW103 runs
    // across the notebook and the module.
    let dir = project_with(
        "explore.ipynb",
        &notebook(&[code(
            &[
                "from helpers import load\n",
                "\n",
                "async def handler():\n",
                "    return load()\n",
            ],
            json!([]),
        )]),
    );
    std::fs::write(
        dir.path().join("helpers.py"),
        "import time\n\n\ndef load():\n    time.sleep(1)\n",
    )
    .unwrap();
    let output = loopwarden(dir.path())
        .args(["check", ".", "--output-format", "concise"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("explore.ipynb:cell 1:4:12: LW103 "), "{text}");
}

#[test]
fn stdin_filename_reads_a_notebook_buffer() {
    let dir = project_with("analysis.ipynb", &notebook(&[]));
    let output = loopwarden(dir.path())
        .args([
            "check",
            "--stdin-filename",
            "analysis.ipynb",
            "--output-format",
            "concise",
        ])
        .write_stdin(sample())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("analysis.ipynb:cell 3:2:9: LW202 "),
        "{text}"
    );
}
