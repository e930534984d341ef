//! Whether a loop-driving call (`asyncio.run`, `loop.run_until_complete`) is guarded so that
//! it only runs when no loop is running, or can be seen never to run (RULES.md LW202).
//!
//! Guards, read on the way down from the function's body to the call:
//! - the `except RuntimeError` (or `Exception`, or bare) handler of a `try` whose body asks
//!   for the running loop (`get_running_loop()` / `get_event_loop()`): it runs when there is
//!   none;
//! - the branch where `X.is_running()` is false: `if not X.is_running():`, the `else` (or a
//!   later `elif`) of `if X.is_running():`, and everything after an
//!   `if X.is_running(): ... return` in the same block;
//! - code that never runs: `if False:`, `while False:`, `for _ in range(0):`.

use ruff_python_ast::{self as ast, Expr, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange};

use rustc_hash::FxHashMap;

use crate::catalog::never_returns;
use crate::project::summary::RunningProbe;
use crate::semantic::SemanticModel;
use crate::source::MAX_NESTING;

/// Whether the call at `call` (a range inside `body`) is guarded as above. `early_returns`
/// is the module's memo of them (the checker's rule state).
pub fn is_guarded(body: &[Stmt], call: TextRange, early_returns: &mut EarlyReturns) -> bool {
    let mut block = body;
    for _ in 0..MAX_NESTING {
        // Found by halving, not by a scan: a module's code is one block, asked about at every
        // module-level call (a scan made files of many top-level statements quadratic).
        let Some((position, stmt)) = crate::ast_query::statement_holding(block, call) else {
            return false;
        };
        let first_return = early_returns.first_in(block);
        if first_return.is_some_and(|first| first < position) {
            return true;
        }
        match guard_or_inner_block(stmt, call) {
            Inner::Guarded => return true,
            Inner::Block(inner) => block = inner,
            Inner::None => return false,
        }
    }
    false
}

/// Per block of the module, the first statement that returns when a loop runs
/// ([`returns_when_loop_runs`]): looked for once per block, not once per call in it.
#[derive(Default)]
pub struct EarlyReturns(FxHashMap<(usize, usize), Option<usize>>);

impl EarlyReturns {
    fn first_in(&mut self, block: &[Stmt]) -> Option<usize> {
        *self
            .0
            .entry(crate::ast_query::block_key(block))
            .or_insert_with(|| block.iter().position(returns_when_loop_runs))
    }
}

enum Inner<'a> {
    Guarded,
    Block(&'a [Stmt]),
    None,
}

/// The block of `stmt` that holds `call`, or whether getting there is a guard.
fn guard_or_inner_block(stmt: &Stmt, call: TextRange) -> Inner<'_> {
    let holding = |body: &[Stmt]| {
        body.first().is_some_and(|first| {
            TextRange::new(first.start(), body.last().map_or(first.end(), Ranged::end))
                .contains_range(call)
        })
    };
    match stmt {
        Stmt::If(if_stmt) => {
            if holding(&if_stmt.body) {
                if is_false(&if_stmt.test) || is_not_running(&if_stmt.test) {
                    return Inner::Guarded;
                }
                return Inner::Block(&if_stmt.body);
            }
            let mut tests = vec![&*if_stmt.test];
            for clause in &if_stmt.elif_else_clauses {
                if holding(&clause.body) {
                    let after_running_test = tests.iter().any(|test| is_running(test));
                    let own_test_says_none = clause
                        .test
                        .as_ref()
                        .is_some_and(|test| is_not_running(test) || is_false(test));
                    if after_running_test || own_test_says_none {
                        return Inner::Guarded;
                    }
                    return Inner::Block(&clause.body);
                }
                tests.extend(clause.test.as_ref());
            }
            Inner::None
        }
        Stmt::Try(try_stmt) => {
            for handler in &try_stmt.handlers {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                if holding(&handler.body) {
                    if catches_runtime_error(handler.type_.as_deref())
                        && try_stmt.body.iter().any(asks_for_running_loop)
                    {
                        return Inner::Guarded;
                    }
                    return Inner::Block(&handler.body);
                }
            }
            block_of(
                holding,
                &[
                    &try_stmt.body[..],
                    &try_stmt.orelse[..],
                    &try_stmt.finalbody[..],
                ],
            )
        }
        Stmt::For(for_stmt) => {
            if holding(&for_stmt.body) {
                if is_empty_range(&for_stmt.iter) {
                    return Inner::Guarded;
                }
                return Inner::Block(&for_stmt.body);
            }
            block_of(holding, &[&for_stmt.orelse[..]])
        }
        Stmt::While(while_stmt) => {
            if holding(&while_stmt.body) {
                if is_false(&while_stmt.test) {
                    return Inner::Guarded;
                }
                return Inner::Block(&while_stmt.body);
            }
            block_of(holding, &[&while_stmt.orelse[..]])
        }
        Stmt::With(with) => block_of(holding, &[&with.body[..]]),
        Stmt::Match(match_stmt) => {
            let bodies: Vec<&[Stmt]> = match_stmt.cases.iter().map(|case| &case.body[..]).collect();
            block_of(holding, &bodies)
        }
        _ => Inner::None,
    }
}

