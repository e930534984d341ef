//! LW104 thread-unsafe-asyncio-in-executor: a function run on another thread uses
//! loop-affine asyncio APIs, directly or through its sync callees.

use crate::catalog::{
    HA_ENTITY_EXECUTOR_METHODS, OWN_LOOP_CALLS, THREAD_RUN_METHODS, is_ha_entity_class,
};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::{chain_text, display_path};
use crate::project::summary::ThreadTarget;
use crate::project::{Facts, FunctionId, Project, Resolution};
use crate::registry::Rule;
use ruff_text_size::TextRange;

pub const DOCS: &str = r#"# LW104 thread-unsafe-asyncio-in-executor

## What it does
Flags handing a project function to another thread (`loop.run_in_executor`,
`asyncio.to_thread`, `anyio.to_thread.run_sync`, `run_in_threadpool`, asgiref's
`sync_to_async(f)`, channels' `database_sync_to_async(f)`, asyncer's `asyncify(f)`, `executor.submit/map`,
`threading.Thread(target=...)`, `threading.Timer`, a done callback of a
`concurrent.futures.Future`, which runs on the thread that completes it), directly, through
`functools.partial` or through a context's `run` (`run_in_executor(None, ctx.run, f)`), or
through a project function that hands its parameter to one of those (`def in_thread(func,
*args): return loop.run_in_executor(None, func, *args)`: the finding is on the call that
passes the function to it, one such call up), or decorating it with a decorator that runs it in a worker thread
(`@sync_to_async`, channels' `@database_sync_to_async`, `@asyncify`, textual's
`@work(thread=True)`: the finding is then on the function's name), or overriding a method
that a library class calls on a thread of its own (`run` of a `threading.Thread` subclass,
which `start()` runs on the new thread; `on_modified`, `on_created`, `on_any_event` and the
other handlers of a watchdog `FileSystemEventHandler` subclass, which the observer calls on
its thread: the finding is on the method's name; and a subclass's own method that such an
inherited method calls on `self`, as a base handler's `dispatch` calls `self.on_change(event)`
and each subclass defines `on_change`; and a sync method of a Home Assistant entity that
Home Assistant runs in its executor: `update` of any entity, and the sync service methods of
its platform (`turn_on`/`turn_off`/`toggle` of a switch, light, fan or climate entity,
`press` of a button, `select_option` of a select, `set_native_value` of a number,
`open_cover` of a cover, `lock` of a lock, and the others of each platform), unless the
entity also defines the coroutine twin it would await instead, `async_update` or
`async_turn_on`), or handing a plain `def`
of the module (not a coroutine function, not decorated `@callback`) to one of Home
Assistant's event helpers (`homeassistant.helpers.event.async_track_time_interval`,
`async_call_later`, `async_track_state_change_event`, `async_dispatcher_connect`,
`hass.bus.async_listen`..., and `hass.add_job`), which run such a function in their executor (a
`lambda` too: it is never a `@callback`), when that function,
or a sync function it calls at any depth, uses an asyncio API that must
run on the event loop's thread: `asyncio.create_task`, `asyncio.ensure_future`,
`asyncio.get_running_loop`, `asyncio.get_event_loop` (on a thread where no loop is set it
raises; a thread that sets its own loop first is left alone), `loop.create_task`, `loop.call_soon`, `loop.call_later`,
`loop.call_at`, the loop's descriptor and signal watches (`loop.add_reader/add_writer`,
`remove_reader/remove_writer`, `add_signal_handler/remove_signal_handler`: they change the
selector the loop's thread may be waiting in), `Future.set_result/set_exception/cancel`,
`Task.cancel`, `asyncio.Future()`
made without `loop=` (it takes the calling thread's loop, and a worker thread has none),
`asyncio.Queue.put_nowait/get_nowait`, `asyncio.Event.set`, or Home Assistant's loop-bound
core methods (`hass.async_create_task`, `hass.async_add_job`, `hass.bus.async_fire`,
`hass.states.async_set`, `async_dispatcher_send`), and the methods an integration's
coordinator and entities inherit to publish a new state (`async_set_updated_data`,
`async_update_listeners` and `async_set_update_error` of a `DataUpdateCoordinator`
subclass, `async_write_ha_state` and `async_schedule_update_ha_state` of a subclass of
`Entity`, `CoordinatorEntity` or a platform's entity class such as `SensorEntity`, whose
`self.hass` is the instance; their thread-safe forms, `schedule_update_ha_state`, are left
alone). The loop and the future may come
from another module: a function annotated `-> asyncio.AbstractEventLoop`, an attribute
declared on a base class, a future type re-exported by a package. So may the function handed
over (`self._hub.refresh` with `_hub: Hub` declared on a base class of another module). On
a receiver nothing types (an entity's `self.hass`, which Home Assistant's base class sets; a
`self.loop` handed in), `async_add_executor_job`, `async_add_import_executor_job` and
`run_in_executor` are taken for Home Assistant's and the loop's methods by their names, and
`async_create_task`, `async_create_background_task` and `async_add_job` on a value named
`hass` for Home Assistant's; a call through an imported module (`helpers.run_in_executor(f)`)
is that module's function. The recorder's `get_instance(hass).async_add_executor_job(f)`
runs `f` in the recorder's own executor.

A `lambda` handed over runs its body on that thread: each call it makes is followed as if
the callee had been handed over (`lambda _now: self._tick(_now)`), and one of those APIs
called in it is reported on the hand-off (`lambda: loop.create_task(job())`), as is such an
API handed over itself (`run_in_executor(None, queue.put_nowait, item)`). A call on one of
the lambda's own parameters (`lambda hass: hass.async_create_task(...)`) is not typed, and
not followed.

## Why is this bad?
asyncio objects are not thread-safe. `asyncio.get_running_loop()` and `asyncio.create_task()`
raise `RuntimeError: no running event loop` on a worker thread. `loop.call_soon` from another
thread appends to the loop's queue without waking it, so the callback may run seconds later
or race with the loop's own bookkeeping; `Future.set_result`, `Queue.put_nowait` and
`Event.set` wake waiters through `call_soon` and inherit the same race.

## Example
```python
import asyncio

def on_message(loop, queue, item):
    queue.put_nowait(item)

async def consume(loop, queue, item):
    await asyncio.to_thread(on_message, loop, queue, item)
```

## Use instead
```python
def on_message(loop, queue, item):
    loop.call_soon_threadsafe(queue.put_nowait, item)
```
or `asyncio.run_coroutine_threadsafe(coro, loop)` to run a coroutine on the loop from a thread.

## Not flagged
- `loop.call_soon_threadsafe` and `asyncio.run_coroutine_threadsafe` (they are the fix), and
  functions that are only called on the loop's thread.
- A chain through a memoized function (`@functools.cache`, `@lru_cache`, Home Assistant's
  `@singleton(key)`): its body runs once, on its first call, and what it does with the loop
  (a registry that registers its listeners as it is built) is done by then; such caches are
  filled at start-up, on the loop, as LW103 reads them too.
- Code behind a test of which thread runs it: the branch where `threading.get_ident() ==
  x` or `threading.current_thread() is x` holds (also as one part of an `and`), or the `else`
  of `!=` / `is not` (`if threading.get_ident() == loop_thread.ident: service.start()` /
  `else: loop.call_soon_threadsafe(service.start)`). Code that names the thread it must be on
  has been written for threads; the loop-affine call and any call to a function that makes
  one are not followed from a worker thread through such a branch.
- A thread that runs an event loop of its own: its target makes or sets one
  (`asyncio.new_event_loop()`, `asyncio.set_event_loop(loop)`) or runs one
  (`run_until_complete`, `run_forever`, `asyncio.run`); the asyncio calls it makes are on
  that loop, on that thread. So is a call, at any depth, that schedules on a loop the same
  function then runs (`fut = asyncio.ensure_future(coro, loop=self._loop)` before
  `self._loop.run_until_complete(fut)`, `loop.call_soon(...)` before `loop.run_forever()`):
  the thread that schedules is the one that runs it.
- `asyncio.get_running_loop()` inside a `try` (with its `except RuntimeError`): the probe
  "is a loop running on this thread?", which expects the error a worker thread gets.
- Whatever follows that probe in the same `try` body (`try: asyncio.get_running_loop();
  asyncio.ensure_future(coro)` / `except RuntimeError: run_coroutine_threadsafe(coro,
  loop)`): on a thread where no loop runs, the probe raises before it, so it runs only on a
  loop's own thread.
- A method of the calling thread's own loop: one the function got from
  `asyncio.get_running_loop()` or `asyncio.get_event_loop()`, or from a function of the
  module whose every `return` gives one of those (or `None`) (`loop = current_loop()`, then
  `loop.create_task(...)`); a local bound to `None` as well where none runs (`except
  RuntimeError: loop = None`) still counts. That loop belongs to this thread, so no other
  thread's loop is touched.
- An API that raises `RuntimeError` where no loop runs (`asyncio.create_task`,
  `asyncio.get_running_loop`) reached only through a call inside a `try` that catches
  `RuntimeError` (or `Exception`): on the worker thread it fails loudly and the caller
  handles it; the loop is never touched. APIs that do not raise from a foreign thread
  (`loop.call_soon`, `Future.set_result`, `Queue.put_nowait`, `Event.set`) race with the
  loop whatever catches them, and are still reported.
"#;

pub(crate) fn check(project: &Project, facts: &Facts, report: &mut dyn FnMut(usize, Diagnostic)) {
    for id in project.function_ids() {
        for handoff in project.thread_targets(id).iter() {
            let Some(target) = project.resolve_handed(&handoff.target) else {
                // A loop-affine API itself handed over (`run_in_executor(None,
                // fut.set_result, value)`), or called by a lambda handed over.
                if let Some(diagnostic) = library_api_on_thread(project, handoff) {
                    report(id.0, diagnostic);
                }
                continue;
            };
            let via = if handoff.in_lambda {
                format!("via `{}`, in a lambda", display_path(&handoff.via))
            } else {
                format!("via `{}`", display_path(&handoff.via))
            };
            if let Some(diagnostic) = on_thread(project, facts, target, &via, handoff.range) {
                report(id.0, diagnostic);
            }
        }
        // A callable handed to a project function that hands that parameter to a thread
        // (`in_thread(runner)` with `def in_thread(func): return loop.run_in_executor(None,
        // func)`): the finding goes on the call that hands it.
        let function = project.function(id);
        for (site, callee) in facts.edges.of(id) {
            for handoff in &project.function(callee).thread_parameters {
                let passed = function
                    .callable_arguments
                    .iter()
                    .find(|(at, slot, _)| *at as usize == site && slot.is_for(&handoff.parameter));
                let Some(Resolution::Function(target)) =
                    passed.map(|(_, _, path)| project.resolution(id.0, *path))
                else {
                    continue;
                };
                let via = format!(
                    "via `{}`, which hands it to `{}`",
                    project.function(callee).shown_name(),
                    display_path(&handoff.via)
                );
                if let Some(diagnostic) =
                    on_thread(project, facts, target, &via, function.calls[site].range)
                {
                    report(id.0, diagnostic);
                }
            }
        }
        // A function whose decorator runs it in a worker thread (`@sync_to_async`): the
        // handoff is the decorator, and the finding goes on the function's name.
        if project.runs_in_thread(id)
            && let Some(diagnostic) = on_thread(
                project,
                facts,
                id,
                "its decorator runs it in a worker thread",
                project.function(id).name_range,
            )
        {
            report(id.0, diagnostic);
        }
    }
    check_thread_run_methods(project, facts, report);
}

/// Methods a library class calls on a thread of its own (`run` of a `threading.Thread`
/// subclass, a watchdog event handler's `on_modified`, a Home Assistant entity's sync
/// `turn_on`): the handoff is the class, and the finding goes on the method's name, once
/// however many subclasses inherit it.
fn check_thread_run_methods(
    project: &Project,
    facts: &Facts,
    report: &mut dyn FnMut(usize, Diagnostic),
) {
    let mut seen = rustc_hash::FxHashSet::default();
    // Once per method, on its name, however many subclasses reach it.
    let mut report_once = |id: FunctionId, how: String| {
        if seen.insert(id)
            && let Some(diagnostic) =
                on_thread(project, facts, id, &how, project.function(id).name_range)
        {
            report(id.0, diagnostic);
        }
    };
    for (library_classes, methods) in THREAD_RUN_METHODS {
        let library_class = display_path(library_classes[0]);
        let how = |what: &str| format!("`{library_class}` calls {what} on a thread of its own");
        let classes = project.classes_deriving_from(|base| library_classes.contains(&base));
        for class in classes {
            for method in *methods {
                run_on_thread(project, facts, class, method, &how, &mut report_once);
            }
        }
    }
    // Home Assistant runs an entity's sync method in its executor only when the entity does
    // not define the coroutine that would be awaited instead (`async_turn_on`): `update` of
    // every entity, the service methods of each platform's entities. Read from the
    // project's methods of those names (a few), not from every entity class and name: the
    // corpus's Home Assistant has thousands of entity classes.
    let how = |what: &str| format!("Home Assistant runs {what} in its executor");
    for id in project.function_ids() {
        let function = project.function(id);
        let Some((class_name, name)) = function.qualname().rsplit_once('.') else {
            continue;
        };
        let platform_bases = || {
            HA_ENTITY_EXECUTOR_METHODS
                .iter()
                .filter(move |(_, methods)| methods.contains(&name))
                .flat_map(|(bases, _)| bases.iter())
        };
        if function.is_async || (name != "update" && platform_bases().next().is_none()) {
            continue;
        }
        let class = format!("{}.{class_name}", project.modules[id.0].summary.module_name);
        let runs_in_executor = if name == "update" {
            project.descends_from_where(&class, is_ha_entity_class)
        } else {
            project.descends_from_where(&class, |base| platform_bases().any(|b| *b == base))
        };
        if runs_in_executor && project.resolve(&format!("{class}.async_{name}")).is_none() {
            run_on_thread(project, facts, &class, name, &how, &mut report_once);
        }
    }
}

/// Reports `method` of project class `class`, which a library runs on a thread of its own
/// (`how` says which, given `it` or the method's name), and the class's methods it calls on
/// `self`.
fn run_on_thread(
    project: &Project,
    facts: &Facts,
    class: &str,
    method: &str,
    how: &dyn Fn(&str) -> String,
    report_once: &mut dyn FnMut(FunctionId, String),
) {
    let Some(id) = project.resolve(&format!("{class}.{method}")) else {
        return;
    };
    // An inherited method that calls a method of `self` (`self.on_event(event)` in a base
    // handler's `dispatch`) calls this class's override of it, on the same thread: the link
    // resolved the call to the base's own.
    for (site, call) in project.function(id).calls.iter().enumerate() {
        if !call.arguments().on_self {
            continue;
        }
        let callee = project.modules[id.0].summary.callee(call);
        let Some(name) = callee.rsplit('.').next() else {
            continue;
        };
        let Some(own) = project.resolve(&format!("{class}.{name}")) else {
            continue;
        };
        if facts.callee_at(id, site) != Some(own) {
            report_once(
                own,
                format!("{}, which calls it on `self`", how(&format!("`{method}`"))),
            );
        }
    }
    report_once(id, how("it"));
}

/// The finding for sync function `target`, run on another thread (`how`), when it uses a
/// loop-affine API directly or through its sync callees and runs no loop of its own.
fn on_thread(
    project: &Project,
    facts: &Facts,
    target: FunctionId,
    how: &str,
    range: TextRange,
) -> Option<Diagnostic> {
    let target_function = project.function(target);
    if target_function.is_async
        || !facts.loop_affine.contains_key(&target)
        || runs_its_own_loop(project, target)
    {
        return None;
    }
    let mut chain = vec![project.definition_step(target)];
    chain.extend(
        facts.chain_down(project, &facts.loop_affine, target, |at, site| {
            let sites = project.loop_affine_sites(at);
            let site = sites.get(site)?;
            Some(project.step(at.0, &display_path(&site.api), site.range))
        }),
    );
    let api = chain
        .last()
        .map(|step| step.name.clone())
        .unwrap_or_default();
    let message = format!(
        "`{}` runs on another thread ({how}) but uses `{api}`, which must run on the event loop's thread: {}",
        target_function.name(),
        chain_text(&chain)
    );
    Some(
        Diagnostic::new(Rule::ThreadUnsafeAsyncioInExecutor, message, range)
            .with_help("Use `loop.call_soon_threadsafe(...)` or `asyncio.run_coroutine_threadsafe(coro, loop)` from the thread")
            .with_chain(chain),
    )
}

/// The finding for a library API that must run on the loop's thread, handed to another
/// thread itself or called there by a lambda handed over.
fn library_api_on_thread(project: &Project, handoff: &ThreadTarget) -> Option<Diagnostic> {
    let api = project
        .library_api(&handoff.target)
        .filter(|api| crate::catalog::is_loop_affine(api))?;
    let api = display_path(&api);
    let via = display_path(&handoff.via);
    let message = if handoff.in_lambda {
        format!(
            "A lambda runs on another thread (via `{via}`) but calls `{api}`, which must run on the event loop's thread"
        )
    } else {
        format!(
            "`{api}` is handed to another thread (via `{via}`), but must run on the event loop's thread"
        )
    };
    Some(
        Diagnostic::new(Rule::ThreadUnsafeAsyncioInExecutor, message, handoff.range)
            .with_help("Use `loop.call_soon_threadsafe(...)` or `asyncio.run_coroutine_threadsafe(coro, loop)` from the thread"),
    )
}

/// Whether thread target `id` runs an event loop of its own (it makes or sets one, or runs
/// one with `run_until_complete`, `run_forever` or `asyncio.run`): the loop-affine calls it
/// makes are then on that thread's own loop.
fn runs_its_own_loop(project: &Project, id: FunctionId) -> bool {
    let function = project.function(id);
    let summary = project.modules[id.0].summary;
    !function.loop_runs.is_empty()
        || function
            .calls
            .iter()
            .any(|call| OWN_LOOP_CALLS.contains(&summary.callee(call)))
}
