//! What LW401 asks about the awaitables of a fail-fast `gather` and the code around it:
//! which awaited calls write or only read, which handlers carry on, which context managers
//! close what the awaitables use.

/// Awaited method calls that write a store or change something over HTTP: the store writes of
/// LW601 and these HTTP verbs. A name matches with `catalog::method_has_verb`, after an `async_`
/// prefix (`async_set_value`), except the verbs of `EXACT_WRITE_VERBS`; `execute` counts only
/// with INSERT/UPDATE/DELETE SQL. `post` is left out: it is as often a query (a search, an
/// analysis, a model call) as a write.
pub const HTTP_WRITE_METHODS: &[&str] = &["put", "patch", "delete"];
/// Write verbs that count only as the whole method name: `create_task`, `create_client`,
/// `add_executor_job`, `add_listener` are no writes, and a bare `update()` with no argument is
/// a refresh (Home Assistant's `async_update()`).
pub const EXACT_WRITE_VERBS: &[&str] = &["create", "add", "update"];
/// Awaited calls that only read or wait: the store reads of LW601 (`execute` aside), these HTTP
/// verbs, and waits (`event.wait()`).
pub const HTTP_READ_METHODS: &[&str] = &["get", "head", "options", "wait"];
/// Calls (by their last name) that only log: a coroutine whose statements outside its
/// catch-all `try` are such calls still cannot fail.
pub const LOGGING_CALLS: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "log",
    "print",
    "print_verbose",
];
/// Exception classes an `except` clause catches everything with (but cancellation, for
/// `Exception`).
pub const CATCH_ALL_CLASSES: &[&str] = &["builtins.Exception", "builtins.BaseException"];
/// Exception classes only a cancellation or the interpreter's exit raises: a handler for them
/// is not about a failed awaitable.
pub const EXIT_EXCEPTION_CLASSES: &[&str] = &[
    "asyncio.CancelledError",
    "asyncio.exceptions.CancelledError",
    "builtins.KeyboardInterrupt",
    "builtins.SystemExit",
    "builtins.GeneratorExit",
];
/// The error a deadline raises; the deadline cancels the gather, and so its children.
pub const TIMEOUT_ERROR_CLASSES: &[&str] = &[
    "builtins.TimeoutError",
    "asyncio.TimeoutError",
    "asyncio.exceptions.TimeoutError",
    "concurrent.futures.TimeoutError",
];
/// Awaited library calls that cannot fail but by a cancellation: a put on an asyncio queue
/// (it waits for room, and raises only once the queue is shut down, which the code that
/// gathers the puts does itself), a sleep. A gather of only these never exits early.
pub const INFALLIBLE_AWAITS: &[&str] = &[
    "asyncio.Queue.put",
    "asyncio.queues.Queue.put",
    "asyncio.LifoQueue.put",
    "asyncio.PriorityQueue.put",
    "asyncio.sleep",
    "asyncio.tasks.sleep",
];
/// Context managers that swallow the exceptions they are given, like a handler that carries on.
pub const SUPPRESS_CALLS: &[&str] = &["contextlib.suppress"];
/// Methods that close or release what they are called on (`await session.close()`).
pub const CLOSING_METHODS: &[&str] = &[
    "close",
    "aclose",
    "release",
    "disconnect",
    "shutdown",
    "stop",
    "cleanup",
    "terminate",
    "dispose",
];
/// Methods a shutdown path calls on several objects at once, best effort (`await
/// asyncio.gather(*(c.close() for c in clients), return_exceptions=True)`), also with Home
/// Assistant's `async_` prefix (`async_stop`) (LW402).
pub const BEST_EFFORT_CLEANUP_METHODS: &[&str] = &[
    "close",
    "aclose",
    "wait_closed",
    "stop",
    "kill",
    "terminate",
    "disconnect",
    "shutdown",
    "cleanup",
    "dispose",
    "unload",
    "destroy",
    "teardown",
    "detach",
];
/// Calls (by their last name) that wrap a coroutine in a task: `create_task(x.close())` is still
/// the close (LW402).
pub const TASK_WRAPPING_NAMES: &[&str] = &["create_task", "ensure_future", "create_eager_task"];
/// `asyncio.wait`: `done, pending = await asyncio.wait(tasks)` splits `tasks` (LW402).
pub const ASYNCIO_WAIT_CALLS: &[&str] = &["asyncio.wait", "asyncio.tasks.wait"];
/// Calls that remove the path they are given (`shutil.rmtree(tmp_dir)`).
pub const PATH_REMOVING_CALLS: &[&str] = &["shutil.rmtree", "os.remove", "os.unlink", "os.rmdir"];
/// Words naming something a `with` closes or releases on exit (`async with pool.acquire() as
/// conn`, `async with aiohttp.ClientSession() as session`, `async with self._lock`). Words of
/// up to four letters must start a `_`- or `.`-separated segment (`db_conn`, not `condition`).
pub const CLOSABLE_RESOURCE_WORDS: &[&str] = &[
    "session",
    "client",
    "conn",
    "connection",
    "pool",
    "cursor",
    "channel",
    "transport",
    "socket",
    "sock",
    "websocket",
    "ws",
    "browser",
    "driver",
    "engine",
    "lock",
    "semaphore",
    "mutex",
    "file",
    "tmp",
    "temp",
    "db",
    "database",
    "transaction",
    "stream",
];
/// Exit stacks: what the body enters into them is closed when the `with` ends.
pub const EXIT_STACKS: &[&str] = &["contextlib.ExitStack", "contextlib.AsyncExitStack"];
/// Context managers whose value is closed on exit, by path.
pub const RESOURCE_OPENERS: &[&str] = &[
    "builtins.open",
    "aiofiles.open",
    "tempfile.TemporaryDirectory",
    "tempfile.NamedTemporaryFile",
    "tempfile.TemporaryFile",
    "aiohttp.ClientSession",
    "aiohttp.client.ClientSession",
    "httpx.AsyncClient",
    "httpx._client.AsyncClient",
];
