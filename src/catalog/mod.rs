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
mod azure;
mod context_managers;
mod data_files;
mod databases;
mod entries;
mod frameworks;
mod gather_vocabulary;
mod http_clients;
mod logging;
mod methods_by_name;
mod model_services;
mod network_timeouts;
mod password_hashing;
mod processes;
mod protocol_clients;
mod python_builtins;
mod race_vocabulary;
mod sockets_dns;
mod stdlib_files;
mod testing;
mod threads;
mod websockets;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::LazyLock;

pub use asyncio_apis::{
    ALL_TASKS_CALLS, AWAIT_PASSTHROUGH_CALLS, AWAITABLE_CALLABLE, AWAITABLE_RETURN_TYPES,
    CALLABLE_TYPES, CANCELLATION_CATCHING_CLASSES, CANCELLATION_CLASS_CALLS,
    CANCELLED_ERROR_CLASSES, CANCELLING_METHODS, COROUTINE_KEEPING_DECORATORS, COROUTINE_PROBES,
    CURRENT_TASK_CALLS, EVENT_LOOP, EXCEPTION_CARRIERS, EXCEPTION_FORWARDING_METHODS,
    EXCEPTION_QUEUEING_METHODS, EXTERNAL_STATE_PREDICATES, FUTURE_MAKING_CALLS,
    FUTURE_PASSTHROUGH_CALLS, FUTURE_TYPES, FUTURE_WRAPPING_CALLS, GATHER_CALLS,
    GET_EVENT_LOOP_CALLS, LOOP_NAMES, LOOP_RUNNING_DECORATORS, LOOP_RUNS_CALLBACK,
    LOOP_SCHEDULING_CALLS, NEVER_RETURNING_TYPES, OWN_LOOP_CALLS, PROTOCOL_FACTORY_METHODS,
    RUNNING_LOOP_CALLS, SET_EVENT_LOOP_CALLS, STATE_PREDICATE_METHODS, SYNC_WRAPPING_DECORATORS,
    TASK_CALLBACK_METHODS, TASK_CANCEL_METHODS, TASK_CREATING_CALLS, TASK_FACTORIES,
    THIS_THREADS_LOOP_CALLS, UNCANCEL_METHODS, awaitable_callable_name,
};
pub use context_managers::{
    ACQUIRED_ONLY_CONTEXT_TYPES, ASYNC_CONTEXT_MANAGER_DECORATOR, ASYNC_ONLY_CONTEXT_CALLS,
    ASYNC_SLEEPS, GENERATOR_CLOSING_WRAPPERS, GENERATOR_DRIVING_DECORATORS,
    GENERATOR_DRIVING_METHODS, RESOURCE_FREE_CONTEXTS, SHIELDING_SCOPES, SYNC_ONLY_CONTEXT_CALLS,
    SYNC_ONLY_CONTEXT_TYPES, is_async_only_context_type,
};
pub use entries::{
    Api, Blocking, BlockingApi, BlockingKind, Class, ClassFamily, FunctionArgument, InMemoryPrefix,
    Library, NetworkDefault, NonBlockingFlag, StaysOnItsThread,
};
pub use frameworks::{
    ASGI_APP_CLASSES, DEPRECATED_EVENT_METHODS, DEPRECATED_LIFESPAN_KEYWORDS,
    HA_ENTITY_EXECUTOR_METHODS, LIFESPAN_APP_CLASSES, LIFESPAN_EVENTS, LITELLM_CUSTOM_LOGGER,
    LITELLM_SYNC_HOOKS, LOOP_CALLBACK_DECORATORS, OWN_LOOP_APP_CLASSES, OWN_LOOP_REGISTRARS,
    OWN_LOOP_UNDOING_WRAPPERS, OWN_LOOP_VIEW_BASES, OWN_LOOP_VIEW_METHODS,
    PLAIN_CALLBACKS_IN_EXECUTOR, SERIALIZED_BASE_SUFFIXES, SERIALIZED_DUNDERS, SERIALIZED_HOOKS,
    is_ui_class_on_the_loop,
};
pub use gather_vocabulary::{
    ASYNCIO_WAIT_CALLS, BEST_EFFORT_CLEANUP_METHODS, CATCH_ALL_CLASSES, CLOSABLE_RESOURCE_WORDS,
    CLOSING_METHODS, EXACT_WRITE_VERBS, EXIT_EXCEPTION_CLASSES, EXIT_STACKS, HTTP_READ_METHODS,
    HTTP_WRITE_METHODS, INFALLIBLE_AWAITS, LOGGING_CALLS, PATH_REMOVING_CALLS, RESOURCE_OPENERS,
    SUPPRESS_CALLS, TASK_WRAPPING_NAMES, TIMEOUT_ERROR_CLASSES,
};
pub use http_clients::{AIOHTTP_SESSIONS, HTTPX_ASYNC_CLIENTS, TIMEOUT_OBJECTS};
pub use logging::{is_coroutine_unaware_call, is_coroutine_unaware_name};
pub use methods_by_name::{METHODS_BY_NAME, MethodByName, Receiver};
pub use network_timeouts::{
    NETWORK_WAIT_FOR_NEXT, SOCKET_CONNECTS, SOCKET_WRAPPING_CONNECTS, SPAWNS_TASK, STREAM_OPENERS,
    STREAM_READ_METHODS, TIMEOUT_SCOPES, WAIT_FOR_CALLS,
};
pub use python_builtins::{
    COLLECTION_COPY_CALLS, COLLECTION_COPY_METHODS, CONSUMING_BUILTINS, EXCEPTION_BASE_CLASSES,
    ITERATION_HELPERS, NON_INSPECTING_CALLS, PROTOCOL_BASES, ends_the_process, never_returns,
};
pub use race_vocabulary::{
    ATOMIC_WRITE_KEYWORDS, CACHE_FILL_READS, CACHE_FILL_WRITES, COLLECTION_EDITS,
    CONCURRENT_RUNNERS, IDEMPOTENT_WRITES, IN_PLACE_AUGMENTED_TYPES, IN_PLACE_EDITS,
    IN_PLACE_FILLS, INIT_ONCE_WORDS, INSERT_WRITES, MISSING_KEY_ERRORS, OVERWRITE_WRITES,
    RESOURCE_WORDS, RMW_READ_PREFIXES, RMW_WRITE_PREFIXES, ROW_UPDATE_WRITES,
    SQL_RACE_SAFE_MARKERS, SQL_WRITE_KEYWORDS, STORE_READ_METHODS, STORE_WRITE_METHODS,
    TEARDOWN_WORDS, TRANSACTION_METHODS, UPSERT_METHODS,
};
pub use sockets_dns::{DATAGRAM_INSTANT_METHODS, DATAGRAM_SOCKET_TYPE, SOCKET_CONSTRUCTOR};
pub use stdlib_files::{
    DESCRIPTOR_WRITES, MEMORY_BUFFERS, SETUP_CALLS, STANDARD_STREAMS, STREAM_WRAPPERS,
    derives_from, never_instance_of,
};
pub use testing::{
    LOOP_INSTALLING_TEST_CASES, TEST_CASE_CLASSES, TEST_CASE_OUTCOME_METHODS, TEST_OUTCOME_CALLS,
    WARNING_CATCHER, WARNING_EXPECTING_CONTEXTS, WARNING_EXPECTING_METHODS, WARNING_FILTER_CALLS,
};
pub use threads::{
    CALLABLE_WRAPPERS, CONTEXT_RUN, MEMOIZING_DECORATORS, THREAD_HANDOFF_NAMES,
    THREAD_IDENTITY_CALLS, THREAD_LOCAL_CLASSES, THREAD_RUN_METHODS, THREAD_RUNNING_DECORATORS,
    THREAD_SLEEP, THREAD_STATE_CALLS, ThreadState, UNBOUNDED_UNLESS_SIZED,
};
pub use websockets::WEBSOCKET_CONNECTS;

