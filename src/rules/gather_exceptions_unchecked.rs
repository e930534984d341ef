//! LW402 gather-exceptions-unchecked: `asyncio.gather(..., return_exceptions=True)` turns
//! failures into list items; if nobody looks at the items, the failures are silent.

use std::collections::HashSet;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::catalog::{
    EXCEPTION_BASE_CLASSES, GATHER_CALLS, ITERATION_HELPERS, NON_INSPECTING_CALLS,
};
use crate::checker::Checker;
use crate::checker::gather::{target_names, waits_on_tasks_held_elsewhere};
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;
use crate::semantic::dotted_name;

pub const DOCS: &str = r#"# LW402 gather-exceptions-unchecked

## What it does
Flags `asyncio.gather(..., return_exceptions=True)` (however imported) whose result is
- dropped: `await asyncio.gather(a(), b(), return_exceptions=True)` as a statement, or
- bound to names (`results = ...`, `a, b = ...`, `for r in await asyncio.gather(...)`) that
  are never checked for exceptions and never handed on.

A result counts as checked when an item of it (the name itself, an item `results[i]`, a loop or
comprehension variable over it, also through `enumerate`/`zip`/`list`) is tested with
`isinstance(item, C)` or `issubclass(type(item), C)` where `C` is an exception class
(`BaseException`, `Exception`, any class whose name ends in `Error` or `Exception`, or a tuple
holding one), or is raised. It counts as handed on when it, or an item of it, is returned or
yielded, passed to a call (`log.info("%s", r)`, `self._handle(results)`), stored in an
attribute or container, or used inside a nested function.

## Why is this bad?
`return_exceptions=True` makes `gather` wait for every awaitable and return exceptions as
ordinary list items instead of raising them. That is the right call when every result is then
inspected; when it is not, each failure (a lost write, a timed-out request) vanishes without a
log line or a traceback: the gather "succeeds" and the caller carries on. Note that
cancellations are returned too, as `asyncio.CancelledError`, which is a `BaseException` and not
an `Exception`: check for `BaseException` to see them.

## Example
```python
async def notify_all(users):
    await asyncio.gather(*(send_email(u) for u in users), return_exceptions=True)
```

## Use instead
```python
async def notify_all(users):
    results = await asyncio.gather(*(send_email(u) for u in users), return_exceptions=True)
    for user, result in zip(users, results):
        if isinstance(result, BaseException):
            log.error("email to %s failed", user, exc_info=result)
```

## Not flagged
- The shutdown drain of tasks created elsewhere:
  `await asyncio.gather(*self._tasks, return_exceptions=True)` (or `*background_tasks`, a
  module-level collection, possibly through `list(...)`/`.values()`), where the tasks' errors
  are handled by whoever created them and the drain only waits for them to finish. A gather over
  `asyncio.all_tasks()`, directly or through a local built from it, is the same drain.
  A local list of coroutines or tasks built in the same function is *not* exempt.
- A result that is checked or handed on as described above.
- A `gather` used inside a larger expression (`await asyncio.wait_for(asyncio.gather(...), 5)`,
  `return await asyncio.gather(...)`): its result is handed on.
- `return_exceptions=False` or a non-literal value; without `return_exceptions=`, see LW401.

## Fix
None: what to do with a failure (log, retry, re-raise) is the caller's decision. The help line
shows the check.
"#;

const HELP: &str =
    "Check each result: `if isinstance(result, BaseException): ...` (log, retry or re-raise it)";

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, path: &str) {
    if !GATHER_CALLS.contains(&path) {
        return;
    }
    let returns_exceptions = call
        .arguments
        .find_keyword("return_exceptions")
        .is_some_and(
            |keyword| matches!(&keyword.value, Expr::BooleanLiteral(literal) if literal.value),
        );
    if !returns_exceptions || waits_on_tasks_held_elsewhere(checker, call) {
        return;
    }
    let Some(consumer) = consumer(checker, call) else {
        return;
    };
    let message = match consumer {
        Consumer::Dropped => {
            "Result of `asyncio.gather(..., return_exceptions=True)` is dropped: every exception it collected is silently discarded"
                .to_string()
        }
        Consumer::Names(names) => {
            if result_is_used(checker, &names) {
                return;
            }
            let shown = names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ");
            format!(
                "Results of `asyncio.gather(..., return_exceptions=True)` in {shown} are never checked for exceptions: failures are silent"
            )
        }
    };
    checker.report(
        Diagnostic::new(Rule::GatherExceptionsUnchecked, message, call.range()).with_help(HELP),
    );
}

