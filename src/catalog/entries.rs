//! The shape of a catalog entry: a library's functions and classes, each API with all its
//! facts in one place, and the shorthands the family files write them with. Data only:
//! the lookup tables are built from these in `mod.rs`.

/// Which rule a blocking call belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Blocking {
    /// LW101: file, socket, database, process, sleeping and waiting.
    Io,
    /// LW102: CPU-heavy hashing and key derivation.
    Cpu,
    /// LW105: a stat-like metadata syscall.
    FsMetadata,
}

/// What a blocking call waits on: one per family of the catalog. LW103 names the most
/// serious call of a helper that has several (a round trip before a local file read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockingKind {
    Network,
    Database,
    Process,
    /// Sleeping, and waiting on a lock, an event, another thread or a future.
    Wait,
    Cpu,
    File,
}

impl BlockingKind {
    /// Higher is more serious. A network, database or process round trip, a sleep or a wait
    /// and CPU-heavy hashing hold the loop for milliseconds to seconds, unbounded for
    /// waits; a local file operation usually for microseconds, unless the disk is slow
    /// or remote. A call the configuration lists as blocking, whose kind is unknown, ranks
    /// below both (see [`BlockingKind::severity_of`]).
    pub fn severity(self) -> u8 {
        match self {
            BlockingKind::File => 1,
            BlockingKind::Network
            | BlockingKind::Database
            | BlockingKind::Process
            | BlockingKind::Wait
            | BlockingKind::Cpu => 2,
        }
    }

    /// The severity of a call of this kind, or of unknown kind (`None`: listed in the
    /// configuration's `blocking-calls`).
    pub fn severity_of(kind: Option<BlockingKind>) -> u8 {
        kind.map_or(0, BlockingKind::severity)
    }
}

/// An argument that turns a blocking call into a non-blocking one (`lock.acquire(blocking=False)`,
/// `queue.get(block=False)`, `queue.get(False)`, `thread.join(timeout=0)`): the keyword name
/// and its positional index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonBlockingFlag {
    pub keyword: &'static str,
    pub position: usize,
    /// The argument is a timeout, and `0` makes the call return at once (otherwise it is a
    /// flag, and `False` does).
    pub zero_timeout: bool,
    /// The argument is a set of option bits, and this one makes the call return at once
    /// (`os.waitpid(pid, os.WNOHANG)`, also or-ed with others).
    pub option_bit: Option<&'static str>,
}

/// Where an archive opener takes the file it reads or writes (`zipfile.ZipFile(file)`,
/// `tarfile.open(fileobj=...)`): an in-memory buffer there (`io.BytesIO`) means no file I/O.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BufferArgument {
    pub keyword: &'static str,
    pub position: usize,
}

/// How a call blocks the event loop, and what to use instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockingApi {
    pub category: Blocking,
    /// The async library or API to suggest instead, when there is one.
    pub alternative: Option<&'static str>,
    pub non_blocking_flag: Option<NonBlockingFlag>,
    /// Only blocking when the first argument is a known file object (`json.load(f)`).
    pub needs_file_argument: bool,
    /// A string argument that makes the call work in memory when it starts with a prefix:
    /// `urlopen("data:...")` decodes the URI, no network involved.
    pub in_memory_prefix: Option<InMemoryPrefix>,
    /// Not blocking when this argument is an in-memory buffer (`io.BytesIO`).
    pub buffer_argument: Option<BufferArgument>,
}

/// The argument (keyword name and position) and the prefix of [`BlockingApi::in_memory_prefix`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InMemoryPrefix {
    pub keyword: &'static str,
    pub position: usize,
    pub prefix: &'static str,
}

impl BlockingApi {
    pub const fn in_memory_with_prefix(
        self,
        keyword: &'static str,
        position: usize,
        prefix: &'static str,
    ) -> Self {
        BlockingApi {
            in_memory_prefix: Some(InMemoryPrefix {
                keyword,
                position,
                prefix,
            }),
            ..self
        }
    }
}

/// Where a call takes the function it runs elsewhere: `to_thread(func, ...)`,
/// `Thread(group, target)`. The keyword name and its positional index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FunctionArgument {
    pub keyword: &'static str,
    pub position: usize,
}

