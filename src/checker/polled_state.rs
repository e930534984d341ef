//! Conditions that only other code can change: a loop test (or the test of an `if` that leaves
//! the loop) that reads attributes and module globals and calls nothing but methods that
//! report their object's state (`fut.done()`, `self._pool.is_all_free()`). A loop that waits for
//! such a test to change, without letting other coroutines run, spins forever (LW106); one that
//! sleeps between tests polls where an `asyncio.Event` would wake it (LW505).

use ruff_python_ast::{self as ast, Expr};

use super::Checker;
use crate::ast_query::{
    any_expr, class_assigns_attribute, enclosing_class, is_property, receiver_attribute,
    receiver_name,
};
use crate::catalog::{
    ASYNC_SLEEPS, EXTERNAL_STATE_PREDICATES, LOGGING_CALLS, STATE_PREDICATE_METHODS,
};
use crate::semantic::{MAPPING_CONTAINERS, VALUES_OF};

/// Builtins that only look at their argument.
const INSPECTING_BUILTINS: &[&str] = &["len", "bool"];

/// The state a loop polls when every one of its exit tests polls state (the first one's
/// name), `None` when a test does something else or there is none.
pub fn state_all_poll<'a>(checker: &Checker<'a, '_>, tests: &[&'a Expr]) -> Option<&'a str> {
    let mut polled = None;
    for test in tests {
        let state = polled_state(checker, test)?;
        polled.get_or_insert(state);
    }
    polled
}

/// When `test` reads state outside the function (attributes, module globals, through `not`,
/// `and`/`or`, comparisons and subscripts) and calls nothing but [`INSPECTING_BUILTINS`] and
/// state predicates (`q.empty()`), the source text of the first such read (`self._ready`),
/// to name in a message. Locals may take part (`self._count < index`): a loop that only
/// waits does not change them, so what it waits for is the outside state.
pub fn polled_state<'a>(checker: &Checker<'a, '_>, test: &'a Expr) -> Option<&'a str> {
    let mut first: Option<&'a Expr> = None;
    let mut other = false;
    visit(checker, test, &mut first, &mut other);
    if other {
        return None;
    }
    first.map(|read| checker.text(ruff_text_size::Ranged::range(read)))
}

fn visit<'a>(
    checker: &Checker<'a, '_>,
    expr: &'a Expr,
    first: &mut Option<&'a Expr>,
    other: &mut bool,
) {
    match expr {
        Expr::Attribute(attribute) => {
            // `self._ready`, `state.flags.ready`: the root may be a local (`self`); the value
            // read lives on the object, where other code can set it. Calls in the chain are not,
            // nor is a property, which computes what it gives as a method would.
            *other |= calls_on_the_way(&attribute.value) || reads_property(checker, attribute);
            first.get_or_insert(expr);
        }
        Expr::Name(name) => {
            if !checker.model.is_local(name.id.as_str()) {
                first.get_or_insert(expr);
            }
        }
        Expr::Subscript(subscript) => {
            visit(checker, &subscript.value, first, other);
            visit_index(checker, &subscript.slice, first, other);
        }
        Expr::UnaryOp(unary) => visit(checker, &unary.operand, first, other),
        Expr::BoolOp(bool_op) => {
            for value in &bool_op.values {
                visit(checker, value, first, other);
            }
        }
        Expr::Compare(compare) => {
            visit(checker, &compare.left, first, other);
            for comparator in &compare.comparators {
                visit(checker, comparator, first, other);
            }
        }
        Expr::Call(call) if is_inspecting_builtin(checker, call) => {
            for argument in &call.arguments.args {
                visit(checker, argument, first, other);
            }
        }
        // `self._starting.get(key)` on a dict: a lookup, read like `self._starting[key]`.
        Expr::Call(call) if is_mapping_lookup(checker, call) => {
            if let Expr::Attribute(method) = &*call.func {
                visit(checker, &method.value, first, other);
            }
            for argument in &call.arguments.args {
                visit_index(checker, argument, first, other);
            }
        }
        // `self._pool.is_all_free()`, `fut.done()`: a question put to an object about its
        // state, read like one of its attributes.
        Expr::Call(call) if is_state_predicate(call) => {
            *other |= calls_on_the_way(&call.func);
            first.get_or_insert(expr);
        }
        expr if expr.is_literal_expr() => {}
        _ => *other = true,
    }
}

