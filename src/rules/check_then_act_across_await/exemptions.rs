//! What keeps two runs of the code from interleaving, so LW601 stays quiet: a lock or a
//! transaction around it, a lock taken by hand, or a framework that runs the method one call
//! at a time.

use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::ast_query::{any_in_body, last_identifier, names_lock};
use crate::catalog;

use super::analysis::Analysis;

impl<'a> Analysis<'_, 'a, '_> {
    /// `async with self._lock:`, `async with conn.transaction():` and the like; also the
    /// pre-3.10 form that acquires the lock first and enters the guard it returns,
    /// `with await self._lock:`. (Its generator-based twin, `with (yield from lock):`, cannot
    /// appear in the `async def` bodies this rule reads.)
    pub(super) fn is_protecting(&self, with: &ast::StmtWith) -> bool {
        with.items.iter().any(|item| {
            let expr = match &item.context_expr {
                Expr::Await(ast::ExprAwait { value, .. }) => &**value,
                expr => expr,
            };
            if self
                .checker
                .model
                .type_of(expr)
                .is_some_and(|type_name| catalog::is_lock_type(&type_name))
            {
                return true;
            }
            if names_lock(expr) {
                return true;
            }
            // Transactions.
            if let Expr::Call(call) = expr
                && let Some(name) = last_identifier(&call.func)
            {
                return catalog::TRANSACTION_METHODS.contains(&name)
                    || name.to_ascii_lowercase().contains("transaction");
            }
            false
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
            || (name.starts_with("__") && name.ends_with("__"))
            || catalog::SERIALIZED_HOOKS
                .iter()
                .any(|hook| match hook.strip_suffix('*') {
                    Some(prefix) => name.starts_with(prefix),
                    None => name == *hook,
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
