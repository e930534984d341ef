//! What one module tells the rest of the project: its functions, and for each the calls it
//! makes (resolved to qualified paths), the blocking, loop-driving and loop-affine calls
//! in it, and the functions it hands to other threads. Built during the checker's walk,
//! owned (no borrow of the tree), so the tree can be dropped before the link step.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use thin_vec::ThinVec;

use ruff_text_size::{TextRange, TextSize};

use crate::diagnostic::{PendingFix, ThreadRunner, ToThreadRecipe};
use crate::offsets::{MarkedOffset, MarkedRange};

use super::interned::Name;
use crate::catalog::{self, Blocking, ThreadState};

/// How a call's result is used, as far as the whole-project rules care.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CallUsage {
    /// The result is used (assigned and read, passed, returned, awaited...).
    Used,
    /// The result is thrown away: an expression statement, or a name never read.
    Dropped,
    /// The result is tested for truth (`if f():`, `not f()`, `assert f()`, `f() or g()`,
    /// `bool(f())`, `f() == x`).
    Condition,
    /// The result is used as what the call would return, in a way that never awaits it:
    /// handed to a call that only inspects or formats it (`print(f())`, `len(f())`,
    /// `logger.info("%s", f())`), bound to a name read only for its members
    /// (`me = f()` ... `me.user_id`), or unpacked (`rows, cursor = f()`).
    Consumed,
    /// The result is indexed or read for a member in place (`f()["data"]`, `f().id`), which a
    /// coroutine does not have; `await` the call itself is the fix, in parentheses.
    Indexed,
    /// The same under an `await` that applies to the index, not the call (`await
    /// f()["data"]`, which subscripts the coroutine first): the `await` is misplaced.
    IndexedUnderAwait,
    /// The value is returned as it is from an `async def` (`return self._done.wait()`):
    /// awaiting the function gives this value back, not what it would give awaited. Not
    /// for a function annotated to return an awaitable (`-> Awaitable[None]`).
    Returned,
    /// The call itself is awaited, entered with `async with` or iterated with `async for`:
    /// what a sync function or a blocking API returns supports none of these, so a callee
    /// resolved to one (through a type inferred from a base class's annotation, say) is
    /// another at run time.
    Awaited,
    /// The result is stored in a private attribute of `self` that nothing in the module
    /// reads (`self._pending = save(x)`): a coroutine there is never awaited, but a task
    /// there is kept alive by the object, which is all a task needs.
    StoredUnread,
}

impl CallUsage {
    /// Whether the result is used as a value (awaited included): not dropped, tested or
    /// taken for what a coroutine would give.
    pub fn is_used(self) -> bool {
        matches!(self, Self::Used | Self::Awaited)
    }
}

/// Whether a call in async context runs under a deadline where it is made (LW501 asks it of
/// the callers of a function whose awaits have none of their own).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CallDeadline {
    /// No deadline where it is made (its caller's callers may still set one).
    #[default]
    Unbounded,
    /// Inside `async with asyncio.timeout(...)` and the like, or `asyncio.wait_for(call, t)`.
    Bounded,
    /// Handed to `create_task(...)` and the like: the new task inherits no deadline.
    Detached,
    /// No deadline, but awaited directly inside a `for` or `while` of its function that
    /// waits for what comes next (a pump: `while True: handle(await transport.recv())`). It
    /// bounds nothing, but a function that is itself one wait for the next message
    /// ([`PendingDeadline::next_message`]) called only so is that pump's read.
    Pumped,
}

/// One call of a function. Every call the link may use has one for the whole run, so its
/// yes-or-no facts are bits of one byte (16 bytes a call site, not 24): read them through
/// [`CallSite::in_async_context`] and the other accessors.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct CallSite {
    /// The callee's qualified path (`app.db.load_user`, `app.models.Repo.save`), as an
    /// index into the module's [`ModuleSummary::callees`].
    pub callee: u32,
    #[serde(with = "crate::offsets::range")]
    pub range: TextRange,
    pub usage: CallUsage,
    /// Whether a deadline bounds it where it is made (async context only).
    pub deadline: CallDeadline,
    /// [`ArgumentShape::positional`].
    positional: u8,
    /// [`CallFacts`] and the rest of [`ArgumentShape`], a bit each.
    flags: u8,
}

/// The yes-or-no facts of a call, as a [`CallSite`] is made from them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallFacts {
    /// The call sits in async context (an `await` may be inserted before it).
    pub in_async_context: bool,
    /// Its value is iterated where it is made (`for x in f()`, a comprehension over it,
    /// `list(f())`): the body of a generator function runs only then.
    pub iterated: bool,
    /// The call runs only when no event loop is running, or never (the guards of
    /// `checker::loop_guards`): it does not carry a running loop into the callee.
    pub loop_guarded: bool,
    /// The call sits in the body of a `try` that catches `RuntimeError` (or `Exception`).
    pub catches_runtime_error: bool,
    /// It fills a cache on a miss (`if key not in CACHE: CACHE[key] = make(key)`): it runs
    /// once per key, like a memoized function's body.
    pub fills_cache: bool,
}

const IN_ASYNC_CONTEXT: u8 = 1;
const ITERATED: u8 = 1 << 1;
const LOOP_GUARDED: u8 = 1 << 2;
const CATCHES_RUNTIME_ERROR: u8 = 1 << 3;
const FILLS_CACHE: u8 = 1 << 4;
const UNPACKS: u8 = 1 << 5;
const SPELLS_KEYWORDS: u8 = 1 << 6;
const ON_SELF: u8 = 1 << 7;

impl CallSite {
    pub fn new(
        (callee, range): (u32, TextRange),
        (usage, deadline): (CallUsage, CallDeadline),
        arguments: ArgumentShape,
        facts: CallFacts,
    ) -> Self {
        let flags = [
            (facts.in_async_context, IN_ASYNC_CONTEXT),
            (facts.iterated, ITERATED),
            (facts.loop_guarded, LOOP_GUARDED),
            (facts.catches_runtime_error, CATCHES_RUNTIME_ERROR),
            (facts.fills_cache, FILLS_CACHE),
            (arguments.unpacks, UNPACKS),
            (arguments.spells_keywords, SPELLS_KEYWORDS),
            (arguments.on_self, ON_SELF),
        ]
        .into_iter()
        .filter(|(set, _)| *set)
        .fold(0, |flags, (_, bit)| flags | bit);
        CallSite {
            callee,
            range,
            usage,
            deadline,
            positional: arguments.positional,
            flags,
        }
    }

    fn has(&self, bit: u8) -> bool {
        self.flags & bit != 0
    }

    /// [`CallFacts::in_async_context`].
    pub fn in_async_context(&self) -> bool {
        self.has(IN_ASYNC_CONTEXT)
    }

    /// [`CallFacts::iterated`].
    pub fn iterated(&self) -> bool {
        self.has(ITERATED)
    }

    /// [`CallFacts::loop_guarded`].
    pub fn loop_guarded(&self) -> bool {
        self.has(LOOP_GUARDED)
    }

    /// [`CallFacts::catches_runtime_error`].
    pub fn catches_runtime_error(&self) -> bool {
        self.has(CATCHES_RUNTIME_ERROR)
    }

    /// [`CallFacts::fills_cache`].
    pub fn fills_cache(&self) -> bool {
        self.has(FILLS_CACHE)
    }

    /// Which arguments it spells.
    pub fn arguments(&self) -> ArgumentShape {
        ArgumentShape {
            positional: self.positional,
            unpacks: self.has(UNPACKS),
            spells_keywords: self.has(SPELLS_KEYWORDS),
            on_self: self.has(ON_SELF),
        }
    }
}

/// A parameter, by name and (for one that can be passed positionally) position among the
/// arguments a call spells: `self`/`cls` of a method not counted.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ParameterRef {
    pub name: Name,
    pub position: Option<u32>,
    /// The default a call that omits the argument gets, when it is a literal whose truth is
    /// known (`timeout=None`, `retry=False`, `wait=True`); `None` for a required parameter or
    /// another default.
    pub literal_default: Option<Literal>,
}

/// A literal passed for a parameter, by its truth: `None`, another falsy literal (`False`,
/// `0`, `""`), or a true one (`True`, `1`, `[0]`); a non-empty string by a hash of its
/// text, which is true as well and tells it from other strings (`method="csv"` against a
/// guard `if method == "file":`). A guard `p is not None` lets `0` and `False` through, a
/// guard `if p:` does not, and a guard `if not p:` only a true one stops.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Literal {
    None,
    Falsy,
    Truthy,
    Text(u16),
}

impl Literal {
    /// A non-empty string literal's [`Literal::Text`]. Sixteen bits keep a literal argument
    /// as small as before strings were told apart (every project call's literal arguments
    /// are kept for the link). Two strings of the same hash are taken for equal: a guard
    /// then stops fewer calls, never more.
    pub fn text(text: &str) -> Literal {
        use std::hash::Hasher;
        let mut hasher = rustc_hash::FxHasher::default();
        hasher.write(text.as_bytes());
        let hash = hasher.finish();
        Literal::Text((hash ^ (hash >> 16) ^ (hash >> 32) ^ (hash >> 48)) as u16)
    }
}

/// Code that runs only when a parameter of its function passes a test: `if p:`,
/// `if p is not None:`, after `if p is None: raise ...`, in `p and f()`, the `else` of
/// `if p:`, `if isinstance(p, Path):`, `if p == "file":`. The parameter is never reassigned
/// in the function.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ParameterGuard {
    pub parameter: ParameterRef,
    pub test: GuardTest,
}

/// What a [`ParameterGuard`] asks of its parameter. One test is kept per guard: the code
/// runs only when every test around it passes, so any one of them is true of it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum GuardTest {
    /// The value is true (`if p:`): `None` and a falsy literal stop the code.
    Truthy,
    /// The value is not `None` (`if p is not None:`): only `None` stops it; a falsy value
    /// other than `None` passes.
    NotNone,
    /// The value is falsy (`if not p:`, the `else` of `if p:`): a true literal stops it.
    Falsy,
    /// The value is not an instance of this class (the `else` of
    /// `if isinstance(fp, io.IOBase):`): an argument of that class stops it, and nothing
    /// else does (a literal is no instance of it).
    NotInstanceOf(Name),
    /// The value is an instance of one of these classes (the body of
    /// `if isinstance(data, (str, Path)):`): an argument of a class the catalog knows to be
    /// none of them stops it, and so does `None`.
    InstanceOf(ThinVec<Name>),
    /// The value equals this string literal (the body of `if method == "file":`,
    /// [`Literal::text`]): any other literal stops it.
    Equals(Literal),
    /// The value differs from this string literal (what follows
    /// `if method == "constant": return ...`, a later `elif`): that literal stops it.
    DiffersFrom(Literal),
}

impl ParameterGuard {
    /// Whether a value of this kind keeps the guarded code from running.
    pub fn stops(&self, value: Literal) -> bool {
        match &self.test {
            // `None`, a falsy literal or another string; not any other true literal, which
            // may be a string this summary does not spell (`"fi" "le"`).
            GuardTest::Equals(text) => match value {
                Literal::None | Literal::Falsy => true,
                Literal::Text(_) => value != *text,
                Literal::Truthy => false,
            },
            GuardTest::DiffersFrom(text) => value == *text,
            GuardTest::NotInstanceOf(_) => false,
            // A `str` or `bytes` literal may be an instance of what is tested; `None` is not.
            GuardTest::InstanceOf(_) => value == Literal::None,
            GuardTest::Truthy => matches!(value, Literal::None | Literal::Falsy),
            GuardTest::NotNone => value == Literal::None,
            GuardTest::Falsy => matches!(value, Literal::Truthy | Literal::Text(_)),
        }
    }

    /// Whether an argument of library type `type_name` keeps the guarded code from running.
    pub fn stops_type(&self, type_name: &str) -> bool {
        match &self.test {
            GuardTest::NotInstanceOf(class) => {
                crate::catalog::derives_from(type_name, class.as_str())
            }
            GuardTest::InstanceOf(classes) => crate::catalog::never_instance_of(type_name, classes),
            _ => false,
        }
    }

    /// Whether the guard tests the value's class, which a caller's literal argument does
    /// not tell.
    pub fn tests_class(&self) -> bool {
        matches!(
            self.test,
            GuardTest::NotInstanceOf(_) | GuardTest::InstanceOf(_)
        )
    }

    /// The same guard on another parameter (the caller's, which it passes on unchanged).
    pub fn on(&self, parameter: ParameterRef) -> ParameterGuard {
        ParameterGuard {
            parameter,
            test: self.test.clone(),
        }
    }
}

/// Where an argument is spelled at a call: by position, or by keyword.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ArgumentSlot {
    Positional(u32),
    Keyword(Name),
}

impl ArgumentSlot {
    /// Whether this argument is the one passed for `parameter`.
    pub fn is_for(&self, parameter: &ParameterRef) -> bool {
        match self {
            ArgumentSlot::Positional(position) => parameter.position == Some(*position),
            ArgumentSlot::Keyword(name) => *name == parameter.name,
        }
    }
}

/// Which arguments a call spells, compactly: enough to tell that it omits a parameter.
/// The keyword names it spells are apart, in [`FunctionSummary::keyword_arguments`]: only
/// the calls the link may bind to a project function need them (a fifth of the benchmark
/// corpus's 437,000 call sites spell a keyword, and 89,000 of those may reach the project),
/// and inline they were 16 of a call site's 40 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ArgumentShape {
    /// Positional arguments before any `*args`.
    pub positional: u8,
    /// A `*args` or `**kwargs`: any parameter may be passed.
    pub unpacks: bool,
    /// It spells a keyword argument (`f(x, timeout=5)`).
    pub spells_keywords: bool,
    /// A method called on the caller's own receiver (`self.refresh()`): the callee sees the
    /// receiver's attributes as the caller left them.
    pub on_self: bool,
}