/// What bounds an awaited network operation when no deadline encloses it (LW501).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkDefault {
    /// Raw asyncio streams and event-loop socket calls: no timeout at all.
    Streams,
    /// `recv()` on a `websockets` connection: waits for the next message forever.
    WebsocketRecv,
    /// `websockets.connect()`: a 10 s `open_timeout` unless it is set to `None`.
    WebsocketConnect,
    /// An `aiohttp` request: only a `timeout=` on the call or on its `ClientSession` bounds it
    /// (the session default is 300 s total and nothing per read).
    Aiohttp,
    /// An `httpx.AsyncClient` request: 5 s by default, unbounded only with `timeout=None` on
    /// the call or on the client.
    Httpx,
}

/// A function or a method, with every fact the rules use about calling it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Api {
    /// The qualified path of a function (`sqlite3.connect`), or the name of a method within
    /// its [`Class`] (`execute`).
    pub name: &'static str,
    /// How a call blocks the loop (LW101, LW102, LW105); `None`: it does not. A method listed
    /// without it does not block even when its class's `other_methods` do.
    pub blocking: Option<BlockingApi>,
    /// The type of the value a call returns.
    pub returns: Option<&'static str>,
    /// A coroutine function: a call does nothing until awaited (LW302, LW303).
    pub coroutine: bool,
    /// An awaited network operation, and what bounds it without a deadline (LW501).
    pub network: Option<NetworkDefault>,
    /// Runs an event loop on the calling thread, so it raises inside a running loop (LW202).
    pub runs_loop: bool,
    /// Must run on the event loop's own thread: not thread-safe, or raises where no loop
    /// runs (LW104).
    pub loop_affine: bool,
    /// Raises `RuntimeError` where no loop runs on the calling thread
    /// (`asyncio.create_task`): on a worker thread it fails loudly instead of racing (LW104).
    pub needs_running_loop: bool,
    /// Runs a function it is given on another thread, passed there (LW104).
    pub thread_handoff: Option<FunctionArgument>,
    /// Has the event loop run a sync function it is given, passed there, on the loop's
    /// thread (`loop.call_soon(f)`, `task.add_done_callback(f)`): if `f` blocks, the loop
    /// blocks (LW103).
    pub loop_callback: Option<FunctionArgument>,
    /// Returns an iterator that does the blocking work while it is iterated (`os.scandir`,
    /// `Path.iterdir`): moving the call alone to a thread moves nothing (the fixes).
    pub lazy: bool,
    /// A generator function's call: it does nothing until its generator is iterated
    /// (`os.walk`, `Path.rglob`), so built on the loop and handed to a worker thread
    /// (`asyncio.to_thread(list, p.rglob("*"))`) it blocks only there. Implies [`Api::lazy`].
    /// Not `os.scandir` or, from Python 3.13, `Path.iterdir`: they open or list the
    /// directory when called.
    pub generator: bool,
    /// Why a call must not move to a worker thread, when it must not (an `RLock`'s
    /// acquisition, `input()`): the fixes leave it alone and the help says why.
    pub stays_on_its_thread: Option<StaysOnItsThread>,
    /// Keywords that make a call return an iterator doing the work as it is iterated, like
    /// [`Api::lazy`] (`pandas.read_csv(path, chunksize=1000)`), when passed a value other than
    /// `None` or `False`.
    pub lazy_keywords: &'static [&'static str],
    /// Builds a value that does its blocking work when iterated, and nothing before (a Django
    /// queryset: `Order.objects.filter(...)` runs its query at `for order in ...`): its
    /// [`Api::blocking`] applies only where the call's value is iterated as it is made.
    pub blocks_when_iterated: bool,
}

/// Why a blocking call gets no fix that moves it to a worker thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaysOnItsThread {
    /// It takes something the calling thread then owns (an `RLock`'s acquisition): the
    /// worker would own it, and the release on the loop's thread raises.
    OwnedByCaller,
    /// It takes something nothing releases if the coroutine awaiting the worker is cancelled
    /// (a `Lock`'s or a semaphore's acquisition): the worker still takes it, and every later
    /// acquisition waits for ever.
    TakenWhenCancelled,
    /// It reads the terminal (`input()`, `getpass.getpass()`): a worker blocked on it keeps
    /// the program from exiting on Ctrl-C until a line is typed.
    ReadsTerminal,
}

