//! What bounds an operation where it stands: a timeout context manager around it in its
//! function, or a timeout decorator on that function.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::last_identifier;
use crate::catalog;
use crate::checker::Checker;

/// Whether a deadline lexically encloses `range`: a timeout context manager around it (in
/// the same function), or a timeout decorator on the function.
pub(super) fn deadline_encloses(checker: &Checker, range: TextRange) -> bool {
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
pub(super) fn has_timeout_decorator(function: &ast::StmtFunctionDef) -> bool {
    function.decorator_list.iter().any(|decorator| {
        let callee = ruff_python_ast::helpers::map_callable(&decorator.expression);
        last_identifier(callee).is_some_and(|name| name.to_ascii_lowercase().contains("timeout"))
    })
}

/// `asyncio.timeout(5)`, `async_timeout.timeout(5)`, `anyio.fail_after(5)`, or a context manager
/// whose name says `timeout`/`deadline` (`ceil_timeout(...)`, `self._timeout`).
pub(super) fn is_deadline_item(checker: &Checker, item: &ast::WithItem) -> bool {
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
