//! LW305 yield-in-async-generator-context: an async generator that yields inside a `with`,
//! `async with` or `try…finally`, whose cleanup then waits on the consumer.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use rustc_hash::FxHashMap;

use crate::ast_query::{Walk, last_identifier};
use crate::catalog::{
    GENERATOR_CLOSING_WRAPPERS, GENERATOR_DRIVING_DECORATORS, GENERATOR_DRIVING_METHODS,
    RESOURCE_FREE_CONTEXTS,
};
use crate::checker::{Checker, MAX_NESTING};
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW305 yield-in-async-generator-context

## What it does
Flags a `yield` inside a `with`, an `async with`, or the `try` (or its `except`/`else`) of a
`try…finally`, in an async generator (an `async def` that yields) that yields more than once (in
a loop, or at several places).

## Why is this bad?
A consumer that stops iterating early (`break`, an exception, a `return` out of its `async for`)
leaves the generator suspended at the `yield`, inside the block. Its cleanup (closing the file,
releasing the connection or lock, the `finally`) does not run then: it runs when the generator is
`aclose()`d, and nobody calls that, or when it is garbage-collected, at which point asyncio's
shutdown hook or the garbage collector closes it on whatever task, loop or thread happens to run
(`RuntimeError: aclose(): asynchronous generator is already running`, a lock released on another
task, a connection returned to a pool from a finalizer). flake8-async reports it as ASYNC119.

## Example
```python
async def rows(pool, query):
    async with pool.acquire() as conn:
        async for row in conn.cursor(query):
            yield row

async def first_row(pool, query):
    async for row in rows(pool, query):
        return row          # the connection stays checked out
```

## Use instead
Close the generator deterministically where it is consumed:
```python
async def first_row(pool, query):
    async with contextlib.aclosing(rows(pool, query)) as results:
        async for row in results:
            return row
```
or make the resource the caller's: fetch the rows inside the block and return a list, or turn
the generator into an `@asynccontextmanager` that yields the cursor once.

## Not flagged
- A generator decorated with `@asynccontextmanager` (yielding inside a context is its purpose),
  or an async fixture (`@pytest.fixture`, `@pytest_asyncio.fixture`): the framework drives it to
  its end. So does httpx an auth flow, a method named `async_auth_flow` (the `httpx.Auth`
  protocol): the client closes it with `aclose()` when the response is done.
- A generator that yields once on every run: the setup/teardown shape that frameworks drive to
  its end (FastAPI dependencies, lifespans, fixtures); a consumer has nothing to stop early. A
  `yield` followed by `return` ends its path, so a lifespan that yields early in one branch
  and once at the end of the other still yields once; so does one whose yields sit on
  exclusive paths (the arms of an `if`, or the end of a `try` body and its `except`
  handler, which runs only when the body raised before its yield), and a loop whose yield
  is followed by `return` (the first message accepted, then done).
- A `yield` in a `try` whose `finally` only closes a generator of the module the function
  made (`events = self.events(...)`, then `finally: await events.aclose()`), the hand-written
  form of `async with aclosing(self.events(...))`: what it releases late is that generator's,
  reported there. So does one that closes a generator of another module of the project, or
  a method reached through an attribute whose type the class declares (`transport:
  Transport` and `events = self.transport.stream(...)`): that finding waits for the link,
  which confirms the callee is an `async def` that yields; when it is not (or the type is
  unknown) the finding stands, naming the block by what it closes (`` `try…finally`
  (closing `stream(...)`) ``) when the link decided it. So does a decorator's wrapper that
  closes the generator made by calling what it was handed (`generator = function(*args)`,
  `function` a parameter of the wrapper or of the decorator around it): the decorated
  generator is reported where it is defined.
- A generator whose every call in its module is iterated to its end by a list or set
  comprehension that only collects its items, or by an `async for` loop whose body only
  collects (assignments and calls of `append`, `add`, `extend`, `update`, `put_nowait` and
  the like, also under an `if`; no `await`, where a cancellation could stop the loop, and no
  `break`, `return` or `raise`): `async for chunk in gen(): pending.append(send(chunk))`, also
  through a name the call is bound to first (`chunks = gen()`, `async for chunk in chunks:`).
  A comprehension counts in its own forms (`[item async for item in gen()]`, also
  through a name read nowhere else: `stream = gen()`, `[item async for item in stream]`), or is
  bound to a name that is read only by `async for` loops in the body of a `try` whose
  `finally` awaits `name.aclose()` (the written-out `aclosing`; not when that body yields:
  the consumer is then a generator whose `finally` may itself run late), or is
  wrapped in `contextlib.aclosing(...)` (or the
  `async_generator` backport's, or a function, class or alias of the project named
  `aclosing` in any case, such as `Aclosing = contextlib.aclosing`; callers
  in other modules are not seen; a `# noqa` records the decision there). For a method, a
  call on a receiver in another class of the module that defines a method of the same name
  (the sync twin, `self._batches()` in `Index` beside `AsyncIndex._batches`) is that class's
  own, and not counted.
- A generator method of an async context manager whose exit releases what the generator
  holds: the generator publishes on its instance an object it holds in a name of its own
  (`self._active = consumer`; not a flag, a count, or an object made in place, `self._fetcher
  = Fetcher()`) that the class's `__aexit__` (or a base class's in the module) reads (`await
  self._active.stop()`). The class is meant to be used as `async with result: async for chunk
  in result:`, and an iteration stopped early is cleaned up when that block ends. So is one
  whose `finally` only calls methods of the instance that `__aexit__` calls too (`finally:
  await self.aclose()`, and `__aexit__` awaits `self.aclose()`: a response that is its own
  context manager). Iterating such an object without entering it is not looked for.
- A `yield` in a nested function, or in the `finally` block itself.
- A `yield` in a `try` whose `finally` does nothing (`finally: pass`, only `...` or strings)
  or only writes a line (`logger.debug("stream closed")`, `print(...)`), or only gives the
  loop a turn (`await asyncio.sleep(0)`): there is no cleanup to wait for, only a log line
  that comes late.
- A `yield` in a plain `with` on something that holds nothing outside memory (`memoryview(...)`,
  `io.BytesIO()`, `io.StringIO()`, `contextlib.suppress(...)`, `contextlib.nullcontext()`,
  `aiohttp.MultipartWriter()` (a body being built; also a class of the project derived from
  one of these without an `__exit__` of its own), or a
  `@contextlib.contextmanager` function of the module whose body ends in a `try` around a bare
  `yield` with `except` handlers, which translates exceptions, after statements that open no
  `with` or `try` of their own, such as a table of exceptions filled on first use): leaving it late releases
  nothing another task waits for. Such a context manager of another module of the project
  (`with request_context(request):` imported from `._exceptions`) counts the same: that
  finding waits for the link, which knows what the other module defines, and when it stands
  it names the context manager (`` `with leased(...)` ``) instead of the row. A `finally` that only resets state is not such a case: a
  `self._busy = False` left for the garbage collector keeps the object busy until then.
- A `yield` in an `async with aclosing(inner(...))` where `inner` is an async generator of
  the module (a module-level function, a method of the class called on `self` or on a
  value typed by a class of the module, a function nested in the generator): leaving the block late only closes `inner` late, and whatever
  `inner` holds is reported in `inner` itself. A generator of a library (`aclosing(pool.
  stream(q))`) is not known to hold nothing, and stays reported.

