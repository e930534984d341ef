//! The analysis API that the command line, an editor server and a cache share.
//!
//! Three steps, each usable alone:
//! 1. [`analyse_source`]: one file's text in memory (never read from disk here) → its own
//!    findings, its `noqa` directives and its [`ModuleSummary`]. Fixes are spelled while the
//!    text is at hand, including the ones a whole-project rule may offer later.
//! 2. [`link`]: the summaries of a set of files → the project's call graph and facts.
//! 3. [`project_diagnostics`]: the whole-project rules over the linked facts → findings per
//!    file.
//!
//! [`check`] strings them together for paths on disk: discover → read → analyse (in
//! parallel) → link → project rules → report. [`check_buffer`] does the same with one
//! file's text replaced by a buffer (an unsaved editor buffer, standard input), reporting
//! that file alone. No step reads a file twice.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use ruff_python_ast::PySourceType;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::Diagnostic;
use crate::discovery::module_name::{ModuleName, ModuleNamer};
use crate::discovery::{self, Discovered, SourcePath};
use crate::dispatch;
use crate::encoding;
use crate::noqa::NoqaDirectives;
use crate::notebook::{self, CellIndex};
pub use crate::project::ProjectRoots;
use crate::project::interned::Name;
use crate::project::roots::may_be_in_project;
use crate::project::summary::{ClassSummary, ModuleSummary, ParameterRef};
use crate::project::{Facts, FunctionId, Project, ProjectModule};
use crate::registry::Rule;
use crate::report::{FileFindings, Report, Timings};
use crate::semantic::ModuleBindings;
use crate::settings::{Settings, absolutize};
use crate::source::{AsciiLines, LineIndex};

/// Stack size of the analysis threads: deeply nested input recurses deeply in every visitor
/// (and in dropping the tree), so the threads get far more stack than the default 2 MiB.
/// Only the pages actually touched are committed.
pub const ANALYSIS_STACK_SIZE: usize = 512 * 1024 * 1024;

/// One file after [`analyse_source`]: its text, its own findings, its summary.
#[derive(Debug)]
pub struct FileAnalysis {
    /// The path as the user sees it in output.
    pub display_path: String,
    /// The path on disk (for `per-file-ignores`, and for `--fix` to write to).
    pub path: PathBuf,
    pub source: HeldText,
    pub line_index: LineIndex,
    /// The file's own findings (single-function rules, syntax errors).
    pub diagnostics: Vec<Diagnostic>,
    pub noqa: NoqaDirectives,
    /// What the file tells the rest of the project (`None` when it did not parse or was not
    /// read). Boxed: a cached run that re-uses the link makes and moves 15,000 analyses
    /// without one, and the summary was 392 of the 664 bytes of each.
    pub summary: Option<Box<ModuleSummary>>,
    /// The file could not be read: the message of its one finding.
    pub unreadable: Option<String>,
    /// A notebook: which cell each part of the checked text is (the text is its code
    /// cells, concatenated).
    pub cells: Option<CellIndex>,
    pub parse_time: Duration,
    pub check_time: Duration,
}

impl FileAnalysis {
    /// A file that could not be read (`message` names the file and the reason).
    pub fn unreadable(file: &SourcePath, message: String) -> Self {
        let mut analysis = Self::empty(file);
        analysis.unreadable = Some(message);
        analysis
    }

    /// [`FileAnalysis::empty`] for a file named afterwards ([`FileAnalysis::named`]): a run
    /// from the cache moves each file's path and display path in rather than copying them
    /// (31,000 copies on the benchmark corpus).
    pub fn unnamed() -> Self {
        Self::empty(&SourcePath {
            path: PathBuf::new(),
            display: String::new(),
            seen_regular: false,
        })
    }

    /// This analysis, as the analysis of `file`.
    pub fn named(mut self, file: SourcePath) -> Self {
        self.display_path = file.display;
        self.path = file.path;
        self
    }

    /// A file with nothing found in it yet.
    pub fn empty(file: &SourcePath) -> Self {
        Self {
            display_path: file.display.clone(),
            path: file.path.clone(),
            source: HeldText::Released,
            line_index: LineIndex::default(),
            diagnostics: Vec::new(),
            noqa: NoqaDirectives::default(),
            summary: None,
            unreadable: None,
            cells: None,
            parse_time: Duration::ZERO,
            check_time: Duration::ZERO,
        }
    }

    /// The file's findings, ready for output: its own and `project` (the whole-project
    /// rules' findings in it), after `noqa` and the per-file configuration.
    pub fn into_findings(self, project: Vec<Diagnostic>, settings: &Settings) -> FileFindings {
        self.into_findings_and_path(project, settings).0
    }

    /// [`FileAnalysis::into_findings`], and the path on disk given back (moved, not copied).
    fn into_findings_and_path(
        mut self,
        project: Vec<Diagnostic>,
        settings: &Settings,
    ) -> (FileFindings, PathBuf) {
        let path = std::mem::take(&mut self.path);
        let findings = self.located(&path, project, settings);
        (findings, path)
    }

    /// The findings of [`FileAnalysis::into_findings`], the file being at `path`.
    fn located(self, path: &Path, project: Vec<Diagnostic>, settings: &Settings) -> FileFindings {
        if let Some(message) = self.unreadable {
            return FileFindings::unreadable(self.display_path, message, settings);
        }
        let mut diagnostics = self.diagnostics;
        diagnostics.extend(project);
        spell_pending_fixes(&mut diagnostics, self.source.text());
        if let HeldText::Positions(lines) = self.source {
            return FileFindings::without_text(
                self.display_path,
                self.line_index,
                &lines,
                diagnostics,
                &self.noqa,
                settings,
                path,
            )
            .in_cells(self.cells);
        }
        // The text serves code frames (and LW003's fixes) only: a file with nothing to show
        // lets it go now.
        let source = if diagnostics.is_empty() && !reviews_noqa(&self.noqa, settings) {
            String::new()
        } else {
            self.source.into_string()
        };
        FileFindings::new(
            self.display_path,
            source,
            self.line_index,
            diagnostics,
            &self.noqa,
            settings,
            path,
        )
        .in_cells(self.cells)
    }
}

/// Reads a file's bytes, or the message of the LW002 finding that says why they cannot be
/// read. Only a regular file is opened: a FIFO would block the run, a device never ends.
pub fn read_source(file: &SourcePath) -> Result<Vec<u8>, String> {
    crate::discovery::read_regular_file(&file.path, file.seen_regular)
        .map_err(|reason| format!("Failed to read {}: {reason}", file.display))
}

