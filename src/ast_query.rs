//! Questions answered from the syntax tree alone: no names resolved, no checker, no rule.
//! Whether any expression of a body matches, the last identifier of a callee, the class
//! around a method and its `self`, every assignment of a body; and [`walk_body_shallow`], the
//! walk over one scope's body that leaves nested scopes out. The rules that ask the same
//! question share the answer here instead of borrowing it from one another, or writing
//! their own visitor for it.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};

use ruff_text_size::{Ranged, TextRange};

use crate::source::MAX_NESTING;

/// Whether `found` holds for `expr` or any expression inside it. Like ruff's `any_over_expr`,
/// but linear in the depth of the tree (the helper nests its closure once per level, which is
/// quadratic on deeply nested input).
pub fn any_expr(expr: &Expr, found: &mut dyn FnMut(&Expr) -> bool) -> bool {
    find_in_expr(expr, &mut |inner| found(inner).then_some(())).is_some()
}

/// The name at the bottom of `a.b(...).c(...)`.
pub fn chain_root(expr: &Expr) -> Option<&str> {
    let mut expr = expr;
    loop {
        match expr {
            Expr::Name(name) => return Some(name.id.as_str()),
            Expr::Attribute(attribute) => expr = &attribute.value,
            Expr::Call(call) => match &*call.func {
                Expr::Attribute(attribute) => expr = &attribute.value,
                _ => return None,
            },
            _ => return None,
        }
    }
}

/// [`any_expr`] over every expression of `body`, nested functions included.
pub fn any_in_body(body: &[Stmt], found: &mut dyn FnMut(&Expr) -> bool) -> bool {
    let mut finder = Finder {
        find: &mut |inner| found(inner).then_some(()),
        found: None,
        nesting: 0,
    };
    finder.visit_body(body);
    finder.found.is_some()
}

/// The first `Some` that `find` returns over `expr` and the expressions inside it, in source
/// order (lambdas included).
pub fn find_in_expr<'a, T>(
    expr: &'a Expr,
    find: &mut dyn FnMut(&'a Expr) -> Option<T>,
) -> Option<T> {
    let mut finder = Finder {
        find,
        found: None,
        nesting: 0,
    };
    finder.visit_expr(expr);
    finder.found
}

/// Every expression, nested scopes included, until `find` answers.
struct Finder<'f, 'a, T> {
    find: &'f mut dyn FnMut(&'a Expr) -> Option<T>,
    found: Option<T>,
    nesting: usize,
}

impl<'a, T> Visitor<'a> for Finder<'_, 'a, T> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.found.is_some() || self.nesting >= MAX_NESTING {
            return;
        }
        self.nesting += 1;
        visitor::walk_stmt(self, stmt);
        self.nesting -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.found.is_some() || self.nesting >= MAX_NESTING {
            return;
        }
        self.found = (self.find)(expr);
        if self.found.is_none() {
            self.nesting += 1;
            visitor::walk_expr(self, expr);
            self.nesting -= 1;
        }
    }
}

/// A node of one scope's body, as [`walk_body_shallow`] meets it.
#[derive(Clone, Copy)]
pub enum Node<'a> {
    Stmt(&'a Stmt),
    Expr(&'a Expr),
}

/// What a shallow walk does once it has shown a node.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    /// Go on into the node's children.
    Descend,
    /// Leave the node's children out and go on after it.
    SkipChildren,
    /// End the walk.
    Stop,
}

/// Whether `body` (not the scopes nested in it) yields: a generator function's body.
pub fn contains_yield(body: &[Stmt]) -> bool {
    walk_body_shallow(body, &mut |node| match node {
        Node::Expr(Expr::Yield(_) | Expr::YieldFrom(_)) => Walk::Stop,
        _ => Walk::Descend,
    })
}

/// `while True:` / `while 1:`.
pub fn is_always_true(test: &Expr) -> bool {
    match test {
        Expr::BooleanLiteral(literal) => literal.value,
        Expr::NumberLiteral(number) => {
            matches!(&number.value, ast::Number::Int(int) if int.as_u64() != Some(0))
        }
        _ => false,
    }
}

/// Whether `body` (not the scopes nested in it) holds a `return`.
pub fn contains_return(body: &[Stmt]) -> bool {
    walk_statements_shallow(body, &mut |stmt| match stmt {
        Stmt::Return(_) => Walk::Stop,
        _ => Walk::Descend,
    })
}

/// Whether `body` runs a loop that never ends by itself: a `while True:` (or `while 1:`),
/// at its top level or in the body of a `try` or `with` there, with no `break` of its own
/// and no `return` in it. Awaiting a call of such a function waits until it fails or is
/// cancelled (a scheduler's or a reader's main loop).
pub fn loops_forever(body: &[Stmt]) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::While(while_stmt) => {
            is_always_true(&while_stmt.test)
                && !breaks_out(&while_stmt.body)
                && !contains_return(&while_stmt.body)
        }
        Stmt::Try(try_stmt) => loops_forever(&try_stmt.body),
        Stmt::With(with) => loops_forever(&with.body),
        _ => false,
    })
}

/// `pass`, `...`, a docstring, `raise ...`: a placeholder, not an implementation.
pub fn is_stub(body: &[Stmt]) -> bool {
    body.iter().all(|stmt| match stmt {
        Stmt::Pass(_) | Stmt::Raise(_) => true,
        Stmt::Expr(expr) => matches!(
            &*expr.value,
            Expr::EllipsisLiteral(_) | Expr::StringLiteral(_)
        ),
        _ => false,
    })
}

/// Whether `function` is a placeholder (a `Protocol`'s or an abstract method) of an
/// `async def` declared to return an async iterator (`-> AsyncIterator[str]`): its
/// implementations are async generators, and calling it makes no coroutine.
pub fn declares_async_generator(function: &ast::StmtFunctionDef) -> bool {
    const ASYNC_ITERATORS: [&str; 3] = ["AsyncIterator", "AsyncGenerator", "AsyncIterable"];
    let Some(returns) = function.returns.as_deref() else {
        return false;
    };
    let head = match returns {
        Expr::Subscript(subscript) => &*subscript.value,
        other => other,
    };
    let named = match head {
        Expr::Name(name) => ASYNC_ITERATORS.contains(&name.id.as_str()),
        Expr::Attribute(attribute) => ASYNC_ITERATORS.contains(&attribute.attr.as_str()),
        Expr::StringLiteral(text) => {
            let text = text.value.to_str();
            let name = text.split('[').next().unwrap_or_default().trim();
            ASYNC_ITERATORS.contains(&name.rsplit('.').next().unwrap_or_default())
        }
        _ => false,
    };
    function.is_async && named && is_stub(&function.body)
}

/// [`walk_body_shallow`] over `body` and every function and class body nested in it, at any
/// depth (a lambda's body aside): each scope walked on its own, so `visit` never stops the
/// walk. For the questions asked of every read of a name in a module or a function, its
/// nested functions included.
pub fn walk_scopes<'a>(body: &'a [Stmt], visit: &mut dyn FnMut(Node<'a>)) {
    let mut scopes = vec![body];
    while let Some(scope) = scopes.pop() {
        walk_body_shallow(scope, &mut |node| {
            match node {
                Node::Stmt(Stmt::FunctionDef(function)) => scopes.push(&function.body),
                Node::Stmt(Stmt::ClassDef(class)) => scopes.push(&class.body),
                _ => {}
            }
            visit(node);
            Walk::Descend
        });
    }
}

