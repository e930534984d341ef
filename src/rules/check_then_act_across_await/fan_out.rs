//! Whether a function plausibly runs concurrently with itself because its coroutines are
//! fanned out: made in a loop or a comprehension and handed to `gather`/`wait`/`create_task`
//! (directly, or through the list they are collected in), either its own or those of a
//! function of the module that calls it, a few calls up.
//!
//! ```python
//! async def fetch_files(locale): ... await fetch_metadata(locale) ...
//! futures = [fetch_files(locale) for locale in locales]
//! await asyncio.gather(*futures)      # every fetch_metadata runs alongside the others
//! ```
//!
//! Built once per module (the rule state keeps it): one walk of every module function and of
//! every method of a module-level class.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::ast_query::{element_comprehension, find_in_expr, last_identifier, receiver_name};
use crate::catalog;
use crate::source::MAX_NESTING;

/// How many calls up from a function a fan-out still makes it concurrent.
const MAX_CALL_DEPTH: usize = 3;

/// The module's functions (`name`) and methods of its classes (`Class.name`) whose coroutines
/// are fanned out, and who calls whom.
#[derive(Default)]
pub(super) struct FanOut {
    fanned: HashSet<Box<str>>,
    /// Callee → the functions and methods of the module that call it.
    callers: HashMap<Box<str>, Vec<Box<str>>>,
}

/// A function or method of the module: its key, its definition, and for a method its class
/// and receiver (`self`).
type Function<'a> = (
    Box<str>,
    &'a ast::StmtFunctionDef,
    Option<(&'a str, &'a str)>,
);

/// The module's [`FanOut`], kept in the checker's rule state.
#[derive(Default)]
pub(super) struct FanOutState(pub(super) Option<FanOut>);

/// The key of a method in a [`FanOut`].
pub(super) fn method_key(class: &str, method: &str) -> String {
    format!("{class}.{method}")
}

impl FanOut {
    pub(super) fn of(body: &[Stmt]) -> Self {
        // Every function and method of the module, each with its class and receiver.
        let mut functions: Vec<Function> = Vec::new();
        for stmt in body {
            match stmt {
                Stmt::FunctionDef(function) => {
                    functions.push((Box::from(function.name.as_str()), function, None));
                }
                Stmt::ClassDef(class) => {
                    for stmt in &class.body {
                        if let Stmt::FunctionDef(method) = stmt {
                            let context = receiver_name(method)
                                .map(|receiver| (class.name.as_str(), receiver));
                            let key = method_key(&class.name, &method.name);
                            functions.push((Box::from(key), method, context));
                        }
                    }
                }
                _ => {}
            }
        }
        let known: HashSet<&str> = functions.iter().map(|(key, ..)| &**key).collect();
        let mut fan_out = FanOut::default();
        for (key, function, context) in &functions {
            let mut calls = Calls {
                context: *context,
                nesting: 0,
                repeated: 0,
                handed: 0,
                holder: None,
                called: Vec::new(),
                fanned: Vec::new(),
                held: Vec::new(),
                handed_names: HashSet::default(),
            };
            for stmt in &function.body {
                calls.visit_stmt(stmt);
            }
            let Calls {
                mut called,
                fanned,
                held,
                handed_names,
                ..
            } = calls;
            let held = held
                .into_iter()
                .filter(|(_, holder)| handed_names.contains(holder))
                .map(|(callee, _)| callee);
            for callee in fanned.into_iter().chain(held) {
                if known.contains(callee.as_str()) {
                    fan_out.fanned.insert(Box::from(callee));
                }
            }
            called.sort_unstable();
            called.dedup();
            for callee in called {
                if known.contains(callee.as_str()) && callee.as_str() != &**key {
                    fan_out
                        .callers
                        .entry(Box::from(callee))
                        .or_default()
                        .push(key.clone());
                }
            }
        }
        fan_out
    }

    /// Whether `key` (a function name, or a [`method_key`]) is fanned out, or is called by a
    /// function that is, at most [`MAX_CALL_DEPTH`] calls up.
    pub(super) fn runs_concurrently(&self, key: &str) -> bool {
        let mut seen: HashSet<&str> = HashSet::from_iter([key]);
        let mut level: Vec<&str> = vec![key];
        for depth in 0..=MAX_CALL_DEPTH {
            if level.iter().any(|key| self.fanned.contains(*key)) {
                return true;
            }
            if depth == MAX_CALL_DEPTH {
                break;
            }
            level = level
                .iter()
                .filter_map(|key| self.callers.get(*key))
                .flatten()
                .map(|caller| &**caller)
                .filter(|caller| seen.insert(caller))
                .collect();
        }
        false
    }
}

/// One function's walk: what it calls, and which of those calls it fans out.
struct Calls<'a> {
    /// For a method: its class and its receiver (`self`), through which it calls its siblings.
    context: Option<(&'a str, &'a str)>,
    nesting: usize,
    /// Inside a loop body or a comprehension's element: the code runs once per item.
    repeated: usize,
    /// Inside the arguments of a concurrent runner (`gather(...)`, `create_task(...)`).
    handed: usize,
    /// The local a repeated coroutine is collected in: `futures = [f(x) for ...]`,
    /// `futures.append(f(x))`.
    holder: Option<&'a str>,
    called: Vec<String>,
    fanned: Vec<String>,
    held: Vec<(String, &'a str)>,
    /// The locals read in the arguments of a concurrent runner (`gather(*futures)`).
    handed_names: HashSet<&'a str>,
}

