//! What the link learns of calls the modules could not resolve themselves (see
//! `member_types`): data only, so the index can hold it without knowing how it is found.

use super::summary::{BlockingSite, LoopAffineSite, ThreadTarget};

/// What a call's callee path names, once the link has followed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution<'p> {
    /// Nothing the project or the catalog knows.
    Unknown,
    /// A project function: (module index, function index), the index's `FunctionId`.
    Function((usize, usize)),
    /// A library API, by its canonical path (`sqlalchemy.ext.asyncio.AsyncConnection.execute`).
    External(&'p str),
}

/// A [`Resolution`] as the project keeps it, one per distinct callee path: 12 bytes, the
/// library path an index into a table beside, where the enum owning its path and holding
/// two machine words took 24 (100,000 distinct paths on the benchmark corpus).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Linked {
    Unknown,
    /// (module index, function index).
    Function(u32, u32),
    /// The index of the library path in the project's table of them.
    External(u32),
}

/// The facts a function has through calls only the link could resolve: kept beside the
/// summary's own lists, after them, so an index into the joined list is stable.
#[derive(Debug, Default)]
pub struct LinkedSites {
    pub blocking: Vec<BlockingSite>,
    pub loop_affine: Vec<LoopAffineSite>,
    pub thread_targets: Vec<ThreadTarget>,
    pub loop_callbacks: Vec<ThreadTarget>,
}

impl LinkedSites {
    pub fn is_empty(&self) -> bool {
        self.blocking.is_empty()
            && self.loop_affine.is_empty()
            && self.thread_targets.is_empty()
            && self.loop_callbacks.is_empty()
    }
}