impl ArgumentShape {
    /// Whether the call may pass `parameter` (it is not certainly omitted), `keywords` being
    /// the names it spells, when they were kept: without them any keyword may be spelled.
    pub fn may_pass(&self, keywords: Option<KeywordBits>, parameter: &ParameterRef) -> bool {
        self.unpacks
            || parameter
                .position
                .is_some_and(|position| position < u32::from(self.positional))
            || self.spells_keywords
                && keywords.is_none_or(|keywords| keywords.may_contain(&parameter.name))
    }
}

/// The keyword names a call spells, as a Bloom filter of three bits per name
/// ([`keyword_bits`]): a name with a bit clear is certainly not spelled; one with all three
/// set is taken as spelled (for seven keywords a wrong "spelled" is rarer than one in two
/// hundred, and only costs a finding that could have been spared). 128 bits, kept as four
/// `u32`s so that a list of them is aligned to 4 bytes rather than a `u128`'s 16.
/// Serialized as the `u128` it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeywordBits([u32; 4]);

impl KeywordBits {
    fn bits(self) -> u128 {
        self.0
            .iter()
            .rev()
            .fold(0, |bits, &word| bits << 32 | u128::from(word))
    }

    fn of(bits: u128) -> Self {
        Self(std::array::from_fn(|word| (bits >> (32 * word)) as u32))
    }

    /// Notes keyword `name` as spelled.
    pub fn insert(&mut self, name: &str) {
        *self = Self::of(self.bits() | keyword_bits(name));
    }

    /// Whether `name` may be spelled (all its bits are set).
    pub fn may_contain(&self, name: &str) -> bool {
        let bits = keyword_bits(name);
        self.bits() & bits == bits
    }
}

impl serde::Serialize for KeywordBits {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u128(self.bits())
    }
}

impl<'de> serde::Deserialize<'de> for KeywordBits {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <u128 as serde::Deserialize>::deserialize(deserializer).map(Self::of)
    }
}

/// The bits of [`ArgumentShape::keywords`] a keyword name sets: three, by double hashing
/// two FNV-1a hashes (the same in every run).
pub fn keyword_bits(name: &str) -> u128 {
    let mut first: u32 = 0x811c_9dc5;
    let mut second: u32 = 0x0100_0193;
    for byte in name.bytes() {
        first ^= u32::from(byte);
        first = first.wrapping_mul(0x0100_0193);
        second = second.rotate_left(5) ^ u32::from(byte);
        second = second.wrapping_mul(0x27d4_eb2d);
    }
    (0..3).fold(0, |bits, round: u32| {
        bits | 1 << (first.wrapping_add(round.wrapping_mul(second | 1)) % 128)
    })
}

/// What a call passes for a parameter, as far as a guard on it cares.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Passed {
    /// A falsy literal, spelled or the default of an omitted argument.
    Literal(Literal),
    /// The caller's own parameter, passed on unchanged.
    Parameter(ParameterRef),
    /// Anything else: the guarded code may run.
    Unknown,
}

/// LW103's fixes for a module's calls, held as recipes ([`ToThreadRecipe`]) until a
/// finding needs one: a hundred thousand call sites of the benchmark corpus may get a fix,
/// a few hundred findings use one. Spelled, they took about 4 % of a cold run's
/// instructions (the text of each, then serialized and compressed); a recipe is a few
/// positions, spelled from the file's text once it is read again for the finding.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ToThreadFixes {
    /// The calls themselves moved to a worker thread, in function and call-site order.
    calls: Box<[ToThreadEntry]>,
    /// The builtin that consumes a call's value whole (`list(gen())`) moved instead: what
    /// moves when the callee turns out to be a generator function, whose body runs only as
    /// it is iterated. In the same order.
    consumers: Box<[ToThreadEntry]>,
    /// The module's ways of running a call in a thread ([`ToThreadRecipe::runner`]): one in
    /// most modules.
    runners: Box<[ThreadRunner]>,
}

/// The fix of call site `site` of function `function`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ToThreadEntry {
    pub function: u32,
    pub site: u32,
    pub recipe: ToThreadRecipe,
}

impl ToThreadFixes {
    /// The table of `calls` and `consumers`, in any order, spelled by `runners`.
    pub fn new(
        mut calls: Vec<ToThreadEntry>,
        mut consumers: Vec<ToThreadEntry>,
        runners: Vec<ThreadRunner>,
    ) -> Self {
        calls.sort_by_key(|entry| (entry.function, entry.site));
        consumers.sort_by_key(|entry| (entry.function, entry.site));
        Self {
            calls: calls.into_boxed_slice(),
            consumers: consumers.into_boxed_slice(),
            runners: runners.into_boxed_slice(),
        }
    }

    /// The fix that moves call site `site` of function `function` itself, if it has one.
    pub fn call(&self, function: usize, site: usize) -> Option<PendingFix> {
        self.pending(&self.calls, function, site)
    }

    /// The fix that moves the builtin consuming call site `site` of function `function`,
    /// if it has one.
    pub fn consumer(&self, function: usize, site: usize) -> Option<PendingFix> {
        self.pending(&self.consumers, function, site)
    }

    fn pending(
        &self,
        entries: &[ToThreadEntry],
        function: usize,
        site: usize,
    ) -> Option<PendingFix> {
        let key = (u32::try_from(function).ok()?, u32::try_from(site).ok()?);
        let at = entries
            .binary_search_by(|entry| (entry.function, entry.site).cmp(&key))
            .ok()?;
        let recipe = entries[at].recipe.clone();
        let runner = self.runners.get(recipe.runner as usize)?.clone();
        Some(PendingFix { recipe, runner })
    }

    /// Every entry's site numbered again by `site` (function, old number → new), and the
    /// entries of sites left out (`None`) dropped: a fix matters only to a call the link
    /// binds to a blocking project function.
    fn renumber_sites(&mut self, site: impl Fn(u32, u32) -> Option<u32>) {
        let again = |entries: &mut Box<[ToThreadEntry]>| {
            *entries = std::mem::take(entries)
                .into_vec()
                .into_iter()
                .filter_map(|mut entry| {
                    entry.site = site(entry.function, entry.site)?;
                    Some(entry)
                })
                .collect();
        };
        again(&mut self.calls);
        again(&mut self.consumers);
    }

    pub fn len(&self) -> usize {
        self.calls.len() + self.consumers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.calls.is_empty() && self.consumers.is_empty()
    }
}

/// A call to a catalogued blocking API.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct BlockingSite {
    pub api: Name,
    pub category: Blocking,
    /// How serious the call is ([`catalog::BlockingKind::severity`]): a chain names the most
    /// serious call a helper reaches.
    pub severity: u8,
    #[serde(with = "crate::offsets::range")]
    pub range: TextRange,
    /// It runs only when a parameter of its function holds a value.
    pub guard: Option<ParameterGuard>,
    /// It runs only when call site `n` of its function returns a truthy (`true`) or falsy
    /// value: never inside a running loop when that call is a loop probe that says
    /// otherwise there ([`FunctionSummary::running_probe`]).
    pub probe: Option<(u32, bool)>,
    /// It fills a cache on a miss (see [`CallSite::fills_cache`]).
    pub fills_cache: bool,
}

/// `asyncio.run`, `loop.run_until_complete` or `loop.run_forever`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct LoopRunSite {
    pub api: Name,
    #[serde(with = "crate::offsets::range")]
    pub range: TextRange,
    /// It runs only when no loop is running (the `except RuntimeError` of a
    /// `get_running_loop()`, the branch where `is_running()` is false), or never.
    pub guarded: bool,
    /// It runs only when a parameter of its function holds a value (`if retry:`,
    /// `while wait:`, `for _ in range(attempts):`, the parameter never reassigned): a call
    /// that passes a falsy literal for it (`attempts=0`), or omits it where that is the
    /// default, never reaches it.
    pub guard: Option<ParameterGuard>,
    /// It runs only when `x is None`, `x` the value of call site `n` of its function: a
    /// guard when that call is a loop probe ([`FunctionSummary::none_means_no_loop`]).
    pub guarded_by_probe: Option<u32>,
}

/// A loop-affine asyncio call (`asyncio.create_task`, `loop.call_soon`, ...).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct LoopAffineSite {
    pub api: Name,
    #[serde(with = "crate::offsets::range")]
    pub range: TextRange,
    /// The API raises where no loop runs (`asyncio.create_task`).
    pub raises_off_loop: bool,
    /// ... and the call sits in a `try` that catches `RuntimeError`.
    pub caught: bool,
    /// The call runs only on a thread its code names (`if threading.get_ident() ==
    /// loop_thread.ident:`): see [`crate::checker::thread_checks`].
    pub on_checked_thread: bool,
}

/// A function handed to another thread (`run_in_executor(None, f)`, `Thread(target=f)`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ThreadTarget {
    /// The target's qualified path.
    pub target: String,
    /// How it was handed over (`asyncio.to_thread`), for the message.
    pub via: String,
    #[serde(with = "crate::offsets::range")]
    pub range: TextRange,
    /// The target is called by a lambda that was handed over (`lambda _now:
    /// hass.async_create_task(...)`), not handed over itself.
    #[serde(default)]
    pub in_lambda: bool,
}

/// A parameter a function hands to another thread (`def in_thread(func, *args): return
/// loop.run_in_executor(None, func, *args)`): what runs there is what its callers pass.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ThreadParameter {
    pub parameter: ParameterRef,
    /// How it is handed over (`AbstractEventLoop.run_in_executor`), for the message.
    pub via: String,
    #[serde(with = "crate::offsets::range")]
    pub range: TextRange,
}

/// Why a sync function runs inside a running loop even though no coroutine calls it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LoopEntry {
    /// A framework hook (LiteLLM `CustomLogger.log_success_event`, a `sync-hooks` entry).
    SyncHook,
    /// A `__del__` finalizer.
    Finalizer,
}

/// One function of the module. Every function of the project has one for the whole run,
/// and most have no blocking call, loop run, hand-off or guard. Lists are `ThinVec`s, one
/// pointer wide (a `Vec` is three), the call sites too; the four a function often has (8
/// to 34 % of the benchmark corpus's functions have each) are here, the twelve rarer ones
/// apart, in [`FunctionSites`], allocated only for the functions that have one (under a
/// seventh of them); the others share one empty set. Those read as the summary's own fields
/// (`function.blocking`) through `Deref`. (Inline, the sixteen lists made a summary 200
/// bytes, not 104.)
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct FunctionSummary {
    /// Its name qualified within its module (`load_user`, `Repo.save`, `outer.inner`; the
    /// module's path is [`ModuleSummary::function_path`]) and the short name shown in
    /// chains: [`Self::qualname`], [`Self::name`].
    names: FunctionNames,
    pub is_async: bool,
    /// Its body yields: calling it makes a generator, and the body runs only as that is
    /// iterated (an `async def` that yields makes an async generator, not a coroutine).
    pub is_generator: bool,
    /// A memoized function (`@functools.cache def settings():`, `@lru_cache def
    /// context(cipher)`): its body runs once per process, or once per distinct arguments,
    /// so what it blocks on, it blocks on the first time, not per call. LW103 does not
    /// carry it to callers: such a cache is almost always filled at start-up or on the
    /// first request, which is what it is for.
    pub runs_once: bool,
    /// An `async def` behind a decorator that makes it a plain function (`@async_to_sync`, or
    /// a decorator of the module whose wrapper is a sync `def`), or that does what the module
    /// cannot see (a library's decorator not known to keep a coroutine function): calling it
    /// is not taken to make a coroutine. Decorators of other modules of the project are
    /// [`FunctionSites::project_decorators`], read by the link.
    pub coroutine_hidden: bool,
    /// What a sync `def` makes of an `async def` it decorates (read by the link for the
    /// decorators of other modules: [`FunctionSites::project_decorators`]).
    pub as_decorator: DecoratorKind,
    /// The range of the function's name, for its row.
    #[serde(with = "crate::offsets::name_range")]
    pub name_range: TextRange,
    pub calls: ThinVec<CallSite>,
    pub entry: Option<LoopEntry>,
    /// It asks `asyncio.get_running_loop()` inside a `try`: the sync-hook bridge, whose
    /// `asyncio.run` only runs when no loop does.
    pub checks_running_loop: bool,
    /// It returns `None` only when no loop is running (a probe: `try: get_running_loop()`
    /// `except RuntimeError: return None`).
    pub none_means_no_loop: bool,
    /// What its return value says about a running loop, when it is a probe.
    pub running_probe: Option<RunningProbe>,
    /// The falsy literal arguments of its calls, as (call site, argument, literal): rare, so
    /// kept apart from the call sites.
    pub literal_arguments: ThinVec<(u32, ArgumentSlot, Literal)>,
    /// The arguments of its calls that pass one of its own parameters on unchanged (sync
    /// functions only), as (call site, argument, parameter).
    pub forwarded_arguments: ThinVec<(u32, ArgumentSlot, ParameterRef)>,
    /// The known types of the arguments its class constructions pass (`Login(self, ids)`
    /// inside a method: `self`'s class), as (call site, argument, type): what the link types
    /// [`ClassSummary::parameter_attributes`] from.
    pub argument_types: ThinVec<(u32, ArgumentSlot, Name)>,
    /// The keyword names spelled by those of its calls that may reach a project function,
    /// as (call site, names), in call-site order: see [`ArgumentShape`].
    pub keyword_arguments: ThinVec<(u32, KeywordBits)>,
    /// The arguments of its calls that name a function that may be the project's
    /// (`batch(task_creator=create_tasks)`, `run(self.on_reply)`), as (call site, argument,
    /// qualified path as an index into [`ModuleSummary::callees`], which resolves it): what the
    /// link binds [`Self::parameter_callees`] to.
    pub callable_arguments: ThinVec<(u32, ArgumentSlot, u32)>,
    /// The rarer lists of sites, when one is not empty.
    sites: Option<Box<FunctionSites>>,
}

