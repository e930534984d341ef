//! Whether a method call runs only where its receiver lacks an attribute: the fallback of a
//! feature test. Duck-typed code asks an object what it offers and calls the other way only
//! when it does not (`if hasattr(store, "read_async"): await store.read_async() else:
//! store.read()`; `read = getattr(self._jf, "read_async", None)` then `if callable(read):
//! ... else: self._jf.read()`). Where the link knows the receiver's class and that class has
//! the attribute, the fallback never runs for it, and what the fallback's callee blocks on
//! does not reach the caller ([`crate::project::Project::call_runs_body`]).
//!
//! Recognised tests, on the receiver the call is made on (the same text: `self._jf`):
//! `hasattr(r, "a")`, `callable(getattr(r, "a", None))`, `getattr(r, "a", None)` for its
//! truth or against `None`, and the same three through a local the function binds once to
//! `getattr(r, "a", None)`; under `not`, `and` (every part holds in the body) and `or`
//! (every part fails in the `else`). The call runs where the test fails: in the `else` (or an
//! `elif`) of an `if` whose test says the receiver has `a`, in the body of one whose test
//! says it lacks it, or after an `if` whose body says it has `a` and always leaves (`return`,
//! `raise`, `continue`, `break`).

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::Checker;

/// The attribute the receiver of `call` (a method call) lacks wherever the call runs, when a
/// feature test around it says so.
pub fn lacked_attribute<'a>(checker: &Checker<'a, '_>, call: &ast::ExprCall) -> Option<&'a str> {
    let Expr::Attribute(method) = &*call.func else {
        return None;
    };
    let ancestors = checker.statement_ancestors();
    let own = ancestors
        .iter()
        .rposition(|stmt| matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)))?;
    let Stmt::FunctionDef(function) = ancestors[own] else {
        return None;
    };
    // Most modules ask no object what it has: the module's one scan of its text says so
    // before any statement is looked at.
    if !checker.source_mentions("hasattr") && !checker.source_mentions("getattr") {
        return None;
    }
    let receiver = checker.text(method.value.range());
    let tests = Tests {
        checker,
        function,
        receiver,
    };
    let inside = &ancestors[own + 1..];
    for (depth, stmt) in inside.iter().enumerate() {
        if let Stmt::If(if_stmt) = stmt {
            let in_body = crate::ast_query::body_holds(&if_stmt.body, call.range());
            // In an `elif`'s test or branch, or the `else`: the first test failed.
            let in_clause = !in_body
                && if_stmt
                    .elif_else_clauses
                    .iter()
                    .any(|clause| clause.range().contains_range(call.range()));
            if (in_body || in_clause)
                && let Some(attribute) = tests.lacks_when(&if_stmt.test, in_body)
            {
                return Some(attribute);
            }
        }
        // `if hasattr(r, "a"): return await r.a()` before the statement holding the call.
        let parent = if depth == 0 {
            ancestors[own]
        } else {
            inside[depth - 1]
        };
        let before = crate::ast_query::statements_before(parent, stmt).unwrap_or_default();
        for earlier in before.iter().rev() {
            if let Stmt::If(if_stmt) = earlier
                && if_stmt.elif_else_clauses.is_empty()
                && leaves(&if_stmt.body)
                && let Some(attribute) = tests.lacks_when(&if_stmt.test, false)
            {
                return Some(attribute);
            }
        }
    }
    None
}

/// Whether a block always leaves where it ends.
fn leaves(body: &[Stmt]) -> bool {
    matches!(
        body.last(),
        Some(Stmt::Return(_) | Stmt::Raise(_) | Stmt::Continue(_) | Stmt::Break(_))
    )
}

struct Tests<'c, 'a, 'm> {
    checker: &'c Checker<'a, 'm>,
    /// The function the call is in: where a name tested is bound.
    function: &'a ast::StmtFunctionDef,
    /// The text of the receiver the call is made on.
    receiver: &'a str,
}