/// Shows `visit` every statement and expression of one scope's `body`, in source order, and
/// does not descend into the scopes nested in it: a `def`, a `class` or a `lambda` is shown,
/// but nothing inside it (its decorators, defaults and bases neither). Code there runs at
/// another time, or in another frame, than the body's own. Returns whether `visit` stopped
/// the walk. Nesting beyond [`MAX_NESTING`] is not descended into.
pub fn walk_body_shallow<'a>(body: &'a [Stmt], visit: &mut dyn FnMut(Node<'a>) -> Walk) -> bool {
    let mut walk = ShallowWalk {
        visit,
        expressions: true,
        nesting: 0,
        stopped: false,
    };
    walk.visit_body(body);
    walk.stopped
}

/// [`walk_body_shallow`] for the statements alone: the expressions are not walked at all.
pub fn walk_statements_shallow<'a>(
    body: &'a [Stmt],
    visit: &mut dyn FnMut(&'a Stmt) -> Walk,
) -> bool {
    let mut walk = ShallowWalk {
        visit: &mut |node| match node {
            Node::Stmt(stmt) => visit(stmt),
            Node::Expr(_) => Walk::SkipChildren,
        },
        expressions: false,
        nesting: 0,
        stopped: false,
    };
    walk.visit_body(body);
    walk.stopped
}

struct ShallowWalk<'v, 'a> {
    visit: &'v mut dyn FnMut(Node<'a>) -> Walk,
    /// Whether expressions are shown (and walked) too.
    expressions: bool,
    nesting: usize,
    stopped: bool,
}

impl ShallowWalk<'_, '_> {
    /// Whether to go on into the children of a node `visit` answered `walk` for.
    fn descends(&mut self, walk: Walk) -> bool {
        match walk {
            Walk::Descend => true,
            Walk::SkipChildren => false,
            Walk::Stop => {
                self.stopped = true;
                false
            }
        }
    }
}

impl<'a> Visitor<'a> for ShallowWalk<'_, 'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.stopped || self.nesting >= MAX_NESTING {
            return;
        }
        let walk = (self.visit)(Node::Stmt(stmt));
        if !self.descends(walk) || matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            return;
        }
        self.nesting += 1;
        visitor::walk_stmt(self, stmt);
        self.nesting -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if !self.expressions || self.stopped || self.nesting >= MAX_NESTING {
            return;
        }
        let walk = (self.visit)(Node::Expr(expr));
        if !self.descends(walk) || matches!(expr, Expr::Lambda(_)) {
            return;
        }
        self.nesting += 1;
        visitor::walk_expr(self, expr);
        self.nesting -= 1;
    }
}

/// `c` of `a.b.c`, `f` of `f`.
pub fn last_identifier(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
        _ => None,
    }
}

/// The class whose body directly defines `function` (through `if`/`try` blocks), if any.
pub fn enclosing_class<'a>(
    ancestors: &[&'a Stmt],
    function: &ast::StmtFunctionDef,
) -> Option<&'a ast::StmtClassDef> {
    let index = ancestors
        .iter()
        .rposition(|stmt| matches!(stmt, Stmt::FunctionDef(def) if std::ptr::eq(def, function)))?;
    for stmt in ancestors[..index].iter().rev() {
        match stmt {
            Stmt::ClassDef(class) => return Some(class),
            Stmt::FunctionDef(_) => return None,
            _ => {}
        }
    }
    None
}

/// The name of a method's instance (or class) parameter; `None` for a `@staticmethod`.
pub fn receiver_name(method: &ast::StmtFunctionDef) -> Option<&str> {
    let is_static = method
        .decorator_list
        .iter()
        .any(|decorator| match &decorator.expression {
            Expr::Name(name) => name.id.as_str() == "staticmethod",
            Expr::Attribute(attribute) => attribute.attr.as_str() == "staticmethod",
            _ => false,
        });
    if is_static {
        return None;
    }
    method
        .parameters
        .iter()
        .next()
        .map(|parameter| parameter.name().as_str())
}

/// `attribute` of `receiver.attribute` (`source` of `self.source`, `receiver` being `self`).
pub fn receiver_attribute<'e>(expr: &'e Expr, receiver: &str) -> Option<&'e str> {
    let Expr::Attribute(attribute) = expr else {
        return None;
    };
    matches!(&*attribute.value, Expr::Name(name) if name.id.as_str() == receiver)
        .then(|| attribute.attr.as_str())
}

/// Calls `record(method, attribute, value, index)` for every `self.attr = value` in the
/// methods of `class`, `self` being each method's receiver (as [`collect_assignments`]
/// gives them: `value` `None` when it cannot be followed, `index` the position in a tuple).
pub fn self_attribute_assignments<'a>(
    class: &'a ast::StmtClassDef,
    record: &mut dyn FnMut(
        &'a ast::StmtFunctionDef,
        &'a ast::ExprAttribute,
        Option<&'a Expr>,
        Option<usize>,
    ),
) {
    for stmt in &class.body {
        let Stmt::FunctionDef(method) = stmt else {
            continue;
        };
        let Some(receiver) = receiver_name(method) else {
            continue;
        };
        collect_assignments(&method.body, &mut |target, value, index| {
            if let Expr::Attribute(attribute) = target
                && receiver_attribute(target, receiver).is_some()
            {
                record(method, attribute, value, index);
            }
        });
    }
}

/// Whether the class gives its attribute `attribute` a value `makes` accepts: in any of its
/// methods (`self.results = []`), or in its body (`results: list[str] = []`, `results = []`),
/// where a dataclass or a plain class declares what each instance starts with. Asked
/// of a container's shape (a list, a dict) by the rules that need to know what an
/// attribute holds when no type annotation says it.
pub fn class_assigns_attribute(
    class: &ast::StmtClassDef,
    attribute: &str,
    makes: &dyn Fn(&Expr) -> bool,
) -> bool {
    let mut assigned = false;
    self_attribute_assignments(class, &mut |_, target, value, _| {
        assigned |= target.attr.as_str() == attribute && value.is_some_and(makes);
    });
    let names_it =
        |target: &Expr| matches!(target, Expr::Name(name) if name.id.as_str() == attribute);
    assigned
        || class.body.iter().any(|stmt| match stmt {
            Stmt::AnnAssign(assign) => {
                names_it(&assign.target) && assign.value.as_deref().is_some_and(makes)
            }
            Stmt::Assign(assign) => assign.targets.iter().any(names_it) && makes(&assign.value),
            _ => false,
        })
}

/// The statement of `body` that holds `range` (a non-empty range, such as a call's), with
/// its index: found by halving, as a body's statements come in order and never overlap. A
/// scan of the body cost every call inside a long `try` or `if` a pass over its statements,
/// for each such statement around it.
pub fn statement_holding(body: &[Stmt], range: TextRange) -> Option<(usize, &Stmt)> {
    let at = body.partition_point(|stmt| stmt.end() < range.end());
    body.get(at)
        .filter(|stmt| stmt.range().contains_range(range))
        .map(|stmt| (at, stmt))
}