/// What a function used as a decorator makes of the `async def` it decorates, as its body
/// says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DecoratorKind {
    /// A coroutine function still: it returns the function it was given, or a wrapper that
    /// is an `async def` (`async def wrapper(*a): return await fn(*a)`), or, made by a
    /// decorator factory, a decorator that does.
    Keeps,
    /// A plain function: it returns a wrapper that is a sync `def` (`def wrapper(*a):
    /// return asyncio.run(fn(*a))`).
    Hides,
    /// A function run in a worker thread: it returns a wrapper (sync or async) that hands
    /// the function it was given to a thread (`loop.run_in_executor(None, partial(fn, *a))`,
    /// `asyncio.to_thread(fn, *a)`) and calls it nowhere else. Made for a sync `def`, whose
    /// body then never runs on the caller's thread; of an `async def` it makes no coroutine.
    Offloads,
    /// Anything else (an object of a class, a value the body computes).
    #[default]
    Unknown,
}

/// The rarer lists of a function's sites and facts, most often all empty (see
/// [`FunctionSummary`]).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FunctionSites {
    pub blocking: ThinVec<BlockingSite>,
    pub loop_runs: ThinVec<LoopRunSite>,
    pub loop_affine: ThinVec<LoopAffineSite>,
    pub thread_targets: ThinVec<ThreadTarget>,
    /// Its parameters it hands to another thread: the link binds each to the project
    /// functions its callers pass for it (LW104).
    pub thread_parameters: ThinVec<ThreadParameter>,
    /// Functions handed to the event loop to run on its thread (`loop.call_soon(f)`,
    /// `task.add_done_callback(f)`): `via` names the registering API.
    pub loop_callbacks: ThinVec<ThreadTarget>,
    /// Its calls that run only when one of its parameters holds a value, as (call site,
    /// guard): rare, so kept apart from the call sites.
    pub guarded_calls: ThinVec<(u32, ParameterGuard)>,
    /// What a method assigns to its receiver's attributes (`self.x = x`), in order, for the
    /// methods it calls on the same receiver: (attribute, where it takes the value, what the
    /// value is). Recorded only for methods that call one on `self`.
    pub receiver_assignments: ThinVec<(Box<str>, MarkedOffset, Passed)>,
    /// Its calls that run only when an earlier call returns a truthy (`true`) or falsy
    /// value, as (call site, probe call site, truthy): see [`BlockingSite::probe`].
    pub probe_guarded_calls: ThinVec<(u32, u32, bool)>,
    /// Its calls that run only on a thread its code names (`if threading.get_ident() ==
    /// loop_thread.ident: instance.start()`): a worker thread does not reach the callee
    /// through them (LW104). Rare, so kept apart from the call sites.
    pub thread_checked_calls: ThinVec<u32>,
    /// Its method calls that run only where the receiver lacks an attribute, as (call
    /// site, attribute): the fallback of a feature test (`if hasattr(store, "read_async"):
    /// ... else: store.read()`, [`crate::checker::feature_tests`]). The link does not follow
    /// one into a class that has the attribute. Rare, so kept apart from the call sites.
    pub feature_fallbacks: ThinVec<(u32, Box<str>)>,
    /// LW501 findings in this function that stand unless every caller in the project runs
    /// it under a deadline (decided at the link, where the callers are known).
    pub pending_deadline: ThinVec<PendingDeadline>,
    /// Functions handed to a registration method (`fut.add_done_callback(f)`) of a value
    /// whose type only the link knows: `via` is the callee path as the module spelled it.
    /// The link decides whether the registration runs `f` on another thread or on the loop.
    pub pending_callbacks: ThinVec<ThreadTarget>,
    /// The arguments of its calls that hand over an `aiohttp.ClientSession` built without a
    /// finite read timeout, as (call site, argument, `true` when its `ClientTimeout` sets no
    /// limit at all rather than leaving aiohttp's 300 s default): what LW501 asks of the
    /// callers of a function that makes requests on a session parameter.
    pub session_arguments: ThinVec<(u32, ArgumentSlot, bool)>,
    /// Its calls of a callable it was handed (`task_creator(session, ...)` on a parameter, its
    /// own or, read by a nested function, an enclosing function's), as (call site, index of
    /// the function whose parameter it is, parameter). Their callee is [`PARAMETER_CALLEE`]:
    /// the link binds each to the project functions that function's callers pass.
    pub parameter_callees: ThinVec<(u32, u32, ParameterRef)>,
    /// The decorators of an `async def` that may be functions of other modules of the
    /// project (`@background(exclusive=True)` with `background` imported from `.workers`), as
    /// the paths the module resolves them to: whether calling it makes a coroutine is
    /// decided at the link, which reads what each does ([`Project::makes_coroutine`]).
    ///
    /// [`Project::makes_coroutine`]: super::index::Project::makes_coroutine
    pub project_decorators: ThinVec<Box<str>>,
    /// A sync `def` behind a decorator that runs it in a worker thread
    /// ([`crate::catalog::THREAD_RUNNING_DECORATORS`]): calling it runs none of its body on
    /// the caller's thread ([`Project::call_runs_body`]). Rare, so kept here.
    ///
    /// [`Project::call_runs_body`]: super::index::Project::call_runs_body
    pub runs_in_thread: bool,
    /// Of a [`Self::runs_in_thread`] function: calling it makes a coroutine, which runs the
    /// body in the worker thread once awaited (`@sync_to_async`, not textual's `@work`).
    pub thread_coroutine: bool,
    /// Its body runs a `while True:` that never ends by itself ([`loops_forever`]): awaited,
    /// a call of it does not return, so LW302 offers no `await` for it. Rare, so kept here.
    ///
    /// [`loops_forever`]: crate::ast_query::loops_forever
    pub loops_forever: bool,
    /// A sync function that returns a value doing its blocking work as it is iterated, and
    /// nothing before (`return Order.objects.filter(...)`): its blocking runs where a caller
    /// iterates what it returns, as a generator function's body does
    /// ([`FunctionSummary::runs_where_iterated`]). Rare, so kept here.
    pub returns_lazy_query: bool,
    /// A sync function that returns a task it has just made and kept nowhere (`return
    /// asyncio.create_task(wrapped)`, or a local bound to one that is only returned): a
    /// caller that drops what it returns drops the task's only strong reference (LW301).
    /// Rare, so kept here.
    pub returns_new_task: bool,
    /// A function called without arguments every `return` of which gives a falsy constant or a
    /// test true only while the current task is being cancelled (`return task is not None
    /// and task.cancelling() > 0`): a handler of another module that re-raises when it
    /// answers true re-raises the task's own cancellation (LW403). Rare, so kept here.
    pub tells_cancelling: bool,
    /// An `async def` behind a decorator that makes calling it run the coroutine on a loop
    /// of its own from the caller's thread, and fail where one already runs there
    /// (`@async_to_sync`: [`crate::catalog::LOOP_RUNNING_DECORATORS`]): each call of it is
    /// a loop run of LW202's.
    pub runs_own_loop: bool,
    /// Its body is a placeholder (`...`, `pass`, a docstring, `raise NotImplementedError`):
    /// a `Protocol`'s or an abstract method, which the link follows to the class's one
    /// implementation in the project when there is exactly one. Rare, so kept here.
    pub is_stub: bool,
    /// Of a [`FunctionSummary::runs_once`] function that keeps its value in a global, or of
    /// one whose calls fill a global kept for the process (`if _SETTINGS is None: _SETTINGS =
    /// load()`, [`CallSite::fills_cache`]): the module-level functions of its module that set
    /// that global back (`reload_config`), which the module never calls itself. It runs
    /// once, and its fills fill once, unless code outside the tests calls one of them
    /// ([`crate::project::Facts`] asks). Rare, so kept here.
    pub rearmed_by: ThinVec<Box<str>>,
    /// It keeps state on the thread that runs it: it uses an object that belongs to the
    /// thread that made it (a `sqlite3` connection) and did not make it itself
    /// (`self.conn.execute(...)`), or makes one that outlives the call (`self.conn =
    /// sqlite3.connect(...)`); or it reads thread-local storage, sets a context variable,
    /// installs a signal handler ([`ThreadState`]). Moved to a worker thread, it would raise
    /// or act on another thread's state than its caller's. Rare, so kept here.
    pub thread_state: Option<ThreadState>,
    /// Of a program's entry coroutine (`asyncio.run(main())`,
    /// [`crate::checker::entry_coroutines`]): where other work may first be waiting on its
    /// loop. A blocking call before it stalls nothing ([`FunctionSummary::runs_alone_at`]).
    /// Rare, so kept here.
    pub runs_alone_until: Option<MarkedOffset>,
}

/// How an `async def` is registered as a view of a framework that runs each call of it on an
/// event loop of its own ([`ModuleSummary::own_loop_views`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum OwnLoopView {
    /// On a value the module knows is such a framework's application or blueprint
    /// (`app = Flask(__name__)` ... `@app.route("/")`).
    Certain,
    /// On a module-level name of another module of the project (`from .web import app`):
    /// a view if that module binds the name to an application or blueprint
    /// ([`ModuleSummary::own_loop_apps`]), which the link decides.
    IfAppOf(Box<str>),
}

impl FunctionSites {
    fn is_empty(&self) -> bool {
        self.blocking.is_empty()
            && self.loop_runs.is_empty()
            && self.loop_affine.is_empty()
            && self.thread_targets.is_empty()
            && self.thread_parameters.is_empty()
            && self.loop_callbacks.is_empty()
            && self.guarded_calls.is_empty()
            && self.receiver_assignments.is_empty()
            && self.probe_guarded_calls.is_empty()
            && self.thread_checked_calls.is_empty()
            && self.feature_fallbacks.is_empty()
            && self.pending_deadline.is_empty()
            && self.pending_callbacks.is_empty()
            && self.session_arguments.is_empty()
            && self.parameter_callees.is_empty()
            && self.project_decorators.is_empty()
            && !self.runs_in_thread
            && !self.thread_coroutine
            && !self.loops_forever
            && !self.returns_lazy_query
            && !self.returns_new_task
            && !self.tells_cancelling
            && !self.runs_own_loop
            && !self.is_stub
            && self.rearmed_by.is_empty()
            && self.thread_state.is_none()
            && self.runs_alone_until.is_none()
    }
}

impl std::ops::Deref for FunctionSummary {
    type Target = FunctionSites;

    fn deref(&self) -> &FunctionSites {
        static EMPTY: std::sync::LazyLock<FunctionSites> =
            std::sync::LazyLock::new(FunctionSites::default);
        self.sites.as_deref().unwrap_or(&EMPTY)
    }
}

/// Writing to a list allocates the function's lists; [`FunctionSummary::compact`] gives them
/// back when they stayed empty.
impl std::ops::DerefMut for FunctionSummary {
    fn deref_mut(&mut self) -> &mut FunctionSites {
        self.sites.get_or_insert_with(Box::default)
    }
}

/// The callee path recorded for a call of a parameter (see
/// [`FunctionSummary::parameter_callees`]): no Python path, so it never resolves by name.
pub const PARAMETER_CALLEE: &str = "<parameter>";

/// A function whose return value tells whether an event loop is running on this thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RunningProbe {
    /// `True` exactly when one is (`try: get_running_loop()` / `except RuntimeError:
    /// return False` / `return True`).
    TrueWhenRunning,
    /// The value call site `site` returns, negated or not; with `conjunct`, and-ed with
    /// something else (`on_main_thread() and not loop_running()`), so only a falsy value
    /// is certain. Decided at the link, where the callee is known.
    Via {
        site: u32,
        negated: bool,
        conjunct: bool,
    },
}

/// An LW501 finding waiting for the callers' verdict.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PendingDeadline {
    pub diagnostic: crate::diagnostic::Diagnostic,
    /// A raw stream or socket operation in a private function (`_name`, or in a `_private`
    /// module): with no caller in the project it is plumbing behind an entry point, which
    /// owns the deadline.
    pub private_plumbing: bool,
    /// For `loop.sock_connect(owner.attr, ...)`: the class attribute the socket comes from
    /// (`app.voice.State.socket`); not reported when a module makes it a datagram socket.
    pub socket_attribute: Option<String>,
    /// A request on a session the function was handed: reported only when a caller passes a
    /// session built without a timeout (see [`SessionParameter`]).
    pub session_from: Option<SessionParameter>,
    /// The operation waits for the next message or connection (`recv()`, `read()`,
    /// `sock_accept()`) and is the function's only await (but for what its `except` handlers
    /// await once the read failed): a wrapper (`async def recv(self):
    /// return await self._ws.recv()`) whose every caller awaits it in a pump loop
    /// ([`CallDeadline::Pumped`]) is that loop's read.
    pub next_message: bool,
    /// Such a wrapper named as the read it forwards (`async def recv(self): return await
    /// self._ws.recv()`): with no caller in the project it is a library's public read, whose
    /// caller owns the deadline as it does for the wrapped library's own `recv`.
    pub forwards_its_name: bool,
}

