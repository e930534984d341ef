//! The cache: what each file's analysis found, kept on disk between runs (as Ruff's cache
//! does), so a run reads instead of analysing what did not change.
//!
//! Per file it keeps the file's own findings, its `noqa` directives and its summary, keyed
//! by the build, the settings that change an analysis ([`keys::settings_fingerprint`]),
//! the module name and the content (size and modification time first, the content's hash
//! when they differ). Per run it keeps the whole-project rules' findings, keyed by
//! [`link_key`]: the name key and summary hash of every file linked, in order. So:
//! - nothing changed: every file is read from the cache, the link key is the same, and the
//!   stored project findings are printed; no summary is even decoded;
//! - a file changed but not what the link reads of it ([`link_input`]: its summary, and the
//!   line starts up to the summary's last offset; so an edit that moves no offset, or lines
//!   added after the last one): that file is analysed again, and the link is re-used;
//! - a summary changed: the file is analysed again, every other summary is read from the
//!   cache, and the project is linked again.
//!
//! A run that re-used the link and analysed only a few small files does not rewrite the
//! cache file ([`Run::defers_write`]): the next run finds those files changed and analyses
//! them again, which costs less than writing every file's record.
//!
//! The layout on disk is [`store`]'s; `docs/cache.md` tells the user's side.

pub mod keys;
pub mod memory;
mod relocate;
mod shape;
pub mod store;
pub mod walk_record;

use std::cell::RefCell;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::analysis::{
    self, Buffer, FileAnalysis, HeldSummaries, HeldText, Phases, ProjectRoots, SummariesInRegions,
    TextUse, Texts, all_located, analyse_bytes, ascii_lines, checked_text, decode_source,
    project_diagnostics, read_source,
};
use crate::diagnostic::Diagnostic;
use crate::discovery::module_name::ModuleName;
use crate::discovery::{self, Discovered, SourcePath};
use crate::noqa::NoqaDirectives;
use crate::notebook::CellIndex;
use crate::project::summary::ModuleSummary;
use crate::registry::Rule;
use crate::report::Report;
use crate::settings::{Settings, absolutize};
use crate::source::{AsciiLines, LineIndex};

use keys::{BUILD_ID, Stamp, hash_bytes, module_key, name_key, settings_fingerprint};
use store::{FileRecord, Header, LinkRecord, Opened, Section, Span};

/// The name of the cache directory at the project root.
pub const DIRECTORY_NAME: &str = ".loopwarden_cache";

/// The cache directory of a project whose settings are `settings`: the directory of its
/// configuration file, else the current directory, holds [`DIRECTORY_NAME`].
pub fn default_directory(settings: &Settings) -> PathBuf {
    settings.root().join(DIRECTORY_NAME)
}

/// What the cache did in a run (`check --verbose` prints it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Files whose findings and summary came from the cache.
    pub cached: usize,
    /// Files analysed.
    pub analysed: usize,
    /// The whole-project rules' findings came from the cache (no link).
    pub link_reused: bool,
    /// ... moved with the code of this many files, whose summaries changed only in where
    /// things are (`relocate`).
    pub link_moved: usize,
    /// What of the cache file was written.
    pub written: Written,
    /// The files and their module names came from the record of an earlier walk
    /// ([`walk_record`]): no directory had changed.
    pub walk_reused: bool,
}

/// What a run wrote of the cache file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Written {
    /// Nothing: it was as the run would write it, or the run deferred it.
    #[default]
    Nothing,
    /// The whole file, and any delta beside it removed.
    Whole,
    /// A delta beside it ([`store::write_delta`]).
    Delta,
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cache: {} files read from the cache, {} analysed; {}",
            self.cached,
            self.analysed,
            if self.link_reused {
                "link re-used"
            } else {
                "linked"
            }
        )?;
        if self.link_moved > 0 {
            write!(f, " (findings moved in {} files)", self.link_moved)?;
        }
        if self.walk_reused {
            f.write_str("; walk re-used")?;
        }
        match self.written {
            Written::Nothing => f.write_str("; nothing written")?,
            Written::Delta => f.write_str("; delta written")?,
            Written::Whole => {}
        }
        Ok(())
    }
}

/// [`crate::check`] with the cache in `directory`: the same report, from less work; with
/// [`TextUse::Positions`], files with findings come without their text.
pub fn check(
    paths: &[PathBuf],
    settings: &Settings,
    directory: &Path,
    text_use: TextUse,
) -> (Report, Stats) {
    let started = Instant::now();
    let cache_file = file_for(directory, settings, paths);
    // Made before the walk, which stamps the directories it reads: making it later would
    // change the stamp of the directory that holds it.
    let _ = ensure_directory(directory);
    // The cache file is read and checked while the walk is done or re-used: on a cached
    // run these are the two longest steps before the files, and neither needs the other.
    let ((discovered, modules, roots, walk_reused), previous) = std::thread::scope(|scope| {
        let opening = scope.spawn(|| store::open(&cache_file, BUILD_ID));
        let walk = walk_record::discover(paths, settings, &cache_file.with_extension("walk"));
        (walk, opening.join().ok().flatten())
    });
    let (report, stats) = run(
        discovered,
        Some((modules, roots)),
        (&Texts::default(), text_use),
        settings,
        (&cache_file, previous),
        started,
    );
    (
        report,
        Stats {
            walk_reused,
            ..stats
        },
    )
}

/// [`crate::analysis::check_with_texts`] with the cache in `directory` (`--fix` checks its
/// fixed texts again before writing them): the texts are analysed and never stored, every
/// other file comes from the cache.
pub fn check_with_texts(
    paths: &[PathBuf],
    texts: &Texts,
    settings: &Settings,
    directory: &Path,
) -> (Report, Stats) {
    let started = Instant::now();
    let texts = texts
        .iter()
        .map(|(path, bytes)| (absolutize(path), bytes.clone()))
        .collect();
    let discovered = discovery::discover(paths, settings);
    let cache_file = file_for(directory, settings, paths);
    run_with_texts(discovered, &texts, settings, &cache_file, started)
}

/// [`crate::check_buffer`] with the cache in `directory`: the rest of the project comes from
/// the cache. The buffer's analysis is not stored (it is not the file on disk), but what
/// the run analysed of the rest of the project is.
pub fn check_buffer(buffer: Buffer, settings: &Settings, directory: &Path) -> (Report, Stats) {
    let started = Instant::now();
    let (discovered, display, root) = analysis::discover_around(&buffer.path, settings);
    let cache_file = file_for(directory, settings, &[root]);
    let texts = Texts::from([(absolutize(&buffer.path), buffer.bytes)]);
    let (mut report, stats) = run_with_texts(discovered, &texts, settings, &cache_file, started);
    report.files.retain(|file| file.display_path == display);
    report.files_checked = 1;
    (report, stats)
}

/// [`run`] where `texts` stand in for files (fixed texts, an editor's buffer): the files
/// are walked and named afresh, and every file with findings comes with its text.
fn run_with_texts(
    discovered: Discovered,
    texts: &Texts,
    settings: &Settings,
    cache_file: &Path,
    started: Instant,
) -> (Report, Stats) {
    run(
        discovered,
        None,
        (texts, TextUse::Text),
        settings,
        (cache_file, store::open(cache_file, BUILD_ID)),
        started,
    )
}

