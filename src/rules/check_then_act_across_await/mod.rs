//! LW601 check-then-act-across-await: a decision on shared state and the write it guards,
//! with an `await` in between.
//!
//! `check_function` is the entry point the dispatch calls. `analysis.rs` walks the blocks of
//! one `async def` once and hands each statement to the three shapes: `lazy_init.rs` (with
//! `helper_writes.rs`, for a write a called method of the class makes),
//! `store_writes.rs` (the SQL they execute is read by `sql.rs`), `read_modify_write.rs` and,
//! for state kept in memory, `memory_updates.rs`.
//! What the shapes share: the state other coroutines see and the checks on it
//! (`shared_state.rs`), the flattened regions they scan (`events.rs`), the code that cannot
//! interleave (`exemptions.rs`), the functions whose coroutines run side by side
//! (`fan_out.rs`), the syntax they ask about (`syntax.rs`) and the findings
//! (`model.rs`); `messages.rs` words the findings.

mod analysis;
mod events;
mod exemptions;
mod fan_out;
mod helper_writes;
mod lazy_init;
mod memory_updates;
mod messages;
mod model;
mod read_modify_write;
mod shared_state;
mod sql;
mod store_writes;
mod syntax;

use ruff_python_ast as ast;

use crate::checker::Checker;

use analysis::Analysis;
use messages::report;

pub const DOCS: &str = r#"# LW601 check-then-act-across-await

## What it does
Flags, in an `async def`, a decision on shared state and the write it guards when an `await`
lies between them, so that another coroutine can make the same decision in the meantime
(time-of-check to time-of-use). Three shapes:

