"""Loading a student's file and calling its ``forward_backward_pass``.

The checker and the app both start here. Loading problems that make a file
impossible to check (missing, syntax error, no function, wrong parameters,
an exception at import) become one-line :class:`StudentError` messages, because
that line is all the CLI or the app shows. Calls never raise: whatever the
student's function does comes back as a :class:`CallResult` made of plain numpy
arrays and strings, so it can cross a process boundary and be compared safely.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np

from .isolate import ENGINE_WORDS, EngineImport
from .values import MIN_ELEMENTS, as_numbers, max_elements, summarize

FUNCTION_NAME = "forward_backward_pass"
PARAMETERS = ("x", "target", "W1", "b1", "W2", "b2")
RETURNS = ("pred", "loss", "dW1", "db1", "dW2", "db2")
MAX_SOURCE_BYTES = 10 * 2**20  # a lab solution is a few KiB; this refuses a mistaken path


class StudentError(Exception):
    """A file that cannot be checked at all; the message is one line."""


@dataclass(frozen=True)
class Frame:
    """One traceback frame inside the student's own file."""

    line: int
    function: str
    source: str


@dataclass(frozen=True)
class Raised:
    """An exception raised by the student's code, reduced to what a student needs."""

    type_name: str
    message: str
    frames: tuple[Frame, ...]

    @property
    def headline(self) -> str:
        return f"{self.type_name}: {self.message}" if self.message else self.type_name


@dataclass(frozen=True)
class CallResult:
    """What one call returned, as numbers where possible.

    ``values`` holds one entry per returned item: a float array, or a string
    describing an item that is not numbers (None, a TODO ``...``, text). It is
    None when the call raised or returned something that is not a tuple or list.
    """

    values: tuple[np.ndarray | str, ...] | None
    returned: str
    raised: Raised | None = None
    # (parameter name, its value after the call) for every argument the call changed.
    mutated: tuple[tuple[str, np.ndarray], ...] = ()
    # numpy's name of each returned value's dtype ("float32", ...), "" when not an array.
    dtypes: tuple[str, ...] = ()


KEEP_FRAMES = 3  # first and last frames kept of a long traceback (endless recursion)


def frames_in(path: str, tb: TracebackType | None) -> tuple[Frame, ...]:
    """The traceback frames that lie in ``path``: the lines the student wrote.

    A long traceback is folded to its first and last KEEP_FRAMES frames around
    one marker frame (line 0) saying how many were left out: endless recursion
    would otherwise print a thousand identical frames.
    """
    target = os.path.realpath(path)
    out = []
    for fs in traceback.extract_tb(tb):
        if os.path.realpath(fs.filename) == target:
            out.append(Frame(fs.lineno or 0, fs.name, (fs.line or "").strip()))
    if len(out) <= 2 * KEEP_FRAMES + 1:
        return tuple(out)
    middle = out[KEEP_FRAMES:-KEEP_FRAMES]
    kind = "repeated" if len({(f.line, f.function) for f in middle}) <= 3 else "more"
    marker = Frame(0, f"... {len(middle)} {kind} frames ...", "")
    return (*out[:KEEP_FRAMES], marker, *out[-KEEP_FRAMES:])


def text_of(err: BaseException) -> str:
    """str(err) on one line, or a note when the exception's own __str__ fails."""
    try:
        return one_line(str(err))
    except BaseException as inner:  # whatever the student's __str__ does, say so in words
        return f"(its message could not be shown: str() raised {type(inner).__name__})"


def raised_from(path: str, err: BaseException) -> Raised:
    """What a student needs of an exception: type, message, their own frames (folded)."""
    return Raised(type(err).__name__, text_of(err), frames_in(path, err.__traceback__))


@dataclass(frozen=True)
class Student:
    """A loaded ``forward_backward_pass``.

    ``call`` runs in this process: fine for the app's per-sample view, but a
    function that never returns blocks the caller and one that mutates global
    state mutates ours. The ``check`` command therefore calls it in a child
    process (:mod:`backprop_tui.check.sandbox`) under a time limit.
    """

    path: str
    function: Callable[..., object]

    def call(self, *args: object) -> CallResult:
        """Call the function on COPIES of array arguments, so it cannot change ours.

        Whether it changed them is recorded all the same: in the lab's loop the
        arguments ARE the training state (an in-place ``W1 -= ...`` updates W1 twice).
        """
        copies = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
        elements = max_elements(args)
        try:
            with np.errstate(all="ignore"):
                result = self.function(*copies)
        except (Exception, SystemExit) as err:
            return CallResult(None, "an exception", raised_from(self.path, err),
                              changed(args, copies, elements))
        if not isinstance(result, (tuple, list)):
            return CallResult(None, summarize(result), None, changed(args, copies, elements))
        dtypes = tuple(str(v.dtype) if isinstance(v, np.ndarray | np.generic) else ""
                       for v in result)
        return CallResult(tuple(as_numbers(v, elements) for v in result), summarize(result),
                          None, changed(args, copies, elements), dtypes)


