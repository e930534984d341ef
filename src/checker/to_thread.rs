//! Where a call may become `await asyncio.to_thread(...)`, and that fix spelled from the
//! checker's text.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustc_hash::FxHashMap;

use super::Checker;
use super::blocking::applicable_api;
use super::module_insert::module_statement;
use crate::ast_query;
use crate::catalog;
use crate::diagnostic::{Edit, Fix, PendingFix, ThreadRunner, ToThreadRecipe};
use crate::to_thread_fix::{argument_text, described, spell, spelled_call, with_imports};

/// The shared state an `if` tests and then sets, in the branch holding the current
/// statement, at or after it (`if self._session is None: self._session =
/// Session(ssl=ssl.create_default_context())`: an attribute of the receiver, by its
/// conventional name, or of a module-level name; or a global the function declares): an
/// `await` added there would let a second coroutine pass the test before the first sets the
/// state, and both would make it (LW601's race, made by the fix). Its text, for the help.
pub fn splits_check_from_set<'a>(checker: &Checker<'a, '_>) -> Option<&'a str> {
    /// Per branch of an `if` (its start, the clause's index): where it sets the state its
    /// test reads, in source order. Asked for every blocking call in the branch, and a
    /// branch may hold thousands: each is read once.
    #[derive(Default)]
    struct StateSets(FxHashMap<(TextSize, usize), Vec<TextRange>>);

    let ancestors = checker.statement_ancestors();
    let current = *ancestors.last()?;
    for (index, stmt) in ancestors.iter().enumerate().rev() {
        let if_stmt = match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return None,
            Stmt::If(if_stmt) => if_stmt,
            _ => continue,
        };
        // The current statement is the `if` itself (the call is in its test): no branch.
        let Some(inner) = ancestors.get(index + 1).map(|inner| inner.range()) else {
            continue;
        };
        // A branch's statements are in order: its extent is from the first to the last.
        let holds = |body: &[Stmt]| match (body.first(), body.last()) {
            (Some(first), Some(last)) => {
                TextRange::new(first.start(), last.end()).contains_range(inner)
            }
            _ => false,
        };
        let Some((clause, branch)) = std::iter::once(&if_stmt.body[..])
            .chain(
                if_stmt
                    .elif_else_clauses
                    .iter()
                    .map(|clause| &clause.body[..]),
            )
            .enumerate()
            .find(|(_, body)| holds(body))
        else {
            continue;
        };
        let key = (if_stmt.start(), clause);
        let known = checker.rule_state::<StateSets>().0.get(&key).cloned();
        let sets = known.unwrap_or_else(|| {
            let sets = state_sets(checker, &if_stmt.test, branch);
            checker
                .rule_state::<StateSets>()
                .0
                .insert(key, sets.clone());
            sets
        });
        if let Some(set) = sets.iter().find(|set| set.start() >= current.start()) {
            return Some(checker.text(*set));
        }
    }
    None
}

/// Where `branch` assigns the shared state `test` reads ([`splits_check_from_set`]), in
/// source order.
fn state_sets(checker: &Checker, test: &Expr, branch: &[Stmt]) -> Vec<TextRange> {
    let globals = checker
        .current_function()
        .map(|function| ast_query::declared_globals(&function.body))
        .unwrap_or_default();
    // Compared by their text: `self._session` written the same way in the test and the
    // assignment.
    let mut states: Vec<&str> = Vec::new();
    ast_query::any_expr(test, &mut |expr| {
        // An attribute of the method's receiver or of a module-level name; not of a
        // local (`except Error as e: if not e.provider: e.provider = ...`).
        let shared = match expr {
            Expr::Attribute(attribute) => match &*attribute.value {
                Expr::Name(owner) => {
                    let owner = owner.id.as_str();
                    matches!(owner, "self" | "cls") || !checker.model.is_local(owner)
                }
                _ => false,
            },
            Expr::Name(name) => globals.contains(&name.id.as_str()),
            _ => false,
        };
        if shared {
            states.push(checker.text(expr.range()));
        }
        false
    });
    let mut sets = Vec::new();
    if states.is_empty() {
        return sets;
    }
    ast_query::collect_assignments(branch, &mut |target, _, _| {
        if states.contains(&checker.text(target.range())) {
            sets.push(target.range());
        }
    });
    sets.sort_by_key(|set| set.start());
    sets
}

