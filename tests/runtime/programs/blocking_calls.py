"""Fast blocking calls on the loop thread, reported only with --blocking-calls."""
# runtime-options: --blocking-calls

import asyncio
import os
import sqlite3


def open_database():
    return sqlite3.connect(":memory:")


async def lookup():
    con = sqlite3.connect(":memory:")  # expect: LW101
    con.close()


async def through_helper():
    open_database().close()  # expect: LW103


async def exists(path):
    return os.path.exists(path)  # expect: LW105


def lookup_on_a_thread():
    con = sqlite3.connect(":memory:")
    con.close()


async def correct():
    await asyncio.to_thread(lookup_on_a_thread)
    await asyncio.to_thread(os.path.exists, "/")


async def main():
    await lookup()
    await through_helper()
    await exists("/")
    await correct()


asyncio.run(main())
