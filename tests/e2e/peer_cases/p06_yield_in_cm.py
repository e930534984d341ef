async def rows(pool, q):
    async with pool.acquire() as conn:
        async for row in conn.cursor(q):
            yield row
