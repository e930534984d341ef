//! LW404 gather-prefer-taskgroup (off by default): every fail-fast `asyncio.gather` of several
//! awaitables on Python 3.11+, where `asyncio.TaskGroup` is available.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use crate::catalog::GATHER_CALLS;
use crate::checker::Checker;
use crate::checker::gather::fails_fast_over_siblings;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW404 gather-prefer-taskgroup

Off by default (a style rule): enable it with `extend-select = ["LW404"]`.

## What it does
Flags every `asyncio.gather(...)` (however imported) given two or more awaitables, or a starred
one (`gather(*coros)`), without a `return_exceptions=` argument, when the target Python version
is 3.11 or newer. It is the broad form of LW401: it reports whether or not the early exit on the
first error is observable, for teams that use `asyncio.TaskGroup` everywhere.

## Why is this bad?
When one awaitable fails, a fail-fast `gather` raises at once and the other awaitables are
**not cancelled**: they keep running unsupervised, their results are lost and their later
exceptions are never retrieved. Where nobody can observe that (LW401 reports the places where
someone can), it is still a structure that outlives its caller. `asyncio.TaskGroup` has none of
it: when one task fails, the others are cancelled, the group waits for all of them, and every
error is raised together in an `ExceptionGroup`.

## Example
```python
async def load(user_id):
    profile, orders = await asyncio.gather(fetch_profile(user_id), fetch_orders(user_id))
```

## Use instead
```python
async def load(user_id):
    async with asyncio.TaskGroup() as tg:
        profile = tg.create_task(fetch_profile(user_id))
        orders = tg.create_task(fetch_orders(user_id))
    return profile.result(), orders.result()
```

## Not flagged
- Target versions before 3.11, where `asyncio.TaskGroup` does not exist.
- A `gather` of a single, non-starred awaitable.
- Any explicit `return_exceptions=` (the caller collects every result and error itself), or
  keywords passed through `**kwargs`, which may contain it.
- A gather LW401 reports is reported by LW401 too: the codes are different, and selecting LW404
  asks for every gather.

## Fix
None: `TaskGroup` raises an `ExceptionGroup` where `gather` raised the first error, so every
`except` around the call must become `except*` or unwrap the group.
"#;

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, path: &str) {
    let target = checker.settings.target_version;
    if (target.major, target.minor) < (3, 11)
        || !GATHER_CALLS.contains(&path)
        || !fails_fast_over_siblings(call)
    {
        return;
    }
    checker.report(
        Diagnostic::new(
            Rule::GatherPreferTaskgroup,
            "`asyncio.gather` without `return_exceptions=`: prefer `asyncio.TaskGroup`, which cancels the other awaitables when one fails",
            call.range(),
        )
        .with_help("`async with asyncio.TaskGroup() as tg: tg.create_task(...)` cancels the siblings on the first error and raises every error in an `ExceptionGroup`"),
    );
}