/// Whether `attribute` reads a property of a class of the module (`server.state` with
/// `@property def state(self): return str(self._broker.machine)`).
fn reads_property(checker: &Checker, attribute: &ast::ExprAttribute) -> bool {
    let Some(type_name) = checker.model.type_of(&attribute.value) else {
        return false;
    };
    let Some((module, class_name)) = type_name.rsplit_once('.') else {
        return false;
    };
    if module != checker.model.module.module_name {
        return false;
    }
    checker.module().body.iter().any(|stmt| {
        matches!(stmt, ast::Stmt::ClassDef(class)
            if class.name.as_str() == class_name
                && class.body.iter().any(|member| matches!(member, ast::Stmt::FunctionDef(method)
                    if method.name.as_str() == attribute.attr.as_str() && is_property(method))))
    })
}

/// An index is a key, not state: literals and names are fine, anything else is not.
fn visit_index<'a>(
    checker: &Checker<'a, '_>,
    index: &'a Expr,
    first: &mut Option<&'a Expr>,
    other: &mut bool,
) {
    match index {
        Expr::Name(_) => {}
        expr if expr.is_literal_expr() => {}
        expr => visit(checker, expr, first, other),
    }
}

/// Whether the object a state is read from is reached through a call or an `await`
/// (`self.pool().ready`): that is work done each round, not state only others change.
fn calls_on_the_way(object: &Expr) -> bool {
    any_expr(object, &mut |inner| {
        matches!(inner, Expr::Call(_) | Expr::Await(_))
    })
}

/// `<object>.<predicate>()`: a method of [`STATE_PREDICATE_METHODS`], or one named `is_…` or
/// `has_…` but not one of [`EXTERNAL_STATE_PREDICATES`] (`path.is_file()`), called without
/// arguments.
fn is_state_predicate(call: &ast::ExprCall) -> bool {
    let Expr::Attribute(method) = &*call.func else {
        return false;
    };
    let name = method.attr.as_str();
    call.arguments.is_empty()
        && (STATE_PREDICATE_METHODS.contains(&name)
            || ((name.starts_with("is_") || name.starts_with("has_"))
                && !EXTERNAL_STATE_PREDICATES.contains(&name)))
}

/// `<mapping>.get(key)` or `<mapping>.get(key, default)` on a dict: a value typed as one of
/// [`MAPPING_CONTAINERS`] or as a mapping of known values (`Dict[str, bool]`), or an attribute
/// of the receiver that the class assigns a dict (`self._starting = {}`).
fn is_mapping_lookup(checker: &Checker, call: &ast::ExprCall) -> bool {
    let Expr::Attribute(method) = &*call.func else {
        return false;
    };
    if method.attr.as_str() != "get"
        || !call.arguments.keywords.is_empty()
        || !matches!(call.arguments.args.len(), 1 | 2)
    {
        return false;
    }
    match checker.model.type_of(&method.value) {
        Some(type_name) => {
            type_name.starts_with(VALUES_OF) || MAPPING_CONTAINERS.contains(&type_name.as_str())
        }
        None => class_assigns_a_dict(checker, &method.value),
    }
}

