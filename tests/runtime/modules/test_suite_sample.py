"""A test suite the pytest plugin watches (run by test_watcher.py, not collected there)."""

import asyncio


async def refresh():
    pass


def test_forgets_to_await():
    async def body():
        refresh()  # expect: LW302

    asyncio.run(body())
