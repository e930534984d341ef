async def cache_key(user_id):
    return f"user:{user_id}"
async def load(cache, user_id):
    return await cache.get(await cache_key(user_id))