/// Analyses (or reads from the cache), links (or re-uses the link) and reports the
/// discovered files, named by `named` (their module names in the files' order, and the
/// project's top-level names) when the caller has named them already; `texts` stand in for
/// some files on disk. `previous` is the cache file as [`store::open`] read it, used only if
/// written for these settings.
fn run(
    mut discovered: Discovered,
    named: Option<(Vec<ModuleName>, ProjectRoots)>,
    (texts, text_use): (&Texts, TextUse),
    settings: &Settings,
    (cache_file, previous): (&Path, Option<Opened>),
    started: Instant,
) -> (Report, Stats) {
    let now = SystemTime::now();
    // In display order from the start: the i-th file, module name and outcome go together.
    let (modules, roots) = match named {
        Some((modules, roots)) if modules.len() == discovered.files.len() => {
            let mut pairs: Vec<(SourcePath, ModuleName)> = std::mem::take(&mut discovered.files)
                .into_iter()
                .zip(modules)
                .collect();
            pairs.sort_by(|a, b| a.0.display.cmp(&b.0.display));
            let (files, modules) = pairs.into_iter().unzip();
            discovered.files = files;
            (modules, roots)
        }
        _ => {
            discovered.files.sort_by(|a, b| a.display.cmp(&b.display));
            let modules = analysis::name_modules(&discovered.files);
            let roots = ProjectRoots::of(&modules);
            (modules, roots)
        }
    };
    // What a summary keeps depends on the project's top-level names too (LW103's fix is
    // spelled only for calls that may reach the project): a new top-level package is a new
    // cache.
    let fingerprint = {
        let mut hasher = keys::hasher();
        settings_fingerprint(settings).hash(&mut hasher);
        roots.sorted().hash(&mut hasher);
        hasher.finish()
    };
    let mut previous = previous.filter(|previous| previous.header.settings == fingerprint);
    // Every file is analysed and the cache file written whole: its summaries go to a
    // spill as they are made. (Made before the analysis, so a directory that cannot take
    // it is known before the first summary waits for it.)
    let spill = previous
        .is_none()
        .then(|| ensure_directory(cache_file.parent().and_then(Path::parent)?).ok())
        .flatten()
        .and_then(|()| store::Spill::beside(cache_file));
    let discovered_at = Instant::now();
    // Each file's paths move into its analysis.
    let walked = discovered.take_files();

    let (files, project, phases, stats) = analysis::in_analysis_pool(|| {
        let mut run = Run {
            settings,
            fingerprint,
            modules: &modules,
            roots: &roots,
            texts,
            text_use,
            previous: previous.as_mut(),
            now,
            spill: spill.as_ref(),
        };
        let (files, outcomes, fresh) = run.load_or_analyse(walked, &modules);
        // No file is parsed again in this run, and the link needs memory.
        crate::parse_arena::trim();
        let analysed_at = Instant::now();
        let Projected {
            files,
            outcomes,
            project,
            reused: link_reused,
            moved,
            key,
            inert,
        } = run.project(files, outcomes, fresh);
        let linked_at = Instant::now();
        let mut stats = Stats {
            link_reused,
            link_moved: moved,
            ..Stats::default()
        };
        for outcome in &outcomes {
            match outcome {
                Outcome::Cached { .. } => stats.cached += 1,
                _ => stats.analysed += 1,
            }
        }
        stats.written = run.write(cache_file, &outcomes, (&project, key, link_reused), inert);
        let phases = Phases {
            started,
            discovered: discovered_at,
            analysed: analysed_at,
            linked: linked_at,
        };
        (files, project, phases, stats)
    });
    // The cache file read is freed beside the report's assembly, not after it: its records
    // are 15,512 allocations or more on a large project.
    if let Some(previous) = previous {
        std::thread::spawn(move || drop(previous));
    }
    (
        analysis::assemble(discovered, files, project, settings, phases),
        stats,
    )
}

/// Removes the cache directory; `Ok(false)` when there was none.
pub fn clean(directory: &Path) -> std::io::Result<bool> {
    match std::fs::remove_dir_all(directory) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error),
    }
}

/// The cache file of a run over `paths` from the current directory with these settings,
/// below a directory of the package version (as Ruff's): one file per way of running.
fn file_for(directory: &Path, settings: &Settings, paths: &[PathBuf]) -> PathBuf {
    let mut hasher = keys::hasher();
    settings_fingerprint(settings).hash(&mut hasher);
    absolutize(Path::new(".")).hash(&mut hasher);
    for path in paths {
        absolutize(path).hash(&mut hasher);
    }
    directory
        .join(env!("CARGO_PKG_VERSION"))
        .join(format!("{:016x}.bin", hasher.finish()))
}

/// Creates the cache directory with a `.gitignore` that ignores all of it, and a
/// `CACHEDIR.TAG` that tells backup tools it is a cache.
fn ensure_directory(directory: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(directory.join(env!("CARGO_PKG_VERSION")))?;
    let gitignore = directory.join(".gitignore");
    if !gitignore.exists() {
        std::fs::write(gitignore, "# Created by loopwarden.\n*\n")?;
    }
    let tag = directory.join("CACHEDIR.TAG");
    if !tag.exists() {
        std::fs::write(
            tag,
            "Signature: 8a477f597d28d172789f06886806bc55\n\
             # This file is a cache directory tag created by loopwarden.\n\
             # For information about cache directory tags see https://bford.info/cachedir/\n",
        )?;
    }
    Ok(())
}

/// How a file came into the run.
enum Outcome {
    /// From the cache: the index of its record in the cache file read, with its stamp
    /// brought up to date, and what the link reads of it (the record's own).
    Cached {
        at: usize,
        stamp: Option<Stamp>,
        link: LinkHashes,
    },
    /// Analysed: its new record and data.
    Analysed(Box<Fresh>),
    /// Analysed from a text that stands in for the file (an editor's buffer): not stored,
    /// but its summary may match the one linked last time. The file's record, if it had one,
    /// is kept for the file on disk.
    Transient {
        link: Option<LinkHashes>,
        kept: Option<FileRecord>,
    },
    /// Analysed and not to be cached: it could not be read, or its check was cut short (by
    /// the time limit: another run may get further). What the link read of it still counts:
    /// an unreadable file does not stop the next run from re-using the link.
    Uncacheable { link: Option<LinkHashes> },
}

impl Outcome {
    /// What the link reads of the file, as hashes.
    fn link_hash(&self) -> Option<LinkHashes> {
        match self {
            Outcome::Cached { link, .. } => Some(*link),
            Outcome::Analysed(fresh) => Some(LinkHashes::of_record(&fresh.record)),
            Outcome::Transient { link, .. } | Outcome::Uncacheable { link } => *link,
        }
    }
}

/// The files after [`Run::project`], with the whole-project rules' findings in each.
struct Projected {
    files: Vec<FileAnalysis>,
    outcomes: Vec<Outcome>,
    project: Vec<Vec<Diagnostic>>,
    /// Whether the stored findings of the last link were used.
    reused: bool,
    /// In how many files they were moved with the code ([`relocate`]).
    moved: usize,
    /// The link key of `files` and `outcomes` ([`link_key`]).
    key: Option<LinkKey>,
    /// What the link did nothing with ([`LinkRecord::inert`]): the last link's, when its
    /// findings were used.
    inert: Vec<u64>,
}

struct Fresh {
    /// Spans not set yet.
    record: FileRecord,
    /// The size of the file's bytes.
    size: u64,
    local: Box<[u8]>,
    /// [`Linked`], LZ4-compressed (summaries shrink about twofold).
    linked: LinkedBytes,
}

/// Where a fresh file's compressed [`Linked`] is.
enum LinkedBytes {
    Held(Box<[u8]>),
    /// In the run's spill ([`store::Spill`]), at this span of it.
    Spilled(Span),
}

impl LinkedBytes {
    fn len(&self) -> usize {
        match self {
            LinkedBytes::Held(bytes) => bytes.len(),
            LinkedBytes::Spilled(span) => span.len as usize,
        }
    }
}