## Fix
None: closing belongs where the generator is consumed.
"#;

pub(crate) fn check_function(checker: &mut Checker, function: &ast::StmtFunctionDef) {
    if !function.is_async || is_driven_by_its_caller(checker, function) {
        return;
    }
    let holds_no_resource = |expr: &Expr| match expr {
        Expr::Call(call) => {
            checker
                .model
                .call_path(call)
                .is_some_and(|path| RESOURCE_FREE_CONTEXTS.contains(&path.as_str()))
                || maps_exceptions_only(checker, call)
                || derives_from_resource_free(checker, call)
        }
        _ => false,
    };
    let closes_own_generator = |expr: &Expr| closes_own_generator(checker, function, expr);
    let finally_closes_own = |finalbody: &[Stmt]| {
        finally_closes_own_generators(checker, function, finalbody)
            .or_else(|| finally_is_class_exit(checker, function, finalbody).then(Vec::new))
            .or_else(|| finally_only_logs(checker, finalbody).then(Vec::new))
    };
    let of_other_module = |expr: &Expr| context_of_another_module(checker, expr);
    let mut finder = YieldFinder::new(
        &holds_no_resource,
        &closes_own_generator,
        &finally_closes_own,
        &of_other_module,
    );
    finder.visit_body(&function.body);
    // A generator that yields once on every path (a set-up, a `yield`, a tear-down; a `yield`
    // followed by `return` in one branch and another in the rest) is the shape frameworks
    // drive to its end.
    // So is one whose yields sit on exclusive paths: the two arms of an `if`, or the end of
    // a `try` body and its `except` handler (`yield result` / `except: yield None`).
    if finder.found.is_empty()
        || (!finder.yield_in_loop && finder.yields <= 1)
        || yields_per_run(&function.body) <= 1
    {
        return;
    }
    let own_class = crate::ast_query::enclosing_class(checker.statement_ancestors(), function);
    if every_call_is_closed(checker.module(), checker, function.name.as_str(), own_class)
        || released_by_class_exit(checker, function)
    {
        return;
    }
    for found in finder.found {
        match found.pending {
            Some(paths) => {
                let contexts = paths
                    .into_iter()
                    .map(|(path, closed)| (path.into(), closed))
                    .collect();
                checker.summary.hold_context_finding(found.range, contexts);
            }
            None => {
                let row = checker.row_of(found.context.start);
                let block = format!("`{}` (line {row})", found.context.kind);
                checker.report(finding(found.range, &block));
            }
        }
    }
}

/// The `__aexit__` of the class a generator method belongs to (or of a base class in the
/// module), with the names both methods give their instance.
struct ClassExit<'a> {
    receiver: &'a str,
    exit: &'a ast::StmtFunctionDef,
    exit_receiver: &'a str,
}

fn class_exit<'a>(
    checker: &Checker<'a, '_>,
    function: &'a ast::StmtFunctionDef,
) -> Option<ClassExit<'a>> {
    let module = &checker.module().body;
    let class = crate::ast_query::enclosing_class(checker.statement_ancestors(), function)?;
    let exit = crate::ast_query::find_method(module, class, "__aexit__", 0)?;
    Some(ClassExit {
        receiver: crate::ast_query::receiver_name(function)?,
        exit,
        exit_receiver: crate::ast_query::receiver_name(exit)?,
    })
}

/// Whether the generator is a method of an async context manager whose exit releases what
/// the generator holds: the generator publishes on its instance an object it holds in a
/// name (`self._active = consumer`; a flag, a count or `self._x = Made()` does not count) that the class's `__aexit__` (or a base's of the module) reads (`await
/// self._active.stop()`). Used as the class means it (`async with result: async for chunk in
/// result:`), an iteration stopped early is cleaned up when the block ends, not by the
/// garbage collector.
fn released_by_class_exit(checker: &Checker, function: &ast::StmtFunctionDef) -> bool {
    let Some(ClassExit {
        receiver,
        exit,
        exit_receiver,
    }) = class_exit(checker, function)
    else {
        return false;
    };
    let mut kept: Vec<&str> = Vec::new();
    crate::ast_query::walk_statements_shallow(&function.body, &mut |stmt| {
        // What the generator holds in a name of its own, published (`= consumer`); not a
        // flag or a count, nor an object made for the instance in place (`self._fetcher =
        // Fetcher()`), which the exit may release for another reason.
        let (targets, value): (&[Expr], Option<&Expr>) = match stmt {
            Stmt::Assign(assign) => (&assign.targets, Some(&*assign.value)),
            Stmt::AnnAssign(assign) => (
                std::slice::from_ref(&*assign.target),
                assign.value.as_deref(),
            ),
            _ => (&[], None),
        };
        if value.is_some_and(|value| matches!(value, Expr::Name(_))) {
            kept.extend(
                targets
                    .iter()
                    .filter_map(|target| attribute_of(target, receiver)),
            );
        }
        Walk::Descend
    });
    !kept.is_empty()
        && crate::ast_query::any_in_body(&exit.body, &mut |expr| {
            attribute_of(expr, exit_receiver).is_some_and(|attribute| kept.contains(&attribute))
        })
}

/// A `finally` that only writes a line (`logger.debug("stream closed")`, `print(...)`, with
/// `pass` or strings beside), or only yields to the loop once (`await asyncio.sleep(0)`): it
/// releases nothing, so running it late delays a log line, not a cleanup.
fn finally_only_logs(checker: &Checker, finalbody: &[Stmt]) -> bool {
    finalbody.iter().all(|stmt| {
        crate::ast_query::does_nothing(std::slice::from_ref(stmt))
            || matches!(stmt, Stmt::Expr(expression)
                if crate::checker::polled_state::is_logging_call(checker, &expression.value)
                    || is_zero_sleep(checker, &expression.value))
    })
}

/// `await asyncio.sleep(0)`: a turn given to the loop, nothing held or released.
fn is_zero_sleep(checker: &Checker, expr: &Expr) -> bool {
    let Expr::Await(awaited) = expr else {
        return false;
    };
    let Expr::Call(call) = &*awaited.value else {
        return false;
    };
    matches!(call.arguments.find_argument_value("delay", 0),
    Some(Expr::NumberLiteral(number)) if match &number.value {
        ast::Number::Int(delay) => delay.as_u8() == Some(0),
        ast::Number::Float(delay) => *delay == 0.0,
        ast::Number::Complex { .. } => false,
    }) && checker
        .model
        .call_path(call)
        .is_some_and(|path| crate::catalog::ASYNC_SLEEPS.contains(&path.as_str()))
}

/// Whether a `finally` of a generator method only calls methods of its instance that the
/// class's `__aexit__` calls too (`finally: await self.aclose()`, with `__aexit__` awaiting
/// `self.aclose()`): the object is an async context manager that releases what the generator
/// holds on exit, so used as the class means it (`async with response: async for chunk in
/// response.aiter_bytes():`), an iteration stopped early is released when the block ends.
fn finally_is_class_exit(
    checker: &Checker,
    function: &ast::StmtFunctionDef,
    finalbody: &[Stmt],
) -> bool {
    let Some(ClassExit {
        receiver,
        exit,
        exit_receiver,
    }) = class_exit(checker, function)
    else {
        return false;
    };
    // `self.m()` or `await self.m()` as a statement: the method's name.
    let own_call = |stmt: &Stmt, on: &str| -> Option<String> {
        let Stmt::Expr(statement) = stmt else {
            return None;
        };
        let call = match &*statement.value {
            Expr::Await(awaited) => &*awaited.value,
            other => other,
        };
        let Expr::Call(call) = call else { return None };
        attribute_of(&call.func, on).map(str::to_owned)
    };
    let called_on_exit = |method: &str| {
        crate::ast_query::any_in_body(&exit.body, &mut |expr| {
            matches!(expr, Expr::Call(call)
                if attribute_of(&call.func, exit_receiver) == Some(method))
        })
    };
    !finalbody.is_empty()
        && finalbody
            .iter()
            .all(|stmt| own_call(stmt, receiver).is_some_and(|method| called_on_exit(&method)))
}

