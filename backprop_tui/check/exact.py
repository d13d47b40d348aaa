"""The lab's six quantities as exact as this machine computes them, and how far float64 may stray.

The engine computes in float64 the way the lab writes it: σ'(z) = a(1 − a). For a
saturated unit (a = 1 − 2e-11) the subtraction 1 − a keeps only the last few
digits of a, so the engine's σ'(z) is off by up to u/(1 − a), about 6e-6 relative
on raw Iris with large weights. A student who writes σ'(z) = e^−z/(1 + e^−z)², works
in longdouble or Decimal, or differentiates by complex step is MORE accurate there,
and a judge that compared with the engine to 1e-7 failed exactly them.

So the pass/fail decision compares with values whose own error is known: the same
quantities recomputed in np.longdouble (64-bit mantissa on x86; float64 elsewhere)
with every 1 − σ(z) taken as σ(−z), so no subtraction cancels. Each entry also gets
``bound``, a first-order bound on how far ANY correct float64 computation may be
from it (the engine's way is the least accurate usual one): each operation adds u
times the size of what it combines, carried forward by its local derivative, as
:mod:`backprop_tui.core.network.gradcheck` does for the loss. A student's value within that
bound is as right as float64 allows; a wrong formula is off by far more. The
engine's float64 values stay what the report shows.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..core.network.gradcheck import FLOOR, relative_error

LD = np.longdouble
U = float(np.finfo(float).eps) / 2  # float64's unit roundoff
SAFETY = 4.0  # the bound is first order and per operation; a margin keeps it above the truth
QUANTITIES = ("pred", "loss", "dW1", "db1", "dW2", "db2")


def _sigmoid_pair(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """σ(z) and 1 − σ(z) = σ(−z), both from exp(−|z|): no cancellation, no overflow."""
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(z))
    big, small = 1 / (1 + e), e / (1 + e)
    return np.where(z >= 0, big, small), np.where(z >= 0, small, big)


def exact_values(params: Mapping[str, np.ndarray], x: np.ndarray, y: float
                 ) -> dict[str, np.ndarray]:
    """pred, loss and the four gradients in extended precision (np.longdouble arrays)."""
    W1, b1, W2, b2 = (np.asarray(params[k], dtype=LD) for k in ("W1", "b1", "W2", "b2"))
    xl, yl = np.asarray(x, dtype=LD), LD(y)
    a1, s1 = _sigmoid_pair(W1 @ xl + b1)
    pred, s2 = _sigmoid_pair(W2 @ a1 + b2)
    e = pred - yl
    d2 = e * pred * s2
    d1 = (W2.T @ d2) * a1 * s1
    return {"pred": pred, "loss": np.asarray(e[0] * e[0] / 2), "dW1": np.outer(d1, xl),
            "db1": d1, "dW2": np.outer(d2, a1), "db2": d2}


def float64_bounds(params: Mapping[str, np.ndarray], x: np.ndarray, y: float
                   ) -> dict[str, np.ndarray]:
    """Per entry, how far a correct float64 computation of each quantity may be from exact."""
    W1, b1, W2, b2 = (np.asarray(params[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    x = np.asarray(x, dtype=float)
    n, h = x.size, b1.size
    with np.errstate(all="ignore"):
        a1_l, s1_l = _sigmoid_pair(np.asarray(W1 @ x + b1, dtype=LD))
        a1, s1 = a1_l.astype(float), s1_l.astype(float)
        pred_l, s2_l = _sigmoid_pair(np.asarray(W2 @ a1 + b2, dtype=LD))
        pred, s2 = pred_l.astype(float), s2_l.astype(float)
        e = pred - float(y)
        ds1 = a1 * s1
        dsig2 = pred * s2
        d2 = e * dsig2
        back = W2.T @ d2
        d1 = back * ds1
        # z = W v + b: a sum of k products is off by k u times their magnitudes.
        dz1 = U * (n + 1) * (np.abs(W1) @ np.abs(x) + np.abs(b1))
        da1 = 4 * U * a1 + ds1 * dz1      # a sigmoid: a few roundings, plus its input's error
        ds1_err = da1 + U * s1            # 1 − a inherits a's absolute error: the cancellation
        dds1 = s1 * da1 + a1 * ds1_err + U * ds1
        dz2 = U * (h + 1) * (np.abs(W2) @ a1 + np.abs(b2)) + np.abs(W2) @ da1
        dpred = 4 * U * pred + dsig2 * dz2
        dds2 = s2 * dpred + pred * (dpred + U * s2) + U * dsig2
        de = dpred + U * np.abs(e)
        dd2 = dsig2 * de + np.abs(e) * dds2 + 2 * U * np.abs(d2)
        dback = np.abs(W2.T) @ dd2 + U * np.abs(back)
        dd1 = ds1 * dback + np.abs(back) * dds1 + 2 * U * np.abs(d1)
        loss = 0.5 * e[0] * e[0]
        out = {"pred": dpred, "loss": np.asarray(abs(e[0]) * de[0] + 4 * U * loss),
               "dW1": np.outer(dd1, np.abs(x)) + U * np.abs(np.outer(d1, x)), "db1": dd1,
               "dW2": np.outer(dd2, a1) + np.outer(np.abs(d2), da1) + U * np.abs(np.outer(d2, a1)),
               "db2": dd2}
    return {k: SAFETY * np.nan_to_num(np.asarray(v, dtype=float), nan=np.inf, posinf=np.inf)
            for k, v in out.items()}


class Reference:
    """The exact values of one sample and each entry's allowance, for judging a student.

    ``allowance`` is the float64 bound, and never less than the engine's own distance
    from exact, so a student who computes exactly as the engine does always passes.
    """

    def __init__(self, params: Mapping[str, np.ndarray], x: np.ndarray, y: float,
                 engine: Mapping[str, np.ndarray]) -> None:
        exact = exact_values(params, x, y)
        bounds = float64_bounds(params, x, y)
        self.exact = {k: np.asarray(v, dtype=float) for k, v in exact.items()}
        self.allowance: dict[str, np.ndarray] = {}
        for k in QUANTITIES:
            eng = np.asarray(engine[k], dtype=float).reshape(self.exact[k].shape)
            with np.errstate(invalid="ignore", over="ignore"):
                off = np.abs(np.asarray(eng, dtype=LD) - exact[k]).astype(float)
            self.allowance[k] = np.fmax(bounds[k], np.nan_to_num(off, nan=0.0))

    def error(self, name: str, got: np.ndarray) -> float:
        """The judged relative error: at most GOOD when ``got`` is within float64's own reach."""
        exact = self.exact[name]
        return float(np.max(relative_error(exact, np.asarray(got).reshape(exact.shape),
                                           self.allowance[name])))

    def normwise(self, name: str, got: np.ndarray) -> float:
        """Largest absolute difference over the quantity's largest entry: how approximate."""
        exact = self.exact[name]
        diff = np.abs(np.asarray(got, dtype=float).reshape(exact.shape) - exact)
        return float(np.max(diff) / max(float(np.max(np.abs(exact))), FLOOR))

