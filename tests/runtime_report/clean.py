async def idle():
    return sum(range(10**8))
