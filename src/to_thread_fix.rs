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
    let arguments = arguments.trim();
    let arguments = arguments.strip_suffix(',').unwrap_or(arguments).trim();
    let mut replacement = format!("await {asyncio}.to_thread({function}");
    if !arguments.is_empty() {
        replacement.push_str(", ");
        replacement.push_str(arguments);
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
