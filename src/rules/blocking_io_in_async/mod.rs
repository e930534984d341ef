//! LW101 blocking-io-in-async. The walk asks once per call whether it is a blocking API
//! ([`crate::checker::blocking`]); the I/O ones in async context come here, the CPU ones go
//! to LW102 and the metadata ones to LW105. Lock acquisitions wait for the verdict on their
//! lock's critical sections ([`crate::checker::held_locks`]); sockets made non-blocking are
//! not blocking APIs there ([`crate::checker::nonblocking_sockets`]).

use ruff_python_ast::{self as ast};
use ruff_text_size::Ranged;

use crate::catalog::{Blocking, BlockingApi};
use crate::checker::Checker;
use crate::checker::blocking_diagnostic::{blocking_call_diagnostic, linked_blocking_diagnostics};
use crate::diagnostic::{Diagnostic, display_path};
use crate::project::{Facts, Project};
use crate::registry::Rule;

use crate::checker::held_locks::{self, LockKey, THREADING_LOCKS, lock_key};

pub const DOCS: &str = r#"# LW101 blocking-io-in-async

## What it does
Flags a blocking I/O call made directly inside an `async def`: file access (`open`,
`io.open`, `codecs.open`, `os.*` file functions, `shutil`, `pathlib.Path` reads and writes,
`tempfile`, `zipfile`, `tarfile`, `gzip`/`bz2`/`lzma`, `json`/`pickle` `load`/`dump` on a file
object opened elsewhere, `glob` patterns, and the `read`/`readline`/`readlines`/`write`/
`writelines`/`flush`/`truncate` methods of a file object opened elsewhere: on a file the
function holds in a local, its `open` is the one finding, acknowledged or not), `input()` and `getpass.getpass()`, `sqlite3` connections and cursors, `time.sleep`, waiting on `threading`
locks, events and threads, on `queue` and `multiprocessing` queues and processes and on
`concurrent.futures` futures and executors, sync HTTP clients (`requests`, `urllib`,
`urllib3`, `http.client`, the sync `httpx` API), raw sockets and DNS (`socket`), waiting on
descriptors (`select.select` and its poll objects, `selectors`; a zero timeout only polls),
`ftplib`/`smtplib`/`poplib`/`imaplib`/`xmlrpc.client`, the MQTT client of `paho.mqtt`
(connecting, and its network loop; not publishing, which only queues for the client's own
thread), pyserial's ports (`serial.Serial`: opening one, reading and writing it; not in a
module that polls its ports, setting a port's timeout to 0, as pyserial-asyncio does), the sync clients of hosted model APIs (`openai`: chat completions, completions,
embeddings, responses, images, moderations and audio, and the module API before 1.0,
`openai.ChatCompletion.create`; `anthropic`: messages) and of
`qdrant_client`, `subprocess` and `os.system`-style
process calls (and libraries that run a program and wait for it: `pytesseract`, `pdf2image`,
`ffmpeg`'s `run` and `probe`), and sync database and service clients (`psycopg2`, sync `psycopg`, `pymysql`,
`MySQLdb`, `pymongo`, `redis.Redis`, sync `sqlalchemy` and `sqlmodel` sessions,
`elasticsearch.Elasticsearch`,
`boto3` and the `botocore` clients it builds (also a parameter annotated with a client
class of the mypy-boto3 type stubs, directly or through an Annotated alias declared in
another module, as FastAPI's dependencies are), `pycognito`'s Cognito sign-ins and token
renewals, Azure's sync clients (`azure.storage.blob`'s service, container and blob clients
and their downloads, `azure.cosmos` databases and containers, and the `get_token` of
`azure.identity` credentials; not building a client or a sub-client, which sends nothing),
and queries of `django`'s ORM), TLS contexts that read certificate files
(`ssl.create_default_context`, `SSLContext.load_verify_locations/load_cert_chain`),
`importlib.import_module` and the installed-package metadata of `importlib.metadata`
(`version`, `entry_points`, ...), time zones read from the zone database on their first
lookup (`zoneinfo.ZoneInfo(...)`, `pytz.timezone`, `dateutil.tz.gettz`), and data and image
files: `pandas.read_csv` and the other
pandas readers, `numpy.load/save/loadtxt/savetxt`, `torch.load/save`, `PIL.Image.open`
the tag readers of audio files (`mutagen`, `audio_metadata.load`, `tinytag`, `eyed3`),
and Home Assistant's YAML and JSON file helpers (`homeassistant.util.yaml.load_yaml`,
`homeassistant.util.json.load_json`, `save_json`, `homeassistant.util.file.write_utf8_file`)
(not on an in-memory buffer built in the call, `numpy.load(io.BytesIO(data))`).

