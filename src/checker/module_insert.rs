//! Where a fix adds a module-level statement (`import asyncio`, the set that keeps tasks):
//! after the module's docstring and its leading imports, never above a shebang or an
//! encoding declaration.

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

use super::Checker;
use crate::diagnostic::Edit;

/// The edit that adds `line` (one statement, no line ending) as a module-level statement
/// after the leading imports.
pub fn module_statement(checker: &Checker, line: &str) -> Edit {
    let source = checker.source_text();
    let newline = newline_of(source);
    let leading = checker
        .module()
        .body
        .iter()
        .enumerate()
        .take_while(|(index, stmt)| match stmt {
            Stmt::Import(_) | Stmt::ImportFrom(_) => true,
            Stmt::Expr(expr) => *index == 0 && matches!(&*expr.value, Expr::StringLiteral(_)),
            _ => false,
        })
        .last()
        .map(|(_, stmt)| stmt.end());
    let at = match leading {
        Some(end) => match source[end.to_usize()..].find('\n') {
            Some(offset) => end.to_usize() + offset + 1,
            // The last line has no line ending: the new statement brings one.
            None => return Edit::insertion(format!("{newline}{line}"), TextSize::of(source)),
        },
        None => after_leading_comments(source),
    };
    Edit::insertion(
        format!("{line}{newline}"),
        TextSize::try_from(at).unwrap_or_default(),
    )
}

/// The start of the first line that is not a comment (shebang, encoding declaration,
/// licence header) at the top of the file.
fn after_leading_comments(source: &str) -> usize {
    let mut at = 0;
    for line in source.split_inclusive('\n') {
        if !line.trim_start().starts_with('#') {
            break;
        }
        at += line.len();
    }
    at
}

/// The file's line ending: `\r\n` when its first line ends so.
pub fn newline_of(source: &str) -> &'static str {
    match source.find('\n') {
        Some(at) if at > 0 && source.as_bytes()[at - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}
