"""Subprocesses started from coroutines."""

import asyncio
import subprocess
import sys


async def run_child(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return result.stdout.strip()


async def output_of(code: str) -> str:
    return subprocess.check_output([sys.executable, "-c", code], text=True).strip()


async def status(code: str) -> int:
    return subprocess.call([sys.executable, "-c", code])


async def main() -> None:
    print(await run_child("print(6 * 7)"))
    print(await output_of("print('child')"))
    print(await status("raise SystemExit(3)"))


if __name__ == "__main__":
    asyncio.run(main())
