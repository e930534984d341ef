//! Building a [`ModuleSummary`] while a module is walked: the walker tells the builder when
//! a function starts and ends, and adds each call's facts to the innermost function.

use ruff_python_ast as ast;
use ruff_text_size::{Ranged, TextRange};

use thin_vec::ThinVec;

use super::interned::Name;
use super::summary::{
    FunctionSummary, HeldFinding, MODULE_CODE, ModuleSummary, OwnedCache,
    PendingCancellationFinding, PendingContextFinding, SortedNames, ToThreadEntry, ToThreadFixes,
    path_hash, qualified,
};
use crate::diagnostic::{ThreadRunner, ToThreadRecipe};
use crate::semantic::ModuleBindings;

pub struct SummaryBuilder {
    summary: ModuleSummary,
    /// Callee path → its index in `summary.callees`.
    callee_index: rustc_hash::FxHashMap<String, u32>,
    /// Indices into `summary.functions` of the functions enclosing the walk, innermost last;
    /// the module code (index 0) is at the bottom.
    stack: Vec<usize>,
    /// The qualified paths of the functions of `stack` above the module code, in the same
    /// order: a summary keeps only the name within the module.
    paths: Vec<String>,
    /// Method names called on values of unknown type, until `finish` sorts them.
    unresolved_methods: rustc_hash::FxHashSet<Box<str>>,
    /// Of those, the ones so far called only under a deadline.
    bounded_unresolved_methods: rustc_hash::FxHashSet<Box<str>>,
    /// LW103's fixes of the calls and of the builtins consuming them, and the runners
    /// they name, until `finish` packs them into [`ModuleSummary::to_thread_fixes`].
    to_thread_calls: Vec<ToThreadEntry>,
    to_thread_consumers: Vec<ToThreadEntry>,
    thread_runners: Vec<ThreadRunner>,
}

impl SummaryBuilder {
    pub fn new(bindings: &ModuleBindings) -> Self {
        let mut summary = ModuleSummary {
            module_name: bindings.module_name.clone(),
            is_package: bindings.is_package,
            ..ModuleSummary::default()
        };
        summary.functions.push(FunctionSummary::new(
            MODULE_CODE.to_string(),
            MODULE_CODE.to_string(),
            false,
            TextRange::default(),
        ));
        Self {
            summary,
            callee_index: rustc_hash::FxHashMap::default(),
            stack: vec![0],
            paths: Vec::new(),
            unresolved_methods: rustc_hash::FxHashSet::default(),
            bounded_unresolved_methods: rustc_hash::FxHashSet::default(),
            to_thread_calls: Vec::new(),
            to_thread_consumers: Vec::new(),
            thread_runners: Vec::new(),
        }
    }

    /// The path of the innermost enclosing function (not the module code).
    pub fn current_path(&self) -> Option<&str> {
        self.paths.last().map(String::as_str)
    }

    /// Starts function `function`, whose qualified path is `path` (`app.db.Repo.save`).
    pub fn enter_function(&mut self, path: String, function: &ast::StmtFunctionDef) {
        // Qualified by the walk as the module's names are: always under the module's name.
        let qualname = self.summary.qualname_of(&path).unwrap_or(&path).to_string();
        self.summary.functions.push(FunctionSummary::new(
            qualname,
            function.name.to_string(),
            function.is_async,
            function.name.range(),
        ));
        self.stack.push(self.summary.functions.len() - 1);
        self.paths.push(path);
    }

