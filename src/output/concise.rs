//! `--output-format concise`: one line per finding, `path:row:col: CODE message`, then the
//! summary.

use std::io::{self, Write};

use super::options::RenderOptions;
use super::style::{Paint, printable};
use super::summary;
use crate::report::{Finding, Report};

pub(super) fn render(
    report: &Report,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let paint = Paint::new(options.color);
    for finding in report.findings() {
        write_one_line(finding, paint, out)?;
    }
    summary::write(report, options, paint, out)
}

/// `path:row:col: CODE message` (`path:cell N:row:col: ...` in a notebook, as Ruff writes
/// it), the first line of a finding in the human formats.
pub(super) fn write_line(finding: &Finding, paint: Paint, out: &mut dyn Write) -> io::Result<()> {
    let location = finding.shown(finding.location);
    let cell = finding
        .cell
        .map(|cell| format!("cell {}:", cell.number))
        .unwrap_or_default();
    writeln!(
        out,
        "{}:{cell}{}:{}: {} {}",
        paint.path(&printable(&finding.filename)),
        location.row,
        location.column,
        paint.code(finding.rule.code()),
        printable(&finding.message),
    )
}

/// `path:row:col: CODE message [seen at run time: ...]`: a finding on one line.
fn write_one_line(finding: &Finding, paint: Paint, out: &mut dyn Write) -> io::Result<()> {
    match &finding.runtime {
        Some(seen) if !seen.only_at_runtime => writeln!(
            out,
            "{}:{}:{}: {} {} [seen at run time: {}]",
            paint.path(&printable(&finding.filename)),
            finding.location.row,
            finding.location.column,
            paint.code(finding.rule.code()),
            printable(&finding.message),
            printable(&seen.summary()),
        ),
        _ => write_line(finding, paint, out),
    }
}
