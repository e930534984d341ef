"""Stacks: which frames are the project's, and which line of the project to blame.

A frame belongs to the project when its file is not part of Python's standard library, of an
installed distribution (site-packages, dist-packages) or of this package, and has a real path
(not `<frozen ...>` or `<string>`). Observations are reported at a project line: that is
where the static analysis reports, and where a user can change something.
"""

import inspect
import linecache
import os
import site
import sysconfig

# A stack entry: (file, row, function, is_coroutine), innermost first while it is built.
_ASYNC_FLAGS = inspect.CO_COROUTINE | inspect.CO_ITERABLE_COROUTINE | inspect.CO_ASYNC_GENERATOR

# The most frames read from one stack.
MAX_DEPTH = 64


def _library_roots():
    roots = set()
    for name in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(name)
        if path:
            roots.add(os.path.normcase(os.path.realpath(path)))
    try:
        roots.update(os.path.normcase(os.path.realpath(p)) for p in site.getsitepackages())
    except AttributeError:  # some virtualenv versions ship a `site` without it
        pass
    roots.add(os.path.normcase(os.path.realpath(os.path.dirname(os.path.dirname(__file__)))))
    return tuple(sorted(roots))


_ROOTS = _library_roots()
# This package's own frames (the hooks) never appear in a report.
_OWN_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_INSTALLED_DIRS = ("site-packages", "dist-packages")
_is_project_cache = {}


def absolute(filename):
    """The file's absolute path, as the report spells it."""
    if not filename or filename.startswith("<"):
        return filename
    return os.path.abspath(filename)


def is_project_file(filename):
    known = _is_project_cache.get(filename)
    if known is not None:
        return known
    if not filename or filename.startswith("<"):
        answer = False
    else:
        path = os.path.normcase(os.path.realpath(os.path.abspath(filename)))
        parts = path.split(os.sep)
        answer = not any(part in _INSTALLED_DIRS for part in parts) and not any(
            path.startswith(root + os.sep) for root in _ROOTS
        )
    _is_project_cache[filename] = answer
    return answer


def extra_library_paths(paths):
    """Treat files below these directories as library code too (stubs, vendored code)."""
    global _ROOTS
    added = tuple(os.path.normcase(os.path.realpath(p)) for p in paths)
    _ROOTS = tuple(sorted(set(_ROOTS) | set(added)))
    _is_project_cache.clear()


def from_frame(frame, limit=MAX_DEPTH):
    """The stack from `frame` outwards, innermost first."""
    stack = []
    while frame is not None and len(stack) < limit:
        code = frame.f_code
        stack.append(
            (code.co_filename, frame.f_lineno or code.co_firstlineno, code.co_name, bool(code.co_flags & _ASYNC_FLAGS))
        )
        frame = frame.f_back
    return stack


def near_project(frame, outer=2, limit=16):
    """A short stack, cheap enough to take on every task or gather: from the innermost
    project frame at or outside `frame` (at most `limit` frames out), and `outer` frames
    around it, innermost first. Empty when no project frame is that close."""
    while frame is not None and limit > 0:
        if is_project_file(frame.f_code.co_filename):
            return from_frame(frame, limit=outer + 1)
        frame = frame.f_back
        limit -= 1
    return []


def from_origin(origin):
    """A coroutine's `cr_origin` (most recent call first) as a stack; coroutine-ness unknown."""
    return [(filename, lineno, name, False) for filename, lineno, name in origin]


def project_index(stack):
    """Index of the innermost project frame, or None."""
    for index, entry in enumerate(stack):
        if is_project_file(entry[0]):
            return index
    return None


def reported_stack(stack):
    """What a report line carries: the project frames from the outermost inwards, then the
    library call the innermost of them made (the first frame below it) and the innermost
    frame, so that the blocking call is named. Outermost first, as dicts."""
    innermost = project_index(stack)
    if innermost is None:
        innermost = 0
    chosen = [entry for entry in stack[innermost:] if is_project_file(entry[0])]
    chosen.reverse()
    inner = [entry for entry in stack[:innermost] if not entry[0].startswith(_OWN_DIR)]
    if inner:
        chosen.append(inner[-1])
        if len(inner) > 1:
            chosen.append(inner[0])
    return [{"file": absolute(f), "row": row, "function": name} for f, row, name, _ in chosen]


# What a call blocking the loop directly in a coroutine is, when it is not plain I/O:
# (code, function names of the library frames below the call, words of the source line).
_REFINEMENTS = (
    ("LW102", {"hashpw", "checkpw", "kdf", "pbkdf2_hmac", "scrypt", "hash", "verify"},
     ("bcrypt", "pbkdf2", "scrypt", "argon2", "passlib", "hashpw", "checkpw")),
    ("LW105", {"exists", "isfile", "isdir", "islink", "getsize", "getmtime", "is_file", "is_dir", "stat", "lstat"},
     ("os.path.", ".exists(", ".is_file(", ".is_dir(", "os.stat(", ".stat(", "os.scandir(", "os.listdir(")),
)


def _direct_code(stack, site):
    line = linecache.getline(stack[site][0], stack[site][1])
    callee = stack[site - 1][2] if site > 0 else None
    for code, functions, words in _REFINEMENTS:
        if any(word in line for word in words):
            return code
        if callee in functions and stack[site - 1][0].endswith(("path.py", "pathlib.py", "bcrypt.py")):
            return code
    return "LW101"


def blame_blocking(stack):
    """The code and the frame index to report a loop held by `stack` (innermost first) at.

    The innermost project frame made the blocking call. If it is a coroutine, the call is in
    the coroutine itself: LW101 (LW102 for password hashing, LW105 for file metadata, told
    from the call). If it is a sync function that a project coroutine further out called, the
    coroutine's line (the call of the helper) is reported as LW103, where the static analysis
    reports the helper's call site. With no project coroutine on the stack (a callback, a
    sync function scheduled with `call_soon`), LW101 at the innermost project frame.
    """
    site = project_index(stack)
    if site is None:
        return None
    if stack[site][3]:
        return _direct_code(stack, site), site
    for outer in range(site + 1, len(stack)):
        if stack[outer][3] and is_project_file(stack[outer][0]):
            return "LW103", outer
    return "LW101", site
