"""The watcher observes and changes nothing: hooks are removed again, what the program's own
handlers and warnings see is what they saw without it; and its three entry points work."""

import asyncio
import asyncio.base_events
import json
import os
import pathlib
import subprocess
import sys
import time
import warnings

import pytest

from loopwarden.runtime import watch

HERE = pathlib.Path(__file__).resolve().parent
MODULES = HERE / "modules"
PYTHON_DIR = HERE.parent.parent / "python"


def hooked_attributes():
    loop = asyncio.base_events.BaseEventLoop
    names = ("run_forever", "run_until_complete", "call_exception_handler", "call_soon", "call_at",
             "create_task")
    state = {name: vars(loop).get(name) for name in names}
    state["asyncio.run"] = asyncio.run
    state["asyncio.gather"] = asyncio.gather
    state["warn_unawaited"] = warnings._warn_unawaited_coroutine
    state["time.sleep"] = time.sleep
    state["open"] = __builtins__["open"] if isinstance(__builtins__, dict) else __builtins__.open
    state["origin"] = sys.get_coroutine_origin_tracking_depth()
    return state


def test_stop_restores_every_hook():
    before = hooked_attributes()
    with watch(blocking_calls=True, thorough=True):
        assert hooked_attributes() != before
    assert hooked_attributes() == before


def test_only_one_watcher_at_a_time():
    with watch():
        with pytest.raises(RuntimeError):
            watch().start()


def test_the_programs_exception_handler_still_sees_everything():
    seen = []

    async def fail():
        raise ValueError("lost")

    async def main():
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: seen.append(context))
        task = asyncio.create_task(fail())
        await asyncio.sleep(0.01)
        del task
        import gc
        gc.collect()

    with watch(threshold_ms=None) as watcher:
        asyncio.run(main())
    assert [context["message"] for context in seen] == ["Task exception was never retrieved"]
    assert [line["kind"] for line in watcher.observations()] == ["exception-never-retrieved"]


def unawaited_warning():
    async def never():
        pass

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        never()
    return [(w.filename, w.lineno, w.category) for w in caught]


def test_the_never_awaited_warning_keeps_its_place():
    without = unawaited_warning()
    with watch(threshold_ms=None) as watcher:
        with_watcher = unawaited_warning()
    assert without == with_watcher and len(without) == 1
    assert [line["code"] for line in watcher.observations()] == ["LW302"]


def test_watch_inside_a_running_loop_sees_it_blocked():
    async def main():
        with watch() as watcher:
            await asyncio.sleep(0)
            time.sleep(0.2)
            await asyncio.sleep(0.01)
        return watcher.observations()

    lines = asyncio.run(main())
    assert [(line["kind"], line["code"]) for line in lines] == [("blocked", "LW101")]


def test_a_fast_loop_is_not_reported():
    async def main():
        for _ in range(200):
            await asyncio.sleep(0)

    # A threshold a busy test machine will not reach by descheduling the process.
    with watch(threshold_ms=500) as watcher:
        asyncio.run(main())
    assert watcher.observations() == []


def run(arguments, cwd, **extra_environment):
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(PYTHON_DIR), str(MODULES)]),
                       **extra_environment)
    return subprocess.run([sys.executable, *arguments], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_module_entry_point_passes_arguments_and_exit_code(tmp_path):
    report = tmp_path / "run.jsonl"
    finished = run(["-m", "loopwarden.runtime", "--report", str(report), "-m", "sample_app", "3"], tmp_path)
    assert finished.returncode == 3, finished.stderr
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    assert [(l["code"], pathlib.Path(l["file"]).name, l["row"]) for l in lines] == [("LW101", "__main__.py", 9)]


def test_pytest_plugin_writes_the_report_of_the_suite(tmp_path):
    report = tmp_path / "tests.jsonl"
    finished = run(["-m", "pytest", "-q", "-p", "loopwarden.runtime.pytest_plugin",
                    "--loopwarden-report", str(report), "--loopwarden-threshold-ms", "1000",
                    str(MODULES / "test_suite_sample.py")], tmp_path)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    assert [(l["code"], pathlib.Path(l["file"]).name, l["row"]) for l in lines] == [
        ("LW302", "test_suite_sample.py", 12)
    ]


def test_pytest_plugin_does_nothing_without_its_option(tmp_path):
    finished = run(["-m", "pytest", "-q", "-p", "loopwarden.runtime.pytest_plugin",
                    str(MODULES / "test_suite_sample.py")], tmp_path)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert list(tmp_path.iterdir()) == [] or all(p.name == ".pytest_cache" for p in tmp_path.iterdir())
