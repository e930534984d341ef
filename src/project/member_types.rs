//! The link's share of type knowledge: what `obj.attr.method` names when the module that
//! makes the call cannot see the types involved. A module knows the types its own
//! annotations and assignments give; it cannot see that `self.conn` is declared on a base
//! class in another module, or what a function of another module is annotated to return.
//! It records such calls as paths through the values (`app.jobs.JobDB.conn.execute`,
//! `app.loops.get_loop().create_task`) and the link, which has every module's classes and
//! return annotations, follows them here to the function or library API they name.
//!
//! Nothing is guessed: a step whose type no annotation, declaration or known constructor
//! gives ends the resolution.

use std::borrow::Cow;

use rustc_hash::FxHashSet as HashSet;

use super::index::{
    FunctionId, InheritedMemo, LOCAL_ENTRY, MAX_RESOLUTION_STEPS, Placeholders, Project,
    ProjectModule, dotted, segments,
};
use super::interned::Name;
use super::linked_sites::Linked;
pub use super::linked_sites::{LinkedSites, Resolution};
use super::summary::{
    BlockingSite, CallSite, CallUsage, ClassSummary, FunctionSummary, LoopAffineSite, ParameterRef,
    ThreadTarget, is_qualified, qualified,
};
use crate::catalog::{self, BlockingApi, BlockingKind};
use crate::semantic::DEFERRED_CALL;

/// How many classes, re-exports and bases one resolution may pass through.
const MAX_STEPS: usize = 32;

/// How many implementations of a placeholder method the link reads to decide that a call
/// of it blocks whichever runs (see `dispatch_where_every_implementation_blocks`).
const MAX_IMPLEMENTATIONS: usize = 8;

/// A value's type, as far as the link follows it.
#[derive(Clone)]
enum Type<'p> {
    /// A project class, by its path where it is defined.
    Project(&'p str),
    /// A library class, by its canonical path when the catalog knows it.
    Library(String),
}

impl<'a> Project<'a> {
    /// The project of `modules`, indexed, with every call's callee resolved: to a project
    /// function, or through the types the link knows to a library API.
    pub fn new(modules: Vec<ProjectModule<'a>>) -> Self {
        // Both read the summaries only: side by side (45 and 50 to 70 ms on the corpus).
        let (mut project, mut callees) = rayon::join(
            || Self::index(modules.clone()),
            || DistinctCallees::of(&modules),
        );
        // Before any path is resolved: made in parallel, it must not start inside the
        // parallel resolution (a worker waiting on it could be handed a resolution that asks
        // for it again).
        project.placeholders = project.placeholder_index();
        let found = project.resolve_paths(&callees.paths, |_| true);
        let mut several = Vec::new();
        project.resolved = (found.into_iter().enumerate())
            .map(|(index, target)| {
                if let Some(Target::Several(implementations)) = &target {
                    several.push((index as u32, implementations.clone()));
                }
                linked(target, &mut project.external_paths)
            })
            .collect();
        project.several = several;
        project.callee_entries = std::mem::take(&mut callees.entries);
        project.inferred_attributes = project.infer_parameter_attributes();
        if !project.inferred_attributes.is_empty() {
            project.resolve_again_through_inferred_attributes(&callees.paths);
        }
        project.linked_sites = project.link_sites();
        project.offloaded = project.offloaded_functions();
        project
    }

