//! The walk, kept between runs: the files a walk found and their module names, with a stamp
//! of everything that decided them, so that a run where nothing of it changed neither walks
//! the tree nor names its modules again. On the benchmark corpus (15,512 files in 2,861
//! directories) the walk and the naming were most of a cached run's time before its first
//! file was looked at; checking the stamps is a `stat` per directory.
//!
//! What decides a walk's result, and how a later run sees that it changed:
//! - **the entries of every directory it read, and of every directory above a file** (an
//!   `__init__.py` there makes a package, which changes the file's module name): a
//!   directory's modification time changes whenever an entry is added to it, removed from it
//!   or renamed in it. A file edited in place leaves its directory as it was, and need not
//!   change the walk: the cache compares each file's own stamp, as before. A file saved
//!   the way many editors save (a new file written, then renamed over the old one) changes
//!   its directory's stamp but not what the walk sees of it: so each directory also has a
//!   hash of what a walk sees of its entries ([`listing_of`]), and a directory whose stamp
//!   changed still holds when that hash is unchanged (one `readdir`, not a walk).
//! - **the ignore files the walk honours**: `.gitignore` and `.ignore` in those directories
//!   and in every directory above the paths given, a repository's `.git/info/exclude`, and
//!   the global excludes file that git's configuration names. Each one found is stamped; one
//!   created later changes its directory's stamp.
//! - **the settings, the paths given, the working directory and the build**: the record's
//!   file is named after the first three, as the cache file is, and holds the build's id.
//!
//! A record is written only when it can be trusted: the walk met no error, no directory or
//! ignore file was modified within [`keys::Stamp`]'s racy window, and no `.git` is a file (a
//! worktree, whose excludes live elsewhere). A record that cannot be read, is cut short or
//! fails its checksum is ignored, and the tree is walked.

use std::borrow::Cow;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::analysis;
use crate::discovery::module_name::{self, ModuleName};
use crate::discovery::{self, Discovered, Skipped, SourcePath};
use crate::project::roots::ProjectRoots;
use crate::settings::{Settings, absolutize};

use super::keys::{self, BUILD_ID, Stamp};

const MAGIC: &[u8; 8] = b"LWWALK\0\0";
/// Magic, then the payload's length and checksum.
const PREAMBLE: usize = 8 + 8 + 8;

/// The files under `paths`, their module names and the project's top-level names: from the
/// record at `record_file` when nothing that decided them has changed since it was written,
/// else walked and named (and recorded for the next run). The last value says whether the
/// record was used.
pub fn discover(
    paths: &[PathBuf],
    settings: &Settings,
    record_file: &Path,
) -> (Discovered, Vec<ModuleName>, ProjectRoots, bool) {
    let now = SystemTime::now();
    let global_excludes = global_excludes();
    if let Some(stored) = read(record_file)
        && let Ok(record) = postcard::from_bytes::<Record>(&stored[PREAMBLE..])
        && record.build == BUILD_ID
        && record.given == given_bytes(paths)
        && record.global_excludes == global_excludes
        && let Some(stamped) = record.directories()
        && record.still_holds(&stamped)
        && let Some((discovered, modules, roots)) = record.walk_found(stamped)
    {
        return (discovered, modules, ProjectRoots::from_names(roots), true);
    }
    let discovered = discovery::discover(paths, settings);
    let modules = analysis::name_modules(&discovered.files);
    let roots = ProjectRoots::of(&modules);
    if let Some(record) = Record::of(paths, &discovered, (&modules, &roots), global_excludes, now) {
        // A record that cannot be written costs the next run a walk, nothing more.
        let _ = write(record_file, &record);
    }
    (discovered, modules, roots, false)
}

/// A path as stored: its bytes as the platform encodes them (as a byte string, not a
/// sequence of `u8`s: the same bytes in the file, decoded as one copy instead of an element
/// at a time).
type PathBytes = serde_bytes::ByteBuf;

/// Bytes stored as one byte string: borrowed from the record's file when read (not copied
/// until they are made into what a run uses), owned when written. (A field of this type
/// needs `with = "serde_bytes"` to be borrowed: serde's own `Cow` always copies.)
type Blob<'a> = Cow<'a, [u8]>;

