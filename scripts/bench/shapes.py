#!/usr/bin/env python3
"""Write Python files made of one shape repeated, to find rules whose cost is not linear.

    python3 scripts/bench/shapes.py DIR [COUNT...]        # default counts: 5000 20000
    python3 scripts/bench/shapes.py --time BIN DIR        # and time BIN on each file

Each shape is a few lines of code that one rule looks at (an async generator with a `yield`
inside `async with`, a lazily initialised module global, ...), repeated COUNT times in one
file, DIR/SHAPE-COUNT/m.py, or one line repeated COUNT times inside one suite (a `try`
body, an `if` body). A rule that does the same work for every repetition takes four
times as long on 20,000 as on 5,000; one that walks the whole module for every repetition
takes sixteen times as long. With --time, each file is checked with `BIN check FILE
--exit-zero` and the user CPU time printed, with the ratio between the two counts (about 4
is linear); docs/performance.md quotes such a run.
"""

import os
import resource
import subprocess
import sys

SHAPES = {
    "dangling-task": '''
async def start_{i}(x):
    asyncio.create_task(work_{i}(x))
async def work_{i}(x):
    await asyncio.sleep(x)
''',
    "async-generator": '''
async def gen_{i}(path):
    async with open_thing(path) as handle:
        for line in handle:
            yield line
        yield None
async def use_{i}():
    async for x in gen_{i}("p"):
        print(x)
''',
    "get-event-loop": '''
async def loop_{i}():
    loop = asyncio.get_event_loop()
    return loop.time()
''',
    "async-only-class": '''
class Res{i}:
    async def __aenter__(self):
        return self
    async def __aexit__(self, *a):
        return None
def use_{i}():
    with Res{i}() as r:
        return r
''',
    "cancelled-swallowed": '''
async def swallow_{i}(x):
    try:
        await asyncio.sleep(x)
    except asyncio.CancelledError:
        pass
''',
    "lazy-attribute": '''
class Client{i}:
    async def get(self):
        if self.conn is None:
            self.conn = await connect_{i}()
        return self.conn
async def connect_{i}():
    await asyncio.sleep(0)
''',
    "lazy-global": '''
_cache_{i} = {{}}
async def get_{i}(key, client):
    if key in _cache_{i}:
        return _cache_{i}[key]
    value = await client.get(key)
    _cache_{i}[key] = value
    return value
''',
    "check-then-act": '''
class Store{i}:
    async def update(self, key):
        if key not in self.items:
            value = await self.fetch(key)
            self.items[key] = value
        return self.items[key]
''',
    "transitive-blocking": '''
def helper_{i}(p):
    return open(p).read()
async def handler_{i}(p):
    return helper_{i}(p)
''',
    "inherited-blocking": '''
class Service{i}(Base):
    def load(self):
        return open("p").read()
    async def run(self):
        return self.load()
    async def go(self):
        await self.run()
''',
    "unawaited": '''
async def co_{i}():
    await asyncio.sleep(0)
async def caller_{i}():
    co_{i}()
    if co_{i}():
        pass
''',
    "gather": '''
async def save_{i}(db):
    await db.insert_one({i})
async def g_{i}(db):
    try:
        await asyncio.gather(save_{i}(db), save_{i}(db))
    except Exception:
        return None
''',
    "executor": '''
def work_{i}(loop):
    asyncio.create_task(noop_{i}())
    loop.call_soon(print)
async def noop_{i}():
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, work_{i}, loop)
''',
    "run-in-running-loop": '''
def sync_{i}():
    return asyncio.run(co_{i}())
async def co_{i}():
    return sync_{i}()
''',
    "kept-task": '''
async def spawn_{i}(items):
    task = asyncio.create_task(handle_{i}(items))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
async def handle_{i}(items):
    await asyncio.sleep(0)
''',
    "timeout": '''
async def to_{i}(client):
    async with asyncio.timeout(1):
        print("no await")
    async with asyncio.timeout(1):
        return await client.get("u")
''',
    "module-level-calls": '''
def make_{i}():
    return asyncio.get_event_loop()
VALUE_{i} = make_{i}()
''',
    "run-at-import": '''
async def main_{i}():
    return {i}
RESULT_{i} = asyncio.run(main_{i}())
''',
    "polling": '''
async def poll_{i}(state):
    while not state.done:
        await asyncio.sleep(0.1)
async def spin_{i}(queue):
    while True:
        if queue:
            print(queue.pop())
''',
    # One long suite rather than repetitions side by side: (what opens it, the line
    # repeated inside it, what closes it). Each call in it asks which statements around it
    # hold it.
    "try-body": (
        "def helper(x):\n    return x\nasync def main():\n    try:\n",
        "        helper({i})\n",
        "    except OSError:\n        pass\n",
    ),
    "with-lock": (
        "import threading\nimport time\nlock = threading.Lock()\nasync def main():\n    with lock:\n",
        "        time.sleep({i})\n",
        "",
    ),
    "if-body": (
        "def helper(x):\n    return x\nasync def main(flag):\n    if flag is None:\n",
        "        helper({i})\n",
        "    return flag\n",
    ),
}

HEADER = "import asyncio\n\n_tasks = set()\n\n\nclass Base:\n    pass\n"


def write(directory, counts):
    paths = {}
    for shape, template in SHAPES.items():
        for count in counts:
            folder = os.path.join(directory, f"{shape}-{count}")
            os.makedirs(folder, exist_ok=True)
            path = os.path.join(folder, "m.py")
            head, line, tail = template if isinstance(template, tuple) else ("", template, "")
            with open(path, "w") as handle:
                handle.write(HEADER)
                handle.write(head)
                for i in range(count):
                    handle.write(line.format(i=i))
                handle.write(tail)
            paths[(shape, count)] = path
    return paths


def user_time(binary, path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    subprocess.run([binary, "check", path, "--exit-zero"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.strip())
        return
    binary = None
    if args[0] == "--time":
        if len(args) < 3:
            sys.exit("shapes: --time needs BIN and DIR")
        binary, args = args[1], args[2:]
    directory, counts = args[0], [int(count) for count in args[1:]] or [5000, 20000]
    paths = write(directory, counts)
    if binary is None:
        print(f"wrote {len(paths)} files under {directory}")
        return
    print("| shape | " + " | ".join(f"{count:,}" for count in counts) + " | ratio |")
    print("| --- | " + " | ".join("---:" for _ in counts) + " | ---: |")
    for shape in SHAPES:
        times = [user_time(binary, paths[(shape, count)]) for count in counts]
        ratio = f"{times[-1] / times[0]:.1f}" if times[0] > 0 else "–"
        print(f"| {shape} | " + " | ".join(f"{t:.2f} s" for t in times) + f" | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
