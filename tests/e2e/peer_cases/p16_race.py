class C:
    async def get(self):
        if self._client is None:
            self._client = await make()
        return self._client
async def make(): pass
