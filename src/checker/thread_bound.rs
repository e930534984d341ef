//! The fix for blocking calls on objects that belong to the thread that made them (a
//! `sqlite3` connection and its cursors): moving each call to a worker thread on its own
//! would use the object from whichever thread the executor picks, which raises. The fix
//! moves the whole use of the object, from the statement that makes it to the last one
//! that uses it, into one sync helper beside the coroutine, run by one
//! `await asyncio.to_thread(helper, ...)`. Where the statements cannot be lifted out as
//! they are, no fix is offered and the help says why.
//!
//! A file the coroutine opens and then reads or writes is moved the same way: moving only
//! the `open` would leave every read and write on the loop, and a cancelled coroutine would
//! close the file under a write still running in the worker thread. Where its use cannot
//! be lifted out, the `open` alone moves, as before.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, Stmt};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::Checker;
use super::thread_locals::is_thread_local;
use super::to_thread::Runner;
use crate::ast_query::{self, chain_root};
use crate::catalog;
use crate::diagnostic::{Edit, Fix};
use crate::source::MAX_NESTING;

/// What the fix of a blocking call is, when the call touches a thread-bound object.
pub enum ThreadBound {
    /// The call makes or uses no thread-bound object: the ordinary fix applies.
    No,
    /// The whole use of the object, moved to one helper.
    Fix(Fix),
    /// No fix; the reason is added to the help when there is one to give.
    Unfixable(Option<&'static str>),
}

/// What the moved statements all use.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shared {
    /// An object bound to the thread that made it.
    ThreadBound,
    /// A sync file object.
    File,
}

impl Shared {
    fn is_type(self, type_name: &str) -> bool {
        match self {
            Self::ThreadBound => catalog::is_thread_bound(type_name),
            Self::File => catalog::is_file_type(type_name),
        }
    }

    /// Whether `expr` evaluates to an object of this kind.
    fn holds(self, checker: &Checker, expr: &Expr) -> bool {
        checker
            .model
            .type_of(expr)
            .is_some_and(|type_name| self.is_type(&type_name))
    }

    fn message(self, helper: &str) -> String {
        let what = match self {
            Self::ThreadBound => "the thread-bound object",
            Self::File => "the file",
        };
        format!("Move the statements that use {what} into `{helper}`, run once in a worker thread")
    }
}

/// Whether `call` makes or uses a thread-bound object, and the fix that moves the whole use.
pub fn thread_bound_fix(checker: &Checker, call: &ast::ExprCall) -> ThreadBound {
    let shared = Shared::ThreadBound;
    let makes_one = makes(checker, call, shared);
    let uses_one = matches!(&*call.func, Expr::Attribute(attribute) if shared.holds(checker, &attribute.value));
    if !makes_one && !uses_one {
        return ThreadBound::No;
    }
    let Some(runner) = Runner::here(checker) else {
        return ThreadBound::Unfixable(None);
    };
    match shared_extraction(checker, call, runner, shared) {
        Ok(fix) => ThreadBound::Fix(fix),
        Err(reason) => ThreadBound::Unfixable(Some(reason)),
    }
}

/// The fix that moves a file's whole use, from the `call` that opens it to the last
/// statement that names it, into one helper run in a worker thread: `None` where the file
/// is not named (`open(p).read()` moves as one call) or its use cannot be lifted out.
pub fn file_use_fix(checker: &Checker, call: &ast::ExprCall) -> Option<Fix> {
    // The binding first: most blocking calls are statements of their own, or arguments.
    if !matches!(bound_result(checker, call), Root::Name(_)) || !makes(checker, call, Shared::File)
    {
        return None;
    }
    shared_extraction(checker, call, Runner::here(checker)?, Shared::File).ok()
}

/// Whether `call` (to `path`, in a sync function) shares an object bound to its thread
/// beyond the function: it uses one the function did not make (`self.conn.execute(...)`,
/// a parameter's, a global's), or makes one that outlives the call (stored on an
/// attribute, in a global or a container, returned). A function that makes, uses and
/// drops its own connection (`_query_sync`) can run on any one thread; one that shares it
/// cannot move to a worker thread.
pub fn shares_thread_bound(checker: &Checker, call: &ast::ExprCall, path: &str) -> bool {
    let shared = Shared::ThreadBound;
    let makes_one = catalog::return_type(path).is_some_and(|type_name| shared.is_type(type_name));
    let uses_one = matches!(&*call.func, Expr::Attribute(attribute) if shared.holds(checker, &attribute.value));
    if !makes_one && !uses_one {
        return false;
    }
    let Some(function) = checker.current_function() else {
        return false;
    };
    let name = match root_name(checker, call, shared) {
        Root::Name(name) => name,
        Root::Unnamed => return false,
        Root::Stored => return true,
    };
    per_object(checker, function, (shared, name), || {
        name_shares_thread_bound(checker, function, name)
    })
}

/// Answers that hold for every use of one object in a function, kept for the function being
/// walked by the kind and name of the object: asked once per object, not once per call (a
/// helper may run thousands of statements on one connection).
struct PerObject<T> {
    function: Option<TextSize>,
    answers: Vec<(Shared, String, T)>,
}

impl<T> Default for PerObject<T> {
    fn default() -> Self {
        Self {
            function: None,
            answers: Vec::new(),
        }
    }
}

/// The answer [`PerObject`] keeps for `object` in `function`, or `answer()` kept.
fn per_object<T: Clone + 'static>(
    checker: &Checker,
    function: &ast::StmtFunctionDef,
    (kind, name): (Shared, &str),
    answer: impl FnOnce() -> T,
) -> T {
    {
        let mut kept = checker.rule_state::<PerObject<T>>();
        if kept.function != Some(function.start()) {
            kept.function = Some(function.start());
            kept.answers.clear();
        }
        if let Some((_, _, known)) = kept
            .answers
            .iter()
            .find(|(known_kind, known, _)| *known_kind == kind && known == name)
        {
            return known.clone();
        }
    }
    let answered = answer();
    checker
        .rule_state::<PerObject<T>>()
        .answers
        .push((kind, name.to_string(), answered.clone()));
    answered
}

