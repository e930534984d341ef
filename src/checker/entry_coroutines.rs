//! A program's entry coroutine, and the part of it that runs before anything else can.
//!
//! A module-level `async def` that its module hands to a loop runner (`asyncio.run(main())`,
//! `loop.run_until_complete(main())`) and names nowhere else, such a method of a
//! module-level class (`asyncio.run(self.serve())`), or such a function nested in the one
//! that runs it, is the first coroutine of its loop. Until it first suspends (an `await`, an
//! `async with` or `async for`) or schedules other work (`create_task`, `call_soon`...), no
//! other task or callback has run on that loop, or is waiting to: a blocking call there (a CLI reading its arguments' files, a
//! script loading its settings) stalls nothing. LW101, LW102, LW105 and LW103 leave such
//! calls alone; from the first suspension on, anything the awaited code started (a server,
//! a client's keep-alive task) may be waiting, and they are reported as anywhere else.
//!
//! LW403 asks [`is_entry_coroutine`] too (`Checker::is_entry_coroutine`): only the runner
//! cancels that task.

use memchr::memmem;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::process_exit;
use crate::ast_query::{Node, Walk, any_in_body, last_identifier, uses_of_name, walk_body_shallow};
use crate::catalog::LOOP_SCHEDULING_CALLS;
use crate::semantic::SemanticModel;

/// The names a module's text hands, called, to something whose name ends in `run` or
/// `run_until_complete` (`asyncio.run(main(argv))`, `loop.run_until_complete( main() )`,
/// `asyncio.run(self.serve())`): the only `async def`s that may be entry coroutines. One
/// pass over the text, so that a module with thousands of coroutines pays for none of them.
pub fn candidates(source: &str) -> Vec<Box<str>> {
    let mut names: Vec<Box<str>> = Vec::new();
    for opener in ["run(", "run_until_complete("] {
        for at in memmem::find_iter(source.as_bytes(), opener) {
            let rest = source[at + opener.len()..].trim_start();
            let dotted_len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len());
            let (dotted, after) = rest.split_at(dotted_len);
            // `self.main(` hands over the method `main`.
            let name = dotted.rsplit('.').next().unwrap_or(dotted);
            if !name.is_empty()
                && after.trim_start().starts_with('(')
                && !names.iter().any(|known| &**known == name)
            {
                names.push(name.into());
            }
        }
    }
    names
}

/// Whether `call` runs an event loop until the coroutine it is given is done. The method
/// `run_until_complete` is known by its name: the runner calls are looked for from the
/// module's scope, where a receiver typed inside a method (`self.loop`) is not.
pub fn is_loop_runner(model: &SemanticModel, call: &ast::ExprCall) -> bool {
    let path = model.call_path(call);
    model
        .method_known_by_name(call, path.as_deref())
        .or(path.as_deref())
        .is_some_and(crate::catalog::is_loop_run)
        || matches!(&*call.func, Expr::Attribute(method) if method.attr.as_str() == "run_until_complete")
}

/// Whether `function` is a module-level `async def` of `module` (or a method of a
/// module-level class) that the module runs with a loop runner (`asyncio.run(main())`,
/// `asyncio.run(self.main())`) and uses nowhere else; `candidates` are the module's
/// [`candidates`].
pub fn is_entry_coroutine(
    model: &SemanticModel,
    module: &[Stmt],
    enclosing: Option<&ast::StmtFunctionDef>,
    candidates: &[Box<str>],
    function: &ast::StmtFunctionDef,
) -> bool {
    let name = function.name.as_str();
    if !function.is_async || !candidates.iter().any(|candidate| &**candidate == name) {
        return false;
    }
    let is = |stmt: &Stmt| matches!(stmt, Stmt::FunctionDef(def) if std::ptr::eq(def, function));
    // A module-level function, run as `asyncio.run(main())`; a method of a module-level
    // class, run as `asyncio.run(self.main())` (or on any receiver); or a function nested
    // in another, run there (a thread's target making a loop of its own for it): its uses
    // are looked for in the body around it.
    let (scope, method) = if let Some(outer) = enclosing {
        (&outer.body[..], false)
    } else if module.iter().any(is) {
        (module, false)
    } else if module
        .iter()
        .any(|stmt| matches!(stmt, Stmt::ClassDef(class) if class.body.iter().any(is)))
    {
        (module, true)
    } else {
        return false;
    };
    let mut runs = 0usize;
    any_in_body(scope, &mut |expr| {
        if let Expr::Call(runner) = expr
            && let Some(Expr::Call(entry)) = runner.arguments.args.first()
            && match &*entry.func {
                Expr::Name(called) => !method && called.id.as_str() == name,
                Expr::Attribute(called) => method && called.attr.as_str() == name,
                _ => false,
            }
            && is_loop_runner(model, runner)
        {
            runs += 1;
        }
        false
    });
    // A method named like the runner (`run`, of `asyncio.run(self.run())`) does not count
    // the runner among its uses.
    let uses = uses_of_name(scope, name, method, &|_| false)
        .into_iter()
        .filter(|usage| !usage.call.is_some_and(|call| is_loop_runner(model, call)))
        .count();
    runs > 0 && uses == runs
}

