//! Blocking the thread: sleeping (`time.sleep`) and waiting on other threads and processes
//! (`threading` locks, events and threads, `queue`, `multiprocessing`,
//! `concurrent.futures`); and the calls that hand a function to another thread (LW104).

use super::entries::{Api, Class, Library, StaysOnItsThread, flagged, io, timed};

const CONDITION_ASYNC: Option<&str> = Some("asyncio.Condition");
const WRAP_FUTURE: Option<&str> = Some("await asyncio.wrap_future(future)");
const FUTURE: &str = "concurrent.futures.Future";

/// Wrappers that call the function they are given later: `functools.partial(f, ...)` handed
/// to a thread runs `f` there.
pub const CALLABLE_WRAPPERS: &[&str] = &["functools.partial"];

/// Thread queues that are unbounded unless made with a positive `maxsize`: `put` on one made
/// without waits for no room (LW101, LW103).
/// A `multiprocessing.Queue` hands what is put to a feeder thread: only a bound makes its
/// `put` wait.
pub const UNBOUNDED_UNLESS_SIZED: &[&str] = &[
    "queue.Queue",
    "queue.LifoQueue",
    "queue.PriorityQueue",
    "multiprocessing.Queue",
];

/// Decorators that memoize a function: a zero-argument function so decorated runs its body
/// once per process, so whatever it blocks on, it blocks on once (LW103's exemption), and
/// whatever loop-bound work it does is done by its first caller (LW104's). Home Assistant's
/// `@singleton(key)` keeps what the function returns in `hass.data` under the key: once
/// per instance of Home Assistant, which a process has one of.
pub const MEMOIZING_DECORATORS: &[&str] = &[
    "functools.cache",
    "functools.lru_cache",
    "homeassistant.helpers.singleton.singleton",
];

/// The last names of calls that hand the function they are given to a worker thread, read
/// in a decorator's wrapper, where the receiver is a local the module cannot type
/// (`loop = asyncio.get_running_loop()`, then `loop.run_in_executor(None, partial(fn, *a))`):
/// a wrapper that hands its function only to such calls makes a decorator that runs the
/// function it decorates in a worker thread ([`crate::project::summary::DecoratorKind`]).
pub const THREAD_HANDOFF_NAMES: &[&str] = &[
    "run_in_executor",
    "to_thread",
    "run_sync",
    "run_in_threadpool",
    "sync_to_async",
    "submit",
];

/// Calls that tell which thread is running: comparing one with a known thread or its
/// identity (`threading.get_ident() == loop_thread.ident`) confines the code behind the test
/// to that thread (LW104).
pub const THREAD_IDENTITY_CALLS: &[&str] = &[
    "threading.get_ident",
    "threading.get_native_id",
    "threading.current_thread",
    "threading.currentThread",
    "_thread.get_ident",
];

/// Decorators that make a sync `def` an async function that runs it in a worker thread
/// (`@database_sync_to_async def load(): ...`, then `await load()`): calling what they
/// return runs none of the body on the caller's thread, so what the body blocks on blocks
/// a worker (LW103 and LW202 do not follow such a call). The keyword, where there is one,
/// is what the decorator must be called with as `True`: textual's `@work` runs a sync
/// function in a thread only with `thread=True`. The last field says whether calling what
/// the decorator returns makes a coroutine (LW302 reports one dropped); textual's starts a
/// worker and returns it.
pub const THREAD_RUNNING_DECORATORS: &[(&str, Option<&str>, bool)] = &[
    ("asgiref.sync.sync_to_async", None, true),
    ("channels.db.database_sync_to_async", None, true),
    ("asyncer.asyncify", None, true),
    ("aiofiles.os.wrap", None, true),
    ("aiofiles.ospath.wrap", None, true),
    // discord.py's debugging cog: an `async def` wrapper that awaits `run_in_executor`.
    ("jishaku.functools.executor_function", None, true),
    ("textual.work", Some("thread"), false),
    ("textual._work_decorator.work", Some("thread"), false),
];

/// Library classes that call some of their methods on a thread of their own, with those
/// methods: a project subclass's override runs there (LW104). `threading.Thread` runs `run`
/// on the thread `start()` starts; watchdog's observer calls its event handlers' `dispatch`
/// and `on_*` methods on the observer's thread.
pub const THREAD_RUN_METHODS: &[(&[&str], &[&str])] = &[
    (&["threading.Thread"], &["run"]),
    (
        &[
            "watchdog.events.FileSystemEventHandler",
            "watchdog.events.PatternMatchingEventHandler",
            "watchdog.events.RegexMatchingEventHandler",
            "watchdog.events.LoggingEventHandler",
        ],
        &[
            "dispatch",
            "on_any_event",
            "on_created",
            "on_deleted",
            "on_modified",
            "on_moved",
            "on_closed",
            "on_closed_no_write",
            "on_opened",
        ],
    ),
];

