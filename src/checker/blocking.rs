//! Whether a call is a blocking API, after the configuration (`blocking-calls`,
//! `async-safe-calls`) and the non-blocking forms. Asked once per call by the walk; the
//! answer feeds both the single-function rules (LW101, LW102, LW105) and the summary.

use ruff_python_ast::comparable::ComparableExpr;
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::Checker;
use crate::catalog::{self, Blocking, BlockingApi};
use crate::semantic::Resolved;

/// The blocking API `call` (to `path`) is, after the configuration (`blocking-calls`,
/// `async-safe-calls`) and the non-blocking forms: shared with the whole-project summary.
pub fn applicable_api(checker: &Checker, call: &ast::ExprCall, path: &str) -> Option<BlockingApi> {
    if checker
        .settings
        .async_safe_calls
        .iter()
        .any(|safe| safe == path)
    {
        return None;
    }
    let user_listed = checker
        .settings
        .blocking_calls
        .iter()
        .any(|listed| listed == path);
    let api = match catalog::blocking_api(path) {
        Some(api) => *api,
        None if user_listed => BlockingApi {
            category: Blocking::Io,
            alternative: None,
            non_blocking_flag: None,
            needs_file_argument: false,
            in_memory_prefix: None,
            buffer_argument: None,
        },
        None => return None,
    };
    // `Order.objects.filter(...)` builds a queryset: its query runs where it is iterated,
    // here or, returned by a sync function, by the callers that iterate its result (the
    // function's summary says so: `returns_lazy_query`).
    if catalog::blocks_when_iterated(path)
        && !checker.iterates_synchronously_where_made(call)
        && !checker.returned_by_sync_function(call)
    {
        return None;
    }
    if is_non_blocking_form(checker, call, &api)
        || puts_on_unbounded_queue(checker, call, path)
        || connects_datagram_socket(checker, call, path)
        || gets_after_emptiness_check(checker, call, path)
        || uses_a_settled_object(checker, call, path)
        || (path.starts_with("socket.socket.")
            && super::nonblocking_sockets::treated_as_non_blocking(checker, call))
        || (path.starts_with("serial.Serial.")
            && super::nonblocking_sockets::serial_ports_polled(checker))
        || on_file_opened_here(checker, call, path)
        || handed_a_file_opened_here(checker, call, &api)
        || (api.needs_file_argument && !first_argument_is_file(checker, call))
        || works_in_memory(checker, call, &api)
        || on_memory_buffer(checker, call, &api)
        || awaited_method_of_typed_value(checker, call)
        || awaited_builtin_under_star_import(checker, call, path)
        || writes_to_standard_stream(checker, call, path)
        || handed_to_a_thread_unstarted(checker, call, path)
        || super::process_exit::runs_on_the_way_out(
            &checker.model,
            checker.current_body(),
            call.range(),
        )
    {
        return None;
    }
    Some(api)
}

/// `os.write(2, message)`, `os.write(sys.stderr.fileno(), message)`: a write to the
/// process's own standard output or error, as `print` and `logging` make.
fn writes_to_standard_stream(checker: &Checker, call: &ast::ExprCall, path: &str) -> bool {
    if !catalog::DESCRIPTOR_WRITES.contains(&path) {
        return false;
    }
    match call.arguments.find_argument_value("fd", 0) {
        Some(Expr::NumberLiteral(number)) => {
            matches!(&number.value, ast::Number::Int(fd) if matches!(fd.as_u8(), Some(1 | 2)))
        }
        Some(Expr::Call(fileno)) => match &*fileno.func {
            Expr::Attribute(method) if method.attr.as_str() == "fileno" => checker
                .model
                .path_of(&method.value)
                .is_some_and(|stream| catalog::STANDARD_STREAMS.contains(&stream.as_str())),
            _ => false,
        },
        _ => false,
    }
}