/// Every library block, family by family, in the order the families are listed here, with
/// what a blocking call of the family waits on.
const FAMILIES: &[(BlockingKind, &[Library])] = &[
    (BlockingKind::File, stdlib_files::LIBRARIES),
    (BlockingKind::File, data_files::LIBRARIES),
    (BlockingKind::Network, sockets_dns::LIBRARIES),
    (BlockingKind::Network, protocol_clients::LIBRARIES),
    (BlockingKind::Network, http_clients::LIBRARIES),
    (BlockingKind::Network, websockets::LIBRARIES),
    (BlockingKind::Database, databases::LIBRARIES),
    (BlockingKind::Network, aws::LIBRARIES),
    (BlockingKind::Network, azure::LIBRARIES),
    (BlockingKind::Network, model_services::LIBRARIES),
    (BlockingKind::Process, processes::LIBRARIES),
    (BlockingKind::Cpu, password_hashing::LIBRARIES),
    (BlockingKind::Wait, threads::LIBRARIES),
    (BlockingKind::Wait, asyncio_apis::LIBRARIES),
    (BlockingKind::Wait, frameworks::LIBRARIES),
    (BlockingKind::Wait, logging::LIBRARIES),
];

// ---------------------------------------------------------------------------------------
// The lookup tables, built once from the families.