/// The thread's sleep: in a coroutine, `await asyncio.sleep(...)` waits as long without a
/// thread.
pub const THREAD_SLEEP: &str = "time.sleep";

/// What a sync function keeps on the thread that runs it, which a worker thread does not
/// share: moved there by LW103's fix (`await asyncio.to_thread(helper)`), the function
/// would raise, or read or change another thread's state than the caller's. Each kind says
/// why no such fix is offered.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum ThreadState {
    /// An object bound to the thread that made it (a `sqlite3` connection, an SQLAlchemy
    /// session: the catalog's thread-bound classes) used beyond one call: another thread's
    /// use raises, or races the thread that made it.
    BoundObject,
    /// Thread-local storage (`threading.local`): a worker thread sees its own attributes,
    /// not those the loop's thread set.
    ThreadLocal,
    /// A context variable set for the caller (`var.set(value)`, its token dropped):
    /// `asyncio.to_thread` runs the function in a copy of the caller's context, so the value
    /// set is lost when it returns. A set whose token is kept (`token = var.set(value)`)
    /// is undone with it (`var.reset(token)`) by the code that holds it.
    ContextVariable,
    /// A call only the main thread may make (`signal.signal`): raises `ValueError` in a
    /// worker thread.
    MainThreadOnly,
    /// Asks whether a loop runs on its thread (`asyncio.get_running_loop()` in a `try` that
    /// catches `RuntimeError`) and does something else when none does: on a worker thread it
    /// always takes the other branch (a sync bridge that would re-enter the caller's loop
    /// starts a new one there instead).
    RunningLoopProbe,
}

impl ThreadState {
    /// What the function keeps on its thread, as LW103's help says it.
    pub fn described(self) -> &'static str {
        match self {
            Self::BoundObject => {
                "uses an object that belongs to the thread that made it (a `sqlite3` connection, an SQLAlchemy or SQLModel session or connection) kept beyond one call"
            }
            Self::ThreadLocal => {
                "reads or sets thread-local storage (`threading.local`), which a worker thread has its own of"
            }
            Self::ContextVariable => {
                "sets a context variable, which `asyncio.to_thread` would set in a copy of the caller's context, lost when it returns"
            }
            Self::MainThreadOnly => {
                "installs a signal handler, which only the main thread may do (a worker thread raises `ValueError`)"
            }
            Self::RunningLoopProbe => {
                "asks whether an event loop runs on its thread and acts on the answer, which a worker thread would change"
            }
        }
    }
}

/// Calls that act on the calling thread's state (see [`ThreadState`]).
pub const THREAD_STATE_CALLS: &[(&str, ThreadState)] = &[
    ("signal.signal", ThreadState::MainThreadOnly),
    ("signal.set_wakeup_fd", ThreadState::MainThreadOnly),
    ("contextvars.ContextVar.set", ThreadState::ContextVariable),
];

/// `Context.run(func, *args)`: runs `func` in the context, on the calling thread; handed to
/// a thread with its function after it (`run_in_executor(None, ctx.run, func)`), it runs
/// that function there.
pub const CONTEXT_RUN: &str = "contextvars.Context.run";

/// The classes of thread-local storage: each thread sees attributes of its own on an
/// instance (also on an instance of a subclass).
pub const THREAD_LOCAL_CLASSES: &[&str] = &["threading.local", "_thread._local"];