enum Consumer {
    Dropped,
    /// Bound to these names (assignment targets or loop variables).
    Names(Vec<String>),
}

/// Where the gather's result goes, when it goes to a statement of its own.
fn consumer(checker: &Checker, call: &ast::ExprCall) -> Option<Consumer> {
    let ancestors = checker.expression_ancestors();
    let outer = ancestors.split_last().map(|(_, rest)| rest).unwrap_or(&[]);
    let value = match outer {
        [] => call.range(),
        [Expr::Await(await_expr)] if await_expr.value.range() == call.range() => await_expr.range(),
        _ => return None,
    };
    match checker.current_statement()? {
        Stmt::Expr(expr) if expr.value.range() == value => Some(Consumer::Dropped),
        Stmt::Assign(assign) if assign.value.range() == value => {
            let mut names = Vec::new();
            for target in &assign.targets {
                target_names(target, &mut names)?;
            }
            Some(Consumer::Names(names))
        }
        Stmt::AnnAssign(assign) if assign.value.as_deref().is_some_and(|v| v.range() == value) => {
            let mut names = Vec::new();
            target_names(&assign.target, &mut names)?;
            Some(Consumer::Names(names))
        }
        Stmt::For(for_stmt) if for_stmt.iter.range() == value => {
            let mut names = Vec::new();
            target_names(&for_stmt.target, &mut names)?;
            Some(Consumer::Names(names))
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Is the result looked at?

/// Whether the result bound to `names` is checked for exceptions or handed on anywhere in
/// the current body.
fn result_is_used(checker: &Checker, names: &[String]) -> bool {
    let body = checker.current_body();
    let mut derived: HashSet<String> = names.iter().cloned().collect();
    // The names that hold the results or their items: loop and comprehension variables over
    // them, `x = results[0]`, `pairs = zip(keys, results)`. A few rounds reach a fixpoint.
    for _round in 0..4 {
        let mut derivation = Derivation {
            checker,
            derived: &derived,
            learned: Vec::new(),
        };
        derivation.visit_body(body);
        let learned = derivation.learned;
        let before = derived.len();
        derived.extend(learned);
        if derived.len() == before {
            break;
        }
    }
    let mut usage = Usage {
        checker,
        derived: &derived,
        nested: 0,
        used: false,
    };
    usage.visit_body(body);
    usage.used
}

/// Whether `expr` evaluates to the results, an item of them, or an iterator over them.
fn carries(checker: &Checker, derived: &HashSet<String>, expr: &Expr) -> bool {
    match expr {
        Expr::Name(name) => derived.contains(name.id.as_str()),
        Expr::Subscript(subscript) => carries(checker, derived, &subscript.value),
        Expr::Starred(starred) => carries(checker, derived, &starred.value),
        Expr::Named(named) => carries(checker, derived, &named.value),
        Expr::Call(call) => {
            is_iteration_helper(checker, call)
                && call
                    .arguments
                    .args
                    .iter()
                    .any(|arg| carries(checker, derived, arg))
        }
        _ => false,
    }
}

fn is_iteration_helper(checker: &Checker, call: &ast::ExprCall) -> bool {
    checker
        .model
        .call_path(call)
        .is_some_and(|path| ITERATION_HELPERS.contains(&path.as_str()))
}

fn is_non_inspecting(checker: &Checker, call: &ast::ExprCall) -> bool {
    checker
        .model
        .call_path(call)
        .is_some_and(|path| NON_INSPECTING_CALLS.contains(&path.as_str()))
}

struct Derivation<'c, 'a, 'm> {
    checker: &'c Checker<'a, 'm>,
    derived: &'c HashSet<String>,
    learned: Vec<String>,
}

impl Derivation<'_, '_, '_> {
    fn learn_from(&mut self, target: &Expr, value: &Expr) {
        if carries(self.checker, self.derived, value) {
            let mut names = Vec::new();
            if target_names(target, &mut names).is_some() {
                self.learned.extend(names);
            }
        }
    }
}

impl<'b> Visitor<'b> for Derivation<'_, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'b Stmt) {
        match stmt {
            Stmt::For(for_stmt) => self.learn_from(&for_stmt.target, &for_stmt.iter),
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.learn_from(target, &assign.value);
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    self.learn_from(&assign.target, value);
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_comprehension(&mut self, comprehension: &'b ast::Comprehension) {
        self.learn_from(&comprehension.target, &comprehension.iter);
        visitor::walk_comprehension(self, comprehension);
    }
}

struct Usage<'c, 'a, 'm> {
    checker: &'c Checker<'a, 'm>,
    derived: &'c HashSet<String>,
    /// Inside a nested function or lambda.
    nested: usize,
    used: bool,
}

