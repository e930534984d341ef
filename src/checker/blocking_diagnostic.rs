//! The finding for a blocking call in async context (LW101, LW102 and LW105 differ only in
//! their message), with the fix that keeps the program working where there is one.

use ruff_python_ast as ast;
use ruff_text_size::Ranged;

use super::Checker;
use super::thread_bound::{ThreadBound, file_use_fix, thread_bound_fix};
use super::to_thread::{
    async_sleep_fix, splits_check_from_set, swallows_cancellation_here, to_thread_fix,
};
use crate::catalog::{self, Blocking, BlockingApi, StaysOnItsThread};
use crate::diagnostic::{Diagnostic, PendingFix};
use crate::project::member_types::blocking_calls_in_async;
use crate::project::summary::CallSite;
use crate::project::{Facts, FunctionId, Project};
use crate::registry::Rule;

/// The help line of a blocking call's finding: the worker thread, and the async library to
/// use instead where there is one.
pub fn blocking_help(api: &BlockingApi) -> String {
    match api.alternative {
        Some(alternative) => format!(
            "Run it in a worker thread with `await asyncio.to_thread(...)`, or use {alternative}"
        ),
        None => "Run it in a worker thread with `await asyncio.to_thread(...)`".to_string(),
    }
}

/// Why a call that must stay on its thread gets no fix, for the help line.
pub fn stays_on_its_thread_help(why: StaysOnItsThread) -> &'static str {
    match why {
        StaysOnItsThread::OwnedByCaller => {
            " (no fix: the thread that acquires it owns it, and a release on the loop's thread \
             after a worker acquired it raises; hold it only where no `await` runs)"
        }
        StaysOnItsThread::TakenWhenCancelled => {
            " (no fix: a worker thread still takes it when the coroutine awaiting the worker is \
             cancelled, and nothing releases it then; use an `asyncio` lock, or hold this one \
             only where no `await` runs)"
        }
        StaysOnItsThread::ReadsTerminal => {
            " (no fix: a worker thread waiting for a line keeps the program from exiting on \
             Ctrl-C until one is typed; read the terminal before the loop starts, or with the \
             loop's own reader)"
        }
    }
}

/// The finding for a blocking call in async context (LW101, LW102 and LW105 differ only in
/// their message): the help names the async alternative, and the fix moves the call to a
/// worker thread where that rewrite is valid.
pub fn blocking_call_diagnostic(
    checker: &Checker,
    rule: Rule,
    message: String,
    call: &ast::ExprCall,
    api: &BlockingApi,
) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(rule, message, call.range()).with_help(blocking_help(api));
    if let Some(why) = checker
        .model
        .call_path(call)
        .and_then(|path| catalog::stays_on_its_thread(&path))
    {
        if let Some(help) = diagnostic.help.as_mut() {
            help.push_str(stays_on_its_thread_help(why));
        }
        return diagnostic;
    }
    if super::held_locks::held_by_function(checker, call.range()) {
        if let Some(help) = diagnostic.help.as_mut() {
            help.push_str(
                " (no fix: an `await` here would suspend the coroutine while it holds a \
                 thread's lock, and the next coroutine to take that lock would block the \
                 loop's thread for good; move the call out of the locked section)",
            );
        }
        return diagnostic;
    }
    if swallows_cancellation_here(checker) {
        if let Some(help) = diagnostic.help.as_mut() {
            help.push_str(
                " (no fix: an `await` here would sit in a `try` whose handler swallows the \
                 task's cancellation; move the call out of the `try`, or re-raise there)",
            );
        }
        return diagnostic;
    }
    if let Some(state) = splits_check_from_set(checker) {
        if let Some(help) = diagnostic.help.as_mut() {
            help.push_str(&format!(
                " (no fix: an `await` here would let another coroutine pass the check of \
                 `{state}` before this one sets it; make the value before the check, or hold an \
                 `asyncio.Lock` around both)"
            ));
        }
        return diagnostic;
    }
    let fix = match thread_bound_fix(checker, call) {
        ThreadBound::No => file_use_fix(checker, call)
            .or_else(|| async_sleep_fix(checker, call))
            .or_else(|| to_thread_fix(checker, call)),
        ThreadBound::Fix(fix) => Some(fix),
        ThreadBound::Unfixable(reason) => {
            if let (Some(reason), Some(help)) = (reason, diagnostic.help.as_mut()) {
                help.push_str(" (");
                help.push_str(reason);
                help.push(')');
            }
            None
        }
    };
    if let Some(fix) = fix {
        diagnostic = diagnostic.with_fix(fix);
    }
    diagnostic
}

