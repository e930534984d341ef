//! Deadlines set by the callers, across the project: an await with no deadline of its own is
//! not reported when every caller of its function (at least one, all resolved) runs it under
//! a deadline, lexically or by being itself so covered. Decided once the project is linked:
//! the findings wait in their function's summary until then.

use rustc_hash::FxHashMap as HashMap;

use crate::diagnostic::Diagnostic;
use crate::project::summary::{CallDeadline, MODULE_CODE};
use crate::project::{Facts, FunctionId, Project};

/// How deep the callers' callers are followed.
const MAX_DEPTH: usize = 12;

/// Reports the LW501 findings whose function is not covered by its callers' deadlines.
pub(crate) fn check(project: &Project, facts: &Facts, report: &mut impl FnMut(usize, Diagnostic)) {
    let pending: Vec<FunctionId> = project
        .function_ids()
        .filter(|&id| !project.function(id).pending_deadline.is_empty())
        .collect();
    if pending.is_empty() {
        return;
    }
    let callers = Callers::build(project, facts);
    let datagram: rustc_hash::FxHashSet<&str> = project
        .modules
        .iter()
        .flat_map(|module| module.summary.datagram_sockets.iter().map(String::as_str))
        .collect();
    let mut memo = HashMap::default();
    for id in pending {
        let coverage = callers.coverage(id, &mut memo, 0);
        for finding in &project.function(id).pending_deadline {
            // Connecting a datagram socket waits on no network.
            if finding
                .socket_attribute
                .as_deref()
                .is_some_and(|attribute| datagram.contains(attribute))
            {
                continue;
            }
            let exempt = match coverage {
                Coverage::Covered => true,
                Coverage::NoCallers => finding.private_plumbing,
                Coverage::Uncovered => false,
            };
            if !exempt {
                report(id.0, finding.diagnostic.clone());
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Coverage {
    /// Every caller (at least one, all resolved) runs it under a deadline.
    Covered,
    /// No call in the project resolves to it (calls the link cannot resolve may still).
    NoCallers,
    /// A caller runs it without a deadline, or a call the link cannot resolve may reach it.
    Uncovered,
}

/// The project's call graph read backwards, with the methods of each name (for calls to a
/// base class's method, which reach its overrides).
struct Callers<'p, 'a> {
    project: &'p Project<'a>,
    /// Callee → (caller, call site index in the caller).
    callers: HashMap<FunctionId, Vec<(FunctionId, usize)>>,
    /// Method name → the project's methods of that name, with their class's path.
    methods: HashMap<&'a str, Vec<(&'a str, FunctionId)>>,
}

impl<'p, 'a> Callers<'p, 'a> {
    fn build(project: &'p Project<'a>, facts: &Facts) -> Self {
        let mut callers: HashMap<FunctionId, Vec<(FunctionId, usize)>> = HashMap::default();
        let mut methods: HashMap<&'a str, Vec<(&'a str, FunctionId)>> = HashMap::default();
        for caller in project.function_ids() {
            for &(site, callee) in facts.edges.of(caller) {
                callers.entry(callee).or_default().push((caller, site));
            }
            let function = project.function(caller);
            if let Some((owner, name)) = function.path.rsplit_once('.')
                && project.is_class(owner)
            {
                methods.entry(name).or_default().push((owner, caller));
            }
        }
        Self {
            project,
            callers,
            methods,
        }
    }

    /// The class a method belongs to, and its name.
    fn method_of(&self, id: FunctionId) -> Option<(&'a str, &'a str)> {
        let path = self.project.function(id).path.as_str();
        let (owner, name) = path.rsplit_once('.')?;
        self.project.is_class(owner).then_some((owner, name))
    }

    /// Whether a call the link could not resolve (`x.name()` on a value of unknown type),
    /// in the function's own top-level package, may reach method `name`.
    fn unresolved_call_may_reach(&self, id: FunctionId, name: &str) -> bool {
        let root = |module: usize| {
            let name = self.project.modules[module].summary.module_name.as_str();
            name.split('.').next().unwrap_or(name)
        };
        let own_root = root(id.0);
        (0..self.project.modules.len()).any(|module| {
            root(module) == own_root
                && self.project.modules[module]
                    .summary
                    .unresolved_methods
                    .contains(name)
        })
    }

    /// The call sites that may run function `id`: those resolved to it, and for a method,
    /// those resolved to the method of that name of a class it derives from (a call on the
    /// base class reaches the override).
    fn sites(&self, id: FunctionId) -> Vec<(FunctionId, usize)> {
        let mut sites = self.callers.get(&id).cloned().unwrap_or_default();
        if let Some((class, name)) = self.method_of(id) {
            for &(owner, base_method) in self.methods.get(name).into_iter().flatten() {
                if base_method != id && self.project.descends_from(class, &[owner]) {
                    sites.extend(self.callers.get(&base_method).into_iter().flatten());
                }
            }
        }
        sites
    }

    fn coverage(
        &self,
        id: FunctionId,
        memo: &mut HashMap<FunctionId, Coverage>,
        depth: usize,
    ) -> Coverage {
        if let Some(&known) = memo.get(&id) {
            return known;
        }
        if depth > MAX_DEPTH {
            return Coverage::Uncovered;
        }
        // In progress: a recursive call does not cover itself.
        memo.insert(id, Coverage::Uncovered);
        let coverage = self.decide(id, memo, depth);
        memo.insert(id, coverage);
        coverage
    }

    fn decide(
        &self,
        id: FunctionId,
        memo: &mut HashMap<FunctionId, Coverage>,
        depth: usize,
    ) -> Coverage {
        let function = self.project.function(id);
        if function.name == MODULE_CODE {
            return Coverage::Uncovered;
        }
        let sites = self.sites(id);
        if sites.is_empty() {
            return Coverage::NoCallers;
        }
        if let Some((_, name)) = self.method_of(id)
            && self.unresolved_call_may_reach(id, name)
        {
            return Coverage::Uncovered;
        }
        let all_covered = sites.iter().all(|&(caller, site)| {
            let deadline = self
                .project
                .function(caller)
                .calls
                .get(site)
                .map_or(CallDeadline::Unbounded, |call| call.deadline);
            match deadline {
                CallDeadline::Bounded => true,
                CallDeadline::Detached => false,
                CallDeadline::Unbounded => {
                    self.coverage(caller, memo, depth + 1) == Coverage::Covered
                }
            }
        });
        if all_covered {
            Coverage::Covered
        } else {
            Coverage::Uncovered
        }
    }
}
