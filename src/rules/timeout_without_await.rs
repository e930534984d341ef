//! LW503 timeout-without-await: a deadline scope whose body never awaits, so the deadline can
//! never fire.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::ast_query::first_suspension;
use crate::catalog;
use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, display_path};
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW503 timeout-without-await

## What it does
In an `async def`, flags a deadline scope whose body has no `await`, `async for` or `async with`:
`async with asyncio.timeout(...)` / `asyncio.timeout_at(...)` / `async_timeout.timeout(...)`, and
`with anyio.fail_after(...)` / `move_on_after(...)` (and trio's), however imported.

## Why is this bad?
An asyncio deadline works by cancelling the task at its next suspension point. A body that never
suspends runs to its end however long it takes (a blocking call inside it is not interrupted:
nothing can be while the loop is blocked), so the scope guards nothing and the reader is led to
believe the code is bounded. Usually the `await` it was meant to guard sits just after the block,
or the guarded call is a sync one that belongs in `asyncio.to_thread`.

## Example
```python
async def fetch(session, url):
    async with asyncio.timeout(10):
        request = session.get(url)
    return await request
```

## Use instead
```python
async def fetch(session, url):
    async with asyncio.timeout(10):
        return await session.get(url)
```

## Not flagged
- A body with an `await`, `async for` or `async with` anywhere in it (nested blocks included, not
  nested functions), or an `async with` that enters another asynchronous context manager after
  the deadline in the same statement (`async with asyncio.timeout(5), session.get(url) as r:`:
  entering it awaits).
- A body that `yield`s: in an `@asynccontextmanager` or async generator the deadline covers the
  consumer's code that runs at the `yield`.

## Fix
None: which await the deadline was meant for is the author's call.
"#;

pub(crate) fn check_with(checker: &mut Checker, with: &ast::StmtWith) {
    let scopes: Vec<Option<String>> = with
        .items
        .iter()
        .map(|item| match &item.context_expr {
            Expr::Call(call) => checker
                .model
                .call_path(call)
                .filter(|path| catalog::is_timeout_scope(path)),
            _ => None,
        })
        .collect();
    let Some(first) = scopes.iter().position(Option::is_some) else {
        return;
    };
    // Entering a later asynchronous context manager of the same statement awaits, inside the
    // deadline.
    if with.is_async && scopes[first + 1..].iter().any(Option::is_none) {
        return;
    }
    if first_suspension(&with.body, None).is_some() {
        return;
    }
    let item = &with.items[first];
    let path = scopes[first].as_deref().unwrap_or_default();
    checker.report(
        Diagnostic::new(
            Rule::TimeoutWithoutAwait,
            format!(
                "`{}(...)` guards no `await`: its deadline can never fire",
                display_path(path)
            ),
            item.context_expr.range(),
        )
        .with_help("move the `await` the deadline is meant for into the block, or drop the block"),
    );
}