/// A generator function's call passed on to a function a worker thread runs
/// (`asyncio.to_thread(list, p.rglob("*"))`, `loop.run_in_executor(None, sorted, os.walk(top))`):
/// the call only builds the generator, and the thread iterates it. `Executor.map` is not
/// such a hand-off for its iterables: it zips them on the calling thread.
fn handed_to_a_thread_unstarted(checker: &Checker, call: &ast::ExprCall, path: &str) -> bool {
    if !catalog::is_generator(path) {
        return false;
    }
    // Asked of the call the walk is at: its parent is the call it is an argument of.
    let [.., Expr::Call(outer), current] = checker.expression_ancestors() else {
        return false;
    };
    if current.range() != call.range() {
        return false;
    }
    let Some(runner) = checker.model.call_path(outer) else {
        return false;
    };
    let Some((keyword, position)) = catalog::thread_handoff(&runner) else {
        return false;
    };
    if runner.ends_with(".map") {
        return false;
    }
    outer
        .arguments
        .args
        .iter()
        .skip(position + 1)
        .chain(
            outer
                .arguments
                .keywords
                .iter()
                .filter(|passed| {
                    passed
                        .arg
                        .as_ref()
                        .is_some_and(|name| name.as_str() != keyword)
                })
                .map(|passed| &passed.value),
        )
        .any(|argument| argument.range() == call.range())
}

/// A method called on a value whose type the module inferred (`self.engine.begin()`), where the
/// code awaits the call, enters it with `async with`, or iterates it with `async for`: a sync
/// API's result supports none of these, so the value is the async kind (an `AsyncEngine`
/// bound on another branch, or narrowed by `isinstance`) and the inference missed it. A module
/// function awaited by mistake (`await time.sleep(1)`) still blocks before it fails, and is
/// reported.
fn awaited_method_of_typed_value(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Expr::Attribute(attribute) = &*call.func else {
        return false;
    };
    if !matches!(
        checker.model.resolve(&attribute.value),
        Some(Resolved::Instance(_))
    ) {
        return false;
    }
    let range = call.range();
    let is_call = |expr: &Expr| expr.range() == range;
    if let Some(Expr::Await(await_expr)) = checker.expression_ancestors().iter().rev().nth(1)
        && is_call(&await_expr.value)
    {
        return true;
    }
    checker
        .statement_ancestors()
        .last()
        .is_some_and(|stmt| match stmt {
            Stmt::With(with) if with.is_async => {
                with.items.iter().any(|item| is_call(&item.context_expr))
            }
            Stmt::For(for_stmt) if for_stmt.is_async => is_call(&for_stmt.iter),
            _ => false,
        })
}

/// A builtin's name awaited in a module with `from x import *` (`await input("Name")`):
/// the builtin's result cannot be awaited, so the star import bound the name to something
/// else (a library's own `input` coroutine). Without a star import, `await time.sleep(1)`
/// or `await input()` is a sync call awaited by mistake, and still reported.
fn awaited_builtin_under_star_import(checker: &Checker, call: &ast::ExprCall, path: &str) -> bool {
    path.starts_with("builtins.")
        && !checker.model.module.star_imports.is_empty()
        && matches!(checker.expression_ancestors().iter().rev().nth(1),
            Some(Expr::Await(await_expr)) if await_expr.value.range() == call.range())
}

fn is_non_blocking_form(checker: &Checker, call: &ast::ExprCall, api: &BlockingApi) -> bool {
    let Some(flag) = api.non_blocking_flag else {
        return false;
    };
    call.arguments
        .find_argument_value(flag.keyword, flag.position)
        .is_some_and(|value| makes_non_blocking(checker, value, &flag))
}

/// Whether `value`, passed for the call's `flag`, asks for the non-blocking form: the
/// option bit set, a zero timeout, or `False`.
pub(crate) fn makes_non_blocking(
    checker: &Checker,
    value: &Expr,
    flag: &crate::catalog::NonBlockingFlag,
) -> bool {
    if let Some(bit) = flag.option_bit {
        return has_option_bit(checker, value, bit, 0);
    }
    if flag.zero_timeout {
        return match value {
            Expr::NumberLiteral(number) => match &number.value {
                ast::Number::Int(int) => int.as_u8() == Some(0),
                ast::Number::Float(float) => *float == 0.0,
                ast::Number::Complex { .. } => false,
            },
            _ => false,
        };
    }
    matches!(value, Expr::BooleanLiteral(literal) if !literal.value)
}

