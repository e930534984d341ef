//! LW003 unused-noqa: `# noqa: CODES` directives whose loopwarden codes suppress nothing.
//!
//! Run by the report once a file's findings are known (`report::FileFindings::new`): only
//! then is it known which directive codes matched a finding. Off by default; selected like
//! any rule, or with `--report-unused-noqa`.

use std::collections::{BTreeSet, HashSet};

use ruff_text_size::{TextLen, TextRange, TextSize};

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::noqa::{Directive, LineDirective, NoqaCode, NoqaDirectives, NoqaMatch};
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW003 unused-noqa

## What it does
Reports the loopwarden codes of a `# noqa: ...` comment that suppress nothing on their line:
a code whose rule runs but found nothing there (*unused*), a code whose rule does not run on
the file (*non-enabled*: not selected, or off there through `per-file-ignores` or
`test-ignore`), a code no rule has (*unknown*, such as `LW999`), and a code written twice
(*duplicated*). Codes are matched like the directive matches them: in any case, and a prefix
(`LW1`) counts as used when it suppresses one of its rules.

Off by default: select it (`extend-select = ["LW003"]`) or pass `--report-unused-noqa`.

## Why is this bad?
A suppression outlives the finding it was written for: the code was fixed, the rule got
sharper, the line moved. The stale comment then hides the next real problem on that line,
and tells the reader a problem is there when it is not.

## Example
```python
async def handler():
    await asyncio.sleep(1)  # noqa: LW101
```

## Use instead
```python
async def handler():
    await asyncio.sleep(1)
```

## Fix
Safe: the unused codes are removed from the comment; when none is left, the directive goes
(and text after it stays a comment: `# noqa: LW101 legacy` becomes `# legacy`).

## Not flagged
- Codes of other tools (`# noqa: E501, LW101` reports `LW101` alone and keeps `E501`),
  including the Ruff codes loopwarden honours (`RUF006`, `ASYNC230`, ...): Ruff may still
  need them, and only Ruff can tell.
- A bare `# noqa`: it speaks to every linter that reads it, and loopwarden cannot know
  whether another one needs it.
- A directive that names `LW003` itself (`# noqa: LW101, LW003` keeps a code on purpose).
- A file that does not parse: its findings are not known.
"#;

/// Why a code of a directive suppresses nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Unused,
    NonEnabled,
    Unknown,
    Duplicated,
}

impl Verdict {
    fn label(self) -> &'static str {
        match self {
            Self::Unused => "unused",
            Self::NonEnabled => "non-enabled",
            Self::Unknown => "unknown",
            Self::Duplicated => "duplicated",
        }
    }
}

/// The LW003 findings of a file: `used` holds the directive codes that suppressed a finding;
/// `enabled` tells whether a rule runs on this file.
pub fn check(
    noqa: &NoqaDirectives,
    used: &HashSet<NoqaMatch>,
    source: &str,
    enabled: impl Fn(Rule) -> bool,
) -> Vec<Diagnostic> {
    noqa.directives()
        .into_iter()
        .filter_map(|(line, directive)| check_directive(line, directive, used, source, &enabled))
        .collect()
}

fn check_directive(
    line: usize,
    directive: &LineDirective,
    used: &HashSet<NoqaMatch>,
    source: &str,
    enabled: &impl Fn(Rule) -> bool,
) -> Option<Diagnostic> {
    let Directive::Codes(codes) = &directive.directive else {
        return None;
    };
    if codes.iter().any(|code| code.matches(Rule::UnusedNoqa)) {
        return None;
    }
    let mut seen = BTreeSet::new();
    let verdicts: Vec<Option<Verdict>> = codes
        .iter()
        .enumerate()
        .map(|(index, code)| {
            if !seen.insert(code.code.as_str()) {
                return Some(Verdict::Duplicated);
            }
            let matched = NoqaMatch {
                line,
                code: Some(index),
            };
            if !code.is_loopwarden() || used.contains(&matched) {
                return None;
            }
            let mut rules = code.rules().peekable();
            if rules.peek().is_none() {
                Some(Verdict::Unknown)
            } else if rules.any(enabled) {
                Some(Verdict::Unused)
            } else {
                Some(Verdict::NonEnabled)
            }
        })
        .collect();
    if verdicts.iter().all(Option::is_none) {
        return None;
    }

    let mut groups: Vec<(Verdict, Vec<&str>)> = Vec::new();
    for (code, verdict) in codes.iter().zip(&verdicts) {
        let Some(verdict) = verdict else { continue };
        match groups.iter_mut().find(|(kind, _)| kind == verdict) {
            Some((_, list)) => list.push(&code.code),
            None => groups.push((*verdict, vec![&code.code])),
        }
    }
    groups.sort_by_key(|(kind, _)| *kind);
    let detail = groups
        .iter()
        .map(|(kind, list)| {
            let list: Vec<String> = list.iter().map(|code| format!("`{code}`")).collect();
            format!("{}: {}", kind.label(), list.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");

    let kept: Vec<&NoqaCode> = codes
        .iter()
        .zip(&verdicts)
        .filter(|(_, verdict)| verdict.is_none())
        .map(|(code, _)| code)
        .collect();
    let fix = match (kept.first(), codes.first(), codes.last()) {
        (Some(_), Some(first), Some(last)) => {
            let list: Vec<&str> = kept.iter().map(|code| code.code.as_str()).collect();
            Fix::safe(
                "Remove the unused codes",
                vec![Edit::replacement(
                    list.join(", "),
                    TextRange::new(first.range.start(), last.range.end()),
                )],
            )
        }
        _ => Fix::safe(
            "Remove the unused `noqa` directive",
            vec![remove_directive(directive, source)],
        ),
    };
    Some(
        Diagnostic::new(
            Rule::UnusedNoqa,
            format!("Unused `noqa` directive ({detail})"),
            directive.range,
        )
        .with_fix(fix),
    )
}

/// The edit that removes a whole directive: with the spaces before it when nothing follows
/// it in its comment; otherwise so that the words after it stay a comment.
fn remove_directive(directive: &LineDirective, source: &str) -> Edit {
    let start = directive.range.start();
    let end = directive.range.end();
    let comment_end = directive.comment.end().min(source.text_len());
    let trailing = source
        .get(end.to_usize()..comment_end.to_usize())
        .unwrap_or_default();
    if trailing.trim().is_empty() {
        let before = source.get(..start.to_usize()).unwrap_or_default();
        let spaces = before.len() - before.trim_end_matches([' ', '\t']).len();
        let from = start - TextSize::try_from(spaces).unwrap_or_default();
        return Edit::replacement("", TextRange::new(from, comment_end));
    }
    let words = trailing.trim_start();
    let until = end + TextSize::try_from(trailing.len() - words.len()).unwrap_or_default();
    // `# noqa: LW101  # other` leaves `# other`; `# noqa: LW101 why` leaves `# why`.
    let content = if words.starts_with('#') { "" } else { "# " };
    Edit::replacement(content, TextRange::new(start, until))
}
