//! What one module tells the rest of the project: its functions, and for each the calls it
//! makes (resolved to qualified paths), the blocking, loop-driving and loop-affine calls
//! in it, and the functions it hands to other threads. Built during the checker's walk,
//! owned (no borrow of the tree), so the tree can be dropped before the link step.

use rustc_hash::FxHashMap as HashMap;

use ruff_text_size::TextRange;

use crate::catalog::{self, Blocking};

/// How a call's result is used, as far as the whole-project rules care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallUsage {
    /// The result is used (assigned and read, passed, returned, awaited...).
    Used,
    /// The result is thrown away: an expression statement, or a name never read.
    Dropped,
    /// The result is tested for truth (`if f():`, `not f()`, `assert f()`, `f() or g()`).
    Condition,
}

/// Whether a call in async context runs under a deadline where it is made (LW501 asks it of
/// the callers of a function whose awaits have none of their own).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CallDeadline {
    /// No deadline where it is made (its caller's callers may still set one).
    #[default]
    Unbounded,
    /// Inside `async with asyncio.timeout(...)` and the like, or `asyncio.wait_for(call, t)`.
    Bounded,
    /// Handed to `create_task(...)` and the like: the new task inherits no deadline.
    Detached,
}

#[derive(Clone, Debug)]
pub struct CallSite {
    /// The callee's qualified path (`app.db.load_user`, `app.models.Repo.save`), as an
    /// index into the module's [`ModuleSummary::callees`].
    pub callee: u32,
    pub range: TextRange,
    pub usage: CallUsage,
    /// Whether the call sits in async context (an `await` may be inserted before it).
    pub in_async_context: bool,
    /// Whether its value is iterated where it is made (`for x in f()`, a comprehension
    /// over it, `list(f())`): the body of a generator function runs only then.
    pub iterated: bool,
    /// The text `await asyncio.to_thread(...)` would be spelled from, where that rewrite
    /// of the call is valid.
    pub to_thread: Option<Box<ToThreadCall>>,
    /// The call runs only when no event loop is running, or never (the guards of
    /// `checker::loop_guards`): it does not carry a running loop into the callee.
    pub loop_guarded: bool,
    /// The call sits in the body of a `try` that catches `RuntimeError` (or `Exception`).
    pub catches_runtime_error: bool,
    /// Whether a deadline bounds it where it is made (async context only).
    pub deadline: CallDeadline,
}

/// A parameter, by name and (for one that can be passed positionally) position among the
/// arguments a call spells: `self`/`cls` of a method not counted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParameterRef {
    pub name: Box<str>,
    pub position: Option<u32>,
}

/// An argument that is a falsy literal (`0`, `False`, `None`, `""`, `[]`, ...) at a call:
/// by position, or by keyword.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FalsyArgument {
    Positional(u32),
    Keyword(Box<str>),
}

impl FalsyArgument {
    /// Whether this argument is the one passed for `parameter`.
    pub fn is_for(&self, parameter: &ParameterRef) -> bool {
        match self {
            FalsyArgument::Positional(position) => parameter.position == Some(*position),
            FalsyArgument::Keyword(name) => *name == parameter.name,
        }
    }
}

/// A call's text, for the `await asyncio.to_thread(f, ...)` fix: the callee, the text
/// between the parentheses, and whether the rewrite needs parentheses of its own.
#[derive(Clone, Debug)]
pub struct ToThreadCall {
    pub function: Box<str>,
    pub arguments: Box<str>,
    pub parenthesize: bool,
    /// The builtin that consumes the call's value whole (`list(gen())`): what moves to the
    /// thread when the callee turns out to be a generator function, whose body runs only as
    /// it is iterated.
    pub consumer: Option<Box<ConsumerCall>>,
}

/// `list(gen(...))`, spelled for `await asyncio.to_thread(list, gen(...))`.
#[derive(Clone, Debug)]
pub struct ConsumerCall {
    pub function: Box<str>,
    pub arguments: Box<str>,
    pub range: TextRange,
    pub parenthesize: bool,
}

/// A call to a catalogued blocking API.
#[derive(Clone, Debug)]
pub struct BlockingSite {
    pub api: String,
    pub category: Blocking,
    /// How serious the call is ([`catalog::BlockingKind::severity`]): a chain names the most
    /// serious call a helper reaches.
    pub severity: u8,
    pub range: TextRange,
}

