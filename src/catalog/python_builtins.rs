//! Builtins and exception classes the rules reason about (LW402): which calls copy or
//! iterate a collection, which only look at a value, and which classes an `isinstance` test
//! of gather results checks for; and the standard library's functions that never return
//! (LW403).

/// Calls and methods that copy or view a collection without changing which tasks it holds:
/// `*list(self._tasks)`, `*self._tasks.values()` (LW402 shutdown drain).
pub const COLLECTION_COPY_CALLS: &[&str] = &[
    "builtins.list",
    "builtins.tuple",
    "builtins.set",
    "builtins.sorted",
];
pub const COLLECTION_COPY_METHODS: &[&str] = &["values", "copy"];

/// Builtins that iterate or wrap a collection, yielding its items unchanged: their result
/// still holds the gather results (LW402).
pub const ITERATION_HELPERS: &[&str] = &[
    "builtins.enumerate",
    "builtins.zip",
    "builtins.list",
    "builtins.tuple",
    "builtins.iter",
    "builtins.reversed",
    "builtins.sorted",
];

/// Builtins that look at a value without handing it on: passing gather results to them is not
/// handing them on (LW402). `isinstance`/`issubclass` count as a check only with an exception
/// class.
pub const NON_INSPECTING_CALLS: &[&str] = &[
    "builtins.len",
    "builtins.bool",
    "builtins.any",
    "builtins.all",
    "builtins.isinstance",
    "builtins.issubclass",
    "builtins.type",
];

/// Exception classes an `isinstance` test of gather results is checking for (LW402). Any
/// class whose name ends in `Error` or `Exception` counts too.
pub const EXCEPTION_BASE_CLASSES: &[&str] = &[
    "builtins.BaseException",
    "builtins.Exception",
    "builtins.BaseExceptionGroup",
    "builtins.ExceptionGroup",
    "builtins.KeyboardInterrupt",
    "builtins.SystemExit",
    "asyncio.CancelledError",
    "asyncio.exceptions.CancelledError",
];

/// Builtins that consume an iterable they are given whole.
pub const CONSUMING_BUILTINS: &[&str] = &[
    "list",
    "tuple",
    "set",
    "frozenset",
    "dict",
    "sorted",
    "sum",
    "min",
    "max",
    "any",
    "all",
];

/// Functions of the standard library that end the process or replace it (typeshed
/// annotates them `-> NoReturn`; `sys.exit` and `exit` raise `SystemExit`): what runs
/// before one of them stalls a loop that is going away (LW101's exemption).
const PROCESS_ENDING_CALLS: &[&str] = &[
    "sys.exit",
    "builtins.exit",
    "builtins.quit",
    "os._exit",
    "os.abort",
    "os.execl",
    "os.execle",
    "os.execlp",
    "os.execlpe",
    "os.execv",
    "os.execve",
    "os.execvp",
    "os.execvpe",
];

/// Functions that never return because they raise (`-> NoReturn` in typeshed).
const ALWAYS_RAISING_CALLS: &[&str] = &["typing.assert_never", "typing_extensions.assert_never"];

/// Whether calling `path` ends the process or replaces it (`sys.exit`, `os._exit`,
/// `os.execv`...).
pub fn ends_the_process(path: &str) -> bool {
    PROCESS_ENDING_CALLS.contains(&path)
}

/// Whether calling `path` never returns: it ends the process, or raises. A handler that
/// calls one does not go on after it (LW403).
pub fn never_returns(path: &str) -> bool {
    ends_the_process(path) || ALWAYS_RAISING_CALLS.contains(&path)
}

/// The bases that make a class a structural type (PEP 544): an implementation need not
/// derive from it, only define its methods.
pub const PROTOCOL_BASES: &[&str] = &["typing.Protocol", "typing_extensions.Protocol"];
