//! Calls that create a coroutine: of a project `async def` (as the link resolved them) or of
//! a known async API. LW302 and LW303 differ only in how the call's value is used.

use super::facts::Facts;
use super::index::{FunctionId, Project};
use super::member_types::Resolution;
use super::summary::{CallSite, CallUsage};
use crate::catalog;
use crate::diagnostic::display_path;

/// A call that creates a coroutine, with the short name of what it calls.
pub struct CoroutineCall<'p> {
    /// The function the call is in.
    pub caller: FunctionId,
    pub call: &'p CallSite,
    pub callee_name: String,
}

/// Every call of the project that creates a coroutine and whose value is used as `usage`.
pub fn coroutine_calls<'p>(
    project: &'p Project,
    facts: &'p Facts,
    usage: CallUsage,
) -> impl Iterator<Item = CoroutineCall<'p>> + 'p {
    project.function_ids().flat_map(move |id| {
        project
            .function(id)
            .calls
            .iter()
            .enumerate()
            .filter(move |(_, call)| call.usage == usage)
            .filter_map(move |(site, call)| {
                let callee = match project.resolution(id.0, call.callee) {
                    Resolution::External(path) => path,
                    _ => project.modules[id.0].summary.callee(call),
                };
                let callee_name = coroutine_callee(project, facts.callee_at(id, site), callee)?;
                Some(CoroutineCall {
                    caller: id,
                    call,
                    callee_name,
                })
            })
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
        let function = project.function(id);
        // An `async def` that yields makes an async generator, not a coroutine.
        return (function.is_async && !function.is_generator && !function.sync_wrapped)
            .then(|| function.name.clone());
    }
    catalog::is_coroutine_api(callee).then(|| display_path(callee))
}
