//! LW204 wrong-context-manager-protocol: `with` on an object that supports only `async with`,
//! or `async with` on one that supports only `with`.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;
use rustc_hash::FxHashMap;

use crate::catalog::{
    self, ASYNC_ONLY_CONTEXT_CALLS, SYNC_ONLY_CONTEXT_CALLS, SYNC_ONLY_CONTEXT_TYPES,
};
use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix, display_path};
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW204 wrong-context-manager-protocol

## What it does
Flags a `with` statement on an object that implements only the asynchronous context manager
protocol (`__aenter__`/`__aexit__`), and its mirror, an `async with` on an object that implements
only the synchronous one (`__enter__`/`__exit__`). Known async-only objects:
`asyncio.Lock`, `Semaphore`, `BoundedSemaphore`, `Condition`, `TaskGroup`, `asyncio.timeout(...)`,
`asyncio.timeout_at(...)`, `async_timeout.timeout(...)` (async-only since async-timeout 4.0),
`anyio` locks, semaphores, `CapacityLimiter` and `create_task_group()`, `aiohttp.ClientSession`
and its request methods' responses (`session.get(...)`), `aiohttp.request(...)`,
`httpx.AsyncClient` and `AsyncClient.stream(...)`. Known sync-only objects: `threading` locks,
semaphores and conditions, `open(...)`, `requests.Session`, `httpx.Client`, `tempfile`'s
temporary files and directories, and the deadlines of anyio and trio (`anyio.fail_after`,
`move_on_after`, `CancelScope`: plain `with` scopes, unlike asyncio's). A class of the same module
that defines `__aenter__` but not `__enter__` (or the reverse), itself or through base classes of
that module, counts too. Values are recognised as the Resolution section of the rules says: a
constructor call, a name or `self.attr` assigned from one, an annotation.

## Why is this bad?
The statement fails when it runs: `with asyncio.Lock():` raises `TypeError: 'Lock' object does not
support the context manager protocol` (an `AttributeError: __enter__` before Python 3.11), and
`async with threading.Lock():` raises the asynchronous mirror of it. The lock is never taken, the
session never opened; on a path that tests rarely take (an error branch, a shutdown hook) the
mistake ships.

## Example
```python
lock = asyncio.Lock()

async def update(key, value):
    with lock:
        cache[key] = await fetch(value)
```

## Use instead
```python
lock = asyncio.Lock()

async def update(key, value):
    async with lock:
        cache[key] = await fetch(value)
```

Also flagged, when the target version is 3.9 or later: `with (await lock):` (or `with await
lock:`, or in a generator-based coroutine `with (yield from lock):`), the way Python 3.6 took
an asyncio lock, semaphore or condition. Awaiting one was
deprecated in 3.7 and raises `TypeError` since 3.9. The value is a lock by its type or, when no type reaches it, by its name (`self._lock`,
`self.state["proc_lock"]`, `write_mutex`).

## Not flagged
- Objects whose type is not known (nothing is guessed), and classes defined in other modules or
  with bases outside the module (a base may supply the other protocol).
- Objects that support both protocols (`asyncio.Queue` has neither; `contextlib.nullcontext`,
  `ExitStack`-like classes that define all four methods are fine).

## Fix
Safe, in an `async def`, for a `with` whose every item supports only `async with`: `with`
becomes `async with`; for `with (await lock):` with that one item, `async with (lock):`. No fix for the mirror (the body may rely on running without a lock that
the code meant to take), nor in a sync function (it cannot use `async with`), nor for `with (yield from lock):` (a
generator-based coroutine has no `async with`: it becomes an `async def` by hand).
"#;

/// How an object may be entered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Protocol {
    AsyncOnly,
    SyncOnly,
}

/// Bases followed up a class's hierarchy in the module, at most.
const MAX_BASES_DEPTH: usize = 8;

pub(crate) fn check_with(checker: &mut Checker, with: &ast::StmtWith) {
    // Before 3.9 it still works (with a deprecation warning from 3.7).
    let target = checker.settings.target_version;
    if !with.is_async && (target.major, target.minor) >= (3, 9) {
        check_awaited_locks(checker, with);
    }
    let protocols: Vec<Option<(Protocol, String)>> = with
        .items
        .iter()
        .map(|item| protocol_of(checker, &item.context_expr))
        .collect();
    let all_async_only = protocols
        .iter()
        .all(|protocol| matches!(protocol, Some((Protocol::AsyncOnly, _))));
    for (item, protocol) in with.items.iter().zip(&protocols) {
        let Some((protocol, what)) = protocol else {
            continue;
        };
        let diagnostic = match (protocol, with.is_async) {
            (Protocol::AsyncOnly, false) => {
                let mut diagnostic = Diagnostic::new(
                    Rule::WrongContextManagerProtocol,
                    format!("`{what}` supports only `async with`: this `with` raises `TypeError` when it runs"),
                    item.context_expr.range(),
                )
                .with_help("use `async with`");
                if all_async_only && checker.in_async_context() {
                    diagnostic = diagnostic.with_fix(Fix::safe(
                        "Use `async with`",
                        vec![Edit::insertion("async ", with.start())],
                    ));
                }
                diagnostic
            }
            (Protocol::SyncOnly, true) => Diagnostic::new(
                Rule::WrongContextManagerProtocol,
                format!("`{what}` supports only `with`: this `async with` raises `TypeError` when it runs"),
                item.context_expr.range(),
            )
            .with_help("use `with` (or the async counterpart of the object, such as `asyncio.Lock` for a `threading.Lock`)"),
            _ => continue,
        };
        checker.report(diagnostic);
    }
}

