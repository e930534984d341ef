//! Deadlines and network waits (LW501, LW502): the scopes that bound what is awaited inside
//! them, `wait_for`, and the names LW501 follows through streams and loops. The network
//! operations themselves are entries of their libraries (`asyncio_apis`, `http_clients`,
//! `websockets`).

/// Context managers that put a deadline on everything awaited inside them (LW501).
pub const TIMEOUT_SCOPES: &[&str] = &[
    "asyncio.timeout",
    "asyncio.timeout_at",
    "asyncio.timeouts.timeout",
    "asyncio.timeouts.timeout_at",
    "async_timeout.timeout",
    "async_timeout.timeout_at",
    "anyio.fail_after",
    "anyio.move_on_after",
    "trio.fail_after",
    "trio.move_on_after",
    "trio.fail_at",
    "trio.move_on_at",
];

/// `asyncio.wait_for` under the paths it can be imported from (LW501, LW502).
pub const WAIT_FOR_CALLS: &[&str] = &["asyncio.wait_for", "asyncio.tasks.wait_for"];

/// `asyncio.open_connection` and friends return `(reader, writer)`: reads on the first element
/// are stream reads (LW501 follows the unpacking itself). A `StreamReader` known only by its
/// type is not followed: it is as often a subprocess pipe as a socket.
pub const STREAM_OPENERS: &[&str] = &[
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.streams.open_connection",
    "asyncio.streams.open_unix_connection",
];

/// `StreamReader` methods that wait for the peer (LW501).
pub const STREAM_READ_METHODS: &[&str] = &["read", "readline", "readexactly", "readuntil"];

/// Network operations that wait for the *next* message or connection: in a loop they are a
/// pump (a server's accept loop, a relay), which waits by design (LW501).
pub const NETWORK_WAIT_FOR_NEXT: &[&str] = &[
    "read",
    "readline",
    "readexactly",
    "readuntil",
    "recv",
    "sock_recv",
    "sock_recv_into",
    "sock_accept",
];

/// Connection openers that do no network I/O when handed an already-connected `sock=`: they
/// only wrap the socket (LW501). Reads on the streams they return still wait on the peer.
pub const SOCKET_WRAPPING_CONNECTS: &[&str] = &[
    "asyncio.AbstractEventLoop.create_connection",
    "asyncio.AbstractEventLoop.create_unix_connection",
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.streams.open_connection",
    "asyncio.streams.open_unix_connection",
];

/// `loop.sock_connect`: on a datagram (UDP) socket, `connect` only records the peer address
/// and returns at once, so it waits on no network (LW501).
pub const SOCKET_CONNECTS: &[&str] = &["asyncio.AbstractEventLoop.sock_connect"];

/// Calls that run the coroutine they are handed as a new task, which does not inherit the
/// deadline of the code that spawns it (LW501), by the callee's last name.
pub const SPAWNS_TASK: &[&str] = &[
    "create_task",
    "ensure_future",
    "start_soon",
    "run_coroutine_threadsafe",
];