/// A type: how code names it, its methods, and what its attributes, items and instances are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Class {
    /// The canonical qualified name: the type of its instances, the owner in its methods'
    /// paths.
    pub path: &'static str,
    /// Other spellings of the class (re-exports, subclasses that behave the same):
    /// `requests.sessions.Session`, `smtplib.SMTP_SSL`.
    pub aliases: &'static [&'static str],
    /// Calling the class (by its path or an alias) builds an instance of it. False for a type
    /// known for its methods only, whose instances come from calls (`psycopg2.connect()`).
    pub constructible: bool,
    /// Calling the class blocks: `ftplib.FTP(host)` connects.
    pub constructor_blocking: Option<BlockingApi>,
    /// Calling the class runs a function it is given on another thread
    /// (`threading.Thread(target=f)`).
    pub constructor_thread_handoff: Option<FunctionArgument>,
    /// Calling the class takes the calling thread's event loop (`asyncio.Future()`): a use
    /// of the loop that raises on a thread where none runs, unless the call passes `loop=`
    /// ([`super::loop_given_by_argument`]).
    pub constructor_uses_loop: bool,
    /// Its methods with their facts (a method's `name` is the bare method name).
    pub methods: &'static [Api],
    /// How every public method not listed in `methods` blocks: a client whose every call is a
    /// round trip (`redis.Redis`).
    pub other_methods: Option<BlockingApi>,
    /// Attributes with a known type (`Path(...).parent` is a `Path`).
    pub attributes: &'static [(&'static str, &'static str)],
    /// The type of `value[...]` and of every attribute not in `attributes`: `client.db` and
    /// `client["db"]` of a `MongoClient` are `Database`s.
    pub item_type: Option<&'static str>,
    /// The type `value / x` produces.
    pub division_type: Option<&'static str>,
    /// Instances are file objects (for `json.load(f)`).
    pub file_object: bool,
    /// Instances are locks: code inside `async with`/`with` one cannot interleave with itself
    /// (LW601).
    pub lock: bool,
    /// Instances belong to the thread that made them: using one from another thread raises
    /// (`sqlite3` connections and cursors): a fix moves their whole use to one thread.
    pub thread_bound: bool,
}

/// Classes of one module that all have the same methods: every `passlib.hash.<scheme>`
/// (`passlib.hash.bcrypt.hash`, `passlib.hash.argon2.verify`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClassFamily {
    /// The module the classes are members of.
    pub module: &'static str,
    pub methods: &'static [Api],
}

/// One library as code imports it: every catalogued function and class under one import
/// root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Library {
    /// The import root every path of the library starts with (`sqlite3`, `http.client`), and
    /// the name the rules' documentation uses for it.
    pub name: &'static str,
    /// Module-level callables: functions, and classes called only for what the call does
    /// (`zipfile.ZipFile(...)` opens a file; its instances are not followed).
    pub functions: &'static [Api],
    pub classes: &'static [Class],
    pub class_families: &'static [ClassFamily],
}

impl Api {
    /// An API with no facts yet: the builder methods below add them.
    pub const fn new(name: &'static str) -> Self {
        Api {
            name,
            blocking: None,
            returns: None,
            coroutine: false,
            network: None,
            runs_loop: false,
            loop_affine: false,
            needs_running_loop: false,
            thread_handoff: None,
            loop_callback: None,
            lazy: false,
            generator: false,
            stays_on_its_thread: None,
            lazy_keywords: &[],
            blocks_when_iterated: false,
        }
    }

    pub const fn lazy(self) -> Self {
        Api { lazy: true, ..self }
    }

    pub const fn generator(self) -> Self {
        Api {
            lazy: true,
            generator: true,
            ..self
        }
    }

