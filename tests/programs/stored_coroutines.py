"""Coroutines stored where nothing ever awaits them: a fix awaits each where it is made."""

import asyncio
from typing import Awaitable, Callable


async def save(store: dict, key: str) -> str:
    await asyncio.sleep(0)
    store[key] = True
    return key


class Journal:
    def __init__(self) -> None:
        self.store: dict = {}
        self._last = None

    async def record(self, key: str) -> None:
        self._last = save(self.store, key)


def accept_either(handler: Callable[..., Awaitable[str]]) -> Callable[[str], Awaitable[str]]:
    # Takes both kinds, despite its annotation: after the guard only a plain function is
    # called, and awaiting what it returns would raise `TypeError`.
    async def wrapped(name: str) -> str:
        if asyncio.iscoroutinefunction(handler):
            return await handler(name)
        return handler(name)

    return wrapped


def greet(name: str) -> str:
    return f"hello {name}"


async def main() -> None:
    store: dict = {}
    pending = []
    for key in ("a", "b"):
        pending.append(save(store, key))
    batch = [save(store, "c"), save(store, "d")]
    later = {}
    later["e"] = save(store, "e")
    journal = Journal()
    await journal.record("f")
    print("recorded")
    print(await accept_either(greet)("plain"))


if __name__ == "__main__":
    asyncio.run(main())
