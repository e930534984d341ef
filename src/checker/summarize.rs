//! What the walk records of each call for the whole-project step: the call site with its
//! resolved callee and how its value is used, and the blocking, loop-driving, loop-affine
//! and thread hand-off facts of the call. The data structure is the project layer's
//! [`SummaryBuilder`]; deciding the facts needs the checker's context, so it happens here.

use ruff_python_ast::{self as ast, BoolOp, Expr, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange};

use super::Checker;
use super::attributes_read::AttributesRead;
use super::deadlines::call_deadline;
use super::held_locks;
use super::loop_guards;
use super::parameter_guards::{
    argument_shape, forwarded_arguments, guards, literal_truth, receiver_assignments_once,
    spelled_arguments,
};
use super::to_thread::{consumer_of, recipe};
use crate::catalog::{self, Blocking, BlockingApi, BlockingKind};
use crate::project::interned::Name;
use crate::project::roots::may_be_in_project;
use crate::project::summary::{
    ArgumentSlot, BlockingSite, CallDeadline, CallFacts, CallSite, CallUsage, Literal,
    LoopAffineSite, LoopRunSite, PARAMETER_CALLEE, ParameterRef, ThreadParameter, ThreadTarget,
};

/// Records that the sync function being walked reads or sets an attribute of thread-local
/// storage (`_state.user`, `self._local.session`): moved to a worker thread by LW103's fix,
/// it would see that thread's attributes, not its caller's.
pub(crate) fn note_thread_local_use(checker: &mut Checker, attribute: &ast::ExprAttribute) {
    if checker.summary.current().thread_state.is_none()
        && crate::checker::thread_bound::on_thread_local(checker, attribute)
    {
        checker.summary.current().thread_state = Some(catalog::ThreadState::ThreadLocal);
    }
}