/// `attr` of `receiver.attr`.
fn attribute_of<'e>(expr: &'e Expr, receiver: &str) -> Option<&'e str> {
    match expr {
        Expr::Attribute(attribute) if matches!(&*attribute.value, Expr::Name(name) if name.id.as_str() == receiver) => {
            Some(attribute.attr.as_str())
        }
        _ => None,
    }
}

/// The finding for the `yield` at `range`, inside `block` (`` `with` (line 12) ``).
fn finding(range: TextRange, block: &str) -> Diagnostic {
    Diagnostic::new(
        Rule::YieldInAsyncGeneratorContext,
        format!(
            "`yield` inside {block} in an async generator: if the consumer stops early, the cleanup waits for garbage collection"
        ),
        range,
    )
    .with_help("consume it with `async with contextlib.aclosing(gen()) as it:`, or make it an `@asynccontextmanager`")
}

/// The last part of a dotted path (`leased` of `sdk._errors.leased`).
fn last_identifier_of(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// The most `yield`s one run through `body` makes, counting each at most once (2 stands for
/// "more than one"): the arms of an `if` or a `match` are alternatives; a run ends at a
/// `return` or a `raise` (`yield early` then `return` in one branch, `yield` in the rest);
/// a `try` whose body yields only as its last step makes either the body's yields (with its
/// `else`) or a handler's, since a handler runs only when the body raised before its yield;
/// a loop that yields may yield many times.
fn yields_per_run(body: &[Stmt]) -> usize {
    block_run(body).most()
}

/// The yields of the runs through a block: the most on a run that goes on past its end
/// (`None` when every run leaves it by `return` or `raise`), the most on a run that leaves
/// it there, and the most on a run that reaches a `continue` or `break` of the loop around
/// (`None` when none does).
#[derive(Clone, Copy)]
struct Run {
    through: Option<usize>,
    leaving: usize,
    jumping: Option<usize>,
}

impl Run {
    fn simple(yields: usize) -> Run {
        Run {
            through: Some(yields),
            leaving: 0,
            jumping: None,
        }
    }

    fn most(self) -> usize {
        self.through
            .unwrap_or(0)
            .max(self.leaving)
            .max(self.jumping.unwrap_or(0))
    }

    /// `self`, then `next` for the runs that went on.
    fn then(self, next: Run) -> Run {
        match self.through {
            Some(before) => Run {
                through: next.through.map(|after| (before + after).min(2)),
                leaving: self.leaving.max((before + next.leaving).min(2)),
                jumping: most_of(
                    self.jumping,
                    next.jumping.map(|after| (before + after).min(2)),
                ),
            },
            None => self,
        }
    }

    /// One of `self` and `other`, whichever runs.
    fn or(self, other: Run) -> Run {
        Run {
            through: most_of(self.through, other.through),
            leaving: self.leaving.max(other.leaving),
            jumping: most_of(self.jumping, other.jumping),
        }
    }
}

/// The larger of two counts, either of which may be absent.
fn most_of(one: Option<usize>, two: Option<usize>) -> Option<usize> {
    match (one, two) {
        (Some(one), Some(two)) => Some(one.max(two)),
        (one, two) => one.or(two),
    }
}

fn block_run(body: &[Stmt]) -> Run {
    body.iter()
        .fold(Run::simple(0), |run, stmt| run.then(stmt_run(stmt)))
}

fn stmt_run(stmt: &Stmt) -> Run {
    // Alternatives, and the run that takes none of them (an `if` without `else`).
    let one_of = |blocks: &mut dyn Iterator<Item = &[Stmt]>, exhaustive: bool| {
        let start = if exhaustive {
            Run {
                through: None,
                leaving: 0,
                jumping: None,
            }
        } else {
            Run::simple(0)
        };
        blocks.map(block_run).fold(start, Run::or)
    };
    match stmt {
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => Run::simple(0),
        Stmt::If(if_stmt) => {
            let exhaustive = if_stmt
                .elif_else_clauses
                .last()
                .is_some_and(|clause| clause.test.is_none());
            one_of(&mut crate::ast_query::if_branches(if_stmt), exhaustive)
        }
        Stmt::Match(match_stmt) => one_of(
            &mut match_stmt.cases.iter().map(|case| case.body.as_slice()),
            false,
        ),
        Stmt::With(with) => block_run(&with.body),
        Stmt::Try(try_stmt) => {
            let body = block_run(&try_stmt.body);
            let handlers = one_of(
                &mut try_stmt.handlers.iter().map(|handler| {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    handler.body.as_slice()
                }),
                true,
            );
            let orelse = block_run(&try_stmt.orelse);
            let run = if yields_only_last(&try_stmt.body) {
                body.then(orelse).or(handlers)
            } else {
                // A handler may run after any of the body's yields.
                let yields = (body.most() + orelse.most() + handlers.most()).min(2);
                let jumps = body.jumping.is_some()
                    || orelse.jumping.is_some()
                    || handlers.jumping.is_some();
                Run {
                    through: Some(yields),
                    leaving: yields,
                    jumping: jumps.then_some(yields),
                }
            };
            run.then(block_run(&try_stmt.finalbody))
        }
        // A loop whose runs that yield all leave it (`yield message` then `return`) yields
        // at most once; one that can yield and go round again (or on past it, by `break`),
        // many times.
        Stmt::For(ast::StmtFor { body, orelse, .. })
        | Stmt::While(ast::StmtWhile { body, orelse, .. }) => {
            let body = block_run(body);
            if body.through.unwrap_or(0) > 0 || body.jumping.unwrap_or(0) > 0 {
                Run {
                    through: Some(2),
                    leaving: 2,
                    jumping: None,
                }
            } else {
                let ended = Run {
                    through: Some(0),
                    leaving: body.leaving,
                    jumping: None,
                };
                ended.then(block_run(orelse))
            }
        }
        Stmt::Continue(_) | Stmt::Break(_) => Run {
            through: None,
            leaving: 0,
            jumping: Some(0),
        },
        Stmt::Return(_) | Stmt::Raise(_) => Run {
            through: None,
            leaving: usize::from(simple_statement_yields(stmt)),
            jumping: None,
        },
        other => Run::simple(usize::from(simple_statement_yields(other))),
    }
}

/// Whether a simple statement (not a block) holds a `yield` (`yield x`, `value = yield`,
/// `return (yield)`).
fn simple_statement_yields(stmt: &Stmt) -> bool {
    let is_yield = &mut |expr: &Expr| matches!(expr, Expr::Yield(_) | Expr::YieldFrom(_));
    let value = match stmt {
        Stmt::Expr(statement) => Some(&*statement.value),
        Stmt::Assign(assign) => Some(&*assign.value),
        Stmt::AnnAssign(assign) => assign.value.as_deref(),
        Stmt::AugAssign(assign) => Some(&*assign.value),
        Stmt::Return(ret) => ret.value.as_deref(),
        _ => None,
    };
    value.is_some_and(|value| crate::ast_query::any_expr(value, is_yield))
}

/// Whether `body` yields only as its last step: nothing runs after a `yield` in it (its last
/// statement is the yield, or an `if` each arm of which yields only last or not at all; a
/// `return` after the yield runs nothing).
fn yields_only_last(body: &[Stmt]) -> bool {
    let body = match body.split_last() {
        Some((Stmt::Return(ret), before)) if ret.value.is_none() => before,
        _ => body,
    };
    let Some((last, before)) = body.split_last() else {
        return true;
    };
    if yields_per_run(before) > 0 {
        return false;
    }
    match last {
        Stmt::If(if_stmt) => crate::ast_query::if_branches(if_stmt).all(yields_only_last),
        Stmt::Expr(_) | Stmt::Assign(_) | Stmt::AnnAssign(_) => true,
        other => yields_per_run(std::slice::from_ref(other)) == 0,
    }
}

/// Whether what calls `function` drives the generator to its end: a decorator's framework,
/// or a library whose protocol method it is ([`GENERATOR_DRIVING_METHODS`]).
fn is_driven_by_its_caller(checker: &Checker, function: &ast::StmtFunctionDef) -> bool {
    let is_method =
        crate::ast_query::enclosing_class(checker.statement_ancestors(), function).is_some();
    if is_method && GENERATOR_DRIVING_METHODS.contains(&function.name.as_str()) {
        return true;
    }
    function.decorator_list.iter().any(|decorator| {
        let callee = ruff_python_ast::helpers::map_callable(&decorator.expression);
        checker
            .model
            .path_of(callee)
            .is_some_and(|path| GENERATOR_DRIVING_DECORATORS.contains(&path.as_str()))
    })
}

/// A block whose exit is cleanup: where it starts and what it is called.
#[derive(Clone, Copy)]
struct Context {
    start: TextSize,
    kind: &'static str,
    /// A plain `with` whose items hold nothing but for context managers of other modules
    /// of the project: whether it holds anything is known at the link.
    of_other_modules: bool,
}

/// A `yield` found inside cleanup: the block it waits in, and, when every block around it
/// is a `with` on context managers of other modules, their paths (the innermost last) for
/// the link to judge.
struct Found {
    range: TextRange,
    context: Context,
    pending: Option<Vec<(String, bool)>>,
}

struct YieldFinder<'f> {
    /// Whether a `with` item's context manager holds nothing outside memory
    /// ([`RESOURCE_FREE_CONTEXTS`]): a block of only such items is no cleanup to wait for.
    holds_no_resource: &'f dyn Fn(&Expr) -> bool,
    /// Whether an `async with` item closes a generator of this module
    /// ([`closes_own_generator`]): what it releases late is that generator's, reported there.
    closes_own_generator: &'f dyn Fn(&Expr) -> bool,
    /// Whether a `finally` only closes generators the function made: of this module
    /// (`Some` of nothing), or some of other modules, whose paths the link judges
    /// ([`finally_closes_own_generators`]).
    finally_closes_own: &'f dyn Fn(&[Stmt]) -> Option<Vec<String>>,
    /// The context manager of a `with` item that another module of the project defines
    /// ([`context_of_another_module`]).
    of_other_module: &'f dyn Fn(&Expr) -> Option<String>,
    contexts: Vec<Context>,
    /// For each of `contexts`, the paths of its other modules' context managers, or of the
    /// other modules' generators its `finally` closes (marked `true`).
    context_paths: Vec<Vec<(String, bool)>>,
    loops: usize,
    yields: usize,
    yield_in_loop: bool,
    found: Vec<Found>,
    nesting: usize,
}