    /// What each of `paths` names, in parallel, for the paths `pending` accepts (`None` for
    /// the others). A path names the same thing whichever module calls it: each is resolved
    /// once for the whole project (on the benchmark corpus's largest project, 108,836 callee
    /// entries are 50,146 distinct paths).
    fn resolve_paths(
        &self,
        paths: &[&'a str],
        pending: impl Fn(usize) -> bool + Sync,
    ) -> Vec<Option<Target>> {
        use rayon::prelude::*;
        paths
            .par_iter()
            .enumerate()
            // One memo per run of consecutive paths (the paths of a module are together).
            .map_init(Memo::default, |memo, (index, path)| {
                if !pending(index) {
                    return None;
                }
                match self.resolve_in(path, &mut memo.inherited) {
                    Some(id) => Some(Target::Function(self.implementation_of(id))),
                    None => self.resolve_member_in(path, memo),
                }
            })
            .collect()
    }

    /// The types of the attributes classes' `__init__` set from unannotated parameters
    /// (`self._client = client`), from what the project passes there: an attribute is typed
    /// when every call of the class in the project passes a value of one known type for its
    /// parameter (and there is at least one call). One call that passes something else, or
    /// something unknown, leaves it untyped.
    fn infer_parameter_attributes(&self) -> rustc_hash::FxHashMap<(&'a str, &'a str), &'a str> {
        // Constructor → (calls seen, per attribute: the one type passed so far, or conflict).
        let mut seen: rustc_hash::FxHashMap<FunctionId, (usize, Vec<Option<&'a str>>)> =
            rustc_hash::FxHashMap::default();
        let mut wanted: rustc_hash::FxHashMap<FunctionId, (&'a str, &'a ClassSummary)> =
            rustc_hash::FxHashMap::default();
        for module in &self.modules {
            for (class, summary) in &module.summary.classes {
                if summary.parameter_attributes.is_empty() {
                    continue;
                }
                // The class's own `__init__`, not one it inherits.
                let own_init = dotted(class, "__init__");
                if let Some(init) = self.resolve(&own_init)
                    && is_qualified(
                        &own_init,
                        &self.modules[init.0].summary.module_name,
                        self.function(init).qualname(),
                    )
                {
                    wanted.insert(init, (class.as_str(), summary));
                }
            }
        }
        if wanted.is_empty() {
            return rustc_hash::FxHashMap::default();
        }
        // Only the modules that call one of these constructors: most call none.
        let calls_wanted = |module: usize| {
            self.resolutions_of(module).any(|resolution| {
                matches!(resolution, Resolution::Function(id) if wanted.contains_key(&id))
            })
        };
        let ids = (0..self.modules.len())
            .filter(|&module| calls_wanted(module))
            .flat_map(|module| {
                (0..self.modules[module].summary.functions.len()).map(move |index| (module, index))
            });
        for id in ids {
            let function = self.function(id);
            for (site, call) in function.calls.iter().enumerate() {
                let Resolution::Function(callee) = self.resolution(id.0, call.callee) else {
                    continue;
                };
                let Some(&(_, class)) = wanted.get(&callee) else {
                    continue;
                };
                let entry = seen
                    .entry(callee)
                    .or_insert_with(|| (0, vec![None; class.parameter_attributes.len()]));
                entry.0 += 1;
                let first_call = entry.0 == 1;
                for (slot, (_, parameter)) in class.parameter_attributes.iter().enumerate() {
                    let passed = function
                        .argument_types
                        .iter()
                        .find(|(at, argument, _)| {
                            *at as usize == site && argument.is_for(parameter)
                        })
                        .map(|(_, _, type_name)| &**type_name);
                    entry.1[slot] = match (first_call, entry.1[slot], passed) {
                        (true, _, passed) => passed,
                        (false, Some(before), Some(now)) if before == now => Some(before),
                        _ => None,
                    };
                }
            }
        }
        let mut inferred = rustc_hash::FxHashMap::default();
        for (init, (_, types)) in seen {
            let (class, summary) = wanted[&init];
            for ((attribute, _), type_name) in summary.parameter_attributes.iter().zip(types) {
                if let Some(type_name) = type_name {
                    inferred.insert((class, &**attribute), type_name);
                }
            }
        }
        inferred
    }

    /// Resolves again the callees left unknown whose path runs through an attribute the
    /// link has just typed (`app.login.Login._client._on_login`).
    fn resolve_again_through_inferred_attributes(&mut self, paths: &[&'a str]) {
        let attributes: rustc_hash::FxHashSet<&str> = self
            .inferred_attributes
            .keys()
            .map(|&(_, attribute)| attribute)
            .collect();
        let again = self.resolve_paths(paths, |index| {
            self.resolved[index] == Linked::Unknown
                && segments(paths[index]).any(|segment| attributes.contains(segment))
        });
        // `resolved` holds the paths in order: the modules' tables point to them unchanged.
        for (entry, target) in self.resolved.iter_mut().zip(again) {
            if target.is_some() {
                *entry = linked(target, &mut self.external_paths);
            }
        }
    }

    /// The facts functions have through calls the link resolved to library APIs.
    fn link_sites(&self) -> rustc_hash::FxHashMap<FunctionId, LinkedSites> {
        use rayon::prelude::*;
        let per_module: Vec<Vec<(FunctionId, LinkedSites)>> = (0..self.modules.len())
            .into_par_iter()
            .map(|module| {
                if !self
                    .resolutions_of(module)
                    .any(|resolution| matches!(resolution, Resolution::External(_)))
                {
                    return Vec::new();
                }
                (0..self.modules[module].summary.functions.len())
                    .filter_map(|function| {
                        let id = (module, function);
                        let sites = linked_sites_of(self, id);
                        (!sites.is_empty()).then_some((id, sites))
                    })
                    .collect()
            })
            .collect();
        per_module.into_iter().flatten().collect()
    }

    /// What `path` names when it runs through values: a project function or method
    /// (inherited ones too), or a library API, reached through project classes' declared
    /// attributes, project functions' return annotations and project classes' library
    /// bases. `None` when a step is not known.
    pub fn resolve_member(&self, path: &str) -> Option<Target> {
        self.resolve_member_in(path, &mut Memo::default())
    }

    /// The project function a handed callable's path names (`Thread(target=...)`,
    /// `loop.call_soon(...)`): by its path, or through project values' types
    /// (`self._broker.refresh`, with `_broker` declared `Broker` in a base class of another
    /// module), as a call's callee is.
    pub fn resolve_handed(&self, path: &str) -> Option<FunctionId> {
        self.resolve(path)
            .or_else(|| match self.resolve_member(path)? {
                Target::Function(id) => Some(id),
                Target::External(_) | Target::Several(_) => None,
            })
    }

    /// Whether `path` (a call's callee, through values: `app.pool.Worker.process.jobs.put`)
    /// puts on an attribute of a project class that the class only ever sets to a thread
    /// queue made without a bound ([`ClassSummary::unbounded_queues`]): such a `put` never
    /// waits, wherever the queue was made.
    pub fn puts_on_unbounded_queue(&self, path: &str) -> bool {
        let Some((value, attribute)) = path
            .strip_suffix(".put")
            .and_then(|owner| owner.rsplit_once('.'))
        else {
            return false;
        };
        let Some(class) = self.project_class_of_value(value) else {
            return false;
        };
        self.in_class_or_bases(class, |_, summary| {
            summary
                .unbounded_queues
                .iter()
                .any(|queue| queue.as_str() == attribute)
                .then_some(())
        })
        .is_some()
    }

    /// The project class of the value `path` names through the project's types: an
    /// instance of a class (`app.Worker`), or a member of one whose type its class declares
    /// (`app.pool.Worker.process`, `process: Process`).
    fn project_class_of_value(&self, path: &str) -> Option<&'a str> {
        if let Some(Type::Project(class)) = self.class_type(path) {
            return Some(class);
        }
        let segments: Vec<&str> = segments(path).collect();
        let mut memo = Memo::default();
        let (mut current, start) = self.typed_prefix(path, &segments, &mut memo)?;
        for segment in &segments[start..] {
            let (name, called) = match segment.strip_suffix(DEFERRED_CALL) {
                Some(name) => (name, true),
                None => (*segment, false),
            };
            current = match current {
                Type::Project(class) => {
                    match self.project_member(class, name, false, called, &mut memo.inherited)? {
                        Member::Value(next) => next,
                        Member::Done(_) => return None,
                    }
                }
                Type::Library(_) => return None,
            };
        }
        match current {
            Type::Project(class) => Some(class),
            Type::Library(_) => None,
        }
    }

    /// [`Self::resolve_member`], with what earlier resolutions learnt in `memo`.
    fn resolve_member_in<'p>(&self, path: &'p str, memo: &mut Memo<'p, 'a>) -> Option<Target> {
        if !self.may_be_project_path(path) {
            return None;
        }
        // Sized at once: collected from an iterator of unknown length, the vector grew
        // by reallocation for most paths.
        let mut all = Vec::with_capacity(memchr::memchr_iter(b'.', path.as_bytes()).count() + 1);
        all.extend(segments(path));
        let segments = all;
        let (mut current, start) = self.typed_prefix(path, &segments, memo)?;
        for (offset, segment) in segments[start..].iter().enumerate() {
            let last = start + offset + 1 == segments.len();
            let (name, called) = match segment.strip_suffix(DEFERRED_CALL) {
                Some(name) => (name, true),
                None => (*segment, false),
            };
            current = match current {
                Type::Project(class) => {
                    let member = memo
                        .members
                        .entry((class, name, last, called))
                        .or_insert_with(|| {
                            self.project_member(class, name, last, called, &mut memo.inherited)
                        })
                        .clone()?;
                    match member {
                        Member::Done(resolution) => return Some(resolution),
                        Member::Value(next) => next,
                    }
                }
                Type::Library(class) => {
                    let member = dotted(&class, name);
                    if last && !called {
                        return Some(Target::External(member.into()));
                    }
                    let next = if called {
                        catalog::return_type(&member)?
                    } else {
                        catalog::attribute_type(&class, name)?
                    };
                    Type::Library(next.to_string())
                }
            };
        }
        None
    }

