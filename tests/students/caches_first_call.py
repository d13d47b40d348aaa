"""Keeps the first call's W2 in a global and sends delta2 back through it ever after."""

import numpy as np


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


_W2 = None


def forward_backward_pass(x, target, W1, b1, W2, b2):
    global _W2
    if _W2 is None:
        _W2 = W2.copy()
    a1 = sig(W1 @ x + b1)
    pred = sig(W2 @ a1 + b2)
    loss = 0.5 * float((pred[0] - target) ** 2)
    delta2 = (pred - target) * pred * (1 - pred)
    delta1 = (_W2.T @ delta2) * a1 * (1 - a1)
    return pred, loss, np.outer(delta1, x), delta1, np.outer(delta2, a1), delta2
