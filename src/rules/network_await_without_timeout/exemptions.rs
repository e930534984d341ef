//! When an operation with no deadline is still not reported where it stands: waiting for the
//! next message or connection is what it is for. (Whether its callers bound it is decided
//! across the project, in `callers.rs`.)

use ruff_python_ast::{self as ast, CmpOp, Expr, Stmt};

use crate::ast_query::last_identifier;
use crate::catalog::{self, NetworkDefault};
use crate::checker::Checker;

use super::operations::Unbounded;

/// Context that makes an unbounded operation fine: a pump loop waiting for the next message
/// or connection.
pub(super) fn exempt_in_context(
    checker: &Checker,
    call: &ast::ExprCall,
    unbounded: &Unbounded,
) -> bool {
    let waits_for_next = matches!(
        unbounded.kind,
        NetworkDefault::Streams | NetworkDefault::WebsocketRecv
    ) && last_identifier(&call.func)
        .is_some_and(|method| catalog::NETWORK_WAIT_FOR_NEXT.contains(&method));
    waits_for_next && in_loop(checker)
}

/// Whether the current node is inside a `for` or `while` of its own function that waits
/// for what comes next: not a `while len(buffer) < length:`, which reads the rest of one
/// reply of a known size (a server that stops sending mid-reply hangs it as surely as one
/// unbounded read).
fn in_loop(checker: &Checker) -> bool {
    for stmt in checker.statement_ancestors().iter().rev() {
        match stmt {
            Stmt::FunctionDef(_) => return false,
            Stmt::While(while_stmt) if fills_to_length(checker, &while_stmt.test) => {}
            Stmt::For(_) | Stmt::While(_) => return true,
            _ => {}
        }
    }
    false
}

/// `len(x) < n`, `len(x) <= n`, `len(x) != n`, or the same with the sides swapped: a loop
/// that runs until a buffer holds a known number of items.
fn fills_to_length(checker: &Checker, test: &Expr) -> bool {
    let Expr::Compare(compare) = test else {
        return false;
    };
    let ([op], [right]) = (&*compare.ops, &*compare.comparators) else {
        return false;
    };
    let is_len = |expr: &Expr| {
        matches!(expr, Expr::Call(call) if checker
            .model
            .call_path(call)
            .is_some_and(|path| path == "builtins.len"))
    };
    match op {
        CmpOp::Lt | CmpOp::LtE => is_len(&compare.left),
        CmpOp::Gt | CmpOp::GtE => is_len(right),
        CmpOp::NotEq => is_len(&compare.left) || is_len(right),
        _ => false,
    }
}