    pub const fn lazy_with(self, keywords: &'static [&'static str]) -> Self {
        Api {
            lazy_keywords: keywords,
            ..self
        }
    }

    pub const fn stays_on_its_thread(self, why: StaysOnItsThread) -> Self {
        Api {
            stays_on_its_thread: Some(why),
            ..self
        }
    }

    pub const fn blocks(self, blocking: BlockingApi) -> Self {
        Api {
            blocking: Some(blocking),
            ..self
        }
    }

    /// Blocks as `blocking` says where its value is iterated as it is made (the iterable of
    /// a `for` or a comprehension, `list(...)`), and nowhere else.
    pub const fn blocks_when_iterated(self, blocking: BlockingApi) -> Self {
        Api {
            blocking: Some(blocking),
            blocks_when_iterated: true,
            // Moving the call alone to a thread would move nothing: it builds the value.
            lazy: true,
            ..self
        }
    }

    pub const fn returns(self, type_name: &'static str) -> Self {
        Api {
            returns: Some(type_name),
            ..self
        }
    }

    pub const fn coroutine(self) -> Self {
        Api {
            coroutine: true,
            ..self
        }
    }

    pub const fn network(self, default: NetworkDefault) -> Self {
        Api {
            network: Some(default),
            ..self
        }
    }

    pub const fn runs_loop(self) -> Self {
        Api {
            runs_loop: true,
            ..self
        }
    }

    pub const fn needs_running_loop(self) -> Self {
        Api {
            needs_running_loop: true,
            ..self
        }
    }

    pub const fn loop_affine(self) -> Self {
        Api {
            loop_affine: true,
            ..self
        }
    }

    pub const fn hands_off(self, keyword: &'static str, position: usize) -> Self {
        Api {
            thread_handoff: Some(FunctionArgument { keyword, position }),
            ..self
        }
    }

    pub const fn runs_on_loop(self, keyword: &'static str, position: usize) -> Self {
        Api {
            loop_callback: Some(FunctionArgument { keyword, position }),
            ..self
        }
    }
}

impl Class {
    /// A class whose call builds an instance of it, with no facts yet.
    pub const fn new(path: &'static str) -> Self {
        Class {
            path,
            aliases: &[],
            constructible: true,
            constructor_blocking: None,
            constructor_thread_handoff: None,
            constructor_uses_loop: false,
            methods: &[],
            other_methods: None,
            attributes: &[],
            item_type: None,
            division_type: None,
            file_object: false,
            lock: false,
            thread_bound: false,
        }
    }

    /// A type known for its methods and attributes only: code gets its instances from calls
    /// (`psycopg2.connect()`), and calling the type itself is not catalogued.
    pub const fn type_only(path: &'static str) -> Self {
        Class {
            constructible: false,
            ..Class::new(path)
        }
    }

    pub const fn aliases(self, aliases: &'static [&'static str]) -> Self {
        Class { aliases, ..self }
    }

    pub const fn constructor_blocks(self, blocking: BlockingApi) -> Self {
        Class {
            constructor_blocking: Some(blocking),
            ..self
        }
    }

    pub const fn constructor_hands_off(self, keyword: &'static str, position: usize) -> Self {
        Class {
            constructor_thread_handoff: Some(FunctionArgument { keyword, position }),
            ..self
        }
    }

    pub const fn constructor_uses_loop(self) -> Self {
        Class {
            constructor_uses_loop: true,
            ..self
        }
    }

    pub const fn methods(self, methods: &'static [Api]) -> Self {
        Class { methods, ..self }
    }

    pub const fn other_methods(self, blocking: BlockingApi) -> Self {
        Class {
            other_methods: Some(blocking),
            ..self
        }
    }

    pub const fn attributes(self, attributes: &'static [(&'static str, &'static str)]) -> Self {
        Class { attributes, ..self }
    }

    pub const fn item_type(self, type_name: &'static str) -> Self {
        Class {
            item_type: Some(type_name),
            ..self
        }
    }

    pub const fn division_type(self, type_name: &'static str) -> Self {
        Class {
            division_type: Some(type_name),
            ..self
        }
    }

    pub const fn file_object(self) -> Self {
        Class {
            file_object: true,
            ..self
        }
    }

    pub const fn lock(self) -> Self {
        Class { lock: true, ..self }
    }

    pub const fn thread_bound(self) -> Self {
        Class {
            thread_bound: true,
            ..self
        }
    }
}

