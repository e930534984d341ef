//! `check --runtime-report FILE`: joins what the runtime companion (`python -m
//! loopwarden.runtime`) observed with the static findings.
//!
//! A report is JSON lines, one observation each (format version 1, docs/runtime.md). An
//! observation confirms a static finding of the same family (the table below) when it is at
//! the finding's file and row, when its stack passes through the finding's row (an LW103
//! reported at a coroutine's call of a helper the stack went through), or when the finding's
//! chain passes through the observation's row (an LW104 reported where a function is sent to
//! a thread, observed inside that function). A confirmed finding carries the observations
//! ([`RuntimeSeen`]). An observation that confirms nothing becomes a finding of its own, under
//! its code, marked "runtime only", with its stack as the chain: what the static analysis
//! missed. Observations in files that were not checked, of rules that are off for their file,
//! at rows the file does not have (the code changed since), or of a kind that only confirms
//! ([`CONFIRM_ONLY_KINDS`]) are counted, not reported.
//!
//! Files are matched by their canonical path, else by the checked path being a trailing part
//! of the report's path (a report written in a container, under `/app/src/...`).

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use ruff_text_size::{TextRange, TextSize};
use serde_json::Value;

use crate::diagnostic::ChainStep;
use crate::registry::Rule;
use crate::report::{Finding, Report, RuntimeObservation, RuntimeSeen, sort_findings};
use crate::settings::{Settings, absolutize};
use crate::source::LineIndex;

/// The report format this build reads.
pub const FORMAT_VERSION: u64 = 1;

/// Codes whose findings and observations are about the same kind of problem: an observation
/// confirms a finding of its own family only.
const FAMILIES: &[&[&str]] = &[
    // The loop held by a blocking call, directly or through helpers.
    &["LW101", "LW102", "LW103", "LW105"],
    // Loop-affine calls from another thread.
    &["LW104"],
    // A loop driven from the wrong place.
    &["LW201", "LW202"],
    // Tasks dropped, destroyed pending, or failed unseen.
    &["LW301", "LW304"],
    // Coroutines never awaited.
    &["LW302", "LW303"],
    // A gather's failures and its other awaitables.
    &["LW401", "LW402", "LW404"],
];

/// Observations that are evidence for a finding but no problem on their own: a gather that
/// returned exceptions is what correct code sees too; it confirms an LW402 (nobody looks at
/// them), and is not reported without one.
const CONFIRM_ONLY_KINDS: &[&str] = &["gather-returned-exceptions"];

fn family(code: &str) -> Option<usize> {
    FAMILIES.iter().position(|members| members.contains(&code))
}

/// What joining a report did, for the line `check` prints on stderr.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JoinSummary {
    pub observations: usize,
    /// Static findings that an observation confirmed.
    pub confirmed: usize,
    /// Observations reported as findings of their own.
    pub runtime_only: usize,
    /// Observations not reported: in a file that was not checked, of a rule that is off
    /// there, or at a row past the end of the file.
    pub not_reported: usize,
}

/// Reads a report file.
pub fn read(path: &Path) -> Result<Vec<RuntimeObservation>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read the runtime report {}: {error}", path.display()))?;
    parse(&text).map_err(|error| format!("runtime report {}: {error}", path.display()))
}

/// Parses a report's text; an error names the line.
pub fn parse(text: &str) -> Result<Vec<RuntimeObservation>, String> {
    let mut observations = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line)
            .map_err(|error| format!("line {}: not JSON: {error}", index + 1))?;
        let observation =
            observation(&value).map_err(|error| format!("line {}: {error}", index + 1))?;
        observations.push(observation);
    }
    Ok(observations)
}

