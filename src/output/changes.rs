//! What `check --watch` prints after a re-check: the findings that appeared (`+`) and the
//! ones that went (`-`), each as its concise line, then one summary line.
//!
//! A finding is the same finding across runs when its file, rule, message and the text of
//! its line are: a line added above it moves it, and that is not news. Two identical
//! findings are counted, not merged.

use std::collections::HashMap;
use std::io::{self, Write};

use super::concise;
use super::options::RenderOptions;
use super::style::Paint;
use crate::report::{Finding, Report};

/// A run's findings, kept for comparing with the next run.
#[derive(Debug, Default)]
pub struct Snapshot {
    findings: Vec<(Identity, Finding)>,
}

/// File, rule, message and the trimmed text of the finding's first line.
type Identity = (String, &'static str, String, String);

impl Snapshot {
    pub fn of(report: &Report) -> Self {
        let findings = report
            .files
            .iter()
            .flat_map(|file| {
                file.findings.iter().map(move |finding| {
                    let line = file
                        .line_index
                        .line_text(finding.location.row.saturating_sub(1), &file.source)
                        .trim()
                        .to_string();
                    let identity = (
                        finding.filename.clone(),
                        finding.rule.code(),
                        finding.message.clone(),
                        line,
                    );
                    (identity, finding.clone())
                })
            })
            .collect();
        Self { findings }
    }

    pub fn len(&self) -> usize {
        self.findings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }
}

/// The difference between two runs, each list in output order.
#[derive(Debug, Default)]
pub struct Changes<'a> {
    pub new: Vec<&'a Finding>,
    pub fixed: Vec<&'a Finding>,
}

impl Changes<'_> {
    pub fn is_empty(&self) -> bool {
        self.new.is_empty() && self.fixed.is_empty()
    }
}

pub fn changes<'a>(before: &'a Snapshot, after: &'a Snapshot) -> Changes<'a> {
    Changes {
        new: missing_from(after, before),
        fixed: missing_from(before, after),
    }
}

/// The findings of `these` that `others` does not have (as many times as it lacks them).
fn missing_from<'a>(these: &'a Snapshot, others: &Snapshot) -> Vec<&'a Finding> {
    let mut available: HashMap<&Identity, usize> = HashMap::new();
    for (identity, _) in &others.findings {
        *available.entry(identity).or_default() += 1;
    }
    these
        .findings
        .iter()
        .filter(|(identity, _)| match available.get_mut(identity) {
            Some(count) if *count > 0 => {
                *count -= 1;
                false
            }
            _ => true,
        })
        .map(|(_, finding)| finding)
        .collect()
}

/// The first run of a watch: every finding, then `Watching for changes: N findings.`
pub fn render_first(
    snapshot: &Snapshot,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let paint = Paint::new(options.color);
    for (_, finding) in &snapshot.findings {
        concise::write_line(finding, paint, out)?;
    }
    if !options.quiet {
        writeln!(
            out,
            "Watching for changes: {}.",
            count(snapshot.len(), "finding", "findings")
        )?;
    }
    out.flush()
}

/// A re-check: `- ` fixed and `+ ` new findings, then `1 new, 2 fixed: 3 findings.`
pub fn render_changes(
    changes: &Changes,
    total: usize,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let paint = Paint::new(options.color);
    for finding in &changes.fixed {
        write!(out, "- ")?;
        concise::write_line(finding, paint, out)?;
    }
    for finding in &changes.new {
        write!(out, "+ ")?;
        concise::write_line(finding, paint, out)?;
    }
    if !options.quiet {
        writeln!(
            out,
            "{} new, {} fixed: {}.",
            changes.new.len(),
            changes.fixed.len(),
            count(total, "finding", "findings")
        )?;
    }
    out.flush()
}

fn count(number: usize, one: &str, many: &str) -> String {
    format!("{number} {}", if number == 1 { one } else { many })
}
