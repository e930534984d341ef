//! Finding the files to check.
//!
//! Each path argument is walked with the `ignore` crate's defaults: `.gitignore` files are
//! honoured inside a git repository (plus `.ignore` files anywhere), hidden files and
//! directories are skipped, and symbolic links are not followed (so a link loop cannot hang
//! the walk). Below each argument, files and directories matching `exclude` / `extend-exclude`
//! (see [`crate::settings::PathMatcher`]) are skipped, and excluded directories are not entered.
//! Only `.py`, `.pyi` and `.ipynb` (Jupyter notebook) files are taken from a walk; a file
//! given explicitly on the command line is always checked, whatever its extension and even
//! if a pattern excludes it, unless `force-exclude` is on: then a given path that is
//! excluded, or lies in an excluded directory below the project root, is skipped (Ruff's
//! `--force-exclude`).
//!
//! A file's display name is the argument as given joined with the path below it, without a
//! leading `./` (`check examples/demo` → `examples/demo/app/db.py`, `check .` → `app.py`).
//! Files come out sorted by display name, each file once.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use ignore::WalkState;

use crate::settings::{PathMatcher, Settings, absolutize};

pub mod module_name;

/// A file to check: where it is, and how to name it in output.
#[derive(Clone, Debug)]
pub struct SourcePath {
    pub path: PathBuf,
    pub display: String,
    /// The walk found it listed in its directory as a regular file, or the caller looked at
    /// it already: it is opened without another look first ([`read_regular_file`]). A path
    /// named on the command line is looked at before it is opened, so that a FIFO or a
    /// device is refused unopened.
    pub seen_regular: bool,
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<SourcePath>,
    /// Directories the walk could not read: each becomes an LW002 finding, like a file that
    /// cannot be read, so every output format shows what was not checked.
    pub unreadable: Vec<Unreadable>,
    /// Entries of a walked directory that are named like Python files but are not regular
    /// files (a FIFO, a socket, a device, a link the walk does not follow), with what they
    /// are: not checked, and listed by `--show-files` and `--verbose`.
    pub skipped: Vec<Skipped>,
    /// Paths that could not be walked, as `path: reason` (the CLI prefixes `error: `),
    /// e.g. `missing/dir: No such file or directory (os error 2)`.
    pub errors: Vec<String>,
    /// Every directory the walk read: the directories given and those it entered, in no
    /// fixed order. The cache stamps them, so that a later run can tell that a walk would
    /// find the same files.
    pub directories: Vec<PathBuf>,
}

impl Discovered {
    /// Takes the walk's files, for each to move into its analysis, and leaves those the
    /// report still reads: the ones whose path is not UTF-8, whose exact bytes it puts back
    /// in the output ([`crate::report::Report::note_walk`]).
    pub fn take_files(&mut self) -> Vec<SourcePath> {
        let files = std::mem::take(&mut self.files);
        self.files = files
            .iter()
            .filter(|file| file.path.to_str().is_none())
            .cloned()
            .collect();
        files
    }
}

/// A directory the walk could not read.
#[derive(Clone, Debug)]
pub struct Unreadable {
    pub path: SourcePath,
    /// The message of its LW002 finding.
    pub message: String,
}

/// An entry the walk passed over, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub display: String,
    /// What it is (`a FIFO (named pipe)`).
    pub kind: String,
}

pub fn discover(paths: &[PathBuf], settings: &Settings) -> Discovered {
    let mut discovered = Discovered::default();
    let exclude = match PathMatcher::new(&settings.exclude) {
        Ok(matcher) => matcher,
        Err(error) => {
            discovered
                .errors
                .push(format!("invalid exclude pattern: {error}"));
            PathMatcher::default()
        }
    };
    let exclude = Arc::new(exclude);
    let root = Arc::new(settings.root());

    for given in paths {
        match std::fs::metadata(given) {
            Err(error) => discovered
                .errors
                .push(format!("{}: {error}", given.display())),
            // `--force-exclude`: a named path the exclusions cover is skipped too.
            Ok(_) if settings.force_exclude && settings.is_excluded(given) => {}
            // Anything named on the command line that is not a directory is checked, so a
            // FIFO or a device is answered (an LW002 finding naming what it is), never
            // passed over in silence.
            Ok(metadata) if !metadata.is_dir() => discovered.files.push(SourcePath {
                path: given.clone(),
                display: display_name(given),
                seen_regular: false,
            }),
            Ok(_) => walk(given, &exclude, &root, &mut discovered),
        }
    }

    discovered
        .files
        .sort_by(|a, b| a.display.cmp(&b.display).then_with(|| a.path.cmp(&b.path)));
    discovered
        .unreadable
        .sort_by(|a, b| a.path.display.cmp(&b.path.display));
    discovered
        .unreadable
        .dedup_by(|a, b| a.path.display == b.path.display);
    discovered.skipped.sort_by(|a, b| a.display.cmp(&b.display));
    // The same file reached through two given paths (or a link) is checked once. With one
    // path given, the walk (which does not follow links) cannot reach a file twice.
    if paths.len() <= 1 {
        return discovered;
    }
    let mut seen = HashSet::new();
    discovered.files.retain(|file| {
        seen.insert(
            file.path
                .canonicalize()
                .unwrap_or_else(|_| absolutize(&file.path)),
        )
    });
    discovered
}

