//! LW301 dangling-task: a task whose only strong reference is dropped as soon as it is
//! created, so the garbage collector may destroy it mid-flight.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::{enclosing_class, find_function, find_method, receiver_name};
use crate::catalog::{
    ASYNC_SLEEPS, FUTURE_MAKING_CALLS, FUTURE_PASSTHROUGH_CALLS, FUTURE_TYPES, TASK_CREATING_CALLS,
};
use crate::checker::{Checker, module_insert};
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW301 dangling-task

## What it does
Flags a task created with `asyncio.create_task(...)`, `asyncio.ensure_future(...)` or
`loop.create_task(...)` (on any loop value: `asyncio.get_running_loop().create_task(...)`, a
`loop` from `get_running_loop()`/`get_event_loop()`/`new_event_loop()`, a parameter or
attribute annotated `asyncio.AbstractEventLoop`, or a value nothing types whose name says it is
a loop: `loop`, `event_loop`, `self._loop`, `hass.loop`, as code that takes its loop as an
argument spells it; or a name of the project that re-exports one of these, such as the
`create_task` of a compatibility module, judged where the whole project is linked) whose
result is thrown away:
- the call is a bare expression statement,
- it is bound to a local name that is never read afterwards (`_ = asyncio.create_task(...)`
  included), unless the binding is in the body of a function that goes on into a `while
  True:` loop with no `break` or `return` of its own, also at the top of a `try` body (a
  serve-forever coroutine: the frame, and the local with it, lives as long as the loop),
- `[asyncio.create_task(c) for c in coros]` as a statement, or bound to a name never read,
- `asyncio.create_task(...).add_done_callback(...)` as a statement (the callback does not
  keep the task alive either), and a local read after only as `task.add_done_callback(...)`
  statements (a callback that names the task itself, or any other read, counts as kept),
- a task made inside the list of `await asyncio.wait([...], timeout=t)` or `return_when=
  FIRST_COMPLETED`/`FIRST_EXCEPTION`, as a statement: when the wait returns early, nothing
  references what is still pending (binding `done, pending = await asyncio.wait(...)` keeps
  it, and is not reported).
- a call of a sync function of the project, in any module, that makes a task and hands it
  back without keeping it (`return asyncio.create_task(...)`, or `task = ...` read after
  only by `return task` and `task.add_done_callback(...)`), as a statement or bound to a name
  never read: the caller held the task's only strong reference. No fix for this one.

## Why is this bad?
The event loop keeps only a *weak* reference to its tasks. A task that nothing else references can be garbage-collected before it finishes:
the coroutine simply stops, in the middle of whatever it was doing, with no error. The Python
documentation warns about exactly this: "Save a reference to the result of this function, to
avoid a task disappearing mid-execution." And since nobody holds the task, nobody ever awaits
it: if it fails, its exception surfaces at best as a "Task exception was never retrieved" log
line at garbage collection, long after the fact.

## Example
```python
import asyncio

async def handle(request):
    asyncio.create_task(send_audit_event(request))
    return {"status": "accepted"}
```

## Use instead
```python
import asyncio

background_tasks: set[asyncio.Task] = set()

async def handle(request):
    task = asyncio.create_task(send_audit_event(request))
    background_tasks.add(task)
    task.add_done_callback(background_tasks.discard)
    return {"status": "accepted"}
```
or, when the work must finish before the function returns, `asyncio.TaskGroup` (3.11+).

## Not flagged
- A task running a coroutine function of the module (by name, or a method of a module class
  on a value of that class), or one imported from another module of the project (decided at
  the link, never suspending only), that never suspends (no `await`, `async for` or `async with`: it
  runs to its end in its first step, which the loop holds; not a placeholder such as `pass`,
  a hook that subclasses override), or that only sleeps, for ever
  (`while True: await asyncio.sleep(1)`, a ticker that keeps the loop waking so Ctrl-C is
  noticed): while it sleeps the loop's timer holds it, and it has nothing to return or raise.
- `TaskGroup.create_task(...)` (`async with asyncio.TaskGroup() as tg: tg.create_task(...)`):
  the group holds its tasks and awaits them.
- A factory that keeps the task itself (`self._tasks.add(task)` before `return task`), so
  a caller may drop what it returns.
- A task that is kept: awaited, returned, passed to a call (`tasks.add(...)`,
  `asyncio.gather(...)`), stored in an attribute, a container or a module-level name, or bound
  to a local that is read later (including a read earlier in the same loop, which runs on the
  next iteration, and a read inside a nested function).
