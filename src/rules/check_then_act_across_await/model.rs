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
    pub(super) store: Store<'a>,
    pub(super) method: &'a str,
    /// The read's own `await`: the store answered there, and other coroutines run from there
    /// on, so that is where the window of a check-then-write opens.
    pub(super) awaited: TextRange,
}

/// What a store read and the write it guards are called on.
#[derive(Clone)]
pub(super) enum Store<'a> {
    /// A method's receiver: `db` of `db.fetch_one(...)`.
    Receiver(&'a Expr),
    /// Plain functions of one module that run the SQL they are handed
    /// (`fetch_one("SELECT ...")` then `execute_query("INSERT ...")`, both from `app.db`):
    /// that module's path.
    SqlFunctions(String),
}

/// One finding, before it is reported.
pub(super) struct Race {
    /// For lazy initialisation: the value written is built by the awaits (a resource, a cache
    /// entry, a value edited in place), not a flag; a public accessor returning it is reported.
    pub(super) resource: bool,
    pub(super) check: TextRange,
    pub(super) awaited: TextRange,
    pub(super) write: TextRange,
    pub(super) kind: RaceKind,
    /// For a database check-then-write: the write inserts (a unique constraint would turn the
    /// race into an IntegrityError, which the message says).
    pub(super) inserts: bool,
    /// For lazy initialisation of a placeholder (`cache[key] = {}`): the first statement that
    /// fills it in place after a further await, where readers can still see it half-built.
    pub(super) filled: Option<TextRange>,
    /// For lazy initialisation: the write `write` calls a method to make (`await
    /// self.initialize()`), that method's own write of the state.
    pub(super) through: Option<TextRange>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum RaceKind {
    LazyInit,
    CheckThenWrite,
    ReadModifyWrite,
    /// `self.total += await fetch()`: the target is read before the await.
    AugmentedAcrossAwait,
    /// `current = self.total`, an await, `self.total = current + delta`.
    StaleWriteBack,
}

pub(super) enum Scan {
    /// `produced`: the value written comes from an await in between (`self._x = await make()`),
    /// rather than being a flag (`self._ready = True`); `producers` names the calls awaited for it.
    /// `filled`: the value written is an empty placeholder (`{}`, `[]`, `set()`) that the
    /// region fills in place after a further await; the first such fill.
    Found {
        awaited: TextRange,
        write: TextRange,
        produced: bool,
        producers: Vec<String>,
        filled: Option<TextRange>,
        /// The write is made inside the method `write` calls: where, and whether that
        /// method's name says it initialises once.
        through: Option<(TextRange, bool)>,
    },
    Guarded,
    NotFound,
}