/// The parameter a request's session comes from: of the function the request is in, or of an
/// enclosing one whose parameter a nested function reads (`owner`, the index of that function
/// in its module's [`ModuleSummary::functions`]). Whether the session has a timeout is known
/// only from what the owner's callers pass, at the link.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionParameter {
    pub owner: u32,
    pub parameter: ParameterRef,
    /// The request as the message shows it (`session.get(...)`): the message is worded at
    /// the link, once the session a caller passes is known.
    pub operation: Box<str>,
}

impl FunctionSummary {
    /// Whether code at `at` runs before anything else can wait on the loop of this entry
    /// coroutine ([`FunctionSites::runs_alone_until`]): a blocking call there stalls no other
    /// task (LW101, LW102, LW103, LW105).
    pub fn runs_alone_at(&self, at: TextSize) -> bool {
        self.runs_alone_until.is_some_and(|until| at < until.0)
    }

    /// What call site `site` passes for `parameter` of its callee.
    pub fn passed_for(&self, site: usize, parameter: &ParameterRef) -> Passed {
        let at = |entry: u32| entry as usize == site;
        if let Some((_, _, falsy)) = self
            .literal_arguments
            .iter()
            .find(|(entry, slot, _)| at(*entry) && slot.is_for(parameter))
        {
            return Passed::Literal(*falsy);
        }
        if let Some((_, _, own)) = self
            .forwarded_arguments
            .iter()
            .find(|(entry, slot, _)| at(*entry) && slot.is_for(parameter))
        {
            return Passed::Parameter(own.clone());
        }
        if let Some(attribute) = parameter.name.strip_prefix('.') {
            return self.receiver_attribute_at(site, attribute, parameter);
        }
        let spelled = self
            .calls
            .get(site)
            .is_none_or(|call| call.arguments().may_pass(self.keywords_of(site), parameter));
        match parameter.literal_default {
            Some(default) if !spelled => Passed::Literal(default),
            _ => Passed::Unknown,
        }
    }

    /// What a method call on the caller's own receiver hands over as `receiver.attribute`:
    /// the last value the caller assigned it before the call, or, when it assigned none, the
    /// caller's own view of it (`parameter`, passed on). Any other call: unknown.
    fn receiver_attribute_at(
        &self,
        site: usize,
        attribute: &str,
        parameter: &ParameterRef,
    ) -> Passed {
        let Some(call) = self.calls.get(site).filter(|call| call.arguments().on_self) else {
            return Passed::Unknown;
        };
        let start = call.range.start();
        self.receiver_assignments
            .iter()
            .rev()
            .find(|(name, at, _)| &**name == attribute && at.0 <= start)
            .map_or_else(
                || Passed::Parameter(parameter.clone()),
                |(_, _, value)| value.clone(),
            )
    }

    /// The keyword names call site `site` spells, when they were kept.
    fn keywords_of(&self, site: usize) -> Option<KeywordBits> {
        let at = self
            .keyword_arguments
            .binary_search_by_key(&site, |&(entry, _)| entry as usize)
            .ok()?;
        Some(self.keyword_arguments[at].1)
    }

    /// Whether call site `site` certainly keeps code behind `guard` in its callee from
    /// running (it passes `None`, a falsy literal to a truth test, or an instance of the
    /// class an `isinstance` test lets through).
    pub fn stops_guard(&self, site: usize, guard: &ParameterGuard) -> bool {
        matches!(self.passed_for(site, &guard.parameter), Passed::Literal(value) if guard.stops(value))
            || self
                .argument_type_for(site, &guard.parameter)
                .is_some_and(|type_name| guard.stops_type(type_name.as_str()))
    }

    /// The known type of what call site `site` passes for `parameter` (a class construction's
    /// `File(io.BytesIO(data))`: `io.BytesIO`).
    pub fn argument_type_for(&self, site: usize, parameter: &ParameterRef) -> Option<&Name> {
        self.argument_types
            .iter()
            .find(|(at, slot, _)| *at as usize == site && slot.is_for(parameter))
            .map(|(_, _, type_name)| type_name)
    }

    /// The loop probe call site `site` depends on, if any: see [`BlockingSite::probe`].
    pub fn probe_of_call(&self, site: usize) -> Option<(u32, bool)> {
        self.probe_guarded_calls
            .iter()
            .find(|(at, _, _)| *at as usize == site)
            .map(|&(_, probe, truthy)| (probe, truthy))
    }

    /// The attribute call site `site`'s receiver lacks wherever the call runs, if a feature
    /// test says so ([`FunctionSites::feature_fallbacks`]).
    pub fn lacked_attribute(&self, site: usize) -> Option<&str> {
        self.feature_fallbacks
            .iter()
            .find(|(at, _)| *at as usize == site)
            .map(|(_, attribute)| &**attribute)
    }

    /// Whether call site `site` runs only on a thread its code names.
    pub fn on_checked_thread(&self, site: usize) -> bool {
        self.thread_checked_calls
            .iter()
            .any(|&at| at as usize == site)
    }

    /// The guard of call site `site` in this function, if it has one.
    pub fn guard_of_call(&self, site: usize) -> Option<&ParameterGuard> {
        self.guarded_calls
            .iter()
            .find(|(at, _)| *at as usize == site)
            .map(|(_, guard)| guard)
    }
}

impl FunctionSummary {
    /// A function named `qualname` within its module (`Repo.save`; [`MODULE_CODE`] for the
    /// module's own code).
    pub fn new(qualname: String, name: String, is_async: bool, name_range: TextRange) -> Self {
        Self {
            names: FunctionNames::new(qualname, &name),
            is_async,
            is_generator: false,
            runs_once: false,
            coroutine_hidden: false,
            as_decorator: DecoratorKind::Unknown,
            name_range,
            calls: ThinVec::new(),
            entry: None,
            checks_running_loop: false,
            none_means_no_loop: false,
            running_probe: None,
            literal_arguments: ThinVec::new(),
            forwarded_arguments: ThinVec::new(),
            argument_types: ThinVec::new(),
            keyword_arguments: ThinVec::new(),
            callable_arguments: ThinVec::new(),
            sites: None,
        }
    }

    /// Whether what it blocks on runs only where a caller iterates what the call returns: a
    /// generator function's body, or the query of a queryset it returns.
    pub fn runs_where_iterated(&self) -> bool {
        self.is_generator || self.returns_lazy_query
    }

    /// Its name qualified within its module: `load_user`, `Repo.save`, `outer.inner`
    /// (`app.db.Repo.save` is [`ModuleSummary::function_path`]).
    pub fn qualname(&self) -> &str {
        self.names.qualname()
    }

    /// Its short name.
    pub fn name(&self) -> &str {
        self.names.name()
    }

    /// The name shown in chains and messages: the short name, but for a dunder method its
    /// class's name too (`TelegramCache.__init__`): every class has an `__init__`, and a
    /// chain of bare `__init__` steps says nothing of where it goes.
    pub fn shown_name(&self) -> &str {
        let name = self.name();
        if name.len() > 4 && name.starts_with("__") && name.ends_with("__") {
            let qualname = self.qualname();
            if let Some(method_dot) = qualname.rfind('.') {
                let owner_start = qualname[..method_dot].rfind('.').map_or(0, |dot| dot + 1);
                return &qualname[owner_start..];
            }
        }
        name
    }

    /// Gives back the lists of sites when they are all empty, and the room kept to grow the
    /// ones that are not.
    pub fn compact(&mut self) {
        self.calls.shrink_to_fit();
        self.literal_arguments.shrink_to_fit();
        self.forwarded_arguments.shrink_to_fit();
        self.keyword_arguments.shrink_to_fit();
        self.callable_arguments.shrink_to_fit();
        if self.sites.as_ref().is_some_and(|sites| sites.is_empty()) {
            self.sites = None;
        }
    }

    /// The call sites other entries of the function name as a site of their own: the calls
    /// whose value is a probe (of a running loop, or of a guard) and the calls of a handed
    /// callable. Such a site is never left out ([`ModuleSummary::without_calls_to`]).
    fn sites_named_by_others(&self) -> HashSet<u32> {
        let mut named: HashSet<u32> = HashSet::default();
        if let Some(RunningProbe::Via { site, .. }) = self.running_probe {
            named.insert(site);
        }
        named.extend(
            self.blocking
                .iter()
                .filter_map(|site| site.probe)
                .map(|p| p.0),
        );
        named.extend(self.loop_runs.iter().filter_map(|run| run.guarded_by_probe));
        named.extend(self.probe_guarded_calls.iter().map(|entry| entry.1));
        named.extend(self.parameter_callees.iter().map(|entry| entry.0));
        named
    }

    /// Every reference to a call site numbered again by `site` (old number → new, `None`
    /// for a site left out). What is kept of a call for the link to read only when it binds
    /// the call to a project function (its arguments, keyword names, guards, sessions)
    /// goes with a site left out; a site another entry names is never left out (see
    /// [`Self::sites_named_by_others`]), so those keep their number when `site` has none.
    fn renumber_sites(&mut self, site: impl Fn(u32) -> Option<u32>) {
        fn kept<T>(
            entries: &mut ThinVec<T>,
            site: &impl Fn(u32) -> Option<u32>,
            at: impl Fn(&mut T) -> &mut u32,
        ) {
            entries.retain_mut(|entry| match site(*at(entry)) {
                Some(new) => {
                    *at(entry) = new;
                    true
                }
                None => false,
            });
        }
        let again = |old: &mut u32| *old = site(*old).unwrap_or(*old);
        kept(&mut self.keyword_arguments, &site, |entry| &mut entry.0);
        kept(&mut self.literal_arguments, &site, |entry| &mut entry.0);
        kept(&mut self.forwarded_arguments, &site, |entry| &mut entry.0);
        kept(&mut self.argument_types, &site, |entry| &mut entry.0);
        kept(&mut self.callable_arguments, &site, |entry| &mut entry.0);
        if let Some(RunningProbe::Via { site, .. }) = &mut self.running_probe {
            again(site);
        }
        let Some(sites) = self.sites.as_deref_mut() else {
            return;
        };
        for blocking in &mut sites.blocking {
            if let Some(probe) = &mut blocking.probe {
                again(&mut probe.0);
            }
        }
        for run in &mut sites.loop_runs {
            if let Some(probe) = &mut run.guarded_by_probe {
                again(probe);
            }
        }
        kept(&mut sites.guarded_calls, &site, |entry| &mut entry.0);
        kept(&mut sites.probe_guarded_calls, &site, |entry| &mut entry.0);
        kept(&mut sites.thread_checked_calls, &site, |entry| entry);
        kept(&mut sites.feature_fallbacks, &site, |entry| &mut entry.0);
        for entry in &mut sites.probe_guarded_calls {
            again(&mut entry.1);
        }
        kept(&mut sites.session_arguments, &site, |entry| &mut entry.0);
        for entry in &mut sites.parameter_callees {
            again(&mut entry.0);
        }
    }
}

/// A function's name qualified within its module and its short name, in one allocation:
/// the short name is nearly always the qualified name's last part (every one of the
/// benchmark corpus's 146,000 functions), so it is kept as where it starts in it. Two
/// strings took 48 bytes of every summary and a second allocation; this is 24 bytes and
/// one. The module's own name is not repeated here: it was 5.9 MB of the corpus's 146,000
/// function paths (40 bytes a function), and every function of a module shares it.
/// Serialized as the two strings.
#[derive(Clone, Debug, PartialEq, Eq)]
struct FunctionNames {
    /// The qualified name, then the short name when it is not the qualified name's end.
    text: Box<str>,
    qualname_end: u32,
    name_start: u32,
}

impl FunctionNames {
    fn new(qualname: String, name: &str) -> Self {
        let (Ok(qualname_end), Ok(suffix_start)) = (
            u32::try_from(qualname.len()),
            u32::try_from(qualname.len() - name.len().min(qualname.len())),
        ) else {
            // A name past 4 GiB (never seen): the short name alone.
            return Self::new(String::new(), name);
        };
        if qualname.ends_with(name) {
            return Self {
                text: qualname.into_boxed_str(),
                qualname_end,
                name_start: suffix_start,
            };
        }
        let mut text = qualname;
        text.push_str(name);
        Self {
            text: text.into_boxed_str(),
            qualname_end,
            name_start: qualname_end,
        }
    }

    fn qualname(&self) -> &str {
        self.text.get(..self.qualname_end as usize).unwrap_or("")
    }

    fn name(&self) -> &str {
        self.text.get(self.name_start as usize..).unwrap_or("")
    }
}

impl serde::Serialize for FunctionNames {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (self.qualname(), self.name()).serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for FunctionNames {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Borrowed from the cache's bytes where the format allows: a re-link decodes every
        // function of the project, and two strings each were two allocations, one of them
        // freed at once.
        let (qualname, name) = <(TextOf<'de>, TextOf<'de>)>::deserialize(deserializer)?;
        Ok(Self::new(qualname.0.into_owned(), &name.0))
    }
}

/// A string deserialized without a copy when the input lends it, with one otherwise.
struct TextOf<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for TextOf<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = TextOf<'de>;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("a string")
            }

            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                text: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(TextOf(std::borrow::Cow::Borrowed(text)))
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(TextOf(std::borrow::Cow::Owned(text.to_string())))
            }

            fn visit_string<E: serde::de::Error>(self, text: String) -> Result<Self::Value, E> {
                Ok(TextOf(std::borrow::Cow::Owned(text)))
            }
        }

        deserializer.deserialize_str(Visitor)
    }
}

