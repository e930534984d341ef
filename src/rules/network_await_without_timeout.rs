//! LW501 network-await-without-timeout: an awaited network operation that no deadline bounds.

use std::collections::HashMap;

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::{collect_assignments, enclosing_class, last_identifier, receiver_name};
use crate::catalog::{self, NetworkDefault};
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::message_text::shorten;
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW501 network-await-without-timeout

## What it does
Flags an awaited network operation that no deadline bounds:
- `asyncio.open_connection` / `open_unix_connection`, and `read`/`readline`/`readexactly`/`readuntil`
  on the `StreamReader` they return (`reader, writer = await asyncio.open_connection(...)` is
  followed, also through `asyncio.wait_for(...)`, as is `self._reader` unpacked that way in any
  method of the class);
- the event loop's `create_connection`, `create_unix_connection`, `sock_connect`, `sock_recv`,
  `sock_recv_into`, `sock_accept`;
- `recv()` on a `websockets` connection (from `websockets.connect`, awaited or as an
  `async with` target, or annotated), and `websockets.connect(..., open_timeout=None)`;
- a request (`get`/`post`/.../`request`/`ws_connect`, awaited or entered with `async with`) on an
  `aiohttp.ClientSession` that was built, in the same function or in any method of the class for
  `self._session`, without a `timeout=`; `aiohttp.request(...)` without `timeout=`; any aiohttp
  request with `timeout=None` or a `ClientTimeout` that sets neither `total` nor `sock_read`;
- an `httpx.AsyncClient` request with `timeout=None` (or `httpx.Timeout(None)`), or on a client
  built with `timeout=None`.

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
- A client whose construction is not visible (a parameter, a session returned by a helper such as
  `async_get_clientsession(hass)`): its timeout is not known, and loopwarden does not guess. The
  same for a session built with `**kwargs` or a `timeout=` given as a variable, and for a
  `StreamReader` known only by its type (it is as often a subprocess pipe as a socket).
- Reads of a response body (`await resp.json()`): they run under the request's timeout, and the
  request is where a missing one is reported.
- A pump: a read, `recv()` or `sock_accept()` inside a `while`/`for` loop, and
  `async for message in websocket:`. Waiting for the next message or connection is what a
  server's accept loop, a relay or a subscription is for.
- `loop.create_connection(factory, sock=connected_socket)`: it only wraps the socket.
- The library's own implementation of the API (`self.recv()` inside the connection class).
- A function that every use in the module runs under a deadline (`async with asyncio.timeout(5):
  await _connect(host)`, `await asyncio.wait_for(_connect(host), 5)`, or inside a function that
  is itself so covered), but not a use that spawns a task, which does not inherit the deadline.
  For raw streams and sockets, also a private function (`_name`, or in a `_private` module) that
  the module never uses: it is plumbing behind an entry point, which owns the deadline.
- A deadline set by a caller in another module (`await asyncio.wait_for(client.fetch(), 5)`):
  the rule sees one module at a time. Silence such a function with `# noqa: LW501`.

## Fix
No automatic fix: the right deadline depends on the operation. The help line suggests
`async with asyncio.timeout(seconds):` on Python 3.11 and newer, else `asyncio.wait_for(op, seconds)`.
"#;