/// A file's bytes as text, decoded as CPython decodes them (see [`crate::encoding`]), or
/// the message of the syntax error CPython would raise instead.
pub fn decode_source(file: &SourcePath, bytes: Vec<u8>) -> Result<String, String> {
    encoding::decode_owned(bytes)
        .map_err(|(_, error)| format!("{}: SyntaxError: {}", file.display, error.message))
}

/// The text the analysis reads from a file's content: a notebook's code cells,
/// concatenated, with the index of its cells; any other file's text as it is.
pub fn checked_text(
    file: &SourcePath,
    text: String,
) -> Result<(String, Option<CellIndex>), String> {
    if !notebook::is_notebook(&file.path) {
        return Ok((text, None));
    }
    let notebook = notebook::read(&text)
        .map_err(|error| format!("Failed to read {}: {error}", file.display))?;
    Ok((notebook.source, Some(notebook.index)))
}

/// [`analyse_source`] on a file's bytes: a file CPython would not decode gets one LW001
/// finding, with CPython's message, at the first byte that does not decode.
pub fn analyse_bytes(
    file: &SourcePath,
    bytes: Vec<u8>,
    module: &ModuleName,
    roots: Option<&ProjectRoots>,
    settings: &Settings,
) -> FileAnalysis {
    let (bytes, error) = match encoding::decode_owned(bytes) {
        Ok(text) => {
            return match checked_text(file, text) {
                Ok((text, cells)) => {
                    let mut analysis = analyse_source(file, text, module, roots, settings);
                    analysis.cells = cells;
                    analysis
                }
                Err(message) => FileAnalysis::unreadable(file, message),
            };
        }
        Err(undecodable) => undecodable,
    };
    // The text as far as it can be shown, for the code frame; the offset stays a byte offset
    // of the file up to the first byte that did not decode.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let offset = String::from_utf8_lossy(&bytes[..error.offset.min(bytes.len())]).len();
    let mut analysis = FileAnalysis::empty(file);
    analysis.line_index = LineIndex::new(&text);
    let at = TextSize::try_from(offset.min(text.len())).unwrap_or_default();
    analysis.diagnostics = vec![Diagnostic::new(
        Rule::SyntaxError,
        format!("SyntaxError: {}", error.message),
        TextRange::empty(at),
    )];
    analysis.source = HeldText::Full(text);
    analysis
}

/// Parses and checks one file from its text: its own findings, `noqa` directives and
/// summary. Touches no disk; never panics on its content.
///
/// `roots` are the project's (see [`ProjectRoots`]): with them, the text of a file that
/// has no findings of its own is released at once, and only a fingerprint of it is kept if
/// the whole-project rules may report in it ([`HeldText::Fingerprint`]). Without them the
/// text is kept, for whatever the link may find.
pub fn analyse_source(
    file: &SourcePath,
    source: String,
    module: &ModuleName,
    roots: Option<&ProjectRoots>,
    settings: &Settings,
) -> FileAnalysis {
    let mut analysis = FileAnalysis::empty(file);
    analysis.line_index = LineIndex::new(&source);
    let (diagnostics, summary) = analyse_text(&mut analysis, &source, module, roots, settings);
    analysis.diagnostics = diagnostics;
    analysis.source = match &summary {
        _ if !analysis.diagnostics.is_empty() || reviews_noqa(&analysis.noqa, settings) => {
            HeldText::Full(source)
        }
        _ if roots.is_none() => HeldText::Full(source),
        // A file the whole-project rules may report in keeps what identifies its text until
        // they have run: most such files (seven in ten of the benchmark corpus) may, and
        // few (one in forty) do; those read their text again.
        Some(summary)
            if summary.may_have_project_findings(|path| may_be_in_project(roots, path)) =>
        {
            HeldText::fingerprint(&source)
        }
        _ => HeldText::Released,
    };
    analysis.summary = summary.map(Box::new);
    analysis
}

/// Whether LW003 will look at this file's `# noqa: CODES` directives (it needs the text).
pub fn reviews_noqa(noqa: &NoqaDirectives, settings: &Settings) -> bool {
    settings.is_enabled(Rule::UnusedNoqa) && noqa.has_codes()
}

/// Reads the file on disk and analyses it ([`analyse_source`]); a file that cannot be read
/// becomes its one finding.
pub fn analyse_file(
    file: &SourcePath,
    module: &ModuleName,
    roots: Option<&ProjectRoots>,
    settings: &Settings,
) -> FileAnalysis {
    match read_source(file) {
        Ok(bytes) => analyse_bytes(file, bytes, module, roots, settings),
        Err(message) => FileAnalysis::unreadable(file, message),
    }
}