struct Tables {
    /// Functions, methods (`Type.method`) and class names whose call blocks, and what on.
    blocking: HashMap<Box<str>, (&'static BlockingApi, BlockingKind)>,
    /// Methods listed in their class without blocking facts: no `other_methods` or family
    /// covers them.
    not_blocking: HashSet<Box<str>>,
    /// Class path → how its unlisted methods block.
    other_methods: HashMap<&'static str, (&'static BlockingApi, BlockingKind)>,
    /// Module → the methods every class in it has.
    class_families: HashMap<&'static str, (&'static [Api], BlockingKind)>,
    returns: HashMap<Box<str>, &'static str>,
    /// Every name of a constructible class → its canonical path.
    classes: HashMap<&'static str, &'static str>,
    /// The canonical path of every class, constructible or only met in annotations.
    types: HashSet<&'static str>,
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
    needs_running_loop: HashSet<Box<str>>,
    /// Constructors that take the calling thread's loop unless `loop=` names one.
    loop_argument_constructors: HashSet<Box<str>>,
    thread_handoffs: HashMap<Box<str>, FunctionArgument>,
    loop_callbacks: HashMap<Box<str>, FunctionArgument>,
    /// Calls whose iterator does the blocking work as it is iterated.
    lazy: HashSet<Box<str>>,
    /// Calls that do nothing until the generator they return is iterated.
    generators: HashSet<Box<str>>,
    /// Keywords that make a call lazy, by the call's path.
    lazy_keywords: HashMap<Box<str>, &'static [&'static str]>,
    /// Calls that block only where their value is iterated as it is made.
    blocks_when_iterated: HashSet<Box<str>>,
    /// The last names of those calls (`filter`, `all`).
    blocks_when_iterated_names: HashSet<&'static str>,
    /// Calls that must not move to a worker thread, and why.
    stays_on_its_thread: HashMap<Box<str>, StaysOnItsThread>,
    /// Types whose instances belong to the thread that made them.
    thread_bound: HashSet<&'static str>,
    /// The first name of every path in the call tables [`has_call_facts`] stands for.
    call_roots: HashSet<Box<str>>,
    /// The first name of every path, class and module the blocking tables hold.
    blocking_roots: HashSet<Box<str>>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(build_tables);

