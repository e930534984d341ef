//! Entering a function or lambda: the names its scope binds (they shadow imports and
//! globals), and the types of its locals learned from annotations and assignments.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::name::Name;
use ruff_python_ast::{self as ast, Expr, Stmt};

use super::model::{SemanticModel, element_type};
use super::resolved::{Resolved, member_path};
use super::scope::{FunctionScope, Receiver, Scope};

impl SemanticModel<'_> {
    /// Pushes the scope of `function` (whose qualified path is `path`) and infers the types
    /// of its locals from its parameters' annotations and its assignments, in source order.
    /// Nested `def`s resolve to `path.name`. Call [`ScopeStack::pop`] after.
    pub fn enter_function(
        &mut self,
        function: &ast::StmtFunctionDef,
        path: &str,
        receiver: Receiver,
    ) {
        // The names are gathered first and the map made at their number: built name by
        // name, it was rehashed as it grew (three or four times for a typical function).
        let mut bound = std::mem::take(&mut self.bound_names);
        let mut declared_elsewhere = HashSet::default();
        let mut nested_definitions = Vec::new();
        collect_bound_names(
            &function.body,
            &mut bound,
            &mut declared_elsewhere,
            &mut nested_definitions,
        );
        let mut scope = FunctionScope {
            is_async: function.is_async,
            bindings: HashMap::with_capacity_and_hasher(
                bound.len() + function.parameters.len(),
                Default::default(),
            ),
            super_receiver: super_receiver(receiver, function),
        };
        for name in bound.drain(..) {
            scope.bindings.entry(name).or_insert(None);
        }
        self.bound_names = bound;
        for name in &declared_elsewhere {
            scope.bindings.remove(name);
        }
        for nested in nested_definitions {
            scope.bindings.insert(
                nested.clone(),
                Some(Resolved::Path(member_path(path, nested.as_str()))),
            );
        }
        for (index, parameter) in function.parameters.iter().enumerate() {
            let name = parameter.name().id.clone();
            let known = match receiver {
                Receiver::Instance(class) if index == 0 => {
                    Some(Resolved::Instance(class.to_string()))
                }
                Receiver::Class(class) if index == 0 => Some(Resolved::Path(class.to_string())),
                _ => parameter
                    .annotation()
                    .and_then(|annotation| self.annotation_type(annotation))
                    .map(Resolved::Instance),
            };
            scope.bindings.insert(name, known);
        }
        self.scopes.push(Scope::Function(scope));
        let mut conflicted = Conflicts::default();
        self.infer_local_types(&function.body, &mut conflicted);
        self.forget_either_or(&conflicted);
    }

    /// Forgets the types of locals bound to a wrapper in one place and to what it wraps in
    /// another (`sender = async_to_sync(send)` in one branch, `sender = send` in the
    /// other): which one a later call meets is not known here.
    fn forget_either_or(&mut self, conflicted: &Conflicts) {
        if conflicted.plain.is_empty() || conflicted.wrapping.is_empty() {
            return;
        }
        let Some(scope) = self.scopes.innermost_function_mut() else {
            return;
        };
        for (target, wrapped) in &conflicted.wrapping {
            if (conflicted.plain.iter()).any(|(local, name)| local == target && name == wrapped)
                && let Some(binding) = scope.bindings.get_mut(target.as_str())
            {
                *binding = None;
            }
        }
    }

    pub fn enter_lambda(&mut self, lambda: &ast::ExprLambda) {
        let parameters = lambda
            .parameters
            .iter()
            .flat_map(|parameters| parameters.iter())
            .map(|parameter| parameter.name().id.clone())
            .collect();
        self.scopes.push(Scope::Lambda(parameters));
    }

    fn infer_local_types(&mut self, body: &[Stmt], conflicted: &mut Conflicts) {
        for stmt in body {
            match stmt {
                Stmt::Assign(assign) => {
                    if let [Expr::Name(target)] = assign.targets.as_slice() {
                        let known = self.resolve(&assign.value);
                        conflicted.note_either_or(target, &assign.value, known.is_some());
                        if known.is_none() && !assign.value.is_none_literal_expr() {
                            self.bound_to_unknown(target.id.as_str(), conflicted);
                        } else {
                            self.learn(target.id.as_str(), known, conflicted);
                        }
                    }
                }
                Stmt::AnnAssign(assign) => {
                    if let Expr::Name(target) = &*assign.target {
                        let known = self.annotated_assignment(assign);
                        self.learn(target.id.as_str(), known, conflicted);
                    }
                }
                Stmt::Import(_) | Stmt::ImportFrom(_) => {
                    let mut imports = Vec::new();
                    self.module.import_bindings(stmt, &mut imports);
                    for (local, path) in imports {
                        self.learn(local, Some(Resolved::Path(path)), conflicted);
                    }
                }
                Stmt::With(with) => {
                    for item in &with.items {
                        if let Some(Expr::Name(target)) = item.optional_vars.as_deref() {
                            // An instance, or a value only the link can type (`with
                            // self.Session() as session`, the factory declared in a base
                            // class of another module), entered as itself.
                            let known = self
                                .resolve(&item.context_expr)
                                .filter(|resolved| {
                                    resolved.instance_type().is_some()
                                        || matches!(resolved, Resolved::Path(path)
                                            if path.ends_with(super::DEFERRED_CALL))
                                })
                                .and_then(|resolved| self.entered(resolved, with.is_async));
                            let name = target.id.as_str();
                            if known.is_some() && conflicted.bound_to_unknown.contains(name) {
                                self.forget(name, conflicted);
                            } else {
                                if known.is_some() {
                                    conflicted.entered.insert(Name::new(name));
                                }
                                self.learn(name, known, conflicted);
                            }
                        }
                    }
                    self.infer_local_types(&with.body, conflicted);
                }
                Stmt::If(if_stmt) => {
                    self.infer_local_types(&if_stmt.body, conflicted);
                    for clause in &if_stmt.elif_else_clauses {
                        self.infer_local_types(&clause.body, conflicted);
                    }
                }
                Stmt::For(for_stmt) => {
                    // `for con in conns:` where `conns: list[sqlite3.Connection]`.
                    if let Expr::Name(target) = &*for_stmt.target {
                        let element = self.resolve(&for_stmt.iter).and_then(|resolved| {
                            let element = element_type(resolved.instance_type()?)?;
                            Some(Resolved::Instance(element.to_string()))
                        });
                        match element {
                            Some(element) => {
                                self.learn(target.id.as_str(), Some(element), conflicted);
                            }
                            // Each element may be anything: a callable the name held in an
                            // earlier loop is not what it holds here.
                            None => self.bound_to_unknown(target.id.as_str(), conflicted),
                        }
                    }
                    // `for key, future in futures.items():` over a `dict[str, Future]`, and
                    // `for index, conn in enumerate(conns):`: the second name is a value.
                    if let Expr::Tuple(pair) = &*for_stmt.target
                        && let [_, Expr::Name(second)] = pair.elts.as_slice()
                        && let Some(value) = self.paired_value(&for_stmt.iter)
                    {
                        self.learn(second.id.as_str(), Some(value), conflicted);
                    }
                    self.infer_local_types(&for_stmt.body, conflicted);
                    self.infer_local_types(&for_stmt.orelse, conflicted);
                }
                Stmt::While(while_stmt) => {
                    self.infer_local_types(&while_stmt.body, conflicted);
                    self.infer_local_types(&while_stmt.orelse, conflicted);
                }
                Stmt::Try(try_stmt) => {
                    self.infer_local_types(&try_stmt.body, conflicted);
                    for handler in &try_stmt.handlers {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        self.infer_local_types(&handler.body, conflicted);
                    }
                    self.infer_local_types(&try_stmt.orelse, conflicted);
                    self.infer_local_types(&try_stmt.finalbody, conflicted);
                }
                Stmt::Match(match_stmt) => {
                    for case in &match_stmt.cases {
                        self.infer_local_types(&case.body, conflicted);
                    }
                }
                _ => {}
            }
        }
    }

    /// The type of the second item of each pair `iterable` gives, when known: the values of
    /// a mapping's `items()`, the elements of a collection `enumerate(...)` numbers.
    fn paired_value(&self, iterable: &Expr) -> Option<Resolved> {
        let Expr::Call(call) = iterable else {
            return None;
        };
        let (source, of) = match (&*call.func, call.arguments.args.as_ref()) {
            (Expr::Attribute(method), []) if method.attr.as_str() == "items" => {
                (&*method.value, super::model::VALUES_OF)
            }
            (Expr::Name(function), [collection, ..]) if function.id.as_str() == "enumerate" => {
                (collection, super::model::ELEMENTS_OF)
            }
            _ => return None,
        };
        let resolved = self.resolve(source)?;
        let value = resolved.instance_type()?.strip_prefix(of)?;
        Some(Resolved::Instance(value.to_string()))
    }

    /// Records what an assignment tells of `name`. A name assigned two different known
    /// values is treated as unknown: precision matters more than recall.
    /// `name = <a value of no known type>`, or `for name in <elements of no known type>:`. A
    /// function held in a local (or a callable known only to return an awaitable) is not
    /// known once the local is also bound to something else (`handler = getattr(self, name)` in one
    /// branch, `handler = self.fallback` in another: it may hold either). An instance type
    /// stays known: locals are typed flow-insensitively, and `path = await fetch(); path =
    /// Path(path)` rebinds in sequence far more often than it chooses between types.
    ///
    /// A name a `with` binds is different: the value is the block's (`async with
    /// session.get(url) as response:`), and a name bound again elsewhere to something of no
    /// known type (`response = await loop.run_in_executor(None, post)`) holds that outside
    /// the block. Such a name is not known either.
    fn bound_to_unknown(&mut self, name: &str, conflicted: &mut Conflicts) {
        conflicted.bound_to_unknown.insert(Name::new(name));
        let Some(scope) = self.scopes.innermost_function_mut() else {
            return;
        };
        if let Some(binding) = scope.bindings.get_mut(name)
            && binding.as_ref().is_some_and(|value| {
                is_callable_binding(value) || conflicted.entered.contains(name)
            })
        {
            *binding = None;
            conflicted.names.insert(Name::new(name));
        }
    }

    /// `name` may hold values of different types: it is not known.
    fn forget(&mut self, name: &str, conflicted: &mut Conflicts) {
        conflicted.names.insert(Name::new(name));
        if let Some(binding) = self
            .scopes
            .innermost_function_mut()
            .and_then(|scope| scope.bindings.get_mut(name))
        {
            *binding = None;
        }
    }

    /// What `with value as name` (`async with` when `is_async`) binds to `name`: the value
    /// itself, unless its class is one of this module's and defines `__enter__`/`__aenter__`
    /// returning something else; then the method's return annotation, if it has one.
    fn entered(&self, value: Resolved, is_async: bool) -> Option<Resolved> {
        let Some(class) = value
            .instance_type()
            .and_then(|type_name| self.module.classes.get(type_name))
        else {
            return Some(value);
        };
        match class
            .entries
            .iter()
            .find(|(entry_async, _)| *entry_async == is_async)
        {
            None | Some((_, true)) => Some(value),
            Some((_, false)) => {
                let method = if is_async { "__aenter__" } else { "__enter__" };
                let path = super::resolved::member_path(value.instance_type()?, method);
                let returned = self.module.returns.get(&path)?;
                Some(Resolved::Instance(returned.clone()))
            }
        }
    }

    fn learn(&mut self, name: &str, known: Option<Resolved>, conflicted: &mut Conflicts) {
        let Some(known) = known else { return };
        if conflicted.names.contains(name) {
            return;
        }
        let Some(scope) = self.scopes.innermost_function_mut() else {
            return;
        };
        let Some(binding) = scope.bindings.get_mut(name) else {
            return;
        };
        if is_callable_binding(&known) && conflicted.bound_to_unknown.contains(name) {
            *binding = None;
            conflicted.names.insert(Name::new(name));
            return;
        }
        match binding {
            None => *binding = Some(known),
            Some(existing) if *existing == known => {}
            // `path = path or self.filename` (a `str`), then `path = Path(path)`: a plain value
            // converted to an object. The object's type is the one whose methods may block;
            // read as the plain value's, a method call before the conversion names a `str`
            // method that does not exist on it either way.
            Some(existing) if is_plain_value(existing) && !is_plain_value(&known) => {
                *binding = Some(known);
            }
            Some(existing) if !is_plain_value(existing) && is_plain_value(&known) => {}
            // `acc = Account.from_json(path)` in one branch, `acc = Account(provider)` in the
            // other: a method called on the class itself, whose result only the link could
            // tell, is taken for the alternate constructor it almost always is.
            Some(existing) if makes_instance_of(&known, existing) => {}
            Some(existing) if makes_instance_of(existing, &known) => *binding = Some(known),
            Some(_) => {
                *binding = None;
                conflicted.names.insert(Name::new(name));
            }
        }
    }
}