/// Why an operation is unbounded, for the message.
struct Unbounded {
    kind: NetworkDefault,
    why: String,
    help: Option<&'static str>,
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
    let Some(mut unbounded) = unbounded(checker, operation) else {
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
    report(checker, operation, await_expr.range(), unbounded);
}

/// `async with session.get(url) as response:` and friends.
pub(crate) fn check_async_with(checker: &mut Checker, with: &ast::StmtWith) {
    for item in &with.items {
        let Expr::Call(call) = &item.context_expr else {
            continue;
        };
        let Some(unbounded) = unbounded(checker, call) else {
            continue;
        };
        // Earlier items of this same `async with` count: `async with timeout(5), s.get(u) as r:`.
        if deadline_encloses(checker, item.range()) || exempt_in_context(checker, call, &unbounded)
        {
            continue;
        }
        report(checker, call, call.range(), unbounded);
    }
}

fn report(
    checker: &mut Checker,
    operation: &ast::ExprCall,
    range: TextRange,
    unbounded: Unbounded,
) {
    let callee = checker.text(operation.func.range());
    let arguments = if operation.arguments.is_empty() {
        "()"
    } else {
        "(...)"
    };
    let shown = shorten(&format!("{callee}{arguments}"), 60);
    let target = checker.settings.target_version;
    let help = match unbounded.help {
        Some(help) => help,
        None if (target.major, target.minor) >= (3, 11) => {
            "Put a deadline on it: `async with asyncio.timeout(seconds):` around the await, or `asyncio.wait_for(..., seconds)`"
        }
        None => {
            "Put a deadline on it: `await asyncio.wait_for(..., seconds)` (or `async_timeout.timeout(seconds)`)"
        }
    };
    checker.report(
        Diagnostic::new(
            Rule::NetworkAwaitWithoutTimeout,
            format!("Network await `{shown}` has no deadline: {}", unbounded.why),
            range,
        )
        .with_help(help),
    );
}

/// Whether `call` is a network operation with no finite timeout of its own or of its client.
fn unbounded(checker: &Checker, call: &ast::ExprCall) -> Option<Unbounded> {
    let path = checker.model.call_path(call);
    let kind = path
        .as_deref()
        .and_then(catalog::network_default)
        .or_else(|| followed_kind(checker, call))?;
    if let Some(path) = path.as_deref() {
        // The library's own implementation of the API (`self.recv()` inside the connection class).
        if path
            .rsplit_once('.')
            .is_some_and(|(owner, _)| checker.model.module.is_class(owner))
        {
            return None;
        }
        // `loop.create_connection(factory, sock=connected_socket)` only wraps the socket.
        if catalog::SOCKET_WRAPPING_CONNECTS.contains(&path)
            && call
                .arguments
                .find_keyword("sock")
                .is_some_and(|sock| !sock.value.is_none_literal_expr())
        {
            return None;
        }
    }
    match kind {
        NetworkDefault::Streams => Some(Unbounded {
            kind,
            why: "asyncio streams and event-loop socket calls have no default timeout".to_string(),
            help: None,
        }),
        NetworkDefault::WebsocketRecv => Some(Unbounded {
            kind,
            why: "`recv()` on a websockets connection waits for the next message forever"
                .to_string(),
            help: None,
        }),
        NetworkDefault::WebsocketConnect => {
            let open_timeout = call.arguments.find_keyword("open_timeout")?;
            open_timeout
                .value
                .is_none_literal_expr()
                .then(|| Unbounded {
                    kind,
                    why: "`open_timeout=None` turns off websockets' 10 s handshake timeout"
                        .to_string(),
                    help: Some(
                        "Drop `open_timeout=None` (the default is 10 s) or give a finite value",
                    ),
                })
        }
        NetworkDefault::Aiohttp => aiohttp_unbounded(checker, call, path.as_deref()),
        NetworkDefault::Httpx => httpx_unbounded(checker, call),
    }
}

/// Context that makes an unbounded operation fine: a pump loop waiting for the next message
/// or connection, or a function that every caller in the module runs under a deadline.
fn exempt_in_context(checker: &Checker, call: &ast::ExprCall, unbounded: &Unbounded) -> bool {
    let waits_for_next = matches!(
        unbounded.kind,
        NetworkDefault::Streams | NetworkDefault::WebsocketRecv
    ) && last_identifier(&call.func)
        .is_some_and(|method| catalog::NETWORK_WAIT_FOR_NEXT.contains(&method));
    if waits_for_next && in_loop(checker) {
        return true;
    }
    callers_bound(checker, unbounded.kind == NetworkDefault::Streams)
}

/// Whether every use of the current function in the module runs under a deadline (lexically,
/// or inside a function that is itself so covered). A function the module never uses is
/// covered only when `delegate_private` holds and it is private (`_name`, or in a `_module`):
/// plumbing behind an entry point, which owns the deadline (raw sockets and streams only).
fn callers_bound(checker: &Checker, delegate_private: bool) -> bool {
    let Some(function) = checker.current_function() else {
        return false;
    };
    let is_method = enclosing_class(checker.statement_ancestors(), function).is_some();
    let key = FunctionKey {
        start: function.start().to_u32(),
        is_method,
    };
    with_cache(checker, |cache| {
        if cache.sites.is_none() {
            cache.sites = Some(SiteIndex::build(checker));
        }
        let private_module = module_is_private(checker);
        let Cache {
            sites,
            coverage,
            coverage_delegating,
            ..
        } = cache;
        let memo = if delegate_private {
            coverage_delegating
        } else {
            coverage
        };
        let sites = sites.as_ref().expect("built above");
        sites.covered(key, delegate_private, private_module, memo, 0)
    })
}

fn is_private(name: &str) -> bool {
    name.starts_with('_') && !(name.starts_with("__") && name.ends_with("__"))
}

fn module_is_private(checker: &Checker) -> bool {
    checker.model.module.module_name.split('.').any(is_private)
}

/// A function of the module: where its `def` starts, and whether it is a method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct FunctionKey {
    start: u32,
    is_method: bool,
}