/// Whether one statement of `body` holds `range` ([`statement_holding`]).
pub fn body_holds(body: &[Stmt], range: TextRange) -> bool {
    statement_holding(body, range).is_some()
}

/// A key for a block of statements in a map that the block's tree outlives (a module
/// walk's rule state): its address and length.
pub fn block_key(body: &[Stmt]) -> (usize, usize) {
    (body.as_ptr() as usize, body.len())
}

/// The values a call is given: its positional arguments, then its keyword arguments' values.
pub fn argument_values(arguments: &ast::Arguments) -> impl Iterator<Item = &Expr> {
    arguments
        .args
        .iter()
        .chain(arguments.keywords.iter().map(|keyword| &keyword.value))
}

/// Calls `record(target, value, index)` for every assignment in `body` (not in nested
/// scopes): `value` is `None` when it cannot be followed, `index` the position in a tuple.
pub fn collect_assignments<'a>(
    body: &'a [Stmt],
    record: &mut dyn FnMut(&'a Expr, Option<&'a Expr>, Option<usize>),
) {
    fn target<'a>(
        record: &mut dyn FnMut(&'a Expr, Option<&'a Expr>, Option<usize>),
        target_expr: &'a Expr,
        value: Option<&'a Expr>,
    ) {
        match target_expr {
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                for (index, element) in elts.iter().enumerate() {
                    match element {
                        // Nested or starred unpacking: not followed.
                        Expr::Starred(_) | Expr::Tuple(_) | Expr::List(_) => {
                            target(record, element, None)
                        }
                        element => record(element, value, Some(index)),
                    }
                }
            }
            Expr::Starred(starred) => target(record, &starred.value, None),
            target_expr => record(target_expr, value, None),
        }
    }
    walk_statements_shallow(body, &mut |stmt| {
        match stmt {
            Stmt::Assign(assign) => {
                for assigned in &assign.targets {
                    target(record, assigned, Some(&assign.value));
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    target(record, &assign.target, Some(value));
                }
            }
            Stmt::AugAssign(assign) => target(record, &assign.target, None),
            Stmt::For(for_stmt) => target(record, &for_stmt.target, None),
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(bound) = &item.optional_vars {
                        // `async with X(...) as x`: `__aenter__` of the clients covered
                        // returns the client itself.
                        target(record, bound, Some(&item.context_expr));
                    }
                }
            }
            _ => {}
        }
        Walk::Descend
    });
}

/// The target and value of `x = value` or `x: T = value` (one target).
pub fn single_assignment(stmt: &Stmt) -> Option<(&Expr, &Expr)> {
    match stmt {
        Stmt::Assign(assign) if assign.targets.len() == 1 => {
            Some((&assign.targets[0], &*assign.value))
        }
        Stmt::AnnAssign(assign) => Some((&*assign.target, assign.value.as_deref()?)),
        _ => None,
    }
}

/// Where a body can hand control back to the event loop, found by [`first_suspension`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Suspension {
    /// `await`, `async for` or `async with`.
    Await,
    /// `yield` or `yield from`: control goes back to the generator's consumer.
    Yield,
}

/// The first suspension point in `body` (or in `also`, an expression evaluated with it such
/// as a loop's test), nested scopes left out: an `await`, `async for` or `async with` is
/// reported as soon as it is met; a `yield` only when no await follows.
pub fn first_suspension(body: &[Stmt], also: Option<&Expr>) -> Option<Suspension> {
    if let Some(expr) = also
        && any_expr(expr, &mut |inner| {
            matches!(inner, Expr::Await(_)) || has_async_comprehension(inner)
        })
    {
        return Some(Suspension::Await);
    }
    let mut found = None;
    walk_body_shallow(body, &mut |node| match node {
        Node::Stmt(Stmt::For(ast::StmtFor { is_async: true, .. }))
        | Node::Stmt(Stmt::With(ast::StmtWith { is_async: true, .. }))
        | Node::Expr(Expr::Await(_)) => {
            found = Some(Suspension::Await);
            Walk::Stop
        }
        Node::Expr(Expr::Yield(_) | Expr::YieldFrom(_)) => {
            found = Some(Suspension::Yield);
            Walk::Descend
        }
        Node::Expr(expr) if has_async_comprehension(expr) => {
            found = Some(Suspension::Await);
            Walk::Stop
        }
        _ => Walk::Descend,
    });
    found
}

/// The `for` clauses of any comprehension: list, set, dict or generator.
pub fn comprehension_generators(expr: &Expr) -> Option<&[ast::Comprehension]> {
    match expr {
        Expr::ListComp(ast::ExprListComp { generators, .. })
        | Expr::SetComp(ast::ExprSetComp { generators, .. })
        | Expr::DictComp(ast::ExprDictComp { generators, .. })
        | Expr::Generator(ast::ExprGenerator { generators, .. }) => Some(generators),
        _ => None,
    }
}

/// `[x async for x in xs]` and the like: iterating awaits.
/// The element and the `for` clauses of a list, set or generator comprehension (a dict
/// comprehension has a key and a value instead).
pub fn element_comprehension(expr: &Expr) -> Option<(&Expr, &[ast::Comprehension])> {
    match expr {
        Expr::ListComp(ast::ExprListComp {
            elt, generators, ..
        })
        | Expr::SetComp(ast::ExprSetComp {
            elt, generators, ..
        })
        | Expr::Generator(ast::ExprGenerator {
            elt, generators, ..
        }) => Some((elt, generators)),
        _ => None,
    }
}

/// What a comprehension that yields each item unchanged iterates (`tasks` in `(t for t in
/// tasks)` or `[t for t in tasks if not t.done()]`): its items are some of that one's.
pub fn items_passed_through<'a>(
    elt: &Expr,
    generators: &'a [ast::Comprehension],
) -> Option<&'a Expr> {
    let [generator] = generators else {
        return None;
    };
    matches!((elt, &generator.target), (Expr::Name(item), Expr::Name(target)) if item.id == target.id)
        .then_some(&generator.iter)
}

pub fn has_async_comprehension(expr: &Expr) -> bool {
    let generators = match expr {
        Expr::ListComp(comp) => &comp.generators,
        Expr::SetComp(comp) => &comp.generators,
        Expr::DictComp(comp) => &comp.generators,
        Expr::Generator(comp) => &comp.generators,
        _ => return false,
    };
    generators.iter().any(|generator| generator.is_async)
}

/// The statements of the block of `parent` that holds `child` (one of its direct
/// statements) and run before it; `None` when no block of `parent` holds `child`.
pub fn statements_before<'a>(parent: &'a Stmt, child: &Stmt) -> Option<&'a [Stmt]> {
    blocks_of(parent).into_iter().find_map(|block| {
        let at = block.iter().position(|stmt| std::ptr::eq(stmt, child))?;
        Some(&block[..at])
    })
}

