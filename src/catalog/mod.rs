//! The API catalog: which calls block the loop, which values have which types, which calls
//! are asyncio's. The facts are data, grouped by library in one file per family of APIs
//! (files, sockets, HTTP clients, databases, ...); this module holds the entry types, the
//! lookup tables built once from the families, and the lookups the other layers call.
//!
//! Names are *qualified paths*: `sqlite3.connect` for a module function, `sqlite3.Connection`
//! for a type, and `sqlite3.Connection.execute` for a method called on a value of that type
//! (see `semantic::Resolved`).
//!
//! Adding a client library is adding one [`Library`] block to the family file it belongs to:
//! its functions and classes, each [`Api`] with all its facts.

mod asyncio_apis;
mod aws;
mod databases;
mod frameworks;
mod http_clients;
mod network_timeouts;
mod password_hashing;
mod processes;
mod protocol_clients;
mod python_builtins;
mod race_vocabulary;
mod sockets_dns;
mod stdlib_files;
mod threads;
mod websockets;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::LazyLock;

pub use asyncio_apis::{
    ALL_TASKS_CALLS, CANCELLATION_CATCHING_CLASSES, CANCELLATION_CLASS_CALLS,
    CANCELLED_ERROR_CLASSES, FUTURE_PASSTHROUGH_CALLS, FUTURE_TYPES, GATHER_CALLS,
    GET_EVENT_LOOP_CALLS, NON_CANCELLATION_BASES, SET_EVENT_LOOP_CALLS, TASK_CANCEL_METHODS,
    TASK_CREATING_CALLS, TASK_FACTORIES, UNCANCEL_METHODS,
};
pub use frameworks::{
    ASGI_APP_CLASSES, DEPRECATED_EVENT_METHODS, DEPRECATED_LIFESPAN_KEYWORDS, LIFESPAN_APP_CLASSES,
    LIFESPAN_EVENTS, LITELLM_CUSTOM_LOGGER, LITELLM_SYNC_HOOKS, SERIALIZED_BASE_SUFFIXES,
    SERIALIZED_HOOKS,
};
pub use http_clients::{AIOHTTP_SESSIONS, HTTPX_ASYNC_CLIENTS, TIMEOUT_OBJECTS};
pub use network_timeouts::{
    NETWORK_WAIT_FOR_NEXT, SOCKET_WRAPPING_CONNECTS, STREAM_OPENERS, STREAM_READ_METHODS,
    TIMEOUT_SCOPES, WAIT_FOR_CALLS,
};
pub use python_builtins::{
    COLLECTION_COPY_CALLS, COLLECTION_COPY_METHODS, EXCEPTION_BASE_CLASSES, ITERATION_HELPERS,
    NON_INSPECTING_CALLS,
};
pub use race_vocabulary::{
    ATOMIC_WRITE_KEYWORDS, CACHE_FILL_READS, CACHE_FILL_WRITES, COLLECTION_EDITS,
    IDEMPOTENT_WRITES, INIT_ONCE_WORDS, RESOURCE_WORDS, RMW_READ_PREFIXES, RMW_WRITE_PREFIXES,
    ROW_UPDATE_WRITES, SQL_RACE_SAFE_MARKERS, SQL_WRITE_KEYWORDS, STORE_READ_METHODS,
    STORE_WRITE_METHODS, TEARDOWN_WORDS, TRANSACTION_METHODS, UPSERT_METHODS,
};
pub use threads::CALLABLE_WRAPPERS;
pub use websockets::WEBSOCKET_CONNECTS;

/// Every library block, family by family, in the order the families are listed here.
const FAMILIES: &[&[Library]] = &[
    stdlib_files::LIBRARIES,
    sockets_dns::LIBRARIES,
    protocol_clients::LIBRARIES,
    http_clients::LIBRARIES,
    websockets::LIBRARIES,
    databases::LIBRARIES,
    aws::LIBRARIES,
    processes::LIBRARIES,
    password_hashing::LIBRARIES,
    threads::LIBRARIES,
    asyncio_apis::LIBRARIES,
    frameworks::LIBRARIES,
];

// ---------------------------------------------------------------------------------------
// The entry types.

/// Which rule a blocking call belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocking {
    /// LW101: file, socket, database, process, sleeping and waiting.
    Io,
    /// LW102: CPU-heavy hashing and key derivation.
    Cpu,
    /// LW105: a stat-like metadata syscall.
    FsMetadata,
}

