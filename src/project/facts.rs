//! Whole-program facts over the call graph, each computed by one breadth-first pass (so the
//! work is linear in the number of call edges, cycles and recursion terminate, and every
//! recorded chain is a shortest one, among the most serious for blocking).

use std::collections::VecDeque;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::blocking_conditions::{self, BlockCondition};
pub use super::function_graph::{Adjacency, FunctionMap, Reach};
use super::index::{FunctionId, Project};
use super::loop_probes;
use super::member_types::Resolution;
use super::summary::{FunctionSummary, LoopEntry, is_qualified, qualified};
use crate::catalog;
use crate::diagnostic::ChainStep;
use crate::settings::Settings;

/// How a function has a property: directly (site `n` of the relevant list), or by calling
/// a function that has it (call site `site`, to `callee`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Direct(usize),
    Call { site: usize, callee: FunctionId },
}

/// How many calls deep [`Facts::dispatching_chain`] looks for another chain.
const MAX_DISPATCHED_STEPS: usize = 16;

pub struct Facts {
    /// For every function, its calls resolved to project functions: (call site, callee),
    /// in call-site order.
    pub edges: Adjacency<(usize, FunctionId)>,
    /// The calls of a callable a function was handed (`task_creator(session, ...)` on a
    /// parameter), by (function, call site): every project function its callers hand it. Only
    /// a call with one such function, which every caller hands, is also in `edges` (the facts
    /// there hold per function, not per caller): LW302 and LW501 read the rest here, per
    /// caller.
    pub handed_callees: HandedCallees,
    /// The reverse of `edges`: for every function, the (caller, call site) pairs that call
    /// it, in caller order.
    pub callers: Adjacency<(FunctionId, usize)>,
    /// Sync functions that block, directly or through sync callees, with the chain to the
    /// most serious blocking call they may reach.
    pub blocks: FunctionMap<Step>,
    /// When each function of `blocks` blocks: always, or only when a caller passes a value
    /// for one of its parameters.
    pub blocks_when: FunctionMap<BlockCondition>,
    /// Sync functions that use loop-affine asyncio APIs, directly or through sync callees.
    pub loop_affine: FunctionMap<Step>,
    /// Sync functions that keep state on their thread (a `sqlite3` connection kept on
    /// `self`, thread-local storage, a context variable set, a signal handler), directly or
    /// through sync callees: none can move to a worker thread ([`Facts::thread_state`]).
    pub keeps_thread_state: FunctionMap<Step>,
    /// Sync methods of project classes deriving from a UI framework's classes that live on
    /// the loop (Textual's apps, screens and widgets), and the sync functions that call
    /// them: they may touch the screen, which only the loop's thread may.
    pub ui_on_the_loop: FunctionMap<Step>,
    /// Sync functions that run inside a running loop: the caller and call site that reach
    /// them (`None` for the entry points themselves).
    pub reached: FunctionMap<Reach>,
    /// Functions that frameworks call from inside a running loop, and why.
    pub entries: HashMap<FunctionId, LoopEntry>,
    /// Coroutines that run only on an event loop of their own, where a blocking call stalls
    /// nothing else ([`super::own_loop::coroutines`]): empty in a project without such views.
    pub own_loop: HashSet<FunctionId>,
}

/// Whether a call or blocking call of function `id` marked as filling a cache (`fills`) does:
/// unless a reset of the value makes it again ([`re_armed`]).
fn fills_kept_value(
    project: &Project,
    callers: &Adjacency<(FunctionId, usize)>,
    id: FunctionId,
    fills: bool,
) -> bool {
    fills && !re_armed(project, callers, id)
}

/// Whether what function `id` keeps for the process (its result, or a value one of its
/// calls fills: `FunctionSites::rearmed_by`) is made again: a function of its module that
/// resets it is called by code outside the tests.
fn re_armed(project: &Project, callers: &Adjacency<(FunctionId, usize)>, id: FunctionId) -> bool {
    let function = project.function(id);
    if function.rearmed_by.is_empty() {
        return false;
    }
    let module = project.modules[id.0].summary;
    function.rearmed_by.iter().any(|name| {
        module
            .function_index(&qualified(&module.module_name, name))
            .is_some_and(|index| called_outside_tests(project, callers, (id.0, index as usize), 2))
    })
}

