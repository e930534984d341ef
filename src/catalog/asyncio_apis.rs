//! asyncio and anyio: running loops, loop-affine and task-creating calls, coroutine APIs,
//! the event loop's socket methods (LW501), `gather`, `get_event_loop`, and cancellation.
//! The spelling lists are what single rules match a call against.

use super::entries::{Api, Class, Library, NetworkDefault};

/// The event loop's class, as the catalog names it.
pub const EVENT_LOOP: &str = "asyncio.AbstractEventLoop";
const TASK: &str = "asyncio.Task";
const TIMER_HANDLE: &str = "asyncio.TimerHandle";

/// Decorators that turn an `async def` into a plain function: calling the result runs the
/// coroutine to completion (or hands back something else), so it makes no coroutine (LW302).
pub const SYNC_WRAPPING_DECORATORS: &[&str] = &[
    "asgiref.sync.async_to_sync",
    "asyncer.syncify",
    "syncer.sync",
    "unsync.unsync",
    "async_to_sync.sync",
];

/// Of [`SYNC_WRAPPING_DECORATORS`], those whose wrapper drives the coroutine from the
/// caller's thread and refuses, or fails, where a loop already runs there (LW202): asgiref's
/// `async_to_sync` raises `RuntimeError` ("You cannot use AsyncToSync in the same thread as
/// an async event loop"), asyncer's `syncify` runs only from a worker thread (or through
/// `anyio.run`), syncer's `sync` calls `run_until_complete`. unsync's runs the coroutine on
/// a loop of its own thread, from any thread.
pub const LOOP_RUNNING_DECORATORS: &[&str] = &[
    "asgiref.sync.async_to_sync",
    "asyncer.syncify",
    "syncer.sync",
];

/// Library decorators known to leave an `async def` a coroutine function: calling what they
/// return still makes a coroutine (LW302). Any other library's decorator may not (textual's
/// `@work` starts a worker and returns it; a framework's may register the function and hand
/// back something else), so a call of an `async def` behind one is not taken to make a
/// coroutine.
pub const COROUTINE_KEEPING_DECORATORS: &[&str] = &[
    "abc.abstractmethod",
    "async_lru.alru_cache",
    "backoff.on_exception",
    "backoff.on_predicate",
    "builtins.classmethod",
    "builtins.staticmethod",
    "functools.cache",
    "functools.lru_cache",
    "functools.wraps",
    "tenacity.retry",
    "types.coroutine",
    "typing.final",
    "typing.no_type_check",
    "typing.overload",
    "typing.override",
    "typing_extensions.deprecated",
    "typing_extensions.final",
    "typing_extensions.overload",
    "typing_extensions.override",
    "warnings.deprecated",
];

/// Calls that tell a coroutine (function) from a plain one: code that asks them of a callable
/// it was handed takes both kinds, and calls each the way it needs.
pub const COROUTINE_PROBES: &[&str] = &[
    "inspect.iscoroutinefunction",
    "inspect.isawaitable",
    "inspect.iscoroutine",
    "inspect.isasyncgenfunction",
    "asyncio.iscoroutinefunction",
    "asyncio.iscoroutine",
    "asyncio.coroutines.iscoroutinefunction",
];

