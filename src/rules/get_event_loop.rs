//! LW201 get-event-loop: `asyncio.get_event_loop()`, which means "the running loop" inside
//! a coroutine and "maybe create a loop, maybe warn, maybe raise" everywhere else.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};
use rustc_hash::FxHashMap as HashMap;

use crate::ast_query::{NameUse, Node, Walk, last_identifier, uses_of_name, walk_body_shallow};
use crate::catalog::{
    GET_EVENT_LOOP_CALLS, LOOP_INSTALLING_TEST_CASES, LOOP_RUNS_CALLBACK, PROTOCOL_FACTORY_METHODS,
    SET_EVENT_LOOP_CALLS, WARNING_CATCHER, WARNING_EXPECTING_CONTEXTS, WARNING_EXPECTING_METHODS,
    WARNING_FILTER_CALLS,
};
use crate::checker::Checker;
use crate::checker::loop_guards::in_try_catching_runtime_error;
use crate::checker::version_gates::runs_only_before;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::project::{Facts, FunctionId, Project};
use crate::registry::Rule;
use crate::semantic::Resolved;
use crate::settings::is_test_module;

pub const DOCS: &str = r#"# LW201 get-event-loop

## What it does
Flags calls to `asyncio.get_event_loop()`, however it is imported (`import asyncio as aio`,
`from asyncio import get_event_loop`, a module-level alias).

## Why is this bad?
Inside a coroutine (an `async def`), a loop is always running, and `get_event_loop()` simply
returns it: `asyncio.get_running_loop()` says the same thing explicitly and cannot silently
do anything else.

Outside a running loop, the meaning of `get_event_loop()` has changed from version to version.
When the main thread has no current loop, older versions silently create one and set it as
current; 3.10 and 3.11 began to warn in some cases; 3.12 emits a `DeprecationWarning` whenever
it has to create one; and 3.14 raises `RuntimeError` instead of creating one. Code that relies on the implicit loop breaks on upgrade, and a loop created that way
is never closed.

## Example
```python
import asyncio

async def schedule(callback):
    loop = asyncio.get_event_loop()
    loop.call_later(1.0, callback)

def main():
    loop = asyncio.get_event_loop()
    loop.run_until_complete(serve())
```

## Use instead
```python
import asyncio

async def schedule(callback):
    loop = asyncio.get_running_loop()
    loop.call_later(1.0, callback)

def main():
    asyncio.run(serve())
```
In sync code that may or may not run inside a loop, branch explicitly:
```python
try:
    loop = asyncio.get_running_loop()
except RuntimeError:
    loop = None  # no loop runs in this thread: use asyncio.run(...) or new_event_loop()
```

## Not flagged
- `asyncio.get_running_loop()`, `asyncio.new_event_loop()`, `loop.get_event_loop()`-style
  methods of other objects, and a local name that shadows the import.
- In a coroutine, the fallback of a `try` that only asks `asyncio.get_running_loop()`
  (`except RuntimeError: loop = asyncio.get_event_loop()`): in a coroutine that call always
  returns, so the fallback never runs.
- In sync code, a call only Pythons before 3.12 run: in the body of `if sys.version_info <
  (3, 12):` (or `elif`, or `<=` an older version; or the minor number alone,
  `sys.version_info.minor < 10`, `sys.version_info[1] < 10`; or such a test as one term of an
  `and`), or the `else` of `if sys.version_info >= (3, 12):` (or an older version: the `else`
  of `>= (3, 10)` runs only before 3.10; not a newer one, whose `else` 3.12 and 3.13 run).
  Neither the warning nor the error happens there.
- In sync code, a call preceded (earlier in the same function, in a function it is nested in
  before the nested one, or earlier at module level) by `asyncio.set_event_loop(...)`:
  `get_event_loop()` then returns that loop on every version.