/// The record. Its many short strings (a path, a display name, a module name and aliases a
/// file: 60,000 on the benchmark corpus) are stored in columns ([`Column`]) rather than one
/// by one: decoded one by one, each was a length, an allocation and a UTF-8 check, and a
/// cached run spent 27 M instructions (10 % of its total) reading the record.
#[derive(serde::Serialize, serde::Deserialize)]
struct Record<'a> {
    build: String,
    /// The paths as given: the files' display names are made from them (`app.py` and
    /// `/home/me/app.py` share the record's file, named after the absolute paths).
    given: Vec<PathBytes>,
    /// Where git's configuration puts the global excludes file, and its stamp.
    global_excludes: Option<GlobalExcludes>,
    /// Every directory whose entries decided the walk or a module name, and (apart, in the
    /// same order, [`DIRECTORY_BYTES`] each) their stamps and listings ([`listing_of`]).
    #[serde(borrow)]
    directories: Column<'a>,
    #[serde(borrow, with = "serde_bytes")]
    directory_stamps: Blob<'a>,
    /// The ignore files in those directories and above the paths given: what each was.
    probes: Vec<(PathBytes, Probe)>,
    #[serde(borrow)]
    files: RecordedFiles<'a>,
    /// The top-level names of the files' modules ([`ProjectRoots::sorted`]): read from
    /// every module name and alias, they took a cached run 5 % of its instructions.
    #[serde(borrow)]
    roots: Column<'a>,
    skipped: Vec<(String, String)>,
}

/// The files found and their module names, a column each.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct RecordedFiles<'a> {
    /// Each file's display name.
    #[serde(borrow)]
    displays: Column<'a>,
    /// Each file's path: when it ends with the file's display name (as it does unless it
    /// is not UTF-8), only what comes before it (`./`, or nothing), else all of it. A
    /// third of the record, stored twice before.
    #[serde(borrow)]
    path_heads: Column<'a>,
    /// A byte a file: [`IS_PACKAGE`], [`PATH_ENDS_WITH_DISPLAY`].
    #[serde(borrow, with = "serde_bytes")]
    flags: Blob<'a>,
    #[serde(borrow)]
    modules: Column<'a>,
    /// Every file's aliases, one file's after the other's.
    #[serde(borrow)]
    aliases: Column<'a>,
    /// For each file, how many aliases of `aliases` there are up to the end of its own
    /// (`u32`s, little-endian).
    #[serde(borrow, with = "serde_bytes")]
    alias_ends: Blob<'a>,
}

/// The file is a package's `__init__`.
const IS_PACKAGE: u8 = 1;
/// The file's path is its entry of `path_heads` followed by its display name.
const PATH_ENDS_WITH_DISPLAY: u8 = 2;

/// Byte strings stored as one: their bytes end to end, and where each ends (`u32`s,
/// little-endian). Read, that is two copies-free borrows, one UTF-8 check for all (when they
/// are text), and a slice each.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Column<'a> {
    #[serde(borrow, with = "serde_bytes")]
    joined: Blob<'a>,
    #[serde(borrow, with = "serde_bytes")]
    ends: Blob<'a>,
}

impl Column<'_> {
    /// Adds `entry`; `None` when the column would outgrow its `u32` ends.
    fn push(&mut self, entry: &[u8]) -> Option<()> {
        let joined = self.joined.to_mut();
        joined.extend_from_slice(entry);
        let end = u32::try_from(joined.len()).ok()?;
        self.ends.to_mut().extend_from_slice(&end.to_le_bytes());
        Some(())
    }

    /// How many entries the column holds (`None`: its ends are cut short).
    fn count(&self) -> Option<usize> {
        self.ends
            .len()
            .is_multiple_of(4)
            .then_some(self.ends.len() / 4)
    }

    /// The entries, one after the other.
    fn entries(&self) -> Entries<'_, [u8]> {
        Entries::new(&self.joined, &self.ends)
    }

    /// The entries as text; `None` when the column is not UTF-8 (checked once for all).
    fn texts(&self) -> Option<Entries<'_, str>> {
        Some(Entries::new(
            std::str::from_utf8(&self.joined).ok()?,
            &self.ends,
        ))
    }
}

