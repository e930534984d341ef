//! Module-level bindings: imports, aliases, definitions, and what each class's instances
//! hold in their attributes.

use std::borrow::Cow;
use std::cell::RefCell;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_python_ast::{self as ast, Expr};

use super::resolved::{Resolved, member_path};
use super::scope::Receiver;

/// What one class of the module is known to hold.
#[derive(Clone, Debug, Default)]
pub struct ClassInfo {
    /// `self.attr` types, from assignments in any method and class-level annotations.
    pub attribute_types: HashMap<String, String>,
    /// Method name → whether it is `async def`.
    pub methods: HashMap<String, bool>,
    /// For `__enter__` (`false`) and `__aenter__` (`true`) when the class defines them:
    /// whether every `return` of the method gives `self`, so that `with obj as name` binds
    /// `obj` itself rather than what the method returns.
    pub entries: Vec<(bool, bool)>,
    /// Base classes, as resolved paths.
    pub bases: Vec<String>,
    /// Attributes `__init__` sets straight from an unannotated parameter (`self._client =
    /// client`): (attribute, parameter name, position among the arguments a call spells).
    /// What they hold is what the project's calls of the class pass there.
    pub parameter_attributes: Vec<(String, String, Option<u32>)>,
    /// The class's `metaclass=`, as a resolved path: one of the project's that defines
    /// `__call__` decides what calling the class does (a singleton's returns the instance it
    /// made first, without running `__init__` again).
    pub metaclass: Option<String>,
    /// Attributes the class's methods only ever set to a thread queue made without a bound
    /// (`self.jobs = queue.Queue()`, or `None`): a `put` on one never waits, also where
    /// another module calls it (the link reads this).
    pub unbounded_queues: Vec<String>,
    /// Type aliases the class body declares (`CallBack = Callable[..., Awaitable[None]]`),
    /// with what each stands for, as a module-level alias is bound: an annotation
    /// `handler: SpaEvent.CallBack` names what the alias does.
    pub type_aliases: Vec<(String, String)>,
}

/// Every name bound at module level, and the module's classes.
#[derive(Clone, Debug, Default)]
pub struct ModuleBindings {
    /// The module's dotted name (`app.db`), used to qualify its own definitions.
    pub module_name: String,
    /// Whether the module is a package's `__init__` (relative imports start one level lower).
    pub is_package: bool,
    pub(super) names: HashMap<String, Option<Resolved>>,
    /// Classes defined at module level (also inside module-level `if`/`try`), by path.
    pub classes: HashMap<String, ClassInfo>,
    /// The modules asked of [`ModuleBindings::module_alias`] so far, each with the local
    /// name it is bound to: found by a look at every name, once per module asked (a module
    /// asks for one or two, for its fixes, often many times).
    pub(super) module_aliases: RefCell<Vec<(String, Option<String>)>>,
    /// Function and method path → the type its return annotation names (`def conn(self) ->
    /// Connection`), for the module's own functions.
    pub returns: HashMap<String, String>,
    /// Functions and methods of the module that return the calling thread's own event loop
    /// (or `None`): every `return` gives `asyncio.get_event_loop()`, `get_running_loop()`, a
    /// local assigned only from those, or `None`.
    pub own_loop_functions: HashSet<String>,
    /// Modules whose every public name this one binds (`from .futures import *`): the link
    /// looks a name up there when the module binds it no other way.
    pub star_imports: Vec<String>,
    /// While the first round of learning the classes' attribute types runs: the attribute
    /// names asked of the module's classes and not found. Only a name learnt in that round
    /// can change an answer in the second, so without one the second round is skipped.
    pub(super) unanswered_attributes: RefCell<Option<HashSet<String>>>,
    /// The top-level names the project's modules are imported under, when the project is
    /// known (shared by every module of a run): a call of a path under one of them may be a
    /// project function's, whose result only the link can type.
    pub project_roots: Option<std::sync::Arc<HashSet<String>>>,
    /// Names only an `if TYPE_CHECKING:` block imports, bound nowhere else at module level:
    /// they name types for annotations, and a call of one raises `NameError` when the code
    /// runs, so a call through them is no call of what they name.
    pub(super) type_only: Vec<String>,
}

/// What a module's bindings tell the rest of the project, once its walk is done.
pub struct ModuleExports {
    /// Module-level names bound to paths (imports, aliases, definitions), each once, in no
    /// order: the summary sorts them into its own table, so no map is built for them here.
    pub names: Vec<(String, String)>,
    /// Each class's bases and declared attribute types.
    pub classes: HashMap<String, ClassInfo>,
    pub returns: HashMap<String, String>,
    pub star_imports: Vec<String>,
}