/// Whether code outside the project's tests calls `id`: a caller in a module that is not a
/// test module (`settings::is_test_module`) that is not itself called only from tests, asked
/// `depth` calls up (a caller nothing calls counts as called: a command, a route, a
/// callback registered by reference).
fn called_outside_tests(
    project: &Project,
    callers: &Adjacency<(FunctionId, usize)>,
    id: FunctionId,
    depth: usize,
) -> bool {
    callers.of(id).any(|(caller, site)| {
        let module = project.modules[caller.0].summary;
        // The `<module>` code of a program's entry, under `if __name__ == "__main__":`: run
        // when that program starts (`python -m app.initdb`), not while a server serves.
        let in_main_block = caller.1 == 0
            && !module.main_blocks.is_empty()
            && project
                .function(caller)
                .calls
                .get(site)
                .is_some_and(|call| {
                    module
                        .main_blocks
                        .iter()
                        .any(|block| block.0.contains_range(call.range))
                });
        !in_main_block
            && !crate::settings::is_test_module(&module.module_name)
            && (depth == 0
                || callers.of(caller).len() == 0
                || called_outside_tests(project, callers, caller, depth - 1))
    })
}

impl Facts {
    pub fn compute(project: &Project, settings: &Settings) -> Self {
        let (edges, handed_callees) = resolve_edges(project);
        // The passes below are independent of each other: they run side by side.
        // Callers are listed in caller order, so every chain is the same whatever the
        // thread count.
        let (callers, entries) =
            rayon::join(|| edges.reversed(project), || entries(project, settings));
        // A function whose body runs once per process does not make its callers block
        // (and is not seeded): see `FunctionSummary::runs_once`. One whose kept value a
        // function of its module resets runs again once code outside the tests calls that
        // function (a reset "for testing" that only tests call, directly or through a
        // helper only tests call, re-arms nothing in production).
        let runs_once =
            |id: FunctionId| project.function(id).runs_once && !re_armed(project, &callers, id);
        // A call or blocking call that fills a value kept for the process, on the same terms.
        let fills_cache =
            |id: FunctionId, fills: bool| fills_kept_value(project, &callers, id, fills);
        let takes_part = |id: FunctionId| {
            let function = project.function(id);
            !function.is_async && !runs_once(id) && !is_module_code(project, id)
        };
        let (((blocks_when, blocks), loop_affine), reached) = rayon::join(
            || {
                rayon::join(
                    || {
                        // Code behind `if not can_block(): raise` (a loop probe) never runs
                        // inside a running loop.
                        let probes = loop_probes::values_when_running(project, &edges);
                        let on_loop = |id: FunctionId, probe: Option<(u32, bool)>| {
                            loop_probes::may_run_on_loop(&edges, &probes, id, probe)
                        };
                        // A call that fills a cache on a miss runs once per key: like a
                        // memoized function, it does not make its caller block; nor does
                        // one that runs only when no loop runs on the thread. So does a
                        // call behind `if not owner.has_x(key):` of a method that stores
                        // into what `has_x` asks about.
                        let edge_runs = |caller: FunctionId, site: usize, callee: FunctionId| {
                            let function = project.function(caller);
                            let probe = function.probe_of_call(site);
                            project.call_runs_body(caller, site, callee)
                                && !function.calls.get(site).is_some_and(|call| {
                                    fills_cache(caller, call.fills_cache()) || call.loop_guarded()
                                })
                                && !fills_owned_cache(project, &edges, caller, probe, callee)
                                && on_loop(caller, probe)
                        };
                        let blocks_when = blocking_conditions::compute(
                            project,
                            &edges,
                            &callers,
                            takes_part,
                            edge_runs,
                            |id, site| {
                                !fills_cache(id, site.fills_cache) && on_loop(id, site.probe)
                            },
                        );
                        // The chain follows only calls whose arguments let the callee block.
                        let blocks = ranked_backward(
                            project,
                            &callers,
                            |id, _| {
                                if runs_once(id) {
                                    return None;
                                }
                                most_serious_blocking(&project.blocking_sites(id), |site| {
                                    !fills_cache(id, site.fills_cache) && on_loop(id, site.probe)
                                })
                            },
                            |_, caller, site, callee| {
                                takes_part(caller)
                                    && edge_runs(caller, site, callee)
                                    && blocks_when.get(&callee).is_some_and(|condition| {
                                        blocking_conditions::carried(
                                            project,
                                            project.function(caller),
                                            site,
                                            condition,
                                        )
                                        .is_some()
                                    })
                            },
                        );
                        (blocks_when, blocks)
                    },
                    || {
                        // An API that raises where no loop runs (`asyncio.create_task`) is
                        // harmless on a thread when the error is caught on the way: the
                        // worker gets an exception, the loop is not touched.
                        // A memoized function's body runs once, as for LW103: whatever
                        // loop-bound work it does (a registry built on its first call, which
                        // registers its listeners) is done by then, not per caller.
                        ranked_backward(
                            project,
                            &callers,
                            |id, _| {
                                if runs_once(id) {
                                    return None;
                                }
                                let mut best: Option<(u8, usize)> = None;
                                for (index, site) in
                                    project.loop_affine_sites(id).iter().enumerate()
                                {
                                    // Behind a test of which thread runs it: the code knows.
                                    if site.on_checked_thread {
                                        continue;
                                    }
                                    let severity = match (site.raises_off_loop, site.caught) {
                                        (false, _) => 2,
                                        (true, false) => 1,
                                        (true, true) => continue,
                                    };
                                    if best.is_none_or(|(best, _)| severity > best) {
                                        best = Some((severity, index));
                                    }
                                }
                                best
                            },
                            |severity, caller, site, _| {
                                let function = project.function(caller);
                                !runs_once(caller)
                                    && !function.on_checked_thread(site)
                                    && (severity == 2
                                        || !function.calls[site].catches_runtime_error())
                            },
                        )
                    },
                )
            },
            || forward(project, &edges, &entries),
        );
        // Rare (a few functions of the projects that keep a `sqlite3` connection, use
        // thread-local storage, set context variables): one pass over the function list and
        // a walk back from those.
        let keeps_thread_state = ranked_backward(
            project,
            &callers,
            |_, function| function.thread_state.map(|_| (1, 0)),
            |_, caller, _, _| takes_part(caller),
        );
        // With their mixins: a mixin's methods run on the app or widget it is mixed into.
        let ui_classes = project
            .with_project_bases(project.classes_deriving_from(catalog::is_ui_class_on_the_loop));
        let ui_on_the_loop = if ui_classes.is_empty() {
            FunctionMap::new(project)
        } else {
            ranked_backward(
                project,
                &callers,
                |id, function| {
                    let qualname = function.qualname();
                    let dot = super::index::last_dot(qualname)?;
                    let module = project.modules[id.0].summary.module_name.as_str();
                    let class = qualified(module, &qualname[..dot]);
                    ui_classes.contains(class.as_str()).then_some((1, 0))
                },
                |_, caller, _, _| takes_part(caller),
            )
        };
        let own_loop = super::own_loop::coroutines(project, &edges, &callers);
        Self {
            own_loop,
            edges,
            handed_callees,
            callers,
            blocks,
            blocks_when,
            loop_affine,
            keeps_thread_state,
            ui_on_the_loop,
            reached,
            entries,
        }
    }

