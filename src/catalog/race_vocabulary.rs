//! The vocabulary LW601 reads check-then-act races with: which method names read or write a
//! store, which writes are upserts or idempotent, which SQL cannot race, and which words mark
//! a resource, a one-time initialisation or a teardown. Lock types are the `lock` classes of
//! the library entries.

/// The errors a lookup raises when the key is missing: `try: return cache[key]` / `except
/// KeyError:` is the forgiving spelling of `if key not in cache:` (LW601).
pub const MISSING_KEY_ERRORS: &[&str] = &["KeyError", "LookupError"];

/// Methods whose `async with x.method()` opens a database transaction (LW601).
pub const TRANSACTION_METHODS: &[&str] = &["transaction", "begin", "begin_nested", "atomic"];

/// Methods that read a store and whose result a check-then-write decides on (LW601): a name
/// matches when it is one of these or starts with one followed by `_` (`get_user`, `fetch_one`).
pub const STORE_READ_METHODS: &[&str] = &[
    "exists",
    "get",
    "find",
    "fetch",
    "fetchrow",
    "fetchval",
    "fetchone",
    "fetch_one",
    "first",
    "one_or_none",
    "scalar",
    "scalars",
    "count",
    "select",
    "query",
    "lookup",
    "load",
    "retrieve",
    "execute",
];

/// Methods that write a store (LW601); `execute` counts only with INSERT/UPDATE/DELETE SQL.
pub const STORE_WRITE_METHODS: &[&str] = &[
    "insert",
    "insert_one",
    "insert_many",
    "create",
    "add",
    "add_all",
    "save",
    "put",
    "set",
    "update",
    "update_one",
    "update_many",
    "replace_one",
    "delete",
    "delete_one",
    "delete_many",
    "remove",
    "commit",
    "execute",
    "executemany",
    "hset",
    "setex",
];

/// SQL statements that write.
pub const SQL_WRITE_KEYWORDS: &[&str] = &["INSERT", "UPDATE", "DELETE", "REPLACE", "UPSERT"];

/// SQL that cannot race a prior existence check: upserts and locking reads (LW601).
pub const SQL_RACE_SAFE_MARKERS: &[&str] = &[
    "ON CONFLICT",
    "INSERT OR IGNORE",
    "INSERT OR REPLACE",
    "REPLACE INTO",
    "ON DUPLICATE KEY",
    "MERGE ",
    "UPSERT",
    "FOR UPDATE",
    "FOR NO KEY UPDATE",
    "FOR SHARE",
    // SQLAlchemy's spellings: `insert(...).on_conflict_do_nothing()`, `.on_duplicate_key_update()`.
    "ON_CONFLICT",
    "ON_DUPLICATE",
    "WITH_FOR_UPDATE",
];

/// Methods that are upserts themselves (LW601).
pub const UPSERT_METHODS: &[&str] = &[
    "get_or_create",
    "update_or_create",
    "aget_or_create",
    "aupdate_or_create",
    "upsert",
    "insert_or_ignore",
    "find_one_and_update",
    "setnx",
    "hsetnx",
    "set_if_not_exists",
];

/// Keyword arguments that make a write conditional on the store's state (LW601):
/// `update_one(..., upsert=True)`, redis `set(k, v, nx=True)`.
pub const ATOMIC_WRITE_KEYWORDS: &[&str] = &["upsert", "nx", "xx", "on_conflict", "if_not_exists"];

/// Words that mark a lazily built value as a *resource*, whose duplicate leaks or acts twice
/// (LW601 shape 1): matched inside the state's name or the producing call's name. Words of up
/// to four letters must start a `_`-separated segment (`ws`, `api_client`, not `news`).
pub const RESOURCE_WORDS: &[&str] = &[
    "client",
    "conn",
    "session",
    "pool",
    "transport",
    "socket",
    "sock",
    "channel",
    "websocket",
    "ws",
    "engine",
    "driver",
    "browser",
    "process",
    "task",
    "subscri",
    "unsub",
    "listener",
    "consumer",
    "producer",
    "api",
    "server",
    "tunnel",
    "watcher",
];

/// Words in a method name that say "run once": a flag set after awaits (`self._started = True`)
/// guards a one-time initialisation there (LW601 shape 1).
pub const INIT_ONCE_WORDS: &[&str] = &[
    "init",
    "setup",
    "set_up",
    "start",
    "connect",
    "load",
    "ensure",
    "open",
    "login",
    "prepare",
    "register",
    "subscribe",
    "bootstrap",
    "warm",
    "auth",
    "activate",
];

