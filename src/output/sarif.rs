//! `--output-format sarif`: a SARIF 2.1.0 log with one run, the metadata of every rule, and
//! one result per finding (for GitHub code scanning and other SARIF viewers).
//!
//! Columns are loopwarden's character columns, so the run says `"columnKind":
//! "unicodeCodePoints"` (SARIF's default would be UTF-16 code units). Relative paths become
//! relative URI references (resolved against the repository root by GitHub), absolute paths
//! `file://` URIs.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use super::json::JsonRuntime;
use crate::registry::Rule;
use crate::report::{Finding, Report};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/loopwarden/loopwarden";

/// Into a `Vec`, not a `dyn Write`: the serializer makes many small writes, each a
/// virtual call through a `dyn Write`.
pub(super) fn render(report: &Report, out: &mut Vec<u8>) -> io::Result<()> {
    let log = SarifLog {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "loopwarden",
                    information_uri: INFORMATION_URI,
                    version: env!("CARGO_PKG_VERSION"),
                    rules: Rule::ALL.iter().map(|&rule| SarifRule::new(rule)).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results: report
                .findings()
                .map(|finding| SarifResult::new(finding, report))
                .collect(),
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[derive(Serialize)]
struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    information_uri: &'static str,
    version: &'static str,
    rules: Vec<SarifRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help_uri: String,
    default_configuration: Configuration,
}

impl SarifRule {
    fn new(rule: Rule) -> Self {
        Self {
            id: rule.code(),
            name: rule.name(),
            short_description: Text {
                text: short_description(rule),
            },
            full_description: Text {
                text: crate::rules::docs(rule).to_string(),
            },
            help_uri: rule.url(),
            default_configuration: Configuration {
                enabled: rule.enabled_by_default(),
                level: "error",
            },
        }
    }
}

/// The rule's one-line summary: the first sentence of what it does, whole.
fn short_description(rule: Rule) -> String {
    super::rule_docs::summary(crate::rules::docs(rule), rule.name())
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Configuration {
    enabled: bool,
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [ResultLocation; 1],
    /// `{"runtime": ...}` on findings the runtime companion saw (`--runtime-report`).
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties<'a>>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    runtime: JsonRuntime<'a>,
}

impl<'a> SarifResult<'a> {
    fn new(finding: &'a Finding, report: &Report) -> Self {
        // A path that is not UTF-8 is shown with U+FFFD in its place in every other format;
        // its URI percent-encodes the bytes it really has.
        let path = report
            .path_bytes
            .get(&finding.filename)
            .map_or(finding.filename.as_bytes(), Vec::as_slice);
        Self {
            rule_id: finding.rule.code(),
            rule_index: Rule::ALL
                .iter()
                .position(|&rule| rule == finding.rule)
                .unwrap_or_default(),
            level: "error",
            message: Text {
                text: finding.message.clone(),
            },
            locations: [ResultLocation {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: artifact_uri(path),
                    },
                    region: Region {
                        start_line: finding.location.row,
                        start_column: finding.location.column,
                        end_line: finding.end_location.row,
                        end_column: finding.end_location.column,
                    },
                },
            }],
            properties: finding.runtime.as_ref().map(|seen| ResultProperties {
                runtime: JsonRuntime::new(seen),
            }),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

/// 1-based lines and character columns; `endColumn` is the column after the span, as in SARIF.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

/// A path as a URI reference: `/` separators, percent-encoded where a URI needs it;
/// absolute paths as `file://` URIs.
fn artifact_uri(path: &[u8]) -> String {
    let path: Vec<u8> = path
        .iter()
        .map(|&byte| if byte == b'\\' { b'/' } else { byte })
        .collect();
    let is_drive = path.len() >= 2 && path[0].is_ascii_alphabetic() && path[1] == b':';
    if is_drive {
        // `C:/x/y.py` -> `file:///C:/x/y.py`
        format!(
            "file:///{}:{}",
            char::from(path[0]),
            percent_encode(&path[2..])
        )
    } else if path.starts_with(b"/") {
        format!("file://{}", percent_encode(&path))
    } else {
        percent_encode(&path)
    }
}

/// Percent-encodes every byte outside RFC 3986's unreserved characters and `/` (so a `:` in
/// a relative path is not read as a scheme, and `#`, `?`, `%` and spaces stay in the path).
fn percent_encode(path: &[u8]) -> String {
    let mut encoded = String::with_capacity(path.len());
    for &byte in path {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            encoded.push(char::from(byte));
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}
