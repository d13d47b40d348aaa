"""Numbers that differ only in the last digits: float32 recognised, approximations sized, and
digits that show the gap.

A right formula computed in float32 misses the exact values by about 1e-7 relative,
just over the check's tolerance. That is not a formula error, and the report must
say so, but ONLY of code that computes in float32: forward differences, a clipped
sigmoid or a little noise are close too, and "float32" would send their author
looking for a dtype that is not there. So float32 is named when the student's
values are float32 values (their dtype, or numbers float32 can hold exactly), or
agree with the sample recomputed in float32 far better than with the exact one;
any other close miss is "approximate", with its size. Printing six digits would
show "expected 0.00449496, got 0.00449496", so values are printed with as many
digits as it takes for the two to differ.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..core.network.gradcheck import FLOOR, GOOD, SUSPECT, relative_error

LOW_PRECISION = ("float32", "float16")
# float32 rounding of the same formulas, times this, still counts as "float32 precision".
SLACK = 100.0
# Closer to the float32 recomputation than to the exact values by this factor: float32 maths.
AGREE = 10.0
# Every quantity off by at most this fraction of its largest entry: "approximate".
APPROXIMATE = SUSPECT


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


def _max_error(reference: np.ndarray, got: np.ndarray) -> float:
    return float(np.max(relative_error(np.asarray(reference, dtype=float).reshape(got.shape),
                                       got)))


def _float32_numbers(got: np.ndarray, exact: np.ndarray, ref32: np.ndarray) -> bool:
    """float32 maths returned as float64: numbers float32 holds exactly, or the float32
    recomputation's own numbers far more closely than the exact ones."""
    with np.errstate(over="ignore"):
        held = bool(np.all(got.astype(np.float32).astype(float) == got))
    return held or AGREE * _max_error(ref32, got) <= _max_error(exact, got)


def float32_words(got: Mapping[str, np.ndarray], exact: Mapping[str, np.ndarray],
                  params: Mapping[str, np.ndarray], x: np.ndarray, y: float,
                  dtypes: Mapping[str, str]) -> str | None:
    """Why every difference is float32 rounding, or None when it is not only that.

    ``got`` and ``exact`` hold the quantities compared (same shapes; exact: the
    sample's exact values); ``dtypes`` what the student's values were (numpy names).
    """
    low = sorted({d for d in dtypes.values() if d in LOW_PRECISION})
    if not got or "float16" in low:
        return None  # half precision is off by far more than the float32 model allows
    ref32 = engine_float32(params, x, y)
    worst = 0.0
    for k, g in got.items():
        err = _max_error(exact[k], g)
        lost = _max_error(exact[k], np.asarray(ref32[k], dtype=float))
        if err > SLACK * max(lost, float(np.finfo(np.float32).eps)):
            return None
        if not low and err > GOOD and not _float32_numbers(g, np.asarray(exact[k]), ref32[k]):
            return None  # close, but nothing in it says float32
        worst = max(worst, err)
    how = (f"your function returns {' and '.join(low)} arrays" if low else
           "your values match the same formulas computed in float32")
    return (f"the formulas are right, the precision is not: {how}. float32 keeps about 7 "
            f"significant digits, so your values differ from the engine's float64 ones by up "
            f"to {worst:.1e} relative, above the check's 1e-7. Compute in float64 (numpy's "
            "default): drop dtype=np.float32 or .astype(np.float32).")


def approximate_words(name: str, got: Mapping[str, np.ndarray],
                      exact: Mapping[str, np.ndarray], errors: Mapping[str, float]
                      ) -> str | None:
    """Words for wrong values that are all close to exact without being float32, or None.

    ``got`` holds the wrong quantities, ``name`` the first of them (the one reported),
    ``errors`` the judged relative error of each. Close means every one within
    APPROXIMATE of its largest entry: an approximation (a finite difference, a
    clipped sigmoid, noise), not a slip, which would be off by far more.
    """
    for k, g in got.items():
        e = np.asarray(exact[k], dtype=float).reshape(g.shape)
        if float(np.max(np.abs(g - e))) > APPROXIMATE * max(float(np.max(np.abs(e))), FLOOR):
            return None
    g = got[name].reshape(-1)
    e = np.asarray(exact[name], dtype=float).reshape(-1)
    i = int(np.argmax(relative_error(e, g)))
    at = f"{name}[{', '.join(str(int(j)) for j in np.unravel_index(i, got[name].shape))}]" \
        if got[name].ndim else name
    digits = digits_to_differ(e[i:i + 1], g[i:i + 1])
    others = [k for k in got if k != name]
    also = f" ({', '.join(others)} too)" if others else ""
    return (f"your values are approximate: close to the engine's, but not equal. {name} is "
            f"off by up to {errors[name]:.1e} relative{also}, above the check's 1e-7: at {at} "
            f"yours is {g[i]:.{digits}g}, the exact value {e[i]:.{digits}g} (a difference of "
            f"{abs(g[i] - e[i]):.1e}). No known slip gives your numbers, nor does a lower "
            "precision, so something approximates: a finite difference instead of the formula, "
            "a clipped or rounded sigmoid, a value perturbed on purpose? Compute each "
            "quantity by its formula in float64.")


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