    /// Whether sync function `id` blocks on every call, whatever its arguments.
    pub fn blocks_always(&self, id: FunctionId) -> bool {
        self.blocks.get(&id).is_some()
            && matches!(
                self.blocks_when.get(&id),
                None | Some(BlockCondition::Always)
            )
    }

    /// The project function call site `site` of function `id` calls, if any.
    pub fn callee_at(&self, id: FunctionId, site: usize) -> Option<FunctionId> {
        self.edges.target_at(id, site)
    }

    /// The chain below `from` down to the direct site, given the fact table and how to name
    /// the direct site (the function, and the index of the site in its list):
    /// `[callee, callee's callee, ..., api]`, each function at its definition and the API
    /// at its call.
    pub fn chain_down(
        &self,
        project: &Project,
        table: &FunctionMap<Step>,
        from: FunctionId,
        direct: impl Fn(FunctionId, usize) -> Option<ChainStep>,
    ) -> Vec<ChainStep> {
        let path = Self::path_down(table, from);
        let last = path.last().map_or(from, |&(_, _, callee)| callee);
        let mut chain: Vec<ChainStep> = path
            .iter()
            .map(|&(_, _, callee)| project.definition_step(callee))
            .collect();
        if let Some(Step::Direct(site)) = table.get(&last) {
            chain.extend(direct(last, *site));
        }
        chain
    }