- `asyncio.ensure_future(x)` where `x` is already a known task or future (typed so, or the
  result of `asyncio.gather(...)`, `asyncio.shield(...)`, `asyncio.wrap_future(...)` or
  `loop.run_in_executor(...)`): it is returned as is, and no task is made.
- `create_task` on an object whose type is not known to be an event loop and whose name does
  not say it is one (`self.pool.create_task(...)`), or that is annotated as something else.

## Fix
Unsafe (the task now lives until it is done, which changes when it can be collected): for a
task dropped as a statement, or bound to a name never read, keep it in a set until it is
done, `tasks.add(task)` and `task.add_done_callback(tasks.discard)`. The set is one the
instance already keeps (`self.tasks = set()` in `__init__`) or the module already keeps
(`tasks = set()`), when its annotation says it holds tasks (`set[asyncio.Task]`), or its
name does (`self._tasks`, `background_tasks`) and the module already keeps tasks in it the
same way (`add_done_callback(self._tasks.discard)`): a set named `tasks` may hold a
scheduler's jobs, and an empty set of anything else is left alone; else
a new module-level `_background_tasks = set()`. Where the reference
should really live (a long-lived object, a `TaskGroup`) is a design decision the fix does not
make.
"#;

const HELP: &str = "Keep a strong reference: add the task to a module- or instance-level `set` and call `task.add_done_callback(that_set.discard)`";

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall, path: Option<&str>) {
    let path = match path {
        Some(path) if TASK_CREATING_CALLS.contains(&path) => path,
        // `create_task(...)` imported from the project's own compatibility module: held for
        // the link, which knows whether the name re-exports `asyncio`'s.
        Some(path) if names_project_task_factory(checker, path) => {
            if let Some(how) = dropped(checker, call) {
                let callee = path.rsplit('.').next().unwrap_or(path);
                let diagnostic = finding(checker, call, callee, how);
                checker.summary.hold_task_finding(diagnostic, path);
            }
            return;
        }
        _ => return,
    };
    if FUTURE_PASSTHROUGH_CALLS.contains(&path) && argument_is_future(checker, call) {
        return;
    }
    let Some(how) = dropped(checker, call) else {
        // Made and handed back at once: the function is a task factory, and a caller that
        // drops what it returns drops the task (judged at the link).
        if returned_unkept(checker, call) {
            checker.summary.current().returns_new_task = true;
        }
        return;
    };
    if leaves_nothing_to_lose(checker, call) {
        return;
    }
    let diagnostic = finding(checker, call, display_callee(path), how);
    match coroutine_of_another_module(checker, call) {
        Some(coroutine) => checker
            .summary
            .hold_dangling_finding(diagnostic, &coroutine),
        None => checker.report(diagnostic),
    }
}

/// The path of the coroutine function the task `call` makes runs, when it may be one of
/// another module of the project (`create_task(notify(hub))`, `notify` imported): whether it
/// ever suspends is the link's to say.
fn coroutine_of_another_module(checker: &Checker, call: &ast::ExprCall) -> Option<String> {
    let Some(Expr::Call(coroutine)) = call.arguments.args.first() else {
        return None;
    };
    // One the module defines was judged where it is.
    if module_coroutine(checker, coroutine).is_some() {
        return None;
    }
    let path = checker.model.call_path(coroutine)?;
    crate::project::roots::may_be_in_project(checker.roots, &path).then_some(path)
}

/// Whether the task `call` makes runs a coroutine function of the module (by its name, or a
/// method of a module class through a value of that class) that leaves nothing to lose
/// when dropped:
/// - it never suspends (no `await`, `async for` or `async with`): it runs to its end in the
///   task's first step, which the loop holds until then;
/// - or it only sleeps, for ever (`while True: await asyncio.sleep(1)`: a ticker that keeps
///   the loop waking, so that Ctrl-C is noticed on Windows): while it sleeps the loop's timer
///   holds its future, which holds the task, and it has no result or exception to lose.
fn leaves_nothing_to_lose(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Some(Expr::Call(coroutine)) = call.arguments.args.first() else {
        return false;
    };
    let Some(function) = module_coroutine(checker, coroutine) else {
        return false;
    };
    // A placeholder (`pass`, `...`, a docstring) is a hook a subclass overrides with real
    // work: what runs is not this body.
    if !function.is_async || crate::ast_query::is_stub(&function.body) {
        return false;
    }
    if crate::ast_query::first_suspension(&function.body, None).is_none() {
        return true;
    }
    let statements: Vec<&Stmt> = function
        .body
        .iter()
        .filter(|stmt| !is_docstring_or_pass(stmt))
        .collect();
    let [Stmt::While(loop_stmt)] = statements.as_slice() else {
        return false;
    };
    let forever = match &*loop_stmt.test {
        Expr::BooleanLiteral(literal) => literal.value,
        Expr::NumberLiteral(number) => {
            matches!(&number.value, ast::Number::Int(int) if int.as_u8() == Some(1))
        }
        _ => false,
    };
    forever
        && loop_stmt.orelse.is_empty()
        && loop_stmt.body.iter().all(|stmt| {
            is_docstring_or_pass(stmt)
                || matches!(stmt, Stmt::Expr(expr) if matches!(&*expr.value,
                    Expr::Await(awaited) if matches!(&*awaited.value,
                        Expr::Call(sleep) if checker.model.call_path(sleep)
                            .is_some_and(|path| ASYNC_SLEEPS.contains(&path.as_str())))))
        })
}