/// Whether an options expression sets `bit`: `os.WNOHANG`, `WNOHANG`, either or-ed with
/// other options, or a module constant assigned once to such an expression (`flags=_NUMERIC`
/// where `_NUMERIC = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV`).
fn has_option_bit(checker: &Checker, value: &Expr, bit: &str, depth: usize) -> bool {
    match value {
        Expr::BinOp(binary) if binary.op == ast::Operator::BitOr => {
            has_option_bit(checker, &binary.left, bit, depth)
                || has_option_bit(checker, &binary.right, bit, depth)
        }
        Expr::Name(name) if name.id.as_str() != bit => {
            depth < 3
                && !checker.model.is_local(name.id.as_str())
                && module_constant(checker, name.id.as_str())
                    .is_some_and(|constant| has_option_bit(checker, constant, bit, depth + 1))
        }
        _ => crate::ast_query::last_identifier(value) == Some(bit),
    }
}

/// The value of `name` when the module's top level assigns it exactly once.
fn module_constant<'a>(checker: &Checker<'a, '_>, name: &str) -> Option<&'a Expr> {
    let mut found = None;
    for stmt in &checker.module().body {
        let Some((target, value)) = crate::ast_query::single_assignment(stmt) else {
            continue;
        };
        if matches!(target, Expr::Name(bound) if bound.id.as_str() == name) {
            if found.is_some() {
                return None;
            }
            found = Some(value);
        }
    }
    found
}

/// An archive opened on an in-memory buffer (`zipfile.ZipFile(io.BytesIO())`, a name bound to
/// one): no file is read or written.
fn on_memory_buffer(checker: &Checker, call: &ast::ExprCall, api: &BlockingApi) -> bool {
    let Some(buffer) = api.buffer_argument else {
        return false;
    };
    let Some(argument) = call
        .arguments
        .find_argument_value(buffer.keyword, buffer.position)
    else {
        return false;
    };
    let built = match argument {
        Expr::Call(constructor) => checker.model.call_path(constructor),
        _ => checker.model.type_of(argument),
    };
    built.is_some_and(|path| catalog::MEMORY_BUFFERS.contains(&path.as_str()))
}

/// Whether the argument named by the API's `in_memory_prefix` is known to start with the
/// prefix: a string literal that does, or a name the function has already checked with
/// `if not name.startswith(prefix): raise` (or `return`) at the top of its body.
fn works_in_memory(checker: &Checker, call: &ast::ExprCall, api: &BlockingApi) -> bool {
    let Some(rule) = api.in_memory_prefix else {
        return false;
    };
    let Some(argument) = call
        .arguments
        .find_argument_value(rule.keyword, rule.position)
    else {
        return false;
    };
    match argument {
        Expr::StringLiteral(literal) => literal.value.to_str().starts_with(rule.prefix),
        Expr::Name(name) => checker
            .current_body()
            .iter()
            .take_while(|stmt| stmt.range().end() <= call.range().start())
            .any(|stmt| rejects_without_prefix(stmt, name.id.as_str(), rule.prefix)),
        _ => false,
    }
}

/// `if not name.startswith(prefix): ... raise` (or `return`).
fn rejects_without_prefix(stmt: &ast::Stmt, name: &str, prefix: &str) -> bool {
    let ast::Stmt::If(if_stmt) = stmt else {
        return false;
    };
    let Expr::UnaryOp(not) = &*if_stmt.test else {
        return false;
    };
    let Expr::Call(test) = &*not.operand else {
        return false;
    };
    let checks_prefix = not.op == ast::UnaryOp::Not
        && matches!(&*test.func, Expr::Attribute(attribute)
            if attribute.attr.as_str() == "startswith"
                && matches!(&*attribute.value, Expr::Name(checked) if checked.id.as_str() == name))
        && matches!(test.arguments.args.as_ref(), [Expr::StringLiteral(literal)]
            if literal.value.to_str() == prefix);
    checks_prefix
        && matches!(
            if_stmt.body.last(),
            Some(ast::Stmt::Raise(_) | ast::Stmt::Return(_))
        )
        && if_stmt.elif_else_clauses.is_empty()
}