    /// The calls `table` holds down from `from`, as `(caller, call site, callee)` steps,
    /// ending at a function whose step is its own site (or where the chain loops back).
    fn path_down(
        table: &FunctionMap<Step>,
        from: FunctionId,
    ) -> Vec<(FunctionId, usize, FunctionId)> {
        let mut path = Vec::new();
        let mut current = from;
        let mut seen = HashSet::default();
        while seen.insert(current) {
            match table.get(&current) {
                Some(Step::Call { site, callee }) => {
                    path.push((current, *site, *callee));
                    current = *callee;
                }
                _ => break,
            }
        }
        path
    }

    /// What `function` keeps on its thread, itself or through the sync callee
    /// [`Facts::keeps_thread_state`] holds for it, with the function at the end of that chain
    /// that does.
    pub fn thread_state(
        &self,
        project: &Project,
        mut function: FunctionId,
    ) -> Option<(catalog::ThreadState, FunctionId)> {
        // Each step is a function claimed once, so the chain ends; bounded all the same.
        for _ in 0..project.function_count() {
            match self.keeps_thread_state.get(&function)? {
                Step::Direct(_) => {
                    return project
                        .function(function)
                        .thread_state
                        .map(|state| (state, function));
                }
                Step::Call { callee, .. } => function = *callee,
            }
        }
        None
    }

    /// The calls [`Facts::blocks`] holds down from `from`, entered from `caller` at `site`,
    /// as `(caller, call site, callee)` steps, with the blocking call's site in the last
    /// function (`None` where the chain loops back); at each function, the step held for it
    /// unless the arguments of the call that enters it keep that step from running
    /// (`settle(detect=False)` where the held step is the download behind `if not detect:
    /// return`): then another of its steps that they let run, when one does. The blocks
    /// table holds one step a function, whoever calls it; the chain shown must be one this
    /// call can take.
    pub fn blocking_path(
        &self,
        project: &Project,
        (caller, site): (FunctionId, usize),
        from: FunctionId,
    ) -> (Vec<(FunctionId, usize, FunctionId)>, Option<usize>) {
        let mut path = vec![(caller, site, from)];
        let mut current = from;
        let mut seen: HashSet<FunctionId> = HashSet::from_iter([from]);
        loop {
            let held = self.blocks.get(&current).copied();
            let step = held
                .filter(|&step| self.step_runs_for(project, &path, current, step))
                .or_else(|| self.step_for_arguments(project, &path, current, &seen))
                .or(held);
            match step {
                Some(Step::Call { site, callee }) if seen.insert(callee) => {
                    path.push((current, site, callee));
                    current = callee;
                }
                Some(Step::Direct(site)) => return (path, Some(site)),
                _ => return (path, None),
            }
        }
    }

    /// Whether `step` of `id` can run when `id` is entered by the calls of `path` (its
    /// condition carried up through each of them, as far as the arguments decide it:
    /// `provider(detect=False)` reaches `settle(detect=detect)` with `detect` false).
    fn step_runs_for(
        &self,
        project: &Project,
        path: &[(FunctionId, usize, FunctionId)],
        id: FunctionId,
        step: Step,
    ) -> bool {
        let condition = match step {
            Step::Direct(at) => BlockCondition::of_guard(
                project
                    .blocking_sites(id)
                    .get(at)
                    .and_then(|blocking| blocking.guard.as_ref()),
            ),
            Step::Call { site: at, callee } => {
                let Some(condition) = self.blocks_when.get(&callee).and_then(|condition| {
                    blocking_conditions::through_call(project, project.function(id), at, condition)
                }) else {
                    return false;
                };
                condition
            }
        };
        let mut condition = condition;
        for &(caller, site, _) in path.iter().rev() {
            match blocking_conditions::carried(project, project.function(caller), site, &condition)
            {
                None => return false,
                Some(BlockCondition::Always) => return true,
                Some(carried) => condition = carried,
            }
        }
        true
    }

