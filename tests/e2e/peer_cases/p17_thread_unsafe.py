import asyncio
def work(q):
    q.put_nowait(1)
async def f(q):
    await asyncio.to_thread(work, q)
