//! LW402 gather-exceptions-unchecked: `asyncio.gather(..., return_exceptions=True)` turns
//! failures into list items; if nobody looks at the items, the failures are silent.

use rustc_hash::FxHashSet as HashSet;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

use crate::ast_query::{
    Node, Walk, collect_assignments, element_comprehension, enclosing_class, find_function,
    find_method, items_passed_through, last_identifier, receiver_name, walk_body_shallow,
    walk_statements_shallow,
};
use crate::catalog::{
    ASYNCIO_WAIT_CALLS, BEST_EFFORT_CLEANUP_METHODS, COLLECTION_COPY_CALLS,
    COLLECTION_COPY_METHODS, EXCEPTION_BASE_CLASSES, FUTURE_WRAPPING_CALLS, GATHER_CALLS,
    ITERATION_HELPERS, NON_INSPECTING_CALLS, TASK_CALLBACK_METHODS, TASK_CANCEL_METHODS,
    TASK_CREATING_CALLS, TASK_WRAPPING_NAMES,
};
use crate::checker::Checker;
use crate::checker::gather::{held_elsewhere, target_names, waits_on_tasks_held_elsewhere};
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;
use crate::semantic::dotted_name;

pub const DOCS: &str = r#"# LW402 gather-exceptions-unchecked

## What it does
Flags `asyncio.gather(..., return_exceptions=True)` (however imported) whose exceptions are
never looked at, because its result is:
- dropped: `await asyncio.gather(a(), b(), return_exceptions=True)` as a statement, or
- bound to names (`results = ...`, `a, b = ...`, `for r in await asyncio.gather(...)`) that
  are never checked for exceptions and never handed on.

A result counts as checked when an item of it (the name itself, an item `results[i]`, a loop or
comprehension variable over it, also through `enumerate`/`zip`/`list`) is tested with
`isinstance(item, C)` or `issubclass(type(item), C)` where `C` is an exception class
(`BaseException`, `Exception`, any class whose name ends in `Error` or `Exception`, or a tuple
holding one), or is raised. It counts as handed on when it, or an item of it, is returned or
yielded, passed to a call (`log.info("%s", r)`, `self._handle(results)`), stored in an
attribute or container, or used inside a nested function.

## Why is this bad?
`return_exceptions=True` makes `gather` wait for every awaitable and return exceptions as
ordinary list items instead of raising them. That is the right call when every result is then
inspected; when it is not, each failure (a lost write, a timed-out request) vanishes without a
log line or a traceback: the gather "succeeds" and the caller carries on. Note that
cancellations are returned too, as `asyncio.CancelledError`, which is a `BaseException` and not
an `Exception`: check for `BaseException` to see them.

## Example
```python
async def notify_all(users):
    await asyncio.gather(*(send_email(u) for u in users), return_exceptions=True)
```

## Use instead
```python
async def notify_all(users):
    results = await asyncio.gather(*(send_email(u) for u in users), return_exceptions=True)
    for user, result in zip(users, results):
        if isinstance(result, BaseException):
            log.error("email to %s failed", user, exc_info=result)
```

## Not flagged
- The shutdown drain of tasks created elsewhere:
  `await asyncio.gather(*self._tasks, return_exceptions=True)` (or `*background_tasks`, a
  module-level collection, one of the collections such a collection keeps,
  `*self._pending[name]`, possibly through `list(...)`/`.values()`), where the tasks' errors
  are handled by whoever created them and the drain only waits for them to finish. A gather over
  `asyncio.all_tasks()`, directly or through a local built from it, is the same drain. So is a
  local copy of such a collection: `tasks = tuple(self._tasks)`, a comprehension over it
  (`[t for t in self._tasks if not t.done()]`, each item made awaitable as the same future,
  `[asyncio.wrap_future(f) for f in self._futures]`, or the task each record of one keeps:
  `[run.task for run in self._running.values()]`), a display of them
  (`(*self._running, *self._overflow)`), a local bound to an instance attribute
  (`task = self._task`), or a local the function also stores in one (`closing =
  asyncio.create_task(...)`, `self._close_task = closing`): the object keeps it, and whoever
  awaits it there sees how it ended. So is a local collection bound only to an empty one
  (`pending = set()`) that only functions nested in the current one fill (`pending.add(task)`
  in a callback the function registers), none of which it calls itself: the callbacks' tasks
  are theirs to answer for. A nested helper the function calls in its own loop is not one.
- Reaping tasks the function has just cancelled: every awaitable was cancelled before the
  gather, by `task.cancel()` on the same name or `for t in tasks: t.cancel()` (also under an
  `if`) over the same collection (`tasks = [create_task(...) ...]`, cancel each in a `finally`,
  then `gather(*tasks, return_exceptions=True)`; a dict's tasks through `.values()` on both
  sides), or over a tuple or list that names each task
  (`for t in (self._reader, self._writer): t.cancel()`, or spreads a collection, `for t in
  (*tasks, watcher):`), or over a local copy of the collection
  (`pending = set(tasks)`, cancelled in a loop and narrowed by `_, pending = await
  asyncio.wait(pending)`, then `gather(*tasks, ...)`); the same member of records cancelled
  in a loop over them (`for item in pending: item.task.cancel()`, then `gather(*(item.task
  for item in pending), ...)`); a local list every `.append`ed item of which was
  cancelled; the `done` part of `done, pending = await asyncio.wait(cancelled_tasks)`; the list
  returned by a module-level helper (or a method of the class) that cancels every task it
  collects and returns them; a task made in the function (`t = asyncio.create_task(pull(scope,
  ...))`) cancelled through a value its coroutine was handed (`scope.cancel()`, an anyio cancel
  scope or a cancellation token, before the gather). The cancellations are the expected outcome
  and there is nothing else to check.
