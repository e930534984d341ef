import asyncio
async def f():
    return asyncio.get_event_loop()
def main():
    asyncio.get_event_loop().run_until_complete(f())
async def g():
    asyncio.run(f())
