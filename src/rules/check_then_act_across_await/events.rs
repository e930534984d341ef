//! A region of code as the shapes of LW601 scan it: its statements flattened into events in
//! source order, nested scopes left out, each marked with whether a lock or a transaction
//! protects it.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use super::analysis::Analysis;
use super::syntax::{first_await, first_await_in_stmt};

/// The statements a region runs, flattened in source order (nested scopes left out), each
/// marked with whether it runs under a lock or in a transaction.
#[derive(Clone, Copy)]
pub(super) enum Event<'a> {
    /// A simple statement.
    Simple { stmt: &'a Stmt, protected: bool },
    /// A compound statement's header expression (an `if`/`while` test, a `for` iterable, a
    /// `with` item); `test` for the tests of `if`/`elif`, which can re-check a state.
    Header { expr: &'a Expr, test: bool },
    /// The implicit await of `async with` / `async for`.
    Enter { range: TextRange, protected: bool },
}

/// How many statements after a check are searched for its write.
const MAX_REGION_EVENTS: usize = 400;

/// Flattens `stmts` into events, in source order, skipping nested scopes.
pub(super) fn flatten<'a>(analysis: &Analysis<'_, 'a, '_>, stmts: &'a [Stmt]) -> Vec<Event<'a>> {
    fn walk<'a>(
        analysis: &Analysis<'_, 'a, '_>,
        stmts: &'a [Stmt],
        protected: bool,
        out: &mut Vec<Event<'a>>,
    ) {
        for stmt in stmts {
            // A check and the write it guards sit close together; looking further only costs
            // time (quadratic in a function's length).
            if out.len() >= MAX_REGION_EVENTS {
                return;
            }
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::With(with) => {
                    for item in &with.items {
                        out.push(Event::Header {
                            expr: &item.context_expr,
                            test: false,
                        });
                    }
                    let inner = protected || analysis.is_protecting(with);
                    if with.is_async {
                        out.push(Event::Enter {
                            range: with.items.first().map_or(with.range(), Ranged::range),
                            protected: inner,
                        });
                    }
                    walk(analysis, &with.body, inner, out);
                }
                Stmt::If(if_stmt) => {
                    out.push(Event::Header {
                        expr: &if_stmt.test,
                        test: true,
                    });
                    // `if done: return await pending`: the code after the `if` runs only when
                    // the body did not, so the body's awaits are not between what comes after.
                    let body_exits = if_stmt.elif_else_clauses.is_empty()
                        && matches!(if_stmt.body.last(), Some(Stmt::Return(_) | Stmt::Raise(_)));
                    if !body_exits {
                        walk(analysis, &if_stmt.body, protected, out);
                    }
                    for clause in &if_stmt.elif_else_clauses {
                        if let Some(test) = &clause.test {
                            out.push(Event::Header {
                                expr: test,
                                test: true,
                            });
                        }
                        walk(analysis, &clause.body, protected, out);
                    }
                }
                Stmt::For(for_stmt) => {
                    out.push(Event::Header {
                        expr: &for_stmt.iter,
                        test: false,
                    });
                    if for_stmt.is_async {
                        out.push(Event::Enter {
                            range: for_stmt.iter.range(),
                            protected,
                        });
                    }
                    walk(analysis, &for_stmt.body, protected, out);
                    walk(analysis, &for_stmt.orelse, protected, out);
                }
                Stmt::While(while_stmt) => {
                    out.push(Event::Header {
                        expr: &while_stmt.test,
                        test: false,
                    });
                    walk(analysis, &while_stmt.body, protected, out);
                    walk(analysis, &while_stmt.orelse, protected, out);
                }
                Stmt::Try(try_stmt) => {
                    walk(analysis, &try_stmt.body, protected, out);
                    for handler in &try_stmt.handlers {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        walk(analysis, &handler.body, protected, out);
                    }
                    walk(analysis, &try_stmt.orelse, protected, out);
                    walk(analysis, &try_stmt.finalbody, protected, out);
                }
                Stmt::Match(match_stmt) => {
                    out.push(Event::Header {
                        expr: &match_stmt.subject,
                        test: false,
                    });
                    for case in &match_stmt.cases {
                        walk(analysis, &case.body, protected, out);
                    }
                }
                _ => out.push(Event::Simple { stmt, protected }),
            }
        }
    }
    let mut out = Vec::new();
    walk(analysis, stmts, false, &mut out);
    out
}

/// Hands `visit` each simple statement of the region `stmts` starts, in source order, with
/// whether it is protected and the first await before it where other coroutines can run
/// (an unprotected `async with`/`async for` entry, an await in a header or an earlier
/// statement); `visit` returns `true` to stop.
pub(super) fn scan_after<'a>(
    analysis: &Analysis<'_, 'a, '_>,
    stmts: &'a [Stmt],
    mut visit: impl FnMut(&'a Stmt, bool, Option<TextRange>) -> bool,
) {
    let mut seen: Option<TextRange> = None;
    for event in flatten(analysis, stmts) {
        match event {
            Event::Simple { stmt, protected } => {
                if visit(stmt, protected, seen) {
                    return;
                }
                if let Some(found) = first_await_in_stmt(stmt) {
                    seen.get_or_insert(found);
                }
            }
            Event::Enter { range, protected } => {
                if !protected {
                    seen.get_or_insert(range);
                }
            }
            Event::Header { expr, .. } => {
                if let Some(found) = first_await(expr) {
                    seen.get_or_insert(found);
                }
            }
        }
    }
}