/// The names an assignment target binds (`a`; `a, (b, *c)`); none for an attribute or an
/// item.
pub fn target_names<'a>(target: &'a Expr, names: &mut Vec<&'a str>) {
    match target {
        Expr::Name(name) => names.push(name.id.as_str()),
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
            elts.iter().for_each(|element| target_names(element, names));
        }
        Expr::Starred(starred) => target_names(&starred.value, names),
        _ => {}
    }
}

/// The branches of an `if`: its body, then each `elif`'s and the `else`'s.
pub fn if_branches(if_stmt: &ast::StmtIf) -> impl Iterator<Item = &[Stmt]> {
    std::iter::once(if_stmt.body.as_slice()).chain(
        if_stmt
            .elif_else_clauses
            .iter()
            .map(|clause| clause.body.as_slice()),
    )
}

/// The blocks of statements `stmt` holds directly: a function's or class's body, each branch
/// of an `if`, a loop's body and `else`, a `with`'s body, each part of a `try`, each case.
pub fn blocks_of(stmt: &Stmt) -> Vec<&[Stmt]> {
    match stmt {
        Stmt::FunctionDef(function) => vec![&function.body[..]],
        Stmt::ClassDef(class) => vec![&class.body[..]],
        Stmt::If(branch) => std::iter::once(&branch.body[..])
            .chain(
                branch
                    .elif_else_clauses
                    .iter()
                    .map(|clause| &clause.body[..]),
            )
            .collect(),
        Stmt::While(loop_stmt) => vec![&loop_stmt.body[..], &loop_stmt.orelse[..]],
        Stmt::For(loop_stmt) => vec![&loop_stmt.body[..], &loop_stmt.orelse[..]],
        Stmt::With(with) => vec![&with.body[..]],
        Stmt::Try(attempt) => std::iter::once(&attempt.body[..])
            .chain(attempt.handlers.iter().map(|handler| {
                let ast::ExceptHandler::ExceptHandler(handler) = handler;
                &handler.body[..]
            }))
            .chain([&attempt.orelse[..], &attempt.finalbody[..]])
            .collect(),
        Stmt::Match(matched) => matched.cases.iter().map(|case| &case.body[..]).collect(),
        _ => Vec::new(),
    }
}

/// Whether a `break` in `body` leaves the loop `body` belongs to (not one nested in it).
pub fn breaks_out(body: &[Stmt]) -> bool {
    body.iter().any(|stmt| match stmt {
        Stmt::Break(_) => true,
        // A nested loop's `break` leaves that loop; a nested function's is its own.
        Stmt::For(_) | Stmt::While(_) | Stmt::FunctionDef(_) | Stmt::ClassDef(_) => false,
        other => blocks_of(other).into_iter().any(breaks_out),
    })
}

/// Names that say lock: `lock`, `self._lock`, `self._locks[key]`, `self._get_lock(key)`,
/// `write_mutex`, `self._sem`, and a container's item whose string key says so
/// (`self.state["proc_lock"]`). A guess from names, for values no type reaches.
pub fn names_lock(expr: &Expr) -> bool {
    let mut expr = expr;
    loop {
        match expr {
            // `self._locks.setdefault(key, Lock())`, `self._locks.get(key)`: the container names it.
            Expr::Call(call) => match &*call.func {
                Expr::Attribute(attribute)
                    if matches!(
                        attribute.attr.as_str(),
                        "setdefault" | "get" | "__getitem__"
                    ) =>
                {
                    expr = &attribute.value;
                }
                func => expr = func,
            },
            Expr::Subscript(subscript) => {
                if let Expr::StringLiteral(key) = &*subscript.slice
                    && names_lock_word(key.value.to_str())
                {
                    return true;
                }
                expr = &subscript.value;
            }
            _ => break,
        }
    }
    last_identifier(expr).is_some_and(names_lock_word)
}

/// Whether a name says lock (`_lock`, `write_mutex`, `conn_locks`, `sem`).
fn names_lock_word(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.ends_with("lock")
        || name.ends_with("locks")
        || name.ends_with("mutex")
        || name.contains("semaphore")
        || name
            .split('_')
            .any(|part| matches!(part, "lock" | "locks" | "mutex" | "sem" | "semaphore"))
}

