//! LW403 cancelled-error-swallowed: an `except` clause in a coroutine that catches
//! `asyncio.CancelledError` (by name, through `BaseException`, or bare) and does not
//! re-raise it on every path.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::ast_query::{Node, Walk, walk_body_shallow};
use crate::catalog::{
    CANCELLATION_CATCHING_CLASSES, CANCELLATION_CLASS_CALLS, CANCELLED_ERROR_CLASSES,
    NON_CANCELLATION_BASES, TASK_CANCEL_METHODS, UNCANCEL_METHODS,
};
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;
use crate::semantic::dotted_name;

pub const DOCS: &str = r#"# LW403 cancelled-error-swallowed

## What it does
In an `async def`, flags an `except` clause that catches cancellation:
- `except asyncio.CancelledError:` (however imported),
- `except BaseException:`,
- a bare `except:`,
- a tuple containing one of them (`except (asyncio.CancelledError, OSError):`),
- `except anyio.get_cancelled_exc_class():`,

(also in `except*` clauses) when its body does not re-raise on every path. A path re-raises when
it ends in a bare `raise`, `raise <the caught name>` (`except asyncio.CancelledError as exc:
... raise exc`), or `raise asyncio.CancelledError(...)`. A path that falls off the end of the
handler, `return`s, `break`s or `continue`s out of it, or raises some other exception
swallows the cancellation. Paths are followed through `if`/`elif`/`else`, `with`, nested
`try` (a `return` in a `finally` swallows too) and `match`.

## Why is this bad?
`task.cancel()` works by raising `CancelledError` inside the task at its current `await`.
Everything built on cancellation relies on that exception travelling up to the task's top:
`asyncio.timeout()` and `asyncio.wait_for()` (which turn it into `TimeoutError` only if it
arrives), `TaskGroup` (which cancels the siblings of a failed task and then waits for them),
and server shutdown (which cancels every task and waits). A handler that swallows it makes the
task carry on as if nothing happened: a timeout never fires, a `TaskGroup` or shutdown waits
for a task that will not stop, and `task.cancelled()` is `False` for a task that was cancelled.

Since Python 3.8 `CancelledError` derives from `BaseException`, so `except Exception:` does
not catch it; `except BaseException:` and a bare `except:` do.

## Example
```python
async def worker(queue):
    while True:
        item = await queue.get()
        try:
            await process(item)
        except BaseException:
            log.exception("failed on %r", item)
```

## Use instead
```python
async def worker(queue):
    while True:
        item = await queue.get()
        try:
            await process(item)
        except Exception:
            log.exception("failed on %r", item)
```
or, when cleanup must also run on cancellation, re-raise after it:
```python
        except asyncio.CancelledError:
            await release(item)
            raise
```

## Not flagged
- `except Exception:` and narrower classes: they do not catch `CancelledError`.
- The cancel-and-wait idiom: a handler of a `try` that awaits a task which the same function
  cancelled before the `await` (`task.cancel()` then `try: await task` /
  `except asyncio.CancelledError: pass`): the cancellation caught is the one just requested.
- A handler that re-raises cancellations and handles everything else:
  `except BaseException as exc:` with `if isinstance(exc, asyncio.CancelledError): raise` (or
  `if not isinstance(exc, Exception): raise`) in it.
- A handler that calls `.uncancel()` (`asyncio.current_task().uncancel()`, Python 3.11+), the
  documented way to suppress a cancellation deliberately.
- Code outside async context (a sync `def`, a `lambda`, module level): no task is cancelled there.

## Fix
None: whether to re-raise after cleanup or to narrow the clause to `Exception` depends on what
the handler is for. The help line says both.
"#;

