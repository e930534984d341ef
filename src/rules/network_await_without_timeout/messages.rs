//! How LW501 words a finding: the operation as written, why it has no deadline, and the
//! remedy for the target Python version.

use ruff_python_ast as ast;
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::message_text::shorten;
use crate::registry::Rule;

use super::operations::Unbounded;

pub(super) fn report(
    checker: &mut Checker,
    operation: &ast::ExprCall,
    range: TextRange,
    unbounded: Unbounded,
) {
    let callee = checker.text(operation.func.range());
    let arguments = if operation.arguments.is_empty() {
        "()"
    } else {
        "(...)"
    };
    let shown = shorten(&format!("{callee}{arguments}"), 60);
    let target = checker.settings.target_version;
    let help = match unbounded.help {
        Some(help) => help,
        None if (target.major, target.minor) >= (3, 11) => {
            "Put a deadline on it: `async with asyncio.timeout(seconds):` around the await, or `asyncio.wait_for(..., seconds)`"
        }
        None => {
            "Put a deadline on it: `await asyncio.wait_for(..., seconds)` (or `async_timeout.timeout(seconds)`)"
        }
    };
    checker.report(
        Diagnostic::new(
            Rule::NetworkAwaitWithoutTimeout,
            format!("Network await `{shown}` has no deadline: {}", unbounded.why),
            range,
        )
        .with_help(help),
    );
}
