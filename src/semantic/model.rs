//! The resolver: the module's bindings plus the scopes enclosing the current node, and
//! what it answers (the path a call names, the type a value holds).

use ruff_python_ast::{self as ast, Expr, Operator};
use rustc_hash::FxHashMap as HashMap;

use super::bindings::ModuleBindings;
use super::resolved::{Resolved, member_path};
use super::scope::ScopeStack;
use crate::catalog;

/// Type qualifiers: `Final[T]` and `ClassVar[T]` hold a `T`; bare, they leave the type to the
/// assigned value (`loop: Final = asyncio.get_running_loop()`).
const QUALIFIERS: &[&str] = &[
    "typing.Final",
    "typing.ClassVar",
    "typing_extensions.Final",
    "typing_extensions.ClassVar",
];

/// The resolver: the module's bindings plus the scopes enclosing the current node.
pub struct SemanticModel<'m> {
    pub module: &'m ModuleBindings,
    pub scopes: ScopeStack,
    /// Names narrowed by the `if isinstance(name, T):` bodies around the current node,
    /// innermost last.
    narrowed: Vec<(String, Resolved)>,
    /// A buffer for the names a function binds, reused by every function entered.
    pub(super) bound_names: Vec<ruff_python_ast::name::Name>,
}

impl<'m> SemanticModel<'m> {
    pub fn new(module: &'m ModuleBindings) -> Self {
        Self {
            module,
            scopes: ScopeStack::default(),
            narrowed: Vec::new(),
            bound_names: Vec::new(),
        }
    }

    /// Enters the body of `if test:`: the names `test` proves to be instances of a class
    /// (`isinstance(executor, ThreadPoolExecutor)`, also as a conjunct of `and`) hold one
    /// there. Returns how many were narrowed, for [`SemanticModel::leave_narrowing`].
    pub fn enter_narrowing(&mut self, test: &Expr) -> usize {
        let mut found = Vec::new();
        self.narrowings(test, &mut found);
        let count = found.len();
        self.narrowed.extend(found);
        count
    }

    /// Leaves the body entered by [`SemanticModel::enter_narrowing`].
    pub fn leave_narrowing(&mut self, count: usize) {
        self.narrowed
            .truncate(self.narrowed.len().saturating_sub(count));
    }

    fn narrowings(&self, test: &Expr, found: &mut Vec<(String, Resolved)>) {
        match test {
            Expr::BoolOp(bool_op) if bool_op.op == ast::BoolOp::And => {
                for value in &bool_op.values {
                    self.narrowings(value, found);
                }
            }
            Expr::Call(call) => {
                let [Expr::Name(name), class] = &*call.arguments.args else {
                    return;
                };
                if !call.arguments.keywords.is_empty()
                    || self.path_of(&call.func).as_deref() != Some("builtins.isinstance")
                {
                    return;
                }
                // A tuple of classes says less than any one of them: not narrowed.
                let Some(type_name) = self
                    .path_of(class)
                    .filter(|path| !path.starts_with("builtins."))
                else {
                    return;
                };
                let narrowed = match catalog::canonical_class(&type_name) {
                    Some(known) => known.to_string(),
                    // A class the catalog does not know (a project subclass, often of the
                    // very library class the name is declared as): the value is both, and
                    // what the catalog says of the declared class still holds of it, while
                    // the other may never resolve (a module outside the checked paths).
                    None => match self.type_of(&Expr::Name(name.clone())) {
                        Some(declared) if catalog::describes_type(&declared) => {
                            return;
                        }
                        _ => type_name,
                    },
                };
                found.push((name.id.as_str().to_owned(), Resolved::Instance(narrowed)));
            }
            _ => {}
        }
    }

    /// What `expr` refers to, if anything is known.
    pub fn resolve(&self, expr: &Expr) -> Option<Resolved> {
        self.resolve_depth(expr, 0, 0)
    }

    /// The qualified path of the callee of `call` (`sqlite3.Connection.execute`).
    pub fn call_path(&self, call: &ast::ExprCall) -> Option<String> {
        if self.calls_type_only_name(&call.func) {
            return None;
        }
        match self.resolve_callee(&call.func, 0)? {
            Resolved::Path(path) => Some(path),
            // `handler(event)`, `handler: Callable[..., Awaitable[None]]`: named by what is
            // called, for the finding to say.
            Resolved::Instance(type_name) if type_name == catalog::AWAITABLE_CALLABLE => {
                let mut path = member_path(&type_name, "__call__");
                if let Some(called) = crate::ast_query::last_identifier(&call.func) {
                    path.push('/');
                    path.push_str(called);
                }
                Some(path)
            }
            Resolved::Instance(type_name) => Some(member_path(&type_name, "__call__")),
        }
    }