/// What a column's entries are cut from: bytes, or text (whose pieces must not cut a
/// character).
trait Joined {
    fn piece(&self, range: std::ops::Range<usize>) -> Option<&Self>;
}

impl Joined for [u8] {
    #[inline]
    fn piece(&self, range: std::ops::Range<usize>) -> Option<&Self> {
        self.get(range)
    }
}

impl Joined for str {
    #[inline]
    fn piece(&self, range: std::ops::Range<usize>) -> Option<&Self> {
        self.get(range)
    }
}

/// A column's entries, read one after the other.
struct Entries<'c, T: ?Sized> {
    joined: &'c T,
    ends: std::slice::ChunksExact<'c, u8>,
    start: usize,
}

impl<'c, T: Joined + ?Sized> Entries<'c, T> {
    fn new(joined: &'c T, ends: &'c [u8]) -> Self {
        Self {
            joined,
            ends: ends.chunks_exact(4),
            start: 0,
        }
    }

    /// The next entry; `None` past the last, or when its end is before its start, past the
    /// bytes or inside a character (a record that is not whole: the checksum makes that
    /// rare, and it is not read). Always inlined: called 75,000 times on the benchmark
    /// corpus, it was not, and its calls cost as much as its work.
    #[inline(always)]
    fn next_entry(&mut self) -> Option<&'c T> {
        let end = end_at(self.ends.next()?);
        let entry = self.joined.piece(self.start..end)?;
        self.start = end;
        Some(entry)
    }
}

/// A stamp as stored: its size (`u64`), then its time (`u128`), little-endian.
const STAMP_BYTES: usize = 8 + 16;

/// A directory's stamp as stored, then its listing ([`listing_of`], a `u64`, little-endian).
const DIRECTORY_BYTES: usize = STAMP_BYTES + 8;

/// What a walk sees of the entries of `dir`, hashed: the name and kind of each
/// subdirectory, of each entry with a Python file's name (a file, or what the walk skips and
/// lists), and of each ignore file or `.git`, in name order. Other entries (an editor's
/// swap and backup files, a save's temporary file) change nothing a walk finds. `None` when
/// the directory cannot be read.
fn listing_of(dir: &Path) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let mut seen: Vec<(OsString, u8)> = Vec::new();
    for entry in std::fs::read_dir(dir).ok()? {
        let entry = entry.ok()?;
        let kind = entry.file_type().ok()?;
        let name = entry.file_name();
        let seen_by_walk = kind.is_dir()
            || discovery::is_python_file(Path::new(&name))
            || [".gitignore", ".ignore", ".git"].contains(&name.to_str().unwrap_or(""));
        if seen_by_walk {
            let kind = if kind.is_dir() {
                1
            } else if kind.is_file() {
                2
            } else if kind.is_symlink() {
                3
            } else {
                4
            };
            seen.push((name, kind));
        }
    }
    seen.sort_unstable();
    let mut hasher = keys::hasher();
    for (name, kind) in &seen {
        name.as_encoded_bytes().hash(&mut hasher);
        kind.hash(&mut hasher);
    }
    Some(hasher.finish())
}

fn stamp_at(bytes: &[u8]) -> Stamp {
    let (size, modified) = bytes.split_at(8);
    Stamp {
        size: u64::from_le_bytes(size.try_into().unwrap_or_default()),
        modified: u128::from_le_bytes(modified.try_into().unwrap_or_default()),
    }
}

/// An end as stored: a `u32`, little-endian.
#[inline(always)]
fn end_at(bytes: &[u8]) -> usize {
    u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize
}

