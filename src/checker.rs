//! The walk that runs the single-function rules: one pass over a module's tree, keeping
//! the scopes (for name resolution) and the ancestors of the current node (for rules that
//! ask "is this call's result dropped?"), and calling each rule where its nodes are.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ModModule, Stmt};
use ruff_text_size::TextRange;

use crate::diagnostic::Diagnostic;
use crate::project::collect::{self as summary, SummaryBuilder};
use crate::project::summary::ModuleSummary;
use crate::rules::{
    Rule, background_task_not_drained, blocking_io_in_async, cancelled_error_swallowed,
    check_then_act_across_await, dangling_task, fastapi_on_event, gather_exceptions_unchecked,
    gather_without_return_exceptions, get_event_loop, network_await_without_timeout,
    wait_for_prefer_timeout,
};
use crate::semantic::{ModuleBindings, Receiver, Scope, SemanticModel, receiver_of};
use crate::settings::Settings;

/// Nesting beyond this is not descended into: the rules have nothing to say about code
/// nested ten thousand levels deep, and the walk must finish on any input.
const MAX_NESTING: usize = 10_000;

/// Runs every enabled single-function rule on `module`, and summarises the module for the
/// whole-project rules.
pub fn check_module(
    module: &ModModule,
    source: &str,
    bindings: &ModuleBindings,
    settings: &Settings,
) -> (Vec<Diagnostic>, ModuleSummary) {
    let mut checker = Checker {
        summary: SummaryBuilder::new(bindings),
        settings,
        source,
        model: SemanticModel::new(bindings),
        module,
        statements: Vec::new(),
        expressions: Vec::new(),
        expression_base: 0,
        functions: Vec::new(),
        in_comprehension: 0,
        nesting: 0,
        names_read: rustc_hash::FxHashMap::default(),
        diagnostics: Vec::new(),
    };
    checker.visit_body(&module.body);
    background_task_not_drained::check_module(&mut checker, module);
    network_await_without_timeout::forget_module();
    (checker.diagnostics, checker.summary.finish())
}

pub struct Checker<'a, 'm> {
    pub settings: &'a Settings,
    summary: SummaryBuilder,
    pub source: &'a str,
    pub model: SemanticModel<'m>,
    module: &'a ModModule,
    /// Statements enclosing the current node, innermost last.
    statements: Vec<&'a Stmt>,
    /// Expressions enclosing the current node, innermost last (see `expression_base`).
    expressions: Vec<&'a Expr>,
    /// Where the current statement's expressions start in `expressions` (the ones below
    /// belong to enclosing statements, e.g. a lambda's body holding a walrus): one stack for
    /// the whole walk, so no statement allocates one of its own.
    expression_base: usize,
    /// The `def`s enclosing the current node, innermost last.
    functions: Vec<&'a ast::StmtFunctionDef>,
    in_comprehension: usize,
    /// Per body (keyed by where it starts): the names it reads, computed once on demand.
    names_read: rustc_hash::FxHashMap<ruff_text_size::TextSize, NamesRead<'a>>,
    nesting: usize,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Checker<'a, '_> {
    pub fn enabled(&self, rule: Rule) -> bool {
        self.settings.is_enabled(rule)
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Whether the current node runs on the event loop: its nearest enclosing function is
    /// an `async def` (a nested `def` or `lambda` is sync context, see RULES.md "Context").
    pub fn in_async_context(&self) -> bool {
        self.model.scopes.innermost_function_is_async() == Some(true)
    }

    /// The innermost enclosing `def` or `async def`, when no lambda is nearer.
    pub fn current_function(&self) -> Option<&'a ast::StmtFunctionDef> {
        self.functions.last().copied()
    }

    /// Whether `name` is read anywhere in the current body (nested functions included).
    /// Computed once per body, so asking for every assignment stays linear.
    pub fn is_read_in_current_body(&mut self, name: &str) -> bool {
        let body = self.current_body();
        let key = body
            .first()
            .map_or(ruff_text_size::TextSize::default(), |stmt| {
                ruff_text_size::Ranged::start(stmt)
            });
        self.names_read
            .entry(key)
            .or_insert_with(|| NamesRead::collect(body))
            .contains(name)
    }

    /// The body the current node belongs to: its function's, or the module's.
    pub fn current_body(&self) -> &'a [Stmt] {
        match self.functions.last() {
            Some(function) => &function.body,
            None => &self.module.body,
        }
    }

