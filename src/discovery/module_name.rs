//! Module names, decided in one place: the dotted name a file is imported under, whether it
//! is a package's `__init__`, and the other names it may be imported under.
//!
//! A file inside regular packages (directories with `__init__.py`) is named after them. A
//! file outside any package is named, as PEP 420 namespace packages are imported, after the
//! run of identifier directories above it (a leading `src/` dropped). Every dotted suffix of
//! its path is also offered as an alias; the link keeps an alias only when one module alone
//! claims it.

use std::path::Path;

use super::SourcePath;

use rustc_hash::FxHashMap as HashMap;

/// How one file is imported.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleName {
    /// The dotted module name (`app.db`; `app` for `app/__init__.py`).
    pub name: String,
    /// Whether the file is a package's `__init__`.
    pub is_package: bool,
    /// Other names it may be imported under (see [`module_aliases`]).
    pub aliases: Vec<String>,
}

/// Names files, looking at each directory once however many files it holds.
#[derive(Debug, Default)]
pub struct ModuleNamer {
    packages: PackageDirectories,
}

impl ModuleNamer {
    /// A namer that already knows, for every directory above `paths`, whether it is a
    /// package. The directories are looked at on several threads: naming the files of a
    /// large project is mostly these look-ups (51 of the 90 ms before the analysis of a
    /// cached run on the benchmark corpus, one after the other).
    pub fn for_files<'p>(paths: impl IntoIterator<Item = &'p Path>) -> Self {
        use rayon::prelude::*;
        // Every directory above a file once: a directory already seen has had its own
        // directories above it seen too.
        let mut seen: rustc_hash::FxHashSet<&Path> = rustc_hash::FxHashSet::default();
        let mut directories: Vec<&Path> = Vec::new();
        for path in paths {
            for dir in path.ancestors().skip(1) {
                if dir.file_name().is_none() || !seen.insert(dir) {
                    break;
                }
                directories.push(dir);
            }
        }
        let is_package = directories
            .par_iter()
            .map(|dir| (dir.to_path_buf(), has_init_file(dir)))
            .collect();
        Self {
            packages: PackageDirectories { is_package },
        }
    }

    /// The names of every file of `files`, on several threads (after
    /// [`ModuleNamer::for_files`] has looked at their directories).
    pub fn name_all(files: &[SourcePath]) -> Vec<ModuleName> {
        use rayon::prelude::*;
        let namer = Self::for_files(files.iter().map(|file| file.path.as_path()));
        files
            .par_iter()
            .map(|file| {
                name_with(&file.path, &file.display, |dir| {
                    namer
                        .packages
                        .known(dir)
                        .unwrap_or_else(|| has_init_file(dir))
                })
            })
            .collect()
    }

    /// The names of the file at `path`, shown to the user as `display_path`.
    pub fn name(&mut self, path: &Path, display_path: &str) -> ModuleName {
        name_with(path, display_path, |dir| self.packages.is_package(dir))
    }
}

/// The names of the file at `path`, shown as `display_path`, with `is_package` telling which
/// directories are packages.
fn name_with(path: &Path, display_path: &str, is_package: impl FnMut(&Path) -> bool) -> ModuleName {
    let (mut name, is_package) = module_name(path, is_package);
    if !is_package && !name.contains('.') {
        // Outside any package: a namespace package (PEP 420) names it after its
        // directories, as far up as they are identifiers.
        if let Some(namespaced) = namespace_module_name(display_path) {
            name = namespaced;
        }
    }
    let aliases = module_aliases(display_path, &name);
    ModuleName {
        name,
        is_package,
        aliases,
    }
}

/// Remembers which directories are packages, so naming many files stats each directory once.
#[derive(Debug, Default)]
struct PackageDirectories {
    is_package: HashMap<std::path::PathBuf, bool>,
}

impl PackageDirectories {
    fn known(&self, dir: &Path) -> Option<bool> {
        self.is_package.get(dir).copied()
    }

    fn is_package(&mut self, dir: &Path) -> bool {
        if let Some(known) = self.known(dir) {
            return known;
        }
        let found = has_init_file(dir);
        self.is_package.insert(dir.to_path_buf(), found);
        found
    }
}

/// The dotted module name of a file: its stem, prefixed by the packages (directories with
/// an `__init__.py`, as `is_package` says) that contain it; and whether the file is a
/// package's `__init__`.
fn module_name(path: &Path, mut is_package: impl FnMut(&Path) -> bool) -> (String, bool) {
    let stem = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let is_init = stem == "__init__";
    let mut parts: Vec<String> = Vec::new();
    if !is_init {
        parts.push(stem);
    }
    let mut directory = path.parent();
    while let Some(dir) = directory {
        let Some(name) = dir.file_name() else { break };
        if !is_package(dir) {
            break;
        }
        parts.push(name.to_string_lossy().into_owned());
        directory = dir.parent();
    }
    parts.reverse();
    (parts.join("."), is_init)
}