/// The definition `coroutine` calls, when the module makes it: a module-level function
/// called by name, or a method of a module class called on a value of that class
/// (`checker.start()` with `checker: Checker`, `self._loop()`).
fn module_coroutine<'a>(
    checker: &Checker<'a, '_>,
    coroutine: &ast::ExprCall,
) -> Option<&'a ast::StmtFunctionDef> {
    let module = &checker.module().body;
    if let Expr::Name(name) = &*coroutine.func {
        return find_function(module, name.id.as_str());
    }
    let path = checker.model.call_path(coroutine)?;
    let within = path.strip_prefix(checker.model.module.module_name.as_str())?;
    let (class, method) = within.strip_prefix('.')?.split_once('.')?;
    let class = module.iter().find_map(|stmt| match stmt {
        Stmt::ClassDef(class_def) if class_def.name.as_str() == class => Some(class_def),
        _ => None,
    })?;
    find_method(module, class, method, 0)
}

/// A `pass`, or a string on its own (a docstring or a comment written as one).
fn is_docstring_or_pass(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Pass(_))
        || matches!(stmt, Stmt::Expr(expr) if expr.value.is_string_literal_expr())
}

/// Whether the task `call` makes is what the sync function being walked returns, and
/// nothing else keeps it: `return asyncio.create_task(...)`, or `task = ...` whose every
/// later read is `return task` or a statement `task.add_done_callback(...)` (a callback
/// does not keep it alive).
fn returned_unkept(checker: &Checker, call: &ast::ExprCall) -> bool {
    if checker.returned_by_sync_function(call) {
        return true;
    }
    if checker.parent_expression().is_some()
        || checker
            .current_function()
            .is_none_or(|function| function.is_async)
    {
        return false;
    }
    let Some(statement) = checker.current_statement() else {
        return false;
    };
    let name = match statement {
        Stmt::Assign(assign) if assign.value.range() == call.range() => match &assign.targets[..] {
            [Expr::Name(name)] => name.id.as_str(),
            _ => return false,
        },
        Stmt::AnnAssign(assign)
            if assign
                .value
                .as_deref()
                .is_some_and(|v| v.range() == call.range()) =>
        {
            match &*assign.target {
                Expr::Name(name) => name.id.as_str(),
                _ => return false,
            }
        }
        _ => return false,
    };
    let mut reads = ReturnedOnly {
        name,
        after: statement.end(),
        returned: false,
        kept: false,
    };
    reads.visit_body(checker.current_body());
    reads.returned && !reads.kept
}

/// The reads of `name` after a binding: [`returned_unkept`].
struct ReturnedOnly<'n> {
    name: &'n str,
    after: ruff_text_size::TextSize,
    returned: bool,
    /// Read in any other way (passed, stored, awaited, read by a nested function): it may
    /// be kept.
    kept: bool,
}

impl ReturnedOnly<'_> {
    fn names_it(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Name(name) if name.id.as_str() == self.name)
    }
}