impl<'f> YieldFinder<'f> {
    fn new(
        holds_no_resource: &'f dyn Fn(&Expr) -> bool,
        closes_own_generator: &'f dyn Fn(&Expr) -> bool,
        finally_closes_own: &'f dyn Fn(&[Stmt]) -> Option<Vec<String>>,
        of_other_module: &'f dyn Fn(&Expr) -> Option<String>,
    ) -> Self {
        Self {
            holds_no_resource,
            closes_own_generator,
            finally_closes_own,
            of_other_module,
            contexts: Vec::new(),
            context_paths: Vec::new(),
            loops: 0,
            yields: 0,
            yield_in_loop: false,
            found: Vec::new(),
            nesting: 0,
        }
    }
}

impl<'a> Visitor<'a> for YieldFinder<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.nesting >= MAX_NESTING {
            return;
        }
        self.nesting += 1;
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::With(with)
                if !with.is_async
                    && with
                        .items
                        .iter()
                        .all(|item| (self.holds_no_resource)(&item.context_expr)) =>
            {
                visitor::walk_stmt(self, stmt);
            }
            Stmt::With(with)
                if with.is_async
                    && with
                        .items
                        .iter()
                        .all(|item| (self.closes_own_generator)(&item.context_expr)) =>
            {
                visitor::walk_stmt(self, stmt);
            }
            Stmt::With(with) => {
                for item in &with.items {
                    self.visit_expr(&item.context_expr);
                }
                // `with request_context(request):` from another module of the project, with
                // nothing else that holds a resource: the link decides.
                let mut paths = Vec::new();
                let of_other_modules = !with.is_async
                    && with.items.iter().all(|item| {
                        (self.holds_no_resource)(&item.context_expr)
                            || (self.of_other_module)(&item.context_expr)
                                .map(|path| paths.push((path, false)))
                                .is_some()
                    });
                self.contexts.push(Context {
                    start: with.start(),
                    kind: if with.is_async { "async with" } else { "with" },
                    of_other_modules,
                });
                self.context_paths.push(paths);
                self.visit_body(&with.body);
                self.contexts.pop();
                self.context_paths.pop();
            }
            // A `finally` that does nothing (`finally: pass`) has no cleanup to wait for, nor
            // one that only closes generators of this module the function made.
            Stmt::Try(try_stmt)
                if !try_stmt.finalbody.is_empty()
                    && !crate::ast_query::does_nothing(&try_stmt.finalbody) =>
            {
                let others = (self.finally_closes_own)(&try_stmt.finalbody);
                if others.as_ref().is_some_and(Vec::is_empty) {
                    visitor::walk_stmt(self, stmt);
                    self.nesting -= 1;
                    return;
                }
                // Closing generators of other modules: the link decides.
                self.contexts.push(Context {
                    start: try_stmt.start(),
                    kind: "try…finally",
                    of_other_modules: others.is_some(),
                });
                self.context_paths.push(
                    others
                        .unwrap_or_default()
                        .into_iter()
                        .map(|path| (path, true))
                        .collect(),
                );
                self.visit_body(&try_stmt.body);
                for handler in &try_stmt.handlers {
                    self.visit_except_handler(handler);
                }
                self.visit_body(&try_stmt.orelse);
                self.contexts.pop();
                self.context_paths.pop();
                self.visit_body(&try_stmt.finalbody);
            }
            Stmt::For(_) | Stmt::While(_) => {
                self.loops += 1;
                visitor::walk_stmt(self, stmt);
                self.loops -= 1;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
        self.nesting -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.nesting >= MAX_NESTING {
            return;
        }
        self.nesting += 1;
        match expr {
            Expr::Lambda(_) => {}
            Expr::Yield(_) | Expr::YieldFrom(_) => {
                self.yields += 1;
                self.yield_in_loop |= self.loops > 0;
                // The innermost block known to hold something; else, when every block
                // around is a `with` on other modules' context managers, the innermost,
                // held for the link with all their paths.
                if let Some(context) = self.contexts.iter().rev().find(|c| !c.of_other_modules) {
                    self.found.push(Found {
                        range: expr.range(),
                        context: *context,
                        pending: None,
                    });
                } else if let Some(context) = self.contexts.last() {
                    self.found.push(Found {
                        range: expr.range(),
                        context: *context,
                        pending: Some(self.context_paths.concat()),
                    });
                }
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
        self.nesting -= 1;
    }
}

/// A call of a `@contextlib.contextmanager` function of this module that only translates
/// exceptions ([`only_maps_exceptions`]): it holds nothing to release.
/// `FormWriter()`, a class of the module derived from one that holds nothing
/// ([`RESOURCE_FREE_CONTEXTS`]: `class FormWriter(aiohttp.MultipartWriter)`) that defines no
/// `__exit__` or `__aexit__` of its own.
fn derives_from_resource_free(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Expr::Name(callee) = &*call.func else {
        return false;
    };
    if checker.model.is_local(callee.id.as_str()) {
        return false;
    }
    checker.module().body.iter().any(|stmt| {
        let Stmt::ClassDef(class) = stmt else {
            return false;
        };
        class.name.as_str() == callee.id.as_str()
            && class.bases().iter().any(|base| {
                checker
                    .model
                    .path_of(base)
                    .is_some_and(|path| RESOURCE_FREE_CONTEXTS.contains(&path.as_str()))
            })
            && !class.body.iter().any(|member| {
                matches!(member, Stmt::FunctionDef(method)
                    if matches!(method.name.as_str(), "__exit__" | "__aexit__"))
            })
    })
}

fn maps_exceptions_only(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Expr::Name(callee) = &*call.func else {
        return false;
    };
    if checker.model.is_local(callee.id.as_str()) {
        return false;
    }
    crate::ast_query::find_function(&checker.module().body, callee.id.as_str())
        .is_some_and(|function| only_maps_exceptions(checker, function))
}

/// A `@contextlib.contextmanager` function whose body ends in one `try` around a bare
/// `yield`, with `except` handlers and nothing else (`map_exceptions()`), after statements
/// that hold nothing past their end (a docstring, a table filled on first use): it
/// translates exceptions and holds nothing to release.
fn only_maps_exceptions(checker: &Checker, function: &ast::StmtFunctionDef) -> bool {
    let is_context_manager = function.decorator_list.iter().any(|decorator| {
        checker
            .model
            .path_of(&decorator.expression)
            .is_some_and(|path| path == "contextlib.contextmanager")
    });
    let Some((Stmt::Try(try_stmt), prelude)) = function.body.split_last() else {
        return false;
    };
    is_context_manager
        && !function.is_async
        && prelude.iter().all(opens_nothing)
        && try_stmt.finalbody.is_empty()
        && try_stmt.orelse.is_empty()
        && !try_stmt.handlers.is_empty()
        && matches!(try_stmt.body.as_slice(),
            [Stmt::Expr(ast::StmtExpr { value, .. })] if matches!(&**value, Expr::Yield(y) if y.value.is_none()))
}

/// Once the module is walked: records its module-level context managers that only
/// translate exceptions, for the generators of other modules that yield inside them.
pub(crate) fn finish_module(checker: &mut Checker) {
    if !checker.source_mentions("contextmanager") {
        return;
    }
    let module = checker.module();
    let found: Vec<u32> = module
        .body
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::FunctionDef(function) if only_maps_exceptions(checker, function) => {
                let path = checker.model.module.qualify(function.name.as_str());
                checker.summary.index_of(&path)
            }
            _ => None,
        })
        .collect();
    for index in found {
        checker.summary.note_exception_mapping_context(index);
    }
}

