//! `logging`, and the calls that take any value and never await it: a coroutine handed to one
//! is turned into text, measured or tested, and then dropped without running (LW302).

use super::entries::{Api, Class, Library};

pub(super) const LIBRARIES: &[Library] = &[Library::new("logging")
    .functions(&[Api::new("logging.getLogger").returns("logging.Logger")])
    .classes(&[Class::type_only("logging.Logger")])];

/// Calls that take a value and never await it: a coroutine passed to one never runs (LW302).
/// Logging calls format their arguments; the rest inspect or convert them.
pub const COROUTINE_UNAWARE_CALLS: &[&str] = &[
    "builtins.print",
    "builtins.len",
    "builtins.str",
    "builtins.repr",
    "builtins.hasattr",
    "builtins.isinstance",
    "builtins.getattr",
    "builtins.id",
    "builtins.hash",
    "json.dumps",
    "logging.debug",
    "logging.info",
    "logging.warning",
    "logging.error",
    "logging.exception",
    "logging.critical",
    "logging.log",
    "logging.Logger.debug",
    "logging.Logger.info",
    "logging.Logger.warning",
    "logging.Logger.error",
    "logging.Logger.exception",
    "logging.Logger.critical",
    "logging.Logger.log",
];

/// The last names of [`COROUTINE_UNAWARE_CALLS`] (`print`, `info`, `dumps`): asked of every
/// call nested in another, so only a name in this set is worth resolving.
static UNAWARE_NAMES: std::sync::LazyLock<rustc_hash::FxHashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        COROUTINE_UNAWARE_CALLS
            .iter()
            .chain(super::frameworks::RESPONSE_BUILDERS)
            .filter_map(|path| path.rsplit('.').next())
            .collect()
    });

/// Whether a call to `path` takes values and never awaits them: the calls above, and the
/// response builders of web frameworks, which serialise their body at once.
pub fn is_coroutine_unaware_call(path: &str) -> bool {
    COROUTINE_UNAWARE_CALLS.contains(&path) || super::frameworks::RESPONSE_BUILDERS.contains(&path)
}

/// Whether a call named `name` (its last segment) may be one of [`COROUTINE_UNAWARE_CALLS`].
pub fn is_coroutine_unaware_name(name: &str) -> bool {
    UNAWARE_NAMES.contains(name)
}