/// A class of the module: its resolved bases, for inherited methods, and the types its
/// instances' attributes are declared or assigned (`conn: AsyncConnection`, `self.db =
/// sqlite3.connect(...)`, a `@property` with a return annotation), sorted by attribute, for
/// the link to follow `obj.attr.method()` across modules.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ClassSummary {
    pub bases: Vec<Name>,
    /// Attribute → the type it holds.
    pub attributes: TextMap,
    /// Attributes `__init__` sets straight from an unannotated parameter (`self._client =
    /// client`), with that parameter: the link types them from what every call of the class
    /// in the project passes there, when all pass the same known type.
    /// (A `ThinVec`: one pointer while empty, as for all but 2,236 of the benchmark corpus's
    /// 28,882 classes.)
    pub parameter_attributes: ThinVec<(Box<str>, ParameterRef)>,
    /// The class's `metaclass=`, when it names one: the link asks whether it is a project
    /// class whose `__call__` stands between a call of the class and its `__init__`.
    pub metaclass: Option<Name>,
    /// Attributes the class only ever sets to thread queues made without a bound: a `put` on
    /// one, from any module, never waits.
    pub unbounded_queues: ThinVec<Name>,
}

impl ClassSummary {
    /// The type attribute `name` holds, when the class itself says.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name)
    }
}

/// A map from names or paths to paths, all their text in one buffer: a class's attribute
/// types and a module's return types. As pairs of strings, a 32- or 40-byte entry and two
/// allocations each, they took about 8 MB of the benchmark corpus's summaries (59,000
/// attributes, 27,000 return types); here an entry costs its text and eight bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TextMap {
    /// Each entry's key, then its value, one after the other.
    text: Box<str>,
    /// Per entry, in key order: where its key ends and where its value ends in `text` (the
    /// key starts where the previous entry ends).
    #[serde(with = "wide")]
    ends: Box<[(u32, u32)]>,
}

impl TextMap {
    /// The map of these (key, value) pairs; a key given twice keeps its first value.
    pub fn new<K: AsRef<str>, V: AsRef<str>>(entries: impl IntoIterator<Item = (K, V)>) -> Self {
        let mut entries: Vec<(K, V)> = entries.into_iter().collect();
        entries.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
        entries.dedup_by(|later, kept| later.0.as_ref() == kept.0.as_ref());
        let mut text = String::new();
        let mut ends = Vec::with_capacity(entries.len());
        for (key, value) in &entries {
            text.push_str(key.as_ref());
            let key_end = text.len();
            text.push_str(value.as_ref());
            // Text past 4 GiB cannot be addressed: such an entry (never seen) is left out.
            let (Ok(key_end), Ok(end)) = (u32::try_from(key_end), u32::try_from(text.len())) else {
                break;
            };
            ends.push((key_end, end));
        }
        Self {
            text: text.into_boxed_str(),
            ends: ends.into_boxed_slice(),
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Entry `at`: its key and value.
    fn entry(&self, at: usize) -> (&str, &str) {
        let start = at
            .checked_sub(1)
            .and_then(|previous| self.ends.get(previous))
            .map_or(0, |&(_, end)| end as usize);
        let Some(&(key_end, end)) = self.ends.get(at) else {
            return ("", "");
        };
        let text = &*self.text;
        (
            text.get(start..key_end as usize).unwrap_or(""),
            text.get(key_end as usize..end as usize).unwrap_or(""),
        )
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        let mut low = 0;
        let mut high = self.ends.len();
        while low < high {
            let middle = low + (high - low) / 2;
            let (entry, value) = self.entry(middle);
            match entry.cmp(key) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(value),
            }
        }
        None
    }

    /// Every (key, value), in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        (0..self.ends.len()).map(|at| self.entry(at))
    }
}

/// A module's module-level names and the paths they are bound to, sorted by name, their
/// text in two buffers. Every module binds dozens of names and every summary lives for the
/// whole run: a map of two strings per name was the largest part of the summaries (42 MB of
/// the benchmark corpus's 313,000 names); here a name costs its text and eight bytes, and a
/// target's text is kept once however many names are bound to it or below it (`from typing
/// import Any, Optional`, every definition of the module below the module's name).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Exports {
    /// The entries' names, one after the other.
    names: Box<str>,
    /// The distinct stored parts of the targets, the module's own name first.
    targets: PathTable,
    /// Per entry, in name order: where its name ends in `names` (it starts where the
    /// previous one ends), and which of `targets` its target stores. A target ending in
    /// `.name` (`from app.db import load_user`, a definition `app.api.helper` in `app.api`)
    /// stores only what precedes that, and has [`SUFFIX_IS_NAME`] set.
    #[serde(with = "wide")]
    ends: Box<[(u32, u32)]>,
}

/// Positions in a summary's own tables, serialized as `u64`s (as compact as `u32`s in the
/// cache's varint format): the cache takes the largest `u32` of a summary for the largest
/// offset in its file, and these are no offsets in the file.
mod wide {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub trait Widen: Sized {
        type Wide: Serialize + for<'de> Deserialize<'de>;
        fn widen(&self) -> Self::Wide;
        fn narrow(wide: Self::Wide) -> Option<Self>;
    }

    impl Widen for u32 {
        type Wide = u64;
        fn widen(&self) -> Self::Wide {
            (*self).into()
        }
        fn narrow(wide: Self::Wide) -> Option<Self> {
            wide.try_into().ok()
        }
    }

    impl Widen for (u32, u32) {
        type Wide = (u64, u64);
        fn widen(&self) -> Self::Wide {
            (self.0.into(), self.1.into())
        }
        fn narrow(wide: Self::Wide) -> Option<Self> {
            Some((wide.0.try_into().ok()?, wide.1.try_into().ok()?))
        }
    }

    impl Widen for (u32, u32, u32) {
        type Wide = (u64, u64, u64);
        fn widen(&self) -> Self::Wide {
            (self.0.into(), self.1.into(), self.2.into())
        }
        fn narrow(wide: Self::Wide) -> Option<Self> {
            Some((
                wide.0.try_into().ok()?,
                wide.1.try_into().ok()?,
                wide.2.try_into().ok()?,
            ))
        }
    }

    pub fn serialize<T: Widen, S: Serializer>(
        values: &[T],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(values.iter().map(Widen::widen))
    }

    pub fn deserialize<'de, T: Widen, C: FromIterator<T>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<C, D::Error> {
        Vec::<T::Wide>::deserialize(deserializer)?
            .into_iter()
            .map(|wide| T::narrow(wide).ok_or_else(|| serde::de::Error::custom("out of range")))
            .collect()
    }
}

/// A map from paths to values as a vector sorted by path: a summary's classes and return
/// types, made once and only looked up. A hash map kept a fifth to a half of its slots
/// empty for the whole run.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sorted<V>(Box<[(String, V)]>);

impl<V> Default for Sorted<V> {
    fn default() -> Self {
        Self(Box::default())
    }
}

impl<V> Sorted<V> {
    /// The map of these (path, value) pairs; a path given twice keeps one of its values.
    pub fn new(entries: impl IntoIterator<Item = (String, V)>) -> Self {
        let mut entries: Vec<(String, V)> = entries.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, kept| later.0 == kept.0);
        Self(entries.into_boxed_slice())
    }

    pub fn get(&self, path: &str) -> Option<&V> {
        let at = self
            .0
            .binary_search_by(|(entry, _)| entry.as_str().cmp(path))
            .ok()?;
        Some(&self.0[at].1)
    }

    pub fn contains_key(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every (path, value), in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.0.iter().map(|(path, value)| (path, value))
    }
}

impl<'m, V> IntoIterator for &'m Sorted<V> {
    type Item = (&'m String, &'m V);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'m, (String, V)>, fn(&(String, V)) -> (&String, &V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(path, value)| (path, value))
    }
}

/// A table of qualified paths, by index, all their text in one buffer: a module's distinct
/// callee paths. As a vector of strings the callee tables took 18.8 MB of the benchmark
/// corpus's summaries (232,000 paths, each with its own allocation and a 24-byte header);
/// here a path costs its text and four bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PathTable {
    text: String,
    /// Where each path ends in `text` (each starts where the previous one ends).
    #[serde(with = "wide")]
    ends: Vec<u32>,
}

impl PathTable {
    /// Adds `path`, returning its index (`u32::MAX`, and nothing added, past 4 GiB of text).
    pub fn push(&mut self, path: &str) -> u32 {
        let (Ok(index), Ok(end)) = (
            u32::try_from(self.ends.len()),
            u32::try_from(self.text.len() + path.len()),
        ) else {
            return u32::MAX;
        };
        self.text.push_str(path);
        self.ends.push(end);
        index
    }

    /// Path `index`.
    pub fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)? as usize;
        let start = index
            .checked_sub(1)
            .map_or(0, |previous| self.ends[previous] as usize);
        self.text.get(start..end)
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|index| self.get(index).unwrap_or(""))
    }

    /// Gives back the room the table kept to grow.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

impl<'t> IntoIterator for &'t PathTable {
    type Item = &'t str;
    type IntoIter = Box<dyn Iterator<Item = &'t str> + 't>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// The flag of an [`Exports`] entry's target: it goes on with `.` and the entry's name.
const SUFFIX_IS_NAME: u32 = 1 << 31;

impl Exports {
    /// The table of these (name, target) pairs of module `module`; a name given twice keeps
    /// its last target.
    pub fn new(module: &str, names: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut entries: Vec<(String, String)> = names.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(&mut kept.1, &mut later.1);
            }
            same
        });
        let mut text = String::new();
        let mut targets = PathTable::default();
        let mut stored: rustc_hash::FxHashMap<&str, u32> = rustc_hash::FxHashMap::default();
        stored.insert(module, targets.push(module));
        let mut ends = Vec::with_capacity(entries.len());
        for (name, target) in &entries {
            let prefix = target
                .strip_suffix(name.as_str())
                .and_then(|rest| rest.strip_suffix('.'))
                .filter(|prefix| !prefix.is_empty());
            let (part, flag) = match prefix {
                Some(prefix) => (prefix, SUFFIX_IS_NAME),
                None => (target.as_str(), 0),
            };
            let index = *stored.entry(part).or_insert_with(|| targets.push(part));
            text.push_str(name);
            // Text past 2 GiB cannot be addressed: such an entry (never seen) is left out.
            let Ok(name_end) = u32::try_from(text.len()) else {
                break;
            };
            if index >= SUFFIX_IS_NAME {
                break;
            }
            ends.push((name_end, index | flag));
        }
        targets.shrink_to_fit();
        Self {
            names: text.into_boxed_str(),
            targets,
            ends: ends.into_boxed_slice(),
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Entry `at`'s name.
    fn name(&self, at: usize) -> &str {
        let start = at
            .checked_sub(1)
            .and_then(|previous| self.ends.get(previous))
            .map_or(0, |&(end, _)| end as usize);
        let end = self.ends.get(at).map_or(0, |&(end, _)| end as usize);
        self.names.get(start..end).unwrap_or("")
    }

    /// Entry `at`: its name, the stored part of its target, and whether the target goes on
    /// with `.name`.
    fn entry(&self, at: usize) -> (&str, &str, bool) {
        let target = self.ends.get(at).map_or(0, |&(_, target)| target);
        (
            self.name(at),
            self.targets
                .get((target & !SUFFIX_IS_NAME) as usize)
                .unwrap_or(""),
            target & SUFFIX_IS_NAME != 0,
        )
    }

    fn find(&self, name: &str) -> Option<usize> {
        let mut low = 0;
        let mut high = self.ends.len();
        while low < high {
            let middle = low + (high - low) / 2;
            match self.name(middle).cmp(name) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(middle),
            }
        }
        None
    }

    /// Whether the module binds `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    /// The path `name` is bound to.
    pub fn get(&self, name: &str) -> Option<String> {
        self.target_of(name).map(ExportTarget::to_path)
    }

    /// The path `name` is bound to, as the parts it is stored in: the link follows
    /// re-exports for every callee path, and most targets are only compared, never kept.
    pub fn target_of(&self, name: &str) -> Option<ExportTarget<'_>> {
        self.find(name).map(|at| self.target_parts(at))
    }

    fn target_parts(&self, at: usize) -> ExportTarget<'_> {
        match self.entry(at) {
            (name, prefix, true) => ExportTarget {
                stored: prefix,
                name: Some(name),
            },
            (_, target, false) => ExportTarget {
                stored: target,
                name: None,
            },
        }
    }

    fn target(&self, at: usize) -> String {
        self.target_parts(at).to_path()
    }

    /// Every (name, path), in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, String)> {
        (0..self.ends.len()).map(|at| (self.entry(at).0, self.target(at)))
    }
}

/// The path a module binds a name to, as [`Exports`] stores it: `stored`, then `.name` when
/// the path ends with the bound name (`from app.db import load_user`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportTarget<'s> {
    pub stored: &'s str,
    pub name: Option<&'s str>,
}

