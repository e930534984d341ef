//! The context every shape of LW601 reads about one `async def` (its class, its receiver,
//! the states its tests read, its locals), and the walk over its blocks that hands each
//! statement to the shapes.

use rustc_hash::FxHashMap as HashMap;
use std::cell::OnceCell;

use ruff_python_ast::comparable::ComparableExpr;
use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::ast_query::{collect_assignments, enclosing_class, receiver_name};
use crate::checker::Checker;

use super::model::{Race, StoreRead};

/// What the shapes know of the `async def` being checked; the facts that cost a walk are
/// learned on first use.
pub(super) struct Analysis<'c, 'a, 'm> {
    pub(super) checker: &'c Checker<'a, 'm>,
    pub(super) function: &'a ast::StmtFunctionDef,
    pub(super) class: Option<&'a ast::StmtClassDef>,
    /// Every shared state an `if` of the function tests.
    pub(super) tested: Vec<ComparableExpr<'a>>,
    /// The function's locals → the values assigned to them (`None`: not followed).
    assignments: OnceCell<HashMap<&'a str, Vec<Option<&'a Expr>>>>,
    /// How many other functions of the class (or module) call this one.
    pub(super) callers: OnceCell<usize>,
    /// `self`/`cls` in a method.
    pub(super) receiver: Option<&'a str>,
    pub(super) class_name: Option<&'a str>,
}

impl<'c, 'a, 'm> Analysis<'c, 'a, 'm> {
    pub(super) fn new(checker: &'c Checker<'a, 'm>, function: &'a ast::StmtFunctionDef) -> Self {
        let class = enclosing_class(checker.statement_ancestors(), function);
        let mut analysis = Analysis {
            checker,
            function,
            class,
            tested: Vec::new(),
            assignments: OnceCell::new(),
            callers: OnceCell::new(),
            receiver: class.and_then(|_| receiver_name(function)),
            class_name: class.map(|class| class.name.as_str()),
        };
        analysis.tested = analysis.tested_states();
        analysis
    }
}

impl<'a> Analysis<'_, 'a, '_> {
    /// The races in the function's body.
    pub(super) fn races(&self) -> Vec<Race> {
        let mut races = Vec::new();
        let mut reads = HashMap::default();
        self.block(&self.function.body, &mut reads, &mut races);
        races
    }

    /// Walks a block (not under a lock), looking for the checks of each shape.
    fn block(
        &self,
        stmts: &'a [Stmt],
        reads: &mut HashMap<&'a str, StoreRead<'a>>,
        races: &mut Vec<Race>,
    ) {
        for (index, stmt) in stmts.iter().enumerate() {
            let rest = &stmts[index + 1..];
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::With(with) if !self.is_protecting(with) => {
                    self.block(&with.body, reads, races)
                }
                Stmt::With(_) => {}
                Stmt::If(if_stmt) => {
                    let previous = index.checked_sub(1).map(|at| &stmts[at]);
                    self.lazy_init(if_stmt, previous, rest, races);
                    self.check_then_write(if_stmt, rest, reads, races);
                    self.block(&if_stmt.body, reads, races);
                    for clause in &if_stmt.elif_else_clauses {
                        self.block(&clause.body, reads, races);
                    }
                }
                Stmt::For(for_stmt) => {
                    self.block(&for_stmt.body, reads, races);
                    self.block(&for_stmt.orelse, reads, races);
                }
                Stmt::While(while_stmt) => {
                    self.block(&while_stmt.body, reads, races);
                    self.block(&while_stmt.orelse, reads, races);
                }
                Stmt::Try(try_stmt) => {
                    self.lazy_fill_on_miss(try_stmt, rest, races);
                    self.block(&try_stmt.body, reads, races);
                    for handler in &try_stmt.handlers {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        self.block(&handler.body, reads, races);
                    }
                    self.block(&try_stmt.orelse, reads, races);
                    self.block(&try_stmt.finalbody, reads, races);
                }
                Stmt::Match(match_stmt) => {
                    for case in &match_stmt.cases {
                        self.block(&case.body, reads, races);
                    }
                }
                Stmt::Assign(_) | Stmt::AnnAssign(_) => {
                    self.remember_read(stmt, reads);
                    self.read_modify_write(stmt, rest, races);
                }
                Stmt::AugAssign(assign) => self.augmented_across_await(assign, races),
                _ => {}
            }
        }
    }

    /// The function's locals and what is assigned to them, built on first use.
    pub(super) fn assignments(&self) -> &HashMap<&'a str, Vec<Option<&'a Expr>>> {
        self.assignments.get_or_init(|| {
            let mut found: HashMap<&'a str, Vec<Option<&'a Expr>>> = HashMap::default();
            for parameter in self.function.parameters.iter() {
                found
                    .entry(parameter.name().as_str())
                    .or_default()
                    .push(None);
            }
            collect_assignments(&self.function.body, &mut |target, value, index| {
                if let Expr::Name(name) = target {
                    found
                        .entry(name.id.as_str())
                        .or_default()
                        .push(value.filter(|_| index.is_none()));
                }
            });
            found
        })
    }
}
