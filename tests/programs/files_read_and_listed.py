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


async def line_count(path: str) -> int:
    handle = open(path, encoding="utf-8")
    lines = handle.readlines()
    handle.close()
    return len(lines)


async def settings(path: str) -> dict:
    print("settings from", os.path.basename(path))
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


class Journal:
    """A file the coroutine opens, writes and closes: it moves whole, with `self`."""

    def __init__(self) -> None:
        self.path = os.path.join(ROOT, "journal.txt")
        self.entries = ["started", "stopped"]

    async def write(self) -> int:
        with open(self.path, "w", encoding="utf-8") as out:
            for entry in self.entries:
                out.write(entry + "\n")
            written = len(self.entries)
        return written


async def main() -> None:
    a = await write_config("a.json", {"x": 1})
    b = await write_config("b.json", {"y": [1, 2]})
    print(await read_config(a), await load_config(b))
    print(await listing())
    print(await listing_paths())
    print(await total_size())
    print(await exists("a.json"), await exists("c.json"))
    print(await text_of("b.json"))
    print(await line_count(a), await settings(b))
    journal = Journal()
    print(await journal.write(), await line_count(journal.path))
    # Work inside lambdas and generator expressions stays where it is.
    sizes = sorted(map(lambda n: os.path.getsize(os.path.join(ROOT, n)), ["a.json", "b.json"]))
    print(sizes, sum(os.path.getsize(os.path.join(ROOT, n)) for n in ["a.json"]))


if __name__ == "__main__":
    asyncio.run(main())
