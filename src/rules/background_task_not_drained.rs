//! LW304 background-task-not-drained: an ASGI app module that keeps background tasks in a
//! collection and never awaits or cancels them on shutdown.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ModModule, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::{
    Walk, any_in_body, last_identifier, single_assignment, walk_statements_shallow,
};
use crate::catalog;
use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

pub const DOCS: &str = r#"# LW304 background-task-not-drained

## What it does
Flags a module-level collection of background tasks (the `set` that keeps
`asyncio.create_task(...)` results alive, the fix for LW301) in a module that builds an ASGI
app (`FastAPI(...)`, `Starlette(...)`, `Quart(...)`) when no shutdown path awaits or cancels
the tasks: neither the code after `yield` in the app's `lifespan` nor a shutdown handler
(`@app.on_event("shutdown")`, `app.add_event_handler("shutdown", f)`, `on_shutdown=[...]`)
uses the collection, directly or through a function of the module it calls.

## Why is this bad?
On SIGTERM (every deploy, every scale-down) the server runs the shutdown path and then stops
the event loop. Tasks still running are destroyed where they stand: an e-mail half sent, a
webhook never delivered, a row written without its companion, and `Task was destroyed but it
is pending!` in the logs at best. Keeping the tasks in a set stops the garbage collector from
eating them, but only draining the set on shutdown lets them finish.

## Example
```python
import asyncio
from contextlib import asynccontextmanager
from fastapi import FastAPI

background_tasks: set[asyncio.Task] = set()

@asynccontextmanager
async def lifespan(app: FastAPI):
    yield

app = FastAPI(lifespan=lifespan)

@app.post("/orders")
async def create_order():
    task = asyncio.create_task(send_confirmation())
    background_tasks.add(task)
    task.add_done_callback(background_tasks.discard)
```

## Use instead
```python
@asynccontextmanager
async def lifespan(app: FastAPI):
    yield
    if background_tasks:
        await asyncio.gather(*background_tasks, return_exceptions=True)
```
(Cancel them first, `for task in background_tasks: task.cancel()`, when finishing is not
worth the wait.)

## Not flagged
- Modules that build no ASGI app: a library keeping tasks leaves draining to its caller.
- An app whose `lifespan=` is defined in another module, or set in a way loopwarden cannot
  follow: the drain may be there, and loopwarden does not guess.
- A shutdown path that passes the collection on (`await drain(background_tasks)`) or reads it
  in any other way: that is taken as handling it.
