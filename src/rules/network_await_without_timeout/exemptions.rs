//! When an operation with no deadline is still not reported where it stands: waiting for the
//! next message or connection is what it is for. (Whether its callers bound it is decided
//! across the project, in `callers.rs`.)

use ruff_python_ast::{self as ast, Stmt};

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