/// The context manager of a `with` item that a module of the project other than this one
/// defines (`with request_context(request):` imported from `._exceptions`): whether it holds
/// anything is known at the link.
fn context_of_another_module(checker: &Checker, expr: &Expr) -> Option<String> {
    let Expr::Call(call) = expr else {
        return None;
    };
    let path = checker.model.call_path(call)?;
    checker.names_another_project_module(&path).then_some(path)
}

/// Reports the LW305 findings held for the link, on the innermost `with` whose context
/// manager is not one that only translates exceptions, if there is one.
pub(crate) fn check_project(project: &Project, report: &mut dyn FnMut(usize, Diagnostic)) {
    let translates = |path: &str| {
        project.resolve(path).is_some_and(|(module, index)| {
            project.modules[module]
                .summary
                .exception_mapping_contexts
                .iter()
                .any(|&function| function as usize == index)
        })
    };
    // A project class derived from one that holds nothing (`class FormWriter(
    // aiohttp.MultipartWriter)`), with no `__exit__` of the project's on the way.
    let frees_nothing = |path: &str| {
        project.resolve_class(path).is_some_and(|class| {
            project.descends_from(class, RESOURCE_FREE_CONTEXTS)
                && ["__exit__", "__aexit__"]
                    .iter()
                    .all(|exit| project.resolve(&format!("{class}.{exit}")).is_none())
        })
    };
    // A generator function of the project that is an `async def` with a `yield`: closing
    // it late releases only what its own blocks hold, which are judged in it.
    let is_async_generator = |path: &str| {
        project.resolve_handed(path).is_some_and(|(module, index)| {
            let function = &project.modules[module].summary.functions[index];
            function.is_async && function.is_generator
        })
    };
    for (index, module) in project.modules.iter().enumerate() {
        for pending in &module.summary.pending_context_findings {
            // Named by its context manager, not by its row: a finding linked once is moved
            // with the code, and its message's rows are not.
            let holding = pending.contexts.iter().rev().find(|(path, closed)| {
                if *closed {
                    !is_async_generator(path)
                } else {
                    !translates(path) && !frees_nothing(path)
                }
            });
            if let Some((path, closed)) = holding {
                let block = if *closed {
                    format!(
                        "`try…finally` (closing `{}(...)`)",
                        last_identifier_of(path)
                    )
                } else {
                    format!("`with {}(...)`", last_identifier_of(path))
                };
                report(index, finding(pending.range, &block));
            }
        }
    }
}

/// A statement that holds nothing past its own end and does not yield: no `with`, no `try`,
/// no `yield`, at any depth (`if not TABLE: TABLE = load()`, `global TABLE`, a docstring).
fn opens_nothing(stmt: &Stmt) -> bool {
    let statement = std::slice::from_ref(stmt);
    let opens = crate::ast_query::walk_statements_shallow(statement, &mut |inner| {
        if matches!(inner, Stmt::With(_) | Stmt::Try(_)) {
            Walk::Stop
        } else {
            Walk::Descend
        }
    });
    !opens && !crate::ast_query::contains_yield(statement)
}

