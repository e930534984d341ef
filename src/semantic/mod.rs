//! Name resolution: what a name or a call in a module refers to, as a qualified path.
//!
//! `import sqlite3 as db; db.connect(p)`, `from sqlite3 import connect as c; c(p)` and
//! `connect = sqlite3.connect; connect(p)` all resolve to `sqlite3.connect`; a local that
//! shadows an import resolves to nothing. Values get a type from simple local knowledge
//! (assigned from a known constructor, annotated, bound by `with ... as`), so
//! `con.execute(...)` on `con = sqlite3.connect(...)` resolves to `sqlite3.Connection.execute`.
//! See RULES.md "Resolution". Nothing here imports or runs the analysed code.

mod bindings;
mod local_types;
mod model;
mod module_scan;
mod resolved;
mod scope;

pub use bindings::{ClassInfo, ModuleBindings, ModuleExports, receiver_of};
pub use model::{
    DEFERRED_CALL, ELEMENTS_OF, MAPPING_CONTAINERS, SemanticModel, VALUES_OF, element_type,
    is_collection, looks_like_class,
};
pub use resolved::{Resolved, dotted_name, member_path};
pub use scope::{FunctionScope, Receiver, Scope, ScopeStack};
