//! Whole-program facts over the call graph, each computed by one breadth-first pass (so the
//! work is linear in the number of call edges, cycles and recursion terminate, and every
//! recorded chain is a shortest one).

use std::collections::VecDeque;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::summary::LoopEntry;
use super::{FunctionId, Project};
use crate::diagnostic::ChainStep;
use crate::rules::catalog;
use crate::settings::Settings;

/// How a function has a property: directly (site `n` of the relevant list), or by calling
/// a function that has it (call site `site`, to `callee`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Direct(usize),
    Call { site: usize, callee: FunctionId },
}

pub struct Facts {
    /// For every function, its calls resolved to project functions: (call site, callee),
    /// in call-site order.
    pub edges: HashMap<FunctionId, Vec<(usize, FunctionId)>>,
    /// Sync functions that block, directly or through sync callees.
    pub blocks: HashMap<FunctionId, Step>,
    /// Sync functions that use loop-affine asyncio APIs, directly or through sync callees.
    pub loop_affine: HashMap<FunctionId, Step>,
    /// Sync functions that run inside a running loop: the caller and call site that reach
    /// them (`None` for the entry points themselves).
    pub reached: HashMap<FunctionId, Option<(FunctionId, usize)>>,
    /// Functions that frameworks call from inside a running loop, and why.
    pub entries: HashMap<FunctionId, LoopEntry>,
}

impl Facts {
    pub fn compute(project: &Project, settings: &Settings) -> Self {
        let edges = resolve_edges(project);
        let mut callers: HashMap<FunctionId, Vec<(FunctionId, usize)>> = HashMap::default();
        for (&caller, calls) in &edges {
            for &(site, callee) in calls {
                callers.entry(callee).or_default().push((caller, site));
            }
        }
        // Deterministic order: the same chains whatever the hash seeds.
        callers.values_mut().for_each(|list| list.sort_unstable());

        let blocks = backward(project, &callers, |function| !function.blocking.is_empty());
        let loop_affine = backward(project, &callers, |function| {
            !function.loop_affine.is_empty()
        });
        let entries = entries(project, settings);
        let mut facts = Self {
            edges,
            blocks,
            loop_affine,
            reached: HashMap::default(),
            entries,
        };
        facts.reached = facts.forward(project);
        facts
    }

    /// Sync functions reached from a running loop: from every `async def` and every entry
    /// point, through calls to sync functions.
    fn forward(&self, project: &Project) -> HashMap<FunctionId, Option<(FunctionId, usize)>> {
        let mut reached = HashMap::default();
        let mut queue = VecDeque::new();
        for id in project.function_ids() {
            if project.function(id).is_async || self.entries.contains_key(&id) {
                reached.insert(id, None);
                queue.push_back(id);
            }
        }
        while let Some(caller) = queue.pop_front() {
            let Some(calls) = self.edges.get(&caller) else {
                continue;
            };
            for &(site, callee) in calls {
                if project.function(callee).is_async || reached.contains_key(&callee) {
                    continue;
                }
                reached.insert(callee, Some((caller, site)));
                queue.push_back(callee);
            }
        }
        reached
    }

    /// The project function call site `site` of function `id` calls, if any.
    pub fn callee_at(&self, id: FunctionId, site: usize) -> Option<FunctionId> {
        let calls = self.edges.get(&id)?;
        let found = calls.binary_search_by_key(&site, |&(at, _)| at).ok()?;
        Some(calls[found].1)
    }

    /// The chain below `from` down to the direct site, given the fact table and how to name
    /// the direct site: `[callee, callee's callee, ..., api]`.
    pub fn chain_down(
        &self,
        project: &Project,
        table: &HashMap<FunctionId, Step>,
        from: FunctionId,
        direct: impl Fn(FunctionId) -> Option<ChainStep>,
    ) -> Vec<ChainStep> {
        let mut chain = Vec::new();
        let mut current = from;
        let mut seen = HashSet::default();
        while seen.insert(current) {
            match table.get(&current) {
                Some(Step::Call { site, callee }) => {
                    let call = &project.function(current).calls[*site];
                    chain.push(project.step(
                        current.0,
                        &project.function(*callee).name,
                        call.range,
                    ));
                    current = *callee;
                }
                Some(Step::Direct(_)) => {
                    chain.extend(direct(current));
                    break;
                }
                None => break,
            }
        }
        chain
    }

