"""sqlite3 used from coroutines: a connection belongs to the thread that made it, so a fix
must move each whole use of it to one worker thread."""

import asyncio
import os
import sqlite3
import tempfile

DB = os.path.join(tempfile.mkdtemp(), "shop.db")


def setup() -> None:
    con = sqlite3.connect(DB)
    con.executescript(
        "CREATE TABLE flags (name TEXT PRIMARY KEY, enabled INTEGER);"
        "INSERT INTO flags VALUES ('beta', 1), ('dark', 0);"
    )
    con.commit()
    con.close()


async def get_flag(name: str) -> dict:
    con = sqlite3.connect(DB)
    try:
        row = con.execute("SELECT enabled FROM flags WHERE name = ?", (name,)).fetchone()
    finally:
        con.close()
    return {"name": name, "enabled": bool(row and row[0])}


async def count_flags() -> int:
    con = sqlite3.connect(DB)
    cur = con.cursor()
    cur.execute("SELECT COUNT(*) FROM flags")
    (count,) = cur.fetchone()
    cur.close()
    con.close()
    return count


async def set_flag(name: str, enabled: bool) -> None:
    with sqlite3.connect(DB) as con:
        con.execute("UPDATE flags SET enabled = ? WHERE name = ?", (int(enabled), name))
    con.close()


async def names() -> list:
    rows = sqlite3.connect(DB).execute("SELECT name FROM flags ORDER BY name").fetchall()
    return [row[0] for row in rows]


class Store:
    def __init__(self, path: str) -> None:
        self.path = path

    async def enabled_names(self, prefix: str) -> list:
        found = []
        con = sqlite3.connect(self.path)
        for (name,) in con.execute("SELECT name FROM flags WHERE enabled = 1"):
            if name.startswith(prefix):
                found.append(name)
        con.close()
        return found


class Journal:
    """A connection kept on the instance: its helpers cannot move to a worker thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.conn = None

    def _connection(self) -> sqlite3.Connection:
        if self.conn is None:
            self.conn = sqlite3.connect(self.path)
            self.conn.execute("CREATE TABLE IF NOT EXISTS log (line TEXT)")
        return self.conn

    def write(self, line: str) -> None:
        self.conn.execute("INSERT INTO log VALUES (?)", (line,))
        self.conn.commit()

    def lines(self) -> int:
        (count,) = self.conn.execute("SELECT COUNT(*) FROM log").fetchone()
        return count


async def journal_two_lines() -> int:
    journal = Journal(DB)
    journal._connection()
    journal.write("one")
    journal.conn.execute("INSERT INTO log VALUES ('two')")
    return journal.lines()


async def main() -> None:
    setup()
    print(await get_flag("beta"), await get_flag("dark"), await get_flag("nope"))
    print(await count_flags())
    await set_flag("dark", True)
    print(await get_flag("dark"))
    print(await names())
    print(await Store(DB).enabled_names("b"))
    print(await journal_two_lines())


if __name__ == "__main__":
    asyncio.run(main())
