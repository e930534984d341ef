//! The edit behind "Disable LWxxx for this line": a `# noqa: LWxxx` comment at the end of
//! the line a finding starts on, or the code added to the `noqa` comment already there.

use ruff_python_ast::PySourceType;
use ruff_python_ast::token::TokenKind;
use ruff_text_size::{Ranged, TextSize};

use crate::diagnostic::Edit;
use crate::source::LineIndex;

/// The edit that makes 0-based `line` suppress `code`; `None` where no comment can go at the
/// end of the line (it ends inside a string, or continues with a backslash) or a bare
/// `# noqa` already suppresses everything.
pub fn noqa_edit(source: &str, index: &LineIndex, line: usize, code: &str) -> Option<Edit> {
    let line_start = index.line_start(line);
    let line_text = index.line_text(line, source);
    let line_end = line_start + TextSize::of(line_text);
    let parsed = ruff_python_parser::parse_unchecked_source(source, PySourceType::Python);
    let mut comment = None;
    for token in parsed.tokens().iter() {
        let range = token.range();
        if range.start() < line_end && range.end() > line_end {
            // A string (or other token) runs on past the end of this line.
            return None;
        }
        if token.kind() == TokenKind::Comment
            && range.start() >= line_start
            && range.start() < line_end
        {
            comment = Some(range);
        }
    }
    match comment {
        Some(range) => {
            let text = &source[range.start().to_usize()..range.end().to_usize()];
            match noqa_codes_end(text) {
                Some(NoqaComment::Codes { end }) => Some(Edit::insertion(
                    format!(", {code}"),
                    range.start() + TextSize::new(end as u32),
                )),
                Some(NoqaComment::Bare) => None,
                None => Some(Edit::insertion(format!("  # noqa: {code}"), range.end())),
            }
        }
        None => {
            let code_text = line_text.trim_end();
            if code_text.ends_with('\\') {
                return None;
            }
            let at = line_start + TextSize::of(code_text);
            let separator = if code_text.is_empty() { "" } else { "  " };
            Some(Edit::insertion(format!("{separator}# noqa: {code}"), at))
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum NoqaComment {
    /// `# noqa` without codes.
    Bare,
    /// `# noqa: LW101, LW302`: the byte offset just after the last code.
    Codes { end: usize },
}

/// Finds a `noqa` directive in a comment: `noqa` after `#` and spaces (also after another
/// comment, `# type: ignore  # noqa: LW101`), with or without codes.
fn noqa_codes_end(comment: &str) -> Option<NoqaComment> {
    let lower = comment.to_ascii_lowercase();
    let mut search_from = 0;
    while let Some(found) = lower[search_from..].find("noqa") {
        let at = search_from + found;
        search_from = at + 4;
        if !comment[..at].trim_end().ends_with('#') {
            continue;
        }
        let rest = &comment[at + 4..];
        let after_spaces = rest.trim_start();
        let Some(codes) = after_spaces.strip_prefix(':') else {
            if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                return Some(NoqaComment::Bare);
            }
            continue;
        };
        let mut end = None;
        let codes_start = comment.len() - codes.len();
        let mut offset = codes_start;
        for word in codes.split_inclusive([',', ' ', '\t']) {
            let trimmed = word.trim_end_matches([',', ' ', '\t']);
            if !trimmed.is_empty() {
                if !is_code_like(trimmed) {
                    break;
                }
                end = Some(offset + trimmed.len());
            }
            offset += word.len();
        }
        return Some(match end {
            Some(end) => NoqaComment::Codes { end },
            None => NoqaComment::Bare,
        });
    }
    None
}

fn is_code_like(word: &str) -> bool {
    let letters = word.chars().take_while(char::is_ascii_alphabetic).count();
    letters > 0 && word.len() > letters && word[letters..].chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(source: &str, line: usize) -> Option<String> {
        let index = LineIndex::new(source);
        let edit = noqa_edit(source, &index, line, "LW101")?;
        let mut fixed = source.to_string();
        fixed.replace_range(
            edit.range.start().to_usize()..edit.range.end().to_usize(),
            &edit.content,
        );
        Some(fixed)
    }

    #[test]
    fn appends_a_comment_to_a_line_without_one() {
        assert_eq!(
            apply("a = 1\nopen('x')   \nb = 2\n", 1).as_deref(),
            Some("a = 1\nopen('x')  # noqa: LW101   \nb = 2\n")
        );
        assert_eq!(
            apply("open('x')\r\n", 0).as_deref(),
            Some("open('x')  # noqa: LW101\r\n")
        );
    }

    #[test]
    fn merges_with_an_existing_noqa_comment() {
        assert_eq!(
            apply("open('x')  # noqa: LW302 because\n", 0).as_deref(),
            Some("open('x')  # noqa: LW302, LW101 because\n")
        );
        assert_eq!(
            apply("open('x')  # NOQA:LW302,LW105\n", 0).as_deref(),
            Some("open('x')  # NOQA:LW302,LW105, LW101\n")
        );
        assert_eq!(
            apply("open('x')  # type: ignore\n", 0).as_deref(),
            Some("open('x')  # type: ignore  # noqa: LW101\n")
        );
        assert_eq!(apply("open('x')  # noqa\n", 0), None);
    }

    #[test]
    fn leaves_lines_that_cannot_take_a_comment() {
        assert_eq!(apply("f('''a\nb''')\n", 0), None);
        assert_eq!(apply("x = open('a') + \\\n    1\n", 0), None);
        // A `#` inside a string is not a comment.
        assert_eq!(
            apply("open('#x')\n", 0).as_deref(),
            Some("open('#x')  # noqa: LW101\n")
        );
    }
}
