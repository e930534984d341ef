//! LW501 network-await-without-timeout: an awaited network operation that no deadline bounds.
//!
//! The entry points the dispatch calls live here; the rest of the rule is split by question:
//! which calls are network operations with no timeout of their own (`operations.rs`, with the
//! clients' timeout settings in `client_timeouts.rs` and where a value was built in
//! `origins.rs`), what bounds one lexically (`checker::deadlines`, shared with the summary),
//! what makes an unbounded one fine where it stands (`exemptions.rs`), how it is worded
//! (`messages.rs`), and whether every caller in the project bounds it (`callers.rs`, run
//! once the project is linked).

mod callers;
mod client_timeouts;
mod datagram_sockets;
mod exemptions;
mod handed_sessions;
mod messages;
mod operations;
mod origins;

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

use crate::catalog;
use crate::checker::Checker;
use crate::checker::deadlines::deadline_encloses;

pub(crate) use callers::check as check_project;
use exemptions::exempt_in_context;
pub(crate) use handed_sessions::record as record_handed_sessions;
use messages::report;
use operations::{SessionOrigin, Unbounded, handed_session_request, unbounded};

pub const DOCS: &str = r#"# LW501 network-await-without-timeout

## What it does
Flags an awaited network operation that no deadline bounds:
- `asyncio.open_connection` / `open_unix_connection`, and `read`/`readline`/`readexactly`/`readuntil`
  on the `StreamReader` they return (`reader, writer = await asyncio.open_connection(...)` is
  followed, also through `asyncio.wait_for(...)`, whether the coroutine is written inside it or
  made first into a local the function binds once, `conn = asyncio.open_connection(...)` then
  `await asyncio.wait_for(conn, 5)`, as is `self._reader` unpacked that way in any method of
  the class);
- the event loop's `create_connection`, `create_unix_connection`, `sock_connect`, `sock_recv`,
  `sock_recv_into`, `sock_accept`;
- `recv()` on a `websockets` connection (from `websockets.connect`, awaited or as an
  `async with` target, or annotated), and `websockets.connect(..., open_timeout=None)`;
- a request (`get`/`post`/.../`request`/`ws_connect`, awaited or entered with `async with`) on an
  `aiohttp.ClientSession` that was built, in the same function or in any method of the class for
  `self._session`, without a `timeout=`; `aiohttp.request(...)` without `timeout=`; any aiohttp
  request with `timeout=None` or a `ClientTimeout` that sets neither `total` nor `sock_read`;
- an `httpx.AsyncClient` request with `timeout=None` (or `httpx.Timeout(None)`), or on a client
  built with `timeout=None`;
- a request on a session the function was handed (`async def fetch(session, url): async with
  session.get(url)`, the parameter untyped or annotated `aiohttp.ClientSession`, also read by a
  function nested in it), or on `self.attr` that the class's `__init__` sets straight from one
  of its parameters (`self._session = session`, the one assignment to it in the class), when a
  caller in the project hands it a session built without a finite read timeout (a local or
  `self.attr` built as above; for the constructor, `Client(session)`) and makes that call with
  no deadline of its own. The message names that caller; the chain goes from its call to the
  function.

A value is followed only when every assignment to it (a local in the function, or
`self.attr` in any method of the class) builds it one of these ways; an assignment of `None`
is left out, since a placeholder (`self.connection = None` in `__init__`) has no `recv()` to
await, so the await always meets one of the other assignments. A value assigned only `None`
is not followed.

