"""Business logic: profiles, credit, checkout, LLM audit records."""

import asyncio
import logging
from collections import defaultdict

import aiosqlite
import httpx

from . import clients, db

log = logging.getLogger(__name__)

# One lock per user serialises the read-modify-write of that user's store credit.
_credit_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)


# --- profiles: a sync helper, called from routes in app.py --------------------------------

def load_profile(user_id: int) -> dict:
    # Sync on purpose: the route must run it on a worker thread (db.fetch_user opens sqlite3).
    row = db.fetch_user(user_id)
    if row is None:
        return {}
    return {"id": row[0], "email": row[1], "name": row[2]}


def price_in_bad(amount_cents: int, currency: str) -> int:
    rate = asyncio.run(clients.fetch_rate(currency))  # LW202: a route calls this while the loop runs
    return round(amount_cents * rate)


async def price_in(amount_cents: int, currency: str) -> int:
    rate = await clients.fetch_rate(currency)  # correct: already on the loop, just await
    return round(amount_cents * rate)


# --- async data access (aiosqlite) ------------------------------------------------------------

async def is_admin(user_id: int) -> bool:
    async with aiosqlite.connect(db.DB_PATH) as con:
        async with con.execute("SELECT is_admin FROM users WHERE id = ?", (user_id,)) as cursor:
            row = await cursor.fetchone()
    return bool(row and row[0])


async def password_hash(user_id: int) -> bytes:
    async with aiosqlite.connect(db.DB_PATH) as con:
        async with con.execute("SELECT password_hash FROM users WHERE id = ?", (user_id,)) as cursor:
            row = await cursor.fetchone()
    return row[0] if row else b""


async def get_credit(user_id: int) -> int:
    async with aiosqlite.connect(db.DB_PATH) as con:
        async with con.execute("SELECT credit_cents FROM users WHERE id = ?", (user_id,)) as cursor:
            row = await cursor.fetchone()
    return row[0] if row else 0


async def set_credit(user_id: int, credit_cents: int) -> None:
    async with aiosqlite.connect(db.DB_PATH) as con:
        await con.execute("UPDATE users SET credit_cents = ? WHERE id = ?", (credit_cents, user_id))
        await con.commit()


async def record_llm_call(model: str, tokens: int, ok: bool) -> None:
    async with aiosqlite.connect(db.DB_PATH) as con:
        await con.execute(
            "INSERT INTO llm_audit (model, tokens, ok) VALUES (?, ?, ?)", (model, tokens, int(ok))
        )
        await con.commit()


# --- store credit ------------------------------------------------------------------------------

async def redeem_credit_bad(user_id: int, amount_cents: int) -> int:
    credit = await get_credit(user_id)  # LW601: two checkouts can both read this credit, both spend it, one write is lost
    if credit < amount_cents:
        raise ValueError("not enough store credit")
    await set_credit(user_id, credit - amount_cents)
    return credit - amount_cents


async def redeem_credit(user_id: int, amount_cents: int) -> int:
    async with _credit_locks[user_id]:  # correct: one redemption per user at a time
        credit = await get_credit(user_id)
        if credit < amount_cents:
            raise ValueError("not enough store credit")
        await set_credit(user_id, credit - amount_cents)
        return credit - amount_cents


# --- checkout ----------------------------------------------------------------------------------

async def checkout_bad(order_id: int, card_token: str, items: list[str]) -> bool:
    try:
        await asyncio.gather(  # LW401: if the charge fails, the order is reported failed while the stock reservation runs on
            clients.charge_card(order_id, card_token),
            clients.reserve_stock(order_id, items),
        )
    except httpx.HTTPError:
        log.warning("checkout of order %s failed", order_id)
        return False
    return True


async def checkout(order_id: int, card_token: str, items: list[str]) -> bool:
    # correct: the group cancels the sibling when one fails and raises every error
    failed = False
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(clients.charge_card(order_id, card_token))
            group.create_task(clients.reserve_stock(order_id, items))
    except* httpx.HTTPError:
        log.warning("checkout of order %s failed", order_id)
        failed = True
    return not failed