- A dropped gather in an `except` handler that ends with a bare `raise`: the tasks are drained
  on the way out of a failure that propagates anyway, and their own exceptions would only be
  secondary to it. A result bound to a name there is still read as usual.
- Tasks whose outcome goes to a done callback: every awaitable had `add_done_callback(...)`
  called on it before the gather (`task.add_done_callback(log_failure)` on each task appended
  to the list, or `for t in tasks: t.add_done_callback(...)` over the collection). The
  callback is handed each task as it ends, exception and all; the gather only waits. Also
  tasks a helper returns (a module-level function, or a method of the class called on
  `self`), added with `tasks.extend(self._start(...))`, when the helper hands each task it
  returns to a done callback or cancels it.
- Best-effort cleanup of several objects: every awaitable is a call of a cleanup method
  (`close`, `aclose`, `wait_closed`, `stop`, `kill`, `terminate`, `disconnect`, `shutdown`,
  `cleanup`, `dispose`, `unload`, `destroy`, `teardown`, `detach`, also with an `async_`
  prefix), directly, in a comprehension
  (`*(c.close() for c in clients)`), or wrapped in `create_task`/`ensure_future`/
  `create_eager_task` or handed to such a task helper as a callable (`create_task(item.close)`)
  (also through a local list of them). A shutdown path that closes many
  things must not stop at the first failure.
- Tasks whose coroutine handles every failure itself: each awaitable is a call (or a task
  of a call, also in a comprehension) of an `async def` of the module, or a method of the
  class called on the receiver, whose whole body (after its docstring and its own imports)
  is one `try` with a handler of every exception (`except Exception:`, `except BaseException:`, a bare `except:`) that raises
  nothing (`logger.exception(...)`), or one `while` loop whose body is such a `try` (a
  worker that logs each turn's failure and goes on): the gather only waits for them.
- A local list of coroutines or tasks built in the same function for their results, and not
  cancelled, is *not* exempt.
- A result that is checked or handed on as described above (also when the items are returned
  through a comprehension or a sum: `return pending + tuple(r for r in results if r is not None)`).
  An item compared with `True` is checked too (`all(r is True for r in results)`, the verdicts
  of health probes): an exception item is never `True`, so a failure reads as one. A test
  against `None` is not (`if r is not None: use(r)` takes an exception for a value).
- A `gather` used inside a larger expression (`await asyncio.wait_for(asyncio.gather(...), 5)`,
  `return await asyncio.gather(...)`): its result is handed on.
- `return_exceptions=False` or a non-literal value; without `return_exceptions=`, see LW401.

## Fix
None: what to do with a failure (log, retry, re-raise) is the caller's decision. The help line
shows the check.
"#;

const HELP: &str =
    "Check each result: `if isinstance(result, BaseException): ...` (log, retry or re-raise it)";

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, path: &str) {
    if !GATHER_CALLS.contains(&path) {
        return;
    }
    let returns_exceptions = call
        .arguments
        .find_keyword("return_exceptions")
        .is_some_and(
            |keyword| matches!(&keyword.value, Expr::BooleanLiteral(literal) if literal.value),
        );
    if !returns_exceptions
        || waits_on_tasks_held_elsewhere(checker, call)
        || drains_or_cleans_up(checker, call)
    {
        return;
    }
    let Some(consumer) = consumer(checker, call) else {
        return;
    };
    if matches!(consumer, Consumer::Dropped) && in_reraising_handler(checker, call) {
        return;
    }
    let message = match consumer {
        Consumer::Dropped => {
            "Result of `asyncio.gather(..., return_exceptions=True)` is dropped: every exception it collected is silently discarded"
                .to_string()
        }
        Consumer::Names(names) => {
            if result_is_used(checker, &names) {
                return;
            }
            let shown = names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ");
            format!(
                "Results of `asyncio.gather(..., return_exceptions=True)` in {shown} are never checked for exceptions: failures are silent"
            )
        }
    };
    checker.report(
        Diagnostic::new(Rule::GatherExceptionsUnchecked, message, call.range()).with_help(HELP),
    );
}

// ---------------------------------------------------------------------------------------
// The drain and the best-effort cleanup: gathers whose results are not worth checking.

/// Whether every awaitable of the gather is a task the function drains (held elsewhere, a
/// local copy of such a collection, or cancelled earlier in the function) or a best-effort
/// cleanup call (`c.close()`, `p.kill()`, `create_task(x.aclose())`).
fn drains_or_cleans_up(checker: &Checker, call: &ast::ExprCall) -> bool {
    let args = &call.arguments.args;
    let drain = Drain {
        checker,
        gather_at: call.start(),
    };
    !args.is_empty()
        && args.iter().all(|arg| match arg {
            Expr::Starred(starred) => drain.collection(&starred.value, 0),
            other => drain.awaitable(other, 0),
        })
}

struct Drain<'c, 'a, 'm> {
    checker: &'c Checker<'a, 'm>,
    /// Where the gather starts: cancels before it count.
    gather_at: TextSize,
}

const MAX_DRAIN_DEPTH: usize = 6;

impl<'a> Drain<'_, 'a, '_> {
    /// One awaitable: a task held elsewhere, one cancelled before the gather, or a cleanup call.
    fn awaitable(&self, expr: &Expr, depth: usize) -> bool {
        held_elsewhere(self.checker, expr)
            || self.cancelled_before(expr)
            || self.handled_by_callback(expr)
            || is_cleanup_call(expr)
            || self.handles_own_failures(expr)
            || (depth < MAX_DRAIN_DEPTH
                && matches!(expr, Expr::Name(_))
                && self.local_values(expr, &mut |drain, value| drain.awaitable(value, depth + 1)))
    }

