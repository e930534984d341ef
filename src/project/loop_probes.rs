//! Loop probes: functions whose return value says whether an event loop is running on this
//! thread (`def loop_running(): try: get_running_loop() ... return True`, and helpers
//! built on one, `def can_block(): return on_main_thread() and not loop_running()`). Code
//! behind `if not can_block(): raise` never runs inside a running loop, so what it blocks
//! on does not make its function block there.

use super::function_graph::{Adjacency, FunctionMap};
use super::index::{FunctionId, Project};
use super::summary::RunningProbe;

/// For each probe, the truth of its return value whenever a loop is running.
pub fn values_when_running(
    project: &Project,
    edges: &Adjacency<(usize, FunctionId)>,
) -> FunctionMap<bool> {
    let mut values = FunctionMap::new(project);
    let probes: Vec<FunctionId> = project
        .function_ids()
        .filter(|&id| project.function(id).running_probe.is_some())
        .collect();
    // A probe built on another is decided once that one is: as many rounds as the longest
    // such chain, which is short.
    let mut changed = true;
    while changed {
        changed = false;
        for &id in &probes {
            if values.contains_key(&id) {
                continue;
            }
            let value = match project.function(id).running_probe {
                Some(RunningProbe::TrueWhenRunning) => Some(true),
                Some(RunningProbe::Via {
                    site,
                    negated,
                    conjunct,
                }) => edges
                    .target_at(id, site as usize)
                    .and_then(|callee| values.get(&callee).copied())
                    .map(|value| value != negated)
                    // `x and probe()` is certainly falsy when the probe is; a truthy probe
                    // says nothing of the whole.
                    .filter(|value| !(conjunct && *value)),
                None => None,
            };
            if let Some(value) = value {
                values.insert(id, value);
                changed = true;
            }
        }
    }
    values
}

/// Whether code of function `id` that runs only when its call site `probe.0` returns a
/// truthy (`probe.1`) or falsy value can run inside a running loop.
pub fn may_run_on_loop(
    edges: &Adjacency<(usize, FunctionId)>,
    values: &FunctionMap<bool>,
    id: FunctionId,
    probe: Option<(u32, bool)>,
) -> bool {
    let Some((site, truthy)) = probe else {
        return true;
    };
    edges
        .target_at(id, site as usize)
        .and_then(|callee| values.get(&callee))
        .is_none_or(|&value| value == truthy)
}
