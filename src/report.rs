//! The result of a run: findings with resolved rows and columns, ready for any output format.

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ruff_text_size::{TextRange, TextSize};

use crate::diagnostic::{Applicability, ChainStep, Diagnostic};
use crate::noqa::NoqaDirectives;
use crate::notebook::{Cell, CellIndex};
use crate::registry::Rule;
use crate::rules::unused_noqa;
use crate::settings::Settings;
use crate::source::{AsciiLines, LineIndex, Location};

/// One finding, positioned for people (1-based rows and character columns).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub message: String,
    pub help: Option<String>,
    /// The path as given on the command line, joined with the path below it.
    pub filename: String,
    pub location: Location,
    pub end_location: Location,
    pub fix: Option<FindingFix>,
    /// The row a `# noqa` comment must be on to suppress this finding.
    pub noqa_row: usize,
    pub chain: Vec<ChainStep>,
    /// Byte range in the file, kept for code frames and for applying fixes.
    pub range: TextRange,
    /// What the runtime companion saw here (`check --runtime-report`), if anything.
    pub runtime: Option<RuntimeSeen>,
    /// In a notebook: the cell the finding is in. Rows and columns (the finding's, its
    /// edits', `noqa_row`) are then positions in the notebook's concatenated code cells;
    /// [`Cell::row`] turns them into rows of the cell, for output.
    pub cell: Option<Cell>,
}

impl Finding {
    /// `location` (the finding's own, or one of its edits') as output shows it: in a
    /// notebook, a row of the finding's cell.
    pub fn shown(&self, location: Location) -> Location {
        match self.cell {
            Some(cell) => Location {
                row: cell.row(location.row),
                column: location.column,
            },
            None => location,
        }
    }
}

/// A finding as the runtime companion saw it: confirmed by observations at run time, or
/// found only at run time (a finding of its own, with the observed stack as its chain).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeSeen {
    pub only_at_runtime: bool,
    pub observations: Vec<RuntimeObservation>,
}

/// One line of a runtime report: what was observed, where, how often, how long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeObservation {
    /// `blocked`, `blocking-call`, `never-awaited`, ... (docs/runtime.md lists them).
    pub kind: String,
    pub code: String,
    /// The file as the report names it.
    pub file: String,
    pub row: usize,
    pub function: String,
    /// Outermost call first, down to the blocking call.
    pub stack: Vec<ChainStep>,
    pub count: u64,
    /// Durations in microseconds (the report has milliseconds with three decimals).
    pub total_us: u64,
    pub max_us: u64,
    pub threshold_us: Option<u64>,
}

