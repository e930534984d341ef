//! The context every single-function rule is handed: the module's semantic model (names,
//! scopes, types), the statements and expressions enclosing the current node, the settings,
//! and the findings so far. It also builds the module's summary for the whole-project step
//! ([`summarize`]), so the tree is walked once for both.
//!
//! This layer sits below the rules: it knows no rule. The walk that moves the context
//! through the tree and calls the rules is [`crate::dispatch`].

mod attributes_read;
pub mod blocking;
pub mod blocking_diagnostic;
pub mod deadlines;
pub mod decorators;
pub mod entry_coroutines;
pub mod feature_tests;
pub mod gather;
pub mod held_locks;
pub mod loop_guards;
pub mod module_insert;
mod names_read;
pub(crate) mod nonblocking_sockets;
pub mod own_loop_views;
pub mod owned_caches;
pub(crate) mod parameter_guards;
pub mod polled_state;
pub mod process_exit;
pub(crate) mod source_words;
pub mod static_tests;
pub mod summarize;
pub mod thread_bound;
pub mod thread_checks;
mod thread_locals;
pub mod to_thread;
pub mod version_gates;

use std::any::{Any, TypeId};
use std::cell::{RefCell, RefMut};

use ruff_python_ast::{self as ast, Expr, ModModule, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::FxHashMap;
use thin_vec::ThinVec;

use crate::ast_query;
use crate::catalog;
use crate::diagnostic::Diagnostic;
use crate::offsets::MarkedOffset;
use crate::project::ProjectRoots;
use crate::project::roots::may_be_in_project;
use crate::project::summary::{DecoratorKind, ModuleSummary};
use crate::project::summary_builder::SummaryBuilder;
use crate::registry::Rule;
use crate::semantic::{ModuleBindings, Receiver, SemanticModel, receiver_of};
use crate::settings::Settings;
use crate::source::LineIndex;

pub use names_read::NamesRead;

pub use crate::source::MAX_NESTING;

pub struct Checker<'a, 'm> {
    pub settings: &'a Settings,
    /// The rules `settings` runs, one bit per rule: asked at every node, where a lookup in
    /// the settings' ordered set cost more than some of the checks it gates.
    enabled_rules: RuleSet,
    pub(crate) summary: SummaryBuilder,
    pub source: &'a str,
    pub model: SemanticModel<'m>,
    pub(crate) module: &'a ModModule,
    /// Statements enclosing the current node, innermost last.
    pub(crate) statements: Vec<&'a Stmt>,
    /// Expressions enclosing the current node, innermost last (see `expression_base`).
    pub(crate) expressions: Vec<&'a Expr>,
    /// Where the current statement's expressions start in `expressions` (the ones below
    /// belong to enclosing statements, e.g. a lambda's body holding a walrus): one stack for
    /// the whole walk, so no statement allocates one of its own.
    pub(crate) expression_base: usize,
    /// The `def`s enclosing the current node, innermost last.
    pub(crate) functions: Vec<&'a ast::StmtFunctionDef>,
    pub(crate) in_comprehension: usize,
    /// The module's names and class attributes that hold thread-local storage
    /// (`_tls = threading.local()`, `self._local = threading.local()`): what the walk asks
    /// of the attributes read in sync functions. `None` for most modules, which hold none.
    pub(crate) thread_locals: Option<Box<thread_locals::ThreadLocals>>,
    /// The attribute names the module reads anywhere, collected on the first question.
    pub(crate) attributes_read: Option<attributes_read::AttributesRead<'a>>,
    /// Per body (keyed by where it starts): the names it reads, computed once on demand.
    names_read: rustc_hash::FxHashMap<ruff_text_size::TextSize, NamesRead<'a>>,
    pub(crate) nesting: usize,
    /// Where the walk first met code nested [`MAX_NESTING`] levels deep, which it does not
    /// descend into (reported as LW004).
    pub(crate) nesting_limit_at: Option<TextSize>,
    /// When the per-file time limit runs out (`file-time-limit`), and where the walk stopped
    /// if it did (reported as LW004).
    pub(crate) deadline: Option<std::time::Instant>,
    pub(crate) stopped_at: Option<TextSize>,
    /// Nodes walked since the clock was last read: reading it at every node would cost more
    /// than some checks.
    pub(crate) ticks: u32,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The project's top-level names, when the project is known: what the summary records
    /// only for calls that may reach a project function (LW103's fix) asks them.
    pub(crate) roots: Option<&'a ProjectRoots>,
    /// The module's line starts (rows for messages that name other lines).
    pub line_index: &'a LineIndex,
    /// The module is a Jupyter notebook's code cells: its top level runs inside the
    /// kernel's event loop.
    pub notebook: bool,
    /// What rules learn once per module and reuse at every node (an index of the module's
    /// call sites, say), one value per type: it lives exactly as long as the module's walk.
    rule_state: RefCell<FxHashMap<TypeId, Box<dyn Any>>>,
    /// The words of [`source_words`] in the module's text, scanned on the first question: a
    /// cell of its own, so that asking never borrows `rule_state` (a rule may ask while it
    /// holds its own state).
    source_words: std::cell::OnceCell<source_words::SourceWords>,
    /// The module's [`entry_coroutines::candidates`], found on the first question.
    entry_candidates: std::cell::OnceCell<Vec<Box<str>>>,
    /// The module's [`entry_coroutines::first_awaited_helpers`], found on the first question.
    first_awaited_helpers: std::cell::OnceCell<Vec<Box<str>>>,
    /// The module's [`entry_coroutines::last_awaited_helpers`], found on the first question.
    last_awaited_helpers: std::cell::OnceCell<Vec<Box<str>>>,
    /// The module's [`entry_coroutines::start_up`] coroutines, found on the first question.
    start_up: std::cell::OnceCell<entry_coroutines::StartUp>,
}

/// A set of rules as a bit mask, indexed by the rule's place in [`Rule::ALL`].
#[derive(Clone, Copy)]
struct RuleSet(u128);

// One bit per rule: a rule past the 128th needs a wider mask.
const _: () = assert!(Rule::ALL.len() <= 128);

impl RuleSet {
    fn of(settings: &Settings) -> Self {
        Self(
            settings
                .rules
                .iter()
                .fold(0, |mask, &rule| mask | 1 << rule as usize),
        )
    }

    fn contains(self, rule: Rule) -> bool {
        self.0 & 1 << rule as usize != 0
    }
}

impl<'a, 'm> Checker<'a, 'm> {
    pub fn new(
        module: &'a ModModule,
        source: &'a str,
        line_index: &'a LineIndex,
        bindings: &'m ModuleBindings,
        settings: &'a Settings,
    ) -> Self {
        Self {
            summary: SummaryBuilder::new(bindings),
            enabled_rules: RuleSet::of(settings),
            settings,
            source,
            model: SemanticModel::new(bindings),
            module,
            statements: Vec::new(),
            expressions: Vec::new(),
            expression_base: 0,
            functions: Vec::new(),
            in_comprehension: 0,
            thread_locals: thread_locals::ThreadLocals::of(bindings),
            nesting: 0,
            nesting_limit_at: None,
            deadline: settings
                .file_time_limit
                .and_then(|limit| std::time::Instant::now().checked_add(limit)),
            stopped_at: None,
            ticks: 0,
            names_read: rustc_hash::FxHashMap::default(),
            attributes_read: None,
            diagnostics: Vec::new(),
            roots: None,
            line_index,
            notebook: false,
            rule_state: RefCell::default(),
            source_words: std::cell::OnceCell::new(),
            entry_candidates: std::cell::OnceCell::new(),
            first_awaited_helpers: std::cell::OnceCell::new(),
            last_awaited_helpers: std::cell::OnceCell::new(),
            start_up: std::cell::OnceCell::new(),
        }
    }

    /// The module's `T`, made on first use. A rule keeps what it learns of the module here;
    /// it must not ask for the same `T` again while it holds it.
    pub fn rule_state<T: Default + 'static>(&self) -> RefMut<'_, T> {
        RefMut::map(self.rule_state.borrow_mut(), |states| {
            let state = states
                .entry(TypeId::of::<T>())
                .or_insert_with(|| Box::new(T::default()));
            state
                .downcast_mut::<T>()
                .unwrap_or_else(|| unreachable!("made as T just above"))
        })
    }

    /// The findings and the module's summary, once the walk is over.
    pub fn finish(self) -> (Vec<Diagnostic>, ModuleSummary) {
        (self.diagnostics, self.summary.finish())
    }
}

impl<'a> Checker<'a, '_> {
    /// Whether the walk goes no further into the node at `at`: it is nested too deep, or the
    /// file's time is up. Records the first place of each for LW004.
    pub(crate) fn stops_at(&mut self, at: TextSize) -> bool {
        if self.stopped_at.is_some() {
            return true;
        }
        if self.nesting >= MAX_NESTING {
            self.nesting_limit_at.get_or_insert(at);
            return true;
        }
        self.ticks += 1;
        if self.ticks >= 256 {
            self.ticks = 0;
            if self
                .deadline
                .is_some_and(|deadline| std::time::Instant::now() >= deadline)
            {
                self.stopped_at = Some(at);
                return true;
            }
        }
        false
    }

    /// Whether the module's text contains `word` anywhere: the cheap test that spares a
    /// rule its walk in the modules that cannot concern it. A vectorised search, as it runs
    /// over every file's whole text.
    /// Whether `path` may name a definition of another module of the project: under one of
    /// the project's top-level names, and not under this module's own name. (What such a
    /// definition is, only the link knows.)
    pub fn names_another_project_module(&self, path: &str) -> bool {
        let Some(roots) = self.roots else {
            return false;
        };
        let own = self.model.module.module_name.as_str();
        let in_own_module = own.is_empty()
            || path
                .strip_prefix(own)
                .is_some_and(|rest| rest.starts_with('.'));
        roots.may_contain(path) && !in_own_module
    }

    /// Whether the module's text contains `word` anywhere (a comment or a string too): a
    /// shortcut for rules that need the word before anything they look for can be there.
    pub fn source_mentions(&self, word: &str) -> bool {
        self.source_words().mentions(self.source, word)
    }

    /// Whether `function` is an entry coroutine: a module-level `async def` the module runs
    /// with `asyncio.run(...)` and names nowhere else, such a method, or such a function
    /// nested in another ([`entry_coroutines`]).
    pub fn is_entry_coroutine(&self, function: &ast::StmtFunctionDef) -> bool {
        // The function around it, when it is nested in one.
        let enclosing = match self.functions.as_slice() {
            [.., outer, current] if std::ptr::eq(*current, function) => Some(*outer),
            _ => None,
        };
        entry_coroutines::is_entry_coroutine(
            &self.model,
            &self.module.body,
            enclosing,
            self.entry_candidates(),
            function,
        )
    }

    /// Whether `function` is a module-level `async def` the module's entry coroutine ends
    /// by awaiting (or gathering), named nowhere else in the module
    /// ([`entry_coroutines::last_awaited_helpers`]).
    pub fn is_awaited_last_by_entry(&self, function: &ast::StmtFunctionDef) -> bool {
        let helpers = self.last_awaited_helpers.get_or_init(|| {
            entry_coroutines::last_awaited_helpers(
                &self.model,
                &self.module.body,
                self.entry_candidates(),
            )
        });
        entry_coroutines::is_module_helper_among(&self.module.body, helpers, function)
    }

    fn entry_candidates(&self) -> &[Box<str>] {
        self.entry_candidates
            .get_or_init(|| entry_coroutines::candidates(self.source))
    }

    fn first_awaited_helpers(&self) -> &[Box<str>] {
        self.first_awaited_helpers.get_or_init(|| {
            entry_coroutines::first_awaited_helpers(
                &self.model,
                &self.module.body,
                self.entry_candidates(),
            )
        })
    }

    /// The words of [`source_words`] in the module's text, found in one scan the first
    /// time they are asked about.
    pub(crate) fn source_words(&self) -> &source_words::SourceWords {
        self.source_words
            .get_or_init(|| source_words::SourceWords::scan(self.source))
    }

    pub fn enabled(&self, rule: Rule) -> bool {
        self.enabled_rules.contains(rule)
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

    /// The function the current one is nested in, when it is defined in that function's
    /// body (no class between them).
    pub fn enclosing_function(&self) -> Option<&'a ast::StmtFunctionDef> {
        let mut scopes = self
            .statement_ancestors()
            .iter()
            .rev()
            .filter(|stmt| matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)));
        match (scopes.next(), scopes.next()) {
            (Some(Stmt::FunctionDef(_)), Some(Stmt::FunctionDef(outer))) => Some(outer),
            _ => None,
        }
    }

    /// The current function when it is defined at module level (no function or class around
    /// it): the rules that exempt a function by how its module uses it ask this first.
    pub fn module_level_function(&self) -> Option<&'a ast::StmtFunctionDef> {
        let mut scopes = self
            .statement_ancestors()
            .iter()
            .filter(|stmt| matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)));
        match (scopes.next(), scopes.next()) {
            (Some(Stmt::FunctionDef(function)), None) => Some(function),
            _ => None,
        }
    }

    /// Whether `name` is read anywhere in the current body (nested functions included).
    /// Computed once per body, so asking for every assignment stays linear.
    pub fn is_read_in_current_body(&mut self, name: &str) -> bool {
        self.names_read_in_current_body().contains(name)
    }

    /// Whether what `name` holds is used in the current body as a call's result, not as a
    /// coroutine ([`NamesRead::read_as_result`]).
    pub fn is_read_as_result(&mut self, name: &str) -> bool {
        self.names_read_in_current_body().read_as_result(name)
    }

    /// Whether `name` is bound once in the current body and iterated there on this thread
    /// ([`NamesRead::iterated_synchronously`]).
    pub fn is_iterated_synchronously(&mut self, name: &str) -> bool {
        self.names_read_in_current_body()
            .iterated_synchronously(name)
    }

    /// Whether `name` is only ever tested in the current body ([`NamesRead::read_only_in_tests`]).
    pub fn is_read_only_in_tests(&mut self, name: &str) -> bool {
        self.names_read_in_current_body().read_only_in_tests(name)
    }

    /// Whether `name` is a collection the current function makes for itself (a local it
    /// binds, not a parameter) and only ever fills (`x.append(v)`, `x[k] = v`): nothing is
    /// taken out of it, passed on, returned or awaited.
    pub fn is_local_only_filled(&mut self, name: &str) -> bool {
        let Some(function) = self.current_function() else {
            return false;
        };
        let is_parameter = function
            .parameters
            .iter()
            .any(|parameter| parameter.name().as_str() == name);
        !is_parameter
            && self.model.scopes.innermost_function_binds(name)
            && binds_only_fresh_containers(&function.body, name)
            && self.names_read_in_current_body().only_filled(name)
    }

    /// The names the current body reads, collected the first time a body is asked about.
    /// The module's body is walked for every function's body at once (see
    /// [`NamesRead::collect_all`]), so a function asked about after it is not walked again.
    fn names_read_in_current_body(&mut self) -> &NamesRead<'a> {
        let body = self.current_body();
        let key = names_read::body_start(body);
        if self.functions.is_empty()
            && !self.names_read.contains_key(&key)
            && let Some(every_body) = NamesRead::collect_all(body)
        {
            for (start, reads) in every_body {
                self.names_read.entry(start).or_insert(reads);
            }
        }
        self.names_read
            .entry(key)
            .or_insert_with(|| NamesRead::collect(body))
    }

    /// The module-level class of this module that the type path `type_name` names.
    pub fn module_class(&self, type_name: &str) -> Option<&'a ast::StmtClassDef> {
        let name = type_name
            .strip_prefix(self.summary.module_name())?
            .strip_prefix('.')?;
        self.module().body.iter().find_map(|stmt| match stmt {
            Stmt::ClassDef(class) if class.name.as_str() == name => Some(class),
            _ => None,
        })
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

    /// The enclosing statements of the current function's (or class's) own body, innermost
    /// first: those between the current node and the nearest `def` or `class`.
    pub fn statements_in_function(&self) -> impl Iterator<Item = &'a Stmt> + '_ {
        self.statements
            .iter()
            .rev()
            .copied()
            .take_while(|stmt| !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)))
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

    /// Whether the call's value is iterated right where it is made: the iterable of a `for`
    /// or of a comprehension (`async for` included), or the argument of a builtin that
    /// consumes it (`list(f())`).
    pub fn iterates_where_made(&self, call: &ast::ExprCall) -> bool {
        self.iteration_where_made(call).is_some()
    }

    /// [`Self::iterates_where_made`], by a plain `for`, a comprehension without `async for`,
    /// or a builtin: the iterator's `__next__` runs on this thread. Also a value bound to a
    /// local that the function binds nowhere else and iterates so (`orders =
    /// Order.objects.filter(...)`, then `for order in orders:`), which costs a walk of the
    /// body: asked only of the few calls that block where iterated.
    pub fn iterates_synchronously_where_made(&self, call: &ast::ExprCall) -> bool {
        if let Some(is_async) = self.iteration_where_made(call) {
            return !is_async;
        }
        self.bound_local(call)
            .is_some_and(|local| iterated_synchronously(self.current_body(), local))
    }

    /// The local the call's value is bound to, when the call is the whole value of an
    /// assignment to one name (`orders = Order.objects.filter(...)`).
    pub fn bound_local(&self, call: &ast::ExprCall) -> Option<&'a str> {
        if self.parent_expression().is_some() {
            return None;
        }
        let Some(Stmt::Assign(assign)) = self.current_statement() else {
            return None;
        };
        match assign.targets.as_slice() {
            [Expr::Name(local)] if assign.value.range() == call.range() => Some(local.id.as_str()),
            _ => None,
        }
    }

    /// Whether the call is the whole value of a `return` of a sync function: what it makes
    /// is iterated, if at all, by the function's callers.
    pub fn returned_by_sync_function(&self, call: &ast::ExprCall) -> bool {
        self.parent_expression().is_none()
            && self
                .current_function()
                .is_some_and(|function| !function.is_async)
            && matches!(self.current_statement(),
                Some(Stmt::Return(ret)) if ret.value.as_deref().is_some_and(|value| value.range() == call.range()))
    }

    /// How the call's value is iterated right where it is made: `Some(true)` by `async for`.
    fn iteration_where_made(&self, call: &ast::ExprCall) -> Option<bool> {
        let ancestors = self.expression_ancestors();
        let parent = ancestors.len().checked_sub(2).map(|index| ancestors[index]);
        if let Some(generators) = parent.and_then(ast_query::comprehension_generators) {
            return generators
                .iter()
                .find(|generator| generator.iter.range() == call.range())
                .map(|generator| generator.is_async);
        }
        match parent {
            Some(Expr::Call(consumer)) => {
                let consumes = consumer.arguments.args.len() == 1
                    && consumer.arguments.args[0].range() == call.range()
                    && matches!(&*consumer.func, Expr::Name(name)
                        if catalog::CONSUMING_BUILTINS.contains(&name.id.as_str())
                            && self.model.path_of(&consumer.func).is_some_and(|path| path.starts_with("builtins.")));
                consumes.then_some(false)
            }
            Some(_) => None,
            None => match self.current_statement() {
                Some(Stmt::For(for_stmt)) if for_stmt.iter.range() == call.range() => {
                    Some(for_stmt.is_async)
                }
                _ => None,
            },
        }
    }

    /// The module's whole text.
    pub fn source_text(&self) -> &'a str {
        self.source
    }

    /// The source text of `range`.
    pub fn text(&self, range: TextRange) -> &'a str {
        self.source.get(range.to_std_range()).unwrap_or("")
    }

    /// The 1-based row of `offset` in the module being checked, for messages that name other
    /// lines (the line index is built once per module, so many findings stay cheap).
    pub fn row_of(&self, offset: TextSize) -> usize {
        self.line_index.line_of(offset) + 1
    }

    /// Whether the value of the current expression is thrown away: it is a whole
    /// expression statement.
    pub fn current_expression_is_statement(&self) -> bool {
        self.expression_ancestors().len() == 1
            && matches!(self.current_statement(), Some(Stmt::Expr(_)))
    }

    pub(crate) fn enter_function(&mut self, function: &'a ast::StmtFunctionDef) {
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
            Some(owner) => crate::semantic::member_path(&owner, function.name.as_str()),
            None => self.model.module.qualify(function.name.as_str()),
        };
        // Decorators resolve in the enclosing scope: before the function's own is entered.
        // A value kept in a global the module re-arms only from functions it never names
        // itself runs once unless another module calls one of them: the link asks.
        let mut rearmed_by = Vec::new();
        let runs_once = self.is_memoized(function)
            || (!function.is_async
                && (crate::ast_query::returns_kept_global(function).is_some_and(
                    |global| match self.latch_rearmers(global) {
                        Some(rearmers) => {
                            rearmed_by = rearmers;
                            true
                        }
                        None => false,
                    },
                ) || crate::ast_query::records_seen_keys(function)
                    .is_some_and(|seen| !crate::ast_query::forgets_keys(&self.module.body, seen))));
        let thread_decorators = if function.is_async {
            ThreadDecorators::AskTheLink(Vec::new())
        } else {
            self.thread_decorators(function)
        };
        let decorators = if function.is_async {
            self.decorators_of_async(function)
        } else {
            DecoratorsSay::Coroutine
        };
        let as_decorator = if function.is_async {
            DecoratorKind::Unknown
        } else {
            decorators::decorator_kind(function)
        };
        let own_loop_view = if function.is_async {
            own_loop_views::registration(&self.model, self.roots, &self.statements, function)
        } else {
            None
        };
        let runs_alone_until = if function.is_async {
            entry_coroutines::runs_alone_until(
                &self.model,
                &self.module.body,
                self.current_function(),
                self.entry_candidates(),
                self.first_awaited_helpers(),
                function,
            )
            .or_else(|| {
                let start_up = self.start_up.get_or_init(|| {
                    entry_coroutines::start_up(
                        &self.model,
                        (
                            self.source_mentions("lifespan"),
                            self.source_mentions("startup"),
                        ),
                        &self.module.body,
                    )
                });
                entry_coroutines::start_up_alone_until(
                    &self.model,
                    &self.module.body,
                    start_up,
                    function,
                )
            })
        } else {
            None
        };
        self.model.enter_function(function, &path, receiver);
        self.summary.enter_function(path, function);
        if crate::ast_query::declares_async_generator(function) {
            self.summary.current().is_generator = true;
        }
        if function.is_async && crate::ast_query::loops_forever(&function.body) {
            self.summary.current().loops_forever = true;
        }
        if let Some(until) = runs_alone_until {
            self.summary.current().runs_alone_until = Some(MarkedOffset(until));
        }
        if runs_once {
            let current = self.summary.current();
            current.runs_once = true;
            if !rearmed_by.is_empty() {
                current.rearmed_by = rearmed_by.into_iter().map(Box::from).collect();
            }
        }
        if crate::ast_query::is_stub(&function.body) {
            self.summary.current().is_stub = true;
        } else if function.is_async
            && !self.summary.current().is_generator
            && crate::ast_query::first_suspension(&function.body, None).is_none()
        {
            self.summary.note_never_suspends();
        }
        match thread_decorators {
            ThreadDecorators::Thread => self.summary.current().runs_in_thread = true,
            ThreadDecorators::ThreadCoroutine => {
                let function = self.summary.current();
                function.runs_in_thread = true;
                function.thread_coroutine = true;
            }
            ThreadDecorators::AskTheLink(paths) => {
                for path in paths {
                    self.summary.note_sync_project_decorator(&path);
                }
            }
        }
        match decorators {
            DecoratorsSay::Coroutine => {}
            DecoratorsSay::Hidden => self.summary.current().coroutine_hidden = true,
            DecoratorsSay::RunsOwnLoop => {
                let function = self.summary.current();
                function.coroutine_hidden = true;
                function.runs_own_loop = true;
            }
            DecoratorsSay::AskTheLink(paths) => self.summary.current().project_decorators = paths,
        }
        self.summary.current().as_decorator = as_decorator;
        if let Some(view) = own_loop_view {
            self.summary.mark_current_own_loop_view(view);
        }
        if self::loop_guards::none_means_no_loop(function) {
            self.summary.current().none_means_no_loop = true;
        }
        self.functions.push(function);
    }

    /// Whether `function` is decorated with a memoizing decorator (`@functools.cache`,
    /// `@lru_cache(maxsize=None)`).
    fn is_memoized(&self, function: &ast::StmtFunctionDef) -> bool {
        function.decorator_list.iter().any(|decorator| {
            let target = match &decorator.expression {
                Expr::Call(call) => &*call.func,
                other => other,
            };
            self.model
                .path_of(target)
                .is_some_and(|path| catalog::MEMOIZING_DECORATORS.contains(&path.as_str()))
        })
    }

    /// Whether a function of the module sets the global `name` back to `None` (see
    /// [`crate::ast_query::globals_reset`]), found for all globals on the first question.
    /// A function the module registers with `atexit` does not count: it runs as the
    /// interpreter exits, after the last coroutine.
    pub(crate) fn resets_global(&self, name: &str) -> bool {
        self.global_resets(name, |reset| reset == ast_query::Reset::ToNone)
    }

    /// Whether a function of the module sets the global `name` to a falsy literal (`None`,
    /// `False`, `0`): a latch (`if not _STARTED: _STARTED = True`) it re-arms. As
    /// [`Self::resets_global`], `atexit` hooks left out.
    pub(crate) fn rearms_latch(&self, name: &str) -> bool {
        self.global_resets(name, |_| true)
    }

    /// The functions and methods the module registers with `atexit` (by name, see
    /// [`ast_query::registered_functions`]): they run as the interpreter exits.
    pub(crate) fn exit_hooks(&self) -> Vec<ast_query::Registered<'a>> {
        ast_query::registered_functions(&self.module.body, &|callee| {
            self.model.path_of(callee).as_deref() == Some("atexit.register")
        })
    }

    fn global_resets(&self, name: &str, counts: impl Fn(ast_query::Reset) -> bool) -> bool {
        self.with_global_resets(|resets| {
            resets
                .iter()
                .any(|(global, reset, _)| global == name && counts(*reset))
        })
    }

    /// Who re-arms the latch in global `name` ([`Self::rearms_latch`]): no function, or
    /// only module-level functions the module itself never names (`reload_config`, kept
    /// for callers elsewhere, which the link looks for: their names), or a function the
    /// module uses, a method or a nested function (`None`: the latch is taken as re-armed).
    pub(crate) fn latch_rearmers(&self, name: &str) -> Option<Vec<String>> {
        let rearmers: Option<Vec<String>> = self.with_global_resets(|resets| {
            resets
                .iter()
                .filter(|(global, _, _)| global == name)
                .map(|(_, _, by)| by.clone())
                .collect()
        });
        let rearmers = rearmers?;
        let body = &self.module.body;
        rearmers
            .iter()
            .all(|by| ast_query::uses_of_name(body, by, false, &|_| false).is_empty())
            .then_some(rearmers)
    }

    /// `look` at the module's resets of globals, found for all globals on the first question.
    fn with_global_resets<T>(
        &self,
        look: impl FnOnce(&[(String, ast_query::Reset, Option<String>)]) -> T,
    ) -> T {
        #[derive(Default)]
        struct ResetGlobals(Option<Vec<(String, ast_query::Reset, Option<String>)>>);
        let mut reset = self.rule_state::<ResetGlobals>();
        look(reset.0.get_or_insert_with(|| {
            let exit_hooks: Vec<&str> = self
                .exit_hooks()
                .into_iter()
                .filter_map(|hook| match hook {
                    ast_query::Registered::Function(name) => Some(name),
                    ast_query::Registered::Method(_) => None,
                })
                .collect();
            ast_query::globals_reset_by(&self.module.body, &exit_hooks)
                .into_iter()
                .map(|(global, reset, by)| (global.to_string(), reset, by.map(str::to_string)))
                .collect()
        }))
    }

    /// Where the decorators of a sync `def` run its body, as far as this module can tell:
    /// in a worker thread for a catalogued decorator ([`catalog::THREAD_RUNNING_DECORATORS`]:
    /// `@sync_to_async`, `@sync_to_async(thread_sensitive=False)`, `@work(thread=True)`) or a
    /// function of this module whose wrapper hands the function to a thread
    /// ([`DecoratorKind::Offloads`]); decorators that may be functions of other modules of
    /// the project are left to the link, which reads what they make of it.
    fn thread_decorators(&self, function: &ast::StmtFunctionDef) -> ThreadDecorators {
        let mut ask_the_link = Vec::new();
        for decorator in &function.decorator_list {
            let (target, call) = match &decorator.expression {
                Expr::Call(call) => (&*call.func, Some(call)),
                other => (other, None),
            };
            if let Expr::Name(name) = target {
                let kinds = self.module_decorator_kinds(name.id.as_str());
                if !kinds.is_empty() {
                    if kinds.iter().all(|&kind| kind == DecoratorKind::Offloads) {
                        return ThreadDecorators::Thread;
                    }
                    continue;
                }
            }
            let Some(path) = self.model.path_of(target) else {
                continue;
            };
            let catalogued =
                catalog::THREAD_RUNNING_DECORATORS
                    .iter()
                    .find(|&&(decorator, keyword, _)| {
                        decorator == path.as_str()
                            && keyword.is_none_or(|keyword| is_true_keyword(call, keyword))
                    });
            if let Some(&(_, _, makes_coroutine)) = catalogued {
                return if makes_coroutine {
                    ThreadDecorators::ThreadCoroutine
                } else {
                    ThreadDecorators::Thread
                };
            }
            if !path.starts_with("builtins.") && may_be_in_project(self.roots, &path) {
                ask_the_link.push(path);
            }
        }
        ThreadDecorators::AskTheLink(ask_the_link)
    }

    /// What each module-level `def` of this module named `name` makes of a function it
    /// decorates ([`decorators::decorator_kind`]): none when the module defines no such
    /// function, one per definition otherwise.
    fn module_decorator_kinds(&self, name: &str) -> Vec<DecoratorKind> {
        self.module
            .body
            .iter()
            .filter_map(|stmt| match stmt {
                Stmt::FunctionDef(definition) if definition.name.as_str() == name => {
                    Some(decorators::decorator_kind(definition))
                }
                _ => None,
            })
            .collect()
    }

    /// What the decorators of an `async def` make of it, as far as this module can tell
    /// (LW302 asks whether calling it makes a coroutine). A catalogued decorator that makes
    /// it a plain function (`@async_to_sync`), or a function of this module whose returned
    /// wrapper is a sync `def` (`def run_sync(fn): def wrapper(*a): return
    /// asyncio.run(fn(*a)); return wrapper`), hides the coroutine; so does a library's
    /// decorator not catalogued as keeping one, whose effect the module cannot see. A
    /// decorator that may be a function of another module of the project is left to the
    /// link, which reads it.
    fn decorators_of_async(&self, function: &ast::StmtFunctionDef) -> DecoratorsSay {
        let mut ask_the_link: ThinVec<Box<str>> = ThinVec::new();
        for decorator in &function.decorator_list {
            let target = match &decorator.expression {
                Expr::Call(call) => &*call.func,
                other => other,
            };
            // A function of this module: read here.
            if let Expr::Name(name) = target {
                let kinds = self.module_decorator_kinds(name.id.as_str());
                if !kinds.is_empty() {
                    if kinds.iter().any(|&kind| kind != DecoratorKind::Keeps) {
                        return DecoratorsSay::Hidden;
                    }
                    continue;
                }
            }
            let Some(path) = self.model.path_of(target) else {
                // An expression the module cannot name (`@registry[kind]`).
                return DecoratorsSay::Hidden;
            };
            let path = path.as_str();
            if catalog::LOOP_RUNNING_DECORATORS.contains(&path) {
                return DecoratorsSay::RunsOwnLoop;
            }
            if catalog::SYNC_WRAPPING_DECORATORS.contains(&path) {
                return DecoratorsSay::Hidden;
            }
            if catalog::COROUTINE_KEEPING_DECORATORS.contains(&path) {
                continue;
            }
            if path.starts_with("builtins.") || !may_be_in_project(self.roots, path) {
                return DecoratorsSay::Hidden;
            }
            ask_the_link.push(path.into());
        }
        if ask_the_link.is_empty() {
            DecoratorsSay::Coroutine
        } else {
            DecoratorsSay::AskTheLink(ask_the_link)
        }
    }

    pub(crate) fn exit_function(&mut self) {
        if let Some(function) = self.functions.last().copied() {
            let calls = self.summary.current_calls();
            let probe = self::loop_guards::running_probe(function, |range| {
                calls
                    .iter()
                    .position(|call| call.range == range)
                    .map(|site| site as u32)
            });
            if probe.is_some() {
                self.summary.current().running_probe = probe;
            }
        }
        self.functions.pop();
        self.summary.exit_function();
        self.model.scopes.pop();
    }
}

