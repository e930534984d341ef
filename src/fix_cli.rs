//! `--fix`, `--fix-only` and `--diff`: fix in passes (the library's `fix` module), then
//! write the files, or print what would change.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use loopwarden::analysis::Texts;
use loopwarden::fix::{self, FixRun};
use loopwarden::report::Report;
use loopwarden::settings::Settings;

/// What the command does with the fixes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `--fix` / `--fix-only`: write them.
    Write,
    /// `--diff`: print them.
    Diff,
}

/// The outcome the command reports.
pub struct Fixed {
    /// The findings left in the fixed text.
    pub remaining: Report,
    /// Fixes applied (or that `--diff` would apply).
    pub applied: usize,
    /// Files that are (or would be) changed.
    pub files: usize,
    pub errors: Vec<String>,
}

/// Runs the passes of fixes over `report` (the check of `paths`), then writes or diffs.
/// The checks of fixed texts go through the cache in `cache`, if any: only the fixed files
/// are analysed again.
pub fn fix(
    report: Report,
    paths: &[PathBuf],
    settings: &Settings,
    cache: Option<&Path>,
    include_unsafe: bool,
    mode: Mode,
    show_fixes: bool,
) -> Fixed {
    let check = |texts: &Texts| match cache {
        Some(directory) => loopwarden::cache::check_with_texts(paths, texts, settings, directory).0,
        None => loopwarden::analysis::check_with_texts(paths, texts, settings),
    };
    let run = fix::fix_passes(report, include_unsafe, check);
    if show_fixes {
        print_applied(&run);
    }
    match mode {
        Mode::Diff => {
            let mut out = io::stdout().lock();
            for file in &run.files {
                let _ = out.write_all(fix::unified_diff(file).as_bytes());
            }
            Fixed {
                applied: run.applied.len(),
                files: run.files.len(),
                errors: run.errors,
                remaining: run.remaining,
            }
        }
        Mode::Write => {
            let written = fix::write_fixes(&run);
            let mut remaining = run.remaining;
            // A file that could not be written keeps its findings: check it again as it is.
            if written.files < run.files.len() {
                remaining = check(&Texts::default());
            }
            remaining.fixed = written.applied;
            Fixed {
                applied: written.applied,
                files: written.files,
                errors: written.errors,
                remaining,
            }
        }
    }
}

/// `--show-fixes`: each fix applied, by file, on stderr.
fn print_applied(run: &FixRun) {
    let mut err = io::stderr().lock();
    for fixed in &run.applied {
        let _ = writeln!(
            err,
            "{}:{}: {} {}",
            fixed.filename,
            fixed.row,
            fixed.rule.code(),
            fixed.message
        );
    }
}

/// `3 findings in 2 files`, for the lines that say what the fixes did.
pub fn count_text(findings: usize, files: usize) -> String {
    format!(
        "{findings} {} in {files} {}",
        plural(findings, "finding", "findings"),
        plural(files, "file", "files")
    )
}

pub fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}