/// Whether `target` is `self.<attribute>` and the method's class assigns that attribute a
/// dict display, a dict comprehension or a call of a mapping type (in a method, or
/// declared in its body).
fn class_assigns_a_dict(checker: &Checker, target: &Expr) -> bool {
    let Some(function) = checker.current_function() else {
        return false;
    };
    let (Some(class), Some(receiver)) = (
        enclosing_class(checker.statement_ancestors(), function),
        receiver_name(function),
    ) else {
        return false;
    };
    let Some(attribute) = receiver_attribute(target, receiver) else {
        return false;
    };
    class_assigns_attribute(class, attribute, &|value| match value {
        Expr::Dict(_) | Expr::DictComp(_) => true,
        Expr::Call(call) => checker
            .model
            .call_path(call)
            .is_some_and(|path| MAPPING_CONTAINERS.contains(&path.as_str())),
        _ => false,
    })
}

fn is_inspecting_builtin(checker: &Checker, call: &ast::ExprCall) -> bool {
    call.arguments.keywords.is_empty()
        && call.arguments.args.len() == 1
        && checker.model.call_path(call).is_some_and(|path| {
            path.strip_prefix("builtins.")
                .is_some_and(|name| INSPECTING_BUILTINS.contains(&name))
        })
}

/// The test of `if test: break` (or `return`, `raise`, alone in the `if` with no `else`): the
/// condition on which a loop ends.
pub fn exit_test(stmt: &ast::Stmt) -> Option<&Expr> {
    let ast::Stmt::If(if_stmt) = stmt else {
        return None;
    };
    let [only] = if_stmt.body.as_slice() else {
        return None;
    };
    let leaves = matches!(
        only,
        ast::Stmt::Break(_) | ast::Stmt::Return(_) | ast::Stmt::Raise(_)
    );
    (leaves && if_stmt.elif_else_clauses.is_empty()).then_some(&*if_stmt.test)
}

/// A call that cannot change the state a spin-wait tests: `time.sleep`, an async sleep
/// called without `await` (it only makes a coroutine object; LW302 reports it), or a line
/// logged ([`is_logging_call`]).
pub fn is_passive_call(checker: &Checker, expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    let Some(path) = checker.model.call_path(call) else {
        return false;
    };
    path == "time.sleep"
        || ASYNC_SLEEPS.contains(&path.as_str())
        || (is_logging_path(&path) && logs_without_calls(checker, call))
}

/// Whether what a logging call is handed calls nothing but builtins (`len(items)`,
/// `str(error)`) and `str.format`: `logger.error(queue.get_nowait())` takes an item out of
/// the queue it logs, and is no passive line.
fn logs_without_calls(checker: &Checker, call: &ast::ExprCall) -> bool {
    !crate::ast_query::argument_values(&call.arguments).any(|argument| {
        crate::ast_query::any_expr(argument, &mut |inner| {
            let Expr::Call(inner) = inner else {
                return false;
            };
            let formats = matches!(&*inner.func, Expr::Attribute(method)
                if method.attr.as_str() == "format" && method.value.is_string_literal_expr());
            !formats
                && !checker
                    .model
                    .call_path(inner)
                    .is_some_and(|path| path.starts_with("builtins."))
        })
    })
}

/// `print(...)`, a `logging` function, or a logging method of a logger (`log.info(...)`):
/// a line written, no work done.
pub fn is_logging_call(checker: &Checker, expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    if !logs_without_calls(checker, call) {
        return false;
    }
    match checker.model.call_path(call) {
        Some(path) => is_logging_path(&path),
        // A logger the module cannot type (`logger = configure_logger(__name__)`): named so.
        None => match &*call.func {
            Expr::Attribute(method) => {
                LOGGING_CALLS.contains(&method.attr.as_str())
                    && crate::ast_query::last_identifier(&method.value)
                        .is_some_and(|owner| owner.to_ascii_lowercase().contains("log"))
            }
            _ => false,
        },
    }
}

fn is_logging_path(path: &str) -> bool {
    path == "builtins.print"
        || path.starts_with("logging.")
        || path.rsplit_once('.').is_some_and(|(owner, method)| {
            LOGGING_CALLS.contains(&method) && owner.to_ascii_lowercase().contains("log")
        })
}
