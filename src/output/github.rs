//! `--output-format github`: GitHub Actions workflow commands, one annotation per finding:
//! `::error title=loopwarden (LW101),file=app.py,line=3,col=5,endLine=3,endColumn=14::LW101 message`.

use std::io::{self, Write};

use crate::report::Report;

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for finding in report.findings() {
        let code = finding.rule.code();
        let seen = match &finding.runtime {
            Some(seen) if !seen.only_at_runtime => {
                format!(" [seen at run time: {}]", seen.summary())
            }
            _ => String::new(),
        };
        writeln!(
            out,
            "::error title={},file={},line={},col={},endLine={},endColumn={}::{}",
            escape_property(&format!("loopwarden ({code})")),
            escape_property(&finding.filename),
            finding.location.row,
            finding.location.column,
            finding.end_location.row,
            finding.end_location.column,
            escape_data(&format!("{code} {}{seen}", finding.message)),
        )?;
    }
    Ok(())
}

/// The message of a workflow command: `%`, `\r` and `\n` are percent-encoded.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value of a workflow command: as [`escape_data`], plus `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
