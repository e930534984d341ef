//! Branch tests whose outcome a reader can see without running the code: `if False:`, a test
//! of `sys.version_info` that the project's target version settles ([`version_gates`]), and
//! a test of a module-private flag that the module binds once, at its top level, to `True`
//! or `False`, and never rebinds (`_IS_SYNC = False` ... `if not _IS_SYNC:`). The last is
//! the shape of code generated in a sync and an async variant from one source (pymongo's
//! `synchronous/` and `asynchronous/` packages): each variant carries the other's branches,
//! dead. Inside a function, a local bound once to `True` or `False` is such a flag too (a
//! switch left in the code by hand), and a loop over a local bound once to an empty
//! container that nothing fills never runs its body ([`never_iterates`]). The walk skips a
//! branch that never runs, so no finding (and no call of the summary) comes from code that
//! cannot execute.
//!
//! At module level only private names (a leading `_`) count as flags: a public module
//! constant (`DEBUG = False`) is there for other modules or tests to set (`settings.DEBUG =
//! True`), which this module cannot see. A function's locals are its own, whatever their
//! names.

use ruff_python_ast::{self as ast, BoolOp, Expr, ModModule, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::Checker;
use super::version_gates::version_test_outcome;
use crate::ast_query::Node;

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
        Expr::Name(name) if checker.model.is_local(name.id.as_str()) => {
            local_flag(checker, name.id.as_str())
        }
        Expr::Name(name) if name.id.starts_with('_') => {
            let name = name.id.as_str();
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

/// A local flag of the function being walked: a name the function binds exactly once, to
/// `True` or `False` (`use_files = False` ... `if use_files:`), and nowhere else: not a
/// parameter, not rebound by another statement or a walrus, not declared `global` or
/// `nonlocal` anywhere in the function's text (a nested function could rebind it). A test
/// of it either sees that value or raises `NameError` before the binding runs: the other
/// branch never runs. A switch left in the code by hand, not a value the program computes.
fn local_flag(checker: &Checker, name: &str) -> Option<bool> {
    let function = checker.current_function()?;
    let mut flags = checker.rule_state::<LocalFlags>();
    flags
        .0
        .entry(function.range.start())
        .or_insert_with(|| function_flags(function, checker.source))
        .iter()
        .find_map(|&(range, value)| (&checker.source[range] == name).then_some(value))
}

/// Whether the body of `for_stmt` never runs: it iterates a local of the function being
/// walked that the function binds exactly once, to an empty list, dict, tuple or set, and
/// reads nowhere but as the iterable of a `for` (`temp_dirs = []` ... `for d in temp_dirs:`,
/// a list nothing ever fills). Any other read (`temp_dirs.append(d)`, passed to a call,
/// returned) may fill it, and the loop is walked.
pub fn never_iterates(checker: &Checker, for_stmt: &ast::StmtFor) -> bool {
    let Expr::Name(iterated) = &*for_stmt.iter else {
        return false;
    };
    let Some(function) = checker.current_function() else {
        return false;
    };
    if !checker.model.is_local(iterated.id.as_str()) {
        return false;
    }
    let mut empty = checker.rule_state::<EmptyLocals>();
    empty
        .0
        .entry(function.range.start())
        .or_insert_with(|| never_filled(function, checker.source))
        .iter()
        .any(|&range| checker.source[range] == *iterated.id.as_str())
}

/// The never-filled locals of each function asked about (by where it starts), by the
/// range of the name where it is bound.
#[derive(Default)]
struct EmptyLocals(rustc_hash::FxHashMap<TextSize, Vec<TextRange>>);

/// The locals `function` binds exactly once, to an empty container, and reads only as the
/// iterable of a `for` loop.
fn never_filled(function: &ast::StmtFunctionDef, source: &str) -> Vec<TextRange> {
    let mut candidates: Vec<&ast::ExprName> = Vec::new();
    crate::ast_query::collect_assignments(&function.body, &mut |target, value, index| {
        if let Expr::Name(target) = target
            && index.is_none()
            && value.is_some_and(|value| {
                crate::ast_query::is_empty_container(value)
                    || matches!(value, Expr::Tuple(tuple) if tuple.elts.is_empty())
            })
        {
            candidates.push(target);
        }
    });
    if candidates.is_empty() {
        return Vec::new();
    }
    let mut scan = FlagScan {
        any_name: true,
        ..FlagScan::default()
    };
    scan.statements(&function.body);
    if scan.opaque {
        return Vec::new();
    }
    let own = OwnLocals::new(function, source);
    candidates.retain(|candidate| {
        let name = candidate.id.as_str();
        scan.other.iter().filter(|bound| **bound == name).count() == 1 && own.holds(name)
    });
    if candidates.is_empty() {
        return Vec::new();
    }
    // Every read, nested scopes included, must be a `for` loop's iterable; a walrus
    // rebinding disqualifies.
    let mut reads: Vec<(String, TextRange)> = Vec::new();
    let mut rebound: Vec<String> = Vec::new();
    crate::ast_query::any_in_body(&function.body, &mut |expr| {
        match expr {
            Expr::Name(read)
                if read.ctx.is_load() && candidates.iter().any(|bound| bound.id == read.id) =>
            {
                reads.push((read.id.to_string(), read.range));
            }
            Expr::Named(named) => {
                if let Expr::Name(target) = &*named.target {
                    rebound.push(target.id.to_string());
                }
            }
            _ => {}
        }
        false
    });
    let mut iterables: Vec<TextRange> = Vec::new();
    crate::ast_query::walk_scopes(&function.body, &mut |node| {
        if let Node::Stmt(Stmt::For(loop_stmt)) = node {
            iterables.push(loop_stmt.iter.range());
        }
    });
    candidates
        .into_iter()
        .filter(|candidate| {
            let name = candidate.id.as_str();
            !rebound.iter().any(|bound| bound == name)
                && reads
                    .iter()
                    .filter(|(read, _)| read == name)
                    .all(|(_, range)| iterables.contains(range))
        })
        .map(|candidate| candidate.range)
        .collect()
}

/// The flags of each function asked about (by where it starts), by the range of each name
/// where it is bound.
#[derive(Default)]
struct LocalFlags(rustc_hash::FxHashMap<TextSize, Vec<(TextRange, bool)>>);

fn function_flags(function: &ast::StmtFunctionDef, source: &str) -> Vec<(TextRange, bool)> {
    let mut scan = FlagScan {
        any_name: true,
        ..FlagScan::default()
    };
    scan.statements(&function.body);
    if scan.opaque || scan.literal.is_empty() {
        return Vec::new();
    }
    // Walrus bindings (`(use_files := probe())`), nested scopes included: the safe side.
    let mut walrus_bound: Vec<String> = Vec::new();
    crate::ast_query::any_in_body(&function.body, &mut |expr| {
        if let Expr::Named(named) = expr
            && let Expr::Name(target) = &*named.target
        {
            walrus_bound.push(target.id.to_string());
        }
        false
    });
    let own = OwnLocals::new(function, source);
    let mut flags = Vec::new();
    for (index, &(name, value)) in scan.literal.iter().enumerate() {
        let name_text = name.id.as_str();
        let bound_once = scan
            .literal
            .iter()
            .enumerate()
            .all(|(other_index, (other_name, _))| {
                other_index == index || other_name.id.as_str() != name_text
            });
        if bound_once
            && !scan.other.contains(&name_text)
            && !walrus_bound.iter().any(|bound| bound == name_text)
            && own.holds(name_text)
        {
            flags.push((name.range, value));
        }
    }
    flags
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
        ..
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

/// Bindings of private names (of any name, with `any_name`) in a body, nested scopes left
/// out: those made by a boolean literal, and the rest.
#[derive(Default)]
struct FlagScan<'a> {
    any_name: bool,
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
                ([Expr::Name(name)], Expr::BooleanLiteral(literal)) if self.counts(&name.id) => {
                    self.literal.push((name, literal.value));
                }
                (targets, _) => targets.iter().for_each(|target| self.target(target)),
            },
            Stmt::AnnAssign(assign) => match (&*assign.target, assign.value.as_deref()) {
                (Expr::Name(name), Some(Expr::BooleanLiteral(literal)))
                    if self.counts(&name.id) =>
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

    fn counts(&self, name: &str) -> bool {
        self.any_name || name.starts_with('_')
    }

    fn name(&mut self, name: &'a str) {
        if self.counts(name) {
            self.other.push(name);
        }
    }
}

/// Whether a `global` statement anywhere in the text names `name`: a function that can
/// rebind the flag makes it no flag. Read from the text, so a comment that spells one
/// counts too (the safe side).
fn declared_global(source: &str, name: &str) -> bool {
    declared(source, "global", name)
}

/// What makes a name a function's own local, beyond its binding: not a parameter (a caller
/// binds it too), and not named by a `global` or `nonlocal` anywhere in the function's text
/// (a nested function could rebind it).
struct OwnLocals<'a> {
    function: &'a ast::StmtFunctionDef,
    text: &'a str,
    /// Most functions declare nothing: one search of their text spares one per name.
    may_declare: bool,
}

impl<'a> OwnLocals<'a> {
    fn new(function: &'a ast::StmtFunctionDef, source: &'a str) -> Self {
        let text = &source[function.range];
        let may_declare = memchr::memmem::find(text.as_bytes(), b"global").is_some()
            || memchr::memmem::find(text.as_bytes(), b"nonlocal").is_some();
        Self {
            function,
            text,
            may_declare,
        }
    }

    fn holds(&self, name: &str) -> bool {
        !self
            .function
            .parameters
            .iter()
            .any(|parameter| parameter.name().as_str() == name)
            && (!self.may_declare
                || !declared(self.text, "global", name) && !declared(self.text, "nonlocal", name))
    }
}

/// Whether a `global` (or `nonlocal`, as `keyword` says) statement in `source` names `name`.
fn declared(source: &str, keyword: &str, name: &str) -> bool {
    source.match_indices(keyword).any(|(at, _)| {
        let rest = &source[at + keyword.len()..];
        let line = rest.split(['\n', ';', '#']).next().unwrap_or_default();
        line.split([',', ' ', '\t', '\\'])
            .any(|word| word.trim() == name)
    })
}
