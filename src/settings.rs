//! Settings: which rules run, on which files, for which Python version.
//!
//! # Where the configuration comes from
//! [`Settings::load`] reads one configuration file:
//! - `--config FILE` when given: a file named `pyproject.toml` is read for its
//!   `[tool.loopwarden]` table, any other file for its top-level keys (the `loopwarden.toml` format);
//! - otherwise the nearest ancestor directory of the *first path argument* (the first path
//!   given to `loopwarden check`, `.` by default) that holds a `loopwarden.toml`, or a
//!   `pyproject.toml` with a `[tool.loopwarden]` table. A `pyproject.toml` without that table is
//!   skipped and the search goes on upward, as Ruff does; in one directory `loopwarden.toml` wins.
//!   Starting from the path rather than the current directory means that
//!   `loopwarden check ~/src/service` uses the service's configuration wherever it runs from.
//!
//! The directory of the configuration file is the *project root*: `per-file-ignores` and
//! `exclude` patterns that contain a `/` are matched against paths relative to it. Without a
//! configuration file the project root is the current directory.
//!
//! # Rule selection
//! The default set is every rule that is `enabled_by_default()`. `select` replaces it,
//! `extend-select` adds to it, then the command line does the same (`--select` replaces what the
//! file selected, `--extend-select` adds), and finally every rule named by the file's `ignore` or by
//! `--ignore` is removed: ignore always wins. A selector is a full code (`LW101`), a prefix of codes
//! (`LW1`, `LW10`, `LW`), or `ALL`; a prefix selects every rule whose code starts with it,
//! including rules that are off by default.
//!
//! # Target version
//! `target-version` (`py38` … `py314`), else the lower bound of `[project] requires-python`
//! (the first `>=`, `~=` or `==` clause, clamped to py38…py314) of the configuration's
//! `pyproject.toml` (for a `loopwarden.toml`, the `pyproject.toml` beside it; without any
//! configuration, the nearest `pyproject.toml` that has `requires-python`), else py39.
//! `--target-version` overrides all of these.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ruff_python_ast::PythonVersion;
use toml::{Table, Value};

use crate::registry::Rule;

/// The name of loopwarden's own configuration file (top-level keys).
pub const CONFIG_FILE_NAME: &str = "loopwarden.toml";

/// Directories and files never walked into unless `exclude` is set (Ruff's list).
/// `extend-exclude` adds to these; `exclude` replaces them.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

/// The versions `target-version` accepts.
const SUPPORTED_VERSIONS: std::ops::RangeInclusive<u8> = 8..=14;

const KNOWN_KEYS: &[&str] = &[
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "target-version",
    "sync-hooks",
    "blocking-calls",
    "async-safe-calls",
    "test-ignore",
    "force-exclude",
    "file-time-limit",
];

/// How long the checks of one file may run before the rest of it is left unchecked (an
/// LW004 finding): a pathological file must not stall a whole run. Far above what any real
/// file takes (a 100 MB module is checked in a few seconds).
pub const DEFAULT_FILE_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Rules that are off in test code unless `test-ignore` says otherwise: the ones about what
/// a blocked or slow loop costs a running service (other requests stall, a peer that never
/// answers hangs a worker, two requests race). A test's loop serves only that test, and a
/// test that reads a fixture file or sleeps in a coroutine costs nobody else anything.
/// The rules that stay on find tests that silently test nothing or hang: a coroutine never
/// awaited, a task dropped, a loop driven from inside itself, cancellation swallowed.
pub const DEFAULT_TEST_IGNORE: &[Rule] = &[
    Rule::BlockingIoInAsync,
    Rule::BlockingCpuInAsync,
    Rule::TransitiveBlockingCall,
    Rule::BlockingFsMetadataInAsync,
    Rule::BackgroundTaskNotDrained,
    Rule::NetworkAwaitWithoutTimeout,
    Rule::CheckThenActAcrossAwait,
];

#[derive(Clone, Debug)]
pub struct Settings {
    /// Rules that run (after select / extend-select / ignore).
    pub rules: BTreeSet<Rule>,
    /// `per-file-ignores`: glob pattern, and the rules it turns off for matching files.
    pub per_file_ignores: Vec<PerFileIgnore>,
    /// `exclude` (or [`DEFAULT_EXCLUDES`]) + `extend-exclude` glob patterns.
    pub exclude: Vec<String>,
    /// `force-exclude`: `exclude` applies to paths named on the command line too.
    pub force_exclude: bool,
    pub target_version: PythonVersion,
    /// Qualified method names (`pkg.mod.Class.method`) that frameworks call from inside a running loop.
    pub sync_hooks: Vec<String>,
    /// Extra qualified names to treat as blocking I/O (LW101).
    pub blocking_calls: Vec<String>,
    /// Qualified names never to report as blocking.
    pub async_safe_calls: Vec<String>,
    /// `test-ignore`: rules that do not run on test code (see [`is_test_file`]).
    pub test_ignore: BTreeSet<Rule>,
    /// `file-time-limit`: how long one file's checks may run (`None`: no limit).
    pub file_time_limit: Option<std::time::Duration>,
    /// The configuration file the settings were read from, if any (absolute).
    pub config_file: Option<PathBuf>,
    /// The directory patterns are relative to: the configuration file's directory, or `None`
    /// for the current directory (see [`Settings::root`]).
    pub project_root: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            rules: Rule::ALL
                .iter()
                .copied()
                .filter(|rule| rule.enabled_by_default())
                .collect(),
            per_file_ignores: Vec::new(),
            exclude: DEFAULT_EXCLUDES
                .iter()
                .map(|pattern| (*pattern).to_string())
                .collect(),
            force_exclude: false,
            target_version: PythonVersion { major: 3, minor: 9 },
            sync_hooks: Vec::new(),
            blocking_calls: Vec::new(),
            async_safe_calls: Vec::new(),
            test_ignore: DEFAULT_TEST_IGNORE.iter().copied().collect(),
            file_time_limit: Some(DEFAULT_FILE_TIME_LIMIT),
            config_file: None,
            project_root: None,
        }
    }
}