/// Libraries with event loops of their own: a module that imports one and not `asyncio`
/// gets no fix that needs an asyncio loop.
const OTHER_EVENT_LOOPS: &[&str] = &["trio", "anyio", "curio"];

/// How a fix runs work in a worker thread here: `await asyncio.to_thread(f, ...)` on Python
/// 3.9 or newer, else `await asyncio.get_running_loop().run_in_executor(None, f, ...)`
/// (with `functools.partial` for keyword arguments), and the imports that needs.
pub struct Runner {
    asyncio: String,
    legacy: bool,
    imports: Vec<Edit>,
}

impl Runner {
    /// Where a call here can be moved to a worker thread with `await`: async context, not
    /// in a comprehension (where `await` would change a generator), not already awaited, and
    /// `asyncio` imported under a name no local shadows, or free to be imported.
    pub fn here(checker: &Checker) -> Option<Self> {
        // A class body inside a coroutine is not the coroutine's code: `await` there is a
        // syntax error.
        if checker.in_comprehension()
            || !checker.in_async_context()
            || checker.model.scopes.current_class().is_some()
            || matches!(checker.parent_expression(), Some(Expr::Await(_)))
        {
            return None;
        }
        // An event loop's own methods: `asyncio.to_thread` goes through the running loop's
        // `run_in_executor`, which is this code (talyn's `shutdown_default_executor` joins
        // the executor's thread after marking it shut down).
        if in_event_loop_implementation(checker) {
            return None;
        }
        // Coroutines of a module written for another event loop run under it, where
        // `asyncio.to_thread` finds no asyncio loop to run on.
        if checker.model.module.module_alias("asyncio").is_none()
            && OTHER_EVENT_LOOPS
                .iter()
                .any(|library| checker.model.module.module_alias(library).is_some())
        {
            return None;
        }
        if splits_check_from_set(checker).is_some() || swallows_cancellation_here(checker) {
            return None;
        }
        let target = checker.settings.target_version;
        let legacy = (target.major, target.minor) < (3, 9);
        let (asyncio, import) = imported_as(checker, "asyncio")?;
        Some(Self {
            asyncio,
            legacy,
            imports: import.into_iter().collect(),
        })
    }

    /// The expression that runs `function(arguments)` in a worker thread and awaits it
    /// (`None` where `functools` is needed and cannot be named).
    pub fn spell(
        &mut self,
        checker: &Checker,
        function: &str,
        arguments: &str,
        has_keywords: bool,
    ) -> Option<String> {
        // A comment in the callee's text would swallow what follows it.
        if function.contains('#') {
            return None;
        }
        let arguments = argument_text(arguments);
        // Before Python 3.9, keyword arguments go through `functools.partial`.
        let functools = if self.legacy && has_keywords {
            let (functools, import) = imported_as(checker, "functools")?;
            self.imports.extend(import);
            Some(functools)
        } else {
            None
        };
        Some(spelled_call(
            &self.asyncio,
            self.legacy,
            functools.as_deref(),
            function,
            &arguments,
        ))
    }

    /// What the fix says it does.
    pub fn describe(&self, what: &str) -> String {
        described(what, &self.asyncio, self.legacy)
    }

    /// The fix: `edits` and the imports the spelling needed, in one edit.
    pub fn fix(self, message: String, edits: Vec<Edit>) -> Fix {
        with_imports(message, edits, self.imports)
    }

