//! Building a module's bindings: one pass over its top-level statements for imports,
//! aliases and definitions, then one over its classes for what their instances hold.

use ruff_python_ast::{self as ast, Expr, ModModule, Stmt};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::bindings::{ClassInfo, ModuleBindings, receiver_of};
use super::model::SemanticModel;
use super::resolved::{Resolved, member_path};
use super::scope::Receiver;
use crate::ast_query::is_property;
use crate::catalog::{self, EVENT_LOOP};

/// `Annotated[T, ...]`, whose first argument is the type.
const ANNOTATED_FORMS: &[&str] = &["typing.Annotated", "typing_extensions.Annotated"];

/// The annotations that mark an assignment as a type alias (`Handler: TypeAlias = ...`).
const TYPE_ALIAS_MARKERS: &[&str] = &["typing.TypeAlias", "typing_extensions.TypeAlias"];

impl ModuleBindings {
    /// The bindings of `module`, named `module_name`; `project_roots` are the top-level
    /// names of the project it belongs to, when the project is known.
    pub fn new(
        module: &ModModule,
        module_name: &str,
        is_package: bool,
        project_roots: Option<std::sync::Arc<HashSet<String>>>,
    ) -> Self {
        let mut bindings = Self {
            module_name: module_name.to_string(),
            is_package,
            project_roots,
            ..Self::default()
        };
        // Most module-level statements bind a name (imports, definitions, assignments): the
        // map is sized for them once rather than grown step by step.
        bindings.names.reserve(module.body.len());
        bindings.bind_statements(&module.body, &mut Vec::new());
        bindings.infer_return_types(&module.body);
        bindings.retype_assigned_calls(&module.body);
        bindings.infer_class_attributes(&module.body);
        bindings.infer_parameter_attributes(&module.body);
        bindings
    }

    fn bind(&mut self, name: &str, value: Option<Resolved>) {
        if !self.type_only.is_empty() {
            self.type_only.retain(|type_only| type_only != name);
        }
        self.names.insert(name.to_string(), value);
    }