/// `asyncio.run`, `loop.run_until_complete` or `loop.run_forever`.
#[derive(Clone, Debug)]
pub struct LoopRunSite {
    pub api: String,
    pub range: TextRange,
    /// It runs only when no loop is running (the `except RuntimeError` of a
    /// `get_running_loop()`, the branch where `is_running()` is false), or never.
    pub guarded: bool,
    /// It runs only when this parameter of its function is truthy (`if retry:`,
    /// `while wait:`, `for _ in range(attempts):`, the parameter never reassigned): a call
    /// that passes a falsy literal for it (`attempts=0`) never reaches it.
    pub needs_truthy: Option<ParameterRef>,
    /// It runs only when `x is None`, `x` the value of call site `n` of its function: a
    /// guard when that call is a loop probe ([`FunctionSummary::none_means_no_loop`]).
    pub guarded_by_probe: Option<u32>,
}

/// A loop-affine asyncio call (`asyncio.create_task`, `loop.call_soon`, ...).
#[derive(Clone, Debug)]
pub struct LoopAffineSite {
    pub api: String,
    pub range: TextRange,
    /// The API raises where no loop runs (`asyncio.create_task`).
    pub raises_off_loop: bool,
    /// ... and the call sits in a `try` that catches `RuntimeError`.
    pub caught: bool,
}

/// A function handed to another thread (`run_in_executor(None, f)`, `Thread(target=f)`).
#[derive(Clone, Debug)]
pub struct ThreadTarget {
    /// The target's qualified path.
    pub target: String,
    /// How it was handed over (`asyncio.to_thread`), for the message.
    pub via: String,
    pub range: TextRange,
}

/// Why a sync function runs inside a running loop even though no coroutine calls it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoopEntry {
    /// A framework hook (LiteLLM `CustomLogger.log_success_event`, a `sync-hooks` entry).
    SyncHook,
    /// A `__del__` finalizer.
    Finalizer,
}

#[derive(Clone, Debug)]
pub struct FunctionSummary {
    /// Qualified path: `app.db.load_user`, `app.db.Repo.save`, `app.db.outer.inner`.
    pub path: String,
    /// The short name shown in chains.
    pub name: String,
    pub is_async: bool,
    /// Its body yields: calling it makes a generator, and the body runs only as that is
    /// iterated (an `async def` that yields makes an async generator, not a coroutine).
    pub is_generator: bool,
    /// A memoized function of no arguments (`@functools.cache def settings():`): its body
    /// runs once per process, so what it blocks on, it blocks on once, not per call.
    pub runs_once: bool,
    /// The range of the function's name, for its row.
    pub name_range: TextRange,
    pub calls: Vec<CallSite>,
    pub blocking: Vec<BlockingSite>,
    pub loop_runs: Vec<LoopRunSite>,
    pub loop_affine: Vec<LoopAffineSite>,
    pub thread_targets: Vec<ThreadTarget>,
    pub entry: Option<LoopEntry>,
    /// It asks `asyncio.get_running_loop()` inside a `try`: the sync-hook bridge, whose
    /// `asyncio.run` only runs when no loop does.
    pub checks_running_loop: bool,
    /// It returns `None` only when no loop is running (a probe: `try: get_running_loop()`
    /// `except RuntimeError: return None`).
    pub none_means_no_loop: bool,
    /// The falsy literal arguments of its calls, as (call site, argument): rare, so kept
    /// apart from the call sites.
    pub falsy_arguments: Vec<(u32, FalsyArgument)>,
    /// LW501 findings in this function that stand unless every caller in the project runs
    /// it under a deadline (decided at the link, where the callers are known).
    pub pending_deadline: Vec<PendingDeadline>,
}

/// An LW501 finding waiting for the callers' verdict.
#[derive(Clone, Debug)]
pub struct PendingDeadline {
    pub diagnostic: crate::diagnostic::Diagnostic,
    /// A raw stream or socket operation in a private function (`_name`, or in a `_private`
    /// module): with no caller in the project it is plumbing behind an entry point, which
    /// owns the deadline.
    pub private_plumbing: bool,
    /// For `loop.sock_connect(owner.attr, ...)`: the class attribute the socket comes from
    /// (`app.voice.State.socket`); not reported when a module makes it a datagram socket.
    pub socket_attribute: Option<String>,
}