/// Names every module can use without importing them.
const BUILTINS: &[&str] = &[
    "open",
    "input",
    "print",
    "len",
    "range",
    "isinstance",
    "issubclass",
    "super",
    "type",
    "object",
    "list",
    "dict",
    "set",
    "tuple",
    "str",
    "bytes",
    "int",
    "float",
    "bool",
    "iter",
    "next",
    "any",
    "all",
    "map",
    "filter",
    "zip",
    "sorted",
    "reversed",
    "enumerate",
    "getattr",
    "setattr",
    "hasattr",
    "callable",
    "id",
    "hash",
    "repr",
    "min",
    "max",
    "sum",
    "abs",
    "round",
    "vars",
    "dir",
    "exec",
    "eval",
    "compile",
    "globals",
    "locals",
    "staticmethod",
    "classmethod",
    "property",
    "BaseException",
    "Exception",
    "RuntimeError",
    "ValueError",
    "KeyError",
    "TypeError",
    "TimeoutError",
    "OSError",
    "ConnectionError",
    "KeyboardInterrupt",
    "SystemExit",
    "GeneratorExit",
    "StopIteration",
    "StopAsyncIteration",
    "NotImplementedError",
    "AttributeError",
    "ImportError",
    "IndexError",
    "LookupError",
    "ExceptionGroup",
    "BaseExceptionGroup",
    "breakpoint",
    "frozenset",
    "memoryview",
    "bytearray",
    "slice",
    "format",
    "chr",
    "ord",
    "hex",
    "oct",
    "bin",
    "divmod",
    "pow",
    "aiter",
    "anext",
    // Added by the `site` module, in every interpreter but one run with `-S`.
    "exit",
    "quit",
];

/// Whether `name` is one of [`BUILTINS`]: asked of every name a module does not bind, so
/// looked up in a set made once rather than compared with each entry.
fn is_builtin(name: &str) -> bool {
    static SET: std::sync::LazyLock<HashSet<&str>> =
        std::sync::LazyLock::new(|| BUILTINS.iter().copied().collect());
    SET.contains(name)
}

impl ModuleBindings {
    /// What a module-level (or builtin) name refers to.
    pub fn resolve_global(&self, name: &str) -> Option<Resolved> {
        self.resolve_global_with_room(name, 0)
    }

    /// [`ModuleBindings::resolve_global`], the path copied with `room` bytes to spare.
    pub(super) fn resolve_global_with_room(&self, name: &str, room: usize) -> Option<Resolved> {
        match self.names.get(name) {
            Some(binding) => binding.as_ref().map(|binding| binding.copy_with_room(room)),
            None if is_builtin(name) => {
                let mut path = String::with_capacity("builtins.".len() + name.len() + room);
                path.push_str("builtins.");
                path.push_str(name);
                Some(Resolved::Path(path))
            }
            None => self.bound_by_star_import(name, room),
        }
    }

    /// A name the module binds no other way, in a module with `from x import *`: what that
    /// import binds it to, `x.name` for the module's one star import (a library's too:
    /// `from time import *`, then `sleep(1)`), else this module's `name`, which the link
    /// looks up in the star-imported modules of the project in turn.
    fn bound_by_star_import(&self, name: &str, room: usize) -> Option<Resolved> {
        let from = match self.star_imports.as_slice() {
            [] => return None,
            [only] => only.as_str(),
            _ => self.module_name.as_str(),
        };
        let mut path = String::with_capacity(from.len() + 1 + name.len() + room);
        path.push_str(from);
        path.push('.');
        path.push_str(name);
        Some(Resolved::Path(path))
    }

    /// The local name under which `module` (e.g. `asyncio`) is imported as a whole, if any
    /// (the alphabetically first, when there are several).
    pub fn module_alias(&self, module: &str) -> Option<&str> {
        let mut asked = self.module_aliases.borrow_mut();
        let index = match asked.iter().position(|(asked, _)| asked == module) {
            Some(index) => index,
            None => {
                let alias = self
                    .names
                    .iter()
                    .filter(|(_, binding)| {
                        matches!(binding, Some(Resolved::Path(path)) if path == module)
                    })
                    .map(|(name, _)| name.as_str())
                    .min();
                asked.push((module.to_owned(), alias.map(str::to_owned)));
                asked.len() - 1
            }
        };
        let alias = asked[index].1.as_deref()?;
        // Borrowed from the names, which live as long as `self`.
        self.names
            .get_key_value(alias)
            .map(|(name, _)| name.as_str())
    }