- In sync code, a call in a function (or a method of a module-level class) that its module
  hands to the loop to run, `loop.add_reader(fd, self.on_readable)`, `call_soon`,
  `call_later`, `call_at`, `call_soon_threadsafe`, `add_writer`, `add_signal_handler`, and
  otherwise only calls from coroutines: the loop runs it on its own thread, where
  `get_event_loop()` returns the running loop. Not one handed to `add_done_callback`, which
  a `concurrent.futures` future runs on the thread that completes it.
- In sync code, a function defined in an `async def` that the coroutine only installs as a
  signal handler (`signal.signal(signal.SIGINT, on_interrupt)`) or hands to the loop:
  Python runs signal handlers on the main thread, between the bytecodes of what it runs,
  here the coroutine's loop, so `get_event_loop()` returns the running loop.
- In sync code, a method of a module-level class that the module only hands to the loop as
  a protocol factory (`loop.create_datagram_endpoint(lambda: Sink(buffer), ...)`,
  `loop.create_connection(Client, host, port)`, `create_server`, `connect_read_pipe`,
  `subprocess_exec` and the like): the loop builds the protocol and calls its methods on its
  own thread while it runs. A class the module also makes or names elsewhere keeps the
  finding.
- In sync code, a call in the body of a `try` whose handler catches `RuntimeError` (or
  `Exception`, or everything), or of a `with contextlib.suppress(...)` of one of those: the
  code already handles the error Python 3.14 raises. Not when the handler only gives up
  (its last statement raises, or ends the program: `sys.exit(1)`, `exit()`, `os._exit(1)`),
  which reports the error rather than recovering from it; and not when
  the call only asks whether a loop runs (`get_event_loop().is_running()`): that probe warns on
  3.12 and 3.13 wherever no loop is set, and `get_running_loop()` in the same `try` answers it
  directly.
- In sync code, a call inside a block that expects the deprecation warning or decides what
  becomes of it: `with pytest.warns(...)`, `with pytest.deprecated_call()`, `with
  self.assertWarns(...)`, or `with warnings.catch_warnings():` that sets a filter
  (`warnings.simplefilter(...)`, `warnings.filterwarnings(...)`) before the call. The
  deprecated call is made knowingly there (a test of it, a shim for older Pythons).
- In sync code, a method (or a function nested in one) of a test case class whose `setUp`
  sets a new loop as the thread's current one (Tornado's `AsyncTestCase`,
  `AsyncHTTPTestCase`, `AsyncHTTPSTestCase`, directly or through classes of the module):
  `get_event_loop()` returns that loop there.
- In sync code, a module-level function that no other module calls (a private `_name`, or any
  function of a test module) and that its own module calls only inside `async def` functions
  (`with fake_server():` in `async def test_...`): it runs inside the running loop. A call in
  sync code, in a lambda, or the name passed on as a value keeps the finding.