Django's ORM: a query through a model's default manager (`Order.objects.get(pk=pk)`,
`Order.objects.filter(...).first()`: `get`, `first`, `last`, `count`, `exists`, `create`,
`get_or_create`, `update`, `delete`, `aggregate` and the others that run one, and the
shortcuts `get_object_or_404` and `get_list_or_404`) raises
`SynchronousOnlyOperation` on a thread whose loop runs, besides waiting on the database.
Building a queryset (`filter`, `exclude`, `order_by`) runs no query and is not reported,
unless it is iterated where it is built (`for invoice in Invoice.objects.filter(...)`, a
comprehension over it, `list(...)`, or a local bound to it once and iterated so), which runs
the query; nor are the async forms (`aget`, `acount`, `async for`, also in a comprehension,
Django 4.1+), which are the fix. A sync function that returns a queryset (`return
Invoice.objects.filter(...)`) runs its query where a caller iterates what it returns: LW103
follows such a call only there. A queryset bound to a name twice is not followed. No fix is
offered: moved to a thread, the builder would still leave the query to the loop. A model whose
`objects` is a manager class of the project is read through that class. A model instance
known by its annotation or its constructor (`invoice: Invoice`, `Invoice(total=0)`) queries
in `save`, `delete` and `refresh_from_db` (async forms `asave`, `adelete`,
`arefresh_from_db`, Django 4.2+) and in `full_clean` and `validate_unique` (which look up
unique fields); a method the model defines is read as the project's own.

A file object's methods count where the file was opened elsewhere: a log file the
constructor opened and a coroutine writes to (`self._log = open(path, "a")`, then
`self._log.write(line)` in an `async def`), a module-level file. A file the coroutine opened
itself is reported once, at its `open`.

Calls are matched however they are spelled: `import sqlite3 as db`, `from sqlite3 import
connect as c`, a module-level alias `connect = sqlite3.connect`, an optional dependency
(`try: import requests` / `except ImportError: requests = None`: the code that runs uses the
module, so the import is the binding read). A name the branches of a module-level `if` import
from different places (`if BUILD_SYNC: from requests import Session` / `else: from aiohttp
import ClientSession as Session`) is read as neither: which one runs is decided at run time.
A branch on the platform or `TYPE_CHECKING` keeps the last binding; a name only `if
TYPE_CHECKING:` imports is there for annotations, and a call through it (`get(url)` after
`if TYPE_CHECKING: from httpx import get`) is no call of what it names: it raises
`NameError` when it runs; of `if
sys.version_info >= (3, 8):` and its `else`, the branch for the newer Pythons. Methods are matched on values
whose type is known: `con = sqlite3.connect(...)`, `self._db = sqlite3.connect(...)` in any
method of the class, a parameter annotated `con: sqlite3.Connection`, `with X(...) as con`,
an optional argument's default (`self.session = session or requests.Session()`, unless the
other operand is known to be of another type), a plain value converted to an object
(`name: str`, then `name = Path(name)`: the path's type, as a name bound to two other known
types has none),
a function's return annotation (also for a module-level name assigned once from a call of
one of the module's functions, `app = create_app()`), the elements of `list[T]` and the
values of `dict[K, T]`
(`for pool in self.pools.values()`, `self.pools["default"]`, `for name, pool in
self.pools.items()`, `for index, conn in enumerate(conns)`), the body of `if isinstance(x,
ThreadPoolExecutor):` (a class the catalog does not know leaves a declared `x: Executor` an
`Executor`, since it is one still), and,
across modules, an attribute declared on a base class in another module, the result of a
function annotated in another module, and a method a project class inherits from a library
class (`class Client(requests.Session)`). A call whose blocking depends on what only its text
shows (a file argument, an in-memory buffer, option bits) is judged only where the module
itself knows the type; a flag passed as a literal (`shutdown(wait=False)`) is honoured either
way.