pub(super) const LIBRARIES: &[Library] = &[
    Library::new("asyncio")
        .functions(&[
            Api::new("asyncio.run").runs_loop(),
            Api::new("asyncio.runners.run").runs_loop(),
            Api::new("asyncio.get_event_loop")
                .returns(EVENT_LOOP)
                .loop_affine()
                .needs_running_loop(),
            Api::new("asyncio.events.get_event_loop")
                .returns(EVENT_LOOP)
                .loop_affine()
                .needs_running_loop(),
            Api::new("asyncio.get_running_loop")
                .returns(EVENT_LOOP)
                .loop_affine()
                .needs_running_loop(),
            Api::new("asyncio.events.get_running_loop")
                .returns(EVENT_LOOP)
                .loop_affine()
                .needs_running_loop(),
            Api::new("asyncio.new_event_loop").returns(EVENT_LOOP),
            Api::new("asyncio.create_task")
                .returns(TASK)
                .loop_affine()
                .needs_running_loop(),
            Api::new("asyncio.ensure_future")
                .returns(TASK)
                .loop_affine(),
            Api::new("asyncio.run_coroutine_threadsafe").returns("concurrent.futures.Future"),
            Api::new("asyncio.sleep").coroutine(),
            Api::new("asyncio.wait_for").coroutine(),
            Api::new("asyncio.wait").coroutine(),
            Api::new("asyncio.open_connection")
                .coroutine()
                .network(NetworkDefault::Streams),
            Api::new("asyncio.open_unix_connection")
                .coroutine()
                .network(NetworkDefault::Streams),
            Api::new("asyncio.streams.open_connection").network(NetworkDefault::Streams),
            Api::new("asyncio.streams.open_unix_connection").network(NetworkDefault::Streams),
            Api::new("asyncio.start_server").coroutine(),
            Api::new("asyncio.create_subprocess_exec").coroutine(),
            Api::new("asyncio.create_subprocess_shell").coroutine(),
            Api::new("asyncio.to_thread")
                .coroutine()
                .hands_off("func", 0),
            Api::new("asyncio.threads.to_thread").hands_off("func", 0),
        ])
        .classes(&[
            Class::new(EVENT_LOOP)
                .aliases(&["asyncio.BaseEventLoop"])
                .methods(&[
                    Api::new("run_until_complete").runs_loop(),
                    Api::new("run_forever").runs_loop(),
                    Api::new("create_task").returns(TASK).loop_affine(),
                    Api::new("create_future").returns("asyncio.Future"),
                    Api::new("call_soon")
                        .returns(TIMER_HANDLE)
                        .loop_affine()
                        .runs_on_loop("callback", 0),
                    Api::new("call_later")
                        .returns(TIMER_HANDLE)
                        .loop_affine()
                        .runs_on_loop("callback", 1),
                    Api::new("call_at")
                        .returns(TIMER_HANDLE)
                        .loop_affine()
                        .runs_on_loop("callback", 1),
                    Api::new("call_soon_threadsafe").runs_on_loop("callback", 0),
                    Api::new("add_signal_handler")
                        .loop_affine()
                        .runs_on_loop("callback", 1),
                    Api::new("remove_signal_handler").loop_affine(),
                    // Watching a descriptor changes the loop's selector, which its thread may
                    // be blocked in: from another thread the change is not seen until the
                    // loop wakes for something else, and races its own use of the selector.
                    // The callbacks run when their descriptor is ready: the reads and writes
                    // they exist for do not wait. Not followed.
                    Api::new("add_reader").loop_affine(),
                    Api::new("add_writer").loop_affine(),
                    Api::new("remove_reader").loop_affine(),
                    Api::new("remove_writer").loop_affine(),
                    // Not a coroutine function: the call submits `func` at once and returns
                    // a future, so the work runs whether or not anyone awaits it (dropping
                    // it loses only its result), and a future's own members
                    // (`add_done_callback`, `result`) are no sign of a missing `await`.
                    Api::new("run_in_executor").hands_off("func", 1),
                    Api::new("sock_connect")
                        .coroutine()
                        .network(NetworkDefault::Streams),
                    Api::new("sock_recv")
                        .coroutine()
                        .network(NetworkDefault::Streams),
                    Api::new("sock_sendall").coroutine(),
                    Api::new("sock_recv_into").network(NetworkDefault::Streams),
                    Api::new("sock_accept").network(NetworkDefault::Streams),
                    Api::new("create_connection").network(NetworkDefault::Streams),
                    Api::new("create_unix_connection").network(NetworkDefault::Streams),
                ]),
            Class::type_only("asyncio.Runner").methods(&[Api::new("run").runs_loop()]),
            // Cancelling schedules the done callbacks with `call_soon`: loop-affine, like
            // completing a future.
            Class::new(TASK).methods(&[
                Api::new("add_done_callback").runs_on_loop("fn", 0),
                Api::new("cancel").loop_affine(),
            ]),
            // `asyncio.Future()` takes the calling thread's loop: on a worker thread with no
            // loop set it raises (unless `loop=` names one).
            Class::new("asyncio.Future")
                .constructor_uses_loop()
                .methods(&[
                    Api::new("set_result").loop_affine(),
                    Api::new("set_exception").loop_affine(),
                    Api::new("cancel").loop_affine(),
                    Api::new("add_done_callback").runs_on_loop("fn", 0),
                ]),
            // Cancelling a scheduled callback updates the loop's own count of cancelled timers:
            // loop-affine (`call_soon_threadsafe(handle.cancel)` from another thread).
            Class::type_only(TIMER_HANDLE)
                .aliases(&[
                    "asyncio.Handle",
                    "asyncio.events.TimerHandle",
                    "asyncio.events.Handle",
                ])
                .methods(&[Api::new("cancel").loop_affine()]),
            Class::new("asyncio.TaskGroup").methods(&[Api::new("create_task").returns(TASK)]),
            Class::new("asyncio.Queue").methods(&[
                Api::new("put").coroutine(),
                Api::new("get").coroutine(),
                Api::new("join").coroutine(),
                Api::new("put_nowait").loop_affine(),
                Api::new("get_nowait").loop_affine(),
            ]),
            Class::new("asyncio.Lock")
                .lock()
                .methods(&[Api::new("acquire").coroutine()]),
            Class::new("asyncio.Event")
                .methods(&[Api::new("wait").coroutine(), Api::new("set").loop_affine()]),
            Class::new("asyncio.Semaphore")
                .lock()
                .methods(&[Api::new("acquire").coroutine()]),
            Class::new("asyncio.Condition")
                .lock()
                .methods(&[Api::new("wait").coroutine()]),
            Class::new("asyncio.BoundedSemaphore").lock(),
            Class::new("asyncio.StreamReader")
                .aliases(&["asyncio.streams.StreamReader"])
                .methods(&[
                    Api::new("read").coroutine(),
                    Api::new("readline").coroutine(),
                    Api::new("readexactly").coroutine(),
                ]),
            Class::new("asyncio.StreamWriter")
                .aliases(&["asyncio.streams.StreamWriter"])
                .methods(&[
                    Api::new("drain").coroutine(),
                    Api::new("wait_closed").coroutine(),
                ]),
        ]),
    // Not a class of `typing`'s: the type an annotation gives a callable that returns an
    // awaitable. Listed for the link, which follows an alias of it imported from another
    // module (`handler: Handler`, `Handler = Callable[..., Awaitable[None]]` in
    // `app.types`) to a known type, as it does a re-exported class.
    Library::new("typing")
        .classes(&[Class::new(AWAITABLE_CALLABLE).methods(&[Api::new("__call__").coroutine()])]),
    Library::new("anyio")
        .functions(&[Api::new("anyio.to_thread.run_sync").hands_off("func", 0)])
        .classes(&[
            Class::new("anyio.Lock").lock(),
            Class::new("anyio.Semaphore").lock(),
            Class::new("anyio.Condition").lock(),
        ]),
    // pyee's asyncio emitter schedules coroutine handlers on its loop (`ensure_future`) when it
    // emits: emitting from a worker thread is not thread-safe, so a sync helper that emits
    // (a class deriving from it, such as aiortc's media tracks) is no `to_thread` candidate.
    Library::new("pyee").classes(&[Class::new("pyee.asyncio.AsyncIOEventEmitter")
        .aliases(&["pyee.AsyncIOEventEmitter"])
        .methods(&[Api::new("emit").loop_affine()])]),
];

