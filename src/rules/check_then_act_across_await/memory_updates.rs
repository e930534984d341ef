//! Shape 3 in memory: state other coroutines see (`self.total`, `self.counts[key]`, a
//! global) read, an `await`, and a write built on what was read. Two spellings:
//! `self.total += await self.fetch()`, where the augmented assignment reads its target
//! before the await runs, and `current = self.total`, then an await, then `self.total =
//! current + delta`. Reported where calls of the function plausibly overlap: other code of
//! its class or module calls it from two places or more, or runs its coroutines side by side.

use ruff_python_ast::{self as ast, Expr, Operator, Stmt};
use ruff_text_size::Ranged;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::ast_query::{class_assigns_attribute, receiver_attribute};
use crate::catalog;
use crate::semantic::is_collection;

use super::analysis::Analysis;
use super::events::scan_after;
use super::model::{Race, RaceKind};
use super::read_modify_write::{is_modified, track_modification};
use super::syntax::first_await;

impl<'a> Analysis<'_, 'a, '_> {
    /// `self.total += await self.fetch()`: the target is read, the coroutine runs (and others
    /// with it), and the sum of the old value is written. Not for an update in place
    /// (`self.seen |= await found()` on a set, `+=` on a list): it changes the object other
    /// coroutines also change, and loses nothing.
    pub(super) fn augmented_across_await(
        &self,
        assign: &'a ast::StmtAugAssign,
        races: &mut Vec<Race>,
    ) {
        if matches!(
            assign.op,
            Operator::BitOr | Operator::BitAnd | Operator::BitXor
        ) || !self.is_shared_place(&assign.target)
        {
            return;
        }
        let Some(awaited) = first_await(&assign.value) else {
            return;
        };
        if self.holds_collection(&assign.target) || !self.runs_beside_itself() {
            return;
        }
        races.push(Race {
            resource: false,
            check: assign.target.range(),
            awaited,
            write: assign.range(),
            kind: RaceKind::AugmentedAcrossAwait,
            inserts: false,
            filled: None,
            through: None,
        });
    }

    /// `current = self.total`, an await, then `self.total = current + delta`: the value
    /// written builds on a copy taken before other coroutines ran. Most copies of state are
    /// never written back: that is looked for first, by the text of the assignments' targets,
    /// before anything is flattened or allocated.
    pub(super) fn snapshot_written_back(
        &self,
        local: &'a str,
        read: &'a Expr,
        rest: &'a [Stmt],
        races: &mut Vec<Race>,
    ) {
        if !self.is_shared_place(read) {
            return;
        }
        let state = self.checker.text(read.range());
        let writes_state = |stmt: &Stmt| {
            matches!(stmt, Stmt::Assign(assign) if assign
                .targets
                .iter()
                .any(|target| self.checker.text(target.range()) == state))
        };
        if !any_statement(rest, &writes_state) {
            return;
        }
        let mut derived: HashSet<&str> = HashSet::from_iter([local]);
        let mut modified: HashSet<&str> = HashSet::default();
        let mut aliases: HashMap<&str, &str> = HashMap::default();
        scan_after(self, rest, |stmt, protected, seen| {
            if let Stmt::Assign(assign) = stmt
                && writes_state(stmt)
            {
                // Written back from the copy, after an await: a lost update, where calls of
                // the function overlap. Written from anything else, the copy no longer
                // matters.
                if let Some(awaited) = seen
                    && !protected
                    && is_modified(&assign.value, &derived, &modified)
                    && self.runs_beside_itself()
                {
                    races.push(Race {
                        resource: false,
                        check: read.range(),
                        awaited,
                        write: assign.range(),
                        kind: RaceKind::StaleWriteBack,
                        inserts: false,
                        filled: None,
                        through: None,
                    });
                }
                return true;
            }
            track_modification(stmt, &mut derived, &mut modified, &mut aliases);
            derived.is_empty()
        });
    }

    /// Whether `target` holds a collection that `+=` extends in place: its type says so, or
    /// the class assigns its attribute a list, set or dict (`self.results = []`).
    fn holds_collection(&self, target: &Expr) -> bool {
        if let Some(type_name) = self.checker.model.type_of(target) {
            return catalog::IN_PLACE_AUGMENTED_TYPES.contains(&type_name.as_str())
                || is_collection(&type_name);
        }
        let (Some(class), Some(receiver)) = (self.class, self.receiver) else {
            return false;
        };
        let Some(attribute) = receiver_attribute(target, receiver) else {
            return false;
        };
        let makes_collection = |value: &Expr| match value {
            Expr::List(_) | Expr::ListComp(_) | Expr::Set(_) | Expr::SetComp(_) => true,
            Expr::Dict(_) | Expr::DictComp(_) => true,
            Expr::Call(call) => (self.checker.model.call_path(call))
                .is_some_and(|path| catalog::IN_PLACE_AUGMENTED_TYPES.contains(&path.as_str())),
            _ => false,
        };
        class_assigns_attribute(class, attribute, &makes_collection)
    }

    /// Shared state that can be read and written whole: an attribute or global
    /// ([`Self::is_shared`]), or an item of one (`self.counts[key]`).
    fn is_shared_place(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Subscript(subscript) => self.is_shared(&subscript.value),
            _ => self.is_shared(expr),
        }
    }
}

/// Whether `test` holds for a statement of `stmts` or of the blocks they hold (not of nested
/// functions or classes).
fn any_statement(stmts: &[Stmt], test: &dyn Fn(&Stmt) -> bool) -> bool {
    stmts.iter().any(|stmt| {
        test(stmt)
            || match stmt {
                Stmt::If(if_stmt) => {
                    any_statement(&if_stmt.body, test)
                        || (if_stmt.elif_else_clauses.iter())
                            .any(|clause| any_statement(&clause.body, test))
                }
                Stmt::For(ast::StmtFor { body, orelse, .. })
                | Stmt::While(ast::StmtWhile { body, orelse, .. }) => {
                    any_statement(body, test) || any_statement(orelse, test)
                }
                Stmt::With(with) => any_statement(&with.body, test),
                Stmt::Try(try_stmt) => {
                    any_statement(&try_stmt.body, test)
                        || try_stmt.handlers.iter().any(|handler| {
                            let ast::ExceptHandler::ExceptHandler(handler) = handler;
                            any_statement(&handler.body, test)
                        })
                        || any_statement(&try_stmt.orelse, test)
                        || any_statement(&try_stmt.finalbody, test)
                }
                Stmt::Match(match_stmt) => {
                    (match_stmt.cases.iter()).any(|case| any_statement(&case.body, test))
                }
                _ => false,
            }
    })
}