fn block_of<'a>(holding: impl Fn(&[Stmt]) -> bool, bodies: &[&'a [Stmt]]) -> Inner<'a> {
    bodies
        .iter()
        .find(|body| holding(body))
        .map_or(Inner::None, |body| Inner::Block(body))
}

/// `if X.is_running(): ... return` (or `raise`): what follows it runs only when no loop does.
fn returns_when_loop_runs(stmt: &Stmt) -> bool {
    let Stmt::If(if_stmt) = stmt else {
        return false;
    };
    is_running(&if_stmt.test)
        && if_stmt.elif_else_clauses.is_empty()
        && matches!(if_stmt.body.last(), Some(Stmt::Return(_) | Stmt::Raise(_)))
}

/// `X.is_running()`.
fn is_running(test: &Expr) -> bool {
    matches!(test, Expr::Call(call)
        if call.arguments.is_empty()
            && matches!(&*call.func, Expr::Attribute(attribute) if attribute.attr.as_str() == "is_running"))
}

/// `not X.is_running()`.
fn is_not_running(test: &Expr) -> bool {
    matches!(test, Expr::UnaryOp(unary) if unary.op == UnaryOp::Not && is_running(&unary.operand))
}

/// `False` or `0`.
fn is_false(test: &Expr) -> bool {
    match test {
        Expr::BooleanLiteral(literal) => !literal.value,
        Expr::NumberLiteral(number) => {
            matches!(&number.value, ast::Number::Int(value) if *value == ast::Int::ZERO)
        }
        _ => false,
    }
}

/// `range(0)`.
fn is_empty_range(iter: &Expr) -> bool {
    matches!(iter, Expr::Call(call)
        if matches!(&*call.func, Expr::Name(name) if name.id.as_str() == "range")
            && call.arguments.keywords.is_empty()
            && matches!(call.arguments.args.as_ref(), [only] if is_false(only)))
}

/// Whether `range` sits in the body of a `try` (among `statements`, the statements enclosing
/// it) one of whose handlers catches `RuntimeError` and carries on (not one that only
/// re-raises or ends the program), or of a `with contextlib.suppress(...)` that does.
pub fn in_try_catching_runtime_error(
    model: &SemanticModel,
    statements: &[&Stmt],
    range: TextRange,
) -> bool {
    statements.iter().any(|stmt| match stmt {
        Stmt::Try(try_stmt) => {
            crate::ast_query::body_holds(&try_stmt.body, range)
                && try_stmt.handlers.iter().any(|handler| {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    catches_runtime_error(handler.type_.as_deref())
                        && !gives_up(model, &handler.body)
                })
        }
        // `with contextlib.suppress(RuntimeError):` is the same `try` spelled shorter.
        Stmt::With(with) => {
            !with.is_async
                && crate::ast_query::body_holds(&with.body, range)
                && with
                    .items
                    .iter()
                    .any(|item| suppresses_runtime_error(&item.context_expr))
        }
        _ => false,
    })
}

/// A handler body that ends by raising or by ending the program (`sys.exit(1)`, `exit()`,
/// `os._exit(1)`: [`never_returns`]): the error it catches is not recovered from,
/// only reported.
fn gives_up(model: &SemanticModel, body: &[Stmt]) -> bool {
    match body.last() {
        Some(Stmt::Raise(_)) => true,
        Some(Stmt::Expr(expr)) => matches!(&*expr.value, Expr::Call(call)
            if model
                .call_path(call)
                .is_some_and(|path| never_returns(&path))),
        _ => false,
    }
}