pub(super) const LIBRARIES: &[Library] = &[
    Library::new("time")
        // `time.sleep(0)` returns at once: it only lets other threads take the GIL.
        .functions(&[Api::new(THREAD_SLEEP).blocks(timed(
            Some("await asyncio.sleep(...)"),
            "secs",
            0,
        ))]),
    Library::new("threading")
        .functions(&[Api::new("threading.Timer").hands_off("function", 1)])
        .classes(&[
            // Typed, so that LW103's fix knows a helper that uses one stays on its thread.
            Class::new("threading.local"),
            // A plain `Lock` or a semaphore may be released by any thread, but an acquisition
            // moved to a worker is still taken when the coroutine awaiting it is cancelled,
            // and then nothing releases it.
            Class::new("threading.Lock")
                .lock()
                .methods(&[Api::new("acquire")
                    .blocks(flagged("blocking", 0))
                    .stays_on_its_thread(StaysOnItsThread::TakenWhenCancelled)]),
            // Only the thread that acquired an `RLock` (a `Condition`'s default lock is
            // one) may release it.
            Class::new("threading.RLock")
                .lock()
                .methods(&[Api::new("acquire")
                    .blocks(flagged("blocking", 0))
                    .stays_on_its_thread(StaysOnItsThread::OwnedByCaller)]),
            Class::new("threading.Semaphore")
                .lock()
                .methods(&[Api::new("acquire")
                    .blocks(flagged("blocking", 0))
                    .stays_on_its_thread(StaysOnItsThread::TakenWhenCancelled)]),
            Class::new("threading.BoundedSemaphore")
                .lock()
                .methods(&[Api::new("acquire")
                    .blocks(flagged("blocking", 0))
                    .stays_on_its_thread(StaysOnItsThread::TakenWhenCancelled)]),
            Class::new("threading.Condition").lock().methods(&[
                Api::new("acquire")
                    .blocks(flagged("blocking", 0))
                    .stays_on_its_thread(StaysOnItsThread::OwnedByCaller),
                Api::new("wait").blocks(io(CONDITION_ASYNC)),
                Api::new("wait_for").blocks(io(CONDITION_ASYNC)),
            ]),
            Class::new("threading.Event").methods(&[Api::new("wait").blocks(timed(
                Some("asyncio.Event"),
                "timeout",
                0,
            ))]),
            Class::new("threading.Barrier")
                .methods(&[Api::new("wait").blocks(io(Some("asyncio.Barrier")))]),
            Class::new("threading.Thread")
                .constructor_hands_off("target", 1)
                .methods(&[Api::new("join").blocks(timed(
                    Some("await asyncio.to_thread(thread.join)"),
                    "timeout",
                    0,
                ))]),
        ]),
    Library::new("_thread").classes(&[Class::new("_thread._local")]),
    Library::new("contextvars")
        .functions(&[Api::new("contextvars.copy_context").returns("contextvars.Context")])
        .classes(&[Class::new("contextvars.Context")]),
    Library::new("queue").classes(&[
        Class::new("queue.Queue")
            .aliases(&["queue.LifoQueue", "queue.PriorityQueue"])
            .methods(&[
                Api::new("get").blocks(flagged("block", 0)),
                Api::new("put").blocks(flagged("block", 1)),
                Api::new("join").blocks(io(Some("asyncio.Queue"))),
            ]),
        // Unbounded: `put` never waits (its `block` argument exists for compatibility only).
        Class::new("queue.SimpleQueue")
            .methods(&[Api::new("get").blocks(flagged("block", 0)), Api::new("put")]),
    ]),
    Library::new("multiprocessing").classes(&[
        // `multiprocessing.Event()` (a function of the default context) makes one.
        Class::new("multiprocessing.synchronize.Event")
            .aliases(&["multiprocessing.Event"])
            .methods(&[Api::new("wait").blocks(timed(
                Some("await asyncio.to_thread(event.wait)"),
                "timeout",
                0,
            ))]),
        Class::new("multiprocessing.Queue").methods(&[
            Api::new("get").blocks(flagged("block", 0)),
            Api::new("put").blocks(flagged("block", 1)),
        ]),
        Class::new("multiprocessing.Process")
            .methods(&[Api::new("join").blocks(timed(None, "timeout", 0))]),
    ]),
    Library::new("concurrent.futures")
        .functions(&[Api::new("concurrent.futures.wait").blocks(io(Some("asyncio.wait")))])
        .classes(&[
            Class::new(FUTURE).methods(&[
                Api::new("result").blocks(io(WRAP_FUTURE)),
                Api::new("exception").blocks(io(WRAP_FUTURE)),
                // A done callback runs on the thread that completes the future: a worker.
                Api::new("add_done_callback").hands_off("fn", 0),
            ]),
            Class::new("concurrent.futures.ThreadPoolExecutor")
                .aliases(&["concurrent.futures.thread.ThreadPoolExecutor"])
                .methods(&[
                    Api::new("shutdown").blocks(flagged("wait", 0)),
                    Api::new("submit").returns(FUTURE).hands_off("fn", 0),
                    Api::new("map").hands_off("fn", 0),
                ]),
            // A process pool runs the function in another process: no thread hand-off.
            Class::new("concurrent.futures.ProcessPoolExecutor").methods(&[
                Api::new("shutdown").blocks(flagged("wait", 0)),
                Api::new("submit").returns(FUTURE),
            ]),
            // The base class, met in annotations (`executor: Executor`).
            // Its own `shutdown` does nothing, but every executor an annotation can mean
            // (thread, process, interpreter pools) waits for its workers when `wait` is true.
            Class::type_only("concurrent.futures.Executor").methods(&[
                Api::new("shutdown").blocks(flagged("wait", 0)),
                Api::new("submit").returns(FUTURE).hands_off("fn", 0),
                Api::new("map").hands_off("fn", 0),
            ]),
        ]),
];
