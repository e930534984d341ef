"""Runs the demo shop's coroutines under loopwarden's runtime companion, and writes the
report that `loopwarden check --runtime-report` joins with the static findings:

    python examples/demo/run_under_watchdog.py demo-runtime.jsonl
    loopwarden check examples/demo --runtime-report demo-runtime.jsonl

Every legacy (bad) handler runs once, then its correct twin; the report names the bad ones
only. Nothing here touches the network: the third-party packages the shop imports (FastAPI,
aiosqlite, bcrypt, requests, httpx, LiteLLM) are replaced by small stubs below, which behave
like the real ones where it matters (requests blocks, bcrypt burns CPU, httpx awaits). The
stubs are compiled under `<stub ...>` file names, so the companion treats them as library
code, as it would the real packages. The database is a temporary SQLite file.
"""

import asyncio
import gc
import logging
import pathlib
import sqlite3
import sys
import tempfile
import types
import warnings

HERE = pathlib.Path(__file__).resolve().parent
UNLUCKY_ORDER = 13  # the payment provider and the mail service fail for this order
LUCKY_ORDER = 7

STUBS = {
    "fastapi": '''
class HTTPException(Exception):
    def __init__(self, status_code, detail=None):
        super().__init__(status_code)
        self.status_code = status_code

class _Routes:
    def __init__(self, *args, **kwargs):
        self.state = type("State", (), {})()
    def _route(self, *args, **kwargs):
        return lambda handler: handler
    get = post = put = delete = on_event = _route
    def include_router(self, router):
        pass

class FastAPI(_Routes):
    pass

class APIRouter(_Routes):
    pass

class Request:
    pass
''',
    "aiosqlite": '''
import sqlite3

class _Cursor:
    def __init__(self, cursor):
        self._cursor = cursor
    async def fetchone(self):
        return self._cursor.fetchone()
    async def __aenter__(self):
        return self
    async def __aexit__(self, *exc_info):
        pass

class _Execution:
    def __init__(self, con, sql, params):
        self._con, self._sql, self._params = con, sql, params
    async def _run(self):
        return _Cursor(self._con.execute(self._sql, self._params))
    def __await__(self):
        return self._run().__await__()
    async def __aenter__(self):
        return await self._run()
    async def __aexit__(self, *exc_info):
        pass

class Connection:
    def __init__(self, path):
        self._path = path
    async def __aenter__(self):
        self._con = sqlite3.connect(self._path)
        return self
    async def __aexit__(self, *exc_info):
        self._con.close()
    def execute(self, sql, params=()):
        return _Execution(self._con, sql, params)
    async def commit(self):
        self._con.commit()

def connect(path):
    return Connection(path)
''',
    "bcrypt": '''
import hashlib

def checkpw(password, hashed):
    # About as long as a real bcrypt check at cost 12, and on the calling thread.
    return hashlib.pbkdf2_hmac("sha256", password, b"salt", 600_000) is not None
''',
    "requests": '''
import time

class Response:
    status_code = 204

def post(url, json=None, timeout=None):
    time.sleep(0.15)  # a slow customer endpoint
    return Response()
''',
    "httpx": f'''
import asyncio

class HTTPError(Exception):
    pass

class Response:
    status_code = 200
    def raise_for_status(self):
        pass
    def json(self):
        return {{"rate": 1.1}}

class AsyncClient:
    def __init__(self, timeout=None):
        pass
    async def __aenter__(self):
        return self
    async def __aexit__(self, *exc_info):
        pass
    async def get(self, url, params=None):
        await asyncio.sleep(0.001)
        return Response()
    async def post(self, url, json=None):
        # The warehouse answers slowly; everything fails for the unlucky order.
        await asyncio.sleep(0.05 if url.endswith("/reservations") else 0.005)
        if (json or {{}}).get("order") == {UNLUCKY_ORDER}:
            raise HTTPError(url + ": declined")
        return Response()
''',
    "litellm": "",
    "litellm.integrations": "",
    "litellm.integrations.custom_logger": '''
class CustomLogger:
    pass
''',
}


def install_stubs():
    for name, source in STUBS.items():
        module = types.ModuleType(name)
        module.__path__ = []
        exec(compile(source, f"<stub {name}>", "exec"), module.__dict__)
        sys.modules[name] = module
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, module)