/// `contextlib.suppress(...)` (however imported) with an exception type that catches
/// `RuntimeError` among its arguments.
fn suppresses_runtime_error(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    crate::ast_query::last_identifier(&call.func) == Some("suppress")
        && call.arguments.keywords.is_empty()
        && call
            .arguments
            .args
            .iter()
            .any(|argument| catches_runtime_error(Some(argument)))
}

/// A handler type that catches `RuntimeError`: it, `Exception`, `BaseException`, a tuple
/// with one of them, or a bare `except:`.
pub(crate) fn catches_runtime_error(type_: Option<&Expr>) -> bool {
    let Some(type_) = type_ else {
        return true;
    };
    let catches = |expr: &Expr| {
        let name = match expr {
            Expr::Name(name) => name.id.as_str(),
            Expr::Attribute(attribute) => attribute.attr.as_str(),
            _ => return false,
        };
        matches!(name, "RuntimeError" | "Exception" | "BaseException")
    };
    match type_ {
        Expr::Tuple(tuple) => tuple.elts.iter().any(catches),
        other => catches(other),
    }
}

/// A statement that asks for the running loop: calls `get_running_loop()` or
/// `get_event_loop()` (however imported), at any depth of its expressions.
fn asks_for_running_loop(stmt: &Stmt) -> bool {
    use ruff_python_ast::visitor::{self, Visitor};

    struct Finder {
        found: bool,
        nesting: usize,
    }
    impl<'a> Visitor<'a> for Finder {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found || self.nesting >= MAX_NESTING {
                return;
            }
            self.nesting += 1;
            visitor::walk_stmt(self, stmt);
            self.nesting -= 1;
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.found || self.nesting >= MAX_NESTING {
                return;
            }
            if let Expr::Call(call) = expr {
                let callee = match &*call.func {
                    Expr::Name(name) => Some(name.id.as_str()),
                    Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
                    _ => None,
                };
                if matches!(callee, Some("get_running_loop" | "get_event_loop")) {
                    self.found = true;
                    return;
                }
            }
            self.nesting += 1;
            visitor::walk_expr(self, expr);
            self.nesting -= 1;
        }
    }
    let mut finder = Finder {
        found: false,
        nesting: 0,
    };
    finder.visit_stmt(stmt);
    finder.found
}

/// Whether `function` is a loop probe that returns `None` only when no loop is running:
/// it asks for the loop in a `try` whose `except RuntimeError` returns `None`, and every
/// other `return` gives a value that is not `None`, or `None` only for a closed loop
/// (`None if loop.is_closed() else loop`: a running loop is never closed). Its callers'
/// `if loop is None:` is then a guard like the `except RuntimeError` itself.
pub fn none_means_no_loop(function: &ast::StmtFunctionDef) -> bool {
    // A function that falls off its end returns `None` there too. Asked before the walk:
    // it is asked of every function, and most end otherwise.
    if !matches!(function.body.last(), Some(Stmt::Return(_))) {
        return false;
    }
    let mut probe = false;
    let mut other_returns_ok = true;
    crate::ast_query::walk_statements_shallow(&function.body, &mut |stmt| {
        match stmt {
            Stmt::Try(try_stmt) if try_stmt.body.iter().any(asks_for_running_loop) => {
                probe |= no_loop_handler_returns(try_stmt, |value| {
                    value.is_none_or(Expr::is_none_literal_expr)
                });
                // The handlers' own `return None` are the probe; look inside the rest.
                for inner in try_stmt
                    .body
                    .iter()
                    .chain(&try_stmt.orelse)
                    .chain(&try_stmt.finalbody)
                {
                    other_returns_ok &= returns_are_loops(inner);
                }
                return crate::ast_query::Walk::SkipChildren;
            }
            Stmt::Return(ret) => other_returns_ok &= return_is_loop(ret),
            _ => {}
        }
        crate::ast_query::Walk::Descend
    });
    probe && other_returns_ok
}

fn returns_are_loops(stmt: &Stmt) -> bool {
    let mut ok = true;
    crate::ast_query::walk_statements_shallow(std::slice::from_ref(stmt), &mut |inner| {
        if let Stmt::Return(ret) = inner {
            ok &= return_is_loop(ret);
        }
        crate::ast_query::Walk::Descend
    });
    ok
}

