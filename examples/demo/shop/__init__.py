"""A small FastAPI shop: users, orders, outbound webhooks and LLM audit logging.

This package is loopwarden's demo. Every bug loopwarden looks for appears here once,
marked with a trailing `# LWxxx: why` comment on the line that is reported, next to the
correct version of the same code (marked `# correct: why`), which is not reported.

    cargo run -- check examples/demo

`tests/demo.rs` keeps the markers and the findings in step. The target is Python 3.11
(`requires-python` in `pyproject.toml`), so the good versions use `asyncio.timeout` and
`asyncio.TaskGroup`.
"""
