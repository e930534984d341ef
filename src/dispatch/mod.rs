//! The dispatch: which rule runs where, each gated by whether it is enabled.
//!
//! [`check_module`] walks one module's tree once ([`walk`]), and at each node kind the
//! functions below call the single-function rules that care about it. [`check_project`]
//! runs the whole-project rules over the linked facts. This is the only place that knows
//! every rule; the rules know only the layers beneath them.

mod walk;

use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{self as ast, ModModule, PySourceType, Stmt};
use ruff_text_size::Ranged;

use crate::catalog::{self, Blocking};
use crate::checker::Checker;
use crate::checker::blocking::applicable_api;
use crate::checker::held_locks;
use crate::checker::own_loop_views;
use crate::checker::summarize::record_call;
use crate::diagnostic::Diagnostic;
use crate::project::roots::may_be_in_project;
use crate::project::summary::ModuleSummary;
use crate::project::{Facts, Project, ProjectRoots};
use crate::registry::Rule;
use crate::rules::{
    async_function_never_awaits, async_timeout_parameter, loop_without_await, sleep_polling_loop,
    timeout_without_await, wrong_context_manager_protocol, yield_in_async_generator_context,
};
use crate::rules::{
    background_task_not_drained, blocking_cpu_in_async, blocking_fs_metadata_in_async,
    blocking_io_in_async, cancelled_error_swallowed, check_incomplete, check_then_act_across_await,
    coroutine_in_boolean_context, dangling_task, fastapi_on_event, gather_exceptions_unchecked,
    gather_prefer_taskgroup, gather_without_return_exceptions, get_event_loop,
    network_await_without_timeout, run_in_running_loop, thread_unsafe_asyncio_in_executor,
    transitive_blocking_call, unawaited_coroutine, wait_for_prefer_timeout,
};
use crate::semantic::ModuleBindings;
use crate::settings::Settings;
use crate::source::LineIndex;

/// The statements of a block that can run: up to and including the first that always
/// leaves it (`raise`, `return`, `continue`, `break`). What follows is dead code, often left
/// on purpose (`raise NotImplementedError(...)` above the old body, a module that raises at its
/// top level to say it is deprecated): nothing there runs, and no function defined there is
/// ever callable, so the walk reads none of it, for any rule or the summary.
fn code_that_runs(body: &[Stmt]) -> &[Stmt] {
    match body.iter().position(|stmt| {
        matches!(
            stmt,
            Stmt::Raise(_) | Stmt::Return(_) | Stmt::Continue(_) | Stmt::Break(_)
        )
    }) {
        Some(at) => &body[..=at],
        None => body,
    }
}

/// Runs every enabled single-function rule on `module`, and summarises the module for the
/// whole-project rules, in one walk. `roots` are the project's, when it is known (the
/// summary leaves out what could never name a project function); `source_type` says whether
/// the module is a notebook's code cells.
pub fn check_module(
    module: &ModModule,
    source: &str,
    line_index: &LineIndex,
    bindings: &ModuleBindings,
    roots: Option<&ProjectRoots>,
    settings: &Settings,
    source_type: PySourceType,
) -> (Vec<Diagnostic>, ModuleSummary) {
    let mut checker = Checker::new(module, source, line_index, bindings, settings);
    checker.notebook = source_type.is_ipynb();
    checker.roots = roots;
    if checker.notebook {
        // A notebook's cells run one at a time as well as in order: a `raise` in one cell
        // does not keep the others from running.
        for stmt in &module.body {
            checker.visit_stmt(stmt);
        }
    } else {
        checker.visit_body(&module.body);
    }
    if checker.enabled(Rule::BlockingIoInAsync) {
        blocking_io_in_async::finish_module(&mut checker);
    }
    if checker.enabled(Rule::NetworkAwaitWithoutTimeout) {
        network_await_without_timeout::finish_module(&mut checker);
    }
    // Other modules' generators ask at the link whether a context manager holds anything.
    if checker.enabled(Rule::YieldInAsyncGeneratorContext) {
        yield_in_async_generator_context::finish_module(&mut checker);
    }
    if checker.enabled(Rule::BackgroundTaskNotDrained) {
        background_task_not_drained::check_module(&mut checker, module);
    }
    if checker.enabled(Rule::CheckIncomplete) {
        check_incomplete::check_module(&mut checker);
    }
    // The summary keeps a lock's acquisitions only if its sections block somewhere.
    held_locks::settle(&mut checker);
    for app in own_loop_views::module_apps(&checker.model, &module.body) {
        checker.summary.note_own_loop_app(app);
    }
    for block in crate::ast_query::main_blocks(&module.body) {
        checker.summary.note_main_block(block);
    }
    checker.finish()
}

