//! Settings: which rules run, on which files, for which Python version.
//! (Loading from `pyproject.toml` / `loopwarden.toml` is being written; see `Settings::load`.)

use std::collections::BTreeSet;

use ruff_python_ast::PythonVersion;

use crate::rules::Rule;

#[derive(Clone, Debug)]
pub struct Settings {
    /// Rules that run (after select / extend-select / ignore).
    pub rules: BTreeSet<Rule>,
    /// `per-file-ignores`: glob pattern, and the rules it turns off for matching files.
    pub per_file_ignores: Vec<(String, BTreeSet<Rule>)>,
    /// `exclude` + `extend-exclude` glob patterns.
    pub exclude: Vec<String>,
    pub target_version: PythonVersion,
    /// Qualified method names (`pkg.mod.Class.method`) that frameworks call from inside a running loop.
    pub sync_hooks: Vec<String>,
    /// Extra qualified names to treat as blocking I/O (LW101).
    pub blocking_calls: Vec<String>,
    /// Qualified names never to report as blocking.
    pub async_safe_calls: Vec<String>,
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
            exclude: Vec::new(),
            target_version: PythonVersion { major: 3, minor: 9 },
            sync_hooks: Vec::new(),
            blocking_calls: Vec::new(),
            async_safe_calls: Vec::new(),
        }
    }
}

impl Settings {
    pub fn is_enabled(&self, rule: Rule) -> bool {
        self.rules.contains(&rule)
    }
}

impl Settings {
    /// Whether `rule` runs on `path`, after `per-file-ignores`.
    pub fn is_enabled_for(&self, rule: Rule, _path: &std::path::Path) -> bool {
        self.is_enabled(rule)
    }
}