impl Record<'_> {
    /// The record of a walk, when it can be trusted by a later run.
    fn of(
        paths: &[PathBuf],
        discovered: &Discovered,
        (modules, roots): (&[ModuleName], &ProjectRoots),
        global_excludes: Option<GlobalExcludes>,
        now: SystemTime,
    ) -> Option<Self> {
        if !discovered.errors.is_empty() || !discovered.unreadable.is_empty() {
            return None;
        }
        if global_excludes
            .as_ref()
            .is_some_and(|global| global.exists && global.stamp.is_none())
        {
            return None;
        }
        let (directories, above) = decisive_directories(paths, discovered);
        // Listed before they are stamped: a directory changed after the walk has a time
        // within the racy window of `now`, which no stamp is taken with, so no listing of
        // a later state can stand for the walk's.
        let listings: Vec<u64> = directories
            .par_iter()
            .map(|dir| listing_of(dir))
            .collect::<Option<_>>()?;
        let stamps: Vec<Stamp> = directories
            .par_iter()
            .map(|dir| Stamp::of(&std::fs::metadata(dir).ok()?, now))
            .collect::<Option<_>>()?;
        // In a directory read, an ignore file created later changes the directory's stamp:
        // only those there now are probed. Above the paths given, every place one may be.
        let probes: Vec<Vec<(PathBytes, Probe)>> = directories
            .par_iter()
            .map(|dir| (dir.clone(), false))
            .chain(above.into_par_iter().map(|dir| (dir, true)))
            .map(|(dir, every)| ignore_probes(&dir, every, now))
            .collect::<Option<_>>()?;
        let mut directory_column = Column::default();
        let mut directory_stamps = Vec::with_capacity(stamps.len() * DIRECTORY_BYTES);
        for ((dir, stamp), listing) in directories.iter().zip(&stamps).zip(&listings) {
            directory_column.push(dir.as_os_str().as_encoded_bytes())?;
            directory_stamps.extend_from_slice(&stamp.size.to_le_bytes());
            directory_stamps.extend_from_slice(&stamp.modified.to_le_bytes());
            directory_stamps.extend_from_slice(&listing.to_le_bytes());
        }
        let mut roots_column = Column::default();
        for root in roots.sorted() {
            roots_column.push(root.as_bytes())?;
        }
        Some(Self {
            build: BUILD_ID.to_string(),
            given: given_bytes(paths),
            global_excludes,
            directories: directory_column,
            directory_stamps: Cow::Owned(directory_stamps),
            probes: probes.into_iter().flatten().collect(),
            files: RecordedFiles::of(&discovered.files, modules)?,
            roots: roots_column,
            skipped: discovered
                .skipped
                .iter()
                .map(|skipped| (skipped.display.clone(), skipped.kind.clone()))
                .collect(),
        })
    }

    /// The directories, each with its stamp and listing (`None`: the columns do not agree).
    fn directories(&self) -> Option<Vec<(&Path, Stamp, u64)>> {
        let stamps = self.directory_stamps.chunks_exact(DIRECTORY_BYTES);
        if self.directories.count()? != stamps.len() || !stamps.remainder().is_empty() {
            return None;
        }
        let mut paths = self.directories.entries();
        stamps
            .map(|stored| {
                let (stamp, listing) = stored.split_at(STAMP_BYTES);
                let listing = u64::from_le_bytes(listing.try_into().ok()?);
                Some((path_at(paths.next_entry()?), stamp_at(stamp), listing))
            })
            .collect()
    }

    /// Whether every directory of `stamped` ([`Record::directories`]) still carries its
    /// stamp, or at least its listing, and every ignore file probed is still what it was.
    fn still_holds(&self, stamped: &[(&Path, Stamp, u64)]) -> bool {
        let directories = || {
            stamped.par_iter().all(|(path, stamp, listing)| {
                std::fs::metadata(path).is_ok_and(|metadata| stamp.matches(&metadata))
                    || listing_of(path) == Some(*listing)
            })
        };
        let probes = || {
            self.probes.par_iter().all(|(path, probe)| {
                Probe::at(path_at(path), SystemTime::now()).as_ref() == Some(probe)
            })
        };
        let (directories, probes) = rayon::join(directories, probes);
        directories && probes
    }

    /// What the walk found (its directories are `stamped`, [`Record::directories`]), the
    /// files' module names and the project's top-level names (`None`: the record's columns
    /// do not agree).
    fn walk_found(
        &self,
        stamped: Vec<(&Path, Stamp, u64)>,
    ) -> Option<(Discovered, Vec<ModuleName>, Vec<String>)> {
        let directories = stamped
            .into_iter()
            .map(|(path, _, _)| path.to_path_buf())
            .collect();
        let (files, modules) = self.files.found()?;
        let discovered = Discovered {
            files,
            // Copied: the directories borrow the record (entries skipped are few: FIFOs,
            // sockets, links not followed).
            skipped: self
                .skipped
                .iter()
                .map(|(display, kind)| Skipped {
                    display: display.clone(),
                    kind: kind.clone(),
                })
                .collect(),
            directories,
            ..Discovered::default()
        };
        let mut roots = self.roots.texts()?;
        let roots = (0..self.roots.count()?)
            .map(|_| roots.next_entry().map(str::to_string))
            .collect::<Option<_>>()?;
        Some((discovered, modules, roots))
    }
}

