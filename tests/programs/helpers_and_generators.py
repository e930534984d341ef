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


async def main() -> None:
    print(await squares(), await total(), await listed(), await counted(), await paused())
    time.sleep(0.001)
    print("done")


if __name__ == "__main__":
    asyncio.run(main())