// ---------------------------------------------------------------------------------------
// Loops, tasks and gather (LW201, LW301, LW304, LW401, LW402).

/// `asyncio.get_event_loop` under the paths it can be imported from (LW201).
pub const GET_EVENT_LOOP_CALLS: &[&str] =
    &["asyncio.get_event_loop", "asyncio.events.get_event_loop"];

/// `asyncio.get_running_loop` under the paths it can be imported from: in a coroutine it
/// always returns, so an `except RuntimeError` around it alone never runs there (LW201).
pub const RUNNING_LOOP_CALLS: &[&str] = &[
    "asyncio.get_running_loop",
    "asyncio.events.get_running_loop",
];

/// Calls that give the calling thread's own loop: methods called on what they return run on
/// the thread that owns that loop, never across threads (LW104).
pub const THIS_THREADS_LOOP_CALLS: &[&str] = &[
    "asyncio.get_event_loop",
    "asyncio.events.get_event_loop",
    "asyncio.get_running_loop",
    "asyncio.events.get_running_loop",
];

/// The type of a value annotated as a callable that returns an awaitable
/// (`handler: Callable[[Event], Awaitable[None]]`, `Callable[..., Coroutine[Any, Any, T]]`):
/// calling it makes a coroutine (or another awaitable) that does nothing until awaited. A
/// call of such a value has the path `typing.Callable[Awaitable].__call__`, followed, where
/// the module spells the value, by `/` and the name called (`/handler`, `/on_message`), so
/// that a finding can say which; its members (`handler.assert_called_with`, on a mock put
/// there) are not calls of it.
pub const AWAITABLE_CALLABLE: &str = "typing.Callable[Awaitable]";