    /// What spells a fix here later, from the text ([`crate::to_thread_fix::spell`]): the
    /// names and imports as they stand now, `functools` included when a call with keyword
    /// arguments needs it (`None` when it cannot be named).
    fn runner_for(self, checker: &Checker, has_keywords: bool) -> Option<ThreadRunner> {
        let functools = if self.legacy && has_keywords {
            Some(imported_as(checker, "functools")?)
        } else {
            None
        };
        Some(ThreadRunner {
            asyncio: self.asyncio,
            legacy: self.legacy,
            import: self.imports.into_iter().next(),
            functools,
        })
    }
}

/// Methods an event loop implements and nothing else does.
const EVENT_LOOP_METHODS: &[&str] = &["run_in_executor", "shutdown_default_executor", "call_soon"];

/// Whether the current function is a method of a module-level class that implements an
/// event loop (defines its executor or callback methods, or names a loop class as a base).
fn in_event_loop_implementation(checker: &Checker) -> bool {
    /// The module's event loop classes, found once per module: asked of every call a fix
    /// moves, in a module that may hold a hundred thousand statements.
    #[derive(Default)]
    struct LoopClasses(Option<Vec<ruff_text_size::TextRange>>);
    let Some(function) = checker.current_function() else {
        return false;
    };
    let mut classes = checker.rule_state::<LoopClasses>();
    let ranges = classes.0.get_or_insert_with(|| {
        checker
            .module()
            .body
            .iter()
            .filter_map(|stmt| match stmt {
                ast::Stmt::ClassDef(class) if implements_event_loop(class) => Some(class.range()),
                _ => None,
            })
            .collect()
    });
    ranges
        .iter()
        .any(|range| range.contains_range(function.range()))
}

/// A class that defines an event loop's executor or callback methods, or names a loop class
/// as a base.
fn implements_event_loop(class: &ast::StmtClassDef) -> bool {
    let defines_loop_method = class.body.iter().any(|stmt| {
        matches!(stmt, ast::Stmt::FunctionDef(def) if EVENT_LOOP_METHODS.contains(&def.name.as_str()))
    });
    let loop_base = class.bases().iter().any(|base| {
        crate::ast_query::last_identifier(base).is_some_and(|name| name.ends_with("EventLoop"))
    });
    defines_loop_method || loop_base
}

/// The name `module` is imported under, or `module` itself with the edit that imports it
/// when the name is free.
fn imported_as(checker: &Checker, module: &str) -> Option<(String, Option<Edit>)> {
    if let Some(alias) = checker.model.module.module_alias(module) {
        return (!checker.model.is_local(alias)).then(|| (alias.to_string(), None));
    }
    let free =
        checker.model.module.resolve_global(module).is_none() && !checker.model.is_local(module);
    free.then(|| (module.to_string(), Some(import_statement(checker, module))))
}

/// The edit that imports `module` at the top of the module: the same for every fix of the
/// module, made once (LW103 spells a fix for thousands of calls in a large project).
fn import_statement(checker: &Checker, module: &str) -> Edit {
    #[derive(Default)]
    struct Imports(Vec<(String, Edit)>);
    if let Some((_, edit)) = checker
        .rule_state::<Imports>()
        .0
        .iter()
        .find(|(imported, _)| imported == module)
    {
        return edit.clone();
    }
    let edit = module_statement(checker, &format!("import {module}"));
    checker
        .rule_state::<Imports>()
        .0
        .push((module.to_string(), edit.clone()));
    edit
}

