"""loopwarden's runtime companion: watches a running asyncio program and reports what it
sees in the codes of the static analysis, for `loopwarden check --runtime-report`.

    python -m loopwarden.runtime --report run.jsonl -m app ...   # or: script.py ...
    pytest -p loopwarden.runtime.pytest_plugin --loopwarden-report run.jsonl

    from loopwarden.runtime import watch
    with watch(report="run.jsonl"):
        asyncio.run(main())

It observes and changes nothing: every hook calls what it replaced, and is removed again.
No dependencies beyond the standard library. The report format is in docs/runtime.md.
"""

from ._report import VERSION as REPORT_VERSION
from ._watcher import DEFAULT_THRESHOLD_MS, Watcher, watch

__all__ = ["DEFAULT_THRESHOLD_MS", "REPORT_VERSION", "Watcher", "watch"]
