//! What the human formats share: the rendering options, and the questions they ask of
//! every finding.

use crate::diagnostic::Applicability;
use crate::report::{FileFindings, Finding, Report};

#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// ANSI colour (only when stdout is a terminal and `NO_COLOR` is unset; main.rs decides).
    /// Only the human formats (`text`, `concise`) are ever coloured.
    pub color: bool,
    /// Whether `--unsafe-fixes` is on: the summary of the human formats then counts unsafe
    /// fixes as fixable instead of as hidden.
    pub unsafe_fixes: bool,
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