/// The names the object `name` goes by in the function, back to the one that made it there
/// (`cur` of `cur = con.cursor()`, then `con`); `None` when it comes from outside the
/// function: a parameter, a global, an attribute (`cur = self.conn.cursor()`).
fn origins<'a>(
    checker: &Checker,
    scope: &FunctionScope<'a>,
    name: &'a str,
    shared: Shared,
) -> Option<Vec<&'a str>> {
    let mut names = vec![name];
    let mut name = name;
    for _ in 0..MAX_NESTING {
        if scope.declared_outer.contains(&name)
            || scope.parameters.contains(&name)
            || !scope.bound.iter().any(|(bound, _)| *bound == name)
        {
            return None;
        }
        // `cur = con.cursor()`, `con = self.conn`: from another name; `con =
        // sqlite3.connect(p)`: made here.
        let origin = scope.assignments.iter().find_map(|(target, value)| {
            if *target != name || !shared.holds(checker, value) {
                return None;
            }
            match value {
                Expr::Call(made) => match &*made.func {
                    Expr::Attribute(method) if shared.holds(checker, &method.value) => {
                        chain_root(&method.value)
                    }
                    _ => None,
                },
                other => chain_root(other),
            }
        });
        match origin {
            Some(origin) if !names.contains(&origin) => {
                names.push(origin);
                name = origin;
            }
            _ => break,
        }
    }
    Some(names)
}

/// Whether the thread-bound object `name` goes by in `function` is shared beyond it: see
/// [`shares_thread_bound`].
fn name_shares_thread_bound(
    checker: &Checker,
    function: &ast::StmtFunctionDef,
    name: &str,
) -> bool {
    let scope = FunctionScope::collect(function);
    let Some(names) = origins(checker, &scope, name, Shared::ThreadBound) else {
        return true;
    };
    // Kept past the call: returned, or stored where it outlives the function (the object
    // itself, or another bound to its thread; not what it gave, as a row).
    fn kept(checker: &Checker, value: &Expr, names: &[&str]) -> bool {
        match value {
            Expr::Name(name) => names.contains(&name.id.as_str()),
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                elts.iter().any(|element| kept(checker, element, names))
            }
            other => Shared::ThreadBound.holds(checker, other),
        }
    }
    let mut facts = SpanFacts::default();
    facts.visit_body(&function.body);
    facts
        .stored_away
        .iter()
        .any(|value| kept(checker, value, &names))
}

/// Whether `call` returns an object of kind `shared`.
fn makes(checker: &Checker, call: &ast::ExprCall, shared: Shared) -> bool {
    checker
        .model
        .call_path(call)
        .and_then(|path| catalog::return_type(&path))
        .is_some_and(|type_name| shared.is_type(type_name))
}

const ESCAPES: &str = "no fix: the object belongs to the thread that made it and is used outside \
     one run of statements here; move its whole use into a sync helper run with `asyncio.to_thread`";
const MADE_ELSEWHERE: &str = "no fix: the object belongs to the thread that made it, outside this \
     function; run the code that makes and uses it in one sync helper with `asyncio.to_thread`";
const ACROSS_AWAIT: &str = "no fix: the object belongs to its thread and is used across an `await`; \
     move the statements between the awaits into a sync helper run with `asyncio.to_thread`";
const JUMPS: &str = "no fix: the statements that use the object return or jump out of the block; \
     move them into a sync helper run with `asyncio.to_thread`";
const LOOP_BOUND: &str = "no fix: the statements that use the object also call the event loop's own \
     objects, which a worker thread must not touch; move the rest into a sync helper run with \
     `asyncio.to_thread`";
const SHAPE: &str = "no fix: the statements that use the object cannot be moved into a helper as \
     written; move them into a sync helper run with `asyncio.to_thread`";

/// [`extraction`], once per object a function names: every call on a connection gets the
/// same fix, and a function may make thousands of them.
fn shared_extraction(
    checker: &Checker,
    call: &ast::ExprCall,
    runner: Runner,
    shared: Shared,
) -> Result<Fix, &'static str> {
    let (Some(function), Root::Name(name)) =
        (checker.current_function(), root_name(checker, call, shared))
    else {
        return extraction(checker, call, runner, shared);
    };
    per_object(checker, function, (shared, name), || {
        extraction(checker, call, runner, shared)
    })
}

