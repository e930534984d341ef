"""Sync sqlite helpers.

Plain blocking functions: fine on a worker thread (`asyncio.to_thread`), wrong when a
coroutine calls them directly. The async code of the shop uses `aiosqlite` instead.
"""

import sqlite3

DB_PATH = "shop.db"


def fetch_user(user_id: int) -> tuple | None:
    con = sqlite3.connect(DB_PATH)
    try:
        return con.execute(
            "SELECT id, email, display_name FROM users WHERE id = ?", (user_id,)
        ).fetchone()
    finally:
        con.close()


def fetch_orders(user_id: int) -> list[tuple]:
    con = sqlite3.connect(DB_PATH)
    try:
        return con.execute(
            "SELECT id, total_cents, status FROM orders WHERE user_id = ?", (user_id,)
        ).fetchall()
    finally:
        con.close()


def export_orders_csv(path: str) -> int:
    con = sqlite3.connect(DB_PATH)
    try:
        rows = con.execute("SELECT id, user_id, total_cents, status FROM orders").fetchall()
    finally:
        con.close()
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(",".join(str(value) for value in row) + "\n")
    return len(rows)
