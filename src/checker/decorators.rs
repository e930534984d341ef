//! What a decorator makes of the `async def` it decorates: whether calling the result still
//! makes a coroutine (LW302, LW303). Read from the decorator's own body where the module has
//! it, from the catalog for a library's, and left to the link for one of another module of
//! the project ([`crate::project::summary::FunctionSites::project_decorators`]).

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::ast_query::Walk;
use crate::project::summary::DecoratorKind;

/// How deep [`decorator_kind`] follows a decorator factory's nested decorators.
const NESTING: usize = 3;

/// What `decorator`, a sync `def`, makes of the function it decorates, by what it returns:
/// a nested `def` (sync or async) that hands the function only to a worker thread runs it
/// there; the function it was given, or a nested `async def`, keeps it a coroutine
/// function; a nested sync `def` that wraps it (whose own returns are neither) makes it a
/// plain function; a nested sync `def` that is itself such a decorator (a factory's, as in
/// `@retry(times=3)`) makes of it what that one makes. Anything else is unknown.
pub fn decorator_kind(decorator: &ast::StmtFunctionDef) -> DecoratorKind {
    kind_at(decorator, NESTING)
}

fn kind_at(decorator: &ast::StmtFunctionDef, depth: usize) -> DecoratorKind {
    if decorator.is_async || depth == 0 {
        return DecoratorKind::Unknown;
    }
    let parameter = decorator
        .parameters
        .posonlyargs
        .iter()
        .chain(&decorator.parameters.args)
        .next()
        .map(|parameter| parameter.parameter.name.as_str());
    let nested = |name: &str| {
        decorator.body.iter().rev().find_map(|stmt| match stmt {
            Stmt::FunctionDef(inner) if inner.name.as_str() == name => Some(inner),
            _ => None,
        })
    };
    let mut returned = Vec::new();
    collect_returns(&decorator.body, &mut returned);
    if returned.is_empty() {
        return DecoratorKind::Unknown;
    }
    // What every return makes of it, combined: one return that says otherwise than the
    // others leaves it unknown (or, against keeping, a plain function).
    let mut kind = None;
    for value in returned {
        let this = match value {
            Expr::Name(name) if Some(name.id.as_str()) == parameter => DecoratorKind::Keeps,
            Expr::Name(name) => match nested(name.id.as_str()) {
                Some(inner) if parameter.is_some_and(|p| hands_to_thread(inner, p)) => {
                    DecoratorKind::Offloads
                }
                Some(inner) if inner.is_async => DecoratorKind::Keeps,
                // A factory's decorator that keeps the coroutine function or runs it in a
                // thread, or a wrapper.
                Some(inner) => match kind_at(inner, depth - 1) {
                    DecoratorKind::Keeps => DecoratorKind::Keeps,
                    DecoratorKind::Offloads => DecoratorKind::Offloads,
                    _ => DecoratorKind::Hides,
                },
                None => DecoratorKind::Unknown,
            },
            // A nested decorator applied here (`return decorator(method)`): what it returns.
            Expr::Call(call) => match &*call.func {
                Expr::Name(name) => nested(name.id.as_str())
                    .map_or(DecoratorKind::Unknown, |inner| kind_at(inner, depth - 1)),
                _ => DecoratorKind::Unknown,
            },
            _ => DecoratorKind::Unknown,
        };
        kind = Some(match (kind.unwrap_or(this), this) {
            (DecoratorKind::Unknown, _) | (_, DecoratorKind::Unknown) => DecoratorKind::Unknown,
            (DecoratorKind::Offloads, DecoratorKind::Offloads) => DecoratorKind::Offloads,
            (DecoratorKind::Offloads, _) | (_, DecoratorKind::Offloads) => DecoratorKind::Unknown,
            (DecoratorKind::Hides, _) | (_, DecoratorKind::Hides) => DecoratorKind::Hides,
            _ => DecoratorKind::Keeps,
        });
    }
    kind.unwrap_or(DecoratorKind::Unknown)
}

