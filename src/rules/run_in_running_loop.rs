//! LW202 run-in-running-loop: `asyncio.run`, `loop.run_until_complete`,
//! `loop.run_forever` or asgiref's `async_to_sync(f)(...)` where a loop is already running.

use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::Ranged;

use crate::catalog;
use crate::checker::Checker;
use crate::checker::loop_guards;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::diagnostic::{chain_text, display_path};
use crate::project::interned::Name;
use crate::project::summary::{LoopEntry, LoopRunSite};
use crate::project::{Facts, FunctionId, Project};
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW202 run-in-running-loop

## What it does
Flags `asyncio.run(...)`, `loop.run_until_complete(...)`, `loop.run_forever()` and
`async_to_sync(f)(...)` where an event loop is already running on the thread:
- (a) in an `async def`;
- (b) in a sync function that an `async def` of the project calls, at any depth and across
  modules (the message shows the chain from the coroutine);
- (c) in a sync hook that a framework calls from inside its running loop: the
  `log_success_event`, `log_failure_event`, `log_pre_api_call` and `log_post_api_call` methods
  of a subclass of LiteLLM's `CustomLogger`, and the methods listed in the `sync-hooks` setting
  (qualified names such as `app.hooks.AuditLogger.on_event`), and the sync functions they call;
- (d) in a `__del__` method: a finalizer runs wherever the last reference dies, often on the
  loop's own thread;
- (e) at the top level of a Jupyter notebook's cell (`.ipynb`), including under `if`, `for`,
  `with` and in a class body there: the kernel already runs an event loop, and a cell's code
  runs inside it.
- (f) in the top-level code (or a class body) of a module that belongs to a package, which
  it shows by importing its siblings relatively (`from .data import load`): that code runs
  whenever the module is imported, and the importer (an async application, a bot framework's
  plugin loader, a lazy import inside a coroutine) may already run a loop. A library or plugin
  module should not start a loop of its own at import.

`async_to_sync` is Django's bridge, `asgiref.sync.async_to_sync`: making the wrapper runs
nothing; calling it (at once, or later through a name) runs `f` on a loop of its own, and
the chain names that call `AsyncToSync.__call__`. Used as a decorator (`@async_to_sync` on
an `async def` of the project, in any module), each call of the decorated function is such
a run, in a coroutine (a) or in a sync function one reaches (b); so are the calls of an
`async def` behind asyncer's `@syncify` (which runs only from a worker thread) and syncer's
`@sync` (`run_until_complete`). unsync's `@unsync` runs the coroutine on a thread of its own
and is not one.

## Why is this bad?
Only one loop can run on a thread. `asyncio.run()` raises
`RuntimeError: asyncio.run() cannot be called from a running event loop`, and
`run_until_complete` raises `RuntimeError: This event loop is already running` (or, for a new
loop, `Cannot run the event loop while another loop is running`); asgiref raises
`RuntimeError: You cannot use AsyncToSync in the same thread as an async event loop`, the
classic mistake of a Channels consumer that sends to a group with
`async_to_sync(self.channel_layer.group_send)(...)` from an `async def`. In a hook the exception is
often swallowed by the framework's logging, so the work silently never happens.

## Example
```python
import asyncio
from litellm.integrations.custom_logger import CustomLogger

class Audit(CustomLogger):
    def log_success_event(self, kwargs, response, start, end):
        asyncio.run(store(kwargs))
```

## Use instead
```python
class Audit(CustomLogger):
    async def async_log_success_event(self, kwargs, response, start, end):
        await store(kwargs)
```
or the bridge, when the hook must stay sync:
```python
def _dispatch(coro):
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is None:
        asyncio.run(coro)
    else:
        task = loop.create_task(coro)
        _pending.add(task)
        task.add_done_callback(_pending.discard)
```

In a notebook, top-level `await` is the fix (IPython runs such a cell in its loop):
```python
result = asyncio.run(fetch_all(urls))   # in a cell: RuntimeError in a running kernel
```
becomes
```python
result = await fetch_all(urls)
```

## Not flagged
- `asyncio.run` at module level of a script: a `.py` file that imports nothing of its
  package relatively, a `__main__.py` (run by `python -m`), anything under `if __name__ ==
  "__main__":`, and test modules (`test_*.py`, `*_test.py`, `conftest.py`, a `tests`
  package), which pytest imports before any loop runs. And in a sync `main()` that no coroutine
  or hook of the project reaches.
- A sync function that a decorator runs in a worker thread (`@sync_to_async`,
  `@database_sync_to_async`, the others LW103 lists), and what it calls: no loop runs on
  that thread.