    /// A collection of awaitables (the operand of `*`): held elsewhere or copied from such a
    /// collection, cancelled item by item before the gather, a comprehension of cleanup calls,
    /// or a display of drained awaitables.
    fn collection(&self, expr: &Expr, depth: usize) -> bool {
        if depth > MAX_DRAIN_DEPTH {
            return false;
        }
        if held_elsewhere(self.checker, expr)
            || self.cancelled_before(expr)
            || self.handled_by_callback(expr)
        {
            return true;
        }
        match expr {
            // `(*self._running, *self._overflow)`, `(a, b)`
            Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::List(ast::ExprList { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. }) => elts.iter().all(|elt| match elt {
                Expr::Starred(starred) => self.collection(&starred.value, depth + 1),
                other => self.awaitable(other, depth + 1),
            }),
            // `(a,) if a is not None else ()`
            Expr::If(if_expr) => {
                self.collection(&if_expr.body, depth + 1)
                    && self.collection(&if_expr.orelse, depth + 1)
            }
            // `tuple(self._tasks)`, `list(pending)`, `self._by_name.values()`
            Expr::Call(call) => {
                let copies = self
                    .checker
                    .model
                    .call_path(call)
                    .is_some_and(|path| COLLECTION_COPY_CALLS.contains(&path.as_str()));
                if copies {
                    return match call.arguments.args.as_ref() {
                        [only] if call.arguments.keywords.is_empty() => {
                            self.collection(only, depth + 1)
                        }
                        _ => false,
                    };
                }
                // `tasks = _cancel_stale(...)`, `self._subs_to_add(...)`: a module-level helper
                // or a method of the class that cancels the tasks it returns, or hands each
                // to a done callback.
                if self.helper_called(call).is_some_and(returns_handled_tasks) {
                    return true;
                }
                match &*call.func {
                    Expr::Attribute(method)
                        if COLLECTION_COPY_METHODS.contains(&method.attr.as_str())
                            && call.arguments.is_empty() =>
                    {
                        self.collection(&method.value, depth + 1)
                    }
                    _ => false,
                }
            }
            // `(c.close() for c in clients)`, `(t for t in (self._a, self._b) if t is not None)`
            Expr::Generator(_) | Expr::ListComp(_) | Expr::SetComp(_) => {
                let Some((elt, generators)) = element_comprehension(expr) else {
                    return false;
                };
                is_cleanup_call(elt)
                    || self.handles_own_failures(elt)
                    || items_passed_through(elt, generators)
                        .is_some_and(|items| self.collection(items, depth + 1))
                    // `[asyncio.wrap_future(f) for f in snapshot]`: each item made awaitable,
                    // the same future underneath.
                    || self
                        .items_wrapped(elt, generators)
                        .is_some_and(|items| self.collection(items, depth + 1))
                    // `[run.task for run in self._running.values()]`: the task each record
                    // held elsewhere keeps.
                    || member_of_items(elt, generators)
                        .is_some_and(|items| held_elsewhere(self.checker, items))
                    // `for item in pending: item.task.cancel()`, then `(item.task for item
                    // in pending)`: the same member of each record, cancelled first.
                    || member_of_items(elt, generators).is_some_and(|items| {
                        matches!(elt, Expr::Attribute(member)
                            if self.member_cancelled_before(items, member.attr.as_str()))
                    })
            }
            Expr::Name(_) => {
                self.local_values(expr, &mut |drain, value| drain.collection(value, depth + 1))
            }
            _ => false,
        }
    }