/// `aclosing(inner(...))` where `inner` is an async generator function of this module: a
/// function of the module, a method of the enclosing class called on `self`, or a function
/// nested in `function`. Leaving the block late only closes `inner` late, and `inner` holds
/// nothing but what its own `with` and `finally` blocks hold, which are reported in it; a
/// generator of a library (a database cursor's stream) is not known to hold nothing.
fn closes_own_generator(checker: &Checker, function: &ast::StmtFunctionDef, expr: &Expr) -> bool {
    let Expr::Call(wrapper) = expr else {
        return false;
    };
    let [Expr::Call(inner)] = wrapper.arguments.args.as_ref() else {
        return false;
    };
    if !checker
        .model
        .call_path(wrapper)
        .is_some_and(|path| closes_generators(checker, &path))
    {
        return false;
    }
    is_own_generator_call(checker, function, inner)
}

/// Whether `inner` calls an async generator function of this module: a function of the
/// module or of `function`'s body, or a method of its class on the receiver.
fn is_own_generator_call(
    checker: &Checker,
    function: &ast::StmtFunctionDef,
    inner: &ast::ExprCall,
) -> bool {
    let module = &checker.module().body;
    let callee = match &*inner.func {
        Expr::Name(name) => crate::ast_query::find_function(&function.body, name.id.as_str())
            .or_else(|| {
                (!checker.model.is_local(name.id.as_str()))
                    .then(|| crate::ast_query::find_function(module, name.id.as_str()))
                    .flatten()
            }),
        Expr::Attribute(method) => {
            let is_receiver = matches!(&*method.value, Expr::Name(owner)
                if crate::ast_query::receiver_name(function) == Some(owner.id.as_str()));
            is_receiver
                .then(|| crate::ast_query::enclosing_class(checker.statement_ancestors(), function))
                .flatten()
                .and_then(|class| {
                    crate::ast_query::find_method(module, class, method.attr.as_str(), 0)
                })
        }
        _ => None,
    };
    // A method of a class of this module on a value typed by it (`self.transport.stream(...)`
    // with `self.transport: Transport`).
    let callee = callee.or_else(|| {
        let path = checker.model.call_path(inner)?;
        let prefix = checker.model.module.qualify("");
        let (class, method) = path.strip_prefix(prefix.as_str())?.split_once('.')?;
        module.iter().find_map(|stmt| match stmt {
            Stmt::ClassDef(found) if found.name.as_str() == class => {
                crate::ast_query::find_method(module, found, method, 0)
            }
            _ => None,
        })
    });
    callee.is_some_and(|callee| callee.is_async && crate::ast_query::contains_yield(&callee.body))
}

/// Whether a `finally` only closes generators the function made: every statement is `await
/// events.aclose()` on a name every binding of which, in the function, is a call of a
/// generator of this module ([`is_own_generator_call`]: `events = self.stream(...)` or, in
/// another branch, `self.websocket(...)`), of a function another module of the project
/// defines (`self.transport.stream(...)`, typed through the attribute), or of a callable the
/// function (or one around it) was handed (a decorator's wrapper: [`calls_a_parameter`]). What it releases
/// late is that generator's, reported there, as for `async with aclosing(self.stream(...))`.
/// `Some` of the other modules' paths (none: all of this module), for the link to confirm
/// they are async generators; `None` when the `finally` does anything else.
fn finally_closes_own_generators(
    checker: &Checker,
    function: &ast::StmtFunctionDef,
    finalbody: &[Stmt],
) -> Option<Vec<String>> {
    fn closed(stmt: &Stmt) -> Option<&str> {
        let Stmt::Expr(statement) = stmt else {
            return None;
        };
        let Expr::Await(awaited) = &*statement.value else {
            return None;
        };
        let Expr::Call(call) = &*awaited.value else {
            return None;
        };
        match &*call.func {
            Expr::Attribute(method)
                if method.attr.as_str() == "aclose" && call.arguments.is_empty() =>
            {
                match &*method.value {
                    Expr::Name(name) => Some(name.id.as_str()),
                    _ => None,
                }
            }
            _ => None,
        }
    }
    if finalbody.is_empty() {
        return None;
    }
    let mut others = Vec::new();
    for stmt in finalbody {
        let name = closed(stmt)?;
        let mut bindings = Vec::new();
        crate::ast_query::collect_assignments(&function.body, &mut |target, value, _| {
            if matches!(target, Expr::Name(bound) if bound.id.as_str() == name) {
                bindings.push(value);
            }
        });
        if bindings.is_empty() {
            return None;
        }
        for value in bindings {
            let Some(Expr::Call(inner)) = value else {
                return None;
            };
            if is_own_generator_call(checker, function, inner) || calls_a_parameter(checker, inner)
            {
                continue;
            }
            others.push(generator_path(checker, function, inner)?);
        }
    }
    Some(others)
}

/// Whether `call` calls a parameter of the current function or of one around it (`function`
/// of a decorator, `generator = function(*args)` in its wrapper): the generator made is the
/// decorated one, reported where it is defined; a wrapper that closes it when it stops adds
/// no cleanup of its own.
fn calls_a_parameter(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Expr::Name(callee) = &*call.func else {
        return false;
    };
    let name = callee.id.as_str();
    checker.functions.iter().any(|function| {
        function
            .parameters
            .iter()
            .any(|parameter| parameter.name().as_str() == name)
    })
}

/// The path the link resolves `inner`'s callee by, when it may be a function of the
/// project: a function of another module (`stream(...)` imported from `.transport`), or a
/// method reached through an attribute of the receiver (`self.transport.stream(...)`,
/// spelled `module.Provider.transport.stream`), whose type the link knows from the class's
/// declared attributes. (This is judged from the function's definition, where its own
/// receiver has no type yet.)
fn generator_path(
    checker: &Checker,
    function: &ast::StmtFunctionDef,
    inner: &ast::ExprCall,
) -> Option<String> {
    if let Some(path) = checker.model.call_path(inner) {
        // A value called through its type (`handler(...)`, `Handler.__call__`) is no
        // generator function to look up.
        let through_type = path.contains('/') || path.ends_with(".__call__");
        return (!through_type && checker.names_another_project_module(&path)).then_some(path);
    }
    let Expr::Attribute(method) = &*inner.func else {
        return None;
    };
    let Expr::Attribute(attribute) = &*method.value else {
        return None;
    };
    let Expr::Name(receiver) = &*attribute.value else {
        return None;
    };
    if crate::ast_query::receiver_name(function) != Some(receiver.id.as_str()) {
        return None;
    }
    let class = crate::ast_query::enclosing_class(checker.statement_ancestors(), function)?;
    Some(format!(
        "{}.{}.{}",
        checker.model.module.qualify(class.name.as_str()),
        attribute.attr.as_str(),
        method.attr.as_str()
    ))
}

