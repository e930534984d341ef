//! Whether a call runs only on one particular thread, which its code names: it sits in the
//! branch of a test of the current thread's identity that holds on that thread
//! (`if threading.get_ident() == loop_thread.ident:`, `if threading.current_thread() is
//! self._thread:`, the `else` of `if threading.get_ident() != owner:`). Code written so
//! knows which thread it is on; a function handed to a worker thread does not reach such a
//! call on the worker's behalf (LW104).

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::Checker;
use crate::catalog;

/// Whether the call at `call` sits where a test of the current thread's identity holds.
pub fn on_checked_thread(checker: &Checker, call: TextRange) -> bool {
    // The tests inside the function the call is in: a `def` under such a test says nothing
    // of where it is called.
    let ancestors = checker.statement_ancestors();
    let own = ancestors
        .iter()
        .rposition(|stmt| matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)))
        .map_or(0, |at| at + 1);
    let ancestors = &ancestors[own..];
    if !ancestors.iter().any(|stmt| matches!(stmt, Stmt::If(_))) || !module_asks(checker) {
        return false;
    }
    ancestors.iter().any(|stmt| {
        let Stmt::If(if_stmt) = stmt else {
            return false;
        };
        let in_body = crate::ast_query::body_holds(&if_stmt.body, call);
        // `else:` of the first test only: a later `elif` adds tests of its own.
        let in_else = !in_body
            && matches!(if_stmt.elif_else_clauses.as_slice(), [clause] if clause.test.is_none()
                && clause.range().contains_range(call));
        (in_body && holds_on_one_thread(checker, &if_stmt.test, true))
            || (in_else && holds_on_one_thread(checker, &if_stmt.test, false))
    })
}

/// Whether `test` being `outcome` means the current thread is one particular thread:
/// `get_ident() == x` / `current_thread() is x` when true, `!=` / `is not` when false, and a
/// conjunction holding one such test when true.
fn holds_on_one_thread(checker: &Checker, test: &Expr, outcome: bool) -> bool {
    match test {
        Expr::BoolOp(bool_op) if outcome && bool_op.op == ast::BoolOp::And => bool_op
            .values
            .iter()
            .any(|value| holds_on_one_thread(checker, value, true)),
        Expr::UnaryOp(not) if not.op == ast::UnaryOp::Not => {
            holds_on_one_thread(checker, &not.operand, !outcome)
        }
        Expr::Compare(compare) => {
            let ([op], [right]) = (&*compare.ops, &*compare.comparators) else {
                return false;
            };
            let equal = match op {
                ast::CmpOp::Eq | ast::CmpOp::Is => true,
                ast::CmpOp::NotEq | ast::CmpOp::IsNot => false,
                _ => return false,
            };
            equal == outcome
                && (is_thread_identity(checker, &compare.left)
                    || is_thread_identity(checker, right))
        }
        _ => false,
    }
}

/// `threading.get_ident()`, `threading.current_thread()` and their kin.
fn is_thread_identity(checker: &Checker, expr: &Expr) -> bool {
    matches!(expr, Expr::Call(call) if checker
        .model
        .call_path(call)
        .is_some_and(|path| catalog::THREAD_IDENTITY_CALLS.contains(&path.as_str())))
}

/// Whether the module's text names any of the thread identity calls (most never do, and
/// the question comes at every call under an `if`): the module's one scan for the words
/// rules look for answers it (`Checker::source_words`).
fn module_asks(checker: &Checker) -> bool {
    checker.source_words().names_thread_identity()
}