    /// The collection `items` of `(asyncio.wrap_future(f) for f in items)`: each item handed
    /// to a call that gives back an awaitable of that same future or task
    /// ([`FUTURE_WRAPPING_CALLS`]).
    fn items_wrapped<'e>(
        &self,
        elt: &Expr,
        generators: &'e [ast::Comprehension],
    ) -> Option<&'e Expr> {
        let Expr::Call(call) = elt else {
            return None;
        };
        let [argument] = call.arguments.args.as_ref() else {
            return None;
        };
        if !call.arguments.keywords.is_empty()
            || !self
                .checker
                .model
                .call_path(call)
                .is_some_and(|path| FUTURE_WRAPPING_CALLS.contains(&path.as_str()))
        {
            return None;
        }
        items_passed_through(argument, generators)
    }

    /// Whether `name` is a local whose every binding passes `test`: assignments (a
    /// `done, pending = await asyncio.wait(tasks)` binds parts of `tasks`), and items added with
    /// `.append(v)`/`.add(v)` to a local that starts empty.
    fn local_values(&self, name: &Expr, test: &mut dyn FnMut(&Self, &Expr) -> bool) -> bool {
        let Expr::Name(name) = name else { return false };
        let name = name.id.as_str();
        if !self.checker.model.is_local(name) {
            return false;
        }
        let body = self.checker.current_body();
        let mut values: Vec<&Expr> = Vec::new();
        let mut unknown = false;
        let mut bindings = 0;
        collect_assignments(body, &mut |target, value, index| {
            if !matches!(target, Expr::Name(bound) if bound.id.as_str() == name) {
                return;
            }
            bindings += 1;
            match (value, index) {
                (Some(value), None) => values.push(value),
                (Some(value), Some(_)) => match split_by_wait(self.checker, value) {
                    Some(tasks) => values.push(tasks),
                    None => unknown = true,
                },
                _ => unknown = true,
            }
        });
        if unknown || bindings == 0 {
            return false;
        }
        let mut added: Vec<&Expr> = Vec::new();
        let mut starts_empty = true;
        for value in &values {
            match value {
                Expr::List(ast::ExprList { elts, .. }) | Expr::Set(ast::ExprSet { elts, .. })
                    if elts.is_empty() => {}
                Expr::Call(call)
                    if call.arguments.is_empty()
                        && matches!(last_identifier(&call.func), Some("list" | "set")) => {}
                _ => starts_empty = false,
            }
        }
        if starts_empty {
            // Items added one by one (`append`, `add`), and collections of them (`extend`).
            let mut extended: Vec<&Expr> = Vec::new();
            walk_body_shallow(body, &mut |node| {
                if let Node::Expr(Expr::Call(call)) = node
                    && let Expr::Attribute(attribute) = &*call.func
                    && matches!(&*attribute.value, Expr::Name(receiver) if receiver.id.as_str() == name)
                {
                    let into = match attribute.attr.as_str() {
                        "append" | "add" => &mut added,
                        "extend" | "update" => &mut extended,
                        _ => return Walk::Descend,
                    };
                    match call.arguments.args.as_ref() {
                        [item] if call.arguments.keywords.is_empty() => into.push(item),
                        _ => unknown = true,
                    }
                }
                Walk::Descend
            });
            return !unknown
                && (!added.is_empty() || !extended.is_empty())
                && added
                    .iter()
                    .all(|item| self.awaitable(item, MAX_DRAIN_DEPTH))
                && extended
                    .iter()
                    .all(|items| self.collection(items, MAX_DRAIN_DEPTH));
        }
        values.iter().all(|value| test(self, value))
    }

    /// The function `call` calls when it is a module-level `def` of this module (by a name
    /// the function does not bind) or, from a method, `self.<method>(...)` of its class or of
    /// a base class in this module.
    /// `work(i)`, or a task of it (`create_task(work(i))`), where `work` is an `async def`
    /// of the module (or a method of the class, called on the receiver) whose whole body is
    /// one `try` with a handler of every failure (`except Exception:`, `except
    /// BaseException:`, a bare `except:`) that raises nothing: each failure is handled (logged)
    /// inside the task, and the gather only waits for them to end.
    fn handles_own_failures(&self, expr: &Expr) -> bool {
        let Expr::Call(call) = expr else { return false };
        let call = match last_identifier(&call.func) {
            Some(name) if TASK_WRAPPING_NAMES.contains(&name) => {
                match call.arguments.args.first() {
                    Some(Expr::Call(inner)) => inner,
                    _ => return false,
                }
            }
            _ => call,
        };
        self.helper_called(call)
            .is_some_and(|function| function.is_async && handles_every_failure(&function.body))
    }

    fn helper_called(&self, call: &ast::ExprCall) -> Option<&'a ast::StmtFunctionDef> {
        let module = &self.checker.module().body;
        match &*call.func {
            Expr::Name(callee) if !self.checker.model.is_local(callee.id.as_str()) => {
                find_function(module, callee.id.as_str())
            }
            Expr::Attribute(method) => {
                let Expr::Name(owner) = &*method.value else {
                    return None;
                };
                let function = self.checker.current_function()?;
                if receiver_name(function) != Some(owner.id.as_str()) {
                    return None;
                }
                let class = enclosing_class(self.checker.statement_ancestors(), function)?;
                find_method(module, class, method.attr.as_str(), 0)
            }
            _ => None,
        }
    }

    /// `task.cancel()` before the gather, or `for t in tasks: t.cancel()` (also under an `if`)
    /// before it, on the same dotted name; or, for a local bound to a task made here
    /// (`task = asyncio.create_task(pull(stream, scope))`), a `.cancel()` before the gather of
    /// a value the task's coroutine was handed (`scope.cancel()`: an anyio cancel scope, a
    /// cancellation token), which is how a task that must finish its cleanup is cancelled.
    fn cancelled_before(&self, expr: &Expr) -> bool {
        self.called_before(expr, TASK_CANCEL_METHODS)
            || (matches!(expr, Expr::Name(_))
                && self.local_values(expr, &mut |drain, value| {
                    drain.cancelled_through_argument(value)
                }))
    }

    /// `create_task(work(..., scope))` where `scope.cancel()` is called before the gather.
    fn cancelled_through_argument(&self, value: &Expr) -> bool {
        let Expr::Call(creation) = value else {
            return false;
        };
        let creates_task = self
            .checker
            .model
            .call_path(creation)
            .is_some_and(|path| TASK_CREATING_CALLS.contains(&path.as_str()));
        let [Expr::Call(coroutine)] = creation.arguments.args.as_ref() else {
            return false;
        };
        creates_task
            && crate::ast_query::argument_values(&coroutine.arguments)
                .any(|argument| self.called_before(argument, TASK_CANCEL_METHODS))
    }

    /// `task.add_done_callback(...)` before the gather, or the same in a `for` over the
    /// collection: the callback receives each task when it ends, exception and all, so the
    /// outcome is looked at there.
    fn handled_by_callback(&self, expr: &Expr) -> bool {
        self.called_before(expr, TASK_CALLBACK_METHODS)
    }

    /// `<expr>.<method>(...)` before the gather, or `for t in <expr>: t.<method>(...)` (also
    /// under an `if`) before it, on the same dotted name, for one of `methods`.
    fn called_before(&self, expr: &Expr, methods: &[&str]) -> bool {
        let Some(target) = dotted_name(expr) else {
            return false;
        };
        let gather_at = self.gather_at;
        walk_body_shallow(self.checker.current_body(), &mut |node| {
            match node {
                Node::Expr(Expr::Call(call)) if call.end() <= gather_at => {
                    if let Expr::Attribute(attribute) = &*call.func
                        && methods.contains(&attribute.attr.as_str())
                        && dotted_name(&attribute.value).as_deref() == Some(target.as_str())
                    {
                        return Walk::Stop;
                    }
                }
                Node::Stmt(Stmt::For(for_stmt)) if for_stmt.start() < gather_at => {
                    // `for t in tasks:`, or over a display that names it (`for t in
                    // (self._reader, self._writer):`).
                    let iterates_target = match unwrap_copy(self.checker, &for_stmt.iter) {
                        // `(*tasks, watcher)`: a starred item names a collection it spreads.
                        Expr::Tuple(ast::ExprTuple { elts, .. })
                        | Expr::List(ast::ExprList { elts, .. }) => elts.iter().any(|elt| {
                            let elt = match elt {
                                Expr::Starred(starred) => &*starred.value,
                                other => other,
                            };
                            dotted_name(elt).as_deref() == Some(target.as_str())
                        }),
                        iter => {
                            dotted_name(iter).as_deref() == Some(target.as_str())
                                || self.local_copy_of(iter, &target)
                        }
                    };
                    if let Expr::Name(item) = &*for_stmt.target
                        && iterates_target
                        && calls_method_on(&for_stmt.body, item.id.as_str(), methods)
                    {
                        return Walk::Stop;
                    }
                }
                _ => {}
            }
            Walk::Descend
        })
    }

    /// Whether a `for` loop before the gather goes over `items` (the same dotted name, or a
    /// local copy of it) and cancels the member `member` of each (`for item in pending:
    /// item.task.cancel()`).
    fn member_cancelled_before(&self, items: &Expr, member: &str) -> bool {
        let Some(target) = dotted_name(items) else {
            return false;
        };
        let gather_at = self.gather_at;
        walk_body_shallow(self.checker.current_body(), &mut |node| match node {
            Node::Stmt(Stmt::For(for_stmt))
                if for_stmt.end() <= gather_at
                    && (dotted_name(&for_stmt.iter).as_deref() == Some(target.as_str())
                        || self.local_copy_of(&for_stmt.iter, &target))
                    && matches!(&*for_stmt.target, Expr::Name(item)
                        if cancels_member(&for_stmt.body, item.id.as_str(), member)) =>
            {
                Walk::Stop
            }
            _ => Walk::Descend,
        })
    }

    /// Whether `expr` is a local every binding of which is the collection `target` or a copy
    /// of it (`pending = set(tasks)`), or keeps part of itself (`done, pending = await
    /// asyncio.wait(pending)`): a loop over it reaches only tasks of `target`. Read from the
    /// assignments alone: asking what the items of a collection filled one by one are would
    /// ask again whether a loop before the gather cancels them, and two such loops over
    /// collections filled with the same name would ask each other without end.
    fn local_copy_of(&self, expr: &Expr, target: &str) -> bool {
        let Expr::Name(local) = expr else {
            return false;
        };
        if !self.checker.model.is_local(local.id.as_str()) {
            return false;
        }
        let (mut copies, mut other) = (false, false);
        collect_assignments(self.checker.current_body(), &mut |bound, value, index| {
            if !matches!(bound, Expr::Name(bound) if bound.id == local.id) {
                return;
            }
            let value = match (value, index) {
                (Some(value), None) => Some(value),
                (Some(value), Some(_)) => split_by_wait(self.checker, value),
                (None, _) => None,
            };
            match value {
                Some(Expr::Name(same)) if same.id == local.id => {}
                Some(value)
                    if dotted_name(unwrap_copy(self.checker, value)).as_deref() == Some(target) =>
                {
                    copies = true;
                }
                _ => other = true,
            }
        });
        copies && !other
    }
}

