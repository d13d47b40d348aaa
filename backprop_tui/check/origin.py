"""Where a wrong gradient starts: the student's delta2 and delta1, read back from what they return.

The lab's function returns gradients, not the deltas behind them, so a wrong delta2
would only show up at the dW2 phase. But db2 IS delta2 and db1 IS delta1 (a bias's
input is 1), and dW2 = delta2 a1^T, dW1 = delta1 x^T can be divided back; so the
student's deltas can be derived and compared too. That says whether an error starts
at delta2 (the output error: (y_hat − y) or σ'(z2)) or later, in the outer product
or the bias line, and lets the app show it at the delta2 phase.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..core.network.gradcheck import GOOD, relative_error
from .names import label

SOURCES = {"delta2": ("db2", "dW2", "a1"), "delta1": ("db1", "dW1", "x")}


@dataclass(frozen=True)
class DerivedDelta:
    """A student's delta, derived from their returned gradients, against the engine's.

    ``band`` is 'ok', 'wrong' or 'unknown' (nothing usable to derive it from);
    ``source`` says how it was derived ('db2', 'dW2 / a1', ...).
    """

    name: str
    expected: np.ndarray
    value: np.ndarray | None
    source: str | None
    error: float | None
    band: str


@dataclass(frozen=True)
class Origin:
    """The phase where the student's first wrong gradient starts, with one line saying why.

    ``phase`` is a phase key of :data:`backprop_tui.core.network.phases.PHASES`: 'delta2' or
    'delta1' when the error is already in that delta, else 'dW2' or 'dW1'.
    """

    phase: str
    delta: DerivedDelta
    text: str
    short: str = ""  # the text without the slip's words, for a report that gives them already

    @property
    def starts_at_delta2(self) -> bool:
        return self.phase == "delta2"


def _candidates(name: str, grads: Mapping[str, np.ndarray], v: Mapping[str, object]
                ) -> list[tuple[np.ndarray, str]]:
    bias, weight, inp = SOURCES[name]
    n = np.asarray(v[name]).size
    out = []
    if bias in grads and grads[bias].size == n:
        out.append((grads[bias].reshape(-1), bias))
    w, u = grads.get(weight), np.asarray(v[inp], dtype=float).reshape(-1)
    if w is not None and w.shape == (n, u.size) and np.any(u != 0):
        cols = w[:, u != 0] / u[u != 0]
        if np.all(np.isfinite(cols)) and np.all(np.abs(cols - cols[:, :1]) <= 1e-9
                                                 * np.maximum(np.abs(cols[:, :1]), 1e-300)):
            out.append((cols[:, 0], f"{weight} / {inp}"))
    return out


def _numbers(a: np.ndarray) -> str:
    return "[" + ", ".join(f"{float(v):.6g}" for v in a.reshape(-1)) + "]"


def derive(name: str, grads: Mapping[str, np.ndarray], v: Mapping[str, object]) -> DerivedDelta:
    """The student's ``name`` ('delta2' or 'delta1') from their usable gradients.

    Right when any derivation equals the engine's (the delta was right and a later
    line misused it); otherwise the first derivation (the bias gradient) is shown.
    """
    expected = np.asarray(v[name], dtype=float).reshape(-1)
    found = _candidates(name, grads, v)
    if not found:
        return DerivedDelta(name, expected, None, None, None, "unknown")
    errors = [float(np.max(relative_error(expected, value))) for value, _ in found]
    best = int(np.argmin(errors))
    pick = best if errors[best] <= GOOD else 0
    value, source = found[pick]
    return DerivedDelta(name, expected, value, source, errors[pick],
                        "ok" if errors[pick] <= GOOD else "wrong")


def origin(first_wrong: str | None, deltas: Mapping[str, DerivedDelta],
           slip_words: str | None = None) -> Origin | None:
    """Where the first wrong gradient (dW2, db2, dW1 or db1) starts, or None for others."""
    if first_wrong not in ("dW2", "db2", "dW1", "db1"):
        return None
    name = "delta2" if first_wrong in ("dW2", "db2") else "delta1"
    d = deltas[name]
    later = "dW2" if name == "delta2" else "dW1"
    lbl = label(name)
    if d.band == "unknown":
        return Origin(later, d, f"your {lbl} cannot be read back from your gradients "
                                f"(no usable {SOURCES[name][0]}), so it may be either.")
    shown, right = _numbers(np.asarray(d.value)), _numbers(d.expected)
    if d.band == "ok":
        return Origin(later, d, f"your {lbl} is right ({shown}, read from your {d.source}); "
                                f"the error starts after it, in {first_wrong}'s own line.")
    formula = ("(y_hat − y)·σ'(z2)" if name == "delta2" else "(W2^T delta2) * σ'(z1)")
    why = f": {slip_words}" if slip_words else ""
    head = (f"the error starts at {lbl}: yours is {shown} (read from your {d.source}), the "
            f"engine's {right} = {formula}")
    return Origin(name, d, f"{head}{why}.", f"{head}.")
