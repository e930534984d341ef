//! Applying fixes: `--fix` applies the safe ones (and the unsafe ones with `--unsafe-fixes`),
//! file by file, in passes: a fix whose edits overlap an earlier one, or a finding that only
//! appears once another fix is in, is applied in the next pass, after the fixed text is
//! checked again, up to [`MAX_PASSES`]. A file whose fixed text no longer parses keeps the
//! text of its last good pass. Nothing is written until every pass is done; then each
//! fixed file is written through its real path (a symbolic link stays a link to the fixed
//! file), under its exact name, to a temporary file beside it that is renamed over it, so a
//! crash never leaves half a file, with the original's permissions. `--diff` prints the
//! same result instead of writing it.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use ruff_python_ast::PySourceType;
use ruff_text_size::TextSize;

use crate::analysis::Texts;
use crate::diagnostic::Applicability;
use crate::notebook;
use crate::registry::Rule;
use crate::report::{FileFindings, Finding, FindingEdit, Report};

/// How many times the fixed text is checked again for fixes that could not go in with the
/// others. Each pass is a whole check of the paths, so the number stays small; a fix that
/// keeps producing new fixes (which none should) stops here.
pub const MAX_PASSES: usize = 4;

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

/// One fix applied: the finding it fixed, where it was when it was fixed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedFix {
    pub filename: String,
    pub rule: Rule,
    /// 1-based row, in the text of the pass that applied it.
    pub row: usize,
    /// What the fix does.
    pub message: String,
}

/// A file the fixes change: its text before and after.
#[derive(Debug)]
pub struct FixedFile {
    pub display_path: String,
    /// The file on disk (as discovered; symbolic links are followed when writing).
    pub path: PathBuf,
    pub original: String,
    pub fixed: String,
}

/// Every pass of fixes over a run: the new texts (not yet written), the fixes applied, and
/// the report on the fixed texts.
#[derive(Debug, Default)]
pub struct FixRun {
    pub files: Vec<FixedFile>,
    pub applied: Vec<AppliedFix>,
    /// Files whose fixes were left out, with the reason.
    pub errors: Vec<String>,
    /// The findings that remain in the fixed texts.
    pub remaining: Report,
}

/// Applies the fixes of `report` in passes, in memory: `check_again` checks the paths again
/// with the fixed texts standing in for the files (see [`crate::analysis::check_with_texts`]).
pub fn fix_passes(
    report: Report,
    include_unsafe: bool,
    mut check_again: impl FnMut(&Texts) -> Report,
) -> FixRun {
    let mut run = FixRun::default();
    let mut report = report;
    let mut refused: Vec<String> = Vec::new();
    for _ in 0..MAX_PASSES {
        let mut changed = false;
        for file in &report.files {
            if refused.contains(&file.display_path) {
                continue;
            }
            let Some((fixed, applied)) = fixed_source_with(file, include_unsafe) else {
                continue;
            };
            let path = path_of(&report, &file.display_path);
            if !parses(&fixed, &path) {
                run.errors.push(format!(
                    "{}: the fixes would not parse; they are left out",
                    file.display_path
                ));
                refused.push(file.display_path.clone());
                continue;
            }
            // A notebook's fixed code goes back into the cells of its JSON, and the JSON is
            // what the next pass checks and what is written.
            let (original, fixed) = if notebook::is_notebook(&path) {
                let known = run
                    .files
                    .iter()
                    .find(|known| known.display_path == file.display_path);
                let json = match known {
                    Some(known) => Ok((known.original.clone(), known.fixed.clone())),
                    None => std::fs::read_to_string(&path)
                        .map(|json| (json.clone(), json))
                        .map_err(|error| error.to_string()),
                };
                match json.and_then(|(original, json)| {
                    notebook_with_code(&json, &file.source, &fixed).map(|fixed| (original, fixed))
                }) {
                    Ok(texts) => texts,
                    Err(error) => {
                        run.errors.push(format!(
                            "{}: {error}; the fixes are left out",
                            file.display_path
                        ));
                        refused.push(file.display_path.clone());
                        continue;
                    }
                }
            } else {
                (file.source.clone(), fixed)
            };
            run.applied.extend(applied.iter().map(|finding| {
                AppliedFix {
                    filename: file.display_path.clone(),
                    rule: finding.rule,
                    row: finding.location.row,
                    message: finding
                        .fix
                        .as_ref()
                        .map(|fix| fix.message.clone())
                        .unwrap_or_default(),
                }
            }));
            match run
                .files
                .iter_mut()
                .find(|known| known.display_path == file.display_path)
            {
                Some(known) => known.fixed = fixed,
                None => run.files.push(FixedFile {
                    display_path: file.display_path.clone(),
                    path,
                    original,
                    fixed,
                }),
            }
            changed = true;
        }
        if !changed {
            break;
        }
        let texts: Texts = run
            .files
            .iter()
            .map(|file| (file.path.clone(), file.fixed.clone().into_bytes()))
            .collect();
        report = check_again(&texts);
    }
    run.remaining = report;
    run
}