/// A place the module uses a function: whether a deadline encloses it there, and the
/// function it is in.
struct UseSite {
    bounded: bool,
    caller: Option<FunctionKey>,
}

/// Every function of the module and every place it is used, built once per module.
struct SiteIndex {
    names: HashMap<FunctionKey, String>,
    /// (name, is_method) → the loads of `name` (a module function) or of `.name` (a method).
    sites: HashMap<(String, bool), Vec<UseSite>>,
}

impl SiteIndex {
    fn build(checker: &Checker) -> Self {
        use ruff_python_ast::visitor::{Visitor, walk_expr, walk_stmt};

        struct Finder<'f, 'a, 'm> {
            checker: &'f Checker<'a, 'm>,
            stmts: Vec<&'a Stmt>,
            exprs: Vec<&'a Expr>,
            index: SiteIndex,
            nesting: usize,
        }
        impl<'a> Finder<'_, 'a, '_> {
            fn site(&mut self, name: &str, is_method: bool, range: TextRange) {
                let site = self.use_site(range);
                self.index
                    .sites
                    .entry((name.to_string(), is_method))
                    .or_default()
                    .push(site);
            }

            fn use_site(&self, range: TextRange) -> UseSite {
                // Innermost first: `wait_for(f(), 5)` bounds `f`; a new task does not inherit
                // the deadline of the code that spawns it.
                for expr in self.exprs.iter().rev() {
                    let Expr::Call(call) = expr else { continue };
                    if last_identifier(&call.func).is_some_and(|callee| {
                        matches!(
                            callee,
                            "create_task"
                                | "ensure_future"
                                | "start_soon"
                                | "run_coroutine_threadsafe"
                        )
                    }) {
                        return UseSite {
                            bounded: false,
                            caller: None,
                        };
                    }
                    let is_wait_for = self
                        .checker
                        .model
                        .call_path(call)
                        .is_some_and(|path| catalog::is_wait_for(&path));
                    let timeout = call.arguments.find_argument_value("timeout", 1);
                    if is_wait_for && timeout.is_some_and(|timeout| !timeout.is_none_literal_expr())
                    {
                        return UseSite {
                            bounded: true,
                            caller: None,
                        };
                    }
                }
                let mut bounded = false;
                for (index, stmt) in self.stmts.iter().enumerate().rev() {
                    match *stmt {
                        Stmt::FunctionDef(def) => {
                            let is_method = enclosing_class(&self.stmts[..=index], def).is_some();
                            return UseSite {
                                bounded: bounded || has_timeout_decorator(def),
                                caller: Some(FunctionKey {
                                    start: def.start().to_u32(),
                                    is_method,
                                }),
                            };
                        }
                        Stmt::With(with) => {
                            bounded |= with.items.iter().any(|item| {
                                item.context_expr.end() <= range.start()
                                    && is_deadline_item(self.checker, item)
                            });
                        }
                        _ => {}
                    }
                }
                UseSite {
                    bounded,
                    caller: None,
                }
            }
        }
        impl<'a> Visitor<'a> for Finder<'_, 'a, '_> {
            fn visit_stmt(&mut self, stmt: &'a Stmt) {
                if self.nesting > 2_000 {
                    return;
                }
                self.nesting += 1;
                if let Stmt::FunctionDef(def) = stmt {
                    let is_method = enclosing_class(&self.stmts, def).is_some()
                        || matches!(self.stmts.last(), Some(Stmt::ClassDef(_)));
                    self.index.names.insert(
                        FunctionKey {
                            start: def.start().to_u32(),
                            is_method,
                        },
                        def.name.to_string(),
                    );
                }
                self.stmts.push(stmt);
                let saved = std::mem::take(&mut self.exprs);
                walk_stmt(self, stmt);
                self.exprs = saved;
                self.stmts.pop();
                self.nesting -= 1;
            }

