"""Loop-affine calls from a worker thread, and the thread-safe way."""
# runtime-options: --thorough

import asyncio


def schedule_from_worker(loop):
    loop.call_soon(print, "scheduled from the wrong thread")  # expect: LW104


def hand_back_from_worker(queue):
    queue.put_nowait("done")  # expect: LW104


def hand_back_safely(loop, queue):
    loop.call_soon_threadsafe(queue.put_nowait, "done")


async def main():
    loop = asyncio.get_running_loop()
    await asyncio.to_thread(schedule_from_worker, loop)
    queue = asyncio.Queue()
    getter = asyncio.create_task(queue.get())
    await asyncio.sleep(0.01)
    await asyncio.to_thread(hand_back_from_worker, queue)
    await asyncio.wait_for(getter, 1)
    getter = asyncio.create_task(queue.get())
    await asyncio.sleep(0.01)
    await asyncio.to_thread(hand_back_safely, loop, queue)
    await asyncio.wait_for(getter, 1)


asyncio.run(main())