    /// `imports`: a buffer for the names each import binds, reused by every import of the
    /// module.
    fn bind_statements<'s>(&mut self, body: &'s [Stmt], imports: &mut Vec<(&'s str, String)>) {
        for stmt in body {
            match stmt {
                Stmt::Import(_) | Stmt::ImportFrom(_) => {
                    self.import_bindings(stmt, imports);
                    for (local, path) in imports.drain(..) {
                        self.bind(local, Some(Resolved::Path(path)));
                    }
                    if let Some(module) = self.star_import(stmt) {
                        self.star_imports.push(module);
                    }
                }
                Stmt::FunctionDef(function) => {
                    let path = self.qualify(function.name.as_str());
                    self.bind(function.name.as_str(), Some(Resolved::Path(path)));
                }
                Stmt::ClassDef(class) => {
                    let path = self.qualify(class.name.as_str());
                    self.bind(class.name.as_str(), Some(Resolved::Path(path.clone())));
                    let info = self.class_skeleton(class);
                    self.classes.insert(path, info);
                }
                Stmt::Assign(assign) => {
                    let value = self
                        .type_alias(&assign.value)
                        .or_else(|| self.resolve_module_level(&assign.value));
                    for target in &assign.targets {
                        self.bind_target(target, value.clone());
                    }
                }
                Stmt::AnnAssign(assign) => {
                    let model = SemanticModel::new(self);
                    let value = if model
                        .path_of(&assign.annotation)
                        .is_some_and(|path| TYPE_ALIAS_MARKERS.contains(&path.as_str()))
                    {
                        assign
                            .value
                            .as_deref()
                            .and_then(|value| self.type_alias(value))
                    } else {
                        model.annotated_assignment(assign)
                    };
                    self.bind_target(&assign.target, value);
                }
                Stmt::TypeAlias(alias) => {
                    let value = self.type_alias(&alias.value);
                    self.bind_target(&alias.name, value);
                }
                Stmt::AugAssign(assign) => self.bind_target(&assign.target, None),
                Stmt::For(for_stmt) => {
                    self.bind_target(&for_stmt.target, None);
                    self.bind_statements(&for_stmt.body, imports);
                    self.bind_statements(&for_stmt.orelse, imports);
                }
                Stmt::While(while_stmt) => {
                    self.bind_statements(&while_stmt.body, imports);
                    self.bind_statements(&while_stmt.orelse, imports);
                }
                // `if sys.version_info >= (3, 8): from asyncio import create_task` / `else:
                // def create_task(...)`: the newer Pythons' branch is bound last, and kept.
                Stmt::If(if_stmt) if tests_for_newer_python(&if_stmt.test) => {
                    for clause in &if_stmt.elif_else_clauses {
                        self.bind_statements(&clause.body, imports);
                    }
                    self.bind_statements(&if_stmt.body, imports);
                    self.forget_imports_branches_disagree_on(if_stmt, imports);
                }
                // `if TYPE_CHECKING: from httpx import Client`: names for annotations. Bound
                // as they are (annotations resolve through them), and kept apart unless the
                // module binds them elsewhere too.
                Stmt::If(if_stmt)
                    if if_stmt.elif_else_clauses.is_empty() && is_type_checking(&if_stmt.test) =>
                {
                    let mut imported = Vec::new();
                    for stmt in &if_stmt.body {
                        if matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)) {
                            self.import_bindings(stmt, imports);
                            imported.extend(
                                imports
                                    .drain(..)
                                    .map(|(local, _)| local)
                                    .filter(|local| !self.names.contains_key(*local)),
                            );
                        }
                    }
                    self.bind_statements(&if_stmt.body, imports);
                    self.type_only
                        .extend(imported.into_iter().map(str::to_string));
                }
                Stmt::If(if_stmt) => {
                    self.bind_statements(&if_stmt.body, imports);
                    for clause in &if_stmt.elif_else_clauses {
                        self.bind_statements(&clause.body, imports);
                    }
                    self.forget_imports_branches_disagree_on(if_stmt, imports);
                }
                Stmt::Try(try_stmt) => {
                    // `try: import aiohttp` / `except ImportError: aiohttp = None`: the
                    // fallback stands for the dependency's absence, and the code that runs
                    // uses the module, so the import is the binding kept (bound last).
                    let (fallbacks, others): (Vec<_>, Vec<_>) =
                        try_stmt.handlers.iter().partition(|handler| {
                            let ast::ExceptHandler::ExceptHandler(handler) = handler;
                            handler.type_.as_deref().is_some_and(catches_missing_module)
                        });
                    for handler in fallbacks {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        self.bind_statements(&handler.body, imports);
                    }
                    self.bind_statements(&try_stmt.body, imports);
                    for handler in others {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        self.bind_statements(&handler.body, imports);
                    }
                    self.bind_statements(&try_stmt.orelse, imports);
                    self.bind_statements(&try_stmt.finalbody, imports);
                }
                Stmt::With(with) => {
                    for item in &with.items {
                        if let Some(target) = &item.optional_vars {
                            let value = self.resolve_module_level(&item.context_expr);
                            self.bind_target(
                                target,
                                value.filter(|value| value.instance_type().is_some()),
                            );
                        }
                    }
                    self.bind_statements(&with.body, imports);
                }
                _ => {}
            }
        }
    }

    /// A name the branches of a module-level `if` import from different places (`if
    /// BUILD_REST: from requests import Session` / `else: from aiohttp import ClientSession as
    /// Session`): which one the module uses is decided when it runs, so the name is bound to
    /// nothing known. Branches on the Python version, the platform or `TYPE_CHECKING` are left
    /// as they are: one of them is the code that runs (or they name the same API).
    fn forget_imports_branches_disagree_on<'s>(
        &mut self,
        if_stmt: &'s ast::StmtIf,
        imports: &mut Vec<(&'s str, String)>,
    ) {
        if if_stmt.elif_else_clauses.is_empty() || names_environment_gate(&if_stmt.test) {
            return;
        }
        let branches = crate::ast_query::if_branches(if_stmt);
        let mut imported: Vec<(&'s str, String, usize)> = Vec::new();
        for (branch, body) in branches.enumerate() {
            for stmt in body {
                if matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)) {
                    self.import_bindings(stmt, imports);
                    imported.extend(imports.drain(..).map(|(local, path)| (local, path, branch)));
                }
            }
        }
        for (at, (local, path, branch)) in imported.iter().enumerate() {
            let disagrees = imported[at + 1..]
                .iter()
                .any(|(other, other_path, other_branch)| {
                    other == local && other_branch != branch && other_path != path
                });
            if disagrees {
                self.bind(local, None);
            }
        }
    }

    /// The return types of the module's functions and methods, from their annotations
    /// (`def get_loop() -> asyncio.AbstractEventLoop`). A property's type is its attribute's
    /// (see `infer_class_attributes`), not a call's result.
    fn infer_return_types(&mut self, body: &[Stmt]) {
        let mut learned = Vec::new();
        {
            let model = SemanticModel::new(self);
            let mut learn = |path: String, function: &ast::StmtFunctionDef| {
                if let Some(type_name) = function
                    .returns
                    .as_deref()
                    .and_then(|returns| model.annotation_type(returns))
                    .filter(|type_name| !type_name.starts_with("builtins."))
                {
                    learned.push((path, type_name));
                }
            };
            for function in module_level_functions(body) {
                learn(self.qualify(function.name.as_str()), function);
            }
            for class in module_level_classes(body) {
                let class_path = self.qualify(class.name.as_str());
                for stmt in &class.body {
                    if let Stmt::FunctionDef(method) = stmt
                        && !is_property(method)
                    {
                        learn(member_path(&class_path, method.name.as_str()), method);
                    }
                }
            }
        }
        // A function defined more than once with different return types (`@overload` stubs
        // whose type depends on the arguments: `-> Engine` without `asyncio=True`, `->
        // AsyncEngine` with it) returns no one type: none is kept for it.
        let mut first_type: rustc_hash::FxHashMap<&str, &str> = rustc_hash::FxHashMap::default();
        let mut conflicting: Vec<String> = Vec::new();
        for (path, type_name) in learned.iter().filter(|_| learned.len() > 1) {
            match first_type.entry(path.as_str()) {
                std::collections::hash_map::Entry::Vacant(entry) => {
                    entry.insert(type_name.as_str());
                }
                std::collections::hash_map::Entry::Occupied(entry) => {
                    if *entry.get() != type_name.as_str() {
                        conflicting.push(path.clone());
                    }
                }
            }
        }
        drop(first_type);
        if !conflicting.is_empty() {
            learned.retain(|(path, _)| !conflicting.contains(path));
        }
        // Of the functions annotated to return a loop, the ones whose loop is the caller's.
        let model = SemanticModel::new(self);
        let own_loop_functions = learned
            .iter()
            .filter(|(_, type_name)| catalog::canonical_class(type_name) == Some(EVENT_LOOP))
            .filter(|(path, _)| {
                self.function_def(body, path)
                    .is_some_and(|function| returns_own_loop(function, &model))
            })
            .map(|(path, _)| path.clone())
            .collect();
        self.own_loop_functions = own_loop_functions;
        self.returns.extend(learned);
    }

    /// Module-level names assigned once, from a call of one of this module's functions
    /// (`app = start_application()`, annotated `-> FastAPI`): bound before the return types
    /// were read, typed again now that they are. A name bound more than once keeps its
    /// binding: which one holds where is a question of order.
    fn retype_assigned_calls(&mut self, body: &[Stmt]) {
        if self.returns.is_empty() {
            return;
        }
        let mut bound: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
        let mut calls: Vec<(&str, &Expr)> = Vec::new();
        module_level_statements(body, &mut |stmt| {
            let mut targets: Vec<&str> = Vec::new();
            match stmt {
                Stmt::Assign(assign) => {
                    for target in &assign.targets {
                        crate::ast_query::target_names(target, &mut targets);
                    }
                    if let ([Expr::Name(name)], Expr::Call(_)) =
                        (assign.targets.as_slice(), &*assign.value)
                    {
                        calls.push((name.id.as_str(), &assign.value));
                    }
                }
                Stmt::AnnAssign(ast::StmtAnnAssign { target, .. })
                | Stmt::AugAssign(ast::StmtAugAssign { target, .. }) => {
                    crate::ast_query::target_names(target, &mut targets);
                }
                Stmt::FunctionDef(function) => targets.push(function.name.as_str()),
                Stmt::ClassDef(class) => targets.push(class.name.as_str()),
                Stmt::Import(import) => {
                    for alias in &import.names {
                        let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                        targets.push(local.split('.').next().unwrap_or(local));
                    }
                }
                Stmt::ImportFrom(import) => {
                    for alias in &import.names {
                        targets.push(alias.asname.as_ref().unwrap_or(&alias.name).as_str());
                    }
                }
                Stmt::For(for_stmt) => {
                    crate::ast_query::target_names(&for_stmt.target, &mut targets);
                }
                Stmt::With(with) => {
                    for target in with
                        .items
                        .iter()
                        .filter_map(|item| item.optional_vars.as_deref())
                    {
                        crate::ast_query::target_names(target, &mut targets);
                    }
                }
                _ => {}
            }
            for target in targets {
                *bound.entry(target).or_default() += 1;
            }
        });
        let retyped: Vec<(String, Resolved)> = {
            let model = SemanticModel::new(self);
            calls
                .into_iter()
                .filter(|(name, _)| bound.get(name) == Some(&1))
                .filter_map(|(name, value)| match model.resolve(value) {
                    Some(Resolved::Instance(type_name)) => {
                        Some((name.to_string(), Resolved::Instance(type_name)))
                    }
                    _ => None,
                })
                .collect()
        };
        for (name, value) in retyped {
            self.bind(&name, Some(value));
        }
    }

    /// The attributes each class's `__init__` sets straight from an unannotated parameter
    /// and types nowhere else (`self._client = client`): the link types them from what the
    /// project's calls of the class pass.
    fn infer_parameter_attributes(&mut self, body: &[Stmt]) {
        for class in module_level_classes(body) {
            let class_path = self.qualify(class.name.as_str());
            let Some(init) = class.body.iter().find_map(|stmt| match stmt {
                Stmt::FunctionDef(method) if method.name.as_str() == "__init__" => Some(method),
                _ => None,
            }) else {
                continue;
            };
            let Some(self_name) = init.parameters.iter().next().map(|p| p.name().as_str()) else {
                continue;
            };
            let parameters = &init.parameters;
            let positional: Vec<_> = parameters
                .posonlyargs
                .iter()
                .chain(&parameters.args)
                .skip(1)
                .collect();
            let unannotated = |name: &str| -> Option<Option<u32>> {
                if let Some(index) = positional.iter().position(|p| p.name().as_str() == name) {
                    let parameter = positional[index];
                    return parameter
                        .parameter
                        .annotation
                        .is_none()
                        .then_some(u32::try_from(index).ok());
                }
                let keyword = parameters
                    .kwonlyargs
                    .iter()
                    .find(|p| p.name().as_str() == name)?;
                keyword.parameter.annotation.is_none().then_some(None)
            };
            let mut found = Vec::new();
            let mut assigned = rustc_hash::FxHashMap::<&str, usize>::default();
            crate::ast_query::collect_assignments(&init.body, &mut |target, value, _| {
                let Expr::Attribute(attribute) = target else {
                    return;
                };
                if !matches!(&*attribute.value, Expr::Name(owner) if owner.id.as_str() == self_name)
                {
                    return;
                }
                *assigned.entry(attribute.attr.as_str()).or_default() += 1;
                if let Some(Expr::Name(value)) = value
                    && let Some(position) = unannotated(value.id.as_str())
                {
                    found.push((
                        attribute.attr.as_str().to_owned(),
                        value.id.as_str().to_owned(),
                        position,
                    ));
                }
            });
            let Some(info) = self.classes.get_mut(&class_path) else {
                continue;
            };
            info.parameter_attributes = found
                .into_iter()
                .filter(|(attribute, _, _)| {
                    assigned.get(attribute.as_str()) == Some(&1)
                        && !info.attribute_types.contains_key(attribute)
                })
                .collect();
        }
    }

    /// The module's function or method at `path`, if it defines one there.
    fn function_def<'b>(&self, body: &'b [Stmt], path: &str) -> Option<&'b ast::StmtFunctionDef> {
        let functions = module_level_functions(body)
            .into_iter()
            .map(|function| (self.qualify(function.name.as_str()), function));
        let methods = module_level_classes(body).into_iter().flat_map(|class| {
            let class_path = self.qualify(class.name.as_str());
            class.body.iter().filter_map(move |stmt| match stmt {
                Stmt::FunctionDef(method) => {
                    Some((member_path(&class_path, method.name.as_str()), method))
                }
                _ => None,
            })
        });
        functions
            .chain(methods)
            .find(|(candidate, _)| candidate == path)
            .map(|(_, function)| function)
    }

    fn resolve_module_level(&self, value: &Expr) -> Option<Resolved> {
        SemanticModel::new(self).resolve(value)
    }

    /// What a type alias names, when the type system follows it: a callable that returns an
    /// awaitable (`Handler = Callable[[Event], Awaitable[None]]`), bound to the path
    /// [`catalog::AWAITABLE_CALLABLE`] so that an annotation `handler: Handler` (in this
    /// module, or in one that imports it: the alias is exported like any other path) types
    /// the value as one.
    ///
    /// Also an `Annotated` alias of a class (`SessionDep = Annotated[Session,
    /// Depends(get_session)]`, FastAPI's way of declaring a dependency once): the alias
    /// stands for the class wherever it annotates a parameter, here or in a module that
    /// imports it.
    fn type_alias(&self, value: &Expr) -> Option<Resolved> {
        // `Client = AsyncOpenAI | AsyncAzureOpenAI`: a union of one library class's names.
        if let Expr::BinOp(union) = value
            && union.op == ruff_python_ast::Operator::BitOr
        {
            let model = SemanticModel::new(self);
            return model
                .annotation_type(value)
                .filter(|class| catalog::canonical_class(class).is_some())
                .map(Resolved::Path);
        }
        let Expr::Subscript(subscript) = value else {
            return None;
        };
        let model = SemanticModel::new(self);
        let annotated = model.annotation_type(value)?;
        if annotated == catalog::AWAITABLE_CALLABLE {
            return Some(Resolved::Path(annotated));
        }
        let is_annotated = model
            .path_of(&subscript.value)
            .is_some_and(|form| ANNOTATED_FORMS.contains(&form.as_str()));
        // A class, by its path: not a collection of one (`[]app.Job`), which no method
        // call on the parameter reaches.
        let names_class = annotated
            .bytes()
            .all(|byte| byte == b'.' || byte == b'_' || byte.is_ascii_alphanumeric());
        (is_annotated && names_class).then_some(Resolved::Path(annotated))
    }

    fn bind_target(&mut self, target: &Expr, value: Option<Resolved>) {
        match target {
            Expr::Name(name) => self.bind(name.id.as_str(), value),
            Expr::Tuple(tuple) => tuple
                .elts
                .iter()
                .for_each(|elt| self.bind_target(elt, None)),
            Expr::List(list) => list.elts.iter().for_each(|elt| self.bind_target(elt, None)),
            Expr::Starred(starred) => self.bind_target(&starred.value, None),
            _ => {}
        }
    }

    fn class_skeleton(&self, class: &ast::StmtClassDef) -> ClassInfo {
        let model = SemanticModel::new(self);
        let bases = class
            .arguments
            .iter()
            .flat_map(|arguments| arguments.args.iter())
            .filter_map(|base| model.path_of(base))
            .collect();
        let methods = class
            .body
            .iter()
            .filter_map(|stmt| match stmt {
                Stmt::FunctionDef(function) => {
                    Some((function.name.as_str().to_owned(), function.is_async))
                }
                _ => None,
            })
            .collect();
        let entries = class
            .body
            .iter()
            .filter_map(|stmt| match stmt {
                Stmt::FunctionDef(function)
                    if matches!(function.name.as_str(), "__enter__" | "__aenter__") =>
                {
                    Some((
                        function.name.as_str() == "__aenter__",
                        returns_self(function),
                    ))
                }
                _ => None,
            })
            .collect();
        let metaclass = class
            .arguments
            .iter()
            .flat_map(|arguments| arguments.keywords.iter())
            .find(|keyword| {
                keyword
                    .arg
                    .as_ref()
                    .is_some_and(|arg| arg.as_str() == "metaclass")
            })
            .and_then(|keyword| model.path_of(&keyword.value));
        let unbounded_queues = unbounded_queue_attributes(class, &model);
        let type_aliases = class
            .body
            .iter()
            .filter_map(|stmt| {
                let (target, value) = match stmt {
                    Stmt::Assign(assign) => match assign.targets.as_slice() {
                        [target] => (target, &*assign.value),
                        _ => return None,
                    },
                    Stmt::AnnAssign(assign)
                        if model
                            .path_of(&assign.annotation)
                            .is_some_and(|path| TYPE_ALIAS_MARKERS.contains(&path.as_str())) =>
                    {
                        (&*assign.target, assign.value.as_deref()?)
                    }
                    Stmt::TypeAlias(alias) => (&*alias.name, &*alias.value),
                    _ => return None,
                };
                let Expr::Name(name) = target else {
                    return None;
                };
                match self.type_alias(value)? {
                    Resolved::Path(path) => Some((name.id.as_str().to_owned(), path)),
                    Resolved::Instance(_) => None,
                }
            })
            .collect();
        ClassInfo {
            bases,
            methods,
            entries,
            metaclass,
            unbounded_queues,
            type_aliases,
            ..ClassInfo::default()
        }
    }

    /// Learns `self.attr` types from every method of every class, and from class-level
    /// annotations. Two rounds, so `self.cur = self.con.cursor()` in one method can use
    /// `self.con = sqlite3.connect(...)` from a method defined after it.
    fn infer_class_attributes(&mut self, body: &[Stmt]) {
        let classes = module_level_classes(body);
        if classes.is_empty() {
            return;
        }
        for round in 0..2 {
            if round == 0 {
                *self.unanswered_attributes.get_mut() = Some(HashSet::default());
            }
            let mut learned: Vec<LearnedAttribute> = Vec::new();
            for class in &classes {
                let class_path = self.qualify(class.name.as_str());
                let mut model = SemanticModel::new(self);
                // Declarations inside `if TYPE_CHECKING:` in the class body count too.
                let guarded = class.body.iter().flat_map(|stmt| match stmt {
                    Stmt::If(if_stmt) => if_stmt.body.as_slice(),
                    _ => &[],
                });
                for stmt in class.body.iter().chain(guarded) {
                    match stmt {
                        Stmt::AnnAssign(assign) => {
                            if let (Expr::Name(name), Some(type_name)) =
                                (&*assign.target, model.annotation_type(&assign.annotation))
                            {
                                learned.push((
                                    class_path.clone(),
                                    name.id.as_str().to_owned(),
                                    type_name,
                                    true,
                                ));
                            }
                        }
                        // `lock = threading.Lock()` in the class body: one object every
                        // instance shares, read as `self.lock` or `Owner.lock`. Learnt as an
                        // assignment, not a declaration: a method that sets the attribute to
                        // a value of another type leaves it untyped.
                        Stmt::Assign(assign) => {
                            let names = assign.targets.iter().filter_map(Expr::as_name_expr);
                            let mut names = names.peekable();
                            if names.peek().is_none() {
                                continue;
                            }
                            let Some(type_name) = model.type_of(&assign.value) else {
                                continue;
                            };
                            for name in names {
                                learned.push((
                                    class_path.clone(),
                                    name.id.as_str().to_owned(),
                                    type_name.clone(),
                                    false,
                                ));
                            }
                        }
                        Stmt::FunctionDef(method) => {
                            // `@property def conn(self) -> AsyncConnection`: `self.conn` holds
                            // what the annotation names.
                            if is_property(method)
                                && let Some(type_name) = method
                                    .returns
                                    .as_deref()
                                    .and_then(|returns| model.annotation_type(returns))
                            {
                                learned.push((
                                    class_path.clone(),
                                    method.name.as_str().to_owned(),
                                    type_name,
                                    true,
                                ));
                                continue;
                            }
                            let receiver = receiver_of(method, &class_path);
                            let Receiver::Instance(_) = receiver else {
                                continue;
                            };
                            let Some(self_name) = method
                                .parameters
                                .iter()
                                .next()
                                .map(|p| p.name().as_str().to_owned())
                            else {
                                continue;
                            };
                            // Most methods never assign `self.x`: skip their scope analysis.
                            if !assigns_self_attribute(&method.body, &self_name) {
                                continue;
                            }
                            let method_path = member_path(&class_path, method.name.as_str());
                            model.enter_function(method, &method_path, receiver);
                            collect_self_assignments(
                                &method.body,
                                &self_name,
                                &model,
                                &class_path,
                                &mut learned,
                            );
                            model.scopes.pop();
                        }
                        _ => {}
                    }
                }
            }
            let unanswered = self.unanswered_attributes.get_mut().take();
            // Whether an answer the round gave may differ in the next: it was asked and not
            // found, and has just been learnt.
            let mut changed = false;
            for (class_path, attribute, type_name) in agreed_attribute_types(learned) {
                if let Some(info) = self.classes.get_mut(&class_path)
                    && let std::collections::hash_map::Entry::Vacant(entry) =
                        info.attribute_types.entry(attribute)
                {
                    changed |= unanswered
                        .as_ref()
                        .is_none_or(|unanswered| unanswered.contains(entry.key()));
                    entry.insert(type_name);
                }
            }
            if !changed {
                break;
            }
        }
    }
}

