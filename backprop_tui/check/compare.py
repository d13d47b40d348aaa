"""Comparing one call of a student's ``forward_backward_pass`` with the engine, per sample.

Each returned quantity is judged by its values, not its representation: pred and
loss may be any size-1 shape, and a gradient any shape that the lab's update line
``P - lr * dP`` applies to P unchanged (a scalar db2 works; a note says so). Values
are compared by relative error with the sample's exact values, each entry allowed the
error float64 itself makes there (<= 1e-7 is right; see :mod:`.exact`). For gradients
the central finite-difference value is a third opinion, so a disagreement can be
told apart from an engine bug. A call that changes its arguments in place is
wrong whatever it returns: in the lab's loop those arguments are the training
state. Otherwise the first failure, in the order the network computes things
(pred, loss, dW2, db2, dW1, db1), is the mismatch: a wrong output error makes
every gradient behind it wrong too, and the root is what the student must fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.network.gradcheck import numeric_with_bounds
from ..core.network.params import Params
from ..core.network.phases import forward_backward
from . import diagnose, shapes, slips
from .exact import Reference
from .loader import PARAMETERS, RETURNS, CallResult, Student
from .names import label
from .origin import DerivedDelta, Origin, derive, origin
from .quantities import PARAM_OF, TOLERANCE, Mismatch, QuantityCheck, check_quantity  # noqa: F401 (TOLERANCE: re-exported)
from .state import explain_mutation
from .verdict import Sample, explain

CHECK_ORDER = ("pred", "loss", "dW2", "db2", "dW1", "db1")
PHASE_OF = {"pred": "y_hat", "loss": "L", "dW2": "dW2", "db2": "dW2", "dW1": "dW1",
            "db1": "dW1"}


@dataclass(frozen=True)
class SampleComparison:
    """Every quantity of one sample, in the lab's return order, and the first mismatch.

    ``deltas`` holds the student's delta2 and delta1 as derived from their gradients;
    ``origin`` where the first wrong gradient starts (None when none is wrong).
    """

    quantities: dict[str, QuantityCheck]
    mismatch: Mismatch | None
    returned: str
    deltas: dict[str, DerivedDelta] = field(default_factory=dict)
    origin: Origin | None = None
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.mismatch is None

    @property
    def mismatched(self) -> QuantityCheck | None:
        if self.mismatch is None or self.mismatch.quantity is None:
            return None
        return self.quantities[self.mismatch.quantity]

    @property
    def error_starts_at_delta2(self) -> bool:
        """True when the student's first wrong gradient is already wrong in delta2."""
        return self.origin is not None and self.origin.starts_at_delta2

    @property
    def explain_at(self) -> str | None:
        """The phase key (of core.phases.PHASES) where the first mismatch shows first.

        'delta2' for a wrong delta2 (read back from db2), so a stepping view can
        explain it there rather than at dW2; 'load' for the call as a whole (it
        raised, changed its arguments, ...); None when everything matched.
        """
        m = self.mismatch
        if m is None:
            return None
        if self.origin is not None:
            return self.origin.phase
        return PHASE_OF.get(m.quantity or "", "load")


def layers_text(params: Params) -> str:
    """'3-2-1' for the lab: what a wrongly shaped update would stop the network being."""
    return f"{params.n_inputs}-{params.n_hidden}-1"


def student_args(params: Params, x: np.ndarray, y: float) -> tuple[object, ...]:
    """The lab's call: x and target as its loop yields them, then W1, b1, W2, b2 (copies)."""
    return (np.array(x, dtype=float), np.float64(y), params.W1.copy(), params.b1.copy(),
            params.W2.copy(), params.b2.copy())