impl Library {
    pub const fn new(name: &'static str) -> Self {
        Library {
            name,
            functions: &[],
            classes: &[],
            class_families: &[],
        }
    }

    pub const fn functions(self, functions: &'static [Api]) -> Self {
        Library { functions, ..self }
    }

    pub const fn classes(self, classes: &'static [Class]) -> Self {
        Library { classes, ..self }
    }

    pub const fn class_families(self, class_families: &'static [ClassFamily]) -> Self {
        Library {
            class_families,
            ..self
        }
    }

    /// Whether any call the library catalogues blocks in the given way.
    pub fn blocks(&self, category: Blocking) -> bool {
        let is = |blocking: &Option<BlockingApi>| {
            blocking.is_some_and(|blocking| blocking.category == category)
        };
        self.functions.iter().any(|api| is(&api.blocking))
            || self.classes.iter().any(|class| {
                is(&class.constructor_blocking)
                    || is(&class.other_methods)
                    || class.methods.iter().any(|method| is(&method.blocking))
            })
            || self
                .class_families
                .iter()
                .any(|family| family.methods.iter().any(|method| is(&method.blocking)))
    }
}

// Shorthands for the blocking facts the family files repeat.

pub(super) const fn io(alternative: Option<&'static str>) -> BlockingApi {
    BlockingApi {
        category: Blocking::Io,
        alternative,
        non_blocking_flag: None,
        needs_file_argument: false,
        in_memory_prefix: None,
        buffer_argument: None,
    }
}

pub(super) const fn flagged(keyword: &'static str, position: usize) -> BlockingApi {
    BlockingApi {
        non_blocking_flag: Some(NonBlockingFlag {
            keyword,
            position,
            zero_timeout: false,
            option_bit: None,
        }),
        ..io(None)
    }
}

/// A wait that returns at once with a timeout of `0` (`thread.join(timeout=0)`).
pub(super) const fn timed(
    alternative: Option<&'static str>,
    keyword: &'static str,
    position: usize,
) -> BlockingApi {
    BlockingApi {
        non_blocking_flag: Some(NonBlockingFlag {
            keyword,
            position,
            zero_timeout: true,
            option_bit: None,
        }),
        ..io(alternative)
    }
}

/// A wait on child processes that returns at once when its options include `bit`
/// (`os.waitpid(pid, os.WNOHANG)`).
pub(super) const fn unless_option(
    alternative: Option<&'static str>,
    keyword: &'static str,
    position: usize,
    bit: &'static str,
) -> BlockingApi {
    BlockingApi {
        non_blocking_flag: Some(NonBlockingFlag {
            keyword,
            position,
            zero_timeout: false,
            option_bit: Some(bit),
        }),
        ..io(alternative)
    }
}

/// An archive opener: file I/O unless its file is an in-memory buffer.
pub(super) const fn archive(keyword: &'static str, position: usize) -> BlockingApi {
    BlockingApi {
        category: Blocking::Io,
        alternative: None,
        non_blocking_flag: None,
        needs_file_argument: false,
        in_memory_prefix: None,
        buffer_argument: Some(BufferArgument { keyword, position }),
    }
}

pub(super) const CPU: BlockingApi = BlockingApi {
    category: Blocking::Cpu,
    alternative: None,
    non_blocking_flag: None,
    needs_file_argument: false,
    in_memory_prefix: None,
    buffer_argument: None,
};

pub(super) const METADATA: BlockingApi = BlockingApi {
    category: Blocking::FsMetadata,
    alternative: Some("aiofiles.os / anyio.Path"),
    non_blocking_flag: None,
    needs_file_argument: false,
    in_memory_prefix: None,
    buffer_argument: None,
};

pub(super) const FILE_ARGUMENT: BlockingApi = BlockingApi {
    category: Blocking::Io,
    alternative: None,
    non_blocking_flag: None,
    needs_file_argument: true,
    in_memory_prefix: None,
    buffer_argument: None,
};
