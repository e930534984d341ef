//! The project index: every module's summary, and how a qualified path finds the project
//! function it names (directly, through re-exports, as a class's `__init__`, or as a method
//! inherited from a project base class).

use std::borrow::Cow;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use ruff_text_size::TextRange;

use super::linked_sites::{Linked, LinkedSites, Resolution};
use super::summary::{ClassSummary, DecoratorKind, ExportTarget, FunctionSummary, ModuleSummary};
use crate::catalog::first_name;
use crate::diagnostic::ChainStep;
use crate::source::LineIndex;

/// One analysed module, as the link step sees it.
#[derive(Clone, Copy)]
pub struct ProjectModule<'a> {
    pub summary: &'a ModuleSummary,
    pub display_path: &'a str,
    pub line_index: &'a LineIndex,
}

/// What the link looks through for the one implementation of a placeholder method
/// (`Project::placeholder_index`), and what it found for each placeholder asked about.
#[derive(Default)]
pub(super) struct Placeholders<'a> {
    /// Each project class's direct subclasses.
    pub(super) subclasses: HashMap<&'a str, Vec<&'a str>>,
    /// For the names of protocols' placeholders, the methods of that name.
    pub(super) by_name: HashMap<&'a str, Vec<FunctionId>>,
    /// Per placeholder asked about, its one implementation, if it has one.
    pub(super) memo: std::sync::Mutex<HashMap<FunctionId, Option<FunctionId>>>,
}

/// A function of the project: (module index, function index in that module).
pub type FunctionId = (usize, usize);

pub struct Project<'a> {
    pub modules: Vec<ProjectModule<'a>>,
    module_by_name: HashMap<&'a str, usize>,
    /// Class path → (its module, its summary). The summary itself rather than its bases:
    /// [`Project::class_summary`], asked at every step through a class, answers without
    /// looking the class up again in its module, and an entry takes 32 bytes, not 40.
    classes: HashMap<&'a str, (u32, &'a ClassSummary)>,
    /// What the callee entries name, each distinct path once (a path names the same thing
    /// from any module).
    pub(super) resolved: Vec<Linked>,
    /// The library paths `resolved` names ([`Linked::External`]).
    pub(super) external_paths: Vec<Box<str>>,
    /// For each module, per entry of its callee table, the index of what it names in
    /// `resolved`, or, from [`LOCAL_ENTRY`] up, the module's own function it names (see
    /// [`Project::resolution`]): 4 bytes an entry, where a table of resolutions per module
    /// took 24 and a copy of every library path. The module's own functions are not in
    /// `resolved`: 48,000 of its 149,000 entries on the benchmark corpus were.
    pub(super) callee_entries: Vec<Box<[u32]>>,
    /// What functions do through calls only the link could resolve.
    pub(super) linked_sites: HashMap<FunctionId, LinkedSites>,
    /// (class, attribute) → the type every construction of the class in the project passes
    /// for the parameter `__init__` stores in the attribute (see `member_types`).
    pub(super) inferred_attributes: HashMap<(&'a str, &'a str), &'a str>,
    /// Functions of modules outside any package (`common_utils.f` for a `common_utils.py`
    /// in a namespace package): such module names are often shared, so these functions are
    /// found by their path when it is unique among them (`None` when it is not). Keyed by
    /// the module's name and the function's name within it: the two parts of the path.
    lone_functions: HashMap<(&'a str, &'a str), Option<FunctionId>>,
    /// Where each module's functions start in a dense numbering of all functions.
    pub(crate) offsets: std::sync::Arc<[usize]>,
    /// Whether each function (by dense number) is `async def`: the graph passes ask it for
    /// every edge, and a flat vector answers without touching the summaries.
    is_async: Vec<bool>,
    /// First segments of every project module name: a path starting elsewhere
    /// (`asyncio.sleep`, `builtins.len`) is not the project's, and is dismissed at once.
    roots: HashSet<&'a str>,
    /// Sync functions that a decorator of another module of the project runs in a worker
    /// thread ([`ModuleSummary::sync_project_decorators`]); the module's own and the
    /// catalog's mark [`FunctionSites::runs_in_thread`] in the summary.
    ///
    /// [`FunctionSites::runs_in_thread`]: super::summary::FunctionSites::runs_in_thread
    pub(super) offloaded: HashSet<FunctionId>,
    /// Where the link looks for the one implementation of a placeholder method (a
    /// `Protocol`'s or an abstract class's), and what it found.
    pub(super) placeholders: Placeholders<'a>,
    /// Placeholder methods whose calls the link follows into one of their several
    /// implementations, all of which block ([`Project::dispatch_to`]).
    dispatched: HashMap<FunctionId, FunctionId>,
    /// Callee paths (by index in `resolved`) that name one of several implementations of a
    /// method the class calls on itself and its subclasses define, with those
    /// implementations; and the ones followed into the first, all of them blocking.
    pub(super) several: Vec<(u32, Box<[FunctionId]>)>,
    pub(super) followed_paths: HashSet<u32>,
}

