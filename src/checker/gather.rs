//! What the rules about `asyncio.gather` share: whether a gather fails fast over siblings
//! (LW401, LW404), and whether it waits only on tasks held outside the current function
//! (LW401's futures owned elsewhere, LW402's shutdown drain).

use crate::ast_query::{
    Node, Walk, any_expr, any_in_body, is_empty_container, walk_body_shallow,
    walk_statements_shallow,
};
use ruff_python_ast::{self as ast, Expr, Stmt};

use super::Checker;
use crate::catalog::{ALL_TASKS_CALLS, COLLECTION_COPY_CALLS, COLLECTION_COPY_METHODS};
use crate::semantic::Resolved;

/// Whether a `gather(...)` call raises on its first error while its other awaitables run on:
/// two or more awaitables, or a starred one (`gather(*coros)`), and no `return_exceptions=`
/// (nor `**kwargs`, which may hold it).
pub fn fails_fast_over_siblings(call: &ast::ExprCall) -> bool {
    let arguments = &call.arguments;
    if arguments.keywords.iter().any(|keyword| {
        keyword
            .arg
            .as_ref()
            .is_none_or(|arg| arg.as_str() == "return_exceptions")
    }) {
        return false;
    }
    arguments.args.len() >= 2 || arguments.args.iter().any(Expr::is_starred_expr)
}

/// `gather(*self._tasks, return_exceptions=True)`: every awaitable comes from a collection
/// held outside the function (an instance or class attribute, a module-level name) or from
/// `asyncio.all_tasks()`.
pub fn waits_on_tasks_held_elsewhere(checker: &Checker, call: &ast::ExprCall) -> bool {
    let args = &call.arguments.args;
    !args.is_empty()
        && args.iter().all(|arg| {
            let collection = match arg {
                Expr::Starred(starred) => &*starred.value,
                other => other,
            };
            held_elsewhere_at(checker, collection, 0)
        })
}

/// Whether `expr` (a task, or a collection of them) is held outside the current function: an
/// attribute of `self`/`cls` or of a module-level name, a module-level name, an item of one of
/// those (`self._pending[name]`), `asyncio.all_tasks()` or a local built from it, possibly
/// through `list(...)`, `.values()`, `.copy()`.
pub fn held_elsewhere(checker: &Checker, expr: &Expr) -> bool {
    held_elsewhere_at(checker, expr, 0)
}