/// Parses and checks `source`: the file's own findings and its summary (`None` when it does
/// not parse or a `noqa` skips it); records the `noqa` directives and timings in `analysis`.
fn analyse_text(
    analysis: &mut FileAnalysis,
    source: &str,
    module: &ModuleName,
    roots: Option<&ProjectRoots>,
    settings: &Settings,
) -> (Vec<Diagnostic>, Option<ModuleSummary>) {
    // A notebook's cells are parsed in IPython mode: `%magic` and `!shell` lines are
    // commands to the parser, not syntax errors.
    let source_type = PySourceType::from(&analysis.path);
    let parse_started = Instant::now();
    // The tree and its tokens are the parse's only allocations: its region holds them.
    let parsed = crate::parse_arena::in_arena(|| {
        ruff_python_parser::parse_unchecked_source(source, source_type)
    });
    analysis.parse_time = parse_started.elapsed();
    let check_started = Instant::now();
    let syntax = parsed.syntax();
    let first_statement = syntax
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
        return (Vec::new(), None);
    }
    if let Some(error) = parsed.errors().first() {
        // The tree of a file that does not parse is a guess; checking it would report
        // findings in code the user did not write. Report the syntax error alone.
        let range = clamp_range(error.location, source);
        let syntax_error = Diagnostic::new(
            Rule::SyntaxError,
            format!("SyntaxError: {}", error.error),
            range,
        );
        return (vec![syntax_error], None);
    }
    let bindings = ModuleBindings::new(
        syntax,
        &module.name,
        module.is_package,
        roots.map(ProjectRoots::shared),
    );
    let (diagnostics, mut summary) = dispatch::check_module(
        syntax,
        source,
        &analysis.line_index,
        &bindings,
        roots,
        settings,
        source_type,
    );
    let exports = bindings.into_exports();
    summary.exports = crate::project::summary::Exports::new(&summary.module_name, exports.names);
    summary.classes =
        crate::project::summary::Sorted::new(exports.classes.into_iter().map(|(path, info)| {
            let attributes = crate::project::summary::TextMap::new(info.attribute_types);
            let parameter_attributes = info
                .parameter_attributes
                .into_iter()
                .map(|(attribute, name, position)| {
                    let parameter = ParameterRef {
                        name: Name::new(&name),
                        position,
                        literal_default: None,
                    };
                    (attribute.into(), parameter)
                })
                .collect();
            let class = ClassSummary {
                bases: info.bases.iter().map(|base| Name::new(base)).collect(),
                attributes,
                parameter_attributes,
                metaclass: info.metaclass.as_deref().map(Name::new),
                unbounded_queues: info.unbounded_queues.iter().map(|a| Name::new(a)).collect(),
            };
            (path, class)
        }));
    // Keyed as the functions are, by their names within the module.
    let return_types = crate::project::summary::TextMap::new(
        exports
            .returns
            .iter()
            .filter_map(|(path, returned)| Some((summary.qualname_of(path)?, returned))),
    );
    summary.return_types = return_types;
    summary.star_imports = exports.star_imports.into();
    summary.aliases = module.aliases.clone();
    analysis.check_time = check_started.elapsed();
    // The tree's region is rewound here (the tree forgotten or dropped, as
    // `parse_arena::TreeEnd` is set); a drop of a deep tree recurses, on this thread's stack.
    drop(parsed);
    (diagnostics, Some(summary))
}

/// What the report's reader takes from each file with findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextUse {
    /// Its text: code frames, fixes, runtime observations placed in it. Every file with
    /// findings is read.
    Text,
    /// Where its findings are, and nothing else (JSON, SARIF, concise output): the file is
    /// located by its line index and its [`AsciiLines`], and read only when a finding sits
    /// on a line with a character beyond ASCII (its column counts characters), when LW003
    /// reviews its `noqa` directives, or when it is a notebook. On the benchmark corpus its
    /// 517 files with findings are 25 MB of text: reading them and indexing their lines
    /// was about a third of a cached run's work, and holding them the last 9 MiB of a cold
    /// run's peak.
    Positions,
}

/// The [`AsciiLines`] of a file's text, when its text is its bytes (UTF-8, no byte order
/// mark: no other decoding moves an offset), found before the analysis takes the bytes.
pub fn ascii_lines(bytes: &[u8]) -> Option<AsciiLines> {
    let (Cow::Borrowed(text), _) = encoding::decode(bytes).ok()? else {
        return None;
    };
    if text.len() != bytes.len() {
        return None;
    }
    Some(AsciiLines::of(text))
}

/// Whether `lines` locate every position of `diagnostics` without the text.
pub fn all_located(diagnostics: &[Diagnostic], index: &LineIndex, lines: &AsciiLines) -> bool {
    diagnostics.iter().all(|diagnostic| {
        let ranges = std::iter::once(diagnostic.range).chain(
            diagnostic
                .fix
                .iter()
                .flat_map(|fix| fix.edits.iter().map(|edit| edit.range)),
        );
        ranges
            .flat_map(|range| [range.start(), range.end()])
            .all(|offset| lines.location(index, offset).is_some())
    })
}

/// A file's text while its analysis holds it.
#[derive(Debug)]
pub enum HeldText {
    /// The file has findings: its text, for code frames.
    Full(String),
    /// The file may get findings from the whole-project rules: the length and hash of its
    /// text, until they have run. A file that gets one reads its text again
    /// ([`read_again`]), and uses it only if it is still the text analysed. Holding every
    /// such text instead, even compressed, was a tenth of the peak memory. With `lines`
    /// (kept for an output without code frames, [`TextUse::Positions`], when the text is
    /// the file's bytes), a file whose findings all sit on lines of ASCII characters is not
    /// read again at all.
    Fingerprint {
        len: usize,
        hash: u64,
        lines: Option<AsciiLines>,
    },
    /// Nothing to show in the file, now or later.
    Released,
    /// Not read: the file's findings are located by its line index and these lines, each
    /// on a line of ASCII characters (the cache checks it), for an output without code
    /// frames.
    Positions(AsciiLines),
}

impl HeldText {
    /// The text, when it is held whole.
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Full(text) => Some(text),
            _ => None,
        }
    }

    pub fn fingerprint(text: &str) -> Self {
        Self::Fingerprint {
            len: text.len(),
            hash: text_hash(text),
            lines: None,
        }
    }

    /// The text ("" once released, or while only its fingerprint is held).
    pub fn into_string(self) -> String {
        match self {
            Self::Full(text) => text,
            Self::Fingerprint { .. } | Self::Released | Self::Positions(_) => String::new(),
        }
    }
}

/// A hash of a text, to tell whether a file read again is still the text analysed (with
/// its length; the same in every run).
fn text_hash(text: &str) -> u64 {
    use std::hash::Hasher;
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(text.as_bytes());
    hasher.finish()
}

/// The text of `file`, analysed with fingerprint `held`, read again from `texts` or the
/// disk as the analysis read it: `None` when it can no longer be read or has changed since.
fn read_again(file: &FileAnalysis, texts: &Texts, held: &HeldText) -> Option<String> {
    let HeldText::Fingerprint { len, hash, .. } = *held else {
        return None;
    };
    let source = SourcePath {
        path: file.path.clone(),
        display: file.display_path.clone(),
        seen_regular: false,
    };
    let replaced = (!texts.is_empty())
        .then(|| texts.get(&absolutize(&file.path)))
        .flatten();
    let bytes = match replaced {
        Some(bytes) => bytes.clone(),
        None => read_source(&source).ok()?,
    };
    let (text, _) = checked_text(&source, encoding::decode_owned(bytes).ok()?).ok()?;
    (text.len() == len && text_hash(&text) == hash).then_some(text)
}

/// A linked project: the call graph over every module's summary, and the facts computed
/// on it.
pub struct LinkedProject<'a> {
    pub project: Project<'a>,
    pub facts: Facts,
}

