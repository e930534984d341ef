//! What keeps two runs of the code from interleaving, so LW601 stays quiet: a lock or a
//! transaction around it, a lock taken by hand, or a framework that runs the method one call
//! at a time.

use ruff_python_ast::comparable::ComparableExpr;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::{Walk, any_in_body, last_identifier, names_lock, walk_statements_shallow};
use crate::catalog;

use super::analysis::Analysis;

impl<'a> Analysis<'_, 'a, '_> {
    /// `async with self._lock:`, `async with conn.transaction():` and the like; also the
    /// pre-3.10 form that acquires the lock first and enters the guard it returns,
    /// `with await self._lock:`. (Its generator-based twin, `with (yield from lock):`, cannot
    /// appear in the `async def` bodies this rule reads.)
    pub(super) fn is_protecting(&self, with: &ast::StmtWith) -> bool {
        self.held_lock(with).is_some()
            || with.items.iter().any(|item| {
                // Transactions.
                if let Expr::Call(call) = strip_await(&item.context_expr)
                    && let Some(name) = last_identifier(&call.func)
                {
                    return catalog::TRANSACTION_METHODS.contains(&name)
                        || name.to_ascii_lowercase().contains("transaction");
                }
                false
            })
    }

    /// The lock a `with` statement holds over its body (`async with self._lock:`, or
    /// `with await self._lock:`), by its type or its name.
    fn held_lock<'w>(&self, with: &'w ast::StmtWith) -> Option<&'w Expr> {
        with.items.iter().find_map(|item| {
            let expr = strip_await(&item.context_expr);
            (names_lock(expr)
                || self
                    .checker
                    .model
                    .type_of(expr)
                    .is_some_and(|type_name| catalog::is_lock_type(&type_name)))
            .then_some(expr)
        })
    }

    /// Whether every place in `callers` that names the function (`is_use`) sits in the body of
    /// a `with` holding one lock, the same one in every caller (`async with self._lock:
    /// await self._connect()` in `connect` and in `reconnect`): the callers run the function
    /// one at a time, so its check and its write cannot interleave with another run of it.
    pub(super) fn callers_hold_one_lock(
        &self,
        callers: &[&ast::StmtFunctionDef],
        is_use: &mut dyn FnMut(&Expr) -> bool,
    ) -> bool {
        let mut lock: Option<&Expr> = None;
        !callers.is_empty()
            && callers.iter().all(|caller| {
                let mut held: Vec<(TextRange, &Expr)> = Vec::new();
                walk_statements_shallow(&caller.body, &mut |stmt| {
                    if let Stmt::With(with) = stmt
                        && let Some(expr) = self.held_lock(with)
                    {
                        held.push((with.range(), expr));
                    }
                    Walk::Descend
                });
                let mut uses = Vec::new();
                any_in_body(&caller.body, &mut |expr| {
                    if is_use(expr) {
                        uses.push(expr.range());
                    }
                    false
                });
                uses.iter().all(|range| {
                    let Some(&(_, expr)) =
                        held.iter().find(|(with, _)| with.contains_range(*range))
                    else {
                        return false;
                    };
                    ComparableExpr::from(*lock.get_or_insert(expr)) == ComparableExpr::from(expr)
                })
            })
    }

    /// `await self._lock.acquire()` anywhere in the function: the author manages a lock by hand.
    pub(super) fn acquires_lock_by_hand(&self, body: &[Stmt]) -> bool {
        any_in_body(body, &mut |expr| {
            let Expr::Call(call) = expr else { return false };
            let Expr::Attribute(attribute) = &*call.func else {
                return false;
            };
            attribute.attr.as_str() == "acquire"
                && (names_lock(&attribute.value)
                    || self
                        .checker
                        .model
                        .type_of(&attribute.value)
                        .is_some_and(|type_name| catalog::is_lock_type(&type_name)))
        })
    }

    /// A method the framework runs one at a time (see `catalog::SERIALIZED_HOOKS`), or a
    /// method of a class driven one step at a time (`catalog::SERIALIZED_BASE_SUFFIXES`).
    pub(super) fn is_serialized(&self) -> bool {
        let name = self.function.name.as_str();
        self.is_serialized_class()
            || self.decorated_with_lock()
            || catalog::SERIALIZED_DUNDERS.contains(&name)
            || catalog::SERIALIZED_HOOKS
                .iter()
                .any(|hook| match hook.strip_suffix('*') {
                    Some(prefix) => name.starts_with(prefix),
                    None => name == *hook,
                })
    }

    /// A function behind a decorator whose name says it holds a lock around each call
    /// (`@mutex`, `@with_lock`, `@synchronized`, also called: `@mutex(per="chat_id")`): the
    /// decorator's wrapper runs the calls one at a time, as an `async with lock:` around the
    /// body would.
    fn decorated_with_lock(&self) -> bool {
        self.function.decorator_list.iter().any(|decorator| {
            names_lock(&decorator.expression)
                || last_identifier(match &decorator.expression {
                    Expr::Call(call) => &call.func,
                    other => other,
                })
                .is_some_and(|name| matches!(name, "synchronized" | "serialized"))
        })
    }

    /// A method of a class driven one step at a time (a config flow).
    fn is_serialized_class(&self) -> bool {
        self.class.is_some_and(|class| {
            class.bases().iter().any(|base| {
                last_identifier(base).is_some_and(|base| {
                    catalog::SERIALIZED_BASE_SUFFIXES
                        .iter()
                        .any(|suffix| base.ends_with(suffix))
                })
            })
        })
    }
}

/// The awaited value of `await x` (the pre-3.10 `with await lock:`), or the expression itself.
fn strip_await(expr: &Expr) -> &Expr {
    match expr {
        Expr::Await(ast::ExprAwait { value, .. }) => value,
        expr => expr,
    }
}
