//! LW403 cancelled-error-swallowed: an `except` clause in a coroutine that catches
//! `asyncio.CancelledError` (by name, through `BaseException`, or bare) and does not
//! re-raise it on every path.

use ruff_python_ast::{self as ast, CmpOp, Expr, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::ast_query::{
    self, Node, Walk, any_expr, any_in_body, enclosing_class, find_function, find_method,
    last_identifier, receiver_name, single_assignment, walk_body_shallow, walk_statements_shallow,
};
use crate::catalog::{
    AWAIT_PASSTHROUGH_CALLS, CANCELLATION_CATCHING_CLASSES, CANCELLATION_CLASS_CALLS,
    CANCELLED_ERROR_CLASSES, CANCELLING_METHODS, CURRENT_TASK_CALLS, EXCEPTION_CARRIERS,
    EXCEPTION_FORWARDING_METHODS, EXCEPTION_QUEUEING_METHODS, NEVER_RETURNING_TYPES,
    SHIELDING_SCOPES, TASK_CANCEL_METHODS, TASK_CREATING_CALLS, TEST_CASE_CLASSES,
    TEST_CASE_OUTCOME_METHODS, TEST_OUTCOME_CALLS, TIMEOUT_ERROR_CLASSES, UNCANCEL_METHODS,
};
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
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
- and `with contextlib.suppress(...)` of any of these classes around code that awaits: a
  handler that does nothing, judged as `except asyncio.CancelledError: pass` is (the
  exemptions below apply to it too, the cancel-and-wait idiom first); not inside an
  `except` handler that caught the cancellation already, which is judged for it,

(also in `except*` clauses) when its body does not re-raise on every path. A path re-raises when
it ends in a bare `raise`, `raise <the caught name>` (`except asyncio.CancelledError as exc:
... raise exc`), `raise asyncio.CancelledError(...)` (or a class of the module derived from it),
or a call to a function that always raises (see below). A path ending in
`raise AssertionError(...)` is taken for an unreachable one (`raise AssertionError("X re-raises")`
after a call that re-raises). A path that falls off the end of the handler, `return`s, `break`s or `continue`s
out of it, or raises some other exception swallows the cancellation: turning cancellation into
another exception (`except CancelledError: raise RuntimeError(...)`) is flagged too (flake8-async
ASYNC104's case), except in a function that implements a timeout. Paths are followed through
`if`/`elif`/`else`, `with`, nested `try` (a `return` in a `finally` swallows too) and `match`.

Only the first clause of a `try` that catches cancellation is looked at: a later
`except BaseException:` never sees a cancellation that `except asyncio.CancelledError: raise`
above it has taken.

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
  `except asyncio.CancelledError: pass`, also for an item of a container under the same key,
  `self._tasks[key].cancel()` then `await self._tasks[key]`, or `app[self.key]`): the cancellation caught is the
  one just requested.
  The cancel may also be done by a method of the same object called before the `await`
  (`self._stop_worker()` whose body does `self._task.cancel()`, then `await self._task`), when
  that method is defined in the class or a base class in the same module. Waiting through the
  object that holds the task counts as awaiting it: `handle.task.cancel()` then `await
  handle.wait()` (a method called without arguments whose name starts with `wait`, or `join`).
  So does cancelling what the task consumes: another attribute of the same object that the
  method the class runs as the task (`self.pump_task = asyncio.create_task(self.pump())`)
  reads or sets (`self.stream_call.cancel()` then `await self.pump_task`, where `pump`
  iterates `self.stream_call`: a cancelled gRPC call raises `CancelledError` in its reader).
  Awaiting the task through `asyncio.shield(task)` or `asyncio.wait_for(task, t)` counts as
  awaiting it: both raise the cancellation of the task they are given; so does gathering that
  one task, also with `return_exceptions=True` (which waits for its end and keeps its
  cancellation as a result). So does gathering the
  tasks of a container after a loop cancelled each (`for task in tasks: task.cancel()`, also
  over `tasks.values()`, then `await asyncio.gather(*tasks)`).
- The same idiom with the wait in a helper: a private module-level function whose `try`
  awaits one of its parameters (`async def _reap(task): try: await task / except
  CancelledError: pass`), every use of which in the module is a call handing it a task the
  caller cancelled before the call (`job.cancel()` then `await _reap(job)`, or a loop of
  cancels over `(reader, writer)` then a loop of `_reap(task)` calls). A public function may
  be called from elsewhere with a task nobody cancelled, and is flagged.
- A handler that re-raises cancellations and handles everything else:
  `except BaseException as exc:` with `if isinstance(exc, asyncio.CancelledError): raise` (or
  `if not isinstance(exc, Exception): raise`, or `if not isinstance(exc, X): raise` for any
  classes `X` that cannot match a cancellation, such as `self._conn.transport_errors`) in it,
  also as one part of an `or` (`if not handled or not isinstance(exc, Exception): raise`).
  The test may be made through a name the handler binds to `None` exactly when the
  exception is a cancellation (`failure = wrap(exc) if isinstance(exc, Exception) else None`,
  or `None if isinstance(exc, CancelledError) else wrap(exc)`) and then tests (`if failure is
  None: raise`, `if not failure: raise`).
  Likewise a branch that only another exception can take (`if isinstance(exc, OSError): raise
  RetrySignal() from exc`, also inside an `and`) is not on the cancellation's path. A class the
  checker cannot resolve (an attribute of an object, a tuple built at run time) is judged by
  its name: one that names cancelling (`CancelledError`, `cancel_errors`) or `BaseException`
  can match a cancellation, any other cannot.
- A handler that re-raises when the current task is being cancelled, the 3.11 idiom for telling
  an external cancel (of this task) from an internal one (of something it awaited):
  `if asyncio.current_task().cancelling(): raise`, with a walrus
  (`if (task := asyncio.current_task()) and task.cancelling(): raise`), with a name bound to
  `asyncio.current_task()` in the function, with `> 0`, or negated
  (`if task is None or not task.cancelling(): raise OtherError(...)` followed by `raise`), as
  one part of an `or` (`if caller.cancelling() or not handle.cancelled_internally: raise`), or
  asked of a function of the module that returns the test, every other `return` of which
  gives `False` or `None` (`if _raised_by_the_body(): raise NodeError() from exc` where the
  helper ends in `return asyncio.current_task().cancelling() == 0`).
  Or asked of such a function that answers true only while the task is being cancelled,
  every other `return` giving `False` or `None`, or `True` where it cannot tell (before
  Python 3.11, without `Task.cancelling`: re-raising then is the safe answer) (`if
  _task_cancelling(): raise`, the helper ending in `return bool(cancelling and cancelling()
  > 0)`); such a function of another
  module of the project counts too (`from .cancel import owner_cancelled`, called without
  arguments, its parameters defaulted: `def owner_cancelled(task=None)`), the finding held
  for the link, which reports it unless the function answers so.
  The test may look the method up for Pythons before 3.11
  (`getattr(task, "cancelling", lambda: 0)() == 0`, or `cancelling = getattr(task,
  "cancelling", None)` then `cancelling()`). `.cancelling()` on any other task does not
  count.
- A handler that re-raises every cancellation but the ones its own code asked for, told apart
  the way that code marks them: by the message it cancels with (the module calls
  `task.cancel(OWN_MSG)`, the handler `if OWN_MSG not in err.args: raise`), or by a flag of
  the object that a method calling `cancel()` sets (`self._interrupted = True;
  self.task.cancel()`, then `if not self._interrupted: raise`; also an event,
  `self._stopping.set()` then `if not self._stopping.is_set(): raise`, and a flag of
  another object of a class of the module, `manager.shutting_down.is_set()` with `manager:
  Manager`, set by a method of `Manager` that cancels; also an event spelled the same that
  any function of the module sets before it cancels, `manager.states.SHUTTING_DOWN.set()`
  then `manager.current_task.cancel()` in a nested signal handler). The test may also ask
  the other way, for its own cancellation, in an `if` without `else` that the re-raising
  code follows (`if self._stop_owned: raise Stopped() from None`, then `raise`): that
  branch is the code's own cancellation, which it may translate or end. A flag no method
  that cancels sets tells nothing, and the handler is reported.
- A background task that only its owner cancels and waits for: the handler leaves the
  coroutine (a `return`, or a `break` out of a loop after which nothing suspends or loops),
  the coroutine is a method of the class started only as a task the class keeps in one
  attribute (`self._task = asyncio.create_task(self._beat())`), and every
  `self._task.cancel()` of the class is followed in its block (or after the `if`, `with`
  or `try` around it) by an `await` that names the task (`await self._task`, under
  `suppress` or not). Ending quietly is what lets the
  owner's `await` return; nothing else holds the task to be misled. A cancel the class
  makes without waiting (a sync `close()` that only cancels) keeps the finding, unless the
  task is never waited for at all: kept in a private attribute (`self._task`) that the
  module reads only to cancel it, ask `done()`/`cancelled()` or test it (`if self._task`,
  `self._task is None`). No awaiter's own cancellation then rides on the task, and the
  loop's shutdown takes what it returns; a public attribute, or one awaited, gathered,
  handed to `wait_for` or passed on anywhere in the module, keeps the finding. The class's
  subclasses in the module count as its owner too (a base class's `_set_later` started
  and superseded by a subclass's `update`). The owner
  may cancel its tasks in a loop: over a list of them (`tasks = [self._reader,
  self._writer]`, `for task in tasks: task.cancel()`, then `await asyncio.gather(*tasks)`),
  or by name (`for name in ("_reader", "_writer"):` with `getattr(self, name)`, each cancel
  followed by an await of the task). The same holds for a coroutine nested in the function that owns its task: named there only as
  `watcher = asyncio.create_task(watch())`, the local bound once, every `watcher.cancel()`
  followed by an `await` that names it, and the local handed to nothing else (only its
  methods called, read only inside an `await`; put in a list or passed on, others may
  cancel it too, and the finding stays).
- contextlib's way out of an `__aexit__` (or `__exit__`) that throws the exception it was
  handed into a generator: `except BaseException as exc: if exc is not exc_value: raise`, and
  no truthy `return` after it: what falls through is the exception handed in, which `async
  with` raises again when `__aexit__` returns a falsy value.
- Raising a new cancellation kept in a name (`error = asyncio.CancelledError("interrupted")`
  ... `raise error from exc`), every value the function binds the name to being one; and a
  handler that falls through in a `try` of the function's own body after which every path
  raises a cancellation (the workers cancelled and waited for, then `raise
  asyncio.CancelledError("stopped")`).
- A handler whose path ends in a call to a function that always raises: one annotated
  `-> NoReturn` or `-> Never`, or whose body raises on every path (a `raise NotImplementedError`
  does not count: a subclass overrides it; an `@abstractmethod` neither). The callee is found in
  the same module only: a module-level function called by name (not shadowed by a local), or a
  method of the current class or of its bases defined in the module (`self._convert_error(exc)`);
  callees are followed three calls deep. Functions imported from other modules are not resolved,
  except the library functions typeshed annotates `-> NoReturn`: `sys.exit(3)`, `exit()`,
  `os._exit`, `os.abort`, the `os.exec*` family, `typing.assert_never`, and pytest's
  `pytest.fail`, `pytest.skip`, `pytest.xfail`, `pytest.exit` (a command-line entry point that
  exits with a status of its own when it is cancelled ends there), and unittest's
  `self.fail(...)` and `self.skipTest(...)` in a test case class (`unittest.TestCase`,
  `IsolatedAsyncioTestCase`, Django's test cases) that does not define them itself.
  Likewise a call that hands the caught exception to such a helper which re-raises it on every
  cancellation path (`kind = self._classify(exc)` where `_classify` does
  `if isinstance(exc, CancelledError) and asyncio.current_task().cancelling(): raise exc`).
- A handler in a private helper (`_finish_cleanup`, `self._stop_through_cancellation`) that its
  module calls only inside `except` handlers ending in a bare `raise` (or a raise of what they
  caught), with no `return`, `break` or `continue` in them: the helper finishes a cleanup
  through repeated cancellation, and its caller re-raises what it is handling afterwards. A
  call anywhere else, or the name used as a value, keeps the finding.
- The module's entry coroutine ending: a handler of a `try` of the body of a module-level
  `async def`, after which the body neither awaits nor loops (a report printed, a value
  returned), that the module runs with a loop runner (`asyncio.run(main())`,
  `loop.run_until_complete(main())`) and names nowhere else. Only the runner cancels that task
  (on Ctrl+C, or at the loop's shutdown), nothing awaits it, and no timeout or task group sits
  above it: letting it return through its cleanup is the graceful exit. The handler (or the
  `with contextlib.suppress(...)`) may sit in `with`, `async with` and `if` blocks of that
  body, each followed by nothing that awaits or loops: leaving an `async with` awaits only
  its exit. A `try` inside a loop, or followed by code that awaits or loops, keeps running
  after the cancellation and is flagged; so is a
  coroutine the module also awaits or hands on. Another module awaiting it is not looked for.
  The same holds for a module-level `async def` the entry coroutine ends with, awaiting or
  gathering it (`await asyncio.gather(publish(), poll())`) in the statement after which it
  neither awaits nor loops, named nowhere else in the module, and for one such a coroutine
  ends with in turn: only the runner's cancellation of the entry coroutine reaches it. One
  it awaits earlier, and goes on after, keeps the finding.
- A handler nested in an enclosing `except` handler of the same function that re-raises on every
  path (`except CancelledError: try: await cleanup() except CancelledError: pass; raise`): the
  outer exception still propagates once the cleanup is done.
- Cleanup in the `finally` of a `try` whose handlers keep the exception and re-raise it
  (`except BaseException as e: in_flight = e; raise`), with a handler that re-raises the
  cancellation when nothing is in flight (`if in_flight is None and isinstance(exc,
  CancelledError): raise`): on the other path an exception is already propagating and the
  `finally` re-raises it after the cleanup.
- Cleanup in the `finally` of a `try…finally` whose body can neither complete nor `return`
  (it ends in `raise`, or in a `while True:` loop with no `break` of its own): that `finally`
  runs only while an exception propagates and re-raises it afterwards, so a cancellation
  caught in the cleanup is a second one (`finally: try: await asyncio.shield(touch()) except
  CancelledError: pass`).
- The deferred re-raise: the handler keeps the caught exception (`interrupted = exc`,
  `errors.append(exc)`, `errors.append((step, exc))`, `errors.extend(chain_of(exc))`) and
  the function raises it after the
  `try` (`raise interrupted`, `raise errors[0]`, `raise errors[0][1]`, or hands it to a
  function that always raises), typically once a shielded
  cleanup has finished; or the handler notes the cancellation in a flag (`cancelled = True`) and
  the function raises a cancellation after the `try` when the flag is set (`if cancelled:
  raise asyncio.CancelledError()`).
- A function of another module whose name says it raises what it is handed (`reraise(exc)`,
  `_raise_redacted_error(exc)`), given the caught or kept exception, counts as a raise; not
  one named for a condition (`raise_for_status`, `raise_if_failed`).
- `raise translate(exc)`: a function (not a class) handed the caught exception works out what
  to raise from it, and may raise a cancellation as a cancellation (`raise
  redacted_copy(exc) from None`). A class given it (`raise ToolError(exc)`) makes another
  exception and is flagged; a name spelled in CapWords is taken for a class.
- Cleanup in a `finally` that first notes the exception propagating through it (`active =
  sys.exc_info()[1]`, or `sys.exception()`), with a handler that re-raises when nothing is in
  flight (`if active is None: raise`): otherwise the `finally` re-raises the first exception
  once the cleanup is done.
- A branch that tests the cancellation of the task the `try` awaits (`await asyncio.shield(job)`
  / `if job.cancelled(): return ...`): that branch handles the awaited task's own
  cancellation, not this one's.
- A `try` whose body cannot be interrupted: it has no `await`, `async for`, `async with` or
  `yield`. A task's cancellation arrives only at a suspension point, so such a handler catches
  a `CancelledError` raised by a synchronous call (`fut.result()` of a cancelled future), not
  the task's own cancellation. Likewise a body whose every suspension point sits in a `try`
  inside it whose first handler catching the cancellation never raises: the cancellation
  ends in that inner handler (which is reported for itself) and never reaches this one. And
  in an async generator that yields inside a loop and has no decorator but `staticmethod` or
  `classmethod`, a `yield` is no such point: the generator is driven by `async for` or
  `anext()`, the task's cancellation is raised where the consumer waits, and a suspended
  generator is closed with `GeneratorExit`. A decorated generator, or one that yields once,
  may be a context manager (`asynccontextmanager`, a test fixture, a FastAPI dependency),
  whose exit throws the body's cancellation in at the `yield`: flagged.
- Turning the cancellation into a `TimeoutError` (builtin, `asyncio.`, `concurrent.futures.`, or a
  class whose name ends in `TimeoutError`) in a function that implements a timeout: its name
  contains `timeout` or `wait_for`, or it takes a parameter whose name contains `timeout` or
  `deadline` (a `wait_for` replacement cancels the awaitable on expiry and reports a timeout).
- A handler that hands the caught exception on to code that raises it where it belongs:
  `step = coro.throw(exc)` / `await agen.athrow(exc)` (a driver of a generator or coroutine),
  `outcome.Error(exc)` (whose receiver re-raises it with `.unwrap()`), or
  `future.set_exception(exc)` (a task that works for a future another coroutine awaits: the
  waiter has the cancellation raised where it waits), or `return exc` (the caller is handed
  the cancellation to raise; also as an item of a returned tuple, `return exc, True`, an
  operand of `or`, or an argument of a returned record, `return Outcome(error=exc)`). The
  exception may also come from `sys` in a handler that does not name it:
  `greenlet.throw(*sys.exc_info())` (a greenlet bridge such as SQLAlchemy's
  `greenlet_spawn`), `coro.throw(sys.exception())`. Also through a function or method of the
  module the handler hands it to (`self._record_failure(exc)`, whose body does
  `self._result.set_exception(error)`). Likewise an exception put on a queue, alone or in a
  message (`results.put_nowait(("error", exc))`, now or after the `try` from a name that keeps
  it): the consumer reading the queue raises it.
- An exception the handler keeps and the function returns after the `try` (`cancellation =
  exc` ... `return cancellation or close_error`), also through another name it is passed on
  to (`to_raise = cleanup_error` ... `raise to_raise`). What a function makes of it (`safe =
  redacted_copy(exc)`) counts when it is raised after the `try`, not when it is returned
  (`content = error_payload(exc)` in a response is no exception); so does what a function
  handed the kept exception after the `try` picks to raise (`final = pick_error(primary,
  cleanup_errors)` ... `raise final`). A class given it (`RuntimeError(kept)`) makes
  another exception, which does not count.
- A handler that calls `.uncancel()` (`asyncio.current_task().uncancel()`, Python 3.11+), the
  documented way to suppress a cancellation deliberately.
- Raising a class of another module of the project that derives from
  `asyncio.CancelledError` (`raise CancelledError() from exc` with the package's own
  subclass, imported from its `errors` module): that finding waits for the link, which knows
  the class's bases, and stands only if the class is not a cancellation.
- Code inside a shielded cancel scope of its function (`with anyio.CancelScope(shield=True):`,
  `anyio.move_on_after(t, shield=True)`, trio's alike, also as another item of the same
  `with`): no cancellation from outside reaches it until it leaves the scope. So does a
  `try` whose every `await` sits inside such a scope (`try: with CancelScope(shield=True):
  await cleanup()` / `except get_cancelled_exc_class(): log`): its handler sees no
  cancellation from outside.
- Code outside async context (a sync `def`, a `lambda`, module level): no task is cancelled there.

## Fix
None: whether to re-raise after cleanup or to narrow the clause to `Exception` depends on what
the handler is for. The help line says both.
"#;

pub(crate) fn check_try(checker: &mut Checker, try_stmt: &ast::StmtTry) {
    // Only the first clause that catches cancellation ever sees it: a later
    // `except BaseException:` after `except asyncio.CancelledError: raise` does not.
    let Some((handler, kind)) = try_stmt.handlers.iter().find_map(|handler| {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        catches_cancellation(checker, handler.type_.as_deref()).map(|kind| (handler, kind))
    }) else {
        return;
    };
    let Some(held) = swallows(checker, try_stmt, Some(handler)) else {
        return;
    };
    let (message, range) = match handler.type_.as_deref() {
        None => (
            "Bare `except:` in async function swallows cancellation: the handler does not re-raise on every path"
                .to_string(),
            TextRange::at(handler.start(), TextSize::from(6)),
        ),
        Some(type_) => (
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
    let diagnostic = Diagnostic::new(Rule::CancelledErrorSwallowed, message, range).with_help(help);
    report_or_hold(checker, diagnostic, held);
}

/// `with contextlib.suppress(asyncio.CancelledError):` (or `BaseException`) around an await
/// in a coroutine: a handler that swallows whatever cancellation reaches it, judged as an
/// `except` clause with an empty body is (the cancel-and-wait idiom and the rest of the
/// exemptions apply).
pub(crate) fn check_with(checker: &mut Checker, with: &ast::StmtWith) {
    let Some(suppress) = with.items.iter().find_map(|item| match &item.context_expr {
        Expr::Call(call)
            if checker
                .model
                .call_path(call)
                .is_some_and(|path| SUPPRESSING_CONTEXTS.contains(&path.as_str()))
                && call
                    .arguments
                    .args
                    .iter()
                    .any(|class| catches_cancellation(checker, Some(class)).is_some()) =>
        {
            Some(call)
        }
        _ => None,
    }) else {
        return;
    };
    // The `with` judged as the `try` it stands for: its body, and a handler that does nothing.
    let as_try = ast::StmtTry {
        node_index: ast::AtomicNodeIndex::default(),
        range: with.range,
        body: with.body.clone(),
        handlers: Default::default(),
        orelse: Default::default(),
        finalbody: Default::default(),
        is_star: false,
    };
    // Inside a handler that caught the cancellation already: that handler is judged (and
    // reported) for it, and this one could only meet a second cancellation.
    if in_cancellation_handler(checker, with.range()) {
        return;
    }
    let Some(held) = swallows(checker, &as_try, None) else {
        return;
    };
    let diagnostic = Diagnostic::new(
        Rule::CancelledErrorSwallowed,
        format!(
            "`with {}` in async function swallows cancellation: nothing re-raises it",
            checker.text(suppress.range())
        ),
        suppress.range(),
    )
    .with_help(
        "Catch it in `except asyncio.CancelledError:` and re-raise unless this code cancelled what it awaits (cancel the task just before, or test `asyncio.current_task().cancelling()`)",
    );
    report_or_hold(checker, diagnostic, held);
}

/// Whether `range` lies in an `except` handler of its function that catches cancellation.
fn in_cancellation_handler(checker: &Checker, range: TextRange) -> bool {
    for stmt in checker.statement_ancestors().iter().rev() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return false,
            Stmt::Try(outer) => {
                let catching = outer.handlers.iter().any(|handler| {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    handler.range().contains_range(range)
                        && catches_cancellation(checker, handler.type_.as_deref()).is_some()
                });
                if catching {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// The context managers that suppress the exceptions they are given.
const SUPPRESSING_CONTEXTS: &[&str] = &["contextlib.suppress"];

/// What the link must confirm before a finding is reported: the raised classes of other
/// modules taken for cancellations, and the helpers taken to tell a cancelling task.
type Held = Option<(Vec<String>, Vec<String>)>;

/// Whether the handler (`None`: one that does nothing, a `with suppress(...)`) of `try_stmt`
/// swallows a cancellation: `None` when it does not, `Some(None)` when it does, `Some(Some(
/// what))` when it does unless the link confirms `what`.
fn swallows(
    checker: &Checker,
    try_stmt: &ast::StmtTry,
    handler: Option<&ast::ExceptHandlerExceptHandler>,
) -> Option<Held> {
    // Only a `try` body that can be interrupted (an `await`, `async for`, `async with` or
    // `yield`) can receive the task's cancellation, and only where no `try` inside it
    // catches the cancellation first for good.
    let yields_suspend = !is_plain_async_generator(checker);
    if !cancellation_reaches(checker, &try_stmt.body, yields_suspend, 0)
        || in_shielded_scope(checker, try_stmt.range())
    {
        return None;
    }
    let handler_body: &[Stmt] = handler.map_or(&[], |handler| &handler.body);
    let swallows = |assume_other_modules: bool| {
        let mut cx = Cx::new(checker);
        cx.assume_other_modules = assume_other_modules;
        cx.awaited_in_try = awaited_tasks(checker, &try_stmt.body);
        cx.in_flight = in_flight_markers(&cx, try_stmt);
        let caught = handler.and_then(|handler| handler.name.as_ref().map(|name| name.as_str()));
        let reraises = match sequence_flow(&cx, handler_body, caught) {
            Flow::Reraises => true,
            Flow::FallsThrough => cancellation_raised_after(&cx, try_stmt),
            Flow::Escapes => false,
        };
        let swallows = !reraises
            && !calls_uncancel(handler_body)
            && !hands_exception_on(checker, handler_body, caught)
            && !hands_exception_to_helper(&cx, handler_body, caught)
            && !awaits_cancelled_task(&cx, try_stmt)
            && !awaits_task_its_callers_cancelled(checker, try_stmt)
            && !nested_in_reraising_handler(&cx, try_stmt)
            && !in_finally_entered_only_by_exception(&cx, try_stmt)
            && !handler.is_some_and(|handler| handed_back_by_exit_protocol(&cx, try_stmt, handler))
            && !handler.is_some_and(|handler| reraised_later(&cx, try_stmt, handler))
            && !called_only_from_reraising_handlers(checker)
            && !ends_the_entry_coroutine(checker, try_stmt)
            && !ends_a_task_only_its_owner_holds(&cx, try_stmt, handler_body)
            && !ends_a_nested_task_its_owner_awaits(&cx, try_stmt, handler_body);
        (swallows, (cx.assumed.take(), cx.assumed_helpers.take()))
    };
    if !swallows(false).0 {
        return None;
    }
    // It re-raises only if what it raises from other modules (`raise CancelledError() from
    // exc`, the project's own subclass) is a cancellation: the link knows their bases.
    let (still_swallows, assumed) = swallows(true);
    Some((!still_swallows).then_some(assumed))
}

/// Whether the code at `range` runs inside a shielded cancel scope of its function (`with
/// anyio.CancelScope(shield=True):`, also an item of the same `with`): no cancellation from
/// outside reaches it there, so a handler inside swallows none.
fn in_shielded_scope(checker: &Checker, range: TextRange) -> bool {
    for stmt in checker.statement_ancestors().iter().rev() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return false,
            Stmt::With(with) if with.range().contains_range(range) && shields(checker, with) => {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// Whether `with` enters a shielded cancel scope (`with anyio.CancelScope(shield=True):`).
fn shields(checker: &Checker, with: &ast::StmtWith) -> bool {
    with.items.iter().any(|item| {
        matches!(&item.context_expr, Expr::Call(call)
            if call.arguments.find_keyword("shield").is_some_and(|shield| {
                matches!(&shield.value, Expr::BooleanLiteral(flag) if flag.value)
            }) && checker
                .model
                .call_path(call)
                .is_some_and(|path| SHIELDING_SCOPES.contains(&path.as_str())))
    })
}

/// Reports `diagnostic`, or holds it for the link with what the link must confirm.
fn report_or_hold(checker: &mut Checker, diagnostic: Diagnostic, held: Held) {
    match held {
        Some((classes, helpers)) => checker.summary.hold_cancellation_finding(
            diagnostic,
            classes.iter().map(|class| class.as_str().into()).collect(),
            helpers
                .iter()
                .map(|helper| helper.as_str().into())
                .collect(),
        ),
        None => checker.report(diagnostic),
    }
}

/// Whether the `try` is a statement of the function's own body after which every path
/// raises a cancellation (`raise asyncio.CancelledError("shut down")` once the workers are
/// cancelled): a handler that falls through hands the cancellation on there.
fn cancellation_raised_after(cx: &Cx, try_stmt: &ast::StmtTry) -> bool {
    // What runs next when the `try` completes: the rest of its block, then, where that
    // falls through, the rest of the block around the `if` or `with` that holds it (`if
    // line == "quit": ... try: ... except: pass` then `os._exit(3)`). A loop runs its
    // body again, and a `try` around it may divert it: neither is followed.
    let mut inner = try_stmt.range();
    let mut enclosing = cx
        .checker
        .statements_in_function()
        .skip_while(|stmt| stmt.range() != try_stmt.range())
        .skip(1);
    loop {
        let parent = enclosing.next();
        let block = match parent {
            None => Some(cx.body),
            Some(stmt @ (Stmt::If(_) | Stmt::With(_))) => ast_query::blocks_of(stmt)
                .into_iter()
                .find(|block| block.iter().any(|child| child.range() == inner)),
            Some(_) => None,
        };
        let Some(block) = block else {
            return false;
        };
        let Some(at) = block.iter().position(|stmt| stmt.range() == inner) else {
            return false;
        };
        match sequence_flow(cx, &block[at + 1..], None) {
            Flow::Reraises => return true,
            Flow::Escapes => return false,
            Flow::FallsThrough => match parent {
                Some(stmt) => inner = stmt.range(),
                None => return false,
            },
        }
    }
}

/// Reports the LW403 findings held for the link whose raised classes are not all subclasses
/// of `asyncio.CancelledError`.
pub(crate) fn check_project(project: &Project, report: &mut dyn FnMut(usize, Diagnostic)) {
    for (index, module) in project.modules.iter().enumerate() {
        for pending in &module.summary.pending_cancellation_findings {
            let all_cancellations = pending.classes.iter().all(|class| {
                let class = project.resolve_class(class).unwrap_or(class);
                project.descends_from(class, CANCELLED_ERROR_CLASSES)
            });
            let all_tell_cancelling = pending.helpers.iter().all(|helper| {
                project
                    .resolve(helper)
                    .is_some_and(|id| project.function(id).tells_cancelling)
            });
            if !(all_cancellations && all_tell_cancelling) {
                report(index, pending.diagnostic.clone());
            }
        }
    }
}

/// What the flow questions need besides the checker: the class around the current method and
/// its receiver (to follow `self.helper()`), and whether raises of any exception count (inside a
/// callee asked whether it always raises).
struct Cx<'c, 'a, 'm> {
    checker: &'c Checker<'a, 'm>,
    class: Option<&'a ast::StmtClassDef>,
    receiver: Option<&'a str>,
    /// The current function implements a timeout: turning the cancellation it caused into a
    /// `TimeoutError` is its job.
    implements_timeout: bool,
    /// Inside a callee: any raise ends the path (the question is "does it always raise?").
    any_raise: bool,
    /// How many callees deep the question is.
    depth: usize,
    /// What the `try` awaits (`await task`, `await asyncio.shield(task)`), by dotted name.
    awaited_in_try: Vec<String>,
    /// The body of the function the question is about (names bound to `current_task()`).
    body: &'a [Stmt],
    /// Names that hold the exception propagating through an enclosing `finally` (see
    /// [`in_flight_markers`]).
    in_flight: Vec<String>,
    /// Whether a raise of a class another module of the project defines counts as a
    /// re-raise, for the link to confirm (`raise CancelledError() from exc` with the
    /// project's own subclass); the classes so counted are collected in `assumed`.
    assume_other_modules: bool,
    assumed: std::cell::RefCell<Vec<String>>,
    /// Functions of other modules of the project taken, for the link to confirm, to tell
    /// that the task is being cancelled (`if owner_cancelled(): raise`).
    assumed_helpers: std::cell::RefCell<Vec<String>>,
}

impl<'c, 'a, 'm> Cx<'c, 'a, 'm> {
    fn new(checker: &'c Checker<'a, 'm>) -> Self {
        let function = checker.current_function();
        let class =
            function.and_then(|function| enclosing_class(checker.statement_ancestors(), function));
        let receiver = match (function, class) {
            (Some(function), Some(_)) => receiver_name(function),
            _ => None,
        };
        Self {
            checker,
            class,
            receiver,
            implements_timeout: function.is_some_and(implements_timeout),
            any_raise: false,
            depth: 0,
            awaited_in_try: Vec::new(),
            body: checker.current_body(),
            in_flight: Vec::new(),
            assume_other_modules: false,
            assumed: std::cell::RefCell::default(),
            assumed_helpers: std::cell::RefCell::default(),
        }
    }

    /// The same context, asking whether `callee` always raises.
    fn callee(&self, callee: &'a ast::StmtFunctionDef) -> Self {
        Self {
            checker: self.checker,
            class: self.class,
            receiver: if self.class.is_some() {
                receiver_name(callee)
            } else {
                None
            },
            implements_timeout: false,
            any_raise: true,
            depth: self.depth + 1,
            awaited_in_try: Vec::new(),
            body: &callee.body,
            in_flight: Vec::new(),
            assume_other_modules: false,
            assumed: std::cell::RefCell::default(),
            assumed_helpers: std::cell::RefCell::default(),
        }
    }
}

/// A function whose name says it waits with a deadline (`wait_for`, `*timeout*`) or that takes
/// a `timeout`/`deadline` parameter.
fn implements_timeout(function: &ast::StmtFunctionDef) -> bool {
    let name = function.name.as_str().to_ascii_lowercase();
    name.contains("timeout")
        || name.contains("wait_for")
        || function.parameters.iter().any(|parameter| {
            let name = parameter.name().as_str().to_ascii_lowercase();
            name.contains("timeout") || name.contains("deadline")
        })
}

/// How many `try` statements deep [`cancellation_reaches`] follows the ones that catch the
/// cancellation inside a body; deeper, a suspension point is taken as reaching.
const MAX_INNER_TRIES: usize = 32;

/// Whether the task's cancellation can get out of `body` (not the scopes nested in it) as an
/// exception: the body has a suspension point (an `await`, `async for`, `async with`, an
/// async comprehension, and a `yield` when `yields_suspend`: an `asynccontextmanager` throws
/// the body's exception in there) that no `try` inside the body catches the cancellation at
/// for good. A `try` whose first handler catching it never raises ends the cancellation of
/// its body there (that handler is the one that swallows, and is reported for itself); its
/// handlers, `else` and `finally` are not covered by it.
fn cancellation_reaches(
    checker: &Checker,
    body: &[Stmt],
    yields_suspend: bool,
    depth: usize,
) -> bool {
    walk_body_shallow(body, &mut |node| match node {
        // No cancellation from outside is delivered inside a shielded scope.
        Node::Stmt(Stmt::With(with)) if !with.is_async && shields(checker, with) => {
            Walk::SkipChildren
        }
        Node::Stmt(Stmt::Try(inner))
            if depth < MAX_INNER_TRIES && absorbs_cancellation(checker, inner) =>
        {
            let uncovered = inner
                .handlers
                .iter()
                .map(|handler| {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    handler.body.as_slice()
                })
                .chain([inner.orelse.as_slice(), inner.finalbody.as_slice()]);
            let mut reaches = uncovered
                .filter(|part| !part.is_empty())
                .map(|part| cancellation_reaches(checker, part, yields_suspend, depth + 1));
            if reaches.any(|reaches| reaches) {
                Walk::Stop
            } else {
                Walk::SkipChildren
            }
        }
        Node::Expr(Expr::Await(_)) => Walk::Stop,
        Node::Expr(Expr::Yield(_) | Expr::YieldFrom(_)) if yields_suspend => Walk::Stop,
        Node::Stmt(Stmt::For(ast::StmtFor { is_async: true, .. }))
        | Node::Stmt(Stmt::With(ast::StmtWith { is_async: true, .. })) => Walk::Stop,
        Node::Expr(
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_),
        ) if is_async_comprehension(node) => Walk::Stop,
        _ => Walk::Descend,
    })
}

/// Whether the first handler of `try_stmt` that catches the cancellation keeps it: no
/// `raise` of any kind in it (one that re-raises hands it to the enclosing `try`).
fn absorbs_cancellation(checker: &Checker, try_stmt: &ast::StmtTry) -> bool {
    try_stmt
        .handlers
        .iter()
        .find_map(|handler| {
            let ast::ExceptHandler::ExceptHandler(handler) = handler;
            catches_cancellation(checker, handler.type_.as_deref()).map(|_| handler)
        })
        .is_some_and(|handler| {
            !walk_statements_shallow(&handler.body, &mut |stmt| match stmt {
                Stmt::Raise(_) => Walk::Stop,
                _ => Walk::Descend,
            })
        })
}

/// Whether the current function is an async generator that yields a stream of values (it
/// yields inside a loop) and that nothing wraps (no decorator but `staticmethod` or
/// `classmethod`). Such a generator is driven by `async for` or `anext()`, and at a `yield`
/// it is suspended outside the task's stack: the task's cancellation is raised where the
/// consumer waits, and the generator is later closed with `GeneratorExit`. A decorated one,
/// or one that yields once, may be a context manager (`asynccontextmanager`, a test fixture,
/// a FastAPI dependency wrapped where it is used), whose exit throws the body's cancellation
/// in at the `yield`.
fn is_plain_async_generator(checker: &Checker) -> bool {
    checker.current_function().is_some_and(|function| {
        function.is_async
            && yields_in_a_loop(&function.body)
            && function.decorator_list.iter().all(|decorator| {
                matches!(
                    &decorator.expression,
                    Expr::Name(name) if matches!(name.id.as_str(), "staticmethod" | "classmethod")
                )
            })
    })
}

/// Whether `body` (not the scopes nested in it) yields inside a `for` or `while` loop.
fn yields_in_a_loop(body: &[Stmt]) -> bool {
    walk_statements_shallow(body, &mut |stmt| match stmt {
        Stmt::For(ast::StmtFor { body, .. }) | Stmt::While(ast::StmtWhile { body, .. })
            if ast_query::contains_yield(body) =>
        {
            Walk::Stop
        }
        _ => Walk::Descend,
    })
}

fn is_async_comprehension(node: Node) -> bool {
    let generators = match node {
        Node::Expr(Expr::ListComp(comp)) => &comp.generators,
        Node::Expr(Expr::SetComp(comp)) => &comp.generators,
        Node::Expr(Expr::DictComp(comp)) => &comp.generators,
        Node::Expr(Expr::Generator(comp)) => &comp.generators,
        _ => return false,
    };
    generators.iter().any(|generator| generator.is_async)
}

/// Whether the `try` sits in an enclosing `except` handler (of the same function) that
/// re-raises on every path: whatever the inner handler swallows, the outer exception still
/// propagates once the cleanup is done.
fn nested_in_reraising_handler(cx: &Cx, try_stmt: &ast::StmtTry) -> bool {
    for stmt in cx.checker.statement_ancestors().iter().rev() {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return false,
            Stmt::Try(outer) if !std::ptr::eq(outer, try_stmt) => {
                for handler in &outer.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    if handler.range().contains_range(try_stmt.range())
                        && sequence_flow(
                            cx,
                            &handler.body,
                            handler.name.as_ref().map(|name| name.as_str()),
                        ) == Flow::Reraises
                    {
                        return true;
                    }
                }
            }
            _ => {}
        }
    }
    false
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

fn sequence_flow(cx: &Cx, body: &[Stmt], caught: Option<&str>) -> Flow {
    for (index, stmt) in body.iter().enumerate() {
        // `if task is None or not task.cancelling(): return ...` followed by code that
        // re-raises: the path taken when the task is being cancelled re-raises.
        if !cx.any_raise
            && let Stmt::If(if_stmt) = stmt
            && if_stmt.elif_else_clauses.is_empty()
            && false_when_cancelling(cx, &if_stmt.test)
            && sequence_flow(cx, &body[index + 1..], caught) == Flow::Reraises
        {
            return Flow::Reraises;
        }
        // `failure = wrap(exc) if isinstance(exc, Exception) else None` ... `if failure is
        // None: raise`: the name is `None` exactly on the cancellation's path.
        if !cx.any_raise
            && let Stmt::If(if_stmt) = stmt
            && let Some(name) = none_test_of(&if_stmt.test)
            && body[..index]
                .iter()
                .rev()
                .find_map(|earlier| assigned_value(earlier, name))
                .is_some_and(|value| none_on_cancellation(cx, value, caught))
            && sequence_flow(cx, &if_stmt.body, caught) == Flow::Reraises
        {
            return Flow::Reraises;
        }
        match statement_flow(cx, stmt, caught) {
            Flow::FallsThrough => {}
            decided => return decided,
        }
    }
    Flow::FallsThrough
}

/// The name tested by `name is None` (or `not name`).
fn none_test_of(test: &Expr) -> Option<&str> {
    match test {
        Expr::Compare(compare)
            if matches!(&*compare.ops, [ast::CmpOp::Is])
                && matches!(&*compare.comparators, [Expr::NoneLiteral(_)]) =>
        {
            match &*compare.left {
                Expr::Name(name) => Some(name.id.as_str()),
                _ => None,
            }
        }
        Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => match &*unary.operand {
            Expr::Name(name) => Some(name.id.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// The value a statement binds `name` to (`name = value`, `name: T = value`).
fn assigned_value<'s>(stmt: &'s Stmt, name: &str) -> Option<&'s Expr> {
    let (target, value) = single_assignment(stmt)?;
    matches!(target, Expr::Name(target) if target.id.as_str() == name).then_some(value)
}

/// Whether `value` is `None` when the caught exception is a cancellation: `wrap(exc) if
/// isinstance(exc, Exception) else None`, or `None if isinstance(exc, CancelledError) else
/// wrap(exc)`.
fn none_on_cancellation(cx: &Cx, value: &Expr, caught: Option<&str>) -> bool {
    let Expr::If(choice) = value else {
        return false;
    };
    match (&*choice.body, &*choice.orelse) {
        (Expr::NoneLiteral(_), other) if !other.is_none_literal_expr() => {
            is_cancellation_test(cx.checker, &choice.test, caught)
        }
        (other, Expr::NoneLiteral(_)) if !other.is_none_literal_expr() => {
            excludes_cancellation(cx, &choice.test, caught)
        }
        _ => false,
    }
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

fn statement_flow(cx: &Cx, stmt: &Stmt, caught: Option<&str>) -> Flow {
    match stmt {
        Stmt::Raise(raise) => match raise.exc.as_deref() {
            None => Flow::Reraises,
            Some(exc) if ends_path(cx, exc, caught) => Flow::Reraises,
            // Another exception replaces the cancellation.
            Some(_) => Flow::Escapes,
        },
        // `return exc` (also `return exc, retry`): the caught exception is handed to the
        // caller, whose business it is to raise it (a `wait()` that returns the cancellation
        // it absorbed while it let the task it waits on finish).
        Stmt::Return(ast::StmtReturn {
            value: Some(value), ..
        }) if caught.is_some_and(|caught| {
            let is_caught = |expr: &Expr| is_name(expr, Some(caught));
            // In a callee, only the exception itself: a record it builds goes back to the
            // handler, not to whoever awaits the task.
            if cx.depth == 0 {
                returns_kept(value, &is_caught)
            } else {
                is_caught(value)
            }
        }) =>
        {
            Flow::Reraises
        }
        Stmt::Return(_) | Stmt::Break(_) | Stmt::Continue(_) => Flow::Escapes,
        Stmt::Expr(expr) if calls_always_raising(cx, &expr.value, caught) => Flow::Reraises,
        // `reason = self._handle_setup_error(exc)` where the helper re-raises `exc` whenever it
        // is a cancellation.
        Stmt::Assign(ast::StmtAssign { value, .. })
        | Stmt::AnnAssign(ast::StmtAnnAssign {
            value: Some(value), ..
        }) if calls_always_raising(cx, value, caught) => Flow::Reraises,
        Stmt::If(if_stmt) => {
            // `if isinstance(exc, asyncio.CancelledError): raise`, `if
            // asyncio.current_task().cancelling(): raise`: the cancellation path re-raises; the
            // other paths handle other exceptions, or a cancellation of something else, which
            // is not this rule's business.
            if !cx.any_raise {
                // `if self._stop_owned: raise Stopped() from None`, then `raise`: a flag the
                // code that cancels sets first marks the cancellation as its own, which the
                // branch may translate or end; any other cancellation skips the branch.
                let says_own = match &*if_stmt.test {
                    // `self._stop_owned`, `self._stopping.is_set()`, `OWN in err.args`.
                    Expr::Attribute(_) => true,
                    Expr::Call(call) => matches!(&*call.func, Expr::Attribute(method)
                        if method.attr.as_str() == "is_set"),
                    Expr::Compare(compare) => matches!(compare.ops.as_ref(), [ast::CmpOp::In]),
                    _ => false,
                };
                if if_stmt.elif_else_clauses.is_empty()
                    && says_own
                    && tells_own_cancel_apart(cx, &if_stmt.test, caught)
                {
                    return Flow::FallsThrough;
                }
                let clauses = std::iter::once((Some(&*if_stmt.test), &if_stmt.body)).chain(
                    if_stmt
                        .elif_else_clauses
                        .iter()
                        .map(|clause| (clause.test.as_ref(), &clause.body)),
                );
                let mut guarded = false;
                let mut previous_tests_negative = true;
                for (test, body) in clauses {
                    let reraises = || sequence_flow(cx, body, caught) == Flow::Reraises;
                    match test {
                        Some(test) => {
                            if (is_cancellation_test(cx.checker, test, caught)
                                || implies_cancelling(cx, test, true)
                                || raises_when_cancelling_among(cx, test)
                                || unless_in_flight(cx, test, caught)
                                || tells_own_cancel_apart(cx, test, caught))
                                && reraises()
                            {
                                guarded = true;
                                break;
                            }
                            previous_tests_negative &= implies_cancelling(cx, test, false);
                        }
                        // `if not task.cancelling(): ... else: raise`
                        None => {
                            if previous_tests_negative && reraises() {
                                guarded = true;
                            }
                        }
                    }
                }
                if guarded {
                    return Flow::Reraises;
                }
            }
            let has_else = if_stmt
                .elif_else_clauses
                .last()
                .is_some_and(|clause| clause.test.is_none());
            // A branch only another exception can take (`if isinstance(exc, OSError): raise
            // RetrySignal() from exc`) is not on the cancellation's path.
            let on_cancellation_path = |test: Option<&Expr>| {
                cx.any_raise || !test.is_some_and(|test| excludes_cancellation(cx, test, caught))
            };
            let mut branches = Vec::new();
            if on_cancellation_path(Some(&if_stmt.test)) {
                branches.push(sequence_flow(cx, &if_stmt.body, caught));
            }
            branches.extend(
                if_stmt
                    .elif_else_clauses
                    .iter()
                    .filter(|clause| on_cancellation_path(clause.test.as_ref()))
                    .map(|clause| sequence_flow(cx, &clause.body, caught)),
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
                .map(|case| sequence_flow(cx, &case.body, caught))
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
        Stmt::With(with) => sequence_flow(cx, &with.body, caught),
        Stmt::For(ast::StmtFor { body, orelse, .. })
        | Stmt::While(ast::StmtWhile { body, orelse, .. }) => {
            // A loop may run zero times; only a path that escapes the handler from inside it
            // (a `return`, a raise of another exception) decides anything.
            if loop_escapes(cx, body, caught) || sequence_flow(cx, orelse, caught) == Flow::Escapes
            {
                Flow::Escapes
            } else {
                Flow::FallsThrough
            }
        }
        Stmt::Try(inner) => {
            match sequence_flow(cx, &inner.finalbody, caught) {
                Flow::FallsThrough => {}
                decided => return decided,
            }
            let mut body = inner.body.iter().chain(inner.orelse.iter());
            let body_flow = loop {
                let Some(stmt) = body.next() else {
                    break Flow::FallsThrough;
                };
                match statement_flow(cx, stmt, caught) {
                    Flow::FallsThrough => {}
                    decided => break decided,
                }
            };
            let handler_flows = inner.handlers.iter().map(|handler| {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                sequence_flow(cx, &handler.body, caught)
            });
            join(std::iter::once(body_flow).chain(handler_flows))
        }
        _ => Flow::FallsThrough,
    }
}

/// Whether a loop body contains a path that leaves the handler without re-raising: a
/// `return` or a raise of another exception (`break`/`continue` only leave the loop).
fn loop_escapes(cx: &Cx, body: &[Stmt], caught: Option<&str>) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Return(_) => true,
        Stmt::Raise(raise) => raise
            .exc
            .as_deref()
            .is_some_and(|exc| !ends_path(cx, exc, caught)),
        Stmt::Break(_) | Stmt::Continue(_) | Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        Stmt::If(if_stmt) => {
            loop_escapes(cx, &if_stmt.body, caught)
                || if_stmt
                    .elif_else_clauses
                    .iter()
                    .any(|clause| loop_escapes(cx, &clause.body, caught))
        }
        Stmt::With(with) => loop_escapes(cx, &with.body, caught),
        Stmt::For(ast::StmtFor { body, orelse, .. })
        | Stmt::While(ast::StmtWhile { body, orelse, .. }) => {
            loop_escapes(cx, body, caught) || loop_escapes(cx, orelse, caught)
        }
        Stmt::Try(inner) => {
            loop_escapes(cx, &inner.body, caught)
                || loop_escapes(cx, &inner.orelse, caught)
                || loop_escapes(cx, &inner.finalbody, caught)
                || inner.handlers.iter().any(|handler| {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    loop_escapes(cx, &handler.body, caught)
                })
        }
        Stmt::Match(match_stmt) => match_stmt
            .cases
            .iter()
            .any(|case| loop_escapes(cx, &case.body, caught)),
        _ => false,
    })
}

/// `isinstance(exc, asyncio.CancelledError)` (or `BaseException`, or a tuple holding one) and
/// `not isinstance(exc, Exception)` (or any classes that cannot match a cancellation), on the
/// caught name.
fn is_cancellation_test(checker: &Checker, test: &Expr, caught: Option<&str>) -> bool {
    let Some(caught) = caught else { return false };
    // `if not handled or not isinstance(exc, Exception): raise`: true whenever one of its
    // parts is.
    if let Expr::BoolOp(bool_op) = test
        && bool_op.op == ast::BoolOp::Or
    {
        return bool_op
            .values
            .iter()
            .any(|value| is_cancellation_test(checker, value, Some(caught)));
    }
    let (call, negated) = match test {
        Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => (&*unary.operand, true),
        other => (other, false),
    };
    let Some(classes) = isinstance_classes(checker, call, caught) else {
        return false;
    };
    if negated {
        // `if not isinstance(exc, Exception): raise`, `if not isinstance(exc,
        // self.transport_errors): raise`: whatever is not one of classes that cannot match a
        // cancellation is re-raised, so a cancellation is.
        return classes
            .iter()
            .all(|class| class_excludes_cancellation(checker, class));
    }
    classes.iter().any(|class| match class {
        // `isinstance(exc, anyio.get_cancelled_exc_class())`
        Expr::Call(call) => checker
            .model
            .call_path(call)
            .is_some_and(|path| CANCELLATION_CLASS_CALLS.contains(&path.as_str())),
        class => checker
            .model
            .path_of(class)
            .is_some_and(|path| CANCELLATION_CATCHING_CLASSES.contains(&path.as_str())),
    })
}

/// Whether `test` being true means the caught exception is not a cancellation:
/// `isinstance(exc, OSError)` (no class that catches cancellation), `not isinstance(exc,
/// asyncio.CancelledError)`, or a conjunction holding one.
fn excludes_cancellation(cx: &Cx, test: &Expr, caught: Option<&str>) -> bool {
    // `if task.cancelled(): ...` on the task the `try` awaits: the branch handles that task's
    // own cancellation, not this one's.
    if let Expr::Call(call) = test
        && let Expr::Attribute(attribute) = &*call.func
        && attribute.attr.as_str() == "cancelled"
        && call.arguments.is_empty()
        && let Some(task) = dotted_name(&attribute.value)
        && cx.awaited_in_try.contains(&task)
    {
        return true;
    }
    match test {
        Expr::BoolOp(bool_op) if bool_op.op == ast::BoolOp::And => bool_op
            .values
            .iter()
            .any(|value| excludes_cancellation(cx, value, caught)),
        Expr::BoolOp(bool_op) => bool_op
            .values
            .iter()
            .all(|value| excludes_cancellation(cx, value, caught)),
        Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => {
            let Some(caught) = caught else { return false };
            let Some(classes) = isinstance_classes(cx.checker, &unary.operand, caught) else {
                return false;
            };
            classes.iter().any(|class| {
                cx.checker
                    .model
                    .path_of(class)
                    .is_some_and(|path| CANCELLED_ERROR_CLASSES.contains(&path.as_str()))
            })
        }
        _ => {
            let Some(caught) = caught else { return false };
            let Some(classes) = isinstance_classes(cx.checker, test, caught) else {
                return false;
            };
            classes
                .iter()
                .all(|class| class_excludes_cancellation(cx.checker, class))
        }
    }
}

/// Whether `class`, an `isinstance` class, cannot match a cancellation: not a class that
/// catches `CancelledError` (`BaseException`, `CancelledError` itself, anyio's
/// `get_cancelled_exc_class()`) nor one named for cancelling. A class the model cannot
/// resolve (`self._connection.transport_errors`, a tuple held by an object) is judged by its
/// last name, as a resolved one is: code that lists the errors it handles lists them by kind.
fn class_excludes_cancellation(checker: &Checker, class: &Expr) -> bool {
    if matches!(class, Expr::Call(_)) {
        return false;
    }
    let path = checker.model.path_of(class).or_else(|| match class {
        Expr::Attribute(attribute) => Some(attribute.attr.to_string()),
        Expr::Name(name) => Some(name.id.to_string()),
        _ => None,
    });
    let Some(path) = path else { return false };
    let last = path.rsplit('.').next().unwrap_or_default();
    !CANCELLATION_CATCHING_CLASSES.contains(&path.as_str())
        && !last.to_ascii_lowercase().contains("cancel")
}

/// The classes of `isinstance(<caught>, C)` (a tuple's elements).
fn isinstance_classes<'e>(
    checker: &Checker,
    test: &'e Expr,
    caught: &str,
) -> Option<Vec<&'e Expr>> {
    let Expr::Call(call) = test else { return None };
    if checker.model.call_path(call).as_deref() != Some("builtins.isinstance") {
        return None;
    }
    let [Expr::Name(subject), class] = call.arguments.args.as_ref() else {
        return None;
    };
    if subject.id.as_str() != caught {
        return None;
    }
    Some(match class {
        Expr::Tuple(tuple) => tuple.elts.iter().collect(),
        other => vec![other],
    })
}

// ---------------------------------------------------------------------------------------
// `if asyncio.current_task().cancelling(): raise`, the 3.11 way to tell an external cancel
// (of this task: re-raise it) from an internal one (of something it awaited).

/// Whether `test` is an `or` one part of which is true while the current task is being
/// cancelled (`caller.cancelling() or not handle.cancelled_internally`): the branch it opens
/// is taken on every outside cancel, whatever the other parts say.
fn raises_when_cancelling_among(cx: &Cx, test: &Expr) -> bool {
    matches!(test, Expr::BoolOp(bool_op)
        if bool_op.op == ast::BoolOp::Or
            && bool_op.values.iter().any(|value| implies_cancelling(cx, value, true)))
}

/// Whether `test` being `outcome` means the current task is being cancelled:
/// `task.cancelling()`, `task.cancelling() > 0` when true; `not task.cancelling()`,
/// `task is None or not task.cancelling()`, `task.cancelling() == 0` when false.
fn implies_cancelling(cx: &Cx, test: &Expr, outcome: bool) -> bool {
    match test {
        Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => {
            implies_cancelling(cx, &unary.operand, !outcome)
        }
        Expr::BoolOp(bool_op) => {
            // `a and b` true: both are; `a or b` false: both are.
            let each_holds = (bool_op.op == ast::BoolOp::And) == outcome;
            if each_holds {
                bool_op
                    .values
                    .iter()
                    .any(|value| implies_cancelling(cx, value, outcome))
            } else {
                bool_op
                    .values
                    .iter()
                    .all(|value| implies_cancelling(cx, value, outcome))
            }
        }
        Expr::Named(named) => implies_cancelling(cx, &named.value, outcome),
        Expr::Call(call) if outcome && is_cancelling_call(cx, call) => true,
        // `bool(cancelling and cancelling() > 0)`.
        Expr::Call(call)
            if call.arguments.keywords.is_empty()
                && call.arguments.args.len() == 1
                && cx.checker.model.call_path(call).as_deref() == Some("builtins.bool") =>
        {
            implies_cancelling(cx, &call.arguments.args[0], outcome)
        }
        // `_is_user_raised_cancelled()`: a helper of the module every `return` of which gives
        // a falsy constant or a value that is false while the task is being cancelled
        // (`return current.cancelling() == 0`); and `_task_cancelling()`, whose every
        // `return` gives a falsy constant or a value true only while it is
        // (`return bool(cancelling and cancelling() > 0)`).
        Expr::Call(call) => {
            call.arguments.is_empty()
                && cx.depth < MAX_CALLEE_DEPTH
                && (resolve_callee(cx, call)
                    .is_some_and(|callee| answers_cancelling(cx, callee, outcome))
                    || (outcome && assumed_helper(cx, call)))
        }
        Expr::Compare(compare) => {
            let ([op], [right]) = (&*compare.ops, &*compare.comparators) else {
                return false;
            };
            let Expr::Call(call) = &*compare.left else {
                return false;
            };
            let Expr::NumberLiteral(number) = right else {
                return false;
            };
            let Some(value) = number.value.as_int().and_then(|int| int.as_u64()) else {
                return false;
            };
            if !is_cancelling_call(cx, call) {
                return false;
            }
            // Whether the comparison is true exactly when the count is positive.
            let positive_when_true = match (op, value) {
                (ast::CmpOp::Gt | ast::CmpOp::NotEq, 0) | (ast::CmpOp::GtE, 1) => true,
                (ast::CmpOp::Eq | ast::CmpOp::LtE, 0) | (ast::CmpOp::Lt, 1) => false,
                _ => return false,
            };
            positive_when_true == outcome
        }
        _ => false,
    }
}

/// Whether every `return` of `callee` gives a falsy constant, `True` when `outcome` is true
/// (an answer that errs on the side of re-raising), or a value that is `outcome` only while
/// the current task is being cancelled (and it returns at all).
fn answers_cancelling<'a>(
    cx: &Cx<'_, 'a, '_>,
    callee: &'a ast::StmtFunctionDef,
    outcome: bool,
) -> bool {
    let inner = cx.callee(callee);
    let mut returns = 0;
    let mut every_return_false = true;
    walk_body_shallow(&callee.body, &mut |node| {
        if let Node::Stmt(Stmt::Return(ret)) = node {
            returns += 1;
            every_return_false &= match ret.value.as_deref() {
                None | Some(Expr::NoneLiteral(_)) => true,
                // `return True` where the helper cannot tell (`Task.cancelling` missing before
                // Python 3.11) only makes `if helper(): raise` re-raise more often.
                Some(Expr::BooleanLiteral(literal)) => !literal.value || outcome,
                Some(value) => implies_cancelling(&inner, value, outcome),
            };
        }
        Walk::Descend
    });
    returns > 0 && every_return_false
}

/// `owner_cancelled()` of another module of the project: taken, when the link may confirm
/// it, for a test true only while the task is being cancelled, and recorded.
fn assumed_helper(cx: &Cx, call: &ast::ExprCall) -> bool {
    if !cx.assume_other_modules {
        return false;
    }
    let Some(path) = cx.checker.model.call_path(call) else {
        return false;
    };
    if !cx.checker.names_another_project_module(&path) {
        return false;
    }
    cx.assumed_helpers.borrow_mut().push(path);
    true
}

/// Records whether `function`, called without arguments, tells that the current task
/// is being cancelled ([`FunctionSites::tells_cancelling`]), for the handlers of other
/// modules that ask it.
///
/// [`FunctionSites::tells_cancelling`]: crate::project::summary::FunctionSites::tells_cancelling
pub(crate) fn record_function(checker: &mut Checker, function: &ast::StmtFunctionDef) {
    // Called without arguments: every parameter has a default (`task=None`, then `if task is
    // None: task = asyncio.current_task()`).
    let parameters = &function.parameters;
    let called_bare = parameters.vararg.is_none()
        && parameters.kwarg.is_none()
        && parameters
            .iter_non_variadic_params()
            .all(|parameter| parameter.default.is_some());
    if !called_bare || !checker.text(function.range()).contains("cancelling") {
        return;
    }
    let tells = answers_cancelling(&Cx::new(checker), function, true);
    if tells {
        checker.summary.current().tells_cancelling = true;
    }
}

/// Whether `test` is false whenever the current task is being cancelled, so that the branch it
/// guards is never the cancellation's path: a test `implies_cancelling` reads as false
/// (`task.cancelling() == 0`), `task is None` (no current task, nothing being cancelled), a
/// conjunction one part of which is such a test (`if self._closed and task.cancelling() == 0:
/// return`), a disjunction every part of which is (`task is None or not task.cancelling()`).
fn false_when_cancelling(cx: &Cx, test: &Expr) -> bool {
    match test {
        Expr::BoolOp(bool_op) if bool_op.op == ast::BoolOp::And => bool_op
            .values
            .iter()
            .any(|value| false_when_cancelling(cx, value)),
        Expr::BoolOp(bool_op) => bool_op
            .values
            .iter()
            .all(|value| false_when_cancelling(cx, value)),
        Expr::Named(named) => false_when_cancelling(cx, &named.value),
        Expr::Compare(compare)
            if matches!(&*compare.ops, [ast::CmpOp::Is])
                && matches!(&*compare.comparators, [Expr::NoneLiteral(_)]) =>
        {
            is_current_task(cx, &compare.left)
        }
        _ => implies_cancelling(cx, test, false),
    }
}

/// `<the current task>.cancelling()`, also looked up with a default for Pythons before 3.11:
/// `getattr(task, "cancelling", lambda: 0)()`, or through a name bound to that lookup
/// (`cancelling = getattr(task, "cancelling", None)` ... `cancelling()`).
fn is_cancelling_call(cx: &Cx, call: &ast::ExprCall) -> bool {
    if !call.arguments.is_empty() {
        return false;
    }
    match &*call.func {
        Expr::Attribute(attribute) => {
            CANCELLING_METHODS.contains(&attribute.attr.as_str())
                && is_current_task(cx, &attribute.value)
        }
        Expr::Call(lookup) => is_cancelling_lookup(cx, lookup),
        Expr::Name(name) => bound_only_to(
            cx,
            name.id.as_str(),
            &mut |value| matches!(value, Expr::Call(lookup) if is_cancelling_lookup(cx, lookup)),
        ),
        _ => false,
    }
}

/// `getattr(<the current task>, "cancelling", ...)`.
fn is_cancelling_lookup(cx: &Cx, lookup: &ast::ExprCall) -> bool {
    cx.checker.model.call_path(lookup).as_deref() == Some("builtins.getattr")
        && matches!(
            &*lookup.arguments.args,
            [task, Expr::StringLiteral(method), ..]
                if CANCELLING_METHODS.contains(&method.value.to_str())
                    && is_current_task(cx, task)
        )
}

/// `asyncio.current_task()`, or a name the current function binds to it (`task :=
/// asyncio.current_task()`, `task = asyncio.current_task()`, also through `typing.cast`).
fn is_current_task(cx: &Cx, expr: &Expr) -> bool {
    let is_call = |expr: &Expr| {
        // `typing.cast(asyncio.Task[Any], asyncio.current_task())` is the same task.
        let expr = match expr {
            Expr::Call(cast)
                if cx.checker.model.call_path(cast).as_deref() == Some("typing.cast")
                    && cast.arguments.args.len() == 2 =>
            {
                &cast.arguments.args[1]
            }
            other => other,
        };
        matches!(expr, Expr::Call(call) if cx
            .checker
            .model
            .call_path(call)
            .is_some_and(|path| CURRENT_TASK_CALLS.contains(&path.as_str())))
    };
    match expr {
        Expr::Call(_) => is_call(expr),
        Expr::Named(named) => is_call(&named.value),
        Expr::Name(name) => bound_only_to(cx, name.id.as_str(), &mut |value| is_call(value)),
        _ => false,
    }
}

/// Whether the function binds `name` (by `=` or `:=`, anywhere in its body) and every value
/// it binds it to is one `is_value` accepts.
fn bound_only_to(cx: &Cx, name: &str, is_value: &mut dyn FnMut(&Expr) -> bool) -> bool {
    let binds = |target: &Expr| matches!(target, Expr::Name(bound) if bound.id.as_str() == name);
    let mut accepted = false;
    let mut other = false;
    walk_body_shallow(cx.body, &mut |node| {
        let value = match node {
            Node::Expr(Expr::Named(named)) if binds(&named.target) => Some(&*named.value),
            Node::Stmt(stmt) => single_assignment(stmt)
                .filter(|(target, _)| binds(target))
                .map(|(_, value)| value),
            _ => None,
        };
        if let Some(value) = value {
            if is_value(value) {
                accepted = true;
            } else {
                other = true;
            }
        }
        Walk::Descend
    });
    accepted && !other
}

// ---------------------------------------------------------------------------------------
// What ends a path.

/// Whether `raise <exc>` ends the path as a re-raise: the caught name, `CancelledError`
/// itself; inside a callee, any exception; in a function implementing a timeout, a
/// `TimeoutError`.
fn ends_path(cx: &Cx, exc: &Expr, caught: Option<&str>) -> bool {
    if cx.any_raise {
        // `raise NotImplementedError` marks a method for subclasses to override: the override
        // runs instead.
        return !is_class_in(cx.checker, exc, &["builtins.NotImplementedError"]);
    }
    reraises(cx.checker, exc, caught)
        || (cx.implements_timeout && is_timeout_error(cx.checker, exc))
        || (cx.assume_other_modules && assumed_cancellation(cx, exc))
        // `raise AssertionError("unreachable: X re-raises")` marks a path that does not happen.
        || is_assertion_error(cx.checker, exc)
        || translates_caught(cx, exc, caught)
        // `error = asyncio.CancelledError("interrupted")` ... `raise error from exc`.
        || matches!(exc, Expr::Name(name) if !cx.any_raise && bound_only_to(cx, name.id.as_str(), &mut |value| {
            matches!(value, Expr::Call(_)) && reraises(cx.checker, value, None)
        }))
}

/// `raise self._translate(exc)`, `raise redacted_copy(exc)`: a function, not a class, handed
/// the caught exception works out what to raise from it, and may well raise a cancellation as
/// a cancellation; what it makes of one is out of the handler's sight. A class given the
/// exception (`raise ToolError(exc)`) makes another exception, as before.
fn translates_caught(cx: &Cx, exc: &Expr, caught: Option<&str>) -> bool {
    let (Expr::Call(call), Some(caught)) = (exc, caught) else {
        return false;
    };
    if !hands_name(call, caught) {
        return false;
    }
    if resolve_callee(cx, call).is_some() {
        return true;
    }
    let Some(name) = last_identifier(&call.func) else {
        return false;
    };
    let names_class = cx
        .checker
        .model
        .path_of(&call.func)
        .is_some_and(|path| cx.checker.model.module.classes.contains_key(&path));
    !names_class && !spelled_as_class(name)
}

/// Classes are spelled in CapWords (`TimeoutError`, `_RetryableError`), functions not.
fn spelled_as_class(name: &str) -> bool {
    name.trim_start_matches('_')
        .chars()
        .next()
        .is_some_and(char::is_uppercase)
}

/// `exc`: the name `name` (the caught exception's, when the handler binds one).
fn is_name(expr: &Expr, name: Option<&str>) -> bool {
    matches!((expr, name), (Expr::Name(bound), Some(name)) if bound.id.as_str() == name)
}

/// Whether `call` is handed the name `name` as one of its arguments (`translate(exc)`).
fn hands_name(call: &ast::ExprCall, name: &str) -> bool {
    ast_query::argument_values(&call.arguments).any(|argument| is_name(argument, Some(name)))
}

/// `raise exc` (the caught name), `raise asyncio.CancelledError`, `raise asyncio.CancelledError(...)`.
fn reraises(checker: &Checker, exc: &Expr, caught: Option<&str>) -> bool {
    if is_name(exc, caught) {
        return true;
    }
    let class = match exc {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    checker
        .model
        .path_of(class)
        .is_some_and(|path| is_cancelled_error_class(checker, &path, 0))
}

/// `raise Error(...)` of a class another module of the project defines: counted as a re-raise
/// for now and recorded, for the link to check that the class derives from
/// `asyncio.CancelledError`.
fn assumed_cancellation(cx: &Cx, exc: &Expr) -> bool {
    let class = match exc {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    let Some(path) = cx.checker.model.path_of(class) else {
        return false;
    };
    if !cx.checker.names_another_project_module(&path) {
        return false;
    }
    cx.assumed.borrow_mut().push(path);
    true
}

/// `asyncio.CancelledError`, or a class of this module derived from it
/// (`class BatchCancelled(asyncio.CancelledError)`): raising it propagates the cancellation.
fn is_cancelled_error_class(checker: &Checker, path: &str, depth: usize) -> bool {
    if CANCELLED_ERROR_CLASSES.contains(&path) {
        return true;
    }
    depth < 8
        && checker.model.module.classes.get(path).is_some_and(|class| {
            class
                .bases
                .iter()
                .any(|base| is_cancelled_error_class(checker, base, depth + 1))
        })
}

/// `raise AssertionError(...)`: the builtin, not shadowed.
fn is_assertion_error(checker: &Checker, exc: &Expr) -> bool {
    let class = match exc {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    let Expr::Name(name) = class else {
        return false;
    };
    name.id.as_str() == "AssertionError"
        && !checker.model.is_local("AssertionError")
        && checker
            .model
            .path_of(class)
            .is_none_or(|path| path == "builtins.AssertionError")
}

/// `raise C` or `raise C(...)` with `C` one of `classes`.
fn is_class_in(checker: &Checker, exc: &Expr, classes: &[&str]) -> bool {
    let class = match exc {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    checker
        .model
        .path_of(class)
        .is_some_and(|path| classes.contains(&path.as_str()))
}

/// `TimeoutError`, `asyncio.TimeoutError`, or a class whose name ends in `TimeoutError`.
fn is_timeout_error(checker: &Checker, exc: &Expr) -> bool {
    let class = match exc {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    is_class_in(checker, exc, TIMEOUT_ERROR_CLASSES)
        || last_identifier(class).is_some_and(|name| name.ends_with("TimeoutError"))
}

/// Whether the handler passes the caught exception to code that raises it where it belongs:
/// `gen.throw(exc)` / `await agen.athrow(exc)` into a driven generator or coroutine,
/// `future.set_exception(exc)` to whoever awaits the future, or `outcome.Error(exc)`, whose
/// receiver re-raises it with `.unwrap()`. The exception may be named by the handler or
/// taken from `sys` (`greenlet.throw(*sys.exc_info())`, `sys.exception()`).
fn hands_exception_on(checker: &Checker, body: &[Stmt], caught: Option<&str>) -> bool {
    let from_sys = |expr: &Expr| {
        let call = match expr {
            Expr::Starred(starred) => &*starred.value,
            Expr::Subscript(subscript) => &*subscript.value,
            other => other,
        };
        matches!(call, Expr::Call(call) if checker
            .model
            .call_path(call)
            .is_some_and(|path| path == "sys.exc_info" || path == "sys.exception"))
    };
    let is_caught = |expr: &Expr| is_name(expr, caught);
    let carries_caught = |call: &ast::ExprCall| {
        call.arguments
            .args
            .first()
            .is_some_and(|first| match first {
                Expr::Name(_) => is_caught(first),
                other => from_sys(other),
            })
    };
    walk_body_shallow(body, &mut |node| match node {
        // `results.put_nowait(exc)`, `results.put_nowait(("error", exc))`: to the consumer.
        Node::Expr(Expr::Call(call))
            if matches!(&*call.func, Expr::Attribute(attribute)
                if EXCEPTION_QUEUEING_METHODS.contains(&attribute.attr.as_str()))
                && call.arguments.args.first().is_some_and(|item| {
                    is_caught(item)
                        || matches!(item, Expr::Tuple(tuple) if tuple.elts.iter().any(is_caught))
                }) =>
        {
            Walk::Stop
        }
        Node::Expr(Expr::Call(call)) if carries_caught(call) => {
            let forwards = matches!(&*call.func, Expr::Attribute(attribute)
                if EXCEPTION_FORWARDING_METHODS.contains(&attribute.attr.as_str()));
            let carried = checker
                .model
                .call_path(call)
                .is_some_and(|path| EXCEPTION_CARRIERS.contains(&path.as_str()));
            if forwards || carried {
                Walk::Stop
            } else {
                Walk::Descend
            }
        }
        _ => Walk::Descend,
    })
}

/// `self._record_failure(exc)`: the caught exception handed to a function or method of this
/// module that hands it on itself (`self._result.set_exception(error)`).
fn hands_exception_to_helper(cx: &Cx, body: &[Stmt], caught: Option<&str>) -> bool {
    let Some(caught) = caught else {
        return false;
    };
    walk_body_shallow(body, &mut |node| match node {
        Node::Expr(Expr::Call(call))
            if resolve_callee(cx, call).is_some_and(|callee| {
                parameter_receiving(cx, call, callee, caught).is_some_and(|parameter| {
                    hands_exception_on(cx.checker, &callee.body, Some(parameter))
                })
            }) =>
        {
            Walk::Stop
        }
        _ => Walk::Descend,
    })
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
// Functions that always raise: `self._convert_error(exc)` annotated `-> NoReturn`, or whose
// body raises on every path. Resolved within the module: functions defined at module level,
// and methods of the current class and of its bases defined in the same module.

/// A returned value that is a kept exception, or holds one as an operand of `or`, an item of a
/// tuple, or an argument of the record it builds (`return Outcome(error=err)`).
fn returns_kept(value: &Expr, is_keeper: &dyn Fn(&Expr) -> bool) -> bool {
    match value {
        Expr::Tuple(ast::ExprTuple { elts, .. }) => elts.iter().any(is_keeper),
        // A record (a CapWords class) built with it; not `str(exc)`, `format_error(exc)`.
        Expr::Call(call) => {
            last_identifier(&call.func).is_some_and(spelled_as_class)
                && ast_query::argument_values(&call.arguments).any(is_keeper)
        }
        Expr::BoolOp(bool_op) if bool_op.op == ast::BoolOp::Or => {
            bool_op.values.iter().any(is_keeper)
        }
        other => is_keeper(other),
    }
}

/// A function of another module whose name says it raises what it is given (`reraise`,
/// `_raise_redacted_error`), not that it raises only on a condition (`raise_for_status`,
/// `raise_if_cancelled`). Another module's body is out of this rule's sight; its name is what
/// its authors say it does.
fn named_to_raise(callee: &Expr) -> bool {
    let Some(name) = last_identifier(callee) else {
        return false;
    };
    let name = name.trim_start_matches('_');
    (name.starts_with("raise_") || name.starts_with("reraise"))
        && !name
            .split('_')
            .any(|word| matches!(word, "if" | "for" | "on" | "when" | "unless"))
}

/// A library function that never returns: the standard library's and pytest's, as typeshed
/// annotates them.
fn never_returning_api(path: &str) -> bool {
    crate::catalog::never_returns(path) || TEST_OUTCOME_CALLS.contains(&path)
}

/// How many callees deep the "does it always raise?" question is followed.
const MAX_CALLEE_DEPTH: usize = 3;

/// `f(...)` or `await f(...)` where `f` always raises.
fn calls_always_raising(cx: &Cx, expr: &Expr, caught: Option<&str>) -> bool {
    let call = match expr {
        Expr::Await(await_expr) => match &*await_expr.value {
            Expr::Call(call) => call,
            _ => return false,
        },
        Expr::Call(call) => call,
        _ => return false,
    };
    // `sys.exit(3)`, `pytest.fail(...)`: a library function that never returns.
    if cx
        .checker
        .model
        .call_path(call)
        .is_some_and(|path| never_returning_api(&path))
    {
        return true;
    }
    if cx.depth >= MAX_CALLEE_DEPTH {
        return false;
    }
    let Some(callee) = resolve_callee(cx, call) else {
        // `self.fail(...)` in a unittest test case that does not define `fail` itself.
        if ends_the_test_case(cx, call) {
            return true;
        }
        // `reraise(exc)` of another module, handed the caught exception.
        return caught.is_some_and(|caught| hands_name(call, caught)) && named_to_raise(&call.func);
    };
    if is_abstract(callee) {
        return false;
    }
    if callee
        .returns
        .as_deref()
        .is_some_and(|returns| never_returns(cx.checker, returns))
    {
        return true;
    }
    if sequence_flow(&cx.callee(callee), &callee.body, None) == Flow::Reraises {
        return true;
    }
    // The caught exception handed to a helper that re-raises it on every cancellation path
    // (`if isinstance(exc, CancelledError) and task.cancelling(): raise`).
    if cx.any_raise {
        return false;
    }
    let Some(parameter) = caught.and_then(|caught| parameter_receiving(cx, call, callee, caught))
    else {
        return false;
    };
    let mut callee_cx = cx.callee(callee);
    callee_cx.any_raise = false;
    sequence_flow(&callee_cx, &callee.body, Some(parameter)) == Flow::Reraises
}

/// `self.fail(...)` or `self.skipTest(...)` in a method of a unittest test case class (the
/// module's class derives from one): unittest's method raises, as `pytest.fail` does.
fn ends_the_test_case(cx: &Cx, call: &ast::ExprCall) -> bool {
    let Expr::Attribute(method) = &*call.func else {
        return false;
    };
    let (Expr::Name(receiver), Some(class)) = (&*method.value, cx.class) else {
        return false;
    };
    Some(receiver.id.as_str()) == cx.receiver
        && TEST_CASE_OUTCOME_METHODS.contains(&method.attr.as_str())
        && (cx.checker.model.module).derives_from_library(
            &cx.checker.model.module.qualify(class.name.as_str()),
            TEST_CASE_CLASSES,
        )
}

/// The parameter of `callee` that receives the caught name in `call` (by position, skipping a
/// method's receiver, or by keyword).
fn parameter_receiving<'a>(
    cx: &Cx,
    call: &ast::ExprCall,
    callee: &'a ast::StmtFunctionDef,
    caught: &str,
) -> Option<&'a str> {
    let is_caught = |expr: &Expr| is_name(expr, Some(caught));
    if let Some(keyword) = call
        .arguments
        .keywords
        .iter()
        .find(|keyword| is_caught(&keyword.value))
    {
        let name = keyword.arg.as_ref()?.as_str();
        return callee
            .parameters
            .iter()
            .map(|parameter| parameter.name().as_str())
            .find(|parameter| *parameter == name);
    }
    let position = call.arguments.args.iter().position(is_caught)?;
    let skip = usize::from(matches!(&*call.func, Expr::Attribute(_)) && cx.receiver.is_some());
    let positional: Vec<&str> = callee
        .parameters
        .posonlyargs
        .iter()
        .chain(callee.parameters.args.iter())
        .map(|parameter| parameter.parameter.name.as_str())
        .collect();
    positional.get(position + skip).copied()
}

fn is_abstract(function: &ast::StmtFunctionDef) -> bool {
    function
        .decorator_list
        .iter()
        .any(|decorator| last_identifier(&decorator.expression) == Some("abstractmethod"))
}

/// `NoReturn`, `Never` (also as a string annotation).
fn never_returns(checker: &Checker, annotation: &Expr) -> bool {
    if let Expr::StringLiteral(string) = annotation {
        let text = string.value.to_str();
        let last = text.rsplit('.').next().unwrap_or_default().trim();
        return last == "NoReturn" || last == "Never";
    }
    checker
        .model
        .path_of(annotation)
        .is_some_and(|path| NEVER_RETURNING_TYPES.contains(&path.as_str()))
}

/// The definition a call names: a module-level function (`helper(...)`, not shadowed by a
/// local), or a method of the current class or its bases in this module (`self.helper(...)`).
fn resolve_callee<'a>(
    cx: &Cx<'_, 'a, '_>,
    call: &ast::ExprCall,
) -> Option<&'a ast::StmtFunctionDef> {
    let module = cx.checker.module();
    match &*call.func {
        Expr::Name(name) => {
            let name = name.id.as_str();
            if cx.depth == 0 && cx.checker.model.is_local(name) {
                return None;
            }
            find_function(&module.body, name)
        }
        Expr::Attribute(attribute) => {
            let Expr::Name(receiver) = &*attribute.value else {
                return None;
            };
            if Some(receiver.id.as_str()) != cx.receiver {
                return None;
            }
            find_method(&module.body, cx.class?, attribute.attr.as_str(), 0)
        }
        _ => None,
    }
}

/// The `try` sits in the `finally` of an enclosing `try` whose handlers re-raise on every path
/// after keeping the exception in a name (`except BaseException as e: in_flight = e; raise`):
/// those names are set exactly when an exception is propagating through the `finally`.
fn in_flight_markers(cx: &Cx, try_stmt: &ast::StmtTry) -> Vec<String> {
    let mut markers = Vec::new();
    for outer in finally_owners(cx, try_stmt) {
        // `active = sys.exc_info()[1]` (or `sys.exception()`) in the `finally` itself, before
        // the cleanup's `try`: the exception propagating through it, or `None`.
        walk_statements_shallow(&outer.finalbody, &mut |stmt| {
            if stmt.start() >= try_stmt.start() {
                return Walk::Stop;
            }
            if let Some((Expr::Name(target), value)) = single_assignment(stmt)
                && is_exception_in_flight(cx.checker, value)
            {
                markers.push(target.id.to_string());
            }
            Walk::Descend
        });
        for handler in &outer.handlers {
            let ast::ExceptHandler::ExceptHandler(handler) = handler;
            let Some(caught) = handler.name.as_ref().map(|name| name.as_str()) else {
                continue;
            };
            if sequence_flow(cx, &handler.body, Some(caught)) != Flow::Reraises {
                continue;
            }
            for stmt in &handler.body {
                if let Some((Expr::Name(target), Expr::Name(value))) = single_assignment(stmt)
                    && value.id.as_str() == caught
                {
                    markers.push(target.id.to_string());
                }
            }
        }
    }
    markers
}

/// `sys.exc_info()[1]` or `sys.exception()`: the exception being handled, or `None`.
fn is_exception_in_flight(checker: &Checker, value: &Expr) -> bool {
    let call = match value {
        Expr::Subscript(subscript)
            if matches!(&*subscript.slice, Expr::NumberLiteral(number)
                if number.value.as_int().and_then(ast::Int::as_u8) == Some(1)) =>
        {
            match &*subscript.value {
                Expr::Call(call) => Some((call, "sys.exc_info")),
                _ => None,
            }
        }
        Expr::Call(call) => Some((call, "sys.exception")),
        _ => None,
    };
    call.is_some_and(|(call, expected)| {
        call.arguments.is_empty() && checker.model.call_path(call).as_deref() == Some(expected)
    })
}

/// The `try` sits in the `finally` of an enclosing `try…finally` (no handlers) whose body
/// can neither complete nor `return`: it ends in `raise`, or in a `while True:` with no
/// `break` of its own. That `finally` runs only while an exception propagates, and re-raises
/// it when done: a cancellation caught in the cleanup is a second one, and the task still
/// ends with the first.
fn in_finally_entered_only_by_exception(cx: &Cx, try_stmt: &ast::StmtTry) -> bool {
    finally_owners(cx, try_stmt)
        .into_iter()
        .any(|outer| outer.handlers.is_empty() && never_completes(&outer.body))
}

/// contextlib's way out of an `__aexit__` (or `__exit__`) that threw the exception it was
/// given into a generator: `except BaseException as exc: if exc is not exc_value: raise`,
/// then no truthy `return` on the way out (in the handler, or after the `try`). What falls
/// through is the exception the method was handed, and a falsy return has the `async with`
/// raise it again.
fn handed_back_by_exit_protocol(
    cx: &Cx,
    try_stmt: &ast::StmtTry,
    handler: &ast::ExceptHandlerExceptHandler,
) -> bool {
    let Some(function) = cx.checker.current_function() else {
        return false;
    };
    if !matches!(function.name.as_str(), "__aexit__" | "__exit__") {
        return false;
    }
    // `self, exc_type, exc_value, traceback`: the exception is the third parameter.
    let Some(given) = function
        .parameters
        .posonlyargs
        .iter()
        .chain(&function.parameters.args)
        .nth(2)
    else {
        return false;
    };
    let (Some(caught), Some(Stmt::If(first))) = (&handler.name, handler.body.first()) else {
        return false;
    };
    let tests_identity = matches!(&*first.test, Expr::Compare(compare)
        if matches!(&*compare.ops, [ast::CmpOp::IsNot])
            && matches!(&*compare.left, Expr::Name(left) if left.id == caught.id)
            && matches!(&*compare.comparators, [Expr::Name(right)]
                if right.id.as_str() == given.parameter.name.as_str()));
    let reraises = matches!(first.body.as_slice(), [Stmt::Raise(raise)] if raise.exc.is_none());
    if !tests_identity || !reraises || !first.elif_else_clauses.is_empty() {
        return false;
    }
    let mut truthy_return = false;
    walk_body_shallow(&function.body, &mut |node| {
        if let Node::Stmt(Stmt::Return(ret)) = node
            && (handler.range().contains_range(ret.range()) || ret.start() >= try_stmt.end())
            && !matches!(
                ret.value.as_deref(),
                None | Some(Expr::NoneLiteral(_))
                    | Some(Expr::BooleanLiteral(ast::ExprBooleanLiteral {
                        value: false,
                        ..
                    }))
            )
        {
            truthy_return = true;
        }
        Walk::Descend
    });
    !truthy_return
}

/// The `try` statements of the current function in whose `finally` `try_stmt` sits,
/// innermost first.
fn finally_owners<'a>(cx: &Cx<'_, 'a, '_>, try_stmt: &ast::StmtTry) -> Vec<&'a ast::StmtTry> {
    cx.checker
        .statements_in_function()
        .filter_map(|stmt| match stmt {
            Stmt::Try(outer) if !std::ptr::eq(outer, try_stmt) => Some(outer),
            _ => None,
        })
        .filter(|outer| {
            outer
                .finalbody
                .iter()
                .any(|stmt| stmt.range().contains_range(try_stmt.range()))
        })
        .collect()
}

/// Whether `body` can neither run to its end nor `return`: it ends in `raise` or in a
/// `while True:` loop that no `break` of its own leaves, and holds no `return` (outside the
/// functions it defines).
fn never_completes(body: &[Stmt]) -> bool {
    let ends = match body.last() {
        Some(Stmt::Raise(_)) => true,
        Some(Stmt::While(loop_stmt)) => {
            crate::ast_query::is_always_true(&loop_stmt.test)
                && !crate::ast_query::breaks_out(&loop_stmt.body)
        }
        _ => false,
    };
    ends && !crate::ast_query::contains_return(body)
}

/// `if in_flight is None and isinstance(exc, CancelledError): raise` where `in_flight` is an
/// in-flight marker: the other path runs while an exception already propagates, which the
/// enclosing `finally` re-raises after the cleanup.
/// Whether `test` tells a cancellation the code itself asked for from any other, the way the
/// code marks its own: by the message it cancels with (`task.cancel(OWN_MSG)`, then `if
/// OWN_MSG not in err.args: raise`), or by a flag of the object that the method calling
/// `cancel()` sets (`self._sigint_received = True; task.cancel()`, then `if not
/// self._sigint_received: raise`). Re-raising on that test lets every other cancellation
/// through; what is kept is the object's own.
fn tells_own_cancel_apart(cx: &Cx, test: &Expr, caught: Option<&str>) -> bool {
    let reads_message = caught.is_some_and(|caught| {
        any_expr(test, &mut |expr| {
            matches!(expr, Expr::Attribute(attribute)
                if attribute.attr.as_str() == "args"
                    && matches!(&*attribute.value, Expr::Name(name) if name.id.as_str() == caught))
        })
    });
    if reads_message {
        // Somewhere the module cancels with a message of its own.
        return any_in_body(&cx.checker.module().body, &mut |expr| {
            matches!(expr, Expr::Call(call)
                if matches!(&*call.func, Expr::Attribute(method) if method.attr.as_str() == "cancel")
                    && (!call.arguments.args.is_empty() || call.arguments.find_keyword("msg").is_some()))
        });
    }
    // The flags read: attributes of the receiver (`self._interrupted`, `self._stopping.
    // is_set()`), in the class of the method; or of a value of another class of the module
    // (`manager.shutting_down.is_set()`, `manager: Manager`), in that class.
    let mut flags: Vec<String> = Vec::new();
    let mut owner: Option<&ast::StmtClassDef> = None;
    let module = &cx.checker.module().body;
    let mut other_owner = None;
    any_expr(test, &mut |expr| {
        if let Expr::Attribute(attribute) = expr
            && let Expr::Name(name) = &*attribute.value
        {
            if Some(name.id.as_str()) == cx.receiver {
                flags.push(attribute.attr.to_string());
                owner = cx.class;
            } else if let Some(type_name) = cx.checker.model.type_of(&attribute.value)
                && let Some(class) = cx.checker.module_class(&type_name)
            {
                flags.push(attribute.attr.to_string());
                other_owner = Some(class);
            }
        }
        false
    });
    if flag_set_by_a_canceller(module, test) {
        return true;
    }
    let Some(class) = owner.or(other_owner) else {
        return false;
    };
    !flags.is_empty()
        && class.body.iter().any(|stmt| {
            let Stmt::FunctionDef(method) = stmt else {
                return false;
            };
            let Some(own) = receiver_name(method) else {
                return false;
            };
            let mut sets_flag = false;
            let mut cancels = false;
            walk_body_shallow(&method.body, &mut |node| {
                match node {
                    Node::Stmt(Stmt::Assign(assign)) => {
                        sets_flag |= assign.targets.iter().any(|target| {
                            matches!(target, Expr::Attribute(attribute)
                                if flags.iter().any(|flag| flag == attribute.attr.as_str())
                                    && matches!(&*attribute.value, Expr::Name(name) if name.id.as_str() == own))
                        });
                    }
                    Node::Expr(Expr::Call(call)) => {
                        cancels |= matches!(&*call.func, Expr::Attribute(method) if method.attr.as_str() == "cancel");
                        // `self._stopping.set()`: an event used as the flag.
                        sets_flag |= matches!(&*call.func, Expr::Attribute(method)
                            if method.attr.as_str() == "set"
                                && matches!(&*method.value, Expr::Attribute(attribute)
                                    if flags.iter().any(|flag| flag == attribute.attr.as_str())
                                        && matches!(&*attribute.value, Expr::Name(name) if name.id.as_str() == own)));
                    }
                    _ => {}
                }
                Walk::Descend
            });
            sets_flag && cancels
        })
}

/// Whether a flag `test` reads as an event (`manager.states.SHUTTING_DOWN.is_set()`) is set,
/// spelled the same, by a function of the module that also cancels something
/// (`manager.states.SHUTTING_DOWN.set()` then `manager.current_task.cancel()`, in a signal
/// handler nested in the coroutine): the cancellation that function makes is announced.
fn flag_set_by_a_canceller(module: &[Stmt], test: &Expr) -> bool {
    let mut events: Vec<String> = Vec::new();
    any_expr(test, &mut |expr| {
        if let Expr::Call(call) = expr
            && call.arguments.is_empty()
            && let Expr::Attribute(method) = &*call.func
            && method.attr.as_str() == "is_set"
            && matches!(&*method.value, Expr::Attribute(_))
            && let Some(event) = dotted_name(&method.value)
        {
            events.push(event);
        }
        false
    });
    if events.is_empty() {
        return false;
    }
    fn announces(function: &ast::StmtFunctionDef, events: &[String]) -> bool {
        let mut sets = false;
        let mut cancels = false;
        walk_body_shallow(&function.body, &mut |node| {
            if let Node::Expr(Expr::Call(call)) = node
                && let Expr::Attribute(method) = &*call.func
            {
                match method.attr.as_str() {
                    "cancel" => cancels = true,
                    "set" => {
                        sets |= dotted_name(&method.value).is_some_and(|set| events.contains(&set));
                    }
                    _ => {}
                }
            }
            Walk::Descend
        });
        sets && cancels
    }
    fn any_function(body: &[Stmt], events: &[String]) -> bool {
        walk_statements_shallow(body, &mut |stmt| match stmt {
            Stmt::FunctionDef(function)
                if announces(function, events) || any_function(&function.body, events) =>
            {
                Walk::Stop
            }
            Stmt::ClassDef(class) if any_function(&class.body, events) => Walk::Stop,
            _ => Walk::Descend,
        })
    }
    any_function(module, &events)
}

fn unless_in_flight(cx: &Cx, test: &Expr, caught: Option<&str>) -> bool {
    let is_marker_none = |expr: &Expr| {
        matches!(expr, Expr::Compare(compare)
            if matches!(&*compare.ops, [ast::CmpOp::Is])
                && matches!(&*compare.comparators, [Expr::NoneLiteral(_)])
                && matches!(&*compare.left, Expr::Name(name)
                    if cx.in_flight.iter().any(|marker| marker == name.id.as_str())))
    };
    if cx.in_flight.is_empty() {
        return false;
    }
    match test {
        Expr::BoolOp(bool_op) if bool_op.op == ast::BoolOp::And => {
            bool_op.values.iter().any(is_marker_none)
                && bool_op.values.iter().all(|value| {
                    is_marker_none(value) || is_cancellation_test(cx.checker, value, caught)
                })
        }
        other => is_marker_none(other),
    }
}

/// The tasks a `try` body awaits, directly or through `asyncio.shield`/`asyncio.wait_for`
/// (`await task`, `await asyncio.shield(self._task)`), by dotted name.
fn awaited_tasks(checker: &Checker, body: &[Stmt]) -> Vec<String> {
    let mut tasks = Vec::new();
    walk_body_shallow(body, &mut |node| {
        if let Node::Expr(Expr::Await(await_expr)) = node
            && let Some(task) = awaited_task(checker, &await_expr.value)
        {
            tasks.push(task);
        }
        Walk::Descend
    });
    tasks
}

/// The dotted name of what `await <awaited>` waits on: `task` for `await task`, and for
/// `await asyncio.shield(task)` / `await asyncio.wait_for(task, t)`, which raise the
/// cancellation of the task they are given.
fn awaited_task(checker: &Checker, awaited: &Expr) -> Option<String> {
    match awaited {
        Expr::Call(call)
            if checker
                .model
                .call_path(call)
                .is_some_and(|path| AWAIT_PASSTHROUGH_CALLS.contains(&path.as_str())) =>
        {
            call.arguments
                .args
                .first()
                .and_then(|task| task_reference(checker, task))
        }
        // `await asyncio.gather(*tasks)`: raises the first cancellation among the tasks;
        // `await asyncio.gather(task, return_exceptions=True)`, the one task's end waited for
        // with its cancellation kept as a result.
        Expr::Call(call)
            if checker.model.call_path(call).as_deref() == Some("asyncio.gather")
                && call.arguments.keywords.iter().all(|keyword| {
                    keyword.arg.as_ref().map(|arg| arg.as_str()) == Some("return_exceptions")
                }) =>
        {
            match &*call.arguments.args {
                [Expr::Starred(starred)] => dotted_name(&starred.value),
                [task] => task_reference(checker, task),
                _ => None,
            }
        }
        other => task_reference(checker, other),
    }
}

/// How a task is named where it is cancelled and where it is awaited: its dotted name
/// (`task`, `self._task`), or an item of a container so named under a key that is a name, a
/// dotted attribute or a literal (`self._tasks[key]`, `app[self.key]`, spelled as written,
/// blanks left out).
fn task_reference(checker: &Checker, expr: &Expr) -> Option<String> {
    if let Expr::Subscript(subscript) = expr
        && dotted_name(&subscript.value).is_some()
        && (matches!(
            &*subscript.slice,
            Expr::Name(_) | Expr::StringLiteral(_) | Expr::NumberLiteral(_)
        ) || matches!(&*subscript.slice, Expr::Attribute(_)
            if dotted_name(&subscript.slice).is_some()))
    {
        let text = &checker.source_text()[subscript.range()];
        return Some(text.chars().filter(|c| !c.is_whitespace()).collect());
    }
    dotted_name(expr)
}

/// The deferred re-raise: the handler keeps the caught exception (`interrupted = exc`,
/// `errors.append(exc)`) and the function raises it after the `try` (`raise interrupted`,
/// `raise errors[0]`), once the work that must not be interrupted is done.
fn reraised_later(
    cx: &Cx,
    try_stmt: &ast::StmtTry,
    handler: &ast::ExceptHandlerExceptHandler,
) -> bool {
    let caught = handler.name.as_ref().map(|name| name.as_str());
    let is_caught = |expr: &Expr| is_name(expr, caught);
    let mut keepers: Vec<String> = Vec::new();
    // `kept = redacted_copy(exc)`: what a function makes of it, which counts only if raised
    // (`content = error_payload(exc)` returned in a response is no exception).
    let mut made: Vec<String> = Vec::new();
    // `cancelled = True`: the handler notes the cancellation in a flag.
    let mut flags: Vec<String> = Vec::new();
    walk_body_shallow(&handler.body, &mut |node| {
        match node {
            Node::Stmt(stmt) => match single_assignment(stmt) {
                // `kept = exc`, or a message holding it: `terminal = ("error", exc)`.
                Some((Expr::Name(target), value))
                    if is_caught(value)
                        || matches!(value, Expr::Tuple(tuple) if tuple.elts.iter().any(is_caught)) =>
                {
                    keepers.push(target.id.to_string());
                }
                Some((Expr::Name(target), value)) if translates_caught(cx, value, caught) => {
                    made.push(target.id.to_string());
                }
                Some((Expr::Name(target), Expr::BooleanLiteral(literal))) if literal.value => {
                    flags.push(target.id.to_string());
                }
                _ => {}
            },
            Node::Expr(Expr::Call(call)) => {
                // `errors.append(exc)`, or with what it concerns: `errors.append((name, exc))`;
                // `errors.extend(chain_of(exc))`, `errors.extend([exc, *more])`: what it
                // adds holds the exception.
                let holds_caught = |kept: &Expr| match kept {
                    Expr::Tuple(ast::ExprTuple { elts, .. })
                    | Expr::List(ast::ExprList { elts, .. }) => elts.iter().any(is_caught),
                    kept => is_caught(kept),
                };
                if let Expr::Attribute(attribute) = &*call.func
                    && let Expr::Name(list) = &*attribute.value
                    && call.arguments.args.first().is_some_and(|kept| {
                        match attribute.attr.as_str() {
                            "append" | "add" => holds_caught(kept),
                            "extend" | "update" => match kept {
                                Expr::Call(made) => {
                                    ast_query::argument_values(&made.arguments).any(is_caught)
                                }
                                kept => holds_caught(kept),
                            },
                            _ => false,
                        }
                    })
                {
                    keepers.push(list.id.to_string());
                }
            }
            _ => {}
        }
        Walk::Descend
    });
    if keepers.is_empty() && made.is_empty() && flags.is_empty() {
        return false;
    }
    let after = try_stmt.start();
    passed_on_after(cx, after, &mut keepers);
    passed_on_after(cx, after, &mut made);
    // `final_error = pick_error(kept, cleanup_errors)` after the `try`: a function handed
    // what was kept works out what to raise, as `translates_caught` reads it in a handler.
    // Counted only where it is raised (a message made from it and returned is no
    // exception).
    let mut derived: Vec<String> = Vec::new();
    walk_statements_shallow(cx.checker.current_body(), &mut |stmt| {
        if stmt.start() > after
            && let Some((Expr::Name(target), value)) = single_assignment(stmt)
            && keepers
                .iter()
                .chain(&made)
                .any(|kept| translates_caught(cx, value, Some(kept)))
        {
            derived.push(target.id.to_string());
        }
        Walk::Descend
    });
    passed_on_after(cx, after, &mut derived);
    // `if cancelled: raise asyncio.CancelledError()` once the work is done.
    let tests_flag = |test: &Expr| {
        let is_flag = |expr: &Expr| matches!(expr, Expr::Name(name) if flags.iter().any(|flag| flag == name.id.as_str()));
        match test {
            Expr::BoolOp(bool_op) if bool_op.op == ast::BoolOp::And => {
                bool_op.values.iter().any(is_flag)
            }
            other => is_flag(other),
        }
    };
    let is_keeper = |expr: &Expr| matches!(expr, Expr::Name(name) if keepers.iter().any(|keeper| keeper == name.id.as_str()));
    let is_raisable = |expr: &Expr| {
        is_keeper(expr)
            || matches!(expr, Expr::Name(name) if made.iter().chain(&derived).any(|kept| kept == name.id.as_str()))
    };
    walk_statements_shallow(cx.checker.current_body(), &mut |stmt| match stmt {
        // `return kept`, `return kept or other`, `return kept, retry`: handed to the caller, as
        // the handler's own `return exc` is.
        Stmt::Return(ast::StmtReturn {
            value: Some(value), ..
        }) if stmt.start() > after && returns_kept(value, &is_keeper) => Walk::Stop,
        Stmt::If(if_stmt)
            if stmt.start() > after
                && tests_flag(&if_stmt.test)
                && sequence_flow(cx, &if_stmt.body, None) == Flow::Reraises =>
        {
            Walk::Stop
        }
        // `results.put_nowait(kept)`: handed to the consumer reading the queue.
        Stmt::Expr(ast::StmtExpr { value, .. })
            if stmt.start() > after
                && matches!(call_or_awaited_call(value), Some(call)
                    if matches!(&*call.func, Expr::Attribute(attribute)
                        if EXCEPTION_QUEUEING_METHODS.contains(&attribute.attr.as_str()))
                        && call.arguments.args.first().is_some_and(is_keeper)) =>
        {
            Walk::Stop
        }
        // `_raise_redacted(kept)`: handed to a function that always raises.
        Stmt::Expr(ast::StmtExpr { value, .. })
            if stmt.start() > after
                && matches!(&**value, Expr::Call(call)
                    if ast_query::argument_values(&call.arguments).any(is_raisable)
                        && (calls_always_raising(cx, value, None) || named_to_raise(&call.func))) =>
        {
            Walk::Stop
        }
        Stmt::Raise(ast::StmtRaise { exc: Some(exc), .. }) if stmt.start() > after => {
            // `raise errors[0]`, `raise errors[0][1]`: an item of what was kept.
            let mut raised = &**exc;
            while let Expr::Subscript(subscript) = raised {
                raised = &subscript.value;
            }
            if is_raisable(raised) {
                Walk::Stop
            } else {
                Walk::Descend
            }
        }
        _ => Walk::Descend,
    })
}

/// `f(...)` or `await f(...)`: the call.
fn call_or_awaited_call(expr: &Expr) -> Option<&ast::ExprCall> {
    match expr {
        Expr::Await(await_expr) => match &*await_expr.value {
            Expr::Call(call) => Some(call),
            _ => None,
        },
        Expr::Call(call) => Some(call),
        _ => None,
    }
}

/// Adds to `kept` the names the current function passes a kept name on to after `after`
/// (`to_raise = cleanup_error`), a few steps deep.
fn passed_on_after(cx: &Cx, after: TextSize, kept: &mut Vec<String>) {
    for _ in 0..4 {
        let mut passed_on: Vec<String> = Vec::new();
        walk_statements_shallow(cx.checker.current_body(), &mut |stmt| {
            if stmt.start() > after
                && let Some((Expr::Name(target), Expr::Name(value))) = single_assignment(stmt)
                && kept.iter().any(|name| name == value.id.as_str())
                && !kept.iter().any(|name| name == target.id.as_str())
                && !passed_on.iter().any(|name| name == target.id.as_str())
            {
                passed_on.push(target.id.to_string());
            }
            Walk::Descend
        });
        if passed_on.is_empty() {
            break;
        }
        kept.extend(passed_on);
    }
}

/// The handler's function is a private helper (`_finish_cleanup`, `self._await_cleanup`) that
/// its module calls only inside `except` handlers that end in a bare `raise` (or a raise of
/// what they caught) and leave no other way: whatever the helper swallows while it finishes
/// the cleanup, its caller re-raises the exception it is handling, cancellation included.
fn called_only_from_reraising_handlers(checker: &Checker) -> bool {
    let Some(function) = checker.current_function() else {
        return false;
    };
    let name = function.name.as_str();
    if !name.starts_with('_') || name.starts_with("__") {
        return false;
    }
    let uses = ast_query::uses_of_name(&checker.module().body, name, true, &ends_in_reraise);
    !uses.is_empty()
        && uses
            .iter()
            .all(|usage| usage.called && usage.in_marked_handler)
}

/// Whether the `try` ends the module's entry coroutine: a statement of the body of a
/// module-level `async def`, followed by nothing that suspends or loops, that the module runs with a loop runner (`asyncio.run(main())`,
/// `loop.run_until_complete(main())`) and uses nowhere else. Only the runner cancels such a
/// task (Ctrl+C, the loop's shutdown); a handler that swallows the cancellation lets the
/// function return through its cleanup, and the program ends as asked. Nothing awaits the
/// task to be misled, no timeout or task group is above it. A `try` inside a loop, or with
/// code after it, would carry on running instead, and is reported.
fn ends_the_entry_coroutine(checker: &Checker, try_stmt: &ast::StmtTry) -> bool {
    let Some(function) = checker.current_function() else {
        return false;
    };
    // The `try` ends the body, or only code that cannot suspend follows it (a report
    // printed, a value returned), at its own level and at each enclosing one: the function
    // then returns at once. An enclosing `with` or `if` is left as the block ends (an
    // `async with`'s exit awaits, but only to release what it holds, as a `finally` would);
    // an enclosing loop or `try` may run more code, and is not followed.
    let mut ended = try_stmt.range();
    for enclosing in checker.statements_in_function() {
        if enclosing.range() == ended {
            continue;
        }
        let block = match enclosing {
            Stmt::With(with) => Some(&with.body[..]),
            Stmt::If(if_stmt) => std::iter::once(&if_stmt.body[..])
                .chain(
                    if_stmt
                        .elif_else_clauses
                        .iter()
                        .map(|clause| &clause.body[..]),
                )
                .find(|block| block.iter().any(|stmt| stmt.range() == ended)),
            _ => None,
        };
        if !block.is_some_and(|block| ends_block(block, ended)) {
            return false;
        }
        ended = enclosing.range();
    }
    ends_block(&function.body, ended)
        && (checker.is_entry_coroutine(function) || checker.is_awaited_last_by_entry(function))
}

/// Whether the statement at `ended` is one of `block`'s, followed by nothing that suspends or
/// loops.
fn ends_block(block: &[Stmt], ended: TextRange) -> bool {
    let Some(at) = block.iter().position(|stmt| stmt.range() == ended) else {
        return false;
    };
    block[at + 1..].iter().all(|stmt| {
        !matches!(stmt, Stmt::For(_) | Stmt::While(_))
            && !matches!(stmt, Stmt::With(with) if with.is_async)
            && !any_in_body(std::slice::from_ref(stmt), &mut |expr| {
                matches!(expr, Expr::Await(_))
            })
    })
}

/// Whether a handler ends in `raise` (bare, or of the name it caught) and holds no `return`,
/// `break` or `continue` that could leave it first.
fn ends_in_reraise(handler: &ast::ExceptHandlerExceptHandler) -> bool {
    let caught = handler.name.as_ref().map(|name| name.as_str());
    let ends = match handler.body.last() {
        Some(Stmt::Raise(ast::StmtRaise { exc: None, .. })) => true,
        Some(Stmt::Raise(ast::StmtRaise { exc: Some(exc), .. })) => is_name(exc, caught),
        _ => false,
    };
    ends && !walk_statements_shallow(&handler.body, &mut |stmt| match stmt {
        Stmt::Return(_) | Stmt::Break(_) | Stmt::Continue(_) => Walk::Stop,
        _ => Walk::Descend,
    })
}

// ---------------------------------------------------------------------------------------
// The cancel-and-wait idiom.

/// Whether the `try` body awaits a task (`await task`, `await self._task`) that the current
/// function cancelled (`task.cancel()`, or a method of the same object that does
/// `self._task.cancel()`) before that await.
fn awaits_cancelled_task(cx: &Cx, try_stmt: &ast::StmtTry) -> bool {
    let awaits = Collector::collect(cx.checker, &try_stmt.body);
    if awaits.awaited.is_empty() && awaits.waited_on.is_empty() {
        return false;
    }
    let mut cancels = Collector::collect(cx.checker, cx.checker.current_body());
    // `self._stop_worker()` whose body does `self._task.cancel()`.
    if let Some(receiver) = cx.receiver {
        let module = &cx.checker.module().body;
        for (name, method, called_at) in std::mem::take(&mut cancels.own_calls) {
            let Some(class) = cx.class else { break };
            if name != receiver {
                continue;
            }
            let Some(callee) = find_method(module, class, &method, 0) else {
                continue;
            };
            let Some(callee_receiver) = receiver_name(callee) else {
                continue;
            };
            let prefix = format!("{callee_receiver}.");
            for (cancelled, _) in Collector::collect(cx.checker, &callee.body).cancelled {
                if let Some(rest) = cancelled.strip_prefix(&prefix) {
                    cancels
                        .cancelled
                        .push((format!("{receiver}.{rest}"), called_at));
                }
            }
        }
    }
    let cancelled_before = |awaited_at: &TextSize, matches: &dyn Fn(&str) -> bool| {
        cancels
            .cancelled
            .iter()
            .any(|(cancelled, cancelled_at)| matches(cancelled) && cancelled_at <= awaited_at)
    };
    awaits.awaited.iter().any(|(task, awaited_at)| {
        cancelled_before(awaited_at, &|cancelled| {
            cancelled == task || task_consumes(cx, task, cancelled)
        })
    }) || awaits.waited_on.iter().any(|(owner, awaited_at)| {
        cancelled_before(awaited_at, &|cancelled| {
            cancelled == owner
                || cancelled
                    .strip_prefix(owner.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

/// Whether the task kept at `task` (`self.pump_task`) runs a method of the class that uses
/// what was cancelled, another attribute of the same object (`self.stream_call`): the
/// class makes the task from that method (`self.pump_task = asyncio.create_task(
/// self.message_pump())`) and the method reads or sets the attribute. Cancelling a stream or
/// call the task consumes ends the task with that cancellation (a gRPC call's iterator
/// raises `CancelledError` once the call is cancelled): awaiting it then catches the
/// cancellation just requested, as when the task itself is cancelled.
fn task_consumes(cx: &Cx, task: &str, cancelled: &str) -> bool {
    let (Some(class), Some(receiver)) = (cx.class, cx.receiver) else {
        return false;
    };
    let prefix = format!("{receiver}.");
    let (Some(task), Some(cancelled)) =
        (task.strip_prefix(&prefix), cancelled.strip_prefix(&prefix))
    else {
        return false;
    };
    if task.contains('.') || cancelled.contains('.') {
        return false;
    }
    let module = &cx.checker.module().body;
    class.body.iter().any(|statement| {
        let Stmt::FunctionDef(method) = statement else {
            return false;
        };
        let Some(own) = receiver_name(method) else {
            return false;
        };
        let mut runs = None;
        walk_body_shallow(&method.body, &mut |node| {
            if let Node::Stmt(Stmt::Assign(assign)) = node
                && let [Expr::Attribute(target)] = assign.targets.as_slice()
                && target.attr.as_str() == task
                && is_name(&target.value, Some(own))
                && let Some(name) = task_method(cx.checker, &assign.value, own)
            {
                runs = Some(name);
                return Walk::Stop;
            }
            Walk::Descend
        });
        let Some(runs) = runs else { return false };
        let Some(coroutine) = find_method(module, class, runs, 0) else {
            return false;
        };
        let Some(its_own) = receiver_name(coroutine) else {
            return false;
        };
        any_in_body(&coroutine.body, &mut |expr| {
            matches!(expr, Expr::Attribute(attribute)
                if attribute.attr.as_str() == cancelled && is_name(&attribute.value, Some(its_own)))
        })
    })
}

/// The handler ends a background task that only its owner holds: the coroutine is a method
/// of the class (or of a base class, its subclasses in the module counting as the owner)
/// started only as `self._task = asyncio.create_task(self._watch())`, and the handler
/// leaves the coroutine (a `return`; a `break` out of a loop of the body after which nothing
/// suspends or loops; or the `try` itself so placed). Either every `self._task.cancel()` of
/// the owner is followed in its block by an `await` that names `self._task`: ending quietly
/// is the task's side of that protocol, the owner's `await` returns instead of raising the
/// cancellation it asked for; or no one waits for the task at all ([`never_waited`]),
/// whoever cancels it.
fn ends_a_task_only_its_owner_holds(
    cx: &Cx,
    try_stmt: &ast::StmtTry,
    handler_body: &[Stmt],
) -> bool {
    let (Some(class), Some(function)) = (cx.class, cx.checker.current_function()) else {
        return false;
    };
    if !function.is_async
        || cx.receiver.is_none()
        || !handler_leaves_coroutine(cx, function, try_stmt, handler_body)
    {
        return false;
    }
    // The class and its subclasses in the module: a base class's coroutine may be started,
    // cancelled and awaited by the subclasses that share its attribute.
    let module = &cx.checker.module().body;
    let family: Vec<&ast::StmtClassDef> =
        std::iter::once(class)
            .chain(module.iter().filter_map(|statement| match statement {
                Stmt::ClassDef(subclass)
                    if subclass.bases().iter().any(
                        |base| matches!(base, Expr::Name(base) if base.id == class.name.id),
                    ) =>
                {
                    Some(subclass)
                }
                _ => None,
            }))
            .collect();
    let methods = || {
        family
            .iter()
            .flat_map(|member| member.body.iter())
            .collect::<Vec<_>>()
    };
    // Started only as a task the family keeps in one attribute.
    let name = function.name.as_str();
    let mut kept_in: Vec<&str> = Vec::new();
    for statement in methods() {
        let Stmt::FunctionDef(method) = statement else {
            continue;
        };
        let Some(own) = receiver_name(method) else {
            continue;
        };
        // Also in a function nested in the method (an event handler it registers), which
        // sees the same receiver.
        let mut scopes = vec![&method.body[..]];
        while let Some(scope) = scopes.pop() {
            walk_body_shallow(scope, &mut |node| {
                match node {
                    Node::Stmt(Stmt::FunctionDef(nested)) => scopes.push(&nested.body),
                    Node::Stmt(Stmt::Assign(assign)) => {
                        if let [Expr::Attribute(target)] = assign.targets.as_slice()
                            && is_name(&target.value, Some(own))
                            && task_method(cx.checker, &assign.value, own) == Some(name)
                        {
                            kept_in.push(target.attr.as_str());
                        }
                    }
                    _ => {}
                }
                Walk::Descend
            });
        }
    }
    let Some(&attribute) = kept_in.first() else {
        return false;
    };
    if kept_in.iter().any(|other| *other != attribute) {
        return false;
    }
    // Its name used nowhere else: not in the class, and elsewhere in the module only inside
    // a class with a method of that name of its own (`self._beat()` of a sibling class).
    let mut in_class = 0usize;
    let other_uses = ast_query::uses_of_name(module, name, true, &|_| false)
        .into_iter()
        .any(|usage| {
            let Some(at) = usage
                .caller
                .and_then(|body| body.first())
                .map(Ranged::range)
            else {
                return true;
            };
            if family
                .iter()
                .any(|member| member.range().contains_range(at))
            {
                in_class += 1;
                return false;
            }
            !module.iter().any(|statement| {
                matches!(statement, Stmt::ClassDef(other)
                if other.range().contains_range(at)
                    && other.body.iter().any(|member| {
                        matches!(member, Stmt::FunctionDef(method) if method.name.as_str() == name)
                    }))
            })
        });
    if other_uses || in_class != kept_in.len() {
        return false;
    }
    // Every cancel of that attribute in the class is waited for.
    let mut cancels = 0usize;
    let all_waited = methods().into_iter().all(|statement| {
        let Stmt::FunctionDef(method) = statement else {
            return true;
        };
        let Some(own) = receiver_name(method) else {
            return true;
        };
        let task = format!("{own}.{attribute}");
        every_cancel_waited_for(&method.body, &task, &mut cancels)
            && loop_cancels_waited_for(&method.body, own, attribute, &mut cancels)
    });
    all_waited && cancels > 0 || attribute.starts_with('_') && never_waited(module, attribute)
}

/// Whether the task kept in the private attribute `attribute` is never waited for in the
/// module: every read of `<any>.attribute` is the receiver of `cancel()`, `done()` or
/// `cancelled()`, or a test of whether it is set (`if self._task`, `self._task is None`).
/// Nothing can then be misled by the task ending quietly on its cancellation: the loop's
/// shutdown cancels what is left and takes what each task returns, and no awaiter's own
/// cancellation rides on it. A read of any other kind (`await`, `gather`, `wait_for`, stored
/// or passed on) may wait for it, and keeps the finding.
fn never_waited(module: &[Stmt], attribute: &str) -> bool {
    let names_task =
        |expr: &Expr| matches!(expr, Expr::Attribute(read) if read.attr.as_str() == attribute);
    // Every read, in every scope (lambdas too).
    let mut reads: Vec<TextRange> = Vec::new();
    any_in_body(module, &mut |expr| {
        if names_task(expr)
            && expr
                .as_attribute_expr()
                .is_some_and(|read| read.ctx.is_load())
        {
            reads.push(expr.range());
        }
        false
    });
    let mut harmless: Vec<TextRange> = Vec::new();
    ast_query::walk_scopes(module, &mut |node| {
        let mut tested = |expr: &Expr| {
            if names_task(expr) {
                harmless.push(expr.range());
            }
        };
        match node {
            Node::Stmt(Stmt::If(branch)) => {
                tested(&branch.test);
                for clause in &branch.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        tested(test);
                    }
                }
            }
            Node::Stmt(Stmt::While(looping)) => tested(&looping.test),
            Node::Expr(Expr::Call(call)) => {
                if let Expr::Attribute(method) = &*call.func
                    && matches!(method.attr.as_str(), "cancel" | "done" | "cancelled")
                {
                    tested(&method.value);
                }
            }
            Node::Expr(Expr::Compare(compare))
                if compare
                    .ops
                    .iter()
                    .all(|op| matches!(op, CmpOp::Is | CmpOp::IsNot))
                    && compare.comparators.iter().all(Expr::is_none_literal_expr) =>
            {
                tested(&compare.left);
            }
            Node::Expr(Expr::UnaryOp(not)) if not.op == UnaryOp::Not => tested(&not.operand),
            Node::Expr(Expr::BoolOp(operation)) => operation.values.iter().for_each(tested),
            _ => {}
        }
    });
    reads.iter().all(|read| harmless.contains(read))
}

/// The same owner cancelling its tasks in a loop: `for task in (self._a, self._b):` (or
/// over a local bound once to such a list, `tasks = [self._a]`), or `for name in ("_a",
/// "_b"):` with `task = getattr(self, name)`. Each such loop that may reach `attribute`
/// counts as a cancel of it, and holds only if every cancel in its body is followed in its
/// block by an await naming the task, or the loop itself by an await naming the list it
/// iterates (`await asyncio.gather(*tasks)`).
fn loop_cancels_waited_for(body: &[Stmt], own: &str, attribute: &str, cancels: &mut usize) -> bool {
    let holds_attribute = |element: &Expr| match element {
        Expr::Attribute(held) => held.attr.as_str() == attribute && is_name(&held.value, Some(own)),
        Expr::StringLiteral(name) => name.value.to_str() == attribute,
        _ => false,
    };
    let literal_holds = |expr: &Expr| match expr {
        Expr::List(list) => list.elts.iter().any(holds_attribute),
        Expr::Tuple(tuple) => tuple.elts.iter().any(holds_attribute),
        _ => false,
    };
    // A local bound once in the method, to a literal that holds the attribute.
    let bound_to_holder = |name: &str| {
        let mut values = Vec::new();
        walk_body_shallow(body, &mut |node| {
            if let Node::Stmt(Stmt::Assign(assign)) = node
                && let [Expr::Name(target)] = assign.targets.as_slice()
                && target.id.as_str() == name
            {
                values.push(&*assign.value);
            }
            Walk::Descend
        });
        matches!(values.as_slice(), [value] if literal_holds(value))
    };
    let mut all_waited = true;
    let mut blocks = vec![body];
    while let Some(block) = blocks.pop() {
        for (at, stmt) in block.iter().enumerate() {
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                blocks.extend(ast_query::blocks_of(stmt));
            }
            if !loop_cancel_waited_for(block, at, own, &literal_holds, &bound_to_holder, cancels) {
                all_waited = false;
            }
        }
    }
    all_waited
}

/// [`loop_cancels_waited_for`] for the statement `block[at]`: `true` when it is no such
/// loop, or one whose cancels are waited for.
fn loop_cancel_waited_for(
    block: &[Stmt],
    at: usize,
    own: &str,
    literal_holds: &dyn Fn(&Expr) -> bool,
    bound_to_holder: &dyn Fn(&str) -> bool,
    cancels: &mut usize,
) -> bool {
    let Stmt::For(for_stmt) = &block[at] else {
        return true;
    };
    let Expr::Name(variable) = &*for_stmt.target else {
        return true;
    };
    // What the loop iterates: a literal, or a local bound once to one.
    let (holds, list) = match &*for_stmt.iter {
        Expr::Name(list) => (bound_to_holder(list.id.as_str()), Some(list.id.as_str())),
        literal => (literal_holds(literal), None),
    };
    if !holds {
        return true;
    }
    let variable = variable.id.as_str();
    // `for name in ("_a", "_b"): task = getattr(self, name)`: the task's local.
    let fetched = for_stmt.body.iter().find_map(|stmt| {
        let (target, value) = match stmt {
            Stmt::Assign(assign) => match assign.targets.as_slice() {
                [Expr::Name(target)] => (target.id.as_str(), &*assign.value),
                _ => return None,
            },
            Stmt::If(if_stmt) => match &*if_stmt.test {
                Expr::Compare(compare) => match &*compare.left {
                    Expr::Named(named) => match &*named.target {
                        Expr::Name(target) => (target.id.as_str(), &*named.value),
                        _ => return None,
                    },
                    _ => return None,
                },
                _ => return None,
            },
            _ => return None,
        };
        matches!(value, Expr::Call(call)
            if matches!(&*call.func, Expr::Name(getter) if getter.id.as_str() == "getattr")
                && matches!(call.arguments.args.as_ref(), [receiver, name, ..]
                    if is_name(receiver, Some(own)) && is_name(name, Some(variable))))
        .then_some(target)
    });
    let task = fetched.unwrap_or(variable);
    let mut in_loop = 0usize;
    let waited_in_loop = every_cancel_waited_for(&for_stmt.body, task, &mut in_loop);
    if in_loop == 0 {
        return true;
    }
    *cancels += 1;
    let waited_after = list.is_some_and(|list| {
        block[at + 1..].iter().any(|later| {
            any_in_body(std::slice::from_ref(later), &mut |expr| {
                matches!(expr, Expr::Await(awaited)
                    if any_expr(&awaited.value, &mut |inner| is_name(inner, Some(list))))
            })
        })
    });
    waited_in_loop || waited_after
}

/// Whether the handler leaves the coroutine: a `return`; a `break` out of a loop of the body
/// after which nothing suspends or loops; or the `try` itself so placed.
fn handler_leaves_coroutine(
    cx: &Cx,
    function: &ast::StmtFunctionDef,
    try_stmt: &ast::StmtTry,
    handler_body: &[Stmt],
) -> bool {
    let enclosing_loop = cx.checker.statements_in_function().find(|stmt| {
        matches!(stmt, Stmt::For(_) | Stmt::While(_)) && stmt.range() != try_stmt.range()
    });
    match handler_body.last() {
        Some(Stmt::Return(_)) => true,
        Some(Stmt::Break(_)) => {
            enclosing_loop.is_some_and(|found| ends_block(&function.body, found.range()))
        }
        _ => enclosing_loop.is_none() && ends_block(&function.body, try_stmt.range()),
    }
}

/// The same protocol for a coroutine nested in the function that owns its task: started,
/// and named, only as `watcher = asyncio.create_task(watch())` in the function around it,
/// which binds that local once, cancels it only where it then awaits it, and hands it to
/// nothing else (only its methods are called, and it is read only inside an `await`): no
/// one else can cancel the task or wait for it.
fn ends_a_nested_task_its_owner_awaits(
    cx: &Cx,
    try_stmt: &ast::StmtTry,
    handler_body: &[Stmt],
) -> bool {
    let (Some(function), Some(owner)) = (
        cx.checker.current_function(),
        cx.checker.enclosing_function(),
    ) else {
        return false;
    };
    if !function.is_async || !handler_leaves_coroutine(cx, function, try_stmt, handler_body) {
        return false;
    }
    let name = function.name.as_str();
    if ast_query::uses_of_name(&owner.body, name, false, &|_| false).len() != 1 {
        return false;
    }
    let mut local = None;
    let mut bindings = 0usize;
    walk_body_shallow(&owner.body, &mut |node| {
        if let Node::Stmt(Stmt::Assign(assign)) = node
            && let [Expr::Name(target)] = assign.targets.as_slice()
            && matches!(task_coroutine(cx.checker, &assign.value),
                Some(Expr::Name(started)) if started.id.as_str() == name)
        {
            local = Some(target.id.as_str());
        }
        Walk::Descend
    });
    let Some(local) = local else {
        return false;
    };
    walk_body_shallow(&owner.body, &mut |node| {
        if let Node::Expr(Expr::Name(bound)) = node
            && bound.ctx.is_store()
            && bound.id.as_str() == local
        {
            bindings += 1;
        }
        Walk::Descend
    });
    let mut cancels = 0usize;
    bindings == 1
        && every_cancel_waited_for(&owner.body, local, &mut cancels)
        && cancels > 0
        && !handed_on(&owner.body, local)
}

/// Whether the local `name` is read in `body` other than as the receiver of a method call
/// or inside an `await` (`await name`, `await asyncio.wait([name])`): stored, passed,
/// returned or yielded, so that other code may hold it.
fn handed_on(body: &[Stmt], name: &str) -> bool {
    let mut awaited: Vec<TextRange> = Vec::new();
    let mut receivers: Vec<TextRange> = Vec::new();
    let mut reads: Vec<TextRange> = Vec::new();
    walk_body_shallow(body, &mut |node| {
        match node {
            Node::Expr(Expr::Await(awaiting)) => awaited.push(awaiting.range()),
            Node::Expr(Expr::Call(call)) => {
                if let Expr::Attribute(method) = &*call.func
                    && is_name(&method.value, Some(name))
                {
                    receivers.push(method.value.range());
                }
            }
            Node::Expr(Expr::Name(read)) if read.ctx.is_load() && read.id.as_str() == name => {
                reads.push(read.range());
            }
            _ => {}
        }
        Walk::Descend
    });
    reads.iter().any(|read| {
        !receivers.contains(read) && !awaited.iter().any(|around| around.contains_range(*read))
    })
}

/// Whether every `task.cancel()` statement in `body` (at any depth, nested scopes left out)
/// is followed, in its own block or after the `if`, `with` or `try` around it, by a
/// statement with an `await` that names `task` (`await task`, `await asyncio.wait([task])`);
/// `cancels` counts them. A loop's body is its own: what follows the loop waits only for the
/// last turn's task.
fn every_cancel_waited_for(body: &[Stmt], task: &str, cancels: &mut usize) -> bool {
    cancels_waited_in(body, task, cancels, &[])
}

fn cancels_waited_in(body: &[Stmt], task: &str, cancels: &mut usize, after: &[&[Stmt]]) -> bool {
    let names_task = |expr: &Expr| dotted_name(expr).is_some_and(|name| name == task);
    let awaits_task = |stmts: &[Stmt]| {
        stmts.iter().any(|later| {
            any_in_body(std::slice::from_ref(later), &mut |expr| {
                matches!(expr, Expr::Await(awaited)
                    if any_expr(&awaited.value, &mut |inner| names_task(inner)))
            })
        })
    };
    body.iter().enumerate().all(|(at, statement)| {
        let rest = &body[at + 1..];
        if let Stmt::Expr(expression) = statement
            && let Expr::Call(call) = &*expression.value
            && let Expr::Attribute(method) = &*call.func
            && method.attr.as_str() == "cancel"
            && names_task(&method.value)
        {
            *cancels += 1;
            return awaits_task(rest) || after.iter().any(|tail| awaits_task(tail));
        }
        // The statements that run after a block of `statement` ends.
        let mut enclosing: Vec<&[Stmt]> = after.to_vec();
        enclosing.push(rest);
        let within = |block: &[Stmt], cancels: &mut usize| {
            cancels_waited_in(block, task, cancels, &enclosing)
        };
        match statement {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => true,
            Stmt::If(if_stmt) => {
                within(&if_stmt.body, cancels)
                    && if_stmt
                        .elif_else_clauses
                        .iter()
                        .all(|clause| within(&clause.body, cancels))
            }
            Stmt::With(with) => within(&with.body, cancels),
            Stmt::For(for_stmt) => {
                cancels_waited_in(&for_stmt.body, task, cancels, &[])
                    && cancels_waited_in(&for_stmt.orelse, task, cancels, &[])
            }
            Stmt::While(while_stmt) => {
                cancels_waited_in(&while_stmt.body, task, cancels, &[])
                    && cancels_waited_in(&while_stmt.orelse, task, cancels, &[])
            }
            Stmt::Try(try_stmt) => {
                within(&try_stmt.body, cancels)
                    && try_stmt.handlers.iter().all(|handler| {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        within(&handler.body, cancels)
                    })
                    && within(&try_stmt.orelse, cancels)
                    && within(&try_stmt.finalbody, cancels)
            }
            // A cancel anywhere else (in an expression, a `match` arm) is not followed.
            other => !any_in_body(std::slice::from_ref(other), &mut |expr| {
                matches!(expr, Expr::Call(call)
                    if matches!(&*call.func, Expr::Attribute(method)
                        if method.attr.as_str() == "cancel" && names_task(&method.value)))
            }),
        }
    })
}

/// `asyncio.create_task(self.pump())` (or `loop.create_task`, `ensure_future`): the name of
/// the method of `receiver` the task runs.
fn task_method<'a>(checker: &Checker, value: &'a Expr, receiver: &str) -> Option<&'a str> {
    match task_coroutine(checker, value)? {
        Expr::Attribute(method) if is_name(&method.value, Some(receiver)) => {
            Some(method.attr.as_str())
        }
        _ => None,
    }
}

/// `asyncio.create_task(watch())` (or `loop.create_task`, `ensure_future`): what the
/// coroutine the task runs was made by calling (`watch`, `self.pump`).
fn task_coroutine<'a>(checker: &Checker, value: &'a Expr) -> Option<&'a Expr> {
    let Expr::Call(call) = value else { return None };
    let creates_task = checker
        .model
        .call_path(call)
        .is_some_and(|path| TASK_CREATING_CALLS.contains(&path.as_str()))
        || matches!(&*call.func, Expr::Attribute(attribute)
            if matches!(attribute.attr.as_str(), "create_task" | "ensure_future"));
    if !creates_task {
        return None;
    }
    let Some(Expr::Call(coroutine)) = call.arguments.args.first() else {
        return None;
    };
    Some(&coroutine.func)
}

/// The cancel-and-wait idiom with the wait in a helper: the `try` body awaits a parameter of
/// a private module-level function (`async def _reap(task): try: await task`), and every use
/// of the function in the module is a call that passes, for that parameter, a task its
/// caller cancelled before the call (`task.cancel()`, or `for t in (a, b): t.cancel()` then
/// `_reap(t)` in a second loop: the cancel is matched by the name it is called on).
fn awaits_task_its_callers_cancelled(checker: &Checker, try_stmt: &ast::StmtTry) -> bool {
    let Some(function) = checker.module_level_function() else {
        return false;
    };
    if !function.name.starts_with('_') {
        return false;
    }
    let module = &checker.module().body;
    let awaited = Collector::collect(checker, &try_stmt.body).awaited;
    // The awaited parameters, with their positions among the arguments a call spells.
    let parameters: Vec<(usize, &str)> = function
        .parameters
        .posonlyargs
        .iter()
        .chain(&function.parameters.args)
        .enumerate()
        .map(|(position, parameter)| (position, parameter.name().as_str()))
        .filter(|(_, name)| awaited.iter().any(|(task, _)| task == name))
        .collect();
    if parameters.is_empty() {
        return false;
    }
    let uses = ast_query::uses_of_name(module, function.name.as_str(), false, &|_| false);
    let cancelled_by_caller = |usage: &ast_query::NameUse| {
        let (Some(call), Some(caller)) = (usage.call, usage.caller) else {
            return false;
        };
        let cancels = Collector::collect(checker, caller).cancelled;
        parameters.iter().any(|&(position, name)| {
            let argument = call
                .arguments
                .find_argument_value(name, position)
                .and_then(dotted_name);
            argument.is_some_and(|argument| {
                cancels
                    .iter()
                    .any(|(task, at)| *task == argument && *at <= call.start())
            })
        })
    };
    !uses.is_empty() && uses.iter().all(cancelled_by_caller)
}

/// `handle` of `handle.wait()` / `worker.join()`: a method called without arguments that waits
/// for what the object runs.
fn waited_owner(awaited: &Expr) -> Option<String> {
    let Expr::Call(call) = awaited else {
        return None;
    };
    let Expr::Attribute(method) = &*call.func else {
        return None;
    };
    let name = method.attr.as_str();
    (call.arguments.is_empty() && (name.starts_with("wait") || name == "join"))
        .then(|| dotted_name(&method.value))
        .flatten()
}

/// The dotted name of the container a loop goes over: `tasks`, `self._tasks` (also through
/// `.values()`).
fn iterated_container(iter: &Expr) -> Option<String> {
    match iter {
        Expr::Call(call)
            if call.arguments.is_empty()
                && matches!(&*call.func, Expr::Attribute(method) if method.attr.as_str() == "values") =>
        {
            let Expr::Attribute(method) = &*call.func else {
                return None;
            };
            dotted_name(&method.value)
        }
        other => dotted_name(other),
    }
}

/// Whether `body` cancels the task `name` holds (`name.cancel()`, also under an `if`).
fn cancels_name(body: &[Stmt], name: &str) -> bool {
    walk_body_shallow(body, &mut |node| match node {
        Node::Expr(Expr::Call(call))
            if matches!(&*call.func, Expr::Attribute(attribute)
                if TASK_CANCEL_METHODS.contains(&attribute.attr.as_str())
                    && matches!(&*attribute.value, Expr::Name(task) if task.id.as_str() == name)) =>
        {
            Walk::Stop
        }
        _ => Walk::Descend,
    })
}

/// Awaited names (`await task`), cancelled names (`task.cancel()`) and methods called on the
/// receiver (`self.stop()`, by the receiver's name `receiver`), with their offsets, outside
/// nested functions.
#[derive(Default)]
struct Collector {
    awaited: Vec<(String, TextSize)>,
    /// `await handle.wait()`, `await worker.join()`: objects waited on through a method, which
    /// stand for the tasks they hold (`handle.task.cancel()` then `await handle.wait()`).
    waited_on: Vec<(String, TextSize)>,
    cancelled: Vec<(String, TextSize)>,
    /// `(name, method, end of the call)` for every `<name>.<method>(...)` whose receiver is a
    /// bare name; the caller keeps those on its own receiver.
    own_calls: Vec<(String, String, TextSize)>,
}

impl Collector {
    fn collect(checker: &Checker, body: &[Stmt]) -> Self {
        let mut found = Self::default();
        walk_body_shallow(body, &mut |node| {
            match node {
                Node::Expr(Expr::Await(await_expr)) => {
                    if let Some(owner) = waited_owner(&await_expr.value) {
                        found.waited_on.push((owner, await_expr.start()));
                    } else if let Some(task) = awaited_task(checker, &await_expr.value) {
                        found.awaited.push((task, await_expr.start()));
                    }
                }
                // `for task in tasks: task.cancel()` (also over `self._tasks.values()`):
                // the container's tasks are cancelled, for `await asyncio.gather(*tasks)`.
                Node::Stmt(Stmt::For(for_stmt)) => {
                    if let Expr::Name(target) = &*for_stmt.target
                        && let Some(container) = iterated_container(&for_stmt.iter)
                        && cancels_name(&for_stmt.body, target.id.as_str())
                    {
                        found.cancelled.push((container, for_stmt.end()));
                    }
                }
                Node::Expr(Expr::Call(call)) => {
                    if let Expr::Attribute(attribute) = &*call.func {
                        if TASK_CANCEL_METHODS.contains(&attribute.attr.as_str())
                            && let Some(task) = task_reference(checker, &attribute.value)
                        {
                            found.cancelled.push((task, call.end()));
                        } else if let Expr::Name(name) = &*attribute.value {
                            found.own_calls.push((
                                name.id.to_string(),
                                attribute.attr.to_string(),
                                call.end(),
                            ));
                        }
                    }
                }
                _ => {}
            }
            Walk::Descend
        });
        found
    }
}