/// Where the decorators of a sync `def` run its body ([`Checker::thread_decorators`]).
enum ThreadDecorators {
    /// In a worker thread.
    Thread,
    /// In a worker thread, once the coroutine that calling it makes is awaited.
    ThreadCoroutine,
    /// Where it is called, unless one of these decorators, paths that may name functions of
    /// other modules of the project, says otherwise: the link reads them.
    AskTheLink(Vec<String>),
}

/// Whether `call` passes `True` for `keyword` (`@work(thread=True)`).
fn is_true_keyword(call: Option<&ast::ExprCall>, keyword: &str) -> bool {
    call.and_then(|call| call.arguments.find_keyword(keyword))
        .is_some_and(|argument| {
            matches!(
                argument.value,
                Expr::BooleanLiteral(ast::ExprBooleanLiteral { value: true, .. })
            )
        })
}

/// What the decorators of an `async def` make of it ([`Checker::decorators_of_async`]).
enum DecoratorsSay {
    /// Calling it still makes a coroutine.
    Coroutine,
    /// Calling it may not make a coroutine.
    Hidden,
    /// Calling it runs the coroutine to completion on a loop of its own, from the caller's
    /// thread ([`catalog::LOOP_RUNNING_DECORATORS`]).
    RunsOwnLoop,
    /// Decorators that may be functions of other modules of the project: the link reads them.
    AskTheLink(ThinVec<Box<str>>),
}

