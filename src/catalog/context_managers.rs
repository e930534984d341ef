//! Context managers by the protocol they implement, and what drives an async generator to its
//! end. `with` on an object that implements only `__aenter__`/`__aexit__` (or `async with` on
//! one that implements only `__enter__`/`__exit__`) fails at runtime (LW204); a generator
//! driven by a context-manager decorator or `aclosing` always runs its cleanup (LW305).

/// Types whose instances support `async with` only, besides the locks and semaphores of
/// [`ACQUIRED_ONLY_CONTEXT_TYPES`] ([`is_async_only_context_type`] asks both).
pub const ASYNC_ONLY_CONTEXT_TYPES: &[&str] = &[
    "asyncio.TaskGroup",
    "asyncio.taskgroups.TaskGroup",
    "asyncio.Timeout",
    "asyncio.timeouts.Timeout",
    "aiohttp.ClientSession",
    "aiohttp.client.ClientSession",
    "httpx.AsyncClient",
    "httpx._client.AsyncClient",
];

/// Whether instances of `type_name` support `async with` only (LW204): a lock or a
/// semaphore, or one of [`ASYNC_ONLY_CONTEXT_TYPES`].
pub fn is_async_only_context_type(type_name: &str) -> bool {
    ACQUIRED_ONLY_CONTEXT_TYPES.contains(&type_name)
        || ASYNC_ONLY_CONTEXT_TYPES.contains(&type_name)
}

/// The decorator that makes an async generator function an async context manager.
pub const ASYNC_CONTEXT_MANAGER_DECORATOR: &str = "contextlib.asynccontextmanager";

/// Locks and semaphores: entering one (`async with sem:`) waits for it, and fails only when
/// the waiting task is cancelled (LW401's siblings that cannot fail).
pub const ACQUIRED_ONLY_CONTEXT_TYPES: &[&str] = &[
    "asyncio.Lock",
    "asyncio.locks.Lock",
    "asyncio.Semaphore",
    "asyncio.locks.Semaphore",
    "asyncio.BoundedSemaphore",
    "asyncio.locks.BoundedSemaphore",
    "asyncio.Condition",
    "asyncio.locks.Condition",
    "anyio.Lock",
    "anyio.Semaphore",
    "anyio.Condition",
    "anyio.CapacityLimiter",
];

/// Calls whose result supports `async with` only (factories and methods returning an
/// async context manager).
pub const ASYNC_ONLY_CONTEXT_CALLS: &[&str] = &[
    "asyncio.timeout",
    "asyncio.timeout_at",
    "asyncio.timeouts.timeout",
    "asyncio.timeouts.timeout_at",
    // async-timeout 4.0 removed the sync protocol.
    "async_timeout.timeout",
    "async_timeout.timeout_at",
    "anyio.create_task_group",
    "aiohttp.request",
    "aiohttp.ClientSession.request",
    "aiohttp.ClientSession.get",
    "aiohttp.ClientSession.post",
    "aiohttp.ClientSession.put",
    "aiohttp.ClientSession.patch",
    "aiohttp.ClientSession.delete",
    "aiohttp.ClientSession.head",
    "aiohttp.ClientSession.options",
    "aiohttp.ClientSession.ws_connect",
    "httpx.AsyncClient.stream",
];

/// Types whose instances support `with` only.
pub const SYNC_ONLY_CONTEXT_TYPES: &[&str] = &[
    "threading.Lock",
    "threading.RLock",
    "threading.Semaphore",
    "threading.BoundedSemaphore",
    "threading.Condition",
    "requests.Session",
    "httpx.Client",
];

/// Calls whose result supports `with` only. anyio's and trio's deadlines are plain `with`
/// scopes, unlike asyncio's.
pub const SYNC_ONLY_CONTEXT_CALLS: &[&str] = &[
    "builtins.open",
    "io.open",
    "requests.session",
    "tempfile.TemporaryDirectory",
    "tempfile.NamedTemporaryFile",
    "tempfile.TemporaryFile",
    "anyio.fail_after",
    "anyio.move_on_after",
    "anyio.CancelScope",
    "trio.fail_after",
    "trio.move_on_after",
    "trio.fail_at",
    "trio.move_on_at",
    "trio.CancelScope",
];

/// Cancel scopes that shield their body from outside cancellation when made with
/// `shield=True`: nothing cancels the code inside until it leaves the scope.
pub const SHIELDING_SCOPES: &[&str] = &[
    "anyio.CancelScope",
    "anyio.move_on_after",
    "anyio.fail_after",
    "trio.CancelScope",
    "trio.move_on_after",
    "trio.fail_after",
];

/// Decorators that drive an async generator to its end (the framework enters it, then closes
/// it): yielding inside a context is what such a generator is for.
pub const GENERATOR_DRIVING_DECORATORS: &[&str] = &[
    ASYNC_CONTEXT_MANAGER_DECORATOR,
    "pytest.fixture",
    "pytest_asyncio.fixture",
];

/// Methods a library calls as async generators and closes itself when it is done with them:
/// httpx's `Auth.async_auth_flow`, which the client advances request by request and ends
/// with `aclose()` in a `finally` (the name is that protocol's; a class defining it is an
/// `httpx.Auth`, directly or through bases in other modules).
pub const GENERATOR_DRIVING_METHODS: &[&str] = &["async_auth_flow"];

/// Wrappers that close an async generator when the `async with` around them exits.
pub const GENERATOR_CLOSING_WRAPPERS: &[&str] =
    &["contextlib.aclosing", "async_generator.aclosing"];

/// Context managers that hold nothing outside the process's memory: leaving one late (an
/// async generator suspended inside it, closed by the garbage collector) releases nothing
/// another task waits for (LW305).
pub const RESOURCE_FREE_CONTEXTS: &[&str] = &[
    // A multipart body being built: its `__exit__` does nothing.
    "aiohttp.MultipartWriter",
    "aiohttp.multipart.MultipartWriter",
    "builtins.memoryview",
    "contextlib.nullcontext",
    "contextlib.suppress",
    "io.BytesIO",
    "io.StringIO",
];

/// Sleeps that hand control back to the event loop for a while (LW505).
pub const ASYNC_SLEEPS: &[&str] = &[
    "asyncio.sleep",
    "asyncio.tasks.sleep",
    "anyio.sleep",
    "trio.sleep",
];
