"""Files read, written and listed from coroutines: chained calls (`open(p).read()`) and
lazy directory listings, which a fix must move whole."""

import asyncio
import json
import os
import pathlib
import tempfile

ROOT = tempfile.mkdtemp()


async def write_config(name: str, data: dict) -> str:
    path = os.path.join(ROOT, name)
    with open(path, "w", encoding="utf-8") as out:
        json.dump(data, out)
    return path


async def read_config(path: str) -> dict:
    return json.loads(open(path, encoding="utf-8").read())


async def load_config(path: str) -> dict:
    return json.load(open(path, encoding="utf-8"))


async def listing() -> list:
    return sorted(entry.name for entry in list(os.scandir(ROOT)))


async def listing_paths() -> list:
    return [p.name for p in sorted(pathlib.Path(ROOT).iterdir())]


async def total_size() -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(ROOT):
        for name in files:
            total += os.path.getsize(os.path.join(dirpath, name))
    return total


async def exists(name: str) -> bool:
    return os.path.exists(os.path.join(ROOT, name)) and pathlib.Path(ROOT, name).is_file()


async def text_of(name: str) -> str:
    return pathlib.Path(ROOT, name).read_text(encoding="utf-8")


async def main() -> None:
    a = await write_config("a.json", {"x": 1})
    b = await write_config("b.json", {"y": [1, 2]})
    print(await read_config(a), await load_config(b))
    print(await listing())
    print(await listing_paths())
    print(await total_size())
    print(await exists("a.json"), await exists("c.json"))
    print(await text_of("b.json"))
    # Work inside lambdas and generator expressions stays where it is.
    sizes = sorted(map(lambda n: os.path.getsize(os.path.join(ROOT, n)), ["a.json", "b.json"]))
    print(sizes, sum(os.path.getsize(os.path.join(ROOT, n)) for n in ["a.json"]))


if __name__ == "__main__":
    asyncio.run(main())
