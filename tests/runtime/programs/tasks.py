"""Tasks dropped while pending, and a task whose exception nobody retrieved."""

import asyncio
import gc


async def wait_forever():
    await asyncio.Event().wait()


async def fail():
    raise ValueError("nobody hears this")


async def main():
    asyncio.create_task(wait_forever())  # expect: LW301
    kept = asyncio.create_task(wait_forever())  # kept: the loop cancels it at the end of run
    failing = asyncio.create_task(fail())  # expect: LW301
    await asyncio.sleep(0.01)
    del failing
    gc.collect()
    awaited = asyncio.create_task(fail())
    try:
        await awaited
    except ValueError:
        pass
    kept.cancel()


asyncio.run(main())