/// The attributes that the methods of `class` set only to thread queues made without a
/// bound (`self.jobs = queue.Queue()`), or to `None`, at least once to such a queue.
fn unbounded_queue_attributes(class: &ast::StmtClassDef, model: &SemanticModel) -> Vec<String> {
    // Per attribute: whether every value set so far is an unbounded queue (or `None`), and
    // whether one was a queue.
    let mut seen: HashMap<&str, (bool, bool)> = HashMap::default();
    for stmt in &class.body {
        let Stmt::FunctionDef(method) = stmt else {
            continue;
        };
        let Some(receiver) = method.parameters.iter().next().map(|p| p.name().as_str()) else {
            continue;
        };
        crate::ast_query::collect_assignments(&method.body, &mut |target, value, index| {
            let Expr::Attribute(attribute) = target else {
                return;
            };
            if !matches!(&*attribute.value, Expr::Name(owner) if owner.id.as_str() == receiver) {
                return;
            }
            let entry = seen.entry(attribute.attr.as_str()).or_insert((true, false));
            match (value, index) {
                (Some(Expr::NoneLiteral(_)), None) => {}
                (Some(Expr::Call(made)), None)
                    if model.call_path(made).is_some_and(|path| {
                        catalog::UNBOUNDED_UNLESS_SIZED.contains(&path.as_str())
                    }) =>
                {
                    entry.0 &= crate::ast_query::sets_no_queue_bound(made);
                    entry.1 = true;
                }
                _ => entry.0 = false,
            }
        });
    }
    let mut found: Vec<String> = seen
        .into_iter()
        .filter(|(_, (only_unbounded, made))| *only_unbounded && *made)
        .map(|(attribute, _)| attribute.to_owned())
        .collect();
    found.sort_unstable();
    found
}