impl ExportTarget<'_> {
    /// The path's text, in one allocation.
    pub fn to_path(self) -> String {
        let mut path = String::with_capacity(self.text_len());
        self.push_to(&mut path);
        path
    }

    /// The path's length in bytes.
    pub fn text_len(self) -> usize {
        self.stored.len() + self.name.map_or(0, |name| name.len() + 1)
    }

    /// Appends the path's text to `buffer`.
    pub fn push_to(self, buffer: &mut String) {
        buffer.push_str(self.stored);
        if let Some(name) = self.name {
            buffer.push('.');
            buffer.push_str(name);
        }
    }

    /// Whether `path` is this path, followed by `.tail` when there is a tail.
    pub fn spells(self, path: &str, tail: Option<&str>) -> bool {
        let Some(rest) = path.strip_prefix(self.stored) else {
            return false;
        };
        let rest = match self.name {
            Some(name) => match rest
                .strip_prefix('.')
                .and_then(|rest| rest.strip_prefix(name))
            {
                Some(rest) => rest,
                None => return false,
            },
            None => rest,
        };
        match tail {
            Some(tail) => rest.strip_prefix('.') == Some(tail),
            None => rest.is_empty(),
        }
    }
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ModuleSummary {
    /// The dotted module name (`app.db`).
    pub module_name: String,
    /// Other names the module is importable under (for namespace packages: the dotted
    /// path relative to the checked directory).
    pub aliases: Vec<String>,
    pub is_package: bool,
    /// Module-level names that refer to something elsewhere (`from .db import load_user`):
    /// what `app.load_user` means when `app/__init__.py` re-exports it.
    pub exports: Exports,
    pub classes: Sorted<ClassSummary>,
    /// Function and method name within the module (`Loops.get_loop`; a
    /// [`FunctionSummary::qualname`]) → the type its return annotation names, for the link
    /// to resolve `pkg.loops.get_loop().create_task` from another module.
    pub return_types: TextMap,
    /// Modules whose public names this one binds with `from module import *`.
    /// (This and [`Self::datagram_sockets`] are `ThinVec`s: one pointer while empty, as for
    /// nearly every module.)
    pub star_imports: ThinVec<String>,
    /// Every function, module-level code first (as a pseudo-function named `<module>`).
    pub functions: Vec<FunctionSummary>,
    /// The distinct callee paths of the module's calls: the link step resolves each once.
    pub callees: PathTable,
    /// For each entry of `callees`, the index of the module's own function it names, when
    /// it names one.
    pub local_callees: LocalCallees,
    /// The indices of `functions`, each path once (the later definition of a path defined
    /// twice), with a hash of the path ([`path_hash`]), sorted by hash, then path: the link
    /// step finds a function by looking up its module, then its path here by binary search
    /// ([`ModuleSummary::function_index`]), so it never builds one table of every function.
    /// Indices rather than a map from path: the paths are the functions' own, not copies (a
    /// map held a second copy of every path). The hash lets the search compare numbers in
    /// one array instead of paths that share the module's prefix, each behind a pointer (the
    /// search was half of resolving the benchmark corpus's callee paths).
    pub function_by_path: Box<[(i32, u32)]>,
    /// LW103's fixes of the call sites that have one.
    pub to_thread_fixes: ToThreadFixes,
    /// Method names called on values of unknown type (`x.fetch()`) with no deadline where
    /// they are made: calls the link cannot resolve, which may reach a project method of
    /// that name (LW501 asks). Sorted, each once (asked by binary search).
    pub unresolved_methods: SortedNames,
    /// Method names called on values of unknown type only under a deadline
    /// (`wait_for(protocol(kv).query(), 15)`, a class picked from a registry): a project
    /// method of that name that nothing else calls runs under one (LW501).
    pub bounded_unresolved_methods: SortedNames,
    /// The module's `if __name__ == "__main__":` blocks at its top level: what runs only when
    /// the module is a program's entry. A call made there (or by a function only such a
    /// block calls) runs when that program starts, never while a server the project defines
    /// handles its work: a reset made there re-arms nothing (`FunctionSites::rearmed_by`).
    pub main_blocks: ThinVec<MarkedRange>,
    /// Class attributes the module assigns a datagram socket to (`app.voice.State.socket`
    /// for `self.socket = socket.socket(AF_INET, SOCK_DGRAM)`): connecting one waits on no
    /// network (LW501 asks).
    pub datagram_sockets: ThinVec<String>,
    /// The decorators of sync `def`s that may be functions of other modules of the project
    /// (`@run_blocking` imported from `.utils`), each with the indices in `functions` of the
    /// functions it decorates: the link marks those whose decorator runs them in a worker
    /// thread ([`DecoratorKind::Offloads`]). Per decorator rather than per function: a
    /// framework's decorator (`@callback`) decorates hundreds of functions of a module.
    pub sync_project_decorators: ThinVec<(Box<str>, ThinVec<u32>)>,
    /// The caches the module's classes keep in a container of their own and fill through
    /// their own methods ([`crate::checker::owned_caches`]): rare, a class with a method
    /// that answers whether a key is in one.
    pub owned_caches: ThinVec<OwnedCache>,
    /// The indices in `functions` of the module's `@contextmanager` functions that only
    /// translate exceptions (a bare `yield` in a `try` with `except` handlers): a `with` on
    /// one holds nothing to release (LW305 asks, from other modules).
    pub exception_mapping_contexts: ThinVec<u32>,
    /// LW305 findings whose blocks are `with`s on context managers of other modules: each
    /// stands unless all of those only translate exceptions, which the link decides.
    pub pending_context_findings: ThinVec<PendingContextFinding>,
    /// LW403 findings whose handler re-raises only by raising classes of other modules
    /// (`raise CancelledError() from exc` with prefect's own `CancelledError`): each stands
    /// unless all of those derive from `asyncio.CancelledError`, which the link decides.
    pub pending_cancellation_findings: ThinVec<PendingCancellationFinding>,
    /// LW505 findings whose loop polls only members of other modules' classes (and library
    /// state): each stands unless every such member is a property or a method, which the
    /// link decides.
    pub pending_polling_findings: ThinVec<PendingPollingFinding>,
    /// LW301 findings on a dropped call of a project name spelled like a task factory
    /// (`create_task(...)` imported from the project's compatibility module): each stands
    /// when the link finds the name re-exports one of `asyncio`'s.
    pub pending_task_findings: ThinVec<PendingTaskFinding>,
    /// LW302 findings on a call dropped where its function awaits the same call elsewhere,
    /// whose callee path may name a project function (`self._api.fetch`, with `_api` a
    /// member only the link may type): each stands when the link resolves the path to no
    /// project function and no known coroutine API, which LW302 judges on their own.
    pub pending_unawaited_findings: ThinVec<PendingTaskFinding>,
    /// LW301 findings on a task made of a coroutine function of another module
    /// (`create_task(notify(...))` with `notify` imported): each stands unless the link
    /// finds that function never suspends ([`Self::never_suspending`]).
    pub pending_dangling_findings: ThinVec<PendingTaskFinding>,
    /// The module's `async def`s with a real body (not a placeholder) that never suspend:
    /// no `await`, `async for` or `async with`, by index in `functions`. A task made of one
    /// runs to its end in its first step, which the loop holds until then, so dropping the
    /// task loses nothing (LW301 asks, for coroutines of other modules). Per module, not a
    /// flag of each function's: a flag there would have grown every function's record, a
    /// rare site allocated a box for each of them.
    pub never_suspending: ThinVec<u32>,
    /// LW201 findings in sync functions (`asyncio.get_event_loop()` where no loop may be
    /// set): each stands unless every call of its function in the project is awaited in a
    /// coroutine, where a loop runs, which the link decides.
    pub pending_loop_findings: ThinVec<HeldFinding>,
    /// LW101, LW102 and LW105 findings in coroutines: each stands unless the link finds its
    /// coroutine runs only on a loop of its own, as a Flask view or awaited only by such
    /// coroutines ([`crate::project::Facts::own_loop`]).
    pub pending_blocking_findings: ThinVec<HeldFinding>,
    /// The module's `async def`s a WSGI framework runs as views (or request hooks), each call
    /// on an event loop of its own that nothing else runs on (Flask's async views), as (index
    /// in `functions`, how it is registered): a blocking call there stalls only that request.
    /// Per module rather than per function: nearly every module has none.
    pub own_loop_views: ThinVec<(u32, OwnLoopView)>,
    /// Module-level names bound to an application or blueprint of a framework that runs each
    /// async view on a loop of its own (`app = Flask(__name__)`): other modules' views
    /// registered on one are [`OwnLoopView::IfAppOf`] it.
    pub own_loop_apps: ThinVec<Name>,
    /// The module wraps a WSGI application for an ASGI server through asgiref
    /// ([`crate::catalog::OWN_LOOP_UNDOING_WRAPPERS`]): Flask's async views then run on the
    /// server's loop, and the project has no views on loops of their own.
    pub serves_wsgi_on_its_loop: bool,
}

/// An LW403 finding held for the link, with the classes of other modules its handler raises
/// (their paths as the module resolves them).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PendingCancellationFinding {
    pub diagnostic: crate::diagnostic::Diagnostic,
    pub classes: ThinVec<Box<str>>,
    /// Functions of other modules the handler re-raises on the word of (`if
    /// owner_cancelled(): raise`): it stands unless each [`FunctionSites::tells_cancelling`].
    pub helpers: ThinVec<Box<str>>,
}

/// An LW505 finding held for the link, with the members of other modules' classes its loop
/// polls (`app.mqtt.Server.state`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PendingPollingFinding {
    pub diagnostic: crate::diagnostic::Diagnostic,
    pub members: ThinVec<Box<str>>,
}

/// A finding held for the link, with the index of the module's function it sits in: the
/// link decides from the function's callers whether it stands.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct HeldFinding {
    pub diagnostic: crate::diagnostic::Diagnostic,
    pub function: u32,
}

/// An LW301 (or LW302) finding held for the link, with the project path the dropped call
/// names.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PendingTaskFinding {
    pub diagnostic: crate::diagnostic::Diagnostic,
    pub callee: Box<str>,
}

/// An LW305 finding held for the link: the `yield` at `range`, inside `with` blocks on
/// context managers of other modules of the project.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct PendingContextFinding {
    #[serde(with = "crate::offsets::range")]
    pub range: TextRange,
    /// Each context manager's path as the module resolves it, the innermost last. (No row
    /// of its `with`: a finding linked once is moved with the code, and only its chain's
    /// rows are moved in its message.) A path marked `true` is instead a generator function
    /// of another module that a `finally` only closes (`events = self.transport.stream(...)`
    /// ... `finally: await events.aclose()`): the block holds nothing of its own when the
    /// link finds it an async generator of the project, whose own blocks are judged there.
    pub contexts: ThinVec<(Box<str>, bool)>,
}

/// A class's cache filled through its own methods: `predicate` answers whether a key is in
/// the receiver's `container` (`def has_source(self, key): return key in self.source`), and
/// each of `fillers` stores an item into it (`self.source[key] = css`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OwnedCache {
    /// The class's name within its module (`Stylesheet`).
    pub class: Box<str>,
    pub predicate: Name,
    pub container: Name,
    pub fillers: ThinVec<Name>,
}

impl ModuleSummary {
    /// Whether calling method `filler` of `class` behind a falsy answer of its method
    /// `predicate` fills the cache `predicate` asks about ([`OwnedCache`]).
    pub fn fills_owned_cache(&self, class: &str, predicate: &str, filler: &str) -> bool {
        self.owned_caches.iter().any(|cache| {
            &*cache.class == class
                && cache.predicate.as_str() == predicate
                && cache.fillers.iter().any(|name| name.as_str() == filler)
        })
    }

    /// Whether a whole-project rule could report anything in this module: it has a
    /// loop-driving call (LW202), a function handed to a thread or that a decorator runs in
    /// one, maybe one of another module (LW104), or a call that may name a project function
    /// (`in_project` says which callee paths may: LW103 from a coroutine, LW302 and LW303
    /// where its value is dropped or tested, LW202 of a function a decorator runs on a loop
    /// of its own), or a known async API whose value is dropped or tested. The text of a
    /// module that has none need not wait for the link.
    pub fn may_have_project_findings(&self, in_project: impl Fn(&str) -> bool) -> bool {
        // A function run in a worker thread is LW104's thread target.
        !self.sync_project_decorators.is_empty()
            || !self.pending_context_findings.is_empty()
            || !self.pending_cancellation_findings.is_empty()
            || !self.pending_polling_findings.is_empty()
            || !self.pending_task_findings.is_empty()
            || !self.pending_unawaited_findings.is_empty()
            || !self.pending_dangling_findings.is_empty()
            || !self.pending_loop_findings.is_empty()
            || !self.pending_blocking_findings.is_empty()
            || self.functions.iter().any(|function| {
                function.runs_in_thread
                    || !function.loop_runs.is_empty()
                    || !function.thread_targets.is_empty()
                    || !function.loop_callbacks.is_empty()
                    || !function.pending_callbacks.is_empty()
                    || !function.pending_deadline.is_empty()
                    // Any call that may name a project function: it may be an `async def`
                    // that its decorator runs on a loop of its own (LW202, from a sync
                    // function a coroutine reaches too).
                    || function.calls.iter().any(|call| {
                        let callee = self.callee(call);
                        in_project(callee)
                            || (!call.usage.is_used()
                                && catalog::is_coroutine_api(callee))
                    })
            })
    }

    /// The index in `functions` of the function whose path is `path`.
    pub fn function_index(&self, path: &str) -> Option<u32> {
        let qualname = self.qualname_of(path)?;
        let qualname_of = |index: u32| {
            self.functions
                .get(index as usize)
                .map_or("", |function| function.qualname())
        };
        let hash = path_hash(qualname);
        let first = self
            .function_by_path
            .partition_point(|&(other, _)| other < hash);
        self.function_by_path[first..]
            .iter()
            .take_while(|&&(other, _)| other == hash)
            .find(|&&(_, index)| qualname_of(index) == qualname)
            .map(|&(_, index)| index)
    }

