"""Imports the demo shop (from the directory given as the first argument) and runs the
coroutines that `check --fix --unsafe-fixes` rewrites, printing what they return.
`run_fixed.py` runs it on the demo as it is and on a fixed copy: the output must match.
The third-party modules are the stand-ins in `demo_stubs/`; the database is a fresh
`shop.db` in the current directory (the demo's `DB_PATH` is relative)."""

import asyncio
import os
import sqlite3
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [sys.argv[1], os.path.join(HERE, "demo_stubs")]

from shop import app, clients, services, tasks  # noqa: E402


def make_database() -> None:
    con = sqlite3.connect("shop.db")
    con.executescript(
        """
        CREATE TABLE flags (name TEXT PRIMARY KEY, enabled INTEGER);
        CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, display_name TEXT,
                            password_hash BLOB, is_admin INTEGER, credit_cents INTEGER);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total_cents INTEGER,
                             status TEXT);
        INSERT INTO flags VALUES ('beta', 1), ('dark', 0);
        INSERT INTO users VALUES (1, 'a@example.com', 'Ada', X'7770', 1, 500);
        INSERT INTO orders VALUES (10, 1, 1999, 'new');
        """
    )
    con.commit()
    con.close()


async def main() -> None:
    print(await app.get_flag_bad("beta"), await app.get_flag_bad("nope"))
    print(await app.get_profile_bad(1), await app.get_profile_bad(2))
    print(await app.login_bad(1, "pw"))
    print(await app.avatar_bad(1))
    print(await app.cancel_order_bad(10, 1))
    print(await clients.deliver_webhook_bad("http://hooks.example.com", {"type": "ping"}))
    await tasks.mark_shipped_bad(10)
    await tasks.schedule_receipt_bad(10)
    queue: asyncio.Queue = asyncio.Queue()
    await tasks.remind_unpaid_bad(queue, 10, 0)
    print("reminded", await asyncio.wait_for(queue.get(), 5))
    print(services.load_profile(1))
    con = sqlite3.connect("shop.db")
    print(con.execute("SELECT status FROM orders WHERE id = 10").fetchone())
    con.close()


if __name__ == "__main__":
    if os.path.exists("shop.db"):
        os.remove("shop.db")
    make_database()
    asyncio.run(main())
