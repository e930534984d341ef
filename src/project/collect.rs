//! Building a [`ModuleSummary`] during the checker's walk: the checker tells the builder
//! when a function starts and ends, and hands it every call with its resolved path.

use ruff_python_ast::{self as ast, BoolOp, Expr, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange};

use super::summary::{
    BlockingSite, CallSite, CallUsage, FunctionSummary, LoopAffineSite, LoopRunSite, MODULE_CODE,
    ModuleSummary, ThreadTarget,
};
use crate::checker::Checker;
use crate::rules::{blocking_io_in_async, catalog};
use crate::semantic::ModuleBindings;

pub struct SummaryBuilder {
    summary: ModuleSummary,
    /// Callee path → its index in `summary.callees`.
    callee_index: rustc_hash::FxHashMap<String, u32>,
    /// Indices into `summary.functions` of the functions enclosing the walk, innermost last;
    /// the module code (index 0) is at the bottom.
    stack: Vec<usize>,
}

impl SummaryBuilder {
    pub fn new(bindings: &ModuleBindings) -> Self {
        let mut summary = ModuleSummary {
            module_name: bindings.module_name.clone(),
            is_package: bindings.is_package,
            ..ModuleSummary::default()
        };
        summary.functions.push(FunctionSummary::new(
            bindings.qualify(MODULE_CODE),
            MODULE_CODE.to_string(),
            false,
            TextRange::default(),
        ));
        Self {
            summary,
            callee_index: rustc_hash::FxHashMap::default(),
            stack: vec![0],
        }
    }

    /// The path of the innermost enclosing function (not the module code).
    pub fn current_path(&self) -> Option<&str> {
        let &index = self.stack.last()?;
        (index != 0).then(|| self.summary.functions[index].path.as_str())
    }

    pub fn enter_function(&mut self, path: String, function: &ast::StmtFunctionDef) {
        self.summary.functions.push(FunctionSummary::new(
            path,
            function.name.to_string(),
            function.is_async,
            function.name.range(),
        ));
        self.stack.push(self.summary.functions.len() - 1);
    }