- **Lazy init**: `if self._x is None:` (or `is False`, for a state that holds `False` until
  made, `not self._x`, a module global, a class attribute,
  a variable of the enclosing function that every call shares: the cache a decorator keeps
  for the wrapper it returns, or one that workers made side by side fill,
  `key not in self._cache`, `self._cache.get(key) is None`, also with the lookup kept by a
  walrus: `(found := self._cache.get(key)) is None`, or by a local assigned right before the
  test: `found = self._cache.get(key)` then `if found is None:`; or its forgiving spelling, `try: return
  self._cache[key]` / `except KeyError: pass` with the fill after the `try`) whose body awaits and only then
  assigns that same attribute, global or key (also right after the block, which every path
  goes on to: `if not self._active: await self._open()` then `self._active = True`); and its early-return form, `if self._ready: return`
  followed by awaits and then `self._ready = True`. The write may be made by a method the body
  calls on the receiver (`await self._connect()`, or `await super().initialize()` for a base
  class the module defines) when that method sets the attribute after an await of its own,
  or after the caller's; not when it sets it before its first await, nor under a lock it
  holds (it serialises itself), and a method of another module is not followed. Its name
  counts as the one that says it initialises once. Reported where concurrent callers are
  plausible and a duplicate does harm. Concurrent callers are plausible when the method is called
  from two or more places in its class (two or more functions of the module, for a module
  function), not counting `__aenter__`-style dunders, a caller counting as often as its own
  callers in the class reach it (up to four calls up: a private helper that two request
  paths share brings both to the set-up it calls); when it is a public accessor that returns
  what it builds (the state itself, or the local it stores there: `self._cache[key] = found`
  then `return found`); when it is the wrapper a decorator returns (`return wrapper`, also
  through `functools.wraps(func)(wrapper)`), which stands in for whatever it decorates; or when it is *fanned out*: its coroutines, or those of a function of the
  module that calls it (up to three calls up), are made in a loop or a comprehension and handed to
  `gather`, `wait`, `as_completed`, `create_task` (a `TaskGroup`'s too), `start_soon`, directly or
  through the list they are collected in (`futures = [fetch(x) for x in xs]` then
  `await asyncio.gather(*futures)`, `futures.append(fetch(x))`), or two of them go to one
  `gather`. A duplicate does harm when what is built is a *resource* (its name, or
  the name of the call awaited for it, ends in `client`, `conn...`, `session`, `pool`,
  `transport`, `socket`, `channel`, `ws`, `engine`, `task`, `api`, `server`, ...: a duplicate
  leaks or acts twice), an entry of a cache per key (`self._cache[key] = await fetch(key)`:
  concurrent misses on one key all fetch it), a value the class then edits in place
  (`self._data["keys"][k] = v`: a late second initialisation throws those edits away), or it
  sets a flag (`= True`) in a method whose name says it initialises once (`ensure`, `init`,
  `setup`, `load`, `connect`, `start`, ... and not `close`/`stop`/`eof`). Whatever the value,
  a *placeholder* is reported: an empty container (`{}`, `[]`, `set()`, `dict()`, `list()`,
  `defaultdict(...)`, or a local holding one) stored after the awaits and then filled in place
  after further awaits (`cache[key][k] = v`, `cache[key].append(v)`, through the local too). The
  value is published before it is complete: a second caller passes the check and starts it
  over, and readers see it half-built. The message names the fill and its row.
- **Database check-then-write**: `if not await repo.exists(k):`, or `row = await db.fetch_one(...)`
  (also through `user = result.scalar_one_or_none()`) followed by `if row is None:`,
  `if count == 0:`, also as one term of an `and` (`if not row and create_missing:`), or by
  `if row: raise ...`/`return` and the code after it, then a write that
  can create a duplicate on the *same receiver*: `insert`, `create`, `add`, `save`, `put`, `set`,
  `commit` (and their `_one`/`_many`/`_new_...` forms), or `execute` of INSERT SQL (a string,
  `text(...)`, a SQLAlchemy `insert(...)`). Plain functions of one module that run the SQL
  they are handed are a store too: `row = await fetch_one("SELECT ...")` then
  `await execute_query("INSERT ...")`, the read handed a `SELECT` and the write an
  `execute...` function of the same module handed write SQL.
- **Read-modify-write**: `balance = await get_balance(u)` ... `await set_balance(u, balance - x)`:
  a value read by an await, changed in a way that builds on what was read (arithmetic,
  `+=`, `items.append(...)`, also through `section = config["s"]`), and written back through the
  matching setter (`get_x`/`set_x`, `load_x`/`save_x`, `fetch_x`/`store_x`, `get`/`set` on the
  same receiver) for the same key.
- **Read-modify-write in memory**: `self.total += await self.measure()`, where the augmented
  assignment reads its target before the await runs and writes the old value's sum after it;
  and `current = self.total`, an await, then `self.total = current + value`, a write built on
  a copy taken before other coroutines ran. For an attribute, an item of one
  (`self.counts[key]`) or a global, where calls of the function plausibly overlap: other code
  of its class (or module) calls it from two places or more, or makes its coroutines side by
  side (in a loop or a comprehension handed to `gather`, `wait` or `create_task`).

The message names the check (or the read) and the write with their rows, and the `await` where
another coroutine can get in, with its row: the first await after the check, never the write's
own. When the write's own await would be the first (`if not await repo.exists(k): await
repo.insert(k)`), it is the read's own await: the store answered there, and another request's
identical read can land before this write does. For a check-then-insert the message adds that a
unique constraint does not make the code safe: it turns the race into an unhandled
`IntegrityError` (a 500 instead of a clean answer).

## Why is this bad?
An `await` is a point where the event loop runs other coroutines. Two requests that both pass
`if self._client is None:` both build a client (one leaks, with its connections); two sign-ups
that both find no user with that e-mail both insert one (under a unique constraint the
second gets an `IntegrityError` instead: a 500 rather than a clean "already taken"); two withdrawals that both read a
balance of 100 both write back their own result, and one withdrawal is lost. None of this shows
in tests, which run one request at a time; all of it shows under load.

## Example
```python
class Service:
    async def client(self):
        if self._client is None:
            self._client = await connect(self.url)
        return self._client
```

## Use instead
```python
class Service:
    def __init__(self):
        self._client = None
        self._lock = asyncio.Lock()

    async def client(self):
        async with self._lock:
            if self._client is None:
                self._client = await connect(self.url)
        return self._client
```
For databases, let the database decide: a unique constraint and an upsert
(`INSERT ... ON CONFLICT DO NOTHING`), `SELECT ... FOR UPDATE` inside a transaction, or an atomic
update (`UPDATE accounts SET balance = balance - $1`, `INCRBY`).

## Not flagged
- Code inside `async with <lock>` (an `asyncio.Lock`/`Semaphore`/`Condition`, anyio's, or any
  context manager whose name ends in `lock`/`locks`/`mutex`/`semaphore`, such as
  `self._locks[key]` or `self._locks.setdefault(key, Lock())`), or inside the old form that
  acquires the lock first, `with await lock:`; and functions that take a lock by hand with
  `await lock.acquire()`. Also a function every caller in its class (its module, for a
  module function) calls inside the same lock (`async with self._connect_lock: await
  self._connect()` in both `connect` and `reconnect`): its callers run it one at a time. A
  method's caller may hold the lock a few calls up instead: a private method between, every
  caller of which calls it inside that same lock, counts as a caller holding it (up to four
  calls up). Two callers holding different locks, or one calling it outside the lock (or a
  public method between), do not count. And a
  function behind a decorator whose name says it holds a lock around each call (`@mutex`,
  `@with_lock`, `@synchronized`, also called with arguments): its wrapper runs the calls one
  at a time.
- Code inside a transaction: `async with conn.transaction()`, `session.begin()`,
  `begin_nested()`, `atomic()`.
- Upserts: SQL with `ON CONFLICT`, `INSERT OR IGNORE`/`OR REPLACE`, `ON DUPLICATE KEY`, `MERGE`,
  a locking read (`FOR UPDATE`), SQLAlchemy's `on_conflict_do_*`, methods such as `get_or_create`,
  `upsert`, `setnx`, and writes with `upsert=True` / `nx=True`; and a write inside a `try` that
  handles `IntegrityError`/`UniqueViolation` (or a broad handler that tells the violation apart,
  `if not is_unique_violation(e): raise`): the unique constraint settles the race, and the code
  answers it.
- Purely local state: `client = None; if client is None: client = await make()`; attributes of
  a parameter (the caller owns that object).
- A write made *before* the first await (`self._task = create_task(...)` then `await`), a second
  check of the same condition after the last await (double-checked initialisation), and a check
  guarded by a flag or pending future that the function sets before its first await and tests
  (`self._connecting = True`, `self._pending[key] = future`, or a marker added to a container
  the function tests, `self._resolving.append(name)` after `if name in self._resolving:
  raise`).
- Lazy initialisation of a single plain value that nothing edits afterwards (a cached list, an
  image, a model name), also as the entry of a dictionary under a key spelled as a literal
  (`self._cache["full_text"]`, one value as an attribute is, while `self._cache[name]` is a
  cache per key): computing it twice is wasted work, not a bug. An empty value stored
  after the awaits that nothing fills afterwards, or that is filled before any further await
  (`cache[key] = set(); cache[key].add(x)`): no one sees it half-built. A function whose only
  caller awaits it in a plain loop, one call at a time, or hands a single coroutine of it to
  `create_task`. A method only its owner calls once (`start()`, a set-up
  step), and methods a framework never runs concurrently with themselves: Python's special
  methods that run once per use of an object (`__aenter__`, `__aexit__`, `__anext__`,
  `__await__`; not `__call__`, which an ASGI app runs once per request, nor a project's own
  double-underscore names such as `__connect__`, which are plain public methods),
  Home Assistant's `async_step_*`, `async_update`, `async_added_to_hass`, `async_setup_entry`
  and the methods of `...Flow` classes (config and options flows run one step at a time).
- Database writes that cannot duplicate: `update...`/`replace_one` (the row is changed either
  way) and `delete...`/`remove` (deleting twice deletes nothing), also as SQL executed
  (`UPDATE ...`, `DELETE ...`, a SQLAlchemy `update(...)` or `delete(...)`), and a session's
  `commit()` with nothing added before it in the checked code (it flushes changes to rows
  that exist); a read-through cache fill
  (`get` then `set`/`put`, and on a receiver named as a cache, `self.cache_repo`, also with
  one suffix: `get_one` then `set_one`, `get_by_owner` then `set_by_owner`), which at worst
  computes a value twice; a `set`/`put`/`save` of a
  literal (`await state.set_data({})`: every request that passed the check stores the same
  thing) or of a named constant (a name or attribute spelled in capitals, `DEFAULT_LIMIT`,
  or an attribute of a class, `await state.set_state(Steps.amount)`: an enum's member, a
  state group's state), also of a local bound to one just before (`chunks = 1` then `await
  setting.set(chunks)`); and `self.get_x()` then `self.create_y()`, two methods of one class rather than a store.
- An augmented assignment that updates in place: `|=`, `&=`, `^=` (sets, dicts), and `+=`
  or `-=` on a value known to be a list, set, dict, `bytearray`, `deque` or `Counter` (by its
  type, or because the class assigns the attribute one, `self.results = []`): every
  coroutine changes the same object, and nothing is lost. An in-memory read-modify-write in a
  function nothing visibly runs twice at once (one caller that awaits it in a loop).
- A read-modify-write that only sets parts to independent values (`config["flag"] = True`
  before `save(config)`): whether that loses a concurrent update depends on whether the store
  writes the whole document or the changed keys, which the rule cannot see.
- A read whose name is rebound before the write to something that does not build on it, or
  to what an await returns (`data = await api.sync(since=token)`, then `token =
  data["next_batch"]`: a cursor advanced by another service's answer, not the read value
  changed).
- Writes done in another function (`await self._setup()` assigning `self._x`): the rule sees one
  function at a time; and a write more than 400 statements after its check.

## Fix
No automatic fix: the right remedy (a lock, an upsert, an atomic update) is a design decision.
"#;

/// Runs on every `async def`, once, when the walk enters it.
pub(crate) fn check_function<'a>(
    checker: &mut Checker<'a, '_>,
    function: &'a ast::StmtFunctionDef,
) {
    if !function.is_async {
        return;
    }
    let races = {
        let analysis = Analysis::new(checker, function);
        if analysis.acquires_lock_by_hand(&function.body) || analysis.is_serialized() {
            return;
        }
        analysis.races()
    };
    report(checker, races);
}