- In sync code, a function or method every call of which in the project is made in a
  coroutine's own body, or after its caller set the thread's loop (`asyncio.set_event_loop(
  loop)` earlier in the caller's body, then `Hub()` whose `__init__` asks for it), or in a
  sync function every call of which finds a loop so, up to three callers up (`future = asyncio.get_event_loop().create_future()` ... `return
  future` in `def ask(...)`, and `await ui.ask(...)` or `loop = current_loop()` in every
  `async def` that calls it, in any module): it runs inside the running loop. Decided at the
  link, from the calls the project resolves: a call in sync code (or in a lambda or a
  function nested in the coroutine), no call at all in the project, or the name handed on
  as a value in its module (`run_later(helper)`: it may run anywhere) keeps the finding.

A sync function may well run inside a running loop (a callback, a hook): there
`get_event_loop()` returns that loop on every version. The rule cannot always know, so its
message says what happens where no loop is set, and does not claim the code runs outside one.

## Fix
In async context, safe: the callee is replaced by `get_running_loop`, keeping the spelling the
module uses (`aio.get_event_loop()` becomes `aio.get_running_loop()`; a bare
`get_event_loop()` becomes `get_running_loop()` when that name is imported from asyncio, else
`asyncio.get_running_loop()` through the module's own `asyncio` import). When neither name is
available, the help line says what to write. In sync context there is no fix: the right
replacement (`asyncio.run()`, an explicit `asyncio.new_event_loop()`, or
`get_running_loop()` in a `try`/`except RuntimeError`) depends on the code around it.
"#;

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, path: &str) {
    if !GET_EVENT_LOOP_CALLS.contains(&path) {
        return;
    }
    if checker.in_async_context() {
        if in_fallback_of_running_loop(checker, call) {
            return;
        }
        let mut diagnostic = Diagnostic::new(
            Rule::GetEventLoop,
            "`asyncio.get_event_loop()` in a coroutine: use `asyncio.get_running_loop()`",
            call.range(),
        )
        .with_help(
            "Inside `async def` a loop is always running: `asyncio.get_running_loop()` returns it",
        );
        if let Some((edit, replacement)) = running_loop_edit(checker, &call.func) {
            let message = format!("Replace with `{replacement}()`");
            diagnostic = diagnostic.with_fix(Fix::safe(message, vec![edit]));
        }
        checker.report(diagnostic);
    } else {
        if loop_set_before(checker, call.start()) {
            return;
        }
        let probes_running = probes_is_running(checker, call);
        if probes_running {
            checker.report(
                Diagnostic::new(
                    Rule::GetEventLoop,
                    "`asyncio.get_event_loop().is_running()` asks whether a loop runs through the deprecated call: where no loop is set in the thread it warns since Python 3.12 and raises `RuntimeError` since 3.14",
                    call.range(),
                )
                .with_help(
                    "Ask `asyncio.get_running_loop()` in a `try`: it returns the running loop, or raises `RuntimeError` when none runs, without warning",
                ),
            );
            return;
        }
        // Code only Pythons before 3.12 run never sees the warning nor the error.
        if in_try_catching_runtime_error(
            &checker.model,
            checker.statement_ancestors(),
            call.range(),
        ) || runs_only_before(checker, call.range(), [3, 12])
            || deprecation_expected(checker, call.start())
            || in_loop_installing_test_case(checker)
            || called_only_from_coroutines(checker)
            || runs_only_as_loop_callback(checker)
            || in_protocol_only_the_loop_builds(checker)
            || in_signal_handler_of_coroutine(checker)
        {
            return;
        }
        let diagnostic = Diagnostic::new(
            Rule::GetEventLoop,
            "`asyncio.get_event_loop()` in sync code: where no loop is set in the thread it warns since Python 3.12 and raises `RuntimeError` since 3.14",
            call.range(),
        )
        .with_help(
            "Use `asyncio.run()`, an explicit `asyncio.new_event_loop()`, or `asyncio.get_running_loop()` in a `try`/`except RuntimeError`",
        );
        // In a function, the link knows its callers: one that only coroutines call and
        // await runs inside the running loop.
        if only_called_in_module(checker) {
            checker.summary.hold_loop_finding(diagnostic);
        } else {
            checker.report(diagnostic);
        }
    }
}

/// The module-level function the walk is in, or the method of a module-level class (then
/// `true`); `None` anywhere else (module level, a nested function, a class body).
fn module_function_or_method<'a>(
    checker: &Checker<'a, '_>,
) -> Option<(&'a ast::StmtFunctionDef, bool)> {
    let mut scopes = checker
        .statement_ancestors()
        .iter()
        .filter(|stmt| matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)));
    match (scopes.next(), scopes.next(), scopes.next()) {
        (Some(Stmt::FunctionDef(function)), None, None) => Some((function, false)),
        (Some(Stmt::ClassDef(_)), Some(Stmt::FunctionDef(method)), None) => Some((method, true)),
        _ => None,
    }
}

