//! Whole-program facts over the call graph, each computed by one breadth-first pass (so the
//! work is linear in the number of call edges, cycles and recursion terminate, and every
//! recorded chain is a shortest one).

use std::collections::{HashMap, HashSet, VecDeque};

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
    /// For every function, its calls resolved to project functions: (call site, callee).
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
        let mut edges: HashMap<FunctionId, Vec<(usize, FunctionId)>> = HashMap::new();
        for id in project.function_ids() {
            let function = project.function(id);
            let resolved: Vec<(usize, FunctionId)> = function
                .calls
                .iter()
                .enumerate()
                .filter_map(|(site, call)| Some((site, project.resolve(&call.callee)?)))
                .collect();
            if !resolved.is_empty() {
                edges.insert(id, resolved);
            }
        }
        let mut facts = Self {
            edges,
            blocks: HashMap::new(),
            loop_affine: HashMap::new(),
            reached: HashMap::new(),
            entries: HashMap::new(),
        };
        facts.blocks = facts.backward(project, |function| !function.blocking.is_empty());
        facts.loop_affine = facts.backward(project, |function| !function.loop_affine.is_empty());
        facts.entries = entries(project, settings);
        facts.reached = facts.forward(project);
        facts
    }

    /// Sync functions with a property, spread from the functions that have it directly to
    /// their sync callers.
    fn backward(
        &self,
        project: &Project,
        has_directly: impl Fn(&super::summary::FunctionSummary) -> bool,
    ) -> HashMap<FunctionId, Step> {
        let mut callers: HashMap<FunctionId, Vec<(FunctionId, usize)>> = HashMap::new();
        for (&caller, calls) in &self.edges {
            for &(site, callee) in calls {
                callers.entry(callee).or_default().push((caller, site));
            }
        }
        // Deterministic order: the same chains whatever the hash seeds.
        callers.values_mut().for_each(|list| list.sort_unstable());

        let mut found = HashMap::new();
        let mut queue = VecDeque::new();
        for id in project.function_ids() {
            let function = project.function(id);
            if !function.is_async && has_directly(function) {
                found.insert(id, Step::Direct(0));
                queue.push_back(id);
            }
        }
        while let Some(callee) = queue.pop_front() {
            let Some(list) = callers.get(&callee) else { continue };
            for &(caller, site) in list {
                if project.function(caller).is_async || found.contains_key(&caller) || is_module_code(project, caller) {
                    continue;
                }
                found.insert(caller, Step::Call { site, callee });
                queue.push_back(caller);
            }
        }
        found
    }

    /// Sync functions reached from a running loop: from every `async def` and every entry
    /// point, through calls to sync functions.
    fn forward(&self, project: &Project) -> HashMap<FunctionId, Option<(FunctionId, usize)>> {
        let mut reached = HashMap::new();
        let mut queue = VecDeque::new();
        for id in project.function_ids() {
            if project.function(id).is_async || self.entries.contains_key(&id) {
                reached.insert(id, None);
                queue.push_back(id);
            }
        }
        while let Some(caller) = queue.pop_front() {
            let Some(calls) = self.edges.get(&caller) else { continue };
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
        let mut seen = HashSet::new();
        while seen.insert(current) {
            match table.get(&current) {
                Some(Step::Call { site, callee }) => {
                    let call = &project.function(current).calls[*site];
                    chain.push(project.step(current.0, &project.function(*callee).name, call.range));
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
        let mut seen = HashSet::new();
        while seen.insert(current) {
            match self.reached.get(&current) {
                Some(Some((caller, site))) => {
                    let call = &project.function(*caller).calls[*site];
                    reversed.push(project.step(caller.0, &project.function(current).name, call.range));
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

fn is_module_code(project: &Project, id: FunctionId) -> bool {
    project.function(id).name == super::summary::MODULE_CODE
}

/// Sync functions that frameworks call from inside a running loop: LiteLLM `CustomLogger`
/// hooks, the configured `sync-hooks`, and `__del__` finalizers.
fn entries(project: &Project, settings: &Settings) -> HashMap<FunctionId, LoopEntry> {
    let mut entries = HashMap::new();
    for id in project.function_ids() {
        let function = project.function(id);
        if function.is_async {
            continue;
        }
        let Some((owner, method)) = function.path.rsplit_once('.') else { continue };
        if settings.sync_hooks.iter().any(|hook| hook == &function.path) {
            entries.insert(id, LoopEntry::SyncHook);
        } else if catalog::LITELLM_SYNC_HOOKS.contains(&method)
            && project.descends_from(owner, catalog::LITELLM_CUSTOM_LOGGER)
        {
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
        let mut seen = HashSet::new();
        while let Some(current) = pending.pop() {
            if !seen.insert(current.clone()) || seen.len() > 64 {
                continue;
            }
            let Some(bases) = self.classes.get(current.as_str()) else { continue };
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