impl<'a> Visitor<'a> for ReturnedOnly<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.kept {
            return;
        }
        match stmt {
            Stmt::Return(ast::StmtReturn {
                value: Some(value), ..
            }) if self.names_it(value) && value.start() >= self.after => {
                self.returned = true;
            }
            Stmt::Expr(ast::StmtExpr { value, .. }) => match &**value {
                Expr::Call(callback)
                    if matches!(&*callback.func, Expr::Attribute(attribute)
                        if attribute.attr.as_str() == "add_done_callback"
                            && self.names_it(&attribute.value)) =>
                {
                    visitor::walk_arguments(self, &callback.arguments);
                }
                _ => visitor::walk_stmt(self, stmt),
            },
            Stmt::Global(ast::StmtGlobal { names, .. })
            | Stmt::Nonlocal(ast::StmtNonlocal { names, .. })
                if names.iter().any(|declared| declared.as_str() == self.name) =>
            {
                self.kept = true;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.kept {
            return;
        }
        match expr {
            // Any other read, before the binding too (a loop's next iteration).
            Expr::Name(name) if name.id.as_str() == self.name && name.ctx.is_load() => {
                self.kept = true;
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// Whether `path` is a project name spelled like a task factory (`app.compat.create_task`),
/// which only the link can tell from the project's own function of that name.
fn names_project_task_factory(checker: &Checker, path: &str) -> bool {
    // Asked of every call: the suffix first, which most paths fail at their last byte.
    (path.ends_with(".create_task") || path.ends_with(".ensure_future"))
        && crate::project::roots::may_be_in_project(checker.roots, path)
}

/// Reports on the project the dropped calls of project names that re-export a task factory
/// of `asyncio` ([`names_project_task_factory`]).
pub(crate) fn check_project(
    project: &crate::project::Project,
    facts: &crate::project::Facts,
    report: &mut dyn FnMut(usize, Diagnostic),
) {
    check_dropped_factory_tasks(project, facts, report);
    // Tasks of coroutines of other modules: dropped without loss when the coroutine never
    // suspends.
    for (index, module) in project.modules.iter().enumerate() {
        for pending in &module.summary.pending_dangling_findings {
            let never_suspends = project.resolve(&pending.callee).is_some_and(|id| {
                project.modules[id.0]
                    .summary
                    .never_suspending
                    .contains(&(id.1 as u32))
            });
            if !never_suspends {
                report(index, pending.diagnostic.clone());
            }
        }
    }
    for (index, module) in project.modules.iter().enumerate() {
        for pending in &module.summary.pending_task_findings {
            if project
                .library_path(&pending.callee)
                .is_some_and(|path| TASK_CREATING_CALLS.contains(&path.as_str()))
            {
                report(index, pending.diagnostic.clone());
            }
        }
    }
}

/// Reports the calls that drop what a project task factory returns
/// ([`FunctionSites::returns_new_task`]): `self._schedule_event(handler)` as a statement,
/// where `_schedule_event` ends in `return asyncio.create_task(...)`. No fix: the call may
/// sit anywhere, and the text is gone by the link.
///
/// [`FunctionSites::returns_new_task`]: crate::project::summary::FunctionSites::returns_new_task
fn check_dropped_factory_tasks(
    project: &crate::project::Project,
    facts: &crate::project::Facts,
    report: &mut dyn FnMut(usize, Diagnostic),
) {
    use crate::project::summary::CallUsage;
    // Most projects have no factory: then there is nothing to scan.
    if !project
        .function_ids()
        .any(|id| project.function(id).returns_new_task)
    {
        return;
    }
    for id in project.function_ids() {
        for (site, call) in project.function(id).calls.iter().enumerate() {
            if call.usage != CallUsage::Dropped {
                continue;
            }
            let Some(factory) = facts
                .callee_at(id, site)
                .filter(|&callee| project.function(callee).returns_new_task)
            else {
                continue;
            };
            let name = project.function(factory).name();
            let message = format!(
                "Task returned by `{name}` is dropped: `{name}` makes it and hands it back, and the loop keeps only a weak reference, so it can be garbage-collected mid-flight"
            );
            report(
                id.0,
                Diagnostic::new(Rule::DanglingTask, message, call.range).with_help(HELP),
            );
        }
    }
}

/// The finding for a task made by `call` (of `callee`, as shown) and dropped as `how` says.
fn finding(checker: &Checker, call: &ast::ExprCall, callee: &str, how: Dropped) -> Diagnostic {
    let fix = keep_reference_fix(checker, call, &how);
    let message = match how {
        Dropped::Statement => format!(
            "Task returned by `{callee}` is dropped: the loop keeps only a weak reference, so it can be garbage-collected mid-flight"
        ),
        Dropped::UnreadName(name) => format!(
            "Task returned by `{callee}` is bound to `{name}`, which is never read: it can be garbage-collected mid-flight"
        ),
        Dropped::Comprehension => format!(
            "Tasks returned by `{callee}` are collected in a list that is dropped: they can be garbage-collected mid-flight"
        ),
        Dropped::UnreadList(name) => format!(
            "Tasks returned by `{callee}` are collected in `{name}`, which is never read: they can be garbage-collected mid-flight"
        ),
        Dropped::Callback => format!(
            "Task returned by `{callee}` is dropped after `add_done_callback`: the callback does not keep it alive"
        ),
        Dropped::CallbackOnly(name) => format!(
            "Task returned by `{callee}` is bound to `{name}`, which is read only to add a done callback: the callback does not keep it alive, and it can be garbage-collected mid-flight"
        ),
        Dropped::EarlyWait => format!(
            "Task returned by `{callee}` is handed only to an `asyncio.wait` that can return before it finishes (a timeout, or `FIRST_COMPLETED`/`FIRST_EXCEPTION`), and the result is dropped: left pending, it can be garbage-collected mid-flight"
        ),
    };
    let mut diagnostic = Diagnostic::new(Rule::DanglingTask, message, call.range()).with_help(HELP);
    if let Some(fix) = fix {
        diagnostic = diagnostic.with_fix(fix);
    }
    diagnostic
}

/// The set that keeps background tasks when the module has none to reuse.
const NEW_SET: &str = "_background_tasks";

/// The unsafe fix: keep the task in a set until it is done. Reuses a set the instance keeps
/// (`self.tasks = set()` in `__init__`) or the module keeps (`tasks = set()`), else adds
/// one at module level. Only for a task dropped as a statement or bound to a name never read,
/// on lines of their own.
fn keep_reference_fix(checker: &Checker, call: &ast::ExprCall, how: &Dropped) -> Option<Fix> {
    let statement = checker.current_statement()?;
    let source = checker.source_text();
    let line_start = source[..statement.start().to_usize()]
        .rfind(['\n', '\r'])
        .map_or(0, |at| at + 1);
    let indent = &source[line_start..statement.start().to_usize()];
    let rest = source[statement.end().to_usize()..]
        .split(['\n', '\r'])
        .next()
        .unwrap_or("");
    if !indent.chars().all(|c| c == ' ' || c == '\t')
        || !(rest.trim().is_empty() || rest.trim_start().starts_with('#'))
    {
        return None;
    }
    let newline = module_insert::newline_of(source);
    let mut edits = Vec::new();
    let set = match existing_set(checker) {
        Some(set) => set,
        None => {
            if checker.model.module.resolve_global(NEW_SET).is_some() || source.contains(NEW_SET) {
                return None;
            }
            let edit = module_insert::module_statement(checker, &format!("{NEW_SET} = set()"));
            if edit.range.start() > statement.start() {
                return None;
            }
            edits.push(edit);
            NEW_SET.to_string()
        }
    };
    let keep = |task: &str| {
        format!(
            "{newline}{indent}{set}.add({task}){newline}{indent}{task}.add_done_callback({set}.discard)"
        )
    };
    match how {
        Dropped::Statement => {
            let task = unused_local(checker)?;
            let created = checker.text(call.range());
            edits.push(Edit::replacement(
                format!("{task} = {created}{}", keep(&task)),
                statement.range(),
            ));
        }
        Dropped::UnreadName(name) | Dropped::CallbackOnly(name) => {
            let Stmt::Assign(assign) = statement else {
                return None;
            };
            if assign.targets.len() != 1 {
                return None;
            }
            edits.push(Edit::insertion(keep(name), statement.end()));
        }
        _ => return None,
    }
    Some(Fix::unsafe_edit(
        format!("Keep a strong reference to the task in `{set}` until it is done"),
        edits,
    ))
}

/// A set to keep tasks in: the instance's (`self.<name> = set()` in the class's `__init__`),
/// else the module's (`<name> = set()` at module level), when it is a set of tasks: its name
/// says so (`self._tasks`, `background_tasks`) or its annotation does (`set[asyncio.Task]`).
/// Any other empty set holds something else (service names, ids) and is no place for tasks.
fn existing_set(checker: &Checker) -> Option<String> {
    let is_new_set = |value: &Expr| {
        matches!(value, Expr::Call(call)
            if call.arguments.is_empty()
                && matches!(&*call.func, Expr::Name(name) if name.id.as_str() == "set"))
    };
    if let Some(function) = checker.current_function()
        && let Some(class) = enclosing_class(checker.statement_ancestors(), function)
        && let Some(receiver) = receiver_name(function)
    {
        for stmt in &class.body {
            let Stmt::FunctionDef(init) = stmt else {
                continue;
            };
            if init.name.as_str() != "__init__" {
                continue;
            }
            let own = receiver_name(init)?;
            for (target, value, annotation) in init.body.iter().filter_map(assignment) {
                if let Expr::Attribute(attribute) = target
                    && matches!(&*attribute.value, Expr::Name(name) if name.id.as_str() == own)
                    && is_new_set(value)
                    && holds_tasks(checker, attribute.attr.as_str(), annotation)
                {
                    return Some(format!("{receiver}.{}", attribute.attr));
                }
            }
        }
    }
    checker
        .module()
        .body
        .iter()
        .filter_map(assignment)
        .find_map(|(target, value, annotation)| match target {
            Expr::Name(name)
                if is_new_set(value)
                    && holds_tasks(checker, name.id.as_str(), annotation)
                    && !checker.model.is_local(name.id.as_str()) =>
            {
                Some(name.id.to_string())
            }
            _ => None,
        })
}

/// (target, value, annotation) of a plain or annotated assignment with a value.
fn assignment(stmt: &Stmt) -> Option<(&Expr, &Expr, Option<&Expr>)> {
    let (target, value) = crate::ast_query::single_assignment(stmt)?;
    let annotation = match stmt {
        Stmt::AnnAssign(assign) => Some(&*assign.annotation),
        _ => None,
    };
    Some((target, value, annotation))
}

/// Whether a set named `name`, annotated `annotation`, is one of tasks: the annotation names
/// a `Task` or `Future` type, or the name mentions tasks and the module already keeps tasks
/// in it the way the fix does (`task.add_done_callback(self._tasks.discard)`). A name alone
/// is not enough: `self.tasks` may hold a scheduler's jobs, which the code iterates.
fn holds_tasks(checker: &Checker, name: &str, annotation: Option<&Expr>) -> bool {
    let annotated = annotation.is_some_and(|annotation| {
        crate::ast_query::any_expr(annotation, &mut |expr| {
            crate::ast_query::last_identifier(expr)
                .is_some_and(|name| name.ends_with("Task") || name.ends_with("Future"))
        })
    });
    annotated
        || name.to_ascii_lowercase().contains("task")
            && crate::ast_query::any_in_body(&checker.module().body, &mut |expr| {
                matches!(expr, Expr::Call(call)
                    if matches!(&*call.func, Expr::Attribute(method)
                        if method.attr.as_str() == "add_done_callback")
                    && matches!(call.arguments.args.first(), Some(Expr::Attribute(discard))
                        if discard.attr.as_str() == "discard"
                            && crate::ast_query::last_identifier(&discard.value) == Some(name)))
            })
}

/// A name for the task that the function does not use.
fn unused_local(checker: &Checker) -> Option<String> {
    let function = checker.current_function()?;
    let text = checker.text(function.range());
    let used = |name: &str| {
        text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| word == name)
    };
    ["task", "_task", "background_task", "new_task"]
        .into_iter()
        .find(|name| !used(name))
        .map(str::to_string)
}

enum Dropped {
    Statement,
    UnreadName(String),
    Comprehension,
    UnreadList(String),
    Callback,
    /// Bound to a name read after only as `name.add_done_callback(...)`.
    CallbackOnly(String),
    /// An element of the awaitables of an `asyncio.wait` that can return before it finishes,
    /// whose result is thrown away.
    EarlyWait,
}

fn display_callee(path: &str) -> &str {
    match path {
        "asyncio.AbstractEventLoop.create_task" => "loop.create_task",
        "asyncio.tasks.create_task" => "asyncio.create_task",
        "asyncio.tasks.ensure_future" => "asyncio.ensure_future",
        other => other,
    }
}

/// `ensure_future(x)` where `x` is a task or future already (typed so, or made by a call
/// that returns one: `asyncio.gather(...)`): it is returned as it is.
fn argument_is_future(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Some(argument) = call.arguments.find_argument_value("coro_or_future", 0) else {
        return false;
    };
    if let Expr::Call(made) = argument
        && checker
            .model
            .call_path(made)
            .is_some_and(|path| FUTURE_MAKING_CALLS.contains(&path.as_str()))
    {
        return true;
    }
    checker
        .model
        .type_of(argument)
        .is_some_and(|type_name| FUTURE_TYPES.contains(&type_name.as_str()))
}

/// How the task created by `call` is thrown away, if it is.
fn dropped(checker: &Checker, call: &ast::ExprCall) -> Option<Dropped> {
    let ancestors = checker.expression_ancestors();
    // The current expression (the call) is the last entry.
    let outer = ancestors.split_last().map(|(_, rest)| rest).unwrap_or(&[]);
    match outer {
        [] => {
            // The call is the statement's own expression.
            dropped_value(checker, call.range(), Dropped::Statement)
        }
        [comprehension] => match comprehension {
            Expr::ListComp(ast::ExprListComp { elt, .. })
            | Expr::SetComp(ast::ExprSetComp { elt, .. })
                if elt.range() == call.range() =>
            {
                dropped_value(checker, comprehension.range(), Dropped::Comprehension)
            }
            _ => None,
        },
        [
            ..,
            Expr::Call(wait),
            display @ (Expr::List(_) | Expr::Tuple(_) | Expr::Set(_)),
        ] => {
            wait_returns_early_and_is_dropped(checker, wait, display).then_some(Dropped::EarlyWait)
        }
        [Expr::Call(outer_call), Expr::Attribute(attribute)] => {
            let chained = attribute.attr.as_str() == "add_done_callback"
                && attribute.value.range() == call.range()
                && outer_call.func.range() == attribute.range();
            let statement = matches!(
                checker.current_statement(),
                Some(Stmt::Expr(expr)) if expr.value.range() == outer_call.range()
            );
            (chained && statement).then_some(Dropped::Callback)
        }
        _ => None,
    }
}

/// `await asyncio.wait([...], timeout=t)` (or `return_when=FIRST_COMPLETED`), a statement of
/// its own, where `display` is the awaitables: what is still pending when it returns is
/// referenced by nothing.
fn wait_returns_early_and_is_dropped(
    checker: &Checker,
    wait: &ast::ExprCall,
    display: &Expr,
) -> bool {
    let is_awaitables = wait
        .arguments
        .find_argument_value("fs", 0)
        .is_some_and(|awaitables| awaitables.range() == display.range());
    if !is_awaitables
        || !matches!(
            checker.model.call_path(wait).as_deref(),
            Some("asyncio.wait" | "asyncio.tasks.wait")
        )
    {
        return false;
    }
    let timeout = wait
        .arguments
        .find_argument_value("timeout", 1)
        .is_some_and(|timeout| !timeout.is_none_literal_expr());
    let returns_early = wait
        .arguments
        .find_argument_value("return_when", 2)
        .is_some_and(|when| {
            let text = checker.text(when.range());
            text.ends_with("FIRST_COMPLETED") || text.ends_with("FIRST_EXCEPTION")
        });
    let dropped = matches!(checker.current_statement(), Some(Stmt::Expr(statement))
        if matches!(&*statement.value, Expr::Await(awaited) if awaited.value.range() == wait.range()));
    (timeout || returns_early) && dropped
}

/// `value` (the outermost expression of the current statement) is dropped: it is an
/// expression statement, or assigned to local names that are never read afterwards.
fn dropped_value(checker: &Checker, value: TextRange, statement_kind: Dropped) -> Option<Dropped> {
    let statement = checker.current_statement()?;
    match statement {
        Stmt::Expr(expr) if expr.value.range() == value => Some(statement_kind),
        Stmt::Assign(assign) if assign.value.range() == value => {
            let mut names = Vec::new();
            for target in &assign.targets {
                let Expr::Name(name) = target else {
                    return None;
                };
                names.push(name.id.as_str());
            }
            unread_names(checker, statement, &names, statement_kind)
        }
        Stmt::AnnAssign(assign) if assign.value.as_deref().is_some_and(|v| v.range() == value) => {
            let Expr::Name(name) = &*assign.target else {
                return None;
            };
            unread_names(checker, statement, &[name.id.as_str()], statement_kind)
        }
        _ => None,
    }
}

fn unread_names(
    checker: &Checker,
    statement: &Stmt,
    names: &[&str],
    kind: Dropped,
) -> Option<Dropped> {
    // A module-level name is a strong reference for as long as the module lives.
    checker.current_function()?;
    let mut only_callbacks = false;
    for name in names {
        match read_after(checker, statement, name) {
            Read::Kept => return None,
            Read::OnlyForCallbacks => only_callbacks = true,
            Read::Never => {}
        }
    }
    if frame_never_ends(checker, statement) {
        return None;
    }
    let name = names.first()?.to_string();
    match kind {
        Dropped::Comprehension if !only_callbacks => Some(Dropped::UnreadList(name)),
        Dropped::Comprehension => None,
        _ if only_callbacks => Some(Dropped::CallbackOnly(name)),
        _ => Some(Dropped::UnreadName(name)),
    }
}

/// Whether the function's frame, which holds the name bound by `statement`, lives on while
/// the program runs: `statement` is in the function's own body, which goes on, with no
/// `return` first, into a `while True:` loop (also at the top of a `try` body) that no
/// `break` of its own leaves and no `return` in it ends (a serve-forever coroutine). The
/// local is a strong reference to the task for as long as the loop goes.
fn frame_never_ends(checker: &Checker, statement: &Stmt) -> bool {
    fn loops_forever(stmts: &[Stmt]) -> bool {
        stmts.iter().any(|stmt| match stmt {
            Stmt::While(loop_stmt) => {
                crate::ast_query::is_always_true(&loop_stmt.test)
                    && !crate::ast_query::breaks_out(&loop_stmt.body)
                    && !crate::ast_query::contains_return(&loop_stmt.body)
            }
            // `try: await serve(); while True: ...` / `except KeyboardInterrupt:`: only an
            // exception leaves the loop, and the program is ending then.
            Stmt::Try(try_stmt) => loops_forever(&try_stmt.body),
            _ => false,
        })
    }
    let body = checker.current_body();
    let Some(at) = body
        .iter()
        .position(|stmt| stmt.range() == statement.range())
    else {
        return false;
    };
    // No `return` can come first: the statements before the loop run straight into it.
    let before_loop = &body[at + 1..];
    loops_forever(before_loop)
        && !before_loop
            .iter()
            .take_while(|stmt| !loops_forever(std::slice::from_ref(*stmt)))
            .any(|stmt| crate::ast_query::contains_return(std::slice::from_ref(stmt)))
}

/// How a local holding a task is read after it is bound.
enum Read {
    /// Not at all.
    Never,
    /// Only as the receiver of `task.add_done_callback(...)` statements: the task holds the
    /// callback, not the other way round, so nothing keeps the task.
    OnlyForCallbacks,
    /// Otherwise: it may be kept, awaited or handed on.
    Kept,
}

/// Whether `name` is read after `statement` in the current function: later in the body, anywhere
/// in a loop that encloses the statement (the next iteration), or in a nested function or
/// lambda (which may run at any time).
fn read_after(checker: &Checker, statement: &Stmt, name: &str) -> Read {
    let mut loops: Vec<TextRange> = Vec::new();
    for ancestor in checker.statement_ancestors().iter().rev() {
        match ancestor {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => break,
            Stmt::For(_) | Stmt::While(_) => loops.push(ancestor.range()),
            _ => {}
        }
    }
    let mut reads = Reads {
        name,
        after: statement.end(),
        loops,
        nested: 0,
        found: false,
        callbacks: false,
    };
    reads.visit_body(checker.current_body());
    match (reads.found, reads.callbacks) {
        (true, _) => Read::Kept,
        (false, true) => Read::OnlyForCallbacks,
        (false, false) => Read::Never,
    }
}

struct Reads<'n> {
    name: &'n str,
    after: ruff_text_size::TextSize,
    loops: Vec<TextRange>,
    nested: usize,
    found: bool,
    /// A read as the receiver of a `name.add_done_callback(...)` statement was seen.
    callbacks: bool,
}

impl Reads<'_> {
    fn counts(&self, range: TextRange) -> bool {
        self.nested > 0
            || range.start() >= self.after
            || self.loops.iter().any(|l| l.contains_range(range))
    }
}

impl<'a> Visitor<'a> for Reads<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found {
            return;
        }
        match stmt {
            // `global`/`nonlocal` make the name outlive the call.
            Stmt::Global(ast::StmtGlobal { names, .. })
            | Stmt::Nonlocal(ast::StmtNonlocal { names, .. })
                if names.iter().any(|declared| declared.as_str() == self.name) =>
            {
                self.found = true;
            }
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {
                self.nested += 1;
                visitor::walk_stmt(self, stmt);
                self.nested -= 1;
            }
            // `task.add_done_callback(...)`: the callback is what is kept, by the task.
            Stmt::Expr(ast::StmtExpr { value, .. })
                if self.nested == 0
                    && matches!(&**value, Expr::Call(call)
                        if matches!(&*call.func, Expr::Attribute(method)
                            if method.attr.as_str() == "add_done_callback"
                                && matches!(&*method.value, Expr::Name(receiver)
                                    if receiver.id.as_str() == self.name))) =>
            {
                let Expr::Call(call) = &**value else {
                    return;
                };
                if self.counts(stmt.range()) {
                    self.callbacks = true;
                }
                self.visit_arguments(&call.arguments);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found {
            return;
        }
        match expr {
            Expr::Name(name) if name.id.as_str() == self.name && name.ctx.is_load() => {
                if self.counts(expr.range()) {
                    self.found = true;
                }
            }
            Expr::Call(call) if matches!(&*call.func, Expr::Name(func) if matches!(func.id.as_str(), "locals" | "vars" | "eval" | "exec")) => {
                if self.counts(expr.range()) {
                    self.found = true;
                }
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