impl<'a> Calls<'a> {
    /// The function or method of the module that `expr` names: `fetch`, `self.fetch`.
    fn callee(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(name) => Some(name.id.to_string()),
            Expr::Attribute(attribute) => {
                let (class, receiver) = self.context?;
                matches!(&*attribute.value, Expr::Name(owner) if owner.id.as_str() == receiver)
                    .then(|| method_key(class, &attribute.attr))
            }
            _ => None,
        }
    }

    /// Notes a call; returns whether it walked the call's parts itself.
    fn call(&mut self, call: &'a ast::ExprCall) -> bool {
        let callee = self.callee(&call.func);
        if let Some(callee) = &callee {
            self.called.push(callee.clone());
            if self.repeated > 0 {
                if self.handed > 0 {
                    self.fanned.push(callee.clone());
                } else if let Some(holder) = self.holder {
                    self.held.push((callee.clone(), holder));
                }
            }
        }
        let name = last_identifier(&call.func);
        let args = &call.arguments.args;
        if name.is_some_and(|name| catalog::CONCURRENT_RUNNERS.contains(&name)) {
            // `nursery.start_soon(worker, item)` in a loop: the function itself is handed over.
            if self.repeated > 0
                && matches!(name, Some("start_soon" | "spawn"))
                && let Some(first) = args.first().and_then(|first| self.callee(first))
            {
                self.fanned.push(first);
            }
            // `gather(fetch(a), fetch(b))`: two coroutines of one function at once.
            let mut direct: Vec<String> = args
                .iter()
                .filter_map(|arg| match arg {
                    Expr::Call(inner) => self.callee(&inner.func),
                    _ => None,
                })
                .collect();
            direct.sort_unstable();
            for pair in direct.windows(2) {
                if pair[0] == pair[1] {
                    self.fanned.push(pair[0].clone());
                }
            }
            let values = args
                .iter()
                .chain(call.arguments.keywords.iter().map(|keyword| &keyword.value));
            for value in values.clone() {
                let _: Option<()> = find_in_expr(value, &mut |inner| {
                    if let Expr::Name(name) = inner {
                        self.handed_names.insert(name.id.as_str());
                    }
                    None
                });
            }
            self.visit_expr(&call.func);
            self.handed += 1;
            let outer = self.holder.take();
            for value in values {
                self.visit_expr(value);
            }
            self.holder = outer;
            self.handed -= 1;
            return true;
        }
        // `gather(*map(fetch, items))`.
        if name == Some("map")
            && self.handed > 0
            && let Some(first) = args.first().and_then(|first| self.callee(first))
        {
            self.fanned.push(first);
        }
        // `futures.append(fetch(x))`: collected in `futures`.
        if let Expr::Attribute(method) = &*call.func
            && matches!(method.attr.as_str(), "append" | "add" | "extend")
            && let Expr::Name(holder) = &*method.value
        {
            self.visit_expr(&call.func);
            let outer = self.holder.replace(holder.id.as_str());
            for arg in args {
                self.visit_expr(arg);
            }
            self.holder = outer;
            return true;
        }
        false
    }

    /// Walks `inner` as code that runs once per item.
    fn repeat(&mut self, visit: impl FnOnce(&mut Self)) {
        self.repeated += 1;
        visit(self);
        self.repeated -= 1;
    }
}

impl<'a> Visitor<'a> for Calls<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.nesting >= MAX_NESTING {
            return;
        }
        self.nesting += 1;
        match stmt {
            // Nested scopes run at another time.
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::For(for_stmt) => {
                self.visit_expr(&for_stmt.iter);
                self.repeat(|this| this.visit_body(&for_stmt.body));
                self.visit_body(&for_stmt.orelse);
            }
            Stmt::While(while_stmt) => {
                self.visit_expr(&while_stmt.test);
                self.repeat(|this| this.visit_body(&while_stmt.body));
                self.visit_body(&while_stmt.orelse);
            }
            // `futures = [fetch(x) for x in xs]`: collected in `futures`.
            Stmt::Assign(ast::StmtAssign { targets, value, .. })
                if matches!(&**targets, [Expr::Name(_)]) =>
            {
                let holder = match &targets[0] {
                    Expr::Name(name) => Some(name.id.as_str()),
                    _ => None,
                };
                let outer = std::mem::replace(&mut self.holder, holder);
                self.visit_expr(value);
                self.holder = outer;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
        self.nesting -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.nesting >= MAX_NESTING {
            return;
        }
        self.nesting += 1;
        if let Some((elt, generators)) = element_comprehension(expr) {
            for generator in generators {
                self.visit_comprehension(generator);
            }
            self.repeat(|this| this.visit_expr(elt));
            self.nesting -= 1;
            return;
        }
        match expr {
            Expr::Lambda(_) => {}
            Expr::DictComp(ast::ExprDictComp {
                key,
                value,
                generators,
                ..
            }) => {
                for generator in generators {
                    self.visit_comprehension(generator);
                }
                self.repeat(|this| {
                    if let Some(key) = key {
                        this.visit_expr(key);
                    }
                    this.visit_expr(value);
                });
            }
            Expr::Call(call) => {
                if !self.call(call) {
                    visitor::walk_expr(self, expr);
                }
            }
            _ => visitor::walk_expr(self, expr),
        }
        self.nesting -= 1;
    }
}
