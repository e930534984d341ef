//! The names a body reads, computed once per body so "is this assignment ever read?" stays
//! linear however many assignments a body has.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextSize};

use crate::source::MAX_NESTING;

/// The names a body reads (loads), nested functions included, each with how it is read
/// ([`USED_WHOLE`], [`TAKEN_FROM`], [`AS_RESULT`]) and whether it is bound more than once
/// ([`REBOUND`]): one map, so a read costs one lookup, not one per set.
pub struct NamesRead<'a> {
    names: rustc_hash::FxHashMap<&'a str, u8>,
    /// `locals()`, `vars()`, `eval`, `exec`, `global`/`nonlocal`: reads that cannot be
    /// followed, so every name counts as read.
    everything: bool,
}

impl<'a> NamesRead<'a> {
    pub fn collect(body: &'a [Stmt]) -> Self {
        let mut collector = NamesReadCollector {
            bodies: vec![Self::sized_for(body)],
            finished: None,
            nesting: 0,
            truncated: false,
        };
        collector.visit_body(body);
        collector
            .bodies
            .pop()
            .unwrap_or_else(|| unreachable!("the body's own reads stay on the stack"))
    }

    /// The reads of the module's body and of every function body in it (keyed by where the
    /// body starts), in one walk of the module: what [`NamesRead::collect`] gives for each
    /// of them, the reads of a function's body being those of the body around it too. Asked
    /// once the module's body is: that walk covers every function already, and collecting a
    /// function's body again for its own questions walked it once more (a third of the
    /// names-read walks of the benchmark corpus). `None` where the walk met the nesting
    /// limit, which each body's own walk counts from that body's start.
    pub fn collect_all(module_body: &'a [Stmt]) -> Option<Vec<(TextSize, Self)>> {
        let mut collector = NamesReadCollector {
            bodies: vec![Self::sized_for(module_body)],
            finished: Some(Vec::new()),
            nesting: 0,
            truncated: false,
        };
        collector.visit_body(module_body);
        if collector.truncated {
            return None;
        }
        let mut finished = collector.finished.unwrap_or_default();
        let module = collector.bodies.pop()?;
        finished.push((body_start(module_body), module));
        Some(finished)
    }

    /// An empty set of reads for `body`, sized up front from the body's length (about one
    /// distinct name read per 32 bytes of Python): growing the set from empty, rehashing at
    /// every doubling, cost as much as the walk.
    fn sized_for(body: &[Stmt]) -> Self {
        let length = match (body.first(), body.last()) {
            (Some(first), Some(last)) => (last.end() - first.start()).to_usize(),
            _ => 0,
        };
        Self {
            names: rustc_hash::FxHashMap::with_capacity_and_hasher(length / 32, Default::default()),
            everything: false,
        }
    }

