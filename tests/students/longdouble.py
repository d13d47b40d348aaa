"""Right, every operation in np.longdouble (extended precision), returned as float64."""

import numpy as np


def sig(z):
    return 1 / (1 + np.exp(-z))


def forward_backward_pass(x, target, W1, b1, W2, b2):
    x, W1, b1, W2, b2 = (np.asarray(a, dtype=np.longdouble) for a in (x, W1, b1, W2, b2))
    target = np.longdouble(target)
    a1 = sig(W1 @ x + b1)
    pred = sig(W2 @ a1 + b2)
    loss = (pred[0] - target) ** 2 / 2
    delta2 = (pred - target) * pred * (1 - pred)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    out = pred, loss, np.outer(delta1, x), delta1, np.outer(delta2, a1), delta2
    return tuple(np.asarray(v, dtype=np.float64) for v in out)
