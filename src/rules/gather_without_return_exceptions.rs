//! LW401 gather-without-return-exceptions: a fail-fast `asyncio.gather(a, b)` whose early exit
//! is observable: the caller carries on, closes what the other awaitables use, or fails half-way
//! through their writes, while they keep running unsupervised.

use std::rc::Rc;

use ruff_python_ast::comparable::ComparableExpr;
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::{FxHashMap, FxHashSet as HashSet};

use crate::ast_query::{BoundNames, element_comprehension, items_passed_through, receiver_name};
use crate::catalog::{self, GATHER_CALLS};
use crate::checker::Checker;
use crate::checker::gather::{
    fails_fast_over_siblings, held_elsewhere, waits_on_tasks_held_elsewhere,
};
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;
use crate::semantic::{dotted_name, element_type};

pub const DOCS: &str = r#"# LW401 gather-without-return-exceptions

## What it does
Flags `asyncio.gather(...)` (however imported) given two or more awaitables, or a starred one
(`gather(*coros)`), without a `return_exceptions=` argument, where the early exit on the first
error is observable. The message says which of these it is:

1. **The caller carries on** while the others run. The gather sits in the `try` of a handler
   that does not raise (it logs, returns a fallback, retries), or in `with
   contextlib.suppress(...)`; the message names the handler's row.
2. **What the awaitables use is closed under them.** The gather sits in an `async with` /
   `with` whose exit closes or releases something the awaitables use (`async with
   aiohttp.ClientSession() as session`, `async with pool.acquire() as conn`, `async with
   self._lock`, `with open(...) as f`, `with tempfile.TemporaryDirectory() as tmp`, what the body
   enters into an `AsyncExitStack`), or in a `try` whose `finally` closes it (`await
   client.aclose()`, `conn.close()`, `lock.release()`, `shutil.rmtree(tmp)`). The awaitables use
   it when it is passed to them (`download(session, url)`), or when the body of the coroutine
   they run reads it (`self._push()` reading `self._client`).
3. **The caller fails half-way through writes.** One awaitable writes and another can fail: the
   caller raises while the write goes on. An awaitable writes when it is a store or HTTP write
   (`db.orders.delete_one(...)`, `client.put(...)`, `device.set_power(True)`), or runs a coroutine
   of this module that awaits one (`insert`, `update_one`, `delete`, `remove`, `save`, `commit`,
   `set`, `put`, `patch`, `upsert`, ...; `execute` with INSERT/UPDATE/DELETE SQL), directly or
   through the module's functions it calls, or that assigns a `global`/`nonlocal` name (not a
   `nonlocal` that is a local of the function holding the gather, outside any `try` with
   handlers there: when the gather raises that function unwinds, and nothing reads it). A
   method of such a name awaited in a worker thread counts as well (`await
   asyncio.to_thread(self.vector_store.delete, vector_id=i)`; not `update`, which also
   names a refresh).
4. **A loop is left running.** One awaitable runs a coroutine of this module that loops until
   something else stops it (its body ends in `while True:`, `while self._running:` or `while
   not self._stop.is_set():` that awaits, with no `break` or `return` of its own but a
   `return` right after awaiting that stop event: a reader, a keepalive, a forwarder) and
   another can fail: the caller raises and the loop runs on with nobody to stop it or hear of
   its end.
5. **Its results are checked for exceptions.** The function binds what the gather returns
   (`results = await asyncio.gather(*tasks)`) and tests it, or the items of a loop over it,
   with `isinstance(result, Exception)` (or `BaseException`): the code expects the errors
   returned, as `return_exceptions=True` would. Without it the check never sees one: the
   first error escapes the gather while the others run on, and the handling written for it
   never runs. Reported whatever the awaitables are.

What the rule sees, and what it does not: it reads one file. It follows the coroutine functions
of the same module that an awaitable calls by name (module-level, or nested in the current
function) or as `self.method()` / `cls.method()` of the enclosing class, class and static
methods called on a class of the module (`Reading.create(hub, meter)`), functions handed to a
worker thread (`asyncio.to_thread(save, x)`, `hass.async_add_executor_job(save, x)`), and
awaitables kept in locals (`task = asyncio.create_task(save())`, `tasks.append(save(x))`,
`[save(x) for x in xs]`). A coroutine imported from another module, a method of another object,
a callee passed in as a parameter, an override in a subclass, or what a decorator wraps around a
coroutine is not seen: it is neither a writer nor an awaitable that cannot fail. Its name counts
only as the catalog's store/HTTP verbs say (`set_power` writes, `get_status` reads).

## Why is this bad?
With the default `return_exceptions=False`, the first exception raised by any awaitable is
propagated to the caller at once. The other awaitables are **not cancelled**: they keep
running in the background, unsupervised. Their results are lost, and when they fail later
their exceptions are discarded without even the "Task exception was never retrieved" log
(`gather` marks them as retrieved). The caller, meanwhile, has moved on as if the work had
stopped: the handler returns a fallback or retries while the first attempt still runs, the
`async with` closes the session the others are still using, or the request fails while a
half-done write still lands seconds later.

Many articles claim that `gather` cancels the remaining awaitables when one fails; it does
not. The children are cancelled only when the `gather()` future itself is cancelled (for
example because the task awaiting it was cancelled, or a `wait_for` deadline around it
expired).

This rule used to flag every such gather. On a benchmark corpus of real projects a reader
judged only 1 finding in 20 worth a maintainer's action; the rest were siblings that cannot fail
(their whole body is a `try/except Exception` that logs and returns a status), gathers over
futures created and owned elsewhere (Home Assistant's `await asyncio.gather(*self._setup_futures)`),
and read-only fetches, whose early exit nobody observes. Those shapes are now not reported;
LW404 (off by default) is the broad form for teams that use `TaskGroup` everywhere.

## Example
```python
async def sync_orders(api, orders):
    try:
        await asyncio.gather(*(api.push(o) for o in orders))
    except ConnectionError:
        log.warning("push failed, will retry on the next run")
```
When one push fails, the handler logs "will retry" and returns while the other pushes keep
running; the next run pushes them a second time.

```python
async def checkout(self, order):
    await asyncio.gather(self._charge(order), self._reserve_stock(order))
```
If `_reserve_stock` fails, the checkout fails while `_charge` runs on and may still charge the
card.

## Use instead
On Python 3.11 or newer, `asyncio.TaskGroup`: when one task fails, the others are cancelled,
the group waits for all of them, and every error is raised together in an `ExceptionGroup`:
```python
async def checkout(self, order):
    async with asyncio.TaskGroup() as tg:
        tg.create_task(self._charge(order))
        tg.create_task(self._reserve_stock(order))
```
On older versions, `return_exceptions=True`, so `gather` waits for every awaitable, then check
each result:
```python
results = await asyncio.gather(*(api.push(o) for o in orders), return_exceptions=True)
errors = [r for r in results if isinstance(r, BaseException)]
```

## Not flagged
- A `gather` of a single, non-starred awaitable: there are no siblings to leave behind.
- Any explicit `return_exceptions=` (`True`, or `False` when the fail-fast behaviour is
  intended), or keywords passed through `**kwargs`, which may contain it. But a
  `return_exceptions=False` written out and followed by a check of the results for
  exceptions (the shape above) is reported: the check can never see one.
- Siblings that cannot fail: every awaitable runs a coroutine of this module whose whole body
  is a `try` with an `except Exception:` (or `BaseException`, or bare) handler that does not
  raise, with only docstrings, logging calls, plain returns and guards (`if self._queue is None:
  return`) around it, and bookkeeping calls in its `finally` (also all that under `async with`
  of an `asyncio` or `anyio` lock or semaphore, `async with sem:`, whose entry fails only
  when the task is cancelled); or a library call that fails
  only when cancelled: `queue.put(item)` on an `asyncio.Queue` (also `q.put(item) for q in
  queues` over a `list[asyncio.Queue]` or a slice of one), `asyncio.sleep(...)`.
- Tasks and futures created and owned elsewhere: every awaitable is an attribute of `self`/`cls`
  or of a module-level object, a module-level name, `asyncio.all_tasks()`, a local copy of
  one (`pending = self._tasks.copy()`), or a local the function also stores in one
  (`self._close_task = closing`); their owner supervises them.
- Read-only siblings: in a `try` that carries on, nothing is reported when the awaitables that
  keep running only read: coroutines of this module that write nothing the rule recognises,
  calls of a read (`client.get(...)`, `fetch_rows(...)`, `event.wait()`), or, when the gather's
  value is used (`a, b = await asyncio.gather(api.status(), api.version())`), any awaitable that
  is not a known write: the caller wants their results, so they are fetches.
- Writes whose early exit changes nothing: a sibling of the write that cannot fail; a cache
  write (`cache.set(...)`, `async_set_cache(...)`), which only fills a copy of what was read.
  `post` is not counted as a write (it is as often a search, an analysis or a model call), nor
  are `create_...`/`add_...` methods (`create_task`, `add_executor_job`), a bare `update()` (a
  refresh), or an assignment to an attribute: on the corpus those were lazy set-ups (`if
  self._session is None: self._session = ...`), caches of what was read and error bookkeeping,
  and whether anyone reads the attribute while the siblings run on cannot be told from one file.
- A handler that raises (re-raises, or raises another error), that cancels the tasks (in the
  handler or the `finally`: it deals with the siblings), that catches only `CancelledError`,
  `KeyboardInterrupt` or `SystemExit`, or only the `TimeoutError` of a `wait_for` /
  `asyncio.timeout` around the gather (the deadline cancels the gather, and so its children). A
  bounded wait (`wait_for(event.wait(), 9)`) fails only by timing out, so a handler that does not
  catch timeouts is not about it.
- Siblings that write or loop until stopped, when a handler around the gather catches every
  error and cancels the tasks, or its `finally` does: none runs on unsupervised, however the
  handler ends (`for task in tasks: task.cancel()`, then `raise`). A sibling that loops on a
  flag (`while consumer.delivering:`) when the `finally` sets that flag to a falsy literal
  (`consumer.delivering = False`): the loop ends with the gather.
- A `with` or `finally` whose resource the awaitables do not use, and a `finally` that cancels
  the tasks before it closes what they use (`await cancel_and_wait(*tasks)` then `await
  stream.aclose()`), or whose `try` has a handler that catches every error and cancels them:
  they are stopped first.
- A `finally` whose "closing" call is a method of a class of the module that only signals
  (`def stop(self): self._stopped.set()`, flags set to `True`, `False`, `None` or a number,
  `notify_all()`, log lines): the awaitables still running watch for the signal and end, as written to;
  nothing they use is closed. A class of another module is not looked into, and the
  finding stays.
- `return_exceptions=True` results that are never checked are LW402's business.

## Fix
None: switching to `TaskGroup` changes the error type the caller sees (`ExceptionGroup`), and
`return_exceptions=True` changes the return value. The help line names the replacement for the
configured target version (`TaskGroup` on 3.11+, else `return_exceptions=True`).
"#;

/// How deep the rule follows awaitables through locals and coroutines through their callees.
const MAX_DEPTH: usize = 8;

pub(crate) fn check_call<'a>(checker: &mut Checker<'a, '_>, call: &'a ast::ExprCall, path: &str) {
    if !GATHER_CALLS.contains(&path) {
        return;
    }
    // `return_exceptions=False` written out chooses failing fast, unless the code then
    // checks the results for exceptions, which it can never see.
    if passes_false_return_exceptions(call) {
        if let Some(observed) = results_checked_for_exceptions(checker, call) {
            report_with(checker, call, &observed, "with `return_exceptions=False`");
        }
        return;
    }
    if !fails_fast_over_siblings(call) {
        return;
    }
    // Futures created and owned elsewhere: their owner supervises them.
    if waits_on_tasks_held_elsewhere(checker, call) {
        return;
    }
    if let Some(observed) = results_checked_for_exceptions(checker, call) {
        report(checker, call, &observed);
        return;
    }
    let scope = Scope::current(checker);
    let awaitables = Collector::collect(checker, &scope, call);
    // The same, through a local copy: `pending = self._tasks.copy()`.
    if awaitables
        .iter()
        .all(|awaitable| awaitable.seen.is_none() && held_elsewhere(checker, awaitable.expr))
    {
        return;
    }
    let facts: Vec<Facts> = awaitables
        .iter()
        .map(|awaitable| Facts::of(checker, &scope, awaitable))
        .collect();
    // Siblings that cannot fail: the gather never exits early.
    if facts.iter().all(|facts| facts.cannot_fail) {
        return;
    }
    let Some(observed) = closed_resource(checker, &scope, call, &awaitables)
        .or_else(|| carrying_handler(checker, call, &awaitables, &facts))
        .or_else(|| {
            if cancelled_on_failure(checker, call) {
                return None;
            }
            half_done_write(checker, &awaitables, &facts).or_else(|| {
                left_running(&awaitables, &facts, |flag| {
                    flag_cleared_after(checker, call, flag)
                })
            })
        })
    else {
        return;
    };
    report(checker, call, &observed);
}