/// The collection `items` of `(item.attr for item in items)`: an attribute of each item.
fn member_of_items<'a>(elt: &Expr, generators: &'a [ast::Comprehension]) -> Option<&'a Expr> {
    let [generator] = generators else {
        return None;
    };
    let (Expr::Attribute(member), Expr::Name(target)) = (elt, &generator.target) else {
        return None;
    };
    matches!(&*member.value, Expr::Name(item) if item.id == target.id).then_some(&generator.iter)
}

/// Whether the gather sits in an `except` handler that ends by re-raising what it caught (a
/// bare `raise` last): the tasks are drained on the way out of a failure that propagates
/// anyway, and their own exceptions would only be secondary to it.
fn in_reraising_handler(checker: &Checker, call: &ast::ExprCall) -> bool {
    let at = call.range();
    let Some(function) = checker.current_function() else {
        return false;
    };
    checker.statement_ancestors().iter().any(|stmt| {
        // A `try` of this function, not of one the function is nested in.
        let Stmt::Try(attempt) = stmt else {
            return false;
        };
        if !function.range().contains_range(attempt.range()) {
            return false;
        }
        attempt.handlers.iter().any(|handler| {
            let ast::ExceptHandler::ExceptHandler(handler) = handler;
            handler.range().contains_range(at)
                && matches!(
                    handler.body.last(),
                    Some(Stmt::Raise(ast::StmtRaise { exc: None, .. }))
                )
        })
    })
}

