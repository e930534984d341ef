//! Calls that create a coroutine: of a project `async def` (as the link resolved them) or of
//! a known async API. LW302 and LW303 differ only in how the call's value is used.

use super::facts::Facts;
use super::index::{FunctionId, Project};
use super::member_types::Resolution;
use super::summary::{CallSite, CallUsage, PARAMETER_CALLEE};
use crate::catalog;
use crate::diagnostic::{Edit, Fix, display_path};

/// A call that creates a coroutine, with the short name of what it calls.
pub struct CoroutineCall<'p> {
    /// The function the call is in.
    pub caller: FunctionId,
    pub call: &'p CallSite,
    pub callee_name: String,
    /// For a call of a callable the function was handed, bound to the `async def`s the
    /// project's callers pass: the parameter's name (code outside the project may pass a
    /// plain function there).
    pub handed_as: Option<&'p str>,
    /// The callee is known to make a coroutine only from an annotation (`handler:
    /// Callable[..., Awaitable[None]]`), which the values passed may not keep to.
    pub by_annotation: bool,
    /// The callee's body loops forever ([`FunctionSummary::loops_forever`]): awaiting the
    /// call would never return.
    ///
    /// [`FunctionSummary::loops_forever`]: super::summary::FunctionSummary::loops_forever
    pub loops_forever: bool,
}

impl CoroutineCall<'_> {
    /// Prefixing the call with `await`, where that is the fix: in async context, not for a
    /// callable handed in (code outside the project may hand a plain function). Unsafe for a
    /// callee known only from its annotation: awaiting what a plain function returns raises.
    pub fn await_fix(&self) -> Option<Fix> {
        if !self.call.in_async_context() || self.handed_as.is_some() || self.loops_forever {
            return None;
        }
        let edits = match self.call.usage {
            // `(await fetch())["data"]`.
            CallUsage::Indexed => vec![
                Edit::insertion("(await ", self.call.range.start()),
                Edit::insertion(")", self.call.range.end()),
            ],
            // The `await` in front must move: not an insertion.
            CallUsage::IndexedUnderAwait => return None,
            _ => vec![Edit::insertion("await ", self.call.range.start())],
        };
        // A caller may await twice (`await (await f())`), which the `await` would break.
        Some(
            if self.by_annotation || self.call.usage == CallUsage::Returned {
                Fix::unsafe_edit("Add `await`", edits)
            } else {
                Fix::safe("Add `await`", edits)
            },
        )
    }
}

/// Every call of the project that creates a coroutine and whose value is used in one of
/// the ways `usages` lists (one scan of the call sites for all of them).
pub fn coroutine_calls<'p>(
    project: &'p Project,
    facts: &'p Facts,
    usages: &'p [CallUsage],
) -> impl Iterator<Item = CoroutineCall<'p>> + 'p {
    project.function_ids().flat_map(move |id| {
        project
            .function(id)
            .calls
            .iter()
            .enumerate()
            .filter(move |(_, call)| usages.contains(&call.usage))
            .filter_map(move |(site, call)| {
                let callee = match project.resolution(id.0, call.callee) {
                    Resolution::External(path) => path,
                    _ => project.modules[id.0].summary.callee(call),
                };
                let handed_as = (callee == PARAMETER_CALLEE)
                    .then(|| handed_parameter(project, id, site))
                    .flatten();
                let resolved = match handed_as {
                    Some(_) if !all_handed_create_coroutines(project, facts, id, site) => {
                        return None;
                    }
                    Some(_) => facts
                        .handed_callees
                        .get(&(id, site))
                        .and_then(|targets| targets.first().copied()),
                    None => facts.callee_at(id, site),
                };
                // A callable annotated to return an awaitable is taken at its word only in
                // async code, where `await` is the fix: the values some projects give such
                // a field are plain functions (a loose `Callable[..., Awaitable]`), and a
                // sync function calling one is more often that than a dropped coroutine.
                // A function resolved to itself is an override calling its base's
                // placeholder through `super()` (the link follows a placeholder to its one
                // implementation), or a recursion: neither is judged.
                if resolved == Some(id) {
                    return None;
                }
                // A placeholder returned as it is (`return self.parse(response)`): what the
                // override gives is unknown, an async generator as often as a coroutine.
                if call.usage == CallUsage::Returned
                    && resolved.is_some_and(|callee| project.function(callee).is_stub)
                {
                    return None;
                }
                let by_annotation =
                    resolved.is_none() && catalog::awaitable_callable_name(callee).is_some();
                if by_annotation && !call.in_async_context() {
                    return None;
                }
                let mut callee_name = coroutine_callee(project, resolved, callee)?;
                // A value of an alias of another module (`handler: Handler`, spelled
                // `app.types.Handler.__call__`): named by its type, which is what is known.
                if callee_name == "__call__" {
                    let spelled = project.modules[id.0].summary.callee(call);
                    if let Some(owner) = spelled
                        .strip_suffix(".__call__")
                        .and_then(|owner| owner.rsplit('.').next())
                    {
                        callee_name = owner.to_string();
                    }
                }
                Some(CoroutineCall {
                    caller: id,
                    call,
                    callee_name,
                    handed_as,
                    by_annotation,
                    loops_forever: resolved
                        .is_some_and(|callee| project.function(callee).loops_forever),
                })
            })
    })
}

/// The name of the parameter call site `site` of `id` calls, when it calls one.
fn handed_parameter<'a>(project: &Project<'a>, id: FunctionId, site: usize) -> Option<&'a str> {
    project
        .function(id)
        .parameter_callees
        .iter()
        .find(|(at, _, _)| *at as usize == site)
        .map(|(_, _, parameter)| &*parameter.name)
}

/// Whether every function the callers hand for the callable called at site `site` of `id`
/// is an `async def` that makes a coroutine (at least one): a parameter that takes both kinds
/// is called the way each needs, which a single call cannot be.
fn all_handed_create_coroutines(
    project: &Project,
    facts: &Facts,
    id: FunctionId,
    site: usize,
) -> bool {
    facts
        .handed_callees
        .get(&(id, site))
        .is_some_and(|targets| {
            targets
                .iter()
                .all(|&target| coroutine_callee(project, Some(target), "").is_some())
        })
}

/// The short name of the callee when calling it creates a coroutine: the project function
/// the call resolved to, else a known async API.
fn coroutine_callee(
    project: &Project,
    resolved: Option<FunctionId>,
    callee: &str,
) -> Option<String> {
    if let Some(id) = resolved {
        // An `async def` that yields makes an async generator, not a coroutine.
        return (project.makes_coroutine(id) && !also_bound_to_a_sync_def(project, id))
            .then(|| project.function(id).name().to_string());
    }
    if let Some(name) = catalog::awaitable_callable_name(callee) {
        return Some(name.to_string());
    }
    catalog::is_coroutine_api(callee).then(|| display_path(callee))
}

/// Whether the scope that defines function `id` also binds its name to a sync `def` (`def
/// _(): ...` then `async def _(): ...`, in turn, as tests reuse a throwaway name): a call of
/// the name may run either, whichever was defined last before it, and the link resolves it to
/// the last of all.
fn also_bound_to_a_sync_def(project: &Project, id: FunctionId) -> bool {
    let qualname = project.function(id).qualname();
    project.modules[id.0]
        .summary
        .functions
        .iter()
        .enumerate()
        .any(|(index, other)| index != id.1 && !other.is_async && other.qualname() == qualname)
}