impl Settings {
    pub fn is_enabled(&self, rule: Rule) -> bool {
        self.rules.contains(&rule)
    }
}

impl Settings {
    /// Whether `rule` runs on `path`, after `test-ignore` and `per-file-ignores`. `path` may
    /// be relative to the current directory or absolute.
    pub fn is_enabled_for(&self, rule: Rule, path: &Path) -> bool {
        if !self.is_enabled(rule) {
            return false;
        }
        if self.test_ignore.contains(&rule) && is_test_file(path, &self.root()) {
            return false;
        }
        let mut ignores = self
            .per_file_ignores
            .iter()
            .filter(|entry| entry.rules.contains(&rule))
            .peekable();
        if ignores.peek().is_none() {
            return true;
        }
        let path = absolutize(path);
        let root = self.root();
        !ignores.any(|entry| entry.matcher.is_match(&path, &root))
    }

    /// Whether `path` (as given, relative to the current directory or absolute) is excluded:
    /// it, or a directory above it below the project root, matches `exclude`. This is how
    /// `force-exclude` judges a path named on the command line (Ruff's rule).
    pub fn is_excluded(&self, path: &Path) -> bool {
        let Ok(matcher) = PathMatcher::new(&self.exclude) else {
            return false;
        };
        let root = self.root();
        let path = absolutize(path);
        let inside = path.starts_with(&root);
        path.ancestors()
            .take_while(|ancestor| {
                if inside {
                    *ancestor != root
                } else {
                    *ancestor == path
                }
            })
            .any(|ancestor| matcher.is_match(ancestor, &root))
    }

    /// The absolute directory that patterns are relative to.
    pub fn root(&self) -> PathBuf {
        match &self.project_root {
            Some(root) => root.clone(),
            None => absolutize(Path::new(".")),
        }
    }
}

/// Whether `path` is test code: a `test_*.py`, `*_test.py` or `conftest.py` file, or a file
/// below a directory named `tests` or `test`. Directories are read below the project `root`
/// (a checkout that happens to live in `~/test/` is not all test code).
pub fn is_test_file(path: &Path, root: &Path) -> bool {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(".pyi")
        .or_else(|| name.strip_suffix(".py"))
        .unwrap_or(&name);
    if stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest" {
        return true;
    }
    let absolute = absolutize(path);
    let below_root = absolute.strip_prefix(root).unwrap_or(path);
    below_root
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .any(|part| matches!(part, Component::Normal(dir) if dir == "tests" || dir == "test"))
}

/// Whether a dotted module name is test code, by the same names [`is_test_file`] reads:
/// `test_*`, `*_test`, `conftest`, or a module below a `tests`, `test` or `testing` package.
pub fn is_test_module(module_name: &str) -> bool {
    let last = module_name.rsplit('.').next().unwrap_or(module_name);
    last == "conftest"
        || last.starts_with("test_")
        || last.ends_with("_test")
        || module_name
            .split('.')
            .any(|part| matches!(part, "tests" | "test" | "testing"))
}

/// One `per-file-ignores` entry.
#[derive(Clone, Debug)]
pub struct PerFileIgnore {
    /// The pattern as written.
    pub pattern: String,
    pub rules: BTreeSet<Rule>,
    matcher: PathMatcher,
}

impl PerFileIgnore {
    pub fn new(pattern: &str, rules: BTreeSet<Rule>) -> Result<Self, globset::Error> {
        Ok(Self {
            pattern: pattern.to_string(),
            rules,
            matcher: PathMatcher::new(&[pattern])?,
        })
    }
}

/// A set of path globs matched the way Ruff matches `exclude` and `per-file-ignores`:
/// a relative pattern against the path relative to the project root, an absolute pattern
/// against the absolute path, and a pattern also against the file (or directory) name
/// alone when it has no `/`, so that `build` or `*_pb2.py` matches that name anywhere, while
/// `app/legacy` and `./legacy` match only at the root.
/// As in Ruff, `*` also matches `/` (globset's default), so `tests/*` covers nested files too.
#[derive(Clone, Debug, Default)]
pub struct PathMatcher {
    relative: GlobSet,
    absolute: GlobSet,
    basename: GlobSet,
}

impl PathMatcher {
    /// Compiles `patterns`; the error names the first invalid one.
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Self, globset::Error> {
        let mut relative = GlobSetBuilder::new();
        let mut absolute = GlobSetBuilder::new();
        let mut basename = GlobSetBuilder::new();
        for pattern in patterns {
            let mut pattern = pattern.as_ref().trim();
            // A trailing `/` (`build/`) only says "directory"; a `/` anywhere else anchors the
            // pattern at the project root, including a leading `./` (`./legacy`).
            if pattern.len() > 1 {
                pattern = pattern.trim_end_matches('/');
            }
            let anchored = pattern.contains('/');
            while let Some(rest) = pattern.strip_prefix("./") {
                pattern = rest;
            }
            let glob = GlobBuilder::new(pattern).backslash_escape(true).build()?;
            if Path::new(pattern).is_absolute() {
                absolute.add(glob.clone());
            } else {
                relative.add(glob.clone());
            }
            if !anchored {
                basename.add(glob);
            }
        }
        Ok(Self {
            relative: relative.build()?,
            absolute: absolute.build()?,
            basename: basename.build()?,
        })
    }

    /// Whether `path` (absolute, normalised, see [`absolutize`]) matches, with relative patterns
    /// anchored at `root` (absolute, normalised).
    pub fn is_match(&self, path: &Path, root: &Path) -> bool {
        if let Some(name) = path.file_name()
            && self.basename.is_match(name)
        {
            return true;
        }
        if let Ok(relative) = path.strip_prefix(root)
            && !relative.as_os_str().is_empty()
            && self.relative.is_match(relative)
        {
            return true;
        }
        self.absolute.is_match(path)
    }
}

