"""Inbound payment-provider webhooks, deployed as their own small ASGI app
(`uvicorn shop.webhooks:app`), so that provider retries never queue behind shop traffic."""

import asyncio

from fastapi import FastAPI, Request

from . import tasks

handler_tasks: set[asyncio.Task] = set()  # LW304: nothing waits for these at shutdown: a deploy cuts them off mid-write

app = FastAPI(title="shop payment webhooks")


@app.post("/payments")
async def payment_event(request: Request) -> dict:
    event = await request.json()
    # Acknowledge at once (the provider retries after 5 s) and record the new status behind.
    task = asyncio.create_task(tasks.set_status(event["order_id"], event["status"]))
    handler_tasks.add(task)
    task.add_done_callback(handler_tasks.discard)
    return {"received": True}