/// Whether the call sits in a function (or a method of a module-level class) whose name its
/// module uses only to call it: the link, which sees the calls, can then tell whether only
/// coroutines do. A name handed on as a value (`run_later(helper)`) may run anywhere.
fn only_called_in_module(checker: &Checker) -> bool {
    if checker.model.scopes.innermost_is_lambda() {
        return false;
    }
    let Some((function, is_method)) = module_function_or_method(checker) else {
        return false;
    };
    uses_of_name(
        &checker.module().body,
        function.name.as_str(),
        is_method,
        &|_| false,
    )
    .iter()
    .all(|usage| usage.called)
}

/// Reports the LW201 findings held for the link whose function may be called where no loop
/// is set in the thread ([`has_a_loop_when_called`]).
/// `try: loop = asyncio.get_running_loop()` / `except RuntimeError: loop =
/// asyncio.get_event_loop()` in a coroutine: the handler runs only when no loop runs, which
/// never happens there, and the code already asks the way the finding would advise. Only a
/// `try` whose body does nothing else: another statement there could raise `RuntimeError`.
fn in_fallback_of_running_loop(checker: &Checker, call: &ast::ExprCall) -> bool {
    let asks_running_loop = |stmt: &Stmt| {
        let value = match stmt {
            Stmt::Assign(assign) => &*assign.value,
            Stmt::AnnAssign(ast::StmtAnnAssign {
                value: Some(value), ..
            }) => &**value,
            Stmt::Expr(expr) => &*expr.value,
            _ => return false,
        };
        matches!(value, Expr::Call(asked) if asked.arguments.is_empty()
            && checker
                .model
                .call_path(asked)
                .is_some_and(|path| crate::catalog::RUNNING_LOOP_CALLS.contains(&path.as_str())))
    };
    checker.statements_in_function().any(|stmt| {
        let Stmt::Try(try_stmt) = stmt else {
            return false;
        };
        !try_stmt.body.is_empty()
            && try_stmt.body.iter().all(asks_running_loop)
            && try_stmt.handlers.iter().any(|handler| {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                crate::checker::loop_guards::catches_runtime_error(handler.type_.as_deref())
                    && crate::ast_query::body_holds(&handler.body, call.range())
            })
    })
}

pub(crate) fn check_project(
    project: &Project,
    facts: &Facts,
    report: &mut dyn FnMut(usize, Diagnostic),
) {
    let mut memo = HashMap::default();
    for (index, module) in project.modules.iter().enumerate() {
        for pending in &module.summary.pending_loop_findings {
            let id = (index, pending.function as usize);
            if !has_a_loop_when_called(project, facts, id, 0, &mut memo) {
                report(index, pending.diagnostic.clone());
            }
        }
    }
}

/// How many callers up [`has_a_loop_when_called`] follows a sync function's calls.
const MAX_CALLERS_UP: usize = 3;

/// Whether every call of function `id` in the project finds a loop in its thread: it is made
/// in a coroutine's own body (the function runs on the loop's thread while the loop runs,
/// whatever is done with what it returns), after its caller set the thread's loop
/// (`asyncio.set_event_loop(loop)` earlier in the caller's body, or in a sync function of
/// the project it called earlier), or in a sync caller every
/// call of which finds one, up to [`MAX_CALLERS_UP`] callers up. A function the project
/// calls nowhere does not. Answers are kept in `memo` by function and depth: a function
/// whose callers share callers would otherwise be asked again for each path to them.
fn has_a_loop_when_called(
    project: &Project,
    facts: &Facts,
    id: FunctionId,
    depth: usize,
    memo: &mut HashMap<(FunctionId, usize), bool>,
) -> bool {
    if let Some(&known) = memo.get(&(id, depth)) {
        return known;
    }
    let callers = facts.callers.of(id);
    let mut answer = callers.len() > 0;
    for (caller, site) in callers {
        if !answer {
            break;
        }
        let calling = project.function(caller);
        if calling.is_async {
            answer = calling
                .calls
                .get(site)
                .is_some_and(|call| call.in_async_context());
            continue;
        }
        // Set there, or by a function of the project it called before (`zmq_context =
        // start_asyncio()` whose body sets the loop, then `create_arch(...)`).
        let summary = project.modules[caller.0].summary;
        let sets_loop = |function: FunctionId| {
            let module = project.modules[function.0].summary;
            project
                .function(function)
                .calls
                .iter()
                .any(|call| SET_EVENT_LOOP_CALLS.contains(&module.callee(call)))
        };
        let set_before = calling.calls[..site.min(calling.calls.len())]
            .iter()
            .any(|earlier| SET_EVENT_LOOP_CALLS.contains(&summary.callee(earlier)))
            || facts.edges.of(caller).any(|(earlier, callee)| {
                earlier < site && !project.function(callee).is_async && sets_loop(callee)
            });
        answer = set_before
            || (depth < MAX_CALLERS_UP
                && caller != id
                && has_a_loop_when_called(project, facts, caller, depth + 1, memo));
    }
    memo.insert((id, depth), answer);
    answer
}