/// The findings for blocking calls of `category` that only the link could judge: a method of
/// a value whose type the module could not see (an attribute declared on a base class in
/// another module, the result of a function annotated in another module, a method a project
/// class inherits from a library class), resolved by `project::member_types`. Reported as
/// `rule` with the message `message` makes of the API's name, the help and fix the module's
/// own findings have.
pub fn linked_blocking_diagnostics(
    project: &Project,
    facts: &Facts,
    rule: Rule,
    category: Blocking,
    message: impl Fn(&str) -> String,
    report: &mut dyn FnMut(usize, Diagnostic),
) {
    held_blocking_diagnostics(project, facts, rule, report);
    for found in blocking_calls_in_async(project) {
        if found.api.category != category
            || facts.own_loop.contains(&found.caller)
            || project
                .function(found.caller)
                .runs_alone_at(found.call.range.start())
        {
            continue;
        }
        let mut diagnostic = Diagnostic::new(rule, message(found.path), found.call.range)
            .with_help(blocking_help(found.api));
        // An object bound to the thread that made it (a `sqlite3` connection) cannot move to
        // a worker thread alone: no fix then.
        let owner = found.path.rsplit_once('.').map_or("", |(owner, _)| owner);
        if let Some(why) = catalog::stays_on_its_thread(found.path) {
            if let Some(help) = diagnostic.help.as_mut() {
                help.push_str(stays_on_its_thread_help(why));
            }
        } else if !catalog::is_thread_bound(owner)
            && let Some(pending) = pending_fix(project, found.caller, found.call, found.path)
        {
            diagnostic = diagnostic.with_pending_fix(pending);
        }
        report(found.caller.0, diagnostic);
    }
}

/// Reports the findings of `rule` that the module's walk held in coroutines
/// ([`crate::project::summary::ModuleSummary::pending_blocking_findings`]), but for those in a
/// coroutine that runs only on a loop of its own ([`Facts::own_loop`]), and those an entry
/// coroutine makes before anything else can wait on its loop
/// ([`crate::project::summary::FunctionSummary::runs_alone_at`]).
pub fn held_blocking_diagnostics(
    project: &Project,
    facts: &Facts,
    rule: Rule,
    report: &mut dyn FnMut(usize, Diagnostic),
) {
    for (index, module) in project.modules.iter().enumerate() {
        for held in &module.summary.pending_blocking_findings {
            let function = (index, held.function as usize);
            if held.diagnostic.rule == rule
                && !facts.own_loop.contains(&function)
                && !project
                    .function(function)
                    .runs_alone_at(held.diagnostic.range.start())
            {
                report(index, held.diagnostic.clone());
            }
        }
    }
}

/// The fix for `call`, a call site of function `caller`, that moves the call to a worker
/// thread, as a recipe to spell once the file's text is read again. A call of `path` whose
/// iterator does the work as it is iterated, typed only by the link, was not known to be
/// lazy when the recipe was written: a generator's (`p.rglob("*")`) moves with the builtin
/// consuming it, any other (`p.iterdir()`) gets no fix.
fn pending_fix(
    project: &Project,
    caller: FunctionId,
    call: &CallSite,
    path: &str,
) -> Option<PendingFix> {
    let site = project
        .function(caller)
        .calls
        .iter()
        .position(|candidate| std::ptr::eq(candidate, call))?;
    let fixes = &project.modules[caller.0].summary.to_thread_fixes;
    if catalog::is_generator(path) {
        fixes.consumer(caller.1, site)
    } else if catalog::is_lazy(path) {
        // The consumer's recipe passes the call as an argument (`to_thread(sorted,
        // p.iterdir())`), right for a generator only: `iterdir` lists the directory when
        // called from Python 3.13, so that would still list it on the loop.
        None
    } else {
        fixes.call(caller.1, site)
    }
}
