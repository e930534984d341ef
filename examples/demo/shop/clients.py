"""Outbound calls: the payment provider, the warehouse, exchange rates, customer webhooks."""

import asyncio
import json

import httpx
import requests

PAYMENTS_URL = "https://payments.example.com"
WAREHOUSE_URL = "https://warehouse.example.com"
RATES_URL = "https://rates.example.com"
STOCK_HOST, STOCK_PORT = "stock.internal", 7070


async def fetch_rate(currency: str) -> float:
    async with httpx.AsyncClient(timeout=5.0) as client:
        response = await client.get(f"{RATES_URL}/latest", params={"to": currency})
        response.raise_for_status()
        return float(response.json()["rate"])


async def charge_card(order_id: int, card_token: str) -> None:
    async with httpx.AsyncClient(timeout=10.0) as client:
        response = await client.post(f"{PAYMENTS_URL}/charges", json={"order": order_id, "card": card_token})
        response.raise_for_status()


async def reserve_stock(order_id: int, items: list[str]) -> None:
    async with httpx.AsyncClient(timeout=10.0) as client:
        response = await client.post(f"{WAREHOUSE_URL}/reservations", json={"order": order_id, "items": items})
        response.raise_for_status()


async def notify_warehouse(order_id: int) -> None:
    async with httpx.AsyncClient(timeout=10.0) as client:
        await client.post(f"{WAREHOUSE_URL}/shipments", json={"order": order_id})


# --- customer webhooks -------------------------------------------------------------------------

async def deliver_webhook_bad(url: str, event: dict) -> int:
    response = requests.post(url, json=event, timeout=10)  # LW101: a sync HTTP call stalls the whole loop
    return response.status_code


async def deliver_webhook(url: str, event: dict) -> int:
    # correct: httpx's async client yields to the loop while it waits
    async with httpx.AsyncClient(timeout=10.0) as client:
        response = await client.post(url, json=event)
        return response.status_code


# --- the stock service speaks a line protocol over TCP ----------------------------------------

async def stock_level_bad(sku: str) -> int:
    reader, writer = await asyncio.open_connection(STOCK_HOST, STOCK_PORT)  # LW501: a silent peer hangs this forever
    writer.write(json.dumps({"sku": sku}).encode() + b"\n")
    await writer.drain()
    line = await reader.readline()  # LW501: no deadline on the read either
    writer.close()
    return int(json.loads(line)["level"])


async def stock_level(sku: str) -> int:
    async with asyncio.timeout(3):  # correct: one deadline bounds the connect, the write and the read
        reader, writer = await asyncio.open_connection(STOCK_HOST, STOCK_PORT)
        writer.write(json.dumps({"sku": sku}).encode() + b"\n")
        await writer.drain()
        line = await reader.readline()
    writer.close()
    return int(json.loads(line)["level"])


async def send_receipt_email(order_id: int) -> None:
    async with httpx.AsyncClient(timeout=10.0) as client:
        response = await client.post(f"{PAYMENTS_URL}/receipts", json={"order": order_id})
        response.raise_for_status()
