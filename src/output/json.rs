//! `--output-format json`: a pretty-printed JSON array (two-space indent), one object per
//! finding, with Ruff's field names so tools that read Ruff's JSON read ours, plus
//! loopwarden's `chain` and `help`.
//!
//! The objects are serialized from structs whose fields are declared in alphabetical order,
//! so the key order is fixed whatever `serde_json` features are enabled in the build.

use std::io;

use rayon::prelude::*;
use serde::Serialize;

use crate::report::{Finding, FindingEdit, FindingFix, Report, RuntimeSeen};
use crate::source::Location;

/// The output as its parts, in order: their concatenation is the JSON array. The caller
/// writes them one after another (or joins them when a path's exact bytes must be put back):
/// on a cached run of a large project, joining 3.4 MB into one buffer grew it by copies and
/// faulted in its pages for nothing.
///
/// The findings are written on several threads, a run of them each: the bytes are
/// `serde_json`'s pretty array exactly (each object indented one level), and on a cached run
/// of a large project rendering them was the longest step left on one thread.
pub(super) fn render(report: &Report) -> io::Result<Vec<Vec<u8>>> {
    let findings: Vec<&Finding> = report.findings().collect();
    if findings.is_empty() {
        return Ok(vec![b"[]\n".to_vec()]);
    }
    let mut parts: Vec<Vec<u8>> = Vec::with_capacity(findings.len().div_ceil(RUN) + 2);
    parts.push(b"[".to_vec());
    let runs: Vec<Vec<u8>> = findings
        .par_chunks(RUN)
        .enumerate()
        .map(|(number, run)| {
            let mut rendered = Vec::with_capacity(run.len() * BYTES_PER_FINDING);
            for (at, finding) in run.iter().enumerate() {
                // Every finding but the very first follows a separator.
                let first = number == 0 && at == 0;
                rendered.extend_from_slice(if first { b"\n" } else { b",\n" });
                write_finding(finding, &mut rendered)?;
            }
            Ok(rendered)
        })
        .collect::<io::Result<_>>()?;
    parts.extend(runs);
    parts.push(b"\n]\n".to_vec());
    Ok(parts)
}

/// Findings per task of [`render`]: enough that a task outweighs its scheduling.
const RUN: usize = 64;

/// Room made for a finding's JSON before it is written: the benchmark corpus averages
/// 1.9 KB (3.35 MB for 1,766 findings, most with a chain), so a run's buffer seldom grows.
const BYTES_PER_FINDING: usize = 2048;

/// One finding as `serde_json::to_vec_pretty(&JsonFinding::new(finding))` writes it, every
/// line indented one level further, appended to `out`.
///
/// Written by hand: serializing through `serde_json` (a call per token, a byte at a time
/// through its escape table for every string, then an indentation pass copying the
/// object) was a third of a cached run's instructions past loading the cache. The bytes
/// are the same (`tests` below compares both on findings that use every field); a finding
/// the runtime companion saw, which only `--runtime-report` gives, still goes through
/// `serde_json`.
fn write_finding(finding: &Finding, out: &mut Vec<u8>) -> io::Result<()> {
    if finding.runtime.is_some() {
        let object = serde_json::to_vec_pretty(&JsonFinding::new(finding))?;
        indented(&object, out);
        return Ok(());
    }
    out.extend_from_slice(b"  ");
    let mut object = Nested::object(out, 1);
    object.key(b"cell");
    match finding.cell {
        Some(cell) => number(object.out, cell.number),
        None => object.out.extend_from_slice(b"null"),
    }
    object.key(b"chain");
    if finding.chain.is_empty() {
        object.out.extend_from_slice(b"null");
    } else {
        let mut steps = Nested::array(object.out, 2);
        for step in &finding.chain {
            let mut json = Nested::object(steps.item(), 3);
            json.key(b"filename");
            string(json.out, &step.filename)?;
            json.key(b"name");
            string(json.out, &step.name)?;
            json.key(b"row");
            number(json.out, step.row);
            json.close();
        }
        steps.close();
    }
    object.key(b"code");
    string(object.out, finding.rule.code())?;
    object.key(b"end_location");
    location(object.out, 2, finding.shown(finding.end_location));
    object.key(b"filename");
    string(object.out, &finding.filename)?;
    object.key(b"fix");
    match &finding.fix {
        Some(fix) => {
            let mut json = Nested::object(object.out, 2);
            json.key(b"applicability");
            string(json.out, fix.applicability.as_str())?;
            json.key(b"edits");
            let mut edits = Nested::array(json.out, 3);
            for edit in &fix.edits {
                let mut json = Nested::object(edits.item(), 4);
                json.key(b"content");
                string(json.out, &edit.content)?;
                json.key(b"end_location");
                location(json.out, 5, finding.shown(edit.end_location));
                json.key(b"location");
                location(json.out, 5, finding.shown(edit.location));
                json.close();
            }
            edits.close();
            json.key(b"message");
            string(json.out, &fix.message)?;
            json.close();
        }
        None => object.out.extend_from_slice(b"null"),
    }
    object.key(b"help");
    match &finding.help {
        Some(help) => string(object.out, help)?,
        None => object.out.extend_from_slice(b"null"),
    }
    object.key(b"location");
    location(object.out, 2, finding.shown(finding.location));
    object.key(b"message");
    string(object.out, &finding.message)?;
    object.key(b"name");
    string(object.out, finding.rule.name())?;
    object.key(b"noqa_row");
    let noqa_row = finding.shown(Location {
        row: finding.noqa_row,
        column: 1,
    });
    number(object.out, noqa_row.row);
    object.key(b"url");
    string(object.out, &finding.rule.url())?;
    object.close();
    Ok(())
}

