//! Deadlines set by the callers, across the project: an await with no deadline of its own is
//! not reported when every caller of its function (at least one, all resolved) runs it under
//! a deadline, lexically or by being itself so covered. A request on a session the function
//! was handed is reported only when a caller hands it one built without a timeout. Decided
//! once the project is linked: the findings wait in their function's summary until then.

use rustc_hash::{FxHashMap as HashMap, FxHashSet};

use crate::diagnostic::Diagnostic;
use crate::project::summary::{CallDeadline, MODULE_CODE, SessionParameter, qualified};
use crate::project::{Facts, FunctionId, Project};

use super::messages::handed_session_message;
use crate::settings::is_test_module;

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
    // The functions whose parameters hand sessions in: their callers are asked too.
    let owners: Vec<FunctionId> = pending
        .iter()
        .flat_map(|&id| {
            project
                .function(id)
                .pending_deadline
                .iter()
                .filter_map(move |finding| {
                    finding
                        .session_from
                        .as_ref()
                        .map(|from| (id.0, from.owner as usize))
                })
        })
        .collect();
    let mut wanted = pending.clone();
    wanted.extend(owners);
    let callers = Callers::build(project, facts, &wanted);
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
                Coverage::NoCallers => finding.private_plumbing || finding.forwards_its_name,
                Coverage::Uncovered => {
                    finding.next_message && callers.pumps(id)
                        || finding.forwards_its_name && callers.resolved_calls_pump(id)
                }
            };
            if exempt {
                continue;
            }
            let Some(from) = &finding.session_from else {
                report(id.0, finding.diagnostic.clone());
                continue;
            };
            if let Some(diagnostic) =
                callers.handed_unbounded_session(id.0, from, &finding.diagnostic, &mut memo)
            {
                report(id.0, diagnostic);
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

/// The part of the call graph read backwards that the findings need: the callers of their
/// functions, of those callers, and so on (as deep as coverage is followed), read from the
/// facts' reverse edges.
struct Callers<'p, 'a> {
    project: &'p Project<'a>,
    /// Callee → (caller, call site index in the caller).
    callers: HashMap<FunctionId, Vec<(FunctionId, usize)>>,
    /// Method → the methods of the same name in the classes it derives from: a call to one
    /// of those on the base class reaches the override.
    base_methods: HashMap<FunctionId, Vec<FunctionId>>,
    /// Top-level package → its modules that call methods on values of unknown type (see
    /// [`Callers::unresolved_call_may_reach`], asked for every method decided: scanning
    /// every module's name each time was a tenth of the whole-project rules' instructions).
    unresolved_by_root: HashMap<&'a str, Vec<usize>>,
}

impl<'p, 'a> Callers<'p, 'a> {
    fn build(project: &'p Project<'a>, facts: &Facts, pending: &[FunctionId]) -> Self {
        let mut callers: HashMap<FunctionId, Vec<(FunctionId, usize)>> = HashMap::default();
        let mut base_methods: HashMap<FunctionId, Vec<FunctionId>> = HashMap::default();
        let mut collected: FxHashSet<FunctionId> = FxHashSet::default();
        let mut frontier: Vec<FunctionId> = pending.to_vec();
        let dense = |id: FunctionId| project.offsets[id.0] + id.1;
        // Calls of a callable handed in reach each function the callers hand (a function
        // listed twice, here and among the edges, only repeats a caller): per callee, in a
        // fixed order, after the resolved calls.
        let mut handed: Vec<(FunctionId, (usize, FunctionId))> = facts
            .handed_callees
            .iter()
            .flat_map(|(&(caller, site), targets)| {
                targets.iter().map(move |&callee| (caller, (site, callee)))
            })
            .collect();
        handed
            .sort_unstable_by_key(|&(caller, (site, callee))| (dense(caller), site, dense(callee)));
        let mut handed_to: HashMap<FunctionId, Vec<(FunctionId, usize)>> = HashMap::default();
        for (caller, (site, callee)) in handed {
            handed_to.entry(callee).or_default().push((caller, site));
        }
        for _ in 0..=MAX_DEPTH {
            // The functions whose callers this pass collects: the frontier and the methods
            // they override, each once over all passes.
            let mut wanted = Vec::new();
            for id in std::mem::take(&mut frontier) {
                if base_methods.contains_key(&id) {
                    continue;
                }
                let bases = bases_of(project, id);
                for target in std::iter::once(id).chain(bases.iter().copied()) {
                    if collected.insert(target) {
                        wanted.push(target);
                    }
                }
                base_methods.insert(id, bases);
            }
            if wanted.is_empty() {
                break;
            }
            for callee in wanted {
                // The resolved calls in caller order (the reverse edges), then the handed.
                let sites: Vec<(FunctionId, usize)> = facts
                    .callers
                    .of(callee)
                    .chain(handed_to.get(&callee).into_iter().flatten().copied())
                    .collect();
                // Only a caller with no deadline of its own is asked about its callers.
                frontier.extend(sites.iter().filter_map(|&(caller, site)| {
                    let unbounded = project
                        .function(caller)
                        .calls
                        .get(site)
                        .is_some_and(|call| {
                            matches!(
                                call.deadline,
                                CallDeadline::Unbounded | CallDeadline::Pumped
                            )
                        });
                    unbounded.then_some(caller)
                }));
                if !sites.is_empty() {
                    callers.insert(callee, sites);
                }
            }
        }
        let mut unresolved_by_root: HashMap<&'a str, Vec<usize>> = HashMap::default();
        for (index, module) in project.modules.iter().enumerate() {
            if module.summary.unresolved_methods.is_empty()
                && module.summary.bounded_unresolved_methods.is_empty()
            {
                continue;
            }
            let name = module.summary.module_name.as_str();
            let root = name.split('.').next().unwrap_or(name);
            unresolved_by_root.entry(root).or_default().push(index);
        }
        Self {
            project,
            callers,
            base_methods,
            unresolved_by_root,
        }
    }

    /// The class a method belongs to, and its name.
    fn method_of(&self, id: FunctionId) -> Option<(String, &'a str)> {
        method_of(self.project, id)
    }

    /// Whether a call the link could not resolve (`x.name()` on a value of unknown type),
    /// with no deadline where it is made, in the function's own top-level package, may
    /// reach method `name`.
    fn unresolved_call_may_reach(&self, id: FunctionId, name: &str) -> bool {
        self.package_modules_calling(id, |summary| summary.unresolved_methods.contains(name))
    }

    /// Whether such a call, made only under a deadline, may reach method `name`.
    fn bounded_unresolved_call_may_reach(&self, id: FunctionId, name: &str) -> bool {
        self.package_modules_calling(id, |summary| {
            summary.bounded_unresolved_methods.contains(name)
        })
    }

    /// Whether a module of the function's own top-level package that calls methods on
    /// values of unknown type answers `calls` (asked of its summary).
    fn package_modules_calling(
        &self,
        id: FunctionId,
        calls: impl Fn(&crate::project::summary::ModuleSummary) -> bool,
    ) -> bool {
        let own = self.project.modules[id.0].summary.module_name.as_str();
        let own_root = own.split('.').next().unwrap_or(own);
        self.unresolved_by_root
            .get(own_root)
            .into_iter()
            .flatten()
            .any(|&module| calls(self.project.modules[module].summary))
    }

    /// The call sites that may run function `id`: those resolved to it, and for a method,
    /// those resolved to the method of that name of a class it derives from.
    fn sites(&self, id: FunctionId) -> Vec<(FunctionId, usize)> {
        let mut sites = self.callers.get(&id).cloned().unwrap_or_default();
        for base in self.base_methods.get(&id).into_iter().flatten() {
            sites.extend(self.callers.get(base).into_iter().flatten());
        }
        sites
    }

    /// The finding on a request made on a session handed in as `from.parameter` (of
    /// function `from.owner` of module `module`), worded for the first caller that hands it
    /// a session built without a finite read timeout and runs the call with no deadline of
    /// its own; `None` when no caller does.
    fn handed_unbounded_session(
        &self,
        module: usize,
        from: &SessionParameter,
        pending: &Diagnostic,
        memo: &mut HashMap<FunctionId, Coverage>,
    ) -> Option<Diagnostic> {
        let owner = (module, from.owner as usize);
        for (caller, site) in self.sites(owner) {
            // A test's throwaway session says nothing of the sessions the code is run with.
            if is_test_module(&self.project.modules[caller.0].summary.module_name) {
                continue;
            }
            let function = self.project.function(caller);
            let Some(call) = function.calls.get(site) else {
                continue;
            };
            let Some(&(_, _, unlimited)) = function
                .session_arguments
                .iter()
                .find(|(at, slot, _)| *at as usize == site && slot.is_for(&from.parameter))
            else {
                continue;
            };
            let bounded = match call.deadline {
                CallDeadline::Bounded => true,
                CallDeadline::Detached => false,
                CallDeadline::Unbounded | CallDeadline::Pumped => {
                    self.coverage(caller, memo, 1) == Coverage::Covered
                }
            };
            if bounded {
                continue;
            }
            let mut diagnostic = pending.clone();
            diagnostic.message = handed_session_message(
                &from.operation,
                &from.parameter.name,
                function.name(),
                unlimited,
            );
            diagnostic.chain = vec![
                self.project.step(caller.0, function.name(), call.range),
                self.project.definition_step(owner),
            ];
            return Some(diagnostic);
        }
        None
    }

    /// Whether every call of `id` (at least one, all resolved) is awaited in a pump loop of
    /// its caller, or under a deadline: a function that is one wait for the next message is
    /// then that loop's read.
    fn pumps(&self, id: FunctionId) -> bool {
        let sites = self.sites(id);
        if sites.is_empty()
            || self
                .method_of(id)
                .is_some_and(|(_, name)| self.unresolved_call_may_reach(id, name))
        {
            return false;
        }
        self.resolved_calls_pump(id)
    }

    /// Whether every call the link resolved to `id` (none counts) is awaited in a pump loop
    /// or under a deadline: calls it could not resolve (`conn.recv()` on a value of unknown
    /// type) are left aside. Asked of a read that forwards the one it wraps under its own
    /// name, for which such a call is as likely the wrapped library's own.
    fn resolved_calls_pump(&self, id: FunctionId) -> bool {
        self.sites(id).iter().all(|&(caller, site)| {
            self.project
                .function(caller)
                .calls
                .get(site)
                .is_some_and(|call| {
                    matches!(call.deadline, CallDeadline::Pumped | CallDeadline::Bounded)
                })
        })
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
        if function.name() == MODULE_CODE {
            return Coverage::Uncovered;
        }
        let sites = self.sites(id);
        if sites.is_empty() {
            // Reached, if at all, by calls of its name on values the link cannot type: all
            // of them under a deadline (a class picked from a registry, `wait_for(
            // protocol(kv).query(), 15)`) cover it.
            return match self.method_of(id) {
                Some((_, name))
                    if !self.unresolved_call_may_reach(id, name)
                        && self.bounded_unresolved_call_may_reach(id, name) =>
                {
                    Coverage::Covered
                }
                _ => Coverage::NoCallers,
            };
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
                CallDeadline::Unbounded | CallDeadline::Pumped => {
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

/// The class a method belongs to, and its name.
fn method_of<'a>(project: &Project<'a>, id: FunctionId) -> Option<(String, &'a str)> {
    let summary = project.modules[id.0].summary;
    let (owner, name) = summary.functions[id.1].qualname().rsplit_once('.')?;
    let owner = qualified(&summary.module_name, owner);
    project.is_class(&owner).then_some((owner, name))
}

/// The methods of the same name that method `id` overrides, up its project base classes.
fn bases_of(project: &Project, id: FunctionId) -> Vec<FunctionId> {
    let Some((class, name)) = method_of(project, id) else {
        return Vec::new();
    };
    let mut found: Vec<FunctionId> = Vec::new();
    // (module of the class, class path) still to look above.
    let mut pending: Vec<(usize, String)> = vec![(id.0, class)];
    let mut seen: FxHashSet<String> = FxHashSet::default();
    while let Some((module, class)) = pending.pop() {
        if !seen.insert(class.clone()) || seen.len() > 64 {
            continue;
        }
        let Some(summary) = project.modules[module].summary.classes.get(&class) else {
            continue;
        };
        for base in &summary.bases {
            // The nearest definition of `name` at or above `base`.
            let Some(method) = project.resolve(&format!("{base}.{name}")) else {
                continue;
            };
            if method != id && !found.contains(&method) {
                found.push(method);
            }
            if let Some((owner, _)) = method_of(project, method) {
                pending.push((method.0, owner));
            }
        }
    }
    found
}
