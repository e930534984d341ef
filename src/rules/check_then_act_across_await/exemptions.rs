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
        self.callers_hold_lock(callers, is_use, &mut None, &mut |_, _| false)
    }

    /// [`Self::callers_hold_one_lock`] for a method, through the private helpers between it
    /// and the lock: a caller that calls it outside any lock counts when it is itself a
    /// private method that every caller in the class calls inside that same lock (`async
    /// with self._lock: await self._get_publisher(s)` in `send` and `send_batch`, and
    /// `_get_publisher` the only caller of `_get_client`), at most four calls up.
    pub(super) fn class_callers_hold_one_lock(
        &self,
        class: &'a ast::StmtClassDef,
        name: &str,
        class_callers: &dyn Fn(&'a ast::StmtClassDef, &str) -> Vec<&'a ast::StmtFunctionDef>,
    ) -> bool {
        fn follow<'a>(
            analysis: &Analysis<'_, 'a, '_>,
            class: &'a ast::StmtClassDef,
            name: &str,
            class_callers: &dyn Fn(&'a ast::StmtClassDef, &str) -> Vec<&'a ast::StmtFunctionDef>,
            lock: &mut Option<&'a Expr>,
            on_the_way: &mut Vec<String>,
        ) -> bool {
            let callers = class_callers(class, name);
            let is_call_of = &mut |expr: &Expr| {
                matches!(expr, Expr::Attribute(attribute)
                    if attribute.attr.as_str() == name && attribute.value.is_name_expr())
            };
            analysis.callers_hold_lock(&callers, is_call_of, lock, &mut |caller, lock| {
                let helper = caller.name.as_str();
                let private = helper.starts_with('_') && !helper.starts_with("__");
                if !private || on_the_way.len() >= 4 || on_the_way.iter().any(|seen| seen == helper)
                {
                    return false;
                }
                on_the_way.push(helper.to_string());
                let held = follow(analysis, class, helper, class_callers, lock, on_the_way);
                on_the_way.pop();
                held
            })
        }
        follow(
            self,
            class,
            name,
            class_callers,
            &mut None,
            &mut vec![name.to_string()],
        )
    }

    /// Whether every use in `callers` sits in a `with` holding `lock` (the first one found
    /// sets it), or, outside any, in a caller `unlocked` accepts.
    fn callers_hold_lock<'l>(
        &self,
        callers: &[&'l ast::StmtFunctionDef],
        is_use: &mut dyn FnMut(&Expr) -> bool,
        lock: &mut Option<&'l Expr>,
        unlocked: &mut dyn FnMut(&'l ast::StmtFunctionDef, &mut Option<&'l Expr>) -> bool,
    ) -> bool {
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
                let unlocked_use = uses
                    .iter()
                    .any(|range| !held.iter().any(|(with, _)| with.contains_range(*range)));
                uses.iter().all(|range| {
                    held.iter()
                        .find(|(with, _)| with.contains_range(*range))
                        .is_none_or(|&(_, expr)| {
                            ComparableExpr::from(*lock.get_or_insert(expr))
                                == ComparableExpr::from(expr)
                        })
                }) && (!unlocked_use || unlocked(caller, lock))
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
