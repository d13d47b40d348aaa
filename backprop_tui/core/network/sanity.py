"""Settings that make training meaningless, said in words before the run starts.

A sigmoid whose input is beyond ±20 has a gradient below 1e-9: backprop still
runs, but nothing moves, and a flat loss curve teaches the wrong lesson. Huge
initial weights saturate the units from the start; a huge learning rate does it
with the first update (``--lr 1e308`` trains to a flat loss). Both are legal
numbers, so they are warnings, not errors; what numpy would have printed as an
overflow warning is turned into the same sentence instead.
"""

from __future__ import annotations

import numpy as np

from .params import Params, sigmoid
from .phases import UPDATE_PHASE, run_phases

SATURATED = 20.0  # |z| beyond this: sigmoid'(z) < 2.1e-9
SAMPLE_ROWS = 256  # rows the test looks at: enough to be sure, cheap for any dataset


def saturated(params: Params, X: np.ndarray) -> str | None:
    """'every hidden unit' / 'the output unit' when saturated on every row of X, else None."""
    with np.errstate(all="ignore"):
        z1 = X @ params.W1.T + params.b1
        if np.all(np.abs(z1) > SATURATED):
            return "every hidden unit"
        z2 = sigmoid(z1) @ params.W2.T + params.b2
        if np.all(np.abs(z2) > SATURATED):
            return "the output unit"
    return None


def settings_warnings(params0: Params, X: np.ndarray, y: np.ndarray, first_row: int,
                      lr: float, init_scale: float, lab: bool = True) -> tuple[str, ...]:
    """One-line warnings about --init-scale and --lr, or nothing for sensible settings.

    Saturation is the lab's sigmoid network's trap; ``lab`` False (any other
    network) checks only that the initial weights are numbers."""
    sample = X[:SAMPLE_ROWS]
    if not params0.is_finite():
        return (f"--init-scale {init_scale:g} overflows: the initial weights are not finite "
                "numbers, so the run is meaningless; use a scale near 0.1",)
    if not lab:
        return ()
    what = saturated(params0, sample)
    if what is not None:
        reach = float(np.abs(sample).max())
        if reach > 1 and saturated(params0, sample / reach) is None:  # the data's doing
            return (f"the inputs reach {reach:g}: they saturate {what} from the start (|z| > "
                    f"{SATURATED:g} on every sample, sigmoid gradients below 1e-9): the loss "
                    "will barely move; try --normalize (inputs scaled to [0, 1])",)
        return (f"--init-scale {init_scale:g} saturates {what} from the start (|z| > "
                f"{SATURATED:g} on every sample, sigmoid gradients below 1e-9): the loss will "
                "barely move; try --init-scale 0.1",)
    values = run_phases(params0, X[first_row], float(y[first_row]), lr, upto=UPDATE_PHASE)
    after = Params(*(np.asarray(values[f"{n}_new"]) for n in ("W1", "b1", "W2", "b2")))
    if not after.is_finite():
        return ()  # the run diverges at once, and its divergence message says why
    what = saturated(after, sample)
    if what is not None:
        return (f"--lr {lr:g} saturates {what} with the first update (|z| > {SATURATED:g} on "
                "every sample, sigmoid gradients below 1e-9): the loss will stay flat; try a "
                "smaller --lr such as 0.5",)
    return ()