    pub fn exit_function(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
            self.paths.pop();
        }
    }

    /// The index of `path` in the module's callee table, adding it the first time.
    pub fn intern_callee(&mut self, path: &str) -> u32 {
        if let Some(&index) = self.callee_index.get(path) {
            return index;
        }
        let index = self.summary.callees.push(path);
        self.callee_index.insert(path.to_string(), index);
        index
    }

    /// The index in the module's functions of the function `depth` levels out from the
    /// innermost one the walk is in (0: that one); `None` past the outermost function.
    pub fn enclosing_index(&self, depth: usize) -> Option<u32> {
        let at = self.stack.len().checked_sub(depth + 1)?;
        // The module code at the bottom of the stack is no function.
        (at > 0).then(|| to_u32(self.stack[at]))
    }

    /// The index in the module's functions of the function walked so far at `path`.
    pub fn index_of(&self, path: &str) -> Option<u32> {
        let qualname = self.summary.qualname_of(path)?;
        let index = self
            .summary
            .functions
            .iter()
            .rposition(|function| function.qualname() == qualname)?;
        Some(to_u32(index))
    }

    /// The summary of the innermost function the walk is in.
    pub fn current(&mut self) -> &mut FunctionSummary {
        let index = self.stack.last().copied().unwrap_or(0);
        &mut self.summary.functions[index]
    }

    /// The call sites recorded so far in the innermost function.
    pub fn current_calls(&self) -> &[super::summary::CallSite] {
        let index = self.stack.last().copied().unwrap_or(0);
        &self.summary.functions[index].calls
    }

    /// The summary, with every callee that names one of the module's own functions
    /// resolved here and now: most calls stay in their module (`self.method()`, a helper
    /// beside the caller), and resolving them while the module is in cache spares the
    /// link step most of its lookups.
    /// Marks the innermost function as a generator function (its body yields).
    pub fn note_yield(&mut self) {
        if self.stack.len() > 1 {
            self.current().is_generator = true;
        }
    }

    /// Records LW103's fixes for call site `site` of the innermost function: for the call
    /// itself and for the builtin consuming its value, each with the runner that spells it.
    pub fn note_to_thread_fix(
        &mut self,
        site: u32,
        call: Option<(ToThreadRecipe, ThreadRunner)>,
        consumer: Option<(ToThreadRecipe, ThreadRunner)>,
    ) {
        let function = to_u32(self.stack.last().copied().unwrap_or(0));
        for (fix, of_consumer) in [(call, false), (consumer, true)] {
            let Some((mut recipe, runner)) = fix else {
                continue;
            };
            let known = self
                .thread_runners
                .iter()
                .position(|known| *known == runner);
            let index = known.unwrap_or_else(|| {
                self.thread_runners.push(runner);
                self.thread_runners.len() - 1
            });
            recipe.runner = to_u32(index);
            let entry = ToThreadEntry {
                function,
                site,
                recipe,
            };
            if of_consumer {
                self.to_thread_consumers.push(entry);
            } else {
                self.to_thread_calls.push(entry);
            }
        }
    }

    /// Records that the innermost function, a sync `def`, is decorated with `decorator`, a
    /// path that may name a function of another module of the project.
    pub fn note_sync_project_decorator(&mut self, decorator: &str) {
        let Some(&index) = self.stack.last() else {
            return;
        };
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        let decorators = &mut self.summary.sync_project_decorators;
        match decorators.iter_mut().find(|(path, _)| &**path == decorator) {
            Some((_, functions)) => functions.push(index),
            None => decorators.push((decorator.into(), thin_vec::thin_vec![index])),
        }
    }

    /// Records the caches a class of the module fills through its own methods.
    pub fn note_owned_caches(&mut self, caches: impl IntoIterator<Item = OwnedCache>) {
        self.summary.owned_caches.extend(caches);
    }

    /// Whether a method of that name was called on a value of unknown type without a
    /// deadline where it is made.
    pub fn calls_unresolved_unbounded(&self, name: &str) -> bool {
        self.unresolved_methods.contains(name)
    }

    /// Records a method called on a value of unknown type (`x.fetch()`), and whether the
    /// call runs under a deadline where it is made (`wait_for(x.fetch(), 5)`).
    pub fn note_unresolved_method(&mut self, name: &str, bounded: bool) {
        if bounded {
            if !self.unresolved_methods.contains(name)
                && !self.bounded_unresolved_methods.contains(name)
            {
                self.bounded_unresolved_methods.insert(name.into());
            }
        } else if !self.unresolved_methods.contains(name) {
            self.bounded_unresolved_methods.remove(name);
            self.unresolved_methods.insert(name.into());
        }
    }

    /// Records a class attribute the module assigns a datagram socket to.
    pub fn note_datagram_socket(&mut self, attribute: String) {
        self.summary.datagram_sockets.push(attribute);
    }

    /// The dotted name of the module summarised.
    /// Records that the module's function at `index` only translates exceptions.
    pub fn note_exception_mapping_context(&mut self, index: u32) {
        self.summary.exception_mapping_contexts.push(index);
    }

    /// Holds an LW305 finding for the link, which knows the context managers `contexts`.
    pub fn hold_context_finding(&mut self, range: TextRange, contexts: ThinVec<(Box<str>, bool)>) {
        self.summary
            .pending_context_findings
            .push(PendingContextFinding { range, contexts });
    }

    /// Holds an LW505 finding for the link, which knows whether `members` are properties or
    /// methods.
    pub fn hold_polling_finding(
        &mut self,
        diagnostic: crate::diagnostic::Diagnostic,
        members: ThinVec<Box<str>>,
    ) {
        self.summary
            .pending_polling_findings
            .push(super::summary::PendingPollingFinding {
                diagnostic,
                members,
            });
    }

    /// Holds an LW201 finding for the link, which knows how the innermost function is called.
    pub fn hold_loop_finding(&mut self, diagnostic: crate::diagnostic::Diagnostic) {
        let held = self.held_in_current(diagnostic);
        self.summary.pending_loop_findings.push(held);
    }

    /// Holds a blocking call's finding in a coroutine for the link, which knows whether the
    /// coroutine runs only on a loop of its own.
    pub fn hold_blocking_finding(&mut self, diagnostic: crate::diagnostic::Diagnostic) {
        let held = self.held_in_current(diagnostic);
        self.summary.pending_blocking_findings.push(held);
    }

    /// `diagnostic`, with the index of the innermost function the walk is in.
    fn held_in_current(&self, diagnostic: crate::diagnostic::Diagnostic) -> HeldFinding {
        let function = self.stack.last().copied().unwrap_or(0) as u32;
        HeldFinding {
            diagnostic,
            function,
        }
    }

    /// Marks function `index` of the module, when it is an `async def`, as a view a framework
    /// runs on a loop of its own.
    pub fn mark_own_loop_view(&mut self, index: u32, view: super::summary::OwnLoopView) {
        if self
            .summary
            .functions
            .get(index as usize)
            .is_some_and(|function| function.is_async)
            && !self
                .summary
                .own_loop_views
                .iter()
                .any(|(at, _)| *at == index)
        {
            self.summary.own_loop_views.push((index, view));
        }
    }

    /// Marks the innermost function, an `async def`, as a view a framework runs on a loop of
    /// its own.
    pub fn mark_current_own_loop_view(&mut self, view: super::summary::OwnLoopView) {
        let index = to_u32(self.stack.last().copied().unwrap_or(0));
        self.mark_own_loop_view(index, view);
    }

    /// Notes that the module serves a WSGI application on an ASGI server's loop.
    pub fn note_wsgi_served_on_its_loop(&mut self) {
        self.summary.serves_wsgi_on_its_loop = true;
    }

    /// Notes a module-level name bound to an application of a framework that runs each
    /// async view on a loop of its own.
    pub fn note_own_loop_app(&mut self, name: &str) {
        self.summary.own_loop_apps.push(Name::new(name));
    }

    /// Holds an LW301 finding for the link, which knows whether the project path `callee`
    /// re-exports a task factory.
    pub fn hold_task_finding(&mut self, diagnostic: crate::diagnostic::Diagnostic, callee: &str) {
        self.summary
            .pending_task_findings
            .push(super::summary::PendingTaskFinding {
                diagnostic,
                callee: callee.into(),
            });
    }

    /// Records that the current function, an `async def`, never suspends.
    pub fn note_never_suspends(&mut self) {
        let index = self.stack.last().copied().unwrap_or(0);
        self.summary.never_suspending.push(to_u32(index));
    }

    /// Holds an LW301 finding for the link, which knows whether the coroutine function at
    /// `callee` (a path of another module) ever suspends.
    pub fn hold_dangling_finding(
        &mut self,
        diagnostic: crate::diagnostic::Diagnostic,
        callee: &str,
    ) {
        self.summary
            .pending_dangling_findings
            .push(super::summary::PendingTaskFinding {
                diagnostic,
                callee: callee.into(),
            });
    }

    /// Holds an LW302 finding for the link, which knows whether the path `callee` names a
    /// project function or a known coroutine API (judged by LW302 itself) or nothing.
    pub fn hold_unawaited_finding(
        &mut self,
        diagnostic: crate::diagnostic::Diagnostic,
        callee: &str,
    ) {
        self.summary
            .pending_unawaited_findings
            .push(super::summary::PendingTaskFinding {
                diagnostic,
                callee: callee.into(),
            });
    }

    /// Holds an LW403 finding for the link, which knows whether `classes` are cancellations
    /// and whether `helpers` tell that the task is being cancelled.
    pub fn hold_cancellation_finding(
        &mut self,
        diagnostic: crate::diagnostic::Diagnostic,
        classes: ThinVec<Box<str>>,
        helpers: ThinVec<Box<str>>,
    ) {
        self.summary
            .pending_cancellation_findings
            .push(PendingCancellationFinding {
                diagnostic,
                classes,
                helpers,
            });
    }

    pub fn module_name(&self) -> &str {
        &self.summary.module_name
    }

    /// Forgets the blocking sites at `ranges`, in whichever function they were recorded
    /// (a lock acquisition the module's critical sections show waits for nothing long).
    pub fn drop_blocking_sites(&mut self, ranges: &[TextRange]) {
        if ranges.is_empty() {
            return;
        }
        for function in &mut self.summary.functions {
            function
                .blocking
                .retain(|site| !ranges.contains(&site.range));
        }
    }

    /// The paths of the module's functions seen so far that block: directly (a catalogued
    /// blocking call, metadata syscalls aside) or by calling one of them. Whether a function
    /// elsewhere in the project blocks is known only after the link.
    pub fn blocking_functions(&self) -> rustc_hash::FxHashSet<String> {
        let functions = &self.summary.functions;
        let own: rustc_hash::FxHashMap<&str, usize> = functions
            .iter()
            .enumerate()
            .skip(1)
            .map(|(index, function)| (function.qualname(), index))
            .collect();
        let mut blocks: Vec<bool> = functions
            .iter()
            .enumerate()
            .map(|(index, function)| index != 0 && !function.blocking.is_empty())
            .collect();
        // Few rounds suffice in real modules; the bound keeps a pathological one cheap.
        for _ in 0..32 {
            let mut changed = false;
            for (index, function) in functions.iter().enumerate().skip(1) {
                if blocks[index] {
                    continue;
                }
                let calls_blocking = function.calls.iter().any(|call| {
                    self.summary
                        .callees
                        .get(call.callee as usize)
                        .and_then(|callee| own.get(self.summary.qualname_of(callee)?))
                        .is_some_and(|&callee| {
                            blocks[callee]
                                && !functions[callee].runs_where_iterated()
                                && !functions[callee].runs_in_thread
                        })
                });
                if calls_blocking {
                    blocks[index] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        functions
            .iter()
            .zip(blocks)
            .filter(|(_, blocks)| *blocks)
            .map(|(function, _)| qualified(&self.summary.module_name, function.qualname()))
            .collect()
    }

    /// Notes an `if __name__ == "__main__":` block at the module's top level.
    pub fn note_main_block(&mut self, block: TextRange) {
        self.summary
            .main_blocks
            .push(crate::offsets::MarkedRange(block));
    }

    pub fn finish(mut self) -> ModuleSummary {
        self.summary.unresolved_methods =
            SortedNames::new(self.unresolved_methods.drain().collect());
        self.summary.bounded_unresolved_methods =
            SortedNames::new(self.bounded_unresolved_methods.drain().collect());
        let summary = &mut self.summary;
        // The summary outlives the module's walk by the whole run: the room its vectors
        // kept to grow is given back (a fifth of a summary's size on the benchmark corpus).
        summary.functions.shrink_to_fit();
        for function in &mut summary.functions {
            function.compact();
        }
        summary.callees.shrink_to_fit();
        summary.to_thread_fixes = ToThreadFixes::new(
            std::mem::take(&mut self.to_thread_calls),
            std::mem::take(&mut self.to_thread_consumers),
            std::mem::take(&mut self.thread_runners),
        );
        summary.function_by_path = sorted_by_path(&summary.functions);
        summary.local_callees = summary
            .callees
            .iter()
            .map(|callee| summary.function_index(callee))
            .collect();
        self.summary
    }
}

/// The indices of `functions` with the hashes of their qualified names, sorted by hash then
/// name, each name once: where a module defines a name twice (a redefinition, a property's
/// setter), the later definition, which is the one the name is bound to when the module
/// has run.
fn sorted_by_path(functions: &[FunctionSummary]) -> Box<[(i32, u32)]> {
    let mut indices: Vec<(i32, u32)> = (0..functions.len())
        .map(|index| (path_hash(functions[index].qualname()), to_u32(index)))
        .collect();
    let path = |index: u32| functions[index as usize].qualname();
    indices.sort_unstable_by(|&(hash_a, a), &(hash_b, b)| {
        hash_a
            .cmp(&hash_b)
            .then(path(a).cmp(path(b)))
            .then(b.cmp(&a))
    });
    indices.dedup_by(|later, kept| later.0 == kept.0 && path(later.1) == path(kept.1));
    indices.into_boxed_slice()
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_text_size::TextRange;

    #[test]
    fn a_path_is_found_by_its_hash_and_a_path_defined_twice_names_the_later_definition() {
        let mut summary = ModuleSummary {
            module_name: "m".into(),
            ..ModuleSummary::default()
        };
        for qualname in ["<module>", "f", "C.g", "f", "C"] {
            let name = qualname.rsplit('.').next().unwrap_or(qualname).to_string();
            summary.functions.push(FunctionSummary::new(
                qualname.to_string(),
                name,
                false,
                TextRange::default(),
            ));
        }
        summary.function_by_path = sorted_by_path(&summary.functions);
        assert_eq!(summary.function_index("m.f"), Some(3));
        assert_eq!(summary.function_index("m.C.g"), Some(2));
        assert_eq!(summary.function_index("m.C"), Some(4));
        assert_eq!(summary.function_index("m.<module>"), Some(0));
        assert_eq!(summary.function_index("m.h"), None);
        assert_eq!(summary.function_index("m"), None);
        let mut listed: Vec<(&str, u32)> = summary.functions_by_qualname().collect();
        listed.sort_unstable();
        assert_eq!(listed, [("<module>", 0), ("C", 4), ("C.g", 2), ("f", 3)]);
    }
}
