"""One returned quantity judged against the engine: its shape by the update line, its value by
the exact reference.

A gradient is judged by what the lab's loop does with it (``P - lr * dP``), so any
shape that broadcasts back to P's own shape is accepted with a note. Its value is
judged against the sample's exact values (:mod:`.exact`), allowing each entry the
error float64 itself makes there, not against the engine's float64 numbers: where
the engine's a(1 − a) loses digits, a student who keeps them must not fail. Shapes
are decided before any value is looked at, so a giant wrongly shaped array costs
nothing beyond its shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.network.gradcheck import GOOD, relative_error
from . import shapes
from .exact import Reference
from .loader import Raised
from .names import label
from .values import TooLarge

TOLERANCE = GOOD
PARAM_OF = shapes.GRADIENTS


@dataclass(frozen=True)
class QuantityCheck:
    """One returned quantity against the engine.

    ``band`` is 'ok' or 'wrong' (by relative error), 'shape', 'missing' (not
    returned, or not numbers), 'non-finite', or 'not compared' (the call failed).
    ``expected`` is the engine's float64 value (what the report shows); ``error``
    the relative error against the exact value, float64's own rounding allowed for.
    ``note`` says why an unusual shape was accepted.
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
    note: str | None = None

    @property
    def label(self) -> str:
        """The lab's name and the app's: 'pred (y_hat)'."""
        return label(self.name)

    @property
    def value(self) -> np.ndarray | None:
        """The student's value in the engine's shape, when its shape was accepted."""
        if self.got is None or not self.shape_ok:
            return None
        if self.name in ("pred", "loss"):
            return self.got.reshape(self.expected.shape)
        return np.broadcast_to(self.got, self.expected.shape)


@dataclass(frozen=True)
class Mismatch:
    """The first thing wrong in a sample: which quantity (None: the call as a whole), and why.

    ``kind``: 'raised', 'count', 'mutated', 'state', 'missing', 'shape', 'non-finite',
    'value', 'updated' (updated weights returned for gradients), 'precision' (right
    formulas, float32 numbers) or 'approximate' (close, but no slip and no float32).
    """

    quantity: str | None
    kind: str
    explanation: str
    raised: Raised | None = None


def check_quantity(name: str, expected: np.ndarray, got: np.ndarray | str, ref: Reference,
                   numeric: np.ndarray | None, bound: np.ndarray | None) -> QuantityCheck:
    """Shape first (cheap, whatever the size), then finiteness, then the value."""
    if isinstance(got, str):  # words; a too-large array's words keep its (wrong) shape
        band = "shape" if isinstance(got, TooLarge) else "missing"
        return QuantityCheck(name, expected, None, got, False, None, band, numeric)
    note = None
    if name in ("pred", "loss"):
        shape_ok = got.size == 1
        flat = got.reshape(expected.shape) if shape_ok else None
    else:
        shape_ok = shapes.accepted(expected.shape, got.shape)
        flat = np.broadcast_to(got, expected.shape) if shape_ok else None
    if flat is None:
        return QuantityCheck(name, expected, got, None, False, None, "shape", numeric)
    if not np.all(np.isfinite(flat)):
        return QuantityCheck(name, expected, got, None, True, None, "non-finite", numeric)
    error = ref.error(name, flat)
    num_err = None if numeric is None else float(np.max(relative_error(numeric, flat, bound)))
    band = "ok" if error <= TOLERANCE else "wrong"
    if band == "ok" and got.shape != expected.shape and name in PARAM_OF:
        note = shapes.representation_note(name, expected.shape, got.shape)
    return QuantityCheck(name, expected, got, None, True, error, band, numeric, num_err, note)