impl<'a> Tests<'_, 'a, '_> {
    /// The attribute `test` says the receiver lacks when it evaluates to `outcome`.
    fn lacks_when(&self, test: &'a Expr, outcome: bool) -> Option<&'a str> {
        match test {
            Expr::UnaryOp(not) if not.op == ast::UnaryOp::Not => {
                self.lacks_when(&not.operand, !outcome)
            }
            // `a and b` true: both hold; `a or b` false: both fail.
            Expr::BoolOp(bool_op) if (bool_op.op == ast::BoolOp::And) == outcome => bool_op
                .values
                .iter()
                .find_map(|value| self.lacks_when(value, outcome)),
            Expr::Compare(compare) => {
                let ([op], [right]) = (&*compare.ops, &*compare.comparators) else {
                    return None;
                };
                let is = match op {
                    ast::CmpOp::Is => true,
                    ast::CmpOp::IsNot => false,
                    _ => return None,
                };
                if !right.is_none_literal_expr() {
                    return None;
                }
                // `x is None` true, `x is not None` false: the attribute is missing.
                (is == outcome)
                    .then(|| self.looked_up(&compare.left))
                    .flatten()
            }
            Expr::Call(call) if !outcome => match (&*call.func, &*call.arguments.args) {
                (Expr::Name(func), [owner, Expr::StringLiteral(name)])
                    if func.id.as_str() == "hasattr"
                        && call.arguments.keywords.is_empty()
                        && self.is_receiver(owner) =>
                {
                    Some(name.value.to_str())
                }
                (Expr::Name(func), [value])
                    if func.id.as_str() == "callable" && call.arguments.keywords.is_empty() =>
                {
                    self.looked_up(value)
                }
                _ => self.looked_up(test),
            },
            _ if !outcome => self.looked_up(test),
            _ => None,
        }
    }

    /// The attribute `value` looks up on the receiver with `None` for a default:
    /// `getattr(r, "a", None)`, or a name the function binds once, to that.
    fn looked_up(&self, value: &'a Expr) -> Option<&'a str> {
        match value {
            Expr::Call(call) => self.getattr_of_receiver(call),
            Expr::Name(name) => {
                let name = name.id.as_str();
                // Every binding of the name in the function's own scope (an assignment, a
                // loop or `with` target, `:=`), and the assignment's value when it is one.
                let mut value = None;
                let mut bindings = 0;
                crate::ast_query::walk_body_shallow(&self.function.body, &mut |node| {
                    match node {
                        crate::ast_query::Node::Stmt(Stmt::Assign(assign)) => {
                            if let ([Expr::Name(target)], Expr::Call(call)) =
                                (&assign.targets[..], &*assign.value)
                                && target.id.as_str() == name
                            {
                                value = Some(call);
                            }
                        }
                        crate::ast_query::Node::Expr(Expr::Name(bound))
                            if bound.ctx.is_store() && bound.id.as_str() == name =>
                        {
                            bindings += 1;
                        }
                        _ => {}
                    }
                    crate::ast_query::Walk::Descend
                });
                let is_parameter = self
                    .function
                    .parameters
                    .iter()
                    .any(|parameter| parameter.name().as_str() == name);
                if bindings != 1 || is_parameter {
                    return None;
                }
                value.and_then(|call| self.getattr_of_receiver(call))
            }
            _ => None,
        }
    }

    /// `getattr(r, "a", None)` on the receiver: `a`.
    fn getattr_of_receiver(&self, call: &'a ast::ExprCall) -> Option<&'a str> {
        match (&*call.func, &*call.arguments.args) {
            (Expr::Name(func), [owner, Expr::StringLiteral(name), default])
                if func.id.as_str() == "getattr"
                    && call.arguments.keywords.is_empty()
                    && default.is_none_literal_expr()
                    && self.is_receiver(owner) =>
            {
                Some(name.value.to_str())
            }
            _ => None,
        }
    }

    fn is_receiver(&self, owner: &Expr) -> bool {
        self.checker.text(owner.range()) == self.receiver
    }
}