    /// Consumes the bindings into what the module tells the rest of the project: its
    /// exports (names bound to paths), its classes, its functions' return types. Moves, not
    /// copies: these are the largest part of a module summary.
    pub fn into_exports(self) -> ModuleExports {
        let names = self
            .names
            .into_iter()
            .filter_map(|(name, binding)| match binding {
                Some(Resolved::Path(path)) => Some((name, path)),
                _ => None,
            })
            .collect();
        ModuleExports {
            names,
            classes: self.classes,
            returns: self.returns,
            star_imports: self.star_imports,
        }
    }

    pub fn is_class(&self, path: &str) -> bool {
        self.classes.contains_key(path)
    }

    /// The module-level names, and the attributes of the module's classes (`self._local`),
    /// whose values are of a type `holds` accepts: asked once per module.
    pub fn holders_of(&self, holds: impl Fn(&str) -> bool) -> (Vec<String>, Vec<String>) {
        let names = self
            .names
            .iter()
            .filter(|(_, binding)| matches!(binding, Some(Resolved::Instance(type_name)) if holds(type_name)))
            .map(|(name, _)| name.clone())
            .collect();
        let attributes = self
            .classes
            .values()
            .flat_map(|class| class.attribute_types.iter())
            .filter(|(_, type_name)| holds(type_name))
            .map(|(attribute, _)| attribute.clone())
            .collect();
        (names, attributes)
    }

    /// Whether a module-level import binds `library` or something in it: a cheap test that
    /// spares work on the modules that cannot use it.
    pub fn imports_from(&self, library: &str) -> bool {
        let within = |path: &str| {
            path.strip_prefix(library)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        };
        // A module imported whole, or a name imported from it, is a name bound to its path.
        self.names
            .values()
            .any(|binding| matches!(binding, Some(Resolved::Path(path)) if within(path)))
    }

    /// The qualified path of a definition of this module.
    pub fn qualify(&self, name: &str) -> String {
        if self.module_name.is_empty() {
            name.to_string()
        } else {
            member_path(&self.module_name, name)
        }
    }

    /// The names an `import` or `from ... import` statement binds, with the paths they
    /// stand for, wherever the statement is (module level, or inside a function: hooks and
    /// `__del__` often import there). `import a.b` binds `a`; a relative import is resolved
    /// against this module's package.
    ///
    /// Appended to `found`, which the caller reuses: every module has imports, and each
    /// binding costs one `String` (its path) here, its local name borrowed from the tree.
    pub fn import_bindings<'s>(&self, stmt: &'s ast::Stmt, found: &mut Vec<(&'s str, String)>) {
        match stmt {
            ast::Stmt::Import(import) => {
                found.extend(import.names.iter().map(|alias| {
                    let module = alias.name.as_str();
                    match &alias.asname {
                        Some(asname) => (asname.as_str(), module.to_owned()),
                        None => {
                            let first = module.split('.').next().unwrap_or(module);
                            (first, first.to_owned())
                        }
                    }
                }));
            }
            ast::Stmt::ImportFrom(import) => {
                let Some(base) = self.import_base(import) else {
                    return;
                };
                found.extend(
                    import
                        .names
                        .iter()
                        .filter(|alias| alias.name.as_str() != "*")
                        .map(|alias| {
                            let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                            let path = if base.is_empty() {
                                alias.name.as_str().to_owned()
                            } else {
                                member_path(&base, alias.name.as_str())
                            };
                            (local, path)
                        }),
                );
            }
            _ => {}
        }
    }

    /// The module a `from module import *` statement binds every public name of.
    pub fn star_import(&self, stmt: &ast::Stmt) -> Option<String> {
        let ast::Stmt::ImportFrom(import) = stmt else {
            return None;
        };
        if !import.names.iter().any(|alias| alias.name.as_str() == "*") {
            return None;
        }
        self.import_base(import)
            .filter(|base| !base.is_empty())
            .map(Cow::into_owned)
    }