/// Whether every `return` of `method` gives its receiver (`return self`), and there is one.
fn returns_self(method: &ast::StmtFunctionDef) -> bool {
    let Some(receiver) = method.parameters.iter().next().map(|p| p.name().as_str()) else {
        return false;
    };
    let mut returns = 0;
    let mut all_self = true;
    crate::ast_query::walk_statements_shallow(&method.body, &mut |stmt| {
        if let Stmt::Return(ret) = stmt {
            returns += 1;
            all_self &= matches!(ret.value.as_deref(), Some(Expr::Name(name)) if name.id.as_str() == receiver);
        }
        crate::ast_query::Walk::Descend
    });
    returns > 0 && all_self
}

/// Whether every `return` of `function` gives the calling thread's own event loop, or
/// `None`: `asyncio.get_event_loop()`, `asyncio.get_running_loop()`, a local assigned only
/// from one of those, or a conditional expression of these.
fn returns_own_loop(function: &ast::StmtFunctionDef, model: &SemanticModel) -> bool {
    let own_loop_call = |expr: &Expr| {
        matches!(expr, Expr::Call(call) if model
            .call_path(call)
            .is_some_and(|path| catalog::gives_own_loop(&path)))
    };
    let mut locals: Vec<(&str, Option<&Expr>)> = Vec::new();
    crate::ast_query::collect_assignments(&function.body, &mut |target, value, _| {
        if let Expr::Name(name) = target {
            locals.push((name.id.as_str(), value));
        }
    });
    let own_loop_local = |name: &str| {
        let values: Vec<_> = locals.iter().filter(|(local, _)| *local == name).collect();
        !values.is_empty()
            && values
                .iter()
                .all(|(_, value)| value.is_some_and(&own_loop_call))
    };
    fn gives(expr: &Expr, call: &dyn Fn(&Expr) -> bool, local: &dyn Fn(&str) -> bool) -> bool {
        match expr {
            Expr::NoneLiteral(_) => true,
            Expr::Name(name) => local(name.id.as_str()),
            Expr::If(if_expr) => {
                gives(&if_expr.body, call, local) && gives(&if_expr.orelse, call, local)
            }
            other => call(other),
        }
    }
    let mut returns = 0;
    let mut all_own = true;
    crate::ast_query::walk_statements_shallow(&function.body, &mut |stmt| {
        if let Stmt::Return(ret) = stmt {
            returns += 1;
            all_own &= ret
                .value
                .as_deref()
                .is_none_or(|value| gives(value, &own_loop_call, &own_loop_local));
        }
        crate::ast_query::Walk::Descend
    });
    returns > 0 && all_own
}