fn held_elsewhere_at(checker: &Checker, expr: &Expr, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    match expr {
        Expr::Name(name) => {
            let name = name.id.as_str();
            !checker.model.is_local(name)
                || local_from_all_tasks(checker, name)
                || local_kept_elsewhere(checker, name, depth)
                || local_filled_by_callbacks(checker, name)
        }
        Expr::Attribute(attribute) => {
            let mut root = &*attribute.value;
            while let Expr::Attribute(inner) = root {
                root = &inner.value;
            }
            let Expr::Name(root) = root else { return false };
            !checker.model.is_local(root.id.as_str()) || is_receiver(checker, root)
        }
        // `self._pending[name]`: one of the collections a collection held elsewhere keeps.
        Expr::Subscript(subscript) => held_elsewhere_at(checker, &subscript.value, depth + 1),
        Expr::Call(inner) => {
            let path = checker.model.call_path(inner);
            if path
                .as_deref()
                .is_some_and(|path| ALL_TASKS_CALLS.contains(&path))
            {
                return true;
            }
            if path
                .as_deref()
                .is_some_and(|path| COLLECTION_COPY_CALLS.contains(&path))
            {
                return match inner.arguments.args.as_ref() {
                    [only] if inner.arguments.keywords.is_empty() => {
                        held_elsewhere_at(checker, only, depth + 1)
                    }
                    _ => false,
                };
            }
            match &*inner.func {
                Expr::Attribute(method)
                    if COLLECTION_COPY_METHODS.contains(&method.attr.as_str())
                        && inner.arguments.is_empty() =>
                {
                    held_elsewhere_at(checker, &method.value, depth + 1)
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// `self`/`cls`: the first parameter of the current method, bound to a class of the module.
fn is_receiver(checker: &Checker, name: &ast::ExprName) -> bool {
    let Some(function) = checker.current_function() else {
        return false;
    };
    let first = function
        .parameters
        .iter()
        .next()
        .map(|parameter| parameter.name().as_str());
    if first != Some(name.id.as_str()) {
        return false;
    }
    match checker.model.resolve(&Expr::Name(name.clone())) {
        Some(Resolved::Instance(class) | Resolved::Path(class)) => {
            checker.model.module.is_class(&class)
        }
        None => false,
    }
}

/// A local every assignment of which builds from `asyncio.all_tasks()`
/// (`tasks = [t for t in asyncio.all_tasks() if t is not current]`).
fn local_from_all_tasks(checker: &Checker, name: &str) -> bool {
    let mut from_all_tasks = 0;
    let mut other = 0;
    let mut count = |built_from_all_tasks: bool| {
        if built_from_all_tasks {
            from_all_tasks += 1;
        } else {
            other += 1;
        }
    };
    let binds = |target: &Expr| matches!(target, Expr::Name(n) if n.id.as_str() == name);
    walk_statements_shallow(checker.current_body(), &mut |stmt| {
        match stmt {
            Stmt::Assign(assign) if assign.targets.iter().any(binds) => {
                count(calls_any(checker, &assign.value, ALL_TASKS_CALLS));
            }
            Stmt::AnnAssign(assign) if binds(&assign.target) => {
                if let Some(value) = &assign.value {
                    count(calls_any(checker, value, ALL_TASKS_CALLS));
                }
            }
            Stmt::AugAssign(assign) if binds(&assign.target) => count(false),
            Stmt::For(for_stmt) if mentions_name(&for_stmt.target, name) => count(false),
            Stmt::With(with)
                if with.items.iter().any(|item| {
                    item.optional_vars
                        .as_deref()
                        .is_some_and(|v| mentions_name(v, name))
                }) =>
            {
                count(false)
            }
            _ => {}
        }
        Walk::Descend
    });
    from_all_tasks > 0 && other == 0
}

/// A local the function also stores where it outlives the call (`self._close_task =
/// cleanup_task`, `_PENDING[key] = task`): its owner holds it, and answers for how it ends.
fn local_kept_elsewhere(checker: &Checker, name: &str, depth: usize) -> bool {
    let mut kept = false;
    walk_statements_shallow(checker.current_body(), &mut |stmt| {
        if let Stmt::Assign(assign) = stmt
            && matches!(&*assign.value, Expr::Name(value) if value.id.as_str() == name)
            && assign.targets.iter().any(|target| {
                matches!(target, Expr::Attribute(_) | Expr::Subscript(_))
                    && held_elsewhere_at(checker, target, depth + 1)
            })
        {
            kept = true;
        }
        Walk::Descend
    });
    kept
}

/// A local collection, bound only to an empty one (`pending: set[Task] = set()`), that only
/// functions nested in the current one fill (`pending.add(task)` in a callback), none of
/// which the function calls itself: they run when what they are handed to calls them (an
/// event listener, a done callback), and the tasks they make are theirs to answer for, as
/// with tasks an object keeps. A nested helper the function calls, or a collection it fills
/// itself, is the function's own list of work, and is not one.
fn local_filled_by_callbacks(checker: &Checker, name: &str) -> bool {
    let Some(function) = checker.current_function() else {
        return false;
    };
    let fills = |expr: &Expr| {
        matches!(expr, Expr::Call(call)
            if matches!(&*call.func, Expr::Attribute(method)
                if matches!(method.attr.as_str(), "add" | "append" | "extend" | "update")
                    && matches!(&*method.value, Expr::Name(owner) if owner.id.as_str() == name)))
    };
    let binds = |target: &Expr| matches!(target, Expr::Name(bound) if bound.id.as_str() == name);
    let mut fillers: Vec<&str> = Vec::new();
    let mut empty_bindings = 0;
    let mut own_use = false;
    walk_body_shallow(&function.body, &mut |node| {
        match node {
            Node::Stmt(Stmt::FunctionDef(nested))
                if any_in_body(&nested.body, &mut |expr| fills(expr)) =>
            {
                fillers.push(nested.name.as_str());
            }
            Node::Stmt(Stmt::Assign(assign)) if assign.targets.iter().any(binds) => {
                if is_empty_container(&assign.value) {
                    empty_bindings += 1;
                } else {
                    own_use = true;
                }
            }
            Node::Stmt(Stmt::AnnAssign(assign)) if binds(&assign.target) => {
                match assign.value.as_deref() {
                    Some(value) if is_empty_container(value) => empty_bindings += 1,
                    _ => own_use = true,
                }
            }
            Node::Stmt(Stmt::AugAssign(assign)) if binds(&assign.target) => own_use = true,
            Node::Expr(expr) if fills(expr) => own_use = true,
            _ => {}
        }
        Walk::Descend
    });
    if fillers.is_empty() || empty_bindings == 0 || own_use {
        return false;
    }
    // A filler the function calls itself is a helper of its own loop, not a callback.
    !walk_body_shallow(&function.body, &mut |node| match node {
        Node::Expr(Expr::Call(call)) if matches!(&*call.func, Expr::Name(called) if fillers.contains(&called.id.as_str())) => {
            Walk::Stop
        }
        _ => Walk::Descend,
    })
}

fn mentions_name(expr: &Expr, name: &str) -> bool {
    let mut names = Vec::new();
    target_names(expr, &mut names).is_some() && names.iter().any(|bound| bound == name)
}

/// Whether `expr` contains a call to one of `paths`.
fn calls_any(checker: &Checker, expr: &Expr, paths: &[&str]) -> bool {
    any_expr(expr, &mut |inner| {
        matches!(inner, Expr::Call(call) if checker
            .model
            .call_path(call)
            .is_some_and(|path| paths.contains(&path.as_str())))
    })
}

/// The names a target binds; `None` when it stores somewhere else (an attribute, an item).
pub fn target_names(target: &Expr, names: &mut Vec<String>) -> Option<()> {
    match target {
        Expr::Name(name) => names.push(name.id.as_str().to_owned()),
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
            for elt in elts {
                target_names(elt, names)?;
            }
        }
        Expr::Starred(starred) => target_names(&starred.value, names)?,
        _ => return None,
    }
    Some(())
}
