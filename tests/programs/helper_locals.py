"""Statements moved into a helper whose locals are bound on some paths only: a cached
value, a loop over nothing, an exception's name, a name bound in a branch. The helper
must take and return only what is bound wherever the coroutine comes from."""

import asyncio
import json
import os
import tempfile

ROOT = tempfile.mkdtemp()
CACHE: dict = {}


async def serve(name: str) -> bytes:
    path = os.path.join(ROOT, name)
    cached = CACHE.get(name)
    if cached is not None:
        body = cached
    else:
        with open(path, "rb") as handle:
            body = handle.read()
        CACHE[name] = body
    return body.upper()


async def journal(entries: list) -> int:
    log = os.path.join(ROOT, "journal.log")
    with open(log, "a", encoding="utf-8") as out:
        for entry in entries:
            out.write(json.dumps(entry) + "\n")
    return sum(len(json.dumps(entry)) for entry in entries)


async def fetch(kind: str, name: str, payload: str):
    if kind == "json":
        try:
            return json.loads(payload)
        except ValueError as error:
            return str(error)[:20]
    out = open(os.path.join(ROOT, name), "w", encoding="utf-8")
    try:
        out.write(payload)
    except OSError as error:
        print("failed", error)
        raise
    finally:
        out.close()
    return name


async def annotate(name: str, loud: bool) -> str:
    if loud:
        suffix = "!"
    with open(os.path.join(ROOT, name), encoding="utf-8") as handle:
        text = handle.read()
        if loud:
            text += suffix
    return text


async def main() -> None:
    with open(os.path.join(ROOT, "page.txt"), "w", encoding="utf-8") as out:
        out.write("hello")
    print(await serve("page.txt"), await serve("page.txt"))
    print(await journal([]), await journal([{"a": 1}]))
    print(await fetch("json", "x", "[1]"), await fetch("json", "x", "{"))
    print(await fetch("file", "f.txt", "data"))
    print(await annotate("f.txt", True), await annotate("f.txt", False))


if __name__ == "__main__":
    asyncio.run(main())