pub(crate) fn check_try(checker: &mut Checker, try_stmt: &ast::StmtTry) {
    let mut waited_after_cancel: Option<bool> = None;
    for handler in &try_stmt.handlers {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        let Some(kind) = catches_cancellation(checker, handler.type_.as_deref()) else {
            continue;
        };
        let caught = handler.name.as_ref().map(|name| name.as_str());
        if sequence_flow(checker, &handler.body, caught) == Flow::Reraises
            || calls_uncancel(&handler.body)
        {
            continue;
        }
        if *waited_after_cancel.get_or_insert_with(|| awaits_cancelled_task(checker, try_stmt)) {
            continue;
        }
        let (message, range) = match (kind, handler.type_.as_deref()) {
            (_, None) => (
                "Bare `except:` in async function swallows cancellation: the handler does not re-raise on every path"
                    .to_string(),
                TextRange::at(handler.start(), TextSize::from(6)),
            ),
            (_, Some(type_)) => (
                format!(
                    "`except {}` in async function swallows cancellation: the handler does not re-raise on every path",
                    checker.text(type_.range())
                ),
                type_.range(),
            ),
        };
        let target = checker.settings.target_version;
        let help = match kind {
            Catches::CancelledError if (target.major, target.minor) >= (3, 11) => {
                "Re-raise with a bare `raise` after cleanup; if suppressing is deliberate, call `asyncio.current_task().uncancel()`"
            }
            Catches::CancelledError => "Re-raise with a bare `raise` after cleanup",
            Catches::Everything => {
                "Catch `Exception` instead (it does not include `CancelledError`), or end the handler with a bare `raise`"
            }
        };
        checker
            .report(Diagnostic::new(Rule::CancelledErrorSwallowed, message, range).with_help(help));
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Catches {
    /// `CancelledError` by name (alone or in a tuple).
    CancelledError,
    /// `BaseException` or a bare `except:`.
    Everything,
}

fn catches_cancellation(checker: &Checker, type_: Option<&Expr>) -> Option<Catches> {
    let Some(type_) = type_ else {
        return Some(Catches::Everything);
    };
    match type_ {
        Expr::Tuple(tuple) => {
            let kinds: Vec<Catches> = tuple
                .elts
                .iter()
                .filter_map(|elt| catches_cancellation(checker, Some(elt)))
                .collect();
            if kinds.contains(&Catches::Everything) {
                Some(Catches::Everything)
            } else {
                kinds.first().copied()
            }
        }
        Expr::Call(call) => checker
            .model
            .call_path(call)
            .is_some_and(|path| CANCELLATION_CLASS_CALLS.contains(&path.as_str()))
            .then_some(Catches::CancelledError),
        _ => {
            let path = checker.model.path_of(type_)?;
            if CANCELLED_ERROR_CLASSES.contains(&path.as_str()) {
                Some(Catches::CancelledError)
            } else if CANCELLATION_CATCHING_CLASSES.contains(&path.as_str()) {
                Some(Catches::Everything)
            } else {
                None
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Does every path through the handler re-raise?

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    /// Every path re-raises the caught exception.
    Reraises,
    /// Some path leaves the handler without re-raising (`return`, `break`, `continue`, or a
    /// raise of another exception).
    Escapes,
    /// Some path reaches the end of the statement normally; no path escapes.
    FallsThrough,
}

fn sequence_flow(checker: &Checker, body: &[Stmt], caught: Option<&str>) -> Flow {
    for stmt in body {
        match statement_flow(checker, stmt, caught) {
            Flow::FallsThrough => {}
            decided => return decided,
        }
    }
    Flow::FallsThrough
}

/// Joins the flows of alternative branches.
fn join(branches: impl IntoIterator<Item = Flow>) -> Flow {
    let mut all_reraise = true;
    for flow in branches {
        match flow {
            Flow::Escapes => return Flow::Escapes,
            Flow::FallsThrough => all_reraise = false,
            Flow::Reraises => {}
        }
    }
    if all_reraise {
        Flow::Reraises
    } else {
        Flow::FallsThrough
    }
}

fn statement_flow(checker: &Checker, stmt: &Stmt, caught: Option<&str>) -> Flow {
    match stmt {
        Stmt::Raise(raise) => match raise.exc.as_deref() {
            None => Flow::Reraises,
            Some(exc) if reraises(checker, exc, caught) => Flow::Reraises,
            // Another exception replaces the cancellation.
            Some(_) => Flow::Escapes,
        },
        Stmt::Return(_) | Stmt::Break(_) | Stmt::Continue(_) => Flow::Escapes,
        Stmt::If(if_stmt) => {
            // `if isinstance(exc, asyncio.CancelledError): raise`: the cancellation path
            // re-raises; the other paths handle other exceptions, which is not this rule's
            // business.
            let guarded = std::iter::once((Some(&*if_stmt.test), &if_stmt.body))
                .chain(
                    if_stmt
                        .elif_else_clauses
                        .iter()
                        .map(|clause| (clause.test.as_ref(), &clause.body)),
                )
                .any(|(test, body)| {
                    test.is_some_and(|test| is_cancellation_test(checker, test, caught))
                        && sequence_flow(checker, body, caught) == Flow::Reraises
                });
            if guarded {
                return Flow::Reraises;
            }
            let has_else = if_stmt
                .elif_else_clauses
                .last()
                .is_some_and(|clause| clause.test.is_none());
            let mut branches = vec![sequence_flow(checker, &if_stmt.body, caught)];
            branches.extend(
                if_stmt
                    .elif_else_clauses
                    .iter()
                    .map(|clause| sequence_flow(checker, &clause.body, caught)),
            );
            if !has_else {
                branches.push(Flow::FallsThrough);
            }
            join(branches)
        }
        Stmt::Match(match_stmt) => {
            let mut branches: Vec<Flow> = match_stmt
                .cases
                .iter()
                .map(|case| sequence_flow(checker, &case.body, caught))
                .collect();
            let irrefutable = match_stmt.cases.last().is_some_and(|case| {
                case.guard.is_none()
                    && matches!(&case.pattern, ast::Pattern::MatchAs(pattern) if pattern.pattern.is_none())
            });
            if !irrefutable {
                branches.push(Flow::FallsThrough);
            }
            join(branches)
        }
        Stmt::With(with) => sequence_flow(checker, &with.body, caught),
        Stmt::For(ast::StmtFor { body, orelse, .. })
        | Stmt::While(ast::StmtWhile { body, orelse, .. }) => {
            // A loop may run zero times; only a path that escapes the handler from inside it
            // (a `return`, a raise of another exception) decides anything.
            if loop_escapes(checker, body, caught)
                || sequence_flow(checker, orelse, caught) == Flow::Escapes
            {
                Flow::Escapes
            } else {
                Flow::FallsThrough
            }
        }
        Stmt::Try(inner) => {
            match sequence_flow(checker, &inner.finalbody, caught) {
                Flow::FallsThrough => {}
                decided => return decided,
            }
            let mut body = inner.body.iter().chain(inner.orelse.iter());
            let body_flow = loop {
                let Some(stmt) = body.next() else {
                    break Flow::FallsThrough;
                };
                match statement_flow(checker, stmt, caught) {
                    Flow::FallsThrough => {}
                    decided => break decided,
                }
            };
            let handler_flows = inner.handlers.iter().map(|handler| {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                sequence_flow(checker, &handler.body, caught)
            });
            join(std::iter::once(body_flow).chain(handler_flows))
        }
        _ => Flow::FallsThrough,
    }
}

/// Whether a loop body contains a path that leaves the handler without re-raising: a
/// `return` or a raise of another exception (`break`/`continue` only leave the loop).
fn loop_escapes(checker: &Checker, body: &[Stmt], caught: Option<&str>) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Return(_) => true,
        Stmt::Raise(raise) => raise
            .exc
            .as_deref()
            .is_some_and(|exc| !reraises(checker, exc, caught)),
        Stmt::Break(_) | Stmt::Continue(_) | Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        Stmt::If(if_stmt) => {
            loop_escapes(checker, &if_stmt.body, caught)
                || if_stmt
                    .elif_else_clauses
                    .iter()
                    .any(|clause| loop_escapes(checker, &clause.body, caught))
        }
        Stmt::With(with) => loop_escapes(checker, &with.body, caught),
        Stmt::For(ast::StmtFor { body, orelse, .. })
        | Stmt::While(ast::StmtWhile { body, orelse, .. }) => {
            loop_escapes(checker, body, caught) || loop_escapes(checker, orelse, caught)
        }
        Stmt::Try(inner) => {
            loop_escapes(checker, &inner.body, caught)
                || loop_escapes(checker, &inner.orelse, caught)
                || loop_escapes(checker, &inner.finalbody, caught)
                || inner.handlers.iter().any(|handler| {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    loop_escapes(checker, &handler.body, caught)
                })
        }
        Stmt::Match(match_stmt) => match_stmt
            .cases
            .iter()
            .any(|case| loop_escapes(checker, &case.body, caught)),
        _ => false,
    })
}

/// `isinstance(exc, asyncio.CancelledError)` (or `BaseException`, or a tuple holding one) and
/// `not isinstance(exc, Exception)`, on the caught name.
fn is_cancellation_test(checker: &Checker, test: &Expr, caught: Option<&str>) -> bool {
    let Some(caught) = caught else { return false };
    let (call, negated) = match test {
        Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => match &*unary.operand {
            Expr::Call(call) => (call, true),
            _ => return false,
        },
        Expr::Call(call) => (call, false),
        _ => return false,
    };
    if checker.model.call_path(call).as_deref() != Some("builtins.isinstance") {
        return false;
    }
    let [Expr::Name(subject), class] = call.arguments.args.as_ref() else {
        return false;
    };
    if subject.id.as_str() != caught {
        return false;
    }
    let classes: Vec<&Expr> = match class {
        Expr::Tuple(tuple) => tuple.elts.iter().collect(),
        other => vec![other],
    };
    let paths: Vec<String> = classes
        .iter()
        .filter_map(|class| checker.model.path_of(class))
        .collect();
    if negated {
        // Not an `Exception`: a `BaseException` such as `CancelledError`.
        paths.len() == classes.len()
            && paths
                .iter()
                .all(|path| NON_CANCELLATION_BASES.contains(&path.as_str()))
    } else {
        paths
            .iter()
            .any(|path| CANCELLATION_CATCHING_CLASSES.contains(&path.as_str()))
    }
}

/// `raise exc` (the caught name), `raise asyncio.CancelledError`, `raise asyncio.CancelledError(...)`.
fn reraises(checker: &Checker, exc: &Expr, caught: Option<&str>) -> bool {
    if let (Expr::Name(name), Some(caught)) = (exc, caught)
        && name.id.as_str() == caught
    {
        return true;
    }
    let class = match exc {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    checker
        .model
        .path_of(class)
        .is_some_and(|path| CANCELLED_ERROR_CLASSES.contains(&path.as_str()))
}

/// Whether the handler calls `<task>.uncancel()`.
fn calls_uncancel(body: &[Stmt]) -> bool {
    let uncancels = |call: &ast::ExprCall| {
        matches!(&*call.func, Expr::Attribute(attribute)
            if UNCANCEL_METHODS.contains(&attribute.attr.as_str()))
    };
    walk_body_shallow(body, &mut |node| match node {
        Node::Expr(Expr::Call(call)) if uncancels(call) => Walk::Stop,
        _ => Walk::Descend,
    })
}

// ---------------------------------------------------------------------------------------
// The cancel-and-wait idiom.

/// Whether the `try` body awaits a task (`await task`, `await self._task`) that the current
/// function cancelled (`task.cancel()`) before that await.
fn awaits_cancelled_task(checker: &Checker, try_stmt: &ast::StmtTry) -> bool {
    let awaits = Collector::collect(&try_stmt.body);
    if awaits.awaited.is_empty() {
        return false;
    }
    let cancels = Collector::collect(checker.current_body());
    awaits.awaited.iter().any(|(task, awaited_at)| {
        cancels
            .cancelled
            .iter()
            .any(|(cancelled, cancelled_at)| cancelled == task && cancelled_at <= awaited_at)
    })
}

/// Awaited names (`await task`) and cancelled names (`task.cancel()`), with their offsets,
/// outside nested functions.
#[derive(Default)]
struct Collector {
    awaited: Vec<(String, TextSize)>,
    cancelled: Vec<(String, TextSize)>,
}

impl Collector {
    fn collect(body: &[Stmt]) -> Self {
        let mut found = Self::default();
        walk_body_shallow(body, &mut |node| {
            match node {
                Node::Expr(Expr::Await(await_expr)) => {
                    if let Some(task) = dotted_name(&await_expr.value) {
                        found.awaited.push((task, await_expr.start()));
                    }
                }
                Node::Expr(Expr::Call(call)) => {
                    if let Expr::Attribute(attribute) = &*call.func
                        && TASK_CANCEL_METHODS.contains(&attribute.attr.as_str())
                        && let Some(task) = dotted_name(&attribute.value)
                    {
                        found.cancelled.push((task, call.end()));
                    }
                }
                _ => {}
            }
            Walk::Descend
        });
        found
    }
}