/// `path` made absolute against the current directory, with `.` and `..` resolved lexically
/// (symbolic links are not resolved, so the result names the path the user gave).
pub fn absolutize(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut normal = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !normal.pop() {
                    normal.push(component);
                }
            }
            other => normal.push(other),
        }
    }
    normal
}

/// A configuration problem. Its message names the file (or command-line option) and the key;
/// the CLI prints it after `error: `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsError(String);

impl SettingsError {
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SettingsError {}

/// Command-line options that override the configuration file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--select`: replaces the file's `select` and `extend-select`.
    pub select: Option<Vec<String>>,
    /// `--ignore`: added to the file's `ignore`.
    pub ignore: Vec<String>,
    /// `--extend-select`.
    pub extend_select: Vec<String>,
    /// `--target-version`.
    pub target_version: Option<PythonVersion>,
    /// `--exclude`: replaces the file's `exclude` (its `extend-exclude` still applies).
    pub exclude: Option<Vec<String>>,
    /// `--extend-exclude`: added to every other pattern.
    pub extend_exclude: Vec<String>,
    /// `--force-exclude`.
    pub force_exclude: bool,
}

/// Parses `py38` … `py314`.
pub fn parse_target_version(text: &str) -> Option<PythonVersion> {
    let digits = text.strip_prefix("py3")?;
    if digits.is_empty()
        || !digits.bytes().all(|byte| byte.is_ascii_digit())
        || digits.starts_with('0')
    {
        return None;
    }
    let minor: u8 = digits.parse().ok()?;
    SUPPORTED_VERSIONS
        .contains(&minor)
        .then_some(PythonVersion { major: 3, minor })
}

