import asyncio
async def long(xs):
    for x in xs:
        await asyncio.sleep(0)
    return 1
async def nothing():
    print("x")