/// The fix that moves a blocking call to a worker thread, where one keeps the program
/// working: `f(a, b=c)` → `await asyncio.to_thread(f, a, b=c)`; a call whose result another
/// blocking call consumes (`open(p).read()`, `json.load(open(p))`) moves with it, in a
/// lambda; a call whose iterator does the blocking work (`os.scandir`, `Path.iterdir`) moves
/// with the builtin that consumes it, in a lambda too (`await asyncio.to_thread(lambda:
/// list(p.iterdir()))`: passed as an argument, the call itself would run on the loop, and
/// from Python 3.13 `iterdir` lists the directory when called), or gets no fix.
pub fn to_thread_fix(checker: &Checker, call: &ast::ExprCall) -> Option<Fix> {
    let mut runner = Runner::here(checker)?;
    let lazy = checker.model.call_path(call).is_some_and(|path| {
        catalog::is_lazy(&path)
            || catalog::lazy_keywords(&path).iter().any(|keyword| {
                call.arguments.find_keyword(keyword).is_some_and(|passed| {
                    !matches!(
                        passed.value,
                        Expr::NoneLiteral(_)
                            | Expr::BooleanLiteral(ast::ExprBooleanLiteral { value: false, .. })
                    )
                })
            })
    });
    let (outer, parenthesize) = if lazy {
        consumer_of(checker, call)?
    } else {
        outermost_blocking(checker, call)
    };
    if !lazy && !consumes_blocking_call(checker, outer) {
        return call_fix(checker, runner, outer, parenthesize);
    }
    // A lambda cannot hold an `await`, a `yield`, or bind a name (`:=`) for its caller.
    let parts =
        std::iter::once(&*outer.func).chain(crate::ast_query::argument_values(&outer.arguments));
    let mut lambda_cannot_hold = |expr: &Expr| {
        matches!(
            expr,
            Expr::Await(_) | Expr::Yield(_) | Expr::YieldFrom(_) | Expr::Named(_)
        )
    };
    if parts
        .into_iter()
        .any(|part| ast_query::any_expr(part, &mut lambda_cannot_hold))
    {
        return None;
    }
    let text = checker.text(outer.range());
    let mut replacement = runner.spell(checker, &format!("lambda: {text}"), "", false)?;
    if parenthesize {
        replacement = format!("({replacement})");
    }
    let message = runner.describe(text);
    Some(runner.fix(message, vec![Edit::replacement(replacement, outer.range())]))
}

/// The fix for `time.sleep(secs)` alone on its line in a coroutine: `await
/// asyncio.sleep(secs)`, which waits as long without holding a worker thread (and a
/// cancellation ends it at once).
pub fn async_sleep_fix(checker: &Checker, call: &ast::ExprCall) -> Option<Fix> {
    let [delay] = &*call.arguments.args else {
        return None;
    };
    if delay.is_starred_expr()
        || !call.arguments.keywords.is_empty()
        || !matches!(checker.current_statement(), Some(ast::Stmt::Expr(statement)) if statement.value.range() == call.range())
        || checker.model.call_path(call).as_deref() != Some(catalog::THREAD_SLEEP)
    {
        return None;
    }
    let runner = Runner::here(checker)?;
    let replacement = format!(
        "await {}.sleep({})",
        runner.asyncio,
        checker.text(delay.range())
    );
    let message = format!("Replace `time.sleep` with `await {}.sleep`", runner.asyncio);
    Some(runner.fix(message, vec![Edit::replacement(replacement, call.range())]))
}

/// The fix that moves `call` (a call of a project function, for LW103) to a worker thread,
/// where one is valid here, as a recipe and the runner that spells it: the link decides
/// whether the call blocks after the text is gone, and most such calls never get a finding.
pub fn recipe(
    checker: &Checker,
    call: &ast::ExprCall,
    parenthesize: bool,
) -> Option<(ToThreadRecipe, ThreadRunner)> {
    if handles_an_exception(checker, call)
        || super::held_locks::held_by_function(checker, call.range())
    {
        return None;
    }
    recipe_with(checker, Runner::here(checker)?, call, parenthesize)
}