    /// Adds the reads of a body nested in this one (a function's, to its enclosing body's).
    /// A name both bind counts as bound again: through `nonlocal` it may be the same one.
    fn absorb(&mut self, nested: &Self) {
        self.everything |= nested.everything;
        for (&name, &how) in &nested.names {
            let own = self.names.entry(name).or_default();
            if *own & how & BOUND != 0 {
                *own |= REBOUND;
            }
            *own |= how;
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.everything || self.read_as(name, READ)
    }

    /// Records a read of `name`, of the kinds `how` says (0: only for a member, to fill it).
    fn read(&mut self, name: &'a str, how: u8) {
        *self.names.entry(name).or_default() |= how | READ;
    }

    /// Records a binding of `name` (an assignment, a `for` or `with` target, `:=`).
    fn bind(&mut self, name: &'a str) {
        let how = self.names.entry(name).or_default();
        *how |= if *how & BOUND == 0 { BOUND } else { REBOUND };
    }

    /// Whether `name` is read in one of the ways `how` says.
    fn read_as(&self, name: &str, how: u8) -> bool {
        self.names.get(name).is_some_and(|read| read & how != 0)
    }

    /// Whether `name` is read, and only ever as the object of an attribute access or a
    /// subscript (`me.user_id`, `rows[0]`): never passed on, returned, awaited or tested whole.
    pub fn read_only_for_members(&self, name: &str) -> bool {
        !self.everything && self.read_as(name, READ) && !self.read_as(name, USED_WHOLE | TESTED)
    }

    /// Whether what `name` holds is used as a call's result, never as the coroutine the call
    /// may make: read only for its members, or bound once in the body and read somewhere for
    /// a member no coroutine or future has (`roles.insert(0, user)`, `rows[0]`) or iterated
    /// (`for row in rows`), whatever else is done with it. A name bound twice may hold the
    /// awaited value by then (`result = await result`), so only its reads all count.
    pub fn read_as_result(&self, name: &str) -> bool {
        self.read_only_for_members(name)
            || (!self.everything && self.read_as(name, AS_RESULT) && !self.read_as(name, REBOUND))
    }

    /// Whether `name` is read, and only ever to test it (`if x:`, `not x`, `x is not None`),
    /// never passed on, returned, awaited or read for a member: a coroutine kept there is only
    /// ever tested, which it always passes. However often the name is bound (`allowed =
    /// True`, then `allowed = self._check(url)`), no read of it awaits what it holds.
    pub fn read_only_in_tests(&self, name: &str) -> bool {
        !self.everything
            && self.read_as(name, TESTED)
            && !self.read_as(name, USED_WHOLE | TAKEN_FROM | AS_RESULT)
    }

    /// Whether `name` is bound once in the body and iterated on this thread there (`for
    /// order in orders:`, `[o.id for o in orders]`): what it holds is iterated as the value of
    /// the call it was bound to would be, right where it is made.
    pub fn iterated_synchronously(&self, name: &str) -> bool {
        !self.everything && self.read_as(name, ITERATED) && !self.read_as(name, REBOUND)
    }

    /// Whether `name` is read, if at all, only to put values into it (`x.append(v)`,
    /// `x.add(v)`, `x[k] = v`): what it holds is never taken out, passed on or awaited.
    pub fn only_filled(&self, name: &str) -> bool {
        !self.everything && !self.read_as(name, TAKEN_FROM | TESTED)
    }
}

/// Where a body starts: the key of its reads.
pub fn body_start(body: &[Stmt]) -> TextSize {
    body.first().map_or(TextSize::default(), Ranged::start)
}

/// Read other than as the object of an attribute access or a subscript (`x.attr`, `x[0]`):
/// passed, returned, awaited, tested, called.
const USED_WHOLE: u8 = 1;
/// Read other than to put something into it (`x.append(v)`, `x[k] = v`): a collection never
/// read so only ever receives values, nobody takes them out.
const TAKEN_FROM: u8 = 2;
/// Read at all (the map also holds names only bound).
const READ: u8 = 4;
/// Read for a member no coroutine or future has, subscripted or iterated: used as a value.
const AS_RESULT: u8 = 8;
/// Bound in the body, once ([`BOUND`]) or more than once ([`REBOUND`] too).
const BOUND: u8 = 16;
const REBOUND: u8 = 32;
/// Read whole only to test it: `if x:`, `while not x:`, `x is None`, `x == y`.
const TESTED: u8 = 64;
/// Iterated on this thread: the iterable of a plain `for`, or of a comprehension's
/// generator without `async for`.
const ITERATED: u8 = 128;

/// Methods that put a value into a collection and return nothing of what it holds.
const FILLING_METHODS: &[&str] = &["append", "appendleft", "add", "insert"];

/// The local a filling call puts its argument into: `pending` of `pending.append(x)`.
pub(crate) fn filled_collection(call: &ast::ExprCall) -> Option<&str> {
    let Expr::Attribute(ast::ExprAttribute { value, attr, .. }) = &*call.func else {
        return None;
    };
    let Expr::Name(name) = &**value else {
        return None;
    };
    FILLING_METHODS
        .contains(&attr.as_str())
        .then_some(name.id.as_str())
}

/// Members a coroutine object really has: reading them is using the coroutine as one.
const COROUTINE_MEMBERS: &[&str] = &[
    "send",
    "throw",
    "close",
    "cr_await",
    "cr_code",
    "cr_frame",
    "cr_running",
    "cr_origin",
    "__await__",
    "__name__",
    "__qualname__",
];

/// Members of an `asyncio.Future` or `Task`, which some awaitable APIs return instead of a
/// coroutine (`loop.run_in_executor`): reading one is no sign of a value taken for its result.
const FUTURE_MEMBERS: &[&str] = &[
    "add_done_callback",
    "remove_done_callback",
    "result",
    "exception",
    "done",
    "cancelled",
    "cancel",
    "get_loop",
    "get_name",
    "set_name",
    "get_coro",
];

/// The classes a coroutine, a future or another awaitable is an instance of: an
/// `isinstance` test against one of them asks whether a value is awaitable.
const AWAITABLE_CLASS_NAMES: &[&str] = &[
    "Awaitable",
    "Coroutine",
    "CoroutineType",
    "Future",
    "Task",
    "Generator",
    "AsyncGenerator",
];

/// Whether an `isinstance` test's class (or one of a tuple of them) is an awaitable's, by its
/// last name (`collections.abc.Awaitable`, `asyncio.Future`, `types.CoroutineType`).
fn names_an_awaitable(class: &Expr) -> bool {
    match class {
        Expr::Tuple(tuple) => tuple.elts.iter().any(names_an_awaitable),
        Expr::Name(name) => AWAITABLE_CLASS_NAMES.contains(&name.id.as_str()),
        Expr::Attribute(attribute) => AWAITABLE_CLASS_NAMES.contains(&attribute.attr.as_str()),
        _ => true,
    }
}

/// The protocol of an asynchronous context manager, which some awaitable APIs return instead
/// of a coroutine (aiohttp's `session.get(url)` and `ws_connect(url)`, entered by hand with
/// `await ctx.__aenter__()`): reading one is no sign of a value taken for its result.
const ASYNC_CONTEXT_MEMBERS: &[&str] = &["__aenter__", "__aexit__"];

/// Whether reading `attribute` of a value says it was taken for a call's result.
pub(crate) fn is_result_member(attribute: &str) -> bool {
    !COROUTINE_MEMBERS.contains(&attribute)
        && !FUTURE_MEMBERS.contains(&attribute)
        && !ASYNC_CONTEXT_MEMBERS.contains(&attribute)
}

struct NamesReadCollector<'a> {
    /// The reads of the bodies around the current node, innermost last: the body walked,
    /// and, when every function's body is collected too, the functions' bodies within it.
    bodies: Vec<NamesRead<'a>>,
    /// Every function body's reads, once its walk is done, by where the body starts; `None`
    /// when only the body walked is collected.
    finished: Option<Vec<(TextSize, NamesRead<'a>)>>,
    nesting: usize,
    /// The walk met the nesting limit somewhere.
    truncated: bool,
}

impl<'a> NamesReadCollector<'a> {
    /// The reads of the innermost body around the current node.
    fn reads(&mut self) -> &mut NamesRead<'a> {
        self.bodies
            .last_mut()
            .unwrap_or_else(|| unreachable!("the walked body stays on the stack"))
    }