/// Links the summaries of `files` (in that order: findings come back in the same order).
pub fn link<'a>(files: &'a [FileAnalysis], settings: &Settings) -> LinkedProject<'a> {
    link_with(files, &[], settings)
}

/// [`link`], the summary of the `i`-th file being `held[i]` where that is set (summaries
/// the cache decoded apart from the files), else the file's own.
pub fn link_with<'a>(
    files: &'a [FileAnalysis],
    held: &[Option<&'a ModuleSummary>],
    settings: &Settings,
) -> LinkedProject<'a> {
    static EMPTY: std::sync::OnceLock<ModuleSummary> = std::sync::OnceLock::new();
    let empty = EMPTY.get_or_init(ModuleSummary::default);
    let modules = files
        .iter()
        .enumerate()
        .map(|(position, file)| ProjectModule {
            summary: held
                .get(position)
                .copied()
                .flatten()
                .or(file.summary.as_deref())
                .unwrap_or(empty),
            display_path: &file.display_path,
            line_index: &file.line_index,
        })
        .collect();
    let mut project = Project::new(modules);
    let mut facts = Facts::compute(&project, settings);
    // A call of a method with several implementations (an abstract method's, a method a
    // class calls on itself and only its subclasses define) blocks when every one of them
    // does: known only once the facts are, so those calls are followed and the facts
    // computed again.
    if follow_implementations(&mut project, &facts) {
        facts = Facts::compute(&project, settings);
    }
    LinkedProject { project, facts }
}

/// Has the link follow calls of methods with several implementations, all blocking on every
/// call, into one of them (see `Project::dispatch_to` and
/// `Project::follow_where_every_implementation_blocks`); whether any is. Only where that
/// changes a caller LW103 can report from: a coroutine, or a sync function a coroutine
/// reaches that does not block already. Elsewhere the facts would only be computed again
/// for nothing (on the benchmark corpus, for a method of Django's file storage that no
/// coroutine calls).
fn follow_implementations(project: &mut Project, facts: &Facts) -> bool {
    let changes = |caller: FunctionId| {
        project.is_async(caller)
            || (facts.blocks.get(&caller).is_none() && facts.reached.get(&caller).is_some())
    };
    let dispatched = project.dispatch_where_every_implementation_blocks(
        |id| facts.callers.of(id).any(|(caller, _)| changes(caller)),
        |id| facts.blocks_always(id),
    );
    let wanted: rustc_hash::FxHashSet<u32> = project.several_paths().collect();
    let followed_paths: rustc_hash::FxHashSet<u32> = if wanted.is_empty() {
        Default::default()
    } else {
        let callers = project.callers_of_paths(&wanted);
        wanted
            .into_iter()
            .filter(|index| {
                callers
                    .get(index)
                    .is_some_and(|callers| callers.iter().any(|&caller| changes(caller)))
            })
            .collect()
    };
    let dispatches = !dispatched.is_empty();
    if dispatches {
        project.dispatch_to(dispatched);
    }
    let follows = !followed_paths.is_empty()
        && project.follow_where_every_implementation_blocks(
            |index| followed_paths.contains(&index),
            |id| facts.blocks_always(id),
        );
    dispatches || follows
}

/// Takes the summaries out of `files` once nothing reads them (the link is dropped) and
/// frees them on a thread of their own: about 5 % of an edit's instructions that re-links
/// the benchmark corpus (146,000 functions' tables), which no step after them waits for. A
/// one-shot `check` may end before the thread does; the process's end frees the rest.
pub fn free_summaries(files: &mut [FileAnalysis]) {
    let summaries: Vec<Box<ModuleSummary>> = files
        .iter_mut()
        .filter_map(|file| file.summary.take())
        .collect();
    if !summaries.is_empty() {
        // Without a thread, the closure is dropped, and the summaries with it, here.
        let _ = std::thread::Builder::new().spawn(move || drop(summaries));
    }
}

/// Summaries held in parse regions (`parse_arena`) by chunks of files, each with its
/// file's position: allocated by bumping a pointer, and given back whole once the link is
/// done instead of block by block. The cache decodes the summaries it stored into them
/// (with the freeing, 25 % of the instructions of a run that re-links the benchmark corpus
/// after an edit went to the allocator); a run without the cache moves each file's summary
/// into one as soon as the file is analysed ([`hold_in_region`]).
pub struct SummariesInRegions(pub Vec<HeldSummaries>);

/// One chunk of [`SummariesInRegions`]: its files' positions and summaries, in one region.
pub type HeldSummaries = crate::parse_arena::InArena<Vec<(usize, Box<ModuleSummary>)>>;

impl SummariesInRegions {
    /// The summary of each of `files` files by position, `None` for one not held here.
    pub fn by_position(&self, files: usize) -> Vec<Option<&ModuleSummary>> {
        let mut by_position = vec![None; files];
        for (position, summary) in self.0.iter().flat_map(|chunk| chunk.iter()) {
            if let Some(slot) = by_position.get_mut(*position) {
                *slot = Some(&**summary);
            }
        }
        by_position
    }

    /// Gives the regions back, on a thread of their own: in a one-shot run they are
    /// rewound without a walk of the summaries, in a long-running one the summaries are
    /// dropped first (`parse_arena::TreeEnd`).
    pub fn release(self) {
        let release = move || {
            drop(self);
            crate::parse_arena::trim();
        };
        // Without a thread, the closure is dropped, and the regions with it, here.
        let _ = std::thread::Builder::new().spawn(release);
    }
}

/// Moves the summary of `analysis`, the file at `position`, into `held`'s region: a copy
/// made in one piece once the file is analysed, every block of it exactly the size it
/// needs, side by side with the summaries of the files analysed before it. Built on the
/// general heap, a summary's blocks are spread over pages shared with everything the
/// analysis allocated meanwhile and freed, and rounded up to the allocator's sizes; the
/// copy frees them for the next file's analysis.
/// Without a region (no `parse_arena::enable`: the library's tests, an embedding program)
/// the summary itself is moved, as a copy would gain nothing.
fn hold_in_region(analysis: &mut FileAnalysis, position: usize, held: &mut HeldSummaries) {
    if let Some(summary) = analysis.summary.take() {
        if held.has_region() {
            held.extend(|held| held.push((position, Box::new((*summary).clone()))));
        } else {
            held.extend(|held| held.push((position, summary)));
        }
    }
}

