"""The loop looked up from coroutines, and coroutines that were never awaited."""

import asyncio


async def ready() -> bool:
    await asyncio.sleep(0)
    return True


async def note(log: list, item: str) -> None:
    await asyncio.sleep(0)
    log.append(item)


async def later(log: list) -> None:
    loop = asyncio.get_event_loop()
    future = loop.create_future()
    loop.call_soon(future.set_result, "called")
    log.append(await future)


async def check(log: list) -> None:
    if ready():
        log.append("ready")
    else:
        log.append("not ready")


async def main() -> None:
    log: list = []
    await later(log)
    notes: list = []
    note(notes, "noted")
    await check(log)
    print(log)


if __name__ == "__main__":
    asyncio.run(main())
