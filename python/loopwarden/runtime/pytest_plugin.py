"""The pytest plugin: `pytest -p loopwarden.runtime.pytest_plugin --loopwarden-report FILE`.

Without `--loopwarden-report` it does nothing, so it is safe to load from an entry point.
The whole session runs under one watcher; the report is written when pytest finishes.
"""

from ._watcher import DEFAULT_THRESHOLD_MS, Watcher

_WATCHERS = {}


def pytest_addoption(parser):
    group = parser.getgroup("loopwarden", "loopwarden runtime companion")
    group.addoption("--loopwarden-report", metavar="FILE", default=None,
                    help="watch the event loops of the tests and write loopwarden's runtime report here")
    group.addoption("--loopwarden-threshold-ms", type=float, default=DEFAULT_THRESHOLD_MS, metavar="N",
                    help="a loop iteration longer than this is reported as blocked (default: 100)")
    group.addoption("--loopwarden-blocking-calls", action="store_true", default=False,
                    help="also report catalogued blocking calls on a loop thread, however fast")

    group.addoption("--loopwarden-thorough", action="store_true", default=False,
                    help="also check every call_soon (LW104) and every gather (LW401, LW402)")


def pytest_configure(config):
    report = config.getoption("loopwarden_report")
    if not report:
        return
    watcher = Watcher(report=report, threshold_ms=config.getoption("loopwarden_threshold_ms"),
                      blocking_calls=config.getoption("loopwarden_blocking_calls"),
                      thorough=config.getoption("loopwarden_thorough"))
    watcher.start()
    _WATCHERS[id(config)] = watcher


def pytest_unconfigure(config):
    watcher = _WATCHERS.pop(id(config), None)
    if watcher is not None:
        watcher.stop(collect=True)