    /// A step of `id` that can run when `id` is entered by the calls of `path`: a blocking
    /// call of its own, else a call of a function that blocks, among those no loop probe or
    /// cache guards (the subset of what the blocks table follows that needs no more facts).
    fn step_for_arguments(
        &self,
        project: &Project,
        path: &[(FunctionId, usize, FunctionId)],
        id: FunctionId,
        seen: &HashSet<FunctionId>,
    ) -> Option<Step> {
        let function = project.function(id);
        let sites = project.blocking_sites(id);
        let direct = sites
            .iter()
            .enumerate()
            .filter(|(_, blocking)| {
                !fills_kept_value(project, &self.callers, id, blocking.fills_cache)
                    && blocking.probe.is_none()
            })
            .map(|(at, _)| Step::Direct(at));
        let calls = self
            .edges
            .of(id)
            .filter(|&(at, callee)| {
                !seen.contains(&callee)
                    && self.blocks.contains_key(&callee)
                    && project.call_runs_body(id, at, callee)
                    && function.probe_of_call(at).is_none()
                    && !function.calls.get(at).is_some_and(|call| {
                        fills_kept_value(project, &self.callers, id, call.fills_cache())
                    })
            })
            .map(|(at, callee)| Step::Call { site: at, callee });
        direct
            .chain(calls)
            .find(|&step| self.step_runs_for(project, path, id, step))
    }

    /// Whether the path `reached` took from its entry to `id` is one the calls can take
    /// once methods dispatch on the receiver's class ([`Project::path_dispatches`]).
    pub fn entry_path_dispatches(&self, project: &Project, id: FunctionId) -> bool {
        let mut path = Vec::new();
        let mut current = id;
        while let Some((caller, site)) = self.reached.get(&current).and_then(|reach| reach.caller())
        {
            path.push((caller, site, current));
            current = caller;
            if path.len() > self.reached.len() {
                break;
            }
        }
        path.reverse();
        project.path_dispatches(current, &path)
    }

    /// A chain of calls down from `from`, entered from `caller` at `site`, to a function
    /// whose step in `table` is its own site, that the calls can take once methods dispatch
    /// on the receiver's class ([`Project::path_dispatches`]), as `(caller, call site,
    /// callee)` steps: the chain `table` holds when it does, else the first found
    /// breadth-first through the functions `table` holds (a subclass that overrides the
    /// method the held chain goes through may still reach another). `None`: none does.
    pub fn dispatching_chain(
        &self,
        project: &Project,
        table: &FunctionMap<Step>,
        (caller, site): (FunctionId, usize),
        from: FunctionId,
    ) -> Option<Vec<(FunctionId, usize, FunctionId)>> {
        let mut held = vec![(caller, site, from)];
        held.extend(Self::path_down(table, from));
        if project.path_dispatches(caller, &held) {
            return Some(held);
        }
        let mut seen: HashSet<FunctionId> = HashSet::from_iter([from]);
        let mut pending = std::collections::VecDeque::from([vec![(caller, site, from)]]);
        while let Some(path) = pending.pop_front() {
            let (_, _, last) = path[path.len() - 1];
            if matches!(table.get(&last), Some(Step::Direct(_))) {
                return Some(path);
            }
            if path.len() > MAX_DISPATCHED_STEPS {
                continue;
            }
            for (at, next) in self.edges.of(last) {
                if !table.contains_key(&next)
                    || !project.call_runs_body(last, at, next)
                    || seen.contains(&next)
                {
                    continue;
                }
                let mut longer = path.clone();
                longer.push((last, at, next));
                if project.path_dispatches(caller, &longer) {
                    seen.insert(next);
                    pending.push_back(longer);
                }
            }
        }
        None
    }

