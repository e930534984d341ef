import asyncio, threading
lock = asyncio.Lock()
tlock = threading.Lock()
async def f():
    with lock:
        pass
    async with tlock:
        pass
    with asyncio.timeout(1):
        await asyncio.sleep(2)
