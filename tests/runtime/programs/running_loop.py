"""Driving a loop that is already running, from sync code a coroutine calls."""

import asyncio


async def record():
    pass


def sync_hook():
    asyncio.run(record())  # expect: LW202


def legacy_hook():
    asyncio.get_event_loop().run_until_complete(record())  # expect: LW202


def bridged_hook():
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is None:
        asyncio.run(record())
    else:
        return loop.create_task(record())


async def main():
    for hook in (sync_hook, legacy_hook):
        try:
            hook()
        except RuntimeError:
            pass
    await bridged_hook()


asyncio.run(main())
bridged_hook()