impl RuntimeSeen {
    /// `held the loop 14 times, 230 ms max`; observations of several kinds joined by `; `.
    pub fn summary(&self) -> String {
        let mut kinds: Vec<(&str, u64, u64)> = Vec::new();
        for observation in &self.observations {
            match kinds
                .iter_mut()
                .find(|(kind, ..)| *kind == observation.kind)
            {
                Some((_, count, max)) => {
                    *count += observation.count;
                    *max = (*max).max(observation.max_us);
                }
                None => kinds.push((&observation.kind, observation.count, observation.max_us)),
            }
        }
        kinds
            .iter()
            .map(|&(kind, count, max_us)| runtime_phrase(kind, count, max_us))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// `230` ms, or `0.4` ms: a tenth of a millisecond is worth saying below ten.
fn milliseconds(micros: u64) -> String {
    if micros < 10_000 {
        format!("{:.1}", micros as f64 / 1000.0)
    } else {
        format!("{}", (micros + 500) / 1000)
    }
}

/// What an observation of `kind` says, for people.
fn runtime_phrase(kind: &str, count: u64, max_us: u64) -> String {
    let times = if count == 1 {
        "once".to_string()
    } else {
        format!("{count} times")
    };
    let max_ms = milliseconds(max_us);
    match kind {
        "blocked" => format!("held the loop {times}, {max_ms} ms max"),
        "blocking-call" => {
            format!("a blocking call on the loop's thread, {times}, {max_ms} ms max")
        }
        "never-awaited" => format!("a coroutine created here was never awaited, {times}"),
        "destroyed-pending" => format!("a task was destroyed while pending, {times}"),
        "exception-never-retrieved" => {
            format!("a task's exception was never retrieved, {times}")
        }
        "wrong-thread" => format!("the loop was called from another thread, {times}"),
        "loop-already-running" => format!("a loop was driven while one was running, {times}"),
        "gather-siblings-ran-on" => {
            format!("the gather failed while the others ran on, {times}, {max_ms} ms max")
        }
        "gather-returned-exceptions" => format!("the gather returned exceptions, {times}"),
        other => format!("{other}, {times}"),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingFix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<FindingEdit>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingEdit {
    pub content: String,
    pub location: Location,
    pub end_location: Location,
    pub range: TextRange,
}

/// A checked file: its text (for code frames) and what was found in it.
#[derive(Debug)]
pub struct FileFindings {
    pub display_path: String,
    pub source: String,
    pub line_index: LineIndex,
    pub findings: Vec<Finding>,
}

impl FileFindings {
    /// Turns a file's diagnostics into findings: drops rules that are off for this file and
    /// findings a `noqa` comment suppresses, resolves positions, sorts by position.
    pub fn new(
        display_path: String,
        source: String,
        line_index: LineIndex,
        diagnostics: Vec<Diagnostic>,
        noqa: &NoqaDirectives,
        settings: &Settings,
        path: &Path,
    ) -> Self {
        Self::located(
            display_path,
            (source, line_index, None),
            diagnostics,
            noqa,
            (settings, path),
        )
    }

    /// [`FileFindings::new`] for a file whose text was not read, for an output without code
    /// frames: `lines` locate its findings (each on a line of ASCII characters: on any other,
    /// the column counts bytes). Its `noqa` directives are not reviewed (LW003), which needs
    /// the text: the cache reads the text of a file whose directives are.
    pub fn without_text(
        display_path: String,
        line_index: LineIndex,
        lines: &AsciiLines,
        diagnostics: Vec<Diagnostic>,
        noqa: &NoqaDirectives,
        settings: &Settings,
        path: &Path,
    ) -> Self {
        Self::located(
            display_path,
            (String::new(), line_index, Some(lines)),
            diagnostics,
            noqa,
            (settings, path),
        )
    }

    /// The two above: located by the text, or by `lines` when given.
    fn located(
        display_path: String,
        (source, line_index, lines): (String, LineIndex, Option<&AsciiLines>),
        diagnostics: Vec<Diagnostic>,
        noqa: &NoqaDirectives,
        (settings, path): (&Settings, &Path),
    ) -> Self {
        let locator = match lines {
            Some(lines) => Locator::AsciiLines(lines, &line_index),
            None => Locator::Text(&source, &line_index),
        };
        let findings = findings_of(diagnostics, &display_path, noqa, settings, path, locator);
        Self {
            display_path,
            source,
            line_index,
            findings,
        }
    }

    /// Places the findings of a notebook (`cells`: its index) in their cells.
    pub fn in_cells(mut self, cells: Option<CellIndex>) -> Self {
        if let Some(cells) = cells {
            for finding in &mut self.findings {
                finding.cell = cells.cell_of_row(finding.location.row);
            }
        }
        self
    }

    /// A file that could not be read: one LW002 finding at its start, naming the OS error.
    pub fn unreadable(display_path: String, message: String, settings: &Settings) -> Self {
        let mut findings = Vec::new();
        if settings.is_enabled(Rule::IoError) {
            let start = Location { row: 1, column: 1 };
            findings.push(Finding {
                rule: Rule::IoError,
                message,
                help: None,
                filename: display_path.clone(),
                location: start,
                end_location: start,
                fix: None,
                noqa_row: 1,
                chain: Vec::new(),
                range: TextRange::empty(TextSize::from(0)),
                runtime: None,
                cell: None,
            });
        }
        Self {
            display_path,
            source: String::new(),
            line_index: LineIndex::default(),
            findings,
        }
    }
}

/// How a file's offsets become rows and columns.
enum Locator<'a> {
    /// From its text (columns count its characters).
    Text(&'a str, &'a LineIndex),
    /// Without it: every offset on a line of ASCII characters (on any other line, which
    /// the cache never lets through, the column would count bytes).
    AsciiLines(&'a AsciiLines, &'a LineIndex),
}

impl Locator<'_> {
    fn line_index(&self) -> &LineIndex {
        match self {
            Self::Text(_, index) | Self::AsciiLines(_, index) => index,
        }
    }

    /// The text, for LW003's fixes ("" without it: the cache reads the text of a file whose
    /// `noqa` codes LW003 reviews).
    fn source(&self) -> &str {
        match self {
            Self::Text(source, _) => source,
            Self::AsciiLines(..) => "",
        }
    }

    fn locate(&self, offset: TextSize) -> Location {
        match self {
            Self::Text(source, index) => index.location(offset, source),
            Self::AsciiLines(lines, index) => lines
                .location(index, offset)
                .unwrap_or_else(|| index.byte_location(offset)),
        }
    }
}

/// A file's diagnostics as findings: rules that are off for the file and findings a `noqa`
/// comment suppresses dropped, LW003's added, each located by `locator`, sorted by
/// position, one per line and message.
fn findings_of(
    diagnostics: Vec<Diagnostic>,
    display_path: &str,
    noqa: &NoqaDirectives,
    settings: &Settings,
    path: &Path,
    locator: Locator,
) -> Vec<Finding> {
    // Most files of a project: nothing to filter, and no `noqa` code for LW003 to review.
    if diagnostics.is_empty() && !noqa.has_codes() {
        return Vec::new();
    }
    let line_index = locator.line_index();
    let parsed = !diagnostics
        .iter()
        .any(|diagnostic| diagnostic.rule == Rule::SyntaxError);
    let mut used = HashSet::new();
    // Whether a rule runs on this file is asked once per rule, not once per finding: the
    // answer reads the file's path against `test-ignore` and `per-file-ignores`.
    let answers: RefCell<Vec<(Rule, bool)>> = RefCell::default();
    let enabled = |rule: Rule| {
        let known = answers
            .borrow()
            .iter()
            .find(|(asked, _)| *asked == rule)
            .map(|&(_, answer)| answer);
        known.unwrap_or_else(|| {
            let answer = settings.is_enabled_for(rule, path);
            answers.borrow_mut().push((rule, answer));
            answer
        })
    };
    let mut kept: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|diagnostic| enabled(diagnostic.rule))
        .filter(|diagnostic| {
            let line = line_index.line_of(diagnostic.range.start());
            match noqa.find_match(line, diagnostic.rule) {
                Some(matched) => {
                    used.insert(matched);
                    false
                }
                None => true,
            }
        })
        .collect();
    // LW003 needs every other finding of the file first: it reports what matched none.
    // A file that does not parse has no findings to match.
    if parsed && enabled(Rule::UnusedNoqa) {
        kept.extend(unused_noqa::check(noqa, &used, locator.source(), enabled));
    }
    let mut findings: Vec<Finding> = kept
        .into_iter()
        .map(|diagnostic| to_finding(diagnostic, display_path, &locator))
        .collect();
    sort_findings(&mut findings);
    one_per_line_and_message(findings)
}

/// One finding per line for one message: two calls of the same API on a line
/// (`a.exists() and b.exists()`) are one thing to read and to fix, not two. The first
/// (`findings` are in output order) is kept, and its fix carries the edits of the others,
/// merged in their order, so one `--fix` fixes the line, and a second finds nothing left to
/// do.
///
/// The findings alike are found by sorting their positions by row, rule and message (a
/// stable sort: each group's first is the one kept), not through a map keyed by a copy of
/// every message: most files with findings have one or two.
fn one_per_line_and_message(findings: Vec<Finding>) -> Vec<Finding> {
    if findings.len() < 2 {
        return findings;
    }
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| line_key(&findings[a]).cmp(&line_key(&findings[b])));
    // The position of the finding each one merges into (itself for one kept).
    let mut kept_as: Vec<usize> = (0..findings.len()).collect();
    for group in order.chunk_by(|&a, &b| line_key(&findings[a]) == line_key(&findings[b])) {
        for &other in &group[1..] {
            kept_as[other] = group[0];
        }
    }
    // Where each kept finding went in the result.
    let mut placed: Vec<usize> = vec![0; findings.len()];
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    for (at, finding) in findings.into_iter().enumerate() {
        if kept_as[at] == at {
            placed[at] = kept.len();
            kept.push(finding);
        } else {
            merge_fix(&mut kept[placed[kept_as[at]]], finding.fix);
        }
    }
    kept
}

