"""The hidden layer's sigmoid is 1/(1 + e^z): the sign in its exponent is flipped."""

import numpy as np


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def hidden_sig(z):
    return 1.0 / (1.0 + np.exp(z))


def forward_backward_pass(x, target, W1, b1, W2, b2):
    a1 = hidden_sig(W1 @ x + b1)
    pred = sig(W2 @ a1 + b2)
    loss = 0.5 * float((pred[0] - target) ** 2)
    delta2 = (pred - target) * pred * (1 - pred)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    return pred, loss, np.outer(delta1, x), delta1, np.outer(delta2, a1), delta2
