//! What the human formats share: the rendering options, and the questions they ask of
//! every finding.

use std::collections::BTreeMap;

use crate::diagnostic::{Applicability, ChainStep};
use crate::registry::Rule;
use crate::report::{FileFindings, Finding, Report};

#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// ANSI colour (only when stdout is a terminal and `NO_COLOR` is unset; main.rs decides).
    /// Only the human formats (`text`, `concise`) are ever coloured.
    pub color: bool,
    /// Whether `--unsafe-fixes` is on: the summary of the human formats then counts unsafe
    /// fixes as fixable instead of as hidden.
    pub unsafe_fixes: bool,
    /// `--quiet`: the human formats print the findings without the summary.
    pub quiet: bool,
}

/// Every finding with the file it is in (for code frames), in output order.
pub(super) fn findings_with_files(
    report: &Report,
) -> impl Iterator<Item = (&FileFindings, &Finding)> {
    report
        .files
        .iter()
        .flat_map(|file| file.findings.iter().map(move |finding| (file, finding)))
}

/// Whether `--fix` would apply this finding's fix under `options`.
pub(super) fn is_fixable(finding: &Finding, options: &RenderOptions) -> bool {
    finding
        .fix
        .as_ref()
        .is_some_and(|fix| match fix.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => options.unsafe_fixes,
            Applicability::DisplayOnly => false,
        })
}

/// The helper an LW103 finding is about: its chain after the first step (the helper's
/// definition down to the blocking call). Call sites of one helper share it: one problem,
/// many places to fix it.
pub(super) fn helper_chain(finding: &Finding) -> Option<&[ChainStep]> {
    (finding.rule == Rule::TransitiveBlockingCall && finding.chain.len() > 1)
        .then(|| &finding.chain[1..])
}

/// Every LW103 finding of `report`, grouped by the helper it calls, in output order.
pub(super) fn helper_call_sites(report: &Report) -> BTreeMap<&[ChainStep], Vec<&Finding>> {
    let mut groups: BTreeMap<&[ChainStep], Vec<&Finding>> = BTreeMap::new();
    for finding in report.findings() {
        if let Some(helper) = helper_chain(finding) {
            groups.entry(helper).or_default().push(finding);
        }
    }
    groups
}
