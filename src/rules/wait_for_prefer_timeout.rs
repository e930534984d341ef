//! LW502 wait-for-prefer-timeout (off by default): `await asyncio.wait_for(x, t)` on 3.11+.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::catalog;
use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW502 wait-for-prefer-timeout

Off by default (a style rule): enable it with `extend-select = ["LW502"]`.

## What it does
Flags `await asyncio.wait_for(x, t)` when the target Python version is 3.11 or newer, where
`async with asyncio.timeout(t): await x` is available.

## Why is this bad?
It is not a bug. `asyncio.timeout()` is a scope: it bounds several awaits with one deadline
(a connect and the reads after it) instead of giving each its own, it does not wrap the
awaitable in a new task the way `wait_for` did before 3.12, and its cancellation is the
ordinary cancellation of the current task, which `TaskGroup` and other scopes compose with.
Since 3.12 `wait_for` is itself implemented on top of `asyncio.timeout`.

## Example
```python
data = await asyncio.wait_for(reader.read(1024), 5)
```

## Use instead
```python
async with asyncio.timeout(5):
    data = await reader.read(1024)
```

## Not flagged
- Target versions before 3.11, where `asyncio.timeout` does not exist.
- `asyncio.wait_for(x, None)`: it sets no deadline, so there is nothing to move into a scope
  (LW501 reports it when `x` is a network operation).
- A `wait_for(...)` that is not awaited directly (handed to `gather`, `create_task`, stored):
  there is no single statement to put in an `async with`.

## Fix
Unsafe (the timeout is now evaluated before the awaitable is built, and the error comes from
the scope rather than from `wait_for`): when the await is a whole one-line statement
(`await ...`, `x = await ...`, `return await ...`) and `asyncio` is imported as a module, the
statement is wrapped in `async with asyncio.timeout(t):` and the call replaced by `await x`.
"#;

/// `await asyncio.wait_for(x, t)` in async context.
pub(crate) fn check_await(checker: &mut Checker, await_expr: &ast::ExprAwait) {
    let target = checker.settings.target_version;
    if (target.major, target.minor) < (3, 11) {
        return;
    }
    let Expr::Call(call) = &*await_expr.value else {
        return;
    };
    if !checker
        .model
        .call_path(call)
        .is_some_and(|path| catalog::is_wait_for(&path))
    {
        return;
    }
    let Some(timeout) = call.arguments.find_argument_value("timeout", 1) else {
        return;
    };
    if timeout.is_none_literal_expr() {
        return;
    }
    let mut diagnostic = Diagnostic::new(
        Rule::WaitForPreferTimeout,
        "Use `async with asyncio.timeout(...)` instead of `asyncio.wait_for(...)`",
        await_expr.range(),
    )
    .with_help("`async with asyncio.timeout(t): await x` scopes the deadline and cancels cleanly (Python >= 3.11)");
    if let Some(fix) = timeout_fix(checker, await_expr, call, timeout) {
        diagnostic = diagnostic.with_fix(fix);
    }
    checker.report(diagnostic);
}

/// Wraps the one-line statement in `async with asyncio.timeout(t):`.
fn timeout_fix(
    checker: &Checker,
    await_expr: &ast::ExprAwait,
    call: &ast::ExprCall,
    timeout: &Expr,
) -> Option<Fix> {
    if call.arguments.len() != 2
        || call.arguments.args.iter().any(Expr::is_starred_expr)
        || call
            .arguments
            .keywords
            .iter()
            .any(|keyword| keyword.arg.is_none())
    {
        return None;
    }
    let awaited = call.arguments.find_argument_value("fut", 0)?;
    // `await x` must read as it did inside the call: no operators to re-associate.
    if !matches!(
        awaited,
        Expr::Call(_) | Expr::Name(_) | Expr::Attribute(_) | Expr::Subscript(_)
    ) {
        return None;
    }
    let statement = checker.current_statement()?;
    // The await must be the statement's whole value.
    let whole_value = match statement {
        Stmt::Expr(expr) => Some(&*expr.value),
        Stmt::Assign(assign) => Some(&*assign.value),
        Stmt::AnnAssign(assign) => assign.value.as_deref(),
        Stmt::Return(ret) => ret.value.as_deref(),
        _ => None,
    }?;
    if whole_value.range() != await_expr.range() {
        return None;
    }
    let asyncio = checker.model.module.module_alias("asyncio")?;
    if checker.model.is_local(asyncio) {
        return None;
    }
    let source = checker.source;
    let start = usize::from(statement.start());
    let end = usize::from(statement.end());
    let line_start = source[..start].rfind('\n').map_or(0, |at| at + 1);
    let indent = &source[line_start..start];
    let line_end = source[end..].find('\n').map_or(source.len(), |at| end + at);
    let rest = source[end..line_end].trim();
    let statement_text = &source[start..end];
    // One physical line, alone on it (not after `if x:` or before `; y`).
    if !indent.chars().all(|c| c == ' ' || c == '\t')
        || statement_text.contains('\n')
        || !(rest.is_empty() || rest.starts_with('#'))
    {
        return None;
    }
    let before = &source[start..usize::from(await_expr.start())];
    let after = &source[usize::from(await_expr.end())..end];
    let replacement = format!(
        "async with {asyncio}.timeout({}):\n{indent}    {before}await {}{after}",
        checker.text(timeout.range()),
        checker.text(awaited.range()),
    );
    Some(Fix::unsafe_edit(
        format!("Wrap the statement in `async with {asyncio}.timeout(...)`"),
        vec![Edit::replacement(replacement, statement.range())],
    ))
}
