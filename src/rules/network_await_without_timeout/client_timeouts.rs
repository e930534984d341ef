//! The timeouts aiohttp and httpx clients are built with: whether a session, a client or a
//! timeout object leaves the deadline LW501 looks for unset.

use ruff_python_ast::{self as ast, Expr};

use crate::catalog;
use crate::checker::Checker;

/// How an `aiohttp.ClientSession(...)` bounds its requests, when it leaves reads unbounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SessionDeadline {
    /// No `timeout=` (or `timeout=None`, which falls back to it): aiohttp's default, 300 s
    /// in total and no limit per read.
    Default,
    /// A `ClientTimeout` that sets neither `total` nor `sock_read`: no deadline at all.
    Unlimited,
}

/// `aiohttp.ClientSession(...)` built without a finite timeout for its reads: how it is
/// bounded then, or `None` when it has a finite one (or it cannot be told).
pub(super) fn aiohttp_session_unbounded(
    checker: &Checker,
    constructor: &ast::ExprCall,
) -> Option<SessionDeadline> {
    let built = checker.model.call_path(constructor)?;
    if !catalog::AIOHTTP_SESSIONS.contains(&built.as_str()) || has_double_star(constructor) {
        return None;
    }
    match constructor.arguments.find_keyword("timeout") {
        // `ClientSession(timeout=None)` falls back to the 300 s default.
        Some(timeout) if timeout.value.is_none_literal_expr() => Some(SessionDeadline::Default),
        Some(timeout) => aiohttp_timeout_is_unbounded(checker, &timeout.value)
            .then_some(SessionDeadline::Unlimited),
        None => Some(SessionDeadline::Default),
    }
}

/// `httpx.AsyncClient(timeout=None)`.
pub(super) fn httpx_client_unbounded(checker: &Checker, constructor: &ast::ExprCall) -> bool {
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
pub(super) fn aiohttp_timeout_is_unbounded(checker: &Checker, value: &Expr) -> bool {
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

/// `None`, or `httpx.Timeout(...)` whose read timeout is `None`.
pub(super) fn httpx_timeout_is_unbounded(checker: &Checker, value: &Expr) -> bool {
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

pub(super) fn has_double_star(call: &ast::ExprCall) -> bool {
    call.arguments
        .keywords
        .iter()
        .any(|keyword| keyword.arg.is_none())
}