/// What makes two findings one ([`one_per_line_and_message`]).
fn line_key(finding: &Finding) -> (usize, Rule, &str) {
    (finding.location.row, finding.rule, &finding.message)
}

/// Adds the edits of `other` (the fix of a finding merged into `finding`) to `finding`'s
/// fix, unless they overlap its edits; the merged fix is as safe as the less safe of the two.
fn merge_fix(finding: &mut Finding, other: Option<FindingFix>) {
    let Some(other) = other else {
        return;
    };
    let Some(fix) = &mut finding.fix else {
        finding.fix = Some(other);
        return;
    };
    let overlaps = other.edits.iter().any(|new| {
        fix.edits.iter().any(|old| {
            new.range.start() < old.range.end() && old.range.start() < new.range.end()
                || new.range.start() == old.range.start()
        })
    });
    if overlaps {
        return;
    }
    fix.applicability = fix.applicability.min(other.applicability);
    fix.edits.extend(other.edits);
    fix.edits
        .sort_by_key(|edit| (edit.range.start(), edit.range.end()));
}

fn to_finding(diagnostic: Diagnostic, filename: &str, locator: &Locator) -> Finding {
    let location = locator.locate(diagnostic.range.start());
    let end_location = locator.locate(diagnostic.range.end());
    let fix = diagnostic.fix.map(|fix| FindingFix {
        applicability: fix.applicability,
        message: fix.message,
        edits: fix
            .edits
            .into_iter()
            .map(|edit| FindingEdit {
                location: locator.locate(edit.range.start()),
                end_location: locator.locate(edit.range.end()),
                content: edit.content,
                range: edit.range,
            })
            .collect(),
    });
    Finding {
        rule: diagnostic.rule,
        message: diagnostic.message,
        help: diagnostic.help,
        filename: filename.to_string(),
        noqa_row: location.row,
        location,
        end_location,
        fix,
        chain: diagnostic.chain,
        range: diagnostic.range,
        runtime: None,
        cell: None,
    }
}