/// An argument that turns a blocking call into a non-blocking one (`lock.acquire(blocking=False)`,
/// `queue.get(block=False)`, `queue.get(False)`): the keyword name and its positional index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonBlockingFlag {
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
    /// Runs a function it is given on another thread, passed there (LW104).
    pub thread_handoff: Option<FunctionArgument>,
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
    /// (`sqlite3` connections and cursors). Not read by a rule yet.
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
            thread_handoff: None,
        }
    }

    pub const fn blocks(self, blocking: BlockingApi) -> Self {
        Api {
            blocking: Some(blocking),
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

const fn io(alternative: Option<&'static str>) -> BlockingApi {
    BlockingApi {
        category: Blocking::Io,
        alternative,
        non_blocking_flag: None,
        needs_file_argument: false,
    }
}

const fn flagged(keyword: &'static str, position: usize) -> BlockingApi {
    BlockingApi {
        category: Blocking::Io,
        alternative: None,
        non_blocking_flag: Some(NonBlockingFlag { keyword, position }),
        needs_file_argument: false,
    }
}

const CPU: BlockingApi = BlockingApi {
    category: Blocking::Cpu,
    alternative: None,
    non_blocking_flag: None,
    needs_file_argument: false,
};

const METADATA: BlockingApi = BlockingApi {
    category: Blocking::FsMetadata,
    alternative: Some("aiofiles.os / anyio.Path"),
    non_blocking_flag: None,
    needs_file_argument: false,
};

const FILE_ARGUMENT: BlockingApi = BlockingApi {
    category: Blocking::Io,
    alternative: None,
    non_blocking_flag: None,
    needs_file_argument: true,
};

// ---------------------------------------------------------------------------------------
// The lookup tables, built once from the families.

struct Tables {
    /// Functions, methods (`Type.method`) and class names whose call blocks.
    blocking: HashMap<Box<str>, &'static BlockingApi>,
    /// Methods listed in their class without blocking facts: no `other_methods` or family
    /// covers them.
    not_blocking: HashSet<Box<str>>,
    /// Class path → how its unlisted methods block.
    other_methods: HashMap<&'static str, &'static BlockingApi>,
    /// Module → the methods every class in it has.
    class_families: HashMap<&'static str, &'static [Api]>,
    returns: HashMap<Box<str>, &'static str>,
    /// Every name of a constructible class → its canonical path.
    classes: HashMap<&'static str, &'static str>,
    /// Owner type → attribute → type.
    attributes: HashMap<&'static str, HashMap<&'static str, &'static str>>,
    items: HashMap<&'static str, &'static str>,
    divisions: HashMap<&'static str, &'static str>,
    file_types: HashSet<&'static str>,
    lock_types: HashSet<&'static str>,
    coroutines: HashSet<Box<str>>,
    network: HashMap<Box<str>, NetworkDefault>,
    loop_runs: HashSet<Box<str>>,
    loop_affine: HashSet<Box<str>>,
    thread_handoffs: HashMap<Box<str>, FunctionArgument>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(build_tables);

/// Every library block of every family.
pub fn libraries() -> impl Iterator<Item = &'static Library> {
    FAMILIES.iter().flat_map(|family| family.iter())
}

/// The names of the libraries with a call that blocks in the given way, in catalog order,
/// each once: what the documentation of LW101, LW102 and LW105 must name.
pub fn libraries_for(category: Blocking) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for library in libraries().filter(|library| library.blocks(category)) {
        if !names.contains(&library.name) {
            names.push(library.name);
        }
    }
    names
}

fn method_path(class: &Class, method: &Api) -> Box<str> {
    format!("{}.{}", class.path, method.name).into_boxed_str()
}

fn build_tables() -> Tables {
    let mut tables = Tables {
        blocking: HashMap::default(),
        not_blocking: HashSet::default(),
        other_methods: HashMap::default(),
        class_families: HashMap::default(),
        returns: HashMap::default(),
        classes: HashMap::default(),
        attributes: HashMap::default(),
        items: HashMap::default(),
        divisions: HashMap::default(),
        file_types: HashSet::default(),
        lock_types: HashSet::default(),
        coroutines: HashSet::default(),
        network: HashMap::default(),
        loop_runs: HashSet::default(),
        loop_affine: HashSet::default(),
        thread_handoffs: HashMap::default(),
    };
    for library in libraries() {
        for api in library.functions {
            tables.add_call(api.name.into(), api);
        }
        for class in library.classes {
            tables.add_class(class);
        }
        for family in library.class_families {
            tables.class_families.insert(family.module, family.methods);
        }
    }
    tables
}

impl Tables {
    fn add_call(&mut self, path: Box<str>, api: &'static Api) {
        if let Some(returned) = api.returns {
            self.returns.insert(path.clone(), returned);
        }
        if api.coroutine {
            self.coroutines.insert(path.clone());
        }
        if let Some(default) = api.network {
            self.network.insert(path.clone(), default);
        }
        if api.runs_loop {
            self.loop_runs.insert(path.clone());
        }
        if api.loop_affine {
            self.loop_affine.insert(path.clone());
        }
        if let Some(argument) = api.thread_handoff {
            self.thread_handoffs.insert(path.clone(), argument);
        }
        if let Some(blocking) = &api.blocking {
            self.blocking.insert(path, blocking);
        }
    }

    fn add_class(&mut self, class: &'static Class) {
        let names = std::iter::once(class.path).chain(class.aliases.iter().copied());
        for name in names {
            if class.constructible {
                self.classes.insert(name, class.path);
            }
            if let Some(blocking) = &class.constructor_blocking {
                self.blocking.insert(name.into(), blocking);
            }
            if let Some(argument) = class.constructor_thread_handoff {
                self.thread_handoffs.insert(name.into(), argument);
            }
        }
        for method in class.methods {
            let path = method_path(class, method);
            if method.blocking.is_none() {
                self.not_blocking.insert(path.clone());
            }
            self.add_call(path, method);
        }
        if let Some(blocking) = &class.other_methods {
            self.other_methods.insert(class.path, blocking);
        }
        if !class.attributes.is_empty() {
            self.attributes
                .insert(class.path, class.attributes.iter().copied().collect());
        }
        if let Some(item) = class.item_type {
            self.items.insert(class.path, item);
        }
        if let Some(result) = class.division_type {
            self.divisions.insert(class.path, result);
        }
        if class.file_object {
            self.file_types.insert(class.path);
        }
        if class.lock {
            self.lock_types.insert(class.path);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The lookups.

/// The blocking API a call to `path` is, if any: an exact entry, else what its class's
/// `other_methods` or its class family say about a public method not listed as non-blocking.
pub fn blocking_api(path: &str) -> Option<&'static BlockingApi> {
    let tables = &*TABLES;
    if let Some(api) = tables.blocking.get(path) {
        return Some(*api);
    }
    let (owner, method) = path.rsplit_once('.')?;
    if method.starts_with('_') || tables.not_blocking.contains(path) {
        return None;
    }
    if let Some(api) = tables.other_methods.get(owner) {
        return Some(*api);
    }
    let (family, _member) = owner.rsplit_once('.')?;
    tables
        .class_families
        .get(family)?
        .iter()
        .find(|api| api.name == method)?
        .blocking
        .as_ref()
}

/// The type of the value that calling `path` returns.
pub fn return_type(path: &str) -> Option<&'static str> {
    let tables = &*TABLES;
    tables
        .returns
        .get(path)
        .or_else(|| tables.classes.get(path))
        .copied()
}

/// The canonical name of a known class.
pub fn canonical_class(path: &str) -> Option<&'static str> {
    TABLES.classes.get(path).copied()
}

pub fn attribute_type(owner_type: &str, attribute: &str) -> Option<&'static str> {
    let tables = &*TABLES;
    // Looked up by owner, then attribute: no key string to build on this hot path.
    if let Some(found) = tables
        .attributes
        .get(owner_type)
        .and_then(|attributes| attributes.get(attribute))
    {
        return Some(found);
    }
    item_type(owner_type)
}

