import asyncio
async def f(host):
    reader, writer = await asyncio.open_connection(host, 80)
    return await reader.readline()