/// Records what the whole-project rules need to know of one call (`blocking`: the blocking
/// API it is, as the walk already decided).
pub(crate) fn record_call(
    checker: &mut Checker,
    call: &ast::ExprCall,
    path: Option<&str>,
    blocking: Option<&BlockingApi>,
) {
    // A lambda runs wherever it is handed to: its calls are not its enclosing function's.
    if checker.model.scopes.innermost_is_lambda() {
        return;
    }
    // A call of a callable the function was handed: the link binds it to what the callers pass.
    let parameter_callee = path
        .is_none()
        .then(|| parameter_callee(checker, call))
        .flatten();
    let Some(path) = path.or(parameter_callee.as_ref().map(|_| PARAMETER_CALLEE)) else {
        // Only LW501 asks which methods unresolved calls may reach.
        if let Expr::Attribute(attribute) = &*call.func
            && checker.enabled(crate::registry::Rule::NetworkAwaitWithoutTimeout)
        {
            note_unresolved_method(checker, call, attribute.attr.as_str());
        }
        return;
    };
    let in_async_context = checker.in_async_context();
    let is_builtin = path.starts_with("builtins.");
    // The link binds a call to a project function only through a callee path under one of
    // the project's top-level names, or a handed callable's: any other path stays the
    // library API (or the unknown) it names. What the link reads of a call site only for
    // the calls it binds (the deadline around it, the guards it sits behind, whether it
    // fills a cache or catches `RuntimeError`, what it passes) is not asked of the others.
    let in_project = may_be_in_project(checker.roots, path);
    let may_reach_project = !is_builtin && (path == PARAMETER_CALLEE || in_project);
    let deadline = if in_async_context && may_reach_project {
        call_deadline(checker, call)
    } else {
        CallDeadline::Unbounded
    };
    // Each catalog table is asked once per call: the answers are used more than once below.
    let in_call_tables = catalog::has_call_facts(path);
    // `asyncio.Future(loop=loop)` binds the loop it is given, not the thread's.
    let loop_affine = in_call_tables
        && catalog::is_loop_affine(path)
        && !(catalog::loop_given_by_argument(path)
            && call.arguments.find_keyword("loop").is_some());
    let handoff = in_call_tables
        .then(|| catalog::thread_handoff(path))
        .flatten()
        .or_else(|| plain_callback_in_executor(checker, call, path));
    let callback = in_call_tables
        .then(|| catalog::loop_callback(path))
        .flatten();
    let coroutine_api = in_call_tables && catalog::is_coroutine_api(path);
    let checks_running_loop = loop_affine
        && path.ends_with("get_running_loop")
        && inside_try_body(checker, call)
        && !runs_what_it_gives(checker, call);
    // `fut.add_done_callback(f)` on a value whose type the module cannot see (a project
    // class, a project function's result): the link, which knows the type, decides.
    let pending_callback = match &*call.func {
        Expr::Attribute(attribute) if handoff.is_none() && callback.is_none() => {
            catalog::registration_argument(attribute.attr.as_str()).and_then(
                |(keyword, position)| {
                    let argument = call.arguments.find_argument_value(keyword, position)?;
                    callable_path(checker, argument)
                },
            )
        }
        _ => None,
    };
    // A method of a value only the link can type (`pkg.loops.get_loop().fetch`): LW501
    // still asks which project methods such a call may reach.
    if let Expr::Attribute(attribute) = &*call.func
        && path.contains(crate::semantic::DEFERRED_CALL)
        && checker.enabled(crate::registry::Rule::NetworkAwaitWithoutTimeout)
    {
        note_unresolved_method(checker, call, attribute.attr.as_str());
    }

    let is_loop_run = in_call_tables && catalog::is_loop_run(path);
    // `signal.signal(...)`, `var.set(value)`: what the function does to its own thread's
    // state, which LW103's fix must not move to a worker thread.
    if !in_async_context
        && let Some(state) = crate::checker::thread_bound::call_thread_state(path, || {
            checker.parent_expression().is_none()
                && matches!(checker.statement_ancestors().last(), Some(Stmt::Expr(_)))
        })
    {
        checker.summary.current().thread_state.get_or_insert(state);
    }
    // A call the link can do nothing with is not recorded, and nothing else is asked of it:
    // outside the project's names (never bound to a project function, and resolved to
    // nothing), in no catalog table that the link or the project rules ask of a callee path
    // (loop-affine APIs, loop runs, thread handoffs and loop callbacks, coroutine APIs, the
    // calls that give a thread a loop of its own), judged no blocking call here, and
    // registering no callback. Kept, such calls were a fifth of the benchmark
    // corpus's call sites, and an edit that added or removed one (a log line,
    // `json.dumps`, `os.path.join`) linked the project again.
    let link_inert = !is_builtin
        && !may_reach_project
        && !loop_affine
        && handoff.is_none()
        && callback.is_none()
        && !is_loop_run
        && blocking.is_none()
        && pending_callback.is_none()
        && !coroutine_api
        && !catalog::OWN_LOOP_CALLS.contains(&path);
    if link_inert {
        return;
    }
    // How the value is used matters only to a call that makes a coroutine (LW302, LW303): a
    // project `async def` or a known async API. Whether it is iterated matters only to a
    // call of a project generator function. A builtin, or a library call that makes no
    // coroutine, needs neither: asking can walk the whole body (is the assigned name read?).
    let usage = if may_reach_project || !is_builtin && coroutine_api {
        match call_usage(checker, call) {
            // `if not asyncio.iscoroutinefunction(self.close): self.close()`: the branch
            // runs only for the kind of callable it calls without awaiting.
            usage if !usage.is_used() && probed_for_coroutine(checker, call) => CallUsage::Used,
            usage => usage,
        }
    } else {
        CallUsage::Used
    };
    // A queryset returned by a sync function (`return Order.objects.filter(...)`) runs its
    // query where the function's callers iterate what it returns: the function is marked so,
    // and the call counts as iterated for the link, which types a model of another module.
    let returned_lazy = !in_async_context
        && checker.returned_by_sync_function(call)
        && (blocking.is_some_and(|_| catalog::blocks_when_iterated(path))
            || (in_project
                && catalog::may_block_when_iterated(path.rsplit('.').next().unwrap_or(path))));
    if returned_lazy {
        checker.summary.current().returns_lazy_query = true;
    }
    // Iterated where it is made, or through a local bound to it once (`orders = fetch()`
    // then `for order in orders:`).
    let iterated = may_reach_project
        && (returned_lazy
            || checker.iterates_where_made(call)
            || checker
                .bound_local(call)
                .is_some_and(|local| checker.is_iterated_synchronously(local)));
    // LW103's fix is taken here, where the walk knows how the module names `asyncio` and
    // where the call sits, as a recipe: the link that decides whether the callee blocks runs
    // after the text is gone, and the few findings are spelled once it is read again. LW103
    // reports only calls that reach a project function, so a callee outside the project
    // needs no fix.
    let to_thread = if is_builtin || !in_async_context || !in_project {
        None
    } else {
        let call_fix = recipe(checker, call, checker.parent_expression().is_some());
        let consumer_fix = consumer_of(checker, call)
            .and_then(|(consumer, parenthesize)| recipe(checker, consumer, parenthesize));
        (call_fix.is_some() || consumer_fix.is_some()).then_some((call_fix, consumer_fix))
    };
    // What is handed to the thread: a function of the project or a library (its path), or
    // a parameter of the function being walked, bound at the link to what its callers pass
    // (`def in_thread(func, *args): return loop.run_in_executor(None, func, *args)`).
    // A callable whose kind an `if` around the call asks (`if iscoroutinefunction(f): ...
    // else: sync_to_async(f)`) is, in the branch that hands it over, of the kind that branch
    // is for, whatever the definition the module resolves it to (an override may differ).
    let handed = handoff
        .and_then(|(keyword, position)| handed_callable(call, keyword, position, checker))
        .filter(|argument| !callable_probed_for_coroutine(checker, argument));
    let thread_parameter = handed.and_then(|argument| thread_parameter(checker, argument));
    let thread_target = match thread_parameter {
        Some(_) => None,
        None => handed.and_then(|argument| callable_path(checker, argument)),
    };
    // A lambda handed over runs its body there: what it calls runs on that thread.
    let lambda_targets = match handed {
        Some(Expr::Lambda(lambda)) => calls_of_lambda(checker, lambda),
        _ => Vec::new(),
    };
    let loop_callback = callback.and_then(|(keyword, position)| {
        let argument = call.arguments.find_argument_value(keyword, position)?;
        callable_path(checker, argument)
    });
    let loop_run_guarded = is_loop_run
        && loop_guards::is_guarded(
            checker.current_body(),
            call.range(),
            &mut checker.rule_state(),
        );
    let guarded_by_probe = if is_loop_run && !loop_run_guarded {
        none_test_of_call(checker, call.range())
    } else {
        None
    };
    // What the call depends on among its function's parameters matters to the facts a
    // sync function passes to its callers: a blocking call (LW103) or a loop run (LW202)
    // that a caller's arguments keep from running. The guards are kept with the call site
    // (for the link's edges), a blocking site or a loop run: a library call that is neither
    // needs none.
    let records_guard = !in_async_context
        && (is_loop_run && !loop_run_guarded
            || blocking.is_some_and(|api| api.category != Blocking::FsMetadata)
            || !is_builtin)
        && (may_reach_project || blocking.is_some() || is_loop_run);
    let guards = if records_guard {
        guards(checker, call.range())
    } else {
        Default::default()
    };
    let guard = guards.parameter;
    // What a call passes for its callee's parameters is read only where the link binds the
    // call to a project function (the guards of LW103 and LW202, the attribute types of a
    // project class) or to a library API through a project value: every such callee path
    // starts with one of the project's top-level names, or is a handed callable's. The rest
    // (`d.get(key, None)`, `requests.get(url, timeout=None)`) need none: 2.6 MB of the
    // benchmark corpus's summaries (about 60,000 of 310,000 entries), all live at the link.
    let forwarded = if in_async_context || !may_reach_project {
        Vec::new()
    } else {
        forwarded_arguments(checker, call)
    };
    let (arguments, keywords) = argument_shape(checker, call);
    let receiver_assignments = if arguments.on_self && !in_async_context {
        receiver_assignments_once(checker)
    } else {
        None
    };
    // Whether the call, in a sync function, runs only when no loop runs on the thread (the
    // `except RuntimeError` branch of the sync-hook bridge): asked of project calls and of
    // blocking calls, answered once.
    let mut without_loop: Option<bool> = None;
    let mut runs_without_loop = |checker: &mut Checker| {
        *without_loop.get_or_insert_with(|| {
            !in_async_context
                && may_guard_on_the_loop(checker)
                && loop_guards::is_guarded(
                    checker.current_body(),
                    call.range(),
                    &mut checker.rule_state(),
                )
        })
    };
    // A call to a project function that runs only when no loop does does not carry the
    // loop into its callee.
    let loop_guarded = may_reach_project && runs_without_loop(checker);
    let literal_arguments = if !may_reach_project {
        Vec::new()
    } else {
        literal_arguments(call)
    };
    // The functions a call passes are read only where the link binds the call to a project
    // function whose parameter the callee calls (a handed callable): resolving every argument
    // of a library call into a path was wasted.
    let callable_arguments = if !may_reach_project || call.arguments.is_empty() {
        Vec::new()
    } else {
        callable_arguments(checker, call)
    };
    // What a class construction passes, where known: the link types the attributes the
    // class's `__init__` stores its parameters in from these. A call without arguments
    // passes no types: the class tests (a hash of the path, a look at its last segment) are
    // asked only of calls that pass something.
    let argument_types = if !call.arguments.is_empty()
        && may_reach_project
        && (checker.model.module.is_class(path) || crate::semantic::looks_like_class(path))
    {
        argument_types(checker, call)
    } else {
        Vec::new()
    };
    let is_loop_affine_use = loop_affine
        && !checks_running_loop
        && !on_this_threads_loop(checker, call)
        && !loop_run_here_after(checker, call)
        && !after_running_loop_probe(checker, call);
    let catches_runtime_error = (may_reach_project || is_loop_affine_use)
        && loop_guards::in_try_catching_runtime_error(
            &checker.model,
            checker.statement_ancestors(),
            call.range(),
        );
    // Asked only of what LW104 follows from a worker thread: sync calls that may reach the
    // project, and the loop-affine uses themselves.
    let on_checked_thread = ((may_reach_project && !in_async_context) || is_loop_affine_use)
        && crate::checker::thread_checks::on_checked_thread(checker, call.range());
    // A method call the link may follow into a project class: does it run only where the
    // receiver lacks an attribute (the fallback of a feature test)?
    let lacked_attribute = if may_reach_project {
        crate::checker::feature_tests::lacked_attribute(checker, call)
    } else {
        None
    };
    // Asked only of calls that may block or reach a helper: the rest never need it.
    let fills_cache = !in_async_context
        && (blocking.is_some() || may_reach_project)
        && fills_cache(checker, call);
    // The value it fills stays filled unless the project calls one of these resets (only
    // a call judged to fill one can have left any).
    let deferred = if fills_cache {
        std::mem::take(&mut checker.rule_state::<DeferredResets>().0)
    } else {
        Vec::new()
    };
    if !deferred.is_empty() {
        let function = checker.summary.current();
        for name in deferred {
            if !function.rearmed_by.iter().any(|known| **known == *name) {
                function.rearmed_by.push(name.into());
            }
        }
    }
    // `lock.acquire(blocking=blocking)`: it waits only when the caller's flag is true.
    let flag_guard = blocking
        .filter(|_| !in_async_context)
        .and_then(|api| crate::checker::parameter_guards::flag_parameter_guard(checker, call, api));
    // Asked only of the blocking calls of sync code: what moves a helper to a worker thread
    // (LW103's fix) must know whether it shares a thread-bound object.
    let shares_thread_bound = blocking.is_some()
        && !in_async_context
        && crate::checker::thread_bound::shares_thread_bound(checker, call, path);
    // Builtins are never project functions nor coroutines: not worth a call site each.
    let callee = (!is_builtin).then(|| checker.summary.intern_callee(path));
    let callable_arguments: Vec<(ArgumentSlot, u32)> = callable_arguments
        .into_iter()
        .map(|(slot, target)| (slot, checker.summary.intern_callee(&target)))
        .collect();
    if let (Some(_), Some((call_fix, consumer_fix))) = (callee, to_thread) {
        let site = checker.summary.current_calls().len() as u32;
        checker
            .summary
            .note_to_thread_fix(site, call_fix, consumer_fix);
    }
    // `lock.acquire()` blocks only if the lock is held around blocking work: decided when
    // the module has been walked (`held_locks::settle`).
    let blocks = blocking.filter(|api| catalog::blocks_helper(path, api));
    // A blocking call of a sync function that runs only when no loop runs on the thread
    // (the `except RuntimeError` of `get_running_loop()`) never blocks a coroutine's caller.
    let blocks = blocks.filter(|_| !runs_without_loop(checker));
    if blocks.is_some()
        && let Some(key) = held_locks::acquired_lock(checker, call, path)
    {
        held_locks::note_summary_acquisition(checker, key, call.range());
    }
    let function = checker.summary.current();
    if let Some(callee) = callee {
        let site = function.calls.len() as u32;
        function.calls.push(CallSite::new(
            (callee, call.range()),
            (usage, deadline),
            arguments,
            CallFacts {
                in_async_context,
                iterated,
                loop_guarded,
                catches_runtime_error,
                fills_cache,
            },
        ));
        if let Some(assignments) = receiver_assignments {
            function.receiver_assignments = assignments.into();
        }
        // The names are read only where the link binds the call to a project function.
        if arguments.spells_keywords && may_reach_project {
            function.keyword_arguments.push((site, keywords));
        }
        function.literal_arguments.extend(
            literal_arguments
                .into_iter()
                .map(|(slot, falsy)| (site, slot, falsy)),
        );
        function.forwarded_arguments.extend(
            forwarded
                .into_iter()
                .map(|(slot, parameter)| (site, slot, parameter)),
        );
        function.argument_types.extend(
            argument_types
                .into_iter()
                .map(|(slot, type_name)| (site, slot, type_name)),
        );
        function.callable_arguments.extend(
            callable_arguments
                .into_iter()
                .map(|(slot, target)| (site, slot, target)),
        );
        if let Some((owner, parameter)) = parameter_callee {
            function.parameter_callees.push((site, owner, parameter));
        }
        // A class test guards the blocking calls themselves only: carried through a call,
        // what the argument's class says is not followed (its type is known only where a
        // class is constructed).
        if let Some(guard) = guard.as_ref().filter(|guard| !guard.tests_class()) {
            function.guarded_calls.push((site, guard.clone()));
        }
        if let Some((probe, truthy)) = guards.probe {
            function.probe_guarded_calls.push((site, probe, truthy));
        }
        if on_checked_thread {
            function.thread_checked_calls.push(site);
        }
        if let Some(attribute) = lacked_attribute {
            function.feature_fallbacks.push((site, attribute.into()));
        }
    }
    if shares_thread_bound {
        function.thread_state = Some(catalog::ThreadState::BoundObject);
    }
    if let Some(api) = blocks {
        function.blocking.push(BlockingSite {
            api: Name::new(path),
            category: api.category,
            severity: BlockingKind::severity_of(catalog::blocking_kind(path)),
            range: call.range(),
            guard: guard.clone().or_else(|| flag_guard.clone()),
            probe: guards.probe,
            fills_cache,
        });
    }
    if is_loop_run {
        function.loop_runs.push(LoopRunSite {
            api: Name::new(path),
            range: call.range(),
            guarded: loop_run_guarded,
            guard,
            guarded_by_probe,
        });
    }
    // `get_running_loop()` inside a `try` is the probe "is a loop running here?", whose
    // `RuntimeError` the code expects: not a use of the loop from the wrong thread.
    if is_loop_affine_use {
        let raises_off_loop = catalog::needs_running_loop(path);
        function.loop_affine.push(LoopAffineSite {
            api: Name::new(path),
            range: call.range(),
            raises_off_loop,
            caught: raises_off_loop && catches_runtime_error,
            on_checked_thread,
        });
    }
    if checks_running_loop {
        function.checks_running_loop = true;
        // Moved to a worker thread (LW103's fix), the probe would find no loop there.
        if !in_async_context {
            function
                .thread_state
                .get_or_insert(catalog::ThreadState::RunningLoopProbe);
        }
    }
    if let Some(target) = thread_target {
        function.thread_targets.push(ThreadTarget {
            target,
            via: path.to_string(),
            range: call.range(),
            in_lambda: false,
        });
    }
    for target in lambda_targets {
        function.thread_targets.push(ThreadTarget {
            target,
            via: path.to_string(),
            range: call.range(),
            in_lambda: true,
        });
    }
    if let Some(parameter) = thread_parameter {
        function.thread_parameters.push(ThreadParameter {
            parameter,
            via: path.to_string(),
            range: call.range(),
        });
    }
    if let Some(target) = loop_callback {
        function.loop_callbacks.push(ThreadTarget {
            target,
            via: path.to_string(),
            range: call.range(),
            in_lambda: false,
        });
    }
    if let Some(target) = pending_callback {
        function.pending_callbacks.push(ThreadTarget {
            target,
            via: path.to_string(),
            range: call.range(),
            in_lambda: false,
        });
    }
}

