"""Tasks started and dropped from coroutines: a fix keeps a strong reference to each."""

import asyncio

RESULTS: list = []


async def work(n: int) -> None:
    await asyncio.sleep(0.001 * n)
    RESULTS.append(n)


class Worker:
    def __init__(self) -> None:
        self.done: list = []
        # A set of names, not of tasks: the fix must not keep tasks in it.
        self.services = set()
        self.services.add("xmpp-client")

    async def job(self, n: int) -> None:
        await asyncio.sleep(0)
        self.done.append(n)

    async def start(self) -> None:
        asyncio.create_task(self.job(7))


class Scheduler:
    # A set named for tasks that holds the scheduler's jobs: the fix must not put tasks in
    # it, or `due()` would read a task's `.name` and `.due`.
    def __init__(self) -> None:
        self.tasks = set()

    async def load(self) -> None:
        await asyncio.sleep(0)
        self.tasks = {("backup", 0)}

    def due(self) -> list:
        return sorted(name for name, due in self.tasks if due <= 0)

    async def start(self) -> None:
        asyncio.ensure_future(self.load())


async def main() -> None:
    for n in (3, 1, 2):
        asyncio.create_task(work(n))
    asyncio.ensure_future(work(4))
    worker = Worker()
    await worker.start()
    # While the worker's task runs, its set of names still holds names only.
    print(sorted(worker.services))
    scheduler = Scheduler()
    await scheduler.start()
    # The jobs are read while the loading task may still run.
    print(scheduler.due())
    # Wait for every task still running, however long it takes (a fixed sleep failed on a
    # loaded machine), then report what they did.
    current = asyncio.current_task()
    await asyncio.gather(*(task for task in asyncio.all_tasks() if task is not current))
    print(sorted(RESULTS), worker.done)


if __name__ == "__main__":
    asyncio.run(main())
