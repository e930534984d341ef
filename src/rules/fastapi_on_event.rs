//! LW203 fastapi-on-event: the deprecated startup/shutdown event API of FastAPI and
//! Starlette (`@app.on_event("startup")`, `Starlette(on_startup=[...])`).

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::ast_query::receiver_name;
use crate::catalog::{
    self, DEPRECATED_EVENT_METHODS, DEPRECATED_LIFESPAN_KEYWORDS, LIFESPAN_APP_CLASSES,
    LIFESPAN_EVENTS,
};
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW203 fastapi-on-event

## What it does
Flags the deprecated startup/shutdown event API on a FastAPI or Starlette application or
router (`fastapi.FastAPI`, `fastapi.APIRouter`, `starlette.applications.Starlette`,
`starlette.routing.Router`, however imported, on a value whose type is known: built from the
class, or annotated with it):
- the decorator `@app.on_event("startup")` / `@app.on_event("shutdown")`,
- `app.add_event_handler("startup", handler)`, its imperative twin,
- the constructor keywords `on_startup=[...]` / `on_shutdown=[...]`.

## Why is this bad?
Starlette deprecated these in 0.26 in favour of a single `lifespan` async context manager (FastAPI
documents them as deprecated since it adopted `lifespan` in 0.93), and they are due to be removed
in Starlette 1.0. Worse, the two styles
do not mix: as soon as an app is given `lifespan=`, every handler registered with `on_event` or
`on_startup` is silently never called. Separate startup and shutdown functions also cannot
share state except through globals, and a failing startup handler leaves the shutdown handler
with half-initialised resources.

## Example
```python
from fastapi import FastAPI

app = FastAPI()

@app.on_event("startup")
async def open_pool():
    app.state.pool = await create_pool()

@app.on_event("shutdown")
async def close_pool():
    await app.state.pool.close()
```

## Use instead
```python
from contextlib import asynccontextmanager
from fastapi import FastAPI

@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await create_pool()
    yield
    await app.state.pool.close()  # the shutdown path runs after `yield`

app = FastAPI(lifespan=lifespan)
```

## Not flagged
- `on_event` / `add_event_handler` with a literal event name other than `startup` or `shutdown`
  (those are not lifespan events).
- `on_startup=None`, `on_startup=[]` and the like: an empty handler list registers nothing
  and Starlette does not warn about it.