def compare_sample(student: Student, params: Params, x: np.ndarray, y: float,
                   numeric: bool = True, lr: float | None = None) -> SampleComparison:
    """Call ``student`` in this process on copies of the inputs and compare with the engine.

    For the app. The call has no time limit: a function that never returns
    blocks the caller (run it in a worker thread, or use the ``check`` command).
    """
    return compare_call(student.call(*student_args(params, x, y)), params, x, y, numeric, lr)


def compare_call(call: CallResult, params: Params, x: np.ndarray, y: float,
                 numeric: bool = True, lr: float | None = None) -> SampleComparison:
    """Judge an already made call (in this process or a child) against the engine.

    ``lr``, the session's learning rate, lets updated weights returned for gradients
    be recognised as W − lr·dW (without it the step is fitted).
    """
    x = np.asarray(x, dtype=float)
    v = forward_backward(params, x, float(y))
    expected = {"pred": np.asarray(v["y_hat"], dtype=float), "loss": np.asarray(float(v["L"])),
                **{k: np.asarray(v[k], dtype=float) for k in ("dW1", "db1", "dW2", "db2")}}
    nums, bounds = numeric_with_bounds(params, x, float(y)) if numeric else ({}, {})
    numeric_of = {"d" + k: g for k, g in nums.items()}
    bound_of = {"d" + k: g for k, g in bounds.items()}

    if call.raised is not None or call.values is None or len(call.values) != len(RETURNS):
        checks = {k: QuantityCheck(k, expected[k], None, None, False, None, "not compared",
                                   numeric_of.get(k)) for k in RETURNS}
        if call.raised is not None:
            mismatch = Mismatch(None, "raised", shapes.explain_raised(
                call.raised, (params.n_inputs, params.n_hidden)), call.raised)
        else:
            mismatch = Mismatch(None, "count",
                                diagnose.explain_count(call.values, call.returned, v))
        return SampleComparison(checks, mismatch, call.returned)

    ref = Reference(params.as_dict(), x, float(y), expected)
    got_all = dict(zip(RETURNS, call.values, strict=True))
    checks = {k: check_quantity(k, expected[k], got_all[k], ref, numeric_of.get(k),
                                bound_of.get(k)) for k in RETURNS}
    grads = {k: (c.value if c.value is not None else c.got) for k, c in checks.items()
             if k in PARAM_OF and c.got is not None and c.band != "non-finite"}
    deltas = {name: derive(name, {k: np.asarray(g) for k, g in grads.items()}, v)
              for name in ("delta2", "delta1")}
    notes = tuple(c.note for c in checks.values() if c.note)
    first = next((k for k in CHECK_ORDER if checks[k].band != "ok"), None)
    mismatch, found = None, None
    if first is not None:
        sample = Sample(params, x, float(y), dict(zip(RETURNS, call.dtypes, strict=False)),
                        layers_text(params), ref, lr)
        mismatch, found = explain(checks[first], v, checks, grads, bound_of, sample)
    if call.mutated:  # wrong whatever it returns: the arguments are the loop's training state
        sent = dict(zip(PARAMETERS, student_args(params, x, y), strict=True))
        text = explain_mutation(call.mutated, sent, {k: np.asarray(g) for k, g in grads.items()})
        if mismatch is not None:
            text += f" Your returned {label(first or '')} differs too: {mismatch.explanation}"
        mismatch = Mismatch(None, "mutated", text)
    where = None
    if first in PARAM_OF and mismatch is not None and mismatch.kind in ("value", "shape"):
        where = origin(first, deltas, _delta_words(found, first))
    return SampleComparison(checks, mismatch, call.returned, deltas, where, notes)


def _delta_words(found: slips.Diagnosis | None, first: str) -> str | None:
    """The slip behind a wrong delta, in words, when the catalogue reproduces it."""
    if found is None or not found.complete:
        return None
    layer = ("error", "dsig2") if first in ("dW2", "db2") else ("dsig1", "back")
    own = tuple(o for o in found.slips if o.group in layer)
    return slips.Diagnosis(own, found.explained, True, found.c).words() if own else None
