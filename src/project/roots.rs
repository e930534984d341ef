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
        // Borrowed first, owned once each: a project's names and aliases repeat a few
        // top-level names tens of thousands of times.
        let names: FxHashSet<&str> = modules
            .into_iter()
            .flat_map(|module| std::iter::once(&module.name).chain(&module.aliases))
            .map(|name| name.split('.').next().unwrap_or(name))
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

/// Whether `path` may name something of the project, when the project is known (`None`:
/// a file analysed alone, which keeps everything for whatever project it joins).
pub fn may_be_in_project(roots: Option<&ProjectRoots>, path: &str) -> bool {
    roots.is_none_or(|roots| roots.may_contain(path))
}