/// `head.tail`, in one allocation of the right size: `format!` grows its string as it
/// writes, and the link builds a few hundred thousand of these paths.
pub(super) fn dotted(head: &str, tail: &str) -> String {
    let mut path = String::with_capacity(head.len() + 1 + tail.len());
    path.push_str(head);
    path.push('.');
    path.push_str(tail);
    path
}

/// The path `exported` names, followed by `.tail` when there is one.
fn with_tail(exported: ExportTarget, tail: Option<&str>) -> String {
    let mut path =
        String::with_capacity(exported.text_len() + tail.map_or(0, |tail| tail.len() + 1));
    exported.push_to(&mut path);
    if let Some(tail) = tail {
        path.push('.');
        path.push_str(tail);
    }
    path
}

// Dots are looked for in every callee path, at every step of its resolution: paths are
// short, and a plain loop over the bytes costs less than setting up `str`'s searchers
// (`split`, `rsplit_once`, `rfind`), which took a third of the link's instructions.

/// Where the first dot of `path` is.
pub(super) fn first_dot(path: &str) -> Option<usize> {
    path.bytes().position(|byte| byte == b'.')
}

/// Where the last dot of `path` is.
pub(super) fn last_dot(path: &str) -> Option<usize> {
    path.bytes().rposition(|byte| byte == b'.')
}