impl FunctionSummary {
    /// Whether call site `site` passes a falsy literal for `parameter` of its callee.
    pub fn passes_falsy(&self, site: usize, parameter: &ParameterRef) -> bool {
        self.falsy_arguments
            .iter()
            .any(|(at, argument)| *at as usize == site && argument.is_for(parameter))
    }
}

impl FunctionSummary {
    pub fn new(path: String, name: String, is_async: bool, name_range: TextRange) -> Self {
        Self {
            path,
            name,
            is_async,
            is_generator: false,
            runs_once: false,
            name_range,
            calls: Vec::new(),
            blocking: Vec::new(),
            loop_runs: Vec::new(),
            loop_affine: Vec::new(),
            thread_targets: Vec::new(),
            entry: None,
            checks_running_loop: false,
            none_means_no_loop: false,
            falsy_arguments: Vec::new(),
            pending_deadline: Vec::new(),
        }
    }
}

/// A class of the module: its resolved bases, for inherited methods.
#[derive(Clone, Debug, Default)]
pub struct ClassSummary {
    pub bases: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ModuleSummary {
    /// The dotted module name (`app.db`).
    pub module_name: String,
    /// Other names the module is importable under (for namespace packages: the dotted
    /// path relative to the checked directory).
    pub aliases: Vec<String>,
    pub is_package: bool,
    /// Module-level names that refer to something elsewhere (`from .db import load_user`):
    /// what `app.load_user` means when `app/__init__.py` re-exports it.
    pub exports: HashMap<String, String>,
    pub classes: HashMap<String, ClassSummary>,
    /// Every function, module-level code first (as a pseudo-function named `<module>`).
    pub functions: Vec<FunctionSummary>,
    /// The distinct callee paths of the module's calls: the link step resolves each once.
    pub callees: Vec<String>,
    /// For each entry of `callees`, the index of the module's own function it names, when
    /// it names one.
    pub local_callees: Vec<Option<u32>>,
    /// Function path → index in `functions`: the link step finds a function by looking up
    /// its module, then this table, so it never builds one table of every function.
    pub function_by_path: rustc_hash::FxHashMap<String, u32>,
    /// Every call site as (function, call site, callee table entry), in function and site
    /// order: a compact copy for the link step, which reads nothing else of the calls.
    pub call_edges: Vec<(u32, u32, u32)>,
    /// The module's name for `asyncio`, when it imports it (for fixes).
    pub asyncio_alias: Option<String>,
    /// Method names called on values of unknown type (`x.fetch()`): calls the link cannot
    /// resolve, which may reach a project method of that name (LW501 asks).
    /// Sorted, each once (asked by binary search).
    pub unresolved_methods: Box<[Box<str>]>,
    /// Class attributes the module assigns a datagram socket to (`app.voice.State.socket`
    /// for `self.socket = socket.socket(AF_INET, SOCK_DGRAM)`): connecting one waits on no
    /// network (LW501 asks).
    pub datagram_sockets: Vec<String>,
}

impl ModuleSummary {
    /// Whether a whole-project rule could report anything in this module: it has a
    /// loop-driving call (LW202), a function handed to a thread (LW104), or a call that may
    /// name a project function (`in_project` says which callee paths may) from a coroutine
    /// (LW103) or whose value is dropped or tested (LW302, LW303; these also report known
    /// async APIs). The text of a module that has none need not wait for the link.
    pub fn may_have_project_findings(&self, in_project: impl Fn(&str) -> bool) -> bool {
        self.functions.iter().any(|function| {
            !function.loop_runs.is_empty()
                || !function.thread_targets.is_empty()
                || !function.pending_deadline.is_empty()
                || function.calls.iter().any(|call| {
                    let dropped_or_tested = call.usage != CallUsage::Used;
                    if !function.is_async && !dropped_or_tested {
                        return false;
                    }
                    let callee = self.callee(call);
                    in_project(callee) || (dropped_or_tested && catalog::is_coroutine_api(callee))
                })
        })
    }

    /// The qualified path `call` calls.
    pub fn callee(&self, call: &CallSite) -> &str {
        self.callees
            .get(call.callee as usize)
            .map_or("", String::as_str)
    }
}

/// The pseudo-function that holds module-level code.
pub const MODULE_CODE: &str = "<module>";
