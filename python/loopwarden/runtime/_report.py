"""The report: observations aggregated by (code, file, row, kind), written as JSON lines.

Format version 1 (docs/runtime.md describes every field). One JSON object per line, sorted
by file, row, code and kind, so that two runs that saw the same things write the same lines.
"""

import json
import os
import threading

from . import _frames

VERSION = 1


class Observations:
    """What a watcher saw. Safe to add to from any thread."""

    def __init__(self, threshold_ms):
        self.threshold_ms = threshold_ms
        self._lock = threading.Lock()
        self._entries = {}

    def add(self, kind, code, stack, site, duration_ms=0.0, timed=False):
        """One observation of `kind`, reported as `code` at `stack[site]` (innermost-first)."""
        filename, row, function, _ = stack[site]
        key = (code, _frames.absolute(filename), row, kind)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = {
                    "version": VERSION,
                    "kind": kind,
                    "code": code,
                    "file": key[1],
                    "row": row,
                    "function": function,
                    "stack": _frames.reported_stack(stack),
                    "count": 0,
                    "total_ms": 0.0,
                    "max_ms": 0.0,
                    "threshold_ms": self.threshold_ms if kind == "blocked" else None,
                }
            entry["count"] += 1
            if timed:
                entry["total_ms"] += duration_ms
                if duration_ms > entry["max_ms"]:
                    entry["max_ms"] = duration_ms
                    entry["stack"] = _frames.reported_stack(stack)

    def lines(self):
        """The report's objects, in the report's order."""
        with self._lock:
            entries = [dict(entry) for entry in self._entries.values()]
        for entry in entries:
            entry["total_ms"] = round(entry["total_ms"], 3)
            entry["max_ms"] = round(entry["max_ms"], 3)
        entries.sort(key=lambda e: (e["file"], e["row"], e["code"], e["kind"]))
        return entries

    def write(self, path):
        """Writes the report to `path` (replacing it), through a temporary file."""
        path = os.fspath(path)
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as out:
            for entry in self.lines():
                out.write(json.dumps(entry, sort_keys=True) + "\n")
        os.replace(temporary, path)