    /// The longest start of `path` that gives a value a type: a project class (its
    /// instances), or a call of a project function with a return annotation. Returns the
    /// type and the number of segments it spans.
    fn typed_prefix<'p>(
        &self,
        path: &'p str,
        segments: &[&str],
        memo: &mut Memo<'p, 'a>,
    ) -> Option<(Type<'a>, usize)> {
        let mut end = 0;
        for (count, segment) in segments.iter().enumerate() {
            end += segment.len() + usize::from(count > 0);
            let prefix = &path[..end];
            if let Some(function) = prefix.strip_suffix(DEFERRED_CALL) {
                if let Some(returned) = self
                    .resolve_in(function, &mut memo.inherited)
                    .and_then(|id| self.return_type(id))
                {
                    return Some((returned, count + 1));
                }
                // A project class called makes an instance of it: `DB()`, whose name in
                // capitals the module could not tell from a constant's, so it left the call
                // for the link, which knows the classes.
                let class = self.resolve_class(function)?;
                return Some((Type::Project(class), count + 1));
            }
            // A module is neither a class nor a value: nothing to look up for it.
            if count + 1 < segments.len()
                && !self.is_module(prefix)
                && let Some(class) = memo
                    .class_types
                    .entry(prefix)
                    .or_insert_with(|| self.class_type(prefix))
                    .clone()
            {
                return Some((class, count + 1));
            }
        }
        None
    }

    /// What a call of function `id` runs: `id`, but for a `Protocol`'s or an abstract
    /// method, its one implementation in the project when there is one
    /// ([`Self::sole_implementation`], asked once per placeholder).
    fn implementation_of(&self, id: FunctionId) -> FunctionId {
        if !self.function(id).is_stub {
            return id;
        }
        let known = self
            .placeholders
            .memo
            .lock()
            .ok()
            .and_then(|memo| memo.get(&id).copied());
        let found = match known {
            Some(found) => found,
            None => {
                let found = self.sole_implementation(id);
                if let Ok(mut memo) = self.placeholders.memo.lock() {
                    memo.insert(id, found);
                }
                found
            }
        };
        found.unwrap_or(id)
    }

    /// What [`Self::sole_implementation`] looks through, made once per link before the
    /// callees are resolved: each project class's direct subclasses, and, for the names of
    /// protocols' placeholder methods, the methods of that name (an implementation of a
    /// protocol need not derive from it). One pass over the classes, and over the functions
    /// only when some protocol has a placeholder.
    pub(super) fn placeholder_index(&self) -> Placeholders<'a> {
        use rayon::prelude::*;
        // Before the callees are resolved, on the link's path: the scans run in parallel.
        let (subclasses, protocol_names) = rayon::join(
            || {
                let mut subclasses: rustc_hash::FxHashMap<&'a str, Vec<&'a str>> =
                    Default::default();
                for (class, summary) in self.classes() {
                    for base in &summary.bases {
                        if let Some(base) = self.defined_class(base.as_str()) {
                            subclasses.entry(base).or_default().push(class);
                        }
                    }
                }
                subclasses
            },
            || {
                (self.modules.par_iter())
                    .flat_map_iter(|module| {
                        let summary = module.summary;
                        summary.functions.iter().filter_map(move |function| {
                            if !function.is_stub {
                                return None;
                            }
                            let (class, name) = function.qualname().rsplit_once('.')?;
                            self.defined_class(&qualified(&summary.module_name, class))
                                .filter(|class| self.is_protocol(class))
                                .map(|_| name)
                        })
                    })
                    .collect::<HashSet<&'a str>>()
            },
        );
        let by_name = if protocol_names.is_empty() {
            Default::default()
        } else {
            let found: Vec<(&'a str, FunctionId)> = (self.modules.par_iter().enumerate())
                .flat_map_iter(|(index, module)| {
                    let protocol_names = &protocol_names;
                    (module.summary.functions.iter().enumerate()).filter_map(
                        move |(position, function)| {
                            let name = function.name();
                            (protocol_names.contains(name)
                                && !function.is_stub
                                && function.qualname().contains('.'))
                            .then_some((name, (index, position)))
                        },
                    )
                })
                .collect();
            let mut by_name: rustc_hash::FxHashMap<&'a str, Vec<FunctionId>> = Default::default();
            for (name, id) in found {
                by_name.entry(name).or_default().push(id);
            }
            by_name
        };
        Placeholders {
            subclasses,
            by_name,
            memo: Default::default(),
        }
    }

    /// Whether project class `class` is a `typing.Protocol`.
    fn is_protocol(&self, class: &str) -> bool {
        self.class_summary(class).is_some_and(|summary| {
            (summary.bases.iter()).any(|base| catalog::PROTOCOL_BASES.contains(&base.as_str()))
        })
    }

    /// The one method of the project that implements placeholder method `stub` (a
    /// `Protocol`'s or an abstract class's), see [`Self::implementations`]. `None` when
    /// there is none or more than one (an implementation and a test's fake are two: which
    /// one a value holds is not known).
    fn sole_implementation(&self, stub: FunctionId) -> Option<FunctionId> {
        match self.implementations(stub, 1)?.as_slice() {
            &[only] => Some(only),
            _ => None,
        }
    }

    /// The methods of the project that implement placeholder method `stub` (a
    /// `Protocol`'s or an abstract class's): methods of the same name, not placeholders, of
    /// classes that derive from the placeholder's class, or, for a `Protocol`, of classes
    /// (not themselves protocols) that define every method the protocol declares. `None`
    /// when they are not followed: more than `most` of them (the list then stops at
    /// `most + 1`), a special method (`__call__`, a behaviour many classes have), or a
    /// class with more than [`MAX_SUBCLASSES`] subclasses (a framework's base).
    fn implementations(&self, stub: FunctionId, most: usize) -> Option<Vec<FunctionId>> {
        let stub_module = self.modules[stub.0].summary;
        let (owner_qualname, name) = self.function(stub).qualname().rsplit_once('.')?;
        if name.starts_with("__") {
            return None;
        }
        let owner = self.defined_class(&qualified(&stub_module.module_name, owner_qualname))?;
        let own_method = |class: &str, name: &str| -> Option<FunctionId> {
            let module = self.module_of_class(class)?;
            let position = self.modules[module]
                .summary
                .function_index(&dotted(class, name))?;
            let id = (module, position as usize);
            (!self.function(id).is_stub).then_some(id)
        };
        let mut found: Vec<FunctionId> = Vec::new();
        // Whether the list may still be followed.
        let mut note = |id: FunctionId| {
            if !found.contains(&id) {
                found.push(id);
            }
            found.len() <= most
        };
        for class in self.descendants(owner)? {
            if let Some(id) = own_method(class, name)
                && !note(id)
            {
                return Some(found);
            }
        }
        if self.is_protocol(owner) {
            let declared: Vec<&str> = (stub_module.functions.iter())
                .filter_map(|method| {
                    let (class, method) = method.qualname().rsplit_once('.')?;
                    (class == owner_qualname).then_some(method)
                })
                .collect();
            let candidates = self.placeholders.by_name.get(name);
            for &candidate in candidates.map_or(&[][..], Vec::as_slice) {
                let module = self.modules[candidate.0].summary;
                let Some(class) = (self.function(candidate).qualname().rsplit_once('.')).and_then(
                    |(class, _)| self.defined_class(&qualified(&module.module_name, class)),
                ) else {
                    continue;
                };
                let implements = class != owner
                    && !self.is_protocol(class)
                    && declared
                        .iter()
                        .all(|method| own_method(class, method).is_some());
                if implements && !note(candidate) {
                    return Some(found);
                }
            }
        }
        Some(found)
    }

    /// The placeholder methods a call of which runs one of several implementations that
    /// all block on every call (`blocks_always`), each with the implementation the link is
    /// to follow in its place: the first of them, in the project's order. A call of
    /// `storage.upload(...)` on a value typed by an abstract `Storage` blocks whichever of
    /// `LocalStorage` and `S3Storage` it holds. At most [`MAX_IMPLEMENTATIONS`] are read;
    /// only the placeholders `worth_asking` accepts are (those whose callers would change).
    pub fn dispatch_where_every_implementation_blocks(
        &self,
        worth_asking: impl Fn(FunctionId) -> bool,
        blocks_always: impl Fn(FunctionId) -> bool,
    ) -> rustc_hash::FxHashMap<FunctionId, FunctionId> {
        let mut dispatched = rustc_hash::FxHashMap::default();
        for id in self.function_ids() {
            let function = self.function(id);
            if !function.is_stub || function.is_async || !worth_asking(id) {
                continue;
            }
            let Some(mut implementations) = self.implementations(id, MAX_IMPLEMENTATIONS) else {
                continue;
            };
            implementations.sort_unstable();
            if (2..=MAX_IMPLEMENTATIONS).contains(&implementations.len())
                && implementations.iter().all(|&each| blocks_always(each))
            {
                dispatched.insert(id, implementations[0]);
            }
        }
        dispatched
    }

    /// The methods called `name` that instances of `class`'s subclasses run, when every
    /// subclass without subclasses of its own (each class instantiated, as far as the
    /// project shows) has one in the project, not a placeholder: one to
    /// [`MAX_IMPLEMENTATIONS`] of them. `None` when a leaf has none (it may run a library
    /// base's), there are more, or `class` has no subclass or more than [`MAX_SUBCLASSES`].
    fn subclass_implementations(&self, class: &str, name: &str) -> Option<Vec<FunctionId>> {
        if name.starts_with("__") {
            return None;
        }
        let subclasses = &self.placeholders.subclasses;
        let mut found: Vec<FunctionId> = Vec::new();
        for subclass in self.descendants(class)? {
            // A class with subclasses of its own is not counted: its leaves are.
            if subclasses
                .get(subclass)
                .is_some_and(|below| !below.is_empty())
            {
                continue;
            }
            let id = self.resolve(&dotted(subclass, name))?;
            if self.function(id).is_stub {
                return None;
            }
            if !found.contains(&id) {
                found.push(id);
            }
            if found.len() > MAX_IMPLEMENTATIONS {
                return None;
            }
        }
        found.sort_unstable();
        (!found.is_empty()).then_some(found)
    }

    /// The subclasses of project class `class` at any depth, each once; `None` past
    /// [`MAX_SUBCLASSES`] (a framework's base, whose methods are not followed into them).
    fn descendants(&self, class: &str) -> Option<Vec<&'a str>> {
        let subclasses = &self.placeholders.subclasses;
        let mut pending: Vec<&'a str> = subclasses.get(class).cloned().unwrap_or_default();
        let mut seen: HashSet<&'a str> = HashSet::default();
        let mut found = Vec::new();
        while let Some(subclass) = pending.pop() {
            if !seen.insert(subclass) {
                continue;
            }
            if seen.len() > MAX_SUBCLASSES {
                return None;
            }
            found.push(subclass);
            pending.extend(subclasses.get(subclass).into_iter().flatten().copied());
        }
        Some(found)
    }

    /// Follows the callee paths that name one of several implementations
    /// ([`Target::Several`]) into the first of them, where every one blocks on every call
    /// (`blocks_always`) and `worth_asking` accepts the path's index (a caller would
    /// change). Returns whether any was.
    pub fn follow_where_every_implementation_blocks(
        &mut self,
        worth_asking: impl Fn(u32) -> bool,
        blocks_always: impl Fn(FunctionId) -> bool,
    ) -> bool {
        let mut followed = false;
        for (index, implementations) in std::mem::take(&mut self.several) {
            if !worth_asking(index) || !implementations.iter().all(|&id| blocks_always(id)) {
                continue;
            }
            let (module, function) = implementations[0];
            if let Some(entry) = self.resolved.get_mut(index as usize) {
                *entry = Linked::Function(module as u32, function as u32);
                self.followed_paths.insert(index);
                followed = true;
            }
        }
        followed
    }

    /// Attribute or method `name` of instances of project class `class`; `inherited` holds
    /// the methods earlier resolutions found in base classes (the classes of a project
    /// derive from a few bases, whose methods each class's paths look for again).
    fn project_member(
        &self,
        class: &'a str,
        name: &str,
        last: bool,
        called: bool,
        inherited: &mut InheritedMemo,
    ) -> Option<Member<'a>> {
        // An attribute first: a `@property` is a method the summary lists, read as a value.
        if let Some(type_name) = self.attribute_type(class, name) {
            let value = self.type_named(type_name);
            if !called {
                return Some(Member::Value(value));
            }
            // An attribute holding a callable object of a library (`self.Session =
            // sessionmaker(bind=engine)`, then `self.Session()`): calling it runs the
            // class's `__call__`, which gives what the catalog says.
            let Type::Library(library) = value else {
                return None;
            };
            let call = dotted(&library, "__call__");
            if last {
                return Some(Member::Done(Target::External(call.into())));
            }
            let returned = catalog::return_type(&call)?;
            return Some(Member::Value(Type::Library(returned.to_string())));
        }
        if let Some(id) = self.resolve_in(&dotted(class, name), inherited) {
            // A `Protocol`'s or an abstract method: what runs is its one implementation.
            let id = self.implementation_of(id);
            return match (last, called) {
                (true, false) => Some(Member::Done(Target::Function(id))),
                (_, true) => Some(Member::Value(self.return_type(id)?)),
                // A bound method used as a value: nothing more to follow.
                (false, false) => None,
            };
        }
        // A method the class calls on itself and does not define, which its subclasses do
        // (a template method: `self.data()` in a base view): what runs is theirs.
        if last
            && !called
            && let Some(implementations) = self.subclass_implementations(class, name)
        {
            return Some(Member::Done(match implementations.as_slice() {
                &[only] => Target::Function(only),
                _ => Target::Several(implementations.into()),
            }));
        }
        // Neither: a member the class inherits from a library base.
        let base = self.library_base(class)?;
        let member = dotted(&base, name);
        if last && !called {
            return Some(Member::Done(Target::External(member.into())));
        }
        let next = if called {
            catalog::return_type(&member)?
        } else {
            catalog::attribute_type(&base, name)?
        };
        Some(Member::Value(Type::Library(next.to_string())))
    }

    /// The type an annotation of a project module named (already qualified there).
    fn type_named(&self, type_name: &str) -> Type<'a> {
        self.class_type(type_name).unwrap_or_else(|| {
            Type::Library(
                catalog::canonical_class(type_name)
                    .unwrap_or(type_name)
                    .to_string(),
            )
        })
    }

    /// The class `path` names: a project class, or a library class the catalog knows,
    /// directly or through the project's re-exports (`pkg.Future` for `from .futures
    /// import *` where `pkg/futures.py` binds `Future = concurrent.futures.Future`).
    fn class_type(&self, path: &str) -> Option<Type<'a>> {
        // One walk down the chain of re-exports, asking at each step what `resolve_class`
        // asks: this walk used to start `resolve_class` afresh from each of its first 32
        // steps (16 steps each), re-following the same chain. The bounds are kept: a
        // project class up to 47 steps down, a library path up to 32.
        let mut current = Cow::Borrowed(path);
        for step in 0..MAX_STEPS + MAX_RESOLUTION_STEPS - 1 {
            if let Some(class) = self.defined_class(&current) {
                return Some(Type::Project(class));
            }
            if !self.may_be_project_path(&current) {
                if step >= MAX_STEPS {
                    return None;
                }
                // A class the catalog describes only as a type (`botocore.client.BaseClient`,
                // which annotations name and no call constructs) is its own canonical path.
                return catalog::canonical_class(&current)
                    .map(str::to_string)
                    .or_else(|| catalog::describes_type(&current).then(|| current.into_owned()))
                    .map(Type::Library);
            }
            current = Cow::Owned(self.reexported(&current)?);
        }
        None
    }

    /// What function `id` is annotated to return.
    fn return_type(&self, id: FunctionId) -> Option<Type<'a>> {
        let summary = self.modules[id.0].summary;
        let function = &summary.functions[id.1];
        let type_name = summary.return_types.get(function.qualname())?;
        Some(self.type_named(type_name))
    }

    /// The type project class `class` (or a project base of it) declares for `attribute`.
    fn attribute_type(&self, class: &'a str, attribute: &str) -> Option<&'a str> {
        self.in_class_or_bases(class, |current, summary| {
            summary
                .attribute(attribute)
                .or_else(|| self.inferred_attributes.get(&(current, attribute)).copied())
        })
    }

    /// What `found` answers of project class `class` (its path, its summary) or of the first
    /// of its project bases, depth first, for which it answers anything.
    fn in_class_or_bases<T>(
        &self,
        class: &'a str,
        mut found: impl FnMut(&'a str, &'a ClassSummary) -> Option<T>,
    ) -> Option<T> {
        let mut pending = vec![class];
        let mut seen = HashSet::default();
        while let Some(current) = pending.pop() {
            if !seen.insert(current) || seen.len() > MAX_STEPS {
                continue;
            }
            let Some(summary) = self.class_summary(current) else {
                continue;
            };
            if let Some(answer) = found(current, summary) {
                return Some(answer);
            }
            pending.extend(
                summary
                    .bases
                    .iter()
                    .rev()
                    .filter_map(|base| self.resolve_class(base)),
            );
        }
        None
    }

    /// The first base of project class `class`, depth first through its project bases,
    /// that is not a project class: where its inherited library methods come from.
    fn library_base(&self, class: &'a str) -> Option<String> {
        let mut pending = vec![class];
        let mut seen = HashSet::default();
        while let Some(current) = pending.pop() {
            if !seen.insert(current) || seen.len() > MAX_STEPS {
                continue;
            }
            let summary = self.class_summary(current)?;
            for base in summary.bases.iter().rev() {
                match self.resolve_class(base) {
                    Some(project) => pending.push(project),
                    None if base != "builtins.object" && !base.starts_with("typing.") => {
                        return Some(
                            catalog::canonical_class(base)
                                .unwrap_or(base.as_str())
                                .to_string(),
                        );
                    }
                    None => {}
                }
            }
        }
        None
    }

    /// The library API `path` names rather than a project function: `path` itself outside
    /// the project's names (`asyncio.sleep`, or `asyncio.Event.wait` for a local the module
    /// typed), or the API it reaches through project values (`app.Probe._ready.wait`, with
    /// `_ready` declared or assigned an `asyncio.Event`). `None` when it names a project
    /// function or a step is not known.
    pub fn library_api<'p>(&self, path: &'p str) -> Option<Cow<'p, str>> {
        if !self.may_be_project_path(path) {
            return Some(Cow::Borrowed(path));
        }
        match self.resolve_member(path)? {
            Target::External(api) => Some(Cow::Owned(api.into_string())),
            Target::Function(_) | Target::Several(_) => None,
        }
    }

    /// The facts function `id` has through calls only the link resolved (see
    /// [`LinkedSites`]), computed once when the project is linked.
    pub fn linked_sites(&self, id: FunctionId) -> Option<&LinkedSites> {
        self.linked_sites.get(&id)
    }

    /// The blocking calls of function `id`: its summary's, then the link's.
    pub fn blocking_sites(&self, id: FunctionId) -> Cow<'a, [BlockingSite]> {
        self.joined(id, |function| &function.blocking, |linked| &linked.blocking)
    }

    /// The loop-affine calls of function `id`: its summary's, then the link's.
    pub fn loop_affine_sites(&self, id: FunctionId) -> Cow<'a, [LoopAffineSite]> {
        self.joined(
            id,
            |function| &function.loop_affine,
            |linked| &linked.loop_affine,
        )
    }

    /// The functions `id` hands to other threads: its summary's, then the link's.
    pub fn thread_targets(&self, id: FunctionId) -> Cow<'a, [ThreadTarget]> {
        self.joined(
            id,
            |function| &function.thread_targets,
            |linked| &linked.thread_targets,
        )
    }

    /// The functions `id` has the loop run: its summary's, then the link's.
    pub fn loop_callbacks(&self, id: FunctionId) -> Cow<'a, [ThreadTarget]> {
        self.joined(
            id,
            |function| &function.loop_callbacks,
            |linked| &linked.loop_callbacks,
        )
    }

    fn joined<T: Clone>(
        &self,
        id: FunctionId,
        own: impl Fn(&'a super::summary::FunctionSummary) -> &'a [T],
        linked: impl Fn(&LinkedSites) -> &Vec<T>,
    ) -> Cow<'a, [T]> {
        let function = self.function(id);
        match self.linked_sites.get(&id).map(&linked) {
            Some(extra) if !extra.is_empty() => {
                let mut all = own(function).to_vec();
                all.extend(extra.iter().cloned());
                Cow::Owned(all)
            }
            _ => Cow::Borrowed(own(function)),
        }
    }
}