/// The module-level `async def`s an entry coroutine awaits before anything else can run on
/// its loop (`await setup(argv)` as its first suspension), named nowhere else in the
/// module: until such a helper first suspends, it too runs alone. A helper awaited first by
/// such a helper counts as well. Found only in a module that hands a coroutine to a loop
/// runner; each entry coroutine's body is walked once.
pub fn first_awaited_helpers(
    model: &SemanticModel,
    module: &[Stmt],
    candidates: &[Box<str>],
) -> Vec<Box<str>> {
    helpers_reached(model, module, candidates, &|function| {
        let Some(until) = alone_stretch(model, function) else {
            return Vec::new();
        };
        let mut awaited = Vec::new();
        walk_body_shallow(&function.body, &mut |node| match node {
            Node::Stmt(stmt) if stmt.start() > until => Walk::Stop,
            Node::Expr(Expr::Await(awaiting)) if awaiting.start() <= until => {
                if let Expr::Call(call) = &*awaiting.value
                    && let Expr::Name(name) = &*call.func
                {
                    awaited.push(name.id.as_str());
                }
                Walk::Descend
            }
            _ => Walk::Descend,
        });
        awaited
    })
}

/// The module-level `async def`s an entry coroutine awaits, or gathers
/// (`await asyncio.gather(serve(), poll())`), in the statement that ends it (nothing that
/// suspends or loops after it, in its block and in each block around it), named nowhere
/// else in the module: only the runner's cancellation of the entry coroutine reaches them,
/// and the program ends with it (LW403). A helper such a helper ends with counts as well.
pub fn last_awaited_helpers(
    model: &SemanticModel,
    module: &[Stmt],
    candidates: &[Box<str>],
) -> Vec<Box<str>> {
    helpers_reached(model, module, candidates, &|function| {
        let mut awaited = Vec::new();
        ending_awaits(model, &function.body, &mut awaited);
        awaited
    })
}

/// The module-level coroutines reached from the module's entry coroutines, each named
/// nowhere else in the module, through the names `awaited` finds in a coroutine reached
/// (an entry coroutine's, then each helper's in turn).
fn helpers_reached<'m>(
    model: &SemanticModel,
    module: &'m [Stmt],
    candidates: &[Box<str>],
    awaited: &dyn Fn(&'m ast::StmtFunctionDef) -> Vec<&'m str>,
) -> Vec<Box<str>> {
    let mut helpers: Vec<Box<str>> = Vec::new();
    if candidates.is_empty() {
        return helpers;
    }
    let mut pending = module_entry_coroutines(model, module, candidates);
    while let Some(function) = pending.pop() {
        for name in awaited(function) {
            if helpers.iter().any(|known| &**known == name)
                || candidates.iter().any(|entry| &**entry == name)
            {
                continue;
            }
            let Some(helper) = module_coroutine(module, name) else {
                continue;
            };
            if uses_of_name(module, name, false, &|_| false).len() == 1 {
                helpers.push(name.into());
                pending.push(helper);
            }
        }
    }
    helpers
}

