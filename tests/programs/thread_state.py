"""Helpers that block and keep state on the thread that runs them: thread-local storage
set on the main thread, a context variable they set, a signal handler they install. Moved
to a worker thread they would read another thread's attributes, lose what they set, or
raise; only the helper that keeps no such state may move."""

import asyncio
import contextvars
import os
import signal
import tempfile
import threading

ROOT = tempfile.mkdtemp()
with open(os.path.join(ROOT, "greeting.txt"), "w", encoding="utf-8") as seed:
    seed.write("hello\n")

_tls = threading.local()
_tls.who = "main"
request_id = contextvars.ContextVar("request_id", default="none")


def greeting() -> str:
    with open(os.path.join(ROOT, "greeting.txt"), encoding="utf-8") as handle:
        return handle.read().strip()


def signed() -> str:
    return f"{greeting()} from {_tls.who}"


def begin(name: str) -> None:
    greeting()
    request_id.set(name)


def on_term() -> str:
    greeting()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    return "installed"


async def tagged(name: str) -> str:
    with open(os.path.join(ROOT, "greeting.txt"), encoding="utf-8") as handle:
        text = handle.read().strip()
        request_id.set(name)
    return text


async def main() -> None:
    print(signed())
    begin("req-1")
    print(request_id.get())
    print(on_term())
    print(await tagged("req-2"), request_id.get())
    print(greeting())


asyncio.run(main())