/// The last `def name` among `body`'s statements (through module-level `if`/`try` blocks).
pub fn find_function<'a>(body: &'a [Stmt], name: &str) -> Option<&'a ast::StmtFunctionDef> {
    let mut found = None;
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(function) if function.name.as_str() == name => found = Some(function),
            Stmt::If(if_stmt) => {
                let clauses = std::iter::once(&if_stmt.body)
                    .chain(if_stmt.elif_else_clauses.iter().map(|clause| &clause.body));
                for clause in clauses {
                    if let Some(function) = find_function(clause, name) {
                        found = Some(function);
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// `name` defined in `class` or, failing that, in a base class defined in the same module.
pub fn find_method<'a>(
    module: &'a [Stmt],
    class: &'a ast::StmtClassDef,
    name: &str,
    depth: usize,
) -> Option<&'a ast::StmtFunctionDef> {
    if depth > 8 {
        return None;
    }
    if let Some(method) = find_function(&class.body, name) {
        return Some(method);
    }
    for base in class.bases() {
        // `Base` or `Base[T]`
        let base = match base {
            Expr::Subscript(subscript) => &*subscript.value,
            other => other,
        };
        let Expr::Name(base) = base else { continue };
        let Some(base_class) = module.iter().find_map(|stmt| match stmt {
            Stmt::ClassDef(candidate) if candidate.name.as_str() == base.id.as_str() => {
                Some(candidate)
            }
            _ => None,
        }) else {
            continue;
        };
        if let Some(method) = find_method(module, base_class, name, depth + 1) {
            return Some(method);
        }
    }
    None
}

/// A function that keeps what it makes in a module global and returns the kept value when
/// there is one: `global _CONFIG`, then `if _CONFIG: return _CONFIG` (or `is not None`, and-ed
/// with other tests, or tested through a local copy, `config = _CONFIG`), and `_CONFIG = ...`
/// further on. Its work runs on the first call of the process (unless something resets the
/// global: the caller asks [`globals_reset`]): a memoized function spelled by hand.
/// The global's name, when the function is one.
pub fn returns_kept_global(function: &ast::StmtFunctionDef) -> Option<&str> {
    let globals = declared_globals(&function.body);
    if globals.is_empty() {
        return None;
    }
    // Locals holding a global's value (`config = _CONFIG`), as (local, global).
    let mut copies: Vec<(&str, &str)> = Vec::new();
    for stmt in &function.body {
        match stmt {
            Stmt::Assign(assign) => {
                if let ([Expr::Name(local)], Expr::Name(value)) =
                    (assign.targets.as_slice(), &*assign.value)
                    && globals.contains(&value.id.as_str())
                {
                    copies.push((local.id.as_str(), value.id.as_str()));
                }
            }
            Stmt::If(if_stmt)
                if if_stmt.elif_else_clauses.is_empty()
                    && matches!(if_stmt.body.as_slice(), [Stmt::Return(_)]) =>
            {
                let kept = tested_as_set(&if_stmt.test, &globals, &copies);
                if let Some(global) = kept
                    && assigns_name(&function.body, global)
                {
                    return Some(global);
                }
            }
            _ => {}
        }
    }
    None
}

/// The global that `test` requires to hold a value (`_CONFIG`, `_CONFIG is not None`, a copy
/// of it, one of the terms of an `and`).
fn tested_as_set<'a>(
    test: &Expr,
    globals: &[&'a str],
    copies: &[(&str, &'a str)],
) -> Option<&'a str> {
    let global_of = |expr: &Expr| {
        let Expr::Name(name) = expr else {
            return None;
        };
        let name = name.id.as_str();
        globals
            .iter()
            .find(|global| **global == name)
            .copied()
            .or_else(|| {
                copies
                    .iter()
                    .find(|(local, _)| *local == name)
                    .map(|(_, global)| *global)
            })
    };
    let term = |term: &Expr| match term {
        Expr::Compare(compare) => match (compare.ops.as_ref(), compare.comparators.as_ref()) {
            ([ast::CmpOp::IsNot], [none]) if none.is_none_literal_expr() => {
                global_of(&compare.left)
            }
            _ => None,
        },
        term => global_of(term),
    };
    match test {
        Expr::BoolOp(bool_op) if bool_op.op == ast::BoolOp::And => {
            bool_op.values.iter().find_map(term)
        }
        test => term(test),
    }
}

/// Whether `body` (not its nested scopes) assigns the name `name`.
fn assigns_name(body: &[Stmt], name: &str) -> bool {
    let mut found = false;
    collect_assignments(body, &mut |target, _, _| {
        found |= matches!(target, Expr::Name(assigned) if assigned.id.as_str() == name);
    });
    found
}

/// Whether `function` is decorated by one of `names`, spelled bare (`@classmethod`).
pub fn decorated_with(function: &ast::StmtFunctionDef, names: &[&str]) -> bool {
    function.decorator_list.iter().any(|decorator| {
        matches!(&decorator.expression, Expr::Name(name) if names.contains(&name.id.as_str()))
    })
}

/// The name a class method calls its class by (`cls`): its first parameter, for a function
/// decorated `@classmethod`.
pub fn class_receiver(function: &ast::StmtFunctionDef) -> Option<&str> {
    receiver_name(function).filter(|_| decorated_with(function, &["classmethod"]))
}

/// Whether `body` does nothing when run: only `pass`, `...` and string literals (a `finally:
/// pass` left where cleanup once was).
pub fn does_nothing(body: &[Stmt]) -> bool {
    body.iter().all(|stmt| match stmt {
        Stmt::Pass(_) => true,
        Stmt::Expr(expr) => matches!(
            &*expr.value,
            Expr::EllipsisLiteral(_) | Expr::StringLiteral(_)
        ),
        _ => false,
    })
}

/// The names the `global` statements of `body` declare (not those of nested scopes).
pub fn declared_globals(body: &[Stmt]) -> Vec<&str> {
    declared_names(body, |stmt| match stmt {
        Stmt::Global(global) => Some(&global.names),
        _ => None,
    })
}

/// The names the `nonlocal` statements of `body` declare (not those of nested scopes).
pub fn declared_nonlocals(body: &[Stmt]) -> Vec<&str> {
    declared_names(body, |stmt| match stmt {
        Stmt::Nonlocal(nonlocal) => Some(&nonlocal.names),
        _ => None,
    })
}

/// The names the statements `names_of` accepts in `body` declare.
fn declared_names<'a>(
    body: &'a [Stmt],
    names_of: fn(&'a Stmt) -> Option<&'a Vec<ast::Identifier>>,
) -> Vec<&'a str> {
    let mut declared = Vec::new();
    walk_statements_shallow(body, &mut |stmt| {
        if let Some(names) = names_of(stmt) {
            declared.extend(names.iter().map(|name| name.as_str()));
        }
        Walk::Descend
    });
    declared
}

/// A function that returns at once for a key it has seen, and records each key it goes on
/// with: `if (role, name) in _SEEN: return`, then `_SEEN.add((role, name))` (or `.append`, or
/// `_SEEN[key] = ...`), both statements of the function's own body, the collection a name
/// it neither takes nor binds. Its work runs once per distinct key (unless something
/// forgets keys: the caller asks [`forgets_keys`]): `functools.cache` spelled by hand. The
/// collection's name, when the function is one.
pub fn records_seen_keys(function: &ast::StmtFunctionDef) -> Option<&str> {
    use ruff_python_ast::comparable::ComparableExpr;
    let body = &function.body;
    let (at, key, seen) = body.iter().enumerate().find_map(|(at, stmt)| {
        let Stmt::If(if_stmt) = stmt else {
            return None;
        };
        let returns_nothing = matches!(if_stmt.body.as_slice(),
            [Stmt::Return(ret)] if ret.value.as_deref().is_none_or(Expr::is_none_literal_expr));
        if !if_stmt.elif_else_clauses.is_empty() || !returns_nothing {
            return None;
        }
        let Expr::Compare(compare) = &*if_stmt.test else {
            return None;
        };
        match (compare.ops.as_ref(), compare.comparators.as_ref()) {
            ([ast::CmpOp::In], [Expr::Name(seen)]) => Some((at, &*compare.left, seen.id.as_str())),
            _ => None,
        }
    })?;
    let takes = function
        .parameters
        .iter()
        .any(|parameter| parameter.name().as_str() == seen);
    let mut binds = false;
    collect_assignments(body, &mut |target, _, _| {
        binds |= matches!(target, Expr::Name(name) if name.id.as_str() == seen);
    });
    if takes || binds {
        return None;
    }
    let key = ComparableExpr::from(key);
    let is_seen = |expr: &Expr| matches!(expr, Expr::Name(name) if name.id.as_str() == seen);
    let records = body[at + 1..].iter().any(|stmt| match stmt {
        Stmt::Expr(ast::StmtExpr { value, .. }) => match &**value {
            Expr::Call(call) => {
                matches!(&*call.func, Expr::Attribute(method)
                    if matches!(method.attr.as_str(), "add" | "append") && is_seen(&method.value))
                    && matches!(call.arguments.args.as_ref(), [recorded]
                        if call.arguments.keywords.is_empty() && ComparableExpr::from(recorded) == key)
            }
            _ => false,
        },
        Stmt::Assign(assign) => assign.targets.iter().any(|target| {
            matches!(target, Expr::Subscript(item)
                if is_seen(&item.value) && ComparableExpr::from(&*item.slice) == key)
        }),
        _ => false,
    });
    records.then_some(seen)
}

/// Whether the module can forget a key recorded in its collection `name`: it calls
/// `name.clear()`, `.discard`, `.remove`, `.pop` or `.popitem`, deletes an item of it, or a
/// function binds the name again (`global name`, then `name = set()`).
pub fn forgets_keys(body: &[Stmt], name: &str) -> bool {
    struct Forgets<'n> {
        name: &'n str,
        found: bool,
        depth: usize,
    }
    impl<'a> Visitor<'a> for Forgets<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.depth >= MAX_NESTING {
                return;
            }
            match stmt {
                Stmt::Delete(delete) => {
                    self.found |= delete.targets.iter().any(|target| {
                        matches!(target, Expr::Subscript(item)
                            if matches!(&*item.value, Expr::Name(seen) if seen.id.as_str() == self.name))
                    });
                }
                Stmt::FunctionDef(function)
                    if declared_globals(&function.body).contains(&self.name) =>
                {
                    collect_assignments(&function.body, &mut |target, _, _| {
                        self.found |=
                            matches!(target, Expr::Name(bound) if bound.id.as_str() == self.name);
                    });
                }
                _ => {}
            }
            if !self.found {
                self.depth += 1;
                visitor::walk_stmt(self, stmt);
                self.depth -= 1;
            }
        }

        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.depth >= MAX_NESTING {
                return;
            }
            if let Expr::Call(call) = expr
                && let Expr::Attribute(method) = &*call.func
                && matches!(
                    method.attr.as_str(),
                    "clear" | "discard" | "remove" | "pop" | "popitem"
                )
                && matches!(&*method.value, Expr::Name(seen) if seen.id.as_str() == self.name)
            {
                self.found = true;
            }
            if !self.found {
                self.depth += 1;
                visitor::walk_expr(self, expr);
                self.depth -= 1;
            }
        }
    }
    let mut forgets = Forgets {
        name,
        found: false,
        depth: 0,
    };
    forgets.visit_body(body);
    forgets.found
}

