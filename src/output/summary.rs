//! The closing lines of the human formats: how many findings, how many `--fix` can apply
//! (none with `--quiet`).

use std::io::{self, Write};

use super::options::{RenderOptions, is_fixable};
use super::style::Paint;
use crate::diagnostic::Applicability;
use crate::report::Report;

/// `Found 3 errors.` or `All checks passed!`, then, when fixes exist, Ruff's wording:
/// `[*] 2 fixable with the `--fix` option (1 hidden fix can be enabled with the
/// `--unsafe-fixes` option).`
pub(super) fn write(
    report: &Report,
    options: &RenderOptions,
    paint: Paint,
    out: &mut dyn Write,
) -> io::Result<()> {
    if options.quiet {
        return Ok(());
    }
    let total = report.finding_count();
    if total == 0 {
        if report.has_errors() {
            // Not a pass: some paths were not checked (the caller prints why on stderr).
            let errors = report.errors.len();
            writeln!(
                out,
                "No findings, but {errors} {} prevented a complete check.",
                plural(errors, "error", "errors")
            )?;
        } else {
            writeln!(out, "{}", paint.success("All checks passed!"))?;
        }
        return Ok(());
    }
    writeln!(out, "Found {total} {}.", plural(total, "error", "errors"))?;

    let fixable = report
        .findings()
        .filter(|finding| is_fixable(finding, options))
        .count();
    let hidden = if options.unsafe_fixes {
        0
    } else {
        report
            .findings()
            .filter(|finding| {
                finding
                    .fix
                    .as_ref()
                    .is_some_and(|fix| fix.applicability == Applicability::Unsafe)
            })
            .count()
    };
    let hidden_note = format!(
        "{hidden} hidden {} can be enabled with the `--unsafe-fixes` option",
        plural(hidden, "fix", "fixes")
    );
    match (fixable, hidden) {
        (0, 0) => {}
        (0, _) => writeln!(out, "No fixes available ({hidden_note}).")?,
        (_, 0) => writeln!(
            out,
            "{} {fixable} fixable with the `--fix` option.",
            paint.fixable("[*]")
        )?,
        (_, _) => writeln!(
            out,
            "{} {fixable} fixable with the `--fix` option ({hidden_note}).",
            paint.fixable("[*]")
        )?,
    }
    Ok(())
}

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}
