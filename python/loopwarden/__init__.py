"""loopwarden: a static analyzer for asyncio pitfalls.

The checker is the ``loopwarden`` executable this package installs; ``python -m loopwarden``
runs it too (see ``__main__``). :func:`find_loopwarden_bin` tells where it is.
"""

from __future__ import annotations

import os
import sys
import sysconfig

__all__ = ["find_loopwarden_bin"]


def find_loopwarden_bin() -> str:
    """The path of the ``loopwarden`` executable that came with this package.

    The wheel puts it in the scripts directory of whichever scheme pip installed into: the
    environment's, the user's (``pip install --user``), or a ``--prefix``/``--target`` one
    beside this package. Raises ``FileNotFoundError`` when none holds it.
    """
    name = "loopwarden" + (sysconfig.get_config_var("EXE") or "")
    candidates = [os.path.join(sysconfig.get_path("scripts"), name)]
    user_scheme = _user_scheme()
    if user_scheme is not None:
        candidates.append(os.path.join(sysconfig.get_path("scripts", user_scheme), name))
    # `pip install --target DIR`: DIR/loopwarden/ is this package, DIR/bin/ the script.
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    candidates.append(os.path.join(package_parent, "bin", name))
    # `pip install --prefix P`: .../P/lib/pythonX.Y/site-packages/loopwarden → P/bin.
    candidates.append(
        os.path.join(package_parent, os.pardir, os.pardir, os.pardir, "bin", name)
    )
    for candidate in candidates:
        if os.path.isfile(candidate):
            return os.path.normpath(candidate)
    raise FileNotFoundError(
        "the loopwarden executable was not found; looked in: " + ", ".join(candidates)
    )


def _user_scheme() -> str | None:
    if sys.version_info >= (3, 10):
        return sysconfig.get_preferred_scheme("user")
    if os.name == "nt":
        return "nt_user"
    if sys.platform == "darwin" and sys._framework:  # type: ignore[attr-defined]
        return "osx_framework_user"
    return "posix_user"
