"""Run with `-m sample_app ARGS`: blocks the loop once, then exits with the code in ARGS."""

import asyncio
import sys
import time


async def main():
    time.sleep(0.2)  # expect: LW101


asyncio.run(main())
sys.exit(int(sys.argv[1]))