/// The type of `value[...]` (and of unlisted attributes, for classes with an `item_type`).
pub fn item_type(owner_type: &str) -> Option<&'static str> {
    TABLES.items.get(owner_type).copied()
}

pub fn division_type(left_type: &str) -> Option<&'static str> {
    TABLES.divisions.get(left_type).copied()
}

pub fn is_file_type(type_name: &str) -> bool {
    TABLES.file_types.contains(type_name)
}

pub fn is_loop_run(path: &str) -> bool {
    TABLES.loop_runs.contains(path)
}

pub fn is_loop_affine(path: &str) -> bool {
    TABLES.loop_affine.contains(path)
}

/// Where a call that runs a function on another thread takes it: (keyword, position).
pub fn thread_handoff(path: &str) -> Option<(&'static str, usize)> {
    TABLES
        .thread_handoffs
        .get(path)
        .map(|argument| (argument.keyword, argument.position))
}

pub fn is_coroutine_api(path: &str) -> bool {
    TABLES.coroutines.contains(path)
}

pub fn network_default(path: &str) -> Option<NetworkDefault> {
    TABLES.network.get(path).copied()
}

pub fn is_timeout_scope(path: &str) -> bool {
    TIMEOUT_SCOPES.contains(&path)
}

pub fn is_wait_for(path: &str) -> bool {
    WAIT_FOR_CALLS.contains(&path)
}