/// Writes the fixed texts of `run` to their files.
pub fn write_fixes(run: &FixRun) -> FixSummary {
    let mut summary = FixSummary {
        errors: run.errors.clone(),
        ..FixSummary::default()
    };
    for file in &run.files {
        match write_fixed(&file.path, &file.original, &file.fixed) {
            Ok(()) => {
                summary.files += 1;
                summary.applied += run
                    .applied
                    .iter()
                    .filter(|fix| fix.filename == file.display_path)
                    .count();
            }
            Err(error) => summary
                .errors
                .push(format!("{}: not fixed: {error}", file.display_path)),
        }
    }
    summary
}

/// The fixes of `report` applied in one pass and written (the editor's "fix all" and older
/// callers; the command line runs [`fix_passes`]).
pub fn apply_fixes(report: &Report, include_unsafe: bool) -> FixSummary {
    let mut summary = FixSummary::default();
    for file in &report.files {
        let Some((fixed, applied)) = fixed_source(file, include_unsafe) else {
            continue;
        };
        let path = path_of(report, &file.display_path);
        if !parses(&fixed, &path) {
            summary.errors.push(format!(
                "{}: the fixes would not parse; the file is left unchanged",
                file.display_path
            ));
            continue;
        }
        let (original, fixed) = if notebook::is_notebook(&path) {
            let written = std::fs::read_to_string(&path)
                .map_err(|error| error.to_string())
                .and_then(|json| {
                    notebook_with_code(&json, &file.source, &fixed).map(|fixed| (json, fixed))
                });
            match written {
                Ok(texts) => texts,
                Err(error) => {
                    summary.errors.push(format!(
                        "{}: {error}; the file is left unchanged",
                        file.display_path
                    ));
                    continue;
                }
            }
        } else {
            (file.source.clone(), fixed)
        };
        match write_fixed(&path, &original, &fixed) {
            Ok(()) => {
                summary.applied += applied;
                summary.files += 1;
            }
            Err(error) => summary
                .errors
                .push(format!("{}: not fixed: {error}", file.display_path)),
        }
    }
    summary
}

/// The notebook `json`, whose code cells joined are `code`, with its cells holding `fixed`
/// instead: the changed lines go back into the cells they came from (a change across two
/// cells is refused), outputs and metadata untouched.
fn notebook_with_code(json: &str, code: &str, fixed: &str) -> Result<String, String> {
    let diff = similar::TextDiff::from_lines(code, fixed);
    let line_starts = |text: &str| -> Vec<usize> {
        std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect()
    };
    let old_starts = line_starts(code);
    let new_starts = line_starts(fixed);
    let offset =
        |starts: &[usize], line: usize, len: usize| starts.get(line).copied().unwrap_or(len);
    let mut edits: Vec<(ruff_text_size::TextRange, &str)> = Vec::new();
    for op in diff.ops() {
        if matches!(op, similar::DiffOp::Equal { .. }) {
            continue;
        }
        let (old, new) = (op.old_range(), op.new_range());
        let start = offset(&old_starts, old.start, code.len());
        let end = offset(&old_starts, old.end, code.len());
        let content = &fixed[offset(&new_starts, new.start, fixed.len())
            ..offset(&new_starts, new.end, fixed.len())];
        let range = ruff_text_size::TextRange::new(
            TextSize::try_from(start).map_err(|error| error.to_string())?,
            TextSize::try_from(end).map_err(|error| error.to_string())?,
        );
        edits.push((range, content));
    }
    notebook::write_back(json, code, edits)
}

/// The file on disk a display path of `report` names.
fn path_of(report: &Report, display: &str) -> PathBuf {
    report
        .paths
        .get(display)
        .cloned()
        .unwrap_or_else(|| PathBuf::from(display))
}

/// The unified diff of a fixed file (`--diff`).
pub fn unified_diff(file: &FixedFile) -> String {
    similar::TextDiff::from_lines(&file.original, &file.fixed)
        .unified_diff()
        .context_radius(3)
        .header(&file.display_path, &file.display_path)
        .to_string()
}