/// Whether `dir` is a regular package: it holds an `__init__.py` (or a stub's `.pyi`).
pub fn has_init_file(dir: &Path) -> bool {
    dir.join("__init__.py").is_file() || dir.join("__init__.pyi").is_file()
}

/// The dotted name of a file outside any regular package, from its displayed path: the
/// longest run of identifier directories above it (a leading `src` dropped), as PEP 420
/// namespace packages are imported. `None` when that is the bare stem.
fn namespace_module_name(display_path: &str) -> Option<String> {
    let parts = path_parts(display_path);
    let start =
        (0..parts.len()).find(|&start| parts[start..].iter().all(|part| is_identifier(part)))?;
    let mut parts = &parts[start..];
    if parts.first() == Some(&"src") {
        parts = &parts[1..];
    }
    (parts.len() >= 2).then(|| parts.join("."))
}

/// A displayed path's segments, without the extension.
fn path_parts(display_path: &str) -> Vec<&str> {
    let trimmed = display_path.trim_start_matches("./");
    let without_ext = trimmed
        .strip_suffix(".py")
        .or_else(|| trimmed.strip_suffix(".pyi"))
        .or_else(|| trimmed.strip_suffix(".ipynb"))
        .unwrap_or(trimmed);
    without_ext
        .split(['/', '\\'])
        .filter(|part| !part.is_empty() && *part != ".")
        .collect()
}

/// Names a module may be imported under besides its package-derived name: its path below
/// the checked directory, dotted (`src/` dropped), for namespace packages without
/// `__init__.py`.
pub fn module_aliases(display_path: &str, module_name: &str) -> Vec<String> {
    let mut parts = path_parts(display_path);
    if parts.last() == Some(&"__init__") {
        parts.pop();
    }
    // Every dotted suffix of two or more segments: the project root may sit anywhere above
    // the file. A lone file stem (`json`, `logging`) would shadow the standard library, so it
    // is not one. The link step keeps only the suffixes that name one module.
    (0..parts.len().saturating_sub(1))
        .filter(|&start| parts[start..].iter().all(|part| is_identifier(part)))
        .map(|start| parts[start..].join("."))
        .filter(|alias| alias != module_name)
        .collect()
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temporary directory");
        for file in files {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("directories");
            std::fs::write(path, "").expect("write");
        }
        dir
    }

    fn name_of(dir: &tempfile::TempDir, file: &str) -> ModuleName {
        ModuleNamer::default().name(&dir.path().join(file), file)
    }

    #[test]
    fn a_file_in_regular_packages_is_named_after_them() {
        let dir = tree(&["app/__init__.py", "app/db/__init__.py", "app/db/users.py"]);
        let users = name_of(&dir, "app/db/users.py");
        assert_eq!(
            (users.name.as_str(), users.is_package),
            ("app.db.users", false)
        );
        let package = name_of(&dir, "app/db/__init__.py");
        assert_eq!(
            (package.name.as_str(), package.is_package),
            ("app.db", true)
        );
    }

    #[test]
    fn naming_all_files_at_once_names_each_as_naming_it_alone() {
        let files = [
            "app/__init__.py",
            "app/db/__init__.pyi",
            "app/db/users.py",
            "app/scripts/run.py",
            "src/shop/routes/orders.py",
            "my-project/tools/run.py",
            "main.py",
        ];
        let dir = tree(&files);
        let sources: Vec<SourcePath> = files
            .iter()
            .map(|file| SourcePath {
                path: dir.path().join(file),
                display: (*file).to_string(),
                seen_regular: false,
            })
            .collect();
        let alone: Vec<ModuleName> = files.iter().map(|file| name_of(&dir, file)).collect();
        assert_eq!(ModuleNamer::name_all(&sources), alone);
        assert_eq!(alone[1].name, "app.db");
        assert_eq!(alone[3].name, "app.scripts.run");
    }

    #[test]
    fn a_namespace_package_is_named_after_its_directories_without_src() {
        let dir = tree(&["src/shop/routes/orders.py"]);
        assert_eq!(
            name_of(&dir, "src/shop/routes/orders.py").name,
            "shop.routes.orders"
        );
    }

    #[test]
    fn directories_that_are_not_identifiers_stop_the_name() {
        let dir = tree(&["my-project/tools/run.py"]);
        assert_eq!(name_of(&dir, "my-project/tools/run.py").name, "tools.run");
    }

    #[test]
    fn a_lone_file_is_its_stem_with_no_alias() {
        let dir = tree(&["main.py"]);
        let main = name_of(&dir, "main.py");
        assert_eq!(main.name, "main");
        assert!(main.aliases.is_empty());
    }

    #[test]
    fn aliases_are_the_dotted_suffixes_other_than_the_name() {
        // The project root may sit anywhere above the file: `pkg.mod` is how the code
        // under `src/` imports it, and the link keeps that alias when no other module
        // claims it.
        let dir = tree(&["repo/src/pkg/mod.py"]);
        let module = name_of(&dir, "repo/src/pkg/mod.py");
        assert_eq!(module.name, "repo.src.pkg.mod");
        assert_eq!(module.aliases, ["src.pkg.mod", "pkg.mod"]);
    }
}