/// A file's own findings, `noqa` directives and notebook cells, as stored. They are
/// followed by its [`Positions`], read only when used.
type Local = (Vec<Diagnostic>, NoqaDirectives, Option<CellIndex>);
/// Decodes a stored [`Linked`], its summary (if any) pushed onto `held` with `position`
/// and allocated in `held`'s region, its line index returned, allocated outside the region
/// (it outlives the link); `None` when the bytes do not decode. `scratch` holds the
/// decompressed bytes, grown outside the region.
fn decode_linked(
    bytes: &[u8],
    scratch: &mut Vec<u8>,
    held: &mut HeldSummaries,
    position: usize,
) -> Option<LineIndex> {
    let (size, compressed) = lz4_flex::block::uncompressed_size(bytes).ok()?;
    if scratch.len() < size {
        scratch.resize(size, 0);
    }
    let written = lz4_flex::block::decompress_into(compressed, &mut scratch[..size]).ok()?;
    let decoded = scratch.get(..written)?;
    let mut summary_end = None;
    held.extend(|held| {
        if let Ok((summary, rest)) =
            postcard::take_from_bytes::<Option<Box<ModuleSummary>>>(decoded)
        {
            if let Some(summary) = summary {
                held.push((position, summary));
            }
            summary_end = Some(decoded.len() - rest.len());
        }
    });
    let line_index = postcard::from_bytes::<LineIndex>(&decoded[summary_end?..]).ok();
    if line_index.is_none() && held.last().is_some_and(|&(at, _)| at == position) {
        // The file is analysed again: its summary here must not stand in for the new one.
        held.extend(|held| drop(held.pop()));
    }
    line_index
}

/// The stored form of a file's [`Local`] data when it has none.
fn empty_local() -> Option<&'static [u8]> {
    static EMPTY: std::sync::OnceLock<Option<Vec<u8>>> = std::sync::OnceLock::new();
    EMPTY
        .get_or_init(|| {
            let nothing: Local = (Vec::new(), NoqaDirectives::default(), None);
            postcard::to_allocvec(&nothing).ok()
        })
        .as_deref()
}

/// What locates a file's findings without its text ([`TextUse::Positions`]): kept for a
/// file with findings of its own, or that the whole-project rules may report in.
type Positions = Option<(LineIndex, AsciiLines)>;
/// A file's summary and line index, as stored: what the link reads.
type Linked = (Option<Box<ModuleSummary>>, LineIndex);

struct Run<'r> {
    settings: &'r Settings,
    fingerprint: u64,
    /// The module name of each file, in display order.
    modules: &'r [ModuleName],
    roots: &'r ProjectRoots,
    texts: &'r Texts,
    text_use: TextUse,
    previous: Option<&'r mut Opened>,
    now: SystemTime,
    /// Where the summaries go as they are made, in a run with no cache file to start from
    /// (every file is analysed, and the cache file is written whole).
    spill: Option<&'r store::Spill>,
}

