import asyncio
async def f(x):
    return await asyncio.wait_for(x, 5)