    /// The absolute module an `import from` names, relative levels resolved against this
    /// module. Borrowed from the statement when it is absolute (most are), and built in one
    /// string otherwise: the kept parts of the module's name, then the named module.
    fn import_base<'s>(&self, import: &'s ast::StmtImportFrom) -> Option<Cow<'s, str>> {
        let module = import.module.as_ref().map(|module| module.as_str());
        if import.level == 0 {
            return module.map(Cow::Borrowed);
        }
        let package = || self.module_name.split('.').filter(|part| !part.is_empty());
        let mut levels = import.level as usize;
        if self.is_package {
            levels -= 1;
        }
        let parts = package().count();
        if levels > parts {
            return None;
        }
        let mut base = String::with_capacity(
            self.module_name.len() + module.map_or(0, |module| module.len() + 1),
        );
        for part in package().take(parts - levels).chain(module) {
            if !base.is_empty() {
                base.push('.');
            }
            base.push_str(part);
        }
        Some(Cow::Owned(base))
    }

    /// Whether the module's class `class_path` derives from one of `library` (library class
    /// paths), directly or through base classes of this module.
    pub fn derives_from_library(&self, class_path: &str, library: &[&str]) -> bool {
        self.find_up_module_classes(class_path, |info| {
            info.bases
                .iter()
                .any(|base| library.contains(&base.as_str()))
                .then_some(())
        })
        .is_some()
    }

    /// The first answer `visit` gives for the module's class `class_path` or one of its
    /// bases defined in this module, at any depth (each class once).
    fn find_up_module_classes<T>(
        &self,
        class_path: &str,
        mut visit: impl FnMut(&ClassInfo) -> Option<T>,
    ) -> Option<T> {
        let mut seen = HashSet::default();
        let mut pending = vec![class_path];
        while let Some(class) = pending.pop() {
            if !seen.insert(class) {
                continue;
            }
            let Some(info) = self.classes.get(class) else {
                continue;
            };
            if let Some(found) = visit(info) {
                return Some(found);
            }
            pending.extend(info.bases.iter().map(String::as_str));
        }
        None
    }

    /// The type of `attribute` on instances of the module's class `class_path`, searching
    /// the module's base classes too.
    pub fn attribute_type(&self, class_path: &str, attribute: &str) -> Option<String> {
        let info = self.classes.get(class_path)?;
        self.attribute_type_of(info, class_path, attribute)
    }

    /// [`ModuleBindings::attribute_type`] of the class `info` describes, at `class_path`.
    /// What the type alias `alias` that the class at `class_path` declares stands for.
    pub(super) fn class_type_alias(&self, class_path: &str, alias: &str) -> Option<&str> {
        self.classes
            .get(class_path)?
            .type_aliases
            .iter()
            .find(|(name, _)| name == alias)
            .map(|(_, path)| path.as_str())
    }

    /// The type a module class declares for an attribute read through the class itself
    /// (`Owner.executors` for `executors: dict[str, Executor] = {}` in its body): its own
    /// declarations only.
    pub(super) fn class_attribute_type(&self, class_path: &str, attribute: &str) -> Option<&str> {
        self.classes
            .get(class_path)?
            .attribute_types
            .get(attribute)
            .map(String::as_str)
    }

    pub(super) fn attribute_type_of(
        &self,
        info: &ClassInfo,
        class_path: &str,
        attribute: &str,
    ) -> Option<String> {
        let found = self.attribute_type_from(info, class_path, attribute);
        if found.is_none()
            && let Some(unanswered) = self.unanswered_attributes.borrow_mut().as_mut()
        {
            unanswered.insert(attribute.to_owned());
        }
        found
    }

    /// [`ModuleBindings::attribute_type`] of the class `info` describes.
    fn attribute_type_from(
        &self,
        info: &ClassInfo,
        class_path: &str,
        attribute: &str,
    ) -> Option<String> {
        // The class itself first: most lookups end there, without the set of classes seen
        // that a walk up the bases needs.
        if let Some(found) = info.attribute_types.get(attribute) {
            return Some(found.clone());
        }
        // A library base's attribute, as the catalog lists it: `self.loop` of a class
        // deriving from `discord.Client`.
        let from_library = |bases: &[String]| {
            bases
                .iter()
                .filter(|base| !self.classes.contains_key(base.as_str()))
                .find_map(|base| crate::catalog::listed_attribute_type(base, attribute))
                .map(str::to_string)
        };
        // Only bases defined in this module have attribute types here: most classes'
        // bases are imported, and the walk (a set of classes seen) is not made for them.
        if !info
            .bases
            .iter()
            .any(|base| self.classes.contains_key(base))
        {
            return from_library(&info.bases);
        }
        self.find_up_module_classes(class_path, |info| {
            (info.attribute_types.get(attribute).cloned()).or_else(|| from_library(&info.bases))
        })
    }
}

/// How a method's first parameter is bound: the instance, the class, or nothing for a
/// `@staticmethod`.
pub fn receiver_of<'c>(method: &ast::StmtFunctionDef, class_path: &'c str) -> Receiver<'c> {
    if method.parameters.iter().next().is_none() {
        return Receiver::None;
    }
    for decorator in &method.decorator_list {
        if let Expr::Name(name) = &decorator.expression {
            match name.id.as_str() {
                "staticmethod" => return Receiver::None,
                "classmethod" => return Receiver::Class(class_path),
                _ => {}
            }
        }
    }
    if matches!(
        method.name.as_str(),
        "__new__" | "__init_subclass__" | "__class_getitem__"
    ) {
        return Receiver::Class(class_path);
    }
    Receiver::Instance(class_path)
}