/// The function a callable argument stands for: `f`, `self.f`, `functools.partial(f, ...)`.
/// The parameter a call's callee is, when it calls a callable its function (or, from a
/// nested function, an enclosing one) was handed and never rebinds: (index of that function
/// in the module's summary, parameter).
fn parameter_callee(checker: &Checker, call: &ast::ExprCall) -> Option<(u32, ParameterRef)> {
    if !matches!(&*call.func, Expr::Name(_)) {
        return None;
    }
    let (depth, parameter) = super::parameter_guards::parameter_origin(checker, &call.func)?;
    // Code that asks whether what it was handed is a coroutine function takes both kinds and
    // calls each its own way: which one a call runs is decided at run time, not bound here.
    let functions = &checker.functions;
    let owner = functions[functions.len() - 1 - depth];
    if tells_coroutines_apart(checker, owner) {
        return None;
    }
    Some((checker.summary.enclosing_index(depth)?, parameter))
}

/// Whether an `if` around `call`, in its function, asks one of the catalog's
/// [`catalog::COROUTINE_PROBES`] of the very callable it calls (`if not
/// inspect.iscoroutinefunction(self.close): self.close()`): which kind it is is decided
/// there, at run time.
fn probed_for_coroutine(checker: &Checker, call: &ast::ExprCall) -> bool {
    callable_probed_for_coroutine(checker, &call.func)
}

/// [`probed_for_coroutine`] of a callable spelled `callable` (`sync_to_async(admin.login)`
/// in the `else` of `if inspect.iscoroutinefunction(admin.login):`).
fn callable_probed_for_coroutine(checker: &Checker, callable: &Expr) -> bool {
    use ruff_python_ast::comparable::ComparableExpr;
    let callee = ComparableExpr::from(callable);
    let probes_callee = |expr: &Expr| {
        let Expr::Call(probe) = expr else {
            return false;
        };
        probe
            .arguments
            .args
            .first()
            .is_some_and(|argument| ComparableExpr::from(argument) == callee)
            && checker
                .model
                .call_path(probe)
                .is_some_and(|path| catalog::COROUTINE_PROBES.contains(&path.as_str()))
    };
    let mut probes_in =
        |test: &Expr| crate::ast_query::any_expr(test, &mut |expr| probes_callee(expr));
    if checker.statements_in_function().any(|stmt| match stmt {
        Stmt::If(if_stmt) => std::iter::once(&*if_stmt.test)
            .chain(
                if_stmt
                    .elif_else_clauses
                    .iter()
                    .filter_map(|clause| clause.test.as_ref()),
            )
            .any(&mut probes_in),
        _ => false,
    }) {
        return true;
    }
    // A guard clause before it in a block around it: `if iscoroutinefunction(fn): return
    // await fn(x)`, then `return fn(x)`, which only the other kind reaches. A module whose
    // text spells no probe has no such guard to look for (one scan of it for every module:
    // `Checker::source_mentions`).
    let Some(function) = checker.current_function() else {
        return false;
    };
    if !["iscoroutine", "isawaitable", "isasyncgen"]
        .iter()
        .any(|name| checker.source_mentions(name))
    {
        return false;
    }
    let at = callable.range();
    let blocks = std::iter::once(&function.body[..]).chain(
        checker
            .statements_in_function()
            .flat_map(crate::ast_query::blocks_of)
            .filter(|block| crate::ast_query::body_holds(block, at)),
    );
    for block in blocks {
        for stmt in block.iter().take_while(|stmt| stmt.end() <= at.start()) {
            if let Stmt::If(guard) = stmt
                && guard.elif_else_clauses.is_empty()
                && matches!(
                    guard.body.last(),
                    Some(Stmt::Return(_) | Stmt::Raise(_) | Stmt::Continue(_) | Stmt::Break(_))
                )
                && probes_in(&guard.test)
            {
                return true;
            }
        }
    }
    false
}

/// Whether `function` asks one of the catalog's [`catalog::COROUTINE_PROBES`] anywhere in its
/// body: answered once per function (it may call what it was handed many times).
fn tells_coroutines_apart(checker: &Checker, function: &ast::StmtFunctionDef) -> bool {
    #[derive(Default)]
    struct Answers(rustc_hash::FxHashMap<ruff_text_size::TextSize, bool>);
    if let Some(&known) = checker.rule_state::<Answers>().0.get(&function.start()) {
        return known;
    }
    let probes = |expr: &Expr| {
        let Expr::Call(probe) = expr else {
            return false;
        };
        // The name first: resolving every call of the body would cost a path each.
        let named = crate::ast_query::last_identifier(&probe.func).is_some_and(|name| {
            catalog::COROUTINE_PROBES
                .iter()
                .any(|path| path.rsplit('.').next() == Some(name))
        });
        named
            && checker
                .model
                .call_path(probe)
                .is_some_and(|path| catalog::COROUTINE_PROBES.contains(&path.as_str()))
    };
    let answer = crate::ast_query::any_in_body(&function.body, &mut |expr| probes(expr));
    checker
        .rule_state::<Answers>()
        .0
        .insert(function.start(), answer);
    answer
}

/// The arguments of a call that name a function that may be the project's (a name or an
/// attribute the module resolves to a path under the project's roots), by slot.
fn callable_arguments(checker: &Checker, call: &ast::ExprCall) -> Vec<(ArgumentSlot, Box<str>)> {
    spelled_arguments(call)
        .filter(|(_, argument)| match argument {
            Expr::Name(_) => true,
            // The path an attribute resolves to ends in its name: a capitalised one
            // (`config.DEFAULT_TIMEOUT`, `models.Repo`) is no function
            // ([`may_name_function`]), known before resolving the chain into a new string.
            Expr::Attribute(attribute) => !starts_uppercase(attribute.attr.as_str()),
            _ => false,
        })
        .filter_map(|(spelled, argument)| {
            let path = checker.model.path_of(argument)?;
            (may_name_function(checker, &path) && may_be_in_project(checker.roots, &path))
                .then(|| (spelled.slot(), path.into_boxed_str()))
        })
        .collect()
}

/// Whether `path` may name a function, for what [`callable_arguments`] keeps: not a class
/// or a constant (`Config`, `DEFAULT_TIMEOUT`: capitalised, by the naming every linter asks
/// for), and, under a class of this module, one of its methods (`self._client` is no
/// function). Most arguments are values: keeping them all cost 36 MB on the benchmark corpus.
fn may_name_function(checker: &Checker, path: &str) -> bool {
    let (owner, name) = path.rsplit_once('.').unwrap_or(("", path));
    if starts_uppercase(name) {
        return false;
    }
    match checker.model.module.classes.get(owner) {
        Some(class) => class.methods.contains_key(name),
        None => true,
    }
}

/// Whether a name is capitalised (a class or a constant, by the usual naming).
fn starts_uppercase(name: &str) -> bool {
    name.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
}

/// The callable a thread hand-off passes (at `keyword` or `position`), seen through
/// `ctx.run` (`loop.run_in_executor(None, ctx.run, func, *args)`, which runs `func` in the
/// context `ctx`): the argument after it then.
fn handed_callable<'a>(
    call: &'a ast::ExprCall,
    keyword: &str,
    position: usize,
    checker: &Checker,
) -> Option<&'a Expr> {
    let argument = call.arguments.find_argument_value(keyword, position)?;
    let runs_in_context = matches!(argument, Expr::Attribute(attribute) if attribute.attr.as_str() == "run")
        && checker
            .model
            .path_of(argument)
            .is_some_and(|path| path == catalog::CONTEXT_RUN);
    if !runs_in_context {
        return Some(argument);
    }
    let arguments = &call.arguments.args;
    let at = arguments
        .iter()
        .position(|passed| std::ptr::eq(passed, argument))?;
    arguments
        .get(at + 1)
        .filter(|next| !matches!(next, Expr::Starred(_)))
}

/// The parameter of the function being walked that `argument` names, unchanged, when it
/// is one: what a thread hand-off of it runs is what the callers pass.
fn thread_parameter(checker: &Checker, argument: &Expr) -> Option<ParameterRef> {
    let Expr::Name(name) = argument else {
        return None;
    };
    let function = checker.current_function()?;
    crate::checker::parameter_guards::parameter_ref(checker, function, name.id.as_str())
}

fn callable_path(checker: &Checker, argument: &Expr) -> Option<String> {
    if let Expr::Call(call) = argument {
        let wrapper = checker.model.call_path(call)?;
        if catalog::CALLABLE_WRAPPERS.contains(&wrapper.as_str()) {
            return callable_path(checker, call.arguments.args.first()?);
        }
        return None;
    }
    checker.model.path_of(argument)
}

