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
//!   change the walk: the cache compares each file's own stamp, as before.
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

use std::ffi::OsStr;
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
    if let Some(mut record) = read(record_file)
        && record.build == BUILD_ID
        && record.given == given_bytes(paths)
        && record.global_excludes == global_excludes
        && record.still_holds()
    {
        let roots = ProjectRoots::from_names(std::mem::take(&mut record.roots));
        let (discovered, modules) = record.into_found();
        return (discovered, modules, roots, true);
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

#[derive(serde::Serialize, serde::Deserialize)]
struct Record {
    build: String,
    /// The paths as given: the files' display names are made from them (`app.py` and
    /// `/home/me/app.py` share the record's file, named after the absolute paths).
    given: Vec<PathBytes>,
    /// Where git's configuration puts the global excludes file, and its stamp.
    global_excludes: Option<GlobalExcludes>,
    /// Every directory whose entries decided the walk or a module name.
    directories: Vec<(PathBytes, Stamp)>,
    /// The ignore files in those directories and above the paths given: what each was.
    probes: Vec<(PathBytes, Probe)>,
    files: Vec<RecordedFile>,
    /// The top-level names of the files' modules ([`ProjectRoots::sorted`]): read from
    /// every module name and alias, they took a cached run 5 % of its instructions.
    roots: Vec<String>,
    skipped: Vec<(String, String)>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct RecordedFile {
    path: PathBytes,
    display: String,
    module: String,
    is_package: bool,
    aliases: Vec<String>,
}

impl Record {
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
        let directories: Vec<(PathBytes, Stamp)> = directories
            .par_iter()
            .map(|dir| {
                let metadata = std::fs::metadata(dir).ok()?;
                Some((bytes_of(dir), Stamp::of(&metadata, now)?))
            })
            .collect::<Option<_>>()?;
        // In a directory read, an ignore file created later changes the directory's stamp:
        // only those there now are probed. Above the paths given, every place one may be.
        let probes: Vec<Vec<(PathBytes, Probe)>> = directories
            .par_iter()
            .map(|(dir, _)| (path_of(dir), false))
            .chain(above.into_par_iter().map(|dir| (dir, true)))
            .map(|(dir, every)| ignore_probes(&dir, every, now))
            .collect::<Option<_>>()?;
        let files = discovered
            .files
            .iter()
            .zip(modules)
            .map(|(file, module)| RecordedFile {
                path: bytes_of(&file.path),
                display: file.display.clone(),
                module: module.name.clone(),
                is_package: module.is_package,
                aliases: module.aliases.clone(),
            })
            .collect();
        Some(Self {
            build: BUILD_ID.to_string(),
            given: given_bytes(paths),
            global_excludes,
            directories,
            probes: probes.into_iter().flatten().collect(),
            files,
            roots: roots.sorted().into_iter().map(str::to_string).collect(),
            skipped: discovered
                .skipped
                .iter()
                .map(|skipped| (skipped.display.clone(), skipped.kind.clone()))
                .collect(),
        })
    }

    /// Whether every directory still carries its stamp, and every ignore file probed is
    /// still what it was.
    fn still_holds(&self) -> bool {
        let directories = || {
            self.directories.par_iter().all(|(path, stamp)| {
                std::fs::metadata(path_of(path)).is_ok_and(|metadata| stamp.matches(&metadata))
            })
        };
        let probes = || {
            self.probes.par_iter().all(|(path, probe)| {
                Probe::at(&path_of(path), SystemTime::now()).as_ref() == Some(probe)
            })
        };
        let (directories, probes) = rayon::join(directories, probes);
        directories && probes
    }

    fn into_found(self) -> (Discovered, Vec<ModuleName>) {
        let (files, modules) = self
            .files
            .into_iter()
            .map(|file| {
                (
                    SourcePath {
                        path: path_of(&file.path),
                        display: file.display,
                    },
                    ModuleName {
                        name: file.module,
                        is_package: file.is_package,
                        aliases: file.aliases,
                    },
                )
            })
            .unzip();
        let discovered = Discovered {
            files,
            skipped: self
                .skipped
                .into_iter()
                .map(|(display, kind)| Skipped { display, kind })
                .collect(),
            directories: self
                .directories
                .into_iter()
                .map(|(path, _)| path_of(&path))
                .collect(),
            ..Discovered::default()
        };
        (discovered, modules)
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

fn path_of(bytes: &[u8]) -> PathBuf {
    // SAFETY: the bytes were made by `as_encoded_bytes` on this platform, by this build
    // (the record carries the build's id, and a record that fails its checksum is not read).
    PathBuf::from(unsafe { OsStr::from_encoded_bytes_unchecked(bytes) })
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

fn read(path: &Path) -> Option<Record> {
    let bytes = std::fs::read(path).ok()?;
    let (preamble, payload) = bytes.split_at_checked(PREAMBLE)?;
    let (magic, rest) = preamble.split_at(MAGIC.len());
    let (len, sum) = rest.split_at(8);
    if magic != MAGIC
        || u64::from_le_bytes(len.try_into().ok()?) != payload.len() as u64
        || u64::from_le_bytes(sum.try_into().ok()?) != keys::hash_bytes(payload)
    {
        return None;
    }
    postcard::from_bytes(payload).ok()
}