    /// The chain from the entry that reaches `to` down to it: `[entry, ..., to]`.
    pub fn chain_from_entry(&self, project: &Project, to: FunctionId) -> Vec<ChainStep> {
        let mut reversed = Vec::new();
        let mut current = to;
        let mut seen = HashSet::default();
        while seen.insert(current) {
            match self.reached.get(&current).and_then(|reach| reach.caller()) {
                Some((caller, _)) => {
                    reversed.push(project.definition_step(current));
                    current = caller;
                }
                _ => {
                    reversed.push(project.definition_step(current));
                    break;
                }
            }
        }
        reversed.reverse();
        reversed
    }
}
/// Whether a call of `callee` by `caller`, behind `probe` (the call site whose answer it
/// needs, and which answer), fills a cache its object keeps: it runs only when a method of
/// the same class answers that a key is not in one of the object's containers (`if not
/// self.stylesheet.has_source(path):`), and `callee` stores an item into that container
/// (`self.source[key] = ...`). Like `if key not in CACHE: CACHE[key] = load(key)`, it runs
/// once per key ([`crate::checker::owned_caches`]).
fn fills_owned_cache(
    project: &Project,
    edges: &Adjacency<(usize, FunctionId)>,
    caller: FunctionId,
    probe: Option<(u32, bool)>,
    callee: FunctionId,
) -> bool {
    let Some((site, false)) = probe else {
        return false;
    };
    let Some(asked) = edges.target_at(caller, site as usize) else {
        return false;
    };
    let module = &project.modules[callee.0].summary;
    if asked.0 != callee.0 || module.owned_caches.is_empty() {
        return false;
    }
    let method = |id: FunctionId| project.function(id).qualname().rsplit_once('.');
    let (Some((class, predicate)), Some((filler_class, filler))) = (method(asked), method(callee))
    else {
        return false;
    };
    class == filler_class && module.fills_owned_cache(class, predicate, filler)
}

/// Sync functions reached from a running loop: from every `async def` and every entry
/// point, through calls to sync functions.
fn forward(
    project: &Project,
    edges: &Adjacency<(usize, FunctionId)>,
    entries: &HashMap<FunctionId, LoopEntry>,
) -> FunctionMap<Reach> {
    let mut reached = FunctionMap::new(project);
    let mut queue = VecDeque::new();
    for id in project.function_ids() {
        if project.is_async(id) || entries.contains_key(&id) {
            reached.insert(id, Reach::entry());
            queue.push_back(id);
        }
    }
    while let Some(caller) = queue.pop_front() {
        for (site, callee) in edges.of(caller) {
            if project.is_async(callee)
                || reached.contains_key(&callee)
                || !project.call_runs_body(caller, site, callee)
                || project.function(caller).calls[site].loop_guarded()
            {
                continue;
            }
            reached.insert(callee, Reach::by(caller, site));
            queue.push_back(callee);
        }
    }
    reached.finished()
}

/// The site and severity of a function's most serious direct blocking call (the first of
/// equals), if it has one.
fn most_serious_blocking(
    sites: &[super::summary::BlockingSite],
    runs: impl Fn(&super::summary::BlockingSite) -> bool,
) -> Option<(u8, usize)> {
    let mut best: Option<(u8, usize)> = None;
    for (index, site) in sites.iter().enumerate() {
        if !runs(site) {
            continue;
        }
        if best.is_none_or(|(severity, _)| site.severity > severity) {
            best = Some((site.severity, index));
        }
    }
    best
}

/// Sync functions with a property, spread from the functions that have it directly to
/// their sync callers, for a property with degrees: each sync function gets the chain to
/// the most serious direct site it reaches (`direct` gives a function's own best site and
/// its severity), shortest among those. `follows` says whether a call edge carries a
/// property of a given severity to the caller. One breadth-first pass per severity, most serious
/// first; a function claimed by a pass reaches nothing more serious, because every
/// function that does was claimed by an earlier one. Linear overall: each function is
/// claimed once and its callers scanned once.
fn ranked_backward(
    project: &Project,
    callers: &Adjacency<(FunctionId, usize)>,
    direct: impl Fn(FunctionId, &FunctionSummary) -> Option<(u8, usize)>,
    follows: impl Fn(u8, FunctionId, usize, FunctionId) -> bool,
) -> FunctionMap<Step> {
    let mut found = FunctionMap::new(project);
    let mut seeds: Vec<(u8, usize, FunctionId)> = project
        .function_ids()
        .filter_map(|id| {
            let function = project.function(id);
            if function.is_async {
                return None;
            }
            direct(id, function).map(|(severity, site)| (severity, site, id))
        })
        .collect();
    // Most serious first; within a severity, function order (stable sort) so the chains do
    // not depend on the thread count.
    seeds.sort_by_key(|&(severity, _, _)| std::cmp::Reverse(severity));
    let mut queue = VecDeque::new();
    let mut start = 0;
    while start < seeds.len() {
        let severity = seeds[start].0;
        let end = start
            + seeds[start..]
                .iter()
                .take_while(|seed| seed.0 == severity)
                .count();
        for &(_, site, id) in &seeds[start..end] {
            if !found.contains_key(&id) {
                found.insert(id, Step::Direct(site));
                queue.push_back(id);
            }
        }
        while let Some(callee) = queue.pop_front() {
            for (caller, site) in callers.of(callee) {
                let calling = project.function(caller);
                if calling.is_async
                    || found.contains_key(&caller)
                    || is_module_code(project, caller)
                    || !project.call_runs_body(caller, site, callee)
                    || !follows(severity, caller, site, callee)
                {
                    continue;
                }
                found.insert(caller, Step::Call { site, callee });
                queue.push_back(caller);
            }
        }
        start = end;
    }
    found.finished()
}

