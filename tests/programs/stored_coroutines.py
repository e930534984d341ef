"""Coroutines stored where nothing ever awaits them: a fix awaits each where it is made."""

import asyncio


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


if __name__ == "__main__":
    asyncio.run(main())