pub fn is_lock_type(type_name: &str) -> bool {
    TABLES.lock_types.contains(type_name)
}

/// Whether `method` is `verb` or `verb_...` for one of `verbs`.
pub fn method_has_verb(method: &str, verbs: &[&str]) -> bool {
    verbs.iter().any(|verb| {
        method == *verb
            || method
                .strip_prefix(verb)
                .is_some_and(|rest| rest.starts_with('_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_methods_cover_methods_but_not_the_listed_ones() {
        assert!(blocking_api("sqlite3.Connection.execute").is_some());
        assert!(blocking_api("sqlite3.Connection.cursor").is_none());
        assert!(blocking_api("redis.Redis.get").is_some());
        assert!(blocking_api("redis.Redis.pipeline").is_none());
        assert!(blocking_api("redis.Redis.__enter__").is_none());
        assert_eq!(
            blocking_api("bcrypt.hashpw").map(|api| api.category),
            Some(Blocking::Cpu)
        );
        assert_eq!(
            blocking_api("passlib.hash.bcrypt.verify").map(|api| api.category),
            Some(Blocking::Cpu)
        );
    }

    #[test]
    fn libraries_for_names_each_library_once_in_catalog_order() {
        assert_eq!(
            libraries_for(Blocking::Cpu),
            ["bcrypt", "passlib", "argon2", "hashlib", "cryptography"]
        );
        assert_eq!(libraries_for(Blocking::FsMetadata), ["os", "pathlib"]);
        // `os` has file functions and process functions, in two families.
        let io = libraries_for(Blocking::Io);
        assert_eq!(io.iter().filter(|name| **name == "os").count(), 1);
        assert!(io.contains(&"subprocess") && !io.contains(&"asyncio"));
    }

    #[test]
    fn every_path_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        let mut add = |path: String| assert!(seen.insert(path.clone()), "{path} is listed twice");
        for library in libraries() {
            for api in library.functions {
                add(api.name.to_string());
            }
            for class in library.classes {
                add(class.path.to_string());
                for alias in class.aliases {
                    add(alias.to_string());
                }
                for method in class.methods {
                    add(method_path(class, method).into());
                }
            }
            for family in library.class_families {
                add(family.module.to_string());
            }
        }
    }

    #[test]
    fn every_path_lies_under_its_library() {
        for library in libraries() {
            let under = |path: &str| {
                path.strip_prefix(library.name)
                    .is_some_and(|rest| rest.starts_with('.'))
            };
            let paths = library
                .functions
                .iter()
                .map(|api| api.name)
                .chain(library.classes.iter().map(|class| class.path))
                .chain(
                    library
                        .classes
                        .iter()
                        .flat_map(|class| class.aliases.iter().copied()),
                )
                .chain(library.class_families.iter().map(|family| family.module));
            for path in paths {
                assert!(under(path), "{path} is not under library {}", library.name);
            }
        }
    }

    #[test]
    fn client_constructor_lists_name_their_classes() {
        for (list, class) in [
            (AIOHTTP_SESSIONS, "aiohttp.ClientSession"),
            (HTTPX_ASYNC_CLIENTS, "httpx.AsyncClient"),
        ] {
            for name in list {
                assert_eq!(canonical_class(name), Some(class));
            }
        }
    }
}