    /// A function's definition when every function's body is collected: its decorators,
    /// parameters and annotations are read by the body around it, its body by itself and
    /// the body around it. The same nodes, in the same order, as `walk_stmt`.
    fn visit_function(&mut self, function: &'a ast::StmtFunctionDef) {
        for decorator in &function.decorator_list {
            self.visit_decorator(decorator);
        }
        if let Some(type_params) = &function.type_params {
            self.visit_type_params(type_params);
        }
        self.visit_parameters(&function.parameters);
        if let Some(returns) = &function.returns {
            self.visit_annotation(returns);
        }
        self.bodies.push(NamesRead::sized_for(&function.body));
        self.visit_body(&function.body);
        let Some(own) = self.bodies.pop() else {
            return;
        };
        self.reads().absorb(&own);
        if let Some(finished) = &mut self.finished {
            finished.push((body_start(&function.body), own));
        }
    }

    /// An expression whose truth or identity is looked at: a bare name there is tested
    /// ([`TESTED`]); anything else is walked as usual.
    fn visit_test(&mut self, test: &'a Expr) {
        match test {
            Expr::Name(name) if name.ctx.is_load() => {
                self.reads().read(name.id.as_str(), TESTED);
            }
            other => self.visit_expr(other),
        }
    }
}

impl<'a> Visitor<'a> for NamesReadCollector<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.nesting >= MAX_NESTING {
            self.truncated = true;
            return;
        }
        if let Stmt::Global(ast::StmtGlobal { names, .. })
        | Stmt::Nonlocal(ast::StmtNonlocal { names, .. }) = stmt
        {
            for name in names {
                self.reads().read(name.as_str(), TAKEN_FROM | REBOUND);
            }
        }
        // `for row in rows`: what `rows` holds is iterated, as a call's result is.
        if let Stmt::For(ast::StmtFor { iter, is_async, .. }) = stmt
            && let Expr::Name(name) = &**iter
        {
            let how = if *is_async {
                AS_RESULT
            } else {
                AS_RESULT | ITERATED
            };
            self.reads().read(name.id.as_str(), how);
        }
        self.nesting += 1;
        match stmt {
            Stmt::FunctionDef(function) if self.finished.is_some() => {
                self.visit_function(function);
            }
            // `if x:`, `while x:`: the name is tested, not used.
            Stmt::If(ast::StmtIf {
                test,
                body,
                elif_else_clauses,
                ..
            }) => {
                self.visit_test(test);
                self.visit_body(body);
                for clause in elif_else_clauses {
                    if let Some(test) = &clause.test {
                        self.visit_test(test);
                    }
                    self.visit_body(&clause.body);
                }
            }
            Stmt::While(ast::StmtWhile {
                test, body, orelse, ..
            }) => {
                self.visit_test(test);
                self.visit_body(body);
                self.visit_body(orelse);
            }
            // `user = None` (a placeholder, a reset in an `except`): a name bound to `None`
            // holds no value of another binding, awaited or not, so it does not count as bound
            // again ([`REBOUND`]). Its other targets (`self.user = user = None`) are stores as
            // usual.
            Stmt::Assign(ast::StmtAssign { targets, value, .. })
                if value.is_none_literal_expr() =>
            {
                for target in targets {
                    if !matches!(target, Expr::Name(_)) {
                        self.visit_expr(target);
                    }
                }
            }
            _ => visitor::walk_stmt(self, stmt),
        }
        self.nesting -= 1;
    }

    /// `f"failed: {x}"`: `x` is formatted, read for its text as a call's result is (a
    /// coroutine formats as `<coroutine object ...>`), not used whole.
    fn visit_interpolated_string_element(&mut self, element: &'a ast::InterpolatedStringElement) {
        if let ast::InterpolatedStringElement::Interpolation(interpolation) = element
            && let Expr::Name(name) = &*interpolation.expression
            && name.ctx.is_load()
        {
            self.reads().read(name.id.as_str(), TAKEN_FROM);
            if let Some(format_spec) = &interpolation.format_spec {
                for spec_element in &format_spec.elements {
                    self.visit_interpolated_string_element(spec_element);
                }
            }
            return;
        }
        visitor::walk_interpolated_string_element(self, element);
    }

    fn visit_comprehension(&mut self, comprehension: &'a ast::Comprehension) {
        if let Expr::Name(name) = &comprehension.iter {
            self.reads().read(name.id.as_str(), AS_RESULT);
        }
        visitor::walk_comprehension(self, comprehension);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.nesting >= MAX_NESTING {
            self.truncated = true;
            return;
        }
        match expr {
            Expr::Name(name) if name.ctx.is_load() => {
                self.reads().read(name.id.as_str(), USED_WHOLE | TAKEN_FROM);
            }
            // `not x`, `x is None`, `x == y`: the names are tested, not used.
            Expr::UnaryOp(ast::ExprUnaryOp {
                op: ast::UnaryOp::Not,
                operand,
                ..
            }) => {
                self.nesting += 1;
                self.visit_test(operand);
                self.nesting -= 1;
                return;
            }
            Expr::Compare(ast::ExprCompare {
                left,
                ops,
                comparators,
                ..
            }) => {
                self.nesting += 1;
                self.visit_test(left);
                for (op, comparator) in ops.iter().zip(comparators) {
                    // `k in pending`: the container is searched, its items looked at.
                    if matches!(op, ast::CmpOp::In | ast::CmpOp::NotIn) {
                        self.visit_expr(comparator);
                    } else {
                        self.visit_test(comparator);
                    }
                }
                self.nesting -= 1;
                return;
            }
            Expr::Name(name) if name.ctx.is_store() => {
                self.reads().bind(name.id.as_str());
            }
            // `x.attr` and `x[i]`: `x` is read for one of its members, not whole. A member of
            // the awaitable's own protocol (`coro.close()`, `ctx.__aenter__()`) uses it whole.
            Expr::Attribute(ast::ExprAttribute { value, attr, .. })
                if !COROUTINE_MEMBERS.contains(&attr.as_str())
                    && !ASYNC_CONTEXT_MEMBERS.contains(&attr.as_str()) =>
            {
                if let Expr::Name(name) = &**value
                    && name.ctx.is_load()
                {
                    let how = if is_result_member(attr.as_str()) {
                        TAKEN_FROM | AS_RESULT
                    } else {
                        TAKEN_FROM
                    };
                    self.reads().read(name.id.as_str(), how);
                    return;
                }
            }
            Expr::Subscript(ast::ExprSubscript {
                value, slice, ctx, ..
            }) => {
                if let Expr::Name(name) = &**value
                    && name.ctx.is_load()
                {
                    let how = if ctx.is_store() {
                        0
                    } else {
                        TAKEN_FROM | AS_RESULT
                    };
                    self.reads().read(name.id.as_str(), how);
                    self.nesting += 1;
                    self.visit_expr(slice);
                    self.nesting -= 1;
                    return;
                }
            }
            // `[r.id for r in rows]`: `rows` is iterated here, as by a plain `for`.
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::Generator(_) | Expr::DictComp(_) => {
                let generators =
                    crate::ast_query::comprehension_generators(expr).unwrap_or_default();
                for generator in generators {
                    if let Expr::Name(name) = &generator.iter
                        && !generator.is_async
                    {
                        self.reads().read(name.id.as_str(), ITERATED);
                    }
                }
            }
            Expr::Call(call) => {
                if let Expr::Name(func) = &*call.func
                    && matches!(func.id.as_str(), "locals" | "vars" | "eval" | "exec")
                {
                    self.reads().everything = true;
                }
                // `isinstance(x, Err)`: what `x` holds is looked at as a result is, for its
                // type, which a coroutine never shares with the classes a call's result may
                // be. A test for an awaitable (`isinstance(x, Awaitable)`) is walked as usual.
                if let Expr::Name(func) = &*call.func
                    && func.id.as_str() == "isinstance"
                    && let [Expr::Name(name), class] = &*call.arguments.args
                    && name.ctx.is_load()
                    && call.arguments.keywords.is_empty()
                    && !names_an_awaitable(class)
                {
                    self.reads().read(name.id.as_str(), TAKEN_FROM);
                    self.nesting += 1;
                    self.visit_expr(class);
                    self.nesting -= 1;
                    return;
                }
                // `logger.info("got %s", x)`, `print(x)`: `x` is formatted into text, read
                // as a call's result is (a coroutine formats as `<coroutine object ...>`),
                // as in an f-string.
                if formats_arguments(call) {
                    self.nesting += 1;
                    self.visit_expr(&call.func);
                    for argument in crate::ast_query::argument_values(&call.arguments) {
                        match argument {
                            Expr::Name(name) if name.ctx.is_load() => {
                                self.reads().read(name.id.as_str(), TAKEN_FROM);
                            }
                            other => self.visit_expr(other),
                        }
                    }
                    self.nesting -= 1;
                    return;
                }
                // `x.append(v)`: `x` is read for a member, only to be filled (which a
                // coroutine has no member for).
                if let Some(name) = filled_collection(call) {
                    self.reads().read(name, AS_RESULT);
                    self.nesting += 1;
                    for argument in crate::ast_query::argument_values(&call.arguments) {
                        self.visit_expr(argument);
                    }
                    self.nesting -= 1;
                    return;
                }
            }
            _ => {}
        }
        self.nesting += 1;
        visitor::walk_expr(self, expr);
        self.nesting -= 1;
    }
}