/// The helper and the call that replaces the statements.
fn extraction(
    checker: &Checker,
    call: &ast::ExprCall,
    mut runner: Runner,
    shared: Shared,
) -> Result<Fix, &'static str> {
    let function = checker.current_function().ok_or(SHAPE)?;
    let module = checker.module();
    // The helper goes at module level, before the statement holding the coroutine: the
    // coroutine must be that statement, or a method of that class, so that every name the
    // statements read is a local of the coroutine (passed in) or a global (seen as is).
    // The module's statements are in source order: found by position, not by a scan (a
    // module may hold a hundred thousand coroutines, each with a fix).
    let at = module
        .body
        .partition_point(|stmt| stmt.end() < function.start());
    let top = module
        .body
        .get(at)
        .filter(|stmt| stmt.range().contains_range(function.range()))
        .ok_or(SHAPE)?;
    let placed = match top {
        Stmt::FunctionDef(def) => def.range() == function.range(),
        Stmt::ClassDef(class) => {
            let at = class
                .body
                .partition_point(|stmt| stmt.end() < function.start());
            class
                .body
                .get(at)
                .is_some_and(|stmt| stmt.range() == function.range())
        }
        _ => false,
    };
    if !placed {
        return Err(SHAPE);
    }
    let in_class = matches!(top, Stmt::ClassDef(_));
    // The helper is named after the coroutine (and its class): two coroutines of one name
    // would get two helpers of one name in the same pass of fixes, the later one replacing
    // the earlier for both.
    let owner = match top {
        Stmt::ClassDef(class) => Some(class.name.as_str()),
        _ => None,
    };
    let unique = module_names(checker, |names| match top {
        Stmt::ClassDef(class) => {
            !names.defined_again.contains(class.name.as_str())
                && !names
                    .defined_again_in_class
                    .contains(&(class.start(), function.name.as_str().into()))
        }
        _ => !names.defined_again.contains(function.name.as_str()),
    });
    if !unique {
        return Err(SHAPE);
    }

    // The object's names: the one the call reaches, those it came from (`con` of `cur =
    // con.cursor()`: one the coroutine did not make, `cur = self.conn.cursor()`, belongs to
    // the loop's thread), and every name bound from it to another thread-bound value.
    let scope = FunctionScope::collect(function);
    let mut group: Vec<&str> = match root_name(checker, call, shared) {
        Root::Name(name) => origins(checker, &scope, name, shared).ok_or(MADE_ELSEWHERE)?,
        Root::Unnamed => Vec::new(),
        Root::Stored => return Err(ESCAPES),
    };
    if !group.is_empty() {
        let mut grew = true;
        while grew {
            grew = false;
            for (target, value) in &scope.assignments {
                if !group.contains(target)
                    && chain_root(value).is_some_and(|root| group.contains(&root))
                    && shared.holds(checker, value)
                {
                    group.push(target);
                    grew = true;
                }
            }
        }
    }

    // The run of statements: in the innermost block on the way to the call that holds every
    // mention of the object's names.
    let mentions: Vec<TextRange> = scope
        .names
        .iter()
        .filter(|(name, _, _)| group.contains(name))
        .map(|(_, range, _)| *range)
        .collect();
    let path = block_path(&function.body, call.range().start());
    let (block, first, last) = path
        .iter()
        .rev()
        .find_map(|&(block, index)| {
            let first = block
                .iter()
                .position(|stmt| mentions.iter().any(|m| stmt.range().contains_range(*m)))
                .map_or(index, |at| at.min(index));
            let last = block
                .iter()
                .rposition(|stmt| mentions.iter().any(|m| stmt.range().contains_range(*m)))
                .map_or(index, |at| at.max(index));
            let span = TextRange::new(block[first].start(), block[last].end());
            mentions
                .iter()
                .all(|m| span.contains_range(*m))
                .then_some((block, first, last))
        })
        .ok_or(ESCAPES)?;
    let statements = &block[first..=last];
    let span = TextRange::new(
        statements[0].start(),
        statements[statements.len() - 1].end(),
    );

    let mut body = SpanFacts::default();
    for stmt in statements {
        body.visit_stmt(stmt);
    }
    if body.awaits {
        return Err(ACROSS_AWAIT);
    }
    // A name the coroutine declares `global` would be the helper's local; one it does not
    // mention is none of the helper's business.
    let declared_outer = |name: &&str| scope.declared_outer.contains(name);
    if body.loads.iter().any(declared_outer)
        || body.stores.iter().any(|(name, _, _)| declared_outer(name))
    {
        return Err(SHAPE);
    }
    // Statements that return move whole when nothing of the coroutine follows them: the
    // helper returns what the coroutine would have, and falling off its end returns `None`
    // as the coroutine did. An async generator cannot return a value.
    let returns_at_end = body.returns
        && std::ptr::eq(block.as_ptr(), function.body.as_ptr())
        && last + 1 == block.len()
        && !ast_query::contains_yield(&function.body);
    let jumps = body.jumps || (body.returns && !returns_at_end);
    if jumps || body.unsupported || (in_class && body.mangled) {
        return Err(if jumps { JUMPS } else { SHAPE });
    }
    // A Textual app's or widget's own object, named in the statements, may be changed by
    // them: only the app's thread may touch it.
    let receiver_on_the_loop = || {
        let Stmt::ClassDef(class) = top else {
            return false;
        };
        let derives_from_ui = class.bases().iter().any(|base| {
            checker
                .model
                .path_of(base)
                .is_some_and(|path| catalog::is_ui_class_on_the_loop(&path))
        });
        derives_from_ui
            && ast_query::receiver_name(function)
                .is_some_and(|receiver| body.loads.contains(&receiver))
    };
    if calls_the_loop(checker, statements, shared, &group) || receiver_on_the_loop() {
        return Err(LOOP_BOUND);
    }
    // What a thread-bound object gives (a cursor's rows) is kept from it: a value built
    // from it goes nowhere. A file's contents are plain values: only the file must stay.
    let escapes = |value: &&Expr| match shared {
        Shared::ThreadBound => names_in(value).iter().any(|name| group.contains(name)),
        Shared::File => {
            matches!(value, Expr::Name(name) if group.contains(&name.id.as_str()))
                || shared.holds(checker, value)
        }
    };
    if body.stored_away.iter().any(escapes) {
        return Err(ESCAPES);
    }

    // Parameters: the coroutine's locals the statements read that are bound before them.
    // Results: the locals they bind that are read anywhere else in the coroutine.
    let bound_before = |name: &str| {
        scope.parameters.contains(&name)
            || scope
                .bound
                .iter()
                .any(|(bound, at)| *bound == name && *at < span.start())
    };
    let is_local = |name: &str| {
        scope.parameters.contains(&name)
            || scope.bound.iter().any(|(bound, _)| *bound == name)
            || scope.handler_names.contains(&name)
    };
    let read_elsewhere = |name: &str| {
        scope.names.iter().any(|(read, at, ctx)| {
            *read == name && *ctx == ExprContext::Load && !span.contains_range(*at)
        })
    };
    // Bound whichever way the coroutine came to the statements.
    let bound_on_entry = |name: &str| {
        scope.parameters.contains(&name) || bound_on_every_path(&path, span.start(), name)
    };
    let mut results: Vec<&str> = Vec::new();
    for (name, _, definite) in &body.stores {
        if results.contains(name) || !is_local(name) || !read_elsewhere(name) {
            continue;
        }
        // Read before the statements that end the coroutine: a closure may still read it.
        if returns_at_end {
            return Err(JUMPS);
        }
        if group.contains(name) {
            return Err(ESCAPES);
        }
        // A result that may stay unbound would turn the helper's `return` into an error.
        if !definite && !bound_on_entry(name) {
            return Err(SHAPE);
        }
        results.push(name);
    }
    let mut parameters: Vec<&str> = Vec::new();
    let stored_in_span = |name: &str| {
        body.stores.iter().any(|(stored, _, _)| *stored == name)
            || body.handler_names.contains(&name)
    };
    // A result the statements always bind needs no value passed in (`body = f.read()`).
    let stored_definitely = |name: &str| {
        body.stores
            .iter()
            .any(|(stored, _, definite)| *stored == name && *definite)
    };
    let passed_through = results.iter().filter(|name| !stored_definitely(name));
    for name in body.loads.iter().chain(passed_through) {
        if parameters.contains(name) || !is_local(name) {
            continue;
        }
        if bound_before(name) {
            // Passed while unbound, it would raise where the statements may never read it.
            if !bound_on_entry(name) {
                return Err(SHAPE);
            }
            parameters.push(name);
        } else if !stored_in_span(name) {
            return Err(SHAPE);
        }
    }
    // The coroutine's own parameters first, in its order (`self` leads), then its other
    // locals as the statements first read them.
    let position = |name: &&str| {
        scope
            .parameters
            .iter()
            .position(|parameter| parameter == name)
            .unwrap_or(usize::MAX)
    };
    parameters.sort_by_key(position);

    let source = checker.source_text();
    let text = Layout::new(source, function, top, span)?;
    let helper_name = unused_name(checker, owner, function.name.as_str());
    let newline = if module_names(checker, |names| names.crlf) {
        "\r\n"
    } else {
        "\n"
    };
    let body_text = text.reindented(source, newline, &body)?;
    let mut helper = format!(
        "def {helper_name}({}):{newline}{body_text}{newline}",
        parameters.join(", ")
    );
    if !results.is_empty() {
        helper.push_str(&format!(
            "{}return {}{newline}",
            text.unit,
            results.join(", ")
        ));
    }
    helper.push_str(newline);
    helper.push_str(newline);
    let mut call_text = runner
        .spell(checker, &helper_name, &parameters.join(", "), false)
        .ok_or(SHAPE)?;
    if !results.is_empty() {
        call_text = format!("{} = {call_text}", results.join(", "));
    } else if returns_at_end {
        call_text = format!("return {call_text}");
    }
    let message = shared.message(&helper_name);
    Ok(runner.fix(
        message,
        vec![
            Edit::insertion(helper, text.top_line_start),
            Edit::replacement(call_text, TextRange::new(span.start(), text.end)),
        ],
    ))
}