- The bridge above: a function that calls `asyncio.get_running_loop()` inside a `try` and
  runs the loop only when none is running. Not a `try` that runs the very loop that call
  gives (`asyncio.get_running_loop().run_until_complete(...)`): that raises whichever way,
  and a handler around it only hides the failure.
- A call guarded so that it only runs when no loop is running: in the `except RuntimeError`
  (or `Exception`, or bare) handler of a `try` that asks for the loop (`get_running_loop()`,
  `get_event_loop()`); in the branch where `loop.is_running()` is false (`if not
  loop.is_running():`, the `else` of `if loop.is_running():`); after
  `if loop.is_running(): ... return` in the same block.
- A call that visibly never runs: under `if False:`, `while False:`, `for _ in range(0):`.
- A call that runs only when a parameter is truthy (`if force:`, `while retry:`,
  `for _ in range(timeout):`, the parameter never reassigned in the function), where every
  call that reaches the function from a coroutine or a hook passes a falsy literal for it
  (`timeout=0`, `force=False`, `None`, `""`). One such call that passes anything else, or
  leaves the default, is enough to report it. The same the other way round: a call that runs
  only when a parameter is falsy (the `else` of `if in_thread:`, the body of `if not
  in_thread:`, after `if in_thread: return ...`), where every such call passes a true literal
  (`in_thread=True`) or leaves a true default.
- A call behind a loop probe: `loop = current_loop_or_none()` then `if loop is None:` (or
  `if not loop:`), where the probe is a project function that asks for the loop in a `try`,
  returns `None` from its `except RuntimeError`, and otherwise returns the loop (or `None`
  only for a closed one, which no running loop is).
- A call one step down from the guard: a helper called only from the `except RuntimeError`
  branch of the bridge (`try: get_running_loop() except RuntimeError: return run_here()`)
  is not reached from a running loop through that call.
- A chain through a method a subclass overrides: a sync client's `receive()` calls
  `self._handle_sync()`, which runs the loop, but the async client that reaches `receive()`
  (through `super().receive()` or `self.receive()`) overrides `_handle_sync` with an `async
  def`, so the sync one never runs there. Each step called on `self` is dispatched on the
  class the chain's receiver has.
"#;

const HELP_IN_NOTEBOOK: &str =
    "A notebook cell may `await` at its top level: await the coroutine instead";
const HELP_IN_COROUTINE: &str = "Await the coroutine directly instead of starting a new loop";
const HELP_OWN_LOOP_IN_COROUTINE: &str = "Await the coroutine function itself from async code (keep an undecorated `async def` beside the decorated wrapper, which is for sync callers)";
const HELP_IN_HOOK: &str = "Use the framework's async hook (e.g. `async_log_success_event`), or branch on `asyncio.get_running_loop()`: schedule a task (keep a reference) when a loop runs, `asyncio.run()` when none does";
const HELP_CALLED_FROM_ASYNC: &str = "Make the function `async` and await it from the coroutine, or have the coroutine run it with `await asyncio.to_thread(...)` (a worker thread has no running loop)";
const HELP_AT_IMPORT: &str = "Run the loop from the program's entry point (a `main()` under `if __name__ == \"__main__\":`), or make the module's set-up a coroutine its importer awaits";
const HELP_IN_FINALIZER: &str = "Do not run a loop in a finalizer: close the resource explicitly (`async with`, an `aclose()` the owner awaits)";

pub(crate) fn check(project: &Project, facts: &Facts, report: &mut dyn FnMut(usize, Diagnostic)) {
    for id in project.function_ids() {
        let function = project.function(id);
        if function.runs_own_loop {
            check_calls_of_own_loop_function(project, facts, id, report);
        }
        if function.loop_runs.is_empty() || function.checks_running_loop {
            continue;
        }
        for run in function.loop_runs.iter().filter(|run| !run.guarded) {
            let api = display_path(&run.api);
            let what = format!("`{api}`");
            check_run(
                project,
                facts,
                id,
                run,
                (&api, &what),
                HELP_IN_COROUTINE,
                report,
            );
        }
    }
}

/// The calls of `callee`, an `async def` that its decorator runs on a loop of its own
/// (`@async_to_sync`), each a loop run of its caller's.
fn check_calls_of_own_loop_function(
    project: &Project,
    facts: &Facts,
    callee: FunctionId,
    report: &mut dyn FnMut(usize, Diagnostic),
) {
    let name = project.function(callee).name();
    let what = format!("`{name}`, which its decorator runs on a loop of its own,");
    for (caller, site) in facts.callers.of(callee) {
        let calling = project.function(caller);
        let call = &calling.calls[site];
        if calling.checks_running_loop
            || call.loop_guarded()
            || !project.call_runs_body(caller, site, callee)
        {
            continue;
        }
        let guard = calling.guard_of_call(site).cloned();
        let run = LoopRunSite {
            api: Name::new(name),
            range: call.range,
            guarded: false,
            guard,
            guarded_by_probe: None,
        };
        let help = HELP_OWN_LOOP_IN_COROUTINE;
        check_run(project, facts, caller, &run, (name, &what), help, report);
    }
}

