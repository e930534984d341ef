async def fetch(url, timeout=10):
    return url
