//! Applying fixes: `--fix` applies the safe ones (and the unsafe ones with `--unsafe-fixes`),
//! file by file. Fixes whose edits overlap an earlier fix are left for a later run, a file
//! whose fixed text no longer parses is left untouched, and each fixed file is written to a
//! temporary file beside it and renamed over it, so a crash never leaves half a file.

use std::path::Path;

use ruff_python_ast::PySourceType;
use ruff_text_size::TextSize;

use crate::diagnostic::Applicability;
use crate::report::{FileFindings, Report};

/// What `--fix` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FixSummary {
    /// Findings whose fix was applied.
    pub applied: usize,
    /// Files rewritten.
    pub files: usize,
    /// Files that could not be fixed, with the reason.
    pub errors: Vec<String>,
}

/// Applies the fixes of `report` to the files on disk.
pub fn apply_fixes(report: &Report, include_unsafe: bool) -> FixSummary {
    let mut summary = FixSummary::default();
    for file in &report.files {
        let Some((fixed, applied)) = fixed_source(file, include_unsafe) else {
            continue;
        };
        let path = Path::new(&file.display_path);
        if !parses(&fixed, path) {
            summary.errors.push(format!(
                "{}: the fixes would not parse; the file is left unchanged",
                file.display_path
            ));
            continue;
        }
        // The text was decoded from the file's declared encoding (PEP 263): it goes back in
        // the same one, or not at all.
        let Some(bytes) = encoded_as_on_disk(path, &fixed) else {
            summary.errors.push(format!(
                "{}: the fixed text cannot be written in the file's declared encoding; the file \
                 is left unchanged",
                file.display_path
            ));
            continue;
        };
        match write_atomically(path, &bytes) {
            Ok(()) => {
                summary.applied += applied;
                summary.files += 1;
            }
            Err(error) => summary.errors.push(format!(
                "{}: could not write the fixes: {error}",
                file.display_path
            )),
        }
    }
    summary
}

/// The file's text with every applicable, non-overlapping fix applied, and how many fixes
/// that is; `None` when there is nothing to apply.
pub fn fixed_source(file: &FileFindings, include_unsafe: bool) -> Option<(String, usize)> {
    let mut fixes: Vec<_> = file
        .findings
        .iter()
        .filter_map(|finding| finding.fix.as_ref())
        .filter(|fix| match fix.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => include_unsafe,
            Applicability::DisplayOnly => false,
        })
        .filter(|fix| !fix.edits.is_empty())
        .collect();
    fixes.sort_by_key(|fix| fix.edits.iter().map(|edit| edit.range.start()).min());

    let mut edits = Vec::new();
    let mut applied = 0;
    let mut covered_until = TextSize::default();
    for fix in fixes {
        let mut fix_edits: Vec<_> = fix.edits.iter().collect();
        fix_edits.sort_by_key(|edit| (edit.range.start(), edit.range.end()));
        // A fix must start after the previous one ends; two edits at the same offset are
        // ambiguous in order, so the later one waits for the next run.
        let starts_after_previous = fix_edits
            .first()
            .is_some_and(|edit| applied == 0 || edit.range.start() > covered_until);
        let self_overlapping = fix_edits
            .windows(2)
            .any(|pair| pair[1].range.start() < pair[0].range.end());
        if !starts_after_previous || self_overlapping {
            continue;
        }
        covered_until = fix_edits
            .last()
            .map_or(covered_until, |edit| edit.range.end());
        edits.extend(fix_edits);
        applied += 1;
    }
    if applied == 0 {
        return None;
    }
    let source = &file.source;
    let mut fixed = String::with_capacity(source.len() + 64);
    let mut cursor = 0;
    for edit in edits {
        let start = edit.range.start().to_usize();
        let end = edit.range.end().to_usize();
        fixed.push_str(source.get(cursor..start)?);
        fixed.push_str(&edit.content);
        cursor = end;
    }
    fixed.push_str(source.get(cursor..)?);
    Some((fixed, applied))
}

fn parses(source: &str, path: &Path) -> bool {
    let source_type = if path.extension().is_some_and(|ext| ext == "pyi") {
        PySourceType::Stub
    } else {
        PySourceType::Python
    };
    ruff_python_parser::parse_unchecked_source(source, source_type)
        .errors()
        .is_empty()
}

/// `text` encoded as the file at `path` is (its coding declaration; UTF-8 if it has none or
/// cannot be read now).
fn encoded_as_on_disk(path: &Path, text: &str) -> Option<Vec<u8>> {
    let on_disk = std::fs::read(path).unwrap_or_default();
    let encoding = crate::encoding::decode(&on_disk)
        .map(|(_, encoding)| encoding)
        .unwrap_or(crate::encoding::SourceEncoding::Utf8);
    encoding.encode(text)
}

fn write_atomically(path: &Path, text: &[u8]) -> std::io::Result<()> {
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(".{file_name}.loopwarden-fix"));
    std::fs::write(&temporary, text)?;
    if let Ok(metadata) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&temporary, metadata.permissions());
    }
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}