/// Whether `call` gathers two or more awaitables (or a starred one) with
/// `return_exceptions=False` spelled as a literal, and no `**kwargs`.
fn passes_false_return_exceptions(call: &ast::ExprCall) -> bool {
    let arguments = &call.arguments;
    arguments
        .keywords
        .iter()
        .all(|keyword| keyword.arg.is_some())
        && arguments.find_keyword("return_exceptions").is_some_and(
            |keyword| matches!(&keyword.value, Expr::BooleanLiteral(literal) if !literal.value),
        )
        && (arguments.args.len() >= 2 || arguments.args.iter().any(Expr::is_starred_expr))
}

/// Reports the gather `call`, observed to exit early as `observed` says.
fn report(checker: &mut Checker, call: &ast::ExprCall, observed: &str) {
    report_with(checker, call, observed, "without `return_exceptions=`");
}

/// [`report`], the message saying how the call spells (or leaves out) `return_exceptions`.
fn report_with(checker: &mut Checker, call: &ast::ExprCall, observed: &str, spelled: &str) {
    let target = checker.settings.target_version;
    let help = if (target.major, target.minor) >= (3, 11) {
        "Use `asyncio.TaskGroup`, which cancels the siblings and raises every error in an `ExceptionGroup`; or pass `return_exceptions=True` and check each result"
    } else {
        "Pass `return_exceptions=True` and check each result with `isinstance(result, BaseException)` (or use `asyncio.TaskGroup` from Python 3.11)"
    };
    checker.report(
        Diagnostic::new(
            Rule::GatherWithoutReturnExceptions,
            format!("`asyncio.gather` {spelled}: {observed}"),
            call.range(),
        )
        .with_help(help),
    );
}

/// Shape 5: `results = await asyncio.gather(...)` followed, in the function, by
/// `isinstance(<a result>, Exception)` (or `BaseException`), a result being the bound name,
/// an item of it, or the target of a loop over it (`for r in results`, `for i, r in
/// enumerate(results)`). The message, naming the check's row.
fn results_checked_for_exceptions(checker: &Checker, call: &ast::ExprCall) -> Option<String> {
    let Some(Stmt::Assign(assign)) = checker.current_statement() else {
        return None;
    };
    let [Expr::Name(bound)] = assign.targets.as_slice() else {
        return None;
    };
    if !matches!(&*assign.value, Expr::Await(awaited)
        if awaited.value.range() == call.range())
    {
        return None;
    }
    let function = checker.current_function()?;
    let mut finder = ExceptionCheck {
        checker,
        after: assign.end(),
        results: vec![bound.id.as_str()],
        found: None,
    };
    finder.visit_body(&function.body);
    let found = finder.found?;
    Some(format!(
        "its results are checked for exceptions (`{}`, line {}), but without `return_exceptions=True` it raises the first one instead of returning it: the check never sees an error, and the others run on unsupervised",
        short(checker.text(found)),
        checker.row_of(found.start())
    ))
}

/// Finds `isinstance(result, Exception)` after `after` ([`results_checked_for_exceptions`]).
struct ExceptionCheck<'c, 'a, 'm> {
    checker: &'c Checker<'a, 'm>,
    after: TextSize,
    /// The bound name, and the loop targets over it found so far.
    results: Vec<&'a str>,
    found: Option<TextRange>,
}

impl<'a> ExceptionCheck<'_, 'a, '_> {
    fn is_result(&self, expr: &Expr) -> bool {
        let expr = match expr {
            Expr::Subscript(subscript) => &*subscript.value,
            other => other,
        };
        matches!(expr, Expr::Name(name) if self.results.contains(&name.id.as_str()))
    }

    fn names_exception(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Tuple(tuple) => tuple.elts.iter().any(|elt| self.names_exception(elt)),
            other => self.checker.model.path_of(other).is_some_and(|path| {
                matches!(
                    path.as_str(),
                    "builtins.Exception" | "builtins.BaseException"
                )
            }),
        }
    }
}

impl<'a> Visitor<'a> for ExceptionCheck<'_, 'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found.is_some() || matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            return;
        }
        if let Stmt::For(for_stmt) = stmt
            && for_stmt.start() >= self.after
            && crate::ast_query::any_expr(
                &for_stmt.iter,
                &mut |inner| matches!(inner, Expr::Name(name) if self.results.contains(&name.id.as_str())),
            )
        {
            let mut targets = Vec::new();
            crate::ast_query::target_names(&for_stmt.target, &mut targets);
            self.results.extend(targets);
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found.is_some() {
            return;
        }
        if let Expr::Call(call) = expr
            && call.start() >= self.after
            && let Expr::Name(callee) = &*call.func
            && callee.id.as_str() == "isinstance"
            && let [value, classes] = call.arguments.args.as_ref()
            && self.is_result(value)
            && self.names_exception(classes)
        {
            self.found = Some(call.range());
            return;
        }
        visitor::walk_expr(self, expr);
    }
}

// ---------------------------------------------------------------------------------------
// Where the code is: the function, its class, and the definitions the rule can see.

/// A function body and what its names mean: the module's definitions, the enclosing class's
/// methods through the receiver, and the function's own locals.
struct Scope<'a> {
    module: ModuleBody<'a>,
    function: Option<&'a ast::StmtFunctionDef>,
    class: Option<&'a ast::StmtClassDef>,
    /// The name `self`/`cls` is bound to in this body.
    receiver: Option<&'a str>,
    params: HashSet<&'a str>,
    /// Names the body binds (parameters aside), `global`/`nonlocal` ones aside.
    locals: HashSet<&'a str>,
    /// Names declared `global` or `nonlocal`.
    declared_shared: HashSet<&'a str>,
}

/// A function of this module whose body the rule reads.
#[derive(Clone, Copy)]
struct Seen<'a> {
    def: &'a ast::StmtFunctionDef,
    class: Option<&'a ast::StmtClassDef>,
    receiver: Option<&'a str>,
    closure: bool,
}

impl<'a> Scope<'a> {
    fn current(checker: &Checker<'a, '_>) -> Self {
        let (class, method) = enclosing_method(checker.statement_ancestors());
        Self::new(
            ModuleBody::of(checker),
            checker.current_function(),
            class,
            method.and_then(receiver_name),
        )
    }

    fn of(module: &ModuleBody<'a>, seen: Seen<'a>) -> Self {
        Self::new(module.clone(), Some(seen.def), seen.class, seen.receiver)
    }

    fn new(
        module: ModuleBody<'a>,
        function: Option<&'a ast::StmtFunctionDef>,
        class: Option<&'a ast::StmtClassDef>,
        receiver: Option<&'a str>,
    ) -> Self {
        let mut scope = Self {
            module,
            function,
            class,
            receiver,
            params: HashSet::default(),
            locals: HashSet::default(),
            declared_shared: HashSet::default(),
        };
        if let Some(function) = function {
            scope.params = function
                .parameters
                .iter()
                .map(|parameter| parameter.name().as_str())
                .collect();
            let mut bindings = BoundNames::default();
            bindings.visit_body(&function.body);
            scope.declared_shared = bindings.declared;
            scope.locals = bindings
                .bound
                .into_keys()
                .filter(|name| !scope.declared_shared.contains(name))
                .collect();
        }
        scope
    }

    fn binds(&self, name: &str) -> bool {
        self.function.is_some() && (self.locals.contains(name) || self.params.contains(name))
    }

    /// The function of this module a call (or `map(f, ...)`'s `f`) names, if the rule can see it.
    fn definition(&self, func: &'a Expr) -> Option<Seen<'a>> {
        match func {
            Expr::Name(name) => {
                let name = name.id.as_str();
                if self.binds(name) {
                    // A function nested in this one: it sees this body's names.
                    let def = single_definition(&self.function?.body, name)?;
                    return Some(Seen {
                        def,
                        class: self.class,
                        receiver: self.receiver,
                        closure: true,
                    });
                }
                let def = self.module.single_definition(name)?;
                Some(Seen {
                    def,
                    class: None,
                    receiver: None,
                    closure: false,
                })
            }
            Expr::Attribute(attribute) => {
                let Expr::Name(owner) = &*attribute.value else {
                    return None;
                };
                if Some(owner.id.as_str()) != self.receiver {
                    // `Device.create(...)`: a class or static method of a class of this
                    // module, called on the class.
                    if self.binds(owner.id.as_str()) {
                        return None;
                    }
                    let class = self.module.single_class(owner.id.as_str())?;
                    let def = single_definition(&class.body, attribute.attr.as_str())?;
                    let called_on_class =
                        crate::ast_query::decorated_with(def, &["classmethod", "staticmethod"]);
                    return called_on_class.then(|| Seen {
                        def,
                        class: Some(class),
                        receiver: receiver_name(def),
                        closure: false,
                    });
                }
                let class = self.class?;
                let def = single_definition(&class.body, attribute.attr.as_str())?;
                Some(Seen {
                    def,
                    class: Some(class),
                    receiver: receiver_name(def),
                    closure: false,
                })
            }
            _ => None,
        }
    }
}

/// The module's top-level code, with an index of the names it defines exactly once: every
/// gather looks names up in it, and a walk of the whole module per lookup would make a
/// module with many gathers quadratic in its size.
#[derive(Clone)]
struct ModuleBody<'a> {
    body: &'a [Stmt],
    definitions: Rc<ModuleDefinitions>,
}

