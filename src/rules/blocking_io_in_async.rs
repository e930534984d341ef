//! LW101 blocking-io-in-async, and the shared check behind LW102 and LW105.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::catalog::{self, Blocking, BlockingApi};
use crate::rules::{Rule, blocking_cpu_in_async, blocking_fs_metadata_in_async};

pub const DOCS: &str = r#"# LW101 blocking-io-in-async

## What it does
Flags a blocking I/O call made directly inside an `async def`: file access (`open`,
`os.*` file functions, `shutil`, `pathlib.Path` reads and writes, `tempfile`, `zipfile`),
`sqlite3` connections and cursors, `time.sleep`, waiting on `threading` locks, events and
queues, `concurrent.futures.Future.result()`, `input()`, sync HTTP clients (`requests`,
`urllib`, `urllib3`, `http.client`, the sync `httpx` API), raw sockets, `ftplib`/`smtplib`/
`poplib`/`imaplib`/`xmlrpc.client`, `subprocess` and `os.system`-style process calls, and
sync database and service clients (`psycopg2`, sync `psycopg`, `pymysql`, `MySQLdb`, `pymongo`,
`redis.Redis`, sync SQLAlchemy, `boto3`, `elasticsearch.Elasticsearch`).

Calls are matched however they are spelled: `import sqlite3 as db`, `from sqlite3 import
connect as c`, a module-level alias `connect = sqlite3.connect`. Methods are matched on values
whose type is known locally: `con = sqlite3.connect(...)`, `self._db = sqlite3.connect(...)` in
any method of the class, a parameter annotated `con: sqlite3.Connection`, `with X(...) as con`.

## Why is this bad?
An event loop is one thread. While a coroutine sits in a blocking call, no other coroutine
of the process runs: every other request waits. A 2 ms `sqlite3` read at 100 requests per
second is 200 ms of stall every second, spread as tail latency over unrelated routes, and a
network call without a timeout can stall the whole service indefinitely.

## Example
```python
import sqlite3

async def get_flag(name: str) -> bool:
    con = sqlite3.connect("flags.db")
    row = con.execute("SELECT on FROM flags WHERE name = ?", (name,)).fetchone()
    return bool(row and row[0])
```

## Use instead
```python
import asyncio
import sqlite3

def _get_flag_sync(name: str) -> bool:
    with sqlite3.connect("flags.db") as con:
        row = con.execute("SELECT on FROM flags WHERE name = ?", (name,)).fetchone()
    return bool(row and row[0])

async def get_flag(name: str) -> bool:
    return await asyncio.to_thread(_get_flag_sync, name)
```
or an async library (`aiosqlite`, `aiofiles`, `httpx.AsyncClient`, `asyncpg`, `redis.asyncio`).

## Not flagged
- Code in a plain `def` or `lambda`, including one handed to `loop.run_in_executor`,
  `asyncio.to_thread`, `anyio.to_thread.run_sync`, `run_in_threadpool` or `executor.submit`:
  that code runs on a worker thread. (A sync helper called *directly* from a coroutine is
  LW103's business.)
- Async APIs: `aiofiles`, `aiosqlite`, `redis.asyncio`, `httpx.AsyncClient`, `asyncpg`, `anyio.Path`.
- The non-blocking forms: `lock.acquire(blocking=False)`, `queue.get(block=False)`.
- `json.load`/`json.dump` on something not known to be a file (an `io.StringIO`, say).
- A value whose type is not known: loopwarden does not guess.

## Fix
Unsafe (the call moves to a worker thread, so thread-safety of what it touches matters):
`await asyncio.to_thread(f, *args, **kwargs)`, offered when `asyncio` is imported, the target is
Python 3.9 or newer, and the call is not inside a comprehension or lambda. Else the help line
names the async library to use.
"#;

/// `with lock:` on these blocks the loop until the lock is free.
const BLOCKING_CONTEXT_MANAGERS: &[&str] = &[
    "threading.Lock",
    "threading.RLock",
    "threading.Semaphore",
    "threading.BoundedSemaphore",
    "threading.Condition",
];

/// The blocking API `call` (to `path`) is, after the configuration (`blocking-calls`,
/// `async-safe-calls`) and the non-blocking forms: shared with the whole-project summary.
pub(crate) fn applicable_api(checker: &Checker, call: &ast::ExprCall, path: &str) -> Option<BlockingApi> {
    if checker.settings.async_safe_calls.iter().any(|safe| safe == path) {
        return None;
    }
    let user_listed = checker.settings.blocking_calls.iter().any(|listed| listed == path);
    let api = match catalog::blocking_api(path) {
        Some(api) => *api,
        None if user_listed => BlockingApi {
            category: Blocking::Io,
            alternative: None,
            non_blocking_flag: None,
            needs_file_argument: false,
        },
        None => return None,
    };
    if is_non_blocking_form(call, &api) || (api.needs_file_argument && !first_argument_is_file(checker, call)) {
        return None;
    }
    Some(api)
}

/// Reports `call` (already known to be in async context) when it is a blocking API.
pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, path: &str) {
    let Some(api) = applicable_api(checker, call, path) else {
        return;
    };
    let rule = match api.category {
        Blocking::Io => Rule::BlockingIoInAsync,
        Blocking::Cpu => Rule::BlockingCpuInAsync,
        Blocking::FsMetadata => Rule::BlockingFsMetadataInAsync,
    };
    if !checker.enabled(rule) {
        return;
    }
    let display = display_path(path);
    let message = match api.category {
        Blocking::Io => format!("Blocking call `{display}` in async function stalls the event loop"),
        Blocking::Cpu => blocking_cpu_in_async::message(&display),
        Blocking::FsMetadata => blocking_fs_metadata_in_async::message(&display),
    };
    let help = match api.alternative {
        Some(alternative) => format!("Run it in a worker thread with `await asyncio.to_thread(...)`, or use {alternative}"),
        None => "Run it in a worker thread with `await asyncio.to_thread(...)`".to_string(),
    };
    let mut diagnostic = Diagnostic::new(rule, message, call.range()).with_help(help);
    if let Some(fix) = to_thread_fix(checker, call) {
        diagnostic = diagnostic.with_fix(fix);
    }
    checker.report(diagnostic);
}