impl RecordedFiles<'_> {
    /// The columns of `files` and their `modules`; `None` when one would outgrow its
    /// `u32` ends.
    fn of(files: &[SourcePath], modules: &[ModuleName]) -> Option<Self> {
        let mut columns = Self::default();
        let mut flags = Vec::with_capacity(files.len());
        let mut alias_ends = Vec::with_capacity(files.len() * 4);
        let mut alias_count: u32 = 0;
        for (file, module) in files.iter().zip(modules) {
            let path = file.path.as_os_str().as_encoded_bytes();
            let head = path.strip_suffix(file.display.as_bytes());
            columns.displays.push(file.display.as_bytes())?;
            columns.path_heads.push(head.unwrap_or(path))?;
            columns.modules.push(module.name.as_bytes())?;
            for alias in &module.aliases {
                columns.aliases.push(alias.as_bytes())?;
            }
            alias_count = alias_count.checked_add(u32::try_from(module.aliases.len()).ok()?)?;
            alias_ends.extend_from_slice(&alias_count.to_le_bytes());
            let mut flag = 0;
            if module.is_package {
                flag |= IS_PACKAGE;
            }
            if head.is_some() {
                flag |= PATH_ENDS_WITH_DISPLAY;
            }
            flags.push(flag);
        }
        columns.flags = Cow::Owned(flags);
        columns.alias_ends = Cow::Owned(alias_ends);
        Some(columns)
    }

    /// The files and their module names, each string allocated once at its size (`None`:
    /// the columns do not agree).
    fn found(&self) -> Option<(Vec<SourcePath>, Vec<ModuleName>)> {
        let count = self.flags.len();
        let counts = [
            self.displays.count()?,
            self.path_heads.count()?,
            self.modules.count()?,
            self.alias_ends.len(),
        ];
        if counts != [count, count, count, count * 4] {
            return None;
        }
        let mut displays = self.displays.texts()?;
        let mut heads = self.path_heads.entries();
        let mut names = self.modules.texts()?;
        let mut aliases = self.aliases.texts()?;
        let mut files = Vec::with_capacity(count);
        let mut modules = Vec::with_capacity(count);
        let alias_total = self.aliases.count()?;
        let mut aliases_taken = 0;
        for (&flag, alias_end) in self.flags.iter().zip(self.alias_ends.chunks_exact(4)) {
            let display = displays.next_entry()?;
            let head = heads.next_entry()?;
            let path = if flag & PATH_ENDS_WITH_DISPLAY != 0 {
                let mut path = Vec::with_capacity(head.len() + display.len());
                path.extend_from_slice(head);
                path.extend_from_slice(display.as_bytes());
                path
            } else {
                head.to_vec()
            };
            // A count past the aliases stored is caught before it is allocated for.
            let alias_end = end_at(alias_end);
            let alias_count = alias_end.checked_sub(aliases_taken)?;
            if alias_end > alias_total {
                return None;
            }
            let mut own_aliases = Vec::with_capacity(alias_count);
            for _ in 0..alias_count {
                own_aliases.push(aliases.next_entry()?.to_string());
            }
            aliases_taken = alias_end;
            files.push(SourcePath {
                path: path_from(path),
                display: display.to_string(),
                seen_regular: false,
            });
            modules.push(ModuleName {
                name: names.next_entry()?.to_string(),
                is_package: flag & IS_PACKAGE != 0,
                aliases: own_aliases,
            });
        }
        Some((files, modules))
    }
}