impl Run<'_> {
    /// Every file from the cache or analysed, in the order of `files`. In a run with no
    /// cache file to start from, every file is analysed and nothing reads a summary before
    /// the link: each is held in a region as soon as it is made, as a run without the cache
    /// holds them (`analysis::analyse_holding_summaries`), and returned apart from its file.
    fn load_or_analyse(
        &self,
        files: Vec<SourcePath>,
        modules: &[ModuleName],
    ) -> (Vec<FileAnalysis>, Vec<Outcome>, SummariesInRegions) {
        if self.previous.is_none() {
            return analysis::analyse_holding_summaries(
                files.into_par_iter().zip(modules.par_iter()),
                |(file, module)| self.one(file, module, None, Section::default()),
            );
        }
        let records = self.records();
        let local = self
            .previous
            .as_ref()
            .map_or(Section::default(), |previous| previous.local());
        let by_name = std::sync::OnceLock::new();
        let (files, outcomes) = files
            .into_par_iter()
            .zip(modules.par_iter())
            .enumerate()
            .map(|(position, (file, module))| {
                let name = name_key(&file.path);
                let record = record_of(records, position, name, &by_name)
                    .filter(|(_, record)| record.module == module_key(module));
                self.one(file, module, record, local)
            })
            .unzip();
        (files, outcomes, SummariesInRegions(Vec::new()))
    }

    /// The records of the cache file read, in display order (empty without one).
    fn records(&self) -> &[FileRecord] {
        self.previous
            .as_ref()
            .map_or(&[][..], |previous| &previous.header.files[..])
    }

    /// One file: from the cache when its record still holds, else analysed.
    fn one(
        &self,
        file: SourcePath,
        module: &ModuleName,
        record: Option<(usize, &FileRecord)>,
        local: Section<'_>,
    ) -> (FileAnalysis, Outcome) {
        let metadata = std::fs::metadata(&file.path).ok();
        // Looked at once here, for its stamp: reading it needs no other look first.
        let file = SourcePath {
            seen_regular: file.seen_regular || metadata.as_ref().is_some_and(|m| m.is_file()),
            ..file
        };
        let stamp = metadata
            .as_ref()
            .and_then(|metadata| Stamp::of(metadata, self.now));
        if let Some(text) = (!self.texts.is_empty())
            .then(|| self.texts.get(&absolutize(&file.path)))
            .flatten()
        {
            let analysis =
                analyse_bytes(&file, text.clone(), module, Some(self.roots), self.settings);
            let outcome = Outcome::Transient {
                link: link_hashes(&analysis),
                kept: record.map(|(_, record)| record.clone()),
            };
            return (analysis, outcome);
        }
        let mut bytes = None;
        if let Some((at, record)) = record {
            let unchanged = match (&record.stamp, &metadata) {
                (Some(recorded), Some(metadata)) if recorded.matches(metadata) => true,
                _ => {
                    let read = read_source(&file);
                    let same = read
                        .as_ref()
                        .is_ok_and(|read| hash_bytes(read) == record.content);
                    bytes = Some(read);
                    same
                }
            };
            if unchanged && let Some(analysis) = self.cached(&file, record, local, &mut bytes) {
                let outcome = Outcome::Cached {
                    at,
                    stamp,
                    link: LinkHashes::of_record(record),
                };
                return (analysis.named(file), outcome);
            }
        }
        let bytes = match bytes.unwrap_or_else(|| read_source(&file)) {
            Ok(bytes) => bytes,
            Err(message) => {
                let analysis = FileAnalysis::unreadable(&file, message);
                let link = link_hashes(&analysis);
                return (analysis, Outcome::Uncacheable { link });
            }
        };
        let content = (hash_bytes(&bytes), bytes.len() as u64);
        let lines = ascii_lines(&bytes);
        let analysis = analyse_bytes(&file, bytes, module, Some(self.roots), self.settings);
        let outcome = fresh(
            &analysis,
            (&file, module),
            stamp,
            content,
            lines,
            self.spill,
        );
        (analysis, outcome)
    }

    /// The file's analysis as the cache has it (not named yet: the caller moves `file`'s
    /// paths in): its own findings, with its text when they need it; the summary is read
    /// only when the project is linked again.
    fn cached(
        &self,
        file: &SourcePath,
        record: &FileRecord,
        local: Section<'_>,
        bytes: &mut Option<Result<Vec<u8>, String>>,
    ) -> Option<FileAnalysis> {
        let own = local.get(record.local)?;
        // Most files have no finding, no `noqa` directive and no cells: their stored data
        // begins with the encoding of nothing (postcard writes one value one way), and
        // decoding it (an empty map made and dropped among others) is skipped.
        if !record.needs_text && empty_local().is_some_and(|empty| own.starts_with(empty)) {
            return Some(FileAnalysis::unnamed());
        }
        let ((diagnostics, noqa, cells), positions): (Local, _) =
            postcard::take_from_bytes(own).ok()?;
        let mut analysis = FileAnalysis::unnamed();
        analysis.diagnostics = diagnostics;
        analysis.noqa = noqa;
        analysis.cells = cells;
        if record.needs_text
            && self.text_use == TextUse::Positions
            && let Ok(Some((line_index, lines))) = postcard::from_bytes::<Positions>(positions)
            && analysis.cells.is_none()
            && !analysis::reviews_noqa(&analysis.noqa, self.settings)
            && all_located(&analysis.diagnostics, &line_index, &lines)
        {
            analysis.line_index = line_index;
            analysis.source = HeldText::Positions(lines);
            return Some(analysis);
        }
        if record.needs_text {
            let read = bytes.take().unwrap_or_else(|| read_source(file)).ok()?;
            let text = text_of(file, read)?;
            analysis.line_index = LineIndex::new(&text);
            analysis.source = HeldText::Full(text);
        }
        Some(analysis)
    }

    /// The whole-project rules' findings: the stored ones when the link would read what it
    /// read last time, else a new link over every summary (read from the cache for the
    /// files that came from it).
    /// `fresh` holds the summaries of files analysed in this run that their analyses no
    /// longer hold ([`Self::load_or_analyse`]).
    fn project(
        &mut self,
        mut files: Vec<FileAnalysis>,
        mut outcomes: Vec<Outcome>,
        fresh: SummariesInRegions,
    ) -> Projected {
        let mut key = link_key(&files, &outcomes, self.records());
        let stored = self
            .previous
            .as_ref()
            .and_then(|previous| previous.header.link.as_ref());
        let moves = match (stored, key) {
            (Some(stored), Some(key)) if stored.key == key.exact => Some(Vec::new()),
            (Some(stored), Some(key)) if stored.shape == Some(key.shape) => {
                self.moves(&files, &outcomes, false)
            }
            // A summary changed in more than its offsets: still the same to the link when
            // what changed is only calls it did nothing with. The stored link must then be
            // the one of the records as they are.
            (Some(stored), Some(_))
                if !stored.inert.is_empty()
                    && stored.shape == Some(records_shape_key(self.records())) =>
            {
                self.moves(&files, &outcomes, true)
            }
            _ => None,
        };
        let stored = moves.and_then(|moves| {
            let stored = self.previous.as_mut()?.header.link.as_mut()?;
            // The same files in the same order, so the stored positions hold. The findings
            // are moved out; only the key is read again (by `write`).
            let mut project = vec![Vec::new(); files.len()];
            for (position, findings) in std::mem::take(&mut stored.findings) {
                if let Some(slot) = project.get_mut(position as usize) {
                    *slot = findings;
                }
            }
            relocate::relocate(&mut project, &moves).then_some((project, moves.len()))
        });
        let (mut project, reused, moved, inert) = match stored {
            Some((project, moved)) => {
                let inert = self
                    .previous
                    .as_mut()
                    .and_then(|previous| previous.header.link.as_mut())
                    .map(|link| std::mem::take(&mut link.inert))
                    .unwrap_or_default();
                (project, true, moved, inert)
            }
            None => {
                let mut stored = self.read_summaries(&mut files, &mut outcomes);
                stored.0.extend(fresh.0);
                // A file whose stored summary could not be read was analysed again.
                key = link_key(&files, &outcomes, self.records());
                let held = stored.by_position(files.len());
                let linked = analysis::link_with(&files, &held, self.settings);
                let project = project_diagnostics(&linked, self.settings);
                let inert = inert_hashes(&linked.project);
                drop(linked);
                drop(held);
                stored.release();
                analysis::free_summaries(&mut files);
                (project, false, 0, inert)
            }
        };
        // A file analysed now kept a fingerprint of its text; one from the cache keeps no
        // text: the ones with findings from the link get it back for their code frames.
        analysis::restore_texts(&mut files, &project, self.texts);
        files
            .par_iter_mut()
            .zip(project.par_iter())
            .zip(outcomes.par_iter())
            .filter(|((file, project), outcome)| {
                !project.is_empty()
                    && matches!(outcome, Outcome::Cached { .. })
                    && match &file.source {
                        HeldText::Released => true,
                        // Located without the text, unless a finding of the link sits on
                        // a line beyond ASCII.
                        HeldText::Positions(lines) => {
                            !all_located(project, &file.line_index, lines)
                                || analysis::has_pending_fix(project)
                        }
                        _ => false,
                    }
            })
            .for_each(|((file, project), outcome)| {
                if let (HeldText::Released, Outcome::Cached { at, .. }) = (&file.source, outcome)
                    && let Some(record) = self.records().get(*at)
                    && let Some((line_index, lines)) = self.positions(record)
                    && all_located(&file.diagnostics, &line_index, &lines)
                    && all_located(project, &line_index, &lines)
                    && !analysis::has_pending_fix(project)
                {
                    file.line_index = line_index;
                    file.source = HeldText::Positions(lines);
                    return;
                }
                let source = SourcePath {
                    path: file.path.clone(),
                    display: file.display_path.clone(),
                    seen_regular: false,
                };
                if let Some(text) = read_source(&source)
                    .ok()
                    .and_then(|bytes| text_of(&source, bytes))
                {
                    file.line_index = LineIndex::new(&text);
                    file.source = HeldText::Full(text);
                }
            });
        // The fixes the link left as recipes are spelled from those texts now: the link's
        // findings are stored as they are reported.
        project
            .par_iter_mut()
            .zip(files.par_iter())
            .for_each(|(findings, file)| {
                analysis::spell_pending_fixes(findings, file.source.text());
            });
        Projected {
            files,
            outcomes,
            project,
            reused,
            moved,
            key,
            inert,
        }
    }

    /// How the files whose summaries changed only in their offsets since the stored link
    /// moved ([`relocate::Moved`]), each from its old summary in the cache file to its new
    /// one; `None` when one cannot be told (the project is then linked again). Asked only
    /// when the link keys of shape match and the stored link was made of the records as
    /// they are, one per file in order ([`store::LinkRecord::shape`]).
    ///
    /// With `beyond_offsets`, a summary may also differ from its old one in calls of the
    /// paths the stored link did nothing with ([`LinkRecord::inert`]): the two are compared,
    /// and their offsets paired, without those calls.
    fn moves(
        &mut self,
        files: &[FileAnalysis],
        outcomes: &[Outcome],
        beyond_offsets: bool,
    ) -> Option<Vec<relocate::Moved>> {
        let records = self.records();
        if records.len() != files.len() {
            return None;
        }
        let mut changed = Vec::new();
        for (position, ((file, outcome), record)) in
            files.iter().zip(outcomes).zip(records).enumerate()
        {
            let hashes = outcome.link_hash()?;
            if hashes.exact == record.link {
                continue;
            }
            let same_shape = hashes.shape == record.shape;
            if !same_shape && !beyond_offsets || record.name != name_key(&file.path) {
                return None;
            }
            changed.push((position, same_shape));
        }
        let previous = self.previous.as_mut()?;
        // Taken out while the old summaries are read, and put back.
        let inert = previous
            .header
            .link
            .as_mut()
            .map(|link| std::mem::take(&mut link.inert))
            .unwrap_or_default();
        let moves = changed
            .into_iter()
            .map(|(position, same_shape)| {
                let record = previous.header.files.get(position)?.clone();
                // Only this file's summary is read, not the whole section (on the benchmark
                // corpus, 30 ms and 35 MiB): what it decodes to is checked against the
                // record's hash instead of the section's checksum.
                let (summary, line_index): Linked = previous
                    .summary_unchecked(record.summary)
                    .and_then(|bytes| decompress_unchecked(&bytes))
                    .and_then(|bytes| postcard::from_bytes(&bytes).ok())?;
                let (_, hashes) = serialized_linked(&summary, &line_index)?;
                if hashes != LinkHashes::of_record(&record) {
                    return None;
                }
                let file = &files[position];
                if same_shape {
                    return relocate::Moved::between(
                        (position, &file.display_path),
                        (summary.as_deref(), &line_index),
                        (file.summary.as_deref(), &file.line_index),
                    );
                }
                moved_beyond_offsets(
                    (position, &file.display_path),
                    (summary.as_deref()?, &line_index),
                    (file.summary.as_deref()?, &file.line_index),
                    &inert,
                )
            })
            .collect();
        if let Some(link) = previous.header.link.as_mut() {
            link.inert = inert;
        }
        moves
    }

    /// The stored [`Positions`] of a file from the cache, for an output that needs no text
    /// (and not for a notebook, whose text is not the file's).
    fn positions(&self, record: &FileRecord) -> Option<(LineIndex, AsciiLines)> {
        if self.text_use != TextUse::Positions {
            return None;
        }
        let local = self.previous.as_ref()?.local();
        let ((_, _, cells), positions): (Local, _) =
            postcard::take_from_bytes(local.get(record.local)?).ok()?;
        if cells.is_some() {
            return None;
        }
        postcard::from_bytes::<Positions>(positions).ok()?
    }

    /// Gives every file from the cache its line index back, and its summary, decoded into
    /// the [`SummariesInRegions`] returned; a file whose stored summary cannot be read is
    /// analysed again.
    fn read_summaries(
        &mut self,
        files: &mut [FileAnalysis],
        outcomes: &mut [Outcome],
    ) -> SummariesInRegions {
        if let Some(previous) = self.previous.as_mut() {
            previous.summaries();
        }
        let this = &*self;
        let section = this
            .previous
            .as_ref()
            .and_then(|previous| previous.loaded_summaries())
            .unwrap_or_default();
        let cached: Vec<(usize, Option<&[u8]>)> = outcomes
            .iter()
            .enumerate()
            .filter_map(|(position, outcome)| match outcome {
                Outcome::Cached { at, .. } => {
                    let record = this.records().get(*at)?;
                    Some((position, section.get(record.summary)))
                }
                _ => None,
            })
            .collect();
        // A few chunks per thread, each decoded into a region of its own: more regions
        // than threads, so that a thread that finishes early takes another chunk.
        let chunks = (rayon::current_num_threads() * 4).clamp(1, 32);
        let chunk_len = cached.len().div_ceil(chunks).max(1);
        let decoded: Vec<_> = cached
            .par_chunks(chunk_len)
            .map(|chunk| {
                let mut held = crate::parse_arena::in_arena_held(0, Vec::new);
                let mut scratch = Vec::new();
                let mut line_indexes = Vec::with_capacity(chunk.len());
                let mut failed = Vec::new();
                for &(position, bytes) in chunk {
                    match bytes
                        .and_then(|bytes| decode_linked(bytes, &mut scratch, &mut held, position))
                    {
                        Some(line_index) => line_indexes.push((position, line_index)),
                        None => failed.push(position),
                    }
                }
                (held, line_indexes, failed)
            })
            .collect();
        let mut held = Vec::with_capacity(decoded.len());
        let mut failed = Vec::new();
        for (summaries, line_indexes, unread) in decoded {
            held.push(summaries);
            for (position, line_index) in line_indexes {
                files[position].line_index = line_index;
            }
            failed.extend(unread);
        }
        let again: Vec<(usize, (FileAnalysis, Outcome))> = failed
            .into_par_iter()
            .map(|position| {
                let file = &files[position];
                let source = SourcePath {
                    path: file.path.clone(),
                    display: file.display_path.clone(),
                    seen_regular: false,
                };
                (
                    position,
                    this.one(source, &this.modules[position], None, Section::default()),
                )
            })
            .collect();
        for (position, (analysis, fresh)) in again {
            files[position] = analysis;
            outcomes[position] = fresh;
        }
        // Decoded: the compressed section is not held through the link (36 MB on the
        // benchmark corpus). A run that then writes the cache file whole reads it again.
        if let Some(previous) = self.previous.as_mut() {
            previous.release_summaries();
        }
        SummariesInRegions(held)
    }

    /// Writes the cache file this run leaves (or its delta), when it differs from the one it
    /// read; what it wrote. `key` is the link key of the files and `outcomes` ([`link_key`]);
    /// `reused`, whether the stored link's findings were used (as they were, or moved).
    fn write(
        &mut self,
        path: &Path,
        outcomes: &[Outcome],
        (project, key, reused): (&[Vec<Diagnostic>], Option<LinkKey>, bool),
        inert: Vec<u64>,
    ) -> Written {
        let transient = outcomes
            .iter()
            .any(|outcome| matches!(outcome, Outcome::Transient { .. }));
        let analysed = outcomes
            .iter()
            .any(|outcome| matches!(outcome, Outcome::Analysed(_)));
        // A run with a buffer rewrites the file only for what it learnt of the files on
        // disk: every keystroke of an editor would otherwise rewrite it.
        if transient && !analysed && self.previous.is_some() {
            return Written::Nothing;
        }
        // Unchanged: the same link, and the same records to store (files not cached aside).
        let stored = outcomes
            .iter()
            .filter(|outcome| !matches!(outcome, Outcome::Uncacheable { .. }));
        let unchanged = self.previous.as_ref().is_some_and(|previous| {
            previous.header.link.as_ref().map(|link| link.key) == key.map(|key| key.exact)
                && stored.clone().count() == previous.header.files.len()
                && stored.zip(previous.header.files.iter().enumerate()).all(|(outcome, (position, old))| {
                    matches!(outcome, Outcome::Cached { at, stamp, .. } if *at == position && *stamp == old.stamp)
                })
        });
        if unchanged || self.defers_write(reused, outcomes) {
            return Written::Nothing;
        }
        let delta = self.delta_base(outcomes);
        // A full write carries the stored data of the files from the cache over; a delta
        // only what is in the delta before it, which was read whole.
        if delta.is_none()
            && outcomes.iter().any(|outcome| {
                matches!(
                    outcome,
                    Outcome::Cached { .. } | Outcome::Transient { kept: Some(_), .. }
                )
            })
            && let Some(previous) = self.previous.as_mut()
        {
            previous.summaries();
        }
        let (old_local, old_summaries) = match self.previous.as_ref() {
            Some(previous) if delta.is_some() => {
                (previous.local(), Some(previous.delta_summaries()))
            }
            Some(previous) => (previous.local(), previous.loaded_summaries()),
            None => (Section::default(), None),
        };
        // The sections are written from the pieces where they are, not copied together.
        let mut local = Pieces::new(delta.is_some());
        let mut summaries = Pieces::new(delta.is_some());
        let mut records = Vec::with_capacity(outcomes.len());
        let old_records = self.records();
        for outcome in outcomes {
            // A record read carries its data over from the old sections (or, in a delta,
            // points where it is in the base); a fresh one brings its own.
            let (record, stamp, fresh) = match outcome {
                Outcome::Cached { at, stamp, .. } => {
                    let Some(record) = old_records.get(*at) else {
                        continue;
                    };
                    (record, *stamp, None)
                }
                Outcome::Transient {
                    kept: Some(record), ..
                } => (record, record.stamp, None),
                Outcome::Analysed(fresh) => (
                    &fresh.record,
                    fresh.record.stamp,
                    Some((&fresh.local[..], &fresh.linked)),
                ),
                Outcome::Transient { kept: None, .. } | Outcome::Uncacheable { .. } => continue,
            };
            let spans = match fresh {
                Some((own, LinkedBytes::Held(linked))) => {
                    Some((local.push(own), summaries.push(linked)))
                }
                Some((own, LinkedBytes::Spilled(span))) => Some((local.push(own), *span)),
                None => local
                    .carry(record.local, old_local)
                    .zip(old_summaries.and_then(|old| summaries.carry(record.summary, old))),
            };
            let Some((local_span, summary_span)) = spans else {
                continue;
            };
            records.push(FileRecord {
                stamp,
                local: local_span,
                summary: summary_span,
                ..record.clone()
            });
        }
        // The link can be moved with the code next time only if its files' records are the
        // ones it read, one per file, in order (a buffer's link read the buffer, not the
        // file its record is of; a file not cached has no record).
        let one_record_each = records.len() == outcomes.len()
            && outcomes
                .iter()
                .all(|outcome| matches!(outcome, Outcome::Cached { .. } | Outcome::Analysed(_)));
        let link = key.map(|key| LinkRecord {
            key: key.exact,
            shape: one_record_each.then_some(key.shape),
            inert,
            findings: project
                .iter()
                .enumerate()
                .filter(|(_, findings)| !findings.is_empty())
                .filter_map(|(position, findings)| {
                    Some((u32::try_from(position).ok()?, findings.clone()))
                })
                .collect(),
        });
        let header = Header {
            build: BUILD_ID.to_string(),
            settings: self.fingerprint,
            files: records,
            link,
        };
        let Some(directory) = path.parent().and_then(Path::parent) else {
            return Written::Nothing;
        };
        if ensure_directory(directory).is_err() {
            return Written::Nothing;
        }
        match delta {
            Some(base) => store::write_delta(path, base, &header, &local.parts, &summaries.parts)
                .map_or(Written::Nothing, |()| Written::Delta),
            None => {
                // With a spill, every summary is in it (a run with one started from no
                // cache file, so nothing is carried over from an old one).
                let summaries = match self.spill {
                    Some(spill) if spill.holds() && summaries.parts.is_empty() => {
                        store::Summaries::Spilled(spill)
                    }
                    Some(_) => return Written::Nothing,
                    None => store::Summaries::Pieces(&summaries.parts),
                };
                store::write(path, &header, &local.parts, summaries)
                    .map_or(Written::Nothing, |()| Written::Whole)
            }
        }
    }
}