/// `get_event_loop().is_running()`: the call made only to ask whether a loop runs.
fn probes_is_running(checker: &Checker, call: &ast::ExprCall) -> bool {
    let ancestors = checker.expression_ancestors();
    let Some(index) = ancestors.len().checked_sub(3) else {
        return false;
    };
    matches!(
        (ancestors[index], ancestors[index + 1]),
        (Expr::Call(probe), Expr::Attribute(attribute))
            if attribute.attr.as_str() == "is_running"
                && probe.func.range() == attribute.range()
                && attribute.value.range() == call.range()
    )
}

/// The edit that turns the callee into `get_running_loop`, spelled as this module can, and
/// the new callee's text.
fn running_loop_edit(checker: &Checker, callee: &Expr) -> Option<(Edit, String)> {
    const RUNNING: &str = "get_running_loop";
    match callee {
        // `aio.get_event_loop` → `aio.get_running_loop`: only the attribute name changes.
        Expr::Attribute(attribute) if attribute.attr.as_str() == "get_event_loop" => {
            let replacement = format!("{}.{RUNNING}", checker.text(attribute.value.range()));
            Some((
                Edit::replacement(RUNNING, attribute.attr.range()),
                replacement,
            ))
        }
        _ => {
            let imported_by_name = !checker.model.is_local(RUNNING)
                && checker.model.module.resolve_global(RUNNING)
                    == Some(Resolved::Path("asyncio.get_running_loop".to_string()));
            if imported_by_name {
                return Some((
                    Edit::replacement(RUNNING, callee.range()),
                    RUNNING.to_string(),
                ));
            }
            // The module's own `import asyncio` when there is one, else its alias.
            let asyncio = if checker.model.module.resolve_global("asyncio")
                == Some(Resolved::Path("asyncio".to_string()))
            {
                "asyncio"
            } else {
                checker.model.module.module_alias("asyncio")?
            };
            if checker.model.is_local(asyncio) {
                return None;
            }
            let replacement = format!("{asyncio}.{RUNNING}");
            Some((
                Edit::replacement(replacement.clone(), callee.range()),
                replacement,
            ))
        }
    }
}

/// Whether `asyncio.set_event_loop(...)` is called in the current body before `offset`.
fn loop_set_before(checker: &Checker, offset: TextSize) -> bool {
    let sets_loop = |call: &ast::ExprCall| {
        call.end() <= offset
            && checker
                .model
                .call_path(call)
                .is_some_and(|path| SET_EVENT_LOOP_CALLS.contains(&path.as_str()))
    };
    // Nested scopes run at another time: the shallow walk leaves them out. An enclosing
    // function's body counts too, before the nested function is defined: a decorator that
    // sets a loop and returns a wrapper that asks for it (on the same thread).
    let set_in = |body: &[Stmt]| {
        walk_body_shallow(body, &mut |node| match node {
            Node::Stmt(stmt) if stmt.start() >= offset => Walk::SkipChildren,
            Node::Expr(Expr::Call(call)) if sets_loop(call) => Walk::Stop,
            _ => Walk::Descend,
        })
    };
    set_in(checker.current_body())
        || checker.statement_ancestors().iter().any(|stmt| match stmt {
            Stmt::FunctionDef(function) => set_in(&function.body),
            _ => false,
        })
}