/// The names of the module functions called in the awaits that end `block`: `await f(...)`
/// (also assigned or returned) or `await asyncio.gather(f(...), ...)`, in the last
/// statement that suspends, followed by nothing that suspends or loops, and in the blocks of
/// a `try`, `with` or `if` so placed.
fn ending_awaits<'a>(model: &SemanticModel, block: &'a [Stmt], names: &mut Vec<&'a str>) {
    let suspends = |stmt: &Stmt| {
        matches!(stmt, Stmt::For(_) | Stmt::While(_))
            || matches!(stmt, Stmt::With(with) if with.is_async)
            || any_in_body(std::slice::from_ref(stmt), &mut |expr| {
                matches!(expr, Expr::Await(_))
            })
    };
    let Some(last) = block.iter().rev().find(|stmt| suspends(stmt)) else {
        return;
    };
    let awaited = match last {
        Stmt::Expr(expression) => Some(&*expression.value),
        Stmt::Assign(assign) => Some(&*assign.value),
        Stmt::Return(returned) => returned.value.as_deref(),
        Stmt::Try(try_stmt) => return ending_awaits(model, &try_stmt.body, names),
        Stmt::With(with) if !with.is_async => return ending_awaits(model, &with.body, names),
        Stmt::If(if_stmt) => {
            ending_awaits(model, &if_stmt.body, names);
            for clause in &if_stmt.elif_else_clauses {
                ending_awaits(model, &clause.body, names);
            }
            return;
        }
        _ => None,
    };
    let Some(Expr::Await(awaiting)) = awaited else {
        return;
    };
    let Expr::Call(call) = &*awaiting.value else {
        return;
    };
    let called = |call: &'a ast::ExprCall| match &*call.func {
        Expr::Name(name) => Some(name.id.as_str()),
        _ => None,
    };
    let is_gather = model
        .call_path(call)
        .is_some_and(|path| crate::catalog::GATHER_CALLS.contains(&path.as_str()));
    if is_gather {
        names.extend(
            call.arguments
                .args
                .iter()
                .filter_map(|argument| match argument {
                    Expr::Call(inner) => called(inner),
                    _ => None,
                }),
        );
    } else {
        names.extend(called(call));
    }
}

/// The module-level `async def`s of `module` that are its entry coroutines.
fn module_entry_coroutines<'a>(
    model: &SemanticModel,
    module: &'a [Stmt],
    candidates: &[Box<str>],
) -> Vec<&'a ast::StmtFunctionDef> {
    candidates
        .iter()
        .filter_map(|name| module_coroutine(module, name))
        .filter(|def| is_entry_coroutine(model, module, None, candidates, def))
        .collect()
}

/// The module-level `async def` named `name`, when the module defines that name once.
fn module_coroutine<'a>(module: &'a [Stmt], name: &str) -> Option<&'a ast::StmtFunctionDef> {
    let mut defs = module.iter().filter_map(|stmt| match stmt {
        Stmt::FunctionDef(def) if def.name.as_str() == name => Some(def),
        _ => None,
    });
    // A name defined twice at module level may be either function.
    match (defs.next(), defs.next()) {
        (Some(def), None) if def.is_async => Some(def),
        _ => None,
    }
}

/// Whether `function` is a module-level `async def` of `module` named in `helpers`.
pub fn is_module_helper_among(
    module: &[Stmt],
    helpers: &[Box<str>],
    function: &ast::StmtFunctionDef,
) -> bool {
    helpers.iter().any(|name| &**name == function.name.as_str())
        && module
            .iter()
            .any(|stmt| matches!(stmt, Stmt::FunctionDef(def) if std::ptr::eq(def, function)))
}

/// Where the entry coroutine `function` may first have company on its loop: the start of
/// its first suspension or scheduling call, or of the outermost loop around that one (whose
/// next turn runs its body again after it): a `while` from its test on, a `for` from its
/// body on (what it iterates is evaluated once, before). The same for a module-level
/// coroutine named in `first_awaited` ([`first_awaited_helpers`]). `None` when `function`
/// is neither, or is a generator.
pub fn runs_alone_until(
    model: &SemanticModel,
    module: &[Stmt],
    enclosing: Option<&ast::StmtFunctionDef>,
    candidates: &[Box<str>],
    first_awaited: &[Box<str>],
    function: &ast::StmtFunctionDef,
) -> Option<TextSize> {
    let awaited_first =
        enclosing.is_none() && is_module_helper_among(module, first_awaited, function);
    if !awaited_first && !is_entry_coroutine(model, module, enclosing, candidates, function) {
        return None;
    }
    alone_stretch(model, function)
}

/// Where a coroutine that starts alone on its loop may first have company: its first
/// suspension, or the loop around it ([`runs_alone_until`]); `None` for a generator.
fn alone_stretch(model: &SemanticModel, function: &ast::StmtFunctionDef) -> Option<TextSize> {
    stretch_before_company(model, function, false)
}