fn observation(value: &Value) -> Result<RuntimeObservation, String> {
    let version = value
        .get("version")
        .and_then(Value::as_u64)
        .ok_or("no `version`")?;
    if version != FORMAT_VERSION {
        return Err(format!(
            "format version {version}, this loopwarden reads version {FORMAT_VERSION}"
        ));
    }
    let text = |key: &str| value.get(key).and_then(Value::as_str);
    let code = text("code").ok_or("no `code`")?;
    let file = text("file").ok_or("no `file`")?;
    let row = value
        .get("row")
        .and_then(Value::as_u64)
        .filter(|&row| row > 0)
        .ok_or("no `row` (a positive integer)")?;
    let stack = match value.get("stack") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(frames)) => frames
            .iter()
            .map(|frame| {
                Some(ChainStep {
                    name: frame.get("function")?.as_str()?.to_string(),
                    filename: frame.get("file")?.as_str()?.to_string(),
                    row: usize::try_from(frame.get("row")?.as_u64()?).ok()?,
                })
            })
            .collect::<Option<Vec<_>>>()
            .ok_or("a `stack` frame without `file`, `row` and `function`")?,
        Some(_) => return Err("`stack` is not a list".into()),
    };
    let micros = |key: &str| -> Result<Option<u64>, String> {
        match value.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(number) => number
                .as_f64()
                .filter(|ms| ms.is_finite() && *ms >= 0.0)
                .map(|ms| Some((ms * 1000.0).round() as u64))
                .ok_or(format!("`{key}` is not a number of milliseconds")),
        }
    };
    Ok(RuntimeObservation {
        kind: text("kind").unwrap_or("observed").to_string(),
        code: code.to_string(),
        file: file.to_string(),
        row: usize::try_from(row).map_err(|_| "`row` is too large")?,
        function: text("function").unwrap_or_default().to_string(),
        stack,
        count: value.get("count").and_then(Value::as_u64).unwrap_or(1),
        total_us: micros("total_ms")?.unwrap_or(0),
        max_us: micros("max_ms")?.unwrap_or(0),
        threshold_us: micros("threshold_ms")?,
    })
}

/// Which checked file a report's path names.
struct FileMatcher {
    canonical: HashMap<PathBuf, usize>,
    /// Each checked file's path as normal components, for the trailing-part match.
    components: Vec<Vec<String>>,
    cache: HashMap<String, Option<usize>>,
}

impl FileMatcher {
    fn new(report: &Report) -> Self {
        let mut canonical = HashMap::new();
        let mut components = Vec::new();
        for (index, file) in report.files.iter().enumerate() {
            let path = Path::new(&file.display_path);
            canonical.insert(canonical_path(path), index);
            components.push(normal_components(path));
        }
        Self {
            canonical,
            components,
            cache: HashMap::new(),
        }
    }

    fn find(&mut self, file: &str) -> Option<usize> {
        if let Some(&known) = self.cache.get(file) {
            return known;
        }
        let path = Path::new(file);
        let found = self
            .canonical
            .get(&canonical_path(path))
            .copied()
            .or_else(|| {
                let parts = normal_components(path);
                // The longest checked path that the report's path ends with.
                self.components
                    .iter()
                    .enumerate()
                    .filter(|(_, checked)| !checked.is_empty() && parts.ends_with(checked))
                    .max_by_key(|(_, checked)| checked.len())
                    .map(|(index, _)| index)
            });
        self.cache.insert(file.to_string(), found);
        found
    }
}

fn canonical_path(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| absolutize(path))
}

