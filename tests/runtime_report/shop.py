import asyncio
import sqlite3
import time


def load(path):
    return sqlite3.connect(path)


async def handler():
    time.sleep(1)


async def via_helper():
    return load("shop.db")


async def compute():
    return sum(range(10**7))


async def quiet():
    return 1


def hook():
    asyncio.run(quiet())
