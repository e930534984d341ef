//! The syntax questions the shapes of LW601 ask of a statement or an expression: where its
//! first `await` is, what an assignment stores and binds, whether a body leaves.

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::{
    Walk, any_expr, any_in_body, find_in_expr, last_identifier, walk_statements_shallow,
};

/// A body that leaves: `return`, `return x`, `raise ...` (possibly after logging).
pub(super) fn exits(body: &[Stmt]) -> bool {
    matches!(body.last(), Some(Stmt::Return(_) | Stmt::Raise(_)))
        && body.iter().all(|stmt| {
            matches!(
                stmt,
                Stmt::Return(_) | Stmt::Raise(_) | Stmt::Expr(_) | Stmt::Pass(_)
            )
        })
        && !body.iter().any(|stmt| first_await_in_stmt(stmt).is_some())
}

/// The last names of the calls awaited in `expr`: `connect` of `await self._pool.connect()`.
pub(super) fn awaited_callees(expr: &Expr) -> Vec<String> {
    let mut found = Vec::new();
    any_expr(expr, &mut |inner: &Expr| {
        if let Expr::Await(awaited) = inner
            && let Expr::Call(call) = &*awaited.value
            && let Some(name) = last_identifier(&call.func)
        {
            found.push(name.to_string());
        }
        false
    });
    found
}

/// The values of the `return` statements of a body (not of nested scopes).
pub(super) fn returned_values(body: &[Stmt]) -> Vec<&Expr> {
    let mut found = Vec::new();
    walk_statements_shallow(body, &mut |stmt| {
        if let Stmt::Return(ret) = stmt {
            found.extend(ret.value.as_deref());
        }
        Walk::Descend
    });
    found
}

/// The value an assignment statement stores.
pub(super) fn assigned_value(stmt: &Stmt) -> Option<&Expr> {
    match stmt {
        Stmt::Assign(assign) => Some(&assign.value),
        Stmt::AnnAssign(assign) => assign.value.as_deref(),
        _ => None,
    }
}

/// The plain names an assignment binds.
pub(super) fn assigned_names(stmt: &Stmt) -> Vec<&str> {
    let names = crate::ast_query::target_names;
    let mut out = Vec::new();
    match stmt {
        Stmt::Assign(assign) => assign
            .targets
            .iter()
            .for_each(|target| names(target, &mut out)),
        Stmt::AnnAssign(assign) => names(&assign.target, &mut out),
        _ => {}
    }
    out
}

/// The targets an assignment stores to (tuple targets unpacked).
pub(super) fn assigned_targets(stmt: &Stmt) -> Vec<&Expr> {
    fn collect<'e>(target: &'e Expr, out: &mut Vec<&'e Expr>) {
        match target {
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|elt| collect(elt, out)),
            Expr::List(list) => list.elts.iter().for_each(|elt| collect(elt, out)),
            other => out.push(other),
        }
    }
    let mut out = Vec::new();
    match stmt {
        Stmt::Assign(assign) => assign
            .targets
            .iter()
            .for_each(|target| collect(target, &mut out)),
        Stmt::AnnAssign(assign) => collect(&assign.target, &mut out),
        _ => {}
    }
    out
}

/// Calls `visit` on `expr` and every expression inside it.
pub(super) fn collect_exprs<'a>(expr: &'a Expr, visit: &mut dyn FnMut(&'a Expr)) {
    let _: Option<()> = find_in_expr(expr, &mut |inner| {
        visit(inner);
        None
    });
}

/// The first `await` in `expr` to suspend: the leftmost, and within it the innermost
/// (`await f(await g())` suspends at `await g()` first).
pub(super) fn first_await(expr: &Expr) -> Option<TextRange> {
    let mut found = None;
    any_expr(expr, &mut |inner: &Expr| innermost_await(inner, &mut found));
    found
}

pub(super) fn first_await_in_stmt(stmt: &Stmt) -> Option<TextRange> {
    let mut found = None;
    any_in_body(std::slice::from_ref(stmt), &mut |inner| {
        innermost_await(inner, &mut found)
    });
    found
}

/// Visits expressions in source order (pre-order): keeps the first `await` and narrows it to
/// the first `await` inside it; stops at the first `await` after it.
fn innermost_await(expr: &Expr, found: &mut Option<TextRange>) -> bool {
    let Expr::Await(awaited) = expr else {
        return false;
    };
    match found {
        Some(outer) if !outer.contains_range(awaited.range()) => true,
        _ => {
            *found = Some(awaited.range());
            false
        }
    }
}
