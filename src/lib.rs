//! loopwarden: a static analyzer for the asyncio pitfalls that take Python services down.
//!
//! The data flow is one pass (see DESIGN.md): discover files, parse and check each file in
//! parallel, filter by `noqa` and configuration, then sort the findings so the output is the
//! same bytes whatever the thread count. [`check`] is the API the CLI and the tests share.

pub mod checker;
pub mod diagnostic;
pub mod discovery;
pub mod fix;
pub mod noqa;
pub mod output;
pub mod project;
pub mod report;
pub mod rules;
pub mod semantic;
pub mod settings;
pub mod source;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use ruff_python_ast::PySourceType;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::Diagnostic;
use crate::discovery::SourcePath;
use crate::noqa::NoqaDirectives;
use crate::project::summary::ModuleSummary;
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

    // Module names need a look at each directory: done once per directory, up front.
    let mut packages = semantic::PackageDirectories::default();
    let module_names: Vec<(String, bool)> = discovered
        .files
        .iter()
        .map(|file| {
            let (name, is_package) = packages.module_name(&file.path);
            if is_package || name.contains('.') {
                return (name, is_package);
            }
            // Outside any package: a namespace package (PEP 420) names it after its
            // directories, as far up as they are identifiers.
            let namespaced = namespace_module_name(&file.display);
            (namespaced.unwrap_or(name), is_package)
        })
        .collect();
    let run = || {
        let mut files = discovered
            .files
            .par_iter()
            .zip(module_names.par_iter())
            .map(|(file, module_name)| analyse_file(file, module_name, settings))
            .collect::<Vec<_>>();
        let analysed_at = Instant::now();
        files.sort_by(|a, b| a.display_path.cmp(&b.display_path));
        let project_diagnostics = link_project(&files, settings);
        (files, project_diagnostics, analysed_at, Instant::now())
    };
    // The link runs on a pool thread too: that thread's allocator already holds the memory
    // the analysis freed, so the link does not fault in fresh pages.
    let (files, project_diagnostics, analysed_at, linked_at) = match rayon::ThreadPoolBuilder::new()
        .stack_size(ANALYSIS_STACK_SIZE)
        .build()
    {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    };

    let (parse_time, check_time) = files
        .iter()
        .fold((Duration::ZERO, Duration::ZERO), |(parse, check), file| {
            (parse + file.parse_time, check + file.check_time)
        });
    let findings = files
        .into_iter()
        .zip(project_diagnostics)
        .map(|(file, extra)| file.into_findings(extra, settings))
        .collect();
    let mut report = Report::new(findings, discovered.errors, discovered.files.len());
    // Parsing and checking run interleaved on every thread: split the wall time of that
    // phase in proportion to the thread time each took.
    let parallel = analysed_at - discovered_at;
    let busy = (parse_time + check_time).as_secs_f64();
    let parse_share = if busy > 0.0 {
        parse_time.as_secs_f64() / busy
    } else {
        0.0
    };
    report.timings = Timings {
        discover: discovered_at - started,
        parse: parallel.mul_f64(parse_share),
        check: parallel.mul_f64(1.0 - parse_share),
        link: linked_at - analysed_at,
        render: Duration::ZERO,
    };
    report
}

/// One file after the parallel phase: its text, its own findings, its summary.
struct FileAnalysis {
    display_path: String,
    path: PathBuf,
    source: String,
    line_index: LineIndex,
    diagnostics: Vec<Diagnostic>,
    noqa: NoqaDirectives,
    summary: Option<ModuleSummary>,
    /// The file could not be read: its one finding.
    unreadable: Option<String>,
    /// The text was released after checking (no findings of its own): most files have
    /// none, and holding every file's text until the end would double the peak memory.
    source_dropped: bool,
    parse_time: Duration,
    check_time: Duration,
}

impl FileAnalysis {
    fn into_findings(mut self, extra: Vec<Diagnostic>, settings: &Settings) -> FileFindings {
        if let Some(message) = self.unreadable {
            return FileFindings::unreadable(self.display_path, message, settings);
        }
        if self.source_dropped && !extra.is_empty() {
            // The whole-project rules found something in a file that had no findings of its
            // own: read its text again for positions and code frames.
            self.source = std::fs::read_to_string(&self.path).unwrap_or_default();
        }
        let mut diagnostics = self.diagnostics;
        diagnostics.extend(extra.into_iter().map(|mut diagnostic| {
            if let Some(plan) = diagnostic.source_fix.take() {
                diagnostic.fix = source_fix(&plan, &self.source);
            }
            diagnostic
        }));
        FileFindings::new(
            self.display_path,
            self.source,
            self.line_index,
            diagnostics,
            &self.noqa,
            settings,
            &self.path,
        )
    }
}

/// Spells out a [`diagnostic::SourceFix`] from the file's text.
fn source_fix(plan: &diagnostic::SourceFix, source: &str) -> Option<diagnostic::Fix> {
    let callee = source.get(plan.callee.to_std_range())?.trim();
    let arguments = rules::blocking_io_in_async::arguments_inner(plan.arguments);
    let arguments = source.get(arguments.to_std_range())?;
    Some(rules::blocking_io_in_async::to_thread_edit(
        &plan.asyncio,
        callee,
        arguments,
        plan.call,
        plan.parenthesize,
    ))
}

/// Links the summaries of every parsed file and runs the whole-project rules.
fn link_project(files: &[FileAnalysis], settings: &Settings) -> Vec<Vec<Diagnostic>> {
    let empty = ModuleSummary::default();
    let modules = files
        .iter()
        .map(|file| project::ProjectModule {
            summary: file.summary.as_ref().unwrap_or(&empty),
            display_path: &file.display_path,
            line_index: &file.line_index,
        })
        .collect();
    project::check_project(modules, settings)
}