    /// Whether `func` goes through a name only `if TYPE_CHECKING:` imports (`get(url)`, or
    /// `httpx.get(url)` after `if TYPE_CHECKING: import httpx`): the call raises `NameError`
    /// when it runs, and calls nothing.
    fn calls_type_only_name(&self, func: &Expr) -> bool {
        if self.module.type_only.is_empty() {
            return false;
        }
        let mut root = func;
        while let Expr::Attribute(attribute) = root {
            root = &attribute.value;
        }
        matches!(root, Expr::Name(name)
            if self.module.type_only.iter().any(|type_only| type_only == name.id.as_str())
                && !self.is_local(name.id.as_str()))
    }

    /// The API a method call is taken for by its name alone ([`catalog::METHODS_BY_NAME`]),
    /// when its receiver is a value this module cannot type: `self.hass.async_add_executor_job(f)`,
    /// `self._loop.create_task(c)`. `path` is what [`Self::call_path`] made of the call: a
    /// chain from an import (`helpers.run_in_executor(...)`) names a function of that module,
    /// which the name does not override; a receiver whose type is known is its type's.
    pub fn method_known_by_name(
        &self,
        call: &ast::ExprCall,
        path: Option<&str>,
    ) -> Option<&'static str> {
        let Expr::Attribute(method) = &*call.func else {
            return None;
        };
        let entry = catalog::method_by_name(method.attr.as_str())?;
        // Typed as the API already (`loop.create_task(...)` on a known loop): nothing to ask.
        if path == Some(entry.api) {
            return Some(entry.api);
        }
        let receiver = &*method.value;
        let qualifies = match entry.receiver {
            catalog::Receiver::AnyLocal => path.is_none() || self.is_rooted_at_local(receiver),
            catalog::Receiver::NamedOneOf(names) => crate::ast_query::last_identifier(receiver)
                .is_some_and(|name| names.contains(&name.trim_start_matches('_'))),
        };
        (qualifies && (path.is_none() || self.type_of(receiver).is_none())).then_some(entry.api)
    }

    /// Whether the attribute chain `expr` starts at a name bound in a function scope around
    /// the current node (`self.hass`, `entity.hass`), not at a module-level name.
    fn is_rooted_at_local(&self, mut expr: &Expr) -> bool {
        while let Expr::Attribute(inner) = expr {
            expr = &inner.value;
        }
        matches!(expr, Expr::Name(name) if self.is_local(name.id.as_str()))
    }

    /// The qualified path `expr` names (a function, class or module), not a value.
    pub fn path_of(&self, expr: &Expr) -> Option<String> {
        match self.resolve(expr)? {
            Resolved::Path(path) => Some(path),
            Resolved::Instance(_) => None,
        }
    }

    /// The known type of the value `expr` evaluates to.
    pub fn type_of(&self, expr: &Expr) -> Option<String> {
        match self.resolve(expr)? {
            Resolved::Instance(type_name) => Some(type_name),
            Resolved::Path(_) => None,
        }
    }

    /// The type an annotation names: `sqlite3.Connection`, `Optional[Path]`, `Path | None`,
    /// `"sqlite3.Connection"`.
    pub fn annotation_type(&self, annotation: &Expr) -> Option<String> {
        match annotation {
            Expr::Name(_) | Expr::Attribute(_) => {
                let path = self.path_of(annotation)?;
                // A bare `Final`/`ClassVar` says nothing of the type: the value does.
                if QUALIFIERS.contains(&path.as_str()) {
                    return None;
                }
                Some(
                    catalog::canonical_class(&path)
                        .map(str::to_string)
                        .unwrap_or(path),
                )
            }
            Expr::Subscript(subscript) => {
                let container = self.path_of(&subscript.value)?;
                if ELEMENT_CONTAINERS.contains(&container.as_str()) {
                    // `tuple[T, ...]` holds `T`s; a tuple of other shapes is not followed.
                    let element = match &*subscript.slice {
                        Expr::Tuple(tuple) => match tuple.elts.as_slice() {
                            [element, Expr::EllipsisLiteral(_)] => element,
                            _ => return None,
                        },
                        other => other,
                    };
                    let element = self.annotation_type(element)?;
                    return (!is_collection(&element)).then(|| prefixed(ELEMENTS_OF, &element));
                }
                if MAPPING_CONTAINERS.contains(&container.as_str()) {
                    // `dict[str, Executor]`: what matters is the values' type.
                    let Expr::Tuple(tuple) = &*subscript.slice else {
                        return None;
                    };
                    let [_, value] = tuple.elts.as_slice() else {
                        return None;
                    };
                    let value = self.annotation_type(value)?;
                    return (!is_collection(&value)).then(|| prefixed(VALUES_OF, &value));
                }
                // `Callable[[Event], Awaitable[None]]`: only whether calling it makes
                // something to await is kept.
                if catalog::CALLABLE_TYPES.contains(&container.as_str()) {
                    let Expr::Tuple(tuple) = &*subscript.slice else {
                        return None;
                    };
                    let [_, returned] = tuple.elts.as_slice() else {
                        return None;
                    };
                    return self
                        .is_awaitable_annotation(returned)
                        .then(|| catalog::AWAITABLE_CALLABLE.to_string());
                }
                if container == "typing.Optional"
                    || container == "typing.Annotated"
                    || QUALIFIERS.contains(&container.as_str())
                {
                    let inner = match &*subscript.slice {
                        Expr::Tuple(tuple) => tuple.elts.first()?,
                        other => other,
                    };
                    self.annotation_type(inner)
                } else {
                    None
                }
            }
            Expr::BinOp(binop) if binop.op == Operator::BitOr => {
                if binop.right.is_none_literal_expr() {
                    self.annotation_type(&binop.left)
                } else if binop.left.is_none_literal_expr() {
                    self.annotation_type(&binop.right)
                } else {
                    // `AsyncOpenAI | AsyncAzureOpenAI`: names of one library class (the
                    // catalog's aliases of it) are that class; any other union is no one type.
                    let left = self.annotation_type(&binop.left)?;
                    let class = catalog::canonical_class(&left)?;
                    let right = self.annotation_type(&binop.right)?;
                    (catalog::canonical_class(&right) == Some(class)).then(|| class.to_string())
                }
            }
            Expr::StringLiteral(string) => {
                let text = string.value.to_str();
                let parsed = ruff_python_parser::parse_expression(text).ok()?;
                self.annotation_type(&parsed.syntax().body)
            }
            _ => None,
        }
    }

    /// Whether an annotation names an awaitable (`Awaitable[T]`, `Coroutine[Any, Any, T]`,
    /// bare `Awaitable`): what calling a callable annotated to return it makes.
    fn is_awaitable_annotation(&self, annotation: &Expr) -> bool {
        let named = match annotation {
            Expr::Subscript(subscript) => &*subscript.value,
            other => other,
        };
        matches!(named, Expr::Name(_) | Expr::Attribute(_))
            && self
                .path_of(named)
                .is_some_and(|path| catalog::AWAITABLE_RETURN_TYPES.contains(&path.as_str()))
    }

    /// What an annotated assignment `x: T = value` binds: the annotation's type, else what
    /// the value resolves to.
    pub fn annotated_assignment(&self, assign: &ast::StmtAnnAssign) -> Option<Resolved> {
        self.annotation_type(&assign.annotation)
            .map(Resolved::Instance)
            .or_else(|| {
                assign
                    .value
                    .as_deref()
                    .and_then(|value| self.resolve(value))
            })
    }

    /// Whether `name` is bound by a function scope around the current node (a local,
    /// a parameter, a closure variable): such a name never means a module-level import.
    pub fn is_local(&self, name: &str) -> bool {
        self.scopes.lookup(name).is_some()
    }

    /// `room`: how many bytes the callers will append to the path (`.attr` of each attribute
    /// of a chain), reserved when the name at its root is copied, so that no step of the
    /// chain reallocates it.
    fn resolve_depth(&self, expr: &Expr, depth: usize, room: usize) -> Option<Resolved> {
        // Attribute chains are short in real code; the limit keeps pathological input cheap.
        if depth > 64 {
            return None;
        }
        match expr {
            Expr::Name(name) => self.resolve_name(name.id.as_str(), room),
            Expr::Attribute(attribute) => {
                let room = room + 1 + attribute.attr.len();
                let owner = self.resolve_depth(&attribute.value, depth + 1, room)?;
                Some(self.attribute_of(owner, attribute.attr.as_str()))
            }
            Expr::Call(call) => {
                let callee = self.resolve_callee(&call.func, depth + 1)?;
                // Asked of the resolved callee, not of the name: a `super` the module or the
                // function binds is something else, and other calls pay a length test.
                if matches!(&callee, Resolved::Path(path) if path == "builtins.super") {
                    return self.super_call(call, depth);
                }
                if let Resolved::Path(class) = &callee
                    && let Some(in_memory) = self.wraps_memory_buffer(class, call, depth)
                {
                    return Some(Resolved::Instance(in_memory.to_string()));
                }
                self.call_result(callee)
            }
            Expr::Subscript(subscript) => {
                let owner = self.resolve_depth(&subscript.value, depth + 1, 0)?;
                // `Chan[AudioFrame]`: a generic class, parameterised, is still the class
                // (and `Chan[AudioFrame]()` builds one).
                if let Resolved::Path(class) = &owner
                    && is_generic_class(class, &self.module.classes)
                {
                    return Some(owner);
                }
                let owner = owner.instance_type()?;
                if let Some(element) = element_type(owner) {
                    // `conns[0]`: an element; `conns[1:]`: a sequence of the same elements.
                    return Some(Resolved::Instance(if subscript.slice.is_slice_expr() {
                        owner.to_string()
                    } else {
                        element.to_string()
                    }));
                }
                if let Some(value) = value_type(owner) {
                    // `executors["default"]`: a value of the mapping.
                    return Some(Resolved::Instance(value.to_string()));
                }
                let item = catalog::item_type(owner)?;
                Some(Resolved::Instance(item.to_string()))
            }
            Expr::BinOp(binop) if binop.op == Operator::Div => {
                let left = self.resolve_depth(&binop.left, depth + 1, 0)?;
                let result = catalog::division_type(left.instance_type()?)?;
                Some(Resolved::Instance(result.to_string()))
            }
            Expr::Named(named) => self.resolve_depth(&named.value, depth + 1, room),
            // `store or Store()`: the fallback's type, when no other operand is known to be
            // something else (the idiom of an optional argument and its default).
            Expr::BoolOp(bool_op) if bool_op.op == ast::BoolOp::Or => {
                let (fallback, others) = bool_op.values.split_last()?;
                let fallback = self.resolve_depth(fallback, depth + 1, 0)?;
                let type_name = fallback.instance_type()?;
                others
                    .iter()
                    .all(|other| match self.resolve_depth(other, depth + 1, 0) {
                        None => true,
                        Some(known) => known.instance_type() == Some(type_name),
                    })
                    .then_some(fallback)
            }
            // `executor if executor is not None else default_pool()`: the type the branches
            // agree on, as for `or` (a branch nothing types, or `None`, does not disagree).
            Expr::If(if_expr) => {
                let mut agreed: Option<Resolved> = None;
                for branch in [&*if_expr.body, &*if_expr.orelse] {
                    if branch.is_none_literal_expr() {
                        continue;
                    }
                    let Some(known) = self.resolve_depth(branch, depth + 1, 0) else {
                        continue;
                    };
                    let type_name = known.instance_type()?;
                    match &agreed {
                        Some(earlier) if earlier.instance_type() != Some(type_name) => return None,
                        Some(_) => {}
                        None => agreed = Some(known),
                    }
                }
                agreed
            }
            // `await asyncio.to_thread(path.resolve)`: what the function handed to the worker
            // thread returns (so what a fix moved to a thread is still typed after it); `await
            // fetch()`: what the module's coroutine function says it returns.
            Expr::Await(awaited) => {
                let Expr::Call(call) = &*awaited.value else {
                    return None;
                };
                let Resolved::Path(runner) = self.resolve_depth(&call.func, depth + 1, 0)? else {
                    return None;
                };
                let Some((keyword, position)) = catalog::thread_handoff(&runner) else {
                    // `await session.get(url)`: what a library's coroutine gives, as the
                    // catalog says (`aiohttp.ClientResponse`).
                    if let Some(returned) =
                        catalog::return_type(&runner).filter(|_| catalog::is_coroutine_api(&runner))
                    {
                        return Some(Resolved::Instance(returned.to_string()));
                    }
                    // `await self._ensure_repo()`, a coroutine function of this module
                    // annotated `-> Path`: what its coroutine returns.
                    return self
                        .module
                        .returns
                        .get(&runner)
                        .map(|returned| Resolved::Instance(returned.clone()));
                };
                let function = call.arguments.find_argument_value(keyword, position)?;
                let callee = self.resolve_depth(function, depth + 1, 0)?;
                // An instance of a known type; not a path the link resolves later.
                self.call_result(callee)
                    .filter(|result| result.instance_type().is_some())
            }
            _ => None,
        }
    }

    /// What `super()` (or `super(Class, self)` naming the method's own class) stands for, when
    /// `call` calls the builtin `super` in a method of a class with a base: the first base
    /// ([`SuperTarget`](super::scope::SuperTarget)).
    fn super_call(&self, call: &ast::ExprCall, depth: usize) -> Option<Resolved> {
        if !call.arguments.keywords.is_empty() {
            return None;
        }
        let target = self.scopes.super_target()?;
        match &*call.arguments.args {
            [] => {}
            // Resolved one level deeper, like any operand: `super(super(...), self)` nested
            // without end stays within the resolution's depth limit.
            [class, _]
                if matches!(
                    self.resolve_depth(class, depth + 1, 0),
                    Some(Resolved::Path(path)) if path == target.class
                ) => {}
            _ => return None,
        }
        let base = self.module.classes.get(target.class)?.bases.first()?;
        // `object` has no method a project's code would reach through `super()`.
        if base == "builtins.object" {
            return None;
        }
        Some(if target.instance {
            Resolved::Instance(base.clone())
        } else {
            Resolved::Path(base.clone())
        })
    }

    fn resolve_name(&self, name: &str, room: usize) -> Option<Resolved> {
        if let Some((_, narrowed)) = self
            .narrowed
            .iter()
            .rev()
            .find(|(narrowed, _)| narrowed == name)
        {
            return Some(narrowed.copy_with_room(room));
        }
        if let Some(local) = self.scopes.lookup(name) {
            return local.as_ref().map(|local| local.copy_with_room(room));
        }
        self.module.resolve_global_with_room(name, room)
    }

    /// What the callee `func` of a call refers to. An attribute the catalog gives a
    /// library class only as one of its items (`db.users`, a collection of a pymongo
    /// `Database`) is, when called, the method of that name (`db.command(...)`,
    /// `client.server_info()`): the item would not be callable.
    fn resolve_callee(&self, func: &Expr, depth: usize) -> Option<Resolved> {
        let Expr::Attribute(attribute) = func else {
            return self.resolve_depth(func, depth, 0);
        };
        let name = attribute.attr.as_str();
        let owner = self.resolve_depth(&attribute.value, depth + 1, 1 + name.len())?;
        match owner {
            Resolved::Instance(type_name)
                if !self.module.classes.contains_key(&type_name)
                    && catalog::item_type(&type_name).is_some()
                    && catalog::listed_attribute_type(&type_name, name).is_none() =>
            {
                Some(Resolved::Path(member_path(&type_name, name)))
            }
            owner => Some(self.attribute_of(owner, name)),
        }
    }

    fn attribute_of(&self, owner: Resolved, attribute: &str) -> Resolved {
        match owner {
            Resolved::Path(mut path) => {
                // `Owner.executors`: an attribute the module's class declares, read through
                // the class. (A prefix test first: most chains start at an import.)
                if path.starts_with(self.module.module_name.as_str()) {
                    if let Some(found) = self.module.class_attribute_type(&path, attribute) {
                        return Resolved::Instance(found.to_string());
                    }
                    // `SpaEvent.CallBack`: a type alias the class declares.
                    if let Some(aliased) = self.module.class_type_alias(&path, attribute) {
                        return Resolved::Path(aliased.to_string());
                    }
                }
                // Extend the owned path in place: attribute chains are the hot path.
                path.reserve(attribute.len() + 1);
                path.push('.');
                path.push_str(attribute);
                Resolved::Path(path)
            }
            Resolved::Instance(type_name) => {
                match self.module.classes.get(&type_name) {
                    Some(class) => {
                        if let Some(found) =
                            self.module.attribute_type_of(class, &type_name, attribute)
                        {
                            return Resolved::Instance(found);
                        }
                    }
                    // The catalog knows only library types, never this module's classes.
                    None => {
                        if let Some(found) = catalog::attribute_type(&type_name, attribute) {
                            return Resolved::Instance(found.to_string());
                        }
                    }
                }
                let mut path = type_name;
                path.reserve(attribute.len() + 1);
                path.push('.');
                path.push_str(attribute);
                Resolved::Path(path)
            }
        }
    }

    /// `io.TextIOWrapper(io.BytesIO(data))`: the in-memory class a stream wrapper of an
    /// in-memory buffer behaves as ([`catalog::STREAM_WRAPPERS`]).
    fn wraps_memory_buffer(
        &self,
        class: &str,
        call: &ast::ExprCall,
        depth: usize,
    ) -> Option<&'static str> {
        let &(_, keyword, position, in_memory) = catalog::STREAM_WRAPPERS
            .iter()
            .find(|(wrapper, ..)| *wrapper == class)?;
        let wrapped = call.arguments.find_argument_value(keyword, position)?;
        let wrapped = self.resolve_depth(wrapped, depth + 1, 0)?;
        catalog::MEMORY_BUFFERS
            .contains(&wrapped.instance_type()?)
            .then_some(in_memory)
    }

    fn call_result(&self, callee: Resolved) -> Option<Resolved> {
        let path = match callee {
            Resolved::Path(path) => path,
            Resolved::Instance(type_name) => member_path(&type_name, "__call__"),
        };
        if let Some(returned) = catalog::return_type(&path) {
            return Some(Resolved::Instance(returned.to_string()));
        }
        if let Some(returned) = mapping_method_result(&path) {
            return Some(Resolved::Instance(returned));
        }
        // A capitalised member of an instance of a class of the module (`self.Session()`,
        // with `self.Session = sessionmaker(...)` in a base class) is a value called, not a
        // class: what calling it gives is the link's to find.
        if self.module.is_class(&path)
            || (looks_like_class(&path) && !self.is_member_of_module_class(&path))
        {
            return Some(Resolved::Instance(path));
        }
        if let Some(returned) = self.module.returns.get(&path) {
            return Some(Resolved::Instance(returned.clone()));
        }
        // A function of another module of the same package: what it returns is known only
        // where it is defined. The result stays a path, `pkg.loops.get_loop()`, that the
        // link resolves through the return annotation there.
        self.may_be_project_function(&path).then(|| {
            let mut path = path;
            path.push_str(DEFERRED_CALL);
            Resolved::Path(path)
        })
    }

    /// Whether `path` is a member of a class of this module that is not itself a class
    /// (`app.repo.Notes.Session`): an attribute or method of its instances.
    fn is_member_of_module_class(&self, path: &str) -> bool {
        path.rfind('.')
            .is_some_and(|dot| self.module.is_class(&path[..dot]))
    }

    /// Whether `path` may name a function of another module of the project, or of a class
    /// of this module the link knows more of (a method inherited from a base class): it
    /// starts with one of the project's top-level names (another package of the project, or
    /// the short name a namespace package's modules are imported under when the project
    /// was checked by a path above it), or, the project unknown, this module's own. A module
    /// outside any package (`service`, checked from its own directory) is its own top-level
    /// name. Only such calls are worth a deferred result.
    fn may_be_project_function(&self, path: &str) -> bool {
        // Asked of most calls' callees: the first dot found once in each, on bytes.
        fn root(path: &str) -> Option<&str> {
            memchr::memchr(b'.', path.as_bytes()).map(|dot| &path[..dot])
        }
        let Some(path_root) = root(path) else {
            return false;
        };
        if path.ends_with(DEFERRED_CALL) {
            return false;
        }
        match &self.module.project_roots {
            Some(roots) => roots.contains(path_root),
            None => {
                let module = self.module.module_name.as_str();
                path_root == root(module).unwrap_or(module)
            }
        }
    }
}

