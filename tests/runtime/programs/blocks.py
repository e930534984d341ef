"""A loop held by a sleep in a coroutine, by a sync helper, and by hashing; and the same
work done correctly, which is not reported."""
# runtime-options: --threshold-ms 100

import asyncio
import hashlib
import time


def read_config():
    time.sleep(0.25)


def load_settings():
    read_config()


async def direct():
    time.sleep(0.25)  # expect: LW101


async def through_helpers():
    load_settings()  # expect: LW103


async def hashing():
    for _ in range(3):
        hashlib.pbkdf2_hmac("sha256", b"password", b"salt", 400_000)  # expect: LW102


async def correct():
    await asyncio.sleep(0.25)
    await asyncio.to_thread(time.sleep, 0.25)
    await asyncio.to_thread(load_settings)


async def main():
    await direct()
    await through_helpers()
    await hashing()
    await correct()


asyncio.run(main())