/// The module globals that some function sets back to `None` (`global _CACHE` then
/// `_CACHE = None`), each with whether a function sets it to a falsy literal (`None`,
/// `False`, `0`: `_STARTED = False` re-arms a latch): a value kept in one of them is made
/// again after each reset, not once per process. The functions named in `exit_hooks` are
/// left out: they run as the interpreter exits, when nothing is made again.
pub fn globals_reset<'a>(body: &'a [Stmt], exit_hooks: &[&str]) -> Vec<(&'a str, Reset)> {
    globals_reset_by(body, exit_hooks)
        .into_iter()
        .map(|(name, reset, _)| (name, reset))
        .collect()
}

/// [`globals_reset`], with the module-level function that makes each reset (`None` for a
/// method or a nested function).
pub fn globals_reset_by<'a>(
    body: &'a [Stmt],
    exit_hooks: &[&str],
) -> Vec<(&'a str, Reset, Option<&'a str>)> {
    names_reset(body, exit_hooks, declared_globals)
}

/// The variables of a function that closures nested in its `body` set back to `None` or
/// another falsy literal (`nonlocal _client` then `_client = None`): [`globals_reset`] for
/// what a closure keeps in its enclosing function.
pub fn nonlocals_reset(body: &[Stmt]) -> Vec<(&str, Reset)> {
    names_reset(body, &[], declared_nonlocals)
        .into_iter()
        .map(|(name, reset, _)| (name, reset))
        .collect()
}

/// The names that functions in `body` declare with `declared` and assign a falsy literal,
/// each with the function of `body` itself that does (when it is one of `body`'s own).
fn names_reset<'a>(
    body: &'a [Stmt],
    exit_hooks: &[&str],
    declared: for<'b> fn(&'b [Stmt]) -> Vec<&'b str>,
) -> Vec<(&'a str, Reset, Option<&'a str>)> {
    fn scope<'a>(
        body: &'a [Stmt],
        exit_hooks: &[&str],
        declared_in: for<'b> fn(&'b [Stmt]) -> Vec<&'b str>,
        top_level: bool,
        reset: &mut Vec<(&'a str, Reset, Option<&'a str>)>,
    ) {
        walk_statements_shallow(body, &mut |stmt| {
            match stmt {
                Stmt::FunctionDef(function) if exit_hooks.contains(&function.name.as_str()) => {
                    scope(&function.body, exit_hooks, declared_in, false, reset);
                }
                Stmt::FunctionDef(function) => {
                    let by = top_level.then_some(function.name.as_str());
                    let declared = declared_in(&function.body);
                    collect_assignments(&function.body, &mut |target, value, _| {
                        let kind = match value {
                            Some(Expr::NoneLiteral(_)) => Reset::ToNone,
                            Some(value) if is_falsy_literal(value) => Reset::ToFalsy,
                            _ => return,
                        };
                        if let Expr::Name(name) = target
                            && declared.contains(&name.id.as_str())
                        {
                            reset.push((name.id.as_str(), kind, by));
                        }
                    });
                    scope(&function.body, exit_hooks, declared_in, false, reset);
                }
                Stmt::ClassDef(class) => scope(&class.body, exit_hooks, declared_in, false, reset),
                _ => {}
            }
            Walk::Descend
        });
    }
    let mut reset = Vec::new();
    scope(body, exit_hooks, declared, true, &mut reset);
    reset
}

/// Whether `class` keeps its instances for the process: its `__new__` stores the instance
/// it makes in an attribute of the class (`cls._instances[port] = instance`, `cls._instance
/// = ...`) and returns what that attribute holds (`return cls._instances[port]`). Each
/// construction with the same key then hands back the one instance.
pub fn keeps_its_instances(class: &ast::StmtClassDef) -> bool {
    let Some(new) = find_function(&class.body, "__new__") else {
        return false;
    };
    let Some(receiver) = new
        .parameters
        .args
        .first()
        .map(|p| p.parameter.name.as_str())
    else {
        return false;
    };
    // The class attribute an expression reads or writes (`cls._instances[key]`, `cls._one`).
    let kept_in = |expr: &Expr| -> Option<String> {
        let expr = match expr {
            Expr::Subscript(subscript) => &*subscript.value,
            other => other,
        };
        match expr {
            Expr::Attribute(attribute) if matches!(&*attribute.value, Expr::Name(owner) if owner.id.as_str() == receiver) => {
                Some(attribute.attr.to_string())
            }
            _ => None,
        }
    };
    let mut stored = Vec::new();
    collect_assignments(&new.body, &mut |target, _, _| {
        if let Some(attribute) = kept_in(target) {
            stored.push(attribute);
        }
    });
    let mut returns_kept = false;
    walk_statements_shallow(&new.body, &mut |stmt| {
        if let Stmt::Return(ast::StmtReturn {
            value: Some(value), ..
        }) = stmt
            && kept_in(value).is_some_and(|attribute| stored.contains(&attribute))
        {
            returns_kept = true;
            return Walk::Stop;
        }
        Walk::Descend
    });
    returns_kept
}

/// Whether `expr` is `None`, `False` or the integer `0`: what a flag is set back to.
pub fn is_falsy_literal(expr: &Expr) -> bool {
    match expr {
        Expr::NoneLiteral(_) => true,
        Expr::BooleanLiteral(literal) => !literal.value,
        Expr::NumberLiteral(number) => matches!(&number.value, ast::Number::Int(int) if *int == 0),
        _ => false,
    }
}

/// What a function sets a module global back to ([`globals_reset`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reset {
    /// `None`: a kept value is made again, and a latch re-armed.
    ToNone,
    /// Another falsy literal (`False`, `0`): a latch re-armed.
    ToFalsy,
}