            fn visit_expr(&mut self, expr: &'a Expr) {
                if self.nesting > 2_000 {
                    return;
                }
                self.nesting += 1;
                match expr {
                    Expr::Name(used) if used.ctx.is_load() => {
                        self.site(used.id.as_str(), false, expr.range())
                    }
                    Expr::Attribute(attribute) => {
                        self.site(attribute.attr.as_str(), true, expr.range())
                    }
                    _ => {}
                }
                self.exprs.push(expr);
                walk_expr(self, expr);
                self.exprs.pop();
                self.nesting -= 1;
            }
        }
        let mut finder = Finder {
            checker,
            stmts: Vec::new(),
            exprs: Vec::new(),
            index: SiteIndex {
                names: HashMap::new(),
                sites: HashMap::new(),
            },
            nesting: 0,
        };
        finder.visit_body(&checker.module().body);
        // Keep only the uses of the module's own functions.
        let defined: std::collections::HashSet<(String, bool)> = finder
            .index
            .names
            .iter()
            .map(|(key, name)| (name.clone(), key.is_method))
            .collect();
        finder.index.sites.retain(|key, _| defined.contains(key));
        finder.index
    }

    fn covered(
        &self,
        key: FunctionKey,
        delegate_private: bool,
        private_module: bool,
        memo: &mut HashMap<FunctionKey, bool>,
        depth: usize,
    ) -> bool {
        if let Some(known) = memo.get(&key) {
            return *known;
        }
        if depth > 8 {
            return false;
        }
        let Some(name) = self.names.get(&key) else {
            return false;
        };
        // In progress: a recursive use does not cover itself.
        memo.insert(key, false);
        let covered = match self.sites.get(&(name.clone(), key.is_method)) {
            None => delegate_private && (is_private(name) || private_module),
            Some(sites) => sites.iter().all(|site| {
                site.bounded
                    || site.caller.is_some_and(|caller| {
                        self.covered(caller, delegate_private, private_module, memo, depth + 1)
                    })
            }),
        };
        memo.insert(key, covered);
        covered
    }
}

/// What LW501 learns once per module and reuses for every await in it: the uses of its
/// functions, which functions are covered by their callers' deadlines, and where the values
/// of each function (or each class's `self.attr`) were built. Kept in the checker's
/// per-module state, so it lives exactly as long as the module's walk.
#[derive(Default)]
struct Cache {
    sites: Option<SiteIndex>,
    /// Coverage of a function by its callers' deadlines, without and with private plumbing
    /// delegated to its entry point.
    coverage: HashMap<FunctionKey, bool>,
    coverage_delegating: HashMap<FunctionKey, bool>,
    /// Function (or class, for `self.attr`) start → target name → how each value was built.
    origins: HashMap<u32, HashMap<String, Vec<OriginFact>>>,
    /// The answers given from `origins`, by scope, target name and question.
    verdicts: HashMap<(u32, String, Query), bool>,
}