def changed(originals: tuple[object, ...], copies: tuple[object, ...],
            elements: int = MIN_ELEMENTS) -> tuple[tuple[str, np.ndarray], ...]:
    """The arguments whose copy the call changed (values, shape or dtype), with the new value.

    A copy the call grew past ``elements`` numbers (``resize``) is left out: its
    values are not comparable, and the checker does not read that many.
    """
    out = []
    for name, before, after in zip(PARAMETERS, originals, copies, strict=False):
        if not isinstance(before, np.ndarray) or not isinstance(after, np.ndarray) \
                or after.size > elements:
            continue
        if before.shape != after.shape or not np.array_equal(before, after, equal_nan=True):
            out.append((name, np.array(after, dtype=float, copy=True)))
    return tuple(out)


def one_line(text: str) -> str:
    """Exception messages may span lines; the CLI's error contract is one line."""
    return " ".join(text.split())


def _module_name(path: Path) -> str:
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    return f"backprop_student_{digest}"


def load_student(path: str | os.PathLike[str], shown: str | None = None) -> Student:
    """Import ``path`` (not as __main__) and take its ``forward_backward_pass``.

    Raises StudentError with one line when the file cannot be checked; messages
    name the file as ``shown`` (what the user typed; the worker gets an absolute
    path because it runs in another folder). Top-level code runs, so a file
    that never finishes importing hangs here: callers that need a time limit
    load in a child process.
    """
    shown = str(path) if shown is None else shown
    p = precheck(path, shown)
    module = _import(p.resolve(), shown)
    fn = getattr(module, FUNCTION_NAME, None)
    if fn is None:
        raise StudentError(f"{shown} defines no {FUNCTION_NAME}({', '.join(PARAMETERS)})")
    if not callable(fn):
        raise StudentError(f"{shown}: {FUNCTION_NAME} is a {type(fn).__name__}, not a function")
    _check_signature(fn, shown)
    return Student(str(p.resolve()), fn)


def precheck(path: str | os.PathLike[str], shown: str | None = None) -> Path:
    """The checks that need no code to run: the file exists, is readable, compiles.

    The ``check`` command runs these before starting a child process, so the
    commonest mistakes (a typo in the name, a syntax error) are reported at once.
    """
    p = Path(path)
    shown = str(path) if shown is None else shown
    if not p.exists():
        raise StudentError(f"{shown}: no such file")
    if not p.is_file():
        raise StudentError(f"{shown}: not a file")
    size = p.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise StudentError(f"{shown}: {size / 2**20:.0f} MiB of source, more than the "
                           f"{MAX_SOURCE_BYTES // 2**20} MiB a student's file may have")
    try:
        source = p.read_bytes()
    except OSError as err:
        raise StudentError(f"{shown}: cannot read it: {err.strerror or err}") from None
    try:
        compile(source, shown, "exec")
    except SyntaxError as err:
        where = f"line {err.lineno}" if err.lineno else "somewhere"
        raise StudentError(f"{shown}: syntax error at {where}: {err.msg}") from None
    except ValueError as err:  # e.g. null bytes
        raise StudentError(f"{shown}: not Python source: {err}") from None
    return p


def _import(resolved: Path, shown: str) -> object:
    """Run the file as a module whose directory is importable, like ``python FILE`` does."""
    name = _module_name(resolved)
    spec = importlib.util.spec_from_file_location(name, resolved)
    if spec is None or spec.loader is None:
        raise StudentError(f"{shown}: cannot be imported as Python")
    module = importlib.util.module_from_spec(spec)
    folder = str(resolved.parent)
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except MemoryError:
        sys.modules.pop(name, None)
        raise  # the worker says it in words, with the limit
    except (Exception, SystemExit) as err:
        sys.modules.pop(name, None)
        if isinstance(err, EngineImport):
            frames = frames_in(str(resolved), err.__traceback__)
            at = f" (line {frames[-1].line})" if frames else ""
            raise StudentError(f"{shown}{at} {ENGINE_WORDS}") from None
        raise StudentError(loading_error(shown, resolved, err)) from None
    finally:
        if added and folder in sys.path:
            sys.path.remove(folder)
    return module


def loading_error(shown: str, resolved: Path, err: BaseException) -> str:
    """The one line for an exception raised while the file was being imported."""
    frames = frames_in(str(resolved), err.__traceback__)
    at = f" at line {frames[-1].line}" if frames else ""
    text = text_of(err)
    return (f"{shown} raised {type(err).__name__}{at} while loading{': ' + text if text else ''} "
            f"(put top-level experiments under 'if __name__ == \"__main__\":')")


def _check_signature(fn: Callable[..., object], shown: str) -> None:
    """The lab calls it with six positional arguments; say so if that cannot bind."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return  # a builtin or C function: let the call tell
    try:
        sig.bind(*PARAMETERS)
    except TypeError:
        names = [p.name for p in sig.parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                 and p.default is p.empty]
        raise StudentError(
            f"{shown}: {FUNCTION_NAME}{sig} cannot take the lab's 6 arguments "
            f"({', '.join(PARAMETERS)}); it requires {len(names)}"
        ) from None
