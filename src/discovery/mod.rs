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
use std::sync::Arc;

use crate::settings::{PathMatcher, Settings, absolutize};

pub mod module_name;

/// A file to check: where it is, and how to name it in output.
#[derive(Clone, Debug)]
pub struct SourcePath {
    pub path: PathBuf,
    pub display: String,
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<SourcePath>,
    /// Paths that could not be walked, as `path: reason` (the CLI prefixes `error: `),
    /// e.g. `missing/dir: No such file or directory (os error 2)`.
    pub errors: Vec<String>,
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
        if let Err(error) = std::fs::metadata(given) {
            discovered
                .errors
                .push(format!("{}: {error}", given.display()));
            continue;
        }
        if settings.force_exclude && settings.is_excluded(given) {
            continue;
        }
        walk(given, &exclude, &root, &mut discovered);
    }

    discovered
        .files
        .sort_by(|a, b| a.display.cmp(&b.display).then_with(|| a.path.cmp(&b.path)));
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
    for entry in builder.build() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                discovered.errors.push(error.to_string());
                continue;
            }
        };
        let path = entry.path();
        let take = if entry.depth() == 0 {
            path.is_file()
        } else {
            entry.file_type().is_some_and(|kind| kind.is_file()) && is_python_file(path)
        };
        if take {
            discovered.files.push(SourcePath {
                path: path.to_path_buf(),
                display: display_name(path),
            });
        }
    }
}

fn is_python_file(path: &Path) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
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
        let mut settings = Settings {
            project_root: Some(absolutize(root)),
            ..Settings::default()
        };
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
    fn anchored_patterns_only_match_below_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "legacy/old.py", "");
        write(root, "app/legacy/kept.py", "");
        let mut settings = Settings {
            project_root: Some(absolutize(root)),
            ..Settings::default()
        };
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
        let settings = Settings {
            project_root: Some(absolutize(root)),
            ..Settings::default()
        };
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