/// The return annotations that make a callable an [`AWAITABLE_CALLABLE`]. Not `Future` or
/// `Task`: those are scheduled already, and run whether or not they are awaited.
pub const AWAITABLE_RETURN_TYPES: &[&str] = &[
    "typing.Awaitable",
    "typing.Coroutine",
    "collections.abc.Awaitable",
    "collections.abc.Coroutine",
];

/// The types whose parameterisation `Callable[[args], returned]` names a callable.
pub const CALLABLE_TYPES: &[&str] = &["typing.Callable", "collections.abc.Callable"];

/// When `path` is a call of an [`AWAITABLE_CALLABLE`] value: the name called, or `__call__`
/// where the path does not say.
pub fn awaitable_callable_name(path: &str) -> Option<&str> {
    let rest = path
        .strip_prefix(AWAITABLE_CALLABLE)?
        .strip_prefix(".__call__")?;
    if rest.is_empty() {
        return Some("__call__");
    }
    rest.strip_prefix('/')
}

/// Names that say a value nothing types is an event loop, leading underscores aside (`def
/// __init__(self, loop): self._loop = loop`, then `self._loop.create_task(...)`): asyncio's
/// own APIs took a `loop` argument for years, and code that passes one around still names it
/// so. Read through [`super::METHODS_BY_NAME`], for `create_task` on such a value.
pub const LOOP_NAMES: &[&str] = &["loop", "event_loop"];

/// Setting the thread's current loop: `get_event_loop()` after it returns that loop on every
/// version (LW201).
pub const SET_EVENT_LOOP_CALLS: &[&str] =
    &["asyncio.set_event_loop", "asyncio.events.set_event_loop"];

/// Calls that schedule a new task and return the only strong reference to it (LW301).
/// `asyncio.TaskGroup.create_task` is deliberately absent: the group holds its tasks.
pub const TASK_CREATING_CALLS: &[&str] = &[
    "asyncio.create_task",
    "asyncio.tasks.create_task",
    "asyncio.ensure_future",
    "asyncio.tasks.ensure_future",
    "asyncio.AbstractEventLoop.create_task",
];

/// Calls that create a task the caller must keep and drain (LW304): the same calls.
pub const TASK_FACTORIES: &[&str] = TASK_CREATING_CALLS;

/// Calls that return their argument unchanged when it already is a future (LW301).
pub const FUTURE_PASSTHROUGH_CALLS: &[&str] =
    &["asyncio.ensure_future", "asyncio.tasks.ensure_future"];