/// Every call site resolved to the project function it calls, module by module in parallel
/// (each module resolves each of its distinct callee paths once).
/// Every project function a call of a callable handed in may run, by (function, call site).
pub type HandedCallees = HashMap<(FunctionId, usize), Vec<FunctionId>>;

fn resolve_edges(project: &Project) -> (Adjacency<(usize, FunctionId)>, HandedCallees) {
    use rayon::prelude::*;

    let per_module: Vec<ModuleEdges> = (0..project.modules.len())
        .into_par_iter()
        .map(|module| {
            // Read from the call sites themselves: a copy of the edges kept in every summary
            // for this one pass was 7.5 MB of the benchmark corpus's peak.
            let functions = &project.modules[module].summary.functions;
            let edges = functions
                .iter()
                .enumerate()
                .flat_map(|(function, summary)| {
                    summary
                        .calls
                        .iter()
                        .enumerate()
                        .filter_map(move |(site, call)| {
                            let Resolution::Function(callee) =
                                project.resolution(module, call.callee)
                            else {
                                return None;
                            };
                            Some(ModuleEdges::pack(function, site, callee))
                        })
                });
            ModuleEdges(edges.collect())
        })
        .collect();
    let handed = handed_callees(project, &per_module);
    // A call every caller hands the same one function runs that function, whoever calls:
    // an edge like any other. The resolved edges are in order already: these few are sorted
    // and merged in.
    let dense = |id: FunctionId| project.offsets[id.0] + id.1;
    let order = |&(caller, (site, callee)): &(FunctionId, (usize, FunctionId))| {
        (dense(caller), site, dense(callee))
    };
    let mut bound: Vec<(FunctionId, (usize, FunctionId))> = handed
        .iter()
        .filter(|(_, binding)| !binding.partial && binding.targets.len() == 1)
        .map(|(&(id, site), binding)| (id, (site, binding.targets[0])))
        .collect();
    bound.sort_unstable_by_key(order);
    let count = per_module.iter().map(|edges| edges.0.len()).sum::<usize>() + bound.len();
    // Each module's edges are freed as soon as they are copied into the graph.
    let mut resolved = per_module
        .into_iter()
        .enumerate()
        .flat_map(|(module, edges)| edges.into_unpacked(module))
        .peekable();
    let mut bound = bound.into_iter().peekable();
    let merged = std::iter::from_fn(|| match (resolved.peek(), bound.peek()) {
        (Some(next), Some(other)) if order(other) < order(next) => bound.next(),
        (Some(_), _) => resolved.next(),
        (None, _) => bound.next(),
    });
    let edges = Adjacency::from_sorted(project, merged, count);
    let handed = handed
        .into_iter()
        .filter(|(_, binding)| !binding.targets.is_empty())
        .map(|(at, binding)| (at, binding.targets))
        .collect();
    (edges, handed)
}

/// A module's calls resolved to project functions, in function and call-site order, each
/// as four 4-byte numbers (function of the module, call site, callee module, callee index):
/// kept as `(FunctionId, (usize, FunctionId))` tuples, 40 bytes each, the 204,000 edges of
/// the benchmark corpus took 11.4 MiB (their vectors grown by doubling) at the link's peak,
/// where these take 4.7.
struct ModuleEdges(Vec<[u32; 4]>);

impl ModuleEdges {
    fn pack(function: usize, site: usize, (module, index): FunctionId) -> [u32; 4] {
        let narrow = |value: usize| u32::try_from(value).unwrap_or(u32::MAX);
        [
            narrow(function),
            narrow(site),
            narrow(module),
            narrow(index),
        ]
    }

    /// The edges of module `module`, as (caller, (call site, callee)).
    fn unpacked(&self, module: usize) -> impl Iterator<Item = (FunctionId, (usize, FunctionId))> {
        self.0.iter().map(move |&edge| Self::unpack(module, edge))
    }

