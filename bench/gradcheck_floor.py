"""How often the gradient check accuses correct code: the old fixed floor against the bound.

Why: the check a student trusts must never flag correct float64 backprop. On raw Iris
(targets up to 2.5, so L stays near 1) the finite difference's rounding, about eps L / h,
over the old fixed 1e-8 floor flagged correct gradients. This bench walks the same
positions as tests/test_gradcheck.py (raw Iris and the lab, init scale 0.1 to 3, lr 0.5
and 2, hidden 1 to 7), takes the engine's gradients and the same five-point finite
differences, and counts, side by side, the gradients called 'suspect' or 'wrong' by
the old formula |a - n| / max(1e-8, |a| + |n|) and by the new one with the finite
difference's own error bound. It also times the vectorised finite differences against
a per-entry loop (the old implementation's shape). Exit status 1 if the new formula
flags anything.

    python bench/gradcheck_floor.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from backprop_tui.core.network.gradcheck import (
    STEP,
    band,
    loss_at,
    numeric_with_bounds,
    relative_error,
)
from backprop_tui.core.network.params import PARAM_NAMES, Params
from backprop_tui.core.network.phases import forward_backward

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_gradcheck import sweep_positions  # noqa: E402


def loop_numeric(params: Params, x: np.ndarray, y: float) -> dict[str, np.ndarray]:
    """The five-point differences entry by entry, as the old implementation computed them."""
    out = {}
    for name in PARAM_NAMES:
        base = getattr(params, name)
        g = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            step = STEP / max(1.0, abs(float(x[idx[1]]))) if name == "W1" else STEP
            at = {}
            for k in (2, 1, -1, -2):
                p = base.copy()
                p[idx] += k * step
                at[k] = loss_at(Params(**{**params.as_dict(), name: p}), x, y)
            g[idx] = (-at[2] + 8 * at[1] - 8 * at[-1] + at[-2]) / (12 * step)
        out[name] = g
    return out


def main() -> int:
    positions = sweep_positions()
    fixed = bounded = total = 0
    worst_fixed = worst_bounded = 0.0
    for _, p, x, y in positions:
        v = forward_backward(p, x, y)
        numeric, bounds = numeric_with_bounds(p, x, y)
        for name in PARAM_NAMES:
            a = np.asarray(v["d" + name])
            old = float(np.max(relative_error(a, numeric[name])))
            new = float(np.max(relative_error(a, numeric[name], bounds[name])))
            fixed += band(old) != "ok"
            bounded += band(new) != "ok"
            worst_fixed, worst_bounded = max(worst_fixed, old), max(worst_bounded, new)
            total += 1
    print(f"{len(positions)} positions, {total} gradients of correct backprop")
    print(f"  fixed floor 1e-8: {fixed:4d} flagged, worst relative error {worst_fixed:.2e}")
    print(f"  with the bound:   {bounded:4d} flagged, worst relative error {worst_bounded:.2e}")
    sample = positions[:: max(1, len(positions) // 100)]
    start = time.perf_counter()
    for _, p, x, y in sample:
        loop_numeric(p, x, y)
    loop = time.perf_counter() - start
    start = time.perf_counter()
    for _, p, x, y in sample:
        numeric_with_bounds(p, x, y)
    vector = time.perf_counter() - start
    print(f"finite differences over {len(sample)} positions: per-entry loop {loop * 1e3:.0f} ms, "
          f"vectorised with bounds {vector * 1e3:.0f} ms ({loop / vector:.1f}x)")
    return 1 if bounded else 0


if __name__ == "__main__":
    sys.exit(main())