/// The paths of the calls a lambda's body makes (not those of a lambda nested in it), but
/// for a call on one of the lambda's own parameters, whose value the scope around it
/// cannot type (`lambda loop: loop.stop()`).
fn calls_of_lambda(checker: &Checker, lambda: &ast::ExprLambda) -> Vec<String> {
    let parameters: Vec<&str> = lambda
        .parameters
        .as_ref()
        .map_or_else(Vec::new, |parameters| {
            parameters
                .iter()
                .map(|parameter| parameter.name().as_str())
                .collect()
        });
    // A lambda nested in the body runs wherever it is handed in turn.
    let mut nested: Vec<ruff_text_size::TextRange> = Vec::new();
    crate::ast_query::any_expr(&lambda.body, &mut |expr| {
        if let Expr::Lambda(inner) = expr {
            nested.push(inner.range());
        }
        false
    });
    let mut paths = Vec::new();
    crate::ast_query::any_expr(&lambda.body, &mut |expr| {
        if let Expr::Call(call) = expr
            && !nested
                .iter()
                .any(|inner| inner.contains_range(call.range()))
            && !crate::ast_query::chain_root(&call.func)
                .is_some_and(|root| parameters.contains(&root))
            && let Some(path) = checker.model.call_path(call)
        {
            paths.push(path);
        }
        false
    });
    paths
}

/// Where a helper of [`catalog::PLAIN_CALLBACKS_IN_EXECUTOR`] (Home Assistant's
/// `async_track_time_interval(hass, self._poll, ...)`) takes its callable, when the callable
/// is a plain `def` of this module (a method of the current class, or a function) that no
/// decorator of [`catalog::LOOP_CALLBACK_DECORATORS`] marks: that one runs on a worker thread.
/// A coroutine function, a `@callback`, or a callable defined elsewhere is not followed.
fn plain_callback_in_executor(
    checker: &Checker,
    call: &ast::ExprCall,
    path: &str,
) -> Option<(&'static str, usize)> {
    // Asked of every call: the first name first.
    if !path.starts_with("homeassistant.") {
        return None;
    }
    let &(_, keyword, position) = catalog::PLAIN_CALLBACKS_IN_EXECUTOR
        .iter()
        .find(|(helper, _, _)| *helper == path)?;
    let argument = call.arguments.find_argument_value(keyword, position)?;
    // A lambda is never a `@callback`: Home Assistant runs it in its executor.
    if matches!(argument, Expr::Lambda(_)) {
        return Some((keyword, position));
    }
    let function = local_definition(checker, argument)?;
    let runs_on_loop = function.is_async
        || function.decorator_list.iter().any(|decorator| {
            checker
                .model
                .path_of(&decorator.expression)
                .is_some_and(|path| catalog::LOOP_CALLBACK_DECORATORS.contains(&path.as_str()))
        });
    (!runs_on_loop).then_some((keyword, position))
}

/// The `def` of this module a callable expression names: `self.method` (a method of the
/// current class), a function the current function or one enclosing it defines (`def
/// _check(now): ...` in the coroutine that registers it, as Home Assistant's integrations
/// do), or a function of the module by name.
fn local_definition<'a>(
    checker: &Checker<'a, '_>,
    callable: &Expr,
) -> Option<&'a ast::StmtFunctionDef> {
    let module = &checker.module().body;
    match callable {
        Expr::Attribute(attribute) => {
            let Expr::Name(owner) = &*attribute.value else {
                return None;
            };
            let function = checker.current_function()?;
            if crate::ast_query::receiver_name(function) != Some(owner.id.as_str()) {
                return None;
            }
            let class = crate::ast_query::enclosing_class(checker.statement_ancestors(), function)?;
            crate::ast_query::find_method(module, class, attribute.attr.as_str(), 0)
        }
        // The nearest definition: the current function's own, an enclosing function's (a
        // sibling callback, `_refresh` handed on from inside `_schedule`), or the module's.
        Expr::Name(name) => {
            let name = name.id.as_str();
            checker
                .functions
                .iter()
                .rev()
                .find_map(|function| crate::ast_query::find_function(&function.body, name))
                .or_else(|| {
                    (!checker.model.is_local(name))
                        .then(|| crate::ast_query::find_function(module, name))
                        .flatten()
                })
        }
        _ => None,
    }
}

/// Records method `name`, called by `call` on a value of unknown type, with whether a
/// deadline bounds the call where it is made (asked only in async code: a sync call has no
/// await to bound).
fn note_unresolved_method(checker: &mut Checker, call: &ast::ExprCall, name: &str) {
    // Once one call of the name is known to run without a deadline, the others change
    // nothing: the deadline around them is not looked for.
    let bounded = checker.in_async_context()
        && !checker.summary.calls_unresolved_unbounded(name)
        && call_deadline(checker, call) == CallDeadline::Bounded;
    checker.summary.note_unresolved_method(name, bounded);
}

/// Whether the call's value is thrown away, tested for truth, or used.
fn call_usage(checker: &mut Checker, call: &ast::ExprCall) -> CallUsage {
    let ancestors = checker.expression_ancestors();
    // The call is the last ancestor; look at what holds it.
    let parent = ancestors.len().checked_sub(2).map(|index| ancestors[index]);
    match parent {
        Some(Expr::Await(_)) => return CallUsage::Awaited,
        // `[row async for row in fetch()]`: iterated with `async for`, as in the statement.
        Some(comprehension)
            if crate::ast_query::comprehension_generators(comprehension).is_some_and(
                |generators| {
                    generators.iter().any(|generator| {
                        generator.is_async && generator.iter.range() == call.range()
                    })
                },
            ) =>
        {
            return CallUsage::Awaited;
        }
        Some(Expr::UnaryOp(unary)) if unary.op == UnaryOp::Not => return CallUsage::Condition,
        Some(Expr::BoolOp(bool_op)) => {
            let is_last = bool_op
                .values
                .last()
                .is_some_and(|last| last.range() == call.range());
            if !is_last || bool_op.op == BoolOp::And || statement_tests(checker, bool_op.range()) {
                return CallUsage::Condition;
            }
            // `user = self.user or self.fetch_user(id)` ... `user.display_name`: the fallback
            // is used as the call's result.
            if ancestors.len() == 2
                && let Some(Stmt::Assign(assign)) = checker.current_statement()
                && assign.value.range() == bool_op.range()
                && let [Expr::Name(name)] = assign.targets.as_slice()
                && checker.is_read_as_result(name.id.as_str())
            {
                return CallUsage::Consumed;
            }
            return CallUsage::Used;
        }
        Some(Expr::If(if_expr)) if if_expr.test.range() == call.range() => {
            return CallUsage::Condition;
        }
        // `f() == x`, `f() is None`: a comparison looks at the object, which is never the
        // value the call would give.
        Some(Expr::Compare(_)) => return CallUsage::Condition,
        // `fetch()["data"]`, `get_me().id`: the call's value is indexed or read for a member
        // a coroutine does not have; under `await`, which binds looser (`await
        // fetch()["data"]` awaits the index, not the call), the await is misplaced.
        Some(Expr::Subscript(subscript)) if subscript.value.range() == call.range() => {
            return indexed(ancestors);
        }
        Some(Expr::Attribute(attribute))
            if attribute.value.range() == call.range()
                && super::names_read::is_result_member(attribute.attr.as_str()) =>
        {
            return indexed(ancestors);
        }
        Some(Expr::Call(outer)) if is_argument_of(call, outer) => {
            // `pending.append(save(x))` into a local nobody takes anything out of.
            if let Some(collection) = super::names_read::filled_collection(outer)
                && checker.is_local_only_filled(collection)
            {
                return CallUsage::Dropped;
            }
            return match consumer_of_argument(checker, outer) {
                Some(Consumer::TruthTest) => CallUsage::Condition,
                Some(Consumer::Unaware) => CallUsage::Consumed,
                None => CallUsage::Used,
            };
        }
        // `pending = [save(a), save(b)]`, `{"a": save(a)}` into a local nobody takes anything
        // out of.
        Some(display @ (Expr::List(_) | Expr::Set(_) | Expr::Tuple(_) | Expr::Dict(_)))
            if ancestors.len() == 2 =>
        {
            return match checker.current_statement() {
                Some(Stmt::Assign(assign))
                    if assign.value.range() == display.range()
                        && matches!(assign.targets.as_slice(), [Expr::Name(name)]
                            if checker.is_local_only_filled(name.id.as_str())) =>
                {
                    CallUsage::Dropped
                }
                _ => CallUsage::Used,
            };
        }
        Some(_) => return CallUsage::Used,
        None => {}
    }
    match checker.current_statement() {
        Some(Stmt::With(with))
            if with.is_async
                && with
                    .items
                    .iter()
                    .any(|item| item.context_expr.range() == call.range()) =>
        {
            CallUsage::Awaited
        }
        Some(Stmt::For(for_stmt)) if for_stmt.is_async && for_stmt.iter.range() == call.range() => {
            CallUsage::Awaited
        }
        Some(Stmt::Expr(_)) => CallUsage::Dropped,
        Some(Stmt::Return(returned))
            if returned
                .value
                .as_deref()
                .is_some_and(|value| value.range() == call.range())
                && returns_from_coroutine(checker) =>
        {
            CallUsage::Returned
        }
        Some(Stmt::Assign(assign)) if assign.value.range() == call.range() => {
            match assign.targets.as_slice() {
                // `pending[key] = save(x)` into a local nobody takes anything out of.
                [Expr::Subscript(subscript)] => match &*subscript.value {
                    Expr::Name(name) if checker.is_local_only_filled(name.id.as_str()) => {
                        CallUsage::Dropped
                    }
                    _ => CallUsage::Used,
                },
                // `self._pending = save(x)` where nothing in the module reads `_pending`. Only
                // a private attribute: another module may read a public one.
                [Expr::Attribute(attribute)]
                    if attribute.attr.starts_with('_')
                        && is_self_attribute(checker, attribute)
                        && !attribute_read_in_module(checker, attribute.attr.as_str()) =>
                {
                    CallUsage::StoredUnread
                }
                // `rows, cursor = fetch(q)`: unpacking iterates the value, which a coroutine
                // cannot be; the call's result is what was meant.
                [Expr::Tuple(_) | Expr::List(_)] => CallUsage::Consumed,
                [Expr::Name(name)] if assign.value.range() == call.range() => {
                    if !checker.is_read_in_current_body(name.id.as_str()) {
                        CallUsage::Dropped
                    } else if checker.is_read_as_result(name.id.as_str()) {
                        // `me = get_me()` ... `me.user_id`: the value is used as the call's result.
                        CallUsage::Consumed
                    } else if checker.is_read_only_in_tests(name.id.as_str()) {
                        // `last = get_last(u)` ... `if last is not None:`: only ever tested.
                        CallUsage::Condition
                    } else {
                        CallUsage::Used
                    }
                }
                _ => CallUsage::Used,
            }
        }
        _ if statement_tests(checker, call.range()) => CallUsage::Condition,
        _ => CallUsage::Used,
    }
}

