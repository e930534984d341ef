class C:
    async def wait(self):
        while not self.connected:
            pass
async def parse(buf):
    i = 0
    while True:
        j = buf.find(b"\n", i)
        if j < 0:
            break
        i = j + 1
async def spin(q):
    while True:
        q.popleft()
