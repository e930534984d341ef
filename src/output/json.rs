//! `--output-format json`: a pretty-printed JSON array (two-space indent), one object per
//! finding, with Ruff's field names so tools that read Ruff's JSON read ours, plus
//! loopwarden's `chain` and `help`.
//!
//! The objects are serialized from structs whose fields are declared in alphabetical order,
//! so the key order is fixed whatever `serde_json` features are enabled in the build.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use crate::report::{Finding, FindingEdit, FindingFix, Report, RuntimeSeen};
use crate::source::Location;

/// Into a `Vec`, not a `dyn Write`: the serializer makes many small writes, each a
/// virtual call through a `dyn Write`.
///
/// The findings are serialized on several threads, a run of them each, and joined: the
/// bytes are `serde_json`'s pretty array exactly (each object indented one level), and on a
/// cached run of a large project rendering them was the longest step left on one thread.
pub(super) fn render(report: &Report, out: &mut Vec<u8>) -> io::Result<()> {
    let findings: Vec<&Finding> = report.findings().collect();
    if findings.is_empty() {
        return writeln!(out, "[]");
    }
    let runs: Vec<Vec<u8>> = findings
        .par_chunks(RUN)
        .map(|run| {
            let mut rendered = Vec::new();
            for finding in run {
                let object = serde_json::to_vec_pretty(&JsonFinding::new(finding))?;
                rendered.extend_from_slice(b",\n");
                indented(&object, &mut rendered);
            }
            Ok(rendered)
        })
        .collect::<serde_json::Result<_>>()?;
    out.extend_from_slice(b"[");
    for (number, run) in runs.iter().enumerate() {
        // Every run starts with the separator; the first finding's is only a line break.
        let skip = usize::from(number == 0);
        out.extend_from_slice(&run[skip..]);
    }
    out.extend_from_slice(b"\n]\n");
    Ok(())
}

/// Findings per task of [`render`]: enough that a task outweighs its scheduling.
const RUN: usize = 64;

/// `object`, a pretty-printed JSON value, one level deeper: two spaces before every line.
/// (A JSON string holds no raw line break, so every one is between tokens.)
fn indented(object: &[u8], out: &mut Vec<u8>) {
    out.reserve(object.len() + object.len() / 16);
    let mut rest = object;
    while let Some(end) = memchr::memchr(b'\n', rest) {
        out.extend_from_slice(b"  ");
        out.extend_from_slice(&rest[..=end]);
        rest = &rest[end + 1..];
    }
    out.extend_from_slice(b"  ");
    out.extend_from_slice(rest);
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
    /// Only with `--runtime-report`, on findings the runtime companion saw.
    #[serde(skip_serializing_if = "Option::is_none")]
    runtime: Option<JsonRuntime<'a>>,
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
            runtime: finding.runtime.as_ref().map(JsonRuntime::new),
            url: finding.rule.url(),
        }
    }
}

/// What the runtime companion saw at a finding (shared with SARIF's result properties).
#[derive(Serialize)]
pub(super) struct JsonRuntime<'a> {
    observations: Vec<JsonObservation<'a>>,
    only_at_runtime: bool,
    summary: String,
}

impl<'a> JsonRuntime<'a> {
    pub(super) fn new(seen: &'a RuntimeSeen) -> Self {
        Self {
            observations: seen
                .observations
                .iter()
                .map(|observation| JsonObservation {
                    code: &observation.code,
                    count: observation.count,
                    file: &observation.file,
                    function: &observation.function,
                    kind: &observation.kind,
                    max_ms: milliseconds(observation.max_us),
                    row: observation.row,
                    stack: observation
                        .stack
                        .iter()
                        .map(|step| JsonChainStep {
                            filename: &step.filename,
                            name: &step.name,
                            row: step.row,
                        })
                        .collect(),
                    threshold_ms: observation.threshold_us.map(milliseconds),
                    total_ms: milliseconds(observation.total_us),
                })
                .collect(),
            only_at_runtime: seen.only_at_runtime,
            summary: seen.summary(),
        }
    }
}

fn milliseconds(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

/// One line of the runtime report, as read.
#[derive(Serialize)]
struct JsonObservation<'a> {
    code: &'a str,
    count: u64,
    file: &'a str,
    function: &'a str,
    kind: &'a str,
    max_ms: f64,
    row: usize,
    stack: Vec<JsonChainStep<'a>>,
    threshold_ms: Option<f64>,
    total_ms: f64,
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