/// Calls that return a future, not a coroutine: `ensure_future` hands such a value back as
/// it is, and schedules no task of its own (LW301). `gather`'s future holds its children.
pub const FUTURE_MAKING_CALLS: &[&str] = &[
    "asyncio.gather",
    "asyncio.tasks.gather",
    "asyncio.shield",
    "asyncio.tasks.shield",
    "asyncio.wrap_future",
    "asyncio.futures.wrap_future",
    "asyncio.AbstractEventLoop.run_in_executor",
];

/// Calls that give back an awaitable of the very future or task they are handed: an
/// `asyncio` future for a `concurrent.futures` one (`wrap_future`), or the task itself
/// (`ensure_future`). Whoever made the future still handles what it raises (LW402).
pub const FUTURE_WRAPPING_CALLS: &[&str] = &[
    "asyncio.wrap_future",
    "asyncio.futures.wrap_future",
    "asyncio.ensure_future",
    "asyncio.tasks.ensure_future",
];

/// Types of values that already are futures: `ensure_future` returns them as they are.
pub const FUTURE_TYPES: &[&str] = &["asyncio.Task", "asyncio.Future"];

/// `asyncio.gather` under the paths it can be imported from (LW401, LW402).
/// Calls that give the current thread an event loop of its own: a thread that makes one and
/// runs it may use loop-affine APIs on it (LW104's exemption).
pub const OWN_LOOP_CALLS: &[&str] = &[
    "asyncio.new_event_loop",
    "asyncio.events.new_event_loop",
    "asyncio.set_event_loop",
    "asyncio.events.set_event_loop",
];

pub const GATHER_CALLS: &[&str] = &["asyncio.gather", "asyncio.tasks.gather"];

/// Calls returning every task of the running loop: a gather over them drains tasks created
/// elsewhere (LW402).
pub const ALL_TASKS_CALLS: &[&str] = &["asyncio.all_tasks", "asyncio.tasks.all_tasks"];

// ---------------------------------------------------------------------------------------
// Cancellation (LW403).

/// The cancellation exception itself: `raise asyncio.CancelledError` propagates a
/// cancellation (LW403).
pub const CANCELLED_ERROR_CLASSES: &[&str] = &[
    "asyncio.CancelledError",
    "asyncio.exceptions.CancelledError",
];

/// Exception classes whose `except` clause catches asyncio's `CancelledError` (a
/// `BaseException` since Python 3.8) (LW403).
pub const CANCELLATION_CATCHING_CLASSES: &[&str] = &[
    "asyncio.CancelledError",
    "asyncio.exceptions.CancelledError",
    "builtins.BaseException",
];

/// Calls that return the cancellation exception class: `except anyio.get_cancelled_exc_class():`.
pub const CANCELLATION_CLASS_CALLS: &[&str] = &[
    "anyio.get_cancelled_exc_class",
    // Where anyio defines it (anyio's own modules import it from there).
    "anyio._core._eventloop.get_cancelled_exc_class",
];

/// Ways to hand a caught exception on to code that will raise it: `outcome.Error(exc)` (unwrapped
/// with `.unwrap()` by whoever receives it) (LW403).
pub const EXCEPTION_CARRIERS: &[&str] = &["outcome.Error"];
/// Methods that throw an exception into a generator or coroutine being driven
/// (`step = coro.throw(exc)`): the driven code receives it where it is suspended; and a
/// future's `set_exception(exc)`: whoever awaits the future has it raised there (LW403).
pub const EXCEPTION_FORWARDING_METHODS: &[&str] = &["throw", "athrow", "set_exception"];

/// Queue methods that hand an item to the consumer reading the queue: an exception put there
/// (alone or in a `("error", exc)` message) is raised by that consumer (LW403).
pub const EXCEPTION_QUEUEING_METHODS: &[&str] = &["put", "put_nowait"];

/// Methods that cancel a task or future (`task.cancel()`), and that acknowledge a
/// deliberately suppressed cancellation (`asyncio.current_task().uncancel()`, 3.11+) (LW403).
pub const TASK_CANCEL_METHODS: &[&str] = &["cancel"];