/// Whether the module calls `name` (as a function or a method) at least once, and every such
/// call is the first argument of `contextlib.aclosing(...)`, or is iterated to its end by an
/// async comprehension that only collects its items (`[item async for item in gen()]`).
/// For a method (`own_class`), a method call in another class of the module that defines a
/// method of that name itself (the sync twin, `self._batches()` in `Index` beside
/// `AsyncIndex`) calls that class's own, and is not counted.
fn every_call_is_closed(
    module: &ast::ModModule,
    checker: &Checker,
    name: &str,
    own_class: Option<&ast::StmtClassDef>,
) -> bool {
    let calls_a_twin = |call: TextRange| {
        own_class.is_some()
            && call_at(&module.body, call).is_some_and(|call| call.func.is_attribute_expr())
            && module.body.iter().any(|stmt| {
                matches!(stmt, Stmt::ClassDef(other)
                if other.range().contains_range(call)
                    && own_class.is_none_or(|own| own.range() != other.range())
                    && other.body.iter().any(|member| {
                        matches!(member, Stmt::FunctionDef(method) if method.name.as_str() == name)
                    }))
            })
    };
    // Per call of `name`: the `aclosing(...)` calls wrapping it (none: it is not closed).
    let wrappers: Vec<Vec<TextRange>> = {
        let mut state = checker.rule_state::<ModuleCallsState>();
        let calls = state.0.get_or_insert_with(|| ModuleCalls::of(module));
        let Some(called) = calls.by_name.get(name) else {
            return false;
        };
        let mut wrappers = Vec::with_capacity(called.len());
        let mut own_calls = 0usize;
        for call in called {
            if calls_a_twin(*call) {
                continue;
            }
            own_calls += 1;
            // `[item async for item in gen()]` iterates it to the end.
            if calls.exhausted.contains(&key(*call)) {
                continue;
            }
            match calls.wrappers_by_argument.get(&key(*call)) {
                Some(wrapping) => wrappers.push(wrapping.clone()),
                None => {
                    let wrapping = wrapped_through_name(&module.body, *call);
                    if !wrapping.is_empty() {
                        wrappers.push(wrapping);
                    } else if !exhausted_through_name(&module.body, *call)
                        && !closed_by_hand_through_name(&module.body, *call)
                    {
                        return false;
                    }
                }
            }
        }
        if own_calls == 0 {
            return false;
        }
        wrappers
    };
    // Only now, when every call is wrapped, does what `aclosing` names matter: resolved here,
    // in the scope being checked.
    wrappers.iter().all(|wrapping| {
        wrapping.iter().any(|&range| {
            call_at(&module.body, range).is_some_and(|wrapper| {
                checker
                    .model
                    .call_path(wrapper)
                    .is_some_and(|path| closes_generators(checker, &path))
            })
        })
    })
}

/// Whether a wrapper at `path` closes the generator it is handed: a catalogued one, or a
/// function of the project named `aclosing` in any case (the backport projects keep for
/// Pythons before 3.10, which awaits `aclose()` on exit as `contextlib`'s does, or a re-export
/// of `contextlib`'s).
fn closes_generators(checker: &Checker, path: &str) -> bool {
    GENERATOR_CLOSING_WRAPPERS.contains(&path)
        || (path.rsplit('.').next().is_some_and(names_aclosing)
            && crate::project::roots::may_be_in_project(checker.roots, path)
            && checker.roots.is_some())
}

/// `aclosing`, in any case: Google ADK re-exports `contextlib.aclosing` as `Aclosing`.
fn names_aclosing(name: &str) -> bool {
    name.eq_ignore_ascii_case("aclosing")
}

/// The module's [`ModuleCalls`], kept in the checker's rule state.
#[derive(Default)]
struct ModuleCallsState(Option<ModuleCalls>);

/// The module's calls, walked once per module: a walk of the whole module for every async
/// generator made a module with many of them quadratic in its size.
struct ModuleCalls {
    /// Every call, by the last identifier of what it calls (`gen` for `self.gen()`).
    by_name: FxHashMap<Box<str>, Vec<TextRange>>,
    /// Calls of something named `aclosing`, by their first argument's range.
    wrappers_by_argument: FxHashMap<(u32, u32), Vec<TextRange>>,
    /// Calls an async comprehension iterates to the end, collecting each item as it is
    /// (`[item async for item in gen()]`: no condition, no expression that could raise and
    /// leave the generator suspended), by their range.
    exhausted: rustc_hash::FxHashSet<(u32, u32)>,
}

impl ModuleCalls {
    fn of(module: &ast::ModModule) -> Self {
        let mut calls = Self {
            by_name: FxHashMap::default(),
            wrappers_by_argument: FxHashMap::default(),
            exhausted: rustc_hash::FxHashSet::default(),
        };
        // `async for item in gen(): items.append(item)`: a loop that only collects runs the
        // generator to its end, as a comprehension does.
        struct CollectingLoops<'c>(&'c mut rustc_hash::FxHashSet<(u32, u32)>, usize);
        impl<'a> ruff_python_ast::statement_visitor::StatementVisitor<'a> for CollectingLoops<'_> {
            fn visit_stmt(&mut self, stmt: &'a Stmt) {
                if self.1 >= MAX_NESTING {
                    return;
                }
                if let Stmt::For(for_stmt) = stmt
                    && for_stmt.is_async
                    && matches!(&*for_stmt.iter, Expr::Call(_))
                    && only_collects(&for_stmt.body)
                {
                    self.0.insert(key(for_stmt.iter.range()));
                }
                self.1 += 1;
                ruff_python_ast::statement_visitor::walk_stmt(self, stmt);
                self.1 -= 1;
            }
        }
        ruff_python_ast::statement_visitor::StatementVisitor::visit_body(
            &mut CollectingLoops(&mut calls.exhausted, 0),
            &module.body,
        );
        crate::ast_query::any_in_body(&module.body, &mut |expr| {
            // A generator expression is lazy: only a list or set display runs to the end.
            if !matches!(expr, Expr::Generator(_))
                && let Some((element, [generator])) = crate::ast_query::element_comprehension(expr)
                && generator.is_async
                && generator.ifs.is_empty()
                && matches!((element, &generator.target), (Expr::Name(item), Expr::Name(target))
                    if item.id == target.id)
                && matches!(&generator.iter, Expr::Call(_))
            {
                calls.exhausted.insert(key(generator.iter.range()));
            }
            if let Expr::Call(call) = expr
                && let Some(name) = last_identifier(&call.func)
            {
                calls
                    .by_name
                    .entry(Box::from(name))
                    .or_default()
                    .push(call.range());
                if names_aclosing(name)
                    && let Some(first) = call.arguments.args.first()
                {
                    calls
                        .wrappers_by_argument
                        .entry(key(first.range()))
                        .or_default()
                        .push(call.range());
                }
            }
            false
        });
        calls
    }
}

/// Whether a loop body only collects what it is given, so that the loop can neither leave
/// early nor be interrupted in it: assignments, and calls of the methods that add to a
/// container (`items.append(item)`, `seen.add(key)`, `futures.append(self.upload(item))`),
/// also under an `if`; no `await` (a cancellation arriving there would leave the generator
/// suspended), no `break`, `return` or `raise`.
fn only_collects(body: &[Stmt]) -> bool {
    const COLLECTING: &[&str] = &[
        "append",
        "appendleft",
        "add",
        "extend",
        "update",
        "insert",
        "put_nowait",
        "setdefault",
    ];
    body.iter().all(|stmt| {
        let plain = |expr: &Expr| {
            !crate::ast_query::any_expr(expr, &mut |inner| {
                matches!(inner, Expr::Await(_) | Expr::Yield(_) | Expr::YieldFrom(_))
            })
        };
        match stmt {
            Stmt::Pass(_) | Stmt::Continue(_) => true,
            Stmt::Expr(expr) => {
                matches!(&*expr.value, Expr::Call(call)
                    if matches!(&*call.func, Expr::Attribute(method)
                        if COLLECTING.contains(&method.attr.as_str())))
                    && plain(&expr.value)
            }
            Stmt::Assign(assign) => plain(&assign.value) && assign.targets.iter().all(&plain),
            Stmt::AugAssign(assign) => plain(&assign.value),
            Stmt::If(if_stmt) => {
                plain(&if_stmt.test)
                    && only_collects(&if_stmt.body)
                    && if_stmt.elif_else_clauses.iter().all(|clause| {
                        clause.test.as_ref().is_none_or(&plain) && only_collects(&clause.body)
                    })
            }
            _ => false,
        }
    })
}