fn supported_versions_list() -> String {
    SUPPORTED_VERSIONS
        .map(|minor| format!("py3{minor}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The lower bound of a `requires-python` specifier: the first `>=`, `~=` or `==` clause,
/// clamped to the supported versions. `None` when there is no such clause.
pub fn version_from_requires_python(specifier: &str) -> Option<PythonVersion> {
    for clause in specifier.split(',') {
        let clause = clause.trim();
        if clause.starts_with("===") {
            continue;
        }
        let Some(version) = [">=", "~=", "=="]
            .iter()
            .find_map(|operator| clause.strip_prefix(operator))
        else {
            continue;
        };
        let mut parts = version.trim().split('.');
        let major: u32 = parts.next()?.trim().parse().ok()?;
        let minor: u32 = match parts.next() {
            None => 0,
            Some(minor) => minor.trim().parse().unwrap_or(0),
        };
        let minor = match major {
            0..=2 => *SUPPORTED_VERSIONS.start(),
            3 => u8::try_from(minor)
                .unwrap_or(u8::MAX)
                .clamp(*SUPPORTED_VERSIONS.start(), *SUPPORTED_VERSIONS.end()),
            _ => *SUPPORTED_VERSIONS.end(),
        };
        return Some(PythonVersion { major: 3, minor });
    }
    None
}

/// Every rule `selector` names: a code, a prefix of codes (`LW1`), or `ALL`, in any case.
fn expand_selector(selector: &str) -> Option<Vec<Rule>> {
    let selector = selector.to_ascii_uppercase();
    if selector == "ALL" {
        return Some(Rule::ALL.to_vec());
    }
    if !selector.starts_with("LW") {
        return None;
    }
    let rules: Vec<Rule> = Rule::ALL
        .iter()
        .copied()
        .filter(|rule| rule.code().starts_with(&selector))
        .collect();
    (!rules.is_empty()).then_some(rules)
}

/// Where a value came from, for error messages: a file and its table, or the command line.
#[derive(Clone, Copy)]
enum Origin<'a> {
    File { path: &'a Path, pyproject: bool },
    CommandLine,
}

impl Origin<'_> {
    fn error(self, key: &str, problem: impl fmt::Display) -> SettingsError {
        SettingsError(match self {
            Origin::File { path, pyproject } => {
                let table = if pyproject {
                    " in [tool.loopwarden]"
                } else {
                    ""
                };
                format!("{}: `{key}`{table}: {problem}", path.display())
            }
            Origin::CommandLine => format!("--{key}: {problem}"),
        })
    }

    fn unknown_key(self, key: &str) -> SettingsError {
        let Origin::File { path, pyproject } = self else {
            return SettingsError(format!("unknown option `--{key}`"));
        };
        let table = if pyproject {
            " in [tool.loopwarden]"
        } else {
            ""
        };
        let hint = KNOWN_KEYS
            .iter()
            .map(|known| (edit_distance(key, known), known))
            .filter(|(distance, _)| *distance <= 2)
            .min()
            .map(|(_, known)| format!(" (did you mean `{known}`?)"))
            .unwrap_or_else(|| format!(" (known keys: {})", KNOWN_KEYS.join(", ")));
        SettingsError(format!(
            "{}: unknown key `{key}`{table}{hint}",
            path.display()
        ))
    }

    fn check_patterns(self, key: &str, patterns: &[String]) -> Result<(), SettingsError> {
        PathMatcher::new(patterns).map(drop).map_err(|error| {
            self.error(
                key,
                format_args!("invalid glob pattern: {}", glob_problem(&error)),
            )
        })
    }

    fn rules(self, key: &str, selectors: &[String]) -> Result<BTreeSet<Rule>, SettingsError> {
        let mut rules = BTreeSet::new();
        for selector in selectors {
            match expand_selector(selector.trim()) {
                Some(selected) => rules.extend(selected),
                None => {
                    return Err(self.error(
                        key,
                        format_args!(
                            "unknown rule code or prefix `{selector}` (run `loopwarden rules` for the list)"
                        ),
                    ));
                }
            }
        }
        Ok(rules)
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The options of one configuration file, checked but not yet combined.
#[derive(Debug, Default)]
struct FileOptions {
    select: Option<BTreeSet<Rule>>,
    ignore: BTreeSet<Rule>,
    extend_select: BTreeSet<Rule>,
    per_file_ignores: Vec<PerFileIgnore>,
    exclude: Option<Vec<String>>,
    extend_exclude: Vec<String>,
    force_exclude: Option<bool>,
    target_version: Option<PythonVersion>,
    sync_hooks: Vec<String>,
    blocking_calls: Vec<String>,
    async_safe_calls: Vec<String>,
    test_ignore: Option<BTreeSet<Rule>>,
    file_time_limit: Option<Option<std::time::Duration>>,
}

fn string_list(origin: Origin<'_>, key: &str, value: &Value) -> Result<Vec<String>, SettingsError> {
    let Value::Array(items) = value else {
        return Err(origin.error(
            key,
            format_args!("expected a list of strings, found {}", value.type_str()),
        ));
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(text) => Ok(text.clone()),
            other => Err(origin.error(
                key,
                format_args!(
                    "expected a list of strings, found a list containing {}",
                    other.type_str()
                ),
            )),
        })
        .collect()
}

fn parse_options(table: &Table, origin: Origin<'_>) -> Result<FileOptions, SettingsError> {
    let mut options = FileOptions::default();
    for (key, value) in table {
        match key.as_str() {
            "select" => {
                options.select = Some(origin.rules(key, &string_list(origin, key, value)?)?)
            }
            "ignore" => options.ignore = origin.rules(key, &string_list(origin, key, value)?)?,
            "extend-select" => {
                options.extend_select = origin.rules(key, &string_list(origin, key, value)?)?
            }
            "per-file-ignores" => {
                let Value::Table(entries) = value else {
                    return Err(origin.error(
                        key,
                        format_args!(
                            "expected a table of glob patterns to lists of rule codes, found {}",
                            value.type_str()
                        ),
                    ));
                };
                for (pattern, codes) in entries {
                    let entry_key = format!("per-file-ignores.\"{pattern}\"");
                    let rules =
                        origin.rules(&entry_key, &string_list(origin, &entry_key, codes)?)?;
                    let entry = PerFileIgnore::new(pattern, rules).map_err(|error| {
                        origin.error(
                            &entry_key,
                            format_args!("invalid glob pattern: {}", glob_problem(&error)),
                        )
                    })?;
                    options.per_file_ignores.push(entry);
                }
            }
            "exclude" | "extend-exclude" => {
                let patterns = string_list(origin, key, value)?;
                origin.check_patterns(key, &patterns)?;
                if key == "exclude" {
                    options.exclude = Some(patterns);
                } else {
                    options.extend_exclude = patterns;
                }
            }
            "target-version" => {
                let version = match value {
                    Value::String(text) => parse_target_version(text).ok_or_else(|| {
                        origin.error(
                            key,
                            format_args!(
                                "invalid version `{text}` (expected one of {})",
                                supported_versions_list()
                            ),
                        )
                    })?,
                    other => {
                        return Err(origin.error(
                            key,
                            format_args!(
                                "expected a string such as \"py311\", found {}",
                                other.type_str()
                            ),
                        ));
                    }
                };
                options.target_version = Some(version);
            }
            "sync-hooks" => options.sync_hooks = string_list(origin, key, value)?,
            "force-exclude" => match value {
                Value::Boolean(on) => options.force_exclude = Some(*on),
                other => {
                    return Err(origin.error(
                        key,
                        format_args!("expected true or false, found {}", other.type_str()),
                    ));
                }
            },
            "test-ignore" => {
                options.test_ignore = Some(origin.rules(key, &string_list(origin, key, value)?)?)
            }
            "file-time-limit" => {
                let seconds = match value {
                    Value::Integer(seconds) => *seconds as f64,
                    Value::Float(seconds) => *seconds,
                    other => {
                        return Err(origin.error(
                            key,
                            format_args!(
                                "expected a number of seconds, found {}",
                                other.type_str()
                            ),
                        ));
                    }
                };
                if !(seconds.is_finite() && (0.0..=86_400.0).contains(&seconds)) {
                    return Err(origin.error(
                        key,
                        format_args!("expected a number of seconds from 0 (no limit) to 86400"),
                    ));
                }
                options.file_time_limit =
                    Some((seconds > 0.0).then(|| std::time::Duration::from_secs_f64(seconds)));
            }
            "blocking-calls" => options.blocking_calls = string_list(origin, key, value)?,
            "async-safe-calls" => options.async_safe_calls = string_list(origin, key, value)?,
            _ => return Err(origin.unknown_key(key)),
        }
    }
    Ok(options)
}

fn glob_problem(error: &globset::Error) -> String {
    match error.glob() {
        Some(glob) => format!("`{glob}`: {}", error.kind()),
        None => error.kind().to_string(),
    }
}

/// A configuration file that was found and parsed.
struct ConfigFile {
    /// Absolute path.
    path: PathBuf,
    pyproject: bool,
    /// The loopwarden options: `[tool.loopwarden]`, or the whole `loopwarden.toml`.
    options: Table,
    /// `[project] requires-python` from the file, or the `pyproject.toml` beside it.
    requires_python: Option<String>,
}

fn read_toml(path: &Path) -> Result<Table, SettingsError> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| SettingsError(format!("{}: {error}", path.display())))?;
    parse_toml(&text, path)
}

fn parse_toml(text: &str, path: &Path) -> Result<Table, SettingsError> {
    text.parse::<Table>().map_err(|error| {
        SettingsError(format!(
            "{}: invalid TOML: {}",
            path.display(),
            error.to_string().trim_end()
        ))
    })
}

fn requires_python(document: &Table) -> Option<String> {
    document
        .get("project")?
        .get("requires-python")?
        .as_str()
        .map(str::to_string)
}

/// The `[tool.loopwarden]` table of a parsed `pyproject.toml`: `Ok(None)` when there is none.
fn tool_table(document: &Table, path: &Path) -> Result<Option<Table>, SettingsError> {
    let Some(tool) = document.get("tool") else {
        return Ok(None);
    };
    let Some(section) = tool.get("loopwarden") else {
        return Ok(None);
    };
    match section {
        Value::Table(table) => Ok(Some(table.clone())),
        other => Err(SettingsError(format!(
            "{}: `tool.loopwarden` must be a table, found {}",
            path.display(),
            other.type_str()
        ))),
    }
}

fn is_pyproject(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name == "pyproject.toml")
}