/// A method of a file object the current function opened: held in a local (`with open(p)
/// as f: f.read()`) or called on the opening call itself (`open(p).read()`). That `open` is
/// reported; one finding per use.
fn on_file_opened_here(checker: &Checker, call: &ast::ExprCall, path: &str) -> bool {
    let Some((owner, _method)) = path.rsplit_once('.') else {
        return false;
    };
    catalog::is_file_type(owner)
        && matches!(&*call.func, Expr::Attribute(attribute) if match &*attribute.value {
            Expr::Name(name) => checker.model.is_local(name.id.as_str()),
            Expr::Call(_) => true,
            _ => false,
        })
}

/// A `put` on a thread queue made without a bound (`queue.Queue()`, no `maxsize` or one of
/// `0` or less), which never waits for room: every assignment the module makes to the
/// receiver is such a queue, or, when the module assigns the receiver nowhere (a field of
/// another object, `state.text_queue`, filled by a constructor call), every thread queue the
/// module makes is one, and it makes some.
fn puts_on_unbounded_queue(checker: &Checker, call: &ast::ExprCall, path: &str) -> bool {
    let Some((class, "put")) = path.rsplit_once('.') else {
        return false;
    };
    if !catalog::UNBOUNDED_UNLESS_SIZED.contains(&class) {
        return false;
    }
    match receiver_assignments_built(checker, call, &|value| is_unbounded_queue(checker, value)) {
        Some(built) => built,
        None => module_makes_only_unbounded_queues(checker),
    }
}

/// What the module's thread queue constructions say, found on the first question.
#[derive(Default)]
struct QueuesMade(Option<bool>);

/// Whether the module makes at least one thread queue, and each without a bound.
fn module_makes_only_unbounded_queues(checker: &Checker) -> bool {
    if let Some(only_unbounded) = checker.rule_state::<QueuesMade>().0 {
        return only_unbounded;
    }
    let (mut unbounded, mut bounded) = (0usize, 0usize);
    crate::ast_query::any_in_body(&checker.module().body, &mut |expr| {
        if let Expr::Call(construction) = expr
            && checker
                .model
                .call_path(construction)
                .is_some_and(|made| catalog::UNBOUNDED_UNLESS_SIZED.contains(&made.as_str()))
        {
            if is_unbounded_queue(checker, expr) {
                unbounded += 1;
            } else {
                bounded += 1;
            }
        }
        false
    });
    let only_unbounded = unbounded > 0 && bounded == 0;
    checker.rule_state::<QueuesMade>().0 = Some(only_unbounded);
    only_unbounded
}

/// `connect` on a datagram socket (`socket.socket(AF_INET, SOCK_DGRAM)`), which only records
/// the peer's address: no packet is sent, nothing is waited for (the usual way to learn
/// which local address routes to a host).
fn connects_datagram_socket(checker: &Checker, call: &ast::ExprCall, path: &str) -> bool {
    catalog::DATAGRAM_INSTANT_METHODS.contains(&path)
        && receiver_assignments_built(checker, call, &|value| is_datagram_socket(checker, value))
            == Some(true)
}

/// `socket.socket(family, socket.SOCK_DGRAM)` (or `type=socket.SOCK_DGRAM`).
pub(crate) fn is_datagram_socket(checker: &Checker, value: &Expr) -> bool {
    let Expr::Call(call) = value else {
        return false;
    };
    checker
        .model
        .call_path(call)
        .is_some_and(|path| path == catalog::SOCKET_CONSTRUCTOR)
        && call
            .arguments
            .find_argument_value("type", 1)
            .and_then(|kind| checker.model.path_of(kind))
            .is_some_and(|kind| kind == catalog::DATAGRAM_SOCKET_TYPE)
}