/// Whether the call sits in a module-level sync function that no other module calls (a test
/// module's helper, or a private `_name`) and that its module calls only from coroutines
/// (`with fake_server():` in `async def test_...`): it runs inside the running loop, which
/// `get_event_loop()` returns on every version.
fn called_only_from_coroutines(checker: &Checker) -> bool {
    let Some(function) = checker.module_level_function() else {
        return false;
    };
    let name = function.name.as_str();
    if function.is_async
        || !(name.starts_with('_') || is_test_module(&checker.model.module.module_name))
    {
        return false;
    }
    let uses = uses_of_name(&checker.module().body, name, false, &|_| false);
    !uses.is_empty() && uses.iter().all(|usage| usage.called && usage.in_coroutine)
}

/// Whether the call sits in a sync function (or a method of a module-level class) that its
/// module hands to the loop to run (`loop.add_reader(fd, self.on_readable)`,
/// `loop.call_soon(self._flush)`) and otherwise only calls from coroutines: the loop runs
/// it, on its own thread, where `get_event_loop()` returns the running loop on every
/// version.
fn runs_only_as_loop_callback(checker: &Checker) -> bool {
    let Some((function, is_method)) = module_function_or_method(checker) else {
        return false;
    };
    if function.is_async {
        return false;
    }
    let uses = uses_of_name(
        &checker.module().body,
        function.name.as_str(),
        is_method,
        &|_| false,
    );
    let handed_to_loop = |usage: &NameUse| {
        usage.handed_to.is_some_and(|call| {
            last_identifier(&call.func).is_some_and(|method| LOOP_RUNS_CALLBACK.contains(&method))
        })
    };
    uses.iter().any(handed_to_loop)
        && uses
            .iter()
            .all(|usage| handed_to_loop(usage) || usage.called && usage.in_coroutine)
}

/// Whether the call sits in a sync function defined in an `async def` that the coroutine
/// only installs as a signal handler (`signal.signal(signal.SIGINT, handler)`) or hands to
/// the loop: Python runs signal handlers on the main thread, between the bytecodes of the
/// code it is running, which is the loop the coroutine runs on; `get_event_loop()` there
/// returns the running loop.
fn in_signal_handler_of_coroutine(checker: &Checker) -> bool {
    let mut functions = checker
        .statement_ancestors()
        .iter()
        .rev()
        .filter_map(|stmt| match stmt {
            Stmt::FunctionDef(function) => Some(function),
            _ => None,
        });
    let (Some(handler), Some(coroutine)) = (functions.next(), functions.next()) else {
        return false;
    };
    if handler.is_async || !coroutine.is_async {
        return false;
    }
    let uses = uses_of_name(&coroutine.body, handler.name.as_str(), false, &|_| false);
    let installed = |usage: &NameUse| {
        usage.handed_to.is_some_and(|call| {
            checker
                .model
                .call_path(call)
                .is_some_and(|path| path == "signal.signal")
                || last_identifier(&call.func)
                    .is_some_and(|method| LOOP_RUNS_CALLBACK.contains(&method))
        })
    };
    uses.iter().any(installed) && uses.iter().all(installed)
}

