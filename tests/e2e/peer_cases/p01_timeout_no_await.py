import asyncio
import anyio
async def f(session, url):
    async with asyncio.timeout(10):
        request = session.get(url)
    with anyio.fail_after(1):
        pass
    return await request
