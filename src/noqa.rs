//! `# noqa` directives: `# noqa` (every rule) or `# noqa: LW101, LW302` on the line a
//! finding starts on (a Ruff code that reports the same problem counts too:
//! `Rule::ruff_equivalents`), and `# loopwarden: noqa` on its own line before the first statement,
//! which skips the whole file. Directives are read from comment tokens, so `"# noqa"`
//! inside a string does not count.

use std::collections::HashMap;

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_text_size::{Ranged, TextSize};

use crate::registry::Rule;
use crate::source::LineIndex;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Directive {
    /// Bare `# noqa`.
    All,
    /// `# noqa: LW101, LW102`: codes as written (unknown ones are kept, and simply match nothing).
    Codes(Vec<String>),
}

/// The suppressions of one file.
#[derive(Clone, Debug, Default)]
pub struct NoqaDirectives {
    skip_file: bool,
    by_line: HashMap<usize, Directive>,
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
            if let Some(directive) = parse_line_directive(text) {
                directives.by_line.insert(line, directive);
            }
        }
        directives
    }

    pub fn skips_file(&self) -> bool {
        self.skip_file
    }

    /// Whether a finding of `rule` that starts on 0-based `line` is suppressed.
    pub fn suppresses(&self, line: usize, rule: Rule) -> bool {
        match self.by_line.get(&line) {
            Some(Directive::All) => true,
            Some(Directive::Codes(codes)) => codes.iter().any(|code| {
                code == rule.code() || rule.ruff_equivalents().contains(&code.as_str())
            }),
            None => false,
        }
    }
}

/// `# loopwarden: noqa`, with any spacing and case.
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

/// Finds `noqa` or `noqa: CODES` anywhere in a comment (`# type: ignore  # noqa: LW101` works).
fn parse_line_directive(comment: &str) -> Option<Directive> {
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
        let rest = &comment[at + 4..];
        let Some(codes) = rest.trim_start().strip_prefix(':') else {
            // Bare `# noqa` (possibly followed by prose).
            if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                return Some(Directive::All);
            }
            continue;
        };
        let codes: Vec<String> = codes
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(str::trim)
            .take_while(|code| code.is_empty() || is_code_like(code))
            .filter(|code| !code.is_empty())
            .map(str::to_ascii_uppercase)
            .collect();
        return Some(if codes.is_empty() {
            Directive::All
        } else {
            Directive::Codes(codes)
        });
    }
    None
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

    #[test]
    fn reads_bare_and_coded_directives() {
        assert_eq!(parse_line_directive("# noqa"), Some(Directive::All));
        assert_eq!(parse_line_directive("# NOQA because"), Some(Directive::All));
        assert_eq!(
            parse_line_directive("# noqa: LW101, lw302"),
            Some(Directive::Codes(vec!["LW101".into(), "LW302".into()]))
        );
        assert_eq!(
            parse_line_directive("# type: ignore  # noqa:LW101 legacy"),
            Some(Directive::Codes(vec!["LW101".into()]))
        );
        assert_eq!(parse_line_directive("# noqanot"), None);
        assert_eq!(parse_line_directive("# mentions noqa in prose"), None);
        assert_eq!(parse_line_directive("# loopwarden: noqa"), None);
    }

    #[test]
    fn recognises_the_file_directive() {
        assert!(is_file_directive("# loopwarden: noqa"));
        assert!(is_file_directive("#loopwarden:NOQA"));
        assert!(!is_file_directive("# loopwarden: noqa: LW101"));
        assert!(!is_file_directive("# noqa"));
    }
}