/// What a callee path was followed to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A project function.
    Function(FunctionId),
    /// A library API, by its canonical path.
    External(Box<str>),
    /// One of several project functions, which one not known: the implementations, in
    /// the subclasses, of a method the class calls on itself and does not define
    /// (`self.data()` in a base view whose subclasses each define `data`). The link follows
    /// it once it knows whether all of them block (see `follow_where_every_implementation_blocks`).
    Several(Box<[FunctionId]>),
}

/// `target` as the project keeps it, its library path moved to the end of `external_paths`.
fn linked(target: Option<Target>, external_paths: &mut Vec<Box<str>>) -> Linked {
    let narrow = |value: usize| u32::try_from(value).unwrap_or(u32::MAX);
    match target {
        None => Linked::Unknown,
        Some(Target::Function((module, index))) => Linked::Function(narrow(module), narrow(index)),
        Some(Target::External(path)) => {
            external_paths.push(path);
            Linked::External(narrow(external_paths.len() - 1))
        }
        Some(Target::Several(_)) => Linked::Unknown,
    }
}

#[derive(Clone)]
enum Member<'p> {
    Done(Target),
    Value(Type<'p>),
}

/// What one pass of resolution has learnt, for the paths it resolves next: paths share their
/// starts (`app.jobs.JobDB.conn.execute`, `app.jobs.JobDB.conn.fetch`) and the members they
/// reach (every `self.hass.async_create_task` of a project), and each was followed afresh.
/// Only answers that depend on the project alone are kept: a path resolves the same with
/// or without them.
#[derive(Default)]
struct Memo<'p, 'a> {
    /// A start of a path → the type it gives ([`Project::class_type`]).
    class_types: rustc_hash::FxHashMap<&'p str, Option<Type<'a>>>,
    /// (class, member, last segment, called) → what [`Project::project_member`] answered.
    members: rustc_hash::FxHashMap<(&'a str, &'p str, bool, bool), Option<Member<'a>>>,
    /// The methods found in base classes ([`Project::resolve_in`]).
    inherited: InheritedMemo,
}

