"""Coroutines that call the project's own blocking helpers and generator functions."""

import asyncio
import time


def slow_square(n: int) -> int:
    time.sleep(0.01)
    return n * n


def ticks(n: int):
    for i in range(n):
        time.sleep(0.001)
        yield i


class Clock:
    def pause(self) -> str:
        time.sleep(0.001)
        return "paused"


async def squares() -> list:
    return [slow_square(2), slow_square(3)]


async def total() -> int:
    return sum(ticks(4))


async def listed() -> list:
    return list(ticks(3))


async def counted() -> int:
    seen = 0
    for _ in ticks(2):
        seen += 1
    return seen


async def paused() -> str:
    clock = Clock()
    return clock.pause()


class Server:
    # Its constructor blocks (a file is read) and makes a future of the running loop: on a
    # worker thread that future has no loop and raises, so the constructor stays where it is.
    def __init__(self, path: str) -> None:
        with open(path) as handle:
            self.banner = handle.read().strip()
        self.serving: asyncio.Future = asyncio.Future()

    async def run(self) -> str:
        self.serving.set_result(self.banner)
        return await self.serving


async def served() -> str:
    server = Server(__file__)
    return (await server.run()).splitlines()[0]


async def main() -> None:
    print(await squares(), await total(), await listed(), await counted(), await paused())
    print(await served())
    time.sleep(0.001)
    print("done")


if __name__ == "__main__":
    asyncio.run(main())