fn walk(
    given: &Path,
    exclude: &Arc<PathMatcher>,
    root: &Arc<PathBuf>,
    discovered: &mut Discovered,
) {
    let given_absolute = absolutize(given);
    let mut builder = ignore::WalkBuilder::new(given);
    {
        let exclude = Arc::clone(exclude);
        let root = Arc::clone(root);
        let given = given.to_path_buf();
        builder.filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let absolute = match entry.path().strip_prefix(&given) {
                Ok(below) => given_absolute.join(below),
                Err(_) => absolutize(entry.path()),
            };
            !exclude.is_match(&absolute, &root)
        });
    }
    // Directories are read on several threads (most of a walk is waiting on the file
    // system); what each thread finds is merged, and `discover` sorts it all.
    let found = Mutex::new(Discovered::default());
    builder.build_parallel().run(|| {
        let found = &found;
        Box::new(move |entry| {
            let mut found = found.lock().unwrap_or_else(PoisonError::into_inner);
            record_entry(entry, &mut found);
            WalkState::Continue
        })
    });
    let mut found = found.into_inner().unwrap_or_else(PoisonError::into_inner);
    // The threads met the errors in no fixed order: they are listed in a fixed one.
    found.errors.sort();
    discovered.files.append(&mut found.files);
    discovered.unreadable.append(&mut found.unreadable);
    discovered.skipped.append(&mut found.skipped);
    discovered.errors.append(&mut found.errors);
    discovered.directories.append(&mut found.directories);
}

/// What one entry of the walk adds: a Python file to check, a Python name that is not a
/// regular file, or a directory that could not be read.
fn record_entry(entry: Result<ignore::DirEntry, ignore::Error>, discovered: &mut Discovered) {
    let entry = match entry {
        Ok(entry) => entry,
        Err(error) => {
            match unreadable_directory(&error) {
                Some(unreadable) => discovered.unreadable.push(unreadable),
                None => discovered.errors.push(error.to_string()),
            }
            return;
        }
    };
    let path = entry.path();
    let Some(kind) = entry.file_type() else {
        return;
    };
    if kind.is_dir() {
        discovered.directories.push(path.to_path_buf());
        return;
    }
    if !is_python_file(path) {
        return;
    }
    if kind.is_file() {
        discovered.files.push(SourcePath {
            path: path.to_path_buf(),
            display: display_name(path),
            seen_regular: true,
        });
    } else {
        discovered.skipped.push(Skipped {
            display: display_name(path),
            kind: file_kind(kind).to_string(),
        });
    }
}

/// The directory an error of the walk is about, when it is one the walk could not read.
fn unreadable_directory(error: &ignore::Error) -> Option<Unreadable> {
    let mut error = error;
    let mut path = None;
    loop {
        match error {
            ignore::Error::WithPath { path: at, err } => {
                path.get_or_insert(at.clone());
                error = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                error = err;
            }
            ignore::Error::Io(io) => {
                let path = path?;
                let display = display_name(&path);
                return Some(Unreadable {
                    message: format!("Failed to read directory {display}: {io}"),
                    path: SourcePath {
                        path,
                        display,
                        seen_regular: false,
                    },
                });
            }
            ignore::Error::Loop { child, .. } => {
                let display = display_name(child);
                return Some(Unreadable {
                    message: format!("Failed to read directory {display}: a symbolic link loop"),
                    path: SourcePath {
                        path: child.clone(),
                        display,
                        seen_regular: false,
                    },
                });
            }
            _ => return None,
        }
    }
}

