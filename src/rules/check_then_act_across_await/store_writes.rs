//! Shape 2, a check-then-write on a store: an awaited read (`if not await repo.exists(k):`,
//! `row = await db.fetch_one(...)` then `if row is None:`) and then a write on the same
//! receiver that can create a duplicate, unless the store settles the race (an upsert, a
//! unique constraint handled in an `except`).

use rustc_hash::FxHashMap as HashMap;

use ruff_python_ast::comparable::ComparableExpr;
use ruff_python_ast::{self as ast, CmpOp, Expr, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::{any_in_body, find_in_expr, last_identifier, single_assignment};
use crate::catalog;

use super::analysis::Analysis;
use super::events::{Event, flatten};
use super::model::{Race, RaceKind, Store, StoreRead};
use super::sql::{
    sql_changes_existing_rows, sql_is_insert, sql_is_race_safe, sql_is_select, sql_is_write,
};
use super::syntax::{exits, first_await, first_await_in_stmt};

impl<'a> Analysis<'_, 'a, '_> {
    /// `row = await db.fetch_one(...)`, remembered for a later `if row is None:`.
    pub(super) fn remember_read(
        &self,
        stmt: &'a Stmt,
        reads: &mut HashMap<&'a str, StoreRead<'a>>,
    ) {
        let Some((target, value)) = single_assignment(stmt) else {
            return;
        };
        let Expr::Name(name) = target else { return };
        let name = name.id.as_str();
        if let Some(read) = self.store_read_in(value) {
            reads.insert(name, read);
            return;
        }
        // `user = result.scalar_one_or_none()`: derived from a read, with no await of its own.
        let derived = if first_await(value).is_none() {
            find_in_expr(value, &mut |expr| match expr {
                Expr::Name(used) => reads.get(used.id.as_str()).cloned(),
                _ => None,
            })
        } else {
            None
        };
        match derived {
            Some(read) => reads.insert(name, read),
            None => reads.remove(name),
        };
    }

    /// The awaited store read inside `expr`: `await repo.exists(k)`, `(await s.execute(q)).first()`.
    fn store_read_in(&self, expr: &'a Expr) -> Option<StoreRead<'a>> {
        find_in_expr(expr, &mut |inner| match inner {
            Expr::Await(awaited) => self.store_read(awaited),
            _ => None,
        })
    }

    fn store_read(&self, awaited: &'a ast::ExprAwait) -> Option<StoreRead<'a>> {
        let Expr::Call(call) = &*awaited.value else {
            return None;
        };
        let first_sql = || call.arguments.args.first().and_then(|sql| self.sql_of(sql));
        let (store, method) = match &*call.func {
            Expr::Attribute(attribute) => {
                // `self.get_x()` then `self.create_y()` are two methods of one class, not a
                // store.
                if matches!(&*attribute.value, Expr::Name(name) if Some(name.id.as_str()) == self.receiver)
                {
                    return None;
                }
                (Store::Receiver(&attribute.value), attribute.attr.as_str())
            }
            // A plain function is a store only when it is handed a query it reads with.
            Expr::Name(name) => {
                if !first_sql().is_some_and(|sql| sql_is_select(&sql)) {
                    return None;
                }
                (self.sql_function_module(&call.func)?, name.id.as_str())
            }
            _ => return None,
        };
        if !catalog::method_has_verb(method, catalog::STORE_READ_METHODS) {
            return None;
        }
        if method.starts_with("execute")
            || method.starts_with("fetch")
            || method.starts_with("query")
        {
            // A locking read (`FOR UPDATE`) is the fix; a write is not a read.
            if let Some(sql) = first_sql()
                && (sql_is_write(&sql) || sql_is_race_safe(&sql))
            {
                return None;
            }
        }
        Some(StoreRead {
            store,
            method,
            awaited: awaited.range(),
        })
    }

    /// The module whose SQL-running functions `func` (a plain name) is one of.
    fn sql_function_module(&self, func: &Expr) -> Option<Store<'a>> {
        let path = self.checker.model.path_of(func)?;
        let (module, _) = path.rsplit_once('.')?;
        Some(Store::SqlFunctions(module.to_string()))
    }

    pub(super) fn check_then_write(
        &self,
        if_stmt: &'a ast::StmtIf,
        rest: &'a [Stmt],
        reads: &HashMap<&'a str, StoreRead<'a>>,
        races: &mut Vec<Race>,
    ) {
        // (polarity, read): `if not await r.exists(k)` is missing, `if await r.exists(k)` present.
        let Some((present, read)) = self.existence_check(&if_stmt.test, reads) else {
            return;
        };
        let events = if !present {
            flatten(self, &if_stmt.body)
        } else if if_stmt.elif_else_clauses.is_empty() && exits(&if_stmt.body) {
            flatten(self, rest)
        } else {
            return;
        };
        if let Some(StoreWrite {
            write,
            inserts,
            awaited,
        }) = self.scan_store_write(&read, &events)
        {
            races.push(Race {
                resource: false,
                check: if_stmt.test.range(),
                awaited: awaited.unwrap_or(read.awaited),
                write,
                kind: RaceKind::CheckThenWrite,
                inserts,
                filled: None,
                through: None,
            });
        }
    }

    fn existence_check(
        &self,
        test: &'a Expr,
        reads: &HashMap<&'a str, StoreRead<'a>>,
    ) -> Option<(bool, StoreRead<'a>)> {
        let read_of = |expr: &'a Expr| -> Option<StoreRead<'a>> {
            match expr {
                Expr::Await(awaited) => self.store_read(awaited),
                Expr::Name(name) => reads.get(name.id.as_str()).cloned(),
                _ => None,
            }
        };
        match test {
            Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => {
                read_of(&unary.operand).map(|read| (false, read))
            }
            Expr::Compare(compare)
                if compare.ops.len() == 1 && compare.comparators[0].is_none_literal_expr() =>
            {
                let read = read_of(&compare.left)?;
                match compare.ops[0] {
                    CmpOp::Is | CmpOp::Eq => Some((false, read)),
                    CmpOp::IsNot | CmpOp::NotEq => Some((true, read)),
                    _ => None,
                }
            }
            // `not row and create_missing`: the body runs only when the row is missing.
            Expr::BoolOp(bool_op) if bool_op.op == ast::BoolOp::And => {
                bool_op.values.iter().find_map(|value| {
                    self.existence_check(value, reads)
                        .filter(|(present, _)| !present)
                })
            }
            // `count == 0` / `count > 0`: a counting read decides like an existence check.
            Expr::Compare(compare)
                if compare.ops.len() == 1 && is_int(&compare.comparators[0], 0) =>
            {
                let read = read_of(&compare.left)?;
                match compare.ops[0] {
                    CmpOp::Eq | CmpOp::LtE => Some((false, read)),
                    CmpOp::NotEq | CmpOp::Gt => Some((true, read)),
                    _ => None,
                }
            }
            other => read_of(other).map(|read| (true, read)),
        }
    }

    /// The write on the read's receiver that the check guards, and the first await between
    /// them (if any: else the read's own await opens the window). A write that does not await
    /// (`db.add(row)`) counts once an await follows it in the region (`await db.commit()`):
    /// only then does it reach the store in this function. `None` when there is no write, or
    /// the store settles the race.
    fn scan_store_write(&self, read: &StoreRead<'a>, events: &[Event<'a>]) -> Option<StoreWrite> {
        let store = match &read.store {
            Store::Receiver(receiver) => StoreKey::Receiver(ComparableExpr::from(*receiver)),
            Store::SqlFunctions(module) => StoreKey::SqlFunctions(module),
        };
        let mut seen: Option<TextRange> = None;
        let mut pending: Option<(TextRange, bool)> = None;
        // Locals last bound to a literal (`frames = 1` before `await signal.set(frames)`).
        let mut constants: Vec<&str> = Vec::new();
        for event in events {
            let awaited = match *event {
                Event::Enter { range, protected } => (!protected).then_some(range),
                Event::Header { expr, .. } => first_await(expr),
                Event::Simple { stmt, protected } => {
                    if let Some((Expr::Name(target), value)) = single_assignment(stmt) {
                        constants.retain(|name| *name != target.id.as_str());
                        if is_constant(value) {
                            constants.push(target.id.as_str());
                        }
                    }
                    match self.store_write(stmt, &store, read.method, &constants) {
                        Some(Write::Safe) => return None,
                        // A commit with nothing added before it in the region flushes
                        // changes to rows that exist (an UPDATE executed, attributes set):
                        // it cannot add a duplicate.
                        Some(Write::Plain { commits: true, .. }) if pending.is_none() => {}
                        Some(Write::Plain { range, inserts, .. }) => {
                            if protected || self.in_integrity_handler(stmt) {
                                return None;
                            }
                            // `db.add(row)` then `await db.commit()`: the add is the write.
                            let (write, inserts) = pending.unwrap_or((range, inserts));
                            if first_await_in_stmt(stmt).is_some() {
                                return Some(StoreWrite {
                                    write,
                                    inserts,
                                    awaited: seen,
                                });
                            }
                            pending.get_or_insert((write, inserts));
                            continue;
                        }
                        None => {}
                    }
                    first_await_in_stmt(stmt)
                }
            };
            if let Some(awaited) = awaited {
                if let Some((write, inserts)) = pending {
                    return Some(StoreWrite {
                        write,
                        inserts,
                        awaited: seen,
                    });
                }
                seen.get_or_insert(awaited);
            }
        }
        None
    }

    /// A write call on `store` in `stmt`.
    fn store_write(
        &self,
        stmt: &'a Stmt,
        store: &StoreKey,
        read_method: &str,
        constants: &[&str],
    ) -> Option<Write> {
        let mut result = None;
        any_in_body(std::slice::from_ref(stmt), &mut |expr| {
            let Expr::Call(call) = expr else { return false };
            let (method, called_on) = match (&*call.func, store) {
                (Expr::Attribute(attribute), StoreKey::Receiver(receiver))
                    if ComparableExpr::from(&*attribute.value) == *receiver =>
                {
                    (attribute.attr.as_str(), attribute.value.range())
                }
                // A plain function of the read's module, handed SQL (checked below).
                (Expr::Name(name), StoreKey::SqlFunctions(module))
                    if name.id.as_str().starts_with("execute")
                        && matches!(self.sql_function_module(&call.func), Some(Store::SqlFunctions(other)) if other == *module) =>
                {
                    (name.id.as_str(), call.func.range())
                }
                _ => return false,
            };
            if catalog::UPSERT_METHODS.contains(&method) || has_atomic_keyword(call) {
                result = Some(Write::Safe);
                return true;
            }
            if !catalog::method_has_verb(method, catalog::STORE_WRITE_METHODS)
                || catalog::IDEMPOTENT_WRITES.contains(&method)
                || catalog::method_has_verb(method, catalog::ROW_UPDATE_WRITES)
                || is_cache_fill(
                    read_method,
                    method,
                    names_cache(self.checker.text(called_on)),
                )
            {
                return false;
            }
            if method.starts_with("execute") {
                let Some(sql) = call.arguments.args.first().and_then(|sql| self.sql_of(sql)) else {
                    return false;
                };
                if sql_is_race_safe(&sql) {
                    result = Some(Write::Safe);
                    return true;
                }
                // `UPDATE`/`DELETE` change the rows that exist, as the `update...` and
                // `delete...` methods do: run twice, they duplicate nothing.
                if !sql_is_write(&sql) || sql_changes_existing_rows(&sql) {
                    return false;
                }
            }
            // Two requests that both write the same constant leave the store as one would
            // (`await state.set_data({})`): nothing is duplicated or lost.
            if catalog::method_has_verb(method, catalog::OVERWRITE_WRITES)
                && writes_constant(call, constants)
            {
                return false;
            }
            let inserts = catalog::method_has_verb(method, catalog::INSERT_WRITES)
                || (method.starts_with("execute")
                    && call
                        .arguments
                        .args
                        .first()
                        .and_then(|sql| self.sql_of(sql))
                        .is_some_and(|sql| sql_is_insert(&sql)));
            result = Some(Write::Plain {
                range: call.range(),
                inserts,
                commits: method == "commit",
            });
            true
        });
        result
    }

    /// Whether `stmt` sits in a `try` that handles a unique-constraint violation: the
    /// constraint settles the race.
    fn in_integrity_handler(&self, stmt: &'a Stmt) -> bool {
        let Some(function) = self.checker.current_function() else {
            return false;
        };
        let mut found = false;
        let target = stmt.range();
        find_enclosing_tries(&function.body, target, &mut |try_stmt| {
            let handles = try_stmt.handlers.iter().any(|handler| {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                let names_violation = |text: &str| {
                    [
                        "IntegrityError",
                        "UniqueViolation",
                        "DuplicateKey",
                        "UniqueConstraint",
                        "AlreadyExists",
                    ]
                    .iter()
                    .any(|name| text.contains(name))
                };
                // `except IntegrityError:`, or a broad handler that tells the violation apart
                // (`except Exception as e: if not _is_unique_violation(e): raise`).
                handler
                    .type_
                    .as_deref()
                    .is_some_and(|kind| names_violation(self.checker.text(kind.range())))
                    || any_in_body(&handler.body, &mut |expr| {
                        last_identifier(expr).is_some_and(|name| {
                            let lower = name.to_ascii_lowercase();
                            names_violation(name)
                                || lower.contains("unique")
                                || lower.contains("integrity")
                                || lower.contains("duplicate")
                        })
                    })
            });
            found |= handles;
        });
        found
    }
}

/// A [`Store`] as the scan for its write compares it.
enum StoreKey<'s> {
    Receiver(ComparableExpr<'s>),
    SqlFunctions(&'s str),
}

/// The write a check guards: whether it inserts, and the first await between the check and it.
struct StoreWrite {
    write: TextRange,
    inserts: bool,
    awaited: Option<TextRange>,
}

enum Write {
    /// An upsert or conditional write: the store settles the race.
    Safe,
    Plain {
        range: TextRange,
        inserts: bool,
        /// The write is a `commit()`: it writes only what was added before it.
        commits: bool,
    },
}

/// Whether a read `read` then a write `write` on one receiver fill a read-through cache:
/// a verb of [`catalog::CACHE_FILL_READS`] then one of [`catalog::CACHE_FILL_WRITES`], alone
/// (`get`, `set`), or, on a receiver named as a cache (`on_cache`: `self.cache_repo`), with
/// the same suffix (`get_one`/`set_one`, `get_by_owner`/`set_by_owner`): elsewhere
/// `get_owner`/`set_owner` may be a claim, which a second request must not make too.
fn is_cache_fill(read: &str, write: &str, on_cache: bool) -> bool {
    if catalog::CACHE_FILL_READS.contains(&read) && catalog::CACHE_FILL_WRITES.contains(&write) {
        return true;
    }
    if !on_cache {
        return false;
    }
    let suffix_of = |method: &'_ str, verbs: &[&str]| -> Option<String> {
        verbs.iter().find_map(|verb| {
            let rest = method.strip_prefix(verb)?;
            (rest.is_empty() || rest.starts_with('_')).then(|| rest.to_string())
        })
    };
    match (
        suffix_of(read, catalog::CACHE_FILL_READS),
        suffix_of(write, catalog::CACHE_FILL_WRITES),
    ) {
        (Some(read), Some(write)) => read == write,
        _ => false,
    }
}

/// Whether a receiver's text names a cache (`cache`, `self.cache_repo`, `redis_cache`).
fn names_cache(receiver: &str) -> bool {
    receiver.to_ascii_lowercase().contains("cache")
}

/// A literal, an empty dict, list or tuple, or a named constant: a name or attribute spelled
/// in capitals (`DEFAULT_LIMIT`, `settings.MAX_ROWS`), or an attribute of a class
/// (`Steps.amount`, `Status.ACTIVE`: an enum's member, a state group's state). Each is the
/// same value for every coroutine that stores it.
fn is_constant(expr: &Expr) -> bool {
    expr.is_literal_expr()
        || matches!(expr, Expr::Dict(dict) if dict.items.is_empty())
        || matches!(expr, Expr::List(list) if list.elts.is_empty())
        || matches!(expr, Expr::Tuple(tuple) if tuple.elts.is_empty())
        || is_named_constant(expr)
}

/// `DEFAULT_LIMIT`, `settings.MAX_ROWS`, `Steps.amount` (see [`is_constant`]).
fn is_named_constant(expr: &Expr) -> bool {
    let spelled_as_constant = |name: &str| {
        name.chars().any(|c| c.is_ascii_uppercase())
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    };
    match expr {
        Expr::Name(name) => spelled_as_constant(name.id.as_str()),
        Expr::Attribute(attribute) => {
            spelled_as_constant(attribute.attr.as_str())
                || matches!(&*attribute.value, Expr::Name(owner)
                    if owner.id.as_str().starts_with(|c: char| c.is_ascii_uppercase()))
        }
        _ => false,
    }
}

/// A write whose stored value is a literal: `set_data({})`, `set(key, True)` (every argument
/// but a leading key is a literal, or a local last bound to one, `constants`).
fn writes_constant(call: &ast::ExprCall, constants: &[&str]) -> bool {
    let args = &call.arguments.args;
    let values = if args.len() >= 2 {
        &args[1..]
    } else {
        &args[..]
    };
    let is_literal = |expr: &Expr| {
        is_constant(expr)
            || matches!(expr, Expr::Name(name) if constants.contains(&name.id.as_str()))
    };
    !(values.is_empty() && call.arguments.keywords.is_empty())
        && values.iter().all(is_literal)
        && call
            .arguments
            .keywords
            .iter()
            .all(|keyword| is_literal(&keyword.value))
}

/// The `try` statements in `body` whose `try` block contains `target`.
fn find_enclosing_tries<'a>(
    body: &'a [Stmt],
    target: TextRange,
    visit: &mut dyn FnMut(&'a ast::StmtTry),
) {
    for stmt in body {
        if !stmt.range().contains_range(target) {
            continue;
        }
        match stmt {
            Stmt::Try(try_stmt) => {
                if try_stmt
                    .body
                    .iter()
                    .any(|inner| inner.range().contains_range(target))
                {
                    visit(try_stmt);
                }
                find_enclosing_tries(&try_stmt.body, target, visit);
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    find_enclosing_tries(&handler.body, target, visit);
                }
                find_enclosing_tries(&try_stmt.orelse, target, visit);
                find_enclosing_tries(&try_stmt.finalbody, target, visit);
            }
            Stmt::If(if_stmt) => {
                find_enclosing_tries(&if_stmt.body, target, visit);
                for clause in &if_stmt.elif_else_clauses {
                    find_enclosing_tries(&clause.body, target, visit);
                }
            }
            Stmt::With(with) => find_enclosing_tries(&with.body, target, visit),
            Stmt::For(for_stmt) => {
                find_enclosing_tries(&for_stmt.body, target, visit);
                find_enclosing_tries(&for_stmt.orelse, target, visit);
            }
            Stmt::While(while_stmt) => {
                find_enclosing_tries(&while_stmt.body, target, visit);
                find_enclosing_tries(&while_stmt.orelse, target, visit);
            }
            Stmt::Match(match_stmt) => {
                for case in &match_stmt.cases {
                    find_enclosing_tries(&case.body, target, visit);
                }
            }
            _ => {}
        }
    }
}

fn is_int(expr: &Expr, value: u64) -> bool {
    matches!(expr, Expr::NumberLiteral(number)
        if matches!(&number.value, ast::Number::Int(int) if int.as_u64() == Some(value)))
}

fn has_atomic_keyword(call: &ast::ExprCall) -> bool {
    call.arguments.keywords.iter().any(|keyword| {
        keyword
            .arg
            .as_ref()
            .is_some_and(|arg| catalog::ATOMIC_WRITE_KEYWORDS.contains(&arg.as_str()))
            && !matches!(&keyword.value, Expr::BooleanLiteral(literal) if !literal.value)
            && !keyword.value.is_none_literal_expr()
    })
}
