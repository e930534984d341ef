//! State other coroutines see (`self._x`, a global, a shared container), the tests that
//! decide on it, and the statements that write it.

use ruff_python_ast::comparable::ComparableExpr;
use ruff_python_ast::{BoolOp, CmpOp, Expr, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::{Walk, walk_statements_shallow};

use super::analysis::Analysis;
use super::model::State;
use super::syntax::{collect_exprs, first_await};

impl<'a> Analysis<'_, 'a, '_> {
    /// The shared states `test` decides on: when `present` is false, the checks that are true
    /// when the state is missing (`x is None`, `not x`, `k not in c`); else those true when it
    /// is there (`x`, `x is not None`, `k in c`).
    pub(super) fn states(&self, test: &'a Expr, present: bool) -> Vec<State<'a>> {
        let mut states = Vec::new();
        match test {
            // `a is None or a.closed`, `a is None and ready`: each operand decides.
            Expr::BoolOp(bool_op) if !present || bool_op.op == BoolOp::Or => {
                for value in &bool_op.values {
                    states.extend(self.states(value, present));
                }
            }
            Expr::UnaryOp(unary)
                if unary.op == UnaryOp::Not && !present && self.is_shared(&unary.operand) =>
            {
                states.push(State {
                    target: &unary.operand,
                    key: None,
                    check: test,
                });
            }
            // `not self._cache.get(key)`: the entry for `key` is missing.
            Expr::UnaryOp(unary) if unary.op == UnaryOp::Not && !present => {
                if let Some((container, key)) = self.shared_get(without_walrus(&unary.operand)) {
                    states.push(State {
                        target: container,
                        key: Some(key),
                        check: test,
                    });
                }
            }
            Expr::Compare(compare) if compare.ops.len() == 1 => {
                let right = &compare.comparators[0];
                let op = compare.ops[0];
                let none_test = match op {
                    CmpOp::Is | CmpOp::Eq => Some(!present),
                    CmpOp::IsNot | CmpOp::NotEq => Some(present),
                    _ => None,
                };
                // `None`, or `False` for a state typed `SSLContext | bool = False`: the
                // value it holds until it is made.
                let unset = right.is_none_literal_expr()
                    || matches!(right, Expr::BooleanLiteral(literal) if !literal.value);
                if none_test == Some(true) && unset {
                    if self.is_shared(&compare.left) {
                        states.push(State {
                            target: &compare.left,
                            key: None,
                            check: test,
                        });
                    } else if let Some((container, key)) =
                        self.shared_get(without_walrus(&compare.left))
                    {
                        // `self._cache.get(key) is None`, also as `(found :=
                        // self._cache.get(key)) is None`: `key not in self._cache`.
                        states.push(State {
                            target: container,
                            key: Some(key),
                            check: test,
                        });
                    }
                }
                let membership = match op {
                    CmpOp::NotIn => !present,
                    CmpOp::In => present,
                    _ => false,
                };
                if membership && self.is_shared(right) && first_await(&compare.left).is_none() {
                    states.push(State {
                        target: right,
                        key: Some(&compare.left),
                        check: test,
                    });
                }
            }
            Expr::Name(_) | Expr::Attribute(_) if present && self.is_shared(test) => {
                states.push(State {
                    target: test,
                    key: None,
                    check: test,
                });
            }
            Expr::Call(_) | Expr::Named(_) if present => {
                if let Some((container, key)) = self.shared_get(without_walrus(test)) {
                    states.push(State {
                        target: container,
                        key: Some(key),
                        check: test,
                    });
                }
            }
            _ => {}
        }
        states
    }

    /// `self._cache.get(key)` (or `.get(key, None)`) on a shared container, as the container
    /// and the key: the lookup that a lazy cache fill tests instead of `key in self._cache`.
    pub(super) fn shared_get(&self, expr: &'a Expr) -> Option<(&'a Expr, &'a Expr)> {
        let Expr::Call(call) = expr else { return None };
        let Expr::Attribute(method) = &*call.func else {
            return None;
        };
        let arguments = &call.arguments;
        let key = match (&*arguments.args, &*arguments.keywords) {
            ([key], []) => key,
            ([key, default], []) if default.is_none_literal_expr() => key,
            _ => return None,
        };
        (method.attr.as_str() == "get"
            && self.is_shared(&method.value)
            && first_await(key).is_none()
            && !key.is_starred_expr())
        .then_some((&*method.value, key))
    }

    /// The shared states tested by the `if`s of the function.
    pub(super) fn tested_states(&self) -> Vec<ComparableExpr<'a>> {
        let mut tests: Vec<&'a Expr> = Vec::new();
        walk_statements_shallow(&self.function.body, &mut |stmt| {
            match stmt {
                Stmt::If(if_stmt) => {
                    tests.push(&if_stmt.test);
                    tests.extend(
                        if_stmt
                            .elif_else_clauses
                            .iter()
                            .filter_map(|clause| clause.test.as_ref()),
                    );
                }
                Stmt::While(while_stmt) => tests.push(&while_stmt.test),
                _ => {}
            }
            Walk::Descend
        });
        // Every shared value a test reads (`self._connecting`, `self._pending.get(key)`).
        let mut tested = Vec::new();
        for test in tests {
            collect_exprs(test, &mut |expr| {
                if matches!(expr, Expr::Attribute(_) | Expr::Name(_)) && self.is_shared(expr) {
                    tested.push(ComparableExpr::from(expr));
                }
            });
        }
        tested
    }

    /// `self.x`, `cls.x`, `Class.x`, a global (a name the function does not bind), or an
    /// attribute of one: state other coroutines see.
    pub(super) fn is_shared(&self, expr: &Expr) -> bool {
        match expr {
            // A module global; or a variable of an enclosing function when calls of this one
            // share it: the cache a decorator keeps for the wrapper it returns, the dict that
            // workers made side by side fill. (A helper nested in a request handler shares
            // that handler's variables with nothing else.)
            Expr::Name(name) => {
                let name = name.id.as_str();
                if self.checker.model.scopes.innermost_function_binds(name) {
                    return false;
                }
                if self.checker.model.is_local(name) {
                    return self.is_returned_wrapper() || self.fanned_out();
                }
                self.checker
                    .model
                    .module
                    .resolve_global(name)
                    .is_none_or(|resolved| {
                        resolved
                            .path()
                            .is_none_or(|path| !path.starts_with("builtins."))
                    })
            }
            Expr::Attribute(attribute) => {
                // Real state is a short chain (`self._client`, `cls._pool.conn`); a cap keeps
                // pathological chains linear.
                let mut root = &*attribute.value;
                let mut depth = 0;
                while let Expr::Attribute(inner) = root {
                    root = &inner.value;
                    depth += 1;
                    if depth > 32 {
                        return false;
                    }
                }
                let Expr::Name(root) = root else {
                    return false;
                };
                let root = root.id.as_str();
                Some(root) == self.receiver
                    || Some(root) == self.class_name
                    || !self.checker.model.is_local(root)
            }
            _ => false,
        }
    }

    /// Whether `test` checks `state` again (either polarity).
    pub(super) fn rechecks(&self, test: &'a Expr, state: &State<'a>) -> bool {
        let target = ComparableExpr::from(state.target);
        self.states(test, false)
            .iter()
            .chain(self.states(test, true).iter())
            .any(|other| ComparableExpr::from(other.target) == target)
    }

    /// The range of `stmt` when it assigns a value to `state` (not `None`/`False`).
    pub(super) fn writes_state(&self, stmt: &'a Stmt, state: &State<'a>) -> Option<TextRange> {
        let (targets, value): (&[Expr], &Expr) = match stmt {
            Stmt::Assign(assign) => (&assign.targets, &assign.value),
            Stmt::AnnAssign(assign) => (
                std::slice::from_ref(&*assign.target),
                assign.value.as_deref()?,
            ),
            _ => return None,
        };
        if value.is_none_literal_expr()
            || matches!(value, Expr::BooleanLiteral(literal) if !literal.value)
        {
            return None;
        }
        let wanted = ComparableExpr::from(state.target);
        let matches = |target: &Expr| match (state.key, target) {
            (None, target) => ComparableExpr::from(target) == wanted,
            (Some(key), Expr::Subscript(subscript)) => {
                ComparableExpr::from(&*subscript.value) == wanted
                    && ComparableExpr::from(&*subscript.slice) == ComparableExpr::from(key)
            }
            _ => false,
        };
        let hit = targets.iter().any(|target| match target {
            Expr::Tuple(tuple) => tuple.elts.iter().any(matches),
            Expr::List(list) => list.elts.iter().any(matches),
            target => matches(target),
        });
        hit.then(|| stmt.range())
    }
}

/// The value of `(name := value)`, else `expr` itself: the lookup a walrus keeps the result
/// of is still the check.
fn without_walrus(expr: &Expr) -> &Expr {
    match expr {
        Expr::Named(named) => &named.value,
        other => other,
    }
}