fn with_cache<R>(checker: &Checker, run: impl FnOnce(&mut Cache) -> R) -> R {
    run(&mut checker.rule_state::<Cache>())
}

/// What LW501 asks of every place a value was built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Query {
    /// The reader of `await asyncio.open_connection(...)`.
    StreamReader,
    /// `await websockets.connect(...)`.
    Websocket,
    /// An `aiohttp.ClientSession` without a finite timeout.
    AiohttpUnbounded,
    /// An `httpx.AsyncClient(timeout=None)`.
    HttpxUnbounded,
}

impl Query {
    fn accepts(self, fact: &OriginFact) -> bool {
        let awaited = |openers: &[&str], index: Option<usize>| {
            fact.index == index
                && fact
                    .awaited
                    .as_deref()
                    .is_some_and(|path| openers.contains(&path))
        };
        match self {
            Query::StreamReader => awaited(catalog::STREAM_OPENERS, Some(0)),
            Query::Websocket => awaited(catalog::WEBSOCKET_CONNECTS, None),
            Query::AiohttpUnbounded => fact.index.is_none() && fact.aiohttp_unbounded,
            Query::HttpxUnbounded => fact.index.is_none() && fact.httpx_unbounded,
        }
    }
}

/// How one assignment built a value: enough to answer LW501's questions without keeping the
/// tree around.
#[derive(Clone, Debug, Default)]
struct OriginFact {
    /// `None` for a value that cannot be followed (a parameter, a loop variable).
    known: bool,
    /// The position in a tuple unpacking (`reader, writer = ...`).
    index: Option<usize>,
    /// The call awaited for the value (`asyncio.wait_for(x, t)` unwrapped to `x`).
    awaited: Option<String>,
    /// A `ClientSession(...)` without a finite timeout.
    aiohttp_unbounded: bool,
    /// An `httpx.AsyncClient(timeout=None)`.
    httpx_unbounded: bool,
}

impl OriginFact {
    fn of(checker: &Checker, value: Option<&Expr>, index: Option<usize>) -> Self {
        let Some(value) = value else {
            return Self::default();
        };
        let mut fact = OriginFact {
            known: true,
            index,
            ..Self::default()
        };
        match value {
            Expr::Await(awaited) => {
                if let Expr::Call(call) = &*awaited.value {
                    let mut call = call;
                    if checker
                        .model
                        .call_path(call)
                        .is_some_and(|path| catalog::is_wait_for(&path))
                        && let Some(Expr::Call(inner)) =
                            call.arguments.find_argument_value("fut", 0)
                    {
                        call = inner;
                    }
                    fact.awaited = checker.model.call_path(call);
                }
            }
            Expr::Call(call) => {
                fact.aiohttp_unbounded =
                    index.is_none() && aiohttp_session_unbounded(checker, call);
                fact.httpx_unbounded = index.is_none() && httpx_client_unbounded(checker, call);
            }
            _ => {}
        }
        fact
    }
}

/// Whether the value `target` names is known to be built, at every assignment to it, the
/// way `built` accepts: a local of the current function, or `self.attr` assigned in any method
/// of the class. False when no assignment is known.
fn all_origins(checker: &Checker, target: &Expr, query: Query) -> bool {
    let Some(function) = checker.current_function() else {
        return false;
    };
    let (scope, name) = match target {
        Expr::Name(name) => (function.start().to_u32(), name.id.to_string()),
        Expr::Attribute(attribute) => {
            let Expr::Name(owner) = &*attribute.value else {
                return false;
            };
            let Some(class) = enclosing_class(checker.statement_ancestors(), function) else {
                return false;
            };
            if receiver_name(function) != Some(owner.id.as_str()) {
                return false;
            }
            (class.start().to_u32(), format!(".{}", attribute.attr))
        }
        _ => return false,
    };
    with_cache(checker, |cache| {
        if let Some(known) = cache.verdicts.get(&(scope, name.clone(), query)) {
            return *known;
        }
        let index = cache.origins.entry(scope).or_insert_with(|| match target {
            Expr::Name(_) => function_origins(checker, function),
            _ => enclosing_class(checker.statement_ancestors(), function)
                .map(|class| class_origins(checker, class))
                .unwrap_or_default(),
        });
        let verdict = index.get(&name).is_some_and(|facts| {
            !facts.is_empty() && facts.iter().all(|fact| fact.known && query.accepts(fact))
        });
        cache.verdicts.insert((scope, name, query), verdict);
        verdict
    })
}