    /// The functions of the module, each once, as (qualified name within the module, index
    /// in `functions`).
    pub fn functions_by_qualname(&self) -> impl Iterator<Item = (&str, u32)> {
        self.function_by_path.iter().filter_map(|&(_, index)| {
            let function = self.functions.get(index as usize)?;
            Some((function.qualname(), index))
        })
    }

    /// The qualified path of `function`, one of this module's: `app.db.Repo.save`.
    pub fn function_path(&self, function: &FunctionSummary) -> String {
        qualified(&self.module_name, function.qualname())
    }

    /// What `path` names within this module (`Repo.save` of `app.db.Repo.save` in
    /// `app.db`); `None` when it is not under the module's name.
    pub fn qualname_of<'p>(&self, path: &'p str) -> Option<&'p str> {
        within_module(&self.module_name, path)
    }

    /// The qualified path `call` calls.
    pub fn callee(&self, call: &CallSite) -> &str {
        self.callees.get(call.callee as usize).unwrap_or("")
    }

    /// This summary without the call sites of callees that `inert` names, with what was
    /// kept of those calls only for a link that binds them to a project function (their
    /// arguments, keyword names, guards, sessions, LW103's fixes). A site that another
    /// entry names as a site of its own (a probe), or whose callee a registration names, is
    /// kept. The sites left are numbered again in order, and the callee table holds the
    /// paths they and the callable arguments name, in the order they first name them (also
    /// when no site was left out: two summaries compare alike whichever had sites to leave
    /// out).
    ///
    /// What it is for: when the last link did nothing with calls of a path (it named no
    /// project function, and no table of the catalog the link reads), two summaries that
    /// are the same without such calls link to the same findings (`cache::shape`). An edit
    /// that adds a log line through a logger imported from another module then moves the
    /// last link's findings with the code instead of linking the project again.
    pub fn without_calls_to(mut self, inert: impl Fn(&str) -> bool) -> Self {
        let registered: HashSet<&str> = self
            .functions
            .iter()
            .flat_map(|function| function.pending_callbacks.iter())
            .map(|pending| pending.via.as_str())
            .collect();
        let droppable = |path: &str| !registered.contains(path) && inert(path);
        // Per function, each site's new number (`None`: left out).
        let mut renumbered: Vec<Vec<Option<u32>>> = Vec::with_capacity(self.functions.len());
        for function in &self.functions {
            let named = function.sites_named_by_others();
            let mut next = 0u32;
            let numbers = function
                .calls
                .iter()
                .enumerate()
                .map(|(site, call)| {
                    let path = self.callees.get(call.callee as usize).unwrap_or("");
                    if !named.contains(&(site as u32)) && droppable(path) {
                        return None;
                    }
                    next += 1;
                    Some(next - 1)
                })
                .collect();
            renumbered.push(numbers);
        }
        // The callee table again, from what the kept sites and arguments name.
        let old_callees = std::mem::take(&mut self.callees);
        let old_local: Vec<Option<u32>> = self.local_callees.iter().collect();
        let mut new_index: HashMap<u32, u32> = HashMap::default();
        let mut local = Vec::new();
        let mut renumber_callee = |callee: u32, table: &mut PathTable| -> u32 {
            *new_index.entry(callee).or_insert_with(|| {
                local.push(old_local.get(callee as usize).copied().flatten());
                table.push(old_callees.get(callee as usize).unwrap_or(""))
            })
        };
        let mut callees = PathTable::default();
        for (index, function) in self.functions.iter_mut().enumerate() {
            let numbers = &renumbered[index];
            let site = |old: u32| numbers.get(old as usize).copied().flatten();
            let calls = std::mem::take(&mut function.calls);
            function.calls = calls
                .into_iter()
                .zip(numbers)
                .filter(|(_, number)| number.is_some())
                .map(|(mut call, _)| {
                    call.callee = renumber_callee(call.callee, &mut callees);
                    call
                })
                .collect();
            function.renumber_sites(site);
            for entry in &mut function.callable_arguments {
                entry.2 = renumber_callee(entry.2, &mut callees);
            }
            // Lists emptied by the sites left out are no lists, as in a summary that never
            // had those calls.
            function.compact();
        }
        self.callees = callees;
        self.local_callees = local.into_iter().collect();
        self.to_thread_fixes.renumber_sites(|function, old| {
            renumbered
                .get(function as usize)
                .and_then(|numbers| numbers.get(old as usize).copied().flatten())
        });
        self
    }
}

/// For each entry of a module's callee table, the index of the module's own function it
/// names, if any: 4 bytes an entry where `Option<u32>` takes 8 (264,000 entries on the
/// benchmark corpus). Serialized as the options it stands for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalCallees(Box<[u32]>);

impl LocalCallees {
    /// The entry of a callee that names none of the module's functions.
    const NONE: u32 = u32::MAX;

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Option<u32>> + '_ {
        self.0
            .iter()
            .map(|&function| (function != Self::NONE).then_some(function))
    }
}

impl FromIterator<Option<u32>> for LocalCallees {
    /// A function index of `u32::MAX` (a module of four billion functions) reads as none.
    fn from_iter<I: IntoIterator<Item = Option<u32>>>(entries: I) -> Self {
        Self(
            entries
                .into_iter()
                .map(|function| function.unwrap_or(Self::NONE))
                .collect(),
        )
    }
}