enum Root<'a> {
    /// The object is bound to this local name.
    Name(&'a str),
    /// Made and used within one expression (`sqlite3.connect(p).execute(q)`).
    Unnamed,
    /// Stored on an attribute or in a container.
    Stored,
}

/// The name the object of `call` is bound to: the receiver chain's name, or the target the
/// call's result is assigned to when the call makes the object.
fn root_name<'a>(checker: &Checker<'a, '_>, call: &'a ast::ExprCall, shared: Shared) -> Root<'a> {
    if let Expr::Attribute(attribute) = &*call.func
        && shared.holds(checker, &attribute.value)
    {
        return match chain_root(&attribute.value) {
            Some(name) => Root::Name(name),
            None if chain_starts_with_call(&attribute.value) => {
                // `sqlite3.connect(p).execute(q)`: the object made in this expression.
                bound_result(checker, call)
            }
            None => Root::Stored,
        };
    }
    bound_result(checker, call)
}

/// Where the value of the outermost call of the chain `call` belongs to goes.
fn bound_result<'a>(checker: &Checker<'a, '_>, call: &'a ast::ExprCall) -> Root<'a> {
    // Only the call that makes the object, directly bound, names it.
    if checker.parent_expression().is_some() {
        return Root::Unnamed;
    }
    match checker.current_statement() {
        Some(Stmt::Assign(assign)) if assign.value.range() == call.range() => {
            match assign.targets.as_slice() {
                [Expr::Name(name)] => Root::Name(name.id.as_str()),
                _ => Root::Stored,
            }
        }
        Some(Stmt::AnnAssign(assign))
            if assign
                .value
                .as_ref()
                .is_some_and(|v| v.range() == call.range()) =>
        {
            match &*assign.target {
                Expr::Name(name) => Root::Name(name.id.as_str()),
                _ => Root::Stored,
            }
        }
        Some(Stmt::With(with)) => {
            match with
                .items
                .iter()
                .find(|item| item.context_expr.range() == call.range())
            {
                Some(item) => match item.optional_vars.as_deref() {
                    Some(Expr::Name(name)) => Root::Name(name.id.as_str()),
                    Some(_) => Root::Stored,
                    None => Root::Unnamed,
                },
                None => Root::Unnamed,
            }
        }
        Some(Stmt::Expr(_)) => Root::Unnamed,
        _ => Root::Stored,
    }
}

fn chain_starts_with_call(expr: &Expr) -> bool {
    let mut expr = expr;
    loop {
        match expr {
            Expr::Attribute(attribute) => expr = &attribute.value,
            Expr::Call(call) => match &*call.func {
                Expr::Attribute(attribute) => expr = &attribute.value,
                _ => return true,
            },
            _ => return false,
        }
    }
}

fn names_in(expr: &Expr) -> Vec<&str> {
    struct Names<'a>(Vec<&'a str>, usize);
    impl<'a> Visitor<'a> for Names<'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.1 >= MAX_NESTING {
                return;
            }
            if let Expr::Name(name) = expr {
                self.0.push(name.id.as_str());
            }
            self.1 += 1;
            visitor::walk_expr(self, expr);
            self.1 -= 1;
        }
    }
    let mut names = Names(Vec::new(), 0);
    names.visit_expr(expr);
    names.0
}

