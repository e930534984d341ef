"""Coroutines created and never awaited."""

import asyncio


async def notify():
    pass


async def is_allowed():
    return False


async def main():
    notify()  # expect: LW302
    if is_allowed():  # expect: LW302
        pass
    await notify()
    if await is_allowed():
        pass


asyncio.run(main())