/// The method that hands a task, when it ends, to a callback: its exception is looked at
/// there (LW402).
pub const TASK_CALLBACK_METHODS: &[&str] = &["add_done_callback"];
pub const UNCANCEL_METHODS: &[&str] = &["uncancel"];

/// Methods called without arguments that only report the state of their object: a future's
/// or task's `done()` (a `concurrent.futures` future's `running()`, which a worker thread
/// changes and `asyncio.wrap_future` waits on), a queue's `empty()`, a lock's `locked()`, an
/// event's `is_set()`. A loop
/// that tests one, like one that tests an attribute, waits for other code to change it
/// (LW106, LW505). Methods named `is_…` or `has_…` are read the same way.
pub const STATE_PREDICATE_METHODS: &[&str] = &[
    "done",
    "running",
    "cancelled",
    "empty",
    "full",
    "locked",
    "is_set",
];

/// `is_…` methods that ask about the world outside the process, which no coroutine of it
/// changes and no event announces: a file appearing, a thread or process ending. A loop that
/// polls one is not waiting on state only other code sets (LW106, LW505).
pub const EXTERNAL_STATE_PREDICATES: &[&str] = &[
    "is_alive",
    "is_dir",
    "is_fifo",
    "is_file",
    "is_mount",
    "is_socket",
    "is_symlink",
];

/// `asyncio.current_task()`: `if asyncio.current_task().cancelling(): raise` re-raises an
/// external cancellation (3.11+) (LW403).
pub const CURRENT_TASK_CALLS: &[&str] = &["asyncio.current_task", "asyncio.tasks.current_task"];
/// Calls whose awaiting waits on the task given first: `await asyncio.shield(task)` raises
/// `CancelledError` when `task` was cancelled (LW403).
pub const AWAIT_PASSTHROUGH_CALLS: &[&str] = &[
    "asyncio.shield",
    "asyncio.tasks.shield",
    "asyncio.wait_for",
    "asyncio.tasks.wait_for",
];
/// The method of a task that counts the cancellations requested of it (LW403).
pub const CANCELLING_METHODS: &[&str] = &["cancelling"];

/// Return annotations of a function that never returns: a handler that calls one ends in a
/// raise (LW403).
pub const NEVER_RETURNING_TYPES: &[&str] = &[
    "typing.NoReturn",
    "typing.Never",
    "typing_extensions.NoReturn",
    "typing_extensions.Never",
];

/// The loop's methods that take a protocol factory (first argument, or `protocol_factory=`):
/// the loop calls it, and the protocol's methods, on its own thread while it runs.
pub const PROTOCOL_FACTORY_METHODS: &[&str] = &[
    "create_connection",
    "create_datagram_endpoint",
    "create_server",
    "create_unix_connection",
    "create_unix_server",
    "connect_accepted_socket",
    "connect_read_pipe",
    "connect_write_pipe",
    "subprocess_exec",
    "subprocess_shell",
];

/// Event-loop methods that run the callback they are handed on the loop's own thread, while
/// it runs (`loop.add_reader(fd, on_readable)`, `loop.call_soon(flush)`): there the loop is
/// the running one. Not `add_done_callback`, which a `concurrent.futures` future runs on the
/// thread that completes it.
pub const LOOP_RUNS_CALLBACK: &[&str] = &[
    "call_soon",
    "call_soon_threadsafe",
    "call_later",
    "call_at",
    "add_reader",
    "add_writer",
    "add_signal_handler",
];

/// The last names of the calls that schedule other work on the running loop (a task, a
/// callback, a coroutine from another thread): once one has run, something else waits for
/// the loop (`checker::entry_coroutines`).
pub const LOOP_SCHEDULING_CALLS: &[&str] = &[
    "create_task",
    "ensure_future",
    "call_soon",
    "call_soon_threadsafe",
    "call_later",
    "call_at",
    "run_coroutine_threadsafe",
    "start_soon",
    "gather",
];