/// Every library block of every family.
pub fn libraries() -> impl Iterator<Item = &'static Library> {
    FAMILIES.iter().flat_map(|(_, family)| family.iter())
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
        types: HashSet::default(),
        attributes: HashMap::default(),
        items: HashMap::default(),
        divisions: HashMap::default(),
        file_types: HashSet::default(),
        lock_types: HashSet::default(),
        coroutines: HashSet::default(),
        network: HashMap::default(),
        loop_runs: HashSet::default(),
        loop_affine: HashSet::default(),
        needs_running_loop: HashSet::default(),
        loop_argument_constructors: HashSet::default(),
        thread_handoffs: HashMap::default(),
        loop_callbacks: HashMap::default(),
        lazy: HashSet::default(),
        generators: HashSet::default(),
        stays_on_its_thread: HashMap::default(),
        lazy_keywords: HashMap::default(),
        blocks_when_iterated: HashSet::default(),
        blocks_when_iterated_names: HashSet::default(),
        thread_bound: HashSet::default(),
        call_roots: HashSet::default(),
        blocking_roots: HashSet::default(),
    };
    for &(kind, family) in FAMILIES {
        for library in family {
            for api in library.functions {
                tables.add_call(api.name.into(), api, kind);
            }
            for class in library.classes {
                tables.add_class(class, kind);
            }
            for members in library.class_families {
                tables
                    .class_families
                    .insert(members.module, (members.methods, kind));
            }
        }
    }
    let call_paths = (tables.loop_runs.iter())
        .chain(&tables.loop_affine)
        .chain(&tables.coroutines)
        .chain(tables.thread_handoffs.keys())
        .chain(tables.loop_callbacks.keys());
    tables.call_roots = call_paths.map(|path| first_name(path).into()).collect();
    let blocking_paths = (tables.blocking.keys().map(|path| &**path))
        .chain(tables.other_methods.keys().copied())
        .chain(tables.class_families.keys().copied());
    tables.blocking_roots = blocking_paths.map(|path| first_name(path).into()).collect();
    tables
}

/// A dotted path's first name (`asyncio` of `asyncio.run`; the whole of an undotted one),
/// asked of most callee paths: a plain loop over the bytes costs less than setting up
/// `str`'s searchers, on paths this short.
pub fn first_name(path: &str) -> &str {
    path.bytes()
        .position(|byte| byte == b'.')
        .map_or(path, |dot| &path[..dot])
}

/// Whether a call of `path` may have facts in the call tables ([`is_loop_run`],
/// [`is_loop_affine`], [`is_coroutine_api`], [`thread_handoff`], [`loop_callback`]): its
/// first name is one of theirs. Asked once per call, it spares the most common calls (of the
/// project's own functions, of libraries no table names) five lookups of the whole path.
pub fn has_call_facts(path: &str) -> bool {
    TABLES.call_roots.contains(first_name(path))
}

impl Tables {
    fn add_call(&mut self, path: Box<str>, api: &'static Api, kind: BlockingKind) {
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
        if api.needs_running_loop {
            self.needs_running_loop.insert(path.clone());
        }
        if let Some(argument) = api.thread_handoff {
            self.thread_handoffs.insert(path.clone(), argument);
        }
        if let Some(argument) = api.loop_callback {
            self.loop_callbacks.insert(path.clone(), argument);
        }
        if api.lazy {
            self.lazy.insert(path.clone());
        }
        if api.generator {
            self.generators.insert(path.clone());
        }
        if !api.lazy_keywords.is_empty() {
            self.lazy_keywords.insert(path.clone(), api.lazy_keywords);
        }
        if api.blocks_when_iterated {
            self.blocks_when_iterated.insert(path.clone());
            self.blocks_when_iterated_names
                .insert(api.name.rsplit('.').next().unwrap_or(api.name));
        }
        if let Some(why) = api.stays_on_its_thread {
            self.stays_on_its_thread.insert(path.clone(), why);
        }
        if let Some(blocking) = &api.blocking {
            self.blocking.insert(path, (blocking, kind));
        }
    }

