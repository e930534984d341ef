"""The `aiosqlite` API the demo uses, on the real sqlite3 (on the loop's thread: a stand-in)."""

import sqlite3


class _Cursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def fetchone(self):
        return self._cursor.fetchone()

    async def fetchall(self):
        return self._cursor.fetchall()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc) -> None:
        self._cursor.close()


class _Execution:
    def __init__(self, con: sqlite3.Connection, sql: str, parameters) -> None:
        self._cursor = _Cursor(con.execute(sql, parameters))

    def __await__(self):
        async def done():
            return self._cursor

        return done().__await__()

    async def __aenter__(self):
        return self._cursor

    async def __aexit__(self, *exc) -> None:
        pass


class Connection:
    def __init__(self, path: str) -> None:
        self._con = sqlite3.connect(path)

    def execute(self, sql: str, parameters=()):
        return _Execution(self._con, sql, parameters)

    async def commit(self) -> None:
        self._con.commit()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc) -> None:
        self._con.close()


def connect(path: str) -> Connection:
    return Connection(path)