/// Whether `body` (not its nested functions) binds `name` once and iterates it with a plain
/// `for` or a comprehension without `async for`.
fn iterated_synchronously(body: &[Stmt], name: &str) -> bool {
    let is_name = |expr: &Expr| matches!(expr, Expr::Name(found) if found.id.as_str() == name);
    let mut bindings = 0;
    let mut iterated = false;
    ast_query::walk_body_shallow(body, &mut |node| {
        match node {
            ast_query::Node::Stmt(Stmt::For(for_stmt)) => {
                iterated |= !for_stmt.is_async && is_name(&for_stmt.iter);
                let mut names = Vec::new();
                ast_query::target_names(&for_stmt.target, &mut names);
                bindings += names.iter().filter(|bound| **bound == name).count();
            }
            ast_query::Node::Stmt(stmt) => {
                if let Stmt::Assign(ast::StmtAssign { targets, .. }) = stmt {
                    let mut names = Vec::new();
                    targets
                        .iter()
                        .for_each(|target| ast_query::target_names(target, &mut names));
                    bindings += names.iter().filter(|bound| **bound == name).count();
                } else if let Stmt::AugAssign(ast::StmtAugAssign { target, .. })
                | Stmt::AnnAssign(ast::StmtAnnAssign { target, .. }) = stmt
                    && is_name(target)
                {
                    bindings += 1;
                }
            }
            ast_query::Node::Expr(
                Expr::ListComp(ast::ExprListComp { generators, .. })
                | Expr::SetComp(ast::ExprSetComp { generators, .. })
                | Expr::Generator(ast::ExprGenerator { generators, .. })
                | Expr::DictComp(ast::ExprDictComp { generators, .. }),
            ) => {
                iterated |= generators
                    .iter()
                    .any(|generator| !generator.is_async && is_name(&generator.iter));
            }
            ast_query::Node::Expr(_) => {}
        }
        ast_query::Walk::Descend
    });
    iterated && bindings == 1
}

/// Whether every assignment of `name` in `body` makes a new collection (`[]`, `{}`, a
/// comprehension, `list()`, `deque()`): a local bound to another object's list (`waiters =
/// actor.stopping_waiters`) fills that object's, which its owner reads.
fn binds_only_fresh_containers(body: &[Stmt], name: &str) -> bool {
    let mut fresh = true;
    crate::ast_query::collect_assignments(body, &mut |target, value, index| {
        if matches!(target, Expr::Name(target) if target.id.as_str() == name) {
            fresh &= index.is_none()
                && value.is_some_and(|value| match value {
                    Expr::List(_)
                    | Expr::Set(_)
                    | Expr::Dict(_)
                    | Expr::ListComp(_)
                    | Expr::SetComp(_)
                    | Expr::DictComp(_) => true,
                    Expr::Call(call) => matches!(
                        crate::ast_query::last_identifier(&call.func),
                        Some("list" | "set" | "dict" | "deque" | "defaultdict" | "OrderedDict")
                    ),
                    _ => false,
                });
        }
    });
    fresh
}