/// Whether the current statement sits in the body of a `try` (of its function) with a
/// handler that catches cancellation (bare, `BaseException`, `CancelledError`) and has no
/// `raise`: an `await` added there would be where the task's cancellation lands, and the
/// handler would swallow it (the LW403 bug, made by the fix). An existing `await` in that
/// body has the bug already; the fix does not add another.
pub fn swallows_cancellation_here(checker: &Checker) -> bool {
    let Some(current) = checker.current_statement() else {
        return false;
    };
    enclosing_tries(checker).any(|try_stmt| {
        ast_query::body_holds(&try_stmt.body, current.range())
            && try_stmt.handlers.iter().any(|handler| {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                let catches = handler.type_.as_deref().is_none_or(|type_| {
                    let classes = match type_ {
                        Expr::Tuple(tuple) => tuple.elts.iter().collect(),
                        single => vec![single],
                    };
                    classes.into_iter().any(|class| {
                        checker.model.path_of(class).is_some_and(|path| {
                            catalog::CANCELLATION_CATCHING_CLASSES.contains(&path.as_str())
                        })
                    })
                });
                catches && !raises(&handler.body)
            })
    })
}

/// Whether `body` holds a `raise` (not in a nested function).
fn raises(body: &[Stmt]) -> bool {
    let mut found = false;
    ast_query::walk_statements_shallow(body, &mut |stmt| {
        found |= matches!(stmt, Stmt::Raise(_));
        ast_query::Walk::Descend
    });
    found
}

/// Whether `call` runs while its function handles an exception: in the body of one of its
/// `except` clauses. A helper called there may read that exception without being handed it
/// (`sys.exc_info()`, `logging.exception(...)`, `traceback.print_exc()`, or a library's
/// `print_exception()` that does), and a worker thread has none: moved there, it logs
/// nothing or raises. Only a project helper's fix asks: a library's blocking API does not
/// read it.
fn handles_an_exception(checker: &Checker, call: &ast::ExprCall) -> bool {
    enclosing_tries(checker).any(|try_stmt| {
        try_stmt.handlers.iter().any(|handler| {
            let ast::ExceptHandler::ExceptHandler(handler) = handler;
            ast_query::body_holds(&handler.body, call.range())
        })
    })
}

/// The `try` statements of the current function around the current node, innermost first.
fn enclosing_tries<'a>(checker: &Checker<'a, '_>) -> impl Iterator<Item = &'a ast::StmtTry> {
    checker
        .statements_in_function()
        .filter_map(|stmt| match stmt {
            Stmt::Try(try_stmt) => Some(try_stmt),
            _ => None,
        })
}

/// [`recipe`], with `runner` already found valid here.
fn recipe_with(
    checker: &Checker,
    runner: Runner,
    call: &ast::ExprCall,
    parenthesize: bool,
) -> Option<(ToThreadRecipe, ThreadRunner)> {
    let has_keywords = !call.arguments.keywords.is_empty();
    let runner = runner.runner_for(checker, has_keywords)?;
    let recipe = ToThreadRecipe {
        call: call.range(),
        function: call.func.range(),
        arguments: call.arguments.range(),
        has_keywords,
        parenthesize,
        runner: 0,
    };
    Some((recipe, runner))
}

/// The fix that moves `call` to a worker thread, spelled now from the module's text as the
/// link's recipes are spelled later.
fn call_fix(
    checker: &Checker,
    runner: Runner,
    call: &ast::ExprCall,
    parenthesize: bool,
) -> Option<Fix> {
    let (recipe, runner) = recipe_with(checker, runner, call, parenthesize)?;
    spell(checker.source_text(), &PendingFix { recipe, runner })
}

fn is_blocking(checker: &Checker, call: &ast::ExprCall) -> bool {
    checker
        .model
        .call_path(call)
        .is_some_and(|path| applicable_api(checker, call, &path).is_some())
}

/// A method called on a file object (`open(p).read()`): it reads or writes the file.
fn is_file_method(checker: &Checker, call: &ast::ExprCall) -> bool {
    matches!(&*call.func, Expr::Attribute(attribute)
        if checker.model.type_of(&attribute.value).is_some_and(|type_name| catalog::is_file_type(&type_name)))
}