/// A function that builds a list of tasks and returns it, having cancelled each or handed
/// each to a done callback: every `return` returns the same local, which starts empty and
/// gets only items the function calls `.cancel()` or `.add_done_callback(...)` on.
fn returns_handled_tasks(function: &ast::StmtFunctionDef) -> bool {
    let mut returned: Option<String> = None;
    let mut consistent = true;
    walk_statements_shallow(&function.body, &mut |stmt| {
        if let Stmt::Return(ret) = stmt {
            match ret.value.as_deref() {
                Some(Expr::Name(name))
                    if returned
                        .as_deref()
                        .is_none_or(|seen| seen == name.id.as_str()) =>
                {
                    returned = Some(name.id.to_string());
                }
                _ => consistent = false,
            }
        }
        Walk::Descend
    });
    let Some(returned) = returned.filter(|_| consistent) else {
        return false;
    };
    let mut starts_empty = true;
    collect_assignments(&function.body, &mut |target, value, _| {
        if matches!(target, Expr::Name(bound) if bound.id.as_str() == returned) {
            starts_empty &= matches!(value,
                Some(Expr::List(ast::ExprList { elts, .. }) | Expr::Set(ast::ExprSet { elts, .. }))
                    if elts.is_empty());
        }
    });
    let mut items: Vec<String> = Vec::new();
    let mut other = false;
    walk_body_shallow(&function.body, &mut |node| {
        if let Node::Expr(Expr::Call(call)) = node
            && let Expr::Attribute(attribute) = &*call.func
            && matches!(attribute.attr.as_str(), "append" | "add")
            && matches!(&*attribute.value, Expr::Name(receiver) if receiver.id.as_str() == returned)
        {
            match call.arguments.args.as_ref() {
                [Expr::Name(item)] => items.push(item.id.to_string()),
                _ => other = true,
            }
        }
        Walk::Descend
    });
    starts_empty
        && !other
        && !items.is_empty()
        && items.iter().all(|item| {
            calls_method_on(&function.body, item, TASK_CANCEL_METHODS)
                || calls_method_on(&function.body, item, TASK_CALLBACK_METHODS)
        })
}

/// `list(xs)`, `tuple(xs)`, `xs.values()`, `xs.copy()` → `xs`.
fn unwrap_copy<'e>(checker: &Checker, expr: &'e Expr) -> &'e Expr {
    if let Expr::Call(call) = expr
        && checker
            .model
            .call_path(call)
            .is_some_and(|path| COLLECTION_COPY_CALLS.contains(&path.as_str()))
        && let [only] = call.arguments.args.as_ref()
    {
        return only;
    }
    // `tasks.values()`, `tasks.copy()`: the same tasks.
    if let Expr::Call(call) = expr
        && let Expr::Attribute(method) = &*call.func
        && COLLECTION_COPY_METHODS.contains(&method.attr.as_str())
        && call.arguments.is_empty()
    {
        return &method.value;
    }
    expr
}

/// Whether `body` cancels member `member` of `name` (`item.task.cancel()`).
fn cancels_member(body: &[Stmt], name: &str, member: &str) -> bool {
    walk_body_shallow(body, &mut |node| match node {
        Node::Expr(Expr::Call(call))
            if matches!(&*call.func, Expr::Attribute(method)
                if TASK_CANCEL_METHODS.contains(&method.attr.as_str())
                    && matches!(&*method.value, Expr::Attribute(held)
                        if held.attr.as_str() == member
                            && matches!(&*held.value, Expr::Name(receiver) if receiver.id.as_str() == name))) =>
        {
            Walk::Stop
        }
        _ => Walk::Descend,
    })
}

fn calls_method_on(body: &[Stmt], name: &str, methods: &[&str]) -> bool {
    walk_body_shallow(body, &mut |node| match node {
        Node::Expr(Expr::Call(call))
            if matches!(&*call.func, Expr::Attribute(attribute)
                if methods.contains(&attribute.attr.as_str())
                    && matches!(&*attribute.value, Expr::Name(receiver) if receiver.id.as_str() == name)) =>
        {
            Walk::Stop
        }
        _ => Walk::Descend,
    })
}

/// `await asyncio.wait(tasks, ...)` → `tasks` (its `done` and `pending` are parts of it).
fn split_by_wait<'e>(checker: &Checker, value: &'e Expr) -> Option<&'e Expr> {
    let Expr::Await(await_expr) = value else {
        return None;
    };
    let Expr::Call(call) = &*await_expr.value else {
        return None;
    };
    let path = checker.model.call_path(call)?;
    if !ASYNCIO_WAIT_CALLS.contains(&path.as_str()) {
        return None;
    }
    call.arguments.args.first()
}

/// Whether `body` (after its docstring and the function's own imports, `from json import
/// dumps`) is one `try` with a handler for every `Exception` whose body raises nothing.
fn handles_every_failure(body: &[Stmt]) -> bool {
    let body = match body {
        [Stmt::Expr(docstring), rest @ ..] if docstring.value.is_string_literal_expr() => rest,
        _ => body,
    };
    let imports = body
        .iter()
        .take_while(|stmt| matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)))
        .count();
    let body = &body[imports..];
    let try_stmt = match body {
        [Stmt::Try(try_stmt)] => try_stmt,
        // A worker's loop (`while not self.closed: try: ... except Exception: log`): each
        // turn handles its own failures, and the test is a read.
        [Stmt::While(loop_stmt)] if loop_stmt.orelse.is_empty() => {
            return handles_every_failure(&loop_stmt.body);
        }
        _ => return false,
    };
    try_stmt.handlers.iter().any(|handler| {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        let catches_all = handler.type_.as_deref().is_none_or(|class| {
            last_identifier(class).is_some_and(|name| matches!(name, "Exception" | "BaseException"))
        });
        catches_all
            && !walk_statements_shallow(&handler.body, &mut |stmt| match stmt {
                Stmt::Raise(_) => Walk::Stop,
                _ => Walk::Descend,
            })
    })
}

/// `x.close()`, `p.kill()`, `hass_obj.async_stop()`, `create_task(x.aclose())`: a best-effort
/// cleanup call.
fn is_cleanup_call(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else { return false };
    let Some(name) = last_identifier(&call.func) else {
        return false;
    };
    if TASK_WRAPPING_NAMES.contains(&name) {
        // `create_task(x.aclose())`, or a helper that takes the callable:
        // `create_task(item.close)`.
        return call.arguments.args.first().is_some_and(|inner| {
            is_cleanup_call(inner)
                || matches!(inner, Expr::Attribute(attribute)
                    if is_cleanup_method(attribute.attr.as_str()))
        });
    }
    if !matches!(&*call.func, Expr::Attribute(_)) {
        return false;
    }
    is_cleanup_method(name)
}

