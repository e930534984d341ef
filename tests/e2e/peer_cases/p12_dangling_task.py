import asyncio
async def w(): pass
async def f():
    asyncio.create_task(w())
    w()
    if w():
        pass