## Why is this bad?
An event loop is one thread. While a coroutine sits in a blocking call, no other coroutine
of the process runs: every other request waits. A 2 ms `sqlite3` read at 100 requests per
second is 200 ms of stall every second, spread as tail latency over unrelated routes, and a
network call without a timeout can stall the whole service indefinitely.

## Example
```python
import sqlite3

async def get_flag(name: str) -> bool:
    con = sqlite3.connect("flags.db")
    row = con.execute("SELECT on FROM flags WHERE name = ?", (name,)).fetchone()
    return bool(row and row[0])
```

## Use instead
```python
import asyncio
import sqlite3

def _get_flag_sync(name: str) -> bool:
    with sqlite3.connect("flags.db") as con:
        row = con.execute("SELECT on FROM flags WHERE name = ?", (name,)).fetchone()
    return bool(row and row[0])

async def get_flag(name: str) -> bool:
    return await asyncio.to_thread(_get_flag_sync, name)
```
or an async library (`aiosqlite`, `aiofiles`, `httpx.AsyncClient`, `asyncpg`, `redis.asyncio`).

## Not flagged
- A coroutine that runs only on an event loop of its own: a Flask view (`@app.route`,
  `@bp.get`, `app.add_url_rule(..., view_func=view)`, an error handler or request hook, a
  request method of a `MethodView`), on an application or blueprint the module makes or
  imports from another module of the project, and every coroutine that only such
  coroutines await directly (`await helper()`). Flask serves each request on a thread and
  runs an async view through asgiref's `async_to_sync`, on a new loop nothing else runs on:
  the call stalls that request alone. A coroutine a view hands to `asyncio.gather` or
  `create_task` shares the view's loop with its siblings, and one also awaited elsewhere may
  run on a shared loop: both are reported. So is every view of Quart, which runs them all on
  one loop, and every Flask view of a project that serves Flask from an ASGI server through
  asgiref's `WsgiToAsgi` (`async_to_sync` then hands each view to the server's loop).