impl ConfigFile {
    fn from_document(path: PathBuf, document: Table) -> Result<Self, SettingsError> {
        if is_pyproject(&path) {
            let options = tool_table(&document, &path)?.unwrap_or_default();
            Ok(Self {
                requires_python: requires_python(&document),
                path,
                pyproject: true,
                options,
            })
        } else {
            // A `requires-python` beside a loopwarden.toml still tells the target version.
            let beside = path.with_file_name("pyproject.toml");
            let requires_python = read_toml(&beside).ok().as_ref().and_then(requires_python);
            Ok(Self {
                path,
                pyproject: false,
                options: document,
                requires_python,
            })
        }
    }

    /// `--config FILE`.
    fn read_explicit(path: &Path) -> Result<Self, SettingsError> {
        let path = absolutize(path);
        let document = read_toml(&path)?;
        Self::from_document(path, document)
    }
}

/// What the upward search found: the configuration file, and otherwise the nearest
/// `requires-python` seen on the way.
struct Search {
    config: Option<ConfigFile>,
    requires_python: Option<String>,
}

fn find_config(start: &Path) -> Result<Search, SettingsError> {
    let mut nearest_requires_python = None;
    for directory in start.ancestors() {
        let own = directory.join(CONFIG_FILE_NAME);
        if own.is_file() {
            let document = read_toml(&own)?;
            return Ok(Search {
                config: Some(ConfigFile::from_document(own, document)?),
                requires_python: None,
            });
        }
        let pyproject = directory.join("pyproject.toml");
        if pyproject.is_file() {
            let document = read_toml(&pyproject)?;
            if tool_table(&document, &pyproject)?.is_some() {
                return Ok(Search {
                    config: Some(ConfigFile::from_document(pyproject, document)?),
                    requires_python: None,
                });
            }
            if nearest_requires_python.is_none() {
                nearest_requires_python = requires_python(&document);
            }
        }
    }
    Ok(Search {
        config: None,
        requires_python: nearest_requires_python,
    })
}

impl Settings {
    /// Loads the settings for a run: the configuration file (`config`, or the one found from
    /// `start`, normally the first path argument; see the module documentation), then the
    /// command-line `overrides`.
    pub fn load(
        config: Option<&Path>,
        start: &Path,
        overrides: &Overrides,
    ) -> Result<Self, SettingsError> {
        let (file, requires_python) = match config {
            Some(path) => (Some(ConfigFile::read_explicit(path)?), None),
            None => {
                let search = find_config(&absolutize(start))?;
                (search.config, search.requires_python)
            }
        };
        match file {
            Some(file) => Self::from_config_file(file, overrides),
            None => {
                let mut settings = Self::default();
                if let Some(version) = requires_python
                    .as_deref()
                    .and_then(version_from_requires_python)
                {
                    settings.target_version = version;
                }
                settings.apply_overrides(FileOptions::default(), overrides)?;
                Ok(settings)
            }
        }
    }

    /// Settings from the text of a configuration file at `path` (a `pyproject.toml` is read for
    /// its `[tool.loopwarden]` table), with `overrides` on top. Patterns are relative to the
    /// file's directory.
    pub fn from_toml_str(
        text: &str,
        path: &Path,
        overrides: &Overrides,
    ) -> Result<Self, SettingsError> {
        let path = absolutize(path);
        let document = parse_toml(text, &path)?;
        Self::from_config_file(ConfigFile::from_document(path, document)?, overrides)
    }

    fn from_config_file(file: ConfigFile, overrides: &Overrides) -> Result<Self, SettingsError> {
        let origin = Origin::File {
            path: &file.path,
            pyproject: file.pyproject,
        };
        let options = parse_options(&file.options, origin)?;
        let mut settings = Self {
            project_root: file.path.parent().map(Path::to_path_buf),
            ..Self::default()
        };
        if let Some(version) = file
            .requires_python
            .as_deref()
            .and_then(version_from_requires_python)
        {
            settings.target_version = version;
        }
        settings.config_file = Some(file.path.clone());
        settings.apply_overrides(options, overrides)?;
        Ok(settings)
    }

    /// Combines the file's options and the command line, in that order (see the module docs).
    fn apply_overrides(
        &mut self,
        file: FileOptions,
        overrides: &Overrides,
    ) -> Result<(), SettingsError> {
        let cli = Origin::CommandLine;
        if let Some(select) = file.select {
            self.rules = select;
        }
        self.rules.extend(file.extend_select);
        if let Some(select) = &overrides.select {
            self.rules = cli.rules("select", select)?;
        }
        self.rules
            .extend(cli.rules("extend-select", &overrides.extend_select)?);
        for rule in file
            .ignore
            .iter()
            .chain(&cli.rules("ignore", &overrides.ignore)?)
        {
            self.rules.remove(rule);
        }

        self.per_file_ignores = file.per_file_ignores;
        if let Some(exclude) = file.exclude {
            self.exclude = exclude;
        }
        if let Some(exclude) = &overrides.exclude {
            cli.check_patterns("exclude", exclude)?;
            self.exclude.clone_from(exclude);
        }
        self.exclude.extend(file.extend_exclude);
        cli.check_patterns("extend-exclude", &overrides.extend_exclude)?;
        self.exclude
            .extend(overrides.extend_exclude.iter().cloned());
        self.force_exclude = overrides.force_exclude || file.force_exclude.unwrap_or(false);
        if let Some(version) = file.target_version {
            self.target_version = version;
        }
        if let Some(version) = overrides.target_version {
            self.target_version = version;
        }
        self.sync_hooks = file.sync_hooks;
        if let Some(test_ignore) = file.test_ignore {
            self.test_ignore = test_ignore;
        }
        self.blocking_calls = file.blocking_calls;
        self.async_safe_calls = file.async_safe_calls;
        if let Some(limit) = file.file_time_limit {
            self.file_time_limit = limit;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pyproject(text: &str) -> Result<Settings, SettingsError> {
        Settings::from_toml_str(text, Path::new("/p/pyproject.toml"), &Overrides::default())
    }

    fn own(text: &str) -> Result<Settings, SettingsError> {
        Settings::from_toml_str(text, Path::new("/p/loopwarden.toml"), &Overrides::default())
    }

    fn codes(settings: &Settings) -> Vec<&'static str> {
        settings.rules.iter().map(|rule| rule.code()).collect()
    }

    fn default_codes() -> Vec<&'static str> {
        codes(&Settings::default())
    }

