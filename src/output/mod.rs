//! Output formats: one file per format. [`render`] writes a [`Report`] in the chosen format.
//!
//! Every format is a pure function of the report: findings are written in the report's order
//! (files sorted by path, findings by position) and nothing iterates a hash map, so the same
//! report always gives the same bytes. `Report::errors` (paths that do not exist and the like)
//! are not written here: they are not findings, and the caller reports them on stderr.

use std::io::{self, Write};

use crate::registry::Rule;
use crate::report::Report;

pub use options::RenderOptions;

pub mod changes;
mod concise;
mod exact_paths;
mod files;
mod github;
mod json;
mod json_lines;
mod options;
mod rule_docs;
mod sarif;
mod statistics;
mod style;
mod summary;
mod text;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Concise,
    Json,
    JsonLines,
    Sarif,
    Github,
}

/// Writes `report` to `out` in `format`.
pub fn render(
    format: OutputFormat,
    report: &Report,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut rendered = Vec::new();
    match format {
        OutputFormat::Text => text::render(report, options, &mut rendered)?,
        OutputFormat::Concise => concise::render(report, options, &mut rendered)?,
        OutputFormat::Json => return write_json(report, out),
        OutputFormat::JsonLines => json_lines::render(report, &mut rendered)?,
        OutputFormat::Sarif => sarif::render(report, &mut rendered)?,
        OutputFormat::Github => github::render(report, &mut rendered)?,
    }
    // SARIF keeps strictly valid JSON for code-scanning services: its URIs percent-encode
    // the exact bytes already.
    let restored = match format {
        OutputFormat::Sarif => rendered,
        OutputFormat::Json | OutputFormat::JsonLines => {
            exact_paths::restore(rendered, report, true)
        }
        _ => exact_paths::restore(rendered, report, false),
    };
    out.write_all(&restored)?;
    out.flush()
}

/// The JSON array, its parts written as they are, unless a path's exact bytes must be put
/// back in them.
fn write_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let parts = json::render(report)?;
    if report.path_bytes.is_empty() {
        for part in &parts {
            out.write_all(part)?;
        }
    } else {
        out.write_all(&exact_paths::restore(parts.concat(), report, true))?;
    }
    out.flush()
}

pub use files::render_file_list;

/// `--statistics`: one line per rule code with its count, most frequent first.
pub fn render_statistics(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut rendered = Vec::new();
    statistics::render(report, &mut rendered)?;
    out.write_all(&exact_paths::restore(rendered, report, false))?;
    out.flush()
}

/// `loopwarden rule CODE`: the rule's documentation, styled for a terminal when `color` is
/// on, as written (Markdown) otherwise. Its title is the documentation's first line.
pub fn render_rule(rule: Rule, color: bool, out: &mut dyn Write) -> io::Result<()> {
    rule_docs::render(crate::rules::docs(rule), color, out)
}