/// Reports `run`, a loop run in function `id` (`api` names it in the chain, `what` in the
/// message), where a loop already runs: in a coroutine (with `in_coroutine` as the help), or
/// in a sync function that a coroutine or a hook reaches.
fn check_run(
    project: &Project,
    facts: &Facts,
    id: FunctionId,
    run: &LoopRunSite,
    (api, what): (&str, &str),
    in_coroutine: &'static str,
    report: &mut dyn FnMut(usize, Diagnostic),
) {
    let function = project.function(id);
    let (message, help, chain) = if function.is_async {
        (
            format!(
                "{what} inside async function `{}` raises RuntimeError: a loop is already running",
                function.name()
            ),
            in_coroutine,
            Vec::new(),
        )
    } else if facts.reached.contains_key(&id)
        && reached_with_truthy(project, facts, id, run)
        && facts.entry_path_dispatches(project, id)
    {
        let mut chain = facts.chain_from_entry(project, id);
        chain.push(project.step(id.0, api, run.range));
        let (why, help) = match facts.entries.get(&entry_of(facts, id)) {
            Some(LoopEntry::SyncHook) => (
                "a sync hook called from inside a running loop",
                HELP_IN_HOOK,
            ),
            Some(LoopEntry::Finalizer) => (
                "a `__del__` finalizer, which runs wherever the last reference dies, often on the loop's thread",
                HELP_IN_FINALIZER,
            ),
            None => (
                "a sync function called from async code",
                HELP_CALLED_FROM_ASYNC,
            ),
        };
        (
            format!(
                "{what} in `{}`, {why}, raises RuntimeError: {}",
                function.name(),
                chain_text(&chain)
            ),
            help,
            chain,
        )
    } else {
        return;
    };
    let diagnostic = Diagnostic::new(Rule::RunInRunningLoop, message, run.range)
        .with_help(help)
        .with_chain(chain);
    report(id.0, diagnostic);
}

/// Whether the run can happen on a path from a running loop: it is not behind a loop
/// probe's `None` (`loop = running_loop_or_none()`, `if loop is None: asyncio.run(...)`),
/// and it does not depend on a parameter, or some call that reaches its function does not
/// pass a falsy literal for it (`wait_until_ready(attempts=0)` never enters
/// `for _ in range(attempts):`).
fn reached_with_truthy(
    project: &Project,
    facts: &Facts,
    id: FunctionId,
    run: &LoopRunSite,
) -> bool {
    let behind_probe = run
        .guarded_by_probe
        .and_then(|site| facts.callee_at(id, site as usize))
        .is_some_and(|probe| project.function(probe).none_means_no_loop);
    if behind_probe {
        return false;
    }
    let Some(guard) = &run.guard else {
        return true;
    };
    if facts.entries.contains_key(&id) {
        return true;
    }
    facts.callers.of(id).any(|(caller, site)| {
        let calling = project.function(caller);
        (calling.is_async || facts.reached.contains_key(&caller))
            && project.call_runs_body(caller, site, id)
            && !calling.calls[site].loop_guarded()
            && !calling.stops_guard(site, guard)
    })
}

/// The entry (coroutine or hook) at the top of the chain that reaches `id`.
fn entry_of(facts: &Facts, id: FunctionId) -> FunctionId {
    let mut current = id;
    let mut steps = 0;
    while let Some((caller, _)) = facts.reached.get(&current).and_then(|reach| reach.caller()) {
        current = caller;
        steps += 1;
        if steps > facts.reached.len() {
            break;
        }
    }
    current
}

/// (e): a loop run at the top level of a notebook cell, where the kernel's loop is already
/// running. The fix awaits the coroutine instead: top-level `await` works in a cell.
pub(crate) fn check_notebook_call(checker: &mut Checker, call: &ast::ExprCall, path: &str) {
    // Inside a `def` or `lambda` the call runs whenever that is called: the project rule's
    // business, not the cell's.
    if !catalog::is_loop_run(path) || checker.model.scopes.innermost_function_is_async().is_some() {
        return;
    }
    if loop_guards::is_guarded(
        checker.current_body(),
        call.range(),
        &mut checker.rule_state(),
    ) {
        return;
    }
    let api = display_path(path);
    let mut diagnostic = Diagnostic::new(
        Rule::RunInRunningLoop,
        format!(
            "`{api}` at the top level of a notebook cell raises RuntimeError: the kernel's loop is already running"
        ),
        call.range(),
    )
    .with_help(HELP_IN_NOTEBOOK);
    if let Some(fix) = await_fix(checker, call, path) {
        diagnostic = diagnostic.with_fix(fix);
    }
    checker.report(diagnostic);
}