/// Whether the call sits in a method of a module-level class that the module only hands to
/// the loop as a protocol factory (`loop.create_datagram_endpoint(lambda: Adapter(sink),
/// ...)`, `loop.create_connection(Client, ...)`): the loop builds the protocol, and calls its
/// methods, on its own thread while it runs, where `get_event_loop()` returns that loop.
fn in_protocol_only_the_loop_builds(checker: &Checker) -> bool {
    let mut scopes = checker
        .statement_ancestors()
        .iter()
        .filter(|stmt| matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)));
    let (Some(Stmt::ClassDef(class)), Some(Stmt::FunctionDef(_)), None) =
        (scopes.next(), scopes.next(), scopes.next())
    else {
        return false;
    };
    let name = class.name.as_str();
    let module = &checker.module().body;
    let mut factories = 0usize;
    crate::ast_query::any_in_body(module, &mut |expr| {
        if let Expr::Call(call) = expr
            && last_identifier(&call.func)
                .is_some_and(|method| PROTOCOL_FACTORY_METHODS.contains(&method))
            && let Some(factory) = call.arguments.find_argument_value("protocol_factory", 0)
        {
            let builds = match factory {
                Expr::Name(named) => named.id.as_str() == name,
                Expr::Lambda(lambda) => matches!(&*lambda.body, Expr::Call(made)
                    if matches!(&*made.func, Expr::Name(named) if named.id.as_str() == name)),
                _ => false,
            };
            factories += usize::from(builds);
        }
        false
    });
    factories > 0 && uses_of_name(module, name, false, &|_| false).len() == factories
}

/// Whether the code at `offset` runs inside a `with` that expects a warning or sets what
/// becomes of one (see `catalog::WARNING_EXPECTING_CONTEXTS`).
fn deprecation_expected(checker: &Checker, offset: TextSize) -> bool {
    checker.statement_ancestors().iter().any(|stmt| {
        let Stmt::With(with) = stmt else {
            return false;
        };
        with.items.iter().any(|item| {
            let Expr::Call(context) = &item.context_expr else {
                return false;
            };
            if let Expr::Attribute(attribute) = &*context.func
                && WARNING_EXPECTING_METHODS.contains(&attribute.attr.as_str())
            {
                return true;
            }
            match checker.model.call_path(context).as_deref() {
                Some(path) if WARNING_EXPECTING_CONTEXTS.contains(&path) => true,
                Some(WARNING_CATCHER) => sets_warning_filter(checker, &with.body, offset),
                _ => false,
            }
        })
    })
}

/// Whether `body` calls `warnings.simplefilter` or `warnings.filterwarnings` before `offset`.
fn sets_warning_filter(checker: &Checker, body: &[Stmt], offset: TextSize) -> bool {
    walk_body_shallow(body, &mut |node| match node {
        Node::Stmt(stmt) if stmt.start() >= offset => Walk::SkipChildren,
        Node::Expr(Expr::Call(call))
            if checker
                .model
                .call_path(call)
                .is_some_and(|path| WARNING_FILTER_CALLS.contains(&path.as_str())) =>
        {
            Walk::Stop
        }
        _ => Walk::Descend,
    })
}

/// Whether the current code is in a method of a test case class whose `setUp` sets a loop
/// (see `catalog::LOOP_INSTALLING_TEST_CASES`), as its bases say, through the module's own
/// classes.
fn in_loop_installing_test_case(checker: &Checker) -> bool {
    let Some(class) = checker
        .statement_ancestors()
        .iter()
        .rev()
        .find_map(|stmt| match stmt {
            Stmt::ClassDef(class) => Some(class),
            _ => None,
        })
    else {
        return false;
    };
    let mut bases: Vec<String> = class
        .bases()
        .iter()
        .filter_map(|base| checker.model.path_of(base))
        .collect();
    // Up the module's own classes, a few levels at most (a cycle is possible in bad code).
    for _ in 0..8 {
        if bases
            .iter()
            .any(|base| LOOP_INSTALLING_TEST_CASES.contains(&base.as_str()))
        {
            return true;
        }
        let classes = &checker.model.module.classes;
        bases = bases
            .iter()
            .filter_map(|base| classes.get(base))
            .flat_map(|info| info.bases.iter().cloned())
            .collect();
        if bases.is_empty() {
            return false;
        }
    }
    false
}
