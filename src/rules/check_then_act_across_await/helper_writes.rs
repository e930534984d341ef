//! Lazy initialisation whose write is made by a method the checking function calls:
//! `if not self.initialized: await self.initialize()`, where `initialize` awaits and only
//! then sets `self.initialized = True`. Two callers can both pass the check before either
//! call has set the flag, and both initialise.
//!
//! The method is found in the module: one of the class's own, or, for `super().m()`, one of
//! a base class the module defines. A method defined elsewhere (a base class in another
//! module) is not followed: the check sees only this module.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::{find_method, receiver_name};

use super::analysis::Analysis;
use super::lazy_init::says_initialises_once;
use super::model::State;
use super::syntax::{first_await, first_await_in_stmt};

/// A write of the checked state made inside a method the statement calls.
pub(super) struct HelperWrite {
    /// The write, in the method's body.
    pub(super) write: TextRange,
    /// The method's first await before the write, where other coroutines can run.
    pub(super) awaited: Option<TextRange>,
    /// The value written comes from an await (`self._client = await connect()`), not a flag.
    pub(super) produced: bool,
    /// The method's name says it initialises once (`initialize`, `_connect`, `_async_load`).
    pub(super) initialises: bool,
}

impl<'a> Analysis<'_, 'a, '_> {
    /// The write of `state` (`self.<attr>`) that the method `stmt` calls makes, when `stmt`
    /// is a call of one of the receiver's methods (`await self.initialize()`, `return await
    /// self._connect()`, `await super().initialize()`) whose body assigns the attribute a
    /// value that is not `None` or `False`, outside any lock it holds.
    pub(super) fn written_by_helper(
        &self,
        stmt: &'a Stmt,
        state: &State<'a>,
    ) -> Option<HelperWrite> {
        let class = self.class?;
        let receiver = self.receiver?;
        if state.key.is_some() {
            return None;
        }
        let Expr::Attribute(target) = state.target else {
            return None;
        };
        if !matches!(&*target.value, Expr::Name(owner) if owner.id.as_str() == receiver) {
            return None;
        }
        let value = match stmt {
            Stmt::Expr(expr) => &*expr.value,
            Stmt::Return(ast::StmtReturn {
                value: Some(value), ..
            }) => value,
            _ => return None,
        };
        let call = match value {
            Expr::Await(awaited) => &*awaited.value,
            other => other,
        };
        let Expr::Call(call) = call else {
            return None;
        };
        let Expr::Attribute(method) = &*call.func else {
            return None;
        };
        let name = method.attr.as_str();
        let module = &self.checker.module().body;
        let helper = match &*method.value {
            Expr::Name(owner) if owner.id.as_str() == receiver => {
                find_method(module, class, name, 0)
            }
            // `super().name`: a base class's, not the class's own.
            Expr::Call(inner) if is_super_call(inner) => {
                module.iter().find_map(|stmt| match stmt {
                    Stmt::ClassDef(base) if is_base_of(base, class) => {
                        find_method(module, base, name, 1)
                    }
                    _ => None,
                })
            }
            _ => None,
        }?;
        if std::ptr::eq(helper, self.function) {
            return None;
        }
        let helper_receiver = receiver_name(helper)?;
        let mut awaited = None;
        let Scanned::Write(write) = self.scan_block(
            &helper.body,
            helper_receiver,
            target.attr.as_str(),
            &mut awaited,
        ) else {
            return None;
        };
        Some(HelperWrite {
            write: write.range(),
            awaited,
            produced: first_await_in_stmt(write).is_some(),
            initialises: says_initialises_once(name),
        })
    }