/// The functions defined at module level (also inside module-level `if`/`try`).
fn module_level_functions(body: &[Stmt]) -> Vec<&ast::StmtFunctionDef> {
    let mut functions = Vec::new();
    module_level_statements(body, &mut |stmt| {
        if let Stmt::FunctionDef(function) = stmt {
            functions.push(function);
        }
    });
    functions
}

/// The classes defined at module level (also inside module-level `if`/`try`).
fn module_level_classes(body: &[Stmt]) -> Vec<&ast::StmtClassDef> {
    let mut classes = Vec::new();
    module_level_statements(body, &mut |stmt| {
        if let Stmt::ClassDef(class) = stmt {
            classes.push(class);
        }
    });
    classes
}

/// Shows `found` every statement that runs at module level, through `if`/`elif`/`else` and
/// the body and `else` of a `try` (where definitions guarded by a version check or an
/// import live); handlers, the fallbacks of an import, are left out.
fn module_level_statements<'a>(body: &'a [Stmt], found: &mut dyn FnMut(&'a Stmt)) {
    for stmt in body {
        match stmt {
            Stmt::If(if_stmt) => {
                module_level_statements(&if_stmt.body, found);
                for clause in &if_stmt.elif_else_clauses {
                    module_level_statements(&clause.body, found);
                }
            }
            Stmt::Try(try_stmt) => {
                module_level_statements(&try_stmt.body, found);
                module_level_statements(&try_stmt.orelse, found);
            }
            other => found(other),
        }
    }
}