    /// The chain from the entry that reaches `to` down to it: `[entry, ..., to]`.
    pub fn chain_from_entry(&self, project: &Project, to: FunctionId) -> Vec<ChainStep> {
        let mut reversed = Vec::new();
        let mut current = to;
        let mut seen = HashSet::default();
        while seen.insert(current) {
            match self.reached.get(&current) {
                Some(Some((caller, site))) => {
                    let call = &project.function(*caller).calls[*site];
                    reversed.push(project.step(
                        caller.0,
                        &project.function(current).name,
                        call.range,
                    ));
                    current = *caller;
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
/// Sync functions with a property, spread from the functions that have it directly to
/// their sync callers.
fn backward(
    project: &Project,
    callers: &HashMap<FunctionId, Vec<(FunctionId, usize)>>,
    has_directly: impl Fn(&super::summary::FunctionSummary) -> bool,
) -> HashMap<FunctionId, Step> {
    let mut found = HashMap::default();
    let mut queue = VecDeque::new();
    for id in project.function_ids() {
        let function = project.function(id);
        if !function.is_async && has_directly(function) {
            found.insert(id, Step::Direct(0));
            queue.push_back(id);
        }
    }
    while let Some(callee) = queue.pop_front() {
        let Some(list) = callers.get(&callee) else {
            continue;
        };
        for &(caller, site) in list {
            if project.function(caller).is_async
                || found.contains_key(&caller)
                || is_module_code(project, caller)
            {
                continue;
            }
            found.insert(caller, Step::Call { site, callee });
            queue.push_back(caller);
        }
    }
    found
}

/// Every call site resolved to the project function it calls, module by module in parallel
/// (each module resolves each distinct callee path once).
fn resolve_edges(project: &Project) -> HashMap<FunctionId, Vec<(usize, FunctionId)>> {
    use rayon::prelude::*;

    let per_module: Vec<Vec<(FunctionId, Vec<(usize, FunctionId)>)>> = (0..project.modules.len())
        .into_par_iter()
        .map(|module| {
            let mut resolved_paths: HashMap<&str, Option<FunctionId>> = HashMap::default();
            let functions = &project.modules[module].summary.functions;
            let mut edges = Vec::new();
            for (index, function) in functions.iter().enumerate() {
                let resolved: Vec<(usize, FunctionId)> = function
                    .calls
                    .iter()
                    .enumerate()
                    .filter_map(|(site, call)| {
                        let callee = *resolved_paths
                            .entry(call.callee.as_str())
                            .or_insert_with(|| project.resolve(&call.callee));
                        Some((site, callee?))
                    })
                    .collect();
                if !resolved.is_empty() {
                    edges.push(((module, index), resolved));
                }
            }
            edges
        })
        .collect();
    per_module.into_iter().flatten().collect()
}

fn is_module_code(project: &Project, id: FunctionId) -> bool {
    project.function(id).name == super::summary::MODULE_CODE
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
        let Some((owner, method)) = function.path.rsplit_once('.') else {
            continue;
        };
        let configured = settings
            .sync_hooks
            .iter()
            .any(|hook| hook == &function.path);
        let litellm = catalog::LITELLM_SYNC_HOOKS.contains(&method)
            && project.descends_from(owner, catalog::LITELLM_CUSTOM_LOGGER);
        if configured || litellm {
            entries.insert(id, LoopEntry::SyncHook);
        } else if method == "__del__" && project.is_class(owner) {
            entries.insert(id, LoopEntry::Finalizer);
        }
    }
    entries
}

impl Project<'_> {
    pub fn is_class(&self, path: &str) -> bool {
        self.classes.contains_key(path)
    }

    /// Whether project class `class` has one of `ancestors` among its bases, at any depth
    /// (through project classes and re-exports).
    pub fn descends_from(&self, class: &str, ancestors: &[&str]) -> bool {
        let mut pending = vec![class.to_string()];
        let mut seen = HashSet::default();
        while let Some(current) = pending.pop() {
            if !seen.insert(current.clone()) || seen.len() > 64 {
                continue;
            }
            let Some(bases) = self.classes.get(current.as_str()) else {
                continue;
            };
            for base in bases.iter() {
                if ancestors.contains(&base.as_str()) {
                    return true;
                }
                pending.push(base.clone());
            }
        }
        false
    }
}
