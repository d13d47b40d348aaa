"""Right formulas, with 1e-9 of noise added to every gradient: approximate, not float32."""

import numpy as np

_rng = np.random.default_rng(0)


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward_backward_pass(x, target, W1, b1, W2, b2):
    a1 = sig(W1 @ x + b1)
    pred = sig(W2 @ a1 + b2)
    loss = 0.5 * float((pred[0] - target) ** 2)
    delta2 = (pred - target) * pred * (1 - pred)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    grads = np.outer(delta1, x), delta1, np.outer(delta2, a1), delta2
    noise = 1e-9 * np.sin(np.arange(1, 4))  # the same every call: not state, just noise
    grads = tuple(g + noise[0] for g in grads)
    return (pred, loss, *grads)
