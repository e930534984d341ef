import asyncio
async def load(a, b):
    return await asyncio.gather(a(), b())