/// Every local of `function` (parameters included, as unknown) → how each value was built.
fn function_origins(
    checker: &Checker,
    function: &ast::StmtFunctionDef,
) -> HashMap<String, Vec<OriginFact>> {
    let mut found: HashMap<String, Vec<OriginFact>> = HashMap::new();
    for parameter in function.parameters.iter() {
        found
            .entry(parameter.name().to_string())
            .or_default()
            .push(OriginFact::default());
    }
    collect_assignments(&function.body, &mut |target, value, index| {
        if let Expr::Name(name) = target {
            found
                .entry(name.id.to_string())
                .or_default()
                .push(OriginFact::of(checker, value, index));
        }
    });
    found
}

/// Every `self.attr` assigned in a method of `class` → how each value was built (keyed `.attr`).
fn class_origins(checker: &Checker, class: &ast::StmtClassDef) -> HashMap<String, Vec<OriginFact>> {
    let mut found: HashMap<String, Vec<OriginFact>> = HashMap::new();
    for stmt in &class.body {
        let Stmt::FunctionDef(method) = stmt else {
            continue;
        };
        let Some(self_name) = receiver_name(method) else {
            continue;
        };
        collect_assignments(&method.body, &mut |target, value, index| {
            if let Expr::Attribute(attribute) = target
                && matches!(&*attribute.value, Expr::Name(owner) if owner.id.as_str() == self_name)
            {
                found
                    .entry(format!(".{}", attribute.attr))
                    .or_default()
                    .push(OriginFact::of(checker, value, index));
            }
        });
    }
    found
}

/// Whether the current node is inside a `for` or `while` of its own function.
fn in_loop(checker: &Checker) -> bool {
    for stmt in checker.statement_ancestors().iter().rev() {
        match stmt {
            Stmt::FunctionDef(_) => return false,
            Stmt::For(_) | Stmt::While(_) => return true,
            _ => {}
        }
    }
    false
}

/// Stream reads and `recv()` on values this function (or class) unpacked from an awaited
/// `asyncio.open_connection(...)` / `websockets.connect(...)`.
fn followed_kind(checker: &Checker, call: &ast::ExprCall) -> Option<NetworkDefault> {
    let Expr::Attribute(attribute) = &*call.func else {
        return None;
    };
    let method = attribute.attr.as_str();
    let (query, kind) = if catalog::STREAM_READ_METHODS.contains(&method) {
        (Query::StreamReader, NetworkDefault::Streams)
    } else if method == "recv" {
        (Query::Websocket, NetworkDefault::WebsocketRecv)
    } else {
        return None;
    };
    let all_match = all_origins(checker, &attribute.value, query);
    all_match.then_some(kind)
}

