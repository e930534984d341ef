//! When a sync function blocks: on every call, or only when a caller passes a value for one
//! of its parameters. `def load(name, config_path=None)` that raises
//! `if config_path is None` before it downloads blocks only for callers that pass a path;
//! a coroutine calling `load(name)` never reaches the download, and neither does one
//! calling `route(target)` where `route(target, config_path=None)` only passes its own
//! `config_path` on. The condition is carried up the call graph through arguments passed
//! on unchanged and dropped where a caller passes `None` (or a falsy literal to a truth
//! test) or omits the argument with such a default.

use std::collections::VecDeque;

use super::function_graph::{Adjacency, FunctionMap};
use super::index::{FunctionId, Project};
use super::summary::{BlockingSite, FunctionSummary, GuardTest, ParameterGuard, Passed};

/// More parameters than this in one condition: treated as "always" (a function whose
/// blocking hangs on that many parameters is not worth the bookkeeping).
const MAX_GUARDS: usize = 8;

/// When a function blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockCondition {
    /// On every call.
    Always,
    /// Only when one of these parameters holds a value (sorted, each once).
    WhenAny(Vec<ParameterGuard>),
}

impl BlockCondition {
    /// The weakest condition covering both.
    fn join(self, other: BlockCondition) -> BlockCondition {
        match (self, other) {
            (BlockCondition::WhenAny(mut mine), BlockCondition::WhenAny(theirs)) => {
                mine.extend(theirs);
                mine.sort();
                mine.dedup();
                if mine.len() > MAX_GUARDS {
                    BlockCondition::Always
                } else {
                    BlockCondition::WhenAny(mine)
                }
            }
            _ => BlockCondition::Always,
        }
    }

    pub fn of_guard(guard: Option<&ParameterGuard>) -> BlockCondition {
        match guard {
            Some(guard) => BlockCondition::WhenAny(vec![guard.clone()]),
            None => BlockCondition::Always,
        }
    }
}

/// What call site `site` of `caller` makes of its callee blocking under `condition`: the
/// condition on the caller's own parameters (`Always` when the arguments may satisfy it),
/// or `None` when the arguments keep the blocking from running. The call's own guard is
/// not applied (see [`through_call`]).
pub fn carried(
    project: &Project,
    caller: &FunctionSummary,
    site: usize,
    condition: &BlockCondition,
) -> Option<BlockCondition> {
    let BlockCondition::WhenAny(guards) = condition else {
        return Some(BlockCondition::Always);
    };
    let mut own = Vec::new();
    for guard in guards {
        if caller
            .argument_type_for(site, &guard.parameter)
            .is_some_and(|type_name| {
                guard.stops_type(type_name.as_str())
                    || outside_path_family(project, guard, type_name.as_str())
            })
        {
            continue;
        }
        match caller.passed_for(site, &guard.parameter) {
            Passed::Literal(value) if guard.stops(value) => {}
            Passed::Parameter(parameter) => own.push(guard.on(parameter)),
            Passed::Literal(_) | Passed::Unknown => return Some(BlockCondition::Always),
        }
    }
    if own.is_empty() {
        return None;
    }
    own.sort();
    own.dedup();
    Some(BlockCondition::WhenAny(own))
}

/// The classes a path, or the text of one, is an instance of: what `isinstance(p, (str,
/// Path))` asks before a branch opens `p`.
const PATH_FAMILY: &[&str] = &[
    "builtins.str",
    "builtins.bytes",
    "builtins.bytearray",
    "os.PathLike",
    "pathlib.Path",
    "pathlib.PurePath",
    "pathlib.PosixPath",
    "pathlib.WindowsPath",
    "pathlib.PurePosixPath",
    "pathlib.PureWindowsPath",
];