/// The segments of a dotted path.
pub(super) fn segments(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(path);
    std::iter::from_fn(move || {
        let current = rest?;
        match first_dot(current) {
            Some(dot) => {
                rest = Some(&current[dot + 1..]);
                Some(&current[..dot])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// What resolutions found when they looked for a method in a base class, by the path looked
/// for and the steps taken to get there (the bound on steps can make them differ): every
/// class deriving from a base looks for the same methods there, and a project's entity
/// classes derive from a few deep hierarchies.
#[derive(Default)]
pub(super) struct InheritedMemo(HashMap<(String, usize), Option<FunctionId>>);

/// A callee entry from this value up names the module's own function `entry - LOCAL_ENTRY`
/// (see [`Project::resolution`]); below it, an index into the project's distinct paths.
pub(super) const LOCAL_ENTRY: u32 = 1 << 31;

/// How many re-exports and base classes a name is followed through.
pub(super) const MAX_RESOLUTION_STEPS: usize = 16;

impl<'a> Project<'a> {
    /// The index of `modules` alone: callees are resolved by [`Project::new`].
    pub(super) fn index(modules: Vec<ProjectModule<'a>>) -> Self {
        let mut module_by_name =
            HashMap::with_capacity_and_hasher(modules.len(), Default::default());
        let mut classes = HashMap::default();
        let mut lone_functions = HashMap::default();
        // Alias → the one module claiming it, or `None` once a second module claims it too.
        let mut alias_claims: HashMap<&str, Option<usize>> = HashMap::default();
        for (module_index, module) in modules.iter().enumerate() {
            let name = module.summary.module_name.as_str();
            // A lone module outside any package (`main`, `utils`) is often one of many files
            // of that name in namespace packages: like a path suffix, it names a module only
            // when no other module claims it.
            if name.contains('.') || module.summary.is_package {
                module_by_name.entry(name).or_insert(module_index);
            } else {
                alias_claims
                    .entry(name)
                    .and_modify(|claim| *claim = None)
                    .or_insert(Some(module_index));
            }
            for alias in &module.summary.aliases {
                alias_claims
                    .entry(alias.as_str())
                    .and_modify(|claim| *claim = None)
                    .or_insert(Some(module_index));
            }
            // A module index fits in 4 bytes: a project of four billion files is not linked.
            let module_number = u32::try_from(module_index).unwrap_or(u32::MAX);
            for (path, class) in &module.summary.classes {
                classes
                    .entry(path.as_str())
                    .or_insert((module_number, class));
            }
            if !name.contains('.') && !module.summary.is_package {
                for (qualname, index) in module.summary.functions_by_qualname() {
                    lone_functions
                        .entry((name, qualname))
                        .and_modify(|found| *found = None)
                        .or_insert(Some((module_index, index as usize)));
                }
            }
        }
        // A path suffix names a module only when no other module claims it.
        for (alias, claim) in alias_claims {
            if let Some(module_index) = claim
                && !super::roots::alias_shadows_library(alias)
            {
                module_by_name.entry(alias).or_insert(module_index);
            }
        }
        let offsets = modules
            .iter()
            .scan(0, |next, module| {
                let offset = *next;
                *next += module.summary.functions.len();
                Some(offset)
            })
            .collect();
        let is_async = modules
            .iter()
            .flat_map(|module| {
                module
                    .summary
                    .functions
                    .iter()
                    .map(|function| function.is_async)
            })
            .collect();
        // Collected from the 43,000 names of the benchmark corpus, the set was sized for
        // them (1 MiB, kept for the whole link) and holds 2,100 first segments.
        let mut roots: HashSet<&str> = module_by_name.keys().map(|name| first_name(name)).collect();
        roots.shrink_to_fit();
        Self {
            modules,
            module_by_name,
            classes,
            resolved: Vec::new(),
            external_paths: Vec::new(),
            callee_entries: Vec::new(),
            linked_sites: HashMap::default(),
            inferred_attributes: HashMap::default(),
            lone_functions,
            offsets,
            is_async,
            roots,
            offloaded: HashSet::default(),
            placeholders: Default::default(),
            dispatched: HashMap::default(),
            several: Vec::new(),
            followed_paths: HashSet::default(),
        }
    }

    /// Has the calls of each placeholder method of `dispatched` resolve to the
    /// implementation given with it (see `dispatch_where_every_implementation_blocks`):
    /// every implementation blocks, so the call does whichever runs, and the chain goes
    /// through that one.
    pub fn dispatch_to(&mut self, dispatched: HashMap<FunctionId, FunctionId>) {
        self.dispatched = dispatched;
    }

    /// The placeholder method callee entry `callee` of module `module` names when its calls
    /// are followed into one of its implementations ([`Project::dispatch_to`]).
    pub fn dispatched_placeholder(&self, module: usize, callee: u32) -> Option<FunctionId> {
        if self.dispatched.is_empty() {
            return None;
        }
        let entry = *self.callee_entries.get(module)?.get(callee as usize)?;
        let named = match entry.checked_sub(LOCAL_ENTRY) {
            Some(function) => (module, function as usize),
            None => match self.resolved.get(entry as usize)? {
                &Linked::Function(module, index) => (module as usize, index as usize),
                _ => return None,
            },
        };
        self.dispatched.contains_key(&named).then_some(named)
    }

    /// Whether callee entry `callee` of module `module` names a method of several
    /// implementations, all blocking, followed into one of them
    /// ([`Project::follow_where_every_implementation_blocks`]).
    pub fn follows_several(&self, module: usize, callee: u32) -> bool {
        !self.followed_paths.is_empty()
            && self
                .callee_entries
                .get(module)
                .and_then(|entries| entries.get(callee as usize))
                .is_some_and(|entry| self.followed_paths.contains(entry))
    }

    /// The paths of [`Project::several`], for the link to ask about.
    pub fn several_paths(&self) -> impl Iterator<Item = u32> + '_ {
        self.several.iter().map(|(index, _)| *index)
    }

    /// The functions whose call sites name callee path `index` (of `resolved`), with the
    /// site: a scan of every call site, made only when a path of several implementations
    /// is asked about.
    pub fn callers_of_paths(&self, wanted: &HashSet<u32>) -> HashMap<u32, Vec<FunctionId>> {
        let mut callers: HashMap<u32, Vec<FunctionId>> = HashMap::default();
        for (module_index, module) in self.modules.iter().enumerate() {
            let Some(entries) = self.callee_entries.get(module_index) else {
                continue;
            };
            if !entries.iter().any(|entry| wanted.contains(entry)) {
                continue;
            }
            for (index, function) in module.summary.functions.iter().enumerate() {
                for call in &function.calls {
                    if let Some(&entry) = entries.get(call.callee as usize)
                        && wanted.contains(&entry)
                    {
                        callers
                            .entry(entry)
                            .or_default()
                            .push((module_index, index));
                    }
                }
            }
        }
        callers
    }

    /// `id`, or the implementation its calls are followed into.
    #[inline]
    fn dispatched(&self, id: FunctionId) -> FunctionId {
        if self.dispatched.is_empty() {
            return id;
        }
        self.dispatched.get(&id).copied().unwrap_or(id)
    }

    /// The sync functions of [`Project::offloaded`]: those whose decorator, a function of
    /// another module, runs the function it decorates in a worker thread.
    pub(super) fn offloaded_functions(&self) -> HashSet<FunctionId> {
        let mut offloaded = HashSet::default();
        // A framework's decorator (`@callback`) is named by most modules: resolved once.
        let mut offloads_by_path: HashMap<&str, bool> = HashMap::default();
        for (module, project_module) in self.modules.iter().enumerate() {
            for (decorator, functions) in &project_module.summary.sync_project_decorators {
                let offloads = *offloads_by_path.entry(decorator).or_insert_with(|| {
                    self.resolve(decorator).is_some_and(|decorator| {
                        self.function(decorator).as_decorator == DecoratorKind::Offloads
                    })
                });
                if offloads {
                    offloaded.extend(functions.iter().map(|&index| (module, index as usize)));
                }
            }
        }
        offloaded
    }

    /// Whether calling function `id` runs its body in a worker thread: its decorator says so
    /// (`@sync_to_async`, or a project function whose wrapper hands it to
    /// `run_in_executor`), so none of the body runs on the caller's thread.
    pub fn runs_in_thread(&self, id: FunctionId) -> bool {
        self.function(id).runs_in_thread || self.offloaded.contains(&id)
    }

    /// What entry `callee` of module `module`'s callee table names.
    pub fn resolution(&self, module: usize, callee: u32) -> Resolution<'_> {
        self.callee_entries
            .get(module)
            .and_then(|entries| entries.get(callee as usize))
            .map_or(Resolution::Unknown, |&entry| self.entry(module, entry))
    }

    /// What the entries of module `module`'s callee table name, in table order.
    pub(super) fn resolutions_of(&self, module: usize) -> impl Iterator<Item = Resolution<'_>> {
        let entries = self
            .callee_entries
            .get(module)
            .map_or(&[][..], |entries| entries);
        entries.iter().map(move |&entry| self.entry(module, entry))
    }

    /// What callee entry `entry` of module `module` names.
    #[inline]
    fn entry(&self, module: usize, entry: u32) -> Resolution<'_> {
        if let Some(function) = entry.checked_sub(LOCAL_ENTRY) {
            return Resolution::Function(self.dispatched((module, function as usize)));
        }
        match self.resolved.get(entry as usize) {
            Some(&Linked::Function(module, index)) => {
                Resolution::Function(self.dispatched((module as usize, index as usize)))
            }
            Some(&Linked::External(path)) => self
                .external_paths
                .get(path as usize)
                .map_or(Resolution::Unknown, |path| Resolution::External(path)),
            Some(Linked::Unknown) | None => Resolution::Unknown,
        }
    }

    /// Whether `path` is the name of a project module.
    pub(super) fn is_module(&self, path: &str) -> bool {
        self.module_by_name.contains_key(path)
    }

    /// Whether `path` starts with the name of a project module.
    pub(super) fn may_be_project_path(&self, path: &str) -> bool {
        self.roots.contains(first_name(path))
    }

    /// The project class `path` names, directly or through re-exports: its path where it is
    /// defined.
    pub fn resolve_class(&self, path: &str) -> Option<&'a str> {
        let mut current = Cow::Borrowed(path);
        for _ in 0..MAX_RESOLUTION_STEPS {
            if let Some(class) = self.defined_class(&current) {
                return Some(class);
            }
            if !self.may_be_project_path(&current) {
                return None;
            }
            current = Cow::Owned(self.reexported(&current)?);
        }
        None
    }

    /// The project class whose path where it is defined is `path`.
    pub(super) fn defined_class(&self, path: &str) -> Option<&'a str> {
        self.classes.get_key_value(path).map(|(&class, _)| class)
    }

    /// Every project class (its path where it is defined) with its summary.
    pub(super) fn classes(&self) -> impl Iterator<Item = (&'a str, &'a ClassSummary)> + '_ {
        self.classes
            .iter()
            .map(|(&class, &(_, summary))| (class, summary))
    }

    /// The index of the module that defines project class `class`.
    pub(super) fn module_of_class(&self, class: &str) -> Option<usize> {
        self.classes.get(class).map(|&(module, _)| module as usize)
    }

    /// The summary of project class `class` (its path where it is defined).
    pub(super) fn class_summary(&self, class: &str) -> Option<&'a ClassSummary> {
        self.classes.get(class).map(|&(_, summary)| summary)
    }

    /// The library path a project path stands for through its re-exports (`app.compat.
    /// create_task` → `asyncio.create_task` when `app/compat.py` imports it from there);
    /// `None` for a project definition, or a path that leads nowhere.
    pub fn library_path(&self, path: &str) -> Option<String> {
        let mut current = Cow::Borrowed(path);
        for _ in 0..MAX_RESOLUTION_STEPS {
            if !self.may_be_project_path(&current) {
                return Some(current.into_owned());
            }
            current = Cow::Owned(self.reexported(&current)?);
        }
        None
    }

    /// One step through a re-export: `app.Repo` → `app.models.Repo` when `app/__init__.py`
    /// imports `Repo` from `.models`, or does `from .models import *` and `app.models`
    /// defines or binds it.
    pub(super) fn reexported(&self, path: &str) -> Option<String> {
        let (module, name, tail) = self.split_at_module(path)?;
        let summary = self.modules[module].summary;
        let target = match summary.exports.target_of(name) {
            // Most often the module's own definition (`app.models.Repo` itself): compared
            // in place, no path is built.
            Some(exported) if exported.spells(path, tail) => return None,
            Some(exported) => with_tail(exported, tail),
            None => {
                let mut target = self.bound_by_star_import(summary, name)?;
                if let Some(tail) = tail {
                    target.push('.');
                    target.push_str(tail);
                }
                target
            }
        };
        (target != path).then_some(target)
    }

    /// `star.name` for the first `from star import *` of module `summary` whose module
    /// defines or binds `name`.
    fn bound_by_star_import(&self, summary: &ModuleSummary, name: &str) -> Option<String> {
        // One buffer for every candidate: a module may star-import dozens of modules.
        let mut candidate = String::new();
        for star in &summary.star_imports {
            let Some(&from) = self.module_by_name.get(star.as_str()) else {
                continue;
            };
            let from = self.modules[from].summary;
            candidate.clear();
            candidate.push_str(star);
            candidate.push('.');
            candidate.push_str(name);
            if from.exports.contains_key(name) || from.classes.contains_key(&candidate) {
                return Some(candidate);
            }
        }
        None
    }

    /// Whether `path` (`app.web.app`) names a module-level name its module binds to an
    /// application of a framework that runs each async view on a loop of its own
    /// ([`super::summary::ModuleSummary::own_loop_apps`]).
    pub fn is_own_loop_app(&self, path: &str) -> bool {
        matches!(self.split_at_module(path), Some((module, name, None))
            if self.modules[module].summary.own_loop_apps.iter().any(|app| app.as_str() == name))
    }

    /// The longest prefix of `path` that names a module: that module, the name that follows
    /// it, and the rest (`app.models.Repo.save` → `app.models`, `Repo`, `save`). Prefixes are
    /// slices of `path` up to a dot: nothing is allocated.
    fn split_at_module<'p>(&self, path: &'p str) -> Option<(usize, &'p str, Option<&'p str>)> {
        let mut end = path.len();
        while let Some(dot) = last_dot(&path[..end]) {
            if let Some(&module) = self.module_by_name.get(&path[..dot]) {
                let rest = &path[dot + 1..];
                let (name, tail) = match first_dot(rest) {
                    Some(dot) => (&rest[..dot], Some(&rest[dot + 1..])),
                    None => (rest, None),
                };
                return Some((module, name, tail));
            }
            end = dot;
        }
        None
    }

    pub fn function(&self, id: FunctionId) -> &'a FunctionSummary {
        &self.modules[id.0].summary.functions[id.1]
    }

    /// Whether call site `site` of `caller`, which calls `callee`, runs `callee`'s body
    /// there: calling a generator function only makes a generator, whose body runs as it
    /// is iterated; calling a function that a decorator runs in a worker thread only makes
    /// an awaitable, and the body runs on that thread.
    ///
    /// Nor does a call in the fallback of a feature test that the receiver's class passes
    /// (`else: store.read()` under `if hasattr(store, "read_async"):`, with `store` of a
    /// class that has `read_async`): for that class the call never runs.
    pub fn call_runs_body(&self, caller: FunctionId, site: usize, callee: FunctionId) -> bool {
        if self.runs_in_thread(callee) || self.passes_feature_test(caller, site) {
            return false;
        }
        !self.function(callee).runs_where_iterated()
            || self
                .function(caller)
                .calls
                .get(site)
                .is_some_and(|call| call.iterated())
    }

    /// Whether call site `site` of `caller` runs only where its receiver lacks an attribute
    /// ([`FunctionSummary::lacked_attribute`]) that the class the call is resolved through
    /// has, as a method of its own or inherited from a project base.
    fn passes_feature_test(&self, caller: FunctionId, site: usize) -> bool {
        let function = self.function(caller);
        let Some(attribute) = function.lacked_attribute(site) else {
            return false;
        };
        let Some(call) = function.calls.get(site) else {
            return false;
        };
        let path = self.modules[caller.0].summary.callee(call);
        let Some(dot) = last_dot(path) else {
            return false;
        };
        self.resolve(&dotted(&path[..dot], attribute)).is_some()
    }

    /// Whether calling function `id` makes a coroutine: an `async def` that does not yield,
    /// and no decorator hides the coroutine ([`Self::coroutine_hidden`]); or a sync `def`
    /// that a decorator makes into a coroutine function run in a worker thread
    /// (`@sync_to_async`: [`FunctionSites::thread_coroutine`]).
    ///
    /// [`FunctionSites::thread_coroutine`]: super::summary::FunctionSites::thread_coroutine
    pub fn makes_coroutine(&self, id: FunctionId) -> bool {
        let function = self.function(id);
        (function.is_async && !function.is_generator && !self.coroutine_hidden(id))
            || function.thread_coroutine
    }

    /// Whether a decorator of function `id` may make calling it return something else than
    /// a coroutine: one the module judged ([`FunctionSummary::coroutine_hidden`]), or one of
    /// another module of the project that is not a sync `def` returning the function or an
    /// `async def` wrapper (what it resolves to is read here: a class, a value or a function
    /// with another body hides it).
    pub fn coroutine_hidden(&self, id: FunctionId) -> bool {
        let function = self.function(id);
        function.coroutine_hidden
            || function.project_decorators.iter().any(|path| {
                self.resolve(path).is_none_or(|decorator| {
                    let decorator = self.function(decorator);
                    decorator.is_async || decorator.as_decorator != DecoratorKind::Keeps
                })
            })
    }

    /// Whether a path of calls from `start`, as `(caller, call site, callee)` steps, is one
    /// the calls can take once methods dispatch on the receiver's class. The link binds
    /// `self.handle()` in a base class's method to the base's `handle`; but when that method
    /// was reached from a subclass's method (through `super().receive()`,
    /// `Base.receive(self)` or `self.receive()`), `self` is the subclass, and where the
    /// subclass overrides `handle` the base's never runs there (a sync client's dispatch
    /// reached from its async subclass runs the subclass's `async def` handlers).
    pub fn path_dispatches(
        &self,
        start: FunctionId,
        path: &[(FunctionId, usize, FunctionId)],
    ) -> bool {
        // The class of the receiver as far as the path knows it: the start's own class.
        let mut receiver = self.method_class(start);
        for &(caller, site, callee) in path {
            let on_self = self
                .function(caller)
                .calls
                .get(site)
                .is_some_and(|call| call.arguments().on_self);
            let callee_class = self.method_class(callee);
            if on_self {
                if let Some(class) = &receiver {
                    let method = format!("{class}.{}", self.function(callee).name());
                    if self
                        .resolve(&method)
                        .is_some_and(|dispatched| dispatched != callee)
                    {
                        return false;
                    }
                }
                continue;
            }
            // A base class's method called on the same receiver: its class stays.
            let base_of_receiver = match (&receiver, &callee_class) {
                (Some(receiver), Some(class)) => self.descends_from(receiver, &[class.as_str()]),
                _ => false,
            };
            if !base_of_receiver {
                receiver = callee_class;
            }
        }
        true
    }

    /// The class whose method `id` is, when it is one (`app.db.Repo` of `app.db.Repo.save`).
    fn method_class(&self, id: FunctionId) -> Option<String> {
        let path = self.modules[id.0].summary.function_path(self.function(id));
        let (owner, _) = path.rsplit_once('.')?;
        self.is_class(owner).then(|| owner.to_string())
    }

    /// Whether function `id` is an `async def`.
    pub fn is_async(&self, id: FunctionId) -> bool {
        self.is_async[self.offsets[id.0] + id.1]
    }

    /// How many functions the project has (module code included).
    pub fn function_count(&self) -> usize {
        // One flag a function, module code included: the count without a walk of the
        // modules, which callers in loops (a chain's bound) would pay per step.
        self.is_async.len()
    }

    /// All function ids, in module order.
    pub fn function_ids(&self) -> impl Iterator<Item = FunctionId> + '_ {
        self.modules.iter().enumerate().flat_map(|(module, m)| {
            (0..m.summary.functions.len()).map(move |function| (module, function))
        })
    }

    /// The project function a qualified path names: directly, through re-exports
    /// (`app.load_user` from `app/__init__.py`'s `from .db import load_user`), as a class
    /// (its `__init__`), or as a method inherited from a project base class.
    pub fn resolve(&self, path: &str) -> Option<FunctionId> {
        self.resolve_in(path, &mut InheritedMemo::default())
    }

    /// [`Self::resolve`], with the inherited methods earlier resolutions found in `memo`.
    pub(super) fn resolve_in(&self, path: &str, memo: &mut InheritedMemo) -> Option<FunctionId> {
        if !self.may_be_project_path(path) {
            return None;
        }
        self.resolve_steps(path, 0, memo)
    }

    fn resolve_steps(
        &self,
        path: &str,
        steps: usize,
        memo: &mut InheritedMemo,
    ) -> Option<FunctionId> {
        if steps > MAX_RESOLUTION_STEPS {
            return None;
        }
        // The longest module prefix, looked for once: both a function of that module and
        // a re-export there start from it.
        let split = self.split_at_module(path);
        if let Some(id) = self.function_named(path, split) {
            return Some(id);
        }
        if self.classes.contains_key(path) {
            if self.constructs_through_metaclass(path, steps, memo) {
                return None;
            }
            return self.resolve_steps(&dotted(path, "__init__"), steps + 1, memo);
        }
        let dot = last_dot(path)?;
        let (owner, member) = (&path[..dot], &path[dot + 1..]);
        if let Some(&(module, class)) = self.classes.get(owner) {
            let module = module as usize;
            // The class's own method, in the class's own module.
            if let Some(index) = self.modules[module].summary.function_index(path) {
                return Some((module, index as usize));
            }
            for base in class.bases.iter() {
                // The same base method is looked for from every class deriving from it.
                let key = (dotted(base, member), steps + 1);
                let found = match memo.0.get(&key) {
                    Some(&found) => found,
                    None => {
                        let found = self.resolve_steps(&key.0, key.1, memo);
                        memo.0.insert(key, found);
                        found
                    }
                };
                if found.is_some() {
                    return found;
                }
            }
            return None;
        }
        // Follow a re-export: the longest module prefix whose module binds the next name.
        let (module, name, tail) = split?;
        let summary = self.modules[module].summary;
        let Some(exported) = summary.exports.target_of(name) else {
            // Bound by a `from ... import *`, if at all.
            let mut target = self.bound_by_star_import(summary, name)?;
            if let Some(tail) = tail {
                target.push('.');
                target.push_str(tail);
            }
            if target == path {
                return None;
            }
            return self.resolve_steps(&target, steps + 1, memo);
        };
        // The module's own definition, not a re-export (compared in place).
        if exported.spells(path, tail) {
            return None;
        }
        let target = with_tail(exported, tail);
        // The module's own definition: found in the module itself, whatever other
        // module shares its name.
        if let Some(index) = summary.function_index(&target) {
            return Some((module, index as usize));
        }
        if summary.classes.contains_key(target.as_str()) {
            if self.constructs_through_metaclass(&target, steps, memo) {
                return None;
            }
            let init = dotted(&target, "__init__");
            if let Some(index) = summary.function_index(&init) {
                return Some((module, index as usize));
            }
        }
        self.resolve_steps(&target, steps + 1, memo)
    }

    /// Whether a call of `class` goes through a project metaclass's `__call__` (its own
    /// `metaclass=`, or a base's of the project): what that does is its own, and a
    /// singleton's returns the instance it made first without running `__init__` again. The
    /// call is not taken for a call of `__init__`.
    fn constructs_through_metaclass(
        &self,
        class: &str,
        steps: usize,
        memo: &mut InheritedMemo,
    ) -> bool {
        let mut pending: Vec<&str> = vec![class];
        let mut seen = HashSet::default();
        while let Some(current) = pending.pop() {
            if !seen.insert(current) || seen.len() > 16 {
                continue;
            }
            let Some(&(_, summary)) = self.classes.get(current) else {
                continue;
            };
            if let Some(metaclass) = summary.metaclass
                && self.classes.contains_key(metaclass.as_str())
                && self
                    .resolve_steps(&dotted(metaclass.as_str(), "__call__"), steps + 1, memo)
                    .is_some()
            {
                return true;
            }
            pending.extend(summary.bases.iter().map(|base| base.as_str()));
        }
        false
    }

    /// The function whose path is exactly `path`: found in the module named by the
    /// longest prefix of `path` that is a module (`split`, what [`Self::split_at_module`]
    /// found), else among the functions of modules outside any package.
    fn function_named(
        &self,
        path: &str,
        split: Option<(usize, &str, Option<&str>)>,
    ) -> Option<FunctionId> {
        if let Some((module, _, _)) = split
            && let Some(index) = self.modules[module].summary.function_index(path)
        {
            return Some((module, index as usize));
        }
        // A lone module's name has no dot: the path's first part, when it has one.
        let parts = path.split_once('.').unwrap_or(("", path));
        self.lone_functions.get(&parts).copied().flatten()
    }

    /// A chain step for a function's definition.
    pub fn definition_step(&self, id: FunctionId) -> ChainStep {
        let function = self.function(id);
        self.step(id.0, function.shown_name(), function.name_range)
    }

    /// A chain step named `name` at `range` of module `module`.
    pub fn step(&self, module: usize, name: &str, range: TextRange) -> ChainStep {
        let module = &self.modules[module];
        ChainStep {
            name: name.to_string(),
            filename: module.display_path.to_string(),
            row: module.line_index.line_of(range.start()) + 1,
        }
    }

    /// The project classes that derive, at any depth, from a library class `library_class`
    /// accepts (by its path).
    pub fn classes_deriving_from(&self, library_class: impl Fn(&str) -> bool) -> HashSet<&'a str> {
        // Most projects subclass none of them: the classes with such a direct base first.
        let mut found: HashSet<&'a str> = self
            .classes
            .iter()
            .filter(|(_, (_, class))| class.bases.iter().any(|base| library_class(base)))
            .map(|(&path, _)| path)
            .collect();
        if found.is_empty() {
            return found;
        }
        // Then their project subclasses, until none is added.
        loop {
            let more: Vec<&'a str> = self
                .classes
                .iter()
                .filter(|(path, (_, class))| {
                    !found.contains(*path)
                        && class.bases.iter().any(|base| found.contains(base.as_str()))
                })
                .map(|(&path, _)| path)
                .collect();
            if more.is_empty() {
                return found;
            }
            found.extend(more);
        }
    }
}

