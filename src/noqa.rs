//! `# noqa` directives: `# noqa` (every rule) or `# noqa: LW101, LW302` on the line a
//! finding starts on, and `# loopwarden: noqa` on its own line before the first statement,
//! which skips the whole file. Directives are read from comment tokens, so `"# noqa"`
//! inside a string does not count.
//!
//! A code in a directive matches a rule when it is the rule's code in any case (`lw101`), a
//! prefix of loopwarden codes (`LW1` covers every LW1xx rule), or the code of a Ruff rule
//! that reports the same problem (`Rule::ruff_equivalents`). Every other code belongs to
//! another tool and is left to it.
//!
//! The directives keep where they are and which of their codes matched a finding, so that
//! LW003 can report the codes that suppress nothing.

use std::collections::HashMap;
use std::ops::Range;

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::registry::Rule;
use crate::source::LineIndex;

/// What a directive names.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Directive {
    /// Bare `# noqa`.
    All,
    /// `# noqa: LW101, LW102`: codes as written, upper-cased (unknown ones are kept: they
    /// match nothing, and LW003 reports them).
    Codes(Vec<NoqaCode>),
}

/// One code of a `# noqa: ...` directive.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NoqaCode {
    /// Upper-cased.
    pub code: String,
    /// Where it is written in the file.
    pub range: TextRange,
}

impl NoqaCode {
    /// Whether this code is loopwarden's to judge: an `LW` code or prefix. A code of another
    /// tool (`E501`, and the Ruff codes loopwarden honours) is that tool's business.
    pub fn is_loopwarden(&self) -> bool {
        self.code.starts_with("LW")
    }

    /// Whether the code suppresses `rule`: its code, a prefix of loopwarden codes, or the
    /// code of an equivalent Ruff rule.
    pub fn matches(&self, rule: Rule) -> bool {
        let code = self.code.as_str();
        if self.is_loopwarden() {
            rule.code().starts_with(code)
        } else {
            rule.ruff_equivalents().contains(&code)
        }
    }

    /// The rules this loopwarden code or prefix names (none: an unknown code).
    pub fn rules(&self) -> impl Iterator<Item = Rule> + '_ {
        Rule::ALL
            .iter()
            .copied()
            .filter(move |rule| self.is_loopwarden() && self.matches(*rule))
    }
}

/// A `# noqa` directive in a comment.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineDirective {
    pub directive: Directive,
    /// From the `#` that starts the directive to the end of its last code (or of `noqa`).
    pub range: TextRange,
    /// The whole comment the directive is in (it may say more: `# type: ignore  # noqa`).
    pub comment: TextRange,
}

/// The suppressions of one file.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct NoqaDirectives {
    skip_file: bool,
    by_line: HashMap<usize, LineDirective>,
}

/// Which directive (or which code of it) a suppressed finding used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NoqaMatch {
    /// The 0-based line of the directive.
    pub line: usize,
    /// The index of the code that matched; `None` for a bare `# noqa`.
    pub code: Option<usize>,
}

impl NoqaDirectives {
    /// Reads every comment of the file. `first_statement` is where the first statement starts
    /// (the end of the file when there is none): a file-level directive must come before it.
    pub fn from_tokens(
        tokens: &Tokens,
        source: &str,
        index: &LineIndex,
        first_statement: TextSize,
    ) -> Self {
        let mut directives = Self::default();
        if !mentions_noqa(source) {
            return directives;
        }
        for token in tokens
            .iter()
            .filter(|token| token.kind() == TokenKind::Comment)
        {
            let Some(text) =
                source.get(token.range().start().to_usize()..token.range().end().to_usize())
            else {
                continue;
            };
            let line = index.line_of(token.start());
            let own_line = index.line_text(line, source).trim_start().starts_with('#');
            if own_line && token.start() < first_statement && is_file_directive(text) {
                directives.skip_file = true;
            }
            if let Some(parsed) = parse_line_directive(text) {
                directives
                    .by_line
                    .insert(line, parsed.locate(token.range()));
            }
        }
        directives
    }

    pub fn skips_file(&self) -> bool {
        self.skip_file
    }

    /// Whether a finding of `rule` that starts on 0-based `line` is suppressed.
    pub fn suppresses(&self, line: usize, rule: Rule) -> bool {
        self.find_match(line, rule).is_some()
    }