/// Whether `name` is bound on every path to `start`, the first moved statement, on the
/// blocks of `path` (from [`block_path`]; the function's parameters aside): a statement
/// before it in one of those blocks that always binds it (`x = ...`, an import, a
/// `def`, a `with ... as x` that has ended), or the statement holding it (`for x in ...:`,
/// `with ... as x:`, `except ... as x:`).
fn bound_on_every_path(path: &[(&[Stmt], usize)], start: TextSize, name: &str) -> bool {
    let named = |target: &Expr| {
        let mut names = Vec::new();
        ast_query::target_names(target, &mut names);
        names.contains(&name)
    };
    let binds = |stmt: &Stmt| match stmt {
        Stmt::Assign(assign) => assign.targets.iter().any(named),
        Stmt::AnnAssign(assign) => assign.value.is_some() && named(&assign.target),
        Stmt::Import(import) => import.names.iter().any(|alias| {
            let bound = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
            bound.split('.').next() == Some(name)
        }),
        Stmt::ImportFrom(import) => import
            .names
            .iter()
            .any(|alias| alias.asname.as_ref().unwrap_or(&alias.name).as_str() == name),
        Stmt::FunctionDef(def) => def.name.as_str() == name,
        Stmt::ClassDef(class) => class.name.as_str() == name,
        Stmt::With(with) => with
            .items
            .iter()
            .any(|item| item.optional_vars.as_deref().is_some_and(named)),
        _ => false,
    };
    path.iter().any(|&(block, index)| {
        let holder = &block[index];
        block
            .iter()
            .take_while(|stmt| stmt.end() <= start)
            .any(binds)
            || (holder.start() < start
                && match holder {
                    Stmt::For(for_stmt) => {
                        ast_query::body_holds(&for_stmt.body, TextRange::empty(start))
                            && named(&for_stmt.target)
                    }
                    Stmt::With(with) => with
                        .items
                        .iter()
                        .any(|item| item.optional_vars.as_deref().is_some_and(named)),
                    Stmt::Try(try_stmt) => try_stmt.handlers.iter().any(|handler| {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        ast_query::body_holds(&handler.body, TextRange::empty(start))
                            && handler
                                .name
                                .as_ref()
                                .is_some_and(|bound| bound.as_str() == name)
                    }),
                    _ => false,
                })
    })
}

/// Every block from the function's body down to the statement holding `offset`, with the
/// index of the statement on the way.
fn block_path(body: &[Stmt], offset: TextSize) -> Vec<(&[Stmt], usize)> {
    let mut path = Vec::new();
    let mut block = body;
    for _ in 0..MAX_NESTING {
        let Some(index) = block
            .iter()
            .position(|stmt| stmt.range().contains_inclusive(offset))
        else {
            break;
        };
        path.push((block, index));
        let stmt = &block[index];
        // Not into a nested function or class (another scope), nor a `match` case.
        if matches!(
            stmt,
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) | Stmt::Match(_)
        ) {
            break;
        }
        match ast_query::blocks_of(stmt)
            .into_iter()
            .find(|block| block.iter().any(|s| s.range().contains_inclusive(offset)))
        {
            Some(next) => block = next,
            None => break,
        }
    }
    path
}

/// What the coroutine binds and mentions, outside its nested scopes' own locals.
#[derive(Default)]
struct FunctionScope<'a> {
    parameters: Vec<&'a str>,
    /// Names bound in the function's own scope, where.
    bound: Vec<(&'a str, TextSize)>,
    /// `name = value` with a plain name target.
    assignments: Vec<(&'a str, &'a Expr)>,
    /// Every name mention (nested scopes included: a closure reads the function's locals).
    names: Vec<(&'a str, TextRange, ExprContext)>,
    /// The names a `global` or `nonlocal` statement of the function's own scope declares.
    declared_outer: Vec<&'a str>,
    /// The names `except ... as name` binds: locals deleted when the handler ends, so bound
    /// for none of the statements after it.
    handler_names: Vec<&'a str>,
    /// The names the lambdas and comprehensions being visited bind for themselves.
    shadowed: Vec<&'a str>,
    nesting: usize,
    depth: usize,
}

impl<'a> FunctionScope<'a> {
    fn collect(function: &'a ast::StmtFunctionDef) -> Self {
        let mut scope = Self::default();
        for parameter in function.parameters.iter() {
            scope.parameters.push(parameter.name().as_str());
        }
        scope.visit_body(&function.body);
        scope
    }
}

impl<'a> Visitor<'a> for FunctionScope<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.depth >= MAX_NESTING {
            return;
        }
        match stmt {
            Stmt::Global(ast::StmtGlobal { names, .. })
            | Stmt::Nonlocal(ast::StmtNonlocal { names, .. })
                if self.nesting == 0 =>
            {
                self.declared_outer
                    .extend(names.iter().map(|name| name.as_str()));
            }
            Stmt::FunctionDef(def) if self.nesting == 0 => {
                self.bound.push((def.name.as_str(), def.start()));
            }
            Stmt::ClassDef(class) if self.nesting == 0 => {
                self.bound.push((class.name.as_str(), class.start()));
            }
            Stmt::Import(import) if self.nesting == 0 => {
                for alias in &import.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name);
                    let first = name.as_str().split('.').next().unwrap_or_default();
                    self.bound.push((first, alias.start()));
                }
            }
            Stmt::ImportFrom(import) if self.nesting == 0 => {
                for alias in &import.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.bound.push((name.as_str(), alias.start()));
                }
            }
            Stmt::Assign(assign) if self.nesting == 0 => {
                if let [Expr::Name(target)] = assign.targets.as_slice() {
                    self.assignments.push((target.id.as_str(), &assign.value));
                }
            }
            Stmt::Try(try_stmt) if self.nesting == 0 => {
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    if let Some(name) = &handler.name {
                        self.handler_names.push(name.as_str());
                    }
                }
            }
            _ => {}
        }
        let nested = matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_));
        self.nesting += usize::from(nested);
        self.depth += 1;
        visitor::walk_stmt(self, stmt);
        self.depth -= 1;
        self.nesting -= usize::from(nested);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.depth >= MAX_NESTING {
            return;
        }
        if let Expr::Name(name) = expr
            && !self.shadowed.contains(&name.id.as_str())
        {
            self.names.push((name.id.as_str(), name.range(), name.ctx));
            if name.ctx != ExprContext::Load && self.nesting == 0 {
                self.bound.push((name.id.as_str(), name.start()));
            }
        }
        // A walrus in a comprehension binds in the function: kept by visiting it at the
        // function's level.
        if let Expr::Named(named) = expr
            && let Expr::Name(name) = &*named.target
            && self.nesting > 0
        {
            self.bound.push((name.id.as_str(), name.start()));
        }
        let nested = names_of_own_scope(expr).is_some();
        self.nesting += usize::from(nested);
        self.depth += 1;
        if !walk_own_scope(self, expr, |scope| &mut scope.shadowed) {
            visitor::walk_expr(self, expr);
        }
        self.depth -= 1;
        self.nesting -= usize::from(nested);
    }
}