/// Whether a method body assigns `self.<attr>` anywhere (not in nested functions).
fn assigns_self_attribute(body: &[Stmt], self_name: &str) -> bool {
    use ruff_python_ast::statement_visitor::{StatementVisitor, walk_stmt};

    struct Finder<'n> {
        self_name: &'n str,
        found: bool,
    }
    impl Finder<'_> {
        fn is_self_attribute(&self, target: &Expr) -> bool {
            match target {
                Expr::Attribute(attribute) => {
                    matches!(&*attribute.value, Expr::Name(owner) if owner.id.as_str() == self.self_name)
                }
                // `self._client, self._lock = None, threading.Lock()`.
                Expr::Tuple(tuple) => tuple
                    .elts
                    .iter()
                    .any(|target| self.is_self_attribute(target)),
                _ => false,
            }
        }
    }
    impl<'a> StatementVisitor<'a> for Finder<'_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            if self.found {
                return;
            }
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                Stmt::Assign(assign) => {
                    self.found = assign
                        .targets
                        .iter()
                        .any(|target| self.is_self_attribute(target));
                }
                Stmt::AnnAssign(assign) => self.found = self.is_self_attribute(&assign.target),
                Stmt::With(with) => {
                    self.found = with
                        .items
                        .iter()
                        .filter_map(|item| item.optional_vars.as_deref())
                        .any(|target| self.is_self_attribute(target));
                }
                _ => {}
            }
            walk_stmt(self, stmt);
        }
    }
    let mut finder = Finder {
        self_name,
        found: false,
    };
    finder.visit_body(body);
    finder.found
}

