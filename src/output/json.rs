//! `--output-format json`: a pretty-printed JSON array (two-space indent), one object per
//! finding, with Ruff's field names so tools that read Ruff's JSON read ours, plus
//! loopwarden's `chain` and `help`.
//!
//! The objects are serialized from structs whose fields are declared in alphabetical order,
//! so the key order is fixed whatever `serde_json` features are enabled in the build.

use std::io::{self, Write};

use serde::Serialize;

use crate::report::{Finding, FindingEdit, FindingFix, Report};
use crate::source::Location;

pub(super) fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let findings: Vec<JsonFinding> = report.findings().map(JsonFinding::new).collect();
    serde_json::to_writer_pretty(&mut *out, &findings)?;
    writeln!(out)
}

/// One finding as JSON (shared with `json-lines`).
#[derive(Serialize)]
pub(super) struct JsonFinding<'a> {
    /// The notebook cell (1-based, as Ruff counts them: every cell), `null` outside
    /// notebooks. In a notebook, rows are rows of that cell.
    cell: Option<usize>,
    /// `null` for a local finding, else the call chain from the async function to the blocking call.
    chain: Option<Vec<JsonChainStep<'a>>>,
    code: &'static str,
    end_location: JsonLocation,
    filename: &'a str,
    fix: Option<JsonFix<'a>>,
    help: Option<&'a str>,
    location: JsonLocation,
    message: &'a str,
    name: &'static str,
    noqa_row: usize,
    url: String,
}

impl<'a> JsonFinding<'a> {
    pub(super) fn new(finding: &'a Finding) -> Self {
        let chain = (!finding.chain.is_empty()).then(|| {
            finding
                .chain
                .iter()
                .map(|step| JsonChainStep {
                    filename: &step.filename,
                    name: &step.name,
                    row: step.row,
                })
                .collect()
        });
        Self {
            cell: finding.cell.map(|cell| cell.number),
            chain,
            code: finding.rule.code(),
            end_location: finding.shown(finding.end_location).into(),
            filename: &finding.filename,
            fix: finding.fix.as_ref().map(|fix| JsonFix::new(fix, finding)),
            help: finding.help.as_deref(),
            location: finding.shown(finding.location).into(),
            message: &finding.message,
            name: finding.rule.name(),
            noqa_row: finding
                .shown(Location {
                    row: finding.noqa_row,
                    column: 1,
                })
                .row,
            url: finding.rule.url(),
        }
    }
}

#[derive(Serialize)]
struct JsonChainStep<'a> {
    filename: &'a str,
    name: &'a str,
    row: usize,
}

/// 1-based row and character column.
#[derive(Serialize)]
struct JsonLocation {
    column: usize,
    row: usize,
}

impl From<Location> for JsonLocation {
    fn from(location: Location) -> Self {
        Self {
            column: location.column,
            row: location.row,
        }
    }
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'static str,
    edits: Vec<JsonEdit<'a>>,
    message: &'a str,
}

impl<'a> JsonFix<'a> {
    fn new(fix: &'a FindingFix, finding: &Finding) -> Self {
        Self {
            applicability: fix.applicability.as_str(),
            edits: fix
                .edits
                .iter()
                .map(|edit| JsonEdit::new(edit, finding))
                .collect(),
            message: &fix.message,
        }
    }
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    content: &'a str,
    end_location: JsonLocation,
    location: JsonLocation,
}

impl<'a> JsonEdit<'a> {
    fn new(edit: &'a FindingEdit, finding: &Finding) -> Self {
        Self {
            content: &edit.content,
            end_location: finding.shown(edit.end_location).into(),
            location: finding.shown(edit.location).into(),
        }
    }
}