/// What a module hands its server to run once, at start-up, before it accepts a
/// connection: lifespan context managers and start-up handlers, by name.
#[derive(Default)]
pub struct StartUp {
    /// Handed to an ASGI application's (or router's) constructor as `lifespan=name`
    /// (`FastAPI(lifespan=lifespan)`, `Starlette(lifespan=...)`). (Other frameworks'
    /// `lifespan` may be entered per connection, as an MCP server over SSE does, and is not
    /// among them.)
    lifespans: Vec<Box<str>>,
    /// Registered as start-up handlers without a decorator: `app.add_event_handler("startup",
    /// init)`, `FastAPI(on_startup=[init])`, aiohttp's `app.on_startup.append(init)`.
    handlers: Vec<Box<str>>,
}

/// The module's [`StartUp`] coroutines; `has_lifespan` and `has_startup` say whether its
/// text spells the words (`Checker::source_mentions`), so that a module that never writes
/// them pays for no walk.
pub fn start_up(
    model: &SemanticModel,
    (has_lifespan, has_startup): (bool, bool),
    module: &[Stmt],
) -> StartUp {
    let mut found = StartUp::default();
    if !has_lifespan && !has_startup {
        return found;
    }
    let add = |names: &mut Vec<Box<str>>, name: &str| {
        if !names.iter().any(|known| &**known == name) {
            names.push(name.into());
        }
    };
    any_in_body(module, &mut |expr| {
        let Expr::Call(call) = expr else {
            return false;
        };
        let is_app = || {
            model.call_path(call).is_some_and(|path| {
                let class = crate::catalog::canonical_class(&path).unwrap_or(&path);
                crate::catalog::LIFESPAN_APP_CLASSES.contains(&class)
            })
        };
        if has_lifespan
            && let Some(keyword) = call.arguments.find_keyword("lifespan")
            && let Expr::Name(name) = &keyword.value
            && is_app()
        {
            add(&mut found.lifespans, name.id.as_str());
        }
        if !has_startup {
            return false;
        }
        if let Some(keyword) = call.arguments.find_keyword("on_startup")
            && let Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. }) =
                &keyword.value
            && is_app()
        {
            for element in elts {
                if let Expr::Name(name) = element {
                    add(&mut found.handlers, name.id.as_str());
                }
            }
        }
        if let Expr::Attribute(method) = &*call.func {
            let handler = match method.attr.as_str() {
                "add_event_handler"
                    if is_startup_event(call.arguments.find_argument_value("event_type", 0)) =>
                {
                    call.arguments.find_argument_value("func", 1)
                }
                "append"
                    if matches!(&*method.value,
                    Expr::Attribute(list) if list.attr.as_str() == "on_startup") =>
                {
                    call.arguments.args.first()
                }
                _ => None,
            };
            if let Some(Expr::Name(name)) = handler {
                add(&mut found.handlers, name.id.as_str());
            }
        }
        false
    });
    found
}

fn is_startup_event(event: Option<&Expr>) -> bool {
    matches!(event, Some(Expr::StringLiteral(literal)) if literal.value.to_str() == "startup")
}

/// Whether a decorator registers the function as a start-up handler: `@app.on_event(
/// "startup")`, `@app.on_startup`, Quart's `@app.before_serving`, Sanic's
/// `@app.before_server_start`.
fn registers_start_up(decorator: &Expr) -> bool {
    match decorator {
        Expr::Call(call) => {
            last_identifier(&call.func) == Some("on_event")
                && is_startup_event(call.arguments.find_argument_value("event_type", 0))
        }
        _ => matches!(
            last_identifier(decorator),
            Some("on_startup" | "before_serving" | "before_server_start")
        ),
    }
}

/// Where a module's start-up code may first have company: a lifespan context manager
/// (`@asynccontextmanager async def lifespan(app)`, handed to its application as
/// `lifespan=lifespan`), whose part before `yield` the server runs at start-up, or a
/// start-up handler (`@app.on_event("startup")`, [`StartUp::handlers`]), which it runs
/// before it accepts a connection. Until its first suspension, scheduling call (or, in a
/// lifespan, `yield`) nothing else waits on the loop. `None` for any other function.
pub fn start_up_alone_until(
    model: &SemanticModel,
    module: &[Stmt],
    start_up: &StartUp,
    function: &ast::StmtFunctionDef,
) -> Option<TextSize> {
    if !function.is_async {
        return None;
    }
    let at_module_level = || {
        module
            .iter()
            .any(|stmt| matches!(stmt, Stmt::FunctionDef(def) if std::ptr::eq(def, function)))
    };
    let decorated_handler = function
        .decorator_list
        .iter()
        .any(|decorator| registers_start_up(&decorator.expression));
    if decorated_handler || is_module_helper_among(module, &start_up.handlers, function) {
        return at_module_level()
            .then(|| stretch_before_company(model, function, false))
            .flatten();
    }
    if !is_module_helper_among(module, &start_up.lifespans, function) {
        return None;
    }
    let managed = function.decorator_list.iter().any(|decorator| {
        model
            .path_of(&decorator.expression)
            .is_some_and(|path| path == crate::catalog::ASYNC_CONTEXT_MANAGER_DECORATOR)
    });
    if !managed {
        return None;
    }
    stretch_before_company(model, function, true)
}