def create_database(path):
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE flags (name TEXT, enabled INTEGER);
        CREATE TABLE users (id INTEGER, email TEXT, display_name TEXT, is_admin INTEGER,
                            password_hash BLOB, credit_cents INTEGER);
        CREATE TABLE orders (id INTEGER, user_id INTEGER, total_cents INTEGER, status TEXT);
        CREATE TABLE llm_audit (model TEXT, tokens INTEGER, ok INTEGER);
        INSERT INTO flags VALUES ('beta', 1);
        INSERT INTO users VALUES (1, 'ada@example.com', 'Ada', 1, x'00', 500);
        INSERT INTO orders VALUES (7, 1, 1200, 'new'), (13, 1, 900, 'new');
        """
    )
    con.commit()
    con.close()


async def expect_failure(awaitable, *errors):
    try:
        await awaitable
    except errors:
        pass


async def exercise(app, clients, hooks, services, tasks, workdir):
    """Each legacy handler, then its correct twin."""
    await app.get_flag_bad("beta")
    await app.get_flag("beta")
    await app.get_profile_bad(1)
    await app.get_profile(1)
    await app.login_bad(1, "secret")
    await app.login(1, "secret")
    await app.avatar_bad(1)
    await app.avatar(1)
    await expect_failure(app.order_price_bad(LUCKY_ORDER, 1200, "EUR"), RuntimeError)
    await app.order_price(LUCKY_ORDER, 1200, "EUR")
    await app.cancel_order_bad(LUCKY_ORDER, 1)
    await app.cancel_order(LUCKY_ORDER, 1)
    await app.test_webhook_bad("https://customer.example.com/hook")
    await app.test_webhook("https://customer.example.com/hook")

    await services.checkout_bad(UNLUCKY_ORDER, "tok", ["sku-1"])
    await asyncio.sleep(0.1)  # the stock reservation the failed gather left running
    await services.checkout(LUCKY_ORDER, "tok", ["sku-1"])

    await tasks.schedule_receipt_bad(UNLUCKY_ORDER)
    await tasks.schedule_receipt(LUCKY_ORDER)
    await asyncio.sleep(0.05)  # the dropped receipt task fails, and nobody looks
    await tasks.resend_receipts_bad([UNLUCKY_ORDER, LUCKY_ORDER])
    await tasks.mark_shipped_bad(LUCKY_ORDER)
    await tasks.mark_shipped(LUCKY_ORDER)

    done = asyncio.Queue()
    for export in (tasks.export_orders_bad, tasks.export_orders):
        waiting = asyncio.create_task(done.get())
        await asyncio.sleep(0)
        await export(done, str(workdir / "orders.csv"))
        await asyncio.wait_for(waiting, 5)

    logger_bad, logger = hooks.AuditLoggerBad(), hooks.AuditLogger()
    try:
        logger_bad.log_success_event({"model": "m"}, None, 0, 1)
    except RuntimeError:
        pass
    await logger.async_log_success_event({"model": "m"}, None, 0, 1)
    logger.log_failure_event({"model": "m"}, None, 0, 1)
    # correct: wait for the kept background work, and look at each failure
    left = [*hooks.pending_audits, *tasks.background_tasks]
    for outcome in await asyncio.gather(*left, return_exceptions=True):
        if isinstance(outcome, BaseException):
            logging.getLogger(__name__).info("background work failed: %r", outcome)
    gc.collect()


def main():
    report = sys.argv[1] if len(sys.argv) > 1 else "demo-runtime.jsonl"
    try:
        from loopwarden.runtime import watch
    except ImportError:  # run from a checkout, without the package installed
        sys.path.insert(0, str(HERE.parent.parent / "python"))
        from loopwarden.runtime import watch
    install_stubs()
    sys.path.insert(0, str(HERE))
    from shop import app, clients, db, hooks, services, tasks

    # The bad handlers make asyncio log and warn; the report is where they are wanted (the
    # companion sees a "never awaited" coroutine before the warning filters do).
    logging.basicConfig(level=logging.CRITICAL)
    warnings.filterwarnings("ignore", message="coroutine .* was never awaited", category=RuntimeWarning)
    with tempfile.TemporaryDirectory() as workdir:
        workdir = pathlib.Path(workdir)
        db.DB_PATH = str(workdir / "shop.db")
        create_database(db.DB_PATH)
        # Catalogued blocking calls count even when fast (the demo's database is tiny), and
        # every call_soon is checked for the thread it comes from (the export's queue).
        with watch(report=report, blocking_calls=True, thorough=True) as watcher:
            asyncio.run(exercise(app, clients, hooks, services, tasks, workdir))
            gc.collect()
    print(f"{len(watcher.observations())} observations written to {report}")


if __name__ == "__main__":
    main()