/// Whether `wrapper` hands `function`, its decorator's parameter, to a worker thread and
/// does nothing else with it: every mention of the name is inside the arguments of a call
/// whose last name is a thread handoff ([`crate::catalog::THREAD_HANDOFF_NAMES`]), whether
/// as the function itself, in `partial(function, ...)` or in `lambda: function(...)`.
/// A local bound once to `partial(function, ...)` or a lambda calling it (`bound =
/// functools.partial(func, *args)`, then `run_in_executor(None, bound)`), or a nested sync
/// `def` defined once whose body calls it, stands for the function: its mentions count as
/// the function's.
fn hands_to_thread(wrapper: &ast::StmtFunctionDef, function: &str) -> bool {
    let mut bound: Vec<(&str, TextRange)> = Vec::new();
    let mut assigned: Vec<&str> = Vec::new();
    crate::ast_query::walk_statements_shallow(&wrapper.body, &mut |stmt| {
        if let Some((Expr::Name(target), value)) = crate::ast_query::single_assignment(stmt) {
            assigned.push(target.id.as_str());
            if binds(value, function) {
                bound.push((target.id.as_str(), value.range()));
            }
        }
        // `def work(): ... function(*args) ...` then `run_in_executor(pool, work)`: the
        // nested function is what the thread runs, and the function with it.
        if let Stmt::FunctionDef(inner) = stmt {
            assigned.push(inner.name.as_str());
            if !inner.is_async && mentions(&inner.body, function) {
                bound.push((inner.name.as_str(), inner.range()));
            }
        }
        Walk::Descend
    });
    bound.retain(|(name, _)| assigned.iter().filter(|other| *other == name).count() == 1);
    let mut names = vec![function];
    names.extend(bound.iter().map(|(name, _)| *name));
    let mut mentions = Mentions {
        names: &names,
        bindings: bound.iter().map(|(_, value)| *value).collect(),
        in_handoff: 0,
        handed: 0,
        other: 0,
    };
    mentions.visit_body(&wrapper.body);
    mentions.handed > 0 && mentions.other == 0
}

/// Whether `body` reads the name `function` anywhere, nested functions included.
fn mentions(body: &[Stmt], function: &str) -> bool {
    crate::ast_query::any_in_body(
        body,
        &mut |expr| matches!(expr, Expr::Name(name) if name.id.as_str() == function),
    )
}

/// Whether `value` is `partial(function, ...)` or a lambda that mentions `function`.
fn binds(value: &Expr, function: &str) -> bool {
    let is_function =
        |expr: &Expr| matches!(expr, Expr::Name(name) if name.id.as_str() == function);
    match value {
        Expr::Call(call) => {
            let callee = match &*call.func {
                Expr::Attribute(attribute) => attribute.attr.as_str(),
                Expr::Name(name) => name.id.as_str(),
                _ => return false,
            };
            callee == "partial" && call.arguments.args.first().is_some_and(is_function)
        }
        Expr::Lambda(lambda) => {
            crate::ast_query::any_expr(&lambda.body, &mut |inner| is_function(inner))
        }
        _ => false,
    }
}

/// Counts the mentions, in a decorator's wrapper, of its parameter and of the locals bound
/// to it ([`hands_to_thread`]), inside a thread handoff's arguments or not.
struct Mentions<'a> {
    names: &'a [&'a str],
    /// The values of those locals' bindings: what they mention is counted where the local
    /// goes.
    bindings: Vec<TextRange>,
    in_handoff: usize,
    handed: usize,
    other: usize,
}

