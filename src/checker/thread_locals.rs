//! Thread-local storage a module holds (`_tls = threading.local()`, `self._local =
//! threading.local()`): a sync function that reads or sets it keeps state on its thread,
//! which LW103's fix must not move to a worker thread (see `thread_bound`).

use ruff_python_ast::Expr;

use crate::catalog;
use crate::semantic::ModuleBindings;
use crate::source::MAX_NESTING;

/// The module-level names and the class attributes of a module that hold thread-local
/// storage, found once per module from its bindings: only attributes read on one of them are
/// typed, at each read (most modules hold none, and pay nothing).
pub struct ThreadLocals {
    names: Vec<String>,
    attributes: Vec<String>,
}

impl ThreadLocals {
    pub fn of(bindings: &ModuleBindings) -> Option<Box<Self>> {
        if !bindings.imports_from("threading") && !bindings.imports_from("_thread") {
            return None;
        }
        let (names, attributes) =
            bindings.holders_of(|type_name| is_thread_local(bindings, type_name));
        (!names.is_empty() || !attributes.is_empty()).then(|| Box::new(Self { names, attributes }))
    }

    /// Whether `value` may be one of them: a name or an attribute (of any receiver) that
    /// holds one. The caller types it to be sure.
    pub fn may_hold(&self, value: &Expr) -> bool {
        match value {
            Expr::Name(name) => self.names.iter().any(|held| held == name.id.as_str()),
            Expr::Attribute(held) => self
                .attributes
                .iter()
                .any(|attribute| attribute == held.attr.as_str()),
            _ => false,
        }
    }
}

/// Whether instances of `type_name` are thread-local storage: `threading.local`, or a
/// class of the module deriving from it.
pub fn is_thread_local(module: &ModuleBindings, type_name: &str) -> bool {
    let mut pending = vec![type_name];
    let mut seen = 0;
    while let Some(class) = pending.pop() {
        if catalog::THREAD_LOCAL_CLASSES.contains(&class) {
            return true;
        }
        seen += 1;
        if seen > MAX_NESTING {
            return false;
        }
        if let Some(info) = module.classes.get(class) {
            pending.extend(info.bases.iter().map(String::as_str));
        }
    }
    false
}