/// What a file type is, in words, for a file that is not a regular file.
pub fn file_kind(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
    }
    if kind.is_symlink() {
        "a symbolic link (links inside a walked directory are not followed)"
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// Reads a regular file. Anything else is refused, by what it is: a FIFO would block the run
/// until a writer came, a device may never end. A file the walk did not see listed as a
/// regular file (`seen_regular`: one named on the command line) is looked at before it is
/// opened, so that a device is not opened at all.
///
/// One look at the opened file gives its size and what it is; the reading asks nothing
/// more of the system (`read_to_end` of `std` looks at the file again and asks its position:
/// two calls a file, a tenth of a cold run's system calls).
pub fn read_regular_file(path: &Path, seen_regular: bool) -> Result<Vec<u8>, String> {
    if !seen_regular {
        regular_only(&std::fs::metadata(path).map_err(|error| error.to_string())?)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    // Should a FIFO have taken the file's place since it was seen, opening it does not wait
    // for a writer.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let mut file = options.open(path).map_err(|error| error.to_string())?;
    // Replaced by something else since it was seen: look again, at what was opened.
    let opened = file.metadata().map_err(|error| error.to_string())?;
    regular_only(&opened)?;
    read_opened(&mut file, opened.len()).map_err(|error| error.to_string())
}

/// Refuses what `metadata` says is not a regular file, naming what it is.
fn regular_only(metadata: &std::fs::Metadata) -> Result<(), String> {
    if metadata.is_file() {
        return Ok(());
    }
    Err(format!(
        "it is {}, not a regular file",
        file_kind(metadata.file_type())
    ))
}

/// The bytes of an opened file of `size` bytes when it was looked at, and any it has grown
/// by since.
fn read_opened(file: &mut std::fs::File, size: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    bytes
        .try_reserve_exact(usize::try_from(size).map_err(|_| too_large())?)
        .map_err(|_| too_large())?;
    // Read into the reserved room as it is: zeroing it first cost a pass over every byte
    // of every file (half a percent of a cold run's instructions).
    Read::by_ref(file).take(size).read_to_end(&mut bytes)?;
    if bytes.len() as u64 == size {
        // Whatever was appended since the look: a `Take` reads to the end without asking
        // the file's size again, and finds a file that did not grow with one small read.
        Read::by_ref(file).take(u64::MAX).read_to_end(&mut bytes)?;
    }
    Ok(bytes)
}

fn too_large() -> std::io::Error {
    std::io::Error::other("it is too large to read into memory")
}

/// Whether the walk takes a file of this name: `.py`, `.pyi` and `.ipynb`.
pub fn is_python_file(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext == "py" || ext == "pyi" || ext == "ipynb")
}

/// How a path is shown in output: as walked, without a leading `./`.
pub fn display_name(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut display: &str = &text;
    while let Some(rest) = display.strip_prefix("./") {
        display = rest.trim_start_matches('/');
    }
    display.to_string()
}

/// The bytes of [`display_name`], exact where the path is not UTF-8.
pub fn display_bytes(path: &Path) -> Vec<u8> {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().into_owned().into_bytes();
    let mut display: &[u8] = &bytes;
    while let Some(rest) = display.strip_prefix(b"./") {
        let slashes = rest.iter().take_while(|&&byte| byte == b'/').count();
        display = &rest[slashes..];
    }
    display.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// The settings of a project rooted at `root`.
    fn rooted(root: &Path) -> Settings {
        Settings {
            project_root: Some(absolutize(root)),
            ..Settings::default()
        }
    }

    fn displays(discovered: &Discovered) -> Vec<&str> {
        discovered
            .files
            .iter()
            .map(|file| file.display.as_str())
            .collect()
    }

    #[test]
    fn walks_python_files_and_skips_excluded_hidden_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "app/a.py",
            "app/b.pyi",
            "app/notes.txt",
            "build/gen.py",
            "pkg/venv/lib/x.py",
            ".hidden/h.py",
            ".hidden.py",
            "legacy/old.py",
            "app/legacy/kept.py",
            "app/z_pb2.py",
        ] {
            write(root, file, "x = 1\n");
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root, root.join("app/loop")).unwrap();
        let mut settings = rooted(root);
        settings.exclude.push("legacy".to_string());
        settings.exclude.push("*_pb2.py".to_string());
        let given = root.to_path_buf();
        let discovered = discover(std::slice::from_ref(&given), &settings);
        assert!(discovered.errors.is_empty(), "{:?}", discovered.errors);
        let prefix = root.display().to_string();
        let names: Vec<String> = displays(&discovered)
            .iter()
            .map(|display| display.strip_prefix(&prefix).unwrap().to_string())
            .collect();
        assert_eq!(names, vec!["/app/a.py", "/app/b.pyi"]);
    }

    #[test]
    fn a_wide_tree_walked_on_several_threads_is_found_whole_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut expected = Vec::new();
        for package in 0..12 {
            for module in 0..15 {
                let relative = format!("pkg{package:02}/sub{}/m{module:02}.py", module % 3);
                write(root, &relative, "");
                expected.push(format!("/{relative}"));
            }
        }
        expected.sort();
        let settings = rooted(root);
        let prefix = root.display().to_string();
        for _ in 0..5 {
            let discovered = discover(&[root.to_path_buf()], &settings);
            assert!(discovered.errors.is_empty(), "{:?}", discovered.errors);
            let names: Vec<String> = displays(&discovered)
                .iter()
                .map(|display| display.strip_prefix(&prefix).unwrap().to_string())
                .collect();
            assert_eq!(names, expected);
        }
    }

    #[test]
    fn anchored_patterns_only_match_below_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "legacy/old.py", "");
        write(root, "app/legacy/kept.py", "");
        let mut settings = rooted(root);
        settings.exclude.push("./legacy".to_string());
        let discovered = discover(&[root.to_path_buf()], &settings);
        let prefix = root.display().to_string();
        let names: Vec<String> = displays(&discovered)
            .iter()
            .map(|display| display.strip_prefix(&prefix).unwrap().to_string())
            .collect();
        assert_eq!(names, vec!["/app/legacy/kept.py"]);
    }

    #[test]
    fn explicit_files_are_checked_and_missing_paths_reported() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "build/gen.py", "");
        write(root, "notes.txt", "");
        let settings = rooted(root);
        let paths = [
            root.join("notes.txt"),
            root.join("missing"),
            root.join("build/gen.py"),
            root.join("build/gen.py"),
            root.join("build"),
        ];
        let discovered = discover(&paths, &settings);
        assert_eq!(discovered.errors.len(), 1, "{:?}", discovered.errors);
        assert!(discovered.errors[0].ends_with("missing: No such file or directory (os error 2)"));
        let prefix = root.display().to_string();
        let names: Vec<String> = displays(&discovered)
            .iter()
            .map(|display| display.strip_prefix(&prefix).unwrap().to_string())
            .collect();
        assert_eq!(names, vec!["/build/gen.py", "/notes.txt"]);
    }

    #[test]
    fn walked_files_are_seen_regular_and_named_ones_are_looked_at_when_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "app/a.py", "");
        write(root, "named.py", "");
        let settings = rooted(root);
        let discovered = discover(&[root.join("app"), root.join("named.py")], &settings);
        let seen: Vec<(&str, bool)> = discovered
            .files
            .iter()
            .map(|file| (file.display.rsplit('/').next().unwrap(), file.seen_regular))
            .collect();
        assert_eq!(seen, vec![("a.py", true), ("named.py", false)]);
    }

    #[test]
    fn a_file_is_read_to_its_end_whatever_size_it_had_when_looked_at() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grown.py");
        let text: Vec<u8> = (0..10_000u32).map(|at| b"abc\n"[at as usize % 4]).collect();
        std::fs::write(&path, &text).unwrap();
        // Seen smaller than it is (it grew since), larger (it shrank), and as it is.
        for seen in [0, 100, 9_999, 10_000, 10_001, 50_000] {
            let mut file = std::fs::File::open(&path).unwrap();
            assert_eq!(
                read_opened(&mut file, seen).unwrap(),
                text,
                "seen as {seen} bytes"
            );
        }
        assert_eq!(read_regular_file(&path, true).unwrap(), text);
        assert_eq!(read_regular_file(&path, false).unwrap(), text);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_unread_whether_or_not_it_was_seen_as_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipe.py");
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        assert!(made.unwrap().success());
        // Seen as a regular file, it was replaced since: opened without waiting for a
        // writer, and refused by what was opened.
        for seen_regular in [true, false] {
            assert_eq!(
                read_regular_file(&path, seen_regular),
                Err("it is a FIFO (named pipe), not a regular file".to_string())
            );
        }
    }

    #[test]
    fn display_strips_leading_dot_slash() {
        assert_eq!(display_name(Path::new("./app.py")), "app.py");
        assert_eq!(display_name(Path::new(".//src/a.py")), "src/a.py");
        assert_eq!(
            display_name(Path::new("examples/demo/app/db.py")),
            "examples/demo/app/db.py"
        );
        assert_eq!(display_name(Path::new("../x/a.py")), "../x/a.py");
        assert_eq!(display_name(Path::new(".hidden/a.py")), ".hidden/a.py");
    }
}