/// `close`, `aclose`, `async_stop`, ...
fn is_cleanup_method(name: &str) -> bool {
    let method = name.strip_prefix("async_").unwrap_or(name);
    BEST_EFFORT_CLEANUP_METHODS.contains(&method)
}

enum Consumer {
    Dropped,
    /// Bound to these names (assignment targets or loop variables).
    Names(Vec<String>),
}

/// Where the gather's result goes, when it goes to a statement of its own.
fn consumer(checker: &Checker, call: &ast::ExprCall) -> Option<Consumer> {
    let ancestors = checker.expression_ancestors();
    let outer = ancestors.split_last().map(|(_, rest)| rest).unwrap_or(&[]);
    let value = match outer {
        [] => call.range(),
        [Expr::Await(await_expr)] if await_expr.value.range() == call.range() => await_expr.range(),
        _ => return None,
    };
    match checker.current_statement()? {
        Stmt::Expr(expr) if expr.value.range() == value => Some(Consumer::Dropped),
        Stmt::Assign(assign) if assign.value.range() == value => {
            let mut names = Vec::new();
            for target in &assign.targets {
                target_names(target, &mut names)?;
            }
            Some(Consumer::Names(names))
        }
        Stmt::AnnAssign(assign) if assign.value.as_deref().is_some_and(|v| v.range() == value) => {
            let mut names = Vec::new();
            target_names(&assign.target, &mut names)?;
            Some(Consumer::Names(names))
        }
        Stmt::For(for_stmt) if for_stmt.iter.range() == value => {
            let mut names = Vec::new();
            target_names(&for_stmt.target, &mut names)?;
            Some(Consumer::Names(names))
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Is the result looked at?

/// Whether the result bound to `names` is checked for exceptions or handed on anywhere in
/// the current body.
fn result_is_used(checker: &Checker, names: &[String]) -> bool {
    let body = checker.current_body();
    let mut derived: HashSet<String> = names.iter().cloned().collect();
    // The names that hold the results or their items: loop and comprehension variables over
    // them, `x = results[0]`, `pairs = zip(keys, results)`. A few rounds reach a fixpoint.
    for _round in 0..4 {
        let mut derivation = Derivation {
            checker,
            derived: &derived,
            learned: Vec::new(),
        };
        derivation.visit_body(body);
        let learned = derivation.learned;
        let before = derived.len();
        derived.extend(learned);
        if derived.len() == before {
            break;
        }
    }
    let mut usage = Usage {
        checker,
        derived: &derived,
        nested: 0,
        used: false,
    };
    usage.visit_body(body);
    usage.used
}

/// Whether `expr` evaluates to the results, an item of them, or an iterator over them.
fn carries(checker: &Checker, derived: &HashSet<String>, expr: &Expr) -> bool {
    match expr {
        Expr::Name(name) => derived.contains(name.id.as_str()),
        Expr::Subscript(subscript) => carries(checker, derived, &subscript.value),
        Expr::Starred(starred) => carries(checker, derived, &starred.value),
        Expr::Named(named) => carries(checker, derived, &named.value),
        Expr::Call(call) => {
            is_iteration_helper(checker, call)
                && call
                    .arguments
                    .args
                    .iter()
                    .any(|arg| carries(checker, derived, arg))
        }
        _ => false,
    }
}

fn is_iteration_helper(checker: &Checker, call: &ast::ExprCall) -> bool {
    checker
        .model
        .call_path(call)
        .is_some_and(|path| ITERATION_HELPERS.contains(&path.as_str()))
}

fn is_non_inspecting(checker: &Checker, call: &ast::ExprCall) -> bool {
    checker
        .model
        .call_path(call)
        .is_some_and(|path| NON_INSPECTING_CALLS.contains(&path.as_str()))
}

struct Derivation<'c, 'a, 'm> {
    checker: &'c Checker<'a, 'm>,
    derived: &'c HashSet<String>,
    learned: Vec<String>,
}

impl Derivation<'_, '_, '_> {
    fn learn_from(&mut self, target: &Expr, value: &Expr) {
        if carries(self.checker, self.derived, value) {
            let mut names = Vec::new();
            if target_names(target, &mut names).is_some() {
                self.learned.extend(names);
            }
        }
    }
}

impl<'b> Visitor<'b> for Derivation<'_, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'b Stmt) {
        match stmt {
            Stmt::For(for_stmt) => self.learn_from(&for_stmt.target, &for_stmt.iter),
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.learn_from(target, &assign.value);
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    self.learn_from(&assign.target, value);
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_comprehension(&mut self, comprehension: &'b ast::Comprehension) {
        self.learn_from(&comprehension.target, &comprehension.iter);
        visitor::walk_comprehension(self, comprehension);
    }
}

struct Usage<'c, 'a, 'm> {
    checker: &'c Checker<'a, 'm>,
    derived: &'c HashSet<String>,
    /// Inside a nested function or lambda.
    nested: usize,
    used: bool,
}

