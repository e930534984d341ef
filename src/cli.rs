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
    Check(CheckArgs),
    /// List every rule: code, name, and whether it runs by default.
    Rules,
    /// Explain a rule: why it matters, a bad and a good example.
    Rule {
        /// A rule code (`LW101`) or name (`blocking-io-in-async`).
        rule: String,
    },
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

    /// List the files that would be checked, and the entries skipped with the reason, then
    /// exit without checking.
    #[arg(long)]
    pub show_files: bool,

    /// Also say on stderr what was skipped (entries of walked directories that are not
    /// regular files) and why.
    #[arg(short, long)]
    pub verbose: bool,
}

fn target_version(text: &str) -> Result<PythonVersion, String> {
    parse_target_version(text)
        .ok_or_else(|| "expected one of py38, py39, py310, py311, py312, py313, py314".to_string())
}
