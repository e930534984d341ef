//! Where a call may become `await asyncio.to_thread(...)`, and that fix spelled from the
//! checker's text.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use super::Checker;
use crate::diagnostic::Fix;
use crate::to_thread_fix::{arguments_inner, to_thread_edit};

/// Whether a call here could be rewritten to `await asyncio.to_thread(...)`: async
/// context, Python 3.9 or newer, not in a comprehension (where `await` would change a
/// generator), `asyncio` imported under a name no local shadows, not already awaited.
/// Returns the module's name for `asyncio`.
pub fn to_thread_fixable<'c>(checker: &'c Checker) -> Option<&'c str> {
    let target = checker.settings.target_version;
    if (target.major, target.minor) < (3, 9)
        || checker.in_comprehension()
        || !checker.in_async_context()
    {
        return None;
    }
    let asyncio = checker.model.module.module_alias("asyncio")?;
    if checker.model.is_local(asyncio)
        || matches!(checker.parent_expression(), Some(Expr::Await(_)))
    {
        return None;
    }
    Some(asyncio)
}

/// `f(a, b=c)` → `await asyncio.to_thread(f, a, b=c)`.
pub fn to_thread_fix(checker: &Checker, call: &ast::ExprCall) -> Option<Fix> {
    let asyncio = to_thread_fixable(checker)?;
    let function = checker.text(call.func.range());
    let inner = checker.text(arguments_inner(call.arguments.range()));
    Some(to_thread_edit(
        asyncio,
        function,
        inner,
        call.range(),
        checker.parent_expression().is_some(),
    ))
}