/// Walks `expr` when it is a lambda or a comprehension, what it evaluates in the enclosing
/// scope first (a lambda's defaults, a comprehension's first iterable: `[d for d in d]`),
/// then the rest with the names it binds for itself in the visitor's `shadowed` list, taken
/// off again after. Whether it was one (else the caller walks it).
fn walk_own_scope<'a, V: Visitor<'a>>(
    visitor: &mut V,
    expr: &'a Expr,
    shadowed: impl Fn(&mut V) -> &mut Vec<&'a str>,
) -> bool {
    let Some(own) = names_of_own_scope(expr) else {
        return false;
    };
    let outside = shadowed(visitor).len();
    match expr {
        Expr::Lambda(lambda) => {
            if let Some(parameters) = &lambda.parameters {
                for default in parameters
                    .iter()
                    .filter_map(|parameter| parameter.default())
                {
                    visitor.visit_expr(default);
                }
            }
            shadowed(visitor).extend(own);
            visitor.visit_expr(&lambda.body);
        }
        Expr::DictComp(ast::ExprDictComp {
            key,
            value,
            generators,
            ..
        }) => {
            let elements: Vec<&Expr> = key.as_deref().into_iter().chain([&**value]).collect();
            walk_comprehension(visitor, &elements, generators, own, &shadowed);
        }
        _ => {
            if let Some((element, generators)) = ast_query::element_comprehension(expr) {
                walk_comprehension(visitor, &[element], generators, own, &shadowed);
            }
        }
    }
    shadowed(visitor).truncate(outside);
    true
}