/// `with lock:` on a `threading` lock in async context waits on the loop's thread.
pub(crate) fn check_with(checker: &mut Checker, with: &ast::StmtWith) {
    if !checker.enabled(Rule::BlockingIoInAsync) {
        return;
    }
    for item in &with.items {
        let Some(type_name) = checker.model.type_of(&item.context_expr) else {
            continue;
        };
        if BLOCKING_CONTEXT_MANAGERS.contains(&type_name.as_str()) {
            checker.report(
                Diagnostic::new(
                    Rule::BlockingIoInAsync,
                    format!("`with` on a `{type_name}` in async function blocks the event loop while it waits"),
                    item.context_expr.range(),
                )
                .with_help("Use an `asyncio.Lock` (`async with lock:`) for coroutines"),
            );
        }
    }
}

/// `sqlite3.Connection.execute` reads better as `Connection.execute`; module functions
/// keep their module (`time.sleep`); builtins lose the `builtins.` prefix.
pub(crate) fn display_path(path: &str) -> String {
    if let Some(builtin) = path.strip_prefix("builtins.") {
        return builtin.to_string();
    }
    let parts: Vec<&str> = path.split('.').collect();
    // A method on a type: keep `Type.method` when the type segment is capitalised.
    if parts.len() >= 3 {
        let owner = parts[parts.len() - 2];
        if owner.starts_with(|c: char| c.is_ascii_uppercase()) {
            return format!("{owner}.{}", parts[parts.len() - 1]);
        }
    }
    path.to_string()
}

fn is_non_blocking_form(call: &ast::ExprCall, api: &BlockingApi) -> bool {
    let Some(flag) = api.non_blocking_flag else {
        return false;
    };
    call.arguments
        .find_argument_value(flag.keyword, flag.position)
        .is_some_and(|value| matches!(value, Expr::BooleanLiteral(literal) if !literal.value))
}

fn first_argument_is_file(checker: &Checker, call: &ast::ExprCall) -> bool {
    // `json.dump(obj, fp)` takes the file second, `json.load(fp)` first.
    let file_argument = call
        .arguments
        .find_argument_value("fp", 0)
        .filter(|_| call.arguments.args.len() == 1 || call.arguments.find_keyword("fp").is_some())
        .or_else(|| call.arguments.find_argument_value("fp", 1))
        .or_else(|| call.arguments.find_argument_value("file", 1))
        .or_else(|| call.arguments.find_argument_value("file", 0));
    file_argument
        .and_then(|argument| checker.model.type_of(argument))
        .is_some_and(|type_name| catalog::is_file_type(&type_name))
}

/// The text between a call's parentheses.
pub(crate) fn arguments_inner(arguments: TextRange) -> TextRange {
    let one = ruff_text_size::TextSize::from(1);
    TextRange::new(arguments.start() + one, arguments.end().max(arguments.start() + one) - one)
}

/// The unsafe fix `f(a, b=c)` → `await asyncio.to_thread(f, a, b=c)`, from the callee's
/// and the arguments' text (`parenthesize` when the call sits inside a larger expression).
pub(crate) fn to_thread_edit(asyncio: &str, function: &str, arguments: &str, call: TextRange, parenthesize: bool) -> Fix {
    let arguments = arguments.trim();
    let arguments = arguments.strip_suffix(',').unwrap_or(arguments).trim();
    let mut replacement = format!("await {asyncio}.to_thread({function}");
    if !arguments.is_empty() {
        replacement.push_str(", ");
        replacement.push_str(arguments);
    }
    replacement.push(')');
    if parenthesize {
        replacement = format!("({replacement})");
    }
    Fix::unsafe_edit(
        format!("Run `{function}` in a worker thread with `{asyncio}.to_thread`"),
        vec![Edit::replacement(replacement, call)],
    )
}

/// Whether a call here could be rewritten to `await asyncio.to_thread(...)`: async
/// context, Python 3.9 or newer, not in a comprehension (where `await` would change a
/// generator), `asyncio` imported under a name no local shadows, not already awaited.
/// Returns the module's name for `asyncio`.
pub(crate) fn to_thread_fixable<'c>(checker: &'c Checker) -> Option<&'c str> {
    let target = checker.settings.target_version;
    if (target.major, target.minor) < (3, 9) || checker.in_comprehension() || !checker.in_async_context() {
        return None;
    }
    let asyncio = checker.model.module.module_alias("asyncio")?;
    if checker.model.is_local(asyncio) || matches!(checker.parent_expression(), Some(Expr::Await(_))) {
        return None;
    }
    Some(asyncio)
}

/// `f(a, b=c)` → `await asyncio.to_thread(f, a, b=c)`.
pub(crate) fn to_thread_fix(checker: &Checker, call: &ast::ExprCall) -> Option<Fix> {
    let asyncio = to_thread_fixable(checker)?;
    let function = checker.text(call.func.range());
    let inner = checker.text(arguments_inner(call.arguments.range()));
    Some(to_thread_edit(
        asyncio,
        function,
        inner,
        call.range(),
        checker.parent_expression().is_some(),
    ))
}