/// Runs `analyse` on every item in parallel, keeping the order, and holds each analysis's
/// summary in a region as soon as it is made ([`hold_in_region`], by the position of its
/// item): each piece of the work a thread takes holds its summaries in a region of its own.
/// Returns the analyses, what else `analyse` returned for each, and the summaries.
pub fn analyse_holding_summaries<T: Send, X: Send>(
    items: impl IndexedParallelIterator<Item = T>,
    analyse: impl Fn(T) -> (FileAnalysis, X) + Sync,
) -> (Vec<FileAnalysis>, Vec<X>, SummariesInRegions) {
    let pieces: Vec<(Vec<FileAnalysis>, Vec<X>, HeldSummaries)> = items
        .enumerate()
        .fold(
            || {
                // A region for each thread's parses stays free.
                let parses = rayon::current_num_threads();
                let held = crate::parse_arena::in_arena_held(parses, Vec::new);
                (Vec::new(), Vec::new(), held)
            },
            |(mut files, mut others, mut held), (position, item)| {
                let (mut analysis, other) = analyse(item);
                hold_in_region(&mut analysis, position, &mut held);
                files.push(analysis);
                others.push(other);
                (files, others, held)
            },
        )
        .collect();
    let (mut files, mut others, mut held) = (Vec::new(), Vec::new(), Vec::new());
    for (piece_files, piece_others, piece_held) in pieces {
        files.extend(piece_files);
        others.extend(piece_others);
        held.push(piece_held);
    }
    (files, others, SummariesInRegions(held))
}

/// The whole-project rules' findings, per file of the linked project.
pub fn project_diagnostics(linked: &LinkedProject, settings: &Settings) -> Vec<Vec<Diagnostic>> {
    dispatch::check_project(&linked.project, &linked.facts, settings)
}

/// Checks every Python file under `paths` and returns the sorted findings, each file with
/// findings with its text.
pub fn check(paths: &[PathBuf], settings: &Settings) -> Report {
    check_for(paths, settings, TextUse::Text)
}

/// [`check`], the files with findings holding what `text_use` says the output reads of
/// them: with [`TextUse::Positions`], a file whose findings all sit on lines of ASCII
/// characters comes without its text.
pub fn check_for(paths: &[PathBuf], settings: &Settings, text_use: TextUse) -> Report {
    let started = Instant::now();
    run(
        discovery::discover(paths, settings),
        (&Texts::default(), text_use),
        settings,
        started,
    )
}

/// Texts that stand in for files on disk, by absolute path.
pub type Texts = std::collections::HashMap<PathBuf, Vec<u8>>;

/// [`check`], with the files at the paths of `texts` read from there instead of the disk
/// (`--fix` checks its fixed text again before anything is written).
pub fn check_with_texts(paths: &[PathBuf], texts: &Texts, settings: &Settings) -> Report {
    let started = Instant::now();
    let texts = texts
        .iter()
        .map(|(path, bytes)| (absolutize(path), bytes.clone()))
        .collect();
    run(
        discovery::discover(paths, settings),
        (&texts, TextUse::Text),
        settings,
        started,
    )
}

/// Checks files already discovered (what [`check`] does after its walk): a file removed
/// since, or turned into something else, is an LW002 finding like any unreadable file.
pub fn check_discovered(discovered: Discovered, settings: &Settings) -> Report {
    run(
        discovered,
        (&Texts::default(), TextUse::Text),
        settings,
        Instant::now(),
    )
}