    /// The directive (and code) that suppresses a finding of `rule` on 0-based `line`.
    pub fn find_match(&self, line: usize, rule: Rule) -> Option<NoqaMatch> {
        let directive = self.by_line.get(&line)?;
        match &directive.directive {
            Directive::All => Some(NoqaMatch { line, code: None }),
            Directive::Codes(codes) => {
                codes
                    .iter()
                    .position(|code| code.matches(rule))
                    .map(|at| NoqaMatch {
                        line,
                        code: Some(at),
                    })
            }
        }
    }

    /// Whether any directive names codes (`# noqa: LW101`, not a bare `# noqa`).
    pub fn has_codes(&self) -> bool {
        self.by_line
            .values()
            .any(|directive| matches!(directive.directive, Directive::Codes(_)))
    }

    /// Every line directive with its 0-based line, in line order.
    pub fn directives(&self) -> Vec<(usize, &LineDirective)> {
        let mut all: Vec<(usize, &LineDirective)> = self
            .by_line
            .iter()
            .map(|(line, directive)| (*line, directive))
            .collect();
        all.sort_by_key(|(line, _)| *line);
        all
    }
}

/// `# loopwarden: noqa`, with any spacing and case.
/// Whether `source` holds `noqa`, in any case. Every directive does, and most files hold
/// none (nine in ten of the benchmark corpus): their tokens are not looked through for
/// comments, a pass over every token that was 1 % of a cold run's instructions.
fn mentions_noqa(source: &str) -> bool {
    let bytes = source.as_bytes();
    memchr::memchr2_iter(b'q', b'Q', bytes).any(|at| {
        bytes
            .get(at.wrapping_sub(2)..at + 2)
            .is_some_and(|word| word.eq_ignore_ascii_case(b"noqa"))
    })
}

fn is_file_directive(comment: &str) -> bool {
    let body = comment.trim_start_matches('#').trim();
    let Some(rest) = strip_prefix_ignore_case(body, "loopwarden") else {
        return false;
    };
    let Some(rest) = rest.trim_start().strip_prefix(':') else {
        return false;
    };
    rest.trim().eq_ignore_ascii_case("noqa")
}

/// A directive as found in one comment, with offsets into the comment's text.
#[derive(Debug, PartialEq, Eq)]
struct ParsedDirective {
    /// `None` for a bare `# noqa`: the codes, upper-cased, and where each is written.
    codes: Option<Vec<(String, Range<usize>)>>,
    /// From the `#` before `noqa` to the end of the last code.
    span: Range<usize>,
}

impl ParsedDirective {
    fn locate(self, comment: TextRange) -> LineDirective {
        let at = |offset: usize| comment.start() + TextSize::try_from(offset).unwrap_or_default();
        let range = |span: &Range<usize>| TextRange::new(at(span.start), at(span.end));
        LineDirective {
            directive: match self.codes {
                None => Directive::All,
                Some(codes) => Directive::Codes(
                    codes
                        .into_iter()
                        .map(|(code, span)| NoqaCode {
                            code,
                            range: range(&span),
                        })
                        .collect(),
                ),
            },
            range: range(&self.span),
            comment,
        }
    }
}

/// Finds `noqa` or `noqa: CODES` anywhere in a comment (`# type: ignore  # noqa: LW101` works).
fn parse_line_directive(comment: &str) -> Option<ParsedDirective> {
    if is_file_directive(comment) {
        return None;
    }
    let lower = comment.to_ascii_lowercase();
    let mut search_from = 0;
    while let Some(found) = lower[search_from..].find("noqa") {
        let at = search_from + found;
        search_from = at + 4;
        // `noqa` must start the comment or follow `#` and spaces.
        let before = comment[..at].trim_end();
        if !before.ends_with('#') {
            continue;
        }
        let hash = before.len() - 1;
        let after_noqa = at + 4;
        let rest = &comment[after_noqa..];
        let bare = ParsedDirective {
            codes: None,
            span: hash..after_noqa,
        };
        let trimmed = rest.trim_start();
        let Some(list) = trimmed.strip_prefix(':') else {
            // Bare `# noqa` (possibly followed by prose).
            if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                return Some(bare);
            }
            continue;
        };
        let list_start = after_noqa + (rest.len() - trimmed.len()) + 1;
        let codes = codes_in(list, list_start);
        let Some(last) = codes.last() else {
            return Some(bare);
        };
        let end = last.1.end;
        return Some(ParsedDirective {
            codes: Some(codes),
            span: hash..end,
        });
    }
    None
}

