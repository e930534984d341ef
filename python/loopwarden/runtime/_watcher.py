"""The watcher: observes a running program and records what it sees, changing nothing.

Every hook it installs wraps the original and calls it with the same arguments, and every
hook is removed by `stop()`, which restores exactly what was there before:

- `BaseEventLoop.run_forever` gives each running loop a probe: its selector's `select` is
  wrapped to time every loop iteration (the time between two waits for I/O is the time the
  loop could not respond). A watchdog thread, waking once per threshold, samples the stack
  of a loop thread that is busy (`sys._current_frames`), and a finished iteration longer
  than the threshold becomes a "blocked" observation at the line its samples blame.
- `warnings._warn_unawaited_coroutine` (how CPython reports a coroutine that was never
  awaited) records where the coroutine was created, from `cr_origin`; origin tracking is
  turned on for this (`sys.set_coroutine_origin_tracking_depth`).
- `BaseEventLoop.call_exception_handler` sees "Task was destroyed but it is pending!" and
  "Task exception was never retrieved".
- `call_at` and `create_task` of `BaseEventLoop` (and `call_soon`, with `thorough=True`)
  compare the calling thread with the loop's (as debug mode's `_check_thread` does, but only
  to record). `create_task` also remembers where project code created each task.
- `asyncio.run`, `run_until_complete` and `run_forever` record a call made while a loop is
  already running on the thread, just before the call raises its `RuntimeError`.
- `asyncio.gather` (with `thorough=True`) records a fail-fast gather that failed while its
  other awaitables ran on, and a `return_exceptions=True` gather that returned exceptions.
- Opt-in (`blocking_calls=True`): the blocking APIs of `_catalog.py`, each recorded when the
  thread running an event loop calls it from project code, however fast.
"""

import asyncio
import asyncio.base_events
import asyncio.events
import asyncio.runners
import asyncio.tasks
import collections
import functools
import gc
import importlib
import linecache
import sys
import threading
import warnings
from time import perf_counter

from . import _catalog, _frames, _report

_get_ident = threading.get_ident
_getframe = sys._getframe
_is_project_file = _frames.is_project_file
_ASYNCIO_TASKS = asyncio.tasks.__file__
_running_loop = asyncio.events._get_running_loop

# Only one watcher at a time: the hooks are process-wide.
_active = None
_active_lock = threading.Lock()

DEFAULT_THRESHOLD_MS = 100.0
# Coroutine origin tracking costs a stack walk with line numbers on every coroutine created
# (it tripled the run time of scripts/runtime_overhead.py at depth 8), so it is opt-in: the
# creation sites that matter are found more cheaply (see `_unawaited` and `_task_created`).
DEFAULT_ORIGIN_DEPTH = 0
# How many task creation sites are remembered, at most (the oldest half goes when full).
TASK_SITES = 65536


def _quietly(record, *args):
    """Calls `record(*args)`; an error in observing must never become the program's error."""
    try:
        record(*args)
    except Exception:
        pass


class _Probe:
    """One running loop: when its current iteration started, and the stacks sampled in it."""

    def __init__(self, loop, selector):
        self.loop = loop
        self.selector = selector
        self.thread_id = _get_ident()
        self.busy_since = perf_counter()
        self.iteration = 0
        self.finished = collections.deque()
        self.samples = {}