/// Whether a `return` here returns from an `async def` that is not annotated to return an
/// awaitable, and returns a call unawaited in no other `return`: what it returns is what
/// awaiting it gives. One that returns several calls as they are (`return
/// router.acompletion(**data)` in one branch, `return _route_config(data)` in another) is a
/// dispatcher of awaitables, which its callers await twice (`call = await route(...)`,
/// then `await call`).
fn returns_from_coroutine(checker: &Checker) -> bool {
    let Some(function) = checker.current_function() else {
        return false;
    };
    if !function.is_async {
        return false;
    }
    let at = function.start();
    if let Some(&count) = checker.rule_state::<ReturnedCalls>().0.get(&at) {
        return count == 1;
    }
    let annotated_awaitable = function.returns.as_deref().is_some_and(|annotation| {
        let annotation = checker.text(annotation.range());
        ["Awaitable", "Coroutine", "Future", "Task", "Any"]
            .iter()
            .any(|kind| annotation.contains(kind))
    });
    if annotated_awaitable {
        // Counted as never returning a call alone: nothing it returns is judged.
        checker.rule_state::<ReturnedCalls>().0.insert(at, 0);
        return false;
    }
    let mut count = 0;
    crate::ast_query::walk_statements_shallow(&function.body, &mut |stmt| {
        if let Stmt::Return(returned) = stmt
            && matches!(returned.value.as_deref(), Some(Expr::Call(_)))
        {
            count += 1;
        }
        crate::ast_query::Walk::Descend
    });
    checker.rule_state::<ReturnedCalls>().0.insert(at, count);
    count == 1
}

/// Per `async def` (by where it starts), how many of its `return`s return a call as it is.
#[derive(Default)]
struct ReturnedCalls(rustc_hash::FxHashMap<ruff_text_size::TextSize, usize>);

/// `self.x` in a method whose receiver is `self`.
fn is_self_attribute(checker: &Checker, attribute: &ast::ExprAttribute) -> bool {
    matches!(&*attribute.value, Expr::Name(owner) if owner.id.as_str() == "self")
        && checker
            .current_function()
            .and_then(crate::ast_query::receiver_name)
            == Some("self")
}

/// Whether the module reads an attribute called `name` anywhere (`x.name`, or the string
/// `"name"`, as `getattr(self, "name")` spells it). Collected once per module, on the first
/// question: few modules ask.
fn attribute_read_in_module(checker: &mut Checker, name: &str) -> bool {
    let module = checker.module();
    checker
        .attributes_read
        .get_or_insert_with(|| AttributesRead::collect(&module.body))
        .contains(name)
}

/// What a call does with the arguments it is given, when it never awaits them.
enum Consumer {
    /// `bool(x)`.
    TruthTest,
    /// `print(x)`, `len(x)`, a logging call: it inspects or formats the value.
    Unaware,
}

/// How a call indexed in place is used (its expression is the last of `ancestors`): under an
/// `await` when the chain of subscripts, attributes and calls above it ends in one.
fn indexed(ancestors: &[&Expr]) -> CallUsage {
    // Up the chain whose head each step holds: `fetch()["a"].b(...)`, not an argument's.
    let mut current = ancestors.last().map(|expr| expr.range());
    for above in ancestors.iter().rev().skip(1) {
        let head = match above {
            Expr::Subscript(subscript) => subscript.value.range(),
            Expr::Attribute(attribute) => attribute.value.range(),
            Expr::Call(call) => call.func.range(),
            Expr::Await(_) => return CallUsage::IndexedUnderAwait,
            _ => break,
        };
        if Some(head) != current {
            break;
        }
        current = Some(above.range());
    }
    CallUsage::Indexed
}

/// Whether `call` is one of the arguments `outer` is given (not its callee).
fn is_argument_of(call: &ast::ExprCall, outer: &ast::ExprCall) -> bool {
    crate::ast_query::argument_values(&outer.arguments)
        .any(|argument| argument.range() == call.range())
}

/// What `outer` does with its arguments, when it is a call that never awaits them. Only calls
/// whose name is one of those are resolved: nested calls are common, these are not.
fn consumer_of_argument(checker: &Checker, outer: &ast::ExprCall) -> Option<Consumer> {
    let name = match &*outer.func {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attribute) => attribute.attr.as_str(),
        _ => return None,
    };
    if name != "bool" && !catalog::is_coroutine_unaware_name(name) {
        return None;
    }
    let path = checker.model.call_path(outer)?;
    if path == "builtins.bool" {
        return Some(Consumer::TruthTest);
    }
    catalog::is_coroutine_unaware_call(&path).then_some(Consumer::Unaware)
}

/// Whether `range` is the test of the current `if`, `elif`, `while` or `assert`.
fn statement_tests(checker: &Checker, range: TextRange) -> bool {
    match checker.current_statement() {
        Some(Stmt::If(if_stmt)) => {
            if_stmt.test.range() == range
                || if_stmt.elif_else_clauses.iter().any(|clause| {
                    clause
                        .test
                        .as_ref()
                        .is_some_and(|test| test.range() == range)
                })
        }
        Some(Stmt::While(while_stmt)) => while_stmt.test.range() == range,
        Some(Stmt::Assert(assert)) => assert.test.range() == range,
        _ => false,
    }
}

/// Whether the call is inside the body (not a handler) of an enclosing `try`.
fn inside_try_body(checker: &Checker, call: &ast::ExprCall) -> bool {
    checker.statement_ancestors().iter().any(|stmt| match stmt {
        Stmt::Try(try_stmt) => crate::ast_query::body_holds(&try_stmt.body, call.range()),
        _ => false,
    })
}

/// Whether the loop `call` gives is run on the spot (`asyncio.get_running_loop()
/// .run_until_complete(...)`): no probe of whether a loop runs, but a run that raises
/// whichever way the answer goes.
fn runs_what_it_gives(checker: &Checker, call: &ast::ExprCall) -> bool {
    let [.., Expr::Call(outer), Expr::Attribute(method), current] = checker.expression_ancestors()
    else {
        return false;
    };
    current.range() == call.range()
        && outer.func.range() == method.range()
        && matches!(method.attr.as_str(), "run_until_complete" | "run_forever")
}

/// Whether the current function can hold a loop guard at all: it names `is_running`,
/// `get_running_loop` or `get_event_loop` (`source_words::LOOP_PROBES`), so that the walk
/// down to each call, in `loop_guards::is_guarded`, is spent only where a guard can be. The
/// module's one scan (`Checker::source_words`) keeps where the words are; each function is
/// answered from those places by its body's range (a search of every function's text cost
/// as much again as the module's, once more for each nesting level). Most modules name none.
fn may_guard_on_the_loop(checker: &Checker) -> bool {
    let body = checker.current_body();
    let (Some(first), Some(last)) = (body.first(), body.last()) else {
        return false;
    };
    let words = checker.source_words();
    let mentions = words.loop_probes();
    // A mention wholly inside the body's text, as a search of that text would find it.
    let (start, end) = (u32::from(first.start()), u32::from(last.end()));
    let from = mentions.partition_point(|&(at, _)| at < start);
    mentions[from..]
        .iter()
        .take_while(|&&(at, _)| at < end)
        .any(|&(_, until)| until <= end)
}

/// The falsy literal arguments of a call (`f(0, wait=False)`): positions count only the
/// arguments before any `*args`.
fn literal_arguments(call: &ast::ExprCall) -> Vec<(ArgumentSlot, Literal)> {
    spelled_arguments(call)
        .filter_map(|(spelled, argument)| Some((spelled.slot(), literal_truth(argument)?)))
        .collect()
}

/// Whether `call` fills a cache on a miss, so it runs once per key: it is part of the value
/// of `CACHE[key] = call(...)` inside `if key not in CACHE:` (or `if CACHE.get(key) is None:`,
/// `if not CACHE.get(key):`), or it sits in the `except KeyError:` of a `try` that reads
/// `CACHE[key]`, a handler that stores `CACHE[key]`, or it makes a module global's value
/// the first time it is asked for ([`fills_kept_name_once`]).
fn fills_cache(checker: &Checker, call: &ast::ExprCall) -> bool {
    if fills_cache_on_key_error(checker, call)
        || behind_instance_latch(checker, call)
        || fills_kept_name_once(checker, call)
        || fills_cache_after_hit_returned(checker, call)
    {
        return true;
    }
    let Some(Stmt::Assign(assign)) = checker.current_statement() else {
        return false;
    };
    if !assign.value.range().contains_range(call.range()) {
        return false;
    }
    let [Expr::Subscript(store)] = assign.targets.as_slice() else {
        return false;
    };
    let cache = checker.text(store.value.range());
    let key = checker.text(store.slice.range());
    let tests_miss = |test: &Expr| match test {
        Expr::Compare(compare) => match (compare.ops.as_ref(), compare.comparators.as_ref()) {
            ([ast::CmpOp::NotIn], [container]) => {
                checker.text(compare.left.range()) == key
                    && checker.text(container.range()) == cache
            }
            ([ast::CmpOp::Is], [none]) if none.is_none_literal_expr() => {
                is_cache_get(checker, &compare.left, cache, key)
            }
            _ => false,
        },
        Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => {
            is_cache_get(checker, &unary.operand, cache, key)
        }
        _ => false,
    };
    checker.statement_ancestors().iter().any(|stmt| {
        matches!(stmt, Stmt::If(if_stmt) if tests_miss(&if_stmt.test)
            && crate::ast_query::body_holds(&if_stmt.body, call.range()))
    })
}

