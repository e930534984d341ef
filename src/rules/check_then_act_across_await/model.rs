//! What the shapes of LW601 find and pass between them: the shared state a check decides
//! on, a value read from a store, the outcome of scanning a region, and the race found.

use ruff_python_ast::Expr;
use ruff_text_size::TextRange;

/// One thing a branch decides on: `self._x`, a global, or `key` of a shared container.
pub(super) struct State<'a> {
    /// The attribute, global name, or container.
    pub(super) target: &'a Expr,
    /// The key, for `key not in container`.
    pub(super) key: Option<&'a Expr>,
    /// The comparison or name test, for the message.
    pub(super) check: &'a Expr,
}

/// A value read from a store by an await: `row = await db.fetch_one(...)`.
#[derive(Clone)]
pub(super) struct StoreRead<'a> {
    pub(super) receiver: &'a Expr,
    pub(super) method: &'a str,
}

/// One finding, before it is reported.
pub(super) struct Race {
    /// For lazy initialisation: the value built is a resource (a client, a task).
    pub(super) resource: bool,
    pub(super) check: TextRange,
    pub(super) awaited: TextRange,
    pub(super) write: TextRange,
    pub(super) kind: RaceKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum RaceKind {
    LazyInit,
    CheckThenWrite,
    ReadModifyWrite,
}

pub(super) enum Scan {
    /// `produced`: the value written comes from an await in between (`self._x = await make()`),
    /// rather than being a flag (`self._ready = True`); `producers` names the calls awaited for it.
    Found {
        awaited: TextRange,
        write: TextRange,
        produced: bool,
        producers: Vec<String>,
    },
    Guarded,
    NotFound,
}

impl Scan {
    /// A database check-then-write: the value written is produced by the code in between.
    pub(super) fn store_race(awaited: TextRange, write: TextRange) -> Self {
        Scan::Found {
            awaited,
            write,
            produced: true,
            producers: Vec::new(),
        }
    }
}
