//! LW004 check-incomplete: a file the walk checked only in part, because its code nests
//! deeper than [`MAX_NESTING`] levels or its time ran out (`file-time-limit`). Reported at
//! the first statement or expression left unchecked, so no finding is ever dropped in
//! silence.

use ruff_text_size::TextRange;

use crate::checker::{Checker, MAX_NESTING};
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW004 check-incomplete

## What it does
Reports a file that loopwarden checked only in part, at the first place it did not check:

- code nested more than 10,000 levels deep (statements and expressions counted together),
  which no check descends into: every walk over a tree must end on any input, and stay
  within its stack;
- a file whose checks ran longer than the per-file time limit, `file-time-limit` in the
  configuration (30 seconds by default; `0` turns the limit off): the rest of the file is
  not checked, and the run goes on with the next file.

The file's other findings, from the part that was checked, are reported as usual; the
run's exit code is 1.

## Why is this bad?
A finding in the unchecked part would be missing without a word, and a green run would be
a false promise.

## Example
Generated code ten thousand `if` blocks deep, or a module of several hundred megabytes.

## Use instead
Exclude generated files that are not meant to be read by people (`extend-exclude`), or
raise `file-time-limit` for a file that is large but legitimate.
"#;

/// Reports where the walk stopped, if it did.
pub(crate) fn check_module(checker: &mut Checker) {
    if let Some(at) = checker.nesting_limit_at {
        checker.report(Diagnostic::new(
            Rule::CheckIncomplete,
            format!(
                "Code nested more than {MAX_NESTING} levels deep is not checked, from here on \
                 inside this statement"
            ),
            TextRange::empty(at),
        ));
    }
    if let (Some(at), Some(limit)) = (checker.stopped_at, checker.settings.file_time_limit) {
        checker.report(Diagnostic::new(
            Rule::CheckIncomplete,
            format!(
                "Checking this file stopped at the time limit of {} (`file-time-limit`): the \
                 code from here on is not checked",
                seconds(limit)
            ),
            TextRange::empty(at),
        ));
    }
}

fn seconds(limit: std::time::Duration) -> String {
    let seconds = limit.as_secs_f64();
    if seconds.fract() == 0.0 {
        format!("{seconds:.0} s")
    } else {
        format!("{seconds} s")
    }
}