impl Run<'_> {
    /// The base file a delta of this run's `outcomes` would be written over, when a delta
    /// is what to write: what the base lacks is small beside it (the data of the files
    /// analysed now, and of the files whose data is in the delta written before), and the
    /// files still point at most of the base's data (the base of a project that lost most
    /// of its files is written anew rather than kept for a few).
    fn delta_base(&self, outcomes: &[Outcome]) -> Option<store::BaseId> {
        let base = self.previous.as_ref()?.base();
        let records = self.records();
        let (mut new_bytes, mut base_bytes) = (0u64, 0u64);
        for outcome in outcomes {
            let record = match outcome {
                Outcome::Analysed(fresh) => {
                    new_bytes += (fresh.local.len() + fresh.linked.len()) as u64;
                    continue;
                }
                Outcome::Cached { at, .. } => records.get(*at),
                Outcome::Transient { kept, .. } => kept.as_ref(),
                Outcome::Uncacheable { .. } => None,
            };
            if let Some(record) = record {
                let (in_delta, in_base) = data_bytes(record);
                new_bytes += in_delta;
                base_bytes += in_base;
            }
        }
        (new_bytes.saturating_mul(DELTA_SHARE) <= base.data_len()
            && base_bytes.saturating_mul(2) >= base.data_len())
        .then_some(base)
    }

    /// Whether this run leaves the cache file as it is although it differs: the link was
    /// re-used, and what differs is a few small files (analysed now, or found unchanged
    /// with a new stamp) that the next run can read, hash and analyse again for less than
    /// writing the whole file costs (on the benchmark corpus, rewriting its 40 MB took
    /// more than a warm run's walk). Each such file is compared by content on the next run,
    /// so nothing stale is ever read; once the files waiting exceed [`DEFERRED_FILES`] or
    /// [`DEFERRED_BYTES`], the file is written.
    fn defers_write(&self, reused: bool, outcomes: &[Outcome]) -> bool {
        let Some(previous) = self.previous.as_ref() else {
            return false;
        };
        // The next run finds the same stored link, and re-uses (or moves) it again.
        if !reused || previous.header.link.is_none() {
            return false;
        }
        let mut files = 0usize;
        let mut bytes = 0u64;
        for outcome in outcomes {
            let size = match outcome {
                Outcome::Cached { at, stamp, .. } => {
                    let old = previous.header.files.get(*at);
                    if old.is_some_and(|old| old.stamp == *stamp) {
                        continue;
                    }
                    // Found unchanged by its content: the next run hashes it again.
                    stamp.map_or(0, |stamp| stamp.size)
                }
                Outcome::Analysed(fresh) => fresh.size,
                // Never stored either way.
                Outcome::Uncacheable { .. } => continue,
                // A buffer's run writes only for what it analysed on disk.
                Outcome::Transient { .. } => continue,
            };
            files += 1;
            bytes += size;
            if files > DEFERRED_FILES || bytes > DEFERRED_BYTES {
                return false;
            }
        }
        true
    }
}