/// The outermost of the blocking calls that consume, one after the other, the value of
/// `call` (as their receiver or an argument), and whether it sits inside a larger
/// expression.
fn outermost_blocking<'a>(
    checker: &Checker<'a, '_>,
    call: &'a ast::ExprCall,
) -> (&'a ast::ExprCall, bool) {
    let ancestors = checker.expression_ancestors();
    let mut outer = call;
    // The index of `outer` among the ancestors (the current expression is the last one).
    let mut at = ancestors.len().saturating_sub(1);
    loop {
        let consumer = match at.checked_sub(1).map(|index| (index, ancestors[index])) {
            Some((index, Expr::Attribute(attribute)))
                if attribute.value.range() == outer.range() =>
            {
                match index.checked_sub(1).map(|index| (index, ancestors[index])) {
                    Some((index, Expr::Call(method)))
                        if method.func.range() == attribute.range() =>
                    {
                        Some((index, method))
                    }
                    _ => None,
                }
            }
            Some((index, Expr::Call(consumer)))
                if consumer.arguments.range().contains_range(outer.range()) =>
            {
                Some((index, consumer))
            }
            _ => None,
        };
        match consumer {
            Some((index, consumer))
                if is_blocking(checker, consumer) || is_file_method(checker, consumer) =>
            {
                outer = consumer;
                at = index;
            }
            _ => break,
        }
    }
    (outer, at > 0)
}

/// Whether `call`'s receiver or arguments hold a blocking call of their own, outside any
/// lambda or nested scope.
fn consumes_blocking_call(checker: &Checker, call: &ast::ExprCall) -> bool {
    let mut inner = Vec::new();
    if let Expr::Attribute(attribute) = &*call.func {
        inner.push(&*attribute.value);
    }
    inner.extend(call.arguments.args.iter());
    inner.extend(call.arguments.keywords.iter().map(|keyword| &keyword.value));
    inner.into_iter().any(|expr| {
        let mut found = false;
        let mut stack = vec![expr];
        while let Some(expr) = stack.pop() {
            match expr {
                Expr::Call(nested) => {
                    if is_blocking(checker, nested) {
                        found = true;
                        break;
                    }
                    if let Expr::Attribute(attribute) = &*nested.func {
                        stack.push(&attribute.value);
                    }
                    stack.extend(nested.arguments.args.iter());
                    stack.extend(nested.arguments.keywords.iter().map(|k| &k.value));
                }
                Expr::Attribute(attribute) => stack.push(&attribute.value),
                Expr::Subscript(subscript) => stack.push(&subscript.value),
                Expr::Starred(starred) => stack.push(&starred.value),
                _ => {}
            }
        }
        found
    })
}

/// The builtin that consumes `call`'s iterator whole (`list(p.iterdir())`,
/// `sorted(os.scandir(d), key=...)`), and whether it sits inside a larger expression.
pub(crate) fn consumer_of<'a>(
    checker: &Checker<'a, '_>,
    call: &'a ast::ExprCall,
) -> Option<(&'a ast::ExprCall, bool)> {
    let ancestors = checker.expression_ancestors();
    let at = ancestors.len().checked_sub(2)?;
    let Expr::Call(consumer) = ancestors[at] else {
        return None;
    };
    let consumed = consumer
        .arguments
        .args
        .first()
        .is_some_and(|first| first.range() == call.range());
    let builtin = matches!(&*consumer.func, Expr::Name(name)
        if catalog::CONSUMING_BUILTINS.contains(&name.id.as_str())
            && checker.model.path_of(&consumer.func).is_some_and(|path| path.starts_with("builtins.")));
    // `await list(...)` makes no sense to rewrite; `(await ...)` inside a larger expression.
    if !consumed
        || !builtin
        || matches!(
            at.checked_sub(1).map(|index| ancestors[index]),
            Some(Expr::Await(_))
        )
    {
        return None;
    }
    Some((consumer, at > 0))
}