/// `prefix` followed by `type_name`, built by hand rather than with `format!`.
fn prefixed(prefix: &str, type_name: &str) -> String {
    let mut text = String::with_capacity(prefix.len() + type_name.len());
    text.push_str(prefix);
    text.push_str(type_name);
    text
}

/// The prefix of a type that holds elements of a known type (`list[sqlite3.Connection]` is
/// `[]sqlite3.Connection`): iterating it or indexing it gives an element.
pub const ELEMENTS_OF: &str = "[]";

/// Collections whose type argument is their elements' type: `list[T]`, `Sequence[T]`,
/// `Iterable[T]`, `set[T]`, and `tuple[T, ...]`.
const ELEMENT_CONTAINERS: &[&str] = &[
    "builtins.list",
    "builtins.set",
    "builtins.frozenset",
    "builtins.tuple",
    "typing.List",
    "typing.Set",
    "typing.FrozenSet",
    "typing.Tuple",
    "typing.Sequence",
    "typing.Iterable",
    "typing.Iterator",
    "typing.Collection",
    "collections.abc.Sequence",
    "collections.abc.Iterable",
    "collections.abc.Iterator",
    "collections.abc.Collection",
];

/// The prefix of a type that maps keys to values of a known type (`dict[str, Executor]` is
/// `{}concurrent.futures.Executor`): indexing it, `.get(...)`, `.pop(...)` give a value, and
/// `.values()` a collection of them.
pub const VALUES_OF: &str = "{}";