/// A file's content that stands in for the file on disk (an unsaved buffer, standard
/// input).
pub struct Buffer {
    /// The file's path, as the user named it.
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// Checks `buffer` in place of the file on disk at its path, inside its project: the
/// directory of the configuration file, else the top of its package tree. Every file of
/// the project is analysed (an LW103 chain may run through any of them); only the buffer's
/// findings are reported.
pub fn check_buffer(buffer: Buffer, settings: &Settings) -> Report {
    let started = Instant::now();
    let (discovered, display, _) = discover_around(&buffer.path, settings);
    let texts = Texts::from([(absolutize(&buffer.path), buffer.bytes)]);
    let mut report = run(discovered, (&texts, TextUse::Text), settings, started);
    report.files.retain(|file| file.display_path == display);
    report.files_checked = 1;
    report
}

/// The files of the project of the file at `path` ([`project_root`]), that file among them
/// even where the walk would not find it (a new file, or one the walk excludes): the
/// files, the display path of that file, and the root walked. What cannot be read in the
/// rest of the project is not this check's business, and is left out.
pub fn discover_around(path: &Path, settings: &Settings) -> (Discovered, String, PathBuf) {
    let root = project_root(path, settings);
    let mut discovered = discovery::discover(std::slice::from_ref(&root), settings);
    discovered.errors.clear();
    discovered.unreadable.clear();
    let target = absolutize(path);
    let display = match discovered
        .files
        .iter()
        .find(|file| absolutize(&file.path) == target)
    {
        Some(file) => file.display.clone(),
        None => {
            let display = discovery::display_name(path);
            let at = discovered
                .files
                .partition_point(|file| file.display < display);
            discovered.files.insert(
                at,
                SourcePath {
                    path: path.to_path_buf(),
                    display: display.clone(),
                    seen_regular: false,
                },
            );
            display
        }
    };
    (discovered, display, root)
}

/// The directory a file's project is checked from: the configuration file's directory when
/// a configuration was found, else the directory above its outermost package (a file
/// outside any package: its own directory). Spelled as a prefix of `path`, so the display
/// paths of the walk match the ones a `check` of that directory prints.
pub fn project_root(path: &Path, settings: &Settings) -> PathBuf {
    let absolute = absolutize(path);
    let lexical_parents: Vec<&Path> = path.ancestors().skip(1).collect();
    let absolute_parents: Vec<&Path> = absolute.ancestors().skip(1).collect();
    let pick = |index: usize| -> PathBuf {
        match lexical_parents.get(index) {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            Some(_) => PathBuf::from("."),
            None => absolute_parents
                .get(index)
                .map_or_else(|| PathBuf::from("."), |parent| parent.to_path_buf()),
        }
    };
    if let Some(root) = &settings.project_root
        && let Some(index) = absolute_parents.iter().position(|parent| parent == root)
    {
        return pick(index);
    }
    let mut top = 0;
    while absolute_parents
        .get(top)
        .is_some_and(|dir| dir.join("__init__.py").is_file() || dir.join("__init__.pyi").is_file())
    {
        top += 1;
    }
    pick(top)
}

/// Analyses, links and reports the discovered files; `texts` replace some files' text, and
/// the files with findings hold what `text_use` says the output reads of them.
fn run(
    discovered: Discovered,
    (texts, text_use): (&Texts, TextUse),
    settings: &Settings,
    started: Instant,
) -> Report {
    let mut discovered = discovered;
    let module_names = name_modules(&discovered.files);
    let roots = ProjectRoots::of(&module_names);
    let sources = discovered.take_files();
    let discovered_at = Instant::now();
    let (files, project, analysed_at, linked_at) = in_analysis_pool(|| {
        // In the order the report lists them, so that a file's position is its place in
        // the linked project from the start.
        let mut order: Vec<usize> = (0..sources.len()).collect();
        order.sort_by(|&a, &b| sources[a].display.cmp(&sources[b].display));
        let analyse = |position: usize| {
            let (file, module) = (&sources[position], &module_names[position]);
            let replaced = (!texts.is_empty())
                .then(|| texts.get(&absolutize(&file.path)))
                .flatten();
            let bytes = match replaced {
                Some(bytes) => Ok(bytes.clone()),
                None => read_source(file),
            };
            match bytes {
                Ok(bytes) => {
                    let lines = match text_use {
                        TextUse::Positions => ascii_lines(&bytes),
                        TextUse::Text => None,
                    };
                    let mut analysis = analyse_bytes(file, bytes, module, Some(&roots), settings);
                    hold_fingerprint(&mut analysis, settings, lines);
                    analysis
                }
                Err(message) => FileAnalysis::unreadable(file, message),
            }
        };
        let (mut files, _, held) =
            analyse_holding_summaries(order.par_iter().copied(), |position| {
                (analyse(position), ())
            });
        // Each analysis has its file's paths and module name: the walk's list and the names
        // would only add to the link's peak (about 5 MB on the benchmark corpus).
        drop((sources, module_names, order));
        // No file is parsed again in this run, and the link needs memory.
        crate::parse_arena::trim();
        let analysed_at = Instant::now();
        let linked = link_with(&files, &held.by_position(files.len()), settings);
        let project = project_diagnostics(&linked, settings);
        drop(linked);
        held.release();
        restore_texts(&mut files, &project, texts);
        (files, project, analysed_at, Instant::now())
    });
    let phases = Phases {
        started,
        discovered: discovered_at,
        analysed: analysed_at,
        linked: linked_at,
    };
    assemble(discovered, files, project, settings, phases)
}

/// While the project is linked, a file with findings of its own holds only a fingerprint of
/// its text too, like one the whole-project rules may report in: [`restore_texts`] reads it
/// again. Their texts were 15 MB of the peak on the benchmark corpus. A file whose
/// `noqa` directives LW003 reviews keeps its text: the review runs as findings are reported.
/// So does a notebook, and a file without a summary (one that did not decode or parse).
/// A fingerprint keeps `lines`, the [`AsciiLines`] of the file's bytes when the output reads
/// only positions, so that [`restore_texts`] need not read the file at all.
fn hold_fingerprint(analysis: &mut FileAnalysis, settings: &Settings, lines: Option<AsciiLines>) {
    // A file that did not decode or parse has no summary, and a text that does not decode
    // cannot be read again.
    if analysis.cells.is_none()
        && analysis.summary.is_some()
        && !reviews_noqa(&analysis.noqa, settings)
        && let HeldText::Full(text) = &analysis.source
    {
        analysis.source = HeldText::fingerprint(text);
    }
    if let HeldText::Fingerprint { lines: held, .. } = &mut analysis.source {
        *held = lines;
    }
}

/// Gives the files with findings their text back, for code frames: a file the
/// whole-project rules might report in kept only a fingerprint of it
/// ([`HeldText::Fingerprint`]), and so did one with findings of its own during a run of
/// [`check`]; each is read again (from `texts` when it stands in for the file), the text used
/// only if it is still the one analysed. A fingerprint with the lines that locate every
/// finding of the file without its text becomes those lines instead
/// ([`HeldText::Positions`]), and the file is not read.
pub fn restore_texts(files: &mut [FileAnalysis], project: &[Vec<Diagnostic>], texts: &Texts) {
    files
        .par_iter_mut()
        .zip(project.par_iter())
        .filter(|(file, project)| {
            (!project.is_empty() || !file.diagnostics.is_empty())
                && matches!(file.source, HeldText::Fingerprint { .. })
        })
        .for_each(|(file, project)| {
            file.source = match std::mem::replace(&mut file.source, HeldText::Released) {
                HeldText::Fingerprint {
                    lines: Some(lines), ..
                } if all_located(&file.diagnostics, &file.line_index, &lines)
                    && all_located(project, &file.line_index, &lines)
                    && !has_pending_fix(project) =>
                {
                    HeldText::Positions(lines)
                }
                held => match read_again(file, texts, &held) {
                    Some(text) => HeldText::Full(text),
                    None => HeldText::Released,
                },
            };
        });
}

/// Spells the fixes the whole-project rules left as recipes ([`Diagnostic::pending_fix`])
/// from `text`, the text the file was analysed from; without it (the file changed since,
/// or could not be read again) they are dropped.
pub fn spell_pending_fixes(findings: &mut [Diagnostic], text: Option<&str>) {
    for diagnostic in findings {
        if let Some(pending) = diagnostic.pending_fix.take() {
            diagnostic.fix = text.and_then(|text| crate::to_thread_fix::spell(text, &pending));
        }
    }
}

/// Whether a finding of `findings` has a fix still to spell: its file's text is needed.
pub fn has_pending_fix(findings: &[Diagnostic]) -> bool {
    findings
        .iter()
        .any(|diagnostic| diagnostic.pending_fix.is_some())
}

/// The module name of each discovered file (each directory is looked at once).
pub fn name_modules(files: &[SourcePath]) -> Vec<ModuleName> {
    ModuleNamer::name_all(files)
}

/// Runs `work` on a thread pool whose threads have [`ANALYSIS_STACK_SIZE`] (on the calling
/// thread when no pool can be made). The link runs on a pool thread too: that thread's
/// allocator already holds the memory the analysis freed, so the link does not fault in
/// fresh pages.
pub fn in_analysis_pool<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    match rayon::ThreadPoolBuilder::new()
        .stack_size(ANALYSIS_STACK_SIZE)
        .build()
    {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

/// When each phase of a run ended, for [`Timings`].
#[derive(Clone, Copy, Debug)]
pub struct Phases {
    pub started: Instant,
    pub discovered: Instant,
    pub analysed: Instant,
    pub linked: Instant,
}

/// The report of a run: `files` (sorted by display path) with `project`, the whole-project
/// rules' findings in each, after `noqa` and the per-file configuration, and what the walk
/// of `discovered` could not read.
pub fn assemble(
    discovered: Discovered,
    files: Vec<FileAnalysis>,
    project: Vec<Vec<Diagnostic>>,
    settings: &Settings,
    phases: Phases,
) -> Report {
    let (parse_time, check_time) = files
        .iter()
        .fold((Duration::ZERO, Duration::ZERO), |(parse, check), file| {
            (parse + file.parse_time, check + file.check_time)
        });
    let files_checked = files.len();
    // Findings per file, and every summary freed, on all threads: one thread freeing them
    // all was a serial tail of the run. Each file's path on disk is moved out of its
    // analysis beside, its display path copied once.
    let (mut findings, paths): (Vec<FileFindings>, Vec<(String, PathBuf)>) = files
        .into_par_iter()
        .zip(project)
        .map(|(file, project)| {
            let display = file.display_path.clone();
            let (findings, path) = file.into_findings_and_path(project, settings);
            (findings, (display, path))
        })
        .unzip();
    // A directory the walk could not read is a finding like a file that cannot be read, in
    // every output format.
    findings.extend(discovered.unreadable.into_iter().map(|directory| {
        FileFindings::unreadable(directory.path.display, directory.message, settings)
    }));
    findings.sort_by(|a, b| a.display_path.cmp(&b.display_path));
    let mut report = Report::new(findings, discovered.errors, files_checked);
    report.paths = paths.into_iter().collect();
    report.note_walk(discovered.skipped, &discovered.files);
    // Parsing and checking run interleaved on every thread: split the wall time of that
    // phase in proportion to the thread time each took.
    let parallel = phases.analysed - phases.discovered;
    let busy = (parse_time + check_time).as_secs_f64();
    let parse_share = if busy > 0.0 {
        parse_time.as_secs_f64() / busy
    } else {
        0.0
    };
    report.timings = Timings {
        discover: phases.discovered - phases.started,
        parse: parallel.mul_f64(parse_share),
        check: parallel.mul_f64(1.0 - parse_share),
        link: phases.linked - phases.analysed,
        render: Duration::ZERO,
    };
    report
}

fn clamp_range(range: TextRange, source: &str) -> TextRange {
    let end = TextSize::of(source);
    TextRange::new(range.start().min(end), range.end().min(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysed(path: &Path, text: &str) -> FileAnalysis {
        let file = SourcePath {
            path: path.to_path_buf(),
            display: path.display().to_string(),
            seen_regular: false,
        };
        let mut analysis = FileAnalysis::empty(&file);
        analysis.source = HeldText::fingerprint(text);
        analysis
    }

    #[test]
    fn a_text_read_again_is_used_only_while_it_is_the_one_analysed() {
        let path = absolutize(Path::new("held_text_probe.py"));
        let analysis = analysed(&path, "import time\n");
        let same = Texts::from([(path.clone(), b"import time\n".to_vec())]);
        assert_eq!(
            read_again(&analysis, &same, &analysis.source).as_deref(),
            Some("import time\n")
        );
        let changed = Texts::from([(path.clone(), b"import os\n".to_vec())]);
        assert_eq!(read_again(&analysis, &changed, &analysis.source), None);
        let longer = Texts::from([(path, b"import time\n\n".to_vec())]);
        assert_eq!(read_again(&analysis, &longer, &analysis.source), None);
    }

    #[test]
    fn a_file_with_findings_of_its_own_holds_a_fingerprint_until_the_link_is_done() {
        let path = absolutize(Path::new("own_findings_probe.py"));
        let file = SourcePath {
            path: path.clone(),
            display: "own_findings_probe.py".to_string(),
            seen_regular: false,
        };
        // A dropped task: a finding of the file's own (a blocking call's is held for the link).
        let text = "import asyncio\n\nasync def f():\n    asyncio.create_task(g())\n";
        let module = ModuleName {
            name: "own_findings_probe".to_string(),
            is_package: false,
            aliases: Vec::new(),
        };
        let roots = ProjectRoots::of([&module]);
        let settings = Settings::default();
        let mut analysis =
            analyse_source(&file, text.to_string(), &module, Some(&roots), &settings);
        assert!(!analysis.diagnostics.is_empty());
        assert!(matches!(analysis.source, HeldText::Full(_)));
        hold_fingerprint(&mut analysis, &settings, None);
        assert!(matches!(analysis.source, HeldText::Fingerprint { .. }));
        let texts = Texts::from([(path, text.as_bytes().to_vec())]);
        let mut files = [analysis];
        restore_texts(&mut files, &[Vec::new()], &texts);
        assert!(matches!(&files[0].source, HeldText::Full(restored) if restored == text));
    }

    /// A finding of the whole-project rules in `text` (the file at `path`) whose fix, the
    /// call `helper(1)` moved to a worker thread, is still a recipe.
    fn pending_finding(text: &str) -> Diagnostic {
        let at = |offset: usize| TextSize::try_from(offset).unwrap();
        let start = text.find("helper(1)").unwrap();
        let recipe = crate::diagnostic::ToThreadRecipe {
            call: TextRange::new(at(start), at(start + 9)),
            function: TextRange::new(at(start), at(start + 6)),
            arguments: TextRange::new(at(start + 6), at(start + 9)),
            has_keywords: false,
            parenthesize: false,
            runner: 0,
        };
        let runner = crate::diagnostic::ThreadRunner {
            asyncio: "asyncio".to_string(),
            legacy: false,
            import: None,
            functools: None,
        };
        Diagnostic::new(Rule::TransitiveBlockingCall, "blocks", recipe.call)
            .with_pending_fix(crate::diagnostic::PendingFix { recipe, runner })
    }

    #[test]
    fn a_fix_left_as_a_recipe_is_spelled_from_the_text_read_again_and_only_from_it() {
        let path = absolutize(Path::new("pending_fix_probe.py"));
        let text = "import asyncio\n\nasync def f():\n    return helper(1)\n";
        let spelled = |texts: &Texts| {
            let mut files = [analysed(&path, text)];
            let project = vec![pending_finding(text)];
            restore_texts(&mut files, std::slice::from_ref(&project), texts);
            let [file] = files;
            let findings = file.into_findings(project, &Settings::default());
            findings.findings[0]
                .fix
                .as_ref()
                .map(|fix| fix.edits[0].content.clone())
        };
        let same = Texts::from([(path.clone(), text.as_bytes().to_vec())]);
        assert_eq!(
            spelled(&same).as_deref(),
            Some("await asyncio.to_thread(helper, 1)")
        );
        // The file changed since it was analysed: its positions no longer hold.
        let changed = text.replace("helper(1)", "helper(2)");
        let changed = Texts::from([(path.clone(), changed.into_bytes())]);
        assert_eq!(spelled(&changed), None);
    }

    #[test]
    fn a_file_whose_project_finding_has_a_fix_to_spell_is_read_though_positions_would_do() {
        let dir = tempfile::tempdir().unwrap();
        let app = dir.path().join("app");
        std::fs::create_dir(&app).unwrap();
        std::fs::write(app.join("__init__.py"), "").unwrap();
        std::fs::write(
            app.join("db.py"),
            "import time\n\n\ndef load(x):\n    time.sleep(1)\n    return x\n",
        )
        .unwrap();
        std::fs::write(
            app.join("web.py"),
            "from app.db import load\n\n\nasync def handler():\n    return load(1)\n",
        )
        .unwrap();
        let report = check_for(
            &[dir.path().to_path_buf()],
            &Settings::default(),
            TextUse::Positions,
        );
        let fixes: Vec<&str> = report
            .files
            .iter()
            .flat_map(|file| &file.findings)
            .filter(|finding| finding.rule == Rule::TransitiveBlockingCall)
            .filter_map(|finding| finding.fix.as_ref())
            .flat_map(|fix| fix.edits.iter().map(|edit| edit.content.as_str()))
            .collect();
        assert!(
            fixes.contains(&"await asyncio.to_thread(load, 1)"),
            "{fixes:?}"
        );
    }

    #[test]
    fn findings_on_ascii_lines_are_located_without_reading_the_file_again() {
        let settings = Settings::default();
        // Neither file exists on disk: a file read again would lose its text.
        let located = |name: &str, text: &str| {
            let path = absolutize(Path::new(name));
            let file = SourcePath {
                path,
                display: name.to_string(),
                seen_regular: false,
            };
            let module = ModuleName {
                name: name.trim_end_matches(".py").to_string(),
                is_package: false,
                aliases: Vec::new(),
            };
            let roots = ProjectRoots::of([&module]);
            let bytes = text.as_bytes().to_vec();
            let lines = ascii_lines(&bytes);
            let mut analysis = analyse_bytes(&file, bytes, &module, Some(&roots), &settings);
            hold_fingerprint(&mut analysis, &settings, lines);
            let mut files = [analysis];
            restore_texts(&mut files, &[Vec::new()], &Texts::default());
            let [analysis] = files;
            let positions = matches!(analysis.source, HeldText::Positions(_));
            let findings = analysis.into_findings(Vec::new(), &settings);
            let rows: Vec<(usize, usize)> = findings
                .findings
                .iter()
                .map(|finding| (finding.location.row, finding.location.column))
                .collect();
            (positions, rows)
        };
        // The lines of the finding and its fix are ASCII (the é is on another line): located,
        // and the column is the byte distance.
        let (positions, rows) = located(
            "ascii_line_probe.py",
            "import asyncio\nasync def f():\n    asyncio.create_task(g())\n# café\n",
        );
        assert!(positions);
        assert_eq!(rows, [(3, 5)]);
        // On a line with a character beyond ASCII the column counts characters: the text
        // is needed, and the file is gone, so it is read again and released.
        let (positions, _) = located(
            "non_ascii_line_probe.py",
            "import asyncio\nasync def f():\n    é = asyncio.create_task(g())\n",
        );
        assert!(!positions);
    }

    #[test]
    fn a_file_gone_since_its_analysis_has_no_text() {
        let analysis = analysed(Path::new("/nonexistent/held_text_probe.py"), "x = 1\n");
        assert_eq!(read_again(&analysis, &Texts::new(), &analysis.source), None);
    }
}

#[cfg(test)]
mod project_rule_order {
    use super::*;

    /// A helper that blocks (LW103 in its async caller) and a coroutine called without
    /// `await` (LW302), both reported in `app/web.py`.
    const FILES: [(&str, &str, &str); 3] = [
        ("app/__init__.py", "app", ""),
        (
            "app/db.py",
            "app.db",
            "import time\n\n\ndef load(x):\n    time.sleep(1)\n    return x\n\n\nasync def save(x):\n    return x\n",
        ),
        (
            "app/web.py",
            "app.web",
            "from app.db import load, save\n\n\nasync def handler(x):\n    save(x)\n    return load(x)\n",
        ),
    ];

    fn findings_on(threads: usize) -> Vec<Vec<(Rule, TextRange)>> {
        let settings = Settings::default();
        let names: Vec<ModuleName> = FILES
            .iter()
            .map(|&(path, name, _)| ModuleName {
                name: name.to_string(),
                is_package: path.ends_with("__init__.py"),
                aliases: Vec::new(),
            })
            .collect();
        let roots = ProjectRoots::of(&names);
        let files: Vec<FileAnalysis> = FILES
            .iter()
            .zip(&names)
            .map(|(&(path, _, text), name)| {
                let file = SourcePath {
                    path: PathBuf::from(path),
                    display: path.to_string(),
                    seen_regular: false,
                };
                analyse_source(&file, text.to_string(), name, Some(&roots), &settings)
            })
            .collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let linked = link(&files, &settings);
            project_diagnostics(&linked, &settings)
                .into_iter()
                .map(|found| found.into_iter().map(|d| (d.rule, d.range)).collect())
                .collect()
        })
    }

    #[test]
    fn the_project_rules_list_a_modules_findings_in_table_order_on_any_pool() {
        let one = findings_on(1);
        let web: Vec<Rule> = one[2].iter().map(|&(rule, _)| rule).collect();
        assert_eq!(
            web,
            [Rule::TransitiveBlockingCall, Rule::UnawaitedCoroutine],
            "{one:?}"
        );
        for threads in [2, 4, 8] {
            assert_eq!(findings_on(threads), one);
        }
    }
}
