//! When an operation with no deadline is still not reported where it stands: waiting for the
//! next message or connection is what it is for; or the code bounds it by a configured
//! timeout in another branch, and this one is taken when none is configured. (Whether its callers bound it is decided
//! across the project, in `callers.rs`.)

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::ast_query::{any_in_body, last_identifier};
use crate::catalog::{self, NetworkDefault};
use crate::checker::Checker;
use crate::checker::deadlines::in_pump_loop;
use crate::semantic::dotted_name;

use super::operations::Unbounded;

/// Context that makes an unbounded operation fine: a pump loop waiting for the next message
/// or connection.
pub(super) fn exempt_in_context(
    checker: &Checker,
    call: &ast::ExprCall,
    unbounded: &Unbounded,
) -> bool {
    (waits_for_next(call, unbounded) && in_pump_loop(checker))
        || in_branch_without_configured_timeout(checker, call)
}

/// The operation sits in the branch of an `if` on a configured timeout that the code takes
/// when none is set, the other branch bounding the operation by it: `if self.timeout: await
/// asyncio.wait_for(op(), self.timeout)` / `else: await op()`. That is `wait_for(op(),
/// self.timeout)` spelled out (which a variable timeout leaves alone): the caller chose no
/// deadline.
fn in_branch_without_configured_timeout(checker: &Checker, call: &ast::ExprCall) -> bool {
    let at = call.range();
    checker.statements_in_function().any(|stmt| {
        let Stmt::If(if_stmt) = stmt else {
            return false;
        };
        let branches: Vec<(Option<&Expr>, &[Stmt])> =
            std::iter::once((Some(&*if_stmt.test), &if_stmt.body[..]))
                .chain(
                    if_stmt
                        .elif_else_clauses
                        .iter()
                        .map(|clause| (clause.test.as_ref(), &clause.body[..])),
                )
                .collect();
        let holds = |body: &[Stmt]| body.iter().any(|stmt| stmt.range().contains_range(at));
        let Some(mine) = branches.iter().position(|(_, body)| holds(body)) else {
            return false;
        };
        // The timeout the `if` tests (`self.timeout`, `not timeout`, `timeout is None`).
        let Some(timeout) = branches
            .iter()
            .filter_map(|(test, _)| test.and_then(tested_name))
            .next()
        else {
            return false;
        };
        branches
            .iter()
            .enumerate()
            .filter(|&(index, _)| index != mine)
            .any(|(_, (_, body))| bounds_by(checker, body, &timeout))
    })
}

/// The dotted name an `if` test asks about: `t`, `not t`, `t is None`, `t is not None`,
/// `t > 0`.
fn tested_name(test: &Expr) -> Option<String> {
    match test {
        Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => tested_name(&unary.operand),
        Expr::Compare(compare) => dotted_name(&compare.left),
        other => dotted_name(other),
    }
}

/// Whether `body` bounds an operation by `timeout`: a call of `asyncio.wait_for`,
/// `asyncio.timeout` (or another `timeout`), or any call with a `timeout=` keyword, given it.
fn bounds_by(checker: &Checker, body: &[Stmt], timeout: &str) -> bool {
    let is_timeout = |expr: &Expr| dotted_name(expr).is_some_and(|name| name == timeout);
    any_in_body(body, &mut |expr| {
        let Expr::Call(call) = expr else {
            return false;
        };
        let deadline_call = checker
            .model
            .call_path(call)
            .is_some_and(|path| catalog::is_wait_for(&path))
            || last_identifier(&call.func)
                .is_some_and(|name| matches!(name, "wait_for" | "timeout" | "timeout_at"));
        (deadline_call && call.arguments.args.iter().any(is_timeout))
            || call.arguments.keywords.iter().any(|keyword| {
                keyword
                    .arg
                    .as_ref()
                    .is_some_and(|arg| arg.as_str().contains("timeout"))
                    && is_timeout(&keyword.value)
            })
    })
}

/// Whether the operation waits for the next message or connection (`recv()`, `read()`,
/// `sock_accept()` on a stream, socket or websocket).
pub(super) fn waits_for_next(call: &ast::ExprCall, unbounded: &Unbounded) -> bool {
    matches!(
        unbounded.kind,
        NetworkDefault::Streams | NetworkDefault::WebsocketRecv
    ) && last_identifier(&call.func)
        .is_some_and(|method| catalog::NETWORK_WAIT_FOR_NEXT.contains(&method))
}