- `weakref.WeakSet` collections (they do not keep the tasks alive; that is LW301's business),
  and instance attributes (`self._tasks`).

## Fix
No automatic fix. The help line suggests
`await asyncio.gather(*tasks, return_exceptions=True)` after `yield` in the lifespan.
"#;

/// Runs once per module, after the walk.
pub(crate) fn check_module(checker: &mut Checker, module: &ModModule) {
    let collections = module_collections(checker, &module.body);
    if collections.is_empty() {
        return;
    }
    let mut scan = ModuleScan {
        checker,
        functions: HashMap::default(),
        stack: Vec::new(),
        apps: 0,
        lifespans: Vec::new(),
        unknown_lifespan: false,
        handlers: Vec::new(),
        filled: HashSet::default(),
        collections: &collections,
    };
    scan.visit_body(&module.body);
    let lifespan_elsewhere = scan
        .lifespans
        .iter()
        .any(|lifespan| !scan.functions.contains_key(lifespan));
    if scan.apps == 0 || scan.unknown_lifespan || lifespan_elsewhere {
        return;
    }
    let mut diagnostics = Vec::new();
    for (name, range) in &collections {
        if !scan.filled.contains(name.as_str()) || scan.drained(name) {
            continue;
        }
        diagnostics.push(
            Diagnostic::new(
                Rule::BackgroundTaskNotDrained,
                format!(
                    "Background tasks kept in `{name}` are never awaited or cancelled on shutdown: they are cut off mid-work when the server stops"
                ),
                *range,
            )
            .with_help(format!(
                "In the app's `lifespan`, after `yield`: `await asyncio.gather(*{name}, return_exceptions=True)`"
            )),
        );
    }
    for diagnostic in diagnostics {
        checker.report(diagnostic);
    }
}

/// `tasks = set()`, `tasks: set[asyncio.Task] = set()`, `tasks = []` at module level.
fn module_collections(checker: &Checker, body: &[Stmt]) -> Vec<(String, TextRange)> {
    let mut found = Vec::new();
    for stmt in body {
        if let Stmt::If(if_stmt) = stmt {
            found.extend(module_collections(checker, &if_stmt.body));
            continue;
        }
        let Some((target, value)) = single_assignment(stmt) else {
            continue;
        };
        let Expr::Name(name) = target else { continue };
        let empty_collection = match value {
            Expr::Set(set) => set.elts.is_empty(),
            Expr::List(list) => list.elts.is_empty(),
            Expr::Call(call) => {
                call.arguments.is_empty()
                    && checker.model.path_of(&call.func).is_some_and(|path| {
                        matches!(
                            path.as_str(),
                            "builtins.set" | "builtins.list" | "collections.deque"
                        )
                    })
            }
            _ => false,
        };
        if empty_collection {
            found.push((name.id.to_string(), target.range()));
        }
    }
    found
}

struct ModuleScan<'c, 'a, 'm> {
    checker: &'c Checker<'a, 'm>,
    /// Every function of the module (nested ones too), by name.
    functions: HashMap<&'a str, Vec<&'a ast::StmtFunctionDef>>,
    /// The functions enclosing the current node.
    stack: Vec<&'a ast::StmtFunctionDef>,
    /// ASGI apps built in the module.
    apps: usize,
    /// Functions passed as `lifespan=` or decorated `@asynccontextmanager` with a lifespan name.
    lifespans: Vec<&'a str>,
    /// A `lifespan=` the module does not define.
    unknown_lifespan: bool,
    /// Shutdown handlers, by name or as function nodes.
    handlers: Vec<Handler<'a>>,
    /// Collections that tasks are added to.
    filled: HashSet<&'a str>,
    collections: &'c [(String, TextRange)],
}

