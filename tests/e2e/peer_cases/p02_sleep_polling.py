import asyncio
class S:
    async def wait_ready(self):
        while not self._ready:
            await asyncio.sleep(0.1)
READY = False
async def g():
    while not READY:
        await asyncio.sleep(0.1)