impl<'b> Visitor<'b> for Mentions<'_> {
    fn visit_stmt(&mut self, stmt: &'b Stmt) {
        // A nested function that stands for the function: its body is counted where its
        // name goes.
        if !self.bindings.contains(&stmt.range()) {
            visitor::walk_stmt(self, stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'b Expr) {
        if self.bindings.contains(&expr.range()) {
            return;
        }
        match expr {
            // The local's own binding is no use of it.
            Expr::Name(name) if name.ctx.is_store() => {}
            Expr::Name(name) if self.names.contains(&name.id.as_str()) => {
                if self.in_handoff > 0 {
                    self.handed += 1;
                } else {
                    self.other += 1;
                }
            }
            Expr::Call(call) if is_thread_handoff(&call.func) => {
                self.visit_expr(&call.func);
                self.in_handoff += 1;
                self.visit_arguments(&call.arguments);
                self.in_handoff -= 1;
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

fn is_thread_handoff(callee: &Expr) -> bool {
    let name = match callee {
        Expr::Attribute(attribute) => attribute.attr.as_str(),
        Expr::Name(name) => name.id.as_str(),
        _ => return false,
    };
    crate::catalog::THREAD_HANDOFF_NAMES.contains(&name)
}

/// The values `body` returns, through its compound statements but not into the functions
/// and classes it defines.
fn collect_returns<'a>(body: &'a [Stmt], returned: &mut Vec<&'a Expr>) {
    crate::ast_query::walk_statements_shallow(body, &mut |stmt| {
        if let Stmt::Return(ast::StmtReturn {
            value: Some(value), ..
        }) = stmt
        {
            returned.push(value);
        }
        Walk::Descend
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(source: &str) -> DecoratorKind {
        let parsed = ruff_python_parser::parse_module(source).expect("parses");
        let Some(Stmt::FunctionDef(decorator)) = parsed.syntax().body.first() else {
            panic!("a function first");
        };
        decorator_kind(decorator)
    }

    #[test]
    fn reads_what_a_decorator_returns() {
        // Registration: the function itself.
        assert_eq!(
            kind("def register(fn):\n    HANDLERS.append(fn)\n    return fn\n"),
            DecoratorKind::Keeps
        );
        // An async wrapper.
        let traced = "def traced(fn):\n    async def wrapper(*a):\n        return await fn(*a)\n    return wrapper\n";
        assert_eq!(kind(traced), DecoratorKind::Keeps);
        // A sync wrapper.
        let blocking = "def run_sync(fn):\n    def wrapper(*a):\n        return asyncio.run(fn(*a))\n    return wrapper\n";
        assert_eq!(kind(blocking), DecoratorKind::Hides);
        // Anything else.
        assert_eq!(
            kind("def command(fn):\n    return Command(fn)\n"),
            DecoratorKind::Unknown
        );
        assert_eq!(kind("def noop(fn):\n    pass\n"), DecoratorKind::Unknown);
    }

    #[test]
    fn reads_a_wrapper_that_hands_the_function_to_a_thread() {
        let partial = "def in_executor(fn):\n    async def wrapper(*a, **k):\n        return await asyncio.get_running_loop().run_in_executor(None, partial(fn, *a, **k))\n    return wrapper\n";
        assert_eq!(kind(partial), DecoratorKind::Offloads);
        let lambda = "def in_executor(fn):\n    def wrapper(*a):\n        loop = get_loop()\n        return loop.run_in_executor(None, lambda: fn(*a))\n    return wrapper\n";
        assert_eq!(kind(lambda), DecoratorKind::Offloads);
        // Through a local bound to the partial.
        let local = "def in_executor(fn):\n    def wrapper(*a):\n        bound = functools.partial(fn, *a)\n        return get_loop().run_in_executor(None, bound)\n    return wrapper\n";
        assert_eq!(kind(local), DecoratorKind::Offloads);
        // The local also called here, on the caller's thread.
        let also_called = "def in_executor(fn):\n    def wrapper(*a):\n        bound = functools.partial(fn, *a)\n        bound()\n        return get_loop().run_in_executor(None, bound)\n    return wrapper\n";
        assert_ne!(kind(also_called), DecoratorKind::Offloads);
        let factory = "def in_pool(pool):\n    def decorator(fn):\n        async def wrapper(*a):\n            return await asyncio.to_thread(fn, *a)\n        return wrapper\n    return decorator\n";
        assert_eq!(kind(factory), DecoratorKind::Offloads);
        // Through a nested function that calls it.
        let nested = "def in_pool(fn):\n    async def wrapper(*a):\n        def work():\n            return fn(*a)\n        return await loop.run_in_executor(POOL, work)\n    return wrapper\n";
        assert_eq!(kind(nested), DecoratorKind::Offloads);
        let nested_called = "def in_pool(fn):\n    async def wrapper(*a):\n        def work():\n            return fn(*a)\n        work()\n        return await loop.run_in_executor(POOL, work)\n    return wrapper\n";
        assert_ne!(kind(nested_called), DecoratorKind::Offloads);
        // Called on the caller's thread too: not only in a thread.
        let both = "def logged(fn):\n    async def wrapper(*a):\n        fn(*a)\n        return await asyncio.to_thread(fn, *a)\n    return wrapper\n";
        assert_eq!(kind(both), DecoratorKind::Keeps);
        // Handed to something else than a thread.
        let scheduled = "def later(fn):\n    def wrapper(*a):\n        return loop.call_soon(fn, *a)\n    return wrapper\n";
        assert_eq!(kind(scheduled), DecoratorKind::Hides);
    }

    #[test]
    fn follows_a_factory_to_its_decorator() {
        let retrying = "def retry(times):\n    def decorator(fn):\n        async def wrapper(*a):\n            return await fn(*a)\n        return wrapper\n    return decorator\n";
        assert_eq!(kind(retrying), DecoratorKind::Keeps);
        // Both ways of a factory that may be used bare or called (`@work`, `@work(...)`).
        let worker = "def work(method=None, *, exclusive=False):\n    def decorator(method):\n        def decorated(*a):\n            return start_worker(method, *a)\n        return decorated\n    if method is None:\n        return decorator\n    return decorator(method)\n";
        assert_eq!(kind(worker), DecoratorKind::Hides);
    }
}
