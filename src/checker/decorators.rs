//! What a decorator makes of the `async def` it decorates: whether calling the result still
//! makes a coroutine (LW302, LW303). Read from the decorator's own body where the module has
//! it, from the catalog for a library's, and left to the link for one of another module of
//! the project ([`crate::project::summary::FunctionSites::project_decorators`]).

use ruff_python_ast::{self as ast, Expr, Stmt};

use crate::ast_query::Walk;
use crate::project::summary::DecoratorKind;

/// How deep [`decorator_kind`] follows a decorator factory's nested decorators.
const NESTING: usize = 3;

/// What `decorator`, a sync `def`, makes of the function it decorates, by what it returns:
/// the function it was given, or a nested `async def`, keeps it a coroutine function; a
/// nested sync `def` that wraps it (whose own returns are neither) makes it a plain
/// function; a nested sync `def` that is itself such a decorator (a factory's, as in
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
    let mut kind = DecoratorKind::Keeps;
    for value in returned {
        let this = match value {
            Expr::Name(name) if Some(name.id.as_str()) == parameter => DecoratorKind::Keeps,
            Expr::Name(name) => match nested(name.id.as_str()) {
                Some(inner) if inner.is_async => DecoratorKind::Keeps,
                // A factory's decorator that keeps the coroutine function, or a wrapper.
                Some(inner) => match kind_at(inner, depth - 1) {
                    DecoratorKind::Keeps => DecoratorKind::Keeps,
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
        kind = match (kind, this) {
            (DecoratorKind::Unknown, _) | (_, DecoratorKind::Unknown) => DecoratorKind::Unknown,
            (DecoratorKind::Hides, _) | (_, DecoratorKind::Hides) => DecoratorKind::Hides,
            _ => DecoratorKind::Keeps,
        };
    }
    kind
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
    fn follows_a_factory_to_its_decorator() {
        let retrying = "def retry(times):\n    def decorator(fn):\n        async def wrapper(*a):\n            return await fn(*a)\n        return wrapper\n    return decorator\n";
        assert_eq!(kind(retrying), DecoratorKind::Keeps);
        // Both ways of a factory that may be used bare or called (`@work`, `@work(...)`).
        let worker = "def work(method=None, *, exclusive=False):\n    def decorator(method):\n        def decorated(*a):\n            return start_worker(method, *a)\n        return decorated\n    if method is None:\n        return decorator\n    return decorator(method)\n";
        assert_eq!(kind(worker), DecoratorKind::Hides);
    }
}