/// A function held in a local, or a callable known only to return an awaitable
/// (`handler: Callable[..., Awaitable[None]]`): what calling it does is what the binding
/// says, so once the local may hold something else too, it is not known. (What LW302 and
/// LW303 fix, by adding an `await`, depends on it.)
fn is_callable_binding(value: &Resolved) -> bool {
    match value {
        Resolved::Path(_) => true,
        Resolved::Instance(type_name) => type_name == crate::catalog::AWAITABLE_CALLABLE,
    }
}

/// Whether `call` is the result, left to the link, of a method called on the class that
/// `instance` is an instance of (`app.Account.from_json()` beside `app.Account`).
fn makes_instance_of(call: &Resolved, instance: &Resolved) -> bool {
    let (Resolved::Path(call), Some(class)) = (call, instance.instance_type()) else {
        return false;
    };
    call.strip_prefix(class)
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(|rest| rest.strip_suffix(super::model::DEFERRED_CALL))
        .is_some_and(|method| !method.is_empty() && !method.contains('.'))
}

/// A value of a builtin scalar type (`str`, `bytes`, `int`, `float`, `bool`), none of whose
/// methods block.
fn is_plain_value(value: &Resolved) -> bool {
    matches!(
        value.instance_type(),
        Some(
            "builtins.str" | "builtins.bytes" | "builtins.int" | "builtins.float" | "builtins.bool"
        )
    )
}