/// (f): a loop run in the top-level code of a module that is part of a package (it imports
/// its siblings relatively: `from .data import load`), outside `if __name__ == "__main__":`.
/// That code runs whenever the module is imported, and whoever imports it (an async
/// application, a framework's plugin loader, another module's lazy import) may already run a
/// loop. Test modules and `__main__.py` are left alone: pytest imports the former with no loop
/// running, and the latter is a script.
pub(crate) fn check_import_time_call(checker: &mut Checker, call: &ast::ExprCall, path: &str) {
    if !catalog::is_loop_run(path) || checker.model.scopes.innermost_function_is_async().is_some() {
        return;
    }
    if !runs_when_imported(checker) {
        return;
    }
    let under_main_guard = checker
        .statement_ancestors()
        .iter()
        .any(|stmt| matches!(stmt, Stmt::If(if_stmt) if mentions_dunder_name(&if_stmt.test)));
    if under_main_guard
        || loop_guards::is_guarded(
            checker.current_body(),
            call.range(),
            &mut checker.rule_state(),
        )
    {
        return;
    }
    let api = display_path(path);
    checker.report(
        Diagnostic::new(
            Rule::RunInRunningLoop,
            format!(
                "`{api}` runs when this module is imported: an importer inside a running loop (an async application, a plugin loader) gets RuntimeError"
            ),
            call.range(),
        )
        .with_help(HELP_AT_IMPORT),
    );
}

/// Whether a module's top-level code runs on import rather than as a script: it imports
/// its package's modules relatively, and it is neither `__main__` nor a test module. Decided
/// once per module: asked at every loop run of its top level, a scan of the module's
/// statements each time made a module of many such calls quadratic.
fn runs_when_imported(checker: &Checker) -> bool {
    #[derive(Default)]
    struct RunsWhenImported(Option<bool>);
    let mut decided = checker.rule_state::<RunsWhenImported>();
    *decided.0.get_or_insert_with(|| {
        let module_name = checker.model.module.module_name.as_str();
        let last = module_name.rsplit('.').next().unwrap_or(module_name);
        if last == "__main__" || crate::settings::is_test_module(module_name) {
            return false;
        }
        checker.module().body.iter().any(|stmt| match stmt {
            Stmt::ImportFrom(import) => import.level > 0,
            Stmt::Try(try_stmt) => try_stmt
                .body
                .iter()
                .any(|inner| matches!(inner, Stmt::ImportFrom(import) if import.level > 0)),
            _ => false,
        })
    })
}

/// Whether a test reads `__name__` (`if __name__ == "__main__":`, either way round).
fn mentions_dunder_name(test: &ast::Expr) -> bool {
    crate::ast_query::any_expr(
        test,
        &mut |expr: &ast::Expr| matches!(expr, ast::Expr::Name(name) if name.id.as_str() == "__name__"),
    )
}

/// `asyncio.run(coro)` / `loop.run_until_complete(coro)` → `await coro`, when the coroutine
/// is the call's only argument (an option such as `debug=True` has no `await` spelling).
/// Safe: the call as written cannot succeed in a running kernel.
fn await_fix(checker: &Checker, call: &ast::ExprCall, path: &str) -> Option<Fix> {
    if path != "asyncio.run" && !path.ends_with(".run_until_complete") {
        return None;
    }
    let [argument] = &*call.arguments.args else {
        return None;
    };
    if !call.arguments.keywords.is_empty() || argument.is_starred_expr() {
        return None;
    }
    let text = checker.text(argument.range()).trim();
    // `await` binds tighter than most operators: anything but a primary goes in parentheses.
    let primary = matches!(
        argument,
        ast::Expr::Call(_) | ast::Expr::Name(_) | ast::Expr::Attribute(_) | ast::Expr::Subscript(_)
    );
    let awaited = if primary {
        format!("await {text}")
    } else {
        format!("await ({text})")
    };
    // `asyncio.run(f()).x` needs `(await f()).x`; a call that is a statement's whole value
    // does not.
    let replacement = if checker.parent_expression().is_some() {
        format!("({awaited})")
    } else {
        awaited
    };
    Some(Fix::safe(
        "Await the coroutine (a notebook cell may await at its top level)",
        vec![Edit::replacement(replacement, call.range())],
    ))
}
