import asyncio
async def f(work):
    try:
        await work()
    except asyncio.CancelledError as exc:
        raise RuntimeError("stopped") from exc
async def g(work):
    try:
        await work()
    except asyncio.CancelledError:
        pass
    try:
        await work()
    except BaseException:
        return