/// A type learnt for an attribute of a class: (class path, attribute, type, whether an
/// annotation declared it rather than a value assigned to it).
type LearnedAttribute = (String, String, String, bool);

/// One type per attribute of a class: the first one an annotation declares; else the type
/// every value assigned to it has. An attribute the class's methods assign values of
/// different types (`self.session = AsyncSession(...)` in one, `SyncSession(...)` in
/// another) has no one type, and is not typed: which one a method meets depends on which
/// ran before it.
fn agreed_attribute_types(learned: Vec<LearnedAttribute>) -> Vec<(String, String, String)> {
    let mut chosen: Vec<(String, String, String, bool)> = Vec::with_capacity(learned.len());
    let mut index: HashMap<(String, String), usize> = HashMap::default();
    let mut conflicting: HashSet<usize> = HashSet::default();
    for (class_path, attribute, type_name, declared) in learned {
        match index.entry((class_path.clone(), attribute.clone())) {
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(chosen.len());
                chosen.push((class_path, attribute, type_name, declared));
            }
            std::collections::hash_map::Entry::Occupied(entry) => {
                let at = *entry.get();
                let known = &mut chosen[at];
                if known.3 {
                    continue;
                }
                if declared {
                    known.2 = type_name;
                    known.3 = true;
                    conflicting.remove(&at);
                } else if known.2 != type_name {
                    conflicting.insert(at);
                }
            }
        }
    }
    chosen
        .into_iter()
        .enumerate()
        .filter(|(at, _)| !conflicting.contains(at))
        .map(|(_, (class_path, attribute, type_name, _))| (class_path, attribute, type_name))
        .collect()
}

