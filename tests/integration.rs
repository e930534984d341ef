//! The integration tests, one module per file beside this one, built as one test binary
//! (`autotests = false` in Cargo.toml): each test binary links the whole crate, and one for
//! all of them builds in a fraction of the disk and link time. Run one file's tests with
//! `cargo test --test integration <module>::`. `parse_arena.rs` stays a binary of its own,
//! because it replaces the global allocator.

mod common;

mod bench_generator;
mod cache;
mod catalog_docs;
mod chains;
mod cli;
mod demo;
mod docs;
mod fix;
mod fixtures;
mod flags;
mod layering;
mod notebooks;
mod output;
mod robustness;
mod rule_command;
mod rule_details;
mod runtime_report;
mod server;
mod stdin;

/// A file in `tests/` that no `mod` line names would never be compiled, so its tests would
/// pass by not running: every one is a module here or a test target of Cargo.toml.
#[test]
fn every_test_file_is_built() {
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let here = include_str!("integration.rs");
    let manifest = include_str!("../Cargo.toml");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&tests).expect("tests/ is readable") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let declared = here.lines().any(|line| line == format!("mod {stem};"));
        let own_target = manifest.contains(&format!("path = \"tests/{stem}.rs\""));
        if !declared && !own_target {
            missing.push(stem.to_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "add `mod NAME;` to tests/integration.rs for: {missing:?}"
    );
}