    fn into_unpacked(
        self,
        module: usize,
    ) -> impl Iterator<Item = (FunctionId, (usize, FunctionId))> {
        self.0
            .into_iter()
            .map(move |edge| Self::unpack(module, edge))
    }

    fn unpack(
        module: usize,
        [function, site, callee_module, callee_index]: [u32; 4],
    ) -> (FunctionId, (usize, FunctionId)) {
        (
            (module, function as usize),
            (
                site as usize,
                (callee_module as usize, callee_index as usize),
            ),
        )
    }
}

/// What the callers of a function hand it for a parameter it calls.
#[derive(Default)]
struct Binding {
    /// The project functions handed, each once, in caller order.
    targets: Vec<FunctionId>,
    /// Some caller hands something else (a lambda, a value, nothing at all).
    partial: bool,
}

/// The calls of a callable a function was handed (`task_creator(session, ...)`), bound to the
/// project functions that function's callers pass for that parameter
/// (`batch(task_creator=create_tasks)`). One call up only: a callable the callers were
/// themselves handed is not followed.
fn handed_callees(
    project: &Project,
    resolved: &[ModuleEdges],
) -> HashMap<(FunctionId, usize), Binding> {
    // The function whose parameter is called → (the calling function, its call site, the
    // parameter).
    type HandedCall<'p> = (FunctionId, usize, &'p super::summary::ParameterRef);
    let mut handed_to: HashMap<FunctionId, Vec<HandedCall>> = HashMap::default();
    for id in project.function_ids() {
        for (site, owner, parameter) in &project.function(id).parameter_callees {
            handed_to.entry((id.0, *owner as usize)).or_default().push((
                id,
                *site as usize,
                parameter,
            ));
        }
    }
    let mut bindings: HashMap<(FunctionId, usize), Binding> = HashMap::default();
    if handed_to.is_empty() {
        return bindings;
    }
    let resolved = resolved
        .iter()
        .enumerate()
        .flat_map(|(module, edges)| edges.unpacked(module));
    for (caller, (site, callee)) in resolved {
        let Some(calls) = handed_to.get(&callee) else {
            continue;
        };
        let function = project.function(caller);
        for &(id, call_site, parameter) in calls {
            let binding = bindings.entry((id, call_site)).or_default();
            let passed = function
                .callable_arguments
                .iter()
                .find(|(at, slot, _)| *at as usize == site && slot.is_for(parameter));
            match passed.map(|(_, _, path)| project.resolution(caller.0, *path)) {
                Some(Resolution::Function(target)) => {
                    if !binding.targets.contains(&target) {
                        binding.targets.push(target);
                    }
                }
                _ => binding.partial = true,
            }
        }
    }
    bindings
}

fn is_module_code(project: &Project, id: FunctionId) -> bool {
    project.function(id).name() == super::summary::MODULE_CODE
}

/// Sync functions that frameworks call from inside a running loop: LiteLLM `CustomLogger`
/// hooks, the configured `sync-hooks`, and `__del__` finalizers.
fn entries(project: &Project, settings: &Settings) -> HashMap<FunctionId, LoopEntry> {
    let mut entries = HashMap::default();
    for id in project.function_ids() {
        let function = project.function(id);
        if function.is_async {
            continue;
        }
        let module = project.modules[id.0].summary.module_name.as_str();
        let qualname = function.qualname();
        // The path's parts before and after its last dot, the first spelled only when asked.
        let (owner, method) = match super::index::last_dot(qualname) {
            Some(dot) => (Some(&qualname[..dot]), &qualname[dot + 1..]),
            None if !module.is_empty() => (None, qualname),
            None => continue,
        };
        let owner = || owner.map_or_else(|| module.to_string(), |owner| qualified(module, owner));
        let configured = settings
            .sync_hooks
            .iter()
            .any(|hook| is_qualified(hook, module, qualname));
        let litellm = catalog::LITELLM_SYNC_HOOKS.contains(&method)
            && project.descends_from(&owner(), catalog::LITELLM_CUSTOM_LOGGER);
        if configured || litellm {
            entries.insert(id, LoopEntry::SyncHook);
        } else if method == "__del__" && project.is_class(&owner()) {
            entries.insert(id, LoopEntry::Finalizer);
        }
    }
    entries
}
