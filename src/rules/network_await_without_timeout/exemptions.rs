//! When an operation with no deadline is still not reported where it stands: waiting for the
//! next message or connection is what it is for. (Whether its callers bound it is decided
//! across the project, in `callers.rs`.)

use ruff_python_ast as ast;

use crate::ast_query::last_identifier;
use crate::catalog::{self, NetworkDefault};
use crate::checker::Checker;
use crate::checker::deadlines::in_pump_loop;

use super::operations::Unbounded;

/// Context that makes an unbounded operation fine: a pump loop waiting for the next message
/// or connection.
pub(super) fn exempt_in_context(
    checker: &Checker,
    call: &ast::ExprCall,
    unbounded: &Unbounded,
) -> bool {
    waits_for_next(call, unbounded) && in_pump_loop(checker)
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
