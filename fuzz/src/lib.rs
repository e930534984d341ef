//! What the fuzz targets share: a project held in memory, checked the way `loopwarden check`
//! checks files on disk (decode, parse, analyse, link, whole-project rules, `noqa`, every
//! output format), and the properties every run must keep:
//!
//! - no panic, whatever the bytes;
//! - every output format renders, and the JSON output is valid JSON;
//! - the fixes (`--fix --unsafe-fixes`) give text that parses, and they converge: a pass
//!   after one that applied every fix it had changes nothing.

use std::path::PathBuf;

use loopwarden::analysis::{FileAnalysis, ProjectRoots, analyse_bytes, link, project_diagnostics};
use loopwarden::discovery::SourcePath;
use loopwarden::discovery::module_name::ModuleName;
use loopwarden::fix::fixed_source;
use loopwarden::output::{self, OutputFormat, RenderOptions};
use loopwarden::registry::Rule;
use loopwarden::report::{FileFindings, Report};
use loopwarden::settings::Settings;
use ruff_python_ast::{PySourceType, PythonVersion};

/// One file of an in-memory project: its path below the project root, and its bytes.
#[derive(Clone, Debug)]
pub struct Module {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Every rule on, test code checked like any other, and a target version picked by `seed`
/// (the version gates and the `TaskGroup`/`timeout` rules depend on it).
pub fn settings(seed: u8) -> Settings {
    let minor = [8, 9, 11, 12, 14][usize::from(seed) % 5];
    Settings {
        rules: Rule::ALL.iter().copied().collect(),
        test_ignore: Default::default(),
        target_version: PythonVersion { major: 3, minor },
        ..Settings::default()
    }
}

/// The dotted module name of a path below the project root (`app/db.py` → `app.db`,
/// `app/__init__.py` → `app`), with its dotted suffixes as aliases, as the link expects.
fn module_name(path: &str) -> ModuleName {
    let stem = path
        .strip_suffix(".pyi")
        .or_else(|| path.strip_suffix(".py"))
        .unwrap_or(path);
    let mut parts: Vec<&str> = stem.split('/').collect();
    let is_package = parts.last() == Some(&"__init__");
    if is_package {
        parts.pop();
    }
    let name = parts.join(".");
    let aliases = (1..parts.len())
        .map(|skip| parts[skip..].join("."))
        .collect();
    ModuleName {
        name,
        is_package,
        aliases,
    }
}

/// Checks `modules` as one project: what `loopwarden check` would report for them.
pub fn check(modules: &[Module], settings: &Settings) -> Report {
    let files: Vec<SourcePath> = modules
        .iter()
        .map(|module| SourcePath {
            path: PathBuf::from(&module.path),
            display: module.path.clone(),
        })
        .collect();
    let names: Vec<ModuleName> = modules.iter().map(|m| module_name(&m.path)).collect();
    let roots = ProjectRoots::of(&names);
    let mut analyses: Vec<FileAnalysis> = files
        .iter()
        .zip(modules)
        .zip(&names)
        .map(|((file, module), name)| {
            analyse_bytes(file, module.bytes.clone(), name, Some(&roots), settings)
        })
        .collect();
    analyses.sort_by(|a, b| a.display_path.cmp(&b.display_path));
    let linked = link(&analyses, settings);
    let project = project_diagnostics(&linked, settings);
    drop(linked);
    let findings: Vec<FileFindings> = analyses
        .into_iter()
        .zip(project)
        .map(|(analysis, project)| analysis.into_findings(project, settings))
        .collect();
    let count = findings.len();
    Report::new(findings, Vec::new(), count)
}

/// Renders `report` in every output format; the JSON must be valid JSON.
pub fn render_everything(report: &Report) {
    let options = RenderOptions {
        color: true,
        unsafe_fixes: true,
    };
    for format in [
        OutputFormat::Text,
        OutputFormat::Concise,
        OutputFormat::Json,
        OutputFormat::JsonLines,
        OutputFormat::Sarif,
        OutputFormat::Github,
    ] {
        let mut out = Vec::new();
        output::render(format, report, &options, &mut out).expect("rendering to memory");
        if matches!(format, OutputFormat::Json | OutputFormat::Sarif) {
            let text = std::str::from_utf8(&out).expect("JSON output is UTF-8");
            assert!(
                valid_json(text),
                "{format:?} output is not valid JSON:\n{text}"
            );
        }
    }
    let mut out = Vec::new();
    output::render_statistics(report, &mut out).expect("rendering to memory");
}

/// A small structural check of JSON (balanced brackets outside strings, well-formed
/// strings): the harness has no JSON parser of its own and must not pull one in the main
/// crate does not use in the same version.
fn valid_json(text: &str) -> bool {
    let mut depth: Vec<char> = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => {
                        if chars.next().is_none() {
                            return false;
                        }
                    }
                    Some(c) if (c as u32) < 0x20 => return false,
                    Some(_) => {}
                    None => return false,
                }
            },
            '[' | '{' => depth.push(c),
            ']' => {
                if depth.pop() != Some('[') {
                    return false;
                }
            }
            '}' => {
                if depth.pop() != Some('{') {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth.is_empty()
}

fn parses(text: &str, path: &str) -> bool {
    let source_type = if path.ends_with(".pyi") {
        PySourceType::Stub
    } else {
        PySourceType::Python
    };
    ruff_python_parser::parse_unchecked_source(text, source_type)
        .errors()
        .is_empty()
}

/// How many passes the fixes may take to converge: each pass applies every fix that does
/// not overlap an earlier one, so a long run of overlapping fixes may need many.
const MAX_FIX_PASSES: usize = 12;

/// Applies `--fix --unsafe-fixes` to the project until nothing changes, checking that every
/// fixed text parses and that a pass after one that deferred nothing changes nothing.
pub fn check_fixes(modules: &[Module], settings: &Settings) {
    let mut current = modules.to_vec();
    let mut deferred_before = true;
    for _ in 0..MAX_FIX_PASSES {
        let report = check(&current, settings);
        let mut changed = Vec::new();
        let mut deferred = false;
        for file in &report.files {
            let Some((fixed, applied)) = fixed_source(file, true) else {
                continue;
            };
            let applicable = file
                .findings
                .iter()
                .filter(|finding| {
                    finding
                        .fix
                        .as_ref()
                        .is_some_and(|fix| !fix.edits.is_empty())
                })
                .filter(|finding| {
                    finding.fix.as_ref().is_some_and(|fix| {
                        fix.applicability != loopwarden::diagnostic::Applicability::DisplayOnly
                    })
                })
                .count();
            deferred |= applied < applicable;
            assert!(
                parses(&fixed, &file.display_path),
                "the fixes of {} do not parse:\n--- before\n{}\n--- after\n{}",
                file.display_path,
                file.source,
                fixed
            );
            assert!(
                !fixed.is_empty() || file.source.is_empty(),
                "the fixes emptied {}",
                file.display_path
            );
            changed.push((file.display_path.clone(), fixed));
        }
        if changed.is_empty() {
            return;
        }
        assert!(
            deferred_before,
            "a second fix pass changed {:?} though the first deferred nothing:\n{}",
            changed.iter().map(|(path, _)| path).collect::<Vec<_>>(),
            changed
                .iter()
                .map(|(_, text)| text.as_str())
                .collect::<Vec<_>>()
                .join("\n---\n")
        );
        deferred_before = deferred;
        for (path, fixed) in changed {
            if let Some(module) = current.iter_mut().find(|module| module.path == path) {
                module.bytes = fixed.into_bytes();
            }
        }
    }
    panic!("the fixes did not converge in {MAX_FIX_PASSES} passes");
}

/// The whole property set on one project.
pub fn run(modules: &[Module], seed: u8) {
    let settings = settings(seed);
    let report = check(modules, &settings);
    render_everything(&report);
    check_fixes(modules, &settings);
}

/// Where modules go whose header names no usable path: packages, a namespace directory,
/// a stub, test code, a top-level script.
const FALLBACK_PATHS: &[&str] = &[
    "app/__init__.py",
    "app/db.py",
    "app/api.py",
    "app/services/__init__.py",
    "app/services/io.py",
    "lib/helpers.py",
    "tests/test_api.py",
    "app/types.pyi",
];

/// At most this many modules per project: the link's cost is in the calls, not the files.
const MAX_MODULES: usize = 16;

/// The start of a module header line in a project input: `#%% app/db.py`.
pub const MODULE_HEADER: &str = "#%%";

/// Splits a project input into modules: each `#%% path` line starts one, named by the
/// path when it is a usable relative `.py`/`.pyi` path not used yet, else by the next
/// fallback path; text before the first header is `main.py`.
pub fn split_project(text: &str) -> Vec<Module> {
    let mut modules: Vec<Module> = Vec::new();
    let mut fallback = FALLBACK_PATHS.iter();
    let mut current = Module {
        path: "main.py".to_string(),
        bytes: Vec::new(),
    };
    for line in text.split_inclusive('\n') {
        let Some(header) = line.strip_prefix(MODULE_HEADER) else {
            current.bytes.extend_from_slice(line.as_bytes());
            continue;
        };
        if modules.len() + 1 >= MAX_MODULES {
            current.bytes.extend_from_slice(line.as_bytes());
            continue;
        }
        let taken = |path: &str| path == current.path || modules.iter().any(|m| m.path == path);
        let named = header.trim();
        let path = if usable_path(named) && !taken(named) {
            named.to_string()
        } else {
            match fallback.by_ref().find(|path| !taken(path)) {
                Some(path) => (*path).to_string(),
                None => format!("extra/m{}.py", modules.len()),
            }
        };
        modules.push(std::mem::replace(
            &mut current,
            Module {
                path,
                bytes: Vec::new(),
            },
        ));
    }
    modules.push(current);
    modules
}

fn usable_path(path: &str) -> bool {
    (path.ends_with(".py") || path.ends_with(".pyi"))
        && !path.starts_with('/')
        && path.len() < 120
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}
