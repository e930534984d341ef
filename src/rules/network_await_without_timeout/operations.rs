//! The network operations LW501 recognises, and why each one has no deadline of its own:
//! the catalogued calls with no default timeout, reads on values built by one of them, and
//! aiohttp and httpx requests whose timeout, or whose client's, is unset or `None`.

use ruff_python_ast::{self as ast, Expr};

use crate::catalog::{self, NetworkDefault};
use crate::checker::Checker;

use super::client_timeouts::{
    SessionDeadline, aiohttp_session_unbounded, aiohttp_timeout_is_unbounded, has_double_star,
    httpx_timeout_is_unbounded,
};
use super::origins::{Query, all_origins, init_parameter_origin};
use crate::checker::parameter_guards::parameter_origin;
use crate::project::summary::ParameterRef;

/// Why an operation is unbounded, for the message.
pub(super) struct Unbounded {
    pub(super) kind: NetworkDefault,
    /// The deadline it does have, as the message says it: `None` for none at all.
    pub(super) only: Option<&'static str>,
    pub(super) why: String,
    pub(super) help: Option<&'static str>,
}

/// Whether `call` is a network operation with no finite timeout of its own or of its client.
pub(super) fn unbounded(checker: &Checker, call: &ast::ExprCall) -> Option<Unbounded> {
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
            only: None,
            why: "asyncio streams and event-loop socket calls have no default timeout".to_string(),
            help: None,
        }),
        NetworkDefault::WebsocketRecv => Some(Unbounded {
            kind,
            only: None,
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
                    only: None,
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
        let why = if timeout.value.is_none_literal_expr() {
            "`timeout=None` turns off aiohttp's limits for the request"
        } else {
            "its `timeout=` sets neither `total` nor `sock_read`"
        };
        return aiohttp_timeout_is_unbounded(checker, &timeout.value).then(|| Unbounded {
            kind: NetworkDefault::Aiohttp,
            only: None,
            why: why.to_string(),
            help: Some("Pass `timeout=aiohttp.ClientTimeout(total=..., sock_read=...)`"),
        });
    }
    if path == Some("aiohttp.request") {
        return Some(Unbounded {
            kind: NetworkDefault::Aiohttp,
            only: Some(AIOHTTP_DEFAULT),
            why: "`aiohttp.request(...)` is made without `timeout=`".to_string(),
            help: Some("Pass `timeout=aiohttp.ClientTimeout(total=..., sock_read=...)`"),
        });
    }
    let Expr::Attribute(attribute) = &*call.func else {
        return None;
    };
    // Every place the session is built must leave the timeout unset.
    let (unbounded, unlimited) = match &*attribute.value {
        // `aiohttp.ClientSession().get(...)`
        Expr::Call(constructor) => {
            let deadline = aiohttp_session_unbounded(checker, constructor);
            (
                deadline.is_some(),
                deadline == Some(SessionDeadline::Unlimited),
            )
        }
        receiver => (
            all_origins(checker, receiver, Query::AiohttpUnbounded),
            all_origins(checker, receiver, Query::AiohttpUnlimited),
        ),
    };
    if !unbounded {
        return None;
    }
    let help = Some(
        "Build the session with `timeout=aiohttp.ClientTimeout(total=..., sock_read=...)`, or pass `timeout=` to the request",
    );
    if unlimited {
        return Some(Unbounded {
            kind: NetworkDefault::Aiohttp,
            only: None,
            why: "its `aiohttp.ClientSession` is built with a `ClientTimeout` that sets neither `total` nor `sock_read`".to_string(),
            help,
        });
    }
    Some(Unbounded {
        kind: NetworkDefault::Aiohttp,
        only: Some(AIOHTTP_DEFAULT),
        why: "its `aiohttp.ClientSession` is built without `timeout=`".to_string(),
        help,
    })
}

/// A request on a session the function was handed rather than built
/// (`async def fetch(session, url): ... session.get(url)`), the parameter untyped or annotated
/// `aiohttp.ClientSession`, the request with no `timeout=` of its own: whether it has a
/// deadline depends on the session the callers pass, which only the link knows. Returns the
/// finding as it reads for a default session, and where the session was handed in.
/// Where a session a request is made on was handed in.
pub(super) enum SessionOrigin {
    /// A parameter of the function (depth 0) or of a function enclosing it (how many out).
    Parameter(usize, ParameterRef),
    /// A parameter of the class's `__init__` (its path) that `self.attr` is set from.
    Constructor(String, ParameterRef),
}

pub(super) fn handed_session_request(
    checker: &Checker,
    call: &ast::ExprCall,
) -> Option<(Unbounded, SessionOrigin)> {
    let Expr::Attribute(attribute) = &*call.func else {
        return None;
    };
    let method = attribute.attr.as_str();
    let is_request = |session: &str| {
        catalog::network_default(&format!("{session}.{method}")) == Some(NetworkDefault::Aiohttp)
    };
    match checker.model.call_path(call) {
        // Untyped: a call that reads like a session request; the callers decide what it is.
        None => {
            if !is_request(catalog::AIOHTTP_SESSIONS[0]) {
                return None;
            }
        }
        Some(path) => {
            let session = path
                .strip_suffix(method)
                .and_then(|owner| owner.strip_suffix('.'));
            let typed = session.is_some_and(|session| {
                catalog::AIOHTTP_SESSIONS.contains(&session) && is_request(session)
            });
            // `self._session.get(...)` on an attribute the module gives no type: the path
            // goes through the class's attribute.
            let untyped_attribute = matches!(&*attribute.value, Expr::Attribute(_))
                && is_request(catalog::AIOHTTP_SESSIONS[0])
                && session
                    .and_then(|session| session.rsplit_once('.'))
                    .is_some_and(|(class, _)| checker.model.module.is_class(class));
            if !typed && !untyped_attribute {
                return None;
            }
        }
    }
    if has_double_star(call) || call.arguments.find_keyword("timeout").is_some() {
        return None;
    }
    let origin = match parameter_origin(checker, &attribute.value) {
        Some((depth, parameter)) => SessionOrigin::Parameter(depth, parameter),
        None => {
            let (init, parameter) = init_parameter_origin(checker, &attribute.value)?;
            SessionOrigin::Constructor(init, parameter)
        }
    };
    let unbounded = Unbounded {
        kind: NetworkDefault::Aiohttp,
        only: Some(AIOHTTP_DEFAULT),
        why: "its `aiohttp.ClientSession` is built without `timeout=`".to_string(),
        help: Some(
            "Build the session with `timeout=aiohttp.ClientTimeout(total=..., sock_read=...)`, or pass `timeout=` to the request",
        ),
    };
    Some((unbounded, origin))
}

/// What a default `aiohttp.ClientSession` bounds, as the message says it.
pub(super) const AIOHTTP_DEFAULT: &str = "only aiohttp's default 300 s total, no per-read limit";

fn httpx_unbounded(checker: &Checker, call: &ast::ExprCall) -> Option<Unbounded> {
    if has_double_star(call) {
        return None;
    }
    let unbounded = || Unbounded {
        kind: NetworkDefault::Httpx,
        only: None,
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
        only: None,
        why: "its client is built with `timeout=None`, which turns off httpx's 5 s default"
            .to_string(),
        help: Some("Drop `timeout=None` (httpx's default is 5 s) or pass a finite `httpx.Timeout`"),
    })
}
