//! The command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use loopwarden::output::OutputFormat;
use loopwarden::settings::parse_target_version;
use ruff_python_ast::PythonVersion;

/// Finds the asyncio pitfalls that take Python services down.
#[derive(Debug, Parser)]
#[command(name = "loopwarden", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Python files for asyncio pitfalls.
    Check(Box<CheckArgs>),
    /// List every rule: code, name, and whether it runs by default.
    Rules,
    /// Explain a rule: why it matters, a bad and a good example.
    Rule {
        /// A rule code (`LW101`) or name (`blocking-io-in-async`).
        rule: String,
    },
    /// Run the language server on standard input and output (for editors; see docs/editors.md).
    Server,
    /// Remove the cache directory (`.loopwarden_cache` at the project root, or `--cache-dir`).
    Clean(CacheArgs),
}

/// Where the cache is (see docs/cache.md).
#[derive(Debug, Args)]
pub struct CacheArgs {
    /// The cache directory (default: `.loopwarden_cache` in the directory of the
    /// configuration file, else in the current directory).
    #[arg(long, env = "LOOPWARDEN_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check. The configuration is searched for upward from the first one.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Rules to run, replacing the configuration's selection (codes or prefixes, comma-separated; `ALL`).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Option<Vec<String>>,

    /// Rules to turn off (comma-separated codes or prefixes).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,

    /// Rules to run in addition to the selection (comma-separated codes or prefixes).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub extend_select: Vec<String>,

    /// How to print the findings.
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    pub output_format: OutputFormat,

    /// The oldest Python version the code must run on (py38 … py314).
    #[arg(long, value_parser = target_version, value_name = "VERSION")]
    pub target_version: Option<PythonVersion>,

    /// Use this configuration file instead of searching for pyproject.toml / loopwarden.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Exit with 0 even when there are findings (errors still exit with 2).
    #[arg(long)]
    pub exit_zero: bool,

    /// Apply the safe fixes to the files, then report what is left.
    #[arg(long)]
    pub fix: bool,

    /// With `--fix`, also apply the unsafe fixes (they change behaviour, e.g. move a call to a
    /// worker thread); without `--fix`, count them as fixable in the summary.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print a unified diff of what `--fix` would change, and write nothing; exit 1 when
    /// there is a diff.
    #[arg(long, conflicts_with = "fix_only")]
    pub diff: bool,

    /// Apply the fixes like `--fix`, and report nothing but how many were applied and how
    /// many findings remain.
    #[arg(long)]
    pub fix_only: bool,

    /// List the fixes applied (with `--fix`, `--fix-only` or `--diff`).
    #[arg(long)]
    pub show_fixes: bool,

    /// Print the number of findings per rule instead of the findings.
    #[arg(long)]
    pub statistics: bool,

    /// Check the text on standard input as the file at this path, inside its project (an
    /// editor's unsaved buffer): only that file's findings are printed.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// Print how long each phase took on stderr.
    #[arg(long)]
    pub timings: bool,

    /// Files and directories not to check (glob patterns, comma-separated), replacing the
    /// configuration's `exclude` (its `extend-exclude` still applies).
    #[arg(long, value_delimiter = ',', value_name = "PATTERNS")]
    pub exclude: Option<Vec<String>>,

    /// Files and directories not to check, in addition to the configured ones.
    #[arg(long, value_delimiter = ',', value_name = "PATTERNS")]
    pub extend_exclude: Vec<String>,

    /// Apply the exclusions to the paths named on the command line too.
    #[arg(long)]
    pub force_exclude: bool,

    /// Report `# noqa` codes that suppress nothing (turns on LW003 unused-noqa).
    #[arg(long)]
    pub report_unused_noqa: bool,

    /// Write the report to this file instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Print the findings and nothing else (no summary, no "Fixed" line).
    #[arg(short, long, conflicts_with = "silent")]
    pub quiet: bool,

    /// Print no findings and no summary: the exit code tells (errors still go to stderr).
    #[arg(short, long)]
    pub silent: bool,

    /// Print the settings a check would use (configuration file, rules, excludes...) and exit.
    #[arg(long)]
    pub show_settings: bool,

    /// Check, then check again whenever a Python or configuration file changes, printing
    /// the findings that appeared and the ones that went. Ctrl-C stops.
    #[arg(
        short,
        long,
        conflicts_with_all = ["fix", "statistics", "stdin_filename", "output_file", "silent"]
    )]
    pub watch: bool,

    /// Join a report of the runtime companion (`python -m loopwarden.runtime`): mark the
    /// findings it confirms, and report what it saw that no rule found (docs/runtime.md).
    #[arg(long, value_name = "FILE")]
    pub runtime_report: Option<PathBuf>,

    /// List the files that would be checked, and the entries skipped with the reason, then
    /// exit without checking.
    #[arg(long)]
    pub show_files: bool,

    /// Also say on stderr what was skipped (entries of walked directories that are not
    /// regular files) and why, and what the cache did.
    #[arg(short, long)]
    pub verbose: bool,

    /// Neither read nor write the cache.
    #[arg(
        long,
        env = "LOOPWARDEN_NO_CACHE",
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    pub no_cache: bool,

    #[command(flatten)]
    pub cache: CacheArgs,
}

fn target_version(text: &str) -> Result<PythonVersion, String> {
    parse_target_version(text)
        .ok_or_else(|| "expected one of py38, py39, py310, py311, py312, py313, py314".to_string())
}
