"""Background work: receipts, reminders, the nightly order export."""

import asyncio
import logging

import aiosqlite

from . import clients, db

log = logging.getLogger(__name__)

# Strong references to fire-and-forget tasks; app.py's lifespan waits for them at shutdown.
background_tasks: set[asyncio.Task] = set()


async def set_status(order_id: int, status: str) -> None:
    async with aiosqlite.connect(db.DB_PATH) as con:
        await con.execute("UPDATE orders SET status = ? WHERE id = ?", (status, order_id))
        await con.commit()


# --- receipts ----------------------------------------------------------------------------------

async def schedule_receipt_bad(order_id: int) -> None:
    asyncio.create_task(clients.send_receipt_email(order_id))  # LW301: only a weak reference: the task can vanish mid-send


async def schedule_receipt(order_id: int) -> None:
    task = asyncio.create_task(clients.send_receipt_email(order_id))
    background_tasks.add(task)  # correct: the set keeps the task alive until it is done
    task.add_done_callback(background_tasks.discard)


async def resend_receipts_bad(order_ids: list[int]) -> None:
    await asyncio.gather(*(clients.send_receipt_email(o) for o in order_ids), return_exceptions=True)  # LW402: every failure is dropped


async def resend_receipts(order_ids: list[int]) -> list[int]:
    results = await asyncio.gather(*(clients.send_receipt_email(o) for o in order_ids), return_exceptions=True)
    failed = []
    for order_id, result in zip(order_ids, results):
        if isinstance(result, BaseException):  # correct: each failure is seen and logged
            log.error("receipt for order %s failed", order_id, exc_info=result)
            failed.append(order_id)
    return failed


async def receipt_worker_bad(queue: asyncio.Queue) -> None:
    while True:
        order_id = await queue.get()
        try:
            await clients.send_receipt_email(order_id)
        except asyncio.CancelledError:  # LW403: returns instead of re-raising, so shutdown thinks it finished
            log.info("receipt worker stopping")
            return
        except Exception:
            log.exception("receipt for order %s failed", order_id)
        finally:
            queue.task_done()


async def receipt_worker(queue: asyncio.Queue) -> None:
    while True:
        order_id = await queue.get()
        try:
            await clients.send_receipt_email(order_id)
        except asyncio.CancelledError:
            log.info("receipt worker stopping")
            raise  # correct: cancellation goes on up to the task
        except Exception:
            log.exception("receipt for order %s failed", order_id)
        finally:
            queue.task_done()


# --- shipping ----------------------------------------------------------------------------------

async def mark_shipped_bad(order_id: int) -> None:
    await set_status(order_id, "shipped")
    clients.notify_warehouse(order_id)  # LW302: builds a coroutine and drops it: the warehouse never hears


async def mark_shipped(order_id: int) -> None:
    await set_status(order_id, "shipped")
    await clients.notify_warehouse(order_id)  # correct: awaited, so it runs


def _nudge(queue: asyncio.Queue, order_id: int) -> None:
    queue.put_nowait(order_id)


async def remind_unpaid_bad(queue: asyncio.Queue, order_id: int, delay: float) -> None:
    loop = asyncio.get_event_loop()  # LW201: inside a coroutine, say get_running_loop
    loop.call_later(delay, _nudge, queue, order_id)


async def remind_unpaid(queue: asyncio.Queue, order_id: int, delay: float) -> None:
    loop = asyncio.get_running_loop()  # correct: the loop that runs this coroutine
    loop.call_later(delay, _nudge, queue, order_id)


# --- the nightly export runs on a worker thread ------------------------------------------------

def _export_bad(done: asyncio.Queue, path: str) -> None:
    count = db.export_orders_csv(path)
    done.put_nowait(count)


def _export(loop: asyncio.AbstractEventLoop, done: asyncio.Queue, path: str) -> None:
    count = db.export_orders_csv(path)
    loop.call_soon_threadsafe(done.put_nowait, count)


async def export_orders_bad(done: asyncio.Queue, path: str) -> None:
    await asyncio.to_thread(_export_bad, done, path)  # LW104: the worker thread touches an asyncio.Queue


async def export_orders(done: asyncio.Queue, path: str) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.to_thread(_export, loop, done, path)  # correct: the thread hands the result back with call_soon_threadsafe