/// Output order within a file: by position, then rule, then message.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.filename, a.location, a.rule, a.end_location, &a.message).cmp(&(
            &b.filename,
            b.location,
            b.rule,
            b.end_location,
            &b.message,
        ))
    });
}

/// How long each phase took (printed by `--timings`).
#[derive(Clone, Debug, Default)]
pub struct Timings {
    pub discover: Duration,
    pub parse: Duration,
    pub check: Duration,
    pub link: Duration,
    pub render: Duration,
}

/// The path on disk of each display path: pairs sorted by display path, found by bisection.
/// Not a hash map: a run's report is made from files already in that order, and on a cached
/// run of a large project hashing 15,512 paths (and copying each twice to do it) was most of
/// assembling the report; `--fix` alone looks a path up.
#[derive(Clone, Debug, Default)]
pub struct DiskPaths(Vec<(String, PathBuf)>);

impl DiskPaths {
    pub fn get(&self, display: &str) -> Option<&PathBuf> {
        self.0
            .binary_search_by(|(shown, _)| shown.as_str().cmp(display))
            .ok()
            .map(|at| &self.0[at].1)
    }
}

impl FromIterator<(String, PathBuf)> for DiskPaths {
    /// The pairs in any order (sorted here unless they come sorted); of two with the same
    /// display path, the last.
    fn from_iter<I: IntoIterator<Item = (String, PathBuf)>>(pairs: I) -> Self {
        let mut pairs: Vec<(String, PathBuf)> = pairs.into_iter().collect();
        if !pairs.is_sorted_by(|a, b| a.0 < b.0) {
            // Stable: of equal display paths, the last given stays last.
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            let mut kept: Vec<(String, PathBuf)> = Vec::with_capacity(pairs.len());
            for pair in pairs {
                match kept.last_mut() {
                    Some(last) if last.0 == pair.0 => *last = pair,
                    _ => kept.push(pair),
                }
            }
            pairs = kept;
        }
        Self(pairs)
    }
}

/// Everything a run found, in output order.
#[derive(Debug, Default)]
pub struct Report {
    /// Checked files, sorted by display path.
    pub files: Vec<FileFindings>,
    /// Problems that are not findings: a path that does not exist, an unreadable directory.
    pub errors: Vec<String>,
    /// Entries of walked directories that were not checked (not regular files), with what
    /// they are: `--verbose` lists them.
    pub skipped: Vec<crate::discovery::Skipped>,
    /// The exact bytes of the display paths that are not UTF-8 (shown with U+FFFD for each
    /// byte that is not), by display path: SARIF's URIs percent-encode these.
    pub path_bytes: std::collections::BTreeMap<String, Vec<u8>>,
    pub files_checked: usize,
    pub timings: Timings,
    /// Display path → the path on disk, of every file checked (where `--fix` writes).
    pub paths: DiskPaths,
    /// Findings `--fix` fixed before these were found (the summary line counts them).
    pub fixed: usize,
}