/// The start of each module-level function whose name has that one definition and no other
/// binding (see [`single_definition`]), and of each class of the module's own statements
/// whose name has one definition and no other binding; made once per module.
#[derive(Default)]
struct ModuleDefinitions {
    starts: FxHashMap<Box<str>, TextSize>,
    class_starts: FxHashMap<Box<str>, TextSize>,
}

/// The module's [`ModuleDefinitions`], kept in the checker's rule state.
#[derive(Default)]
struct ModuleDefinitionsState(Option<Rc<ModuleDefinitions>>);

impl<'a> ModuleBody<'a> {
    fn of(checker: &Checker<'a, '_>) -> Self {
        let body = checker.module().body.as_slice();
        let definitions = Rc::clone(
            checker
                .rule_state::<ModuleDefinitionsState>()
                .0
                .get_or_insert_with(|| Rc::new(ModuleDefinitions::of(body))),
        );
        Self { body, definitions }
    }

    /// [`single_definition`] in the module's body, from the index.
    fn single_definition(&self, name: &str) -> Option<&'a ast::StmtFunctionDef> {
        definition_at(self.body, *self.definitions.starts.get(name)?)
    }

    /// The class `name` names, defined once among the module's own statements.
    fn single_class(&self, name: &str) -> Option<&'a ast::StmtClassDef> {
        let at = *self.definitions.class_starts.get(name)?;
        match self
            .body
            .get(self.body.partition_point(|stmt| stmt.end() <= at))?
        {
            Stmt::ClassDef(class) if class.start() == at => Some(class),
            _ => None,
        }
    }
}

impl ModuleDefinitions {
    fn of(body: &[Stmt]) -> Self {
        /// Per name: its function definitions' starts, and whether it is bound otherwise.
        #[derive(Default)]
        struct Names<'a> {
            definitions: FxHashMap<&'a str, Vec<TextSize>>,
            classes: FxHashMap<&'a str, Vec<TextSize>>,
            other: HashSet<&'a str>,
        }
        impl<'a> Visitor<'a> for Names<'a> {
            // What `single_definition`'s visitor looks at, for every name at once.
            fn visit_stmt(&mut self, stmt: &'a Stmt) {
                match stmt {
                    Stmt::FunctionDef(def) => self
                        .definitions
                        .entry(def.name.as_str())
                        .or_default()
                        .push(def.start()),
                    Stmt::ClassDef(class) => self
                        .classes
                        .entry(class.name.as_str())
                        .or_default()
                        .push(class.start()),
                    Stmt::Assign(_)
                    | Stmt::AnnAssign(_)
                    | Stmt::Import(_)
                    | Stmt::ImportFrom(_) => {
                        let mut bindings = BoundNames::default();
                        bindings.visit_stmt(stmt);
                        self.other.extend(bindings.bound.into_keys());
                    }
                    Stmt::If(_) | Stmt::Try(_) | Stmt::With(_) => visitor::walk_stmt(self, stmt),
                    _ => {}
                }
            }
            fn visit_expr(&mut self, _: &'a Expr) {}
        }
        let mut names = Names::default();
        names.visit_body(body);
        // The names defined once, by a `def` (or a `class`) alone, and bound no other way.
        let single = |defined: &FxHashMap<&str, Vec<TextSize>>,
                      other_kind: &FxHashMap<&str, Vec<TextSize>>| {
            defined
                .iter()
                .filter_map(|(&name, starts)| match starts.as_slice() {
                    [start] if !names.other.contains(name) && !other_kind.contains_key(name) => {
                        Some((Box::from(name), *start))
                    }
                    _ => None,
                })
                .collect()
        };
        let starts = single(&names.definitions, &names.classes);
        let class_starts = single(&names.classes, &names.definitions);
        Self {
            starts,
            class_starts,
        }
    }
}

/// The function definition starting at `at` in `body`, or in the `if`/`try`/`with` blocks
/// within it (where [`single_definition`] looks): found by position, not by a walk.
fn definition_at(body: &[Stmt], at: TextSize) -> Option<&ast::StmtFunctionDef> {
    let stmt = body.get(body.partition_point(|stmt| stmt.end() <= at))?;
    match stmt {
        Stmt::FunctionDef(def) if def.start() == at => Some(def),
        Stmt::If(stmt) => std::iter::once(&stmt.body)
            .chain(stmt.elif_else_clauses.iter().map(|clause| &clause.body))
            .find_map(|body| definition_at(body, at)),
        Stmt::Try(stmt) => std::iter::once(&stmt.body)
            .chain(stmt.handlers.iter().map(|handler| match handler {
                ast::ExceptHandler::ExceptHandler(handler) => &handler.body,
            }))
            .chain([&stmt.orelse, &stmt.finalbody])
            .find_map(|body| definition_at(body, at)),
        Stmt::With(stmt) => definition_at(&stmt.body, at),
        _ => None,
    }
}

/// The innermost method enclosing the current node, with its class.
fn enclosing_method<'a>(
    ancestors: &[&'a Stmt],
) -> (
    Option<&'a ast::StmtClassDef>,
    Option<&'a ast::StmtFunctionDef>,
) {
    for pair in ancestors.windows(2).rev() {
        if let (Stmt::ClassDef(class), Stmt::FunctionDef(method)) = (pair[0], pair[1]) {
            return (Some(class), Some(method));
        }
    }
    (None, None)
}

/// The only definition of `name` in a body (descending into `if`/`try`/`with` blocks, not into
/// functions or classes); `None` when the name is bound otherwise too, or more than once.
fn single_definition<'a>(body: &'a [Stmt], name: &str) -> Option<&'a ast::StmtFunctionDef> {
    struct Definitions<'a, 'n> {
        name: &'n str,
        found: Vec<&'a ast::StmtFunctionDef>,
        other: bool,
    }
    impl<'a> Visitor<'a> for Definitions<'a, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(def) if def.name.as_str() == self.name => self.found.push(def),
                Stmt::ClassDef(class) if class.name.as_str() == self.name => self.other = true,
                Stmt::Assign(_) | Stmt::AnnAssign(_) | Stmt::Import(_) | Stmt::ImportFrom(_) => {
                    let mut bindings = BoundNames::default();
                    bindings.visit_stmt(stmt);
                    if bindings.bound.contains_key(self.name) {
                        self.other = true;
                    }
                }
                Stmt::If(_) | Stmt::Try(_) | Stmt::With(_) => visitor::walk_stmt(self, stmt),
                _ => {}
            }
        }
        fn visit_expr(&mut self, _: &'a Expr) {}
    }
    let mut definitions = Definitions {
        name,
        found: Vec::new(),
        other: false,
    };
    definitions.visit_body(body);
    match definitions.found.as_slice() {
        [def] if !definitions.other => Some(def),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// The awaitables.

struct Awaitable<'a> {
    /// What makes it: a call, a name, an item put into a collection.
    expr: &'a Expr,
    /// Made once per item of a collection: its siblings include copies of itself.
    repeated: bool,
    /// The function of this module it runs, when the rule can see it: a coroutine function, or
    /// a function handed to a worker thread (`asyncio.to_thread(save, x)`).
    seen: Option<Seen<'a>>,
    /// Wrapped in `asyncio.wait_for(...)`: it can fail with a timeout.
    deadline: bool,
    /// The `for` clauses of the comprehension that makes it (`q.put(x) for q in queues`),
    /// whose targets it may name.
    generators: &'a [ast::Comprehension],
}

struct Collector<'c, 's, 'a, 'm> {
    checker: &'c Checker<'a, 'm>,
    scope: &'s Scope<'a>,
    found: Vec<Awaitable<'a>>,
    /// Inside an `asyncio.wait_for(...)`.
    deadline: bool,
    /// Inside a comprehension: its `for` clauses.
    generators: &'a [ast::Comprehension],
}

impl<'c, 's, 'a, 'm> Collector<'c, 's, 'a, 'm> {
    fn collect(
        checker: &'c Checker<'a, 'm>,
        scope: &'s Scope<'a>,
        call: &'a ast::ExprCall,
    ) -> Vec<Awaitable<'a>> {
        let mut collector = Self {
            checker,
            scope,
            found: Vec::new(),
            deadline: false,
            generators: &[],
        };
        for arg in &call.arguments.args {
            collector.one(arg, false, 0);
        }
        collector.found
    }

    fn unknown(&mut self, expr: &'a Expr, repeated: bool) {
        self.push(expr, repeated, None);
    }

    fn push(&mut self, expr: &'a Expr, repeated: bool, seen: Option<Seen<'a>>) {
        self.found.push(Awaitable {
            expr,
            repeated,
            seen,
            deadline: self.deadline,
            generators: self.generators,
        });
    }

    /// One awaitable.
    fn one(&mut self, expr: &'a Expr, repeated: bool, depth: usize) {
        if depth > MAX_DEPTH {
            return self.unknown(expr, repeated);
        }
        match expr {
            Expr::Starred(starred) => self.many(&starred.value, depth + 1),
            Expr::Call(call) => {
                if let Some(inner) = task_wrapped(call) {
                    return self.one(inner, repeated, depth + 1);
                }
                if self
                    .checker
                    .model
                    .call_path(call)
                    .is_some_and(|path| catalog::is_wait_for(&path))
                    && let Some(inner) = call.arguments.find_argument_value("fut", 0)
                {
                    let outer = std::mem::replace(&mut self.deadline, true);
                    self.one(inner, repeated, depth + 1);
                    self.deadline = outer;
                    return;
                }
                let seen = match handed_to_thread(self.checker, call) {
                    Some(func) => self.scope.definition(func),
                    None => self
                        .scope
                        .definition(&call.func)
                        .filter(|seen| seen.def.is_async),
                };
                self.push(expr, repeated, seen);
            }
            // `task = asyncio.create_task(save())`, then `gather(task, ...)`.
            Expr::Name(name) if self.scope.locals.contains(name.id.as_str()) => {
                let values = self.local_values(name.id.as_str());
                let assigned: Vec<&'a Expr> = values
                    .iter()
                    .filter_map(|value| match value {
                        Value::Assigned(value) => Some(*value),
                        _ => None,
                    })
                    .collect();
                if assigned.is_empty() || assigned.len() != values.len() {
                    return self.unknown(expr, repeated);
                }
                // Assigned in several branches: it is one of them.
                for value in assigned {
                    self.one(value, repeated, depth + 1);
                }
            }
            _ => self.unknown(expr, repeated),
        }
    }

    /// A collection of awaitables.
    fn many(&mut self, expr: &'a Expr, depth: usize) {
        if depth > MAX_DEPTH {
            return self.unknown(expr, true);
        }
        match expr {
            Expr::List(ast::ExprList { elts, .. })
            | Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. }) => {
                for elt in elts {
                    self.one(elt, false, depth + 1);
                }
            }
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::Generator(_) => {
                if let Some((elt, generators)) = element_comprehension(expr) {
                    // `(task for task in tasks)`: the items of `tasks`.
                    match items_passed_through(elt, generators) {
                        Some(items) => self.many(items, depth + 1),
                        None => {
                            let outer = std::mem::replace(&mut self.generators, generators);
                            self.one(elt, true, depth + 1);
                            self.generators = outer;
                        }
                    }
                }
            }
            Expr::DictComp(comp) => self.one(&comp.value, true, depth + 1),
            Expr::Call(call) => {
                let args = &call.arguments.args;
                match &*call.func {
                    Expr::Name(name)
                        if matches!(name.id.as_str(), "list" | "tuple")
                            && !self.scope.binds(name.id.as_str())
                            && args.len() == 1 =>
                    {
                        self.many(&args[0], depth + 1);
                    }
                    Expr::Name(name)
                        if name.id.as_str() == "map"
                            && !self.scope.binds("map")
                            && args.len() >= 2 =>
                    {
                        let seen = self
                            .scope
                            .definition(&args[0])
                            .filter(|seen| seen.def.is_async);
                        self.push(&args[0], true, seen);
                    }
                    Expr::Attribute(attribute)
                        if matches!(attribute.attr.as_str(), "values" | "copy")
                            && args.is_empty() =>
                    {
                        self.many(&attribute.value, depth + 1);
                    }
                    _ => self.unknown(expr, true),
                }
            }
            Expr::Name(name) if self.scope.locals.contains(name.id.as_str()) => {
                let values = self.local_values(name.id.as_str());
                if values.is_empty() {
                    return self.unknown(expr, true);
                }
                for value in values {
                    match value {
                        Value::Assigned(value) | Value::Extended(value) => {
                            self.many(value, depth + 1);
                        }
                        Value::Added(item) => self.one(item, true, depth + 1),
                        Value::Other => self.unknown(expr, true),
                    }
                }
            }
            _ => self.unknown(expr, true),
        }
    }

    /// What a local of the current function is built from.
    fn local_values(&self, name: &str) -> Vec<Value<'a>> {
        let Some(function) = self.scope.function else {
            return vec![Value::Other];
        };
        let mut values = LocalValues {
            name,
            values: Vec::new(),
        };
        values.visit_body(&function.body);
        values.values
    }
}

