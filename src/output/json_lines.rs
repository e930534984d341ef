//! `--output-format json-lines`: one compact JSON object per line, the same objects as `json`.

use std::io::{self, Write};

use super::json::JsonFinding;
use crate::report::Report;

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for finding in report.findings() {
        serde_json::to_writer(&mut *out, &JsonFinding::new(finding))?;
        writeln!(out)?;
    }
    Ok(())
}
