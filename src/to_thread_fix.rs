//! The `await asyncio.to_thread(f, ...)` rewrite of a call, spelled from its text: the
//! fix LW101, LW102, LW105 and LW103 offer.

use ruff_text_size::TextRange;

use crate::diagnostic::{Edit, Fix};

/// The text between a call's parentheses.
pub fn arguments_inner(arguments: TextRange) -> TextRange {
    let one = ruff_text_size::TextSize::from(1);
    TextRange::new(
        arguments.start() + one,
        arguments.end().max(arguments.start() + one) - one,
    )
}

/// The unsafe fix `f(a, b=c)` → `await asyncio.to_thread(f, a, b=c)`, from the callee's
/// and the arguments' text (`parenthesize` when the call sits inside a larger expression).
pub fn to_thread_edit(
    asyncio: &str,
    function: &str,
    arguments: &str,
    call: TextRange,
    parenthesize: bool,
) -> Fix {
    let arguments = argument_text(arguments);
    let mut replacement = format!("await {asyncio}.to_thread({function}");
    if !arguments.is_empty() {
        replacement.push_str(", ");
        replacement.push_str(&arguments);
    }
    replacement.push(')');
    if parenthesize {
        replacement = format!("({replacement})");
    }
    Fix::unsafe_edit(
        format!("Run `{function}` in a worker thread with `{asyncio}.to_thread`"),
        vec![Edit::replacement(replacement, call)],
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
