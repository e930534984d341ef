//! The top-level names a project's modules are imported under: a qualified path that
//! starts elsewhere (`asyncio.sleep`, `requests.get`) can never name one of the project's
//! functions or classes. The analysis of a file asks it to keep out of the file's summary
//! what the link could never use.

use std::sync::Arc;

use rustc_hash::FxHashSet;

use crate::catalog::first_name;
use crate::discovery::module_name::ModuleName;

/// The top-level names the project's modules are imported under (`app` for `app.db`).
#[derive(Debug, Default)]
pub struct ProjectRoots(Arc<FxHashSet<String>>);

impl ProjectRoots {
    pub fn of<'n>(modules: impl IntoIterator<Item = &'n ModuleName>) -> Self {
        // An alias (a dotted suffix of a file's path, for namespace packages) does not make
        // the name of a library the catalog knows the project's: `graphrag/llm/openai/
        // types.py` is importable as `openai.types` only from inside `graphrag/llm`, and
        // taking `openai` for the project's would hide the library's client from every
        // module that imports it.
        // Borrowed first, owned once each: a project's names and aliases repeat a few
        // top-level names tens of thousands of times.
        let names: FxHashSet<&str> = modules
            .into_iter()
            .flat_map(|module| {
                std::iter::once(first_name(&module.name)).chain(
                    module
                        .aliases
                        .iter()
                        .filter(|alias| !alias_shadows_library(alias))
                        .map(|alias| first_name(alias)),
                )
            })
            .collect();
        Self(Arc::new(names.into_iter().map(str::to_string).collect()))
    }

    /// The roots of a project whose names [`ProjectRoots::sorted`] gave (kept by a record of
    /// the walk: the same modules have the same roots).
    pub fn from_names(names: impl IntoIterator<Item = String>) -> Self {
        Self(Arc::new(names.into_iter().collect()))
    }

    /// The names, shared: each module's bindings keep them (`ModuleBindings::project_roots`).
    pub fn shared(&self) -> Arc<FxHashSet<String>> {
        Arc::clone(&self.0)
    }

    /// Whether `path` may name something of the project.
    pub fn may_contain(&self, path: &str) -> bool {
        self.0.contains(first_name(path))
    }

    /// The names, sorted: the same for the same project whatever the order of the walk.
    pub fn sorted(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.0.iter().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}

/// Whether a module's alias (a dotted suffix of its path, [`ModuleName::aliases`]) starts
/// with the name of a library the catalog knows (`openai.types` for
/// `graphrag/llm/openai/types.py`): such an alias is not taken for the project's, neither
/// as a root nor as a module the link resolves paths into, so the library keeps its name.
/// A module's own name still claims it.
pub fn alias_shadows_library(alias: &str) -> bool {
    static LIBRARY_ROOTS: std::sync::LazyLock<FxHashSet<&'static str>> =
        std::sync::LazyLock::new(|| {
            crate::catalog::libraries()
                .map(|library| first_name(library.name))
                .collect()
        });
    LIBRARY_ROOTS.contains(first_name(alias))
}

/// Whether `path` may name something of the project, when the project is known (`None`:
/// a file analysed alone, which keeps everything for whatever project it joins).
pub fn may_be_in_project(roots: Option<&ProjectRoots>, path: &str) -> bool {
    roots.is_none_or(|roots| roots.may_contain(path))
}