/// The directories whose entries decided the walk: those it read, and those above every
/// file it found as far as the module namer looks (up to the first that is not a package:
/// an `__init__.py` made there changes its stamp); then, apart, every directory above the
/// paths given, whose ignore files the walk reads (their own stamps change with any file
/// made in them, as the temporary directory's do all the time: they are not stamped).
fn decisive_directories(
    paths: &[PathBuf],
    discovered: &Discovered,
) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut seen: FxHashSet<&Path> = FxHashSet::default();
    let mut directories: Vec<PathBuf> = Vec::new();
    for dir in &discovered.directories {
        if seen.insert(dir) {
            directories.push(dir.clone());
        }
    }
    // A file given by name is not walked for: the directory that holds it says whether it
    // is still there (a run that finds it gone says so, as a walk would).
    let holders: Vec<PathBuf> = paths
        .iter()
        .filter(|given| !given.is_dir())
        .map(|given| match given.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        })
        .collect();
    for dir in &holders {
        if seen.insert(dir) {
            directories.push(dir.clone());
        }
    }
    for file in &discovered.files {
        for dir in file.path.ancestors().skip(1) {
            if dir.file_name().is_none() {
                break;
            }
            if seen.insert(dir) {
                directories.push(dir.to_path_buf());
            }
            if !module_name::has_init_file(dir) {
                break;
            }
        }
    }
    let mut above: FxHashSet<PathBuf> = FxHashSet::default();
    for given in paths {
        let canonical = std::fs::canonicalize(given).unwrap_or_else(|_| absolutize(given));
        for dir in canonical.ancestors().skip(1) {
            if !above.insert(dir.to_path_buf()) {
                break;
            }
        }
    }
    (directories, above.into_iter().collect())
}

/// What an ignore file's place held.
#[derive(Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Probe {
    Absent,
    /// A directory (`.git`): whether it is there is what counts, not its stamp, which
    /// every commit changes.
    Directory,
    File(Stamp),
}

impl Probe {
    /// What `path` holds (`None`: a file modified within the racy window of `now`).
    fn at(path: &Path, now: SystemTime) -> Option<Self> {
        match std::fs::metadata(path) {
            Err(_) => Some(Self::Absent),
            Ok(metadata) if metadata.is_dir() => Some(Self::Directory),
            Ok(metadata) => Stamp::of(&metadata, now).map(Self::File),
        }
    }
}

/// The probes of the ignore files of `dir`: of those there (or, with `every`, of every place
/// one may be); `None` when one cannot be trusted (modified within the racy window, or a
/// `.git` file, a worktree whose excludes live elsewhere).
fn ignore_probes(dir: &Path, every: bool, now: SystemTime) -> Option<Vec<(PathBytes, Probe)>> {
    let mut probes = Vec::new();
    let mut probe = |path: PathBuf| -> Option<Probe> {
        let found = Probe::at(&path, now)?;
        if every || found != Probe::Absent {
            probes.push((bytes_of(&path), found));
        }
        Some(found)
    };
    probe(dir.join(".gitignore"))?;
    probe(dir.join(".ignore"))?;
    let git = dir.join(".git");
    if std::fs::symlink_metadata(&git).is_ok_and(|metadata| !metadata.is_dir()) {
        return None;
    }
    if probe(git)? == Probe::Directory {
        // An exclude file made later: probed where it is absent too.
        let exclude = dir.join(".git/info/exclude");
        let found = Probe::at(&exclude, now)?;
        probes.push((bytes_of(&exclude), found));
    }
    Some(probes)
}

/// The global excludes file, as the walk finds it.
#[derive(PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct GlobalExcludes {
    path: PathBytes,
    exists: bool,
    /// `None` when it does not exist, or was modified within the racy window.
    stamp: Option<Stamp>,
}

/// Where git's configuration puts the global excludes file (read anew each run, as the walk
/// does), and its stamp.
fn global_excludes() -> Option<GlobalExcludes> {
    let path = ignore::gitignore::gitconfig_excludes_path()?;
    let metadata = std::fs::metadata(&path).ok();
    Some(GlobalExcludes {
        path: bytes_of(&path),
        exists: metadata.is_some(),
        stamp: metadata.and_then(|metadata| Stamp::of(&metadata, SystemTime::now())),
    })
}

fn given_bytes(paths: &[PathBuf]) -> Vec<PathBytes> {
    paths.iter().map(|path| bytes_of(path)).collect()
}

fn bytes_of(path: &Path) -> PathBytes {
    path.as_os_str().as_encoded_bytes().to_vec().into()
}