/// How a whole-project rule reports: the module's index in the project, and the finding.
type Report<'r> = &'r mut dyn FnMut(usize, Diagnostic);

/// A whole-project rule's entry point.
type ProjectCheck = fn(&Project, &Facts, Report);

/// The whole-project rules, in the order their findings are listed for a module.
const PROJECT_RULES: &[(Rule, ProjectCheck)] = &[
    (Rule::BlockingIoInAsync, blocking_io_in_async::check_project),
    (
        Rule::BlockingCpuInAsync,
        blocking_cpu_in_async::check_project,
    ),
    (
        Rule::BlockingFsMetadataInAsync,
        blocking_fs_metadata_in_async::check_project,
    ),
    (
        Rule::TransitiveBlockingCall,
        transitive_blocking_call::check,
    ),
    (
        Rule::ThreadUnsafeAsyncioInExecutor,
        thread_unsafe_asyncio_in_executor::check,
    ),
    (Rule::RunInRunningLoop, run_in_running_loop::check),
    (Rule::GetEventLoop, get_event_loop::check_project),
    (Rule::DanglingTask, dangling_task::check_project),
    (Rule::CancelledErrorSwallowed, |project, _, report| {
        cancelled_error_swallowed::check_project(project, report)
    }),
    (Rule::SleepPollingLoop, |project, _, report| {
        sleep_polling_loop::check_project(project, report)
    }),
    (Rule::YieldInAsyncGeneratorContext, |project, _, report| {
        yield_in_async_generator_context::check_project(project, report)
    }),
    (Rule::UnawaitedCoroutine, unawaited_coroutine::check),
    (
        Rule::CoroutineInBooleanContext,
        coroutine_in_boolean_context::check,
    ),
    (
        Rule::NetworkAwaitWithoutTimeout,
        |project, facts, report| {
            network_await_without_timeout::check_project(
                project,
                facts,
                &mut |module, diagnostic| report(module, diagnostic),
            )
        },
    ),
];

/// Runs every enabled whole-project rule over the linked project. Returns, per module (in
/// the project's module order), its findings.
///
/// The rules only read the project and its facts: they run side by side (on the corpus
/// they took 180 ms one after the other, the longest 50 to 60 ms). Each collects its own
/// findings, and they are put together in [`PROJECT_RULES`]'s order, so a module's list is
/// the same whatever the thread count.
pub fn check_project(
    project: &Project,
    facts: &Facts,
    settings: &Settings,
) -> Vec<Vec<Diagnostic>> {
    use rayon::prelude::*;
    let found: Vec<Vec<(usize, Diagnostic)>> = PROJECT_RULES
        .par_iter()
        .filter(|(rule, _)| settings.is_enabled(*rule))
        .map(|(_, check)| {
            let mut found = Vec::new();
            check(project, facts, &mut |module, diagnostic| {
                found.push((module, diagnostic))
            });
            found
        })
        .collect();
    let mut diagnostics: Vec<Vec<Diagnostic>> = vec![Vec::new(); project.modules.len()];
    for (module, diagnostic) in found.into_iter().flatten() {
        diagnostics[module].push(diagnostic);
    }
    diagnostics
}