enum Value<'a> {
    /// `name = value`
    Assigned(&'a Expr),
    /// `name.extend(value)`, `name += value`
    Extended(&'a Expr),
    /// `name.append(item)`, `name[key] = item`, `name.add(item)`
    Added(&'a Expr),
    /// Bound some other way (a loop variable, a `with` target, a call's result unpacked).
    Other,
}

struct LocalValues<'a, 'n> {
    name: &'n str,
    values: Vec<Value<'a>>,
}

impl<'a> LocalValues<'a, '_> {
    fn is_name(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(name) if name.id.as_str() == self.name)
    }

    fn mentions(&self, target: &Expr) -> bool {
        let mut bindings = BoundNames::default();
        bindings.bind_target(target);
        bindings.bound.contains_key(self.name)
    }
}

impl<'a> Visitor<'a> for LocalValues<'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    if self.is_name(target) {
                        self.values.push(Value::Assigned(&assign.value));
                    } else if let Expr::Subscript(subscript) = target
                        && self.is_name(&subscript.value)
                    {
                        self.values.push(Value::Added(&assign.value));
                    } else if self.mentions(target) {
                        self.values.push(Value::Other);
                    }
                }
            }
            Stmt::AnnAssign(assign) if self.is_name(&assign.target) => {
                if let Some(value) = &assign.value {
                    self.values.push(Value::Assigned(value));
                }
            }
            Stmt::AugAssign(assign) if self.is_name(&assign.target) => {
                if assign.op == ast::Operator::Add {
                    self.values.push(Value::Extended(&assign.value));
                } else {
                    self.values.push(Value::Other);
                }
            }
            Stmt::For(for_stmt) if self.mentions(&for_stmt.target) => {
                self.values.push(Value::Other);
            }
            Stmt::With(with)
                if with.items.iter().any(|item| {
                    item.optional_vars
                        .as_deref()
                        .is_some_and(|vars| self.mentions(vars))
                }) =>
            {
                self.values.push(Value::Other);
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => return,
            Expr::Call(call) => {
                if let Expr::Attribute(attribute) = &*call.func
                    && self.is_name(&attribute.value)
                {
                    let args = &call.arguments.args;
                    match (attribute.attr.as_str(), &args[..]) {
                        ("append" | "add", [item]) | ("insert", [_, item]) => {
                            self.values.push(Value::Added(item));
                        }
                        ("extend" | "update", [value]) => {
                            self.values.push(Value::Extended(value));
                        }
                        _ => {}
                    }
                }
            }
            Expr::Named(named) if self.is_name(&named.target) => {
                self.values.push(Value::Assigned(&named.value));
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// The function a call runs on a worker thread: `asyncio.to_thread(func, ...)`,
/// `loop.run_in_executor(None, func)`, `hass.async_add_executor_job(func, ...)`.
fn handed_to_thread<'a>(checker: &Checker, call: &'a ast::ExprCall) -> Option<&'a Expr> {
    let path = checker.model.call_path(call);
    let path = checker
        .model
        .method_known_by_name(call, path.as_deref())
        .or(path.as_deref())?;
    let (keyword, position) = catalog::thread_handoff(path)?;
    call.arguments.find_argument_value(keyword, position)
}

/// The coroutine inside `asyncio.create_task(coro)`, `asyncio.ensure_future(coro)`,
/// `asyncio.shield(coro)`, `loop.create_task(coro)`, `hass.async_create_task(coro)`.
fn task_wrapped(call: &ast::ExprCall) -> Option<&Expr> {
    let name = match &*call.func {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attribute) => attribute.attr.as_str(),
        _ => return None,
    };
    let wraps = name.ends_with("create_task")
        || matches!(name, "ensure_future" | "shield" | "create_eager_task");
    if !wraps {
        return None;
    }
    call.arguments.find_argument_value("coro", 0)
}

// ---------------------------------------------------------------------------------------
// What each awaitable may do.

struct Facts {
    /// A coroutine of this module whose whole body is a catch-all `try` that does not raise,
    /// or a library call that fails only by a cancellation (`queue.put(item)`).
    cannot_fail: bool,
    /// It only reads: a coroutine of this module that writes nothing the rule recognises, or
    /// a call of a read (`get`, `fetch`, `select`, ...).
    read_only: bool,
    /// What it writes, and where.
    writes: Option<Write>,
    /// A read under `wait_for(...)`: its only failure is the timeout.
    fails_only_by_timeout: bool,
    /// A coroutine of this module that loops until something stops it (`while True:`,
    /// `while not self._stop.is_set():`): left behind by a failed sibling, it runs on with
    /// nobody waiting for it. The awaitable, as the message names it.
    runs_until_stopped: Option<String>,
    /// The attribute whose truth keeps that loop going (`while consumer._running:`).
    loop_flag: Option<String>,
}

struct Write {
    /// `self._orders[...] = ...`, `await con.commit()`.
    what: String,
    range: TextRange,
    /// The awaitable, as the message names it (`self._save()`).
    awaitable: String,
}

impl Facts {
    fn of<'a>(checker: &Checker<'a, '_>, scope: &Scope<'a>, awaitable: &Awaitable<'a>) -> Self {
        if let Some(seen) = awaitable.seen {
            let mut visited = HashSet::default();
            let writes =
                first_write(checker, &scope.module, seen, 0, &mut visited).map(|(what, range)| {
                    Write {
                        what,
                        range,
                        awaitable: format!("{}()", name_of(checker, awaitable.expr)),
                    }
                });
            return Self {
                cannot_fail: !awaitable.deadline && cannot_fail(checker, seen.def),
                read_only: writes.is_none(),
                writes,
                fails_only_by_timeout: false,
                runs_until_stopped: loops_until_stopped(&seen.def.body)
                    .then(|| format!("{}()", name_of(checker, awaitable.expr))),
                loop_flag: loop_flag(&seen.def.body).map(str::to_string),
            };
        }
        let call = match awaitable.expr {
            Expr::Call(call) => Some(call),
            _ => None,
        };
        let writes = call.filter(|call| is_write_call(call)).map(|call| Write {
            what: short(checker.text(call.range())),
            range: call.range(),
            awaitable: short(checker.text(call.range())),
        });
        Self {
            cannot_fail: !awaitable.deadline
                && call.is_some_and(|call| is_infallible(checker, call, awaitable.generators)),
            read_only: call.is_some_and(|call| is_read_call(checker, call)),
            writes,
            fails_only_by_timeout: awaitable.deadline
                && call.is_some_and(|call| is_wait(checker, call)),
            runs_until_stopped: None,
            loop_flag: None,
        }
    }
}

/// Whether a coroutine's body is a loop only something else ends: its last statement is a
/// `while` whose test is `True`, a flag (`self._running`, `not self._closed`) or an event
/// (`not self.stop.is_set()`), and that suspends, with no `break` or `return` of its own but
/// the `return` right after awaiting that event (`await asyncio.wait_for(self.stop.wait(),
/// 1)`, then `return`: the loop ends when it is stopped).
fn loops_until_stopped(body: &[Stmt]) -> bool {
    let Some(Stmt::While(loop_stmt)) = body.last() else {
        return false;
    };
    let (test, negated) = match &*loop_stmt.test {
        Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => (&*unary.operand, true),
        other => (other, false),
    };
    let mut stop_event = None;
    let tests_state = match test {
        Expr::BooleanLiteral(literal) => literal.value,
        Expr::Attribute(attribute) => matches!(&*attribute.value, Expr::Name(_)),
        Expr::Call(call) => {
            let Expr::Attribute(method) = &*call.func else {
                return false;
            };
            if negated {
                stop_event = Some(ComparableExpr::from(&*method.value));
            }
            call.arguments.is_empty() && method.attr.as_str() == "is_set"
        }
        _ => false,
    };
    loop_stmt.orelse.is_empty()
        && tests_state
        && !leaves_loop(&loop_stmt.body, stop_event.as_ref(), false)
        && crate::ast_query::first_suspension(&loop_stmt.body, None).is_some()
}

/// The attribute a coroutine's last statement loops on: `running` of `while self.running:`.
fn loop_flag(body: &[Stmt]) -> Option<&str> {
    let Some(Stmt::While(loop_stmt)) = body.last() else {
        return None;
    };
    match &*loop_stmt.test {
        Expr::Attribute(attribute) if matches!(&*attribute.value, Expr::Name(_)) => {
            Some(attribute.attr.as_str())
        }
        _ => None,
    }
}

