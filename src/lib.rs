//! loopwarden: a static analyzer for the asyncio pitfalls that take Python services down.
//!
//! The data flow is one pass (see DESIGN.md): discover files, parse and check each file in
//! parallel, filter by `noqa` and configuration, then sort the findings so the output is the
//! same bytes whatever the thread count. [`check`] is the API the CLI and the tests share.

pub mod checker;
pub mod diagnostic;
pub mod discovery;
pub mod noqa;
pub mod output;
pub mod report;
pub mod rules;
pub mod semantic;
pub mod settings;
pub mod source;

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use ruff_python_ast::PySourceType;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::Diagnostic;
use crate::discovery::SourcePath;
use crate::noqa::NoqaDirectives;
use crate::report::{FileFindings, Report, Timings};
use crate::rules::Rule;
use crate::settings::Settings;
use crate::source::LineIndex;

/// Stack size of the analysis threads: deeply nested input recurses deeply in every visitor
/// (and in dropping the tree), so the threads get far more stack than the default 2 MiB.
/// Only the pages actually touched are committed.
const ANALYSIS_STACK_SIZE: usize = 512 * 1024 * 1024;

/// Checks every Python file under `paths` and returns the sorted findings.
pub fn check(paths: &[PathBuf], settings: &Settings) -> Report {
    let started = Instant::now();
    let discovered = discovery::discover(paths, settings);
    let discovered_at = Instant::now();

    let analyse_all = || {
        discovered
            .files
            .par_iter()
            .map(|file| analyse_file(file, settings))
            .collect::<Vec<_>>()
    };
    let mut files = match rayon::ThreadPoolBuilder::new()
        .stack_size(ANALYSIS_STACK_SIZE)
        .build()
    {
        Ok(pool) => pool.install(analyse_all),
        Err(_) => analyse_all(),
    };
    let analysed_at = Instant::now();

    files.sort_by(|a, b| a.display_path.cmp(&b.display_path));
    let mut report = Report::new(files, discovered.errors, discovered.files.len());
    report.timings = Timings {
        discover: discovered_at - started,
        check: analysed_at - discovered_at,
        ..Timings::default()
    };
    report
}

/// Reads, parses and checks one file; never panics on its content.
fn analyse_file(file: &SourcePath, settings: &Settings) -> FileFindings {
    let display_path = file.display.clone();
    let bytes = match std::fs::read(&file.path) {
        Ok(bytes) => bytes,
        Err(error) => {
            let message = format!("Failed to read {}: {error}", file.display);
            return FileFindings::unreadable(display_path, message, settings);
        }
    };
    let source = match String::from_utf8(bytes) {
        Ok(source) => source,
        Err(error) => {
            let message = format!(
                "Failed to read {}: stream did not contain valid UTF-8 ({})",
                file.display,
                error.utf8_error()
            );
            return FileFindings::unreadable(display_path, message, settings);
        }
    };
    let line_index = LineIndex::new(&source);
    let (diagnostics, noqa) = check_source(&source, &line_index, &file.path, settings);
    FileFindings::new(display_path, source, line_index, diagnostics, &noqa, settings, &file.path)
}

/// Parses and checks `source`: the findings of the enabled rules, and the file's `noqa`
/// directives (applied by the caller).
fn check_source(
    source: &str,
    line_index: &LineIndex,
    path: &Path,
    settings: &Settings,
) -> (Vec<Diagnostic>, NoqaDirectives) {
    let source_type = if path.extension().is_some_and(|ext| ext == "pyi") {
        PySourceType::Stub
    } else {
        PySourceType::Python
    };
    let parsed = ruff_python_parser::parse_unchecked_source(source, source_type);
    let module = parsed.syntax();
    let first_statement = module
        .body
        .first()
        .map_or(TextSize::of(source), |stmt| stmt.start());
    let noqa = NoqaDirectives::from_tokens(parsed.tokens(), source, line_index, first_statement);
    if noqa.skips_file() {
        return (Vec::new(), noqa);
    }
    if let Some(error) = parsed.errors().first() {
        // The tree of a file that does not parse is a guess; checking it would report
        // findings in code the user did not write. Report the syntax error alone.
        let range = clamp_range(error.location, source);
        let diagnostic = Diagnostic::new(Rule::SyntaxError, format!("SyntaxError: {}", error.error), range);
        return (vec![diagnostic], noqa);
    }
    let (module_name, is_package) = semantic::module_name_from_path(path);
    let bindings = semantic::ModuleBindings::new(module, &module_name, is_package);
    let diagnostics = checker::check_module(module, source, &bindings, settings);
    (diagnostics, noqa)
}

fn clamp_range(range: TextRange, source: &str) -> TextRange {
    let end = TextSize::of(source);
    TextRange::new(range.start().min(end), range.end().min(end))
}