/// Whether `call` is a statement on its own (`client.send(x)`), its value dropped.
fn is_bare_statement(checker: &Checker, call: &ast::ExprCall) -> bool {
    checker.parent_expression().is_none()
        && matches!(checker.statement_ancestors().last(),
            Some(Stmt::Expr(statement)) if statement.value.range() == call.range())
}

/// A call: recorded for the summary, and checked by the rules about calls.
fn call<'a>(checker: &mut Checker<'a, '_>, call: &'a ast::ExprCall) {
    let path = checker.model.call_path(call);
    // `self.hass.async_add_executor_job(...)`, `self._loop.create_task(...)`: a few methods
    // are known by their name, on a receiver the module cannot type.
    let path = match checker.model.method_known_by_name(call, path.as_deref()) {
        Some(api) => Some(api),
        None => path.as_deref(),
    };
    // Whether the call blocks is decided once, for the summary and the rules alike.
    let blocking = path.and_then(|path| applicable_api(checker, call, path));
    record_call(checker, call, path, blocking.as_ref());
    // `app.add_url_rule("/", view_func=index)`: a view Flask runs on a loop of its own.
    if let Some((view, registration)) =
        own_loop_views::added_rule(&checker.model, checker.roots, call)
        && let Some(index) = checker.summary.index_of(&view)
    {
        checker.summary.mark_own_loop_view(index, registration);
    }
    // Also on a call of a callable the function was handed (no path): its site is recorded.
    if checker.enabled(Rule::NetworkAwaitWithoutTimeout) {
        network_await_without_timeout::record_handed_sessions(checker, call);
    }
    if checker.enabled(Rule::DanglingTask) {
        dangling_task::check_call(checker, call, path);
    }
    // A call the link will not judge (nothing resolves it, or a library API not known to
    // make a coroutine), dropped where the function awaits the same call elsewhere. One
    // whose path may name a project function is held for the link, which judges it when
    // the path names none.
    if checker.enabled(Rule::UnawaitedCoroutine)
        && blocking.is_none()
        && checker.in_async_context()
        && is_bare_statement(checker, call)
        && path.is_none_or(|path| !catalog::is_coroutine_api(path))
    {
        let held = path.filter(|path| may_be_in_project(checker.roots, path));
        unawaited_coroutine::check_awaited_elsewhere(checker, call, held);
    }
    let Some(path) = path else { return };
    if catalog::OWN_LOOP_UNDOING_WRAPPERS.contains(&path) {
        checker.summary.note_wsgi_served_on_its_loop();
    }
    // What the call does under a `threading` lock: read by LW101 and by the summary alike.
    let blocks = blocking
        .as_ref()
        .is_some_and(|api| api.category != Blocking::FsMetadata);
    held_locks::note_call(checker, call, path, blocks);
    if let Some(api) = &blocking
        && checker.in_async_context()
    {
        match api.category {
            Blocking::Io if checker.enabled(Rule::BlockingIoInAsync) => {
                blocking_io_in_async::check_call(checker, call, path, api);
            }
            Blocking::Cpu if checker.enabled(Rule::BlockingCpuInAsync) => {
                blocking_cpu_in_async::check_call(checker, call, path, api);
            }
            Blocking::FsMetadata if checker.enabled(Rule::BlockingFsMetadataInAsync) => {
                blocking_fs_metadata_in_async::check_call(checker, call, path, api);
            }
            _ => {}
        }
    }
    if checker.enabled(Rule::GetEventLoop) {
        get_event_loop::check_call(checker, call, path);
    }
    if checker.enabled(Rule::RunInRunningLoop) {
        if checker.notebook {
            run_in_running_loop::check_notebook_call(checker, call, path);
        } else {
            run_in_running_loop::check_import_time_call(checker, call, path);
        }
    }
    if checker.enabled(Rule::FastapiOnEvent) {
        fastapi_on_event::check_call(checker, call, path);
    }

    if checker.enabled(Rule::GatherWithoutReturnExceptions) {
        gather_without_return_exceptions::check_call(checker, call, path);
    }
    if checker.enabled(Rule::GatherExceptionsUnchecked) {
        gather_exceptions_unchecked::check_call(checker, call, path);
    }
    if checker.enabled(Rule::GatherPreferTaskgroup) {
        gather_prefer_taskgroup::check_call(checker, call, path);
    }
}