/// `global _TABLE` and `if _TABLE is None:` (or `if not _TABLE:`) whose branch assigns
/// `_TABLE` a value, with `call` anywhere in that branch (`_TABLE = load()`, or the `open`
/// of a `with` that reads what is assigned): a value made on the first call and kept by the
/// module for the process, like a memoized function without arguments, unless a function
/// of the module sets it back to `None` (a reload). The same for a closure's `nonlocal`
/// variable, kept by its enclosing function, unless a closure there sets it back to `None`;
/// and for an attribute of the class itself (`if cls._instance is None: cls._instance =
/// cls(...)` in a class method, or `Client._config` spelled by the class's name), kept by
/// the class, unless a method of the class sets it back to `None` on the class.
fn fills_kept_name_once(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Some((function, enclosing)) = checker.functions.split_last() else {
        return false;
    };
    // What `if X is None:` or `if not X:` asks about, and whether only `None` makes the
    // branch run again (any falsy value does for `not X`).
    // Also `not hasattr(C, "_instance") or C._instance is None`: the attribute not yet set,
    // or set to nothing.
    fn unset_value(test: &Expr) -> Option<(&Expr, bool)> {
        match test {
            Expr::Compare(compare) => match (compare.ops.as_ref(), compare.comparators.as_ref()) {
                ([ast::CmpOp::Is], [none]) if none.is_none_literal_expr() => {
                    Some((&*compare.left, true))
                }
                _ => None,
            },
            Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => Some((&*unary.operand, false)),
            Expr::BoolOp(bool_op) if bool_op.op == BoolOp::Or => {
                let (absent, rest): (Vec<&Expr>, Vec<&Expr>) = bool_op
                    .values
                    .iter()
                    .partition(|term| lacks_attribute(term).is_some());
                let [term] = rest.as_slice() else {
                    return None;
                };
                let (tested, only_none) = unset_value(term)?;
                let Expr::Attribute(attribute) = tested else {
                    return None;
                };
                let same = |term: &&Expr| {
                    lacks_attribute(term).is_some_and(|(owner, name)| {
                        name == attribute.attr.as_str()
                            && matches!((owner, &*attribute.value), (Expr::Name(one), Expr::Name(two))
                                if one.id == two.id)
                    })
                };
                absent.iter().all(same).then_some((tested, only_none))
            }
            _ => None,
        }
    }
    // `not hasattr(owner, "name")`: the owner and the attribute's name.
    fn lacks_attribute(term: &Expr) -> Option<(&Expr, &str)> {
        let Expr::UnaryOp(unary) = term else {
            return None;
        };
        let Expr::Call(call) = &*unary.operand else {
            return None;
        };
        match (unary.op, &*call.func, &*call.arguments.args) {
            (UnaryOp::Not, Expr::Name(func), [owner, Expr::StringLiteral(name)])
                if func.id.as_str() == "hasattr" && call.arguments.keywords.is_empty() =>
            {
                Some((owner, name.value.to_str()))
            }
            _ => None,
        }
    }
    let rearms = |reset: crate::ast_query::Reset, only_none: bool| {
        !only_none || reset == crate::ast_query::Reset::ToNone
    };
    // The names the enclosing class goes by inside this function: a class method's
    // receiver, and the class's own name.
    let class = crate::ast_query::enclosing_class(checker.statement_ancestors(), function);
    let class_receiver = crate::ast_query::class_receiver(function);
    let names_the_class = |owner: &str| {
        Some(owner) == class_receiver || class.is_some_and(|class| class.name.as_str() == owner)
    };
    checker.statement_ancestors().iter().any(|stmt| {
        let Stmt::If(if_stmt) = stmt else {
            return false;
        };
        // `if not hasattr(Config, "_instance"):` alone: the attribute never set on the class.
        let on_class = |owner: &Expr| {
            matches!(owner, Expr::Name(owner) if names_the_class(owner.id.as_str()))
        };
        let hasattr_only = lacks_attribute(&if_stmt.test)
            .filter(|(owner, _)| on_class(owner))
            .and_then(|(_, name)| class.map(|class| Kept::ClassAttribute(class, name)));
        let (kept, only_none) = if let Some(kept) = hasattr_only {
            (kept, true)
        } else {
            let Some((tested, only_none)) = unset_value(&if_stmt.test) else {
                return false;
            };
            (
                match tested {
            Expr::Name(name) => Kept::Name(name.id.as_str()),
            Expr::Attribute(attribute) => match (&*attribute.value, class) {
                (Expr::Name(owner), Some(class)) if names_the_class(owner.id.as_str()) => {
                    Kept::ClassAttribute(class, attribute.attr.as_str())
                }
                _ => return false,
            },
            _ => return false,
                },
                only_none,
            )
        };
        if !crate::ast_query::body_holds(&if_stmt.body, call.range()) {
            return false;
        }
        // The verdict is the branch's, whichever call in it asks: a branch holding thousands
        // of calls is read once.
        let at = if_stmt.start();
        if let Some(&known) = checker.rule_state::<KeptNameBranches>().0.get(&at) {
            return known;
        }
        let verdict = match kept {
            Kept::Name(name) => {
                let is_name =
                    |target: &Expr| matches!(target, Expr::Name(assigned) if assigned.id.as_str() == name);
                // Reset nowhere, or only by module-level functions the module never names
                // (`reset_settings()`, kept for tests): the link asks whether the project
                // calls those outside its tests (`FunctionSites::rearmed_by`).
                let never_reset = || {
                    let reset = if only_none {
                        checker.resets_global(name)
                    } else {
                        checker.rearms_latch(name)
                    };
                    if !reset {
                        return true;
                    }
                    match checker.latch_rearmers(name) {
                        Some(rearmers) => {
                            checker.rule_state::<DeferredResets>().0.extend(rearmers);
                            true
                        }
                        None => false,
                    }
                };
                if crate::ast_query::declared_globals(&function.body).contains(&name) {
                    assigns_truthy_value(&if_stmt.body, is_name) && never_reset()
                } else if !checker.model.is_local(name) {
                    // A global the function only reads: `if _store is None: setup("en")`,
                    // the module's `setup` filling it, kept as if the branch assigned it;
                    // or `if not _impls: _impls.append(...)`, a module's container the
                    // branch fills in place and no code of the module empties.
                    let filled_in_place = || {
                        !only_none
                            && fills_in_place(&if_stmt.body, name)
                            && !empties_in_place(&checker.module().body, name)
                    };
                    (calls_global_setter(checker, &if_stmt.body, name, is_name)
                        || filled_in_place())
                        && never_reset()
                } else {
                    assigns_truthy_value(&if_stmt.body, is_name)
                        && crate::ast_query::declared_nonlocals(&function.body).contains(&name)
                        && enclosing.last().is_some_and(|owner| {
                            !crate::ast_query::nonlocals_reset(&owner.body)
                                .iter()
                                .any(|&(reset, kind)| reset == name && rearms(kind, only_none))
                        })
                }
            }
            Kept::ClassAttribute(class, attribute) => {
                let on_the_class = |target: &Expr| {
                    matches!(target, Expr::Attribute(assigned)
                        if assigned.attr.as_str() == attribute
                            && matches!(&*assigned.value, Expr::Name(owner) if names_the_class(owner.id.as_str())))
                };
                // Reset nowhere, or only by methods nothing in the module hands on by
                // reference (`Config.reset()`, kept for tests): the link asks whether the
                // project calls those outside its tests (`FunctionSites::rearmed_by`).
                let resets = class_resets(class, attribute, only_none);
                assigns_truthy_value(&if_stmt.body, on_the_class)
                    && (resets.is_empty()
                        || (!resets.iter().any(|method| {
                            referenced_uncalled(
                                &checker.module().body,
                                class.name.as_str(),
                                method,
                            )
                        }) && {
                            checker.rule_state::<DeferredResets>().0.extend(
                                resets
                                    .iter()
                                    .map(|method| format!("{}.{method}", class.name.as_str())),
                            );
                            true
                        }))
            }
        };
        checker.rule_state::<KeptNameBranches>().0.insert(at, verdict);
        verdict
    })
}

/// What a kept value is kept in ([`fills_kept_name_once`]).
enum Kept<'a> {
    /// A declared global or nonlocal.
    Name(&'a str),
    /// An attribute of the class (by the class, and the attribute's name).
    ClassAttribute(&'a ast::StmtClassDef, &'a str),
}

/// The methods of `class` that set `attribute` back to `None` (or, unless `only_none`,
/// another falsy literal) on the class: through its receiver in a class method, or by the
/// class's name.
fn class_resets<'c>(
    class: &'c ast::StmtClassDef,
    attribute: &str,
    only_none: bool,
) -> Vec<&'c str> {
    let resets = |stmt: &Stmt| {
        let Stmt::FunctionDef(method) = stmt else {
            return false;
        };
        let receiver = crate::ast_query::class_receiver(method);
        let mut resets = false;
        crate::ast_query::collect_assignments(&method.body, &mut |target, value, _| {
            let falsy = value.is_some_and(|value| {
                if only_none {
                    value.is_none_literal_expr()
                } else {
                    crate::ast_query::is_falsy_literal(value)
                }
            });
            resets |= falsy
                && matches!(target, Expr::Attribute(assigned)
                    if assigned.attr.as_str() == attribute
                        && matches!(&*assigned.value, Expr::Name(owner)
                            if Some(owner.id.as_str()) == receiver
                                || owner.id.as_str() == class.name.as_str()));
        });
        resets
    };
    class
        .body
        .iter()
        .filter(|stmt| resets(stmt))
        .filter_map(|stmt| match stmt {
            Stmt::FunctionDef(method) => Some(method.name.as_str()),
            _ => None,
        })
        .collect()
}

/// Whether `body` reads `method` of `class` other than to call it (`atexit.register(
/// Config.reset)`, `hooks.append(self.reset)`): a call the link cannot see as one. The
/// method is read through the class's name or a receiver (`self`, `cls`).
fn referenced_uncalled(body: &[Stmt], class: &str, method: &str) -> bool {
    let is_method = |expr: &Expr| {
        matches!(expr, Expr::Attribute(attribute)
            if attribute.attr.as_str() == method
                && matches!(&*attribute.value, Expr::Name(owner)
                    if matches!(owner.id.as_str(), "self" | "cls") || owner.id.as_str() == class))
    };
    let mut reads = 0usize;
    let mut calls = 0usize;
    crate::ast_query::any_in_body(body, &mut |expr| {
        if is_method(expr) {
            reads += 1;
        } else if let Expr::Call(call) = expr
            && is_method(&call.func)
        {
            calls += 1;
        }
        false
    });
    reads > calls
}