impl Usage<'_, '_, '_> {
    fn carries(&self, expr: &Expr) -> bool {
        carries(self.checker, self.derived, expr)
    }

    /// The value, or an element of a tuple/list/dict/set display of it, carries the results.
    fn holds_results(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Tuple(ast::ExprTuple { elts, .. })
            | Expr::List(ast::ExprList { elts, .. })
            | Expr::Set(ast::ExprSet { elts, .. }) => {
                elts.iter().any(|elt| self.holds_results(elt))
            }
            Expr::Dict(dict) => dict.iter().any(|item| self.holds_results(&item.value)),
            other => self.carries(other),
        }
    }

    fn is_exception_check(&self, call: &ast::ExprCall) -> bool {
        let Some(path) = self.checker.model.call_path(call) else {
            return false;
        };
        let args = &call.arguments.args;
        let (Some(subject), Some(class)) = (args.first(), args.get(1)) else {
            return false;
        };
        let subject_carries = match path.as_str() {
            "builtins.isinstance" => self.carries(subject),
            // `issubclass(type(r), Exception)`
            "builtins.issubclass" => match subject {
                Expr::Call(inner) => {
                    self.checker.model.call_path(inner).as_deref() == Some("builtins.type")
                        && inner
                            .arguments
                            .args
                            .first()
                            .is_some_and(|arg| self.carries(arg))
                }
                other => self.carries(other),
            },
            _ => return false,
        };
        subject_carries && is_exception_class(self.checker, class)
    }
}

impl<'b> Visitor<'b> for Usage<'_, '_, '_> {
    fn visit_stmt(&mut self, stmt: &'b Stmt) {
        if self.used {
            return;
        }
        match stmt {
            Stmt::Return(ast::StmtReturn {
                value: Some(value), ..
            }) if self.holds_results(value) => {
                self.used = true;
            }
            Stmt::Raise(ast::StmtRaise { exc: Some(exc), .. }) if self.carries(exc) => {
                self.used = true
            }
            Stmt::Assign(assign)
                if self.holds_results(&assign.value)
                    && assign
                        .targets
                        .iter()
                        .any(|target| target_names(target, &mut Vec::new()).is_none()) =>
            {
                // Stored in an attribute or a container.
                self.used = true;
            }
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {
                self.nested += 1;
                visitor::walk_stmt(self, stmt);
                self.nested -= 1;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'b Expr) {
        if self.used {
            return;
        }
        match expr {
            Expr::Name(name) if self.nested > 0 && self.derived.contains(name.id.as_str()) => {
                // A closure may do anything with it.
                self.used = true;
            }
            Expr::Yield(ast::ExprYield {
                value: Some(value), ..
            }) if self.holds_results(value) => self.used = true,
            Expr::YieldFrom(yield_from) if self.carries(&yield_from.value) => self.used = true,
            Expr::Call(call) => {
                if self.is_exception_check(call) {
                    self.used = true;
                    return;
                }
                let handed_on = !is_iteration_helper(self.checker, call)
                    && !is_non_inspecting(self.checker, call)
                    && (call
                        .arguments
                        .args
                        .iter()
                        .any(|arg| self.holds_results(arg))
                        || call
                            .arguments
                            .keywords
                            .iter()
                            .any(|keyword| self.holds_results(&keyword.value)));
                if handed_on {
                    self.used = true;
                    return;
                }
                visitor::walk_expr(self, expr);
            }
            Expr::Lambda(_) => {
                self.nested += 1;
                visitor::walk_expr(self, expr);
                self.nested -= 1;
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// `BaseException`, `Exception`, `ValueError`, `httpx.HTTPError`, `MyAppError`, or a tuple
/// holding one.
fn is_exception_class(checker: &Checker, class: &Expr) -> bool {
    match class {
        Expr::Tuple(tuple) => tuple
            .elts
            .iter()
            .any(|elt| is_exception_class(checker, elt)),
        Expr::Name(_) | Expr::Attribute(_) => {
            if checker
                .model
                .path_of(class)
                .is_some_and(|path| EXCEPTION_BASE_CLASSES.contains(&path.as_str()))
            {
                return true;
            }
            let name = dotted_name(class).unwrap_or_default();
            let last = name.rsplit('.').next().unwrap_or_default();
            last.ends_with("Error") || last.ends_with("Exception")
        }
        _ => false,
    }
}