/// Reads, parses and checks one file; never panics on its content.
fn analyse_file(
    file: &SourcePath,
    module_name: &(String, bool),
    settings: &Settings,
) -> FileAnalysis {
    let mut analysis = FileAnalysis {
        display_path: file.display.clone(),
        path: file.path.clone(),
        source: String::new(),
        line_index: LineIndex::default(),
        diagnostics: Vec::new(),
        noqa: NoqaDirectives::default(),
        summary: None,
        unreadable: None,
        source_dropped: false,
        parse_time: Duration::ZERO,
        check_time: Duration::ZERO,
    };
    let bytes = match std::fs::read(&file.path) {
        Ok(bytes) => bytes,
        Err(error) => {
            analysis.unreadable = Some(format!("Failed to read {}: {error}", file.display));
            return analysis;
        }
    };
    analysis.source = match String::from_utf8(bytes) {
        Ok(source) => source,
        Err(error) => {
            analysis.unreadable = Some(format!(
                "Failed to read {}: stream did not contain valid UTF-8 ({})",
                file.display,
                error.utf8_error()
            ));
            return analysis;
        }
    };
    analysis.line_index = LineIndex::new(&analysis.source);
    check_source(&mut analysis, module_name, settings);
    if analysis.diagnostics.is_empty() {
        analysis.source = String::new();
        analysis.source_dropped = true;
    }
    analysis
}

/// Parses and checks the analysis' source: its findings, `noqa` directives and summary.
fn check_source(
    analysis: &mut FileAnalysis,
    (module_name, is_package): &(String, bool),
    settings: &Settings,
) {
    let source = analysis.source.as_str();
    let source_type = if analysis.path.extension().is_some_and(|ext| ext == "pyi") {
        PySourceType::Stub
    } else {
        PySourceType::Python
    };
    let parse_started = Instant::now();
    let parsed = ruff_python_parser::parse_unchecked_source(source, source_type);
    analysis.parse_time = parse_started.elapsed();
    let check_started = Instant::now();
    let module = parsed.syntax();
    let first_statement = module
        .body
        .first()
        .map_or(TextSize::of(source), |stmt| stmt.start());
    analysis.noqa = NoqaDirectives::from_tokens(
        parsed.tokens(),
        source,
        &analysis.line_index,
        first_statement,
    );
    if analysis.noqa.skips_file() {
        return;
    }
    if let Some(error) = parsed.errors().first() {
        // The tree of a file that does not parse is a guess; checking it would report
        // findings in code the user did not write. Report the syntax error alone.
        let range = clamp_range(error.location, source);
        analysis.diagnostics = vec![Diagnostic::new(
            Rule::SyntaxError,
            format!("SyntaxError: {}", error.error),
            range,
        )];
        return;
    }
    let bindings = semantic::ModuleBindings::new(module, module_name, *is_package);
    let (diagnostics, mut summary) = checker::check_module(module, source, &bindings, settings);
    let (exports, bases) = bindings.into_exports_and_bases();
    summary.exports = exports;
    summary.classes = bases
        .into_iter()
        .map(|(path, bases)| (path, project::summary::ClassSummary { bases }))
        .collect();
    summary.aliases = module_aliases(&analysis.display_path, module_name);
    analysis.diagnostics = diagnostics;
    analysis.summary = Some(summary);
    analysis.check_time = check_started.elapsed();
    // Dropping a deep tree recurses too: it happens here, on the analysis thread's stack.
    drop(parsed);
}

/// The dotted name of a file outside any regular package, from its displayed path: the
/// longest run of identifier directories above it (a leading `src` dropped), as PEP 420
/// namespace packages are imported. `None` when that is the bare stem.
fn namespace_module_name(display_path: &str) -> Option<String> {
    let parts = path_parts(display_path);
    let start =
        (0..parts.len()).find(|&start| parts[start..].iter().all(|part| is_identifier(part)))?;
    let mut parts = &parts[start..];
    if parts.first() == Some(&"src") {
        parts = &parts[1..];
    }
    (parts.len() >= 2).then(|| parts.join("."))
}

/// A displayed path's segments, without the extension.
fn path_parts(display_path: &str) -> Vec<&str> {
    let trimmed = display_path.trim_start_matches("./");
    let without_ext = trimmed
        .strip_suffix(".py")
        .or_else(|| trimmed.strip_suffix(".pyi"))
        .unwrap_or(trimmed);
    without_ext
        .split(['/', '\\'])
        .filter(|part| !part.is_empty() && *part != ".")
        .collect()
}

/// Names a module may be imported under besides its package-derived name: its path below
/// the checked directory, dotted (`src/` dropped), for namespace packages without
/// `__init__.py`.
fn module_aliases(display_path: &str, module_name: &str) -> Vec<String> {
    let mut parts = path_parts(display_path);
    if parts.last() == Some(&"__init__") {
        parts.pop();
    }
    // Every dotted suffix of two or more segments: the project root may sit anywhere above
    // the file. A lone file stem (`json`, `logging`) would shadow the standard library, so it
    // is not one. The link step keeps only the suffixes that name one module.
    (0..parts.len().saturating_sub(1))
        .filter(|&start| parts[start..].iter().all(|part| is_identifier(part)))
        .map(|start| parts[start..].join("."))
        .filter(|alias| alias != module_name)
        .collect()
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

fn clamp_range(range: TextRange, source: &str) -> TextRange {
    let end = TextSize::of(source);
    TextRange::new(range.start().min(end), range.end().min(end))
}
