"""The warehouse feed: a connection that comes up in the background, and the order export
that streams rows out of the database."""

import asyncio
import contextlib

import aiosqlite
import httpx

from . import db

FEED_URL = "https://warehouse.example.com/feed"


class WarehouseFeed:
    def __init__(self) -> None:
        self.connected = False
        self.connected_event = asyncio.Event()
        self.flushing = False
        self.flushed = asyncio.Event()
        self._lock = asyncio.Lock()
        self._sent = 0

    def on_connect(self) -> None:
        self.connected = True
        self.connected_event.set()

    async def wait_connected_bad(self) -> None:
        while not self.connected:  # LW505: wakes up to 100 ms late, and wakes 10 times a second for nothing
            await asyncio.sleep(0.1)

    async def wait_connected(self) -> None:
        await self.connected_event.wait()  # correct: woken exactly when on_connect sets the event

    async def wait_flushed_bad(self) -> None:
        while self.flushing:  # LW106: never yields, so the flush that would clear the flag never runs
            pass

    async def wait_flushed(self) -> None:
        await self.flushed.wait()  # correct: gives the loop back until the flush is done

    async def count_sent_bad(self) -> None:
        with self._lock:  # LW204: an asyncio.Lock has no `with`: TypeError on the first event
            self._sent += 1

    async def count_sent(self) -> None:
        async with self._lock:  # correct: asyncio locks are entered with `async with`
            self._sent += 1

    async def push_bad(self, client: httpx.AsyncClient, event: dict) -> None:
        async with asyncio.timeout(5):  # LW503: nothing is awaited inside, so the deadline never fires
            request = client.post(FEED_URL, json=event)
        await request

    async def push(self, client: httpx.AsyncClient, event: dict) -> None:
        async with asyncio.timeout(5):  # correct: the deadline bounds the request
            await client.post(FEED_URL, json=event)


# --- the order export streams rows ----------------------------------------------------------

async def order_rows_bad(status: str):
    async with aiosqlite.connect(db.DB_PATH) as con:
        async with con.execute("SELECT id FROM orders WHERE status = ?", (status,)) as cursor:
            async for row in cursor:
                yield row  # LW305: a consumer that stops early leaves the connection open until GC


async def first_pending_bad() -> int | None:
    async for row in order_rows_bad("pending"):
        return row[0]
    return None


async def order_rows(status: str):
    async with aiosqlite.connect(db.DB_PATH) as con:
        async with con.execute("SELECT id FROM orders WHERE status = ?", (status,)) as cursor:
            async for row in cursor:
                yield row  # correct: every caller closes the generator with aclosing


async def first_pending() -> int | None:
    async with contextlib.aclosing(order_rows("pending")) as rows:
        async for row in rows:
            return row[0]
    return None