/// How many files may wait for the next write of the cache file ([`Run::defers_write`]).
const DEFERRED_FILES: usize = 16;
/// How many bytes of source they may add up to: analysing 256 KiB again costs about
/// 15 ms of one core, rewriting the benchmark corpus's cache file several times that.
const DEFERRED_BYTES: u64 = 256 * 1024;

/// How many times its new data the base file must hold for a run to write a delta rather
/// than the whole file ([`store::write_delta`]): each run reads the delta whole, and each
/// delta rewrites what the one before it held, so it is kept small; past it, the whole
/// file is written and the delta goes.
const DELTA_SHARE: u64 = 8;

/// The bytes of a record's data in the delta file, and in the base file.
fn data_bytes(record: &FileRecord) -> (u64, u64) {
    [record.local, record.summary]
        .iter()
        .fold((0, 0), |(in_delta, in_base), span| {
            if span.in_delta() {
                (in_delta + span.len, in_base)
            } else {
                (in_delta, in_base + span.len)
            }
        })
}

/// A section of the cache file (or of the delta) as the pieces it is made of.
struct Pieces<'p> {
    parts: Vec<&'p [u8]>,
    len: u64,
    /// The pieces make a delta's section: their spans are marked [`Span::IN_DELTA`].
    in_delta: bool,
}

impl<'p> Pieces<'p> {
    fn new(in_delta: bool) -> Self {
        Pieces {
            parts: Vec::new(),
            len: 0,
            in_delta,
        }
    }

    /// Adds `bytes` at the end; where they went.
    fn push(&mut self, bytes: &'p [u8]) -> Span {
        let span = Span {
            start: self.len | if self.in_delta { Span::IN_DELTA } else { 0 },
            len: bytes.len() as u64,
        };
        self.parts.push(bytes);
        self.len += span.len;
        span
    }

    /// Where a record's data at `span` of the `old` section goes: a delta points at data of
    /// the base where it is; anything else is copied in (`None`: not in `old`).
    fn carry(&mut self, span: Span, old: Section<'p>) -> Option<Span> {
        if self.in_delta && !span.in_delta() {
            return Some(span);
        }
        old.get(span).map(|bytes| self.push(bytes))
    }
}

pub fn link_input(analysis: &FileAnalysis) -> Option<u64> {
    link_hashes(analysis).map(|hashes| hashes.exact)
}

