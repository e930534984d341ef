//! The finding for a blocking call in async context (LW101, LW102 and LW105 differ only in
//! their message), with the fix that keeps the program working where there is one.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::Checker;
use super::thread_bound::{ThreadBound, thread_bound_fix};
use super::to_thread::to_thread_fix;
use crate::catalog::BlockingApi;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

/// The finding for a blocking call in async context (LW101, LW102 and LW105 differ only in
/// their message): the help names the async alternative, and the fix moves the call to a
/// worker thread where that rewrite is valid.
pub fn blocking_call_diagnostic(
    checker: &Checker,
    rule: Rule,
    message: String,
    call: &ast::ExprCall,
    api: &BlockingApi,
) -> Diagnostic {
    let help = match api.alternative {
        Some(alternative) => format!(
            "Run it in a worker thread with `await asyncio.to_thread(...)`, or use {alternative}"
        ),
        None => "Run it in a worker thread with `await asyncio.to_thread(...)`".to_string(),
    };
    let mut diagnostic = Diagnostic::new(rule, message, call.range()).with_help(help);
    let fix = match thread_bound_fix(checker, call) {
        ThreadBound::No => to_thread_fix(checker, call),
        ThreadBound::Fix(fix) => Some(fix),
        ThreadBound::Unfixable(reason) => {
            if let (Some(reason), Some(help)) = (reason, diagnostic.help.as_mut()) {
                help.push_str(" (");
                help.push_str(reason);
                help.push(')');
            }
            None
        }
    };
    if let Some(fix) = fix {
        diagnostic = diagnostic.with_fix(fix);
    }
    diagnostic
}