fn path_at(bytes: &[u8]) -> &Path {
    // SAFETY: the bytes were made by `as_encoded_bytes` on this platform, by this build
    // (the record carries the build's id, and a record that fails its checksum is not read).
    Path::new(unsafe { OsStr::from_encoded_bytes_unchecked(bytes) })
}

fn path_from(bytes: Vec<u8>) -> PathBuf {
    // SAFETY: as in `path_at`.
    PathBuf::from(unsafe { OsString::from_encoded_bytes_unchecked(bytes) })
}

fn write(path: &Path, record: &Record) -> std::io::Result<()> {
    let payload = postcard::to_allocvec(record).map_err(std::io::Error::other)?;
    let mut preamble = Vec::with_capacity(PREAMBLE);
    preamble.extend_from_slice(MAGIC);
    preamble.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    preamble.extend_from_slice(&keys::hash_bytes(&payload).to_le_bytes());
    if let Some(directory) = path.parent() {
        std::fs::create_dir_all(directory)?;
    }
    super::store::write_atomically(path, &[&preamble, &payload])
}

/// The record's file, when it is whole: its payload starts at [`PREAMBLE`].
fn read(path: &Path) -> Option<Vec<u8>> {
    let bytes = std::fs::read(path).ok()?;
    let (preamble, payload) = bytes.split_at_checked(PREAMBLE)?;
    let (magic, rest) = preamble.split_at(MAGIC.len());
    let (len, sum) = rest.split_at(8);
    let whole = magic == MAGIC
        && u64::from_le_bytes(len.try_into().ok()?) == payload.len() as u64
        && u64::from_le_bytes(sum.try_into().ok()?) == keys::hash_bytes(payload);
    whole.then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(name: &str, is_package: bool, aliases: &[&str]) -> ModuleName {
        ModuleName {
            name: name.to_string(),
            is_package,
            aliases: aliases.iter().map(|alias| alias.to_string()).collect(),
        }
    }

    fn source(path: PathBuf, display: &str) -> SourcePath {
        SourcePath {
            path,
            display: display.to_string(),
            seen_regular: false,
        }
    }

    /// Files of every shape the columns store apart: a path that is its display name, one
    /// with `./` before it, one that does not end with it, none to three aliases, a package.
    fn files() -> (Vec<SourcePath>, Vec<ModuleName>) {
        let mut files = vec![
            source(
                PathBuf::from("/home/me/app/__init__.py"),
                "/home/me/app/__init__.py",
            ),
            source(PathBuf::from("./app/db.py"), "app/db.py"),
            source(PathBuf::from("lib/é.py"), "shown elsewhere"),
            source(PathBuf::from("main.py"), "main.py"),
        ];
        let mut modules = vec![
            module("app", true, &["me.app"]),
            module("app.db", false, &[]),
            module("lib.é", false, &["a.b.c", "b.c", "c.d"]),
            module("main", false, &[]),
        ];
        #[cfg(unix)]
        {
            // Not UTF-8: its display name is lossy, and the path is stored whole.
            let path = PathBuf::from(<OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(
                b"./odd\xff.py",
            ));
            let display = discovery::display_name(&path);
            files.push(source(path, &display));
            modules.push(module("odd", false, &["x.odd"]));
        }
        (files, modules)
    }

    fn stored(columns: &RecordedFiles) -> Vec<u8> {
        postcard::to_allocvec(columns).expect("serialized")
    }

    fn shown(files: &[SourcePath]) -> Vec<(&Path, &str)> {
        files
            .iter()
            .map(|file| (file.path.as_path(), file.display.as_str()))
            .collect()
    }

    #[test]
    fn files_read_back_as_recorded() {
        let (files, modules) = files();
        let bytes = stored(&RecordedFiles::of(&files, &modules).expect("columns"));
        let read: RecordedFiles = postcard::from_bytes(&bytes).expect("read");
        // Borrowed from the bytes read, not copied.
        assert!(matches!(read.displays.joined, Cow::Borrowed(_)));
        let (read_files, read_modules) = read.found().expect("whole");
        assert_eq!(shown(&read_files), shown(&files));
        assert_eq!(read_modules, modules);
        // Made at their size: no spare capacity kept for the rest of the run.
        for (file, module) in read_files.iter().zip(&read_modules) {
            assert_eq!(file.display.capacity(), file.display.len());
            assert_eq!(module.aliases.capacity(), module.aliases.len());
        }
    }

    #[test]
    fn a_path_that_ends_with_its_display_name_is_stored_once() {
        let (files, modules) = files();
        let columns = RecordedFiles::of(&files, &modules).expect("columns");
        let heads: Vec<&[u8]> = {
            let mut heads = columns.path_heads.entries();
            (0..3).map(|_| heads.next_entry().expect("entry")).collect()
        };
        assert_eq!(heads, [&b""[..], b"./", b"lib/\xc3\xa9.py"]);
        assert_eq!(
            &columns.flags[..3],
            [
                IS_PACKAGE | PATH_ENDS_WITH_DISPLAY,
                PATH_ENDS_WITH_DISPLAY,
                0
            ]
        );
    }

    /// Columns damaged in a way a checksum would not tell (a record made by a faulty
    /// writer): each is refused rather than read wrong or allowed to allocate without bound.
    #[test]
    fn columns_that_do_not_agree_are_not_read() {
        let (files, modules) = files();
        let whole = RecordedFiles::of(&files, &modules).expect("columns");
        fn set_end(column: &mut Column, index: usize, end: u32) {
            column.ends.to_mut()[index * 4..index * 4 + 4].copy_from_slice(&end.to_le_bytes());
        }
        let damages: [fn(&mut RecordedFiles); 8] = [
            |files| {
                files.flags.to_mut().pop();
            },
            |files| {
                files.modules.ends.to_mut().pop();
            },
            |files| {
                let past = files.displays.joined.len() as u32 + 1;
                set_end(&mut files.displays, 3, past);
            },
            // Before the entry's start.
            |files| set_end(&mut files.modules, 2, 1),
            // Inside `é`, two bytes.
            |files| set_end(&mut files.modules, 2, 14),
            |files| files.displays.joined.to_mut().push(0xff),
            |files| {
                files.alias_ends.to_mut()[..4].copy_from_slice(&u32::MAX.to_le_bytes());
            },
            |files| {
                let last = files.alias_ends.len() - 4;
                files.alias_ends.to_mut()[last..].copy_from_slice(&0u32.to_le_bytes());
            },
        ];
        let bytes = stored(&whole);
        for (index, damage) in damages.iter().enumerate() {
            let mut read: RecordedFiles = postcard::from_bytes(&bytes).expect("read");
            damage(&mut read);
            assert!(read.found().is_none(), "damage {index}");
        }
    }

    #[test]
    fn stamps_read_back_as_recorded() {
        let stamp = Stamp {
            size: 4096,
            modified: 1_796_183_187_976_820_272,
        };
        let mut bytes = stamp.size.to_le_bytes().to_vec();
        bytes.extend_from_slice(&stamp.modified.to_le_bytes());
        assert_eq!(bytes.len(), STAMP_BYTES);
        assert_eq!(stamp_at(&bytes), stamp);
    }

    /// A record of this build whose checksum holds but whose columns do not agree: the run
    /// walks, and finds what a walk finds.
    #[test]
    fn a_whole_record_whose_columns_do_not_agree_is_ignored() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let given = vec![dir.path().join("project")];
        std::fs::create_dir_all(&given[0]).expect("project");
        std::fs::write(given[0].join("app.py"), "").expect("file");
        let record_file = dir.path().join("record.walk");
        let (files, modules) = files();
        let mut columns = RecordedFiles::of(&files, &modules).expect("columns");
        columns.flags.to_mut().pop();
        let record = Record {
            build: BUILD_ID.to_string(),
            given: given_bytes(&given),
            global_excludes: global_excludes(),
            directories: Column::default(),
            directory_stamps: Cow::Owned(Vec::new()),
            probes: Vec::new(),
            files: columns,
            roots: Column::default(),
            skipped: Vec::new(),
        };
        write(&record_file, &record).expect("written");
        let (found, _, _, reused) = discover(&given, &Settings::default(), &record_file);
        assert!(!reused);
        let displays: Vec<&str> = found
            .files
            .iter()
            .map(|file| file.display.as_str())
            .collect();
        assert_eq!(displays, [given[0].join("app.py").display().to_string()]);
    }
}
