"""Numbers that differ only in the last digits: float32 recognised, and digits that show the gap.

A right formula computed in float32 misses the engine's float64 values by about
1e-7 relative, just over the check's tolerance. That is not a formula error, and
the report must say so; it recomputes the sample in float32 and compares the size
of the student's differences with what float32 itself loses on this sample.
Printing six digits would then show "expected 0.00449496, got 0.00449496", so
values are printed with as many digits as it takes for the two to differ.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..core.gradcheck import relative_error

LOW_PRECISION = ("float32", "float16")
# float32 rounding of the same formulas, times this, still counts as "float32 precision".
SLACK = 100.0


def _sigmoid32(z: np.ndarray) -> np.ndarray:
    one = np.float32(1)
    with np.errstate(over="ignore"):
        return one / (one + np.exp(-z))


def engine_float32(params: Mapping[str, np.ndarray], x: np.ndarray, y: float
                   ) -> dict[str, np.ndarray]:
    """The lab's six returned values, every operation in float32."""
    f = np.float32
    W1, b1, W2, b2 = (np.asarray(params[k], dtype=f) for k in ("W1", "b1", "W2", "b2"))
    x32, y32 = np.asarray(x, dtype=f), f(y)
    a1 = _sigmoid32(W1 @ x32 + b1)
    pred = _sigmoid32(W2 @ a1 + b2)
    e = pred - y32
    loss = f(0.5) * e * e
    d2 = e * pred * (f(1) - pred)
    d1 = (W2.T @ d2) * a1 * (f(1) - a1)
    return {"pred": pred, "loss": loss, "dW1": np.outer(d1, x32), "db1": d1,
            "dW2": np.outer(d2, a1), "db2": d2}


def float32_words(got: Mapping[str, np.ndarray], expected: Mapping[str, np.ndarray],
                  params: Mapping[str, np.ndarray], x: np.ndarray, y: float,
                  dtypes: Mapping[str, str]) -> str | None:
    """Why every difference is float32 rounding, or None when it is not only that.

    ``got`` and ``expected`` hold the quantities compared (same shapes); ``dtypes``
    what the student's values were (numpy names).
    """
    if not got:
        return None
    ref32 = engine_float32(params, x, y)
    worst = 0.0
    for k, g in got.items():
        exp = np.asarray(expected[k], dtype=float).reshape(g.shape)
        err = float(np.max(relative_error(exp, g)))
        lost = float(np.max(relative_error(exp, np.asarray(ref32[k], dtype=float)
                                           .reshape(g.shape))))
        if err > SLACK * max(lost, float(np.finfo(np.float32).eps)):
            return None
        worst = max(worst, err)
    low = sorted({d for d in dtypes.values() if d in LOW_PRECISION})
    if "float16" in low:
        return None  # half precision is off by far more than the float32 model allows
    how = (f"your function returns {' and '.join(low)} arrays" if low else
           "your values match the same formulas computed in float32")
    return (f"the formulas are right, the precision is not: {how}. float32 keeps about 7 "
            f"significant digits, so your values differ from the engine's float64 ones by up "
            f"to {worst:.1e} relative, above the check's 1e-7. Compute in float64 (numpy's "
            "default): drop dtype=np.float32 or .astype(np.float32).")


def digits_to_differ(expected: np.ndarray, got: np.ndarray, least: int = 6) -> int:
    """Significant digits at which the entry that differs most prints differently (at most 17)."""
    e, g = np.asarray(expected, dtype=float).reshape(-1), np.asarray(got, dtype=float).reshape(-1)
    if e.size != g.size or e.size == 0 or not (np.all(np.isfinite(e)) and np.all(np.isfinite(g))):
        return least
    i = int(np.argmax(relative_error(e, g)))
    for digits in range(least, 18):
        if f"{e[i]:.{digits}g}" != f"{g[i]:.{digits}g}":
            return digits
    return least