    /// The module being checked.
    pub fn module(&self) -> &'a ModModule {
        self.module
    }

    /// The statement the current node is part of.
    pub fn current_statement(&self) -> Option<&'a Stmt> {
        self.statements.last().copied()
    }

    /// The enclosing statements, innermost last.
    pub fn statement_ancestors(&self) -> &[&'a Stmt] {
        &self.statements
    }

    /// The expression directly containing the current one (`None` when the current
    /// expression is a statement's own).
    pub fn parent_expression(&self) -> Option<&'a Expr> {
        // The last entry is the current expression itself.
        self.expression_ancestors()
            .len()
            .checked_sub(2)
            .map(|index| self.expression_ancestors()[index])
    }

    /// The enclosing expressions, innermost last (the current expression included).
    pub fn expression_ancestors(&self) -> &[&'a Expr] {
        &self.expressions[self.expression_base..]
    }

    pub fn in_comprehension(&self) -> bool {
        self.in_comprehension > 0
    }

    /// The source text of `range`.
    pub fn text(&self, range: TextRange) -> &'a str {
        self.source.get(range.to_std_range()).unwrap_or("")
    }

    /// Whether the value of the current expression is thrown away: it is a whole
    /// expression statement.
    pub fn current_expression_is_statement(&self) -> bool {
        self.expression_ancestors().len() == 1
            && matches!(self.current_statement(), Some(Stmt::Expr(_)))
    }

    fn visit_call(&mut self, call: &'a ast::ExprCall) {
        let path = self.model.call_path(call);
        summary::record_call(self, call, path.as_deref());
        if let Some(path) = path.as_deref() {
            if self.in_async_context() {
                blocking_io_in_async::check_call(self, call, path);
            }
            get_event_loop::check_call(self, call, path);
            fastapi_on_event::check_call(self, call, path);
            dangling_task::check_call(self, call, path);
            gather_without_return_exceptions::check_call(self, call, path);
            gather_exceptions_unchecked::check_call(self, call, path);
        }
    }

    fn enter_function(&mut self, function: &'a ast::StmtFunctionDef) {
        let class = self.model.scopes.current_class().map(str::to_string);
        let receiver = match class.as_deref() {
            Some(class) if !class.is_empty() => receiver_of(function, class),
            _ => Receiver::None,
        };
        // Methods are `module.Class.method`, nested functions `module.outer.inner`.
        let owner = match class.as_deref() {
            Some(class) if !class.is_empty() => Some(class.to_string()),
            _ => self.summary.current_path().map(str::to_string),
        };
        let path = match owner {
            Some(owner) => format!("{owner}.{}", function.name),
            None => self.model.module.qualify(function.name.as_str()),
        };
        self.model.enter_function(function, &path, receiver);
        self.summary.enter_function(path, function);
        self.functions.push(function);
    }

    fn exit_function(&mut self) {
        self.functions.pop();
        self.summary.exit_function();
        self.model.scopes.pop();
    }

    /// Mutable access to the summary of the innermost function, for the summary collector.
    pub(crate) fn summary_mut(&mut self) -> &mut SummaryBuilder {
        &mut self.summary
    }
}

