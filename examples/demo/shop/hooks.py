"""LLM audit logging: LiteLLM calls these hooks around every completion the shop makes."""

import asyncio

from litellm.integrations.custom_logger import CustomLogger

from .services import record_llm_call

# Audit writes scheduled from sync hooks; app.py's lifespan waits for them at shutdown.
pending_audits: set[asyncio.Task] = set()


def _usage(kwargs: dict, response_obj) -> tuple[str, int]:
    usage = getattr(response_obj, "usage", None)
    return kwargs.get("model", "unknown"), getattr(usage, "total_tokens", 0)


def _dispatch(coro) -> None:
    # Run a coroutine from sync code, whether or not a loop is running on this thread.
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is None:
        asyncio.run(coro)
    else:
        task = loop.create_task(coro)
        pending_audits.add(task)
        task.add_done_callback(pending_audits.discard)


class AuditLoggerBad(CustomLogger):
    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        model, tokens = _usage(kwargs, response_obj)
        asyncio.run(record_llm_call(model, tokens, ok=True))  # LW202: LiteLLM calls this hook from inside its running loop


class AuditLogger(CustomLogger):
    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        model, tokens = _usage(kwargs, response_obj)
        await record_llm_call(model, tokens, ok=True)  # correct: the async hook runs on the loop, so it awaits

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        model, tokens = _usage(kwargs, response_obj)
        _dispatch(record_llm_call(model, tokens, ok=False))  # correct: the bridge only starts a loop when none runs