/// `with (await lock):`, the way Python 3.6 took an asyncio lock: an asyncio lock, semaphore
/// or condition cannot be awaited since 3.9 (`TypeError`), and was deprecated from 3.7. The
/// awaited value is a lock by its type, or, for a value no type reaches, by its name
/// (`self._lock`, `self.state["proc_lock"]`).
fn check_awaited_locks(checker: &mut Checker, with: &ast::StmtWith) {
    for item in &with.items {
        // `with (yield from lock):`, the generator-based coroutines' spelling of the same.
        let (lock, keyword) = match &item.context_expr {
            Expr::Await(awaited) => (&*awaited.value, "await"),
            Expr::YieldFrom(yielded) => (&*yielded.value, "yield from"),
            _ => continue,
        };
        let is_lock = match checker.model.type_of(lock) {
            Some(type_name) => {
                catalog::is_lock_type(&type_name) && catalog::is_async_only_context_type(&type_name)
            }
            None => crate::ast_query::names_lock(lock),
        };
        if !is_lock {
            continue;
        }
        let lock_text = checker.text(lock.range()).to_string();
        let shown = match keyword {
            "await" => format!("await {lock_text}"),
            _ => format!("(yield from {lock_text})"),
        };
        let mut diagnostic = Diagnostic::new(
            Rule::WrongContextManagerProtocol,
            format!("`with {shown}` takes an asyncio lock the way Python 3.6 and earlier did: a lock cannot be awaited since 3.9, so this raises `TypeError`"),
            item.context_expr.range(),
        )
        .with_help("use `async with` on the lock itself");
        // In an `async def`; a generator-based coroutine (`yield from`) has no `async with`.
        if with.items.len() == 1 && keyword == "await" && checker.in_async_context() {
            diagnostic = diagnostic.with_fix(Fix::safe(
                "Use `async with` on the lock",
                vec![
                    Edit::insertion("async ", with.start()),
                    Edit::replacement(lock_text, item.context_expr.range()),
                ],
            ));
        }
        checker.report(diagnostic);
    }
}

/// The protocol `expr`'s value supports, when it supports only one, and how to name it.
fn protocol_of(checker: &Checker, expr: &Expr) -> Option<(Protocol, String)> {
    if let Expr::Call(call) = expr
        && let Some(path) = checker.model.call_path(call)
    {
        if ASYNC_ONLY_CONTEXT_CALLS.contains(&path.as_str()) {
            return Some((Protocol::AsyncOnly, format!("{}(...)", display_path(&path))));
        }
        if SYNC_ONLY_CONTEXT_CALLS.contains(&path.as_str()) {
            return Some((Protocol::SyncOnly, format!("{}(...)", display_path(&path))));
        }
    }
    let type_name = checker.model.type_of(expr)?;
    let protocol = if catalog::is_async_only_context_type(&type_name) {
        Protocol::AsyncOnly
    } else if SYNC_ONLY_CONTEXT_TYPES.contains(&type_name.as_str()) {
        Protocol::SyncOnly
    } else {
        module_class_protocol(checker, &type_name)?
    };
    Some((protocol, display_path(&type_name)))
}

/// The protocol a class of this module implements, from the dunder methods it and its bases
/// (all of this module) define; `None` when a base is elsewhere or both protocols are there.
fn module_class_protocol(checker: &Checker, class_path: &str) -> Option<Protocol> {
    let mut has_enter = false;
    let mut has_aenter = false;
    let mut pending = vec![(class_path.to_string(), 0)];
    while let Some((path, depth)) = pending.pop() {
        if depth > MAX_BASES_DEPTH {
            return None;
        }
        let class = module_class(checker, &path)?;
        for stmt in &class.body {
            if let Stmt::FunctionDef(method) = stmt {
                match method.name.as_str() {
                    "__enter__" => has_enter = true,
                    "__aenter__" => has_aenter = true,
                    _ => {}
                }
            }
        }
        if let Some(arguments) = &class.arguments {
            // A metaclass or `**kwargs` may change anything.
            if !arguments.keywords.is_empty() {
                return None;
            }
            for base in &arguments.args {
                if matches!(base, Expr::Name(name) if name.id.as_str() == "object") {
                    continue;
                }
                let base_path = checker.model.path_of(base)?;
                pending.push((base_path, depth + 1));
            }
        }
    }
    match (has_aenter, has_enter) {
        (true, false) => Some(Protocol::AsyncOnly),
        (false, true) => Some(Protocol::SyncOnly),
        _ => None,
    }
}

/// The top-level class of the module named `path` (the first, if several have that name).
fn module_class<'a>(checker: &Checker<'a, '_>, path: &str) -> Option<&'a ast::StmtClassDef> {
    let body = &checker.module().body;
    let index = *checker
        .rule_state::<ModuleClasses>()
        .0
        .get_or_insert_with(|| {
            let mut classes = FxHashMap::default();
            for (index, stmt) in body.iter().enumerate() {
                if let Stmt::ClassDef(class) = stmt {
                    classes
                        .entry(checker.model.module.qualify(class.name.as_str()))
                        .or_insert(index);
                }
            }
            classes
        })
        .get(path)?;
    match &body[index] {
        Stmt::ClassDef(class) => Some(class),
        _ => None,
    }
}

/// The module's top-level classes by qualified path (the first of each path, as its index
/// in the module's body), made once per module: a scan of the module for every `with`
/// made a module with many of them quadratic in its size.
#[derive(Default)]
struct ModuleClasses(Option<FxHashMap<String, usize>>);