    fn add_class(&mut self, class: &'static Class, kind: BlockingKind) {
        self.types.insert(class.path);
        let names = std::iter::once(class.path).chain(class.aliases.iter().copied());
        for name in names {
            if class.constructible {
                self.classes.insert(name, class.path);
            }
            if let Some(blocking) = &class.constructor_blocking {
                self.blocking.insert(name.into(), (blocking, kind));
            }
            if let Some(argument) = class.constructor_thread_handoff {
                self.thread_handoffs.insert(name.into(), argument);
            }
            if class.constructor_uses_loop {
                self.loop_affine.insert(name.into());
                self.needs_running_loop.insert(name.into());
                self.loop_argument_constructors.insert(name.into());
            }
        }
        for method in class.methods {
            let path = method_path(class, method);
            if method.blocking.is_none() {
                self.not_blocking.insert(path.clone());
            }
            self.add_call(path, method, kind);
        }
        if let Some(blocking) = &class.other_methods {
            self.other_methods.insert(class.path, (blocking, kind));
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
        if class.thread_bound {
            self.thread_bound.insert(class.path);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The lookups.

/// The blocking API a call to `path` is, if any: an exact entry, else what its class's
/// `other_methods` or its class family say about a public method not listed as non-blocking.
pub fn blocking_api(path: &str) -> Option<&'static BlockingApi> {
    blocking_entry(path).map(|(api, _)| api)
}

/// What a blocking call to `path` waits on (its family's kind), if it is one.
pub fn blocking_kind(path: &str) -> Option<BlockingKind> {
    blocking_entry(path).map(|(_, kind)| kind)
}

fn blocking_entry(path: &str) -> Option<(&'static BlockingApi, BlockingKind)> {
    let tables = &*TABLES;
    // Every table below is keyed by a path, class or module that starts with the path's own
    // first name: most calls (the project's, libraries none of them names) stop here.
    if !tables.blocking_roots.contains(first_name(path)) {
        return None;
    }
    if let Some(&entry) = tables.blocking.get(path) {
        return Some(entry);
    }
    let (owner, method) = path.rsplit_once('.')?;
    if method.starts_with('_') || tables.not_blocking.contains(path) {
        return None;
    }
    if let Some(&entry) = tables.other_methods.get(owner) {
        return Some(entry);
    }
    let (family, _member) = owner.rsplit_once('.')?;
    let &(methods, kind) = tables.class_families.get(family)?;
    let api = methods.iter().find(|api| api.name == method)?;
    Some((api.blocking.as_ref()?, kind))
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

/// Whether the catalog describes the class at this canonical path (one that can be
/// constructed, or one met only in annotations, such as `concurrent.futures.Executor`).
pub fn describes_type(path: &str) -> bool {
    TABLES.types.contains(path)
}

/// The canonical name of a known class.
pub fn canonical_class(path: &str) -> Option<&'static str> {
    TABLES
        .classes
        .get(path)
        .copied()
        .or_else(|| aws::stub_class(path))
}

pub fn attribute_type(owner_type: &str, attribute: &str) -> Option<&'static str> {
    listed_attribute_type(owner_type, attribute).or_else(|| item_type(owner_type))
}

/// The type of an attribute the catalog lists for a library class (`loop` of a
/// `discord.Client`), not the type of its items: what a project class deriving from it
/// inherits.
pub fn listed_attribute_type(owner_type: &str, attribute: &str) -> Option<&'static str> {
    // Looked up by owner, then attribute: no key string to build on this hot path.
    TABLES
        .attributes
        .get(owner_type)
        .and_then(|attributes| attributes.get(attribute))
        .copied()
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

/// Whether a call to `path` returns an iterator that blocks while it is iterated.
pub fn is_lazy(path: &str) -> bool {
    TABLES.lazy.contains(path)
}

/// Whether a call to `path` blocks only where its value is iterated as it is made (a
/// Django queryset built by `filter`, `all`, ...).
pub fn blocks_when_iterated(path: &str) -> bool {
    TABLES.blocks_when_iterated.contains(path)
}

/// Whether a method of this name blocks, on some type, only where its value is iterated
/// ([`blocks_when_iterated`]): a call the module cannot type may be one.
pub fn may_block_when_iterated(method: &str) -> bool {
    TABLES.blocks_when_iterated_names.contains(method)
}

/// Whether a call to `path` does nothing until the generator it returns is iterated.
pub fn is_generator(path: &str) -> bool {
    TABLES.generators.contains(path)
}

/// The keywords that make a call to `path` return an iterator that does the work as it is
/// iterated (`chunksize=` of pandas' readers).
pub fn lazy_keywords(path: &str) -> &'static [&'static str] {
    TABLES.lazy_keywords.get(path).copied().unwrap_or(&[])
}

/// Why a call to `path` must not move to a worker thread, when it must not (an `RLock`'s
/// acquisition, `input()`).
pub fn stays_on_its_thread(path: &str) -> Option<StaysOnItsThread> {
    TABLES.stays_on_its_thread.get(path).copied()
}

/// Whether values of `type_name` may only be used on the thread that made them.
pub fn is_thread_bound(type_name: &str) -> bool {
    TABLES.thread_bound.contains(type_name)
}

pub fn is_loop_run(path: &str) -> bool {
    TABLES.loop_runs.contains(path)
}

pub fn is_loop_affine(path: &str) -> bool {
    TABLES.loop_affine.contains(path)
}

/// Whether the library class `path` is one of Home Assistant's entity classes (the base,
/// or a platform's): the catalog gives its instances the loop-only `async_write_ha_state`
/// (`frameworks::ha_entity`).
pub fn is_ha_entity_class(path: &str) -> bool {
    is_loop_affine(&format!("{path}.async_write_ha_state"))
}

/// Whether a call to `path` builds an object bound to the loop its `loop=` argument names,
/// when it is given, instead of the calling thread's (`asyncio.Future(loop=loop)`).
pub fn loop_given_by_argument(path: &str) -> bool {
    TABLES.loop_argument_constructors.contains(path)
}

/// Whether a call to `path` raises `RuntimeError` where no loop runs on the thread.
pub fn needs_running_loop(path: &str) -> bool {
    TABLES.needs_running_loop.contains(path)
}

/// Where a call that runs a function on another thread takes it: (keyword, position).
pub fn thread_handoff(path: &str) -> Option<(&'static str, usize)> {
    TABLES
        .thread_handoffs
        .get(path)
        .map(|argument| (argument.keyword, argument.position))
}

/// The entry of [`METHODS_BY_NAME`] for a method called `method`, if it is known by its name.
pub fn method_by_name(method: &str) -> Option<&'static MethodByName> {
    METHODS_BY_NAME.iter().find(|entry| entry.method == method)
}