/// `self.attr = value` anywhere in a method body (not in nested functions).
fn collect_self_assignments(
    body: &[Stmt],
    self_name: &str,
    model: &SemanticModel,
    class_path: &str,
    learned: &mut Vec<LearnedAttribute>,
) {
    use ruff_python_ast::statement_visitor::{StatementVisitor, walk_stmt};

    struct Collector<'a, 'b, 'm> {
        self_name: &'b str,
        model: &'b SemanticModel<'m>,
        class_path: &'b str,
        learned: &'b mut Vec<LearnedAttribute>,
        /// The attributes assigned a name of no known type (`self.base_send = send`), with
        /// the name.
        plain: Vec<(&'a str, &'a str)>,
        /// Where in `learned` an attribute's type came from a call that wraps names
        /// (`self.base_send = async_to_sync(send)`), with the attribute and the call.
        wrapped: Vec<(usize, &'a str, &'a ast::ExprCall)>,
    }

    impl<'a> Collector<'a, '_, '_> {
        /// The attribute of `self` that `target` assigns.
        fn self_attribute(&self, target: &'a Expr) -> Option<&'a str> {
            crate::ast_query::receiver_attribute(target, self.self_name)
        }

        /// `declared`: the type comes from an annotation, not from the value assigned.
        fn learn(&mut self, target: &'a Expr, type_name: Option<String>, declared: bool) {
            if let (Some(attribute), Some(type_name)) = (self.self_attribute(target), type_name) {
                self.learned.push((
                    self.class_path.to_string(),
                    attribute.to_owned(),
                    type_name,
                    declared,
                ));
            }
        }

        fn learn_assigned(&mut self, target: &'a Expr, value: &'a Expr, type_name: Option<String>) {
            let Some(attribute) = self.self_attribute(target) else {
                return;
            };
            match value {
                Expr::Name(name) if type_name.is_none() => {
                    self.plain.push((attribute, name.id.as_str()));
                }
                Expr::Call(call) if type_name.is_some() => {
                    self.wrapped.push((self.learned.len(), attribute, call));
                }
                _ => {}
            }
            self.learn(target, type_name, false);
        }

        /// Forgets the types of attributes that hold either a wrapper or what it wraps
        /// (`self.base_send = async_to_sync(send)` in one branch, `self.base_send = send` in
        /// the other): which one a later call meets is not known here.
        fn forget_either_or(self) {
            let mut forgotten: Vec<usize> = (self.wrapped.iter())
                .filter(|(_, attribute, call)| {
                    call.arguments.args.iter().any(|argument| {
                        matches!(argument, Expr::Name(name) if self.plain.iter().any(
                            |&(plain, assigned)| plain == *attribute && assigned == name.id.as_str()
                        ))
                    })
                })
                .map(|&(at, _, _)| at)
                .collect();
            forgotten.sort_unstable();
            for at in forgotten.into_iter().rev() {
                self.learned.remove(at);
            }
        }
    }

    impl<'a> StatementVisitor<'a> for Collector<'a, '_, '_> {
        fn visit_stmt(&mut self, stmt: &'a Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                Stmt::Assign(assign) => {
                    let type_name = self.model.type_of(&assign.value);
                    for target in &assign.targets {
                        // `self._client, self._lock = None, threading.Lock()`: each target
                        // takes the value in its place.
                        if let (Expr::Tuple(targets), Expr::Tuple(values)) =
                            (target, &*assign.value)
                            && targets.elts.len() == values.elts.len()
                            && !values.elts.iter().any(Expr::is_starred_expr)
                        {
                            for (target, value) in targets.elts.iter().zip(&values.elts) {
                                let type_name = self.model.type_of(value);
                                self.learn_assigned(target, value, type_name);
                            }
                            continue;
                        }
                        self.learn_assigned(target, &assign.value, type_name.clone());
                    }
                }
                Stmt::AnnAssign(assign) => match self.model.annotation_type(&assign.annotation) {
                    Some(declared) => self.learn(&assign.target, Some(declared), true),
                    None => {
                        let type_name =
                            (assign.value.as_deref()).and_then(|value| self.model.type_of(value));
                        self.learn(&assign.target, type_name, false);
                    }
                },
                Stmt::With(with) => {
                    for item in &with.items {
                        if let Some(target) = &item.optional_vars {
                            let type_name = self.model.type_of(&item.context_expr);
                            self.learn(target, type_name, false);
                        }
                    }
                }
                _ => {}
            }
            walk_stmt(self, stmt);
        }
    }

    let mut collector = Collector {
        self_name,
        model,
        class_path,
        learned,
        plain: Vec::new(),
        wrapped: Vec::new(),
    };
    collector.visit_body(body);
    collector.forget_either_or();
}

/// `except ImportError:` (or `ModuleNotFoundError`, alone or in a tuple): the handler of a
/// missing optional dependency.
/// A test on the Python version, the platform or `TYPE_CHECKING`: which branch runs is known
/// (or the branches are spellings of one API).
fn names_environment_gate(test: &Expr) -> bool {
    crate::ast_query::any_expr(test, &mut |expr| match expr {
        Expr::Name(name) => name.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(attribute) => matches!(
            attribute.attr.as_str(),
            "version_info" | "platform" | "TYPE_CHECKING" | "PY2" | "PY3" | "hexversion"
        ),
        _ => false,
    })
}

/// `TYPE_CHECKING` or `typing.TYPE_CHECKING`: true only for a type checker.
fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(name) => name.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(attribute) => attribute.attr.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}

/// `sys.version_info >= (3, 8)` (or `>`): a test whose body is for the newer Pythons, so
/// a module that binds a name in both branches binds the body's for the Pythons that run
/// today's code.
fn tests_for_newer_python(test: &Expr) -> bool {
    let Expr::Compare(compare) = test else {
        return false;
    };
    let subject = match &*compare.left {
        Expr::Subscript(subscript) => &*subscript.value,
        other => other,
    };
    matches!(compare.ops.as_ref(), [ast::CmpOp::GtE | ast::CmpOp::Gt])
        && matches!(compare.comparators.as_ref(), [Expr::Tuple(_)])
        && matches!(subject, Expr::Attribute(attribute) if attribute.attr.as_str() == "version_info")
}

fn catches_missing_module(caught: &Expr) -> bool {
    match caught {
        Expr::Name(name) => matches!(name.id.as_str(), "ImportError" | "ModuleNotFoundError"),
        Expr::Tuple(tuple) => tuple.elts.iter().any(catches_missing_module),
        _ => false,
    }
}