- A program's entry coroutine before anything else can wait on its loop: a module-level
  `async def` its module runs with a loop runner (`asyncio.run(main(argv))`,
  `loop.run_until_complete(main())`) and names nowhere else (or such a method of a
  module-level class, `asyncio.run(self.serve())`, or such a function nested in another and
  run there, as a thread's target runs one on a loop of its own), up to its first `await`
  (what that `await` awaits is made before it suspends: `await MessageBus().connect()`),
  `async with` or `async for` and its first call that schedules other work (`create_task`,
  `ensure_future`, `gather`, `call_soon`...), or up to the loop statement around the first
  of those. A script reading its settings there stalls nothing: no other task or callback
  exists yet. From that point on what the awaited code started (a server, a client's
  keep-alive task) may be waiting, and blocking is reported as anywhere else. A suspension
  in a block that ends the process (below) does not end that stretch: what follows the
  block runs only when it did not (`if args.list: print(await fetch()); sys.exit(0)`).
  A module-level `async def` that the entry coroutine awaits at its first suspension
  (`users = await read_users(argv[1])`), named nowhere else in its module, starts alone
  too, and is exempt the same way up to its own first suspension; so is one such a helper
  awaits first. (A helper of another module is reported: the module that defines it cannot
  tell who else awaits it.)
- An application's lifespan before anything else can wait on its loop: an
  `@asynccontextmanager` `async def` of the module that the module hands to a call as
  `lifespan=` (`app = FastAPI(lifespan=lifespan)`, `Starlette(lifespan=...)`), up to its
  first `await`, `async with`, `async for`, scheduling call or `yield`. The server runs that
  part at start-up, before it accepts a connection: loading settings or a model there delays
  the start, and stalls no request. What follows the first suspension, and the shutdown after
  `yield`, are reported as anywhere else. The same for a module-level start-up handler, the
  older spelling: `@app.on_event("startup")`, `@app.on_startup`, Quart's
  `@app.before_serving`, Sanic's `@app.before_server_start`, or a coroutine registered with
  `app.add_event_handler("startup", f)`, `FastAPI(on_startup=[f])` or aiohttp's
  `app.on_startup.append(f)`, up to its first suspension. Shutdown handlers are reported.
- A call on the way out of the process: in a block that ends with `sys.exit(...)`, `exit()`,
  `os._exit`, `os.abort`, an `os.exec*` or `raise SystemExit`, or in a block holding one
  that does (a "press enter to exit" prompt before `exit(1)`, a session file renamed
  before the program re-executes itself), when nothing between the call and the exit
  suspends (no `await`, `async for` or `async with` after it in that block, no loop around
  it there that suspends): the loop's tasks end with the process, and none runs again. A
  block that ends by raising another error is not one: a caller may catch it and go on. (LW103 keeps no blocking site there either: a sync helper that
  prompts and exits does not make its callers block.)
- Code in a plain `def` or `lambda`, including one handed to `loop.run_in_executor`,
  `asyncio.to_thread`, `anyio.to_thread.run_sync`, `run_in_threadpool` or `executor.submit`:
  that code runs on a worker thread. (A sync helper called *directly* from a coroutine is
  LW103's business.)
- A generator function's call passed on to such a hand-off
  (`await asyncio.to_thread(list, root.rglob("*"))`, `os.walk`, `glob.iglob`, `Path.glob`,
  redis's `scan_iter`): the call only builds the generator, and the worker thread iterates it.
  `os.scandir` opens the directory and, from Python 3.13, `Path.iterdir` lists it when called:
  flagged. So is a generator given to `executor.map`, which zips its iterables on the calling
  thread.
- Async APIs: `aiofiles`, `aiosqlite`, `redis.asyncio`, `httpx.AsyncClient`, `asyncpg`, `anyio.Path`.
- `fetchone`/`fetchmany`/`fetchall` of a `psycopg2`, `psycopg` or `pymysql` cursor: a client-side
  cursor's `execute` (reported) takes every row, and the fetches read them from memory. A
  named (server-side) cursor's fetches do go to the server, and are not told apart: not
  reported. A `sqlite3` cursor's fetches step the query on the database file: reported.
- A method of a value whose type the module inferred, when the code awaits the call, enters it
  with `async with` or iterates it with `async for` (`async with self.engine.begin()` where the
  module only saw a sync engine made): a sync API's result supports none of these, so the value
  is the async kind (made on another branch, or narrowed by `isinstance`). The same holds for
  a type only the link knows (`self.db` annotated `Session` on a base class of another module,
  whose async subclass is handed an `AsyncSession`: `await self.db.commit()`). A module
  function awaited by mistake (`await time.sleep(1)`) still blocks before it fails, and is
  flagged; but a builtin's name awaited in a module with a star import (`from ui import *`
  then `await input("Name")`) is taken for what the star import bound: the builtin's result
  could not be awaited.
- The non-blocking forms: `lock.acquire(blocking=False)`, `queue.get(block=False)`, and a wait
  with a zero timeout (`thread.join(timeout=0)`, `event.wait(0)`, `process.join(0)`), which
  returns at once; so does `time.sleep(0)`, which only lets other threads take the GIL. A
  `put` on a thread queue made without a bound (`queue.Queue()` or `multiprocessing.Queue()`,
  no `maxsize` or one of `0` or less), when every assignment the module makes to the name, or
  to the attribute in the class's methods, is such a queue: it never waits for room. The same
  for a queue the module makes nowhere itself (a parameter, a parameter kept on `self`, a
  field of another object: `state.text_queue.put(x)`) when every thread queue the module
  makes is unbounded, and it makes at least one. And a `put` on an attribute of a class of
  another module (`pool.work.put(job)` with `pool: Pool`) that the class's methods only ever
  set to such a queue, or to `None` (decided at the link, which knows the class; so is the
  same `put` in a sync helper a coroutine calls, for LW103). A `get` on a thread queue the
  code has just seen is not empty, with no await since: inside `while not q.empty():` or
  `if q.qsize():` (the drain idiom), or right after `while q.empty(): await
  asyncio.sleep(...)` with no `break` (only another thread taking the item in between could
  make it wait).
- `fut.result()` or `fut.exception()` of a `concurrent.futures.Future` the code has seen
  settled: inside `if fut.done():` (alone or `and`-ed), after `if not fut.done():` whose body
  always leaves (`return`, `raise`, `continue`, `break`), or after `fut.set_result(...)` /
  `fut.set_exception(...)` earlier in the same block. A settled future stays settled. Likewise
  `proc.wait()` of a `subprocess.Popen` whose exit the code has seen: inside `if proc.poll() is
  not None:`, after `if proc.poll() is None:` whose body always leaves, or after a loop `while
  proc.poll() is None: await asyncio.sleep(...)` with no `break`.
- `zipfile.ZipFile`, `tarfile.open`/`TarFile` on an in-memory buffer (`io.BytesIO(...)`, or a
  name bound to one): no file is read or written. A stream wrapper of one
  (`io.TextIOWrapper(io.BytesIO(data))`, `io.BufferedReader(...)`) is typed as the in-memory
  stream it behaves as, so its reads and writes are not reported either, also through an
  attribute every assignment of which wraps one. Likewise `sqlite3.connect(":memory:")`: the
  database lives in memory (the queries on it are still reported). And
  `socket.getaddrinfo(..., flags=socket.AI_NUMERICHOST)` (also among other flags, or through
  a module constant assigned once to them): a numeric address is parsed, no name is looked
  up.
- Acquiring a `threading.Lock`/`RLock`/`Semaphore`/`BoundedSemaphore`/`Condition` (`with lock:`
  or `lock.acquire()`) whose critical sections in the module never block: a lock around a dict
  update or a list append is held for microseconds, so waiting for it does not stall the loop.
  The lock is followed as an attribute of a class of the module (`self.<attr>` in its
  methods, or `<value>.<attr>` where the value's type is that class: `mailbox.ready`,
  `self.office.mailbox.ready`), as a module-level name, or as a local a function makes for
  its nested functions (a decorator's closure); its critical sections are the bodies of
  `with lock:` and the statements after `lock.acquire()` until `lock.release()`, in every
  function of the module, sync or async. A section *blocks* when it makes a catalogued
  blocking call (metadata syscalls aside), awaits (a thread lock held across an `await`
  stays held while other coroutines run), or calls a function of the same module that
  blocks, directly or through other functions of the module. Waiting on the held condition
  itself (`cond.wait()`, `cond.wait_for()`) does not count: it lets go of the lock while it
  waits (it still counts for any other lock held around it), and neither does acquiring the
  same lock again. A section ends at `lock.release()`: the innermost block that acquires or
  releases the lock before a call decides whether it is held there (`lock.release()` just
  before the `await` inside a loop lets go of the lock taken before the loop), and a `try`
  whose `finally` releases it (`lock.release()`, or `if held: lock.release()`) ends the
  section after the `try`. A lock a function makes afresh on each call (`lock =
  threading.Lock()`) is shared only with the functions nested in it: what the function's own
  sections do keeps none of its acquisitions waiting, and only its nested functions' sections
  count. When a section blocks, the
  acquisition IS reported, and the message names the row where the lock is held so. A lock
  known only by a parameter or an attribute of a class elsewhere is reported as before: its
  critical sections are not known.
  Sections in other modules are not seen.
- A method of a socket that the function made non-blocking (`sock.setblocking(False)`,
  `sock.settimeout(0)`), or that is called in the body of a `try` that catches
  `BlockingIOError` (the wait loop of a non-blocking socket: it returns at once and the loop
  waits for readiness).
- `connect` on a datagram socket: a name or `self` attribute every assignment of which in the
  module is `socket.socket(family, socket.SOCK_DGRAM)` (a `with ... as` target included; a
  `probe = None` placeholder before it, for a `finally` to test, does not count).
  Connecting a UDP socket only records the peer's address; the usual use is learning which
  local address routes to a host. Its `send`/`recv` still count. The same holds for LW103
  chains through such a call.
- `json.load`/`json.dump` on something not known to be a file (an `io.StringIO`, say).
- `os.write` to the process's own standard output or error (`os.write(2, data)`,
  `os.write(sys.stderr.fileno(), data)`): what `print` and `logging` do, which is not
  reported either. Any other descriptor is.
- `tempfile.SpooledTemporaryFile(...)`: it stays in memory until it outgrows `max_size`.
- `urllib.request.urlopen` of a `data:` URI (a literal, or a name the function checked with
  `if not uri.startswith("data:"): raise` first): it decodes the URI in memory. The same
  holds for LW103 chains through such a call.
- A value whose type is not known: loopwarden does not guess.

## Fix
Unsafe (the call moves to a worker thread, so thread-safety of what it touches matters):
`await asyncio.to_thread(f, *args, **kwargs)`, offered when the target is Python 3.9 or newer
and the call is not inside a comprehension, a generator expression, a lambda or a nested
`def` (an `await` there is a syntax error or makes the generator asynchronous);
`import asyncio` is added when the module lacks it. `time.sleep(secs)` alone on its line
becomes `await asyncio.sleep(secs)` instead: it waits as long without holding a worker
thread, and a cancellation ends it at once. The fix keeps the program working:
- An object that belongs to the thread that made it (a `sqlite3` connection or cursor, a
  SQLAlchemy `Connection` or `Session`) is never used call by call from whichever thread the
  executor picks: the statements from the one that makes it to the last that uses it move
  into a new sync function beside the coroutine (its parameters: the locals they read; its
  result: the locals they bind that are read later), run once with
  `await asyncio.to_thread(helper, ...)`. Where they cannot move as they are (the object is
  made elsewhere, stored on an attribute, returned, used across an `await`, or the
  statements also call asyncio or the loop's own objects, which a worker thread must not
  touch, or read thread-local storage, set a context variable or install a signal handler,
  which would act on the worker thread's state, or name the object of a method of a Textual app, screen or widget, which only the
  app's thread may touch), there is no fix and the help says why. The helper is named after the coroutine
  (`_<class>_<method>_sync` for a method) and goes before the statement that holds it; a
  coroutine whose name its class or module defines twice gets none. Statements that end in
  a `return` move too when nothing of the coroutine follows them: the coroutine returns what
  the helper does.
- A file the coroutine opens, names (`with open(p) as f:`, `f = open(p)`) and then reads
  or writes moves the same way, from the `open` to the last statement that names the file:
  moving the `open` alone would leave every read and write on the loop, and a coroutine
  cancelled during a write would close the file under the worker thread still writing it.
  Where the statements cannot move (an `await` among them, the file stored or returned, a
  `return` with more of the coroutine after it, a call the module cannot name that is not
  made on the file, which may touch the loop's objects, thread-local storage or a context
  variable set, the object of a Textual app's or widget's method), the `open` alone moves,
  as before.
- An acquisition the calling thread comes to own (`RLock.acquire`, `Condition.acquire`): a
  worker thread that took it would own it, and the release on the loop's thread would raise
  `RuntimeError`. Nor any other acquisition (`Lock.acquire`, a semaphore's): a worker thread
  still takes it when the coroutine awaiting the worker is cancelled, and then nothing
  releases it. Nor a read of the terminal (`input()`, `getpass.getpass()`): a worker thread
  waiting for a line keeps the program from exiting on Ctrl-C until one is typed. No fix
  for these; the help says why.
- A module that imports `trio`, `anyio` or `curio` and not `asyncio`: its coroutines run under
  that library's loop, where `asyncio.to_thread` finds no asyncio loop. No fix there. Nor in
  the methods of an event loop's own class (one that defines `run_in_executor`,
  `shutdown_default_executor` or `call_soon`, or derives from a class named `...EventLoop`):
  `asyncio.to_thread` goes through the running loop's `run_in_executor`, which is that code.
- A call whose iterator does the work as it is iterated (`os.scandir`, `os.walk`,
  `Path.iterdir`, `Path.glob`; pandas' text readers given `chunksize=` or `iterator=True`)
  moves with the builtin that consumes it, in a lambda
  (`await asyncio.to_thread(lambda: sorted(path.iterdir()))`: the call itself does work too,
  all of it from Python 3.13 for `iterdir`, and pandas opens the file), or has no fix.
- A blocking call whose result another blocking call consumes (`open(p).read()`,
  `json.load(open(p))`) moves with it: `await asyncio.to_thread(lambda: json.load(open(p)))`.
- A call in the branch of an `if` that tests shared state (an attribute of `self`, `cls` or
  a module-level name, such as `self._context`, or a global the function declares; not an
  attribute of a local) which the branch then sets, at the
  call or after it (`if self._context is None: self._context =
  ssl.create_default_context(...)`): an `await` there would let a second coroutine pass the
  test before the first sets the state, and both would make the object (the race LW601
  reports). No fix; the help says to make the value before the check or hold an
  `asyncio.Lock` around both. A branch that sets the state before the call keeps its fix.
- A call in a section under a thread's lock (a sync `with` of a `threading` lock, or of a
  name that says it is a lock, since an `asyncio` lock takes no sync `with`; or after a
  `threading` lock's `acquire()`): an `await` there would suspend the coroutine while it
  holds the lock, and the next coroutine to take it would block the loop's thread for good.
  No fix; the help says to move the call out of the section.
- A call in the body of a `try` with a handler that catches cancellation (bare `except:`,
  `BaseException`, `CancelledError`) and never raises: the added `await` is where the task's
  cancellation would land, and the handler would swallow it (LW403's bug, made by the fix).
  No fix; the help says so.

Else the help line names the async library to use.
"#;

/// The finding's message for a blocking call to `path`.
fn message(path: &str) -> String {
    if crate::catalog::blocks_when_iterated(path) {
        return format!(
            "The value of `{}` is iterated in async function: iterating it runs a blocking query that stalls the event loop",
            display_path(path)
        );
    }
    format!(
        "Blocking call `{}` in async function stalls the event loop",
        display_path(path)
    )
}

/// Reports the blocking I/O calls in coroutines that only the link could judge (a method
/// of a value typed in another module).
pub(crate) fn check_project(
    project: &Project,
    facts: &Facts,
    report: &mut dyn FnMut(usize, Diagnostic),
) {
    linked_blocking_diagnostics(
        project,
        facts,
        Rule::BlockingIoInAsync,
        Blocking::Io,
        message,
        report,
    );
}

/// Reports `call` (a blocking I/O API, in async context).
pub(crate) fn check_call(
    checker: &mut Checker,
    call: &ast::ExprCall,
    path: &str,
    api: &BlockingApi,
) {
    let message = message(path);
    let diagnostic = blocking_call_diagnostic(checker, Rule::BlockingIoInAsync, message, call, api);
    // `lock.acquire()`: reported only if the lock is held around blocking work somewhere.
    match held_locks::acquired_lock(checker, call, path) {
        Some(key) => defer(checker, key, diagnostic),
        None => checker.summary.hold_blocking_finding(diagnostic),
    }
}

/// `with lock:` on a `threading` lock in async context waits on the loop's thread.
pub(crate) fn check_with(checker: &mut Checker, with: &ast::StmtWith) {
    for item in &with.items {
        let Some(type_name) = checker.model.type_of(&item.context_expr) else {
            continue;
        };
        if THREADING_LOCKS.contains(&type_name.as_str()) {
            let diagnostic = Diagnostic::new(
                Rule::BlockingIoInAsync,
                format!("`with` on a `{type_name}` in async function blocks the event loop while it waits"),
                item.context_expr.range(),
            )
            .with_help("Use an `asyncio.Lock` (`async with lock:`) for coroutines");
            match lock_key(checker, &item.context_expr) {
                Some(key) => defer(checker, key, diagnostic),
                None => checker.summary.hold_blocking_finding(diagnostic),
            }
        }
    }
}

/// Acquisitions of a lock the module's sections can be read for, in async context, waiting
/// for the verdict on their lock (per-module state).
#[derive(Default)]
struct PendingAcquisitions(Vec<(LockKey, Diagnostic)>);

/// Holds `diagnostic` (an acquisition of `key` in async context) until the module has been
/// walked.
fn defer(checker: &Checker, key: LockKey, diagnostic: Diagnostic) {
    checker
        .rule_state::<PendingAcquisitions>()
        .0
        .push((key, diagnostic));
}

/// Once the module is walked: reports every pending acquisition whose lock is held around
/// blocking work somewhere, naming where.
pub(crate) fn finish_module(checker: &mut Checker) {
    let pending = std::mem::take(&mut checker.rule_state::<PendingAcquisitions>().0);
    if pending.is_empty() {
        return;
    }
    held_locks::settle(checker);
    for (key, mut diagnostic) in pending {
        if let Some((row, what)) = held_locks::held_around_blocking(checker, &key) {
            diagnostic.message = format!(
                "{}: the lock is held around {what} at row {row}",
                diagnostic.message
            );
            checker.report(diagnostic);
        }
    }
}