impl Report {
    /// Notes what the walk found besides the files it checked: the entries it skipped, and
    /// the raw bytes of the paths that are not UTF-8 (printed exactly by the formats that can).
    pub fn note_walk(
        &mut self,
        skipped: Vec<crate::discovery::Skipped>,
        files: &[crate::discovery::SourcePath],
    ) {
        self.skipped = skipped;
        self.path_bytes = files
            .iter()
            .filter(|file| file.path.to_str().is_none())
            .map(|file| {
                (
                    file.display.clone(),
                    crate::discovery::display_bytes(&file.path),
                )
            })
            .collect();
    }

    pub fn new(files: Vec<FileFindings>, errors: Vec<String>, files_checked: usize) -> Self {
        Self {
            files,
            errors,
            skipped: Vec::new(),
            path_bytes: Default::default(),
            files_checked,
            timings: Timings::default(),
            paths: DiskPaths::default(),
            fixed: 0,
        }
    }

    /// All findings, sorted by path, row, column.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.files.iter().flat_map(|file| file.findings.iter())
    }

    pub fn finding_count(&self) -> usize {
        self.files.iter().map(|file| file.findings.len()).sum()
    }

    pub fn file(&self, display_path: &str) -> Option<&FileFindings> {
        self.files
            .binary_search_by(|file| file.display_path.as_str().cmp(display_path))
            .ok()
            .map(|at| &self.files[at])
    }

    /// Whether any file could not be read or any path was wrong (exit code 2).
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Findings of one rule and message on one line are one, whatever lies between them in
    /// output order; the fix kept carries the others' edits, in their order.
    #[test]
    fn findings_alike_on_a_line_are_merged_into_the_first() {
        let finding = |rule: Rule, message: &str, column: usize, edit: Option<&str>| Finding {
            rule,
            message: message.to_string(),
            help: None,
            filename: "a.py".to_string(),
            location: Location { row: 1, column },
            end_location: Location { row: 1, column },
            fix: edit.map(|content| FindingFix {
                applicability: Applicability::Safe,
                message: "fix".to_string(),
                edits: vec![FindingEdit {
                    content: content.to_string(),
                    location: Location { row: 1, column },
                    end_location: Location { row: 1, column },
                    range: TextRange::empty(TextSize::from(column as u32)),
                }],
            }),
            noqa_row: 1,
            chain: Vec::new(),
            range: TextRange::empty(TextSize::from(column as u32)),
            runtime: None,
            cell: None,
        };
        let a = Rule::TransitiveBlockingCall;
        let b = Rule::UnawaitedCoroutine;
        let mut later_row = finding(a, "m", 1, None);
        later_row.location.row = 2;
        let kept = one_per_line_and_message(vec![
            finding(a, "m", 1, Some("x")),
            finding(b, "m", 2, Some("y")),
            finding(a, "other", 3, None),
            finding(a, "m", 4, Some("z")),
            finding(b, "m", 5, None),
            finding(a, "m", 6, Some("w")),
            later_row,
        ]);
        let shown: Vec<(Rule, &str, usize, Vec<&str>)> = kept
            .iter()
            .map(|finding| {
                let edits = finding.fix.iter().flat_map(|fix| &fix.edits);
                (
                    finding.rule,
                    finding.message.as_str(),
                    finding.location.column,
                    edits.map(|edit| edit.content.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (a, "m", 1, vec!["x", "z", "w"]),
                (b, "m", 2, vec!["y"]),
                (a, "other", 3, vec![]),
                (a, "m", 1, vec![]),
            ]
        );
        assert_eq!(kept[3].location.row, 2);
    }

    #[test]
    fn disk_paths_are_found_in_any_order_given_the_last_of_a_name_kept() {
        let pair = |shown: &str, path: &str| (shown.to_string(), PathBuf::from(path));
        let paths: DiskPaths = [
            pair("b.py", "/x/b.py"),
            pair("a.py", "/x/a.py"),
            pair("c.py", "/x/c.py"),
            pair("a.py", "/y/a.py"),
        ]
        .into_iter()
        .collect();
        assert_eq!(paths.get("a.py"), Some(&PathBuf::from("/y/a.py")));
        assert_eq!(paths.get("b.py"), Some(&PathBuf::from("/x/b.py")));
        assert_eq!(paths.get("c.py"), Some(&PathBuf::from("/x/c.py")));
        assert_eq!(paths.get("d.py"), None);
        let sorted: DiskPaths = [pair("a.py", "/a"), pair("b.py", "/b")]
            .into_iter()
            .collect();
        assert_eq!(sorted.get("b.py"), Some(&PathBuf::from("/b")));
    }
}