class Watcher:
    """Observes asyncio in this process between `start()` and `stop()`.

    `report`: a path to write the JSON-lines report to at `stop()` (None: keep it in memory,
    see `observations()`). `threshold_ms`: how long a loop iteration may take before it
    counts as blocked (None turns the blocked-loop check off). `blocking_calls`: also record
    the catalogued blocking calls made on a loop thread, however fast. `thorough`: also run
    the checks that sit on asyncio's hot paths: every `call_soon` for a call from another
    thread (LW104; it runs for every step of every task) and every `gather` (LW401, LW402;
    one more callback per gather); together they cost about as much as everything else.
    `origin_depth`: turn on coroutine origin tracking at this depth, for exact creation sites
    of coroutines dropped by the garbage collector (costly: a stack walk per coroutine).
    `library`: directories whose files count as library code, not the project's.
    """

    def __init__(self, report=None, threshold_ms=DEFAULT_THRESHOLD_MS, blocking_calls=False,
                 thorough=False, origin_depth=DEFAULT_ORIGIN_DEPTH, library=()):
        self.report = report
        self.threshold_ms = threshold_ms
        self.blocking_calls = blocking_calls
        self.thorough = thorough
        self.origin_depth = origin_depth
        self.library = tuple(library)
        self._observations = _report.Observations(threshold_ms)
        self._patches = []
        self._probes = {}
        self._retired = []
        self._probes_lock = threading.Lock()
        self._stop = threading.Event()
        self._watchdog = None
        self._previous_origin_depth = None
        # id(task) -> (the code of its coroutine, file, row and function where project code
        # created it). Checked against the coroutine's code when read: ids are reused.
        self._task_sites = {}
        # Coroutines handed to a call that raised because a loop was running, by id: their
        # "never awaited" warning is a consequence of that LW202, not a finding of its own.
        # (Not a WeakSet: a coroutine's weak references are cleared before it warns.)
        self._refused = {}

    # --- lifecycle -------------------------------------------------------------------------

    def start(self):
        global _active
        with _active_lock:
            if _active is not None:
                raise RuntimeError("a loopwarden runtime watcher is already running")
            _active = self
        if self.library:
            _frames.extra_library_paths(self.library)
        self._install()
        self._previous_origin_depth = sys.get_coroutine_origin_tracking_depth()
        if self.origin_depth > self._previous_origin_depth:
            sys.set_coroutine_origin_tracking_depth(self.origin_depth)
        if self.threshold_ms is not None:
            running = _running_loop()
            if running is not None:
                self._attach(running)
            self._watchdog = threading.Thread(
                target=self._watch, name="loopwarden-watchdog", daemon=True
            )
            self._watchdog.start()
        return self

    def stop(self, collect=False):
        """Removes every hook and writes the report. `collect`: first run the garbage
        collector, so that tasks and coroutines already unreachable are reported (for the end
        of a program or a test session, where it changes nothing that matters)."""
        global _active
        if _active is not self:
            return
        if collect:
            gc.collect()
        running = _running_loop()
        if running is not None:
            self._detach(running)
        self._stop.set()
        if self._watchdog is not None:
            self._watchdog.join()
        for probe in self._retired + list(self._probes.values()):
            self._drain(probe)
        sys.set_coroutine_origin_tracking_depth(self._previous_origin_depth)
        for owner, name, original, had_own in reversed(self._patches):
            if had_own:
                setattr(owner, name, original)
            else:
                delattr(owner, name)
        self._patches.clear()
        with _active_lock:
            _active = None
        if self.report is not None:
            self._observations.write(self.report)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
        return False

    def observations(self):
        """The report's lines so far, as dicts."""
        return self._observations.lines()

    # --- hooks -----------------------------------------------------------------------------

    def _patch(self, owner, name, make):
        original = getattr(owner, name)
        had_own = name in vars(owner)
        setattr(owner, name, make(original))
        self._patches.append((owner, name, original, had_own))

    def _install(self):
        loop_class = asyncio.base_events.BaseEventLoop
        self._patch(loop_class, "run_forever", self._wrap_run_forever)
        self._patch(loop_class, "run_until_complete", self._wrap_run_until_complete)
        self._patch(loop_class, "call_exception_handler", self._wrap_exception_handler)
        if self.thorough:
            self._patch(loop_class, "call_soon", self._wrap_call_soon)
        self._patch(loop_class, "call_at", self._wrap_call_at)
        self._patch(loop_class, "create_task", self._wrap_create_task)
        run = self._wrap_run(asyncio.runners.run)
        for module in (asyncio, asyncio.runners):
            self._patch(module, "run", lambda original: run)
        if self.thorough:
            gather = self._wrap_gather(asyncio.tasks.gather)
            for module in (asyncio, asyncio.tasks):
                self._patch(module, "gather", lambda original: gather)
        if hasattr(warnings, "_warn_unawaited_coroutine"):
            self._patch(warnings, "_warn_unawaited_coroutine", self._wrap_unawaited)
        if self.blocking_calls:
            for module_name, path, code in _catalog.BLOCKING_CALLS:
                try:
                    owner = importlib.import_module(module_name)
                    *parents, name = path.split(".")
                    for parent in parents:
                        owner = getattr(owner, parent)
                    getattr(owner, name)
                except (ImportError, AttributeError):
                    continue
                self._patch(owner, name, functools.partial(
                    self._wrap_blocking, code=code, socket_method=path.startswith("socket.")))

    def _wrap_run_forever(self, original):
        watcher = self

        @functools.wraps(original)
        def run_forever(self):
            if self.is_running() or _running_loop() is not None:
                _quietly(watcher._caller_event, "loop-already-running", "LW202", self)
                return original(self)
            probe = watcher._attach(self)
            try:
                return original(self)
            finally:
                if probe is not None:
                    watcher._detach(self)
        return run_forever

    def _wrap_run_until_complete(self, original):
        watcher = self

        @functools.wraps(original)
        def run_until_complete(self, future):
            if self.is_running() or _running_loop() is not None:
                _quietly(watcher._caller_event, "loop-already-running", "LW202", future)
            return original(self, future)
        return run_until_complete

    def _wrap_run(self, original):
        watcher = self

        @functools.wraps(original)
        def run(main, *args, **kwargs):
            if _running_loop() is not None:
                _quietly(watcher._caller_event, "loop-already-running", "LW202", main)
            return original(main, *args, **kwargs)
        return run

    def _caller_event(self, kind, code, refused=None):
        refused_code = getattr(refused, "cr_code", None)
        if refused_code is not None:
            self._refused[id(refused)] = refused_code
        # Three frames up (past `_quietly` and the hook): the hook's caller.
        self._event(kind, code, _frames.from_frame(sys._getframe(3)))

    def _wrap_exception_handler(self, original):
        watcher = self

        @functools.wraps(original)
        def call_exception_handler(self, context):
            try:
                watcher._loop_exception(context)
            except Exception:  # observing must never break the program's error handling
                pass
            return original(self, context)
        return call_exception_handler

    def _wrap_call_soon(self, original):
        watcher = self

        @functools.wraps(original)
        def call_soon(self, callback, *args, context=None):
            owner = self._thread_id
            if owner is not None and owner != _get_ident():
                _quietly(watcher._wrong_thread)
            return original(self, callback, *args, context=context)
        return call_soon

    def _wrap_call_at(self, original):
        watcher = self

        @functools.wraps(original)
        def call_at(self, when, callback, *args, **kwargs):
            owner = self._thread_id
            if owner is not None and owner != _get_ident():
                _quietly(watcher._wrong_thread)
            return original(self, when, callback, *args, **kwargs)
        return call_at

    def _wrap_create_task(self, original):
        watcher = self

        @functools.wraps(original)
        def create_task(self, coro, **kwargs):
            owner = self._thread_id
            if owner is not None and owner != _get_ident():
                _quietly(watcher._wrong_thread)
            task = original(self, coro, **kwargs)
            # Where project code created the task (kept cheap: this runs for every task).
            frame = _getframe(1)
            if frame.f_code.co_filename == _ASYNCIO_TASKS:
                frame = frame.f_back
            if frame is not None and _is_project_file(frame.f_code.co_filename):
                _quietly(watcher._task_created, task, coro, frame)
            return task
        return create_task

    def _wrap_unawaited(self, original):
        watcher = self

        # CPython calls this hook from C, and it warns with `stacklevel=2`: the warning names
        # the Python frame that was running when the coroutine was dropped. A wrapper function
        # would put its own frame there. A class does not: calling it runs `__new__` (our
        # frame, finished before the next call) and then, from C, `__init__`, which is the
        # original hook itself, so the original's caller is the same frame as without us.
        class WarnUnawaitedCoroutine:
            def __new__(cls, coro):
                try:
                    watcher._unawaited(coro, sys._getframe(1))
                except Exception:  # observing must never break the warning
                    pass
                return object.__new__(cls)

            __init__ = staticmethod(original)

        return WarnUnawaitedCoroutine

    def _wrap_gather(self, original):
        watcher = self

        @functools.wraps(original)
        def gather(*awaitables, return_exceptions=False, **kwargs):
            outer = original(*awaitables, return_exceptions=return_exceptions, **kwargs)
            if len(awaitables) > 1 or return_exceptions:
                # The caller's frame, read when the gather is done: the caller is suspended
                # on this gather until then (and resumed after this callback, which was added
                # first), so it is still at the line of the call.
                outer.add_done_callback(functools.partial(
                    _quietly, watcher._gather_done, sys._getframe(1), return_exceptions))
            return outer
        return gather

    def _wrap_blocking(self, original, code, socket_method):
        watcher = self

        @functools.wraps(original)
        def blocking(*args, **kwargs):
            if _running_loop() is None:
                return original(*args, **kwargs)
            if socket_method and args[0].gettimeout() == 0.0:
                return original(*args, **kwargs)
            caller = sys._getframe(1)
            if not _frames.is_project_file(caller.f_code.co_filename):
                return original(*args, **kwargs)
            started = perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                _quietly(watcher._blocking_call, code, caller, (perf_counter() - started) * 1000.0)
        return blocking

    # --- what the hooks record -------------------------------------------------------------

    def _event(self, kind, code, stack):
        site = _frames.project_index(stack)
        if site is not None:
            self._observations.add(kind, code, stack, site)

    def _coroutine_stack(self, coro):
        origin = getattr(coro, "cr_origin", None)
        if origin:
            return _frames.from_origin(origin)
        code = getattr(coro, "cr_code", None)
        if code is None:
            return []
        # Created before origin tracking was on: the best place left is the definition.
        return [(code.co_filename, code.co_firstlineno, code.co_name, True)]

    def _unawaited(self, coro, running):
        """A coroutine dropped unawaited, `running` the frame that was running then."""
        code = getattr(coro, "cr_code", None)
        if self._refused.get(id(coro)) is code:
            del self._refused[id(coro)]
            return
        if getattr(coro, "cr_origin", None) or code is None:
            stack = self._coroutine_stack(coro)
        else:
            # Without origin tracking: a coroutine is almost always dropped on the line that
            # made it (`notify()`, `if allowed():`), which is running now; the line must call
            # the coroutine's function by name, else the definition is the best place left.
            stack = _frames.near_project(running, outer=4)
            if not stack or code.co_name not in linecache.getline(stack[0][0], stack[0][1]):
                stack = self._coroutine_stack(coro)
        self._event("never-awaited", "LW302", stack)

    def _task_created(self, task, coro, frame):
        """Remembers where project code created a task (`asyncio.create_task(...)` or
        `loop.create_task(...)` in a project file), for a report about the task later."""
        sites = self._task_sites
        if len(sites) >= TASK_SITES:
            for key in list(sites)[: TASK_SITES // 2]:
                del sites[key]
        code = frame.f_code
        sites[id(task)] = (getattr(coro, "cr_code", None), code.co_filename, frame.f_lineno, code.co_name)

    def _loop_exception(self, context):
        message = context.get("message") or ""
        task = context.get("task") or context.get("future")
        get_coro = getattr(task, "get_coro", None)
        if get_coro is None:
            return
        if message.startswith("Task was destroyed but it is pending"):
            kind = "destroyed-pending"
        elif message.startswith("Task exception was never retrieved"):
            kind = "exception-never-retrieved"
        else:
            return
        coro = get_coro()
        site = self._task_sites.pop(id(task), None)
        if site is not None and site[0] is getattr(coro, "cr_code", None):
            stack = [(site[1], site[2], site[3], False)]
        else:
            stack = self._coroutine_stack(coro)
        self._event(kind, "LW301", stack)

    def _wrong_thread(self):
        # Three frames up (past `_quietly` and the hook): the caller of the loop method.
        self._event("wrong-thread", "LW104", _frames.from_frame(sys._getframe(3)))

    def _gather_done(self, caller, return_exceptions, outer):
        if outer.cancelled():
            return
        # `_exception`, not `exception()`: asking would mark it retrieved, and change what
        # asyncio logs about it.
        failure = getattr(outer, "_exception", None)
        if failure is None and return_exceptions:
            if any(isinstance(result, BaseException) for result in outer.result()):
                self._event("gather-returned-exceptions", "LW402", _frames.near_project(caller))
            return
        if failure is None:
            return
        pending = [child for child in getattr(outer, "_children", ()) if not child.done()]
        if not pending:
            return
        stack = _frames.near_project(caller)
        del caller
        if not stack:
            return
        failed_at = perf_counter()
        left = [len(pending)]

        def child_done(_child):
            left[0] -= 1
            if left[0] == 0:
                site = _frames.project_index(stack)
                if site is not None:
                    self._observations.add("gather-siblings-ran-on", "LW401", stack, site,
                                           (perf_counter() - failed_at) * 1000.0, timed=True)

        for child in pending:
            child.add_done_callback(child_done)

    def _blocking_call(self, code, caller, duration_ms):
        stack = _frames.from_frame(caller)
        blamed = _frames.blame_blocking(stack)
        if blamed is None:
            return
        blamed_code, site = blamed
        if blamed_code != "LW103":
            blamed_code = code
        self._observations.add("blocking-call", blamed_code, stack, site, duration_ms, timed=True)

    # --- the blocked-loop probe and its watchdog -------------------------------------------

    def _attach(self, loop):
        if self.threshold_ms is None or loop in self._probes:
            return None
        selector = getattr(loop, "_selector", None)
        if selector is None or "select" in getattr(selector, "__dict__", {"select": None}):
            return None
        probe = _Probe(loop, selector)
        threshold = self.threshold_ms / 1000.0
        original = selector.select

        def select(timeout=None):
            now = perf_counter()
            since = probe.busy_since
            probe.busy_since = None
            if since is not None and now - since >= threshold:
                probe.finished.append((probe.iteration, since, now - since))
            try:
                return original(timeout)
            finally:
                probe.iteration += 1
                probe.busy_since = perf_counter()

        try:
            selector.select = select
        except AttributeError:
            return None
        with self._probes_lock:
            self._probes[loop] = probe
        return probe

    def _detach(self, loop):
        with self._probes_lock:
            probe = self._probes.pop(loop, None)
        if probe is None:
            return
        try:
            del probe.selector.select
        except AttributeError:
            pass
        since = probe.busy_since
        if since is not None and perf_counter() - since >= self.threshold_ms / 1000.0:
            probe.finished.append((probe.iteration, since, perf_counter() - since))
        probe.busy_since = None
        with self._probes_lock:
            self._retired.append(probe)

    def _watch(self):
        threshold = self.threshold_ms / 1000.0
        # One wake-up per threshold: each takes the GIL from a busy loop (on a loaded machine
        # that waits for the scheduler), and a stall of the threshold still spans one.
        tick = min(max(threshold, 0.002), 0.5)
        while not self._stop.wait(tick):
            with self._probes_lock:
                probes = list(self._probes.values()) + self._retired
                self._retired = []
            for probe in probes:
                iteration = probe.iteration
                since = probe.busy_since
                now = perf_counter()
                if since is not None:
                    frame = sys._current_frames().get(probe.thread_id)
                    if frame is not None and probe.iteration == iteration:
                        stack = _frames.from_frame(frame)
                        probe.samples.setdefault(iteration, []).append((now, stack))
                    del frame
                self._drain(probe)

    def _drain(self, probe):
        current = probe.iteration
        while probe.finished:
            iteration, start, busy = probe.finished.popleft()
            self._blocked(start, busy, probe.samples.pop(iteration, []))
        for iteration in [key for key in probe.samples if key < current]:
            del probe.samples[iteration]

    def _blocked(self, start, busy, samples):
        """A loop iteration that began at `start` and took `busy` seconds, with the stacks
        sampled during it. Consecutive samples that blame the same line form a run, which
        lasts from halfway after the previous run's last sample to halfway before the next
        run's first (the first run from the start, the last to the end). Each line whose runs
        add up to the threshold is an observation of its own, so that two calls that block
        one after the other in the same iteration are both reported; when none does (many
        short stalls), the line blamed longest takes the whole iteration."""
        runs = []
        for at, stack in samples:
            blamed = _frames.blame_blocking(stack)
            key = None if blamed is None else (blamed[0], stack[blamed[1]][0], stack[blamed[1]][1])
            if runs and runs[-1][0] == key:
                runs[-1][2] = at
                if blamed is not None:
                    runs[-1][3] = (blamed[0], stack, blamed[1])
            else:
                runs.append([key, at, at, None if blamed is None else (blamed[0], stack, blamed[1])])
        durations = collections.Counter()
        found = {}
        for index, (key, first, last, blamed) in enumerate(runs):
            if key is None:
                continue
            begin = start if index == 0 else (runs[index - 1][2] + first) / 2.0
            end = start + busy if index == len(runs) - 1 else (last + runs[index + 1][1]) / 2.0
            durations[key] += end - begin
            found[key] = blamed
        if not durations:
            return
        threshold = self.threshold_ms / 1000.0
        held = [key for key, duration in durations.items() if duration >= threshold]
        if held:
            for key in held:
                code, stack, site = found[key]
                self._observations.add("blocked", code, stack, site, durations[key] * 1000.0, timed=True)
        else:
            code, stack, site = found[durations.most_common(1)[0][0]]
            self._observations.add("blocked", code, stack, site, busy * 1000.0, timed=True)


def watch(report=None, threshold_ms=DEFAULT_THRESHOLD_MS, **options):
    """A watcher to use as a context manager: `with watch(report="run.jsonl"): ...`; the
    options are `Watcher`'s."""
    return Watcher(report=report, threshold_ms=threshold_ms, **options)