/// The `aclosing(name)` calls that close the generator the call at `call` makes when it is
/// bound to a name first (`source = gen(...)`, then `async with aclosing(source):`): those
/// in the same function (or module code) as the binding, on that name.
fn wrapped_through_name(body: &[Stmt], call: TextRange) -> Vec<TextRange> {
    let Some((scope, name)) = binding_of(body, call) else {
        return Vec::new();
    };
    let mut wrapping = Vec::new();
    crate::ast_query::any_in_body(scope, &mut |expr| {
        if let Expr::Call(wrapper) = expr
            && last_identifier(&wrapper.func).is_some_and(names_aclosing)
            && let Some(Expr::Name(argument)) = wrapper.arguments.args.first()
            && argument.id.as_str() == name
        {
            wrapping.push(wrapper.range());
        }
        false
    });
    wrapping
}

/// Whether the generator the call at `call` makes is bound to a name first (`stream =
/// gen(...)`) and that name is read only as what async comprehensions collect to the end
/// (`[item async for item in stream]`) or what collecting `async for` loops go over, as
/// [`ModuleCalls::exhausted`] reads a call written there.
fn exhausted_through_name(body: &[Stmt], call: TextRange) -> bool {
    let Some((scope, name)) = binding_of(body, call) else {
        return false;
    };
    let mut reads = 0usize;
    let mut collected = 0usize;
    // `async for item in stream:` loops that only collect, by the range of `stream`.
    let mut looped = Vec::new();
    crate::ast_query::walk_statements_shallow(scope, &mut |stmt| {
        if let Stmt::For(for_stmt) = stmt
            && for_stmt.is_async
            && matches!(&*for_stmt.iter, Expr::Name(iterated) if iterated.id.as_str() == name)
            && only_collects(&for_stmt.body)
        {
            looped.push(for_stmt.iter.range());
        }
        Walk::Descend
    });
    crate::ast_query::any_in_body(scope, &mut |expr| {
        match expr {
            Expr::Name(read) if read.ctx.is_load() && read.id.as_str() == name => {
                reads += 1;
                if looped.contains(&read.range()) {
                    collected += 1;
                }
            }
            _ if !matches!(expr, Expr::Generator(_)) => {
                if let Some((element, [generator])) = crate::ast_query::element_comprehension(expr)
                    && generator.is_async
                    && generator.ifs.is_empty()
                    && matches!((element, &generator.target), (Expr::Name(item), Expr::Name(target))
                        if item.id == target.id)
                    && matches!(&generator.iter, Expr::Name(iterated) if iterated.id.as_str() == name)
                {
                    collected += 1;
                }
            }
            _ => {}
        }
        false
    });
    collected > 0 && reads == collected
}

/// Whether the generator the call at `call` makes is bound to a name first (`rows =
/// gen(...)`) and closed by hand where it is iterated, the written-out form of `async with
/// aclosing(gen(...)) as rows:`: every `async for ... in rows` sits in the body of a `try`
/// whose `finally` awaits `rows.aclose()`, and the name is read nowhere else.
fn closed_by_hand_through_name(body: &[Stmt], call: TextRange) -> bool {
    let Some((scope, name)) = binding_of(body, call) else {
        return false;
    };
    let is_name = |expr: &Expr| matches!(expr, Expr::Name(read) if read.id.as_str() == name);
    // `await rows.aclose()`, by the range of `rows`.
    let closing = |stmt: &Stmt| {
        if let Stmt::Expr(expr) = stmt
            && let Expr::Await(awaited) = &*expr.value
            && let Expr::Call(close) = &*awaited.value
            && let Expr::Attribute(method) = &*close.func
            && method.attr.as_str() == "aclose"
            && is_name(&method.value)
        {
            Some(method.value.range())
        } else {
            None
        }
    };
    // The bodies of the `try`s whose `finally` closes it, and the reads that close it.
    let mut closed_bodies: Vec<TextRange> = Vec::new();
    let mut expected: Vec<TextRange> = Vec::new();
    let mut loops = 0usize;
    // One walk: a `try` is met before the loops of its body.
    crate::ast_query::walk_statements_shallow(scope, &mut |stmt| {
        match stmt {
            Stmt::Try(try_stmt) => {
                let closes: Vec<TextRange> =
                    try_stmt.finalbody.iter().filter_map(closing).collect();
                // A consumer that yields inside that `try` is itself a generator that may be
                // left suspended there, its `finally` run late: that one closes nothing in
                // time.
                if !closes.is_empty()
                    && !crate::ast_query::contains_yield(&try_stmt.body)
                    && let (Some(first), Some(last)) = (try_stmt.body.first(), try_stmt.body.last())
                {
                    closed_bodies.push(TextRange::new(first.start(), last.end()));
                    expected.extend(closes);
                }
            }
            Stmt::For(for_stmt)
                if for_stmt.is_async
                    && is_name(&for_stmt.iter)
                    && closed_bodies
                        .iter()
                        .any(|closed| closed.contains_range(for_stmt.range())) =>
            {
                expected.push(for_stmt.iter.range());
                loops += 1;
            }
            _ => {}
        }
        Walk::Descend
    });
    let mut others = false;
    crate::ast_query::any_in_body(scope, &mut |expr| {
        if let Expr::Name(read) = expr
            && read.ctx.is_load()
            && read.id.as_str() == name
            && !expected.contains(&read.range())
        {
            others = true;
        }
        others
    });
    loops > 0 && !others
}

/// The body of the innermost function (or class, or the module) whose statement `name =
/// <call>` binds the call at `call`, and the name.
fn binding_of(body: &[Stmt], call: TextRange) -> Option<(&[Stmt], &str)> {
    let mut bound = None;
    let mut nested = None;
    crate::ast_query::walk_statements_shallow(body, &mut |stmt| {
        if !stmt.range().contains_range(call) {
            return Walk::SkipChildren;
        }
        match stmt {
            Stmt::FunctionDef(function) => nested = Some(&function.body[..]),
            Stmt::ClassDef(class) => nested = Some(&class.body[..]),
            _ => match crate::ast_query::single_assignment(stmt) {
                Some((Expr::Name(target), value)) if value.range() == call => {
                    bound = Some(target.id.as_str());
                }
                _ => return Walk::Descend,
            },
        }
        Walk::Stop
    });
    match (bound, nested) {
        (Some(name), _) => Some((body, name)),
        (None, Some(nested)) => binding_of(nested, call),
        (None, None) => None,
    }
}

fn key(range: TextRange) -> (u32, u32) {
    (range.start().to_u32(), range.end().to_u32())
}

/// The call at exactly `range` in `body`, found by descending only into the nodes that
/// contain it.
fn call_at(body: &[Stmt], range: TextRange) -> Option<&ast::ExprCall> {
    struct Find<'a> {
        range: TextRange,
        found: Option<&'a ast::ExprCall>,
    }
    impl<'a> Visitor<'a> for Find<'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found.is_none() && stmt.range().contains_range(self.range) {
                visitor::walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found.is_some() || !expr.range().contains_range(self.range) {
                return;
            }
            match expr {
                Expr::Call(call) if call.range() == self.range => self.found = Some(call),
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut find = Find { range, found: None };
    find.visit_body(body);
    find.found
}