/// Mappings whose second type argument is their values' type; the dicts a `get(key)` looks a
/// key up in (LW505 reads such a lookup as state the project sets).
pub const MAPPING_CONTAINERS: &[&str] = &[
    "builtins.dict",
    "typing.Dict",
    "typing.Mapping",
    "typing.MutableMapping",
    "typing.DefaultDict",
    "typing.OrderedDict",
    "collections.OrderedDict",
    "collections.defaultdict",
    "collections.abc.Mapping",
    "collections.abc.MutableMapping",
    // Weak mappings hold their values (or keys) weakly, but what they give back is the same.
    "weakref.WeakKeyDictionary",
    "weakref.WeakValueDictionary",
];

/// Whether a type is one of the collection shapes above (elements or values of a known type,
/// [`ELEMENTS_OF`], [`VALUES_OF`]); they are not nested.
pub fn is_collection(type_name: &str) -> bool {
    type_name.starts_with(ELEMENTS_OF) || type_name.starts_with(VALUES_OF)
}

/// The type of the values of a mapping of a known value type ([`VALUES_OF`]).
fn value_type(type_name: &str) -> Option<&str> {
    type_name.strip_prefix(VALUES_OF)
}

/// What a mapping's method returns: `m.values()` its values, `m.get(k)`, `m.pop(k)`,
/// `m.setdefault(k, v)` one of them (or the default, which is not followed).
fn mapping_method_result(path: &str) -> Option<String> {
    // Asked of every call's callee: the prefix test first, the split only for a mapping.
    let (value, method) = value_type(path)?.rsplit_once('.')?;
    match method {
        "values" => Some(prefixed(ELEMENTS_OF, value)),
        "get" | "pop" | "setdefault" => Some(value.to_string()),
        _ => None,
    }
}