/// A `def` or `async def`, seen from the enclosing scope (its decorators).
fn function_definition(checker: &mut Checker, function: &ast::StmtFunctionDef) {
    if checker.enabled(Rule::FastapiOnEvent) {
        fastapi_on_event::check_function(checker, function);
    }
    if checker.enabled(Rule::YieldInAsyncGeneratorContext) {
        yield_in_async_generator_context::check_function(checker, function);
    }
    if checker.enabled(Rule::AsyncTimeoutParameter) {
        async_timeout_parameter::check_function(checker, function);
    }
    if checker.enabled(Rule::AsyncFunctionNeverAwaits) {
        async_function_never_awaits::check_function(checker, function);
    }
}

/// A function's body, about to be walked (its scope entered).
fn function_body<'a>(checker: &mut Checker<'a, '_>, function: &'a ast::StmtFunctionDef) {
    if checker.enabled(Rule::CheckThenActAcrossAwait) {
        check_then_act_across_await::check_function(checker, function);
    }
    if checker.enabled(Rule::CancelledErrorSwallowed) {
        cancelled_error_swallowed::record_function(checker, function);
    }
}

fn with_statement(checker: &mut Checker, with: &ast::StmtWith) {
    // `with asyncio.Lock()` fails in sync code as much as in a coroutine.
    if checker.enabled(Rule::WrongContextManagerProtocol) {
        wrong_context_manager_protocol::check_with(checker, with);
    }
    if !checker.in_async_context() {
        return;
    }
    if checker.enabled(Rule::TimeoutWithoutAwait) {
        timeout_without_await::check_with(checker, with);
    }
    if !with.is_async && checker.enabled(Rule::BlockingIoInAsync) {
        blocking_io_in_async::check_with(checker, with);
    }
    if with.is_async && checker.enabled(Rule::NetworkAwaitWithoutTimeout) {
        network_await_without_timeout::check_async_with(checker, with);
    }
    if !with.is_async && checker.enabled(Rule::CancelledErrorSwallowed) {
        cancelled_error_swallowed::check_with(checker, with);
    }
}

fn while_statement(checker: &mut Checker, while_stmt: &ast::StmtWhile) {
    if !checker.in_async_context() {
        return;
    }
    if checker.enabled(Rule::LoopWithoutAwait) {
        loop_without_await::check_while(checker, while_stmt);
    }
    if checker.enabled(Rule::SleepPollingLoop) {
        sleep_polling_loop::check_while(checker, while_stmt);
    }
}

fn try_statement(checker: &mut Checker, try_stmt: &ast::StmtTry) {
    if checker.in_async_context() && checker.enabled(Rule::CancelledErrorSwallowed) {
        cancelled_error_swallowed::check_try(checker, try_stmt);
    }
}

/// An `await` in async context.
/// An attribute read or set, in a module that imports `threading`.
fn attribute(checker: &mut Checker, attribute: &ast::ExprAttribute) {
    if !checker.in_async_context() {
        crate::checker::summarize::note_thread_local_use(checker, attribute);
    }
}

fn await_expression(checker: &mut Checker, await_expr: &ast::ExprAwait) {
    held_locks::note_await(checker, await_expr);
    if checker.enabled(Rule::NetworkAwaitWithoutTimeout) {
        network_await_without_timeout::check_await(checker, await_expr);
    }
    if checker.enabled(Rule::WaitForPreferTimeout) {
        wait_for_prefer_timeout::check_await(checker, await_expr);
    }
}