/// The names of the functions `body` (and everything nested in it) registers with a
/// callable `is_register` accepts: passed by name as the first argument of a call of it
/// (`atexit.register(_shutdown)`, wherever the call is), or decorated with it
/// (`@atexit.register`). A method passed through an object (`atexit.register(self.stop)`)
/// is listed by its name too, as [`Registered::Method`].
pub fn registered_functions<'a>(
    body: &'a [Stmt],
    is_register: &dyn Fn(&Expr) -> bool,
) -> Vec<Registered<'a>> {
    struct Collector<'a, 'r> {
        is_register: &'r dyn Fn(&Expr) -> bool,
        found: Vec<Registered<'a>>,
        nesting: usize,
    }
    impl<'a> Visitor<'a> for Collector<'a, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.nesting >= MAX_NESTING {
                return;
            }
            if let Stmt::FunctionDef(function) = stmt
                && function
                    .decorator_list
                    .iter()
                    .any(|decorator| (self.is_register)(&decorator.expression))
            {
                self.found
                    .push(Registered::Function(function.name.as_str()));
            }
            self.nesting += 1;
            visitor::walk_stmt(self, stmt);
            self.nesting -= 1;
        }
        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.nesting >= MAX_NESTING {
                return;
            }
            if let Expr::Call(call) = expr
                && let Some(registered) =
                    call.arguments
                        .args
                        .first()
                        .and_then(|argument| match argument {
                            Expr::Attribute(method) => {
                                Some(Registered::Method(method.attr.as_str()))
                            }
                            Expr::Name(name) => Some(Registered::Function(name.id.as_str())),
                            _ => None,
                        })
                && (self.is_register)(&call.func)
            {
                self.found.push(registered);
            }
            self.nesting += 1;
            visitor::walk_expr(self, expr);
            self.nesting -= 1;
        }
    }
    let mut registered = Collector {
        is_register,
        found: Vec::new(),
        nesting: 0,
    };
    registered.visit_body(body);
    registered.found
}

/// A function [`registered_functions`] found, by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Registered<'a> {
    /// Passed by its name, or decorated: a function of the module (or one nested in one).
    Function(&'a str),
    /// Passed as a method of an object (`self.stop`).
    Method(&'a str),
}

/// The names a body binds, each with how many statements or expressions bind it (not
/// descending into nested functions, classes or lambdas, whose names are their own), and
/// the names it declares `global` or `nonlocal`. Visit the body (or one statement) with it.
#[derive(Default)]
pub struct BoundNames<'a> {
    pub bound: rustc_hash::FxHashMap<&'a str, usize>,
    pub declared: rustc_hash::FxHashSet<&'a str>,
}

impl<'a> BoundNames<'a> {
    fn bind(&mut self, name: &'a str) {
        *self.bound.entry(name).or_default() += 1;
    }

    pub fn bind_target(&mut self, target: &'a Expr) {
        match target {
            Expr::Name(name) => self.bind(name.id.as_str()),
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                for elt in elts {
                    self.bind_target(elt);
                }
            }
            Expr::Starred(starred) => self.bind_target(&starred.value),
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for BoundNames<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                self.bind(def.name.as_str());
                return;
            }
            Stmt::ClassDef(class) => {
                self.bind(class.name.as_str());
                return;
            }
            Stmt::Global(ast::StmtGlobal { names, .. })
            | Stmt::Nonlocal(ast::StmtNonlocal { names, .. }) => {
                self.declared
                    .extend(names.iter().map(ast::Identifier::as_str));
            }
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.bind_target(target);
                }
            }
            Stmt::AnnAssign(assign) => self.bind_target(&assign.target),
            Stmt::AugAssign(assign) => self.bind_target(&assign.target),
            Stmt::For(for_stmt) => self.bind_target(&for_stmt.target),
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(vars) = &item.optional_vars {
                        self.bind_target(vars);
                    }
                }
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                    self.bind(name.split('.').next().unwrap_or(name));
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    self.bind(alias.asname.as_ref().unwrap_or(&alias.name).as_str());
                }
            }
            Stmt::Try(try_stmt) => {
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    if let Some(name) = &handler.name {
                        self.bind(name.as_str());
                    }
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => {}
            Expr::Named(named) => {
                self.bind_target(&named.target);
                visitor::walk_expr(self, expr);
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every expression's range, and every suite of statements, of a module.
    #[derive(Default)]
    struct Collected<'a> {
        ranges: Vec<TextRange>,
        suites: Vec<&'a [Stmt]>,
    }

    impl<'a> Visitor<'a> for Collected<'a> {
        fn visit_expr(&mut self, expr: &'a Expr) {
            self.ranges.push(expr.range());
            visitor::walk_expr(self, expr);
        }

        fn visit_body(&mut self, body: &'a [Stmt]) {
            self.suites.push(body);
            visitor::walk_body(self, body);
        }
    }

    #[test]
    fn a_suite_holds_a_range_by_halving_as_by_a_scan() {
        let source = "import os\n\
            def f(a):\n    x = 1; y = g(a)\n    try:\n        h(x)\n        k(y, z(x))\n    \
            except OSError:\n        m()\n    if a:\n        n()\n    elif x:\n        o()\n    \
            else:\n        p(q())\n    return r(a)\n\nclass C:\n    v = w()\n";
        let parsed = ruff_python_parser::parse_module(source).unwrap();
        let mut collected = Collected::default();
        collected.visit_body(parsed.suite());
        assert!(collected.suites.len() >= 6 && collected.ranges.len() > 20);
        for suite in &collected.suites {
            for &range in &collected.ranges {
                let scanned = suite.iter().any(|stmt| stmt.range().contains_range(range));
                assert_eq!(body_holds(suite, range), scanned, "{range:?}");
            }
        }
    }
}

/// Whether `method` is read as an attribute: `@property`, `@functools.cached_property`.
pub fn is_property(method: &ast::StmtFunctionDef) -> bool {
    method.decorator_list.iter().any(|decorator| {
        let name = match &decorator.expression {
            Expr::Name(name) => name.id.as_str(),
            Expr::Attribute(attribute) => attribute.attr.as_str(),
            _ => return false,
        };
        matches!(name, "property" | "cached_property")
    })
}

/// One use of a name in a module, as [`uses_of_name`] finds it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NameUse<'a> {
    /// It is what a call calls (`helper(...)`), not a value handed on (`loop.add_callback(helper)`).
    pub called: bool,
    /// The call, when it is one.
    pub call: Option<&'a ast::ExprCall>,
    /// The body of the innermost function around it (`None` at module or class level).
    pub caller: Option<&'a [Stmt]>,
    /// The innermost function around it is an `async def` (a lambda or a class body is not).
    pub in_coroutine: bool,
    /// An `except` handler of the same function around it, one `marks` accepts.
    pub in_marked_handler: bool,
    /// The call it is handed to as a positional argument (`loop.add_reader(fd, self.on_ready)`),
    /// when it is one.
    pub handed_to: Option<&'a ast::ExprCall>,
}

