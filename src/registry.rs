//! Every rule's identity: its variant, stable code, kebab-case name and whether it runs by
//! default. This is the bottom of the layering: diagnostics, settings and `noqa` name rules
//! through it without knowing how any rule works (the implementations, and their
//! documentation, live in [`crate::rules`]).

macro_rules! define_rules {
    ($( $variant:ident => ($code:literal, $name:literal, $default:expr), )*) => {
        /// Every rule loopwarden knows.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum Rule {
            $( $variant, )*
        }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$( Rule::$variant, )*];

            /// The stable code, e.g. `LW101`.
            pub fn code(self) -> &'static str {
                match self { $( Rule::$variant => $code, )* }
            }

            /// The stable kebab-case name, e.g. `blocking-io-in-async`.
            pub fn name(self) -> &'static str {
                match self { $( Rule::$variant => $name, )* }
            }

            /// Whether the rule runs when the configuration selects nothing in particular.
            pub fn enabled_by_default(self) -> bool {
                match self { $( Rule::$variant => $default, )* }
            }
        }
    };
}

define_rules! {
    SyntaxError => ("LW001", "syntax-error", true),
    IoError => ("LW002", "io-error", true),
    UnusedNoqa => ("LW003", "unused-noqa", false),
    CheckIncomplete => ("LW004", "check-incomplete", true),
    BlockingIoInAsync => ("LW101", "blocking-io-in-async", true),
    BlockingCpuInAsync => ("LW102", "blocking-cpu-in-async", true),
    TransitiveBlockingCall => ("LW103", "transitive-blocking-call", true),
    ThreadUnsafeAsyncioInExecutor => ("LW104", "thread-unsafe-asyncio-in-executor", true),
    BlockingFsMetadataInAsync => ("LW105", "blocking-fs-metadata-in-async", true),
    LoopWithoutAwait => ("LW106", "loop-without-await", true),
    GetEventLoop => ("LW201", "get-event-loop", true),
    RunInRunningLoop => ("LW202", "run-in-running-loop", true),
    FastapiOnEvent => ("LW203", "fastapi-on-event", true),
    WrongContextManagerProtocol => ("LW204", "wrong-context-manager-protocol", true),
    DanglingTask => ("LW301", "dangling-task", true),
    UnawaitedCoroutine => ("LW302", "unawaited-coroutine", true),
    CoroutineInBooleanContext => ("LW303", "coroutine-in-boolean-context", true),
    BackgroundTaskNotDrained => ("LW304", "background-task-not-drained", true),
    YieldInAsyncGeneratorContext => ("LW305", "yield-in-async-generator-context", true),
    GatherWithoutReturnExceptions => ("LW401", "gather-without-return-exceptions", true),
    GatherExceptionsUnchecked => ("LW402", "gather-exceptions-unchecked", true),
    CancelledErrorSwallowed => ("LW403", "cancelled-error-swallowed", true),
    GatherPreferTaskgroup => ("LW404", "gather-prefer-taskgroup", false),
    AsyncFunctionNeverAwaits => ("LW405", "async-function-never-awaits", false),
    NetworkAwaitWithoutTimeout => ("LW501", "network-await-without-timeout", true),
    WaitForPreferTimeout => ("LW502", "wait-for-prefer-timeout", false),
    TimeoutWithoutAwait => ("LW503", "timeout-without-await", true),
    AsyncTimeoutParameter => ("LW504", "async-timeout-parameter", false),
    SleepPollingLoop => ("LW505", "sleep-polling-loop", true),
    CheckThenActAcrossAwait => ("LW601", "check-then-act-across-await", true),
}

impl Rule {
    /// The rule with this code, in any case (`LW101`, `lw101`).
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL
            .iter()
            .copied()
            .find(|rule| rule.code().eq_ignore_ascii_case(code))
    }

    /// The codes of Ruff's rules that report the same problem: a `# noqa` naming one of them
    /// suppresses this rule on that line too, so a project that moves from Ruff keeps the
    /// decisions its maintainers already wrote down (`asyncio.create_task(...)  # noqa: RUF006`).
    /// Only rules whose finding is the same problem at the same place are listed.
    pub fn ruff_equivalents(self) -> &'static [&'static str] {
        match self {
            // Blocking HTTP calls, subprocesses, `open`, `time.sleep` in async functions.
            Rule::BlockingIoInAsync => &[
                "ASYNC210", "ASYNC212", "ASYNC220", "ASYNC221", "ASYNC222", "ASYNC230", "ASYNC250",
                "ASYNC251",
            ],
            // `os.path` calls in async functions.
            Rule::BlockingFsMetadataInAsync => &["ASYNC240"],
            // A task created and not stored.
            Rule::DanglingTask => &["RUF006"],
            // A deadline scope with no await in it.
            Rule::TimeoutWithoutAwait => &["ASYNC100"],
            // A loop that polls with `await asyncio.sleep` (Ruff reports it on the `while` line too).
            Rule::SleepPollingLoop => &["ASYNC110"],
            // A `timeout` parameter on an async function.
            Rule::AsyncTimeoutParameter => &["ASYNC109"],
            // A yield inside a context in an async generator.
            Rule::YieldInAsyncGeneratorContext => &["ASYNC119"],
            // An async function that never awaits.
            Rule::AsyncFunctionNeverAwaits => &["RUF029"],
            _ => &[],
        }
    }

    /// The documentation URL put into JSON and SARIF output.
    pub fn url(self) -> String {
        format!(
            "https://github.com/loopwarden/loopwarden/blob/main/docs/rules.md#{}",
            self.code().to_ascii_lowercase()
        )
    }
}