/// Subclasses beyond which a class is taken for a framework's base (Home Assistant's
/// `Entity`), whose placeholders are not followed to an implementation: it has many, and
/// walking them for every placeholder called would cost more than any one finding.
const MAX_SUBCLASSES: usize = 256;

/// Every module's callee table as indices into one table of the project's distinct callee
/// paths (a module's own functions aside: they were resolved with it).
struct DistinctCallees<'a> {
    paths: Vec<&'a str>,
    /// Per module, per callee entry: its index in `paths`, or, from [`LOCAL_ENTRY`] up, the
    /// module's own function it names.
    entries: Vec<Box<[u32]>>,
}

impl<'a> DistinctCallees<'a> {
    fn of(modules: &[ProjectModule<'a>]) -> Self {
        let mut index: rustc_hash::FxHashMap<&'a str, u32> = rustc_hash::FxHashMap::default();
        let mut paths = Vec::new();
        let entries = modules
            .iter()
            .map(|module| {
                let summary = module.summary;
                summary
                    .callees
                    .iter()
                    .zip(&summary.local_callees)
                    .map(|(path, local)| match local {
                        // A module of two billion functions would name the last ones wrongly:
                        // no file comes near it. A placeholder method is resolved with the
                        // other paths, to its implementation elsewhere.
                        Some(function) if !is_stub(summary, function) => {
                            LOCAL_ENTRY.saturating_add(function)
                        }
                        _ => *index.entry(path).or_insert_with(|| {
                            paths.push(path);
                            (paths.len() - 1) as u32
                        }),
                    })
                    .collect()
            })
            .collect();
        Self { paths, entries }
    }
}

/// Whether function `index` of `summary` is a placeholder ([`FunctionSummary::is_stub`]).
fn is_stub(summary: &super::summary::ModuleSummary, index: u32) -> bool {
    summary
        .functions
        .get(index as usize)
        .is_some_and(|function| function.is_stub)
}

/// What the link learns of function `id`'s calls from their resolutions: the library APIs
/// that block, use the loop or register callbacks, which the module could not tell apart.
fn linked_sites_of(project: &Project, id: FunctionId) -> LinkedSites {
    let summary = project.modules[id.0].summary;
    let function = project.function(id);
    let mut sites = LinkedSites::default();
    let external = |callee: u32| match project.resolution(id.0, callee) {
        Resolution::External(path) => Some(path),
        _ => None,
    };
    for (site, call) in function.calls.iter().enumerate() {
        let Some(path) = external(call.callee) else {
            continue;
        };
        if !call.in_async_context()
            && let Some(api) = linked_blocking(path, function, site)
                .filter(|api| catalog::blocks_helper(path, api))
            && !(is_unbounded_unless_sized_put(path)
                && project.puts_on_unbounded_queue(summary.callee(call)))
        {
            sites.blocking.push(BlockingSite {
                api: Name::new(path),
                category: api.category,
                severity: BlockingKind::severity_of(catalog::blocking_kind(path)),
                range: call.range,
                guard: function.guard_of_call(site).cloned(),
                probe: function.probe_of_call(site),
                fills_cache: call.fills_cache(),
            });
        }
        if catalog::is_loop_affine(path) {
            let raises_off_loop = catalog::needs_running_loop(path);
            sites.loop_affine.push(LoopAffineSite {
                api: Name::new(path),
                range: call.range,
                raises_off_loop,
                caught: raises_off_loop && call.catches_runtime_error(),
                on_checked_thread: function.on_checked_thread(site),
            });
        }
    }
    for pending in &function.pending_callbacks {
        let Some(callee) = summary.callees.iter().position(|path| *path == pending.via) else {
            continue;
        };
        let Some(path) = external(callee as u32) else {
            continue;
        };
        let registration = ThreadTarget {
            target: pending.target.clone(),
            via: path.to_string(),
            range: pending.range,
            in_lambda: pending.in_lambda,
        };
        if catalog::thread_handoff(path).is_some() {
            sites.thread_targets.push(registration);
        } else if catalog::loop_callback(path).is_some() {
            sites.loop_callbacks.push(registration);
        }
    }
    sites
}

/// The blocking API call site `site` of `function` is, now that the link resolved its
/// callee to the library API `path`: as the module would have judged it, where what the
/// summary kept of the call can tell (a flag passed as a falsy literal, `wait=False`), and
/// never where only the call's text could (a file argument, an in-memory buffer, option
/// bits), nor for lock acquisitions and socket methods, whose verdicts depend on how the
/// project uses the lock or socket.
pub fn linked_blocking(
    path: &str,
    function: &FunctionSummary,
    site: usize,
) -> Option<&'static BlockingApi> {
    let api = catalog::blocking_api(path)?;
    // A queryset built here runs its query where it is iterated, as the module judges.
    if catalog::blocks_when_iterated(path) && !function.calls.get(site)?.iterated() {
        return None;
    }
    if api.needs_file_argument
        || api.in_memory_prefix.is_some()
        || api.buffer_argument.is_some()
        || path.ends_with(".acquire")
        || path.starts_with("socket.socket.")
    {
        return None;
    }
    if let Some(flag) = api.non_blocking_flag {
        if flag.option_bit.is_some() {
            return None;
        }
        let parameter = ParameterRef {
            name: flag.keyword.into(),
            position: u32::try_from(flag.position).ok(),
            literal_default: None,
        };
        let passes_falsy = function
            .literal_arguments
            .iter()
            .any(|(at, slot, _)| *at as usize == site && slot.is_for(&parameter));
        if passes_falsy {
            return None;
        }
    }
    Some(api)
}