/// The type of the elements of a value of type `type_name`, when it is a collection of a
/// known type ([`ELEMENTS_OF`]).
pub fn element_type(type_name: &str) -> Option<&str> {
    type_name.strip_prefix(ELEMENTS_OF)
}

/// The suffix of a path segment that stands for the value a call of it returns
/// (`pkg.loops.get_loop()`), resolved by the link.
pub const DEFERRED_CALL: &str = "()";

/// Whether `path`, subscripted (`Channel[bytes]`, `asyncio.Queue[Job]`), names a class
/// parameterised: a class of the module, of the catalog, or one whose name says so, but not
/// one of `typing`'s or `collections.abc`'s forms (`Union[...]`, `Callable[...]`,
/// `Awaitable[...]`), which name no class whose methods a call could reach.
fn is_generic_class<V>(path: &str, module_classes: &HashMap<String, V>) -> bool {
    !["typing.", "typing_extensions.", "collections.abc."]
        .iter()
        .any(|form| path.starts_with(form))
        && (module_classes.contains_key(path)
            || catalog::canonical_class(path).is_some()
            || looks_like_class(path))
}

/// A CapWords last segment (`app.models.Repo`) is, by PEP 8 convention, a class: calling it
/// builds an instance. Used for classes of other modules, which this module cannot see; a
/// wrong guess only yields method paths that match nothing.
pub fn looks_like_class(path: &str) -> bool {
    // Bytes, not chars: asked of most calls' callees, and every test is about ASCII.
    let bytes = path.as_bytes();
    let last = match memchr::memrchr(b'.', bytes) {
        Some(dot) => &bytes[dot + 1..],
        None => bytes,
    };
    let Some((first, rest)) = last.split_first() else {
        return false;
    };
    first.is_ascii_uppercase()
        && rest.iter().any(u8::is_ascii_lowercase)
        && !path.starts_with("builtins.")
}