fn normal_components(path: &Path) -> Vec<String> {
    path.components()
        .filter_map(|component| match component {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect()
}

/// Marks the findings of `report` that `observations` confirm, and adds the observations
/// that confirm none as runtime-only findings.
pub fn join(
    report: &mut Report,
    observations: Vec<RuntimeObservation>,
    settings: &Settings,
) -> JoinSummary {
    let mut summary = JoinSummary {
        observations: observations.len(),
        ..JoinSummary::default()
    };
    let mut files = FileMatcher::new(report);
    let mut unconfirmed = Vec::new();
    for mut observation in observations {
        let Some(observed_family) = family(&observation.code) else {
            summary.not_reported += 1;
            continue;
        };
        // The stack in the names the output uses for checked files.
        let stack_files: Vec<Option<usize>> = observation
            .stack
            .iter()
            .map(|step| files.find(&step.filename))
            .collect();
        for (step, file) in observation.stack.iter_mut().zip(&stack_files) {
            if let Some(index) = file {
                step.filename = report.files[*index].display_path.clone();
            }
        }
        let site = files.find(&observation.file);
        let mut confirmed_any = false;
        for (file_index, file) in report.files.iter_mut().enumerate() {
            for finding in &mut file.findings {
                if family(finding.rule.code()) != Some(observed_family) {
                    continue;
                }
                let row = finding.location.row;
                let at_site = site == Some(file_index) && row == observation.row;
                let stack_passes = observation
                    .stack
                    .iter()
                    .zip(&stack_files)
                    .any(|(step, &f)| f == Some(file_index) && step.row == row);
                let chain_passes = site.is_some_and(|site_index| {
                    finding.chain.iter().any(|step| {
                        step.row == observation.row
                            && files.find(&step.filename) == Some(site_index)
                    })
                });
                if at_site || stack_passes || chain_passes {
                    confirmed_any = true;
                    let seen = finding.runtime.get_or_insert_with(|| RuntimeSeen {
                        only_at_runtime: false,
                        observations: Vec::new(),
                    });
                    seen.observations.push(observation.clone());
                }
            }
        }
        if !confirmed_any {
            unconfirmed.push((site, observation));
        }
    }
    summary.confirmed = report
        .findings()
        .filter(|finding| {
            finding
                .runtime
                .as_ref()
                .is_some_and(|seen| !seen.only_at_runtime)
        })
        .count();

    for (site, observation) in unconfirmed {
        let reported = site
            .filter(|_| !CONFIRM_ONLY_KINDS.contains(&observation.kind.as_str()))
            .and_then(|index| runtime_only_finding(report, index, &observation, settings));
        match reported {
            Some((index, finding)) => {
                report.files[index].findings.push(finding);
                summary.runtime_only += 1;
            }
            None => summary.not_reported += 1,
        }
    }
    for file in &mut report.files {
        sort_findings(&mut file.findings);
    }
    summary
}

/// An observation no static finding matched, as a finding of its own in checked file `index`.
fn runtime_only_finding(
    report: &mut Report,
    index: usize,
    observation: &RuntimeObservation,
    settings: &Settings,
) -> Option<(usize, Finding)> {
    let rule = Rule::from_code(&observation.code)?;
    let file = &mut report.files[index];
    if !settings.is_enabled_for(rule, &absolutize(Path::new(&file.display_path))) {
        return None;
    }
    if file.source.is_empty() {
        // A file without static findings gave its text up after the analysis.
        let source = std::fs::read_to_string(&file.display_path).ok()?;
        file.line_index = LineIndex::new(&source);
        file.source = source;
    }
    if observation.row > file.line_index.line_count() {
        return None;
    }
    let line = observation.row - 1;
    let text = file.line_index.line_text(line, &file.source);
    let indent = text.len() - text.trim_start().len();
    let start = file.line_index.line_start(line) + TextSize::try_from(indent).ok()?;
    let end = start + TextSize::try_from(text.trim().len()).ok()?;
    let seen = RuntimeSeen {
        only_at_runtime: true,
        observations: vec![observation.clone()],
    };
    let function = if observation.function.is_empty() {
        String::new()
    } else {
        format!(" in `{}`", observation.function)
    };
    let message = format!(
        "Seen at run time only{function}: {} (no static finding here)",
        seen.summary()
    );
    let location = file.line_index.location(start, &file.source);
    let end_location = file.line_index.location(end, &file.source);
    Some((
        index,
        Finding {
            rule,
            message,
            help: None,
            filename: file.display_path.clone(),
            location,
            end_location,
            fix: None,
            noqa_row: observation.row,
            chain: observation.stack.clone(),
            range: TextRange::new(start, end),
            cell: None,
            runtime: Some(seen),
        },
    ))
}
