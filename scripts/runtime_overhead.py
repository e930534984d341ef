"""What the runtime companion costs: a synthetic asyncio workload, timed with and without it.

    python scripts/runtime_overhead.py [--runs 9] [--tasks 100] [--steps 1000]

The workload: `--tasks` tasks, each doing `--steps` rounds of a little CPU work (serialising a
small dict), a yield to the loop, a call of a small coroutine, and, every tenth round, a
queue hand-off and a two-way gather; the kind of mix an async service's request handlers
have, with no I/O so that the loop itself is what is measured. Each run is a fresh Python
process; runs alternate between the plain workload and the same under
`loopwarden.runtime.watch()` in its default configuration, and the medians are compared.
Prints the median wall time of each with the throughput (task rounds per second), the
median CPU time of the process (steadier than wall time on a busy machine), and the
overheads in percent.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time

PYTHON_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python")


async def small(value):
    return value + 1


async def worker(index, steps, queue):
    total = 0
    for step in range(steps):
        payload = json.dumps({"task": index, "step": step, "items": [step, step + 1, step + 2]})
        total += len(payload)
        await asyncio.sleep(0)
        total = await small(total)
        if step % 10 == 0:
            await queue.put(step)
            await queue.get()
            first, second = await asyncio.gather(small(step), small(total))
            total += first - second
    return total


async def workload(tasks, steps):
    queue = asyncio.Queue()
    await asyncio.gather(*(worker(index, steps, queue) for index in range(tasks)))


def child(mode, tasks, steps):
    if mode == "watched":
        sys.path.insert(0, PYTHON_DIR)
        from loopwarden.runtime import watch

        watcher = watch().start()
    started, started_cpu = time.perf_counter(), time.process_time()
    asyncio.run(workload(tasks, steps))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    if mode == "watched":
        watcher.stop()
        # A loaded machine can stretch a loop iteration past the threshold: say so.
        for line in watcher.observations():
            print(f"observed: {line['kind']} {line['code']} at row {line['row']}", file=sys.stderr)
    print(elapsed, cpu)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--child", choices=["plain", "watched"], help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child, options.tasks, options.steps)
        return
    times = {"plain": [], "watched": []}
    cpu_times = {"plain": [], "watched": []}
    for _ in range(options.runs):
        for mode in ("plain", "watched"):
            finished = subprocess.run(
                [sys.executable, __file__, "--child", mode, "--tasks", str(options.tasks),
                 "--steps", str(options.steps)],
                check=True, capture_output=True, text=True,
            )
            wall, cpu = finished.stdout.split()
            times[mode].append(float(wall))
            cpu_times[mode].append(float(cpu))
    rounds = options.tasks * options.steps
    medians = {mode: statistics.median(values) for mode, values in times.items()}
    cpu_medians = {mode: statistics.median(values) for mode, values in cpu_times.items()}
    for mode in ("plain", "watched"):
        print(f"{mode:8} wall median {medians[mode] * 1000:7.1f} ms ({rounds / medians[mode]:8.0f} rounds/s)"
              f"  CPU median {cpu_medians[mode] * 1000:7.1f} ms")
    wall = (medians["watched"] / medians["plain"] - 1.0) * 100.0
    cpu = (cpu_medians["watched"] / cpu_medians["plain"] - 1.0) * 100.0
    print(f"overhead: wall time {wall:+.1f}%, CPU time {cpu:+.1f}% "
          f"(Python {sys.version.split()[0]}, {options.runs} runs each)")


if __name__ == "__main__":
    main()
