//! How LW501 words a finding: the operation as written, why it has no deadline, and the
//! remedy for the target Python version.

use ruff_python_ast as ast;
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::{Node, Walk, walk_body_shallow};
use crate::catalog::NetworkDefault;
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::message_text::shorten;
use crate::project::summary::{PendingDeadline, SessionParameter};
use crate::registry::Rule;

use super::datagram_sockets::socket_attribute;
use super::exemptions::waits_for_next;
use super::operations::{AIOHTTP_DEFAULT, SessionOrigin, Unbounded};

pub(super) fn report(
    checker: &mut Checker,
    operation: &ast::ExprCall,
    range: TextRange,
    unbounded: Unbounded,
    session_from: Option<SessionOrigin>,
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
    let deadline = unbounded.only.unwrap_or("no deadline");
    let diagnostic = Diagnostic::new(
        Rule::NetworkAwaitWithoutTimeout,
        format!("Network await `{shown}` has {deadline}: {}", unbounded.why),
        range,
    )
    .with_help(help);
    // Whether the callers bound it is known only once the project is linked: the finding
    // waits in the function's summary for their verdict (`callers::check`).
    if let Some(function) = checker.current_function()
        && !checker.model.scopes.innermost_is_lambda()
    {
        let private_plumbing = unbounded.kind == NetworkDefault::Streams
            && (is_private(function.name.as_str()) || module_is_private(checker));
        let socket_attribute = socket_attribute(checker, operation);
        let next_message = waits_for_next(operation, &unbounded) && suspends_once(&function.body);
        let forwards_its_name = next_message
            && crate::ast_query::last_identifier(&operation.func) == Some(function.name.as_str());
        let session_from = match session_from {
            Some(origin) => {
                let (owner, parameter) = match origin {
                    SessionOrigin::Parameter(depth, parameter) => {
                        (checker.summary.enclosing_index(depth), parameter)
                    }
                    SessionOrigin::Constructor(init, parameter) => {
                        (checker.summary.index_of(&init), parameter)
                    }
                };
                // A session handed in is judged by what the callers hand: no owner, no finding.
                let Some(owner) = owner else {
                    return;
                };
                Some(SessionParameter {
                    owner,
                    parameter,
                    operation: shown.into(),
                })
            }
            None => None,
        };
        checker
            .summary
            .current()
            .pending_deadline
            .push(PendingDeadline {
                diagnostic,
                private_plumbing,
                socket_attribute,
                session_from,
                next_message,
                forwards_its_name,
            });
        return;
    }
    checker.report(diagnostic);
}

/// Whether `body` suspends at one place only: one `await`, and no `async for` or `async
/// with`.
fn suspends_once(body: &[ast::Stmt]) -> bool {
    // What an `except` handler awaits after the read failed (closing the connection it
    // wraps) is no second wait for a message.
    let mut handlers: Vec<TextRange> = Vec::new();
    crate::ast_query::walk_statements_shallow(body, &mut |stmt| {
        if let ast::Stmt::Try(try_stmt) = stmt {
            handlers.extend(try_stmt.handlers.iter().map(Ranged::range));
        }
        Walk::Descend
    });
    let in_handler =
        |range: TextRange| handlers.iter().any(|handler| handler.contains_range(range));
    let mut suspensions = 0;
    walk_body_shallow(body, &mut |node| {
        match node {
            Node::Expr(expr @ ast::Expr::Await(_)) if !in_handler(expr.range()) => {
                suspensions += 1;
            }
            Node::Stmt(stmt @ ast::Stmt::For(ast::StmtFor { is_async: true, .. }))
            | Node::Stmt(stmt @ ast::Stmt::With(ast::StmtWith { is_async: true, .. }))
                if !in_handler(stmt.range()) =>
            {
                suspensions += 1;
            }
            _ => {}
        }
        if suspensions > 1 {
            Walk::Stop
        } else {
            Walk::Descend
        }
    });
    suspensions == 1
}

/// The message of a request on a session the function was handed, once the link knows a
/// caller (`caller`) hands it one built without a finite read timeout (`unlimited`: with a
/// `ClientTimeout` that sets no limit, rather than with aiohttp's default).
pub(super) fn handed_session_message(
    operation: &str,
    parameter: &str,
    caller: &str,
    unlimited: bool,
) -> String {
    let (deadline, built) = if unlimited {
        (
            "no deadline",
            "with a `ClientTimeout` that sets neither `total` nor `sock_read`",
        )
    } else {
        (AIOHTTP_DEFAULT, "without `timeout=`")
    };
    format!(
        "Network await `{operation}` has {deadline}: its session, handed in as `{parameter}` by `{caller}`, is an `aiohttp.ClientSession` built {built}"
    )
}

fn is_private(name: &str) -> bool {
    name.starts_with('_') && !(name.starts_with("__") && name.ends_with("__"))
}

fn module_is_private(checker: &Checker) -> bool {
    checker.model.module.module_name.split('.').any(is_private)
}