    /// The first statement of `body` (in order, through its blocks) that writes
    /// `receiver.attr`, noting in `awaited` the first await before it; `Locked` when it sits
    /// under a lock the method holds (the method serialises itself).
    fn scan_block(
        &self,
        body: &'a [Stmt],
        receiver: &str,
        attr: &str,
        awaited: &mut Option<TextRange>,
    ) -> Scanned<'a> {
        for stmt in body {
            let found = match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => Scanned::Nothing,
                Stmt::With(with) => {
                    for item in &with.items {
                        if let Some(at) = first_await(&item.context_expr) {
                            awaited.get_or_insert(at);
                        }
                    }
                    if with.is_async {
                        awaited.get_or_insert(with.range());
                    }
                    match self.scan_block(&with.body, receiver, attr, awaited) {
                        Scanned::Write(_) if self.is_protecting(with) => Scanned::Locked,
                        other => other,
                    }
                }
                Stmt::If(if_stmt) => {
                    if let Some(at) = first_await(&if_stmt.test) {
                        awaited.get_or_insert(at);
                    }
                    let mut found = self.scan_block(&if_stmt.body, receiver, attr, awaited);
                    for clause in &if_stmt.elif_else_clauses {
                        if !matches!(found, Scanned::Nothing) {
                            break;
                        }
                        found = self.scan_block(&clause.body, receiver, attr, awaited);
                    }
                    found
                }
                Stmt::Try(try_stmt) => {
                    let mut found = self.scan_block(&try_stmt.body, receiver, attr, awaited);
                    for part in [&try_stmt.orelse, &try_stmt.finalbody] {
                        if matches!(found, Scanned::Nothing) {
                            found = self.scan_block(part, receiver, attr, awaited);
                        }
                    }
                    found
                }
                // A loop's write may follow its body's awaits on any turn: the first await in
                // it counts.
                Stmt::For(ast::StmtFor { body, .. }) | Stmt::While(ast::StmtWhile { body, .. }) => {
                    if let Some(at) = first_await_in_stmt(stmt) {
                        awaited.get_or_insert(at);
                    }
                    self.scan_block(body, receiver, attr, awaited)
                }
                _ if writes_attribute(stmt, receiver, attr) => {
                    // `self._conn = await self._open()`: the value's await runs before the
                    // attribute is set, as much a gap as an await of an earlier statement.
                    if let Some(at) = first_await_in_stmt(stmt) {
                        awaited.get_or_insert(at);
                    }
                    Scanned::Write(stmt)
                }
                _ => {
                    if let Some(at) = first_await_in_stmt(stmt) {
                        awaited.get_or_insert(at);
                    }
                    Scanned::Nothing
                }
            };
            if !matches!(found, Scanned::Nothing) {
                return found;
            }
        }
        Scanned::Nothing
    }
}

/// What the scan of a block found.
enum Scanned<'a> {
    Write(&'a Stmt),
    /// The write, under a lock the method holds.
    Locked,
    Nothing,
}

/// Whether `base` is named among `class`'s bases (`Base` or `Base[T]`).
fn is_base_of(base: &ast::StmtClassDef, class: &ast::StmtClassDef) -> bool {
    class.bases().iter().any(|named| {
        let named = match named {
            Expr::Subscript(subscript) => &*subscript.value,
            other => other,
        };
        matches!(named, Expr::Name(named) if named.id.as_str() == base.name.as_str())
    })
}

/// `super()`, with no arguments or with the class and receiver.
fn is_super_call(call: &ast::ExprCall) -> bool {
    matches!(&*call.func, Expr::Name(name) if name.id.as_str() == "super")
}

/// Whether `stmt` assigns `receiver.attr` a value that is not `None` or `False`.
fn writes_attribute(stmt: &Stmt, receiver: &str, attr: &str) -> bool {
    let (targets, value): (&[Expr], &Expr) = match stmt {
        Stmt::Assign(assign) => (&assign.targets, &assign.value),
        Stmt::AnnAssign(ast::StmtAnnAssign {
            target,
            value: Some(value),
            ..
        }) => (std::slice::from_ref(&**target), value),
        _ => return false,
    };
    if value.is_none_literal_expr()
        || matches!(value, Expr::BooleanLiteral(literal) if !literal.value)
    {
        return false;
    }
    targets.iter().any(|target| {
        matches!(target, Expr::Attribute(attribute)
            if attribute.attr.as_str() == attr
                && matches!(&*attribute.value, Expr::Name(owner) if owner.id.as_str() == receiver))
    })
}