/// Words that say "tear down": a flag in such a method guards a teardown, not an initialisation.
pub const TEARDOWN_WORDS: &[&str] = &[
    "close",
    "deactivate",
    "stop",
    "shutdown",
    "eof",
    "disconnect",
    "cancel",
    "teardown",
    "finish",
    "release",
    "cleanup",
    "unload",
    "unsubscribe",
    "exit",
];

/// A read with one of these verbs followed by a write with one of `CACHE_FILL_WRITES` on the
/// same receiver is a read-through cache fill, which at worst computes a value twice (LW601).
pub const CACHE_FILL_READS: &[&str] = &["get", "fetch", "aget"];
pub const CACHE_FILL_WRITES: &[&str] = &["set", "put", "setex", "aset", "set_many"];

/// Writes that a prior existence check cannot make wrong: deleting what another request
/// deleted first only deletes nothing, and creating an index (MongoDB's `create_index`,
/// `ensure_index`) or a schema (SQLAlchemy's `create_all`, which checks first) that another
/// request created first leaves it as it was (LW601).
pub const IDEMPOTENT_WRITES: &[&str] = &[
    "delete",
    "delete_one",
    "delete_many",
    "remove",
    "create_index",
    "create_indexes",
    "ensure_index",
    "create_all",
];

/// Writes that change a row an existence check found or did not find: they cannot create a
/// duplicate, so they are not the write of a check-then-write (LW601).
pub const ROW_UPDATE_WRITES: &[&str] = &["update", "update_one", "update_many", "replace_one"];

/// Methods that edit a collection in place, keeping what it held (LW601 read-modify-write).
/// (`pop(key, default)` is a dict's key removal, not counted.)
pub const COLLECTION_EDITS: &[&str] = &[
    "append", "extend", "insert", "remove", "pop", "discard", "add",
];

/// Types whose augmented assignments (`+=`, `-=`) change the object in place, so that two
/// coroutines updating it across an await lose nothing (LW601 read-modify-write in memory).
pub const IN_PLACE_AUGMENTED_TYPES: &[&str] = &[
    "builtins.list",
    "builtins.set",
    "builtins.dict",
    "builtins.bytearray",
    "collections.deque",
    "collections.Counter",
    "collections.defaultdict",
    "collections.OrderedDict",
];

/// Writes that add a row or document (LW601): racing a prior existence check they duplicate it,
/// or, under a unique constraint, fail with an IntegrityError the code does not handle.
pub const INSERT_WRITES: &[&str] = &[
    "insert",
    "create",
    "add",
    "add_all",
    "insert_one",
    "insert_many",
];

/// Writes that overwrite a key with a value (LW601): two that store the same literal leave the
/// store as one would.
pub const OVERWRITE_WRITES: &[&str] = &["set", "put", "save", "hset", "setex"];

/// Methods that edit a mutable value in place (LW601 lazy initialisation: a value the class edits
/// so loses those edits when a second initialisation overwrites it).
pub const IN_PLACE_EDITS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "popitem",
    "add",
    "discard",
    "update",
    "setdefault",
    "clear",
];

/// Methods that add to a mutable value in place (LW601 lazy initialisation: an empty placeholder
/// filled this way after further awaits is published half-built).
pub const IN_PLACE_FILLS: &[&str] = &["append", "extend", "insert", "add", "update", "setdefault"];

/// Calls that run the coroutines handed to them concurrently, by last name (LW601: a function
/// whose coroutines a loop or a comprehension hands to one of these runs concurrently with
/// itself). `start_soon`/`spawn` take the function itself rather than its coroutine.
pub const CONCURRENT_RUNNERS: &[&str] = &[
    "gather",
    "wait",
    "as_completed",
    "create_task",
    "ensure_future",
    "run_coroutine_threadsafe",
    "start_soon",
    "spawn",
];

/// Read-modify-write pairs by verb prefix: `get_balance` / `set_balance` (LW601).
pub const RMW_READ_PREFIXES: &[&str] = &["get", "fetch", "read", "load"];
pub const RMW_WRITE_PREFIXES: &[&str] = &["set", "update", "save", "put", "write", "store"];
