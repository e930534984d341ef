//! LW405 async-function-never-awaits (off by default): an `async def` that never suspends,
//! whose callers could call it as a plain function.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::ast_query::{enclosing_class, first_suspension};
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW405 async-function-never-awaits

Off by default (a style rule): enable it with `extend-select = ["LW405"]`.

## What it does
Flags an `async def` with no `await`, `async for`, `async with` or `yield` in its body (nested
functions left out) that its own module calls at least once, and only ever as `await f(...)`
(`await self.f(...)` for a method): nothing needs it to be a coroutine.

## Why is this bad?
Every call builds a coroutine object and goes through the event loop's machinery for nothing,
and the `async` invites blocking code to hide inside a function that looks loop-friendly: a sync
function doing blocking work is visible at its call site as one; an `async def` doing it is not.
Ruff reports it as RUF029 (preview), flake8-async as ASYNC124, SonarQube as S7503.

## Example
```python
async def cache_key(user_id):
    return f"user:{user_id}"

async def load(user_id):
    return await cache.get(await cache_key(user_id))
```

## Use instead
```python
def cache_key(user_id):
    return f"user:{user_id}"

async def load(user_id):
    return await cache.get(cache_key(user_id))
```

## Not flagged
- Methods of a class with a base class (they may override or implement an async interface: a
  base method, a Protocol, a framework hook), and special methods (`__aenter__`, `__anext__`).
- Decorated functions other than `@staticmethod`/`@classmethod` (route handlers, registered
  hooks and callbacks: the framework requires a coroutine).
- A function referenced in its module other than by an awaited call (passed as a callback,
  stored, handed to `create_task`): the receiver may require an async callable.
- A function its module never calls (its callers are elsewhere, and may need a coroutine). A
  module function is called by its name, a method through an attribute: `await
  hub.async_setup()` is not a call of the module's own `async_setup` hook.
- Stubs: a body of `pass`, `...`, a docstring or a `raise`.

## Fix
None: every `await` of it must go too.
"#;

pub(crate) fn check_function(checker: &mut Checker, function: &ast::StmtFunctionDef) {
    if !function.is_async
        || function.name.starts_with("__")
        || crate::ast_query::is_stub(&function.body)
        || first_suspension(&function.body, None).is_some()
    {
        return;
    }
    let decorated = function.decorator_list.iter().any(|decorator| {
        !matches!(&decorator.expression, Expr::Name(name)
            if matches!(name.id.as_str(), "staticmethod" | "classmethod"))
    });
    if decorated {
        return;
    }
    let class = enclosing_class(checker.statement_ancestors(), function);
    if let Some(class) = class {
        let has_base = class.arguments.as_ref().is_some_and(|arguments| {
            !arguments.keywords.is_empty()
                || arguments
                    .args
                    .iter()
                    .any(|base| !matches!(base, Expr::Name(name) if name.id.as_str() == "object"))
        });
        if has_base {
            return;
        }
    }
    if !only_awaited(checker.module(), function.name.as_str(), class.is_some()) {
        return;
    }
    checker.report(
        Diagnostic::new(
            Rule::AsyncFunctionNeverAwaits,
            format!(
                "`async def {}` never awaits, and its callers here only await it: it need not be a coroutine",
                function.name
            ),
            function.name.range(),
        )
        .with_help("make it a plain `def` and drop the `await` at its calls"),
    );
}

/// Whether the module refers to `name` at least once, and only as the callee of an awaited
/// call. A method is referred to through an attribute (`self.name`), a function through its
/// name: `await other.async_setup()` says nothing of a module function `async_setup`.
fn only_awaited(module: &ast::ModModule, name: &str, is_method: bool) -> bool {
    let mut awaited_callees = Vec::new();
    let mut references = Vec::new();
    crate::ast_query::any_in_body(&module.body, &mut |expr| {
        match expr {
            Expr::Await(await_expr) => {
                if let Expr::Call(call) = &*await_expr.value {
                    awaited_callees.push(call.func.range());
                }
            }
            Expr::Name(found) if !is_method && found.id.as_str() == name => {
                references.push(expr.range());
            }
            Expr::Attribute(attribute) if is_method && attribute.attr.as_str() == name => {
                references.push(expr.range());
            }
            _ => {}
        }
        false
    });
    !references.is_empty()
        && references
            .iter()
            .all(|reference| awaited_callees.contains(reference))
}
