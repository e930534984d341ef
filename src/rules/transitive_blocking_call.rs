//! LW103 transitive-blocking-call: an `async def` calls a project sync function that
//! blocks, itself or through further sync calls, in any module.

use crate::catalog;
use crate::checker::blocking_diagnostic::stays_on_its_thread_help;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::{chain_text, display_path};
use crate::project::blocking_conditions;
use crate::project::summary::CallUsage;
use crate::project::{Facts, FunctionId, Project};
use crate::registry::Rule;
use ruff_text_size::TextRange;

pub const DOCS: &str = r#"# LW103 transitive-blocking-call

## What it does
Flags a call, inside an `async def`, to a *sync* function of the analysed project that
performs a blocking call (the LW101 and LW102 catalog) itself or through further sync
calls, to any depth and across modules. The callee may be a module function (same module or
imported, also through a package's `__init__.py` re-export, or bound only by a `from .helpers
import *`: a name the module binds no other way is the one star-imported module's, or, with
several, found in the project's star-imported modules in turn), a method called through
`self`/`cls` (inherited ones included) or on a local value built from a project class, a
base class's method called through `super()` (or `super(Class, self)`: the class's first base
and what it inherits; a method only a later base defines is not followed), a
nested function, or a project class whose `__init__` does the blocking work. When the caller
and the callee have the same name (an override calling its base's method), the message
names both with their classes: `` `Reloading.refresh` calls `CachedStore.refresh` ``; a dunder
method is always named with its class (`` `setup` calls `Module.__init__` ``, and
`setup -> Module.__init__ -> Telegrams.__init__ -> os.makedirs` in the chain). A call of a
callable the helper was handed counts as a call of what it is handed: `def run_job(job, path):
return job(path)` blocks when every caller in the project hands it the same blocking
function (`run_job(save_report, path)`), also when a function nested in the helper makes the
call.
The blocking call in the helper may be made on what an attribute the class inherits from
another module's base holds, also when that attribute is a factory called first (`with
self.Session() as session: session.execute(...)`, the base keeping `self.Session =
sessionmaker(bind=engine)`): calling it gives what the catalog says its class's `__call__`
returns (a `Session`), and a capitalised attribute of an instance is a value called, not a
class constructed.
A call of a placeholder method (a body of `...`, `pass`, a docstring or a `raise`: a
`typing.Protocol`'s method, or an abstract one) is a call of its implementation when the
project has exactly one: a method of that name in a class derived from the placeholder's
class, or, for a protocol, in a class (not itself a protocol) that defines all the
protocol's methods without deriving from it (`hasher: PasswordHasher` with one
`BcryptHasher` in the project). With two to eight (two storage backends, an adapter and a
test's fake), which one a value holds is not known: the call blocks when every one of them
blocks on every call (`LocalStorage.upload` writes a file, `S3Storage.upload` makes a
request), and the message says so, its chain going through the first of them; when one
does not (the fake), the call is not followed. Nor is a special method (`__call__`), nor a
placeholder with more implementations, nor one of a class with more than 256 subclasses
(a framework's base class). The same holds for a method a class calls on itself and does
not define while its subclasses do (a template method: `self.data(request)` in a base view
whose subclasses query a database or read a file): every subclass without subclasses of its
own must have one in the project (else it may run a library base's), and the call is that
one when there is one, else blocks when all of them do. A library object the protocol also describes is not counted:
a protocol written for one, with a fallback class in the project, reads as the fallback.
The message shows the chain down to the blocking call, for example
`webhook -> _query_sync -> sqlite3.connect (cache.py:12)`, and the JSON output lists each
step with its file and row. Where the helper reaches several blocking calls, the chain names
the most serious one, however deep: a network, database or process round trip, a sleep or a
wait, or CPU-heavy hashing before a local file operation, and those before a call listed
only in the configuration's `blocking-calls`. Among equals it is the shortest chain, and in
one function the first call.

## Why is this bad?
The coroutine runs the helper on the event loop's thread: however many sync functions stand
between the `async def` and `sqlite3.connect`, every other request of the process waits for
it. Ruff's and flake8-async's ASYNC rules look at one call in one function and miss this
shape, which is the common one in real services (route -> service -> repository -> driver).

## Example
```python
# app/cache.py
import sqlite3

def load_value(key):
    with sqlite3.connect("cache.db") as con:
        return con.execute("SELECT v FROM c WHERE k = ?", (key,)).fetchone()

# app/routes.py
from app.cache import load_value

async def webhook(key):
    return load_value(key)
```

## Use instead
```python
import asyncio
from app.cache import load_value

async def webhook(key):
    return await asyncio.to_thread(load_value, key)
```

## Not flagged
- The blocking call inside the sync helper itself: the helper is fine when it runs in an
  executor; the coroutine that calls it directly is the bug.
- A call from a coroutine that runs only on an event loop of its own (a Flask async view,
  or a coroutine only such views await directly): it stalls that request alone, as LW101
  describes.
- A blocking call, or a call of a blocking helper, in the part of a sync function that
  runs only when no loop runs on its thread: the `except RuntimeError` handler of a `try`
  that asks for the running loop (`try: loop = asyncio.get_running_loop()` / `except
  RuntimeError: save(row)`), the branch where `loop.is_running()` is false. Called from a
  coroutine, a loop runs there, and that branch does not.
- A call from a program's entry coroutine (`asyncio.run(main())`) before it first
  suspends or schedules other work, as LW101 describes: nothing else waits on its loop yet.
- A blocking call of a helper on the way out of the process, as LW101 describes (in a block
  that ends with `sys.exit(1)`, `exit()`, `os._exit`, an `os.exec*` or `raise SystemExit`):
  a configuration getter that prompts "press enter to exit" and exits does not make its
  callers block. (A call of a helper in such a block is still followed.)
- A method of a value's class that the coroutine awaits, enters with `async with` or
  iterates with `async for`, resolved to a sync method: what that returns could not be
  awaited, so at run time the value is of another class (a subclass handed an async client
  where its base class annotates the sync one: `await self.transport.post(...)`), or a
  decorator of the project's makes the call return something else, which is what awaiting
  it runs (prefect's `@async_dispatch(aresult)` returns `aresult`'s coroutine where a loop
  runs). A sync method of the coroutine's own class
  (`await self.execute(...)`) or a sync function it awaits is what the code calls: it blocks
  before the `await` fails, and is reported.
- A chain through a method the receiver's class overrides: an async client's
  `super().fetch()` runs the sync client's `fetch`, whose `self._read()` is the async
  client's own `async def _read` when it overrides it, not the sync `_read` that opens a
  file. Each step called on `self` is dispatched on the class the chain's receiver has; when
  the shortest chain is overridden away, another that is not (through a reader the subclass
  does not override) is reported instead.
- The fallback of a feature test, for a receiver whose class passes the test: `if
  hasattr(store, "read_async"): return await store.read_async()` then `store.read()`, or
  `read = getattr(self._store, "read_async", None)` then `if callable(read): ... else:
  self._store.read()`. The blocking call runs only for objects without the attribute; where
  the call is resolved through a project class that has it (its own or inherited), the
  fallback never runs for that class and is not followed. The test must name the call's own
  receiver (the same text), through `hasattr`, `callable(getattr(r, "a", None))`,
  `getattr(r, "a", None)` tested for truth or against `None`, or a local bound once to that
  `getattr`; the call sits in the branch where the test fails, or after an `if` on it whose
  body always leaves. A class without the attribute (or a receiver no type reaches, where
  the chain is not followed anyway) keeps the finding.
- A helper passed, not called: `run_in_executor(None, helper, ...)`, `asyncio.to_thread(helper)`,
  `functools.partial(helper, ...)` handed to an executor, `Thread(target=helper)`.
- Calls inside a `lambda` (it runs wherever it is handed to).
- A callable handed in that differs between callers (`run_any(save_report, p)` and
  `run_any(format_report, p)`), or that one caller gives as a lambda or a value the link
  cannot name, or that the helper rebinds before calling: whether the helper blocks depends on
  who calls it, and a function's facts are the same for every caller, so none is reported. A
  callable the callers were handed in turn is not followed either (one call up only).
- Calling a class made through a metaclass of the project that defines `__call__` (its own
  `metaclass=`, or a base's): that method decides what the call does, and a singleton's
  hands back the instance it made first without running `__init__` again. The call is not
  taken for a call of `__init__`. A library metaclass (`ABCMeta`, an ORM's) leaves the
  constructor followed.
- Work that runs once: a memoized helper (`@functools.cache`, `@lru_cache`, Home Assistant's
  `@singleton(key)`, with or without
  arguments: once per process or per distinct arguments), a call that fills a cache on a
  miss (`if key not in CACHE: CACHE[key] = load(key)`, `if CACHE.get(key) is None:`, the
  `except KeyError:` of a `try` that reads `CACHE[key]` and stores it, `if key in CACHE:
  return CACHE[key]` followed by the work and `CACHE[key] = ...` with no `return` between
  the test and the store, or a cache an object
  fills through its own methods: `if not sheet.has_source(path): sheet.read(path)`, where
  `has_source` is `return path in self.sources` and `read`, of the same class, stores
  `self.sources[...]`), a module global made on the first call (`global _TABLE` then
  `if _TABLE is None:` whose branch assigns it, `_TABLE = load()` or inside a `with open(...)`
  there, or calls the module's own sync function that does, `if _TABLE is None: setup()`
  with `def setup(): global _TABLE; _TABLE = load()`: once per process, unless a function
  of the module sets it back to `None`; the same for a closure's `nonlocal` variable, once per enclosing
  call, unless another closure there sets it back to `None`, and for an attribute of the
  class itself, `if cls._instance is None: cls._instance = ...` in a class method or by the
  class's name, also tested as `if not hasattr(Config, "_instance") or Config._instance is
  None:` or `if not hasattr(cls, "_instance"):`, unless a method that sets it back to `None` on the class is called by code outside
  the tests or read other than to call it), a function that returns the
  value it keeps in a module global when it has one (`global _CONFIG`, `if _CONFIG: return
  _CONFIG`, then `_CONFIG = parse()`: its work runs on the first call), the branch of a
  latch (`global _STARTED`, `if not _STARTED:` whose body sets `_STARTED = True`: once per
  process; or `if not _BACKENDS:` whose body fills that module list or dict in place,
  `_BACKENDS.append(...)`, when no code of the module takes anything out of it with
  `clear`, `pop`, `popitem`, `remove`, `discard` or `del _BACKENDS[...]`), the branch of an
  instance latch (`if not self.running:` setting `self.running =
  True`) in a method of a class that keeps its instances (a `__new__` that hands back the
  instance it cached on the class, `cls._instances[port]`: once per kept instance; not when
  another method sets the flag back to a falsy value, but for a method registered with
  `atexit`, a handler that re-raises after a failed start, and an `__init__` branch under
  `if not hasattr(self, ...)`), a function that
  returns at once for a key it has seen and records each new one (`if (role, name) in _SEEN:
  return`, then `_SEEN.add((role, name))`: once per distinct key); neither when a function
  of the module sets the global back to `None` (a reload makes the value again; a latch or a
  flag tested before an early return is re-armed by `False` or `0` as well; not a
  function the module registers with `atexit`, which runs as the interpreter exits; and,
  for a module global made on the first call, a value returned once kept or a flag before
  an early return, not a module-level function that nothing outside the project's tests
  calls, the module itself included: a `reload_config()` kept for callers that never came,
  a `reset_settings()` "for testing" that only test modules call, directly or through a
  helper that only they call, or a `rehash()` that only a program's own `if __name__ ==
  "__main__":` block calls, directly or through such a helper: it runs when that program
  starts, not while a server serves) or forgets
  the seen keys (`_SEEN.clear()`, `.discard`, `.remove`, `.pop`, `del _SEEN[key]`, a new
  set bound to the name),
  and one-time set-up
  calls (`ssl.create_default_context`, loading certificates into an `SSLContext`,
  `importlib.import_module`, the installed-package metadata, a time zone looked up by key:
  `zoneinfo.ZoneInfo`, `pytz.timezone`, `dateutil.tz.gettz`), which the helpers that make
  them keep (or the library caches by key). The first call blocks;
  such caches are filled at start-up or on a first request, which is what they are for.
  LW101 still reports a coroutine that makes a set-up call itself.
- Recursion and call cycles terminate; a function that only calls itself and never blocks
  is not flagged.
- A chain that ends in a method of a socket its function made non-blocking
  (`sock.setblocking(False)`, `sock.settimeout(0)`, or a `try` catching `BlockingIOError`):
  LW101's exemption, read the same way in the helper.
- A chain that ends in acquiring a `threading` lock whose critical sections in its module
  never block (LW101's exemption, read the same way): a registry's `_acquire()` helper that
  calls `self._lock.acquire()`, where the lock is held only around dict updates, does not
  make its callers block. The same lock held around a blocking call, an `await` or a
  blocking function of the module somewhere does.
- A chain that ends only in a file-metadata syscall (`os.path.exists`, `Path.is_file`, the
  LW105 catalog): a `stat` is cheap on local disks, and one reached through helpers is not
  worth a finding; LW105 reports direct calls.
- Calling a sync function that a decorator runs in a worker thread: asgiref's
  `@sync_to_async` (with or without arguments), channels' `@database_sync_to_async`,
  asyncer's `@asyncify`, aiofiles' `wrap`, textual's `@work(thread=True)`, jishaku's
  `@executor_function`, or a decorator of
  the project (in any module) whose wrapper hands the function it was given to a thread and
  calls it nowhere else (`loop.run_in_executor(None, partial(func, *args))`, a `lambda:
  func(*args)` handed there, `asyncio.to_thread(func, *args)`, `executor.submit`, a local
  bound once to such a partial or lambda and handed there, or a nested sync `def` that calls
  it and is only handed there), directly or through a decorator
  factory. The call makes an awaitable (or starts a worker) and the
  body blocks that thread, not the loop. LW104 reads such a function as run on another
  thread.
- Calling a generator function: that makes a generator and runs none of its body. The
  blocking point is where the generator is iterated (`for line in rows(path):`, a
  comprehension over it, `list(rows(path))`), and that is what is reported.
- A helper that blocks only when a parameter holds a value (behind `if path:`,
  `if path is not None:`, after `if path is None: raise ...` or `return`, in
  `open(path) if path else None`), called with `None` for it, with a falsy literal for a
  truth test, or without it where its default is `None` or falsy. This is followed through
  helpers that pass the parameter on unchanged: `route(target)` does not block when
  `route(target, config=None)` only hands `config` to a `load(target, config)` that
  downloads only when `config` is set. A parameter the function reassigns is not trusted.
  A blocking call's own on/off flag set from a parameter is such a guard too: a helper
  doing `self._lock.acquire(blocking=blocking)` does not block a caller that passes
  `blocking=False`; nor does one choosing the flag's value by a parameter
  (`os.waitpid(pid, 0 if blocking else os.WNOHANG)`) for a caller passing `blocking=False`.
  And the other way round: a helper that blocks only when a parameter is
  falsy (`if cached: return ...` before the read, the `else` of `if is_async:`) does not
  block a caller that passes a true literal for it (`is_async=True`) or leaves a true default.
  A flag compared with `is True` or `is False` is read as its truth: the body of
  `if live is True:` runs for no falsy value, and what follows `if deferred is True: return`
  is taken to run only for a falsy one (a caller passing `deferred=1` would run it: such a
  call is not reported). `if online is False: return` says nothing of what follows it.
  A mode picked by a string counts as well: the body of `if source == "live":` runs only
  for that string, so a caller passing another literal (`source="file"`, `None`, `0`) or
  leaving another literal default does not block there; what follows `if source ==
  "constant": return ...` (and a later `elif`, or the body of `if source != "constant":`)
  runs for any value but that string, which alone stops it. A test of equality with one
  string is kept before the other tests.
  An early return inside a `with` block before the blocking call guards it too. When several
  such tests stand before one blocking call, one is kept: a test of a flag (a parameter with
  a literal default, `_force_async=False`) before a test of data the callers pass on
  (`if not blocking: return False`).
  The same holds through the attributes of `self`: `__init__(self, hooks=None)` that stores
  `self.hooks = hooks` and then calls `self.load_hooks()`, which does its blocking work only
  `for hook in self.hooks` (or behind `if self.hooks is not None:`), does not block a
  caller that builds the object without hooks; so does `if self.hooks:` right after
  `self.hooks = hooks` in the same constructor. A keyword read out of `**kwargs` once
  (`hooks = kwargs.get("hooks")`) counts as a keyword parameter whose default is `None`.
  `for item in p:` counts as a guard on `p` (`None` raises before the body runs, an empty
  collection never enters it). A helper that still blocks for such a call by another way
  is reported with a chain that way: `settle(detect=False)` is named by the listing it
  always makes, not by the request behind `if not detect: return`.
- A class whose constructor opens its argument only when it is a path: a blocking call in
  the `else` of `if isinstance(fp, io.IOBase):` (or behind `if not isinstance(fp,
  io.IOBase):`) does not block a construction that passes an in-memory buffer
  (`File(io.BytesIO(data))`, `io.StringIO(...)`): the `io` classes' bases are known, and an
  argument's class is known where a class is constructed. The same for the other spelling,
  a blocking call in the body of `if isinstance(data, (str, Path)):`: a buffer, or `None`,
  is none of those, as far as the catalog knows every class involved (builtins, `io`,
  `pathlib`, `os.PathLike`; an abstract class such as `Iterable` may take anything in, and
  the call is then followed). When the test asks only for paths and strings (`str`,
  `bytes`, `os.PathLike`, the `pathlib` classes), an argument of a class of the project that
  derives from none of them, or of another library's class (a decoded `PIL.Image.Image`),
  is no path either: `Upload(decoded(raw))` with `decoded` annotated `-> Chunk` does not
  block. Its type has to be known where the call is made (a constructor, a function of the
  module annotated with what it returns). Only the blocking call itself is
  so guarded; a call to another helper under such a test is followed as before.
- A blocking call that only runs where no loop runs: after `if not can_block(): raise`
  (or `if loop_running(): return`), where the function asked is a loop probe. A probe asks
  `asyncio.get_running_loop()` in a `try` and returns `False` from its
  `except RuntimeError`, or returns `asyncio._get_running_loop() is not None`, or is built
  on one (`return on_main_thread() and not loop_running()`). The helper may still block
  on other calls, and the chain then names one of those.
- A memoized function of no arguments (`@functools.cache` or `@lru_cache` on a `def` without
  parameters): its body runs once per process, so it blocks once, at the first call, not on
  every request. With arguments it is still followed (one read per distinct argument).

## Callbacks the loop runs
A sync function handed to the event loop runs on the loop's thread: `loop.call_soon(f)`,
`call_later`, `call_at`, `call_soon_threadsafe`, `loop.add_signal_handler(sig, f)`,
`task.add_done_callback(f)` and `future.add_done_callback(f)` (also through
`functools.partial(f, ...)`). If `f` blocks, the loop blocks while it runs, wherever it was
registered, so the registration is reported with the chain. Not followed: `add_reader` and
`add_writer` callbacks (they run when their descriptor is ready, so the read or write they
exist for does not wait), lambdas, and callbacks whose function is not a project one.

## Many call sites, one helper
One helper that blocks, called from a hundred coroutines, is one problem with a hundred
places to fix it. Every call site is reported (that is where the fix goes) and JSON keeps one
object per call site with the same chain, but the text output shows the chain once per
helper, with the call sites listed under it, and `--statistics` counts distinct helpers.

## Fix
Unsafe (the helper then runs on a worker thread): `await asyncio.to_thread(helper, *args)`,
with `import asyncio` added when the module lacks it; below Python 3.9,
`await asyncio.get_running_loop().run_in_executor(None, helper, *args)` (through
`functools.partial` when the call has keyword arguments). Not offered inside a
comprehension or a class body. A generator function's body runs as it is iterated: its call
moves with the builtin that consumes it (`await asyncio.to_thread(list, rows(...))`), and a
`for` over it has no fix. No fix either when the helper, or a function it calls, also uses
the event loop (makes an `asyncio.Future`, sets an `asyncio.Event`, creates a task, asks for
the running or the current loop, builds a discord.py view or modal, or is the `__init__` of
one): on a worker thread that raises or touches the loop from the wrong thread,
so the help line says to move only the blocking call. Nor when the helper, or a function it
calls, shares an object that belongs to the thread that made it: a `sqlite3` connection it
did not make (`self.conn.execute(...)`) or keeps beyond the call (`self.conn =
sqlite3.connect(...)`, returned): on a worker thread it raises, or two threads use one
connection at once. A helper that makes, uses and closes its own connection moves. Nor
when the helper, or a function it calls, keeps other state on its thread: it reads or sets
thread-local storage (an instance of `threading.local` or of a class of the module deriving
from it, held by a module-level name or an attribute), which a worker thread has its own of;
it sets a context variable for its caller (`var.set(value)`, the token dropped), which
`asyncio.to_thread` sets in a copy of the caller's context, lost when it returns (a set
whose token is kept, `token = var.set(value)`, is undone with it where the token is held); it installs a signal
handler (`signal.signal`, `signal.set_wakeup_fd`), which raises `ValueError` off the main
thread; or it asks whether a loop runs on its thread (`asyncio.get_running_loop()` in a
`try` that catches `RuntimeError`, a sync bridge that re-enters the caller's loop or starts
its own), which on a worker thread always finds none. Reading a context variable is no reason: the copy holds the caller's values. The
same holds for the catalog's calls that must stay on their thread (an acquisition, a read
of the terminal) when the chain ends in one of them, and for a method of a class deriving
from Textual's apps, screens or widgets, or of a project class mixed into one (`class
App(StatusMixin, textual.app.App)`: the mixin's methods run on the app), or a helper that
calls one: it may change the
screen, which only the app's thread may touch. As for LW101, no fix in the branch of an `if` that tests shared
state the branch then sets (`if _settings is None: _settings = load_settings(path)`): an
`await` there would let two coroutines both pass the test. Nor in an `except` clause: a
helper called there may read the exception being handled without being handed it
(`sys.exc_info()`, `logging.exception(...)`, a library's `print_exception()`), and a worker
thread has none. Nor, as for LW101, in a section under a thread's lock, or in a `try` whose
handler swallows cancellation. A blocking call
made inside another
reported one (`Material(data).as_file()`, both helpers that block) has no fix of its own:
the outer call moves first, and the inner one is reported again, and moved, in the thread's
arguments.
"#;

pub(crate) fn check(project: &Project, facts: &Facts, report: &mut dyn FnMut(usize, Diagnostic)) {
    for id in project.function_ids() {
        let function = project.function(id);
        // On a loop of its own (a Flask view), blocking stalls nothing else.
        if !function.is_async || facts.own_loop.contains(&id) {
            continue;
        }
        let mut found: Vec<Diagnostic> = Vec::new();
        for (site, callee) in facts.edges.of(id) {
            let callee_function = project.function(callee);
            // A method of a value's class (not the caller's own `self.method()`) that the
            // coroutine awaits, or enters with `async with`, is not a plain sync method
            // whatever the value's inferred type says: what that returns could not be
            // awaited, so the value is of another class at run time (a subclass handed an
            // async client where its base annotates a sync one). Nor is one a project
            // decorator wraps: what awaiting it runs is the decorator's (prefect's
            // `@async_dispatch(aresult)` runs `aresult` when awaited), and that is not read. A
            // sync function awaited by its own module or class is what the code calls, and
            // blocks before the `await` fails.
            let call = &function.calls[site];
            // A program's entry coroutine before anything else waits on its loop.
            if function.runs_alone_at(call.range.start()) {
                continue;
            }
            if callee_function.is_async
                || (call.usage == CallUsage::Awaited
                    && !call.arguments().on_self
                    && callee_function.qualname().contains('.')
                    && !project.makes_coroutine(callee))
                || !project.call_runs_body(id, site, callee)
            {
                continue;
            }
            // A helper that blocks only when given a value for a parameter is not reached
            // by a call that passes `None` for it or leaves it at such a default.
            let reaches_blocking = facts.blocks_when.get(&callee).is_some_and(|condition| {
                blocking_conditions::carried(project, function, site, condition).is_some()
            });
            if !reaches_blocking {
                continue;
            }
            // The calls down to the blocking one, as this call's arguments let them run and
            // as they dispatch on the receiver's class.
            let (held, direct) = facts.blocking_path(project, (id, site), callee);
            let (path, direct) = if project.path_dispatches(id, &held) {
                (held, direct)
            } else {
                let Some(path) =
                    facts.dispatching_chain(project, &facts.blocks, (id, site), callee)
                else {
                    continue;
                };
                (path, None)
            };
            // The blocking call the chain ends in, when it must stay on its thread.
            let stays = path.last().and_then(|&(_, _, last)| {
                let at = final_site(facts, last, direct)?;
                let api = project.blocking_sites(last).get(at)?.api.as_str();
                catalog::stays_on_its_thread(api)
            });
            let (chain, api) = dispatched_chain(project, facts, id, &path, direct);
            // An override calling its base's method (`super().save()`) would read "`save`
            // calls `save`": the two are told apart by their classes.
            let (caller_name, callee_name) = if function.name() == callee_function.name() {
                (function.qualname(), callee_function.qualname())
            } else {
                (function.shown_name(), callee_function.shown_name())
            };
            // `storage.upload(...)` on an abstract `Storage`, `self.data()` in a base class
            // whose subclasses define `data`: the chain goes through one implementation, and
            // the message says that all of them block.
            let several = match project.dispatched_placeholder(id.0, call.callee) {
                Some(placeholder) => Some(project.function(placeholder).qualname().to_string()),
                None if project.follows_several(id.0, call.callee) => {
                    let path = project.modules[id.0].summary.callee(call);
                    let mut parts = path.rsplitn(3, '.');
                    let method = parts.next().unwrap_or(path);
                    Some(match parts.next() {
                        Some(class) => format!("{class}.{method}"),
                        None => method.to_string(),
                    })
                }
                None => None,
            };
            let message = match several {
                Some(several) => format!(
                    "`{caller_name}` calls `{several}`, every implementation of which blocks the event loop (`{}` in `{api}`): {}",
                    callee_function.qualname(),
                    chain_text(&chain)
                ),
                None => format!(
                    "`{caller_name}` calls `{callee_name}`, which blocks the event loop in `{api}`: {}",
                    chain_text(&chain)
                ),
            };
            // A constructor runs by calling its class: `to_thread(Material, ...)`.
            let callee_called = callee_function
                .shown_name()
                .strip_suffix(".__init__")
                .unwrap_or(callee_function.name());
            let mut diagnostic = Diagnostic::new(Rule::TransitiveBlockingCall, message, call.range)
                .with_help(format!(
                    "Run the helper in a worker thread: `await asyncio.to_thread({callee_called}, ...)`"
                ))
                .with_chain(chain);
            // A generator function's body runs as its generator is iterated: the thread
            // must run the iteration (the builtin consuming it), or nothing moves.
            let fixes = &project.modules[id.0].summary.to_thread_fixes;
            let pending = if callee_function.runs_where_iterated() {
                fixes.consumer(id.1, site)
            } else {
                fixes.call(id.1, site)
            };
            // A helper that also uses the event loop (makes a future, sets an `asyncio.Event`,
            // schedules a task) must stay on the loop's thread: moved to a worker, it raises
            // or corrupts the loop. No fix then; the help says which part to move out.
            if facts.loop_affine.contains_key(&callee) {
                diagnostic = diagnostic.with_help(format!(
                    "`{callee_called}` also uses the event loop, so it cannot move to a worker thread as it is: run only its blocking part there (`await asyncio.to_thread(...)` around that call)"
                ));
            } else if let Some(why) = stays {
                if let Some(help) = diagnostic.help.as_mut() {
                    help.push_str(stays_on_its_thread_help(why));
                }
            } else if let Some((state, keeper)) = facts.thread_state(project, callee) {
                // A `sqlite3` connection kept on `self` and used from a worker thread raises
                // (or, shared with `check_same_thread=False`, is used by two threads at once);
                // a thread-local read there finds the worker's; a context variable set
                // there is lost; a signal handler installed there raises.
                let remedy = match state {
                    catalog::ThreadState::BoundObject => {
                        "make and use the object in one sync helper run with `asyncio.to_thread`"
                    }
                    _ => {
                        "run only its blocking part there (`await asyncio.to_thread(...)` around that call)"
                    }
                };
                // Named where the state is kept, which may be several calls down.
                let keeps = if keeper == callee {
                    format!("`{callee_called}` {}", state.described())
                } else {
                    format!(
                        "`{callee_called}` calls `{}`, which {}",
                        project.function(keeper).shown_name(),
                        state.described()
                    )
                };
                diagnostic = diagnostic.with_help(format!(
                    "{keeps}, so it cannot move to a worker thread as it is: {remedy}"
                ));
            } else if facts.ui_on_the_loop.contains_key(&callee) {
                // A Textual widget changed from a worker thread corrupts the screen or
                // raises: only the app's thread may touch it.
                diagnostic = diagnostic.with_help(format!(
                    "`{callee_called}` is, or calls, a method of a Textual app, screen or widget, which may change the screen that only the app's thread may touch, so it cannot move to a worker thread as it is: run only its blocking part there (`await asyncio.to_thread(...)` around that call)"
                ));
            } else if let Some(pending) = pending {
                diagnostic = diagnostic.with_pending_fix(pending);
            }
            found.push(diagnostic);
        }
        keep_outer_fixes(&mut found);
        for diagnostic in found {
            report(id.0, diagnostic);
        }
    }
    check_loop_callbacks(project, facts, report);
}

/// A blocking call made inside another reported one (`Config(path).as_file()`, both helpers
/// that block) keeps its finding but not its fix: moving the inner call alone would leave the
/// outer one on the loop, and the value the thread hands back would have no type the next
/// run can follow, so the outer finding would vanish unfixed. The outer call's fix goes
/// first, and the inner call is reported (and fixed) again in the thread's arguments.
fn keep_outer_fixes(found: &mut [Diagnostic]) {
    let ranges: Vec<TextRange> = found.iter().map(|diagnostic| diagnostic.range).collect();
    for diagnostic in found.iter_mut() {
        let inner = diagnostic.range;
        if ranges
            .iter()
            .any(|outer| *outer != inner && outer.contains_range(inner))
        {
            diagnostic.pending_fix = None;
        }
    }
}

/// Sync functions handed to the event loop to run on its thread (`loop.call_soon(f)`,
/// `task.add_done_callback(f)`, `loop.add_signal_handler(sig, f)`): if one blocks, the loop
/// blocks while it runs, wherever it was registered. Reported at the registration.
fn check_loop_callbacks(
    project: &Project,
    facts: &Facts,
    report: &mut dyn FnMut(usize, Diagnostic),
) {
    for id in project.function_ids() {
        for registration in project.loop_callbacks(id).iter() {
            let Some(target) = project.resolve_handed(&registration.target) else {
                continue;
            };
            let target_function = project.function(target);
            // The loop passes the callback its own arguments: a parameter guard cannot be
            // decided here, so any condition counts.
            if target_function.is_async || !facts.blocks_when.contains_key(&target) {
                continue;
            }
            let (chain, api) = blocking_chain(
                project,
                facts,
                vec![project.definition_step(target)],
                target,
            );
            let message = format!(
                "`{}` runs on the event loop's thread (registered with `{}`) and blocks it in `{api}`: {}",
                target_function.name(),
                display_path(&registration.via),
                chain_text(&chain)
            );
            let diagnostic = Diagnostic::new(Rule::TransitiveBlockingCall, message, registration.range)
                .with_help(format!(
                    "Keep the callback short: hand the blocking work to a thread from it (`loop.run_in_executor(None, {}, ...)`) or schedule a coroutine that awaits `asyncio.to_thread`",
                    target_function.name()
                ))
                .with_chain(chain);
            report(id.0, diagnostic);
        }
    }
}

/// `start` followed by the chain from `helper` down to the blocking call it reaches, and that
/// call's name.
fn blocking_chain(
    project: &Project,
    facts: &Facts,
    mut start: Vec<crate::diagnostic::ChainStep>,
    helper: FunctionId,
) -> (Vec<crate::diagnostic::ChainStep>, String) {
    start.extend(
        facts.chain_down(project, &facts.blocks, helper, |at, site| {
            blocking_step(project, at, site)
        }),
    );
    let api = start
        .last()
        .map(|step| step.name.clone())
        .unwrap_or_default();
    (start, api)
}

/// The chain of `path` ([`Facts::dispatching_chain`]) from `id`, with the blocking call its
/// last function makes (site `direct` of it, else the one the blocks table holds), and that
/// call's API.
fn dispatched_chain(
    project: &Project,
    facts: &Facts,
    id: FunctionId,
    path: &[(FunctionId, usize, FunctionId)],
    direct: Option<usize>,
) -> (Vec<crate::diagnostic::ChainStep>, String) {
    let mut chain = vec![project.definition_step(id)];
    chain.extend(
        path.iter()
            .map(|&(_, _, callee)| project.definition_step(callee)),
    );
    if let Some(&(_, _, last)) = path.last()
        && let Some(site) = final_site(facts, last, direct)
    {
        chain.extend(blocking_step(project, last, site));
    }
    let api = chain
        .last()
        .map(|step| step.name.clone())
        .unwrap_or_default();
    (chain, api)
}

/// The blocking call of `last`, the chain's last function: site `direct` of it, else the
/// one the blocks table holds.
fn final_site(facts: &Facts, last: FunctionId, direct: Option<usize>) -> Option<usize> {
    direct.or(match facts.blocks.get(&last) {
        Some(crate::project::Step::Direct(site)) => Some(*site),
        _ => None,
    })
}

fn blocking_step(
    project: &Project,
    at: FunctionId,
    site: usize,
) -> Option<crate::diagnostic::ChainStep> {
    let sites = project.blocking_sites(at);
    let site = sites.get(site)?;
    Some(project.step(at.0, &display_path(&site.api), site.range))
}