An operation is bounded when it is lexically inside `async with asyncio.timeout(...)`,
`asyncio.timeout_at`, `async_timeout.timeout`, `anyio.fail_after`/`move_on_after` (or
`trio`'s), inside any other context manager whose name says `timeout` or `deadline`, wrapped in
`asyncio.wait_for(op, t)` with `t` not `None` (`wait_for(op, None)` is flagged: it sets no
deadline), or inside a function whose decorator's name says `timeout`; or when a finite timeout
is set on the call or on the client it is made with. `asyncio.timeout(None)` is no deadline,
unless it is bound with `as` (to be rescheduled).

## Why is this bad?
A peer that accepts the connection and then stops answering (a half-open TCP connection, a
stuck upstream, a proxy that swallows the response) leaves the coroutine suspended forever:
no exception, no log line, no stack trace. The request that awaits it hangs, its connection
and memory are never released, and under load the process runs out of connections or
file descriptors while every health check still passes.

The real defaults, which decide what is flagged:
- asyncio streams and the loop's socket methods have **no** timeout;
- `websockets` `recv()` waits for the next message forever (keepalive pings detect a dead
  peer, not a live peer that sends nothing); `connect()` has a 10 s `open_timeout`, so it is
  flagged only when that is set to `None`;
- an `aiohttp.ClientSession` built without `timeout=` uses `ClientTimeout(total=300,
  sock_connect=30)`: five minutes per request and no limit per read, far beyond any caller's
  patience; a request with `timeout=None` has no limit at all;
- `httpx.AsyncClient` defaults to 5 s for connect, read, write and pool: that *is* a timeout,
  so only `timeout=None` is flagged.

## Example
```python
import asyncio

async def ping(host: str) -> bytes:
    reader, writer = await asyncio.open_connection(host, 6379)
    writer.write(b"PING\r\n")
    return await reader.readline()
```

## Use instead
```python
import asyncio

async def ping(host: str) -> bytes:
    async with asyncio.timeout(5):  # Python >= 3.11
        reader, writer = await asyncio.open_connection(host, 6379)
        writer.write(b"PING\r\n")
        return await reader.readline()
```
On older Pythons: `await asyncio.wait_for(reader.readline(), 5)`. For aiohttp, build the session
with `timeout=aiohttp.ClientTimeout(total=10, sock_read=5)`.

## Not flagged
- `httpx.AsyncClient` requests with the default timeout, `websockets.connect()` with its default
  `open_timeout`.
- A client whose construction is not visible (a session returned by a helper such as
  `async_get_clientsession(hass)`, a parameter no caller hands a session it builds): its timeout
  is not known, and loopwarden does not guess. The same for a session built with `**kwargs` or
  a `timeout=` given as a variable, and for a `StreamReader` known only by its type (it is as
  often a subprocess pipe as a socket).
- An operation in the branch of an `if` on a configured timeout that runs when none is set,
  the other branch bounding the same work by it (`if self.timeout: await
  asyncio.wait_for(op(), self.timeout)` / `else: await op()`, or `if timeout is None:` ...
  `else:` under `async with asyncio.timeout(timeout)`): `wait_for(op(), self.timeout)`
  spelled out, the caller's choice of no deadline.
- A request on a session parameter that the function rebinds (`session = session or
  ClientSession(...)`), or that its callers only pass on from their own callers (one call is
  followed, not a chain of them); a session handed in by a test module (`test_*.py`,
  `conftest.py`, a `tests` package), whose throwaway session says nothing of the ones the code
  runs with.
- Reads of a response body (`await resp.json()`): they run under the request's timeout, and the
  request is where a missing one is reported.
- A pump: a read, `recv()` or `sock_accept()` inside a `while`/`for` loop, and
  `async for message in websocket:`. Waiting for the next message or connection is what a
  server's accept loop, a relay or a subscription is for. A `while len(buffer) < length:`
  (or `!=`, or the sides swapped) is no pump: it reads the rest of one reply of a known
  size, and a peer that stops sending mid-reply hangs it forever; a pump inside it still is.
  Also such a wait in a wrapper that waits on nothing else (`async def recv(self): return
  await self._ws.recv()`) when every call of the wrapper in the project (at least one, all
  resolved) is awaited directly inside a pump loop of its caller (or under a deadline),
  decided once the project is linked: the wrapper is that loop's read. Such a wrapper named
  as the read it forwards (`recv` around `self._ws.recv()`) that no call in the project
  resolves to without a deadline or a pump around it is a library's public read: its caller
  owns the deadline, as for the wrapped library's own `recv` (calls of `recv()` on values of
  unknown type are left aside: they are as likely the wrapped library's). What a wrapper's
  `except` handlers await once the read failed (closing the connection) is no second wait.
- `loop.create_connection(factory, sock=connected_socket)` and
  `asyncio.open_connection(sock=connected_socket)`: they only wrap the socket (reads on the
  streams they return are still followed).
- `loop.sock_connect(owner.attr, address)` on a datagram socket: connecting a UDP socket only
  records the peer. The socket is recognised when the owner's type is known and a module of
  the project assigns `self.attr = socket.socket(..., socket.SOCK_DGRAM)` in that class.
- The library's own implementation of the API (`self.recv()` inside the connection class).
- An await inside a function every caller of which, in the project, runs it under a deadline
  (`async with asyncio.timeout(5): await connect(host)`, `await asyncio.wait_for(connect(host),
  5)`, or inside a function that is itself so covered), decided once the project is linked:
  there must be at least one caller, and all of them resolved. A call to a base class's method
  counts as a caller of its overrides (`self._fetch()` in the base reaches every subclass's
  `_fetch`); a call the link cannot resolve (`x.name()` on a value of unknown type, anywhere in
  the same top-level package) may reach a method of that name, so its callers are not all
  known and the await is reported, unless that call itself runs under a deadline. A method
  no call resolves to, whose name such calls use only under a deadline, is covered: a class
  picked from a registry (`driver = DRIVERS[kind]`, then `await asyncio.wait_for(
  driver(host).probe(), 5)`) reaches its `probe` only there. A use that spawns a task (`create_task(connect(host))`)
  does not pass its deadline on. A function passed as a value (a callback) is not a caller
  the rule can see.
- For raw streams and sockets, also a private function (`_name`, or in a `_private` module)
  that no call in the project resolves to: it is plumbing behind an entry point (reached
  through a backend object, say), which owns the deadline.

## Message
The message says what deadline there is: "has no deadline" where there is none at all, and
"has only aiohttp's default 300 s total, no per-read limit" for a request on an
`aiohttp.ClientSession` built without `timeout=` (or with `timeout=None`, which falls back to
that default) and for `aiohttp.request(...)` without `timeout=`.

## Fix
No automatic fix: the right deadline depends on the operation. The help line suggests
`async with asyncio.timeout(seconds):` on Python 3.11 and newer, else `asyncio.wait_for(op, seconds)`.
"#;

/// Once the module is walked: records the class attributes it makes datagram sockets.
pub(crate) fn finish_module(checker: &mut Checker) {
    datagram_sockets::record(checker);
}

/// `await op` in async context.
pub(crate) fn check_await(checker: &mut Checker, await_expr: &ast::ExprAwait) {
    let Expr::Call(call) = &*await_expr.value else {
        return;
    };
    let mut operation = call;
    let mut via_wait_for = false;
    if checker
        .model
        .call_path(call)
        .is_some_and(|path| catalog::is_wait_for(&path))
    {
        // `wait_for(op, t)` bounds `op` unless `t` is `None`.
        match call.arguments.find_argument_value("timeout", 1) {
            Some(timeout) if timeout.is_none_literal_expr() => {}
            _ => return,
        }
        let Some(Expr::Call(inner)) = call.arguments.find_argument_value("fut", 0) else {
            return;
        };
        operation = inner;
        via_wait_for = true;
    }
    let Some((mut unbounded, session_from)) = unbounded_here_or_by_callers(checker, operation)
    else {
        return;
    };
    if deadline_encloses(checker, await_expr.range())
        || exempt_in_context(checker, operation, &unbounded)
    {
        return;
    }
    if via_wait_for {
        unbounded.why = format!(
            "`asyncio.wait_for(..., None)` sets no deadline, and {}",
            unbounded.why
        );
    }
    report(
        checker,
        operation,
        await_expr.range(),
        unbounded,
        session_from,
    );
}

/// Why `operation` has no deadline: of its own, or, for a request on a session the function
/// was handed, when a caller hands it one built without a timeout (with where the session
/// comes from, for the link to ask the callers).
fn unbounded_here_or_by_callers(
    checker: &Checker,
    operation: &ast::ExprCall,
) -> Option<(Unbounded, Option<SessionOrigin>)> {
    match unbounded(checker, operation) {
        Some(unbounded) => Some((unbounded, None)),
        None => handed_session_request(checker, operation)
            .map(|(unbounded, origin)| (unbounded, Some(origin))),
    }
}

/// `async with session.get(url) as response:` and friends.
pub(crate) fn check_async_with(checker: &mut Checker, with: &ast::StmtWith) {
    for item in &with.items {
        let Expr::Call(call) = &item.context_expr else {
            continue;
        };
        let Some((unbounded, session_from)) = unbounded_here_or_by_callers(checker, call) else {
            continue;
        };
        // Earlier items of this same `async with` count: `async with timeout(5), s.get(u) as r:`.
        if deadline_encloses(checker, item.range()) || exempt_in_context(checker, call, &unbounded)
        {
            continue;
        }
        report(checker, call, call.range(), unbounded, session_from);
    }
}
