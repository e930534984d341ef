//! Coroutines that run only on an event loop of their own: the views a WSGI framework runs
//! through `async_to_sync`, one new loop per request ([`OwnLoopView`]), and the coroutines
//! only they await. Nothing else runs on such a loop, so a blocking call there stalls no
//! other request.

use rustc_hash::FxHashSet as HashSet;

use super::function_graph::Adjacency;
use super::index::{FunctionId, Project};
use super::summary::{CallUsage, OwnLoopView};

/// The coroutines that run only on a loop of their own: the views themselves (a view whose
/// registration names another module's application is one when that module binds the name
/// to one), and every coroutine each of whose calls in the project is awaited on the spot
/// (`await helper()`, not handed to `gather` or `create_task`, where it would share the loop
/// with its siblings) by a coroutine of the set. A coroutine the project never calls is not
/// one (a framework or a caller the link cannot see may run it on a shared loop).
pub fn coroutines(
    project: &Project,
    edges: &Adjacency<(usize, FunctionId)>,
    callers: &Adjacency<(FunctionId, usize)>,
) -> HashSet<FunctionId> {
    let mut found: HashSet<FunctionId> = HashSet::default();
    for (module, project_module) in project.modules.iter().enumerate() {
        for (index, view) in &project_module.summary.own_loop_views {
            let is_view = match view {
                OwnLoopView::Certain => true,
                OwnLoopView::IfAppOf(path) => project.is_own_loop_app(path),
            };
            if is_view {
                found.insert((module, *index as usize));
            }
        }
    }
    // Served through asgiref's `WsgiToAsgi`, Flask runs in a `sync_to_async` thread, and
    // `async_to_sync` hands each view to the server's own loop: no loop of its own then.
    if !found.is_empty()
        && project
            .modules
            .iter()
            .any(|module| module.summary.serves_wsgi_on_its_loop)
    {
        return HashSet::default();
    }
    let mut queue: Vec<FunctionId> = found.iter().copied().collect();
    // A callee is asked again as each of its callers joins: the last one to join settles it.
    while let Some(id) = queue.pop() {
        for (_, callee) in edges.of(id) {
            if found.contains(&callee) || !project.is_async(callee) {
                continue;
            }
            let only_awaited_here = callers.of(callee).all(|(caller, site)| {
                found.contains(&caller)
                    && project
                        .function(caller)
                        .calls
                        .get(site)
                        .is_some_and(|call| call.usage == CallUsage::Awaited)
            });
            if only_awaited_here {
                found.insert(callee);
                queue.push(callee);
            }
        }
    }
    found
}