    pub fn exit_function(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
        }
    }

    /// The index of `path` in the module's callee table, adding it the first time.
    fn intern_callee(&mut self, path: &str) -> u32 {
        if let Some(&index) = self.callee_index.get(path) {
            return index;
        }
        let index = u32::try_from(self.summary.callees.len()).unwrap_or(u32::MAX);
        self.summary.callees.push(path.to_string());
        self.callee_index.insert(path.to_string(), index);
        index
    }

    fn current(&mut self) -> &mut FunctionSummary {
        let index = self.stack.last().copied().unwrap_or(0);
        &mut self.summary.functions[index]
    }

    /// The summary, with every callee that names one of the module's own functions
    /// resolved here and now: most calls stay in their module (`self.method()`, a helper
    /// beside the caller), and resolving them while the module is in cache spares the
    /// link step most of its lookups.
    pub fn finish(mut self) -> ModuleSummary {
        let summary = &mut self.summary;
        let own: rustc_hash::FxHashMap<String, u32> = summary
            .functions
            .iter()
            .enumerate()
            .map(|(index, function)| (function.path.clone(), to_u32(index)))
            .collect();
        summary.local_callees = summary
            .callees
            .iter()
            .map(|callee| own.get(callee.as_str()).copied())
            .collect();
        summary.function_by_path = own;
        summary.call_edges = summary
            .functions
            .iter()
            .enumerate()
            .flat_map(|(index, function)| {
                function
                    .calls
                    .iter()
                    .enumerate()
                    .map(move |(site, call)| (to_u32(index), to_u32(site), call.callee))
            })
            .collect();
        self.summary
    }
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Records what the whole-project rules need to know of one call.
pub(crate) fn record_call(checker: &mut Checker, call: &ast::ExprCall, path: Option<&str>) {
    // A lambda runs wherever it is handed to: its calls are not its enclosing function's.
    if checker.model.scopes.innermost_is_lambda() {
        return;
    }
    let Some(path) = path else { return };
    let in_async_context = checker.in_async_context();
    let usage = call_usage(checker, call);
    let blocking = blocking_io_in_async::applicable_api(checker, call, path);
    let checks_running_loop = catalog::is_loop_affine(path)
        && path.ends_with("get_running_loop")
        && inside_try_body(checker, call);
    let to_thread = blocking_io_in_async::to_thread_fixable(checker).map(str::to_string);
    let to_thread_plan = to_thread.as_ref().map(|_| {
        (
            call.arguments.range(),
            checker.parent_expression().is_some(),
        )
    });
    if let Some(alias) = to_thread {
        checker
            .summary_mut()
            .summary
            .asyncio_alias
            .get_or_insert(alias);
    }
    let thread_target = catalog::thread_handoff(path).and_then(|(keyword, position)| {
        let argument = call.arguments.find_argument_value(keyword, position)?;
        callable_path(checker, argument)
    });

    // Builtins are never project functions nor coroutines: not worth a call site each.
    let callee =
        (!path.starts_with("builtins.")).then(|| checker.summary_mut().intern_callee(path));
    let function = checker.summary_mut().current();
    if let Some(callee) = callee {
        function.calls.push(CallSite {
            callee,
            range: call.range(),
            usage,
            in_async_context,
            to_thread: to_thread_plan,
        });
    }
    if let Some(api) = blocking {
        function.blocking.push(BlockingSite {
            api: path.to_string(),
            category: api.category,
            range: call.range(),
        });
    }
    if catalog::is_loop_run(path) {
        function.loop_runs.push(LoopRunSite {
            api: path.to_string(),
            range: call.range(),
        });
    }
    if catalog::is_loop_affine(path) {
        function.loop_affine.push(LoopAffineSite {
            api: path.to_string(),
            range: call.range(),
        });
    }
    if checks_running_loop {
        function.checks_running_loop = true;
    }
    if let Some(target) = thread_target {
        function.thread_targets.push(ThreadTarget {
            target,
            via: path.to_string(),
            range: call.range(),
        });
    }
}

/// The function a callable argument stands for: `f`, `self.f`, `functools.partial(f, ...)`.
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

/// Whether the call's value is thrown away, tested for truth, or used.
fn call_usage(checker: &mut Checker, call: &ast::ExprCall) -> CallUsage {
    let ancestors = checker.expression_ancestors();
    // The call is the last ancestor; look at what holds it.
    let parent = ancestors.len().checked_sub(2).map(|index| ancestors[index]);
    match parent {
        Some(Expr::UnaryOp(unary)) if unary.op == UnaryOp::Not => return CallUsage::Condition,
        Some(Expr::BoolOp(bool_op)) => {
            let is_last = bool_op
                .values
                .last()
                .is_some_and(|last| last.range() == call.range());
            if !is_last || bool_op.op == BoolOp::And || statement_tests(checker, bool_op.range()) {
                return CallUsage::Condition;
            }
            return CallUsage::Used;
        }
        Some(Expr::If(if_expr)) if if_expr.test.range() == call.range() => {
            return CallUsage::Condition;
        }
        Some(_) => return CallUsage::Used,
        None => {}
    }
    match checker.current_statement() {
        Some(Stmt::Expr(_)) => CallUsage::Dropped,
        Some(Stmt::Assign(assign)) => match assign.targets.as_slice() {
            [Expr::Name(name)] if assign.value.range() == call.range() => {
                if checker.is_read_in_current_body(name.id.as_str()) {
                    CallUsage::Used
                } else {
                    CallUsage::Dropped
                }
            }
            _ => CallUsage::Used,
        },
        _ if statement_tests(checker, call.range()) => CallUsage::Condition,
        _ => CallUsage::Used,
    }
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
        Stmt::Try(try_stmt) => try_stmt
            .body
            .iter()
            .any(|inner| inner.range().contains_range(call.range())),
        _ => false,
    })
}
