//! The rule implementations: one file per rule, named after the rule. Each file's `DOCS`
//! constant is what `loopwarden rule CODE` prints; [`docs`] maps a rule to it (the match
//! is exhaustive, so a rule without documentation does not compile).
//!
//! Single-function rules are called by the dispatch in [`crate::dispatch`] as its walk
//! meets the nodes they care about; whole-project rules read the linked project's facts.
//! A rule file never imports another rule's file: what two rules share lives in a module
//! named for what it is, in a lower layer.

pub mod async_function_never_awaits;
pub mod async_timeout_parameter;
pub mod background_task_not_drained;
pub mod blocking_cpu_in_async;
pub mod blocking_fs_metadata_in_async;
pub mod blocking_io_in_async;
pub mod cancelled_error_swallowed;
pub mod check_incomplete;
pub mod check_then_act_across_await;
pub mod coroutine_in_boolean_context;
pub mod dangling_task;
pub mod fastapi_on_event;
pub mod gather_exceptions_unchecked;
pub mod gather_prefer_taskgroup;
pub mod gather_without_return_exceptions;
pub mod get_event_loop;
pub mod io_error;
pub mod loop_without_await;
pub mod network_await_without_timeout;
pub mod run_in_running_loop;
pub mod sleep_polling_loop;
pub mod syntax_error;
pub mod thread_unsafe_asyncio_in_executor;
pub mod timeout_without_await;
pub mod transitive_blocking_call;
pub mod unawaited_coroutine;
pub mod unused_noqa;
pub mod wait_for_prefer_timeout;
pub mod wrong_context_manager_protocol;
pub mod yield_in_async_generator_context;

use crate::registry::Rule;

/// The long explanation printed by `loopwarden rule CODE`.
pub fn docs(rule: Rule) -> &'static str {
    match rule {
        Rule::SyntaxError => syntax_error::DOCS,
        Rule::IoError => io_error::DOCS,
        Rule::UnusedNoqa => unused_noqa::DOCS,
        Rule::CheckIncomplete => check_incomplete::DOCS,
        Rule::BlockingIoInAsync => blocking_io_in_async::DOCS,
        Rule::BlockingCpuInAsync => blocking_cpu_in_async::DOCS,
        Rule::TransitiveBlockingCall => transitive_blocking_call::DOCS,
        Rule::ThreadUnsafeAsyncioInExecutor => thread_unsafe_asyncio_in_executor::DOCS,
        Rule::BlockingFsMetadataInAsync => blocking_fs_metadata_in_async::DOCS,
        Rule::LoopWithoutAwait => loop_without_await::DOCS,
        Rule::GetEventLoop => get_event_loop::DOCS,
        Rule::RunInRunningLoop => run_in_running_loop::DOCS,
        Rule::FastapiOnEvent => fastapi_on_event::DOCS,
        Rule::WrongContextManagerProtocol => wrong_context_manager_protocol::DOCS,
        Rule::DanglingTask => dangling_task::DOCS,
        Rule::UnawaitedCoroutine => unawaited_coroutine::DOCS,
        Rule::CoroutineInBooleanContext => coroutine_in_boolean_context::DOCS,
        Rule::BackgroundTaskNotDrained => background_task_not_drained::DOCS,
        Rule::YieldInAsyncGeneratorContext => yield_in_async_generator_context::DOCS,
        Rule::GatherWithoutReturnExceptions => gather_without_return_exceptions::DOCS,
        Rule::GatherExceptionsUnchecked => gather_exceptions_unchecked::DOCS,
        Rule::CancelledErrorSwallowed => cancelled_error_swallowed::DOCS,
        Rule::GatherPreferTaskgroup => gather_prefer_taskgroup::DOCS,
        Rule::AsyncFunctionNeverAwaits => async_function_never_awaits::DOCS,
        Rule::NetworkAwaitWithoutTimeout => network_await_without_timeout::DOCS,
        Rule::WaitForPreferTimeout => wait_for_prefer_timeout::DOCS,
        Rule::TimeoutWithoutAwait => timeout_without_await::DOCS,
        Rule::AsyncTimeoutParameter => async_timeout_parameter::DOCS,
        Rule::SleepPollingLoop => sleep_polling_loop::DOCS,
        Rule::CheckThenActAcrossAwait => check_then_act_across_await::DOCS,
    }
}
