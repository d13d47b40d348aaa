"""Which kernel advances a run (each carries its state in a head, :mod:`.heads`).

Three kernels compute the same bits (``tests/test_kernels.py``): the plain-float loop
of :mod:`~backprop_tui.core.network.kernel`, ready at once; its column-by-column numpy form
(``sgd_columns``), faster from ~16 hidden units; and the numba-compiled one of
:mod:`~backprop_tui.core.network.compiled`, ~40x faster per update but costing ~0.1-0.2 s to
import numba plus ~0.1 s to load its cached machine code (~0.5 s to compile it the
first time on a machine). Since the bits agree, the choice is made per piece of
work, on its estimated cost alone: short work (a step, a replay, the first frame)
never waits for numba; a long run uses it when the time saved exceeds the start-up.

``BACKPROP_TUI_KERNEL=python`` forces the plain-float kernel, ``numpy`` its numpy
form, ``numba`` the compiled one for all work (if numba imports), ``auto`` (the
default) chooses.
"""

from __future__ import annotations

import functools
import glob
import importlib.util
import os
import sys
from collections.abc import Sequence

from ..network.arch import Architecture
from .heads import (
    NUMBA,
    NUMPY,
    PYTHON,
    CompiledHead,
    CompiledNetHead,
    Data,
    Head,
    NetHead,
    NumpyHead,
    PlainHead,
)

__all__ = ["Data", "Head", "choose", "describe", "make_head", "setting", "summary"]

# The compiled kernels' folder: numba caches their machine code beside them.
KERNELS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "network")
KERNEL_ENV = "BACKPROP_TUI_KERNEL"
CHOICES = ("auto", "python", "numpy", "numba")

# Seconds, measured on a 2-core x86-64 machine (bench/train_speed.py); only their ratios
# matter, to decide which kernel finishes a piece of work first.
NUMBA_IMPORT_S = 0.2
NUMBA_LOAD_S = 0.15      # a cached compile
NUMBA_COMPILE_S = 0.6    # the first time on a machine
LOADED_MIN_S = 50e-6     # below this even a loaded compiled kernel is not worth a call


Shape = Architecture | int


def network(n_inputs: Shape, n_hidden: int = 0) -> Architecture:
    """The architecture meant: given, or the lab's family of (n_inputs, n_hidden)."""
    return n_inputs if isinstance(n_inputs, Architecture) else Architecture(n_inputs, (n_hidden,))


def python_seconds(updates: int, n_inputs: Shape, n_hidden: int = 0) -> float:
    """Estimated time of the plain-float kernel: O(H·d) interpreted operations per update
    (the lab's unrolled loop; the any-network loop costs about 3x per parameter)."""
    arch = network(n_inputs, n_hidden)
    if not arch.is_lab:
        return updates * 1e-6 * (1.0 + 0.3 * arch.n_params)
    h, d = arch.hidden[0], arch.n_inputs
    return updates * 1e-6 * (0.6 + h * (0.25 + 0.1 * d))


def numpy_seconds(updates: int, n_inputs: Shape, n_hidden: int = 0) -> float:
    """Estimated time of the numpy form: O(d) numpy calls and O(H) floats per update
    (the lab's network only: any other never takes it)."""
    arch = network(n_inputs, n_hidden)
    if not arch.is_lab:
        return float("inf")
    return updates * 1e-6 * (4.0 + 1.0 * arch.n_inputs + 0.2 * arch.hidden[0])


def compiled_seconds(updates: int, n_inputs: Shape, n_hidden: int = 0) -> float:
    """Estimated time of the loaded numba kernel (its start-up not counted)."""
    arch = network(n_inputs, n_hidden)
    if not arch.is_lab:
        return updates * 1e-6 * (0.1 + 0.004 * arch.n_params)
    return updates * 1e-6 * (0.04 + 0.004 * arch.hidden[0] * (arch.n_inputs + 2))


def plain_choice(updates: int, n_inputs: Shape, n_hidden: int = 0) -> tuple[str, float]:
    """The faster kernel without numba, and its estimated seconds."""
    python = python_seconds(updates, n_inputs, n_hidden)
    numpy = numpy_seconds(updates, n_inputs, n_hidden)
    return (NUMPY, numpy) if numpy < python else (PYTHON, python)


def setting(strict: bool = False) -> str:
    """``BACKPROP_TUI_KERNEL``: auto (also when unset or empty), python or numba.

    An unknown value is a ValueError when ``strict`` (a session checks it once, so a
    typo is reported in one line) and means auto otherwise.
    """
    raw = os.environ.get(KERNEL_ENV, "")
    value = raw.strip().lower() or "auto"
    if value in CHOICES:
        return value
    if strict:
        raise ValueError(f"{KERNEL_ENV} must be one of {', '.join(CHOICES)}, got {raw!r}")
    return "auto"


_available: bool | None = None
_failure: str | None = None


def numba_installed() -> bool:
    """numba can be found (not imported: that costs ~0.2 s)."""
    global _available
    if _available is None:
        _available = importlib.util.find_spec("numba") is not None
    return _available and _failure is None


def numba_loaded(arch: Architecture | None = None) -> bool:
    """Whether the kernel ``arch`` needs (the lab's, by default) is compiled and loaded."""
    module = ("backprop_tui.core.network.compiled" if arch is None or arch.is_lab
              else "backprop_tui.core.network.netcompiled")
    return module in sys.modules and _failure is None


