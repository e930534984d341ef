//! The scaling benchmark (`benches/scaling.rs`) times loopwarden on generated Python: this
//! test keeps that Python meaningful, so the benchmark cannot silently time files that do
//! not parse or projects in which nothing is found. Not timed.

use std::collections::BTreeMap;

use loopwarden::registry::Rule;
use loopwarden::settings::Settings;

#[path = "../benches/support/generate.rs"]
mod generate;

/// Findings per rule code, and the number of files checked.
fn findings_by_code(report: &loopwarden::report::Report) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for file in &report.files {
        for finding in &file.findings {
            *counts.entry(finding.rule.code()).or_default() += 1;
        }
    }
    counts
}

#[test]
fn generated_projects_parse_and_have_findings_across_modules() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = generate::project(100);
    assert_eq!(files.len(), 100);
    for (path, text) in &files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a package directory")).expect("mkdir");
        std::fs::write(&path, text).expect("write a module");
    }
    let report = loopwarden::check(&[dir.path().to_path_buf()], &Settings::default());
    assert_eq!(report.files_checked, 100);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let counts = findings_by_code(&report);
    assert!(!counts.contains_key(Rule::SyntaxError.code()), "{counts:?}");
    // Blocking calls reached across modules, dropped tasks, unchecked gathers.
    for code in ["LW101", "LW103", "LW301", "LW401"] {
        assert!(
            counts.get(code).is_some_and(|&n| n >= 5),
            "{code}: {counts:?}"
        );
    }
    // Some LW103 chains run through another module, and some through a base class.
    let chains_across_modules = report
        .files
        .iter()
        .flat_map(|file| &file.findings)
        .filter(|finding| finding.rule.code() == "LW103")
        .filter(|finding| {
            finding
                .chain
                .iter()
                .any(|step| step.filename != finding.filename)
        })
        .count();
    assert!(chains_across_modules >= 5, "{chains_across_modules}");
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(generate::project(30), generate::project(30));
    assert_eq!(generate::single_file(50_000), generate::single_file(50_000));
}

#[test]
fn a_generated_single_file_parses_and_has_findings() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let text = generate::single_file(200_000);
    assert!(text.len() >= 200_000);
    std::fs::write(dir.path().join("huge.py"), &text).expect("write the file");
    let report = loopwarden::check(&[dir.path().to_path_buf()], &Settings::default());
    let counts = findings_by_code(&report);
    assert!(!counts.contains_key(Rule::SyntaxError.code()), "{counts:?}");
    for code in ["LW101", "LW103", "LW301", "LW401"] {
        assert!(
            counts.get(code).is_some_and(|&n| n >= 5),
            "{code}: {counts:?}"
        );
    }
}

/// Not a test: writes generated Python to disk, to time the command on it by hand
/// (`docs/performance.md`). `LW_GENERATE` is `project:MODULES` or `file:MIB`,
/// `LW_GENERATE_DIR` the directory to write into:
/// `LW_GENERATE=file:48 LW_GENERATE_DIR=/tmp/huge cargo test --test integration bench_generator:: -- --ignored`
#[test]
#[ignore = "writes files where LW_GENERATE_DIR says; run by hand"]
fn write_generated_code() {
    let (Ok(what), Ok(dir)) = (
        std::env::var("LW_GENERATE"),
        std::env::var("LW_GENERATE_DIR"),
    ) else {
        panic!("set LW_GENERATE (project:MODULES or file:MIB) and LW_GENERATE_DIR");
    };
    let dir = std::path::Path::new(&dir);
    let files = match what.split_once(':') {
        Some(("project", modules)) => generate::project(modules.parse().expect("a number")),
        Some(("file", mib)) => vec![(
            format!("huge_{mib}mib.py"),
            generate::single_file(mib.parse::<usize>().expect("a number") << 20),
        )],
        _ => panic!("LW_GENERATE is project:MODULES or file:MIB, not {what}"),
    };
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a directory")).expect("mkdir");
        std::fs::write(&path, text).expect("write generated code");
    }
}