/// Whether `body` (not its nested scopes) assigns a target `is_kept` accepts a value that is
/// not a falsy literal.
fn assigns_truthy_value(body: &[Stmt], is_kept: impl Fn(&Expr) -> bool) -> bool {
    let mut found = false;
    crate::ast_query::collect_assignments(body, &mut |target, value, _| {
        found |= is_kept(target)
            && value.is_some_and(|value| !crate::ast_query::is_falsy_literal(value));
    });
    found
}

/// Whether `body` calls, as a statement of its own, a sync function of the module that
/// fills the global `is_name` accepts: it declares it `global` and assigns it a value that is
/// not a falsy literal (`def setup(lang): global _store; _store = Store(lang)`).
fn calls_global_setter(
    checker: &Checker,
    body: &[Stmt],
    name: &str,
    is_name: impl Fn(&Expr) -> bool + Copy,
) -> bool {
    body.iter().any(|stmt| {
        let Stmt::Expr(statement) = stmt else {
            return false;
        };
        let Expr::Call(call) = &*statement.value else {
            return false;
        };
        // A function of the module, by name (`local_definition` also finds methods).
        call.func.is_name_expr()
            && local_definition(checker, &call.func).is_some_and(|setter| {
                !setter.is_async
                    && crate::ast_query::declared_globals(&setter.body).contains(&name)
                    && assigns_truthy_value(&setter.body, is_name)
            })
    })
}

/// Whether a statement of `body` puts something into the container `name`:
/// `name.append(x)`, `name.add(x)`, `name.extend(xs)`, `name.update(m)` or `name[k] = v`.
fn fills_in_place(body: &[Stmt], name: &str) -> bool {
    let is_container = |expr: &Expr| matches!(expr, Expr::Name(held) if held.id.as_str() == name);
    body.iter().any(|stmt| match stmt {
        Stmt::Expr(statement) => matches!(&*statement.value, Expr::Call(call)
            if matches!(&*call.func, Expr::Attribute(method)
                if is_container(&method.value)
                    && matches!(method.attr.as_str(), "append" | "add" | "extend" | "update")
                    && !call.arguments.is_empty())),
        Stmt::Assign(assign) => assign
            .targets
            .iter()
            .any(|target| matches!(target, Expr::Subscript(item) if is_container(&item.value))),
        _ => false,
    })
}

/// Whether code of `module` (its functions too) takes things out of the container `name`:
/// `name.clear()`, `pop`, `popitem`, `remove`, `discard`, or `del name[...]`.
fn empties_in_place(module: &[Stmt], name: &str) -> bool {
    let is_container = |expr: &Expr| matches!(expr, Expr::Name(held) if held.id.as_str() == name);
    crate::ast_query::any_in_body(module, &mut |expr| match expr {
        Expr::Subscript(item) => item.ctx.is_del() && is_container(&item.value),
        Expr::Call(call) => matches!(&*call.func, Expr::Attribute(method)
            if is_container(&method.value)
                && matches!(method.attr.as_str(), "clear" | "pop" | "popitem" | "remove" | "discard")),
        _ => false,
    })
}

/// Per branch of `if X is None:` (by where the `if` starts): whether it makes a value kept
/// for the process or the closure ([`fills_kept_name_once`]).
#[derive(Default)]
struct KeptNameBranches(rustc_hash::FxHashMap<ruff_text_size::TextSize, bool>);

/// The resets a kept-name branch just judged leaves to the link ([`fills_kept_name_once`]),
/// for `record_call` to note on the function that makes the call.
#[derive(Default)]
struct DeferredResets(Vec<String>);

/// A latch flag: an attribute of a method's receiver (`self.running`). A module global's
/// latch (`if not _STARTED: _STARTED = True`) is a value kept under a test like any other
/// ([`fills_kept_name_once`]).
#[derive(Clone, Copy)]
struct Flag<'a> {
    receiver: &'a str,
    name: &'a str,
}

impl Flag<'_> {
    /// Whether `expr` is this flag.
    fn is(self, expr: &Expr) -> bool {
        matches!(expr, Expr::Attribute(attribute) if attribute.attr.as_str() == self.name
            && matches!(&*attribute.value, Expr::Name(owner) if owner.id.as_str() == self.receiver))
    }
}

/// The latch around `call`: the enclosing `if not receiver.FLAG:` whose branch holds the call
/// and sets `receiver.FLAG = True` (in a statement of its own, or of a `try` or `with` there).
fn latch_around<'a>(
    checker: &Checker<'a, '_>,
    call: &ast::ExprCall,
    receiver: &'a str,
) -> Option<Flag<'a>> {
    checker.statement_ancestors().iter().find_map(|stmt| {
        let Stmt::If(if_stmt) = stmt else {
            return None;
        };
        let Expr::UnaryOp(unary) = &*if_stmt.test else {
            return None;
        };
        if unary.op != UnaryOp::Not || !crate::ast_query::body_holds(&if_stmt.body, call.range()) {
            return None;
        }
        let Expr::Attribute(attribute) = &*unary.operand else {
            return None;
        };
        let flag = Flag {
            receiver,
            name: attribute.attr.as_str(),
        };
        sets_flag(
            &if_stmt.body,
            flag,
            |value| matches!(value, Expr::BooleanLiteral(literal) if literal.value),
        )
        .then_some(flag)
    })
}

/// `if not self.running:` whose branch sets `self.running = True`, with `call` in that branch
/// ([`latch_around`]), in a method of a class that keeps its instances for the process
/// (`ast_query::keeps_its_instances`: a `__new__` that hands back the instance it cached on
/// the class): the branch runs once per kept instance, unless a method of the class sets
/// the flag back to a falsy literal. A method registered with `atexit` does not count, nor
/// does a handler that re-raises (a failed start may be tried again).
fn behind_instance_latch(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Some(method) = checker.functions.last() else {
        return false;
    };
    let Some(receiver) = crate::ast_query::receiver_name(method) else {
        return false;
    };
    let Some(Flag { name, .. }) = latch_around(checker, call, receiver) else {
        return false;
    };
    let Some(class) = crate::ast_query::enclosing_class(checker.statement_ancestors(), method)
    else {
        return false;
    };
    if !crate::ast_query::keeps_its_instances(class) {
        return false;
    }
    let exit_hooks = checker.exit_hooks();
    !class.body.iter().any(|stmt| match stmt {
        Stmt::FunctionDef(other) => {
            !exit_hooks.contains(&crate::ast_query::Registered::Method(other.name.as_str()))
                && crate::ast_query::receiver_name(other)
                    .is_some_and(|receiver| rearms_flag(&other.body, Flag { receiver, name }, 0))
        }
        _ => false,
    })
}

/// Whether `body` sets `flag` to a value `is_set` accepts: in a statement of its own, or of a
/// `try` or `with` body in it.
fn sets_flag(body: &[Stmt], flag: Flag, is_set: fn(&Expr) -> bool) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Try(try_stmt) => sets_flag(&try_stmt.body, flag, is_set),
        Stmt::With(with) => sets_flag(&with.body, flag, is_set),
        other => assigns_flag(other, flag, is_set),
    })
}

/// Whether `stmt` assigns `flag` a value `accepts` takes (`flag = value`, `flag: T = value`).
fn assigns_flag(stmt: &Stmt, flag: Flag, accepts: fn(&Expr) -> bool) -> bool {
    match stmt {
        Stmt::Assign(assign) => {
            accepts(&assign.value) && assign.targets.iter().any(|target| flag.is(target))
        }
        Stmt::AnnAssign(ast::StmtAnnAssign {
            target,
            value: Some(value),
            ..
        }) => accepts(value) && flag.is(target),
        _ => false,
    }
}

/// Whether `body` sets `flag` to a falsy literal (`False`, `None`, `0`) anywhere but in an
/// `except` handler that ends by raising, or in an `if not hasattr(receiver, ...):`
/// branch (an `__init__` that sets its state up on the instance's first construction only:
/// a kept instance is constructed again on every call of the class).
fn rearms_flag(body: &[Stmt], flag: Flag, depth: usize) -> bool {
    if depth > crate::source::MAX_NESTING / 100 {
        return true;
    }
    let first_construction = |test: &Expr| {
        let receiver = flag.receiver;
        matches!(test, Expr::UnaryOp(unary) if unary.op == UnaryOp::Not
            && matches!(&*unary.operand, Expr::Call(call)
                if matches!(&*call.func, Expr::Name(name) if name.id.as_str() == "hasattr")
                    && matches!(call.arguments.args.first(),
                        Some(Expr::Name(owner)) if owner.id.as_str() == receiver)))
    };
    let deeper = |body: &[Stmt]| rearms_flag(body, flag, depth + 1);
    body.iter().any(|stmt| match stmt {
        Stmt::Assign(_) | Stmt::AnnAssign(_) => {
            assigns_flag(stmt, flag, crate::ast_query::is_falsy_literal)
        }
        Stmt::If(if_stmt) if first_construction(&if_stmt.test) => if_stmt
            .elif_else_clauses
            .iter()
            .any(|clause| deeper(&clause.body)),
        Stmt::Try(try_stmt) => {
            deeper(&try_stmt.body)
                || deeper(&try_stmt.orelse)
                || deeper(&try_stmt.finalbody)
                || try_stmt.handlers.iter().any(|handler| {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    !matches!(handler.body.last(), Some(Stmt::Raise(_))) && deeper(&handler.body)
                })
        }
        // A nested function or class sets its own receiver's flag, if any.
        Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        other => crate::ast_query::blocks_of(other).into_iter().any(&deeper),
    })
}

/// `try: return CACHE[key]` / `except KeyError: ... CACHE[key] = ...`, with `call` in the
/// handler.
fn fills_cache_on_key_error(checker: &Checker, call: &ast::ExprCall) -> bool {
    checker.statement_ancestors().iter().any(|stmt| {
        let Stmt::Try(try_stmt) = stmt else {
            return false;
        };
        try_stmt.handlers.iter().any(|handler| {
            let ast::ExceptHandler::ExceptHandler(handler) = handler;
            // The range first: resolving the caught name costs a path, and most handlers
            // around a call do not hold it.
            if !handler.range.contains_range(call.range()) {
                return false;
            }
            let catches_key_error = handler.type_.as_deref().is_some_and(|caught| {
                checker.model.path_of(caught).as_deref() == Some("builtins.KeyError")
            });
            if !catches_key_error {
                return false;
            }
            let mut stored = Vec::new();
            crate::ast_query::collect_assignments(&handler.body, &mut |target, _, _| {
                if let Expr::Subscript(store) = target {
                    stored.push((
                        checker.text(store.value.range()),
                        checker.text(store.slice.range()),
                    ));
                }
            });
            !stored.is_empty() && reads_any(checker, &try_stmt.body, &stored)
        })
    })
}