@functools.cache
def numba_cached(kernel: str = "compiled.sgd_rows") -> bool:
    """Whether numba's cache seems to hold the compiled kernel, looked up without numba.

    Numba names its index ``compiled.sgd_rows-<line>.py<ver>.nbi`` (the any-network
    kernel: ``netcompiled.sgd_net-...``), beside this package (``__pycache__``) or in
    its user-wide or ``NUMBA_CACHE_DIR`` cache; a stale entry only costs one compile.
    Looked up once per process: once numba has loaded here, :func:`numba_loaded` decides.
    """
    name = f"{kernel}-*.py{sys.version_info[0]}{sys.version_info[1]}*.nbi"
    if os.environ.get("NUMBA_CACHE_DIR"):  # then numba looks nowhere else
        places = [os.path.join(os.environ["NUMBA_CACHE_DIR"], "*")]
    else:
        user = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
        places = [os.path.join(KERNELS, "__pycache__"),
                  os.path.join(user, "numba", "*")]
    return any(glob.glob(os.path.join(place, name)) for place in places)


def choose(updates: int, n_inputs: Shape, n_hidden: int = 0) -> str:
    """The kernel that finishes ``updates`` updates first, counting numba's start-up."""
    wanted = setting()
    arch = network(n_inputs, n_hidden)
    if wanted == NUMPY and not arch.is_lab:
        return PYTHON  # the numpy form is the lab's network's alone
    if wanted in (PYTHON, NUMPY):
        return wanted
    if wanted == NUMBA and numba_installed():
        return NUMBA
    kind, plain = plain_choice(max(updates, 1), arch)
    if updates <= 0 or not numba_installed():
        return kind
    if numba_loaded(arch):
        return NUMBA if plain > LOADED_MIN_S else kind
    if plain <= 1.25 * (NUMBA_IMPORT_S + NUMBA_LOAD_S):
        return kind  # a step or a replay: not even a cached numba would pay
    return NUMBA if plain > 1.25 * numba_start_s(arch) else kind


def numba_start_s(arch: Architecture | None = None) -> float:
    """Seconds before numba's first update here: none once loaded, else its import and
    the load of its cached machine code (or the first compile on this machine)."""
    lab = arch is None or arch.is_lab
    if numba_loaded(arch):
        return 0.0
    cached = numba_cached() if lab else numba_cached("netcompiled.sgd_net")
    return NUMBA_IMPORT_S + (NUMBA_LOAD_S if cached else NUMBA_COMPILE_S)


def estimate(updates: int, n_inputs: Shape, n_hidden: int = 0) -> float:
    """Seconds the kernel :func:`choose` picks would take, numba's start-up included: the
    app does work this short at once rather than in a thread (see ``app/debugger.py``)."""
    arch = network(n_inputs, n_hidden)
    kind = choose(updates, arch)
    if kind != NUMBA:
        return (numpy_seconds if kind == NUMPY else python_seconds)(updates, arch)
    return numba_start_s(arch) + compiled_seconds(updates, arch)


def _compiled(lab: bool = True):
    """The compiled module, or None (and the reason kept) when numba cannot be used here."""
    global _failure
    try:
        if lab:
            from ..network import compiled
            return compiled
        from ..network import netcompiled
        return netcompiled
    except Exception as err:  # an ImportError, or numba refusing this numpy or CPU
        _failure = f"numba failed to import ({type(err).__name__}: {err})".splitlines()[0]
        return None


def describe() -> dict[str, object]:
    """What ``--version`` and ``train --json`` say about the kernels (numba not imported)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        numba_installed()  # finds it (sets _available) without importing it
        numba_version: str | None = version("numba") if _available else None
    except PackageNotFoundError:
        numba_version = None
    return {"setting": setting(), "numba": numba_version,
            "numba_cached": bool(numba_version) and numba_cached(), "numba_error": _failure}


def summary(probe: bool = False) -> str:
    """One line for ``--version``; ``probe`` imports numba (~0.2 s) to be sure it works."""
    if probe and setting() not in (PYTHON, NUMPY) and numba_installed():
        _compiled()
    d = describe()
    try:
        setting(strict=True)
    except ValueError as err:
        return f"kernel: {err}; using auto"
    plain = "plain Python floats (numpy across large layers)"
    if d["setting"] in (PYTHON, NUMPY):
        name = "plain Python floats" if d["setting"] == PYTHON else "numpy across hidden units"
        return f"kernel: {name} ({KERNEL_ENV}={d['setting']})"
    if d["numba_error"]:
        return f"kernel: {plain} ({d['numba_error']})"
    if d["numba"] is None:
        return f"kernel: {plain} (numba is not installed)"
    cached = "compiled code cached" if d["numba_cached"] else "compiled on first long run"
    if d["setting"] == NUMBA:
        return f"kernel: numba {d['numba']} for all work ({KERNEL_ENV}=numba; {cached})"
    return f"kernel: numba {d['numba']} for long runs ({cached}), {plain} otherwise"


def make_head(kind: str, flat: Sequence[float], data: Data, shape: Shape) -> Head:
    """A head of the wanted kind, or a plain one when numba turns out not to import.

    ``shape``: the architecture, or the lab's hidden size (its family's network)."""
    arch = network(data.n_inputs, shape) if isinstance(shape, int) else shape
    if not arch.is_lab:
        if kind == NUMBA and (module := _compiled(lab=False)) is not None:
            return CompiledNetHead(flat, data, arch, module)
        return NetHead(flat, data, arch)
    n_hidden = arch.hidden[0]
    if kind == NUMBA:
        module = _compiled()
        if module is not None:
            return CompiledHead(flat, data, n_hidden, module)
        kind = plain_choice(1, arch)[0]
    if kind == NUMPY:
        return NumpyHead(flat, data, n_hidden)
    return PlainHead(flat, data, n_hidden)
