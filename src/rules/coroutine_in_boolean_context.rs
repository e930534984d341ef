//! LW303 coroutine-in-boolean-context: a coroutine object used as a condition.

use crate::diagnostic::Diagnostic;
use crate::project::coroutines::{CoroutineCall, coroutine_calls};
use crate::project::summary::CallUsage;
use crate::project::{Facts, Project};
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW303 coroutine-in-boolean-context

## What it does
Flags a call to a coroutine function (an `async def` of the project, a known async API, or,
in async code, a value annotated as a callable that returns an awaitable: see LW302) whose
result is tested for truth: `if is_ready():`, `while not done():`, `assert check()`,
`x = a() or b()`, `y if ok() else z`, `bool(check())`, or compared: `check() == True`,
`fetch() is None`. Also a call kept in a local that the function only ever tests, never
awaits, passes on or reads a member of (`last = fetch_last(user)` ... `if last is not
None:`), also when it is bound to something else first (`allowed = True`, then `allowed =
check_redirect(url)` ... `if allowed:`): the finding is on the call, where the `await`
belongs.

## Why is this bad?
A coroutine object is always truthy. The condition is decided before the function runs, and
the function never runs at all (`RuntimeWarning: coroutine '...' was never awaited`): a
permission check that is always "allowed", a loop that never ends or never starts.

## Example
```python
async def is_allowed(user): ...

async def delete(user, item):
    if not is_allowed(user):
        raise PermissionError
    await item.delete()
```

## Use instead
```python
async def delete(user, item):
    if not await is_allowed(user):
        raise PermissionError
    await item.delete()
```

## Not flagged
The last operand of an `or` whose value is used rather than tested (`x = cached or fetch()`),
since that coroutine is passed on; awaited calls.

## Fix
Safe, in async context: prefix the call with `await`. Unsafe where only an annotation says the
callable returns an awaitable.
"#;

pub(crate) fn check(project: &Project, facts: &Facts, report: &mut dyn FnMut(usize, Diagnostic)) {
    for coroutine in coroutine_calls(project, facts, &[CallUsage::Condition]) {
        let CoroutineCall {
            caller,
            call,
            callee_name: ref name,
            ..
        } = coroutine;
        let mut diagnostic = Diagnostic::new(
            Rule::CoroutineInBooleanContext,
            format!("Coroutine `{name}(...)` used as a condition is always true, and never runs"),
            call.range,
        )
        .with_help("Await it to test its result");
        if let Some(fix) = coroutine.await_fix() {
            diagnostic = diagnostic.with_fix(fix);
        }
        report(caller.0, diagnostic);
    }
}
