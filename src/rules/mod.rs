//! The rule registry: one line per rule (code, name, default, module). Each rule lives in
//! `src/rules/<name>.rs`, whose `DOCS` constant is what `loopwarden rule CODE` prints.
//!
//! Single-function rules are called from the [`crate::checker::Checker`] walk as it meets
//! the nodes they care about; whole-project rules run in [`crate::project`] over the linked
//! call graph.

pub mod catalog;

macro_rules! define_rules {
    ($( $variant:ident => ($code:literal, $name:literal, $default:expr, $module:ident), )*) => {
        $( pub mod $module; )*

        /// Every rule loopwarden knows.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

            /// The long explanation printed by `loopwarden rule CODE`.
            pub fn docs(self) -> &'static str {
                match self { $( Rule::$variant => $module::DOCS, )* }
            }
        }
    };
}

define_rules! {
    SyntaxError => ("LW001", "syntax-error", true, syntax_error),
    IoError => ("LW002", "io-error", true, io_error),
    BlockingIoInAsync => ("LW101", "blocking-io-in-async", true, blocking_io_in_async),
    BlockingCpuInAsync => ("LW102", "blocking-cpu-in-async", true, blocking_cpu_in_async),
    TransitiveBlockingCall => ("LW103", "transitive-blocking-call", true, transitive_blocking_call),
    ThreadUnsafeAsyncioInExecutor => ("LW104", "thread-unsafe-asyncio-in-executor", true, thread_unsafe_asyncio_in_executor),
    BlockingFsMetadataInAsync => ("LW105", "blocking-fs-metadata-in-async", true, blocking_fs_metadata_in_async),
    GetEventLoop => ("LW201", "get-event-loop", true, get_event_loop),
    RunInRunningLoop => ("LW202", "run-in-running-loop", true, run_in_running_loop),
    FastapiOnEvent => ("LW203", "fastapi-on-event", true, fastapi_on_event),
    DanglingTask => ("LW301", "dangling-task", true, dangling_task),
    UnawaitedCoroutine => ("LW302", "unawaited-coroutine", true, unawaited_coroutine),
    CoroutineInBooleanContext => ("LW303", "coroutine-in-boolean-context", true, coroutine_in_boolean_context),
    BackgroundTaskNotDrained => ("LW304", "background-task-not-drained", true, background_task_not_drained),
    GatherWithoutReturnExceptions => ("LW401", "gather-without-return-exceptions", true, gather_without_return_exceptions),
    GatherExceptionsUnchecked => ("LW402", "gather-exceptions-unchecked", true, gather_exceptions_unchecked),
    CancelledErrorSwallowed => ("LW403", "cancelled-error-swallowed", true, cancelled_error_swallowed),
    NetworkAwaitWithoutTimeout => ("LW501", "network-await-without-timeout", true, network_await_without_timeout),
    WaitForPreferTimeout => ("LW502", "wait-for-prefer-timeout", false, wait_for_prefer_timeout),
    CheckThenActAcrossAwait => ("LW601", "check-then-act-across-await", true, check_then_act_across_await),
}

impl Rule {
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|rule| rule.code() == code)
    }

    /// The documentation URL put into JSON and SARIF output.
    pub fn url(self) -> String {
        format!(
            "https://github.com/loopwarden/loopwarden/blob/main/docs/rules.md#{}",
            self.code().to_ascii_lowercase()
        )
    }
}