/// Where a call that has the event loop run a function takes it: (keyword, position).
pub fn loop_callback(path: &str) -> Option<(&'static str, usize)> {
    TABLES
        .loop_callbacks
        .get(path)
        .map(|argument| (argument.keyword, argument.position))
}

/// Method names that hand a function to another thread or to the loop on some library
/// class (`add_done_callback`, `call_soon`, `submit`): a call of one on a value whose type
/// only the link knows is kept, with the function it hands over, for the link to decide.
/// Names as common as `map` are left out: most such calls are not registrations.
const REGISTRATION_METHODS: &[&str] = &[
    "add_done_callback",
    "add_signal_handler",
    "call_at",
    "call_later",
    "call_soon",
    "call_soon_threadsafe",
    "run_in_executor",
    "submit",
];

/// Where a registration method named `name` takes the function it registers, when `name`
/// is one ([`REGISTRATION_METHODS`]): (keyword, position).
pub fn registration_argument(name: &str) -> Option<(&'static str, usize)> {
    if !REGISTRATION_METHODS.contains(&name) {
        return None;
    }
    let suffix_matches = |path: &str| {
        path.strip_suffix(name)
            .is_some_and(|owner| owner.ends_with('.'))
    };
    TABLES
        .thread_handoffs
        .iter()
        .chain(&TABLES.loop_callbacks)
        .filter(|(path, _)| suffix_matches(path))
        .map(|(_, argument)| (argument.keyword, argument.position))
        .min()
}