- Objects whose type is not known to be one of the classes above (an unannotated parameter
  named `app`, another framework's `on_event`).
- A framework's own code, which defines or forwards these APIs rather than using them:
  `self.router.on_event(...)` or `self.add_event_handler(...)` inside a method (the receiver
  is the method's own instance), and `APIRouter(on_startup=on_startup)` where the handlers
  are a parameter of the enclosing function, passed on from its caller.

## Fix
None: moving handler bodies into a `lifespan` function, around a `yield`, is a refactor. The
help line describes it.
"#;

const HELP: &str = "Use a `lifespan` async context manager (code before `yield` runs at startup, after `yield` at shutdown) and pass it as `lifespan=`";

/// Decorators: `@app.on_event("startup")` on a `def`.
pub(crate) fn check_function(checker: &mut Checker, function: &ast::StmtFunctionDef) {
    for decorator in &function.decorator_list {
        let Expr::Call(call) = &decorator.expression else {
            continue;
        };
        let Some(path) = checker.model.call_path(call) else {
            continue;
        };
        if !is_deprecated_event_method(&path) {
            continue;
        }
        let Some(event) = lifespan_event(call) else {
            continue;
        };
        checker.report(
            Diagnostic::new(
                Rule::FastapiOnEvent,
                format!(
                    "`@{}(\"{event}\")` on `{}` is deprecated: use a `lifespan` context manager",
                    checker.text(call.func.range()),
                    function.name
                ),
                decorator.range(),
            )
            .with_help(HELP),
        );
    }
}

/// `app.add_event_handler("startup", f)`, `app.on_event("startup")(f)`, and the
/// `on_startup=`/`on_shutdown=` constructor keywords.
pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, path: &str) {
    if is_deprecated_event_method(path) {
        if is_decorator(checker, call) || on_own_receiver(checker, call) {
            // Reported by `check_function`, with the handler's name.
            return;
        }
        let Some(event) = lifespan_event(call) else {
            return;
        };
        checker.report(
            Diagnostic::new(
                Rule::FastapiOnEvent,
                format!(
                    "`{}(\"{event}\")` is deprecated: use a `lifespan` context manager",
                    checker.text(call.func.range())
                ),
                call.range(),
            )
            .with_help(HELP),
        );
        return;
    }
    let class = catalog::canonical_class(path).unwrap_or(path);
    if !LIFESPAN_APP_CLASSES.contains(&class) {
        return;
    }
    let short = class.rsplit('.').next().unwrap_or(class);
    for keyword in &call.arguments.keywords {
        let Some(name) = keyword.arg.as_ref().map(|arg| arg.as_str()) else {
            continue;
        };
        if !DEPRECATED_LIFESPAN_KEYWORDS.contains(&name)
            || registers_nothing(&keyword.value)
            || forwards_a_parameter(checker, &keyword.value)
        {
            continue;
        }
        checker.report(
            Diagnostic::new(
                Rule::FastapiOnEvent,
                format!("`{short}({name}=...)` is deprecated: use a `lifespan` context manager"),
                keyword.range(),
            )
            .with_help(HELP),
        );
    }
}

/// Whether `path` (`fastapi.FastAPI.on_event`) is a deprecated event method of an
/// application or router class.
fn is_deprecated_event_method(path: &str) -> bool {
    // Asked of every resolved call: the method name, a suffix test, settles nearly all of
    // them before the class is looked up.
    let Some(method) = DEPRECATED_EVENT_METHODS
        .iter()
        .find(|method| path.ends_with(*method))
    else {
        return false;
    };
    let Some(class) = path[..path.len() - method.len()].strip_suffix('.') else {
        return false;
    };
    let class = catalog::canonical_class(class).unwrap_or(class);
    LIFESPAN_APP_CLASSES.contains(&class)
}

/// The event the call registers for: `startup`/`shutdown` as written, `...` when it is not a
/// literal (the API is deprecated whatever the value), `None` for another literal.
fn lifespan_event(call: &ast::ExprCall) -> Option<String> {
    let argument = call.arguments.find_argument_value("event_type", 0)?;
    match argument {
        Expr::StringLiteral(literal) => {
            let event = literal.value.to_str();
            LIFESPAN_EVENTS.contains(&event).then(|| event.to_string())
        }
        _ => Some("...".to_string()),
    }
}

/// `self.router.on_event(...)`, `self.add_event_handler(...)` inside a method (or a function
/// nested in one): the class defines or forwards the API (a framework's own code), it does
/// not use it as an application.
fn on_own_receiver(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Expr::Attribute(method) = &*call.func else {
        return false;
    };
    let mut receiver = &*method.value;
    while let Expr::Attribute(attribute) = receiver {
        receiver = &attribute.value;
    }
    let Expr::Name(root) = receiver else {
        return false;
    };
    let ancestors = checker.statement_ancestors();
    // The innermost enclosing method: a `def` directly in a class body.
    let method = ancestors.windows(2).rev().find_map(|pair| match pair {
        [ast::Stmt::ClassDef(_), ast::Stmt::FunctionDef(method)] => Some(method),
        _ => None,
    });
    method.is_some_and(|method| receiver_name(method) == Some(root.id.as_str()))
}

/// `on_startup=on_startup`: a constructor handed on what its own caller passed in (a
/// framework building its router), not handlers an application registers.
fn forwards_a_parameter(checker: &Checker, value: &Expr) -> bool {
    let Expr::Name(name) = value else {
        return false;
    };
    checker.current_function().is_some_and(|function| {
        function
            .parameters
            .iter_non_variadic_params()
            .any(|parameter| parameter.name().as_str() == name.id.as_str())
    })
}

/// `None`, `[]`, `()`: no handler is registered.
fn registers_nothing(value: &Expr) -> bool {
    match value {
        Expr::NoneLiteral(_) => true,
        Expr::List(list) => list.elts.is_empty(),
        Expr::Tuple(tuple) => tuple.elts.is_empty(),
        _ => false,
    }
}

/// Whether `call` is one of the decorators of the `def` being visited.
fn is_decorator(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Some(ast::Stmt::FunctionDef(function)) = checker.current_statement() else {
        return false;
    };
    checker.parent_expression().is_none()
        && function
            .decorator_list
            .iter()
            .any(|decorator| decorator.expression.range() == call.range())
}