/// Whether the gather sits in the body of a `try` whose `finally` sets `flag` (an attribute,
/// on whatever object) to a falsy literal: a loop on that flag ends once the gather fails.
fn flag_cleared_after(checker: &Checker, call: &ast::ExprCall, flag: &str) -> bool {
    checker.statements_in_function().any(|stmt| {
        let Stmt::Try(try_stmt) = stmt else {
            return false;
        };
        in_block(&try_stmt.body, call.range())
            && try_stmt.finalbody.iter().any(|stmt| {
                matches!(stmt, Stmt::Assign(assign)
                    if crate::ast_query::is_falsy_literal(&assign.value)
                        && assign.targets.iter().any(|target| matches!(target,
                            Expr::Attribute(attribute) if attribute.attr.as_str() == flag)))
            })
    })
}

/// Whether `body` (a loop's, `nested` inside another loop of it) holds a `return`, or a
/// `break` of that loop, other than the `return` right after awaiting `stop_event`.
fn leaves_loop(body: &[Stmt], stop_event: Option<&ComparableExpr>, nested: bool) -> bool {
    let awaits_stop = |stmt: &Stmt| {
        let (Stmt::Expr(ast::StmtExpr { value, .. }), Some(event)) = (stmt, stop_event) else {
            return false;
        };
        let Expr::Await(awaited) = &**value else {
            return false;
        };
        crate::ast_query::any_expr(&awaited.value, &mut |inner| {
            matches!(inner, Expr::Call(call) if matches!(&*call.func, Expr::Attribute(method)
                if method.attr.as_str() == "wait" && ComparableExpr::from(&*method.value) == *event))
        })
    };
    body.iter().enumerate().any(|(at, stmt)| match stmt {
        Stmt::Return(_) => !(at > 0 && awaits_stop(&body[at - 1])),
        Stmt::Break(_) => !nested,
        // A nested loop's `break` ends that loop; its `else` runs in this one.
        Stmt::For(ast::StmtFor { body, orelse, .. })
        | Stmt::While(ast::StmtWhile { body, orelse, .. }) => {
            leaves_loop(body, stop_event, true) || leaves_loop(orelse, stop_event, nested)
        }
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        other => crate::ast_query::blocks_of(other)
            .into_iter()
            .any(|block| leaves_loop(block, stop_event, nested)),
    })
}

/// A library call that fails only by a cancellation (`catalog::INFALLIBLE_AWAITS`), also a
/// method of a comprehension's item (`q.put(item) for q in queues`, `queues` a
/// `list[asyncio.Queue]`).
fn is_infallible(
    checker: &Checker,
    call: &ast::ExprCall,
    generators: &[ast::Comprehension],
) -> bool {
    let path = checker.model.call_path(call).or_else(|| {
        let Expr::Attribute(attribute) = &*call.func else {
            return None;
        };
        let Expr::Name(item) = &*attribute.value else {
            return None;
        };
        let generator = generators.iter().find(
            |generator| matches!(&generator.target, Expr::Name(target) if target.id == item.id),
        )?;
        let collection = checker.model.type_of(&generator.iter)?;
        let element = element_type(&collection)?;
        Some(format!("{element}.{}", attribute.attr))
    });
    path.is_some_and(|path| catalog::INFALLIBLE_AWAITS.contains(&path.as_str()))
}

/// `event.wait()`, `asyncio.sleep(...)`: waits that fail only when a deadline cancels them.
fn is_wait(checker: &Checker, call: &ast::ExprCall) -> bool {
    matches!(&*call.func, Expr::Attribute(attribute) if attribute.attr.as_str() == "wait")
        || checker
            .model
            .call_path(call)
            .is_some_and(|path| path == "asyncio.sleep" || path == "asyncio.tasks.sleep")
}

/// `self._save` for `self._save(order)`, `push` for `map(push, orders)`.
fn name_of<'a>(checker: &Checker<'a, '_>, expr: &'a Expr) -> &'a str {
    match expr {
        Expr::Call(call) => checker.text(call.func.range()),
        other => checker.text(other.range()),
    }
}

fn short(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= 48 {
        return text;
    }
    let cut: String = text.chars().take(45).collect();
    format!("{cut}...")
}

/// A method's name without `_` and `async_` prefixes: `async_set_value` → `set_value`.
fn verb_of(name: &str) -> &str {
    let name = name.trim_start_matches('_');
    name.strip_prefix("async_").unwrap_or(name)
}

/// A method call that writes a store or changes something over HTTP (`await con.commit()`,
/// `session.post(...)`, `execute("INSERT ...")`).
fn is_write_call(call: &ast::ExprCall) -> bool {
    let Expr::Attribute(attribute) = &*call.func else {
        return false;
    };
    let method = verb_of(attribute.attr.as_str());
    if on_cache(attribute, method) {
        return false;
    }
    if catalog::EXACT_WRITE_VERBS.contains(&method) {
        // `update()` or `update(cached=False)` refreshes; `update(where=..., data=...)` writes.
        return method != "update"
            || !call.arguments.args.is_empty()
            || call.arguments.keywords.iter().any(|keyword| {
                keyword
                    .arg
                    .as_ref()
                    .is_some_and(|arg| matches!(arg.as_str(), "data" | "values" | "where"))
            });
    }
    if catalog::method_has_verb(method, &["execute", "executemany"]) {
        return call.arguments.args.first().is_some_and(|sql| match sql {
            Expr::StringLiteral(literal) => sql_is_write(literal.value.to_str()),
            _ => false,
        });
    }
    writes_by_verb(method)
}

/// A cache write only fills or drops a copy of what was read: a method of a receiver named
/// like a cache, or named like one itself.
fn on_cache(attribute: &ast::ExprAttribute, verb: &str) -> bool {
    dotted_name(&attribute.value)
        .is_some_and(|receiver| segments(&receiver).iter().any(|s| s == "cache"))
        || segments(verb).iter().any(|s| s == "cache")
}

/// Whether `verb` names a write whatever its arguments: an upsert, or a store or HTTP
/// write verb other than the exact ones ([`catalog::EXACT_WRITE_VERBS`], which callers ask
/// about first).
fn writes_by_verb(verb: &str) -> bool {
    let inexact = |found: &&str| !catalog::EXACT_WRITE_VERBS.contains(found);
    let store_writes: Vec<&str> = catalog::STORE_WRITE_METHODS
        .iter()
        .copied()
        .filter(inexact)
        .collect();
    catalog::UPSERT_METHODS.contains(&verb)
        || catalog::method_has_verb(verb, &store_writes)
        || catalog::method_has_verb(verb, catalog::HTTP_WRITE_METHODS)
}

/// A method handed to a thread (`self.vector_store.delete`), not called here: a write when
/// its name is one ([`is_write_call`]'s verbs; not `update`, which also names a refresh,
/// nor `execute`, whose SQL is not in sight).
fn writes_by_name(method: &ast::ExprAttribute) -> bool {
    let verb = verb_of(method.attr.as_str());
    verb != "update"
        && !on_cache(method, verb)
        && (catalog::EXACT_WRITE_VERBS.contains(&verb) || writes_by_verb(verb))
}

fn sql_is_write(sql: &str) -> bool {
    let first = sql
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    catalog::SQL_WRITE_KEYWORDS.contains(&first.as_str())
}

/// A call that only reads: a store or HTTP read verb (`client.get(...)`, `fetch_rows(...)`), or
/// `asyncio.sleep`.
fn is_read_call(checker: &Checker, call: &ast::ExprCall) -> bool {
    if checker
        .model
        .call_path(call)
        .is_some_and(|path| path == "asyncio.sleep" || path == "asyncio.tasks.sleep")
    {
        return true;
    }
    let name = match &*call.func {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attribute) => attribute.attr.as_str(),
        _ => return false,
    };
    let verb = verb_of(name);
    if is_write_call(call) || catalog::method_has_verb(verb, &["execute", "executemany"]) {
        return false;
    }
    catalog::method_has_verb(verb, catalog::STORE_READ_METHODS)
        || catalog::method_has_verb(verb, catalog::HTTP_READ_METHODS)
}

/// The first write of shared or external state in a function of this module, or in the
/// functions of this module it calls: what it is, and where.
fn first_write<'a>(
    checker: &Checker<'a, '_>,
    module: &ModuleBody<'a>,
    seen: Seen<'a>,
    depth: usize,
    visited: &mut HashSet<TextRange>,
) -> Option<(String, TextRange)> {
    // A cache write only fills or drops a copy of what was read.
    if depth > MAX_DEPTH
        || !visited.insert(seen.def.range())
        || segments(seen.def.name.as_str())
            .iter()
            .any(|s| s == "cache")
    {
        return None;
    }
    let scope = Scope::of(module, seen);
    let mut writes = Writes {
        checker,
        scope: &scope,
        callees: Vec::new(),
        found: None,
    };
    writes.visit_body(&seen.def.body);
    if writes.found.is_some() {
        return writes.found;
    }
    for callee in writes.callees {
        if let Some(found) = first_write(checker, module, callee, depth + 1, visited) {
            return Some(found);
        }
    }
    None
}

struct Writes<'c, 's, 'a, 'm> {
    checker: &'c Checker<'a, 'm>,
    scope: &'s Scope<'a>,
    /// Functions of this module the body calls, to look into next.
    callees: Vec<Seen<'a>>,
    found: Option<(String, TextRange)>,
}