/// The codes at the start of `list` (separated by commas and spaces), up to the first word
/// that is not a code, with their offsets (`list` starts at `offset` in the comment).
fn codes_in(list: &str, offset: usize) -> Vec<(String, Range<usize>)> {
    let mut codes = Vec::new();
    let mut position = 0;
    loop {
        let skipped = list[position..]
            .find(|c: char| c != ',' && !c.is_whitespace())
            .map_or(list.len(), |found| position + found);
        let end = list[skipped..]
            .find(|c: char| c == ',' || c.is_whitespace())
            .map_or(list.len(), |found| skipped + found);
        let word = &list[skipped..end];
        if word.is_empty() || !is_code_like(word) {
            return codes;
        }
        codes.push((word.to_ascii_uppercase(), offset + skipped..offset + end));
        position = end;
    }
}

fn is_code_like(word: &str) -> bool {
    let letters = word.chars().take_while(char::is_ascii_alphabetic).count();
    letters > 0 && word.len() > letters && word[letters..].chars().all(|c| c.is_ascii_digit())
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(comment: &str) -> Option<Vec<String>> {
        parse_line_directive(comment).map(|parsed| {
            parsed
                .codes
                .unwrap_or_default()
                .into_iter()
                .map(|(code, span)| {
                    assert!(comment[span].eq_ignore_ascii_case(&code));
                    code
                })
                .collect()
        })
    }

    #[test]
    fn a_file_mentions_noqa_in_any_case_and_at_either_end() {
        for source in [
            "#noqa",
            "x = 1  # NoQa: LW101",
            "y = 2  # nOQA",
            "# loopwarden: NOQA\n",
        ] {
            assert!(mentions_noqa(source), "{source:?}");
        }
        for source in [
            "",
            "q",
            "oqa",
            "noq",
            "# no qa",
            "request = queue.get()  # no-qa",
        ] {
            assert!(!mentions_noqa(source), "{source:?}");
        }
    }

    #[test]
    fn reads_bare_and_coded_directives() {
        assert_eq!(codes("# noqa"), Some(vec![]));
        assert_eq!(codes("# NOQA because"), Some(vec![]));
        assert_eq!(
            codes("# noqa: LW101, lw302"),
            Some(vec!["LW101".into(), "LW302".into()])
        );
        assert_eq!(
            codes("# type: ignore  # noqa:LW101 legacy"),
            Some(vec!["LW101".into()])
        );
        assert_eq!(codes("# noqanot"), None);
        assert_eq!(codes("# mentions noqa in prose"), None);
        assert_eq!(codes("# loopwarden: noqa"), None);
    }

    #[test]
    fn spans_run_from_the_hash_to_the_last_code() {
        let comment = "# type: ignore  # noqa: LW101,E501 legacy";
        let parsed = parse_line_directive(comment).unwrap();
        assert_eq!(&comment[parsed.span], "# noqa: LW101,E501");
        let parsed = parse_line_directive("#noqa reason").unwrap();
        assert_eq!(parsed.span, 0..5);
    }

    #[test]
    fn codes_match_exactly_by_prefix_and_by_ruff_equivalent() {
        let code = |text: &str| NoqaCode {
            code: text.to_string(),
            range: TextRange::default(),
        };
        assert!(code("LW1").matches(Rule::TransitiveBlockingCall));
        assert!(code("LW10").matches(Rule::BlockingIoInAsync));
        assert!(!code("LW10").matches(Rule::GetEventLoop));
        assert!(code("LW301").matches(Rule::DanglingTask));
        assert!(code("RUF006").matches(Rule::DanglingTask));
        assert!(!code("RUF006").matches(Rule::BlockingIoInAsync));
        assert!(!code("E501").matches(Rule::BlockingIoInAsync));
        assert_eq!(code("LW9").rules().count(), 0);
        assert_eq!(code("RUF006").rules().count(), 0);
    }

    #[test]
    fn recognises_the_file_directive() {
        assert!(is_file_directive("# loopwarden: noqa"));
        assert!(is_file_directive("#loopwarden:NOQA"));
        assert!(!is_file_directive("# loopwarden: noqa: LW101"));
        assert!(!is_file_directive("# noqa"));
    }
}
