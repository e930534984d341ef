//! LW504 async-timeout-parameter (off by default): an `async def` that takes a `timeout`
//! parameter, where callers could scope a deadline themselves.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW504 async-timeout-parameter

Off by default (a style rule): enable it with `extend-select = ["LW504"]`.

## What it does
Flags a parameter named `timeout` of an `async def` when the target Python version is 3.11 or
newer, where `asyncio.timeout()` is available to every caller.

## Why is this bad?
A deadline is the caller's business, and asyncio has a scope for it: `async with
asyncio.timeout(5): await fetch(url)` bounds everything the call does, nested calls included. A
`timeout` parameter duplicates that, and tends to bound only some of the awaits inside (the
connect but not the reads, each retry but not all of them together), so the documented bound is
not the real one. flake8-async and Ruff report it as ASYNC109, SonarQube as S7483.

## Example
```python
async def fetch(url, timeout=10):
    async with asyncio.timeout(timeout):
        return await client.get(url)
```

## Use instead
```python
async def fetch(url):
    return await client.get(url)

async with asyncio.timeout(10):
    body = await fetch(url)
```

## Not flagged
- Target versions before 3.11, where `asyncio.timeout` does not exist.
- A method marked `@override` or an `@overload` signature: the signature is not this function's
  to choose.
- Other names (`read_timeout`, `connect_timeout`): a per-phase limit is a different contract
  from a deadline on the whole call.

## Fix
None: every caller changes.
"#;

/// Decorators that mean the signature is someone else's.
const FIXED_SIGNATURE_DECORATORS: &[&str] = &["override", "overload"];

pub(crate) fn check_function(checker: &mut Checker, function: &ast::StmtFunctionDef) {
    let target = checker.settings.target_version;
    if !function.is_async || (target.major, target.minor) < (3, 11) {
        return;
    }
    let fixed = function.decorator_list.iter().any(|decorator| {
        crate::ast_query::last_identifier(&decorator.expression)
            .is_some_and(|name| FIXED_SIGNATURE_DECORATORS.contains(&name))
    });
    if fixed {
        return;
    }
    for parameter in function.parameters.iter_non_variadic_params() {
        if parameter.name().as_str() == "timeout" {
            checker.report(
                Diagnostic::new(
                    Rule::AsyncTimeoutParameter,
                    format!(
                        "`async def {}` takes a `timeout`: let callers scope it with `asyncio.timeout()`",
                        function.name
                    ),
                    parameter.parameter.range(),
                )
                .with_help("drop the parameter; callers wrap the call in `async with asyncio.timeout(...)`"),
            );
        }
    }
}
