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
use ruff_text_size::{Ranged, TextRange};

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
    // Most functions ask no object what it has: one search of the function's text, the
    // first time a call in it is asked about, for what `hasattr(` and `getattr(` end with
    // says so before any statement is looked at.
    let asks = *checker
        .rule_state::<AsksAttributes>()
        .0
        .entry(function.start())
        .or_insert_with(|| {
            memchr::memmem::find(checker.text(function.range()).as_bytes(), b"attr(").is_some()
        });
    if !asks {
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
        let Some((block, at)) = block_holding(parent, stmt) else {
            continue;
        };
        // Copied out (most blocks have none, and then nothing is allocated): the tests
        // below ask the checker's per-module state too.
        let leaving: Vec<u32> = checker
            .rule_state::<LeavingIfs>()
            .0
            .entry(crate::ast_query::block_key(block))
            .or_insert_with(|| {
                (0..block.len() as u32)
                    .filter(|&index| {
                        matches!(&block[index as usize], Stmt::If(if_stmt)
                            if if_stmt.elif_else_clauses.is_empty() && leaves(&if_stmt.body))
                    })
                    .collect()
            })
            .iter()
            .copied()
            .take_while(|&index| (index as usize) < at)
            .collect();
        let earlier = leaving.len();
        let found =
            leaving[..earlier]
                .iter()
                .rev()
                .find_map(|&index| match &block[index as usize] {
                    Stmt::If(if_stmt) => tests.lacks_when(&if_stmt.test, false),
                    _ => None,
                });
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Per function (by where it starts), whether its text names `hasattr(` or `getattr(` (or
/// another `...attr(`), once asked.
#[derive(Default)]
struct AsksAttributes(rustc_hash::FxHashMap<ruff_text_size::TextSize, bool>);

/// The block of `parent` holding `child`, with `child`'s index in it, found without listing
/// `parent`'s blocks (asked at every call a feature test may guard).
fn block_holding<'a>(parent: &'a Stmt, child: &Stmt) -> Option<(&'a [Stmt], usize)> {
    let before = |block: &'a [Stmt]| {
        crate::ast_query::statement_holding(block, child.range())
            .filter(|(_, held)| std::ptr::eq(*held, child))
            .map(|(at, _)| (block, at))
    };
    match parent {
        Stmt::FunctionDef(function) => before(&function.body),
        Stmt::If(branch) => before(&branch.body).or_else(|| {
            branch
                .elif_else_clauses
                .iter()
                .find_map(|clause| before(&clause.body))
        }),
        Stmt::While(loop_stmt) => before(&loop_stmt.body).or_else(|| before(&loop_stmt.orelse)),
        Stmt::For(loop_stmt) => before(&loop_stmt.body).or_else(|| before(&loop_stmt.orelse)),
        Stmt::With(with) => before(&with.body),
        Stmt::Try(attempt) => before(&attempt.body)
            .or_else(|| {
                attempt.handlers.iter().find_map(|handler| {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    before(&handler.body)
                })
            })
            .or_else(|| before(&attempt.orelse))
            .or_else(|| before(&attempt.finalbody)),
        Stmt::Match(matched) => matched.cases.iter().find_map(|case| before(&case.body)),
        _ => None,
    }
}

/// Per block (by [`crate::ast_query::block_key`]), the indexes of its `if`s without `elif`
/// or `else` whose body always leaves: the only statements that can make a later call the
/// fallback of a feature test. Listed once per block, so a call in a long block looks at
/// those few, not at every statement before it.
#[derive(Default)]
struct LeavingIfs(rustc_hash::FxHashMap<(usize, usize), Vec<u32>>);

/// Per function (by where it starts), its locals bound once, by assignment, to
/// `getattr(receiver, "attribute", None)`: the receiver's range and the string literal's
/// range (quotes included). Found in one walk of the function, the first time a test of a
/// name in it is asked about.
#[derive(Default)]
struct GetattrLocals(
    rustc_hash::FxHashMap<
        ruff_text_size::TextSize,
        rustc_hash::FxHashMap<Box<str>, (TextRange, TextRange)>,
    >,
);

/// The locals of `function` bound once, by assignment, to a `getattr` with a `None`
/// default ([`GetattrLocals`]); a parameter, or a name bound again anywhere in the
/// function's own scope (an assignment, a loop or `with` target, `:=`), is left out.
fn getattr_locals(
    checker: &Checker,
    function: &ast::StmtFunctionDef,
) -> rustc_hash::FxHashMap<Box<str>, (TextRange, TextRange)> {
    let mut bindings: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    let mut values: rustc_hash::FxHashMap<&str, (TextRange, TextRange)> =
        rustc_hash::FxHashMap::default();
    crate::ast_query::walk_body_shallow(&function.body, &mut |node| {
        match node {
            crate::ast_query::Node::Stmt(Stmt::Assign(assign)) => {
                if let ([Expr::Name(target)], Expr::Call(call)) =
                    (&assign.targets[..], &*assign.value)
                    && let (Expr::Name(func), [owner, literal @ Expr::StringLiteral(_), default]) =
                        (&*call.func, &*call.arguments.args)
                    && func.id.as_str() == "getattr"
                    && call.arguments.keywords.is_empty()
                    && default.is_none_literal_expr()
                    && is_plain_name_literal(checker.text(literal.range()))
                {
                    values.insert(target.id.as_str(), (owner.range(), literal.range()));
                }
            }
            crate::ast_query::Node::Expr(Expr::Name(bound)) if bound.ctx.is_store() => {
                *bindings.entry(bound.id.as_str()).or_default() += 1;
            }
            _ => {}
        }
        crate::ast_query::Walk::Descend
    });
    values
        .into_iter()
        .filter(|(name, _)| {
            bindings.get(name) == Some(&1)
                && !function
                    .parameters
                    .iter()
                    .any(|parameter| parameter.name().as_str() == *name)
        })
        .map(|(name, ranges)| (Box::from(name), ranges))
        .collect()
}

/// A string literal written `"name"` or `'name'`: one quote each side around an identifier.
fn is_plain_name_literal(text: &str) -> bool {
    let bytes = text.as_bytes();
    matches!(
        (bytes.first(), bytes.last()),
        (Some(b'"'), Some(b'"')) | (Some(b'\''), Some(b'\''))
    ) && bytes.len() > 2
        && bytes[1..bytes.len() - 1]
            .iter()
            .all(|&byte| byte == b'_' || byte.is_ascii_alphanumeric())
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
            // Most functions bind nothing to a `getattr`: one search of the function's text
            // (per function, once) spares the walk below for their tests of a name.
            Expr::Name(name) => {
                let at = self.function.start();
                let mut known = self.checker.rule_state::<GetattrLocals>();
                let locals = known
                    .0
                    .entry(at)
                    .or_insert_with(|| getattr_locals(self.checker, self.function));
                let (receiver, attribute) = locals.get(name.id.as_str())?;
                // The attribute's name, borrowed from the module's text rather than the memo:
                // the literal between its quotes (a plain one: `getattr_locals` keeps no
                // other).
                let text = self.checker.text(*attribute);
                (self.checker.text(*receiver) == self.receiver)
                    .then(|| text.get(1..text.len().saturating_sub(1)))
                    .flatten()
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
