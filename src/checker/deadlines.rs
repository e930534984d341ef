//! What bounds an awaited operation where it stands: a timeout context manager around it in
//! its function, a timeout decorator on that function, or `asyncio.wait_for(op, t)`. LW501
//! asks it of the operations it reports, and the summary records it for every call in async
//! context (so the whole-project step knows which callers run a function under a deadline).

use ruff_python_ast::{self as ast, CmpOp, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::Checker;
use crate::ast_query::last_identifier;
use crate::catalog;
use crate::project::summary::CallDeadline;

/// Whether a deadline bounds the call being walked: `wait_for(call, t)` with `t` not `None`
/// or a deadline around it (`Bounded`), a task spawned from it (`create_task(call)`, which
/// does not inherit the deadline of the code that spawns it: `Detached`), or neither.
pub fn call_deadline(checker: &Checker, call: &ast::ExprCall) -> CallDeadline {
    let ancestors = checker.expression_ancestors();
    // Innermost first, the call itself left out.
    for expr in ancestors.iter().rev().skip(1) {
        let Expr::Call(outer) = expr else { continue };
        if last_identifier(&outer.func).is_some_and(|callee| catalog::SPAWNS_TASK.contains(&callee))
        {
            return CallDeadline::Detached;
        }
        // Resolving a path costs more than reading a name: an attribute is resolved only
        // when it is spelled `.wait_for` (a bare name may be an alias: `from asyncio import
        // wait_for as bounded`).
        let may_be_wait_for = match &*outer.func {
            Expr::Attribute(attribute) => attribute.attr.as_str() == "wait_for",
            _ => true,
        };
        let is_wait_for = may_be_wait_for
            && checker
                .model
                .call_path(outer)
                .is_some_and(|path| catalog::is_wait_for(&path));
        if is_wait_for
            && outer
                .arguments
                .find_argument_value("timeout", 1)
                .is_some_and(|timeout| !timeout.is_none_literal_expr())
        {
            return CallDeadline::Bounded;
        }
    }
    if deadline_encloses(checker, call.range()) {
        CallDeadline::Bounded
    } else if matches!(ancestors.iter().rev().nth(1), Some(Expr::Await(_))) && in_pump_loop(checker)
    {
        CallDeadline::Pumped
    } else {
        CallDeadline::Unbounded
    }
}

/// Whether a deadline lexically encloses `range`: a timeout context manager around it (in
/// the same function), or a timeout decorator on the function.
pub fn deadline_encloses(checker: &Checker, range: TextRange) -> bool {
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
pub fn has_timeout_decorator(function: &ast::StmtFunctionDef) -> bool {
    function.decorator_list.iter().any(|decorator| {
        let callee = ruff_python_ast::helpers::map_callable(&decorator.expression);
        last_identifier(callee).is_some_and(|name| name.to_ascii_lowercase().contains("timeout"))
    })
}

/// `asyncio.timeout(5)`, `async_timeout.timeout(5)`, `anyio.fail_after(5)`, or a context manager
/// whose name says `timeout`/`deadline` (`ceil_timeout(...)`, `self._timeout`).
pub fn is_deadline_item(checker: &Checker, item: &ast::WithItem) -> bool {
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

/// Whether the current node is inside a `for` or `while` of its own function that waits
/// for what comes next: not a `while len(buffer) < length:`, which reads the rest of one
/// reply of a known size (a server that stops sending mid-reply hangs it as surely as one
/// unbounded read).
pub fn in_pump_loop(checker: &Checker) -> bool {
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