/// [`alone_stretch`]; with `yield_suspends`, a `yield` is a suspension like an `await`
/// (a context manager's: the code after it runs when the `async with` block is done)
/// rather than the sign of a generator, which has no such stretch.
fn stretch_before_company(
    model: &SemanticModel,
    function: &ast::StmtFunctionDef,
    yield_suspends: bool,
) -> Option<TextSize> {
    let mut suspensions = Vec::new();
    let mut generator = false;
    walk_body_shallow(&function.body, &mut |node| {
        let at = match node {
            // An `async for` first evaluates what it iterates, an `async with` its first
            // item's context expression; the suspension comes after.
            Node::Stmt(Stmt::For(for_stmt)) if for_stmt.is_async => Some(for_stmt.iter.end()),
            Node::Stmt(Stmt::With(with)) if with.is_async => Some(
                with.items
                    .first()
                    .map_or(with.start(), |item| item.context_expr.end()),
            ),
            // What an `await` awaits is evaluated first (`await MessageBus().connect()`
            // makes the bus, then the coroutine); the suspension comes after.
            Node::Expr(Expr::Await(awaiting)) => Some(awaiting.value.end()),
            Node::Expr(Expr::Yield(_) | Expr::YieldFrom(_)) if yield_suspends => {
                Some(node_start(node))
            }
            Node::Expr(Expr::Yield(_) | Expr::YieldFrom(_)) => {
                generator = true;
                return Walk::Stop;
            }
            Node::Expr(Expr::Call(call))
                if last_identifier(&call.func)
                    .is_some_and(|name| LOOP_SCHEDULING_CALLS.contains(&name)) =>
            {
                Some(call.start())
            }
            Node::Expr(expr) if crate::ast_query::has_async_comprehension(expr) => {
                Some(expr.start())
            }
            _ => None,
        };
        suspensions.extend(at);
        Walk::Descend
    });
    if generator {
        return None;
    }
    // The first suspension, but for one in a block that ends the process (`if args.list:
    // print(await fetch()); sys.exit(0)`): the code after that block runs only when it did
    // not. A body with nothing else that suspends runs alone to its end.
    suspensions.sort_unstable();
    let Some(first) = suspensions.into_iter().find(|&at| {
        !process_exit::in_block_ending_the_process(model, &function.body, TextRange::empty(at))
    }) else {
        return Some(function.end());
    };
    let mut until = first;
    walk_body_shallow(&function.body, &mut |node| match node {
        // A `for` evaluates what it iterates once, before its first turn: only its body
        // runs again after a suspension in it.
        Node::Stmt(Stmt::For(for_stmt)) if for_stmt.range().contains_inclusive(first) => {
            let body_start = for_stmt.body.first().map_or(first, Ranged::start);
            until = until.min(body_start);
            Walk::Stop
        }
        Node::Stmt(stmt @ Stmt::While(_)) if stmt.range().contains_inclusive(first) => {
            until = until.min(stmt.start());
            Walk::Stop
        }
        Node::Stmt(stmt) if stmt.start() > first => Walk::Stop,
        _ => Walk::Descend,
    });
    Some(until)
}

fn node_start(node: Node) -> TextSize {
    match node {
        Node::Stmt(stmt) => stmt.start(),
        Node::Expr(expr) => expr.start(),
    }
}

#[cfg(test)]
mod tests {
    use super::candidates;

    #[test]
    fn candidates_are_the_calls_handed_to_a_runner() {
        let source = "asyncio.run(main(argv))\nloop.run_until_complete( serve ())\n\
                      subprocess.run(['ls'])\nrunner.run(main())\nprint('é', run(x))\n\
                      asyncio.run(self.work())\n";
        let found = candidates(source);
        let names: Vec<&str> = found.iter().map(|name| &**name).collect();
        assert_eq!(names, ["main", "work", "serve"]);
    }
}