/// Whether every assignment the module makes to the receiver of the method call `call` (a
/// name, in the function and at module level; an attribute of the method's receiver, in the
/// class's methods; `with ... as` included) is a value `built` accepts, an assignment of
/// `None` aside: `None` when the receiver is neither, or the module assigns it nowhere but
/// from another name (`self.results = results`, a parameter: made by whoever passes it).
fn receiver_assignments_built(
    checker: &Checker,
    call: &ast::ExprCall,
    built: &dyn Fn(&Expr) -> bool,
) -> Option<bool> {
    let Expr::Attribute(method) = &*call.func else {
        return None;
    };
    let (mut assigned, mut accepted, mut handed_on) = (0usize, 0usize, 0usize);
    let mut count = |value: Option<&Expr>, index: Option<usize>| {
        // `s = None` before the real value (a placeholder for a `finally`, a field not made
        // yet): no method is called on it, so it says nothing of the receiver.
        if index.is_none() && matches!(value, Some(Expr::NoneLiteral(_))) {
            return;
        }
        if index.is_none() && matches!(value, Some(Expr::Name(_))) {
            handed_on += 1;
            return;
        }
        assigned += 1;
        if index.is_none() && value.is_some_and(built) {
            accepted += 1;
        }
    };
    match &*method.value {
        Expr::Name(name) => {
            let name = name.id.as_str();
            let mut record = |target: &Expr, value: Option<&Expr>, index: Option<usize>| {
                if matches!(target, Expr::Name(target) if target.id.as_str() == name) {
                    count(value, index);
                }
            };
            crate::ast_query::collect_assignments(checker.current_body(), &mut record);
            crate::ast_query::collect_assignments(&checker.module().body, &mut record);
        }
        Expr::Attribute(attribute) => {
            let Expr::Name(owner) = &*attribute.value else {
                return None;
            };
            // The method whose receiver it is: the function the call is in, or one around it
            // (`self` read by a nested function).
            let ancestors = checker.statement_ancestors();
            let class = ancestors.iter().rev().find_map(|stmt| match stmt {
                Stmt::FunctionDef(function)
                    if crate::ast_query::receiver_name(function) == Some(owner.id.as_str()) =>
                {
                    crate::ast_query::enclosing_class(ancestors, function)
                }
                _ => None,
            })?;
            crate::ast_query::self_attribute_assignments(class, &mut |_, target, value, index| {
                if target.attr.as_str() == attribute.attr.as_str() {
                    count(value, index);
                }
            });
        }
        _ => return None,
    }
    if accepted < assigned {
        Some(false)
    } else {
        (assigned > 0 && handed_on == 0).then_some(true)
    }
}

/// A `get` on a thread queue that its code has just seen is not empty, with no await
/// between: inside `while not q.empty():` or `if q.qsize():` (the drain idiom), or right
/// after `while q.empty(): await asyncio.sleep(...)` ends. Only another thread taking the
/// item in between could make it wait.
fn gets_after_emptiness_check(checker: &Checker, call: &ast::ExprCall, path: &str) -> bool {
    let Some((class, "get")) = path.rsplit_once('.') else {
        return false;
    };
    if !catalog::UNBOUNDED_UNLESS_SIZED.contains(&class) && class != "queue.SimpleQueue" {
        return false;
    }
    let Expr::Attribute(method) = &*call.func else {
        return false;
    };
    let queue = ComparableExpr::from(&*method.value);
    // `q.empty()` (`true`) or a test that it holds something (`false`).
    let tests = |test: &Expr, empty: bool| emptiness_test(test, &queue) == Some(empty);
    let ancestors = checker.statement_ancestors();
    for pair in ancestors.windows(2).rev() {
        let (parent, child) = (pair[0], pair[1]);
        let guarded_body = match parent {
            Stmt::While(loop_stmt) if tests(&loop_stmt.test, false) => Some(&loop_stmt.body),
            Stmt::If(branch) if tests(&branch.test, false) => Some(&branch.body),
            _ => None,
        };
        // The statements of the block holding `child` that run before it.
        let Some(before) = crate::ast_query::statements_before(parent, child) else {
            return false;
        };
        let in_guarded_body =
            guarded_body.is_some_and(|body| std::ptr::eq(body.as_ptr(), before.as_ptr()));
        if in_guarded_body && crate::ast_query::first_suspension(before, None).is_none() {
            return true;
        }
        // Right after a wait for the queue to fill that no `break` leaves early.
        if let Some(Stmt::While(wait)) = before.last()
            && tests(&wait.test, true)
            && !crate::ast_query::breaks_out(&wait.body)
        {
            return true;
        }
        if matches!(parent, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            return false;
        }
    }
    false
}