enum Handler<'a> {
    Named(&'a str),
    Function(&'a ast::StmtFunctionDef),
}

impl<'a> ModuleScan<'_, 'a, '_> {
    /// Whether a shutdown path reads `name`.
    fn drained(&self, name: &str) -> bool {
        let mut regions: Vec<&'a [Stmt]> = Vec::new();
        for lifespan in &self.lifespans {
            for function in self.functions.get(lifespan).into_iter().flatten() {
                regions.extend(after_yield(&function.body));
            }
        }
        for handler in &self.handlers {
            match handler {
                Handler::Named(handler) => {
                    for function in self.functions.get(handler).into_iter().flatten() {
                        regions.push(&function.body);
                    }
                }
                Handler::Function(function) => regions.push(&function.body),
            }
        }
        // Follow calls to the module's own functions, once each.
        let mut visited: HashSet<&str> = HashSet::default();
        while let Some(region) = regions.pop() {
            let mut reads = false;
            let mut callees = Vec::new();
            for stmt in region {
                any_in_body(std::slice::from_ref(stmt), &mut |expr| {
                    match expr {
                        Expr::Name(used) if used.id.as_str() == name && used.ctx.is_load() => {
                            reads = true
                        }
                        Expr::Call(call) => {
                            if let Expr::Name(callee) = &*call.func {
                                callees.push(callee.id.to_string());
                            }
                        }
                        _ => {}
                    }
                    false
                });
            }
            if reads {
                return true;
            }
            for callee in callees {
                if let Some((&key, functions)) = self.functions.get_key_value(callee.as_str())
                    && visited.insert(key)
                {
                    regions.extend(functions.iter().map(|function| &function.body[..]));
                }
            }
        }
        false
    }

    fn is_task(&self, expr: &'a Expr) -> bool {
        match expr {
            Expr::Call(call) => self.is_task_factory(call),
            Expr::Name(name) => {
                // `task = asyncio.create_task(...)` in the same function.
                let Some(function) = self.stack.last() else {
                    return false;
                };
                let mut found = false;
                for stmt in assignments_in(&function.body) {
                    if let Stmt::Assign(assign) = stmt {
                        let binds = assign.targets.iter().any(
                            |target| matches!(target, Expr::Name(target) if target.id == name.id),
                        );
                        if binds && let Expr::Call(call) = &*assign.value {
                            found |= self.is_task_factory(call);
                        }
                    }
                }
                found
            }
            _ => false,
        }
    }

    fn is_task_factory(&self, call: &ast::ExprCall) -> bool {
        if self
            .checker
            .model
            .call_path(call)
            .is_some_and(|path| catalog::TASK_FACTORIES.contains(&path.as_str()))
        {
            return true;
        }
        matches!(&*call.func, Expr::Attribute(attribute) if matches!(attribute.attr.as_str(), "create_task" | "ensure_future"))
    }

    fn record_call(&mut self, call: &'a ast::ExprCall) {
        let path = self.checker.model.call_path(call);
        let path = path.as_deref();
        if path.is_some_and(|path| catalog::ASGI_APP_CLASSES.contains(&path)) {
            self.apps += 1;
            if let Some(lifespan) = call.arguments.find_keyword("lifespan") {
                match &lifespan.value {
                    // Checked against the module's functions once the walk is done.
                    Expr::Name(name) => self.lifespans.push(name.id.as_str()),
                    value if value.is_none_literal_expr() => {}
                    _ => self.unknown_lifespan = true,
                }
            }
            if let Some(on_shutdown) = call.arguments.find_keyword("on_shutdown") {
                self.shutdown_list(&on_shutdown.value);
            }
        }
        let Expr::Attribute(attribute) = &*call.func else {
            return;
        };
        match attribute.attr.as_str() {
            // `tasks.add(task)`, `tasks.append(task)`.
            "add" | "append" => {
                if let (Expr::Name(collection), Some(task)) =
                    (&*attribute.value, call.arguments.args.first())
                {
                    let known = self
                        .collections
                        .iter()
                        .any(|(name, _)| name == collection.id.as_str());
                    if known && self.is_task(task) {
                        self.filled.insert(collection.id.as_str());
                    }
                }
            }
            // `app.add_event_handler("shutdown", f)`.
            "add_event_handler"
                if is_shutdown_event(call.arguments.find_argument_value("event_type", 0)) =>
            {
                if let Some(Expr::Name(handler)) = call.arguments.find_argument_value("func", 1) {
                    self.handlers.push(Handler::Named(handler.id.as_str()));
                }
            }
            // `app.router.on_shutdown.append(f)` is handled above via "append"; `lifespan_context`
            // assignments are statements (see `visit_stmt`).
            _ => {}
        }
        if attribute.attr.as_str() == "append"
            && let Expr::Attribute(owner) = &*attribute.value
            && owner.attr.as_str() == "on_shutdown"
            && let Some(Expr::Name(handler)) = call.arguments.args.first()
        {
            self.handlers.push(Handler::Named(handler.id.as_str()));
        }
    }

    fn shutdown_list(&mut self, value: &'a Expr) {
        let elements = match value {
            Expr::List(list) => &list.elts[..],
            Expr::Tuple(tuple) => &tuple.elts[..],
            _ => {
                self.unknown_lifespan = true;
                return;
            }
        };
        for element in elements {
            match element {
                Expr::Name(handler) => self.handlers.push(Handler::Named(handler.id.as_str())),
                _ => self.unknown_lifespan = true,
            }
        }
    }
}

impl<'a> Visitor<'a> for ModuleScan<'_, 'a, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(function) => {
                self.functions
                    .entry(function.name.as_str())
                    .or_default()
                    .push(function);
                for decorator in &function.decorator_list {
                    let expression = &decorator.expression;
                    // `@app.on_event("shutdown")`, `@app.on_shutdown`, Quart's `@app.after_serving`.
                    if let Expr::Call(call) = expression
                        && last_identifier(&call.func) == Some("on_event")
                        && is_shutdown_event(call.arguments.find_argument_value("event_type", 0))
                    {
                        self.handlers.push(Handler::Function(function));
                    }
                    if matches!(
                        last_identifier(expression),
                        Some("on_shutdown" | "after_serving")
                    ) {
                        self.handlers.push(Handler::Function(function));
                    }
                    // An `@asynccontextmanager` named like a lifespan, attached elsewhere.
                    let is_context_manager = matches!(
                        last_identifier(ruff_python_ast::helpers::map_callable(expression)),
                        Some("asynccontextmanager")
                    );
                    if is_context_manager && function.name.as_str().contains("lifespan") {
                        self.lifespans.push(function.name.as_str());
                    }
                }
                self.stack.push(function);
                visitor::walk_stmt(self, stmt);
                self.stack.pop();
            }
            Stmt::Assign(assign) => {
                // `app.router.lifespan_context = lifespan`, `app.router.on_shutdown = [...]`.
                for target in &assign.targets {
                    if let Expr::Attribute(attribute) = target {
                        match attribute.attr.as_str() {
                            "lifespan_context" => match &*assign.value {
                                Expr::Name(name) => self.lifespans.push(name.id.as_str()),
                                _ => self.unknown_lifespan = true,
                            },
                            "on_shutdown" => self.shutdown_list(&assign.value),
                            _ => {}
                        }
                    }
                }
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            self.record_call(call);
        }
        visitor::walk_expr(self, expr);
    }
}