fn walk_comprehension<'a, V: Visitor<'a>>(
    visitor: &mut V,
    elements: &[&'a Expr],
    generators: &'a [ast::Comprehension],
    own: Vec<&'a str>,
    shadowed: &impl Fn(&mut V) -> &mut Vec<&'a str>,
) {
    if let Some(first) = generators.first() {
        visitor.visit_expr(&first.iter);
    }
    shadowed(visitor).extend(own);
    for element in elements {
        visitor.visit_expr(element);
    }
    for (index, generator) in generators.iter().enumerate() {
        visitor.visit_expr(&generator.target);
        if index > 0 {
            visitor.visit_expr(&generator.iter);
        }
        for condition in &generator.ifs {
            visitor.visit_expr(condition);
        }
    }
}

/// The names a lambda or a comprehension binds in a scope of its own (its parameters, its
/// loop targets): mentions of them there are not the function's; `None` for other
/// expressions.
fn names_of_own_scope(expr: &Expr) -> Option<Vec<&str>> {
    let mut names = Vec::new();
    match expr {
        Expr::Lambda(lambda) => {
            for parameter in lambda
                .parameters
                .iter()
                .flat_map(|parameters| parameters.iter())
            {
                names.push(parameter.name().as_str());
            }
        }
        Expr::ListComp(ast::ExprListComp { generators, .. })
        | Expr::SetComp(ast::ExprSetComp { generators, .. })
        | Expr::DictComp(ast::ExprDictComp { generators, .. })
        | Expr::Generator(ast::ExprGenerator { generators, .. }) => {
            for generator in generators {
                ast_query::target_names(&generator.target, &mut names);
            }
        }
        _ => return None,
    }
    Some(names)
}

/// What a call of `path` does to the state of the thread that makes it, which a worker
/// thread does not share ([`catalog::ThreadState`]); `statement`: whether the call is a
/// statement of its own, its value dropped, asked only of a context variable set, which
/// counts only then: a set whose token is kept is undone with it by the code that holds
/// the token.
pub(crate) fn call_thread_state(
    path: &str,
    statement: impl FnOnce() -> bool,
) -> Option<catalog::ThreadState> {
    let &(_, state) = catalog::THREAD_STATE_CALLS
        .iter()
        .find(|(called, _)| *called == path)?;
    (state != catalog::ThreadState::ContextVariable || statement()).then_some(state)
}

/// Whether `attribute` is one of thread-local storage (`_state.user`, `self._local.session`).
pub(crate) fn on_thread_local(checker: &Checker, attribute: &ast::ExprAttribute) -> bool {
    let Some(locals) = checker.thread_locals.as_deref() else {
        return false;
    };
    locals.may_hold(&attribute.value)
        && checker
            .model
            .type_of(&attribute.value)
            .is_some_and(|type_name| is_thread_local(checker.model.module, &type_name))
}

/// Whether `statements` call an asyncio API or an object only the loop's thread may use
/// (`event.set()`, `loop.call_soon`): run in a worker thread, they would break the loop.
/// So do statements that keep state on the loop's thread (thread-local storage, a context
/// variable set, a signal handler: [`catalog::ThreadState`]): run in a worker thread, they
/// would act on that thread's. Around a file, which is moved for speed and not because it
/// must, a call the module cannot name (`self.changed.set()` on an attribute of unknown
/// type) counts too, unless it is made on the file itself.
fn calls_the_loop(checker: &Checker, statements: &[Stmt], shared: Shared, group: &[&str]) -> bool {
    ast_query::walk_body_shallow(statements, &mut |node| {
        let touches_loop = match node {
            // `var.set(value)` with its token dropped: set for the code after the statements.
            ast_query::Node::Stmt(Stmt::Expr(statement)) => matches!(
                &*statement.value,
                Expr::Call(call) if checker
                    .model
                    .call_path(call)
                    .is_some_and(|path| call_thread_state(&path, || true).is_some())
            ),
            ast_query::Node::Expr(Expr::Call(call)) => match checker.model.call_path(call) {
                Some(path) => {
                    path.starts_with("asyncio.")
                        || catalog::is_loop_affine(&path)
                        || call_thread_state(&path, || false).is_some()
                }
                None => {
                    matches!(shared, Shared::File)
                        && chain_root(&call.func).is_none_or(|root| !group.contains(&root))
                }
            },
            ast_query::Node::Expr(Expr::Attribute(attribute)) => {
                on_thread_local(checker, attribute)
            }
            _ => false,
        };
        if touches_loop {
            ast_query::Walk::Stop
        } else {
            ast_query::Walk::Descend
        }
    })
}

/// What the run of statements does that decides whether it can move.
#[derive(Default)]
struct SpanFacts<'a> {
    awaits: bool,
    /// A `break` or `continue` out of the statements.
    jumps: bool,
    /// A `return` of the coroutine among the statements.
    returns: bool,
    /// Something a module-level helper cannot reproduce (`super()`, `yield`).
    unsupported: bool,
    /// A `__private` name, which the class body would have mangled.
    mangled: bool,
    /// Values stored on attributes or in containers, or returned by the coroutine.
    stored_away: Vec<&'a Expr>,
    /// Names read, in order of first appearance (own scope and nested ones).
    loads: Vec<&'a str>,
    /// Names bound in the statements' own scope, and whether on every path through them.
    stores: Vec<(&'a str, TextSize, bool)>,
    /// Names `except ... as name` binds in the statements' own scope.
    handler_names: Vec<&'a str>,
    /// The names the lambdas and comprehensions being visited bind for themselves.
    shadowed: Vec<&'a str>,
    /// Multi-line string literals (moved text whose indentation must not change).
    multiline_strings: Vec<TextRange>,
    loops: usize,
    conditional: usize,
    nesting: usize,
    depth: usize,
}

impl<'a> Visitor<'a> for SpanFacts<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.depth >= MAX_NESTING {
            self.unsupported = true;
            return;
        }
        let nested = matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_));
        match stmt {
            Stmt::Return(ret) if self.nesting == 0 => {
                self.returns = true;
                if let Some(value) = &ret.value {
                    self.stored_away.push(value);
                }
            }
            Stmt::Break(_) | Stmt::Continue(_) if self.nesting == 0 && self.loops == 0 => {
                self.jumps = true;
            }
            Stmt::With(with) if with.is_async && self.nesting == 0 => self.awaits = true,
            Stmt::For(for_stmt) if for_stmt.is_async && self.nesting == 0 => self.awaits = true,
            Stmt::Global(_) | Stmt::Nonlocal(_) => self.unsupported = true,
            Stmt::Assign(assign)
                if assign
                    .targets
                    .iter()
                    .any(|target| matches!(target, Expr::Attribute(_) | Expr::Subscript(_))) =>
            {
                self.stored_away.push(&assign.value);
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value
                    && matches!(&*assign.target, Expr::Attribute(_) | Expr::Subscript(_))
                {
                    self.stored_away.push(value);
                }
            }
            Stmt::AugAssign(assign) => {
                if matches!(&*assign.target, Expr::Attribute(_) | Expr::Subscript(_)) {
                    self.stored_away.push(&assign.value);
                }
            }
            Stmt::FunctionDef(def) if self.nesting == 0 => {
                self.store(def.name.as_str(), def.start());
            }
            Stmt::ClassDef(class) if self.nesting == 0 => {
                self.store(class.name.as_str(), class.start());
            }
            Stmt::Import(_) | Stmt::ImportFrom(_) if self.nesting == 0 => {
                // Imports inside the run stay local to the helper; read after it they would
                // need returning: not worth the shape.
                self.unsupported = true;
            }
            _ => {}
        }
        let (looping, branching) = match stmt {
            Stmt::For(_) | Stmt::While(_) => (1, 1),
            Stmt::If(_) | Stmt::Match(_) => (0, 1),
            // A handler runs only on some paths; the try body may stop part-way, but then
            // the exception leaves the helper as it left the statements.
            _ => (0, 0),
        };
        self.loops += looping;
        self.conditional += branching;
        self.nesting += usize::from(nested);
        self.depth += 1;
        if let Stmt::Try(try_stmt) = stmt {
            self.visit_body(&try_stmt.body);
            self.conditional += 1;
            for handler in &try_stmt.handlers {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                // Deleted when the handler ends: never a result of the statements.
                if let Some(name) = &handler.name
                    && self.nesting == 0
                {
                    self.handler_names.push(name.as_str());
                }
                if let Some(type_) = &handler.type_ {
                    self.visit_expr(type_);
                }
                self.visit_body(&handler.body);
            }
            self.visit_body(&try_stmt.orelse);
            self.conditional -= 1;
            self.visit_body(&try_stmt.finalbody);
        } else {
            visitor::walk_stmt(self, stmt);
        }
        self.depth -= 1;
        self.nesting -= usize::from(nested);
        self.loops -= looping;
        self.conditional -= branching;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.depth >= MAX_NESTING {
            self.unsupported = true;
            return;
        }
        match expr {
            Expr::Await(_) => self.awaits = true,
            Expr::Yield(_) | Expr::YieldFrom(_) => self.unsupported = true,
            comprehension
                if ast_query::comprehension_generators(comprehension).is_some_and(
                    |generators| generators.iter().any(|generator| generator.is_async),
                ) =>
            {
                self.awaits = true;
            }
            Expr::Name(name) => {
                let id = name.id.as_str();
                if id == "super" || id == "__class__" {
                    self.unsupported = true;
                }
                if id.starts_with("__") && !id.ends_with("__") {
                    self.mangled = true;
                }
                match name.ctx {
                    _ if self.shadowed.contains(&id) => {}
                    ExprContext::Load if !self.loads.contains(&id) => self.loads.push(id),
                    ExprContext::Load => {}
                    _ if self.nesting == 0 => self.store(id, name.start()),
                    _ => {}
                }
            }
            Expr::Attribute(attribute) => {
                let attr = attribute.attr.as_str();
                if attr.starts_with("__") && !attr.ends_with("__") {
                    self.mangled = true;
                }
            }
            Expr::StringLiteral(_) | Expr::BytesLiteral(_) | Expr::FString(_) => {
                self.multiline_strings.push(expr.range());
            }
            Expr::Named(named) => {
                if let Expr::Name(name) = &*named.target {
                    self.store(name.id.as_str(), name.start());
                }
            }
            _ => {}
        }
        let nested = names_of_own_scope(expr).is_some();
        self.nesting += usize::from(nested);
        self.depth += 1;
        if !walk_own_scope(self, expr, |facts| &mut facts.shadowed) {
            visitor::walk_expr(self, expr);
        }
        self.depth -= 1;
        self.nesting -= usize::from(nested);
    }
}

impl<'a> SpanFacts<'a> {
    fn store(&mut self, name: &'a str, at: TextSize) {
        self.stores.push((name, at, self.conditional == 0));
    }
}

/// Where the moved text starts and how it is indented.
struct Layout {
    /// The start of the line of the module-level statement the helper goes before.
    top_line_start: TextSize,
    /// The start of the first moved line.
    line_start: TextSize,
    /// The end of the moved statements.
    end: TextSize,
    /// The indentation of the moved statements.
    block_indent: String,
    /// One level of indentation in this file.
    unit: String,
}