impl<'a> Writes<'_, '_, 'a, '_> {
    fn found(&mut self, what: String, range: TextRange) {
        if self.found.is_none() {
            self.found = Some((what, range));
        }
    }

    /// Whether `name` is a `nonlocal` of the function being read that is a local of the
    /// function holding the gather (`done += 1` in a worker nested in `bench`, which binds
    /// `done`), outside any `try` with handlers: when the gather raises, that function
    /// unwinds, and nothing reads what the siblings go on writing there.
    fn owned_by_the_gathering_function(&self, name: &str) -> bool {
        let (Some(gathering), Some(worker)) =
            (self.checker.current_function(), self.scope.function)
        else {
            return false;
        };
        let declared_nonlocal =
            crate::ast_query::walk_statements_shallow(&worker.body, &mut |stmt| match stmt {
                Stmt::Nonlocal(nonlocal)
                    if nonlocal
                        .names
                        .iter()
                        .any(|declared| declared.as_str() == name) =>
                {
                    crate::ast_query::Walk::Stop
                }
                _ => crate::ast_query::Walk::Descend,
            });
        // A handler around the gather lets the function carry on, and read the name.
        let handled = self
            .checker
            .statement_ancestors()
            .iter()
            .any(|stmt| matches!(stmt, Stmt::Try(try_stmt) if !try_stmt.handlers.is_empty()));
        let mut bindings = BoundNames::default();
        bindings.visit_body(&gathering.body);
        declared_nonlocal
            && !handled
            && bindings.bound.contains_key(name)
            && !bindings.declared.contains(name)
    }

    /// An assignment target that stores into shared state.
    fn target(&mut self, target: &'a Expr) {
        match target {
            Expr::Name(name)
                if self.scope.declared_shared.contains(name.id.as_str())
                    && !self.owned_by_the_gathering_function(name.id.as_str()) =>
            {
                self.found(format!("`{} = ...`", name.id.as_str()), target.range());
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                for elt in elts {
                    self.target(elt);
                }
            }
            Expr::Starred(starred) => self.target(&starred.value),
            _ => {}
        }
    }

    /// A call: a function of this module to look into (also one handed to a worker thread), or
    /// a store/HTTP write when awaited.
    fn call(&mut self, call: &'a ast::ExprCall, awaited: bool) {
        if let Some(func) = handed_to_thread(self.checker, call) {
            if let Some(seen) = self.scope.definition(func) {
                self.callees.push(seen);
            } else if awaited
                && let Expr::Attribute(method) = func
                && writes_by_name(method)
            {
                // `await asyncio.to_thread(self.store.delete, key)`: the thread runs the
                // write, and the coroutine waits for it.
                let text = short(self.checker.text(func.range()));
                self.found(format!("`{text}` in a worker thread"), call.range());
            }
            return;
        }
        if let Some(seen) = self.scope.definition(&call.func) {
            // A coroutine called without `await` only makes a coroutine object here.
            if awaited || !seen.def.is_async {
                self.callees.push(seen);
            }
            return;
        }
        if awaited && is_write_call(call) {
            let text = short(self.checker.text(call.func.range()));
            self.found(format!("`await {text}(...)`"), call.range());
        }
    }
}

impl<'a> Visitor<'a> for Writes<'_, '_, 'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found.is_some() {
            return;
        }
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.target(target);
                }
            }
            Stmt::AugAssign(assign) => self.target(&assign.target),
            Stmt::AnnAssign(assign) if assign.value.is_some() => self.target(&assign.target),
            // `async with session.post(...) as response:` awaits the request.
            Stmt::With(with) if with.is_async => {
                for item in &with.items {
                    if let Expr::Call(call) = &item.context_expr {
                        self.call(call, true);
                    }
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found.is_some() {
            return;
        }
        match expr {
            Expr::Lambda(_) => return,
            Expr::Await(await_expr) => {
                if let Expr::Call(call) = &*await_expr.value {
                    self.call(call, true);
                    // The call's own arguments and receiver, not the call again.
                    visitor::walk_expr(self, &call.func);
                    visitor::walk_arguments(self, &call.arguments);
                    return;
                }
            }
            Expr::Call(call) => self.call(call, false),
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// A coroutine that cannot fail: its whole body is a `try` whose handlers catch everything
/// (`except Exception:`, `except BaseException:`, bare `except:`) and never raise, with only
/// docstrings, logging calls, `pass`, plain returns and guards (`if self._queue is None:
/// return`) around it, or such a body under `async with` of a lock or a semaphore.
fn cannot_fail(checker: &Checker, def: &ast::StmtFunctionDef) -> bool {
    body_cannot_fail(checker, &def.body)
}

/// [`cannot_fail`] of a block: also such a block under `async with` of a lock or a
/// semaphore (`async with sem:` around the `try`), whose entry fails only when cancelled.
fn body_cannot_fail(checker: &Checker, body: &[Stmt]) -> bool {
    let mut protected = false;
    for stmt in body {
        match stmt {
            Stmt::Try(try_stmt) if catches_everything(checker, try_stmt) => protected = true,
            Stmt::With(with)
                if with.is_async
                    && with.items.iter().all(|item| {
                        checker
                            .model
                            .type_of(&item.context_expr)
                            .is_some_and(|class| {
                                catalog::ACQUIRED_ONLY_CONTEXT_TYPES.contains(&class.as_str())
                            })
                    })
                    && body_cannot_fail(checker, &with.body) =>
            {
                protected = true;
            }
            Stmt::If(if_stmt) if is_guard(if_stmt) => {}
            other if is_safe_statement(other) => {}
            _ => return false,
        }
    }
    protected
}

/// `if <test without calls>: <safe statements>`.
fn is_guard(if_stmt: &ast::StmtIf) -> bool {
    let plain_test = |test: &Expr| {
        let mut calls = CallsOrAwaits(false);
        calls.visit_expr(test);
        !calls.0
    };
    plain_test(&if_stmt.test)
        && if_stmt.body.iter().all(is_safe_statement)
        && if_stmt.elif_else_clauses.iter().all(|clause| {
            clause.test.as_ref().is_none_or(plain_test) && clause.body.iter().all(is_safe_statement)
        })
}

/// Whether an expression calls or awaits anything.
struct CallsOrAwaits(bool);

impl<'a> Visitor<'a> for CallsOrAwaits {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if matches!(expr, Expr::Call(_) | Expr::Await(_)) {
            self.0 = true;
        }
        visitor::walk_expr(self, expr);
    }
}

/// A `finally` statement that does bookkeeping: a safe statement, a call that awaits nothing
/// (`self._queue.task_done()`), an assignment of a constant (`self._busy = False`).
fn is_bookkeeping(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Expr(expr) if matches!(&*expr.value, Expr::Call(_)) => {
            let mut awaits = Awaits(false);
            awaits.visit_expr(&expr.value);
            !awaits.0
        }
        Stmt::Assign(assign) => matches!(
            &*assign.value,
            Expr::NoneLiteral(_)
                | Expr::BooleanLiteral(_)
                | Expr::NumberLiteral(_)
                | Expr::StringLiteral(_)
        ),
        other => is_safe_statement(other),
    }
}

struct Awaits(bool);

impl<'a> Visitor<'a> for Awaits {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if matches!(expr, Expr::Await(_)) {
            self.0 = true;
        }
        visitor::walk_expr(self, expr);
    }
}

fn catches_everything(checker: &Checker, try_stmt: &ast::StmtTry) -> bool {
    let handlers = || {
        try_stmt.handlers.iter().map(|handler| {
            let ast::ExceptHandler::ExceptHandler(handler) = handler;
            handler
        })
    };
    try_stmt.orelse.is_empty()
        && try_stmt.finalbody.iter().all(is_bookkeeping)
        && handlers().any(|handler| match handler.type_.as_deref() {
            None => true,
            Some(type_) => any_class_in(checker, type_, catalog::CATCH_ALL_CLASSES),
        })
        && handlers().all(|handler| !raises(&handler.body))
}

/// A statement that cannot raise in practice: a docstring, `pass`, a logging call, a return of
/// a constant or a name.
fn is_safe_statement(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Pass(_) => true,
        Stmt::Expr(expr) => match &*expr.value {
            Expr::StringLiteral(_) => true,
            Expr::Call(call) => {
                let name = match &*call.func {
                    Expr::Name(name) => name.id.as_str(),
                    Expr::Attribute(attribute) => attribute.attr.as_str(),
                    _ => return false,
                };
                catalog::LOGGING_CALLS.contains(&name)
            }
            _ => false,
        },
        Stmt::Return(ret) => ret.value.as_deref().is_none_or(|value| {
            matches!(
                value,
                Expr::Name(_)
                    | Expr::NoneLiteral(_)
                    | Expr::BooleanLiteral(_)
                    | Expr::NumberLiteral(_)
                    | Expr::StringLiteral(_)
            )
        }),
        _ => false,
    }
}

/// Whether `type_` (a class or a tuple of them) names one of `classes`.
fn any_class_in(checker: &Checker, type_: &Expr, classes: &[&str]) -> bool {
    match type_ {
        Expr::Tuple(tuple) => tuple
            .elts
            .iter()
            .any(|elt| any_class_in(checker, elt, classes)),
        other => checker
            .model
            .path_of(other)
            .is_some_and(|path| classes.contains(&path.as_str())),
    }
}

/// Whether every class `type_` names is one of `classes`.
fn all_classes_in(checker: &Checker, type_: &Expr, classes: &[&str]) -> bool {
    match type_ {
        Expr::Tuple(tuple) => {
            !tuple.elts.is_empty()
                && tuple
                    .elts
                    .iter()
                    .all(|elt| all_classes_in(checker, elt, classes))
        }
        other => checker
            .model
            .path_of(other)
            .is_some_and(|path| classes.contains(&path.as_str())),
    }
}

/// Whether a body raises (or asserts) anywhere, nested functions aside.
fn raises(body: &[Stmt]) -> bool {
    struct Raises(bool);
    impl<'a> Visitor<'a> for Raises {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::Raise(_) | Stmt::Assert(_) => self.0 = true,
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, _: &'a Expr) {}
    }
    let mut raises = Raises(false);
    raises.visit_body(body);
    raises.0
}

/// Whether the gather's value is thrown away: `await asyncio.gather(...)` as a statement,
/// possibly through `wait_for(...)`, `shield(...)`, `loop.run_until_complete(...)`.
fn value_dropped(checker: &Checker) -> bool {
    let Some(Stmt::Expr(statement)) = checker.current_statement() else {
        return false;
    };
    let ancestors = checker.expression_ancestors();
    ancestors
        .first()
        .is_some_and(|outer| outer.range() == statement.value.range())
        && ancestors
            .iter()
            .rev()
            .skip(1)
            .all(|expr| matches!(expr, Expr::Await(_) | Expr::Call(_)))
}

