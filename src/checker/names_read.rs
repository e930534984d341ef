//! The names a body reads, computed once per body so "is this assignment ever read?" stays
//! linear however many assignments a body has.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::source::MAX_NESTING;

/// The names a body reads (loads), nested functions included, each with how it is read
/// ([`USED_WHOLE`], [`TAKEN_FROM`]): one map, so a read costs one lookup, not one per set.
pub struct NamesRead<'a> {
    names: rustc_hash::FxHashMap<&'a str, u8>,
    /// `locals()`, `vars()`, `eval`, `exec`, `global`/`nonlocal`: reads that cannot be
    /// followed, so every name counts as read.
    everything: bool,
}

impl<'a> NamesRead<'a> {
    pub fn collect(body: &'a [Stmt]) -> Self {
        // Sized up front from the body's length (about one distinct name read per 32
        // bytes of Python): growing the set from empty, rehashing at every doubling, cost
        // as much as the walk.
        let length = match (body.first(), body.last()) {
            (Some(first), Some(last)) => (last.end() - first.start()).to_usize(),
            _ => 0,
        };
        let mut reads = Self {
            names: rustc_hash::FxHashMap::with_capacity_and_hasher(length / 32, Default::default()),
            everything: false,
        };
        let mut collector = NamesReadCollector {
            reads: &mut reads,
            nesting: 0,
        };
        collector.visit_body(body);
        reads
    }

    pub fn contains(&self, name: &str) -> bool {
        self.everything || self.names.contains_key(name)
    }

    /// Records a read of `name`, of the kinds `how` says (0: only for a member, to fill it).
    fn read(&mut self, name: &'a str, how: u8) {
        *self.names.entry(name).or_default() |= how;
    }

    /// Whether `name` is read in one of the ways `how` says.
    fn read_as(&self, name: &str, how: u8) -> bool {
        self.names.get(name).is_some_and(|read| read & how != 0)
    }

    /// Whether `name` is read, and only ever as the object of an attribute access or a
    /// subscript (`me.user_id`, `rows[0]`): never passed on, returned, awaited or tested whole.
    pub fn read_only_for_members(&self, name: &str) -> bool {
        !self.everything && self.names.contains_key(name) && !self.read_as(name, USED_WHOLE)
    }

    /// Whether `name` is read, if at all, only to put values into it (`x.append(v)`,
    /// `x.add(v)`, `x[k] = v`): what it holds is never taken out, passed on or awaited.
    pub fn only_filled(&self, name: &str) -> bool {
        !self.everything && !self.read_as(name, TAKEN_FROM)
    }
}

/// Read other than as the object of an attribute access or a subscript (`x.attr`, `x[0]`):
/// passed, returned, awaited, tested, called.
const USED_WHOLE: u8 = 1;
/// Read other than to put something into it (`x.append(v)`, `x[k] = v`): a collection never
/// read so only ever receives values, nobody takes them out.
const TAKEN_FROM: u8 = 2;

/// Methods that put a value into a collection and return nothing of what it holds.
const FILLING_METHODS: &[&str] = &["append", "appendleft", "add", "insert"];

/// The local a filling call puts its argument into: `pending` of `pending.append(x)`.
pub(crate) fn filled_collection(call: &ast::ExprCall) -> Option<&str> {
    let Expr::Attribute(ast::ExprAttribute { value, attr, .. }) = &*call.func else {
        return None;
    };
    let Expr::Name(name) = &**value else {
        return None;
    };
    FILLING_METHODS
        .contains(&attr.as_str())
        .then_some(name.id.as_str())
}

/// Members a coroutine object really has: reading them is using the coroutine as one.
const COROUTINE_MEMBERS: &[&str] = &[
    "send",
    "throw",
    "close",
    "cr_await",
    "cr_code",
    "cr_frame",
    "cr_running",
    "cr_origin",
    "__await__",
    "__name__",
    "__qualname__",
];

struct NamesReadCollector<'r, 'a> {
    reads: &'r mut NamesRead<'a>,
    nesting: usize,
}

impl<'a> Visitor<'a> for NamesReadCollector<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.nesting >= MAX_NESTING {
            return;
        }
        if let Stmt::Global(ast::StmtGlobal { names, .. })
        | Stmt::Nonlocal(ast::StmtNonlocal { names, .. }) = stmt
        {
            for name in names {
                self.reads.read(name.as_str(), TAKEN_FROM);
            }
        }
        self.nesting += 1;
        visitor::walk_stmt(self, stmt);
        self.nesting -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.nesting >= MAX_NESTING {
            return;
        }
        match expr {
            Expr::Name(name) if name.ctx.is_load() => {
                self.reads.read(name.id.as_str(), USED_WHOLE | TAKEN_FROM);
            }
            // `x.attr` and `x[i]`: `x` is read for one of its members, not whole.
            Expr::Attribute(ast::ExprAttribute { value, attr, .. })
                if !COROUTINE_MEMBERS.contains(&attr.as_str()) =>
            {
                if let Expr::Name(name) = &**value
                    && name.ctx.is_load()
                {
                    self.reads.read(name.id.as_str(), TAKEN_FROM);
                    return;
                }
            }
            Expr::Subscript(ast::ExprSubscript {
                value, slice, ctx, ..
            }) => {
                if let Expr::Name(name) = &**value
                    && name.ctx.is_load()
                {
                    let how = if ctx.is_store() { 0 } else { TAKEN_FROM };
                    self.reads.read(name.id.as_str(), how);
                    self.nesting += 1;
                    self.visit_expr(slice);
                    self.nesting -= 1;
                    return;
                }
            }
            Expr::Call(call) => {
                if let Expr::Name(func) = &*call.func
                    && matches!(func.id.as_str(), "locals" | "vars" | "eval" | "exec")
                {
                    self.reads.everything = true;
                }
                // `x.append(v)`: `x` is read for a member, only to be filled.
                if let Some(name) = filled_collection(call) {
                    self.reads.read(name, 0);
                    self.nesting += 1;
                    for argument in crate::ast_query::argument_values(&call.arguments) {
                        self.visit_expr(argument);
                    }
                    self.nesting -= 1;
                    return;
                }
            }
            _ => {}
        }
        self.nesting += 1;
        visitor::walk_expr(self, expr);
        self.nesting -= 1;
    }
}