fn aiohttp_unbounded(
    checker: &Checker,
    call: &ast::ExprCall,
    path: Option<&str>,
) -> Option<Unbounded> {
    if has_double_star(call) {
        return None;
    }
    if let Some(timeout) = call.arguments.find_keyword("timeout") {
        return aiohttp_timeout_is_unbounded(checker, &timeout.value).then(|| Unbounded {
            kind: NetworkDefault::Aiohttp,
            why: "its `timeout=` sets neither `total` nor `sock_read`".to_string(),
            help: Some("Pass `timeout=aiohttp.ClientTimeout(total=..., sock_read=...)`"),
        });
    }
    if path == Some("aiohttp.request") {
        return Some(Unbounded {
            kind: NetworkDefault::Aiohttp,
            why: "without `timeout=` aiohttp allows 300 s in total and no limit per read"
                .to_string(),
            help: Some("Pass `timeout=aiohttp.ClientTimeout(total=..., sock_read=...)`"),
        });
    }
    let Expr::Attribute(attribute) = &*call.func else {
        return None;
    };
    // Every place the session is built must leave the timeout unset.
    let unbounded = match &*attribute.value {
        // `aiohttp.ClientSession().get(...)`
        Expr::Call(constructor) => aiohttp_session_unbounded(checker, constructor),
        receiver => all_origins(checker, receiver, Query::AiohttpUnbounded),
    };
    if !unbounded {
        return None;
    }
    Some(Unbounded {
        kind: NetworkDefault::Aiohttp,
        why: "its `aiohttp.ClientSession` has no `timeout=` (the default is 300 s in total and no limit per read)"
            .to_string(),
        help: Some("Build the session with `timeout=aiohttp.ClientTimeout(total=..., sock_read=...)`, or pass `timeout=` to the request"),
    })
}

/// `aiohttp.ClientSession(...)` built without a finite timeout.
fn aiohttp_session_unbounded(checker: &Checker, constructor: &ast::ExprCall) -> bool {
    let Some(built) = checker.model.call_path(constructor) else {
        return false;
    };
    if !catalog::AIOHTTP_SESSIONS.contains(&built.as_str()) || has_double_star(constructor) {
        return false;
    }
    match constructor.arguments.find_keyword("timeout") {
        // `ClientSession(timeout=None)` falls back to the 300 s default.
        Some(timeout) => {
            timeout.value.is_none_literal_expr()
                || aiohttp_timeout_is_unbounded(checker, &timeout.value)
        }
        None => true,
    }
}

/// `httpx.AsyncClient(timeout=None)`.
fn httpx_client_unbounded(checker: &Checker, constructor: &ast::ExprCall) -> bool {
    let Some(built) = checker.model.call_path(constructor) else {
        return false;
    };
    catalog::HTTPX_ASYNC_CLIENTS.contains(&built.as_str())
        && !has_double_star(constructor)
        && constructor
            .arguments
            .find_keyword("timeout")
            .is_some_and(|timeout| httpx_timeout_is_unbounded(checker, &timeout.value))
}

/// `value` when it builds a catalogued timeout object (`aiohttp.ClientTimeout(...)`,
/// `httpx.Timeout(...)`) of the library `is_library` accepts, with no `**kwargs` hiding its
/// settings.
fn timeout_object<'e>(
    checker: &Checker,
    value: &'e Expr,
    is_library: impl Fn(&str) -> bool,
) -> Option<&'e ast::ExprCall> {
    let Expr::Call(call) = value else {
        return None;
    };
    let path = checker.model.call_path(call)?;
    (is_library(&path)
        && catalog::TIMEOUT_OBJECTS.contains(&path.as_str())
        && !has_double_star(call))
    .then_some(call)
}

/// `None`, or a `ClientTimeout(...)` that leaves both `total` and `sock_read` unset.
fn aiohttp_timeout_is_unbounded(checker: &Checker, value: &Expr) -> bool {
    if value.is_none_literal_expr() {
        return true;
    }
    let Some(call) = timeout_object(checker, value, |path| path.contains("ClientTimeout")) else {
        return false;
    };
    let finite = |name: &str, position: usize| {
        call.arguments
            .find_argument_value(name, position)
            .is_some_and(|value| !value.is_none_literal_expr())
    };
    !finite("total", 0) && !finite("sock_read", 2)
}

