//! Output formats: one file per format. [`render`] writes a [`Report`] in the chosen format.

use std::io::{self, Write};

use crate::report::Report;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Concise,
    Json,
    JsonLines,
    Sarif,
    Github,
}

#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// ANSI colour (only when stdout is a terminal and `NO_COLOR` is unset; main.rs decides).
    pub color: bool,
}

/// Writes `report` to `out` in `format`.
pub fn render(_format: OutputFormat, _report: &Report, _options: &RenderOptions, _out: &mut dyn Write) -> io::Result<()> {
    Ok(())
}

/// `--statistics`: one line per rule code with its count, most frequent first.
pub fn render_statistics(_report: &Report, _out: &mut dyn Write) -> io::Result<()> {
    Ok(())
}