/// Objects whose blocking methods return at once once the object is settled, and how code
/// asks: a `concurrent.futures.Future` is settled when `fut.done()` is true (its `result()`
/// and `exception()` wait for that), a `subprocess.Popen` when `proc.poll()` is not `None`
/// (its `wait()` waits for that).
const SETTLED_OBJECTS: &[(&str, &[&str], Probe)] = &[
    (
        "concurrent.futures.Future",
        &["result", "exception"],
        Probe::Truthy("done"),
    ),
    ("subprocess.Popen", &["wait"], Probe::NotNone("poll")),
];

/// How a settled object answers its probe.
#[derive(Clone, Copy)]
enum Probe {
    /// `fut.done()` is true.
    Truthy(&'static str),
    /// `proc.poll()` is not `None`.
    NotNone(&'static str),
}

/// A blocking method of an object its code has seen settled ([`SETTLED_OBJECTS`]): inside
/// `if fut.done():` (or a test that `and`s it; `if proc.poll() is not None:`), after `if not
/// fut.done():` whose body always leaves (`return`, `raise`, `continue`, `break`), after a
/// loop that runs until it is settled (`while proc.poll() is None: await asyncio.sleep(1)`,
/// no `break`), or after `fut.set_result(...)` / `fut.set_exception(...)` earlier in the
/// same block. A settled object stays settled: nothing there waits.
fn uses_a_settled_object(checker: &Checker, call: &ast::ExprCall, path: &str) -> bool {
    let Some((class, method)) = path.rsplit_once('.') else {
        return false;
    };
    let Some(&(_, _, probe)) = SETTLED_OBJECTS
        .iter()
        .find(|(owner, methods, _)| *owner == class && methods.contains(&method))
    else {
        return false;
    };
    let Expr::Attribute(method) = &*call.func else {
        return false;
    };
    let object = ComparableExpr::from(&*method.value);
    let method_on_object = |expr: &Expr, names: &[&str]| {
        matches!(expr, Expr::Call(asked) if matches!(&*asked.func, Expr::Attribute(attribute)
            if names.contains(&attribute.attr.as_str())
                && ComparableExpr::from(&*attribute.value) == object))
    };
    // Whether `test` being true says the object is settled (`settled`) or not.
    let says = |test: &Expr, settled: bool| match (probe, test) {
        (Probe::Truthy(name), Expr::UnaryOp(negated)) if negated.op == ast::UnaryOp::Not => {
            !settled && method_on_object(&negated.operand, &[name])
        }
        (Probe::Truthy(name), other) => settled && method_on_object(other, &[name]),
        (Probe::NotNone(name), Expr::Compare(compare)) => {
            matches!((&*compare.ops, &*compare.comparators), ([op], [Expr::NoneLiteral(_)])
                if (*op == ast::CmpOp::IsNot) == settled && matches!(op, ast::CmpOp::Is | ast::CmpOp::IsNot))
                && method_on_object(&compare.left, &[name])
        }
        _ => false,
    };
    // The settled test, alone or as a term of an `and`.
    let tests_settled = |test: &Expr| match test {
        Expr::BoolOp(all) if all.op == ast::BoolOp::And => {
            all.values.iter().any(|value| says(value, true))
        }
        other => says(other, true),
    };
    let ancestors = checker.statement_ancestors();
    for pair in ancestors.windows(2).rev() {
        let (parent, child) = (pair[0], pair[1]);
        if let Stmt::If(branch) = parent
            && tests_settled(&branch.test)
            && branch.body.iter().any(|stmt| std::ptr::eq(stmt, child))
        {
            return true;
        }
        let before = crate::ast_query::statements_before(parent, child).unwrap_or_default();
        let settled_before = before.iter().any(|stmt| match stmt {
            Stmt::If(branch) => {
                says(&branch.test, false)
                    && branch.elif_else_clauses.is_empty()
                    && matches!(
                        branch.body.last(),
                        Some(Stmt::Return(_) | Stmt::Raise(_) | Stmt::Continue(_) | Stmt::Break(_))
                    )
            }
            Stmt::While(waiting) => {
                says(&waiting.test, false)
                    && waiting.orelse.is_empty()
                    && !crate::ast_query::breaks_out(&waiting.body)
            }
            Stmt::Expr(expression) => {
                method_on_object(&expression.value, &["set_result", "set_exception"])
            }
            _ => false,
        });
        if settled_before {
            return true;
        }
        if matches!(parent, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            return false;
        }
    }
    false
}

/// What `test` says of `queue`: `Some(true)` for `queue.empty()`, `not queue.qsize()` or
/// `queue.qsize() == 0`; `Some(false)` for `not queue.empty()`, `queue.qsize()` or
/// `queue.qsize() > 0` (`!= 0`, `>= 1`); `None` for anything else.
fn emptiness_test(test: &Expr, queue: &ComparableExpr) -> Option<bool> {
    let method_on_queue = |expr: &Expr| -> Option<String> {
        let Expr::Call(call) = expr else { return None };
        let Expr::Attribute(attribute) = &*call.func else {
            return None;
        };
        (call.arguments.is_empty() && ComparableExpr::from(&*attribute.value) == *queue)
            .then(|| attribute.attr.to_string())
    };
    let is_int = |expr: &Expr, value: u8| {
        matches!(expr, Expr::NumberLiteral(number)
            if matches!(&number.value, ast::Number::Int(int) if int.as_u8() == Some(value)))
    };
    match test {
        Expr::UnaryOp(negated) if negated.op == ast::UnaryOp::Not => {
            emptiness_test(&negated.operand, queue).map(|empty| !empty)
        }
        Expr::Compare(compare) if compare.ops.len() == 1 && compare.comparators.len() == 1 => {
            if method_on_queue(&compare.left).as_deref() != Some("qsize") {
                return None;
            }
            let right = &compare.comparators[0];
            match compare.ops[0] {
                ast::CmpOp::Eq if is_int(right, 0) => Some(true),
                ast::CmpOp::Gt | ast::CmpOp::NotEq if is_int(right, 0) => Some(false),
                ast::CmpOp::GtE if is_int(right, 1) => Some(false),
                _ => None,
            }
        }
        _ => match method_on_queue(test).as_deref() {
            Some("empty") => Some(true),
            Some("qsize") => Some(false),
            _ => None,
        },
    }
}

/// Whether `value` makes a thread queue with no bound: no `maxsize`, or a literal one of `0`
/// or less.
fn is_unbounded_queue(checker: &Checker, value: &Expr) -> bool {
    let Expr::Call(construction) = value else {
        return false;
    };
    let made = checker.model.call_path(construction);
    if !made.is_some_and(|made| catalog::UNBOUNDED_UNLESS_SIZED.contains(&made.as_str())) {
        return false;
    }
    crate::ast_query::sets_no_queue_bound(construction)
}

fn first_argument_is_file(checker: &Checker, call: &ast::ExprCall) -> bool {
    file_argument(call)
        .and_then(|argument| checker.model.type_of(argument))
        .is_some_and(|type_name| catalog::is_file_type(&type_name))
}

/// The file a call that reads or writes one is handed: `json.dump(obj, fp)` takes it second,
/// `json.load(fp)` first.
fn file_argument(call: &ast::ExprCall) -> Option<&Expr> {
    call.arguments
        .find_argument_value("fp", 0)
        .filter(|_| call.arguments.args.len() == 1 || call.arguments.find_keyword("fp").is_some())
        .or_else(|| call.arguments.find_argument_value("fp", 1))
        .or_else(|| call.arguments.find_argument_value("file", 1))
        .or_else(|| call.arguments.find_argument_value("file", 0))
}

/// `json.dump(obj, f)`, `pickle.load(f)` (a call handed a file) on a file the current
/// function holds in a local (`with open(p, "w") as f:`): that `open` is reported, one
/// finding per use, as for the file's own methods.
/// (`json.load(open(p))` is reported at the `json.load`, whose fix moves both calls.)
fn handed_a_file_opened_here(checker: &Checker, call: &ast::ExprCall, api: &BlockingApi) -> bool {
    api.needs_file_argument
        && file_argument(call).is_some_and(|file| {
            matches!(file, Expr::Name(name) if checker.model.is_local(name.id.as_str()))
                && checker
                    .model
                    .type_of(file)
                    .is_some_and(|type_name| catalog::is_file_type(&type_name))
        })
}