impl<'a> Project<'a> {
    /// `classes` with every project class among their bases, at any depth: the mixins a
    /// class is made of (`class App(MonitoringMixin, textual.app.App)`), whose methods run
    /// on its instances.
    pub fn with_project_bases(&self, classes: HashSet<&'a str>) -> HashSet<&'a str> {
        let mut found = classes;
        let mut pending: Vec<&'a str> = found.iter().copied().collect();
        while let Some(class) = pending.pop() {
            let Some((_, summary)) = self.classes.get(class) else {
                continue;
            };
            for base in &summary.bases {
                if let Some((&base, _)) = self.classes.get_key_value(base.as_str())
                    && found.insert(base)
                {
                    pending.push(base);
                }
            }
        }
        found
    }
}

impl Project<'_> {
    pub fn is_class(&self, path: &str) -> bool {
        self.classes.contains_key(path)
    }

    /// Whether project class `class` has one of `ancestors` among its bases, at any depth
    /// (through project classes and re-exports).
    pub fn descends_from(&self, class: &str, ancestors: &[&str]) -> bool {
        self.descends_from_where(class, |base| ancestors.contains(&base))
    }

    /// Whether project class `class` has a base `ancestor` accepts, at any depth.
    pub fn descends_from_where(&self, class: &str, ancestor: impl Fn(&str) -> bool) -> bool {
        // Borrowed, not copied: asked for every method named like a framework's hook.
        let mut pending: Vec<&str> = vec![class];
        let mut seen = HashSet::default();
        while let Some(current) = pending.pop() {
            if !seen.insert(current) || seen.len() > 64 {
                continue;
            }
            let Some(&(_, class)) = self.classes.get(current) else {
                continue;
            };
            for base in class.bases.iter() {
                if ancestor(base.as_str()) {
                    return true;
                }
                pending.push(base);
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index of these summaries, every module's lines indexed by `line_index`.
    fn indexed<'a>(summaries: &'a [ModuleSummary], line_index: &'a LineIndex) -> Project<'a> {
        let modules = summaries
            .iter()
            .map(|summary| ProjectModule {
                summary,
                display_path: "",
                line_index,
            })
            .collect();
        Project::index(modules)
    }

    fn summary(name: &str, is_package: bool) -> ModuleSummary {
        ModuleSummary {
            module_name: name.to_string(),
            is_package,
            ..ModuleSummary::default()
        }
    }

    /// The longest prefix that names a module, whatever the segments after it; a prefix that
    /// ends like a module name but is none (`other.db.models`) is no module.
    #[test]
    fn a_path_splits_at_its_longest_module_prefix() {
        let summaries = [
            summary("app", true),
            summary("app.db", true),
            summary("app.db.models", false),
            // Outside any package: named by its path alone, as the one module of that name.
            summary("utils", false),
        ];
        let line_index = LineIndex::default();
        let project = indexed(&summaries, &line_index);
        assert_eq!(
            project.split_at_module("app.db.models.Repo.save"),
            Some((2, "Repo", Some("save")))
        );
        assert_eq!(
            project.split_at_module("app.db.models.Repo"),
            Some((2, "Repo", None))
        );
        assert_eq!(
            project.split_at_module("app.api.handler"),
            Some((0, "api", Some("handler")))
        );
        assert_eq!(project.split_at_module("app.db"), Some((0, "db", None)));
        assert_eq!(
            project.split_at_module("utils.helper"),
            Some((3, "helper", None))
        );
        assert_eq!(project.split_at_module("app"), None);
        assert_eq!(project.split_at_module("other.db.models.Repo"), None);
        assert_eq!(project.split_at_module("appx.db"), None);
        let deep = format!("app.db.models.Repo.{}", ["x"; 30].join("."));
        assert_eq!(
            project.split_at_module(&deep),
            Some((2, "Repo", Some(["x"; 30].join(".").as_str())))
        );
        let deep_elsewhere = format!("other.{}", ["x"; 30].join("."));
        assert_eq!(project.split_at_module(&deep_elsewhere), None);
    }

    /// Two modules outside any package share the name `common_utils`, so the name names
    /// neither module; a function only one of them defines is still found by its path, one
    /// both define is not, and neither is one of another module's name.
    #[test]
    fn a_function_of_a_module_sharing_its_name_is_found_when_only_it_defines_it() {
        use crate::project::summary::{FunctionSummary, path_hash};
        let with_functions = |qualnames: &[&str]| {
            let mut module = summary("common_utils", false);
            for &qualname in qualnames {
                module.functions.push(FunctionSummary::new(
                    qualname.into(),
                    qualname.into(),
                    false,
                    TextRange::default(),
                ));
            }
            let mut by_path: Vec<(i32, u32)> = qualnames
                .iter()
                .zip(0..)
                .map(|(qualname, index)| (path_hash(qualname), index))
                .collect();
            by_path.sort_unstable();
            module.function_by_path = by_path.into_boxed_slice();
            module
        };
        let summaries = [
            with_functions(&["slow_helper", "other"]),
            with_functions(&["other"]),
        ];
        let line_index = LineIndex::default();
        let project = indexed(&summaries, &line_index);
        assert_eq!(project.split_at_module("common_utils.slow_helper"), None);
        assert_eq!(
            project.function_named("common_utils.slow_helper", None),
            Some((0, 0))
        );
        assert_eq!(project.function_named("common_utils.other", None), None);
        assert_eq!(project.function_named("utils.slow_helper", None), None);
        assert_eq!(project.function_named("slow_helper", None), None);
    }
}
