//! The callee paths a link did nothing with: it bound them to no project function, and
//! neither they nor the library API it resolved them to are in any table of the catalog
//! that the link or a whole-project rule asks of a call (blocking, loop-affine, loop runs,
//! thread hand-offs and loop callbacks, coroutine APIs, the calls that give a thread its own
//! loop). A call of such a path adds no edge, no site and no finding: the cache compares a
//! changed summary with its last one without those calls (`ModuleSummary::without_calls_to`)
//! to tell whether the project must be linked again.
//!
//! Every reader of a call site in the link was checked against this list: the edges and the
//! handed callables read `Resolution::Function`; the library sites the link learns
//! (`member_types::linked_sites_of`, LW101 and LW102's linked calls) read blocking,
//! loop-affine, hand-off and callback APIs; LW302 and LW303 read coroutine APIs, of the
//! path as resolved or as spelled; LW104 reads the own-loop calls as spelled; LW501 reads
//! deadlines of calls that reach project functions. A call with anything else kept about it
//! (its arguments, guards, a fix) is never left out, whatever its path.

use super::index::Project;
use super::linked_sites::Resolution;
use super::summary::PARAMETER_CALLEE;
use crate::catalog;

impl Project<'_> {
    /// Every callee path of module `module` that the link did nothing with (see the
    /// module's documentation), each once per module.
    pub fn inert_callees(&self, module: usize) -> impl Iterator<Item = &str> + '_ {
        let summary = self.modules[module].summary;
        summary
            .callees
            .iter()
            .zip(self.resolutions_of(module))
            .filter(|&(path, resolution)| {
                path != PARAMETER_CALLEE
                    && is_inert_api(path)
                    && match resolution {
                        Resolution::Unknown => true,
                        Resolution::External(api) => is_inert_api(api),
                        Resolution::Function(_) => false,
                    }
            })
            .map(|(path, _)| path)
    }
}

/// Whether no table of the catalog that the link reads of a call names `path`.
fn is_inert_api(path: &str) -> bool {
    catalog::blocking_api(path).is_none()
        && !catalog::OWN_LOOP_CALLS.contains(&path)
        && (!catalog::has_call_facts(path)
            || !catalog::is_loop_affine(path)
                && !catalog::is_loop_run(path)
                && !catalog::is_coroutine_api(path)
                && catalog::thread_handoff(path).is_none()
                && catalog::loop_callback(path).is_none())
}
