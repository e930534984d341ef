"""A fail-fast gather whose sibling runs on after the failure, and a gather that returns
exceptions; gathers that succeed are not reported."""
# runtime-options: --thorough

import asyncio


async def fail():
    await asyncio.sleep(0.01)
    raise ValueError("charge failed")


async def slow():
    await asyncio.sleep(0.05)


async def main():
    try:
        await asyncio.gather(fail(), slow())  # expect: LW401
    except ValueError:
        pass
    await asyncio.sleep(0.1)
    await asyncio.gather(fail(), slow(), return_exceptions=True)  # expect: LW402
    await asyncio.gather(slow(), slow())
    await asyncio.gather(slow(), slow(), return_exceptions=True)


asyncio.run(main())