fn is_shutdown_event(event: Option<&Expr>) -> bool {
    matches!(event, Some(Expr::StringLiteral(literal)) if literal.value.to_str() == "shutdown")
}

/// The statements that run after the first `yield` of a lifespan body: the rest of the
/// block holding the yield and of every block enclosing it, and every `finally`.
fn after_yield(body: &[Stmt]) -> Vec<&[Stmt]> {
    let Some(yield_at) = first_yield(body) else {
        return Vec::new();
    };
    let mut regions = Vec::new();
    collect_after(body, yield_at, &mut regions);
    regions
}

fn collect_after<'a>(body: &'a [Stmt], yield_at: TextRange, regions: &mut Vec<&'a [Stmt]>) {
    for (index, stmt) in body.iter().enumerate() {
        if stmt.end() <= yield_at.start() {
            continue;
        }
        if stmt.start() > yield_at.start() {
            regions.push(&body[index..]);
            return;
        }
        // The statement contains the yield: descend, then take what follows it.
        match stmt {
            Stmt::Try(try_stmt) => {
                collect_after(&try_stmt.body, yield_at, regions);
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    regions.push(&handler.body);
                }
                regions.push(&try_stmt.orelse);
                regions.push(&try_stmt.finalbody);
            }
            Stmt::With(with) => collect_after(&with.body, yield_at, regions),
            Stmt::If(if_stmt) => {
                collect_after(&if_stmt.body, yield_at, regions);
                for clause in &if_stmt.elif_else_clauses {
                    collect_after(&clause.body, yield_at, regions);
                }
            }
            _ => {}
        }
        regions.push(&body[index + 1..]);
        return;
    }
}

fn first_yield(body: &[Stmt]) -> Option<TextRange> {
    let mut found: Option<TextRange> = None;
    any_in_body(body, &mut |expr| {
        if let Expr::Yield(yielded) = expr {
            found = Some(yielded.range());
            return true;
        }
        false
    });
    found
}

/// Every assignment statement of `body` (nested blocks included, nested scopes not).
fn assignments_in(body: &[Stmt]) -> Vec<&Stmt> {
    let mut found = Vec::new();
    walk_statements_shallow(body, &mut |stmt| {
        if matches!(stmt, Stmt::Assign(_)) {
            found.push(stmt);
        }
        Walk::Descend
    });
    found
}