/// Whether `call` formats its arguments into text and keeps nothing else of them: `print`,
/// or a logger's method (`logger.info(...)`, `_LOGGER.warning(...)`, `self.log.error(...)`:
/// a level method on a receiver whose name says it logs).
fn formats_arguments(call: &ast::ExprCall) -> bool {
    match &*call.func {
        Expr::Name(name) => name.id.as_str() == "print",
        Expr::Attribute(method) => {
            matches!(
                method.attr.as_str(),
                "debug" | "info" | "warning" | "warn" | "error" | "exception" | "critical"
            ) && crate::ast_query::last_identifier(&method.value)
                .is_some_and(|receiver| receiver.to_ascii_lowercase().contains("log"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use ruff_python_ast::statement_visitor::{StatementVisitor, walk_stmt};
    use ruff_python_ast::{self as ast, Stmt};

    use super::{NamesRead, body_start};

    /// Every function body of a module, at any depth.
    fn function_bodies(body: &[Stmt]) -> Vec<&[Stmt]> {
        struct Bodies<'a>(Vec<&'a [Stmt]>);
        impl<'a> StatementVisitor<'a> for Bodies<'a> {
            fn visit_stmt(&mut self, stmt: &'a Stmt) {
                if let Stmt::FunctionDef(ast::StmtFunctionDef { body, .. }) = stmt {
                    self.0.push(body);
                }
                walk_stmt(self, stmt);
            }
        }
        let mut bodies = Bodies(Vec::new());
        bodies.visit_body(body);
        bodies.0
    }

    #[test]
    fn one_walk_of_the_module_reads_what_each_body_reads() {
        let source = r#"
import asyncio
log = make_logger()

@decorate(config)
def outer(a: Annotation = default) -> Returned:
    pending = []
    pending.append(a)
    def inner():
        nonlocal pending
        rows[key] = fetch(a)
        return local_name.attr
    class Holder:
        field = value_in_class
        def method(self):
            return eval("x")
    return inner

class Service(Base):
    async def run(self, session):
        result = await session.get(url)
        return [item for item in result if keep(item)]

    def helper(self):
        global log
        return lambda x: x + offset
"#;
        let parsed = ruff_python_parser::parse_module(source).expect("the sample parses");
        let module = &parsed.syntax().body;
        let every_body = NamesRead::collect_all(module).expect("no nesting limit here");
        let bodies = function_bodies(module);
        assert_eq!(every_body.len(), bodies.len() + 1);
        for body in bodies.into_iter().chain(std::iter::once(module.as_slice())) {
            let alone = NamesRead::collect(body);
            let (_, together) = every_body
                .iter()
                .find(|(start, _)| *start == body_start(body))
                .expect("every body is collected");
            assert_eq!(alone.names, together.names);
            assert_eq!(alone.everything, together.everything);
        }
    }
}