fn edits_of(finding: &Finding) -> &[FindingEdit] {
    finding.fix.as_ref().map_or(&[], |fix| fix.edits.as_slice())
}

/// The file's text with every applicable, non-overlapping fix applied, and how many fixes
/// that is; `None` when there is nothing to apply.
pub fn fixed_source(file: &FileFindings, include_unsafe: bool) -> Option<(String, usize)> {
    fixed_source_with(file, include_unsafe).map(|(text, applied)| (text, applied.len()))
}

/// [`fixed_source`], with the findings whose fixes went in.
pub fn fixed_source_with(
    file: &FileFindings,
    include_unsafe: bool,
) -> Option<(String, Vec<&Finding>)> {
    let mut fixable: Vec<&Finding> = file
        .findings
        .iter()
        .filter(|finding| {
            finding.fix.as_ref().is_some_and(|fix| {
                !fix.edits.is_empty()
                    && match fix.applicability {
                        Applicability::Safe => true,
                        Applicability::Unsafe => include_unsafe,
                        Applicability::DisplayOnly => false,
                    }
            })
        })
        .collect();
    fixable.sort_by_key(|finding| {
        edits_of(finding)
            .iter()
            .map(|edit| edit.range.start())
            .min()
    });

    let mut edits = Vec::new();
    let mut applied = Vec::new();
    let mut covered_until = TextSize::default();
    let mut taken: Vec<&[FindingEdit]> = Vec::new();
    for finding in fixable {
        let fix_edits = edits_of(finding);
        // Several findings share one fix (every call on a thread-bound object moves in one
        // helper): applying it once fixes each of them.
        if taken.contains(&fix_edits) {
            applied.push(finding);
            continue;
        }
        let mut sorted: Vec<_> = fix_edits.iter().collect();
        sorted.sort_by_key(|edit| (edit.range.start(), edit.range.end()));
        // A fix must start after the previous one ends; two edits at the same offset are
        // ambiguous in order, so the later one waits for the next pass.
        let starts_after_previous = sorted
            .first()
            .is_some_and(|edit| applied.is_empty() || edit.range.start() > covered_until);
        let self_overlapping = sorted
            .windows(2)
            .any(|pair| pair[1].range.start() < pair[0].range.end());
        if !starts_after_previous || self_overlapping {
            continue;
        }
        covered_until = sorted.last().map_or(covered_until, |edit| edit.range.end());
        edits.extend(sorted);
        taken.push(fix_edits);
        applied.push(finding);
    }
    if applied.is_empty() {
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
    let source_type = PySourceType::from(path);
    ruff_python_parser::parse_unchecked_source(source, source_type)
        .errors()
        .is_empty()
}

/// Writes `fixed` over the file at `path`, whose text was `original` when it was read.
/// Through symbolic links to the real file, under its exact (byte) name, atomically, with
/// its permissions, in the encoding its coding declaration names (PEP 263); a file that is
/// read-only, that changed since it was read, or whose encoding cannot hold the fixed text,
/// is refused with the reason.
pub fn write_fixed(path: &Path, original: &str, fixed: &str) -> std::io::Result<()> {
    let real = std::fs::canonicalize(path)?;
    let metadata = std::fs::metadata(&real)?;
    if metadata.permissions().readonly() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "the file is read-only",
        ));
    }
    let on_disk = std::fs::read(&real)?;
    let (current, encoding) = crate::encoding::decode(&on_disk)
        .map_err(|_| std::io::Error::other("the file changed since it was read"))?;
    if current != original {
        return Err(std::io::Error::other("the file changed since it was read"));
    }
    let Some(bytes) = encoding.encode(fixed) else {
        return Err(std::io::Error::other(
            if encoding == crate::encoding::SourceEncoding::Utf8WithStrayBytesInComments {
                "its comments hold bytes that are not UTF-8, which the fixed text would lose"
            } else {
                "the fixed text cannot be written in the file's declared encoding"
            },
        ));
    };
    let directory = real.parent().unwrap_or(Path::new("."));
    let mut temporary_name = OsString::from(".");
    temporary_name.push(real.file_name().unwrap_or_default());
    temporary_name.push(format!(".{}.loopwarden-fix", std::process::id()));
    let temporary = directory.join(temporary_name);
    let written = (|| {
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        out.write_all(&bytes)?;
        out.sync_all()?;
        drop(out);
        std::fs::set_permissions(&temporary, metadata.permissions())?;
        std::fs::rename(&temporary, &real)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}