/// Whether a body cancels tasks (`task.cancel()`, `_cancel_all_tasks(loop)`): it deals with the
/// siblings itself.
fn cancels(body: &[Stmt]) -> bool {
    struct Cancels(bool);
    impl<'a> Visitor<'a> for Cancels {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                visitor::walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if let Expr::Call(call) = expr {
                let name = match &*call.func {
                    Expr::Name(name) => name.id.as_str(),
                    Expr::Attribute(attribute) => attribute.attr.as_str(),
                    _ => "",
                };
                if catalog::method_has_verb(verb_of(name), catalog::TASK_CANCEL_METHODS) {
                    self.0 = true;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut cancels = Cancels(false);
    cancels.visit_body(body);
    cancels.0
}

// ---------------------------------------------------------------------------------------
// Is the early exit observable?

/// Whether `range` lies within a block of statements.
fn in_block(block: &[Stmt], range: TextRange) -> bool {
    match (block.first(), block.last()) {
        (Some(first), Some(last)) => first.start() <= range.start() && range.end() <= last.end(),
        _ => false,
    }
}

/// (a) The gather sits in a `try` whose handler carries on, or in `contextlib.suppress(...)`.
fn carrying_handler(
    checker: &Checker,
    call: &ast::ExprCall,
    awaitables: &[Awaitable],
    facts: &[Facts],
) -> Option<String> {
    // Siblings that only read: carrying on while they finish changes nothing anyone sees. When
    // the caller uses the gather's value, the awaitables it cannot see are fetches too
    // (`a, b = await asyncio.gather(api.status(), api.version())`), unless they are writes.
    let value_used = !value_dropped(checker);
    let only_reads = |index: usize| {
        facts[index].read_only
            || (value_used && awaitables[index].seen.is_none() && facts[index].writes.is_none())
    };
    // One awaitable fails into the handler while another, which does more than read, runs on.
    // A bounded wait (`wait_for(event.wait(), 9)`) fails only by timing out.
    let observable = |catches_timeout: bool| {
        (0..facts.len()).any(|failing| {
            !facts[failing].cannot_fail
                && (catches_timeout || !facts[failing].fails_only_by_timeout)
                && (0..facts.len()).any(|running| {
                    (running != failing || awaitables[running].repeated) && !only_reads(running)
                })
        })
    };
    if !observable(true) {
        return None;
    }
    let catches_timeout = |type_: Option<&Expr>| {
        type_.is_none_or(|type_| {
            any_class_in(checker, type_, catalog::TIMEOUT_ERROR_CLASSES)
                || any_class_in(checker, type_, catalog::CATCH_ALL_CLASSES)
                || any_class_in(checker, type_, &["builtins.OSError"])
        })
    };
    let statements: Vec<&Stmt> = checker.statements_in_function().collect();
    for (index, stmt) in statements.iter().enumerate() {
        // A deadline inside this statement (around the gather, or on the future it returns)
        // cancels the gather on expiry, and so its children.
        let under_deadline = || {
            checker.expression_ancestors().iter().any(|expr| {
                matches!(expr, Expr::Call(inner) if checker.model.call_path(inner).is_some_and(|path| catalog::is_wait_for(&path)))
            }) || statements[..index].iter().any(|inner| is_timeout_scope(checker, inner))
                || match stmt {
                    Stmt::Try(try_stmt) => has_deadline(checker, &try_stmt.body),
                    Stmt::With(with) => has_deadline(checker, &with.body),
                    _ => false,
                }
        };
        let ignores = |type_: Option<&Expr>| {
            type_.is_some_and(|type_| {
                all_classes_in(checker, type_, catalog::EXIT_EXCEPTION_CLASSES)
                    || (all_classes_in(checker, type_, catalog::TIMEOUT_ERROR_CLASSES)
                        && under_deadline())
            })
        };
        match stmt {
            Stmt::Try(try_stmt) if in_block(&try_stmt.body, call.range()) => {
                // The `finally` cancels the tasks: it deals with the siblings.
                if cancels(&try_stmt.finalbody) {
                    continue;
                }
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    if raises(&handler.body)
                        || cancels(&handler.body)
                        || ignores(handler.type_.as_deref())
                        || !observable(catches_timeout(handler.type_.as_deref()))
                    {
                        continue;
                    }
                    let row = checker.line_index.line_of(handler.start()) + 1;
                    return Some(format!(
                        "when one awaitable fails, the handler at row {row} carries on while the others keep running unsupervised (`gather` does not cancel them)"
                    ));
                }
            }
            Stmt::With(with) if in_block(&with.body, call.range()) => {
                for item in &with.items {
                    let Expr::Call(suppress) = &item.context_expr else {
                        continue;
                    };
                    if !checker
                        .model
                        .call_path(suppress)
                        .is_some_and(|path| catalog::SUPPRESS_CALLS.contains(&path.as_str()))
                    {
                        continue;
                    }
                    let swallowed = &suppress.arguments.args;
                    if swallowed.is_empty()
                        || swallowed.iter().all(|type_| ignores(Some(type_)))
                        || !observable(swallowed.iter().any(|type_| catches_timeout(Some(type_))))
                    {
                        continue;
                    }
                    let row = checker.line_index.line_of(with.start()) + 1;
                    return Some(format!(
                        "when one awaitable fails, the `suppress(...)` at row {row} carries on while the others keep running unsupervised (`gather` does not cancel them)"
                    ));
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether a block sets a deadline anywhere: `wait_for(...)`, `async with asyncio.timeout(...)`.
fn has_deadline(checker: &Checker, body: &[Stmt]) -> bool {
    struct Deadlines<'c, 'a, 'm> {
        checker: &'c Checker<'a, 'm>,
        found: bool,
    }
    impl<'b> Visitor<'b> for Deadlines<'_, '_, '_> {
        fn visit_stmt(&mut self, stmt: &'b Stmt) {
            if is_timeout_scope(self.checker, stmt) {
                self.found = true;
            }
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                visitor::walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'b Expr) {
            if let Expr::Call(call) = expr
                && self
                    .checker
                    .model
                    .call_path(call)
                    .is_some_and(|path| catalog::is_wait_for(&path))
            {
                self.found = true;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut deadlines = Deadlines {
        checker,
        found: false,
    };
    deadlines.visit_body(body);
    deadlines.found
}

fn is_timeout_scope(checker: &Checker, stmt: &Stmt) -> bool {
    let Stmt::With(with) = stmt else {
        return false;
    };
    with.items.iter().any(|item| {
        matches!(&item.context_expr, Expr::Call(call) if checker.model.call_path(call).is_some_and(|path| catalog::is_timeout_scope(&path)))
    })
}

/// Something closed or released when the gather raises.
struct Resource<'a> {
    expr: &'a Expr,
    /// "closed", "released", "removed".
    how: &'static str,
    /// "at the end of the `async with` at row 12".
    when: String,
}

/// (b) The gather sits in a `with` or `try…finally` whose exit closes something the awaitables
/// use.
fn closed_resource<'a>(
    checker: &Checker<'a, '_>,
    scope: &Scope<'a>,
    call: &ast::ExprCall,
    awaitables: &[Awaitable<'a>],
) -> Option<String> {
    for stmt in checker.statements_in_function() {
        let mut resources = Vec::new();
        match stmt {
            Stmt::With(with) if in_block(&with.body, call.range()) => {
                let row = checker.line_index.line_of(with.start()) + 1;
                let keyword = if with.is_async { "async with" } else { "with" };
                for item in &with.items {
                    let when = format!("at the end of the `{keyword}` at row {row}");
                    match item.optional_vars.as_deref() {
                        Some(vars @ Expr::Name(name)) => {
                            if is_exit_stack(checker, &item.context_expr) {
                                // What the body enters into the stack is closed with it.
                                for entered in entered_into(&with.body, name.id.as_str()) {
                                    resources.push(Resource {
                                        expr: entered,
                                        how: "closed",
                                        when: format!(
                                            "by the exit stack at the end of the `{keyword}` at row {row}"
                                        ),
                                    });
                                }
                            } else if let Some(how) =
                                opens_resource(checker, &item.context_expr, name.id.as_str())
                            {
                                resources.push(Resource {
                                    expr: vars,
                                    how,
                                    when,
                                });
                            }
                        }
                        Some(_) => {}
                        None => {
                            // `stack = AsyncExitStack()` ... `async with stack:`
                            if let Expr::Name(stack) = &item.context_expr
                                && is_exit_stack(checker, &item.context_expr)
                            {
                                for entered in entered_into(&with.body, stack.id.as_str()) {
                                    resources.push(Resource {
                                        expr: entered,
                                        how: "closed",
                                        when: format!(
                                            "by the exit stack at the end of the `{keyword}` at row {row}"
                                        ),
                                    });
                                }
                            } else if matches!(
                                &item.context_expr,
                                Expr::Name(_) | Expr::Attribute(_)
                            ) && is_lock(checker, &item.context_expr)
                            {
                                resources.push(Resource {
                                    expr: &item.context_expr,
                                    how: "released",
                                    when,
                                });
                            }
                        }
                    }
                }
            }
            // A handler that catches every error and cancels the tasks runs before the
            // `finally` closes what they use.
            Stmt::Try(try_stmt)
                if in_block(&try_stmt.body, call.range())
                    && handler_cancels_on_any_error(checker, try_stmt) => {}
            Stmt::Try(try_stmt)
                if !try_stmt.finalbody.is_empty()
                    && !in_block(&try_stmt.finalbody, call.range()) =>
            {
                let row = checker.line_index.line_of(try_stmt.finalbody[0].start()) + 1;
                let mut closings = Closings {
                    checker,
                    found: Vec::new(),
                };
                closings.visit_body(&try_stmt.finalbody);
                // A `finally` that cancels the tasks (`await cancel_and_wait(*tasks)`) before
                // it closes what they use stops them first.
                let cancelled_at = try_stmt
                    .finalbody
                    .iter()
                    .position(|stmt| cancels(std::slice::from_ref(stmt)));
                for (expr, how) in closings.found {
                    let closed_at = try_stmt
                        .finalbody
                        .iter()
                        .position(|stmt| stmt.range().contains_range(expr.range()));
                    if cancelled_at
                        .is_some_and(|cancelled| closed_at.is_some_and(|closed| cancelled < closed))
                    {
                        continue;
                    }
                    resources.push(Resource {
                        expr,
                        how,
                        when: format!("in the `finally` at row {row}"),
                    });
                }
            }
            _ => {}
        }
        for resource in resources {
            if uses(scope, awaitables, resource.expr) {
                return Some(format!(
                    "when one awaitable fails, `{}` is {} {} while the others, which use it, keep running (`gather` does not cancel them)",
                    short(checker.text(resource.expr.range())),
                    resource.how,
                    resource.when
                ));
            }
        }
    }
    None
}

/// `contextlib.ExitStack()`, `contextlib.AsyncExitStack()`.
fn is_exit_stack(checker: &Checker, expr: &Expr) -> bool {
    match expr {
        Expr::Call(call) => checker
            .model
            .call_path(call)
            .is_some_and(|path| catalog::EXIT_STACKS.contains(&path.as_str())),
        other => checker
            .model
            .type_of(other)
            .is_some_and(|type_name| catalog::EXIT_STACKS.contains(&type_name.as_str())),
    }
}

/// The names a body binds to what it enters into the exit stack `stack`:
/// `stream = await stack.enter_async_context(resource.stream())`.
fn entered_into<'a>(body: &'a [Stmt], stack: &str) -> Vec<&'a Expr> {
    struct Entered<'a, 's> {
        stack: &'s str,
        found: Vec<&'a Expr>,
    }
    impl<'a> Visitor<'a> for Entered<'a, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                Stmt::Assign(assign) => {
                    let value = match &*assign.value {
                        Expr::Await(await_expr) => &*await_expr.value,
                        other => other,
                    };
                    if let Expr::Call(call) = value
                        && let Expr::Attribute(attribute) = &*call.func
                        && matches!(&*attribute.value, Expr::Name(name) if name.id.as_str() == self.stack)
                        && matches!(
                            attribute.attr.as_str(),
                            "enter_context" | "enter_async_context"
                        )
                    {
                        self.found.extend(
                            assign
                                .targets
                                .iter()
                                .filter(|target| matches!(target, Expr::Name(_))),
                        );
                    }
                }
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        }
    }
    let mut entered = Entered {
        stack,
        found: Vec::new(),
    };
    entered.visit_body(body);
    entered.found
}

/// Whether `async with expr as name` gives a resource its exit closes: a session, client,
/// connection, file, temporary directory (by the catalog's openers, or by its words).
/// Returns how the exit ends it: "closed", or "removed" for a temporary directory.
fn opens_resource(checker: &Checker, expr: &Expr, name: &str) -> Option<&'static str> {
    let func = match expr {
        Expr::Call(call) => {
            if let Some(path) = checker.model.call_path(call) {
                if path == "tempfile.TemporaryDirectory" {
                    return Some("removed");
                }
                if catalog::RESOURCE_OPENERS.contains(&path.as_str()) {
                    return Some("closed");
                }
                if catalog::is_timeout_scope(&path)
                    || catalog::SUPPRESS_CALLS.contains(&path.as_str())
                {
                    return None;
                }
            }
            &*call.func
        }
        other => other,
    };
    (names_resource(name) || dotted_name(func).is_some_and(|text| names_resource(&text)))
        .then_some("closed")
}

/// A lock, semaphore or condition: by its type, or by its name.
fn is_lock(checker: &Checker, expr: &Expr) -> bool {
    if checker
        .model
        .type_of(expr)
        .is_some_and(|type_name| catalog::is_lock_type(&type_name))
    {
        return true;
    }
    let Some(text) = dotted_name(expr) else {
        return false;
    };
    let last = text.rsplit('.').next().unwrap_or(&text);
    segments(last).iter().any(|segment| {
        matches!(
            segment.as_str(),
            "lock" | "rlock" | "semaphore" | "sem" | "mutex" | "condition"
        )
    })
}

/// Whether a name says it is a resource with a close: `session`, `db_conn`, `ClientSession`.
/// Words of up to four letters must be a whole segment (`conn`, not `condition`).
fn names_resource(text: &str) -> bool {
    segments(text).iter().any(|segment| {
        catalog::CLOSABLE_RESOURCE_WORDS.iter().any(|word| {
            if word.len() <= 4 {
                segment == word
            } else {
                segment.contains(word)
            }
        })
    })
}

/// `_`-, `.`- and CamelCase-separated lowercase segments: `aiohttp.ClientSession` →
/// `aiohttp`, `client`, `session`.
fn segments(text: &str) -> Vec<String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if (c == '_' || c == '.' || (c.is_ascii_uppercase() && previous_lower))
            && !current.is_empty()
        {
            segments.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        if c != '_' && c != '.' {
            current.push(c.to_ascii_lowercase());
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

/// What a `finally` closes: `x.close()`, `await x.aclose()`, `x.release()`,
/// `shutil.rmtree(x)`.
struct Closings<'c, 'a, 'm> {
    checker: &'c Checker<'a, 'm>,
    found: Vec<(&'a Expr, &'static str)>,
}

impl<'a> Visitor<'a> for Closings<'_, 'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            visitor::walk_stmt(self, stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if let Expr::Attribute(attribute) = &*call.func {
                let method = verb_of(attribute.attr.as_str());
                if catalog::method_has_verb(method, catalog::CLOSING_METHODS)
                    && matches!(&*attribute.value, Expr::Name(_) | Expr::Attribute(_))
                    && !only_signals(self.checker, &attribute.value, attribute.attr.as_str())
                {
                    let how = if catalog::method_has_verb(method, &["release"]) {
                        "released"
                    } else {
                        "closed"
                    };
                    self.found.push((&attribute.value, how));
                }
            }
            if self
                .checker
                .model
                .call_path(call)
                .is_some_and(|path| catalog::PATH_REMOVING_CALLS.contains(&path.as_str()))
                && let Some(path @ (Expr::Name(_) | Expr::Attribute(_))) =
                    call.arguments.args.first()
            {
                self.found.push((path, "removed"));
            }
        }
        visitor::walk_expr(self, expr);
    }
}