fn httpx_unbounded(checker: &Checker, call: &ast::ExprCall) -> Option<Unbounded> {
    if has_double_star(call) {
        return None;
    }
    let unbounded = || Unbounded {
        kind: NetworkDefault::Httpx,
        why: "`timeout=None` turns off httpx's 5 s default".to_string(),
        help: Some("Drop `timeout=None` (httpx's default is 5 s) or pass a finite `httpx.Timeout`"),
    };
    if let Some(timeout) = call.arguments.find_keyword("timeout") {
        return httpx_timeout_is_unbounded(checker, &timeout.value).then(unbounded);
    }
    let Expr::Attribute(attribute) = &*call.func else {
        return None;
    };
    if !all_origins(checker, &attribute.value, Query::HttpxUnbounded) {
        return None;
    }
    Some(Unbounded {
        kind: NetworkDefault::Httpx,
        why: "its client is built with `timeout=None`, which turns off httpx's 5 s default"
            .to_string(),
        help: Some("Drop `timeout=None` (httpx's default is 5 s) or pass a finite `httpx.Timeout`"),
    })
}

/// `None`, or `httpx.Timeout(...)` whose read timeout is `None`.
fn httpx_timeout_is_unbounded(checker: &Checker, value: &Expr) -> bool {
    if value.is_none_literal_expr() {
        return true;
    }
    let Some(call) = timeout_object(checker, value, |path| path.starts_with("httpx.")) else {
        return false;
    };
    let read = call
        .arguments
        .find_keyword("read")
        .map(|keyword| &keyword.value)
        .or_else(|| call.arguments.find_argument_value("timeout", 0));
    read.is_some_and(Expr::is_none_literal_expr)
}

fn has_double_star(call: &ast::ExprCall) -> bool {
    call.arguments
        .keywords
        .iter()
        .any(|keyword| keyword.arg.is_none())
}

/// Whether a deadline lexically encloses `range`: a timeout context manager around it (in
/// the same function), or a timeout decorator on the function.
fn deadline_encloses(checker: &Checker, range: TextRange) -> bool {
    for stmt in checker.statement_ancestors().iter().rev() {
        match stmt {
            Stmt::FunctionDef(function) => return has_timeout_decorator(function),
            Stmt::With(with) => {
                let bounded = with.items.iter().any(|item| {
                    item.context_expr.end() <= range.start() && is_deadline_item(checker, item)
                });
                if bounded {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// `@timeout(10)`, `@async_timeout(...)`: a decorator that bounds the whole function.
fn has_timeout_decorator(function: &ast::StmtFunctionDef) -> bool {
    function.decorator_list.iter().any(|decorator| {
        let callee = ruff_python_ast::helpers::map_callable(&decorator.expression);
        last_identifier(callee).is_some_and(|name| name.to_ascii_lowercase().contains("timeout"))
    })
}

/// `asyncio.timeout(5)`, `async_timeout.timeout(5)`, `anyio.fail_after(5)`, or a context manager
/// whose name says `timeout`/`deadline` (`ceil_timeout(...)`, `self._timeout`).
fn is_deadline_item(checker: &Checker, item: &ast::WithItem) -> bool {
    let expr = &item.context_expr;
    if let Expr::Call(call) = expr {
        if let Some(path) = checker.model.call_path(call)
            && catalog::is_timeout_scope(&path)
        {
            // `asyncio.timeout(None)` sets no deadline, unless it is rescheduled through its name.
            let none = call
                .arguments
                .find_positional(0)
                .or_else(|| {
                    call.arguments
                        .find_keyword("delay")
                        .map(|keyword| &keyword.value)
                })
                .is_some_and(Expr::is_none_literal_expr);
            return !none || item.optional_vars.is_some();
        }
        let Some(name) = last_identifier(&call.func) else {
            return false;
        };
        if name == "CancelScope" {
            return call.arguments.find_keyword("deadline").is_some();
        }
        return name_says_deadline(name);
    }
    last_identifier(expr).is_some_and(name_says_deadline)
}

fn name_says_deadline(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("timeout")
        || name.contains("deadline")
        || name == "fail_after"
        || name == "move_on_after"
}
