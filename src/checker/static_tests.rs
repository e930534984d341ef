//! Branch tests whose outcome a reader can see without running the code: `if False:`, a test
//! of `sys.version_info` that the project's target version settles ([`version_gates`]), and
//! a test of a module-private flag that the module binds once, at its top level, to `True`
//! or `False`, and never rebinds (`_IS_SYNC = False` ... `if not _IS_SYNC:`). The last is
//! the shape of code generated in a sync and an async variant from one source (pymongo's
//! `synchronous/` and `asynchronous/` packages): each variant carries the other's branches,
//! dead. The walk skips a branch that never runs, so no finding (and no call of the
//! summary) comes from code that cannot execute.
//!
//! Only private names (a leading `_`) count as flags: a public module constant (`DEBUG =
//! False`) is there for other modules or tests to set (`settings.DEBUG = True`), which this
//! module cannot see.

use ruff_python_ast::{self as ast, BoolOp, Expr, ModModule, Stmt, UnaryOp};
use ruff_text_size::TextRange;

use super::Checker;
use super::version_gates::version_test_outcome;

/// Whether `test` is true (`Some(true)`) or false (`Some(false)`) on every run of every
/// Python the project supports; `None` when it depends.
pub fn test_outcome(checker: &Checker, test: &Expr) -> Option<bool> {
    match test {
        Expr::BooleanLiteral(literal) => Some(literal.value),
        Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => {
            test_outcome(checker, &unary.operand).map(|outcome| !outcome)
        }
        Expr::BoolOp(bool_op) => {
            // `and` is settled false by any operand settled false, true only when all are;
            // `or` the other way round.
            let settles = bool_op.op == BoolOp::Or;
            let mut all_settled = true;
            for value in &bool_op.values {
                match test_outcome(checker, value) {
                    Some(outcome) if outcome == settles => return Some(settles),
                    Some(_) => {}
                    None => all_settled = false,
                }
            }
            all_settled.then_some(!settles)
        }
        Expr::Name(name) if name.id.starts_with('_') => {
            let name = name.id.as_str();
            if checker.model.is_local(name) {
                return None;
            }
            let mut flags = checker.rule_state::<ConstantFlags>();
            let flags = flags
                .0
                .get_or_insert_with(|| constant_flags(checker.module, checker.source));
            flags
                .iter()
                .find_map(|&(range, value)| (&checker.source[range] == name).then_some(value))
        }
        _ => version_test_outcome(checker, test),
    }
}

/// The module's private flags, found on the first question: by the range of each name
/// where it is bound.
#[derive(Default)]
struct ConstantFlags(Option<Vec<(TextRange, bool)>>);

/// The module's private flags: names starting with `_` bound exactly once at module level,
/// by `_NAME = True` or `_NAME = False` (or `_NAME: bool = ...`), bound nowhere else at
/// module level and never declared `global` by a function.
fn constant_flags(module: &ModModule, source: &str) -> Vec<(TextRange, bool)> {
    let mut scan = FlagScan::default();
    scan.statements(&module.body);
    let FlagScan {
        literal,
        other,
        opaque,
    } = scan;
    if opaque {
        return Vec::new();
    }
    let mut flags = Vec::new();
    for (index, &(name, value)) in literal.iter().enumerate() {
        let name_text = name.id.as_str();
        let bound_once = literal
            .iter()
            .enumerate()
            .all(|(other_index, (other_name, _))| {
                other_index == index || other_name.id.as_str() != name_text
            });
        if bound_once && !other.contains(&name_text) && !declared_global(source, name_text) {
            flags.push((name.range, value));
        }
    }
    flags
}

/// Module-level bindings of private names: those made by a boolean literal, and the rest.
#[derive(Default)]
struct FlagScan<'a> {
    literal: Vec<(&'a ast::ExprName, bool)>,
    other: Vec<&'a str>,
    /// A module-level `match`, whose patterns may bind any name: no flag is certain then.
    opaque: bool,
}

impl<'a> FlagScan<'a> {
    fn statements(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            self.statement(stmt);
        }
    }

    fn statement(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Assign(assign) => match (assign.targets.as_slice(), &*assign.value) {
                ([Expr::Name(name)], Expr::BooleanLiteral(literal)) if name.id.starts_with('_') => {
                    self.literal.push((name, literal.value));
                }
                (targets, _) => targets.iter().for_each(|target| self.target(target)),
            },
            Stmt::AnnAssign(assign) => match (&*assign.target, assign.value.as_deref()) {
                (Expr::Name(name), Some(Expr::BooleanLiteral(literal)))
                    if name.id.starts_with('_') =>
                {
                    self.literal.push((name, literal.value));
                }
                (target, _) => self.target(target),
            },
            Stmt::AugAssign(assign) => self.target(&assign.target),
            Stmt::Delete(delete) => delete.targets.iter().for_each(|target| self.target(target)),
            Stmt::FunctionDef(function) => self.name(function.name.as_str()),
            Stmt::ClassDef(class) => self.name(class.name.as_str()),
            Stmt::Import(import) => {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.name(bound.as_str().split('.').next().unwrap_or_default());
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    self.name(alias.asname.as_ref().unwrap_or(&alias.name).as_str());
                }
            }
            Stmt::For(for_stmt) => {
                self.target(&for_stmt.target);
                self.statements(&for_stmt.body);
                self.statements(&for_stmt.orelse);
            }
            Stmt::While(while_stmt) => {
                self.statements(&while_stmt.body);
                self.statements(&while_stmt.orelse);
            }
            Stmt::If(if_stmt) => {
                self.statements(&if_stmt.body);
                for clause in &if_stmt.elif_else_clauses {
                    self.statements(&clause.body);
                }
            }
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(target) = &item.optional_vars {
                        self.target(target);
                    }
                }
                self.statements(&with.body);
            }
            Stmt::Try(try_stmt) => {
                self.statements(&try_stmt.body);
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    if let Some(name) = &handler.name {
                        self.name(name.as_str());
                    }
                    self.statements(&handler.body);
                }
                self.statements(&try_stmt.orelse);
                self.statements(&try_stmt.finalbody);
            }
            Stmt::Match(match_stmt) => {
                self.opaque = true;
                for case in &match_stmt.cases {
                    self.statements(&case.body);
                }
            }
            _ => {}
        }
    }

    fn target(&mut self, target: &'a Expr) {
        match target {
            Expr::Name(name) => self.name(name.id.as_str()),
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|element| self.target(element)),
            Expr::List(list) => list.elts.iter().for_each(|element| self.target(element)),
            Expr::Starred(starred) => self.target(&starred.value),
            _ => {}
        }
    }

    fn name(&mut self, name: &'a str) {
        if name.starts_with('_') {
            self.other.push(name);
        }
    }
}

/// Whether a `global` statement anywhere in the text names `name`: a function that can
/// rebind the flag makes it no flag. Read from the text, so a comment that spells one
/// counts too (the safe side).
fn declared_global(source: &str, name: &str) -> bool {
    source.match_indices("global").any(|(at, _)| {
        let rest = &source[at + "global".len()..];
        let line = rest.split(['\n', ';', '#']).next().unwrap_or_default();
        line.split([',', ' ', '\t', '\\'])
            .any(|word| word.trim() == name)
    })
}