/// The whole-project findings `project` (by file position) moved with the code of the file
/// at `position`, whose analysis went from `old` to `new`, when its summary changed only in
/// its offsets (`relocate`), or also in calls of paths the link that made `project` did
/// nothing with (`inert`, from [`project_findings`]); `None` when the project must be
/// linked again. For the sessions that hold every analysis in memory: the language server
/// and `--watch`.
pub fn moved_with(
    project: &[Vec<Diagnostic>],
    position: usize,
    old: &FileAnalysis,
    new: &FileAnalysis,
    inert: &[u64],
) -> Option<Vec<Vec<Diagnostic>>> {
    let moved = if shape::of(&old.summary)?.hash == shape::of(&new.summary)?.hash {
        relocate::Moved::between(
            (position, &new.display_path),
            (old.summary.as_deref(), &old.line_index),
            (new.summary.as_deref(), &new.line_index),
        )?
    } else {
        moved_beyond_offsets(
            (position, &new.display_path),
            (old.summary.as_deref()?, &old.line_index),
            (new.summary.as_deref()?, &new.line_index),
            inert,
        )?
    };
    let mut project = project.to_vec();
    relocate::relocate(&mut project, &[moved]).then_some(project)
}

/// The whole-project rules' findings over `files`, and the hashes of the callee paths their
/// link did nothing with (for [`moved_with`]): for the sessions that hold every analysis in
/// memory.
pub fn project_findings(
    files: &[FileAnalysis],
    settings: &Settings,
) -> (Vec<Vec<Diagnostic>>, Vec<u64>) {
    let linked = analysis::link(files, settings);
    let findings = project_diagnostics(&linked, settings);
    (findings, inert_hashes(&linked.project))
}

/// What the link reads of a file, as two hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LinkHashes {
    /// [`link_input`]'s: the summary and the line starts up to its last offset.
    exact: u64,
    /// The summary's shape (`shape`): all of it but its offsets. Two summaries of one shape
    /// link to the same findings, at positions moved with the offsets (`relocate`).
    shape: u64,
}

impl LinkHashes {
    fn of_record(record: &FileRecord) -> Self {
        Self {
            exact: record.link,
            shape: record.shape,
        }
    }
}

fn link_hashes(analysis: &FileAnalysis) -> Option<LinkHashes> {
    with_linked_bytes(analysis, |_, hashes| hashes)
}

thread_local! {
    /// Each thread's buffer for [`with_linked_bytes`], kept between files.
    static LINKED_BYTES: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The most of that buffer a thread keeps between files: a very large file's summary is
/// not held for the rest of the run.
const KEPT_LINKED_BYTES: usize = 256 << 10;

/// `then` of a file's [`Linked`] serialized, and of its [`LinkHashes`]: the summary, and
/// the line starts up to its last offset. The link reads the line index only to turn the
/// summary's offsets into rows, so lines added or changed after them (a comment at the end)
/// link the same. The bytes are made in a buffer the thread keeps: every file's bytes are
/// compressed or dropped as soon as they are made, and a buffer grown for each file anew
/// was copied at every doubling.
fn with_linked_bytes<R>(
    analysis: &FileAnalysis,
    then: impl FnOnce(&[u8], LinkHashes) -> R,
) -> Option<R> {
    let mut bytes = LINKED_BYTES.with(|kept| std::mem::take(&mut *kept.borrow_mut()));
    bytes.clear();
    // A failure loses the buffer: the next file starts another.
    let (bytes, hashes) = serialize_linked(&analysis.summary, &analysis.line_index, bytes)?;
    let result = then(&bytes, hashes);
    if bytes.capacity() <= KEPT_LINKED_BYTES {
        LINKED_BYTES.with(|kept| *kept.borrow_mut() = bytes);
    }
    Some(result)
}

/// LZ4 `bytes` with their size prepended, decompressed, from a source not checked yet: a
/// size beyond what LZ4 can expand them to (255 times) is refused before anything is
/// allocated for it.
fn decompress_unchecked(bytes: &[u8]) -> Option<Vec<u8>> {
    let size = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
    if u64::from(size) > (bytes.len() as u64).saturating_mul(255) {
        return None;
    }
    lz4_flex::decompress_size_prepended(bytes).ok()
}

/// A summary and line index serialized as [`Linked`], and their [`LinkHashes`]
/// ([`with_linked_bytes`]).
fn serialized_linked(
    summary: &Option<Box<ModuleSummary>>,
    line_index: &LineIndex,
) -> Option<(Vec<u8>, LinkHashes)> {
    serialize_linked(summary, line_index, Vec::new())
}

/// [`serialized_linked`] appended to `bytes`.
fn serialize_linked(
    summary: &Option<Box<ModuleSummary>>,
    line_index: &LineIndex,
    bytes: Vec<u8>,
) -> Option<(Vec<u8>, LinkHashes)> {
    let start = bytes.len();
    let bytes = postcard::to_extend(summary, bytes).ok()?;
    let mut hasher = keys::hasher();
    hasher.write(&bytes[start..]);
    let shape = shape::of(summary)?;
    // Hashed in one write, as a streaming hasher's `write_u32` of each would hash them, but
    // without going through its buffering for every line.
    let lines = line_index.line_count();
    let starts: Vec<u8> = (0..lines)
        .map(|line| u32::from(line_index.line_start(line)))
        .take_while(|&start| start <= shape.extent)
        .flat_map(u32::to_ne_bytes)
        .collect();
    hasher.write(&starts);
    // A tuple serializes as its elements one after the other: this is `Linked`.
    let linked = postcard::to_extend(line_index, bytes).ok()?;
    let hashes = LinkHashes {
        exact: hasher.finish(),
        shape: shape.hash,
    };
    Some((linked, hashes))
}

/// The keys of a link over some files: of their display paths and link hashes, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LinkKey {
    /// With the exact hashes: the same key links to the same findings.
    exact: u64,
    /// With the shapes: the same key links to the same findings, moved with the files'
    /// offsets.
    shape: u64,
}

/// The key of a link over `files` (`None` when a file is not cached, and so has no hash).
fn link_key(
    files: &[FileAnalysis],
    outcomes: &[Outcome],
    records: &[FileRecord],
) -> Option<LinkKey> {
    // Each file's name key and link hash side by side, hashed at once: a hash written
    // string by string took 4 M instructions of a one-file edit on the benchmark corpus.
    let mut exact: Vec<u8> = Vec::with_capacity(files.len() * 16);
    let mut shape: Vec<u8> = Vec::with_capacity(files.len() * 16);
    for (file, outcome) in files.iter().zip(outcomes) {
        let name = match outcome {
            Outcome::Cached { at, .. } => records.get(*at).map(|record| record.name),
            Outcome::Analysed(fresh) => Some(fresh.record.name),
            Outcome::Transient { .. } | Outcome::Uncacheable { .. } => None,
        }
        .unwrap_or_else(|| name_key(&file.path));
        let hashes = outcome.link_hash()?;
        for (keys, hash) in [(&mut exact, hashes.exact), (&mut shape, hashes.shape)] {
            keys.extend_from_slice(&name.to_le_bytes());
            keys.extend_from_slice(&hash.to_le_bytes());
        }
    }
    Some(LinkKey {
        exact: hash_bytes(&exact),
        shape: hash_bytes(&shape),
    })
}

/// [`link_key`]'s key of shapes over the records as they are, one per file in order: what
/// the stored link's [`LinkRecord::shape`] is when it was made of them.
fn records_shape_key(records: &[FileRecord]) -> u64 {
    let mut shape: Vec<u8> = Vec::with_capacity(records.len() * 16);
    for record in records {
        shape.extend_from_slice(&record.name.to_le_bytes());
        shape.extend_from_slice(&record.shape.to_le_bytes());
    }
    hash_bytes(&shape)
}