/// Whether `method` of `owner`, a class of this module, only signals the code that watches
/// it (`def stop(self): self._done.set()`, `self.running = False`, and a log line): the
/// awaitables still running see the signal and end, as they are written to; nothing they
/// use is closed. A class of another module is not looked into (the rule runs per module).
fn only_signals(checker: &Checker, owner: &Expr, method: &str) -> bool {
    let Some(type_name) = checker.model.type_of(owner) else {
        return false;
    };
    let module = &checker.module().body;
    let Some(class) = module.iter().find_map(|stmt| match stmt {
        Stmt::ClassDef(class) if checker.model.module.qualify(class.name.as_str()) == type_name => {
            Some(class)
        }
        _ => None,
    }) else {
        return false;
    };
    let Some(function) = crate::ast_query::find_method(module, class, method, 0) else {
        return false;
    };
    let signals = |stmt: &Stmt| match stmt {
        Stmt::Pass(_) => true,
        Stmt::Expr(expr) => match &*expr.value {
            Expr::StringLiteral(_) => true,
            // `self._stopped.set()`, and a log line about it (`logger.info("stopping")`).
            Expr::Call(call) => match &*call.func {
                Expr::Attribute(called) => match called.attr.as_str() {
                    "set" | "notify_all" => call.arguments.is_empty(),
                    "debug" | "info" | "warning" | "error" | "exception" | "critical" => true,
                    _ => false,
                },
                _ => false,
            },
            _ => false,
        },
        Stmt::Assign(assign) => {
            assign.targets.iter().all(Expr::is_attribute_expr)
                && matches!(
                    &*assign.value,
                    Expr::BooleanLiteral(_) | Expr::NoneLiteral(_) | Expr::NumberLiteral(_)
                )
        }
        _ => false,
    };
    function.body.iter().all(signals)
}

/// Whether the awaitables use `resource`: it is in the expression that makes one (passed to
/// it), or the body of a coroutine of this module reads it (through `self`, a closure, or as a
/// global).
fn uses<'a>(scope: &Scope<'a>, awaitables: &[Awaitable<'a>], resource: &Expr) -> bool {
    let Some(text) = dotted_name(resource) else {
        return false;
    };
    let mut parts = text.split('.');
    let root = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    awaitables.iter().any(|awaitable| {
        if mentions(awaitable.expr, root, &rest) {
            return true;
        }
        let Some(seen) = awaitable.seen else {
            return false;
        };
        // The name the resource goes by in the coroutine's body.
        let inner_root = if Some(root) == scope.receiver {
            if seen.closure {
                Some(root)
            } else {
                seen.receiver
            }
        } else if scope.binds(root) {
            seen.closure.then_some(root)
        } else {
            Some(root)
        };
        let Some(inner_root) = inner_root else {
            return false;
        };
        let inner = Scope::of(&scope.module, seen);
        if inner.binds(inner_root) && Some(inner_root) != inner.receiver {
            return false;
        }
        seen.def
            .body
            .iter()
            .any(|stmt| stmt_mentions(stmt, inner_root, &rest))
    })
}

/// Whether `expr` reads `root.rest...` (or something inside it).
fn mentions(expr: &Expr, root: &str, rest: &[&str]) -> bool {
    let mut finder = Mentions {
        root,
        rest,
        found: false,
    };
    finder.visit_expr(expr);
    finder.found
}

fn stmt_mentions(stmt: &Stmt, root: &str, rest: &[&str]) -> bool {
    let mut finder = Mentions {
        root,
        rest,
        found: false,
    };
    finder.visit_stmt(stmt);
    finder.found
}

struct Mentions<'n> {
    root: &'n str,
    rest: &'n [&'n str],
    found: bool,
}

impl<'a> Visitor<'a> for Mentions<'_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        if matches!(expr, Expr::Name(_) | Expr::Attribute(_))
            && let Some(text) = dotted_name(expr)
        {
            let mut parts = text.split('.');
            if parts.next() == Some(self.root) {
                let parts: Vec<&str> = parts.collect();
                if parts.len() >= self.rest.len() && parts[..self.rest.len()] == *self.rest {
                    self.found = true;
                    return;
                }
            }
        }
        visitor::walk_expr(self, expr);
    }
}

/// Whether the gather sits in a `try` that cancels the tasks when it fails: in a handler that
/// catches every error, or in its `finally`. The siblings do not run on unsupervised, however
/// the handler ends (`for task in tasks: task.cancel()`, then `raise`).
fn cancelled_on_failure(checker: &Checker, call: &ast::ExprCall) -> bool {
    checker.statements_in_function().any(|stmt| {
        let Stmt::Try(try_stmt) = stmt else {
            return false;
        };
        in_block(&try_stmt.body, call.range())
            && (cancels(&try_stmt.finalbody) || handler_cancels_on_any_error(checker, try_stmt))
    })
}

/// Whether a handler of `try_stmt` catches every error and cancels the tasks.
fn handler_cancels_on_any_error(checker: &Checker, try_stmt: &ast::StmtTry) -> bool {
    try_stmt.handlers.iter().any(|handler| {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        handler
            .type_
            .as_deref()
            .is_none_or(|type_| any_class_in(checker, type_, catalog::CATCH_ALL_CLASSES))
            && cancels(&handler.body)
    })
}

/// A sibling that loops until stopped, beside another that can fail: when that one fails,
/// `gather` raises and the loop goes on with nobody to stop it or hear of its end.
/// A loop on a flag the gather's `finally` clears (`stopped(flag)`) ends with the gather.
fn left_running(
    awaitables: &[Awaitable],
    facts: &[Facts],
    stopped: impl Fn(&str) -> bool,
) -> Option<String> {
    facts.iter().enumerate().find_map(|(index, fact)| {
        let looping = fact.runs_until_stopped.as_ref()?;
        if fact.loop_flag.as_deref().is_some_and(&stopped) {
            return None;
        }
        let another_can_fail = awaitables.iter().zip(facts).enumerate().any(
            |(other, (other_awaitable, other_fact))| {
                (other != index || other_awaitable.repeated) && !other_fact.cannot_fail
            },
        );
        another_can_fail.then(|| {
            format!(
                "`{looping}` loops until it is stopped: when another awaitable fails, the caller fails while the loop runs on unsupervised (`gather` does not cancel it)"
            )
        })
    })
}

/// (c) An awaitable writes, and another one can fail: the caller fails half-way while the
/// write goes on.
fn half_done_write(checker: &Checker, awaitables: &[Awaitable], facts: &[Facts]) -> Option<String> {
    for (index, fact) in facts.iter().enumerate() {
        let Some(write) = &fact.writes else {
            continue;
        };
        let another_can_fail = awaitables.iter().zip(facts).enumerate().any(
            |(other, (other_awaitable, other_fact))| {
                (other != index || other_awaitable.repeated) && !other_fact.cannot_fail
            },
        );
        if !another_can_fail {
            continue;
        }
        let writes = if write.awaitable == write.what {
            format!("`{}` writes", write.what)
        } else {
            let row = checker.line_index.line_of(write.range.start()) + 1;
            format!("`{}` writes ({} at row {row})", write.awaitable, write.what)
        };
        return Some(format!(
            "{writes}: when another awaitable fails, the caller fails half-way while the write goes on (`gather` does not cancel it)"
        ));
    }
    None
}