impl Usage<'_, '_, '_> {
    fn carries(&self, expr: &Expr) -> bool {
        carries(self.checker, self.derived, expr)
    }

    /// The value, or an element of a tuple/list/dict/set display of it, carries the results.
    fn holds_results(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::List(ast::ExprList { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. }) => {
                elts.iter().any(|elt| self.holds_results(elt))
            }
            Expr::Dict(dict) => dict.iter().any(|item| self.holds_results(&item.value)),
            // `tuple(item for item in results if item is not None)`: the items, exceptions
            // included, go on.
            Expr::Generator(ast::ExprGenerator { elt, .. })
            | Expr::ListComp(ast::ExprListComp { elt, .. })
            | Expr::SetComp(ast::ExprSetComp { elt, .. }) => self.holds_results(elt),
            Expr::Call(call)
                if is_iteration_helper(self.checker, call)
                    && call.arguments.keywords.is_empty() =>
            {
                call.arguments
                    .args
                    .iter()
                    .any(|arg| self.holds_results(arg))
            }
            // `pending + tuple(...)`
            Expr::BinOp(bin_op) if bin_op.op == ast::Operator::Add => {
                self.holds_results(&bin_op.left) || self.holds_results(&bin_op.right)
            }
            Expr::Starred(starred) => self.holds_results(&starred.value),
            other => self.carries(other),
        }
    }

    fn is_exception_check(&self, call: &ast::ExprCall) -> bool {
        let Some(path) = self.checker.model.call_path(call) else {
            return false;
        };
        let args = &call.arguments.args;
        let (Some(subject), Some(class)) = (args.first(), args.get(1)) else {
            return false;
        };
        let subject_carries = match path.as_str() {
            "builtins.isinstance" => self.carries(subject),
            // `issubclass(type(r), Exception)`
            "builtins.issubclass" => match subject {
                Expr::Call(inner) => {
                    self.checker.model.call_path(inner).as_deref() == Some("builtins.type")
                        && inner
                            .arguments
                            .args
                            .first()
                            .is_some_and(|arg| self.carries(arg))
                }
                other => self.carries(other),
            },
            _ => return false,
        };
        subject_carries && is_exception_class(self.checker, class)
    }
}

impl<'b> Visitor<'b> for Usage<'_, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'b Stmt) {
        if self.used {
            return;
        }
        match stmt {
            Stmt::Return(ast::StmtReturn {
                value: Some(value), ..
            }) if self.holds_results(value) => {
                self.used = true;
            }
            Stmt::Raise(ast::StmtRaise { exc: Some(exc), .. }) if self.carries(exc) => {
                self.used = true
            }
            Stmt::Assign(assign)
                if self.holds_results(&assign.value)
                    && assign
                        .targets
                        .iter()
                        .any(|target| target_names(target, &mut Vec::new()).is_none()) =>
            {
                // Stored in an attribute or a container.
                self.used = true;
            }
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {
                self.nested += 1;
                visitor::walk_stmt(self, stmt);
                self.nested -= 1;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'b Expr) {
        if self.used {
            return;
        }
        match expr {
            Expr::Name(name) if self.nested > 0 && self.derived.contains(name.id.as_str()) => {
                // A closure may do anything with it.
                self.used = true;
            }
            Expr::Yield(ast::ExprYield {
                value: Some(value), ..
            }) if self.holds_results(value) => self.used = true,
            Expr::YieldFrom(yield_from) if self.carries(&yield_from.value) => self.used = true,
            Expr::Call(call) => {
                if self.is_exception_check(call) {
                    self.used = true;
                    return;
                }
                let handed_on = !is_iteration_helper(self.checker, call)
                    && !is_non_inspecting(self.checker, call)
                    && (call
                        .arguments
                        .args
                        .iter()
                        .any(|arg| self.holds_results(arg))
                        || call
                            .arguments
                            .keywords
                            .iter()
                            .any(|keyword| self.holds_results(&keyword.value)));
                if handed_on {
                    self.used = true;
                    return;
                }
                visitor::walk_expr(self, expr);
            }
            Expr::Lambda(_) => {
                self.nested += 1;
                visitor::walk_expr(self, expr);
                self.nested -= 1;
            }
            Expr::Compare(compare) if self.tells_failures_apart(compare) => self.used = true,
            _ => visitor::walk_expr(self, expr),
        }
    }
}

impl Usage<'_, '_, '_> {
    /// `r is True`, `r is not True`, `r == True`: an item compared with `True`, which an
    /// exception item never is, so a failure reads as "not true" (a probe's verdict). A test
    /// against `None` is no such check: `if r is not None: use(r)` takes an exception for a
    /// value.
    fn tells_failures_apart(&self, compare: &ast::ExprCompare) -> bool {
        let ([op], [right]) = (compare.ops.as_ref(), compare.comparators.as_ref()) else {
            return false;
        };
        let exact = |expr: &Expr| matches!(expr, Expr::BooleanLiteral(literal) if literal.value);
        matches!(
            op,
            ast::CmpOp::Is | ast::CmpOp::IsNot | ast::CmpOp::Eq | ast::CmpOp::NotEq
        ) && ((self.carries(&compare.left) && exact(right))
            || (self.carries(right) && exact(&compare.left)))
    }
}

/// `BaseException`, `Exception`, `ValueError`, `httpx.HTTPError`, `MyAppError`, or a tuple
/// holding one.
fn is_exception_class(checker: &Checker, class: &Expr) -> bool {
    match class {
        Expr::Tuple(tuple) => tuple
            .elts
            .iter()
            .any(|elt| is_exception_class(checker, elt)),
        Expr::Name(_) | Expr::Attribute(_) => {
            if checker
                .model
                .path_of(class)
                .is_some_and(|path| EXCEPTION_BASE_CLASSES.contains(&path.as_str()))
            {
                return true;
            }
            let name = dotted_name(class).unwrap_or_default();
            let last = name.rsplit('.').next().unwrap_or_default();
            last.ends_with("Error") || last.ends_with("Exception")
        }
        _ => false,
    }
}
