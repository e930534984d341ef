"""HTTP routes.

`app` serves the current API. `legacy` still serves the first version of each endpoint:
those handlers are the bad examples, each next to its fixed twin on `app`.
"""

import asyncio
import os
import sqlite3
from contextlib import asynccontextmanager

import aiosqlite
import bcrypt
from fastapi import APIRouter, FastAPI, HTTPException

from . import clients, db, services, tasks
from .hooks import pending_audits

AVATAR_DIR = "/srv/shop/avatars"
DEFAULT_AVATAR = "/static/avatar.png"

# Work the routes start and do not wait for.
inflight: set[asyncio.Task] = set()  # correct: the lifespan waits for these at shutdown


@asynccontextmanager
async def lifespan(app: FastAPI):
    receipts: asyncio.Queue[int] = asyncio.Queue()
    worker = asyncio.create_task(tasks.receipt_worker(receipts))
    app.state.receipts = receipts
    yield
    # Shutdown: stop the worker, then wait for the background work still in flight.
    worker.cancel()
    try:
        await worker
    except asyncio.CancelledError:
        pass
    await asyncio.gather(*inflight, *tasks.background_tasks, *pending_audits, return_exceptions=True)


app = FastAPI(lifespan=lifespan)  # correct: startup and shutdown live in one lifespan
legacy = APIRouter(prefix="/legacy")


@legacy.on_event("startup")  # LW203: deprecated, and silently never called once the app has a lifespan
async def warm_legacy_cache() -> None:
    await clients.fetch_rate("EUR")


# --- feature flags -----------------------------------------------------------------------------

@legacy.get("/flags/{name}")
async def get_flag_bad(name: str) -> dict:
    con = sqlite3.connect(db.DB_PATH)  # LW101: opens the database file on the loop's thread
    try:
        row = con.execute("SELECT enabled FROM flags WHERE name = ?", (name,)).fetchone()  # LW101: the query blocks every request
    finally:
        con.close()  # LW101: so does closing
    return {"name": name, "enabled": bool(row and row[0])}


@app.get("/flags/{name}")
async def get_flag(name: str) -> dict:
    async with aiosqlite.connect(db.DB_PATH) as con:  # correct: aiosqlite does the I/O off the loop
        async with con.execute("SELECT enabled FROM flags WHERE name = ?", (name,)) as cursor:
            row = await cursor.fetchone()
    return {"name": name, "enabled": bool(row and row[0])}


# --- users -------------------------------------------------------------------------------------

@legacy.get("/users/{user_id}")
async def get_profile_bad(user_id: int) -> dict:
    return services.load_profile(user_id)  # LW103: load_profile -> db.fetch_user -> sqlite3.connect, on the loop


@app.get("/users/{user_id}")
async def get_profile(user_id: int) -> dict:
    return await asyncio.to_thread(services.load_profile, user_id)  # correct: the sync chain runs on a worker thread


@legacy.post("/login")
async def login_bad(user_id: int, password: str) -> dict:
    stored = await services.password_hash(user_id)
    if not bcrypt.checkpw(password.encode(), stored):  # LW102: ~250 ms of hashing with the loop held
        raise HTTPException(status_code=401)
    return {"user": user_id}


@app.post("/login")
async def login(user_id: int, password: str) -> dict:
    stored = await services.password_hash(user_id)
    if not await asyncio.to_thread(bcrypt.checkpw, password.encode(), stored):  # correct: bcrypt releases the GIL on a thread
        raise HTTPException(status_code=401)
    return {"user": user_id}


@legacy.get("/users/{user_id}/avatar")
async def avatar_bad(user_id: int) -> dict:
    path = os.path.join(AVATAR_DIR, f"{user_id}.png")
    if os.path.exists(path):  # LW105: a stat on the avatar share can hang the loop
        return {"avatar": path}
    return {"avatar": DEFAULT_AVATAR}


@app.get("/users/{user_id}/avatar")
async def avatar(user_id: int) -> dict:
    path = os.path.join(AVATAR_DIR, f"{user_id}.png")
    if await asyncio.to_thread(os.path.exists, path):  # correct: the stat runs on a worker thread
        return {"avatar": path}
    return {"avatar": DEFAULT_AVATAR}


# --- orders ------------------------------------------------------------------------------------

@legacy.get("/orders/{order_id}/price")
async def order_price_bad(order_id: int, total_cents: int, currency: str) -> dict:
    return {"order": order_id, "total": services.price_in_bad(total_cents, currency)}


@app.get("/orders/{order_id}/price")
async def order_price(order_id: int, total_cents: int, currency: str) -> dict:
    return {"order": order_id, "total": await services.price_in(total_cents, currency)}


@legacy.post("/orders/{order_id}/checkout")
async def checkout_bad(order_id: int, user_id: int, card_token: str, items: list[str], credit_cents: int = 0) -> dict:
    if credit_cents:
        await services.redeem_credit_bad(user_id, credit_cents)
    if not await services.checkout_bad(order_id, card_token, items):
        return {"order": order_id, "status": "failed"}
    await tasks.schedule_receipt_bad(order_id)
    return {"order": order_id, "status": "paid"}


@app.post("/orders/{order_id}/checkout")
async def checkout(order_id: int, user_id: int, card_token: str, items: list[str], credit_cents: int = 0) -> dict:
    if credit_cents:
        await services.redeem_credit(user_id, credit_cents)
    if not await services.checkout(order_id, card_token, items):
        return {"order": order_id, "status": "failed"}
    await tasks.schedule_receipt(order_id)
    return {"order": order_id, "status": "paid"}


@legacy.delete("/orders/{order_id}")
async def cancel_order_bad(order_id: int, user_id: int) -> dict:
    if not services.is_admin(user_id):  # LW303: a coroutine is always truthy, so the check never runs
        raise HTTPException(status_code=403)
    await tasks.set_status(order_id, "cancelled")
    return {"order": order_id, "status": "cancelled"}


@app.delete("/orders/{order_id}")
async def cancel_order(order_id: int, user_id: int) -> dict:
    if not await services.is_admin(user_id):  # correct: awaited, so the answer is a bool
        raise HTTPException(status_code=403)
    await tasks.set_status(order_id, "cancelled")
    return {"order": order_id, "status": "cancelled"}


@app.post("/orders/{order_id}/ship", status_code=202)
async def ship(order_id: int) -> dict:
    task = asyncio.create_task(tasks.mark_shipped(order_id))
    inflight.add(task)
    task.add_done_callback(inflight.discard)
    return {"order": order_id, "status": "shipping"}


# --- customer webhooks -------------------------------------------------------------------------

@legacy.post("/webhooks/test")
async def test_webhook_bad(url: str) -> dict:
    return {"status": await clients.deliver_webhook_bad(url, {"type": "ping"})}


@app.post("/webhooks/test")
async def test_webhook(url: str) -> dict:
    return {"status": await clients.deliver_webhook(url, {"type": "ping"})}


app.include_router(legacy)