impl<'t> IntoIterator for &'t LocalCallees {
    type Item = Option<u32>;
    type IntoIter = Box<dyn Iterator<Item = Option<u32>> + 't>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl serde::Serialize for LocalCallees {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> serde::Deserialize<'de> for LocalCallees {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<Option<u32>>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

/// Names, sorted, each once, in one text buffer ([`PathTable`]): a module's methods called
/// on values of unknown type (39,000 on the benchmark corpus, an allocation each as boxed
/// strings).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SortedNames(PathTable);

impl SortedNames {
    /// The set of `names`, sorted, each once.
    pub fn new<N: AsRef<str> + Ord>(mut names: Vec<N>) -> Self {
        names.sort_unstable();
        names.dedup();
        let mut table = PathTable::default();
        for name in &names {
            table.push(name.as_ref());
        }
        table.shrink_to_fit();
        Self(table)
    }

    pub fn contains(&self, name: &str) -> bool {
        let mut low = 0;
        let mut high = self.0.len();
        while low < high {
            let middle = low + (high - low) / 2;
            match self.0.get(middle).unwrap_or("").cmp(name) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The hash [`ModuleSummary::function_by_path`] orders paths by: the same in every run and
/// build of the same sources (it is stored in the cache). An `i32`, not a `u32`: it is no
/// offset, and the cache bounds the offsets of a summary by the largest `u32` it holds
/// (`cache::shape`), to tell which edits the link reads.
pub fn path_hash(path: &str) -> i32 {
    use std::hash::Hasher;
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(path.as_bytes());
    (hasher.finish() >> 32) as i32
}

/// The pseudo-function that holds module-level code.
pub const MODULE_CODE: &str = "<module>";

/// The qualified path of what module `module` names `qualname` (`app.db` and `Repo.save`:
/// `app.db.Repo.save`), as the semantic model qualifies it.
pub fn qualified(module: &str, qualname: &str) -> String {
    if module.is_empty() {
        qualname.to_string()
    } else {
        crate::semantic::member_path(module, qualname)
    }
}

/// What `path` names within module `module`: the inverse of [`qualified`]; `None` when
/// `path` is not under the module's name.
pub fn within_module<'p>(module: &str, path: &'p str) -> Option<&'p str> {
    if module.is_empty() {
        return Some(path);
    }
    path.strip_prefix(module)?.strip_prefix('.')
}

/// Whether `path` is what module `module` names `qualname`, without spelling it.
pub fn is_qualified(path: &str, module: &str, qualname: &str) -> bool {
    within_module(module, path) == Some(qualname)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_function_without_rare_sites_holds_no_lists_of_them() {
        // Every function of the project stays in memory for the whole run.
        assert!(std::mem::size_of::<FunctionSummary>() <= 104);
        let mut function =
            FunctionSummary::new("f".into(), "f".into(), false, TextRange::default());
        assert!(function.blocking.is_empty() && function.sites.is_none());
        // Writing allocates the lists; emptied again, `compact` gives them back.
        function.probe_guarded_calls.push((0, 1, true));
        assert_eq!(function.probe_guarded_calls.len(), 1);
        function.compact();
        assert!(function.sites.is_some());
        function.probe_guarded_calls.clear();
        function.compact();
        assert!(function.sites.is_none());
        assert!(function.probe_guarded_calls.is_empty());
    }

    #[test]
    fn a_function_keeps_its_qualified_name_and_name_through_the_cache() {
        let nested = FunctionSummary::new("C.f".into(), "f".into(), false, TextRange::default());
        assert_eq!((nested.qualname(), nested.name()), ("C.f", "f"));
        // A name that is not the qualified name's end (none is, today) is kept after it.
        let other = FunctionSummary::new("g".into(), "h".into(), false, TextRange::default());
        assert_eq!((other.qualname(), other.name()), ("g", "h"));
        let module = FunctionSummary::new(
            MODULE_CODE.into(),
            String::new(),
            false,
            TextRange::default(),
        );
        assert_eq!((module.qualname(), module.name()), (MODULE_CODE, ""));
        for function in [nested, other, module] {
            let encoded = postcard::to_allocvec(&function).unwrap();
            let decoded: FunctionSummary = postcard::from_bytes(&encoded).unwrap();
            assert_eq!(
                (decoded.qualname(), decoded.name()),
                (function.qualname(), function.name())
            );
            // A format that cannot lend its strings (a reader) hands them over copied.
            let json = serde_json::to_vec(&function).unwrap();
            let copied: FunctionSummary = serde_json::from_reader(json.as_slice()).unwrap();
            assert_eq!(
                (copied.qualname(), copied.name()),
                (function.qualname(), function.name())
            );
        }
    }

    /// A function's path is its module's name and its qualified name; a path under another
    /// module (or one that only starts with the module's name) names none of its functions.
    #[test]
    fn a_path_is_the_module_name_and_the_name_within_it() {
        assert_eq!(qualified("app.db", "Repo.save"), "app.db.Repo.save");
        assert_eq!(qualified("", "helper"), "helper");
        assert_eq!(
            within_module("app.db", "app.db.Repo.save"),
            Some("Repo.save")
        );
        assert_eq!(within_module("app.db", "app.dbx.save"), None);
        assert_eq!(within_module("app.db", "app.db"), None);
        assert_eq!(within_module("app.db", "app.api.save"), None);
        assert_eq!(within_module("", "helper"), Some("helper"));
        assert!(is_qualified("app.db.Repo.save", "app.db", "Repo.save"));
        assert!(!is_qualified("app.db.Repo.save", "app", "db.Repo"));
        let mut summary = ModuleSummary {
            module_name: "app.db".into(),
            ..ModuleSummary::default()
        };
        summary.functions.push(FunctionSummary::new(
            "Repo.save".into(),
            "save".into(),
            false,
            TextRange::default(),
        ));
        summary.function_by_path = Box::new([(path_hash("Repo.save"), 0)]);
        assert_eq!(summary.function_index("app.db.Repo.save"), Some(0));
        assert_eq!(summary.function_index("other.db.Repo.save"), None);
        assert_eq!(summary.function_index("Repo.save"), None);
        assert_eq!(
            summary.function_path(&summary.functions[0]),
            "app.db.Repo.save"
        );
    }

    #[test]
    fn exports_answer_as_the_map_they_were_made_from() {
        let names = [
            ("load_user", "app.db.load_user"),
            ("Repo", "app.models.Repo"),
            ("np", "numpy"),
            ("x", "x"),
            ("alias", "app.db.load_user"),
            ("dotted", ".dotted"),
            ("helper", "app.api.helper"),
            ("api", "app.api"),
            ("nested", "app.api.x.nested"),
        ];
        let exports = Exports::new(
            "app.api",
            names
                .iter()
                .map(|&(name, target)| (name.to_string(), target.to_string())),
        );
        assert_eq!(exports.len(), names.len());
        for (name, target) in names {
            assert_eq!(exports.get(name).as_deref(), Some(target), "{name}");
            assert!(exports.contains_key(name));
        }
        assert_eq!(exports.get("missing"), None);
        assert!(!exports.contains_key("load"));
        let listed: Vec<(&str, String)> = exports.iter().collect();
        assert_eq!(listed.first().map(|(name, _)| *name), Some("Repo"));
        assert!(Exports::default().get("x").is_none());
        // Each target's stored part is kept once: the module's name for its definitions.
        let stored: Vec<&str> = exports.targets.iter().collect();
        assert_eq!(
            stored,
            [
                "app.api",
                "app.models",
                "app.db.load_user",
                "app",
                ".dotted",
                "app.db",
                "app.api.x",
                "numpy",
                "x"
            ]
        );
        let encoded = postcard::to_allocvec(&exports).unwrap();
        assert_eq!(postcard::from_bytes::<Exports>(&encoded).unwrap(), exports);
    }

    #[test]
    fn a_text_map_finds_every_key_it_was_made_from_and_keeps_a_keys_first_value() {
        let map = TextMap::new([
            ("app.b.f", "app.models.Repo"),
            ("app.a.g", "asyncio.AbstractEventLoop"),
            ("app.b.f", "later"),
            ("", "empty key"),
            ("app.c", ""),
        ]);
        assert_eq!(map.len(), 4);
        assert_eq!(map.get("app.b.f"), Some("app.models.Repo"));
        assert_eq!(map.get("app.a.g"), Some("asyncio.AbstractEventLoop"));
        assert_eq!(map.get(""), Some("empty key"));
        assert_eq!(map.get("app.c"), Some(""));
        assert_eq!(map.get("app.b"), None);
        let keys: Vec<&str> = map.iter().map(|(key, _)| key).collect();
        assert_eq!(keys, ["", "app.a.g", "app.b.f", "app.c"]);
        assert!(TextMap::default().get("x").is_none());
        let encoded = postcard::to_allocvec(&map).unwrap();
        assert_eq!(postcard::from_bytes::<TextMap>(&encoded).unwrap(), map);
    }

    #[test]
    fn local_callees_and_sorted_names_answer_as_what_they_were_made_from() {
        let entries = [Some(3), None, Some(0), None];
        let local: LocalCallees = entries.into_iter().collect();
        assert_eq!(local.iter().collect::<Vec<_>>(), entries);
        let encoded = postcard::to_allocvec(&local).unwrap();
        assert_eq!(encoded, postcard::to_allocvec(&entries.to_vec()).unwrap());
        assert_eq!(
            postcard::from_bytes::<LocalCallees>(&encoded).unwrap(),
            local
        );

        let names = SortedNames::new(vec!["fetch", "close", "fetch", "", "acquire"]);
        assert_eq!(names.len(), 4);
        for name in ["fetch", "close", "", "acquire"] {
            assert!(names.contains(name), "{name}");
        }
        assert!(!names.contains("fetc") && !names.contains("zzz"));
        assert!(!SortedNames::default().contains(""));
    }

    #[test]
    fn a_sorted_map_finds_every_path_it_was_made_from() {
        let map = Sorted::new([
            ("app.b.Repo".to_string(), 2),
            ("app.a.User".to_string(), 1),
            ("app.c".to_string(), 3),
        ]);
        assert_eq!(map.len(), 3);
        assert_eq!(map.get("app.a.User"), Some(&1));
        assert_eq!(map.get("app.b.Repo"), Some(&2));
        assert!(map.contains_key("app.c"));
        assert!(!map.contains_key("app.b"));
        let paths: Vec<&String> = (&map).into_iter().map(|(path, _)| path).collect();
        assert_eq!(paths, ["app.a.User", "app.b.Repo", "app.c"]);
        assert!(Sorted::<u8>::default().get("x").is_none());
    }

    #[test]
    fn a_path_table_gives_back_each_path_at_its_index() {
        let mut table = PathTable::default();
        assert_eq!(table.push("app.db.load"), 0);
        assert_eq!(table.push(""), 1);
        assert_eq!(table.push("requests.get"), 2);
        assert_eq!(table.get(0), Some("app.db.load"));
        assert_eq!(table.get(1), Some(""));
        assert_eq!(table.get(2), Some("requests.get"));
        assert_eq!(table.get(3), None);
        let paths: Vec<&str> = (&table).into_iter().collect();
        assert_eq!(paths, ["app.db.load", "", "requests.get"]);
    }

    #[test]
    fn to_thread_fixes_are_found_by_function_and_site_with_their_runner() {
        let range = |at: u32| TextRange::new(TextSize::new(at), TextSize::new(at + 4));
        let recipe = |at: u32, runner: u32| ToThreadRecipe {
            call: range(at),
            function: range(at),
            arguments: range(at + 4),
            has_keywords: false,
            parenthesize: false,
            runner,
        };
        let entry = |function: u32, site: u32, recipe: ToThreadRecipe| ToThreadEntry {
            function,
            site,
            recipe,
        };
        let runner = |asyncio: &str| ThreadRunner {
            asyncio: asyncio.to_string(),
            legacy: false,
            import: None,
            functools: None,
        };
        // In the walk's order: a nested function's calls come between its parent's.
        let fixes = ToThreadFixes::new(
            vec![
                entry(0, 0, recipe(10, 0)),
                entry(1, 0, recipe(40, 1)),
                entry(0, 2, recipe(60, 0)),
            ],
            vec![entry(0, 2, recipe(900, 0))],
            vec![runner("asyncio"), runner("aio")],
        );
        assert_eq!(fixes.len(), 4);
        let call = |function, site| fixes.call(function, site).map(|p| p.recipe.call);
        assert_eq!(call(0, 0), Some(range(10)));
        assert_eq!(call(0, 2), Some(range(60)));
        assert_eq!(call(1, 0), Some(range(40)));
        assert_eq!(call(0, 1), None);
        assert_eq!(call(2, 0), None);
        assert_eq!(
            fixes.consumer(0, 2).map(|p| p.recipe.call),
            Some(range(900))
        );
        assert!(fixes.consumer(0, 0).is_none());
        assert_eq!(fixes.call(1, 0).unwrap().runner.asyncio, "aio");
        // A recipe naming no runner of its module spells nothing.
        let orphan = ToThreadFixes::new(vec![entry(0, 0, recipe(10, 5))], Vec::new(), Vec::new());
        assert!(orphan.call(0, 0).is_none());
    }

    #[test]
    fn calls_of_inert_paths_go_with_what_was_kept_of_them_and_the_rest_are_numbered_again() {
        let range = |at: u32| TextRange::new(TextSize::new(at), TextSize::new(at + 1));
        let site = |callee: u32, at: u32| {
            CallSite::new(
                (callee, range(at)),
                (CallUsage::Used, CallDeadline::Unbounded),
                ArgumentShape::default(),
                CallFacts::default(),
            )
        };
        let fix = |site: u32, at: u32| ToThreadEntry {
            function: 0,
            site,
            recipe: ToThreadRecipe {
                call: range(at),
                function: range(at),
                arguments: range(at),
                has_keywords: false,
                parenthesize: false,
                runner: 0,
            },
        };
        let module = |registered: bool| {
            let mut summary = ModuleSummary::default();
            for path in ["m.LOG.debug", "m.helper", "m.ready"] {
                summary.callees.push(path);
            }
            summary.local_callees = [None, Some(1), None].into_iter().collect();
            let mut function =
                FunctionSummary::new("f".into(), "f".into(), true, TextRange::default());
            // A log call, a helper, a log call, a probe, the helper behind the probe.
            function.calls = thin_vec::thin_vec![
                site(0, 10),
                site(1, 20),
                site(0, 30),
                site(2, 40),
                site(1, 50)
            ];
            function
                .literal_arguments
                .push((0, ArgumentSlot::Positional(0), Literal::Truthy));
            function
                .literal_arguments
                .push((4, ArgumentSlot::Positional(0), Literal::None));
            function.probe_guarded_calls.push((4, 3, true));
            // (What a guard on a log call is kept for goes with it.)
            function.guarded_calls.push((
                2,
                ParameterGuard {
                    parameter: ParameterRef {
                        name: Name::new("verbose"),
                        position: Some(0),
                        literal_default: None,
                    },
                    test: GuardTest::Truthy,
                },
            ));
            if registered {
                function.pending_callbacks.push(ThreadTarget {
                    target: "m.g".into(),
                    via: "m.LOG.debug".into(),
                    range: range(60),
                    in_lambda: false,
                });
            }
            summary.functions.push(function);
            summary.to_thread_fixes = ToThreadFixes::new(
                vec![fix(0, 10), fix(1, 20), fix(4, 50)],
                Vec::new(),
                vec![ThreadRunner {
                    asyncio: "asyncio".into(),
                    legacy: false,
                    import: None,
                    functools: None,
                }],
            );
            summary
        };
        // Both the log calls and the probe's path are inert; the probe is named by the call
        // it guards, so it stays.
        let inert = |path: &str| path != "m.helper";
        let stripped = module(false).without_calls_to(inert);
        let function = &stripped.functions[0];
        let ranges: Vec<u32> = function
            .calls
            .iter()
            .map(|call| call.range.start().into())
            .collect();
        assert_eq!(ranges, [20, 40, 50]);
        let callees: Vec<&str> = function
            .calls
            .iter()
            .map(|call| stripped.callee(call))
            .collect();
        assert_eq!(callees, ["m.helper", "m.ready", "m.helper"]);
        assert_eq!(
            stripped.callees.iter().collect::<Vec<_>>(),
            ["m.helper", "m.ready"]
        );
        assert_eq!(
            stripped.local_callees.iter().collect::<Vec<_>>(),
            [Some(1), None]
        );
        assert_eq!(
            function.literal_arguments.to_vec(),
            [(2, ArgumentSlot::Positional(0), Literal::None)]
        );
        assert_eq!(function.probe_guarded_calls.to_vec(), [(2, 1, true)]);
        let fixed = |site| {
            stripped
                .to_thread_fixes
                .call(0, site)
                .map(|p| p.recipe.call)
        };
        assert_eq!(fixed(0), Some(range(20)));
        assert_eq!(fixed(2), Some(range(50)));
        assert_eq!(stripped.to_thread_fixes.len(), 2);
        // Without a log call to leave out, the same summary: two edits that differ in log
        // calls alone compare alike.
        let mut without_logs = module(false);
        without_logs.functions[0].calls.remove(2);
        without_logs.functions[0].calls.remove(0);
        without_logs.functions[0].literal_arguments.remove(0);
        without_logs.functions[0].guarded_calls.clear();
        without_logs.functions[0].literal_arguments[0].0 = 2;
        without_logs.functions[0].probe_guarded_calls[0] = (2, 1, true);
        without_logs.to_thread_fixes = ToThreadFixes::new(
            vec![fix(0, 20), fix(2, 50)],
            Vec::new(),
            vec![ThreadRunner {
                asyncio: "asyncio".into(),
                legacy: false,
                import: None,
                functools: None,
            }],
        );
        let bytes = |summary: &ModuleSummary| postcard::to_allocvec(summary).unwrap();
        assert_eq!(
            bytes(&without_logs.without_calls_to(inert)),
            bytes(&stripped)
        );
        // A registration names the log call's path: its calls stay.
        let registered = module(true).without_calls_to(inert);
        assert_eq!(registered.functions[0].calls.len(), 5);
    }

    #[test]
    fn a_call_site_gives_back_each_fact_it_was_made_with() {
        let bits = |index: u32| (0..8).map(move |bit| index & (1 << bit) != 0);
        for index in 0..256u32 {
            let mut each = bits(index);
            let mut next = || each.next().unwrap_or_default();
            let facts = CallFacts {
                in_async_context: next(),
                iterated: next(),
                loop_guarded: next(),
                catches_runtime_error: next(),
                fills_cache: next(),
            };
            let arguments = ArgumentShape {
                positional: index as u8,
                unpacks: next(),
                spells_keywords: next(),
                on_self: next(),
            };
            let call = CallSite::new(
                (7, TextRange::default()),
                (CallUsage::Dropped, CallDeadline::Detached),
                arguments,
                facts,
            );
            let read = CallFacts {
                in_async_context: call.in_async_context(),
                iterated: call.iterated(),
                loop_guarded: call.loop_guarded(),
                catches_runtime_error: call.catches_runtime_error(),
                fills_cache: call.fills_cache(),
            };
            assert_eq!((read, call.arguments()), (facts, arguments), "{index}");
            let encoded = postcard::to_allocvec(&call).unwrap();
            let decoded: CallSite = postcard::from_bytes(&encoded).unwrap();
            assert_eq!(decoded.arguments(), arguments);
            assert_eq!(decoded.fills_cache(), facts.fills_cache);
        }
    }

    #[test]
    fn keyword_bits_say_which_names_may_be_spelled() {
        let mut bits = KeywordBits::default();
        assert!(!bits.may_contain("timeout"));
        bits.insert("timeout");
        bits.insert("retry");
        assert!(bits.may_contain("timeout") && bits.may_contain("retry"));
        let encoded = postcard::to_allocvec(&bits).unwrap();
        assert_eq!(postcard::from_bytes::<KeywordBits>(&encoded).unwrap(), bits);
        assert_eq!(KeywordBits::of(bits.bits()), bits);
    }

    #[test]
    fn a_call_passes_a_defaulted_parameter_only_when_it_may_spell_it() {
        let mut function =
            FunctionSummary::new("f".into(), "f".into(), false, TextRange::default());
        let call = |spells_keywords: bool| {
            CallSite::new(
                (0, TextRange::default()),
                (CallUsage::Used, CallDeadline::Unbounded),
                ArgumentShape {
                    positional: 1,
                    unpacks: false,
                    spells_keywords,
                    on_self: false,
                },
                CallFacts::default(),
            )
        };
        // `g(x, cache=...)`, `g(x)`, and a call spelling keywords whose names were not kept.
        function.calls = thin_vec::thin_vec![call(true), call(false), call(true)];
        let mut spelled = KeywordBits::default();
        spelled.insert("cache");
        function.keyword_arguments.push((0, spelled));
        let parameter = |name: &str, position: u32| ParameterRef {
            name: name.into(),
            position: Some(position),
            literal_default: Some(Literal::None),
        };
        let omitted = Passed::Literal(Literal::None);
        assert_eq!(
            function.passed_for(0, &parameter("cache", 3)),
            Passed::Unknown
        );
        assert_eq!(function.passed_for(0, &parameter("strict", 4)), omitted);
        assert_eq!(function.passed_for(1, &parameter("cache", 3)), omitted);
        // Passed by position.
        assert_eq!(
            function.passed_for(1, &parameter("path", 0)),
            Passed::Unknown
        );
        // Without the names, any keyword may be the parameter.
        assert_eq!(
            function.passed_for(2, &parameter("strict", 4)),
            Passed::Unknown
        );
    }

    #[test]
    fn a_call_site_stays_small() {
        // Every call site of the project lives for the whole run.
        assert!(std::mem::size_of::<CallSite>() <= 16);
    }
}