/// `put` of a thread queue that has no bound unless it is made with one.
fn is_unbounded_unless_sized_put(path: &str) -> bool {
    path.strip_suffix(".put")
        .is_some_and(|class| catalog::UNBOUNDED_UNLESS_SIZED.contains(&class))
}

/// A call in a coroutine that the link resolved, through the project's types, to a
/// blocking library API: what LW101 and LW102 report beside the calls each module judged.
pub struct LinkedBlockingCall<'p> {
    pub caller: FunctionId,
    pub call: &'p CallSite,
    /// The API's path (`concurrent.futures.ThreadPoolExecutor.shutdown`).
    pub path: &'p str,
    pub api: &'static BlockingApi,
}

/// Every call in async context that the link resolved to a blocking library API.
pub fn blocking_calls_in_async<'p>(project: &'p Project) -> Vec<LinkedBlockingCall<'p>> {
    let mut found = Vec::new();
    // Only modules with a call the link resolved to a library API: most have none.
    let ids = (0..project.modules.len())
        .filter(|&module| {
            project
                .resolutions_of(module)
                .any(|resolution| matches!(resolution, Resolution::External(_)))
        })
        .flat_map(|module| {
            (0..project.modules[module].summary.functions.len()).map(move |index| (module, index))
        });
    for id in ids {
        let function = project.function(id);
        for (site, call) in function.calls.iter().enumerate() {
            // Awaited (or entered with `async with`): the value is the async kind, whatever
            // type the link gave it (`self.db` annotated `Session` on the base class, given
            // an `AsyncSession` by the subclass).
            if !call.in_async_context() || call.usage == CallUsage::Awaited {
                continue;
            }
            let Resolution::External(path) = project.resolution(id.0, call.callee) else {
                continue;
            };
            if let Some(api) = linked_blocking(path, function, site)
                && !(is_unbounded_unless_sized_put(path)
                    && project.puts_on_unbounded_queue(project.modules[id.0].summary.callee(call)))
            {
                found.push(LinkedBlockingCall {
                    caller: id,
                    call,
                    path,
                    api,
                });
            }
        }
    }
    found
}
