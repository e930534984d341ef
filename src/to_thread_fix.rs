//! The text of a call, taken apart for the `await asyncio.to_thread(f, ...)` rewrite that
//! LW101, LW102, LW105 and LW103 offer (spelled in `checker::to_thread`).

use ruff_text_size::TextRange;

/// The text between a call's parentheses.
pub fn arguments_inner(arguments: TextRange) -> TextRange {
    let one = ruff_text_size::TextSize::from(1);
    TextRange::new(
        arguments.start() + one,
        arguments.end().max(arguments.start() + one) - one,
    )
}

/// The text between a call's parentheses, ready to follow other arguments: trimmed, without
/// a trailing comma, and ending on a new line when its last line ends in a comment (which
/// would otherwise swallow the closing parenthesis).
pub fn argument_text(arguments: &str) -> String {
    let arguments = arguments.trim();
    let arguments = arguments.strip_suffix(',').unwrap_or(arguments).trim();
    let last_line = arguments.rsplit(['\n', '\r']).next().unwrap_or("");
    if last_line.contains('#') {
        format!("{arguments}\n")
    } else {
        arguments.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::argument_text;

    #[test]
    fn a_comment_after_the_last_argument_keeps_the_parenthesis_out_of_it() {
        assert_eq!(argument_text(" a, b, "), "a, b");
        assert_eq!(argument_text("a,\n b,  # why\n"), "a,\n b,  # why\n");
        assert_eq!(argument_text(""), "");
    }
}