/// What the inference of one function's locals has learnt to distrust.
#[derive(Default)]
struct Conflicts {
    /// Locals bound to values of different known types (or a function and an unknown value).
    names: HashSet<Name>,
    /// Locals bound somewhere to a value of no known type.
    bound_to_unknown: HashSet<Name>,
    /// Locals a `with` binds to a value of a known type (`async with session.get(url) as
    /// response:`).
    entered: HashSet<Name>,
    /// Locals bound to another name of no known type (`sender = send`), with that name.
    plain: Vec<(Name, Name)>,
    /// Locals bound to a call of a known type that wraps a name (`sender =
    /// async_to_sync(send)`), once for each name it is handed.
    wrapping: Vec<(Name, Name)>,
}

impl Conflicts {
    /// Notes `target = value` for [`SemanticModel::forget_either_or`].
    fn note_either_or(&mut self, target: &ast::ExprName, value: &Expr, typed: bool) {
        match value {
            // A name of a known type is what the wrapper makes of it (`path = root` and
            // `path = Path(root, rel)`), or will be told apart by its type.
            Expr::Name(name) if !typed => self
                .plain
                .push((Name::new(target.id.as_str()), Name::new(name.id.as_str()))),
            Expr::Call(call) if typed => {
                for argument in &call.arguments.args {
                    if let Expr::Name(name) = argument
                        && name.id != target.id
                    {
                        self.wrapping
                            .push((Name::new(target.id.as_str()), Name::new(name.id.as_str())));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Every name `body` binds in its own scope (not in nested functions, classes or lambdas),
/// once for each time it is bound, the names it declares `global` or `nonlocal` (which it
/// does not bind locally), and the `def`s directly in it (inside compound statements, not
/// inside nested scopes): one walk for all three, as it runs for every function.
fn collect_bound_names<'a>(
    body: &'a [Stmt],
    bound: &mut Vec<Name>,
    declared_elsewhere: &mut HashSet<Name>,
    definitions: &mut Vec<&'a Name>,
) {
    use ruff_python_ast::statement_visitor::{StatementVisitor, walk_stmt};

    struct Collector<'b, 'a> {
        bound: &'b mut Vec<Name>,
        declared_elsewhere: &'b mut HashSet<Name>,
        definitions: &'b mut Vec<&'a Name>,
    }

    impl Collector<'_, '_> {
        fn bind_target(&mut self, target: &Expr) {
            match target {
                Expr::Name(name) => self.bind(&name.id),
                Expr::Tuple(tuple) => tuple.elts.iter().for_each(|elt| self.bind_target(elt)),
                Expr::List(list) => list.elts.iter().for_each(|elt| self.bind_target(elt)),
                Expr::Starred(starred) => self.bind_target(&starred.value),
                _ => {}
            }
        }

        fn bind(&mut self, name: &Name) {
            // A copy of a `Name` is a few bytes inline or a shared reference.
            self.bound.push(name.clone());
        }
    }

    impl<'a> StatementVisitor<'a> for Collector<'_, 'a> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(function) => {
                    self.bind(&function.name.id);
                    self.definitions.push(&function.name.id);
                    return;
                }
                Stmt::ClassDef(class) => {
                    self.bind(&class.name.id);
                    return;
                }
                Stmt::Assign(assign) => assign
                    .targets
                    .iter()
                    .for_each(|target| self.bind_target(target)),
                Stmt::AnnAssign(assign) => self.bind_target(&assign.target),
                Stmt::AugAssign(assign) => self.bind_target(&assign.target),
                Stmt::For(for_stmt) => self.bind_target(&for_stmt.target),
                Stmt::With(with) => {
                    for item in &with.items {
                        if let Some(target) = &item.optional_vars {
                            self.bind_target(target);
                        }
                    }
                }
                Stmt::Import(import) => {
                    for alias in &import.names {
                        let name = alias.asname.as_ref().unwrap_or(&alias.name);
                        match name.as_str().split_once('.') {
                            Some((first, _)) => self.bind(&Name::new(first)),
                            None => self.bind(&name.id),
                        }
                    }
                }
                Stmt::ImportFrom(import) => {
                    for alias in &import.names {
                        self.bind(&alias.asname.as_ref().unwrap_or(&alias.name).id);
                    }
                }
                Stmt::Global(global) => global.names.iter().for_each(|name| {
                    self.declared_elsewhere.insert(name.id.clone());
                }),
                Stmt::Nonlocal(nonlocal) => nonlocal.names.iter().for_each(|name| {
                    self.declared_elsewhere.insert(name.id.clone());
                }),
                Stmt::Try(try_stmt) => {
                    for handler in &try_stmt.handlers {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        if let Some(name) = &handler.name {
                            self.bind(&name.id);
                        }
                    }
                }
                Stmt::Delete(delete) => delete
                    .targets
                    .iter()
                    .for_each(|target| self.bind_target(target)),
                _ => {}
            }
            walk_stmt(self, stmt);
        }
    }

    let mut collector = Collector {
        bound,
        declared_elsewhere,
        definitions,
    };
    // Walrus targets are not collected: a walrus that rebinds an imported module's name
    // is too rare to pay an expression walk per function for.
    collector.visit_body(body);
}

/// Whether `super()` in `function`, entered with `receiver`, binds to an instance (`true`)
/// or a class (`false`); `None` outside a method, or in one without the parameter it binds
/// to.
fn super_receiver(receiver: Receiver, function: &ast::StmtFunctionDef) -> Option<bool> {
    function.parameters.iter().next()?;
    match receiver {
        Receiver::Instance(_) => Some(true),
        Receiver::Class(_) => Some(false),
        Receiver::None => None,
    }
}