impl<'a> Visitor<'a> for Checker<'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.nesting >= MAX_NESTING {
            return;
        }
        self.nesting += 1;
        let saved_base = std::mem::replace(&mut self.expression_base, self.expressions.len());
        self.statements.push(stmt);
        match stmt {
            Stmt::FunctionDef(function) => {
                // Decorators, defaults and annotations run in the enclosing scope.
                for decorator in &function.decorator_list {
                    self.visit_decorator(decorator);
                }
                fastapi_on_event::check_function(self, function);
                for parameter in function.parameters.iter_non_variadic_params() {
                    if let Some(default) = &parameter.default {
                        self.visit_expr(default);
                    }
                }
                self.enter_function(function);
                check_then_act_across_await::check_function(self, function);
                self.visit_body(&function.body);
                self.exit_function();
            }
            Stmt::ClassDef(class) => {
                for decorator in &class.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                let path = if self.model.scopes.depth() == 0 {
                    self.model.module.qualify(class.name.as_str())
                } else {
                    // Classes nested in functions are not in the module's class table.
                    String::new()
                };
                self.model.scopes.push(Scope::Class { path });
                self.visit_body(&class.body);
                self.model.scopes.pop();
            }
            Stmt::With(with) => {
                if self.in_async_context() && !with.is_async {
                    blocking_io_in_async::check_with(self, with);
                }
                if self.in_async_context() && with.is_async {
                    network_await_without_timeout::check_async_with(self, with);
                }
                visitor::walk_stmt(self, stmt);
            }
            Stmt::Try(try_stmt) => {
                if self.in_async_context() {
                    cancelled_error_swallowed::check_try(self, try_stmt);
                }
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
        self.statements.pop();
        self.expression_base = saved_base;
        self.nesting -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.nesting >= MAX_NESTING {
            return;
        }
        self.nesting += 1;
        self.expressions.push(expr);
        match expr {
            Expr::Call(call) => {
                self.visit_call(call);
                visitor::walk_expr(self, expr);
            }
            Expr::Await(await_expr) if self.in_async_context() => {
                network_await_without_timeout::check_await(self, await_expr);
                wait_for_prefer_timeout::check_await(self, await_expr);
                visitor::walk_expr(self, expr);
            }
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    for parameter in parameters.iter_non_variadic_params() {
                        if let Some(default) = &parameter.default {
                            self.visit_expr(default);
                        }
                    }
                }
                self.model.enter_lambda(lambda);
                self.visit_expr(&lambda.body);
                self.model.scopes.pop();
            }
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => {
                self.in_comprehension += 1;
                visitor::walk_expr(self, expr);
                self.in_comprehension -= 1;
            }
            _ => visitor::walk_expr(self, expr),
        }
        self.expressions.pop();
        self.nesting -= 1;
    }
}

/// The names a body reads (loads), nested functions included.
pub struct NamesRead<'a> {
    names: rustc_hash::FxHashSet<&'a str>,
    /// `locals()`, `vars()`, `eval`, `exec`, `global`/`nonlocal`: reads that cannot be
    /// followed, so every name counts as read.
    everything: bool,
}

impl<'a> NamesRead<'a> {
    pub fn collect(body: &'a [Stmt]) -> Self {
        let mut reads = Self {
            names: rustc_hash::FxHashSet::default(),
            everything: false,
        };
        let mut collector = NamesReadCollector {
            reads: &mut reads,
            nesting: 0,
        };
        collector.visit_body(body);
        reads
    }

    pub fn contains(&self, name: &str) -> bool {
        self.everything || self.names.contains(name)
    }
}

struct NamesReadCollector<'r, 'a> {
    reads: &'r mut NamesRead<'a>,
    nesting: usize,
}

impl<'a> Visitor<'a> for NamesReadCollector<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.nesting >= MAX_NESTING {
            return;
        }
        if let Stmt::Global(ast::StmtGlobal { names, .. })
        | Stmt::Nonlocal(ast::StmtNonlocal { names, .. }) = stmt
        {
            self.reads
                .names
                .extend(names.iter().map(|name| name.as_str()));
        }
        self.nesting += 1;
        visitor::walk_stmt(self, stmt);
        self.nesting -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.nesting >= MAX_NESTING {
            return;
        }
        match expr {
            Expr::Name(name) if name.ctx.is_load() => {
                self.reads.names.insert(name.id.as_str());
            }
            Expr::Call(call) => {
                if let Expr::Name(func) = &*call.func
                    && matches!(func.id.as_str(), "locals" | "vars" | "eval" | "exec")
                {
                    self.reads.everything = true;
                }
            }
            _ => {}
        }
        self.nesting += 1;
        visitor::walk_expr(self, expr);
        self.nesting -= 1;
    }
}
