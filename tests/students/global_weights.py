"""Notebook code pasted as is: the function's parameters are w1, w2, but it uses the global W1, W2.

The globals come from the same seeded stream as the lab's, so the first sample matches;
from the second on the loop's weights have moved and the globals have not.
"""

import numpy as np

np.random.seed(42)
inputs = np.random.uniform(-1, 1, size=(200, 3))
W1 = 0.1 * np.random.randn(2, 3)
W2 = 0.1 * np.random.randn(1, 2)


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward_backward_pass(x, target, w1, b1, w2, b2):
    a1 = sig(W1 @ x + b1)
    pred = sig(W2 @ a1 + b2)
    loss = 0.5 * float((pred[0] - target) ** 2)
    delta2 = (pred - target) * pred * (1 - pred)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    return pred, loss, np.outer(delta1, x), delta1, np.outer(delta2, a1), delta2
