"""Subprocesses started from coroutines."""

import asyncio
import os
import shlex
import subprocess
import sys


async def run_child(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return result.stdout.strip()


async def output_of(code: str) -> str:
    return subprocess.check_output([sys.executable, "-c", code], text=True).strip()


async def status(code: str) -> int:
    return subprocess.call([sys.executable, "-c", code])


def command(code: str) -> str:
    return f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}"


async def piped(code: str) -> str:
    # The pipe's `read()` waits for the command: it moves with the `popen`.
    return os.popen(command(code)).read().strip()


async def piped_lines(code: str) -> list:
    pipe = os.popen(command(code))
    lines = pipe.read().split()
    pipe.close()
    return lines


async def main() -> None:
    print(await run_child("print(6 * 7)"))
    print(await output_of("print('child')"))
    print(await status("raise SystemExit(3)"))
    print(await piped("print('through a pipe')"))
    print(await piped_lines("print('one two')"))


if __name__ == "__main__":
    asyncio.run(main())