    fn error(result: Result<Settings, SettingsError>) -> String {
        result
            .expect_err("expected a configuration error")
            .to_string()
    }

    #[test]
    fn empty_pyproject_gives_defaults() {
        let settings = pyproject("").unwrap();
        assert_eq!(codes(&settings), default_codes());
        assert_eq!(settings.target_version, PythonVersion::PY39);
        assert_eq!(settings.exclude.len(), DEFAULT_EXCLUDES.len());
        assert_eq!(settings.project_root.as_deref(), Some(Path::new("/p")));
        assert_eq!(
            settings.config_file.as_deref(),
            Some(Path::new("/p/pyproject.toml"))
        );
    }

    #[test]
    fn select_replaces_and_ignore_wins() {
        let settings = pyproject(
            "[tool.loopwarden]\nselect = [\"LW1\"]\nextend-select = [\"LW201\"]\nignore = [\"LW102\", \"LW201\"]\n",
        )
        .unwrap();
        let selected = codes(&settings);
        assert!(selected.contains(&"LW101"));
        assert!(selected.contains(&"LW105"));
        assert!(!selected.contains(&"LW102"));
        assert!(!selected.contains(&"LW201"));
        assert!(!selected.contains(&"LW001"));
        assert!(selected.iter().all(|code| code.starts_with("LW1")));
    }

    #[test]
    fn all_and_lw_prefix_select_everything() {
        let all = own("select = [\"ALL\"]").unwrap();
        assert_eq!(all.rules.len(), Rule::ALL.len());
        let lw = own("select = [\"LW\"]").unwrap();
        assert_eq!(lw.rules.len(), Rule::ALL.len());
        let none = own("select = []").unwrap();
        assert!(none.rules.is_empty());
    }

    #[test]
    fn extend_select_adds_to_defaults() {
        let settings = own("extend-select = [\"LW101\"]\nignore = [\"LW0\"]").unwrap();
        assert!(settings.is_enabled(Rule::BlockingIoInAsync));
        assert!(!settings.is_enabled(Rule::SyntaxError));
        assert!(!settings.is_enabled(Rule::IoError));
    }

    #[test]
    fn command_line_overrides_the_file() {
        let overrides = Overrides {
            select: Some(vec!["LW101".into(), "LW201".into()]),
            ignore: vec!["LW201".into()],
            extend_select: vec!["LW403".into()],
            target_version: Some(PythonVersion::PY312),
            ..Overrides::default()
        };
        let settings = Settings::from_toml_str(
            "[tool.loopwarden]\nselect = [\"LW3\"]\nignore = [\"LW403\"]\ntarget-version = \"py310\"\n",
            Path::new("/p/pyproject.toml"),
            &overrides,
        )
        .unwrap();
        // The file's ignore still applies (ignore wins), the file's select does not.
        assert_eq!(codes(&settings), vec!["LW101"]);
        assert_eq!(settings.target_version, PythonVersion::PY312);
    }