/// A JSON object or array being written at `depth` (its closing bracket's indentation):
/// each entry on a line of its own one level deeper, as `serde_json`'s pretty printer puts
/// it.
struct Nested<'o> {
    out: &'o mut Vec<u8>,
    depth: usize,
    empty: bool,
    closing: u8,
}

/// An object: entries start with [`Nested::key`].
type Object<'o> = Nested<'o>;
/// An array: elements start with [`Nested::item`].
type Array<'o> = Nested<'o>;

impl<'o> Nested<'o> {
    fn object(out: &'o mut Vec<u8>, depth: usize) -> Object<'o> {
        Self::open(out, depth, [b'{', b'}'])
    }

    fn array(out: &'o mut Vec<u8>, depth: usize) -> Array<'o> {
        Self::open(out, depth, [b'[', b']'])
    }

    fn open(out: &'o mut Vec<u8>, depth: usize, [opening, closing]: [u8; 2]) -> Self {
        out.push(opening);
        Self {
            out,
            depth,
            empty: true,
            closing,
        }
    }

    /// Starts the next element of an array; it is written next, into what this returns.
    fn item(&mut self) -> &mut Vec<u8> {
        line_break(self.out, !self.empty, self.depth + 1);
        self.empty = false;
        self.out
    }

    /// Starts the next entry of an object: `key` (plain ASCII, nothing to escape) and the
    /// separator; its value is written next.
    fn key(&mut self, key: &[u8]) {
        let out = self.item();
        out.push(b'"');
        out.extend_from_slice(key);
        out.extend_from_slice(b"\": ");
    }

    fn close(self) {
        if !self.empty {
            line_break(self.out, false, self.depth);
        }
        self.out.push(self.closing);
    }
}

/// A comma when `comma`, a line break, and the indentation of `depth`: one copy out of
/// [`BREAKS`] (a token's separator was three small copies, the most frequent writes).
fn line_break(out: &mut Vec<u8>, comma: bool, depth: usize) {
    let start = usize::from(!comma);
    match BREAKS.get(start..2 + 2 * depth) {
        Some(bytes) => out.extend_from_slice(bytes),
        None => {
            out.extend_from_slice(&BREAKS[start..2]);
            out.extend(std::iter::repeat_n(b' ', 2 * depth));
        }
    }
}

/// A comma, a line break and the indentation of the deepest line a finding has (its fix's
/// edits' locations' keys, six levels).
const BREAKS: &[u8] = b",\n            ";

/// A [`JsonLocation`] whose closing brace is indented at `depth`.
fn location(out: &mut Vec<u8>, depth: usize, location: Location) {
    let mut object = Nested::object(out, depth);
    object.key(b"column");
    number(object.out, location.column);
    object.key(b"row");
    number(object.out, location.row);
    object.close();
}

/// `value` in decimal, as `serde_json` writes an unsigned integer (with the same crate).
fn number(out: &mut Vec<u8>, value: usize) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// `text` as a JSON string. Most strings (paths, names, most messages) hold nothing JSON
/// escapes (a quote, a backslash, a control character): those are copied whole, after one
/// pass that the compiler vectorizes; any other is written by `serde_json`, whose escapes
/// these are.
fn string(out: &mut Vec<u8>, text: &str) -> io::Result<()> {
    let escapes = text.bytes().fold(false, |any, byte| {
        any | (byte < 0x20) | (byte == b'"') | (byte == b'\\')
    });
    if escapes {
        serde_json::to_writer(&mut *out, text)?;
    } else {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
    Ok(())
}

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

/// One finding as JSON (shared with `json-lines`; `json` writes the same bytes by hand,
/// [`write_finding`]: a field added here is added there, which its test checks).
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

#[cfg(test)]
mod tests {
    use ruff_text_size::{TextRange, TextSize};

    use super::*;
    use crate::diagnostic::{Applicability, ChainStep};
    use crate::notebook::Cell;
    use crate::registry::Rule;
    use crate::report::RuntimeObservation;

    /// Strings JSON must escape, and ones it must not.
    const AWKWARD: [&str; 4] = [
        "plain text, é and ✓ kept as they are",
        "a \"quoted\" C:\\path\\",
        "tab\there, line\nbreak, return\r, bell\u{7}, unit\u{1f}, delete\u{7f}",
        "",
    ];

    fn location(row: usize, column: usize) -> Location {
        Location { row, column }
    }

    fn finding(variant: usize) -> Finding {
        let text = |at: usize| AWKWARD[(variant + at) % AWKWARD.len()].to_string();
        let edit = |row: usize| FindingEdit {
            content: text(row),
            location: location(row, 3),
            end_location: location(row, 12_345_678),
            range: TextRange::empty(TextSize::from(0)),
        };
        Finding {
            rule: [
                Rule::TransitiveBlockingCall,
                Rule::UnusedNoqa,
                Rule::SyntaxError,
            ][variant % 3],
            message: text(0),
            help: variant.is_multiple_of(2).then(|| text(1)),
            filename: text(2),
            location: location(7, 1),
            end_location: location(9, 40),
            fix: match variant % 3 {
                0 => None,
                1 => Some(FindingFix {
                    applicability: Applicability::Unsafe,
                    message: text(3),
                    edits: vec![edit(7), edit(8)],
                }),
                _ => Some(FindingFix {
                    applicability: Applicability::Safe,
                    message: text(1),
                    edits: Vec::new(),
                }),
            },
            noqa_row: 7,
            chain: (0..variant % 3)
                .map(|step| ChainStep {
                    name: text(step),
                    filename: text(step + 1),
                    row: step * 1000,
                })
                .collect(),
            range: TextRange::empty(TextSize::from(0)),
            runtime: (variant == 5).then(|| RuntimeSeen {
                only_at_runtime: false,
                observations: vec![RuntimeObservation {
                    kind: "blocked".to_string(),
                    code: "LW101".to_string(),
                    file: text(0),
                    row: 3,
                    function: text(1),
                    stack: Vec::new(),
                    count: 2,
                    total_us: 1500,
                    max_us: 1000,
                    threshold_us: None,
                }],
            }),
            cell: (variant % 4 == 3).then_some(Cell {
                number: 4,
                first_row: 5,
                last_row: 20,
            }),
        }
    }

    /// The hand-written JSON is `serde_json`'s pretty printing of [`JsonFinding`], byte for
    /// byte, indented one level: on findings with and without every optional field, strings
    /// that need escapes and ones that do not, and one the runtime companion saw.
    #[test]
    fn a_finding_is_written_as_serde_json_prints_it() {
        for variant in 0..12 {
            let finding = finding(variant);
            let mut expected = Vec::new();
            indented(
                &serde_json::to_vec_pretty(&JsonFinding::new(&finding)).unwrap(),
                &mut expected,
            );
            let mut written = Vec::new();
            write_finding(&finding, &mut written).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                String::from_utf8(expected).unwrap(),
                "variant {variant}"
            );
        }
    }

    /// The parts joined are the pretty array `serde_json` prints, across several runs.
    #[test]
    fn the_parts_joined_are_the_pretty_array() {
        let findings: Vec<Finding> = (0..RUN * 2 + 5).map(finding).collect();
        let report = Report::new(
            vec![crate::report::FileFindings {
                display_path: "a.py".to_string(),
                source: String::new(),
                line_index: crate::source::LineIndex::default(),
                findings: findings.clone(),
            }],
            Vec::new(),
            1,
        );
        let objects: Vec<JsonFinding> = findings.iter().map(JsonFinding::new).collect();
        let mut expected = serde_json::to_vec_pretty(&objects).unwrap();
        expected.push(b'\n');
        assert_eq!(
            String::from_utf8(render(&report).unwrap().concat()).unwrap(),
            String::from_utf8(expected).unwrap()
        );
        let empty = Report::default();
        assert_eq!(render(&empty).unwrap().concat(), b"[]\n");
    }
}