/// Every use of `name` in `body` (`helper`, and `x.helper` when `attributes`), with where it
/// sits: how a module calls one of its functions, for the rules that exempt a function by its
/// callers (a sync helper only coroutines call, a helper only re-raising handlers call).
/// Decorators and defaults count where the function is defined; a nested function, lambda or
/// class body runs at another time, so the handlers around its definition do not count.
pub fn uses_of_name<'a>(
    body: &'a [Stmt],
    name: &str,
    attributes: bool,
    marks: &dyn Fn(&ast::ExceptHandlerExceptHandler) -> bool,
) -> Vec<NameUse<'a>> {
    struct Uses<'a, 'n, 'm> {
        name: &'n str,
        attributes: bool,
        marks: &'m dyn Fn(&ast::ExceptHandlerExceptHandler) -> bool,
        in_coroutine: bool,
        caller: Option<&'a [Stmt]>,
        marked_handlers: usize,
        depth: usize,
        found: Vec<NameUse<'a>>,
    }
    impl<'a> Uses<'a, '_, '_> {
        fn names(&self, expr: &Expr) -> bool {
            match expr {
                Expr::Name(name) => name.id.as_str() == self.name,
                Expr::Attribute(attribute) => {
                    self.attributes && attribute.attr.as_str() == self.name
                }
                _ => false,
            }
        }
        fn record(&mut self, call: Option<&'a ast::ExprCall>) {
            self.record_use(call, None);
        }
        fn record_use(
            &mut self,
            call: Option<&'a ast::ExprCall>,
            handed_to: Option<&'a ast::ExprCall>,
        ) {
            self.found.push(NameUse {
                called: call.is_some(),
                call,
                caller: self.caller,
                in_coroutine: self.in_coroutine,
                in_marked_handler: self.marked_handlers > 0,
                handed_to,
            });
        }
        /// Visits what runs at another time (a nested body) with `in_coroutine` and no
        /// handlers around it.
        fn elsewhere(
            &mut self,
            (in_coroutine, caller): (bool, Option<&'a [Stmt]>),
            visit: impl FnOnce(&mut Self),
        ) {
            let outer = (self.in_coroutine, self.caller, self.marked_handlers);
            self.in_coroutine = in_coroutine;
            self.caller = caller;
            self.marked_handlers = 0;
            visit(self);
            (self.in_coroutine, self.caller, self.marked_handlers) = outer;
        }
    }
    impl<'a> Visitor<'a> for Uses<'a, '_, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.depth >= MAX_NESTING {
                return;
            }
            self.depth += 1;
            match stmt {
                Stmt::FunctionDef(function) => {
                    for decorator in &function.decorator_list {
                        self.visit_expr(&decorator.expression);
                    }
                    self.visit_parameters(&function.parameters);
                    self.elsewhere((function.is_async, Some(&function.body)), |uses| {
                        uses.visit_body(&function.body);
                    });
                }
                Stmt::ClassDef(_) => {
                    self.elsewhere((false, None), |uses| visitor::walk_stmt(uses, stmt));
                }
                _ => visitor::walk_stmt(self, stmt),
            }
            self.depth -= 1;
        }

        fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
            let ast::ExceptHandler::ExceptHandler(inner) = handler;
            let marked = (self.marks)(inner);
            self.marked_handlers += usize::from(marked);
            visitor::walk_except_handler(self, handler);
            self.marked_handlers -= usize::from(marked);
        }

        fn visit_expr(&mut self, expr: &'a Expr) {
            if self.depth >= MAX_NESTING {
                return;
            }
            self.depth += 1;
            match expr {
                Expr::Call(call) if self.names(&call.func) => {
                    self.record(Some(call));
                    if let Expr::Attribute(attribute) = &*call.func {
                        self.visit_expr(&attribute.value);
                    }
                    self.visit_arguments(&call.arguments);
                }
                // A call the name is handed to: which one is kept with the use.
                Expr::Call(call)
                    if call
                        .arguments
                        .args
                        .iter()
                        .any(|argument| self.names(argument)) =>
                {
                    self.visit_expr(&call.func);
                    for argument in &call.arguments.args {
                        if self.names(argument) {
                            self.record_use(None, Some(call));
                            if let Expr::Attribute(attribute) = argument {
                                self.visit_expr(&attribute.value);
                            }
                        } else {
                            self.visit_expr(argument);
                        }
                    }
                    for keyword in &call.arguments.keywords {
                        self.visit_expr(&keyword.value);
                    }
                }
                other if self.names(other) => {
                    self.record(None);
                    if let Expr::Attribute(attribute) = other {
                        self.visit_expr(&attribute.value);
                    }
                }
                Expr::Lambda(_) => {
                    self.elsewhere((false, None), |uses| visitor::walk_expr(uses, expr));
                }
                other => visitor::walk_expr(self, other),
            }
            self.depth -= 1;
        }
    }
    let mut uses = Uses {
        name,
        attributes,
        marks,
        in_coroutine: false,
        caller: None,
        marked_handlers: 0,
        depth: 0,
        found: Vec::new(),
    };
    uses.visit_body(body);
    uses.found
}

/// Whether a thread queue's construction sets no bound: no `maxsize` (keyword or first
/// argument), or a literal one of `0` or less. `put` on such a queue never waits for room.
pub fn sets_no_queue_bound(construction: &ast::ExprCall) -> bool {
    match construction.arguments.find_argument_value("maxsize", 0) {
        None => true,
        Some(Expr::NumberLiteral(number)) => {
            matches!(&number.value, ast::Number::Int(int) if int.as_u8() == Some(0))
        }
        Some(Expr::UnaryOp(negative)) => {
            negative.op == ast::UnaryOp::USub
                && matches!(&*negative.operand, Expr::NumberLiteral(_))
        }
        Some(_) => false,
    }
}

/// An empty container made in place: `{}`, `[]`, `dict()`, `list()`, `set()`,
/// `OrderedDict()`, `defaultdict(list)` (its argument makes the missing entries, not the
/// content).
pub fn is_empty_container(expr: &Expr) -> bool {
    match expr {
        Expr::Dict(dict) => dict.items.is_empty(),
        Expr::List(list) => list.elts.is_empty(),
        Expr::Call(call) => match last_identifier(&call.func) {
            Some("defaultdict") => call.arguments.keywords.is_empty(),
            Some("dict" | "list" | "set" | "OrderedDict") => call.arguments.is_empty(),
            _ => false,
        },
        _ => false,
    }
}

/// The ranges of the `if __name__ == "__main__":` statements (either way round) at the top
/// level of a module's `body`: the code only a program started from the module runs.
pub fn main_blocks(body: &[Stmt]) -> impl Iterator<Item = TextRange> + '_ {
    body.iter().filter_map(|stmt| {
        let Stmt::If(branch) = stmt else {
            return None;
        };
        let Expr::Compare(compare) = &*branch.test else {
            return None;
        };
        let ([ast::CmpOp::Eq], [right]) = (&*compare.ops, &*compare.comparators) else {
            return None;
        };
        let is_name = |expr: &Expr| matches!(expr, Expr::Name(name) if name.id.as_str() == "__name__");
        let is_main = |expr: &Expr| {
            matches!(expr, Expr::StringLiteral(literal) if literal.value.to_str() == "__main__")
        };
        ((is_name(&compare.left) && is_main(right)) || (is_main(&compare.left) && is_name(right)))
            .then(|| branch.range())
    })
}
