"""Without --thorough, loop calls from a thread are caught where the check is cheap
(create_task, call_later / call_at), not in call_soon, which every task step goes through."""

import asyncio


async def tick():
    pass


def start_from_worker(loop):
    loop.create_task(tick())  # expect: LW104


def later_from_worker(loop):
    loop.call_later(0.001, print, "later")  # expect: LW104


def soon_from_worker(loop):
    loop.call_soon(print, "soon")  # not checked by default


async def main():
    loop = asyncio.get_running_loop()
    for worker in (start_from_worker, later_from_worker, soon_from_worker):
        await asyncio.to_thread(worker, loop)
    await asyncio.sleep(0.05)


asyncio.run(main())