impl Layout {
    fn new(
        source: &str,
        function: &ast::StmtFunctionDef,
        top: &Stmt,
        span: TextRange,
    ) -> Result<Self, &'static str> {
        let line_start_of = |offset: TextSize| -> usize {
            let offset = offset.to_usize().min(source.len());
            source[..offset].rfind(['\n', '\r']).map_or(0, |at| at + 1)
        };
        let indent_before = |offset: TextSize| -> Option<&str> {
            let start = line_start_of(offset);
            let indent = source.get(start..offset.to_usize())?;
            indent
                .chars()
                .all(|c| c == ' ' || c == '\t')
                .then_some(indent)
        };
        let block_indent = indent_before(span.start()).ok_or(SHAPE)?;
        // The first statement of the run must start its line and the last end it (no `;`).
        let rest = source.get(span.end().to_usize()..).unwrap_or("");
        let rest = rest.split(['\n', '\r']).next().unwrap_or("");
        if !(rest.trim().is_empty() || rest.trim_start().starts_with('#')) {
            return Err(SHAPE);
        }
        // A comment at the end of the last line goes with the statements it explains.
        let end = span.end() + TextSize::try_from(rest.trim_end().len()).map_err(|_| SHAPE)?;
        let def_indent = function
            .decorator_list
            .first()
            .map_or(function.start(), |decorator| decorator.start());
        let def_indent = indent_before(def_indent).ok_or(SHAPE)?;
        let body_indent = function
            .body
            .first()
            .and_then(|stmt| indent_before(stmt.start()))
            .ok_or(SHAPE)?;
        let unit = body_indent.strip_prefix(def_indent).ok_or(SHAPE)?;
        if unit.is_empty() {
            return Err(SHAPE);
        }
        let top_start = match top {
            Stmt::FunctionDef(def) => def
                .decorator_list
                .first()
                .map_or(def.start(), |decorator| decorator.start()),
            Stmt::ClassDef(class) => class
                .decorator_list
                .first()
                .map_or(class.start(), |decorator| decorator.start()),
            _ => top.start(),
        };
        Ok(Self {
            top_line_start: TextSize::try_from(line_start_of(top_start)).map_err(|_| SHAPE)?,
            line_start: TextSize::try_from(line_start_of(span.start())).map_err(|_| SHAPE)?,
            end,
            block_indent: block_indent.to_string(),
            unit: unit.to_string(),
        })
    }

    /// The moved statements, indented one level for the helper's body.
    fn reindented(
        &self,
        source: &str,
        newline: &str,
        facts: &SpanFacts,
    ) -> Result<String, &'static str> {
        let text = source
            .get(self.line_start.to_usize()..self.end.to_usize())
            .ok_or(SHAPE)?;
        if self.block_indent == self.unit {
            return Ok(text.to_string());
        }
        // Re-indenting would change a string that spans lines.
        if facts
            .multiline_strings
            .iter()
            .any(|range| source[range.to_std_range()].contains(['\n', '\r']))
        {
            return Err(SHAPE);
        }
        let mut lines = Vec::new();
        for line in text.split(newline) {
            if line.trim().is_empty() {
                lines.push(String::new());
            } else if let Some(rest) = line.strip_prefix(self.block_indent.as_str()) {
                lines.push(format!("{}{rest}", self.unit));
            } else {
                return Err(SHAPE);
            }
        }
        Ok(lines.join(newline))
    }
}

/// `_<function>_sync` (`_<class>_<method>_sync`), or with a number when the module already
/// uses that name.
fn unused_name(checker: &Checker, owner: Option<&str>, function: &str) -> String {
    let function = function.trim_start_matches('_');
    let base = match owner {
        Some(owner) => format!("_{}_{function}_sync", owner.trim_start_matches('_')),
        None => format!("_{function}_sync"),
    };
    module_names(checker, |names| {
        if !names.words.contains(base.as_str()) {
            return base.clone();
        }
        (2..)
            .map(|n| format!("{base}_{n}"))
            .find(|name| !names.words.contains(name.as_str()))
            .unwrap_or_else(|| base.clone())
    })
}

/// The name a `def` or a `class` statement defines.
fn defined_name(stmt: &Stmt) -> Option<&str> {
    match stmt {
        Stmt::FunctionDef(def) => Some(def.name.as_str()),
        Stmt::ClassDef(class) => Some(class.name.as_str()),
        _ => None,
    }
}

/// The names more than one `def` or `class` statement of `body` defines.
fn defined_twice(body: &[Stmt]) -> impl Iterator<Item = &str> {
    let mut seen: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    body.iter()
        .filter_map(defined_name)
        .filter(move |name| !seen.insert(name))
}

/// What the extractions ask of the whole module, found once per module.
#[derive(Default)]
struct ModuleNames {
    /// Every word of the module's text that could be a name (in code, strings or comments).
    words: rustc_hash::FxHashSet<Box<str>>,
    /// The names more than one module-level `def` or `class` defines.
    defined_again: rustc_hash::FxHashSet<Box<str>>,
    /// The names more than one `def` or `class` of a module-level class's body defines, with
    /// the class's start.
    defined_again_in_class: rustc_hash::FxHashSet<(TextSize, Box<str>)>,
    /// Its lines end in `\r\n`.
    crlf: bool,
}

/// `ask` of the module's [`ModuleNames`], built at the first extraction of the module.
fn module_names<T>(checker: &Checker, ask: impl FnOnce(&ModuleNames) -> T) -> T {
    let mut kept = checker.rule_state::<Option<ModuleNames>>();
    let names = kept.get_or_insert_with(|| {
        let words = checker
            .source_text()
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|word| !word.is_empty())
            .map(Box::from)
            .collect();
        let body = &checker.module().body;
        let defined_again = defined_twice(body).map(Box::from).collect();
        let defined_again_in_class = body
            .iter()
            .filter_map(|stmt| stmt.as_class_def_stmt())
            .flat_map(|class| defined_twice(&class.body).map(|name| (class.start(), name.into())))
            .collect();
        ModuleNames {
            words,
            defined_again,
            defined_again_in_class,
            crlf: checker.source_text().contains("\r\n"),
        }
    });
    ask(names)
}