/// The hashes of the callee paths `project`'s link did nothing with, sorted, each once.
fn inert_hashes(project: &crate::project::Project) -> Vec<u64> {
    let mut hashes: Vec<u64> = (0..project.modules.len())
        .into_par_iter()
        .flat_map_iter(|module| {
            project
                .inert_callees(module)
                .map(|path| hash_bytes(path.as_bytes()))
                .collect::<Vec<_>>()
        })
        .collect();
    hashes.par_sort_unstable();
    hashes.dedup();
    hashes
}

/// How the file at `position` moved from its `old` summary to its `new` one (each with its
/// line index), when the two are the same but for their offsets and the calls of the paths
/// whose hashes `inert` holds ([`ModuleSummary::without_calls_to`]): the offsets of the two
/// without those calls, paired.
fn moved_beyond_offsets(
    (position, display): (usize, &str),
    (old, old_lines): (&ModuleSummary, &LineIndex),
    (new, new_lines): (&ModuleSummary, &LineIndex),
    inert: &[u64],
) -> Option<relocate::Moved> {
    if inert.is_empty() {
        return None;
    }
    let is_inert = |path: &str| inert.binary_search(&hash_bytes(path.as_bytes())).is_ok();
    let old = copy_of(old)?.without_calls_to(is_inert);
    let new = copy_of(new)?.without_calls_to(is_inert);
    if shape::of(&old)?.hash != shape::of(&new)?.hash {
        return None;
    }
    relocate::Moved::between(
        (position, display),
        (Some(&old), old_lines),
        (Some(&new), new_lines),
    )
}

/// A summary copied through its serialized form (the summary types are not `Clone`: a copy
/// is made only here, of a file an edit changed).
fn copy_of(summary: &ModuleSummary) -> Option<ModuleSummary> {
    postcard::from_bytes(&postcard::to_allocvec(summary).ok()?).ok()
}

/// The record and data of a file just analysed, or [`Outcome::Uncacheable`].
fn fresh(
    analysis: &FileAnalysis,
    (file, module): (&SourcePath, &ModuleName),
    stamp: Option<Stamp>,
    (content, size): (u64, u64),
    lines: Option<AsciiLines>,
    spill: Option<&store::Spill>,
) -> Outcome {
    let cut_short = analysis
        .diagnostics
        .iter()
        .any(|diagnostic| diagnostic.rule == Rule::CheckIncomplete);
    if analysis.unreadable.is_some() || cut_short {
        return Outcome::Uncacheable {
            link: link_hashes(analysis),
        };
    }
    // Only where the output may need to locate a finding: a file with findings of its own,
    // or one the whole-project rules may report in.
    let located =
        !analysis.diagnostics.is_empty() || matches!(analysis.source, HeldText::Fingerprint { .. });
    let positions: Positions = lines
        .filter(|_| located && analysis.cells.is_none())
        .map(|lines| (analysis.line_index.clone(), lines));
    let local = postcard::to_allocvec(&(&analysis.diagnostics, &analysis.noqa, &analysis.cells))
        .and_then(|mut local| {
            local.extend(postcard::to_allocvec(&positions)?);
            Ok(local)
        });
    let compressed = with_linked_bytes(analysis, |linked, hashes| {
        let compressed = lz4_flex::compress_prepend_size(linked);
        let stored = match spill {
            // A spill that failed takes nothing more, and no cache file is written.
            Some(spill) => spill
                .append(&compressed)
                .map_or(LinkedBytes::Held(Box::default()), LinkedBytes::Spilled),
            None => LinkedBytes::Held(compressed.into_boxed_slice()),
        };
        (stored, hashes)
    });
    let (Ok(local), Some((linked, hashes))) = (local, compressed) else {
        return Outcome::Uncacheable { link: None };
    };
    let record = FileRecord {
        name: name_key(&file.path),
        module: module_key(module),
        stamp,
        content,
        link: hashes.exact,
        shape: hashes.shape,
        needs_text: !analysis.diagnostics.is_empty() || analysis.noqa.has_codes(),
        local: Span::default(),
        summary: Span::default(),
    };
    Outcome::Analysed(Box::new(Fresh {
        record,
        size,
        local: local.into_boxed_slice(),
        linked,
    }))
}

/// A file's checked text from its bytes (`None`: it no longer decodes).
fn text_of(file: &SourcePath, bytes: Vec<u8>) -> Option<String> {
    let text = decode_source(file, bytes).ok()?;
    checked_text(file, text).ok().map(|(text, _)| text)
}

/// The record of the file whose [`name_key`] is `name` among `records`, with its index:
/// looked for first at `position`, where it is when the set of files did not change before
/// it (both are in display order), else in a map of every record by its key, made on the
/// first miss and shared by every thread (`by_name`).
fn record_of<'r>(
    records: &'r [FileRecord],
    position: usize,
    name: u64,
    by_name: &std::sync::OnceLock<FxHashMap<u64, usize>>,
) -> Option<(usize, &'r FileRecord)> {
    if let Some(record) = records.get(position)
        && record.name == name
    {
        return Some((position, record));
    }
    let at = *by_name
        .get_or_init(|| {
            records
                .iter()
                .enumerate()
                .map(|(at, record)| (record.name, at))
                .collect()
        })
        .get(&name)?;
    Some((at, &records[at]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file's stored summary and line index, compressed as the cache file holds them.
    fn stored(summary: &Option<Box<ModuleSummary>>, line_index: &LineIndex) -> Vec<u8> {
        let (bytes, _) = serialized_linked(summary, line_index).expect("serializes");
        lz4_flex::compress_prepend_size(&bytes)
    }

    fn summary_bytes(summary: &ModuleSummary) -> Vec<u8> {
        postcard::to_allocvec(summary).expect("serializes")
    }

    #[test]
    fn a_stored_summary_is_held_with_its_position_and_the_line_index_returned() {
        let summary = Some(Box::new(ModuleSummary {
            module_name: "app.web".to_string(),
            ..ModuleSummary::default()
        }));
        let line_index = LineIndex::new("import os\n\nx = 1\n");
        let mut held = crate::parse_arena::in_arena(Vec::new);
        let mut scratch = Vec::new();
        let read = decode_linked(&stored(&summary, &line_index), &mut scratch, &mut held, 7)
            .expect("decodes");
        assert_eq!(read.line_count(), line_index.line_count());
        assert_eq!(read.line_start(2), line_index.line_start(2));
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].0, 7);
        assert_eq!(
            summary_bytes(&held[0].1),
            summary_bytes(summary.as_deref().expect("a summary"))
        );

        // A file without a summary holds nothing; the scratch buffer serves the next file.
        decode_linked(&stored(&None, &line_index), &mut scratch, &mut held, 8).expect("decodes");
        assert_eq!(held.len(), 1);
    }

    #[test]
    fn a_summary_whose_line_index_does_not_decode_is_not_held() {
        let summary = Some(Box::<ModuleSummary>::default());
        let line_index = LineIndex::new("a = 1\nb = 2\n");
        let (mut bytes, _) = serialized_linked(&summary, &line_index).expect("serializes");
        // The summary whole, the line index cut short: the file is analysed again, and the
        // summary read here must not stand in for the new one.
        bytes.truncate(bytes.len() - 2);
        let mut held = crate::parse_arena::in_arena(Vec::new);
        let mut scratch = Vec::new();
        let compressed = lz4_flex::compress_prepend_size(&bytes);
        assert!(decode_linked(&compressed, &mut scratch, &mut held, 3).is_none());
        assert!(held.is_empty());
        // Bytes that are no LZ4 block at all.
        assert!(decode_linked(&[0xFF; 9], &mut scratch, &mut held, 4).is_none());
        assert!(held.is_empty());
    }
}
