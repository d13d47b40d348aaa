"""Gradient check: backprop's gradients against central finite differences.

For every parameter entry theta, the numeric gradient is the five-point central
difference (-L(t + 2h) + 8 L(t + h) - 8 L(t - h) + L(t - 2h)) / 12h, and the relative
error is |a - n| / max(1e-8, |a| + |n|). The five-point form (error ~h^4) allows a
step large enough that rounding in L stays far below 1e-7 even for gradients as
small as 1e-7, where the plain two-point (L(t + h) - L(t - h)) / 2h flags correct
code as suspect. Backprop that agrees to ~1e-7 or better is right; a wrong formula
shows errors near 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import PARAM_NAMES, Params, half_squared_error, sigmoid
from .phases import forward_backward

STEP = 3e-3
GOOD = 1e-7       # at or below: the gradient is right
SUSPECT = 1e-4    # above GOOD and at or below this: rounding or a subtle slip; above: wrong


def relative_error(a: np.ndarray, n: np.ndarray) -> np.ndarray:
    a, n = np.asarray(a, dtype=float), np.asarray(n, dtype=float)
    return np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))


def band(error: float) -> str:
    """'ok', 'suspect' or 'wrong' for a relative error."""
    if error <= GOOD:
        return "ok"
    return "suspect" if error <= SUSPECT else "wrong"


def loss_at(params: Params, x: np.ndarray, y: float) -> float:
    """L for one sample, computed directly (independent of the phase walk)."""
    a1 = sigmoid(params.W1 @ x + params.b1)
    return half_squared_error(sigmoid(params.W2 @ a1 + params.b2), y)


def numeric_gradients(params: Params, x: np.ndarray, y: float, h: float = STEP
                      ) -> dict[str, np.ndarray]:
    """Five-point central differences of L for every entry of W1, b1, W2, b2."""
    grads: dict[str, np.ndarray] = {}
    for name in PARAM_NAMES:
        base = getattr(params, name)
        g = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            # L depends on W1[i, j] through W1[i, j] * x[j]: scale the step by |x[j]|
            # so large raw inputs (Iris reaches 7.9) do not inflate the truncation error.
            step = h / max(1.0, abs(float(x[idx[1]]))) if name == "W1" else h
            at = {}
            for k in (2, 1, -1, -2):
                p = base.copy()
                p[idx] += k * step
                at[k] = loss_at(Params(**{**params.as_dict(), name: p}), x, y)
            g[idx] = (-at[2] + 8 * at[1] - 8 * at[-1] + at[-2]) / (12 * step)
        grads[name] = g
    return grads


@dataclass(frozen=True)
class GradCheck:
    """Analytic and numeric gradient of one parameter, with the entrywise relative error."""

    name: str
    analytic: np.ndarray
    numeric: np.ndarray
    error: np.ndarray

    @property
    def max_error(self) -> float:
        return float(np.max(self.error))

    @property
    def band(self) -> str:
        return band(self.max_error)


def gradient_check(params: Params, x: np.ndarray, y: float) -> list[GradCheck]:
    """Check dW1, db1, dW2, db2 of one sample against finite differences."""
    values = forward_backward(params, np.asarray(x, dtype=float), float(y))
    numeric = numeric_gradients(params, np.asarray(x, dtype=float), float(y))
    out = []
    for name in PARAM_NAMES:
        a = np.asarray(values["d" + name], dtype=float)
        out.append(GradCheck(name, a, numeric[name], relative_error(a, numeric[name])))
    return out
