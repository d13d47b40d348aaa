"""Comparing one call of a student's ``forward_backward_pass`` with the engine, per sample.

Each returned quantity is judged in two steps: its shape (a gradient must have
its parameter's shape; pred and loss must be one number), then its values, by
the relative error against the engine (<= 1e-7 is right, anything larger wrong).
For gradients the central finite-difference value is a third opinion, so a
disagreement can be told apart from an engine bug. The first failure, in the
order the network computes things (pred, loss, dW2, db2, dW1, db1), is the
mismatch: a wrong output error makes every gradient behind it wrong too, and
the root is what the student must fix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.gradcheck import GOOD, numeric_gradients, relative_error
from ..core.network import Params
from ..core.phases import forward_backward
from . import diagnose
from .loader import RETURNS, CallResult, Raised, Student

TOLERANCE = GOOD
CHECK_ORDER = ("pred", "loss", "dW2", "db2", "dW1", "db1")


@dataclass(frozen=True)
class QuantityCheck:
    """One returned quantity against the engine.

    ``band`` is 'ok' or 'wrong' (by relative error), 'shape', 'missing' (not
    returned, or not numbers), 'non-finite', or 'not compared' (the call failed).
    """

    name: str
    expected: np.ndarray
    got: np.ndarray | None
    got_text: str | None
    shape_ok: bool
    error: float | None
    band: str
    numeric: np.ndarray | None = None
    numeric_error: float | None = None


@dataclass(frozen=True)
class Mismatch:
    """The first thing wrong in a sample: which quantity (None: the call as a whole), and why."""

    quantity: str | None
    kind: str  # "raised", "count", "missing", "shape", "non-finite" or "value"
    explanation: str
    raised: Raised | None = None


@dataclass(frozen=True)
class SampleComparison:
    """Every quantity of one sample, in the lab's return order, and the first mismatch."""

    quantities: dict[str, QuantityCheck]
    mismatch: Mismatch | None
    returned: str

    @property
    def ok(self) -> bool:
        return self.mismatch is None

    @property
    def mismatched(self) -> QuantityCheck | None:
        if self.mismatch is None or self.mismatch.quantity is None:
            return None
        return self.quantities[self.mismatch.quantity]


def layers_text(params: Params) -> str:
    """'3-2-1' for the lab: what a wrongly shaped update would stop the network being."""
    return f"{params.n_inputs}-{params.n_hidden}-1"


def student_args(params: Params, x: np.ndarray, y: float) -> tuple[object, ...]:
    """The lab's call: x and target as its loop yields them, then W1, b1, W2, b2 (copies)."""
    return (np.array(x, dtype=float), np.float64(y), params.W1.copy(), params.b1.copy(),
            params.W2.copy(), params.b2.copy())


def compare_sample(student: Student, params: Params, x: np.ndarray, y: float,
                   numeric: bool = True) -> SampleComparison:
    """Call ``student`` in this process on copies of the inputs and compare with the engine.

    For the app. The call has no time limit: a function that never returns
    blocks the caller (run it in a worker thread, or use the ``check`` command).
    """
    return compare_call(student.call(*student_args(params, x, y)), params, x, y, numeric)


def compare_call(call: CallResult, params: Params, x: np.ndarray, y: float,
                 numeric: bool = True) -> SampleComparison:
    """Judge an already made call (in this process or a child) against the engine."""
    x = np.asarray(x, dtype=float)
    v = forward_backward(params, x, float(y))
    expected = {"pred": np.asarray(v["y_hat"], dtype=float), "loss": np.asarray(float(v["L"])),
                **{k: np.asarray(v[k], dtype=float) for k in ("dW1", "db1", "dW2", "db2")}}
    nums = numeric_gradients(params, x, float(y)) if numeric else {}
    numeric_of = {"d" + k: g for k, g in nums.items()}

    if call.raised is not None or call.values is None or len(call.values) != len(RETURNS):
        checks = {k: QuantityCheck(k, expected[k], None, None, False, None, "not compared",
                                   numeric_of.get(k)) for k in RETURNS}
        if call.raised is not None:
            mismatch = Mismatch(None, "raised", diagnose.explain_raised(call.raised),
                                call.raised)
        else:
            mismatch = Mismatch(None, "count",
                                diagnose.explain_count(call.values, call.returned, v))
        return SampleComparison(checks, mismatch, call.returned)

    got_all = dict(zip(RETURNS, call.values, strict=True))
    checks = {k: _check(k, expected[k], got_all[k], numeric_of.get(k)) for k in RETURNS}
    mismatch = None
    for k in CHECK_ORDER:
        if checks[k].band != "ok":
            mismatch = _mismatch(checks[k], v, checks, numeric_of.get(k), layers_text(params))
            break
    return SampleComparison(checks, mismatch, call.returned)


def _check(name: str, expected: np.ndarray, got: np.ndarray | str,
           numeric: np.ndarray | None) -> QuantityCheck:
    if isinstance(got, str):
        return QuantityCheck(name, expected, None, got, False, None, "missing", numeric)
    if name in ("pred", "loss"):
        shape_ok = got.size == 1
        flat = got.reshape(expected.shape) if shape_ok else None
    else:
        shape_ok = got.shape == expected.shape
        flat = got if shape_ok else None
    if flat is None:
        return QuantityCheck(name, expected, got, None, False, None, "shape", numeric)
    if not np.all(np.isfinite(flat)):
        return QuantityCheck(name, expected, got, None, True, None, "non-finite", numeric)
    error = float(np.max(relative_error(expected, flat)))
    num_err = None if numeric is None else float(np.max(relative_error(numeric, flat)))
    band = "ok" if error <= TOLERANCE else "wrong"
    return QuantityCheck(name, expected, got, None, True, error, band, numeric, num_err)


def _mismatch(check: QuantityCheck, v: dict[str, object], checks: dict[str, QuantityCheck],
              numeric: np.ndarray | None, layers: str) -> Mismatch:
    name = check.name
    if check.band == "missing":
        text = f"{name} is {check.got_text}, not numbers."
        if check.got_text and "Ellipsis" in check.got_text:
            text += " Replace the ... with the computation."
        return Mismatch(name, "missing", text)
    got = check.got
    assert got is not None
    if check.band == "shape":
        return Mismatch(name, "shape", diagnose.explain_shape(name, got, v, layers))
    if check.band == "non-finite":
        return Mismatch(name, "non-finite",
                        f"{name} contains nan or inf, although the engine's is finite "
                        f"({diagnose.fmt(check.expected)}): an overflow or 0/0 in the formula?")
    if name == "pred":
        text = diagnose.explain_pred(got, v)
    elif name == "loss":
        text = diagnose.explain_loss(got, v)
    else:
        student = {k: c.got for k, c in checks.items()
                   if k in diagnose.GRADIENTS and c.shape_ok and c.got is not None}
        text = diagnose.explain_gradient(name, got, v, student, numeric)
    return Mismatch(name, "value", text)
