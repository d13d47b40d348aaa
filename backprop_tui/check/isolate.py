"""What the worker does to itself before the student's file runs in it.

``check`` compares the student's numbers with the engine's, so the engine must
not be within the student's reach: a file that imports ``backprop_tui`` and
returns the engine's own answers would pass. The worker therefore drops every
module of this package from ``sys.modules`` (the worker's own functions keep
what they use), puts a finder first on ``sys.meta_path`` that refuses the
package by name, and looks again after every call (:func:`engine_loaded`), in
case the student removed the finder.

It also caps the process: its address space (``RLIMIT_AS``: the memory the
student may take on top of what the interpreter and numpy already hold), the
size of any file it writes, and core dumps. The hard limits equal the soft ones,
so the student's code cannot raise them again.

None of this is a sandbox against code written to attack the machine; README,
"Checking a student's file", says what it does guard against.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import os
import sys

PACKAGE = "backprop_tui"
MIB = 1024 * 1024
DEFAULT_MEMORY_MB = 2048
MAX_MEMORY_MB = 1024 * 1024  # a terabyte: past any machine, and a number setrlimit takes
MAX_FILE_BYTES = 64 * MIB  # any file the student's code writes
ENGINE_WORDS = ("imports backprop_tui: the checker compares your numbers with the engine's, "
                "so your code must compute them itself, without this package")


class EngineImport(ImportError):
    """The student's code asked for this package."""


class _NoEngine(importlib.abc.MetaPathFinder):
    """Refuses this package (and every submodule of it) by name, before any other finder."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == PACKAGE or name.startswith(PACKAGE + "."):
            raise EngineImport(f"{name} cannot be imported here: your file {ENGINE_WORDS}")
        return None


def ours(name: str) -> bool:
    return name == PACKAGE or name.startswith(PACKAGE + ".")


def hide_engine(package_root: str | None) -> None:
    """Make the package unimportable: forget its modules, refuse it, drop its folder from paths."""
    for name in [n for n in sys.modules if ours(n)]:
        del sys.modules[name]
    sys.meta_path.insert(0, _NoEngine())
    if package_root:
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != package_root]
        parts = os.environ.get("PYTHONPATH", "").split(os.pathsep)
        rest = [p for p in parts if p and os.path.abspath(p) != package_root]
        if rest:
            os.environ["PYTHONPATH"] = os.pathsep.join(rest)
        else:
            os.environ.pop("PYTHONPATH", None)


def engine_loaded() -> bool:
    """Whether any module of this package came back (the student went around the finder)."""
    return any(ours(n) for n in list(sys.modules))


def _address_space() -> int:
    """Bytes of address space this process holds now (VmSize), 0 where /proc does not say."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_resources(memory_mb: float) -> None:
    """Cap memory (``memory_mb`` beyond what is held now), written files and core dumps."""
    try:
        import resource
    except ImportError:  # not POSIX: the time limit still holds
        return
    cap = _address_space() + int(memory_mb * MIB)
    for which, value in ((resource.RLIMIT_AS, cap), (resource.RLIMIT_FSIZE, MAX_FILE_BYTES),
                         (resource.RLIMIT_CORE, 0)):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(which, (value, value))