/// Whether a blocking call to `path` makes the sync helper it sits in block for its callers
/// (LW103): not a metadata syscall (LW105 reports those where they are made; a chain that
/// ends in a `stat` is not worth a finding), nor a one-time set-up call, whose result the
/// helpers that make it keep ([`SETUP_CALLS`]).
pub fn blocks_helper(path: &str, api: &BlockingApi) -> bool {
    api.category != Blocking::FsMetadata && !SETUP_CALLS.contains(&path)
}

/// Whether a call to `path` gives the calling thread's own event loop
/// (`asyncio.get_event_loop()`, `asyncio.get_running_loop()`): methods called on it run on
/// the thread that owns that loop.
pub fn gives_own_loop(path: &str) -> bool {
    THIS_THREADS_LOOP_CALLS.contains(&path)
}

/// Whether a call of `path` makes a coroutine (or another awaitable) that does nothing until
/// awaited: a catalogued async API, or a value annotated as a callable returning an
/// awaitable ([`AWAITABLE_CALLABLE`]).
pub fn is_coroutine_api(path: &str) -> bool {
    TABLES.coroutines.contains(path) || awaitable_callable_name(path).is_some()
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
    fn every_path_of_the_call_tables_has_call_facts_and_project_paths_have_none() {
        let tables = &*TABLES;
        let paths = (tables.loop_runs.iter())
            .chain(&tables.loop_affine)
            .chain(&tables.coroutines)
            .chain(tables.thread_handoffs.keys())
            .chain(tables.loop_callbacks.keys());
        let mut count = 0;
        for path in paths {
            assert!(has_call_facts(path), "{path}");
            count += 1;
        }
        assert!(count > 50, "the call tables hold {count} paths");
        assert!(has_call_facts("asyncio.run"));
        // Likewise the blocking tables' paths, and the methods of their classes and families.
        for path in TABLES.blocking.keys() {
            assert!(blocking_kind(path).is_some(), "{path}");
        }
        assert!(blocking_kind("app.db.load").is_none());
        for path in ["app.db.load", "self.session.get", "helper", "<parameter>"] {
            assert!(!has_call_facts(path), "{path}");
            assert!(!is_loop_run(path) && !is_loop_affine(path) && !is_coroutine_api(path));
            assert!(thread_handoff(path).is_none() && loop_callback(path).is_none());
        }
    }

    #[test]
    fn loop_running_decorators_are_sync_wrapping_ones() {
        for decorator in LOOP_RUNNING_DECORATORS {
            assert!(SYNC_WRAPPING_DECORATORS.contains(decorator), "{decorator}");
        }
    }

    #[test]
    fn other_methods_cover_methods_but_not_the_listed_ones() {
        assert!(blocking_api("sqlite3.Connection.execute").is_some());
        assert!(blocking_api("sqlite3.Connection.cursor").is_none());
        assert!(is_thread_bound("sqlite3.Connection") && is_thread_bound("sqlite3.Cursor"));
        assert!(is_lazy("os.scandir") && is_lazy("pathlib.Path.iterdir") && !is_lazy("os.listdir"));
        assert_eq!(lazy_keywords("pandas.read_csv"), ["chunksize", "iterator"]);
        assert!(lazy_keywords("pandas.read_parquet").is_empty());
        assert_eq!(
            stays_on_its_thread("threading.RLock.acquire"),
            Some(StaysOnItsThread::OwnedByCaller)
        );
        assert_eq!(
            stays_on_its_thread("threading.Semaphore.acquire"),
            Some(StaysOnItsThread::TakenWhenCancelled)
        );
        assert_eq!(
            stays_on_its_thread("builtins.input"),
            Some(StaysOnItsThread::ReadsTerminal)
        );
        assert_eq!(stays_on_its_thread("threading.Event.wait"), None);
        assert!(blocking_api("redis.Redis.get").is_some());
        assert!(blocking_api("redis.Redis.pipeline").is_none());
        assert!(blocking_api("redis.Redis.close").is_none());
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
            [
                "bcrypt",
                "passlib",
                "pwdlib",
                "argon2",
                "hashlib",
                "cryptography"
            ]
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