/// A `return` whose value is not `None`, or is `None` only for a closed loop.
fn return_is_loop(ret: &ast::StmtReturn) -> bool {
    match ret.value.as_deref() {
        None | Some(Expr::NoneLiteral(_)) => false,
        Some(Expr::If(if_expr)) => {
            let closed_test = matches!(&*if_expr.test, Expr::Call(call)
                if matches!(&*call.func, Expr::Attribute(attribute) if attribute.attr.as_str() == "is_closed"));
            (closed_test || !if_expr.body.is_none_literal_expr())
                && !if_expr.orelse.is_none_literal_expr()
        }
        Some(_) => true,
    }
}

/// Whether a `try` (that asks for the running loop) has an `except RuntimeError` whose last
/// statement returns a value `returned` accepts: what a probe answers where no loop runs.
fn no_loop_handler_returns(
    try_stmt: &ast::StmtTry,
    returned: impl Fn(Option<&Expr>) -> bool,
) -> bool {
    try_stmt.handlers.iter().any(|handler| {
        let ast::ExceptHandler::ExceptHandler(handler) = handler;
        catches_runtime_error(handler.type_.as_deref())
            && matches!(handler.body.last(), Some(Stmt::Return(ret)) if returned(ret.value.as_deref()))
    })
}

/// What `function`'s return value says about a running loop, when it is a probe:
/// `True` exactly when a loop runs (`try: get_running_loop()` / `except RuntimeError:
/// return False` / `return True`, or `return asyncio._get_running_loop() is not None`), or
/// the value of one call it makes, maybe negated and and-ed with something else
/// (`return on_main_thread() and not loop_running()`): `site_of` gives the call site of a
/// call, and the link decides what that callee says.
pub fn running_probe(
    function: &ast::StmtFunctionDef,
    site_of: impl Fn(TextRange) -> Option<u32>,
) -> Option<RunningProbe> {
    // Asked of every function as its walk ends: most do not end in a `return`, and need
    // no walk of their body.
    if !matches!(function.body.last(), Some(Stmt::Return(_))) {
        return None;
    }
    let mut returns = Vec::new();
    let mut probe = false;
    crate::ast_query::walk_statements_shallow(&function.body, &mut |stmt| {
        match stmt {
            Stmt::Try(try_stmt) if try_stmt.body.iter().any(asks_for_running_loop) => {
                probe |= no_loop_handler_returns(
                    try_stmt,
                    |value| matches!(value, Some(Expr::BooleanLiteral(literal)) if !literal.value),
                );
            }
            Stmt::Return(ret) => returns.push(ret.value.as_deref()),
            _ => {}
        }
        crate::ast_query::Walk::Descend
    });
    let is_true = |value: &Option<&Expr>| matches!(value, Some(Expr::BooleanLiteral(literal)) if literal.value);
    let is_false = |value: &Option<&Expr>| matches!(value, Some(Expr::BooleanLiteral(literal)) if !literal.value);
    if probe
        && returns
            .iter()
            .all(|value| is_true(value) || is_false(value))
    {
        return Some(RunningProbe::TrueWhenRunning);
    }
    let [Some(value)] = returns.as_slice() else {
        return None;
    };
    probe_value(value, false, false, &site_of)
}

/// What a returned expression says of a running loop: `get_running_loop() is not None`, a
/// call whose value the link decides, `not` of either, or a conjunct of an `and`.
fn probe_value(
    value: &Expr,
    negated: bool,
    conjunct: bool,
    site_of: &impl Fn(TextRange) -> Option<u32>,
) -> Option<RunningProbe> {
    match value {
        Expr::UnaryOp(unary) if unary.op == ast::UnaryOp::Not => {
            probe_value(&unary.operand, !negated, conjunct, site_of)
        }
        Expr::BoolOp(bool_op) if bool_op.op == ast::BoolOp::And && !negated => bool_op
            .values
            .iter()
            .find_map(|value| probe_value(value, negated, true, site_of)),
        Expr::Compare(compare)
            if !negated
                && !conjunct
                && matches!(compare.ops.as_ref(), [ast::CmpOp::IsNot])
                && matches!(compare.comparators.as_ref(), [Expr::NoneLiteral(_)])
                && matches!(&*compare.left, Expr::Call(call)
                    if matches!(&*call.func, Expr::Attribute(attribute) if attribute.attr.as_str() == "_get_running_loop")) =>
        {
            Some(RunningProbe::TrueWhenRunning)
        }
        Expr::Call(call) => Some(RunningProbe::Via {
            site: site_of(call.range())?,
            negated,
            conjunct,
        }),
        _ => None,
    }
}