/// Whether `guard` runs its code only for a path or a string (`if isinstance(image,
/// Path): Image.open(image)`) and an argument of type `type_name` is none: a class of the
/// project that derives from none of them, or a class of another library (a decoded
/// `PIL.Image.Image`), which the catalog does not list as a path. `str`, `bytes` and the
/// path classes themselves are left to [`ParameterGuard::stops_type`].
fn outside_path_family(project: &Project, guard: &ParameterGuard, type_name: &str) -> bool {
    let GuardTest::InstanceOf(classes) = &guard.test else {
        return false;
    };
    if !classes
        .iter()
        .all(|class| PATH_FAMILY.contains(&class.as_str()))
    {
        return false;
    }
    let module = type_name.split('.').next().unwrap_or_default();
    if matches!(
        module,
        "builtins" | "os" | "pathlib" | "typing" | "collections"
    ) {
        return false;
    }
    match project.resolve_class(type_name) {
        Some(class) => !project.descends_from(class, PATH_FAMILY),
        None => !project.may_be_project_path(type_name),
    }
}

/// [`carried`], then narrowed by the call's own guard (`if config_path: load(...)`).
pub fn through_call(
    project: &Project,
    caller: &FunctionSummary,
    site: usize,
    condition: &BlockCondition,
) -> Option<BlockCondition> {
    let carried = carried(project, caller, site, condition)?;
    match (carried, caller.guard_of_call(site)) {
        (BlockCondition::Always, Some(guard)) => Some(BlockCondition::of_guard(Some(guard))),
        (carried, _) => Some(carried),
    }
}

/// When each sync function blocks, for those that can: the least fixpoint over the call
/// graph (conditions only grow, and each can grow a few times at most, so the work stays
/// linear in the call edges times [`MAX_GUARDS`]). `counts` says whether a function takes
/// part at all (sync, not module code, body not run once), `runs_body` whether an edge
/// runs the callee's body inside a running loop, `site_runs` whether a blocking call can
/// run there.
pub fn compute(
    project: &Project,
    edges: &Adjacency<(usize, FunctionId)>,
    callers: &Adjacency<(FunctionId, usize)>,
    counts: impl Fn(FunctionId) -> bool,
    runs_body: impl Fn(FunctionId, usize, FunctionId) -> bool,
    site_runs: impl Fn(FunctionId, &BlockingSite) -> bool,
) -> FunctionMap<BlockCondition> {
    let mut conditions: FunctionMap<BlockCondition> = FunctionMap::new(project);
    let mut queued = vec![false; project.function_count()];
    let slot = |id: FunctionId| project.offsets[id.0] + id.1;
    let mut queue = VecDeque::new();
    for id in project.function_ids() {
        if counts(id)
            && project
                .blocking_sites(id)
                .iter()
                .any(|site| site_runs(id, site))
        {
            queued[slot(id)] = true;
            queue.push_back(id);
        }
    }
    while let Some(id) = queue.pop_front() {
        queued[slot(id)] = false;
        let function = project.function(id);
        let mut found: Option<BlockCondition> = None;
        let mut add = |condition: BlockCondition| {
            found = Some(match found.take() {
                Some(existing) => existing.join(condition),
                None => condition,
            });
        };
        for site in project
            .blocking_sites(id)
            .iter()
            .filter(|site| site_runs(id, site))
        {
            add(BlockCondition::of_guard(site.guard.as_ref()));
        }
        for (site, callee) in edges.of(id) {
            if !runs_body(id, site, callee) {
                continue;
            }
            if let Some(condition) = conditions.get(&callee)
                && let Some(condition) = through_call(project, function, site, condition)
            {
                add(condition);
            }
        }
        let Some(found) = found else {
            continue;
        };
        if conditions.get(&id) == Some(&found) {
            continue;
        }
        conditions.insert(id, found);
        for (caller, _) in callers.of(id) {
            if counts(caller) && !queued[slot(caller)] {
                queued[slot(caller)] = true;
                queue.push_back(caller);
            }
        }
    }
    conditions.finished()
}