    #[test]
    fn command_line_errors_name_the_option() {
        let overrides = Overrides {
            select: Some(vec!["LW999".into()]),
            ..Overrides::default()
        };
        let message = Settings::from_toml_str("", Path::new("/p/loopwarden.toml"), &overrides)
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("--select: unknown rule code or prefix `LW999`"),
            "{message}"
        );
    }

    #[test]
    fn unknown_key_names_file_and_key() {
        let message = error(pyproject("[tool.loopwarden]\nselct = [\"LW101\"]\n"));
        assert!(
            message.starts_with("/p/pyproject.toml: unknown key `selct` in [tool.loopwarden] (did you mean `select`?)"),
            "{message}"
        );
        let message = error(own("colour = true"));
        assert!(
            message.starts_with(
                "/p/loopwarden.toml: unknown key `colour` (known keys: select, ignore,"
            ),
            "{message}"
        );
    }

    #[test]
    fn wrong_types_name_the_key() {
        let message = error(pyproject("[tool.loopwarden]\nselect = \"LW101\"\n"));
        assert_eq!(
            message,
            "/p/pyproject.toml: `select` in [tool.loopwarden]: expected a list of strings, found string"
        );
        let message = error(own("sync-hooks = [1]"));
        assert_eq!(
            message,
            "/p/loopwarden.toml: `sync-hooks`: expected a list of strings, found a list containing integer"
        );
        let message = error(own("target-version = 311"));
        assert!(message.contains("`target-version`"), "{message}");
        let message = error(own("per-file-ignores = [\"x\"]"));
        assert!(message.contains("`per-file-ignores`"), "{message}");
        let message = error(pyproject("[tool]\nloopwarden = 3\n"));
        assert!(message.contains("tool.loopwarden"), "{message}");
    }

    #[test]
    fn unknown_codes_are_errors() {
        for bad in ["LW999", "LW9", "E501", "lw999", "", "L"] {
            let message = error(own(&format!("ignore = [\"{bad}\"]")));
            assert!(
                message.starts_with(&format!(
                    "/p/loopwarden.toml: `ignore`: unknown rule code or prefix `{bad}`"
                )),
                "{message}"
            );
        }
        let message = error(own("[per-file-ignores]\n\"tests/*\" = [\"LW777\"]"));
        assert!(
            message.contains("per-file-ignores.\"tests/*\""),
            "{message}"
        );
        assert!(message.contains("LW777"), "{message}");
    }

    #[test]
    fn codes_and_prefixes_are_read_in_any_case() {
        let settings = own("select = [\"lw1\"]\nignore = [\"Lw102\"]").unwrap();
        assert!(settings.is_enabled(Rule::BlockingIoInAsync));
        assert!(!settings.is_enabled(Rule::BlockingCpuInAsync));
        assert!(!settings.is_enabled(Rule::GetEventLoop));
        assert_eq!(
            own("select = [\"all\"]").unwrap().rules.len(),
            Rule::ALL.len()
        );
        assert_eq!(Rule::from_code("lw103"), Some(Rule::TransitiveBlockingCall));
    }

    #[test]
    fn command_line_excludes_replace_and_extend_the_file() {
        let overrides = Overrides {
            exclude: Some(vec!["cli".into()]),
            extend_exclude: vec!["more".into()],
            ..Overrides::default()
        };
        let settings = Settings::from_toml_str(
            "exclude = [\"a\"]\nextend-exclude = [\"b\"]\n",
            Path::new("/p/loopwarden.toml"),
            &overrides,
        )
        .unwrap();
        assert_eq!(settings.exclude, vec!["cli", "b", "more"]);
        let overrides = Overrides {
            extend_exclude: vec!["[".into()],
            ..Overrides::default()
        };
        let message = Settings::from_toml_str("", Path::new("/p/loopwarden.toml"), &overrides)
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("--extend-exclude: invalid glob pattern"),
            "{message}"
        );
    }

    #[test]
    fn force_exclude_judges_the_path_and_its_directories_below_the_root() {
        let settings =
            own("force-exclude = true\nextend-exclude = [\"gen_*.py\", \"./legacy\"]").unwrap();
        assert!(settings.force_exclude);
        assert!(settings.is_excluded(Path::new("/p/build/x.py")));
        assert!(settings.is_excluded(Path::new("/p/app/gen_api.py")));
        assert!(settings.is_excluded(Path::new("/p/legacy/deep/x.py")));
        assert!(!settings.is_excluded(Path::new("/p/app/legacy/x.py")));
        assert!(!settings.is_excluded(Path::new("/p/app/api.py")));
        // Directories above the project root are not the project's to exclude.
        let nested = Settings::from_toml_str(
            "",
            Path::new("/build/p/loopwarden.toml"),
            &Overrides::default(),
        )
        .unwrap();
        assert!(!nested.is_excluded(Path::new("/build/p/app.py")));
        assert!(!own("").unwrap().force_exclude);
        let message = error(own("force-exclude = \"yes\""));
        assert!(
            message.contains("`force-exclude`: expected true or false"),
            "{message}"
        );
    }

    #[test]
    fn target_versions() {
        for minor in 8..=14 {
            let settings = own(&format!("target-version = \"py3{minor}\"")).unwrap();
            assert_eq!(settings.target_version, PythonVersion { major: 3, minor });
        }
        for bad in ["py27", "py37", "py315", "3.11", "py3", "py311 ", "py0311"] {
            let message = error(own(&format!("target-version = \"{bad}\"")));
            assert!(
                message.starts_with(&format!(
                    "/p/loopwarden.toml: `target-version`: invalid version `{bad}`"
                )),
                "{message}"
            );
            assert!(message.contains("py38, py39, py310"), "{message}");
        }
    }

    #[test]
    fn requires_python_sets_the_default_target() {
        let cases = [
            (">=3.10", Some(PythonVersion::PY310)),
            ("~=3.11.2", Some(PythonVersion::PY311)),
            ("==3.12.*", Some(PythonVersion::PY312)),
            ("<4, >=3.9", Some(PythonVersion::PY39)),
            (">=3.6", Some(PythonVersion::PY38)),
            (">=3.20", Some(PythonVersion::PY314)),
            (">=3", Some(PythonVersion::PY38)),
            ("<3.12", None),
            ("", None),
            ("garbage", None),
        ];
        for (specifier, expected) in cases {
            assert_eq!(
                version_from_requires_python(specifier),
                expected,
                "{specifier}"
            );
        }
        let settings =
            pyproject("[project]\nrequires-python = \">=3.11\"\n[tool.loopwarden]\n").unwrap();
        assert_eq!(settings.target_version, PythonVersion::PY311);
        let settings =
            pyproject("[project]\nrequires-python = \">=3.11\"\n[tool.loopwarden]\ntarget-version = \"py313\"\n")
                .unwrap();
        assert_eq!(settings.target_version, PythonVersion::PY313);
    }

    #[test]
    fn invalid_toml_names_the_file() {
        let message = error(pyproject("[tool.loopwarden\n"));
        assert!(
            message.starts_with("/p/pyproject.toml: invalid TOML:"),
            "{message}"
        );
    }

    #[test]
    fn exclude_replaces_and_extend_exclude_adds() {
        let settings = own("extend-exclude = [\"generated\"]").unwrap();
        assert_eq!(settings.exclude.len(), DEFAULT_EXCLUDES.len() + 1);
        let settings = own("exclude = [\"a\"]\nextend-exclude = [\"b\"]").unwrap();
        assert_eq!(settings.exclude, vec!["a".to_string(), "b".to_string()]);
        let message = error(own("exclude = [\"a[\"]"));
        assert!(
            message.starts_with("/p/loopwarden.toml: `exclude`: invalid glob pattern"),
            "{message}"
        );
    }

    #[test]
    fn per_file_ignores_match_relative_paths_and_names() {
        let settings = own(concat!(
            "test-ignore = []\n",
            "[per-file-ignores]\n",
            "\"tests/*\" = [\"LW101\"]\n",
            "\"conftest.py\" = [\"LW3\"]\n",
            "\"/abs/*.py\" = [\"LW201\"]\n",
        ))
        .unwrap();
        let rule = Rule::BlockingIoInAsync;
        assert!(!settings.is_enabled_for(rule, Path::new("/p/tests/test_a.py")));
        assert!(!settings.is_enabled_for(rule, Path::new("/p/tests/sub/test_a.py")));
        assert!(settings.is_enabled_for(rule, Path::new("/p/app/tests.py")));
        assert!(settings.is_enabled_for(rule, Path::new("/elsewhere/tests/test_a.py")));
        assert!(settings.is_enabled_for(Rule::GetEventLoop, Path::new("/p/tests/test_a.py")));
        assert!(
            !settings.is_enabled_for(Rule::DanglingTask, Path::new("/p/deep/down/conftest.py"))
        );
        assert!(settings.is_enabled_for(Rule::DanglingTask, Path::new("/p/deep/down/other.py")));
        assert!(!settings.is_enabled_for(Rule::GetEventLoop, Path::new("/abs/x.py")));
        assert!(settings.is_enabled_for(Rule::GetEventLoop, Path::new("/p/abs/x.py")));
    }

    #[test]
    fn test_code_is_named_test_or_lives_below_a_tests_directory() {
        let root = Path::new("/p");
        for test in [
            "/p/tests/unit/helpers.py",
            "/p/pkg/test/x.py",
            "/p/pkg/test_api.py",
            "/p/pkg/api_test.py",
            "/p/conftest.py",
            "/p/pkg/test_stubs.pyi",
        ] {
            assert!(is_test_file(Path::new(test), root), "{test}");
        }
        for not_test in [
            "/p/pkg/testing_utils.py",
            "/p/pkg/contest.py",
            "/p/pkg/latest.py",
            "/p/attestation/tests.py",
        ] {
            assert!(!is_test_file(Path::new(not_test), root), "{not_test}");
        }
        // Directories above the project root do not make its code test code.
        assert!(!is_test_file(
            Path::new("/home/me/test/p/app.py"),
            Path::new("/home/me/test/p")
        ));
    }

    #[test]
    fn test_ignore_turns_rules_off_in_test_code_and_can_be_emptied() {
        let defaults = own("").unwrap();
        let in_test = Path::new("/p/tests/test_api.py");
        let in_app = Path::new("/p/app/api.py");
        assert!(!defaults.is_enabled_for(Rule::BlockingIoInAsync, in_test));
        assert!(defaults.is_enabled_for(Rule::BlockingIoInAsync, in_app));
        assert!(defaults.is_enabled_for(Rule::UnawaitedCoroutine, in_test));
        let everything = own("test-ignore = []").unwrap();
        assert!(everything.is_enabled_for(Rule::BlockingIoInAsync, in_test));
        let chosen = own("test-ignore = [\"LW3\"]").unwrap();
        assert!(chosen.is_enabled_for(Rule::BlockingIoInAsync, in_test));
        assert!(!chosen.is_enabled_for(Rule::UnawaitedCoroutine, in_test));
        assert!(chosen.is_enabled_for(Rule::UnawaitedCoroutine, in_app));
    }

    #[test]
    fn exclude_matcher_matches_names_anywhere_and_anchored_paths() {
        let matcher =
            PathMatcher::new(&["build", "./app/legacy", "*_pb2.py", "./top", "dist/"]).unwrap();
        let root = Path::new("/p");
        assert!(matcher.is_match(Path::new("/p/build"), root));
        assert!(matcher.is_match(Path::new("/p/src/pkg/build"), root));
        assert!(matcher.is_match(Path::new("/p/app/legacy"), root));
        assert!(!matcher.is_match(Path::new("/p/other/app/legacy"), root));
        assert!(matcher.is_match(Path::new("/p/x/y_pb2.py"), root));
        assert!(!matcher.is_match(Path::new("/p/builder"), root));
        assert!(matcher.is_match(Path::new("/p/top"), root));
        assert!(!matcher.is_match(Path::new("/p/sub/top"), root));
        assert!(matcher.is_match(Path::new("/p/sub/dist"), root));
    }

    #[test]
    fn absolutize_is_lexical() {
        assert_eq!(absolutize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert!(absolutize(Path::new(".")).is_absolute());
    }

    #[test]
    fn search_skips_pyproject_without_tool_table() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("pyproject.toml"),
            "[tool.loopwarden]\nignore = [\"LW101\"]\n",
        )
        .unwrap();
        let inner = root.join("pkg");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(
            inner.join("pyproject.toml"),
            "[project]\nrequires-python = \">=3.12\"\n",
        )
        .unwrap();
        let settings = Settings::load(None, &inner.join("app.py"), &Overrides::default()).unwrap();
        assert_eq!(
            settings.config_file,
            Some(absolutize(&root.join("pyproject.toml")))
        );
        assert!(!settings.is_enabled(Rule::BlockingIoInAsync));

        // loopwarden.toml wins in its directory and takes requires-python from beside it.
        std::fs::write(inner.join("loopwarden.toml"), "select = [\"LW2\"]\n").unwrap();
        let settings = Settings::load(None, &inner, &Overrides::default()).unwrap();
        assert_eq!(
            settings.config_file,
            Some(absolutize(&inner.join("loopwarden.toml")))
        );
        assert_eq!(settings.target_version, PythonVersion::PY312);
        assert!(
            settings
                .rules
                .iter()
                .all(|rule| rule.code().starts_with("LW2"))
        );
    }

    #[test]
    fn explicit_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("custom.toml");
        std::fs::write(&config, "select = [\"LW101\"]\n").unwrap();
        let settings = Settings::load(
            Some(&config),
            Path::new("/nonexistent"),
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(codes(&settings), vec!["LW101"]);
        let missing = dir.path().join("missing.toml");
        let message = Settings::load(Some(&missing), Path::new("."), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("missing.toml: No such file or directory"),
            "{message}"
        );
    }
}
