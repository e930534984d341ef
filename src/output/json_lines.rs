//! `--output-format json-lines`: one compact JSON object per line, the same objects as `json`.

use std::io::{self, Write};

use super::json::JsonFinding;
use crate::report::Report;

/// Into a `Vec`, not a `dyn Write`: the serializer makes many small writes, each a
/// virtual call through a `dyn Write`.
pub(super) fn render(report: &Report, out: &mut Vec<u8>) -> io::Result<()> {
    for finding in report.findings() {
        serde_json::to_writer(&mut *out, &JsonFinding::new(finding))?;
        writeln!(out)?;
    }
    Ok(())
}
