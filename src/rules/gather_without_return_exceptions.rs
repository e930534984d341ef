//! LW401 gather-without-return-exceptions: `asyncio.gather(a, b)` with the default
//! `return_exceptions=False`, whose failure leaves the other awaitables running unsupervised.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::catalog::GATHER_CALLS;
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW401 gather-without-return-exceptions

## What it does
Flags `asyncio.gather(...)` (however imported) given two or more awaitables, or a starred
one (`gather(*coros)`), without a `return_exceptions=` argument.

## Why is this bad?
With the default `return_exceptions=False`, the first exception raised by any awaitable is
propagated to the caller at once. The other awaitables are **not cancelled**: they keep
running in the background, unsupervised. Their results are lost, and when they fail later
their exceptions are discarded without even the "Task exception was never retrieved" log
(`gather` marks them as retrieved). Meanwhile the caller has moved on as if the work had
stopped: it retries, reports an error to its client, or releases a connection the other
awaitables still use, and a half-done write can still land seconds later.

Many articles claim that `gather` cancels the remaining awaitables when one fails; it does
not. The children are cancelled only when the `gather()` future itself is cancelled (for
example because the task awaiting it was cancelled).

## Example
```python
async def transfer(a, b, amount):
    await asyncio.gather(debit(a, amount), credit(b, amount))
```
If `debit` fails, `transfer` raises at once, while `credit` runs on and may still commit.

## Use instead
On Python 3.11 or newer, `asyncio.TaskGroup`: when one task fails, the others are cancelled,
the group waits for all of them, and every error is raised together in an `ExceptionGroup`:
```python
async def transfer(a, b, amount):
    async with asyncio.TaskGroup() as tg:
        tg.create_task(debit(a, amount))
        tg.create_task(credit(b, amount))
```
On older versions, `return_exceptions=True`, so `gather` waits for every awaitable, then check
each result:
```python
results = await asyncio.gather(debit(a, amount), credit(b, amount), return_exceptions=True)
errors = [r for r in results if isinstance(r, BaseException)]
if errors:
    raise errors[0]
```

## Not flagged
- A `gather` of a single, non-starred awaitable: there are no siblings to leave behind.
- Any explicit `return_exceptions=` (`True`, or `False` when the fail-fast behaviour is
  intended), or keywords passed through `**kwargs`, which may contain it.
- `return_exceptions=True` results that are never checked are LW402's business.

## Fix
None: switching to `TaskGroup` changes the error type the caller sees (`ExceptionGroup`), and
`return_exceptions=True` changes the return value. The help line names the replacement for the
configured target version (`TaskGroup` on 3.11+, else `return_exceptions=True`).
"#;

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, path: &str) {
    if !GATHER_CALLS.contains(&path) {
        return;
    }
    let arguments = &call.arguments;
    // `return_exceptions=...` given, or possibly given through `**kwargs`.
    if arguments.keywords.iter().any(|keyword| {
        keyword
            .arg
            .as_ref()
            .is_none_or(|arg| arg.as_str() == "return_exceptions")
    }) {
        return;
    }
    let starred = arguments.args.iter().any(Expr::is_starred_expr);
    if arguments.args.len() < 2 && !starred {
        return;
    }
    let target = checker.settings.target_version;
    let help = if (target.major, target.minor) >= (3, 11) {
        "Use `asyncio.TaskGroup`, which cancels the siblings and raises every error in an `ExceptionGroup`; or pass `return_exceptions=True` and check each result"
    } else {
        "Pass `return_exceptions=True` and check each result with `isinstance(result, BaseException)` (or use `asyncio.TaskGroup` from Python 3.11)"
    };
    checker.report(
        Diagnostic::new(
            Rule::GatherWithoutReturnExceptions,
            "`asyncio.gather` without `return_exceptions=`: on the first error the other awaitables are not cancelled and keep running unsupervised",
            call.range(),
        )
        .with_help(help),
    );
}
