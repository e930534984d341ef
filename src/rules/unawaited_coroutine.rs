//! LW302 unawaited-coroutine: a coroutine is created and dropped, so it never runs.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};
use rustc_hash::FxHashMap;

use crate::ast_query::BoundNames;
use crate::catalog;
use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix, display_path};
use crate::project::coroutines::{CoroutineCall, coroutine_calls};
use crate::project::summary::CallUsage;
use crate::project::{Facts, Project, Resolution};
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW302 unawaited-coroutine

## What it does
Flags a call that creates a coroutine whose result is thrown away: an expression statement,
or a name bound to it and never read. The callee is an `async def` of the project (a module
function, an imported one, a method through `self`/`cls` or on a value built from a project
class, inherited methods, nested functions, a method of a value whose type another module
declares: `self.conn.execute(...)` where a base class in another module declares `conn`, or
`open_repo().save(...)` where `open_repo` is annotated `-> Repo`), or a known async API (`asyncio.sleep`,
`asyncio.wait_for`, `asyncio.open_connection`, `asyncio.Queue.put/get`, `asyncio.Lock.acquire`,
`asyncio.Event.wait`, `StreamWriter.drain`, `aiohttp.ClientSession` and `httpx.AsyncClient`
request methods and what they read a response's body with, the sends, receives, pings and
close of a websocket (aiohttp's `ws_connect` and `web.WebSocketResponse`, a `websockets`
connection), the requests of Azure's `.aio`
clients (`azure.storage.blob.aio` blob, container and service clients, `azure.cosmos.aio`
databases and containers, `azure.identity.aio` credentials' `get_token`), the requests of
the async clients of hosted model APIs (`openai.AsyncOpenAI`: chat completions, completions,
embeddings, responses, images, moderations, audio; `anthropic.AsyncAnthropic`: messages; also
through a union of one client class's names, `AsyncOpenAI | AsyncAzureOpenAI`; and the
`acreate` methods of openai's module API before 1.0), the `convert(ctx, argument)` of
`discord`'s command converters (`discord.ext.commands.RoleConverter`, also as `redbot`
re-exports them),
`sqlalchemy.ext.asyncio.AsyncSession`/`AsyncConnection` operations such as
`execute` and `commit` (and `exec` of `sqlmodel`'s async session), and the callable that `asgiref`'s `sync_to_async(f)` and Channels'
`database_sync_to_async(f)` return: `sync_to_async(save)(event)` without `await` never
runs `save`). So is a call of a sync `def` those decorators make into a coroutine function
(`@database_sync_to_async def store(self, ...)`, then `self.store(text)`); textual's
`@work(thread=True)`, which starts a worker and returns it, is not one. And, in async code,
a value annotated as a `typing.Callable` that returns an awaitable (below).

In async code, a call of a value annotated as a callable that returns an awaitable: a
parameter or attribute declared `Callable[[Event], Awaitable[None]]` or `Callable[...,
Coroutine[Any, Any, T]]` (`typing` or `collections.abc`, optional or not), directly or through
a type alias (`Handler = Callable[...]`, `Handler: TypeAlias = ...`, `type Handler = ...`) of
the same module or imported from another, or declared in a class of the module and named
through it (`handler: SpaEvent.CallBack`). Not in a sync `def`, where no `await` can fix it and
where such an annotation is more often loose (a plain function passed for it) than a
coroutine dropped; not a callable annotated to return a `Future` or `Task`, which runs
whether or not it is awaited.

## Why is this bad?
Calling an `async def` only builds a coroutine object; its body runs when it is awaited or
scheduled. Dropped, it never runs at all: the write is never made, the message never sent,
and the only trace is `RuntimeWarning: coroutine '...' was never awaited` when it is
garbage-collected, usually in a log nobody reads.

## Example
```python
async def save(record): ...

async def handler(record):
    save(record)
```

## Use instead
```python
async def handler(record):
    await save(record)
```

Also flagged: a coroutine used as if it were its result. Indexed or read for a member in
place (`fetch()["data"]`, `get_me().id`), also under an `await`, which binds looser than
either (`await fetch()["data"]` indexes the coroutine, then awaits the result); unpacked
(`rows, cursor = fetch(query)`: a coroutine cannot be iterated, so this raises `TypeError`);
bound to a name whose members are
read (`me = client.get_me()` then `me.id`, `rows = fetch()` then `rows[0]`; also as the
fallback of an `or`, `user = self.user or self.fetch_user(uid)` then `user.name`), or that is only
looked at for its type or its text, never awaited, returned or passed on (`result =
run(cmd)` then `if isinstance(result, Err):`, `f"failed: {result}"`, `print(result)` or
`logger.warning("failed: %s", result)`, a level method of a receiver whose name says it
logs; a test for an awaitable, `isinstance(result, Awaitable)`, is no such look); or bound to a
name once and, whatever else is done with it, filled, indexed, iterated or read for a member
no coroutine or future has (`roles = fetch_roles()`, `roles.insert(0, user)`, `return
roles`: the call fails there at run time); or handed to a
call that only inspects or formats what it is given and never awaits it: `print(...)`, `len(...)`, `str(...)`, `repr(...)`, `hasattr(...)`,
`isinstance(...)`, `getattr(...)`, `json.dumps(...)`, and the `logging` functions and
`Logger` methods (`logger.info("%s", fetch())`), and the response builders of web frameworks,
which serialise their body at once (`JSONResponse(content=fetch())` of Starlette and FastAPI,
`web.json_response(...)` of aiohttp, Sanic's `json`/`text`, `jsonify`), by position or keyword.
The call sees a coroutine object, never the value; the coroutine never runs.

Also flagged: a coroutine stored where nothing ever takes it out. Put into a collection the
function makes for itself and only ever fills (`pending.append(save(r))`, `pending = [save(a),
save(b)]`, `later[key] = save(r)`, where `pending` and `later` are locals that are never read
otherwise: not awaited, gathered, iterated, returned or passed on), or assigned to a private attribute
of `self` that nothing in the module reads (`self._last = save(r)`, with no `x._last` and no
`"_last"` string anywhere in the module; a public attribute may be read by another module).

Also flagged: an `async def` handed over as a plain callable, to be called by the event loop
(`loop.call_soon(self.refresh)`, `call_later`, `call_at`, `add_signal_handler`,
`fut.add_done_callback(on_done)`) or on a worker thread (`loop.run_in_executor(None, fetch)`,
`asyncio.to_thread(fetch)`, `threading.Thread(target=main)`, `executor.submit(fetch)`,
`run_in_threadpool(fetch)`); and so a library's coroutine function handed over the same way
(`asyncio.to_thread(self._ready.wait)` with `_ready` an `asyncio.Event`, `loop.call_soon(
asyncio.sleep, 1)`, `fut.add_done_callback(queue.put)` on an `asyncio.Queue`). The caller
calls it like a sync function, gets a coroutine object and never awaits it. The function
must be known: a local that may hold one of several
callables (`handler = getattr(self, name)` in one branch, `handler = self.fallback` in the
other) is not followed. An async generator function (an `async def` that yields) is not
flagged there: calling it makes an async generator, which the caller may be handed back to
iterate (`stream = await to_thread.run_sync(worker)`, then `async for item in stream`).

Also flagged: a function that calls a callable it was handed (`def on_each(events, callback):
callback(event)`) and drops the result, when every project function its callers hand it there
is an `async def` (`on_each(events, store_event)`): the message says the parameter it came in
as. No automatic fix for this one: code outside the project may hand the same function a plain
callable, which an `await` would break.

Also flagged: a coroutine returned as it is from an `async def` (`async def wait_done(self):
return self._done.wait()`). The caller awaits the function and gets the coroutine back, not
its result: the wait never happens, and the caller holds a coroutine where it expected a
value. (The catalog's contract leaves a returned coroutine alone; that is right for a plain
function, which hands it to its caller to await, but an `async def`'s return value is what
its `await` gives.) Not when the function is annotated to return an awaitable
(`-> Awaitable[None]`, `Coroutine`, `Future`, `Task`, `Any`), nor when it returns calls as
they are in more than one `return`: such a function dispatches awaitables its callers await
twice (`call = await route(request)`, then `await call`). Nor for a placeholder method
returned (`return self.parse(response)` with `parse` raising `NotImplementedError`), which
an override may make an async generator. The fix, `await`, is unsafe: a caller that awaits
twice would then await a value.

Also flagged, in an `async def`: a method call of a value no type reaches, as a statement
on its own, when the same function awaits the same call elsewhere (`await
message.channel.send("Cancelled")` in one branch, `message.channel.send("Pick a number")`
in another): the function's own code says the call makes something to await. The same means
the same text of the callee, from the same name: a parameter or a name the function binds
at most once (a loop variable rebound by two loops is two values), or one it never binds
(an import, a module global). A member of the receiver counts too (`self._session.request(...)`
dropped, `await self._session.request(...)` elsewhere, where the session is handed in
untyped): decided at the link, which may still find the member's type from what the
class's callers pass, and then judges the call by what it resolves to. Not when the two sit in different branches of one `if`
(`if is_async_callable(handler): await handler.run() else: handler.run()` tells the kinds
apart), nor in a handler of `TypeError` or `AttributeError` (a fallback for a sync object);
nor for a callee the catalog or the project resolves, which the rules above judge.

## Not flagged
A coroutine that is awaited, returned from a plain function, passed on (`asyncio.create_task(save(r))`,
`asyncio.gather(...)`), stored in a name that is read later, or used in any other expression.
A name bound more than once is judged by all its reads (`result = fetch()`, then `result =
await result`, then `result.rows`). A binding to `None` (a placeholder, a reset in an `except`) does not count as
another. `loop.run_in_executor(...)` submits its function at once
and returns a future: dropping it loses only the result, so it is not flagged.
An `async def` behind a decorator that may make it something else than a coroutine function
is not taken for one. The project's decorators, of any module, are read: one that returns the
function itself (a registration) or an `async def` wrapper, directly or from a decorator
factory (`@retry(times=3)`), keeps it a coroutine function; one that returns a sync `def`
wrapper (`def wrapper(*a): return asyncio.run(f(*a))`), or anything else (a `Command(f)`
object, a decorator of a class, a value), does not. A library's decorator keeps it only when
known to (`staticmethod`, `classmethod`, `abc.abstractmethod`, `functools.wraps`, `cache` and
`lru_cache`, `typing`'s `override`, `final` and `overload`, `warnings.deprecated`,
`tenacity.retry`, `backoff`'s, `async_lru.alru_cache`): any other, such as a widget
toolkit's `@work`, which starts a worker and returns it, or `asgiref`'s `@async_to_sync`,
which runs the coroutine to completion, may hand back a plain function.
An `async def` placeholder (`...`, a docstring, `pass` or `raise` for a body: a `Protocol`'s
or an abstract method) declared to return `AsyncIterator`, `AsyncIterable` or
`AsyncGenerator` is taken for what its implementations are, async generators: calling it
makes no coroutine, and `entries = feed.entries(10)` before `async for entry in entries` is
not flagged. One with a body is what it says: a coroutine that returns an iterator.
A callable handed in when some caller hands a plain function (the parameter takes both), or
when the function asks `inspect.iscoroutinefunction`, `inspect.isawaitable` or
`asyncio.iscoroutine` (it tells the kinds apart and calls each its own way). Likewise any
call under an `if` that asks such a probe of the very callable it calls (`if not
asyncio.iscoroutinefunction(self.close): self.close()`, in code shared by a sync and an
async class), a call after a guard clause that asks about the very callable and leaves
(`if inspect.iscoroutinefunction(fn): return await fn(x)`, then `return fn(x)`: only a
plain function gets there), and any callable handed to a thread or the loop under such an `if` that asks
about it (`if inspect.iscoroutinefunction(admin.authenticate): ... else:
sync_to_async(admin.authenticate)`: only a plain override reaches that branch).
Stored ones are followed only as far as the function or module can tell: a collection that
came in as a parameter (`outbox.append(save(r))`: the caller may await what it holds), a
local bound to anything but a new collection (`waiters = actor.stopping_waiters`, then
`waiters.append(join(actor))`: the owner's list), a
comprehension, an attribute the module reads anywhere or of another object than `self`, a
module-level collection, and a keyword argument of any other call (a scheduler may take it)
are not reported.

## Fix
Safe, in async context: prefix the call with `await`; for a call indexed in place, wrap it,
`(await fetch())["data"]`. None where an `await` already stands before the index (it has to
move, which is left to you), nor for a coroutine whose body loops forever (a `while True:`
with no `break` or `return` of its own): awaited, it would never return, so the help says to
start it as a task and keep a reference. Unsafe for a callable known only from
its annotation: if a plain function is passed for it after all, awaiting what it returns
raises; and for a call judged by the same call awaited elsewhere in the function, which
says what the value does only as far as that code is right.
"#;

pub(crate) fn check(project: &Project, facts: &Facts, report: &mut dyn FnMut(usize, Diagnostic)) {
    for coroutine in coroutine_calls(
        project,
        facts,
        &[
            CallUsage::Dropped,
            CallUsage::StoredUnread,
            CallUsage::Consumed,
            CallUsage::Indexed,
            CallUsage::IndexedUnderAwait,
            CallUsage::Returned,
        ],
    ) {
        let CoroutineCall {
            caller,
            call,
            callee_name: ref name,
            handed_as,
            ..
        } = coroutine;
        let message = match call.usage {
            CallUsage::Consumed | CallUsage::Indexed => format!(
                "Coroutine `{name}(...)` is used as if it were its result, but never awaited: it never runs"
            ),
            CallUsage::Returned => format!(
                "Coroutine `{name}(...)` is returned from an `async def` without `await`: awaiting the function gives back this coroutine, not its result, and it never runs"
            ),
            CallUsage::IndexedUnderAwait => format!(
                "Coroutine `{name}(...)` is indexed before it is awaited: `await` applies to the whole expression, so the call needs its own parentheses, `(await {name}(...))`"
            ),
            _ => format!("Coroutine `{name}(...)` is created but never awaited, so it never runs"),
        };
        let message = match handed_as {
            Some(parameter) => message.replacen(
                &format!("`{name}(...)`"),
                &format!("`{name}(...)` (handed in as `{parameter}`)"),
                1,
            ),
            None => message,
        };
        let help = if coroutine.loops_forever {
            "It loops forever, so awaiting it here would wait for good: schedule it with `asyncio.create_task` and keep a reference to the task"
        } else {
            "Await it, or schedule it with `asyncio.create_task` and keep a reference to the task"
        };
        let mut diagnostic =
            Diagnostic::new(Rule::UnawaitedCoroutine, message, call.range).with_help(help);
        if let Some(fix) = coroutine.await_fix() {
            diagnostic = diagnostic.with_fix(fix);
        }
        report(caller.0, diagnostic);
    }
    check_async_callbacks(project, report);
    check_held(project, report);
}

const ASYNC_CALLBACK_HELP: &str = "Schedule the coroutine instead: `asyncio.create_task(f(...))` on the loop (keep a reference), or `asyncio.run_coroutine_threadsafe(f(...), loop)` from another thread; or make the callback a sync function";

/// An `async def` handed over as a plain callable (`loop.call_soon(self.refresh)`,
/// `fut.add_done_callback(on_done)`, `loop.run_in_executor(None, fetch)`,
/// `threading.Thread(target=main)`): whoever calls it gets a coroutine and drops it.
fn check_async_callbacks(project: &Project, report: &mut dyn FnMut(usize, Diagnostic)) {
    for id in project.function_ids() {
        let handed = project.thread_targets(id);
        let registered = project.loop_callbacks(id);
        // What a lambda handed over calls is called, not handed: the lambda decides what
        // becomes of its result (`lambda: hass.async_create_task(refresh())`).
        for (handoff, caller) in handed
            .iter()
            .filter(|handoff| !handoff.in_lambda)
            .map(|handoff| (handoff, "the worker thread"))
            .chain(registered.iter().map(|handoff| (handoff, "the event loop")))
        {
            let Some(target) = project.resolve_handed(&handoff.target) else {
                // A library's coroutine function (`asyncio.to_thread(self._ready.wait)` on
                // an `asyncio.Event`): the same coroutine made and dropped.
                if let Some(api) = project
                    .library_api(&handoff.target)
                    .filter(|api| catalog::is_coroutine_api(api))
                {
                    let message = format!(
                        "`{}` is a coroutine function handed to `{}` as a plain callable: {caller} calls it and gets a coroutine that nobody awaits, so it never runs",
                        display_path(&api),
                        display_path(&handoff.via),
                    );
                    report(
                        id.0,
                        Diagnostic::new(Rule::UnawaitedCoroutine, message, handoff.range)
                            .with_help(ASYNC_CALLBACK_HELP),
                    );
                }
                continue;
            };
            let target_function = project.function(target);
            // An async generator function makes an async generator, which its caller may
            // hand back to be iterated (`await to_thread.run_sync(worker)` then `async for`).
            if !target_function.is_async
                || target_function.is_generator
                || project.coroutine_hidden(target)
            {
                continue;
            }
            let message = format!(
                "`{}` is an `async def` handed to `{}` as a plain callable: {caller} calls it and gets a coroutine that nobody awaits, so its body never runs",
                target_function.name(),
                display_path(&handoff.via),
            );
            let diagnostic = Diagnostic::new(Rule::UnawaitedCoroutine, message, handoff.range)
                .with_help(ASYNC_CALLBACK_HELP)
                .with_chain(vec![project.definition_step(target)]);
            report(id.0, diagnostic);
        }
    }
}

/// A bare call statement in an `async def` whose callee nothing resolves (`path`: the
/// model's path, `None` or a library API the catalog does not know to be a coroutine
/// function), reported when the function awaits the same call elsewhere. With `held`, a
/// path that may name a project function, the finding waits for the link
/// ([`check_held`]).
pub(crate) fn check_awaited_elsewhere(
    checker: &mut Checker,
    call: &ast::ExprCall,
    held: Option<&str>,
) {
    let Some(function) = checker.current_function() else {
        return;
    };
    // Most such calls (a log line) have no awaited twin: the callees the function's text
    // awaits as written (`await ` then a dotted name, read once per function) rule them out
    // before its body is walked again.
    let awaited_as_written = {
        let mut texts = checker.rule_state::<AwaitedTexts>();
        if texts.function != Some(function.start()) {
            texts.function = Some(function.start());
            texts.callees = awaited_callee_texts(checker.text(function.range()));
        }
        texts.callees.contains(checker.text(call.func.range()))
    };
    if !awaited_as_written {
        return;
    }
    let Some((callee, root)) = callee_text(&call.func) else {
        return;
    };
    let branches = branches_of(checker.statement_ancestors(), function, call.start());
    let Some(branches) = branches else {
        return;
    };
    let twin = {
        let mut state = checker.rule_state::<AwaitedCalls>();
        state.of(function);
        if state.bindings.get(root).is_some_and(|&count| count > 1) {
            return;
        }
        state
            .awaited
            .get(&callee)
            .and_then(|sites| {
                sites
                    .iter()
                    .find(|(_, awaited)| !in_other_branch(awaited, &branches))
            })
            .map(|(offset, _)| *offset)
    };
    let Some(twin) = twin else {
        return;
    };
    // Where the awaited call is, counted from this one: a finding held for the link must not
    // name a row, which moves with every line added above the function.
    let (row, twin_row) = (checker.row_of(call.start()), checker.row_of(twin));
    let lines = row.abs_diff(twin_row);
    let place = match (lines, twin_row > row) {
        (0, _) => "on the same line".to_string(),
        (1, true) => "on the next line".to_string(),
        (1, false) => "on the line before".to_string(),
        (_, true) => format!("{lines} lines below"),
        (_, false) => format!("{lines} lines above"),
    };
    let diagnostic = Diagnostic::new(
        Rule::UnawaitedCoroutine,
        format!("`{callee}(...)` is called without `await`, but this function awaits the same call {place}: the coroutine it makes here is dropped and never runs"),
        call.range(),
    )
    .with_help("Await it, as the other call is")
    .with_fix(Fix::unsafe_edit(
        "Add `await`",
        vec![Edit::insertion("await ", call.start())],
    ));
    match held {
        Some(path) => checker.summary.hold_unawaited_finding(diagnostic, path),
        None => checker.report(diagnostic),
    }
}

/// The findings [`check_awaited_elsewhere`] held for the link: each stands when its path
/// names no project function (an attribute whose type nothing reaches, `self._api.fetch`)
/// and no library API the catalog knows to make a coroutine; those the rest of the rule
/// judges from what they are.
fn check_held(project: &Project, report: &mut dyn FnMut(usize, Diagnostic)) {
    for (index, module) in project.modules.iter().enumerate() {
        for pending in &module.summary.pending_unawaited_findings {
            let callees = &module.summary.callees;
            let resolution = (0..callees.len())
                .find(|&at| callees.get(at) == Some(&*pending.callee))
                .map(|at| project.resolution(index, at as u32));
            let judged = match resolution {
                Some(Resolution::Function(_)) => true,
                Some(Resolution::External(path)) => catalog::is_coroutine_api(path),
                Some(Resolution::Unknown) | None => project.resolve(&pending.callee).is_some(),
            };
            if !judged {
                report(index, pending.diagnostic.clone());
            }
        }
    }
}

/// The callees `function`'s text awaits as written: the dotted name after each `await `
/// (`await self._session.request(...)` gives `self._session.request`).
fn awaited_callee_texts(function: &str) -> rustc_hash::FxHashSet<Box<str>> {
    let bytes = function.as_bytes();
    memchr::memmem::find_iter(bytes, b"await ")
        .filter_map(|at| {
            let start = at + "await ".len();
            let length = bytes[start..]
                .iter()
                .take_while(|&&byte| {
                    byte == b'.' || byte == b'_' || byte.is_ascii_alphanumeric() || byte >= 0x80
                })
                .count();
            (length > 0 && bytes.get(start + length) == Some(&b'('))
                .then(|| function.get(start..start + length))
                .flatten()
                .map(Box::from)
        })
        .collect()
}

/// Per module walk, the callees the current function awaits as written
/// ([`awaited_callee_texts`]), for the function that starts at `function`.
#[derive(Default)]
struct AwaitedTexts {
    function: Option<TextSize>,
    callees: rustc_hash::FxHashSet<Box<str>>,
}

/// Where a statement sits among the `if`s of its function: each `if` around it (by its
/// start) with the branch it is in (0 for the body, then one per `elif`/`else`).
type Branches = Vec<(TextSize, usize)>;

/// The calls an `async def` awaits, by the text of their callee, with where each sits; and
/// how many times the function binds each name (its parameters once). Made once per
/// function, when a call of it is first asked about.
#[derive(Default)]
pub(crate) struct AwaitedCalls {
    function: Option<TextSize>,
    awaited: FxHashMap<String, Vec<(TextSize, Branches)>>,
    bindings: FxHashMap<String, usize>,
}

impl AwaitedCalls {
    fn of(&mut self, function: &ast::StmtFunctionDef) {
        if self.function == Some(function.start()) {
            return;
        }
        self.function = Some(function.start());
        self.awaited.clear();
        self.bindings.clear();
        let mut names = BoundNames::default();
        names.visit_body(&function.body);
        for parameter in function.parameters.iter() {
            *names.bound.entry(parameter.name().as_str()).or_default() += 1;
        }
        self.bindings = (names.bound.into_iter())
            .map(|(name, count)| (name.to_string(), count))
            .collect();
        let mut collector = AwaitCollector {
            calls: self,
            branches: Vec::new(),
        };
        collector.visit_body(&function.body);
    }
}

struct AwaitCollector<'s> {
    calls: &'s mut AwaitedCalls,
    branches: Branches,
}

impl<'a> Visitor<'a> for AwaitCollector<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            // Their bodies are other functions'.
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::If(if_stmt) => {
                self.visit_expr(&if_stmt.test);
                self.branches.push((if_stmt.start(), 0));
                self.visit_body(&if_stmt.body);
                for (index, clause) in if_stmt.elif_else_clauses.iter().enumerate() {
                    if let Some(last) = self.branches.last_mut() {
                        last.1 = index + 1;
                    }
                    if let Some(test) = &clause.test {
                        self.visit_expr(test);
                    }
                    self.visit_body(&clause.body);
                }
                self.branches.pop();
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => {}
            Expr::Await(awaited) => {
                if let Expr::Call(call) = &*awaited.value
                    && let Some((callee, _)) = callee_text(&call.func)
                {
                    let branches = self.branches.clone();
                    self.calls
                        .awaited
                        .entry(callee)
                        .or_default()
                        .push((call.start(), branches));
                }
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// `message.channel.send` as text, with its root name (`message`): a method of a value
/// reached from a name. A plain name (`handler(...)`) is a handed callable, which the
/// link judges.
fn callee_text(callee: &Expr) -> Option<(String, &str)> {
    let Expr::Attribute(_) = callee else {
        return None;
    };
    let mut parts = Vec::new();
    let mut current = callee;
    loop {
        match current {
            Expr::Attribute(attribute) => {
                parts.push(attribute.attr.as_str());
                current = &attribute.value;
            }
            Expr::Name(name) => {
                parts.push(name.id.as_str());
                let root = name.id.as_str();
                parts.reverse();
                return Some((parts.join("."), root));
            }
            _ => return None,
        }
    }
}

/// The branches of the `if`s around the statement at `offset` inside `function`, from the
/// statements around it; `None` when it sits in a handler of `TypeError` or `AttributeError`
/// (the fallback of code that tries the awaitable kind first).
fn branches_of(
    ancestors: &[&Stmt],
    function: &ast::StmtFunctionDef,
    offset: TextSize,
) -> Option<Branches> {
    let start = ancestors.iter().rposition(
        |stmt| matches!(stmt, Stmt::FunctionDef(def) if def.range() == function.range()),
    )?;
    let mut branches = Vec::new();
    for (index, stmt) in ancestors.iter().enumerate().skip(start + 1) {
        let inner = ancestors.get(index + 1).map_or(offset, |next| next.start());
        match stmt {
            Stmt::If(if_stmt) => {
                let branch = if_stmt
                    .elif_else_clauses
                    .iter()
                    .position(|clause| clause.range().contains(inner))
                    .map_or(0, |position| position + 1);
                branches.push((if_stmt.start(), branch));
            }
            Stmt::Try(try_stmt) => {
                let in_fallback = try_stmt.handlers.iter().any(|handler| {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    handler.range().contains(inner)
                        && handler.type_.as_deref().is_some_and(catches_fallback)
                });
                if in_fallback {
                    return None;
                }
            }
            _ => {}
        }
    }
    Some(branches)
}

/// `except TypeError:`, `except (AttributeError, ValueError):`.
fn catches_fallback(caught: &Expr) -> bool {
    match caught {
        Expr::Tuple(tuple) => tuple.iter().any(catches_fallback),
        _ => crate::ast_query::last_identifier(caught)
            .is_some_and(|name| matches!(name, "TypeError" | "AttributeError")),
    }
}

/// Whether two places sit in different branches of one `if`: one runs when the other does not.
fn in_other_branch(one: &Branches, other: &Branches) -> bool {
    one.iter()
        .zip(other)
        .find(|(a, b)| a != b)
        .is_some_and(|((a_if, _), (b_if, _))| a_if == b_if)
}