/// The early-return spelling of a cache fill, in a function's own body: `if key in CACHE:
/// return CACHE[key]` (a hit returns), then the work with `call` in it, then `CACHE[key] =
/// ...`, with no `return` between the test and the store: every run past the test stores
/// what it made, so the work runs once per key.
fn fills_cache_after_hit_returned(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Some(function) = checker.current_function() else {
        return false;
    };
    let body = &function.body;
    let Some((at, _)) = crate::ast_query::statement_holding(body, call.range()) else {
        return false;
    };
    // The hit test: the last `if key in CACHE:` before the call that only returns.
    let hit = body[..at].iter().rposition(|stmt| {
        matches!(stmt, Stmt::If(if_stmt)
            if if_stmt.elif_else_clauses.is_empty()
                && matches!(if_stmt.body.last(), Some(Stmt::Return(_)))
                && matches!(&*if_stmt.test, Expr::Compare(compare)
                    if matches!(compare.ops.as_ref(), [ast::CmpOp::In])))
    });
    let Some(hit) = hit else {
        return false;
    };
    let Stmt::If(if_stmt) = &body[hit] else {
        return false;
    };
    let Expr::Compare(test) = &*if_stmt.test else {
        return false;
    };
    let key = checker.text(test.left.range());
    let cache = checker.text(test.comparators[0].range());
    // The store, at the function's own level, at or after the call's statement.
    let stores = |stmt: &Stmt| {
        matches!(stmt, Stmt::Assign(assign) if matches!(assign.targets.as_slice(),
            [Expr::Subscript(store)] if checker.text(store.value.range()) == cache
                && checker.text(store.slice.range()) == key))
    };
    let Some(store) = body[at..].iter().position(stores).map(|offset| at + offset) else {
        return false;
    };
    !crate::ast_query::contains_return(&body[hit + 1..store])
}

/// Whether `body` reads `cache[key]` for one of the (cache, key) spellings of `stored`.
fn reads_any(checker: &Checker, body: &[Stmt], stored: &[(&str, &str)]) -> bool {
    let mut found = false;
    crate::ast_query::walk_body_shallow(body, &mut |node| {
        if let crate::ast_query::Node::Expr(Expr::Subscript(read)) = node
            && stored.iter().any(|&(cache, key)| {
                checker.text(read.value.range()) == cache && checker.text(read.slice.range()) == key
            })
        {
            found = true;
            return crate::ast_query::Walk::Stop;
        }
        crate::ast_query::Walk::Descend
    });
    found
}

/// Whether `expr` is `cache.get(key)`, spelled as in the store.
fn is_cache_get(checker: &Checker, expr: &Expr, cache: &str, key: &str) -> bool {
    let Expr::Call(get) = expr else {
        return false;
    };
    let Expr::Attribute(method) = &*get.func else {
        return false;
    };
    method.attr.as_str() == "get"
        && checker.text(method.value.range()) == cache
        && get
            .arguments
            .args
            .first()
            .is_some_and(|first| checker.text(first.range()) == key)
}

/// The arguments of a call whose type is known (`self` inside a method, an annotated
/// parameter, a value built from a known class): positions count only the arguments before
/// any `*args`.
fn argument_types(checker: &Checker, call: &ast::ExprCall) -> Vec<(ArgumentSlot, Name)> {
    spelled_arguments(call)
        .filter_map(|(spelled, argument)| {
            let type_name = checker.model.type_of(argument)?;
            Some((spelled.slot(), Name::new(&type_name)))
        })
        .collect()
}

/// The call site whose value decides whether the call at `range` runs: it sits in the
/// body of `if x is None:` (or `if not x:`), and `x`'s one assignment in the function is
/// `x = f(...)`, call site `n` of the function.
fn none_test_of_call(checker: &mut Checker, range: TextRange) -> Option<u32> {
    let function = checker.current_function()?;
    let tested = checker
        .statement_ancestors()
        .iter()
        .find_map(|stmt| match stmt {
            Stmt::If(if_stmt) if crate::ast_query::body_holds(&if_stmt.body, range) => {
                match &*if_stmt.test {
                    Expr::Compare(compare)
                        if matches!(compare.ops.as_ref(), [ast::CmpOp::Is])
                            && compare
                                .comparators
                                .first()
                                .is_some_and(Expr::is_none_literal_expr) =>
                    {
                        compare.left.as_name_expr().map(|name| name.id.as_str())
                    }
                    Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => {
                        unary.operand.as_name_expr().map(|name| name.id.as_str())
                    }
                    _ => None,
                }
            }
            _ => None,
        })?;
    let values = values_assigned_to(function, tested);
    let [Some(Expr::Call(probe))] = values.as_slice() else {
        return None;
    };
    let calls = &checker.summary.current().calls;
    calls
        .iter()
        .position(|site| site.range == probe.range())
        .map(|site| site as u32)
}

/// Whether `call` is a method of the calling thread's own loop: a local the function got
/// from `asyncio.get_running_loop()` or `asyncio.get_event_loop()`, or from a function of
/// the module that returns one of those (`loop = asyncio.get_running_loop()` ...
/// `loop.create_task(...)`), or `None` (bound where none runs). That loop belongs to this
/// thread by definition, so the method is used from the loop's own thread, never across
/// threads.
fn on_this_threads_loop(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Expr::Attribute(attribute) = &*call.func else {
        return false;
    };
    let Expr::Name(receiver) = &*attribute.value else {
        return false;
    };
    let Some(function) = checker.current_function() else {
        return false;
    };
    let values = values_assigned_to(function, receiver.id.as_str());
    let gives_own_loop = |value: &Option<&Expr>| {
        matches!(value, Some(Expr::Call(made)) if checker
            .model
            .call_path(made)
            .is_some_and(|path| catalog::gives_own_loop(&path)
                || checker.model.module.own_loop_functions.contains(&path)))
    };
    // `loop = None` where no loop runs (`except RuntimeError:`) leaves nothing to call a
    // method of: the method, when called, is the running loop's.
    values.iter().any(gives_own_loop)
        && values
            .iter()
            .all(|value| gives_own_loop(value) || value.is_some_and(Expr::is_none_literal_expr))
}

/// Whether `call` sits in the body of a `try` whose handlers catch `RuntimeError`, after a
/// statement of that body that calls `asyncio.get_running_loop()` (`try:
/// asyncio.get_running_loop(); asyncio.ensure_future(coro)` / `except RuntimeError:
/// run_coroutine_threadsafe(...)`): where no loop runs on the thread, the probe raises
/// first, so the call runs only on a loop's own thread.
fn after_running_loop_probe(checker: &Checker, call: &ast::ExprCall) -> bool {
    let ancestors: Vec<&Stmt> = checker.statements_in_function().collect();
    // Innermost first: each statement with the one that holds it.
    ancestors.iter().enumerate().any(|(depth, holder)| {
        let Stmt::Try(attempt) = holder else {
            return false;
        };
        let Some(inner) = depth.checked_sub(1).and_then(|at| ancestors.get(at)) else {
            return false;
        };
        let Some(at) = attempt
            .body
            .iter()
            .position(|stmt| std::ptr::eq(stmt, *inner))
        else {
            return false;
        };
        loop_guards::in_try_catching_runtime_error(
            &checker.model,
            std::slice::from_ref(holder),
            call.range(),
        ) && attempt.body[..at].iter().any(|stmt| {
            crate::ast_query::any_in_body(std::slice::from_ref(stmt), &mut |expr| {
                matches!(expr, Expr::Call(probe) if checker
                    .model
                    .call_path(probe)
                    .is_some_and(|path| path == "asyncio.get_running_loop"
                        || path == "asyncio.events.get_running_loop"))
            })
        })
    })
}

/// Whether the loop `call` uses (the receiver of `loop.call_soon(...)`, the `loop=` of
/// `asyncio.ensure_future(coro, loop=loop)`) is run by the same function after the call
/// (`loop.run_until_complete(...)`, `loop.run_forever()`, spelled the same): the thread that
/// makes the call is the one that runs that loop, so the call is made on the loop's thread.
fn loop_run_here_after(checker: &Checker, call: &ast::ExprCall) -> bool {
    let used = match &*call.func {
        Expr::Attribute(attribute) if !matches!(&*attribute.value, Expr::Call(_)) => {
            Some(&*attribute.value)
        }
        _ => None,
    };
    let Some(used) = call
        .arguments
        .find_keyword("loop")
        .map(|keyword| &keyword.value)
        .or(used)
    else {
        return false;
    };
    let Some(function) = checker.current_function() else {
        return false;
    };
    let loop_text = checker.text(used.range());
    crate::ast_query::walk_body_shallow(&function.body, &mut |node| match node {
        crate::ast_query::Node::Expr(Expr::Call(run))
            if run.start() >= call.end()
                && matches!(&*run.func, Expr::Attribute(method)
                    if matches!(method.attr.as_str(), "run_until_complete" | "run_forever")
                        && checker.text(method.value.range()) == loop_text) =>
        {
            crate::ast_query::Walk::Stop
        }
        _ => crate::ast_query::Walk::Descend,
    })
}

/// Every value assigned to the local `name` in `function`'s body (`None` where an assignment
/// cannot be followed: a `for` target, an augmented assignment, an unpacking).
fn values_assigned_to<'a>(function: &'a ast::StmtFunctionDef, name: &str) -> Vec<Option<&'a Expr>> {
    let mut values = Vec::new();
    crate::ast_query::collect_assignments(&function.body, &mut |target, value, _| {
        if matches!(target, Expr::Name(assigned) if assigned.id.as_str() == name) {
            values.push(value);
        }
    });
    values
}
